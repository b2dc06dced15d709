/* encoder.h — BERT-family encoders (BERT, RoBERTa, MiniLM): run them, embed
 * sentences.
 *
 * An encoder is an attn_model (see model.h): attn_model_load() reads a
 * Hugging Face directory whose config.json has model_type "bert" or
 * "roberta" (BertModel, BertForMaskedLM, BertForSequenceClassification,
 * RobertaModel, RobertaForMaskedLM; names with or without the "bert." /
 * "roberta." prefix) and attn_model_free() frees it. The heads a checkpoint
 * holds (pooler, masked-LM head, classifier) are loaded with it.
 * attn_model_save() writes the same layout back (config.json with
 * architectures BertModel / BertForMaskedLM / BertForSequenceClassification
 * or the RoBERTa equivalents, model.safetensors with transformers' names),
 * which transformers' from_pretrained() loads with the same outputs.
 *
 * Architecture (transformers' BertModel): x = LayerNorm(word[ids] +
 * position[pos] + token_type[types]); per block, post-LN:
 * x = LN(x + dense(attention(x))), x = LN(x + dense2(act(dense1(x)))), act
 * the exact (erf) GELU for hidden_act "gelu"; bidirectional attention with a
 * key padding mask. RoBERTa: positions count real tokens from pad_token_id+1
 * (transformers' create_position_ids_from_input_ids), so a row padded with
 * pad_token_id gets the same positions as unpadded.
 *
 * Batches are (B, T) row-major token ids; mask (B, T) is 1 for a real token
 * and 0 for padding (NULL: all real); type_ids NULL means all 0. Rows may be
 * padded anywhere, outputs at padded positions are computed but meaningless. */
#ifndef ATTN_ENCODER_H
#define ATTN_ENCODER_H

#include "attn/model.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* hidden_act: "gelu" (exact, erf), "gelu_new" / "gelu_pytorch_tanh", "relu". */
/* GEGLU (attn_bert only, Cramming's gated MLP): intermediate.dense is the
 * gate | up projection (intermediate_size = 2F rows), out = gelu(gate) * up
 * with the exact GELU, and output.dense takes F = intermediate_size / 2. */
typedef enum attn_bert_activation { ATTN_BERT_GELU = 0, ATTN_BERT_GELU_TANH, ATTN_BERT_RELU, ATTN_BERT_GEGLU } attn_bert_activation;

typedef struct attn_bert_config {
    int64_t n_layer, n_head, hidden_size, intermediate_size;
    int64_t max_positions;    /* max_position_embeddings */
    int64_t vocab_size, type_vocab_size;
    float layer_norm_eps;     /* 1e-12 */
    float dropout;            /* hidden_dropout_prob, while training */
    attn_bert_activation activation;
    bool roberta;             /* RoBERTa positions and tensor names */
    int32_t pad_token_id;
    bool pooler;              /* pooler.dense (BertModel) */
    bool mlm_head;            /* masked-LM head, decoder tied to the word embeddings */
    int64_t num_labels;       /* classifier outputs; 0 = no classifier */
    bool token_classifier;    /* the classifier labels every token (BertForTokenClassification)
                                 instead of the sequence (BertForSequenceClassification: on the
                                 pooled output; RoBERTa: dense + tanh + out_proj on <s>) */
    bool nsp_head;            /* next-sentence prediction on the pooled output (BertForPreTraining) */
    bool esm;                 /* an ESM-2 model (model_type "esm", models/esm.c): rotary positions, pre-LN,
                                 token dropout; no token types, pooler or classifier */
    int32_t mask_token_id;    /* ESM: the <mask> id token dropout zeroes (-1: none, no token dropout) */
    /* attn's BERT variants (model_type "attn_bert", Cramming's recipe; not
     * RoBERTa): pre_ln, pre-LN blocks x = x + attn(LN1(x)), x = x + mlp(LN2(x))
     * and a LayerNorm after the last block (encoder.final_layer_norm);
     * no_bias, linear layers without biases (q, k, v, outputs, MLP, heads and
     * the MLM decoder; LayerNorms keep theirs); activation ATTN_BERT_GEGLU. */
    bool pre_ln;
    bool no_bias;
} attn_bert_config;

/* bert-base-uncased's shape: 12 layers, 12 heads, 768 wide, 3072 MLP,
 * 512 positions, 30522 tokens, 2 token types, pooler on, no heads. */
ATTN_API attn_bert_config attn_bert_default_config(void);

