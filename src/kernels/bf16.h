/* bf16.h — bfloat16 storage: the top 16 bits of an IEEE fp32 value (sign,
 * 8 exponent bits, 7 mantissa bits), kept as uint16_t bit patterns.
 *
 * fp32 -> bf16 rounds to nearest, ties to even, on the dropped 16 bits;
 * values that round past the largest finite bf16 become infinities (as a
 * round-to-nearest conversion must); NaNs stay NaNs (quiet, sign kept).
 * Subnormals are rounded like any other value (no flush to zero), so the
 * scalar and vector conversions of kernels/cpu agree bit for bit.
 * bf16 -> fp32 is exact. Any product of two bf16 values is exact in fp32
 * (8 + 8 significant bits <= 24), which is what makes bf16 GEMMs with fp32
 * accumulation differ from their reference only by summation order. */
#ifndef ATTN_KERNELS_BF16_H
#define ATTN_KERNELS_BF16_H

#include <stdint.h>
#include <string.h>

static inline uint16_t bf16_from_f32(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u); /* NaN: keep it quiet */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static inline float bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* f rounded to the nearest bf16 value, as fp32. */
static inline float bf16_round_f32(float f) { return bf16_to_f32(bf16_from_f32(f)); }

#endif
