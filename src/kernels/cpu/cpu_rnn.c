/* Fast CPU kernels of the recurrent ops (contracts in kernels.h).
 *
 * GRU layer: the recurrent product of each step is one GEMM over the whole
 * batch (rows that have finished are computed and ignored); the gates are
 * one vectorised pass over the active rows. Backward through time keeps
 * only d(h) per step and collects d(gh) and the previous states of every
 * position, so that d(W_hh) and d(b_hh) are one GEMM at the end instead of
 * one per step. Additive attention: threads over batch rows forward;
 * backward over column blocks of A, so d(v) needs no reduction across
 * threads and the summation order is fixed. */
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/vmath.h"

#include <math.h>

static inline float sigmoidf_(float x) { return 1.0f / (1.0f + vm_expf(-x)); }

static void cell_row(float *out, float *rzn, const float *gi, const float *gh, const float *h, int64_t H) {
#pragma omp simd
    for (int64_t k = 0; k < H; k++) {
        float r = sigmoidf_(gi[k] + gh[k]);
        float z = sigmoidf_(gi[H + k] + gh[H + k]);
        float n = vm_tanhf(gi[2 * H + k] + r * gh[2 * H + k]);
        float hk = h ? h[k] : 0.0f;
        out[k] = (1.0f - z) * n + z * hk;
        rzn[k] = r;
        rzn[H + k] = z;
        rzn[2 * H + k] = n;
    }
}

/* Accumulates d(gi), d(gh) (3H) and d(h) (H) of one row; any may be NULL. */
static void cell_row_backward(float *dgi, float *dgh, float *dh, const float *dout, const float *rzn,
                              const float *ghn, const float *h, int64_t H) {
#pragma omp simd
    for (int64_t k = 0; k < H; k++) {
        float r = rzn[k], z = rzn[H + k], n = rzn[2 * H + k], d = dout[k];
        float hk = h ? h[k] : 0.0f;
        float dn = d * (1.0f - z) * (1.0f - n * n);
        float dz = d * (hk - n) * z * (1.0f - z);
        float dr = dn * ghn[k] * r * (1.0f - r);
        if (dgi) {
            dgi[k] += dr;
            dgi[H + k] += dz;
            dgi[2 * H + k] += dn;
        }
        if (dgh) {
            dgh[k] += dr;
            dgh[H + k] += dz;
            dgh[2 * H + k] += dn * r;
        }
        if (dh) dh[k] += d * z;
    }
}

void CPU_FN(cpu_gru_cell_forward)(float *out, float *saved, const float *gi, const float *gh, const float *h,
                                  int64_t N, int64_t H) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < N; i++)
        cell_row(out + i * H, saved + i * 3 * H, gi + i * 3 * H, gh + i * 3 * H, h + i * H, H);
}

void CPU_FN(cpu_gru_cell_backward)(float *dgi, float *dgh, float *dh, const float *dout, const float *saved,
                                   const float *gh, const float *h, int64_t N, int64_t H) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < N; i++)
        cell_row_backward(dgi ? dgi + i * 3 * H : NULL, dgh ? dgh + i * 3 * H : NULL, dh ? dh + i * H : NULL,
                          dout + i * H, saved + i * 3 * H, gh + i * 3 * H + 2 * H, h + i * H, H);
}

static int64_t pos_of(int64_t s, int64_t len, bool reverse) { return reverse ? len - 1 - s : s; }

static int64_t max_length(const int32_t *lengths, int64_t B) {
    int64_t m = 0;
    for (int64_t b = 0; b < B; b++) m = lengths[b] > m ? lengths[b] : m;
    return m;
}

void CPU_FN(cpu_gru_forward)(float *out, float *saved, float *work, const float *gi, const float *w_hh,
                             const float *b_hh, const int32_t *lengths, int64_t B, int64_t T, int64_t H,
                             bool reverse) {
    float *h = work, *gh = work + B * H;
    memset(out, 0, (size_t)(B * T * H) * sizeof(float));
    memset(saved, 0, (size_t)(B * T * 4 * H) * sizeof(float));
    memset(h, 0, (size_t)(B * H) * sizeof(float));
    int64_t steps = max_length(lengths, B);
    for (int64_t s = 0; s < steps; s++) {
        CPU_FN(cpu_matmul_forward)(gh, h, w_hh, b_hh, B, H, 3 * H);
#pragma omp parallel for schedule(static)
        for (int64_t b = 0; b < B; b++) {
            int64_t len = lengths[b];
            if (s >= len) continue;
            int64_t t = pos_of(s, len, reverse);
            float *o = out + (b * T + t) * H, *sv = saved + (b * T + t) * 4 * H;
            cell_row(o, sv, gi + (b * T + t) * 3 * H, gh + b * 3 * H, h + b * H, H);
            memcpy(sv + 3 * H, gh + b * 3 * H + 2 * H, (size_t)H * sizeof(float));
            memcpy(h + b * H, o, (size_t)H * sizeof(float));
        }
    }
}

