/* llama.c — Llama-style decoders as transformers' LlamaForCausalLM (and the rows Qwen2ForCausalLM, with
 * q/k/v biases, and MistralForCausalLM): RMSNorm pre-norm blocks, rotary positions (rotate-half, rope_theta),
 * grouped-query attention with an explicit head width, the SwiGLU MLP (gate|up as one fused view), the output
 * untied or tied to the token embeddings. */
#include "models/model_impl.h"
#include "nn/nn.h"

#include <cJSON.h>
#include <string.h>

typedef struct llama_layer {
    tensor q_w, k_w, v_w, q_b, k_b, v_b, o_w, o_b, gate_w, up_w, gate_b, up_b, down_w, down_b, ln1_w, ln2_w;
    tensor qkv_w, qkv_b, gu_w, gu_b; /* fused views */
} llama_layer;

typedef struct llama_model {
    llama_hparams c;
    tensor wte, norm_w, lm_head;
    llama_layer layers[];
} llama_model;

#define T llama_hparams
#define LLAMA_COMMON_KEYS                                                                              \
    JSON_KEY_INT(T, "num_hidden_layers", g.n_layer, true, 1, CFG_MAX_LAYERS),                          \
    JSON_KEY_INT(T, "num_attention_heads", g.n_head, true, 1, CFG_MAX_HEADS),                          \
    JSON_KEY_INT(T, "num_key_value_heads", n_kv_head, false, 1, CFG_MAX_HEADS),                        \
    JSON_KEY_INT(T, "hidden_size", g.n_embd, true, 1, CFG_MAX_WIDTH),                                  \
    JSON_KEY_INT(T, "intermediate_size", g.n_inner, true, 1, CFG_MAX_INNER),                           \
    JSON_KEY_INT(T, "max_position_embeddings", g.n_ctx, false, 1, CFG_MAX_POSITIONS),                  \
    JSON_KEY_INT(T, "vocab_size", g.vocab_size, true, 1, CFG_MAX_VOCAB),                               \
    JSON_KEY_FLOAT(T, "rms_norm_eps", g.layer_norm_eps, 0.0, true, CFG_MAX_EPS),                       \
    JSON_KEY_FLOAT(T, "rope_theta", rope_theta, 0.0, true, 1e30),                                      \
    JSON_KEY_BOOL(T, "tie_word_embeddings", tie),                                                      \
    JSON_KEY_TOKEN(T, "pad_token_id", g.pad_token_id, INT32_MAX, JSON_BELOW(T, g.vocab_size)),         \
    JSON_KEY_TOKEN(T, "bos_token_id", g.bos_token_id, INT32_MAX, JSON_BELOW(T, g.vocab_size)),         \
    JSON_KEY_TOKEN(T, "eos_token_id", g.eos_token_id, INT32_MAX, JSON_BELOW(T, g.vocab_size))
