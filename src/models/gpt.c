/* gpt.c — the decoder-only family (GPT-2 architecture).
 *
 * x = wte[ids] + wpe[pos]; per block: x += proj(attn(ln1(x))),
 * x += fc2(act(fc(ln2(x)))); logits = ln_f(x) @ wte^T. Pre-LN, learned
 * positions, biases everywhere, tied input/output embeddings, as GPT-2 and
 * transformers' GPT2LMHeadModel. The parameter table below is the single
 * source of sizes, offsets, checkpoint names, weight decay and layouts. */
#include "models/model_impl.h"
#include "io/json.h"
#include "io/safetensors.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>

/* ---- parameter table ------------------------------------------------------ */

typedef enum dim_sym { DIM_NONE, DIM_V, DIM_P, DIM_C, DIM_3C, DIM_F, DIM_L } dim_sym;

typedef struct param_spec {
    const char *name;         /* per layer: after "transformer.h.<i>." */
    dim_sym shape[2];
    bool per_layer, decay, transpose;
    size_t field;             /* offset of the tensor in attn_model or gpt_layer */
} param_spec;

#define MF(f) offsetof(attn_model, f)
#define LF(f) offsetof(gpt_layer, f)

static const param_spec GPT_PARAMS[] = {
    {"transformer.wte.weight", {DIM_V, DIM_C}, false, false, false, MF(wte)},
    {"transformer.wpe.weight", {DIM_P, DIM_C}, false, false, false, MF(wpe)},
    {"ln_1.weight", {DIM_C}, true, false, false, LF(ln1_w)},
    {"ln_1.bias", {DIM_C}, true, false, false, LF(ln1_b)},
    {"attn.c_attn.weight", {DIM_3C, DIM_C}, true, true, true, LF(qkv_w)},
    {"attn.c_attn.bias", {DIM_3C}, true, false, false, LF(qkv_b)},
    {"attn.c_proj.weight", {DIM_C, DIM_C}, true, true, true, LF(proj_w)},
    {"attn.c_proj.bias", {DIM_C}, true, false, false, LF(proj_b)},
    {"ln_2.weight", {DIM_C}, true, false, false, LF(ln2_w)},
    {"ln_2.bias", {DIM_C}, true, false, false, LF(ln2_b)},
    {"mlp.c_fc.weight", {DIM_F, DIM_C}, true, true, true, LF(fc_w)},
    {"mlp.c_fc.bias", {DIM_F}, true, false, false, LF(fc_b)},
    {"mlp.c_proj.weight", {DIM_C, DIM_F}, true, true, true, LF(fc2_w)},
    {"mlp.c_proj.bias", {DIM_C}, true, false, false, LF(fc2_b)},
    {"transformer.ln_f.weight", {DIM_C}, false, false, false, MF(lnf_w)},
    {"transformer.ln_f.bias", {DIM_C}, false, false, false, MF(lnf_b)},
    {"score.weight", {DIM_L, DIM_C}, false, true, false, MF(score_w)}, /* only with num_labels */
};

static bool spec_present(const attn_gpt_config *c, const param_spec *s) { return s->shape[0] != DIM_L || c->num_labels > 0; }

static int64_t dim_value(const attn_gpt_config *c, dim_sym d) {
    switch (d) {
    case DIM_V: return c->vocab_size;
    case DIM_P: return c->n_ctx;
    case DIM_C: return c->n_embd;
    case DIM_3C: return 3 * c->n_embd;
    case DIM_F: return c->n_inner;
    case DIM_L: return c->num_labels;
    case DIM_NONE: break;
    }
    return 1;
}

attn_gpt_config attn_gpt_default_config(void) {
    attn_gpt_config c = {0};
    c.n_layer = 12;
    c.n_head = 12;
    c.n_embd = 768;
    c.n_ctx = 1024;
    c.vocab_size = 50257;
    c.n_inner = 0;
    c.layer_norm_eps = 1e-5f;
    c.dropout = 0.0f;
    c.activation = ATTN_ACT_GELU_TANH;
    c.bos_token_id = c.eos_token_id = c.pad_token_id = -1;
    return c;
}

