/* cpu_bf16.c — bf16 GEMM, GEMV and the bf16 linear layer (see gemm_bf16.h).
 *
 * The native path follows the usual packed GEMM (Goto's blocking): for each
 * (KC x NC) block of op(B), packed once and shared by the threads, and each
 * (MC x KC) block of op(A), packed once, the threads share the (MR x NR)
 * tiles of C. Packed panels hold k in pairs, the layout vdpbf16ps reads:
 * one 32-bit lane = (x[k], x[k+1]) with the even k in the low half, so
 *   A panel: [row block][k pair][MR rows]    (uint32 each)
 *   B panel: [col block][k pair][NR cols]    (uint32 each)
 * and the micro-kernel adds, per k pair, a broadcast A pair times 32 B pairs
 * into 12 x 32 fp32 accumulators (24 zmm registers). Edges are zero-padded
 * in the panels and masked when C is written, so any M, N, K works. */
#include "kernels/cpu/gemm_bf16.h"
#include "kernels/bf16.h"
#include "kernels/cpu/gemm.h"

#include "attn/attn.h"

#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__AVX512F__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_NATIVE_BF16 1
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#endif

enum { MR = 12, NR = 32, KC = 768, MC = 16 * MR, NC = 96 * NR };

/* Packing buffers: one block per calling thread, allocated on its first
 * GEMM at the largest size any call needs and kept (a training step then
 * allocates nothing). NULL when the allocation failed: the caller falls
 * back to a loop that needs no buffer. */
enum { EM = 512, EN = 2048, EK = 256 }; /* emulation blocks */
#define PACK_BYTES                                                                                          \
    ((size_t)(MC + NC) * (KC / 2) * sizeof(uint32_t) > (size_t)(EM + EN) * EK * sizeof(float)                \
         ? (size_t)(MC + NC) * (KC / 2) * sizeof(uint32_t)                                                   \
         : (size_t)(EM + EN) * EK * sizeof(float))
static _Thread_local void *pack_buffer;

static void *pack_buffers(void) {
    if (!pack_buffer) pack_buffer = attn_malloc_aligned(PACK_BYTES);
    return pack_buffer;
}

static inline uint16_t load_bf16(const void *X, gemm_dtype t, int64_t i) {
    return t == GEMM_BF16 ? ((const uint16_t *)X)[i] : bf16_from_f32(((const float *)X)[i]);
}

/* ---- fp32 emulation ----------------------------------------------------------- */

/* op(X) block rows [r0, r0+nr) x cols [c0, c0+nc), rounded to bf16, into
 * dst (nr, nc) fp32; op(X)(r, c) is X[c*ld + r] when trans, else X[r*ld + c]. */
static void unpack_block(float *dst, const void *X, gemm_dtype t, bool trans, int64_t ld, int64_t r0, int64_t nr,
                         int64_t c0, int64_t nc) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < nr; r++)
        for (int64_t c = 0; c < nc; c++) {
            int64_t i = trans ? (c0 + c) * ld + r0 + r : (r0 + r) * ld + c0 + c;
            dst[r * nc + c] = bf16_to_f32(load_bf16(X, t, i));
        }
}

static void scale_rows(int64_t M, int64_t N, float beta, float *C, int64_t ldc) {
    if (beta == 1.0f) return;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.0f ? 0.0f : C[i * ldc + j] * beta;
}

/* No buffers (out of memory): the plain triple loop, still exact products. */
static void naive_acc(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at, int64_t lda,
                      const void *B, gemm_dtype bt, int64_t ldb, float *C, int64_t ldc) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            float s = 0.0f;
            for (int64_t k = 0; k < K; k++)
                s += bf16_to_f32(load_bf16(A, at, ta ? k * lda + i : i * lda + k)) *
                     bf16_to_f32(load_bf16(B, bt, tb ? j * ldb + k : k * ldb + j));
            C[i * ldc + j] += s;
        }
}

