/* quant.h — ggml's block-quantized weight types (Q8_0, Q4_0, Q4_1) as GGUF
 * files store them, so that tensor data is used in place: the block
 * layouts, fp16 conversion, scalar quantization (bit for bit ggml's
 * reference quantizers, i.e. PyPI gguf's gguf.quants.quantize) and
 * dequantization (gguf.quants.dequantize), and the int8 activation blocks
 * the quantized products multiply by (kernels.h: matmul_forward_q).
 *
 * Type ids are ggml's (enum ggml_type), which GGUF tensor infos carry. A
 * row of n values (n a multiple of 32) is n / 32 blocks, little-endian,
 * fp16 scales as IEEE binary16:
 *   Q8_0  34 bytes: d, q[32] (int8)                               x = d * q
 *   Q4_0  18 bytes: d, qs[16]: value j (< 16) in the low nibble of qs[j],
 *         value j + 16 in its high nibble                   x = d * (q - 8)
 *   Q4_1  20 bytes: d, m, qs[16] as Q4_0                      x = d * q + m
 * Block arrays need 2-byte alignment (GGUF aligns tensor data to 32). */
#ifndef ATTN_KERNELS_QUANT_H
#define ATTN_KERNELS_QUANT_H

#include "attn/attn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__F16C__) && defined(__GNUC__)
#include <immintrin.h>
#endif

enum { QUANT_BLOCK = 32 };

/* QUANT_F16: IEEE binary16 values (ggml's F16), 32 to a "block" of 64
 * bytes so that rows are sized as the other types'; its products take the
 * activations in fp32 (no int8 blocks). */
typedef enum quant_type { QUANT_F16 = 1, QUANT_Q4_0 = 2, QUANT_Q4_1 = 3, QUANT_Q8_0 = 8 } quant_type;

typedef struct block_q8_0 {
    uint16_t d;
    int8_t q[QUANT_BLOCK];
} block_q8_0;
typedef struct block_q4_0 {
    uint16_t d;
    uint8_t qs[QUANT_BLOCK / 2];
} block_q4_0;
typedef struct block_q4_1 {
    uint16_t d, m;
    uint8_t qs[QUANT_BLOCK / 2];
} block_q4_1;
_Static_assert(sizeof(block_q8_0) == 34 && sizeof(block_q4_0) == 18 && sizeof(block_q4_1) == 20,
               "ggml's block sizes");

/* One block of 32 activations quantized for the integer products:
 * x ~ d * q, d = max |x| / 127, q = x / d rounded to nearest (ties to even),
 * s = the sum of q (Q4_0's -8 and Q4_1's m terms). A block holding a NaN or
 * an infinity gets d = NaN and q = 0 (the outputs it reaches are NaN); one
 * whose max |x| is under 2^-100 is all zero. */
typedef struct quant_act {
    float d;
    int32_t s;
    int8_t q[QUANT_BLOCK];
} quant_act;

/* True for the four types above. */
bool quant_type_valid(int qtype);
/* "F16", "Q8_0", "Q4_0", "Q4_1"; NULL for any other id. */
const char *quant_type_name(int qtype);
/* Bytes per block of 32 values (64, 34, 18, 20); 0 for another id. */
size_t quant_block_bytes(int qtype);
/* Bytes of one row of C values (C a multiple of 32). */
static inline size_t quant_row_bytes(int qtype, int64_t C) { return quant_block_bytes(qtype) * (size_t)(C / QUANT_BLOCK); }

/* IEEE binary16 <-> binary32: to fp32 exact; from fp32 rounded to nearest
 * even, overflow to infinity, subnormals kept, NaNs quiet (numpy's
 * astype(float16)). */
float quant_f16_to_f32_soft(uint16_t h);
uint16_t quant_f32_to_f16(float f);
static inline float quant_f16(uint16_t h) {
#if defined(__F16C__) && defined(__GNUC__)
    return _cvtsh_ss(h);
#else
    return quant_f16_to_f32_soft(h);
#endif
}

/* n values (a multiple of 32) from x into blocks of qtype (ggml's reference
 * quantizers, bit for bit; a NaN or out-of-range code converts as x86's
 * cvttss2si does, so every input has a defined result). */
void quant_quantize_row(int qtype, const float *x, void *blocks, int64_t n);
/* n values from blocks into x (the fp32 products gguf.quants.dequantize
 * computes, never fused into an FMA). */
void quant_dequantize_row(int qtype, const void *blocks, float *x, int64_t n);
/* A new block array (attn_free it) holding the (rows, cols) fp32 matrix w
 * quantized row by row: cols must be a positive multiple of 32 (else
 * ATTN_ERR_INVALID_ARG), ATTN_ERR_OUT_OF_MEMORY when it cannot be allocated. */
attn_status quant_matrix_new(int qtype, const float *w, int64_t rows, int64_t cols, void **out);

/* The activations of one row of C values (C a multiple of 32) as C / 32
 * blocks. Every kernel path uses this one function, so that all of them
 * multiply by the same integers. */
void quant_act_row(quant_act *a, const float *x, int64_t C);

#endif
