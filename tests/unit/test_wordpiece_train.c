/* WordPiece training (wordpiece_train.c) against Hugging Face `tokenizers`
 * 0.23.3: the whole vocabulary, in id order, learned from a tiny corpus
 * (accents, CJK, punctuation, case), the vocab_size and min_frequency stops,
 * ids of held-out text, save + load, errors and failed allocations.
 *
 * Expected vocabularies come from the repo's .venv (tests/py/test_tokenizer_parity.py
 * has the same function; HF numbers the "##" characters in a random order,
 * so the sorted alphabet and "##" characters are listed after the special
 * tokens to pin its ids to attn's):
 *   from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
 *   tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
 *   tok.normalizer = normalizers.BertNormalizer(lowercase=True)
 *   tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
 *   first, inner = set(), set()
 *   for line in open(path, encoding="utf-8"):
 *       for w, _ in tok.pre_tokenizer.pre_tokenize_str(tok.normalizer.normalize_str(line)):
 *           first.update(w); inner.update(w[1:])
 *   pinned = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(first) + ["##" + c for c in sorted(inner)]
 *   tok.train([path], trainers.WordPieceTrainer(vocab_size=VS, min_frequency=MF, special_tokens=pinned,
 *             continuing_subword_prefix="##", show_progress=False))
 *   v = json.loads(tok.to_str())["model"]["vocab"]; sorted(v, key=v.get)
 * and the held-out ids from
 *   t = Tokenizer(models.WordPiece(v, unk_token="[UNK]")) with the same normalizer and
 *   pre-tokenizer; t.encode(HELD, add_special_tokens=False).ids */
#include "attn/tokenizer.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef ARRAY_LEN
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#endif

static const char *write_text(const char *name, const char *s) {
    const char *path = test_tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(s, 1, strlen(s), f);
        fclose(f);
    }
    return path;
}

static const char SMALL[] = "Hello, WORLD! H\xc3\xa9llo w\xc3\xb6rld; the thee there then. \xe4\xb8\xad\xe6\x96\x87 hello hello "
                            "theses\nThat's that: ma\xc3\xb1" "ana, MA\xc3\x91" "ANA.\n";

/* VS=1000, MF=0: every pair merged */
static const char *const FULL[] = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "!", "'", ",", ".", ":", ";", "a", "d", "e", "h", "l", "m", "n",
    "o", "r", "s", "t", "w", "\xe4\xb8\xad", "\xe6\x96\x87", "##a", "##d", "##e", "##h", "##l", "##n", "##o", "##r",
    "##s", "##t", "th", "the", "he", "##an", "##ll", "hell", "hello", "man", "wo", "##at", "##ld", "##rld", "that",
    "##ana", "manana", "world", "##es", "##re", "##ses", "thee", "then", "there", "theses",
};

/* The tokens of tok, in id order, equal want. */
static void check_vocab(const attn_tokenizer *tok, const char *const *want, int n_want) {
    CHECK(attn_tokenizer_vocab_size(tok) == n_want);
    for (int32_t i = 0; i < n_want && i < attn_tokenizer_vocab_size(tok); i++) {
        const char *b;
        size_t len;
        CHECK_OK(attn_tokenizer_token_bytes(tok, i, &b, &len));
        if (len != strlen(want[i]) || memcmp(b, want[i], len)) {
            fprintf(stderr, "  id %d: got \"%.*s\", want \"%s\"\n", (int)i, (int)len, b, want[i]);
            CHECK(!"token differs from Hugging Face's");
        }
    }
}

TEST("the whole vocabulary equals WordPieceTrainer's (min_frequency 0)") {
    const char *file = write_text("small.txt", SMALL);
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_train_wordpiece(&file, 1, 1000, 0, &tok));
    if (!tok) return;
    CHECK(!strcmp(attn_tokenizer_kind(tok), "wordpiece"));
    CHECK(attn_tokenizer_eot(tok) == -1);
    check_vocab(tok, FULL, (int)ARRAY_LEN(FULL));

    /* held-out text: HF's ids with the trained vocabulary */
    static const char HELD[] = "Hello there, W\xc3\x96RLD! Theses that man: \xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97 xyz";
    static const int32_t WANT[] = {41, 56, 7, 50, 5, 57, 47, 42, 9, 23, 24, 1, 1};
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(attn_tokenizer_encode(tok, HELD, strlen(HELD), &ids, &n));
    CHECK(n == (int64_t)ARRAY_LEN(WANT) && ids && !memcmp(ids, WANT, sizeof WANT));
    attn_free(ids);

    /* [CLS] A [SEP] */
    CHECK_OK(attn_tokenizer_encode_pair(tok, "hello", 5, NULL, 0, 0, &ids, NULL, &n));
    CHECK(n == 3 && ids[0] == 2 && ids[1] == 41 && ids[2] == 3);
    attn_free(ids);

    /* save and load back: the same vocabulary */
    const char *dir = test_tmp_path("small.d");
    CHECK_OK(attn_tokenizer_save(tok, dir));
    attn_tokenizer_free(tok);
    tok = NULL;
    CHECK_OK(attn_tokenizer_load(dir, &tok));
    if (tok) check_vocab(tok, FULL, (int)ARRAY_LEN(FULL));
    attn_tokenizer_free(tok);
}