void CPU_FN(gemm_bf16_emulated)(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at,
                                int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float beta, float *C,
                                int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    scale_rows(M, N, beta, C, ldc);
    if (K <= 0) return;
    float *a = pack_buffers(), *b = a ? a + EM * EK : NULL;
    if (!a) {
        naive_acc(ta, tb, M, N, K, A, at, lda, B, bt, ldb, C, ldc);
    } else {
        for (int64_t k0 = 0; k0 < K; k0 += EK) {
            int64_t kc = K - k0 < EK ? K - k0 : EK;
            for (int64_t j0 = 0; j0 < N; j0 += EN) {
                int64_t nc = N - j0 < EN ? N - j0 : EN;
                unpack_block(b, B, bt, tb, ldb, k0, kc, j0, nc);
                for (int64_t i0 = 0; i0 < M; i0 += EM) {
                    int64_t mc = M - i0 < EM ? M - i0 : EM;
                    unpack_block(a, A, at, ta, lda, i0, mc, k0, kc);
                    gemm_f32(false, false, mc, nc, kc, 1.0f, a, kc, b, nc, 1.0f, C + i0 * ldc + j0, ldc);
                }
            }
        }
    }
}

static void gemv_emulated(float *out, const float *x, const uint16_t *W, const float *bias, int64_t C, int64_t OC) {
#pragma omp parallel for schedule(static)
    for (int64_t o = 0; o < OC; o++) {
        const uint16_t *w = W + o * C;
        float s = 0.0f;
        for (int64_t c = 0; c < C; c++) s += bf16_round_f32(x[c]) * bf16_to_f32(w[c]);
        out[o] = (bias ? bias[o] : 0.0f) + s;
    }
}

/* ---- native AVX512-BF16 --------------------------------------------------------- */

#ifdef HAVE_NATIVE_BF16

static bool native_ok(void) {
    static int ok = -1;
    if (ok < 0) {
        const char *e = getenv("ATTN_BF16");
        __builtin_cpu_init();
        ok = !(e && !strcmp(e, "emulate")) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
    }
    return ok;
}

/* 16 fp32 values rounded to bf16 exactly as bf16_from_f32, one per 32-bit
 * lane (low half). */
BF16_TARGET static inline __m512i round16(__m512i u) {
    const __m512i one = _mm512_set1_epi32(1), bias = _mm512_set1_epi32(0x7fff), abs_mask = _mm512_set1_epi32(0x7fffffff),
                  inf = _mm512_set1_epi32(0x7f800000), quiet = _mm512_set1_epi32(0x40);
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(bias, _mm512_and_si512(_mm512_srli_epi32(u, 16), one))), 16);
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, abs_mask), inf);
    return _mm512_mask_or_epi32(r, nan, _mm512_srli_epi32(u, 16), quiet);
}

/* Rounds n floats to bf16 (nearest even, as bf16_from_f32) into dst. */
BF16_TARGET static void round_row(uint16_t *dst, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(dst + i), _mm512_cvtepi32_epi16(round16(_mm512_loadu_si512(x + i))));
    for (; i < n; i++) dst[i] = bf16_from_f32(x[i]);
}

/* Up to 16 values of op(X) at X[i..i+n) as bf16 in the low halves of 32-bit
 * lanes, zero in lanes >= n. */
BF16_TARGET static inline __m512i load16(const void *X, gemm_dtype t, int64_t i, int n) {
    __mmask16 m = n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
    if (t == GEMM_BF16) return _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, (const uint16_t *)X + i));
    return _mm512_maskz_mov_epi32(m, round16(_mm512_maskz_loadu_epi32(m, (const float *)X + i)));
}

