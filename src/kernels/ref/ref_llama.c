/* Reference kernels of the Llama-style decoders: RMSNorm (and the residual
 * add fused with it), rotary position embedding, QK-norm (a weightless
 * RMSNorm per head), SwiGLU. Sums in double. */
#include "kernels/ref/ref.h"

#include <math.h>

void ref_rmsnorm_forward(float *out, float *rstd, const float *inp, const float *weight, int64_t N, int64_t C,
                         float eps) {
    for (int64_t n = 0; n < N; n++) {
        const float *x = inp + n * C;
        double ss = 0;
        for (int64_t c = 0; c < C; c++) ss += (double)x[c] * (double)x[c];
        float r = (float)(1.0 / sqrt((double)(float)(ss / (double)C) + (double)eps));
        for (int64_t c = 0; c < C; c++) out[n * C + c] = x[c] * r * weight[c];
        rstd[n] = r;
    }
}

void ref_add_rmsnorm_forward(float *sum, float *out, float *rstd, const float *a, const float *b, const float *weight,
                             int64_t N, int64_t C, float eps) {
    for (int64_t i = 0; i < N * C; i++) sum[i] = a[i] + b[i];
    ref_rmsnorm_forward(out, rstd, sum, weight, N, C, eps);
}

/* y = x r w with r = (mean(x^2) + eps)^-1/2:
 * dx_c = r w_c dy_c - x_c r^3 / C sum_j w_j dy_j x_j;  dw_c = sum_n dy_c x_c r. */
void ref_rmsnorm_backward(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                          const float *rstd, int64_t N, int64_t C) {
    for (int64_t n = 0; n < N; n++) {
        const float *x = inp + n * C, *dy = dout + n * C;
        double r = (double)rstd[n], dot = 0;
        for (int64_t c = 0; c < C; c++) dot += (double)weight[c] * (double)dy[c] * (double)x[c];
        for (int64_t c = 0; c < C; c++) {
            if (dinp)
                dinp[n * C + c] +=
                    (float)(r * (double)weight[c] * (double)dy[c] - (double)x[c] * r * r * r * dot / (double)C);
            if (dweight) dweight[c] += (float)((double)dy[c] * (double)x[c] * r);
        }
    }
}

/* inv_freq[i] = 1 / theta^(2i / rot) in fp32 arithmetic (the exponent a
 * float quotient, as transformers computes it); then the angle of position
 * p is the fp32 product p * inv_freq[i]. */
static void rope_angles(double *c, double *s, int32_t pos, int64_t rot, float theta) {
    for (int64_t i = 0; i < rot / 2; i++) {
        float e = (float)(2 * i) / (float)rot;
        float inv = 1.0f / (float)pow((double)theta, (double)e);
        float a = (float)pos * inv;
        c[i] = (double)(float)cos((double)a);
        s[i] = (double)(float)sin((double)a);
    }
}

static void rope_rows(float *out, const float *inp, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                      int64_t D, int64_t rot, float theta, bool inverse) {
    double c[512], s[512];
    int64_t half = rot / 2;
    for (int64_t n = 0; n < N; n++) {
        rope_angles(c, s, pos[n], rot, theta);
        const float *x = inp + n * C;
        float *o = out + n * C;
        for (int64_t col = 0; col < C; col++) {
            int64_t h = col / D, e = col % D;
            double y;
            if (h >= n_heads || e >= rot) {
                y = (double)x[col];
            } else if (e < half) {
                y = inverse ? (double)x[col] * c[e] + (double)x[col + half] * s[e]
                            : (double)x[col] * c[e] - (double)x[col + half] * s[e];
            } else {
                e -= half;
                y = inverse ? (double)x[col] * c[e] - (double)x[col - half] * s[e]
                            : (double)x[col] * c[e] + (double)x[col - half] * s[e];
            }
            o[col] = inverse ? o[col] + (float)y : (float)y;
        }
    }
}

void ref_rope_forward(float *out, const float *inp, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                      int64_t D, int64_t rot, float theta) {
    rope_rows(out, inp, pos, N, C, n_heads, D, rot, theta, false);
}

