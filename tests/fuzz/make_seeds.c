/* make_seeds.c — writes the generated part of the seed corpora under
 * tests/fuzz/corpus/ (run from the repository root by
 * tests/fuzz/make_seeds.sh): small tokenizers of every kind saved by attn,
 * token and pair shards, safetensors files of every dtype. Not a test. */
#include "attn/data.h"
#include "attn/tokenizer.h"
#include "io/safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ok(attn_status st, const char *what) {
    if (st != ATTN_OK) {
        fprintf(stderr, "make_seeds: %s: %s\n", what, attn_last_error());
        exit(1);
    }
}

static void save_tokenizer(attn_tokenizer *tok, const char *dir, const char *name) {
    ok(attn_tokenizer_save(tok, dir), name);
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/tokenizer.json", dir);
    snprintf(to, sizeof to, "tests/fuzz/corpus/fuzz_tokenizer_json/%s", name);
    if (rename(from, to) != 0) {
        perror(to);
        exit(1);
    }
    attn_tokenizer_free(tok);
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    const char *tmp = argv[1];   /* a scratch directory */
    char text_path[512];
    snprintf(text_path, sizeof text_path, "%s/text.txt", tmp);
    static const char text[] = "The cat sat on the mat. The dog sat on the log.\nA cat, a dog; caf\xc3\xa9 na\xc3\xafve!\n"
                               "Hello world, hello there. It's 42 o'clock.\n";
    FILE *f = fopen(text_path, "wb");
    if (!f || fwrite(text, 1, sizeof text - 1, f) != sizeof text - 1 || fclose(f)) return 1;
    const char *files[1] = {text_path};

    attn_tokenizer *tok = NULL;
    ok(attn_tokenizer_new_char(text, sizeof text - 1, &tok), "char");
    save_tokenizer(tok, tmp, "char.json");
    ok(attn_tokenizer_train_bpe(files, 1, 300, 1, &tok), "bpe");
    save_tokenizer(tok, tmp, "bpe.json");
    static const char *const special[] = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"};
    ok(attn_tokenizer_train_bpe_special(files, 1, 300, 1, special, 5, &tok), "bpe special");
    save_tokenizer(tok, tmp, "bpe_special.json");
    ok(attn_tokenizer_train_wordpiece(files, 1, 80, 1, &tok), "wordpiece");
    save_tokenizer(tok, tmp, "wordpiece.json");
    ok(attn_tokenizer_new_amino(&tok), "amino");
    save_tokenizer(tok, tmp, "amino.json");

    int32_t ids[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    ok(attn_shard_write("tests/fuzz/corpus/fuzz_shards/small.bin", ids, 12, 20), "shard");
    ok(attn_shard_write("tests/fuzz/corpus/fuzz_shards/empty.bin", NULL, 0, 5), "shard");
    ok(attn_shard_write("tests/fuzz/corpus/fuzz_shards/wide.bin", ids, 12, 70000), "shard");

    attn_pairs_info info = {.n_pairs = 3, .vocab_size = 20, .pad_id = 1, .decoder_start_id = 2,
                            .src_bos = 0, .src_eos = 2, .tgt_bos = 0, .tgt_eos = 2};
    int32_t src[] = {0, 5, 6, 2, 0, 7, 2, 0, 8, 9, 10, 2}, tgt[] = {0, 11, 2, 0, 12, 13, 2, 0, 14, 2};
    int64_t src_off[] = {0, 4, 7, 12}, tgt_off[] = {0, 3, 7, 10};
    ok(attn_pairs_write("tests/fuzz/corpus/fuzz_pairs/bart.pairs", &info, src, src_off, tgt, tgt_off), "pairs");
    info.vocab_size = 70000;
    info.src_bos = info.tgt_bos = -1;
    ok(attn_pairs_write("tests/fuzz/corpus/fuzz_pairs/wide.pairs", &info, src, src_off, tgt, tgt_off), "pairs");

    float w[6] = {1, -2, 3.5f, 0, 1e-3f, 7};
    double d[2] = {0.25, -8};
    int64_t i64[3] = {1, -2, 3};
    uint16_t half[4] = {0x3c00, 0xc000, 0x7bff, 0x0001};
    uint8_t u8[4] = {0, 1, 255, 7};
    int64_t s23[2] = {2, 3}, s2[1] = {2}, s3[1] = {3}, s4[1] = {4}, s22[2] = {2, 2}, s04[2] = {0, 4};
    st_entry e[] = {{"weight", ST_F32, 2, s23, w}, {"f64", ST_F64, 1, s2, d},     {"ids", ST_I64, 1, s3, i64},
                    {"f16", ST_F16, 1, s4, half},  {"bf16", ST_BF16, 2, s22, half}, {"u8", ST_U8, 1, s4, u8},
                    {"mask", ST_BOOL, 1, s4, u8},  {"scalar", ST_F32, 0, NULL, w},  {"empty", ST_F32, 2, s04, NULL}};
    static const char *const meta[] = {"format", "pt", NULL};
    ok(st_write("tests/fuzz/corpus/fuzz_safetensors/dtypes.safetensors", e, 9, meta), "safetensors");
    return 0;
}