/* Transposes the 16 x 16 matrix of 32-bit lanes in r (rows in, columns out). */
BF16_TARGET static inline void transpose16x16(__m512i r[16]) {
    __m512i t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    /* u[4g + j], 128-bit lane L: column 4L + j of rows 4g .. 4g + 3 */
    for (int g = 0; g < 16; g += 4) {
        u[g] = _mm512_unpacklo_epi64(t[g], t[g + 2]);
        u[g + 1] = _mm512_unpackhi_epi64(t[g], t[g + 2]);
        u[g + 2] = _mm512_unpacklo_epi64(t[g + 1], t[g + 3]);
        u[g + 3] = _mm512_unpackhi_epi64(t[g + 1], t[g + 3]);
    }
    for (int j = 0; j < 4; j++) {
        __m512i v0 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x88), v1 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xdd);
        __m512i v2 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x88), v3 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xdd);
        r[j] = _mm512_shuffle_i32x4(v0, v2, 0x88);
        r[4 + j] = _mm512_shuffle_i32x4(v1, v3, 0x88);
        r[8 + j] = _mm512_shuffle_i32x4(v0, v2, 0xdd);
        r[12 + j] = _mm512_shuffle_i32x4(v1, v3, 0xdd);
    }
}

/* 16 k pairs of one row (n <= 32 values of op(X) from X[i]; zero beyond
 * n) as 32-bit lanes, the even k in the low half. */
BF16_TARGET static inline __m512i load_pairs(const void *X, gemm_dtype t, int64_t i, int n) {
    if (t == GEMM_BF16)
        return _mm512_maskz_loadu_epi16(n >= 32 ? ~(__mmask32)0 : (__mmask32)((1ull << n) - 1), (const uint16_t *)X + i);
    const float *x = (const float *)X + i;
    int n0 = n > 16 ? 16 : n, n1 = n > 16 ? n - 16 : 0;
    __m512i lo = round16(_mm512_maskz_loadu_epi32((__mmask16)((1u << n0) - 1), x));
    __m512i hi = round16(_mm512_maskz_loadu_epi32((__mmask16)((1u << n1) - 1), x + 16));
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(lo)), _mm512_cvtepi32_epi16(hi), 1);
}

/* Packs rows [r0, r0 + rows) of op(X) over k in [k0, k0 + kc) into
 * ceil(rows / W) panels, panel q at dst + q * kp * W as [k pair][W]
 * uint32, zero beyond the rows and beyond kc. k_contig: op(X)'s row r is
 * contiguous in k at X + r*ld (packed 16 rows x 16 pairs at a time through
 * a transpose); else op(X)'s column k is contiguous at X + k*ld (each pair
 * of such rows read once, across all panels). */
BF16_TARGET static void pack_panels(uint32_t *dst, int W, const void *X, gemm_dtype t, bool k_contig, int64_t ld,
                                    int64_t r0, int64_t rows, int64_t k0, int64_t kc) {
    int64_t kp = (kc + 1) / 2, panels = (rows + W - 1) / W;
    if (k_contig) {
        for (int64_t q = 0; q < panels; q++)
            for (int rg = 0; rg < W; rg += 16) {
                int64_t left = rows - q * W - rg;
                int n = left < 0 ? 0 : left > 16 ? 16 : (int)left;
                __mmask16 sm = W - rg >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (W - rg)) - 1);
                uint32_t *d = dst + q * kp * W + rg;
                for (int64_t p0 = 0; p0 < kp; p0 += 16) {
                    int64_t np = kp - p0 < 16 ? kp - p0 : 16, nk = kc - 2 * p0 < 32 ? kc - 2 * p0 : 32;
                    __m512i v[16];
                    for (int r = 0; r < 16; r++)
                        v[r] = r < n ? load_pairs(X, t, (r0 + q * W + rg + r) * ld + k0 + 2 * p0, (int)nk)
                                     : _mm512_setzero_si512();
                    transpose16x16(v);
                    for (int64_t i = 0; i < np; i++) _mm512_mask_storeu_epi32(d + (p0 + i) * W, sm, v[i]);
                }
            }
        return;
    }
    for (int64_t p = 0; p < kp; p++) {
        int64_t lo = (k0 + 2 * p) * ld + r0, hi = lo + ld;
        bool has_hi = 2 * p + 1 < kc;
        for (int64_t q = 0; q < panels; q++)
            for (int c = 0; c < W; c += 16) {
                int64_t left = rows - q * W - c;
                int n = left < 0 ? 0 : left > 16 ? 16 : (int)left;
                __m512i v = load16(X, t, lo + q * W + c, n);
                if (has_hi) v = _mm512_or_si512(v, _mm512_slli_epi32(load16(X, t, hi + q * W + c, n), 16));
                __mmask16 sm = W - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (W - c)) - 1);
                _mm512_mask_storeu_epi32(dst + q * kp * W + p * W + c, sm, v);
            }
    }
}

