/* rerank.h — the reranking options attn chat and attn serve share: sample
 * N candidate answers, score each with a reward model and a rule-violation
 * classifier over a rules file (include/attn/rerank.h), answer with the
 * best, or with a refusal when every candidate is over the threshold; the
 * verdicts as the "attn_safety" JSON object (README: "Rules and
 * reranking"). */
#ifndef ATTN_CLI_RERANK_H
#define ATTN_CLI_RERANK_H

#include "cli.h"
#include "attn/rerank.h"

#include <cjson/cJSON.h>
#include <float.h>

#define CLI_RERANK_DEFAULT_REFUSAL "I'm sorry, but I can't help with that."

typedef struct cli_rerank {
    const char *reward_dir, *rule_dir, *rules_path, *refusal;
    long long n;              /* candidates per answer */
    double threshold, weight; /* defaults: 0.5, 1 */
    attn_reward_scorer *reward;
    attn_rule_classifier *cls;
    attn_rules *rules;
} cli_rerank;

#define CLI_RERANK_INIT {.n = 1, .threshold = 0.5, .weight = 1.0, .refusal = CLI_RERANK_DEFAULT_REFUSAL}

#define CLI_RERANK_ROWS(rr)                                                                                           \
    {CLI_INT("--rerank", NULL, "N", &(rr).n, 1, 64,                                                                  \
             "sample N candidate answers and answer with the best: reward - (--violation-weight) x its largest rule violation "          \
             "(needs --reward-model or --rule-model)")},                                                              \
        {CLI_STR("--reward-model", NULL, "DIR", &(rr).reward_dir, "a reward model scoring each candidate"),          \
         .def = "none (reward 0)"},                                                                                   \
        {CLI_STR("--rule-model", NULL, "DIR", &(rr).rule_dir,                                                        \
                 "a rule-violation classifier (labels violates / ok on rule, exchange pairs); needs --rules"),        \
         .def = "none"},                                                                                              \
        {CLI_STR("--rules", NULL, "FILE", &(rr).rules_path, "the rules, one \"ID: text\" a line"), .def = "none"},    \
        {CLI_FLOAT("--violation-threshold", NULL, "X", &(rr).threshold, 0, 1, CLI_CLOSED,                            \
                   "drop a candidate whose largest violation probability is above X (1: drop none)")},                \
        {CLI_FLOAT("--violation-weight", NULL, "X", &(rr).weight, 0, FLT_MAX, CLI_CLOSED,                            \
                   "the weight of the largest violation probability in a candidate's score")},                        \
        {CLI_STR("--refusal", NULL, "TEXT", &(rr).refusal, "the answer when every candidate is over the threshold")}

/* Checks the options' combinations (a usage error's message in msg) and loads the models. */
bool cli_rerank_usage_ok(const cli_rerank *rr, char *msg, size_t cap);
attn_status cli_rerank_load(cli_rerank *rr);
void cli_rerank_free(cli_rerank *rr);
/* Whether answers are scored (a reward model or a rule classifier is loaded). */
bool cli_rerank_active(const cli_rerank *rr);

/* Scores the n candidate answers to the conversation msgs[0..n_msgs) (the
 * last message the user's) and selects one under p: *chosen is its index,
 * or -1 when every candidate was over the threshold (answer with the
 * refusal). *safety gets the verdicts (cJSON_Delete it):
 * {"candidates", "chosen" (null on a fallback), "fallback",
 *  "violation_threshold", "violation_weight", "reward" (the chosen's; null
 *  without a reward model), "max_violation", "rules": [{"id", "violation"}]
 *  (the chosen candidate's, or on a fallback the least violating one's),
 *  "scores": [{"reward", "max_violation", "score", "dropped"}] per candidate}. */
attn_status cli_rerank_choose(cli_rerank *rr, const attn_rerank_params *p, const attn_chat_message *msgs, size_t n_msgs,
                              const char *const *cands, int64_t n, int64_t *chosen, cJSON **safety);

/* A one-line summary of a safety object, e.g. "4 candidates, chose 2: reward 0.31, largest violation 0.12 (no-harm)". */
void cli_rerank_summary(const cJSON *safety, char *out, size_t cap);

#endif