const json_field LLAMA_CONFIG_KEYS[] = {
    LLAMA_COMMON_KEYS, JSON_KEY_INT(T, "head_dim", head_dim, false, 2, 512),
    JSON_KEY_BOOL(T, "attention_bias", attention_bias), JSON_KEY_BOOL(T, "mlp_bias", mlp_bias), JSON_KEYS_END,
};
const json_field QWEN2_CONFIG_KEYS[] = {LLAMA_COMMON_KEYS, JSON_KEYS_END};
const json_field MISTRAL_CONFIG_KEYS[] = {
    LLAMA_COMMON_KEYS, JSON_KEY_INT(T, "head_dim", head_dim, false, 2, 512),
    JSON_KEY_INT(T, "sliding_window", sliding_window, false, 1, INT32_MAX), JSON_KEYS_END,
};
#undef T
enum { D_V = 1, D_C, D_Q, D_K, D_F };                          /* dimension symbols */
enum { P_QKV_BIAS = 1, P_O_BIAS = 2, P_MLP_BIAS = 4, P_UNTIED = 8 }; /* optional parts */
#define MF(f) offsetof(llama_model, f)
#define LF(f) offsetof(llama_layer, f)
static const param_row LLAMA_ROWS[] = {
    {"model.embed_tokens.weight", ROLE_TOKEN_EMBD, {D_V, D_C}, 0, 0, 0, MF(wte)},
    {"self_attn.q_proj.weight", ROLE_ATTN_Q, {D_Q, D_C}, 1, 0, PF_DECAY | PF_PACK, LF(q_w)},
    {"self_attn.k_proj.weight", ROLE_ATTN_K, {D_K, D_C}, 1, 0, PF_DECAY | PF_PACK, LF(k_w)},
    {"self_attn.v_proj.weight", ROLE_ATTN_V, {D_K, D_C}, 1, 0, PF_DECAY, LF(v_w)},
    {"self_attn.q_proj.bias", ROLE_ATTN_Q, {D_Q}, 1, P_QKV_BIAS, PF_BIAS | PF_PACK, LF(q_b)},
    {"self_attn.k_proj.bias", ROLE_ATTN_K, {D_K}, 1, P_QKV_BIAS, PF_BIAS | PF_PACK, LF(k_b)},
    {"self_attn.v_proj.bias", ROLE_ATTN_V, {D_K}, 1, P_QKV_BIAS, PF_BIAS, LF(v_b)},
    {"self_attn.o_proj.weight", ROLE_ATTN_OUT, {D_C, D_Q}, 1, 0, PF_DECAY, LF(o_w)},
    {"self_attn.o_proj.bias", ROLE_ATTN_OUT, {D_C}, 1, P_O_BIAS, PF_BIAS, LF(o_b)},
    {"mlp.gate_proj.weight", ROLE_FFN_GATE, {D_F, D_C}, 1, 0, PF_DECAY | PF_PACK, LF(gate_w)},
    {"mlp.up_proj.weight", ROLE_FFN_UP, {D_F, D_C}, 1, 0, PF_DECAY, LF(up_w)},
    {"mlp.gate_proj.bias", ROLE_FFN_GATE, {D_F}, 1, P_MLP_BIAS, PF_BIAS | PF_PACK, LF(gate_b)},
    {"mlp.up_proj.bias", ROLE_FFN_UP, {D_F}, 1, P_MLP_BIAS, PF_BIAS, LF(up_b)},
    {"mlp.down_proj.weight", ROLE_FFN_DOWN, {D_C, D_F}, 1, 0, PF_DECAY, LF(down_w)},
    {"mlp.down_proj.bias", ROLE_FFN_DOWN, {D_C}, 1, P_MLP_BIAS, PF_BIAS, LF(down_b)},
    {"input_layernorm.weight", ROLE_ATTN_NORM, {D_C}, 1, 0, 0, LF(ln1_w)},
    {"post_attention_layernorm.weight", ROLE_FFN_NORM, {D_C}, 1, 0, 0, LF(ln2_w)},
    {"model.norm.weight", ROLE_OUTPUT_NORM, {D_C}, 0, 0, 0, MF(norm_w)},
    {"lm_head.weight", ROLE_OUTPUT, {D_V, D_C}, 0, P_UNTIED, PF_DECAY, MF(lm_head)},
};
static const param_fuse LLAMA_FUSE[] = {
    {1, 3, LF(q_w), LF(qkv_w)}, {1, 3, LF(q_b), LF(qkv_b)}, {1, 2, LF(gate_w), LF(gu_w)}, {1, 2, LF(gate_b), LF(gu_b)},
    {0, 0, 0, 0}};
/* lm_head of a tied model; the rotary inverse frequencies older checkpoints kept as buffers */
static const char *const LLAMA_IGNORE[] = {"lm_head.weight", "rotary_emb.inv_freq", NULL};
static const param_table LLAMA_TABLE = {LLAMA_ROWS, (int)ARRAY_LEN(LLAMA_ROWS), {NULL, "model.layers.", NULL},
                                        "model.", LLAMA_IGNORE, NULL, LLAMA_FUSE};

void llama_sync_views(attn_model *m) {
    llama_model *o = m->state;
    params_sync(m, (void *const[3]){o, o->layers, NULL}, (const size_t[3]){0, sizeof(llama_layer), 0});
}

static attn_status llama_check(const llama_hparams *c) {
    const attn_gpt_config *g = &c->g;
    if (g->n_layer < 1 || g->n_head < 1 || g->n_embd < 1 || g->n_inner < 1 || g->n_ctx < 1 || g->vocab_size < 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "a Llama model needs positive layers, heads, widths, positions, vocabulary");
    if (c->n_kv_head < 1 || g->n_head % c->n_kv_head)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "num_attention_heads (%lld) must be a multiple of num_key_value_heads (%lld)",
                           (long long)g->n_head, (long long)c->n_kv_head);
    if (c->head_dim < 2 || c->head_dim % 2 || c->head_dim > 512)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "head_dim must be even and in [2, 512], got %lld", (long long)c->head_dim);
    if (!(c->rope_theta > 0.0f)) return attn_errorf(ATTN_ERR_INVALID_ARG, "rope_theta must be positive");
    return ATTN_OK;
}

