/* context.c — decoding contexts (include/attn/context.h): the per-request
 * state over a read-only model. A decoder's context is its KV cache, a
 * graph of its own and each sequence's length, stepped by model_forward:
 * attn_ctx_decode appends to every sequence at one length, and
 * attn_ctx_decode_batch hands the cache a run table (kv_run) so that one
 * forward appends to each named sequence at its own position; an
 * encoder-decoder's or RNN's is its family's decoding state
 * (model_family.s2s_*), made by attn_ctx_encode. */
#include "attn/context.h"
#include "models/model_impl.h"

struct attn_ctx {
    attn_model *m;
    const model_family *f;
    int64_t n_seq, max_len;
    int64_t *lens;            /* n_seq: each sequence's length (translation families: all equal) */
    uint8_t *mark;            /* n_seq: attn_ctx_decode_batch's "has a run" flags, zero between calls */
    int64_t per_source;       /* translation families: sequences per source */
    kv_cache *cache;          /* decoders */
    graph g;                  /* decoders: every step's graph */
    void *state;              /* translation families: after attn_ctx_encode */
    kv_run *runs;             /* attn_ctx_decode_batch's run table and row positions, cap rows */
    int32_t *pos;
    int64_t cap;
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
    c->lens = attn_calloc((size_t)n_seq, sizeof *c->lens);
    c->mark = attn_calloc((size_t)n_seq, 1);
    if (!c->lens || !c->mark) {
        attn_ctx_free(c);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    if (f->forward) {
        attn_status st = kv_cache_new(m, n_seq, c->max_len, &c->cache);
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
    attn_free(c->lens);
    attn_free(c->mark);
    attn_free(c->runs);
    attn_free(c->pos);
    attn_free(c);
}

static void set_lens(attn_ctx *c, int64_t len) {
    for (int64_t i = 0; i < c->n_seq; i++) c->lens[i] = len;
}

/* The shared length, or -1 with an error naming two sequences that differ. */
static int64_t shared_len(const attn_ctx *c, const char *what) {
    for (int64_t i = 1; i < c->n_seq; i++)
        if (c->lens[i] != c->lens[0]) {
            attn_errorf(ATTN_ERR_INVALID_ARG, "%s: the sequences have different lengths (sequence 0 holds %lld positions, "
                        "sequence %lld %lld): use attn_ctx_seq_len and attn_ctx_decode_batch", what,
                        (long long)c->lens[0], (long long)i, (long long)c->lens[i]);
            return -1;
        }
    return c->lens[0];
}

attn_status attn_ctx_encode(attn_ctx *c, const int32_t *src, int64_t B, int64_t S) {
    if (!c->f->s2s_begin)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s has no source: decode the prompt instead", c->f->what);
    if (!src || B < 1 || c->n_seq % B)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%lld sequences cannot split evenly over %lld sources", (long long)c->n_seq,
                           (long long)B);
    end_state(c);
    set_lens(c, 0);
    c->per_source = c->n_seq / B;
    return c->f->s2s_begin(c->m, src, B, S, c->per_source, c->max_len, &c->state);
}

attn_status attn_ctx_decode(attn_ctx *c, const int32_t *tokens, int64_t T, float *logits) {
    if (!tokens || T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "nothing to decode");
    int64_t len = shared_len(c, "attn_ctx_decode");
    if (len < 0) return ATTN_ERR_INVALID_ARG;
    if (T > c->max_len - len)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "decoding %lld more positions after %lld exceeds the context's %lld",
                           (long long)T, (long long)len, (long long)c->max_len);
    int64_t V = c->m->cfg.vocab_size;
    if (c->cache) {
        c->cache->len = len;
        c->cache->runs = NULL;
        graph_reset(&c->g, false, false, 0);
        tensor *lg = model_forward(c->m, &c->g, tokens, c->n_seq, T, c->cache, true);
        if (!lg) return c->g.status ? c->g.status : ATTN_ERR_INVALID_ARG;
        if (logits) memcpy(logits, lg->data, (size_t)(c->n_seq * V) * sizeof(float));
        set_lens(c, len + T);
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
    if (!st) set_lens(c, len + 1);
    return st;
}

attn_status ctx_keep_sources(attn_ctx *c, const int32_t *sources, int64_t n) {
    if (!c->state || !c->f->s2s_keep) return ATTN_ERR_UNSUPPORTED;
    attn_status st = c->f->s2s_keep(c->state, sources, n);
    if (st) return st;
    int64_t len = c->lens[0];
    c->n_seq = n * c->per_source;
    set_lens(c, len);
    return ATTN_OK;
}

static attn_status decoders_only(const attn_ctx *c, const char *call) {
    if (c->cache) return ATTN_OK;
    return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s decodes its sequences together (attn_ctx_encode, attn_ctx_decode); "
                       "sequences of their own lengths are for decoders", call, c->f->what);
}

