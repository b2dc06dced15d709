/* bench_model — attn's side of the model benchmarks (bench/run.sh prints it
 * beside PyTorch). Prints one JSON line.
 *
 *   bench_model train  --layers L --heads H --width C --context T --vocab V --batch B --steps N --warmup-steps W
 *   bench_model decode --layers L --heads H --width C --context T --vocab V --tokens N --prompt P
 *                      [--warmup 1 --repeats 3]
 *   either with --precision bf16: bf16 matrix products (attn_model_set_precision)
 *   bench_model file   --model PATH [--threads N --prompt P --tokens N --prefill T --warmup 1 --repeats 3]
 *
 * train: AdamW steps on random token ids (the same work as
 * bench_train_torch.py: forward, backward, clipping, update).
 * decode: batch-1 greedy decoding with the KV cache after a prompt; as
 * bench_decode_torch.py, untimed decodes first and the fastest of the
 * timed ones counts.
 * file: a model as loaded (a GGUF file keeps its quantized types) through a
 * decoding context, the engine alone (no process start, no load): decode
 * tokens/s at batch 1 after a P-token prompt (greedy over the logits), and
 * prompt processing tokens/s of one T-token prompt in one call; random
 * prompt ids, the fastest repetition of each after the untimed ones.
 * bench/bench_llamacpp.py runs it beside llama.cpp. */
#include "attn/context.h"
#include "attn/generate.h"
#include "attn/train.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>

static long long arg(int argc, char **argv, const char *name, long long def) {
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return atoll(argv[i + 1]);
    return def;
}

static int fail(attn_status st) {
    fprintf(stderr, "bench_model: %s\n", attn_last_error()[0] ? attn_last_error() : attn_status_string(st));
    return 1;
}

static const char *sarg(int argc, char **argv, const char *name) {
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return NULL;
}

static int32_t argmax(const float *x, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return (int32_t)best;
}

