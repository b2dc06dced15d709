/* Chunked bump arena; see core.h for why reset keeps chunks. */
#include "core/core.h"

void arena_init(arena *a, size_t min_chunk) {
    memset(a, 0, sizeof *a);
    a->min_chunk = min_chunk ? min_chunk : ((size_t)1 << 20);
}

static arena_chunk *chunk_new(size_t size) {
    arena_chunk *c = attn_malloc(sizeof *c);
    if (!c) return NULL;
    c->base = attn_malloc_aligned(size);
    if (!c->base) {
        attn_free(c);
        return NULL;
    }
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *arena_push(arena *a, size_t size) {
    if (size > SIZE_MAX - 64) {
        attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "arena push too large: %zu", size);
        return NULL;
    }
    size = (size + 63) & ~(size_t)63;
    if (!a->cur) {
        if (!a->head) {
            a->head = chunk_new(ATTN_MAX(a->min_chunk, size));
            if (!a->head) return NULL;
            a->n_chunk_allocs++;
        }
        a->cur = a->head;
    }
    /* Walk forward through kept chunks; add a new one at the end if none fits.
     * A chunk that is skipped stays unused until the next reset. */
    while (a->cur->size - a->cur->used < size) {
        if (!a->cur->next) {
            size_t want = ATTN_MAX(a->min_chunk, size);
            arena_chunk *c = chunk_new(want);
            if (!c) return NULL;
            a->n_chunk_allocs++;
            a->cur->next = c;
        }
        a->cur = a->cur->next;
    }
    void *p = a->cur->base + a->cur->used;
    a->cur->used += size;
    a->in_use += size;
    if (a->in_use > a->peak) a->peak = a->in_use;
    return p;
}

void *arena_push_zero(arena *a, size_t size) {
    void *p = arena_push(a, size);
    if (p) memset(p, 0, size);
    return p;
}

void arena_reset(arena *a) {
    for (arena_chunk *c = a->head; c; c = c->next) c->used = 0;
    a->cur = a->head;
    a->in_use = 0;
}

arena_mark arena_get_mark(const arena *a) {
    return (arena_mark){a->cur, a->cur ? a->cur->used : 0, a->in_use};
}

void arena_rewind(arena *a, arena_mark m) {
    if (!m.chunk) {
        arena_reset(a);
        return;
    }
    for (arena_chunk *c = m.chunk->next; c; c = c->next) c->used = 0;
    m.chunk->used = m.used;
    a->cur = m.chunk;
    a->in_use = m.in_use;
}

void arena_free(arena *a) {
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *n = c->next;
        attn_free_aligned(c->base);
        attn_free(c);
        c = n;
    }
    a->head = a->cur = NULL;
}

size_t arena_bytes(const arena *a) {
    size_t n = 0;
    for (const arena_chunk *c = a->head; c; c = c->next) n += c->size;
    return n;
}
