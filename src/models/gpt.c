/* gpt.c — the decoder-only family (GPT-2 architecture).
 *
 * x = wte[ids] + wpe[pos]; per block: x += proj(attn(ln1(x))),
 * x += fc2(act(fc(ln2(x)))); logits = ln_f(x) @ wte^T. Pre-LN, learned
 * positions, biases everywhere, tied input/output embeddings, as GPT-2 and
 * transformers' GPT2LMHeadModel. The parameter table below is the single
 * source of sizes, offsets, checkpoint names, weight decay and layouts.
 *
 * The variants of attn_gpt_config (the modern recipe's changes, model_type
 * "attn_gpt2") change this in place: rotary positions on q and k instead
 * of wpe (the rope op of the Llama family), a weightless RMSNorm over each
 * head's q and k before the rotation (QK-norm), ReLU squared in the MLP,
 * a separate lm_head; zero_init_proj (still a GPT-2) starts the output
 * projections at zero. */
#include "models/model_impl.h"
#include "nn/nn.h"
#include "io/json.h"
#include "io/safetensors.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- parameter table ------------------------------------------------------ */

enum { D_V = 1, D_P, D_C, D_3C, D_F, D_L };  /* dimension symbols */
enum { PART_SCORE = 1, PART_WPE = 2, PART_LM_HEAD = 4 }; /* the classifier, learned positions, an untied head */

#define MF(f) offsetof(attn_model, f)
#define LF(f) offsetof(gpt_layer, f)

static const param_row GPT_ROWS[] = {
    {"transformer.wte.weight", ROLE_TOKEN_EMBD, {D_V, D_C}, 0, 0, 0, MF(wte)},
    {"transformer.wpe.weight", ROLE_POS_EMBD, {D_P, D_C}, 0, PART_WPE, 0, MF(wpe)},
    {"ln_1.weight", ROLE_ATTN_NORM, {D_C}, 1, 0, 0, LF(ln1_w)},
    {"ln_1.bias", ROLE_ATTN_NORM, {D_C}, 1, 0, PF_BIAS, LF(ln1_b)},
    {"attn.c_attn.weight", ROLE_ATTN_QKV, {D_3C, D_C}, 1, 0, PF_DECAY | PF_TRANSPOSE, LF(qkv_w)},
    {"attn.c_attn.bias", ROLE_ATTN_QKV, {D_3C}, 1, 0, PF_BIAS, LF(qkv_b)},
    {"attn.c_proj.weight", ROLE_ATTN_OUT, {D_C, D_C}, 1, 0, PF_DECAY | PF_TRANSPOSE, LF(proj_w)},
    {"attn.c_proj.bias", ROLE_ATTN_OUT, {D_C}, 1, 0, PF_BIAS, LF(proj_b)},
    {"ln_2.weight", ROLE_FFN_NORM, {D_C}, 1, 0, 0, LF(ln2_w)},
    {"ln_2.bias", ROLE_FFN_NORM, {D_C}, 1, 0, PF_BIAS, LF(ln2_b)},
    {"mlp.c_fc.weight", ROLE_FFN_UP, {D_F, D_C}, 1, 0, PF_DECAY | PF_TRANSPOSE, LF(fc_w)},
    {"mlp.c_fc.bias", ROLE_FFN_UP, {D_F}, 1, 0, PF_BIAS, LF(fc_b)},
    {"mlp.c_proj.weight", ROLE_FFN_DOWN, {D_C, D_F}, 1, 0, PF_DECAY | PF_TRANSPOSE, LF(fc2_w)},
    {"mlp.c_proj.bias", ROLE_FFN_DOWN, {D_C}, 1, 0, PF_BIAS, LF(fc2_b)},
    {"transformer.ln_f.weight", ROLE_OUTPUT_NORM, {D_C}, 0, 0, 0, MF(lnf_w)},
    {"transformer.ln_f.bias", ROLE_OUTPUT_NORM, {D_C}, 0, 0, PF_BIAS, MF(lnf_b)},
    {"score.weight", ROLE_CLASSIFIER, {D_L, D_C}, 0, PART_SCORE, PF_DECAY, MF(score_w)},
    {"lm_head.weight", ROLE_OUTPUT, {D_V, D_C}, 0, PART_LM_HEAD, PF_DECAY, MF(lm_head)},
};

