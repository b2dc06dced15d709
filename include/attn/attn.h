/* attn.h — status codes, error messages, the allocator hook, threads.
 *
 * Every public function of libattn returns an attn_status (or a pointer that
 * is NULL on failure) and records a message retrievable with
 * attn_last_error(). The library never prints and never exits; only the CLI
 * does. All memory the library allocates goes through the allocator hook. */
#ifndef ATTN_ATTN_H
#define ATTN_ATTN_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ATTN_API __attribute__((visibility("default")))
#else
#define ATTN_API
#endif

#define ATTN_VERSION_MAJOR 0
#define ATTN_VERSION_MINOR 1
#define ATTN_VERSION_PATCH 0
#define ATTN_VERSION_STRING "0.1.0"

typedef enum attn_status {
    ATTN_OK = 0,
    ATTN_DONE,                 /* an iterator or generator has finished */
    ATTN_ERR_INVALID_ARG,      /* a caller passed something impossible */
    ATTN_ERR_OUT_OF_MEMORY,
    ATTN_ERR_IO,               /* open/read/write/rename failed */
    ATTN_ERR_FORMAT,           /* a file is not what its header says */
    ATTN_ERR_UNSUPPORTED,      /* valid, but not implemented by attn */
    ATTN_STATUS_COUNT
} attn_status;

/* Short name of a status ("invalid argument", ...). Never NULL. */
ATTN_API const char *attn_status_string(attn_status status);

/* Message describing the last failure on this thread ("" if none). The
 * pointer stays valid until the next failing call on the same thread. */
ATTN_API const char *attn_last_error(void);

/* Records a message for attn_last_error() and returns `status`, so that a
 * failing path reads `return attn_errorf(ATTN_ERR_IO, "open %s", path);`. */
ATTN_API attn_status attn_errorf(attn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- allocator hook ------------------------------------------------------
 * One hook serves every allocation of the library. `realloc(ud, NULL, n)`
 * allocates, `realloc(ud, p, 0)` frees and returns NULL. Tests install a
 * counting hook that fails the k-th allocation. Pass NULL to restore libc. */
typedef void *(*attn_realloc_fn)(void *user_data, void *ptr, size_t size);
ATTN_API void attn_set_allocator(attn_realloc_fn fn, void *user_data);

ATTN_API void *attn_malloc(size_t size);
ATTN_API void *attn_calloc(size_t count, size_t size);   /* checks count*size */
ATTN_API void *attn_realloc(void *ptr, size_t size);
ATTN_API void  attn_free(void *ptr);                     /* NULL is a no-op */
ATTN_API char *attn_strdup(const char *s);

/* 64-byte aligned allocation for kernel buffers; free with attn_free_aligned. */
ATTN_API void *attn_malloc_aligned(size_t size);
ATTN_API void  attn_free_aligned(void *ptr);

/* ---- threads -------------------------------------------------------------
 * Threads used by the kernels: 0 = ATTN_THREADS from the environment if set,
 * else all cores. Results never depend on the thread count. A count (or
 * ATTN_THREADS) outside 1..attn_max_threads() (4 x the cores) is
 * ATTN_ERR_INVALID_ARG and changes nothing. attn_get_threads() without an
 * earlier attn_set_threads() uses ATTN_THREADS when valid, else all cores.
 * The threads are created when the count is set; when fewer can be (a
 * memory limit leaves no room for their stacks), the count is lowered to
 * those, at least 1, and attn_get_threads() reports it.
 * The count as OpenMP keeps it, and the worker threads, belong to the
 * calling thread: another thread that runs attn work has its own workers,
 * and the default count unless it calls attn_set_threads too (which sets
 * what attn_get_threads reports for all). Workers stay while their thread
 * lives, so a program that loads a model on one thread and decodes on
 * another should load on a thread that then ends (as attn serve does):
 * with idle workers left over, more threads than cores exist, and the
 * OpenMP runtime then has every waiting worker sleep at once, so that each
 * parallel step pays for waking them (bf16 decoding ran at 14.4 ms a token
 * instead of 8.3). */
ATTN_API attn_status attn_set_threads(int n_threads);
ATTN_API int  attn_get_threads(void);
ATTN_API int  attn_max_threads(void);

/* One line on what runs here: the kernel table, the matrix-product backend
 * (openblas, attn-packed or builtin; ref under ATTN_KERNELS=ref), the bf16
 * path (avx512bf16 or fp32-emulation) and the thread count. A static string, rewritten by each
 * call. */
ATTN_API const char *attn_system_info(void);

/* ---- text input ------------------------------------------------------------
 * The one rule for text every command reads (prompts, files to tokenize,
 * score, embed, classify, translate or prepare, labelled examples): UTF-8
 * without NUL bytes. ATTN_OK, or ATTN_ERR_FORMAT with "NAME: line L: NUL byte
 * at byte offset B (binary data, not text)" or "NAME: line L: invalid UTF-8
 * at byte offset B (0xNN)"; lines count from 1, offsets from 0. */
ATTN_API attn_status attn_text_check(const char *name, const char *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* ATTN_ATTN_H */
