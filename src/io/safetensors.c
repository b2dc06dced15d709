/* safetensors.c — the safetensors reader (mmap + full header validation) and
 * the atomic writer. Format and contracts in safetensors.h.
 *
 * The reader treats the file as hostile: every header field is type-checked,
 * every offset is checked against the data area before a pointer is formed,
 * and no byte outside [0, file size) is ever touched. The header is copied
 * into a NUL-terminated buffer before cJSON sees it, so a parser that reads
 * one byte past the end of its input (cJSON < 1.7.18, CVE-2023-53154) stays
 * inside our allocation. Numbers in JSON come back from cJSON as doubles:
 * integers are accepted up to 2^53, which is more than any real file. */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "io/safetensors.h"

#include "core/core.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.c assumes a little-endian host (safetensors data is little-endian)"
#endif

/* Largest integer a double holds exactly; JSON numbers above it are refused. */
#define ST_MAX_JSON_INT 9007199254740992.0
/* Tensor names are cut to this many bytes in error messages. */
#define ST_NAME_IN_MSG 128

/* ========================================================================
 * dtypes
 * ======================================================================== */

static const struct { const char *name; size_t size; } DTYPES[] = {
    [ST_F32] = { "F32", 4 },  [ST_F16] = { "F16", 2 }, [ST_BF16] = { "BF16", 2 },
    [ST_F64] = { "F64", 8 },  [ST_I64] = { "I64", 8 }, [ST_I32] = { "I32", 4 },
    [ST_I16] = { "I16", 2 },  [ST_I8] = { "I8", 1 },   [ST_U8] = { "U8", 1 },
    [ST_BOOL] = { "BOOL", 1 },
};
_Static_assert(ARRAY_LEN(DTYPES) == ST_DTYPE_COUNT, "DTYPES must list every st_dtype");

size_t st_dtype_size(st_dtype d) {
    return (unsigned)d < ST_DTYPE_COUNT ? DTYPES[d].size : 0;
}

const char *st_dtype_name(st_dtype d) {
    return (unsigned)d < ST_DTYPE_COUNT ? DTYPES[d].name : "?";
}

static bool dtype_from_name(const char *s, st_dtype *out) {
    for (int i = 0; i < ST_DTYPE_COUNT; i++) {
        if (strcmp(s, DTYPES[i].name) == 0) {
            *out = (st_dtype)i;
            return true;
        }
    }
    return false;
}

/* "[2, 3]" into buf (cut short, never overflowing, if buf is small). */
static void format_shape(char *buf, size_t cap, const int64_t *shape, int ndim) {
    size_t k = 0;
    int w = snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && w >= 0; i++) {
        k += (size_t)w;
        if (k >= cap) return;
        w = snprintf(buf + k, cap - k, "%s%" PRId64, i ? ", " : "", shape[i]);
    }
    if (w < 0) return;
    k += (size_t)w;
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

/* ========================================================================
 * reading
 * ======================================================================== */

