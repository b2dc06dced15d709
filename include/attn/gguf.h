/* gguf.h — inspect GGUF files (ggml's single-file model format): metadata,
 * tensor infos and tensor values as fp32. Versions 2 and 3; tensor types
 * F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, Q8_K.
 * The file is mapped read-only and validated as untrusted input when opened
 * (every failure is an attn_status with a message naming the file). */
#ifndef ATTN_GGUF_H
#define ATTN_GGUF_H

#include "attn/attn.h"
#include "attn/tokenizer.h"

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

/* ---- types ------------------------------------------------------------------
 * Metadata value types (GGUF's ids) and tensor types (ggml's ids: 0 F32,
 * 1 F16, 2 Q4_0, 3 Q4_1, 6 Q5_0, 7 Q5_1, 8 Q8_0, 12 Q4_K, 13 Q5_K, 14 Q6_K,
 * 15 Q8_K, 30 BF16). */
typedef enum attn_gguf_vtype {
    ATTN_GGUF_UINT8 = 0, ATTN_GGUF_INT8 = 1, ATTN_GGUF_UINT16 = 2, ATTN_GGUF_INT16 = 3,
    ATTN_GGUF_UINT32 = 4, ATTN_GGUF_INT32 = 5, ATTN_GGUF_FLOAT32 = 6, ATTN_GGUF_BOOL = 7,
    ATTN_GGUF_STRING = 8, ATTN_GGUF_ARRAY = 9, ATTN_GGUF_UINT64 = 10, ATTN_GGUF_INT64 = 11,
    ATTN_GGUF_FLOAT64 = 12
} attn_gguf_vtype;

/* The tensor type called name ("Q4_1", "f16": any case), or -1. */
ATTN_API int32_t attn_gguf_type_from_name(const char *name);
/* Bytes of n values of a tensor type; 0 when n is not a whole number of
 * blocks or the type is not one attn reads. */
ATTN_API uint64_t attn_gguf_type_bytes(uint32_t type, int64_t n);
/* n values (whole blocks) between fp32 and a tensor type, as ggml's
 * reference code does (bit-exact with PyPI gguf): quantization to F32, F16,
 * BF16, Q8_0, Q4_0 and Q4_1; dequantization from every type attn reads. */
ATTN_API attn_status attn_gguf_quantize(uint32_t type, const float *src, void *dst, int64_t n);
ATTN_API attn_status attn_gguf_dequantize(uint32_t type, const void *src, float *dst, int64_t n);

/* ---- writing ----------------------------------------------------------------
 * Collect metadata and tensors, then write a GGUF v3 file atomically (a
 * temporary file renamed over the path). Metadata values are copied when
 * set; tensor data is referenced (attn_gguf_writer_add_tensor) or quantized
 * into the writer (attn_gguf_writer_add_tensor_f32) and written in the order
 * added, each at an offset that is a multiple of the alignment. Keys and
 * tensor names must be unique, non-empty UTF-8 without NUL (tensor names
 * under 64 bytes, as ggml needs). Every failure is ATTN_ERR_INVALID_ARG
 * naming the key or tensor, or ATTN_ERR_IO / ATTN_ERR_OUT_OF_MEMORY. */
typedef struct attn_gguf_writer attn_gguf_writer;

/* alignment: a power of two, or 0 for GGUF's default of 32 (another value
 * is recorded as general.alignment). */
ATTN_API attn_status attn_gguf_writer_new(uint32_t alignment, attn_gguf_writer **out);
ATTN_API void attn_gguf_writer_free(attn_gguf_writer *w);   /* NULL is a no-op */

/* A scalar: value points to a uint8_t, int8_t, ..., float (FLOAT32), bool
 * (BOOL), uint64_t, int64_t or double (FLOAT64), as type says. */
ATTN_API attn_status attn_gguf_writer_set(attn_gguf_writer *w, const char *key, attn_gguf_vtype type,
                                          const void *value);
ATTN_API attn_status attn_gguf_writer_set_string(attn_gguf_writer *w, const char *key, const char *s, size_t len);

