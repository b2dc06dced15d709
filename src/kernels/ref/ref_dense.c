/* Reference kernels: matmul, embedding, layer norm, activations. Scalar,
 * single-threaded, accumulating in double where it is cheap to do so: the
 * oracle that fast kernels are tested against. Never optimise this file. */
#include "kernels/ref/ref.h"

#include <math.h>

void ref_matmul_forward(float *out, const float *inp, const float *weight, const float *bias,
                        int64_t N, int64_t C, int64_t OC) {
    for (int64_t n = 0; n < N; n++)
        for (int64_t o = 0; o < OC; o++) {
            double acc = bias ? (double)bias[o] : 0.0;
            for (int64_t c = 0; c < C; c++) acc += (double)inp[n * C + c] * (double)weight[o * C + c];
            out[n * OC + o] = (float)acc;
        }
}

void ref_act_forward(float *out, const float *inp, int64_t n, kernel_act act) {
    switch (act) {
    case KACT_GELU: ref_gelu_forward(out, inp, n); break;
    case KACT_GELU_ERF: ref_gelu_erf_forward(out, inp, n); break;
    default: ref_relu_forward(out, inp, n); break;
    }
}

void ref_matmul_act_forward(float *out, float *pre, const float *inp, const float *weight, const float *bias, int64_t N,
                            int64_t C, int64_t OC, kernel_act act) {
    ref_matmul_forward(pre, inp, weight, bias, N, C, OC);
    ref_act_forward(out, pre, N * OC, act);
}

void ref_matmul_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                         const float *inp, const float *weight, int64_t N, int64_t C, int64_t OC) {
    if (dinp)
        for (int64_t n = 0; n < N; n++)
            for (int64_t c = 0; c < C; c++) {
                double acc = 0;
                for (int64_t o = 0; o < OC; o++) acc += (double)dout[n * OC + o] * (double)weight[o * C + c];
                dinp[n * C + c] += (float)acc;
            }
    if (dweight)
        for (int64_t o = 0; o < OC; o++)
            for (int64_t c = 0; c < C; c++) {
                double acc = 0;
                for (int64_t n = 0; n < N; n++) acc += (double)dout[n * OC + o] * (double)inp[n * C + c];
                dweight[o * C + c] += (float)acc;
            }
    if (dbias)
        for (int64_t o = 0; o < OC; o++) {
            double acc = 0;
            for (int64_t n = 0; n < N; n++) acc += (double)dout[n * OC + o];
            dbias[o] += (float)acc;
        }
}

void ref_embedding_forward(float *out, const float *table, const int32_t *ids, int64_t N, int64_t C) {
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++) out[n * C + c] = table[(int64_t)ids[n] * C + c];
}

void ref_embedding_backward(float *dtable, const float *dout, const int32_t *ids, int64_t N, int64_t C,
                            int64_t V) {
    (void)V;
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++) dtable[(int64_t)ids[n] * C + c] += dout[n * C + c];
}

void ref_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight,
                           const float *bias, int64_t N, int64_t C, float eps) {
    for (int64_t n = 0; n < N; n++) {
        const float *x = inp + n * C;
        double m = 0, v = 0;
        for (int64_t c = 0; c < C; c++) m += (double)x[c];
        m /= (double)C;
        for (int64_t c = 0; c < C; c++) v += ((double)x[c] - m) * ((double)x[c] - m);
        v /= (double)C;
        double r = 1.0 / sqrt(v + (double)eps);
        for (int64_t c = 0; c < C; c++)
            out[n * C + c] = (float)(((double)x[c] - m) * r * (double)weight[c] + (double)bias[c]);
        mean[n] = (float)m;
        rstd[n] = (float)r;
    }
}

void ref_add_layernorm_forward(float *sum, float *out, float *mean, float *rstd, const float *a, const float *b,
                               const float *weight, const float *bias, int64_t N, int64_t C, float eps) {
    for (int64_t i = 0; i < N * C; i++) sum[i] = a[i] + b[i];
    ref_layernorm_forward(out, mean, rstd, sum, weight, bias, N, C, eps);
}

