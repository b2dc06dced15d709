/* rnn.c — RNNsearch and RNNencdec (architecture and names: include/attn/rnn.h).
 *
 * The parameter table below is the single source of sizes, offsets and
 * checkpoint names. The encoder runs each GRU direction as one GEMM over
 * all positions (op_linear) plus one recurrent op (op_gru); the decoder is
 * one function, decoder_step, shared by teacher-forced training (whose
 * deep output and logits are then one GEMM over all steps) and by the step
 * API used for greedy and beam search, so the two cannot drift apart. */
#include "models/model_impl.h"
#include "nn/nn.h"

#include <math.h>
#include <stdio.h>

/* ---- parameter table ------------------------------------------------------ */

enum { D_ONE = 1, D_VS, D_VT, D_E, D_H, D_2H, D_3H, D_A, D_M, D_2M, D_DEC_IN, D_OUT_IN };  /* dimension symbols */
enum { PART_ATTENTION = 1, PART_UNTIED = 2 };  /* RNNsearch's alignment model; an output projection of its own */

typedef enum rparam {
    RP_SRC_EMB, RP_TGT_EMB,
    RP_ENC_WIH, RP_ENC_WHH, RP_ENC_BIH, RP_ENC_BHH,
    RP_ENC_WIH_R, RP_ENC_WHH_R, RP_ENC_BIH_R, RP_ENC_BHH_R,
    RP_INIT_W, RP_INIT_B,
    RP_ATT_W, RP_ATT_U, RP_ATT_UB, RP_ATT_V,
    RP_DEC_WIH, RP_DEC_WHH, RP_DEC_BIH, RP_DEC_BHH,
    RP_PRE_W, RP_PRE_B, RP_PROJ_W, RP_PROJ_B,
    RP_COUNT
} rparam;

/* In rparam order: the model reaches each tensor by its row (rnn_model.p). */
static const param_row RNN_ROWS[RP_COUNT] = {
    [RP_SRC_EMB] = {"src_embed.weight", ROLE_TOKEN_EMBD, {D_VS, D_E}, 0, 0, 0, 0},
    [RP_TGT_EMB] = {"tgt_embed.weight", ROLE_TOKEN_EMBD, {D_VT, D_E}, 0, 0, 0, 0},
    [RP_ENC_WIH] = {"encoder.weight_ih_l0", ROLE_OTHER, {D_3H, D_E}, 0, 0, PF_DECAY, 0},
    [RP_ENC_WHH] = {"encoder.weight_hh_l0", ROLE_OTHER, {D_3H, D_H}, 0, 0, PF_DECAY, 0},
    [RP_ENC_BIH] = {"encoder.bias_ih_l0", ROLE_OTHER, {D_3H}, 0, 0, PF_BIAS, 0},
    [RP_ENC_BHH] = {"encoder.bias_hh_l0", ROLE_OTHER, {D_3H}, 0, 0, PF_BIAS, 0},
    [RP_ENC_WIH_R] = {"encoder.weight_ih_l0_reverse", ROLE_OTHER, {D_3H, D_E}, 0, 0, PF_DECAY, 0},
    [RP_ENC_WHH_R] = {"encoder.weight_hh_l0_reverse", ROLE_OTHER, {D_3H, D_H}, 0, 0, PF_DECAY, 0},
    [RP_ENC_BIH_R] = {"encoder.bias_ih_l0_reverse", ROLE_OTHER, {D_3H}, 0, 0, PF_BIAS, 0},
    [RP_ENC_BHH_R] = {"encoder.bias_hh_l0_reverse", ROLE_OTHER, {D_3H}, 0, 0, PF_BIAS, 0},
    [RP_INIT_W] = {"init.weight", ROLE_OTHER, {D_H, D_H}, 0, 0, PF_DECAY, 0},
    [RP_INIT_B] = {"init.bias", ROLE_OTHER, {D_H}, 0, 0, PF_BIAS, 0},
    [RP_ATT_W] = {"attn.W.weight", ROLE_OTHER, {D_A, D_H}, 0, PART_ATTENTION, PF_DECAY, 0},
    [RP_ATT_U] = {"attn.U.weight", ROLE_OTHER, {D_A, D_2H}, 0, PART_ATTENTION, PF_DECAY, 0},
    [RP_ATT_UB] = {"attn.U.bias", ROLE_OTHER, {D_A}, 0, PART_ATTENTION, PF_BIAS, 0},
    [RP_ATT_V] = {"attn.v.weight", ROLE_OTHER, {D_ONE, D_A}, 0, PART_ATTENTION, PF_DECAY, 0},
    [RP_DEC_WIH] = {"decoder.weight_ih", ROLE_OTHER, {D_3H, D_DEC_IN}, 0, 0, PF_DECAY, 0},
    [RP_DEC_WHH] = {"decoder.weight_hh", ROLE_OTHER, {D_3H, D_H}, 0, 0, PF_DECAY, 0},
    [RP_DEC_BIH] = {"decoder.bias_ih", ROLE_OTHER, {D_3H}, 0, 0, PF_BIAS, 0},
    [RP_DEC_BHH] = {"decoder.bias_hh", ROLE_OTHER, {D_3H}, 0, 0, PF_BIAS, 0},
    [RP_PRE_W] = {"out.pre.weight", ROLE_OTHER, {D_2M, D_OUT_IN}, 0, 0, PF_DECAY, 0},
    [RP_PRE_B] = {"out.pre.bias", ROLE_OTHER, {D_2M}, 0, 0, PF_BIAS, 0},
    [RP_PROJ_W] = {"out.proj.weight", ROLE_OUTPUT, {D_VT, D_M}, 0, PART_UNTIED, PF_DECAY, 0},
    [RP_PROJ_B] = {"out.proj.bias", ROLE_OUTPUT, {D_VT}, 0, 0, PF_BIAS, 0},
};

