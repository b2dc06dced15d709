/* Fuzzes vocab.txt files — BERT's (wordpiece.c) and ESM's (esm_vocab.c, one
 * that starts with <cls>; seed esm_style.txt) — loaded
 * through attn_tokenizer_load on the file's path: the input is the file.
 * A tokenizer that loads is then used. */
#include "fuzz_tokenizer_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path("vocab.txt");
    fuzz_write(path, data, size);
    attn_tokenizer *tok = NULL;
    attn_status st = attn_tokenizer_load(path, &tok);
    fuzz_check_error(st);
    if (st == ATTN_OK) fuzz_use_tokenizer(tok, data, size);
    attn_tokenizer_free(tok);
    return 0;
}
