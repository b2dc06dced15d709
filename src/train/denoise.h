/* denoise.h — the rows of BART's denoising objective (denoise.c), apart
 * from the loop so that tests can check their layout.
 *
 * A row is built from T - 2 text tokens w:
 *   tgt_out (T) = <s> w </s>                         the uncorrupted row
 *   tgt_in  (T) = decoder_start, tgt_out[0 .. T-1)   shifted right
 *   src (<= max_src) = attn_noise_apply(noise, seed, tgt_out), cut to
 *                      max_src tokens with the last one set to </s>. */
#ifndef ATTN_TRAIN_DENOISE_H
#define ATTN_TRAIN_DENOISE_H

#include "attn/noise.h"
#include "attn/tokenizer.h"

typedef struct denoise_spec {
    attn_noise_params noise;      /* ratios, mask id, vocabulary, n_sentence_end, n_keep (the
                                     pointers are set to the arrays below when a row is built) */
    int32_t bos, pad, eos, mask, decoder_start;
    int32_t sentence_end[3];      /* the ids of ".", "!", "?" found in the vocabulary */
    int32_t keep[4];              /* <s> <pad> </s> <mask> */
    int64_t T, max_src;           /* row length; the encoder's positions */
} denoise_spec;

/* Fills s from the tokenizer's "<s>", "<pad>", "</s>" and "<mask>" (an
 * ATTN_ERR_INVALID_ARG naming a missing one and how to make a tokenizer
 * with them), its sentence ends (".", "!" and "?" when each is one token
 * as the tokenizer encodes it at the end of a sentence, after a word), the
 * ratios of `ratios` (checked: ratios in [0, 1], lambda in [0, 100]; the
 * error names the command-line option), random replacements drawn from
 * [0, vocab_size). Needs 4 <= T <= max_src. */
attn_status denoise_spec_init(denoise_spec *s, const attn_tokenizer *tok, const attn_noise_params *ratios, int32_t vocab_size,
                              int64_t T, int64_t max_src, int32_t decoder_start);

/* One row from text (T - 2 ids) with corruption seed `seed`, as the header
 * comment says. src needs room for 2 * T + 1 ids (attn_noise_apply's
 * bound); *src_len <= max_src. */
attn_status denoise_row(const denoise_spec *s, const int32_t *text, uint64_t seed, int32_t *tgt_in, int32_t *tgt_out,
                        int32_t *src, int64_t *src_len);

/* denoise.c's settings a resume must match: train_settings_json plus the
 * noise ratios and label smoothing (cJSON_free it; NULL: out of memory). */
struct attn_train_params;
char *denoise_settings_json(const struct attn_train_params *p, int64_t T);

#endif