static const param_table RNN_TABLE = {RNN_ROWS, RP_COUNT, {NULL, NULL, NULL}, NULL, NULL, NULL, NULL};

struct rnn_model {
    attn_rnn_config cfg;
    tensor *p[RP_COUNT];      /* into attn_model.ptensors; NULL when absent */
};

attn_rnn_config attn_rnn_default_config(void) {
    attn_rnn_config c = {0};
    c.attention = true;
    c.src_vocab_size = c.tgt_vocab_size = 30000;
    c.embed_size = 620;
    c.hidden_size = 1000;
    c.align_size = 1000;
    c.maxout_size = 500;
    c.pad_token_id = 0;
    c.bos_token_id = 1;
    c.eos_token_id = 2;
    return c;
}

static attn_status rnn_config_check(const attn_rnn_config *c) {
    const int64_t big = (int64_t)1 << 24, wide = (int64_t)1 << 16;
    if (c->src_vocab_size < 1 || c->src_vocab_size > big || c->tgt_vocab_size < 1 || c->tgt_vocab_size > big)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "vocabulary sizes must be in [1, 2^24]");
    if (c->embed_size < 1 || c->embed_size > wide || c->hidden_size < 1 || c->hidden_size > wide ||
        c->maxout_size < 1 || c->maxout_size > wide || (c->attention && (c->align_size < 1 || c->align_size > wide)))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "embed_size, hidden_size, align_size and maxout_size must be in [1, 65536]");
    if (c->tie_embeddings && c->maxout_size != c->embed_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "tied output embeddings need maxout_size (%lld) = embed_size (%lld)",
                           (long long)c->maxout_size, (long long)c->embed_size);
    int64_t vmin = c->src_vocab_size < c->tgt_vocab_size ? c->src_vocab_size : c->tgt_vocab_size;
    if (c->pad_token_id < 0 || c->pad_token_id >= vmin || c->bos_token_id < 0 || c->bos_token_id >= c->tgt_vocab_size ||
        c->eos_token_id < 0 || c->eos_token_id >= c->tgt_vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pad, bos and eos token ids must lie inside the vocabularies");
    return ATTN_OK;
}

void rnn_free(struct rnn_model *r) { attn_free(r); }

bool attn_model_rnn_config(const attn_model *m, attn_rnn_config *cfg) {
    if (!m || !m->rnn) return false;
    if (cfg) *cfg = m->rnn->cfg;
    return true;
}

