/* seq2seq.h — greedy and beam search over any sequence-to-sequence model
 * that offers one decoder step for N hypotheses and a way to reorder its
 * state: every translation family's decoding state (model_family.s2s_*). */
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
    /* Optional (NULL: every row is stepped to the end): continue with
     * sources[0..n) only, increasing indices of the current ones; then step
     * feeds and returns n * num_beams rows. ATTN_ERR_UNSUPPORTED leaves
     * the state as it was. */
    attn_status (*keep)(void *self, const int32_t *sources, int64_t n);
} s2s_decoder;

/* Runs greedy search (num_beams 1) or beam search as transformers'
 * generate does, for B sources; out, out_len, scores as attn_seq2seq_generate.
 * p must have been checked by s2s_params_check. */
attn_status s2s_search(const s2s_decoder *d, const attn_seq2seq_params *p, int64_t B, int32_t *out, int64_t *out_len,
                       float *scores);
attn_status s2s_params_check(const attn_seq2seq_params *p, int64_t vocab_size);


#endif
