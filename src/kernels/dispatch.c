/* Run-time choice of kernel table by processor features. */
#include "kernels/kernels.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/gemm_bf16.h"

#include "attn/attn.h"

#include <stdio.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif
#include <stdlib.h>
#include <string.h>

static bool cpu_has_avx512(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    /* libgcc's checks include the OS's XSAVE support for the zmm state */
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

static bool cpu_has_avx2(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    /* F16C through CPUID: clang before 16 has no "f16c" for __builtin_cpu_supports */
    unsigned a, b, c, d;
    bool f16c = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
#else
    return false;
#endif
}

const kernels *kernels_cpu_best(void) {
    static const kernels *best;
    if (!best) {
        const char *e = getenv("ATTN_CPU_ISA");
        bool generic = e && !strcmp(e, "generic"), avx2 = e && !strcmp(e, "avx2");
        best = !generic && !avx2 && cpu_has_avx512() ? &kernels_cpu_avx512
               : !generic && cpu_has_avx2()          ? &kernels_cpu_avx2
                                                     : &kernels_cpu_generic;
    }
    return best;
}

const kernels *kernels_default(void) {
    const char *e = getenv("ATTN_KERNELS");
    if (e && !strcmp(e, "ref")) return &kernels_ref;
    return kernels_cpu_best();
}

/* The fp32 products of the kernels in use: the reference loops, attn's
 * packed kernels and the blocked loop give each output the same sum
 * whatever the thread count; the BLAS (OpenBLAS) does not for every shape
 * (one thread and several take different paths). */
static const char *matrix_backend(void) {
    const kernels *k = kernels_default(), *best = kernels_cpu_best();
    return k == &kernels_ref                ? "ref"
           : best == &kernels_cpu_avx512 ? gemm_backend_avx512()
           : best == &kernels_cpu_avx2   ? gemm_backend_avx2()
                                         : gemm_backend();
}

bool kernels_thread_invariant(void) { return strcmp(matrix_backend(), "openblas") != 0; }

const char *attn_system_info(void) {
    static char info[256];
    const kernels *k = kernels_default();
    const kernels *best = kernels_cpu_best();
    bool ref = k == &kernels_ref;
    const char *mm = matrix_backend();
    const char *bf16 = ref                            ? "ref"
                       : best == &kernels_cpu_avx512 ? gemm_bf16_backend_avx512()
                       : best == &kernels_cpu_avx2   ? gemm_bf16_backend_avx2()
                                                     : gemm_bf16_backend_generic();
    snprintf(info, sizeof info, "kernels %s, matrix products %s, bf16 products %s, threads %d", k->name, mm, bf16,
             attn_get_threads());
    return info;
}
