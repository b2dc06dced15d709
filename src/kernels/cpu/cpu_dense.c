/* Fast CPU kernels: matmul (through gemm), embedding, layer norm,
 * activations. OpenMP over rows (or over columns where rows would race),
 * static schedules so that results do not depend on timing. */
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/vmath.h"

#include <math.h>

void CPU_FN(cpu_matmul_forward)(float *out, const float *inp, const float *weight, const float *bias, int64_t N,
                        int64_t C, int64_t OC) {
    gemm_fuse fx = {.bias = bias};
    gemm_f32_fused(false, true, N, OC, C, 1.0f, inp, C, weight, C, 0.0f, out, OC, bias ? &fx : NULL);
}

void CPU_FN(cpu_matmul_act_forward)(float *out, float *pre, const float *inp, const float *weight, const float *bias,
                                    int64_t N, int64_t C, int64_t OC, kernel_act act) {
    gemm_fuse fx = {.bias = bias, .act = gemm_act_of(act), .pre = pre};
    gemm_f32_fused(false, true, N, OC, C, 1.0f, inp, C, weight, C, 0.0f, out, OC, &fx);
}

/* dbias is the sum of dout's rows: fused into the dweight product, which
 * reads dout anyway, or a pass of its own without one. */
void CPU_FN(cpu_matmul_backward)(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                         const float *weight, int64_t N, int64_t C, int64_t OC) {
    if (dinp) gemm_f32(false, false, N, C, OC, 1.0f, dout, OC, weight, C, 1.0f, dinp, C);
    gemm_fuse fx = {.row_sums = dbias};
    if (dweight)
        gemm_f32_fused(true, false, OC, C, N, 1.0f, dout, OC, inp, C, 1.0f, dweight, C, dbias ? &fx : NULL);
    else if (dbias)
        CPU_FN(gemm_fuse_after)(&fx, true, OC, 0, N, dout, GEMM_F32, OC, NULL, 0);
}

void CPU_FN(cpu_embedding_forward)(float *out, const float *table, const int32_t *ids, int64_t N, int64_t C) {
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) memcpy(out + n * C, table + (int64_t)ids[n] * C, (size_t)C * sizeof(float));
}

void CPU_FN(cpu_embedding_backward)(float *dtable, const float *dout, const int32_t *ids, int64_t N, int64_t C,
                            int64_t V) {
    (void)V;
    /* Threads own column slices, so rows with the same id never race and the
     * summation order per element is the row order, as in ref. */
    enum { CB = 64 };
#pragma omp parallel for schedule(static)
    for (int64_t c0 = 0; c0 < C; c0 += CB) {
        int64_t c1 = c0 + CB < C ? c0 + CB : C;
        for (int64_t n = 0; n < N; n++) {
            float *t = dtable + (int64_t)ids[n] * C;
            const float *d = dout + n * C;
            for (int64_t c = c0; c < c1; c++) t[c] += d[c];
        }
    }
}

/* One row of layernorm_forward; the mean and rstd come back in *mean, *rstd. */
static inline void layernorm_row(float *o, float *mean, float *rstd, const float *x, const float *weight,
                                 const float *bias, int64_t C, float eps) {
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t c = 0; c < C; c++) s += x[c];
    float m = s / (float)C;
    float v = 0.0f;
#pragma omp simd reduction(+ : v)
    for (int64_t c = 0; c < C; c++) v += (x[c] - m) * (x[c] - m);
    float r = 1.0f / sqrtf(v / (float)C + eps);
#pragma omp simd
    for (int64_t c = 0; c < C; c++) o[c] = (x[c] - m) * r * weight[c] + bias[c];
    *mean = m;
    *rstd = r;
}

void CPU_FN(cpu_layernorm_forward)(float *out, float *mean, float *rstd, const float *inp, const float *weight,
                           const float *bias, int64_t N, int64_t C, float eps) {
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) layernorm_row(out + n * C, mean + n, rstd + n, inp + n * C, weight, bias, C, eps);
}

/* The sum row is written and normalised while it is still in L1. */
void CPU_FN(cpu_add_layernorm_forward)(float *sum, float *out, float *mean, float *rstd, const float *a, const float *b,
                                       const float *weight, const float *bias, int64_t N, int64_t C, float eps) {
#pragma omp parallel for if (N * C >= PAR_MIN) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        float *x = sum + n * C;
        const float *an = a + n * C, *bn = b + n * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) x[c] = an[c] + bn[c];
        layernorm_row(out + n * C, mean + n, rstd + n, x, weight, bias, C, eps);
    }
}

