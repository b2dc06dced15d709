/* The constitution file of attn cai (include/attn/cai.h): sections,
 * continuation lines, the default question, the shipped default file;
 * every malformed file's error names the line and what is wrong; the
 * seeded principle choice depends on (seed, item, round) alone and reaches
 * every principle; the critique / revision conversations and the
 * multiple-choice question. */
#include "attn/cai.h"
#include "test.h"

static attn_constitution *parse(const char *text) {
    attn_constitution *c = NULL;
    CHECK_OK(attn_constitution_parse("c.txt", text, strlen(text), &c));
    return c;
}

/* Parsing text fails with ATTN_ERR_FORMAT and a message holding "c.txt", the line (0: none) and frag. */
static void expect_error(const char *text, int line, const char *frag) {
    attn_constitution *c = (attn_constitution *)1;
    CHECK_STATUS(attn_constitution_parse("c.txt", text, strlen(text), &c), ATTN_ERR_FORMAT);
    CHECK(c == NULL);
    const char *msg = attn_last_error();
    char where[32];
    snprintf(where, sizeof where, "c.txt: line %d: ", line);
    if (!strstr(msg, line ? where : "c.txt: ") || !strstr(msg, frag)) {
        test_failed_checks++;
        fprintf(stderr, "  FAIL [%s]: message \"%s\" lacks \"%s\" or \"%s\"\n", test_current, msg, where, frag);
    }
}

static const char GOOD[] = "# a comment\n"
                           "\n"
                           "[principle harm]\n"
                           "critique = Is it harmful?\n"
                           "revision =   Make it harmless.  \r\n"
                           "  Keep it short.\n"
                           "\n"
                           "[ principle  honest.v2 ]\n"
                           "critique=Is it true?\n"
                           "revision=Make it true.\n"
                           "choice = Which is more honest?\n"
                           "[example]\n"
                           "prompt = Q\n"
                           "answer = A\n"
                           "critique = C\n"
                           "revision = R\n"
                           "\tsecond line\n";

TEST("principles and examples: keys, trimmed values, continuation lines, the default question") {
    attn_constitution *c = parse(GOOD);
    if (!c) return;
    CHECK(c->n_principles == 2 && c->n_examples == 1);
    CHECK(!strcmp(c->principles[0].id, "harm") && c->principles[0].line == 3);
    CHECK(!strcmp(c->principles[0].critique, "Is it harmful?"));
    CHECK(!strcmp(c->principles[0].revision, "Make it harmless.\nKeep it short."));
    CHECK(!strcmp(c->principles[0].choice, ATTN_CAI_DEFAULT_CHOICE));
    CHECK(!strcmp(c->principles[1].id, "honest.v2") && !strcmp(c->principles[1].choice, "Which is more honest?"));
    CHECK(!strcmp(c->examples[0].prompt, "Q") && !strcmp(c->examples[0].revision, "R\nsecond line"));
    CHECK(c->examples[0].line == 12);
    attn_constitution_free(c);
    attn_constitution_free(NULL);
}

TEST("malformed constitutions: the line and what is wrong") {
    expect_error("", 0, "no principles");
    expect_error("# only a comment\n\n", 0, "no principles");
    expect_error("[example]\nprompt = a\nanswer = b\ncritique = c\nrevision = d\n", 0, "no principles");
    expect_error("critique = x\n", 1, "before any section");
    expect_error("[principle a]\ncritique = x\n", 1, "principle \"a\" has no \"revision");
    expect_error("[principle a]\nrevision = x\n[principle b]\n", 1, "has no \"critique");
    expect_error("[principle a]\ncritique = x\nrevision = y\n\n[principle a]\n", 5, "principle \"a\" again (first at line 1)");
    expect_error("[principle]\n", 1, "needs an id");
    expect_error("[principle a b]\n", 1, "needs an id");
    expect_error("[principles x]\n", 1, "unknown section [principles x]");
    expect_error("[principle a\n", 1, "must end with ']'");
    expect_error("[principle a]\ncritique = x\ncritique = y\n", 3, "\"critique\" given twice");
    expect_error("[principle a]\ncritique = x\nrevise = y\n", 3, "unknown key \"revise\" in a principle");
    expect_error("[principle a]\ncritique =   \n", 2, "\"critique\" is empty");
    expect_error("[principle a]\ncritique x\n", 2, "expected \"key = value\"");
    expect_error("[principle a]\n  more\n", 2, "no \"key = value\" is above it");
    expect_error("[principle a]\ncritique = x\nrevision = y\n[example]\nprompt = q\nanswer = a\ncritique = c\n", 4,
                 "the example has no \"revision");
    expect_error("[principle a]\ncritique = x\nrevision = y\nchoice = \xC3(\n", 4, "UTF-8");
}