/* Ignored in a checkpoint: the tied output projection (a row where the
 * head is untied) and the causal-mask buffers older transformers versions
 * saved. */
static const char *const GPT_IGNORE[] = {"lm_head.weight", ".attn.bias", ".attn.masked_bias", NULL};

static const param_table GPT_TABLE = {
    GPT_ROWS, (int)ARRAY_LEN(GPT_ROWS), {NULL, "transformer.h.", NULL}, "transformer.", GPT_IGNORE, NULL, NULL,
};

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
    if (c->activation != ATTN_ACT_GELU_TANH && c->activation != ATTN_ACT_RELU && c->activation != ATTN_ACT_RELU2)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "unknown activation %d", (int)c->activation);
    if (c->rotary && (c->n_embd / c->n_head) % 2)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "rotary positions need an even head width, got %lld",
                           (long long)(c->n_embd / c->n_head));
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f)) return attn_errorf(ATTN_ERR_INVALID_ARG, "dropout must be in [0, 1)");
    if (c->num_labels < 0 || c->num_labels > (1 << 20)) return attn_errorf(ATTN_ERR_INVALID_ARG, "num_labels out of range");
    if (c->pad_token_id < -1 || c->pad_token_id >= c->vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pad_token_id %d is outside the vocabulary", (int)c->pad_token_id);
    return ATTN_OK;
}

/* Points every named view (m->wte, layers...) at the storage of ptensors,
 * gradient pointers included once they exist. */
void gpt_sync_views(attn_model *m) {
    params_sync(m, (void *const[3]){m, m->layers, NULL}, (const size_t[3]){0, sizeof(gpt_layer), 0});
}

static param_layout gpt_layout(const attn_gpt_config *cfg) {
    int parts = (cfg->num_labels > 0 ? PART_SCORE : 0) | (cfg->rotary ? 0 : PART_WPE) | (cfg->untied_head ? PART_LM_HEAD : 0);
    param_layout lay = {.layers = {1, cfg->n_layer, 0}, .parts = parts, .prefix = ""};
    lay.dims[D_V] = cfg->vocab_size;
    lay.dims[D_P] = cfg->n_ctx;
    lay.dims[D_C] = cfg->n_embd;
    lay.dims[D_3C] = 3 * cfg->n_embd;
    lay.dims[D_F] = cfg->n_inner;
    lay.dims[D_L] = cfg->num_labels;
    return lay;
}

attn_status attn_gpt_count_params(const attn_gpt_config *cfg_in, int64_t *total, int64_t *embedding) {
    attn_gpt_config cfg = *cfg_in;
    attn_status st = config_check(&cfg);
    if (st) return st;
    param_layout lay = gpt_layout(&cfg);
    params_count(&GPT_TABLE, &lay, total, embedding);
    return ATTN_OK;
}

