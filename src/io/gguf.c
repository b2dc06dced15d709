/* gguf.c — the GGUF reader: parse and validate a mapped file. Format and
 * contracts in gguf.h. No byte outside [0, size) is ever read: every read
 * goes through a cursor that checks the bytes left first. */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "io/gguf.h"

#include "core/core.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "gguf.c assumes a little-endian host (GGUF data is little-endian)"
#endif

/* Names and keys are cut to this many bytes in messages. */
#define NM 96

static const struct { const char *name; size_t size; } VTYPES[GGUF_V_COUNT] = {
    [GGUF_V_U8] = { "UINT8", 1 },   [GGUF_V_I8] = { "INT8", 1 },     [GGUF_V_U16] = { "UINT16", 2 },
    [GGUF_V_I16] = { "INT16", 2 },  [GGUF_V_U32] = { "UINT32", 4 },  [GGUF_V_I32] = { "INT32", 4 },
    [GGUF_V_F32] = { "FLOAT32", 4 }, [GGUF_V_BOOL] = { "BOOL", 1 },  [GGUF_V_STRING] = { "STRING", 0 },
    [GGUF_V_ARRAY] = { "ARRAY", 0 }, [GGUF_V_U64] = { "UINT64", 8 }, [GGUF_V_I64] = { "INT64", 8 },
    [GGUF_V_F64] = { "FLOAT64", 8 },
};

const char *gguf_vtype_name(gguf_vtype t) { return (unsigned)t < GGUF_V_COUNT ? VTYPES[t].name : "?"; }
size_t gguf_vtype_size(gguf_vtype t) { return (unsigned)t < GGUF_V_COUNT ? VTYPES[t].size : 0; }

static bool vtype_int(gguf_vtype t) {
    return t == GGUF_V_U8 || t == GGUF_V_I8 || t == GGUF_V_U16 || t == GGUF_V_I16 || t == GGUF_V_U32 ||
           t == GGUF_V_I32 || t == GGUF_V_U64 || t == GGUF_V_I64;
}
static bool vtype_signed(gguf_vtype t) {
    return t == GGUF_V_I8 || t == GGUF_V_I16 || t == GGUF_V_I32 || t == GGUF_V_I64;
}

/* ========================================================================
 * the cursor
 * ======================================================================== */

typedef struct cursor {
    const unsigned char *base;
    size_t size, pos;
    const char *path;
    char where[160];          /* "key 'x'" / "tensor 3 'w'": the context of a message */
} cursor;

static uint64_t le(const unsigned char *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

static attn_status truncated(cursor *c, const char *what, uint64_t need) {
    return attn_errorf(ATTN_ERR_FORMAT, "%s: %s%s%s at offset %zu needs %" PRIu64 " bytes but the file has %zu "
                       "left (truncated?)", c->path, c->where, c->where[0] ? ": " : "", what, c->pos, need,
                       c->size - c->pos);
}

static attn_status rd(cursor *c, size_t n, const char *what, uint64_t *out) {
    *out = 0;
    if (c->size - c->pos < n) return truncated(c, what, n);
    *out = le(c->base + c->pos, n);
    c->pos += n;
    return ATTN_OK;
}

static attn_status rd_str(cursor *c, const char *what, gguf_str *out) {
    size_t at = c->pos;
    uint64_t n;
    attn_status st = rd(c, 8, what, &n);
    if (st) return st;
    if (n > c->size - c->pos)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s%s%s at offset %zu has length %" PRIu64 " but the file has %zu "
                           "bytes left", c->path, c->where, c->where[0] ? ": " : "", what, at, n, c->size - c->pos);
    out->p = (const char *)c->base + c->pos;
    out->n = n;
    c->pos += (size_t)n;
    return ATTN_OK;
}

/* A name (key or tensor name) as a NUL-terminated copy: non-empty valid
 * UTF-8 without NUL. */
