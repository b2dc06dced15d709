/* Backend consistency: every kernel of `kernels_cpu` against the scalar
 * oracle `kernels_ref` on awkward shapes (odd widths, a single row, keys
 * spanning several attention key blocks) and on one realistic shape, with
 * random inputs from fixed seeds. Also the gemm paths against a naive
 * triple loop, and the vectorisable exp/tanh against libm.
 *
 * Tolerances are relative to the output scale: max|cpu - ref| <= tol *
 * max(1, max|ref|). Forward 1e-5; backward 1e-5, or 1e-4 where a gradient
 * is a long sum (a reduction over 64+ rows or keys). For accumulated
 * gradients the scale is that of the increment, not of the random prefill.
 *
 * The accumulate contract (kernels.h) is checked on both tables: gradient
 * buffers are pre-filled with random values, both backends must add to them,
 * ref's increment must equal a run from zero, and a NULL gradient pointer
 * must be accepted and leave the other gradients unchanged. */
#include "test.h"

#include "core/core.h"
#include "kernels/bf16.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/vmath.h"
#include "kernels/kernels.h"

#include <float.h>
#include <pthread.h>

enum { SEED = 20240607 };

/* ---- buffers ------------------------------------------------------------ */

/* n floats ~ amp * N(0, 1) from (SEED, stream). attn_free them. */
static float *randn(int64_t n, uint64_t stream, float amp) {
    float *x = attn_malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    for (int64_t i = 0; i < n; i++) x[i] = amp * rng_normal(SEED, stream, (uint64_t)i);
    return x;
}

static float *filled(int64_t n, float v) {
    float *x = attn_malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    for (int64_t i = 0; i < n; i++) x[i] = v;
    return x;
}

static float *copy_of(const float *src, int64_t n) {
    float *x = attn_malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    if (n > 0) memcpy(x, src, (size_t)n * sizeof(float));
    return x;
}

/* ---- comparisons ---------------------------------------------------------- */

/* |a - b| as a double; equal infinities differ by 0, NaN or a lone
 * infinity by +inf. */
static double diff1(float a, float b) {
    if (isnan(a) || isnan(b)) return (double)INFINITY;
    if (isinf(a) || isinf(b)) return a == b ? 0.0 : (double)INFINITY;
    return fabs((double)a - (double)b);
}

/* max|got - want| <= tol * max(1, max|want - base|), base NULL = 0 (the scale of
 * the result, or of the increment for an accumulated gradient). Prints the
 * worst element when it fails. */
static bool close_to(const char *what, const float *got, const float *want, const float *base, int64_t n,
                     double tol) {
    double worst = 0, scale = 1;
    int64_t at = -1;
    for (int64_t i = 0; i < n; i++) {
        double d = diff1(got[i], want[i]);
        if (d > worst || (at < 0 && d > 0)) worst = d, at = i;
        double inc = base ? fabs((double)want[i] - (double)base[i]) : fabs((double)want[i]);
        if (isfinite(inc) && inc > scale) scale = inc;
    }
    if (worst <= tol * scale) return true;
    fprintf(stderr, "    %s: max|diff| %.3g > %.0e * %.3g at [%lld]: got %.9g, want %.9g\n", what, worst, tol,
            scale, (long long)at, (double)got[at], (double)want[at]);
    return false;
}

/* got == want element by element (bitwise for finite values). */
static bool same(const char *what, const float *got, const float *want, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (!(got[i] == want[i]) && !(isnan(got[i]) && isnan(want[i]))) {
            fprintf(stderr, "    %s: [%lld] got %.9g, want %.9g\n", what, (long long)i, (double)got[i],
                    (double)want[i]);
            return false;
        }
    return true;
}

/* `after` = `pre` + `fresh` (a gradient run from zero) up to rounding,
 * max|after - pre - fresh| <= tol * max(1, max|fresh|): the kernel added to
 * the buffer instead of overwriting it (or adding twice). tol is 1e-6 where
 * ref sums in double and adds once; a kernel that sums many terms straight
 * into the float buffer (ref attention's dk, dv over queries) rounds
 * differently on top of a prefill, so it gets its backward tolerance. */
static bool accumulated(const char *what, const float *after, const float *pre, const float *fresh, int64_t n,
                        double tol) {
    double worst = 0, scale = 1;
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)after[i] - ((double)pre[i] + (double)fresh[i]));
        if (!(d <= worst)) worst = d, at = i;
        scale = fmax(scale, fabs((double)fresh[i]));
    }
    if (worst <= tol * scale) return true;
    fprintf(stderr, "    %s: [%lld] after %.9g, pre %.9g + fresh %.9g: |diff| %.3g > %.0e * %.3g\n", what,
            (long long)at, (double)after[at], (double)pre[at], (double)fresh[at], worst, tol, scale);
    return false;
}

static bool all_finite(const float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return false;
    return true;
}

/* ---- matmul --------------------------------------------------------------- */

static void check_matmul(int64_t N, int64_t C, int64_t OC, uint64_t s, double tol_bwd) {
    float *x = randn(N * C, s, 1), *w = randn(OC * C, s + 1, 1), *b = randn(OC, s + 2, 1);
    float *dout = randn(N * OC, s + 3, 1);
    float *o_ref = filled(N * OC, NAN), *o_cpu = filled(N * OC, NAN);
    for (int with_bias = 0; with_bias < 2; with_bias++) {
        for (int64_t i = 0; i < N * OC; i++) o_ref[i] = o_cpu[i] = NAN; /* forward must write everything */
        kernels_ref.matmul_forward(o_ref, x, w, with_bias ? b : NULL, N, C, OC);
        kernels_cpu.matmul_forward(o_cpu, x, w, with_bias ? b : NULL, N, C, OC);
        CHECK(all_finite(o_ref, N * OC));
        CHECK(close_to(with_bias ? "matmul out (bias)" : "matmul out", o_cpu, o_ref, NULL, N * OC, 1e-5));
        /* fused with each activation: pre = the product, out = act(pre) */
        static const char *names[] = {"matmul+gelu", "matmul+gelu_erf", "matmul+relu"};
        for (int a = 0; a < 3; a++) {
            float *p_ref = filled(N * OC, NAN), *p_cpu = filled(N * OC, NAN), *act_ref = filled(N * OC, NAN);
            for (int64_t i = 0; i < N * OC; i++) o_ref[i] = o_cpu[i] = NAN;
            kernels_ref.matmul_act_forward(o_ref, p_ref, x, w, with_bias ? b : NULL, N, C, OC, (kernel_act)a);
            kernels_cpu.matmul_act_forward(o_cpu, p_cpu, x, w, with_bias ? b : NULL, N, C, OC, (kernel_act)a);
            CHECK(close_to(names[a], p_cpu, p_ref, NULL, N * OC, 1e-5));
            CHECK(close_to(names[a], o_cpu, o_ref, NULL, N * OC, 1e-5));
            /* ref's pre is its matmul, its out the activation kernel on it */
            float *plain = filled(N * OC, NAN);
            kernels_ref.matmul_forward(plain, x, w, with_bias ? b : NULL, N, C, OC);
            CHECK(same("ref matmul+act pre", p_ref, plain, N * OC));
            if (a == 0) kernels_ref.gelu_forward(act_ref, p_ref, N * OC);
            if (a == 1) kernels_ref.gelu_erf_forward(act_ref, p_ref, N * OC);
            if (a == 2) kernels_ref.relu_forward(act_ref, p_ref, N * OC);
            CHECK(same("ref matmul+act out", o_ref, act_ref, N * OC));
            attn_free(p_ref), attn_free(p_cpu), attn_free(act_ref), attn_free(plain);
        }
    }
    /* backward from zero with ref, then every subset of gradients from a prefill */
    float *fdx = filled(N * C, 0), *fdw = filled(OC * C, 0), *fdb = filled(OC, 0);
    kernels_ref.matmul_backward(fdx, fdw, fdb, dout, x, w, N, C, OC);
    float *pdx = randn(N * C, s + 4, 1), *pdw = randn(OC * C, s + 5, 1), *pdb = randn(OC, s + 6, 1);
    for (int mask = 0; mask < 8; mask++) {
        float *rdx = copy_of(pdx, N * C), *rdw = copy_of(pdw, OC * C), *rdb = copy_of(pdb, OC);
        float *cdx = copy_of(pdx, N * C), *cdw = copy_of(pdw, OC * C), *cdb = copy_of(pdb, OC);
        bool gx = mask & 1, gw = mask & 2, gb = mask & 4;
        kernels_ref.matmul_backward(gx ? rdx : NULL, gw ? rdw : NULL, gb ? rdb : NULL, dout, x, w, N, C, OC);
        kernels_cpu.matmul_backward(gx ? cdx : NULL, gw ? cdw : NULL, gb ? cdb : NULL, dout, x, w, N, C, OC);
        if (gx) {
            CHECK(accumulated("ref matmul dinp", rdx, pdx, fdx, N * C, 1e-6));
            CHECK(close_to("matmul dinp", cdx, rdx, pdx, N * C, tol_bwd));
        }
        if (gw) {
            CHECK(accumulated("ref matmul dweight", rdw, pdw, fdw, OC * C, 1e-6));
            CHECK(close_to("matmul dweight", cdw, rdw, pdw, OC * C, tol_bwd));
        }
        if (gb) {
            CHECK(accumulated("ref matmul dbias", rdb, pdb, fdb, OC, 1e-6));
            CHECK(close_to("matmul dbias", cdb, rdb, pdb, OC, tol_bwd));
        }
        /* buffers passed as NULL were not reachable; the ones passed stay finite */
        CHECK(all_finite(cdx, N * C) && all_finite(cdw, OC * C) && all_finite(cdb, OC));
        attn_free(rdx), attn_free(rdw), attn_free(rdb), attn_free(cdx), attn_free(cdw), attn_free(cdb);
    }
    attn_free(x), attn_free(w), attn_free(b), attn_free(dout), attn_free(o_ref), attn_free(o_cpu);
    attn_free(fdx), attn_free(fdw), attn_free(fdb), attn_free(pdx), attn_free(pdw), attn_free(pdb);
}

TEST("matmul: cpu matches ref on odd shapes, with and without bias, every gradient subset") {
    check_matmul(7, 13, 33, 100, 1e-5);
    check_matmul(1, 1, 1, 110, 1e-5);
    check_matmul(1, 777, 1030, 115, 1e-5); /* one row: the matrix-vector path, rows one after another */
    check_matmul(1, 1500, 7, 117, 1e-5);   /* rows of 6 KB: four side by side, a masked tail of 12 */
    check_matmul(3, 5, 2, 120, 1e-5);
}

TEST("matmul: cpu matches ref on a realistic shape (N=64, C=96, OC=288) and a long inner sum") {
    check_matmul(64, 96, 288, 130, 1e-4);
    check_matmul(5, 700, 9, 140, 1e-4);
}

/* ---- embedding ------------------------------------------------------------ */

static void check_embedding(int64_t N, int64_t C, int64_t V, uint64_t s) {
    float *table = randn(V * C, s, 1), *dout = randn(N * C, s + 1, 1);
    int32_t *ids = attn_malloc((size_t)N * sizeof(int32_t));
    /* repeated ids on purpose: half the rows reuse a small set */
    for (int64_t n = 0; n < N; n++)
        ids[n] = (int32_t)(n % 2 ? n % 3 : (int64_t)(rng_uniform(SEED, s + 2, (uint64_t)n) * (float)V) % V);
    ids[N - 1] = (int32_t)(V - 1);
    float *o_ref = filled(N * C, NAN), *o_cpu = filled(N * C, NAN);
    kernels_ref.embedding_forward(o_ref, table, ids, N, C);
    kernels_cpu.embedding_forward(o_cpu, table, ids, N, C);
    CHECK(same("embedding out", o_cpu, o_ref, N * C)); /* a copy: exact */
    CHECK(o_ref[(N - 1) * C] == table[(V - 1) * C]);

    float *fresh = filled(V * C, 0), *pre = randn(V * C, s + 3, 1);
    float *d_ref = copy_of(pre, V * C), *d_cpu = copy_of(pre, V * C);
    kernels_ref.embedding_backward(fresh, dout, ids, N, C, V);
    kernels_ref.embedding_backward(d_ref, dout, ids, N, C, V);
    kernels_cpu.embedding_backward(d_cpu, dout, ids, N, C, V);
    CHECK(accumulated("ref embedding dtable", d_ref, pre, fresh, V * C, 1e-6));
    /* same summation order per element (row order) in both: exact */
    CHECK(same("embedding dtable", d_cpu, d_ref, V * C));
    attn_free(table), attn_free(dout), attn_free(ids), attn_free(o_ref), attn_free(o_cpu);
    attn_free(fresh), attn_free(pre), attn_free(d_ref), attn_free(d_cpu);
}

TEST("embedding: cpu matches ref with repeated ids (odd C, and C above the 64-column block)") {
    check_embedding(7, 13, 101, 200);
    check_embedding(64, 96, 101, 210);
    check_embedding(1, 1, 1, 220);
}

/* ---- layer norm ----------------------------------------------------------- */

static void check_layernorm(int64_t N, int64_t C, float offset, uint64_t s, double tol_bwd) {
    float *x = randn(N * C, s, 1), *w = randn(C, s + 1, 1), *b = randn(C, s + 2, 1);
    float *dout = randn(N * C, s + 3, 1);
    for (int64_t i = 0; i < N * C; i++) x[i] += offset * (float)((i / C) % 3); /* rows with a mean offset */
    float *o_ref = filled(N * C, NAN), *o_cpu = filled(N * C, NAN);
    float *st_ref = filled(2 * N, NAN), *st_cpu = filled(2 * N, NAN);
    kernels_ref.layernorm_forward(o_ref, st_ref, st_ref + N, x, w, b, N, C, 1e-5f);
    kernels_cpu.layernorm_forward(o_cpu, st_cpu, st_cpu + N, x, w, b, N, C, 1e-5f);
    CHECK(all_finite(o_ref, N * C));
    CHECK(close_to("layernorm out", o_cpu, o_ref, NULL, N * C, 1e-5));
    CHECK(close_to("layernorm mean", st_cpu, st_ref, NULL, N, 1e-5));
    CHECK(close_to("layernorm rstd", st_cpu + N, st_ref + N, NULL, N, 1e-5));

    float *fdx = filled(N * C, 0), *fdw = filled(C, 0), *fdb = filled(C, 0);
    kernels_ref.layernorm_backward(fdx, fdw, fdb, dout, x, w, st_ref, st_ref + N, N, C);
    float *pdx = randn(N * C, s + 4, 1), *pdw = randn(C, s + 5, 1), *pdb = randn(C, s + 6, 1);
    for (int mask = 0; mask < 8; mask++) {
        float *rdx = copy_of(pdx, N * C), *rdw = copy_of(pdw, C), *rdb = copy_of(pdb, C);
        float *cdx = copy_of(pdx, N * C), *cdw = copy_of(pdw, C), *cdb = copy_of(pdb, C);
        bool gx = mask & 1, gw = mask & 2, gb = mask & 4;
        kernels_ref.layernorm_backward(gx ? rdx : NULL, gw ? rdw : NULL, gb ? rdb : NULL, dout, x, w, st_ref,
                                       st_ref + N, N, C);
        kernels_cpu.layernorm_backward(gx ? cdx : NULL, gw ? cdw : NULL, gb ? cdb : NULL, dout, x, w, st_ref,
                                       st_ref + N, N, C);
        if (gx) {
            CHECK(accumulated("ref layernorm dinp", rdx, pdx, fdx, N * C, 1e-6));
            CHECK(close_to("layernorm dinp", cdx, rdx, pdx, N * C, tol_bwd));
        }
        if (gw) {
            CHECK(accumulated("ref layernorm dweight", rdw, pdw, fdw, C, 1e-6));
            CHECK(close_to("layernorm dweight", cdw, rdw, pdw, C, tol_bwd));
        }
        if (gb) {
            CHECK(accumulated("ref layernorm dbias", rdb, pdb, fdb, C, 1e-6));
            CHECK(close_to("layernorm dbias", cdb, rdb, pdb, C, tol_bwd));
        }
        attn_free(rdx), attn_free(rdw), attn_free(rdb), attn_free(cdx), attn_free(cdw), attn_free(cdb);
    }
    attn_free(x), attn_free(w), attn_free(b), attn_free(dout), attn_free(o_ref), attn_free(o_cpu);
    attn_free(st_ref), attn_free(st_cpu), attn_free(fdx), attn_free(fdw), attn_free(fdb);
    attn_free(pdx), attn_free(pdw), attn_free(pdb);
}

