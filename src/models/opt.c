/* opt.c — OPT (Zhang et al. 2022) as transformers' OPTForCausalLM: learned positions offset by 2,
 * ReLU, q/k/v with biases (one fused view), pre-norm blocks (post-norm where do_layer_norm_before is
 * false, as OPT-350m), project_in/out where word_embed_proj_dim differs from hidden_size, the output
 * tied to the token embeddings. */
#include "models/model_impl.h"
#include "nn/nn.h"

typedef struct opt_config {
    attn_gpt_config g;        /* the decoder's sizes and tokens (attn_model.cfg) */
    int64_t embed_dim;        /* word_embed_proj_dim */
    bool pre_norm;            /* do_layer_norm_before */
} opt_config;

typedef struct opt_layer {
    tensor q_w, k_w, v_w, q_b, k_b, v_b, o_w, o_b, ln1_w, ln1_b, fc1_w, fc1_b, fc2_w, fc2_b, ln2_w, ln2_b, qkv_w, qkv_b;
} opt_layer;

typedef struct opt_model {
    opt_config c;
    tensor wte, wpe, proj_in, proj_out, lnf_w, lnf_b;
    opt_layer layers[];
} opt_model;

#define T opt_config
const json_field OPT_CONFIG_KEYS[] = {
    JSON_KEY_INT(T, "num_hidden_layers", g.n_layer, true, 1, CFG_MAX_LAYERS),
    JSON_KEY_INT(T, "num_attention_heads", g.n_head, true, 1, CFG_MAX_HEADS),
    JSON_KEY_INT(T, "hidden_size", g.n_embd, true, 1, CFG_MAX_WIDTH),
    JSON_KEY_INT(T, "ffn_dim", g.n_inner, true, 1, CFG_MAX_INNER),
    JSON_KEY_INT(T, "max_position_embeddings", g.n_ctx, true, 1, CFG_MAX_POSITIONS),
    JSON_KEY_INT(T, "vocab_size", g.vocab_size, true, 1, CFG_MAX_VOCAB),
    JSON_KEY_INT(T, "word_embed_proj_dim", embed_dim, false, 1, CFG_MAX_WIDTH),
    JSON_KEY_FLOAT(T, "dropout", g.dropout, 0.0, false, CFG_MAX_DROPOUT),
    JSON_KEY_TOKEN(T, "pad_token_id", g.pad_token_id, INT32_MAX, JSON_BELOW(T, g.vocab_size)),
    JSON_KEY_TOKEN(T, "bos_token_id", g.bos_token_id, INT32_MAX, JSON_BELOW(T, g.vocab_size)),
    JSON_KEY_TOKEN(T, "eos_token_id", g.eos_token_id, INT32_MAX, JSON_BELOW(T, g.vocab_size)),
    JSON_KEY_BOOL(T, "do_layer_norm_before", pre_norm),
    JSON_KEYS_END,
};
#undef T
enum { D_V = 1, D_P2, D_C, D_E, D_F };             /* dimension symbols */
enum { PART_PROJ = 1, PART_FINAL_NORM = 2 };       /* optional parts */
#define MF(f) offsetof(opt_model, f)
#define LF(f) offsetof(opt_layer, f)
static const param_row OPT_ROWS[] = {
    {"model.decoder.embed_tokens.weight", ROLE_TOKEN_EMBD, {D_V, D_E}, 0, 0, 0, MF(wte)},
    {"model.decoder.embed_positions.weight", ROLE_POS_EMBD, {D_P2, D_C}, 0, 0, 0, MF(wpe)},
    {"model.decoder.project_in.weight", ROLE_OTHER, {D_C, D_E}, 0, PART_PROJ, PF_DECAY, MF(proj_in)},
    {"self_attn.q_proj.weight", ROLE_ATTN_Q, {D_C, D_C}, 1, 0, PF_DECAY | PF_PACK, LF(q_w)},
    {"self_attn.k_proj.weight", ROLE_ATTN_K, {D_C, D_C}, 1, 0, PF_DECAY | PF_PACK, LF(k_w)},
    {"self_attn.v_proj.weight", ROLE_ATTN_V, {D_C, D_C}, 1, 0, PF_DECAY, LF(v_w)},
    {"self_attn.q_proj.bias", ROLE_ATTN_Q, {D_C}, 1, 0, PF_BIAS | PF_PACK, LF(q_b)},
    {"self_attn.k_proj.bias", ROLE_ATTN_K, {D_C}, 1, 0, PF_BIAS | PF_PACK, LF(k_b)},
    {"self_attn.v_proj.bias", ROLE_ATTN_V, {D_C}, 1, 0, PF_BIAS, LF(v_b)},
    {"self_attn.out_proj.weight", ROLE_ATTN_OUT, {D_C, D_C}, 1, 0, PF_DECAY, LF(o_w)},
    {"self_attn.out_proj.bias", ROLE_ATTN_OUT, {D_C}, 1, 0, PF_BIAS, LF(o_b)},
    {"self_attn_layer_norm.weight", ROLE_ATTN_NORM, {D_C}, 1, 0, 0, LF(ln1_w)},
    {"self_attn_layer_norm.bias", ROLE_ATTN_NORM, {D_C}, 1, 0, PF_BIAS, LF(ln1_b)},
    {"fc1.weight", ROLE_FFN_UP, {D_F, D_C}, 1, 0, PF_DECAY, LF(fc1_w)},
    {"fc1.bias", ROLE_FFN_UP, {D_F}, 1, 0, PF_BIAS, LF(fc1_b)},
    {"fc2.weight", ROLE_FFN_DOWN, {D_C, D_F}, 1, 0, PF_DECAY, LF(fc2_w)},
    {"fc2.bias", ROLE_FFN_DOWN, {D_C}, 1, 0, PF_BIAS, LF(fc2_b)},
    {"final_layer_norm.weight", ROLE_FFN_NORM, {D_C}, 1, 0, 0, LF(ln2_w)},
    {"final_layer_norm.bias", ROLE_FFN_NORM, {D_C}, 1, 0, PF_BIAS, LF(ln2_b)},
    {"model.decoder.final_layer_norm.weight", ROLE_OUTPUT_NORM, {D_C}, 0, PART_FINAL_NORM, 0, MF(lnf_w)},
    {"model.decoder.final_layer_norm.bias", ROLE_OUTPUT_NORM, {D_C}, 0, PART_FINAL_NORM, PF_BIAS, MF(lnf_b)},
    {"model.decoder.project_out.weight", ROLE_OTHER, {D_E, D_C}, 0, PART_PROJ, PF_DECAY, MF(proj_out)},
};
static const param_fuse OPT_FUSE[] = {{1, 3, LF(q_w), LF(qkv_w)}, {1, 3, LF(q_b), LF(qkv_b)}, {0, 0, 0, 0}};
static const char *const OPT_IGNORE[] = {"lm_head.weight", NULL}; /* tied to embed_tokens */
static const param_table OPT_TABLE = {OPT_ROWS, (int)ARRAY_LEN(OPT_ROWS), {NULL, "model.decoder.layers.", NULL},
                                      "model.", OPT_IGNORE, NULL, OPT_FUSE};

