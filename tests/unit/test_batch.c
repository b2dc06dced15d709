/* Continuous batching in decoding contexts (attn/context.h): sequences of
 * their own lengths joining and leaving between steps of
 * attn_ctx_decode_batch give the logits each one gets decoded alone in a
 * fresh context; attn_ctx_seq_keep / attn_ctx_seq_copy / attn_ctx_reorder
 * on sequences of different lengths; every refused call leaves every
 * length as it was; the KV cache is sized for the context's length.
 *
 * Tolerance: 1e-4 absolute on logits of size ~1, as test_context.c's
 * comparison of a context with full recomputation. The batch and the lone
 * decode run the same kernels on the same rows, but a product over n rows
 * may take another GEMM path (blocking, BLAS or the packed kernel) than
 * one over 1 row, and attention over a run of a prompt sums its keys in
 * tiles: only the order of float additions differs, which moves fp32
 * logits of these fixtures by ~1e-6. */
#include "test.h"

#include "attn/context.h"
#include "attn/gguf.h"

#include <math.h>
#include <stdint.h>

enum { NSEQ = 4, MAXLEN = 14 };

static double max_abs_diff(const float *a, const float *b, int64_t n) {
    double d = 0;
    for (int64_t i = 0; i < n; i++) d = fmax(d, fabs((double)a[i] - (double)b[i]));
    return d;
}

static attn_model *load(const char *dir, attn_precision prec) {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(dir, &m));
    if (m && prec != ATTN_PRECISION_F32) {
        attn_status st = attn_model_set_precision(m, prec);
        CHECK_OK(st);
        if (st) {
            attn_model_free(m);
            return NULL;
        }
    }
    return m;
}

/* The logits after tokens[0 .. len) decoded alone in a fresh context (the
 * whole sequence as one prompt). */
static void alone(attn_model *m, const int32_t *tokens, int64_t len, float *out) {
    attn_ctx *c = NULL;
    CHECK_OK(attn_ctx_new(m, 1, MAXLEN, &c));
    if (!c) return;
    CHECK_OK(attn_ctx_decode(c, tokens, len, out));
    attn_ctx_free(c);
}

/* What the test knows of each sequence: its tokens so far. */
typedef struct seqs {
    int32_t tok[NSEQ][MAXLEN];
    int64_t len[NSEQ];
    int conv[NSEQ];            /* which conversation the sequence holds (its tokens follow from it) */
} seqs;

static int32_t token_of(int conv, int64_t pos, int64_t V) { return (int32_t)((11 * conv + 7 * pos + 3 * conv * pos + 1) % V); }

/* One step: runs (seq, count) in this order, as attn_ctx_decode_batch
 * entries; each run's logits against its sequence decoded alone. Returns
 * the worst difference. */
static double step(attn_model *m, attn_ctx *c, seqs *s, const int (*runs)[2], int n_runs, const char *what) {
    int64_t V = attn_model_config(m).vocab_size;
    int32_t seq[NSEQ * MAXLEN], tok[NSEQ * MAXLEN];
    int64_t n = 0;
    for (int r = 0; r < n_runs; r++)
        for (int k = 0; k < runs[r][1]; k++) {
            int q = runs[r][0];
            int32_t t = token_of(s->conv[q], s->len[q], V);
            s->tok[q][s->len[q]++] = t;
            seq[n] = q;
            tok[n++] = t;
        }
    float *got = malloc((size_t)(n_runs * V) * sizeof(float)), *want = malloc((size_t)V * sizeof(float));
    CHECK_OK(attn_ctx_decode_batch(c, n, seq, tok, got));
    double worst = 0;
    for (int r = 0; r < n_runs; r++) {
        int q = runs[r][0];
        CHECK(attn_ctx_seq_len(c, q) == s->len[q]);
        alone(m, s->tok[q], s->len[q], want);
        double d = max_abs_diff(got + r * V, want, V);
        if (!(d < 1e-4)) fprintf(stderr, "  %s: sequence %d at length %lld differs by %g\n", what, q, (long long)s->len[q], d);
        worst = fmax(worst, d);
    }
    for (int q = 0; q < NSEQ; q++) CHECK(attn_ctx_seq_len(c, q) == s->len[q]);
    free(got);
    free(want);
    return worst;
}

/* A sequence leaves (its slot emptied) and a new conversation takes it. */
static void leave(attn_ctx *c, seqs *s, int q, int conv) {
    CHECK_OK(attn_ctx_seq_keep(c, q, 0));
    s->len[q] = 0;
    s->conv[q] = conv;
}

