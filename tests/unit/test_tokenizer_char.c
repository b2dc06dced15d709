/* Char tokenizer: vocabulary building, encode/decode, added tokens, the
 * tokenizer.json round trip, and every kind of bad input. */
#include "attn/tokenizer.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void write_text(const char *path, const char *s) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fputs(s, f);
    fclose(f);
}

/* Builds a tokenizer from `vocab_text` and encodes `text` (strlen). */
static attn_status encode_str(const attn_tokenizer *tok, const char *text, int32_t **ids, int64_t *n) {
    return attn_tokenizer_encode(tok, text, strlen(text), ids, n);
}

TEST("vocabulary is the sorted set of code points, then <|endoftext|> and <unk>") {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char("banana", 6, &tok));
    if (!tok) return;
    CHECK(attn_tokenizer_vocab_size(tok) == 5);   /* a b n eot unk */
    CHECK(attn_tokenizer_eot(tok) == 3);
    CHECK(attn_tokenizer_added_id(tok, "<unk>") == 4);
    CHECK(!strcmp(attn_tokenizer_kind(tok), "char"));
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(encode_str(tok, "banana", &ids, &n));
    int32_t want[] = {1, 0, 2, 0, 2, 0};
    CHECK(n == 6 && ids && !memcmp(ids, want, sizeof want));
    attn_free(ids);
    const char *b;
    size_t len;
    CHECK_OK(attn_tokenizer_token_bytes(tok, 3, &b, &len));
    CHECK(len == 13 && !memcmp(b, "<|endoftext|>", 13));
    CHECK_OK(attn_tokenizer_token_bytes(tok, 2, &b, &len));
    CHECK(len == 1 && b[0] == 'n');
    attn_tokenizer_free(tok);
}

TEST("multilingual text round-trips through encode and decode") {
    const char *text = "Hello, wörld! Καλημέρα κόσμε. 日本語のテキスト 😀🚀 naïve café\n\ttab";
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char(text, strlen(text), &tok));
    if (!tok) return;
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(encode_str(tok, text, &ids, &n));
    /* one id per code point */
    int64_t cps = 0;
    for (const char *p = text; *p; p++) cps += ((unsigned char)*p & 0xc0) != 0x80;
    CHECK(n == cps);
    /* ids follow code point order: '\t' (U+0009) is the smallest, 🚀 (U+1F680) the largest */
    int32_t V = attn_tokenizer_vocab_size(tok);
    int32_t id_tab = -1, id_rocket = -1;
    for (int64_t i = 0; i < n; i++) {
        const char *b;
        size_t len;
        CHECK_OK(attn_tokenizer_token_bytes(tok, ids[i], &b, &len));
        if (len == 1 && b[0] == '\t') id_tab = ids[i];
        if (len == 4 && !memcmp(b, "🚀", 4)) id_rocket = ids[i];
    }
    CHECK(id_tab == 0);
    CHECK(id_rocket == V - 3);
    char *back = NULL;
    size_t back_len = 0;
    CHECK_OK(attn_tokenizer_decode(tok, ids, n, &back, &back_len));
    CHECK(back && back_len == strlen(text) && !strcmp(back, text));
    attn_free(back);
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("the literal <|endoftext|> encodes to the eot id, partial literals do not") {
    const char *vocab = "ab<|endoftext>";
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char(vocab, strlen(vocab), &tok));
    if (!tok) return;
    int32_t eot = attn_tokenizer_eot(tok);
    CHECK(eot == attn_tokenizer_vocab_size(tok) - 2);
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(encode_str(tok, "a<|endoftext|>b<|endoftext|><|endoftext|>", &ids, &n));
    CHECK(n == 5);
    if (n == 5) {
        CHECK(ids[1] == eot && ids[3] == eot && ids[4] == eot);
        CHECK(ids[0] != eot && ids[2] != eot);
    }
    char *back = NULL;
    CHECK_OK(attn_tokenizer_decode(tok, ids, n, &back, NULL));
    CHECK(back && !strcmp(back, "a<|endoftext|>b<|endoftext|><|endoftext|>"));
    attn_free(back);
    attn_free(ids);
    /* a broken literal is plain characters */
    CHECK_OK(encode_str(tok, "<|endoftext>", &ids, &n));
    CHECK(n == 12);
    for (int64_t i = 0; i < n; i++) CHECK(ids[i] != eot);
    attn_free(ids);
    /* empty text gives no ids but a freeable buffer */
    CHECK_OK(attn_tokenizer_encode(tok, "", 0, &ids, &n));
    CHECK(n == 0);
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("invalid UTF-8 is rejected with its byte offset") {
    attn_tokenizer *tok = NULL;
    CHECK_STATUS(attn_tokenizer_new_char("ab\xff" "cd", 5, &tok), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "byte 2") != NULL);
    CHECK(tok == NULL);
    /* overlong encoding of '/' */
    CHECK_STATUS(attn_tokenizer_new_char("x\xc0\xaf", 3, &tok), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "byte 1") != NULL);
    /* surrogate U+D800 */
    CHECK_STATUS(attn_tokenizer_new_char("\xed\xa0\x80", 3, &tok), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "byte 0") != NULL);

    CHECK_OK(attn_tokenizer_new_char("abc\xc3\xa9", 5, &tok));
    if (!tok) return;
    int32_t *ids = NULL;
    int64_t n = 0;
    /* a truncated sequence at the end */
    CHECK_STATUS(attn_tokenizer_encode(tok, "abc\xc3", 4, &ids, &n), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "invalid UTF-8 at byte 3") != NULL);
    CHECK(ids == NULL);
    /* offsets count from the start of the text, across an added token */
    CHECK_STATUS(encode_str(tok, "a<|endoftext|>b\x80", &ids, &n), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "byte 15") != NULL);
    attn_tokenizer_free(tok);
}

