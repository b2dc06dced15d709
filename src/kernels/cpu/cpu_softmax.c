/* Fast CPU kernels: attention one query row at a time (online softmax over
 * key blocks, so no Tq x Tk matrix is ever stored; used for head widths
 * above the tiled kernels' limit, see cpu_flash.c) and softmax
 * cross-entropy over the vocabulary. */
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/vmath.h"

#include <math.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

/* Keys and values are read this many keys ahead of their use (each a few
 * cache lines of a row kv_stride floats long, which the hardware
 * prefetchers do not follow when the rows of many sequences are visited in
 * turn). */
enum { KEY_BLOCK = 64, MAX_HEAD_DIM = 512, PREFETCH_KEYS = 12 };

static inline int64_t last_visible(const attn_dims *d, int64_t i) {
    /* keys j < end are causally visible to query i */
    if (!d->causal) return d->Tk;
    int64_t end = i + (d->Tk - d->Tq) + 1;
    return end < 0 ? 0 : (end > d->Tk ? d->Tk : end);
}

/* Folds a block of n scores s (block maximum bm, -inf for hidden keys) into
 * a row's running maximum *m and sum *l: p[j] = exp(s[j] - the new
 * maximum), 0 for hidden keys. Returns the factor that rescales what the
 * row accumulated so far, or -1 when the block has no visible key (then
 * nothing changes). */
static inline float block_softmax(const float *s, float *p, int64_t n, float bm, float *m, float *l) {
    if (bm == -INFINITY) return -1.0f;
    float nm = *m > bm || *m != *m ? *m : bm;
    float corr = *m == -INFINITY ? 0.0f : vm_expf(*m - nm), bl = 0.0f;
#pragma omp simd reduction(+ : bl)
    for (int64_t jj = 0; jj < n; jj++) {
        float x = vm_expf(s[jj] - nm);
        p[jj] = s[jj] == -INFINITY ? 0.0f : x;
        bl += p[jj];
    }
    *l = *l * corr + bl;
    *m = nm;
    return corr;
}

/* One query row against keys [0, end) of one head (online softmax over
 * blocks of KEY_BLOCK keys): each block's scores, then their exponentials
 * in one vector loop, then the value rows. */
static void attend_row(const attn_dims *d, int64_t D, const float *qi, const float *kb, const float *vb,
                       const uint8_t *mask, float slope, int64_t pos, int64_t end, float *o, float *lse) {
    float acc[MAX_HEAD_DIM], s[KEY_BLOCK], p[KEY_BLOCK];
    float m = -INFINITY, l = 0.0f;
    for (int64_t e = 0; e < D; e++) acc[e] = 0.0f;
    for (int64_t j0 = 0; j0 < end; j0 += KEY_BLOCK) {
        int64_t n = end - j0 < KEY_BLOCK ? end - j0 : KEY_BLOCK;
        float bm = -INFINITY;
        for (int64_t jj = 0; jj < n; jj++) {
            int64_t j = j0 + jj;
            if (mask && !mask[j]) {
                s[jj] = -INFINITY;
                continue;
            }
            const float *kj = kb + j * d->kv_stride;
            for (int64_t e = 0; e < D; e += 16) __builtin_prefetch(kj + PREFETCH_KEYS * d->kv_stride + e);
            float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
            for (int64_t e = 0; e < D; e++) dot += qi[e] * kj[e];
            s[jj] = dot * d->scale + slope * (float)(j - pos);
            bm = s[jj] > bm || s[jj] != s[jj] ? s[jj] : bm; /* a NaN score makes the row NaN */
        }
        float corr = block_softmax(s, p, n, bm, &m, &l);
        if (corr < 0.0f) continue;
        for (int64_t e = 0; e < D; e++) acc[e] *= corr;
        for (int64_t jj = 0; jj < n; jj++) {
            if (s[jj] == -INFINITY) continue;
            const float *vj = vb + (j0 + jj) * d->kv_stride;
            for (int64_t e = 0; e < D; e += 16) __builtin_prefetch(vj + PREFETCH_KEYS * d->kv_stride + e);
            float pj = p[jj];
#pragma omp simd
            for (int64_t e = 0; e < D; e++) acc[e] += pj * vj[e];
        }
    }
    if (m == -INFINITY) {
        for (int64_t e = 0; e < D; e++) o[e] = 0.0f;
        *lse = -INFINITY;
        return;
    }
    float inv = 1.0f / l;
    for (int64_t e = 0; e < D; e++) o[e] = acc[e] * inv;
    *lse = m + logf(l);
}

