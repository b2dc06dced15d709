/* encdec.c — the encoder-decoder family: BART and the Transformer of
 * Vaswani et al. (stored as transformers' Marian); see attn/seq2seq.h.
 *
 * Follows transformers' BartForConditionalGeneration / MarianMTModel. The
 * parameter table below is the single source of sizes, offsets and names
 * (transformers' names). The query, key and value projections of a
 * self-attention lie back to back in the weight block so one (3C, C) view
 * is the fused projection op_attention reads from; the cross-attention's
 * key and value likewise form one (2C, C) view applied to the encoder
 * output, which decoding computes once per source.
 *
 * Decoding (encdec_state_*) keeps per layer the cross-attention keys/values
 * of every source (B, S, 2C) and a self-attention cache (N, max_steps, 2C)
 * for N = B * per_source hypotheses, hypothesis i in row slot[i] among its
 * source's rows (a reorder hands a row on to the first hypothesis that
 * continues it and copies only for the others); the cross-attention of a
 * step treats a source's rows as that source's queries, so nothing is
 * copied per beam. */
#include "models/encdec_impl.h"
#include "nn/nn.h"

#include <math.h>
#include <stdio.h>

/* ---- parameter table ------------------------------------------------------ */

enum { D_V = 1, D_P2, D_C, D_FE, D_FD, D_ONE };   /* dimension symbols */
enum { PART_BART = 1 };                            /* BART's learned positions and embedding norms */

#define GF(f) offsetof(struct encdec_model, f)
#define EF(f) offsetof(enc_layer, f)
#define DF(f) offsetof(dec_layer, f)
#define DW PF_DECAY
#define DWP (PF_DECAY | PF_PACK)
#define BP (PF_BIAS | PF_PACK)

/* Group 1: the encoder's layers, group 2: the decoder's. Within a layer,
 * q, k and v lie back to back (one (3C, C) view), and the
 * cross-attention's k and v (one (2C, C) view). */
static const param_row ENCDEC_ROWS[] = {
    {"model.shared.weight", ROLE_TOKEN_EMBD, {D_V, D_C}, 0, 0, 0, GF(shared)},
    {"model.encoder.embed_positions.weight", ROLE_POS_EMBD, {D_P2, D_C}, 0, PART_BART, 0, GF(enc_pos)},
    {"model.encoder.layernorm_embedding.weight", ROLE_EMBD_NORM, {D_C}, 0, PART_BART, 0, GF(enc_ln_w)},
    {"model.encoder.layernorm_embedding.bias", ROLE_EMBD_NORM, {D_C}, 0, PART_BART, PF_BIAS, GF(enc_ln_b)},
    {"model.decoder.embed_positions.weight", ROLE_POS_EMBD, {D_P2, D_C}, 0, PART_BART, 0, GF(dec_pos)},
    {"model.decoder.layernorm_embedding.weight", ROLE_EMBD_NORM, {D_C}, 0, PART_BART, 0, GF(dec_ln_w)},
    {"model.decoder.layernorm_embedding.bias", ROLE_EMBD_NORM, {D_C}, 0, PART_BART, PF_BIAS, GF(dec_ln_b)},
    /* a buffer in transformers: no gradient reaches it, so AdamW leaves it; zeros when absent */
    {"final_logits_bias", ROLE_OUTPUT, {D_ONE, D_V}, 0, 0, PF_BIAS | PF_BUFFER | PF_OPTIONAL, GF(logits_bias)},
    /* encoder layer */
    {"self_attn.q_proj.weight", ROLE_ATTN_Q, {D_C, D_C}, 1, 0, DWP, EF(q_w)},
    {"self_attn.k_proj.weight", ROLE_ATTN_K, {D_C, D_C}, 1, 0, DWP, EF(k_w)},
    {"self_attn.v_proj.weight", ROLE_ATTN_V, {D_C, D_C}, 1, 0, DW, EF(v_w)},
    {"self_attn.q_proj.bias", ROLE_ATTN_Q, {D_C}, 1, 0, BP, EF(q_b)},
    {"self_attn.k_proj.bias", ROLE_ATTN_K, {D_C}, 1, 0, BP, EF(k_b)},
    {"self_attn.v_proj.bias", ROLE_ATTN_V, {D_C}, 1, 0, PF_BIAS, EF(v_b)},
    {"self_attn.out_proj.weight", ROLE_ATTN_OUT, {D_C, D_C}, 1, 0, DW, EF(o_w)},
    {"self_attn.out_proj.bias", ROLE_ATTN_OUT, {D_C}, 1, 0, PF_BIAS, EF(o_b)},
    {"self_attn_layer_norm.weight", ROLE_ATTN_NORM, {D_C}, 1, 0, 0, EF(ln1_w)},
    {"self_attn_layer_norm.bias", ROLE_ATTN_NORM, {D_C}, 1, 0, PF_BIAS, EF(ln1_b)},
    {"fc1.weight", ROLE_FFN_UP, {D_FE, D_C}, 1, 0, DW, EF(fc1_w)},
    {"fc1.bias", ROLE_FFN_UP, {D_FE}, 1, 0, PF_BIAS, EF(fc1_b)},
    {"fc2.weight", ROLE_FFN_DOWN, {D_C, D_FE}, 1, 0, DW, EF(fc2_w)},
    {"fc2.bias", ROLE_FFN_DOWN, {D_C}, 1, 0, PF_BIAS, EF(fc2_b)},
    {"final_layer_norm.weight", ROLE_FFN_NORM, {D_C}, 1, 0, 0, EF(ln2_w)},
    {"final_layer_norm.bias", ROLE_FFN_NORM, {D_C}, 1, 0, PF_BIAS, EF(ln2_b)},
    /* decoder layer */
    {"self_attn.q_proj.weight", ROLE_ATTN_Q, {D_C, D_C}, 2, 0, DWP, DF(q_w)},
    {"self_attn.k_proj.weight", ROLE_ATTN_K, {D_C, D_C}, 2, 0, DWP, DF(k_w)},
    {"self_attn.v_proj.weight", ROLE_ATTN_V, {D_C, D_C}, 2, 0, DW, DF(v_w)},
    {"self_attn.q_proj.bias", ROLE_ATTN_Q, {D_C}, 2, 0, BP, DF(q_b)},
    {"self_attn.k_proj.bias", ROLE_ATTN_K, {D_C}, 2, 0, BP, DF(k_b)},
    {"self_attn.v_proj.bias", ROLE_ATTN_V, {D_C}, 2, 0, PF_BIAS, DF(v_b)},
    {"self_attn.out_proj.weight", ROLE_ATTN_OUT, {D_C, D_C}, 2, 0, DW, DF(o_w)},
    {"self_attn.out_proj.bias", ROLE_ATTN_OUT, {D_C}, 2, 0, PF_BIAS, DF(o_b)},
    {"self_attn_layer_norm.weight", ROLE_ATTN_NORM, {D_C}, 2, 0, 0, DF(ln1_w)},
    {"self_attn_layer_norm.bias", ROLE_ATTN_NORM, {D_C}, 2, 0, PF_BIAS, DF(ln1_b)},
    {"encoder_attn.q_proj.weight", ROLE_CROSS_Q, {D_C, D_C}, 2, 0, DW, DF(cq_w)},
    {"encoder_attn.q_proj.bias", ROLE_CROSS_Q, {D_C}, 2, 0, PF_BIAS, DF(cq_b)},
    {"encoder_attn.k_proj.weight", ROLE_CROSS_K, {D_C, D_C}, 2, 0, DWP, DF(ck_w)},
    {"encoder_attn.v_proj.weight", ROLE_CROSS_V, {D_C, D_C}, 2, 0, DW, DF(cv_w)},
    {"encoder_attn.k_proj.bias", ROLE_CROSS_K, {D_C}, 2, 0, BP, DF(ck_b)},
    {"encoder_attn.v_proj.bias", ROLE_CROSS_V, {D_C}, 2, 0, PF_BIAS, DF(cv_b)},
    {"encoder_attn.out_proj.weight", ROLE_CROSS_OUT, {D_C, D_C}, 2, 0, DW, DF(co_w)},
    {"encoder_attn.out_proj.bias", ROLE_CROSS_OUT, {D_C}, 2, 0, PF_BIAS, DF(co_b)},
    {"encoder_attn_layer_norm.weight", ROLE_CROSS_NORM, {D_C}, 2, 0, 0, DF(ln2_w)},
    {"encoder_attn_layer_norm.bias", ROLE_CROSS_NORM, {D_C}, 2, 0, PF_BIAS, DF(ln2_b)},
    {"fc1.weight", ROLE_FFN_UP, {D_FD, D_C}, 2, 0, DW, DF(fc1_w)},
    {"fc1.bias", ROLE_FFN_UP, {D_FD}, 2, 0, PF_BIAS, DF(fc1_b)},
    {"fc2.weight", ROLE_FFN_DOWN, {D_C, D_FD}, 2, 0, DW, DF(fc2_w)},
    {"fc2.bias", ROLE_FFN_DOWN, {D_C}, 2, 0, PF_BIAS, DF(fc2_b)},
    {"final_layer_norm.weight", ROLE_FFN_NORM, {D_C}, 2, 0, 0, DF(ln3_w)},
    {"final_layer_norm.bias", ROLE_FFN_NORM, {D_C}, 2, 0, PF_BIAS, DF(ln3_b)},
};
#undef DW
#undef DWP
#undef BP