static uint64_t load_u64_le(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* A JSON number that is a non-negative integer no larger than 2^53. */
static bool json_uint(const cJSON *item, uint64_t *out) {
    if (!cJSON_IsNumber(item)) return false;
    double v = item->valuedouble;
    if (!isfinite(v) || v < 0.0 || v > ST_MAX_JSON_INT || v != floor(v)) return false;
    *out = (uint64_t)v;
    return true;
}

/* Parses one tensor entry of the header into *t (name already set).
 * data_base/data_size describe the data area inside the mapping. */
static attn_status parse_tensor(const char *path, const cJSON *entry, st_tensor *t,
                                const unsigned char *data_base, size_t data_size) {
    const char *nm = t->name;
    const int nl = ST_NAME_IN_MSG;
    if (!cJSON_IsObject(entry))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': header entry is not a JSON object", path, nl, nm);

    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(entry, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(entry, "shape");
    const cJSON *offsets = cJSON_GetObjectItemCaseSensitive(entry, "data_offsets");
    if (!dtype) return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': missing \"dtype\"", path, nl, nm);
    if (!shape) return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': missing \"shape\"", path, nl, nm);
    if (!offsets) return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': missing \"data_offsets\"", path, nl, nm);

    if (!cJSON_IsString(dtype))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': \"dtype\" is not a string", path, nl, nm);
    if (!dtype_from_name(dtype->valuestring, &t->dtype))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': unknown dtype \"%.32s\"", path, nl, nm,
                           dtype->valuestring);

    if (!cJSON_IsArray(shape))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': \"shape\" is not an array", path, nl, nm);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > ST_MAX_DIMS)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': shape has %d dims, more than %d", path, nl, nm,
                           ndim, ST_MAX_DIMS);
    t->ndim = ndim;
    int64_t numel = 1;
    bool overflow = false;
    int d = 0;
    for (const cJSON *dim = shape->child; dim; dim = dim->next, d++) {
        uint64_t v;
        if (!json_uint(dim, &v)) {
            if (cJSON_IsNumber(dim) && isfinite(dim->valuedouble) && dim->valuedouble > ST_MAX_JSON_INT &&
                dim->valuedouble == floor(dim->valuedouble))
                return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': shape dim %d (%g) is too large; size "
                                   "overflows", path, nl, nm, d, dim->valuedouble);
            if (cJSON_IsNumber(dim))
                return attn_errorf(ATTN_ERR_FORMAT,
                                   "%s: tensor '%.*s': shape dim %d (%g) is not a non-negative integer", path, nl,
                                   nm, d, dim->valuedouble);
            return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': shape dim %d is not a non-negative integer",
                               path, nl, nm, d);
        }
        t->shape[d] = (int64_t)v;
        if (!overflow && !i64_mul(numel, (int64_t)v, &numel)) overflow = true;
    }
    char shape_str[256];
    format_shape(shape_str, sizeof shape_str, t->shape, t->ndim);
    int64_t nbytes = 0;
    if (overflow || !i64_mul(numel, (int64_t)st_dtype_size(t->dtype), &nbytes) || (uint64_t)nbytes > SIZE_MAX)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': size of shape %s x %s overflows", path, nl, nm,
                           shape_str, st_dtype_name(t->dtype));
    t->numel = numel;
    t->nbytes = (size_t)nbytes;

    uint64_t begin = 0, end = 0;
    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': \"data_offsets\" is not [begin, end]", path, nl,
                           nm);
    const cJSON *jb = offsets->child, *je = jb->next;
    bool too_big = false;
    for (int i = 0; i < 2; i++) {
        const cJSON *j = i ? je : jb;
        uint64_t *dst = i ? &end : &begin;
        if (!json_uint(j, dst)) {
            /* a huge integer is a valid number that lies past any data area */
            if (cJSON_IsNumber(j) && isfinite(j->valuedouble) && j->valuedouble > ST_MAX_JSON_INT &&
                j->valuedouble == floor(j->valuedouble)) {
                too_big = true;
                *dst = UINT64_MAX;
                continue;
            }
            return attn_errorf(ATTN_ERR_FORMAT,
                               "%s: tensor '%.*s': \"data_offsets\" must be two non-negative integers [begin, end]",
                               path, nl, nm);
        }
    }
    if (!too_big && begin > end)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': data_offsets [%" PRIu64 ", %" PRIu64
                           "] are not [begin, end] with begin <= end", path, nl, nm, begin, end);
    if (too_big || end > data_size) {
        if (too_big)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': data_offsets out of range (data area is %zu bytes)",
                               path, nl, nm, data_size);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': data_offsets [%" PRIu64 ", %" PRIu64
                           "] out of range (data area is %zu bytes)", path, nl, nm, begin, end, data_size);
    }
    if (end - begin != (uint64_t)nbytes)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': shape %s needs %" PRId64
                           " bytes but offsets give %" PRIu64, path, nl, nm, shape_str, nbytes, end - begin);
    t->data = data_base + begin;
    return ATTN_OK;
}

static int cmp_tensor_name(const void *a, const void *b) {
    const st_tensor *x = *(const st_tensor *const *)a, *y = *(const st_tensor *const *)b;
    return strcmp(x->name, y->name);
}

