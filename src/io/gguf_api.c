/* gguf_api.c — the public inspection API (include/attn/gguf.h) over the
 * reader of io/gguf.h, and metadata values as JSON text. */
#include "attn/gguf.h"

#include "core/core.h"
#include "io/gguf.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>

attn_status attn_gguf_open(const char *path, attn_gguf **out) { return gguf_open(path, out); }
void attn_gguf_close(attn_gguf *g) { gguf_close(g); }
uint32_t attn_gguf_version(const attn_gguf *g) { return g ? g->version : 0; }
uint32_t attn_gguf_alignment(const attn_gguf *g) { return g ? g->alignment : 0; }
uint64_t attn_gguf_data_offset(const attn_gguf *g) { return g ? g->data_offset : 0; }
int64_t attn_gguf_n_kv(const attn_gguf *g) { return g ? g->n_kv : 0; }
int64_t attn_gguf_n_tensors(const attn_gguf *g) { return g ? g->n_tensors : 0; }

const char *attn_gguf_kv_key(const attn_gguf *g, int64_t i) {
    return g && i >= 0 && i < g->n_kv ? g->kv[i].key : NULL;
}

const char *attn_gguf_kv_type(const attn_gguf *g, int64_t i, const char **elem_type, uint64_t *count) {
    if (!g || i < 0 || i >= g->n_kv) return NULL;
    const gguf_value *v = &g->kv[i].v;
    if (elem_type) *elem_type = v->type == GGUF_V_ARRAY ? gguf_vtype_name(v->arr.elem) : NULL;
    if (count) *count = v->type == GGUF_V_ARRAY ? v->arr.n : 1;
    return gguf_vtype_name(v->type);
}

/* ---- values as text ---------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->oom || n == 0) return;
    if (b->cap - b->n <= n) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->n <= n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            cap *= 2;
        }
        char *p = attn_realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...) {
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void sb_float(sbuf *b, double v, bool f64) {
    if (isnan(v)) sb_put(b, "NaN", 3);
    else if (isinf(v)) sb_put(b, v < 0 ? "-Infinity" : "Infinity", v < 0 ? 9 : 8);
    else sb_printf(b, f64 ? "%.17g" : "%.9g", v);
}

static void sb_string(sbuf *b, gguf_str s) {
    sb_put(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s.p;
    size_t i = 0, n = (size_t)s.n;
    while (i < n) {
        unsigned char ch = p[i];
        uint32_t cp;
        int len = ch < 0x80 ? 1 : utf8_decode(p + i, n - i, &cp);
        if (len == 0) {
            sb_printf(b, "\\u00%02x", ch);   /* a byte that is not UTF-8 */
            i++;
            continue;
        }
        if (len == 1) {
            switch (ch) {
            case '"': sb_put(b, "\\\"", 2); break;
            case '\\': sb_put(b, "\\\\", 2); break;
            case '\n': sb_put(b, "\\n", 2); break;
            case '\r': sb_put(b, "\\r", 2); break;
            case '\t': sb_put(b, "\\t", 2); break;
            default:
                if (ch < 0x20 || ch == 0x7f) sb_printf(b, "\\u%04x", ch);
                else sb_put(b, (const char *)p + i, 1);
            }
        } else {
            sb_put(b, (const char *)p + i, (size_t)len);
        }
        i += (size_t)len;
    }
    sb_put(b, "\"", 1);
}

static void sb_value(sbuf *b, const gguf_value *v, int64_t max_items) {
    switch (v->type) {
    case GGUF_V_U8: case GGUF_V_U16: case GGUF_V_U32: case GGUF_V_U64: sb_printf(b, "%" PRIu64, v->u); break;
    case GGUF_V_I8: case GGUF_V_I16: case GGUF_V_I32: case GGUF_V_I64: sb_printf(b, "%" PRId64, v->i); break;
    case GGUF_V_F32: sb_float(b, v->f, false); break;
    case GGUF_V_F64: sb_float(b, v->f, true); break;
    case GGUF_V_BOOL: sb_put(b, v->b ? "true" : "false", v->b ? 4 : 5); break;
    case GGUF_V_STRING: sb_string(b, v->s); break;
    case GGUF_V_ARRAY: {
        sb_put(b, "[", 1);
        uint64_t n = v->arr.n;
        bool cut = max_items >= 0 && n > (uint64_t)max_items;
        if (cut) n = (uint64_t)max_items;
        for (uint64_t i = 0; i < n && !b->oom; i++) {
            if (i) sb_put(b, ", ", 2);
            gguf_value e = gguf_arr_get(v, i);
            sb_value(b, &e, max_items);
        }
        if (cut) sb_put(b, n ? ", ..." : "...", n ? 5 : 3);
        sb_put(b, "]", 1);
        break;
    }
    default: sb_put(b, "?", 1); break;
    }
}

attn_status attn_gguf_kv_text(const attn_gguf *g, int64_t i, int64_t max_items, char **out) {
    if (!g || !out || i < 0 || i >= g->n_kv)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gguf_kv_text: no key/value %" PRId64, i);
    *out = NULL;
    sbuf b = { 0 };
    sb_value(&b, &g->kv[i].v, max_items);
    if (b.oom) {
        attn_free(b.p);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory formatting '%s'", g->path, g->kv[i].key);
    }
    *out = b.p;
    return ATTN_OK;
}

/* ---- tensors ----------------------------------------------------------------- */

attn_status attn_gguf_tensor(const attn_gguf *g, int64_t i, attn_gguf_tensor_info *out) {
    if (!g || !out || i < 0 || i >= g->n_tensors)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gguf_tensor: no tensor %" PRId64, i);
    const gguf_tensor *t = &g->tensors[i];
    out->name = t->name;
    out->type = gguf_type_name(t->type);
    out->type_id = t->type;
    out->ndim = t->ndim;
    for (int d = 0; d < 4; d++) out->ne[d] = t->ne[d];
    out->numel = t->numel;
    out->offset = t->offset;
    out->nbytes = t->nbytes;
    out->data = t->data;
    return ATTN_OK;
}

int64_t attn_gguf_tensor_index(const attn_gguf *g, const char *name) {
    const gguf_tensor *t = gguf_find_tensor(g, name);
    return t ? (int64_t)(t - g->tensors) : -1;
}

attn_status attn_gguf_tensor_f32(const attn_gguf *g, int64_t i, float *out, int64_t numel) {
    if (!g || i < 0 || i >= g->n_tensors)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gguf_tensor_f32: no tensor %" PRId64, i);
    return gguf_tensor_f32(g, &g->tensors[i], out, numel);
}