/* Ignored in a checkpoint: the tied copies of the shared table (one of
 * them stands in for a missing model.shared.weight), Marian's static
 * sinusoids (recomputed; BART's learned positions are parameters) and
 * fairseq's version buffers. */
static const char *const ENCDEC_TIED[] = {"model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight", "lm_head.weight",
                                          NULL};
static const char *const ENCDEC_IGNORE[] = {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight", "lm_head.weight",
                                            "encoder.embed_positions.weight", "decoder.embed_positions.weight",
                                            "encoder.version", "decoder.version", NULL};

static const param_fuse ENCDEC_FUSE[] = {{1, 3, EF(q_w), EF(qkv_w)}, {1, 3, EF(q_b), EF(qkv_b)},
                                         {2, 3, DF(q_w), DF(qkv_w)}, {2, 3, DF(q_b), DF(qkv_b)},
                                         {2, 2, DF(ck_w), DF(ckv_w)}, {2, 2, DF(ck_b), DF(ckv_b)}, {0, 0, 0, 0}};

static const param_table ENCDEC_TABLE = {
    ENCDEC_ROWS, (int)ARRAY_LEN(ENCDEC_ROWS), {NULL, "model.encoder.layers.", "model.decoder.layers."}, "model.",
    ENCDEC_IGNORE, ENCDEC_TIED, ENCDEC_FUSE,
};

attn_encdec_config attn_encdec_default_config(attn_encdec_arch arch) {
    attn_encdec_config c;
    memset(&c, 0, sizeof c);
    c.arch = arch;
    c.bos_token_id = c.forced_bos_token_id = -1;
    if (arch == ATTN_ENCDEC_MARIAN) {
        c.vocab_size = 32000;
        c.d_model = 512;
        c.max_positions = 512;
        c.encoder_layers = c.decoder_layers = 6;
        c.encoder_heads = c.decoder_heads = 8;
        c.encoder_ffn = c.decoder_ffn = 2048;
        c.dropout = 0.1f;
        c.activation = ATTN_ENCDEC_RELU;
        c.scale_embedding = true;
        c.eos_token_id = c.forced_eos_token_id = 0;
        c.pad_token_id = c.decoder_start_token_id = (int32_t)(c.vocab_size - 1);
        return c;
    }
    c.vocab_size = 50265;
    c.d_model = 768;
    c.max_positions = 1024;
    c.encoder_layers = c.decoder_layers = 6;
    c.encoder_heads = c.decoder_heads = 12;
    c.encoder_ffn = c.decoder_ffn = 3072;
    c.dropout = 0.1f;
    c.activation = ATTN_ENCDEC_GELU;
    c.bos_token_id = 0;
    c.pad_token_id = 1;
    c.eos_token_id = c.decoder_start_token_id = c.forced_eos_token_id = 2;
    return c;
}

