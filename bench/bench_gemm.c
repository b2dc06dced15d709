/* bench_gemm — GFLOP/s of the matrix products a transformer step runs, in
 * fp32 for the BLAS (OpenBLAS when found; 0 without one), attn's packed
 * AVX-512 kernel (0 on CPUs without AVX-512; with its max difference from
 * the BLAS, or from the built-in loop), its AVX2 + FMA kernel (0 without
 * them; its max difference likewise) and the built-in blocked loop (the
 * fallback). Shapes: GPT-2 124M at B*T = 1024 rows:
 * forward out = x W^T (NT), backward dx = dy W (NN) and dW = dy^T x (TN).
 * bf16: the same products through gemm_bf16 as the bf16 linear layer runs
 * them (activations fp32 rounded while packed, weights already bf16; dW
 * from two fp32 operands), on the best build for this CPU, with its max
 * difference from the fp32 result (bf16 rounding, ~2^-8 relative).
 * One JSON line per (shape, case). */
#include "core/core.h"
#include "kernels/bf16.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/gemm_bf16.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double max_diff(const float *a, const float *b, size_t n) {
    double d = 0;
    for (size_t i = 0; i < n; i++) d = fmax(d, fabs((double)a[i] - (double)b[i]));
    return d;
}

typedef void (*gemm_fn)(bool, bool, int64_t, int64_t, int64_t, float, const float *, int64_t, const float *, int64_t,
                        float, float *, int64_t);

static double run(gemm_fn f, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float *A, const float *B, float *C,
                  int reps) {
    int64_t lda = ta ? M : K, ldb = tb ? K : N;
    f(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N); /* warm */
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = time_now();
        f(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
        double dt = time_now() - t0;
        if (dt < best) best = dt;
    }
    return 2.0 * (double)M * (double)N * (double)K / best / 1e9;
}

typedef void (*gemm_bf16_fn)(bool, bool, int64_t, int64_t, int64_t, const void *, gemm_dtype, int64_t, const void *,
                             gemm_dtype, int64_t, float, float *, int64_t);

static double run_bf16(gemm_bf16_fn f, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at,
                       const void *B, gemm_dtype bt, float *C, int reps) {
    int64_t lda = ta ? M : K, ldb = tb ? K : N;
    f(ta, tb, M, N, K, A, at, lda, B, bt, ldb, 0.0f, C, N); /* warm */
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = time_now();
        f(ta, tb, M, N, K, A, at, lda, B, bt, ldb, 0.0f, C, N);
        double dt = time_now() - t0;
        if (dt < best) best = dt;
    }
    return 2.0 * (double)M * (double)N * (double)K / best / 1e9;
}

int main(int argc, char **argv) {
    int threads = argc > 2 && !strcmp(argv[1], "--threads") ? atoi(argv[2]) : 0;
    attn_set_threads(threads);
    __builtin_cpu_init();
    bool avx512 = __builtin_cpu_supports("avx512f");
    bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    gemm_bf16_fn bf16_fn = avx512 ? gemm_bf16_avx512 : gemm_bf16_generic;
    const char *bf16_path = avx512 ? gemm_bf16_backend_avx512() : gemm_bf16_backend_generic();
    const int64_t R = 1024;
    struct { const char *name; int64_t out, in; } layers[] = {
        {"attn.qkv", 2304, 768}, {"attn.proj", 768, 768}, {"mlp.fc", 3072, 768}, {"mlp.proj", 768, 3072}, {"lm_head", 50257, 768},
    };
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        int64_t OC = layers[l].out, C = layers[l].in;
        /* three cases: (M, N, K, trans_a, trans_b) */
        struct { const char *c; int64_t M, N, K; bool ta, tb; } cases[] = {
            {"fwd x.W^T", R, OC, C, false, true}, {"bwd dy.W", R, C, OC, false, false}, {"bwd dy^T.x", OC, C, R, true, false},
        };
        for (int c = 0; c < 3; c++) {
            int64_t M = cases[c].M, N = cases[c].N, K = cases[c].K;
            size_t na = (size_t)(M * K), nb = (size_t)(N * K), nc = (size_t)(M * N);
            float *A = malloc(na * 4), *B = malloc(nb * 4), *C1 = malloc(nc * 4), *C2 = malloc(nc * 4);
            for (size_t i = 0; i < na; i++) A[i] = rng_normal(1, 1, i);
            for (size_t i = 0; i < nb; i++) B[i] = rng_normal(1, 2, i);
            int reps = layers[l].out > 10000 ? 2 : 5;
#ifdef ATTN_HAVE_BLAS
            double g_blas = run(gemm_f32_blas, cases[c].ta, cases[c].tb, M, N, K, A, B, C1, reps);
#else
            double g_blas = 0;
            gemm_f32_builtin(cases[c].ta, cases[c].tb, M, N, K, 1.0f, A, cases[c].ta ? M : K, B, cases[c].tb ? K : N, 0.0f,
                             C1, N); /* the reference for the differences below */
#endif
            double mx = 0, md = 0, md2 = 0;
            for (size_t i = 0; i < nc; i++) mx = fmax(mx, fabs((double)C1[i]));
            double g_own = avx512 ? run(gemm_f32_packed_avx512, cases[c].ta, cases[c].tb, M, N, K, A, B, C2, reps) : 0;
            if (avx512) md = max_diff(C1, C2, nc);
            double g_avx2 = avx2 ? run(gemm_f32_packed_avx2, cases[c].ta, cases[c].tb, M, N, K, A, B, C2, reps) : 0;
            if (avx2) md2 = max_diff(C1, C2, nc);
            double g_builtin = run(gemm_f32_builtin, cases[c].ta, cases[c].tb, M, N, K, A, B, C2, reps);
            /* the weight operand (B of the NT and NN cases) held in bf16 */
            bool b_is_weight = c < 2;
            uint16_t *Bh = malloc(nb * 2);
            for (size_t i = 0; i < nb; i++) Bh[i] = bf16_from_f32(B[i]);
            double g_bf16 = run_bf16(bf16_fn, cases[c].ta, cases[c].tb, M, N, K, A, GEMM_F32, b_is_weight ? (const void *)Bh : B,
                                     b_is_weight ? GEMM_BF16 : GEMM_F32, C2, reps);
            double mdb = max_diff(C1, C2, nc);
            printf("{\"layer\": \"%s\", \"case\": \"%s\", \"M\": %lld, \"N\": %lld, \"K\": %lld, \"blas_gflops\": %.1f, "
                   "\"attn_packed_gflops\": %.1f, \"attn_packed_max_rel_diff\": %.2e, \"attn_packed_avx2_gflops\": %.1f, "
                   "\"attn_packed_avx2_max_rel_diff\": %.2e, \"builtin_gflops\": %.1f, "
                   "\"bf16_gflops\": %.1f, \"bf16_path\": \"%s\", \"bf16_max_rel_diff\": %.2e}\n",
                   layers[l].name, cases[c].c, (long long)M, (long long)N, (long long)K, g_blas, g_own, md / (mx > 0 ? mx : 1),
                   g_avx2, md2 / (mx > 0 ? mx : 1), g_builtin, g_bf16, bf16_path, mdb / (mx > 0 ? mx : 1));
            fflush(stdout);
            free(A), free(B), free(C1), free(C2), free(Bh);
        }
    }
    return 0;
}
