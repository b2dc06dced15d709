/* bert_io.c — encoder directories in Hugging Face's layout.
 *
 * config.json follows transformers' BertConfig / RobertaConfig
 * (model_type "bert" or "roberta"). model.safetensors holds transformers'
 * names: unprefixed as BertModel / RobertaModel save them
 * ("embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight",
 * "pooler.dense.weight"), or under "bert." / "roberta." with heads beside
 * them as BertForMaskedLM ("cls.predictions.*"), RobertaForMaskedLM
 * ("lm_head.*") and BertForSequenceClassification ("classifier.*") save
 * them. Which heads exist is read from the tensors present (and, since a
 * token classifier and BERT's sequence classifier share the name
 * "classifier.weight", from "architectures": *ForTokenClassification);
 * label names from id2label. Linear weights are (out, in) in both, so
 * nothing is transposed. Ignored: the position_ids buffer and the MLM
 * decoder (tied to the word embeddings). A sentence_bert_config.json beside config.json
 * (sentence-transformers) gives the maximum input length.
 *
 * Saving (bert_save) writes the same layout back: config.json with the
 * architecture the heads imply (Bert/RobertaFor{Sequence,Token}Classification
 * with a classifier, BertForPreTraining with MLM and next-sentence heads,
 * else Bert/RobertaForMaskedLM with an MLM head, else Bert/RobertaModel)
 * and model.safetensors under attn's parameter names,
 * which are transformers' (the tied MLM decoder is left out, as
 * save_pretrained leaves it out; from_pretrained ties it again). A pooler
 * saved beside an MLM head is ignored by BertForMaskedLM, which has none.
 *
 * Not yet: sharded checkpoints. */
#include "io/json.h"
#include "io/safetensors.h"
#include "models/bert_impl.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- config.json ---------------------------------------------------------- */

#define T attn_bert_config
const json_field BERT_CONFIG_KEYS[] = {
    JSON_KEY_INT(T, "num_hidden_layers", n_layer, true, 1, CFG_MAX_LAYERS),
    JSON_KEY_INT(T, "num_attention_heads", n_head, true, 1, CFG_MAX_HEADS),
    JSON_KEY_INT(T, "hidden_size", hidden_size, true, 1, CFG_MAX_WIDTH),
    JSON_KEY_INT(T, "intermediate_size", intermediate_size, true, 1, CFG_MAX_INNER),
    JSON_KEY_INT(T, "max_position_embeddings", max_positions, true, 1, CFG_MAX_POSITIONS),
    JSON_KEY_INT(T, "vocab_size", vocab_size, true, 1, CFG_MAX_VOCAB),
    JSON_KEY_INT(T, "type_vocab_size", type_vocab_size, false, 1, CFG_MAX_HEADS),
    JSON_KEY_TOKEN(T, "pad_token_id", pad_token_id, INT32_MAX, JSON_BELOW(T, vocab_size)),
    JSON_KEY_FLOAT(T, "layer_norm_eps", layer_norm_eps, 0.0, true, CFG_MAX_EPS),
    JSON_KEY_FLOAT(T, "hidden_dropout_prob", dropout, 0.0, false, CFG_MAX_DROPOUT),
    JSON_KEYS_END,
};
#undef T

static attn_status config_from_json(const model_source *src, attn_bert_config *c) {
    const cJSON *root = src->config;
    const char *path = src->config_path;
    *c = attn_bert_default_config();
    c->pooler = false; /* decided by the tensors present */
    c->roberta = !strcmp(src->arch->model_type, "roberta");
    c->pad_token_id = c->roberta ? 1 : 0;
    attn_status st = registry_read_keys(src, c);
    if (st) return st;
    /* attn's variants: pre-LN blocks and linear layers without biases */
    bool variant = !strcmp(src->arch->model_type, "attn_bert");
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(root, "pre_layer_norm"),
                *bias = cJSON_GetObjectItemCaseSensitive(root, "linear_bias");
    if ((pre && !cJSON_IsBool(pre)) || (bias && !cJSON_IsBool(bias)))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be true or false", path, pre && !cJSON_IsBool(pre) ? "pre_layer_norm" : "linear_bias");
    c->pre_ln = pre && cJSON_IsTrue(pre);
    c->no_bias = bias && cJSON_IsFalse(bias);
    if (!variant && (c->pre_ln || c->no_bias))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: \"%s\" is not part of %s (attn's BERT with pre-LN blocks or without "
                           "linear biases is model_type attn_bert)", path, c->pre_ln ? "pre_layer_norm" : "linear_bias",
                           src->arch->model_type);
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "hidden_act");
    if (act) {
        const char *a = cJSON_IsString(act) ? act->valuestring : "?";
        if (!strcmp(a, "gelu"))
            c->activation = ATTN_BERT_GELU;
        else if (!strcmp(a, "gelu_new") || !strcmp(a, "gelu_pytorch_tanh"))
            c->activation = ATTN_BERT_GELU_TANH;
        else if (!strcmp(a, "relu"))
            c->activation = ATTN_BERT_RELU;
        else if (!strcmp(a, "geglu") && variant)
            c->activation = ATTN_BERT_GEGLU;
        else
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: hidden_act \"%s\" is not supported (gelu, gelu_new, relu%s)", path, a,
                               variant ? ", geglu" : "; geglu is model_type attn_bert's");
    }
    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(root, "position_embedding_type");
    if (pe && !(cJSON_IsString(pe) && !strcmp(pe->valuestring, "absolute")))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: position_embedding_type \"%s\" is not supported (absolute)", path,
                           cJSON_IsString(pe) ? pe->valuestring : "?");
    const cJSON *dec = cJSON_GetObjectItemCaseSensitive(root, "is_decoder");
    if (dec && cJSON_IsTrue(dec))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: BERT as a decoder (is_decoder) is not supported", path);
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "architectures"), *a0 = cJSON_GetArrayItem(arch, 0);
    c->token_classifier = cJSON_IsString(a0) && strstr(a0->valuestring, "ForTokenClassification");
    const cJSON *tie = cJSON_GetObjectItemCaseSensitive(root, "tie_word_embeddings");
    if (tie && cJSON_IsFalse(tie))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: an MLM decoder untied from the word embeddings is not supported", path);
    return ATTN_OK;
}

