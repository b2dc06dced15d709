/* gguf_export.c — attn_gguf_convert: a Llama-style, GPT-2 or BLOOM model (a
 * Hugging Face directory, a GGUF file or an installed name) written as a
 * GGUF file that llama.cpp reads: general.* and {llama,qwen2,gpt2,bloom}.*
 * keys, llama.cpp's tensor names, q and k rows in llama.cpp's interleaved
 * rotary order for llama files, matrices in the asked type (F16 where a row
 * is not a whole number of blocks; GPT-2's position embeddings in F32),
 * vectors in F32, the output left out where it is tied to the embeddings
 * (as llama.cpp's converter does), and the tokenizer as tokenizer.ggml.*
 * keys (copied from a GGUF source; from a directory's tokenizer.json, a
 * byte-level BPE, plus tokenizer_config.json's chat_template). */
#include "attn/gguf.h"
#include "io/gguf.h"
#include "io/json.h"
#include "models/model_impl.h"
#include "tokenizers/tokenizer_impl.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#define SET_U32(w, key, v) attn_gguf_writer_set(w, key, ATTN_GGUF_UINT32, &(uint32_t){(uint32_t)(v)})
#define SET_F32(w, key, v) attn_gguf_writer_set(w, key, ATTN_GGUF_FLOAT32, &(float){(float)(v)})

/* general.* and the family's {arch}.* keys; c is the Llama-style sizes
 * (NULL for gpt2 and bloom, whose sizes are m's config). */
static attn_status write_hparams(attn_gguf_writer *w, const char *arch, const attn_model *m, const llama_hparams *c,
                                 const char *name, int32_t type) {
    char k[128];
    const attn_gpt_config *g = c ? &c->g : &m->cfg;
    attn_status st = attn_gguf_writer_set_string(w, "general.architecture", arch, strlen(arch));
    if (!st) st = attn_gguf_writer_set_string(w, "general.name", name, strlen(name));
    /* llama.cpp's file types: all F32, mostly F16, Q4_0, Q4_1, Q8_0, BF16 */
    uint32_t ftype = type == 0 ? 0 : type == 1 ? 1 : type == 2 ? 2 : type == 3 ? 3 : type == 8 ? 7 : 32;
    if (!st) st = SET_U32(w, "general.file_type", ftype);
    if (!st && (type == 2 || type == 3 || type == 8)) st = SET_U32(w, "general.quantization_version", 2);
#define KEY(s) (snprintf(k, sizeof k, "%s.%s", arch, s), k)
    if (!st) st = SET_U32(w, KEY("block_count"), g->n_layer);
    if (!st) st = SET_U32(w, KEY("context_length"), g->n_ctx);
    if (!st) st = SET_U32(w, KEY("embedding_length"), g->n_embd);
    if (!st) st = SET_U32(w, KEY("feed_forward_length"), g->n_inner ? g->n_inner : 4 * g->n_embd);
    if (!st) st = SET_U32(w, KEY("attention.head_count"), g->n_head);
    if (!st) st = SET_U32(w, KEY("attention.head_count_kv"), c ? c->n_kv_head : g->n_head);
    if (!c) {
        if (!st) st = SET_F32(w, KEY("attention.layer_norm_epsilon"), g->layer_norm_eps);
    } else {
        if (!st) st = SET_U32(w, KEY("attention.key_length"), c->head_dim);
        if (!st) st = SET_U32(w, KEY("attention.value_length"), c->head_dim);
        if (!st) st = SET_U32(w, KEY("rope.dimension_count"), c->head_dim);
        if (!st) st = SET_F32(w, KEY("rope.freq_base"), c->rope_theta);
        if (!st) st = SET_F32(w, KEY("attention.layer_norm_rms_epsilon"), g->layer_norm_eps);
    }
    if (!st) st = SET_U32(w, KEY("vocab_size"), g->vocab_size);
#undef KEY
    return st;
}