#if defined(__AVX512F__)
/* attend_row for D = 64 in four 16-lane registers: each key's dot in FMAs
 * and one horizontal sum, the weighted values accumulated in registers. */
static void attend_row64(const attn_dims *d, const float *qi, const float *kb, const float *vb, const uint8_t *mask,
                         float slope, int64_t pos, int64_t end, float *o, float *lse) {
    __m512 q[4], acc[4];
    for (int c = 0; c < 4; c++) q[c] = _mm512_loadu_ps(qi + 16 * c), acc[c] = _mm512_setzero_ps();
    float s[KEY_BLOCK], p[KEY_BLOCK], m = -INFINITY, l = 0.0f;
    for (int64_t j0 = 0; j0 < end; j0 += KEY_BLOCK) {
        int64_t n = end - j0 < KEY_BLOCK ? end - j0 : KEY_BLOCK;
        float bm = -INFINITY;
        for (int64_t jj = 0; jj < n; jj++) {
            int64_t j = j0 + jj;
            if (mask && !mask[j]) {
                s[jj] = -INFINITY;
                continue;
            }
            const float *kj = kb + j * d->kv_stride, *vj = vb + j * d->kv_stride;
            for (int c = 0; c < 4; c++) { /* keys ahead, and this key's values for the pass below */
                __builtin_prefetch(kj + PREFETCH_KEYS * d->kv_stride + 16 * c);
                __builtin_prefetch(vj + 16 * c);
            }
            __m512 t = _mm512_mul_ps(q[0], _mm512_loadu_ps(kj));
            t = _mm512_fmadd_ps(q[1], _mm512_loadu_ps(kj + 16), t);
            t = _mm512_fmadd_ps(q[2], _mm512_loadu_ps(kj + 32), t);
            t = _mm512_fmadd_ps(q[3], _mm512_loadu_ps(kj + 48), t);
            s[jj] = _mm512_reduce_add_ps(t) * d->scale + slope * (float)(j - pos);
            bm = s[jj] > bm || s[jj] != s[jj] ? s[jj] : bm; /* a NaN score makes the row NaN */
        }
        float corr = block_softmax(s, p, n, bm, &m, &l);
        if (corr < 0.0f) continue;
        for (int c = 0; c < 4; c++) acc[c] = _mm512_mul_ps(acc[c], _mm512_set1_ps(corr));
        for (int64_t jj = 0; jj < n; jj++) {
            if (s[jj] == -INFINITY) continue;
            const float *vj = vb + (j0 + jj) * d->kv_stride;
            __m512 pj = _mm512_set1_ps(p[jj]);
            for (int c = 0; c < 4; c++) acc[c] = _mm512_fmadd_ps(pj, _mm512_loadu_ps(vj + 16 * c), acc[c]);
        }
    }
    if (m == -INFINITY) {
        for (int64_t e = 0; e < 64; e++) o[e] = 0.0f;
        *lse = -INFINITY;
        return;
    }
    __m512 inv = _mm512_set1_ps(1.0f / l);
    for (int c = 0; c < 4; c++) _mm512_storeu_ps(o + 16 * c, _mm512_mul_ps(acc[c], inv));
    *lse = m + logf(l);
}
#endif