TEST("a character outside the vocabulary becomes <unk>, one per character, and is counted") {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char("cat", 3, &tok));
    if (!tok) return;
    int32_t unk = attn_tokenizer_added_id(tok, "<unk>");
    CHECK(unk == 4);   /* a c t eot unk */
    CHECK(attn_tokenizer_unknown_count(tok) == 0);
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(encode_str(tok, "cat é\n😀a", &ids, &n));
    int32_t want[] = {1, 0, 2, 4, 4, 4, 4, 0};
    CHECK(n == 8 && ids && !memcmp(ids, want, sizeof want));
    attn_free(ids);
    CHECK(attn_tokenizer_unknown_count(tok) == 4);
    /* the literal "<unk>" is the token, not counted */
    CHECK_OK(encode_str(tok, "<unk>a", &ids, &n));
    CHECK(n == 2 && ids && ids[0] == unk && ids[1] == 0);
    attn_free(ids);
    CHECK(attn_tokenizer_unknown_count(tok) == 4);
    attn_tokenizer_free(tok);
}

TEST("a vocabulary written before <unk> (model type Char) leaves unknown characters out and counts them") {
    char path[128];
    snprintf(path, sizeof path, "%s/old_char.json", test_tmpdir());
    write_text(path, "{\"version\": \"1.0\", \"model\": {\"type\": \"Char\", \"vocab\": {\"a\": 0, \"b\": 1}},"
                     " \"added_tokens\": [{\"id\": 2, \"content\": \"<|endoftext|>\", \"special\": true}]}");
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(path, &tok));
    if (!tok) return;
    CHECK(attn_tokenizer_added_id(tok, "<unk>") < 0);
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(encode_str(tok, "xaébb!", &ids, &n));
    int32_t want[] = {0, 1, 1};
    CHECK(n == 3 && ids && !memcmp(ids, want, sizeof want));
    attn_free(ids);
    CHECK(attn_tokenizer_unknown_count(tok) == 3);
    /* saved again (now as WordLevel) it reads back the same */
    char dir[160];
    snprintf(dir, sizeof dir, "%s/old_char_saved", test_tmpdir());
    CHECK_OK(attn_tokenizer_save(tok, dir));
    attn_tokenizer *back = NULL;
    CHECK_OK(attn_tokenizer_load(dir, &back));
    CHECK_OK(encode_str(back, "xaébb!", &ids, &n));
    CHECK(n == 3 && ids && !memcmp(ids, want, sizeof want));
    CHECK(back && attn_tokenizer_vocab_size(back) == 3 && attn_tokenizer_eot(back) == 2);
    attn_free(ids);
    attn_tokenizer_free(back);
    attn_tokenizer_free(tok);
}

