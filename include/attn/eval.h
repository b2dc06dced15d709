/* eval.h — evaluation metrics.
 *
 * Corpus BLEU as sacreBLEU computes it by default (BLEU-4, tokenizer "13a",
 * case-sensitive, exponential smoothing of zero n-gram matches, brevity
 * penalty exp(1 - r/c)), so that attn's scores can be quoted beside the
 * field's. One or more references per hypothesis; with several, the
 * reference length is the one closest to the hypothesis (the shorter on a
 * tie) and n-gram counts are clipped by the maximum over references. */
#ifndef ATTN_EVAL_H
#define ATTN_EVAL_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_bleu {
    double score;                  /* 0..100 */
    double precisions[4];          /* percent, after smoothing */
    double brevity_penalty;
    int64_t hyp_len, ref_len;      /* tokens after 13a tokenization */
    int64_t correct[4], total[4];  /* clipped matches and hypothesis n-grams */
} attn_bleu;

/* n_refs reference sets, each with n_sentences sentences (refs[r][i] is the
 * r-th reference of hypothesis i). Sentences are UTF-8 without newlines. */
ATTN_API attn_status attn_bleu_corpus(const char *const *hyps, int64_t n_sentences, const char *const *const *refs,
                                      int n_refs, attn_bleu *out);

/* The 13a tokenization of one sentence (mteval-v13a, as sacreBLEU's
 * Tokenizer13a): *out is attn_malloc'ed, tokens separated by one space. */
ATTN_API attn_status attn_bleu_tokenize_13a(const char *text, size_t len, char **out, size_t *out_len);

/* ---- sentiment (src/eval/sentiment.c) ----------------------------------------
 * A VADER lexicon (Hutto & Gilbert 2014): lines "WORD<TAB>VALENCE[<TAB>...]"
 * (VADER's vader_lexicon.txt, or data/sentiment/vader_lexicon.tsv: its
 * first two columns), valences on VADER's -4..4 scale; blank lines are
 * skipped, a word listed twice keeps its last valence. ATTN_ERR_FORMAT
 * names the file and line of a line without a tab or with a valence that is
 * not a finite number, invalid UTF-8, or a file with no words. */
typedef struct attn_lexicon attn_lexicon;

ATTN_API attn_status attn_lexicon_load(const char *path, attn_lexicon **out);
/* The lexicon in text[0 .. len); name is used in error messages. */
ATTN_API attn_status attn_lexicon_parse(const char *name, const char *text, size_t len, attn_lexicon **out);
ATTN_API int64_t attn_lexicon_size(const attn_lexicon *lex);
ATTN_API void attn_lexicon_free(attn_lexicon *lex);

/* The compound score of text in [-1, 1] (VADER's "compound", unrounded):
 * the valences of its lexicon words under VADER's rules for negation ("not",
 * "n't", "never", "no", "least", ... within three words), capitals, "but"
 * and '!' / '?' emphasis, summed and normalised as s / sqrt(s^2 + 15); 0
 * for a text with no lexicon word. VADER's booster words, idioms and emoji
 * are not applied (sentiment.c lists what is). */
ATTN_API attn_status attn_lexicon_score(const attn_lexicon *lex, const char *text, size_t len, double *out);

#ifdef __cplusplus
}
#endif
#endif
