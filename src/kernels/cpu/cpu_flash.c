/* FlashAttention on the CPU: exact softmax attention computed in tiles of
 * BQ queries x BK keys with the online softmax (running max and sum per
 * query), so the Tq x Tk score matrix never exists; the forward saves one
 * log-sum-exp per query and the backward recomputes the probabilities of a
 * tile from it (Dao et al. 2022, and FlashAttention-2's loop order in the
 * backward: key blocks outside, so dK and dV of a block stay in a local
 * buffer). Keys of a tile are packed transposed (D x BK) so that scores
 * are computed by vectors over keys; probability-weighted sums of values
 * run by vectors over the head width.
 *
 * Work is split over (batch, head) pairs — and query blocks in the forward
 * — with static schedules; every output element is summed by one thread
 * in a fixed order, so results do not depend on the thread count. Head
 * widths above TILE_MAX_D use the row kernels of cpu_softmax.c, and so does
 * a forward with one query (a decoding step): with no other query to share
 * a packed key tile, copying keys and values into tiles costs more than
 * reading them in place (`bench_attention --decode`: the row kernel takes
 * 2.3-4.4x less time from 16 to 1024 cached keys). */
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/vmath.h"

#include "attn/attn.h"
#include "core/core.h"

#include <math.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

enum { BQ = 64, BK = 32, TILE_MAX_D = 128, LANES = 16 };

/* Each thread's tiles (up to 208 KiB in the backward at TILE_MAX_D) live
 * in one heap block, not on the stack: a stack that must grow by that much
 * when memory is short ends the process with a segmentation fault. The
 * block is per calling thread, sized for its team and kept (a training
 * step then allocates nothing) until the thread ends; when it cannot be
 * allocated the row kernels of cpu_softmax.c, which need no tiles, run
 * instead. */
static thread_buffer tile_block = THREAD_BUFFER_INIT;

/* The floats one thread's tiles take with head width Dp (the backward's,
 * more than the forward's), a whole number of cache lines. */
static size_t tile_floats(int64_t Dp) {
    size_t n = (size_t)(3 * BQ * Dp + 6 * BK * Dp + 2 * BQ * BK + 2 * BQ);
    return (n + 15) / 16 * 16;
}

static int team_size(void) {
#ifdef _OPENMP
    return omp_get_max_threads(); /* at least the team of a region started here */
#else
    return 1;
#endif
}

