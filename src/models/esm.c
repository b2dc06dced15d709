/* esm.c — ESM-2 (Lin et al. 2023) as transformers' EsmForMaskedLM: a
 * protein masked LM.
 *
 * x = tokdrop(word[ids]); per block, pre-LN:
 *   x = x + dense(attention(LN_a(x))), x = x + fc2(gelu(fc1(LN_f(x))));
 * then x = emb_layer_norm_after(x). Attention is bidirectional with a key
 * padding mask and rotary positions on q and k (rotate-half per head,
 * base rope_theta, positions 0..T-1); transformers scales q by 1/sqrt(D)
 * before rotating it, which is the same product as scaling the scores
 * after (rotation is linear). GELU is the exact (erf) one everywhere, as
 * ESM's own gelu. The masked-LM head (lm_head): LN(gelu(dense(x))) @
 * word^T + bias, the decoder tied to the word embeddings.
 *
 * token_dropout (ESM's rule, EsmEmbeddings; applied in training and at
 * inference alike, as transformers does): the embeddings of <mask> tokens
 * are zeroed and each sequence's embeddings are scaled by
 * (1 - 0.15 * 0.8) / (1 - masked / length), length the row's real tokens
 * (all T without a padding mask). Padding rows of the embeddings are then
 * zeroed (embeddings * attention_mask). A row that is all <mask> is left
 * unscaled (transformers divides by zero there).
 *
 * Parameters have transformers' names under "esm." (a checkpoint without
 * the prefix, EsmModel's, reads too); the contact head
 * (esm.contact_head.regression, a logistic regression over every layer's
 * and head's attention map) is carried as a buffer so a directory round
 * trips, not used here. The rotary inv_freq buffer (per layer in older
 * checkpoints, shared in newer ones) is recomputed from rope_theta and
 * not saved (transformers recomputes it). Only ESM-2's layout is read:
 * position_embedding_type "rotary", emb_layer_norm_before false. */
#include "attn/encoder.h"
#include "io/json.h"
#include "io/safetensors.h"
#include "models/model_impl.h"
#include "nn/nn.h"

#include <math.h>
#include <string.h>

typedef struct esm_config {
    attn_gpt_config g;        /* sizes, pad_token_id, layer_norm_eps, dropout (attn_model.cfg) */
    int32_t mask_token_id;    /* -1: none */
    bool token_dropout;
    float rope_theta;
    bool lm_head;             /* EsmForMaskedLM's head present */
} esm_config;

typedef struct esm_layer {
    tensor q_w, k_w, v_w, q_b, k_b, v_b, qkv_w, qkv_b;
    tensor o_w, o_b, ln1_w, ln1_b, fc_w, fc_b, fc2_w, fc2_b, ln2_w, ln2_b;
} esm_layer;

typedef struct esm_model {
    esm_config c;
    tensor wte, lnf_w, lnf_b, contact_w, contact_b;
    tensor mlm_w, mlm_b, mlm_ln_w, mlm_ln_b, mlm_bias;
    esm_layer layers[];
} esm_model;

#define T esm_config
const json_field ESM_CONFIG_KEYS[] = {
    JSON_KEY_INT(T, "num_hidden_layers", g.n_layer, true, 1, CFG_MAX_LAYERS),
    JSON_KEY_INT(T, "num_attention_heads", g.n_head, true, 1, CFG_MAX_HEADS),
    JSON_KEY_INT(T, "hidden_size", g.n_embd, true, 1, CFG_MAX_WIDTH),
    JSON_KEY_INT(T, "intermediate_size", g.n_inner, true, 1, CFG_MAX_INNER),
    JSON_KEY_INT(T, "max_position_embeddings", g.n_ctx, false, 1, CFG_MAX_POSITIONS),
    JSON_KEY_INT(T, "vocab_size", g.vocab_size, true, 1, CFG_MAX_VOCAB),
    JSON_KEY_TOKEN(T, "pad_token_id", g.pad_token_id, INT32_MAX, JSON_BELOW(T, g.vocab_size)),
    JSON_KEY_TOKEN(T, "mask_token_id", mask_token_id, INT32_MAX, JSON_BELOW(T, g.vocab_size)),
    JSON_KEY_BOOL(T, "token_dropout", token_dropout),
    JSON_KEY_FLOAT(T, "layer_norm_eps", g.layer_norm_eps, 0.0, true, CFG_MAX_EPS),
    JSON_KEY_FLOAT(T, "hidden_dropout_prob", g.dropout, 0.0, false, CFG_MAX_DROPOUT),
    JSON_KEY_FLOAT(T, "rope_theta", rope_theta, 0.0, true, 1e12),
    JSON_KEYS_END,
};
#undef T

