/* gemm_packed.c — packed, cache-blocked GEMM (see gemm_packed.h).
 *
 * Goto's blocking: for each (KC x NC) block of op(B), packed once per
 * thread, and each (MC x KC) block of op(A), packed once, the micro-kernel
 * walks the (MR x NR) tiles of C. Panels hold 32-bit lanes: one fp32 k
 * value, or for bf16 a pair (x[k], x[k+1]) with the even k in the low half
 * (the layout vdpbf16ps reads), so
 *   A panel: [row block][k lane][MR rows]    B panel: [col block][k lane][NR cols]
 * and the 12 x 32 micro-kernel adds, per k lane, a broadcast A lane times
 * 32 B lanes into 24 zmm accumulators. A block is KL lanes deep (384 fp32
 * k, 768 bf16 k). Edges are zero-padded in the panels and masked when C
 * is written, so any M, N, K works. Rows of op(X) contiguous in k are
 * packed 16 rows x 16 lanes at a time through a register transpose; rows
 * strided in k are read a k (pair) at a time across all panels.
 * The AVX2 build runs the fp32 kind only, with a 6 x 16 micro-kernel (12
 * ymm accumulators), KL = 256, and packs in plain C. */
#include "kernels/cpu/gemm_packed.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/vmath.h"
#include "kernels/bf16.h"

#include "attn/attn.h"

#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__AVX512F__) && defined(__GNUC__)
#define HAVE_PACKED 1
#define PACKED_AVX512 1
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#elif defined(__AVX2__) && defined(__FMA__) && defined(__GNUC__)
#define HAVE_PACKED 1 /* the AVX2 build: fp32 only, a 6 x 16 FMA micro-kernel, packing in plain C */
#endif
#ifdef HAVE_PACKED
#include <immintrin.h>
#endif

/* op(X) value at X[i]: fp32, or rounded to bf16 for the bf16 kind. */
static inline float value(const void *X, gemm_dtype t, gemm_pack_kind kind, int64_t i) {
    if (t == GEMM_BF16) return bf16_to_f32(((const uint16_t *)X)[i]);
    float x = ((const float *)X)[i];
    return kind == GEMM_PACK_BF16 ? bf16_round_f32(x) : x;
}

/* Inside a team (a band of gemm_threads) the loop runs on the calling
 * thread: nested regions get one thread. */
void CPU_FN(gemm_naive_acc)(gemm_pack_kind kind, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                            const void *A, gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float *C,
                            int64_t ldc) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            float s = 0.0f;
            for (int64_t k = 0; k < K; k++)
                s += value(A, at, kind, ta ? k * lda + i : i * lda + k) * value(B, bt, kind, tb ? j * ldb + k : k * ldb + j);
            C[i * ldc + j] += alpha * s;
        }
}

void CPU_FN(gemm_fuse_store)(const gemm_fuse *fx, float *C, int64_t ldc, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    const float *bias = fx->bias;
    for (int64_t i = i0; i < i1; i++) {
        float *c = C + i * ldc, *pre = fx->pre ? fx->pre + i * ldc : NULL;
        if (bias) {
#pragma omp simd
            for (int64_t j = j0; j < j1; j++) c[j] += bias[j];
        }
        if (fx->act == GEMM_ACT_NONE) continue;
        if (pre) memcpy(pre + j0, c + j0, (size_t)(j1 - j0) * sizeof(float));
        switch (fx->act) {
        case GEMM_ACT_GELU:
#pragma omp simd
            for (int64_t j = j0; j < j1; j++) c[j] = vm_gelu_tanh(c[j]);
            break;
        case GEMM_ACT_GELU_ERF:
#pragma omp simd
            for (int64_t j = j0; j < j1; j++) c[j] = vm_gelu_erf(c[j]);
            break;
        default:
#pragma omp simd
            for (int64_t j = j0; j < j1; j++) c[j] = c[j] > 0.0f ? c[j] : 0.0f;
            break;
        }
    }
}

