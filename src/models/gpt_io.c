/* gpt_io.c — GPT-2 model directories in Hugging Face's layout.
 *
 * config.json follows transformers' GPT2Config; model.safetensors uses
 * GPT2LMHeadModel's tensor names ("transformer.h.0.attn.c_attn.weight", ...;
 * names without the "transformer." prefix, as GPT2Model writes them, are
 * accepted too). transformers' Conv1D stores linear weights as (in, out);
 * attn keeps (out, in), so those tensors are transposed on the way in and
 * out. lm_head.weight is the tied wte and is not written. */
#include "io/json.h"
#include "io/safetensors.h"
#include "models/model_impl.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- config.json ---------------------------------------------------------- */

#define T attn_gpt_config
const json_field GPT2_CONFIG_KEYS[] = {
    JSON_KEY_INT(T, "n_layer", n_layer, true, 1, CFG_MAX_LAYERS),
    JSON_KEY_INT(T, "n_head", n_head, true, 1, CFG_MAX_HEADS),
    JSON_KEY_INT(T, "n_embd", n_embd, true, 1, CFG_MAX_WIDTH),
    JSON_KEY_INT(T, "n_positions", n_ctx, true, 1, CFG_MAX_POSITIONS),
    JSON_KEY_INT(T, "vocab_size", vocab_size, true, 1, CFG_MAX_VOCAB),
    JSON_KEY_INT(T, "n_inner", n_inner, false, 0, CFG_MAX_INNER),
    JSON_KEY_TOKEN(T, "bos_token_id", bos_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),
    JSON_KEY_TOKEN(T, "eos_token_id", eos_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),
    JSON_KEY_TOKEN(T, "pad_token_id", pad_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),
    JSON_KEY_FLOAT(T, "layer_norm_epsilon", layer_norm_eps, 0.0, true, CFG_MAX_EPS),
    JSON_KEY_FLOAT(T, "resid_pdrop", dropout, 0.0, false, CFG_MAX_DROPOUT),
    JSON_KEYS_END,
};
#undef T

static attn_status config_from_json(const model_source *src, attn_gpt_config *cfg) {
    const cJSON *root = src->config;
    const char *path = src->config_path;
    *cfg = attn_gpt_default_config();
    attn_status st = registry_read_keys(src, cfg);
    if (st) return st;
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "activation_function");
    if (act) {
        if (!cJSON_IsString(act)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"activation_function\" must be a string", path);
        if (!strcmp(act->valuestring, "gelu_new") || !strcmp(act->valuestring, "gelu_pytorch_tanh"))
            cfg->activation = ATTN_ACT_GELU_TANH;
        else if (!strcmp(act->valuestring, "relu"))
            cfg->activation = ATTN_ACT_RELU;
        else
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: activation_function \"%s\" is not supported (gelu_new, relu)",
                               path, act->valuestring);
    }
    const cJSON *tie = cJSON_GetObjectItemCaseSensitive(root, "tie_word_embeddings");
    if (tie && cJSON_IsFalse(tie))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: untied input/output embeddings are not supported", path);
    const cJSON *cross = cJSON_GetObjectItemCaseSensitive(root, "add_cross_attention");
    if (cross && cJSON_IsTrue(cross))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: GPT-2 with cross-attention is not supported", path);
    return ATTN_OK;
}