static attn_status check_seq(const attn_ctx *c, const char *call, const char *what, int64_t seq) {
    if (seq >= 0 && seq < c->n_seq) return ATTN_OK;
    return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: %s sequence %lld is outside the context's %lld", call, what, (long long)seq,
                       (long long)c->n_seq);
}

/* The run table of a batch (checked), in c->runs / c->pos; *n_runs runs. */
static attn_status plan_batch(attn_ctx *c, int64_t n, const int32_t *seqs, const int32_t *tokens, int64_t *n_runs) {
    static const char call[] = "attn_ctx_decode_batch";
    int64_t V = c->m->cfg.vocab_size, runs = 0;
    attn_status st = ATTN_OK;
    for (int64_t i = 0, end; i < n && !st; i = end) {
        int64_t s = seqs[i];
        for (end = i + 1; end < n && seqs[end] == s; end++) {}
        if (s < 0 || s >= c->n_seq) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: entry %lld names sequence %lld, outside the context's %lld", call,
                             (long long)i, (long long)s, (long long)c->n_seq);
            break;
        }
        if (c->mark[s]) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: sequence %lld has two runs (entry %lld starts another; a sequence's "
                             "entries must be consecutive)", call, (long long)s, (long long)i);
            break;
        }
        c->mark[s] = 1;
        if (end - i > c->max_len - c->lens[s]) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: sequence %lld holds %lld positions; %lld more would exceed the "
                             "context's %lld", call, (long long)s, (long long)c->lens[s], (long long)(end - i),
                             (long long)c->max_len);
            break;
        }
        c->runs[runs++] = (kv_run){.seq = s, .row = i, .pos = c->lens[s], .count = end - i};
        for (int64_t k = i; k < end; k++) {
            if (tokens[k] < 0 || tokens[k] >= V) {
                st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: entry %lld's token %d is outside the vocabulary [0, %lld)", call,
                                 (long long)k, (int)tokens[k], (long long)V);
                break;
            }
            c->pos[k] = (int32_t)(c->lens[s] + k - i);
        }
    }
    for (int64_t i = 0; i < n; i++)
        if (seqs[i] >= 0 && seqs[i] < c->n_seq) c->mark[seqs[i]] = 0;
    *n_runs = runs;
    return st;
}

/* attn_ctx_decode_batch (every: attn_ctx_decode_batch_all): logits for the last entry of each run, or for every entry. */
static attn_status decode_batch(attn_ctx *c, int64_t n, const int32_t *seqs, const int32_t *tokens, float *logits, bool every) {
    const char *call = every ? "attn_ctx_decode_batch_all" : "attn_ctx_decode_batch";
    attn_status st = decoders_only(c, call);
    if (st) return st;
    if (n < 1 || !seqs || !tokens)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: nothing to decode (%lld entries)", call, (long long)n);
    if (n > c->cap) {
        kv_run *runs = attn_realloc(c->runs, (size_t)n * sizeof *runs);
        if (runs) c->runs = runs;
        int32_t *pos = runs ? attn_realloc(c->pos, (size_t)n * sizeof *pos) : NULL;
        if (pos) c->pos = pos;
        if (!runs || !pos) return ATTN_ERR_OUT_OF_MEMORY;
        c->cap = n;
    }
    int64_t n_runs = 0;
    if ((st = plan_batch(c, n, seqs, tokens, &n_runs))) return st;
    c->cache->runs = c->runs;
    c->cache->n_runs = n_runs;
    c->cache->pos = c->pos;
    graph_reset(&c->g, false, false, 0);
    tensor *lg = model_forward(c->m, &c->g, tokens, 1, n, c->cache, !every);
    c->cache->runs = NULL;
    c->cache->n_runs = 0;
    c->cache->pos = NULL;
    if (!lg) return c->g.status ? c->g.status : ATTN_ERR_INVALID_ARG;
    if (logits) memcpy(logits, lg->data, (size_t)((every ? n : n_runs) * c->m->cfg.vocab_size) * sizeof(float));
    for (int64_t r = 0; r < n_runs; r++) c->lens[c->runs[r].seq] += c->runs[r].count;
    return ATTN_OK;
}