TEST("layernorm: cpu matches ref (odd C, rows with a mean offset, every gradient subset)") {
    check_layernorm(7, 13, 0.0f, 300, 1e-5);
    check_layernorm(7, 13, 10.0f, 310, 1e-5);
    check_layernorm(1, 1, 0.0f, 320, 1e-5); /* C=1: xhat = 0, rstd = 1/sqrt(eps) */
}

/* add_layernorm_forward: ref against add + ref layernorm (to the bit: it is
 * defined so), cpu against ref, and cpu against cpu add + cpu layernorm
 * (to the bit: the same row code). */
static void check_add_layernorm(int64_t N, int64_t C, uint64_t s) {
    float *a = randn(N * C, s, 1.0f), *b = randn(N * C, s + 1, 2.0f), *w = randn(C, s + 2, 1.0f), *bias = randn(C, s + 3, 1.0f);
    for (int64_t i = 0; i < N * C; i += 5) b[i] += 3.0f; /* rows with a mean offset */
    float *sum[3], *out[3], *mean[3], *rstd[3];
    for (int k = 0; k < 3; k++) {
        sum[k] = filled(N * C, NAN), out[k] = filled(N * C, NAN), mean[k] = filled(N, NAN), rstd[k] = filled(N, NAN);
    }
    kernels_ref.add_layernorm_forward(sum[0], out[0], mean[0], rstd[0], a, b, w, bias, N, C, 1e-5f);
    kernels_cpu.add_layernorm_forward(sum[1], out[1], mean[1], rstd[1], a, b, w, bias, N, C, 1e-5f);
    for (int64_t i = 0; i < N * C; i++) sum[2][i] = a[i] + b[i];
    kernels_cpu.layernorm_forward(out[2], mean[2], rstd[2], sum[2], w, bias, N, C, 1e-5f);
    CHECK(memcmp(sum[0], sum[2], (size_t)(N * C) * sizeof(float)) == 0);
    CHECK(memcmp(sum[1], sum[2], (size_t)(N * C) * sizeof(float)) == 0);
    CHECK(memcmp(out[1], out[2], (size_t)(N * C) * sizeof(float)) == 0);
    CHECK(memcmp(rstd[1], rstd[2], (size_t)N * sizeof(float)) == 0);
    CHECK(close_to("add_layernorm out", out[1], out[0], NULL, N * C, 1e-5));
    CHECK(close_to("add_layernorm mean", mean[1], mean[0], NULL, N, 1e-5));
    CHECK(close_to("add_layernorm rstd", rstd[1], rstd[0], NULL, N, 1e-5));
    float *ref_out = filled(N * C, NAN);
    kernels_ref.layernorm_forward(ref_out, mean[2], rstd[2], sum[0], w, bias, N, C, 1e-5f);
    CHECK(memcmp(ref_out, out[0], (size_t)(N * C) * sizeof(float)) == 0);
    for (int k = 0; k < 3; k++) attn_free(sum[k]), attn_free(out[k]), attn_free(mean[k]), attn_free(rstd[k]);
    attn_free(a), attn_free(b), attn_free(w), attn_free(bias), attn_free(ref_out);
}

TEST("add_layernorm (residual + layer norm fused): cpu = ref, and = the add and layernorm kernels run apart") {
    check_add_layernorm(1, 7, 1600);
    check_add_layernorm(13, 768, 1610);
    check_add_layernorm(64, 96, 1620);
}

TEST("layernorm: cpu matches ref on a realistic shape (N=64, C=96)") {
    check_layernorm(64, 96, 0.0f, 330, 1e-4);
    check_layernorm(64, 96, 10.0f, 340, 1e-4);
}

/* ---- activations ---------------------------------------------------------- */

static void check_activation(bool gelu, int64_t n, float amp, uint64_t s) {
    float *x = randn(n, s, amp), *dout = randn(n, s + 1, 1);
    x[0] = 0.0f; /* the kink of relu: both say "not > 0" */
    float *o_ref = filled(n, NAN), *o_cpu = filled(n, NAN);
    (gelu ? kernels_ref.gelu_forward : kernels_ref.relu_forward)(o_ref, x, n);
    (gelu ? kernels_cpu.gelu_forward : kernels_cpu.relu_forward)(o_cpu, x, n);
    if (gelu)
        CHECK(close_to("gelu out", o_cpu, o_ref, NULL, n, 1e-5));
    else
        CHECK(same("relu out", o_cpu, o_ref, n));
    float *fresh = filled(n, 0), *pre = randn(n, s + 2, 1);
    float *d_ref = copy_of(pre, n), *d_cpu = copy_of(pre, n);
    (gelu ? kernels_ref.gelu_backward : kernels_ref.relu_backward)(fresh, x, dout, n);
    (gelu ? kernels_ref.gelu_backward : kernels_ref.relu_backward)(d_ref, x, dout, n);
    (gelu ? kernels_cpu.gelu_backward : kernels_cpu.relu_backward)(d_cpu, x, dout, n);
    CHECK(accumulated(gelu ? "ref gelu dinp" : "ref relu dinp", d_ref, pre, fresh, n, 1e-6));
    if (gelu)
        CHECK(close_to("gelu dinp", d_cpu, d_ref, pre, n, 1e-5));
    else
        CHECK(same("relu dinp", d_cpu, d_ref, n));
    attn_free(x), attn_free(dout), attn_free(o_ref), attn_free(o_cpu);
    attn_free(fresh), attn_free(pre), attn_free(d_ref), attn_free(d_cpu);
}

TEST("gelu: cpu (vm_tanhf) matches ref (tanh in double) over small and large inputs") {
    check_activation(true, 7, 1.0f, 400);
    check_activation(true, 1001, 4.0f, 410); /* the saturated tails too */
    check_activation(true, 6144, 1.0f, 420);
}

TEST("gelu: known values of the tanh approximation") {
    float x[4] = {0.0f, 1.0f, -1.0f, 3.0f}, o[4];
    kernels_cpu.gelu_forward(o, x, 4);
    /* torch.nn.functional.gelu(x, approximate="tanh") */
    CHECK_NEAR(o[0], 0.0, 1e-7);
    CHECK_NEAR(o[1], 0.8411919906, 1e-6);
    CHECK_NEAR(o[2], -0.1588080094, 1e-6);
    CHECK_NEAR(o[3], 2.9963627, 1e-5);
}

TEST("relu: cpu matches ref exactly, forward and accumulated backward") {
    check_activation(false, 7, 1.0f, 500);
    check_activation(false, 1001, 3.0f, 510);
}

/* ---- attention ------------------------------------------------------------ */

enum { MASK_NONE, MASK_RANDOM, MASK_LAST_ROW_HIDDEN, MASK_FIRST_BLOCK };

typedef struct attn_case {
    int64_t B, Tq, Tk, H, D;
    int64_t Hkv;         /* key/value heads (grouped-query attention); 0 = H */
    bool causal, packed; /* packed: q, k, v from one (B, T, C + 2 Ckv) qkv buffer (Tq == Tk) */
    bool alibi;          /* ALiBi slopes 2^-(h+1) */
    int mask;
    float amp;           /* input scale: larger = peakier softmax */
    double tol_bwd;
} attn_case;

static void check_attention(attn_case c, uint64_t s) {
    const int64_t B = c.B, Tq = c.Tq, Tk = c.Tk, H = c.H, D = c.D, C = H * D, Ckv = (c.Hkv ? c.Hkv : H) * D;
    attn_dims d = {.B = B, .Tq = Tq, .Tk = Tk, .H = H, .D = D, .causal = c.causal,
                   .scale = 1.0f / sqrtf((float)D), .Hkv = c.Hkv};
    /* layouts: packed = (B, T, C + 2 Ckv) with q, k, v at 0, C, C + Ckv;
     * otherwise q is (B, Tq, C+1) at column 1 and kv is (B, Tk, 2Ckv+3) with
     * k at 1, v at Ckv+2, so strides are odd and padding columns must stay
     * untouched */
    int64_t qs = c.packed ? C + 2 * Ckv : C + 1, kvs = c.packed ? C + 2 * Ckv : 2 * Ckv + 3;
    int64_t q_off = c.packed ? 0 : 1, k_off = c.packed ? C : 1, v_off = c.packed ? C + Ckv : Ckv + 2;
    int64_t nq = B * Tq * qs, nkv = B * Tk * kvs;
    d.q_stride = qs;
    d.kv_stride = kvs;
    d.q_batch_stride = Tq * qs;
    d.kv_batch_stride = Tk * kvs;
    float *qbuf = randn(nq, s, c.amp);
    float *kvbuf = c.packed ? qbuf : randn(nkv, s + 1, c.amp);
    if (c.packed) nkv = nq;
    uint8_t *mask = NULL;
    if (c.mask != MASK_NONE) {
        mask = attn_malloc((size_t)(B * Tk));
        for (int64_t b = 0; b < B; b++)
            for (int64_t j = 0; j < Tk; j++) {
                uint8_t m = rng_uniform(SEED, s + 2, (uint64_t)(b * Tk + j)) >= 0.3f;
                if (c.mask == MASK_LAST_ROW_HIDDEN && b == B - 1) m = 0;
                if (c.mask == MASK_FIRST_BLOCK && b == 0) m = j >= 70; /* a whole 64-key block hidden */
                mask[b * Tk + j] = m;
            }
        d.key_mask = mask;
    }
    const float *q = qbuf + q_off, *k = kvbuf + k_off, *v = kvbuf + v_off;
    float slopes[16];
    for (int64_t h = 0; h < H && h < 16; h++) slopes[h] = ldexpf(1.0f, -(int)(h + 1));
    if (c.alibi) d.alibi = slopes;

    int64_t no = B * Tq * C, nl = B * H * Tq;
    float *o_ref = filled(no, NAN), *o_cpu = filled(no, NAN), *l_ref = filled(nl, NAN), *l_cpu = filled(nl, NAN);
    kernels_ref.attention_forward(&d, o_ref, l_ref, q, k, v);
    kernels_cpu.attention_forward(&d, o_cpu, l_cpu, q, k, v);
    CHECK(all_finite(o_ref, no));
    CHECK(close_to("attention out", o_cpu, o_ref, NULL, no, 1e-5));
    CHECK(close_to("attention lse", l_cpu, l_ref, NULL, nl, 1e-5));
    if (c.mask == MASK_LAST_ROW_HIDDEN) { /* the hidden batch row: zeros and lse = -inf in both */
        bool zeros = true, neg_inf = true;
        for (int64_t i = (B - 1) * Tq * C; i < no; i++) zeros = zeros && o_cpu[i] == 0.0f && o_ref[i] == 0.0f;
        for (int64_t i = (B - 1) * H * Tq; i < nl; i++)
            neg_inf = neg_inf && l_cpu[i] == -INFINITY && l_ref[i] == -INFINITY;
        CHECK(zeros);
        CHECK(neg_inf);
    }

    /* backward on ref's forward results, into prefilled buffers laid out
     * like q and kv (for packed, one buffer: dq, dk, dv share rows) */
    float *dout = randn(no, s + 3, 1);
    float *pq = randn(nq, s + 4, 1), *pkv = c.packed ? pq : randn(nkv, s + 5, 1);
    float *fq = filled(nq, 0), *fkv = c.packed ? fq : filled(nkv, 0);
    float *rq = copy_of(pq, nq), *rkv = c.packed ? rq : copy_of(pkv, nkv);
    float *cq = copy_of(pq, nq), *ckv = c.packed ? cq : copy_of(pkv, nkv);
    kernels_ref.attention_backward(&d, fq + q_off, fkv + k_off, fkv + v_off, dout, o_ref, l_ref, q, k, v);
    kernels_ref.attention_backward(&d, rq + q_off, rkv + k_off, rkv + v_off, dout, o_ref, l_ref, q, k, v);
    kernels_cpu.attention_backward(&d, cq + q_off, ckv + k_off, ckv + v_off, dout, o_ref, l_ref, q, k, v);
    CHECK(accumulated("ref attention dq", rq, pq, fq, nq, c.tol_bwd));
    CHECK(close_to(c.packed ? "attention dqkv" : "attention dq", cq, rq, pq, nq, c.tol_bwd));
    CHECK(all_finite(cq, nq));
    if (!c.packed) {
        CHECK(accumulated("ref attention dkv", rkv, pkv, fkv, nkv, c.tol_bwd));
        CHECK(close_to("attention dkv", ckv, rkv, pkv, nkv, c.tol_bwd));
        CHECK(all_finite(ckv, nkv));
        /* padding columns are never written */
        bool untouched = true;
        for (int64_t r = 0; r < B * Tq; r++) untouched = untouched && cq[r * qs] == pq[r * qs];
        for (int64_t r = 0; r < B * Tk; r++)
            untouched = untouched && ckv[r * kvs] == pkv[r * kvs] && ckv[r * kvs + Ckv + 1] == pkv[r * kvs + Ckv + 1];
        CHECK(untouched);
    }
    if (c.mask == MASK_LAST_ROW_HIDDEN) { /* nothing flows through the hidden batch row */
        CHECK(same("hidden row dq", cq + (B - 1) * Tq * qs, pq + (B - 1) * Tq * qs, Tq * qs));
        CHECK(same("hidden row dkv", ckv + (B - 1) * Tk * kvs, pkv + (B - 1) * Tk * kvs, Tk * kvs));
    }

    /* NULL gradient pointers: each of dq, dk, dv may be left out; the others
     * get exactly what the full call gave */
    for (int which = 0; which < 3; which++) {
        float *nqb = copy_of(pq, nq), *nkvb = c.packed ? nqb : copy_of(pkv, nkv);
        kernels_cpu.attention_backward(&d, which == 0 ? NULL : nqb + q_off, which == 1 ? NULL : nkvb + k_off,
                                       which == 2 ? NULL : nkvb + v_off, dout, o_ref, l_ref, q, k, v);
        /* compare the columns that were passed with the full cpu call */
        int64_t off[3] = {q_off, k_off, v_off};
        bool ok = true;
        for (int t = 0; t < 3; t++) {
            int64_t T = t == 0 ? Tq : Tk, st = t == 0 ? qs : kvs;
            const float *got = (t == 0 ? nqb : nkvb), *full = (t == 0 ? cq : ckv), *pre = (t == 0 ? pq : pkv);
            for (int64_t r = 0; r < B * T; r++)
                for (int64_t e = 0; e < (t == 0 ? C : Ckv); e++) {
                    int64_t i = r * st + off[t] + e;
                    float want = t == which ? pre[i] : full[i];
                    ok = ok && (fabs((double)got[i] - (double)want) <= 1e-6 * fmax(1.0, fabs((double)want)));
                }
        }
        if (!ok) fprintf(stderr, "    attention backward with gradient %d NULL differs\n", which);
        CHECK(ok);
        attn_free(nqb);
        if (!c.packed) attn_free(nkvb);
    }

    attn_free(qbuf), attn_free(mask), attn_free(o_ref), attn_free(o_cpu), attn_free(l_ref), attn_free(l_cpu);
    attn_free(dout), attn_free(pq), attn_free(fq), attn_free(rq), attn_free(cq);
    if (!c.packed) attn_free(kvbuf), attn_free(pkv), attn_free(fkv), attn_free(rkv), attn_free(ckv);
}