void CPU_FN(cpu_attention_forward_rows)(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                           const float *v) {
    const int64_t C = d->H * d->D, D = d->D;
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t bh = 0; bh < d->B * d->H; bh++)
        for (int64_t i = 0; i < d->Tq; i++) {
            int64_t b = bh / d->H, h = bh % d->H;
            const float *qi = q + b * d->q_batch_stride + i * d->q_stride + h * D;
            const float *kb = k + b * d->kv_batch_stride + attn_kv_head(d, h) * D;
            const float *vb = v + b * d->kv_batch_stride + attn_kv_head(d, h) * D;
            const uint8_t *mask = d->key_mask ? d->key_mask + b * d->Tk : NULL;
            float slope = d->alibi ? d->alibi[h] : 0.0f, *o = out + (b * d->Tq + i) * C + h * D;
            int64_t pos = i + d->Tk - d->Tq, end = last_visible(d, i);
#if defined(__AVX512F__)
            if (D == 64)
                attend_row64(d, qi, kb, vb, mask, slope, pos, end, o, &lse[bh * d->Tq + i]);
            else
#endif
                attend_row(d, D, qi, kb, vb, mask, slope, pos, end, o, &lse[bh * d->Tq + i]);
        }
}

void CPU_FN(cpu_attention_backward_rows)(const attn_dims *d, float *dq, float *dk, float *dv, const float *dout,
                            const float *out, const float *lse, const float *q, const float *k,
                            const float *v) {
    const int64_t C = d->H * d->D, D = d->D;
    /* Threads own (batch, key/value head) pairs: dk/dv of a pair are
     * written by one thread only, the group's query heads in order and each
     * in query order, so the sums are deterministic. */
    const int64_t Hkv = d->Hkv > 0 ? d->Hkv : d->H, group = d->H / Hkv;
#pragma omp parallel for schedule(static)
    for (int64_t bg = 0; bg < d->B * Hkv; bg++)
      for (int64_t h = bg % Hkv * group; h < (bg % Hkv + 1) * group; h++) {
        int64_t b = bg / Hkv, bh = b * d->H + h, kvh = bg % Hkv;
        const uint8_t *mask = d->key_mask ? d->key_mask + b * d->Tk : NULL;
        for (int64_t i = 0; i < d->Tq; i++) {
            float l = lse[bh * d->Tq + i];
            if (l == -INFINITY) continue;
            const float *doi = dout + (b * d->Tq + i) * C + h * D;
            const float *oi = out + (b * d->Tq + i) * C + h * D;
            const float *qi = q + b * d->q_batch_stride + i * d->q_stride + h * D;
            float *dqi = dq ? dq + b * d->q_batch_stride + i * d->q_stride + h * D : NULL;
            float Di = 0.0f;
#pragma omp simd reduction(+ : Di)
            for (int64_t e = 0; e < D; e++) Di += doi[e] * oi[e];
            int64_t end = last_visible(d, i), pos = i + d->Tk - d->Tq;
            float slope = d->alibi ? d->alibi[h] : 0.0f;
            for (int64_t j = 0; j < end; j++) {
                if (mask && !mask[j]) continue;
                const int64_t kv = b * d->kv_batch_stride + j * d->kv_stride + kvh * D;
                const float *kj = k + kv, *vj = v + kv;
                float *dkj = dk ? dk + kv : NULL, *dvj = dv ? dv + kv : NULL;
                float sdot = 0.0f, dp = 0.0f;
#pragma omp simd reduction(+ : sdot, dp)
                for (int64_t e = 0; e < D; e++) {
                    sdot += qi[e] * kj[e];
                    dp += doi[e] * vj[e];
                }
                float p = vm_expf_masked(sdot * d->scale + slope * (float)(j - pos) - l);
                float ds = p * (dp - Di) * d->scale;
                if (dqi && dkj && dvj) {
#pragma omp simd
                    for (int64_t e = 0; e < D; e++) {
                        dqi[e] += ds * kj[e];
                        dkj[e] += ds * qi[e];
                        dvj[e] += p * doi[e];
                    }
                    continue;
                }
                /* a NULL gradient is not needed (kernels.h) */
                if (dqi) {
#pragma omp simd
                    for (int64_t e = 0; e < D; e++) dqi[e] += ds * kj[e];
                }
                if (dkj) {
#pragma omp simd
                    for (int64_t e = 0; e < D; e++) dkj[e] += ds * qi[e];
                }
                if (dvj) {
#pragma omp simd
                    for (int64_t e = 0; e < D; e++) dvj[e] += p * doi[e];
                }
            }
        }
    }
}

