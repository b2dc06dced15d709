/* Quantized inference: matmul_forward_q on every path (the reference, the
 * scalar build, AVX2, AVX512-VNNI, each forced by calling it by name)
 * against the reference kernel and against the fp32 product of the
 * dequantized weights with the unquantized activations; non-finite
 * scales; the embedding lookup; op_linear / op_embedding on a quantized
 * weight.
 *
 * Tolerance against the reference. Every path multiplies the same
 * integers: the activations are quantized by one function (quant_act_row)
 * and each block's integer dot is exact in int32. What differs is fp32
 * rounding after that: a path rounds each block's scale product once (dw dx,
 * and dx s for Q4_1's m term), accumulates at most 2 nb terms per lane with
 * one rounding each (an FMA or an add), then sums 8 lanes (3 additions) and
 * adds the bias (1); the reference sums in double and rounds once. So
 * |path - ref| <= (2 nb + 6) u M, u = 2^-24, to first order (Higham's bound
 * for recursive summation, any order), where M bounds the sum of the
 * magnitudes of every partial value a path forms: |bias| plus, per block,
 * |dw dx| times the sum of |code x qa| over the pairs, with the offsets a
 * lane may carry (Q8_0's VNNI path multiplies q + 128 and starts each lane
 * at -16 s, Q4_0's lanes start at -s), plus |mw dx s| for Q4_1. This is the
 * worst case for any summation order, not a fit to observed errors.
 *
 * Tolerance against fp32: the quantized activation dx qa differs from x by
 * at most dx (1/2 + 2^-16) (rounding to the nearest integer of x / dx, whose
 * fp32 product is within 2^-16 of exact as |x / dx| <= 127), so the product
 * differs from the exact one with dequantized weights by at most
 * sum over blocks of dx (1/2 + 2^-16) sum |w|, plus the fp32 rounding of
 * both sides ((2 nb + 6) u M as above, and u |exact|). */
#include "test.h"

#include "kernels/cpu/cpu_quant.h"
#include "kernels/kernels.h"
#include "kernels/quant.h"
#include "kernels/ref/ref.h"
#include "ops/graph.h"

#include <pthread.h>
#include <stdint.h>

