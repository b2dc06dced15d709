/* bert.c — the encoder family: BERT, RoBERTa, MiniLM (small BERTs).
 *
 * Follows transformers' BertModel / RobertaModel (see include/attn/encoder.h
 * for the architecture): x = LN(word[ids] + pos[p] + type[t]); per block,
 * post-LN: x = LN1(x + o(attn(qkv(x)))), x = LN2(x + fc2(act(fc(x)))).
 * Heads: pooler tanh(dense(x[:, 0])); masked LM
 * logits = LN(act(dense(x))) @ word^T + bias; classifier on the pooled vector.
 *
 * The parameter table below is the single source of sizes, offsets and
 * names (transformers' names without the "bert."/"roberta." prefix; the
 * prefix is added when a head is present, as BertFor* models save them).
 * query, key and value are three checkpoint tensors laid out back to back
 * in the weight block, so one (3C, C) view over them is the fused qkv
 * projection that op_attention reads from (same for the biases).
 *
 * Classifiers (dropout before each linear, as transformers): BERT's
 * sequence classifier on the pooled vector; RoBERTa's
 * out_proj(tanh(dense(x[:, 0]))); a token classifier on every hidden state;
 * the next-sentence head on the pooled vector.
 *
 * Not yet: attention-probability dropout (attention_probs_dropout_prob is
 * ignored; hidden dropout is applied), relative position embeddings. */
#include "attn/encoder.h"
#include "models/bert_impl.h"
#include "nn/nn.h"

#include <math.h>
#include <stdio.h>

typedef struct bert_layer {
    tensor q_w, k_w, v_w, q_b, k_b, v_b;  /* checkpoint views */
    tensor qkv_w, qkv_b;                  /* fused views over q, k, v */
    tensor ao_w, ao_b, ln1_w, ln1_b, fc_w, fc_b, fc2_w, fc2_b, ln2_w, ln2_b;
} bert_layer;

struct bert_model {
    attn_bert_config cfg;
    int64_t max_length;       /* sentence-transformers max_seq_length, 0 = none */
    tensor wte, wpe, wtt, emb_ln_w, emb_ln_b;
    tensor lnf_w, lnf_b;      /* pre-LN (attn_bert): the norm after the last block */
    tensor pool_w, pool_b;
    tensor mlm_w, mlm_b, mlm_ln_w, mlm_ln_b, mlm_bias;
    tensor cls_w, cls_b;      /* classifier (RoBERTa's sequence head: out_proj) */
    tensor rcls_w, rcls_b;    /* RoBERTa's sequence head: dense */
    tensor nsp_w, nsp_b;
    bert_layer *layers;
    float *work;              /* attn_encoder_embed_packed's activations, kept between calls */
    int64_t work_floats;
};

/* ---- parameter table ------------------------------------------------------ */

enum { D_V = 1, D_P, D_TV, D_C, D_F, D_L, D_2, D_FO };    /* dimension symbols (D_FO: the MLP output's input, F or F / 2) */
/* the parts a checkpoint may have beside the encoder (BERT's and RoBERTa's
 * masked-LM heads share their views under different names) */
enum { PART_POOLER = 1, PART_MLM = 2, PART_MLM_R = 4, PART_CLASSIFIER = 8, PART_RCLS = 16, PART_NSP = 32, PART_PRE_LN = 64 };

#define BF(f) offsetof(struct bert_model, f)
#define BL(f) offsetof(bert_layer, f)
#define ENC PF_PREFIX                     /* under "bert." / "roberta." when heads are saved beside it */

