/* rerank.c — rules files, the rule-violation classifier and the reward
 * scorer over loaded sequence classifiers, and the selection of one answer
 * among sampled candidates (include/attn/rerank.h). */
#include "attn/rerank.h"

#include "attn/chat_data.h"
#include "attn/encoder.h"
#include "attn/tokenizer.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- rules files ----------------------------------------------------------------- */

void attn_rules_free(attn_rules *rules) {
    if (!rules) return;
    for (int64_t i = 0; i < rules->n; i++) {
        attn_free(rules->r[i].id);
        attn_free(rules->r[i].text);
    }
    attn_free(rules->r);
    attn_free(rules);
}

static bool id_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static char *dup_n(const char *s, size_t n) {
    char *d = attn_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

attn_status attn_rules_parse(const char *where, const char *text, size_t len, attn_rules **out) {
    *out = NULL;
    attn_status st = attn_text_check(where, text, len);
    if (st) return st;
    attn_rules *rs = attn_calloc(1, sizeof *rs);
    if (!rs || !(rs->r = attn_calloc(ATTN_RULES_MAX, sizeof *rs->r))) {
        attn_free(rs);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    size_t pos = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0; /* a byte-order mark */
    int64_t line = 0;
    while (pos < len) {
        const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - l) : len - pos;
        pos += n + (nl != NULL);
        line++;
        while (n && blank(l[0])) l++, n--;
        while (n && blank(l[n - 1])) n--;
        if (!n || l[0] == '#') continue;
        size_t k = 0;
        while (k < n && id_char(l[k])) k++;
        if (k == 0 || k >= n || l[k] != ':') {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: expected \"ID: rule text\" (an id of letters, digits, "
                             "_ - ., then a colon)", where, (long long)line);
            goto fail;
        }
        if (k > ATTN_RULE_ID_MAX) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: the id is longer than %d characters", where,
                             (long long)line, ATTN_RULE_ID_MAX);
            goto fail;
        }
        size_t t = k + 1;
        while (t < n && blank(l[t])) t++;
        if (t == n) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: rule '%.*s' has no text", where, (long long)line, (int)k, l);
            goto fail;
        }
        for (int64_t i = 0; i < rs->n; i++)
            if (strlen(rs->r[i].id) == k && !memcmp(rs->r[i].id, l, k)) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: the id '%.*s' is used twice", where, (long long)line,
                                 (int)k, l);
                goto fail;
            }
        if (rs->n == ATTN_RULES_MAX) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: more than %d rules", where, (long long)line, ATTN_RULES_MAX);
            goto fail;
        }
        attn_rule *r = &rs->r[rs->n++];
        if (!(r->id = dup_n(l, k)) || !(r->text = dup_n(l + t, n - t))) {
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
            goto fail;
        }
    }
    if (rs->n == 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: no rules (each line \"ID: rule text\")", where);
        goto fail;
    }
    *out = rs;
    return ATTN_OK;
fail:
    attn_rules_free(rs);
    return st;
}

static attn_status parse_file(const char *name, const char *text, size_t len, void *out) {
    return attn_rules_parse(name, text, len, out);
}

attn_status attn_rules_read(const char *path, attn_rules **out) {
    *out = NULL;
    return file_read_parse(path, parse_file, out);
}

attn_status attn_rule_exchange_text(const char *prompt, const char *response, char **out, size_t *len) {
    static const char U[] = "User: ", A[] = "\nAssistant: ";
    size_t p = strlen(prompt), r = strlen(response), n = sizeof U - 1 + p + sizeof A - 1 + r;
    char *s = attn_malloc(n + 1);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    char *w = s;
    memcpy(w, U, sizeof U - 1), w += sizeof U - 1;
    memcpy(w, prompt, p), w += p;
    memcpy(w, A, sizeof A - 1), w += sizeof A - 1;
    memcpy(w, response, r), w += r;
    *w = '\0';
    *out = s;
    if (len) *len = n;
    return ATTN_OK;
}

/* ---- a loaded sequence classifier ------------------------------------------------ */

typedef struct seqcls {
    attn_model *m;
    attn_tokenizer *tok;
    int64_t limit, labels;
    int32_t pad;
} seqcls;

static void seqcls_free(seqcls *c) {
    attn_tokenizer_free(c->tok);
    attn_model_free(c->m);
}

