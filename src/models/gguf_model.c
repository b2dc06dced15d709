/* gguf_model.c — a model from a GGUF file: general.architecture names the
 * family (llama, qwen2, gpt2, bloom), its {arch}.* keys give the
 * hyper-parameters, and each tensor fills the parameter whose row has its
 * role (llama.cpp's names: token_embd, blk.N.attn_qkv, ...). Q8_0, Q4_0
 * and Q4_1 matrices stay quantized; tensors of the other types attn reads
 * are converted to fp32 on load.
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

/* llama.cpp's tensor names, by the role of a parameter's row */
static const char *const ROLE_NAMES[] = {
    [ROLE_TOKEN_EMBD] = "token_embd", [ROLE_POS_EMBD] = "position_embd", [ROLE_EMBD_NORM] = "token_embd_norm",
    [ROLE_ATTN_NORM] = "attn_norm",   [ROLE_ATTN_Q] = "attn_q",          [ROLE_ATTN_K] = "attn_k",
    [ROLE_ATTN_V] = "attn_v",         [ROLE_ATTN_QKV] = "attn_qkv",      [ROLE_ATTN_OUT] = "attn_output",
    [ROLE_FFN_NORM] = "ffn_norm",     [ROLE_FFN_UP] = "ffn_up",          [ROLE_FFN_GATE] = "ffn_gate",
    [ROLE_FFN_DOWN] = "ffn_down",     [ROLE_OUTPUT_NORM] = "output_norm", [ROLE_OUTPUT] = "output",
};

bool gguf_param_name(const attn_model *m, int k, char *out, size_t n) {
    const param_info *p = &m->params[k];
    const param_row *r = &m->table->rows[p->spec];
    const char *base = r->role < ARRAY_LEN(ROLE_NAMES) ? ROLE_NAMES[r->role] : NULL;
    if (!base) return false;
    const char *what = r->flags & PF_BIAS ? "bias" : "weight";
    int len = p->layer >= 0 ? snprintf(out, n, "blk.%d.%s.%s", p->layer, base, what) : snprintf(out, n, "%s.%s", base, what);
    return len > 0 && (size_t)len < n;
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

/* GPT-2's and BLOOM's sizes: LayerNorm blocks with a GELU (tanh) MLP, every
 * head a key/value head, the output tied to token_embd. */
static attn_status gpt_hparams_from(const gguf_file *f, const char *arch, attn_gpt_config *g) {
    *g = attn_gpt_default_config();
    const gguf_tensor *embd = gguf_find_tensor(f, "token_embd.weight");
    if (!embd || embd->ndim != 2) return attn_errorf(ATTN_ERR_FORMAT, "%s: no 2-D tensor token_embd.weight", f->path);
    const gguf_tensor *pos = gguf_find_tensor(f, "position_embd.weight");
    int64_t kv = 0, positions = pos && pos->ndim == 2 ? (int64_t)pos->ne[1] : 2048;
    attn_status st;
    if ((st = arch_int(f, arch, "block_count", -1, 1, CFG_MAX_LAYERS, &g->n_layer)) ||
        (st = arch_int(f, arch, "embedding_length", -1, 1, CFG_MAX_WIDTH, &g->n_embd)) ||
        (st = arch_int(f, arch, "feed_forward_length", 4 * g->n_embd, 1, CFG_MAX_INNER, &g->n_inner)) ||
        (st = arch_int(f, arch, "attention.head_count", -1, 1, CFG_MAX_HEADS, &g->n_head)) ||
        (st = arch_int(f, arch, "attention.head_count_kv", g->n_head, 1, CFG_MAX_HEADS, &kv)) ||
        (st = arch_int(f, arch, "context_length", positions, 1, CFG_MAX_POSITIONS, &g->n_ctx)) ||
        (st = arch_int(f, arch, "vocab_size", embd->ne[1], 1, CFG_MAX_VOCAB, &g->vocab_size)) ||
        (st = arch_float(f, arch, "attention.layer_norm_epsilon", 1e-5f, &g->layer_norm_eps)))
        return st;
    if (kv != g->n_head)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s with %lld key/value heads for %lld heads is not supported", f->path,
                           arch, (long long)kv, (long long)g->n_head);
    if (!strcmp(arch, "bloom") && g->n_inner != 4 * g->n_embd)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: BLOOM's MLP is 4 x the width (%lld), not %lld", f->path,
                           (long long)(4 * g->n_embd), (long long)g->n_inner);
    g->activation = ATTN_ACT_GELU_TANH, g->dropout = 0.0f;
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

/* Reads every parameter of m from f: the F16 / Q8_0 / Q4_0 / Q4_1 matrices
 * with rows a multiple of 32 wide stay as they are (a fused view's parts
 * when they share the type), the rest are converted to fp32. With rope
 * (llama files), q and k rows return from llama.cpp's interleaved rotary
 * order. */
