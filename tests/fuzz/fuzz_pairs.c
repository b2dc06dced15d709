/* Fuzzes the pair shard reader (src/data/pairs_file.c) and the batch loader
 * over it (src/data/pairs.c): the input is a whole .pairs file; every pair
 * of an accepted shard is read, then a loader hands out a few batches. */
#include "fuzz_common.h"
#include "attn/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path("train.pairs");
    fuzz_write(path, data, size);
    attn_pairs *p = NULL;
    attn_status st = attn_pairs_open(path, &p);
    fuzz_check_error(st);
    if (st != ATTN_OK) return 0;
    attn_pairs_info info = attn_pairs_get_info(p);
    if (info.n_pairs < 0 || (size_t)info.n_pairs > size) abort();
    int32_t *src = attn_malloc((size_t)(info.max_src_len + 1) * 4), *tgt = attn_malloc((size_t)(info.max_tgt_len + 1) * 4);
    for (int64_t i = 0; src && tgt && i < info.n_pairs; i++) {
        if (attn_pairs_src_len(p, i) < 1 || attn_pairs_src_len(p, i) > info.max_src_len) abort();
        if (attn_pairs_tgt_len(p, i) < 1 || attn_pairs_tgt_len(p, i) > info.max_tgt_len) abort();
        fuzz_check_error(attn_pairs_read(p, i, src, tgt));
    }
    attn_free(src);
    attn_free(tgt);
    attn_pair_loader_params lp = attn_pair_loader_default_params();
    lp.batch_tokens = 256;
    attn_pair_loader *l = NULL;
    st = attn_pair_loader_new(p, &lp, &l);
    fuzz_check_error(st);
    for (int k = 0; st == ATTN_OK && k < 8; k++) {
        attn_pair_batch b;
        st = attn_pair_loader_next(l, &b);
        fuzz_check_error(st);
        if (st == ATTN_OK && (b.B < 1 || b.B * (b.S > b.T ? b.S : b.T) > lp.batch_tokens)) abort();
    }
    attn_pair_loader_free(l);
    attn_pairs_close(p);
    return 0;
}
