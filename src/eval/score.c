/* score.c — a decoder's negative log-likelihood over text with an evaluation window other than
 * its trained context (attn_model_score_windows, attn score --context/--stride).
 *
 * Positions past n_ctx: rotary positions (the Llama rows) are angles computed for each position,
 * ALiBi (BLOOM) a bias linear in the distance, so without a KV cache either runs at any length,
 * as in transformers, where max_position_embeddings / seq_length is only a default. Learned
 * position embeddings (GPT-2, OPT) have rows for 0 .. n_ctx - 1 only: a longer window is refused
 * naming why. Mistral's sliding window would mask keys beyond it (attn runs it only where the
 * window covers every position): refused past n_ctx too.
 *
 * Strided scoring (stride K): the targets ids[first .. end) are cut into consecutive blocks of K
 * (the last may be shorter); a block [b, e) is predicted by one forward over the `window` tokens
 * before its last target, ids[max(0, e - 1 - window) .. e - 1), so each target is predicted from
 * between window - K + 1 and window tokens (fewer only where the text starts). The blocks do not
 * depend on the window: every window length scores the same tokens. */
#include "core/core.h"
#include "models/model_impl.h"

#include <math.h>
#include <string.h>

/* ATTN_OK when model m may run over `window` tokens without a cache, else why not. */
static attn_status check_window(const attn_model *m, int64_t window) {
    int64_t n_ctx = m->cfg.n_ctx;
    if (window <= n_ctx) return ATTN_OK;
    const char *type = m->arch ? m->arch->model_type : "this";
    switch (m->kind) {
    case MODEL_LLAMA:
        if (m->arch && !strcmp(m->arch->model_type, "mistral"))
            return attn_errorf(ATTN_ERR_UNSUPPORTED,
                               "a window of %lld tokens is longer than this mistral model's %lld positions: its sliding "
                               "window would mask the keys beyond it, which attn does not run",
                               (long long)window, (long long)n_ctx);
        return ATTN_OK; /* rotary positions: any position */
    case MODEL_BLOOM: return ATTN_OK; /* ALiBi: a bias by distance, no positions */
    case MODEL_GPT:
    case MODEL_OPT:
        return attn_errorf(ATTN_ERR_UNSUPPORTED,
                           "a window of %lld tokens is longer than the %lld positions this %s model learned: its position "
                           "embeddings have no rows past %lld (rotary models (llama) and ALiBi models (bloom) score "
                           "past their trained context)",
                           (long long)window, (long long)n_ctx, type, (long long)(n_ctx - 1));
    default:
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "a window of %lld tokens is longer than this %s model's %lld positions",
                           (long long)window, type, (long long)n_ctx);
    }
}

/* Adds -log p(ids[w0 + p + 1]) of the rows p in [p0, p1) of logits (rows of V) to *nll. */
static void add_nll(const float *logits, int64_t V, const int32_t *ids, int64_t w0, int64_t p0, int64_t p1, double *nll,
                    int64_t *count) {
    for (int64_t p = p0; p < p1; p++) {
        const float *row = logits + p * V;
        double mx = -INFINITY, s = 0;
        for (int64_t j = 0; j < V; j++) mx = fmax(mx, (double)row[j]);
        for (int64_t j = 0; j < V; j++) s += exp((double)row[j] - mx);
        *nll += mx + log(s) - (double)row[ids[w0 + p + 1]];
        (*count)++;
    }
}

/* One forward over B rows of T tokens (the rows' first tokens at ids + starts[b]); adds rows
 * [p0[b], p1) of row b. */