static attn_status read_params(attn_model *m, const gguf_file *f, const llama_hparams *rope) {
    int n = m->n_params_tensors;
    const gguf_tensor **ts = attn_calloc((size_t)n, sizeof *ts);
    int *qt = attn_calloc((size_t)n, sizeof *qt);
    void **src = attn_calloc((size_t)n, sizeof *src);
    attn_status st = ts && qt && src ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    char name[160];
    for (int k = 0; k < n && !st; k++) {
        const char *hf = m->params[k].name;
        if (!gguf_param_name(m, k, name, sizeof name))
            st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s has no GGUF tensor", f->path, hf);
        else if (!(ts[k] = gguf_find_tensor(f, name)))
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: no tensor %s for %s", f->path, name, hf);
        else if (!(st = check_shape(m, k, f, ts[k])) && m->params[k].ndim == 2 && quant_type_valid((int)ts[k]->type) &&
                 m->params[k].shape[1] % QUANT_BLOCK == 0) /* F16 rows may be any width: others become fp32 */
            qt[k] = (int)ts[k]->type;
    }
    if (!st) model_quant_runs(m, qt); /* a fused view's parts share one type, or all become fp32 */
    for (int k = 0; k < n && !st; k++) {
        const param_info *p = &m->params[k];
        int role = m->table->rows[p->spec].role;
        int64_t heads = !rope ? 0 : role == ROLE_ATTN_Q ? rope->g.n_head : role == ROLE_ATTN_K ? rope->n_kv_head : 0;
        if (heads && p->shape[0] != heads * rope->head_dim) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: %s has %lld rows, not heads x %lld", f->path, ts[k]->name,
                             (long long)p->shape[0], (long long)rope->head_dim);
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
        } else {
            map_release(ts[k]->data, ts[k]->nbytes); /* read: its mapped pages leave the resident set */
        }
        if (heads) st = gguf_rope_rows(dst, heads, rope->head_dim, row_bytes, false);
    }
    const void **blocks = st ? NULL : attn_calloc((size_t)n, sizeof *blocks);
    if (blocks) {
        for (int k = 0; k < n; k++) blocks[k] = src[k] ? src[k] : qt[k] ? ts[k]->data : NULL;
        st = model_quantize(m, qt, blocks); /* which gives each tensor's mapped pages back once copied */
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

/* Whether tensor t of f is a copy of token_embd.weight (a converter's
 * output.weight for a model whose output is tied to its embeddings). */
static bool copy_of_embd(const gguf_file *f, const gguf_tensor *t) {
    const gguf_tensor *e = gguf_find_tensor(f, "token_embd.weight");
    return e && t->type == e->type && t->ndim == e->ndim && t->ne[0] == e->ne[0] && t->ne[1] == e->ne[1] &&
           t->nbytes == e->nbytes && !memcmp(t->data, e->data, t->nbytes);
}

static attn_status load_arch(gguf_file *f, const char *arch, attn_model **out) {
    bool llama = !strcmp(arch, "llama") || !strcmp(arch, "qwen2");
    llama_hparams c;
    attn_gpt_config g;
    attn_status st = llama ? llama_hparams_from(f, arch, &c) : gpt_hparams_from(f, arch, &g);
    if (st) return st;
    attn_model *m = NULL;
    model_params_lazy(true); /* every parameter is read or quantized below */
    if (llama) st = llama_model_new(!strcmp(arch, "qwen2") ? "qwen2" : "llama", &c, &m);
    else st = !strcmp(arch, "gpt2") ? gpt_alloc(&g, &m) : bloom_model_alloc(&g, &m);
    model_params_lazy(false);
    if (st) return error_prefixf(st, "%s", f->path);
    char name[160];
    st = read_params(m, f, !strcmp(arch, "llama") ? &c : NULL);
    /* every parameter took a tensor of its own (names are unique), so only a
     * file with more tensors than parameters holds one no parameter took
     * (e.g. rope_freqs for scaled positions, a tied family's output.weight) */
    for (int64_t i = 0; !st && f->n_tensors > m->n_params_tensors && i < f->n_tensors; i++) {
        bool taken = false;
        for (int k = 0; k < m->n_params_tensors && !taken; k++)
            taken = gguf_param_name(m, k, name, sizeof name) && !strcmp(name, f->tensors[i].name);
        if (!taken && !llama && !strcmp(f->tensors[i].name, "output.weight")) {
            if (copy_of_embd(f, &f->tensors[i])) continue;
            st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: output.weight differs from token_embd.weight, but %s ties its "
                             "output to the token embeddings", f->path, m->arch->what);
        } else if (!taken) {
            st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: tensor %s is not part of %s", f->path, f->tensors[i].name,
                             m->arch->what);
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
        if (!strcmp(arch, "llama") || !strcmp(arch, "qwen2") || !strcmp(arch, "gpt2") || !strcmp(arch, "bloom"))
            st = load_arch(f, arch, out);
        else
            st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: general.architecture \"%.60s\" is not supported in GGUF files "
                             "(supported: llama, qwen2, gpt2, bloom)", path, arch);
    }
    attn_free(arch);
    gguf_close(f);
    return st;
}
