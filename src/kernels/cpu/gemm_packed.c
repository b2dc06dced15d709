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
 * On a CPU with AMX the bf16 kind runs 32 x 32 tiles of C on the tile
 * registers instead (see "AMX tiles" below).
 * The AVX2 build runs the fp32 kind only, with a 6 x 16 micro-kernel (12
 * ymm accumulators), KL = 256, and packs in plain C. */
#include "kernels/cpu/gemm_packed.h"
#include "kernels/cpu/amx.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/vmath.h"
#include "kernels/bf16.h"

#include "attn/attn.h"
#include "core/core.h"

#include <float.h>
#include <math.h>
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

static void naive_row(gemm_pack_kind kind, bool ta, bool tb, int64_t i, int64_t N, int64_t K, float alpha, const void *A,
                      gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float *c) {
    for (int64_t j = 0; j < N; j++) {
        float s = 0.0f;
        for (int64_t k = 0; k < K; k++)
            s += value(A, at, kind, ta ? k * lda + i : i * lda + k) * value(B, bt, kind, tb ? j * ldb + k : k * ldb + j);
        c[j] += alpha * s;
    }
}

/* Inside a team (a band of gemm_threads) the loop runs on the calling
 * thread without opening a region (cpu_in_team). */
void CPU_FN(gemm_naive_acc)(gemm_pack_kind kind, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                            const void *A, gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float *C,
                            int64_t ldc) {
    if (cpu_in_team()) {
        for (int64_t i = 0; i < M; i++) naive_row(kind, ta, tb, i, N, K, alpha, A, at, lda, B, bt, ldb, C + i * ldc);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < M; i++) naive_row(kind, ta, tb, i, N, K, alpha, A, at, lda, B, bt, ldb, C + i * ldc);
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

/* The bf16 kind's tile engine (AVX-512 build only): none, AMX, or AMX
 * run by the C model; it runs 32-row tiles (KL and MC are multiples of
 * 16 lanes and 32 rows). */
enum { AMX_MR = 32 };
typedef enum amx_mode { AMX_OFF = 0, AMX_ON, AMX_EMULATED } amx_mode;

#ifdef HAVE_PACKED

#ifdef PACKED_AVX512
enum { MR = 12, NR = 32, KL = 384, MC = 16 * MR, NC = 96 * NR };
#else
enum { MR = 6, NR = 16, KL = 256, MC = 24 * MR, NC = 256 * NR };
#endif

/* One packing buffer per calling thread (thread_buffer), at the largest
 * size any call needs: a training step allocates nothing; NULL when the
 * allocation failed. */
static thread_buffer pack_buffer = THREAD_BUFFER_INIT;

static uint32_t *pack_buffers(void) { return thread_buffer_get(&pack_buffer, (size_t)(MC + NC) * KL * sizeof(uint32_t)); }

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

/* The k pair (X[lo + r], X[lo + ld + r] when has_hi, else 0) of n <= 16
 * rows r of an op(X) strided in k, as bf16 lanes; zero beyond n. */
static inline __m512i load16_pairs(const void *X, gemm_dtype t, int64_t lo, int64_t ld, bool has_hi, int64_t n) {
    __m512i v = load16_bf16(X, t, lo, n);
    return has_hi ? _mm512_or_si512(v, _mm512_slli_epi32(load16_bf16(X, t, lo + ld, n), 16)) : v;
}

/* sums[r] += X[lo + r] (then + X[lo + ld + r] when has_hi), unrounded, for
 * the m <= 16 rows r of an op(X) strided in k. */
static inline void add16_sums(float *sums, const void *X, gemm_dtype t, int64_t lo, int64_t ld, bool has_hi, int64_t m) {
    __m512 s = _mm512_add_ps(_mm512_maskz_loadu_ps(gemm_mask16(m), sums), load16_f32(X, t, lo, m));
    if (has_hi) s = _mm512_add_ps(s, load16_f32(X, t, lo + ld, m));
    _mm512_mask_storeu_ps(sums, gemm_mask16(m), s);
}

/* Packs rows [r0, r0 + rows) of op(X) over k in [k0, k0 + kc) into
 * ceil(rows / W) panels of klp >= kl lanes, panel q at dst + q * klp * W
 * as [k lane][W], zero beyond the rows and beyond kc. k_contig: op(X)'s row r is
 * contiguous in k at X + r*ld; else op(X)'s column k is contiguous at
 * X + k*ld, and then sums (when not NULL) gets each row's values added
 * in k order (sums[0] is row r0's). */
static void pack_panels(gemm_pack_kind kind, uint32_t *dst, int W, const void *X, gemm_dtype t, bool k_contig, int64_t ld,
                        int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t klp, float *sums) {
    int64_t per = kind == GEMM_PACK_BF16 ? 2 : 1, kl = (kc + per - 1) / per, panels = (rows + W - 1) / W;
    if (k_contig) {
        for (int64_t q = 0; q < panels; q++)
            for (int rg = 0; rg < W; rg += 16) {
                int64_t n = rows - q * W - rg;
                __mmask16 sm = gemm_mask16(W - rg);
                uint32_t *d = dst + q * klp * W + rg;
                for (int64_t p0 = 0; p0 < klp; p0 += 16) { /* lanes past kl load as zero */
                    int64_t np = klp - p0 < 16 ? klp - p0 : 16, nk = kc - per * p0 < 16 * per ? kc - per * p0 : 16 * per;
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
        int64_t lo = (k0 + per * p) * ld + r0;
        bool has_hi = kind == GEMM_PACK_BF16 && 2 * p + 1 < kc;
        for (int64_t q = 0; q < panels; q++)
            for (int c = 0; c < W; c += 16) {
                int64_t n = rows - q * W - c, at = q * W + c;
                __m512i v;
                if (kind == GEMM_PACK_F32) v = _mm512_maskz_loadu_epi32(gemm_mask16(n), (const float *)X + lo + at);
                else v = load16_pairs(X, t, lo + at, ld, has_hi, n);
                if (sums) add16_sums(sums + at, X, t, lo + at, ld, has_hi, n < W - c ? n : W - c); /* this panel's rows only */
                _mm512_mask_storeu_epi32(dst + q * klp * W + p * W + c, gemm_mask16(W - c), v);
            }
    }
    for (int64_t q = 0; q < panels && klp > kl; q++) memset(dst + (q * klp + kl) * W, 0, (size_t)((klp - kl) * W) * sizeof *dst);
}

/* Writes accumulators of 32 columns to C (mr x nr), row i's halves at
 * c0[i * step] and c1[i * step] (the micro-kernels' registers: step 1; a
 * 32-float-wide buffer: c1 = c0 + 1, step 2): C = alpha * acc, plus C
 * when acc_c. */
static inline void store_tile(const __m512 *c0, const __m512 *c1, int step, float *C, int64_t ldc, int mr, int nr,
                              bool acc_c, float alpha) {
    __mmask16 m0 = gemm_mask16(nr), m1 = gemm_mask16(nr - 16);
    __m512 al = _mm512_set1_ps(alpha);
    for (int i = 0; i < mr; i++) {
        float *ci = C + i * ldc;
        __m512 x0 = c0[i * step], x1 = c1[i * step];
        if (alpha != 1.0f) x0 = _mm512_mul_ps(x0, al), x1 = _mm512_mul_ps(x1, al);
        if (acc_c) {
            x0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, ci), x0);
            if (m1) x1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, ci + 16), x1);
        }
        _mm512_mask_storeu_ps(ci, m0, x0);
        if (m1) _mm512_mask_storeu_ps(ci + 16, m1, x1);
    }
}

