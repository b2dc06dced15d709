/* gguf_write.c — the GGUF v3 writer of include/attn/gguf.h (layout in
 * io/gguf.h), and the public wrappers of the tensor-type functions. */
#include "attn/gguf.h"

#include "core/core.h"
#include "io/gguf.h"
#include "io/gguf_quants.h"

#include <ctype.h>
#include <inttypes.h>

_Static_assert((int)ATTN_GGUF_UINT8 == GGUF_V_U8 && (int)ATTN_GGUF_FLOAT32 == GGUF_V_F32 &&
               (int)ATTN_GGUF_BOOL == GGUF_V_BOOL && (int)ATTN_GGUF_STRING == GGUF_V_STRING &&
               (int)ATTN_GGUF_ARRAY == GGUF_V_ARRAY && (int)ATTN_GGUF_FLOAT64 == GGUF_V_F64,
               "attn_gguf_vtype must equal GGUF's value type ids");

/* ggml keeps a tensor name in 64 bytes with its NUL */
#define GGML_MAX_NAME 64

/* ---- tensor types -------------------------------------------------------------- */

int32_t attn_gguf_type_from_name(const char *name) {
    if (!name) return -1;
    for (uint32_t id = 0; id < GGUF_T_ID_LIMIT; id++) {
        const char *n = gguf_type_name(id);
        if (!n || !gguf_type_supported(id)) continue;
        size_t k = 0;
        while (n[k] && name[k] && toupper((unsigned char)name[k]) == n[k]) k++;
        if (!n[k] && !name[k]) return (int32_t)id;
    }
    return -1;
}

uint64_t attn_gguf_type_bytes(uint32_t type, int64_t n) {
    uint64_t b;
    return gguf_type_bytes(type, n, &b) ? b : 0;
}

attn_status attn_gguf_quantize(uint32_t type, const float *src, void *dst, int64_t n) {
    return gguf_quantize(type, src, dst, n);
}

attn_status attn_gguf_dequantize(uint32_t type, const void *src, float *dst, int64_t n) {
    return gguf_dequantize(type, src, dst, n);
}

/* ---- the writer ------------------------------------------------------------------ */

typedef struct wtensor {
    char *name;
    uint32_t type;
    int ndim;
    int64_t ne[GGUF_MAX_DIMS];
    const void *data;
    void *owned;              /* quantized by the writer */
    uint64_t nbytes;
} wtensor;

struct attn_gguf_writer {
    uint32_t alignment;
    unsigned char *kv;        /* the key/value section, serialized */
    size_t kv_n, kv_cap;
    char **keys;
    int64_t n_kv, cap_keys;
    wtensor *t;
    int64_t n_t, cap_t;
    bool oom;
};

static void kv_put(attn_gguf_writer *w, const void *p, size_t n) {
    if (w->oom || n == 0) return;
    if (w->kv_cap - w->kv_n < n) {
        size_t cap = w->kv_cap ? w->kv_cap : 256;
        while (cap - w->kv_n < n) {
            if (cap > SIZE_MAX / 2) {
                w->oom = true;
                return;
            }
            cap *= 2;
        }
        unsigned char *q = attn_realloc(w->kv, cap);
        if (!q) {
            w->oom = true;
            return;
        }
        w->kv = q;
        w->kv_cap = cap;
    }
    memcpy(w->kv + w->kv_n, p, n);
    w->kv_n += n;
}

static void kv_le(attn_gguf_writer *w, uint64_t v, size_t n) {
    unsigned char b[8];
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(v >> (8 * i));
    kv_put(w, b, n);
}

static void kv_str(attn_gguf_writer *w, const char *s, size_t n) {
    kv_le(w, n, 8);
    kv_put(w, s, n);
}

static bool name_ok(const char *s) {
    size_t n = s ? strlen(s) : 0;
    return n > 0 && utf8_validate(s, n) == n;
}