static void joining_and_leaving(const char *dir, attn_precision prec) {
    attn_model *m = load(dir, prec);
    if (!m) return;
    attn_ctx *c = NULL;
    CHECK_OK(attn_ctx_new(m, NSEQ, MAXLEN, &c));
    if (!c) {
        attn_model_free(m);
        return;
    }
    seqs s = {.conv = {1, 2, 3, 4}};
    double worst = 0;
    /* two prompts of different lengths, the later sequence first */
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{2, 3}, {0, 5}}, 2, dir));
    CHECK(attn_ctx_len(c) == -1);
    /* both decode on while sequence 1's prompt joins */
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{0, 1}, {1, 4}, {2, 1}}, 3, dir));
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{1, 1}, {0, 1}, {2, 1}}, 3, dir));
    /* sequence 2 finishes; sequence 3 joins with a prompt of 2 */
    leave(c, &s, 2, 5);
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{3, 2}, {0, 1}, {1, 1}}, 3, dir));
    /* a new conversation in slot 2; sequence 0 idles this step */
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{2, 6}, {3, 1}, {1, 1}}, 3, dir));
    for (int k = 0; k < 3; k++)
        worst = fmax(worst, step(m, c, &s, (const int[][2]){{0, 1}, {1, 1}, {2, 1}, {3, 1}}, 4, dir));
    /* one alone, then a single token of one sequence */
    leave(c, &s, 0, 6);
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{0, 1}}, 1, dir));
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{3, 1}}, 1, dir));
    CHECK(worst < 1e-4);
    attn_ctx_free(c);
    attn_model_free(m);
}

TEST("sequences joining and leaving a continuous batch get the logits each gets alone (GPT-2, OPT, BLOOM, Llama, Qwen2)") {
    joining_and_leaving("tests/ref/gpt2_tiny", ATTN_PRECISION_F32);
    joining_and_leaving("tests/ref/opt_tiny", ATTN_PRECISION_F32);
    joining_and_leaving("tests/ref/opt_tiny_proj", ATTN_PRECISION_F32);
    joining_and_leaving("tests/ref/bloom_tiny", ATTN_PRECISION_F32);
    joining_and_leaving("tests/ref/bloom_tiny4", ATTN_PRECISION_F32);
    joining_and_leaving("tests/ref/llama_gqa", ATTN_PRECISION_F32);
    joining_and_leaving("tests/ref/llama_tied", ATTN_PRECISION_F32);
    joining_and_leaving("tests/ref/qwen2_tiny", ATTN_PRECISION_F32);
}

TEST("a continuous batch in quantized and bf16 precision gets the logits each sequence gets alone") {
    joining_and_leaving("tests/ref/llama_gqa", ATTN_PRECISION_Q8_0);
    joining_and_leaving("tests/ref/llama_gqa", ATTN_PRECISION_Q4_0);
    joining_and_leaving("tests/ref/qwen2_tiny", ATTN_PRECISION_BF16);
    joining_and_leaving("tests/ref/gpt2_tiny", ATTN_PRECISION_BF16);
}

TEST("a continuous batch on a GGUF-loaded Llama (Q8_0 matrices kept quantized) gets the logits each sequence gets alone") {
    const char *path = test_tmp_path("batch_llama_q8.gguf");
    CHECK_OK(attn_gguf_convert("tests/ref/llama_gqa", path, 8, NULL));
    attn_model *m = load(path, ATTN_PRECISION_F32);
    CHECK(m && attn_model_precision(m) == ATTN_PRECISION_Q8_0);
    attn_model_free(m);
    joining_and_leaving(path, ATTN_PRECISION_F32);
    remove(path);
}

/* seq_keep then new tokens, seq_copy of a prefix into a longer and an
 * empty sequence, and a reorder of sequences of different lengths, each
 * against the sequence decoded alone. */
