/* Exercising a tokenizer the fuzzers loaded: encode fixed text and a slice
 * of the input, decode the ids back, read every token's bytes. */
#ifndef ATTN_FUZZ_TOKENIZER_COMMON_H
#define ATTN_FUZZ_TOKENIZER_COMMON_H

#include "fuzz_common.h"
#include "attn/tokenizer.h"

static void fuzz_use_tokenizer(const attn_tokenizer *tok, const uint8_t *data, size_t size) {
    static const char sample[] = "Hello, world! It's 2024 -- na\xc3\xafve caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 <|endoftext|> [CLS]\n";
    int32_t V = attn_tokenizer_vocab_size(tok);
    if (V <= 0) abort();
    const char *texts[2] = {sample, (const char *)data};
    size_t lens[2] = {sizeof sample - 1, size > 256 ? 256 : size};
    for (int k = 0; k < 2; k++) {
        int32_t *ids = NULL;
        int64_t n = 0;
        attn_status st = attn_tokenizer_encode(tok, texts[k], lens[k], &ids, &n);
        fuzz_check_error(st);
        if (st == ATTN_OK) {
            for (int64_t i = 0; i < n; i++)
                if (ids[i] < 0 || ids[i] >= V) abort();
            char *text = NULL;
            size_t len = 0;
            fuzz_check_error(attn_tokenizer_decode(tok, ids, n, &text, &len));
            attn_free(text);
        }
        attn_free(ids);
    }
    int32_t *ids = NULL, *types = NULL;
    int64_t n = 0;
    fuzz_check_error(attn_tokenizer_encode_pair(tok, sample, sizeof sample - 1, sample, 12, 16, &ids, &types, &n));
    attn_free(ids);
    attn_free(types);
    for (int32_t id = 0; id < V && id < 4096; id++) {
        const char *b = NULL;
        size_t len = 0;
        fuzz_check_error(attn_tokenizer_token_bytes(tok, id, &b, &len));
    }
}

#endif
