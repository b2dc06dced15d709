/* strset.c — interned byte strings for the vocabulary trainers: a pool that
 * appends strings (index i is the i-th added) and an open-addressing set over
 * it, with the 64-bit hash both use. */
#include "core/strset.h"

uint64_t str_mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

uint64_t str_hash(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return str_mix64(h);
}



attn_status str_pool_add(str_pool *p, const char *s, size_t n, int32_t *idx) {
    if (n > UINT32_MAX) return attn_errorf(ATTN_ERR_INVALID_ARG, "a word of %zu bytes is too long", n);
    if (p->used + n > p->cap) {
        size_t cap = ATTN_MAX(p->cap * 2, p->used + n + 4096);
        char *b = attn_realloc(p->bytes, cap);
        if (!b) return ATTN_ERR_OUT_OF_MEMORY;
        p->bytes = b;
        p->cap = cap;
    }
    if (p->n == p->cap_n) {
        if (p->n == INT32_MAX - 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "too many distinct words");
        int32_t c = p->cap_n ? (p->cap_n > INT32_MAX / 2 ? INT32_MAX - 1 : p->cap_n * 2) : 1024;
        size_t *o = attn_realloc(p->off, (size_t)c * sizeof *o);
        if (!o) return ATTN_ERR_OUT_OF_MEMORY;
        p->off = o;
        uint32_t *l = attn_realloc(p->len, (size_t)c * sizeof *l);
        if (!l) return ATTN_ERR_OUT_OF_MEMORY;
        p->len = l;
        p->cap_n = c;
    }
    if (n) memcpy(p->bytes + p->used, s, n);
    p->off[p->n] = p->used;
    p->len[p->n] = (uint32_t)n;
    p->used += n;
    *idx = p->n++;
    return ATTN_OK;
}

void str_pool_free(str_pool *p) {
    attn_free(p->bytes);
    attn_free(p->off);
    attn_free(p->len);
    memset(p, 0, sizeof *p);
}

/* The slot for s: holding it, or free. */
static size_t index_slot(const str_index *x, const str_pool *p, const char *s, size_t n, uint64_t h) {
    size_t mask = x->cap - 1, i = (size_t)h & mask;
    for (;; i = (i + 1) & mask) {
        int32_t v = x->slots[i];
        if (!v) return i;
        v--;
        if (p->len[v] == n && !memcmp(p->bytes + p->off[v], s, n)) return i;
    }
}

static attn_status index_grow(str_index *x, const str_pool *p) {
    size_t cap = x->cap ? x->cap * 2 : 4096;
    int32_t *slots = attn_calloc(cap, sizeof *slots);
    if (!slots) return ATTN_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i < x->cap; i++) {
        int32_t v = x->slots[i];
        if (!v) continue;
        size_t j = (size_t)str_hash(p->bytes + p->off[v - 1], p->len[v - 1]) & (cap - 1);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = v;
    }
    attn_free(x->slots);
    x->slots = slots;
    x->cap = cap;
    return ATTN_OK;
}

/* Finds s, or adds it to the pool; *idx is its index, *added whether new. */
attn_status str_index_intern(str_index *x, str_pool *p, const char *s, size_t n, int32_t *idx, bool *added) {
    attn_status st;
    if ((size_t)(x->n + 1) * 2 > x->cap && (st = index_grow(x, p)) != ATTN_OK) return st;
    size_t i = index_slot(x, p, s, n, str_hash(s, n));
    *added = !x->slots[i];
    if (!*added) {
        *idx = x->slots[i] - 1;
        return ATTN_OK;
    }
    if ((st = str_pool_add(p, s, n, idx)) != ATTN_OK) return st;
    x->slots[i] = *idx + 1;
    x->n++;
    return ATTN_OK;
}

int32_t str_index_find(const str_index *x, const str_pool *p, const char *s, size_t n) {
    if (!x->cap) return -1;
    return x->slots[index_slot(x, p, s, n, str_hash(s, n))] - 1;
}
