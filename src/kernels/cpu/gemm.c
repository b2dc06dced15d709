/* GEMM: a BLAS, attn's packed kernel (gemm_packed.c) or a blocked OpenMP
 * loop (see gemm.h). */
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/gemm_packed.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "kernels/blas.h"

static void scale_row(float *c, int64_t N, float beta) {
    if (beta == 0.0f)
        for (int64_t j = 0; j < N; j++) c[j] = 0.0f;
    else
        for (int64_t j = 0; j < N; j++) c[j] *= beta;
}

void gemm_scale(int64_t M, int64_t N, float beta, float *C, int64_t ldc) {
    if (beta == 1.0f) return;
    if (cpu_in_team()) {
        for (int64_t i = 0; i < M; i++) scale_row(C + i * ldc, N, beta);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < M; i++) scale_row(C + i * ldc, N, beta);
}

/* Built-in kernel. tb == false: C[i,:] += a(i,k) * B[k,:] (row axpys, the
 * B block stays in cache across rows); tb == true: C[i,j] += dot(A[i,:],
 * B[j,:]) with A rows contiguous. Blocked over k and j for locality. */
static void gemm_builtin_acc(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                             int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc) {
    enum { KB = 256, JB = 1024 };
    if (!tb) {
        for (int64_t k0 = 0; k0 < K; k0 += KB) {
            int64_t k1 = k0 + KB < K ? k0 + KB : K;
            for (int64_t j0 = 0; j0 < N; j0 += JB) {
                int64_t j1 = j0 + JB < N ? j0 + JB : N;
#pragma omp parallel for schedule(static)
                for (int64_t i = 0; i < M; i++) {
                    float *c = C + i * ldc;
                    for (int64_t k = k0; k < k1; k++) {
                        float a = alpha * (ta ? A[k * lda + i] : A[i * lda + k]);
                        const float *b = B + k * ldb;
#pragma omp simd
                        for (int64_t j = j0; j < j1; j++) c[j] += a * b[j];
                    }
                }
            }
        }
        return;
    }
    if (!ta) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < M; i++) {
            const float *a = A + i * lda;
            for (int64_t j = 0; j < N; j++) {
                const float *b = B + j * ldb;
                float s = 0.0f;
#pragma omp simd reduction(+ : s)
                for (int64_t k = 0; k < K; k++) s += a[k] * b[k];
                C[i * ldc + j] += alpha * s;
            }
        }
        return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            float s = 0.0f;
            for (int64_t k = 0; k < K; k++) s += A[k * lda + i] * B[j * ldb + k];
            C[i * ldc + j] += alpha * s;
        }
}

/* The BLAS (blas.h: loaded on first use); attn's packed kernel where it
 * did not load. */
void gemm_f32_blas(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                   const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        gemm_scale(M, N, beta, C, ldc);
        return;
    }
    const blas_api *blas = blas_load();
    if (!blas) {
        gemm_f32_packed(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    if (M == 1 && trans_b && !trans_a) {
        /* one row (decoding): a matrix-vector product streams B once, where
         * sgemm would first copy it into packed panels */
        blas->sgemv(BLAS_ROW_MAJOR, BLAS_NO_TRANS, (int)N, (int)K, alpha, B, (int)ldb, A, 1, beta, C, 1);
        return;
    }
    blas->sgemm(BLAS_ROW_MAJOR, trans_a ? BLAS_TRANS : BLAS_NO_TRANS, trans_b ? BLAS_TRANS : BLAS_NO_TRANS, (int)M, (int)N,
                (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

void gemm_f32_packed(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                     int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    CPU_FN(gemm_packed)(GEMM_PACK_F32, trans_a, trans_b, M, N, K, alpha, A, GEMM_F32, lda, B, GEMM_F32, ldb, beta, C, ldc,
                        NULL);
}

#if defined(__AVX512F__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_GEMV 1

/* dot(w, x) over n floats, left as a vector (two accumulators, masked tail). */
static inline __m512 row_dot(const float *w, const float *x, int64_t n) {
    __m512 p0 = _mm512_setzero_ps(), p1 = p0;
    int64_t c = 0;
    for (; c + 32 <= n; c += 32) {
        p0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + c), _mm512_loadu_ps(x + c), p0);
        p1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + c + 16), _mm512_loadu_ps(x + c + 16), p1);
    }
    for (; c < n; c += 16) {
        __mmask16 m = gemm_mask16(n - c);
        p0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + c), _mm512_maskz_loadu_ps(m, x + c), p0);
    }
    return _mm512_add_ps(p0, p1);
}

