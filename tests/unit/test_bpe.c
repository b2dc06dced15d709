/* Byte-level BPE (GPT-2): the byte map, the pre-tokenizer, ids against
 * Hugging Face `tokenizers` on tricky strings and on a whole novel, exact
 * round trips of any bytes, the file formats it reads and writes, and the
 * errors malformed files give.
 *
 * Expected ids come from tokenizers 0.23.3 (the repo's .venv), GPT-2's files:
 *   from tokenizers import Tokenizer, models, pre_tokenizers, decoders, AddedToken
 *   D = 'data/gpt2-tokenizer/'
 *   t = Tokenizer(models.BPE.from_file(D + 'encoder.json', D + 'vocab.bpe'))
 *   t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
 *   t.decoder = decoders.ByteLevel()
 *   t.add_special_tokens([AddedToken('<|endoftext|>', special=True)])
 *   t.encode(s).ids
 * (transformers.GPT2TokenizerFast(vocab_file=D + 'encoder.json',
 * merges_file=D + 'vocab.bpe') gives the same ids). */
#include "attn/tokenizer.h"
#include "test.h"
#include "tokenizers/tokenizer_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* bpe_pretok.c (internal) */

#define GPT2_DIR "data/gpt2-tokenizer"

static void write_text(const char *path, const char *s) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fputs(s, f);
    fclose(f);
}

static attn_tokenizer *gpt2(void) {
    static attn_tokenizer *tok;
    if (!tok) CHECK_OK(attn_tokenizer_load(GPT2_DIR, &tok));
    return tok;
}

static bool ids_equal(const int32_t *a, int64_t na, const int32_t *b, int64_t nb) {
    return na == nb && (na == 0 || !memcmp(a, b, (size_t)na * sizeof *a));
}

static void print_ids(const char *what, const int32_t *ids, int64_t n) {
    fprintf(stderr, "    %s:", what);
    for (int64_t i = 0; i < n; i++) fprintf(stderr, " %d", (int)ids[i]);
    fprintf(stderr, "\n");
}

/* ---- byte map and pre-tokenizer ------------------------------------------------ */

TEST("GPT-2 byte map: printable bytes are themselves, the rest U+0100.. in order") {
    uint32_t map[256];
    bpe_byte_map(map);
    CHECK(map['!'] == '!' && map['~'] == '~' && map[0xa1] == 0xa1 && map[0xac] == 0xac && map[0xae] == 0xae &&
          map[0xff] == 0xff);
    CHECK(map[0] == 0x100 && map[' '] == 0x120 && map['\n'] == 0x10a && map[0x7f] == 0x121 && map[0xa0] == 0x142 &&
          map[0xad] == 0x143);
    bool seen[0x144] = {0}, distinct = true;
    for (int b = 0; b < 256; b++) {
        if (map[b] >= 0x144 || seen[map[b]]) distinct = false;
        else seen[map[b]] = true;
    }
    CHECK(distinct);
}

/* Piece ends of s as bpe_pretok_next splits it. */
static int pieces(const char *s, size_t *ends, int cap) {
    size_t len = strlen(s), pos = 0;
    int n = 0;
    while (pos < len && n < cap) ends[n++] = pos = bpe_pretok_next(s, len, pos);
    return n;
}

TEST("pre-tokenizer splits like tokenizers' ByteLevel regex") {
    /* [len(s[:e].encode()) for _, (b, e) in
     *  pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str(s)] */
    static const struct {
        const char *s;
        size_t ends[12];
        int n;
    } cases[] = {
        {"I'm  here\n\n\tx!!'s", {1, 3, 4, 9, 11, 12, 13, 16, 17}, 9},
        {" \xc2\xa0\xc2\xa0""a 12b\xe4\xb8\xad\xe3\x80\x80 \xf0\x9f\x99\x82?", {3, 5, 6, 9, 13, 16, 22}, 7},
    };
    for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
        size_t ends[32];
        int n = pieces(cases[c].s, ends, 32);
        bool same = n == cases[c].n && !memcmp(ends, cases[c].ends, (size_t)n * sizeof *ends);
        CHECK(same);
        if (!same) fprintf(stderr, "    case %zu: %d pieces\n", c, n);
    }
}

