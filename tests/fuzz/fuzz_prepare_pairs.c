/* Fuzzes parallel text (src/data/prepare_pairs.c through attn_prepare_pairs):
 * the input is the training file, "source TAB target" per line; the
 * tokenizer is a small byte-level BPE with <s> <pad> </s> <unk>, trained once
 * at start-up. The input's first byte picks the wrapping (BART or EOS, bit 0)
 * and a max_len (0 or 4, bit 1). An accepted file's pair shard is reopened. */
#include "fuzz_common.h"
#include "attn/data.h"
#include "attn/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *tok_dir, *out_dir;

static void setup(void) {
    static const char text[] = "the cat sat on the mat\tle chat est sur le tapis\n"
                               "a dog ran\tun chien courait\nhello world\tbonjour le monde\n";
    static const char *const special[] = {"<s>", "<pad>", "</s>", "<unk>"};
    const char *corpus = fuzz_path("corpus.txt");
    fuzz_write(corpus, text, sizeof text - 1);
    attn_tokenizer *tok = NULL;
    tok_dir = strdup(fuzz_path("tok"));
    out_dir = strdup(fuzz_path("out"));
    if (attn_tokenizer_train_bpe_special(&corpus, 1, 300, 1, special, 4, &tok) != ATTN_OK ||
        attn_tokenizer_save(tok, tok_dir) != ATTN_OK) {
        fprintf(stderr, "fuzz_prepare_pairs: %s\n", attn_last_error());
        abort();
    }
    attn_tokenizer_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!tok_dir) setup();
    if (size < 1) return 0;
    const char *train = fuzz_path("train.txt");
    fuzz_write(train, data + 1, size - 1);
    attn_prepare_pairs_params pp = attn_prepare_pairs_default_params();
    pp.tokenizer = tok_dir;
    pp.train = train;
    pp.out_dir = out_dir;
    pp.wrap = (data[0] & 1) ? ATTN_WRAP_EOS : ATTN_WRAP_BART;
    pp.max_len = (data[0] & 2) ? 4 : 0;
    attn_prepare_pairs_result res;
    attn_status st = attn_prepare_pairs(&pp, &res);
    fuzz_check_error(st);
    if (st == ATTN_OK) {
        char shard[600];
        snprintf(shard, sizeof shard, "%s/train.pairs", out_dir);
        attn_pairs *p = NULL;
        st = attn_pairs_open(shard, &p);
        if (st != ATTN_OK && res.train.n_pairs > 0) abort();
        if (st == ATTN_OK && attn_pairs_get_info(p).n_pairs != res.train.n_pairs) abort();
        attn_pairs_close(p);
    }
    return 0;
}