static attn_status config_to_json(const attn_gpt_config *c, char *const *labels, char **out) {
    unsigned long failures = alloc_failures();   /* cJSON_Add* failing leaves a field out */
    cJSON *r = cJSON_CreateObject();
    if (!r) return ATTN_ERR_OUT_OF_MEMORY;
    cJSON *arch = cJSON_AddArrayToObject(r, "architectures");
    if (arch) cJSON_AddItemToArray(arch, cJSON_CreateString(c->num_labels > 0 ? "GPT2ForSequenceClassification" : "GPT2LMHeadModel"));
    cJSON_AddStringToObject(r, "model_type", "gpt2");
    cJSON_AddNumberToObject(r, "vocab_size", (double)c->vocab_size);
    cJSON_AddNumberToObject(r, "n_positions", (double)c->n_ctx);
    cJSON_AddNumberToObject(r, "n_embd", (double)c->n_embd);
    cJSON_AddNumberToObject(r, "n_layer", (double)c->n_layer);
    cJSON_AddNumberToObject(r, "n_head", (double)c->n_head);
    cJSON_AddNumberToObject(r, "n_inner", (double)c->n_inner);
    cJSON_AddStringToObject(r, "activation_function", c->activation == ATTN_ACT_RELU ? "relu" : "gelu_new");
    json_add_item(r, "layer_norm_epsilon", json_short_number(c->layer_norm_eps));
    json_add_item(r, "resid_pdrop", json_short_number(c->dropout));
    json_add_item(r, "embd_pdrop", json_short_number(c->dropout));
    cJSON_AddNumberToObject(r, "attn_pdrop", 0);
    json_add_item(r, "initializer_range", json_short_number(0.02f));
    if (c->bos_token_id >= 0) cJSON_AddNumberToObject(r, "bos_token_id", c->bos_token_id);
    if (c->eos_token_id >= 0) cJSON_AddNumberToObject(r, "eos_token_id", c->eos_token_id);
    if (c->pad_token_id >= 0) cJSON_AddNumberToObject(r, "pad_token_id", c->pad_token_id);
    if (c->num_labels > 0) json_add_labels(r, labels, c->num_labels);
    cJSON_AddBoolToObject(r, "tie_word_embeddings", 1);
    cJSON_AddBoolToObject(r, "scale_attn_weights", 1);
    cJSON_AddBoolToObject(r, "use_cache", 1);
    cJSON_AddStringToObject(r, "torch_dtype", "float32");
    char *s = cJSON_Print(r);
    cJSON_Delete(r);
    if (!s || alloc_failures() != failures) {
        cJSON_free(s);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building config.json");
    }
    *out = s;
    return ATTN_OK;
}

/* ---- weights -------------------------------------------------------------- */

static bool ignorable(const char *name) {
    size_t n = strlen(name);
    return !strcmp(name, "lm_head.weight") || (n > 9 && !strcmp(name + n - 9, ".attn.bias")) ||
           (n > 16 && !strcmp(name + n - 16, ".attn.masked_bias"));
}

static const st_tensor *find_param(const st_file *f, const char *name) { return model_find_tensor(f, name, "transformer."); }

static bool is_param_name(const attn_model *m, const char *name) { return model_has_param(m, name, "transformer."); }

static void shape_str(char *buf, size_t n, const int64_t *shape, int ndim) {
    size_t k = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < ndim && k < n; i++) k += (size_t)snprintf(buf + k, n - k, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (k < n) snprintf(buf + k, n - k, "]");
}

static attn_status load_weights(attn_model *m, const char *path) {
    st_file *f = NULL;
    attn_status st = st_open(path, &f);
    if (st) return st;
    float *tmp = NULL;
    for (int64_t i = 0; i < f->n_tensors; i++)
        if (!ignorable(f->tensors[i].name) && !is_param_name(m, f->tensors[i].name)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: unexpected tensor \"%s\" for a GPT-2 with %lld layers", path,
                             f->tensors[i].name, (long long)m->cfg.n_layer);
            goto done;
        }
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        const st_tensor *t = find_param(f, p->name);
        if (!t) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing tensor \"%s\"", path, p->name);
            goto done;
        }
        int64_t want[2] = {p->transpose ? p->shape[1] : p->shape[0], p->transpose ? p->shape[0] : p->shape[1]};
        bool ok = t->ndim == p->ndim && t->shape[0] == want[0] && (p->ndim == 1 || t->shape[1] == want[1]);
        if (!ok) {
            char a[96], b[96];
            shape_str(a, sizeof a, t->shape, t->ndim);
            shape_str(b, sizeof b, want, p->ndim);
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: tensor \"%s\" has shape %s but config.json implies %s", path,
                             t->name, a, b);
            goto done;
        }
        float *dst = m->weights + p->offset;
        if (!p->transpose) {
            if ((st = st_read_f32(t, dst, p->numel)) != ATTN_OK) goto done;
            continue;
        }
        attn_free(tmp);
        if (!(tmp = attn_malloc((size_t)p->numel * sizeof(float)))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto done;
        }
        if ((st = st_read_f32(t, tmp, p->numel)) != ATTN_OK) goto done;
        int64_t R = p->shape[0], C = p->shape[1]; /* ours (R, C) <- theirs (C, R) */
        for (int64_t r = 0; r < R; r++)
            for (int64_t c = 0; c < C; c++) dst[r * C + c] = tmp[c * R + r];
    }
    for (int64_t i = 0; i < m->n_weights; i++)
        if (!isfinite(m->weights[i])) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: weights contain NaN or infinity", path);
            goto done;
        }
