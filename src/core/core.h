/* core.h — internal helpers shared by every layer of libattn: checked size
 * arithmetic, the bump arena, the counter-based RNG, file helpers. Not part of
 * the public API; cli/ must not include it. */
#ifndef ATTN_CORE_H
#define ATTN_CORE_H

#include "attn/attn.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ATTN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define ATTN_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Believed-true guard that stays in release builds and returns an error. */
#define ATTN_CHECK(cond)                                                      \
    do {                                                                      \
        if (!(cond))                                                          \
            return attn_errorf(ATTN_ERR_INVALID_ARG, "%s:%d: check failed: %s", \
                               __FILE__, __LINE__, #cond);                    \
    } while (0)

/* a*b into *out; false on overflow or negative operands. */
static inline bool size_mul(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a) return false;
    *out = a * b;
    return true;
}
static inline bool i64_mul(int64_t a, int64_t b, int64_t *out) {
    if (a < 0 || b < 0) return false;
    if (a != 0 && b > INT64_MAX / a) return false;
    *out = a * b;
    return true;
}

/* ---- arena ----------------------------------------------------------------
 * A bump allocator made of chunks. arena_reset() keeps every chunk, so a
 * sequence of pushes that repeats the previous one lands at the same
 * addresses and allocates nothing: this is how a training step stops
 * allocating after the first one. Pushes are 64-byte aligned. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t size, used;
    unsigned char *base;       /* 64-byte aligned data area */
} arena_chunk;

typedef struct arena {
    arena_chunk *head;         /* first chunk */
    arena_chunk *cur;          /* chunk being filled */
    size_t min_chunk;          /* size of a new chunk unless a push needs more */
    size_t n_chunk_allocs;     /* chunks ever allocated (tests read this) */
    size_t in_use, peak;       /* bytes pushed since the reset, and their most since arena_init */
} arena;

/* A position in an arena: arena_rewind() gives back every push made after
 * it (activation checkpointing frees a block's activations this way). */
typedef struct arena_mark {
    arena_chunk *chunk;
    size_t used, in_use;
} arena_mark;

void  arena_init(arena *a, size_t min_chunk);
void *arena_push(arena *a, size_t size);          /* NULL on OOM (error recorded) */
void *arena_push_zero(arena *a, size_t size);
void  arena_reset(arena *a);
void  arena_free(arena *a);
size_t arena_bytes(const arena *a);               /* total capacity */
arena_mark arena_get_mark(const arena *a);
void  arena_rewind(arena *a, arena_mark m);

/* ---- counter-based RNG ------------------------------------------------------
 * Every random number is a pure function of (seed, stream, counter), so a run
 * gives the same numbers on any thread count and resumes exactly from a step
 * number. */
uint64_t rng_hash(uint64_t seed, uint64_t stream, uint64_t counter);
float    rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter);  /* [0,1) */
float    rng_normal(uint64_t seed, uint64_t stream, uint64_t counter);   /* N(0,1) */

/* A small sequential generator for samplers and data shuffles. */
typedef struct rng_state { uint64_t s; } rng_state;
uint64_t rng_next_u64(rng_state *r);
float    rng_next_float(rng_state *r);   /* [0,1) with 24 random bits */

/* ---- files ----------------------------------------------------------------- */
/* How many allocations (attn_malloc / attn_realloc / cJSON's, through the
 * hook) have failed in this process: a parser whose result is NULL tells
 * an out-of-memory failure from bad input by this count moving. */
unsigned long alloc_failures(void);

/* Gives the whole pages inside [p, p + bytes) of a block from
 * attn_malloc_aligned back to the system; they read as zeros afterwards.
 * Done only while the allocator is libc's (whose large blocks are private
 * anonymous memory; another hook's memory is left alone). Returns whether
 * the pages were released. */
bool mem_release(void *p, size_t bytes);
/* Drops the resident pages wholly inside [p, p + bytes) of a read-only
 * file mapping (a tensor read and no longer needed): the resident size no
 * longer counts them, the page cache keeps the file, and the bytes stay
 * readable (a later read faults them in again). */
void map_release(const void *p, size_t bytes);

/* Opens a file to read that must be a regular file: a FIFO, directory or
 * device is refused ("X is not a regular file") without blocking (a FIFO
 * is opened with O_NONBLOCK, then the flag is cleared). *fd_out is -1 on
 * error; size_out (may be NULL) gets the file's size. */
attn_status file_open_regular(const char *path, int *fd_out, uint64_t *size_out);

/* Reads a whole regular file into a NUL-terminated buffer (attn_free it). */
attn_status file_read_all(const char *path, char **out, size_t *out_len);
/* A file's parser: the text of `name`, into what out points at. */
typedef attn_status (*file_parser)(const char *name, const char *text, size_t len, void *out);
/* file_read_all(path), then parse(path, its bytes, out); the bytes are freed after. */
attn_status file_read_parse(const char *path, file_parser parse, void *out);

