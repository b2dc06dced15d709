/* bench_batch — aggregate decoding throughput of one context decoding N
 * sequences at once through attn_ctx_decode_batch (continuous batching:
 * one pass over the weights per step for every sequence), for N = 1, 2,
 * 4, 8, 16. Not a test; prints one JSON line per N.
 *
 *   bench_batch MODEL [--seqs 1,2,4,8,16] [--prompt 16] [--tokens 32] [--repeats 2]
 *                     [--threads T] [--precision loaded|f32|bf16|q8_0|q4_0|q4_1]
 *
 * MODEL is a model directory, a GGUF file or an installed short name
 * (`attn models`). For each N: a context of N sequences, every prompt
 * (P random tokens, a different one per sequence) prefilled in one batch,
 * then `tokens` steps that each append every sequence's greedy next token
 * in one batch. tokens_per_s counts generated tokens of all sequences over
 * the decoding steps' time (the fastest of the repeats); speedup divides it
 * by the rate of N = 1 from the same run. */
#include "attn/context.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long arg(int argc, char **argv, const char *name, long long def) {
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return atoll(argv[i + 1]);
    return def;
}

static const char *sarg(int argc, char **argv, const char *name, const char *def) {
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return def;
}

static int fail(attn_status st) {
    fprintf(stderr, "bench_batch: %s\n", attn_last_error()[0] ? attn_last_error() : attn_status_string(st));
    return 1;
}

static int32_t argmax(const float *x, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return (int32_t)best;
}

int main(int argc, char **argv) {
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: bench_batch MODEL [--seqs 1,2,4,8,16] [--prompt P] [--tokens N] [--repeats R] "
                        "[--threads T] [--precision loaded|f32|bf16|q8_0|q4_0|q4_1]\n");
        return 2;
    }
    int64_t P = arg(argc, argv, "--prompt", 16), n_tok = arg(argc, argv, "--tokens", 32), reps = arg(argc, argv, "--repeats", 2);
    int threads = (int)arg(argc, argv, "--threads", 0);
    const char *prec = sarg(argc, argv, "--precision", "loaded"), *seqs_arg = sarg(argc, argv, "--seqs", "1,2,4,8,16");
    if (P < 1 || n_tok < 1 || reps < 1) {
        fprintf(stderr, "bench_batch: --prompt, --tokens and --repeats must be positive\n");
        return 2;
    }
    static const struct { const char *name; attn_precision p; } PREC[] = {
        {"f32", ATTN_PRECISION_F32}, {"bf16", ATTN_PRECISION_BF16}, {"q8_0", ATTN_PRECISION_Q8_0},
        {"q4_0", ATTN_PRECISION_Q4_0}, {"q4_1", ATTN_PRECISION_Q4_1}};
    int pi = -1; /* -1 with "loaded": the model's own types (a GGUF file's stay quantized) */
    for (int i = 0; i < 5; i++)
        if (!strcmp(prec, PREC[i].name)) pi = i;
    if (pi < 0 && strcmp(prec, "loaded")) {
        fprintf(stderr, "bench_batch: unknown --precision %s (loaded, f32, bf16, q8_0, q4_0, q4_1)\n", prec);
        return 2;
    }
    int64_t seqs[32], n_seqs = 0;
    for (const char *s = seqs_arg; *s && n_seqs < 32;) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || v < 1 || v > 1024) {
            fprintf(stderr, "bench_batch: --seqs wants numbers from 1 to 1024 separated by commas, not %s\n", seqs_arg);
            return 2;
        }
        seqs[n_seqs++] = v;
        s = *end == ',' ? end + 1 : end;
    }
    attn_status st;
    if (threads && (st = attn_set_threads(threads))) return fail(st);
    attn_model *m = NULL;
    if ((st = attn_model_load(argv[1], &m))) return fail(st);
    if (pi >= 0 && (st = attn_model_set_precision(m, PREC[pi].p))) return fail(st);
    int64_t V = attn_model_config(m).vocab_size;
    double rate1 = 0;
    for (int64_t k = 0; k < n_seqs; k++) {
        int64_t N = seqs[k];
        attn_ctx *c = NULL;
        if ((st = attn_ctx_new(m, N, P + n_tok, &c))) return fail(st);
        int32_t *seq = malloc(sizeof(int32_t) * (size_t)(N * P)), *tok = malloc(sizeof(int32_t) * (size_t)(N * P));
        float *logits = malloc(sizeof(float) * (size_t)(N * V));
        if (!seq || !tok || !logits) return fail(ATTN_ERR_OUT_OF_MEMORY);
        double best = 0, best_prefill = 0;
        for (int64_t r = 0; r < reps; r++) {
            rng_state rg = {1234 + (uint64_t)r};
            for (int64_t i = 0; i < N; i++) {
                if ((st = attn_ctx_seq_keep(c, i, 0))) return fail(st);
                for (int64_t t = 0; t < P; t++) {
                    seq[i * P + t] = (int32_t)i;
                    tok[i * P + t] = (int32_t)(rng_next_u64(&rg) % (uint64_t)V);
                }
            }
            double t0 = time_now();
            if ((st = attn_ctx_decode_batch(c, N * P, seq, tok, logits))) return fail(st);
            double t1 = time_now();
            for (int64_t step = 0; step < n_tok; step++) {
                for (int64_t i = 0; i < N; i++) {
                    seq[i] = (int32_t)i;
                    tok[i] = argmax(logits + i * V, V);
                }
                if ((st = attn_ctx_decode_batch(c, N, seq, tok, logits))) return fail(st);
            }
            double t2 = time_now(), rate = (double)(N * n_tok) / (t2 - t1);
            if (rate > best) best = rate, best_prefill = 1000.0 * (t1 - t0);
        }
        if (N == 1) rate1 = best;
        printf("{\"impl\": \"attn\", \"bench\": \"batch\", \"model\": \"%s\", \"precision\": \"%s\", \"seqs\": %lld, "
               "\"prompt\": %lld, \"tokens\": %lld, \"tokens_per_s\": %.2f, \"speedup\": %.2f, \"prefill_ms\": %.1f, "
               "\"threads\": %d}\n",
               argv[1], prec, (long long)N, (long long)P, (long long)n_tok, best, rate1 > 0 ? best / rate1 : 0.0,
               best_prefill, attn_get_threads());
        fflush(stdout);
        free(seq);
        free(tok);
        free(logits);
        attn_ctx_free(c);
    }
    attn_model_free(m);
    return 0;
}
