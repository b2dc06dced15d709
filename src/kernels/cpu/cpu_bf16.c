/* cpu_bf16.c — bf16 GEMM, GEMV and the bf16 linear layer (see gemm_bf16.h).
 * The native GEMM is gemm_packed's bf16 kind (AMX tiles or the
 * AVX512-BF16 micro-kernel over packed panels); without it, blocks are
 * converted to rounded fp32 and multiplied by gemm_f32. */
#include "kernels/cpu/gemm_bf16.h"
#include "kernels/bf16.h"
#include "kernels/cpu/gemm.h"

#include "attn/attn.h"
#include "core/core.h"

#include <stdlib.h>

#if defined(__AVX512F__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_NATIVE_BF16 1
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#endif

/* The emulation's blocks, one buffer per calling thread (thread_buffer);
 * NULL when the allocation failed (the caller then falls back to a loop
 * that needs no buffer). */
enum { EM = 512, EN = 2048, EK = 256 };
static thread_buffer emul_buffer = THREAD_BUFFER_INIT;

static float *emul_buffers(void) { return thread_buffer_get(&emul_buffer, (size_t)(EM + EN) * EK * sizeof(float)); }

/* The GEMV's input, rounded to bf16, XC values at a time, in one 16 KiB
 * buffer per calling thread that every thread of its team reads (it was an
 * array on each thread's stack, and a stack that must grow by that much
 * when memory is short ends the process with a segmentation fault).
 * A thread_buffer: decoding, which runs one GEMV per layer and token,
 * allocates nothing. NULL when it cannot be allocated: gemv_unbuffered
 * then runs. */
enum { XC = 4096 };
static thread_buffer gemv_buffer = THREAD_BUFFER_INIT;

static void *gemv_buffers(void) { return thread_buffer_get(&gemv_buffer, XC * sizeof(float)); }

/* out (OC) += W (OC, C) @ bf16(x) with no buffer: one dot per row, rows
 * split over the threads (the naive kernel, with the rows of W as A). */