/* row_sums[i] += op(A)[i, k] for k in order, rows [i0, i1). */
static void row_sums_pass(float *sums, bool ta, int64_t i0, int64_t i1, int64_t K, const void *A, gemm_dtype at,
                          int64_t lda) {
    for (int64_t k = 0; k < K; k++)
        for (int64_t i = i0; i < i1; i++) {
            int64_t x = ta ? k * lda + i : i * lda + k;
            sums[i] += at == GEMM_BF16 ? bf16_to_f32(((const uint16_t *)A)[x]) : ((const float *)A)[x];
        }
}

void CPU_FN(gemm_fuse_after)(const gemm_fuse *fx, bool ta, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at,
                             int64_t lda, float *C, int64_t ldc) {
    if (!fx) return;
    enum { RB = 16 };
    bool store = fx->bias || fx->act != GEMM_ACT_NONE;
#pragma omp parallel for if (M * (N + K) >= PAR_MIN) schedule(static)
    for (int64_t i0 = 0; i0 < M; i0 += RB) {
        int64_t i1 = i0 + RB < M ? i0 + RB : M;
        if (store) CPU_FN(gemm_fuse_store)(fx, C, ldc, i0, i1, 0, N);
        if (fx->row_sums) row_sums_pass(fx->row_sums, ta, i0, i1, K, A, at, lda);
    }
}

#ifdef HAVE_PACKED

#ifdef PACKED_AVX512
enum { MR = 12, NR = 32, KL = 384, MC = 16 * MR, NC = 96 * NR };
#else
enum { MR = 6, NR = 16, KL = 256, MC = 24 * MR, NC = 256 * NR };
#endif

/* One packing buffer per calling thread, allocated on its first GEMM at
 * the largest size any call needs and kept (a training step then
 * allocates nothing); NULL when the allocation failed. */
static _Thread_local uint32_t *pack_buffer;

static uint32_t *pack_buffers(void) {
    if (!pack_buffer) pack_buffer = attn_malloc_aligned((size_t)(MC + NC) * KL * sizeof(uint32_t));
    return pack_buffer;
}

#ifdef PACKED_AVX512

/* Transposes the 16 x 16 matrix of 32-bit lanes in r (rows in, columns out). */
static inline void transpose16x16(__m512i r[16]) {
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

/* n <= 16 consecutive values of X from X[i] as bf16 in the low halves of
 * 32-bit lanes, zero in lanes >= n. */
static inline __m512i load16_bf16(const void *X, gemm_dtype t, int64_t i, int64_t n) {
    if (t == GEMM_BF16) return _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(gemm_mask16(n), (const uint16_t *)X + i));
    return _mm512_maskz_mov_epi32(gemm_mask16(n), gemm_round16_bf16(_mm512_maskz_loadu_epi32(gemm_mask16(n), (const float *)X + i)));
}

/* One packed lane vector of a row contiguous in k: 16 k pairs (n <= 32
 * values from X[i]) for bf16, or 16 fp32 k values (n <= 16); zero beyond n. */
static inline __m512i load_lanes(gemm_pack_kind kind, const void *X, gemm_dtype t, int64_t i, int64_t n) {
    if (kind == GEMM_PACK_F32) return _mm512_maskz_loadu_epi32(gemm_mask16(n), (const float *)X + i);
    if (t == GEMM_BF16)
        return _mm512_maskz_loadu_epi16(gemm_mask32(n), (const uint16_t *)X + i);
    const float *x = (const float *)X + i;
    __m512i lo = gemm_round16_bf16(_mm512_maskz_loadu_epi32(gemm_mask16(n), x));
    __m512i hi = gemm_round16_bf16(_mm512_maskz_loadu_epi32(gemm_mask16(n - 16), x + 16));
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(lo)), _mm512_cvtepi32_epi16(hi), 1);
}

