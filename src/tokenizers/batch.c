/* batch.c — attn_tokenizer_encode_batch: many texts encoded on OpenMP
 * threads, each exactly as attn_tokenizer_encode encodes it alone.
 *
 * The texts are cut into chunks of consecutive texts (several per thread,
 * handed out dynamically, so long texts do not leave threads idle). A chunk
 * appends its ids to its own buffer and writes its texts' offsets relative
 * to it; then each chunk's ids are copied to their place in the result and
 * its offsets shifted. Every kind's encode is safe to call from several
 * threads at once (BPE keeps one word cache per concurrent caller, bpe.c).
 *
 * Errors: a worker's message lives in its thread's attn_last_error, so a
 * failing chunk copies it; the lowest failing text's is reported, as a
 * sequential loop that stops at the first error would report it. */
#include "tokenizers/tokenizer_impl.h"

#include <stdio.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define CHUNKS_PER_THREAD 8
#define MIN_CHUNK_BYTES 4096   /* below this a chunk is not worth a thread */

typedef struct batch_chunk {
    int64_t first, end;   /* texts [first, end) */
    tok_ids ids;
    attn_status st;
    int64_t failed;       /* the text that failed */
    char msg[512];
} batch_chunk;

static void encode_chunk(const attn_tokenizer *tok, const char *const *texts, const size_t *lens, int64_t *offsets,
                         batch_chunk *c) {
    for (int64_t i = c->first; i < c->end; i++) {
        size_t len = lens ? lens[i] : (texts[i] ? strlen(texts[i]) : 0);
        offsets[i] = c->ids.n;
        attn_status st = ATTN_OK;
        if (!texts[i] && len) st = attn_errorf(ATTN_ERR_INVALID_ARG, "NULL text of %zu bytes", len);
        else if (len > (size_t)INT64_MAX - 1) st = attn_errorf(ATTN_ERR_INVALID_ARG, "text of %zu bytes is too long", len);
        else if (len && (st = tok_ids_reserve(&c->ids, (int64_t)len + 1)) == ATTN_OK)
            st = tokenizer_encode_append(tok, texts[i], len, 0, &c->ids);
        if (st != ATTN_OK) {
            c->st = st;
            c->failed = i;
            snprintf(c->msg, sizeof c->msg, "%s", attn_last_error());
            return;
        }
    }
}

attn_status attn_tokenizer_encode_batch(const attn_tokenizer *tok, const char *const *texts, const size_t *lens,
                                        int64_t n, int32_t **ids, int64_t *offsets, int n_threads) {
    if (!tok || !ids || !offsets || n < 0 || (n > 0 && !texts))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_encode_batch: NULL argument or negative count");
    *ids = NULL;
    if (n_threads <= 0) n_threads = attn_get_threads();
    if (n_threads < 1) n_threads = 1;

    size_t total_bytes = 0;
    for (int64_t i = 0; i < n; i++) total_bytes += lens ? lens[i] : (texts[i] ? strlen(texts[i]) : 0);
    int64_t n_chunks = (int64_t)n_threads * CHUNKS_PER_THREAD;
    n_chunks = ATTN_MIN(n_chunks, (int64_t)(total_bytes / MIN_CHUNK_BYTES) + 1);
    n_chunks = ATTN_MAX(ATTN_MIN(n_chunks, n), 1);
    if (n_chunks == 1) n_threads = 1;

    batch_chunk *chunks = attn_calloc((size_t)n_chunks, sizeof *chunks);
    if (!chunks) return ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t c = 0; c < n_chunks; c++) {
        chunks[c].first = n * c / n_chunks;
        chunks[c].end = n * (c + 1) / n_chunks;
    }

#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_threads) if (n_threads > 1)
#endif
    for (int64_t c = 0; c < n_chunks; c++) encode_chunk(tok, texts, lens, offsets, &chunks[c]);

    attn_status st = ATTN_OK;
    int64_t total = 0;
    for (int64_t c = 0; c < n_chunks; c++) {
        if (chunks[c].st != ATTN_OK) {
            st = chunks[c].st;
            if (st == ATTN_ERR_OUT_OF_MEMORY) attn_errorf(st, "text %lld: out of memory", (long long)chunks[c].failed);
            else attn_errorf(st, "text %lld: %s", (long long)chunks[c].failed, chunks[c].msg);
            goto done;
        }
        total += chunks[c].ids.n;
    }
    int32_t *out = attn_malloc((size_t)(total ? total : 1) * sizeof *out);
    if (!out) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    int64_t base = 0;
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t k = chunks[c].ids.n;
        chunks[c].ids.n = base;   /* from here: the chunk's place in out */
        base += k;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(n_threads) if (n_threads > 1 && total > (1 << 20))
#endif
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t at = chunks[c].ids.n;
        int64_t next = c + 1 < n_chunks ? chunks[c + 1].ids.n : total;
        if (next > at) memcpy(out + at, chunks[c].ids.data, (size_t)(next - at) * sizeof *out);
        for (int64_t i = chunks[c].first; i < chunks[c].end; i++) offsets[i] += at;
    }
    offsets[n] = total;
    *ids = out;
done:
    for (int64_t c = 0; c < n_chunks; c++) attn_free(chunks[c].ids.data);
    attn_free(chunks);
    return st;
}