static const param_row BERT_ROWS[] = {
    {"embeddings.word_embeddings.weight", ROLE_TOKEN_EMBD, {D_V, D_C}, 0, 0, ENC, BF(wte)},
    {"embeddings.position_embeddings.weight", ROLE_POS_EMBD, {D_P, D_C}, 0, 0, ENC, BF(wpe)},
    {"embeddings.token_type_embeddings.weight", ROLE_TYPE_EMBD, {D_TV, D_C}, 0, 0, ENC, BF(wtt)},
    {"embeddings.LayerNorm.weight", ROLE_EMBD_NORM, {D_C}, 0, 0, ENC, BF(emb_ln_w)},
    {"embeddings.LayerNorm.bias", ROLE_EMBD_NORM, {D_C}, 0, 0, ENC | PF_BIAS, BF(emb_ln_b)},
    /* q, k and v back to back: one (3C, C) view is the fused projection */
    {"attention.self.query.weight", ROLE_ATTN_Q, {D_C, D_C}, 1, 0, ENC | PF_DECAY | PF_PACK, BL(q_w)},
    {"attention.self.key.weight", ROLE_ATTN_K, {D_C, D_C}, 1, 0, ENC | PF_DECAY | PF_PACK, BL(k_w)},
    {"attention.self.value.weight", ROLE_ATTN_V, {D_C, D_C}, 1, 0, ENC | PF_DECAY, BL(v_w)},
    {"attention.self.query.bias", ROLE_ATTN_Q, {D_C}, 1, 0, ENC | PF_BIAS | PF_PACK, BL(q_b)},
    {"attention.self.key.bias", ROLE_ATTN_K, {D_C}, 1, 0, ENC | PF_BIAS | PF_PACK, BL(k_b)},
    {"attention.self.value.bias", ROLE_ATTN_V, {D_C}, 1, 0, ENC | PF_BIAS, BL(v_b)},
    {"attention.output.dense.weight", ROLE_ATTN_OUT, {D_C, D_C}, 1, 0, ENC | PF_DECAY, BL(ao_w)},
    {"attention.output.dense.bias", ROLE_ATTN_OUT, {D_C}, 1, 0, ENC | PF_BIAS, BL(ao_b)},
    {"attention.output.LayerNorm.weight", ROLE_ATTN_NORM, {D_C}, 1, 0, ENC, BL(ln1_w)},
    {"attention.output.LayerNorm.bias", ROLE_ATTN_NORM, {D_C}, 1, 0, ENC | PF_BIAS, BL(ln1_b)},
    {"intermediate.dense.weight", ROLE_FFN_UP, {D_F, D_C}, 1, 0, ENC | PF_DECAY, BL(fc_w)},
    {"intermediate.dense.bias", ROLE_FFN_UP, {D_F}, 1, 0, ENC | PF_BIAS, BL(fc_b)},
    {"output.dense.weight", ROLE_FFN_DOWN, {D_C, D_FO}, 1, 0, ENC | PF_DECAY, BL(fc2_w)},
    {"output.dense.bias", ROLE_FFN_DOWN, {D_C}, 1, 0, ENC | PF_BIAS, BL(fc2_b)},
    {"output.LayerNorm.weight", ROLE_FFN_NORM, {D_C}, 1, 0, ENC, BL(ln2_w)},
    {"output.LayerNorm.bias", ROLE_FFN_NORM, {D_C}, 1, 0, ENC | PF_BIAS, BL(ln2_b)},
    {"encoder.final_layer_norm.weight", ROLE_OUTPUT_NORM, {D_C}, 0, PART_PRE_LN, ENC, BF(lnf_w)},
    {"encoder.final_layer_norm.bias", ROLE_OUTPUT_NORM, {D_C}, 0, PART_PRE_LN, ENC | PF_BIAS, BF(lnf_b)},
    {"pooler.dense.weight", ROLE_POOLER, {D_C, D_C}, 0, PART_POOLER, ENC | PF_DECAY, BF(pool_w)},
    {"pooler.dense.bias", ROLE_POOLER, {D_C}, 0, PART_POOLER, ENC | PF_BIAS, BF(pool_b)},
    {"cls.predictions.transform.dense.weight", ROLE_HEAD_DENSE, {D_C, D_C}, 0, PART_MLM, PF_DECAY, BF(mlm_w)},
    {"cls.predictions.transform.dense.bias", ROLE_HEAD_DENSE, {D_C}, 0, PART_MLM, PF_BIAS, BF(mlm_b)},
    {"cls.predictions.transform.LayerNorm.weight", ROLE_HEAD_NORM, {D_C}, 0, PART_MLM, 0, BF(mlm_ln_w)},
    {"cls.predictions.transform.LayerNorm.bias", ROLE_HEAD_NORM, {D_C}, 0, PART_MLM, PF_BIAS, BF(mlm_ln_b)},
    {"cls.predictions.bias", ROLE_OUTPUT, {D_V}, 0, PART_MLM, PF_BIAS, BF(mlm_bias)},
    {"lm_head.dense.weight", ROLE_HEAD_DENSE, {D_C, D_C}, 0, PART_MLM_R, PF_DECAY, BF(mlm_w)},
    {"lm_head.dense.bias", ROLE_HEAD_DENSE, {D_C}, 0, PART_MLM_R, PF_BIAS, BF(mlm_b)},
    {"lm_head.layer_norm.weight", ROLE_HEAD_NORM, {D_C}, 0, PART_MLM_R, 0, BF(mlm_ln_w)},
    {"lm_head.layer_norm.bias", ROLE_HEAD_NORM, {D_C}, 0, PART_MLM_R, PF_BIAS, BF(mlm_ln_b)},
    {"lm_head.bias", ROLE_OUTPUT, {D_V}, 0, PART_MLM_R, PF_BIAS, BF(mlm_bias)},
    {"cls.seq_relationship.weight", ROLE_NSP, {D_2, D_C}, 0, PART_NSP, PF_DECAY, BF(nsp_w)},
    {"cls.seq_relationship.bias", ROLE_NSP, {D_2}, 0, PART_NSP, PF_BIAS, BF(nsp_b)},
    {"classifier.dense.weight", ROLE_HEAD_DENSE, {D_C, D_C}, 0, PART_RCLS, PF_DECAY, BF(rcls_w)},
    {"classifier.dense.bias", ROLE_HEAD_DENSE, {D_C}, 0, PART_RCLS, PF_BIAS, BF(rcls_b)},
    {"classifier.out_proj.weight", ROLE_CLASSIFIER, {D_L, D_C}, 0, PART_RCLS, PF_DECAY, BF(cls_w)},
    {"classifier.out_proj.bias", ROLE_CLASSIFIER, {D_L}, 0, PART_RCLS, PF_BIAS, BF(cls_b)},
    {"classifier.weight", ROLE_CLASSIFIER, {D_L, D_C}, 0, PART_CLASSIFIER, PF_DECAY, BF(cls_w)},
    {"classifier.bias", ROLE_CLASSIFIER, {D_L}, 0, PART_CLASSIFIER, PF_BIAS, BF(cls_b)},
};
#undef ENC

/* Ignored in a checkpoint: the position-id buffer and the masked-LM
 * decoder, tied to the word embeddings. */
static const char *const BERT_IGNORE[] = {"embeddings.position_ids", "cls.predictions.decoder.weight",
                                          "cls.predictions.decoder.bias", "lm_head.decoder.weight",
                                          "lm_head.decoder.bias", NULL};

/* q, k and v (weights, then biases) back to back: the fused projection */
static const param_fuse BERT_FUSE[] = {{1, 3, BL(q_w), BL(qkv_w)}, {1, 3, BL(q_b), BL(qkv_b)}, {0, 0, 0, 0}};

static const param_table BERT_TABLE = {
    BERT_ROWS, (int)ARRAY_LEN(BERT_ROWS), {NULL, "encoder.layer.", NULL}, NULL, BERT_IGNORE, NULL, BERT_FUSE,
};

static unsigned parts_present(const attn_bert_config *c) {
    unsigned p = 0;
    if (c->pooler) p |= PART_POOLER;
    if (c->mlm_head) p |= c->roberta ? PART_MLM_R : PART_MLM;
    if (c->num_labels > 0 && (c->token_classifier || !c->roberta)) p |= PART_CLASSIFIER;
    if (c->num_labels > 0 && !c->token_classifier && c->roberta) p |= PART_RCLS;
    if (c->nsp_head) p |= PART_NSP;
    if (c->pre_ln) p |= PART_PRE_LN;
    return p;
}