void opt_sync_views(attn_model *m) {
    opt_model *o = m->state;
    params_sync(m, (void *const[3]){o, o->layers, NULL}, (const size_t[3]){0, sizeof(opt_layer), 0});
}

static attn_status opt_alloc(const void *cfg, attn_model **out) {
    const opt_config *c = cfg;
    const attn_gpt_config *g = &c->g;
    attn_status st = model_check_heads(g->n_embd, g->n_head);
    attn_model *m = st ? NULL : attn_calloc(1, sizeof *m);
    opt_model *o = m ? attn_calloc(1, sizeof *o + (size_t)g->n_layer * sizeof(opt_layer)) : NULL;
    if (!o) {
        attn_free(m);
        return st ? st : ATTN_ERR_OUT_OF_MEMORY;
    }
    m->kind = MODEL_OPT, m->arch = registry_find("opt"), m->state = o, o->c = *c, m->cfg = c->g;
    param_layout lay = {.dims = {[D_V] = g->vocab_size, [D_P2] = g->n_ctx + 2, [D_C] = g->n_embd, [D_E] = c->embed_dim,
                                 [D_F] = g->n_inner},
                        .layers = {1, g->n_layer, 0}, .prefix = ""};
    lay.parts = (c->embed_dim != g->n_embd ? PART_PROJ : 0) | (c->pre_norm ? PART_FINAL_NORM : 0);
    if (!(st = params_build(m, &OPT_TABLE, &lay))) opt_sync_views(m);
    *out = st ? NULL : m;
    if (st) attn_model_free(m);
    return st;
}