void ref_layernorm_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                            const float *weight, const float *mean, const float *rstd, int64_t N, int64_t C) {
    if (dinp) {
        for (int64_t n = 0; n < N; n++) {
            const float *x = inp + n * C, *dy = dout + n * C;
            double m = (double)mean[n], r = (double)rstd[n];
            /* dx = r * (g - mean(g) - xhat * mean(g * xhat)), with g = dy * weight */
            double gm = 0, gx = 0;
            for (int64_t c = 0; c < C; c++) {
                double xhat = ((double)x[c] - m) * r, g = (double)dy[c] * (double)weight[c];
                gm += g;
                gx += g * xhat;
            }
            gm /= (double)C;
            gx /= (double)C;
            for (int64_t c = 0; c < C; c++) {
                double xhat = ((double)x[c] - m) * r, g = (double)dy[c] * (double)weight[c];
                dinp[n * C + c] += (float)(r * (g - gm - xhat * gx));
            }
        }
    }
    /* dweight, dbias: sums over rows, in double, added once */
    if (dweight || dbias)
        for (int64_t c = 0; c < C; c++) {
            double dw = 0, db = 0;
            for (int64_t n = 0; n < N; n++) {
                double dy = (double)dout[n * C + c];
                dw += dy * ((double)inp[n * C + c] - (double)mean[n]) * (double)rstd[n];
                db += dy;
            }
            if (dweight) dweight[c] += (float)dw;
            if (dbias) dbias[c] += (float)db;
        }
}

#define GELU_K 0.7978845608028654 /* sqrt(2/pi) */

void ref_gelu_forward(float *out, const float *inp, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double x = inp[i];
        out[i] = (float)(0.5 * x * (1.0 + tanh(GELU_K * (x + 0.044715 * x * x * x))));
    }
}

void ref_gelu_backward(float *dinp, const float *inp, const float *dout, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double x = inp[i];
        double u = GELU_K * (x + 0.044715 * x * x * x);
        double t = tanh(u);
        double du = GELU_K * (1.0 + 3.0 * 0.044715 * x * x);
        double g = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du;
        dinp[i] += (float)(g * (double)dout[i]);
    }
}

void ref_relu_forward(float *out, const float *inp, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : 0.0f;
}

void ref_relu_backward(float *dinp, const float *inp, const float *dout, int64_t n) {
    for (int64_t i = 0; i < n; i++) dinp[i] += inp[i] > 0 ? dout[i] : 0.0f;
}

void ref_relu2_forward(float *out, const float *inp, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = inp[i] > 0 ? (float)((double)inp[i] * (double)inp[i]) : 0.0f;
}

void ref_relu2_backward(float *dinp, const float *inp, const float *dout, int64_t n) {
    for (int64_t i = 0; i < n; i++) dinp[i] += inp[i] > 0 ? (float)(2.0 * (double)inp[i] * (double)dout[i]) : 0.0f;
}

/* Exact GELU: x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2; d/dx = Phi(x) + x phi(x). */
#define INV_SQRT2 0.7071067811865476
#define INV_SQRT_2PI 0.3989422804014327

void ref_gelu_erf_forward(float *out, const float *inp, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double x = inp[i];
        out[i] = (float)(0.5 * x * (1.0 + erf(x * INV_SQRT2)));
    }
}

void ref_gelu_erf_backward(float *dinp, const float *inp, const float *dout, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double x = inp[i];
        double g = 0.5 * (1.0 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * exp(-0.5 * x * x);
        dinp[i] += (float)(g * (double)dout[i]);
    }
}

void ref_tanh_forward(float *out, const float *inp, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = (float)tanh((double)inp[i]);
}

void ref_tanh_backward(float *dinp, const float *out, const float *dout, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        double y = out[i];
        dinp[i] += (float)((1.0 - y * y) * (double)dout[i]);
    }
}