/* C (mr <= MR, nr <= NR) += A panel (kp pairs x MR) @ B panel (kp x NR),
 * or = when !acc (C is not read). */
BF16_TARGET static void kernel_12x32(int64_t kp, const uint32_t *a, const uint32_t *b, float *C, int64_t ldc, int mr,
                                     int nr, bool acc) {
    __m512 c0[MR], c1[MR];
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kp; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(b), b1 = (__m512bh)_mm512_loadu_si512(b + 16);
#pragma GCC unroll 12
        for (int i = 0; i < MR; i++) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[i]);
            c0[i] = _mm512_dpbf16_ps(c0[i], av, b0);
            c1[i] = _mm512_dpbf16_ps(c1[i], av, b1);
        }
        a += MR;
        b += NR;
    }
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? (__mmask16)0xffff : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
    for (int i = 0; i < mr; i++) {
        float *ci = C + i * ldc;
        if (acc) {
            c0[i] = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, ci), c0[i]);
            if (m1) c1[i] = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, ci + 16), c1[i]);
        }
        _mm512_mask_storeu_ps(ci, m0, c0[i]);
        if (m1) _mm512_mask_storeu_ps(ci + 16, m1, c1[i]);
    }
}

/* C rows [i0, i1) x cols [j0, j1) += op(A) @ op(B) (= when overwrite) on
 * one thread, with its own packing buffers (false: none could be
 * allocated, C untouched). */
static bool gemm_block(bool ta, bool tb, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t K, const void *A,
                       gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float *C, int64_t ldc,
                       bool overwrite) {
    uint32_t *ap = pack_buffers(), *bp = ap ? ap + MC * (KC / 2) : NULL;
    if (!ap) return false;
    for (int64_t jc = j0; jc < j1; jc += NC) {
        int64_t nc = j1 - jc < NC ? j1 - jc : NC, nb = (nc + NR - 1) / NR;
        for (int64_t pc = 0; pc < K; pc += KC) {
            int64_t kc = K - pc < KC ? K - pc : KC, kp = (kc + 1) / 2;
            pack_panels(bp, NR, B, bt, tb, ldb, jc, nc, pc, kc);
            for (int64_t ic = i0; ic < i1; ic += MC) {
                int64_t mc = i1 - ic < MC ? i1 - ic : MC, mb = (mc + MR - 1) / MR;
                pack_panels(ap, MR, A, at, !ta, lda, ic, mc, pc, kc);
                for (int64_t jb = 0; jb < nb; jb++)
                    for (int64_t ib = 0; ib < mb; ib++) {
                        int64_t mr = mc - ib * MR < MR ? mc - ib * MR : MR, nr = nc - jb * NR < NR ? nc - jb * NR : NR;
                        kernel_12x32(kp, ap + ib * kp * MR, bp + jb * kp * NR, C + (ic + ib * MR) * ldc + jc + jb * NR, ldc,
                                     (int)mr, (int)nr, !overwrite || pc > 0);
                    }
            }
        }
    }
    return true;
}

/* Threads split C into bands and then run without synchronising: a
 * barrier per block costs a time slice whenever another process holds a
 * core, and packing an operand twice costs less. Row bands pack all of B
 * on every thread (and A once per NC columns); column bands pack all of A
 * on every thread once per NC columns of their band (and B once): the
 * split packs fewer elements, rows when both are equal. */