static int cmp_tensor_data(const void *a, const void *b) {
    const st_tensor *x = *(const st_tensor *const *)a, *y = *(const st_tensor *const *)b;
    const char *px = x->data, *py = y->data;
    if (px != py) return px < py ? -1 : 1;
    return x->nbytes < y->nbytes ? -1 : x->nbytes > y->nbytes;
}

/* Duplicate names and overlapping byte ranges, found by sorting. Empty
 * tensors occupy no bytes and overlap nothing. */
static attn_status check_tensor_set(const char *path, st_file *f, const unsigned char *data_base) {
    if (f->n_tensors < 2) return ATTN_OK;
    const st_tensor **order = attn_calloc((size_t)f->n_tensors, sizeof *order);
    if (!order) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    size_t n = (size_t)f->n_tensors;
    for (size_t i = 0; i < n; i++) order[i] = &f->tensors[i];

    qsort(order, n, sizeof *order, cmp_tensor_name);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(order[i - 1]->name, order[i]->name) == 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: duplicate tensor name '%.*s' in header", path, ST_NAME_IN_MSG,
                             order[i]->name);
            goto done;
        }
    }

    qsort(order, n, sizeof *order, cmp_tensor_data);
    const st_tensor *prev = NULL;   /* the non-empty tensor reaching furthest so far */
    for (size_t i = 0; i < n; i++) {
        const st_tensor *t = order[i];
        if (t->nbytes == 0) continue;
        const unsigned char *b = t->data;
        if (prev && b < (const unsigned char *)prev->data + prev->nbytes) {
            size_t pb = (size_t)((const unsigned char *)prev->data - data_base);
            size_t tb = (size_t)(b - data_base);
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: tensors '%.*s' [%zu, %zu) and '%.*s' [%zu, %zu) overlap", path,
                             ST_NAME_IN_MSG, prev->name, pb, pb + prev->nbytes, ST_NAME_IN_MSG, t->name, tb,
                             tb + t->nbytes);
            goto done;
        }
        if (!prev || b + t->nbytes > (const unsigned char *)prev->data + prev->nbytes) prev = t;
    }
done:
    attn_free(order);
    return st;
}

static attn_status parse_metadata(const char *path, const cJSON *meta, st_file *f) {
    if (f->metadata_json)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"__metadata__\" appears twice in header", path);
    if (!cJSON_IsObject(meta))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"__metadata__\" is not a JSON object", path);
    for (const cJSON *kv = meta->child; kv; kv = kv->next) {
        if (!cJSON_IsString(kv))
            return attn_errorf(ATTN_ERR_FORMAT, "%s: \"__metadata__\" value of '%.*s' is not a string", path,
                               ST_NAME_IN_MSG, kv->string ? kv->string : "");
    }
    char *s = cJSON_PrintUnformatted(meta);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory serializing \"__metadata__\"", path);
    f->metadata_json = attn_strdup(s);
    cJSON_free(s);
    return f->metadata_json ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
}

static bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Validates the header of the mapped file and fills f->tensors. */
static attn_status parse_file(const char *path, st_file *f) {
    const unsigned char *base = f->map;
    size_t size = f->map_size;
    uint64_t hlen = load_u64_le(base);
    if (hlen > ST_MAX_HEADER_BYTES)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: header length %" PRIu64 " is absurd (over 100 MB); "
                           "not a safetensors file?", path, hlen);
    if (hlen > size - 8)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: header length %" PRIu64 " is larger than the file (%zu bytes "
                           "after the 8-byte length); truncated?", path, hlen, size - 8);
    const unsigned char *data_base = base + 8 + hlen;
    size_t data_size = size - 8 - (size_t)hlen;

    attn_status st = ATTN_OK;
    cJSON *root = NULL;
    char *text = attn_malloc((size_t)hlen + 1);
    if (!text) return ATTN_ERR_OUT_OF_MEMORY;
    memcpy(text, base + 8, (size_t)hlen);
    text[hlen] = 0;

    const char *end = NULL;
    unsigned long failures = alloc_failures();
    root = cJSON_ParseWithLengthOpts(text, (size_t)hlen, &end, 0);
    if (!root && alloc_failures() != failures) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory parsing the header", path);
        goto done;
    }
    if (!root) {
        long at = end ? (long)(end - text) : 0;
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: header is not valid JSON (error near byte %ld of %" PRIu64 ")",
                         path, at, hlen);
        goto done;
    }
    for (const char *p = end; p < text + hlen; p++) {
        if (!is_json_space(*p)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: header is not valid JSON (unexpected byte 0x%02x at byte %ld "
                             "after the value)", path, (unsigned)(unsigned char)*p, (long)(p - text));
            goto done;
        }
    }
    if (!cJSON_IsObject(root)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: header is JSON but not an object", path);
        goto done;
    }

    int64_t n = 0;
    for (const cJSON *e = root->child; e; e = e->next)
        if (strcmp(e->string, "__metadata__") != 0) n++;
    if (n > 0 && !(f->tensors = attn_calloc((size_t)n, sizeof *f->tensors))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (const cJSON *e = root->child; e; e = e->next) {
        if (strcmp(e->string, "__metadata__") == 0) {
            if ((st = parse_metadata(path, e, f)) != ATTN_OK) goto done;
            continue;
        }
        st_tensor *t = &f->tensors[f->n_tensors];
        if (!(t->name = attn_strdup(e->string))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto done;
        }
        f->n_tensors++;   /* counted now so that st_close frees the name */
        if ((st = parse_tensor(path, e, t, data_base, data_size)) != ATTN_OK) goto done;
    }
    st = check_tensor_set(path, f, data_base);
done:
    cJSON_Delete(root);
    attn_free(text);
    return st;
}

attn_status st_open(const char *path, st_file **out) {
    if (!out) return attn_errorf(ATTN_ERR_INVALID_ARG, "st_open: out is NULL");
    *out = NULL;
    if (!path) return attn_errorf(ATTN_ERR_INVALID_ARG, "st_open: path is NULL");

    int fd;
    uint64_t fsize;
    attn_status ost = file_open_regular(path, &fd, &fsize);
    if (ost != ATTN_OK) return ost;
    if (fsize < 8) {
        close(fd);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: file is %llu bytes, shorter than the 8-byte header length; "
                           "not a safetensors file", path, (unsigned long long)fsize);
    }
    if (fsize > SIZE_MAX) {
        close(fd);
        return attn_errorf(ATTN_ERR_IO, "%s: file too large to map", path);
    }
    size_t size = (size_t)fsize;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED)
        return attn_errorf(ATTN_ERR_IO, "cannot mmap %s (%zu bytes): %s", path, size, strerror(map_errno));

    st_file *f = attn_calloc(1, sizeof *f);
    if (!f) {
        munmap(map, size);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    f->map = map;
    f->map_size = size;
    attn_status st = parse_file(path, f);
    if (st != ATTN_OK) {
        st_close(f);
        return st;
    }
    *out = f;
    return ATTN_OK;
}

const st_tensor *st_find(const st_file *f, const char *name) {
    if (!f || !name) return NULL;
    for (int64_t i = 0; i < f->n_tensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return &f->tensors[i];
    return NULL;
}

void st_close(st_file *f) {
    if (!f) return;
    for (int64_t i = 0; i < f->n_tensors; i++) attn_free(f->tensors[i].name);
    attn_free(f->tensors);
    attn_free(f->metadata_json);
    if (f->map) munmap(f->map, f->map_size);
    attn_free(f);
}

void st_release(const st_file *f, const st_tensor *t) {
    if (f && t) map_release(t->data, t->nbytes);
}

/* ========================================================================
 * conversion
 * ======================================================================== */

static float f32_from_bits(uint32_t bits) {
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* IEEE binary16 -> binary32, exact for every input (subnormals, inf, NaN). */
static float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0x1f) return f32_from_bits(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        if (man == 0) return f32_from_bits(sign);
        exp = 127 - 15 + 1;   /* subnormal: shift the leading 1 into the implicit bit */
        while (!(man & 0x400u)) {
            man <<= 1;
            exp--;
        }
        return f32_from_bits(sign | (exp << 23) | ((man & 0x3ffu) << 13));
    }
    return f32_from_bits(sign | ((exp + 127 - 15) << 23) | (man << 13));
}

