/* blas.h — OpenBLAS, loaded at run time (dlopen) by the first matrix
 * product that wants it, never at program start.
 *
 * Linked at load time, OpenBLAS's library constructor reserves buffers for
 * every thread (about 130 MiB each, then as much again on the first large
 * product) before main, and under a small address-space limit (ulimit -v
 * below about 450 MiB on two cores) it retries the failing allocation
 * forever: every command, even --help, hung. Loaded here instead, it is
 * skipped (gemm.c then runs attn's own kernels) when RLIMIT_AS or
 * RLIMIT_DATA leaves less room than its buffers need, and its buffers are
 * allocated at once by a small warm-up product, so that a later product
 * does not map more. A user of libattn.a links -ldl, not -lopenblas.
 *
 * Built with ATTN_HAVE_BLAS (the Makefile defines it, with ATTN_BLAS_LIB
 * the library's path, where it found OpenBLAS); without it blas_load()
 * is always false. */
#ifndef ATTN_KERNELS_BLAS_H
#define ATTN_KERNELS_BLAS_H

#include <stdbool.h>

/* The CBLAS constants (cblas.h's values), so that no header is needed. */
enum { BLAS_ROW_MAJOR = 101, BLAS_NO_TRANS = 111, BLAS_TRANS = 112 };

typedef void (*blas_sgemm_fn)(int order, int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                              int lda, const float *B, int ldb, float beta, float *C, int ldc);
typedef void (*blas_sgemv_fn)(int order, int trans, int M, int N, float alpha, const float *A, int lda,
                              const float *x, int incx, float beta, float *y, int incy);

typedef struct blas_api {
    blas_sgemm_fn sgemm;
    blas_sgemv_fn sgemv;
} blas_api;

/* Loads the BLAS once (thread-safe) and returns its functions, or NULL where
 * none was built in, it does not load, or the memory limits leave too little
 * room for it. */
const blas_api *blas_load(void);

/* The bytes of address space OpenBLAS needs with n threads (its buffers and
 * the library), and whether a limit of `limit` bytes with `used` bytes in
 * use leaves that much (exposed for the tests). */
bool blas_fits(unsigned long long limit, unsigned long long used, int n_threads);

#endif