static void gemm_native(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at, int64_t lda,
                        const void *B, gemm_dtype bt, int64_t ldb, float *C, int64_t ldc, bool overwrite) {
#pragma omp parallel
    {
        int64_t nt = 1, t = 0;
#ifdef _OPENMP
        nt = omp_get_num_threads();
        t = omp_get_thread_num();
#endif
        double blocks_all = (double)((N + NC - 1) / NC), blocks_band = (double)((N / nt + NC) / NC);
        double rows_cost = (double)nt * (double)N * (double)K + (double)M * (double)K * blocks_all;
        double cols_cost = (double)N * (double)K + (double)nt * (double)M * (double)K * blocks_band;
        bool by_rows = M >= MR * nt && (N < NR * nt || rows_cost <= cols_cost);
        int64_t unit = by_rows ? MR : NR, n = by_rows ? M : N, units = (n + unit - 1) / unit;
        int64_t u0 = units * t / nt, u1 = units * (t + 1) / nt;
        int64_t s0 = u0 * unit, s1 = u1 * unit < n ? u1 * unit : n;
        if (s0 < s1) {
            int64_t i0 = by_rows ? s0 : 0, i1 = by_rows ? s1 : M, j0 = by_rows ? 0 : s0, j1 = by_rows ? N : s1;
            if (!gemm_block(ta, tb, i0, i1, j0, j1, K, A, at, lda, B, bt, ldb, C, ldc, overwrite))
                for (int64_t i = i0; i < i1; i++) { /* no buffer: this band by the plain loop */
                    if (overwrite)
                        for (int64_t j = j0; j < j1; j++) C[i * ldc + j] = 0.0f;
                    naive_acc(ta, tb, 1, j1 - j0, K, (const char *)A + (ta ? i : i * lda) * (at == GEMM_BF16 ? 2 : 4), at,
                              lda, (const char *)B + (tb ? j0 * ldb : j0) * (bt == GEMM_BF16 ? 2 : 4), bt, ldb,
                              C + i * ldc + j0, ldc);
                }
        }
    }
}

BF16_TARGET static float dot_tail(const uint16_t *w, const uint16_t *x, int64_t n) {
    __m512 acc = _mm512_setzero_ps();
    int64_t c = 0;
    for (; c + 32 <= n; c += 32)
        acc = _mm512_dpbf16_ps(acc, (__m512bh)_mm512_loadu_si512(w + c), (__m512bh)_mm512_loadu_si512(x + c));
    if (c < n) {
        __mmask32 m = (__mmask32)((1ull << (n - c)) - 1);
        acc = _mm512_dpbf16_ps(acc, (__m512bh)_mm512_maskz_loadu_epi16(m, w + c), (__m512bh)_mm512_maskz_loadu_epi16(m, x + c));
    }
    return _mm512_reduce_add_ps(acc);
}

/* Four rows of W at a time against one bf16 chunk of x: W is read once. */
BF16_TARGET static void gemv_native(float *out, const float *x, const uint16_t *W, int64_t C, int64_t OC) {
    enum { XC = 4096 };
    for (int64_t c0 = 0; c0 < C; c0 += XC) {
        int64_t n = C - c0 < XC ? C - c0 : XC, n32 = n & ~(int64_t)31;
#pragma omp parallel
        {
            _Alignas(64) uint16_t xb[XC];
            round_row(xb, x + c0, n);
#pragma omp for schedule(static)
            for (int64_t o0 = 0; o0 < OC; o0 += 4) {
                if (o0 + 4 > OC) {
                    for (int64_t o = o0; o < OC; o++) out[o] += dot_tail(W + o * C + c0, xb, n);
                    continue;
                }
                const uint16_t *w0 = W + o0 * C + c0, *w1 = w0 + C, *w2 = w1 + C, *w3 = w2 + C;
                __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
                for (int64_t c = 0; c < n32; c += 32) {
                    __m512bh xv = (__m512bh)_mm512_load_si512(xb + c);
                    a0 = _mm512_dpbf16_ps(a0, (__m512bh)_mm512_loadu_si512(w0 + c), xv);
                    a1 = _mm512_dpbf16_ps(a1, (__m512bh)_mm512_loadu_si512(w1 + c), xv);
                    a2 = _mm512_dpbf16_ps(a2, (__m512bh)_mm512_loadu_si512(w2 + c), xv);
                    a3 = _mm512_dpbf16_ps(a3, (__m512bh)_mm512_loadu_si512(w3 + c), xv);
                }
                out[o0] += _mm512_reduce_add_ps(a0) + dot_tail(w0 + n32, xb + n32, n - n32);
                out[o0 + 1] += _mm512_reduce_add_ps(a1) + dot_tail(w1 + n32, xb + n32, n - n32);
                out[o0 + 2] += _mm512_reduce_add_ps(a2) + dot_tail(w2 + n32, xb + n32, n - n32);
                out[o0 + 3] += _mm512_reduce_add_ps(a3) + dot_tail(w3 + n32, xb + n32, n - n32);
            }
        }
    }
}