TEST("invalid UTF-8 bytes are units of class other") {
    size_t ends[8];
    /* " \xff!" is one piece (space + other run); "a\xc3" splits at the stray lead byte */
    CHECK(pieces(" \xff!", ends, 8) == 1 && ends[0] == 3);
    CHECK(pieces("a\xc3(b", ends, 8) == 3 && ends[0] == 1 && ends[1] == 3 && ends[2] == 4);
    CHECK(pieces("\xed\xa0\x80x", ends, 8) == 2 && ends[0] == 3);   /* a surrogate's three bytes */
}

/* ---- ids against Hugging Face ---------------------------------------------------- */

TEST("ids match tokenizers on contractions, spaces, digits, punctuation, Unicode") {
    static const struct {
        const char *s;
        int32_t ids[32];
        int64_t n;
    } cases[] = {
    {"Hello world", {15496, 995}, 2},
    {"I'm sure you're right; we've seen they'll do what he'd say, it's don't.", {40, 1101, 1654, 345, 821, 826, 26, 356, 1053, 1775, 484, 1183, 466, 644, 339, 1549, 910, 11, 340, 338, 836, 470, 13}, 23},
    {"DON'T 'S ''s 'tis x'", {41173, 6, 51, 705, 50, 10148, 82, 705, 48010, 2124, 6}, 11},
    {"  hello", {220, 23748}, 2},
    {"hello  world", {31373, 220, 995}, 3},
    {"\n\n\nx", {628, 198, 87}, 3},
    {"12345 1,000,000 3.14", {10163, 2231, 352, 11, 830, 11, 830, 513, 13, 1415}, 10},
    {"Wait!!! What?!... (yes) -- ok.", {21321, 10185, 1867, 12248, 986, 357, 8505, 8, 1377, 12876, 13}, 11},
    {"a\tb\t\tc\t", {64, 197, 65, 197, 197, 66, 197}, 7},
    {"x\xc2\xa0y \xc2\xa0z", {87, 1849, 88, 220, 1849, 89}, 6},
    {"\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97\xe7\xac\xa6 and \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", {40792, 23877, 229, 27764, 245, 163, 105, 99, 290, 10545, 245, 98, 17312, 105, 45739, 252}, 16},
    {"emoji \xf0\x9f\x99\x82\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd ok", {368, 31370, 32485, 41840, 235, 8582, 237, 121, 12876}, 9},
    {"don\xe2\x80\x99t", {9099, 447, 247, 83}, 4},
    {"a   ", {64, 220, 220, 220}, 4},
    {"e\xcc\x81 caf\xc3\xa9 na\xc3\xafve", {68, 136, 223, 40304, 41492}, 5},
    {" !x  ?y", {5145, 87, 220, 5633, 88}, 5},
    {"\xd9\xa3\xd9\xa4 \xc2\xbd\xe2\x85\xa7 x\xc2\xb2", {149, 96, 149, 97, 25208, 158, 227, 100, 2124, 31185}, 10},
    {"line\r\nnext\xe2\x80\xa8""end\xe3\x80\x80!", {1370, 201, 198, 19545, 447, 101, 437, 5099, 222, 0}, 10},
    {"Hello<|endoftext|> world<|endoftext|>", {15496, 50256, 995, 50256}, 4},
    };
    attn_tokenizer *tok = gpt2();
    if (!tok) return;
    CHECK(!strcmp(attn_tokenizer_kind(tok), "bpe"));
    CHECK(attn_tokenizer_vocab_size(tok) == 50257);
    CHECK(attn_tokenizer_eot(tok) == 50256);
    for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
        int32_t *ids = NULL;
        int64_t n = 0;
        CHECK_OK(attn_tokenizer_encode(tok, cases[c].s, strlen(cases[c].s), &ids, &n));
        bool same = ids_equal(ids, n, cases[c].ids, cases[c].n);
        CHECK(same);
        if (!same) {
            fprintf(stderr, "    case %zu\n", c);
            print_ids("got ", ids, n);
            print_ids("want", cases[c].ids, cases[c].n);
        }
        char *text = NULL;
        size_t len = 0;
        CHECK_OK(attn_tokenizer_decode(tok, ids, n, &text, &len));
        CHECK(text && len == strlen(cases[c].s) && !memcmp(text, cases[c].s, len));
        attn_free(text);
        attn_free(ids);
    }
}

