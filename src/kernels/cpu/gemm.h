/* gemm.h — single-precision matrix multiply used by the CPU kernels.
 * Row-major: C (M, N) = alpha * op(A) @ op(B) + beta * C, where op(A) is
 * (M, K) (A stored (K, M) when trans_a), op(B) is (K, N) (B stored (N, K)
 * when trans_b). gemm_f32 runs the BLAS found at build time where it loads
 * (kernels/blas.h), else attn's
 * packed kernel (gemm_packed.h) in the AVX-512 and AVX2 builds where the
 * CPU has their instructions, else a blocked OpenMP loop; ATTN_GEMM=blas|attn|builtin overrides the choice
 * (blas only where one was built in). All are right on every shape. */
#ifndef ATTN_GEMM_H
#define ATTN_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/cpu/cpu.h"
#include "kernels/cpu/gemm_packed.h"

void CPU_FN(gemm_f32)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
              int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);

/* gemm_f32 with work fused into it (gemm_packed.h's gemm_fuse; NULL:
 * none): in the packed kernel's passes where it runs, else as passes after
 * the product. */
void CPU_FN(gemm_f32_fused)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                            int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc,
                            const gemm_fuse *fuse);

/* The built-in kernel alone (tests compare it with the BLAS and ref). */
void CPU_FN(gemm_f32_builtin)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                      int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);

/* attn's packed kernel alone (fp32 FMAs in the AVX-512 build; a plain
 * loop elsewhere), and the BLAS alone where one loads (else the packed
 * kernel). */
void CPU_FN(gemm_f32_packed)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                             int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
void CPU_FN(gemm_f32_blas)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                           int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
/* The AVX2 and AVX-512 builds' packed kernels by name (call only on a CPU
 * with the instructions). */
void gemm_f32_packed_avx2(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                          int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
void gemm_f32_packed_avx512(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                            int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
/* The AVX-512 build's gemm_f32 and its BLAS call, by name (a test compares
 * its few-row path with the BLAS bit for bit). */
void gemm_f32_avx512(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                     const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
void gemm_f32_blas_avx512(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                          int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);

/* C (M, N) *= beta: beta 1 leaves C, beta 0 clears it whatever it held. */
void CPU_FN(gemm_scale)(int64_t M, int64_t N, float beta, float *C, int64_t ldc);

/* Name of the implementation gemm_f32 runs ("openblas", "attn-packed", "builtin"). */
const char *CPU_FN(gemm_backend)(void);
const char *gemm_backend_avx512(void); /* the AVX-512 and AVX2 builds', by name */
const char *gemm_backend_avx2(void);

/* Names without the suffix, for callers outside kernels/cpu (tests, bench),
 * which get the generic build. */
#define gemm_f32 CPU_FN(gemm_f32)
#define gemm_f32_fused CPU_FN(gemm_f32_fused)
#define gemm_f32_builtin CPU_FN(gemm_f32_builtin)
#define gemm_backend CPU_FN(gemm_backend)
#define gemm_f32_packed CPU_FN(gemm_f32_packed)
#define gemm_scale CPU_FN(gemm_scale)
#define gemm_f32_blas CPU_FN(gemm_f32_blas)

#endif