/* sentence-transformers' max_seq_length from sentence_bert_config.json
 * (*n = 0 without the file or the key); a file that does not parse or a
 * value that is not a positive integer is an error naming the file. */
static attn_status sentence_max_length(const char *dir, int64_t *n) {
    char *path = path_join(dir, "sentence_bert_config.json");
    *n = 0;
    if (!path) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    cJSON *root = NULL;
    if (file_exists(path) && (st = json_read_object(path, &root)) == ATTN_OK)
        st = json_int_in(root, "max_seq_length", false, 1, CFG_MAX_POSITIONS, n, path);
    cJSON_Delete(root);
    attn_free(path);
    return st;
}

/* ---- weights -------------------------------------------------------------- */

static bool has(const st_file *f, const char *name) { return st_find(f, name) != NULL; }

/* Reads the heads present and the name prefix from the tensor names. */
static attn_status detect_layout(const st_file *f, const char *path, attn_bert_config *c, const char **prefix) {
    *prefix = "";
    for (int64_t i = 0; i < f->n_tensors; i++) {
        if (!strncmp(f->tensors[i].name, "bert.", 5)) *prefix = "bert.";
        if (!strncmp(f->tensors[i].name, "roberta.", 8)) *prefix = "roberta.";
    }
    if (c->roberta && !strcmp(*prefix, "bert.")) return attn_errorf(ATTN_ERR_FORMAT, "%s: BERT tensor names in a RoBERTa checkpoint", path);
    char name[64];
    snprintf(name, sizeof name, "%spooler.dense.weight", *prefix);
    c->pooler = has(f, name);
    c->mlm_head = has(f, c->roberta ? "lm_head.dense.weight" : "cls.predictions.transform.dense.weight");
    c->nsp_head = has(f, "cls.seq_relationship.weight");
    bool rcls = has(f, "classifier.out_proj.weight");
    if (rcls && (!c->roberta || c->token_classifier))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: a RoBERTa sequence classifier (classifier.out_proj) in a checkpoint that is not one", path);
    const st_tensor *cls = st_find(f, rcls ? "classifier.out_proj.weight" : "classifier.weight");
    c->num_labels = 0;
    if (cls) {
        if (cls->ndim != 2 || cls->shape[0] < 1)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: %s must be (num_labels, hidden_size)", path, cls->name);
        c->num_labels = cls->shape[0];
    } else {
        c->token_classifier = false;
    }
    return ATTN_OK;
}

static attn_status load_labels(attn_model *m, const model_source *src, int64_t n) {
    if (n < 1) return ATTN_OK;
    char **names;
    attn_status st = json_read_labels(src->config, n, src->config_path, &names);
    if (st) return st;
    st = model_set_labels(m, (const char *const *)names, n);
    json_free_labels(names, n);
    return st;
}

