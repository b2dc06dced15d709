/* The amino-acid tokenizer: fixed ids, X for non-standard residues, case
 * and whitespace, special tokens, errors, save/load. */
#include "test.h"

#include "attn/tokenizer.h"

#include <stdlib.h>

static void encode(const attn_tokenizer *tok, const char *s, int32_t **ids, int64_t *n) {
    CHECK_OK(attn_tokenizer_encode(tok, s, strlen(s), ids, n));
}

TEST("residues get fixed ids; U, Z, O, B and other letters are X; case and whitespace do not matter") {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_amino(&tok));
    if (!tok) return;
    CHECK(attn_tokenizer_vocab_size(tok) == 26);
    CHECK(attn_tokenizer_eot(tok) == 4);
    CHECK(!strcmp(attn_tokenizer_kind(tok), "amino"));
    int32_t *ids = NULL;
    int64_t n = 0;
    encode(tok, "ACDEFGHIKLMNPQRSTVWY", &ids, &n);
    CHECK(n == 20);
    for (int i = 0; i < 20 && n == 20; i++) CHECK(ids[i] == 5 + i);
    attn_free(ids);
    encode(tok, "mk\nUZOB j\r\n", &ids, &n);
    int32_t want[] = {15, 13, 25, 25, 25, 25, 25};
    CHECK(n == 7);
    for (int i = 0; i < 7 && n == 7; i++) CHECK(ids[i] == want[i]);
    attn_free(ids);
    encode(tok, "<cls>MA<mask>K<sep><|endoftext|>", &ids, &n);
    int32_t want2[] = {1, 15, 5, 3, 13, 2, 4};
    CHECK(n == 7);
    for (int i = 0; i < 7 && n == 7; i++) CHECK(ids[i] == want2[i]);
    char *text = NULL;
    size_t len;
    CHECK_OK(attn_tokenizer_decode(tok, ids, n, &text, &len));
    CHECK(text && !strcmp(text, "<cls>MA<mask>K<sep><|endoftext|>"));
    attn_free(text);
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("bytes that are not letters or whitespace are errors naming their offset") {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_new_amino(&tok));
    if (!tok) return;
    int32_t *ids = NULL;
    int64_t n;
    CHECK_STATUS(attn_tokenizer_encode(tok, "MKV*", 4, &ids, &n), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "'*' at byte 3") != NULL);
    attn_free(ids);
    ids = NULL;
    CHECK_STATUS(attn_tokenizer_encode(tok, "MK\xc3\xa9", 4, &ids, &n), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "byte 2") != NULL);
    attn_free(ids);
    attn_tokenizer_free(tok);
}

TEST("a saved amino tokenizer loads back; a tampered vocabulary is refused") {
    attn_tokenizer *tok = NULL, *back = NULL;
    CHECK_OK(attn_tokenizer_new_amino(&tok));
    char dir[] = "/tmp/attn_amino_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    if (!tok) return;
    CHECK_OK(attn_tokenizer_save(tok, dir));
    CHECK_OK(attn_tokenizer_load(dir, &back));
    if (back) {
        int32_t *a = NULL, *b = NULL;
        int64_t na, nb;
        encode(tok, "MKVLA<mask>UX", &a, &na);
        encode(back, "MKVLA<mask>UX", &b, &nb);
        CHECK(na == nb && na == 8 && !memcmp(a, b, (size_t)na * sizeof *a));
        CHECK(!strcmp(attn_tokenizer_kind(back), "amino"));
        attn_free(a);
        attn_free(b);
    }
    char path[64], cmd[160];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    snprintf(cmd, sizeof cmd, "sed -i 's/\"A\":[[:space:]]*5/\"A\": 6/' %s", path);
    CHECK(system(cmd) == 0);
    attn_tokenizer *bad = NULL;
    CHECK_STATUS(attn_tokenizer_load(dir, &bad), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "AminoAcid") != NULL || strstr(attn_last_error(), "amino") != NULL);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    attn_tokenizer_free(back);
    attn_tokenizer_free(tok);
}

TEST("the amino tokenizer.json is a WordLevel model; attn's earlier AminoAcid file still loads") {
    attn_tokenizer *tok = NULL, *old = NULL;
    CHECK_OK(attn_tokenizer_new_amino(&tok));
    char dir[] = "/tmp/attn_amino_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    if (!tok) return;
    CHECK_OK(attn_tokenizer_save(tok, dir));
    char path[64], cmd[160];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    snprintf(cmd, sizeof cmd, "grep -q '\"type\":[[:space:]]*\"WordLevel\"' %s", path);
    CHECK(system(cmd) == 0);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("{\"version\": \"1.0\", \"model\": {\"type\": \"AminoAcid\", \"vocab\": {", f);
        const char *res = "ACDEFGHIKLMNPQRSTVWYX";
        for (int i = 0; res[i]; i++) fprintf(f, "%s\"%c\": %d", i ? ", " : "", res[i], 5 + i);
        fputs("}}, \"added_tokens\": [", f);
        const char *sp[] = {"<pad>", "<cls>", "<sep>", "<mask>", "<|endoftext|>"};
        for (int i = 0; i < 5; i++)
            fprintf(f, "%s{\"id\": %d, \"content\": \"%s\", \"special\": true}", i ? ", " : "", i, sp[i]);
        fputs("]}\n", f);
        fclose(f);
    }
    CHECK_OK(attn_tokenizer_load(dir, &old));
    if (old) {
        int32_t *a = NULL, *b = NULL;
        int64_t na = 0, nb = 0;
        encode(tok, "mkvl a\nU<cls>", &a, &na);
        encode(old, "mkvl a\nU<cls>", &b, &nb);
        CHECK(na == nb && na == 7 && a && b && !memcmp(a, b, (size_t)na * sizeof *a));
        attn_free(a);
        attn_free(b);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    attn_tokenizer_free(old);
    attn_tokenizer_free(tok);
}
