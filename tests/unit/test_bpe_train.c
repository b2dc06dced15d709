/* BPE training (bpe_train.c) against Hugging Face `tokenizers` 0.23.3: the
 * merges it learns on tiny corpora, its tie rule (highest count, then the
 * smallest (left id, right id)), min_frequency, errors, and a round trip
 * through the trained tokenizer.
 *
 * Expected merges come from the repo's .venv:
 *   from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
 *   t = Tokenizer(models.BPE())
 *   t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
 *   t.decoder = decoders.ByteLevel()
 *   t.train([path], trainers.BpeTrainer(vocab_size=VS, min_frequency=MF,
 *           special_tokens=["<|endoftext|>"],
 *           initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
 *   json.loads(t.to_str())["model"]["merges"]      # and len(...["vocab"]) */
#include "attn/tokenizer.h"
#include "test.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static const char *write_text(const char *name, const char *s) {
    const char *path = test_tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(s, 1, strlen(s), f);
        fclose(f);
    }
    return path;
}

/* Trains on text and checks the merges ("a b", byte-level) and the vocab size. */
static void check_merges(const char *name, const char *text, int32_t vocab_size, int32_t min_frequency,
                         int32_t want_vocab, const char *const *want, int n_want) {
    const char *file = write_text(name, text);
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_train_bpe(&file, 1, vocab_size, min_frequency, &tok));
    if (!tok) return;
    CHECK(attn_tokenizer_vocab_size(tok) == want_vocab);
    CHECK(attn_tokenizer_eot(tok) == 0);
    CHECK(!strcmp(attn_tokenizer_kind(tok), "bpe"));
    char dirname[300];   /* the tokenizer is saved to NAME.d/tokenizer.json */
    snprintf(dirname, sizeof dirname, "%s.d", test_tmp_path(name));
    CHECK_OK(attn_tokenizer_save(tok, dirname));
    attn_tokenizer_free(tok);
    char path[320];
    snprintf(path, sizeof path, "%s/tokenizer.json", dirname);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    cJSON *root = cJSON_Parse(buf);
    CHECK(root != NULL);
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "model"), "merges");
    CHECK(cJSON_GetArraySize(merges) == n_want);
    for (int i = 0; i < n_want && i < cJSON_GetArraySize(merges); i++) {
        const cJSON *m = cJSON_GetArrayItem(merges, i);
        char got[128] = "";
        if (cJSON_IsString(m)) snprintf(got, sizeof got, "%s", m->valuestring);
        else if (cJSON_IsArray(m))
            snprintf(got, sizeof got, "%s %s", cJSON_GetArrayItem(m, 0)->valuestring,
                     cJSON_GetArrayItem(m, 1)->valuestring);
        if (strcmp(got, want[i])) {
            fprintf(stderr, "  %s: merge %d is '%s', HF has '%s'\n", name, i, got, want[i]);
            CHECK(!strcmp(got, want[i]));
        }
    }
    cJSON_Delete(root);
}

#define TINY "the cat sat on the mat.\nthe hat is flat, that is that.\n"

TEST("merges on a tiny corpus equal Hugging Face's BpeTrainer") {
    static const char *const want[] = {"a t",    "t h",   "Ġ th",   "i s",   "Ġ is",   "th e",  "Ġth at",
                                       "c at",   "f l",   "h at",   "m at",  "o n",    "s at",  "Ġ cat",
                                       "Ġ fl",   "Ġ hat", "Ġ mat",  "Ġ on",  "Ġ sat",  "Ġth e", "Ġfl at"};
    check_merges("tiny.txt", TINY, 280, 0, 278, want, (int)(sizeof want / sizeof *want));
}

TEST("min_frequency stops at the first pair seen fewer times") {
    static const char *const want[] = {"a t", "t h", "Ġ th", "i s", "Ġ is", "th e", "Ġth at"};
    check_merges("minfreq.txt", TINY, 300, 2, 264, want, (int)(sizeof want / sizeof *want));
}

TEST("ties go to the smallest (left id, right id)") {
    /* all pairs occur once: a+b (65,66) < b+a (66,65) < Ġ+b (221,66) */
    static const char *const want[] = {"a b", "b a", "Ġ ba"};
    check_merges("ties.txt", "ab ba\n", 300, 0, 260, want, (int)(sizeof want / sizeof *want));
    /* "aaaaa" -> [aa, aa, a] (left to right, no overlap); then Ġ (221) + aaa
     * before aa (257) + aaa at equal counts */
    static const char *const want2[] = {"a a", "aa a", "Ġ aaa", "aa aaa"};
    check_merges("overlap.txt", "aaaaa aaa\n", 300, 0, 261, want2, (int)(sizeof want2 / sizeof *want2));
}

