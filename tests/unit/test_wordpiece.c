/* test_wordpiece.c — the WordPiece tokenizer against Hugging Face `tokenizers`
 * (0.23.3) on all-MiniLM-L6-v2's tokenizer (tests/data/minilm).
 *
 * Expected ids were computed once with the venv's tokenizers, e.g.
 *   .venv/bin/python -c "from tokenizers import Tokenizer as T; t=T.from_file('tests/data/minilm/tokenizer.json');
 *     t.no_truncation(); t.no_padding(); print(t.encode('Café Déjà vu', add_special_tokens=False).ids)"
 * (pairs: t.enable_truncation(M); e=t.encode(A, B); print(e.ids, e.type_ids); decode: t.decode(ids)). */
#include "test.h"

#include "attn/tokenizer.h"

#include <stdint.h>
#include <unistd.h>

static attn_tokenizer *load(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/data/minilm/%s", test_data_dir(), name);
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(path, &tok));
    return tok;
}

/* encode(text) == want[0..n) */
static bool encodes_to(const attn_tokenizer *tok, const char *text, size_t len, const int32_t *want, int64_t n) {
    int32_t *ids = NULL;
    int64_t k = 0;
    if (attn_tokenizer_encode(tok, text, len, &ids, &k) != ATTN_OK) {
        fprintf(stderr, "  encode failed: %s\n", attn_last_error());
        return false;
    }
    bool ok = k == n && (n == 0 || !memcmp(ids, want, (size_t)n * sizeof *ids));
    if (!ok) {
        fprintf(stderr, "  got %lld ids:", (long long)k);
        for (int64_t i = 0; i < k; i++) fprintf(stderr, " %d", (int)ids[i]);
        fprintf(stderr, "\n");
    }
    attn_free(ids);
    return ok;
}

#define ENC(tok, s, ...)                                                                          \
    do {                                                                                          \
        static const int32_t want_[] = {__VA_ARGS__};                                             \
        CHECK(encodes_to(tok, s, sizeof(s) - 1, want_, (int64_t)(sizeof want_ / sizeof *want_))); \
    } while (0)

TEST("MiniLM tokenizer.json: tricky strings give HF's ids") {
    attn_tokenizer *tok = load("tokenizer.json");
    if (!tok) return;
    CHECK(!strcmp(attn_tokenizer_kind(tok), "wordpiece"));
    CHECK(attn_tokenizer_vocab_size(tok) == 30522);
    ENC(tok, "Café Déjà vu", 7668, 2139, 3900, 24728);
    ENC(tok, "北京大学", 1781, 1755, 1810, 1817);
    ENC(tok, "Hello, world! (a-b) [x]{y}", 7592, 1010, 2088, 999, 1006, 1037, 1011, 1038, 1007, 1031, 1060, 1033, 1063,
        1061, 1065);
    /* \t and \r\n are spaces; BEL, NUL and U+200B (Cf) are removed, gluing words */
    ENC(tok, "tab\there\abell\0nul\u200bzw\r\nend", 21628, 2182, 17327, 11231, 23858, 2860, 2203);
    ENC(tok, "non\u00a0breaking", 2512, 4911);
    ENC(tok, "unaffable", 14477, 20961, 3468);
    ENC(tok, "I \u2764\ufe0f \U0001F917 emoji \U0001F600", 1045, 100, 100, 7861, 29147, 2072, 100);
    ENC(tok, "MiXeD CaSe ÅNGSTRÖM", 3816, 2553, 17076, 15687);
    ENC(tok, "don't stop", 2123, 1005, 1056, 2644);
    ENC(tok, "[CLS] literal [SEP] [MASK] x", 101, 18204, 102, 103, 1060);
    ENC(tok, "İstanbul ß ǅ", 9960, 1096, 100);
    /* HF's older category tables: U+061D is not punctuation, U+08CA not Mn;
     * HF isolates CJK from U+2B920, not U+2B820 */
    ENC(tok, "a\u061db", 100);
    ENC(tok, "a\u08cab", 100);
    ENC(tok, "a\U0002B820b", 100);
    char word[102];
    memset(word, 'a', sizeof word);
    static const int32_t unk[] = {100};
    CHECK(encodes_to(tok, word, 101, unk, 1));   /* 101 chars > max_input_chars_per_word */
    int32_t want[50];
    want[0] = 13360;   /* "aaa" then 48 x "##aa" then "##a" */
    for (int i = 1; i < 49; i++) want[i] = 11057;
    want[49] = 2050;
    CHECK(encodes_to(tok, word, 100, want, 50));
    /* invalid UTF-8 bytes read as U+FFFD, which clean_text drops */
    ENC(tok, "ab\xff\xc3(cd", 11113, 1006, 3729);
    CHECK(encodes_to(tok, "", 0, unk, 0));
    CHECK(encodes_to(tok, " \t\a\n", 4, unk, 0));
    attn_tokenizer_free(tok);
}