/* A sequence classifier of dir; with reward, one of one label (a reward model). */
static attn_status seqcls_load(const char *dir, bool reward, seqcls *c) {
    memset(c, 0, sizeof *c);
    attn_status st;
    if ((st = attn_model_load(dir, &c->m)) || (st = attn_tokenizer_load(dir, &c->tok))) {
        seqcls_free(c);
        return st;
    }
    c->labels = attn_model_num_labels(c->m);
    attn_bert_config bc;
    bool enc = attn_model_encoder_config(c->m, &bc);
    if (reward && (c->labels != 1 || (enc && bc.token_classifier))) {
        seqcls_free(c);
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is not a reward model (a classifier with one label); train one with "
                           "attn train --objective reward", dir);
    }
    if (c->labels < 1 || (enc && bc.token_classifier)) {
        seqcls_free(c);
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is not a sequence classifier (train one with attn train --objective "
                           "classify or reward)", dir);
    }
    c->limit = enc ? attn_encoder_max_length(c->m) : attn_model_config(c->m).n_ctx;
    c->pad = enc && bc.pad_token_id >= 0 ? bc.pad_token_id : 0;
    return ATTN_OK;
}

typedef struct enc_row {
    int32_t *ids, *types;
    int64_t n;
} enc_row;

/* Logits (n x labels) of the n encoded rows, as one padded batch. Frees the rows. */
static attn_status seqcls_run(seqcls *c, enc_row *rows, int64_t n, float *logits) {
    int64_t T = 1;
    attn_status st = ATTN_OK;
    for (int64_t i = 0; i < n; i++)
        if (rows[i].n > T) T = rows[i].n;
    size_t cells = (size_t)n * (size_t)T;
    int32_t *ids = attn_malloc(cells * sizeof *ids), *types = attn_malloc(cells * sizeof *types);
    uint8_t *mask = attn_malloc(cells);
    if (!ids || !types || !mask) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    for (int64_t b = 0; b < n && !st; b++)
        for (int64_t t = 0; t < T; t++) {
            ids[b * T + t] = t < rows[b].n ? rows[b].ids[t] : c->pad;
            types[b * T + t] = t < rows[b].n && rows[b].types ? rows[b].types[t] : 0;
            mask[b * T + t] = t < rows[b].n;
        }
    if (!st) st = attn_model_classify(c->m, ids, types, mask, n, T, logits);
    for (int64_t i = 0; i < n; i++) {
        attn_free(rows[i].ids);
        attn_free(rows[i].types);
    }
    attn_free(ids);
    attn_free(types);
    attn_free(mask);
    return st;
}

/* ---- the rule classifier ------------------------------------------------------- */

struct attn_rule_classifier {
    seqcls c;
    int64_t violates;
};

attn_status attn_rule_classifier_load(const char *dir, attn_rule_classifier **out) {
    *out = NULL;
    attn_rule_classifier *rc = attn_calloc(1, sizeof *rc);
    if (!rc) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    attn_status st = seqcls_load(dir, false, &rc->c);
    if (st) {
        attn_free(rc);
        return st;
    }
    rc->violates = -1;
    for (int64_t l = 0; l < rc->c.labels; l++) {
        const char *name = attn_model_label(rc->c.m, l);
        if (name && !strcmp(name, "violates")) rc->violates = l;
    }
    if (rc->violates < 0 || rc->c.labels < 2) {
        attn_rule_classifier_free(rc);
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s has no label \"violates\" beside another: a rule classifier is "
                           "trained on (rule, exchange) pairs labelled violates / ok", dir);
    }
    *out = rc;
    return ATTN_OK;
}

void attn_rule_classifier_free(attn_rule_classifier *c) {
    if (!c) return;
    seqcls_free(&c->c);
    attn_free(c);
}

attn_status attn_rule_classifier_score(attn_rule_classifier *c, const attn_rules *rules, const char *prompt,
                                       const char *response, float *probs) {
    int64_t R = rules->n, L = c->c.labels;
    char *b = NULL;
    size_t bl = 0;
    attn_status st = attn_rule_exchange_text(prompt, response, &b, &bl);
    if (st) return st;
    enc_row *rows = attn_calloc((size_t)R, sizeof *rows);
    float *logits = attn_malloc((size_t)(R * L) * sizeof *logits);
    if (!rows || !logits) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    for (int64_t i = 0; i < R && !st; i++) {
        const char *a = rules->r[i].text;
        st = attn_tokenizer_encode_pair(c->c.tok, a, strlen(a), b, bl, c->c.limit, &rows[i].ids, &rows[i].types,
                                        &rows[i].n);
        if (!st && rows[i].n < 1) st = attn_errorf(ATTN_ERR_INVALID_ARG, "rule '%s' encodes to no tokens", rules->r[i].id);
    }
    if (!st) {
        st = seqcls_run(&c->c, rows, R, logits);
    } else {
        for (int64_t i = 0; rows && i < R; i++) {
            attn_free(rows[i].ids);
            attn_free(rows[i].types);
        }
    }
    for (int64_t i = 0; i < R && !st; i++) {
        const float *z = logits + i * L;
        double mx = z[0], sum = 0;
        for (int64_t l = 1; l < L; l++)
            if ((double)z[l] > mx) mx = z[l];
        for (int64_t l = 0; l < L; l++) sum += exp((double)z[l] - mx);
        probs[i] = (float)(exp((double)z[c->violates] - mx) / sum);
    }
    attn_free(rows);
    attn_free(logits);
    attn_free(b);
    return st;
}

