/* bench_quant — the quantized linear layer (matmul_forward_q of the best
 * kernel table) at SmolLM2-135M's shapes: decoding (one row: GB/s of
 * weights read, and that as a share of this machine's read bandwidth,
 * measured here as bench_machine does, a sum on every thread, but over
 * 1 MiB pieces timed one by one) and prompt processing (512 rows: GMAC/s,
 * and the fp32 matmul_forward on the dequantized weights for comparison).
 * Each decoding shape cycles through enough copies of its weights (about
 * 256 MB) to leave the caches; every product is timed alone and the median
 * kept (on a machine shared with other work, a long window averages their
 * time slices in). Batched decoding (BATCH rows, a server's step over as many
 * sequences) is timed the same way, weights cold. Also the sum over one
 * token's products (30 layers + the Q8_0 head) as tokens/s if the products
 * were all a step did, for one row and for BATCH rows (tokens/s of the step,
 * and its ratio to one row's). One JSON line per shape, then a summary line.
 *   make build/bench/bench_quant && build/bench/bench_quant [--threads N] [--read-gbps X (skip the bandwidth pass)] */
#include "core/core.h"
#include "kernels/cpu/cpu_quant.h"
#include "kernels/kernels.h"
#include "kernels/quant.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
/* The median of n timings (sorts them). */
static double median(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return t[n / 2];
}

/* Bytes per second of sums over 1 MiB pieces of a 1 GiB buffer on every
 * thread (each piece timed alone, the median taken: the same short windows
 * as the products below, so that other processes' time slices, which long
 * windows would average in, count the same on both sides). */
static double read_bandwidth(void) {
    size_t n = (size_t)1 << 28, piece = (size_t)1 << 18;
    float *buf = attn_malloc_aligned(n * sizeof(float));
    if (!buf) return 0.0;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) buf[i] = (float)(i & 7);
    int np = (int)(n / piece);
    double *t = malloc(sizeof(double) * (size_t)np), sink = 0.0;
    for (int p = 0; p < np; p++) {
        const float *b = buf + (size_t)p * piece;
        double t0 = now(), s = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : s)
        for (size_t i = 0; i < piece; i += 16) {
            float a = 0.0f;
            for (int j = 0; j < 16; j++) a += b[i + (size_t)j];
            s += (double)a;
        }
        t[p] = now() - t0;
        sink += s;
    }
    double m = median(t, np);
    free(t);
    attn_free_aligned(buf);
    return sink == -1.0 ? 0.0 : (double)(piece * sizeof(float)) / m;
}

