/* safetensors.h — read (via mmap) and write the Hugging Face safetensors
 * format. Internal to libattn; cli/ must not include it.
 *
 * File layout (https://github.com/huggingface/safetensors), all integers
 * little-endian:
 *
 *   bytes [0, 8)          N: u64, length of the JSON header
 *   bytes [8, 8+N)        header: UTF-8 JSON object, may end in spaces
 *   bytes [8+N, EOF)      data area: raw tensor bytes, row-major, little-endian
 *
 * The header maps each tensor name to
 *   {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
 * with offsets relative to the start of the data area, and may hold one
 * "__metadata__" object of string -> string pairs. Shape [] is a scalar
 * (numel 1); a zero dim gives an empty tensor (begin == end).
 *
 * What this module does not do: big-endian hosts (bytes are taken as they
 * lie), lazy or partial reads, F8 / U16..U64 / complex dtypes (rejected as
 * unknown), tensors split across several files (model.safetensors.index.json
 * is the caller's job). */
#ifndef ATTN_IO_SAFETENSORS_H
#define ATTN_IO_SAFETENSORS_H

#include "attn/attn.h"

typedef enum st_dtype {
    ST_F32, ST_F16, ST_BF16, ST_F64, ST_I64, ST_I32, ST_I16, ST_I8, ST_U8, ST_BOOL,
    ST_DTYPE_COUNT
} st_dtype;

#define ST_MAX_DIMS 8
/* A header longer than this is rejected as absurd (real ones are < 1 MB). */
#define ST_MAX_HEADER_BYTES ((uint64_t)100 * 1000 * 1000)

/* Bytes per element (BOOL is one byte); 0 for an invalid dtype. */
size_t st_dtype_size(st_dtype d);
/* Name as spelled in the format ("F32", "BF16", "BOOL", ...); "?" if invalid. */
const char *st_dtype_name(st_dtype d);

typedef struct st_tensor {
    char *name;
    st_dtype dtype;
    int ndim;                 /* 0..8 */
    int64_t shape[8];         /* shape[ndim..7] are 0 */
    int64_t numel;            /* product of shape; 1 for a scalar */
    const void *data;         /* points into the mapped file; NOT necessarily
                                 aligned to the element size */
    size_t nbytes;            /* numel * st_dtype_size(dtype) */
} st_tensor;

typedef struct st_file {
    int64_t n_tensors;
    st_tensor *tensors;       /* in header order */
    char *metadata_json;      /* the "__metadata__" object serialized, or NULL */
    void *map; size_t map_size;   /* mmap of the whole file (read-only) */
} st_file;

/* Maps `path` read-only and validates the whole header: types of every
 * field, known dtypes, shapes (ndim <= 8, dims non-negative integers, no
 * size overflow), offsets inside the data area and matching the shape, no
 * overlapping tensors, no duplicate names. Tensor data is not read. On
 * success *out owns the mapping; free with st_close(). Every tensor's data
 * stays valid until then. Errors: ATTN_ERR_IO (open/stat/mmap failed),
 * ATTN_ERR_FORMAT (bad content; the message names the path and the
 * tensor), ATTN_ERR_OUT_OF_MEMORY. *out is NULL on failure. */
attn_status st_open(const char *path, st_file **out);

/* The tensor called `name`, or NULL if there is none (no error recorded).
 * Linear search. */
const st_tensor *st_find(const st_file *f, const char *name);

/* Unmaps and frees. NULL is a no-op. */
void st_close(st_file *f);

/* Drops the mapping's resident pages that lie wholly inside t's bytes (a
 * tensor read and no longer needed): the process's resident size no longer
 * counts them, the page cache keeps the file, and t->data stays readable
 * (a later read faults the pages in again). */
void st_release(const st_file *f, const st_tensor *t);

/* Copies a F32/F16/BF16/F64 tensor into out[numel] as float32 (F16/BF16
 * exactly, F64 rounded). ATTN_ERR_FORMAT naming the tensor if its dtype is
 * not a float type or its numel differs from `numel`. */
attn_status st_read_f32(const st_tensor *t, float *out, int64_t numel);

/* ATTN_ERR_FORMAT "path: tensor "name" has shape [..] but config.json
 * implies [..]" unless t has exactly ndim dims of these sizes. */
attn_status st_check_shape(const st_tensor *t, int ndim, const int64_t *shape, const char *path);

/* Copies an I64/I32/I16/I8/U8 tensor into out[numel] as int32.
 * ATTN_ERR_FORMAT naming the tensor for another dtype, a numel mismatch, or
 * a value outside the int32 range. */
attn_status st_read_i32(const st_tensor *t, int32_t *out, int64_t numel);

/* One tensor to write; `data` holds numel * st_dtype_size(dtype) bytes in
 * row-major order (may be NULL when that is 0). */
typedef struct st_entry {
    const char *name;
    st_dtype dtype;
    int ndim;
    const int64_t *shape;     /* ndim dims; may be NULL when ndim == 0 */
    const void *data;
} st_entry;

/* Writes a safetensors file atomically (temp file + fsync + rename).
 * metadata: NULL, or pairs of strings (key, value, key, value, ..., NULL)
 * written as "__metadata__". Header padded with spaces to a multiple of 8 as
 * the Python writer does. Tensors written in the given order, contiguous.
 * ATTN_ERR_INVALID_ARG for a NULL/duplicate/"__metadata__" name, a bad
 * dtype, ndim or dim, names or metadata that are not valid UTF-8, or an odd
 * metadata list; ATTN_ERR_IO if writing fails (the old file is kept). */
attn_status st_write(const char *path, const st_entry *entries, int64_t n, const char *const *metadata);

#endif
