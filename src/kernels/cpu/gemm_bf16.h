/* gemm_bf16.h — bf16 matrix multiply with fp32 accumulation.
 *
 * Row-major: C (M, N) = beta * C + op(A) @ op(B), op(A) (M, K) (A stored
 * (K, M) when trans_a), op(B) (K, N) (B stored (N, K) when trans_b). Each
 * operand is either fp32, rounded to bf16 (nearest even, kernels/bf16.h)
 * as it is packed, or already bf16 (uint16_t bit patterns). Products of
 * bf16 values are exact in fp32; sums are fp32 in the kernel's order.
 *
 * Paths, chosen at run time (only in the AVX-512 build for the first two):
 * AMX tiles (tdpbf16ps) where the CPU has AMX-BF16 and the OS grants the
 * tile state, else an AVX512-BF16 micro-kernel (vdpbf16ps), both over
 * packed, cache-blocked panels (gemm_packed's bf16 kind); else fp32
 * emulation (blocks converted to rounded fp32 and multiplied by gemm_f32).
 * ATTN_BF16=avx512bf16 keeps vdpbf16ps on an AMX CPU, ATTN_BF16=emulate
 * forces the emulation. */
#ifndef ATTN_GEMM_BF16_H
#define ATTN_GEMM_BF16_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/cpu/cpu.h"
#include "kernels/cpu/gemm_packed.h"

void CPU_FN(gemm_bf16)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype a_type,
                       int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb, float beta, float *C, int64_t ldc);
/* gemm_bf16 with work fused into it (gemm_packed.h's gemm_fuse; NULL: none). */
void CPU_FN(gemm_bf16_fused)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const void *A,
                             gemm_dtype a_type, int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb, float beta,
                             float *C, int64_t ldc, const gemm_fuse *fuse);
/* The fp32-emulation path alone (tests compare both paths with ref). */
void CPU_FN(gemm_bf16_emulated)(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const void *A,
                                gemm_dtype a_type, int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb, float beta,
                                float *C, int64_t ldc);
/* out (OC) = bias (or 0) + W (OC, C) bf16 @ bf16(x) (C): one row of a
 * linear layer, streaming W once (decoding is bound by its bytes). */
void CPU_FN(gemv_bf16)(float *out, const float *x, const uint16_t *W, const float *bias, int64_t C, int64_t OC);
/* "amx", "avx512bf16" or "fp32-emulation": the path gemm_bf16 takes here. */
const char *CPU_FN(gemm_bf16_backend)(void);

/* Both builds' GEMMs by name, for tests and benchmarks outside kernels/cpu
 * (the AVX-512 build's exists everywhere; call it only on an AVX-512 CPU). */
void gemm_bf16_generic(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype a_type,
                       int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb, float beta, float *C, int64_t ldc);
void gemm_bf16_avx512(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype a_type,
                      int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb, float beta, float *C, int64_t ldc);
void gemm_bf16_emulated_avx512(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const void *A,
                               gemm_dtype a_type, int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb, float beta,
                               float *C, int64_t ldc);
const char *gemm_bf16_backend_avx512(void);
const char *gemm_bf16_backend_avx2(void);

void CPU_FN(cpu_matmul_forward_bf16)(float *out, const float *inp, const uint16_t *weight, const float *bias, int64_t N,
                                     int64_t C, int64_t OC);
void CPU_FN(cpu_matmul_act_forward_bf16)(float *out, float *pre, const float *inp, const uint16_t *weight,
                                         const float *bias, int64_t N, int64_t C, int64_t OC, kernel_act act);
void CPU_FN(cpu_matmul_backward_bf16)(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                                      const uint16_t *weight, int64_t N, int64_t C, int64_t OC);

#endif
