/* gpt_io.c — GPT-2 model directories in Hugging Face's layout.
 *
 * config.json follows transformers' GPT2Config; model.safetensors uses
 * GPT2LMHeadModel's tensor names ("transformer.h.0.attn.c_attn.weight", ...;
 * names without the "transformer." prefix, as GPT2Model writes them, are
 * accepted too). transformers' Conv1D stores linear weights as (in, out);
 * attn keeps (out, in), so those tensors are transposed on the way in and
 * out. lm_head.weight is the tied wte and is not written.
 *
 * A model with one of attn's GPT-2 variants on (gpt_is_variant) computes
 * something GPT2LMHeadModel does not, so it is written as model_type
 * "attn_gpt2" (architectures "AttnGPT2LMHeadModel"), which transformers'
 * AutoConfig refuses as unknown, with its options as keys of its own:
 * "position_embedding_type" ("rotary": no transformer.wpe.weight, and
 * "rope_theta" 10000), "qk_norm", "activation_function" "relu2",
 * "tie_word_embeddings" false (lm_head.weight written). Those keys are
 * read only under that model_type. "zero_init_proj" (true: the output
 * projections started at zero) changes no computation and is written under
 * either model_type when set; transformers keeps it as an unknown key. */
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
#define GPT2_KEYS                                                                                   \
    JSON_KEY_INT(T, "n_layer", n_layer, true, 1, CFG_MAX_LAYERS),                                   \
    JSON_KEY_INT(T, "n_head", n_head, true, 1, CFG_MAX_HEADS),                                      \
    JSON_KEY_INT(T, "n_embd", n_embd, true, 1, CFG_MAX_WIDTH),                                      \
    JSON_KEY_INT(T, "n_positions", n_ctx, true, 1, CFG_MAX_POSITIONS),                              \
    JSON_KEY_INT(T, "vocab_size", vocab_size, true, 1, CFG_MAX_VOCAB),                              \
    JSON_KEY_INT(T, "n_inner", n_inner, false, 0, CFG_MAX_INNER),                                   \
    JSON_KEY_TOKEN(T, "bos_token_id", bos_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),          \
    JSON_KEY_TOKEN(T, "eos_token_id", eos_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),          \
    JSON_KEY_TOKEN(T, "pad_token_id", pad_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),          \
    JSON_KEY_FLOAT(T, "layer_norm_epsilon", layer_norm_eps, 0.0, true, CFG_MAX_EPS),                \
    JSON_KEY_FLOAT(T, "resid_pdrop", dropout, 0.0, false, CFG_MAX_DROPOUT),                          \
    JSON_KEY_BOOL(T, "zero_init_proj", zero_init_proj)
const json_field GPT2_CONFIG_KEYS[] = {GPT2_KEYS, JSON_KEYS_END};
const json_field ATTN_GPT2_CONFIG_KEYS[] = {GPT2_KEYS, JSON_KEY_BOOL(T, "qk_norm", qk_norm), JSON_KEYS_END};
#undef GPT2_KEYS
#undef T