static int thread_index(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Tiles for `threads` threads of per floats each, or NULL. */
static float *tile_buffers(int threads, size_t per) {
    size_t need;
    return size_mul((size_t)threads, per * sizeof(float), &need) ? thread_buffer_get(&tile_block, need) : NULL;
}

/* Inner loops run over LANES floats with constant trip counts into local
 * accumulators, which the compiler keeps in vector registers; head vectors
 * are packed into tiles padded with zeros to Dp, a multiple of LANES. */

/* Keys j < key_end(d, i) are causally visible to query i. */
static inline int64_t key_end(const attn_dims *d, int64_t i) {
    if (!d->causal) return d->Tk;
    int64_t end = i + (d->Tk - d->Tq) + 1;
    return end < 0 ? 0 : (end > d->Tk ? d->Tk : end);
}

/* rows (n x Dp, zero-padded) = src rows 0..n-1 of width D, times mul */
static void pack_rows(float *dst, const float *src, int64_t stride, int64_t n, int64_t nmax, int64_t D, int64_t Dp,
                      float mul) {
    for (int64_t r = 0; r < nmax; r++) {
        float *o = dst + r * Dp;
        if (r < n) {
            const float *x = src + r * stride;
#pragma omp simd
            for (int64_t e = 0; e < D; e++) o[e] = x[e] * mul;
            for (int64_t e = D; e < Dp; e++) o[e] = 0.0f;
        } else {
            for (int64_t e = 0; e < Dp; e++) o[e] = 0.0f;
        }
    }
}

/* Kt (Dp x BK) = key rows j0 .. j0+nk-1 transposed; columns past nk are 0. */
static void pack_transposed(float *dst, const float *rows, int64_t nk, int64_t Dp) {
    for (int64_t e = 0; e < Dp; e++)
        for (int64_t jj = 0; jj < BK; jj++) dst[e * BK + jj] = jj < nk ? rows[jj * Dp + e] : 0.0f;
}

/* S (nq x BK) = A (nq x Dp) @ Bt (Dp x BK), then, when mask_keys, the
 * ALiBi bias slope * (j - (i + Tk - Tq)) added (slope 0: none) and -inf
 * where a key is not visible (past the block, causally hidden, or padding).
 * Rows go in groups of G so that G x BK/LANES independent accumulator
 * chains hide the FMA latency. */
enum { G = 4 };
static void tile_scores(const attn_dims *d, float *S, const float *A, const float *Bt, int64_t nq, int64_t Dp,
                        int64_t i0, int64_t j0, int64_t nk, const uint8_t *mask, bool mask_keys, float slope) {
    int64_t r = 0;
#ifdef __AVX512F__
    /* 4 rows x 32 keys in 8 registers; each loaded key column feeds 4 FMAs */
    for (; r + 4 <= nq; r += 4) {
        __m512 c[4][2];
#pragma GCC unroll 8
        for (int g = 0; g < 4; g++) c[g][0] = c[g][1] = _mm512_setzero_ps();
        const float *a = A + r * Dp;
        for (int64_t e = 0; e < Dp; e++) {
            __m512 b0 = _mm512_loadu_ps(Bt + e * BK), b1 = _mm512_loadu_ps(Bt + e * BK + 16);
#pragma GCC unroll 8
            for (int g = 0; g < 4; g++) {
                __m512 x = _mm512_set1_ps(a[g * Dp + e]);
                c[g][0] = _mm512_fmadd_ps(x, b0, c[g][0]);
                c[g][1] = _mm512_fmadd_ps(x, b1, c[g][1]);
            }
        }
#pragma GCC unroll 8
        for (int g = 0; g < 4; g++) {
            _mm512_storeu_ps(S + (r + g) * BK, c[g][0]);
            _mm512_storeu_ps(S + (r + g) * BK + 16, c[g][1]);
        }
    }
#endif
    for (; r + G <= nq; r += G) {
        float acc[G][BK];
        for (int g = 0; g < G; g++)
            for (int64_t jj = 0; jj < BK; jj++) acc[g][jj] = 0.0f;
        for (int64_t e = 0; e < Dp; e++) {
            const float *bt = Bt + e * BK;
            for (int g = 0; g < G; g++) {
                float ae = A[(r + g) * Dp + e];
#pragma omp simd
                for (int64_t jj = 0; jj < BK; jj++) acc[g][jj] += ae * bt[jj];
            }
        }
        for (int g = 0; g < G; g++)
            for (int64_t jj = 0; jj < BK; jj++) S[(r + g) * BK + jj] = acc[g][jj];
    }
    for (; r < nq; r++) {
        float acc[BK];
        for (int64_t jj = 0; jj < BK; jj++) acc[jj] = 0.0f;
        for (int64_t e = 0; e < Dp; e++) {
            float ae = A[r * Dp + e];
            const float *bt = Bt + e * BK;
#pragma omp simd
            for (int64_t jj = 0; jj < BK; jj++) acc[jj] += ae * bt[jj];
        }
        for (int64_t jj = 0; jj < BK; jj++) S[r * BK + jj] = acc[jj];
    }
    if (!mask_keys) return;
    for (r = 0; r < nq; r++) {
        float *srow = S + r * BK;
        if (slope != 0.0f) {
            float base = (float)(j0 - (i0 + r + d->Tk - d->Tq));
#pragma omp simd
            for (int64_t jj = 0; jj < BK; jj++) srow[jj] += slope * (base + (float)jj);
        }
        int64_t end = key_end(d, i0 + r) - j0; /* visible: jj < end */
        if (end > nk) end = nk;
        for (int64_t jj = end < 0 ? 0 : end; jj < BK; jj++) srow[jj] = -INFINITY;
        if (mask)
            for (int64_t jj = 0; jj < nk; jj++)
                if (!mask[j0 + jj]) srow[jj] = -INFINITY;
    }
}

enum { G8 = 8 };

/* out (n x Dp) (+)= W (n x BK) @ R (BK x Dp), W's columns past nk ignored;
 * G8 rows per pass share each load of R. */
static void tile_weighted_rows(float *out, const float *W, const float *R, int64_t n, int64_t nk, int64_t Dp,
                               bool accumulate) {
    for (int64_t e0 = 0; e0 < Dp; e0 += LANES) {
        int64_t r = 0;
#ifdef __AVX512F__
        for (; r + G8 <= n; r += G8) {
            __m512 c[G8];
#pragma GCC unroll 8
            for (int g = 0; g < G8; g++)
                c[g] = accumulate ? _mm512_loadu_ps(out + (r + g) * Dp + e0) : _mm512_setzero_ps();
            for (int64_t jj = 0; jj < nk; jj++) {
                __m512 rr = _mm512_loadu_ps(R + jj * Dp + e0);
#pragma GCC unroll 8
                for (int g = 0; g < G8; g++) c[g] = _mm512_fmadd_ps(_mm512_set1_ps(W[(r + g) * BK + jj]), rr, c[g]);
            }
#pragma GCC unroll 8
            for (int g = 0; g < G8; g++) _mm512_storeu_ps(out + (r + g) * Dp + e0, c[g]);
        }
#endif
        for (; r + G8 <= n; r += G8) {
            float acc[G8][LANES];
            for (int g = 0; g < G8; g++)
                for (int64_t x = 0; x < LANES; x++) acc[g][x] = accumulate ? out[(r + g) * Dp + e0 + x] : 0.0f;
            for (int64_t jj = 0; jj < nk; jj++) {
                const float *rr = R + jj * Dp + e0;
                for (int g = 0; g < G8; g++) {
                    float w = W[(r + g) * BK + jj];
#pragma omp simd
                    for (int64_t x = 0; x < LANES; x++) acc[g][x] += w * rr[x];
                }
            }
            for (int g = 0; g < G8; g++)
                for (int64_t x = 0; x < LANES; x++) out[(r + g) * Dp + e0 + x] = acc[g][x];
        }
        for (; r < n; r++) {
            float acc[LANES];
            for (int64_t x = 0; x < LANES; x++) acc[x] = accumulate ? out[r * Dp + e0 + x] : 0.0f;
            for (int64_t jj = 0; jj < nk; jj++) {
                float w = W[r * BK + jj];
                const float *rr = R + jj * Dp + e0;
#pragma omp simd
                for (int64_t x = 0; x < LANES; x++) acc[x] += w * rr[x];
            }
            for (int64_t x = 0; x < LANES; x++) out[r * Dp + e0 + x] = acc[x];
        }
    }
}

/* out (nk x Dp) += W^T (nk x n) @ R (n x Dp), with W (n x BK); G8 output
 * rows per pass share each load of R. */
static void tile_weighted_cols(float *out, const float *W, const float *R, int64_t n, int64_t nk, int64_t Dp) {
    for (int64_t e0 = 0; e0 < Dp; e0 += LANES) {
        int64_t jj = 0;
#ifdef __AVX512F__
        for (; jj + G8 <= nk; jj += G8) {
            __m512 c[G8];
#pragma GCC unroll 8
            for (int g = 0; g < G8; g++) c[g] = _mm512_loadu_ps(out + (jj + g) * Dp + e0);
            for (int64_t r = 0; r < n; r++) {
                __m512 rr = _mm512_loadu_ps(R + r * Dp + e0);
#pragma GCC unroll 8
                for (int g = 0; g < G8; g++) c[g] = _mm512_fmadd_ps(_mm512_set1_ps(W[r * BK + jj + g]), rr, c[g]);
            }
#pragma GCC unroll 8
            for (int g = 0; g < G8; g++) _mm512_storeu_ps(out + (jj + g) * Dp + e0, c[g]);
        }
#endif
        for (; jj + G8 <= nk; jj += G8) {
            float acc[G8][LANES];
            for (int g = 0; g < G8; g++)
                for (int64_t x = 0; x < LANES; x++) acc[g][x] = out[(jj + g) * Dp + e0 + x];
            for (int64_t r = 0; r < n; r++) {
                const float *rr = R + r * Dp + e0;
                for (int g = 0; g < G8; g++) {
                    float w = W[r * BK + jj + g];
#pragma omp simd
                    for (int64_t x = 0; x < LANES; x++) acc[g][x] += w * rr[x];
                }
            }
            for (int g = 0; g < G8; g++)
                for (int64_t x = 0; x < LANES; x++) out[(jj + g) * Dp + e0 + x] = acc[g][x];
        }
        for (; jj < nk; jj++) {
            float acc[LANES];
            for (int64_t x = 0; x < LANES; x++) acc[x] = out[jj * Dp + e0 + x];
            for (int64_t r = 0; r < n; r++) {
                float w = W[r * BK + jj];
                const float *rr = R + r * Dp + e0;
#pragma omp simd
                for (int64_t x = 0; x < LANES; x++) acc[x] += w * rr[x];
            }
            for (int64_t x = 0; x < LANES; x++) out[jj * Dp + e0 + x] = acc[x];
        }
    }
}

void CPU_FN(cpu_attention_forward)(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                                   const float *v) {
    if (d->D > TILE_MAX_D || d->Tq == 1)
        CPU_FN(cpu_attention_forward_rows)(d, out, lse, q, k, v);
    else
        CPU_FN(cpu_attention_forward_tiles)(d, out, lse, q, k, v);
}

void CPU_FN(cpu_attention_forward_tiles)(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                                         const float *v) {
    const int64_t D = d->D, Dp = (D + LANES - 1) / LANES * LANES, C = d->H * D, n_qb = (d->Tq + BQ - 1) / BQ;
    const size_t per = tile_floats(Dp);
    float *tiles = tile_buffers(team_size(), per);
    if (!tiles) {
        CPU_FN(cpu_attention_forward_rows)(d, out, lse, q, k, v);
        return;
    }
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t bh = 0; bh < d->B * d->H; bh++)
        for (int64_t qb = 0; qb < n_qb; qb++) {
            int64_t b = bh / d->H, h = bh % d->H, i0 = qb * BQ;
            int64_t nq = d->Tq - i0 < BQ ? d->Tq - i0 : BQ;
            const float *kb = k + b * d->kv_batch_stride + attn_kv_head(d, h) * D;
            const float *vb = v + b * d->kv_batch_stride + attn_kv_head(d, h) * D;
            const uint8_t *mask = d->key_mask ? d->key_mask + b * d->Tk : NULL;
            float *Qs = tiles + (size_t)thread_index() * per, *Kr = Qs + BQ * Dp, *Kt = Kr + BK * Dp,
                  *Vr = Kt + Dp * BK, *S = Vr + BK * Dp, *acc = S + BQ * BK, *m = acc + BQ * Dp, *l = m + BQ;
            pack_rows(Qs, q + b * d->q_batch_stride + i0 * d->q_stride + h * D, d->q_stride, nq, nq, D, Dp, d->scale);
            for (int64_t x = 0; x < nq * Dp; x++) acc[x] = 0.0f;
            for (int64_t r = 0; r < nq; r++) {
                m[r] = -INFINITY;
                l[r] = 0.0f;
            }
            int64_t kend = key_end(d, i0 + nq - 1);
            for (int64_t j0 = 0; j0 < kend; j0 += BK) {
                int64_t nk = kend - j0 < BK ? kend - j0 : BK;
                pack_rows(Kr, kb + j0 * d->kv_stride, d->kv_stride, nk, nk, D, Dp, 1.0f);
                pack_rows(Vr, vb + j0 * d->kv_stride, d->kv_stride, nk, nk, D, Dp, 1.0f);
                pack_transposed(Kt, Kr, nk, Dp);
                tile_scores(d, S, Qs, Kt, nq, Dp, i0, j0, nk, mask, true, d->alibi ? d->alibi[h] : 0.0f);
                for (int64_t r = 0; r < nq; r++) {
                    float *srow = S + r * BK, bm = -INFINITY;
                    for (int64_t jj = 0; jj < nk; jj++) bm = srow[jj] > bm || srow[jj] != srow[jj] ? srow[jj] : bm; /* NaN stays */
                    float nm = m[r] > bm || m[r] != m[r] ? m[r] : bm;
                    if (nm == -INFINITY) { /* nothing visible yet: weights stay 0 */
                        for (int64_t jj = 0; jj < BK; jj++) srow[jj] = 0.0f;
                        continue;
                    }
                    float corr = m[r] == -INFINITY ? 0.0f : vm_expf(m[r] - nm), sum = 0.0f;
#pragma omp simd reduction(+ : sum)
                    for (int64_t jj = 0; jj < BK; jj++) {
                        srow[jj] = vm_expf_masked(srow[jj] - nm);
                        sum += srow[jj];
                    }
                    l[r] = l[r] * corr + sum;
                    m[r] = nm;
                    float *a = acc + r * Dp;
#pragma omp simd
                    for (int64_t e = 0; e < Dp; e++) a[e] *= corr;
                }
                tile_weighted_rows(acc, S, Vr, nq, nk, Dp, true);
            }
            for (int64_t r = 0; r < nq; r++) {
                float *o = out + (b * d->Tq + i0 + r) * C + h * D;
                if (m[r] == -INFINITY) {
                    for (int64_t e = 0; e < D; e++) o[e] = 0.0f;
                    lse[bh * d->Tq + i0 + r] = -INFINITY;
                    continue;
                }
                float inv = 1.0f / l[r];
                for (int64_t e = 0; e < D; e++) o[e] = acc[r * Dp + e] * inv;
                lse[bh * d->Tq + i0 + r] = m[r] + logf(l[r]);
            }
        }
}