static attn_status llama_alloc(const llama_hparams *c, const model_arch *arch, attn_model **out) {
    attn_status st = llama_check(c);
    attn_model *m = st ? NULL : attn_calloc(1, sizeof *m);
    llama_model *o = m ? attn_calloc(1, sizeof *o + (size_t)c->g.n_layer * sizeof(llama_layer)) : NULL;
    if (!o) {
        attn_free(m);
        return st ? st : ATTN_ERR_OUT_OF_MEMORY;
    }
    m->kind = MODEL_LLAMA, m->arch = arch, m->state = o, o->c = *c, m->cfg = c->g;
    m->kv_width = 2 * c->n_kv_head * c->head_dim;
    param_layout lay = {.dims = {[D_V] = c->g.vocab_size, [D_C] = c->g.n_embd, [D_Q] = c->g.n_head * c->head_dim,
                                 [D_K] = c->n_kv_head * c->head_dim, [D_F] = c->g.n_inner},
                        .layers = {1, c->g.n_layer, 0}, .prefix = ""};
    lay.parts = (c->qkv_bias ? P_QKV_BIAS : 0) | (c->o_bias ? P_O_BIAS : 0) | (c->mlp_bias ? P_MLP_BIAS : 0) |
                (c->tie ? 0 : P_UNTIED);
    if (!(st = params_build(m, &LLAMA_TABLE, &lay))) llama_sync_views(m);
    *out = st ? NULL : m;
    if (st) attn_model_free(m);
    return st;
}

typedef struct llama_source {
    llama_hparams c;
    const model_arch *arch;
} llama_source;

static attn_status alloc_from_source(const void *cfg, attn_model **out) {
    const llama_source *s = cfg;
    return llama_alloc(&s->c, s->arch, out);
}

attn_status llama_model_new(const char *model_type, const llama_hparams *hp, attn_model **out) {
    *out = NULL;
    const model_arch *a = registry_find(model_type);
    if (!a || a->kind != MODEL_LLAMA) return attn_errorf(ATTN_ERR_INVALID_ARG, "\"%s\" is not a Llama-style model type", model_type);
    llama_hparams c = *hp;
    c.attention_bias = c.qkv_bias && c.o_bias;
    return llama_alloc(&c, a, out);
}

const llama_hparams *llama_hparams_of(const attn_model *m) { return &((const llama_model *)m->state)->c; }

tensor *llama_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only) {
    llama_model *o = m->state;
    const llama_hparams *c = &o->c;
    float eps = c->g.layer_norm_eps;
    /* rotary angles exist at any position: without a cache n_ctx is no bound (eval/score.c scores
     * past it), but for Mistral's sliding window, which attn runs only where it covers every key */
    int64_t limit = cache || c->sliding_window ? c->g.n_ctx : INT32_MAX;
    int32_t *pos = kv_positions(g, cache, B, T, 0, limit);
    tensor *x = pos ? op_embedding(g, &o->wte, ids, B, T) : NULL, *r = NULL;
    for (int64_t l = 0; l < c->g.n_layer; l++) {
        llama_layer *ly = &o->layers[l];
        nn_attn a = {.qkv_w = &ly->qkv_w, .qkv_b = c->qkv_bias ? &ly->qkv_b : NULL, .o_w = &ly->o_w,
                     .o_b = c->o_bias ? &ly->o_b : NULL, .n_head = c->g.n_head, .n_kv_head = c->n_kv_head,
                     .head_dim = c->head_dim, .pos = pos, .rope_theta = c->rope_theta};
        nn_norm n1 = {.w = &ly->ln1_w, .eps = eps, .rms = true}, n2 = {.w = &ly->ln2_w, .eps = eps, .rms = true};
        nn_mlp f = {.up_w = &ly->gu_w, .up_b = c->mlp_bias ? &ly->gu_b : NULL, .down_w = &ly->down_w,
                    .down_b = c->mlp_bias ? &ly->down_b : NULL, .gated = true};
        nn_kv kv = cache ? kv_layer(cache, l) : (nn_kv){0}, *kvp = cache ? &kv : NULL;
        x = nn_pre_norm_block(g, x, r, &n1, &a, &n2, &f, m->cfg.dropout, kvp, &r);
    }
    x = r ? op_add_rmsnorm(g, x, r, &o->norm_w, eps, NULL) : op_rmsnorm(g, x, &o->norm_w, eps);
    return op_linear(g, kv_last_rows(g, x, cache, B, T, last_only), c->tie ? &o->wte : &o->lm_head, NULL);
}