int main(int argc, char **argv) {
    int threads = 0;
    double read = 0.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--read-gbps") && i + 1 < argc) read = atof(argv[++i]) * 1e9;
        else {
            fprintf(stderr, "usage: bench_quant [--threads N] [--read-gbps X]\n");
            return 2;
        }
    }
    attn_set_threads(threads);
    if (read <= 0.0) read = read_bandwidth();
    const kernels *k = kernels_cpu_best();
    const char *path = k == &kernels_cpu_avx512 ? cpu_quant_path_avx512()
                       : k == &kernels_cpu_avx2 ? cpu_quant_path_avx2()
                                                : cpu_quant_path_generic();
    struct {
        const char *name;
        int64_t out, in;
        int qtype, per_token; /* how many of these a token runs */
    } shapes[] = {
        {"attn.q/o Q4_1", 576, 576, QUANT_Q4_1, 60},   {"attn.k/v Q4_1", 192, 576, QUANT_Q4_1, 60},
        {"mlp.gate/up Q4_1", 1536, 576, QUANT_Q4_1, 60}, {"mlp.down Q4_1", 576, 1536, QUANT_Q4_1, 30},
        {"attn.q/o Q8_0", 576, 576, QUANT_Q8_0, 60},   {"attn.k/v Q8_0", 192, 576, QUANT_Q8_0, 60},
        {"mlp.gate/up Q8_0", 1536, 576, QUANT_Q8_0, 60}, {"mlp.down Q8_0", 576, 1536, QUANT_Q8_0, 30},
        {"attn.q/o Q4_0", 576, 576, QUANT_Q4_0, 60},   {"mlp.gate/up Q4_0", 1536, 576, QUANT_Q4_0, 60},
        {"lm_head Q8_0", 49152, 576, QUANT_Q8_0, 1},
    };
    enum { NS = sizeof shapes / sizeof shapes[0], PROMPT = 512, BATCH = 8 };
    double token_s[3] = {0, 0, 0}, token_bytes[3] = {0, 0, 0}; /* Q4_1, Q8_0 models */
    double batch_s[3] = {0, 0, 0};
    float *x = malloc(sizeof(float) * PROMPT * 1536), *out = malloc(sizeof(float) * PROMPT * 49152);
    for (int64_t i = 0; i < PROMPT * 1536; i++) x[i] = rng_normal(1, 0, (uint64_t)i);
    for (int s = 0; s < NS; s++) {
        int64_t OC = shapes[s].out, C = shapes[s].in;
        int qt = shapes[s].qtype;
        size_t one = quant_row_bytes(qt, C) * (size_t)OC;
        int copies = (int)((256u << 20) / one) + 1;
        uint8_t *w = attn_malloc_aligned(one * (size_t)copies);
        float *wf = malloc(sizeof(float) * (size_t)(OC * C));
        for (int64_t i = 0; i < OC * C; i++) wf[i] = 0.05f * rng_normal(2, 0, (uint64_t)i);
        for (int64_t r = 0; r < OC; r++) quant_quantize_row(qt, wf + r * C, w + (size_t)r * quant_row_bytes(qt, C), C);
        for (int c = 1; c < copies; c++) memcpy(w + (size_t)c * one, w, one);
        int reps = 3, nt = reps * copies;
        double *ts = malloc(sizeof(double) * (size_t)nt);
        for (int rep = 0; rep < reps; rep++)
            for (int c = 0; c < copies; c++) {
                double t0 = now();
                k->matmul_forward_q(out, x, w + (size_t)c * one, qt, NULL, 1, C, OC);
                ts[rep * copies + c] = now() - t0;
            }
        double best = median(ts, nt);
        for (int rep = 0; rep < reps; rep++)
            for (int c = 0; c < copies; c++) {
                double t0 = now();
                k->matmul_forward_q(out, x, w + (size_t)c * one, qt, NULL, BATCH, C, OC);
                ts[rep * copies + c] = now() - t0;
            }
        double bbest = median(ts, nt);
        free(ts);
        double gbps = (double)one / best / 1e9;
        /* prompt processing: PROMPT rows through one copy */
        int64_t rows = OC > 10000 ? 64 : PROMPT;
        double pbest = 1e30, fbest = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = now();
            k->matmul_forward_q(out, x, w, qt, NULL, rows, C, OC);
            double t = now() - t0;
            if (t < pbest) pbest = t;
        }
        for (int64_t r = 0; r < OC; r++) quant_dequantize_row(qt, w + (size_t)r * quant_row_bytes(qt, C), wf + r * C, C);
        for (int rep = 0; rep < 3; rep++) {
            double t0 = now();
            k->matmul_forward(out, x, wf, NULL, rows, C, OC);
            double t = now() - t0;
            if (t < fbest) fbest = t;
        }
        double macs = (double)rows * (double)C * (double)OC;
        printf("{\"shape\": \"%s\", \"out\": %lld, \"in\": %lld, \"decode_us\": %.2f, \"decode_gb_per_s\": %.2f, "
               "\"share_of_read_bandwidth\": %.3f, \"batch%d_us\": %.2f, \"prompt_rows\": %lld, \"prompt_gmacs\": %.1f, "
               "\"fp32_prompt_gmacs\": %.1f}\n",
               shapes[s].name, (long long)OC, (long long)C, best * 1e6, gbps, gbps * 1e9 / read, BATCH, bbest * 1e6,
               (long long)rows, macs / pbest / 1e9, macs / fbest / 1e9);
        fflush(stdout);
        int m = qt == QUANT_Q4_1 ? 0 : qt == QUANT_Q8_0 ? 1 : 2;
        if (shapes[s].out == 49152) { /* the tied Q8_0 head: both models have it */
            for (int j = 0; j < 2; j++) token_s[j] += best, token_bytes[j] += (double)one, batch_s[j] += bbest;
        } else {
            token_s[m] += best * shapes[s].per_token;
            batch_s[m] += bbest * shapes[s].per_token;
            token_bytes[m] += (double)one * shapes[s].per_token;
        }
        attn_free_aligned(w);
        free(wf);
    }
    printf("{\"threads\": %d, \"path\": \"%s\", \"read_gb_per_s\": %.2f, "
           "\"q4_1_model_products_tokens_per_s\": %.1f, \"q4_1_model_gb_per_s\": %.2f, \"q4_1_share\": %.3f, "
           "\"q8_0_model_products_tokens_per_s\": %.1f, \"q8_0_model_gb_per_s\": %.2f, \"q8_0_share\": %.3f, "
           "\"q4_1_model_batch%d_tokens_per_s\": %.1f, \"q4_1_batch_gain\": %.2f, "
           "\"q8_0_model_batch%d_tokens_per_s\": %.1f, \"q8_0_batch_gain\": %.2f}\n",
           attn_get_threads(), path, read / 1e9, 1.0 / token_s[0], token_bytes[0] / token_s[0] / 1e9,
           token_bytes[0] / token_s[0] / read, 1.0 / token_s[1], token_bytes[1] / token_s[1] / 1e9,
           token_bytes[1] / token_s[1] / read, BATCH, BATCH / batch_s[0], BATCH * token_s[0] / batch_s[0], BATCH,
           BATCH / batch_s[1], BATCH * token_s[1] / batch_s[1]);
    free(x);
    free(out);
    return 0;
}
