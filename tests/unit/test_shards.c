/* Token shards (write, open, read, lying or truncated files) and prepare
 * (split, end-of-text placement, outputs, bad inputs). */
#include "attn/data.h"
#include "attn/tokenizer.h"
#include "test.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (n) fwrite(data, 1, n, f);
    fclose(f);
}

static long file_size(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Reads a whole file into a malloc'ed buffer. */
static unsigned char *read_bytes(const char *path, long *n) {
    *n = file_size(path);
    if (*n < 0) return NULL;
    unsigned char *b = malloc((size_t)*n + 1);
    FILE *f = fopen(path, "rb");
    if (!b || !f || fread(b, 1, (size_t)*n, f) != (size_t)*n) {
        free(b);
        b = NULL;
    }
    if (f) fclose(f);
    return b;
}

TEST("u16 shard: header bytes, size and a full round trip") {
    const char *path = test_tmp_path("u16.bin");
    int32_t ids[1000];
    for (int i = 0; i < 1000; i++) ids[i] = (i * 37) % 300;
    ids[999] = 299;
    CHECK_OK(attn_shard_write(path, ids, 1000, 300));
    CHECK(file_size(path) == 32 + 2 * 1000);
    long n = 0;
    unsigned char *b = read_bytes(path, &n);
    if (b) {
        static const unsigned char want[32] = {'A', 'T', 'T', 'N', 'T', 'O', 'K', '1', 1, 0, 0, 0, 2, 0, 0, 0,
                                               0xe8, 3, 0, 0, 0, 0, 0, 0, 0x2c, 1, 0, 0, 0, 0, 0, 0};
        CHECK(!memcmp(b, want, 32));
        CHECK(b[32 + 2 * 999] == (299 & 0xff) && b[32 + 2 * 999 + 1] == (299 >> 8));   /* little-endian */
        free(b);
    }
    attn_shard *s = NULL;
    CHECK_OK(attn_shard_open(path, &s));
    if (!s) return;
    CHECK(attn_shard_len(s) == 1000);
    CHECK(attn_shard_vocab_size(s) == 300);
    int32_t out[1000];
    memset(out, 0xff, sizeof out);
    CHECK_OK(attn_shard_read(s, 0, 1000, out));
    CHECK(!memcmp(out, ids, sizeof ids));
    int32_t part[5];
    CHECK_OK(attn_shard_read(s, 995, 5, part));
    CHECK(!memcmp(part, ids + 995, sizeof part));
    CHECK_OK(attn_shard_read(s, 1000, 0, part));
    attn_shard_close(s);
}

TEST("vocab above 65536 uses 4 bytes per token; 65536 still fits in 2") {
    const char *p16 = test_tmp_path("edge16.bin"), *p32 = test_tmp_path("u32.bin");
    int32_t a[3] = {0, 65535, 12345};
    CHECK_OK(attn_shard_write(p16, a, 3, 65536));
    CHECK(file_size(p16) == 32 + 6);
    int32_t b[4] = {65536, 0, 100000, 2000000};
    CHECK_OK(attn_shard_write(p32, b, 4, 2000001));
    CHECK(file_size(p32) == 32 + 16);
    attn_shard *s = NULL;
    int32_t out[4] = {0};
    CHECK_OK(attn_shard_open(p16, &s));
    CHECK(s && attn_shard_len(s) == 3);
    if (s) CHECK_OK(attn_shard_read(s, 0, 3, out));
    CHECK(!memcmp(out, a, sizeof a));
    attn_shard_close(s);
    s = NULL;
    CHECK_OK(attn_shard_open(p32, &s));
    CHECK(s && attn_shard_len(s) == 4 && attn_shard_vocab_size(s) == 2000001);
    if (s) CHECK_OK(attn_shard_read(s, 0, 4, out));
    CHECK(!memcmp(out, b, sizeof b));
    attn_shard_close(s);
    long n = 0;
    unsigned char *raw = read_bytes(p32, &n);
    if (raw) {
        CHECK(raw[12] == 4);
        CHECK(raw[32] == 0 && raw[33] == 0 && raw[34] == 1 && raw[35] == 0);   /* 65536 LE */
        free(raw);
    }
}

TEST("an empty shard opens with length 0") {
    const char *path = test_tmp_path("empty.bin");
    CHECK_OK(attn_shard_write(path, NULL, 0, 10));
    CHECK(file_size(path) == 32);
    attn_shard *s = NULL;
    CHECK_OK(attn_shard_open(path, &s));
    CHECK(s && attn_shard_len(s) == 0);
    attn_shard_close(s);
}

TEST("write refuses tokens outside the vocabulary and leaves no file") {
    const char *path = test_tmp_path("refused.bin");
    int32_t ids[3] = {1, 10, 2};
    CHECK_STATUS(attn_shard_write(path, ids, 3, 10), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "position 1") != NULL);
    ids[1] = -1;
    CHECK_STATUS(attn_shard_write(path, ids, 3, 10), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_shard_write(path, ids, 3, 0), ATTN_ERR_INVALID_ARG);
    CHECK(file_size(path) == -1);
    CHECK_STATUS(attn_shard_write("/nonexistent/dir/x.bin", ids, 0, 10), ATTN_ERR_IO);
}