attn_status bert_load(const model_source *src, attn_model **out) {
    *out = NULL;
    const char *cfg_path = src->config_path, *w_path = src->weights_path;
    attn_status st = ATTN_OK;
    attn_model *m = NULL;
    st_file *f = NULL;
    attn_bert_config cfg;
    const char *prefix;
    if ((st = config_from_json(src, &cfg)) != ATTN_OK) goto done;
    if ((st = st_open(w_path, &f)) != ATTN_OK) goto done;
    if ((st = detect_layout(f, w_path, &cfg, &prefix)) != ATTN_OK) goto done;
    model_params_expect(f, w_path, ""); /* shapes checked before the weights are allocated */
    st = bert_model_alloc(&cfg, prefix, &m);
    model_params_expect(NULL, NULL, NULL);
    if (st != ATTN_OK) {
        if (st != ATTN_ERR_FORMAT) st = error_prefixf(st, "%s", cfg_path);
        goto done;
    }
    char what[80];
    snprintf(what, sizeof what, "a BERT-family encoder with %lld layers", (long long)cfg.n_layer);
    if ((st = params_read(m, f, w_path, what)) != ATTN_OK) goto done;
    if ((st = load_labels(m, src, cfg.num_labels)) != ATTN_OK) goto done;
    int64_t max_len;
    if ((st = sentence_max_length(src->dir, &max_len)) != ATTN_OK) goto done;
    bert_set_max_length(m, max_len);
    *out = m;
    m = NULL;
done:
    st_close(f);
    attn_model_free(m);
    return st;
}

/* ---- saving --------------------------------------------------------------- */

static const char *bert_architecture(const attn_bert_config *c) {
    if (c->num_labels > 0 && c->token_classifier) return c->roberta ? "RobertaForTokenClassification" : "BertForTokenClassification";
    if (c->num_labels > 0) return c->roberta ? "RobertaForSequenceClassification" : "BertForSequenceClassification";
    if (c->mlm_head && c->nsp_head) return "BertForPreTraining";
    if (c->mlm_head) return c->roberta ? "RobertaForMaskedLM" : "BertForMaskedLM";
    return c->roberta ? "RobertaModel" : "BertModel";
}

/* transformers' class name, "Attn" before it for attn_bert (no class of transformers reads one) */
static void architecture(const attn_bert_config *c, char *out, size_t n) {
    snprintf(out, n, "%s%s", bert_is_variant(c) ? "Attn" : "", bert_architecture(c));
}

static attn_status config_to_json(const attn_bert_config *c, float dropout, char *const *labels, char **out) {
    static const char *const act[] = {"gelu", "gelu_new", "relu", "geglu"};
    unsigned long failures = alloc_failures();   /* cJSON_Add* failing leaves a field out */
    cJSON *r = cJSON_CreateObject();
    if (!r) return ATTN_ERR_OUT_OF_MEMORY;
    bool variant = bert_is_variant(c);
    char name[64];
    architecture(c, name, sizeof name);
    cJSON *arch = cJSON_AddArrayToObject(r, "architectures");
    if (arch) cJSON_AddItemToArray(arch, cJSON_CreateString(name));
    cJSON_AddStringToObject(r, "model_type", c->roberta ? "roberta" : variant ? "attn_bert" : "bert");
    if (variant) {
        cJSON_AddBoolToObject(r, "pre_layer_norm", c->pre_ln);
        cJSON_AddBoolToObject(r, "linear_bias", !c->no_bias);
    }
    cJSON_AddNumberToObject(r, "vocab_size", (double)c->vocab_size);
    cJSON_AddNumberToObject(r, "hidden_size", (double)c->hidden_size);
    cJSON_AddNumberToObject(r, "num_hidden_layers", (double)c->n_layer);
    cJSON_AddNumberToObject(r, "num_attention_heads", (double)c->n_head);
    cJSON_AddNumberToObject(r, "intermediate_size", (double)c->intermediate_size);
    cJSON_AddStringToObject(r, "hidden_act", act[c->activation]);
    json_add_item(r, "hidden_dropout_prob", json_short_number(dropout));
    cJSON_AddNumberToObject(r, "attention_probs_dropout_prob", 0); /* attn applies none (bert.c) */
    cJSON_AddNumberToObject(r, "max_position_embeddings", (double)c->max_positions);
    cJSON_AddNumberToObject(r, "type_vocab_size", (double)c->type_vocab_size);
    json_add_item(r, "initializer_range", json_short_number(0.02f));
    json_add_item(r, "layer_norm_eps", json_short_number(c->layer_norm_eps));
    if (c->pad_token_id >= 0)
        cJSON_AddNumberToObject(r, "pad_token_id", c->pad_token_id);
    else
        cJSON_AddNullToObject(r, "pad_token_id");
    cJSON_AddStringToObject(r, "position_embedding_type", "absolute");
    cJSON_AddBoolToObject(r, "is_decoder", 0);
    cJSON_AddBoolToObject(r, "tie_word_embeddings", 1);
    if (c->num_labels > 0) json_add_labels(r, labels, c->num_labels);
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

attn_status bert_save(const attn_model *m, const char *dir) {
    char *json = NULL;
    attn_bert_config cfg;
    attn_model_encoder_config(m, &cfg);
    attn_status st = config_to_json(&cfg, m->cfg.dropout, m->n_label_names == cfg.num_labels ? m->label_names : NULL, &json);
    if (!st) st = params_save_dir(m, dir, json);
    if (json) cJSON_free(json);
    return st;
}