/* A new ESM-2 masked LM (transformers' EsmForMaskedLM: rotary positions,
 * pre-LN blocks, emb_layer_norm_after, exact GELU, the LM head tied to the
 * word embeddings) of cfg's sizes (n_layer, n_head, hidden_size,
 * intermediate_size, max_positions, vocab_size, layer_norm_eps, dropout,
 * pad_token_id >= 0, mlm_head); token dropout on when cfg->mask_token_id >= 0.
 * Initialised as transformers does (normal 0.02, biases 0, norms 1, the
 * padding row 0) from seed. The encoder API below takes it (hidden states,
 * masked-LM logits, embeddings; type_ids are ignored). */
ATTN_API attn_status attn_esm_new(const attn_bert_config *cfg, uint64_t seed, attn_model **out);

/* A new encoder with BERT's initialisation (normal 0.02, biases 0,
 * LayerNorm 1 and 0) from `seed`. */
ATTN_API attn_status attn_bert_new(const attn_bert_config *cfg, uint64_t seed, attn_model **out);

/* Whether model is an encoder; if so and cfg is not NULL, its configuration. */
ATTN_API bool attn_model_encoder_config(const attn_model *model, attn_bert_config *cfg);

/* The longest input the encoder takes, in tokens: sentence-transformers'
 * max_seq_length when the directory had a sentence_bert_config.json (256
 * for all-MiniLM-L6-v2), else what the position table allows. 0 if model
 * is not an encoder. */
ATTN_API int64_t attn_encoder_max_length(const attn_model *model);

/* Last hidden states, out (B, T, hidden_size). */
ATTN_API attn_status attn_encoder_hidden(attn_model *model, const int32_t *ids, const int32_t *type_ids,
                                         const uint8_t *mask, int64_t B, int64_t T, float *out);

/* Pooler output tanh(dense(h[:, 0])), out (B, hidden_size).
 * ATTN_ERR_UNSUPPORTED if the checkpoint has no pooler. */
ATTN_API attn_status attn_encoder_pooled(attn_model *model, const int32_t *ids, const int32_t *type_ids,
                                         const uint8_t *mask, int64_t B, int64_t T, float *out);

/* Masked-LM logits, out (B, T, vocab_size). ATTN_ERR_UNSUPPORTED without an MLM head. */
ATTN_API attn_status attn_encoder_mlm_logits(attn_model *model, const int32_t *ids, const int32_t *type_ids,
                                             const uint8_t *mask, int64_t B, int64_t T, float *out);

/* Classifier logits: out (B, num_labels), or (B, T, num_labels) for a token
 * classifier. ATTN_ERR_UNSUPPORTED without a classifier. */
ATTN_API attn_status attn_encoder_classify(attn_model *model, const int32_t *ids, const int32_t *type_ids,
                                           const uint8_t *mask, int64_t B, int64_t T, float *out);

/* Next-sentence logits (B, 2) from the pooled output: index 0 = "B follows A".
 * ATTN_ERR_UNSUPPORTED without the head. */
ATTN_API attn_status attn_encoder_nsp_logits(attn_model *model, const int32_t *ids, const int32_t *type_ids,
                                             const uint8_t *mask, int64_t B, int64_t T, float *out);

/* Attention probabilities of one sequence ids (T tokens, mask as above or
 * NULL): out (n_layer, n_head, T, T), row i of a head's map the softmax over
 * keys j of query i (transformers' output_attentions; masked keys 0). A
 * reference pass from each layer's q and k (the tiled kernel keeps no
 * probabilities): for analysis such as contacts (contacts.h), not speed. */
ATTN_API attn_status attn_encoder_attention_maps(attn_model *model, const int32_t *ids, const uint8_t *mask, int64_t T,
                                                 float *out);

/* Sentence embeddings as sentence-transformers' Pooling(mean): the mean of
 * the last hidden states over the real tokens of each row (mask), then,
 * when normalize, divided by max(L2 norm, 1e-12) (its Normalize module).
 * out (B, hidden_size). */
ATTN_API attn_status attn_encoder_embed(attn_model *model, const int32_t *ids, const int32_t *type_ids,
                                        const uint8_t *mask, int64_t B, int64_t T, bool normalize, float *out);

/* The same embeddings for n sequences packed back to back without padding:
 * sequence s is lengths[s] tokens of ids (and of type_ids, or type 0 when
 * NULL), all real, starting where sequence s - 1 ends. The dense layers run
 * once on all the tokens, attention within each sequence; out (n,
 * hidden_size). BERT-family encoders with fp32 or bf16 weights
 * (ATTN_ERR_UNSUPPORTED for ESM or quantized weights; attn_bert's pre-LN
 * variant runs them as one padded batch through attn_encoder_embed). The
 * activations are kept with the model between calls, so calls on one model
 * must not overlap. */
ATTN_API attn_status attn_encoder_embed_packed(attn_model *model, const int32_t *ids, const int32_t *type_ids,
                                               const int64_t *lengths, int64_t n, bool normalize, float *out);

#ifdef __cplusplus
}
#endif
#endif
