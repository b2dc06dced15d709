/* Fuzzes the token shard reader (src/data/shards.c): the input is a whole
 * .bin shard; an accepted shard is read in full, in windows as training
 * reads it, and each token checked against the vocabulary size. */
#include "fuzz_common.h"
#include "attn/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path("train.bin");
    fuzz_write(path, data, size);
    attn_shard *s = NULL;
    attn_status st = attn_shard_open(path, &s);
    fuzz_check_error(st);
    if (st != ATTN_OK) return 0;
    int64_t n = attn_shard_len(s);
    int32_t V = attn_shard_vocab_size(s), buf[64];
    if (n < 0 || (size_t)n > size) abort();
    for (int64_t at = 0; at < n; at += 64) {
        int64_t k = n - at < 64 ? n - at : 64;
        st = attn_shard_read(s, at, k, buf);
        fuzz_check_error(st);
        if (st == ATTN_OK)
            for (int64_t i = 0; i < k; i++)
                if (buf[i] < 0 || buf[i] >= V) abort();
    }
    if (attn_shard_read(s, n, 1, buf) == ATTN_OK) abort();   /* past the end */
    attn_shard_close(s);
    return 0;
}
