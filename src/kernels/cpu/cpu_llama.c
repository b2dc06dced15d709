/* Fast CPU kernels of the Llama-style decoders: RMSNorm (and the residual
 * add fused with it), rotary position embedding, QK-norm, SwiGLU. OpenMP over rows
 * (over columns for the weight gradient), static schedules. */
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/vmath.h"

#include <math.h>

static inline void rmsnorm_row(float *o, float *rstd, const float *x, const float *weight, int64_t C, float eps) {
    float ss = 0.0f;
#pragma omp simd reduction(+ : ss)
    for (int64_t c = 0; c < C; c++) ss += x[c] * x[c];
    float r = 1.0f / sqrtf(ss / (float)C + eps);
#pragma omp simd
    for (int64_t c = 0; c < C; c++) o[c] = x[c] * r * weight[c];
    *rstd = r;
}

void CPU_FN(cpu_rmsnorm_forward)(float *out, float *rstd, const float *inp, const float *weight, int64_t N, int64_t C,
                                 float eps) {
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) rmsnorm_row(out + n * C, rstd + n, inp + n * C, weight, C, eps);
}

void CPU_FN(cpu_add_rmsnorm_forward)(float *sum, float *out, float *rstd, const float *a, const float *b,
                                     const float *weight, int64_t N, int64_t C, float eps) {
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        float *x = sum + n * C;
        const float *an = a + n * C, *bn = b + n * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) x[c] = an[c] + bn[c];
        rmsnorm_row(out + n * C, rstd + n, x, weight, C, eps);
    }
}

void CPU_FN(cpu_rmsnorm_backward)(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                                  const float *rstd, int64_t N, int64_t C) {
    if (dinp) {
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
        for (int64_t n = 0; n < N; n++) {
            const float *x = inp + n * C, *dy = dout + n * C;
            float r = rstd[n], dot = 0.0f;
#pragma omp simd reduction(+ : dot)
            for (int64_t c = 0; c < C; c++) dot += weight[c] * dy[c] * x[c];
            float k = r * r * r * dot / (float)C, *dx = dinp + n * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) dx[c] += r * weight[c] * dy[c] - x[c] * k;
        }
    }
    if (dweight) {
        enum { CB = 64 };
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
        for (int64_t c0 = 0; c0 < C; c0 += CB) {
            int64_t c1 = c0 + CB < C ? c0 + CB : C;
            for (int64_t n = 0; n < N; n++) {
                const float *x = inp + n * C, *dy = dout + n * C;
                float r = rstd[n];
                for (int64_t c = c0; c < c1; c++) dweight[c] += dy[c] * x[c] * r;
            }
        }
    }
}

void CPU_FN(cpu_qk_norm_forward)(float *out, float *rstd, const float *inp, int64_t N, int64_t C, int64_t n_heads,
                                 int64_t D, float eps) {
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        for (int64_t h = 0; h < n_heads; h++) {
            const float *x = inp + n * C + h * D;
            float *o = out + n * C + h * D, ss = 0.0f;
#pragma omp simd reduction(+ : ss)
            for (int64_t d = 0; d < D; d++) ss += x[d] * x[d];
            float r = 1.0f / sqrtf(ss / (float)D + eps);
#pragma omp simd
            for (int64_t d = 0; d < D; d++) o[d] = x[d] * r;
            rstd[n * n_heads + h] = r;
        }
        memcpy(out + n * C + n_heads * D, inp + n * C + n_heads * D, (size_t)(C - n_heads * D) * sizeof(float));
    }
}

void CPU_FN(cpu_qk_norm_backward)(float *dinp, const float *dout, const float *inp, const float *rstd, int64_t N,
                                  int64_t C, int64_t n_heads, int64_t D) {
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        for (int64_t h = 0; h < n_heads; h++) {
            const float *x = inp + n * C + h * D, *dy = dout + n * C + h * D;
            float *dx = dinp + n * C + h * D, r = rstd[n * n_heads + h], dot = 0.0f;
#pragma omp simd reduction(+ : dot)
            for (int64_t d = 0; d < D; d++) dot += dy[d] * x[d];
            float k = r * r * r * dot / (float)D;
#pragma omp simd
            for (int64_t d = 0; d < D; d++) dx[d] += r * dy[d] - x[d] * k;
        }
        float *dx = dinp + n * C;
        const float *dy = dout + n * C;
#pragma omp simd
        for (int64_t c = n_heads * D; c < C; c++) dx[c] += dy[c];
    }
}

/* cos and sin of position p's angles (as the reference: inv_freq in fp32
 * arithmetic, the angle the fp32 product, its cosine and sine rounded). */
static void rope_angles(float *c, float *s, const float *inv, int32_t p, int64_t half) {
    for (int64_t i = 0; i < half; i++) {
        float a = (float)p * inv[i];
        c[i] = (float)cos((double)a);
        s[i] = (float)sin((double)a);
    }
}