static uint64_t fnv1a_ids(const int32_t *ids, int64_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int64_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++) h = (h ^ (((uint32_t)ids[i] >> (8 * k)) & 0xff)) * 0x100000001b3ull;
    return h;
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
    if (buf) buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

TEST("all of Emma encodes to tokenizers' ids (count and FNV-1a hash)") {
    /* ids = t.encode(open('data/austen/emma.txt').read()).ids  (t as above)
     * h = 0xcbf29ce484222325
     * for i in ids:
     *     for b in i.to_bytes(4, 'little'): h = ((h ^ b) * 0x100000001b3) % 2**64
     * -> len(ids) 220986, h 0x9dba4c73fcb77f46 */
    attn_tokenizer *tok = gpt2();
    size_t len = 0;
    char *text = read_file("data/austen/emma.txt", &len);
    CHECK(text != NULL);
    if (!tok || !text) return;
    for (int pass = 0; pass < 2; pass++) {   /* cold, then through the word cache */
        int32_t *ids = NULL;
        int64_t n = 0;
        CHECK_OK(attn_tokenizer_encode(tok, text, len, &ids, &n));
        CHECK(n == 220986);
        CHECK(fnv1a_ids(ids, n) == 0x9dba4c73fcb77f46ull);
        char *back = NULL;
        size_t blen = 0;
        CHECK_OK(attn_tokenizer_decode(tok, ids, n, &back, &blen));
        CHECK(back && blen == len && !memcmp(back, text, len));
        attn_free(back);
        attn_free(ids);
    }
    free(text);
}

TEST("random bytes, invalid UTF-8 included, decode back exactly") {
    attn_tokenizer *tok = gpt2();
    if (!tok) return;
    static const char *const parts[] = {" ", "  ", "\n", "\t", "a", "Z", "the", "'s", "'", "7", "!", "\xc3\xa9",
                                        "\xe2\x80\x99", "\xf0\x9f\x99\x82", "\xc2\xa0", "\xff", "\x80", "\xc3",
                                        "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x00", "<|endoftext|>"};
    uint64_t r = 12345;
    for (int round = 0; round < 300; round++) {
        char buf[512];
        size_t len = 0;
        int n_parts = 1 + (int)(r % 40);
        for (int p = 0; p < n_parts; p++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            if ((r >> 60) < 3) {   /* a raw random byte */
                buf[len++] = (char)(r >> 40);
                continue;
            }
            const char *s = parts[(r >> 33) % ARRAY_LEN(parts)];
            size_t k = s[0] ? strlen(s) : 1;
            memcpy(buf + len, s, k);
            len += k;
        }
        int32_t *ids = NULL;
        int64_t n = 0;
        CHECK_OK(attn_tokenizer_encode(tok, buf, len, &ids, &n));
        char *back = NULL;
        size_t blen = 0;
        CHECK_OK(attn_tokenizer_decode(tok, ids, n, &back, &blen));
        bool same = back && blen == len && !memcmp(back, buf, len);
        CHECK(same);
        if (!same) fprintf(stderr, "    round %d\n", round);
        attn_free(back);
        attn_free(ids);
    }
}