/* n <= 16 consecutive values of X from X[i] as fp32, zero beyond n. */
static inline __m512 load16_f32(const void *X, gemm_dtype t, int64_t i, int64_t n) {
    if (t == GEMM_F32) return _mm512_maskz_loadu_ps(gemm_mask16(n), (const float *)X + i);
    __m512i h = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(gemm_mask16(n), (const uint16_t *)X + i));
    return _mm512_castsi512_ps(_mm512_slli_epi32(h, 16));
}

/* Packs rows [r0, r0 + rows) of op(X) over k in [k0, k0 + kc) into
 * ceil(rows / W) panels, panel q at dst + q * kl * W as [k lane][W],
 * zero beyond the rows and beyond kc. k_contig: op(X)'s row r is
 * contiguous in k at X + r*ld; else op(X)'s column k is contiguous at
 * X + k*ld, and then sums (when not NULL) gets each row's values added
 * in k order (sums[0] is row r0's). */
static void pack_panels(gemm_pack_kind kind, uint32_t *dst, int W, const void *X, gemm_dtype t, bool k_contig, int64_t ld,
                        int64_t r0, int64_t rows, int64_t k0, int64_t kc, float *sums) {
    int64_t per = kind == GEMM_PACK_BF16 ? 2 : 1, kl = (kc + per - 1) / per, panels = (rows + W - 1) / W;
    if (k_contig) {
        for (int64_t q = 0; q < panels; q++)
            for (int rg = 0; rg < W; rg += 16) {
                int64_t n = rows - q * W - rg;
                __mmask16 sm = gemm_mask16(W - rg);
                uint32_t *d = dst + q * kl * W + rg;
                for (int64_t p0 = 0; p0 < kl; p0 += 16) {
                    int64_t np = kl - p0 < 16 ? kl - p0 : 16, nk = kc - per * p0 < 16 * per ? kc - per * p0 : 16 * per;
                    __m512i v[16];
                    for (int r = 0; r < 16; r++)
                        v[r] = r < n ? load_lanes(kind, X, t, (r0 + q * W + rg + r) * ld + k0 + per * p0, nk)
                                     : _mm512_setzero_si512();
                    transpose16x16(v);
                    for (int64_t i = 0; i < np; i++) _mm512_mask_storeu_epi32(d + (p0 + i) * W, sm, v[i]);
                }
            }
        return;
    }
    for (int64_t p = 0; p < kl; p++) {
        int64_t lo = (k0 + per * p) * ld + r0, hi = lo + ld;
        bool has_hi = kind == GEMM_PACK_BF16 && 2 * p + 1 < kc;
        for (int64_t q = 0; q < panels; q++)
            for (int c = 0; c < W; c += 16) {
                int64_t n = rows - q * W - c, at = q * W + c;
                __m512i v;
                if (kind == GEMM_PACK_F32) {
                    v = _mm512_maskz_loadu_epi32(gemm_mask16(n), (const float *)X + lo + at);
                } else {
                    v = load16_bf16(X, t, lo + at, n);
                    if (has_hi) v = _mm512_or_si512(v, _mm512_slli_epi32(load16_bf16(X, t, hi + at, n), 16));
                }
                if (sums) { /* this panel's rows only */
                    int64_t m = n < W - c ? n : W - c;
                    __m512 s = _mm512_add_ps(_mm512_maskz_loadu_ps(gemm_mask16(m), sums + at), load16_f32(X, t, lo + at, m));
                    if (has_hi) s = _mm512_add_ps(s, load16_f32(X, t, hi + at, m));
                    _mm512_mask_storeu_ps(sums + at, gemm_mask16(m), s);
                }
                _mm512_mask_storeu_epi32(dst + q * kl * W + p * W + c, gemm_mask16(W - c), v);
            }
    }
}

/* Writes the 12 x 32 accumulators to C (mr x nr): C = alpha * acc, plus C
 * when acc_c. */