void CPU_FN(cpu_attention_backward)(const attn_dims *d, float *dq, float *dk, float *dv, const float *dout,
                                    const float *out, const float *lse, const float *q, const float *k,
                                    const float *v) {
    if (d->D > TILE_MAX_D) {
        CPU_FN(cpu_attention_backward_rows)(d, dq, dk, dv, dout, out, lse, q, k, v);
        return;
    }
    const int64_t D = d->D, Dp = (D + LANES - 1) / LANES * LANES, C = d->H * D, off = d->Tk - d->Tq;
    const size_t per = tile_floats(Dp);
    float *tiles = tile_buffers(team_size(), per);
    if (!tiles) {
        CPU_FN(cpu_attention_backward_rows)(d, dq, dk, dv, dout, out, lse, q, k, v);
        return;
    }
    /* threads own (batch, key/value head) pairs; a key block's dK and dV
     * sum over the group's query heads in order (grouped-query attention) */
    const int64_t Hkv = d->Hkv > 0 ? d->Hkv : d->H, group = d->H / Hkv;
#pragma omp parallel for schedule(static)
    for (int64_t bg = 0; bg < d->B * Hkv; bg++) {
        int64_t b = bg / Hkv, kvh = bg % Hkv;
        const float *kb = k + b * d->kv_batch_stride + kvh * D;
        const float *vb = v + b * d->kv_batch_stride + kvh * D;
        const uint8_t *mask = d->key_mask ? d->key_mask + b * d->Tk : NULL;
        float *Qs = tiles + (size_t)thread_index() * per, *dO = Qs + BQ * Dp, *dQ = dO + BQ * Dp, *Kr = dQ + BQ * Dp,
              *Kt = Kr + BK * Dp, *Vr = Kt + Dp * BK, *Vt = Vr + BK * Dp, *dK = Vt + Dp * BK, *dV = dK + BK * Dp,
              *S = dV + BK * Dp, *dP = S + BQ * BK, *Dr = dP + BQ * BK;
        for (int64_t j0 = 0; j0 < d->Tk; j0 += BK) {
            int64_t nk = d->Tk - j0 < BK ? d->Tk - j0 : BK;
            pack_rows(Kr, kb + j0 * d->kv_stride, d->kv_stride, nk, BK, D, Dp, 1.0f);
            pack_rows(Vr, vb + j0 * d->kv_stride, d->kv_stride, nk, BK, D, Dp, 1.0f);
            pack_transposed(Kt, Kr, nk, Dp);
            pack_transposed(Vt, Vr, nk, Dp);
            for (int64_t x = 0; x < BK * Dp; x++) dK[x] = dV[x] = 0.0f;
            /* queries that may see this key block: i + off >= j0 when causal */
            int64_t first_q = d->causal ? j0 - off : 0;
            if (first_q < 0) first_q = 0;
            for (int64_t h = kvh * group; h < (kvh + 1) * group; h++)
            for (int64_t i0 = (first_q / BQ) * BQ, bh = b * d->H + h; i0 < d->Tq; i0 += BQ) {
                int64_t nq = d->Tq - i0 < BQ ? d->Tq - i0 : BQ;
                pack_rows(Qs, q + b * d->q_batch_stride + i0 * d->q_stride + h * D, d->q_stride, nq, nq, D, Dp,
                          d->scale);
                pack_rows(dO, dout + (b * d->Tq + i0) * C + h * D, C, nq, nq, D, Dp, 1.0f);
                for (int64_t r = 0; r < nq; r++) {
                    const float *oi = out + (b * d->Tq + i0 + r) * C + h * D;
                    const float *dor = dO + r * Dp;
                    float s = 0.0f;
#pragma omp simd reduction(+ : s)
                    for (int64_t e = 0; e < D; e++) s += dor[e] * oi[e];
                    Dr[r] = s;
                }
                tile_scores(d, S, Qs, Kt, nq, Dp, i0, j0, nk, mask, true, d->alibi ? d->alibi[h] : 0.0f);
                tile_scores(d, dP, dO, Vt, nq, Dp, i0, j0, nk, NULL, false, 0.0f);
                for (int64_t r = 0; r < nq; r++) {
                    float l = lse[bh * d->Tq + i0 + r];
                    float *srow = S + r * BK, *dprow = dP + r * BK;
                    if (l == -INFINITY) { /* the query saw no key at all */
                        for (int64_t jj = 0; jj < BK; jj++) srow[jj] = dprow[jj] = 0.0f;
                        continue;
                    }
                    float dr = Dr[r];
#pragma omp simd
                    for (int64_t jj = 0; jj < BK; jj++) {
                        float p = vm_expf_masked(srow[jj] - l);
                        srow[jj] = p;                     /* P */
                        dprow[jj] = p * (dprow[jj] - dr); /* dS w.r.t. the scaled scores */
                    }
                }
                tile_weighted_cols(dV, S, dO, nq, nk, Dp);
                tile_weighted_cols(dK, dP, Qs, nq, nk, Dp);
                if (dq) {
                    tile_weighted_rows(dQ, dP, Kr, nq, nk, Dp, false);
                    for (int64_t r = 0; r < nq; r++) {
                        float *dqi = dq + b * d->q_batch_stride + (i0 + r) * d->q_stride + h * D;
                        const float *g = dQ + r * Dp;
#pragma omp simd
                        for (int64_t e = 0; e < D; e++) dqi[e] += d->scale * g[e];
                    }
                }
            }
            for (int64_t jj = 0; jj < nk; jj++) {
                if (dk) {
                    float *dkj = dk + b * d->kv_batch_stride + (j0 + jj) * d->kv_stride + kvh * D;
                    const float *g = dK + jj * Dp;
#pragma omp simd
                    for (int64_t e = 0; e < D; e++) dkj[e] += g[e];
                }
                if (dv) {
                    float *dvj = dv + b * d->kv_batch_stride + (j0 + jj) * d->kv_stride + kvh * D;
                    const float *g = dV + jj * Dp;
#pragma omp simd
                    for (int64_t e = 0; e < D; e++) dvj[e] += g[e];
                }
            }
        }
    }
}