/* ---- the reward scorer ------------------------------------------------------------ */

struct attn_reward_scorer {
    seqcls c;
    attn_chat_template *tmpl;
    char *bos, *eos;
};

attn_status attn_reward_scorer_load(const char *dir, attn_reward_scorer **out) {
    *out = NULL;
    attn_reward_scorer *s = attn_calloc(1, sizeof *s);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    attn_status st = seqcls_load(dir, true, &s->c);
    if (st) {
        attn_free(s);
        return st;
    }
    char *src = NULL;
    st = attn_chat_template_find(dir, &src, &s->bos, &s->eos);
    if (!st) {
        const char *t = src ? src : attn_chat_default_template();
        st = attn_chat_template_parse(src ? dir : "ChatML (built in)", t, strlen(t), &s->tmpl);
    }
    attn_free(src);
    if (st) {
        attn_reward_scorer_free(s);
        return st;
    }
    *out = s;
    return ATTN_OK;
}

void attn_reward_scorer_free(attn_reward_scorer *s) {
    if (!s) return;
    seqcls_free(&s->c);
    attn_chat_template_free(s->tmpl);
    attn_free(s->bos);
    attn_free(s->eos);
    attn_free(s);
}

/* The reward of example e's text (attn_chat_example_text's `which`). */
static attn_status score_example(attn_reward_scorer *s, const attn_chat_example *e, int which, float *reward) {
    attn_chat_options opt = {false, s->bos, s->eos};
    char *text = NULL;
    size_t len = 0;
    enc_row row = {0};
    attn_status st = attn_chat_example_text(s->tmpl, &opt, e, which, &text, &len);
    if (!st) st = attn_tokenizer_encode_pair(s->c.tok, text, len, NULL, 0, s->c.limit, &row.ids, &row.types, &row.n);
    if (!st && row.n < 1) st = attn_errorf(ATTN_ERR_INVALID_ARG, "the conversation encodes to no tokens");
    if (!st) {
        st = seqcls_run(&s->c, &row, 1, reward);
    } else {
        attn_free(row.ids);
        attn_free(row.types);
    }
    attn_free(text);
    return st;
}

attn_status attn_reward_scorer_score(attn_reward_scorer *s, const attn_chat_message *msgs, size_t n,
                                     const char *response, float *reward) {
    attn_chat_message *all = attn_malloc((n + 1) * sizeof *all);
    if (!all) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    if (n) memcpy(all, msgs, n * sizeof *all);
    all[n] = (attn_chat_message){"assistant", response};
    attn_chat_example e = {0};
    e.prompt = (attn_chat_turns){all, (int64_t)n + 1};
    attn_status st = score_example(s, &e, -1, reward);
    attn_free(all);
    return st;
}

attn_status attn_reward_scorer_score_plain(attn_reward_scorer *s, const char *prompt, const char *response, float *reward) {
    attn_chat_message p = {NULL, prompt}, r = {NULL, response};
    attn_chat_example e = {.plain = true, .prompt = {&p, 1}, .chosen = {&r, 1}};
    return score_example(s, &e, 0, reward);
}

/* ---- selection ------------------------------------------------------------------- */

attn_status attn_rerank_select(const attn_rerank_params *p, const float *rewards, const float *violations,
                               int64_t n, int64_t n_rules, float *max_violation, float *score, bool *dropped,
                               attn_rerank_result *out) {
    if (n < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "reranking needs at least one candidate");
    if (n_rules < 0 || (n_rules > 0 && !violations))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "reranking: no violation probabilities for %lld rules", (long long)n_rules);
    if (!(p->violation_weight >= 0) || !isfinite(p->violation_weight))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the violation weight must be a finite number >= 0");
    if (!(p->violation_threshold >= 0 && p->violation_threshold <= 1))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the violation threshold must be in [0, 1]");
    attn_rerank_result res = {-1, 0, 0};
    float best = 0, least = 0;
    for (int64_t i = 0; i < n; i++) {
        float mv = 0, r = rewards ? rewards[i] : 0.0f;
        bool finite = isfinite(r);
        for (int64_t k = 0; k < n_rules; k++) {
            float v = violations[i * n_rules + k];
            if (!isfinite(v)) finite = false;
            else if (v > mv) mv = v;
        }
        float s = finite ? r - p->violation_weight * mv : -INFINITY;
        bool drop = !finite || mv > p->violation_threshold;
        if (max_violation) max_violation[i] = mv;
        if (score) score[i] = s;
        if (dropped) dropped[i] = drop;
        float lv = finite ? mv : INFINITY;
        if (i == 0 || lv < least) {
            least = lv;
            res.least_violating = i;
        }
        if (drop) continue;
        res.kept++;
        if (res.best < 0 || s > best) {
            best = s;
            res.best = i;
        }
    }
    *out = res;
    return ATTN_OK;
}