static attn_status config_check(attn_gpt_config *c) {
    if (c->n_inner == 0) c->n_inner = 4 * c->n_embd;
    if (c->n_layer < 1 || c->n_layer > 1000) return attn_errorf(ATTN_ERR_INVALID_ARG, "n_layer must be in [1, 1000], got %lld", (long long)c->n_layer);
    if (c->n_head < 1 || c->n_embd < 1 || c->n_embd % c->n_head)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "n_embd (%lld) must be a positive multiple of n_head (%lld)",
                           (long long)c->n_embd, (long long)c->n_head);
    if (c->n_embd / c->n_head > 512) return attn_errorf(ATTN_ERR_UNSUPPORTED, "head width above 512");
    if (c->n_embd > (1 << 20) || c->n_inner < 1 || c->n_inner > (1 << 22))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "n_embd or n_inner out of range");
    if (c->n_ctx < 1 || c->n_ctx > (1 << 20)) return attn_errorf(ATTN_ERR_INVALID_ARG, "n_positions must be in [1, 2^20]");
    if (c->vocab_size < 1 || c->vocab_size > (1 << 24)) return attn_errorf(ATTN_ERR_INVALID_ARG, "vocab_size must be in [1, 2^24]");
    if (!(c->layer_norm_eps > 0.0f)) return attn_errorf(ATTN_ERR_INVALID_ARG, "layer_norm_epsilon must be positive");
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f)) return attn_errorf(ATTN_ERR_INVALID_ARG, "dropout must be in [0, 1)");
    if (c->num_labels < 0 || c->num_labels > (1 << 20)) return attn_errorf(ATTN_ERR_INVALID_ARG, "num_labels out of range");
    if (c->pad_token_id < -1 || c->pad_token_id >= c->vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pad_token_id %d is outside the vocabulary", (int)c->pad_token_id);
    return ATTN_OK;
}

static tensor *param_slot(attn_model *m, const param_spec *s, int layer) {
    if (s->per_layer) return (tensor *)((char *)&m->layers[layer] + s->field);
    return (tensor *)((char *)m + s->field);
}

/* Points every named view (m->wte, layers...) at the storage of ptensors,
 * gradient pointers included once they exist. */
void gpt_sync_views(attn_model *m) {
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        *param_slot(m, &GPT_PARAMS[p->spec], p->layer) = m->ptensors[k];
    }
}