enum { D_V = 1, D_C, D_F, D_1, D_LH };                 /* dimension symbols */
enum { PART_MLM = 1 };
#define EF(f) offsetof(esm_model, f)
#define EL(f) offsetof(esm_layer, f)
#define P PF_PREFIX
static const param_row ESM_ROWS[] = {
    {"embeddings.word_embeddings.weight", ROLE_TOKEN_EMBD, {D_V, D_C}, 0, 0, P, EF(wte)},
    {"attention.self.query.weight", ROLE_ATTN_Q, {D_C, D_C}, 1, 0, P | PF_DECAY | PF_PACK, EL(q_w)},
    {"attention.self.key.weight", ROLE_ATTN_K, {D_C, D_C}, 1, 0, P | PF_DECAY | PF_PACK, EL(k_w)},
    {"attention.self.value.weight", ROLE_ATTN_V, {D_C, D_C}, 1, 0, P | PF_DECAY, EL(v_w)},
    {"attention.self.query.bias", ROLE_ATTN_Q, {D_C}, 1, 0, P | PF_BIAS | PF_PACK, EL(q_b)},
    {"attention.self.key.bias", ROLE_ATTN_K, {D_C}, 1, 0, P | PF_BIAS | PF_PACK, EL(k_b)},
    {"attention.self.value.bias", ROLE_ATTN_V, {D_C}, 1, 0, P | PF_BIAS, EL(v_b)},
    {"attention.output.dense.weight", ROLE_ATTN_OUT, {D_C, D_C}, 1, 0, P | PF_DECAY, EL(o_w)},
    {"attention.output.dense.bias", ROLE_ATTN_OUT, {D_C}, 1, 0, P | PF_BIAS, EL(o_b)},
    {"attention.LayerNorm.weight", ROLE_ATTN_NORM, {D_C}, 1, 0, P, EL(ln1_w)},
    {"attention.LayerNorm.bias", ROLE_ATTN_NORM, {D_C}, 1, 0, P | PF_BIAS, EL(ln1_b)},
    {"intermediate.dense.weight", ROLE_FFN_UP, {D_F, D_C}, 1, 0, P | PF_DECAY, EL(fc_w)},
    {"intermediate.dense.bias", ROLE_FFN_UP, {D_F}, 1, 0, P | PF_BIAS, EL(fc_b)},
    {"output.dense.weight", ROLE_FFN_DOWN, {D_C, D_F}, 1, 0, P | PF_DECAY, EL(fc2_w)},
    {"output.dense.bias", ROLE_FFN_DOWN, {D_C}, 1, 0, P | PF_BIAS, EL(fc2_b)},
    {"LayerNorm.weight", ROLE_FFN_NORM, {D_C}, 1, 0, P, EL(ln2_w)},
    {"LayerNorm.bias", ROLE_FFN_NORM, {D_C}, 1, 0, P | PF_BIAS, EL(ln2_b)},
    {"encoder.emb_layer_norm_after.weight", ROLE_OUTPUT_NORM, {D_C}, 0, 0, P, EF(lnf_w)},
    {"encoder.emb_layer_norm_after.bias", ROLE_OUTPUT_NORM, {D_C}, 0, 0, P | PF_BIAS, EF(lnf_b)},
    /* carried, not used: the contact head's logistic regression over the L x H attention maps */
    {"contact_head.regression.weight", ROLE_OTHER, {D_1, D_LH}, 0, 0, P | PF_BUFFER | PF_OPTIONAL, EF(contact_w)},
    {"contact_head.regression.bias", ROLE_OTHER, {D_1}, 0, 0, P | PF_BUFFER | PF_OPTIONAL | PF_BIAS, EF(contact_b)},
    {"lm_head.dense.weight", ROLE_HEAD_DENSE, {D_C, D_C}, 0, PART_MLM, PF_DECAY, EF(mlm_w)},
    {"lm_head.dense.bias", ROLE_HEAD_DENSE, {D_C}, 0, PART_MLM, PF_BIAS, EF(mlm_b)},
    {"lm_head.layer_norm.weight", ROLE_HEAD_NORM, {D_C}, 0, PART_MLM, 0, EF(mlm_ln_w)},
    {"lm_head.layer_norm.bias", ROLE_HEAD_NORM, {D_C}, 0, PART_MLM, PF_BIAS, EF(mlm_ln_b)},
    {"lm_head.bias", ROLE_OUTPUT, {D_V}, 0, PART_MLM, PF_BIAS, EF(mlm_bias)},
};
#undef P
static const param_fuse ESM_FUSE[] = {{1, 3, EL(q_w), EL(qkv_w)}, {1, 3, EL(q_b), EL(qkv_b)}, {0, 0, 0, 0}};
/* the tied decoder, the rotary frequencies (recomputed), the position-id buffer */
static const char *const ESM_IGNORE[] = {"lm_head.decoder.weight", "rotary_embeddings.inv_freq", "embeddings.position_ids",
                                         NULL};
