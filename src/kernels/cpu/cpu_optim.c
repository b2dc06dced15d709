/* cpu_optim.c — the optimizer's passes over every parameter, each one
 * streaming pass, threaded and vectorised (kernels.h: adamw, sumsq). The
 * arithmetic is the reference kernel's, element by element, so the two
 * agree to the bit; only sumsq's summation order differs. */
#include <math.h>

#include "kernels/bf16.h"
#include "kernels/cpu/cpu.h"

/* One element of AdamW; returns the new weight. */
static inline float adamw_elem(float *w, float *m, float *v, const float *g, int64_t i, const adamw_hparams *h) {
    float gi = g[i] * h->grad_scale;
    float mi = m[i] + (1.0f - h->beta1) * (gi - m[i]);
    float vi = v[i] * h->beta2 + (1.0f - h->beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    float wi = w[i] * h->decay - h->step_size * mi / (sqrtf(vi) / h->bc2_sqrt + h->eps);
    w[i] = wi;
    return wi;
}

void CPU_FN(cpu_adamw)(float *w, float *m, float *v, uint16_t *w_bf16, const float *g, int64_t n,
                       const adamw_hparams *hp) {
    const adamw_hparams h = *hp;
    if (w_bf16) {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; i++) w_bf16[i] = bf16_from_f32(adamw_elem(w, m, v, g, i, &h));
    } else {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; i++) adamw_elem(w, m, v, g, i, &h);
    }
}

double CPU_FN(cpu_sumsq)(const float *x, int64_t n) {
    double s = 0;
#pragma omp parallel for simd reduction(+ : s) schedule(static)
    for (int64_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
    return s;
}