attn_bert_config attn_bert_default_config(void) {
    attn_bert_config c = {0};
    c.n_layer = 12;
    c.n_head = 12;
    c.hidden_size = 768;
    c.intermediate_size = 3072;
    c.max_positions = 512;
    c.vocab_size = 30522;
    c.type_vocab_size = 2;
    c.layer_norm_eps = 1e-12f;
    c.dropout = 0.1f;
    c.activation = ATTN_BERT_GELU;
    c.pad_token_id = 0;
    c.pooler = true;
    c.mask_token_id = -1;
    return c;
}

static attn_status bert_config_check(const attn_bert_config *c) {
    if (c->n_layer < 1 || c->n_layer > 1000)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "num_hidden_layers must be in [1, 1000], got %lld", (long long)c->n_layer);
    if (c->n_head < 1 || c->hidden_size < 1 || c->hidden_size % c->n_head)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "hidden_size (%lld) must be a positive multiple of num_attention_heads (%lld)",
                           (long long)c->hidden_size, (long long)c->n_head);
    if (c->hidden_size / c->n_head > 512) return attn_errorf(ATTN_ERR_UNSUPPORTED, "head width above 512");
    if (c->hidden_size > (1 << 20) || c->intermediate_size < 1 || c->intermediate_size > (1 << 22))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "hidden_size or intermediate_size out of range");
    if (c->max_positions < 1 || c->max_positions > (1 << 20))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "max_position_embeddings must be in [1, 2^20]");
    if (c->vocab_size < 1 || c->vocab_size > (1 << 24)) return attn_errorf(ATTN_ERR_INVALID_ARG, "vocab_size must be in [1, 2^24]");
    if (c->type_vocab_size < 1 || c->type_vocab_size > 1024)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "type_vocab_size must be in [1, 1024]");
    if (c->num_labels < 0 || c->num_labels > (1 << 20)) return attn_errorf(ATTN_ERR_INVALID_ARG, "num_labels out of range");
    if (c->token_classifier && c->num_labels < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "a token classifier needs num_labels >= 1");
    if (!c->pooler && (c->nsp_head || (c->num_labels > 0 && !c->token_classifier && !c->roberta)))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "BERT's sequence classifier and next-sentence head read the pooler: it must be on");
    if (!(c->layer_norm_eps > 0.0f)) return attn_errorf(ATTN_ERR_INVALID_ARG, "layer_norm_eps must be positive");
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f)) return attn_errorf(ATTN_ERR_INVALID_ARG, "dropout must be in [0, 1)");
    if (c->pad_token_id < -1 || c->pad_token_id >= c->vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pad_token_id %d is outside the vocabulary", (int)c->pad_token_id);
    if (c->roberta && c->pad_token_id < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "RoBERTa needs a pad_token_id");
    if (c->roberta && bert_is_variant(c))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "pre-LN blocks, linear layers without biases and GEGLU are BERT variants "
                           "(model_type attn_bert), not RoBERTa");
    if (c->activation == ATTN_BERT_GEGLU && c->intermediate_size % 2)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GEGLU needs an even intermediate_size (gate | up), got %lld",
                           (long long)c->intermediate_size);
    return ATTN_OK;
}

void bert_sync_views(attn_model *m) {
    params_sync(m, (void *const[3]){m->bert, m->bert->layers, NULL}, (const size_t[3]){0, sizeof(bert_layer), 0});
}

void bert_free(struct bert_model *b) {
    if (!b) return;
    attn_free(b->layers);
    attn_free_aligned(b->work);
    attn_free(b);
}

/* The shared fields of attn_model.cfg that the trainer and generic code read. */
static attn_gpt_config shared_config(const attn_bert_config *c) {
    attn_gpt_config g = attn_gpt_default_config();
    g.n_layer = c->n_layer;
    g.n_head = c->n_head;
    g.n_embd = c->hidden_size;
    g.n_ctx = c->max_positions;
    g.vocab_size = c->vocab_size;
    g.n_inner = c->intermediate_size;
    g.layer_norm_eps = c->layer_norm_eps;
    g.dropout = c->dropout;
    g.bos_token_id = g.eos_token_id = -1;
    return g;
}

/* Sizes, offsets, names and views; one zeroed block for all weights.
 * prefix: "bert." / "roberta." before the encoder's names, or "". */
