/* Block-quantized types (kernels/quant.h): fp16 conversion, ggml's
 * reference quantizers and dequantizers, the activation quantizer every
 * product path shares, and the reference quantized linear layer and
 * embedding lookup. Compiled once, for baseline x86-64 (no FMA: products
 * and sums are rounded one at a time, as numpy rounds them). */
#include "kernels/quant.h"
#include "kernels/ref/ref.h"

#include <math.h>

bool quant_type_valid(int qtype) {
    return qtype == QUANT_F16 || qtype == QUANT_Q8_0 || qtype == QUANT_Q4_0 || qtype == QUANT_Q4_1;
}

const char *quant_type_name(int qtype) {
    return qtype == QUANT_F16    ? "F16"
           : qtype == QUANT_Q8_0 ? "Q8_0"
           : qtype == QUANT_Q4_0 ? "Q4_0"
           : qtype == QUANT_Q4_1 ? "Q4_1"
                                 : NULL;
}

size_t quant_block_bytes(int qtype) {
    return qtype == QUANT_F16    ? QUANT_BLOCK * sizeof(uint16_t)
           : qtype == QUANT_Q8_0 ? sizeof(block_q8_0)
           : qtype == QUANT_Q4_0 ? sizeof(block_q4_0)
           : qtype == QUANT_Q4_1 ? sizeof(block_q4_1)
                                 : 0;
}

/* ---- fp16 ---------------------------------------------------------------------- */

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}
static float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float quant_f16_to_f32_soft(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f) return bits_f32(sign | 0x7f800000u | m << 13);
    if (e == 0) { /* zero or subnormal: m * 2^-24, exact in fp32 */
        float v = (float)m * 0x1p-24f;
        return sign ? -v : v;
    }
    return bits_f32(sign | (e + 112) << 23 | m << 13);
}

uint16_t quant_f32_to_f16(float f) {
    uint32_t x = f32_bits(f), sign = (x >> 16) & 0x8000, ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (uint16_t)(sign | 0x7e00 | ((ax >> 13) & 0x3ff)); /* NaN, quiet */
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00);                       /* >= 65520: infinity */
    if (ax < 0x38800000u) {
        /* below 2^-14: a half subnormal k * 2^-24. Adding 0.5 puts the
         * units of 2^-24 at the bottom of the fp32 significand, so the
         * addition itself rounds to nearest even. */
        float t = bits_f32(ax) + 0.5f;
        return (uint16_t)(sign | (f32_bits(t) - 0x3f000000u));
    }
    uint32_t r = ax + 0xfffu + ((ax >> 13) & 1); /* round to nearest even at bit 13 */
    return (uint16_t)(sign | ((r - 0x38000000u) >> 13));
}

/* ---- quantize / dequantize -------------------------------------------------- */

/* fp32 -> int32 as x86's cvttss2si: truncation, and INT32_MIN for NaN and
 * values out of range (numpy's astype on x86, which gguf's quantizers use). */
static int32_t cvtt(float t) { return t >= -2147483648.0f && t < 2147483648.0f ? (int32_t)t : INT32_MIN; }
static uint8_t low_byte(int32_t v) { return (uint8_t)((uint32_t)v & 0xff); }
static uint8_t nibble_code(float t) {
    uint8_t u = low_byte(cvtt(t));
    return u < 15 ? u : 15;
}
/* C's roundf (half away from zero) for |v| < 2^23; other values pass through. */
static float round_away(float v) {
    float a = fabsf(v), fl = floorf(a), b = fl + floorf(2.0f * (a - fl));
    return v < 0 ? -b : b;
}

static void quantize_q8_0(block_q8_0 *b, const float *x) {
    float amax = 0.0f;
    for (int j = 0; j < QUANT_BLOCK; j++)
        if (fabsf(x[j]) > amax) amax = fabsf(x[j]);
    float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
    b->d = quant_f32_to_f16(d);
    for (int j = 0; j < QUANT_BLOCK; j++) b->q[j] = (int8_t)low_byte(cvtt(round_away(x[j] * id)));
}

static void quantize_q4_0(block_q4_0 *b, const float *x) {
    float amax = fabsf(x[0]), max = x[0]; /* the value of largest magnitude, the first of equals */
    for (int j = 1; j < QUANT_BLOCK; j++)
        if (fabsf(x[j]) > amax) amax = fabsf(x[j]), max = x[j];
    float d = max / -8.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
    b->d = quant_f32_to_f16(d);
    for (int j = 0; j < QUANT_BLOCK / 2; j++) {
        uint8_t lo = nibble_code(x[j] * id + 8.5f), hi = nibble_code(x[j + 16] * id + 8.5f);
        b->qs[j] = (uint8_t)(lo | hi << 4);
    }
}