TEST("token_bytes gives raw bytes, also partial UTF-8") {
    attn_tokenizer *tok = gpt2();
    if (!tok) return;
    const char *b;
    size_t len;
    CHECK_OK(attn_tokenizer_token_bytes(tok, 220, &b, &len));   /* "Ġ" */
    CHECK(len == 1 && b[0] == ' ');
    CHECK_OK(attn_tokenizer_token_bytes(tok, 447, &b, &len));   /* "âĢ": first two bytes of U+2019 */
    CHECK(len == 2 && (unsigned char)b[0] == 0xe2 && (unsigned char)b[1] == 0x80);
    CHECK_OK(attn_tokenizer_token_bytes(tok, 50256, &b, &len));
    CHECK(len == 13 && !memcmp(b, "<|endoftext|>", 13));
    CHECK_STATUS(attn_tokenizer_token_bytes(tok, 50257, &b, &len), ATTN_ERR_INVALID_ARG);
}

/* ---- files ------------------------------------------------------------------------ */

TEST("GPT-2 files load by directory or by encoder.json path") {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(GPT2_DIR "/encoder.json", &tok));
    if (!tok) return;
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(attn_tokenizer_encode(tok, "Hello world", 11, &ids, &n));
    CHECK(n == 2 && ids && ids[0] == 15496 && ids[1] == 995);
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("saved tokenizer.json loads back with the same ids") {
    attn_tokenizer *tok = gpt2(), *back = NULL;
    if (!tok) return;
    const char *dir = test_tmp_path("saved");
    CHECK_OK(attn_tokenizer_save(tok, dir));
    CHECK_OK(attn_tokenizer_load(dir, &back));
    if (!back) return;
    CHECK(attn_tokenizer_vocab_size(back) == 50257 && attn_tokenizer_eot(back) == 50256);
    const char *s = "It's \xe2\x80\x9cvery\xe2\x80\x9d  odd<|endoftext|>\n\n 42";
    int32_t *a = NULL, *b = NULL;
    int64_t na = 0, nb = 0;
    CHECK_OK(attn_tokenizer_encode(tok, s, strlen(s), &a, &na));
    CHECK_OK(attn_tokenizer_encode(back, s, strlen(s), &b, &nb));
    CHECK(ids_equal(a, na, b, nb));
    attn_free(a);
    attn_free(b);
    attn_tokenizer_free(back);
}

/* A small tokenizer.json: the 256 byte tokens in byte order (id = byte),
 * then "he" 256, "ll" 257, "hell" 258, "ĠĠ" 259; merges given as `merges`
 * (JSON array text), `pre` the pre_tokenizer JSON. */
static void write_small(const char *path, const char *merges, const char *pre, const char *extra_vocab) {
    uint32_t map[256];
    bpe_byte_map(map);
    size_t cap = 16384, n = 0;
    char *s = malloc(cap);
    if (!s) return;
    n += (size_t)snprintf(s + n, cap - n, "{\"version\": \"1.0\", \"pre_tokenizer\": %s, "
                                          "\"decoder\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {",
                          pre);
    for (int b = 0; b < 256; b++) {
        char u[5] = {0};
        int k = 0;
        if (map[b] < 0x80) u[k++] = (char)map[b];
        else {
            u[k++] = (char)(0xc0 | (map[b] >> 6));
            u[k++] = (char)(0x80 | (map[b] & 0x3f));
        }
        if (map[b] == '"' || map[b] == '\\') n += (size_t)snprintf(s + n, cap - n, "\"\\%s\": %d, ", u, b);
        else n += (size_t)snprintf(s + n, cap - n, "\"%s\": %d, ", u, b);
    }
    n += (size_t)snprintf(s + n, cap - n, "\"he\": 256, \"ll\": 257, \"hell\": 258, \"\xc4\xa0\xc4\xa0\": 259%s}, "
                                          "\"merges\": %s}}",
                          extra_vocab, merges);
    write_text(path, s);
    free(s);
}