/* The caller checks t and the element count the same way for both readers. */
static attn_status check_read(const st_tensor *t, const void *out, int64_t numel) {
    if (!t) return attn_errorf(ATTN_ERR_INVALID_ARG, "st_read: tensor is NULL");
    if (numel != t->numel)
        return attn_errorf(ATTN_ERR_FORMAT, "tensor '%.*s': has %" PRId64 " elements (shape of %d dims), caller "
                           "expects %" PRId64, ST_NAME_IN_MSG, t->name, t->numel, t->ndim, numel);
    if (!out && numel > 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "tensor '%.*s': output buffer is NULL", ST_NAME_IN_MSG, t->name);
    return ATTN_OK;
}

attn_status st_read_f32(const st_tensor *t, float *out, int64_t numel) {
    if (t && t->dtype != ST_F32 && t->dtype != ST_F16 && t->dtype != ST_BF16 && t->dtype != ST_F64)
        return attn_errorf(ATTN_ERR_FORMAT, "tensor '%.*s': dtype %s is not a float type (F32/F16/BF16/F64)",
                           ST_NAME_IN_MSG, t->name, st_dtype_name(t->dtype));
    attn_status st = check_read(t, out, numel);
    if (st) return st;
    const unsigned char *p = t->data;
    size_t n = (size_t)numel;
    switch (t->dtype) {
    case ST_F32:
        if (n) memcpy(out, p, n * sizeof(float));
        break;
    case ST_F16:
        for (size_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            out[i] = f16_to_f32(h);
        }
        break;
    case ST_BF16:
        for (size_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            out[i] = f32_from_bits((uint32_t)h << 16);
        }
        break;
    case ST_F64:
        for (size_t i = 0; i < n; i++) {
            double v;
            memcpy(&v, p + 8 * i, 8);
            /* out-of-range double -> float is undefined in ISO C: saturate to inf ourselves */
            out[i] = v > (double)FLT_MAX ? INFINITY : v < -(double)FLT_MAX ? -INFINITY : (float)v;
        }
        break;
    default: break;
    }
    return ATTN_OK;
}

attn_status st_read_i32(const st_tensor *t, int32_t *out, int64_t numel) {
    if (t && t->dtype != ST_I64 && t->dtype != ST_I32 && t->dtype != ST_I16 && t->dtype != ST_I8 &&
        t->dtype != ST_U8)
        return attn_errorf(ATTN_ERR_FORMAT, "tensor '%.*s': dtype %s is not an integer type (I64/I32/I16/I8/U8)",
                           ST_NAME_IN_MSG, t->name, st_dtype_name(t->dtype));
    attn_status st = check_read(t, out, numel);
    if (st) return st;
    const unsigned char *p = t->data;
    size_t n = (size_t)numel;
    switch (t->dtype) {
    case ST_I64:
        for (size_t i = 0; i < n; i++) {
            int64_t v;
            memcpy(&v, p + 8 * i, 8);
            if (v < INT32_MIN || v > INT32_MAX)
                return attn_errorf(ATTN_ERR_FORMAT, "tensor '%.*s': element %zu = %" PRId64
                                   " does not fit in int32", ST_NAME_IN_MSG, t->name, i, v);
            out[i] = (int32_t)v;
        }
        break;
    case ST_I32:
        if (n) memcpy(out, p, n * sizeof(int32_t));
        break;
    case ST_I16:
        for (size_t i = 0; i < n; i++) {
            int16_t v;
            memcpy(&v, p + 2 * i, 2);
            out[i] = v;
        }
        break;
    case ST_I8:
        for (size_t i = 0; i < n; i++) out[i] = (int8_t)p[i];
        break;
    case ST_U8:
        for (size_t i = 0; i < n; i++) out[i] = p[i];
        break;
    default: break;
    }
    return ATTN_OK;
}

