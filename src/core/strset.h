/* strset.h — interned byte strings and sets of them (strset.c): the
 * vocabulary trainers' pools, the labelled-data reader's label sets. */
#ifndef ATTN_STRSET_H
#define ATTN_STRSET_H

#include "core/core.h"

/* Byte strings, appended; index i is the i-th added. */
typedef struct str_pool {
    char *bytes;
    size_t used, cap;
    size_t *off;      /* [n] */
    uint32_t *len;    /* [n] */
    int32_t n, cap_n;
} str_pool;

/* A set over a pool's strings: slots hold index + 1, 0 is free. */
typedef struct str_index {
    int32_t *slots;
    size_t cap;   /* power of two */
    int32_t n;
} str_index;

uint64_t str_mix64(uint64_t x);
uint64_t str_hash(const void *p, size_t n);
/* Appends s; *idx is its index. */
attn_status str_pool_add(str_pool *p, const char *s, size_t n, int32_t *idx);
void str_pool_free(str_pool *p);
/* Finds s, or adds it to the pool; *idx is its index, *added whether new.
 * Free the set with attn_free(x->slots). */
attn_status str_index_intern(str_index *x, str_pool *p, const char *s, size_t n, int32_t *idx, bool *added);
/* The index of s, or -1 when the set does not hold it. */
int32_t str_index_find(const str_index *x, const str_pool *p, const char *s, size_t n);

#endif