/* Writes `path` atomically: data goes to "<path>.<pid>.<n>.tmp" (unique per
 * process and call, created exclusively), is fsync'ed, renamed over `path`,
 * and the directory is fsync'ed. A crash at any point leaves either the old
 * file or the new one, never a mix.
 * Testing hooks, read from the environment by these writers (file.c):
 * ATTN_FAULT_KILL_AT=k sends SIGKILL to the process at its k-th write-path
 * event (temporary file created, each write, before and after each rename),
 * or signal n with ATTN_FAULT_SIGNAL=n;
 * ATTN_FAULT_ENOSPC_AFTER=n makes every write fail with ENOSPC once n bytes
 * have been written (a full disk). */
attn_status file_write_atomic(const char *path, const void *data, size_t len);

/* Like file_write_atomic for data produced in pieces: open, write..., commit.
 * Abort removes the temporary file. */
typedef struct atomic_file { FILE *f; char *tmp_path; char *path; } atomic_file;
attn_status atomic_file_open(atomic_file *af, const char *path);
attn_status atomic_file_write(atomic_file *af, const void *data, size_t len);
attn_status atomic_file_commit(atomic_file *af);
void        atomic_file_abort(atomic_file *af);

/* A buffer owned by each thread that uses it: the kernels' packing and
 * tile scratch, allocated on a thread's first use at the size asked (grown
 * when a later call asks for more), kept, so that repeated calls allocate
 * nothing, and freed when the thread ends (threads.c). Define one per use:
 *     static thread_buffer tiles = THREAD_BUFFER_INIT;
 *     float *t = thread_buffer_get(&tiles, bytes);
 * NULL when it cannot be allocated; the caller then takes a path that
 * needs no buffer. 64-byte aligned. */
typedef struct thread_buffer {
    pthread_key_t key;        /* the calling thread's block, freed by the key's destructor */
    _Atomic int state;        /* 0 new, 1 key made, -1 no key could be made */
} thread_buffer;
#define THREAD_BUFFER_INIT {0, 0}
void *thread_buffer_get(thread_buffer *b, size_t bytes);

/* ---- the thread governor (governor.c) ----------------------------------------
 * The thread count of each step of a repeated job (training), at most
 * `max`: each step asks governor_begin for its count, runs on it
 * (threads_use) and reports its time and work (tokens) to governor_end.
 * Now and then a step runs on a neighbouring count, and the count that
 * measured fastest stays: beside another busy process, fewer threads than
 * cores can be faster. Only for work whose results do not depend on the
 * thread count (the kernels'). */
typedef struct thread_governor {
    int max, cur, probe, dir;   /* the request, the count in force, this step's probe (0: none), the next probe's side */
    int64_t steps, next_probe, interval, changes;
    double base;                /* the count in force's seconds per unit of work at the last decision */
    double *rate;               /* per count 1..max: seconds per unit of work (a running mean) */
    int64_t *when;              /* per count: the step it was last measured at, -1 never */
} thread_governor;
attn_status governor_init(thread_governor *g, int max);
int  governor_begin(thread_governor *g);
void governor_end(thread_governor *g, double seconds, double work);
void governor_free(thread_governor *g);
/* The OpenMP team size of later regions (and of the BLAS), n <= the count set
 * with attn_set_threads, whose workers exist; attn_get_threads() still
 * reports the set count. */
void threads_use(int n);

/* A growable buffer of token ids (alloc.c). */
typedef struct tok_ids {
    int32_t *data;
    int64_t n, cap;
} tok_ids;
/* Makes room for `extra` more ids. */
attn_status tok_ids_reserve(tok_ids *v, int64_t extra);

attn_status dir_ensure(const char *path);   /* mkdir -p: missing parents too; an existing non-directory is an error */
char *path_join(const char *dir, const char *name);   /* attn_free it; NULL on OOM */
bool file_exists(const char *path);

/* ---- UTF-8 ---------------------------------------------------------------- */
/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. Rejects
 * overlongs, surrogates and code points above U+10FFFF. */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
int utf8_encode(uint32_t cp, char out[4]);
/* Offset of the first invalid byte, or n if the whole buffer is valid. */
size_t utf8_validate(const char *s, size_t n);
/* attn_text_check for a piece of a larger text: its first line is number
 * first_line and its first byte at offset base of the whole. */
attn_status text_check_at(const char *name, const char *text, size_t len, int64_t first_line, size_t base);

/* ---- timing ---------------------------------------------------------------- */
double time_now(void);   /* seconds, monotonic */

/* Puts a formatted prefix and ": " before this thread's last error message
 * (e.g. the file it concerns) and returns status. */
attn_status error_prefixf(attn_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
