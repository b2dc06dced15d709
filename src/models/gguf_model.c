/* gguf_model.c — a model from a GGUF file: general.architecture names the
 * family, its {arch}.* keys give the hyper-parameters, and each blk.N.*
 * tensor fills the parameter transformers names (llama.cpp's tensor names
 * mapped onto the family's rows). Tensors of any type attn reads are
 * converted to fp32 on load.
 *
 * llama.cpp's converter stores a Llama's q and k projections with the rows
 * of each head reordered for its interleaved rotary layout (row 2i + j of a
 * head holds transformers' row j * D/2 + i); loading undoes that so the
 * rotate-half forward applies. Qwen2 files are stored unpermuted. */
#include "io/gguf.h"
#include "kernels/quant.h"
#include "models/model_impl.h"

#include <stdio.h>
#include <string.h>

/* llama.cpp's per-layer tensor names and transformers' */
static const char *const LAYER_NAMES[][2] = {
    {"attn_norm.weight", "input_layernorm.weight"},    {"ffn_norm.weight", "post_attention_layernorm.weight"},
    {"attn_q.weight", "self_attn.q_proj.weight"},      {"attn_k.weight", "self_attn.k_proj.weight"},
    {"attn_v.weight", "self_attn.v_proj.weight"},      {"attn_output.weight", "self_attn.o_proj.weight"},
    {"attn_q.bias", "self_attn.q_proj.bias"},          {"attn_k.bias", "self_attn.k_proj.bias"},
    {"attn_v.bias", "self_attn.v_proj.bias"},          {"attn_output.bias", "self_attn.o_proj.bias"},
    {"ffn_gate.weight", "mlp.gate_proj.weight"},       {"ffn_up.weight", "mlp.up_proj.weight"},
    {"ffn_down.weight", "mlp.down_proj.weight"},       {"ffn_gate.bias", "mlp.gate_proj.bias"},
    {"ffn_up.bias", "mlp.up_proj.bias"},               {"ffn_down.bias", "mlp.down_proj.bias"},
};
static const char *const GLOBAL_NAMES[][2] = {
    {"token_embd.weight", "model.embed_tokens.weight"},
    {"output_norm.weight", "model.norm.weight"},
    {"output.weight", "lm_head.weight"},
};

bool gguf_llama_name(const char *hf, char *out, size_t n) {
    for (size_t i = 0; i < ARRAY_LEN(GLOBAL_NAMES); i++)
        if (!strcmp(hf, GLOBAL_NAMES[i][1])) return snprintf(out, n, "%s", GLOBAL_NAMES[i][0]) < (int)n;
    int layer, used = 0;
    if (sscanf(hf, "model.layers.%d.%n", &layer, &used) != 1 || !used) return false;
    for (size_t i = 0; i < ARRAY_LEN(LAYER_NAMES); i++)
        if (!strcmp(hf + used, LAYER_NAMES[i][1])) return snprintf(out, n, "blk.%d.%s", layer, LAYER_NAMES[i][0]) < (int)n;
    return false;
}

/* An integer key of the architecture's, or def when absent. */
static attn_status arch_int(const gguf_file *f, const char *arch, const char *key, int64_t def, int64_t lo, int64_t hi,
                            int64_t *out) {
    char name[128];
    snprintf(name, sizeof name, "%s.%s", arch, key);
    if (!gguf_find(f, name)) {
        if (def < 0) return attn_errorf(ATTN_ERR_FORMAT, "%s: the key %s is missing", f->path, name);
        *out = def;
        return ATTN_OK;
    }
    uint64_t v;
    attn_status st = gguf_get_u64(f, name, &v);
    if (st) return st;
    if ((int64_t)v < lo || v > (uint64_t)hi)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s is %llu, outside [%lld, %lld]", f->path, name, (unsigned long long)v,
                           (long long)lo, (long long)hi);
    *out = (int64_t)v;
    return ATTN_OK;
}