static bool in_vocab(int32_t id, const attn_encdec_config *c, bool optional) {
    return (optional && id == -1) || (id >= 0 && id < c->vocab_size);
}

attn_status encdec_config_check(const attn_encdec_config *c) {
    if (c->arch != ATTN_ENCDEC_BART && c->arch != ATTN_ENCDEC_MARIAN) return attn_errorf(ATTN_ERR_INVALID_ARG, "unknown encoder-decoder architecture");
    if (c->encoder_layers < 1 || c->encoder_layers > 1000 || c->decoder_layers < 1 || c->decoder_layers > 1000)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "encoder_layers and decoder_layers must be in [1, 1000]");
    if (c->d_model < 1 || c->d_model > (1 << 20) || c->encoder_heads < 1 || c->decoder_heads < 1 ||
        c->d_model % c->encoder_heads || c->d_model % c->decoder_heads)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "d_model (%lld) must be a positive multiple of the attention heads (%lld, %lld)",
                           (long long)c->d_model, (long long)c->encoder_heads, (long long)c->decoder_heads);
    if (c->d_model / c->encoder_heads > 512 || c->d_model / c->decoder_heads > 512)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "head width above 512");
    if (c->encoder_ffn < 1 || c->encoder_ffn > (1 << 22) || c->decoder_ffn < 1 || c->decoder_ffn > (1 << 22))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "encoder_ffn_dim and decoder_ffn_dim must be in [1, 2^22]");
    if (c->max_positions < 1 || c->max_positions > (1 << 20))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "max_position_embeddings must be in [1, 2^20]");
    if (c->vocab_size < 1 || c->vocab_size > (1 << 24)) return attn_errorf(ATTN_ERR_INVALID_ARG, "vocab_size must be in [1, 2^24]");
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f) || !(c->activation_dropout >= 0.0f && c->activation_dropout < 1.0f))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "dropout must be in [0, 1)");
    if ((unsigned)c->activation > ATTN_ENCDEC_GELU_TANH) return attn_errorf(ATTN_ERR_INVALID_ARG, "unknown activation");
    if (!in_vocab(c->pad_token_id, c, false) || !in_vocab(c->eos_token_id, c, false) ||
        !in_vocab(c->decoder_start_token_id, c, false))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pad_token_id, eos_token_id and decoder_start_token_id must be in the vocabulary [0, %lld)",
                           (long long)c->vocab_size);
    if (!in_vocab(c->bos_token_id, c, true) || !in_vocab(c->forced_bos_token_id, c, true) ||
        !in_vocab(c->forced_eos_token_id, c, true))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "bos_token_id, forced_bos_token_id and forced_eos_token_id must be -1 or in the vocabulary");
    return ATTN_OK;
}

void encdec_sync_views(attn_model *m) {
    struct encdec_model *e = m->encdec;
    params_sync(m, (void *const[3]){e, e->enc, e->dec}, (const size_t[3]){0, sizeof(enc_layer), sizeof(dec_layer)});
}

void encdec_free(struct encdec_model *e) {
    if (!e) return;
    attn_free(e->enc);
    attn_free(e->dec);
    attn_free(e->sinusoid.data);
    attn_free(e);
}

/* transformers' MarianSinusoidalPositionalEmbedding: angle(p, j) =
 * p / 10000^(2 floor(j/2) / C); columns [0, ceil(C/2)) hold sin of the even
 * j, the rest cos of the odd j. Computed in double, stored as float. */
static void fill_sinusoid(float *w, int64_t P, int64_t C) {
    int64_t half = C % 2 == 0 ? C / 2 : C / 2 + 1;
    for (int64_t p = 0; p < P; p++)
        for (int64_t j = 0; j < C; j++) {
            double angle = (double)p / pow(10000.0, 2.0 * (double)(j / 2) / (double)C);
            if (j % 2 == 0)
                w[p * C + j / 2] = (float)sin(angle);
            else
                w[p * C + half + j / 2] = (float)cos(angle);
        }
}

static attn_gpt_config shared_config(const attn_encdec_config *c) {
    attn_gpt_config g = attn_gpt_default_config();
    g.n_layer = c->encoder_layers + c->decoder_layers;
    g.n_head = c->decoder_heads;
    g.n_embd = c->d_model;
    g.n_ctx = c->max_positions;
    g.vocab_size = c->vocab_size;
    g.n_inner = c->decoder_ffn;
    g.dropout = c->dropout;
    g.bos_token_id = c->bos_token_id;
    g.eos_token_id = c->eos_token_id;
    return g;
}