/* transformers 5 writes rope_theta inside "rope_parameters" ({"rope_type": "default", "rope_theta": ...});
 * other rope types (scaled positions) are refused by name, as a non-null rope_scaling is (the row's fixed). */
static attn_status read_rope_parameters(const model_source *src, float *theta) {
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(src->config, "rope_parameters");
    if (!rp || cJSON_IsNull(rp)) return ATTN_OK;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(rp, "rope_type"), *th = cJSON_GetObjectItemCaseSensitive(rp, "rope_theta");
    const cJSON *partial = cJSON_GetObjectItemCaseSensitive(rp, "partial_rotary_factor");
    if (!cJSON_IsObject(rp) || (type && !(cJSON_IsString(type) && !strcmp(type->valuestring, "default"))) ||
        (th && !(cJSON_IsNumber(th) && th->valuedouble > 0 && th->valuedouble < 1e30)) ||
        (partial && !(cJSON_IsNumber(partial) && partial->valuedouble == 1.0))) {
        char *txt = cJSON_PrintUnformatted(rp);
        attn_status st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: \"rope_parameters\" is %.120s; attn supports rope_type "
                                     "\"default\" (no position scaling) with a positive rope_theta only",
                                     src->config_path, txt ? txt : "?");
        cJSON_free(txt);
        return st;
    }
    if (th) *theta = (float)th->valuedouble;
    return ATTN_OK;
}

attn_status llama_load(const model_source *src, attn_model **out) {
    bool qwen2 = !strcmp(src->arch->model_type, "qwen2"), mistral = !strcmp(src->arch->model_type, "mistral");
    llama_hparams c = {attn_gpt_default_config(), 0, 0, 10000.0f, false, false, false, false, false, 0};
    c.g.layer_norm_eps = 1e-6f, c.g.n_ctx = qwen2 ? 32768 : mistral ? 131072 : 2048; /* the configs' defaults */
    if (!qwen2) c.g.bos_token_id = 1, c.g.eos_token_id = 2;
    const cJSON *sw = cJSON_GetObjectItemCaseSensitive(src->config, "sliding_window");
    if (mistral) c.sliding_window = sw ? 0 : 4096; /* MistralConfig's default where the key is absent */
    attn_status st = registry_read_keys(src, &c);
    if (!st) st = read_rope_parameters(src, &c.rope_theta);
    if (st) return st;
    if (mistral && !c.sliding_window) c.sliding_window = c.g.n_ctx; /* null: no window */
    if (mistral && c.sliding_window < c.g.n_ctx)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: \"sliding_window\" is %lld, shorter than the %lld positions; attn supports "
                           "null or a window of at least max_position_embeddings only", src->config_path,
                           (long long)c.sliding_window, (long long)c.g.n_ctx);
    if (!c.n_kv_head) c.n_kv_head = c.g.n_head;
    if (!c.head_dim) c.head_dim = c.g.n_embd % c.g.n_head ? 0 : c.g.n_embd / c.g.n_head;
    c.qkv_bias = qwen2 || c.attention_bias, c.o_bias = c.attention_bias;
    if ((st = llama_check(&c))) return error_prefixf(st, "%s", src->config_path);
    llama_source ls = {c, src->arch};
    return params_load(src, alloc_from_source, &ls, "model.", src->arch->what, out);
}

attn_status llama_save(const attn_model *m, const char *dir) {
    llama_hparams c = ((const llama_model *)m->state)->c;
    c.g = m->cfg;
    return params_save_hf(m, dir, &c);
}

attn_status llama_create(const attn_gpt_config *g, uint64_t seed, attn_model **out) {
    llama_hparams c = {*g, g->n_head, g->n_head ? g->n_embd / g->n_head : 0, 10000.0f, true, false, false, false, false, 0};
    c.g.n_inner = g->n_inner ? g->n_inner : 4 * g->n_embd, c.g.layer_norm_eps = 1e-6f;
    if (g->n_head < 1 || g->n_embd % g->n_head)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "n_embd (%lld) must be a positive multiple of n_head (%lld)",
                           (long long)g->n_embd, (long long)g->n_head);
    attn_status st = llama_model_new("llama", &c, out);
    if (!st) params_init(*out, seed, 0.02f, 0);
    return st;
}