static void gemv_unbuffered(float *out, const float *x, const uint16_t *W, int64_t C, int64_t OC) {
    CPU_FN(gemm_naive_acc)(GEMM_PACK_BF16, false, false, OC, 1, C, 1.0f, W, GEMM_BF16, C, x, GEMM_F32, 1, out, 1);
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

void CPU_FN(gemm_bf16_emulated)(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at,
                                int64_t lda, const void *B, gemm_dtype bt, int64_t ldb, float beta, float *C,
                                int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    gemm_scale(M, N, beta, C, ldc);
    if (K <= 0) return;
    float *a = emul_buffers(), *b = a ? a + EM * EK : NULL;
    if (!a) {
        CPU_FN(gemm_naive_acc)(GEMM_PACK_BF16, ta, tb, M, N, K, 1.0f, A, at, lda, B, bt, ldb, C, ldc); /* no buffer */
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

/* 8 lanes in GCC's vector types: one ymm in the AVX2 build, two xmm in
 * the baseline one. */
typedef float vf8 __attribute__((vector_size(32)));
typedef uint32_t vu8 __attribute__((vector_size(32)));
typedef uint16_t vh8 __attribute__((vector_size(16)));

/* dot(w, x) over n values (x already rounded to bf16), 32 at a time in
 * four vector accumulators, then the tail in order. (Vector values stay
 * inside the function: passing them needs the AVX ABI.) */
static float dot_bf16_f32(const uint16_t *w, const float *x, int64_t n) {
    vf8 s[4] = {{0}, {0}, {0}, {0}};
    int64_t c = 0;
    for (; c + 32 <= n; c += 32)
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++) {
            vh8 h;
            vf8 wf, xf;
            memcpy(&h, w + c + 8 * i, sizeof h);
            vu8 u = __builtin_convertvector(h, vu8) << 16;
            memcpy(&wf, &u, sizeof wf);
            memcpy(&xf, x + c + 8 * i, sizeof xf);
            s[i] += wf * xf;
        }
    vf8 v = (s[0] + s[1]) + (s[2] + s[3]);
    float t = ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
    for (; c < n; c++) t += bf16_to_f32(w[c]) * x[c];
    return t;
}

/* out (OC) = bias (or 0) + W (OC, C) @ bf16(x) without AVX512-BF16: x
 * rounded once per chunk of XC columns, each row's dot in vector partial
 * sums (dot_bf16_f32); rows split over the threads, each reading its rows
 * one after another. */
static void gemv_emulated(float *out, const float *x, const uint16_t *W, const float *bias, int64_t C, int64_t OC) {
    for (int64_t o = 0; o < OC; o++) out[o] = bias ? bias[o] : 0.0f;
    float *xr = gemv_buffers();
    if (!xr) {
        gemv_unbuffered(out, x, W, C, OC);
        return;
    }
    for (int64_t c0 = 0; c0 < C; c0 += XC) {
        int64_t n = C - c0 < XC ? C - c0 : XC;
        for (int64_t c = 0; c < n; c++) xr[c] = bf16_round_f32(x[c0 + c]);
#pragma omp parallel for schedule(static) if (OC * n >= PAR_MIN)
        for (int64_t o = 0; o < OC; o++) out[o] += dot_bf16_f32(W + o * C + c0, xr, n);
    }
}

/* ---- native AVX512-BF16 --------------------------------------------------------- */

#ifdef HAVE_NATIVE_BF16

static bool native_ok(void) {
    static int ok = -1;
    if (ok < 0) {
        const char *e = getenv("ATTN_BF16");
        ok = !(e && !strcmp(e, "emulate")) && CPU_FN(gemm_packed_available)(GEMM_PACK_BF16);
    }
    return ok;
}

/* Rounds n floats to bf16 (nearest even, as bf16_from_f32) into dst. */
static void round_row(uint16_t *dst, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(dst + i), _mm512_cvtepi32_epi16(gemm_round16_bf16(_mm512_loadu_si512(x + i))));
    for (; i < n; i++) dst[i] = bf16_from_f32(x[i]);
}

/* dot(w, x) over n values with the 32-value steps in two accumulators,
 * left as a vector; the tail (n mod 32) masked. */
BF16_TARGET static inline __m512 row_dot(const uint16_t *w, const uint16_t *x, int64_t n) {
    __m512 p0 = _mm512_setzero_ps(), p1 = p0;
    int64_t c = 0;
    for (; c + 64 <= n; c += 64) {
        p0 = _mm512_dpbf16_ps(p0, (__m512bh)_mm512_loadu_si512(w + c), (__m512bh)_mm512_load_si512(x + c));
        p1 = _mm512_dpbf16_ps(p1, (__m512bh)_mm512_loadu_si512(w + c + 32), (__m512bh)_mm512_load_si512(x + c + 32));
    }
    for (; c < n; c += 32) {
        __mmask32 m = gemm_mask32(n - c);
        p0 = _mm512_dpbf16_ps(p0, (__m512bh)_mm512_maskz_loadu_epi16(m, w + c), (__m512bh)_mm512_maskz_loadu_epi16(m, x + c));
    }
    return _mm512_add_ps(p0, p1);
}

/* The dots of four rows (ldw apart) with x over n values, read side by side. */
BF16_TARGET static inline void rows4_dot(const uint16_t *w, int64_t ldw, const uint16_t *x, int64_t n, __m512 a[4]) {
    a[0] = a[1] = a[2] = a[3] = _mm512_setzero_ps();
    for (int64_t c = 0; c < n; c += 32) {
        __mmask32 m = gemm_mask32(n - c);
        __m512bh xv = (__m512bh)_mm512_maskz_loadu_epi16(m, x + c);
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) a[r] = _mm512_dpbf16_ps(a[r], (__m512bh)_mm512_maskz_loadu_epi16(m, w + r * ldw + c), xv);
    }
}

/* out += W (OC, C) @ bf16(x), by chunks of XC columns, four rows' sums
 * reduced together. Short rows (under 4 KiB) are read one after another,
 * so that each thread reads W as one sequential stream (the prefetchers
 * follow it at about the machine's read bandwidth, where four 1.5 KiB rows
 * read side by side gave about 60% of it); longer ones four side by side
 * (as gemm.c's fp32 rows). */
BF16_TARGET static void gemv_native(float *out, const float *x, const uint16_t *W, int64_t C, int64_t OC) {
    uint16_t *xb = gemv_buffers();
    if (!xb) {
        gemv_unbuffered(out, x, W, C, OC);
        return;
    }
    for (int64_t c0 = 0; c0 < C; c0 += XC) {
        int64_t n = C - c0 < XC ? C - c0 : XC;
        round_row(xb, x + c0, n);
#pragma omp parallel for schedule(static)
        for (int64_t o0 = 0; o0 < OC; o0 += 4) {
            const uint16_t *w = W + o0 * C + c0;
            if (o0 + 4 > OC) {
                for (int64_t o = o0; o < OC; o++) out[o] += _mm512_reduce_add_ps(row_dot(w + (o - o0) * C, xb, n));
                continue;
            }
            __m512 a[4];
            if (n * (int64_t)sizeof(uint16_t) >= 4096) {
                rows4_dot(w, C, xb, n, a);
            } else {
#pragma GCC unroll 4
                for (int r = 0; r < 4; r++) a[r] = row_dot(w + r * C, xb, n);
            }
            _mm_storeu_ps(out + o0, _mm_add_ps(_mm_loadu_ps(out + o0), gemm_sum4(a[0], a[1], a[2], a[3])));
        }
    }
}

