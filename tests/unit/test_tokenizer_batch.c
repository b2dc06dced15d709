/* attn_tokenizer_encode_batch (batch.c): on every line of Persuasion plus
 * the Unicode stress text, the batch on 1, 2, 4 and the default number of
 * threads equals encoding each line alone, for the char, GPT-2 BPE (its word
 * caches shared by concurrent threads, bpe.c) and BERT WordPiece tokenizers;
 * offsets, empty texts, lens == NULL, and errors (the lowest failing text is
 * the one reported). */
#include "attn/tokenizer.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

#define GPT2_DIR "data/gpt2-tokenizer"
#define MINILM_DIR "tests/data/minilm"

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

typedef struct corpus {
    char *text;
    size_t len;
    const char **lines;
    size_t *lens;
    int64_t n;
} corpus;

/* Persuasion + the stress text + a line with "<|endoftext|>", cut into lines
 * (without their '\n'; blank lines stay, as empty texts). */
static bool corpus_load(corpus *c) {
    size_t a_len = 0, b_len = 0;
    char *a = read_file("data/austen/persuasion.txt", &a_len);
    char *b = read_file("tests/data/unicode_stress.txt", &b_len);
    static const char EXTRA[] = "\nthe end<|endoftext|>and a new start\n";
    memset(c, 0, sizeof *c);
    if (!a || !b) {
        free(a);
        free(b);
        return false;
    }
    c->len = a_len + b_len + sizeof EXTRA - 1;
    c->text = malloc(c->len + 1);
    memcpy(c->text, a, a_len);
    memcpy(c->text + a_len, b, b_len);
    memcpy(c->text + a_len + b_len, EXTRA, sizeof EXTRA);
    free(a);
    free(b);
    int64_t cap = 1;
    for (size_t i = 0; i < c->len; i++) cap += c->text[i] == '\n';
    c->lines = malloc((size_t)cap * sizeof *c->lines);
    c->lens = malloc((size_t)cap * sizeof *c->lens);
    for (size_t pos = 0; pos < c->len;) {
        const char *nl = memchr(c->text + pos, '\n', c->len - pos);
        size_t end = nl ? (size_t)(nl - c->text) : c->len;
        c->lines[c->n] = c->text + pos;
        c->lens[c->n++] = end - pos;
        pos = end + 1;
    }
    return true;
}

static void corpus_free(corpus *c) {
    free(c->text);
    free(c->lines);
    free(c->lens);
}

/* Batch on several thread counts == one attn_tokenizer_encode per line. */
static void check_batch(const char *what, const attn_tokenizer *tok, const corpus *c) {
    int64_t *want_off = malloc(((size_t)c->n + 1) * sizeof *want_off);
    int32_t *want = NULL;
    int64_t n_want = 0, cap = 0;
    for (int64_t i = 0; i < c->n; i++) {
        int32_t *ids = NULL;
        int64_t k = 0;
        CHECK_OK(attn_tokenizer_encode(tok, c->lines[i], c->lens[i], &ids, &k));
        want_off[i] = n_want;
        if (n_want + k > cap) {
            cap = 2 * (n_want + k);
            want = realloc(want, (size_t)cap * sizeof *want);
        }
        if (k) memcpy(want + n_want, ids, (size_t)k * sizeof *ids);
        n_want += k;
        attn_free(ids);
    }
    want_off[c->n] = n_want;
    static const int THREADS[] = {1, 2, 4, 0};
    int64_t *off = malloc(((size_t)c->n + 1) * sizeof *off);
    for (size_t t = 0; t < sizeof THREADS / sizeof THREADS[0]; t++) {
        for (int round = 0; round < 2; round++) {   /* the second with warm BPE caches */
            int32_t *ids = NULL;
            memset(off, 0xff, ((size_t)c->n + 1) * sizeof *off);
            CHECK_OK(attn_tokenizer_encode_batch(tok, c->lines, c->lens, c->n, &ids, off, THREADS[t]));
            bool same = ids && !memcmp(off, want_off, ((size_t)c->n + 1) * sizeof *off) &&
                        (n_want == 0 || !memcmp(ids, want, (size_t)n_want * sizeof *ids));
            if (!same) fprintf(stderr, "  %s: batch on %d threads differs from sequential\n", what, THREADS[t]);
            CHECK(same);
            attn_free(ids);
        }
    }
    printf("  %s: %lld lines, %lld ids\n", what, (long long)c->n, (long long)n_want);
    free(off);
    free(want);
    free(want_off);
}

