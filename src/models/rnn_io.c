/* rnn_io.c — RNNsearch / RNNencdec model directories.
 *
 * config.json: {"model_type": "rnnsearch" | "rnnencdec", "src_vocab_size",
 * "tgt_vocab_size", "embed_size", "hidden_size", "align_size" (rnnsearch),
 * "maxout_size", "tie_word_embeddings", "pad_token_id",
 * "decoder_start_token_id", "eos_token_id"}; every size is required.
 * model.safetensors: F32 (F16/BF16/F64 are read too) under the names of
 * the parameter table in rnn.c (see include/attn/rnn.h), every tensor
 * present with its exact shape, no others. */
#include "io/json.h"
#include "io/safetensors.h"
#include "models/model_impl.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>

static const char *rnn_model_type(const cJSON *root) {
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(root, "model_type");
    if (!cJSON_IsString(mt)) return NULL;
    if (!strcmp(mt->valuestring, "rnnsearch") || !strcmp(mt->valuestring, "rnnencdec")) return mt->valuestring;
    return NULL;
}

bool rnn_config_is_rnn(const char *config_path) {
    cJSON *root = NULL;
    char *text = NULL;
    size_t len;
    if (file_read_all(config_path, &text, &len)) return false;
    root = cJSON_ParseWithLength(text, len);
    attn_free(text);
    bool yes = root && rnn_model_type(root);
    cJSON_Delete(root);
    return yes;
}

static attn_status config_from_json(const char *path, attn_rnn_config *c) {
    cJSON *root;
    attn_status st = json_read_object(path, &root);
    if (st) return st;
    *c = attn_rnn_default_config();
    const char *mt = rnn_model_type(root);
    if (!mt) {
        cJSON_Delete(root);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: model_type must be \"rnnsearch\" or \"rnnencdec\"", path);
    }
    c->attention = !strcmp(mt, "rnnsearch");
    int64_t pad = c->pad_token_id, bos = c->bos_token_id, eos = c->eos_token_id;
    if ((st = json_int_in(root, "src_vocab_size", true, 1, CFG_MAX_VOCAB, &c->src_vocab_size, path)) ||
        (st = json_int_in(root, "tgt_vocab_size", true, 1, CFG_MAX_VOCAB, &c->tgt_vocab_size, path)) ||
        (st = json_int_in(root, "embed_size", true, 1, CFG_MAX_WIDTH, &c->embed_size, path)) ||
        (st = json_int_in(root, "hidden_size", true, 1, CFG_MAX_WIDTH, &c->hidden_size, path)) ||
        (st = json_int_in(root, "align_size", c->attention, 1, CFG_MAX_WIDTH, &c->align_size, path)) ||
        (st = json_int_in(root, "maxout_size", true, 1, CFG_MAX_WIDTH, &c->maxout_size, path)) ||
        (st = json_int_in(root, "pad_token_id", false, -1, CFG_MAX_VOCAB - 1, &pad, path)) ||
        (st = json_int_in(root, "decoder_start_token_id", false, -1, CFG_MAX_VOCAB - 1, &bos, path)) ||
        (st = json_int_in(root, "eos_token_id", false, -1, CFG_MAX_VOCAB - 1, &eos, path)))
        goto done;
    c->pad_token_id = (int32_t)pad;
    c->bos_token_id = (int32_t)bos;
    c->eos_token_id = (int32_t)eos;
    const cJSON *tie = cJSON_GetObjectItemCaseSensitive(root, "tie_word_embeddings");
    c->tie_embeddings = tie && cJSON_IsTrue(tie);
done:
    cJSON_Delete(root);
    return st;
}