/* Sizes, offsets and views for every parameter; one block for all weights. */
static attn_status model_alloc(const attn_gpt_config *cfg, attn_model **out) {
    attn_model *m = attn_calloc(1, sizeof *m);
    if (!m) return ATTN_ERR_OUT_OF_MEMORY;
    m->cfg = *cfg;
    m->arch = registry_find(gpt_is_variant(cfg) ? "attn_gpt2" : "gpt2");
    attn_status st = ATTN_OK;
    if (!(m->layers = attn_calloc((size_t)cfg->n_layer, sizeof *m->layers))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    param_layout lay = gpt_layout(cfg);
    if ((st = params_build(m, &GPT_TABLE, &lay)) != ATTN_OK) goto fail;
    gpt_sync_views(m);
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

attn_status gpt_alloc(const attn_gpt_config *cfg_in, attn_model **out) {
    *out = NULL;
    attn_gpt_config cfg = *cfg_in;
    attn_status st = config_check(&cfg);
    return st ? st : model_alloc(&cfg, out);
}

bool gpt_is_variant(const attn_gpt_config *c) { return c->rotary || c->qk_norm || c->untied_head || c->activation == ATTN_ACT_RELU2; }

attn_status attn_model_new(const attn_gpt_config *cfg, uint64_t seed, attn_model **out) {
    attn_status st = gpt_alloc(cfg, out);
    if (st) return st;
    attn_model *m = *out;
    params_init(m, seed, 0.02f, m->cfg.n_layer);
    if (m->cfg.zero_init_proj)
        for (int64_t l = 0; l < m->cfg.n_layer; l++) {
            memset(m->layers[l].proj_w.data, 0, (size_t)m->layers[l].proj_w.numel * sizeof(float));
            memset(m->layers[l].fc2_w.data, 0, (size_t)m->layers[l].fc2_w.numel * sizeof(float));
        }
    return ATTN_OK;
}

/* ---- forward -------------------------------------------------------------- */

enum { GPT_ROPE_THETA = 10000 }; /* the rotary base of --rotary (config.json "rope_theta") */

/* One pre-norm block over layer ly's weights (nn_pre_norm_block); pos: the
 * rows' positions for rotary q and k, NULL with learned positions. */
static tensor *block(attn_model *m, graph *g, gpt_layer *ly, tensor *x, tensor *r, const int32_t *pos, kv_cache *cache,
                     int layer, tensor **r_out) {
    const attn_gpt_config *c = &m->cfg;
    float eps = c->layer_norm_eps;
    nn_norm n1 = {.w = &ly->ln1_w, .b = &ly->ln1_b, .eps = eps}, n2 = {.w = &ly->ln2_w, .b = &ly->ln2_b, .eps = eps};
    nn_attn a = {.qkv_w = &ly->qkv_w, .qkv_b = &ly->qkv_b, .o_w = &ly->proj_w, .o_b = &ly->proj_b, .n_head = c->n_head,
                 .pos = pos, .rope_theta = (float)GPT_ROPE_THETA, .qk_norm = c->qk_norm, .qk_norm_eps = eps};
    nn_mlp f = {.up_w = &ly->fc_w, .up_b = &ly->fc_b, .down_w = &ly->fc2_w, .down_b = &ly->fc2_b,
                .act = c->activation == ATTN_ACT_RELU ? KACT_RELU : c->activation == ATTN_ACT_RELU2 ? KACT_RELU2 : KACT_GELU};
    nn_kv kv = cache ? kv_layer(cache, layer) : (nn_kv){0};
    return nn_pre_norm_block(g, x, r, &n1, &a, &n2, &f, c->dropout, cache ? &kv : NULL, r_out);
}

static tensor *trunk(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache) {
    const attn_gpt_config *c = &m->cfg;
    /* rotary angles exist at any position: without a cache n_ctx is no bound (as llama.c) */
    int32_t *pos = kv_positions(g, cache, B, T, 0, c->rotary && !cache ? INT32_MAX : c->n_ctx);
    if (!pos) return NULL;
    tensor *x = op_embedding(g, &m->wte, ids, B, T);
    if (!c->rotary) x = op_add(g, x, op_embedding(g, &m->wpe, pos, B, T));
    x = op_dropout(g, x, c->dropout);
    tensor *r = NULL;
    for (int64_t l = 0; l < c->n_layer; l++)
        x = block(m, g, &m->layers[l], x, r, c->rotary ? pos : NULL, cache, (int)l, &r);
    return r ? op_add(g, x, r) : x;
}

/* The output projection: wte (tied) or lm_head. */
static tensor *head_of(attn_model *m) { return m->cfg.untied_head ? &m->lm_head : &m->wte; }

tensor *gpt_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only) {
    tensor *x = trunk(m, g, ids, B, T, cache);
    x = kv_last_rows(g, x, cache, B, T, last_only);
    x = op_layernorm(g, x, &m->lnf_w, &m->lnf_b, m->cfg.layer_norm_eps);
    return op_linear(g, x, head_of(m), NULL);
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
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, false, false, 0);
    model_batch b = {.B = B, .T = T, .inputs = ids, .type_ids = type_ids, .mask = mask};
    tensor *lg = model_classify(m, &g, &b);
    attn_status st = lg ? model_check_output(m, lg->data, lg->numel, "classifier logits", rerun_classify, &b)
                        : g.status ? g.status : ATTN_ERR_INVALID_ARG;
    if (!st) memcpy(out, lg->data, (size_t)lg->numel * sizeof(float));
    graph_free(&g);
    return st;
}

