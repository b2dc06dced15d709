/* rnn_s2s.h — RNNsearch / RNNencdec behind the shared seq2seq decoding and
 * scoring entry points (attn_seq2seq_generate, attn_seq2seq_score). */
#ifndef ATTN_GENERATE_RNN_S2S_H
#define ATTN_GENERATE_RNN_S2S_H

#include "attn/rnn.h"
#include "attn/seq2seq.h"

/* attn_seq2seq_generate for an RNN model: the sources are encoded once,
 * copied to num_beams hypotheses each, and decoded by s2s_search through
 * attn_rnn_step / attn_rnn_reorder. Same arguments and outputs. */
attn_status rnn_seq2seq_generate(attn_model *m, const attn_seq2seq_params *p, const int32_t *src, int64_t B, int64_t S,
                                 int32_t *out, int64_t *out_len, float *scores);
/* attn_seq2seq_score for an RNN model (teacher-forced, no gradients). */
attn_status rnn_seq2seq_score(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                              double *nll, int64_t *n_tokens);
/* The decoding defaults of an RNN model: greedy, its bos as decoder start,
 * its eos and pad, no forced tokens, max_length 20. */
attn_seq2seq_params rnn_seq2seq_default_params(const attn_model *m);

#endif