static attn_status bert_alloc(const attn_bert_config *cfg, const char *prefix, attn_model **out) {
    *out = NULL;
    attn_status st = bert_config_check(cfg);
    if (st) return st;
    attn_model *m = attn_calloc(1, sizeof *m);
    if (!m) return ATTN_ERR_OUT_OF_MEMORY;
    m->kind = MODEL_BERT;
    m->arch = registry_find(cfg->roberta ? "roberta" : bert_is_variant(cfg) ? "attn_bert" : "bert");
    m->cfg = shared_config(cfg);
    int64_t L = cfg->n_layer;
    if (!(m->bert = attn_calloc(1, sizeof *m->bert)) || !(m->bert->layers = attn_calloc((size_t)L, sizeof *m->bert->layers))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    m->bert->cfg = *cfg;
    param_layout lay = {.layers = {1, L, 0}, .parts = parts_present(cfg), .prefix = prefix};
    lay.dims[D_V] = cfg->vocab_size;
    lay.dims[D_P] = cfg->max_positions;
    lay.dims[D_TV] = cfg->type_vocab_size;
    lay.dims[D_C] = cfg->hidden_size;
    lay.dims[D_F] = cfg->intermediate_size;
    lay.dims[D_L] = cfg->num_labels;
    lay.dims[D_2] = 2;
    lay.dims[D_FO] = cfg->activation == ATTN_BERT_GEGLU ? cfg->intermediate_size / 2 : cfg->intermediate_size;
    lay.no_bias = cfg->no_bias;
    if ((st = params_build(m, &BERT_TABLE, &lay)) != ATTN_OK) goto fail;
    bert_sync_views(m);
    *out = m;
    return ATTN_OK;
fail:
    attn_model_free(m);
    return st;
}

attn_status bert_model_alloc(const attn_bert_config *cfg, const char *prefix, attn_model **out) {
    return bert_alloc(cfg, prefix, out);
}

attn_status attn_bert_new(const attn_bert_config *cfg, uint64_t seed, attn_model **out) {
    attn_model *m;
    const char *prefix = cfg->mlm_head || cfg->num_labels || cfg->nsp_head ? (cfg->roberta ? "roberta." : "bert.") : "";
    attn_status st = bert_alloc(cfg, prefix, &m);
    if (st) return st;
    params_init(m, seed, 0.02f, 0);
    /* transformers zeroes the padding row of the word embeddings */
    if (cfg->pad_token_id >= 0) memset(m->bert->wte.data + cfg->pad_token_id * cfg->hidden_size, 0, (size_t)cfg->hidden_size * sizeof(float));
    *out = m;
    return ATTN_OK;
}

bool attn_model_encoder_config(const attn_model *m, attn_bert_config *cfg) {
    if (m && m->kind == MODEL_ESM) {
        if (cfg) esm_encoder_config(m, cfg);
        return true;
    }
    if (!m || !m->bert) return false;
    if (cfg) *cfg = m->bert->cfg;
    return true;
}

int64_t attn_encoder_max_length(const attn_model *m) {
    if (m && m->kind == MODEL_ESM) return m->cfg.n_ctx;
    if (!m || !m->bert) return 0;
    const attn_bert_config *c = &m->bert->cfg;
    int64_t n = c->roberta ? c->max_positions - c->pad_token_id - 1 : c->max_positions;
    if (m->bert->max_length > 0 && m->bert->max_length < n) n = m->bert->max_length;
    return n;
}

void bert_set_max_length(attn_model *m, int64_t n) {
    if (m->bert) m->bert->max_length = n;
}

/* ---- forward -------------------------------------------------------------- */

/* act(x w^T + b) */
static kernel_act activation(attn_bert_activation act) {
    return act == ATTN_BERT_GELU_TANH ? KACT_GELU : act == ATTN_BERT_RELU ? KACT_RELU : KACT_GELU_ERF; /* GEGLU: erf too */
}

static tensor *linear_act(graph *g, attn_bert_activation act, tensor *x, tensor *w, tensor *b) {
    return op_linear_act(g, x, w, b, activation(act));
}

/* A linear layer's bias view, or NULL in a model without them (attn_bert's
 * no_bias; LayerNorm biases stay). */
static tensor *lb(const struct bert_model *b, tensor *t) { return b->cfg.no_bias ? NULL : t; }

/* The attention probabilities of one row (x (1, T, C)) entering layer ly:
 * out (H, T, T), softmax over keys of q.k / sqrt(D), masked keys 0. A plain
 * reference pass from the layer's q and k: the tiled kernel keeps none. */
static void attention_probs(graph *g, tensor *x, tensor *bias, bert_layer *ly, int64_t H, const uint8_t *mask, float *out) {
    int64_t T = x->shape[1], C = x->shape[2], D = C / H;
    tensor *qkv = op_linear(g, x, &ly->qkv_w, bias);
    if (!qkv) return;
    double scale = 1 / sqrt((double)D);
    for (int64_t h = 0; h < H; h++)
        for (int64_t i = 0; i < T; i++) {
            const float *q = qkv->data + i * 3 * C + h * D;
            float *row = out + (h * T + i) * T;
            double mx = -INFINITY, z = 0;
            for (int64_t j = 0; j < T; j++) {
                if (mask && !mask[j]) continue;
                const float *k = qkv->data + j * 3 * C + C + h * D;
                double d = 0;
                for (int64_t e = 0; e < D; e++) d += (double)q[e] * (double)k[e];
                row[j] = (float)(d * scale);
                mx = fmax(mx, (double)row[j]);
            }
            for (int64_t j = 0; j < T; j++) {
                if (mask && !mask[j]) continue;
                double e = exp((double)row[j] - mx);
                row[j] = (float)e;
                z += e;
            }
            for (int64_t j = 0; j < T; j++) row[j] = mask && !mask[j] ? 0.0f : (float)((double)row[j] / z);
        }
}

/* Last hidden states (B, T, C). ids, type_ids and mask must stay valid
 * until backward (attention keeps the mask). maps (B = 1 only): when not
 * NULL, every layer's attention probabilities (L, H, T, T). */
static tensor *encode(attn_model *m, graph *g, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask,
                      int64_t B, int64_t T, float *maps) {
    if (g->status) return NULL;
    const attn_bert_config *c = &m->bert->cfg;
    float eps = c->layer_norm_eps, p = m->cfg.dropout;
    if (B < 1 || T < 1) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "an encoder batch needs at least one row and one token");
        return NULL;
    }
    int64_t limit = c->roberta ? c->max_positions - c->pad_token_id - 1 : c->max_positions;
    if (T > limit) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "a sequence of %lld tokens is longer than the %lld positions the model has",
                                (long long)T, (long long)limit);
        return NULL;
    }
    int32_t *pos = graph_ints(g, B * T), *types = NULL;
    if (!pos) return NULL;
    for (int64_t b = 0; b < B; b++) {
        int32_t count = 0;
        for (int64_t t = 0; t < T; t++) {
            if (!c->roberta) {
                pos[b * T + t] = (int32_t)t;
                continue;
            }
            /* create_position_ids_from_input_ids: cumsum of non-pad tokens, from pad + 1 */
            bool real = ids[b * T + t] != c->pad_token_id;
            count += real;
            pos[b * T + t] = real ? c->pad_token_id + count : c->pad_token_id;
        }
    }
    if (!type_ids) {
        if (!(types = graph_ints(g, B * T))) return NULL;
        memset(types, 0, (size_t)(B * T) * sizeof *types);
        type_ids = types;
    }
    tensor *x = op_add(g, op_embedding(g, &m->bert->wte, ids, B, T), op_embedding(g, &m->bert->wpe, pos, B, T));
    x = op_add(g, x, op_embedding(g, &m->bert->wtt, type_ids, B, T));
    x = op_layernorm(g, x, &m->bert->emb_ln_w, &m->bert->emb_ln_b, eps);
    x = op_dropout(g, x, p);
    kernel_act act = activation(c->activation);
    struct bert_model *bm = m->bert;
    for (int64_t l = 0; l < c->n_layer; l++) {
        bert_layer *ly = &bm->layers[l];
        nn_attn a = {.qkv_w = &ly->qkv_w, .qkv_b = lb(bm, &ly->qkv_b), .o_w = &ly->ao_w, .o_b = lb(bm, &ly->ao_b), .n_head = c->n_head};
        nn_norm n1 = {.w = &ly->ln1_w, .b = &ly->ln1_b, .eps = eps}, n2 = {.w = &ly->ln2_w, .b = &ly->ln2_b, .eps = eps};
        nn_mlp f = {.up_w = &ly->fc_w, .up_b = lb(bm, &ly->fc_b), .down_w = &ly->fc2_w, .down_b = lb(bm, &ly->fc2_b), .act = act,
                    .gated = c->activation == ATTN_BERT_GEGLU};
        if (!c->pre_ln) {
            if (maps && x) attention_probs(g, x, a.qkv_b, ly, c->n_head, mask, maps + l * c->n_head * T * T);
            x = nn_post_norm_block(g, x, &a, &n1, &f, &n2, p, false, mask, NULL);
            continue;
        }
        /* pre-LN (attn_bert): x = x + attn(LN1(x)); x = x + mlp(LN2(x)) */
        tensor *h = op_layernorm(g, x, n1.w, n1.b, eps);
        if (maps && h) attention_probs(g, h, a.qkv_b, ly, c->n_head, mask, maps + l * c->n_head * T * T);
        x = op_add(g, x, op_dropout(g, nn_self_attention(g, h, &a, false, mask, NULL), p));
        h = op_layernorm(g, x, n2.w, n2.b, eps);
        x = op_add(g, x, op_dropout(g, nn_mlp_forward(g, h, &f), p));
    }
    return c->pre_ln ? op_layernorm(g, x, &bm->lnf_w, &bm->lnf_b, eps) : x;
}