/* ========================================================================
 * writing
 * ======================================================================== */

/* A growing NUL-terminated string; `failed` sticks after an allocation fails. */
typedef struct strbuf { char *p; size_t len, cap; bool failed; } strbuf;

static void sb_put(strbuf *b, const char *s, size_t n) {
    if (b->failed) return;
    if (n >= SIZE_MAX / 2 - b->len) {
        b->failed = true;
        attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "safetensors header too large");
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1) cap *= 2;
        char *np = attn_realloc(b->p, cap);
        if (!np) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_puts(strbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_u64(strbuf *b, uint64_t v) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    sb_puts(b, tmp);
}

/* s as a JSON string literal; s is valid UTF-8 (checked by the caller). */
static void sb_json_string(strbuf *b, const char *s) {
    sb_put(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c != '"' && c != '\\' && c >= 0x20) continue;
        sb_put(b, run, (size_t)(p - run));
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            esc[2] = 0;
        } else {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)c);
        }
        sb_puts(b, esc);
        run = p + 1;
    }
    sb_puts(b, run);
    sb_put(b, "\"", 1);
}

static bool valid_utf8(const char *s) {
    size_t n = strlen(s);
    return utf8_validate(s, n) == n;
}

static int cmp_cstr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Argument checks for st_write; fills nbytes[i] for every entry. */
static attn_status check_entries(const char *path, const st_entry *entries, int64_t n,
                                 const char *const *metadata, size_t *nbytes) {
    for (int64_t i = 0; i < n; i++) {
        const st_entry *e = &entries[i];
        if (!e->name) return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: entry %" PRId64 " has no name", path, i);
        const char *nm = e->name;
        const int nl = ST_NAME_IN_MSG;
        if (!valid_utf8(nm))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: entry %" PRId64 ": name is not valid UTF-8",
                               path, i);
        if (strcmp(nm, "__metadata__") == 0)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: \"__metadata__\" is reserved, not a tensor name",
                               path);
        if ((unsigned)e->dtype >= ST_DTYPE_COUNT)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: tensor '%.*s': invalid dtype %d", path, nl, nm,
                               (int)e->dtype);
        if (e->ndim < 0 || e->ndim > ST_MAX_DIMS || (e->ndim > 0 && !e->shape))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: tensor '%.*s': ndim %d not in 0..%d (or shape "
                               "NULL)", path, nl, nm, e->ndim, ST_MAX_DIMS);
        int64_t numel = 1, bytes = 0;
        for (int d = 0; d < e->ndim; d++) {
            if (e->shape[d] < 0 || (double)e->shape[d] > ST_MAX_JSON_INT)
                return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: tensor '%.*s': dim %d is %" PRId64, path, nl,
                                   nm, d, e->shape[d]);
            if (!i64_mul(numel, e->shape[d], &numel))
                return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: tensor '%.*s': size overflows", path, nl, nm);
        }
        if (!i64_mul(numel, (int64_t)st_dtype_size(e->dtype), &bytes) || (uint64_t)bytes > SIZE_MAX)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: tensor '%.*s': size overflows", path, nl, nm);
        if (bytes > 0 && !e->data)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: tensor '%.*s': data is NULL", path, nl, nm);
        nbytes[i] = (size_t)bytes;
    }
    for (size_t i = 0; metadata && metadata[i]; i += 2) {
        if (!metadata[i + 1])
            return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: metadata key '%.*s' has no value (the list must "
                               "be key, value pairs ending in NULL)", path, ST_NAME_IN_MSG, metadata[i]);
        if (!valid_utf8(metadata[i]) || !valid_utf8(metadata[i + 1]))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: metadata entry %zu is not valid UTF-8", path, i / 2);
    }

    if (n < 2) return ATTN_OK;
    const char **names = attn_calloc((size_t)n, sizeof *names);
    if (!names) return ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t i = 0; i < n; i++) names[i] = entries[i].name;
    qsort(names, (size_t)n, sizeof *names, cmp_cstr);
    attn_status st = ATTN_OK;
    for (int64_t i = 1; i < n && !st; i++)
        if (strcmp(names[i - 1], names[i]) == 0)
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: duplicate tensor name '%.*s'", path, ST_NAME_IN_MSG,
                             names[i]);
    attn_free(names);
    return st;
}

