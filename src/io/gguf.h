/* gguf.h — read (via mmap) GGUF files, ggml's single-file model format.
 * Internal to libattn; cli/ uses include/attn/gguf.h. The tensor types and
 * their dequantization are in gguf_quants.h, the writer in gguf_write.c.
 *
 * File layout (versions 2 and 3 are the same; version 1, with 32-bit counts,
 * is refused), all integers little-endian:
 *
 *   magic "GGUF", version u32, tensor count u64, key/value count u64
 *   key/values: key (string), value type u32, value
 *   tensor infos: name (string), n_dims u32 (<= 4), ne[n_dims] u64
 *                 (ne[0] is the row length: ggml's order, the reverse of
 *                 numpy's shape), type u32 (ggml_type), offset u64
 *   padding to general.alignment (a u32 power of two; 32 when absent)
 *   data section: each tensor at its offset from the section's start, a
 *                 multiple of the alignment
 *
 * A string is a u64 byte count and that many bytes (no NUL). A value type
 * is one of gguf_vtype; an array is an element type u32, a count u64 and the
 * elements (arrays of strings and nested arrays included).
 *
 * The reader treats the file as hostile: every count and length is checked
 * against the bytes left before anything is allocated or read, sizes are
 * computed with overflow checks, tensor data must lie inside the file at an
 * aligned offset without overlapping another tensor, keys and tensor names
 * are unique, non-empty valid UTF-8 without NUL, and an unknown value type or
 * a tensor type attn does not read is refused by name. Arrays nest at most
 * GGUF_MAX_DEPTH deep. The message of every failure names the file and what
 * is wrong (the key or tensor, the offset). */
#ifndef ATTN_IO_GGUF_H
#define ATTN_IO_GGUF_H

#include "attn/attn.h"
#include "io/gguf_quants.h"

typedef enum gguf_vtype {
    GGUF_V_U8 = 0, GGUF_V_I8 = 1, GGUF_V_U16 = 2, GGUF_V_I16 = 3, GGUF_V_U32 = 4, GGUF_V_I32 = 5,
    GGUF_V_F32 = 6, GGUF_V_BOOL = 7, GGUF_V_STRING = 8, GGUF_V_ARRAY = 9, GGUF_V_U64 = 10,
    GGUF_V_I64 = 11, GGUF_V_F64 = 12,
    GGUF_V_COUNT
} gguf_vtype;

#define GGUF_MAX_DIMS 4
#define GGUF_MAX_DEPTH 8
#define GGUF_DEFAULT_ALIGNMENT 32

/* "UINT32", "STRING", ... as gguf-py names them; "?" for an invalid type. */
const char *gguf_vtype_name(gguf_vtype t);
/* Bytes of one scalar of type t; 0 for STRING, ARRAY or an invalid type. */
size_t gguf_vtype_size(gguf_vtype t);

/* Bytes that live in the mapped file (not NUL-terminated). */
typedef struct gguf_str {
    const char *p;
    uint64_t n;
} gguf_str;

typedef struct gguf_value {
    gguf_vtype type;
    union {
        uint64_t u;           /* U8, U16, U32, U64 */
        int64_t i;            /* I8, I16, I32, I64 */
        double f;             /* F32 (exactly), F64 */
        bool b;               /* BOOL */
        gguf_str s;           /* STRING */
        struct {
            gguf_vtype elem;  /* element type */
            uint64_t n;       /* element count */
            const unsigned char *raw;   /* scalar elements: n * size bytes in the file */
            struct gguf_value *items;   /* STRING / ARRAY elements: n values; else NULL */
        } arr;
    };
} gguf_value;

typedef struct gguf_kv {
    char *key;                /* NUL-terminated copy */
    gguf_value v;
} gguf_kv;