void CPU_FN(cpu_layernorm_backward)(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                            const float *weight, const float *mean, const float *rstd, int64_t N, int64_t C) {
    if (dinp) {
#pragma omp parallel for schedule(static)
        for (int64_t n = 0; n < N; n++) {
            const float *x = inp + n * C, *dy = dout + n * C;
            float m = mean[n], r = rstd[n], gm = 0.0f, gx = 0.0f;
#pragma omp simd reduction(+ : gm, gx)
            for (int64_t c = 0; c < C; c++) {
                float g = dy[c] * weight[c];
                gm += g;
                gx += g * (x[c] - m) * r;
            }
            gm /= (float)C;
            gx /= (float)C;
            float *dx = dinp + n * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) dx[c] += r * (dy[c] * weight[c] - gm - (x[c] - m) * r * gx);
        }
    }
    if (dweight || dbias) {
        enum { CB = 64 };
#pragma omp parallel for schedule(static)
        for (int64_t c0 = 0; c0 < C; c0 += CB) {
            int64_t c1 = c0 + CB < C ? c0 + CB : C;
            for (int64_t n = 0; n < N; n++) {
                const float *x = inp + n * C, *dy = dout + n * C;
                float m = mean[n], r = rstd[n];
                for (int64_t c = c0; c < c1; c++) {
                    if (dweight) dweight[c] += dy[c] * (x[c] - m) * r;
                    if (dbias) dbias[c] += dy[c];
                }
            }
        }
    }
}

void CPU_FN(cpu_gelu_forward)(float *out, const float *inp, int64_t n) {
#pragma omp parallel for simd if (n >= PAR_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = vm_gelu_tanh(inp[i]);
}

void CPU_FN(cpu_gelu_backward)(float *dinp, const float *inp, const float *dout, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; i++) {
        float x = inp[i];
        float t = vm_tanhf(VM_GELU_K * (x + VM_GELU_C * x * x * x));
        float du = VM_GELU_K * (1.0f + 3.0f * VM_GELU_C * x * x);
        dinp[i] += (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du) * dout[i];
    }
}

void CPU_FN(cpu_relu_forward)(float *out, const float *inp, int64_t n) {
#pragma omp parallel for simd if (n >= PAR_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void CPU_FN(cpu_relu_backward)(float *dinp, const float *inp, const float *dout, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; i++) dinp[i] += inp[i] > 0.0f ? dout[i] : 0.0f;
}

void CPU_FN(cpu_relu2_forward)(float *out, const float *inp, int64_t n) {
#pragma omp parallel for simd if (n >= PAR_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = inp[i] > 0.0f ? inp[i] * inp[i] : 0.0f;
}

void CPU_FN(cpu_relu2_backward)(float *dinp, const float *inp, const float *dout, int64_t n) {
#pragma omp parallel for simd if (n >= PAR_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++) dinp[i] += inp[i] > 0.0f ? 2.0f * inp[i] * dout[i] : 0.0f;
}

#define INV_SQRT_2PI 0.39894228040143268f

void CPU_FN(cpu_gelu_erf_forward)(float *out, const float *inp, int64_t n) {
#pragma omp parallel for simd if (n >= PAR_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = vm_gelu_erf(inp[i]);
}

void CPU_FN(cpu_gelu_erf_backward)(float *dinp, const float *inp, const float *dout, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; i++) {
        float x = inp[i];
        float h = 0.5f * x * x;
        h = h < 100.0f ? h : 100.0f; /* e^-100 is 0 in float; keeps NaN out of vm_expf */
        float g = 0.5f * (1.0f + vm_erff(x * VM_INV_SQRT2)) + x * INV_SQRT_2PI * vm_expf(-h);
        dinp[i] += g * dout[i];
    }
}

void CPU_FN(cpu_tanh_forward)(float *out, const float *inp, int64_t n) {
#pragma omp parallel for simd if (n >= PAR_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = vm_tanhf(inp[i]);
}

void CPU_FN(cpu_tanh_backward)(float *dinp, const float *out, const float *dout, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; i++) dinp[i] += (1.0f - out[i] * out[i]) * dout[i];
}