TEST("saved as a Hugging Face WordLevel model: every token in the vocab, a per-character Split, <unk>") {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char("ba", 2, &tok));
    if (!tok) return;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/wordlevel", test_tmpdir());
    CHECK_OK(attn_tokenizer_save(tok, dir));
    char file[160];
    snprintf(file, sizeof file, "%s/tokenizer.json", dir);
    FILE *f = fopen(file, "rb");
    char buf[4096] = {0};
    if (f) {
        CHECK(fread(buf, 1, sizeof buf - 1, f) > 0);
        fclose(f);
    }
    CHECK(strstr(buf, "\"type\":\t\"WordLevel\"") != NULL);
    CHECK(strstr(buf, "\"<|endoftext|>\":\t2") != NULL);
    CHECK(strstr(buf, "\"<unk>\":\t3") != NULL);
    CHECK(strstr(buf, "\"unk_token\":\t\"<unk>\"") != NULL);
    CHECK(strstr(buf, "\"Regex\":\t\"[\\\\s\\\\S]\"") != NULL);
    CHECK(strstr(buf, "\"single_word\":\tfalse") != NULL);
    CHECK(strstr(buf, "\"Char\"") == NULL);
    attn_tokenizer_free(tok);
}

TEST("empty text, NUL and out-of-range ids are refused") {
    attn_tokenizer *tok = NULL;
    CHECK_STATUS(attn_tokenizer_new_char("", 0, &tok), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_new_char("a\0b", 3, &tok), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "byte 1") != NULL);
    CHECK_OK(attn_tokenizer_new_char("ab", 2, &tok));
    if (!tok) return;
    int32_t bad[] = {0, 4};
    char *text = NULL;
    CHECK_STATUS(attn_tokenizer_decode(tok, bad, 2, &text, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "4") != NULL);
    CHECK(text == NULL);
    int32_t neg[] = {-1};
    CHECK_STATUS(attn_tokenizer_decode(tok, neg, 1, &text, NULL), ATTN_ERR_INVALID_ARG);
    const char *b;
    size_t len;
    CHECK_STATUS(attn_tokenizer_token_bytes(tok, 4, &b, &len), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_token_bytes(tok, -1, &b, &len), ATTN_ERR_INVALID_ARG);
    CHECK_OK(attn_tokenizer_decode(tok, NULL, 0, &text, &len));
    CHECK(text && len == 0 && text[0] == 0);
    attn_free(text);
    attn_tokenizer_free(tok);
    attn_tokenizer_free(NULL);
}