/* Sizes, offsets and views for every parameter; one block for all weights. */
static attn_status model_alloc(const attn_gpt_config *cfg, attn_model **out) {
    attn_model *m = attn_calloc(1, sizeof *m);
    if (!m) return ATTN_ERR_OUT_OF_MEMORY;
    m->cfg = *cfg;
    attn_status st = ATTN_OK;
    int64_t L = cfg->n_layer, n_global = 0, n_layer_specs = 0;
    for (size_t i = 0; i < ARRAY_LEN(GPT_PARAMS); i++) {
        if (!spec_present(cfg, &GPT_PARAMS[i])) continue;
        if (GPT_PARAMS[i].per_layer)
            n_layer_specs++;
        else
            n_global++;
    }
    m->n_params_tensors = (int)(n_global + L * n_layer_specs);
    m->params = attn_calloc((size_t)m->n_params_tensors, sizeof *m->params);
    m->ptensors = attn_calloc((size_t)m->n_params_tensors, sizeof *m->ptensors);
    m->layers = attn_calloc((size_t)L, sizeof *m->layers);
    if (!m->params || !m->ptensors || !m->layers) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    int k = 0;
    int64_t offset = 0;
    /* order: globals before the layers (wte, wpe), layers, then ln_f */
    for (int pass = 0; pass < 3; pass++)
        for (int layer = 0; layer < (pass == 1 ? L : 1); layer++)
            for (size_t i = 0; i < ARRAY_LEN(GPT_PARAMS); i++) {
                const param_spec *s = &GPT_PARAMS[i];
                if (!spec_present(cfg, s)) continue;
                bool is_pre = !s->per_layer && i < 2, is_post = !s->per_layer && i >= 2;
                if ((pass == 0 && !is_pre) || (pass == 1 && !s->per_layer) || (pass == 2 && !is_post)) continue;
                param_info *p = &m->params[k];
                if (s->per_layer)
                    snprintf(p->name, sizeof p->name, "transformer.h.%d.%s", layer, s->name);
                else
                    snprintf(p->name, sizeof p->name, "%s", s->name);
                p->ndim = s->shape[1] == DIM_NONE ? 1 : 2;
                p->shape[0] = dim_value(cfg, s->shape[0]);
                p->shape[1] = p->ndim == 2 ? dim_value(cfg, s->shape[1]) : 1;
                p->numel = p->shape[0] * p->shape[1];
                p->offset = offset;
                p->decay = s->decay;
                p->transpose = s->transpose;
                p->spec = (int)i;
                p->layer = s->per_layer ? layer : -1;
                offset += (p->numel + 15) & ~(int64_t)15; /* 64-byte aligned views */
                k++;
            }
    if ((st = model_params_finish(m, offset)) != ATTN_OK) goto fail;
    gpt_sync_views(m);
    graph_init(&m->g, NULL);
    *out = m;
    return ATTN_OK;
fail:
    attn_model_free(m);
    return st;
}

attn_status model_set_labels(attn_model *m, const char *const *names, int64_t n) {
    char **copy = NULL;
    if (n > 0) {
        if (!(copy = attn_calloc((size_t)n, sizeof *copy))) return ATTN_ERR_OUT_OF_MEMORY;
        for (int64_t i = 0; i < n; i++)
            if (!(copy[i] = attn_strdup(names[i]))) {
                json_free_labels(copy, n);
                return ATTN_ERR_OUT_OF_MEMORY;
            }
    }
    json_free_labels(m->label_names, m->n_label_names);
    m->label_names = copy;
    m->n_label_names = n;
    return ATTN_OK;
}

int64_t attn_model_num_labels(const attn_model *m) { return m ? m->n_label_names : 0; }

const char *attn_model_label(const attn_model *m, int64_t i) {
    return m && i >= 0 && i < m->n_label_names ? m->label_names[i] : NULL;
}

attn_gpt_config attn_model_config(const attn_model *m) { return m->cfg; }

int64_t attn_model_num_params(const attn_model *m) {
    int64_t n = 0;
    for (int k = 0; k < m->n_params_tensors; k++) n += m->params[k].numel;
    return n;
}

attn_status attn_model_new(const attn_gpt_config *cfg_in, uint64_t seed, attn_model **out) {
    *out = NULL;
    attn_gpt_config cfg = *cfg_in;
    attn_status st = config_check(&cfg);
    if (st) return st;
    attn_model *m;
    if ((st = model_alloc(&cfg, &m)) != ATTN_OK) return st;
    float resid_std = 0.02f / sqrtf(2.0f * (float)cfg.n_layer);
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        float *w = m->weights + p->offset;
        const char *nm = p->name;
        size_t n = strlen(nm);
        bool is_bias = n > 5 && !strcmp(nm + n - 5, ".bias");
        bool is_ln = strstr(nm, "ln_") != NULL;
        if (is_bias) continue; /* zeros */
        if (is_ln) {
            for (int64_t i = 0; i < p->numel; i++) w[i] = 1.0f;
            continue;
        }
        bool resid = strstr(nm, "c_proj.weight") != NULL;
        float std = resid ? resid_std : 0.02f;
        for (int64_t i = 0; i < p->numel; i++) w[i] = std * rng_normal(seed, (uint64_t)k, (uint64_t)i);
    }
    *out = m;
    return ATTN_OK;
}