TEST("vocab_size stops the merges; min_frequency 2 stops them earlier") {
    const char *file = write_text("small2.txt", SMALL);
    attn_tokenizer *tok = NULL;
    /* VS=45, MF=0: the first 45 tokens of FULL */
    CHECK_OK(attn_tokenizer_train_wordpiece(&file, 1, 45, 0, &tok));
    if (tok) check_vocab(tok, FULL, 45);
    attn_tokenizer_free(tok);
    /* VS=60, MF=2: HF stops at 51 (FULL's first 51: every later pair occurs once) */
    tok = NULL;
    CHECK_OK(attn_tokenizer_train_wordpiece(&file, 1, 60, 2, &tok));
    if (tok) check_vocab(tok, FULL, 51);
    attn_tokenizer_free(tok);
    /* below the alphabet: special tokens and characters only, as HF */
    tok = NULL;
    CHECK_OK(attn_tokenizer_train_wordpiece(&file, 1, 5, 0, &tok));
    if (tok) check_vocab(tok, FULL, 35);
    attn_tokenizer_free(tok);
}

TEST("two files count as one corpus") {
    const char *files[2];
    char a[sizeof SMALL], *cut = NULL;
    memcpy(a, SMALL, sizeof SMALL);
    cut = strchr(a, '\n');
    *++cut = 0;   /* first line in one file, the second in the other */
    files[0] = write_text("part1.txt", a);
    files[1] = write_text("part2.txt", SMALL + (cut - a));
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_train_wordpiece(files, 2, 1000, 0, &tok));
    if (tok) check_vocab(tok, FULL, (int)ARRAY_LEN(FULL));
    attn_tokenizer_free(tok);
}

TEST("errors: arguments, missing file, no words") {
    const char *file = write_text("ok.txt", SMALL);
    attn_tokenizer *tok = (attn_tokenizer *)&tok;
    CHECK_STATUS(attn_tokenizer_train_wordpiece(&file, 1, 100, 0, NULL), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_train_wordpiece(NULL, 1, 100, 0, &tok), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_train_wordpiece(&file, 0, 100, 0, &tok), ATTN_ERR_INVALID_ARG);
    CHECK(tok == NULL);
    CHECK_STATUS(attn_tokenizer_train_wordpiece(&file, 1, 4, 0, &tok), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "special") != NULL);
    CHECK_STATUS(attn_tokenizer_train_wordpiece(&file, 1, 100, -1, &tok), ATTN_ERR_INVALID_ARG);
    const char *missing = test_tmp_path("no-such-file.txt");
    CHECK_STATUS(attn_tokenizer_train_wordpiece(&missing, 1, 100, 0, &tok), ATTN_ERR_IO);
    const char *blank = write_text("blank.txt", " \n\t\r\n  \x01 ");
    CHECK_STATUS(attn_tokenizer_train_wordpiece(&blank, 1, 100, 0, &tok), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "no words") != NULL);
    CHECK(tok == NULL);
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

TEST("every failed allocation in training is an error, not a crash or a leak") {
    const char *file = write_text("oom.txt", SMALL);
    bool finished = false;
    for (long k = 0; k < 5000 && !finished; k++) {
        attn_tokenizer *tok = NULL;
        n_allocs = 0;
        fail_at = k;
        attn_set_allocator(failing_realloc, NULL);
        attn_status st = attn_tokenizer_train_wordpiece(&file, 1, 1000, 0, &tok);
        attn_set_allocator(NULL, NULL);
        if (st == ATTN_OK) {
            finished = true;
            CHECK(attn_tokenizer_vocab_size(tok) == (int32_t)ARRAY_LEN(FULL));
        } else {
            CHECK(st == ATTN_ERR_OUT_OF_MEMORY);
            CHECK(tok == NULL);
        }
        attn_tokenizer_free(tok);
    }
    CHECK(finished);
}