static const param_table ESM_TABLE = {ESM_ROWS, (int)ARRAY_LEN(ESM_ROWS), {NULL, "encoder.layer.", NULL},
                                      "esm.", ESM_IGNORE, NULL, ESM_FUSE};

void esm_sync_views(attn_model *m) {
    esm_model *e = m->state;
    params_sync(m, (void *const[3]){e, e->layers, NULL}, (const size_t[3]){0, sizeof(esm_layer), 0});
}

static attn_status esm_alloc(const void *cfg, attn_model **out) {
    const esm_config *c = cfg;
    const attn_gpt_config *g = &c->g;
    *out = NULL;
    attn_status st = model_check_heads(g->n_embd, g->n_head);
    if (!st && (g->n_embd / g->n_head) % 2)
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "ESM's rotary positions need an even head width, got %lld",
                         (long long)(g->n_embd / g->n_head));
    if (!st && g->pad_token_id < 0) st = attn_errorf(ATTN_ERR_INVALID_ARG, "an ESM model needs a pad_token_id");
    if (st) return st;
    attn_model *m = attn_calloc(1, sizeof *m);
    esm_model *e = m ? attn_calloc(1, sizeof *e + (size_t)g->n_layer * sizeof(esm_layer)) : NULL;
    if (!e) {
        attn_free(m);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    m->kind = MODEL_ESM, m->arch = registry_find("esm"), m->state = e, e->c = *c, m->cfg = c->g;
    param_layout lay = {.dims = {[D_V] = g->vocab_size, [D_C] = g->n_embd, [D_F] = g->n_inner, [D_1] = 1,
                                 [D_LH] = g->n_layer * g->n_head},
                        .layers = {1, g->n_layer, 0}, .prefix = "esm.", .parts = c->lm_head ? PART_MLM : 0};
    if (!(st = params_build(m, &ESM_TABLE, &lay))) esm_sync_views(m);
    if (st) {
        attn_model_free(m);
        return st;
    }
    *out = m;
    return ATTN_OK;
}

/* ---- forward -------------------------------------------------------------- */

/* The embeddings after token dropout and the padding mask: each row of
 * word[ids] times its factor, through op_weighted_sum over one-token rows. */
static tensor *embed(attn_model *m, graph *g, const int32_t *ids, const uint8_t *mask, int64_t B, int64_t T) {
    esm_model *e = m->state;
    int64_t C = m->cfg.n_embd;
    tensor *f = graph_tensor(g, 2, (int64_t[]){B * T, 1});
    tensor *x = f ? op_embedding(g, &e->wte, ids, B * T, 1) : NULL;
    if (!x) return NULL;
    int32_t mid = e->c.token_dropout ? e->c.mask_token_id : -1;
    for (int64_t b = 0; b < B; b++) {
        int64_t real = 0, masked = 0;
        for (int64_t t = 0; t < T; t++) {
            real += !mask || mask[b * T + t];
            masked += mid >= 0 && ids[b * T + t] == mid;
        }
        double scale = 1.0;
        if (mid >= 0 && real > 0 && masked < real) scale = (1.0 - 0.15 * 0.8) / (1.0 - (double)masked / (double)real);
        for (int64_t t = 0; t < T; t++) {
            bool zero = (mask && !mask[b * T + t]) || (mid >= 0 && ids[b * T + t] == mid);
            f->data[b * T + t] = zero ? 0.0f : (float)scale;
        }
    }
    x = op_weighted_sum(g, f, x); /* (B T, C) */
    if (!x) return NULL;
    x->ndim = 3, x->shape[0] = B, x->shape[1] = T, x->shape[2] = C;
    return x;
}

