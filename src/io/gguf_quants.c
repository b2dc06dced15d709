/* gguf_quants.c — ggml's tensor types: table, dequantization, quantization.
 * Layouts and the exactness contract in gguf_quants.h.
 *
 * Every fp32 operation is its own statement, so no compiler contracts a
 * product and a sum into one FMA (GCC under -std=c11 does not contract at
 * all; clang contracts only within one expression): a fused result would
 * differ from numpy's in the last bit. */
#include "io/gguf_quants.h"

#include "core/core.h"
#include "kernels/bf16.h"

#include <inttypes.h>
#include <math.h>

static const struct { const char *name; int64_t block, size; bool supported; } TYPES[GGUF_T_ID_LIMIT] = {
    [0] = { "F32", 1, 4, true },       [1] = { "F16", 1, 2, true },
    [2] = { "Q4_0", 32, 18, true },    [3] = { "Q4_1", 32, 20, true },
    [4] = { "Q4_2", 0, 0, false },     [5] = { "Q4_3", 0, 0, false },
    [6] = { "Q5_0", 32, 22, true },    [7] = { "Q5_1", 32, 24, true },
    [8] = { "Q8_0", 32, 34, true },    [9] = { "Q8_1", 0, 0, false },
    [10] = { "Q2_K", 0, 0, false },    [11] = { "Q3_K", 0, 0, false },
    [12] = { "Q4_K", 256, 144, true }, [13] = { "Q5_K", 256, 176, true },
    [14] = { "Q6_K", 256, 210, true }, [15] = { "Q8_K", 256, 292, true },
    [16] = { "IQ2_XXS", 0, 0, false }, [17] = { "IQ2_XS", 0, 0, false },
    [18] = { "IQ3_XXS", 0, 0, false }, [19] = { "IQ1_S", 0, 0, false },
    [20] = { "IQ4_NL", 0, 0, false },  [21] = { "IQ3_S", 0, 0, false },
    [22] = { "IQ2_S", 0, 0, false },   [23] = { "IQ4_XS", 0, 0, false },
    [24] = { "I8", 0, 0, false },      [25] = { "I16", 0, 0, false },
    [26] = { "I32", 0, 0, false },     [27] = { "I64", 0, 0, false },
    [28] = { "F64", 0, 0, false },     [29] = { "IQ1_M", 0, 0, false },
    [30] = { "BF16", 1, 2, true },     [34] = { "TQ1_0", 0, 0, false },
    [35] = { "TQ2_0", 0, 0, false },   [39] = { "MXFP4", 0, 0, false },
    [40] = { "NVFP4", 0, 0, false },   [41] = { "Q1_0", 0, 0, false },
};

bool gguf_type_supported(uint32_t id) { return id < GGUF_T_ID_LIMIT && TYPES[id].supported; }
const char *gguf_type_name(uint32_t id) { return id < GGUF_T_ID_LIMIT ? TYPES[id].name : NULL; }
int64_t gguf_type_block(uint32_t id) { return gguf_type_supported(id) ? TYPES[id].block : 0; }
int64_t gguf_type_size(uint32_t id) { return gguf_type_supported(id) ? TYPES[id].size : 0; }

bool gguf_type_bytes(uint32_t id, int64_t n, uint64_t *bytes) {
    if (!gguf_type_supported(id) || n < 0 || n % TYPES[id].block) return false;
    int64_t b;
    if (!i64_mul(n / TYPES[id].block, TYPES[id].size, &b)) return false;
    *bytes = (uint64_t)b;
    return true;
}

bool gguf_can_dequantize(uint32_t id) { return gguf_type_supported(id); }

bool gguf_can_quantize(uint32_t id) {
    return id == GGUF_T_F32 || id == GGUF_T_F16 || id == GGUF_T_BF16 || id == GGUF_T_Q8_0 || id == GGUF_T_Q4_0 ||
           id == GGUF_T_Q4_1;
}

/* ---- fp16 ------------------------------------------------------------------ */