/* Several rows (decoding several sequences): up to FEW_PASSES x FEW_ROWS
 * rows take a pass over the weights per FEW_ROWS (bench_batch, SmolLM2 in
 * bf16: 16 sequences decoded at 517 tokens/s in two passes against 322
 * through the packed GEMM; 32: 490 and 512, packed). */
enum { FEW_ROWS = 8, FEW_PASSES = 3 };

/* A pass's activation rows rounded to bf16, XC columns at a time, in a
 * buffer per calling thread (64 KiB). */
static thread_buffer rows_buffer = THREAD_BUFFER_INIT;

/* out[r * ldo] += the dot of weight row w with bf16 row r of xb (rows ldx
 * apart) over n columns, r < N (a constant where it is inlined); the
 * weights ROWS_PF bytes ahead prefetched (the next rows of the stream). */
enum { ROWS_PF = 2048 };
BF16_TARGET static inline __attribute__((always_inline)) void row_dots(float *out, int64_t ldo, const uint16_t *xb,
                                                                       int64_t ldx, const uint16_t *w, int64_t n,
                                                                       int N) {
    __m512 a[FEW_ROWS];
#pragma GCC unroll 8
    for (int r = 0; r < FEW_ROWS; r++) a[r] = _mm512_setzero_ps();
    for (int64_t c = 0; c < n; c += 32) {
        __mmask32 m = gemm_mask32(n - c);
        _mm_prefetch((const char *)(w + c) + ROWS_PF, _MM_HINT_T0);
        __m512bh wv = (__m512bh)_mm512_maskz_loadu_epi16(m, w + c);
#pragma GCC unroll 8
        for (int r = 0; r < N; r++)
            a[r] = _mm512_dpbf16_ps(a[r], wv, (__m512bh)_mm512_maskz_loadu_epi16(m, xb + r * ldx + c));
    }
#pragma GCC unroll 8
    for (int r = 0; r < N; r++) out[r * ldo] += _mm512_reduce_add_ps(a[r]);
}

/* out (N, OC) += W (OC, C) @ bf16(x) for 1 <= N <= FEW_ROWS rows of x:
 * W streamed once for all of them, each thread its rows one after
 * another. False (nothing done) when the buffer cannot be allocated. */
BF16_TARGET static bool gemv_rows_native(float *out, const float *x, const uint16_t *W, int64_t N, int64_t C,
                                         int64_t OC) {
    uint16_t *xb = thread_buffer_get(&rows_buffer, (size_t)FEW_ROWS * XC * sizeof(uint16_t));
    if (!xb) return false;
    for (int64_t c0 = 0; c0 < C; c0 += XC) {
        int64_t n = C - c0 < XC ? C - c0 : XC, ldx = (n + 31) / 32 * 32; /* rows side by side, in few pages */
        for (int64_t r = 0; r < N; r++) round_row(xb + r * ldx, x + r * C + c0, n);
#pragma omp parallel for schedule(static) if (OC * n * N >= PAR_MIN)
        for (int64_t o = 0; o < OC; o++) {
            const uint16_t *w = W + o * C + c0;
            switch (N) { /* the row count a constant in each copy */
            case 1: row_dots(out + o, OC, xb, ldx, w, n, 1); break;
            case 2: row_dots(out + o, OC, xb, ldx, w, n, 2); break;
            case 3: row_dots(out + o, OC, xb, ldx, w, n, 3); break;
            case 4: row_dots(out + o, OC, xb, ldx, w, n, 4); break;
            case 5: row_dots(out + o, OC, xb, ldx, w, n, 5); break;
            case 6: row_dots(out + o, OC, xb, ldx, w, n, 6); break;
            case 7: row_dots(out + o, OC, xb, ldx, w, n, 7); break;
            default: row_dots(out + o, OC, xb, ldx, w, n, 8); break;
            }
        }
    }
    return true;
}

#else
static bool native_ok(void) { return false; }
#endif

/* ---- entry points ----------------------------------------------------------------- */

const char *CPU_FN(gemm_bf16_backend)(void) {
    return !native_ok() ? "fp32-emulation" : CPU_FN(gemm_packed_amx)() ? "amx" : "avx512bf16";
}