/* Every tokenizer.* key of a GGUF source, as it is. */
static attn_status copy_tokenizer(attn_gguf_writer *w, const gguf_file *f) {
    attn_status st = ATTN_OK;
    for (int64_t i = 0; i < f->n_kv && !st; i++) {
        const gguf_kv *kv = &f->kv[i];
        if (strncmp(kv->key, "tokenizer.", 10)) continue;
        const gguf_value *v = &kv->v;
        if (v->type == GGUF_V_STRING) {
            st = attn_gguf_writer_set_string(w, kv->key, v->s.p, (size_t)v->s.n);
        } else if (v->type == GGUF_V_ARRAY && v->arr.elem == GGUF_V_STRING) {
            char **s = attn_calloc((size_t)v->arr.n + 1, sizeof *s);
            st = s ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
            for (uint64_t j = 0; j < v->arr.n && !st; j++) {
                gguf_str x = gguf_arr_str(v, j);
                if (!(s[j] = attn_malloc((size_t)x.n + 1))) st = ATTN_ERR_OUT_OF_MEMORY;
                else memcpy(s[j], x.p, (size_t)x.n), s[j][x.n] = 0;
            }
            if (!st) st = attn_gguf_writer_set_array(w, kv->key, ATTN_GGUF_STRING, (const char *const *)s, v->arr.n);
            for (uint64_t j = 0; s && j < v->arr.n; j++) attn_free(s[j]);
            attn_free(s);
        } else if (v->type == GGUF_V_ARRAY && v->arr.items == NULL) {
            st = attn_gguf_writer_set_array(w, kv->key, (attn_gguf_vtype)v->arr.elem, v->arr.raw, v->arr.n);
        } else if (v->type == GGUF_V_ARRAY) {
            st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s holds nested arrays, which convert does not copy", f->path, kv->key);
        } else {
            union { uint64_t u; int64_t i; float f32; double f; bool b; uint8_t u8; uint16_t u16; uint32_t u32; } x;
            switch (v->type) {
            case GGUF_V_U8: case GGUF_V_I8: x.u8 = (uint8_t)v->u; break;
            case GGUF_V_U16: case GGUF_V_I16: x.u16 = (uint16_t)v->u; break;
            case GGUF_V_U32: case GGUF_V_I32: x.u32 = (uint32_t)v->u; break;
            case GGUF_V_F32: x.f32 = (float)v->f; break;
            case GGUF_V_BOOL: x.b = v->b; break;
            case GGUF_V_F64: x.f = v->f; break;
            default: x.u = v->u; break;
            }
            st = attn_gguf_writer_set(w, kv->key, (attn_gguf_vtype)v->type, &x);
        }
    }
    return st;
}