static float f32_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float gguf_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0x1f) return f32_bits(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        if (man == 0) return f32_bits(sign);
        exp = 127 - 15 + 1;   /* subnormal: normalise the mantissa */
        while (!(man & 0x400u)) {
            man <<= 1;
            exp--;
        }
        return f32_bits(sign | (exp << 23) | ((man & 0x3ffu) << 13));
    }
    return f32_bits(sign | ((exp + 127 - 15) << 23) | (man << 13));
}

uint16_t gguf_f32_to_f16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));   /* NaN, quiet */
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);   /* >= 65520 rounds to infinity */
    if (a >= 0x38800000u) {                                     /* normal half: rebias, round */
        uint32_t r = a - 0x38000000u;
        r += 0xfffu + ((r >> 13) & 1u);
        return (uint16_t)(sign | (r >> 13));
    }
    if (a <= 0x33000000u) return sign;                          /* <= 2^-25 rounds to zero */
    uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u;
    unsigned shift = 126u - e;                                  /* 14..24: units of 2^-24 */
    uint32_t q = m >> shift, rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (q & 1u))) q++;
    return (uint16_t)(sign | q);
}

static float ld_f16(const unsigned char *p) { return gguf_f16_to_f32((uint16_t)(p[0] | (p[1] << 8))); }
static void st_f16(unsigned char *p, float f) {
    uint16_t h = gguf_f32_to_f16(f);
    p[0] = (unsigned char)h;
    p[1] = (unsigned char)(h >> 8);
}
static uint32_t ld_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- dequantization ---------------------------------------------------------- */

static void deq_q8_0(const unsigned char *b, float *y) {
    float d = ld_f16(b);
    for (int j = 0; j < 32; j++) y[j] = (float)(int8_t)b[2 + j] * d;
}

static void deq_q4_0(const unsigned char *b, float *y) {
    float d = ld_f16(b);
    const unsigned char *qs = b + 2;
    for (int j = 0; j < 16; j++) {
        y[j] = d * (float)((qs[j] & 0x0f) - 8);
        y[j + 16] = d * (float)((qs[j] >> 4) - 8);
    }
}

static void deq_q4_1(const unsigned char *b, float *y) {
    float d = ld_f16(b), m = ld_f16(b + 2);
    const unsigned char *qs = b + 4;
    for (int j = 0; j < 16; j++) {
        float lo = d * (float)(qs[j] & 0x0f);
        float hi = d * (float)(qs[j] >> 4);
        y[j] = lo + m;
        y[j + 16] = hi + m;
    }
}

static void deq_q5_0(const unsigned char *b, float *y) {
    float d = ld_f16(b);
    uint32_t qh = ld_u32(b + 2);
    const unsigned char *qs = b + 6;
    for (int j = 0; j < 16; j++) {
        int lo = (qs[j] & 0x0f) | (int)((qh >> j) & 1u) << 4;
        int hi = (qs[j] >> 4) | (int)((qh >> (j + 16)) & 1u) << 4;
        y[j] = d * (float)(lo - 16);
        y[j + 16] = d * (float)(hi - 16);
    }
}

static void deq_q5_1(const unsigned char *b, float *y) {
    float d = ld_f16(b), m = ld_f16(b + 2);
    uint32_t qh = ld_u32(b + 4);
    const unsigned char *qs = b + 8;
    for (int j = 0; j < 16; j++) {
        int lo = (qs[j] & 0x0f) | (int)((qh >> j) & 1u) << 4;
        int hi = (qs[j] >> 4) | (int)((qh >> (j + 16)) & 1u) << 4;
        float plo = d * (float)lo;
        float phi = d * (float)hi;
        y[j] = plo + m;
        y[j + 16] = phi + m;
    }
}

/* The eight 6-bit scales and mins of a Q4_K / Q5_K block. */
static void k_scale_min(const unsigned char *s, int sc[8], int mn[8]) {
    for (int j = 0; j < 4; j++) {
        sc[j] = s[j] & 63;
        mn[j] = s[j + 4] & 63;
        sc[j + 4] = (s[j + 8] & 0x0f) | ((s[j] >> 2) & 0x30);
        mn[j + 4] = (s[j + 8] >> 4) | ((s[j + 4] >> 2) & 0x30);
    }
}