TEST("save then load gives the same tokenizer") {
    const char *text = "Zoë's naïve résumé: 3½ × π ≈ 😀\n";
    attn_tokenizer *tok = NULL, *back = NULL;
    CHECK_OK(attn_tokenizer_new_char(text, strlen(text), &tok));
    if (!tok) return;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/saved", test_tmpdir());
    CHECK_OK(attn_tokenizer_save(tok, dir));
    CHECK_OK(attn_tokenizer_load(dir, &back));
    if (!back) {
        attn_tokenizer_free(tok);
        return;
    }
    CHECK(attn_tokenizer_vocab_size(back) == attn_tokenizer_vocab_size(tok));
    CHECK(attn_tokenizer_eot(back) == attn_tokenizer_eot(tok));
    CHECK(!strcmp(attn_tokenizer_kind(back), "char"));
    int32_t *a = NULL, *b = NULL;
    int64_t na = 0, nb = 0;
    CHECK_OK(encode_str(tok, "résumé 😀<|endoftext|>π", &a, &na));
    CHECK_OK(encode_str(back, "résumé 😀<|endoftext|>π", &b, &nb));
    CHECK(na == 10 && na == nb && a && b && !memcmp(a, b, (size_t)na * sizeof *a));
    attn_free(a);
    attn_free(b);
    for (int32_t id = 0; id < attn_tokenizer_vocab_size(tok); id++) {
        const char *x, *y;
        size_t lx = 0, ly = 1;
        CHECK_OK(attn_tokenizer_token_bytes(tok, id, &x, &lx));
        CHECK_OK(attn_tokenizer_token_bytes(back, id, &y, &ly));
        CHECK(lx == ly && !memcmp(x, y, lx));
    }
    attn_tokenizer_free(back);
    back = NULL;
    /* the file path works too */
    char file[160];
    snprintf(file, sizeof file, "%s/tokenizer.json", dir);
    CHECK_OK(attn_tokenizer_load(file, &back));
    CHECK(back && attn_tokenizer_vocab_size(back) == attn_tokenizer_vocab_size(tok));
    attn_tokenizer_free(back);
    attn_tokenizer_free(tok);
}

TEST("a hand-written tokenizer.json with escapes and ids in any order loads") {
    char path[128];
    snprintf(path, sizeof path, "%s/hand.json", test_tmpdir());
    write_text(path, "{\"version\": \"1.0\", \"model\": {\"type\": \"Char\", \"vocab\": "
                     "{\"\\u00e9\": 2, \"\\n\": 0, \"\\ud83d\\ude00\": 1, \"a\": 4}},"
                     " \"added_tokens\": [{\"id\": 3, \"content\": \"<|endoftext|>\", \"special\": true}]}");
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(path, &tok));
    if (!tok) return;
    CHECK(attn_tokenizer_vocab_size(tok) == 5);
    CHECK(attn_tokenizer_eot(tok) == 3);
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(encode_str(tok, "aé😀\n<|endoftext|>", &ids, &n));
    int32_t want[] = {4, 2, 1, 0, 3};
    CHECK(n == 5 && ids && !memcmp(ids, want, sizeof want));
    attn_free(ids);
    attn_tokenizer_free(tok);
}

typedef struct bad_json { const char *json; attn_status want; const char *msg; } bad_json;