static void keep_copy_reorder(const char *dir) {
    attn_model *m = load(dir, ATTN_PRECISION_F32);
    if (!m) return;
    attn_ctx *c = NULL;
    CHECK_OK(attn_ctx_new(m, NSEQ, MAXLEN, &c));
    if (!c) {
        attn_model_free(m);
        return;
    }
    seqs s = {.conv = {1, 2, 3, 4}};
    double worst = step(m, c, &s, (const int[][2]){{0, 6}, {1, 3}, {3, 2}}, 3, dir);
    /* a prompt cache: sequence 0 keeps 4 of its 6 positions and goes on with another conversation's tokens */
    CHECK_OK(attn_ctx_seq_keep(c, 0, 4));
    s.len[0] = 4;
    s.conv[0] = 7;
    CHECK(attn_ctx_seq_len(c, 0) == 4);
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{0, 3}, {1, 1}}, 2, dir));
    /* keeping all of it changes nothing */
    CHECK_OK(attn_ctx_seq_keep(c, 1, s.len[1]));
    /* sequence 1 (4 positions) becomes sequence 0's first 5; sequence 2 (empty) its first 3 */
    CHECK_OK(attn_ctx_seq_copy(c, 1, 0, 5));
    CHECK_OK(attn_ctx_seq_copy(c, 2, 0, 3));
    memcpy(s.tok[1], s.tok[0], 5 * sizeof(int32_t));
    memcpy(s.tok[2], s.tok[0], 3 * sizeof(int32_t));
    s.len[1] = 5, s.len[2] = 3, s.conv[1] = 8, s.conv[2] = 9;
    for (int q = 0; q < NSEQ; q++) CHECK(attn_ctx_seq_len(c, q) == s.len[q]);
    /* each goes its own way (the source too) */
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{2, 2}, {1, 1}, {0, 1}, {3, 1}}, 4, dir));
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{0, 1}, {1, 1}, {2, 1}}, 3, dir));
    /* a copy of a sequence onto itself keeps a prefix */
    CHECK_OK(attn_ctx_seq_copy(c, 3, 3, 2));
    s.len[3] = 2;
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{3, 1}}, 1, dir));
    /* reorder sequences of different lengths: lengths move with their caches */
    const int32_t from[NSEQ] = {3, 0, 0, 1};
    CHECK_OK(attn_ctx_reorder(c, from));
    seqs old = s;
    for (int q = 0; q < NSEQ; q++) {
        memcpy(s.tok[q], old.tok[from[q]], sizeof s.tok[q]);
        s.len[q] = old.len[from[q]];
        s.conv[q] = 20 + q;
        CHECK(attn_ctx_seq_len(c, q) == s.len[q]);
    }
    worst = fmax(worst, step(m, c, &s, (const int[][2]){{0, 1}, {1, 1}, {2, 2}, {3, 1}}, 4, dir));
    CHECK(worst < 1e-4);
    attn_ctx_free(c);
    attn_model_free(m);
}

TEST("seq_keep, seq_copy and reorder on sequences of different lengths equal fresh decodes (GPT-2, OPT, BLOOM, Llama)") {
    keep_copy_reorder("tests/ref/gpt2_tiny");
    keep_copy_reorder("tests/ref/opt_tiny");
    keep_copy_reorder("tests/ref/bloom_tiny");
    keep_copy_reorder("tests/ref/llama_gqa");
    keep_copy_reorder("tests/ref/qwen2_tiny");
}

/* attn_ctx_decode_batch_all: a prompt in sequence 0 copied into sequences
 * 1 and 2, then runs of 3, 1 and 2 continuation tokens in one call; row i
 * of the logits against the sequence up to entry i decoded alone, and the
 * last row of each run against what attn_ctx_decode_batch gives. */
static void every_row(const char *dir, attn_precision prec) {
    attn_model *m = load(dir, prec);
    if (!m) return;
    int64_t V = attn_model_config(m).vocab_size;
    attn_ctx *c = NULL, *c2 = NULL;
    CHECK_OK(attn_ctx_new(m, NSEQ, MAXLEN, &c));
    CHECK_OK(attn_ctx_new(m, NSEQ, MAXLEN, &c2));
    float *got = malloc((size_t)(6 * V) * sizeof(float)), *last = malloc((size_t)(3 * V) * sizeof(float)),
          *want = malloc((size_t)V * sizeof(float));
    if (!c || !c2 || !got || !last || !want) goto done;
    const int32_t prompt[4] = {5 % V, 9 % V, 2 % V, 7 % V}, seq0[4] = {0, 0, 0, 0};
    const int32_t seq[6] = {1, 1, 1, 0, 2, 2}, tok[6] = {3 % V, 1 % V, 4 % V, 8 % V, 6 % V, 10 % V};
    attn_ctx *cs[2] = {c, c2};
    for (int k = 0; k < 2; k++) {
        CHECK_OK(attn_ctx_decode_batch(cs[k], 4, seq0, prompt, NULL));
        CHECK_OK(attn_ctx_seq_copy(cs[k], 1, 0, 4));
        CHECK_OK(attn_ctx_seq_copy(cs[k], 2, 0, 4));
    }
    CHECK_OK(attn_ctx_decode_batch_all(c, 6, seq, tok, got));
    CHECK_OK(attn_ctx_decode_batch(c2, 6, seq, tok, last));
    CHECK(attn_ctx_seq_len(c, 0) == 5 && attn_ctx_seq_len(c, 1) == 7 && attn_ctx_seq_len(c, 2) == 6);
    double worst = 0;
    for (int i = 0; i < 6; i++) {
        int32_t ids[MAXLEN];
        int64_t len = 4;
        memcpy(ids, prompt, sizeof prompt);
        for (int j = 0; j <= i; j++)
            if (seq[j] == seq[i]) ids[len++] = tok[j];
        alone(m, ids, len, want);
        double d = max_abs_diff(got + i * V, want, V);
        if (!(d < 1e-4)) fprintf(stderr, "  %s: entry %d differs from its sequence decoded alone by %g\n", dir, i, d);
        worst = fmax(worst, d);
    }
    /* the last entries of the runs (2, 3, 5) are attn_ctx_decode_batch's rows */
    worst = fmax(worst, max_abs_diff(got + 2 * V, last, V));
    worst = fmax(worst, max_abs_diff(got + 3 * V, last + V, V));
    worst = fmax(worst, max_abs_diff(got + 5 * V, last + 2 * V, V));
    CHECK(worst < 1e-4);
done:
    free(got);
    free(last);
    free(want);
    attn_ctx_free(c);
    attn_ctx_free(c2);
    attn_model_free(m);
}