/* C tile (mr <= MR, nr <= NR) (+)= alpha * A panel (kl lanes x MR) @ B panel (kl x NR).
 * Aligned to a cache line, so that where its k loop falls in the
 * instruction cache lines does not move with the code around it (shifted
 * by 32 bytes, it went with a 2% slower bf16 training step). */
BF16_TARGET __attribute__((aligned(64))) static void kernel_bf16(int64_t kl, const uint32_t *a, const uint32_t *b, float *C, int64_t ldc, int mr, int nr,
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
    store_tile(c0, c1, 1, C, ldc, mr, nr, acc_c, alpha);
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
    store_tile(c0, c1, 1, C, ldc, mr, nr, acc_c, alpha);
}

/* ---- AMX tiles -------------------------------------------------------------------
 * The bf16 kind on a CPU with AMX (amx.h): C in 32 x 32 tiles, held as four
 * 16 x 16 fp32 tile registers while 16 k pairs at a time of two A tiles
 * (rows 0-15 and 16-31) and two B tiles (columns 0-15 and 16-31) are
 * multiplied into them (tmm0..3 C, tmm4/5 A, tmm6/7 B; one configuration
 * with every tile 16 rows x 64 bytes). B panels are the ones above
 * ([k lane][32 columns]: rows of a B tile, 128 bytes apart); A panels
 * hold 32 rows as [16-lane chunk][32 rows][16 lanes] (rows of an A tile,
 * 64 bytes apart); both are zero-padded to a whole chunk of k. Where the
 * CPU has no AMX, tests run the same blocking, packing and kernel with the
 * tile instructions executed by a C model (AMX_EMULATED), which also
 * checks each instruction's tile shapes as the hardware does. */