static void quantize_q4_1(block_q4_1 *b, const float *x) {
    float min = x[0], max = x[0];
    for (int j = 1; j < QUANT_BLOCK; j++) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
    float d = (max - min) / 15.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
    b->d = quant_f32_to_f16(d);
    b->m = quant_f32_to_f16(min);
    for (int j = 0; j < QUANT_BLOCK / 2; j++) {
        uint8_t lo = nibble_code((x[j] - min) * id + 0.5f), hi = nibble_code((x[j + 16] - min) * id + 0.5f);
        b->qs[j] = (uint8_t)(lo | hi << 4);
    }
}

void quant_quantize_row(int qtype, const float *x, void *blocks, int64_t n) {
    if (qtype == QUANT_F16) {
        unsigned char *p = blocks;
        for (int64_t i = 0; i < n; i++) {
            uint16_t h = quant_f32_to_f16(x[i]);
            memcpy(p + 2 * i, &h, sizeof h);
        }
        return;
    }
    for (int64_t i = 0; i < n / QUANT_BLOCK; i++) {
        const float *xb = x + i * QUANT_BLOCK;
        if (qtype == QUANT_Q8_0) quantize_q8_0((block_q8_0 *)blocks + i, xb);
        else if (qtype == QUANT_Q4_0) quantize_q4_0((block_q4_0 *)blocks + i, xb);
        else if (qtype == QUANT_Q4_1) quantize_q4_1((block_q4_1 *)blocks + i, xb);
    }
}

void quant_dequantize_row(int qtype, const void *blocks, float *x, int64_t n) {
    if (qtype == QUANT_F16) {
        const unsigned char *p = blocks;
        for (int64_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, sizeof h);
            x[i] = quant_f16_to_f32_soft(h);
        }
        return;
    }
    for (int64_t i = 0; i < n / QUANT_BLOCK; i++) {
        float *xb = x + i * QUANT_BLOCK;
        if (qtype == QUANT_Q8_0) {
            const block_q8_0 *b = (const block_q8_0 *)blocks + i;
            float d = quant_f16_to_f32_soft(b->d);
            for (int j = 0; j < QUANT_BLOCK; j++) xb[j] = (float)b->q[j] * d;
        } else if (qtype == QUANT_Q4_0) {
            const block_q4_0 *b = (const block_q4_0 *)blocks + i;
            float d = quant_f16_to_f32_soft(b->d);
            for (int j = 0; j < QUANT_BLOCK / 2; j++) {
                xb[j] = d * (float)((b->qs[j] & 0x0f) - 8);
                xb[j + 16] = d * (float)((b->qs[j] >> 4) - 8);
            }
        } else if (qtype == QUANT_Q4_1) {
            const block_q4_1 *b = (const block_q4_1 *)blocks + i;
            float d = quant_f16_to_f32_soft(b->d), m = quant_f16_to_f32_soft(b->m);
            for (int j = 0; j < QUANT_BLOCK / 2; j++) {
                float lo = d * (float)(b->qs[j] & 0x0f), hi = d * (float)(b->qs[j] >> 4);
                xb[j] = lo + m;
                xb[j + 16] = hi + m;
            }
        }
    }
}

attn_status quant_matrix_new(int qtype, const float *w, int64_t rows, int64_t cols, void **out) {
    *out = NULL;
    if (!quant_type_valid(qtype))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "quantize: type %d is not F16, Q8_0, Q4_0 or Q4_1", qtype);
    if (rows <= 0 || cols <= 0 || cols % QUANT_BLOCK || rows > INT64_MAX / cols)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "quantize: a (%lld, %lld) matrix is not rows of whole %d-value blocks",
                           (long long)rows, (long long)cols, QUANT_BLOCK);
    size_t row = quant_row_bytes(qtype, cols);
    if ((uint64_t)rows > SIZE_MAX / row) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "quantize: matrix too large");
    uint8_t *p = attn_malloc(row * (size_t)rows);
    if (!p) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "quantize: %zu bytes", row * (size_t)rows);
    for (int64_t r = 0; r < rows; r++) quant_quantize_row(qtype, w + r * cols, p + (size_t)r * row, cols);
    *out = p;
    return ATTN_OK;
}

/* ---- activations ------------------------------------------------------------ */

