/* test_tools.c — BM25 against scores computed by hand, the word and passage
 * rules, the calculator (values, errors, hostile inputs), the tool-call
 * parser, the built-in tools and conversations with tools rendered through
 * a template (include/attn/tools.h). */
#include "test.h"

#include "attn/tools.h"

#include <cJSON.h>

static attn_bm25 *small_index(void) {
    attn_bm25 *ix = NULL;
    CHECK_OK(attn_bm25_new(&ix));
    const char a[] = "the cat sat\n\nthe dog", b[] = "Cat, cat; bird.";
    CHECK_OK(attn_bm25_add(ix, "a.txt", a, sizeof a - 1));
    CHECK_OK(attn_bm25_add(ix, "b.txt", b, sizeof b - 1));
    return ix;
}

TEST("bm25: passages are paragraphs, with their file and first line") {
    attn_bm25 *ix = small_index();
    CHECK(attn_bm25_passages(ix) == 3);
    CHECK(attn_bm25_terms(ix) == 5); /* the cat sat dog bird */
    attn_bm25_passage p;
    CHECK_OK(attn_bm25_get(ix, 1, &p));
    CHECK(!strcmp(p.file, "a.txt") && p.line == 3 && p.words == 2 && p.len == 7 && !memcmp(p.text, "the dog", 7));
    CHECK_OK(attn_bm25_get(ix, 2, &p));
    CHECK(!strcmp(p.file, "b.txt") && p.line == 1 && p.len == 15); /* the punctuation after the last word kept */
    CHECK_STATUS(attn_bm25_get(ix, 3, &p), ATTN_ERR_INVALID_ARG);
    attn_bm25_free(ix);
}

TEST("bm25: scores equal the formula computed by hand (k1 1.2, b 0.75)") {
    attn_bm25 *ix = small_index();
    attn_bm25_hit h[5];
    int64_t n = -1;
    /* N = 3 passages of 3, 2 and 3 words: avgdl = 8/3. "cat": df = 2, idf = ln(1 + 1.5/2.5) = ln 1.6.
     * passage 2: tf 2, dl 3: 2 * 2.2 / (2 + 1.2 (0.25 + 0.75 * 3 / (8/3))) = 4.4 / 3.3125
     * passage 0: tf 1, dl 3: 2.2 / 2.3125 */
    CHECK_OK(attn_bm25_search(ix, "CAT", 3, 5, h, &n));
    CHECK(n == 2);
    CHECK(h[0].passage == 2 && h[1].passage == 0);
    CHECK_NEAR(h[0].score, log(1.6) * 4.4 / 3.3125, 1e-12);
    CHECK_NEAR(h[1].score, log(1.6) * 2.2 / 2.3125, 1e-12);
    /* "the dog the": distinct words once; the df 2, dog df 1: idf ln(1 + 2.5/1.5) = ln(8/3).
     * passage 1 (dl 2): K = 1.2 (0.25 + 0.75 * 2 * 3/8) = 0.975 */
    CHECK_OK(attn_bm25_search(ix, "the dog the", 11, 5, h, &n));
    CHECK(n == 2 && h[0].passage == 1 && h[1].passage == 0);
    CHECK_NEAR(h[0].score, (log(1.6) + log(8.0 / 3.0)) * 2.2 / 1.975, 1e-12);
    CHECK_NEAR(h[1].score, log(1.6) * 2.2 / 2.3125, 1e-12);
    /* k bounds the hits; unknown words score nothing */
    CHECK_OK(attn_bm25_search(ix, "cat", 3, 1, h, &n));
    CHECK(n == 1 && h[0].passage == 2);
    CHECK_OK(attn_bm25_search(ix, "zebra !!", 8, 5, h, &n));
    CHECK(n == 0);
    /* an add after a search rebuilds */
    CHECK_OK(attn_bm25_add(ix, "c.txt", "zebra", 5));
    CHECK_OK(attn_bm25_search(ix, "zebra", 5, 5, h, &n));
    CHECK(n == 1 && h[0].passage == 3);
    attn_bm25_free(ix);
}