static tensor *mlm_logits(attn_model *m, graph *g, tensor *x) {
    struct bert_model *b = m->bert;
    /* RoBERTa's lm_head always uses the exact GELU; BERT's uses hidden_act (GEGLU's gelu for a GEGLU model) */
    attn_bert_activation act = b->cfg.roberta || b->cfg.activation == ATTN_BERT_GEGLU ? ATTN_BERT_GELU : b->cfg.activation;
    tensor *h = linear_act(g, act, x, &b->mlm_w, lb(b, &b->mlm_b));
    h = op_layernorm(g, h, &b->mlm_ln_w, &b->mlm_ln_b, b->cfg.layer_norm_eps);
    return op_linear(g, h, &b->wte, lb(b, &b->mlm_bias));
}

/* tanh(dense(x[:, 0])), recorded: gradients reach the encoder through the [CLS] row. */
static tensor *pooled(attn_model *m, graph *g, tensor *x) {
    return op_tanh(g, op_linear(g, op_select(g, x, 0), &m->bert->pool_w, lb(m->bert, &m->bert->pool_b)));
}

/* The batch's padding mask: given, or from the pad id, or NULL (all real). */
static const uint8_t *batch_mask(attn_model *m, graph *g, const model_batch *b) {
    if (b->mask || m->bert->cfg.pad_token_id < 0) return b->mask;
    int64_t n = b->B * b->T;
    int32_t *buf = graph_ints(g, (n + 3) / 4);
    if (!buf) return NULL;
    uint8_t *mask = (uint8_t *)buf;
    for (int64_t i = 0; i < n; i++) mask[i] = b->inputs[i] != m->bert->cfg.pad_token_id;
    return mask;
}

static tensor *classifier(attn_model *m, graph *g, tensor *x) {
    struct bert_model *b = m->bert;
    float p = m->cfg.dropout;
    if (b->cfg.token_classifier) return op_linear(g, op_dropout(g, x, p), &b->cls_w, lb(b, &b->cls_b));
    if (b->cfg.roberta) { /* RobertaClassificationHead */
        tensor *h = op_dropout(g, op_select(g, x, 0), p);
        h = op_dropout(g, op_tanh(g, op_linear(g, h, &b->rcls_w, &b->rcls_b)), p);
        return op_linear(g, h, &b->cls_w, &b->cls_b);
    }
    return op_linear(g, op_dropout(g, pooled(m, g, x), p), &b->cls_w, lb(b, &b->cls_b));
}

static tensor *encode_batch(attn_model *m, graph *g, const model_batch *b) {
    const uint8_t *mask = batch_mask(m, g, b);
    if (g->status) return NULL;
    return encode(m, g, b->inputs, b->type_ids, mask, b->B, b->T, NULL);
}

tensor *bert_classify(attn_model *m, graph *g, const model_batch *b) {
    if (m->bert->cfg.num_labels < 1) {
        if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "this encoder has no classifier");
        return NULL;
    }
    return classifier(m, g, encode_batch(m, g, b));
}

tensor *bert_batch_loss(attn_model *m, graph *g, const model_batch *b) {
    const attn_bert_config *c = &m->bert->cfg;
    if (!b->targets) {
        if (!b->labels) {
            if (!g->status) g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "an encoder batch needs targets or labels");
            return NULL;
        }
        return op_cross_entropy(g, bert_classify(m, g, b), b->labels, -1);
    }
    if (!c->mlm_head) {
        if (!g->status) g->status = attn_errorf(ATTN_ERR_UNSUPPORTED, "this encoder has no masked-LM head");
        return NULL;
    }
    tensor *x = encode_batch(m, g, b);
    const int32_t *tg = b->targets;
    tensor *h = b->sparse_mlm ? nn_masked_rows(g, x, b->targets, &tg) : x; /* sets tg: before the call below reads it */
    tensor *loss = op_cross_entropy(g, mlm_logits(m, g, h), tg, -1);
    if (c->nsp_head && b->labels) { /* BertForPreTraining: masked-LM loss + next-sentence loss */
        tensor *nsp = op_linear(g, pooled(m, g, x), &m->bert->nsp_w, lb(m->bert, &m->bert->nsp_b));
        loss = op_add(g, loss, op_cross_entropy(g, nsp, b->labels, -1));
    }
    return loss;
}