/* Last hidden states (B, T, C) after emb_layer_norm_after. */
static tensor *encode(attn_model *m, graph *g, const int32_t *ids, const uint8_t *mask, int64_t B, int64_t T) {
    if (g->status) return NULL;
    esm_model *e = m->state;
    const attn_gpt_config *c = &m->cfg;
    if (B < 1 || T < 1) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "an encoder batch needs at least one row and one token");
        return NULL;
    }
    for (int64_t i = 0; i < B * T; i++)
        if (ids[i] < 0 || ids[i] >= c->vocab_size) {
            g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "token id %d at position %lld is outside the vocabulary [0, %lld)",
                                    (int)ids[i], (long long)i, (long long)c->vocab_size);
            return NULL;
        }
    int32_t *pos = nn_positions(g, B, T, 0, c->n_ctx);
    tensor *x = pos ? embed(m, g, ids, mask, B, T) : NULL;
    float eps = c->layer_norm_eps, p = c->dropout;
    for (int64_t l = 0; l < c->n_layer && x; l++) {
        esm_layer *ly = &e->layers[l];
        nn_attn a = {.qkv_w = &ly->qkv_w, .qkv_b = &ly->qkv_b, .o_w = &ly->o_w, .o_b = &ly->o_b, .n_head = c->n_head,
                     .pos = pos, .rope_theta = e->c.rope_theta};
        nn_mlp f = {.up_w = &ly->fc_w, .up_b = &ly->fc_b, .down_w = &ly->fc2_w, .down_b = &ly->fc2_b, .act = KACT_GELU_ERF};
        tensor *h = op_layernorm(g, x, &ly->ln1_w, &ly->ln1_b, eps);
        x = op_add(g, x, op_dropout(g, nn_self_attention(g, h, &a, false, mask, NULL), p));
        h = op_layernorm(g, x, &ly->ln2_w, &ly->ln2_b, eps);
        x = op_add(g, x, op_dropout(g, nn_mlp_forward(g, h, &f), p));
    }
    return op_layernorm(g, x, &e->lnf_w, &e->lnf_b, eps);
}

static tensor *mlm_logits(attn_model *m, graph *g, tensor *x) {
    esm_model *e = m->state;
    tensor *h = op_linear_act(g, x, &e->mlm_w, &e->mlm_b, KACT_GELU_ERF);
    h = op_layernorm(g, h, &e->mlm_ln_w, &e->mlm_ln_b, m->cfg.layer_norm_eps);
    return op_linear(g, h, &e->wte, &e->mlm_bias);
}

/* The batch's padding mask: given, or from the pad id. */
static const uint8_t *batch_mask(attn_model *m, graph *g, const model_batch *b) {
    if (b->mask) return b->mask;
    int64_t n = b->B * b->T;
    int32_t *buf = graph_ints(g, (n + 3) / 4);
    if (!buf) return NULL;
    uint8_t *mask = (uint8_t *)buf;
    for (int64_t i = 0; i < n; i++) mask[i] = b->inputs[i] != m->cfg.pad_token_id;
    return mask;
}

tensor *esm_batch_loss(attn_model *m, graph *g, const model_batch *b) {
    esm_model *e = m->state;
    if (!b->targets || !e->c.lm_head) {
        if (!g->status)
            g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, b->targets ? "this ESM model has no masked-LM head (lm_head)"
                                                                     : "an ESM model trains with --objective mlm");
        return NULL;
    }
    const uint8_t *mask = batch_mask(m, g, b);
    if (!mask) return NULL;
    tensor *x = encode(m, g, b->inputs, mask, b->B, b->T);
    const int32_t *tg = b->targets;
    if (b->sparse_mlm) x = nn_masked_rows(g, x, b->targets, &tg); /* sets tg: before the call below reads it */
    return op_cross_entropy(g, mlm_logits(m, g, x), tg, -1);
}

typedef struct esm_run_args {
    bool mlm;
    const int32_t *ids;
    const uint8_t *mask;
    int64_t B, T;
} esm_run_args;

static tensor *run_forward(attn_model *m, graph *g, void *ctx) {
    const esm_run_args *a = ctx;
    tensor *x = encode(m, g, a->ids, a->mask, a->B, a->T);
    return a->mlm ? mlm_logits(m, g, x) : x;
}