TEST("malformed tokenizer.json files are rejected with a clear message") {
#define PRE "{\"version\": \"1.0\", \"model\": {\"type\": \"Char\", \"vocab\": "
#define EOT ", \"added_tokens\": [{\"id\": 2, \"content\": \"<|endoftext|>\", \"special\": true}]}"
    static const bad_json cases[] = {
        {"{\"version\": \"1.0\", \"model\": {", ATTN_ERR_FORMAT, "malformed JSON near byte"},
        {"", ATTN_ERR_FORMAT, "malformed JSON"},
        {PRE "{\"a\": 0, \"b\": 1}} " EOT " trailing", ATTN_ERR_FORMAT, "malformed JSON"},
        {"[1, 2]", ATTN_ERR_FORMAT, "not a JSON object"},
        {"{\"model\": {\"type\": \"Char\", \"vocab\": {\"a\": 0}}}", ATTN_ERR_FORMAT, "\"version\""},
        {"{\"version\": \"1.0\"}", ATTN_ERR_FORMAT, "\"model\""},
        {"{\"version\": \"1.0\", \"model\": {\"vocab\": {\"a\": 0}}}", ATTN_ERR_FORMAT, "model.type"},
        {"{\"version\": \"1.0\", \"model\": {\"type\": \"Char\"}}", ATTN_ERR_FORMAT, "model.vocab"},
        {PRE "[\"a\", \"b\"]}" EOT, ATTN_ERR_FORMAT, "model.vocab"},
        {PRE "{}}" EOT, ATTN_ERR_FORMAT, "empty"},
        {PRE "{\"ab\": 0, \"c\": 1}}" EOT, ATTN_ERR_FORMAT, "\"ab\" is not exactly one character"},
        {PRE "{\"\": 0, \"c\": 1}}" EOT, ATTN_ERR_FORMAT, "not exactly one character"},
        {PRE "{\"a\": \"0\", \"b\": 1}}" EOT, ATTN_ERR_FORMAT, "not an integer id"},
        {PRE "{\"a\": 0.5, \"b\": 1}}" EOT, ATTN_ERR_FORMAT, "not an integer id"},
        {PRE "{\"a\": -1, \"b\": 1}}" EOT, ATTN_ERR_FORMAT, "not an integer id"},
        {PRE "{\"a\": 0, \"b\": 0}}" EOT, ATTN_ERR_FORMAT, "id 0 is used twice"},
        {PRE "{\"a\": 0, \"b\": 3}}" EOT, ATTN_ERR_FORMAT, "without gaps"},
        {PRE "{\"a\": 0, \"a\": 1}}" EOT, ATTN_ERR_FORMAT, "U+0061 appears twice"},
        {PRE "{\"a\": 0, \"b\": 1}}, \"added_tokens\": [{\"id\": 1, \"content\": \"<|endoftext|>\"}]}",
         ATTN_ERR_FORMAT, "already used"},
        {PRE "{\"a\": 0, \"b\": 1}}, \"added_tokens\": [{\"id\": 2}]}", ATTN_ERR_FORMAT, "content"},
        {PRE "{\"a\": 0, \"b\": 1}}, \"added_tokens\": [{\"id\": 2, \"content\": \"\"}]}", ATTN_ERR_FORMAT,
         "content"},
        {PRE "{\"a\": 0, \"b\": 1}}, \"added_tokens\": [{\"content\": \"x\"}]}", ATTN_ERR_FORMAT, "\"id\""},
        {PRE "{\"a\": 0, \"b\": 1}}, \"added_tokens\": {}}", ATTN_ERR_FORMAT, "not an array"},
        {"{\"version\": \"1.0\", \"model\": {\"type\": \"Chars\", \"vocab\": {}}}", ATTN_ERR_FORMAT,
         "unknown tokenizer model type \"Chars\""},
        {"{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\", \"vocab\": {}}}", ATTN_ERR_UNSUPPORTED, "BPE"},
        {"{\"version\": \"1.0\", \"model\": {\"type\": \"WordLevel\", \"vocab\": {\"ab\": 0}}}", ATTN_ERR_UNSUPPORTED,
         "a WordLevel tokenizer is read only with the pre_tokenizer attn writes"},
    };
#undef PRE
#undef EOT
    char path[128];
    snprintf(path, sizeof path, "%s/bad.json", test_tmpdir());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text(path, cases[i].json);
        attn_tokenizer *tok = NULL;
        attn_status st = attn_tokenizer_load(path, &tok);
        if (st != cases[i].want || !strstr(attn_last_error(), cases[i].msg) || !strstr(attn_last_error(), path)) {
            fprintf(stderr, "  case %zu: %s\n    got %s: %s\n", i, cases[i].json, attn_status_string(st),
                    attn_last_error());
            CHECK(!"malformed tokenizer.json case");
        }
        CHECK(tok == NULL);
        attn_tokenizer_free(tok);
    }
    /* the good version of the template loads, so the cases above fail for their own reason */
    write_text(path, "{\"version\": \"1.0\", \"model\": {\"type\": \"Char\", \"vocab\": {\"a\": 0, \"b\": 1}},"
                     " \"added_tokens\": [{\"id\": 2, \"content\": \"<|endoftext|>\", \"special\": true}]}");
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(path, &tok));
    CHECK(tok && attn_tokenizer_vocab_size(tok) == 3 && attn_tokenizer_eot(tok) == 2);
    attn_tokenizer_free(tok);
}

