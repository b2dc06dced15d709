/* registry.c — the architectures attn knows, one row per config.json
 * model_type.
 *
 * A row names the family (its functions are model_families in model.c),
 * the transformers class whose checkpoints it reads and writes, the
 * config.json keys the family reads (a json_field table over the family's
 * configuration struct), what it is for messages, the objectives it
 * trains, and the config values supported only as given. attn_model_load
 * finds the row from config.json's model_type; a new architecture of an
 * existing family is a new row. */
#include "io/json.h"
#include "models/model_impl.h"

#include <stdio.h>
#include <string.h>

static const model_arch ARCHS[] = {
    {"gpt2", "GPT2LMHeadModel", MODEL_GPT, GPT2_CONFIG_KEYS, "a GPT-2 model", TRAINS_CLM | TRAINS_CLASSIFY, NULL},
    {"bert", "BertForMaskedLM", MODEL_BERT, BERT_CONFIG_KEYS, "a BERT-family encoder", TRAINS_MLM | TRAINS_CLASSIFY, NULL},
    {"roberta", "RobertaForMaskedLM", MODEL_BERT, BERT_CONFIG_KEYS, "a BERT-family encoder", TRAINS_MLM | TRAINS_CLASSIFY, NULL},
    {"bart", "BartForConditionalGeneration", MODEL_ENCDEC, ENCDEC_CONFIG_KEYS, "a BART encoder-decoder",
     TRAINS_PAIRS | TRAINS_DENOISE, NULL},
    {"marian", "MarianMTModel", MODEL_ENCDEC, ENCDEC_CONFIG_KEYS, "a Marian Transformer (translation)", TRAINS_PAIRS, NULL},
    {"rnnsearch", "RNNsearch (attn)", MODEL_RNN, RNN_CONFIG_KEYS, "an RNN translation model", TRAINS_PAIRS, NULL},
    {"rnnencdec", "RNN encoder-decoder (attn)", MODEL_RNN, RNN_CONFIG_KEYS, "an RNN translation model", TRAINS_PAIRS, NULL},
    {"opt", "OPTForCausalLM", MODEL_OPT, OPT_CONFIG_KEYS, "an OPT model", TRAINS_CLM,
     "{\"activation_function\": \"relu\", \"enable_bias\": true, \"layer_norm_elementwise_affine\": true, "
     "\"_remove_final_layer_norm\": false, \"tie_word_embeddings\": true}"},
    {"llama", "LlamaForCausalLM", MODEL_LLAMA, LLAMA_CONFIG_KEYS, "a Llama model", TRAINS_CLM,
     "{\"hidden_act\": \"silu\", \"rope_scaling\": null}"},
    {"qwen2", "Qwen2ForCausalLM", MODEL_LLAMA, QWEN2_CONFIG_KEYS, "a Qwen2 model", TRAINS_CLM,
     "{\"hidden_act\": \"silu\", \"rope_scaling\": null, \"use_sliding_window\": false}"},
    {"mistral", "MistralForCausalLM", MODEL_LLAMA, MISTRAL_CONFIG_KEYS, "a Mistral model", TRAINS_CLM,
     "{\"hidden_act\": \"silu\", \"rope_scaling\": null}"},
    {"bloom", "BloomForCausalLM", MODEL_BLOOM, BLOOM_CONFIG_KEYS, "a BLOOM model", TRAINS_CLM,
     "{\"apply_residual_connection_post_layernorm\": false, \"attention_dropout\": 0.0, \"tie_word_embeddings\": true}"},
    {"esm", "EsmForMaskedLM", MODEL_ESM, ESM_CONFIG_KEYS, "an ESM model", TRAINS_MLM,
     "{\"position_embedding_type\": \"rotary\", \"emb_layer_norm_before\": false, \"is_decoder\": false, "
     "\"is_folding_model\": false}"},
    {"attn_bert", "none (attn's BERT variants)", MODEL_BERT, BERT_CONFIG_KEYS,
     "a BERT variant (pre-LN blocks or linear layers without biases)", TRAINS_MLM | TRAINS_CLASSIFY, NULL},
    {"attn_gpt2", "none (attn's GPT-2 variants)", MODEL_GPT, ATTN_GPT2_CONFIG_KEYS,
     "a GPT-2 variant (rotary positions, QK-norm, ReLU^2 or an untied head)", TRAINS_CLM | TRAINS_CLASSIFY,
     NULL},
};

const model_arch *registry_find(const char *model_type) {
    for (size_t i = 0; i < ARRAY_LEN(ARCHS); i++)
        if (!strcmp(ARCHS[i].model_type, model_type)) return &ARCHS[i];
    return NULL;
}

attn_status registry_lookup(const cJSON *config, const char *path, const model_arch **out) {
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(config, "model_type");
    *out = NULL;
    if (!mt) {
        *out = registry_find("gpt2"); /* GPT2Config directories written before model_type was required */
        return ATTN_OK;
    }
    if (!cJSON_IsString(mt)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"model_type\" must be a string", path);
    if ((*out = registry_find(mt->valuestring)) != NULL) return ATTN_OK;
    char list[256];
    size_t k = 0;
    for (size_t i = 0; i < ARRAY_LEN(ARCHS) && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", ARCHS[i].model_type);
    return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: model_type \"%.64s\" is not supported (supported: %s)", path,
                       mt->valuestring, list);
}

/* The first of the row's fixed values that config holds otherwise. */
static attn_status check_fixed(const model_source *src) {
    if (!src->arch->fixed) return ATTN_OK;
    unsigned long failures = alloc_failures();
    cJSON *fixed = cJSON_Parse(src->arch->fixed);
    if (!fixed) return alloc_failures() != failures ? ATTN_ERR_OUT_OF_MEMORY : attn_errorf(ATTN_ERR_INVALID_ARG, "bad fixed values");
    attn_status st = ATTN_OK;
    for (const cJSON *want = fixed->child; want && !st; want = want->next) {
        const cJSON *got = cJSON_GetObjectItemCaseSensitive(src->config, want->string);
        if (!got || cJSON_Compare(got, want, true)) continue;
        char *a = cJSON_PrintUnformatted(got), *b = cJSON_PrintUnformatted(want);
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: \"%s\" is %.40s; attn supports %s only", src->config_path, want->string,
                         a ? a : "?", b ? b : "?");
        cJSON_free(a);
        cJSON_free(b);
    }
    cJSON_Delete(fixed);
    return st;
}

attn_status registry_read_keys(const model_source *src, void *cfg) {
    attn_status st = check_fixed(src);
    return st ? st : json_read_fields(src->config, src->arch->keys, cfg, src->config_path);
}