TEST("char: batch == sequential on Persuasion and the stress text") {
    corpus c;
    if (!corpus_load(&c)) {
        CHECK(!"data/austen/persuasion.txt or the stress text is missing");
        return;
    }
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_char(c.text, c.len, &tok));
    if (tok) check_batch("char", tok, &c);
    attn_tokenizer_free(tok);
    corpus_free(&c);
}

TEST("GPT-2 BPE: batch == sequential (concurrent word caches)") {
    corpus c;
    if (!corpus_load(&c)) {
        CHECK(!"data/austen/persuasion.txt or the stress text is missing");
        return;
    }
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(GPT2_DIR, &tok));
    if (tok) check_batch("gpt2", tok, &c);
    attn_tokenizer_free(tok);
    corpus_free(&c);
}

TEST("BERT WordPiece: batch == sequential") {
    corpus c;
    if (!corpus_load(&c)) {
        CHECK(!"data/austen/persuasion.txt or the stress text is missing");
        return;
    }
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(MINILM_DIR, &tok));
    if (tok) check_batch("bert", tok, &c);
    attn_tokenizer_free(tok);
    corpus_free(&c);
}

TEST("empty batch, empty and NUL-terminated texts") {
    attn_tokenizer *tok = NULL;
    static const char VOCAB[] = "abc ";
    CHECK_OK(attn_tokenizer_new_char(VOCAB, strlen(VOCAB), &tok));
    if (!tok) return;
    int32_t *ids = NULL;
    int64_t off[5] = {-1, -1, -1, -1, -1};
    CHECK_OK(attn_tokenizer_encode_batch(tok, NULL, NULL, 0, &ids, off, 2));
    CHECK(ids != NULL && off[0] == 0);
    attn_free(ids);
    const char *texts[4] = {"ab", "", NULL, "c a"};
    CHECK_OK(attn_tokenizer_encode_batch(tok, texts, NULL, 4, &ids, off, 3));
    /* ids: ' ' 0, a 1, b 2, c 3 */
    static const int32_t WANT[] = {1, 2, 3, 0, 1};
    CHECK(off[0] == 0 && off[1] == 2 && off[2] == 2 && off[3] == 2 && off[4] == 5);
    CHECK(ids && !memcmp(ids, WANT, sizeof WANT));
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("errors: arguments, and the lowest failing text is reported") {
    attn_tokenizer *tok = NULL;
    static const char VOCAB[] = "abc ";
    CHECK_OK(attn_tokenizer_new_char(VOCAB, strlen(VOCAB), &tok));
    if (!tok) return;
    enum { N = 2000 };
    const char **texts = malloc(N * sizeof *texts);
    for (int i = 0; i < N; i++) texts[i] = "abc abc abc abc abc abc abc abc abc abc";
    texts[1234] = "abc \xff";
    texts[1700] = "\xfe";
    int32_t *ids = (int32_t *)&ids;
    int64_t *off = malloc((N + 1) * sizeof *off);
    for (int threads = 1; threads <= 4; threads *= 2) {
        ids = (int32_t *)&ids;
        CHECK_STATUS(attn_tokenizer_encode_batch(tok, texts, NULL, N, &ids, off, threads), ATTN_ERR_FORMAT);
        CHECK(ids == NULL);
        CHECK(!strncmp(attn_last_error(), "text 1234: ", 11));
        CHECK(strstr(attn_last_error(), "invalid UTF-8 at byte 4") != NULL);
    }
    size_t lens[2] = {3, 1};
    const char *bad[2] = {"abc", NULL};
    CHECK_STATUS(attn_tokenizer_encode_batch(tok, bad, lens, 2, &ids, off, 2), ATTN_ERR_INVALID_ARG);
    CHECK(!strncmp(attn_last_error(), "text 1: ", 8));
    CHECK_STATUS(attn_tokenizer_encode_batch(NULL, texts, NULL, N, &ids, off, 2), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_encode_batch(tok, texts, NULL, N, NULL, off, 2), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_encode_batch(tok, texts, NULL, N, &ids, NULL, 2), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_encode_batch(tok, texts, NULL, -1, &ids, off, 2), ATTN_ERR_INVALID_ARG);
    free(texts);
    free(off);
    attn_tokenizer_free(tok);
}