TEST("loading a missing file or a directory without tokenizer.json fails with ATTN_ERR_IO") {
    attn_tokenizer *tok = NULL;
    CHECK_STATUS(attn_tokenizer_load("/nonexistent/attn/tokenizer.json", &tok), ATTN_ERR_IO);
    CHECK(strstr(attn_last_error(), "/nonexistent/attn/tokenizer.json") != NULL);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/emptydir", test_tmpdir());
    char cmd[160];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    CHECK(system(cmd) == 0);
    CHECK_STATUS(attn_tokenizer_load(dir, &tok), ATTN_ERR_IO);
    CHECK(strstr(attn_last_error(), "no tokenizer.json") != NULL);
    CHECK(tok == NULL);
}

TEST("encoding 4 MB of text is fast and exact") {
    const char *line = "It is a truth universally acknowledged, that a single man — naïve — 😀\n";
    size_t ll = strlen(line), reps = (4u << 20) / ll, len = ll * reps;
    char *text = malloc(len);
    if (!text) return;
    for (size_t i = 0; i < reps; i++) memcpy(text + i * ll, line, ll);
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char(line, ll, &tok));
    int32_t *ids = NULL;
    int64_t n = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_OK(attn_tokenizer_encode(tok, text, len, &ids, &n));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    int64_t per_line = 0;
    for (size_t i = 0; i < ll; i++) per_line += ((unsigned char)line[i] & 0xc0) != 0x80;
    CHECK(n == per_line * (int64_t)reps);
    CHECK(secs < 1.0);   /* about 10 ms optimised; generous for sanitizer builds */
    if (ids && n > per_line) CHECK(!memcmp(ids, ids + per_line, (size_t)per_line * sizeof *ids));
    attn_free(ids);
    attn_tokenizer_free(tok);
    free(text);
}

/* ---- allocation failures ---------------------------------------------------- */

static long alloc_count, alloc_fail_at;
static void *failing_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (alloc_count++ == alloc_fail_at) return NULL;
    return realloc(ptr, size);
}

TEST("every allocation failure is reported, nothing leaks or crashes") {
    const char *text = "héllo 😀 wörld";
    char dir[128];
    snprintf(dir, sizeof dir, "%s/oom", test_tmpdir());
    int ok_runs = 0, oom_runs = 0;
    for (alloc_fail_at = 0; alloc_fail_at < 100000; alloc_fail_at++) { /* until one run completes */
        alloc_count = 0;
        attn_set_allocator(failing_realloc, NULL);
        attn_tokenizer *tok = NULL, *back = NULL;
        int32_t *ids = NULL;
        int64_t n = 0;
        char *s = NULL;
        attn_status st = attn_tokenizer_new_char(text, strlen(text), &tok);
        if (st == ATTN_OK) st = encode_str(tok, "wörld<|endoftext|>😀", &ids, &n);
        if (st == ATTN_OK) st = attn_tokenizer_decode(tok, ids, n, &s, NULL);
        if (st == ATTN_OK) st = attn_tokenizer_save(tok, dir);
        if (st == ATTN_OK) st = attn_tokenizer_load(dir, &back);
        attn_set_allocator(NULL, NULL);
        CHECK(st == ATTN_OK || st == ATTN_ERR_OUT_OF_MEMORY);
        if (st == ATTN_OK) {
            ok_runs++;
            CHECK(s && !strcmp(s, "wörld<|endoftext|>😀"));
            CHECK(back && attn_tokenizer_vocab_size(back) == attn_tokenizer_vocab_size(tok));
        } else {
            oom_runs++;
        }
        attn_free(s);
        attn_free(ids);
        attn_tokenizer_free(back);
        attn_tokenizer_free(tok);
        if (st == ATTN_OK) break;
    }
    CHECK(oom_runs > 5);
    CHECK(ok_runs == 1);
}