static attn_status name_copy(cursor *c, const char *what, char **out) {
    gguf_str s = { NULL, 0 };
    size_t at = c->pos + 8;
    attn_status st = rd_str(c, what, &s);
    if (st) return st;
    if (s.n == 0) return attn_errorf(ATTN_ERR_FORMAT, "%s: %s%s%s at offset %zu is empty", c->path, c->where,
                                     c->where[0] ? ": " : "", what, at);
    if (memchr(s.p, 0, (size_t)s.n) || utf8_validate(s.p, (size_t)s.n) != s.n)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s%s%s at offset %zu is not UTF-8 text without NUL bytes",
                           c->path, c->where, c->where[0] ? ": " : "", what, at);
    char *p = attn_malloc((size_t)s.n + 1);
    if (!p) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", c->path);
    memcpy(p, s.p, (size_t)s.n);
    p[s.n] = 0;
    *out = p;
    return ATTN_OK;
}

/* ========================================================================
 * values
 * ======================================================================== */

static void value_free(gguf_value *v) {
    if (v->type != GGUF_V_ARRAY || !v->arr.items) return;
    for (uint64_t i = 0; i < v->arr.n; i++) value_free(&v->arr.items[i]);
    attn_free(v->arr.items);
    v->arr.items = NULL;
}

static attn_status read_value(cursor *c, gguf_vtype type, int depth, gguf_value *v);

static attn_status read_vtype(cursor *c, const char *what, gguf_vtype *out) {
    size_t at = c->pos;
    *out = GGUF_V_COUNT;
    uint64_t t;
    attn_status st = rd(c, 4, what, &t);
    if (st) return st;
    if (t >= GGUF_V_COUNT)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s%s%s at offset %zu is %" PRIu64 ", not a GGUF value type (0..%d)",
                           c->path, c->where, c->where[0] ? ": " : "", what, at, t, GGUF_V_COUNT - 1);
    *out = (gguf_vtype)t;
    return ATTN_OK;
}

static attn_status read_array(cursor *c, int depth, gguf_value *v) {
    if (depth >= GGUF_MAX_DEPTH)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: arrays nested more than %d deep at offset %zu", c->path,
                           c->where, GGUF_MAX_DEPTH, c->pos);
    gguf_vtype elem;
    attn_status st = read_vtype(c, "array element type", &elem);
    if (st) return st;
    uint64_t n;
    if ((st = rd(c, 8, "array length", &n))) return st;
    size_t left = c->size - c->pos;
    v->arr.elem = elem;
    v->arr.n = 0;
    v->arr.raw = c->base + c->pos;
    v->arr.items = NULL;
    size_t esize = gguf_vtype_size(elem);
    /* the smallest encoding of one element: a string's length, an array's type and count */
    size_t emin = esize ? esize : elem == GGUF_V_STRING ? 8 : 12;
    if (n > left / emin)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: array of %" PRIu64 " %s at offset %zu needs at least %" PRIu64
                           " bytes but the file has %zu left", c->path, c->where, n, gguf_vtype_name(elem),
                           c->pos - 12, n > UINT64_MAX / emin ? UINT64_MAX : n * emin, left);
    if (esize) {
        if (elem == GGUF_V_BOOL) {
            for (uint64_t i = 0; i < n; i++)
                if (c->base[c->pos + i] > 1)
                    return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: BOOL element %" PRIu64 " at offset %zu is %u, not "
                                       "0 or 1", c->path, c->where, i, c->pos + (size_t)i, c->base[c->pos + i]);
        }
        v->arr.n = n;
        c->pos += (size_t)(n * esize);
        return ATTN_OK;
    }
    if (n > 0 && !(v->arr.items = attn_calloc((size_t)n, sizeof *v->arr.items)))
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", c->path);
    for (uint64_t i = 0; i < n; i++) {
        v->arr.n = i + 1;   /* counted now so that value_free frees it */
        if ((st = read_value(c, elem, depth + 1, &v->arr.items[i]))) return st;
    }
    return ATTN_OK;
}