done:
    attn_free(tmp);
    st_close(f);
    return st;
}

/* GPT2ForSequenceClassification: num_labels from the shape of score.weight. */
static attn_status classifier_size(const char *path, int64_t *num_labels) {
    st_file *f = NULL;
    attn_status st = st_open(path, &f);
    if (st) return st;
    const st_tensor *t = st_find(f, "score.weight");
    *num_labels = 0;
    if (t) {
        if (t->ndim != 2 || t->shape[0] < 1)
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: score.weight must be (num_labels, n_embd)", path);
        else
            *num_labels = t->shape[0];
    }
    st_close(f);
    return st;
}

attn_status gpt_load(const model_source *src, attn_model **out) {
    *out = NULL;
    const char *cfg_path = src->config_path, *w_path = src->weights_path;
    attn_model *m = NULL;
    attn_gpt_config cfg;
    attn_status st;
    if ((st = config_from_json(src, &cfg)) != ATTN_OK) goto done;
    if ((st = classifier_size(w_path, &cfg.num_labels)) != ATTN_OK) goto done;
    attn_gpt_config checked = cfg;
    st_file *f = NULL;
    if ((st = st_open(w_path, &f)) != ATTN_OK) goto done;
    model_params_expect(f, w_path, "transformer."); /* shapes checked before the weights are allocated */
    st = attn_model_new(&checked, 0, &m);
    model_params_expect(NULL, NULL, NULL);
    st_close(f);
    if (st != ATTN_OK) {
        if (st != ATTN_ERR_FORMAT) st = error_prefixf(st, "%s", cfg_path);
        goto done;
    }
    if ((st = load_weights(m, w_path)) != ATTN_OK) goto done;
    if (cfg.num_labels > 0) {
        char **names = NULL;
        st = json_read_labels(src->config, cfg.num_labels, cfg_path, &names);
        if (!st) st = model_set_labels(m, (const char *const *)names, cfg.num_labels);
        json_free_labels(names, cfg.num_labels);
        if (st) goto done;
    }
    *out = m;
    m = NULL;
done:
    attn_model_free(m);
    return st;
}

attn_status gpt_save(const attn_model *m, const char *dir) {
    attn_status st = dir_ensure(dir);
    if (st) return st;
    char *json = NULL, *cfg_path = path_join(dir, "config.json"), *w_path = path_join(dir, "model.safetensors");
    st_entry *entries = attn_calloc((size_t)m->n_params_tensors, sizeof *entries);
    int64_t *shapes = attn_calloc((size_t)m->n_params_tensors * 2, sizeof *shapes);
    float *tbuf = attn_malloc_aligned((size_t)m->n_weights * sizeof(float));
    if (!cfg_path || !w_path || !entries || !shapes || !tbuf) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        const float *src = m->weights + p->offset;
        int64_t *sh = shapes + 2 * k;
        sh[0] = p->transpose ? p->shape[1] : p->shape[0];
        sh[1] = p->transpose ? p->shape[0] : p->shape[1];
        const float *data = src;
        if (p->transpose) {
            float *dst = tbuf + p->offset;
            int64_t R = p->shape[0], C = p->shape[1];
            for (int64_t r = 0; r < R; r++)
                for (int64_t c = 0; c < C; c++) dst[c * R + r] = src[r * C + c];
            data = dst;
        }
        entries[k] = (st_entry){p->name, ST_F32, p->ndim, sh, data};
    }
    static const char *const meta[] = {"format", "pt", NULL};
    if ((st = st_write(w_path, entries, m->n_params_tensors, meta)) != ATTN_OK) goto done;
    if ((st = config_to_json(&m->cfg, m->n_label_names == m->cfg.num_labels ? m->label_names : NULL, &json)) != ATTN_OK) goto done;
    st = file_write_atomic(cfg_path, json, strlen(json));
done:
    if (json) cJSON_free(json);
    attn_free(cfg_path);
    attn_free(w_path);
    attn_free(entries);
    attn_free(shapes);
    attn_free_aligned(tbuf);
    return st;
}
