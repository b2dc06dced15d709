/* Thread count for the kernels (OpenMP when built with it). A count is
 * checked against a cap of 4 x the cores: more threads than that only
 * oversubscribe the machine, and a huge count (100000) made libgomp create
 * threads until their stacks ran out and the process crashed.
 *
 * libgomp creates its worker threads at the first parallel region that
 * needs them, and when pthread_create fails it prints "Thread creation
 * failed" and exits: under a memory limit (`ulimit -v`), each worker's
 * stack (8 MB by default) could not be mapped once the model was loaded,
 * and the process ended inside the OpenMP runtime. So when the count is
 * set, the threads are first tried: as many as can exist at once, with the
 * stack size libgomp gives its workers, are created and joined. The count
 * becomes what could be created (at least 1; attn_get_threads() reports
 * it), and an empty parallel region then makes libgomp create its pool of
 * that many workers right away, before later memory use can starve it.
 * Every region of the kernels runs on that pool (they take the default
 * count), so libgomp needs no further thread. */
#include "core/core.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static int n_threads_set = 0;

static int n_cores(void) {
#ifdef _OPENMP
    int n = omp_get_num_procs();
#else
    long n = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    return n > 0 ? (int)n : 1;
}

int attn_max_threads(void) { return 4 * n_cores(); }

/* ATTN_THREADS as a count in 1..max; 0 when unset or empty. */
static attn_status env_threads(int *out) {
    const char *env = getenv("ATTN_THREADS");
    *out = 0;
    if (!env || !*env) return ATTN_OK;
    char *end;
    errno = 0;
    long v = strtol(env, &end, 10);
    int max = attn_max_threads();
    if (errno || end == env || *end || v < 1 || v > max)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "ATTN_THREADS must be a thread count in 1..%d (4 x the %d cores), not '%s'",
                           max, n_cores(), env);
    *out = (int)v;
    return ATTN_OK;
}

#ifdef _OPENMP
/* A stack size as libgomp reads OMP_STACKSIZE / GOMP_STACKSIZE: a number,
 * then optionally B, K, M or G (K when none), spaces around either; false
 * when `name` is unset or not such a size (libgomp then ignores it). */
static bool env_stack_size(const char *name, size_t *out) {
    const char *s = getenv(name);
    if (!s) return false;
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s) return false;
    while (isspace((unsigned char)*end)) end++;
    unsigned shift = 10;
    if (*end) {
        switch (tolower((unsigned char)*end)) {
        case 'b': shift = 0; break;
        case 'k': shift = 10; break;
        case 'm': shift = 20; break;
        case 'g': shift = 30; break;
        default: return false;
        }
        end++;
        while (isspace((unsigned char)*end)) end++;
        if (*end) return false;
    }
    if (((v << shift) >> shift) != v) return false;
    *out = (size_t)(v << shift);
    return true;
}

static void *probe_thread(void *arg) { return arg; }

/* How many threads, the caller included, can exist at once, up to `want`:
 * want - 1 threads with libgomp's workers' stack size (OMP_STACKSIZE, else
 * GOMP_STACKSIZE, else the pthread default, which glibc takes from the
 * stack limit) are created, then all joined; a joined thread's stack goes
 * to glibc's cache, where libgomp's own threads find it. */
static int threads_possible(int want) {
    if (want <= 1) return 1;
    pthread_t *t = attn_malloc((size_t)(want - 1) * sizeof *t);
    if (!t) return 1;
    pthread_attr_t attr;
    bool have_attr = pthread_attr_init(&attr) == 0;
    size_t stack;
    if (have_attr && (env_stack_size("OMP_STACKSIZE", &stack) || env_stack_size("GOMP_STACKSIZE", &stack)))
        (void)pthread_attr_setstacksize(&attr, stack); /* refused by libgomp too: the default stays */
    int made = 0;
    while (made < want - 1 && pthread_create(&t[made], have_attr ? &attr : NULL, probe_thread, NULL) == 0) made++;
    for (int i = 0; i < made; i++) pthread_join(t[i], NULL);
    if (have_attr) pthread_attr_destroy(&attr);
    attn_free(t);
    return made + 1;
}
#endif

/* Uses up to n_threads threads: as many as can be created, each created
 * now in libgomp's pool. */
static void apply(int n_threads) {
#ifdef _OPENMP
    if (!omp_in_parallel()) {
        n_threads = threads_possible(n_threads);
        omp_set_num_threads(n_threads);
        /* an empty region: libgomp starts its workers now */
#pragma omp parallel num_threads(n_threads)
        {
            (void)0;
        }
    } else {
        omp_set_num_threads(n_threads);
    }
#endif
    n_threads_set = n_threads;
}

attn_status attn_set_threads(int n_threads) {
    int max = attn_max_threads();
    if (n_threads < 0 || n_threads > max)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "thread count %d is not in 1..%d (4 x the %d cores)", n_threads, max, n_cores());
    if (n_threads == 0) {
        attn_status st = env_threads(&n_threads);
        if (st) return st;
    }
#ifdef _OPENMP
    if (n_threads == 0) n_threads = n_cores();
#else
    if (n_threads == 0) n_threads = 1;
#endif
    apply(n_threads);
    return ATTN_OK;
}

int attn_get_threads(void) {
    if (!n_threads_set) {
        /* nobody chose: ATTN_THREADS when it is valid, else every core (a
         * caller that wants the error calls attn_set_threads(0) itself) */
        int n = 0;
        if (env_threads(&n) != ATTN_OK) n = 0;
#ifdef _OPENMP
        apply(n ? n : n_cores());
#else
        apply(n ? n : 1);
#endif
    }
    return n_threads_set;
}

/* ---- per-thread buffers ----------------------------------------------------- */

/* A block and its usable size, as one allocation: the header is 64 bytes,
 * so the data that follows stays 64-byte aligned. */
typedef struct tb_block {
    size_t bytes;
    char pad[64 - sizeof(size_t)];
} tb_block;

static void tb_release(void *p) { attn_free_aligned(p); }

static pthread_mutex_t tb_lock = PTHREAD_MUTEX_INITIALIZER;

void *thread_buffer_get(thread_buffer *b, size_t bytes) {
    int state = atomic_load(&b->state);
    if (state == 0) {
        pthread_mutex_lock(&tb_lock);
        if ((state = atomic_load(&b->state)) == 0) {
            state = pthread_key_create(&b->key, tb_release) == 0 ? 1 : -1;
            atomic_store(&b->state, state);
        }
        pthread_mutex_unlock(&tb_lock);
    }
    if (state < 0) return NULL; /* no way to free it when the thread ends */
    tb_block *blk = pthread_getspecific(b->key);
    if (blk && blk->bytes >= bytes) return blk + 1;
    if (bytes > SIZE_MAX - sizeof *blk) return NULL;
    tb_block *grown = attn_malloc_aligned(sizeof *blk + bytes);
    if (!grown) return NULL;
    if (pthread_setspecific(b->key, grown) != 0) {
        attn_free_aligned(grown);
        return NULL;
    }
    attn_free_aligned(blk);
    grown->bytes = bytes;
    return grown + 1;
}
