/* rnn.h — RNNsearch and RNNencdec (Bahdanau, Cho and Bengio, 2015,
 * "Neural Machine Translation by Jointly Learning to Align and Translate").
 *
 * Both models share every size and most weights:
 *   encoder   source embeddings (Vs, E) -> a bidirectional GRU (H per
 *             direction, torch.nn.GRU's formulation); annotations
 *             h_j = [forward_j; backward_j] (2H). Padding (pad_token_id at
 *             the end of a row) never reaches a state: the backward GRU
 *             runs over each row reversed within its own length.
 *   decoder   s_0 = tanh(W_s backward_1 + b_s); at step i, with the previous
 *             target embedding e_{i-1} (E) and a context c_i (2H):
 *             s_i = GRUCell([e_{i-1}; c_i], s_{i-1}).
 *             RNNsearch: c_i = sum_j a_ij h_j, a_ij = softmax_j(v . tanh(
 *             W_a s_{i-1} + U_a h_j + b_a)) over the real source tokens.
 *             RNNencdec: c_i = c = [forward_{len-1}; backward_0] for every i.
 *   output    deep output with maxout (the paper's appendix A.2.2, with
 *             the new state s_i): t~ = W_o [s_i; e_{i-1}; c_i] + b_o (2M),
 *             t_k = max(t~_{2k}, t~_{2k+1}) (M), logits = W_y t + b_y (Vt),
 *             W_y tied to the target embeddings when tie_embeddings
 *             (needs M = E).
 *
 * A model directory holds config.json (model_type "rnnsearch" or
 * "rnnencdec", the fields of attn_rnn_config under the names below) and
 * model.safetensors with the names of tests/ref/gen_rnn_fixture.py's
 * PyTorch module (torch.nn.GRU / GRUCell / Linear layouts, so a state_dict
 * loads directly): src_embed.weight, tgt_embed.weight,
 * encoder.{weight_ih,weight_hh,bias_ih,bias_hh}_l0[_reverse], init.weight,
 * init.bias, attn.W.weight, attn.U.weight, attn.U.bias, attn.v.weight,
 * decoder.{weight_ih,weight_hh,bias_ih,bias_hh}, out.pre.weight,
 * out.pre.bias, out.proj.weight (untied only), out.proj.bias.
 * attn_model_load / attn_model_save / attn_model_free (model.h) handle it.
 *
 * Decoding is a step API over N hypotheses, each tied to one source row,
 * so that greedy and beam search share it: attn_rnn_encode, then per step
 * attn_rnn_step (log-probabilities and attention weights for every
 * hypothesis) and attn_rnn_reorder (keep, drop or copy hypotheses).
 * The decoding calls use the model's own scratch graph: one call at a time
 * per model (several states may be alive and used in turn).
 *
 * Training: attn_train on pair shards (train.h); beam search and scoring:
 * attn_seq2seq_generate / attn_seq2seq_score (seq2seq.h).
 *
 * Not yet: dropout. */
#ifndef ATTN_RNN_H
#define ATTN_RNN_H

#include "attn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_rnn_config {
    bool attention;           /* true: RNNsearch; false: RNNencdec */
    int64_t src_vocab_size, tgt_vocab_size;
    int64_t embed_size;       /* E (config.json "embed_size") */
    int64_t hidden_size;      /* H per direction ("hidden_size") */
    int64_t align_size;       /* A, the alignment model's width ("align_size"); RNNsearch */
    int64_t maxout_size;      /* M, units after maxout ("maxout_size") */
    bool tie_embeddings;      /* W_y = tgt_embed ("tie_word_embeddings"), needs M = E */
    int32_t pad_token_id;     /* padding in sources and targets (>= 0) */
    int32_t bos_token_id;     /* the decoder's first input ("decoder_start_token_id") */
    int32_t eos_token_id;     /* ends a translation */
} attn_rnn_config;

/* The paper's sizes (E 620, H 1000, A 1000, M 500) with 30000-word
 * vocabularies, RNNsearch, untied, pad 0, bos 1, eos 2. */
ATTN_API attn_rnn_config attn_rnn_default_config(void);

/* A new model from `seed`: weight matrices N(0, 0.01^2), biases 0. */
ATTN_API attn_status attn_rnn_new(const attn_rnn_config *cfg, uint64_t seed, attn_model **out);
/* Whether model is an RNN model; then *cfg (may be NULL) receives its config. */
ATTN_API bool attn_model_rnn_config(const attn_model *model, attn_rnn_config *cfg);

/* ---- decoding ---------------------------------------------------------- */

typedef struct attn_rnn_state attn_rnn_state;

/* Encodes B sources src (B, S), each padded with pad_token_id at its end,
 * into a state of N = B hypotheses (hypothesis b translates source b) at
 * s_0. Free with attn_rnn_state_free. */
ATTN_API attn_status attn_rnn_encode(attn_model *model, const int32_t *src, int64_t B, int64_t S,
                                     attn_rnn_state **out);
ATTN_API void attn_rnn_state_free(attn_rnn_state *state);   /* NULL is a no-op */
ATTN_API int64_t attn_rnn_state_count(const attn_rnn_state *state);   /* N */
ATTN_API int64_t attn_rnn_state_src_len(const attn_rnn_state *state);  /* S */

/* One decoder step for all N hypotheses: prev (N) are the previous target
 * tokens (bos_token_id first). Writes logprobs (N, Vt), log-softmax of the
 * next token, and, when attn is not NULL, the attention weights (N, S)
 * used for it (0 on padding; RNNencdec writes zeros). Advances the state. */
ATTN_API attn_status attn_rnn_step(attn_model *model, attn_rnn_state *state, const int32_t *prev, float *logprobs,
                                   float *attn);
/* New hypothesis k (k < n) continues old hypothesis idx[k] (any index may
 * repeat or be left out): how a beam keeps its best continuations. */
ATTN_API attn_status attn_rnn_reorder(attn_rnn_state *state, const int32_t *idx, int64_t n);

/* Greedy translation of one source src (S tokens, no padding needed):
 * tokens[0 .. *n_out) (eos not included; at most max_len) and, when attn is
 * not NULL, the weights attn (max_len, S) of each produced token (row i for
 * token i; the rows past *n_out are left as they were). */
ATTN_API attn_status attn_rnn_greedy(attn_model *model, const int32_t *src, int64_t S, int64_t max_len,
                                     int32_t *tokens, int64_t *n_out, float *attn);

#ifdef __cplusplus
}
#endif
#endif