TEST("truncated shards are refused with 'truncated'") {
    const char *path = test_tmp_path("trunc.bin");
    int32_t ids[100];
    for (int i = 0; i < 100; i++) ids[i] = i;
    CHECK_OK(attn_shard_write(path, ids, 100, 100));
    CHECK(truncate(path, 32 + 2 * 100 - 1) == 0);
    attn_shard *s = NULL;
    CHECK_STATUS(attn_shard_open(path, &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "truncated") != NULL);
    CHECK(strstr(attn_last_error(), path) != NULL);
    CHECK(s == NULL);
    CHECK(truncate(path, 20) == 0);   /* not even a header */
    CHECK_STATUS(attn_shard_open(path, &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "truncated") != NULL);
    CHECK(truncate(path, 0) == 0);
    CHECK_STATUS(attn_shard_open(path, &s), ATTN_ERR_FORMAT);
}

/* Writes a valid 4-token shard, lets `patch` edit its bytes, then opens it. */
static attn_status open_patched(const char *name, void (*patch)(unsigned char *b, long *n), attn_shard **s) {
    const char *path = test_tmp_path(name);
    int32_t ids[4] = {0, 1, 2, 3};
    attn_status st = attn_shard_write(path, ids, 4, 4);
    if (st != ATTN_OK) return st;
    long n = 0;
    unsigned char *b = read_bytes(path, &n);
    if (!b) return ATTN_ERR_IO;
    unsigned char big[64];
    memcpy(big, b, (size_t)n);
    free(b);
    patch(big, &n);
    write_bytes(path, big, (size_t)n);
    return attn_shard_open(path, s);
}
static void bad_magic(unsigned char *b, long *n) { memcpy(b, "ATTNTOK2", 8); }
static void bad_version(unsigned char *b, long *n) { b[8] = 2; }
static void bad_width(unsigned char *b, long *n) { b[12] = 4; }
static void bad_reserved(unsigned char *b, long *n) { b[28] = 1; }
static void bad_vocab(unsigned char *b, long *n) { memset(b + 24, 0, 4); }
static void trailing(unsigned char *b, long *n) { b[(*n)++] = 0; }
static void lying_count(unsigned char *b, long *n) { b[16] = 0xff; b[20] = 0xff; }
static void token_too_big(unsigned char *b, long *n) { b[32 + 2 * 2] = 9; }

TEST("wrong magic, version, width, reserved field or size are refused") {
    attn_shard *s = NULL;
    CHECK_STATUS(open_patched("magic.bin", bad_magic, &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "not a token shard") != NULL);
    CHECK_STATUS(open_patched("version.bin", bad_version, &s), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "version 2") != NULL);
    CHECK_STATUS(open_patched("width.bin", bad_width, &s), ATTN_ERR_FORMAT);
    CHECK_STATUS(open_patched("reserved.bin", bad_reserved, &s), ATTN_ERR_FORMAT);
    CHECK_STATUS(open_patched("vocab.bin", bad_vocab, &s), ATTN_ERR_FORMAT);
    CHECK_STATUS(open_patched("trailing.bin", trailing, &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "trailing") != NULL);
    CHECK_STATUS(open_patched("lying.bin", lying_count, &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "truncated") != NULL);
    CHECK(s == NULL);
    CHECK_STATUS(attn_shard_open("/nonexistent/x.bin", &s), ATTN_ERR_IO);
}

TEST("a token >= vocab_size is caught by read, not open") {
    attn_shard *s = NULL;
    CHECK_OK(open_patched("bigtok.bin", token_too_big, &s));
    if (!s) return;
    int32_t out[4];
    CHECK_OK(attn_shard_read(s, 0, 2, out));
    CHECK(out[0] == 0 && out[1] == 1);
    CHECK_STATUS(attn_shard_read(s, 1, 3, out), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "token 9 at position 2") != NULL);
    CHECK_OK(attn_shard_read(s, 3, 1, out));
    CHECK(out[0] == 3);
    attn_shard_close(s);
}