TEST("attn_ctx_decode_batch_all gives every entry's logits, each what its prefix decoded alone gives") {
    every_row("tests/ref/gpt2_tiny", ATTN_PRECISION_F32);
    every_row("tests/ref/opt_tiny", ATTN_PRECISION_F32);
    every_row("tests/ref/bloom_tiny", ATTN_PRECISION_F32);
    every_row("tests/ref/llama_gqa", ATTN_PRECISION_F32);
    every_row("tests/ref/qwen2_tiny", ATTN_PRECISION_BF16);
    every_row("tests/ref/llama_gqa", ATTN_PRECISION_Q8_0);
}

static void lens_are(attn_ctx *c, const int64_t *want) {
    for (int q = 0; q < NSEQ; q++) {
        if (attn_ctx_seq_len(c, q) != want[q])
            fprintf(stderr, "  sequence %d holds %lld, not %lld\n", q, (long long)attn_ctx_seq_len(c, q), (long long)want[q]);
        CHECK(attn_ctx_seq_len(c, q) == want[q]);
    }
}

TEST("refused batches, keeps and copies leave every length unchanged and the context decoding on") {
    attn_model *m = load("tests/ref/llama_gqa", ATTN_PRECISION_F32);
    if (!m) return;
    int64_t V = attn_model_config(m).vocab_size;
    attn_ctx *c = NULL;
    CHECK_OK(attn_ctx_new(m, NSEQ, MAXLEN, &c));
    if (!c) {
        attn_model_free(m);
        return;
    }
    seqs s = {.conv = {1, 2, 3, 4}};
    step(m, c, &s, (const int[][2]){{0, 4}, {1, 2}, {2, 12}}, 3, "errors");
    const int64_t lens[NSEQ] = {4, 2, 12, 0};
    lens_are(c, lens);
    int32_t tok[MAXLEN + 1] = {0};
    int32_t seq_outside[2] = {1, NSEQ}, seq_negative[2] = {-1, 0}, seq_twice[3] = {0, 1, 0};
    int32_t seq_ok[2] = {0, 1}, bad_tok[2] = {5, (int32_t)V}, neg_tok[2] = {-3, 5};
    CHECK_STATUS(attn_ctx_decode_batch(c, 0, seq_ok, tok, NULL), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_decode_batch(c, 2, NULL, tok, NULL), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_decode_batch(c, 2, seq_ok, NULL, NULL), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_decode_batch(c, 2, seq_outside, tok, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "outside") != NULL);
    CHECK_STATUS(attn_ctx_decode_batch(c, 2, seq_negative, tok, NULL), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_decode_batch(c, 3, seq_twice, tok, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "two runs") != NULL);
    /* sequence 2 holds 12 of 14: a run of 3 (after sequence 1's token) does not fit */
    int32_t seq_past3[4] = {1, 2, 2, 2};
    CHECK_STATUS(attn_ctx_decode_batch(c, 4, seq_past3, tok, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "exceed") != NULL);
    CHECK_STATUS(attn_ctx_decode_batch(c, 2, seq_ok, bad_tok, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "vocabulary") != NULL);
    CHECK_STATUS(attn_ctx_decode_batch(c, 2, seq_ok, neg_tok, NULL), ATTN_ERR_INVALID_ARG);
    lens_are(c, lens);
    CHECK_STATUS(attn_ctx_seq_keep(c, 1, 3), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_seq_keep(c, 1, -1), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_seq_keep(c, NSEQ, 0), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_seq_copy(c, 3, 0, 5), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_seq_copy(c, NSEQ, 0, 1), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_ctx_seq_copy(c, 3, -1, 0), ATTN_ERR_INVALID_ARG);
    CHECK(attn_ctx_seq_len(c, -1) == -1 && attn_ctx_seq_len(c, NSEQ) == -1);
    /* the same-length calls refuse sequences of different lengths, saying so */
    CHECK_STATUS(attn_ctx_decode(c, tok, 1, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "different lengths") != NULL);
    CHECK(attn_ctx_len(c) == -1);
    CHECK(strstr(attn_last_error(), "different lengths") != NULL);
    lens_are(c, lens);
    /* and decoding goes on as if nothing had been asked */
    double worst = step(m, c, &s, (const int[][2]){{2, 2}, {3, 3}, {0, 1}}, 3, "errors");
    CHECK(worst < 1e-4);
    CHECK(attn_ctx_seq_len(c, 2) == MAXLEN);
    int32_t one[1] = {2};
    CHECK_STATUS(attn_ctx_decode_batch(c, 1, one, tok, NULL), ATTN_ERR_INVALID_ARG);
    /* every sequence at one length again: attn_ctx_decode and attn_ctx_len work as before */
    for (int q = 0; q < NSEQ; q++) CHECK_OK(attn_ctx_seq_keep(c, q, 0));
    CHECK(attn_ctx_len(c) == 0);
    CHECK_OK(attn_ctx_decode(c, tok, 2, NULL));
    CHECK(attn_ctx_len(c) == 2);
    attn_ctx_free(c);
    attn_model_free(m);
}