static attn_status arch_float(const gguf_file *f, const char *arch, const char *key, float def, float *out) {
    char name[128];
    snprintf(name, sizeof name, "%s.%s", arch, key);
    if (!gguf_find(f, name)) {
        *out = def;
        return ATTN_OK;
    }
    attn_status st = gguf_get_f32(f, name, out);
    if (!st && !(*out > 0.0f && *out < 1e30f))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s must be positive and finite", f->path, name);
    return st;
}

static int32_t token_id(const gguf_file *f, const char *key, int64_t V) {
    uint32_t v;
    if (!gguf_find(f, key) || gguf_get_u32(f, key, &v) || v >= (uint64_t)V) return -1;
    return (int32_t)v;
}

static attn_status llama_hparams_from(const gguf_file *f, const char *arch, llama_hparams *c) {
    memset(c, 0, sizeof *c);
    c->g = attn_gpt_default_config();
    attn_gpt_config *g = &c->g;
    const gguf_tensor *embd = gguf_find_tensor(f, "token_embd.weight");
    if (!embd || embd->ndim != 2) return attn_errorf(ATTN_ERR_FORMAT, "%s: no 2-D tensor token_embd.weight", f->path);
    attn_status st;
    int64_t rot = 0;
    if ((st = arch_int(f, arch, "block_count", -1, 1, CFG_MAX_LAYERS, &g->n_layer)) ||
        (st = arch_int(f, arch, "embedding_length", -1, 1, CFG_MAX_WIDTH, &g->n_embd)) ||
        (st = arch_int(f, arch, "feed_forward_length", -1, 1, CFG_MAX_INNER, &g->n_inner)) ||
        (st = arch_int(f, arch, "attention.head_count", -1, 1, CFG_MAX_HEADS, &g->n_head)) ||
        (st = arch_int(f, arch, "attention.head_count_kv", g->n_head, 1, CFG_MAX_HEADS, &c->n_kv_head)) ||
        (st = arch_int(f, arch, "context_length", 2048, 1, CFG_MAX_POSITIONS, &g->n_ctx)) ||
        (st = arch_int(f, arch, "vocab_size", embd->ne[1], 1, CFG_MAX_VOCAB, &g->vocab_size)) ||
        (st = arch_int(f, arch, "attention.key_length", g->n_embd / g->n_head, 2, 512, &c->head_dim)) ||
        (st = arch_int(f, arch, "rope.dimension_count", c->head_dim, 2, 512, &rot)) ||
        (st = arch_float(f, arch, "rope.freq_base", 10000.0f, &c->rope_theta)) ||
        (st = arch_float(f, arch, "attention.layer_norm_rms_epsilon", 1e-6f, &g->layer_norm_eps)))
        return st;
    if (rot != c->head_dim)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: rotary positions over %lld of %lld head dimensions (partial rotary) are "
                           "not supported", f->path, (long long)rot, (long long)c->head_dim);
    char key[128];
    snprintf(key, sizeof key, "%s.rope.scaling.type", arch);
    gguf_str s = {0};
    if (gguf_find(f, key) && (gguf_get_string(f, key, &s) || !(s.n == 4 && !memcmp(s.p, "none", 4))))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s is \"%.*s\"; attn supports unscaled rotary positions only", f->path,
                           key, (int)(s.n < 40 ? s.n : 40), s.p ? s.p : "");
    c->tie = !gguf_find_tensor(f, "output.weight");
    c->qkv_bias = gguf_find_tensor(f, "blk.0.attn_q.bias") != NULL;
    c->o_bias = gguf_find_tensor(f, "blk.0.attn_output.bias") != NULL;
    c->attention_bias = c->qkv_bias && c->o_bias;
    c->mlp_bias = gguf_find_tensor(f, "blk.0.ffn_up.bias") != NULL; /* with gate and down biases (mlp_bias) */
    g->bos_token_id = token_id(f, "tokenizer.ggml.bos_token_id", g->vocab_size);
    g->eos_token_id = token_id(f, "tokenizer.ggml.eos_token_id", g->vocab_size);
    g->pad_token_id = token_id(f, "tokenizer.ggml.padding_token_id", g->vocab_size);
    return ATTN_OK;
}