TEST("attention: causal self-attention from a packed qkv buffer, D = 4, 8, 64") {
    check_attention((attn_case){.B = 2, .Tq = 7, .Tk = 7, .H = 3, .D = 4, .causal = true, .packed = true,
                                .amp = 1, .tol_bwd = 1e-5}, 600);
    check_attention((attn_case){.B = 2, .Tq = 7, .Tk = 7, .H = 3, .D = 8, .causal = true, .packed = true,
                                .amp = 1, .tol_bwd = 1e-5}, 610);
    check_attention((attn_case){.B = 2, .Tq = 9, .Tk = 9, .H = 3, .D = 64, .causal = true, .packed = true,
                                .amp = 1, .tol_bwd = 1e-5}, 620);
}

TEST("attention: non-causal with a key mask, one batch row fully hidden (zeros, lse -inf, finite grads)") {
    check_attention((attn_case){.B = 2, .Tq = 7, .Tk = 7, .H = 3, .D = 8, .packed = true,
                                .mask = MASK_LAST_ROW_HIDDEN, .amp = 1, .tol_bwd = 1e-5}, 700);
    check_attention((attn_case){.B = 2, .Tq = 5, .Tk = 9, .H = 3, .D = 4, .mask = MASK_LAST_ROW_HIDDEN,
                                .amp = 1, .tol_bwd = 1e-5}, 710);
    check_attention((attn_case){.B = 2, .Tq = 9, .Tk = 9, .H = 3, .D = 64, .causal = true, .packed = true,
                                .mask = MASK_RANDOM, .amp = 1, .tol_bwd = 1e-5}, 720);
}

TEST("attention: causal with Tq != Tk (decode Tq=1 and Tq=3 over Tk=9 keys), strided q and kv") {
    for (int64_t D = 4; D <= 64; D *= 2) {
        if (D == 16 || D == 32) continue;
        check_attention((attn_case){.B = 2, .Tq = 1, .Tk = 9, .H = 3, .D = D, .causal = true, .amp = 1,
                                    .tol_bwd = 1e-5}, 800 + (uint64_t)D);
        check_attention((attn_case){.B = 2, .Tq = 3, .Tk = 9, .H = 3, .D = D, .causal = true, .amp = 1,
                                    .tol_bwd = 1e-5}, 900 + (uint64_t)D);
        check_attention((attn_case){.B = 2, .Tq = 3, .Tk = 9, .H = 3, .D = D, .causal = true,
                                    .mask = MASK_RANDOM, .amp = 1, .tol_bwd = 1e-5}, 1000 + (uint64_t)D);
    }
}

TEST("attention: keys over several 64-key blocks (online softmax), peaked scores, a hidden block") {
    check_attention((attn_case){.B = 2, .Tq = 130, .Tk = 130, .H = 3, .D = 16, .causal = true, .packed = true,
                                .mask = MASK_FIRST_BLOCK, .amp = 2, .tol_bwd = 1e-4}, 1100);
    check_attention((attn_case){.B = 2, .Tq = 5, .Tk = 150, .H = 3, .D = 4, .amp = 4, .tol_bwd = 1e-4}, 1110);
    check_attention((attn_case){.B = 2, .Tq = 64, .Tk = 64, .H = 3, .D = 32, .causal = true, .packed = true,
                                .amp = 1, .tol_bwd = 1e-4}, 1120);
}

TEST("attention: tiled kernel edges (partial query/key tiles, Tq != Tk causal, D at and past the tile limit)") {
    check_attention((attn_case){.B = 1, .Tq = 37, .Tk = 70, .H = 2, .D = 24, .causal = true, .mask = MASK_RANDOM,
                                .amp = 1, .tol_bwd = 1e-4}, 1130);
    check_attention((attn_case){.B = 2, .Tq = 33, .Tk = 33, .H = 1, .D = 128, .causal = true, .packed = true,
                                .amp = 1, .tol_bwd = 1e-4}, 1140);
    check_attention((attn_case){.B = 1, .Tq = 40, .Tk = 45, .H = 2, .D = 160, .mask = MASK_RANDOM, .amp = 1,
                                .tol_bwd = 1e-4}, 1150);
}

TEST("attention with ALiBi: tiled and row kernels match the reference (causal, masked, Tq != Tk, D > 128)") {
    check_attention((attn_case){.B = 2, .Tq = 70, .Tk = 70, .H = 3, .D = 16, .causal = true, .packed = true,
                                .alibi = true, .amp = 1, .tol_bwd = 1e-4}, 1200);
    check_attention((attn_case){.B = 2, .Tq = 37, .Tk = 70, .H = 2, .D = 24, .causal = true, .alibi = true,
                                .mask = MASK_RANDOM, .amp = 1, .tol_bwd = 1e-4}, 1210);
    check_attention((attn_case){.B = 2, .Tq = 1, .Tk = 9, .H = 3, .D = 8, .causal = true, .alibi = true,
                                .amp = 1, .tol_bwd = 1e-5}, 1220);
    check_attention((attn_case){.B = 2, .Tq = 9, .Tk = 40, .H = 3, .D = 32, .alibi = true, .mask = MASK_LAST_ROW_HIDDEN,
                                .amp = 1, .tol_bwd = 1e-4}, 1230);
    check_attention((attn_case){.B = 1, .Tq = 40, .Tk = 45, .H = 2, .D = 160, .causal = true, .alibi = true,
                                .mask = MASK_RANDOM, .amp = 1, .tol_bwd = 1e-4}, 1240);
}

TEST("grouped-query attention (Hkv < H): tiled and row kernels match the reference, dk/dv summed over each group") {
    /* 4 query heads over 2 and 1 key/value heads; packed q|k|v, strided, causal, masked, decode */
    check_attention((attn_case){.B = 2, .Tq = 70, .Tk = 70, .H = 4, .Hkv = 2, .D = 24, .causal = true, .packed = true,
                                .amp = 1, .tol_bwd = 1e-4}, 1300);
    check_attention((attn_case){.B = 2, .Tq = 37, .Tk = 70, .H = 4, .Hkv = 1, .D = 16, .causal = true,
                                .mask = MASK_RANDOM, .amp = 1, .tol_bwd = 1e-4}, 1310);
    check_attention((attn_case){.B = 2, .Tq = 1, .Tk = 9, .H = 6, .Hkv = 2, .D = 8, .causal = true, .amp = 1,
                                .tol_bwd = 1e-5}, 1320);
    check_attention((attn_case){.B = 1, .Tq = 20, .Tk = 20, .H = 4, .Hkv = 2, .D = 160, .causal = true, .packed = true,
                                .amp = 1, .tol_bwd = 1e-4}, 1330);
}

TEST("attention at D = 64 (the row kernel's own vector path): decode over several key blocks, GQA, ALiBi, masks") {
    check_attention((attn_case){.B = 2, .Tq = 1, .Tk = 150, .H = 6, .Hkv = 2, .D = 64, .causal = true, .amp = 2,
                                .tol_bwd = 1e-4}, 1400);
    check_attention((attn_case){.B = 2, .Tq = 1, .Tk = 150, .H = 3, .D = 64, .causal = true, .alibi = true,
                                .mask = MASK_RANDOM, .amp = 2, .tol_bwd = 1e-4}, 1410);
    check_attention((attn_case){.B = 2, .Tq = 1, .Tk = 130, .H = 3, .D = 64, .mask = MASK_FIRST_BLOCK, .amp = 4,
                                .tol_bwd = 1e-4}, 1420);
    check_attention((attn_case){.B = 2, .Tq = 2, .Tk = 70, .H = 3, .D = 64, .mask = MASK_LAST_ROW_HIDDEN, .amp = 1,
                                .tol_bwd = 1e-4}, 1430);
}

/* GQA is the same as repeating each key/value head for its group's query
 * heads (transformers' repeat_kv), in both tables. */
TEST("grouped-query attention = plain attention over key/value heads repeated per group (ref and cpu)") {
    enum { B = 2, T = 9, H = 4, HKV = 2, D = 8, C = H * D, CKV = HKV * D };
    float *qkv = randn(B * T * (C + 2 * CKV), 1400, 1), *rep = filled(B * T * 3 * C, 0);
    for (int64_t r = 0; r < B * T; r++)
        for (int64_t h = 0; h < H; h++)
            for (int64_t e = 0; e < D; e++) {
                const float *src = qkv + r * (C + 2 * CKV);
                float *dst = rep + r * 3 * C;
                dst[h * D + e] = src[h * D + e];
                dst[C + h * D + e] = src[C + h / (H / HKV) * D + e];
                dst[2 * C + h * D + e] = src[C + CKV + h / (H / HKV) * D + e];
            }
    attn_dims g = {.B = B, .Tq = T, .Tk = T, .H = H, .Hkv = HKV, .D = D, .q_stride = C + 2 * CKV,
                   .kv_stride = C + 2 * CKV, .q_batch_stride = T * (C + 2 * CKV), .kv_batch_stride = T * (C + 2 * CKV),
                   .causal = true, .scale = 1.0f / sqrtf((float)D)};
    attn_dims p = g;
    p.Hkv = 0, p.q_stride = p.kv_stride = 3 * C, p.q_batch_stride = p.kv_batch_stride = T * 3 * C;
    const kernels *tables[2] = {&kernels_ref, &kernels_cpu};
    for (int t = 0; t < 2; t++) {
        float *o1 = filled(B * T * C, NAN), *o2 = filled(B * T * C, NAN), *l1 = filled(B * H * T, 0),
              *l2 = filled(B * H * T, 0);
        tables[t]->attention_forward(&g, o1, l1, qkv, qkv + C, qkv + C + CKV);
        tables[t]->attention_forward(&p, o2, l2, rep, rep + C, rep + 2 * C);
        CHECK(close_to("gqa out = repeated kv out", o1, o2, NULL, B * T * C, 1e-6));
        attn_free(o1), attn_free(o2), attn_free(l1), attn_free(l2);
    }
    attn_free(qkv), attn_free(rep);
}

/* ---- RMSNorm, rotary positions, SwiGLU --------------------------------------- */

static void check_rmsnorm(int64_t N, int64_t C, uint64_t s, double tol_bwd) {
    float *x = randn(N * C, s, 1), *w = randn(C, s + 1, 1), *a = randn(N * C, s + 2, 1), *dout = randn(N * C, s + 3, 1);
    float *o_ref = filled(N * C, NAN), *o_cpu = filled(N * C, NAN), *r_ref = filled(N, NAN), *r_cpu = filled(N, NAN);
    kernels_ref.rmsnorm_forward(o_ref, r_ref, x, w, N, C, 1e-6f);
    kernels_cpu.rmsnorm_forward(o_cpu, r_cpu, x, w, N, C, 1e-6f);
    CHECK(close_to("rmsnorm out", o_cpu, o_ref, NULL, N * C, 1e-5));
    CHECK(close_to("rmsnorm rstd", r_cpu, r_ref, NULL, N, 1e-5));
    /* the definition, row 0: x / sqrt(mean(x^2) + eps) * w */
    double ss = 0;
    for (int64_t c = 0; c < C; c++) ss += (double)x[c] * (double)x[c];
    CHECK_NEAR(o_ref[C - 1], (double)x[C - 1] / sqrt(ss / (double)C + 1e-6) * (double)w[C - 1], 1e-5);
    /* fused add: sum = a + x, then the norm of the sum */
    float *sum[2] = {filled(N * C, NAN), filled(N * C, NAN)}, *o2[2] = {filled(N * C, NAN), filled(N * C, NAN)};
    float *r2[2] = {filled(N, NAN), filled(N, NAN)};
    kernels_ref.add_rmsnorm_forward(sum[0], o2[0], r2[0], a, x, w, N, C, 1e-6f);
    kernels_cpu.add_rmsnorm_forward(sum[1], o2[1], r2[1], a, x, w, N, C, 1e-6f);
    float *o3 = filled(N * C, NAN), *r3 = filled(N, NAN);
    kernels_ref.rmsnorm_forward(o3, r3, sum[0], w, N, C, 1e-6f);
    CHECK(same("add_rmsnorm ref = add then rmsnorm", o2[0], o3, N * C));
    CHECK(close_to("add_rmsnorm sum", sum[1], sum[0], NULL, N * C, 1e-6));
    CHECK(close_to("add_rmsnorm out", o2[1], o2[0], NULL, N * C, 1e-5));
    /* backward, accumulated, every subset */
    float *pdx = randn(N * C, s + 4, 1), *pdw = randn(C, s + 5, 1);
    float *fdx = filled(N * C, 0), *fdw = filled(C, 0);
    kernels_ref.rmsnorm_backward(fdx, fdw, dout, x, w, r_ref, N, C);
    for (int mask = 1; mask < 4; mask++) {
        bool gx = mask & 1, gw = mask & 2;
        float *rdx = copy_of(pdx, N * C), *cdx = copy_of(pdx, N * C), *rdw = copy_of(pdw, C), *cdw = copy_of(pdw, C);
        kernels_ref.rmsnorm_backward(gx ? rdx : NULL, gw ? rdw : NULL, dout, x, w, r_ref, N, C);
        kernels_cpu.rmsnorm_backward(gx ? cdx : NULL, gw ? cdw : NULL, dout, x, w, r_ref, N, C);
        if (gx) {
            CHECK(accumulated("ref rmsnorm dinp", rdx, pdx, fdx, N * C, 1e-6));
            CHECK(close_to("rmsnorm dinp", cdx, rdx, pdx, N * C, tol_bwd));
        } else {
            CHECK(same("rmsnorm dinp untouched", cdx, pdx, N * C));
        }
        if (gw) {
            CHECK(accumulated("ref rmsnorm dweight", rdw, pdw, fdw, C, 1e-6));
            CHECK(close_to("rmsnorm dweight", cdw, rdw, pdw, C, tol_bwd));
        } else {
            CHECK(same("rmsnorm dweight untouched", cdw, pdw, C));
        }
        attn_free(rdx), attn_free(cdx), attn_free(rdw), attn_free(cdw);
    }
    attn_free(x), attn_free(w), attn_free(a), attn_free(dout), attn_free(o_ref), attn_free(o_cpu), attn_free(r_ref);
    attn_free(r_cpu), attn_free(sum[0]), attn_free(sum[1]), attn_free(o2[0]), attn_free(o2[1]), attn_free(r2[0]);
    attn_free(r2[1]), attn_free(o3), attn_free(r3), attn_free(pdx), attn_free(pdw), attn_free(fdx), attn_free(fdw);
}

