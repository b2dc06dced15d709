/* bf16: the conversion, the bf16 GEMM paths (native AVX512-BF16 where the
 * CPU has it, fp32 emulation everywhere) and the bf16 linear kernels of
 * every table against a double-precision oracle over bf16-rounded inputs.
 *
 * Tolerance: every path multiplies the same bf16 values, and products of
 * two bf16 values are exact in fp32, so a path differs from the exact sum
 * only by its fp32 additions. K + 1 terms (the K products and the C it adds
 * to) summed in any order in fp32 are off by at most (K) u sum|terms|,
 * u = 2^-24 (Higham, recursive summation, to first order); the oracle's
 * double sum rounded once to fp32 adds u |c|. The bound used is
 * (K + 2) u sum|terms| per element: the worst case for any order, not a
 * fit to the observed error. */
#include "test.h"

#include "kernels/bf16.h"
#include "kernels/cpu/gemm_bf16.h"
#include "kernels/kernels.h"
#include "kernels/ref/ref.h"

#include <pthread.h>
#include <stdint.h>

typedef void (*gemm_fn)(bool, bool, int64_t, int64_t, int64_t, const void *, gemm_dtype, int64_t, const void *,
                        gemm_dtype, int64_t, float, float *, int64_t);

static uint64_t rng_s = 0x9e3779b97f4a7c15ull;
static float frand(void) { /* uniform in [-1, 1) from xorshift */
    rng_s ^= rng_s << 13;
    rng_s ^= rng_s >> 7;
    rng_s ^= rng_s << 17;
    return (float)((double)(rng_s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float f32_of(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

TEST("bf16_from_f32: nearest even on ties, exact values kept, overflow to inf, NaN stays NaN") {
    CHECK(bf16_from_f32(1.0f) == 0x3f80);
    CHECK(bf16_from_f32(-2.0f) == 0xc000);
    CHECK(bf16_from_f32(f32_of(0x3f808000u)) == 0x3f80); /* 1 + 2^-8: tie, even mantissa below */
    CHECK(bf16_from_f32(f32_of(0x3f818000u)) == 0x3f82); /* 1 + 3*2^-8: tie, odd below -> up */
    CHECK(bf16_from_f32(f32_of(0x3f808001u)) == 0x3f81); /* just above the tie */
    CHECK(bf16_from_f32(f32_of(0x3f807fffu)) == 0x3f80); /* just below */
    CHECK(bf16_from_f32(f32_of(0x7f7fffffu)) == 0x7f80); /* FLT_MAX rounds to +inf */
    CHECK(bf16_from_f32(f32_of(0xff800000u)) == 0xff80); /* -inf */
    uint16_t n = bf16_from_f32(f32_of(0x7f800001u));     /* signalling NaN with a low payload */
    CHECK((n & 0x7f80) == 0x7f80 && (n & 0x7f) != 0);
    CHECK(bf16_from_f32(f32_of(0x00018000u)) == 0x0002); /* subnormal tie rounds to even, no flush */
    for (int i = 0; i < 1000; i++) {
        float x = frand() * 1000.0f;
        float r = bf16_round_f32(x);
        CHECK(fabsf(r - x) <= fabsf(x) * 0x1p-8f);
        CHECK(bf16_round_f32(r) == r);
    }
}

/* op(X)(r, c) as the value the GEMM multiplies */
static double val(const void *X, gemm_dtype t, bool trans, int64_t ld, int64_t r, int64_t c) {
    int64_t i = trans ? c * ld + r : r * ld + c;
    return t == GEMM_BF16 ? (double)bf16_to_f32(((const uint16_t *)X)[i]) : (double)bf16_round_f32(((const float *)X)[i]);
}

static void *make(int64_t n, gemm_dtype t) {
    if (t == GEMM_BF16) {
        uint16_t *p = malloc((size_t)n * sizeof *p);
        for (int64_t i = 0; i < n; i++) p[i] = bf16_from_f32(frand());
        return p;
    }
    float *p = malloc((size_t)n * sizeof *p);
    for (int64_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

/* Runs fn on one case and checks every element against the oracle;
 * returns the number of elements out of bound. */
static int gemm_case(gemm_fn fn, bool ta, bool tb, int64_t M, int64_t N, int64_t K, gemm_dtype at, gemm_dtype bt,
                     float beta) {
    int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
    void *A = make((ta ? K : M) * lda, at), *B = make((tb ? N : K) * ldb, bt);
    float *C = malloc((size_t)(M * ldc) * sizeof *C), *C0 = malloc((size_t)(M * ldc) * sizeof *C0);
    for (int64_t i = 0; i < M * ldc; i++) C0[i] = C[i] = frand();
    fn(ta, tb, M, N, K, A, at, lda, B, bt, ldb, beta, C, ldc);
    int bad = 0;
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            double s = (double)beta * (double)C0[i * ldc + j], abs_sum = fabs(s);
            for (int64_t k = 0; k < K; k++) {
                double p = val(A, at, ta, lda, i, k) * val(B, bt, tb, ldb, k, j);
                s += p;
                abs_sum += fabs(p);
            }
            double tol = (double)(K + 2) * 0x1p-24 * abs_sum + 1e-30;
            if (fabs((double)C[i * ldc + j] - s) > tol && bad++ < 3)
                fprintf(stderr, "    ta=%d tb=%d M=%lld N=%lld K=%lld: C[%lld,%lld] = %.9g, want %.9g (tol %.3g)\n", ta, tb,
                        (long long)M, (long long)N, (long long)K, (long long)i, (long long)j, (double)C[i * ldc + j], s, tol);
        }
        for (int64_t j = N; j < ldc; j++) bad += C[i * ldc + j] != C0[i * ldc + j]; /* padding untouched */
    }
    free(A);
    free(B);
    free(C);
    free(C0);
    return bad;
}

static void gemm_all_cases(gemm_fn fn) {
    static const int64_t shapes[][3] = {{1, 1, 1},   {5, 17, 3},    {13, 33, 31}, {12, 32, 64},  {37, 70, 257},
                                        {2, 9, 600}, {200, 45, 40}, {25, 3100, 5}, {197, 65, 513},
                                        {29, 40, 1601}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int tr = 0; tr < 4; tr++)
            for (int types = 0; types < 3; types++) {
                gemm_dtype at = types == 2 ? GEMM_BF16 : GEMM_F32, bt = types >= 1 ? GEMM_BF16 : GEMM_F32;
                float beta = (s + (size_t)tr) % 2 ? 1.0f : 0.0f;
                CHECK(gemm_case(fn, tr & 1, tr & 2, shapes[s][0], shapes[s][1], shapes[s][2], at, bt, beta) == 0);
            }
}

/* past every block edge of the AMX path: K > 768 (one block of k pairs),
 * M > 192 rows, N > 3072 columns */
static void gemm_edge_cases(gemm_fn fn) {
    static const int64_t edges[][3] = {{200, 40, 800}, {33, 3100, 35}, {64, 64, 1537}};
    for (size_t s = 0; s < sizeof edges / sizeof edges[0]; s++)
        for (int tr = 0; tr < 4; tr++)
            CHECK(gemm_case(fn, tr & 1, tr & 2, edges[s][0], edges[s][1], edges[s][2], GEMM_F32,
                            tr == 3 ? GEMM_BF16 : GEMM_F32, tr % 2 ? 1.0f : 0.0f) == 0);
}

TEST("gemm_bf16, fp32 emulation (generic build): NN/NT/TN/TT, fp32 and bf16 operands, odd shapes, block edges") {
    gemm_all_cases(gemm_bf16_generic);
}

TEST("gemm_bf16, AVX-512 build: native vdpbf16ps where the CPU has it, and its emulation path") {
    if (!__builtin_cpu_supports("avx512f")) {
        fprintf(stderr, "    (skipped: no AVX-512)\n");
        return;
    }
    fprintf(stderr, "    AVX-512 build path: %s\n", gemm_bf16_backend_avx512());
    gemm_all_cases(gemm_bf16_avx512);
    if (!strcmp(gemm_bf16_backend_avx512(), "amx")) gemm_edge_cases(gemm_bf16_avx512); /* the real tiles */
    gemm_all_cases(gemm_bf16_emulated_avx512);
}

/* The AMX path's blocking, packing and 32 x 32 tile kernel with the tile
 * instructions run by the C model (the CPU need not have AMX). */
static void gemm_amx_model(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void *A, gemm_dtype at, int64_t lda,
                           const void *B, gemm_dtype bt, int64_t ldb, float beta, float *C, int64_t ldc) {
    gemm_packed_amx_emulated_avx512(GEMM_PACK_BF16, ta, tb, M, N, K, 1.0f, A, at, lda, B, bt, ldb, beta, C, ldc, NULL);
}

TEST("gemm_bf16 on AMX tiles (the tile instructions by a C model): every case above, valid tile shapes") {
    if (!gemm_packed_available_avx512(GEMM_PACK_F32)) {
        fprintf(stderr, "    (skipped: no AVX-512)\n");
        return;
    }
    gemm_amx_emulation_faults_avx512();
    gemm_all_cases(gemm_amx_model);
    gemm_edge_cases(gemm_amx_model);
    CHECK(gemm_amx_emulation_faults_avx512() == 0);
}

TEST("gemm_bf16 rounds fp32 operands to bf16 (nearest even) before multiplying, on every path") {
    gemm_fn fns[4] = {gemm_bf16_generic, gemm_bf16_avx512, gemm_bf16_emulated_avx512, gemm_amx_model};
    for (int f = 0; f < 4; f++) {
        if (f > 0 && !__builtin_cpu_supports("avx512f")) break;
        /* 1 + 2^-9 rounds to 1 in bf16, 1 + 3*2^-8 to 1 + 2^-6: 40 such
         * products sum exactly in fp32 to 40 (1 + 2^-6) */
        float a[40], b[40], c = -1.0f;
        for (int k = 0; k < 40; k++) a[k] = 1.0f + 0x1p-9f, b[k] = 1.0f + 3 * 0x1p-8f;
        fns[f](false, true, 1, 1, 40, a, GEMM_F32, 40, b, GEMM_F32, 40, 0.0f, &c, 1);
        CHECK(c == 40.0f * (1.0f + 0x1p-6f));
    }
}

static void fill(float *p, int64_t n) {
    for (int64_t i = 0; i < n; i++) p[i] = frand();
}

static float max_rel(const float *a, const float *b, int64_t n, float floor_) {
    float m = 0;
    for (int64_t i = 0; i < n; i++) {
        float d = fabsf(a[i] - b[i]) / (fabsf(b[i]) + floor_);
        if (d > m || d != d) m = d != d ? INFINITY : d;
    }
    return m;
}

/* The linear kernels of table k against ref: N rows below and above the
 * GEMV threshold, with and without bias, gradients accumulated onto
 * nonzero values. Inputs are U(-1, 1): each sum is over C or N terms of
 * size <= 1 plus one term (bias or the accumulated gradient) of size <= 1,
 * so the any-order bound above is at most (n + 3) u (n + 1) absolute; the
 * check compares it with |a - b| / (|b| + 1), which is no larger. */
static float bound(int64_t n) { return (float)((double)(n + 3) * 0x1p-24 * (double)(n + 1)); }

static void linear_case(const kernels *k, int64_t N, int64_t C, int64_t OC, bool bias) {
    float *x = malloc(sizeof(float) * (size_t)(N * C)), *b = malloc(sizeof(float) * (size_t)OC);
    float *dout = malloc(sizeof(float) * (size_t)(N * OC));
    uint16_t *w = malloc(sizeof(uint16_t) * (size_t)(OC * C));
    float *o1 = malloc(sizeof(float) * (size_t)(N * OC)), *o2 = malloc(sizeof(float) * (size_t)(N * OC));
    float *dx1 = malloc(sizeof(float) * (size_t)(N * C)), *dx2 = malloc(sizeof(float) * (size_t)(N * C));
    float *dw1 = malloc(sizeof(float) * (size_t)(OC * C)), *dw2 = malloc(sizeof(float) * (size_t)(OC * C));
    float *db1 = malloc(sizeof(float) * (size_t)OC), *db2 = malloc(sizeof(float) * (size_t)OC);
    fill(x, N * C);
    fill(b, OC);
    fill(dout, N * OC);
    for (int64_t i = 0; i < OC * C; i++) w[i] = bf16_from_f32(frand());
    fill(dx1, N * C);
    memcpy(dx2, dx1, sizeof(float) * (size_t)(N * C));
    fill(dw1, OC * C);
    memcpy(dw2, dw1, sizeof(float) * (size_t)(OC * C));
    fill(db1, OC);
    memcpy(db2, db1, sizeof(float) * (size_t)OC);
    k->matmul_forward_bf16(o1, x, w, bias ? b : NULL, N, C, OC);
    kernels_ref.matmul_forward_bf16(o2, x, w, bias ? b : NULL, N, C, OC);
    k->matmul_backward_bf16(dx1, dw1, bias ? db1 : NULL, dout, x, w, N, C, OC);
    kernels_ref.matmul_backward_bf16(dx2, dw2, bias ? db2 : NULL, dout, x, w, N, C, OC);
    float tol_f = bound(C), tol_x = bound(OC), tol_w = bound(N);
    float ef = max_rel(o1, o2, N * OC, 1.0f), ex = max_rel(dx1, dx2, N * C, 1.0f), ew = max_rel(dw1, dw2, OC * C, 1.0f);
    CHECK(ef <= tol_f);
    CHECK(ex <= tol_x);
    CHECK(ew <= tol_w);
    if (bias) CHECK(max_rel(db1, db2, OC, 1.0f) <= bound(N));
    /* fused with each activation: pre as the plain forward, out = act(pre)
     * (the activations' slopes are below 1.2: twice the bound covers them, plus the
     * 1e-5 the cpu activations keep to ref's) */
    float *p1 = malloc(sizeof(float) * (size_t)(N * OC)), *p2 = malloc(sizeof(float) * (size_t)(N * OC));
    for (int a = 0; a < 3; a++) {
        k->matmul_act_forward_bf16(o1, p1, x, w, bias ? b : NULL, N, C, OC, (kernel_act)a);
        kernels_ref.matmul_act_forward_bf16(o2, p2, x, w, bias ? b : NULL, N, C, OC, (kernel_act)a);
        float ep = max_rel(p1, p2, N * OC, 1.0f), ea = max_rel(o1, o2, N * OC, 1.0f);
        CHECK(ep <= tol_f);
        CHECK(ea <= 2 * tol_f + 1e-5f);
        if (ep > tol_f || ea > 2 * tol_f + 1e-5f)
            fprintf(stderr, "    %s act %d N=%lld C=%lld OC=%lld: pre %.3g out %.3g\n", k->name, a, (long long)N,
                    (long long)C, (long long)OC, (double)ep, (double)ea);
    }
    free(p1), free(p2);
    if (ef > tol_f || ex > tol_x || ew > tol_w)
        fprintf(stderr, "    %s N=%lld C=%lld OC=%lld: out %.3g dinp %.3g dweight %.3g\n", k->name, (long long)N,
                (long long)C, (long long)OC, (double)ef, (double)ex, (double)ew);
    free(x), free(b), free(dout), free(w), free(o1), free(o2), free(dx1), free(dx2), free(dw1), free(dw2), free(db1), free(db2);
}

TEST("matmul bf16: every cpu table matches ref (GEMV rows 1-3, few rows 2-8, GEMM rows, odd widths, bias or not)") {
    const kernels *tables[3] = {&kernels_cpu_generic, &kernels_cpu_avx2, &kernels_cpu_avx512};
    static const int64_t shapes[][3] = {{1, 7, 5},     {2, 64, 33},   {3, 100, 4}, {5, 33, 70},   {64, 96, 288},
                                        {1, 4100, 9},  {8, 4100, 9},  {7, 576, 40}, {8, 576, 37}, {9, 64, 33},   {17, 576, 37}, {24, 100, 9}, {25, 64, 33}};
    __builtin_cpu_init();
    for (int t = 0; t < 3; t++) {
        if (t == 1 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) continue;
        if (t == 2 && !__builtin_cpu_supports("avx512f")) continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int bias = 0; bias < 2; bias++) linear_case(tables[t], shapes[s][0], shapes[s][1], shapes[s][2], bias);
    }
}

TEST("matmul bf16 differs from fp32 by bf16 rounding only (relative error about 2^-8 per input)") {
    int64_t N = 16, C = 64, OC = 24;
    float *x = malloc(sizeof(float) * (size_t)(N * C)), *wf = malloc(sizeof(float) * (size_t)(OC * C));
    uint16_t *w = malloc(sizeof(uint16_t) * (size_t)(OC * C));
    float *o1 = malloc(sizeof(float) * (size_t)(N * OC)), *o2 = malloc(sizeof(float) * (size_t)(N * OC));
    fill(x, N * C);
    fill(wf, OC * C);
    for (int64_t i = 0; i < OC * C; i++) w[i] = bf16_from_f32(wf[i]);
    kernels_cpu.matmul_forward_bf16(o1, x, w, NULL, N, C, OC);
    kernels_ref.matmul_forward(o2, x, wf, NULL, N, C, OC);
    /* each product carries <= 2^-8 + 2^-8 relative error; the sum of C
     * products of |.| <= 1 is off by at most 2^-7 C, far less in practice */
    float worst = 0, any = 0;
    for (int64_t i = 0; i < N * OC; i++) {
        float d = fabsf(o1[i] - o2[i]);
        worst = d > worst ? d : worst;
        any += d;
    }
    CHECK(worst <= 0x1p-7f * (float)C);
    CHECK(any > 0); /* and it does round: not an fp32 product */
    free(x), free(wf), free(w), free(o1), free(o2);
}

/* The GEMV (one row of the bf16 linear layer, as in decoding) of table k
 * on a thread of its own, with a stack of `stack` bytes (0: the default)
 * and, when fail_first, the thread's first allocation failed. */
typedef struct gemv_job {
    const kernels *k;
    const float *x, *b;
    const uint16_t *w;
    float *out;
    int64_t C, OC;
    bool fail_first;
} gemv_job;

static void *gemv_thread(void *p) {
    gemv_job *j = p;
    if (j->fail_first) {
        test_alloc_count = 0;
        test_alloc_fail_at = 0;
        attn_set_allocator(test_failing_realloc, NULL);
    }
    j->k->matmul_forward_bf16(j->out, j->x, j->w, j->b, 1, j->C, j->OC);
    if (j->fail_first) attn_set_allocator(NULL, NULL);
    return NULL;
}

static void gemv_thread_case(const kernels *k, int64_t C, int64_t OC, size_t stack, bool fail_first) {
    float *x = malloc(sizeof(float) * (size_t)C), *b = malloc(sizeof(float) * (size_t)OC);
    uint16_t *w = malloc(sizeof(uint16_t) * (size_t)(OC * C));
    float *o1 = malloc(sizeof(float) * (size_t)OC), *o2 = malloc(sizeof(float) * (size_t)OC);
    fill(x, C);
    fill(b, OC);
    for (int64_t i = 0; i < OC * C; i++) w[i] = bf16_from_f32(frand());
    for (int64_t i = 0; i < OC; i++) o1[i] = NAN;
    gemv_job j = {k, x, b, w, o1, C, OC, fail_first};
    pthread_attr_t attr;
    pthread_t t;
    CHECK(pthread_attr_init(&attr) == 0);
    if (stack) CHECK(pthread_attr_setstacksize(&attr, stack) == 0);
    CHECK(pthread_create(&t, &attr, gemv_thread, &j) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    pthread_attr_destroy(&attr);
    if (fail_first) CHECK(test_alloc_count == 1); /* its buffer, refused; then nothing more */
    kernels_ref.matmul_forward_bf16(o2, x, w, b, 1, C, OC);
    float e = max_rel(o1, o2, OC, 1.0f);
    CHECK(e <= bound(C));
    if (!(e <= bound(C)))
        fprintf(stderr, "    %s C=%lld OC=%lld stack %zu%s: %.3g\n", k->name, (long long)C, (long long)OC, stack,
                fail_first ? ", no buffer" : "", (double)e);
    free(x), free(b), free(w), free(o1), free(o2);
}

/* Inputs longer than the 4096 values rounded at a time, and shorter. The
 * input rounded to bf16 was an array of up to 16 KiB on every thread's
 * stack (a stack that cannot grow by that much when memory is short ends
 * the process with a segmentation fault): on a thread with a 24 KiB stack
 * (TLS and the guard page included) it overflowed. */
TEST("bf16 GEMV: no large array on the stack (a thread with a 24 KiB stack), and a result without its buffer") {
    const kernels *tables[3] = {&kernels_cpu_generic, &kernels_cpu_avx2, &kernels_cpu_avx512};
    static const int64_t shapes[][2] = {{4100, 9}, {8192, 70}, {100, 33}};
    __builtin_cpu_init();
    for (int t = 0; t < 3; t++) {
        if (t == 1 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) continue;
        if (t == 2 && !__builtin_cpu_supports("avx512f")) continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            gemv_thread_case(tables[t], shapes[s][0], shapes[s][1], 24576, false);
            gemv_thread_case(tables[t], shapes[s][0], shapes[s][1], 0, true);
        }
    }
}
