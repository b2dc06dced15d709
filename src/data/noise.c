/* noise.c — BART's noising functions (see include/attn/noise.h). */
#include "attn/noise.h"
#include "core/core.h"

#include <math.h>

attn_noise_params attn_noise_default_params(int32_t mask_id, int32_t vocab_size) {
    attn_noise_params p;
    memset(&p, 0, sizeof p);
    p.mask_ratio = 0.3f;
    p.poisson_lambda = 3.0f;
    p.random_ratio = 0.1f;
    p.permute_ratio = 1.0f;
    p.mask_id = mask_id;
    p.vocab_size = vocab_size;
    return p;
}

/* Random numbers: one stream per purpose, counters advance per draw. */
typedef struct noise_rng {
    uint64_t seed, counter;
} noise_rng;

static double uniform(noise_rng *r, uint64_t stream) { return (double)rng_uniform(r->seed, stream, r->counter++); }

static uint64_t below(noise_rng *r, uint64_t stream, uint64_t n) {
    return n ? rng_hash(r->seed, stream, r->counter++) % n : 0;
}

/* Knuth's Poisson sampler: fine for the small lambdas of span lengths. */
static int64_t poisson(noise_rng *r, double lambda) {
    double L = exp(-lambda), p = 1.0;
    int64_t k = 0;
    do {
        k++;
        p *= uniform(r, 11);
    } while (p > L && k < 1000);
    return k - 1;
}

static bool in_set(int32_t t, const int32_t *set, int n) {
    for (int i = 0; i < n; i++)
        if (set[i] == t) return true;
    return false;
}

enum { KEEP = 0, MASKED = 1, DELETED = 2 };

