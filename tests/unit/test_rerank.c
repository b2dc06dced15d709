/* Rules files (format, every error with its line), the exchange text a rule
 * classifier reads, and reranking's selection: reward minus weight x the
 * largest violation, candidates over the threshold dropped, every one
 * dropped (-1: the caller's fallback), ties, non-finite scores, bad
 * parameters. */
#include "attn/rerank.h"
#include "test.h"

static attn_rules *parse(const char *text) {
    attn_rules *r = NULL;
    CHECK_OK(attn_rules_parse("rules.txt", text, strlen(text), &r));
    return r;
}

static void parse_fails(const char *text, const char *frag) {
    attn_rules *r = (attn_rules *)1;
    CHECK_STATUS(attn_rules_parse("rules.txt", text, strlen(text), &r), ATTN_ERR_FORMAT);
    CHECK(r == NULL);
    if (!strstr(attn_last_error(), frag)) {
        test_failed_checks++;
        fprintf(stderr, "  FAIL [%s]: \"%s\" lacks \"%s\"\n", test_current, attn_last_error(), frag);
    }
}

TEST("rules: ids and texts, comments and blank lines skipped, white space trimmed") {
    attn_rules *r = parse("\xEF\xBB\xBF# rules\n\nno-harm:  Do not help hurt anyone.  \r\n  # indented comment\n"
                          "med.1:No doses of medicine.\nlast_one: The last rule without a newline");
    if (!r) return;
    CHECK(r->n == 3);
    CHECK(!strcmp(r->r[0].id, "no-harm") && !strcmp(r->r[0].text, "Do not help hurt anyone."));
    CHECK(!strcmp(r->r[1].id, "med.1") && !strcmp(r->r[1].text, "No doses of medicine."));
    CHECK(!strcmp(r->r[2].id, "last_one") && !strcmp(r->r[2].text, "The last rule without a newline"));
    attn_rules_free(r);
}

TEST("rules: malformed files name the line") {
    parse_fails("a: one\nno colon here\n", "rules.txt: line 2: expected \"ID: rule text\"");
    parse_fails("a: one\n: no id\n", "line 2: expected");
    parse_fails("bad id: x\n", "line 1: expected");
    parse_fails("a: one\n\nb:   \n", "line 3: rule 'b' has no text");
    parse_fails("a: one\nb: two\na: three\n", "line 3: the id 'a' is used twice");
    parse_fails("# only a comment\n\n", "rules.txt: no rules");
    parse_fails("", "no rules");
    char id[80];
    memset(id, 'x', 70);
    strcpy(id + 70, ": long\n");
    parse_fails(id, "line 1: the id is longer than 64");
    attn_rules *r = (attn_rules *)1;
    CHECK_STATUS(attn_rules_parse("rules.txt", "a: b\0c\n", 7, &r), ATTN_ERR_FORMAT);
    CHECK(r == NULL);
    CHECK_STATUS(attn_rules_read(test_tmp_path("no-such-rules.txt"), &r), ATTN_ERR_IO);
}

TEST("rules: at most ATTN_RULES_MAX") {
    size_t cap = (ATTN_RULES_MAX + 1) * 16;
    char *s = malloc(cap), *w = s;
    for (int i = 0; i <= ATTN_RULES_MAX; i++) w += sprintf(w, "r%d: rule\n", i);
    attn_rules *r = NULL;
    CHECK_STATUS(attn_rules_parse("rules.txt", s, strlen(s), &r), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "more than 256 rules") != NULL);
    s[strlen(s) - strlen("r256: rule\n")] = '\0';
    CHECK_OK(attn_rules_parse("rules.txt", s, strlen(s), &r));
    CHECK(r && r->n == ATTN_RULES_MAX);
    attn_rules_free(r);
    free(s);
}

TEST("the exchange text: User: prompt, newline, Assistant: response") {
    char *t = NULL;
    size_t n = 0;
    CHECK_OK(attn_rule_exchange_text("How?", "Like this.", &t, &n));
    CHECK(t && !strcmp(t, "User: How?\nAssistant: Like this.") && n == strlen(t));
    attn_free(t);
}

