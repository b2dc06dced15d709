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

#define T attn_rnn_config
const json_field RNN_CONFIG_KEYS[] = {
    JSON_KEY_INT(T, "src_vocab_size", src_vocab_size, true, 1, CFG_MAX_VOCAB),
    JSON_KEY_INT(T, "tgt_vocab_size", tgt_vocab_size, true, 1, CFG_MAX_VOCAB),
    JSON_KEY_INT(T, "embed_size", embed_size, true, 1, CFG_MAX_WIDTH),
    JSON_KEY_INT(T, "hidden_size", hidden_size, true, 1, CFG_MAX_WIDTH),
    JSON_KEY_INT(T, "align_size", align_size, false, 1, CFG_MAX_WIDTH), /* required by rnnsearch */
    JSON_KEY_INT(T, "maxout_size", maxout_size, true, 1, CFG_MAX_WIDTH),
    JSON_KEY_TOKEN(T, "pad_token_id", pad_token_id, CFG_MAX_VOCAB - 1, 0),
    JSON_KEY_TOKEN(T, "decoder_start_token_id", bos_token_id, CFG_MAX_VOCAB - 1, 0),
    JSON_KEY_TOKEN(T, "eos_token_id", eos_token_id, CFG_MAX_VOCAB - 1, 0),
    JSON_KEYS_END,
};
#undef T

static attn_status config_from_json(const model_source *src, attn_rnn_config *c) {
    *c = attn_rnn_default_config();
    c->attention = !strcmp(src->arch->model_type, "rnnsearch");
    attn_status st = registry_read_keys(src, c);
    if (st) return st;
    if (c->attention && !cJSON_GetObjectItemCaseSensitive(src->config, "align_size"))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: missing \"align_size\"", src->config_path);
    const cJSON *tie = cJSON_GetObjectItemCaseSensitive(src->config, "tie_word_embeddings");
    c->tie_embeddings = tie && cJSON_IsTrue(tie);
    return ATTN_OK;
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

static attn_status alloc_cfg(const void *cfg, attn_model **out) { return rnn_alloc(cfg, out); }

attn_status rnn_load(const model_source *src, attn_model **out) {
    attn_rnn_config cfg;
    attn_status st = config_from_json(src, &cfg);
    *out = NULL;
    return st ? st : params_load(src, alloc_cfg, &cfg, "", "this config", out);
}

attn_status rnn_save(const attn_model *m, const char *dir) {
    char *json = NULL;
    attn_rnn_config cfg;
    attn_model_rnn_config(m, &cfg);
    attn_status st = config_to_json(&cfg, &json);
    if (!st) st = params_save_dir(m, dir, json);
    if (json) cJSON_free(json);
    return st;
}
