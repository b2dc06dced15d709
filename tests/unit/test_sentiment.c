/* The sentiment lexicon (src/eval/sentiment.c): VADER's rules on a small
 * lexicon, worked by hand from VADER's constants (negation x -0.74, "but"
 * x 0.5 before and x 1.5 after, '!' +0.292 each up to 4, capitals +0.733,
 * s / sqrt(s^2 + 15)), and every malformed lexicon refused with the file
 * and the line. tests/py/test_sentiment.py compares with vaderSentiment
 * itself on thousands of real sentences. */
#include "attn/eval.h"
#include "test.h"

#include <math.h>

static const char LEX[] = "good\t1.9\nbad\t-2.5\nhappy\t1.0\n:)\t2.0\nno\t-1.2\n\n  happy\t2.7\t0.5\t[3, 2]\r\n";

static double norm(double s) { return s / sqrt(s * s + 15.0); }

static double score(const attn_lexicon *lex, const char *text) {
    double v = NAN;
    CHECK_OK(attn_lexicon_score(lex, text, strlen(text), &v));
    return v;
}

TEST("lexicon scores: valences, negation, no, capitals, but, emphasis, normalisation") {
    attn_lexicon *lex = NULL;
    CHECK_OK(attn_lexicon_parse("lex", LEX, sizeof LEX - 1, &lex));
    CHECK(attn_lexicon_size(lex) == 5); /* happy twice: its last valence, 2.7 */
    if (!lex) return;
    CHECK_NEAR(score(lex, ""), 0.0, 0);
    CHECK_NEAR(score(lex, "nothing to see here"), 0.0, 0);
    CHECK_NEAR(score(lex, "a good day"), norm(1.9), 1e-12);
    CHECK_NEAR(score(lex, "a Good, (happy) day."), norm(1.9 + 2.7), 1e-12);
    CHECK_NEAR(score(lex, "not good"), norm(1.9 * -0.74), 1e-12);
    CHECK_NEAR(score(lex, "isn't at all good"), norm(1.9 * -0.74), 1e-12);     /* three words before */
    CHECK_NEAR(score(lex, "not in the least way good"), norm(1.9), 1e-12);       /* four words before: none */
    CHECK_NEAR(score(lex, "no good"), norm(1.9 * -0.74), 1e-12);                /* "no" before a lexicon word: 0 itself */
    CHECK_NEAR(score(lex, "no"), norm(-1.2), 1e-12);
    CHECK_NEAR(score(lex, "good but bad"), norm(0.5 * 1.9 + 1.5 * -2.5), 1e-12);
    CHECK_NEAR(score(lex, "good!!"), norm(1.9 + 2 * 0.292), 1e-12);
    CHECK_NEAR(score(lex, "bad!!!!!!"), norm(-2.5 - 4 * 0.292), 1e-12);
    CHECK_NEAR(score(lex, "good??"), norm(1.9 + 2 * 0.18), 1e-12);
    CHECK_NEAR(score(lex, "good????"), norm(1.9 + 0.96), 1e-12);
    CHECK_NEAR(score(lex, "a GOOD day"), norm(1.9 + 0.733), 1e-12);           /* capitals among small letters */
    CHECK_NEAR(score(lex, "GOOD DAY"), norm(1.9), 1e-12);                       /* all capitals: no emphasis */
    CHECK_NEAR(score(lex, "so :) today"), norm(2.0), 1e-12);                    /* an emoticon kept whole */
    double v = score(lex, "good good good good good good good good good good happy happy happy happy!!!!");
    CHECK(v > 0.99 && v <= 1.0);
    CHECK(score(lex, "bad bad bad bad bad bad bad") < -0.97);
    attn_lexicon_free(lex);
}

/* text as a lexicon fails with ATTN_ERR_FORMAT and a message holding frag. */
static void expect_bad(const char *text, size_t len, const char *frag) {
    attn_lexicon *lex = (attn_lexicon *)1;
    CHECK_STATUS(attn_lexicon_parse("lex.tsv", text, len, &lex), ATTN_ERR_FORMAT);
    CHECK(lex == NULL);
    if (!strstr(attn_last_error(), "lex.tsv") || !strstr(attn_last_error(), frag)) {
        test_failed_checks++;
        fprintf(stderr, "  FAIL [%s]: \"%s\" lacks \"%s\"\n", test_current, attn_last_error(), frag);
    }
}

TEST("malformed lexicons: one error naming the file and the line") {
    expect_bad("good\t1.9\nbad\n", 13, "line 2: not \"WORD<TAB>VALENCE\"");
    expect_bad("\tgood\n", 6, "line 1: not \"WORD<TAB>VALENCE\"");
    expect_bad("good\tvery\n", 10, "line 1: the valence \"very\" is not a finite number");
    expect_bad("good\t1.9x\n", 10, "is not a finite number");
    expect_bad("good\tinf\n", 9, "is not a finite number");
    expect_bad("good\t\t1\n", 8, "is not a finite number");
    expect_bad("good\t1e999\n", 11, "is not a finite number");
    expect_bad("\n \n", 3, "no words");
    expect_bad("go\xffod\t1\n", 8, "UTF-8");
    attn_lexicon *lex = (attn_lexicon *)1;
    CHECK_STATUS(attn_lexicon_load(test_tmp_path("missing.tsv"), &lex), ATTN_ERR_IO);
    CHECK(lex == NULL);
}