attn_status attn_gguf_writer_new(uint32_t alignment, attn_gguf_writer **out) {
    if (!out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gguf_writer_new: out is NULL");
    *out = NULL;
    if (alignment & (alignment - 1))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF alignment %u is not a power of two", alignment);
    attn_gguf_writer *w = attn_calloc(1, sizeof *w);
    if (!w) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory for a GGUF writer");
    w->alignment = alignment ? alignment : GGUF_DEFAULT_ALIGNMENT;
    if (w->alignment != GGUF_DEFAULT_ALIGNMENT) {
        attn_status st = attn_gguf_writer_set(w, "general.alignment", ATTN_GGUF_UINT32, &w->alignment);
        if (st) {
            attn_gguf_writer_free(w);
            return st;
        }
    }
    *out = w;
    return ATTN_OK;
}

void attn_gguf_writer_free(attn_gguf_writer *w) {
    if (!w) return;
    for (int64_t i = 0; i < w->n_kv; i++) attn_free(w->keys[i]);
    for (int64_t i = 0; i < w->n_t; i++) {
        attn_free(w->t[i].name);
        attn_free(w->t[i].owned);
    }
    attn_free(w->keys);
    attn_free(w->t);
    attn_free(w->kv);
    attn_free(w);
}

/* Checks the key and records it; the caller then serializes the value. */
static attn_status begin_key(attn_gguf_writer *w, const char *key, attn_gguf_vtype type) {
    if (!w) return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF writer is NULL");
    if (!name_ok(key)) return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key is empty or not UTF-8");
    if ((unsigned)type >= GGUF_V_COUNT)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s': value type %d is not a GGUF type", key, (int)type);
    for (int64_t i = 0; i < w->n_kv; i++)
        if (strcmp(w->keys[i], key) == 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s' is set twice", key);
    if (w->n_kv == w->cap_keys) {
        int64_t cap = w->cap_keys ? w->cap_keys * 2 : 16;
        char **k = attn_realloc(w->keys, (size_t)cap * sizeof *k);
        if (!k) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory for GGUF key '%s'", key);
        w->keys = k;
        w->cap_keys = cap;
    }
    if (!(w->keys[w->n_kv] = attn_strdup(key)))
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory for GGUF key '%s'", key);
    w->n_kv++;
    kv_str(w, key, strlen(key));
    kv_le(w, (uint64_t)type, 4);
    return ATTN_OK;
}

static attn_status end_key(attn_gguf_writer *w, const char *key, size_t mark) {
    if (!w->oom) return ATTN_OK;
    w->kv_n = mark;   /* forget the half-written value and the key */
    w->oom = false;
    attn_free(w->keys[--w->n_kv]);
    return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory for GGUF key '%s'", key);
}

static void put_scalar(attn_gguf_writer *w, gguf_vtype type, const void *value) {
    switch (type) {
    case GGUF_V_U8: kv_le(w, *(const uint8_t *)value, 1); break;
    case GGUF_V_I8: kv_le(w, (uint8_t) * (const int8_t *)value, 1); break;
    case GGUF_V_U16: kv_le(w, *(const uint16_t *)value, 2); break;
    case GGUF_V_I16: kv_le(w, (uint16_t) * (const int16_t *)value, 2); break;
    case GGUF_V_U32: kv_le(w, *(const uint32_t *)value, 4); break;
    case GGUF_V_I32: kv_le(w, (uint32_t) * (const int32_t *)value, 4); break;
    case GGUF_V_U64: kv_le(w, *(const uint64_t *)value, 8); break;
    case GGUF_V_I64: kv_le(w, (uint64_t) * (const int64_t *)value, 8); break;
    case GGUF_V_BOOL: kv_le(w, *(const bool *)value ? 1 : 0, 1); break;
    case GGUF_V_F32: {
        uint32_t u;
        memcpy(&u, value, 4);
        kv_le(w, u, 4);
        break;
    }
    case GGUF_V_F64: {
        uint64_t u;
        memcpy(&u, value, 8);
        kv_le(w, u, 8);
        break;
    }
    default: break;
    }
}

/* C bytes of one element of a scalar type in a packed array. */
static size_t c_size(gguf_vtype t) { return t == GGUF_V_BOOL ? sizeof(bool) : gguf_vtype_size(t); }

static attn_status put_array(attn_gguf_writer *w, const char *key, gguf_vtype elem, const void *values, uint64_t n,
                             int depth) {
    if ((unsigned)elem >= GGUF_V_COUNT)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s': array element type %d is not a GGUF type", key,
                           (int)elem);
    if (depth >= GGUF_MAX_DEPTH)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s': arrays nested more than %d deep", key,
                           GGUF_MAX_DEPTH);
    if (n && !values) return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s': array values are NULL", key);
    kv_le(w, (uint64_t)elem, 4);
    kv_le(w, n, 8);
    for (uint64_t i = 0; i < n && !w->oom; i++) {
        if (elem == GGUF_V_STRING) {
            const char *s = ((const char *const *)values)[i];
            if (!s) return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s': string %" PRIu64 " is NULL", key, i);
            kv_str(w, s, strlen(s));
        } else if (elem == GGUF_V_ARRAY) {
            const attn_gguf_array *a = &((const attn_gguf_array *)values)[i];
            attn_status st = put_array(w, key, (gguf_vtype)a->elem, a->values, a->n, depth + 1);
            if (st) return st;
        } else {
            put_scalar(w, elem, (const unsigned char *)values + i * c_size(elem));
        }
    }
    return ATTN_OK;
}