static void deq_q4_k(const unsigned char *b, float *y) {
    float d = ld_f16(b), dmin = ld_f16(b + 2);
    int sc[8], mn[8];
    k_scale_min(b + 4, sc, mn);
    const unsigned char *qs = b + 16;
    for (int s = 0; s < 8; s++) {
        float dl = d * (float)sc[s];
        float ml = dmin * (float)mn[s];
        const unsigned char *q = qs + 32 * (s / 2);
        int shift = 4 * (s % 2);
        for (int j = 0; j < 32; j++) {
            float p = dl * (float)((q[j] >> shift) & 0x0f);
            y[32 * s + j] = p - ml;
        }
    }
}

static void deq_q5_k(const unsigned char *b, float *y) {
    float d = ld_f16(b), dmin = ld_f16(b + 2);
    int sc[8], mn[8];
    k_scale_min(b + 4, sc, mn);
    const unsigned char *qh = b + 16, *qs = b + 48;
    for (int s = 0; s < 8; s++) {
        float dl = d * (float)sc[s];
        float ml = dmin * (float)mn[s];
        const unsigned char *q = qs + 32 * (s / 2);
        int shift = 4 * (s % 2);
        for (int j = 0; j < 32; j++) {
            int v = ((q[j] >> shift) & 0x0f) | ((qh[j] >> s) & 1) << 4;
            float p = dl * (float)v;
            y[32 * s + j] = p - ml;
        }
    }
}

static void deq_q6_k(const unsigned char *b, float *y) {
    const unsigned char *ql = b, *qh = b + 128;
    const signed char *scales = (const signed char *)(b + 192);
    float d = ld_f16(b + 208);
    for (int v = 0; v < 256; v++) {
        int h = v / 128, r = v % 128;
        int lo = (ql[64 * h + r % 64] >> (4 * (r / 64))) & 0x0f;
        int hi = (qh[32 * h + r % 32] >> (2 * (r / 32))) & 3;
        float ds = d * (float)scales[v / 16];
        y[v] = ds * (float)((lo | hi << 4) - 32);
    }
}

static void deq_q8_k(const unsigned char *b, float *y) {
    float d = f32_bits(ld_u32(b));
    for (int j = 0; j < 256; j++) y[j] = d * (float)(int8_t)b[4 + j];
}

attn_status gguf_dequantize(uint32_t id, const void *src, float *dst, int64_t n) {
    if (!gguf_can_dequantize(id) || n < 0 || n % TYPES[id].block)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_dequantize: cannot dequantize %" PRId64 " values of type %s",
                           n, gguf_type_name(id) ? gguf_type_name(id) : "?");
    if (n > 0 && (!src || !dst)) return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_dequantize: NULL buffer");
    const unsigned char *p = src;
    int64_t blk = TYPES[id].block, sz = TYPES[id].size, nb = n / blk;
    switch ((gguf_ttype)id) {
    case GGUF_T_F32: memcpy(dst, p, (size_t)n * 4); return ATTN_OK;
    case GGUF_T_F16:
        for (int64_t i = 0; i < n; i++) dst[i] = ld_f16(p + 2 * i);
        return ATTN_OK;
    case GGUF_T_BF16:
        for (int64_t i = 0; i < n; i++) dst[i] = bf16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
        return ATTN_OK;
    default: break;
    }
    void (*fn)(const unsigned char *, float *) = NULL;
    switch ((gguf_ttype)id) {
    case GGUF_T_Q8_0: fn = deq_q8_0; break;
    case GGUF_T_Q4_0: fn = deq_q4_0; break;
    case GGUF_T_Q4_1: fn = deq_q4_1; break;
    case GGUF_T_Q5_0: fn = deq_q5_0; break;
    case GGUF_T_Q5_1: fn = deq_q5_1; break;
    case GGUF_T_Q4_K: fn = deq_q4_k; break;
    case GGUF_T_Q5_K: fn = deq_q5_k; break;
    case GGUF_T_Q6_K: fn = deq_q6_k; break;
    case GGUF_T_Q8_K: fn = deq_q8_k; break;
    default: return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_dequantize: type %u", id);
    }
    for (int64_t i = 0; i < nb; i++) fn(p + i * sz, dst + i * blk);
    return ATTN_OK;
}