void CPU_FN(gemm_bf16_fused)(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at, int64_t lda,
                             const void *B, gemm_dtype bt, int64_t ldb, float beta, float *C, int64_t ldc,
                             const gemm_fuse *fuse) {
    if (M <= 0 || N <= 0) return;
#ifdef HAVE_NATIVE_BF16
    if (native_ok()) {
        CPU_FN(gemm_packed)(GEMM_PACK_BF16, ta, tb, M, N, K, 1.0f, A, at, lda, B, bt, ldb, beta, C, ldc, fuse);
        return;
    }
#endif
    CPU_FN(gemm_bf16_emulated)(ta, tb, M, N, K, A, at, lda, B, bt, ldb, beta, C, ldc);
    CPU_FN(gemm_fuse_after)(fuse, ta, M, N, K, A, at, lda, C, ldc);
}

void CPU_FN(gemm_bf16)(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at, int64_t lda,
                       const void *B, gemm_dtype bt, int64_t ldb, float beta, float *C, int64_t ldc) {
    CPU_FN(gemm_bf16_fused)(ta, tb, M, N, K, A, at, lda, B, bt, ldb, beta, C, ldc, NULL);
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
 * instead of packing them (with AVX512-BF16, up to FEW_PASSES x FEW_ROWS
 * rows stream them once per FEW_ROWS rows). */
enum { GEMV_ROWS = 4 };

/* out (N, OC) = inp @ weight^T with fx's bias and activation. */
static void linear_bf16(float *out, const float *inp, const uint16_t *weight, int64_t N, int64_t C, int64_t OC,
                        const gemm_fuse *fx) {
    gemm_fuse rest = *fx;
    rest.bias = NULL;
#ifdef HAVE_NATIVE_BF16
    if (N > 1 && N <= FEW_PASSES * FEW_ROWS && native_ok()) {
        for (int64_t n = 0; n < N; n++)
            for (int64_t o = 0; o < OC; o++) out[n * OC + o] = fx->bias ? fx->bias[o] : 0.0f;
        bool done = true;
        for (int64_t n0 = 0; n0 < N && done; n0 += FEW_ROWS)
            done = gemv_rows_native(out + n0 * OC, inp + n0 * C, weight, N - n0 < FEW_ROWS ? N - n0 : FEW_ROWS, C, OC);
        if (done) {
            CPU_FN(gemm_fuse_after)(&rest, false, N, OC, 0, NULL, GEMM_F32, 0, out, OC);
            return;
        }
        /* no buffer (its first pass failed, before any sum): the paths below */
    }
#endif
    if (N >= GEMV_ROWS) {
        CPU_FN(gemm_bf16_fused)(false, true, N, OC, C, inp, GEMM_F32, C, weight, GEMM_BF16, C, 0.0f, out, OC, fx);
        return;
    }
    for (int64_t n = 0; n < N; n++) CPU_FN(gemv_bf16)(out + n * OC, inp + n * C, weight, fx->bias, C, OC);
    CPU_FN(gemm_fuse_after)(&rest, false, N, OC, 0, NULL, GEMM_F32, 0, out, OC);
}

void CPU_FN(cpu_matmul_forward_bf16)(float *out, const float *inp, const uint16_t *weight, const float *bias, int64_t N,
                                     int64_t C, int64_t OC) {
    linear_bf16(out, inp, weight, N, C, OC, &(gemm_fuse){.bias = bias});
}

void CPU_FN(cpu_matmul_act_forward_bf16)(float *out, float *pre, const float *inp, const uint16_t *weight,
                                         const float *bias, int64_t N, int64_t C, int64_t OC, kernel_act act) {
    linear_bf16(out, inp, weight, N, C, OC, &(gemm_fuse){.bias = bias, .act = gemm_act_of(act), .pre = pre});
}

/* the bias gradient (an fp32 sum of dout's rows, as in the fp32 layer) is
 * fused into the dweight product, which reads dout anyway */
void CPU_FN(cpu_matmul_backward_bf16)(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                                      const uint16_t *weight, int64_t N, int64_t C, int64_t OC) {
    if (dinp) CPU_FN(gemm_bf16)(false, false, N, C, OC, dout, GEMM_F32, OC, weight, GEMM_BF16, C, 1.0f, dinp, C);
    if (dweight)
        CPU_FN(gemm_bf16_fused)(true, false, OC, C, N, dout, GEMM_F32, OC, inp, GEMM_F32, C, 1.0f, dweight, C,
                                dbias ? &(gemm_fuse){.row_sums = dbias} : NULL);
    else if (dbias)
        CPU_FN(cpu_matmul_backward)(NULL, NULL, dbias, dout, inp, NULL, N, C, OC);
}
