/* rerank.c — attn chat's and attn serve's reranking of sampled answers (see rerank.h). */
#include "rerank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool cli_rerank_usage_ok(const cli_rerank *rr, char *msg, size_t cap) {
    if (rr->rule_dir && !rr->rules_path) return snprintf(msg, cap, "--rule-model needs --rules FILE"), false;
    if (rr->rules_path && !rr->rule_dir) return snprintf(msg, cap, "--rules needs --rule-model DIR"), false;
    if (rr->n > 1 && !rr->reward_dir && !rr->rule_dir)
        return snprintf(msg, cap, "--rerank needs --reward-model or --rule-model to score the candidates"), false;
    return true;
}

bool cli_rerank_active(const cli_rerank *rr) { return rr->reward || rr->cls; }

attn_status cli_rerank_load(cli_rerank *rr) {
    attn_status st = ATTN_OK;
    if (rr->rules_path && (st = attn_rules_read(rr->rules_path, &rr->rules))) return st;
    if (rr->rule_dir && (st = attn_rule_classifier_load(rr->rule_dir, &rr->cls))) return st;
    if (rr->reward_dir && (st = attn_reward_scorer_load(rr->reward_dir, &rr->reward))) return st;
    return attn_text_check("--refusal", rr->refusal, strlen(rr->refusal));
}

void cli_rerank_free(cli_rerank *rr) {
    attn_reward_scorer_free(rr->reward);
    attn_rule_classifier_free(rr->cls);
    attn_rules_free(rr->rules);
    rr->reward = NULL;
    rr->cls = NULL;
    rr->rules = NULL;
}

/* A number, or null when it is not finite (JSON has no infinities). */
static void add_num(cJSON *o, const char *key, double v) {
    if (isfinite(v)) cJSON_AddNumberToObject(o, key, v);
    else cJSON_AddNullToObject(o, key);
}

attn_status cli_rerank_choose(cli_rerank *rr, const attn_rerank_params *p, const attn_chat_message *msgs, size_t n_msgs,
                              const char *const *cands, int64_t n, int64_t *chosen, cJSON **safety) {
    *safety = NULL;
    *chosen = -1;
    int64_t R = rr->cls ? rr->rules->n : 0;
    const char *prompt = "";
    for (size_t i = n_msgs; i-- > 0;)
        if (!strcmp(msgs[i].role, "user")) {
            prompt = msgs[i].content;
            break;
        }
    float *rewards = calloc((size_t)n, sizeof *rewards), *viol = calloc((size_t)(n * (R ? R : 1)), sizeof *viol);
    float *mv = calloc((size_t)n, sizeof *mv), *score = calloc((size_t)n, sizeof *score);
    bool *dropped = calloc((size_t)n, sizeof *dropped);
    attn_status st = ATTN_OK;
    if (!rewards || !viol || !mv || !score || !dropped) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    for (int64_t i = 0; i < n && !st; i++) {
        if (rr->reward) st = attn_reward_scorer_score(rr->reward, msgs, n_msgs, cands[i], &rewards[i]);
        if (!st && R) st = attn_rule_classifier_score(rr->cls, rr->rules, prompt, cands[i], viol + i * R);
    }
    attn_rerank_result res;
    if (!st) st = attn_rerank_select(p, rewards, viol, n, R, mv, score, dropped, &res);
    cJSON *o = NULL;
    if (!st) {
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "candidates", (double)n);
        if (res.best >= 0) cJSON_AddNumberToObject(o, "chosen", (double)res.best);
        else cJSON_AddNullToObject(o, "chosen");
        cJSON_AddBoolToObject(o, "fallback", res.best < 0);
        cJSON_AddNumberToObject(o, "violation_threshold", p->violation_threshold);
        cJSON_AddNumberToObject(o, "violation_weight", p->violation_weight);
        int64_t shown = res.best >= 0 ? res.best : res.least_violating;
        if (rr->reward && res.best >= 0) add_num(o, "reward", rewards[shown]);
        else cJSON_AddNullToObject(o, "reward");
        add_num(o, "max_violation", mv[shown]);
        cJSON *rules = cJSON_AddArrayToObject(o, "rules");
        for (int64_t k = 0; k < R; k++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "id", rr->rules->r[k].id);
            add_num(x, "violation", viol[shown * R + k]);
            cJSON_AddItemToArray(rules, x);
        }
        cJSON *sc = cJSON_AddArrayToObject(o, "scores");
        for (int64_t i = 0; i < n; i++) {
            cJSON *x = cJSON_CreateObject();
            if (rr->reward) add_num(x, "reward", rewards[i]);
            else cJSON_AddNullToObject(x, "reward");
            add_num(x, "max_violation", mv[i]);
            add_num(x, "score", score[i]);
            cJSON_AddBoolToObject(x, "dropped", dropped[i]);
            cJSON_AddItemToArray(sc, x);
        }
        char *probe = cJSON_PrintUnformatted(o); /* cJSON's adders fail silently: one print finds out */
        if (!probe) {
            cJSON_Delete(o);
            o = NULL;
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        }
        cJSON_free(probe);
    }
    if (!st) {
        *chosen = res.best;
        *safety = o;
    }
    free(rewards);
    free(viol);
    free(mv);
    free(score);
    free(dropped);
    return st;
}

void cli_rerank_summary(const cJSON *s, char *out, size_t cap) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(s, "candidates"), *c = cJSON_GetObjectItemCaseSensitive(s, "chosen");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "reward"), *mv = cJSON_GetObjectItemCaseSensitive(s, "max_violation");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(s, "rules"), *worst = NULL;
    for (const cJSON *x = rules ? rules->child : NULL; x; x = x->next) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, "violation");
        const cJSON *w = worst ? cJSON_GetObjectItemCaseSensitive(worst, "violation") : NULL;
        if (cJSON_IsNumber(v) && (!w || v->valuedouble > w->valuedouble)) worst = x;
    }
    size_t k = 0;
    int cand = cJSON_IsNumber(n) ? n->valueint : 0;
    if (cJSON_IsNumber(c)) k += (size_t)snprintf(out, cap, "%d candidate%s, chose %d", cand, cand == 1 ? "" : "s", c->valueint);
    else k += (size_t)snprintf(out, cap, "%d candidate%s, all over the threshold: refused", cand, cand == 1 ? "" : "s");
    if (k < cap && cJSON_IsNumber(r)) k += (size_t)snprintf(out + k, cap - k, ", reward %.3f", r->valuedouble);
    if (k < cap && worst && cJSON_IsNumber(mv))
        snprintf(out + k, cap - k, ", largest violation %.3f (%s)", mv->valuedouble,
                 cJSON_GetObjectItemCaseSensitive(worst, "id")->valuestring);
}