attn_status encdec_alloc(const attn_encdec_config *cfg, attn_model **out) {
    *out = NULL;
    attn_status st = encdec_config_check(cfg);
    if (st) return st;
    attn_model *m = attn_calloc(1, sizeof *m);
    if (!m) return ATTN_ERR_OUT_OF_MEMORY;
    m->kind = MODEL_ENCDEC;
    m->arch = registry_find(cfg->arch == ATTN_ENCDEC_BART ? "bart" : "marian");
    m->cfg = shared_config(cfg);
    int64_t LE = cfg->encoder_layers, LD = cfg->decoder_layers, C = cfg->d_model;
    struct encdec_model *e = m->encdec = attn_calloc(1, sizeof *m->encdec);
    if (!e || !(e->enc = attn_calloc((size_t)LE, sizeof *e->enc)) || !(e->dec = attn_calloc((size_t)LD, sizeof *e->dec))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    e->cfg = *cfg;
    e->gen_decoder_start = cfg->decoder_start_token_id;
    e->gen_eos = cfg->eos_token_id;
    e->gen_pad = cfg->pad_token_id;
    e->gen_forced_bos = cfg->forced_bos_token_id;
    e->gen_forced_eos = cfg->forced_eos_token_id;
    e->gen_num_beams = 1;
    e->gen_length_penalty = 1.0f;
    if (cfg->arch == ATTN_ENCDEC_MARIAN) {
        size_t bytes;
        if (!size_mul((size_t)(cfg->max_positions * C), sizeof(float), &bytes) || !(e->sinusoid.data = attn_malloc(bytes))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        fill_sinusoid(e->sinusoid.data, cfg->max_positions, C);
        e->sinusoid.ndim = 2;
        e->sinusoid.shape[0] = cfg->max_positions;
        e->sinusoid.shape[1] = C;
        e->sinusoid.numel = cfg->max_positions * C;
    }
    param_layout lay = {.layers = {1, LE, LD}, .parts = cfg->arch == ATTN_ENCDEC_BART ? PART_BART : 0, .prefix = ""};
    lay.dims[D_V] = cfg->vocab_size;
    lay.dims[D_P2] = cfg->max_positions + 2;
    lay.dims[D_C] = C;
    lay.dims[D_FE] = cfg->encoder_ffn;
    lay.dims[D_FD] = cfg->decoder_ffn;
    lay.dims[D_ONE] = 1;
    if ((st = params_build(m, &ENCDEC_TABLE, &lay)) != ATTN_OK) goto fail;
    encdec_sync_views(m);
    *out = m;
    return ATTN_OK;
fail:
    attn_model_free(m);
    return st;
}

attn_status attn_encdec_new(const attn_encdec_config *cfg, uint64_t seed, attn_model **out) {
    attn_model *m;
    attn_status st = encdec_alloc(cfg, &m);
    if (st) return st;
    params_init(m, seed, 0.02f, 0);
    int64_t C = cfg->d_model;
    memset(m->encdec->shared.data + cfg->pad_token_id * C, 0, (size_t)C * sizeof(float));
    *out = m;
    return ATTN_OK;
}

bool attn_model_encdec_config(const attn_model *m, attn_encdec_config *cfg) {
    if (!m || !m->encdec) return false;
    if (cfg) *cfg = m->encdec->cfg;
    return true;
}

/* ---- forward -------------------------------------------------------------- */

/* act(x w^T + b) */
static kernel_act activation(attn_encdec_activation act) {
    return act == ATTN_ENCDEC_RELU ? KACT_RELU : act == ATTN_ENCDEC_GELU_TANH ? KACT_GELU : KACT_GELU_ERF;
}

/* Token embeddings (scaled) plus positions pos0 .. pos0 + T - 1, then
 * BART's embedding LayerNorm and dropout. */
static tensor *embed(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, int64_t pos0, bool decoder) {
    if (g->status) return NULL;
    struct encdec_model *e = m->encdec;
    const attn_encdec_config *c = &e->cfg;
    if (B < 1 || T < 1) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "an encoder-decoder batch needs at least one row and one token");
        return NULL;
    }
    if (pos0 + T > c->max_positions) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "a %s of %lld tokens is longer than the %lld positions the model has",
                                decoder ? "target" : "source", (long long)(pos0 + T), (long long)c->max_positions);
        return NULL;
    }
    bool bart = c->arch == ATTN_ENCDEC_BART;
    int32_t *pos = graph_ints(g, B * T);
    if (!pos) return NULL;
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++) pos[b * T + t] = (int32_t)(pos0 + t + (bart ? 2 : 0));
    tensor *x = op_embedding_padded(g, &e->shared, ids, B, T, c->pad_token_id);
    if (c->scale_embedding) x = op_scale(g, x, sqrtf((float)c->d_model));
    tensor *table = bart ? (decoder ? &e->dec_pos : &e->enc_pos) : &e->sinusoid;
    x = op_add(g, x, op_embedding(g, table, pos, B, T));
    if (bart) x = op_layernorm(g, x, decoder ? &e->dec_ln_w : &e->enc_ln_w, decoder ? &e->dec_ln_b : &e->enc_ln_b, 1e-5f);
    return op_dropout(g, x, c->dropout);
}

/* Layer views as the nn/ layers take them. */
static nn_mlp layer_mlp(const attn_encdec_config *c, tensor *w1, tensor *b1, tensor *w2, tensor *b2) {
    return (nn_mlp){.up_w = w1, .up_b = b1, .down_w = w2, .down_b = b2, .act = activation(c->activation), .dropout = c->activation_dropout};
}

static nn_norm norm(tensor *w, tensor *b) { return (nn_norm){.w = w, .b = b, .eps = 1e-5f}; }

/* Encoder output (B, S, C); mask (B, S) 1 = real token (kept until backward). */
static tensor *encode(attn_model *m, graph *g, const int32_t *src, const uint8_t *mask, int64_t B, int64_t S) {
    struct encdec_model *e = m->encdec;
    const attn_encdec_config *c = &e->cfg;
    tensor *x = embed(m, g, src, B, S, 0, false);
    for (int64_t l = 0; l < c->encoder_layers; l++) {
        enc_layer *ly = &e->enc[l];
        nn_attn a = {.qkv_w = &ly->qkv_w, .qkv_b = &ly->qkv_b, .o_w = &ly->o_w, .o_b = &ly->o_b, .n_head = c->encoder_heads};
        nn_norm n1 = norm(&ly->ln1_w, &ly->ln1_b), n2 = norm(&ly->ln2_w, &ly->ln2_b);
        nn_mlp f = layer_mlp(c, &ly->fc1_w, &ly->fc1_b, &ly->fc2_w, &ly->fc2_b);
        x = nn_post_norm_block(g, x, &a, &n1, &f, &n2, c->dropout, false, mask, NULL);
    }
    return x;
}