attn_status rnn_alloc(const attn_rnn_config *cfg, attn_model **out) {
    *out = NULL;
    attn_status st = rnn_config_check(cfg);
    if (st) return st;
    attn_model *m = attn_calloc(1, sizeof *m);
    if (!m) return ATTN_ERR_OUT_OF_MEMORY;
    m->kind = MODEL_RNN;
    m->arch = registry_find(cfg->attention ? "rnnsearch" : "rnnencdec");
    m->cfg = attn_gpt_default_config();
    m->cfg.n_layer = 1;
    m->cfg.n_head = 1;
    m->cfg.n_embd = cfg->embed_size;
    m->cfg.n_ctx = (int64_t)1 << 20;
    m->cfg.vocab_size = cfg->tgt_vocab_size;
    m->cfg.dropout = 0.0f;
    m->cfg.bos_token_id = cfg->bos_token_id;
    m->cfg.eos_token_id = cfg->eos_token_id;
    if (!(m->rnn = attn_calloc(1, sizeof *m->rnn))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    m->rnn->cfg = *cfg;
    param_layout lay = {.layers = {1, 0, 0}, .prefix = ""};
    lay.parts = (cfg->attention ? PART_ATTENTION : 0) | (cfg->tie_embeddings ? 0 : PART_UNTIED);
    int64_t E = cfg->embed_size, H = cfg->hidden_size;
    const int64_t dims[] = {[D_ONE] = 1,           [D_VS] = cfg->src_vocab_size, [D_VT] = cfg->tgt_vocab_size,
                            [D_E] = E,             [D_H] = H,                    [D_2H] = 2 * H,
                            [D_3H] = 3 * H,        [D_A] = cfg->align_size,      [D_M] = cfg->maxout_size,
                            [D_2M] = 2 * cfg->maxout_size, [D_DEC_IN] = E + 2 * H, [D_OUT_IN] = 3 * H + E};
    memcpy(lay.dims, dims, sizeof dims);
    if ((st = params_build(m, &RNN_TABLE, &lay)) != ATTN_OK) goto fail;
    for (int k = 0; k < m->n_params_tensors; k++) m->rnn->p[m->params[k].spec] = &m->ptensors[k];
    *out = m;
    return ATTN_OK;
fail:
    attn_model_free(m);
    return st;
}

attn_status attn_rnn_new(const attn_rnn_config *cfg, uint64_t seed, attn_model **out) {
    attn_model *m;
    attn_status st = rnn_alloc(cfg, &m);
    if (st) return st;
    params_init(m, seed, 0.01f, 0);
    *out = m;
    return ATTN_OK;
}

/* ---- encoder -------------------------------------------------------------- */

/* Per-row source lengths from padding at the end; a real token after a pad
 * is an error (the row would not be "padded at its end"). */
static int32_t *source_lengths(graph *g, const int32_t *src, int64_t B, int64_t S, int32_t pad) {
    int32_t *len = graph_ints(g, B);
    if (!len) return NULL;
    for (int64_t b = 0; b < B; b++) {
        int64_t n = 0;
        while (n < S && src[b * S + n] != pad) n++;
        for (int64_t j = n; j < S; j++)
            if (src[b * S + j] != pad) {
                g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "source row %lld has a token after padding (position %lld)",
                                        (long long)b, (long long)j);
                return NULL;
            }
        len[b] = (int32_t)n;
    }
    return len;
}

typedef struct encoded {
    int32_t *lengths;         /* (B) */
    tensor *annot;            /* (B, S, 2H) */
    tensor *uh;               /* (B, S, A): U_a h_j + b_a (RNNsearch) */
    tensor *cfix;             /* (B, 2H): [forward_{len-1}; backward_0] (RNNencdec) */
    tensor *s0;               /* (B, H) */
} encoded;

static bool encode(attn_model *m, graph *g, const int32_t *src, int64_t B, int64_t S, encoded *e) {
    struct rnn_model *r = m->rnn;
    tensor **p = r->p;
    memset(e, 0, sizeof *e);
    if (B < 1 || S < 1) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "the source batch must have B >= 1 and S >= 1");
        return false;
    }
    if (!(e->lengths = source_lengths(g, src, B, S, r->cfg.pad_token_id))) return false;
    tensor *x = op_embedding(g, p[RP_SRC_EMB], src, B, S);
    nn_gru gf = {p[RP_ENC_WIH], p[RP_ENC_BIH], p[RP_ENC_WHH], p[RP_ENC_BHH]};
    nn_gru gb = {p[RP_ENC_WIH_R], p[RP_ENC_BIH_R], p[RP_ENC_WHH_R], p[RP_ENC_BHH_R]};
    tensor *fwd = nn_gru_layer(g, x, &gf, e->lengths, false), *bwd = nn_gru_layer(g, x, &gb, e->lengths, true);
    e->annot = op_concat(g, fwd, bwd);
    tensor *bwd0 = op_select(g, bwd, 0);
    e->s0 = op_tanh(g, op_linear(g, bwd0, p[RP_INIT_W], p[RP_INIT_B]));
    if (r->cfg.attention) {
        e->uh = op_linear(g, e->annot, p[RP_ATT_U], p[RP_ATT_UB]);
    } else {
        int32_t *last = graph_ints(g, B);
        if (!last) return false;
        for (int64_t b = 0; b < B; b++) last[b] = e->lengths[b] > 0 ? e->lengths[b] - 1 : 0;
        e->cfix = op_concat(g, op_select_rows(g, fwd, last), bwd0);
    }
    return !g->status;
}