static attn_status read_value(cursor *c, gguf_vtype type, int depth, gguf_value *v) {
    v->type = type;
    uint64_t x;
    attn_status st;
    switch (type) {
    case GGUF_V_STRING: return rd_str(c, "string value", &v->s);
    case GGUF_V_ARRAY: return read_array(c, depth, v);
    case GGUF_V_BOOL: {
        size_t at = c->pos;
        if ((st = rd(c, 1, "BOOL value", &x))) return st;
        if (x > 1)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: BOOL value at offset %zu is %" PRIu64 ", not 0 or 1",
                               c->path, c->where, at, x);
        v->b = x != 0;
        return ATTN_OK;
    }
    default: break;
    }
    size_t n = gguf_vtype_size(type);
    if ((st = rd(c, n, gguf_vtype_name(type), &x))) return st;
    if (type == GGUF_V_F32) {
        uint32_t b = (uint32_t)x;
        float f;
        memcpy(&f, &b, sizeof f);
        v->f = (double)f;
    } else if (type == GGUF_V_F64) {
        memcpy(&v->f, &x, sizeof v->f);
    } else if (vtype_signed(type)) {
        unsigned bits = (unsigned)n * 8;
        v->i = bits == 64 ? (int64_t)x : (int64_t)(x ^ (1ull << (bits - 1))) - (int64_t)(1ull << (bits - 1));
    } else {
        v->u = x;
    }
    return ATTN_OK;
}

/* ========================================================================
 * the file
 * ======================================================================== */

static int cmp_kv(const void *a, const void *b) {
    return strcmp((*(gguf_kv *const *)a)->key, (*(gguf_kv *const *)b)->key);
}
static int cmp_tname(const void *a, const void *b) {
    return strcmp((*(gguf_tensor *const *)a)->name, (*(gguf_tensor *const *)b)->name);
}
static int cmp_toff(const void *a, const void *b) {
    const gguf_tensor *x = *(gguf_tensor *const *)a, *y = *(gguf_tensor *const *)b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->nbytes < y->nbytes ? -1 : x->nbytes > y->nbytes;
}

static attn_status read_tensor_info(cursor *c, gguf_file *f, int64_t idx) {
    gguf_tensor *t = &f->tensors[idx];
    snprintf(c->where, sizeof c->where, "tensor info %" PRId64, idx);
    attn_status st = name_copy(c, "name", &t->name);
    if (st) return st;
    snprintf(c->where, sizeof c->where, "tensor '%.*s'", NM, t->name);
    size_t at = c->pos;
    uint64_t nd;
    if ((st = rd(c, 4, "n_dims", &nd))) return st;
    if (nd > GGUF_MAX_DIMS)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: n_dims %" PRIu64 " at offset %zu is more than %d", c->path,
                           c->where, nd, at, GGUF_MAX_DIMS);
    t->ndim = (int)nd;
    int64_t numel = 1;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) t->ne[d] = 1;
    for (int d = 0; d < t->ndim; d++) {
        uint64_t ne;
        at = c->pos;
        if ((st = rd(c, 8, "dimension", &ne))) return st;
        if (ne > (uint64_t)INT64_MAX || !i64_mul(numel, (int64_t)ne, &numel))
            return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: dimension %d (%" PRIu64 ") at offset %zu makes the element "
                               "count overflow", c->path, c->where, d, ne, at);
        t->ne[d] = (int64_t)ne;
    }
    t->numel = numel;
    at = c->pos;
    uint64_t type;
    if ((st = rd(c, 4, "type", &type))) return st;
    if (!gguf_type_supported((uint32_t)type) || type > UINT32_MAX) {
        const char *nm = type < GGUF_T_ID_LIMIT ? gguf_type_name((uint32_t)type) : NULL;
        if (nm)
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s: tensor type %s (%" PRIu64 ") is not supported (attn "
                               "reads F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, Q8_K)",
                               c->path, c->where, nm, type);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: unknown tensor type %" PRIu64 " at offset %zu", c->path,
                           c->where, type, at);
    }
    t->type = (uint32_t)type;
    int64_t blk = gguf_type_block(t->type);
    if (t->ne[0] % blk)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: row length %" PRId64 " is not a multiple of %s's block of %"
                           PRId64, c->path, c->where, t->ne[0], gguf_type_name(t->type), blk);
    uint64_t nbytes;
    if (!gguf_type_bytes(t->type, numel, &nbytes) || nbytes > SIZE_MAX)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s: byte size overflows", c->path, c->where);
    t->nbytes = (size_t)nbytes;
    if ((st = rd(c, 8, "data offset", &t->offset))) return st;
    return ATTN_OK;
}

