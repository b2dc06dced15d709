/* Fuzzes GPT-2's pair of BPE files (bpe.c's bpe_tokenizer_load_files
 * through attn_tokenizer_load on a directory): the input holds vocab.json,
 * a NUL byte, then merges.txt (no NUL: all of it is vocab.json and
 * merges.txt is empty). A tokenizer that loads is then used. */
#include "fuzz_tokenizer_common.h"

#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *dir;
    if (!dir) {
        dir = fuzz_path("bpe");
        if (mkdir(dir, 0700) != 0) abort();
        dir = strdup(dir);
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t n_vocab = nul ? (size_t)(nul - data) : size;
    char vocab[600], merges[600];
    snprintf(vocab, sizeof vocab, "%s/vocab.json", dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", dir);
    fuzz_write(vocab, data, n_vocab);
    fuzz_write(merges, nul ? nul + 1 : data, nul ? size - n_vocab - 1 : 0);
    attn_tokenizer *tok = NULL;
    attn_status st = attn_tokenizer_load(dir, &tok);
    fuzz_check_error(st);
    if (st == ATTN_OK) fuzz_use_tokenizer(tok, data, size);
    attn_tokenizer_free(tok);
    return 0;
}