/* ---- decoder -------------------------------------------------------------- */

/* One step for N rows: from s_{i-1} (N, H) and e_{i-1} (N, E) to s_i;
 * *feat = [s_i; e_{i-1}; c_i] (N, 3H + E), the deep output's input; *a the
 * attention weights (N, S) (NULL for RNNencdec). */
static tensor *decoder_step(attn_model *m, graph *g, const encoded *enc, tensor *s, tensor *emb, tensor **feat,
                            tensor **a) {
    tensor **p = m->rnn->p;
    tensor *c = enc->cfix;
    *a = NULL;
    if (m->rnn->cfg.attention) {
        *a = op_additive_attention(g, op_linear(g, s, p[RP_ATT_W], NULL), enc->uh, p[RP_ATT_V], enc->lengths);
        c = op_weighted_sum(g, *a, enc->annot);
    }
    nn_gru cell = {p[RP_DEC_WIH], p[RP_DEC_BIH], p[RP_DEC_WHH], p[RP_DEC_BHH]};
    tensor *s_new = nn_gru_step(g, op_concat(g, emb, c), s, &cell);
    *feat = op_concat(g, op_concat(g, s_new, emb), c);
    return s_new;
}

/* Deep output with maxout, then the vocabulary projection. */
static tensor *output_layer(attn_model *m, graph *g, tensor *feat) {
    tensor **p = m->rnn->p;
    tensor *t = op_maxout(g, op_linear(g, feat, p[RP_PRE_W], p[RP_PRE_B]));
    return op_linear(g, t, m->rnn->cfg.tie_embeddings ? p[RP_TGT_EMB] : p[RP_PROJ_W], p[RP_PROJ_B]);
}

tensor *rnn_forward(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt_in, int64_t B,
                    int64_t T, float *attn) {
    if (g->status) return NULL;
    if (!m->rnn || T < 1) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, !m->rnn ? "not an RNN model" : "target length must be >= 1");
        return NULL;
    }
    encoded enc;
    if (!encode(m, g, src, B, S, &enc)) return NULL;
    tensor *emb = op_embedding(g, m->rnn->p[RP_TGT_EMB], tgt_in, B, T);
    tensor **feats = (tensor **)arena_push(&g->mem, (size_t)T * sizeof *feats);
    if (!emb || !feats) {
        if (!g->status) g->status = ATTN_ERR_OUT_OF_MEMORY;
        return NULL;
    }
    tensor *s = enc.s0;
    for (int64_t t = 0; t < T; t++) {
        tensor *a;
        s = decoder_step(m, g, &enc, s, op_select(g, emb, t), &feats[t], &a);
        if (g->status) return NULL;
        if (attn)
            for (int64_t b = 0; b < B; b++)
                for (int64_t j = 0; j < S; j++) attn[(b * T + t) * S + j] = a ? a->data[b * S + j] : 0.0f;
    }
    return output_layer(m, g, op_stack(g, feats, T));
}

tensor *rnn_loss(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt_in,
                 const int32_t *tgt_out, int64_t B, int64_t T) {
    tensor *logits = rnn_forward(m, g, src, S, tgt_in, B, T, NULL);
    int32_t *targets = graph_ints(g, B * T);
    if (!logits || !targets) return NULL;
    for (int64_t i = 0; i < B * T; i++) targets[i] = tgt_out[i] == m->rnn->cfg.pad_token_id ? -1 : tgt_out[i];
    return op_cross_entropy(g, logits, targets, -1);
}

/* ---- decoding: the step API ----------------------------------------------- */

struct attn_rnn_state {
    int64_t N, S, H, A;
    float *s;                 /* (N, H) */
    float *annot;             /* (N, S, 2H) */
    float *uh;                /* (N, S, A), RNNsearch */
    float *cfix;              /* (N, 2H), RNNencdec */
    int32_t *lengths;         /* (N) */
    int32_t *row;             /* (N) each hypothesis's row of src */
    int32_t *src;             /* (B, S) the encoded sources, for the diagnostic pass */
    graph g;                  /* the steps' graph: a state is one request's */
};

void attn_rnn_state_free(attn_rnn_state *st) {
    if (!st) return;
    attn_free(st->s);
    attn_free(st->annot);
    attn_free(st->uh);
    attn_free(st->cfix);
    attn_free(st->lengths);
    attn_free(st->row);
    attn_free(st->src);
    graph_free(&st->g);
    attn_free(st);
}

