/* Thread count for the kernels (OpenMP when built with it). A count is
 * checked against a cap of 4 x the cores: more threads than that only
 * oversubscribe the machine, and a huge count (100000) made libgomp create
 * threads until their stacks ran out and the process crashed. */
#include "core/core.h"

#include <errno.h>
#include <limits.h>
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

static void apply(int n_threads) {
#ifdef _OPENMP
    omp_set_num_threads(n_threads);
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