tensor *bert_mlm_loss(attn_model *m, graph *g, const int32_t *inputs, const int32_t *targets, int64_t B, int64_t T) {
    model_batch b = {.B = B, .T = T, .inputs = inputs, .targets = targets};
    return bert_batch_loss(m, g, &b);
}

/* ---- public inference ----------------------------------------------------- */

typedef enum run_what { RUN_HIDDEN, RUN_POOLED, RUN_MLM, RUN_CLASSIFY, RUN_NSP } run_what;

typedef struct run_args {
    run_what what;
    const int32_t *ids, *type_ids;
    const uint8_t *mask;
    int64_t B, T;
} run_args;

/* The forward of `what` (also the diagnostic pass of model_check_output). */
static tensor *run_forward(attn_model *m, graph *g, void *ctx) {
    const run_args *a = ctx;
    tensor *x = encode(m, g, a->ids, a->type_ids, a->mask, a->B, a->T, NULL);
    if (a->what == RUN_POOLED) x = pooled(m, g, x);
    if (a->what == RUN_MLM) x = mlm_logits(m, g, x);
    if (a->what == RUN_CLASSIFY) x = classifier(m, g, x);
    if (a->what == RUN_NSP) x = op_linear(g, pooled(m, g, x), &m->bert->nsp_w, lb(m->bert, &m->bert->nsp_b));
    return x;
}

static attn_status run(attn_model *m, run_what what, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask,
                       int64_t B, int64_t T, float *out) {
    if (m && m->kind == MODEL_ESM) { /* models/esm.c: hidden states and masked-LM logits */
        if (what == RUN_HIDDEN || what == RUN_MLM) return esm_run(m, what == RUN_MLM, ids, mask, B, T, out);
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "an ESM model has no pooler, classifier or next-sentence head");
    }
    if (!m || !m->bert) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an encoder (BERT) model");
    if (!ids || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "encoder: ids and out are required");
    if (what == RUN_POOLED && !m->bert->cfg.pooler)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "this checkpoint has no pooler (pooler.dense)");
    if (what == RUN_MLM && !m->bert->cfg.mlm_head) return attn_errorf(ATTN_ERR_UNSUPPORTED, "this checkpoint has no masked-LM head");
    if (what == RUN_CLASSIFY && m->bert->cfg.num_labels < 1) return attn_errorf(ATTN_ERR_UNSUPPORTED, "this checkpoint has no classifier");
    if (what == RUN_NSP && !m->bert->cfg.nsp_head)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "this checkpoint has no next-sentence head (cls.seq_relationship)");
    if (type_ids)
        for (int64_t i = 0; i < B * T; i++)
            if (type_ids[i] < 0 || type_ids[i] >= m->bert->cfg.type_vocab_size)
                return attn_errorf(ATTN_ERR_INVALID_ARG, "token type %d at position %lld is outside [0, %lld)", (int)type_ids[i],
                                   (long long)i, (long long)m->bert->cfg.type_vocab_size);
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, false, false, 0);
    run_args a = {what, ids, type_ids, mask, B, T};
    tensor *x = run_forward(m, &g, &a);
    attn_status st = x ? model_check_output(m, x->data, x->numel, what == RUN_HIDDEN ? "hidden states" : "outputs",
                                            run_forward, &a)
                       : g.status ? g.status : ATTN_ERR_INVALID_ARG;
    if (!st) memcpy(out, x->data, (size_t)x->numel * sizeof(float));
    graph_free(&g);
    return st;
}

attn_status attn_encoder_hidden(attn_model *m, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask,
                                int64_t B, int64_t T, float *out) {
    return run(m, RUN_HIDDEN, ids, type_ids, mask, B, T, out);
}

attn_status attn_encoder_pooled(attn_model *m, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask,
                                int64_t B, int64_t T, float *out) {
    return run(m, RUN_POOLED, ids, type_ids, mask, B, T, out);
}

attn_status attn_encoder_mlm_logits(attn_model *m, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask,
                                    int64_t B, int64_t T, float *out) {
    return run(m, RUN_MLM, ids, type_ids, mask, B, T, out);
}

attn_status attn_encoder_classify(attn_model *m, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask,
                                  int64_t B, int64_t T, float *out) {
    return run(m, RUN_CLASSIFY, ids, type_ids, mask, B, T, out);
}

attn_status attn_encoder_nsp_logits(attn_model *m, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask,
                                    int64_t B, int64_t T, float *out) {
    return run(m, RUN_NSP, ids, type_ids, mask, B, T, out);
}

/* A sum of n token rows (C wide) into their mean, then scaled to unit
 * length when normalize: the sentence embedding of both embed paths. */
static void pool_finish(float *o, int64_t C, double n, bool normalize) {
    float inv = 1.0f / (float)fmax(n, 1e-9);
    double ss = 0;
    for (int64_t c = 0; c < C; c++) {
        o[c] *= inv;
        ss += (double)o[c] * (double)o[c];
    }
    if (normalize) {
        float sc = 1.0f / (float)fmax(sqrt(ss), 1e-12);
        for (int64_t c = 0; c < C; c++) o[c] *= sc;
    }
}