attn_status attn_gguf_writer_set(attn_gguf_writer *w, const char *key, attn_gguf_vtype type, const void *value) {
    if (type == ATTN_GGUF_STRING || type == ATTN_GGUF_ARRAY)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s': attn_gguf_writer_set takes scalars; %s goes through "
                           "its own setter", key ? key : "", gguf_vtype_name((gguf_vtype)type));
    if (!value) return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s': value is NULL", key ? key : "");
    size_t mark = w ? w->kv_n : 0;
    attn_status st = begin_key(w, key, type);
    if (st) return st;
    put_scalar(w, (gguf_vtype)type, value);
    return end_key(w, key, mark);
}

attn_status attn_gguf_writer_set_string(attn_gguf_writer *w, const char *key, const char *s, size_t len) {
    if (!s && len) return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF key '%s': string is NULL", key ? key : "");
    size_t mark = w ? w->kv_n : 0;
    attn_status st = begin_key(w, key, ATTN_GGUF_STRING);
    if (st) return st;
    kv_str(w, s, len);
    return end_key(w, key, mark);
}

attn_status attn_gguf_writer_set_array(attn_gguf_writer *w, const char *key, attn_gguf_vtype elem,
                                       const void *values, uint64_t n) {
    size_t mark = w ? w->kv_n : 0;
    attn_status st = begin_key(w, key, ATTN_GGUF_ARRAY);
    if (st) return st;
    st = put_array(w, key, (gguf_vtype)elem, values, n, 0);
    if (st) {
        w->kv_n = mark;
        w->oom = false;
        attn_free(w->keys[--w->n_kv]);
        return st;
    }
    return end_key(w, key, mark);
}

static attn_status add_tensor(attn_gguf_writer *w, const char *name, uint32_t type, int32_t ndim, const int64_t *ne,
                              wtensor **out) {
    if (!w) return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF writer is NULL");
    if (!name_ok(name) || strlen(name) >= GGML_MAX_NAME)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor name '%.80s' is empty, not UTF-8 or %d bytes or longer",
                           name ? name : "", GGML_MAX_NAME);
    if (!gguf_type_supported(type))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s': type %u is not one attn writes", name, type);
    if (ndim < 1 || ndim > GGUF_MAX_DIMS || !ne)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s': %d dims (1 to %d)", name, ndim, GGUF_MAX_DIMS);
    for (int64_t i = 0; i < w->n_t; i++)
        if (strcmp(w->t[i].name, name) == 0)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s' is added twice", name);
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++)
        if (ne[d] < 0 || !i64_mul(numel, ne[d], &numel))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s': dim %d (%" PRId64 ") is negative or the size "
                               "overflows", name, d, ne[d]);
    if (ne[0] % gguf_type_block(type))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s': row length %" PRId64 " is not a multiple of %s's "
                           "block of %" PRId64, name, ne[0], gguf_type_name(type), gguf_type_block(type));
    uint64_t nbytes;
    if (!gguf_type_bytes(type, numel, &nbytes) || nbytes > SIZE_MAX / 2)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s': size overflows", name);
    if (w->n_t == w->cap_t) {
        int64_t cap = w->cap_t ? w->cap_t * 2 : 16;
        wtensor *t = attn_realloc(w->t, (size_t)cap * sizeof *t);
        if (!t) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory for GGUF tensor '%s'", name);
        w->t = t;
        w->cap_t = cap;
    }
    wtensor *t = &w->t[w->n_t];
    memset(t, 0, sizeof *t);
    if (!(t->name = attn_strdup(name))) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory for GGUF tensor '%s'", name);
    t->type = type;
    t->ndim = ndim;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) t->ne[d] = d < ndim ? ne[d] : 1;
    t->nbytes = nbytes;
    *out = t;
    return ATTN_OK;
}