#define BYTE_LEVEL "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true}"

static void expect_ids(const char *path, const char *text, const int32_t *want, int64_t n_want) {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(path, &tok));
    if (!tok) return;
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(attn_tokenizer_encode(tok, text, strlen(text), &ids, &n));
    bool same = ids_equal(ids, n, want, n_want);
    CHECK(same);
    if (!same) {
        fprintf(stderr, "    %s on \"%s\"\n", path, text);
        print_ids("got ", ids, n);
        print_ids("want", want, n_want);
    }
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("tokenizer.json merges as \"a b\" strings and as [a, b] pairs agree") {
    const char *p1 = test_tmp_path("strings.json"), *p2 = test_tmp_path("pairs.json");
    write_small(p1, "[\"h e\", \"l l\", \"he ll\", \"\xc4\xa0 \xc4\xa0\"]", BYTE_LEVEL, "");
    write_small(p2, "[[\"h\", \"e\"], [\"l\", \"l\"], [\"he\", \"ll\"], [\"\xc4\xa0\", \"\xc4\xa0\"]]", BYTE_LEVEL, "");
    /* "hello": h e l l o -> he ll o -> hell o; "a     b": the run minus its
     * last space is "ĠĠĠĠ" -> ĠĠ ĠĠ (leftmost first), then " b" */
    static const int32_t want[] = {258, 'o', 'a', 259, 259, ' ', 'b'};
    expect_ids(p1, "helloa     b", want, 7);
    expect_ids(p2, "helloa     b", want, 7);
}

TEST("ByteLevel add_prefix_space and use_regex=false are honoured") {
    const char *p = test_tmp_path("prefix.json");
    write_small(p, "[\"h e\", \"l l\", \"he ll\", \"\xc4\xa0 \xc4\xa0\"]",
                "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"ByteLevel\", \"add_prefix_space\": true, "
                "\"use_regex\": false}]}",
                "");
    /* " x  hello" is one piece: Ġ x ĠĠ hell o (the regex would split it) */
    static const int32_t want[] = {' ', 'x', 259, 258, 'o'};
    expect_ids(p, "x  hello", want, 5);
}

static attn_status load_status(const char *path) {
    attn_tokenizer *tok = NULL;
    attn_status st = attn_tokenizer_load(path, &tok);
    attn_tokenizer_free(tok);
    return st;
}

TEST("malformed files give clear errors") {
    const char *p = test_tmp_path("bad.json");
    write_small(p, "[\"h e\", \"l x\"]", BYTE_LEVEL, "");   /* "x" is there: "lx" is not */
    CHECK_STATUS(load_status(p), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "merges into \"lx\""));
    write_small(p, "[\"h e\", \"l \xe2\x82\xac\"]", BYTE_LEVEL, "");   /* "€" is not a token */
    CHECK_STATUS(load_status(p), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "not in the vocabulary"));
    write_small(p, "[\"h e\"]", BYTE_LEVEL, ", \"dup\": 258");
    CHECK_STATUS(load_status(p), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "used twice"));
    write_small(p, "[\"h e\"]", BYTE_LEVEL, ", \"gap\": 261");
    CHECK_STATUS(load_status(p), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "contiguous"));
    write_small(p, "[\"h e\"]", "{\"type\": \"Whitespace\"}", "");
    CHECK_STATUS(load_status(p), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "Whitespace"));
    write_small(p, "[\"h e\", 7]", BYTE_LEVEL, "");
    CHECK_STATUS(load_status(p), ATTN_ERR_FORMAT);
    write_text(p, "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0");
    CHECK_STATUS(load_status(p), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "malformed JSON"));
}

