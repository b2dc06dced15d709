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
#include "kernels/quant.h"

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

/* the kernels' conversions (kernels/quant.h: exact, and round to nearest even) */
float gguf_f16_to_f32(uint16_t h) { return quant_f16_to_f32_soft(h); }
uint16_t gguf_f32_to_f16(float f) { return quant_f32_to_f16(f); }

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
    case GGUF_T_Q8_0: case GGUF_T_Q4_0: case GGUF_T_Q4_1: /* the kernels' own blocks (kernels/quant.h) */
        quant_dequantize_row((int)id, p, dst, n);
        return ATTN_OK;
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

attn_status gguf_quantize(uint32_t id, const float *src, void *dst, int64_t n) {
    if (!gguf_can_quantize(id) || n < 0 || n % TYPES[id].block)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_quantize: cannot quantize %" PRId64 " values to type %s", n,
                           gguf_type_name(id) ? gguf_type_name(id) : "?");
    if (n > 0 && (!src || !dst)) return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_quantize: NULL buffer");
    unsigned char *p = dst;
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
    case GGUF_T_Q8_0: case GGUF_T_Q4_0: case GGUF_T_Q4_1: quant_quantize_row((int)id, src, p, n); return ATTN_OK;
    default: return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_quantize: type %u", id);
    }
}