static void permute_sentences(const attn_noise_params *p, noise_rng *r, int32_t *x, int64_t n, int32_t *tmp,
                              int64_t *starts) {
    /* sentence boundaries among the movable tokens; kept tokens at the ends stay */
    int64_t lo = 0, hi = n;
    while (lo < hi && in_set(x[lo], p->keep, p->n_keep)) lo++;
    while (hi > lo && in_set(x[hi - 1], p->keep, p->n_keep)) hi--;
    int64_t ns = 0;
    starts[ns++] = lo;
    for (int64_t i = lo; i < hi; i++)
        if (in_set(x[i], p->sentence_end, p->n_sentence_end) && i + 1 < hi) starts[ns++] = i + 1;
    starts[ns] = hi;
    if (ns < 2) return;
    /* Fisher-Yates over sentence indices, stored after the starts */
    int64_t *order = starts + ns + 1;
    for (int64_t i = 0; i < ns; i++) order[i] = i;
    for (int64_t i = ns - 1; i > 0; i--) {
        int64_t j = (int64_t)below(r, 12, (uint64_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int64_t w = 0;
    for (int64_t i = 0; i < ns; i++) {
        int64_t s = order[i];
        for (int64_t k = starts[s]; k < starts[s + 1]; k++) tmp[w++] = x[k];
    }
    memcpy(x + lo, tmp, (size_t)w * sizeof *x);
}

attn_status attn_noise_apply(const attn_noise_params *p, uint64_t seed, const int32_t *in, int64_t n, int32_t *out,
                             int64_t out_cap, int64_t *n_out) {
    *n_out = 0;
    if (n < 0 || out_cap < 2 * n + 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "noise: output needs room for 2n+1 tokens");
    if (!(p->mask_ratio >= 0 && p->mask_ratio <= 1) || !(p->delete_ratio >= 0 && p->delete_ratio <= 1) ||
        !(p->random_ratio >= 0 && p->random_ratio <= 1) || !(p->poisson_lambda >= 0 && p->poisson_lambda <= 100) ||
        p->vocab_size < 1 || p->mask_id < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "noise: ratios must be in [0, 1], lambda in [0, 100], ids valid");
    attn_status st = ATTN_OK;
    int32_t *x = attn_malloc((size_t)(2 * n + 1) * sizeof *x), *tmp = attn_malloc((size_t)(2 * n + 1) * sizeof *tmp);
    int64_t *starts = attn_malloc((size_t)(2 * n + 3) * sizeof *starts);
    uint8_t *state = attn_calloc((size_t)n + 1, 1), *insert = attn_calloc((size_t)n + 1, 1);
    if (!x || !tmp || !starts || !state || !insert) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    noise_rng r = {seed, 0};
    memcpy(x, in, (size_t)n * sizeof *x);
    if (p->permute_ratio > 0 && uniform(&r, 13) < (double)p->permute_ratio) permute_sentences(p, &r, x, n, tmp, starts);

    int64_t movable = 0;
    for (int64_t i = 0; i < n; i++) movable += !in_set(x[i], p->keep, p->n_keep);
    if (p->mask_ratio > 0 && movable > 0) {
        if (p->poisson_lambda > 0) {
            /* text infilling: spans until ceil(ratio * movable) tokens are covered */
            int64_t target = (int64_t)ceil((double)p->mask_ratio * (double)movable), covered = 0, tries = 0;
            while (covered < target && tries++ < 100 * n + 100) {
                int64_t len = poisson(&r, (double)p->poisson_lambda), start = (int64_t)below(&r, 14, (uint64_t)n);
                if (in_set(x[start], p->keep, p->n_keep) || state[start] == MASKED) continue;
                if (len == 0) {
                    /* a mask inserted before x[start]; like fairseq, zero-length
                     * spans cost nothing from the token budget */
                    insert[start] = 1;
                    continue;
                }
                for (int64_t k = start; k < n && k < start + len && covered < target; k++) {
                    if (in_set(x[k], p->keep, p->n_keep) || state[k] == MASKED) break;
                    state[k] = MASKED;
                    covered++;
                }
            }
        } else {
            for (int64_t i = 0; i < n; i++)
                if (!in_set(x[i], p->keep, p->n_keep) && uniform(&r, 15) < (double)p->mask_ratio) state[i] = MASKED;
        }
    }
    if (p->delete_ratio > 0)
        for (int64_t i = 0; i < n; i++)
            if (state[i] == KEEP && !in_set(x[i], p->keep, p->n_keep) && uniform(&r, 16) < (double)p->delete_ratio)
                state[i] = DELETED;

    /* emit: a run of masked tokens (a span, or in token masking a single
     * token) becomes one mask, or a random token with probability random_ratio */
    int64_t w = 0;
    bool span_mode = p->poisson_lambda > 0;
    for (int64_t i = 0; i < n; i++) {
        if (insert[i]) tmp[w++] = uniform(&r, 17) < (double)p->random_ratio ? (int32_t)below(&r, 18, (uint64_t)p->vocab_size) : p->mask_id;
        if (state[i] == DELETED) continue;
        if (state[i] == MASKED) {
            if (span_mode && i > 0 && state[i - 1] == MASKED && !insert[i]) continue;
            tmp[w++] = uniform(&r, 17) < (double)p->random_ratio ? (int32_t)below(&r, 18, (uint64_t)p->vocab_size) : p->mask_id;
            continue;
        }
        tmp[w++] = x[i];
    }
    /* rotation among the movable middle (kept tokens at the ends stay) */
    if (p->rotate_ratio > 0 && uniform(&r, 19) < (double)p->rotate_ratio) {
        int64_t lo = 0, hi = w;
        while (lo < hi && in_set(tmp[lo], p->keep, p->n_keep)) lo++;
        while (hi > lo && in_set(tmp[hi - 1], p->keep, p->n_keep)) hi--;
        if (hi - lo > 1) {
            int64_t k = lo + (int64_t)below(&r, 20, (uint64_t)(hi - lo));
            for (int64_t i = 0; i < hi - lo; i++) x[i] = tmp[lo + (k - lo + i) % (hi - lo)];
            memcpy(tmp + lo, x, (size_t)(hi - lo) * sizeof *x);
        }
    }
    memcpy(out, tmp, (size_t)w * sizeof *out);
    *n_out = w;
done:
    attn_free(x);
    attn_free(tmp);
    attn_free(starts);
    attn_free(state);
    attn_free(insert);
    return st;
}