static attn_status parse(gguf_file *f) {
    cursor cur = { .base = f->base, .size = f->size, .pos = 0, .path = f->path, .where = "" };
    cursor *c = &cur;
    attn_status st;
    if (f->size < 4 || memcmp(f->base, "GGUF", 4) != 0)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: not a GGUF file (it does not start with \"GGUF\")", f->path);
    c->pos = 4;
    uint64_t version, nt, nkv;
    if ((st = rd(c, 4, "version", &version))) return st;
    if (version == 1)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: GGUF version 1 is not supported (attn reads versions 2 and 3)",
                           f->path);
    if (version != 2 && version != 3) {
        if ((version & 0xffff) == 0)
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: GGUF version field is %" PRIu64 " (0x%08" PRIx64 "): a "
                               "big-endian file? attn reads little-endian versions 2 and 3", f->path, version, version);
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: GGUF version %" PRIu64 " is not supported (attn reads versions "
                           "2 and 3)", f->path, version);
    }
    f->version = (uint32_t)version;
    if ((st = rd(c, 8, "tensor count", &nt))) return st;
    if ((st = rd(c, 8, "key/value count", &nkv))) return st;
    /* a key/value takes at least 8 + 1 + 4 + 1 bytes, a tensor info 8 + 1 + 4 + 4 + 8 */
    size_t left = f->size - c->pos;
    if (nkv > left / 14)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: key/value count %" PRIu64 " cannot fit in the %zu bytes after the "
                           "header", f->path, nkv, left);
    if (nt > left / 25)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor count %" PRIu64 " cannot fit in the %zu bytes after the "
                           "header", f->path, nt, left);
    if (nkv > 0 && (!(f->kv = attn_calloc((size_t)nkv, sizeof *f->kv)) ||
                    !(f->kv_sorted = attn_calloc((size_t)nkv, sizeof *f->kv_sorted))))
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", f->path);
    for (uint64_t i = 0; i < nkv; i++) {
        gguf_kv *kv = &f->kv[i];
        snprintf(c->where, sizeof c->where, "key/value %" PRIu64, i);
        if ((st = name_copy(c, "key", &kv->key))) return st;
        f->n_kv++;
        snprintf(c->where, sizeof c->where, "key '%.*s'", NM, kv->key);
        gguf_vtype t;
        if ((st = read_vtype(c, "value type", &t))) return st;
        if ((st = read_value(c, t, 0, &kv->v))) return st;
        f->kv_sorted[i] = kv;
    }
    c->where[0] = 0;
    if (f->n_kv > 1) {
        qsort(f->kv_sorted, (size_t)f->n_kv, sizeof *f->kv_sorted, cmp_kv);
        for (int64_t i = 1; i < f->n_kv; i++)
            if (strcmp(f->kv_sorted[i - 1]->key, f->kv_sorted[i]->key) == 0)
                return attn_errorf(ATTN_ERR_FORMAT, "%s: duplicate key '%.*s'", f->path, NM, f->kv_sorted[i]->key);
    }
    f->alignment = GGUF_DEFAULT_ALIGNMENT;
    const gguf_kv *al = gguf_find(f, "general.alignment");
    if (al) {
        if (al->v.type != GGUF_V_U32)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: general.alignment is %s, not UINT32", f->path,
                               gguf_vtype_name(al->v.type));
        if (al->v.u == 0 || (al->v.u & (al->v.u - 1)))
            return attn_errorf(ATTN_ERR_FORMAT, "%s: general.alignment %" PRIu64 " is not a power of two", f->path,
                               al->v.u);
        f->alignment = (uint32_t)al->v.u;
    }

    if (nt > 0 && (!(f->tensors = attn_calloc((size_t)nt, sizeof *f->tensors)) ||
                   !(f->t_sorted = attn_calloc((size_t)nt, sizeof *f->t_sorted))))
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", f->path);
    for (uint64_t i = 0; i < nt; i++) {
        f->n_tensors++;   /* counted first so that gguf_close frees the name */
        if ((st = read_tensor_info(c, f, (int64_t)i))) return st;
        f->t_sorted[i] = &f->tensors[i];
    }
    c->where[0] = 0;
    size_t a = f->alignment, pad = (a - c->pos % a) % a;
    size_t data_size = 0;
    if (pad > f->size - c->pos) {
        f->data_offset = f->size;   /* only a file without tensor data may end before its padding */
    } else {
        f->data_offset = c->pos + pad;
        data_size = f->size - f->data_offset;
    }
    if (f->n_tensors > 1) {
        qsort(f->t_sorted, (size_t)f->n_tensors, sizeof *f->t_sorted, cmp_tname);
        for (int64_t i = 1; i < f->n_tensors; i++)
            if (strcmp(f->t_sorted[i - 1]->name, f->t_sorted[i]->name) == 0)
                return attn_errorf(ATTN_ERR_FORMAT, "%s: duplicate tensor name '%.*s'", f->path, NM,
                                   f->t_sorted[i]->name);
    }
    for (int64_t i = 0; i < f->n_tensors; i++) {
        gguf_tensor *t = &f->tensors[i];
        if (t->offset % a)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': data offset %" PRIu64 " is not a multiple of "
                               "the alignment %zu", f->path, NM, t->name, t->offset, a);
        if (t->offset > data_size || t->nbytes > data_size - t->offset)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor '%.*s': data [%" PRIu64 ", +%zu) lies past the end of "
                               "the data section (%zu bytes from offset %zu; truncated?)", f->path, NM, t->name,
                               t->offset, t->nbytes, data_size, f->data_offset);
        t->data = f->base + f->data_offset + t->offset;
    }
    if (f->n_tensors > 1) {
        gguf_tensor **order = attn_calloc((size_t)f->n_tensors, sizeof *order);
        if (!order) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", f->path);
        memcpy(order, f->t_sorted, (size_t)f->n_tensors * sizeof *order);
        qsort(order, (size_t)f->n_tensors, sizeof *order, cmp_toff);
        const gguf_tensor *prev = NULL;   /* the non-empty tensor reaching furthest so far */
        for (int64_t i = 0; i < f->n_tensors && st == ATTN_OK; i++) {
            const gguf_tensor *t = order[i];
            if (t->nbytes == 0) continue;
            if (prev && t->offset < prev->offset + prev->nbytes)
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: tensors '%.*s' [%" PRIu64 ", +%zu) and '%.*s' [%" PRIu64
                                 ", +%zu) overlap", f->path, NM, prev->name, prev->offset, prev->nbytes, NM, t->name,
                                 t->offset, t->nbytes);
            if (!prev || t->offset + t->nbytes > prev->offset + prev->nbytes) prev = t;
        }
        attn_free(order);
    }
    return st;
}