TEST("tokenizer.json without some byte tokens: those bytes are dropped and counted, as tokenizers does") {
    /* tokenizers 0.23.3 loads such a file (unk_token null) and encodes "bab" as ["b", "b"];
     * attn writes one when it saves a tokenizer read from a GGUF vocabulary (SmolLM2's) */
    const char *p = test_tmp_path("nobytes.json");
    write_text(p, "{\"version\": \"1.0\", \"pre_tokenizer\": " BYTE_LEVEL ", \"decoder\": {\"type\": \"ByteLevel\"}, "
                  "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": []}}");
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(p, &tok));
    if (!tok) return;
    int32_t *ids = NULL;
    int64_t n = 0, before = attn_tokenizer_unknown_count(tok);
    CHECK_OK(attn_tokenizer_encode(tok, "bcb", 3, &ids, &n));
    CHECK(n == 2 && ids && ids[0] == 1 && ids[1] == 1);
    CHECK(attn_tokenizer_unknown_count(tok) == before + 1);
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("vocab.json + merges.txt: bad merges line, unknown token, truncated JSON") {
    char *dir = NULL;
    size_t n = strlen(test_tmp_path("pair")) + 1;
    dir = malloc(n);
    if (!dir) return;
    memcpy(dir, test_tmp_path("pair"), n);
    CHECK(mkdir(dir, 0700) == 0);
    char vocab[300], merges[300];
    snprintf(vocab, sizeof vocab, "%s/vocab.json", dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", dir);
    /* take the vocabulary of the small tokenizer.json */
    const char *sp = test_tmp_path("small.json");
    write_small(sp, "[]", BYTE_LEVEL, "");
    size_t len = 0;
    char *s = read_file(sp, &len);
    char *v = s ? strstr(s, "\"vocab\": ") : NULL;
    char *e = v ? strstr(v, ", \"merges\"") : NULL;   /* the vocab holds "}" itself */
    CHECK(v && e);
    if (v && e) {
        e[0] = 0;
        write_text(vocab, v + 9);
        write_text(merges, "#version: 0.2\nh e\nl l\nhe ll\n");
        static const int32_t want[] = {258, 'o'};
        expect_ids(dir, "hello", want, 2);
        expect_ids(vocab, "hello", want, 2);
        write_text(merges, "#version: 0.2\nh e\nl q\n");
        CHECK_STATUS(load_status(dir), ATTN_ERR_FORMAT);   /* "lq" not in the vocabulary */
        CHECK(strstr(attn_last_error(), "line 3"));
        write_text(merges, "#version: 0.2\nh e\nl \xe2\x82\xac\n");
        CHECK_STATUS(load_status(dir), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "not in the vocabulary"));
        write_text(merges, "h e x\n");
        CHECK_STATUS(load_status(dir), ATTN_ERR_FORMAT);
        write_text(merges, "h e\n");
        write_text(vocab, "{\"a\": 0, ");
        CHECK_STATUS(load_status(dir), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "malformed JSON"));
    }
    free(s);
    free(dir);
}

/* A merges line far longer than any token: every vocabulary lookup of its
 * halves compares lengths before bytes (ASan reported a heap over-read of the
 * stored token when the probe's length was compared first). */