static attn_status forward_rows(attn_model *m, graph *g, int32_t *buf, const int32_t *ids, const int64_t *starts,
                                const int64_t *p0, int64_t p1, int64_t B, int64_t T, double *nll, int64_t *count) {
    for (int64_t b = 0; b < B; b++) memcpy(buf + b * T, ids + starts[b], (size_t)T * sizeof *buf);
    graph_reset(g, false, false, 0);
    tensor *logits = model_forward(m, g, buf, B, T, NULL, false);
    if (!logits) return g->status ? g->status : ATTN_ERR_INVALID_ARG;
    int64_t V = m->cfg.vocab_size;
    for (int64_t b = 0; b < B; b++) add_nll(logits->data + b * T * V, V, ids, starts[b], p0[b], p1, nll, count);
    return ATTN_OK;
}

/* windows per forward: up to ROW_TOKENS tokens and MAX_LOGITS logits in all (one window at least) */
enum { MAX_ROWS = 64, ROW_TOKENS = 4096, MAX_LOGITS = 1 << 25 };

attn_status attn_model_score_windows(attn_model *m, const int32_t *ids, int64_t n, int64_t window, int64_t stride,
                                     int64_t first, int64_t end, double *nll_sum, int64_t *n_predicted) {
    *nll_sum = 0;
    *n_predicted = 0;
    if (!m || !ids) return attn_errorf(ATTN_ERR_INVALID_ARG, "score: no model or no tokens");
    if (window == 0) window = m->cfg.n_ctx;
    if (window < 2) return attn_errorf(ATTN_ERR_INVALID_ARG, "the scoring window must hold at least 2 tokens, not %lld",
                                       (long long)window);
    if (stride < 0 || stride > window)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the stride (%lld) must be in [1, the window (%lld)]", (long long)stride,
                           (long long)window);
    if (first < 1 || end > n || first > end)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "targets [%lld, %lld) are not within [1, %lld]", (long long)first,
                           (long long)end, (long long)n);
    attn_status st = check_window(m, window);
    if (st) return st;
    int64_t V = m->cfg.vocab_size;
    for (int64_t i = first - 1 - window > 0 ? first - 1 - window : 0; i < end; i++) /* the tokens these windows read */
        if (ids[i] < 0 || ids[i] >= V)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "token id %d at position %lld is outside the vocabulary [0, %lld)",
                               (int)ids[i], (long long)i, (long long)V);
    int64_t rows = ROW_TOKENS / window, cap = MAX_LOGITS / (window * V);
    rows = rows < cap ? rows : cap;
    rows = rows < 1 ? 1 : rows > MAX_ROWS ? MAX_ROWS : rows;
    int32_t *buf = attn_malloc((size_t)(rows * window) * sizeof *buf);
    if (!buf) return ATTN_ERR_OUT_OF_MEMORY;
    int64_t starts[MAX_ROWS], p0[MAX_ROWS], B = 0, T = 0;
    graph g;
    graph_init(&g, NULL);
    /* each piece: a window (its first token ids[s], T tokens) whose rows from p on are scored;
     * consecutive pieces of one length share a forward */
    for (int64_t b = first; b < end && !st;) {
        int64_t s, len, p;
        if (stride) { /* the block of targets [b, e) */
            int64_t e = b + stride < end ? b + stride : end;
            s = e - 1 - window > 0 ? e - 1 - window : 0;
            len = e - 1 - s, p = b - 1 - s, b = e;
        } else { /* consecutive windows of `window` tokens from ids[first - 1], all but their first token scored */
            s = b - 1, len = end - s < window ? end - s : window, p = 0, b = s + len + 1;
            if (len < 2) break;
        }
        if (B && (len != T || B == rows)) {
            st = forward_rows(m, &g, buf, ids, starts, p0, stride ? T : T - 1, B, T, nll_sum, n_predicted);
            B = 0;
        }
        starts[B] = s, p0[B] = p, T = len, B++;
    }
    if (!st && B) st = forward_rows(m, &g, buf, ids, starts, p0, stride ? T : T - 1, B, T, nll_sum, n_predicted);
    graph_free(&g);
    attn_free(buf);
    if (!st && !isfinite(*nll_sum))
        st = attn_errorf(ATTN_ERR_FORMAT, "the negative log-likelihood overflows (logits too large); the weights may be "
                         "corrupt");
    return st;
}