/* A byte-level BPE tokenizer.json as tokenizer.ggml.* keys. */
static attn_status tokenizer_from_json(attn_gguf_writer *w, const char *dir, const attn_gpt_config *g) {
    char *path = path_join(dir, "tokenizer.json");
    cJSON *root = NULL, *tc = NULL;
    char **tokens = NULL;
    int32_t *types = NULL;
    char **merges = NULL;
    int64_t V = g->vocab_size, n_merges = 0;
    attn_status st = path ? json_read_object(path, &root) : ATTN_ERR_OUT_OF_MEMORY;
    if (st) goto done;
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *mtype = cJSON_GetObjectItemCaseSensitive(model, "type");
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    const cJSON *mlist = cJSON_GetObjectItemCaseSensitive(model, "merges");
    if (!cJSON_IsString(mtype) || strcmp(mtype->valuestring, "BPE") || !cJSON_IsObject(vocab) || !cJSON_IsArray(mlist)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: only byte-level BPE tokenizers convert to GGUF", path);
        goto done;
    }
    /* the pre-tokenizer by llama.cpp's names (llama-vocab.cpp refuses any other) */
    const char *pre_name = bpe_json_llama_pre(cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"));
    if (!pre_name) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: a pre-tokenizer other than ByteLevel (gpt-2), Digits + ByteLevel "
                         "(smollm) or BLOOM's Split + ByteLevel (bloom) has no llama.cpp name", path);
        goto done;
    }
    tokens = attn_calloc((size_t)V, sizeof *tokens);
    types = attn_calloc((size_t)V, sizeof *types);
    n_merges = cJSON_GetArraySize(mlist);
    merges = attn_calloc((size_t)n_merges + 1, sizeof *merges);
    if (!tokens || !types || !merges) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, vocab) {
        if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble >= (double)V) continue;
        int64_t id = (int64_t)it->valuedouble;
        if (!tokens[id] && !(tokens[id] = attn_strdup(it->string))) st = ATTN_ERR_OUT_OF_MEMORY;
        types[id] = 1; /* normal */
    }
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens");
    cJSON_ArrayForEach(it, added) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id"), *content = cJSON_GetObjectItemCaseSensitive(it, "content");
        if (!cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble >= (double)V || !cJSON_IsString(content)) continue;
        int64_t i = (int64_t)id->valuedouble;
        attn_free(tokens[i]);
        if (!(tokens[i] = attn_strdup(content->valuestring))) st = ATTN_ERR_OUT_OF_MEMORY;
        types[i] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "special")) ? 3 : 4; /* control, user-defined */
    }
    for (int64_t i = 0; i < V && !st; i++)
        if (!tokens[i]) { /* ids the tokenizer does not use, named as llama.cpp's converter names them */
            char pad[32];
            snprintf(pad, sizeof pad, "[PAD%lld]", (long long)i);
            if (!(tokens[i] = attn_strdup(pad))) st = ATTN_ERR_OUT_OF_MEMORY;
            types[i] = 5; /* unused */
        }
    int64_t j = 0;
    cJSON_ArrayForEach(it, mlist) {
        if (st) break;
        if (cJSON_IsString(it)) {
            merges[j] = attn_strdup(it->valuestring);
        } else if (cJSON_IsArray(it) && cJSON_GetArraySize(it) == 2 && cJSON_IsString(cJSON_GetArrayItem(it, 0)) &&
                   cJSON_IsString(cJSON_GetArrayItem(it, 1))) {
            const char *a = cJSON_GetArrayItem(it, 0)->valuestring, *b = cJSON_GetArrayItem(it, 1)->valuestring;
            if ((merges[j] = attn_malloc(strlen(a) + strlen(b) + 2))) sprintf(merges[j], "%s %s", a, b);
        } else {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: merge %lld is neither \"a b\" nor [a, b]", path, (long long)j);
            break;
        }
        if (!merges[j++]) st = ATTN_ERR_OUT_OF_MEMORY;
    }
    if (st) goto done;
    static const char model_name[] = "gpt2";
    if ((st = attn_gguf_writer_set_string(w, "tokenizer.ggml.model", model_name, strlen(model_name))) ||
        (st = attn_gguf_writer_set_string(w, "tokenizer.ggml.pre", pre_name, strlen(pre_name))) ||
        (st = attn_gguf_writer_set_array(w, "tokenizer.ggml.tokens", ATTN_GGUF_STRING, (const char *const *)tokens,
                                         (uint64_t)V)) ||
        (st = attn_gguf_writer_set_array(w, "tokenizer.ggml.token_type", ATTN_GGUF_INT32, types, (uint64_t)V)) ||
        (st = attn_gguf_writer_set_array(w, "tokenizer.ggml.merges", ATTN_GGUF_STRING, (const char *const *)merges,
                                         (uint64_t)n_merges)))
        goto done;
    if (g->bos_token_id >= 0 && (st = SET_U32(w, "tokenizer.ggml.bos_token_id", g->bos_token_id))) goto done;
    if (g->eos_token_id >= 0 && (st = SET_U32(w, "tokenizer.ggml.eos_token_id", g->eos_token_id))) goto done;
    if (g->pad_token_id >= 0 && (st = SET_U32(w, "tokenizer.ggml.padding_token_id", g->pad_token_id))) goto done;
    /* the chat template of tokenizer_config.json, when it has one as a string */
    char *tc_path = path_join(dir, "tokenizer_config.json");
    if (tc_path && file_exists(tc_path) && json_read_object(tc_path, &tc) == ATTN_OK) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(tc, "chat_template");
        if (cJSON_IsString(t)) st = attn_gguf_writer_set_string(w, "tokenizer.chat_template", t->valuestring, strlen(t->valuestring));
    }
    attn_free(tc_path);
done:
    for (int64_t i = 0; tokens && i < V; i++) attn_free(tokens[i]);
    for (int64_t i = 0; merges && i < n_merges; i++) attn_free(merges[i]);
    attn_free(tokens);
    attn_free(types);
    attn_free(merges);
    cJSON_Delete(root);
    cJSON_Delete(tc);
    attn_free(path);
    return st;
}

