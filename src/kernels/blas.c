/* OpenBLAS loaded on first use (see blas.h). */
#include "kernels/blas.h"

#include <stdlib.h>

#ifdef ATTN_HAVE_BLAS
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#endif

#define MIB (1024ull * 1024ull)

/* Measured with OpenBLAS 0.3.21 (Debian's OpenMP build): the library and
 * its start-up buffers, then the first large product's, came to 307 MiB of
 * address space with one thread and 447 MiB with two; a margin on top for
 * attn's own first allocations. */
bool blas_fits(unsigned long long limit, unsigned long long used, int n_threads) {
    if (n_threads < 1) n_threads = 1;
    unsigned long long need = 256 * MIB + 160 * MIB * (unsigned long long)n_threads;
    return used < limit && limit - used >= need;
}

#ifdef ATTN_HAVE_BLAS
#ifndef ATTN_BLAS_LIB
#define ATTN_BLAS_LIB "libopenblas.so.0"
#endif

static blas_api api;
static bool api_ok;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Address space and data in use now (bytes), from /proc/self/statm; 0
 * where it cannot be read. */
static void memory_used(unsigned long long *vm, unsigned long long *data) {
    *vm = *data = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return;
    unsigned long long size = 0, res, shared, text, lib, dat = 0;
    if (fscanf(f, "%llu %llu %llu %llu %llu %llu", &size, &res, &shared, &text, &lib, &dat) == 6) {
        long page = sysconf(_SC_PAGESIZE);
        *vm = size * (unsigned long long)(page > 0 ? page : 4096);
        *data = dat * (unsigned long long)(page > 0 ? page : 4096);
    }
    fclose(f);
}

/* The threads OpenBLAS will run: its own setting, else OpenMP's, at most
 * the processors (its own cap). */
static int blas_threads(void) {
    long procs = sysconf(_SC_NPROCESSORS_ONLN);
    int n = 1;
#ifdef _OPENMP
    n = omp_get_max_threads();
#endif
    const char *names[] = {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *e = getenv(names[i]);
        long v = e ? strtol(e, NULL, 10) : 0;
        if (v > 0) {
            if (v > n) n = v > 1 << 16 ? 1 << 16 : (int)v;
            break;
        }
    }
    if (procs > 0 && n > procs) n = (int)procs;
    return n;
}

static bool limits_allow(void) {
    unsigned long long vm, data;
    memory_used(&vm, &data);
    int n = blas_threads();
    struct rlimit r;
    if (getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur != RLIM_INFINITY && !blas_fits(r.rlim_cur, vm, n)) return false;
    if (getrlimit(RLIMIT_DATA, &r) == 0 && r.rlim_cur != RLIM_INFINITY && !blas_fits(r.rlim_cur, data, n))
        return false;
    return true;
}

static void load_once(void) {
    if (!limits_allow()) return;
    void *h = dlopen(ATTN_BLAS_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!h && ATTN_BLAS_LIB[0] == '/') h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
    /* POSIX lets a data pointer hold a function's address (dlsym) */
    blas_api a;
    *(void **)&a.sgemm = dlsym(h, "cblas_sgemm");
    *(void **)&a.sgemv = dlsym(h, "cblas_sgemv");
    if (!a.sgemm || !a.sgemv) return; /* the handle stays open: closing a BLAS that started threads is unsafe */
    /* a product large enough for every thread's buffers, so that later
     * ones map nothing more (the limits were checked for these) */
    enum { W = 256 };
    float *m = calloc(3 * (size_t)W * W, sizeof(float));
    if (!m) return;
    a.sgemm(BLAS_ROW_MAJOR, BLAS_NO_TRANS, BLAS_NO_TRANS, W, W, W, 1.0f, m, W, m + W * W, W, 0.0f, m + 2 * W * W, W);
    free(m);
    api = a;
    api_ok = true;
}

const blas_api *blas_load(void) {
    pthread_once(&once, load_once);
    return api_ok ? &api : NULL;
}
#else
const blas_api *blas_load(void) { return NULL; }
#endif