typedef struct amx_model {
    amx_tilecfg cfg;
    bool on;
    uint8_t tile[8][16 * 64];
} amx_model;
static _Thread_local amx_model emu;
static int emu_faults; /* instructions the hardware would have refused */

static void emu_fault(void) { __atomic_add_fetch(&emu_faults, 1, __ATOMIC_RELAXED); }

static void emu_config(const amx_tilecfg *c) {
    bool ok = c->palette == 1 && c->start_row == 0;
    for (int i = 0; i < 16; i++)
        ok = ok && (i < 8 ? c->rows[i] <= 16 && c->colsb[i] <= 64 : c->rows[i] == 0 && c->colsb[i] == 0);
    if (!ok) emu_fault();
    emu.cfg = *c;
    emu.on = ok;
    memset(emu.tile, 0, sizeof emu.tile);
}

static bool emu_tile(int t) {
    bool ok = emu.on && emu.cfg.rows[t] > 0 && emu.cfg.colsb[t] > 0;
    if (!ok) emu_fault();
    return ok;
}

static void emu_zero(int t) {
    if (emu_tile(t)) memset(emu.tile[t], 0, sizeof emu.tile[t]);
}

static void emu_load(int t, const void *base, int64_t stride) {
    if (!emu_tile(t)) return;
    memset(emu.tile[t], 0, sizeof emu.tile[t]);
    for (int r = 0; r < emu.cfg.rows[t]; r++) memcpy(emu.tile[t] + r * 64, (const char *)base + r * stride, emu.cfg.colsb[t]);
}

static void emu_store(int t, void *base, int64_t stride) {
    if (!emu_tile(t)) return;
    for (int r = 0; r < emu.cfg.rows[t]; r++) memcpy((char *)base + r * stride, emu.tile[t] + r * 64, emu.cfg.colsb[t]);
}

/* bf16 input with denormals read as zero */
static inline float emu_bf16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, sizeof h);
    return bf16_to_f32((h & 0x7f80) ? h : (uint16_t)(h & 0x8000));
}

/* tdpbf16ps c, a, b as the instruction's definition: for each row m and
 * pair k, C[m][n] += A[m][2k] B[k][2n], then += A[m][2k+1] B[k][2n+1],
 * each step rounded to fp32 (nearest even), denormal results flushed. */
