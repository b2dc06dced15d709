/* bloom.c — BLOOM (BigScience 2022) as transformers' BloomForCausalLM: no position embeddings but ALiBi
 * slopes in every attention, a LayerNorm on the word embeddings, a fused query_key_value the checkpoint
 * interleaves per head (params.c permutes it: PF_HEADS3), pre-norm blocks, a 4x GELU (tanh form) MLP, ln_f and
 * the output tied to the word embeddings. pretraining_tp and slow_but_exact only split the same products
 * into slices in transformers: any values load. */
#include "models/model_impl.h"
#include "nn/nn.h"

typedef struct bloom_layer {
    tensor ln1_w, ln1_b, qkv_w, qkv_b, o_w, o_b, ln2_w, ln2_b, fc1_w, fc1_b, fc2_w, fc2_b;
} bloom_layer;

typedef struct bloom_model {
    tensor wte, emb_ln_w, emb_ln_b, lnf_w, lnf_b;
    float *alibi;             /* (H) slopes, after the layers in the same block */
    bloom_layer layers[];
} bloom_model;

#define T attn_gpt_config /* BLOOM's configuration is the decoder's (attn_model.cfg); n_ctx: seq_length */
const json_field BLOOM_CONFIG_KEYS[] = {
    JSON_KEY_INT(T, "n_layer", n_layer, false, 1, CFG_MAX_LAYERS),
    JSON_KEY_INT(T, "n_head", n_head, false, 1, CFG_MAX_HEADS),
    JSON_KEY_INT(T, "hidden_size", n_embd, false, 1, CFG_MAX_WIDTH),
    JSON_KEY_INT(T, "vocab_size", vocab_size, false, 1, CFG_MAX_VOCAB),
    JSON_KEY_INT(T, "seq_length", n_ctx, false, 1, CFG_MAX_POSITIONS),
    JSON_KEY_FLOAT(T, "layer_norm_epsilon", layer_norm_eps, 0.0, true, 1.0),
    JSON_KEY_FLOAT(T, "hidden_dropout", dropout, 0.0, false, CFG_MAX_DROPOUT),
    JSON_KEY_TOKEN(T, "pad_token_id", pad_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),
    JSON_KEY_TOKEN(T, "bos_token_id", bos_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),
    JSON_KEY_TOKEN(T, "eos_token_id", eos_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),
    JSON_KEYS_END,
};
#undef T
enum { D_V = 1, D_C, D_3C, D_F };                  /* dimension symbols */
#define MF(f) offsetof(bloom_model, f)
#define LF(f) offsetof(bloom_layer, f)
static const param_row BLOOM_ROWS[] = {
    {"transformer.word_embeddings.weight", ROLE_TOKEN_EMBD, {D_V, D_C}, 0, 0, 0, MF(wte)},
    {"transformer.word_embeddings_layernorm.weight", ROLE_EMBD_NORM, {D_C}, 0, 0, 0, MF(emb_ln_w)},
    {"transformer.word_embeddings_layernorm.bias", ROLE_EMBD_NORM, {D_C}, 0, 0, PF_BIAS, MF(emb_ln_b)},
    {"input_layernorm.weight", ROLE_ATTN_NORM, {D_C}, 1, 0, 0, LF(ln1_w)},
    {"input_layernorm.bias", ROLE_ATTN_NORM, {D_C}, 1, 0, PF_BIAS, LF(ln1_b)},
    {"self_attention.query_key_value.weight", ROLE_ATTN_QKV, {D_3C, D_C}, 1, 0, PF_DECAY | PF_HEADS3, LF(qkv_w)},
    {"self_attention.query_key_value.bias", ROLE_ATTN_QKV, {D_3C}, 1, 0, PF_BIAS | PF_HEADS3, LF(qkv_b)},
    {"self_attention.dense.weight", ROLE_ATTN_OUT, {D_C, D_C}, 1, 0, PF_DECAY, LF(o_w)},
    {"self_attention.dense.bias", ROLE_ATTN_OUT, {D_C}, 1, 0, PF_BIAS, LF(o_b)},
    {"post_attention_layernorm.weight", ROLE_FFN_NORM, {D_C}, 1, 0, 0, LF(ln2_w)},
    {"post_attention_layernorm.bias", ROLE_FFN_NORM, {D_C}, 1, 0, PF_BIAS, LF(ln2_b)},
    {"mlp.dense_h_to_4h.weight", ROLE_FFN_UP, {D_F, D_C}, 1, 0, PF_DECAY, LF(fc1_w)},
    {"mlp.dense_h_to_4h.bias", ROLE_FFN_UP, {D_F}, 1, 0, PF_BIAS, LF(fc1_b)},
    {"mlp.dense_4h_to_h.weight", ROLE_FFN_DOWN, {D_C, D_F}, 1, 0, PF_DECAY, LF(fc2_w)},
    {"mlp.dense_4h_to_h.bias", ROLE_FFN_DOWN, {D_C}, 1, 0, PF_BIAS, LF(fc2_b)},
    {"transformer.ln_f.weight", ROLE_OUTPUT_NORM, {D_C}, 0, 0, 0, MF(lnf_w)},
    {"transformer.ln_f.bias", ROLE_OUTPUT_NORM, {D_C}, 0, 0, PF_BIAS, MF(lnf_b)},
};
static const char *const BLOOM_IGNORE[] = {"lm_head.weight", NULL}; /* tied to word_embeddings */
static const param_table BLOOM_TABLE = {BLOOM_ROWS, (int)ARRAY_LEN(BLOOM_ROWS), {NULL, "transformer.h.", NULL},
                                        "transformer.", BLOOM_IGNORE, NULL, NULL};

