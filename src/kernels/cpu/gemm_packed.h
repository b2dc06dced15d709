/* gemm_packed.h — attn's packed, cache-blocked GEMM with AVX-512
 * micro-kernels (the AVX-512 build; the AVX2 build runs the fp32 kind with
 * an AVX2 + FMA micro-kernel), in two kinds:
 *   GEMM_PACK_F32:  fp32 operands, fp32 FMAs (vfmadd231ps), alpha and beta;
 *   GEMM_PACK_BF16: fp32 or bf16 operands rounded to bf16 (nearest even)
 *                   while packed, bf16 dot products (AMX tiles where the
 *                   CPU has them, else vdpbf16ps) summed in fp32; alpha
 *                   must be 1.
 * Row-major: C (M, N) = beta * C + alpha * op(A) @ op(B), op(A) (M, K) (A
 * stored (K, M) when trans_a), op(B) (K, N) (B stored (N, K) when
 * trans_b), any shapes and leading dimensions. gemm_packed_available says
 * whether this CPU and build run the kind; the callers (gemm.c,
 * cpu_bf16.c) keep their fallbacks for when it does not. */
#ifndef ATTN_GEMM_PACKED_H
#define ATTN_GEMM_PACKED_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/cpu/cpu.h"

typedef enum gemm_dtype { GEMM_F32 = 0, GEMM_BF16 } gemm_dtype;
typedef enum gemm_pack_kind { GEMM_PACK_F32 = 0, GEMM_PACK_BF16 } gemm_pack_kind;

/* Work fused into a GEMM's passes over its operands and result (a NULL
 * gemm_fuse: none). As C's final values are stored (beta C + alpha
 * op(A) op(B)):
 *   bias (N):     added to every row;
 *   act:          then applied (GELU tanh form, GELU erf form, ReLU);
 *   pre:          receives the values before act (C's layout and ldc);
 * and while op(A) is read:
 *   row_sums (M): += the sum over k of each row of op(A), unrounded, in k
 *                 order (the bias gradient beside dW = dout^T x).
 * The results equal the GEMM followed by the separate passes. */
typedef enum gemm_act { GEMM_ACT_NONE = 0, GEMM_ACT_GELU, GEMM_ACT_GELU_ERF, GEMM_ACT_RELU } gemm_act;
typedef struct gemm_fuse {
    const float *bias;
    gemm_act act;
    float *pre;
    float *row_sums;
} gemm_fuse;

static inline gemm_act gemm_act_of(kernel_act act) {
    return act == KACT_GELU ? GEMM_ACT_GELU : act == KACT_GELU_ERF ? GEMM_ACT_GELU_ERF : GEMM_ACT_RELU;
}

bool CPU_FN(gemm_packed_available)(gemm_pack_kind kind);
/* Whether the bf16 kind runs on AMX tiles here (the AVX-512 build, a CPU
 * with AMX-BF16, the OS's permission; ATTN_BF16=avx512bf16 keeps
 * vdpbf16ps); else its AVX512-BF16 micro-kernel. */
bool CPU_FN(gemm_packed_amx)(void);
void CPU_FN(gemm_packed)(gemm_pack_kind kind, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                         const void *A, gemm_dtype a_type, int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb,
                         float beta, float *C, int64_t ldc, const gemm_fuse *fuse);

/* The fused passes by themselves, for the GEMMs that cannot fuse them:
 * gemm_fuse_store applies bias, act and pre to C rows [i0, i1) x columns
 * [j0, j1) on the calling thread; gemm_fuse_after does so to all of C (M,
 * N) and adds the row sums of op(A) (M, K), threaded. */
void CPU_FN(gemm_fuse_store)(const gemm_fuse *fuse, float *C, int64_t ldc, int64_t i0, int64_t i1, int64_t j0, int64_t j1);
void CPU_FN(gemm_fuse_after)(const gemm_fuse *fuse, bool trans_a, int64_t M, int64_t N, int64_t K, const void *A,
                             gemm_dtype a_type, int64_t lda, float *C, int64_t ldc);

