/* bench_tokenize — encode throughput of a file cut into lines (each keeps its
 * '\n'): one attn_tokenizer_encode per line on one thread ("sequential"),
 * then attn_tokenizer_encode_batch over all lines on N threads ("batch").
 * Checks the two give the same ids, and prints, best of --reps runs:
 *     sequential 1 thread  SECONDS s  MB/s
 *     batch N threads      SECONDS s  MB/s
 * then "speedup X". Build: make build/bench/bench_tokenize.
 *   build/bench/bench_tokenize -t TOKENIZER [--threads 2] [--reps 3] FILE... */
#include "attn/tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what) {
    fprintf(stderr, "bench_tokenize: %s: %s\n", what, attn_last_error());
    return 1;
}

int main(int argc, char **argv) {
    const char *tok_path = NULL;
    int n_threads = 2, reps = 3;
    char *text = NULL;
    size_t len = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) tok_path = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) n_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_tokenize -t TOKENIZER [--threads N] [--reps R] FILE...\n");
            return 2;
        } else {
            FILE *f = fopen(argv[i], "rb");
            if (!f) {
                fprintf(stderr, "bench_tokenize: cannot open %s\n", argv[i]);
                return 1;
            }
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            fseek(f, 0, SEEK_SET);
            text = realloc(text, len + (size_t)n + 1);
            if (!text || fread(text + len, 1, (size_t)n, f) != (size_t)n) {
                fprintf(stderr, "bench_tokenize: cannot read %s\n", argv[i]);
                return 1;
            }
            fclose(f);
            len += (size_t)n;
        }
    }
    if (!tok_path || !text || n_threads < 1 || reps < 1) {
        fprintf(stderr, "usage: bench_tokenize -t TOKENIZER [--threads N] [--reps R] FILE...\n");
        return 2;
    }
    attn_tokenizer *tok = NULL;
    if (attn_tokenizer_load(tok_path, &tok) != ATTN_OK) return fail(tok_path);

    int64_t n = 0;
    for (size_t i = 0; i < len; i++) n += text[i] == '\n';
    n += len && text[len - 1] != '\n';
    const char **lines = malloc((size_t)(n ? n : 1) * sizeof *lines);
    size_t *lens = malloc((size_t)(n ? n : 1) * sizeof *lens);
    int64_t *off = malloc((size_t)(n + 1) * sizeof *off);
    int64_t k = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        lines[k] = text + pos;
        lens[k++] = end - pos;
        pos = end;
    }

    double best_seq = 1e30, best_batch = 1e30;
    int64_t n_seq = 0, n_batch = 0;
    int same = 1;
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        int64_t total = 0;
        uint64_t h_seq = 1469598103934665603ULL;
        for (int64_t i = 0; i < n; i++) {
            int32_t *ids = NULL;
            int64_t m = 0;
            if (attn_tokenizer_encode(tok, lines[i], lens[i], &ids, &m) != ATTN_OK) return fail("encode");
            for (int64_t j = 0; j < m; j++) h_seq = (h_seq ^ (uint32_t)ids[j]) * 1099511628211ULL;
            total += m;
            attn_free(ids);
        }
        double t1 = now_s();
        int32_t *ids = NULL;
        if (attn_tokenizer_encode_batch(tok, lines, lens, n, &ids, off, n_threads) != ATTN_OK)
            return fail("encode_batch");
        double t2 = now_s();
        uint64_t h_batch = 1469598103934665603ULL;
        for (int64_t j = 0; j < off[n]; j++) h_batch = (h_batch ^ (uint32_t)ids[j]) * 1099511628211ULL;
        same &= h_seq == h_batch && total == off[n];
        attn_free(ids);
        n_seq = total;
        n_batch = off[n];
        if (t1 - t0 < best_seq) best_seq = t1 - t0;
        if (t2 - t1 < best_batch) best_batch = t2 - t1;
    }
    double mb = (double)len / 1e6;
    printf("%s: %.2f MB, %lld lines, %lld ids, best of %d\n", attn_tokenizer_kind(tok), mb, (long long)n,
           (long long)n_seq, reps);
    printf("sequential 1 thread  %8.3f s %8.2f MB/s\n", best_seq, mb / best_seq);
    printf("batch %d threads      %8.3f s %8.2f MB/s\n", n_threads, best_batch, mb / best_batch);
    printf("speedup %.2f\n", best_seq / best_batch);
    if (!same) printf("ids DIFFER: sequential %lld ids, batch %lld\n", (long long)n_seq, (long long)n_batch);
    attn_tokenizer_free(tok);
    free(lines);
    free(lens);
    free(off);
    free(text);
    return same ? 0 : 1;
}
