/* vmath.h — vectorisable float exp and tanh for the CPU kernels.
 *
 * libm's expf/tanhf are scalar calls that stop the compiler from
 * vectorising a loop; these are branch-free polynomials it can turn into
 * SIMD under `#pragma omp simd`. exp: range reduction x = n ln2 + r with
 * |r| <= ln2/2, a degree-6 polynomial for e^r, then 2^n built in the
 * exponent bits; relative error about 2e-7 over [-87, 88]. Outside that
 * range the input is clamped: e^-87 (~1.6e-38, not 0) below, e^88 (finite,
 * not inf) above; vm_expf_masked gives exact 0 below -87. Tested against
 * libm in tests/unit/test_kernels.c. */
#ifndef ATTN_VMATH_H
#define ATTN_VMATH_H

#include <stdint.h>
#include <string.h>

static inline float vm_expf(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    /* round to nearest by adding and subtracting 1.5 * 2^23: no libm call,
     * so the loop vectorises (|x * log2 e| < 2^22 after the clamp) */
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693145751953125f;      /* ln2 split in two for accuracy */
    r = r - n * 1.428606765330187e-06f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* expf that returns exactly 0 for -inf and very negative inputs (masked scores). */
static inline float vm_expf_masked(float x) {
    return x < -87.0f ? 0.0f : vm_expf(x);
}

static inline float vm_tanhf(float x) {
    /* tanh(x) = 1 - 2 / (e^{2x} + 1); saturates cleanly at both ends */
    float e = vm_expf(2.0f * x);
    return 1.0f - 2.0f / (e + 1.0f);
}

#endif
