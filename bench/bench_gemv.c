/* bench_gemv — the matrix-vector products of a decoding step (one token
 * through a linear layer): GB/s of weights read on the GPT-2 124M shapes,
 * for the BLAS's sgemv (fp32; 0 without a BLAS), attn's fp32 kernel and
 * attn's bf16 kernel (2 bytes per weight), as the linear layer runs them
 * (matmul_forward / matmul_forward_bf16 of the best kernel table, one
 * row). Each shape cycles through enough copies of its weights to leave
 * the caches (about 256 MB per pass), interleaved, best of 6. Compare with
 * bench_machine's read bandwidth. One JSON line per shape.
 *   bench_gemv [--threads N] */
#include "core/core.h"
#include "kernels/bf16.h"
#include "kernels/kernels.h"

#include <stdio.h>
#include <stdlib.h>
#ifdef ATTN_HAVE_BLAS
#include <cblas.h>
#endif

int main(int argc, char **argv) {
    int threads = argc > 2 && !strcmp(argv[1], "--threads") ? atoi(argv[2]) : 0;
    attn_set_threads(threads);
    const kernels *k = kernels_cpu_best();
    struct { const char *name; int64_t out, in; } layers[] = {
        {"attn.qkv", 2304, 768}, {"attn.proj", 768, 768}, {"mlp.fc", 3072, 768}, {"mlp.proj", 768, 3072}, {"lm_head", 50257, 768},
    };
    float *x = malloc(sizeof(float) * 3072), *out = malloc(sizeof(float) * 50257);
    for (int i = 0; i < 3072; i++) x[i] = rng_normal(1, 0, (uint64_t)i);
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        size_t one = (size_t)(layers[l].out * layers[l].in);
        int copies = (int)((256u << 20) / (one * 4)) + 1;
        float *W = malloc(one * 4 * (size_t)copies);
        uint16_t *Wh = malloc(one * 2 * (size_t)copies);
        if (!W || !Wh) return 1;
        for (size_t j = 0; j < one * (size_t)copies; j++) {
            W[j] = rng_normal(1, 1, j & 0xfffff);
            Wh[j] = bf16_from_f32(W[j]);
        }
        double best[3] = {1e30, 1e30, 1e30};
        for (int rep = 0; rep < 6; rep++)
            for (int f = 0; f < 3; f++) {
#ifndef ATTN_HAVE_BLAS
                if (f == 0) continue;
#endif
                double t0 = time_now();
                for (int c = 0; c < copies; c++) {
                    const float *w = W + (size_t)c * one;
                    if (f == 1) k->matmul_forward(out, x, w, NULL, 1, layers[l].in, layers[l].out);
                    if (f == 2) k->matmul_forward_bf16(out, x, Wh + (size_t)c * one, NULL, 1, layers[l].in, layers[l].out);
#ifdef ATTN_HAVE_BLAS
                    if (f == 0)
                        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)layers[l].out, (int)layers[l].in, 1.0f, w,
                                    (int)layers[l].in, x, 1, 0.0f, out, 1);
#endif
                }
                double dt = time_now() - t0;
                if (dt < best[f]) best[f] = dt;
            }
        double bytes = (double)one * copies;
        printf("{\"layer\": \"%s\", \"N\": %lld, \"K\": %lld, \"blas_sgemv_gb_per_s\": %.1f, \"attn_fp32_gb_per_s\": %.1f, "
               "\"attn_bf16_gb_per_s\": %.1f, \"kernels\": \"%s\"}\n",
               layers[l].name, (long long)layers[l].out, (long long)layers[l].in, best[0] < 1e29 ? 4 * bytes / best[0] / 1e9 : 0.0,
               4 * bytes / best[1] / 1e9, 2 * bytes / best[2] / 1e9, k->name);
        fflush(stdout);
        free(W), free(Wh);
    }
    free(x), free(out);
    return 0;
}