TEST("reads outside the shard are refused") {
    const char *path = test_tmp_path("range.bin");
    int32_t ids[10] = {0};
    CHECK_OK(attn_shard_write(path, ids, 10, 2));
    attn_shard *s = NULL;
    CHECK_OK(attn_shard_open(path, &s));
    if (!s) return;
    int32_t out[16];
    CHECK_STATUS(attn_shard_read(s, -1, 2, out), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_shard_read(s, 9, 2, out), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_shard_read(s, 11, 0, out), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_shard_read(s, 0, -1, out), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_shard_read(s, 5, INT64_MAX, out), ATTN_ERR_INVALID_ARG);
    CHECK_OK(attn_shard_read(s, 0, 10, out));
    attn_shard_close(s);
    attn_shard_close(NULL);
}

/* ---- prepare ---------------------------------------------------------------- */

/* Decodes a whole shard with tok. */
static char *decode_shard(const char *path, const attn_tokenizer *tok, int64_t *n_out) {
    attn_shard *s = NULL;
    char *text = NULL;
    *n_out = -1;
    if (attn_shard_open(path, &s) != ATTN_OK) return NULL;
    int64_t n = attn_shard_len(s);
    int32_t *ids = malloc((size_t)(n ? n : 1) * sizeof *ids);
    if (ids && attn_shard_read(s, 0, n, ids) == ATTN_OK && attn_tokenizer_decode(tok, ids, n, &text, NULL) == ATTN_OK)
        *n_out = n;
    free(ids);
    attn_shard_close(s);
    return text;
}

TEST("prepare splits each document at a line start and ends every piece with eot") {
    const char *doc1 = test_tmp_path("doc1.txt"), *doc2 = test_tmp_path("doc2.txt"), *out = test_tmp_path("prep/nested/out");
    write_bytes(doc1, "aaaa\nbbbb\ncccc\ndddd\n", 20);   /* cut after the newline at byte 14 */
    write_bytes(doc2, "héllo wörld", 13);   /* no newline: byte 9 is inside ö, so the cut is 10 */
    attn_prepare_params p = attn_prepare_default_params();
    CHECK(p.val_fraction == 0.1 && p.tokenizer && !strcmp(p.tokenizer, "char"));
    const char *inputs[] = {doc1, doc2};
    p.inputs = inputs;
    p.n_inputs = 2;
    p.out_dir = out;
    p.val_fraction = 0.3;
    attn_prepare_result res = {0};
    CHECK_OK(attn_prepare(&p, &res));
    /* train: 15 chars + eot + 8 ("héllo wö") + eot; val: 5 + eot + 3 ("rld") + eot */
    CHECK(res.n_train == 25);
    CHECK(res.n_val == 10);
    CHECK(res.vocab_size == 15);   /* \n a b c d, h é l o ' ' w ö r, eot, <unk> */

    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(out, &tok));
    if (!tok) return;
    CHECK(attn_tokenizer_vocab_size(tok) == res.vocab_size);
    int64_t n = 0;
    char *train = decode_shard(test_tmp_path("prep/nested/out/train.bin"), tok, &n);
    CHECK(n == res.n_train);
    CHECK(train && !strcmp(train, "aaaa\nbbbb\ncccc\n<|endoftext|>héllo wö<|endoftext|>"));
    char *val = decode_shard(test_tmp_path("prep/nested/out/val.bin"), tok, &n);
    CHECK(n == res.n_val);
    CHECK(val && !strcmp(val, "dddd\n<|endoftext|>rld<|endoftext|>"));
    attn_free(train);
    attn_free(val);

    /* the eot id sits at the document ends */
    attn_shard *s = NULL;
    CHECK_OK(attn_shard_open(test_tmp_path("prep/nested/out/val.bin"), &s));
    int32_t ids[10] = {0};
    if (s) CHECK_OK(attn_shard_read(s, 0, 10, ids));
    CHECK(ids[5] == attn_tokenizer_eot(tok) && ids[9] == attn_tokenizer_eot(tok));
    CHECK(ids[0] != attn_tokenizer_eot(tok));
    attn_shard_close(s);

    long mlen = 0;
    unsigned char *meta = read_bytes(test_tmp_path("prep/nested/out/meta.json"), &mlen);
    cJSON *m = meta ? cJSON_ParseWithLength((const char *)meta, (size_t)mlen) : NULL;
    CHECK(m != NULL);
    if (m) {
        CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m, "tokenizer")), "char"));
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(m, "vocab_size")) == res.vocab_size);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(m, "n_train")) == 25);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(m, "n_val")) == 10);
        CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItem(m, "val_fraction")), 0.3, 1e-12);
        cJSON *in = cJSON_GetObjectItem(m, "inputs");
        CHECK(cJSON_GetArraySize(in) == 2 && !strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(in, 1)), doc2));
        cJSON_Delete(m);
    }
    free(meta);
    attn_tokenizer_free(tok);
}