static inline void store_tile(const __m512 c0[MR], const __m512 c1[MR], float *C, int64_t ldc, int mr, int nr, bool acc_c,
                              float alpha) {
    __mmask16 m0 = gemm_mask16(nr), m1 = gemm_mask16(nr - 16);
    __m512 al = _mm512_set1_ps(alpha);
    for (int i = 0; i < mr; i++) {
        float *ci = C + i * ldc;
        __m512 x0 = c0[i], x1 = c1[i];
        if (alpha != 1.0f) x0 = _mm512_mul_ps(x0, al), x1 = _mm512_mul_ps(x1, al);
        if (acc_c) {
            x0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, ci), x0);
            if (m1) x1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, ci + 16), x1);
        }
        _mm512_mask_storeu_ps(ci, m0, x0);
        if (m1) _mm512_mask_storeu_ps(ci + 16, m1, x1);
    }
}

/* C tile (mr <= MR, nr <= NR) (+)= alpha * A panel (kl lanes x MR) @ B panel (kl x NR). */
BF16_TARGET static void kernel_bf16(int64_t kl, const uint32_t *a, const uint32_t *b, float *C, int64_t ldc, int mr, int nr,
                                    bool acc_c, float alpha) {
    __m512 c0[MR], c1[MR];
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kl; p++) {
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
    store_tile(c0, c1, C, ldc, mr, nr, acc_c, alpha);
}

static void kernel_f32(int64_t kl, const uint32_t *a, const uint32_t *b, float *C, int64_t ldc, int mr, int nr, bool acc_c,
                       float alpha) {
    const float *af = (const float *)a, *bf = (const float *)b;
    __m512 c0[MR], c1[MR];
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kl; p++) {
        __m512 b0 = _mm512_loadu_ps(bf), b1 = _mm512_loadu_ps(bf + 16);
#pragma GCC unroll 12
        for (int i = 0; i < MR; i++) {
            __m512 av = _mm512_set1_ps(af[i]);
            c0[i] = _mm512_fmadd_ps(av, b0, c0[i]);
            c1[i] = _mm512_fmadd_ps(av, b1, c1[i]);
        }
        af += MR;
        bf += NR;
    }
    store_tile(c0, c1, C, ldc, mr, nr, acc_c, alpha);
}

#else /* the AVX2 build */

/* Packs as the AVX-512 build does (fp32 lanes only), in plain C. */
static void pack_panels(gemm_pack_kind kind, uint32_t *dst, int W, const void *X, gemm_dtype t, bool k_contig, int64_t ld,
                        int64_t r0, int64_t rows, int64_t k0, int64_t kc, float *sums) {
    (void)kind, (void)t;
    const float *x = (const float *)X;
    int64_t panels = (rows + W - 1) / W;
    for (int64_t q = 0; q < panels; q++) {
        float *d = (float *)dst + q * kc * W;
        int64_t n = rows - q * W < W ? rows - q * W : W;
        if (k_contig) {
            for (int64_t r = 0; r < W; r++) {
                const float *xr = x + (r0 + q * W + r) * ld + k0;
                for (int64_t p = 0; p < kc; p++) d[p * W + r] = r < n ? xr[p] : 0.0f;
            }
            continue;
        }
        for (int64_t p = 0; p < kc; p++) {
            const float *xp = x + (k0 + p) * ld + r0 + q * W;
            float *dp = d + p * W;
            for (int64_t r = 0; r < W; r++) dp[r] = r < n ? xp[r] : 0.0f;
            if (sums)
                for (int64_t r = 0; r < n; r++) sums[q * W + r] += xp[r];
        }
    }
}

