/* noise.h — corruption for pretraining objectives, on token ids: BART's
 * noising functions (Lewis et al. 2019, as fairseq's DenoisingDataset
 * applies them) and BERT's masked-LM masking (below).
 *
 * Applied in fairseq's order: sentence permutation, then masking (text
 * infilling when poisson_lambda > 0, else token masking), then token
 * deletion, then document rotation. Each is off at ratio 0, and any can be
 * combined. Every random choice comes from (seed, counter), so the same
 * seed gives the same corruption on any machine.
 *
 * - token masking: each token becomes <mask> with probability mask_ratio;
 * - text infilling: spans with lengths ~ Poisson(poisson_lambda) start at
 *   random tokens until ceil(mask_ratio * n) tokens are covered; each span
 *   becomes ONE <mask>; a span of length 0 inserts a <mask> before its token
 *   and, as in fairseq, costs nothing from the budget (spans start at tokens
 *   here, where fairseq can start them at whole words);
 * - in both, random_ratio of the masks are a random token instead (fairseq's
 *   random_ratio, BART: 0.1);
 * - token deletion: each token is dropped with probability delete_ratio;
 * - sentence permutation: with probability permute_ratio, the sentences
 *   (runs ending in one of sentence_end ids) are shuffled;
 * - document rotation: with probability rotate_ratio, the sequence is
 *   rotated to start at a uniformly chosen token.
 * Tokens in `keep` (e.g. <s>, </s>) are never masked, deleted or moved. */
#ifndef ATTN_NOISE_H
#define ATTN_NOISE_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_noise_params {
    float mask_ratio;           /* 0.3 in BART */
    float poisson_lambda;       /* 3.0: text infilling; 0: token masking */
    float random_ratio;         /* 0.1 */
    float delete_ratio;         /* 0 */
    float permute_ratio;        /* 1.0 in BART */
    float rotate_ratio;         /* 0 */
    int32_t mask_id;            /* id of <mask> */
    int32_t vocab_size;         /* random replacements are drawn from [0, vocab_size) */
    const int32_t *sentence_end; /* ids that end a sentence (e.g. "." "!" "?"); may be NULL */
    int n_sentence_end;
    const int32_t *keep;        /* ids never corrupted (special tokens); may be NULL */
    int n_keep;
} attn_noise_params;

ATTN_API attn_noise_params attn_noise_default_params(int32_t mask_id, int32_t vocab_size);

/* Corrupts in[0..n) into out (capacity out_cap >= 2 * n + 1 always suffices:
 * zero-length spans insert at most one mask per token), *n_out tokens. */
ATTN_API attn_status attn_noise_apply(const attn_noise_params *p, uint64_t seed, const int32_t *in, int64_t n, int32_t *out,
                                      int64_t out_cap, int64_t *n_out);

/* ---- masked-LM masking (BERT) -------------------------------------------------
 * BERT's rule, as Google's create_pretraining_data.py applies it: choose
 * round(mask_prob * n_candidates) positions (at least 1) among the tokens
 * that are not special, whole words at a time when word_start is given (a
 * token with word_start[i] == 0 continues the word before it, e.g. a "##"
 * WordPiece); of the chosen tokens 80% become [MASK], 10% a random token
 * and 10% stay, and labels[i] is the original id there and -1 elsewhere
 * (attn's ignore index). Static masking (BERT) fixes the seed per example;
 * dynamic masking (RoBERTa) draws a new seed each time the example is seen. */
typedef struct attn_mlm_params {
    float mask_prob;             /* 0.15 */
    float replace_mask, replace_random; /* 0.8, 0.1 (the rest stays) */
    int32_t mask_id, vocab_size;
    const int32_t *special;      /* ids never chosen ([CLS], [SEP], [PAD]) */
    int n_special;
    int64_t max_predictions;     /* 0 = no limit */
} attn_mlm_params;

ATTN_API attn_mlm_params attn_mlm_default_params(int32_t mask_id, int32_t vocab_size);

/* ids (n) -> out (n, corrupted) and labels (n). word_start may be NULL. */
ATTN_API attn_status attn_mlm_mask(const attn_mlm_params *p, uint64_t seed, const int32_t *ids, const uint8_t *word_start,
                                   int64_t n, int32_t *out, int32_t *labels);

/* Next-sentence prediction (BERT): a row of T tokens [CLS] A [SEP] B [SEP]
 * holds T - 3 text tokens; from seed, *a_len in [1, T - 4] tokens go to A
 * and *label says whether B is the text that follows A (0, IsNext) or a
 * span taken at random elsewhere in the corpus (1, probability 1/2), whose
 * start is *other % (the number of valid starts). T >= 5. */
ATTN_API void attn_nsp_draw(uint64_t seed, int64_t T, int64_t *a_len, int32_t *label, uint64_t *other);

#ifdef __cplusplus
}
#endif
#endif