TEST("rmsnorm (and fused add + rmsnorm): cpu matches ref, the definition, accumulated backward, every subset") {
    check_rmsnorm(7, 13, 1500, 1e-5);
    check_rmsnorm(1, 1, 1510, 1e-5);
    check_rmsnorm(64, 96, 1520, 1e-4);
}

static void check_rope(int64_t N, int64_t C, int64_t n_heads, int64_t D, int64_t rot, float theta, uint64_t s) {
    float *x = randn(N * C, s, 1), *dout = randn(N * C, s + 1, 1);
    int32_t *pos = attn_malloc((size_t)N * sizeof(int32_t));
    for (int64_t n = 0; n < N; n++) pos[n] = (int32_t)((n * 37 + 3) % 2048);
    float *o_ref = filled(N * C, NAN), *o_cpu = filled(N * C, NAN);
    kernels_ref.rope_forward(o_ref, x, pos, N, C, n_heads, D, rot, theta);
    kernels_cpu.rope_forward(o_cpu, x, pos, N, C, n_heads, D, rot, theta);
    CHECK(close_to("rope out", o_cpu, o_ref, NULL, N * C, 1e-6));
    /* columns outside the rotated dims pass through; a rotation keeps each pair's norm */
    bool through = true, norms = true;
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++) {
            int64_t h = c / D, e = c % D;
            if (h >= n_heads || e >= rot) through = through && o_cpu[n * C + c] == x[n * C + c];
            else if (e < rot / 2) {
                double a = hypot(x[n * C + c], x[n * C + c + rot / 2]), b = hypot(o_ref[n * C + c], o_ref[n * C + c + rot / 2]);
                norms = norms && fabs(a - b) <= 1e-5 * fmax(1, a);
            }
        }
    CHECK(through);
    CHECK(norms);
    /* backward = the inverse rotation, accumulated: rope_backward(rope_forward(x)) = x (into zeros) */
    float *back = filled(N * C, 0), *pre = randn(N * C, s + 2, 1), *rd = copy_of(pre, N * C), *cd = copy_of(pre, N * C);
    kernels_cpu.rope_backward(back, o_cpu, pos, N, C, n_heads, D, rot, theta);
    CHECK(close_to("rope inverse", back, x, NULL, N * C, 1e-5));
    float *fresh = filled(N * C, 0);
    kernels_ref.rope_backward(fresh, dout, pos, N, C, n_heads, D, rot, theta);
    kernels_ref.rope_backward(rd, dout, pos, N, C, n_heads, D, rot, theta);
    kernels_cpu.rope_backward(cd, dout, pos, N, C, n_heads, D, rot, theta);
    CHECK(accumulated("ref rope dinp", rd, pre, fresh, N * C, 1e-6));
    CHECK(close_to("rope dinp", cd, rd, pre, N * C, 1e-5));
    attn_free(x), attn_free(dout), attn_free(pos), attn_free(o_ref), attn_free(o_cpu), attn_free(back), attn_free(pre);
    attn_free(rd), attn_free(cd), attn_free(fresh);
}

TEST("rope: cpu matches ref (q|k heads of a fused q|k|v row, partial rotary, odd widths), inverse backward") {
    check_rope(9, 3 * 4 * 24, 4 + 4, 24, 24, 10000.0f, 1600); /* q|k rotated, v passes */
    check_rope(5, (4 + 2 * 2) * 16, 4 + 2, 16, 16, 500000.0f, 1610);          /* GQA: 4 q heads, 2 kv heads */
    check_rope(3, 2 * 10 + 7, 2, 10, 4, 100.0f, 1620);                        /* partial rotary, odd row */
}

TEST("rope: known values (position 0 is the identity; head dims 2 at position 1 rotate by 1 radian)") {
    float x[4] = {1, 2, 3, 4}, o[4];
    int32_t p0 = 0, p1 = 1;
    kernels_cpu.rope_forward(o, x, &p0, 1, 4, 1, 4, 4, 10000.0f);
    CHECK(same("position 0", o, x, 4));
    float y[2] = {1, 0}, z[2];
    kernels_ref.rope_forward(z, y, &p1, 1, 2, 1, 2, 2, 10000.0f); /* inv_freq[0] = 1 */
    CHECK_NEAR(z[0], cos(1.0), 1e-7);
    CHECK_NEAR(z[1], sin(1.0), 1e-7);
}

typedef void (*glu_fwd)(float *, const float *, int64_t, int64_t);
typedef void (*glu_bwd)(float *, const float *, const float *, int64_t, int64_t);
static double silu_times(double a, double b) { return a / (1 + exp(-a)) * b; }
static double gelu_times(double a, double b) { return 0.5 * a * (1 + erf(a / sqrt(2.0))) * b; }

/* A gated unit's kernels (gate | up halves): cpu against ref, ref's first
 * output against the definition, accumulated backward. */
static void check_glu(bool gelu, int64_t N, int64_t F, float amp, uint64_t s) {
    glu_fwd rf = gelu ? kernels_ref.geglu_forward : kernels_ref.swiglu_forward;
    glu_fwd cf = gelu ? kernels_cpu.geglu_forward : kernels_cpu.swiglu_forward;
    glu_bwd rb = gelu ? kernels_ref.geglu_backward : kernels_ref.swiglu_backward;
    glu_bwd cb = gelu ? kernels_cpu.geglu_backward : kernels_cpu.swiglu_backward;
    float *x = randn(N * 2 * F, s, amp), *dout = randn(N * F, s + 1, 1);
    float *o_ref = filled(N * F, NAN), *o_cpu = filled(N * F, NAN);
    rf(o_ref, x, N, F);
    cf(o_cpu, x, N, F);
    CHECK(close_to(gelu ? "geglu out" : "swiglu out", o_cpu, o_ref, NULL, N * F, 1e-5));
    double want = (gelu ? gelu_times : silu_times)((double)x[0], (double)x[F]);
    CHECK_NEAR(o_ref[0], want, 1e-6 * fmax(1, fabs(want)));
    float *pre = randn(N * 2 * F, s + 2, 1), *rd = copy_of(pre, N * 2 * F), *cd = copy_of(pre, N * 2 * F);
    float *fresh = filled(N * 2 * F, 0);
    rb(fresh, x, dout, N, F);
    rb(rd, x, dout, N, F);
    cb(cd, x, dout, N, F);
    CHECK(accumulated(gelu ? "ref geglu dinp" : "ref swiglu dinp", rd, pre, fresh, N * 2 * F, 1e-6));
    CHECK(close_to(gelu ? "geglu dinp" : "swiglu dinp", cd, rd, pre, N * 2 * F, 1e-5));
    attn_free(x), attn_free(dout), attn_free(o_ref), attn_free(o_cpu), attn_free(pre), attn_free(rd), attn_free(cd);
    attn_free(fresh);
}

TEST("swiglu: cpu matches ref, small and large gates (saturated sigmoid), accumulated backward") {
    check_glu(false, 7, 13, 1, 1700);
    check_glu(false, 3, 64, 30, 1710);
    check_glu(false, 1, 1, 1, 1720);
}

TEST("geglu: cpu matches ref, small and large gates (saturated erf), accumulated backward") {
    check_glu(true, 7, 13, 1, 1730);
    check_glu(true, 3, 64, 12, 1740);
    check_glu(true, 1, 1, 1, 1750);
}

/* QK-norm over the first n_heads heads of width D of rows of C floats:
 * ref against the definition, cpu against ref, accumulated backward. */
static void check_qk_norm(int64_t N, int64_t C, int64_t n_heads, int64_t D, float amp, uint64_t s) {
    int64_t R = N * n_heads;
    float *x = randn(N * C, s, amp), *dout = randn(N * C, s + 1, 1);
    float *o_ref = filled(N * C, NAN), *o_cpu = filled(N * C, NAN), *r_ref = filled(R, NAN), *r_cpu = filled(R, NAN);
    kernels_ref.qk_norm_forward(o_ref, r_ref, x, N, C, n_heads, D, 1e-5f);
    kernels_cpu.qk_norm_forward(o_cpu, r_cpu, x, N, C, n_heads, D, 1e-5f);
    double worst = 0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t h = 0; h < n_heads; h++) {
            const float *xh = x + n * C + h * D;
            double ss = 0;
            for (int64_t d = 0; d < D; d++) ss += (double)xh[d] * (double)xh[d];
            double r = 1.0 / sqrt(ss / (double)D + 1e-5);
            for (int64_t d = 0; d < D; d++) worst = fmax(worst, fabs((double)o_ref[n * C + h * D + d] - (double)xh[d] * r));
        }
    CHECK(worst <= 1e-6 * fmax(1.0, (double)amp));
    bool copied = true;
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = n_heads * D; c < C; c++) copied = copied && o_ref[n * C + c] == x[n * C + c] && o_cpu[n * C + c] == x[n * C + c];
    CHECK(copied);
    CHECK(close_to("qk_norm out", o_cpu, o_ref, NULL, N * C, 1e-5));
    CHECK(close_to("qk_norm rstd", r_cpu, r_ref, NULL, R, 1e-5));
    float *pre = randn(N * C, s + 2, 1), *rd = copy_of(pre, N * C), *cd = copy_of(pre, N * C), *fresh = filled(N * C, 0);
    kernels_ref.qk_norm_backward(fresh, dout, x, r_ref, N, C, n_heads, D);
    kernels_ref.qk_norm_backward(rd, dout, x, r_ref, N, C, n_heads, D);
    kernels_cpu.qk_norm_backward(cd, dout, x, r_ref, N, C, n_heads, D);
    CHECK(accumulated("ref qk_norm dinp", rd, pre, fresh, N * C, 1e-6));
    CHECK(close_to("qk_norm dinp", cd, rd, pre, N * C, 1e-5));
    attn_free(x), attn_free(dout), attn_free(o_ref), attn_free(o_cpu), attn_free(r_ref), attn_free(r_cpu);
    attn_free(pre), attn_free(rd), attn_free(cd), attn_free(fresh);
}

TEST("qk_norm: ref is the definition, cpu matches ref (q|k heads of a fused q|k|v row, v copied), accumulated backward") {
    check_qk_norm(9, 3 * 4 * 8, 4 + 4, 8, 1, 1800);     /* q|k normed, v passes */
    check_qk_norm(5, (4 + 2 * 2) * 16, 4 + 2, 16, 30, 1810); /* GQA row, large values */
    check_qk_norm(3, 2 * 5 + 3, 2, 5, 1, 1820);           /* odd widths */
    check_qk_norm(300, 3 * 64, 2 * 2, 32, 1, 1830);       /* enough rows for the threads */
}

TEST("relu2: ref is max(x, 0)^2, cpu matches ref, accumulated backward 2 max(x, 0) dout") {
    enum { N = 70000 };
    float *x = randn(N, 1900, 2), *dout = randn(N, 1901, 1), *o_ref = filled(N, NAN), *o_cpu = filled(N, NAN);
    kernels_ref.relu2_forward(o_ref, x, N);
    kernels_cpu.relu2_forward(o_cpu, x, N);
    bool def = true;
    for (int64_t i = 0; i < N; i++) def = def && o_ref[i] == (x[i] > 0 ? x[i] * x[i] : 0.0f);
    CHECK(def);
    CHECK(close_to("relu2 out", o_cpu, o_ref, NULL, N, 1e-6));
    float *pre = randn(N, 1902, 1), *rd = copy_of(pre, N), *cd = copy_of(pre, N), *fresh = filled(N, 0);
    kernels_ref.relu2_backward(fresh, x, dout, N);
    kernels_ref.relu2_backward(rd, x, dout, N);
    kernels_cpu.relu2_backward(cd, x, dout, N);
    bool grad_def = true;
    for (int64_t i = 0; i < N; i++) grad_def = grad_def && fresh[i] == (x[i] > 0 ? 2.0f * x[i] * dout[i] : 0.0f);
    CHECK(grad_def);
    CHECK(accumulated("ref relu2 dinp", rd, pre, fresh, N, 1e-6));
    CHECK(close_to("relu2 dinp", cd, rd, pre, N, 1e-6));
    attn_free(x), attn_free(dout), attn_free(o_ref), attn_free(o_cpu), attn_free(pre), attn_free(rd), attn_free(cd);
    attn_free(fresh);
}

/* The tiled attention on a thread with a small stack, and with its tile
 * buffers refused by the allocator: the tiles (208 KiB per thread in the
 * backward at D = 128) are not on the stack, and when they cannot be
 * allocated the row kernels give the same results. Each run is on a fresh
 * thread, so that no tile block kept from an earlier call is reused. */
enum { SMALL_B = 2, SMALL_T = 70, SMALL_H = 2, SMALL_D = 128, SMALL_C = SMALL_H * SMALL_D };
typedef struct small_run {
    const attn_dims *d;
    const float *qkv, *dout, *lse_ref;
    float *out, *lse, *dqkv;
} small_run;

static void *small_run_main(void *arg) {
    small_run *r = arg;
    const float *qkv = r->qkv;
    kernels_cpu.attention_forward(r->d, r->out, r->lse, qkv, qkv + SMALL_C, qkv + 2 * SMALL_C);
    kernels_cpu.attention_backward(r->d, r->dqkv, r->dqkv + SMALL_C, r->dqkv + 2 * SMALL_C, r->dout, r->out,
                                   r->lse_ref, qkv, qkv + SMALL_C, qkv + 2 * SMALL_C);
    return NULL;
}