TEST("trained tokenizer round-trips text and encodes <|endoftext|> as 0") {
    const char *file = write_text("rt.txt", TINY "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\n");
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_train_bpe(&file, 1, 300, 0, &tok));
    if (!tok) return;
    const char *text = "that hat sat flat<|endoftext|>\xff\x00 new words \xe6\x97\xa5!";
    size_t len = strlen(text) + 12;
    int32_t *ids = NULL;
    int64_t n = 0;
    CHECK_OK(attn_tokenizer_encode(tok, text, len, &ids, &n));
    bool has_eot = false;
    for (int64_t i = 0; i < n; i++) has_eot |= ids[i] == 0;
    CHECK(has_eot);
    CHECK(n < (int64_t)len);
    char *back = NULL;
    size_t back_len = 0;
    CHECK_OK(attn_tokenizer_decode(tok, ids, n, &back, &back_len));
    CHECK(back_len == len && back && !memcmp(back, text, len));
    attn_free(back);
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("errors: vocab below 257, missing file, empty input, no files") {
    const char *file = write_text("err.txt", TINY);
    attn_tokenizer *tok = NULL;
    CHECK_STATUS(attn_tokenizer_train_bpe(&file, 1, 256, 0, &tok), ATTN_ERR_INVALID_ARG);
    CHECK(tok == NULL);
    CHECK_OK(attn_tokenizer_train_bpe(&file, 1, 257, 0, &tok));   /* the alphabet alone */
    CHECK(tok && attn_tokenizer_vocab_size(tok) == 257);
    attn_tokenizer_free(tok);
    tok = NULL;
    const char *missing = test_tmp_path("no-such-file.txt");
    CHECK_STATUS(attn_tokenizer_train_bpe(&missing, 1, 1000, 0, &tok), ATTN_ERR_IO);
    const char *empty = write_text("empty.txt", "");
    CHECK_STATUS(attn_tokenizer_train_bpe(&empty, 1, 1000, 0, &tok), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_train_bpe(&file, 0, 1000, 0, &tok), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_train_bpe(&file, 1, 1000, -1, &tok), ATTN_ERR_INVALID_ARG);
    CHECK(tok == NULL);
}

TEST("caller's special tokens take ids 0..k-1 in order and leave the merges unchanged") {
    const char *file = write_text("special.txt", TINY);
    static const char *const special[] = {"<s>", "<pad>", "</s>", "<unk>"};
    attn_tokenizer *a = NULL, *b = NULL;
    CHECK_OK(attn_tokenizer_train_bpe_special(&file, 1, 303, 0, special, 4, &a));
    CHECK_OK(attn_tokenizer_train_bpe(&file, 1, 300, 0, &b));
    if (!a || !b) {
        attn_tokenizer_free(a);
        attn_tokenizer_free(b);
        return;
    }
    CHECK(attn_tokenizer_vocab_size(a) == attn_tokenizer_vocab_size(b) + 3 && attn_tokenizer_eot(a) == -1);
    for (int i = 0; i < 4; i++) CHECK(attn_tokenizer_added_id(a, special[i]) == i);
    CHECK(attn_tokenizer_added_id(a, ATTN_EOT_TEXT) == -1);
    const char *text = "<s>that hat sat flat</s><pad>";
    int32_t *ia = NULL, *ib = NULL;
    int64_t na = 0, nb = 0;
    CHECK_OK(attn_tokenizer_encode(a, text, strlen(text), &ia, &na));
    CHECK(na >= 4 && ia[0] == 0 && ia[na - 2] == 2 && ia[na - 1] == 1);
    /* the text between the specials: the same pieces as with "<|endoftext|>" = 0, ids shifted by 3 */
    CHECK_OK(attn_tokenizer_encode(b, text + 3, strlen(text) - 3 - 4 - 5, &ib, &nb));
    CHECK(nb == na - 3);
    bool same = nb == na - 3;
    for (int64_t i = 0; same && i < nb; i++) same = ia[i + 1] == ib[i] + 3;
    CHECK(same);
    attn_free(ia);
    attn_free(ib);
    attn_tokenizer_free(a);
    attn_tokenizer_free(b);
    static const char *const dup[] = {"<s>", "</s>", "<s>"};
    static const char *const one_byte[] = {"<s>", "x"};
    static const char *const empty[] = {"<s>", ""};
    attn_tokenizer *t = NULL;
    CHECK_STATUS(attn_tokenizer_train_bpe_special(&file, 1, 300, 0, dup, 3, &t), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_train_bpe_special(&file, 1, 300, 0, one_byte, 2, &t), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_train_bpe_special(&file, 1, 300, 0, empty, 2, &t), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_tokenizer_train_bpe_special(&file, 1, 259, 0, special, 4, &t), ATTN_ERR_INVALID_ARG);
    CHECK(t == NULL);
    CHECK_OK(attn_tokenizer_train_bpe_special(&file, 1, 256, 0, NULL, 0, &t));   /* the bytes alone */
    CHECK(t && attn_tokenizer_vocab_size(t) == 256);
    attn_tokenizer_free(t);
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
    const char *file = write_text("oom.txt", TINY);
    bool finished = false;
    for (long k = 0; k < 5000 && !finished; k++) {
        attn_tokenizer *tok = NULL;
        n_allocs = 0;
        fail_at = k;
        attn_set_allocator(failing_realloc, NULL);
        attn_status st = attn_tokenizer_train_bpe(&file, 1, 280, 0, &tok);
        attn_set_allocator(NULL, NULL);
        if (st == ATTN_OK) {
            finished = true;
            CHECK(attn_tokenizer_vocab_size(tok) == 278);
        } else {
            CHECK(st == ATTN_ERR_OUT_OF_MEMORY);
            CHECK(tok == NULL);
        }
        attn_tokenizer_free(tok);
    }
    CHECK(finished);
}
