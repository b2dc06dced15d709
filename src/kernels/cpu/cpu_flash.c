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
 * widths above TILE_MAX_D use the row kernels of cpu_softmax.c. */
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/vmath.h"

#include <math.h>

enum { BQ = 32, BK = 32, TILE_MAX_D = 128 };

/* Keys j < key_end(d, i) are causally visible to query i. */
static inline int64_t key_end(const attn_dims *d, int64_t i) {
    if (!d->causal) return d->Tk;
    int64_t end = i + (d->Tk - d->Tq) + 1;
    return end < 0 ? 0 : (end > d->Tk ? d->Tk : end);
}

/* dst (D x BK) = src rows j0 .. j0+nk-1 transposed; columns past nk are 0. */
static void pack_transposed(float *dst, const float *src, int64_t stride, int64_t nk, int64_t D) {
    for (int64_t e = 0; e < D; e++)
        for (int64_t jj = 0; jj < BK; jj++) dst[e * BK + jj] = jj < nk ? src[jj * stride + e] : 0.0f;
}

/* S (nq x BK) = Qs (nq x D) @ Kt (D x BK), then -inf where a key is not
 * visible (past the block, causally hidden, or padding). */
static void tile_scores(const attn_dims *d, float *S, const float *Qs, const float *Kt, int64_t nq, int64_t D,
                        int64_t i0, int64_t j0, int64_t nk, const uint8_t *mask) {
    for (int64_t r = 0; r < nq; r++) {
        float *srow = S + r * BK;
        for (int64_t jj = 0; jj < BK; jj++) srow[jj] = 0.0f;
        for (int64_t e = 0; e < D; e++) {
            float qe = Qs[r * D + e];
            const float *kt = Kt + e * BK;
#pragma omp simd
            for (int64_t jj = 0; jj < BK; jj++) srow[jj] += qe * kt[jj];
        }
        int64_t end = key_end(d, i0 + r) - j0; /* visible: jj < end */
        if (end > nk) end = nk;
        for (int64_t jj = end < 0 ? 0 : end; jj < BK; jj++) srow[jj] = -INFINITY;
        if (mask)
            for (int64_t jj = 0; jj < nk; jj++)
                if (!mask[j0 + jj]) srow[jj] = -INFINITY;
    }
}