static void emu_dpbf16(int c, int a, int b) {
    const amx_tilecfg *g = &emu.cfg;
    if (!(emu_tile(c) && emu_tile(a) && emu_tile(b))) return;
    if (g->colsb[c] % 4 || g->colsb[a] % 4 || g->rows[c] != g->rows[a] || g->colsb[a] / 4 != g->rows[b] ||
        g->colsb[c] != g->colsb[b] || c == a || c == b || a == b) {
        emu_fault();
        return;
    }
    for (int m = 0; m < g->rows[c]; m++)
        for (int k = 0; k < g->colsb[a] / 4; k++) {
            float a0 = emu_bf16(emu.tile[a] + m * 64 + 4 * k), a1 = emu_bf16(emu.tile[a] + m * 64 + 4 * k + 2);
            for (int n = 0; n < g->colsb[c] / 4; n++) {
                float acc;
                memcpy(&acc, emu.tile[c] + m * 64 + 4 * n, sizeof acc);
                acc += a0 * emu_bf16(emu.tile[b] + k * 64 + 4 * n);
                if (fabsf(acc) < FLT_MIN) acc = copysignf(0.0f, acc);
                acc += a1 * emu_bf16(emu.tile[b] + k * 64 + 4 * n + 2);
                if (fabsf(acc) < FLT_MIN) acc = copysignf(0.0f, acc);
                memcpy(emu.tile[c] + m * 64 + 4 * n, &acc, sizeof acc);
            }
        }
}

/* The 32 x 32 tile of C at c (rows ldc floats apart) = (C when load_c, else
 * 0) + A panel (klp lanes x 32 rows) @ B panel (klp lanes x 32 columns). */
#define AMX_TILE_KERNEL(name, ZERO, LOAD, DP, STORE)                                                                   \
    static void name(int64_t klp, const uint32_t *a, const uint32_t *b, float *c, int64_t ldc, bool load_c) {         \
        int64_t s = ldc * (int64_t)sizeof(float);                                                                      \
        if (load_c) {                                                                                                  \
            LOAD(0, c, s);                                                                                             \
            LOAD(1, c + 16, s);                                                                                        \
            LOAD(2, c + 16 * ldc, s);                                                                                  \
            LOAD(3, c + 16 * ldc + 16, s);                                                                             \
        } else {                                                                                                       \
            ZERO(0);                                                                                                   \
            ZERO(1);                                                                                                   \
            ZERO(2);                                                                                                   \
            ZERO(3);                                                                                                   \
        }                                                                                                              \
        for (int64_t p = 0; p < klp; p += 16) {                                                                        \
            LOAD(4, a + p * AMX_MR, 64);                                                                               \
            LOAD(5, a + p * AMX_MR + 16 * 16, 64);                                                                     \
            LOAD(6, b + p * NR, NR * 4);                                                                               \
            LOAD(7, b + p * NR + 16, NR * 4);                                                                          \
            DP(0, 4, 6);                                                                                               \
            DP(1, 4, 7);                                                                                               \
            DP(2, 5, 6);                                                                                               \
            DP(3, 5, 7);                                                                                               \
        }                                                                                                              \
        STORE(0, c, s);                                                                                                \
        STORE(1, c + 16, s);                                                                                           \
        STORE(2, c + 16 * ldc, s);                                                                                     \
        STORE(3, c + 16 * ldc + 16, s);                                                                                \
    }

AMX_TILE_KERNEL(amx_tile_emulated, emu_zero, emu_load, emu_dpbf16, emu_store)
#ifdef AMX_ASM
AMX_TILE_KERNEL(amx_tile_hw, AMX_ZERO, AMX_LOAD, AMX_DPBF16, AMX_STORE)
#else
#define amx_tile_hw amx_tile_emulated /* never chosen: amx_bf16_usable() is false */
#endif

static void amx_begin(amx_mode m) {
    amx_tilecfg cfg = amx_config_full();
#ifdef AMX_ASM
    if (m == AMX_ON) {
        AMX_CONFIG(&cfg);
        return;
    }
#endif
    (void)m;
    emu_config(&cfg);
}

static void amx_end(amx_mode m) {
#ifdef AMX_ASM
    if (m == AMX_ON) {
        AMX_RELEASE();
        return;
    }
#endif
    (void)m;
    emu.on = false;
}

/* C tile (mr <= 32, nr <= 32) (+)= alpha * A panel @ B panel: a whole tile
 * with alpha 1 through the tile registers, others through a buffer. */