static uint64_t rng_s = 0x243f6a8885a308d3ull;
static float frand(void) { /* uniform in [-1, 1) */
    rng_s ^= rng_s << 13;
    rng_s ^= rng_s >> 7;
    rng_s ^= rng_s << 17;
    return (float)((double)(rng_s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

typedef void (*qmm_fn)(float *, const float *, const void *, int, const float *, int64_t, int64_t, int64_t);
typedef struct path {
    const char *name;
    qmm_fn fn;
} path;

/* The paths this CPU can run: the reference, then each CPU build's table
 * entry and the VNNI path by name. */
static int paths(path *p) {
    int n = 0;
    __builtin_cpu_init();
    p[n++] = (path){"ref", ref_matmul_forward_q};
    p[n++] = (path){"scalar", kernels_cpu_generic.matmul_forward_q};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        p[n++] = (path){"avx2", kernels_cpu_avx2.matmul_forward_q};
    if (kernels_cpu_best() == &kernels_cpu_avx512) {
        p[n++] = (path){"avx512 table", kernels_cpu_avx512.matmul_forward_q};
        if (!strcmp(cpu_quant_path_avx512(), "avx512vnni")) p[n++] = (path){"vnni", cpu_matmul_forward_q_vnni};
    }
    return n;
}

static const int TYPES[3] = {QUANT_Q8_0, QUANT_Q4_0, QUANT_Q4_1};

/* The magnitude M of the header for output (n, o), and the activation
 * error bound sum dx (1/2 + 2^-16) sum |w| with sum |w x| of the
 * dequantized weights. */
static void bounds(int qt, const uint8_t *w, const float *x, const float *bias, int64_t o, int64_t C, double *M,
                   double *act_err, double *wx) {
    int64_t nb = C / QUANT_BLOCK;
    size_t bb = quant_block_bytes(qt);
    const uint8_t *row = w + (size_t)o * quant_row_bytes(qt, C);
    float wf[QUANT_BLOCK];
    *M = bias ? fabs((double)bias[o]) : 0.0;
    *act_err = *wx = 0.0;
    for (int64_t i = 0; i < nb; i++) {
        quant_act a;
        quant_act_row(&a, x + i * QUANT_BLOCK, QUANT_BLOCK);
        const uint8_t *blk = row + (size_t)i * bb;
        uint16_t h[2];
        memcpy(h, blk, sizeof h);
        double dw = fabs((double)quant_f16_to_f32_soft(h[0])), dx = fabs((double)a.d), sum = 0.0;
        for (int j = 0; j < QUANT_BLOCK; j++) {
            int code = qt == QUANT_Q8_0 ? abs(((const block_q8_0 *)(const void *)blk)->q[j]) + 128
                                        : (blk[qt == QUANT_Q4_1 ? 4 + j % 16 : 2 + j % 16] >> (j < 16 ? 0 : 4)) & 15;
            sum += (double)code * abs(a.q[j]);
        }
        double off = qt == QUANT_Q8_0 ? 128.0 * abs(a.s) : qt == QUANT_Q4_0 ? 8.0 * abs(a.s) : 0.0;
        *M += dw * dx * (sum + off);
        if (qt == QUANT_Q4_1) *M += fabs((double)quant_f16_to_f32_soft(h[1])) * dx * abs(a.s);
        quant_dequantize_row(qt, blk, wf, QUANT_BLOCK);
        double sw = 0.0;
        for (int j = 0; j < QUANT_BLOCK; j++) {
            sw += fabs((double)wf[j]);
            *wx += fabs((double)wf[j] * (double)x[i * QUANT_BLOCK + j]);
        }
        *act_err += dx * (0.5 + 0x1p-16) * sw;
    }
}

/* The exact product of the dequantized weights with x, in double. */
static double exact_fp32(int qt, const uint8_t *w, const float *x, const float *bias, int64_t o, int64_t C) {
    float *wf = malloc((size_t)C * sizeof *wf);
    quant_dequantize_row(qt, w + (size_t)o * quant_row_bytes(qt, C), wf, C);
    double s = bias ? (double)bias[o] : 0.0;
    for (int64_t c = 0; c < C; c++) s += (double)wf[c] * (double)x[c];
    free(wf);
    return s;
}

TEST("matmul_forward_q: every path against the reference and the fp32 product, all shapes, with and without bias") {
    path ps[8];
    int np = paths(ps);
    printf("  paths:");
    for (int p = 0; p < np; p++) printf(" %s", ps[p].name);
    printf(" (this CPU's table: %s)\n", kernels_cpu_best()->name);
    /* 1, 18, 48, 3, 4 and 7 blocks: the several-row products' groups of 8
     * with a last group of 1, 2 (576), none, 3, 4 (narrow) and 7 (padded) */
    const int64_t Ns[] = {1, 2, 7, 64}, Cs[] = {32, 576, 1536, 96, 128, 224}, OC = 37;
    for (int t = 0; t < 3; t++)
        for (int ci = 0; ci < 6; ci++)
            for (int ni = 0; ni < 4; ni++)
                for (int hb = 0; hb < 2; hb++) {
                    int qt = TYPES[t];
                    int64_t C = Cs[ci], N = Ns[ni], nb = C / QUANT_BLOCK;
                    float *wf = malloc((size_t)(OC * C) * sizeof *wf), *x = malloc((size_t)(N * C) * sizeof *x);
                    float *bias = malloc((size_t)OC * sizeof *bias), *ref = malloc((size_t)(N * OC) * sizeof *ref);
                    float *got = malloc((size_t)(N * OC) * sizeof *got);
                    for (int64_t i = 0; i < OC * C; i++) wf[i] = frand() * (1.0f + (float)(i % 7)) + 0.1f;
                    for (int64_t i = 0; i < N * C; i++) x[i] = frand() * 3.0f;
                    for (int64_t o = 0; o < OC; o++) bias[o] = frand();
                    const float *b = hb ? bias : NULL;
                    void *w = NULL;
                    CHECK_OK(quant_matrix_new(qt, wf, OC, C, &w));
                    ref_matmul_forward_q(ref, x, w, qt, b, N, C, OC);
                    int bad = 0;
                    for (int p = 1; p < np; p++) {
                        for (int64_t i = 0; i < N * OC; i++) got[i] = NAN;
                        ps[p].fn(got, x, w, qt, b, N, C, OC);
                        for (int64_t n = 0; n < N && bad < 5; n++)
                            for (int64_t o = 0; o < OC && bad < 5; o++) {
                                double M, ae, wx;
                                bounds(qt, w, x + n * C, b, o, C, &M, &ae, &wx);
                                double tol = (2.0 * (double)nb + 6.0) * 0x1p-24 * M;
                                double diff = fabs((double)got[n * OC + o] - (double)ref[n * OC + o]);
                                if (!(diff <= tol)) {
                                    bad++;
                                    fprintf(stderr, "  %s %s C=%lld N=%lld bias=%d (%lld,%lld): %.9g vs ref %.9g, tol %.3g\n",
                                            ps[p].name, quant_type_name(qt), (long long)C, (long long)N, hb,
                                            (long long)n, (long long)o, (double)got[n * OC + o], (double)ref[n * OC + o], tol);
                                }
                            }
                    }
                    /* the reference (hence every path) against fp32 */
                    for (int64_t n = 0; n < N && bad < 5; n++)
                        for (int64_t o = 0; o < OC && bad < 5; o++) {
                            double M, ae, wx;
                            bounds(qt, w, x + n * C, b, o, C, &M, &ae, &wx);
                            double ex = exact_fp32(qt, w, x + n * C, b, o, C);
                            double tol = ae + (2.0 * (double)nb + 6.0) * 0x1p-24 * M + 0x1p-24 * (wx + fabs(ex));
                            if (!(fabs((double)ref[n * OC + o] - ex) <= tol)) {
                                bad++;
                                fprintf(stderr, "  fp32 %s C=%lld N=%lld (%lld,%lld): %.9g vs %.9g, tol %.3g\n",
                                        quant_type_name(qt), (long long)C, (long long)N, (long long)n, (long long)o,
                                        (double)ref[n * OC + o], ex, tol);
                            }
                        }
                    CHECK(bad == 0);
                    attn_free(w);
                    free(wf), free(x), free(bias), free(ref), free(got);
                }
}

TEST("matmul_forward_q on F16 weights: every path within fp32 rounding of the exact product (few rows, panels)") {
    path ps[8];
    int np = paths(ps);
    /* OC 2000 at C 576: more rows than one ~4 MB fp32 panel of the many-row path holds */
    const int64_t Ns[] = {1, 2, 7, 8, 9, 64}, Cs[] = {32, 576}, OCs[] = {37, 300, 2000};
    for (int oi = 0; oi < 3; oi++)
        for (int ci = 0; ci < 2; ci++)
            for (int ni = 0; ni < 6; ni++) {
                int64_t C = Cs[ci], N = Ns[ni], OC = OCs[oi];
                if (OC == 2000 && (C != 576 || N != 9)) continue;
                float *wf = malloc((size_t)(OC * C) * sizeof *wf), *x = malloc((size_t)(N * C) * sizeof *x);
                float *bias = malloc((size_t)OC * sizeof *bias), *got = malloc((size_t)(N * OC) * sizeof *got);
                float *back = malloc((size_t)(OC * C) * sizeof *back);
                for (int64_t i = 0; i < OC * C; i++) wf[i] = frand() * (1.0f + (float)(i % 7));
                for (int64_t i = 0; i < N * C; i++) x[i] = frand() * 3.0f;
                for (int64_t o = 0; o < OC; o++) bias[o] = frand();
                void *w = NULL;
                CHECK_OK(quant_matrix_new(QUANT_F16, wf, OC, C, &w));
                if (!w) continue;
                for (int64_t o = 0; o < OC; o++) quant_dequantize_row(QUANT_F16, (uint8_t *)w + o * 2 * C, back + o * C, C);
                int bad = 0;
                for (int64_t i = 0; i < OC * C && !bad; i++) /* the halves are the nearest ones */
                    if (back[i] != quant_f16_to_f32_soft(quant_f32_to_f16(wf[i])) || fabsf(back[i] - wf[i]) > 0x1p-11f * fabsf(wf[i]) + 0x1p-25f) bad++; /* subnormal halves: 2^-24 apart */
                for (int p = 0; p < np; p++) {
                    for (int64_t i = 0; i < N * OC; i++) got[i] = NAN;
                    ps[p].fn(got, x, w, QUANT_F16, bias, N, C, OC);
                    for (int64_t n = 0; n < N && bad < 5; n++)
                        for (int64_t o = 0; o < OC && bad < 5; o++) {
                            double ex = bias[o], mag = fabs((double)bias[o]);
                            for (int64_t c = 0; c < C; c++) {
                                ex += (double)back[o * C + c] * (double)x[n * C + c];
                                mag += fabs((double)back[o * C + c] * (double)x[n * C + c]);
                            }
                            double tol = (double)(C + 2) * 0x1p-24 * mag + 0x1p-24 * fabs(ex);
                            if (!(fabs((double)got[n * OC + o] - ex) <= tol)) {
                                bad++;
                                fprintf(stderr, "  %s F16 C=%lld N=%lld OC=%lld (%lld,%lld): %.9g vs %.9g, tol %.3g\n",
                                        ps[p].name, (long long)C, (long long)N, (long long)OC, (long long)n,
                                        (long long)o, (double)got[n * OC + o], ex, tol);
                            }
                        }
                }
                CHECK(bad == 0);
                attn_free(w);
                free(wf), free(x), free(bias), free(got), free(back);
            }
}

TEST("matmul_forward_q: the error against fp32 is the activations' rounding, not a loose bound") {
    /* A path that dropped or misplaced blocks would be off by about sum |w x|;
     * the quantized product's actual error is near 1/254 of it. */
    int64_t C = 576, OC = 64;
    float *wf = malloc((size_t)(OC * C) * sizeof *wf), *x = malloc((size_t)C * sizeof *x), y[64];
    for (int64_t i = 0; i < OC * C; i++) wf[i] = frand();
    for (int64_t i = 0; i < C; i++) x[i] = frand();
    for (int t = 0; t < 3; t++) {
        void *w = NULL;
        CHECK_OK(quant_matrix_new(TYPES[t], wf, OC, C, &w));
        kernels_cpu.matmul_forward_q(y, x, w, TYPES[t], NULL, 1, C, OC);
        for (int64_t o = 0; o < OC; o++) {
            double M, ae, wx;
            bounds(TYPES[t], w, x, NULL, o, C, &M, &ae, &wx);
            CHECK(fabs((double)y[o] - exact_fp32(TYPES[t], w, x, NULL, o, C)) <= wx / 64.0);
        }
        attn_free(w);
    }
    free(wf), free(x);
}

TEST("matmul_forward_q: infinite and NaN scales and activations give non-finite outputs where they reach, no others") {
    path ps[8];
    int np = paths(ps);
    int64_t N = 3, C = 96, OC = 9;
    float *wf = malloc((size_t)(OC * C) * sizeof *wf), x[3 * 96], ref[27], got[27];
    for (int64_t i = 0; i < OC * C; i++) wf[i] = frand();
    for (int64_t i = 0; i < N * C; i++) x[i] = frand();
    x[1 * C + 40] = INFINITY; /* activation row 1, block 1 */
    x[2 * C + 70] = NAN;      /* activation row 2, block 2 */
    for (int t = 0; t < 3; t++) {
        int qt = TYPES[t];
        uint8_t *w = NULL;
        CHECK_OK(quant_matrix_new(qt, wf, OC, C, (void **)&w));
        size_t row = quant_row_bytes(qt, C), bb = quant_block_bytes(qt);
        const uint16_t inf = 0x7c00, nan = 0x7e00;
        memcpy(w + 3 * row + 1 * bb, &inf, 2); /* weight row 3: d = inf */
        memcpy(w + 5 * row + 2 * bb, &nan, 2); /* weight row 5: d = NaN */
        if (qt == QUANT_Q4_1) memcpy(w + 7 * row + 0 * bb + 2, &inf, 2); /* row 7: m = inf */
        bool hit[9] = {false};
        hit[3] = hit[5] = true;
        if (qt == QUANT_Q4_1) hit[7] = true;
        for (int p = 0; p < np; p++) {
            ps[p].fn(p == 0 ? ref : got, x, w, qt, NULL, N, C, OC);
            const float *y = p == 0 ? ref : got;
            for (int64_t n = 0; n < N; n++)
                for (int64_t o = 0; o < OC; o++) {
                    bool reach = n > 0 || hit[o];
                    if (reach != !isfinite(y[n * OC + o]))
                        fprintf(stderr, "  %s %s (%lld,%lld) = %g\n", ps[p].name, quant_type_name(qt), (long long)n,
                                (long long)o, (double)y[n * OC + o]);
                    CHECK(reach == !isfinite(y[n * OC + o]));
                    if (!reach && p > 0) CHECK_NEAR(y[n * OC + o], ref[n * OC + o], 1e-4);
                }
        }
        attn_free(w);
    }
    free(wf);
}

TEST("quant_act_row: scale, rounding to nearest even, sums, zero and tiny blocks, non-finite blocks") {
    float x[128];
    for (int j = 0; j < 32; j++) x[j] = (float)(j - 16) * 0.5f; /* max |x| 8: d = 8/127 */
    for (int j = 32; j < 64; j++) x[j] = 0.0f;
    for (int j = 64; j < 96; j++) x[j] = 1e-32f * (float)(j - 80);
    for (int j = 96; j < 128; j++) x[j] = 1.0f;
    x[100] = NAN;
    quant_act a[4];
    quant_act_row(a, x, 128);
    CHECK(a[0].d == 8.0f / 127.0f);
    CHECK(a[0].q[0] == -127);
    int32_t s = 0;
    for (int j = 0; j < 32; j++) {
        CHECK(fabsf(a[0].q[j] * a[0].d - x[j]) <= a[0].d * 0.5f);
        s += a[0].q[j];
    }
    CHECK(a[0].s == s);
    CHECK(a[1].d == 0.0f && a[1].s == 0 && a[1].q[5] == 0);
    CHECK(a[2].d == 0.0f && a[2].s == 0); /* max |x| under 2^-100 */
    CHECK(isnan(a[3].d) && a[3].s == 0 && a[3].q[0] == 0);
    /* a tie: 0.5 of a step rounds to the even code */
    float t[32] = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f};
    quant_act b;
    quant_act_row(&b, t, 32);
    CHECK(b.d == 1.0f && b.q[1] == 0 && b.q[2] == 2 && b.q[3] == 2 && b.q[4] == 0 && b.q[5] == -2);
}

TEST("cpu_quant_act_row of every build: quant_act_row bit for bit (scales, ties, tiny, zero, non-finite blocks)") {
    typedef void (*act_fn)(quant_act *, const float *, int64_t);
    act_fn fns[3] = {cpu_quant_act_row_generic, NULL, NULL};
    const char *names[3] = {"generic", "avx2", "avx512"};
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) fns[1] = cpu_quant_act_row_avx2;
    if (kernels_cpu_best() == &kernels_cpu_avx512) fns[2] = cpu_quant_act_row_avx512;
    enum { NB = 4096, C = NB * QUANT_BLOCK };
    float *x = malloc(sizeof(float) * C);
    for (int64_t i = 0; i < NB; i++) {
        float *b = x + i * QUANT_BLOCK;
        float scale = ldexpf(1.0f, (int)(i % 61) - 30);
        for (int j = 0; j < QUANT_BLOCK; j++) b[j] = frand() * scale;
        switch (i % 16) {
        case 1: /* ties: amax 127 makes d = 1, so halves are exact ties */
            b[0] = 127.0f;
            for (int j = 1; j < QUANT_BLOCK; j++) b[j] = (float)((int)(frand() * 100.0f)) + 0.5f;
            break;
        case 2: b[(i / 16) % 32] = INFINITY; break;
        case 3: b[(i / 16) % 32] = -NAN; break;
        case 4: memset(b, 0, sizeof(float) * QUANT_BLOCK); break;
        case 5: for (int j = 0; j < QUANT_BLOCK; j++) b[j] = frand() * 0x1p-101f; break; /* under 2^-100 */
        case 6: for (int j = 0; j < QUANT_BLOCK; j++) b[j] = frand() * 0x1p-126f; break; /* subnormals */
        case 7: b[3] = -3.4028234663852886e38f; break;
        case 8: for (int j = 0; j < QUANT_BLOCK; j++) b[j] = -0.0f; break;
        case 9: b[7] = -(float)ldexp(1.0, -100); break; /* amax exactly 2^-100 */
        default: break;
        }
    }
    quant_act *want = malloc(sizeof(quant_act) * NB), *got = malloc(sizeof(quant_act) * NB);
    quant_act_row(want, x, C);
    for (int f = 0; f < 3; f++) {
        if (!fns[f]) continue;
        memset(got, 0x5a, sizeof(quant_act) * NB);
        fns[f](got, x, C);
        int bad = 0;
        for (int64_t i = 0; i < NB && bad < 3; i++) {
            bool same = memcmp(&got[i].d, &want[i].d, sizeof(float)) == 0 && got[i].s == want[i].s &&
                        memcmp(got[i].q, want[i].q, QUANT_BLOCK) == 0;
            if (!same) {
                bad++;
                fprintf(stderr, "  %s block %lld: d %g s %d vs d %g s %d\n", names[f], (long long)i, (double)got[i].d,
                        got[i].s, (double)want[i].d, want[i].s);
            }
        }
        CHECK(bad == 0);
    }
    free(x), free(want), free(got);
}

TEST("quant_matrix_new: bad arguments are errors; a matrix reads back within half a step per value") {
    float w[64 * 2];
    for (int i = 0; i < 128; i++) w[i] = frand();
    void *q = (void *)1;
    CHECK_STATUS(quant_matrix_new(QUANT_Q8_0, w, 2, 48, &q), ATTN_ERR_INVALID_ARG);
    CHECK(q == NULL);
    CHECK_STATUS(quant_matrix_new(7, w, 2, 64, &q), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(quant_matrix_new(QUANT_Q4_0, w, 0, 64, &q), ATTN_ERR_INVALID_ARG);
    for (int t = 0; t < 3; t++) {
        CHECK_OK(quant_matrix_new(TYPES[t], w, 2, 64, &q));
        float back[128];
        for (int r = 0; r < 2; r++)
            quant_dequantize_row(TYPES[t], (const uint8_t *)q + r * quant_row_bytes(TYPES[t], 64), back + r * 64, 64);
        /* Steps (|w| < 1): Q8_0 max/127, Q4_1 range/15 <= 2/15, off by half a step
         * at most; Q4_0 max/8, off by a whole step where the code 16 of -max
         * clips to 15. Plus the fp16 rounding of the scales (2^-11 relative, on
         * codes up to 127 or 15 steps, and on Q4_1's m). */
        double step = TYPES[t] == QUANT_Q8_0 ? 1.0 / 127 : TYPES[t] == QUANT_Q4_0 ? 1.0 / 8 : 2.0 / 15;
        double most = (TYPES[t] == QUANT_Q4_0 ? 1.0 : 0.5) * step + 0x1p-11 * (TYPES[t] == QUANT_Q8_0 ? 1.0 : 2.0);
        for (int i = 0; i < 128; i++) CHECK(fabs((double)back[i] - (double)w[i]) <= most);
        attn_free(q);
    }
}

TEST("embedding_forward_q: each table's rows are the dequantized rows (F16 too)") {
    int64_t V = 11, C = 64;
    float wf[11 * 64], want[3 * 64], got[3 * 64];
    for (int i = 0; i < V * C; i++) wf[i] = frand() * 2.0f;
    const int32_t ids[3] = {10, 0, 4};
    const kernels *tabs[4] = {&kernels_ref, &kernels_cpu_generic, &kernels_cpu_avx2, &kernels_cpu_avx512};
    static const int all[4] = {QUANT_Q8_0, QUANT_Q4_0, QUANT_Q4_1, QUANT_F16};
    for (int t = 0; t < 4; t++) {
        void *q = NULL;
        CHECK_OK(quant_matrix_new(all[t], wf, V, C, &q));
        for (int n = 0; n < 3; n++)
            quant_dequantize_row(all[t], (const uint8_t *)q + ids[n] * quant_row_bytes(all[t], C), want + n * C, C);
        for (int k = 0; k < 4; k++) {
            if (k == 2 && !__builtin_cpu_supports("avx2")) continue;
            if (k == 3 && kernels_cpu_best() != &kernels_cpu_avx512) continue;
            memset(got, 0, sizeof got);
            tabs[k]->embedding_forward_q(got, q, all[t], ids, 3, C);
            CHECK(!memcmp(got, want, sizeof got));
        }
        attn_free(q);
    }
}

TEST("op_linear / op_linear_act / op_embedding on a quantized weight: the kernels' values; gradients refused") {
    int64_t N = 5, C = 64, OC = 13;
    float wf[13 * 64], xf[5 * 64], bf[13], want[5 * 13];
    for (int i = 0; i < OC * C; i++) wf[i] = frand();
    for (int i = 0; i < N * C; i++) xf[i] = frand();
    for (int i = 0; i < OC; i++) bf[i] = frand();
    for (int t = 0; t < 3; t++) {
        void *q = NULL;
        CHECK_OK(quant_matrix_new(TYPES[t], wf, OC, C, &q));
        graph g;
        graph_init(&g, &kernels_cpu);
        graph_reset(&g, false, false, 0);
        tensor w = {.shape = {OC, C}, .ndim = 2, .numel = OC * C, .data_q = q, .qtype = TYPES[t]};
        tensor b = {.data = bf, .shape = {OC}, .ndim = 1, .numel = OC};
        tensor *x = graph_tensor(&g, 2, (int64_t[]){N, C});
        memcpy(x->data, xf, sizeof xf);
        tensor *y = op_linear(&g, x, &w, &b);
        CHECK(y && g.status == ATTN_OK);
        g.k->matmul_forward_q(want, xf, q, TYPES[t], bf, N, C, OC);
        if (y) CHECK(!memcmp(y->data, want, sizeof want));
        tensor *z = op_linear_act(&g, x, &w, &b, KACT_RELU);
        CHECK(z != NULL);
        if (z)
            for (int i = 0; i < N * OC; i++) CHECK(z->data[i] == (want[i] > 0 ? want[i] : 0.0f));
        /* the table's rows */
        tensor tab = {.shape = {OC, C}, .ndim = 2, .numel = OC * C, .data_q = q, .qtype = TYPES[t]};
        const int32_t ids[2] = {12, 3};
        tensor *e = op_embedding(&g, &tab, ids, 1, 2);
        CHECK(e != NULL);
        if (e) {
            float row[64];
            quant_dequantize_row(TYPES[t], (const uint8_t *)q + 12 * quant_row_bytes(TYPES[t], C), row, C);
            CHECK(!memcmp(e->data, row, sizeof row));
        }
        /* a quantized weight that requires grad is an error, not a crash */
        w.requires_grad = true;
        CHECK(op_linear(&g, x, &w, &b) == NULL && g.status == ATTN_ERR_INVALID_ARG);
        /* and so is one the graph would record a gradient through */
        graph_reset(&g, true, false, 0);
        w.requires_grad = false;
        x = graph_tensor(&g, 2, (int64_t[]){N, C});
        memcpy(x->data, xf, sizeof xf);
        x->requires_grad = true;
        CHECK(op_linear(&g, x, &w, NULL) == NULL && g.status == ATTN_ERR_INVALID_ARG);
        graph_free(&g);
        attn_free(q);
    }
}

/* One product on a thread of its own whose allocation number fail_at
 * (counting from 0) fails: 0 is the activations' buffer (the product then
 * quantizes a few blocks of a row at a time on the stack), 1 the SIMD
 * paths' unpacked weight tiles (their tiles then unpack as they read). */
typedef struct qjob {
    qmm_fn fn;
    const float *x, *b;
    const void *w;
    int qt;
    float *out;
    int64_t N, C, OC;
    long fail_at;
} qjob;

static void *qjob_thread(void *p) {
    qjob *j = p;
    test_alloc_count = 0;
    test_alloc_fail_at = j->fail_at;
    attn_set_allocator(test_failing_realloc, NULL);
    j->fn(j->out, j->x, j->w, j->qt, j->b, j->N, j->C, j->OC);
    attn_set_allocator(NULL, NULL);
    return NULL;
}

TEST("matmul_forward_q without its buffers (allocations refused): the same products on a small stack") {
    path ps[8];
    int np = paths(ps);
    /* serial sizes (under PAR_MIN multiply-adds), so that the calling thread makes every allocation */
    static const int64_t shapes[2][3] = {{3, 1056, 5}, {7, 96, 9}}; /* N, C, OC */
    for (int fail_at = 0; fail_at < 2; fail_at++)
        for (int t = 0; t < 3; t++)
            for (int p = 1; p < np; p++) {
                int qt = TYPES[t];
                int64_t N = shapes[fail_at][0], C = shapes[fail_at][1], OC = shapes[fail_at][2], nb = C / QUANT_BLOCK;
                float *wf = malloc((size_t)(OC * C) * sizeof *wf), *x = malloc((size_t)(N * C) * sizeof *x);
                float *b = malloc((size_t)OC * sizeof *b), *ref = malloc((size_t)(N * OC) * sizeof *ref);
                float *got = malloc((size_t)(N * OC) * sizeof *got);
                for (int64_t i = 0; i < OC * C; i++) wf[i] = frand();
                for (int64_t i = 0; i < N * C; i++) x[i] = frand();
                for (int64_t o = 0; o < OC; o++) b[o] = frand();
                for (int64_t i = 0; i < N * OC; i++) got[i] = NAN;
                void *w = NULL;
                CHECK_OK(quant_matrix_new(qt, wf, OC, C, &w));
                qjob j = {ps[p].fn, x, b, w, qt, got, N, C, OC, fail_at};
                pthread_attr_t attr;
                pthread_t th;
                CHECK(pthread_attr_init(&attr) == 0);
                CHECK(pthread_attr_setstacksize(&attr, 32768) == 0);
                CHECK(pthread_create(&th, &attr, qjob_thread, &j) == 0);
                CHECK(pthread_join(th, NULL) == 0);
                pthread_attr_destroy(&attr);
                CHECK(test_alloc_count > fail_at || (fail_at == 1 && !strcmp(ps[p].name, "scalar")));
                ref_matmul_forward_q(ref, x, w, qt, b, N, C, OC);
                for (int64_t n = 0; n < N; n++)
                    for (int64_t o = 0; o < OC; o++) {
                        double M, ae, wx;
                        bounds(qt, w, x + n * C, b, o, C, &M, &ae, &wx);
                        /* chunks of the row add their partial sums into out: a few more roundings */
                        double tol = (2.0 * (double)nb + 6.0 + (double)nb / 16.0) * 0x1p-24 * M;
                        if (!(fabs((double)got[n * OC + o] - (double)ref[n * OC + o]) <= tol)) {
                            fprintf(stderr, "  %s %s fail_at %d (%lld,%lld): %.9g vs %.9g\n", ps[p].name,
                                    quant_type_name(qt), fail_at, (long long)n, (long long)o,
                                    (double)got[n * OC + o], (double)ref[n * OC + o]);
                            CHECK(false);
                        }
                    }
                attn_free(w);
                free(wf), free(x), free(b), free(ref), free(got);
            }
}