/* C tile (mr <= MR, nr <= NR) = alpha * A panel (kl x MR) @ B panel (kl x NR), plus C when acc_c. */
static void kernel_f32(int64_t kl, const uint32_t *a, const uint32_t *b, float *C, int64_t ldc, int mr, int nr, bool acc_c,
                       float alpha) {
    const float *af = (const float *)a, *bf = (const float *)b;
    __m256 c0[MR], c1[MR];
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm256_setzero_ps();
    for (int64_t p = 0; p < kl; p++) {
        __m256 b0 = _mm256_loadu_ps(bf), b1 = _mm256_loadu_ps(bf + 8);
#pragma GCC unroll 6
        for (int i = 0; i < MR; i++) {
            __m256 av = _mm256_broadcast_ss(af + i);
            c0[i] = _mm256_fmadd_ps(av, b0, c0[i]);
            c1[i] = _mm256_fmadd_ps(av, b1, c1[i]);
        }
        af += MR;
        bf += NR;
    }
    __m256 al = _mm256_set1_ps(alpha);
    /* every loop over the accumulators unrolled: an indexed one would keep
     * them in memory */
    if (mr == MR && nr == NR) {
#pragma GCC unroll 6
        for (int i = 0; i < MR; i++) {
            float *ci = C + i * ldc;
            __m256 x0 = c0[i], x1 = c1[i];
            if (alpha != 1.0f) x0 = _mm256_mul_ps(x0, al), x1 = _mm256_mul_ps(x1, al);
            if (acc_c) x0 = _mm256_add_ps(_mm256_loadu_ps(ci), x0), x1 = _mm256_add_ps(_mm256_loadu_ps(ci + 8), x1);
            _mm256_storeu_ps(ci, x0);
            _mm256_storeu_ps(ci + 8, x1);
        }
        return;
    }
    float tile[MR][NR]; /* an edge tile: through a buffer */
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
        _mm256_storeu_ps(tile[i], c0[i]);
        _mm256_storeu_ps(tile[i] + 8, c1[i]);
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            float v = alpha != 1.0f ? tile[i][j] * alpha : tile[i][j];
            C[i * ldc + j] = acc_c ? C[i * ldc + j] + v : v;
        }
}

#endif

/* C rows [i0, i1) x cols [j0, j1) += alpha * op(A) @ op(B) (= when
 * overwrite) on one thread, with its own packing buffers (false: none
 * could be allocated, C untouched). */