static size_t refuse_above; /* the hook refuses allocations larger than this (0: none) */
static void *refusing_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (refuse_above && size > refuse_above) return NULL;
    return realloc(ptr, size);
}

static void check_attention_small_stack(size_t stack, bool refuse) {
    enum { B = SMALL_B, T = SMALL_T, H = SMALL_H, D = SMALL_D, C = SMALL_C, N = B * T * 3 * C };
    attn_dims d = {.B = B, .Tq = T, .Tk = T, .H = H, .D = D, .causal = true, .scale = 1.0f / sqrtf((float)D),
                   .q_stride = 3 * C, .kv_stride = 3 * C, .q_batch_stride = T * 3 * C, .kv_batch_stride = T * 3 * C};
    float *qkv = randn(N, 1400, 1.0f), *dout = randn(B * T * C, 1401, 1.0f);
    float *o_ref = filled(B * T * C, 0), *l_ref = filled(B * H * T, 0), *g_ref = filled(N, 0);
    kernels_ref.attention_forward(&d, o_ref, l_ref, qkv, qkv + C, qkv + 2 * C);
    kernels_ref.attention_backward(&d, g_ref, g_ref + C, g_ref + 2 * C, dout, o_ref, l_ref, qkv, qkv + C, qkv + 2 * C);
    small_run r = {.d = &d, .qkv = qkv, .dout = dout, .lse_ref = l_ref, .out = filled(B * T * C, NAN),
                   .lse = filled(B * H * T, NAN), .dqkv = filled(N, 0)};
    pthread_attr_t attr;
    pthread_t th;
    pthread_attr_init(&attr);
    CHECK(pthread_attr_setstacksize(&attr, stack) == 0);
    if (refuse) {
        refuse_above = 64 * 1024;
        attn_set_allocator(refusing_realloc, NULL);
    }
    int rc = pthread_create(&th, &attr, small_run_main, &r);
    CHECK(rc == 0);
    if (rc == 0) pthread_join(th, NULL);
    if (refuse) attn_set_allocator(NULL, NULL);
    pthread_attr_destroy(&attr);
    CHECK(close_to("small-stack attention out", r.out, o_ref, NULL, B * T * C, 1e-5));
    CHECK(close_to("small-stack attention lse", r.lse, l_ref, NULL, B * H * T, 1e-5));
    CHECK(close_to("small-stack attention dqkv", r.dqkv, g_ref, NULL, N, 1e-4));
    attn_free(qkv), attn_free(dout), attn_free(o_ref), attn_free(l_ref), attn_free(g_ref);
    attn_free(r.out), attn_free(r.lse), attn_free(r.dqkv);
}

TEST("attention tiles are not on the stack: forward and backward (D = 128) on a thread with a 96 KiB stack") {
    check_attention_small_stack(96 * 1024, false);
}

TEST("attention with its tile buffers refused by the allocator: the row kernels give the same results") {
    check_attention_small_stack(1024 * 1024, true);
}

/* ALiBi changes the result (the bias reaches the softmax): the same inputs
 * without slopes give a different output. */
TEST("attention with ALiBi: the slopes change the output (a test that can fail)") {
    enum { B = 1, T = 20, H = 2, D = 16, C = H * D };
    float *qkv = randn(B * T * 3 * C, 1300, 1.0f), o0[B * T * C], o1[B * T * C], l0[B * H * T], l1[B * H * T];
    float slopes[H] = {0.5f, 0.25f};
    attn_dims d = {.B = B, .Tq = T, .Tk = T, .H = H, .D = D, .causal = true, .scale = 0.25f, .q_stride = 3 * C,
                   .kv_stride = 3 * C, .q_batch_stride = T * 3 * C, .kv_batch_stride = T * 3 * C};
    kernels_cpu.attention_forward(&d, o0, l0, qkv, qkv + C, qkv + 2 * C);
    d.alibi = slopes;
    kernels_cpu.attention_forward(&d, o1, l1, qkv, qkv + C, qkv + 2 * C);
    double diff = 0;
    for (int i = C; i < B * T * C; i++) diff = fmax(diff, fabs((double)o0[i] - (double)o1[i]));
    CHECK(diff > 1e-2);
    /* the first query sees only itself: bias 0, same output */
    CHECK(same("first query", o1, o0, C));
    attn_free(qkv);
}

/* Semantics, not just agreement: on both tables, changing the key and value
 * of a key that a query must not see (hidden by the mask, or in its causal
 * future) leaves that query's output unchanged, and changing one it sees
 * changes it. Tq=3 over Tk=6: query i sees keys j <= i + 3. */
TEST("attention: hidden and future keys do not affect the output, visible ones do (ref and cpu)") {
    const kernels *tables[2] = {&kernels_ref, &kernels_cpu};
    enum { B = 1, TQ = 3, TK = 6, H = 1, D = 4 };
    static const uint8_t mask[TK] = {1, 1, 0, 1, 1, 1}; /* key 2 hidden */
    attn_dims d = {.B = B, .Tq = TQ, .Tk = TK, .H = H, .D = D, .q_stride = D, .kv_stride = 2 * D,
                   .q_batch_stride = TQ * D, .kv_batch_stride = TK * 2 * D, .causal = true, .key_mask = mask,
                   .scale = 0.5f};
    for (int t = 0; t < 2; t++) {
        float *q = randn(TQ * D, 1500, 1), *kv = randn(TK * 2 * D, 1501, 1);
        float o0[TQ * D], o1[TQ * D], lse[TQ];
        tables[t]->attention_forward(&d, o0, lse, q, kv, kv + D);
        /* key 2 (hidden) and key 5 (future of queries 0, 1) change */
        for (int e = 0; e < 2 * D; e++) kv[2 * 2 * D + e] += 3.0f, kv[5 * 2 * D + e] -= 2.0f;
        tables[t]->attention_forward(&d, o1, lse, q, kv, kv + D);
        CHECK(same(tables[t]->name, o1, o0, 2 * D)); /* queries 0 and 1: bit-identical */
        bool moved = false;
        for (int e = 0; e < D; e++) moved = moved || fabsf(o1[2 * D + e] - o0[2 * D + e]) > 1e-3f;
        CHECK(moved); /* query 2 sees key 5 */
        /* a one-key view: query 0 with only key 0 visible outputs v_0 */
        uint8_t only0[TK] = {1, 0, 0, 0, 0, 0};
        attn_dims d0 = d;
        d0.key_mask = only0;
        tables[t]->attention_forward(&d0, o1, lse, q, kv, kv + D);
        CHECK(close_to("one visible key", o1, kv + D, NULL, D, 1e-6));
        attn_free(q), attn_free(kv);
    }
}

/* ---- cross-entropy -------------------------------------------------------- */

static void check_crossentropy(int64_t N, int64_t V, float amp, uint64_t s) {
    const int32_t ignore = -100;
    float *x = randn(N * V, s, amp);
    int32_t *t = attn_malloc((size_t)N * sizeof(int32_t));
    for (int64_t n = 0; n < N; n++) t[n] = (int32_t)((int64_t)(rng_uniform(SEED, s + 1, (uint64_t)n) * (float)V) % V);
    t[N / 2] = ignore;
    if (N > 2) t[N - 1] = (int32_t)(V - 1);
    float *ls_ref = filled(N, NAN), *ls_cpu = filled(N, NAN), *lse_ref = filled(N, NAN), *lse_cpu = filled(N, NAN);
    kernels_ref.crossentropy_forward(ls_ref, lse_ref, x, t, N, V, ignore);
    kernels_cpu.crossentropy_forward(ls_cpu, lse_cpu, x, t, N, V, ignore);
    CHECK(all_finite(ls_ref, N));
    CHECK(close_to("crossentropy losses", ls_cpu, ls_ref, NULL, N, 1e-5));
    CHECK(close_to("crossentropy lse", lse_cpu, lse_ref, NULL, N, 1e-5));
    CHECK(ls_cpu[N / 2] == 0.0f && ls_ref[N / 2] == 0.0f);
    for (int64_t n = 0; n < N; n++) CHECK(ls_ref[n] >= 0.0f);

    /* backward writes (does not accumulate): prefill with NaN */
    float scale = 1.0f / (float)(N - 1);
    float *d_ref = filled(N * V, NAN), *d_cpu = filled(N * V, NAN);
    kernels_ref.crossentropy_backward(d_ref, x, lse_ref, t, scale, N, V, ignore);
    kernels_cpu.crossentropy_backward(d_cpu, x, lse_ref, t, scale, N, V, ignore);
    CHECK(all_finite(d_cpu, N * V));
    CHECK(close_to("crossentropy dlogits", d_cpu, d_ref, NULL, N * V, 1e-5));
    bool ignored_zero = true;
    for (int64_t j = 0; j < V; j++) ignored_zero = ignored_zero && d_cpu[N / 2 * V + j] == 0.0f && d_ref[N / 2 * V + j] == 0.0f;
    CHECK(ignored_zero);
    /* each counted row of softmax - onehot sums to 0 */
    for (int64_t n = 0; n < N; n++) {
        double sum = 0;
        for (int64_t j = 0; j < V; j++) sum += (double)d_ref[n * V + j];
        CHECK_NEAR(sum, 0.0, 1e-6);
    }
    /* in place (dlogits aliases logits), as the op uses it */
    float *ip_ref = copy_of(x, N * V), *ip_cpu = copy_of(x, N * V);
    kernels_ref.crossentropy_backward(ip_ref, ip_ref, lse_ref, t, scale, N, V, ignore);
    kernels_cpu.crossentropy_backward(ip_cpu, ip_cpu, lse_ref, t, scale, N, V, ignore);
    CHECK(same("ref crossentropy in place", ip_ref, d_ref, N * V));
    CHECK(same("cpu crossentropy in place", ip_cpu, d_cpu, N * V));
    attn_free(x), attn_free(t), attn_free(ls_ref), attn_free(ls_cpu), attn_free(lse_ref), attn_free(lse_cpu);
    attn_free(d_ref), attn_free(d_cpu), attn_free(ip_ref), attn_free(ip_cpu);
}

TEST("cross-entropy: cpu matches ref with an ignored row, odd V, large logits, in place") {
    check_crossentropy(7, 101, 1.0f, 1200);
    check_crossentropy(7, 101, 10.0f, 1210);
    check_crossentropy(2, 1, 1.0f, 1220);
}

TEST("cross-entropy: cpu matches ref on a realistic shape (N=64, V=1000)") {
    check_crossentropy(64, 1000, 3.0f, 1300);
}

/* ---- log-softmax (a search's candidate scores) ---------------------------- */

/* log_softmax_rows of cpu against ref on N rows of V ~ amp N(0, 1), a few
 * entries -inf: within one float ulp of the reference everywhere (each row
 * shifted by its float log-sum-exp), the same bits in most rows, and each
 * row's exp summing to 1. */
static void check_log_softmax(int64_t N, int64_t V, float amp, uint64_t s) {
    float *x = randn(N * V, s, amp);
    for (int64_t i = 3; i < N * V; i += 97) x[i] = -INFINITY;
    if (V > 1) x[0] = -INFINITY;
    float *a = copy_of(x, N * V), *b = copy_of(x, N * V);
    kernels_ref.log_softmax_rows(a, N, V);
    kernels_cpu.log_softmax_rows(b, N, V);
    int64_t same_rows = 0;
    bool near = true, sums = true;
    for (int64_t n = 0; n < N; n++) {
        bool same = true;
        double total = 0;
        for (int64_t j = 0; j < V; j++) {
            float r = a[n * V + j], c = b[n * V + j];
            if (isinf(x[n * V + j])) {
                near = near && r == -INFINITY && c == -INFINITY;
                continue;
            }
            same = same && r == c;
            /* x - l rounded: one ulp of l is at most one ulp of max(|x|, |x - l|) (times 2 for the rounding) */
            float big = fmaxf(fabsf(x[n * V + j]), fabsf(r));
            near = near && fabsf(r - c) <= 2.0f * (nextafterf(big, INFINITY) - big);
            total += exp((double)c);
        }
        same_rows += same;
        sums = sums && fabs(total - 1.0) < 1e-5 + 1e-6 * (double)amp; /* exp of x - l rounded to float near |x| */
    }
    if (!near) fprintf(stderr, "    N=%lld V=%lld amp %g: cpu and ref differ by more than an ulp\n", (long long)N, (long long)V, (double)amp);
    CHECK(near);
    CHECK(sums);
    CHECK(same_rows * 10 >= N * 9);
    attn_free(x), attn_free(a), attn_free(b);
}

TEST("log_softmax_rows: cpu within a float ulp of ref (mostly the same bits), -inf entries, V from 1 to 50265") {
    check_log_softmax(1, 1, 1.0f, 1400);
    check_log_softmax(3, 7, 1.0f, 1410);
    check_log_softmax(5, 17, 30.0f, 1420);
    check_log_softmax(40, 8000, 5.0f, 1430);
    check_log_softmax(2, 50265, 10.0f, 1440);
    check_log_softmax(130, 100, 1000.0f, 1450); /* rows spanning far more than the exp range */
    /* a NaN makes its row NaN in both */
    float *a = randn(2 * 40, 1460, 1.0f), *b = copy_of(a, 2 * 40);
    a[45] = b[45] = NAN;
    kernels_ref.log_softmax_rows(a, 2, 40);
    kernels_cpu.log_softmax_rows(b, 2, 40);
    bool nan_row = true, finite_row = true;
    for (int64_t j = 0; j < 40; j++) {
        nan_row = nan_row && isnan(a[40 + j]) && isnan(b[40 + j]);
        finite_row = finite_row && isfinite(a[j]) && isfinite(b[j]);
    }
    CHECK(nan_row);
    CHECK(finite_row);
    attn_free(a), attn_free(b);
}

/* ---- gemm ----------------------------------------------------------------- */

typedef void (*gemm_fn)(bool, bool, int64_t, int64_t, int64_t, float, const float *, int64_t, const float *,
                        int64_t, float, float *, int64_t);

/* C (M, N) = alpha op(A) op(B) + beta C with ld* = width + pad; checks the
 * result against a double triple loop, and that padding columns of C are
 * untouched. beta == 0 must ignore C (NaN there). */
