/* bench_machine — this machine's limits, measured on the spot: peak fp32
 * FMA throughput (AVX-512, else AVX2/FMA, on every thread), peak bf16 dot
 * products (AVX512-BF16 vdpbf16ps) and AMX bf16 tiles (tdpbf16ps) where the
 * CPU has them (0 where not), and main-memory
 * read bandwidth (a sum over a 1 GiB buffer on every thread). The model
 * benchmarks divide by these numbers to report utilisation. One JSON line. */
#include "core/core.h"
#include "kernels/cpu/amx.h"

#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define CHAINS 12 /* independent accumulators: covers FMA latency x ports */

__attribute__((target("avx512f"))) static double fma_avx512(int64_t iters) {
    __m512 acc[CHAINS], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (int64_t it = 0; it < iters; it++)
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    __m512 s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = _mm512_add_ps(s, acc[i]);
    return (double)_mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static double fma_avx2(int64_t iters) {
    __m256 acc[CHAINS], x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    for (int64_t it = 0; it < iters; it++)
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    float out[8];
    __m256 s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = _mm256_add_ps(s, acc[i]);
    _mm256_storeu_ps(out, s);
    return (double)(out[0] + out[7]);
}

__attribute__((target("avx512f,avx512bf16"))) static double dp_bf16(int64_t iters) {
    __m512 acc[CHAINS];
    __m512bh a = (__m512bh)_mm512_set1_epi32(0x3f803f80), b = (__m512bh)_mm512_set1_epi32(0x3f803f80);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_setzero_ps();
    for (int64_t it = 0; it < iters; it++)
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    __m512 s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = _mm512_add_ps(s, acc[i]);
    return (double)_mm512_reduce_add_ps(s);
}

#ifdef AMX_ASM
/* tdpbf16ps into four 16 x 16 fp32 tiles from two A and two B tiles:
 * CHAINS instructions an iteration, 16 x 16 x 32 multiply-adds each. */
static double dp_amx(int64_t iters) {
    uint16_t ones[16 * 32];
    for (int i = 0; i < 16 * 32; i++) ones[i] = 0x3f80; /* bf16 1.0 */
    amx_tilecfg cfg = amx_config_full();
    float out[16 * 16];
    AMX_CONFIG(&cfg);
    AMX_ZERO(0);
    AMX_ZERO(1);
    AMX_ZERO(2);
    AMX_ZERO(3);
    AMX_LOAD(4, ones, 64);
    AMX_LOAD(5, ones, 64);
    AMX_LOAD(6, ones, 64);
    AMX_LOAD(7, ones, 64);
    for (int64_t it = 0; it < iters; it++)
        for (int r = 0; r < CHAINS / 4; r++) {
            AMX_DPBF16(0, 4, 6);
            AMX_DPBF16(1, 4, 7);
            AMX_DPBF16(2, 5, 6);
            AMX_DPBF16(3, 5, 7);
        }
    AMX_STORE(0, out, 64);
    AMX_RELEASE();
    return (double)out[0];
}
#endif

/* FLOP/s over all threads of kernel f, whose one iteration is CHAINS
 * instructions of `flops_per_insn`. */
static double measure(double (*f)(int64_t), double flops_per_insn, int64_t iters) {
    /* ~50 ms a round (iters), best of 7: one round in which a thread
     * started late or lost its core reads as half the machine */
    double best = 0, sink = 0;
    for (int rep = 0; rep < 7; rep++) {
        double t0 = time_now();
        int nt = 1;
#pragma omp parallel reduction(+ : sink)
        {
#ifdef _OPENMP
#pragma omp single
            nt = omp_get_num_threads();
#endif
            sink += f(iters);
        }
        double dt = time_now() - t0;
        double r = (double)nt * (double)iters * CHAINS * flops_per_insn / dt;
        if (r > best) best = r;
    }
    if (sink == 12345.678) printf(" ");
    return best;
}

static double bandwidth(void) {
    size_t n = (size_t)1 << 28; /* 1 GiB of floats */
    float *buf = attn_malloc_aligned(n * sizeof(float));
    if (!buf) return 0;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) buf[i] = (float)(i & 7);
    double best = 0, sink = 0;
    for (int rep = 0; rep < 7; rep++) { /* best of 7: the host's bandwidth is shared */
        double t0 = time_now(), s = 0;
#pragma omp parallel for simd reduction(+ : s) schedule(static)
        for (size_t i = 0; i < n; i++) s += (double)buf[i];
        double dt = time_now() - t0;
        sink += s;
        double r = (double)(n * sizeof(float)) / dt;
        if (r > best) best = r;
    }
    attn_free_aligned(buf);
    if (sink == 1.5) printf(" ");
    return best;
}

/* bench_machine [--threads N] [--bandwidth]: --bandwidth measures the
 * read bandwidth alone (bench/run.sh measures it again between rounds). */
int main(int argc, char **argv) {
    int threads = 0;
    bool bandwidth_only = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--bandwidth")) bandwidth_only = true;
        else {
            fprintf(stderr, "usage: bench_machine [--threads N] [--bandwidth]\n");
            return 2;
        }
    }
    attn_set_threads(threads);
    if (bandwidth_only) {
        printf("{\"threads\": %d, \"read_gb_per_s\": %.2f}\n", attn_get_threads(), bandwidth() / 1e9);
        return 0;
    }
    __builtin_cpu_init();
    bool avx512 = __builtin_cpu_supports("avx512f");
    double fp32 = avx512 ? measure(fma_avx512, 32, 16 << 20) : measure(fma_avx2, 16, 16 << 20);
    double bf16 = 0, amx = 0;
    if (avx512 && __builtin_cpu_supports("avx512bf16")) bf16 = measure(dp_bf16, 64, 16 << 20);
#ifdef AMX_ASM
    if (amx_bf16_usable()) amx = measure(dp_amx, 16.0 * 16 * 32 * 2, 1 << 18);
#endif
    double bw = bandwidth();
    printf("{\"threads\": %d, \"fp32_fma_gflops\": %.1f, \"bf16_dot_gflops\": %.1f, \"amx_bf16_gflops\": %.1f, "
           "\"read_gb_per_s\": %.2f, \"isa\": \"%s\"}\n",
           attn_get_threads(), fp32 / 1e9, bf16 / 1e9, amx / 1e9, bw / 1e9, avx512 ? "avx512" : "avx2");
    return 0;
}
