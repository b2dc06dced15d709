/* translate.h — translating and scoring text with a sequence-to-sequence
 * model (an encoder-decoder of seq2seq.h or an RNN of rnn.h) and its
 * tokenizer: sources are wrapped with special tokens exactly as
 * `attn prepare --pairs` wrapped the training pairs.
 *
 * The wrapping of a model directory is DIR/translate.json, written by
 * `attn train` on pair shards:
 *   {"format": "attn-seq2seq-wrap", "src_bos": 0, "src_eos": 2,
 *    "tgt_bos": 0, "tgt_eos": 2}
 * (-1 = none): source = [src_bos] tokens [src_eos], target = [tgt_bos]
 * tokens [tgt_eos]. A directory without it (e.g. a Hugging Face BART) gets
 * BART's wrapping from its tokenizer's "<s>" and "</s>". */
#ifndef ATTN_TRANSLATE_H
#define ATTN_TRANSLATE_H

#include "attn/seq2seq.h"
#include "attn/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_s2s_wrap {
    int32_t src_bos, src_eos, tgt_bos, tgt_eos;   /* -1: none */
} attn_s2s_wrap;

/* Writes dir/translate.json atomically. */
ATTN_API attn_status attn_s2s_wrap_save(const char *dir, const attn_s2s_wrap *w);
/* Reads dir/translate.json (ATTN_ERR_FORMAT naming it when malformed), or,
 * when there is none, BART's wrapping from tok's "<s>" and "</s>"
 * (ATTN_ERR_INVALID_ARG when it lacks "</s>"). */
ATTN_API attn_status attn_s2s_wrap_load(const char *dir, const attn_tokenizer *tok, attn_s2s_wrap *w);

typedef struct attn_translate_params {
    attn_seq2seq_params gen;      /* beams, n-best (num_return_sequences), length penalty,
                                     early stopping; special ids from the model */
    int64_t max_new_tokens;       /* tokens generated per source at most (eos included);
                                     0: 2 * the batch's longest wrapped source + 10 */
    int64_t batch;                /* sources decoded together (after sorting by length); >= 1 */
    /* Called after each batch with the sources translated so far and n
     * (for a progress display); NULL: none. */
    void (*progress)(int64_t done, int64_t n, void *user);
    void *progress_user;
} attn_translate_params;

/* Greedy, batch 16, the model's special tokens and generation defaults
 * other than max_length (see max_new_tokens), no progress callback. */
ATTN_API attn_translate_params attn_translate_default_params(const attn_model *model);

/* Translates n sources (UTF-8, src[i] of len[i] bytes, no newlines).
 * out (n * R, R = gen.num_return_sequences) receives, best first for each
 * source, the translations as NUL-terminated strings (attn_free each) with
 * every special token removed; scores (n * R, may be NULL) the search's
 * scores (beam: length-penalised sum of log-probabilities; greedy: the
 * sum). Errors, each naming the source's 1-based line (ATTN_ERR_INVALID_ARG
 * unless noted): an empty (or all-blank) source, a source the tokenizer
 * cannot encode (its error), a wrapped source or max_new_tokens longer than
 * the model's positions. On error nothing is left in out. */
ATTN_API attn_status attn_translate(attn_model *model, const attn_tokenizer *tok, const attn_s2s_wrap *wrap,
                                    const attn_translate_params *p, const char *const *src, const size_t *len, int64_t n,
                                    char **out, float *scores);

/* Scores n pairs: nll (n, may be NULL) the sum of -log p (nats) of each
 * wrapped target's tokens after the decoder start, given its wrapped
 * source; n_tokens (n, may be NULL) their counts; *total_nll and
 * *total_tokens the sums. Errors as attn_translate, for either side. */
ATTN_API attn_status attn_translate_score(attn_model *model, const attn_tokenizer *tok, const attn_s2s_wrap *wrap,
                                          const char *const *src, const size_t *src_len, const char *const *tgt,
                                          const size_t *tgt_len, int64_t n, double *nll, int64_t *n_tokens,
                                          double *total_nll, int64_t *total_tokens);

#ifdef __cplusplus
}
#endif
#endif