static bool check_gemm(gemm_fn f, const char *name, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                       float beta, int64_t pad, uint64_t s) {
    int64_t a_rows = ta ? K : M, a_cols = ta ? M : K, b_rows = tb ? N : K, b_cols = tb ? K : N;
    int64_t lda = a_cols + pad, ldb = b_cols + pad, ldc = N + pad;
    float *A = randn(a_rows * lda, s, 1), *B = randn(b_rows * ldb, s + 1, 1), *C = randn(M * ldc, s + 2, 1);
    const float SENTINEL = 12345.0f;
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++)
            if (beta == 0.0f) C[i * ldc + j] = NAN;
        for (int64_t j = N; j < ldc; j++) C[i * ldc + j] = SENTINEL;
    }
    float *want = attn_malloc((size_t)(M * N > 0 ? M * N : 1) * sizeof(float));
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += (double)(ta ? A[k * lda + i] : A[i * lda + k]) * (double)(tb ? B[j * ldb + k] : B[k * ldb + j]);
            want[i * N + j] = (float)((double)alpha * acc + (beta == 0.0f ? 0.0 : (double)beta * (double)C[i * ldc + j]));
        }
    f(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    bool ok = true;
    double worst = 0, scale = 1;
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            double dd = diff1(C[i * ldc + j], want[i * N + j]);
            worst = dd > worst ? dd : worst;
            scale = fmax(scale, fabs((double)want[i * N + j]));
        }
        for (int64_t j = N; j < ldc; j++) ok = ok && C[i * ldc + j] == SENTINEL;
    }
    if (!ok) fprintf(stderr, "    %s: padding of C written\n", name);
    if (!(worst <= 1e-5 * scale)) {
        fprintf(stderr, "    %s ta=%d tb=%d M=%lld N=%lld K=%lld alpha=%g beta=%g: max|diff| %.3g (scale %.3g)\n",
                name, ta, tb, (long long)M, (long long)N, (long long)K, (double)alpha, (double)beta, worst, scale);
        ok = false;
    }
    attn_free(A), attn_free(B), attn_free(C), attn_free(want);
    return ok;
}

static void check_gemm_all(gemm_fn f, const char *name) {
    /* {1, 1030, 777}: one row (decoding's matrix-vector path: rows in
     * fours plus two, a masked tail of 9 in k) */
    static const int64_t shapes[][3] = {{7, 33, 13}, {1, 1, 1}, {5, 3, 1}, {37, 1100, 300}, {64, 288, 96}, {1, 1030, 777}};
    static const float ab[][2] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {-0.75f, 0.0f}, {1.5f, 1.0f}, {0.5f, -2.0f}};
    uint64_t s = 1400;
    for (size_t si = 0; si < ARRAY_LEN(shapes); si++)
        for (int t = 0; t < 4; t++)
            for (size_t a = 0; a < ARRAY_LEN(ab); a++) {
                bool big = shapes[si][1] > 1000;
                if (big && a >= 2) continue; /* the big shape once per beta */
                s += 10;
                CHECK(check_gemm(f, name, t & 1, t & 2, shapes[si][0], shapes[si][1], shapes[si][2], ab[a][0],
                                 ab[a][1], (int64_t)(si % 3) * 2 + 1, s));
            }
}

TEST("gemm_f32_builtin: four transpose cases, alpha/beta, padded leading dimensions, k/j blocking") {
    check_gemm_all(gemm_f32_builtin, "gemm_f32_builtin");
}

TEST("gemm_f32 (the configured backend) matches the naive loop too") {
    check_gemm_all(gemm_f32, gemm_backend());
}

TEST("gemm_f32, a few rows times a transposed weight (batched decoding): near the sums in double, each row the same bits alone and on any thread count") {
    __builtin_cpu_init();
    if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma")) ||
        strcmp(gemm_backend_avx512(), "openblas")) {
        fprintf(stderr, "    no AVX-512 or no OpenBLAS here: the few-row path is not run\n");
        return;
    }
    /* rows 2 .. 64 (one to four vectors of 16, partial ones) */
    static const int64_t Ms[] = {2, 5, 16, 17, 32, 40, 64},
                         NK[][2] = {{768, 256}, {1030, 256}, {256, 1024}, {300, 704}, {300, 610}, {37, 96}};
    int threads = attn_get_threads();
    uint64_t seed = 2600;
    for (size_t a = 0; a < ARRAY_LEN(Ms); a++)
        for (size_t b = 0; b < ARRAY_LEN(NK); b++) {
            int64_t M = Ms[a], N = NK[b][0], K = NK[b][1], lda = K + 3, ldc = N + 1;
            float *A = randn(M * lda, seed, 1), *B = randn(N * K, seed + 1, 1);
            float *C = attn_malloc((size_t)(M * ldc) * 4), *D = attn_malloc((size_t)(M * ldc) * 4);
            seed += 2;
            for (int64_t i = 0; i < M * ldc; i++) C[i] = D[i] = 7.0f;
            CHECK_OK(attn_set_threads(2));
            gemm_f32_avx512(false, true, M, N, K, 1.0f, A, lda, B, K, 0.0f, C, ldc);
            double worst = 0;
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < N; j++) {
                    double r = 0, scale = 0;
                    for (int64_t k = 0; k < K; k++) {
                        r += (double)A[i * lda + k] * (double)B[j * K + k];
                        scale += fabs((double)A[i * lda + k] * (double)B[j * K + k]);
                    }
                    worst = fmax(worst, fabs((double)C[i * ldc + j] - r) / fmax(scale, 1e-30));
                }
            CHECK(worst < 1e-6);
            /* one thread: the same bits */
            CHECK_OK(attn_set_threads(1));
            gemm_f32_avx512(false, true, M, N, K, 1.0f, A, lda, B, K, 0.0f, D, ldc);
            CHECK(!memcmp(C, D, (size_t)(M * ldc) * 4));
            /* the last two rows as a step of their own: the same bits as in the whole step */
            gemm_f32_avx512(false, true, 2, N, K, 1.0f, A + (M - 2) * lda, lda, B, K, 0.0f, D, ldc);
            bool same = !memcmp(C + (M - 2) * ldc, D, (size_t)(2 * ldc - 1) * 4);
            /* the first 17 (one vector and a partial one) likewise */
            if (M > 17) {
                gemm_f32_avx512(false, true, 17, N, K, 1.0f, A, lda, B, K, 0.0f, D, ldc);
                same = same && !memcmp(C, D, (size_t)(17 * ldc - 1) * 4);
            }
            if (!same) fprintf(stderr, "    M=%lld N=%lld K=%lld: rows differ when stepped alone\n", (long long)M, (long long)N, (long long)K);
            CHECK(same);
            attn_free(A), attn_free(B), attn_free(C), attn_free(D);
        }
    attn_set_threads(threads);
}

TEST("gemm_f32_packed: AVX2 micro-kernel, four transpose cases, alpha/beta, block edges") {
    if (!gemm_packed_available_avx2(GEMM_PACK_F32)) {
        fprintf(stderr, "    no AVX2 + FMA here: the AVX2 micro-kernel is not run\n");
        return;
    }
    check_gemm_all(gemm_f32_packed_avx2, "gemm_f32_packed_avx2");
    /* past one block of each kind: K > 256, M > 144 rows, N > 4096 columns */
    static const int64_t edges[][3] = {{150, 45, 600}, {13, 4200, 7}, {145, 65, 257}};
    for (size_t i = 0; i < ARRAY_LEN(edges); i++)
        for (int t = 0; t < 4; t++)
            CHECK(check_gemm(gemm_f32_packed_avx2, "gemm_f32_packed_avx2", t & 1, t & 2, edges[i][0], edges[i][1],
                             edges[i][2], t == 2 ? 0.5f : 1.0f, t & 1 ? 1.0f : 0.0f, 3, 1600 + 10 * i + (uint64_t)t));
    CHECK(!gemm_packed_available_avx2(GEMM_PACK_BF16)); /* the bf16 kind is the AVX-512 build's */
}

TEST("gemm_f32_packed: AVX-512 micro-kernel and the generic fallback, four transpose cases, alpha/beta, block edges") {
    check_gemm_all(gemm_f32_packed, "gemm_f32_packed (generic build: plain loop)");
    __builtin_cpu_init();
    if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))) {
        fprintf(stderr, "    no AVX-512 here: the packed micro-kernel is not run\n");
        return;
    }
    check_gemm_all(gemm_f32_packed_avx512, "gemm_f32_packed_avx512");
    /* past one block of each kind: K > 384 lanes, M > 192 rows, N > 3072 columns */
    static const int64_t edges[][3] = {{200, 45, 800}, {13, 3100, 7}, {197, 65, 385}, {25, 33, 1601}};
    for (size_t i = 0; i < ARRAY_LEN(edges); i++)
        for (int t = 0; t < 4; t++)
            CHECK(check_gemm(gemm_f32_packed_avx512, "gemm_f32_packed_avx512", t & 1, t & 2, edges[i][0], edges[i][1],
                             edges[i][2], t == 2 ? 0.5f : 1.0f, t & 1 ? 1.0f : 0.0f, 3, 1500 + 10 * i + (uint64_t)t));
}

/* gemm_packed with fused work (bias, activation, pre, row sums of op(A))
 * against the same product unfused followed by the separate passes of the
 * same build: bias and row sums add in the same order (equal to the bit);
 * the activation to 1e-6 (the same formula, compiled in two places). */
typedef void (*packed_fn)(gemm_pack_kind, bool, bool, int64_t, int64_t, int64_t, float, const void *, gemm_dtype, int64_t,
                          const void *, gemm_dtype, int64_t, float, float *, int64_t, const gemm_fuse *);

static bool check_fused(packed_fn f, const char *name, gemm_pack_kind kind, bool ta, bool tb, int64_t M, int64_t N,
                        int64_t K, float beta, gemm_act act, bool with_bias, bool sums, uint64_t s) {
    int64_t lda = ta ? M : K, ldb = tb ? K : N;
    float *A = randn(M * K, s, 1), *B = randn(N * K, s + 1, 1), *C0 = randn(M * N, s + 2, 1);
    float *bias = randn(N, s + 3, 1), *rs0 = randn(M, s + 4, 1);
    float *C1 = copy_of(C0, M * N), *pre1 = filled(M * N, NAN), *rs1 = copy_of(rs0, M);
    gemm_fuse fx = {.bias = with_bias ? bias : NULL, .act = act, .pre = act ? pre1 : NULL, .row_sums = sums ? rs1 : NULL};
    f(kind, ta, tb, M, N, K, 1.0f, A, GEMM_F32, lda, B, GEMM_F32, ldb, beta, C1, N, &fx);
    /* expected: the product alone, then each pass */
    float *C2 = copy_of(C0, M * N), *pre2 = NULL, *rs2 = copy_of(rs0, M);
    f(kind, ta, tb, M, N, K, 1.0f, A, GEMM_F32, lda, B, GEMM_F32, ldb, beta, C2, N, NULL);
    if (with_bias)
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) C2[i * N + j] += bias[j];
    if (act) {
        pre2 = copy_of(C2, M * N);
        if (act == GEMM_ACT_GELU) kernels_cpu.gelu_forward(C2, pre2, M * N);
        if (act == GEMM_ACT_GELU_ERF) kernels_cpu.gelu_erf_forward(C2, pre2, M * N);
        if (act == GEMM_ACT_RELU) kernels_cpu.relu_forward(C2, pre2, M * N);
    }
    for (int64_t k = 0; k < K; k++)
        for (int64_t i = 0; i < M; i++) rs2[i] += A[ta ? k * lda + i : i * lda + k];
    bool ok = act ? close_to(name, C1, C2, NULL, M * N, 1e-6) && same(name, pre1, pre2, M * N) : same(name, C1, C2, M * N);
    if (sums) ok = same(name, rs1, rs2, M) && ok;
    else ok = same(name, rs1, rs0, M) && ok; /* not asked: untouched */
    if (!ok)
        fprintf(stderr, "    %s kind=%d ta=%d tb=%d M=%lld N=%lld K=%lld beta=%g act=%d bias=%d sums=%d\n", name, (int)kind,
                ta, tb, (long long)M, (long long)N, (long long)K, (double)beta, (int)act, with_bias, sums);
    attn_free(A), attn_free(B), attn_free(C0), attn_free(bias), attn_free(rs0), attn_free(C1), attn_free(pre1);
    attn_free(rs1), attn_free(C2), attn_free(pre2), attn_free(rs2);
    return ok;
}

static void check_fused_all(packed_fn f, const char *name, gemm_pack_kind kind) {
    /* small odd shapes, and past one block of each kind: K > 768 (bf16 k
     * per block; fused work only on the last), M > 192 rows, N > 3072 */
    static const int64_t shapes[][3] = {{7, 33, 13}, {1, 5, 3}, {37, 70, 300}, {200, 45, 1601}, {13, 3100, 7}};
    uint64_t s = 1700;
    for (size_t si = 0; si < ARRAY_LEN(shapes); si++)
        for (int t = 0; t < 4; t++)
            for (int a = 0; a < 4; a++) {
                s += 10;
                bool ta = t & 1, tb = t & 2, bias = (a + t) % 2 == 0, sums = a != 1;
                float beta = a == 3 ? 1.0f : 0.0f;
                CHECK(check_fused(f, name, kind, ta, tb, shapes[si][0], shapes[si][1], shapes[si][2], beta, (gemm_act)a,
                                  bias, sums, s));
            }
}

TEST("gemm_packed fused work (bias, GELU/GELU erf/ReLU with pre, row sums of op(A)) = the product, then the passes") {
    check_fused_all(gemm_packed_generic, "gemm_packed_generic (plain loop, passes after)", GEMM_PACK_F32);
    check_fused_all(gemm_packed_generic, "gemm_packed_generic bf16 (plain loop, passes after)", GEMM_PACK_BF16);
    if (gemm_packed_available_avx2(GEMM_PACK_F32)) {
        check_fused_all(gemm_packed_avx2, "gemm_packed_avx2", GEMM_PACK_F32);
        /* the bf16 kind on the AVX2 build: its plain loop, passes after */
        check_fused_all(gemm_packed_avx2, "gemm_packed_avx2 bf16 (plain loop)", GEMM_PACK_BF16);
    }
    if (!gemm_packed_available_avx512(GEMM_PACK_F32)) {
        fprintf(stderr, "    no AVX-512 here: the packed micro-kernel is not run\n");
        return;
    }
    check_fused_all(gemm_packed_avx512, "gemm_packed_avx512", GEMM_PACK_F32);
    if (gemm_packed_available_avx512(GEMM_PACK_BF16)) check_fused_all(gemm_packed_avx512, "gemm_packed_avx512 bf16", GEMM_PACK_BF16);
    else fprintf(stderr, "    no AVX512-BF16 here: the bf16 micro-kernel is not run\n");
    /* the AMX path (32-row tiles, its own A packing and row sums) with the tile instructions by the C model */
    gemm_amx_emulation_faults_avx512();
    check_fused_all(gemm_packed_amx_emulated_avx512, "gemm_packed_avx512 bf16 on AMX (modelled)", GEMM_PACK_BF16);
    CHECK(gemm_amx_emulation_faults_avx512() == 0);
}

