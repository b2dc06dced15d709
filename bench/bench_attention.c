/* bench_attention — FlashAttention (attn's tiled CPU kernel) against naive
 * attention that materialises the score matrix (S = Q K^T with a BLAS GEMM,
 * row softmax, O = P V; backward through P kept from the forward, as eager
 * PyTorch does), causal, B=1, H heads of width D, forward + backward.
 * Prints one JSON line per (method, T): milliseconds, and the bytes the
 * method keeps or needs beyond its inputs and outputs (the score/probability
 * matrices for naive; the log-sum-exp for flash), plus the process's peak
 * resident memory growth measured around the call.
 *
 * --decode: one decoding step instead (one query over T cached keys, the
 * KV cache's layout), for the tiled forward kernel and the row kernel that
 * attn runs for it: microseconds per step over all heads, best of 50.
 *
 *   bench_attention [--heads 12] [--dim 64] [--min-t 256] [--max-t 8192] [--naive-max-t 8192] [--decode] */
#include "core/core.h"
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/gemm.h"
#include "kernels/kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static long long arg(int argc, char **argv, const char *name, long long def) {
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return atoll(argv[i + 1]);
    return def;
}

static long peak_rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Naive causal attention, one head at a time over contiguous (T, D) q, k, v
 * per head; P (H, T, T) is kept for the backward. */
static void naive_forward(int64_t H, int64_t T, int64_t D, const float *q, const float *k, const float *v, float *P,
                          float *o) {
    float scale = 1.0f / sqrtf((float)D);
    for (int64_t h = 0; h < H; h++) {
        float *Ph = P + h * T * T;
        gemm_f32(false, true, T, T, D, scale, q + h * T * D, D, k + h * T * D, D, 0.0f, Ph, T);
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < T; i++) {
            float *row = Ph + i * T, mx = -INFINITY, sum = 0;
            for (int64_t j = 0; j <= i; j++) mx = row[j] > mx ? row[j] : mx;
            for (int64_t j = 0; j <= i; j++) sum += (row[j] = expf(row[j] - mx));
            for (int64_t j = 0; j <= i; j++) row[j] /= sum;
            for (int64_t j = i + 1; j < T; j++) row[j] = 0;
        }
        gemm_f32(false, false, T, D, T, 1.0f, Ph, T, v + h * T * D, D, 0.0f, o + h * T * D, D);
    }
}

static void naive_backward(int64_t H, int64_t T, int64_t D, const float *q, const float *k, const float *v,
                           const float *P, const float *dout, float *dP, float *dq, float *dk, float *dv) {
    float scale = 1.0f / sqrtf((float)D);
    for (int64_t h = 0; h < H; h++) {
        const float *Ph = P + h * T * T, *doh = dout + h * T * D;
        gemm_f32(true, false, T, D, T, 1.0f, Ph, T, doh, D, 1.0f, dv + h * T * D, D);   /* dV = P^T dO */
        gemm_f32(false, true, T, T, D, 1.0f, doh, D, v + h * T * D, D, 0.0f, dP, T);     /* dP = dO V^T */
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < T; i++) { /* dS = P (dP - rowsum(P dP)) */
            const float *p = Ph + i * T;
            float *g = dP + i * T, s = 0;
            for (int64_t j = 0; j < T; j++) s += p[j] * g[j];
            for (int64_t j = 0; j < T; j++) g[j] = p[j] * (g[j] - s);
        }
        gemm_f32(false, false, T, D, T, scale, dP, T, k + h * T * D, D, 1.0f, dq + h * T * D, D);  /* dQ */
        gemm_f32(true, false, T, D, T, scale, dP, T, q + h * T * D, D, 1.0f, dk + h * T * D, D);   /* dK */
    }
}

typedef void (*forward_fn)(const attn_dims *, float *, float *, const float *, const float *, const float *);

/* One-query steps over T cached keys: tiled kernel vs row kernel. */
static void decode_rows(int64_t H, int64_t D, int64_t t_min, int64_t t_max) {
    __builtin_cpu_init();
    bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
    forward_fn fns[2] = {avx512 ? cpu_attention_forward_tiles_avx512 : cpu_attention_forward_tiles_generic,
                         avx512 ? cpu_attention_forward_rows_avx512 : cpu_attention_forward_rows_generic};
    const char *names[2] = {"decode-tiles", "decode-rows"};
    int64_t C = H * D;
    for (int64_t T = t_min; T <= t_max; T *= 2) {
        float *q = malloc((size_t)C * 4), *kv = malloc((size_t)(2 * C * T) * 4), *o = malloc((size_t)C * 4);
        float *lse = malloc((size_t)H * 4);
        for (int64_t i = 0; i < C; i++) q[i] = rng_normal(1, 0, (uint64_t)i);
        for (int64_t i = 0; i < 2 * C * T; i++) kv[i] = rng_normal(1, 1, (uint64_t)i);
        attn_dims d = {.B = 1, .Tq = 1, .Tk = T, .H = H, .D = D, .q_stride = C, .kv_stride = 2 * C, .q_batch_stride = C,
                       .kv_batch_stride = 2 * C * T, .causal = true, .scale = 1.0f / sqrtf((float)D)};
        double best[2] = {1e30, 1e30};
        for (int r = 0; r < 50; r++) /* interleaved */
            for (int f = 0; f < 2; f++) {
                double t0 = time_now();
                fns[f](&d, o, lse, q, kv, kv + C);
                double dt = time_now() - t0;
                if (dt < best[f]) best[f] = dt;
            }
        for (int f = 0; f < 2; f++)
            printf("{\"method\": \"%s\", \"T\": %lld, \"us\": %.1f}\n", names[f], (long long)T, best[f] * 1e6);
        fflush(stdout);
        free(q), free(kv), free(o), free(lse);
    }
}