attn_status st_write(const char *path, const st_entry *entries, int64_t n, const char *const *metadata) {
    if (!path) return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write: path is NULL");
    if (n < 0 || (n > 0 && !entries) || (uint64_t)n > SIZE_MAX / sizeof(size_t))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: bad tensor count %" PRId64, path, n);
    attn_status st = ATTN_OK;
    strbuf hdr = { 0 };
    size_t *nbytes = attn_calloc(n ? (size_t)n : 1, sizeof *nbytes);
    if (!nbytes) return ATTN_ERR_OUT_OF_MEMORY;
    if ((st = check_entries(path, entries, n, metadata, nbytes)) != ATTN_OK) goto done;

    sb_put(&hdr, "{", 1);
    bool first = true;
    if (metadata && metadata[0]) {
        sb_puts(&hdr, "\"__metadata__\":{");
        for (size_t i = 0; metadata[i]; i += 2) {
            if (i) sb_put(&hdr, ",", 1);
            sb_json_string(&hdr, metadata[i]);
            sb_put(&hdr, ":", 1);
            sb_json_string(&hdr, metadata[i + 1]);
        }
        sb_put(&hdr, "}", 1);
        first = false;
    }
    uint64_t offset = 0;
    for (int64_t i = 0; i < n; i++) {
        const st_entry *e = &entries[i];
        if (!first) sb_put(&hdr, ",", 1);
        first = false;
        sb_json_string(&hdr, e->name);
        sb_puts(&hdr, ":{\"dtype\":\"");
        sb_puts(&hdr, st_dtype_name(e->dtype));
        sb_puts(&hdr, "\",\"shape\":[");
        for (int d = 0; d < e->ndim; d++) {
            if (d) sb_put(&hdr, ",", 1);
            sb_u64(&hdr, (uint64_t)e->shape[d]);
        }
        sb_puts(&hdr, "],\"data_offsets\":[");
        sb_u64(&hdr, offset);
        sb_put(&hdr, ",", 1);
        if (nbytes[i] > UINT64_MAX - offset) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "st_write %s: total tensor size overflows", path);
            goto done;
        }
        offset += nbytes[i];
        sb_u64(&hdr, offset);
        sb_puts(&hdr, "]}");
    }
    sb_put(&hdr, "}", 1);
    while (!hdr.failed && hdr.len % 8 != 0) sb_put(&hdr, " ", 1);
    if (hdr.failed) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }

    unsigned char len_le[8];
    for (int i = 0; i < 8; i++) len_le[i] = (unsigned char)((uint64_t)hdr.len >> (8 * i));
    atomic_file af;
    if ((st = atomic_file_open(&af, path)) != ATTN_OK) goto done;
    st = atomic_file_write(&af, len_le, sizeof len_le);
    if (!st) st = atomic_file_write(&af, hdr.p, hdr.len);
    for (int64_t i = 0; i < n && !st; i++) st = atomic_file_write(&af, entries[i].data, nbytes[i]);
    if (st) {
        atomic_file_abort(&af);
        goto done;
    }
    st = atomic_file_commit(&af);
done:
    attn_free(hdr.p);
    attn_free(nbytes);
    return st;
}

static void shape_str(char *buf, size_t n, const int64_t *shape, int ndim) {
    size_t k = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < ndim && k < n; i++) k += (size_t)snprintf(buf + k, n - k, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (k < n) snprintf(buf + k, n - k, "]");
}

attn_status st_check_shape(const st_tensor *t, int ndim, const int64_t *shape, const char *path) {
    bool ok = t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == shape[i];
    if (ok) return ATTN_OK;
    char a[160], b[160];
    shape_str(a, sizeof a, t->shape, t->ndim);
    shape_str(b, sizeof b, shape, ndim);
    return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor \"%s\" has shape %s but config.json implies %s", path, t->name, a, b);
}