TEST("gemm: K = 0 scales C by beta; M or N = 0 touches nothing") {
    float C[6] = {1, 2, 3, 4, 5, 6}, A[1] = {0}, B[1] = {0};
    gemm_f32_builtin(false, false, 2, 3, 0, 1.0f, A, 1, B, 3, 0.5f, C, 3);
    CHECK(C[0] == 0.5f && C[5] == 3.0f);
    gemm_f32(false, false, 2, 3, 0, 1.0f, A, 1, B, 3, 0.0f, C, 3);
    CHECK(C[0] == 0.0f && C[5] == 0.0f);
    C[0] = 7;
    gemm_f32(false, false, 0, 3, 2, 1.0f, A, 2, B, 3, 0.0f, C, 3);
    gemm_f32_builtin(true, true, 2, 0, 2, 1.0f, A, 2, B, 2, 0.0f, C, 3);
    CHECK(C[0] == 7.0f);
}

/* ---- vmath ---------------------------------------------------------------- */

TEST("vm_expf: relative error below 1e-6 against expf on [-87, 88] where expf > 1e-30") {
    double worst = 0, at = 0;
    for (int64_t i = -1000000; i <= 1000000; i++) {
        float x = (float)i * 1e-4f; /* [-100, 100] */
        float e = expf(x), v = vm_expf(x);
        if (x < -87.0f || x > 88.0f || !(e > 1e-30f)) continue;
        double r = fabs((double)v - (double)e) / (double)e;
        if (!(r <= worst)) worst = r, at = (double)x;
    }
    if (!(worst < 1e-6)) fprintf(stderr, "    worst relative error %.3g at x = %.9g\n", worst, at);
    CHECK(worst < 1e-6);
    CHECK(vm_expf(0.0f) == 1.0f);
}

TEST("vm_expf: saturates outside [-87, 88] as documented; vm_expf_masked gives exact 0 for -inf") {
    float lo = vm_expf(-87.0f), hi = vm_expf(88.0f);
    for (float x = -100.0f; x <= 100.0f; x += 0.25f) {
        float v = vm_expf(x);
        CHECK(isfinite(v) && v > 0.0f);
        if (x < -87.0f) CHECK(v == lo);
        if (x > 88.0f) CHECK(v == hi);
    }
    CHECK(lo < 2e-38f && hi > 1.6e38f);
    CHECK(vm_expf(-INFINITY) == lo && vm_expf(INFINITY) == hi);
    CHECK(vm_expf_masked(-INFINITY) == 0.0f && vm_expf_masked(-88.0f) == 0.0f);
    CHECK_NEAR(vm_expf_masked(-1.0f), expf(-1.0f), 1e-7);
}

TEST("vm_tanhf: absolute error below 1e-6 against tanhf on [-100, 100], exact saturation") {
    double worst = 0, at = 0;
    for (int64_t i = -1000000; i <= 1000000; i++) {
        float x = (float)i * 1e-4f;
        double r = fabs((double)vm_tanhf(x) - (double)tanhf(x));
        if (!(r <= worst)) worst = r, at = (double)x;
    }
    if (!(worst < 1e-6)) fprintf(stderr, "    worst absolute error %.3g at x = %.9g\n", worst, at);
    CHECK(worst < 1e-6);
    CHECK(vm_tanhf(50.0f) == 1.0f && vm_tanhf(-50.0f) == -1.0f);
    CHECK(fabsf(vm_tanhf(0.0f)) < 1e-7f);
}

/* ---- BERT activations: exact GELU, tanh ----------------------------------- */

#include "kernels/cpu/cpu.h" /* vm_erff */

TEST("vm_erff: absolute error below 2.5e-7 against erff on [-10, 10], relative below 1e-6 near 0") {
    double worst = 0, worst_rel = 0, at = 0;
    for (int64_t i = -2000000; i <= 2000000; i++) {
        float x = (float)i * 5e-6f; /* [-10, 10], dense through both pieces and the switch points */
        double e = (double)erff(x), v = (double)vm_erff(x);
        double d = fabs(v - e);
        if (!(d <= worst)) worst = d, at = (double)x;
        if (fabsf(x) < 0.5f && e != 0.0) worst_rel = fmax(worst_rel, d / fabs(e));
    }
    if (!(worst < 2.5e-7)) fprintf(stderr, "    worst absolute error %.3g at x = %.9g\n", worst, at);
    CHECK(worst < 2.5e-7);
    CHECK(worst_rel < 1e-6);
    CHECK(vm_erff(0.0f) == 0.0f && vm_erff(1e-30f) > 0.0f);
    CHECK(vm_erff(INFINITY) == 1.0f && vm_erff(-INFINITY) == -1.0f && vm_erff(1e30f) == 1.0f);
    CHECK(isnan(vm_erff(NAN)));
    for (float x = 0.0f; x < 6.0f; x += 0.001f) CHECK(vm_erff(-x) == -vm_erff(x));
}

/* which: 0 exact GELU, 1 tanh. */
static void check_bert_activation(int which, int64_t n, float amp, uint64_t s) {
    float *x = randn(n, s, amp), *dout = randn(n, s + 1, 1);
    float *o_ref = filled(n, NAN), *o_cpu = filled(n, NAN);
    (which ? kernels_ref.tanh_forward : kernels_ref.gelu_erf_forward)(o_ref, x, n);
    (which ? kernels_cpu.tanh_forward : kernels_cpu.gelu_erf_forward)(o_cpu, x, n);
    CHECK(close_to(which ? "tanh out" : "gelu_erf out", o_cpu, o_ref, NULL, n, 1e-6));
    /* tanh backward reads the output: both kernels get ref's output */
    const float *saved = which ? o_ref : x;
    float *fresh = filled(n, 0), *pre = randn(n, s + 2, 1);
    float *d_ref = copy_of(pre, n), *d_cpu = copy_of(pre, n);
    (which ? kernels_ref.tanh_backward : kernels_ref.gelu_erf_backward)(fresh, saved, dout, n);
    (which ? kernels_ref.tanh_backward : kernels_ref.gelu_erf_backward)(d_ref, saved, dout, n);
    (which ? kernels_cpu.tanh_backward : kernels_cpu.gelu_erf_backward)(d_cpu, saved, dout, n);
    CHECK(accumulated(which ? "ref tanh dinp" : "ref gelu_erf dinp", d_ref, pre, fresh, n, 1e-6));
    CHECK(close_to(which ? "tanh dinp" : "gelu_erf dinp", d_cpu, d_ref, pre, n, 1e-6));
    attn_free(x), attn_free(dout), attn_free(o_ref), attn_free(o_cpu);
    attn_free(fresh), attn_free(pre), attn_free(d_ref), attn_free(d_cpu);
}

TEST("gelu_erf: cpu (vm_erff) matches ref (erf in double), forward and accumulated backward") {
    check_bert_activation(0, 7, 1.0f, 900);
    check_bert_activation(0, 1001, 4.0f, 910); /* both erf pieces and the saturated tails */
    check_bert_activation(0, 6144, 1.0f, 920);
}

TEST("gelu_erf: known values of torch.nn.GELU() (not the tanh approximation)") {
    float x[6] = {0.0f, 1.0f, -1.0f, 3.0f, -3.0f, 0.5f}, o[6], r[6];
    kernels_cpu.gelu_erf_forward(o, x, 6);
    kernels_ref.gelu_erf_forward(r, x, 6);
    static const double want[6] = {0.0, 0.8413447460685429, -0.15865525393145707, 2.9959502751174663,
                                   -0.004049724882533646, 0.34573123063700656};
    for (int i = 0; i < 6; i++) {
        CHECK_NEAR(o[i], want[i], 3e-7);
        CHECK_NEAR(r[i], want[i], 3e-7);
    }
}

TEST("tanh: cpu (vm_tanhf) matches ref, forward and backward (from the output)") {
    check_bert_activation(1, 7, 1.0f, 930);
    check_bert_activation(1, 1001, 6.0f, 940);
    float x[3] = {0.0f, 1.0f, -20.0f}, o[3];
    kernels_cpu.tanh_forward(o, x, 3);
    CHECK_NEAR(o[0], 0.0, 1e-7);
    CHECK_NEAR(o[1], 0.7615941559557649, 3e-7);
    CHECK(o[2] == -1.0f);
}

/* ---- label-smoothed cross-entropy ------------------------------------------ */

static void check_crossentropy_smooth(int64_t N, int64_t V, float amp, float eps, uint64_t s) {
    const int32_t ignore = -1;
    float *x = randn(N * V, s, amp);
    int32_t *t = attn_malloc((size_t)N * sizeof(int32_t));
    for (int64_t n = 0; n < N; n++) t[n] = (int32_t)((int64_t)(rng_uniform(SEED, s + 1, (uint64_t)n) * (float)V) % V);
    t[N / 2] = ignore;
    float *ls_ref = filled(N, NAN), *ls_cpu = filled(N, NAN), *lse_ref = filled(N, NAN), *lse_cpu = filled(N, NAN);
    float *ls0 = filled(N, NAN), *lse0 = filled(N, NAN);
    kernels_ref.crossentropy_smooth_forward(ls_ref, lse_ref, x, t, N, V, ignore, eps);
    kernels_cpu.crossentropy_smooth_forward(ls_cpu, lse_cpu, x, t, N, V, ignore, eps);
    kernels_ref.crossentropy_forward(ls0, lse0, x, t, N, V, ignore);
    CHECK(all_finite(ls_ref, N));
    CHECK(close_to("smoothed losses", ls_cpu, ls_ref, NULL, N, 1e-5));
    CHECK(close_to("smoothed lse", lse_cpu, lse_ref, NULL, N, 1e-5));
    CHECK(ls_cpu[N / 2] == 0.0f && ls_ref[N / 2] == 0.0f);
    /* smoothing changes every counted row's loss */
    bool differs = false;
    for (int64_t n = 0; n < N; n++) differs = differs || (n != N / 2 && fabsf(ls_ref[n] - ls0[n]) > 1e-4f);
    CHECK(eps == 0.0f || differs);
    float scale = 1.0f / (float)(N - 1);
    float *d_ref = filled(N * V, NAN), *d_cpu = filled(N * V, NAN);
    kernels_ref.crossentropy_smooth_backward(d_ref, x, lse_ref, t, scale, N, V, ignore, eps);
    kernels_cpu.crossentropy_smooth_backward(d_cpu, x, lse_ref, t, scale, N, V, ignore, eps);
    CHECK(all_finite(d_cpu, N * V));
    CHECK(close_to("smoothed dlogits", d_cpu, d_ref, NULL, N * V, 1e-5));
    for (int64_t n = 0; n < N; n++) {
        double sum = 0;
        for (int64_t j = 0; j < V; j++) sum += (double)d_ref[n * V + j];
        CHECK_NEAR(sum, 0.0, 1e-6);
    }
    float *ip_cpu = copy_of(x, N * V);
    kernels_cpu.crossentropy_smooth_backward(ip_cpu, ip_cpu, lse_ref, t, scale, N, V, ignore, eps);
    CHECK(same("cpu smoothed crossentropy in place", ip_cpu, d_cpu, N * V));
    attn_free(x), attn_free(t), attn_free(ls_ref), attn_free(ls_cpu), attn_free(lse_ref), attn_free(lse_cpu);
    attn_free(ls0), attn_free(lse0), attn_free(d_ref), attn_free(d_cpu), attn_free(ip_cpu);
}

TEST("label-smoothed cross-entropy: cpu matches ref (eps 0.1 and 0.5, odd V, large logits, in place)") {
    check_crossentropy_smooth(7, 101, 1.0f, 0.1f, 1400);
    check_crossentropy_smooth(7, 101, 10.0f, 0.5f, 1410);
    check_crossentropy_smooth(64, 1000, 3.0f, 0.1f, 1420);
}

/* ---- recurrent kernels (RNNsearch) ---------------------------------------- */

/* GRU layer: forward outputs and saved gates, then backward from a random
 * dout into prefilled gradients; lengths include a full, a short and an
 * empty row. The GRU runs T steps of a recurrence, so tolerances are 1e-4. */
static void check_gru(int64_t B, int64_t T, int64_t H, const int32_t *lengths, bool reverse, uint64_t stream) {
    const kernels *K[2] = {&kernels_ref, &kernels_cpu};
    int64_t G = 3 * H;
    float *gi = randn(B * T * G, stream, 1.0f), *w = randn(G * H, stream + 1, 0.4f), *bh = randn(G, stream + 2, 0.3f);
    float *dout = randn(B * T * H, stream + 3, 1.0f);
    float *out[2], *saved[2], *dgi[2], *dw[2], *db[2];
    float *pre_gi = randn(B * T * G, stream + 4, 1.0f), *pre_w = randn(G * H, stream + 5, 1.0f);
    float *work = attn_malloc((size_t)gru_work_floats(B, T, H) * sizeof(float));
    for (int k = 0; k < 2; k++) {
        out[k] = filled(B * T * H, 7.0f);
        saved[k] = filled(B * T * 4 * H, 7.0f);
        dgi[k] = copy_of(pre_gi, B * T * G);
        dw[k] = copy_of(pre_w, G * H);
        db[k] = filled(G, 0.0f);
        K[k]->gru_forward(out[k], saved[k], work, gi, w, bh, lengths, B, T, H, reverse);
        K[k]->gru_backward(dgi[k], dw[k], db[k], work, dout, out[k], saved[k], w, lengths, B, T, H, reverse);
    }
    CHECK(close_to("gru out", out[1], out[0], NULL, B * T * H, 1e-5));
    CHECK(close_to("gru saved", saved[1], saved[0], NULL, B * T * 4 * H, 1e-5));
    CHECK(close_to("gru dgi", dgi[1], dgi[0], pre_gi, B * T * G, 1e-4));
    CHECK(close_to("gru dw_hh", dw[1], dw[0], pre_w, G * H, 1e-4));
    CHECK(close_to("gru db_hh", db[1], db[0], NULL, G, 1e-4));
    /* padding: state and gates exactly 0, gradient of gi untouched */
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = lengths[b]; t < T; t++)
            for (int64_t h = 0; h < H; h++) {
                CHECK(out[0][(b * T + t) * H + h] == 0.0f && out[1][(b * T + t) * H + h] == 0.0f);
                for (int j = 0; j < 3; j++)
                    CHECK(dgi[1][(b * T + t) * G + j * H + h] == pre_gi[(b * T + t) * G + j * H + h]);
            }
    /* NULL gradients are accepted and leave dgi as before */
    float *dgi2 = copy_of(pre_gi, B * T * G);
    kernels_cpu.gru_backward(dgi2, NULL, NULL, work, dout, out[1], saved[1], w, lengths, B, T, H, reverse);
    CHECK(same("gru dgi without dw", dgi2, dgi[1], B * T * G));
    attn_free(dgi2);
    for (int k = 0; k < 2; k++) attn_free(out[k]), attn_free(saved[k]), attn_free(dgi[k]), attn_free(dw[k]), attn_free(db[k]);
    attn_free(gi), attn_free(w), attn_free(bh), attn_free(dout), attn_free(pre_gi), attn_free(pre_w), attn_free(work);
}