static attn_status config_to_json(const attn_rnn_config *c, char **out) {
    unsigned long failures = alloc_failures();   /* cJSON_Add* failing leaves a field out */
    cJSON *r = cJSON_CreateObject();
    if (!r) return ATTN_ERR_OUT_OF_MEMORY;
    cJSON_AddStringToObject(r, "model_type", c->attention ? "rnnsearch" : "rnnencdec");
    cJSON_AddNumberToObject(r, "src_vocab_size", (double)c->src_vocab_size);
    cJSON_AddNumberToObject(r, "tgt_vocab_size", (double)c->tgt_vocab_size);
    cJSON_AddNumberToObject(r, "embed_size", (double)c->embed_size);
    cJSON_AddNumberToObject(r, "hidden_size", (double)c->hidden_size);
    if (c->attention) cJSON_AddNumberToObject(r, "align_size", (double)c->align_size);
    cJSON_AddNumberToObject(r, "maxout_size", (double)c->maxout_size);
    cJSON_AddBoolToObject(r, "tie_word_embeddings", c->tie_embeddings);
    cJSON_AddNumberToObject(r, "pad_token_id", c->pad_token_id);
    cJSON_AddNumberToObject(r, "decoder_start_token_id", c->bos_token_id);
    cJSON_AddNumberToObject(r, "eos_token_id", c->eos_token_id);
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

static attn_status load_weights(attn_model *m, const st_file *f, const char *path) {
    for (int64_t i = 0; i < f->n_tensors; i++)
        if (!model_has_param(m, f->tensors[i].name, ""))
            return attn_errorf(ATTN_ERR_FORMAT, "%s: unexpected tensor \"%s\" for this config", path, f->tensors[i].name);
    for (int k = 0; k < m->n_params_tensors; k++) {
        attn_status st = model_read_param(m, k, st_find(f, m->params[k].name), path);
        if (st) return st;
    }
    return model_check_finite(m, path);
}

attn_status rnn_load(const char *dir, attn_model **out) {
    *out = NULL;
    char *cfg_path = path_join(dir, "config.json"), *w_path = path_join(dir, "model.safetensors");
    attn_status st = ATTN_OK;
    attn_model *m = NULL;
    st_file *f = NULL;
    attn_rnn_config cfg;
    if (!cfg_path || !w_path) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if ((st = config_from_json(cfg_path, &cfg)) != ATTN_OK) goto done;
    if ((st = st_open(w_path, &f)) != ATTN_OK) goto done;
    model_params_expect(f, w_path, ""); /* shapes checked before the weights are allocated */
    st = rnn_alloc(&cfg, &m);
    model_params_expect(NULL, NULL, NULL);
    if (st != ATTN_OK) {
        if (st != ATTN_ERR_FORMAT) st = error_prefixf(st, "%s", cfg_path);
        goto done;
    }
    if ((st = load_weights(m, f, w_path)) != ATTN_OK) goto done;
    *out = m;
    m = NULL;
done:
    st_close(f);
    attn_model_free(m);
    attn_free(cfg_path);
    attn_free(w_path);
    return st;
}

attn_status rnn_save(const attn_model *m, const char *dir) {
    attn_status st = dir_ensure(dir);
    if (st) return st;
    char *json = NULL, *cfg_path = path_join(dir, "config.json"), *w_path = path_join(dir, "model.safetensors");
    st_entry *entries = attn_calloc((size_t)m->n_params_tensors, sizeof *entries);
    if (!cfg_path || !w_path || !entries) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        entries[k] = (st_entry){p->name, ST_F32, p->ndim, p->shape, m->weights + p->offset};
    }
    static const char *const meta[] = {"format", "pt", NULL};
    if ((st = st_write(w_path, entries, m->n_params_tensors, meta)) != ATTN_OK) goto done;
    attn_rnn_config cfg;
    attn_model_rnn_config(m, &cfg);
    if ((st = config_to_json(&cfg, &json)) != ATTN_OK) goto done;
    st = file_write_atomic(cfg_path, json, strlen(json));
done:
    if (json) cJSON_free(json);
    attn_free(cfg_path);
    attn_free(w_path);
    attn_free(entries);
    return st;
}