/* ---- forward -------------------------------------------------------------- */

/* One block. The residual stream arrives as x + r (r NULL: x alone), an
 * add fused with ln_1; the block returns the stream after its attention
 * half and leaves in *r_out the MLP output still to be added (by the next
 * block's fused ln_1, or by the caller). */
static tensor *block(attn_model *m, graph *g, gpt_layer *ly, tensor *x, tensor *r, kv_cache *cache, int layer,
                     tensor **r_out) {
    *r_out = NULL;
    if (!x) return NULL;
    const attn_gpt_config *c = &m->cfg;
    int64_t C = c->n_embd, B = x->shape[0], T = x->shape[1];
    tensor *h = r ? op_add_layernorm(g, x, r, &ly->ln1_w, &ly->ln1_b, c->layer_norm_eps, &x)
                  : op_layernorm(g, x, &ly->ln1_w, &ly->ln1_b, c->layer_norm_eps);
    tensor *qkv = op_linear(g, h, &ly->qkv_w, &ly->qkv_b);
    tensor *a;
    if (cache) {
        if (!qkv) return NULL;
        /* append this step's keys and values, then attend over the cache */
        float *kv = cache->kv[layer];
        for (int64_t b = 0; b < B; b++)
            for (int64_t t = 0; t < T; t++)
                memcpy(kv + (b * c->n_ctx + cache->len + t) * 2 * C, qkv->data + (b * T + t) * 3 * C + C,
                       (size_t)(2 * C) * sizeof(float));
        a = op_attention_cached(g, qkv, 0, kv, 2 * C, c->n_ctx * 2 * C, cache->len + T, 0, C, C, c->n_head,
                                true, NULL);
    } else {
        a = op_attention(g, qkv, 0, qkv, C, 2 * C, C, c->n_head, true, NULL);
    }
    a = op_linear(g, a, &ly->proj_w, &ly->proj_b);
    a = op_dropout(g, a, c->dropout);
    h = op_add_layernorm(g, x, a, &ly->ln2_w, &ly->ln2_b, c->layer_norm_eps, &x);
    h = op_linear_act(g, h, &ly->fc_w, &ly->fc_b, c->activation == ATTN_ACT_RELU ? KACT_RELU : KACT_GELU);
    h = op_linear(g, h, &ly->fc2_w, &ly->fc2_b);
    *r_out = op_dropout(g, h, c->dropout);
    return x;
}

static tensor *trunk(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache) {
    const attn_gpt_config *c = &m->cfg;
    int64_t pos0 = cache ? cache->len : 0;
    if (T < 1 || pos0 + T > c->n_ctx) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "sequence of %lld tokens does not fit the context of %lld positions",
                                (long long)(pos0 + T), (long long)c->n_ctx);
        return NULL;
    }
    int32_t *pos = graph_ints(g, B * T);
    if (!pos) return NULL;
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++) pos[b * T + t] = (int32_t)(pos0 + t);
    tensor *x = op_add(g, op_embedding(g, &m->wte, ids, B, T), op_embedding(g, &m->wpe, pos, B, T));
    x = op_dropout(g, x, c->dropout);
    tensor *r = NULL;
    for (int64_t l = 0; l < c->n_layer; l++) x = block(m, g, &m->layers[l], x, r, cache, (int)l, &r);
    return r ? op_add(g, x, r) : x;
}

/* model_forward again, recorded, for the diagnostic pass of
 * model_check_output (the cache's length is put back after it). */
typedef struct forward_args {
    const int32_t *ids;
    int64_t B, T;
    kv_cache *cache;
    bool last_only;
} forward_args;
static tensor *rerun_forward(attn_model *m, graph *g, void *ctx) {
    const forward_args *a = ctx;
    int64_t len = a->cache ? a->cache->len : 0;
    tensor *out = model_forward(m, g, a->ids, a->B, a->T, a->cache, a->last_only);
    if (a->cache) a->cache->len = len;
    return out;
}