static void kernel_amx(amx_mode m, int64_t klp, const uint32_t *a, const uint32_t *b, float *C, int64_t ldc, int mr, int nr,
                       bool acc_c, float alpha) {
    void (*tile)(int64_t, const uint32_t *, const uint32_t *, float *, int64_t, bool) =
        m == AMX_ON ? amx_tile_hw : amx_tile_emulated;
    if (mr == AMX_MR && nr == NR && alpha == 1.0f) {
        tile(klp, a, b, C, ldc, acc_c);
        return;
    }
    _Alignas(64) __m512 t[AMX_MR * NR / 16];
    tile(klp, a, b, (float *)t, NR, false);
    store_tile(t, t + 1, 2, C, ldc, mr, nr, acc_c, alpha);
}

/* Packs rows [r0, r0 + rows) of op(X) over k in [k0, k0 + kc), rounded to
 * bf16 pairs, as A tiles: ceil(rows / 32) panels of klp lanes (a multiple
 * of 16), panel q at dst + q * klp * 32 as [16-lane chunk][32 rows][16
 * lanes], zero beyond the rows and kc. k_contig and sums as pack_panels;
 * strided rows are read a k pair at a time for 16 rows and transposed. */
static void pack_tiles(uint32_t *dst, const void *X, gemm_dtype t, bool k_contig, int64_t ld, int64_t r0, int64_t rows,
                       int64_t k0, int64_t kc, int64_t klp, float *sums) {
    int64_t kl = (kc + 1) / 2, panels = (rows + AMX_MR - 1) / AMX_MR;
    for (int64_t q = 0; q < panels; q++)
        for (int64_t p0 = 0; p0 < klp; p0 += 16) {
            uint32_t *d = dst + q * klp * AMX_MR + p0 * AMX_MR;
            for (int g = 0; g < AMX_MR; g += 16) {
                int64_t at = q * AMX_MR + g, n = rows - at; /* rows of this group of 16 (may be <= 0) */
                __m512i v[16];
                if (k_contig) {
                    for (int r = 0; r < 16; r++)
                        v[r] = r < n ? load_lanes(GEMM_PACK_BF16, X, t, (r0 + at + r) * ld + k0 + 2 * p0, kc - 2 * p0)
                                     : _mm512_setzero_si512();
                } else {
                    for (int i = 0; i < 16; i++) {
                        int64_t p = p0 + i, lo = (k0 + 2 * p) * ld + r0 + at;
                        if (p >= kl || n <= 0) {
                            v[i] = _mm512_setzero_si512();
                            continue;
                        }
                        bool has_hi = 2 * p + 1 < kc;
                        v[i] = load16_pairs(X, t, lo, ld, has_hi, n);
                        if (sums) add16_sums(sums + at, X, t, lo, ld, has_hi, n);
                    }
                    transpose16x16(v);
                }
                for (int r = 0; r < 16; r++) _mm512_storeu_si512(d + (g + r) * 16, v[r]);
            }
        }
}

#else /* the AVX2 build */