#if defined(__AVX512F__) && defined(__GNUC__)
#include <immintrin.h>
/* Masks of the first n lanes (all for n >= width, none for n <= 0). */
static inline __mmask16 gemm_mask16(int64_t n) {
    return n >= 16 ? (__mmask16)0xffff : n <= 0 ? 0 : (__mmask16)((1u << n) - 1);
}
static inline __mmask32 gemm_mask32(int64_t n) {
    return n >= 32 ? ~(__mmask32)0 : n <= 0 ? 0 : (__mmask32)((1ull << n) - 1);
}

/* 16 fp32 values (bit patterns) rounded to bf16 exactly as bf16_from_f32,
 * one per 32-bit lane, in its low half. */
static inline __m512i gemm_round16_bf16(__m512i u) {
    const __m512i one = _mm512_set1_epi32(1), bias = _mm512_set1_epi32(0x7fff), abs_mask = _mm512_set1_epi32(0x7fffffff),
                  inf = _mm512_set1_epi32(0x7f800000), quiet = _mm512_set1_epi32(0x40);
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(bias, _mm512_and_si512(_mm512_srli_epi32(u, 16), one))), 16);
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, abs_mask), inf);
    return _mm512_mask_or_epi32(r, nan, _mm512_srli_epi32(u, 16), quiet);
}

/* The sums of the 16 lanes of a0, a1, a2 and a3, in that order: a
 * transposing add tree (one pass for four matrix-vector rows). */
static inline __m128 gemm_sum4(__m512 a0, __m512 a1, __m512 a2, __m512 a3) {
    /* per 128-bit lane: [a0 0+2, a1 0+2, a0 1+3, a1 1+3], and the same for a2, a3 */
    __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(a0, a1), _mm512_unpackhi_ps(a0, a1));
    __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(a2, a3), _mm512_unpackhi_ps(a2, a3));
    /* per 128-bit lane: [a0, a1, a2, a3] partial sums */
    __m512 u = _mm512_add_ps(_mm512_shuffle_ps(t0, t1, 0x44), _mm512_shuffle_ps(t0, t1, 0xEE));
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(u), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}
#endif

/* C (M, N) += alpha * op(A) @ op(B) by the plain loop over rows, with the
 * kind's rounding (exact bf16 products for GEMM_PACK_BF16): the fallback
 * where no packing buffer could be allocated or no micro-kernel runs. */
void CPU_FN(gemm_naive_acc)(gemm_pack_kind kind, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                            const void *A, gemm_dtype a_type, int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb,
                            float *C, int64_t ldc);

/* The AVX-512 and AVX2 builds', by name, for tests and benchmarks outside
 * kernels/cpu (call only where gemm_packed_available_<isa> says so). */
bool gemm_packed_available_avx512(gemm_pack_kind kind);
void gemm_packed_avx512(gemm_pack_kind kind, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                        const void *A, gemm_dtype a_type, int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb,
                        float beta, float *C, int64_t ldc, const gemm_fuse *fuse);
/* The bf16 kind through the AMX path's blocking, packing and tile kernel
 * with the tile instructions run by a C model (for tests, on any AVX-512
 * CPU; other kinds run as gemm_packed_avx512). The model also checks each
 * instruction's tile shapes as the hardware does: faults_avx512 returns
 * how many it would have refused since the last call. */
void gemm_packed_amx_emulated_avx512(gemm_pack_kind kind, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                                     float alpha, const void *A, gemm_dtype a_type, int64_t lda, const void *B,
                                     gemm_dtype b_type, int64_t ldb, float beta, float *C, int64_t ldc,
                                     const gemm_fuse *fuse);
int gemm_amx_emulation_faults_avx512(void);
bool gemm_packed_available_avx2(gemm_pack_kind kind);
void gemm_packed_avx2(gemm_pack_kind kind, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                      const void *A, gemm_dtype a_type, int64_t lda, const void *B, gemm_dtype b_type, int64_t ldb,
                      float beta, float *C, int64_t ldc, const gemm_fuse *fuse);

#endif