static attn_status open_common(gguf_file *f, const char *name, gguf_file **out) {
    if (!(f->path = attn_strdup(name))) {
        gguf_close(f);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", name);
    }
    attn_status st = parse(f);
    if (st != ATTN_OK) {
        gguf_close(f);
        return st;
    }
    *out = f;
    return ATTN_OK;
}

attn_status gguf_open_memory(const void *data, size_t size, const char *name, gguf_file **out) {
    if (!out) return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_open_memory: out is NULL");
    *out = NULL;
    if (!data && size) return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_open_memory: data is NULL");
    gguf_file *f = attn_calloc(1, sizeof *f);
    if (!f) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", name ? name : "GGUF");
    f->base = data;
    f->size = size;
    return open_common(f, name ? name : "(memory)", out);
}

attn_status gguf_open(const char *path, gguf_file **out) {
    if (!out) return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_open: out is NULL");
    *out = NULL;
    if (!path) return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_open: path is NULL");
    int fd;
    uint64_t fsize;
    attn_status st = file_open_regular(path, &fd, &fsize);
    if (st != ATTN_OK) return st;
    if (fsize > SIZE_MAX) {
        close(fd);
        return attn_errorf(ATTN_ERR_IO, "%s: file too large to map", path);
    }
    if (fsize == 0) {
        close(fd);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: file is empty, not a GGUF file", path);
    }
    void *map = mmap(NULL, (size_t)fsize, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED)
        return attn_errorf(ATTN_ERR_IO, "cannot mmap %s (%" PRIu64 " bytes): %s", path, fsize, strerror(map_errno));
    gguf_file *f = attn_calloc(1, sizeof *f);
    if (!f) {
        munmap(map, (size_t)fsize);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
    }
    f->map = map;
    f->map_size = (size_t)fsize;
    f->base = map;
    f->size = (size_t)fsize;
    return open_common(f, path, out);
}