tensor *gpt_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only) {
    tensor *x = trunk(m, g, ids, B, T, cache);
    if (!x) return NULL;
    if (last_only && T > 1) {
        int64_t C = m->cfg.n_embd;
        tensor *xl = graph_tensor(g, 3, (int64_t[]){B, 1, C});
        if (!xl) return NULL;
        for (int64_t b = 0; b < B; b++)
            memcpy(xl->data + b * C, x->data + (b * T + T - 1) * C, (size_t)C * sizeof(float));
        x = xl;
    }
    x = op_layernorm(g, x, &m->lnf_w, &m->lnf_b, m->cfg.layer_norm_eps);
    tensor *logits = op_linear(g, x, &m->wte, NULL);
    /* the cheap check of every inference forward (logits, scoring, each
     * decoding step); a recorded forward (training, the diagnostic pass
     * itself) is not checked here */
    if (logits && !g->record && !model_all_finite(logits->data, logits->numel)) {
        forward_args a = {ids, B, T, cache, last_only};
        attn_status st = model_nonfinite_error(m, "logits", rerun_forward, &a);
        if (!g->status) g->status = st;
        return NULL;
    }
    if (logits && cache) cache->len += T;
    return logits;
}

tensor *model_loss(attn_model *m, graph *g, const int32_t *inputs, const int32_t *targets, int64_t B, int64_t T) {
    model_batch b = {.B = B, .T = T, .inputs = inputs, .targets = targets};
    return model_batch_loss(m, g, &b);
}

/* GPT2ForSequenceClassification: score(ln_f(x)) at each row's last real
 * token (the mask's, else the last token not equal to pad_token_id, else
 * the row's last), as transformers picks it. */
tensor *gpt_classify(attn_model *m, graph *g, const model_batch *b) {
    if (m->cfg.num_labels < 1) {
        if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "this GPT has no classifier (score) head");
        return NULL;
    }
    int32_t *last = graph_ints(g, b->B);
    if (!last) return NULL;
    for (int64_t r = 0; r < b->B; r++) {
        last[r] = (int32_t)(b->T - 1);
        if (!b->mask && m->cfg.pad_token_id < 0) continue;
        for (int64_t t = b->T - 1; t >= 0; t--) {
            bool real = b->mask ? b->mask[r * b->T + t] != 0 : b->inputs[r * b->T + t] != m->cfg.pad_token_id;
            last[r] = (int32_t)t;
            if (real) break;
        }
    }
    tensor *x = trunk(m, g, b->inputs, b->B, b->T, NULL);
    x = op_layernorm(g, op_select_rows(g, x, last), &m->lnf_w, &m->lnf_b, m->cfg.layer_norm_eps);
    return op_linear(g, x, &m->score_w, NULL);
}


static tensor *rerun_classify(attn_model *m, graph *g, void *ctx) { return model_classify(m, g, ctx); }

attn_status attn_model_classify(attn_model *m, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask, int64_t B,
                                int64_t T, float *out) {
    if (!m || !ids || !out || B < 1 || T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "classify: empty batch");
    if (attn_model_num_labels(m) < 1) return attn_errorf(ATTN_ERR_UNSUPPORTED, "this model has no classifier");
    for (int64_t i = 0; i < B * T; i++)
        if (ids[i] < 0 || ids[i] >= m->cfg.vocab_size)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "token id %d at position %lld is outside the vocabulary [0, %lld)",
                               (int)ids[i], (long long)i, (long long)m->cfg.vocab_size);
    graph_reset(&m->g, false, false, 0);
    model_batch b = {.B = B, .T = T, .inputs = ids, .type_ids = type_ids, .mask = mask};
    tensor *lg = model_classify(m, &m->g, &b);
    if (!lg) return m->g.status ? m->g.status : ATTN_ERR_INVALID_ARG;
    attn_status st = model_check_output(m, lg->data, lg->numel, "classifier logits", rerun_classify, &b);
    if (st) return st;
    memcpy(out, lg->data, (size_t)lg->numel * sizeof(float));
    return ATTN_OK;
}