TEST("encoder-decoders and RNNs refuse the per-sequence calls") {
    const char *dirs[] = {"tests/ref/bart_tiny", "tests/ref/rnnsearch_tiny"};
    for (int d = 0; d < 2; d++) {
        attn_model *m = load(dirs[d], ATTN_PRECISION_F32);
        if (!m) continue;
        attn_ctx *c = NULL;
        CHECK_OK(attn_ctx_new(m, 2, 4, &c));
        if (c) {
            int32_t seq[1] = {0}, tok[1] = {3};
            CHECK_STATUS(attn_ctx_decode_batch(c, 1, seq, tok, NULL), ATTN_ERR_UNSUPPORTED);
            CHECK(strstr(attn_last_error(), "decoders") != NULL);
            CHECK_STATUS(attn_ctx_seq_keep(c, 0, 0), ATTN_ERR_UNSUPPORTED);
            CHECK_STATUS(attn_ctx_seq_copy(c, 1, 0, 0), ATTN_ERR_UNSUPPORTED);
            CHECK(attn_ctx_seq_len(c, 1) == 0 && attn_ctx_len(c) == 0);
            attn_ctx_free(c);
        }
        attn_model_free(m);
    }
}

/* The allocator hook, summing the bytes requested. */
static size_t requested;
static void *summing_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (!size) {
        free(ptr);
        return NULL;
    }
    requested += size;
    return realloc(ptr, size);
}

TEST("a decoder's KV cache is sized for the context's length, not the model's") {
    attn_gpt_config cfg = attn_gpt_default_config();
    cfg.n_layer = 2, cfg.n_head = 2, cfg.n_embd = 32, cfg.vocab_size = 50, cfg.n_ctx = 4096;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new(&cfg, 1, &m));
    if (!m) return;
    attn_ctx *c = NULL;
    requested = 0;
    attn_set_allocator(summing_realloc, NULL);
    attn_status st = attn_ctx_new(m, 2, 16, &c);
    attn_set_allocator(NULL, NULL);
    CHECK_OK(st);
    /* the cache: 2 layers x 2 sequences x 16 positions x 2 x 32 floats = 16 KiB; the whole
     * n_ctx would be 4 MiB */
    size_t cache = 2 * 2 * 16 * 2 * 32 * sizeof(float);
    if (requested > cache + 8192) fprintf(stderr, "  a context of 16 positions asked for %zu bytes\n", requested);
    CHECK(requested >= cache && requested <= cache + 8192);
    if (c) {
        int32_t ids[16] = {1, 2, 3};
        CHECK_OK(attn_ctx_decode(c, ids, 8, NULL));
        CHECK_OK(attn_ctx_decode(c, ids, 8, NULL));
        CHECK_STATUS(attn_ctx_decode(c, ids, 1, NULL), ATTN_ERR_INVALID_ARG);
    }
    attn_ctx_free(c);
    attn_model_free(m);
}