tensor *gpt_batch_loss(attn_model *m, graph *g, const model_batch *b) {
    if (!b->targets) return op_cross_entropy(g, gpt_classify(m, g, b), b->labels, -1);
    tensor *x = trunk(m, g, b->inputs, b->B, b->T, NULL);
    x = op_layernorm(g, x, &m->lnf_w, &m->lnf_b, m->cfg.layer_norm_eps);
    tensor *logits = op_linear(g, x, head_of(m), NULL);
    return op_cross_entropy(g, logits, b->targets, -1);
}

attn_status attn_model_logits(attn_model *m, const int32_t *ids, int64_t B, int64_t T, float *logits) {
    if (B < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "batch size must be positive");
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, false, false, 0);
    tensor *out = model_forward(m, &g, ids, B, T, NULL, false);
    attn_status st = out ? ATTN_OK : g.status ? g.status : ATTN_ERR_INVALID_ARG;
    if (out) memcpy(logits, out->data, (size_t)out->numel * sizeof(float));
    graph_free(&g);
    return st;
}

attn_status attn_model_score(attn_model *m, const int32_t *ids, int64_t n, double *nll_sum, int64_t *n_predicted) {
    *nll_sum = 0;
    *n_predicted = 0;
    if (n < 2) return ATTN_OK; /* nothing to predict */
    return attn_model_score_windows(m, ids, n, 0, 0, 1, n, nll_sum, n_predicted);
}

/* ---- KV cache ------------------------------------------------------------- */

enum { KV_FIRST_CAP = 64 }; /* positions a new cache holds before it first grows */

attn_status kv_cache_new(const attn_model *m, int64_t B, int64_t max_len, kv_cache **out) {
    *out = NULL;
    if (max_len <= 0 || max_len > m->cfg.n_ctx) max_len = m->cfg.n_ctx;
    kv_cache *c = attn_calloc(1, sizeof *c);
    if (!c) return ATTN_ERR_OUT_OF_MEMORY;
    c->B = B;
    c->max_len = max_len;
    c->width = m->kv_width ? m->kv_width : 2 * m->cfg.n_embd;
    c->kv = attn_calloc((size_t)m->cfg.n_layer, sizeof *c->kv);
    if (!c->kv) {
        attn_free(c);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    size_t n;
    if (!size_mul((size_t)(B * max_len), (size_t)c->width * sizeof(float), &n)) {
        kv_cache_free(m, c);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "KV cache size overflows");
    }
    (void)n; /* the whole context's size is checked; the buffers start smaller */
    c->cap = max_len < KV_FIRST_CAP ? max_len : KV_FIRST_CAP;
    c->row = c->cap * c->width;
    for (int64_t l = 0; l < m->cfg.n_layer; l++)
        if (!(c->kv[l] = attn_malloc_aligned((size_t)(B * c->row) * sizeof(float)))) {
            kv_cache_free(m, c);
            return ATTN_ERR_OUT_OF_MEMORY;
        }
    *out = c;
    return ATTN_OK;
}