static bool pair_is(const attn_tokenizer *tok, const char *a, const char *b, int64_t max_len, const int32_t *want,
                    const int32_t *want_types, int64_t n) {
    int32_t *ids = NULL, *types = NULL;
    int64_t k = 0;
    if (attn_tokenizer_encode_pair(tok, a, strlen(a), b, b ? strlen(b) : 0, max_len, &ids, &types, &k) != ATTN_OK) {
        fprintf(stderr, "  encode_pair failed: %s\n", attn_last_error());
        return false;
    }
    bool ok = k == n && !memcmp(ids, want, (size_t)n * 4) && !memcmp(types, want_types, (size_t)n * 4);
    if (!ok) {
        fprintf(stderr, "  got %lld ids:", (long long)k);
        for (int64_t i = 0; i < k; i++) fprintf(stderr, " %d/%d", (int)ids[i], (int)types[i]);
        fprintf(stderr, "\n");
    }
    attn_free(ids);
    attn_free(types);
    return ok;
}

#define PAIR(tok, a, b, m, IDS, TYPES)                                                                  \
    do {                                                                                                \
        static const int32_t ids_[] = IDS, types_[] = TYPES;                                            \
        _Static_assert(sizeof ids_ == sizeof types_, "same length");                                    \
        CHECK(pair_is(tok, a, b, m, ids_, types_, (int64_t)(sizeof ids_ / sizeof *ids_)));              \
    } while (0)
#define L(...) {__VA_ARGS__}

TEST("pairs: [CLS] A [SEP] B [SEP], type ids, longest_first truncation as HF") {
    attn_tokenizer *tok = load("tokenizer.json");
    if (!tok) return;
    PAIR(tok, "Hello there", "General Kenobi", 0, L(101, 7592, 2045, 102, 2236, 6358, 16429, 2072, 102),
         L(0, 0, 0, 0, 1, 1, 1, 1, 1));
    PAIR(tok, "Hello there", NULL, 0, L(101, 7592, 2045, 102), L(0, 0, 0, 0));
    PAIR(tok, "The quick brown fox jumps over the lazy dog.", "A short one.", 12,
         L(101, 1996, 4248, 2829, 4419, 14523, 102, 1037, 2460, 2028, 1012, 102), L(0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1));
    PAIR(tok, "one two three four", "five six seven eight", 9, L(101, 2028, 2048, 2093, 102, 2274, 2416, 2698, 102),
         L(0, 0, 0, 0, 0, 1, 1, 1, 1));
    /* equal lengths, odd budget: B keeps the extra token */
    PAIR(tok, "one two three four", "five six seven eight", 10,
         L(101, 2028, 2048, 2093, 102, 2274, 2416, 2698, 2809, 102), L(0, 0, 0, 0, 0, 1, 1, 1, 1, 1));
    PAIR(tok, "one two", "five six seven eight nine ten", 7, L(101, 2028, 2048, 102, 2274, 2416, 102),
         L(0, 0, 0, 0, 1, 1, 1));
    PAIR(tok, "one two three", "", 5, L(101, 2028, 2048, 102, 102), L(0, 0, 0, 0, 1));
    int32_t *ids = NULL, *types = NULL;
    int64_t n = 0;
    CHECK_STATUS(attn_tokenizer_encode_pair(tok, "a", 1, "b", 1, 2, &ids, &types, &n), ATTN_ERR_INVALID_ARG);
    attn_tokenizer_free(tok);
}