/* ATTN_ERR_FORMAT unless GGUF tensor t has parameter k's shape. */
static attn_status check_shape(const attn_model *m, int k, const gguf_file *f, const gguf_tensor *t) {
    const param_info *p = &m->params[k];
    int64_t rows = p->ndim == 2 ? p->shape[0] : 1, cols = p->ndim == 2 ? p->shape[1] : p->shape[0];
    bool ok = p->ndim == 2 ? t->ndim == 2 && t->ne[0] == cols && t->ne[1] == rows : t->ndim == 1 && t->ne[0] == cols;
    if (ok) return ATTN_OK;
    return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor %s is [%lld, %lld], the config implies [%lld, %lld] for %s", f->path,
                       t->name, (long long)t->ne[0], (long long)(t->ndim > 1 ? t->ne[1] : 1), (long long)cols, (long long)rows,
                       p->name);
}

attn_status gguf_rope_rows(void *w, int64_t heads, int64_t D, size_t row_bytes, bool to_gguf) {
    unsigned char *tmp = attn_malloc((size_t)D * row_bytes);
    if (!tmp) return ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t h = 0; h < heads; h++) {
        unsigned char *head = (unsigned char *)w + (size_t)(h * D) * row_bytes;
        memcpy(tmp, head, (size_t)D * row_bytes);
        for (int64_t r = 0; r < D; r++) { /* transformers' row r = j * D/2 + i is llama.cpp's row 2i + j */
            size_t hf = (size_t)r, gg = (size_t)(2 * (r % (D / 2)) + r / (D / 2));
            memcpy(head + (to_gguf ? gg : hf) * row_bytes, tmp + (to_gguf ? hf : gg) * row_bytes, row_bytes);
        }
    }
    attn_free(tmp);
    return ATTN_OK;
}

/* Reads every parameter of m from f: the Q8_0 / Q4_0 / Q4_1 matrices stay
 * quantized (a fused view's parts when they share the type), the rest are
 * converted to fp32. */
