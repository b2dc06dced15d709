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

/* Fixed chunks, each summed alone, then the chunks' sums in order: the
 * grouping depends on n only, so any thread count gives the same bits (a
 * reduction over the team would group by thread). */
enum { SUMSQ_PARTS = 64, SUMSQ_MIN_CHUNK = 8192 };

double CPU_FN(cpu_sumsq)(const float *x, int64_t n) {
    int64_t chunk = (n + SUMSQ_PARTS - 1) / SUMSQ_PARTS;
    if (chunk < SUMSQ_MIN_CHUNK) chunk = SUMSQ_MIN_CHUNK;
    int64_t parts = n > 0 ? (n + chunk - 1) / chunk : 0;
    double part[SUMSQ_PARTS];
#pragma omp parallel for schedule(static) if (parts > 1)
    for (int64_t p = 0; p < parts; p++) {
        int64_t i0 = p * chunk, i1 = i0 + chunk < n ? i0 + chunk : n;
        double s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t i = i0; i < i1; i++) s += (double)x[i] * (double)x[i];
        part[p] = s;
    }
    double s = 0;
    for (int64_t p = 0; p < parts; p++) s += part[p];
    return s;
}
