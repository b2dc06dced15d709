/* seq2seq.h — greedy and beam search over any sequence-to-sequence model
 * that offers one decoder step for N hypotheses and a way to reorder its
 * state. The transformer encoder-decoders (models/encdec.c) implement it;
 * a recurrent model (RNNsearch) can plug in the same way. */
#ifndef ATTN_GENERATE_SEQ2SEQ_H
#define ATTN_GENERATE_SEQ2SEQ_H

#include "attn/seq2seq.h"
#include "core/core.h"

/* A model already holding its encoded sources: N = B * num_beams
 * hypotheses, hypotheses [b * num_beams, (b + 1) * num_beams) belonging to
 * source b, all with empty prefixes. */
typedef struct s2s_decoder {
    void *self;
    int64_t vocab_size;
    /* Feeds one token per hypothesis (N) at the next position and writes
     * the logits of the following token, (N, V). */
    attn_status (*step)(void *self, const int32_t *tokens, float *logits);
    /* Hypothesis i continues from hypothesis from[i] (same source). */
    attn_status (*reorder)(void *self, const int32_t *from);
} s2s_decoder;

/* Runs greedy search (num_beams 1) or beam search as transformers'
 * generate does, for B sources; out, out_len, scores as attn_seq2seq_generate.
 * p must have been checked by s2s_params_check. */
attn_status s2s_search(const s2s_decoder *d, const attn_seq2seq_params *p, int64_t B, int32_t *out, int64_t *out_len,
                       float *scores);
attn_status s2s_params_check(const attn_seq2seq_params *p, int64_t vocab_size);

/* Scoring targets (B, T; -1 = padding) given sources, for every model kind:
 * s2s_score_inputs checks the targets against the vocabulary V, writes the
 * teacher-forced decoder inputs in (start, then the previous target, pad
 * for padding), zeroes nll and counts each row's tokens (an empty row is
 * an error); s2s_score_add adds each row's negative log-likelihood of its
 * targets under logits (B, T, V). */
attn_status s2s_score_inputs(const int32_t *tgt, int64_t B, int64_t T, int64_t V, int32_t start, int32_t pad, int32_t *in,
                             double *nll, int64_t *n_tokens);
void s2s_score_add(const float *logits, const int32_t *tgt, int64_t B, int64_t T, int64_t V, double *nll);

#endif