tensor *opt_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only) {
    opt_model *o = m->state;
    const attn_gpt_config *c = &m->cfg;
    bool proj = o->c.embed_dim != c->n_embd;
    int32_t *pos = kv_positions(g, cache, B, T, 2, c->n_ctx + 2);
    tensor *x = pos ? op_embedding(g, &o->wte, ids, B, T) : NULL, *r = NULL;
    if (proj) x = op_linear(g, x, &o->proj_in, NULL);
    x = op_dropout(g, op_add(g, x, op_embedding(g, &o->wpe, pos, B, T)), c->dropout);
    for (int64_t l = 0; l < c->n_layer; l++) {
        opt_layer *ly = &o->layers[l];
        nn_attn a = {.qkv_w = &ly->qkv_w, .qkv_b = &ly->qkv_b, .o_w = &ly->o_w, .o_b = &ly->o_b, .n_head = c->n_head};
        nn_norm n1 = {.w = &ly->ln1_w, .b = &ly->ln1_b, .eps = 1e-5f}, n2 = {.w = &ly->ln2_w, .b = &ly->ln2_b, .eps = 1e-5f};
        nn_mlp f = {.up_w = &ly->fc1_w, .up_b = &ly->fc1_b, .down_w = &ly->fc2_w, .down_b = &ly->fc2_b, .act = KACT_RELU};
        nn_kv kv = cache ? kv_layer(cache, l) : (nn_kv){0}, *kvp = cache ? &kv : NULL;
        x = o->c.pre_norm ? nn_pre_norm_block(g, x, r, &n1, &a, &n2, &f, c->dropout, kvp, &r)
                          : nn_post_norm_block(g, x, &a, &n1, &f, &n2, c->dropout, true, NULL, kvp);
    }
    if (r) x = op_add(g, x, r);
    if (o->c.pre_norm) x = op_layernorm(g, x, &o->lnf_w, &o->lnf_b, 1e-5f);
    if (proj) x = op_linear(g, x, &o->proj_out, NULL);
    return op_linear(g, kv_last_rows(g, x, cache, B, T, last_only), &o->wte, NULL);
}

attn_status opt_load(const model_source *src, attn_model **out) {
    opt_config c = {attn_gpt_default_config(), 0, true}; /* OPTConfig's defaults where config.json is silent */
    c.g.activation = ATTN_ACT_RELU, c.g.dropout = 0.1f, c.g.pad_token_id = 1, c.g.bos_token_id = c.g.eos_token_id = 2;
    attn_status st = registry_read_keys(src, &c);
    if (!c.embed_dim) c.embed_dim = c.g.n_embd;
    return st ? st : params_load(src, opt_alloc, &c, "model.", "an OPT model", out);
}

attn_status opt_save(const attn_model *m, const char *dir) {
    opt_config c = ((const opt_model *)m->state)->c;
    c.g = m->cfg; /* the dropout training used */
    return params_save_hf(m, dir, &c);
}

attn_status opt_create(const attn_gpt_config *g, uint64_t seed, attn_model **out) {
    opt_config c = {*g, g->n_embd, true};
    c.g.n_inner = g->n_inner ? g->n_inner : 4 * g->n_embd, c.g.activation = ATTN_ACT_RELU, c.g.layer_norm_eps = 1e-5f;
    attn_status st = opt_alloc(&c, out);
    if (!st) params_init(*out, seed, 0.02f, 0);
    return st;
}
