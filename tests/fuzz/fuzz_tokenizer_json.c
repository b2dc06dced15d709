/* Fuzzes tokenizer.json (src/tokenizers/tokenizer.c's dispatch on
 * "model.type", added tokens, normalizer / pre-tokenizer / post-processor
 * fields, and each kind's reader: char.c, bpe.c, wordpiece.c): the input is
 * the file; a tokenizer that loads is then used (fuzz_tokenizer_common.h). */
#include "fuzz_tokenizer_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_path("tokenizer.json");
    fuzz_write(path, data, size);
    attn_tokenizer *tok = NULL;
    attn_status st = attn_tokenizer_load(path, &tok);
    fuzz_check_error(st);
    if (st == ATTN_OK) fuzz_use_tokenizer(tok, data, size);
    attn_tokenizer_free(tok);
    return 0;
}