static attn_status config_from_json(const model_source *src, attn_gpt_config *cfg) {
    const cJSON *root = src->config;
    const char *path = src->config_path;
    *cfg = attn_gpt_default_config();
    attn_status st = registry_read_keys(src, cfg);
    if (st) return st;
    bool variant = !strcmp(src->arch->model_type, "attn_gpt2");
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "activation_function");
    if (act) {
        if (!cJSON_IsString(act)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"activation_function\" must be a string", path);
        if (!strcmp(act->valuestring, "gelu_new") || !strcmp(act->valuestring, "gelu_pytorch_tanh"))
            cfg->activation = ATTN_ACT_GELU_TANH;
        else if (!strcmp(act->valuestring, "relu"))
            cfg->activation = ATTN_ACT_RELU;
        else if (variant && !strcmp(act->valuestring, "relu2"))
            cfg->activation = ATTN_ACT_RELU2;
        else
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: activation_function \"%s\" is not supported (gelu_new, relu%s)",
                               path, act->valuestring, variant ? ", relu2" : "; relu2 is model_type attn_gpt2's");
    }
    const cJSON *tie = cJSON_GetObjectItemCaseSensitive(root, "tie_word_embeddings");
    if (tie && cJSON_IsFalse(tie)) {
        if (!variant)
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: untied input/output embeddings are not supported for model_type "
                               "gpt2 (attn's untied GPT-2 is model_type attn_gpt2)", path);
        cfg->untied_head = true;
    }
    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(root, "position_embedding_type");
    const cJSON *qk = cJSON_GetObjectItemCaseSensitive(root, "qk_norm");
    if (!variant && ((qk && cJSON_IsTrue(qk)) || (pe && !(cJSON_IsString(pe) && !strcmp(pe->valuestring, "absolute")))))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: \"%s\" is not GPT-2's (model_type gpt2); attn's GPT-2 variants are "
                           "model_type attn_gpt2", path, qk && cJSON_IsTrue(qk) ? "qk_norm" : "position_embedding_type");
    if (variant && pe) {
        if (!cJSON_IsString(pe) || (strcmp(pe->valuestring, "rotary") && strcmp(pe->valuestring, "absolute")))
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: \"position_embedding_type\" must be \"absolute\" or \"rotary\"", path);
        cfg->rotary = !strcmp(pe->valuestring, "rotary");
    }
    const cJSON *theta = cfg->rotary ? cJSON_GetObjectItemCaseSensitive(root, "rope_theta") : NULL;
    if (theta && !(cJSON_IsNumber(theta) && theta->valuedouble == 10000.0))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: \"rope_theta\" must be 10000 (the base attn_gpt2 rotates by)", path);
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
    bool variant = gpt_is_variant(c);
    const char *cls = c->num_labels > 0 ? (variant ? "AttnGPT2ForSequenceClassification" : "GPT2ForSequenceClassification")
                                        : (variant ? "AttnGPT2LMHeadModel" : "GPT2LMHeadModel");
    if (arch) cJSON_AddItemToArray(arch, cJSON_CreateString(cls));
    cJSON_AddStringToObject(r, "model_type", variant ? "attn_gpt2" : "gpt2");
    cJSON_AddNumberToObject(r, "vocab_size", (double)c->vocab_size);
    cJSON_AddNumberToObject(r, "n_positions", (double)c->n_ctx);
    cJSON_AddNumberToObject(r, "n_embd", (double)c->n_embd);
    cJSON_AddNumberToObject(r, "n_layer", (double)c->n_layer);
    cJSON_AddNumberToObject(r, "n_head", (double)c->n_head);
    cJSON_AddNumberToObject(r, "n_inner", (double)c->n_inner);
    cJSON_AddStringToObject(r, "activation_function",
                            c->activation == ATTN_ACT_RELU    ? "relu"
                            : c->activation == ATTN_ACT_RELU2 ? "relu2"
                                                              : "gelu_new");
    json_add_item(r, "layer_norm_epsilon", json_short_number(c->layer_norm_eps));
    json_add_item(r, "resid_pdrop", json_short_number(c->dropout));
    json_add_item(r, "embd_pdrop", json_short_number(c->dropout));
    cJSON_AddNumberToObject(r, "attn_pdrop", 0);
    json_add_item(r, "initializer_range", json_short_number(0.02f));
    if (c->bos_token_id >= 0) cJSON_AddNumberToObject(r, "bos_token_id", c->bos_token_id);
    if (c->eos_token_id >= 0) cJSON_AddNumberToObject(r, "eos_token_id", c->eos_token_id);
    if (c->pad_token_id >= 0) cJSON_AddNumberToObject(r, "pad_token_id", c->pad_token_id);
    if (c->num_labels > 0) json_add_labels(r, labels, c->num_labels);
    cJSON_AddBoolToObject(r, "tie_word_embeddings", !c->untied_head);
    if (variant) {
        cJSON_AddStringToObject(r, "position_embedding_type", c->rotary ? "rotary" : "absolute");
        if (c->rotary) cJSON_AddNumberToObject(r, "rope_theta", 10000);
        cJSON_AddBoolToObject(r, "qk_norm", c->qk_norm);
    }
    if (c->zero_init_proj) cJSON_AddBoolToObject(r, "zero_init_proj", 1);
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

/* GPT2ForSequenceClassification: num_labels from the shape of score.weight. */
static attn_status classifier_size(const st_file *f, const char *path, int64_t *num_labels) {
    const st_tensor *t = st_find(f, "score.weight");
    *num_labels = 0;
    if (!t) return ATTN_OK;
    if (t->ndim != 2 || t->shape[0] < 1) return attn_errorf(ATTN_ERR_FORMAT, "%s: score.weight must be (num_labels, n_embd)", path);
    *num_labels = t->shape[0];
    return ATTN_OK;
}

attn_status gpt_load(const model_source *src, attn_model **out) {
    *out = NULL;
    const char *w_path = src->weights_path;
    attn_model *m = NULL;
    st_file *f = NULL;
    attn_gpt_config cfg;
    attn_status st;
    if ((st = config_from_json(src, &cfg)) || (st = st_open(w_path, &f)) || (st = classifier_size(f, w_path, &cfg.num_labels)))
        goto done;
    model_params_expect(f, w_path, "transformer."); /* shapes checked before the weights are allocated */
    st = gpt_alloc(&cfg, &m);
    model_params_expect(NULL, NULL, NULL);
    if (st != ATTN_OK) {
        if (st != ATTN_ERR_FORMAT) st = error_prefixf(st, "%s", src->config_path);
        goto done;
    }
    char what[64];
    snprintf(what, sizeof what, "a GPT-2 with %lld layers", (long long)cfg.n_layer);
    if ((st = params_read(m, f, w_path, what)) != ATTN_OK) goto done;
    if (cfg.num_labels > 0) {
        char **names = NULL;
        st = json_read_labels(src->config, cfg.num_labels, src->config_path, &names);
        if (!st) st = model_set_labels(m, (const char *const *)names, cfg.num_labels);
        json_free_labels(names, cfg.num_labels);
        if (st) goto done;
    }
    *out = m;
    m = NULL;
done:
    st_close(f);
    attn_model_free(m);
    return st;
}

attn_status gpt_save(const attn_model *m, const char *dir) {
    char *json = NULL;
    attn_status st = config_to_json(&m->cfg, m->n_label_names == m->cfg.num_labels ? m->label_names : NULL, &json);
    if (!st) st = params_save_dir(m, dir, json);
    if (json) cJSON_free(json);
    return st;
}