attn_status attn_encoder_attention_maps(attn_model *m, const int32_t *ids, const uint8_t *mask, int64_t T, float *out) {
    if (!m || !m->bert) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an encoder (BERT) model");
    if (!ids || !out || T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "encoder attention maps: ids and out are required");
    for (int64_t t = 0; t < T; t++)
        if (ids[t] < 0 || ids[t] >= m->bert->cfg.vocab_size)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "token id %d at position %lld is outside the vocabulary", (int)ids[t], (long long)t);
    int64_t n = m->bert->cfg.n_layer * m->bert->cfg.n_head * T * T;
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, false, false, 0);
    tensor *x = encode(m, &g, ids, NULL, mask, 1, T, out);
    attn_status st = x ? ATTN_OK : g.status ? g.status : ATTN_ERR_INVALID_ARG;
    graph_free(&g);
    if (!st && !model_all_finite(out, n))
        st = attn_errorf(ATTN_ERR_FORMAT, "non-finite attention probabilities; the weights may be corrupt");
    return st;
}

attn_status attn_encoder_embed(attn_model *m, const int32_t *ids, const int32_t *type_ids, const uint8_t *mask,
                               int64_t B, int64_t T, bool normalize, float *out) {
    if (!m || !(m->bert || m->kind == MODEL_ESM)) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an encoder (BERT) model");
    if (!ids || !out || B < 1 || T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "encoder: empty batch");
    int64_t C = m->cfg.n_embd;
    size_t bytes;
    if (!size_mul((size_t)(B * T), (size_t)C * sizeof(float), &bytes)) return attn_errorf(ATTN_ERR_INVALID_ARG, "batch too large");
    float *h = attn_malloc(bytes);
    if (!h) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = run(m, RUN_HIDDEN, ids, type_ids, mask, B, T, h);
    if (st) {
        attn_free(h);
        return st;
    }
    for (int64_t b = 0; b < B; b++) {
        /* sentence-transformers: sum(h * mask) / clamp(sum(mask), 1e-9) */
        double n = 0;
        float *o = out + b * C;
        for (int64_t c = 0; c < C; c++) o[c] = 0.0f;
        for (int64_t t = 0; t < T; t++) {
            if (mask && !mask[b * T + t]) continue;
            n += 1;
            const float *row = h + (b * T + t) * C;
            for (int64_t c = 0; c < C; c++) o[c] += row[c];
        }
        pool_finish(o, C, n, normalize);
    }
    attn_free(h);
    /* finite hidden states can still overflow in the mean */
    if (!model_all_finite(out, B * C))
        return attn_errorf(ATTN_ERR_FORMAT, "non-finite values (NaN or infinity) in the sentence embedding (the mean "
                           "of the hidden states overflows); the weights may be corrupt");
    return ATTN_OK;
}

/* ---- packed inference ------------------------------------------------------ */

/* The encoder without the tape, on sequences packed back to back (no
 * padding): the dense layers run once on all the rows, attention per
 * sequence (its rows only, so no mask). The same kernels and the same order
 * of operations per element as encode(), so the hidden states match it.
 * Activations live in b->work, grown once and kept for the next call. */

static void packed_linear(const kernels *k, float *out, const float *x, const tensor *w, const tensor *b, int64_t N,
                          int64_t C, int64_t OC) {
    if (w->data_bf16 && k->matmul_forward_bf16)
        k->matmul_forward_bf16(out, x, w->data_bf16, b->data, N, C, OC);
    else
        k->matmul_forward(out, x, w->data, b->data, N, C, OC);
}

static void packed_linear_act(const kernels *k, float *out, float *pre, const float *x, const tensor *w, const tensor *b,
                              int64_t N, int64_t C, int64_t OC, kernel_act act) {
    if (w->data_bf16 && k->matmul_act_forward_bf16)
        k->matmul_act_forward_bf16(out, pre, x, w->data_bf16, b->data, N, C, OC, act);
    else
        k->matmul_act_forward(out, pre, x, w->data, b->data, N, C, OC, act);
}

/* The packed sequences as one padded batch through attn_encoder_embed:
 * the path of the pre-LN and GEGLU variants (the packed loop below is
 * post-LN with a plain MLP). */
static attn_status embed_padded(attn_model *m, const int32_t *ids, const int32_t *type_ids, const int64_t *lengths,
                                int64_t n, bool normalize, float *out) {
    int64_t T = 0;
    for (int64_t s = 0; s < n; s++) T = lengths[s] > T ? lengths[s] : T;
    int32_t pad = m->bert->cfg.pad_token_id >= 0 ? m->bert->cfg.pad_token_id : 0;
    int32_t *pids = attn_malloc((size_t)(n * T) * sizeof *pids), *ptypes = attn_calloc((size_t)(n * T), sizeof *ptypes);
    uint8_t *mask = attn_calloc((size_t)(n * T), 1);
    attn_status st = ATTN_ERR_OUT_OF_MEMORY;
    if (pids && ptypes && mask) {
        for (int64_t s = 0, i = 0; s < n; s++)
            for (int64_t t = 0; t < T; t++) {
                bool real = t < lengths[s];
                pids[s * T + t] = real ? ids[i] : pad;
                if (real && type_ids) ptypes[s * T + t] = type_ids[i];
                mask[s * T + t] = real;
                i += real;
            }
        st = attn_encoder_embed(m, pids, ptypes, mask, n, T, normalize, out);
    }
    attn_free(pids);
    attn_free(ptypes);
    attn_free(mask);
    return st;
}