void CPU_FN(cpu_crossentropy_forward)(float *losses, float *lse, const float *logits, const int32_t *targets,
                              int64_t N, int64_t V, int32_t ignore_index) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *x = logits + n * V;
        float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
        for (int64_t j = 0; j < V; j++) mx = x[j] > mx ? x[j] : mx;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < V; j++) s += vm_expf(x[j] - mx);
        float l = mx + logf(s);
        lse[n] = l;
        losses[n] = targets[n] == ignore_index ? 0.0f : l - x[targets[n]];
    }
}

void CPU_FN(cpu_crossentropy_backward)(float *dlogits, const float *logits, const float *lse, const int32_t *targets,
                               float scale, int64_t N, int64_t V, int32_t ignore_index) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *x = logits + n * V;
        float *dx = dlogits + n * V;
        if (targets[n] == ignore_index) {
            for (int64_t j = 0; j < V; j++) dx[j] = 0.0f;
            continue;
        }
        float l = lse[n];
#pragma omp simd
        for (int64_t j = 0; j < V; j++) dx[j] = scale * vm_expf(x[j] - l);
        dx[targets[n]] -= scale;
    }
}

void CPU_FN(cpu_crossentropy_smooth_forward)(float *losses, float *lse, const float *logits, const int32_t *targets,
                                             int64_t N, int64_t V, int32_t ignore_index, float eps) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *x = logits + n * V;
        float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
        for (int64_t j = 0; j < V; j++) mx = x[j] > mx ? x[j] : mx;
        float s = 0.0f, sx = 0.0f;
#pragma omp simd reduction(+ : s, sx)
        for (int64_t j = 0; j < V; j++) {
            s += vm_expf(x[j] - mx);
            sx += x[j];
        }
        float l = mx + logf(s);
        lse[n] = l;
        losses[n] = targets[n] == ignore_index ? 0.0f : (1.0f - eps) * (l - x[targets[n]]) + eps * (l - sx / (float)V);
    }
}

void CPU_FN(cpu_crossentropy_smooth_backward)(float *dlogits, const float *logits, const float *lse,
                                              const int32_t *targets, float scale, int64_t N, int64_t V,
                                              int32_t ignore_index, float eps) {
    float floor_ = scale * eps / (float)V;
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *x = logits + n * V;
        float *dx = dlogits + n * V;
        if (targets[n] == ignore_index) {
            for (int64_t j = 0; j < V; j++) dx[j] = 0.0f;
            continue;
        }
        float l = lse[n];
#pragma omp simd
        for (int64_t j = 0; j < V; j++) dx[j] = scale * vm_expf(x[j] - l) - floor_;
        dx[targets[n]] -= scale * (1.0f - eps);
    }
}

#if defined(__AVX512F__) && defined(__GNUC__)
#include <immintrin.h>

/* exp of 8 doubles x <= 0: x = n ln2 + r with |r| <= ln2 / 2 (ln2 in two
 * parts, n ln2_hi exact), exp(r) by its Taylor polynomial to degree 13
 * (truncation below 1e-17 relative), times 2^n; 0 below -708, where exp
 * leaves the normal range (-inf included); NaN for NaN. */