TEST("vocab.json + merges.txt: a 10 MB merges line is an error, read within bounds") {
    const char *dir = test_tmp_path("long_line");
    CHECK(mkdir(dir, 0700) == 0);
    char vocab[300], merges[300];
    snprintf(vocab, sizeof vocab, "%s/vocab.json", dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", dir);
    const char *sp = test_tmp_path("long_small.json");
    write_small(sp, "[]", BYTE_LEVEL, "");
    size_t len = 0;
    char *s = read_file(sp, &len);
    char *v = s ? strstr(s, "\"vocab\": ") : NULL;
    char *e = v ? strstr(v, ", \"merges\"") : NULL;
    CHECK(v && e);
    size_t big = (size_t)10 << 20;
    char *line = malloc(big + 32);
    if (v && e && line) {
        e[0] = 0;
        write_text(vocab, v + 9);
        /* several fill bytes, so that some probe meets an occupied index slot */
        static const char fill[] = "hleoabcdxyz";
        for (int k = 0; fill[k]; k++) {
            for (int side = 0; side < 2; side++) {
                size_t n = 0;
                if (side) n += (size_t)snprintf(line, 32, "#version: 0.2\nh ");
                else n += (size_t)snprintf(line, 32, "#version: 0.2\n");
                memset(line + n, fill[k], big);
                n += big;
                if (!side) {
                    memcpy(line + n, " e", 2);
                    n += 2;
                }
                line[n++] = '\n';
                line[n] = 0;
                write_text(merges, line);
                CHECK_STATUS(load_status(dir), ATTN_ERR_FORMAT);
                CHECK(strstr(attn_last_error(), "line 2 names"));
            }
        }
    }
    free(line);
    free(s);
}

static long fail_at = -1, n_allocs;

static void *failing_realloc(void *ud, void *p, size_t n) {
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (n_allocs++ == fail_at) return NULL;
    return realloc(p, n);
}

TEST("every failed allocation in load, encode and save is an error, not a crash") {
    const char *p = test_tmp_path("oom.json"), *dir = test_tmp_path("oom_saved");
    write_small(p, "[\"h e\", \"l l\", \"he ll\"]", BYTE_LEVEL, "");
    bool finished = false;
    for (long k = 0; k < 2000 && !finished; k++) {
        attn_tokenizer *tok = NULL;
        int32_t *ids = NULL;
        int64_t n = 0;
        n_allocs = 0;
        fail_at = k;
        attn_set_allocator(failing_realloc, NULL);
        attn_status st = attn_tokenizer_load(p, &tok);
        if (st == ATTN_OK) st = attn_tokenizer_encode(tok, "hello  world\xff", 13, &ids, &n);
        if (st == ATTN_OK) st = attn_tokenizer_save(tok, dir);
        attn_set_allocator(NULL, NULL);
        if (st == ATTN_OK) {
            finished = true;
            static const int32_t want[] = {258, 'o', ' ', ' ', 'w', 'o', 'r', 'l', 'd', 0xff};
            CHECK(ids_equal(ids, n, want, 10));
        } else {
            CHECK(st == ATTN_ERR_OUT_OF_MEMORY);
        }
        attn_free(ids);
        attn_tokenizer_free(tok);
    }
    fail_at = -1;
    CHECK(finished);
}

TEST("an added token whose content is longer than its vocabulary string decodes to its content") {
    /* the decoded-bytes buffer was sized by the vocabulary's strings: an
     * added token at a vocabulary id (5, a one-byte token) with 600 bytes of
     * content used up that room and the later tokens' bytes ran past the end
     * (found by fuzz_tokenizer_json; ASan reports the write) */
    const char *base = test_tmp_path("added_base.json"), *path = test_tmp_path("added_long.json");
    write_small(base, "[\"h e\", \"l l\", \"he ll\", \"\xc4\xa0 \xc4\xa0\"]", BYTE_LEVEL, "");
    char *text = NULL;
    size_t len = 0;
    CHECK_OK(file_read_all(base, &text, &len));
    if (!text) return;
    char content[601];
    memset(content, 'x', 600);
    content[0] = '<', content[599] = '>', content[600] = 0;
    size_t cap = len + 800;
    char *json = malloc(cap);
    snprintf(json, cap, "{\"added_tokens\": [{\"id\": 5, \"content\": \"%s\", \"special\": true}], %s", content, text + 1);
    write_text(path, json);
    free(json);
    attn_free(text);
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(path, &tok));
    if (!tok) return;
    const int32_t ids[] = {5, 'a', 5};
    char *out = NULL;
    CHECK_OK(attn_tokenizer_decode(tok, ids, 3, &out, &len));
    CHECK(out && len == 1201 && !memcmp(out, content, 600) && out[600] == 'a' && !memcmp(out + 601, content, 600));
    attn_free(out);
    attn_tokenizer_free(tok);
}