tensor *gpt_batch_loss(attn_model *m, graph *g, const model_batch *b) {
    if (!b->targets) return op_cross_entropy(g, gpt_classify(m, g, b), b->labels, -1);
    tensor *x = trunk(m, g, b->inputs, b->B, b->T, NULL);
    x = op_layernorm(g, x, &m->lnf_w, &m->lnf_b, m->cfg.layer_norm_eps);
    tensor *logits = op_linear(g, x, &m->wte, NULL);
    return op_cross_entropy(g, logits, b->targets, -1);
}

attn_status attn_model_logits(attn_model *m, const int32_t *ids, int64_t B, int64_t T, float *logits) {
    if (B < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "batch size must be positive");
    graph_reset(&m->g, false, false, 0);
    tensor *out = model_forward(m, &m->g, ids, B, T, NULL, false);
    if (!out) return m->g.status ? m->g.status : ATTN_ERR_INVALID_ARG;
    memcpy(logits, out->data, (size_t)out->numel * sizeof(float));
    return ATTN_OK;
}

attn_status attn_model_score(attn_model *m, const int32_t *ids, int64_t n, double *nll_sum, int64_t *n_predicted) {
    *nll_sum = 0;
    *n_predicted = 0;
    int64_t ctx = m->cfg.n_ctx, V = m->cfg.vocab_size;
    for (int64_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= V)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "token id %d at position %lld is outside the vocabulary [0, %lld)",
                               (int)ids[i], (long long)i, (long long)V);
    for (int64_t start = 0; start < n; start += ctx) {
        int64_t len = n - start < ctx ? n - start : ctx;
        if (len < 2) break;
        graph_reset(&m->g, false, false, 0);
        tensor *logits = model_forward(m, &m->g, ids + start, 1, len, NULL, false);
        if (!logits) return m->g.status;
        for (int64_t t = 0; t + 1 < len; t++) {
            const float *row = logits->data + t * V;
            double mx = -INFINITY, s = 0;
            for (int64_t j = 0; j < V; j++) mx = fmax(mx, (double)row[j]);
            for (int64_t j = 0; j < V; j++) s += exp((double)row[j] - mx);
            *nll_sum += mx + log(s) - (double)row[ids[start + t + 1]];
            (*n_predicted)++;
        }
    }
    if (!isfinite(*nll_sum))
        return attn_errorf(ATTN_ERR_FORMAT, "the negative log-likelihood overflows (logits too large); the weights "
                           "may be corrupt");
    return ATTN_OK;
}

/* ---- KV cache ------------------------------------------------------------- */

attn_status kv_cache_new(const attn_model *m, int64_t B, kv_cache **out) {
    kv_cache *c = attn_calloc(1, sizeof *c);
    if (!c) return ATTN_ERR_OUT_OF_MEMORY;
    c->B = B;
    c->kv = attn_calloc((size_t)m->cfg.n_layer, sizeof *c->kv);
    if (!c->kv) {
        attn_free(c);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    size_t n;
    if (!size_mul((size_t)(B * m->cfg.n_ctx), (size_t)(2 * m->cfg.n_embd) * sizeof(float), &n)) {
        kv_cache_free(m, c);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "KV cache size overflows");
    }
    for (int64_t l = 0; l < m->cfg.n_layer; l++)
        if (!(c->kv[l] = attn_malloc_aligned(n))) {
            kv_cache_free(m, c);
            return ATTN_ERR_OUT_OF_MEMORY;
        }
    *out = c;
    return ATTN_OK;
}

void kv_cache_free(const attn_model *m, kv_cache *c) {
    if (!c) return;
    if (c->kv)
        for (int64_t l = 0; l < m->cfg.n_layer; l++) attn_free_aligned(c->kv[l]);
    attn_free(c->kv);
    attn_free(c);
}