void gguf_close(gguf_file *f) {
    if (!f) return;
    for (int64_t i = 0; i < f->n_kv; i++) {
        attn_free(f->kv[i].key);
        value_free(&f->kv[i].v);
    }
    for (int64_t i = 0; i < f->n_tensors; i++) attn_free(f->tensors[i].name);
    attn_free(f->kv);
    attn_free(f->kv_sorted);
    attn_free(f->tensors);
    attn_free(f->t_sorted);
    if (f->map) munmap(f->map, f->map_size);
    attn_free(f->path);
    attn_free(f);
}

/* ========================================================================
 * lookups
 * ======================================================================== */

const gguf_kv *gguf_find(const gguf_file *f, const char *key) {
    if (!f || !key) return NULL;
    int64_t lo = 0, hi = f->n_kv;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        const gguf_kv *kv = f->kv_sorted[mid];
        if (!kv) return NULL;   /* a file still being parsed */
        int c = strcmp(kv->key, key);
        if (c == 0) return kv;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

const gguf_tensor *gguf_find_tensor(const gguf_file *f, const char *name) {
    if (!f || !name) return NULL;
    int64_t lo = 0, hi = f->n_tensors;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->t_sorted[mid]->name, name);
        if (c == 0) return f->t_sorted[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static attn_status get_kv(const gguf_file *f, const char *key, const gguf_kv **out) {
    *out = gguf_find(f, key);
    if (!*out) return attn_errorf(ATTN_ERR_FORMAT, "%s: metadata key '%s' is missing", f->path, key);
    return ATTN_OK;
}

static attn_status wrong_type(const gguf_file *f, const char *key, const gguf_kv *kv, const char *want) {
    return attn_errorf(ATTN_ERR_FORMAT, "%s: metadata key '%s' is %s, not %s", f->path, key,
                       gguf_vtype_name(kv->v.type), want);
}

/* The key's integer value within [lo, hi]. */
static attn_status get_int(const gguf_file *f, const char *key, int64_t lo, uint64_t hi, const char *want,
                           bool *neg, uint64_t *mag) {
    const gguf_kv *kv;
    attn_status st = get_kv(f, key, &kv);
    if (st) return st;
    if (!vtype_int(kv->v.type)) return wrong_type(f, key, kv, "an integer");
    bool n = vtype_signed(kv->v.type) && kv->v.i < 0;
    if (n ? kv->v.i < lo : (vtype_signed(kv->v.type) ? (uint64_t)kv->v.i : kv->v.u) > hi) {
        if (n) return attn_errorf(ATTN_ERR_FORMAT, "%s: metadata key '%s' = %" PRId64 " is out of range for %s",
                                  f->path, key, kv->v.i, want);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: metadata key '%s' = %" PRIu64 " is out of range for %s", f->path,
                           key, vtype_signed(kv->v.type) ? (uint64_t)kv->v.i : kv->v.u, want);
    }
    *neg = n;
    *mag = vtype_signed(kv->v.type) ? (uint64_t)kv->v.i : kv->v.u;
    return ATTN_OK;
}

attn_status gguf_get_u32(const gguf_file *f, const char *key, uint32_t *out) {
    bool neg;
    uint64_t m;
    attn_status st = get_int(f, key, 0, UINT32_MAX, "UINT32", &neg, &m);
    if (!st) *out = (uint32_t)m;
    return st;
}

attn_status gguf_get_i32(const gguf_file *f, const char *key, int32_t *out) {
    bool neg;
    uint64_t m;
    attn_status st = get_int(f, key, INT32_MIN, INT32_MAX, "INT32", &neg, &m);
    if (!st) *out = (int32_t)(int64_t)m;
    return st;
}

attn_status gguf_get_u64(const gguf_file *f, const char *key, uint64_t *out) {
    bool neg;
    uint64_t m;
    attn_status st = get_int(f, key, 0, UINT64_MAX, "UINT64", &neg, &m);
    if (!st) *out = m;
    return st;
}

attn_status gguf_get_f32(const gguf_file *f, const char *key, float *out) {
    const gguf_kv *kv;
    attn_status st = get_kv(f, key, &kv);
    if (st) return st;
    if (kv->v.type != GGUF_V_F32 && kv->v.type != GGUF_V_F64) return wrong_type(f, key, kv, "FLOAT32");
    *out = (float)kv->v.f;
    return ATTN_OK;
}

attn_status gguf_get_bool(const gguf_file *f, const char *key, bool *out) {
    const gguf_kv *kv;
    attn_status st = get_kv(f, key, &kv);
    if (st) return st;
    if (kv->v.type != GGUF_V_BOOL) return wrong_type(f, key, kv, "BOOL");
    *out = kv->v.b;
    return ATTN_OK;
}

attn_status gguf_get_string(const gguf_file *f, const char *key, gguf_str *out) {
    const gguf_kv *kv;
    attn_status st = get_kv(f, key, &kv);
    if (st) return st;
    if (kv->v.type != GGUF_V_STRING) return wrong_type(f, key, kv, "STRING");
    *out = kv->v.s;
    return ATTN_OK;
}

attn_status gguf_get_cstring(const gguf_file *f, const char *key, char **out) {
    gguf_str s;
    attn_status st = gguf_get_string(f, key, &s);
    if (st) return st;
    if (memchr(s.p, 0, (size_t)s.n))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: metadata key '%s' holds a NUL byte", f->path, key);
    char *p = attn_malloc((size_t)s.n + 1);
    if (!p) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory", f->path);
    memcpy(p, s.p, (size_t)s.n);
    p[s.n] = 0;
    *out = p;
    return ATTN_OK;
}

attn_status gguf_get_array(const gguf_file *f, const char *key, gguf_vtype elem, const gguf_value **out) {
    const gguf_kv *kv;
    attn_status st = get_kv(f, key, &kv);
    if (st) return st;
    if (kv->v.type != GGUF_V_ARRAY) return wrong_type(f, key, kv, "ARRAY");
    if (elem != GGUF_V_COUNT && kv->v.arr.elem != elem)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: metadata key '%s' is an ARRAY of %s, not of %s", f->path, key,
                           gguf_vtype_name(kv->v.arr.elem), gguf_vtype_name(elem));
    *out = &kv->v;
    return ATTN_OK;
}