void bloom_sync_views(attn_model *m) {
    bloom_model *o = m->state;
    params_sync(m, (void *const[3]){o, o->layers, NULL}, (const size_t[3]){0, sizeof(bloom_layer), 0});
}

static attn_status bloom_alloc(const void *cfg, attn_model **out) {
    const attn_gpt_config *g = cfg;
    attn_status st = model_check_heads(g->n_embd, g->n_head);
    size_t layers = (size_t)g->n_layer * sizeof(bloom_layer);
    attn_model *m = st ? NULL : attn_calloc(1, sizeof *m);
    bloom_model *o = m ? attn_calloc(1, sizeof *o + layers + (size_t)g->n_head * sizeof(float)) : NULL;
    if (!o) {
        attn_free(m);
        return st ? st : ATTN_ERR_OUT_OF_MEMORY;
    }
    m->kind = MODEL_BLOOM, m->arch = registry_find("bloom"), m->state = o, m->cfg = *g;
    o->alibi = (float *)((char *)o->layers + layers);
    attn_alibi_slopes(g->n_head, o->alibi);
    param_layout lay = {.dims = {[D_V] = g->vocab_size, [D_C] = g->n_embd, [D_3C] = 3 * g->n_embd, [D_F] = 4 * g->n_embd},
                        .layers = {1, g->n_layer, 0}, .prefix = "", .qkv_heads = g->n_head};
    if (!(st = params_build(m, &BLOOM_TABLE, &lay))) bloom_sync_views(m);
    *out = st ? NULL : m;
    if (st) attn_model_free(m);
    return st;
}

tensor *bloom_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only) {
    bloom_model *o = m->state;
    const attn_gpt_config *c = &m->cfg;
    float eps = c->layer_norm_eps;
    if (cache) kv_positions(g, cache, B, T, 0, c->n_ctx); /* no positions, but the cache holds seq_length of them */
    tensor *x = op_layernorm(g, op_embedding(g, &o->wte, ids, B, T), &o->emb_ln_w, &o->emb_ln_b, eps), *r = NULL;
    for (int64_t l = 0; l < c->n_layer; l++) {
        bloom_layer *ly = &o->layers[l];
        nn_attn a = {.qkv_w = &ly->qkv_w, .qkv_b = &ly->qkv_b, .o_w = &ly->o_w, .o_b = &ly->o_b, .n_head = c->n_head,
                     .alibi = o->alibi};
        nn_norm n1 = {.w = &ly->ln1_w, .b = &ly->ln1_b, .eps = eps}, n2 = {.w = &ly->ln2_w, .b = &ly->ln2_b, .eps = eps};
        nn_mlp f = {.up_w = &ly->fc1_w, .up_b = &ly->fc1_b, .down_w = &ly->fc2_w, .down_b = &ly->fc2_b, .act = KACT_GELU};
        nn_kv kv = cache ? kv_layer(cache, l) : (nn_kv){0}, *kvp = cache ? &kv : NULL;
        x = nn_pre_norm_block(g, x, r, &n1, &a, &n2, &f, c->dropout, kvp, &r);
    }
    x = r ? op_add_layernorm(g, x, r, &o->lnf_w, &o->lnf_b, eps, NULL) : op_layernorm(g, x, &o->lnf_w, &o->lnf_b, eps);
    return op_linear(g, kv_last_rows(g, x, cache, B, T, last_only), &o->wte, NULL);
}

attn_status bloom_load(const model_source *src, attn_model **out) {
    attn_gpt_config c = attn_gpt_default_config(); /* BloomConfig's defaults where config.json is silent; 2048 positions */
    c.n_layer = 2, c.n_head = 8, c.n_embd = 64, c.vocab_size = 250880, c.n_ctx = 2048, c.dropout = 0.0f, c.pad_token_id = -1;
    c.layer_norm_eps = 1e-5f, c.activation = ATTN_ACT_GELU_TANH, c.bos_token_id = 1, c.eos_token_id = 2;
    attn_status st = registry_read_keys(src, &c);
    /* the other names BloomConfig takes, which win over the usual ones as there (bigscience/bloom's config.json) */
    static const char *const ALIAS[] = {"n_embed", "num_attention_heads", "num_hidden_layers"};
    int64_t *field[] = {&c.n_embd, &c.n_head, &c.n_layer}, hi[] = {CFG_MAX_WIDTH, CFG_MAX_HEADS, CFG_MAX_LAYERS};
    for (int i = 0; i < 3 && !st; i++) st = json_int_in(src->config, ALIAS[i], false, 1, hi[i], field[i], src->config_path);
    c.n_inner = 4 * c.n_embd;
    return st ? st : params_load(src, bloom_alloc, &c, "transformer.", "a BLOOM model", out);
}

attn_status bloom_model_alloc(const attn_gpt_config *g, attn_model **out) { return bloom_alloc(g, out); }

attn_status bloom_save(const attn_model *m, const char *dir) { return params_save_hf(m, dir, &m->cfg); }

attn_status bloom_create(const attn_gpt_config *g, uint64_t seed, attn_model **out) {
    *out = NULL;
    if (g->n_inner && g->n_inner != 4 * g->n_embd)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "BLOOM's MLP is 4 x the width (%lld), not %lld", (long long)(4 * g->n_embd),
                           (long long)g->n_inner);
    attn_gpt_config c = *g;
    c.n_inner = 4 * g->n_embd, c.activation = ATTN_ACT_GELU_TANH, c.layer_norm_eps = 1e-5f;
    attn_status st = bloom_alloc(&c, out);
    if (!st) params_init(*out, seed, 0.02f, 0);
    return st;
}