static void rope_inv_freq(float *inv, int64_t rot, float theta) {
    for (int64_t i = 0; i < rot / 2; i++) inv[i] = 1.0f / (float)pow((double)theta, (double)((float)(2 * i) / (float)rot));
}

/* Rotates every head of one row of C floats: o = R(sgn * angle) x for the
 * first n_heads heads (their first rot dimensions; the rest copied), the
 * columns after them copied. Forward: sgn +1, o written; backward: the
 * transpose (sgn -1) added into the gradient (acc). */
static inline void rope_row(float *o, const float *x, const float *c, const float *s, int64_t C, int64_t n_heads,
                            int64_t D, int64_t rot, float sgn, bool acc) {
    int64_t half = rot / 2;
    for (int64_t h = 0; h < n_heads; h++) {
        const float *xh = x + h * D;
        float *oh = o + h * D;
        if (acc) {
#pragma omp simd
            for (int64_t i = 0; i < half; i++) {
                oh[i] += xh[i] * c[i] - sgn * xh[i + half] * s[i];
                oh[i + half] += xh[i + half] * c[i] + sgn * xh[i] * s[i];
            }
            for (int64_t e = rot; e < D; e++) oh[e] += xh[e];
        } else {
#pragma omp simd
            for (int64_t i = 0; i < half; i++) {
                oh[i] = xh[i] * c[i] - sgn * xh[i + half] * s[i];
                oh[i + half] = xh[i + half] * c[i] + sgn * xh[i] * s[i];
            }
            for (int64_t e = rot; e < D; e++) oh[e] = xh[e];
        }
    }
    if (acc) {
#pragma omp simd
        for (int64_t e = n_heads * D; e < C; e++) o[e] += x[e];
    } else {
        memcpy(o + n_heads * D, x + n_heads * D, (size_t)(C - n_heads * D) * sizeof(float));
    }
}

static void rope_rows(float *out, const float *inp, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads, int64_t D,
                      int64_t rot, float theta, float sgn, bool acc) {
    float inv[256];
    rope_inv_freq(inv, rot, theta);
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        float c[256], s[256];
        rope_angles(c, s, inv, pos[n], rot / 2);
        rope_row(out + n * C, inp + n * C, c, s, C, n_heads, D, rot, sgn, acc);
    }
}

void CPU_FN(cpu_rope_forward)(float *out, const float *inp, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                              int64_t D, int64_t rot, float theta) {
    rope_rows(out, inp, pos, N, C, n_heads, D, rot, theta, 1.0f, false);
}

void CPU_FN(cpu_rope_backward)(float *dinp, const float *dout, const int32_t *pos, int64_t N, int64_t C,
                               int64_t n_heads, int64_t D, int64_t rot, float theta) {
    rope_rows(dinp, dout, pos, N, C, n_heads, D, rot, theta, -1.0f, true);
}

void CPU_FN(cpu_swiglu_forward)(float *out, const float *inp, int64_t N, int64_t F) {
#pragma omp parallel for if (N * F >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *a = inp + n * 2 * F, *b = a + F;
        float *o = out + n * F;
#pragma omp simd
        for (int64_t f = 0; f < F; f++) o[f] = a[f] / (1.0f + vm_expf(-a[f])) * b[f];
    }
}

void CPU_FN(cpu_swiglu_backward)(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F) {
#pragma omp parallel for if (N * F >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *a = inp + n * 2 * F, *b = a + F, *d = dout + n * F;
        float *da = dinp + n * 2 * F, *db = da + F;
#pragma omp simd
        for (int64_t f = 0; f < F; f++) {
            float sg = 1.0f / (1.0f + vm_expf(-a[f]));
            da[f] += d[f] * b[f] * sg * (1.0f + a[f] * (1.0f - sg));
            db[f] += d[f] * a[f] * sg;
        }
    }
}

void CPU_FN(cpu_geglu_forward)(float *out, const float *inp, int64_t N, int64_t F) {
#pragma omp parallel for if (N * F >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *a = inp + n * 2 * F, *b = a + F;
        float *o = out + n * F;
#pragma omp simd
        for (int64_t f = 0; f < F; f++) o[f] = vm_gelu_erf(a[f]) * b[f];
    }
}

void CPU_FN(cpu_geglu_backward)(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F) {
#pragma omp parallel for if (N * F >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const float *a = inp + n * 2 * F, *b = a + F, *d = dout + n * F;
        float *da = dinp + n * 2 * F, *db = da + F;
#pragma omp simd
        for (int64_t f = 0; f < F; f++) {
            float phi = 0.5f * (1.0f + vm_erff(a[f] * VM_INV_SQRT2));
            float pdf = 0.3989422804014327f * vm_expf(-0.5f * a[f] * a[f]);
            da[f] += d[f] * b[f] * (phi + a[f] * pdf);
            db[f] += d[f] * a[f] * phi;
        }
    }
}
