/* noise.h — BART's noising functions for denoising pretraining (Lewis et
 * al. 2019, as fairseq's DenoisingDataset applies them), on token ids.
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

#ifdef __cplusplus
}
#endif
#endif