typedef struct gguf_tensor {
    char *name;               /* NUL-terminated copy */
    uint32_t type;            /* gguf_ttype */
    int ndim;                 /* 0..4 */
    int64_t ne[GGUF_MAX_DIMS];   /* ggml order: ne[0] varies fastest; 1 past ndim */
    int64_t numel;
    uint64_t offset;          /* from the start of the data section */
    const void *data;         /* in the mapping (aligned as the file says) */
    size_t nbytes;
} gguf_tensor;

typedef struct attn_gguf {
    char *path;
    uint32_t version;
    uint32_t alignment;
    int64_t n_kv, n_tensors;
    gguf_kv *kv;              /* in file order */
    gguf_tensor *tensors;     /* in file order */
    gguf_kv **kv_sorted;      /* by key, for lookups */
    gguf_tensor **t_sorted;   /* by name */
    size_t data_offset;       /* start of the data section in the file */
    const unsigned char *base;
    size_t size;
    void *map;                /* the mapping to unmap (NULL for gguf_open_memory) */
    size_t map_size;
} gguf_file;

/* Maps `path` read-only and validates everything but the tensor values.
 * Tensor data stays valid until gguf_close. Errors: ATTN_ERR_IO (open, map),
 * ATTN_ERR_FORMAT (the message names the path and the problem),
 * ATTN_ERR_UNSUPPORTED (a valid file with a version, or a tensor type, attn
 * does not read), ATTN_ERR_OUT_OF_MEMORY. *out is NULL on failure. */
attn_status gguf_open(const char *path, gguf_file **out);
/* The same over size bytes at data, which must outlive the result; `name`
 * stands for the path in messages. */
attn_status gguf_open_memory(const void *data, size_t size, const char *name, gguf_file **out);
void gguf_close(gguf_file *f);   /* NULL is a no-op */

/* The key/value or tensor with this name, NULL if none (no error set). */
const gguf_kv *gguf_find(const gguf_file *f, const char *key);
const gguf_tensor *gguf_find_tensor(const gguf_file *f, const char *name);

/* Typed reads of a key. Each fails with ATTN_ERR_FORMAT naming the file and
 * the key when it is missing, of another type, or out of the range asked:
 * the integer reads take any integer type whose value fits, gguf_get_f32
 * F32 or F64 (rounded), gguf_get_bool only BOOL, gguf_get_string only
 * STRING (the bytes stay in the file: not NUL-terminated), gguf_get_array
 * an ARRAY whose element type is elem (or any when elem is GGUF_V_COUNT). */
attn_status gguf_get_u32(const gguf_file *f, const char *key, uint32_t *out);
attn_status gguf_get_i32(const gguf_file *f, const char *key, int32_t *out);
attn_status gguf_get_u64(const gguf_file *f, const char *key, uint64_t *out);
attn_status gguf_get_f32(const gguf_file *f, const char *key, float *out);
attn_status gguf_get_bool(const gguf_file *f, const char *key, bool *out);
attn_status gguf_get_string(const gguf_file *f, const char *key, gguf_str *out);
/* As gguf_get_string, into a NUL-terminated copy (attn_free it); refused if
 * the string holds a NUL byte. */
attn_status gguf_get_cstring(const gguf_file *f, const char *key, char **out);
attn_status gguf_get_array(const gguf_file *f, const char *key, gguf_vtype elem, const gguf_value **out);

/* Element i (< a->arr.n) of an array: an integer element as int64 (false
 * for a U64 above INT64_MAX or a non-integer type), a float or integer one
 * as double, a string, a nested array or string as a value. */
bool gguf_arr_i64(const gguf_value *a, uint64_t i, int64_t *out);
bool gguf_arr_f64(const gguf_value *a, uint64_t i, double *out);
gguf_str gguf_arr_str(const gguf_value *a, uint64_t i);
/* Any element as a scalar value (items[i] for strings and arrays). */
gguf_value gguf_arr_get(const gguf_value *a, uint64_t i);

/* The tensor's values as fp32 into out[numel] (exact for F32/F16/BF16,
 * dequantized for the block types). */
attn_status gguf_tensor_f32(const gguf_file *f, const gguf_tensor *t, float *out, int64_t numel);

#endif