static inline __m512d exp_nonpos_pd(__m512d x) {
    static const double inv_fact[14] = {1.0,
                                        1.0,
                                        1.0 / 2,
                                        1.0 / 6,
                                        1.0 / 24,
                                        1.0 / 120,
                                        1.0 / 720,
                                        1.0 / 5040,
                                        1.0 / 40320,
                                        1.0 / 362880,
                                        1.0 / 3628800,
                                        1.0 / 39916800,
                                        1.0 / 479001600,
                                        1.0 / 6227020800.0};
    __mmask8 tiny = _mm512_cmp_pd_mask(x, _mm512_set1_pd(-708.0), _CMP_LT_OQ);
    x = _mm512_max_pd(_mm512_set1_pd(-708.0), x); /* NaN stays NaN (max_pd returns its second operand then) */
    __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(1.4426950408889634)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(6.93147180369123816490e-01), x);
    r = _mm512_fnmadd_pd(n, _mm512_set1_pd(1.90821492927058770002e-10), r);
    __m512d p = _mm512_set1_pd(inv_fact[13]);
    for (int i = 12; i >= 0; i--) p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(inv_fact[i]));
    return _mm512_maskz_scalef_pd((__mmask8)~tiny, p, n);
}

/* Eight floats from x (fewer: the rest -inf) as doubles. */
static inline __m512d load8_pd(const float *x, int64_t left) {
    __mmask8 m = left >= 8 ? (__mmask8)0xff : (__mmask8)((1u << left) - 1);
    return _mm512_cvtps_pd(_mm256_mask_loadu_ps(_mm256_set1_ps(-INFINITY), m, x));
}

static void log_softmax_row(float *x, int64_t V) {
    __m512 mv = _mm512_set1_ps(-INFINITY);
    int64_t j = 0;
    for (; j + 16 <= V; j += 16) mv = _mm512_max_ps(mv, _mm512_loadu_ps(x + j));
    float mf = _mm512_reduce_max_ps(mv);
    for (; j < V; j++) mf = x[j] > mf ? x[j] : mf;
    double mx = (double)mf;
    __m512d m8 = _mm512_set1_pd(mx), s0 = _mm512_setzero_pd(), s1 = s0;
    for (j = 0; j + 16 <= V; j += 16) {
        s0 = _mm512_add_pd(s0, exp_nonpos_pd(_mm512_sub_pd(load8_pd(x + j, 8), m8)));
        s1 = _mm512_add_pd(s1, exp_nonpos_pd(_mm512_sub_pd(load8_pd(x + j + 8, 8), m8)));
    }
    for (; j < V; j += 8) s0 = _mm512_add_pd(s0, exp_nonpos_pd(_mm512_sub_pd(load8_pd(x + j, V - j), m8)));
    float l = (float)(mx + log(_mm512_reduce_add_pd(_mm512_add_pd(s0, s1))));
    __m512 lv = _mm512_set1_ps(l);
    for (j = 0; j + 16 <= V; j += 16) _mm512_storeu_ps(x + j, _mm512_sub_ps(_mm512_loadu_ps(x + j), lv));
    for (; j < V; j++) x[j] -= l;
}
#else
static void log_softmax_row(float *x, int64_t V) {
    double mx = -(double)INFINITY, s = 0;
    for (int64_t j = 0; j < V; j++) mx = (double)x[j] > mx ? (double)x[j] : mx;
    for (int64_t j = 0; j < V; j++) s += exp((double)x[j] - mx);
    float l = (float)(mx + log(s));
    for (int64_t j = 0; j < V; j++) x[j] -= l;
}
#endif

void CPU_FN(cpu_log_softmax_rows)(float *x, int64_t N, int64_t V) {
#pragma omp parallel for if (N * V >= 65536 && !cpu_in_team()) schedule(static)
    for (int64_t n = 0; n < N; n++) log_softmax_row(x + n * V, V);
}