attn_status attn_gguf_writer_add_tensor(attn_gguf_writer *w, const char *name, uint32_t type, int32_t ndim,
                                        const int64_t *ne, const void *data) {
    wtensor *t;
    attn_status st = add_tensor(w, name, type, ndim, ne, &t);
    if (st) return st;
    if (!data && t->nbytes) {
        attn_free(t->name);
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s': data is NULL", name);
    }
    t->data = data;
    w->n_t++;
    return ATTN_OK;
}

attn_status attn_gguf_writer_add_tensor_f32(attn_gguf_writer *w, const char *name, uint32_t type, int32_t ndim,
                                            const int64_t *ne, const float *values) {
    if (!gguf_can_quantize(type))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s': attn does not quantize to %s", name ? name : "",
                           gguf_type_name(type) ? gguf_type_name(type) : "an unknown type");
    wtensor *t;
    attn_status st = add_tensor(w, name, type, ndim, ne, &t);
    if (st) return st;
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++) numel *= ne[d];
    if (numel && !values) st = attn_errorf(ATTN_ERR_INVALID_ARG, "GGUF tensor '%s': values are NULL", name);
    else if (t->nbytes && !(t->owned = attn_malloc((size_t)t->nbytes)))
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory quantizing GGUF tensor '%s'", name);
    else st = gguf_quantize(type, values, t->owned, numel);
    if (st) {
        attn_free(t->name);
        attn_free(t->owned);
        return st;
    }
    t->data = t->owned;
    w->n_t++;
    return ATTN_OK;
}

static const unsigned char ZEROS[256];

static attn_status write_pad(atomic_file *af, uint64_t pos, uint32_t alignment) {
    uint64_t pad = (alignment - pos % alignment) % alignment;
    attn_status st = ATTN_OK;
    while (pad > 0 && st == ATTN_OK) {
        size_t k = pad < sizeof ZEROS ? (size_t)pad : sizeof ZEROS;
        st = atomic_file_write(af, ZEROS, k);
        pad -= k;
    }
    return st;
}

attn_status attn_gguf_writer_write(attn_gguf_writer *w, const char *path) {
    if (!w || !path) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gguf_writer_write: NULL argument");
    /* the header and tensor infos, serialized in memory */
    attn_gguf_writer h = { 0 };
    kv_put(&h, "GGUF", 4);
    kv_le(&h, 3, 4);
    kv_le(&h, (uint64_t)w->n_t, 8);
    kv_le(&h, (uint64_t)w->n_kv, 8);
    kv_put(&h, w->kv, w->kv_n);
    uint64_t off = 0, a = w->alignment;
    for (int64_t i = 0; i < w->n_t; i++) {
        const wtensor *t = &w->t[i];
        kv_str(&h, t->name, strlen(t->name));
        kv_le(&h, (uint64_t)t->ndim, 4);
        for (int d = 0; d < t->ndim; d++) kv_le(&h, (uint64_t)t->ne[d], 8);
        kv_le(&h, t->type, 4);
        kv_le(&h, off, 8);
        off += t->nbytes + (a - t->nbytes % a) % a;
    }
    if (h.oom) {
        attn_free(h.kv);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory writing %s", path);
    }
    atomic_file af;
    attn_status st = atomic_file_open(&af, path);
    if (st != ATTN_OK) {
        attn_free(h.kv);
        return st;
    }
    st = atomic_file_write(&af, h.kv, h.kv_n);
    if (st == ATTN_OK) st = write_pad(&af, h.kv_n, w->alignment);
    for (int64_t i = 0; i < w->n_t && st == ATTN_OK; i++) {
        const wtensor *t = &w->t[i];
        if (t->nbytes) st = atomic_file_write(&af, t->data, (size_t)t->nbytes);
        if (st == ATTN_OK) st = write_pad(&af, t->nbytes, w->alignment);
    }
    attn_free(h.kv);
    if (st == ATTN_OK) return atomic_file_commit(&af);
    atomic_file_abort(&af);
    return st;
}