TEST("bm25: words are lower-cased Unicode letters, marks and digits") {
    const char s[] = "Café ÉTÉ naïve, don't x2y -- 42 ΣΟΦΊΑ";
    char *w = NULL;
    size_t n = 0;
    CHECK_OK(attn_bm25_words(s, sizeof s - 1, &w, &n));
    CHECK(w && !strcmp(w, "café\nété\nnaïve\ndon\nt\nx2y\n42\nσοφία\n"));
    attn_free(w);
    CHECK_OK(attn_bm25_words("\xff" "ab\xc3", 4, &w, &n)); /* invalid bytes separate words */
    CHECK(w && !strcmp(w, "ab\n"));
    attn_free(w);
}

TEST("bm25: a paragraph longer than the window is cut into windows") {
    char text[4000];
    size_t len = 0;
    for (int i = 0; i < 2 * ATTN_BM25_WINDOW + 5; i++) len += (size_t)snprintf(text + len, sizeof text - len, "w%d%s", i, i % 10 == 9 ? "\n" : " ");
    attn_bm25 *ix = NULL;
    CHECK_OK(attn_bm25_new(&ix));
    CHECK_OK(attn_bm25_add(ix, "long", text, len));
    CHECK(attn_bm25_passages(ix) == 3);
    attn_bm25_passage p;
    CHECK_OK(attn_bm25_get(ix, 1, &p));
    CHECK(p.words == ATTN_BM25_WINDOW && p.line == ATTN_BM25_WINDOW / 10 + 1 && !strncmp(p.text, "w120 ", 5));
    attn_bm25_free(ix);
}

TEST("bm25: a folder's .txt and .md files; errors name the folder") {
    char path[512];
    snprintf(path, sizeof path, "%s/docs", test_tmpdir());
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/sub && printf 'alpha beta\\n' > %s/a.txt && printf 'beta gamma\\n' > "
             "%s/sub/b.md && printf 'alpha alpha\\n' > %s/c.json", path, path, path, path);
    CHECK(system(cmd) == 0);
    attn_bm25 *ix = NULL;
    CHECK_OK(attn_bm25_new(&ix));
    CHECK_OK(attn_bm25_add_dir(ix, path));
    CHECK(attn_bm25_passages(ix) == 2);
    attn_bm25_passage p;
    CHECK_OK(attn_bm25_get(ix, 1, &p));
    CHECK(strstr(p.file, "docs/sub/b.md") != NULL);
    attn_bm25_free(ix);
    CHECK_OK(attn_bm25_new(&ix));
    CHECK_STATUS(attn_bm25_add_dir(ix, "/nonexistent-attn-folder"), ATTN_ERR_IO);
    snprintf(cmd, sizeof cmd, "%s/sub/b.md", path);
    CHECK_STATUS(attn_bm25_add_dir(ix, cmd), ATTN_ERR_INVALID_ARG);
    snprintf(cmd, sizeof cmd, "mkdir -p %s/empty", path);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s/empty", path);
    CHECK_STATUS(attn_bm25_add_dir(ix, cmd), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "no .txt or .md") != NULL);
    attn_bm25_free(ix);
}

static double calc_ok(const char *e) {
    double v = -12345;
    CHECK_OK(attn_calc(e, strlen(e), &v));
    return v;
}

static void calc_text(const char *e, const char *want) {
    double v = 0;
    char buf[32] = "";
    CHECK_OK(attn_calc(e, strlen(e), &v));
    attn_calc_format(v, buf);
    if (strcmp(buf, want)) fprintf(stderr, "  %s = %s, wanted %s\n", e, buf, want);
    CHECK(!strcmp(buf, want));
}

TEST("calculator: precedence, associativity, unary minus, decimals") {
    CHECK(calc_ok("1 + 2 * 3") == 7);
    CHECK(calc_ok("(1 + 2) * 3") == 9);
    CHECK(calc_ok("10 - 4 - 3") == 3);
    CHECK(calc_ok("2 ^ 3 ^ 2") == 512);
    CHECK(calc_ok("2 ** 10") == 1024);
    CHECK(calc_ok("-2 ^ 2") == -4);
    CHECK(calc_ok("2 ^ -1") == 0.5);
    CHECK(calc_ok("--3") == 3);
    CHECK(calc_ok("-(4 - 6) * +2") == 4);
    CHECK(calc_ok("7 % 3") == 1);
    CHECK(calc_ok("-7 % 3") == -1);
    CHECK(calc_ok(".5 + 1.") == 1.5);
    CHECK(calc_ok("12 / 4 / 3") == 1);
    calc_text("123456789 * 987654321 / 1000", "121932631112635"); /* 15 significant digits */
    calc_text("1234567.891 * 10", "12345678.91");
    calc_text("94906265 * 94906265", "9007199136250225"); /* < 2^53: exact */
    calc_text("2^53", "9007199254740992");
    calc_text("0.1 + 0.2", "0.3");
    calc_text("-0 * 5", "0");
    calc_text("1 / 3", "0.333333333333333");
    calc_text("4821 * 7394", "35646474");
}