int main(int argc, char **argv) {
    int64_t H = arg(argc, argv, "--heads", 12), D = arg(argc, argv, "--dim", 64);
    int64_t t_min = arg(argc, argv, "--min-t", 256), t_max = arg(argc, argv, "--max-t", 8192);
    int64_t naive_max = arg(argc, argv, "--naive-max-t", 8192);
    const char *only = NULL;
    bool decode = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[i + 1];
        if (!strcmp(argv[i], "--decode")) decode = true;
    }
    attn_set_threads((int)arg(argc, argv, "--threads", 0));
    if (decode) {
        decode_rows(H, D, t_min, t_max);
        return 0;
    }
    const kernels *kc = kernels_default();
    for (int64_t T = t_min; T <= t_max; T *= 2) {
        size_t n = (size_t)(H * T * D);
        float *q = malloc(n * 4), *k = malloc(n * 4), *v = malloc(n * 4), *o = malloc(n * 4), *dout = malloc(n * 4),
              *dq = calloc(n, 4), *dk = calloc(n, 4), *dv = calloc(n, 4);
        for (size_t i = 0; i < n; i++) {
            q[i] = rng_normal(1, 0, i);
            k[i] = rng_normal(1, 1, i);
            v[i] = rng_normal(1, 2, i);
            dout[i] = rng_normal(1, 3, i);
        }
        if (!only || !strcmp(only, "flash")) {
            /* heads side by side in one (T, H*D) row layout, as the models use */
            float *qr = malloc(n * 4), *kr = malloc(n * 4), *vr = malloc(n * 4), *orow = malloc(n * 4),
                  *dor = malloc(n * 4), *lse = malloc((size_t)(H * T) * 4);
            for (int64_t h = 0; h < H; h++)
                for (int64_t t = 0; t < T; t++)
                    for (int64_t e = 0; e < D; e++) {
                        qr[t * H * D + h * D + e] = q[(h * T + t) * D + e];
                        kr[t * H * D + h * D + e] = k[(h * T + t) * D + e];
                        vr[t * H * D + h * D + e] = v[(h * T + t) * D + e];
                        dor[t * H * D + h * D + e] = dout[(h * T + t) * D + e];
                    }
            attn_dims d = {.B = 1, .Tq = T, .Tk = T, .H = H, .D = D, .q_stride = H * D, .kv_stride = H * D,
                           .q_batch_stride = T * H * D, .kv_batch_stride = T * H * D, .causal = true,
                           .scale = 1.0f / sqrtf((float)D)};
            long rss0 = peak_rss_kb();
            double t0 = time_now();
            kc->attention_forward(&d, orow, lse, qr, kr, vr);
            kc->attention_backward(&d, dq, dk, dv, dor, orow, lse, qr, kr, vr);
            double ms = 1000 * (time_now() - t0);
            printf("{\"method\": \"flash\", \"T\": %lld, \"ms\": %.2f, \"extra_bytes\": %lld, \"peak_rss_growth_kb\": %ld}\n",
                   (long long)T, ms, (long long)(H * T * 4), peak_rss_kb() - rss0);
            free(qr), free(kr), free(vr), free(orow), free(dor), free(lse);
        }
        if ((!only || !strcmp(only, "naive")) && T <= naive_max) {
            long rss0 = peak_rss_kb();
            double t0 = time_now();
            float *P = malloc((size_t)(H * T * T) * 4), *dP = malloc((size_t)(T * T) * 4);
            if (!P || !dP) {
                printf("{\"method\": \"naive\", \"T\": %lld, \"error\": \"out of memory\"}\n", (long long)T);
            } else {
                naive_forward(H, T, D, q, k, v, P, o);
                naive_backward(H, T, D, q, k, v, P, dout, dP, dq, dk, dv);
                double ms = 1000 * (time_now() - t0);
                printf("{\"method\": \"naive\", \"T\": %lld, \"ms\": %.2f, \"extra_bytes\": %lld, \"peak_rss_growth_kb\": %ld}\n",
                       (long long)T, ms, (long long)((H * T * T + T * T) * 4), peak_rss_kb() - rss0);
            }
            free(P), free(dP);
        }
        fflush(stdout);
        free(q), free(k), free(v), free(o), free(dout), free(dq), free(dk), free(dv);
    }
    return 0;
}