attn_status esm_run(attn_model *m, bool mlm, const int32_t *ids, const uint8_t *mask, int64_t B, int64_t T, float *out) {
    if (!ids || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "encoder: ids and out are required");
    if (mlm && !((esm_model *)m->state)->c.lm_head) return attn_errorf(ATTN_ERR_UNSUPPORTED, "this checkpoint has no masked-LM head");
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, false, false, 0);
    esm_run_args a = {mlm, ids, mask, B, T};
    tensor *x = run_forward(m, &g, &a);
    attn_status st = x ? model_check_output(m, x->data, x->numel, mlm ? "logits" : "hidden states", run_forward, &a)
                       : g.status ? g.status : ATTN_ERR_INVALID_ARG;
    if (!st) memcpy(out, x->data, (size_t)x->numel * sizeof(float));
    graph_free(&g);
    return st;
}

void esm_encoder_config(const attn_model *m, attn_bert_config *out) {
    const esm_model *e = m->state;
    const attn_gpt_config *g = &m->cfg;
    attn_bert_config c = attn_bert_default_config();
    c.n_layer = g->n_layer, c.n_head = g->n_head, c.hidden_size = g->n_embd, c.intermediate_size = g->n_inner;
    c.max_positions = g->n_ctx, c.vocab_size = g->vocab_size, c.type_vocab_size = 1;
    c.layer_norm_eps = g->layer_norm_eps, c.dropout = g->dropout, c.activation = ATTN_BERT_GELU;
    c.pad_token_id = g->pad_token_id, c.pooler = false, c.mlm_head = e->c.lm_head;
    c.esm = true, c.mask_token_id = e->c.mask_token_id;
    *out = c;
}

/* ---- load, save, create ----------------------------------------------------- */

static bool has_head(const model_source *src) {
    struct st_file *f = NULL;
    bool head = false;
    if (st_open(src->weights_path, &f) == ATTN_OK) head = st_find(f, "lm_head.dense.weight") != NULL;
    st_close(f);
    return head;
}

attn_status esm_load(const model_source *src, attn_model **out) {
    /* EsmConfig's defaults where config.json is silent */
    esm_config c = {attn_gpt_default_config(), -1, false, 10000.0f, false};
    c.g.n_ctx = 1026, c.g.layer_norm_eps = 1e-12f, c.g.dropout = 0.1f, c.g.pad_token_id = -1;
    c.g.bos_token_id = c.g.eos_token_id = -1;
    attn_status st = registry_read_keys(src, &c);
    if (st) return st;
    c.lm_head = has_head(src);
    if (c.token_dropout && c.mask_token_id < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: token_dropout needs a mask_token_id", src->config_path);
    return params_load(src, esm_alloc, &c, "esm.", "an ESM model", out);
}

attn_status esm_save(const attn_model *m, const char *dir) {
    esm_config c = ((const esm_model *)m->state)->c;
    c.g = m->cfg; /* the dropout training used */
    return params_save_hf(m, dir, &c);
}

attn_status attn_esm_new(const attn_bert_config *bc, uint64_t seed, attn_model **out) {
    *out = NULL;
    esm_config c = {attn_gpt_default_config(), bc->mask_token_id, bc->mask_token_id >= 0, 10000.0f, bc->mlm_head};
    c.g.n_layer = bc->n_layer, c.g.n_head = bc->n_head, c.g.n_embd = bc->hidden_size;
    c.g.n_inner = bc->intermediate_size, c.g.n_ctx = bc->max_positions, c.g.vocab_size = bc->vocab_size;
    c.g.layer_norm_eps = bc->layer_norm_eps, c.g.dropout = bc->dropout, c.g.pad_token_id = bc->pad_token_id;
    c.g.bos_token_id = c.g.eos_token_id = -1;
    if (bc->mask_token_id >= bc->vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "mask_token_id %d is outside the vocabulary", (int)bc->mask_token_id);
    attn_status st = esm_alloc(&c, out);
    if (st) return st;
    params_init(*out, seed, 0.02f, 0);
    esm_model *e = (*out)->state;
    /* transformers zeroes the padding row of the word embeddings */
    memset(e->wte.data + bc->pad_token_id * bc->hidden_size, 0, (size_t)bc->hidden_size * sizeof(float));
    return ATTN_OK;
}