TEST("gru: cpu matches ref forward and backward through time, padded rows, both directions") {
    static const int32_t small[3] = {5, 2, 0};
    check_gru(3, 5, 7, small, false, 1000);
    check_gru(3, 5, 7, small, true, 1010);
    static const int32_t big[8] = {20, 17, 20, 1, 9, 20, 13, 4};
    check_gru(8, 20, 48, big, false, 1020);
    check_gru(8, 20, 48, big, true, 1030);
}

TEST("gru: a reverse row equals the forward GRU over that row reversed within its length") {
    enum { T = 6, H = 5, G = 15 };
    static const int32_t len[1] = {4};
    float *gi = randn(T * G, 1040, 1.0f), *w = randn(G * H, 1041, 0.5f), *bh = randn(G, 1042, 0.3f);
    float gir[T * G], of[T * H], orv[T * H], sv[T * 4 * H];
    float *work = attn_malloc((size_t)gru_work_floats(1, T, H) * sizeof(float));
    memcpy(gir, gi, sizeof gir);
    for (int t = 0; t < 4; t++) memcpy(gir + t * G, gi + (3 - t) * G, G * sizeof(float));
    kernels_cpu.gru_forward(orv, sv, work, gi, w, bh, len, 1, T, H, true);
    kernels_cpu.gru_forward(of, sv, work, gir, w, bh, len, 1, T, H, false);
    for (int t = 0; t < 4; t++) CHECK(same("reversed row", orv + t * H, of + (3 - t) * H, H));
    attn_free(gi), attn_free(w), attn_free(bh), attn_free(work);
}

TEST("gru_cell: cpu matches ref, forward and accumulated backward; ref matches torch's formula by hand") {
    enum { N = 5, H = 33 };
    float *gi = randn(N * 3 * H, 1050, 1.5f), *gh = randn(N * 3 * H, 1051, 1.5f), *h = randn(N * H, 1052, 1.0f);
    float *dout = randn(N * H, 1053, 1.0f);
    float o[2][N * H], sv[2][N * 3 * H];
    float *dgi[2], *dgh[2], *dh[2];
    float *pre = randn(N * 3 * H, 1054, 1.0f);
    const kernels *K[2] = {&kernels_ref, &kernels_cpu};
    for (int k = 0; k < 2; k++) {
        dgi[k] = copy_of(pre, N * 3 * H);
        dgh[k] = filled(N * 3 * H, 0.0f);
        dh[k] = copy_of(pre, N * H);
        K[k]->gru_cell_forward(o[k], sv[k], gi, gh, h, N, H);
        K[k]->gru_cell_backward(dgi[k], dgh[k], dh[k], dout, sv[k], gh, h, N, H);
    }
    CHECK(close_to("cell out", o[1], o[0], NULL, N * H, 1e-5));
    CHECK(close_to("cell dgi", dgi[1], dgi[0], pre, N * 3 * H, 1e-5));
    CHECK(close_to("cell dgh", dgh[1], dgh[0], NULL, N * 3 * H, 1e-5));
    CHECK(close_to("cell dh", dh[1], dh[0], pre, N * H, 1e-5));
    /* element (2, 7) by hand */
    int64_t i = 2, k = 7;
    double r = 1 / (1 + exp(-(double)(gi[i * 3 * H + k] + gh[i * 3 * H + k])));
    double z = 1 / (1 + exp(-(double)(gi[i * 3 * H + H + k] + gh[i * 3 * H + H + k])));
    double n = tanh((double)gi[i * 3 * H + 2 * H + k] + r * (double)gh[i * 3 * H + 2 * H + k]);
    CHECK_NEAR(o[0][i * H + k], (1 - z) * n + z * (double)h[i * H + k], 1e-6);
    for (int q = 0; q < 2; q++) attn_free(dgi[q]), attn_free(dgh[q]), attn_free(dh[q]);
    attn_free(gi), attn_free(gh), attn_free(h), attn_free(dout), attn_free(pre);
}

static void check_additive(int64_t B, int64_t S, int64_t A, const int32_t *lengths, uint64_t stream) {
    const kernels *K[2] = {&kernels_ref, &kernels_cpu};
    float *ws = randn(B * A, stream, 1.0f), *uh = randn(B * S * A, stream + 1, 1.0f), *v = randn(A, stream + 2, 1.0f);
    float *da = randn(B * S, stream + 3, 1.0f), *pre = randn(B * S * A, stream + 4, 1.0f);
    float *work = attn_malloc((size_t)(B * S) * sizeof(float));
    float *a[2], *dws[2], *duh[2], *dv[2];
    for (int k = 0; k < 2; k++) {
        a[k] = filled(B * S, 7.0f);
        dws[k] = filled(B * A, 0.0f);
        duh[k] = copy_of(pre, B * S * A);
        dv[k] = filled(A, 0.0f);
        K[k]->additive_attention_forward(a[k], ws, uh, v, lengths, B, S, A);
        K[k]->additive_attention_backward(dws[k], duh[k], dv[k], work, da, a[k], ws, uh, v, lengths, B, S, A);
    }
    CHECK(close_to("additive a", a[1], a[0], NULL, B * S, 1e-5));
    CHECK(close_to("additive dws", dws[1], dws[0], NULL, B * A, 1e-4));
    CHECK(close_to("additive duh", duh[1], duh[0], pre, B * S * A, 1e-5));
    CHECK(close_to("additive dv", dv[1], dv[0], NULL, A, 1e-4));
    for (int k = 0; k < 2; k++)
        for (int64_t b = 0; b < B; b++) {
            double sum = 0;
            for (int64_t j = 0; j < S; j++) {
                if (j >= lengths[b]) CHECK(a[k][b * S + j] == 0.0f);
                sum += (double)a[k][b * S + j];
            }
            CHECK_NEAR(sum, lengths[b] ? 1.0 : 0.0, 1e-5);
        }
    for (int k = 0; k < 2; k++) attn_free(a[k]), attn_free(dws[k]), attn_free(duh[k]), attn_free(dv[k]);
    attn_free(ws), attn_free(uh), attn_free(v), attn_free(da), attn_free(pre), attn_free(work);
}

TEST("additive attention: cpu matches ref; weights sum to 1 over real positions and are exactly 0 on padding") {
    static const int32_t l1[3] = {4, 1, 0};
    check_additive(3, 4, 5, l1, 1100);
    static const int32_t l2[4] = {37, 12, 37, 30};
    check_additive(4, 37, 70, l2, 1110);
}

/* ---- optimizer passes ---------------------------------------------------------- */

static void check_adamw(const kernels *kc, int64_t n, bool bf16, uint64_t s) {
    adamw_hparams h = {.step_size = 3e-3f / 0.271f, .beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f,
                       .bc2_sqrt = 0.3122f, .decay = 1.0f - 3e-3f * 0.1f, .grad_scale = 0.37f};
    float *g = randn(n, s, 2.0f), *w[2], *m[2], *v[2];
    for (int64_t i = 0; i < n; i += 7) g[i] = 0.0f; /* zero gradients: v may stay 0 */
    uint16_t *wb[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        w[k] = randn(n, s + 1, 1.0f);
        m[k] = randn(n, s + 2, 0.1f);
        v[k] = randn(n, s + 3, 0.1f);
        for (int64_t i = 0; i < n; i++) v[k][i] = i % 5 ? v[k][i] * v[k][i] : 0.0f;
        if (bf16) wb[k] = attn_malloc((size_t)n * sizeof(uint16_t));
    }
    kernels_ref.adamw(w[0], m[0], v[0], wb[0], g, n, &h);
    kc->adamw(w[1], m[1], v[1], wb[1], g, n, &h);
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) {
        bad += memcmp(&w[0][i], &w[1][i], 4) != 0 || memcmp(&m[0][i], &m[1][i], 4) != 0 ||
               memcmp(&v[0][i], &v[1][i], 4) != 0 || !isfinite(w[1][i]);
        if (bf16) bad += wb[0][i] != wb[1][i] || wb[1][i] != bf16_from_f32(w[1][i]);
    }
    if (bad) fprintf(stderr, "    adamw %s n=%lld bf16=%d: %lld elements differ\n", kc->name, (long long)n, bf16, (long long)bad);
    CHECK(bad == 0);
    for (int k = 0; k < 2; k++) attn_free(w[k]), attn_free(m[k]), attn_free(v[k]), attn_free(wb[k]);
    attn_free(g);
}

TEST("adamw: cpu tables match ref to the bit (w, m, v and the bf16 copy), odd lengths, zero gradients") {
    static const int64_t ns[] = {1, 17, 1000, 65543};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int bf16 = 0; bf16 < 2; bf16++) {
            check_adamw(&kernels_cpu, ns[i], bf16, 1200 + i);
            check_adamw(&kernels_cpu_generic, ns[i], bf16, 1200 + i);
        }
}

TEST("adamw: the first step from zero moments moves each weight by lr against the gradient's sign") {
    const float lr = 0.01f, beta1 = 0.9f, beta2 = 0.999f, wd = 0.1f;
    adamw_hparams h = {.step_size = lr / (1.0f - beta1), .beta1 = beta1, .beta2 = beta2, .eps = 1e-8f,
                       .bc2_sqrt = sqrtf(1.0f - beta2), .decay = 1.0f - lr * wd, .grad_scale = 1.0f};
    float g[4] = {0.5f, -3.0f, 1e-3f, 0.0f}, w[4] = {1.0f, 1.0f, -2.0f, 4.0f}, m[4] = {0}, v[4] = {0};
    uint16_t wb[4];
    kernels_cpu.adamw(w, m, v, wb, g, 4, &h);
    const double want[4] = {1.0 * (1 - 0.001) - 0.01, 1.0 * (1 - 0.001) + 0.01, -2.0 * (1 - 0.001) - 0.01,
                            4.0 * (1 - 0.001)};
    for (int i = 0; i < 4; i++) {
        CHECK_NEAR(w[i], want[i], 2e-6);
        CHECK(wb[i] == bf16_from_f32(w[i]));
        CHECK_NEAR(m[i], 0.1 * (double)g[i], 1e-7);
    }
}

TEST("sumsq: cpu tables match ref (sum in double) and a known value") {
    static const int64_t ns[] = {1, 17, 1000, 65543};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        float *x = randn(ns[i], 1300 + i, 3.0f);
        double r = kernels_ref.sumsq(x, ns[i]);
        CHECK_NEAR(kernels_cpu.sumsq(x, ns[i]), r, 1e-12 * r);
        CHECK_NEAR(kernels_cpu_generic.sumsq(x, ns[i]), r, 1e-12 * r);
        attn_free(x);
    }
    float y[3] = {3.0f, -4.0f, 12.0f};
    CHECK(kernels_ref.sumsq(y, 3) == 169.0 && kernels_cpu.sumsq(y, 3) == 169.0);
}

/* ---- non-finite input ------------------------------------------------------ */

/* NaN and infinities reach the kernels when weights are corrupt. The
 * vectorised exp used to convert a NaN to an integer and shift the negative
 * result (undefined: UBSan stops the ASan build's run here); now every
 * exp-based kernel passes NaN through as NaN, on both tables. */
TEST("vm_expf / vm_tanhf / GELU on NaN give NaN (no undefined conversion or shift), infinities saturate") {
    volatile float nan_in = NAN;
    CHECK(isnan(vm_expf(nan_in)) && isnan(vm_expf_masked(nan_in)) && isnan(vm_tanhf(nan_in)));
    CHECK(isnan(vm_gelu_tanh(nan_in)) && isnan(vm_gelu_erf(nan_in)));
    CHECK(vm_expf(INFINITY) == vm_expf(88.0f) && vm_expf(-INFINITY) == vm_expf(-87.0f));
    CHECK(vm_tanhf(INFINITY) == 1.0f && vm_tanhf(-INFINITY) == -1.0f);
}

TEST("kernels on NaN / inf input (GELU, tanh, cross-entropy, attention; cpu and ref): NaN comes out, no UB") {
    const kernels *tables[2] = {&kernels_cpu, &kernels_ref};
    enum { N = 37, V = 19 };
    for (int t = 0; t < 2; t++) {
        const kernels *k = tables[t];
        float *x = randn(N, 1500, 3.0f), *o = filled(N, 0);
        x[3] = NAN, x[20] = INFINITY, x[21] = -INFINITY, x[36] = NAN;
        k->gelu_forward(o, x, N);
        CHECK(isnan(o[3]) && isnan(o[36]) && isfinite(o[0]) && isfinite(o[35]));
        k->gelu_erf_forward(o, x, N);
        CHECK(isnan(o[3]) && isnan(o[36]) && isfinite(o[0]) && isfinite(o[35]));
        k->tanh_forward(o, x, N);
        CHECK(isnan(o[3]) && isnan(o[36]) && o[20] == 1.0f && o[21] == -1.0f);
        /* cross-entropy: a row with a NaN logit has a NaN loss; others finite */
        float *logits = randn(3 * V, 1501, 2.0f), losses[3], lse[3];
        int32_t targets[3] = {1, 2, 3};
        logits[V + 5] = NAN;
        k->crossentropy_forward(losses, lse, logits, targets, 3, V, -100);
        CHECK(isfinite(losses[0]) && isnan(losses[1]) && isfinite(losses[2]));
        k->crossentropy_smooth_forward(losses, lse, logits, targets, 3, V, -100, 0.1f);
        CHECK(isfinite(losses[0]) && isnan(losses[1]) && isfinite(losses[2]));
        /* attention: a NaN in one query row (tiled kernel: Tq > 1) */
        enum { T = 9, H = 2, D = 8, C = H * D };
        float *qkv = randn(T * 3 * C, 1502, 1.0f), *ao = filled(T * C, 0), *al = filled(H * T, 0);
        qkv[4 * 3 * C + 1] = NAN; /* query 4, head 0 */
        attn_dims d = {.B = 1, .Tq = T, .Tk = T, .H = H, .D = D, .causal = true, .scale = 0.35f, .q_stride = 3 * C,
                       .kv_stride = 3 * C, .q_batch_stride = T * 3 * C, .kv_batch_stride = T * 3 * C};
        k->attention_forward(&d, ao, al, qkv, qkv + C, qkv + 2 * C);
        CHECK(isnan(ao[4 * C]) && isfinite(ao[3 * C]) && isfinite(ao[4 * C + D]));
        /* the row kernel (one query, a decoding step): query 4 over keys 0..4 */
        attn_dims d1 = d;
        d1.Tq = 1, d1.Tk = 5;
        k->attention_forward(&d1, ao, al, qkv + 4 * 3 * C, qkv + C, qkv + 2 * C);
        CHECK(isnan(ao[0]) && isnan(al[0]) && isfinite(ao[D]));
        attn_free(x), attn_free(o), attn_free(logits), attn_free(qkv), attn_free(ao), attn_free(al);
    }
}