TEST("calculator: errors are messages, never crashes") {
    static const char *bad[] = {"", "   ", "1 +", "(1 + 2", "1 + 2)", "1 / 0", "5 % 0", "0 ^ -1", "(-8) ^ 0.5",
                                "10 ^ 400", "1e5", "0x10", "inf", "nan", "1 2", ".", "abc", "2 ** ** 2", "*3",
                                "1,000", "\xff", "3 / (2 - 2)"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double v = 1;
        attn_status st = attn_calc(bad[i], strlen(bad[i]), &v);
        if (st != ATTN_ERR_INVALID_ARG) fprintf(stderr, "  '%s' was accepted (%g)\n", bad[i], v);
        CHECK(st == ATTN_ERR_INVALID_ARG);
        CHECK(attn_last_error()[0] != '\0');
    }
    double v;
    CHECK_STATUS(attn_calc("1 / 0", 5, &v), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "division by zero") != NULL);
    CHECK_STATUS(attn_calc("10 ^ 400", 8, &v), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "overflow") != NULL);
    CHECK_STATUS(attn_calc("1 + )", 5, &v), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "byte 4") != NULL);
}

TEST("calculator: hostile inputs (deep nesting, long numbers, every byte) are bounded") {
    size_t n = 100000;
    char *s = malloc(n + 2);
    double v;
    memset(s, '(', n);
    CHECK_STATUS(attn_calc(s, 3000, &v), ATTN_ERR_INVALID_ARG); /* past the length bound */
    CHECK_STATUS(attn_calc(s, 1000, &v), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "nested") != NULL);
    memset(s, '-', n);
    s[4000] = '1';
    CHECK_STATUS(attn_calc(s, 4001, &v), ATTN_ERR_INVALID_ARG);
    memset(s, '9', 400);
    CHECK_STATUS(attn_calc(s, 400, &v), ATTN_ERR_INVALID_ARG); /* 10^400: overflow */
    memset(s, '1', 300);
    CHECK_OK(attn_calc(s, 300, &v)); /* 1.1e299: a number, inexact */
    /* every pair of bytes: a value or an error, nothing else */
    int ok = 0;
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            char e[3] = {(char)a, (char)b, '1'};
            if (attn_calc(e, 3, &v) == ATTN_OK) {
                ok++;
                CHECK(isfinite(v));
            }
        }
    CHECK(ok > 0);
    free(s);
}

TEST("tool calls: the format's blocks, content before them, malformed blocks") {
    attn_tool_call *c = NULL;
    size_t n = 9, content = 0;
    const char t1[] = "Let me compute.\n<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"2*3\"}}\n"
                      "</tool_call>\n<tool_call>{\"name\": \"retrieve\", \"arguments\": \"{\\\"query\\\": \\\"tea\\\"}\"}"
                      "</tool_call>";
    CHECK_OK(attn_tool_calls_parse(t1, sizeof t1 - 1, &c, &n, &content));
    CHECK(n == 2 && content == 15);
    if (n == 2) {
        CHECK(!strcmp(c[0].name, "calculator") && !strcmp(c[0].arguments, "{\"expression\":\"2*3\"}"));
        CHECK(!strcmp(c[1].name, "retrieve") && !strcmp(c[1].arguments, "{\"query\":\"tea\"}"));
    }
    attn_tool_calls_free(c, n);
    CHECK_OK(attn_tool_calls_parse("just text", 9, &c, &n, &content));
    CHECK(n == 0 && c == NULL && content == 9);
    const char t2[] = "<tool_call>{\"name\": \"calculator\"}</tool_call>";
    CHECK_OK(attn_tool_calls_parse(t2, sizeof t2 - 1, &c, &n, &content));
    CHECK(n == 1 && content == 0 && !strcmp(c[0].arguments, "{}"));
    attn_tool_calls_free(c, n);
    static const char *bad[] = {"<tool_call>{\"name\": \"x\"}", "<tool_call>{not json}</tool_call>",
                                "<tool_call>[1]</tool_call>", "<tool_call>{\"name\": 3}</tool_call>",
                                "<tool_call>{\"name\": \"x\", \"arguments\": [1]}</tool_call>",
                                "<tool_call>{\"name\": \"x\", \"arguments\": \"nope\"}</tool_call>",
                                "<tool_call>{\"name\": \"\"}</tool_call>"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_STATUS(attn_tool_calls_parse(bad[i], strlen(bad[i]), &c, &n, &content), ATTN_ERR_FORMAT);
        CHECK(c == NULL && n == 0);
    }
}