static attn_status read_params(attn_model *m, const gguf_file *f, const llama_hparams *c, bool permute) {
    int n = m->n_params_tensors;
    const gguf_tensor **ts = attn_calloc((size_t)n, sizeof *ts);
    int *qt = attn_calloc((size_t)n, sizeof *qt);
    void **src = attn_calloc((size_t)n, sizeof *src);
    attn_status st = ts && qt && src ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    char name[160];
    for (int k = 0; k < n && !st; k++) {
        const char *hf = m->params[k].name;
        if (!(ts[k] = gguf_llama_name(hf, name, sizeof name) ? gguf_find_tensor(f, name) : NULL))
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: no tensor %s for %s", f->path, gguf_llama_name(hf, name, sizeof name) ? name : "?", hf);
        else if (!(st = check_shape(m, k, f, ts[k])) && m->params[k].ndim == 2 && quant_type_valid((int)ts[k]->type))
            qt[k] = (int)ts[k]->type;
    }
    if (!st) model_quant_runs(m, qt); /* a fused view's parts share one type, or all become fp32 */
    for (int k = 0; k < n && !st; k++) {
        const param_info *p = &m->params[k];
        int64_t heads = 0;
        if (permute && strstr(p->name, "self_attn.q_proj.")) heads = c->g.n_head;
        if (permute && strstr(p->name, "self_attn.k_proj.")) heads = c->n_kv_head;
        if (heads && p->shape[0] != heads * c->head_dim) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: %s has %lld rows, not heads x %lld", f->path, ts[k]->name,
                             (long long)p->shape[0], (long long)c->head_dim);
            break;
        }
        size_t row_bytes = qt[k] ? quant_row_bytes(qt[k], p->shape[1]) : (size_t)(p->ndim == 2 ? p->shape[1] : 1) * sizeof(float);
        unsigned char *dst = (unsigned char *)(m->weights + p->offset);
        if (qt[k] && heads) { /* a reordered copy of the blocks */
            if (!(src[k] = attn_malloc(ts[k]->nbytes))) {
                st = ATTN_ERR_OUT_OF_MEMORY;
                break;
            }
            memcpy(src[k], ts[k]->data, ts[k]->nbytes);
            dst = src[k];
        } else if (qt[k]) {
            continue; /* model_quantize copies the file's blocks */
        } else if ((st = gguf_tensor_f32(f, ts[k], m->weights + p->offset, p->numel))) {
            break;
        }
        if (heads) st = gguf_rope_rows(dst, heads, c->head_dim, row_bytes, false);
    }
    const void **blocks = st ? NULL : attn_calloc((size_t)n, sizeof *blocks);
    if (blocks) {
        for (int k = 0; k < n; k++) blocks[k] = src[k] ? src[k] : qt[k] ? ts[k]->data : NULL;
        st = model_quantize(m, qt, blocks);
    } else if (!st) {
        st = ATTN_ERR_OUT_OF_MEMORY;
    }
    for (int k = 0; src && k < n; k++) attn_free(src[k]);
    attn_free(blocks);
    attn_free(ts);
    attn_free(qt);
    attn_free(src);
    return st;
}

static attn_status load_llama(gguf_file *f, const char *arch, attn_model **out) {
    llama_hparams c;
    attn_status st = llama_hparams_from(f, arch, &c);
    if (st) return st;
    bool permute = !strcmp(arch, "llama");
    attn_model *m = NULL;
    model_params_lazy(true); /* every parameter is read or quantized below */
    st = llama_model_new(!strcmp(arch, "qwen2") ? "qwen2" : "llama", &c, &m);
    model_params_lazy(false);
    if (st) return error_prefixf(st, "%s", f->path);
    char name[160];
    int used = m->n_params_tensors;
    st = read_params(m, f, &c, permute);
    if (!st && used != f->n_tensors) {
        /* a tensor no parameter took (e.g. rope_freqs for scaled positions) */
        for (int64_t i = 0; i < f->n_tensors; i++) {
            bool taken = false;
            for (int k = 0; k < m->n_params_tensors && !taken; k++)
                taken = gguf_llama_name(m->params[k].name, name, sizeof name) && !strcmp(name, f->tensors[i].name);
            if (!taken) {
                st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: tensor %s is not part of %s", f->path, f->tensors[i].name,
                                 m->arch->what);
                break;
            }
        }
    }
    if (!st) st = model_check_finite(m, f->path);
    if (st) {
        attn_model_free(m);
        return st;
    }
    model_refresh_bf16(m);
    *out = m;
    return ATTN_OK;
}

bool gguf_is_file(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    char magic[4];
    bool yes = fread(magic, 1, 4, fp) == 4 && !memcmp(magic, "GGUF", 4);
    fclose(fp);
    return yes;
}

attn_status gguf_model_load(const char *path, attn_model **out) {
    *out = NULL;
    gguf_file *f = NULL;
    attn_status st = gguf_open(path, &f);
    if (st) return st;
    char *arch = NULL;
    if (!(st = gguf_get_cstring(f, "general.architecture", &arch))) {
        if (!strcmp(arch, "llama") || !strcmp(arch, "qwen2"))
            st = load_llama(f, arch, out);
        else
            st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: general.architecture \"%.60s\" is not supported in GGUF files "
                             "(supported: llama, qwen2)", path, arch);
    }
    attn_free(arch);
    gguf_close(f);
    return st;
}