/* The dots of four rows (ldw apart) with x over n floats, read side by side. */
static inline void rows4_dot(const float *w, int64_t ldw, const float *x, int64_t n, __m512 a[4]) {
    a[0] = a[1] = a[2] = a[3] = _mm512_setzero_ps();
    for (int64_t c = 0; c < n; c += 16) {
        __mmask16 m = gemm_mask16(n - c);
        __m512 xv = _mm512_maskz_loadu_ps(m, x + c);
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) a[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + r * ldw + c), xv, a[r]);
    }
}

/* out (N) = W (N, K; row stride ldw) @ x (K), the one-row product of
 * decoding, four rows' sums reduced together. Short rows (under 4 KiB)
 * are read one after another, so that each thread reads W as one
 * sequential stream; longer ones four side by side (streams long enough
 * for the prefetchers either way; bench_gemv measured both). */
static void gemv_rows(float *out, const float *x, const float *W, int64_t ldw, int64_t K, int64_t N) {
    bool side_by_side = K * (int64_t)sizeof(float) >= 4096;
#pragma omp parallel for if (N * K >= PAR_MIN) schedule(static)
    for (int64_t o0 = 0; o0 < N; o0 += 4) {
        const float *w = W + o0 * ldw;
        if (o0 + 4 > N) {
            for (int64_t o = o0; o < N; o++) out[o] = _mm512_reduce_add_ps(row_dot(w + (o - o0) * ldw, x, K));
            continue;
        }
        __m512 a[4];
        if (side_by_side) {
            rows4_dot(w, ldw, x, K, a);
        } else {
#pragma GCC unroll 4
            for (int r = 0; r < 4; r++) a[r] = row_dot(w + r * ldw, x, K);
        }
        _mm_storeu_ps(out + o0, gemm_sum4(a[0], a[1], a[2], a[3]));
    }
}

/* ---- a few rows times a weight matrix (decoding a batch) ----------------- */

/* out (M, N) = x (M, K) @ W (N, K)^T for the rows of a batched decoding
 * step (2 <= M <= ROWS_MAX), reading W once in its own layout where sgemm
 * would first copy all of it into packed panels on every call. Vectors run
 * over the rows: x is transposed, in chunks of up to 64 rows, into xt,
 * chunk c (K, Mp_c) with Mp_c = its rows rounded up to 16, and each output
 * column n gathers x^T[k] * W[n][k] over k in order; a pass over a few
 * columns runs every chunk while those columns' weights are in cache.
 * ROWS_MAX is one chunk: at 128 rows the chunks measured as fast as
 * OpenBLAS (bench_gemm's shapes on one Zen 4 core), and products of more
 * rows (training's too) keep the BLAS's sums.
 *
 * Every output is one fused multiply-add chain over k from 0 to K: a row's
 * outputs do not depend on the other rows of the step, nor on the thread
 * count (tests/unit/test_kernels.c checks both and the sums against the
 * reference). */
enum { ROWS_MAX = 64, ROWS_CHUNK = 64, ROWS_TILE_W = 16 };

/* xt, one per calling thread (core.h), at the largest size asked for */
static thread_buffer rows_buffer = THREAD_BUFFER_INIT;

/* Columns [n0, n0 + NB) (NB <= 8) for MV row vectors; inlined with
 * constant NB and MV so that the sums stay in registers. The weight rows
 * of the pass two passes on are prefetched into L2 as these are read:
 * NB rows of a few KiB side by side are streams too short for the hardware
 * prefetchers (SmolLM2's fp32 decoding step of 8 sequences, bench_batch:
 * 30 ms without, 20 ms with). */