gguf_value gguf_arr_get(const gguf_value *a, uint64_t i) {
    gguf_value v;
    memset(&v, 0, sizeof v);
    v.type = GGUF_V_COUNT;
    if (!a || a->type != GGUF_V_ARRAY || i >= a->arr.n) return v;
    if (a->arr.items) return a->arr.items[i];
    size_t n = gguf_vtype_size(a->arr.elem);
    cursor c = { .base = a->arr.raw + i * n, .size = n, .pos = 0, .path = "", .where = "" };
    if (read_value(&c, a->arr.elem, 0, &v) != ATTN_OK) v.type = GGUF_V_COUNT;
    return v;
}

bool gguf_arr_i64(const gguf_value *a, uint64_t i, int64_t *out) {
    gguf_value v = gguf_arr_get(a, i);
    if (!vtype_int(v.type)) return false;
    if (vtype_signed(v.type)) {
        *out = v.i;
        return true;
    }
    if (v.u > (uint64_t)INT64_MAX) return false;
    *out = (int64_t)v.u;
    return true;
}

bool gguf_arr_f64(const gguf_value *a, uint64_t i, double *out) {
    gguf_value v = gguf_arr_get(a, i);
    if (v.type == GGUF_V_F32 || v.type == GGUF_V_F64) *out = v.f;
    else if (vtype_int(v.type)) *out = vtype_signed(v.type) ? (double)v.i : (double)v.u;
    else return false;
    return true;
}

gguf_str gguf_arr_str(const gguf_value *a, uint64_t i) {
    gguf_value v = gguf_arr_get(a, i);
    if (v.type != GGUF_V_STRING) return (gguf_str){ NULL, 0 };
    return v.s;
}

attn_status gguf_tensor_f32(const gguf_file *f, const gguf_tensor *t, float *out, int64_t numel) {
    if (!f || !t || (!out && numel)) return attn_errorf(ATTN_ERR_INVALID_ARG, "gguf_tensor_f32: NULL argument");
    if (numel != t->numel)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: tensor '%.*s' has %" PRId64 " values, not %" PRId64, f->path,
                           NM, t->name, t->numel, numel);
    return gguf_dequantize(t->type, t->data, out, numel);
}
