/* encdec_io.c — encoder-decoder directories in Hugging Face's layout.
 *
 * config.json follows transformers' BartConfig (model_type "bart") and
 * MarianConfig ("marian"). model.safetensors holds the names of
 * BartForConditionalGeneration / MarianMTModel: "model.shared.weight",
 * "model.encoder.layers.0.self_attn.q_proj.weight", ..., "final_logits_bias"
 * (1, V); BART adds "model.{encoder,decoder}.embed_positions.weight"
 * (max_position_embeddings + 2, d_model) and ".layernorm_embedding.*".
 * Names without "model." (BartModel / MarianModel) load too. Ignored when
 * present: the tied copies of the shared table ("model.encoder.embed_tokens.weight",
 * "model.decoder.embed_tokens.weight", "lm_head.weight"; one of them stands
 * in for a missing "model.shared.weight") and Marian's static sinusoids
 * (recomputed). A missing final_logits_bias is zero, as transformers
 * initialises it. Linear weights are (out, in) in both: nothing is
 * transposed. generation_config.json beside config.json, when present,
 * overrides the special tokens used for decoding and gives max_length,
 * min_length, num_beams, length_penalty and early_stopping defaults.
 *
 * Saving writes config.json (BartForConditionalGeneration or MarianMTModel)
 * and model.safetensors under the same names, without the tied copies or
 * sinusoids, as save_pretrained does.
 *
 * Not yet: untied or unshared embeddings (share_encoder_decoder_embeddings
 * false, a decoder_vocab_size of its own), sharded checkpoints, writing
 * generation_config.json. */
#include "io/json.h"
#include "io/safetensors.h"
#include "models/encdec_impl.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>

/* ---- config.json ---------------------------------------------------------- */

#define T attn_encdec_config
/* The sizes, then the special tokens: TOKEN_KEYS, the rows from
 * "pad_token_id" on, is the table generation_config.json is read with. */
const json_field ENCDEC_CONFIG_KEYS[] = {
    JSON_KEY_INT(T, "vocab_size", vocab_size, true, 1, CFG_MAX_VOCAB),
    JSON_KEY_INT(T, "d_model", d_model, true, 1, CFG_MAX_WIDTH),
    JSON_KEY_INT(T, "encoder_layers", encoder_layers, true, 1, CFG_MAX_LAYERS),
    JSON_KEY_INT(T, "decoder_layers", decoder_layers, true, 1, CFG_MAX_LAYERS),
    JSON_KEY_INT(T, "encoder_attention_heads", encoder_heads, true, 1, CFG_MAX_HEADS),
    JSON_KEY_INT(T, "decoder_attention_heads", decoder_heads, true, 1, CFG_MAX_HEADS),
    JSON_KEY_INT(T, "encoder_ffn_dim", encoder_ffn, true, 1, CFG_MAX_INNER),
    JSON_KEY_INT(T, "decoder_ffn_dim", decoder_ffn, true, 1, CFG_MAX_INNER),
    JSON_KEY_INT(T, "max_position_embeddings", max_positions, true, 1, CFG_MAX_POSITIONS),
    JSON_KEY_FLOAT(T, "dropout", dropout, 0.0, false, CFG_MAX_DROPOUT),
    JSON_KEY_FLOAT(T, "activation_dropout", activation_dropout, 0.0, false, CFG_MAX_DROPOUT),
    JSON_KEY_BOOL(T, "scale_embedding", scale_embedding),
#define N_SIZE_KEYS 12
    JSON_KEY_TOKEN(T, "pad_token_id", pad_token_id, INT32_MAX, 0),
    JSON_KEY_TOKEN(T, "bos_token_id", bos_token_id, INT32_MAX, 0),
    JSON_KEY_TOKEN(T, "eos_token_id", eos_token_id, INT32_MAX, 0),
    JSON_KEY_TOKEN(T, "decoder_start_token_id", decoder_start_token_id, INT32_MAX, 0),
    JSON_KEY_TOKEN(T, "forced_bos_token_id", forced_bos_token_id, INT32_MAX, 0),
    JSON_KEY_TOKEN(T, "forced_eos_token_id", forced_eos_token_id, INT32_MAX, 0),
    JSON_KEYS_END,
};
#undef T
static const json_field *const TOKEN_KEYS = ENCDEC_CONFIG_KEYS + N_SIZE_KEYS;