void ref_rope_backward(float *dinp, const float *dout, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                       int64_t D, int64_t rot, float theta) {
    rope_rows(dinp, dout, pos, N, C, n_heads, D, rot, theta, true);
}

void ref_qk_norm_forward(float *out, float *rstd, const float *inp, int64_t N, int64_t C, int64_t n_heads, int64_t D,
                         float eps) {
    for (int64_t n = 0; n < N; n++) {
        for (int64_t h = 0; h < n_heads; h++) {
            const float *x = inp + n * C + h * D;
            double ss = 0;
            for (int64_t d = 0; d < D; d++) ss += (double)x[d] * (double)x[d];
            double r = 1.0 / sqrt(ss / (double)D + (double)eps);
            for (int64_t d = 0; d < D; d++) out[n * C + h * D + d] = (float)((double)x[d] * r);
            rstd[n * n_heads + h] = (float)r;
        }
        for (int64_t c = n_heads * D; c < C; c++) out[n * C + c] = inp[n * C + c];
    }
}

/* y = x r, r = (mean(x^2) + eps)^-1/2: dx_d = r dy_d - x_d r^3 / D sum_j dy_j x_j. */
void ref_qk_norm_backward(float *dinp, const float *dout, const float *inp, const float *rstd, int64_t N, int64_t C,
                          int64_t n_heads, int64_t D) {
    for (int64_t n = 0; n < N; n++) {
        for (int64_t h = 0; h < n_heads; h++) {
            const float *x = inp + n * C + h * D, *dy = dout + n * C + h * D;
            double r = (double)rstd[n * n_heads + h], dot = 0;
            for (int64_t d = 0; d < D; d++) dot += (double)dy[d] * (double)x[d];
            for (int64_t d = 0; d < D; d++)
                dinp[n * C + h * D + d] += (float)(r * (double)dy[d] - (double)x[d] * r * r * r * dot / (double)D);
        }
        for (int64_t c = n_heads * D; c < C; c++) dinp[n * C + c] += dout[n * C + c];
    }
}

void ref_geglu_forward(float *out, const float *inp, int64_t N, int64_t F) {
    for (int64_t n = 0; n < N; n++)
        for (int64_t f = 0; f < F; f++) {
            double a = (double)inp[n * 2 * F + f], b = (double)inp[n * 2 * F + F + f];
            out[n * F + f] = (float)(0.5 * a * (1.0 + erf(a * 0.7071067811865476)) * b);
        }
}

void ref_geglu_backward(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F) {
    for (int64_t n = 0; n < N; n++)
        for (int64_t f = 0; f < F; f++) {
            double a = (double)inp[n * 2 * F + f], b = (double)inp[n * 2 * F + F + f], d = (double)dout[n * F + f];
            double phi = 0.5 * (1.0 + erf(a * 0.7071067811865476)), pdf = 0.3989422804014327 * exp(-0.5 * a * a);
            dinp[n * 2 * F + f] += (float)(d * b * (phi + a * pdf));
            dinp[n * 2 * F + F + f] += (float)(d * a * phi);
        }
}

void ref_swiglu_forward(float *out, const float *inp, int64_t N, int64_t F) {
    for (int64_t n = 0; n < N; n++)
        for (int64_t f = 0; f < F; f++) {
            double a = (double)inp[n * 2 * F + f], b = (double)inp[n * 2 * F + F + f];
            out[n * F + f] = (float)(a / (1.0 + exp(-a)) * b);
        }
}

void ref_swiglu_backward(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F) {
    for (int64_t n = 0; n < N; n++)
        for (int64_t f = 0; f < F; f++) {
            double a = (double)inp[n * 2 * F + f], b = (double)inp[n * 2 * F + F + f], d = (double)dout[n * F + f];
            double sg = 1.0 / (1.0 + exp(-a));
            dinp[n * 2 * F + f] += (float)(d * b * sg * (1.0 + a * (1.0 - sg)));
            dinp[n * 2 * F + F + f] += (float)(d * a * sg);
        }
}
