/* ref_optim.c — reference optimizer passes (kernels.h: adamw, sumsq):
 * one element at a time, in order, exactly as the formulas read. */
#include <math.h>

#include "kernels/bf16.h"
#include "kernels/ref/ref.h"

void ref_adamw(float *w, float *m, float *v, uint16_t *w_bf16, const float *g, int64_t n, const adamw_hparams *h) {
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i] * h->grad_scale;
        m[i] = m[i] + (1.0f - h->beta1) * (gi - m[i]);
        v[i] = v[i] * h->beta2 + (1.0f - h->beta2) * gi * gi;
        float denom = sqrtf(v[i]) / h->bc2_sqrt + h->eps;
        w[i] = w[i] * h->decay - h->step_size * m[i] / denom;
        if (w_bf16) w_bf16[i] = bf16_from_f32(w[i]);
    }
}

double ref_sumsq(const float *x, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
    return s;
}