TEST("decode matches HF's Tokenizer.decode (skip_special_tokens=True, cleanup)") {
    attn_tokenizer *tok = load("tokenizer.json");
    if (!tok) return;
    static const int32_t a[] = {101, 7592, 1010, 2088, 999, 2123, 1005, 1056, 1012, 102, 13360, 11057, 1029};
    static const int32_t b[] = {2003, 1005, 1055, 1012, 1012, 1029, 2079, 2025, 29625};
    char *s = NULL;
    size_t len = 0;
    CHECK_OK(attn_tokenizer_decode(tok, a, 13, &s, &len));
    CHECK(s && !strcmp(s, "hello, world! don ' t. aaaaa?") && len == strlen(s));
    attn_free(s);
    CHECK_OK(attn_tokenizer_decode(tok, b, 9, &s, &len));
    CHECK(s && !strcmp(s, "is ' s..? do not."));
    attn_free(s);
    attn_tokenizer_free(tok);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* 64-bit FNV-1a over the ids as uint32 little-endian bytes. */
static uint64_t ids_hash(const int32_t *ids, int64_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int64_t i = 0; i < n; i++)
        for (int b = 0; b < 4; b++) h = (h ^ (((uint32_t)ids[i] >> (8 * b)) & 0xff)) * 0x100000001b3ull;
    return h;
}

/* HF: s=open('data/austen/persuasion.txt',encoding='utf-8').read();
 * ids=t.encode(s,add_special_tokens=False).ids; FNV-1a of struct.pack('<%dI'%len(ids),*ids)
 * -> 104116 ids, 0x2419a87384f5a022. */
TEST("persuasion.txt: count and hash of ids equal HF's; vocab.txt, tokenizer.json and a saved copy agree") {
    size_t len = 0;
    char *text = read_file("data/austen/persuasion.txt", &len);
    CHECK(text != NULL);
    if (!text) return;
    attn_tokenizer *tj = load("tokenizer.json"), *tv = load("vocab.txt"), *ts = NULL;
    char dir[] = "/tmp/attn_wp_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(attn_tokenizer_save(tj, dir));
    CHECK_OK(attn_tokenizer_load(dir, &ts));
    attn_tokenizer *all[3] = {tj, tv, ts};
    for (int k = 0; k < 3; k++) {
        int32_t *ids = NULL;
        int64_t n = 0;
        if (!all[k]) continue;
        CHECK_OK(attn_tokenizer_encode(all[k], text, len, &ids, &n));
        CHECK(n == 104116);
        CHECK(ids_hash(ids, n) == 0x2419a87384f5a022ull);
        attn_free(ids);
    }
    char path[600];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    unlink(path);
    rmdir(dir);
    attn_tokenizer_free(tj);
    attn_tokenizer_free(tv);
    attn_tokenizer_free(ts);
    free(text);
}

/* Writes text to dir/name, loads the tokenizer from path (dir/name or dir), and checks the status. */
static void expect_load(const char *dir, const char *name, const char *text, attn_status want, const char *needle) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
    attn_tokenizer *tok = NULL;
    attn_status st = attn_tokenizer_load(path, &tok);
    CHECK(st == want);
    if (st != want) fprintf(stderr, "  %s: got %s: %s\n", text, attn_status_string(st), attn_last_error());
    if (st != ATTN_OK && needle && !strstr(attn_last_error(), needle)) {
        fprintf(stderr, "  message '%s' lacks '%s'\n", attn_last_error(), needle);
        CHECK(false);
    }
    attn_tokenizer_free(tok);
    unlink(path);
}

#define WP_JSON(vocab, extra) \
    "{\"version\":\"1.0\",\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"vocab\":" vocab "}" extra "}"

