/* gemm.h — single-precision matrix multiply used by the CPU kernels.
 * Row-major: C (M, N) = alpha * op(A) @ op(B) + beta * C, where op(A) is
 * (M, K) (A stored (K, M) when trans_a), op(B) is (K, N) (B stored (N, K)
 * when trans_b). Uses the BLAS found at build time, else a blocked OpenMP
 * kernel. Not every combination is fast without a BLAS, but all are right. */
#ifndef ATTN_GEMM_H
#define ATTN_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/cpu/cpu.h"

void CPU_FN(gemm_f32)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
              int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);

/* The built-in kernel alone (tests compare it with the BLAS and ref). */
void CPU_FN(gemm_f32_builtin)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                      int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);

/* Name of the implementation in use ("openblas", "builtin"). */
const char *CPU_FN(gemm_backend)(void);

/* Names without the suffix, for callers outside kernels/cpu (tests, bench),
 * which get the generic build. */
#define gemm_f32 CPU_FN(gemm_f32)
#define gemm_f32_builtin CPU_FN(gemm_f32_builtin)
#define gemm_backend CPU_FN(gemm_backend)

#endif
