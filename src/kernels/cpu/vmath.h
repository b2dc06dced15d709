/* vmath.h — vectorisable float exp, tanh and erf for the CPU kernels.
 *
 * libm's expf/tanhf are scalar calls that stop the compiler from
 * vectorising a loop; these are branch-free polynomials it can turn into
 * SIMD under `#pragma omp simd`. exp: range reduction x = n ln2 + r with
 * |r| <= ln2/2, a degree-6 polynomial for e^r, then 2^n built in the
 * exponent bits; relative error about 2e-7 over [-87, 88]. Outside that
 * range the input is clamped: e^-87 (~1.6e-38, not 0) below, e^88 (finite,
 * not inf) above; vm_expf_masked gives exact 0 below -87. NaN gives NaN
 * (the polynomial runs on a clamped number, so no NaN reaches the integer
 * conversion, whose result would be undefined). Tested against libm in
 * tests/unit/test_kernels.c, and on NaN and infinities under UBSan. */
#ifndef ATTN_VMATH_H
#define ATTN_VMATH_H

#include <stdint.h>
#include <string.h>

static inline float vm_expf(float x_in) {
    /* written so that NaN fails both tests and is clamped too */
    float x = x_in > -87.0f ? (x_in < 88.0f ? x_in : 88.0f) : -87.0f;
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
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23; /* n + 127 in 1 .. 254 */
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return x_in == x_in ? p * scale : x_in;
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

/* Vectorisable erf (libm's erff is a scalar call that blocks `omp simd`).
 * |x| < 0.921875: x P(x^2), P of degree 6; up to 3.9375: 1 - e^{-x^2} Q(s)
 * with Q of degree 10 in s = (|x| - 2.4296875) / 1.5078125; beyond: +-1
 * (erf(3.9375) rounds to 1 in float). Coefficients: least squares on
 * Chebyshev nodes against mpmath (50 digits). Absolute error about 1.2e-7
 * (2 ulp near 1) against libm erff, tested in tests/unit/test_kernels.c.
 * Branch-free: both pieces are computed and one is selected. */
static inline float vm_erff(float x) {
    float a = x < 0.0f ? -x : x;
    float z = a * a;
    float p = 8.438768326e-05f;
    p = p * z - 8.160783793e-04f;
    p = p * z + 5.202835679e-03f;
    p = p * z - 2.686024116e-02f;
    p = p * z + 1.128371385e-01f;
    p = p * z - 3.761263530e-01f;
    p = p * z + 1.128379167e+00f;
    float small = a * p;
    float s = (a - 2.4296875f) * 0.6632124352331606f;
    float q = 1.255324486e-04f;
    q = q * s - 3.136910050e-04f;
    q = q * s + 4.491626907e-04f;
    q = q * s - 1.097070694e-03f;
    q = q * s + 2.877655239e-03f;
    q = q * s - 6.515573473e-03f;
    q = q * s + 1.416219687e-02f;
    q = q * s - 2.992759240e-02f;
    q = q * s + 6.070676104e-02f;
    q = q * s - 1.175743716e-01f;
    q = q * s + 2.161600358e-01f;
    float ez = z < 100.0f ? z : 100.0f;
    float large = 1.0f - vm_expf(-ez) * q;
    float r = a < 0.921875f ? small : (a < 3.9375f ? large : (a > 0.0f ? 1.0f : a)); /* NaN stays NaN */
    return x < 0.0f ? -r : r;
}

/* GELU, tanh approximation (torch gelu(approximate="tanh")) and exact
 * (erf); the constants are shared with the backward kernels. */
#define VM_GELU_K 0.7978845608028654f /* sqrt(2 / pi) */
#define VM_GELU_C 0.044715f
#define VM_INV_SQRT2 0.70710678118654752f

static inline float vm_gelu_tanh(float x) { return 0.5f * x * (1.0f + vm_tanhf(VM_GELU_K * (x + VM_GELU_C * x * x * x))); }

static inline float vm_gelu_erf(float x) { return 0.5f * x * (1.0f + vm_erff(x * VM_INV_SQRT2)); }

#endif
