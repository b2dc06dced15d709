/* The allocator hook: every allocation of libattn passes through here. */
#include "core/core.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static void *libc_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static attn_realloc_fn hook = libc_realloc;
static void *hook_ud = NULL;
static _Atomic unsigned long n_failures;

/* cJSON's allocations go through the hook too (cJSON_InitHooks), so that a
 * counting or failing hook sees them; with libc's they are malloc / free. */
static void *cjson_malloc(size_t size) {
    void *p = hook(hook_ud, NULL, size ? size : 1);
    if (!p) n_failures++;
    return p;
}

static void cjson_free(void *ptr) {
    if (ptr) hook(hook_ud, ptr, 0);
}

void attn_set_allocator(attn_realloc_fn fn, void *user_data) {
    hook = fn ? fn : libc_realloc;
    hook_ud = fn ? user_data : NULL;
    cJSON_Hooks h = {cjson_malloc, cjson_free};
    cJSON_InitHooks(fn ? &h : NULL);
}

unsigned long alloc_failures(void) {
    return n_failures;
}

void *attn_malloc(size_t size) {
    void *p = hook(hook_ud, NULL, size ? size : 1);
    if (!p) {
        n_failures++;
        attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory allocating %zu bytes", size);
    }
    return p;
}

void *attn_calloc(size_t count, size_t size) {
    size_t n;
    if (!size_mul(count, size, &n)) {
        attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "allocation size overflows: %zu x %zu", count, size);
        return NULL;
    }
    void *p = attn_malloc(n);
    if (p) memset(p, 0, n);
    return p;
}

void *attn_realloc(void *ptr, size_t size) {
    void *p = hook(hook_ud, ptr, size ? size : 1);
    if (!p) n_failures++;
    if (!p) attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory allocating %zu bytes", size);
    return p;
}

void attn_free(void *ptr) {
    if (ptr) hook(hook_ud, ptr, 0);
}

char *attn_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = attn_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Aligned blocks keep the offset to the real start just before the data. */
void *attn_malloc_aligned(size_t size) {
    if (size > SIZE_MAX - 64 - sizeof(void *)) {
        attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "allocation size overflows: %zu", size);
        return NULL;
    }
    unsigned char *raw = attn_malloc(size + 64 + sizeof(void *));
    if (!raw) return NULL;
    uintptr_t p = ((uintptr_t)(raw + sizeof(void *)) + 63) & ~(uintptr_t)63;
    ((void **)p)[-1] = raw;
    return (void *)p;
}

void attn_free_aligned(void *ptr) {
    if (ptr) attn_free(((void **)ptr)[-1]);
}

attn_status tok_ids_reserve(tok_ids *v, int64_t extra) {
    if (extra < 0 || v->n > INT64_MAX - extra)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "token count overflows");
    int64_t need = v->n + extra;
    if (need <= v->cap) return ATTN_OK;
    int64_t cap = v->cap ? v->cap : 256;
    while (cap < need) cap = cap > INT64_MAX / 2 ? need : cap * 2;
    size_t bytes;
    if ((uint64_t)cap > SIZE_MAX || !size_mul((size_t)cap, sizeof(int32_t), &bytes))
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "token buffer of %lld ids is too large", (long long)cap);
    int32_t *d = attn_realloc(v->data, bytes);
    if (!d) return ATTN_ERR_OUT_OF_MEMORY;
    v->data = d;
    v->cap = cap;
    return ATTN_OK;
}

/* The whole pages inside [p, p + bytes): *lo, and the length (0: none). */
static size_t inner_pages(void *p, size_t bytes, size_t page, void **lo) {
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1), b = ((uintptr_t)p + bytes) & ~(uintptr_t)(page - 1);
    *lo = (void *)a;
    return b > a ? (size_t)(b - a) : 0;
}

void map_release(const void *p, size_t bytes) {
    long page = sysconf(_SC_PAGESIZE);
    void *lo;
    size_t n = p && page > 0 ? inner_pages((void *)(uintptr_t)p, bytes, (size_t)page, &lo) : 0;
    if (n) (void)madvise(lo, n, MADV_DONTNEED); /* advice: a refusal changes nothing */
}

bool mem_release(void *p, size_t bytes) {
    long page = sysconf(_SC_PAGESIZE);
    void *lo;
    size_t n = hook == libc_realloc && p && page > 0 ? inner_pages(p, bytes, (size_t)page, &lo) : 0;
    return n && madvise(lo, n, MADV_DONTNEED) == 0;
}