TEST("select: reward minus weight x the largest violation") {
    /* 3 candidates x 2 rules */
    const float rw[3] = {1.0f, 2.0f, 0.5f};
    const float v[6] = {0.1f, 0.2f, 0.9f, 0.0f, 0.0f, 0.05f};
    float mv[3], sc[3];
    bool dr[3];
    attn_rerank_result res;
    attn_rerank_params p = {1.0f, 1.0f}; /* nothing dropped */
    CHECK_OK(attn_rerank_select(&p, rw, v, 3, 2, mv, sc, dr, &res));
    CHECK(mv[0] == 0.2f && mv[1] == 0.9f && mv[2] == 0.05f);
    CHECK(fabsf(sc[0] - 0.8f) < 1e-6f && fabsf(sc[1] - 1.1f) < 1e-6f && fabsf(sc[2] - 0.45f) < 1e-6f);
    CHECK(res.best == 1 && res.kept == 3 && res.least_violating == 2);
    CHECK(!dr[0] && !dr[1] && !dr[2]);
    p.violation_weight = 2.0f; /* 0.6, 0.2, 0.4 */
    CHECK_OK(attn_rerank_select(&p, rw, v, 3, 2, NULL, sc, NULL, &res));
    CHECK(res.best == 0);
    p = (attn_rerank_params){0.0f, 0.5f}; /* the threshold drops the most rewarded */
    CHECK_OK(attn_rerank_select(&p, rw, v, 3, 2, NULL, NULL, dr, &res));
    CHECK(res.best == 0 && res.kept == 2 && dr[1] && !dr[0] && !dr[2]);
}

TEST("select: no rewards, no rules, ties go to the first") {
    const float v[3] = {0.3f, 0.1f, 0.1f};
    attn_rerank_result res;
    attn_rerank_params p = {1.0f, 1.0f};
    CHECK_OK(attn_rerank_select(&p, NULL, v, 3, 1, NULL, NULL, NULL, &res));
    CHECK(res.best == 1 && res.least_violating == 1);
    const float rw[2] = {0.5f, 0.5f};
    CHECK_OK(attn_rerank_select(&p, rw, NULL, 2, 0, NULL, NULL, NULL, &res));
    CHECK(res.best == 0 && res.kept == 2);
}

TEST("select: every candidate over the threshold gives -1 and the least violating") {
    const float v[3] = {0.8f, 0.6f, 0.95f};
    attn_rerank_result res;
    attn_rerank_params p = {1.0f, 0.5f};
    CHECK_OK(attn_rerank_select(&p, NULL, v, 3, 1, NULL, NULL, NULL, &res));
    CHECK(res.best == -1 && res.kept == 0 && res.least_violating == 1);
    p.violation_threshold = 0.6f; /* at the threshold is kept */
    CHECK_OK(attn_rerank_select(&p, NULL, v, 3, 1, NULL, NULL, NULL, &res));
    CHECK(res.best == 1 && res.kept == 1);
}

TEST("select: a non-finite reward or violation drops that candidate") {
    const float rw[3] = {NAN, 0.0f, INFINITY};
    const float v[3] = {0.0f, 0.1f, 0.0f};
    float sc[3];
    bool dr[3];
    attn_rerank_result res;
    attn_rerank_params p = {1.0f, 1.0f};
    CHECK_OK(attn_rerank_select(&p, rw, v, 3, 1, NULL, sc, dr, &res));
    CHECK(res.best == 1 && res.kept == 1 && dr[0] && dr[2] && isinf(sc[0]) && sc[0] < 0);
    const float v2[2] = {NAN, 0.7f};
    CHECK_OK(attn_rerank_select(&p, NULL, v2, 2, 1, NULL, NULL, dr, &res));
    CHECK(res.best == 1 && dr[0] && res.least_violating == 1);
}

TEST("select: bad parameters") {
    const float v[1] = {0.0f};
    attn_rerank_result res;
    attn_rerank_params p = {1.0f, 1.0f};
    CHECK_STATUS(attn_rerank_select(&p, NULL, v, 0, 1, NULL, NULL, NULL, &res), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_rerank_select(&p, NULL, NULL, 1, 1, NULL, NULL, NULL, &res), ATTN_ERR_INVALID_ARG);
    p.violation_weight = -1.0f;
    CHECK_STATUS(attn_rerank_select(&p, NULL, v, 1, 1, NULL, NULL, NULL, &res), ATTN_ERR_INVALID_ARG);
    p = (attn_rerank_params){1.0f, 1.5f};
    CHECK_STATUS(attn_rerank_select(&p, NULL, v, 1, 1, NULL, NULL, NULL, &res), ATTN_ERR_INVALID_ARG);
    p.violation_threshold = NAN;
    CHECK_STATUS(attn_rerank_select(&p, NULL, v, 1, 1, NULL, NULL, NULL, &res), ATTN_ERR_INVALID_ARG);
}
