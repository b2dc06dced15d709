/* gguf.h — inspect GGUF files (ggml's single-file model format): metadata,
 * tensor infos and tensor values as fp32. Versions 2 and 3; tensor types
 * F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, Q8_K.
 * The file is mapped read-only and validated as untrusted input when opened
 * (every failure is an attn_status with a message naming the file). */
#ifndef ATTN_GGUF_H
#define ATTN_GGUF_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_gguf attn_gguf;

ATTN_API attn_status attn_gguf_open(const char *path, attn_gguf **out);
ATTN_API void attn_gguf_close(attn_gguf *g);   /* NULL is a no-op */

ATTN_API uint32_t attn_gguf_version(const attn_gguf *g);
ATTN_API uint32_t attn_gguf_alignment(const attn_gguf *g);
ATTN_API uint64_t attn_gguf_data_offset(const attn_gguf *g);   /* the data section's start in the file */

/* Key/values in file order, i in [0, attn_gguf_n_kv). */
ATTN_API int64_t attn_gguf_n_kv(const attn_gguf *g);
ATTN_API const char *attn_gguf_kv_key(const attn_gguf *g, int64_t i);
/* The value's type as gguf-py names it ("UINT32", "STRING", "ARRAY"); for an
 * array, *elem_type (may be NULL) gets its elements' type and *count (may be
 * NULL) their number (1 for a scalar). NULL for a bad i. */
ATTN_API const char *attn_gguf_kv_type(const attn_gguf *g, int64_t i, const char **elem_type, uint64_t *count);
/* The value as JSON text into *out (attn_free it): numbers (FLOAT32 with 9
 * significant digits, FLOAT64 with 17; nan/inf spelled NaN/Infinity), true /
 * false, strings quoted and escaped (bytes that are not UTF-8 as \u00XX),
 * arrays as [..]. An array with more than max_items elements (max_items >= 0)
 * is cut to its first max_items followed by "..." (then not JSON). */
ATTN_API attn_status attn_gguf_kv_text(const attn_gguf *g, int64_t i, int64_t max_items, char **out);

typedef struct attn_gguf_tensor_info {
    const char *name;
    const char *type;        /* ggml's name: "Q4_1", "F32", ... */
    uint32_t type_id;        /* ggml_type */
    int32_t ndim;            /* 0..4 */
    int64_t ne[4];           /* ggml order: ne[0] is the row length (numpy's shape reversed); 1 past ndim */
    int64_t numel;
    uint64_t offset;         /* from the data section's start */
    uint64_t nbytes;
    const void *data;        /* in the mapping, valid until attn_gguf_close */
} attn_gguf_tensor_info;

/* Tensors in file order, i in [0, attn_gguf_n_tensors). */
ATTN_API int64_t attn_gguf_n_tensors(const attn_gguf *g);
ATTN_API attn_status attn_gguf_tensor(const attn_gguf *g, int64_t i, attn_gguf_tensor_info *out);
/* Index of the tensor called name, -1 if none. */
ATTN_API int64_t attn_gguf_tensor_index(const attn_gguf *g, const char *name);
/* Tensor i's numel values as fp32 (dequantized, bit-exact with ggml's
 * reference and PyPI gguf's gguf.quants.dequantize). */
ATTN_API attn_status attn_gguf_tensor_f32(const attn_gguf *g, int64_t i, float *out, int64_t numel);

#ifdef __cplusplus
}
#endif
#endif