void CPU_FN(cpu_attention_forward)(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                                   const float *v) {
    if (d->D > TILE_MAX_D) {
        CPU_FN(cpu_attention_forward_rows)(d, out, lse, q, k, v);
        return;
    }
    const int64_t D = d->D, C = d->H * D, n_qb = (d->Tq + BQ - 1) / BQ;
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t bh = 0; bh < d->B * d->H; bh++)
        for (int64_t qb = 0; qb < n_qb; qb++) {
            int64_t b = bh / d->H, h = bh % d->H, i0 = qb * BQ;
            int64_t nq = d->Tq - i0 < BQ ? d->Tq - i0 : BQ;
            const float *qb_ptr = q + b * d->q_batch_stride + i0 * d->q_stride + h * D;
            const float *kb = k + b * d->kv_batch_stride + h * D;
            const float *vb = v + b * d->kv_batch_stride + h * D;
            const uint8_t *mask = d->key_mask ? d->key_mask + b * d->Tk : NULL;
            float Qs[BQ * TILE_MAX_D], Kt[TILE_MAX_D * BK], S[BQ * BK], acc[BQ * TILE_MAX_D], m[BQ], l[BQ];
            for (int64_t r = 0; r < nq; r++) {
                for (int64_t e = 0; e < D; e++) {
                    Qs[r * D + e] = qb_ptr[r * d->q_stride + e] * d->scale;
                    acc[r * D + e] = 0.0f;
                }
                m[r] = -INFINITY;
                l[r] = 0.0f;
            }
            int64_t kend = key_end(d, i0 + nq - 1);
            for (int64_t j0 = 0; j0 < kend; j0 += BK) {
                int64_t nk = kend - j0 < BK ? kend - j0 : BK;
                pack_transposed(Kt, kb + j0 * d->kv_stride, d->kv_stride, nk, D);
                tile_scores(d, S, Qs, Kt, nq, D, i0, j0, nk, mask);
                for (int64_t r = 0; r < nq; r++) {
                    float *srow = S + r * BK, bm = -INFINITY;
                    for (int64_t jj = 0; jj < nk; jj++) bm = srow[jj] > bm ? srow[jj] : bm;
                    if (bm == -INFINITY) continue;
                    float nm = m[r] > bm ? m[r] : bm;
                    float corr = m[r] == -INFINITY ? 0.0f : vm_expf(m[r] - nm), sum = 0.0f;
#pragma omp simd reduction(+ : sum)
                    for (int64_t jj = 0; jj < BK; jj++) {
                        srow[jj] = vm_expf_masked(srow[jj] - nm);
                        sum += srow[jj];
                    }
                    l[r] = l[r] * corr + sum;
                    m[r] = nm;
                    float *a = acc + r * D;
                    for (int64_t e = 0; e < D; e++) a[e] *= corr;
                    for (int64_t jj = 0; jj < nk; jj++) {
                        float p = srow[jj];
                        if (p == 0.0f) continue;
                        const float *vj = vb + (j0 + jj) * d->kv_stride;
#pragma omp simd
                        for (int64_t e = 0; e < D; e++) a[e] += p * vj[e];
                    }
                }
            }
            for (int64_t r = 0; r < nq; r++) {
                float *o = out + (b * d->Tq + i0 + r) * C + h * D;
                if (m[r] == -INFINITY) {
                    for (int64_t e = 0; e < D; e++) o[e] = 0.0f;
                    lse[bh * d->Tq + i0 + r] = -INFINITY;
                    continue;
                }
                float inv = 1.0f / l[r];
                for (int64_t e = 0; e < D; e++) o[e] = acc[r * D + e] * inv;
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
    const int64_t D = d->D, C = d->H * D, off = d->Tk - d->Tq;
#pragma omp parallel for schedule(static)
    for (int64_t bh = 0; bh < d->B * d->H; bh++) {
        int64_t b = bh / d->H, h = bh % d->H;
        const float *kb = k + b * d->kv_batch_stride + h * D;
        const float *vb = v + b * d->kv_batch_stride + h * D;
        const uint8_t *mask = d->key_mask ? d->key_mask + b * d->Tk : NULL;
        float Qs[BQ * TILE_MAX_D], dO[BQ * TILE_MAX_D], Kt[TILE_MAX_D * BK], Vt[TILE_MAX_D * BK], S[BQ * BK],
            dP[BQ * BK], dK[BK * TILE_MAX_D], dV[BK * TILE_MAX_D], Dr[BQ];
        for (int64_t j0 = 0; j0 < d->Tk; j0 += BK) {
            int64_t nk = d->Tk - j0 < BK ? d->Tk - j0 : BK;
            pack_transposed(Kt, kb + j0 * d->kv_stride, d->kv_stride, nk, D);
            pack_transposed(Vt, vb + j0 * d->kv_stride, d->kv_stride, nk, D);
            for (int64_t x = 0; x < nk * D; x++) dK[x] = dV[x] = 0.0f;
            /* queries that may see this key block: i + off >= j0 when causal */
            int64_t first_q = d->causal ? j0 - off : 0;
            if (first_q < 0) first_q = 0;
            for (int64_t i0 = (first_q / BQ) * BQ; i0 < d->Tq; i0 += BQ) {
                int64_t nq = d->Tq - i0 < BQ ? d->Tq - i0 : BQ;
                for (int64_t r = 0; r < nq; r++) {
                    const float *qi = q + b * d->q_batch_stride + (i0 + r) * d->q_stride + h * D;
                    const float *doi = dout + (b * d->Tq + i0 + r) * C + h * D;
                    const float *oi = out + (b * d->Tq + i0 + r) * C + h * D;
                    float s = 0.0f;
                    for (int64_t e = 0; e < D; e++) {
                        Qs[r * D + e] = qi[e] * d->scale;
                        dO[r * D + e] = doi[e];
                        s += doi[e] * oi[e];
                    }
                    Dr[r] = s;
                }
                tile_scores(d, S, Qs, Kt, nq, D, i0, j0, nk, mask);
                for (int64_t r = 0; r < nq; r++) {
                    float l = lse[bh * d->Tq + i0 + r];
                    float *srow = S + r * BK, *dprow = dP + r * BK;
                    if (l == -INFINITY) { /* the query saw no key at all */
                        for (int64_t jj = 0; jj < BK; jj++) srow[jj] = dprow[jj] = 0.0f;
                        continue;
                    }
#pragma omp simd
                    for (int64_t jj = 0; jj < BK; jj++) srow[jj] = vm_expf_masked(srow[jj] - l); /* P */
                    for (int64_t jj = 0; jj < BK; jj++) dprow[jj] = 0.0f;
                    for (int64_t e = 0; e < D; e++) {
                        float g = dO[r * D + e];
                        const float *vt = Vt + e * BK;
#pragma omp simd
                        for (int64_t jj = 0; jj < BK; jj++) dprow[jj] += g * vt[jj];
                    }
                    /* dS (w.r.t. the scaled scores) over dP's storage */
#pragma omp simd
                    for (int64_t jj = 0; jj < BK; jj++) dprow[jj] = srow[jj] * (dprow[jj] - Dr[r]);
                }
                for (int64_t r = 0; r < nq; r++) {
                    const float *prow = S + r * BK, *dsrow = dP + r * BK;
                    const float *dor = dO + r * D, *qr = Qs + r * D;
                    for (int64_t jj = 0; jj < nk; jj++) {
                        float p = prow[jj], ds = dsrow[jj];
                        float *dvj = dV + jj * D, *dkj = dK + jj * D;
#pragma omp simd
                        for (int64_t e = 0; e < D; e++) {
                            dvj[e] += p * dor[e];
                            dkj[e] += ds * qr[e];
                        }
                    }
                    if (dq) {
                        float *dqi = dq + b * d->q_batch_stride + (i0 + r) * d->q_stride + h * D;
                        for (int64_t jj = 0; jj < nk; jj++) {
                            float ds = dsrow[jj] * d->scale;
                            if (ds == 0.0f) continue;
                            const float *kj = kb + (j0 + jj) * d->kv_stride;
#pragma omp simd
                            for (int64_t e = 0; e < D; e++) dqi[e] += ds * kj[e];
                        }
                    }
                }
            }
            for (int64_t jj = 0; jj < nk; jj++) {
                if (dk) {
                    float *dkj = dk + b * d->kv_batch_stride + (j0 + jj) * d->kv_stride + h * D;
                    for (int64_t e = 0; e < D; e++) dkj[e] += dK[jj * D + e];
                }
                if (dv) {
                    float *dvj = dv + b * d->kv_batch_stride + (j0 + jj) * d->kv_stride + h * D;
                    for (int64_t e = 0; e < D; e++) dvj[e] += dV[jj * D + e];
                }
            }
        }
    }
}
