/* Fuzzes the labelled-example reader (src/data/labeled.c): the input's
 * first byte picks the format (0 .tsv, 1 .csv, 2 .jsonl, modulo 3) and its
 * second whether the labels are collected (even) or fixed to "0" "1" "neg"
 * "pos" (odd); the rest is the file. */
#include "fuzz_common.h"
#include "attn/labeled.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const NAMES[] = {"data.tsv", "data.csv", "data.jsonl"};
    static const char *const LABELS[] = {"0", "1", "neg", "pos"};
    if (size < 2) return 0;
    const char *path = fuzz_path(NAMES[data[0] % 3]);
    fuzz_write(path, data + 2, size - 2);
    attn_labeled *d = NULL;
    attn_status st = attn_labeled_read(path, LABELS, (data[1] & 1) ? 4 : 0, &d);
    fuzz_check_error(st);
    if (st == ATTN_OK) {
        if (d->n < 1 || d->n_labels < 1) abort();
        for (int64_t i = 0; i < d->n; i++) {
            if (d->label[i] < 0 || d->label[i] >= d->n_labels) abort();
            if (!d->text[i][0] || (d->text_pair && !d->text_pair[i][0])) abort();
        }
    }
    attn_labeled_free(d);
    return 0;
}
