/* seq2seq.h — encoder-decoder models (the Transformer of Vaswani et al. and
 * BART) and their decoding: greedy and beam search over a batch of sources.
 *
 * Architecture (both configurations, transformers' BartModel / MarianModel):
 *   encoder  x = E[src] * s + P(pos); BART: x = LN_emb(x); per layer, post-LN:
 *            x = LN1(x + o(attn(qkv(x)))), x = LN2(x + fc2(act(fc1(x))))
 *            with a padding mask over the source (src == pad_token_id).
 *   decoder  the same embedding (shared table E) with causal self-attention,
 *            then cross-attention over the encoder output before the MLP:
 *            x = LN_c(x + o(attn(q(x), kv(enc)))).
 *   logits   x @ E^T + final_logits_bias (tied output projection).
 * s = sqrt(d_model) when scale_embedding, else 1.
 *   ATTN_ENCDEC_BART    learned positions (max_positions + 2 rows, position
 *                       p at row p + 2), embedding LayerNorm, GELU (erf).
 *   ATTN_ENCDEC_MARIAN  the Transformer: static sinusoidal positions from 0
 *                       (sin in the first half of the width, cos in the
 *                       second, as transformers' Marian), ReLU, no embedding
 *                       LayerNorm; saved as MarianMTModel.
 * Directories: config.json (model_type "bart" / "marian") + model.safetensors
 * in transformers' names; attn_model_load / attn_model_save (model.h) read
 * and write them. final_logits_bias is a buffer as in transformers: loaded,
 * saved, never trained.
 *
 * attn_seq2seq_generate, attn_seq2seq_score and attn_seq2seq_default_params
 * also take the RNN models of rnn.h (their bos is the decoder start; the
 * same greedy and beam search run over attn_rnn_step / attn_rnn_reorder).
 *
 * Not yet: attention-probability dropout (attention_dropout is ignored),
 * layerdrop, untied or unshared embeddings, MBart's pre-LN, sampling. */
#ifndef ATTN_SEQ2SEQ_H
#define ATTN_SEQ2SEQ_H

#include "attn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum attn_encdec_arch { ATTN_ENCDEC_BART = 0, ATTN_ENCDEC_MARIAN } attn_encdec_arch;
typedef enum attn_encdec_activation { ATTN_ENCDEC_GELU = 0, ATTN_ENCDEC_RELU, ATTN_ENCDEC_GELU_TANH } attn_encdec_activation;

typedef struct attn_encdec_config {
    attn_encdec_arch arch;
    int64_t vocab_size, d_model, max_positions;
    int64_t encoder_layers, encoder_heads, encoder_ffn;
    int64_t decoder_layers, decoder_heads, decoder_ffn;
    float dropout, activation_dropout;
    attn_encdec_activation activation;
    bool scale_embedding;
    /* -1 = none; pad, eos and decoder_start are required */
    int32_t pad_token_id, bos_token_id, eos_token_id, decoder_start_token_id;
    int32_t forced_bos_token_id, forced_eos_token_id;
} attn_encdec_config;

/* BART-base-like defaults for arch (BART: GELU, no scaling, pad 1, eos 2,
 * decoder start 2, forced eos 2; MARIAN: the Transformer base: d_model 512,
 * 6 + 6 layers, 8 heads, FFN 2048, ReLU, scale_embedding, eos 0, pad and
 * decoder start vocab_size - 1). */
ATTN_API attn_encdec_config attn_encdec_default_config(attn_encdec_arch arch);
/* A new model initialised as transformers does (normal 0.02, biases 0,
 * LayerNorm 1/0, the pad row of the embeddings 0) from seed. */
ATTN_API attn_status attn_encdec_new(const attn_encdec_config *cfg, uint64_t seed, attn_model **out);
/* Whether model is an encoder-decoder; copies its config when cfg != NULL. */
ATTN_API bool attn_model_encdec_config(const attn_model *model, attn_encdec_config *cfg);

/* transformers' early_stopping: FALSE stops a source once the best running
 * score (at the current length) cannot beat the worst finished one; TRUE
 * as soon as num_beams hypotheses are finished; NEVER only when the best
 * running score at the longest possible length cannot. */
typedef enum attn_early_stopping { ATTN_EARLY_STOP_FALSE = 0, ATTN_EARLY_STOP_TRUE, ATTN_EARLY_STOP_NEVER } attn_early_stopping;

typedef struct attn_seq2seq_params {
    int64_t num_beams;            /* 1 = greedy */
    int64_t num_return_sequences; /* <= num_beams: the n best per source */
    float length_penalty;         /* finished score = sum log p / len^length_penalty */
    attn_early_stopping early_stopping;
    /* transformers' max_length / min_length: decoder lengths counting the
     * decoder start token, so at most max_length - 1 tokens are generated */
    int64_t max_length, min_length;
    int32_t decoder_start_token_id, eos_token_id, pad_token_id;
    int32_t forced_bos_token_id, forced_eos_token_id; /* -1 = none */
} attn_seq2seq_params;

/* Greedy, max_length 20 (transformers' default), the model's special tokens
 * (config.json, overridden by generation_config.json where present). */
ATTN_API attn_seq2seq_params attn_seq2seq_default_params(const attn_model *model);

/* Decodes B sources src (B, S), each padded on the right with pad_token_id
 * (a source must hold at least one other token). Writes R = num_return_sequences
 * hypotheses per source, best first: out (B * R, max_length - 1) the tokens
 * after the decoder start token (eos included, then pad_token_id),
 * out_len (B * R) their lengths, scores (B * R, may be NULL): beam search's
 * length-penalised score, or for greedy the sum of log-probabilities.
 * Matches transformers' generate(num_beams, length_penalty, early_stopping,
 * num_return_sequences, max_length, min_length) token for token (up to
 * float rounding in near ties). Errors: ATTN_ERR_INVALID_ARG for bad
 * settings, an empty source, ids outside the vocabulary or a source or
 * max_length beyond the positions. */
ATTN_API attn_status attn_seq2seq_generate(attn_model *model, const attn_seq2seq_params *params, const int32_t *src,
                                           int64_t B, int64_t S, int32_t *out, int64_t *out_len, float *scores);

/* Negative log-likelihood of targets given sources: src (B, S) padded with
 * pad_token_id; tgt (B, T) the target tokens (normally ending in eos),
 * padded with -1. The decoder reads decoder_start_token_id then tgt.
 * nll (B): the sum in nats per pair; n_tokens (B): tokens scored. */
ATTN_API attn_status attn_seq2seq_score(attn_model *model, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T,
                                        int64_t B, double *nll, int64_t *n_tokens);

#ifdef __cplusplus
}
#endif
#endif