attn_status attn_gguf_convert(const char *model_path, const char *out_path, int32_t type, bool *wrote_tokenizer) {
    if (wrote_tokenizer) *wrote_tokenizer = false;
    if (type != 0 && type != 1 && type != 30 && type != 8 && type != 2 && type != 3)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "convert writes F32, F16, BF16, Q8_0, Q4_0 or Q4_1 (type %d asked)", (int)type);
    char *src = NULL;
    attn_status st = attn_model_find(model_path, &src);
    if (st) return st;
    attn_model *m = NULL;
    gguf_file *gf = NULL;
    attn_gguf_writer *w = NULL;
    float *buf = NULL;
    if ((st = attn_model_load(src, &m))) goto done;
    const char *mt = m->arch ? m->arch->model_type : "";
    bool llama_style = !strcmp(mt, "llama") || !strcmp(mt, "qwen2") || !strcmp(mt, "mistral");
    if (!llama_style && strcmp(mt, "gpt2") && strcmp(mt, "bloom")) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is %s: attn convert writes Llama-style models (llama, qwen2, mistral), "
                         "GPT-2 and BLOOM as GGUF", model_path, m->arch ? m->arch->what : "not a decoder");
        goto done;
    }
    if (!strcmp(mt, "gpt2") && (m->cfg.activation != ATTN_ACT_GELU_TANH || m->cfg.num_labels > 0)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: GGUF's gpt2 is the language model with a GELU MLP; this model %s",
                         model_path, m->cfg.num_labels > 0 ? "is a sequence classifier" : "uses ReLU");
        goto done;
    }
    const llama_hparams *c = llama_style ? llama_hparams_of(m) : NULL;
    const char *arch = !strcmp(mt, "qwen2") ? "qwen2" : llama_style ? "llama" : mt;
    bool permute = !strcmp(arch, "llama");
    const attn_gpt_config *g = c ? &c->g : &m->cfg;
    const char *base = strrchr(src, '/');
    if ((st = attn_gguf_writer_new(0, &w)) || (st = write_hparams(w, arch, m, c, base ? base + 1 : src, type))) goto done;
    if (gguf_is_file(src)) {
        if ((st = gguf_open(src, &gf)) || (st = copy_tokenizer(w, gf))) goto done;
        if (wrote_tokenizer) *wrote_tokenizer = gguf_find(gf, "tokenizer.ggml.tokens") != NULL;
    } else {
        char *tj = path_join(src, "tokenizer.json");
        bool has = tj && file_exists(tj);
        attn_free(tj);
        if (has && (st = tokenizer_from_json(w, src, g))) goto done;
        if (wrote_tokenizer) *wrote_tokenizer = has;
    }
    int64_t most = 0;
    for (int k = 0; k < m->n_params_tensors; k++) most = m->params[k].numel > most ? m->params[k].numel : most;
    for (int k = 0; k < m->n_params_tensors && !st; k++) {
        const param_info *p = &m->params[k];
        char name[96];
        if (!gguf_param_name(m, k, name, sizeof name)) {
            st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s has no GGUF tensor", model_path, p->name);
            break;
        }
        if (!(buf = attn_malloc((size_t)most * sizeof(float)))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            break;
        }
        model_param_f32(m, k, buf);
        int role = m->table->rows[p->spec].role;
        int64_t heads = !permute ? 0 : role == ROLE_ATTN_Q ? c->g.n_head : role == ROLE_ATTN_K ? c->n_kv_head : 0;
        int64_t cols = p->ndim == 2 ? p->shape[1] : p->numel;
        if (heads && (st = gguf_rope_rows(buf, heads, c->head_dim, (size_t)(p->ndim == 2 ? cols : 1) * sizeof(float), true))) break;
        int64_t ne[2] = {cols, p->ndim == 2 ? p->shape[0] : 1};
        uint32_t t = p->ndim == 1 || role == ROLE_POS_EMBD ? 0 : (uint32_t)type;
        if (attn_gguf_type_bytes(t, cols) == 0) t = 1; /* rows not whole blocks: F16, as llama.cpp's converter */
        st = attn_gguf_writer_add_tensor_f32(w, name, t, p->ndim, ne, buf);
        attn_free(buf);
        buf = NULL;
    }
    if (!st) st = attn_gguf_writer_write(w, out_path);
done:
    attn_free(buf);
    attn_gguf_writer_free(w);
    gguf_close(gf);
    attn_model_free(m);
    attn_free(src);
    return st;
}