static bool flag(const cJSON *root, const char *key, bool dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    return v && cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

static attn_status config_from_json(const model_source *src, attn_encdec_config *c) {
    const cJSON *root = src->config;
    const char *path = src->config_path;
    bool marian = !strcmp(src->arch->model_type, "marian");
    *c = attn_encdec_default_config(marian ? ATTN_ENCDEC_MARIAN : ATTN_ENCDEC_BART);
    c->scale_embedding = false; /* both configs default to false */
    c->forced_eos_token_id = marian ? 0 : 2;
    int64_t dvocab = -1;
    attn_status st;
    if ((st = registry_read_keys(src, c)) ||
        (st = json_int_in(root, "decoder_vocab_size", false, 1, CFG_MAX_VOCAB, &dvocab, path)))
        return st;
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "activation_function");
    if (act) {
        const char *a = cJSON_IsString(act) ? act->valuestring : "?";
        if (!strcmp(a, "gelu"))
            c->activation = ATTN_ENCDEC_GELU;
        else if (!strcmp(a, "relu"))
            c->activation = ATTN_ENCDEC_RELU;
        else if (!strcmp(a, "gelu_new") || !strcmp(a, "gelu_pytorch_tanh"))
            c->activation = ATTN_ENCDEC_GELU_TANH;
        else
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: activation_function \"%s\" is not supported (gelu, gelu_new, relu)",
                               path, a);
    }
    if (!flag(root, "tie_word_embeddings", true) || !flag(root, "share_encoder_decoder_embeddings", true) ||
        (dvocab != -1 && dvocab != c->vocab_size))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: untied or unshared embeddings are not supported", path);
    if (flag(root, "normalize_before", false) || flag(root, "add_final_layer_norm", false))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: pre-LN (normalize_before, add_final_layer_norm) is not supported", path);
    return ATTN_OK;
}

/* generation_config.json, if present: decoding defaults. */
static attn_status generation_from_json(const char *dir, struct encdec_model *e) {
    char *path = path_join(dir, "generation_config.json");
    if (!path) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    cJSON *root = NULL;
    if (!file_exists(path)) goto done;
    if ((st = json_read_object(path, &root))) goto done;
    attn_encdec_config t = e->cfg;
    int64_t max_len = 0, min_len = 0, beams = 1;
    if ((st = json_read_fields(root, TOKEN_KEYS, &t, path)) ||
        (st = json_int_in(root, "max_length", false, 0, CFG_MAX_POSITIONS, &max_len, path)) ||
        (st = json_int_in(root, "min_length", false, 0, CFG_MAX_POSITIONS, &min_len, path)) ||
        (st = json_int_in(root, "num_beams", false, 1, CFG_MAX_BEAMS, &beams, path)) ||
        (st = json_float_in(root, "length_penalty", -CFG_MAX_LENGTH_PENALTY, false, CFG_MAX_LENGTH_PENALTY,
                            &e->gen_length_penalty, path)))
        goto done;
    if ((st = encdec_config_check(&t))) {
        st = error_prefixf(st, "%s", path);
        goto done;
    }
    e->gen_decoder_start = t.decoder_start_token_id;
    e->gen_eos = t.eos_token_id;
    e->gen_pad = t.pad_token_id;
    e->gen_forced_bos = t.forced_bos_token_id;
    e->gen_forced_eos = t.forced_eos_token_id;
    e->gen_max_length = max_len;
    e->gen_min_length = min_len;
    e->gen_num_beams = beams;
    const cJSON *es = cJSON_GetObjectItemCaseSensitive(root, "early_stopping");
    if (cJSON_IsTrue(es)) e->gen_early_stopping = ATTN_EARLY_STOP_TRUE;
    if (cJSON_IsString(es) && !strcmp(es->valuestring, "never")) e->gen_early_stopping = ATTN_EARLY_STOP_NEVER;
done:
    cJSON_Delete(root);
    attn_free(path);
    return st;
}

static attn_status alloc_cfg(const void *cfg, attn_model **out) { return encdec_alloc(cfg, out); }