int64_t attn_rnn_state_count(const attn_rnn_state *st) { return st ? st->N : 0; }
int64_t attn_rnn_state_src_len(const attn_rnn_state *st) { return st ? st->S : 0; }

/* Row widths of the state's arrays, in floats (0 = absent). */
static void state_widths(const attn_rnn_state *st, int64_t w[4]) {
    w[0] = st->H;
    w[1] = st->S * 2 * st->H;
    w[2] = st->uh ? st->S * st->A : 0;
    w[3] = st->cfix ? 2 * st->H : 0;
}

static float **state_array(attn_rnn_state *st, int i) {
    float **arr[4] = {&st->s, &st->annot, &st->uh, &st->cfix};
    return arr[i];
}

/* A tensor over caller-owned data (not a parameter, no gradient). */
static tensor view(float *data, int ndim, int64_t d0, int64_t d1, int64_t d2) {
    tensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.ndim = ndim;
    t.shape[0] = d0;
    t.shape[1] = d1;
    t.shape[2] = d2;
    t.numel = d0 * (ndim > 1 ? d1 : 1) * (ndim > 2 ? d2 : 1);
    return t;
}

static attn_status rnn_check(const attn_model *m) {
    if (!m || !m->rnn) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an RNN (rnnsearch/rnnencdec) model");
    return ATTN_OK;
}

static attn_status graph_status(graph *g) {
    attn_status st = g->status ? g->status : ATTN_ERR_OUT_OF_MEMORY;
    if (!attn_last_error()[0]) attn_errorf(st, "RNN decoding failed");
    return st;
}

/* ---- non-finite outputs: the diagnostic passes of model_nonfinite_error ---- */

typedef struct encode_args {
    const int32_t *src;
    int64_t B, S;
} encode_args;

static tensor *rerun_encode(attn_model *m, graph *g, void *ctx) {
    const encode_args *a = ctx;
    encoded enc;
    return encode(m, g, a->src, a->B, a->S, &enc) ? enc.annot : NULL;
}