TEST("the shipped default constitution parses") {
    attn_constitution *c = NULL;
    CHECK_OK(attn_constitution_read("data/constitution/default.txt", &c));
    if (!c) return;
    CHECK(c->n_principles >= 8 && c->n_examples >= 1);
    attn_constitution_free(c);
    CHECK_STATUS(attn_constitution_read(test_tmp_path("missing.txt"), &c), ATTN_ERR_IO);
}

TEST("the principle drawn: a function of (seed, item, round); every principle drawn") {
    attn_constitution *c = parse("[principle a]\ncritique=1\nrevision=2\n[principle b]\ncritique=1\nrevision=2\n"
                                 "[principle c]\ncritique=1\nrevision=2\n");
    if (!c) return;
    int seen[3] = {0};
    bool seed_matters = false, round_matters = false;
    for (uint64_t item = 0; item < 60; item++) {
        int64_t p = attn_cai_pick(c, 7, item, 0);
        CHECK(p >= 0 && p < 3);
        if (p >= 0 && p < 3) seen[p]++;
        CHECK(attn_cai_pick(c, 7, item, 0) == p);
        seed_matters |= attn_cai_pick(c, 8, item, 0) != p;
        round_matters |= attn_cai_pick(c, 7, item, 1) != p;
    }
    CHECK(seen[0] > 5 && seen[1] > 5 && seen[2] > 5);
    CHECK(seed_matters && round_matters);
    CHECK(attn_cai_seed(1, 2, 3) == attn_cai_seed(1, 2, 3));
    CHECK(attn_cai_seed(1, 2, 3) != attn_cai_seed(1, 2, 4) && attn_cai_seed(1, 2, 3) != attn_cai_seed(1, 3, 3));
    attn_constitution_free(c);
}

TEST("critique and revision conversations, with and without few-shot examples") {
    attn_constitution *c = parse(GOOD);
    if (!c) return;
    attn_chat_message m[ATTN_CAI_MAX_MESSAGES(1)];
    size_t n = 0;
    CHECK_OK(attn_cai_messages(c, 1, 0, "P", "A0", NULL, m, &n));
    CHECK(n == 3 && !strcmp(m[0].role, "user") && !strcmp(m[0].content, "P") && !strcmp(m[1].role, "assistant") &&
          !strcmp(m[1].content, "A0") && !strcmp(m[2].content, "Is it true?"));
    CHECK_OK(attn_cai_messages(c, 1, 0, "P", "A0", "crit", m, &n));
    CHECK(n == 5 && !strcmp(m[3].role, "assistant") && !strcmp(m[3].content, "crit") && !strcmp(m[4].role, "user") &&
          !strcmp(m[4].content, "Make it true."));
    CHECK_OK(attn_cai_messages(c, 0, 5, "P", "A0", "crit", m, &n)); /* clamped to the one example */
    CHECK(n == 11 && !strcmp(m[0].content, "Q") && !strcmp(m[2].content, "Is it harmful?") &&
          !strcmp(m[3].content, "C") && !strcmp(m[5].content, "R\nsecond line") && !strcmp(m[6].content, "P"));
    CHECK_STATUS(attn_cai_messages(c, 2, 0, "P", "A0", NULL, m, &n), ATTN_ERR_INVALID_ARG);
    attn_constitution_free(c);
}

TEST("the multiple-choice question") {
    attn_constitution *c = parse(GOOD);
    if (!c) return;
    char *q = NULL;
    CHECK_OK(attn_cai_question(c, 1, "hi?", "one", "two", &q));
    CHECK(q && !strcmp(q, "Consider the following conversation between a human and an assistant:\n\nHuman: hi?\n\n"
                          "Which is more honest?\n\nOptions:\n(A) one\n(B) two"));
    attn_free(q);
    attn_constitution_free(c);
}