attn_status encdec_load(const model_source *src, attn_model **out) {
    attn_encdec_config cfg;
    attn_status st = config_from_json(src, &cfg);
    *out = NULL;
    if (st) return st;
    char what[96];
    snprintf(what, sizeof what, "a %s model with %lld + %lld layers", cfg.arch == ATTN_ENCDEC_BART ? "BART" : "Marian",
             (long long)cfg.encoder_layers, (long long)cfg.decoder_layers);
    if ((st = params_load(src, alloc_cfg, &cfg, "model.", what, out)) != ATTN_OK) return st;
    if ((st = generation_from_json(src->dir, (*out)->encdec)) != ATTN_OK) {
        attn_model_free(*out);
        *out = NULL;
    }
    return st;
}

/* ---- saving --------------------------------------------------------------- */

static void add_token(cJSON *r, const char *key, int32_t id) {
    if (id >= 0)
        cJSON_AddNumberToObject(r, key, id);
    else
        cJSON_AddNullToObject(r, key);
}

/* A float field as Python writes it: 0.0, not 0 (transformers' BartConfig
 * rejects an int where it declares a float). */
static cJSON *float_item(float x) {
    if (x != floorf(x) || fabsf(x) > 1e15f) return json_short_number(x);
    char buf[32];
    snprintf(buf, sizeof buf, "%.1f", (double)x);
    return cJSON_CreateRaw(buf);
}

static attn_status config_to_json(const attn_encdec_config *c, char **out) {
    static const char *const act[] = {"gelu", "relu", "gelu_new"};
    bool marian = c->arch == ATTN_ENCDEC_MARIAN;
    unsigned long failures = alloc_failures();   /* cJSON_Add* failing leaves a field out */
    cJSON *r = cJSON_CreateObject();
    if (!r) return ATTN_ERR_OUT_OF_MEMORY;
    cJSON *arch = cJSON_AddArrayToObject(r, "architectures");
    if (arch) cJSON_AddItemToArray(arch, cJSON_CreateString(marian ? "MarianMTModel" : "BartForConditionalGeneration"));
    cJSON_AddStringToObject(r, "model_type", marian ? "marian" : "bart");
    cJSON_AddNumberToObject(r, "vocab_size", (double)c->vocab_size);
    if (marian) cJSON_AddNumberToObject(r, "decoder_vocab_size", (double)c->vocab_size);
    cJSON_AddNumberToObject(r, "d_model", (double)c->d_model);
    cJSON_AddNumberToObject(r, "encoder_layers", (double)c->encoder_layers);
    cJSON_AddNumberToObject(r, "decoder_layers", (double)c->decoder_layers);
    cJSON_AddNumberToObject(r, "encoder_attention_heads", (double)c->encoder_heads);
    cJSON_AddNumberToObject(r, "decoder_attention_heads", (double)c->decoder_heads);
    cJSON_AddNumberToObject(r, "encoder_ffn_dim", (double)c->encoder_ffn);
    cJSON_AddNumberToObject(r, "decoder_ffn_dim", (double)c->decoder_ffn);
    cJSON_AddNumberToObject(r, "max_position_embeddings", (double)c->max_positions);
    cJSON_AddStringToObject(r, "activation_function", act[c->activation]);
    json_add_item(r, "dropout", float_item(c->dropout));
    json_add_item(r, "activation_dropout", float_item(c->activation_dropout));
    json_add_item(r, "attention_dropout", float_item(0.0f)); /* attn applies none */
    json_add_item(r, "encoder_layerdrop", float_item(0.0f));
    json_add_item(r, "decoder_layerdrop", float_item(0.0f));
    json_add_item(r, "init_std", json_short_number(0.02f));
    cJSON_AddBoolToObject(r, "scale_embedding", c->scale_embedding);
    cJSON_AddBoolToObject(r, "is_encoder_decoder", 1);
    cJSON_AddBoolToObject(r, "tie_word_embeddings", 1);
    if (marian) cJSON_AddBoolToObject(r, "share_encoder_decoder_embeddings", 1);
    add_token(r, "pad_token_id", c->pad_token_id);
    add_token(r, "bos_token_id", c->bos_token_id);
    add_token(r, "eos_token_id", c->eos_token_id);
    add_token(r, "decoder_start_token_id", c->decoder_start_token_id);
    add_token(r, "forced_bos_token_id", c->forced_bos_token_id);
    add_token(r, "forced_eos_token_id", c->forced_eos_token_id);
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

attn_status encdec_save(const attn_model *m, const char *dir) {
    char *json = NULL;
    attn_status st = config_to_json(&m->encdec->cfg, &json);
    if (!st) st = params_save_dir(m, dir, json);
    if (json) cJSON_free(json);
    return st;
}