attn_status attn_rnn_encode(attn_model *m, const int32_t *src, int64_t B, int64_t S, attn_rnn_state **out) {
    *out = NULL;
    attn_status st = rnn_check(m);
    if (st) return st;
    attn_rnn_state *s = attn_calloc(1, sizeof *s);
    if (!s) return ATTN_ERR_OUT_OF_MEMORY;
    graph_init(&s->g, NULL);
    graph *g = &s->g;
    graph_reset(g, false, false, 0);
    encoded enc;
    if (!encode(m, g, src, B, S, &enc)) {
        st = graph_status(g);
        attn_rnn_state_free(s);
        return st;
    }
    const attn_rnn_config *c = &m->rnn->cfg;
    s->N = B;
    s->S = S;
    s->H = c->hidden_size;
    s->A = c->attention ? c->align_size : 0;
    const tensor *src_t[4] = {enc.s0, enc.annot, enc.uh, enc.cfix};
    bool ok = (s->lengths = attn_malloc((size_t)B * sizeof *s->lengths)) != NULL &&
              (s->row = attn_malloc((size_t)B * sizeof *s->row)) != NULL &&
              (s->src = attn_malloc((size_t)(B * S) * sizeof *s->src)) != NULL;
    for (int i = 0; i < 4 && ok; i++) {
        if (!src_t[i]) continue;
        float **dst = state_array(s, i);
        ok = (*dst = attn_malloc((size_t)src_t[i]->numel * sizeof(float))) != NULL;
        if (ok) memcpy(*dst, src_t[i]->data, (size_t)src_t[i]->numel * sizeof(float));
    }
    if (!ok) {
        attn_rnn_state_free(s);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    memcpy(s->lengths, enc.lengths, (size_t)B * sizeof *s->lengths);
    memcpy(s->src, src, (size_t)(B * S) * sizeof *s->src);
    for (int64_t b = 0; b < B; b++) s->row[b] = (int32_t)b;
    *out = s;
    return ATTN_OK;
}

/* One decoding step over the state's views: the logits (N, V), the new
 * decoder state *s_new and the attention weights *a. */
typedef struct step_args {
    attn_rnn_state *st;
    const int32_t *prev;
} step_args;

static tensor *step_forward(attn_model *m, graph *g, const step_args *x, tensor **s_new, tensor **a) {
    const attn_rnn_state *st = x->st;
    int64_t N = st->N, S = st->S, H = st->H;
    /* views over the state (graph-owned copies of the tensor headers, so a
     * recorded pass may keep pointers to them) */
    tensor *v = (tensor *)arena_push(&g->mem, 4 * sizeof *v);
    if (!v) {
        if (!g->status) g->status = ATTN_ERR_OUT_OF_MEMORY;
        return NULL;
    }
    v[0] = view(st->s, 2, N, H, 1);
    v[1] = view(st->annot, 3, N, S, 2 * H);
    v[2] = st->uh ? view(st->uh, 3, N, S, st->A) : (tensor){0};
    v[3] = st->cfix ? view(st->cfix, 2, N, 2 * H, 1) : (tensor){0};
    encoded enc = {st->lengths, &v[1], st->uh ? &v[2] : NULL, st->cfix ? &v[3] : NULL, &v[0]};
    tensor *emb = op_embedding(g, m->rnn->p[RP_TGT_EMB], x->prev, N, 1), *feat = NULL;
    *s_new = decoder_step(m, g, &enc, &v[0], emb, &feat, a);
    return output_layer(m, g, feat);
}

static tensor *rerun_step(attn_model *m, graph *g, void *ctx) {
    tensor *s_new, *a;
    return step_forward(m, g, ctx, &s_new, &a);
}

/* A step's logits or new state are not finite: where did it start? Each
 * step's new state is checked, so a non-finite state came out of the
 * encoder, whose pass is rerun over each hypothesis's source; otherwise
 * the step itself is. */
static attn_status step_nonfinite(attn_model *m, step_args *x) {
    attn_rnn_state *st = x->st;
    int64_t w[4], N = st->N, S = st->S;
    state_widths(st, w);
    bool finite = true;
    for (int i = 0; i < 4 && finite; i++) finite = !w[i] || model_all_finite(*state_array(st, i), N * w[i]);
    if (finite) return model_nonfinite_error(m, "logits", rerun_step, x);
    int32_t *src = attn_malloc((size_t)(N * S) * sizeof *src);
    if (src)
        for (int64_t n = 0; n < N; n++) memcpy(src + n * S, st->src + st->row[n] * S, (size_t)S * sizeof *src);
    attn_status status = model_nonfinite_error(m, "encoder output", src ? rerun_encode : NULL, &(encode_args){src, N, S});
    attn_free(src);
    return status;
}

attn_status attn_rnn_step(attn_model *m, attn_rnn_state *st, const int32_t *prev, float *logprobs, float *attn) {
    attn_status status = rnn_check(m);
    if (status) return status;
    if (!st || !prev || !logprobs) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_rnn_step: NULL argument");
    int64_t N = st->N, S = st->S, H = st->H, V = m->rnn->cfg.tgt_vocab_size;
    if (N == 0) return ATTN_OK;
    graph *g = &st->g;
    graph_reset(g, false, false, 0);
    step_args x = {st, prev};
    tensor *s_new = NULL, *a = NULL;
    tensor *logits = step_forward(m, g, &x, &s_new, &a);
    if (!logits || !s_new || g->status) return graph_status(g);
    /* the logits, and the state the next step starts from */
    if (!model_all_finite(logits->data, logits->numel) || !model_all_finite(s_new->data, s_new->numel))
        return step_nonfinite(m, &x);
    for (int64_t n = 0; n < N; n++) {
        const float *l = logits->data + n * V;
        float mx = -INFINITY;
        for (int64_t v = 0; v < V; v++) mx = l[v] > mx ? l[v] : mx;
        double sum = 0;
        for (int64_t v = 0; v < V; v++) sum += exp((double)(l[v] - mx));
        float lse = mx + (float)log(sum);
        for (int64_t v = 0; v < V; v++) logprobs[n * V + v] = l[v] - lse;
    }
    if (attn)
        for (int64_t i = 0; i < N * S; i++) attn[i] = a ? a->data[i] : 0.0f;
    memcpy(st->s, s_new->data, (size_t)(N * H) * sizeof(float));
    return ATTN_OK;
}

attn_status attn_rnn_reorder(attn_rnn_state *st, const int32_t *idx, int64_t n) {
    if (!st || (n > 0 && !idx) || n < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_rnn_reorder: bad arguments");
    for (int64_t k = 0; k < n; k++)
        if (idx[k] < 0 || idx[k] >= st->N)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_rnn_reorder: index %d at %lld is outside [0, %lld)", (int)idx[k],
                               (long long)k, (long long)st->N);
    int64_t w[4];
    state_widths(st, w);
    float *fresh[4] = {0};
    int32_t *len = attn_malloc((size_t)(n > 0 ? n : 1) * sizeof *len), *row = attn_malloc((size_t)(n > 0 ? n : 1) * sizeof *row);
    bool ok = len && row;
    for (int i = 0; i < 4 && ok; i++)
        if (w[i]) ok = (fresh[i] = attn_malloc((size_t)((n > 0 ? n : 1) * w[i]) * sizeof(float))) != NULL;
    if (!ok) {
        for (int i = 0; i < 4; i++) attn_free(fresh[i]);
        attn_free(len);
        attn_free(row);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    for (int64_t k = 0; k < n; k++) {
        len[k] = st->lengths[idx[k]];
        row[k] = st->row[idx[k]];
        for (int i = 0; i < 4; i++)
            if (w[i]) memcpy(fresh[i] + k * w[i], *state_array(st, i) + idx[k] * w[i], (size_t)w[i] * sizeof(float));
    }
    for (int i = 0; i < 4; i++) {
        if (!w[i]) continue;
        attn_free(*state_array(st, i));
        *state_array(st, i) = fresh[i];
    }
    attn_free(st->lengths);
    st->lengths = len;
    attn_free(st->row);
    st->row = row;
    st->N = n;
    return ATTN_OK;
}

attn_status attn_rnn_greedy(attn_model *m, const int32_t *src, int64_t S, int64_t max_len, int32_t *tokens,
                            int64_t *n_out, float *attn) {
    *n_out = 0;
    attn_status st = rnn_check(m);
    if (st) return st;
    if (max_len < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "max_len must be >= 0");
    attn_rnn_state *state = NULL;
    int64_t V = m->rnn->cfg.tgt_vocab_size;
    float *lp = attn_malloc((size_t)V * sizeof(float));
    if (!lp) return ATTN_ERR_OUT_OF_MEMORY;
    if ((st = attn_rnn_encode(m, src, 1, S, &state)) != ATTN_OK) goto done;
    int32_t prev = m->rnn->cfg.bos_token_id;
    for (int64_t i = 0; i < max_len; i++) {
        if ((st = attn_rnn_step(m, state, &prev, lp, attn ? attn + i * S : NULL)) != ATTN_OK) goto done;
        int32_t best = 0;
        for (int64_t v = 1; v < V; v++)
            if (lp[v] > lp[best]) best = (int32_t)v;
        if (best == m->rnn->cfg.eos_token_id) break;
        tokens[(*n_out)++] = best;
        prev = best;
    }
done:
    attn_rnn_state_free(state);
    attn_free(lp);
    return st;
}

/* ---- the family's translation functions -------------------------------------
 * The recurrent models decode through the same greedy and beam search as
 * the Transformer (generate/seq2seq.c): their state is attn_rnn_encode's,
 * stepped by attn_rnn_step (log-probabilities, which the search's
 * log-softmax leaves unchanged up to rounding) and reordered by
 * attn_rnn_reorder. */

typedef struct rnn_decoder {
    attn_model *m;
    attn_rnn_state *state;
    int64_t N, per_source;
    int32_t *idx;             /* (N) scratch for reordering */
} rnn_decoder;

void rnn_s2s_defaults(const attn_model *m, attn_seq2seq_params *p) {
    const attn_rnn_config *c = &m->rnn->cfg;
    p->decoder_start_token_id = c->bos_token_id;
    p->eos_token_id = c->eos_token_id;
    p->pad_token_id = c->pad_token_id;
}

static attn_status check_source(const int32_t *src, int64_t B, int64_t S, const attn_rnn_config *c) {
    if (!src || B < 1 || S < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "seq2seq: empty batch of sources");
    for (int64_t b = 0; b < B; b++) {
        if (src[b * S] == c->pad_token_id) return attn_errorf(ATTN_ERR_INVALID_ARG, "source %lld is empty", (long long)b);
        for (int64_t s = 0; s < S; s++)
            if (src[b * S + s] < 0 || src[b * S + s] >= c->src_vocab_size)
                return attn_errorf(ATTN_ERR_INVALID_ARG, "source token %d of source %lld is outside the vocabulary [0, %lld)",
                                   (int)src[b * S + s], (long long)b, (long long)c->src_vocab_size);
    }
    return ATTN_OK;
}

attn_status rnn_s2s_begin(attn_model *m, const int32_t *src, int64_t B, int64_t S, int64_t per_source, int64_t max_steps,
                          void **state) {
    *state = NULL;
    attn_status st = check_source(src, B, S, &m->rnn->cfg);
    if (st) return st;
    rnn_decoder *d = attn_calloc(1, sizeof *d);
    if (!d || !(d->idx = attn_malloc((size_t)(B * per_source) * sizeof *d->idx))) {
        attn_free(d);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    d->m = m;
    d->N = B * per_source;
    d->per_source = per_source;
    if ((st = attn_rnn_encode(m, src, B, S, &d->state)) == ATTN_OK) {
        for (int64_t i = 0; i < d->N; i++) d->idx[i] = (int32_t)(i / per_source); /* each source's hypotheses */
        st = attn_rnn_reorder(d->state, d->idx, d->N);
    }
    if (st) {
        rnn_s2s_end(d);
        return st;
    }
    *state = d;
    return ATTN_OK;
}

attn_status rnn_s2s_step(void *state, const int32_t *tokens, float *logits) {
    rnn_decoder *d = state;
    return attn_rnn_step(d->m, d->state, tokens, logits, NULL);
}

attn_status rnn_s2s_reorder(void *state, const int32_t *from) {
    rnn_decoder *d = state;
    memcpy(d->idx, from, (size_t)d->N * sizeof *d->idx);
    return attn_rnn_reorder(d->state, d->idx, d->N);
}

attn_status rnn_s2s_keep(void *state, const int32_t *sources, int64_t n) {
    rnn_decoder *d = state;
    int64_t ps = d->per_source, B = d->N / ps;
    if (n < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "keep: at least one source");
    for (int64_t j = 0; j < n; j++) {
        if (sources[j] < 0 || sources[j] >= B || (j && sources[j] <= sources[j - 1]))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "keep: sources must be increasing indices below %lld", (long long)B);
        for (int64_t h = 0; h < ps; h++) d->idx[j * ps + h] = (int32_t)(sources[j] * ps + h);
    }
    attn_status st = attn_rnn_reorder(d->state, d->idx, n * ps);
    if (!st) d->N = n * ps;
    return st;
}

void rnn_s2s_end(void *state) {
    rnn_decoder *d = state;
    if (!d) return;
    attn_rnn_state_free(d->state);
    attn_free(d->idx);
    attn_free(d);
}

/* ---- non-finite logits ----------------------------------------------------- */

typedef struct pair_args {
    const int32_t *src, *tgt_in;
    int64_t S, B, T;
} pair_args;

static tensor *rerun_pairs(attn_model *m, graph *g, void *ctx) {
    const pair_args *a = ctx;
    return rnn_forward(m, g, a->src, a->S, a->tgt_in, a->B, a->T, NULL);
}

/* ATTN_OK when the teacher-forced logits (B, T, V) are finite; otherwise
 * ATTN_ERR_FORMAT naming where non-finite values first appear. */
static attn_status check_logits(attn_model *m, const tensor *logits, const int32_t *src, int64_t S, const int32_t *tgt_in,
                                int64_t B, int64_t T) {
    if (model_all_finite(logits->data, logits->numel)) return ATTN_OK;
    return model_nonfinite_error(m, "logits", rerun_pairs, &(pair_args){src, tgt_in, S, B, T});
}

static attn_status score_in(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                            double *nll, int64_t *n_tokens) {
    attn_rnn_config c;
    if (!attn_model_rnn_config(m, &c)) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an RNN model");
    if (!tgt || !nll || !n_tokens || T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "seq2seq score: empty batch or missing buffers");
    attn_status st = check_source(src, B, S, &c);
    if (st) return st;
    int64_t V = c.tgt_vocab_size;
    graph_reset(g, false, false, 0);
    int32_t *in = graph_ints(g, B * T);
    if (!in) return g->status ? g->status : ATTN_ERR_OUT_OF_MEMORY;
    if ((st = s2s_score_inputs(tgt, B, T, V, c.bos_token_id, c.pad_token_id, in, nll, n_tokens)) != ATTN_OK) return st;
    tensor *logits = rnn_forward(m, g, src, S, in, B, T, NULL);
    if (!logits || g->status) return g->status ? g->status : ATTN_ERR_INVALID_ARG;
    if ((st = check_logits(m, logits, src, S, in, B, T)) != ATTN_OK) return st;
    s2s_score_add(logits->data, tgt, B, T, V, nll);
    return ATTN_OK;
}

attn_status rnn_s2s_score(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                          double *nll, int64_t *n_tokens) {
    graph g;
    graph_init(&g, NULL);
    attn_status st = score_in(m, &g, src, S, tgt, T, B, nll, n_tokens);
    graph_free(&g);
    return st;
}