static inline __attribute__((always_inline)) void rows_cols(float *out, int64_t ldc, const float *xt, int64_t Mp, int64_t M,
                                                            const float *W, int64_t ldw, int64_t K, int64_t n0, int NB,
                                                            int MV) {
    __m512 tot[8][4];
    const float *w0 = W + n0 * ldw;
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++)
#pragma GCC unroll 4
        for (int v = 0; v < 4; v++) tot[j][v] = _mm512_setzero_ps();
    for (int64_t k = 0; k < K; k++) {
        if ((k & 15) == 0)
#pragma GCC unroll 8
            for (int j = 0; j < 8; j++)
                if (j < NB) _mm_prefetch((const char *)(w0 + (j + 2 * NB) * ldw + k), _MM_HINT_T1);
        __m512 xv[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
#pragma GCC unroll 4
        for (int v = 0; v < 4; v++)
            if (v < MV) xv[v] = _mm512_load_ps(xt + k * Mp + 16 * v);
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++) {
            if (j >= NB) continue;
            __m512 w = _mm512_set1_ps(w0[j * ldw + k]);
#pragma GCC unroll 4
            for (int v = 0; v < 4; v++)
                if (v < MV) tot[j][v] = _mm512_fmadd_ps(xv[v], w, tot[j][v]);
        }
    }
    float col[64] __attribute__((aligned(64)));
    for (int j = 0; j < NB; j++) {
#pragma GCC unroll 4
        for (int v = 0; v < 4; v++)
            if (v < MV) _mm512_store_ps(col + 16 * v, tot[j][v]);
        for (int64_t m = 0; m < M; m++) out[m * ldc + n0 + j] = col[m];
    }
}

/* Columns [n0, n0 + NB) of the chunk of M rows (MV vectors) at xt. */
static inline void rows_chunk(float *out, int64_t ldc, const float *xt, int64_t M, const float *W, int64_t ldw,
                              int64_t K, int64_t n0, int NB) {
    int64_t Mp = (M + 15) / 16 * 16;
    int MV = (int)(Mp / 16);
    /* constant trip counts for the compiler */
    switch (MV * 16 + NB) {
#define ROWS_CASE(mv, nb) \
    case mv * 16 + nb: rows_cols(out, ldc, xt, Mp, M, W, ldw, K, n0, nb, mv); break;
        ROWS_CASE(1, 8) ROWS_CASE(2, 6) ROWS_CASE(3, 4) ROWS_CASE(4, 4) ROWS_CASE(1, 4) ROWS_CASE(2, 4)
        default: rows_cols(out, ldc, xt, Mp, M, W, ldw, K, n0, NB, MV); break;
#undef ROWS_CASE
    }
}

/* Floats of xt for M rows of K. */
static int64_t rows_xt_floats(int64_t M, int64_t K) { return K * ((M + 15) / 16 * 16); }

static void rows_matmul(float *out, int64_t ldc, const float *x, int64_t lda, const float *W, int64_t ldw, int64_t M,
                        int64_t N, int64_t K, float *xt) {
    for (int64_t m0 = 0; m0 < M; m0 += ROWS_CHUNK) {
        int64_t Mc = M - m0 < ROWS_CHUNK ? M - m0 : ROWS_CHUNK, Mp = (Mc + 15) / 16 * 16;
        float *t = xt + K * m0; /* chunks before this one are full: K * 64 floats each */
        for (int64_t m = 0; m < Mp; m++) { /* rows read in order (their columns, lda apart, share cache sets) */
            const float *r = x + (m0 + m) * lda;
            if (m < Mc)
                for (int64_t k = 0; k < K; k++) t[k * Mp + m] = r[k];
            else
                for (int64_t k = 0; k < K; k++) t[k * Mp + m] = 0.0f;
        }
    }
    /* columns per pass: enough independent sums to cover the FMA latency;
     * passes in groups of about 16 columns, each group's outputs first in a
     * tile of whole rows (rows ldc apart, often a power of two of bytes,
     * would take a few floats of the same cache sets from every pass) */
    int64_t MV = M > ROWS_CHUNK ? 4 : (M + 15) / 16, NBm = MV == 1 ? 8 : MV == 2 ? 6 : 4;
    int64_t GW = (ROWS_TILE_W / NBm) * NBm, n_group = (N + GW - 1) / GW;
#pragma omp parallel for if (N * K * M >= PAR_MIN && !cpu_in_team()) schedule(static)
    for (int64_t g = 0; g < n_group; g++) {
        float tile[ROWS_MAX * ROWS_TILE_W];
        int64_t g0 = g * GW, gw = N - g0 < GW ? N - g0 : GW;
        for (int64_t n0 = g0; n0 < g0 + gw; n0 += NBm) {
            int NB = g0 + gw - n0 < NBm ? (int)(g0 + gw - n0) : (int)NBm;
            for (int64_t m0 = 0; m0 < M; m0 += ROWS_CHUNK)
                rows_chunk(tile + m0 * gw, gw, xt + K * m0, M - m0 < ROWS_CHUNK ? M - m0 : ROWS_CHUNK, W + g0 * ldw, ldw,
                           K, n0 - g0, NB);
        }
        for (int64_t m = 0; m < M; m++) memcpy(out + m * ldc + g0, tile + m * gw, (size_t)gw * sizeof(float));
    }
}