/* Decoder output (B, T, C) of a full pass over tgt_in, attending to enc. */
static tensor *decode_full(attn_model *m, graph *g, const int32_t *tgt_in, int64_t B, int64_t T, tensor *enc,
                           const uint8_t *mask) {
    struct encdec_model *e = m->encdec;
    const attn_encdec_config *c = &e->cfg;
    int64_t H = c->decoder_heads;
    tensor *x = embed(m, g, tgt_in, B, T, 0, true);
    for (int64_t l = 0; l < c->decoder_layers; l++) {
        dec_layer *ly = &e->dec[l];
        nn_attn a = {.qkv_w = &ly->qkv_w, .qkv_b = &ly->qkv_b, .o_w = &ly->o_w, .o_b = &ly->o_b, .n_head = H};
        nn_cross ca = {&ly->cq_w, &ly->cq_b, &ly->ckv_w, &ly->ckv_b, &ly->co_w, &ly->co_b, H};
        nn_norm n1 = norm(&ly->ln1_w, &ly->ln1_b), n2 = norm(&ly->ln2_w, &ly->ln2_b), n3 = norm(&ly->ln3_w, &ly->ln3_b);
        nn_mlp f = layer_mlp(c, &ly->fc1_w, &ly->fc1_b, &ly->fc2_w, &ly->fc2_b);
        x = nn_add_norm(g, x, nn_self_attention(g, x, &a, true, NULL, NULL), c->dropout, &n1);
        x = nn_add_norm(g, x, nn_cross_attention(g, x, enc, &ca, mask), c->dropout, &n2);
        x = nn_add_norm(g, x, nn_mlp_forward(g, x, &f), c->dropout, &n3);
    }
    return x;
}

static tensor *lm_head(attn_model *m, graph *g, tensor *x) {
    return op_linear(g, x, &m->encdec->shared, &m->encdec->logits_bias);
}

/* The source padding mask (B, S) from the graph's arena, or NULL after an
 * error (an empty source is one). */
static uint8_t *source_mask(attn_model *m, graph *g, const int32_t *src, int64_t B, int64_t S) {
    if (g->status) return NULL;
    if (B < 1 || S < 1) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "an encoder-decoder batch needs at least one source token");
        return NULL;
    }
    int32_t *buf = graph_ints(g, (B * S + 3) / 4);
    if (!buf) return NULL;
    uint8_t *mask = (uint8_t *)buf;
    int32_t pad = m->encdec->cfg.pad_token_id;
    for (int64_t b = 0; b < B; b++) {
        int64_t n = 0;
        for (int64_t s = 0; s < S; s++) n += mask[b * S + s] = src[b * S + s] != pad;
        if (!n) {
            g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "source %lld is empty (only padding)", (long long)b);
            return NULL;
        }
    }
    return mask;
}

/* ---- non-finite outputs --------------------------------------------------- */

/* A full, uncached pass as the diagnostic pass of model_nonfinite_error
 * reruns it: the encoder over src (B, S), then, given tgt_in (B, T), the
 * decoder and the logits. */
typedef struct full_pass {
    const int32_t *src, *tgt_in;
    int64_t B, S, T;
} full_pass;

static tensor *rerun_full(attn_model *m, graph *g, void *ctx) {
    const full_pass *a = ctx;
    uint8_t *mask = source_mask(m, g, a->src, a->B, a->S);
    tensor *enc = encode(m, g, a->src, mask, a->B, a->S);
    return a->tgt_in ? lm_head(m, g, decode_full(m, g, a->tgt_in, a->B, a->T, enc, mask)) : enc;
}

/* ATTN_OK when the n floats of x (what: the output they are) are finite;
 * otherwise ATTN_ERR_FORMAT naming where non-finite values first appear
 * in the pass a (the one check of the normal path is the scan of x; the
 * diagnostic pass runs on a graph of its own). */
static attn_status check_output(attn_model *m, const float *x, int64_t n, const char *what, full_pass a) {
    return model_all_finite(x, n) ? ATTN_OK : model_nonfinite_error(m, what, rerun_full, &a);
}

tensor *encdec_loss(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt_in,
                    const int32_t *tgt_out, int64_t B, int64_t T, float label_smoothing) {
    if (!m->encdec) {
        if (!g->status) g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "not an encoder-decoder model");
        return NULL;
    }
    uint8_t *mask = source_mask(m, g, src, B, S);
    tensor *enc = encode(m, g, src, mask, B, S);
    tensor *logits = lm_head(m, g, decode_full(m, g, tgt_in, B, T, enc, mask));
    return op_cross_entropy_smooth(g, logits, tgt_out, -1, label_smoothing);
}

static attn_status run_in(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt_in, int64_t B,
                          int64_t T, float *enc_out, float *dec_out, float *logits) {
    graph_reset(g, false, false, 0);
    uint8_t *mask = source_mask(m, g, src, B, S);
    tensor *enc = encode(m, g, src, mask, B, S);
    tensor *dec = tgt_in ? decode_full(m, g, tgt_in, B, T, enc, mask) : NULL;
    tensor *lg = dec && logits ? lm_head(m, g, dec) : NULL;
    if (g->status || !enc || (tgt_in && !dec) || (tgt_in && logits && !lg)) return g->status ? g->status : ATTN_ERR_INVALID_ARG;
    full_pass a = {src, tgt_in, B, S, T};
    attn_status st = check_output(m, enc->data, enc->numel, "encoder output", (full_pass){src, NULL, B, S, 0});
    if (!st && dec) st = check_output(m, dec->data, dec->numel, "decoder output", a);
    if (!st && lg) st = check_output(m, lg->data, lg->numel, "logits", a);
    if (st) return st;
    if (enc_out) memcpy(enc_out, enc->data, (size_t)enc->numel * sizeof(float));
    if (dec_out && dec) memcpy(dec_out, dec->data, (size_t)dec->numel * sizeof(float));
    if (logits && lg) memcpy(logits, lg->data, (size_t)lg->numel * sizeof(float));
    return ATTN_OK;
}