attn_status attn_ctx_decode_batch(attn_ctx *c, int64_t n, const int32_t *seqs, const int32_t *tokens, float *logits) {
    return decode_batch(c, n, seqs, tokens, logits, false);
}

attn_status attn_ctx_decode_batch_all(attn_ctx *c, int64_t n, const int32_t *seqs, const int32_t *tokens, float *logits) {
    return decode_batch(c, n, seqs, tokens, logits, true);
}

int64_t attn_ctx_seq_len(const attn_ctx *c, int64_t seq) { return seq >= 0 && seq < c->n_seq ? c->lens[seq] : -1; }

attn_status attn_ctx_seq_keep(attn_ctx *c, int64_t seq, int64_t len) {
    attn_status st = decoders_only(c, "attn_ctx_seq_keep");
    if (!st) st = check_seq(c, "attn_ctx_seq_keep", "its", seq);
    if (st) return st;
    if (len < 0 || len > c->lens[seq])
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_ctx_seq_keep: sequence %lld holds %lld positions, cannot keep %lld",
                           (long long)seq, (long long)c->lens[seq], (long long)len);
    c->lens[seq] = len;
    return ATTN_OK;
}

attn_status attn_ctx_seq_copy(attn_ctx *c, int64_t dst, int64_t src, int64_t len) {
    attn_status st = decoders_only(c, "attn_ctx_seq_copy");
    if (!st) st = check_seq(c, "attn_ctx_seq_copy", "destination", dst);
    if (!st) st = check_seq(c, "attn_ctx_seq_copy", "source", src);
    if (st) return st;
    if (len < 0 || len > c->lens[src])
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_ctx_seq_copy: sequence %lld holds %lld positions, cannot copy %lld",
                           (long long)src, (long long)c->lens[src], (long long)len);
    kv_cache_copy(c->m, c->cache, dst, src, len);
    c->lens[dst] = len;
    return ATTN_OK;
}

attn_status attn_ctx_reorder(attn_ctx *c, const int32_t *from) {
    if (!from) return attn_errorf(ATTN_ERR_INVALID_ARG, "reorder: no order");
    for (int64_t i = 0; i < c->n_seq; i++)
        if (from[i] < 0 || from[i] >= c->n_seq || (c->state && from[i] / c->per_source != i / c->per_source))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "reorder: sequence %lld cannot continue sequence %d of %lld%s",
                               (long long)i, (int)from[i], (long long)c->n_seq, c->state ? " (each keeps its source)" : "");
    if (c->state) return c->f->s2s_reorder(c->state, from);
    if (!c->cache) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s reorders after attn_ctx_encode", c->f->what);
    int64_t *old = attn_malloc((size_t)c->n_seq * sizeof *old);
    if (!old) return ATTN_ERR_OUT_OF_MEMORY;
    memcpy(old, c->lens, (size_t)c->n_seq * sizeof *old);
    attn_status st = kv_cache_reorder(c->m, c->cache, from, old);
    if (!st)
        for (int64_t i = 0; i < c->n_seq; i++) c->lens[i] = old[from[i]];
    attn_free(old);
    return st;
}

void attn_ctx_reset(attn_ctx *c) {
    if (c->state) end_state(c);
    set_lens(c, 0);
}

int64_t attn_ctx_len(const attn_ctx *c) { return shared_len(c, "attn_ctx_len"); }
int64_t attn_ctx_max_len(const attn_ctx *c) { return c->max_len; }
int64_t attn_ctx_n_seq(const attn_ctx *c) { return c->n_seq; }
const attn_model *attn_ctx_model(const attn_ctx *c) { return c->m; }