static bool gemm_block(gemm_pack_kind kind, bool ta, bool tb, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t K,
                       float alpha, const void *A, gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb,
                       float *C, int64_t ldc, bool overwrite, const gemm_fuse *fx) {
    uint32_t *ap = pack_buffers(), *bp = ap ? ap + MC * KL : NULL;
    if (!ap) return false;
    int64_t per = kind == GEMM_PACK_BF16 ? 2 : 1, KCB = KL * per;
    for (int64_t jc = j0; jc < j1; jc += NC) {
        int64_t nc = j1 - jc < NC ? j1 - jc : NC, nb = (nc + NR - 1) / NR;
        for (int64_t pc = 0; pc < K; pc += KCB) {
            int64_t kc = K - pc < KCB ? K - pc : KCB, kl = (kc + per - 1) / per;
            bool last = pc + kc >= K, store = fx && last && (fx->bias || fx->act != GEMM_ACT_NONE);
            pack_panels(kind, bp, NR, B, bt, tb, ldb, jc, nc, pc, kc, NULL);
            for (int64_t ic = i0; ic < i1; ic += MC) {
                int64_t mc = i1 - ic < MC ? i1 - ic : MC, mb = (mc + MR - 1) / MR;
                /* row sums (op(A) strided in k: gemm_packed sees to the rest)
                 * by the thread holding column 0 */
                float *sums = fx && fx->row_sums && jc == 0 ? fx->row_sums + ic : NULL;
                pack_panels(kind, ap, MR, A, at, !ta, lda, ic, mc, pc, kc, sums);
                for (int64_t jb = 0; jb < nb; jb++)
                    for (int64_t ib = 0; ib < mb; ib++) {
                        int mr = (int)(mc - ib * MR < MR ? mc - ib * MR : MR), nr = (int)(nc - jb * NR < NR ? nc - jb * NR : NR);
                        float *c = C + (ic + ib * MR) * ldc + jc + jb * NR;
                        bool acc_c = !overwrite || pc > 0;
#ifdef PACKED_AVX512
                        if (kind == GEMM_PACK_BF16)
                            kernel_bf16(kl, ap + ib * kl * MR, bp + jb * kl * NR, c, ldc, mr, nr, acc_c, alpha);
                        else
#endif
                            kernel_f32(kl, ap + ib * kl * MR, bp + jb * kl * NR, c, ldc, mr, nr, acc_c, alpha);
                        if (store) {
                            int64_t i = ic + ib * MR, j = jc + jb * NR;
                            CPU_FN(gemm_fuse_store)(fx, C, ldc, i, i + mr, j, j + nr);
                        }
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
static void gemm_threads(gemm_pack_kind kind, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const void *A,
                         gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float *C, int64_t ldc,
                         bool overwrite, const gemm_fuse *fx) {
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
            if (!gemm_block(kind, ta, tb, i0, i1, j0, j1, K, alpha, A, at, lda, B, bt, ldb, C, ldc, overwrite, fx)) {
                /* no buffer: this band by the plain loop */
                size_t ea = at == GEMM_BF16 ? 2 : 4, eb = bt == GEMM_BF16 ? 2 : 4;
                float *c = C + i0 * ldc + j0;
                if (overwrite) gemm_scale(i1 - i0, j1 - j0, 0.0f, c, ldc);
                CPU_FN(gemm_naive_acc)(kind, ta, tb, i1 - i0, j1 - j0, K, alpha,
                                       (const char *)A + (size_t)(ta ? i0 : i0 * lda) * ea, at, lda,
                                       (const char *)B + (size_t)(tb ? j0 * ldb : j0) * eb, bt, ldb, c, ldc);
                if (fx) CPU_FN(gemm_fuse_store)(fx, C, ldc, i0, i1, j0, j1);
                if (fx && fx->row_sums && ta && j0 == 0) row_sums_pass(fx->row_sums, ta, i0, i1, K, A, at, lda);
            }
        }
    }
}

bool CPU_FN(gemm_packed_available)(gemm_pack_kind kind) {
    static int f32 = -1, bf16 = -1;
    if (f32 < 0) {
        __builtin_cpu_init();
#ifdef PACKED_AVX512
        f32 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
        bf16 = f32 && __builtin_cpu_supports("avx512bf16");
#else
        f32 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        bf16 = 0;
#endif
    }
    return kind == GEMM_PACK_BF16 ? bf16 : f32;
}

#else

bool CPU_FN(gemm_packed_available)(gemm_pack_kind kind) { return false; }

#endif

void CPU_FN(gemm_packed)(gemm_pack_kind kind, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const void *A,
                         gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float beta, float *C,
                         int64_t ldc, const gemm_fuse *fx) {
    if (M <= 0 || N <= 0) return;
    bool overwrite = beta == 0.0f && K > 0; /* the first k block stores: no pass to clear C */
    if (!overwrite) gemm_scale(M, N, beta, C, ldc);
    if (K <= 0) {
        CPU_FN(gemm_fuse_after)(fx, ta, M, N, K, A, at, lda, C, ldc);
        return;
    }
#ifdef HAVE_PACKED
    if (CPU_FN(gemm_packed_available)(kind)) {
        gemm_fuse in = fx ? *fx : (gemm_fuse){0};
        if (in.row_sums && !ta) { /* rows contiguous in k: summed by their own pass */
            gemm_fuse sums_only = {.row_sums = in.row_sums};
            CPU_FN(gemm_fuse_after)(&sums_only, ta, M, N, K, A, at, lda, C, ldc);
            in.row_sums = NULL;
        }
        gemm_threads(kind, ta, tb, M, N, K, alpha, A, at, lda, B, bt, ldb, C, ldc, overwrite, fx ? &in : NULL);
        return;
    }
#endif
    if (overwrite) gemm_scale(M, N, 0.0f, C, ldc);
    CPU_FN(gemm_naive_acc)(kind, ta, tb, M, N, K, alpha, A, at, lda, B, bt, ldb, C, ldc);
    CPU_FN(gemm_fuse_after)(fx, ta, M, N, K, A, at, lda, C, ldc);
}