/* An array: values is a packed C array of n scalars of elem's type, or for
 * STRING n NUL-terminated strings (const char *const *), or for ARRAY n
 * attn_gguf_array (nested arrays). */
typedef struct attn_gguf_array {
    attn_gguf_vtype elem;
    uint64_t n;
    const void *values;
} attn_gguf_array;
ATTN_API attn_status attn_gguf_writer_set_array(attn_gguf_writer *w, const char *key, attn_gguf_vtype elem,
                                                const void *values, uint64_t n);

/* A tensor of ndim (1..4) dims ne (ggml order: ne[0] the row length, a
 * multiple of the type's block) whose bytes, in the type's layout, are at
 * data until attn_gguf_writer_write returns. */
ATTN_API attn_status attn_gguf_writer_add_tensor(attn_gguf_writer *w, const char *name, uint32_t type, int32_t ndim,
                                                 const int64_t *ne, const void *data);
/* The same from fp32 values, quantized now to type (F32, F16, BF16, Q8_0,
 * Q4_0, Q4_1). */
ATTN_API attn_status attn_gguf_writer_add_tensor_f32(attn_gguf_writer *w, const char *name, uint32_t type,
                                                     int32_t ndim, const int64_t *ne, const float *values);
ATTN_API attn_status attn_gguf_writer_write(attn_gguf_writer *w, const char *path);

/* Writes the Llama-style (llama, qwen2, mistral), GPT-2 or BLOOM language
 * model at model_path (a Hugging Face directory, a GGUF file or an
 * installed short name) as a GGUF file llama.cpp reads:
 * matrices in type (0 F32, 1 F16, 30 BF16, 8 Q8_0, 2 Q4_0, 3 Q4_1; F16
 * where a row is not a whole number of blocks), vectors in F32, llama.cpp's
 * tensor names and rotary row order, and the tokenizer (a GGUF source's
 * tokenizer.* keys; a directory's byte-level BPE tokenizer.json and
 * tokenizer_config.json's chat_template). *wrote_tokenizer (may be NULL)
 * says whether a tokenizer went in (a directory without tokenizer.json has
 * none). Other model families: ATTN_ERR_UNSUPPORTED. */
ATTN_API attn_status attn_gguf_convert(const char *model_path, const char *out_path, int32_t type, bool *wrote_tokenizer);

/* ---- the tokenizer and chat template -------------------------------------------
 * From the tokenizer.ggml.* keys: model "gpt2" (byte-level BPE: tokens,
 * merges, token_type) with pre-tokenizer (tokenizer.ggml.pre) "gpt2" (GPT-2's
 * regex) or "smollm" (each digit alone, then GPT-2's regex, as llama.cpp and
 * SmolLM2's tokenizer.json do); any other model or pre-tokenizer is
 * ATTN_ERR_UNSUPPORTED naming it. Control (3) and user-defined (4) tokens
 * are matched whole in text before BPE (control ones are special).
 * add_bos_token / add_eos_token become the tokenizer's post-processor
 * (attn_tokenizer_encode_pair adds them; attn_tokenizer_encode never does).
 * attn_tokenizer_load takes a path ending in ".gguf" too. */
ATTN_API attn_status attn_gguf_tokenizer(const attn_gguf *g, attn_tokenizer **out);

typedef struct attn_gguf_specials {
    int32_t bos, eos, unk, pad;   /* tokenizer.ggml.*_token_id, -1 when absent */
    bool add_bos, add_eos;        /* tokenizer.ggml.add_bos_token / add_eos_token (false when absent) */
} attn_gguf_specials;
ATTN_API attn_status attn_gguf_special_tokens(const attn_gguf *g, attn_gguf_specials *out);

/* tokenizer.chat_template (a Jinja template) as a NUL-terminated copy
 * (attn_free it), or *out NULL when the file has none. */
ATTN_API attn_status attn_gguf_chat_template(const attn_gguf *g, char **out);

#ifdef __cplusplus
}
#endif
#endif