void quant_act_row(quant_act *a, const float *x, int64_t C) {
    for (int64_t i = 0; i < C / QUANT_BLOCK; i++, a++, x += QUANT_BLOCK) {
        float amax = 0.0f;
        bool finite = true;
        for (int j = 0; j < QUANT_BLOCK; j++) {
            float v = fabsf(x[j]);
            finite &= v <= 3.4028234663852886e38f; /* false for NaN and infinities */
            amax = v > amax ? v : amax;
        }
        if (!finite || amax < 0x1p-100f) {
            a->d = finite ? 0.0f : NAN;
            a->s = 0;
            memset(a->q, 0, sizeof a->q);
            continue;
        }
        float d = amax / 127.0f, id = 1.0f / d; /* d >= 2^-107: a normal float, id finite */
        int32_t s = 0;
        for (int j = 0; j < QUANT_BLOCK; j++) {
            /* |x id| <= 127 (+ rounding): adding and subtracting 1.5 * 2^23
             * rounds it to an integer, ties to even, in any vector width */
            float r = (x[j] * id + 12582912.0f) - 12582912.0f;
            int32_t q = (int32_t)r;
            q = q > 127 ? 127 : q < -127 ? -127 : q;
            a->q[j] = (int8_t)q;
            s += q;
        }
        a->d = d;
        a->s = s;
    }
}

/* ---- reference kernels ------------------------------------------------------- */

/* The block's exact integer dot and, in double, its term of the output:
 * Q8_0  dw dx sum(qw qa);  Q4_0  dw dx sum((u - 8) qa);
 * Q4_1  dw dx sum(u qa) + mw dx s. */
double ref_quant_block_term(int qtype, const void *w, const quant_act *a) {
    int32_t isum = 0;
    double dx = a->d;
    if (qtype == QUANT_Q8_0) {
        const block_q8_0 *b = w;
        for (int j = 0; j < QUANT_BLOCK; j++) isum += b->q[j] * a->q[j];
        return (double)quant_f16_to_f32_soft(b->d) * dx * isum;
    }
    if (qtype == QUANT_Q4_0) {
        const block_q4_0 *b = w;
        for (int j = 0; j < QUANT_BLOCK / 2; j++)
            isum += ((b->qs[j] & 0x0f) - 8) * a->q[j] + ((b->qs[j] >> 4) - 8) * a->q[j + 16];
        return (double)quant_f16_to_f32_soft(b->d) * dx * isum;
    }
    const block_q4_1 *b = w;
    for (int j = 0; j < QUANT_BLOCK / 2; j++) isum += (b->qs[j] & 0x0f) * a->q[j] + (b->qs[j] >> 4) * a->q[j + 16];
    return (double)quant_f16_to_f32_soft(b->d) * dx * isum + (double)quant_f16_to_f32_soft(b->m) * dx * a->s;
}

void ref_matmul_forward_q(float *out, const float *x, const void *w, int qtype, const float *bias, int64_t N, int64_t C,
                          int64_t OC) {
    if (qtype == QUANT_F16) { /* fp32 activations times the exact fp32 values of the halves, summed in double */
        const unsigned char *h = w;
        for (int64_t n = 0; n < N; n++)
            for (int64_t o = 0; o < OC; o++) {
                double acc = bias ? (double)bias[o] : 0.0;
                for (int64_t c = 0; c < C; c++) {
                    const unsigned char *e = h + 2 * ((size_t)o * (size_t)C + (size_t)c);
                    acc += (double)x[n * C + c] * (double)quant_f16_to_f32_soft((uint16_t)(e[0] | e[1] << 8));
                }
                out[n * OC + o] = (float)acc;
            }
        return;
    }
    size_t bb = quant_block_bytes(qtype), row = quant_row_bytes(qtype, C);
    int64_t nb = C / QUANT_BLOCK;
    for (int64_t n = 0; n < N; n++)
        for (int64_t o = 0; o < OC; o++) {
            double acc = bias ? (double)bias[o] : 0.0;
            for (int64_t i = 0; i < nb; i++) {
                quant_act a;
                quant_act_row(&a, x + n * C + i * QUANT_BLOCK, QUANT_BLOCK);
                acc += ref_quant_block_term(qtype, (const uint8_t *)w + (size_t)o * row + (size_t)i * bb, &a);
            }
            out[n * OC + o] = (float)acc;
        }
}

void ref_embedding_forward_q(float *out, const void *table, int qtype, const int32_t *ids, int64_t N, int64_t C) {
    size_t row = quant_row_bytes(qtype, C);
    for (int64_t n = 0; n < N; n++)
        quant_dequantize_row(qtype, (const uint8_t *)table + (size_t)ids[n] * row, out + n * C, C);
}
