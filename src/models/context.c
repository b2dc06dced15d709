/* context.c — decoding contexts (include/attn/context.h): the per-request
 * state over a read-only model. A decoder's context is its KV cache and a
 * graph of its own, stepped by model_forward; an encoder-decoder's or
 * RNN's is its family's decoding state (model_family.s2s_*), made by
 * attn_ctx_encode. */
#include "attn/context.h"
#include "models/model_impl.h"

struct attn_ctx {
    attn_model *m;
    const model_family *f;
    int64_t n_seq, max_len, len;
    int64_t per_source;       /* translation families: sequences per source */
    kv_cache *cache;          /* decoders */
    graph g;                  /* decoders: every step's graph */
    void *state;              /* translation families: after attn_ctx_encode */
};

attn_status attn_ctx_new(attn_model *m, int64_t n_seq, int64_t max_len, attn_ctx **out) {
    *out = NULL;
    if (!m) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_ctx_new: no model");
    const model_family *f = &model_families[m->kind];
    if (!f->forward && !f->s2s_begin) return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s", f->no_forward);
    if (n_seq < 1 || n_seq > 65536 || max_len < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "a context decodes 1 to 65536 sequences of a length >= 0 (got %lld, %lld)",
                           (long long)n_seq, (long long)max_len);
    if (f->forward && max_len > m->cfg.n_ctx)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "a context of %lld positions exceeds the %lld the model has", (long long)max_len,
                           (long long)m->cfg.n_ctx);
    attn_ctx *c = attn_calloc(1, sizeof *c);
    if (!c) return ATTN_ERR_OUT_OF_MEMORY;
    c->m = m;
    c->f = f;
    c->n_seq = n_seq;
    c->max_len = max_len ? max_len : m->cfg.n_ctx;
    graph_init(&c->g, NULL);
    if (f->forward) {
        attn_status st = kv_cache_new(m, n_seq, &c->cache);
        if (st) {
            attn_ctx_free(c);
            return st;
        }
    }
    *out = c;
    return ATTN_OK;
}

static void end_state(attn_ctx *c) {
    if (c->state) c->f->s2s_end(c->state);
    c->state = NULL;
}

void attn_ctx_free(attn_ctx *c) {
    if (!c) return;
    end_state(c);
    kv_cache_free(c->m, c->cache);
    graph_free(&c->g);
    attn_free(c);
}

attn_status attn_ctx_encode(attn_ctx *c, const int32_t *src, int64_t B, int64_t S) {
    if (!c->f->s2s_begin)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s has no source: decode the prompt instead", c->f->what);
    if (!src || B < 1 || c->n_seq % B)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%lld sequences cannot split evenly over %lld sources", (long long)c->n_seq,
                           (long long)B);
    end_state(c);
    c->len = 0;
    c->per_source = c->n_seq / B;
    return c->f->s2s_begin(c->m, src, B, S, c->per_source, c->max_len, &c->state);
}

attn_status attn_ctx_decode(attn_ctx *c, const int32_t *tokens, int64_t T, float *logits) {
    if (!tokens || T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "nothing to decode");
    if (T > c->max_len - c->len)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "decoding %lld more positions after %lld exceeds the context's %lld",
                           (long long)T, (long long)c->len, (long long)c->max_len);
    int64_t V = c->m->cfg.vocab_size;
    if (c->cache) {
        c->cache->len = c->len;
        graph_reset(&c->g, false, false, 0);
        tensor *lg = model_forward(c->m, &c->g, tokens, c->n_seq, T, c->cache, true);
        if (!lg) return c->g.status ? c->g.status : ATTN_ERR_INVALID_ARG;
        if (logits) memcpy(logits, lg->data, (size_t)(c->n_seq * V) * sizeof(float));
        c->len += T;
        return ATTN_OK;
    }
    if (!c->state) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s decodes after attn_ctx_encode", c->f->what);
    if (T != 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s decodes one token at a time", c->f->what);
    float *out = logits;
    size_t bytes;
    if (!out && (!size_mul((size_t)(c->n_seq * V), sizeof(float), &bytes) || !(out = attn_malloc(bytes))))
        return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = c->f->s2s_step(c->state, tokens, out);
    if (out != logits) attn_free(out);
    if (!st) c->len++;
    return st;
}

attn_status attn_ctx_reorder(attn_ctx *c, const int32_t *from) {
    if (!from) return attn_errorf(ATTN_ERR_INVALID_ARG, "reorder: no order");
    for (int64_t i = 0; i < c->n_seq; i++)
        if (from[i] < 0 || from[i] >= c->n_seq || (c->state && from[i] / c->per_source != i / c->per_source))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "reorder: sequence %lld cannot continue sequence %d of %lld%s",
                               (long long)i, (int)from[i], (long long)c->n_seq, c->state ? " (each keeps its source)" : "");
    if (c->state) return c->f->s2s_reorder(c->state, from);
    if (!c->cache) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s reorders after attn_ctx_encode", c->f->what);
    c->cache->len = c->len;
    return kv_cache_reorder(c->m, c->cache, from);
}

void attn_ctx_reset(attn_ctx *c) {
    if (c->state) end_state(c);
    c->len = 0;
}

int64_t attn_ctx_len(const attn_ctx *c) { return c->len; }
int64_t attn_ctx_max_len(const attn_ctx *c) { return c->max_len; }
int64_t attn_ctx_n_seq(const attn_ctx *c) { return c->n_seq; }
const attn_model *attn_ctx_model(const attn_ctx *c) { return c->m; }