TEST("prepare with val_fraction 0 puts everything in train") {
    const char *doc = test_tmp_path("all.txt");
    write_bytes(doc, "one\ntwo\n", 8);
    attn_prepare_params p = attn_prepare_default_params();
    p.inputs = &doc;
    p.n_inputs = 1;
    p.out_dir = test_tmp_path("prep0");
    p.val_fraction = 0;
    attn_prepare_result res = {0};
    CHECK_OK(attn_prepare(&p, &res));
    CHECK(res.n_train == 9 && res.n_val == 0);
    CHECK(res.vocab_size == 8);   /* \n e n o t w + eot + <unk> */
    CHECK(file_size(test_tmp_path("prep0/val.bin")) == 32);
}

TEST("prepare with a saved tokenizer reuses its ids and counts characters outside it, written as <unk>") {
    const char *a = test_tmp_path("tokA.txt"), *b = test_tmp_path("tokB.txt"), *c = test_tmp_path("tokC.txt");
    write_bytes(a, "abc\nabc\n", 8);
    write_bytes(b, "cab\n", 4);
    write_bytes(c, "ab\nabz\n", 7);
    attn_prepare_params p = attn_prepare_default_params();
    p.inputs = &a;
    p.n_inputs = 1;
    p.out_dir = test_tmp_path("tokout1");
    attn_prepare_result r1 = {0}, r2 = {0};
    CHECK_OK(attn_prepare(&p, &r1));
    p.tokenizer = test_tmp_path("tokout1");
    p.inputs = &b;
    p.out_dir = test_tmp_path("tokout2");
    p.val_fraction = 0;
    CHECK_OK(attn_prepare(&p, &r2));
    CHECK(r2.vocab_size == r1.vocab_size && r2.n_train == 5);
    attn_shard *s = NULL;
    int32_t ids[5] = {0};
    CHECK_OK(attn_shard_open(test_tmp_path("tokout2/train.bin"), &s));
    if (s) CHECK_OK(attn_shard_read(s, 0, 5, ids));
    attn_shard_close(s);
    /* vocab of "abc\n": \n=0 a=1 b=2 c=3 eot=4 <unk>=5 */
    int32_t want[5] = {3, 1, 2, 0, 4};
    CHECK(!memcmp(ids, want, sizeof want));
    CHECK(r2.n_unknown == 0);
    p.inputs = &c;
    p.out_dir = test_tmp_path("tokout3");
    attn_prepare_result r3 = {0};
    CHECK_OK(attn_prepare(&p, &r3));
    CHECK(r3.n_unknown == 1 && r3.unknown_as_unk && r3.n_train == 8);
    int32_t ids3[8] = {0}, want3[8] = {1, 2, 0, 1, 2, 5, 0, 4};   /* "ab\nabz\n" + eot */
    CHECK_OK(attn_shard_open(test_tmp_path("tokout3/train.bin"), &s));
    if (s) CHECK_OK(attn_shard_read(s, 0, 8, ids3));
    attn_shard_close(s);
    CHECK(!memcmp(ids3, want3, sizeof want3));
}

TEST("prepare rejects missing, empty and non-UTF-8 files, and bad parameters, naming the file") {
    const char *good = test_tmp_path("good.txt"), *empty = test_tmp_path("empty.txt"), *latin1 = test_tmp_path("latin1.txt");
    const char *missing = test_tmp_path("missing.txt");
    write_bytes(good, "fine\n", 5);
    write_bytes(empty, "", 0);
    write_bytes(latin1, "caf\xe9\n", 5);
    attn_prepare_params p = attn_prepare_default_params();
    p.out_dir = test_tmp_path("never");
    const char *in[2] = {good, NULL};
    p.inputs = in;
    p.n_inputs = 2;

    in[1] = missing;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_IO);
    CHECK(strstr(attn_last_error(), missing) != NULL);
    in[1] = empty;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), empty) && strstr(attn_last_error(), "empty"));
    in[1] = latin1;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), latin1) && strstr(attn_last_error(), "line 1: invalid UTF-8 at byte offset 3 (0xe9)"));
    /* a NUL byte (binary data) is refused too, although it is valid UTF-8 */
    const char *bin = test_tmp_path("binary.txt");
    write_bytes(bin, "ok\nbad\0byte\n", 13);
    in[1] = bin;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), bin) && strstr(attn_last_error(), "line 2: NUL byte at byte offset 6"));

    p.n_inputs = 1;
    p.val_fraction = 0.6;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "val_fraction") != NULL);
    p.val_fraction = -0.01;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_INVALID_ARG);
    p.val_fraction = (double)NAN;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_INVALID_ARG);
    p.val_fraction = 0.1;
    p.n_inputs = 0;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "no input") != NULL);
    p.n_inputs = 1;
    p.tokenizer = test_tmp_path("no-such-tokenizer");
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_IO);
    CHECK(file_size(test_tmp_path("never")) == -1);   /* nothing written on failure */
}