static char *run_tool(int tools, attn_bm25 *ix, const char *name, const char *args) {
    attn_tool_call call = {(char *)(uintptr_t)name, (char *)(uintptr_t)args};
    char *r = NULL;
    CHECK_OK(attn_tool_run(tools, ix, &call, &r));
    return r;
}

TEST("built-in tools: calculator and retrieve results, errors as results") {
    attn_bm25 *ix = small_index();
    int all = ATTN_TOOL_CALCULATOR | ATTN_TOOL_RETRIEVE;
    struct { int tools; const char *name, *args, *want; } cases[] = {
        {all, "calculator", "{\"expression\": \"4821 * 7394\"}", "35646474"},
        {all, "calculator", "{\"expression\": \"1/0\"}", "error: division by zero"},
        {all, "calculator", "{\"expr\": \"1\"}", "error: calculator takes {\"expression\": \"...\"}"},
        {all, "retrieve", "{\"query\": \"dog\"}", "[a.txt:3] the dog"},
        {all, "retrieve", "{\"query\": \"cat\", \"k\": 1}", "[b.txt:1] Cat, cat; bird."},
        {all, "retrieve", "{\"query\": \"zebra\"}", "no passage matches"},
        {all, "search", "{}", "error: no tool named 'search' (the tools: calculator, retrieve)"},
        {ATTN_TOOL_CALCULATOR, "retrieve", "{\"query\": \"dog\"}", "error: no tool named 'retrieve' (the tools: calculator)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *r = run_tool(cases[i].tools, ix, cases[i].name, cases[i].args);
        if (!r || strcmp(r, cases[i].want)) fprintf(stderr, "  %s %s -> '%s'\n", cases[i].name, cases[i].args, r ? r : "");
        CHECK(r && !strcmp(r, cases[i].want));
        attn_free(r);
    }
    char *r = run_tool(all, ix, "retrieve", "{\"query\": \"the cat\"}");
    CHECK(r && !strcmp(r, "[a.txt:1] the cat sat\n\n[b.txt:1] Cat, cat; bird.\n\n[a.txt:3] the dog"));
    attn_free(r);
    char *j = NULL;
    CHECK_OK(attn_tools_json(all, &j));
    cJSON *arr = cJSON_Parse(j);
    CHECK(cJSON_GetArraySize(arr) == 2);
    cJSON_Delete(arr);
    attn_free(j);
    attn_bm25_free(ix);
}

static char *render(const char *tmpl_src, const char *msgs, const char *tools) {
    attn_chat_template *t = NULL;
    CHECK_OK(attn_chat_template_parse("t", tmpl_src, strlen(tmpl_src), &t));
    cJSON *m = cJSON_Parse(msgs), *tl = tools ? cJSON_Parse(tools) : NULL;
    char *out = NULL;
    size_t len = 0;
    attn_chat_options opt = {true, NULL, NULL};
    CHECK_OK(attn_chat_render_tools(t, m, tl, &opt, &out, &len));
    cJSON_Delete(m);
    cJSON_Delete(tl);
    attn_chat_template_free(t);
    return out;
}

TEST("render with tools: ChatML, a template with `tools`, one without tool messages") {
    const char *msgs = "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"2*3?\"},"
                       " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"c1\", \"type\": "
                       "\"function\", \"function\": {\"name\": \"calculator\", \"arguments\": \"{\\\"expression\\\": "
                       "\\\"2*3\\\"}\"}}]}, {\"role\": \"tool\", \"tool_call_id\": \"c1\", \"content\": \"6\"}]";
    const char *tools = "[{\"type\": \"function\", \"function\": {\"name\": \"calculator\"}}]";
    char *a = render(attn_chat_default_template(), msgs, tools);
    const char *want_a =
        "<|im_start|>system\nYou can call these tools:\n{\"name\":\"calculator\"}\nTo call one, answer with\n"
        "<tool_call>\n{\"name\": \"TOOL\", \"arguments\": {...}}\n</tool_call>\nand its result comes back in the next "
        "message. Cite retrieved passages by their [file:line].\n\nBe brief.<|im_end|>\n"
        "<|im_start|>user\n2*3?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n{\"name\":\"calculator\",\"arguments\":"
        "{\"expression\":\"2*3\"}}\n</tool_call><|im_end|>\n<|im_start|>tool\n6<|im_end|>\n<|im_start|>assistant\n";
    if (a && strcmp(a, want_a)) fprintf(stderr, "%s\n", a);
    CHECK(a && !strcmp(a, want_a));
    attn_free(a);
    /* a template that reads `tools` gets them there, the system message as given */
    const char *native = "{% if tools %}TOOLS={{ tools | length }}\n{% endif %}{% for m in messages %}[{{ m.role }}] "
                         "{{ m.content }}\n{% endfor %}";
    char *b = render(native, msgs, tools);
    CHECK(b && !strncmp(b, "TOOLS=1\n[system] Be brief.\n", 27));
    attn_free(b);
    /* one that drops roles it does not know: the result as a user message */
    const char *strict = "{% for m in messages %}{% if m.role in ['system', 'user', 'assistant'] %}[{{ m.role }}] "
                         "{{ m.content }}\n{% endif %}{% endfor %}";
    char *c = render(strict, msgs, NULL);
    CHECK(c && strstr(c, "[user] <tool_response>\n6\n</tool_response>\n") != NULL);
    CHECK(c && strstr(c, "You can call") == NULL);
    attn_free(c);
}

TEST("tool calls as text: content then each call's block, as a render writes them; bad calls refused") {
    cJSON *calls = cJSON_Parse("[{\"id\": \"c1\", \"type\": \"function\", \"function\": {\"name\": \"calculator\", "
                               "\"arguments\": \"{\\\"expression\\\": \\\"2*3\\\"}\"}}, {\"function\": {\"name\": "
                               "\"retrieve\", \"arguments\": {\"query\": \"tea\"}}}]");
    char *t = NULL;
    size_t n = 0;
    CHECK_OK(attn_tool_calls_text("Let me see.", calls, &t, &n));
    const char *want = "Let me see.\n<tool_call>\n{\"name\":\"calculator\",\"arguments\":{\"expression\":\"2*3\"}}\n"
                       "</tool_call>\n<tool_call>\n{\"name\":\"retrieve\",\"arguments\":{\"query\":\"tea\"}}\n</tool_call>";
    if (t && strcmp(t, want)) fprintf(stderr, "%s\n", t);
    CHECK(t && !strcmp(t, want) && n == strlen(want));
    attn_free(t);
    /* no content: the blocks alone; no calls: the content alone (NULL content: "") */
    CHECK_OK(attn_tool_calls_text(NULL, calls, &t, &n));
    CHECK(t && !strncmp(t, "<tool_call>\n{\"name\":\"calculator\"", 32));
    attn_free(t);
    CHECK_OK(attn_tool_calls_text("plain", NULL, &t, &n));
    CHECK(t && !strcmp(t, "plain") && n == 5);
    attn_free(t);
    CHECK_OK(attn_tool_calls_text(NULL, NULL, &t, &n));
    CHECK(t && !strcmp(t, "") && n == 0);
    attn_free(t);
    /* arguments that are not an object, or a missing name */
    const char *bad[] = {"[{\"function\": {\"name\": \"x\", \"arguments\": \"[1]\"}}]",
                         "[{\"function\": {\"arguments\": {}}}]", "[{\"function\": {\"name\": \"x\", \"arguments\": \"{\"}}]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cJSON *b = cJSON_Parse(bad[i]);
        t = (char *)1;
        CHECK(attn_tool_calls_text("c", b, &t, &n) == ATTN_ERR_INVALID_ARG && t == NULL);
        CHECK(strstr(attn_last_error(), "a tool call needs a string \"name\"") != NULL);
        cJSON_Delete(b);
    }
    cJSON_Delete(calls);
}