attn_status encdec_run(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt_in, int64_t B, int64_t T,
                       float *enc_out, float *dec_out, float *logits) {
    if (!m || !m->encdec) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an encoder-decoder model");
    graph g;
    graph_init(&g, NULL);
    attn_status st = run_in(m, &g, src, S, tgt_in, B, T, enc_out, dec_out, logits);
    graph_free(&g);
    return st;
}

/* ---- scoring -------------------------------------------------------------- */

static attn_status score_in(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                            double *nll, int64_t *n_tokens) {
    const attn_encdec_config *c = &m->encdec->cfg;
    int64_t V = c->vocab_size;
    graph_reset(g, false, false, 0);
    int32_t *in = graph_ints(g, B * T);
    if (!in) return g->status;
    attn_status st = s2s_score_inputs(tgt, B, T, V, c->decoder_start_token_id, c->pad_token_id, in, nll, n_tokens);
    if (st) return st;
    uint8_t *mask = source_mask(m, g, src, B, S);
    tensor *enc = encode(m, g, src, mask, B, S);
    tensor *logits = lm_head(m, g, decode_full(m, g, in, B, T, enc, mask));
    if (!logits) return g->status ? g->status : ATTN_ERR_INVALID_ARG;
    if ((st = check_output(m, logits->data, logits->numel, "logits", (full_pass){src, in, B, S, T}))) return st;
    s2s_score_add(logits->data, tgt, B, T, V, nll);
    return ATTN_OK;
}

attn_status encdec_s2s_score(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                             double *nll, int64_t *n_tokens) {
    if (!src || !tgt || !nll || !n_tokens || B < 1 || T < 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "seq2seq score: empty batch or missing buffers");
    graph g;
    graph_init(&g, NULL);
    attn_status st = score_in(m, &g, src, S, tgt, T, B, nll, n_tokens);
    graph_free(&g);
    return st;
}

/* ---- decoding state ------------------------------------------------------- */

struct encdec_state {
    attn_model *m;
    graph g;
    int64_t B, S, per_source, N, max_steps, len;
    uint8_t *mask;            /* (B, S) */
    float **cross;            /* per decoder layer (B, S, 2C): keys then values */
    float **self;             /* per decoder layer (N, max_steps, 2C), rows in slot order */
    int32_t *slot;            /* (N) the cache row of each hypothesis, within its source's rows */
    int32_t *work;            /* (4 N) reordering: children per hypothesis, new slots, free slots; the step's tokens by slot */
    int32_t *hist_tmp;        /* (N, max_steps) reordering the histories */
    int32_t *src;             /* (B, S) the sources and (N, max_steps) each hypothesis's */
    int32_t *hist;            /* tokens fed so far: the input of a diagnostic pass */
};

void encdec_state_free(encdec_state *s) {
    if (!s) return;
    int64_t L = s->m->encdec->cfg.decoder_layers;
    for (int64_t l = 0; l < L; l++) {
        if (s->cross) attn_free_aligned(s->cross[l]);
        if (s->self) attn_free_aligned(s->self[l]);
    }
    attn_free(s->cross);
    attn_free(s->self);
    attn_free(s->slot);
    attn_free(s->work);
    attn_free(s->hist_tmp);
    attn_free(s->mask);
    attn_free(s->src);
    attn_free(s->hist);
    graph_free(&s->g);
    attn_free(s);
}

attn_status encdec_state_new(attn_model *m, const int32_t *src, int64_t B, int64_t S, int64_t per_source,
                             int64_t max_steps, encdec_state **out) {
    *out = NULL;
    if (!m || !m->encdec) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an encoder-decoder model");
    const attn_encdec_config *c = &m->encdec->cfg;
    if (B < 1 || S < 1 || per_source < 1 || max_steps < 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "decoding needs at least one source, one source token and one step");
    if (max_steps > c->max_positions)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "decoding %lld positions exceeds the %lld positions the model has",
                           (long long)max_steps, (long long)c->max_positions);
    int64_t C = c->d_model, L = c->decoder_layers, N = B * per_source;
    encdec_state *s = attn_calloc(1, sizeof *s);
    if (!s) return ATTN_ERR_OUT_OF_MEMORY;
    s->m = m;
    graph_init(&s->g, NULL);
    s->B = B, s->S = S, s->per_source = per_source, s->N = N, s->max_steps = max_steps;
    attn_status st = ATTN_OK;
    size_t cross_bytes, self_bytes;
    if (!size_mul((size_t)(B * S), (size_t)(2 * C) * sizeof(float), &cross_bytes) ||
        !size_mul((size_t)(N * max_steps), (size_t)(2 * C) * sizeof(float), &self_bytes)) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "decoding state size overflows");
        goto fail;
    }
    s->cross = attn_calloc((size_t)L, sizeof *s->cross);
    s->self = attn_calloc((size_t)L, sizeof *s->self);
    s->mask = attn_malloc((size_t)(B * S));
    s->slot = attn_malloc((size_t)N * sizeof *s->slot);
    s->work = attn_malloc((size_t)(4 * N) * sizeof *s->work);
    s->hist_tmp = attn_malloc((size_t)(N * max_steps) * sizeof *s->hist_tmp);
    s->src = attn_malloc((size_t)(B * S) * sizeof *s->src);
    s->hist = attn_malloc((size_t)(N * max_steps) * sizeof *s->hist);
    if (!s->cross || !s->self || !s->mask || !s->slot || !s->work || !s->hist_tmp || !s->src || !s->hist) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (int64_t l = 0; l < L; l++)
        if (!(s->cross[l] = attn_malloc_aligned(cross_bytes)) || !(s->self[l] = attn_malloc_aligned(self_bytes))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto fail;
        }
    graph *g = &s->g;
    graph_reset(g, false, false, 0);
    uint8_t *mask = source_mask(m, g, src, B, S);
    tensor *enc = encode(m, g, src, mask, B, S);
    for (int64_t l = 0; l < L && enc; l++) {
        tensor *kv = op_linear(g, enc, &m->encdec->dec[l].ckv_w, &m->encdec->dec[l].ckv_b);
        if (kv) memcpy(s->cross[l], kv->data, cross_bytes);
    }
    if (g->status || !enc) {
        st = g->status ? g->status : ATTN_ERR_INVALID_ARG;
        goto fail;
    }
    memcpy(s->src, src, (size_t)(B * S) * sizeof *src);
    memcpy(s->mask, mask, (size_t)(B * S));
    for (int64_t i = 0; i < N; i++) s->slot[i] = (int32_t)i;
    *out = s;
    return ATTN_OK;