/* ---- quantization ------------------------------------------------------------ */

/* trunc(t) as an integer in [0, hi]; NaN gives 0 (never a float-to-int
 * conversion out of range). */
static int trunc_clip(float t, int hi) {
    if (!(t > 0.0f)) return 0;
    if (t >= (float)hi) return hi;
    return (int)t;
}

static void q_q8_0(const float *x, unsigned char *b) {
    float amax = 0.0f;
    for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[j]));
    float d = amax / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    st_f16(b, d);
    for (int j = 0; j < 32; j++) {
        float v = x[j] * id;
        float r = roundf(v);
        if (!(r >= -128.0f)) r = r != r ? 0.0f : -128.0f;
        if (r > 127.0f) r = 127.0f;
        b[2 + j] = (unsigned char)(int8_t)(int)r;
    }
}

static void q_q4_0(const float *x, unsigned char *b) {
    float amax = fabsf(x[0]), max = x[0];
    for (int j = 1; j < 32; j++) {
        if (amax < fabsf(x[j])) {   /* the first value of largest magnitude, with its sign */
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    float d = max / -8.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    st_f16(b, d);
    for (int j = 0; j < 16; j++) {
        float a = x[j] * id, c = x[j + 16] * id;
        float ta = a + 8.5f, tc = c + 8.5f;
        b[2 + j] = (unsigned char)(trunc_clip(ta, 15) | trunc_clip(tc, 15) << 4);
    }
}

static void q_q4_1(const float *x, unsigned char *b) {
    float max = x[0], min = x[0];
    for (int j = 1; j < 32; j++) {
        if (x[j] > max) max = x[j];
        if (x[j] < min) min = x[j];
    }
    float range = max - min;
    float d = range / 15.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    st_f16(b, d);
    st_f16(b + 2, min);
    for (int j = 0; j < 16; j++) {
        float a = x[j] - min, c = x[j + 16] - min;
        float sa = a * id, sc = c * id;
        float ta = sa + 0.5f, tc = sc + 0.5f;
        b[4 + j] = (unsigned char)(trunc_clip(ta, 15) | trunc_clip(tc, 15) << 4);
    }
}

attn_status gguf_quantize(uint32_t id, const float *src, void *dst, int64_t n) {
    if (!gguf_can_quantize(id) || n < 0 || n % TYPES[id].block)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_quantize: cannot quantize %" PRId64 " values to type %s", n,
                           gguf_type_name(id) ? gguf_type_name(id) : "?");
    if (n > 0 && (!src || !dst)) return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_quantize: NULL buffer");
    unsigned char *p = dst;
    int64_t blk = TYPES[id].block, sz = TYPES[id].size, nb = n / blk;
    switch ((gguf_ttype)id) {
    case GGUF_T_F32: memcpy(p, src, (size_t)n * 4); return ATTN_OK;
    case GGUF_T_F16:
        for (int64_t i = 0; i < n; i++) st_f16(p + 2 * i, src[i]);
        return ATTN_OK;
    case GGUF_T_BF16:
        for (int64_t i = 0; i < n; i++) {
            uint16_t h = bf16_from_f32(src[i]);
            p[2 * i] = (unsigned char)h;
            p[2 * i + 1] = (unsigned char)(h >> 8);
        }
        return ATTN_OK;
    case GGUF_T_Q8_0: for (int64_t i = 0; i < nb; i++) q_q8_0(src + i * blk, p + i * sz); return ATTN_OK;
    case GGUF_T_Q4_0: for (int64_t i = 0; i < nb; i++) q_q4_0(src + i * blk, p + i * sz); return ATTN_OK;
    case GGUF_T_Q4_1: for (int64_t i = 0; i < nb; i++) q_q4_1(src + i * blk, p + i * sz); return ATTN_OK;
    default: return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_quantize: type %u", id);
    }
}