void CPU_FN(cpu_gru_backward)(float *dgi, float *dw_hh, float *db_hh, float *work, const float *dout,
                              const float *out, const float *saved, const float *w_hh, const int32_t *lengths,
                              int64_t B, int64_t T, int64_t H, bool reverse) {
    float *dh = work, *dh_prev = dh + B * H, *dgh = dh_prev + B * H, *dgh_all = dgh + 3 * B * H;
    float *hprev_all = dgh_all + 3 * B * T * H;
    memset(dh, 0, (size_t)(B * H) * sizeof(float));
    memset(dgh_all, 0, (size_t)(4 * B * T * H) * sizeof(float));
    for (int64_t s = max_length(lengths, B) - 1; s >= 0; s--) {
#pragma omp parallel for schedule(static)
        for (int64_t b = 0; b < B; b++) {
            int64_t len = lengths[b];
            float *dhb = dh + b * H, *dpb = dh_prev + b * H, *dgb = dgh + b * 3 * H;
            memset(dpb, 0, (size_t)H * sizeof(float));
            memset(dgb, 0, (size_t)(3 * H) * sizeof(float));
            if (s >= len) continue;
            int64_t t = pos_of(s, len, reverse);
            const float *hp = s > 0 ? out + (b * T + pos_of(s - 1, len, reverse)) * H : NULL;
            const float *sv = saved + (b * T + t) * 4 * H, *d = dout + (b * T + t) * H;
#pragma omp simd
            for (int64_t k = 0; k < H; k++) dhb[k] += d[k];
            cell_row_backward(dgi ? dgi + (b * T + t) * 3 * H : NULL, dgb, dpb, dhb, sv, sv + 3 * H, hp, H);
            memcpy(dgh_all + (b * T + t) * 3 * H, dgb, (size_t)(3 * H) * sizeof(float));
            if (hp) memcpy(hprev_all + (b * T + t) * H, hp, (size_t)H * sizeof(float));
        }
        /* d(h_prev) += d(gh) @ W_hh */
        gemm_f32(false, false, B, H, 3 * H, 1.0f, dgh, 3 * H, w_hh, H, 1.0f, dh_prev, H);
        float *tmp = dh;
        dh = dh_prev;
        dh_prev = tmp;
    }
    if (dw_hh || db_hh) CPU_FN(cpu_matmul_backward)(NULL, dw_hh, db_hh, dgh_all, hprev_all, w_hh, B * T, H, 3 * H);
}

void CPU_FN(cpu_additive_attention_forward)(float *a, const float *ws, const float *uh, const float *v,
                                            const int32_t *lengths, int64_t B, int64_t S, int64_t A) {
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < B; b++) {
        int64_t len = lengths[b];
        float *ab = a + b * S, mx = -INFINITY;
        const float *wb = ws + b * A;
        for (int64_t j = 0; j < len; j++) {
            const float *u = uh + (b * S + j) * A;
            float e = 0.0f;
#pragma omp simd reduction(+ : e)
            for (int64_t k = 0; k < A; k++) e += v[k] * vm_tanhf(wb[k] + u[k]);
            ab[j] = e;
            mx = e > mx ? e : mx;
        }
        float sum = 0.0f;
        for (int64_t j = 0; j < len; j++) sum += (ab[j] = vm_expf(ab[j] - mx));
        for (int64_t j = 0; j < len; j++) ab[j] /= sum;
        for (int64_t j = len; j < S; j++) ab[j] = 0.0f;
    }
}

void CPU_FN(cpu_additive_attention_backward)(float *dws, float *duh, float *dv, float *work, const float *da,
                                             const float *a, const float *ws, const float *uh, const float *v,
                                             const int32_t *lengths, int64_t B, int64_t S, int64_t A) {
    float *de = work; /* (B, S): d(scores) through the softmax */
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < B; b++) {
        int64_t len = lengths[b];
        float dot = 0.0f;
        for (int64_t j = 0; j < len; j++) dot += a[b * S + j] * da[b * S + j];
        for (int64_t j = 0; j < S; j++) de[b * S + j] = j < len ? a[b * S + j] * (da[b * S + j] - dot) : 0.0f;
    }
    enum { KB = 32 };
#pragma omp parallel for schedule(static)
    for (int64_t k0 = 0; k0 < A; k0 += KB) {
        int64_t k1 = k0 + KB < A ? k0 + KB : A;
        for (int64_t b = 0; b < B; b++)
            for (int64_t j = 0; j < lengths[b]; j++) {
                float e = de[b * S + j];
                const float *u = uh + (b * S + j) * A;
#pragma omp simd
                for (int64_t k = k0; k < k1; k++) {
                    float t = vm_tanhf(ws[b * A + k] + u[k]);
                    float dt = e * v[k] * (1.0f - t * t);
                    if (dws) dws[b * A + k] += dt;
                    if (duh) duh[(b * S + j) * A + k] += dt;
                    if (dv) dv[k] += e * t;
                }
            }
    }
}