/* Packs as the AVX-512 build does (fp32 lanes only), in plain C. */
static void pack_panels(gemm_pack_kind kind, uint32_t *dst, int W, const void *X, gemm_dtype t, bool k_contig, int64_t ld,
                        int64_t r0, int64_t rows, int64_t k0, int64_t kc, int64_t klp, float *sums) {
    (void)kind, (void)t;
    const float *x = (const float *)X;
    int64_t panels = (rows + W - 1) / W;
    for (int64_t q = 0; q < panels; q++) {
        float *d = (float *)dst + q * klp * W;
        memset(d + kc * W, 0, (size_t)((klp - kc) * W) * sizeof *d);
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
static bool gemm_block(gemm_pack_kind kind, amx_mode amx, bool ta, bool tb, int64_t i0, int64_t i1, int64_t j0, int64_t j1,
                       int64_t K, float alpha, const void *A, gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt,
                       int64_t ldb, float *C, int64_t ldc, bool overwrite, const gemm_fuse *fx) {
    uint32_t *ap = pack_buffers(), *bp = ap ? ap + MC * KL : NULL;
    if (!ap) return false;
    int64_t per = kind == GEMM_PACK_BF16 ? 2 : 1, KCB = KL * per, mw = amx ? AMX_MR : MR;
#ifdef PACKED_AVX512
    if (amx) amx_begin(amx);
#endif
    for (int64_t jc = j0; jc < j1; jc += NC) {
        int64_t nc = j1 - jc < NC ? j1 - jc : NC, nb = (nc + NR - 1) / NR;
        for (int64_t pc = 0; pc < K; pc += KCB) {
            int64_t kc = K - pc < KCB ? K - pc : KCB, kl = (kc + per - 1) / per, klp = amx ? (kl + 15) / 16 * 16 : kl;
            bool last = pc + kc >= K, store = fx && last && (fx->bias || fx->act != GEMM_ACT_NONE);
            pack_panels(kind, bp, NR, B, bt, tb, ldb, jc, nc, pc, kc, klp, NULL);
            for (int64_t ic = i0; ic < i1; ic += MC) {
                int64_t mc = i1 - ic < MC ? i1 - ic : MC, mb = (mc + mw - 1) / mw;
                /* row sums (op(A) strided in k: gemm_packed sees to the rest)
                 * by the thread holding column 0 */
                float *sums = fx && fx->row_sums && jc == 0 ? fx->row_sums + ic : NULL;
#ifdef PACKED_AVX512
                if (amx) pack_tiles(ap, A, at, !ta, lda, ic, mc, pc, kc, klp, sums);
                else
#endif
                    pack_panels(kind, ap, MR, A, at, !ta, lda, ic, mc, pc, kc, kl, sums);
                for (int64_t jb = 0; jb < nb; jb++)
                    for (int64_t ib = 0; ib < mb; ib++) {
                        int mr = (int)(mc - ib * mw < mw ? mc - ib * mw : mw), nr = (int)(nc - jb * NR < NR ? nc - jb * NR : NR);
                        float *c = C + (ic + ib * mw) * ldc + jc + jb * NR;
                        const uint32_t *a = ap + ib * klp * mw, *b = bp + jb * klp * NR;
                        bool acc_c = !overwrite || pc > 0;
#ifdef PACKED_AVX512
                        if (amx) kernel_amx(amx, klp, a, b, c, ldc, mr, nr, acc_c, alpha);
                        else if (kind == GEMM_PACK_BF16) kernel_bf16(kl, a, b, c, ldc, mr, nr, acc_c, alpha);
                        else
#endif
                            kernel_f32(kl, a, b, c, ldc, mr, nr, acc_c, alpha);
                        if (store) {
                            int64_t i = ic + ib * mw, j = jc + jb * NR;
                            CPU_FN(gemm_fuse_store)(fx, C, ldc, i, i + mr, j, j + nr);
                        }
                    }
            }
        }
    }
#ifdef PACKED_AVX512
    if (amx) amx_end(amx);
#endif
    return true;
}

/* Threads split C into bands and then run without synchronising: a
 * barrier per block costs a time slice whenever another process holds a
 * core, and packing an operand twice costs less. Row bands pack all of B
 * on every thread (and A once per NC columns); column bands pack all of A
 * on every thread once per NC columns of their band (and B once): the
 * split packs fewer elements, rows when both are equal. */
static void gemm_threads(gemm_pack_kind kind, amx_mode amx, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                         const void *A, gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float *C,
                         int64_t ldc, bool overwrite, const gemm_fuse *fx) {
#pragma omp parallel
    {
        int64_t nt = 1, t = 0, mw = amx ? AMX_MR : MR;
#ifdef _OPENMP
        nt = omp_get_num_threads();
        t = omp_get_thread_num();
#endif
        double blocks_all = (double)((N + NC - 1) / NC), blocks_band = (double)((N / nt + NC) / NC);
        double rows_cost = (double)nt * (double)N * (double)K + (double)M * (double)K * blocks_all;
        double cols_cost = (double)N * (double)K + (double)nt * (double)M * (double)K * blocks_band;
        bool by_rows = M >= mw * nt && (N < NR * nt || rows_cost <= cols_cost);
        int64_t unit = by_rows ? mw : NR, n = by_rows ? M : N, units = (n + unit - 1) / unit;
        int64_t u0 = units * t / nt, u1 = units * (t + 1) / nt;
        int64_t s0 = u0 * unit, s1 = u1 * unit < n ? u1 * unit : n;
        if (s0 < s1) {
            int64_t i0 = by_rows ? s0 : 0, i1 = by_rows ? s1 : M, j0 = by_rows ? 0 : s0, j1 = by_rows ? N : s1;
            if (!gemm_block(kind, amx, ta, tb, i0, i1, j0, j1, K, alpha, A, at, lda, B, bt, ldb, C, ldc, overwrite, fx)) {
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

bool CPU_FN(gemm_packed_amx)(void) {
#ifdef PACKED_AVX512
    static int ok = -1;
    if (ok < 0) {
        const char *e = getenv("ATTN_BF16");
        ok = CPU_FN(gemm_packed_available)(GEMM_PACK_BF16) && !(e && !strcmp(e, "avx512bf16")) && amx_bf16_usable();
    }
    return ok;
#else
    return false;
#endif
}

static void packed_run(gemm_pack_kind kind, amx_mode amx, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                       const void *A, gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float beta,
                       float *C, int64_t ldc, const gemm_fuse *fx) {
    if (M <= 0 || N <= 0) return;
    bool overwrite = beta == 0.0f && K > 0; /* the first k block stores: no pass to clear C */
    if (!overwrite) gemm_scale(M, N, beta, C, ldc);
    if (K <= 0) {
        CPU_FN(gemm_fuse_after)(fx, ta, M, N, K, A, at, lda, C, ldc);
        return;
    }
#ifdef HAVE_PACKED
    if (CPU_FN(gemm_packed_available)(amx == AMX_EMULATED ? GEMM_PACK_F32 : kind)) {
        gemm_fuse in = fx ? *fx : (gemm_fuse){0};
        if (in.row_sums && !ta) { /* rows contiguous in k: summed by their own pass */
            gemm_fuse sums_only = {.row_sums = in.row_sums};
            CPU_FN(gemm_fuse_after)(&sums_only, ta, M, N, K, A, at, lda, C, ldc);
            in.row_sums = NULL;
        }
        gemm_threads(kind, amx, ta, tb, M, N, K, alpha, A, at, lda, B, bt, ldb, C, ldc, overwrite, fx ? &in : NULL);
        return;
    }
#endif
    (void)amx;
    if (overwrite) gemm_scale(M, N, 0.0f, C, ldc);
    CPU_FN(gemm_naive_acc)(kind, ta, tb, M, N, K, alpha, A, at, lda, B, bt, ldb, C, ldc);
    CPU_FN(gemm_fuse_after)(fx, ta, M, N, K, A, at, lda, C, ldc);
}

void CPU_FN(gemm_packed)(gemm_pack_kind kind, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const void *A,
                         gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float beta, float *C,
                         int64_t ldc, const gemm_fuse *fx) {
    amx_mode amx = kind == GEMM_PACK_BF16 && CPU_FN(gemm_packed_amx)() ? AMX_ON : AMX_OFF;
    packed_run(kind, amx, ta, tb, M, N, K, alpha, A, at, lda, B, bt, ldb, beta, C, ldc, fx);
}

#ifdef PACKED_AVX512
void CPU_FN(gemm_packed_amx_emulated)(gemm_pack_kind kind, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                                      const void *A, gemm_dtype at, int64_t lda, const void *B, gemm_dtype bt, int64_t ldb,
                                      float beta, float *C, int64_t ldc, const gemm_fuse *fx) {
    packed_run(kind, kind == GEMM_PACK_BF16 ? AMX_EMULATED : AMX_OFF, ta, tb, M, N, K, alpha, A, at, lda, B, bt, ldb, beta,
               C, ldc, fx);
}

int CPU_FN(gemm_amx_emulation_faults)(void) { return __atomic_exchange_n(&emu_faults, 0, __ATOMIC_RELAXED); }
#endif
