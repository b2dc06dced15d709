/* gguf_quants.h — ggml's tensor types as GGUF files store them: the table of
 * block sizes and bytes per block, scalar dequantization to fp32 and
 * quantization from fp32. Internal to libattn; cli/ must not include it.
 *
 * Type ids are ggml's (enum ggml_type), which GGUF tensor infos carry. A
 * quantized type stores a row of n values as n / block blocks of type_size
 * bytes; n must be a multiple of the block size. The block layouts
 * (little-endian, fp16 scales as IEEE binary16):
 *
 *   Q8_0  32 values, 34 bytes: d (f16), q[32] (int8);          x = d * q
 *   Q4_0  32 values, 18 bytes: d (f16), qs[16]: value j in the low nibble of
 *         qs[j], value j + 16 in the high nibble;            x = d * (q - 8)
 *   Q4_1  32 values, 20 bytes: d, m (f16), qs[16] as Q4_0;     x = d * q + m
 *   Q5_0  32 values, 22 bytes: d, qh (u32: bit j is value j's fifth bit),
 *         qs[16] as Q4_0;                                    x = d * (q - 16)
 *   Q5_1  32 values, 24 bytes: d, m, qh, qs[16];               x = d * q + m
 *   Q4_K  256 values, 144 bytes: d, dmin (f16), scales[12] (eight 6-bit
 *         scales and eight 6-bit mins), qs[128]: 4 groups of 64 values, group
 *         g's first 32 in the low nibbles of qs[32g..32g+32), the next 32 in
 *         the high nibbles; sub-block s (32 values) has
 *         x = d * sc[s] * q - dmin * mn[s]
 *   Q5_K  256 values, 176 bytes: d, dmin, scales[12], qh[32] (bit s of
 *         qh[j] is the fifth bit of value j of sub-block s), qs[128] as Q4_K
 *   Q6_K  256 values, 210 bytes: ql[128], qh[64], scales[16] (int8), d (f16);
 *         x = d * scales[v / 16] * (q - 32)
 *   Q8_K  256 values, 292 bytes: d (f32), q[256] (int8), bsums[16] (int16);
 *         an activation format: x = d * q
 *
 * Dequantization is bit-exact with PyPI gguf's gguf.quants.dequantize (and
 * ggml's reference): each value is the same fp32 products and sums in the
 * same order, never fused into an FMA. Quantization to F16, BF16, Q8_0,
 * Q4_0 and Q4_1 matches gguf.quants.quantize bit for bit (ggml's reference
 * quantizers: no importance matrix, no search). */
#ifndef ATTN_IO_GGUF_QUANTS_H
#define ATTN_IO_GGUF_QUANTS_H

#include "attn/attn.h"

#include <stdint.h>

typedef enum gguf_ttype {
    GGUF_T_F32 = 0,
    GGUF_T_F16 = 1,
    GGUF_T_Q4_0 = 2,
    GGUF_T_Q4_1 = 3,
    GGUF_T_Q5_0 = 6,
    GGUF_T_Q5_1 = 7,
    GGUF_T_Q8_0 = 8,
    GGUF_T_Q4_K = 12,
    GGUF_T_Q5_K = 13,
    GGUF_T_Q6_K = 14,
    GGUF_T_Q8_K = 15,
    GGUF_T_BF16 = 30,
    GGUF_T_ID_LIMIT = 64        /* ids at or above this are unknown to ggml too */
} gguf_ttype;

/* true for the types in the enum above (the ones attn reads). */
bool gguf_type_supported(uint32_t id);
/* ggml's name for any id ggml defines ("Q4_K", "IQ2_XXS", "I32", ...), even
 * ones attn does not support; NULL for an id ggml does not define. */
const char *gguf_type_name(uint32_t id);
/* Values per block (1 for F32/F16/BF16) and bytes per block; 0 for an
 * unsupported id. */
int64_t gguf_type_block(uint32_t id);
int64_t gguf_type_size(uint32_t id);
/* Bytes of n values of a supported type; false if n is not a multiple of
 * the block size, negative, or the size overflows. */
bool gguf_type_bytes(uint32_t id, int64_t n, uint64_t *bytes);

/* Whether gguf_dequantize / gguf_quantize take this type. */
bool gguf_can_dequantize(uint32_t id);
bool gguf_can_quantize(uint32_t id);

/* n values (a multiple of the type's block) from src (gguf_type_bytes(n)
 * bytes, any alignment) into dst as fp32. ATTN_ERR_INVALID_ARG for a type
 * it cannot dequantize or a bad n. */
attn_status gguf_dequantize(uint32_t id, const void *src, float *dst, int64_t n);
/* n fp32 values into dst (gguf_type_bytes(n) bytes) in type id (F32, F16,
 * BF16, Q8_0, Q4_0, Q4_1). ATTN_ERR_INVALID_ARG otherwise or for a bad n. */
attn_status gguf_quantize(uint32_t id, const float *src, void *dst, int64_t n);

/* IEEE binary16 <-> binary32: to fp32 exact; from fp32 rounded to nearest,
 * ties to even, overflow to infinity, subnormals kept, NaNs quiet (numpy's
 * astype(float16)). */
float gguf_f16_to_f32(uint16_t h);
uint16_t gguf_f32_to_f16(float f);

#endif
