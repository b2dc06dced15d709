/* Decoding contexts (attn/context.h) on the transformers fixtures: a
 * decoder's batched prefill and steps against full recomputation
 * (attn_model_logits), reordering rows mid-way (as beam search does),
 * the context's limits; encoder-decoders and RNNs stepped through a
 * context against attn_seq2seq_score's uncached pass; what each family
 * refuses. */
#include "test.h"

#include "attn/context.h"
#include "attn/seq2seq.h"

#include <math.h>
#include <stdint.h>

static attn_model *load(const char *dir) {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(dir, &m));
    return m;
}

static double max_abs_diff(const float *a, const float *b, int64_t n) {
    double d = 0;
    for (int64_t i = 0; i < n; i++) d = fmax(d, fabs((double)a[i] - (double)b[i]));
    return d;
}

/* Rows of a decoder's context against attn_model_logits of each row's full
 * sequence: prefill 3 prompts of 4 tokens, 3 steps, reorder to {2, 2, 0},
 * 3 more steps. */
static void decoder_rows(const char *dir) {
    attn_model *m = load(dir);
    if (!m) return;
    int64_t V = attn_model_config(m).vocab_size;
    enum { N = 3, P = 4, STEPS = 6, L = P + STEPS };
    int32_t seq[N][L];
    for (int i = 0; i < N; i++)
        for (int t = 0; t < L; t++) seq[i][t] = (int32_t)((7 * i + 13 * t + 5) % V);
    attn_ctx *c = NULL;
    CHECK_OK(attn_ctx_new(m, N, 0, &c));
    if (!c) {
        attn_model_free(m);
        return;
    }
    float *got = malloc((size_t)(N * V) * sizeof(float)), *full = malloc((size_t)(L * V) * sizeof(float));
    int32_t prompt[N * P], tok[N];
    for (int i = 0; i < N; i++) memcpy(prompt + i * P, seq[i], P * sizeof(int32_t));
    CHECK_OK(attn_ctx_decode(c, prompt, P, got));
    CHECK(attn_ctx_len(c) == P);
    for (int s = 0; s <= STEPS; s++) {
        int64_t len = P + s;
        for (int i = 0; i < N; i++) {
            CHECK_OK(attn_model_logits(m, seq[i], 1, len, full));
            double d = max_abs_diff(got + i * V, full + (len - 1) * V, V);
            CHECK(d < 1e-4);
            if (d >= 1e-4) fprintf(stderr, "  %s: row %d at length %lld differs by %g\n", dir, i, (long long)len, d);
        }
        if (s == STEPS) break;
        if (s == 3) {
            /* rows 0 and 1 continue row 2's sequence, row 2 row 0's */
            const int32_t from[N] = {2, 2, 0};
            CHECK_OK(attn_ctx_reorder(c, from));
            int32_t old[N][L];
            memcpy(old, seq, sizeof old);
            for (int i = 0; i < N; i++) memcpy(seq[i], old[from[i]], sizeof seq[i]);
            /* and from here on the rows differ again */
            for (int t = P + s; t < L; t++) seq[1][t] = (int32_t)((seq[1][t] + 1) % V);
        }
        for (int i = 0; i < N; i++) tok[i] = seq[i][P + s];
        CHECK_OK(attn_ctx_decode(c, tok, 1, got));
    }
    free(got);
    free(full);
    attn_ctx_free(c);
    attn_model_free(m);
}

TEST("a decoder's context: batched prefill, steps and a reorder equal full recomputation (GPT-2, OPT, Llama)") {
    decoder_rows("tests/ref/gpt2_tiny");
    decoder_rows("tests/ref/opt_tiny");
    decoder_rows("tests/ref/opt_tiny_proj");
    decoder_rows("tests/ref/llama_gqa");
    decoder_rows("tests/ref/llama_tied");
    decoder_rows("tests/ref/qwen2_tiny");
    decoder_rows("tests/ref/bloom_tiny");
    decoder_rows("tests/ref/bloom_tiny4");
}