attn_status kv_cache_reserve(const attn_model *m, kv_cache *c, int64_t need) {
    if (need <= c->cap) return ATTN_OK;
    if (need > c->max_len)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%lld positions do not fit the cache's %lld", (long long)need,
                           (long long)c->max_len);
    int64_t cap = c->cap * 2 > need ? c->cap * 2 : need, L = m->cfg.n_layer;
    if (cap > c->max_len) cap = c->max_len;
    int64_t row = cap * c->width;
    float **kv = attn_calloc((size_t)L, sizeof *kv); /* all new buffers first: a failure leaves the cache as it was */
    bool ok = kv != NULL;
    for (int64_t l = 0; ok && l < L; l++) ok = (kv[l] = attn_malloc_aligned((size_t)(c->B * row) * sizeof(float))) != NULL;
    for (int64_t l = 0; l < L; l++) {
        if (ok)
            for (int64_t b = 0; b < c->B; b++) memcpy(kv[l] + b * row, c->kv[l] + b * c->row, (size_t)c->row * sizeof(float));
        attn_free_aligned(ok ? c->kv[l] : kv ? kv[l] : NULL);
        if (ok) c->kv[l] = kv[l];
    }
    attn_free(kv);
    if (!ok) return ATTN_ERR_OUT_OF_MEMORY;
    c->cap = cap;
    c->row = row;
    return ATTN_OK;
}

attn_status kv_cache_reorder(const attn_model *m, kv_cache *c, const int32_t *from, const int64_t *lens) {
    size_t per = (size_t)c->width * sizeof(float), total = 0;
    for (int64_t i = 0; i < c->B; i++) total += (size_t)(lens ? lens[from[i]] : c->len) * per;
    if (!total) return ATTN_OK;
    char *tmp = attn_malloc_aligned(total);
    if (!tmp) return ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t l = 0; l < m->cfg.n_layer; l++) {
        size_t at = 0;
        for (int64_t i = 0; i < c->B; i++) {
            size_t used = (size_t)(lens ? lens[from[i]] : c->len) * per;
            memcpy(tmp + at, c->kv[l] + from[i] * c->row, used);
            at += used;
        }
        at = 0;
        for (int64_t i = 0; i < c->B; i++) {
            size_t used = (size_t)(lens ? lens[from[i]] : c->len) * per;
            memcpy(c->kv[l] + i * c->row, tmp + at, used);
            at += used;
        }
    }
    attn_free_aligned(tmp);
    return ATTN_OK;
}

void kv_cache_copy(const attn_model *m, kv_cache *c, int64_t dst, int64_t src, int64_t n) {
    if (dst == src || n <= 0) return;
    for (int64_t l = 0; l < m->cfg.n_layer; l++)
        memcpy(c->kv[l] + dst * c->row, c->kv[l] + src * c->row, (size_t)(n * c->width) * sizeof(float));
}

int32_t *kv_positions(graph *g, const kv_cache *c, int64_t B, int64_t T, int64_t offset, int64_t limit) {
    if (!c || !c->runs) return nn_positions(g, B, T, (c ? c->len : 0) + offset, limit);
    if (g->status) return NULL;
    int32_t *pos = graph_ints(g, B * T);
    if (!pos) return NULL;
    for (int64_t i = 0; i < B * T; i++) {
        if (c->pos[i] + offset + 1 > limit) {
            g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "a sequence of %lld tokens does not fit the model's %lld positions",
                                    (long long)(c->pos[i] + offset + 1), (long long)limit);
            return NULL;
        }
        pos[i] = (int32_t)(c->pos[i] + offset);
    }
    return pos;
}

tensor *kv_last_rows(graph *g, tensor *x, const kv_cache *c, int64_t B, int64_t T, bool last_only) {
    if (!x || !last_only) return x;
    if (c && c->runs) {
        int64_t C = x->shape[x->ndim - 1];
        tensor *xl = graph_tensor(g, 3, (int64_t[]){c->n_runs, 1, C});
        if (!xl) return NULL;
        for (int64_t r = 0; r < c->n_runs; r++)
            memcpy(xl->data + r * C, x->data + (c->runs[r].row + c->runs[r].count - 1) * C, (size_t)C * sizeof(float));
        return xl;
    }
    if (T == 1) return x;
    int32_t *last = graph_ints(g, B);
    if (!last) return NULL;
    for (int64_t b = 0; b < B; b++) last[b] = (int32_t)(T - 1);
    return op_select_rows(g, x, last);
}

void kv_cache_free(const attn_model *m, kv_cache *c) {
    if (!c) return;
    if (c->kv)
        for (int64_t l = 0; l < m->cfg.n_layer; l++) attn_free_aligned(c->kv[l]);
    attn_free(c->kv);
    attn_free(c);
}
