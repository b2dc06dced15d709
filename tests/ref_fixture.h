/* ref_fixture.h — reading reference fixtures (safetensors written by the
 * generators in tests/ref/) and comparing against them. Include after test.h. */
#ifndef ATTN_REF_FIXTURE_H
#define ATTN_REF_FIXTURE_H

#include "io/safetensors.h"
#include "models/model_impl.h"

static inline int32_t *read_ints(const st_file *f, const char *name, int64_t *n) {
    if (n) *n = 0;
    const st_tensor *t = st_find(f, name);
    CHECK(t != NULL);
    if (!t) return NULL;
    int32_t *buf = attn_malloc((size_t)t->numel * sizeof *buf);
    CHECK_OK(st_read_i32(t, buf, t->numel));
    if (n) *n = t->numel;
    return buf;
}

static inline float *read_floats(const st_file *f, const char *name, int64_t *n) {
    if (n) *n = 0;
    const st_tensor *t = st_find(f, name);
    CHECK(t != NULL);
    if (!t) return NULL;
    float *buf = attn_malloc((size_t)t->numel * sizeof *buf);
    CHECK_OK(st_read_f32(t, buf, t->numel));
    if (n) *n = t->numel;
    return buf;
}

/* The largest |x|, and the largest |a - b|. */
static inline double max_abs(const float *x, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs((double)x[i]));
    return m;
}

static inline double max_diff(const float *a, const float *b, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - (double)b[i]));
    return m;
}

/* max |got - want| <= tol * max(1, max |want|) */
static inline bool close_rel(const char *what, const float *got, const float *want, int64_t n, double tol) {
    double worst = 0, scale = 1;
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)want[i]);
        if (!(d <= worst)) worst = d, at = i;
        scale = fmax(scale, fabs((double)want[i]));
    }
    if (worst <= tol * scale) return true;
    fprintf(stderr, "    %s: max|diff| %.3g > %.0e * %.3g at [%lld]: got %.9g, want %.9g\n", what, worst, tol, scale,
            (long long)at, (double)got[at], (double)want[at]);
    return false;
}

/* The fixture's f32 tensor `name` against got[0..n) (close_rel, tol). */
static inline void check_tensor(const st_file *f, const char *name, const float *got, int64_t n, double tol) {
    int64_t nw = 0;
    float *want = read_floats(f, name, &nw);
    CHECK(nw == n);
    if (want && nw == n) CHECK(close_rel(name, got, want, n, tol));
    attn_free(want);
}

/* Every parameter's gradient in m->grads against the fixture's grad.<name>
 * (close_rel, tol), transposed for tensors stored transposed (GPT-2's
 * Conv1D); `tag` names the kernels in messages. */
static inline void check_param_grads(const attn_model *m, const st_file *f, double tol, const char *tag) {
    int n_checked = 0;
    for (int p = 0; p < m->n_params_tensors; p++) {
        char name[128];
        snprintf(name, sizeof name, "grad.%s", m->params[p].name);
        if (!st_find(f, name)) {
            fprintf(stderr, "    no fixture gradient %s\n", name);
            CHECK(false);
            continue;
        }
        float *want = read_floats(f, name, NULL);
        const param_info *pi = &m->params[p];
        if (want && pi->transpose) { /* theirs (cols, rows) -> ours (rows, cols) */
            float *t = attn_malloc((size_t)pi->numel * sizeof *t);
            for (int64_t r = 0; r < pi->shape[0]; r++)
                for (int64_t c = 0; c < pi->shape[1]; c++) t[r * pi->shape[1] + c] = want[c * pi->shape[0] + r];
            attn_free(want);
            want = t;
        }
        if (want && pi->heads3) { /* theirs (H, 3, D) rows -> ours (3, H, D) */
            float *t = attn_malloc((size_t)pi->numel * sizeof *t);
            params_heads3(t, want, pi, false);
            attn_free(want);
            want = t;
        }
        char what[160];
        snprintf(what, sizeof what, "%s [%s]", name, tag);
        if (want) CHECK(close_rel(what, m->grads + m->params[p].offset, want, m->params[p].numel, tol));
        attn_free(want);
        n_checked++;
    }
    CHECK(n_checked == m->n_params_tensors);
}

#endif
