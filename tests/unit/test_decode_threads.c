/* One loaded model, several requests at once: threads each decode their own
 * prompt with their own generator (graph, KV cache, sampler) on the same
 * attn_model, and each must get exactly the tokens it gets alone; threads
 * scoring and computing logits at once get their single-threaded numbers.
 * Built and run under ThreadSanitizer by `make tsan`, which reports any
 * write to shared model state. */
#include "test.h"

#include "attn/generate.h"

#include <pthread.h>
#include <stdint.h>

enum { N_THREADS = 3, N_NEW = 40, ROUNDS = 2 };

typedef struct job {
    attn_model *model;
    int32_t prompt[4];
    float temperature;
    uint64_t seed;
    int32_t out[N_NEW];
    int64_t n;
    attn_status st;
} job;

static void *decode(void *arg) {
    job *j = arg;
    attn_sampler_params p = attn_sampler_default_params();
    p.temperature = j->temperature;
    p.top_k = j->temperature > 0 ? 20 : 0;
    p.seed = j->seed;
    p.max_new_tokens = N_NEW;
    attn_gen *gen = NULL;
    j->n = 0;
    j->st = attn_gen_new(j->model, &p, &gen);
    if (!j->st) j->st = attn_gen_start(gen, j->prompt, 4);
    while (!j->st && j->n < N_NEW) {
        int32_t t;
        attn_status s = attn_gen_next(gen, &t);
        if (s == ATTN_DONE) break;
        j->st = s;
        if (!s) j->out[j->n++] = t;
    }
    attn_gen_free(gen);
    return NULL;
}

static void check_concurrent(attn_model *m) {
    job alone[N_THREADS], together[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        alone[i] = (job){.model = m, .prompt = {1 + i, 7, 3 * i + 2, 11}, .temperature = i == 0 ? 0.0f : 0.9f,
                         .seed = 100 + (uint64_t)i};
        decode(&alone[i]);
        CHECK_OK(alone[i].st);
        CHECK(alone[i].n == N_NEW);
    }
    for (int r = 0; r < ROUNDS; r++) {
        pthread_t th[N_THREADS];
        for (int i = 0; i < N_THREADS; i++) {
            together[i] = alone[i];
            together[i].n = 0;
            memset(together[i].out, 0xff, sizeof together[i].out);
            CHECK(pthread_create(&th[i], NULL, decode, &together[i]) == 0);
        }
        for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
        for (int i = 0; i < N_THREADS; i++) {
            CHECK_OK(together[i].st);
            CHECK(together[i].n == alone[i].n);
            CHECK(memcmp(together[i].out, alone[i].out, sizeof alone[i].out) == 0);
        }
    }
}

TEST("threads decoding different prompts on one model get their single-threaded tokens (fp32 and bf16)") {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2;
    c.n_head = 4;
    c.n_embd = 64;
    c.n_ctx = 32; /* 4 + 40 tokens: each thread's window slides */
    c.vocab_size = 97;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new(&c, 7, &m));
    if (!m) return;
    check_concurrent(m);
    CHECK_OK(attn_model_set_precision(m, ATTN_PRECISION_BF16));
    check_concurrent(m);
    attn_model_free(m);
}


/* Whole-sequence requests: logits of a window and the score of a text. */
typedef struct full_job {
    attn_model *model;
    int32_t ids[48];
    float logits[16 * 97];
    double nll;
    int64_t n;
    attn_status st;
} full_job;

static void *full(void *arg) {
    full_job *j = arg;
    j->st = attn_model_logits(j->model, j->ids, 1, 16, j->logits);
    if (!j->st) j->st = attn_model_score(j->model, j->ids, 48, &j->nll, &j->n);
    return NULL;
}

TEST("threads computing logits and scores on one model get their single-threaded numbers") {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2;
    c.n_head = 4;
    c.n_embd = 64;
    c.n_ctx = 32;
    c.vocab_size = 97;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new(&c, 11, &m));
    if (!m) return;
    full_job alone[N_THREADS], together[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        alone[i].model = m;
        for (int t = 0; t < 48; t++) alone[i].ids[t] = (int32_t)((t * 7 + i * 13) % 97);
        full(&alone[i]);
        CHECK_OK(alone[i].st);
    }
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        together[i] = alone[i];
        memset(together[i].logits, 0, sizeof together[i].logits);
        together[i].nll = 0;
        CHECK(pthread_create(&th[i], NULL, full, &together[i]) == 0);
    }
    for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < N_THREADS; i++) {
        CHECK_OK(together[i].st);
        CHECK(!memcmp(together[i].logits, alone[i].logits, sizeof alone[i].logits));
        CHECK(together[i].nll == alone[i].nll && together[i].n == alone[i].n);
    }
    attn_model_free(m);
}