TEST("a decoder's context stops at its length, refuses sources and bad orders, and starts over on reset") {
    attn_model *m = load("tests/ref/gpt2_tiny");
    if (!m) return;
    attn_gpt_config cfg = attn_model_config(m);
    attn_ctx *c = NULL;
    CHECK_STATUS(attn_ctx_new(m, 0, 0, &c), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_new(m, 1, cfg.n_ctx + 1, &c), ATTN_ERR_INVALID_ARG);
    CHECK(c == NULL);
    CHECK_OK(attn_ctx_new(m, 2, 5, &c));
    if (!c) {
        attn_model_free(m);
        return;
    }
    CHECK(attn_ctx_max_len(c) == 5 && attn_ctx_n_seq(c) == 2 && attn_ctx_model(c) == m);
    int32_t ids[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    CHECK_STATUS(attn_ctx_encode(c, ids, 2, 3), ATTN_ERR_UNSUPPORTED);
    CHECK_OK(attn_ctx_decode(c, ids, 4, NULL));
    CHECK_STATUS(attn_ctx_decode(c, ids, 2, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(attn_ctx_len(c) == 4);
    const int32_t bad[2] = {0, 2};
    CHECK_STATUS(attn_ctx_reorder(c, bad), ATTN_ERR_INVALID_ARG);
    int32_t outside[2] = {1, (int32_t)cfg.vocab_size};
    CHECK(attn_ctx_decode(c, outside, 1, NULL) != ATTN_OK);
    CHECK(attn_ctx_len(c) == 4);
    CHECK_OK(attn_ctx_decode(c, ids, 1, NULL));
    CHECK(attn_ctx_len(c) == 5);
    attn_ctx_reset(c);
    CHECK(attn_ctx_len(c) == 0);
    CHECK_OK(attn_ctx_decode(c, ids, 5, NULL));
    attn_ctx_free(c);
    attn_model_free(m);
}

/* An encoder-decoder or RNN stepped through a context: two sources, two
 * sequences each, teacher-forced on a target (the second of each pair off
 * the target for two steps, then reordered onto the first); the summed
 * log-probabilities equal attn_seq2seq_score's uncached pass. */
static void seq2seq_rows(const char *dir) {
    attn_model *m = load(dir);
    if (!m) return;
    attn_seq2seq_params p = attn_seq2seq_default_params(m);
    int64_t V = attn_model_config(m).vocab_size;
    enum { B = 2, S = 5, T = 4, N = 4 };
    int32_t src[B * S], tgt[B * T];
    for (int b = 0; b < B; b++) {
        for (int s = 0; s < S; s++) src[b * S + s] = (int32_t)(3 + (5 * b + 3 * s) % (V - 4));
        for (int t = 0; t < T; t++) tgt[b * T + t] = (int32_t)(3 + (7 * b + 2 * t + 1) % (V - 4));
    }
    src[1 * S + 4] = p.pad_token_id;   /* the second source is one token shorter */
    double want[B];
    int64_t counted[B];
    CHECK_OK(attn_seq2seq_score(m, src, S, tgt, T, B, want, counted));
    attn_ctx *c = NULL;
    CHECK_OK(attn_ctx_new(m, N, T, &c));
    if (!c) {
        attn_model_free(m);
        return;
    }
    int32_t tok[N];
    CHECK_STATUS(attn_ctx_decode(c, tok, 1, NULL), ATTN_ERR_INVALID_ARG);   /* no sources yet */
    CHECK_STATUS(attn_ctx_encode(c, src, 3, S), ATTN_ERR_INVALID_ARG);      /* 4 sequences over 3 sources */
    CHECK_OK(attn_ctx_encode(c, src, B, S));
    float *lg = malloc((size_t)(N * V) * sizeof(float));
    double got[N] = {0};
    for (int t = 0; t < T; t++) {
        /* until the reorder, the second sequence of each source reads a
         * wrong token (so only a reorder that moved its state can give the
         * score of the target) */
        for (int i = 0; i < N; i++) {
            tok[i] = t == 0 ? p.decoder_start_token_id : tgt[(i / 2) * T + t - 1];
            if (i % 2 && t < 2) tok[i] = (int32_t)(3 + (tok[i] + 1) % (V - 4));
        }
        if (t == 2) {
            /* the two sequences of each source trade places (each state
             * moves over the other's, their scores so far with them); one
             * of another source cannot continue */
            const int32_t cross[N] = {0, 2, 2, 3}, from[N] = {1, 0, 3, 2};
            CHECK_STATUS(attn_ctx_reorder(c, cross), ATTN_ERR_INVALID_ARG);
            CHECK_OK(attn_ctx_reorder(c, from));
            double was[N];
            memcpy(was, got, sizeof was);
            for (int i = 0; i < N; i++) got[i] = was[from[i]];
        }
        if (t == 3) {
            /* the first sequence of each source continues the second, now
             * the one that read the target */
            const int32_t from[N] = {1, 1, 3, 3};
            CHECK_OK(attn_ctx_reorder(c, from));
            for (int i = 0; i < N; i++) got[i] = got[from[i]];
        }
        CHECK_STATUS(attn_ctx_decode(c, tok, 2, lg), ATTN_ERR_INVALID_ARG);
        CHECK_OK(attn_ctx_decode(c, tok, 1, lg));
        for (int i = 0; i < N; i++) {
            const float *x = lg + i * V;
            double mx = x[0], z = 0;
            for (int64_t j = 1; j < V; j++) mx = fmax(mx, x[j]);
            for (int64_t j = 0; j < V; j++) z += exp((double)x[j] - mx);
            got[i] -= (double)x[tgt[(i / 2) * T + t]] - mx - log(z);
        }
    }
    CHECK(attn_ctx_len(c) == T);
    CHECK_STATUS(attn_ctx_decode(c, tok, 1, lg), ATTN_ERR_INVALID_ARG);   /* past its length */
    for (int i = 0; i < N; i++) CHECK_NEAR(got[i], want[i / 2], 1e-4 * fmax(1.0, fabs(want[i / 2])));
    attn_ctx_reset(c);
    CHECK_STATUS(attn_ctx_decode(c, tok, 1, lg), ATTN_ERR_INVALID_ARG);   /* the sources went with the reset */
    free(lg);
    attn_ctx_free(c);
    attn_model_free(m);
}

TEST("encoder-decoders and RNNs step through a context as attn_seq2seq_score computes (BART, Marian, RNNsearch)") {
    seq2seq_rows("tests/ref/bart_tiny");
    seq2seq_rows("tests/ref/marian_tiny");
    seq2seq_rows("tests/ref/rnnsearch_tiny");
    seq2seq_rows("tests/ref/rnnencdec_tiny");
}

TEST("an encoder has no decoding context") {
    attn_model *m = load("tests/ref/bert_tiny");
    if (!m) return;
    attn_ctx *c = NULL;
    CHECK_STATUS(attn_ctx_new(m, 1, 0, &c), ATTN_ERR_UNSUPPORTED);
    CHECK(c == NULL);
    CHECK(strstr(attn_last_error(), "encoder") != NULL);
    attn_model_free(m);
}

TEST("the KV cache grows past its first 64 positions: 150 tokens decoded in steps (single tokens across 64) end with the full forward's logits") {
    attn_gpt_config cfg = attn_gpt_default_config();
    cfg.n_layer = 2;
    cfg.n_head = 2;
    cfg.n_embd = 16;
    cfg.n_ctx = 160;
    cfg.vocab_size = 40;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new(&cfg, 3, &m));
    if (!m) return;
    enum { N = 150 };
    int32_t ids[N];
    for (int i = 0; i < N; i++) ids[i] = (int32_t)((i * 7 + 3) % 40);
    float *full = malloc((size_t)N * 40 * sizeof *full), step[40];
    CHECK_OK(attn_model_logits(m, ids, 1, N, full));
    attn_ctx *c = NULL;
    CHECK_OK(attn_ctx_new(m, 1, 0, &c));
    if (!c) return;
    CHECK_OK(attn_ctx_decode(c, ids, 60, step)); /* a prompt, single tokens across 64, then 80 at once (to 150) */
    for (int i = 60; i < 70; i++) CHECK_OK(attn_ctx_decode(c, ids + i, 1, step));
    CHECK_OK(attn_ctx_decode(c, ids + 70, N - 70, step));
    double diff = 0;
    for (int j = 0; j < 40; j++) diff = fmax(diff, fabs((double)step[j] - (double)full[(N - 1) * 40 + j]));
    CHECK(diff < 1e-4);
    attn_ctx_free(c);
    free(full);
    attn_model_free(m);
}