static int bench_file(int argc, char **argv) {
    const char *path = sarg(argc, argv, "--model");
    if (!path) {
        fprintf(stderr, "usage: bench_model file --model PATH [--threads N --prompt P --tokens N --prefill T]\n");
        return 2;
    }
    attn_set_threads((int)arg(argc, argv, "--threads", 0));
    int64_t P = arg(argc, argv, "--prompt", 8), n = arg(argc, argv, "--tokens", 64), T = arg(argc, argv, "--prefill", 512);
    int64_t warm = arg(argc, argv, "--warmup", 1), reps = arg(argc, argv, "--repeats", 3);
    if (P < 1 || n < 1 || T < 1 || warm < 0 || reps < 1) {
        fprintf(stderr, "bench_model: --prompt, --tokens, --prefill and --repeats must be >= 1\n");
        return 2;
    }
    attn_model *m = NULL;
    attn_status st = attn_model_load(path, &m);
    if (st) return fail(st);
    int64_t V = attn_model_config(m).vocab_size, len = (P + n > T ? P + n : T) + 1;
    attn_ctx *ctx = NULL;
    if ((st = attn_ctx_new(m, 1, len, &ctx))) return fail(st);
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)T);
    float *logits = malloc(sizeof(float) * (size_t)V);
    if (!ids || !logits) return fail(ATTN_ERR_OUT_OF_MEMORY);
    rng_state rng = {7};
    for (int64_t i = 0; i < T; i++) ids[i] = (int32_t)(rng_next_u64(&rng) % (uint64_t)V);
    double best_decode = 0, best_prefill = 0;
    for (int64_t r = 0; r < warm + reps; r++) {
        /* decode: the prompt, then n tokens one at a time (each fed back) */
        attn_ctx_reset(ctx);
        if ((st = attn_ctx_decode(ctx, ids, P, logits))) return fail(st);
        double t0 = time_now();
        for (int64_t k = 0; k < n; k++) {
            int32_t tok = argmax(logits, V);
            if ((st = attn_ctx_decode(ctx, &tok, 1, logits))) return fail(st);
        }
        double rate = (double)n / (time_now() - t0);
        /* prompt processing: T tokens in one call */
        attn_ctx_reset(ctx);
        t0 = time_now();
        if ((st = attn_ctx_decode(ctx, ids, T, logits))) return fail(st);
        double pp = (double)T / (time_now() - t0);
        if (r >= warm) {
            if (rate > best_decode) best_decode = rate;
            if (pp > best_prefill) best_prefill = pp;
        }
    }
    printf("{\"impl\": \"attn\", \"decode_tokens_per_s\": %.2f, \"prefill_tokens_per_s\": %.2f, \"prompt\": %lld, "
           "\"tokens\": %lld, \"prefill\": %lld, \"params\": %lld, \"threads\": %d}\n",
           best_decode, best_prefill, (long long)P, (long long)n, (long long)T, (long long)attn_model_num_params(m),
           attn_get_threads());
    attn_ctx_free(ctx);
    attn_model_free(m);
    free(ids);
    free(logits);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "file")) return bench_file(argc, argv);
    if (argc < 2 || (strcmp(argv[1], "train") && strcmp(argv[1], "decode"))) {
        fprintf(stderr, "usage: bench_model train|decode|file [--layers L --heads H --width C --context T --vocab V ...]\n");
        return 2;
    }
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = arg(argc, argv, "--layers", 12);
    c.n_head = arg(argc, argv, "--heads", 12);
    c.n_embd = arg(argc, argv, "--width", 768);
    c.n_ctx = arg(argc, argv, "--context", 256);
    c.vocab_size = arg(argc, argv, "--vocab", 50257);
    int threads = (int)arg(argc, argv, "--threads", 0);
    attn_set_threads(threads);
    attn_model *m = NULL;
    attn_status st = attn_model_new(&c, 1, &m);
    if (st) return fail(st);
    bool bf16 = false;
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--precision")) bf16 = !strcmp(argv[i + 1], "bf16");
    if (bf16 && (st = attn_model_set_precision(m, ATTN_PRECISION_BF16))) return fail(st);
    const char *prec = bf16 ? "bf16" : "fp32";
    rng_state rng = {7};
    if (!strcmp(argv[1], "train")) {
        int64_t B = arg(argc, argv, "--batch", 4), T = c.n_ctx, steps = arg(argc, argv, "--steps", 10),
                warm = arg(argc, argv, "--warmup-steps", 2);
        attn_optim_params p = attn_optim_default_params();
        p.lr = 3e-4f;
        p.warmup_steps = 0;
        p.max_steps = steps + warm;
        attn_trainer *tr = NULL;
        if ((st = attn_trainer_new(m, &p, &tr))) return fail(st);
        int32_t *ids = malloc(sizeof(int32_t) * (size_t)(B * (T + 1))), *in = malloc(sizeof(int32_t) * (size_t)(B * T)),
                *tg = malloc(sizeof(int32_t) * (size_t)(B * T));
        double t0 = 0;
        float loss = 0;
        for (int64_t s = 0; s < warm + steps; s++) {
            if (s == warm) t0 = time_now();
            for (int64_t i = 0; i < B * (T + 1); i++) ids[i] = (int32_t)(rng_next_u64(&rng) % (uint64_t)c.vocab_size);
            for (int64_t b = 0; b < B; b++) {
                memcpy(in + b * T, ids + b * (T + 1), sizeof(int32_t) * (size_t)T);
                memcpy(tg + b * T, ids + b * (T + 1) + 1, sizeof(int32_t) * (size_t)T);
            }
            if ((st = attn_trainer_step(tr, in, tg, 1, B, T, &loss, NULL))) return fail(st);
        }
        double dt = time_now() - t0;
        printf("{\"impl\": \"attn\", \"precision\": \"%s\", \"tokens_per_s\": %.1f, \"ms_per_step\": %.1f, \"loss\": %.4f, "
               "\"params\": %lld, \"threads\": %d}\n",
               prec, (double)(steps * B * T) / dt, 1000.0 * dt / (double)steps, (double)loss,
               (long long)attn_model_num_params(m), attn_get_threads());
        attn_trainer_free(tr);
        free(ids);
        free(in);
        free(tg);
    } else {
        int64_t n = arg(argc, argv, "--tokens", 64), P = arg(argc, argv, "--prompt", 8);
        int64_t warm = arg(argc, argv, "--warmup", 1), reps = arg(argc, argv, "--repeats", 3);
        attn_sampler_params sp = attn_sampler_default_params();
        sp.temperature = 0;
        sp.max_new_tokens = n;
        int32_t *prompt = malloc(sizeof(int32_t) * (size_t)P);
        for (int64_t i = 0; i < P; i++) prompt[i] = (int32_t)(rng_next_u64(&rng) % (uint64_t)c.vocab_size);
        /* as bench_decode_torch.py: untimed decodes, then the fastest of the timed ones */
        double best_rate = 0, best_prefill = 0;
        int64_t k = 0;
        for (int64_t r = 0; r < warm + (reps > 0 ? reps : 1); r++) {
            attn_gen *gen = NULL;
            if ((st = attn_gen_new(m, &sp, &gen))) return fail(st);
            double t0 = time_now();
            if ((st = attn_gen_start(gen, prompt, P))) return fail(st);
            double t1 = time_now();
            int32_t tok;
            k = 0;
            while ((st = attn_gen_next(gen, &tok)) == ATTN_OK) k++;
            if (st != ATTN_DONE) return fail(st);
            double t2 = time_now();
            attn_gen_free(gen);
            /* gen_next feeds each token but the last back through the model */
            double rate = (double)(k - 1) / (t2 - t1);
            if (r >= warm && rate > best_rate) best_rate = rate, best_prefill = 1000.0 * (t1 - t0);
        }
        printf("{\"impl\": \"attn\", \"precision\": \"%s\", \"tokens_per_s\": %.2f, \"prefill_ms\": %.1f, \"tokens\": %lld, "
               "\"params\": %lld, \"threads\": %d}\n",
               prec, best_rate, best_prefill, (long long)k, (long long)attn_model_num_params(m), attn_get_threads());
        free(prompt);
    }
    attn_model_free(m);
    return 0;
}