TEST("malformed vocab.txt and tokenizer.json give clear errors") {
    char dir[] = "/tmp/attn_wpbad_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    expect_load(dir, "vocab.txt", "", ATTN_ERR_FORMAT, "empty");
    expect_load(dir, "vocab.txt", "[PAD]\nhello\nhello\n[UNK]\n", ATTN_ERR_FORMAT, "twice");
    expect_load(dir, "vocab.txt", "[PAD]\nhello\n", ATTN_ERR_FORMAT, "[UNK]");
    expect_load(dir, "vocab.txt", "[UNK]\n\nhello\n", ATTN_ERR_FORMAT, "line 2");
    expect_load(dir, "vocab.txt", "[UNK]\nhello\n##lo", ATTN_OK, NULL);
    expect_load(dir, "tokenizer.json", WP_JSON("{\"[UNK]\":0,\"a\":1}", ""), ATTN_OK, NULL);
    expect_load(dir, "tokenizer.json", WP_JSON("{}", ""), ATTN_ERR_FORMAT, "empty");
    expect_load(dir, "tokenizer.json", WP_JSON("{\"a\":0,\"b\":1}", ""), ATTN_ERR_FORMAT, "unk_token");
    expect_load(dir, "tokenizer.json", WP_JSON("{\"[UNK]\":0,\"a\":1,\"a\":2}", ""), ATTN_ERR_FORMAT, "twice");
    expect_load(dir, "tokenizer.json", WP_JSON("{\"[UNK]\":0,\"a\":0}", ""), ATTN_ERR_FORMAT, "twice");
    expect_load(dir, "tokenizer.json", WP_JSON("{\"[UNK]\":0,\"a\":5}", ""), ATTN_ERR_FORMAT, "gaps");
    expect_load(dir, "tokenizer.json", WP_JSON("[]", ""), ATTN_ERR_FORMAT, "model.vocab");
    expect_load(dir, "tokenizer.json",
                "{\"version\":\"1.0\",\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0}}}", ATTN_ERR_FORMAT,
                "unk_token");
    expect_load(dir, "tokenizer.json", WP_JSON("{\"[UNK]\":0}", ",\"normalizer\":{\"type\":\"NFKC\"}"),
                ATTN_ERR_UNSUPPORTED, "NFKC");
    expect_load(dir, "tokenizer.json",
                WP_JSON("{\"[UNK]\":0}", ",\"normalizer\":{\"type\":\"BertNormalizer\",\"lowercase\":3}"),
                ATTN_ERR_FORMAT, "lowercase");
    expect_load(dir, "tokenizer.json",
                WP_JSON("{\"[UNK]\":0}", ",\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":"
                                         "[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}}],\"pair\":[],"
                                         "\"special_tokens\":{}}"),
                ATTN_ERR_FORMAT, "[CLS]");
    expect_load(dir, "tokenizer.json",
                WP_JSON("{\"[UNK]\":0}", ",\"added_tokens\":[{\"id\":0,\"content\":\"[CLS]\",\"special\":true}]"),
                ATTN_ERR_FORMAT, "added token");
    rmdir(dir);
}

TEST("a tokenizer.json without normalizer or pre_tokenizer: one word, case kept") {
    char dir[] = "/tmp/attn_wpmin_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fputs(WP_JSON("{\"[UNK]\":0,\"Ab\":1,\"##c\":2,\"##Ab\":3,\"##,\":4}", ",\"normalizer\":null"), f);
    fclose(f);
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(dir, &tok));
    if (tok) {
        ENC(tok, "AbcAb,", 1, 2, 3, 4);
        ENC(tok, "Ab c", 0);   /* the space belongs to the word, which then has no match */
        char *s = NULL;
        size_t len;
        CHECK_OK(attn_tokenizer_decode(tok, (const int32_t[]){1, 2, 3}, 3, &s, &len));
        CHECK(s && !strcmp(s, "Ab ##c ##Ab"));   /* no decoder: HF joins tokens with spaces */
        attn_free(s);
    }
    attn_tokenizer_free(tok);
    unlink(path);
    rmdir(dir);
}
