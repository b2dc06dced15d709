/* contacts.h — residue contacts from attention, ESM's recipe in miniature
 * (Rao et al. 2020, "Transformer protein language models are unsupervised
 * structure learners"), and the synthetic protein families it is tested on.
 *
 * Synthetic families (a stand-in for real structures, labelled "synthetic"
 * wherever they are written): attn_potts_sample() plants a contact map on a
 * chain of L residues and samples sequences from a Potts model whose
 * couplings sit on exactly those pairs.
 *
 * The planted map is 3D-like, made from the seed alone: the chain is a
 * self-avoiding walk on the cubic lattice grown one residue at a time, each
 * step to a free neighbouring site with weight e^(3 x the sites already
 * occupied around it), which folds it into a compact globule (a dead end
 * starts the walk again from the next random stream). Residues i and j,
 * |i - j| >= 3, are in contact when their sites are lattice neighbours,
 * as in lattice protein models. The map is symmetric with an empty
 * diagonal; most contacts are long-range.
 *
 * The Potts model (states: the 20 standard residues, ACDEFGHIKLMNPQRSTVWY)
 * has fields h_i(a) ~ N(0, field^2) and, on each planted pair (i, j), a
 * coupling J_ij(a, b) = coupling when b is the partner of a under a random
 * permutation of the 20 states drawn for that pair, else 0:
 * P(s) ~ exp(sum_i h_i(s_i) + sum_{(i,j) planted} J_ij(s_i, s_j)).
 * Residues in contact thus co-vary (a mutation at i is compensated at j),
 * the signal a model can only learn by attending from i to j. Sequences come
 * from Gibbs sampling: `chains` independent chains from random states, each
 * `burn_in` sweeps of burn-in, then a sample every `thin` sweeps; every
 * random number is a function of (seed, chain, sweep, site), so the output
 * is the same for a seed on every machine and thread count.
 *
 * Attention features: for one sequence, the attention probabilities of
 * every layer and head (attn_encoder_attention_maps, encoder.h), cropped to
 * the residues, symmetrised (A + A^T) and corrected by APC (average product
 * correction: F_ij = A_ij - A_i. A_.j / A_..), one feature per layer x
 * head; a logistic regression (L2-penalised, fitted by L-BFGS) maps them to
 * the probability that i and j are in contact. Evaluation: precision of the
 * top-L predicted pairs with |i - j| >= min_sep, against the random-pair
 * baseline (the share of contacts among all pairs of that separation). */
#ifndef ATTN_CONTACTS_H
#define ATTN_CONTACTS_H

#include "attn/attn.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The 20 residues of the Potts model's states, in order (state s is the letter ATTN_POTTS_ALPHABET[s]). */
#define ATTN_POTTS_ALPHABET "ACDEFGHIKLMNPQRSTVWY"
#define ATTN_POTTS_Q 20

typedef struct attn_potts_params {
    int64_t length;       /* residues L, 16 to 4096 */
    uint64_t seed;
    float coupling;       /* strength of a planted coupling (default 4) */
    float field;          /* standard deviation of the fields (default 0.5) */
    int64_t chains;       /* independent Gibbs chains (default 8) */
    int64_t burn_in;      /* sweeps before a chain's first sample (default 200) */
    int64_t thin;         /* sweeps between samples of a chain (default 10) */
} attn_potts_params;

ATTN_API attn_potts_params attn_potts_default_params(void);

/* The planted contact map alone: map (L, L) of 0 / 1, symmetric. */
ATTN_API attn_status attn_contacts_plant(int64_t L, uint64_t seed, uint8_t *map);

/* The planted map (when map is not NULL, (L, L)) and n sequences of L states
 * (seqs (n, L), each in [0, 20); sample k comes from chain k % chains). */
ATTN_API attn_status attn_potts_sample(const attn_potts_params *p, int64_t n, uint8_t *map, uint8_t *seqs);

/* Mutual information (nats) between columns i and j of n sequences of
 * length L over q states (plug-in estimate from the counts). */
ATTN_API double attn_contacts_mutual_info(const uint8_t *seqs, int64_t n, int64_t L, int q, int64_t i, int64_t j);

/* In place on an (L, L) matrix: a <- a + a^T, then APC
 * a_ij <- a_ij - (sum_k a_ik)(sum_k a_kj) / sum_kl a_kl. */
ATTN_API void attn_contacts_sym_apc(float *a, int64_t L);

/* Features of one sequence from its attention maps (n_maps, T, T), the
 * residues at token positions first .. first+L-1: feat (L, L, n_maps),
 * each map cropped, symmetrised and APC-corrected. */
ATTN_API attn_status attn_contacts_features(const float *maps, int64_t n_maps, int64_t T, int64_t first, int64_t L,
                                            float *feat);

/* Logistic regression: p(y = 1 | x) = sigmoid(w . x + b). */
typedef struct attn_logreg {
    int64_t n_features;
    double *w;            /* n_features */
    double b;
} attn_logreg;

/* Fits w, b (w allocated here; attn_logreg_free) on n rows x (n, F), labels
 * y (n) of 0 / 1, minimising the mean log loss + l2/2 |w|^2 by L-BFGS. */
ATTN_API attn_status attn_logreg_fit(const float *x, const uint8_t *y, int64_t n, int64_t F, double l2, attn_logreg *out);
/* p (n) = sigmoid(w . x_k + b). */
ATTN_API void attn_logreg_predict(const attn_logreg *r, const float *x, int64_t n, float *p);
ATTN_API void attn_logreg_free(attn_logreg *r);

/* Precision of the top-k pairs (i < j, j - i >= min_sep) of the (L, L)
 * scores against the 0 / 1 map (ties broken by the lower i, then j), and
 * the random baseline: contacts / pairs at that separation. k <= 0 means L.
 * ATTN_ERR_INVALID_ARG when no pair is that far apart. */
ATTN_API attn_status attn_contacts_precision(const float *scores, const uint8_t *map, int64_t L, int64_t min_sep, int64_t k,
                                             double *precision, double *baseline);

/* An SVG contact map (allocated with attn_malloc; *len bytes): the true
 * contacts (grey, lower-left triangle and upper-right both) and the top-k
 * predicted pairs with |i - j| >= min_sep in the upper-right triangle,
 * coloured by whether they are true contacts, like ESM's figures. */
ATTN_API attn_status attn_contacts_svg(const float *scores, const uint8_t *map, int64_t L, int64_t min_sep, int64_t k,
                                       const char *title, char **svg, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