attn_status attn_encoder_embed_packed(attn_model *m, const int32_t *ids, const int32_t *type_ids, const int64_t *lengths,
                                      int64_t n, bool normalize, float *out) {
    if (m && m->kind == MODEL_ESM) return attn_errorf(ATTN_ERR_UNSUPPORTED, "packed embeddings do not run ESM models");
    if (!m || !m->bert) return attn_errorf(ATTN_ERR_INVALID_ARG, "packed embeddings need an encoder (BERT) model");
    if (!ids || !lengths || !out || n < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "encoder: empty batch");
    if (m->qweights) return attn_errorf(ATTN_ERR_UNSUPPORTED, "packed embeddings run fp32 or bf16 weights only");
    struct bert_model *bm = m->bert;
    const attn_bert_config *c = &bm->cfg;
    int64_t C = c->hidden_size, F = c->intermediate_size, H = c->n_head, D = C / H, N = 0;
    int64_t limit = c->roberta ? c->max_positions - c->pad_token_id - 1 : c->max_positions;
    for (int64_t s = 0; s < n; s++) {
        if (lengths[s] < 1 || lengths[s] > limit)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "sequence %lld has %lld tokens (1 to %lld fit the model's positions)",
                               (long long)s, (long long)lengths[s], (long long)limit);
        if (N > INT32_MAX) return attn_errorf(ATTN_ERR_INVALID_ARG, "batch too large");
        N += lengths[s];
    }
    for (int64_t i = 0; i < N; i++) {
        if (ids[i] < 0 || ids[i] >= c->vocab_size)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "token id %d at position %lld is outside the vocabulary", (int)ids[i],
                               (long long)i);
        if (type_ids && (type_ids[i] < 0 || type_ids[i] >= c->type_vocab_size))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "token type %d at position %lld is outside [0, %lld)", (int)type_ids[i],
                               (long long)i, (long long)c->type_vocab_size);
    }
    if (c->pre_ln || c->activation == ATTN_BERT_GEGLU) return embed_padded(m, ids, type_ids, lengths, n, normalize, out);
    /* x, sum, t (N, C); qkv (N, 3C); h (N, max(F, C)); mean, rstd (N); lse (N, H); the reference kernels' pre-activation
     * (N, F), which the CPU kernels do without; start (n + 1) int64 as 2 floats each */
    const kernels *k = kernels_default();
    int64_t FC = F > C ? F : C, pre_floats = k == &kernels_ref ? N * F : 0;
    int64_t need = N * (6 * C + FC + 2 + H) + pre_floats + 2 * (n + 1) + 1;
    if (need > bm->work_floats) {
        size_t bytes;
        if (!size_mul((size_t)need, sizeof(float), &bytes)) return attn_errorf(ATTN_ERR_INVALID_ARG, "batch too large");
        float *w = attn_malloc_aligned(bytes);
        if (!w) return ATTN_ERR_OUT_OF_MEMORY;
        attn_free_aligned(bm->work);
        bm->work = w;
        bm->work_floats = need;
    }
    float *x = bm->work, *sum = x + N * C, *t = sum + N * C, *qkv = t + N * C, *h = qkv + N * 3 * C, *mean = h + N * FC,
          *rstd = mean + N, *lse = rstd + N, *pre = pre_floats ? lse + N * H : NULL;
    float *tail = lse + N * H + pre_floats;
    tail += (uintptr_t)tail % 8 ? 1 : 0; /* int64_t alignment */
    int64_t *start = (int64_t *)(void *)tail;
    start[0] = 0;
    for (int64_t s = 0; s < n; s++) start[s + 1] = start[s] + lengths[s];
    float eps = c->layer_norm_eps;

    /* embeddings: (word + position) + type, then the layer norm */
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t s = 0; s < n; s++)
        for (int64_t i = start[s]; i < start[s + 1]; i++) {
            int64_t p = c->roberta ? c->pad_token_id + 1 + (i - start[s]) : i - start[s];
            const float *we = bm->wte.data + (int64_t)ids[i] * C, *pe = bm->wpe.data + p * C,
                        *te = bm->wtt.data + (int64_t)(type_ids ? type_ids[i] : 0) * C;
            float *e = sum + i * C;
            for (int64_t j = 0; j < C; j++) e[j] = (we[j] + pe[j]) + te[j];
        }
    k->layernorm_forward(x, mean, rstd, sum, bm->emb_ln_w.data, bm->emb_ln_b.data, N, C, eps);

    kernel_act act = activation(c->activation);
    for (int64_t l = 0; l < c->n_layer; l++) {
        const bert_layer *ly = &bm->layers[l];
        packed_linear(k, qkv, x, &ly->qkv_w, &ly->qkv_b, N, C, 3 * C);
        /* each sequence attends to its own rows; threads take whole sequences (the kernel runs on one thread inside) */
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(dynamic, 1)
        for (int64_t s = 0; s < n; s++) {
            int64_t T = start[s + 1] - start[s];
            attn_dims d = {.B = 1, .Tq = T, .Tk = T, .H = H, .D = D, .q_stride = 3 * C, .kv_stride = 3 * C,
                           .q_batch_stride = T * 3 * C, .kv_batch_stride = T * 3 * C, .scale = 1.0f / sqrtf((float)D)};
            const float *q = qkv + start[s] * 3 * C;
            k->attention_forward(&d, t + start[s] * C, lse + start[s] * H, q, q + C, q + 2 * C);
        }
        packed_linear(k, h, t, &ly->ao_w, &ly->ao_b, N, C, C); /* h as scratch (N, C) */
        k->add_layernorm_forward(sum, x, mean, rstd, x, h, ly->ln1_w.data, ly->ln1_b.data, N, C, eps);
        packed_linear_act(k, h, pre, x, &ly->fc_w, &ly->fc_b, N, C, F, act);
        packed_linear(k, t, h, &ly->fc2_w, &ly->fc2_b, N, F, C);
        k->add_layernorm_forward(sum, x, mean, rstd, x, t, ly->ln2_w.data, ly->ln2_b.data, N, C, eps);
    }

    /* mean pooling (sentence-transformers), then the optional L2 normalisation, as attn_encoder_embed */
    for (int64_t s = 0; s < n; s++) {
        float *o = out + s * C;
        for (int64_t j = 0; j < C; j++) o[j] = 0.0f;
        for (int64_t i = start[s]; i < start[s + 1]; i++) {
            const float *row = x + i * C;
            for (int64_t j = 0; j < C; j++) o[j] += row[j];
        }
        pool_finish(o, C, (double)lengths[s], normalize);
    }
    if (!model_all_finite(out, n * C))
        return attn_errorf(ATTN_ERR_FORMAT, "non-finite values (NaN or infinity) in the sentence embedding; the weights "
                           "may be corrupt");
    return ATTN_OK;
}
