/* rerank.h — Sparrow-style rules, rule-violation classifiers and reranking
 * of sampled answers.
 *
 * Rules file: UTF-8 text, one rule per line, "ID: TEXT" — the id (1 to 64
 * of A-Z a-z 0-9 _ - .), a colon, then the rule in natural language (white
 * space around it dropped). Blank lines and lines whose first non-blank
 * character is '#' are skipped. Ids are unique; at least one rule, at most
 * ATTN_RULES_MAX. Example:
 *
 *     # rules for a small assistant
 *     no-violence: Do not help anyone hurt people or animals.
 *     no-medical: Do not give a diagnosis or a dose of a medicine.
 *
 * A rule-violation classifier is a sequence classifier (BERT, RoBERTa or
 * GPT; `attn train --objective classify`) trained on text pairs: the rule's
 * text, and the exchange as attn_rule_exchange_text writes it
 * ("User: PROMPT\nAssistant: RESPONSE"), labelled "violates" or "ok". Its
 * probability of "violates" is the verdict.
 *
 * Reranking (attn_rerank_select): each of n candidate answers has a reward
 * (a reward model's, or 0 without one) and a violation probability per
 * rule; its score is reward - weight x (its largest violation probability).
 * A candidate whose largest violation probability is above the threshold
 * is dropped; the best score among the rest wins (the first on a tie). */
#ifndef ATTN_RERANK_H
#define ATTN_RERANK_H

#include "attn/chat.h"
#include "attn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { ATTN_RULES_MAX = 256, ATTN_RULE_ID_MAX = 64 };

typedef struct attn_rule {
    char *id, *text;
} attn_rule;

typedef struct attn_rules {
    int64_t n;
    attn_rule *r;
} attn_rules;

/* Parses a rules file's text (where names it in errors: ATTN_ERR_FORMAT,
 * "WHERE: line N: WHAT"). attn_rules_free the result. */
ATTN_API attn_status attn_rules_parse(const char *where, const char *text, size_t len, attn_rules **out);
/* attn_rules_parse of the file at path (ATTN_ERR_IO when unreadable). */
ATTN_API attn_status attn_rules_read(const char *path, attn_rules **out);
ATTN_API void attn_rules_free(attn_rules *rules); /* NULL is a no-op */

/* The second text of a classifier's pair: "User: " prompt "\nAssistant: "
 * response, NUL-terminated (attn_free it). */
ATTN_API attn_status attn_rule_exchange_text(const char *prompt, const char *response, char **out, size_t *len);

/* ---- scorers ---------------------------------------------------------------
 * Both load a model directory with its tokenizer (and the reward model's
 * chat template) and score one answer at a time. A scorer runs one forward
 * at a time: callers on several threads hold a lock around it. */
typedef struct attn_rule_classifier attn_rule_classifier;

/* A sequence classifier with a label named "violates" (others are "ok"). */
ATTN_API attn_status attn_rule_classifier_load(const char *dir, attn_rule_classifier **out);
ATTN_API void attn_rule_classifier_free(attn_rule_classifier *c); /* NULL is a no-op */
/* The probability that response to prompt violates each rule: probs[i] for
 * rules->r[i] (one batch of rules->n pairs). */
ATTN_API attn_status attn_rule_classifier_score(attn_rule_classifier *c, const attn_rules *rules, const char *prompt,
                                                const char *response, float *probs);

typedef struct attn_reward_scorer attn_reward_scorer;

/* A reward model (a one-label sequence classifier, `attn train --objective reward`). */
ATTN_API attn_status attn_reward_scorer_load(const char *dir, attn_reward_scorer **out);
ATTN_API void attn_reward_scorer_free(attn_reward_scorer *s); /* NULL is a no-op */
/* The reward of the conversation msgs[0..n) followed by the assistant's
 * response, rendered with the reward model's chat template as
 * `attn train --objective reward` renders its examples. */
ATTN_API attn_status attn_reward_scorer_score(attn_reward_scorer *s, const attn_chat_message *msgs, size_t n,
                                              const char *response, float *reward);
/* The reward of a plain-text prompt and response joined as they are, as
 * `attn train --objective reward` scores plain-text pairs (no template). */
ATTN_API attn_status attn_reward_scorer_score_plain(attn_reward_scorer *s, const char *prompt, const char *response,
                                                    float *reward);

/* ---- selection ---------------------------------------------------------------- */
typedef struct attn_rerank_params {
    float violation_weight;    /* W >= 0 */
    float violation_threshold; /* in [0, 1]: drop a candidate whose largest violation is above it (1: none) */
} attn_rerank_params;

typedef struct attn_rerank_result {
    int64_t best;            /* the chosen candidate, -1 when every one was dropped */
    int64_t kept;            /* candidates not dropped */
    int64_t least_violating; /* the candidate with the smallest largest violation (first on a tie) */
} attn_rerank_result;

/* Selects among n >= 1 candidates: rewards (n; NULL: all 0), violations
 * (n x n_rules, row-major; n_rules may be 0). Writes each candidate's
 * largest violation to max_violation (n), its score to score (n; -inf for
 * a non-finite reward or violation, which also drops it) and dropped (n;
 * each may be NULL). ATTN_ERR_INVALID_ARG for n < 1, a weight below 0 or a
 * threshold outside [0, 1]. */
ATTN_API attn_status attn_rerank_select(const attn_rerank_params *p, const float *rewards, const float *violations,
                                        int64_t n, int64_t n_rules, float *max_violation, float *score, bool *dropped,
                                        attn_rerank_result *out);

#ifdef __cplusplus
}
#endif

#endif
