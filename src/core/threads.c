/* Thread count for the kernels (OpenMP when built with it). */
#include "core/core.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static int n_threads_set = 0;

void attn_set_threads(int n_threads) {
    if (n_threads <= 0) {
        const char *env = getenv("ATTN_THREADS");
        n_threads = env ? atoi(env) : 0;
    }
#ifdef _OPENMP
    if (n_threads <= 0) n_threads = omp_get_num_procs();
    omp_set_num_threads(n_threads);
#else
    if (n_threads <= 0) n_threads = 1;
#endif
    n_threads_set = n_threads;
}

int attn_get_threads(void) {
    if (!n_threads_set) attn_set_threads(0);
    return n_threads_set;
}