fail:
    encdec_state_free(s);
    return st;
}

/* Non-finite logits at decoding step s->len: the diagnostic pass reruns the
 * full, uncached pass over each hypothesis's source and its tokens so far
 * (the cached step computes the same values). */
static attn_status step_nonfinite(encdec_state *s) {
    attn_model *m = s->m;
    int64_t N = s->N, S = s->S, T = s->len + 1, T1 = s->max_steps;
    char what[64];
    snprintf(what, sizeof what, "logits of decoding step %lld", (long long)T);
    int32_t *src = attn_malloc((size_t)(N * S) * sizeof *src), *tgt = attn_malloc((size_t)(N * T) * sizeof *tgt);
    if (src && tgt)
        for (int64_t n = 0; n < N; n++) {
            memcpy(src + n * S, s->src + n / s->per_source * S, (size_t)S * sizeof *src);
            memcpy(tgt + n * T, s->hist + n * T1, (size_t)T * sizeof *tgt);
        }
    full_pass a = {src, tgt, N, S, T};
    attn_status st = model_nonfinite_error(m, what, src && tgt ? rerun_full : NULL, &a);
    attn_free(src);
    attn_free(tgt);
    return st;
}

attn_status encdec_state_step(encdec_state *s, const int32_t *tokens, float *logits) {
    attn_model *m = s->m;
    struct encdec_model *e = m->encdec;
    const attn_encdec_config *c = &e->cfg;
    int64_t C = c->d_model, H = c->decoder_heads, N = s->N, T1 = s->max_steps;
    if (s->len >= s->max_steps) return attn_errorf(ATTN_ERR_INVALID_ARG, "decoding ran past its %lld steps", (long long)T1);
    graph *g = &s->g;
    graph_reset(g, false, false, 0);
    /* the decoder's rows are the cache's: hypothesis n is row slot[n] */
    int32_t *by_slot = s->work;
    for (int64_t n = 0; n < N; n++) {
        s->hist[n * T1 + s->len] = tokens[n];
        by_slot[s->slot[n]] = tokens[n];
    }
    tensor *x = embed(m, g, by_slot, N, 1, s->len, true);
    for (int64_t l = 0; l < c->decoder_layers && x; l++) {
        dec_layer *ly = &e->dec[l];
        nn_attn sa = {.qkv_w = &ly->qkv_w, .qkv_b = &ly->qkv_b, .o_w = &ly->o_w, .o_b = &ly->o_b, .n_head = H};
        nn_kv kv = {.kv = s->self[l], .stride = T1 * 2 * C, .len = s->len};
        nn_norm n1 = norm(&ly->ln1_w, &ly->ln1_b), n2 = norm(&ly->ln2_w, &ly->ln2_b), n3 = norm(&ly->ln3_w, &ly->ln3_b);
        nn_mlp f = layer_mlp(c, &ly->fc1_w, &ly->fc1_b, &ly->fc2_w, &ly->fc2_b);
        x = nn_add_norm(g, x, nn_self_attention(g, x, &sa, true, NULL, &kv), 0.0f, &n1);
        tensor *q = op_linear(g, x, &ly->cq_w, &ly->cq_b);
        if (!q) break;
        /* the source's hypotheses are its queries: (B, per_source, C) */
        tensor qv = *q;
        qv.shape[0] = s->B;
        qv.shape[1] = s->per_source;
        tensor *a = op_attention_cached(g, &qv, 0, s->cross[l], 2 * C, s->S * 2 * C, s->S, 0, C, C, H, false, s->mask);
        if (!a) break;
        a->shape[0] = N;
        a->shape[1] = 1;
        x = nn_add_norm(g, x, op_linear(g, a, &ly->co_w, &ly->co_b), 0.0f, &n2);
        x = nn_add_norm(g, x, nn_mlp_forward(g, x, &f), 0.0f, &n3);
    }
    tensor *lg = x ? lm_head(m, g, x) : NULL;
    if (!lg) return g->status ? g->status : ATTN_ERR_INVALID_ARG;
    /* each row checked and copied out while in cache, rows on the team */
    int64_t V = c->vocab_size;
    bool finite = true;
#pragma omp parallel for reduction(&& : finite) if (lg->numel >= ((int64_t)1 << 16)) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *row = lg->data + s->slot[n] * V;
        finite = model_all_finite(row, V) && finite;
        memcpy(logits + n * V, row, (size_t)V * sizeof(float));
    }
    if (!finite) return step_nonfinite(s);
    s->len++;
    return ATTN_OK;
}