#else
static bool native_ok(void) { return false; }
#endif

/* ---- entry points ----------------------------------------------------------------- */

const char *CPU_FN(gemm_bf16_backend)(void) { return native_ok() ? "avx512bf16" : "fp32-emulation"; }

void CPU_FN(gemm_bf16)(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at, int64_t lda,
                       const void *B, gemm_dtype bt, int64_t ldb, float beta, float *C, int64_t ldc) {
    if (M <= 0 || N <= 0) return;
#ifdef HAVE_NATIVE_BF16
    if (native_ok()) {
        bool overwrite = beta == 0.0f && K > 0; /* the first k block stores: no pass to clear C */
        if (!overwrite) scale_rows(M, N, beta, C, ldc);
        if (K > 0) gemm_native(ta, tb, M, N, K, A, at, lda, B, bt, ldb, C, ldc, overwrite);
        return;
    }
#endif
    CPU_FN(gemm_bf16_emulated)(ta, tb, M, N, K, A, at, lda, B, bt, ldb, beta, C, ldc);
}

void CPU_FN(gemv_bf16)(float *out, const float *x, const uint16_t *W, const float *bias, int64_t C, int64_t OC) {
#ifdef HAVE_NATIVE_BF16
    if (native_ok()) {
        for (int64_t o = 0; o < OC; o++) out[o] = bias ? bias[o] : 0.0f;
        gemv_native(out, x, W, C, OC);
        return;
    }
#endif
    gemv_emulated(out, x, W, bias, C, OC);
}

/* Below this many rows a linear layer streams its weights once per row
 * instead of packing them. */
enum { GEMV_ROWS = 4 };

void CPU_FN(cpu_matmul_forward_bf16)(float *out, const float *inp, const uint16_t *weight, const float *bias, int64_t N,
                                     int64_t C, int64_t OC) {
    if (N < GEMV_ROWS) {
        for (int64_t n = 0; n < N; n++) CPU_FN(gemv_bf16)(out + n * OC, inp + n * C, weight, bias, C, OC);
        return;
    }
    CPU_FN(gemm_bf16)(false, true, N, OC, C, inp, GEMM_F32, C, weight, GEMM_BF16, C, 0.0f, out, OC);
    if (bias) {
#pragma omp parallel for schedule(static)
        for (int64_t n = 0; n < N; n++)
            for (int64_t j = 0; j < OC; j++) out[n * OC + j] += bias[j];
    }
}

void CPU_FN(cpu_matmul_backward_bf16)(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                                      const uint16_t *weight, int64_t N, int64_t C, int64_t OC) {
    if (dinp) CPU_FN(gemm_bf16)(false, false, N, C, OC, dout, GEMM_F32, OC, weight, GEMM_BF16, C, 1.0f, dinp, C);
    if (dweight) CPU_FN(gemm_bf16)(true, false, OC, C, N, dout, GEMM_F32, OC, inp, GEMM_F32, C, 1.0f, dweight, C);
    /* the bias gradient is a plain fp32 reduction, shared with the fp32 layer */
    if (dbias) CPU_FN(cpu_matmul_backward)(NULL, NULL, dbias, dout, inp, NULL, N, C, OC);
}