#endif

typedef enum { USE_BLAS, USE_PACKED, USE_BUILTIN } gemm_use;

/* ATTN_GEMM=blas|attn|builtin, else the BLAS where one was built in and
 * loads (it measures as fast as attn's packed kernel on the transformer
 * shapes, bench/bench_gemm.c; it is not loaded under a memory limit too
 * small for its buffers, blas.h), else the packed kernel where this CPU
 * runs it, else the blocked loop. */
static gemm_use gemm_choice(void) {
    static int use = -1;
    if (use < 0) {
        const char *e = getenv("ATTN_GEMM");
        bool packed = CPU_FN(gemm_packed_available)(GEMM_PACK_F32);
        bool builtin = e && !strcmp(e, "builtin"), own = e && !strcmp(e, "attn") && packed;
        use = builtin ? USE_BUILTIN : own ? USE_PACKED : blas_load() ? USE_BLAS : packed ? USE_PACKED : USE_BUILTIN;
    }
    return (gemm_use)use;
}

const char *gemm_backend(void) {
    switch (gemm_choice()) {
    case USE_BLAS: return "openblas";
    case USE_PACKED: return "attn-packed";
    default: return "builtin";
    }
}

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
              const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    gemm_f32_fused(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL);
}

void gemm_f32_fused(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                    const float *B, int64_t ldb, float beta, float *C, int64_t ldc, const gemm_fuse *fuse) {
#ifdef HAVE_GEMV
    if (M == 1 && N > 0 && K > 0 && trans_b && !trans_a && alpha == 1.0f && beta == 0.0f && gemm_choice() != USE_BUILTIN) {
        gemv_rows(C, A, B, ldb, K, N); /* a decoding step's linear layer */
        CPU_FN(gemm_fuse_after)(fuse, trans_a, M, N, K, A, GEMM_F32, lda, C, ldc);
        return;
    }
    if (M >= 2 && M <= ROWS_MAX && N > 0 && K > 0 && trans_b && !trans_a && alpha == 1.0f && beta == 0.0f &&
        gemm_choice() == USE_BLAS) {
        size_t bytes = (size_t)rows_xt_floats(M, K) * sizeof(float);
        float *xt = thread_buffer_get(&rows_buffer, bytes); /* without it, the BLAS below */
        if (xt) {
            rows_matmul(C, ldc, A, lda, B, ldb, M, N, K, xt); /* a batched decoding step's linear layer */
            CPU_FN(gemm_fuse_after)(fuse, trans_a, M, N, K, A, GEMM_F32, lda, C, ldc);
            return;
        }
    }
#endif
    switch (gemm_choice()) {
    case USE_PACKED:
        CPU_FN(gemm_packed)(GEMM_PACK_F32, trans_a, trans_b, M, N, K, alpha, A, GEMM_F32, lda, B, GEMM_F32, ldb, beta, C,
                            ldc, fuse);
        return;
    case USE_BLAS: gemm_f32_blas(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); break;
    default: gemm_f32_builtin(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); break;
    }
    if (M > 0 && N > 0) CPU_FN(gemm_fuse_after)(fuse, trans_a, M, N, K, A, GEMM_F32, lda, C, ldc);
}

void gemm_f32_builtin(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                      int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    gemm_scale(M, N, beta, C, ldc);
    if (K > 0) gemm_builtin_acc(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, C, ldc);
}