attn_status encdec_state_reorder(encdec_state *s, const int32_t *from) {
    int64_t N = s->N, C = s->m->encdec->cfg.d_model, T1 = s->max_steps, row = T1 * 2 * C;
    for (int64_t i = 0; i < N; i++)
        if (from[i] < 0 || from[i] >= N || from[i] / s->per_source != i / s->per_source)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "reorder: hypothesis %lld cannot continue hypothesis %d", (long long)i,
                               (int)from[i]);
    size_t used = (size_t)(s->len * 2 * C) * sizeof(float);
    /* The first hypothesis that continues another takes over its cache row;
     * each further one gets the row of a hypothesis of the same source that
     * none continues, with a copy of the cached keys and values. Copies read
     * rows kept and write rows let go: nothing is overwritten before read. */
    int32_t *children = s->work, *next = s->work + N, *spare = s->work + 2 * N;
    for (int64_t i = 0; i < N; i++) children[i] = 0;
    for (int64_t i = 0; i < N; i++) children[from[i]]++;
    int64_t n_copy = 0;
    for (int64_t b0 = 0; b0 < N; b0 += s->per_source) {
        int64_t n_spare = 0, used_spare = 0;
        for (int64_t i = b0; i < b0 + s->per_source; i++)
            if (!children[i]) spare[n_spare++] = s->slot[i];
        for (int64_t i = b0; i < b0 + s->per_source; i++) {
            int32_t p = from[i];
            if (children[p] > 0) { /* the first child */
                next[i] = s->slot[p];
                children[p] = -children[p];
            } else {
                next[i] = spare[used_spare++];
                n_copy++;
            }
        }
    }
    int64_t L = s->m->encdec->cfg.decoder_layers;
    /* the rows copied in parallel from 256 KiB: a memory-bound copy */
#pragma omp parallel for collapse(2) if (n_copy * (int64_t)used >= ((int64_t)1 << 18)) schedule(static)
    for (int64_t l = 0; l < L; l++)
        for (int64_t i = 0; i < N; i++)
            if (next[i] != s->slot[from[i]]) memcpy(s->self[l] + next[i] * row, s->self[l] + s->slot[from[i]] * row, used);
    memcpy(s->slot, next, (size_t)N * sizeof *s->slot);
    int32_t *h = s->hist_tmp;
    for (int64_t i = 0; i < N; i++) memcpy(h + i * s->len, s->hist + from[i] * T1, (size_t)s->len * sizeof *h);
    for (int64_t i = 0; i < N; i++) memcpy(s->hist + i * T1, h + i * s->len, (size_t)s->len * sizeof *h);
    return ATTN_OK;
}

attn_status encdec_state_keep(encdec_state *s, const int32_t *sources, int64_t n) {
    int64_t C = s->m->encdec->cfg.d_model, T1 = s->max_steps, S = s->S, ps = s->per_source, row = T1 * 2 * C;
    for (int64_t j = 0; j < n; j++)
        if (sources[j] < 0 || sources[j] >= s->B || (j && sources[j] <= sources[j - 1]))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "keep: sources must be increasing indices below %lld", (long long)s->B);
    if (n < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "keep: at least one source");
    /* row j takes row sources[j] >= j: moved towards the front, in order */
    for (int64_t j = 0; j < n; j++) {
        int64_t b = sources[j];
        if (b == j) continue;
        memcpy(s->mask + j * S, s->mask + b * S, (size_t)S);
        memcpy(s->src + j * S, s->src + b * S, (size_t)S * sizeof *s->src);
        for (int64_t l = 0; l < s->m->encdec->cfg.decoder_layers; l++) {
            memcpy(s->cross[l] + j * S * 2 * C, s->cross[l] + b * S * 2 * C, (size_t)(S * 2 * C) * sizeof(float));
            for (int64_t h = 0; h < ps; h++)
                memcpy(s->self[l] + (j * ps + h) * row, s->self[l] + (b * ps + h) * row,
                       (size_t)(s->len * 2 * C) * sizeof(float));
        }
        for (int64_t h = 0; h < ps; h++) {
            memcpy(s->hist + (j * ps + h) * T1, s->hist + (b * ps + h) * T1, (size_t)s->len * sizeof *s->hist);
            s->slot[j * ps + h] = (int32_t)(s->slot[b * ps + h] - (b - j) * ps); /* the source's rows moved as a block */
        }
    }
    s->B = n;
    s->N = n * ps;
    return ATTN_OK;
}

/* ---- the family's translation functions ----------------------------------- */

void encdec_s2s_defaults(const attn_model *m, attn_seq2seq_params *p) {
    const struct encdec_model *e = m->encdec;
    p->decoder_start_token_id = e->gen_decoder_start;
    p->eos_token_id = e->gen_eos;
    p->pad_token_id = e->gen_pad;
    p->forced_bos_token_id = e->gen_forced_bos;
    p->forced_eos_token_id = e->gen_forced_eos;
    if (e->gen_max_length > 0) p->max_length = e->gen_max_length;
    p->min_length = e->gen_min_length;
    p->num_beams = e->gen_num_beams;
    p->length_penalty = e->gen_length_penalty;
    p->early_stopping = e->gen_early_stopping;
}

attn_status encdec_s2s_begin(attn_model *m, const int32_t *src, int64_t B, int64_t S, int64_t per_source, int64_t max_steps,
                             void **state) {
    encdec_state *s = NULL;
    attn_status st = encdec_state_new(m, src, B, S, per_source, max_steps, &s);
    *state = s;
    return st;
}

attn_status encdec_s2s_step(void *state, const int32_t *tokens, float *logits) { return encdec_state_step(state, tokens, logits); }

attn_status encdec_s2s_reorder(void *state, const int32_t *from) { return encdec_state_reorder(state, from); }

attn_status encdec_s2s_keep(void *state, const int32_t *sources, int64_t n) { return encdec_state_keep(state, sources, n); }

void encdec_s2s_end(void *state) { encdec_state_free(state); }
