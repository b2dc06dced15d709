/* scaling.c — Chinchilla's three approaches to compute-optimal scaling
 * (include/attn/scaling.h): the lower envelope of loss per FLOP, IsoFLOP
 * parabolas, and the parametric law fitted by L-BFGS (liblbfgs) with a
 * Huber loss on log-loss; bootstrap intervals over resampled runs. */
#include "attn/scaling.h"
#include "core/core.h"

#include <cJSON.h>
#include <lbfgs.h>
#include <math.h>
#include <stdlib.h>

/* ---- reading runs ---------------------------------------------------------- */

void attn_scaling_runs_free(attn_scaling_run *runs, int64_t n) {
    if (!runs) return;
    for (int64_t i = 0; i < n; i++) {
        attn_free(runs[i].curve_flops);
        attn_free(runs[i].curve_loss);
    }
    attn_free(runs);
}

/* The first of two keys present; NULL if neither. */
static const cJSON *key2(const cJSON *o, const char *a, const char *b) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    return v ? v : cJSON_GetObjectItemCaseSensitive(o, b);
}

static attn_status positive(const cJSON *v, const char *what, const char *name, int64_t line, double *out) {
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || !(v->valuedouble > 0))
        return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: \"%s\" must be a positive number", name, (long long)line, what);
    *out = v->valuedouble;
    return ATTN_OK;
}

static attn_status read_curve(const cJSON *c, const char *name, int64_t line, attn_scaling_run *r) {
    if (!cJSON_IsArray(c)) return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: \"curve\" must be an array of [flops, loss]", name, (long long)line);
    int64_t m = cJSON_GetArraySize(c);
    if (m == 0) return ATTN_OK;
    if (!(r->curve_flops = attn_malloc(sizeof(double) * (size_t)m)) || !(r->curve_loss = attn_malloc(sizeof(double) * (size_t)m)))
        return ATTN_ERR_OUT_OF_MEMORY;
    int64_t k = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, c) {
        const cJSON *f = cJSON_GetArrayItem(p, 0), *l = cJSON_GetArrayItem(p, 1);
        if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !cJSON_IsNumber(f) || !cJSON_IsNumber(l) ||
            !isfinite(f->valuedouble) || !isfinite(l->valuedouble) || !(f->valuedouble > 0) || !(l->valuedouble > 0))
            return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: curve point %lld must be [flops, loss], both positive", name,
                               (long long)line, (long long)k + 1);
        if (k > 0 && !(f->valuedouble > r->curve_flops[k - 1]))
            return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: curve point %lld: flops must increase", name, (long long)line,
                               (long long)k + 1);
        r->curve_flops[k] = f->valuedouble;
        r->curve_loss[k] = l->valuedouble;
        k++;
    }
    r->n_curve = m;
    return ATTN_OK;
}

attn_status attn_scaling_read_runs(const char *text, size_t len, const char *name, attn_scaling_run **runs_out,
                                   int64_t *n_out) {
    *runs_out = NULL;
    *n_out = 0;
    if (!text) return attn_errorf(ATTN_ERR_INVALID_ARG, "scaling runs: no text");
    if (!name) name = "runs";
    attn_scaling_run *runs = NULL;
    int64_t n = 0, cap = 0, line = 0;
    attn_status st = ATTN_OK;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && text[j] != '\n') j++;
        line++;
        size_t a = i, b = j;
        i = j + 1;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r')) a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r')) b--;
        if (a == b) continue;
        const char *end = NULL;
        cJSON *o = cJSON_ParseWithLengthOpts(text + a, b - a, &end, 0);
        if (o && end != text + b) { /* something after the object on its line */
            cJSON_Delete(o);
            o = NULL;
        }
        if (!o || !cJSON_IsObject(o)) {
            cJSON_Delete(o);
            st = attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: not a JSON object", name, (long long)line);
            goto fail;
        }
        if (n == cap) {
            int64_t nc = cap ? 2 * cap : 64;
            attn_scaling_run *p = attn_realloc(runs, sizeof *runs * (size_t)nc);
            if (!p) {
                cJSON_Delete(o);
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto fail;
            }
            runs = p;
            cap = nc;
        }
        attn_scaling_run *r = &runs[n++];
        memset(r, 0, sizeof *r);
        const cJSON *c = key2(o, "flops", "C"), *curve = cJSON_GetObjectItemCaseSensitive(o, "curve");
        if ((st = positive(key2(o, "params", "N"), "params", name, line, &r->params)) ||
            (st = positive(key2(o, "tokens", "D"), "tokens", name, line, &r->tokens)) ||
            (st = positive(key2(o, "loss", "val_loss"), "loss", name, line, &r->loss)) ||
            (c && (st = positive(c, "flops", name, line, &r->flops))) || (curve && (st = read_curve(curve, name, line, r)))) {
            cJSON_Delete(o);
            goto fail;
        }
        if (!c) r->flops = 6 * r->params * r->tokens;
        cJSON_Delete(o);
    }
    if (n == 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: no runs", name);
        goto fail;
    }
    *runs_out = runs;
    *n_out = n;
    return ATTN_OK;
fail:
    attn_scaling_runs_free(runs, n);
    return st;
}

/* ---- small numerics -------------------------------------------------------- */

attn_scaling_options attn_scaling_default_options(void) {
    attn_scaling_options o = {.bootstrap = 200, .seed = 0, .level = 0.95, .huber_delta = 1e-3, .budget_tolerance = 0.05};
    return o;
}

attn_scaling_law attn_scaling_chinchilla(void) {
    attn_scaling_law l = {1.69, 406.4, 410.7, 0.34, 0.28};
    return l;
}

/* Least squares y = c0 + c1 x; false when x has no spread. */
static bool line_fit(const double *x, const double *y, int64_t n, double *c0, double *c1) {
    if (n < 2) return false;
    double mx = 0, my = 0;
    for (int64_t i = 0; i < n; i++) mx += x[i], my += y[i];
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, sxy = 0;
    for (int64_t i = 0; i < n; i++) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
    if (!(sxx > 1e-12 * (double)n)) return false;
    *c1 = sxy / sxx;
    *c0 = my - *c1 * mx;
    return true;
}

/* Least squares y = p0 + p1 x + p2 x^2 (x centred on its mean for the
 * solve, then expanded); false when singular. */
static bool parabola_fit(const double *x, const double *y, int64_t n, double p[3]) {
    if (n < 3) return false;
    double m = 0;
    for (int64_t i = 0; i < n; i++) m += x[i];
    m /= (double)n;
    double s[5] = {0}, t[3] = {0};
    for (int64_t i = 0; i < n; i++) {
        double u = x[i] - m, k = 1;
        for (int j = 0; j < 5; j++) {
            s[j] += k;
            if (j < 3) t[j] += k * y[i];
            k *= u;
        }
    }
    double M[3][4] = {{s[0], s[1], s[2], t[0]}, {s[1], s[2], s[3], t[1]}, {s[2], s[3], s[4], t[2]}};
    for (int c = 0; c < 3; c++) { /* Gaussian elimination, partial pivoting */
        int piv = c;
        for (int r = c + 1; r < 3; r++)
            if (fabs(M[r][c]) > fabs(M[piv][c])) piv = r;
        if (!(fabs(M[piv][c]) > 1e-12 * (fabs(s[0]) + fabs(s[2]) + fabs(s[4])))) return false;
        for (int k = 0; k < 4; k++) {
            double tmp = M[c][k];
            M[c][k] = M[piv][k];
            M[piv][k] = tmp;
        }
        for (int r = 0; r < 3; r++)
            if (r != c) {
                double f = M[r][c] / M[c][c];
                for (int k = c; k < 4; k++) M[r][k] -= f * M[c][k];
            }
    }
    double q0 = M[0][3] / M[0][0], q1 = M[1][3] / M[1][1], q2 = M[2][3] / M[2][2];
    /* q0 + q1 (x - m) + q2 (x - m)^2 */
    p[0] = q0 - q1 * m + q2 * m * m;
    p[1] = q1 - 2 * q2 * m;
    p[2] = q2;
    return true;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- approach 1: the envelope ------------------------------------------- */

typedef struct a1_result {
    double ka, a, kb, b; /* ln N = ka + a ln C; ln D = kb + b ln C */
} a1_result;

enum { A1_GRID = 200 };

/* Fills pts (room for max(n, A1_GRID)); returns the count, -1 on no curves. */
static int64_t envelope(const attn_scaling_run *r, int64_t n, bool curves, double tol, attn_scaling_point *pts) {
    int64_t m = 0;
    if (curves) {
        double lo = INFINITY, hi = 0;
        for (int64_t i = 0; i < n; i++)
            if (r[i].n_curve >= 2) {
                lo = fmin(lo, r[i].curve_flops[0]);
                hi = fmax(hi, r[i].curve_flops[r[i].n_curve - 1]);
            }
        if (!(hi > lo)) return 0;
        for (int g = 0; g < A1_GRID; g++) {
            double lc = log(lo) + (log(hi) - log(lo)) * g / (A1_GRID - 1), c = exp(lc);
            int64_t best = -1;
            double best_l = INFINITY;
            for (int64_t i = 0; i < n; i++) {
                const attn_scaling_run *q = &r[i];
                if (q->n_curve < 2 || c < q->curve_flops[0] * (1 - 1e-12) || c > q->curve_flops[q->n_curve - 1] * (1 + 1e-12))
                    continue;
                int64_t k = 1;
                while (k < q->n_curve - 1 && q->curve_flops[k] < c) k++;
                double x0 = log(q->curve_flops[k - 1]), x1 = log(q->curve_flops[k]);
                double t = (lc - x0) / (x1 - x0);
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                double l = q->curve_loss[k - 1] + t * (q->curve_loss[k] - q->curve_loss[k - 1]);
                if (l < best_l) best_l = l, best = i;
            }
            if (best < 0) continue;
            const attn_scaling_run *q = &r[best];
            pts[m++] = (attn_scaling_point){c, q->params, c * q->tokens / q->flops, best_l};
        }
        return m;
    }
    /* final losses: runs below every run of smaller C, in order of C */
    int64_t *idx = attn_malloc(sizeof(int64_t) * (size_t)n);
    if (!idx) return -1;
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    for (int64_t i = 1; i < n; i++) /* insertion sort by C: n is small */
        for (int64_t j = i; j > 0 && r[idx[j]].flops < r[idx[j - 1]].flops; j--) {
            int64_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    double best = INFINITY;
    for (int64_t k = 0; k < n;) {
        /* runs within tol of the group's smallest C count as one budget: its lowest loss */
        int64_t e = k + 1, lo = k;
        while (e < n && r[idx[e]].flops <= r[idx[k]].flops * (1 + tol)) {
            if (r[idx[e]].loss < r[idx[lo]].loss) lo = e;
            e++;
        }
        const attn_scaling_run *q = &r[idx[lo]];
        if (q->loss < best) {
            best = q->loss;
            pts[m++] = (attn_scaling_point){q->flops, q->params, q->tokens, q->loss};
        }
        k = e;
    }
    attn_free(idx);
    return m;
}

/* 0 fitted, 1 not enough points, -1 out of memory. */
static int approach1(const attn_scaling_run *r, int64_t n, bool curves, double tol, attn_scaling_point *pts,
                     int64_t *n_pts, double *work, a1_result *res) {
    int64_t m = envelope(r, n, curves, tol, pts);
    if (m < 0) return -1;
    *n_pts = m;
    double *lc = work, *ln = work + m, *ld = work + 2 * m;
    for (int64_t i = 0; i < m; i++) lc[i] = log(pts[i].flops), ln[i] = log(pts[i].params), ld[i] = log(pts[i].tokens);
    return line_fit(lc, ln, m, &res->ka, &res->a) && line_fit(lc, ld, m, &res->kb, &res->b) ? 0 : 1;
}

/* ---- approach 2: IsoFLOP parabolas ----------------------------------------- */

/* Budgets of r (sorted copies of the indices in order of C) into b (room
 * for n); returns the count of budgets used; *nb all budgets. */
static int64_t isoflops(const attn_scaling_run *r, int64_t n, double tol, int64_t *idx, double *work,
                        attn_scaling_budget *b, int64_t *nb, a1_result *res, bool *ok) {
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    for (int64_t i = 1; i < n; i++)
        for (int64_t j = i; j > 0 && r[idx[j]].flops < r[idx[j - 1]].flops; j--) {
            int64_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    double *x = work, *y = work + n, *z = work + 2 * n;
    int64_t count = 0, used = 0;
    for (int64_t s = 0; s < n;) {
        int64_t e = s + 1;
        while (e < n && r[idx[e]].flops <= r[idx[s]].flops * (1 + tol)) e++;
        attn_scaling_budget *g = &b[count++];
        memset(g, 0, sizeof *g);
        g->n_runs = e - s;
        g->flops_lo = r[idx[s]].flops;
        g->flops_hi = r[idx[e - 1]].flops;
        double lc = 0;
        int64_t distinct = 0;
        for (int64_t k = s; k < e; k++) {
            const attn_scaling_run *q = &r[idx[k]];
            lc += log(q->flops);
            x[k - s] = log(q->params);
            y[k - s] = q->loss;
            z[k - s] = log(q->tokens);
            bool seen = false;
            for (int64_t j = s; j < k; j++) seen |= r[idx[j]].params == q->params;
            distinct += !seen;
        }
        g->flops = exp(lc / (double)(e - s));
        g->n_opt = g->d_opt = g->loss_min = NAN;
        double d0, d1;
        if (distinct >= 3 && parabola_fit(x, y, e - s, g->p) && g->p[2] > 0 && line_fit(x, z, e - s, &d0, &d1)) {
            double xo = -g->p[1] / (2 * g->p[2]);
            g->n_opt = exp(xo);
            g->d_opt = exp(d0 + d1 * xo);
            g->loss_min = g->p[0] + g->p[1] * xo + g->p[2] * xo * xo;
            g->used = true;
            used++;
        }
        s = e;
    }
    *nb = count;
    int64_t m = 0;
    for (int64_t k = 0; k < count; k++)
        if (b[k].used) x[m] = log(b[k].flops), y[m] = log(b[k].n_opt), z[m] = log(b[k].d_opt), m++;
    *ok = used >= 2 && line_fit(x, y, m, &res->ka, &res->a) && line_fit(x, z, m, &res->kb, &res->b);
    return used;
}

/* ---- approach 3: the parametric law ---------------------------------------- */

typedef struct a3_data {
    const double *ln_n, *ln_d, *ln_l;
    int64_t n;
    double delta;
} a3_data;

/* theta = (a, b, e, alpha, beta); the objective is the Huber sum / delta
 * (the same minimiser, better scaled for the line search). */
static lbfgsfloatval_t a3_eval(void *inst, const lbfgsfloatval_t *th, lbfgsfloatval_t *g, const int nv,
                               const lbfgsfloatval_t step) {
    const a3_data *d = inst;
    double f = 0;
    for (int k = 0; k < 5; k++) g[k] = 0;
    for (int64_t i = 0; i < d->n; i++) {
        double x1 = th[0] - th[3] * d->ln_n[i], x2 = th[1] - th[4] * d->ln_d[i], x3 = th[2];
        double m = fmax(x1, fmax(x2, x3));
        double e1 = exp(x1 - m), e2 = exp(x2 - m), e3 = exp(x3 - m), s = e1 + e2 + e3;
        double r = m + log(s) - d->ln_l[i];
        double h, dh;
        if (fabs(r) <= d->delta) {
            h = 0.5 * r * r / d->delta;
            dh = r / d->delta;
        } else {
            h = fabs(r) - 0.5 * d->delta;
            dh = r > 0 ? 1 : -1;
        }
        f += h;
        double w1 = dh * e1 / s, w2 = dh * e2 / s, w3 = dh * e3 / s;
        g[0] += w1;
        g[1] += w2;
        g[2] += w3;
        g[3] -= w1 * d->ln_n[i];
        g[4] -= w2 * d->ln_d[i];
    }
    return f;
}

/* Minimises from th (updated to the minimum); returns the objective. */
static double a3_run(a3_data *d, double th[5]) {
    lbfgs_parameter_t p;
    lbfgs_parameter_init(&p);
    p.max_iterations = 1000;
    p.epsilon = 1e-10;
    p.past = 5;
    p.delta = 1e-12;
    lbfgsfloatval_t x[5], fx = 0;
    for (int k = 0; k < 5; k++) x[k] = th[k];
    lbfgs(5, x, &fx, a3_eval, NULL, d, &p); /* a line search that cannot improve ends it too: x is the best seen */
    for (int k = 0; k < 5; k++) th[k] = x[k];
    return isfinite(fx) ? (double)fx : (double)INFINITY;
}

static bool a3_fit(a3_data *d, bool grid, double th[5], int64_t *starts) {
    if (d->n < 5) return false;
    double best = INFINITY, bt[5] = {0};
    int64_t tried = 0;
    if (grid) {
        for (int ia = 0; ia <= 5; ia++)
            for (int ib = 0; ib <= 5; ib++)
                for (int ie = 0; ie <= 4; ie++)
                    for (int ial = 0; ial <= 4; ial++)
                        for (int ibe = 0; ibe <= 4; ibe++) {
                            double t[5] = {5.0 * ia, 5.0 * ib, -1 + 0.5 * ie, 0.5 * ial, 0.5 * ibe};
                            double f = a3_run(d, t);
                            tried++;
                            if (f < best) best = f, memcpy(bt, t, sizeof bt);
                        }
    } else {
        memcpy(bt, th, sizeof bt);
        best = a3_run(d, bt);
        tried = 1;
    }
    if (starts) *starts = tried;
    if (!isfinite(best)) return false;
    for (int k = 0; k < 5; k++)
        if (!isfinite(bt[k])) return false;
    memcpy(th, bt, sizeof bt);
    return true;
}

static void law_from_theta(const double th[5], attn_scaling_law *l) {
    l->A = exp(th[0]);
    l->B = exp(th[1]);
    l->E = exp(th[2]);
    l->alpha = th[3];
    l->beta = th[4];
}

/* ln N_opt = ka + a ln C, ln D_opt = kb + b ln C under the law (C = 6ND);
 * false unless alpha, beta > 0. */
static bool law_powers(const attn_scaling_law *l, a1_result *res) {
    if (!(l->alpha > 0 && l->beta > 0 && l->A > 0 && l->B > 0)) return false;
    double s = l->alpha + l->beta, lg = log(l->alpha * l->A / (l->beta * l->B)) / s;
    res->a = l->beta / s;
    res->b = l->alpha / s;
    res->ka = lg - res->a * log(6.0);
    res->kb = -lg - res->b * log(6.0);
    return true;
}

double attn_scaling_law_loss(const attn_scaling_law *l, double n, double d) {
    return l->E + l->A / pow(n, l->alpha) + l->B / pow(d, l->beta);
}

attn_status attn_scaling_optimum_for_flops(const attn_scaling_law *l, double flops, double *params, double *tokens) {
    a1_result r;
    if (!(flops > 0) || !isfinite(flops)) return attn_errorf(ATTN_ERR_INVALID_ARG, "the FLOP budget must be positive");
    if (!law_powers(l, &r)) return attn_errorf(ATTN_ERR_INVALID_ARG, "the law needs positive A, B, alpha and beta");
    *params = exp(r.ka + r.a * log(flops));
    *tokens = exp(r.kb + r.b * log(flops));
    return ATTN_OK;
}

attn_status attn_scaling_optimum_for_params(const attn_scaling_law *l, double params, double *flops, double *tokens) {
    a1_result r;
    if (!(params > 0) || !isfinite(params)) return attn_errorf(ATTN_ERR_INVALID_ARG, "the parameter count must be positive");
    if (!law_powers(l, &r)) return attn_errorf(ATTN_ERR_INVALID_ARG, "the law needs positive A, B, alpha and beta");
    *flops = exp((log(params) - r.ka) / r.a);
    *tokens = exp(r.kb + r.b * log(*flops));
    return ATTN_OK;
}

/* ---- the whole fit ----------------------------------------------------------- */

static void set_power(attn_scaling_power *p, double k, double e) {
    p->coef = exp(k);
    p->exponent = (attn_scaling_estimate){e, NAN, NAN, 0};
}

/* The percentile interval of v[n] at level into e. */
static void interval(double *v, int64_t n, double level, attn_scaling_estimate *e) {
    e->n_boot = n;
    if (n < 2) return;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double q[2] = {(1 - level) / 2, 1 - (1 - level) / 2}, out[2];
    for (int k = 0; k < 2; k++) {
        double pos = q[k] * (double)(n - 1);
        int64_t i = (int64_t)floor(pos);
        if (i >= n - 1) i = n - 2;
        double t = pos - (double)i;
        out[k] = v[i] + t * (v[i + 1] - v[i]);
    }
    e->lo = out[0];
    e->hi = out[1];
}

void attn_scaling_fit_free(attn_scaling_fit *fit) {
    if (!fit) return;
    attn_free(fit->a1_points);
    attn_free(fit->a2_budgets);
    fit->a1_points = NULL;
    fit->a2_budgets = NULL;
}

enum { N_BOOT_STATS = 9 }; /* a1 a, b; a2 a, b; E, A, B, alpha, beta */

attn_status attn_scaling_fit_runs(const attn_scaling_run *runs, int64_t n, const attn_scaling_options *opt_in,
                                  attn_scaling_fit *out) {
    memset(out, 0, sizeof *out);
    attn_scaling_options opt = opt_in ? *opt_in : attn_scaling_default_options();
    if (!runs || n < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "scaling fit: no runs");
    if (n > 10000000) return attn_errorf(ATTN_ERR_INVALID_ARG, "scaling fit: too many runs");
    if (opt.bootstrap < 0 || opt.bootstrap > 100000 || !(opt.level > 0 && opt.level < 1) || !(opt.huber_delta > 0) ||
        !(opt.budget_tolerance >= 0))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "scaling fit: bad options");
    for (int64_t i = 0; i < n; i++)
        if (!(runs[i].params > 0 && runs[i].tokens > 0 && runs[i].flops > 0 && runs[i].loss > 0) ||
            !isfinite(runs[i].params + runs[i].tokens + runs[i].flops + runs[i].loss))
            return attn_errorf(ATTN_ERR_INVALID_ARG, "scaling fit: run %lld: N, D, C and loss must be positive", (long long)i + 1);
    bool curves = false;
    for (int64_t i = 0; i < n; i++) curves |= runs[i].n_curve >= 2;
    size_t room = (size_t)(n > A1_GRID ? n : A1_GRID);
    attn_scaling_point *pts = attn_malloc(sizeof *pts * room);
    attn_scaling_budget *bud = attn_malloc(sizeof *bud * (size_t)n);
    double *work = attn_malloc(sizeof(double) * 3 * room), *logs = attn_malloc(sizeof(double) * 3 * (size_t)n);
    int64_t *idx = attn_malloc(sizeof(int64_t) * (size_t)n);
    attn_scaling_run *res = opt.bootstrap ? attn_malloc(sizeof *res * (size_t)n) : NULL;
    double *boot = opt.bootstrap ? attn_malloc(sizeof(double) * N_BOOT_STATS * (size_t)opt.bootstrap) : NULL;
    attn_scaling_point *bpts = opt.bootstrap ? attn_malloc(sizeof *bpts * room) : NULL;
    attn_scaling_budget *bbud = opt.bootstrap ? attn_malloc(sizeof *bbud * (size_t)n) : NULL;
    attn_status st = ATTN_OK;
    if (!pts || !bud || !work || !logs || !idx || (opt.bootstrap && (!res || !boot || !bpts || !bbud))) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "scaling fit: out of memory");
        goto done;
    }
    out->n_runs = n;
    out->a1_curves = curves;
    a1_result r1, r2;
    int e1 = approach1(runs, n, curves, opt.budget_tolerance, pts, &out->a1_n_points, work, &r1);
    if (e1 < 0) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "scaling fit: out of memory");
        goto done;
    }
    if (e1 == 0) {
        out->a1_ok = true;
        set_power(&out->a1_n, r1.ka, r1.a);
        set_power(&out->a1_d, r1.kb, r1.b);
    } else
        snprintf(out->a1_why, sizeof out->a1_why, "the envelope has fewer than 2 points of different C");
    out->a1_points = pts;
    pts = NULL;
    bool ok2;
    int64_t used = isoflops(runs, n, opt.budget_tolerance, idx, work, bud, &out->a2_n_budgets, &r2, &ok2);
    out->a2_budgets = bud;
    bud = NULL;
    if (ok2) {
        out->a2_ok = true;
        set_power(&out->a2_n, r2.ka, r2.a);
        set_power(&out->a2_d, r2.kb, r2.b);
    } else
        snprintf(out->a2_why, sizeof out->a2_why, "%lld budget(s) with 3 sizes and a minimum; 2 are needed",
                 (long long)used);
    a3_data d = {logs, logs + n, logs + 2 * n, n, opt.huber_delta};
    for (int64_t i = 0; i < n; i++)
        logs[i] = log(runs[i].params), logs[n + i] = log(runs[i].tokens), logs[2 * n + i] = log(runs[i].loss);
    double th[5];
    attn_scaling_law law;
    a1_result r3;
    if (a3_fit(&d, true, th, &out->a3_starts)) {
        law_from_theta(th, &law);
        out->a3_ok = true;
        out->E = (attn_scaling_estimate){law.E, NAN, NAN, 0};
        out->A = (attn_scaling_estimate){law.A, NAN, NAN, 0};
        out->B = (attn_scaling_estimate){law.B, NAN, NAN, 0};
        out->alpha = (attn_scaling_estimate){law.alpha, NAN, NAN, 0};
        out->beta = (attn_scaling_estimate){law.beta, NAN, NAN, 0};
        out->a3_objective = a3_eval(&d, th, work, 5, 0) * opt.huber_delta;
        if (law_powers(&law, &r3)) {
            set_power(&out->a3_n, r3.ka, r3.a);
            set_power(&out->a3_d, r3.kb, r3.b);
        } else {
            out->a3_n.exponent = out->a3_d.exponent = (attn_scaling_estimate){NAN, NAN, NAN, 0};
        }
    } else
        snprintf(out->a3_why, sizeof out->a3_why, n < 5 ? "fewer than 5 runs" : "L-BFGS found no finite minimum");
    for (int k = 0; k < 3; k++) {
        attn_scaling_estimate *e = k == 0 ? &out->a1_n.exponent : k == 1 ? &out->a2_n.exponent : &out->a3_n.exponent;
        attn_scaling_estimate *f = k == 0 ? &out->a1_d.exponent : k == 1 ? &out->a2_d.exponent : &out->a3_d.exponent;
        e->lo = e->hi = f->lo = f->hi = NAN;
    }
    /* the bootstrap: column s of boot holds statistic s of each resample */
    int64_t B = opt.bootstrap, cnt[N_BOOT_STATS] = {0};
    double *col[N_BOOT_STATS];
    for (int s = 0; s < N_BOOT_STATS; s++) col[s] = boot ? boot + (size_t)s * (size_t)B : NULL;
    for (int64_t t = 0; t < B; t++) {
        for (int64_t i = 0; i < n; i++) res[i] = runs[rng_hash(opt.seed, 0x5ca1, (uint64_t)(t * n + i)) % (uint64_t)n];
        int64_t np;
        a1_result q;
        if (out->a1_ok && approach1(res, n, curves, opt.budget_tolerance, bpts, &np, work, &q) == 0) {
            col[0][cnt[0]++] = q.a;
            col[1][cnt[1]++] = q.b;
        }
        int64_t nb;
        bool okb;
        if (out->a2_ok) {
            isoflops(res, n, opt.budget_tolerance, idx, work, bbud, &nb, &q, &okb);
            if (okb) {
                col[2][cnt[2]++] = q.a;
                col[3][cnt[3]++] = q.b;
            }
        }
        if (out->a3_ok) {
            for (int64_t i = 0; i < n; i++)
                logs[i] = log(res[i].params), logs[n + i] = log(res[i].tokens), logs[2 * n + i] = log(res[i].loss);
            double tb[5];
            memcpy(tb, th, sizeof tb);
            attn_scaling_law lb;
            if (a3_fit(&d, false, tb, NULL)) {
                law_from_theta(tb, &lb);
                col[4][cnt[4]] = lb.E;
                col[5][cnt[4]] = lb.A;
                col[6][cnt[4]] = lb.B;
                col[7][cnt[4]] = lb.alpha;
                col[8][cnt[4]] = lb.beta;
                cnt[4]++;
            }
        }
    }
    if (B > 0) {
        if (out->a1_ok) {
            interval(col[0], cnt[0], opt.level, &out->a1_n.exponent);
            interval(col[1], cnt[1], opt.level, &out->a1_d.exponent);
        }
        if (out->a2_ok) {
            interval(col[2], cnt[2], opt.level, &out->a2_n.exponent);
            interval(col[3], cnt[3], opt.level, &out->a2_d.exponent);
        }
        if (out->a3_ok) {
            attn_scaling_estimate *e[5] = {&out->E, &out->A, &out->B, &out->alpha, &out->beta};
            /* a = beta / (alpha + beta) and b = 1 - a of each resample */
            double *va = col[0], *vb = col[1]; /* free again: approach 1's intervals are taken */
            int64_t m = 0;
            for (int64_t t = 0; t < cnt[4]; t++)
                if (col[7][t] > 0 && col[8][t] > 0) {
                    va[m] = col[8][t] / (col[7][t] + col[8][t]);
                    vb[m] = 1 - va[m];
                    m++;
                }
            for (int k = 0; k < 5; k++) interval(col[4 + k], cnt[4], opt.level, e[k]); /* sorts: after a, b */
            if (out->a3_n.exponent.value == out->a3_n.exponent.value) {
                interval(va, m, opt.level, &out->a3_n.exponent);
                interval(vb, m, opt.level, &out->a3_d.exponent);
            }
        }
    }
done:
    attn_free(pts);
    attn_free(bud);
    attn_free(work);
    attn_free(logs);
    attn_free(idx);
    attn_free(res);
    attn_free(boot);
    attn_free(bpts);
    attn_free(bbud);
    if (st) attn_scaling_fit_free(out);
    return st;
}

/* ---- JSON -------------------------------------------------------------------- */

static cJSON *num(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

static void add_est(cJSON *o, const char *key, const attn_scaling_estimate *e) {
    cJSON *x = cJSON_CreateObject();
    cJSON_AddItemToObject(x, "value", num(e->value));
    cJSON_AddItemToObject(x, "lo", num(e->lo));
    cJSON_AddItemToObject(x, "hi", num(e->hi));
    cJSON_AddNumberToObject(x, "n_boot", (double)e->n_boot);
    cJSON_AddItemToObject(o, key, x);
}

static void add_power(cJSON *o, const char *key, const attn_scaling_power *p) {
    cJSON *x = cJSON_CreateObject();
    cJSON_AddItemToObject(x, "exponent", num(p->exponent.value));
    cJSON_AddItemToObject(x, "lo", num(p->exponent.lo));
    cJSON_AddItemToObject(x, "hi", num(p->exponent.hi));
    cJSON_AddNumberToObject(x, "n_boot", (double)p->exponent.n_boot);
    cJSON_AddItemToObject(x, "coef", num(p->coef));
    cJSON_AddItemToObject(o, key, x);
}

static void add_status(cJSON *o, bool ok, const char *why) {
    cJSON_AddBoolToObject(o, "ok", ok);
    if (!ok) cJSON_AddStringToObject(o, "why", why);
}

attn_status attn_scaling_fit_json(const attn_scaling_fit *f, const attn_scaling_options *opt_in, char **out) {
    *out = NULL;
    attn_scaling_options opt = opt_in ? *opt_in : attn_scaling_default_options();
    unsigned long failures = alloc_failures();
    cJSON *root = cJSON_CreateObject();
    if (!root) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "scaling fit: out of memory");
    cJSON_AddNumberToObject(root, "runs", (double)f->n_runs);
    cJSON *o = cJSON_AddObjectToObject(root, "options");
    cJSON_AddNumberToObject(o, "bootstrap", (double)opt.bootstrap);
    cJSON_AddNumberToObject(o, "seed", (double)opt.seed);
    cJSON_AddNumberToObject(o, "level", opt.level);
    cJSON_AddNumberToObject(o, "huber_delta", opt.huber_delta);
    cJSON_AddNumberToObject(o, "budget_tolerance", opt.budget_tolerance);
    cJSON *a1 = cJSON_AddObjectToObject(root, "approach1");
    add_status(a1, f->a1_ok, f->a1_why);
    cJSON_AddStringToObject(a1, "from", f->a1_curves ? "curves" : "final losses");
    if (f->a1_ok) {
        add_power(a1, "n_opt", &f->a1_n);
        add_power(a1, "d_opt", &f->a1_d);
    }
    cJSON *pts = cJSON_AddArrayToObject(a1, "envelope");
    for (int64_t i = 0; i < f->a1_n_points; i++) {
        const attn_scaling_point *p = &f->a1_points[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToObject(x, "flops", num(p->flops));
        cJSON_AddItemToObject(x, "params", num(p->params));
        cJSON_AddItemToObject(x, "tokens", num(p->tokens));
        cJSON_AddItemToObject(x, "loss", num(p->loss));
        cJSON_AddItemToArray(pts, x);
    }
    cJSON *a2 = cJSON_AddObjectToObject(root, "approach2");
    add_status(a2, f->a2_ok, f->a2_why);
    if (f->a2_ok) {
        add_power(a2, "n_opt", &f->a2_n);
        add_power(a2, "d_opt", &f->a2_d);
    }
    cJSON *bs = cJSON_AddArrayToObject(a2, "budgets");
    for (int64_t i = 0; i < f->a2_n_budgets; i++) {
        const attn_scaling_budget *b = &f->a2_budgets[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToObject(x, "flops", num(b->flops));
        cJSON_AddNumberToObject(x, "runs", (double)b->n_runs);
        cJSON_AddBoolToObject(x, "used", b->used);
        if (b->used) {
            cJSON *p = cJSON_AddArrayToObject(x, "parabola");
            for (int k = 0; k < 3; k++) cJSON_AddItemToArray(p, num(b->p[k]));
            cJSON_AddItemToObject(x, "n_opt", num(b->n_opt));
            cJSON_AddItemToObject(x, "d_opt", num(b->d_opt));
            cJSON_AddItemToObject(x, "loss_min", num(b->loss_min));
        }
        cJSON_AddItemToArray(bs, x);
    }
    cJSON *a3 = cJSON_AddObjectToObject(root, "approach3");
    add_status(a3, f->a3_ok, f->a3_why);
    if (f->a3_ok) {
        add_est(a3, "E", &f->E);
        add_est(a3, "A", &f->A);
        add_est(a3, "B", &f->B);
        add_est(a3, "alpha", &f->alpha);
        add_est(a3, "beta", &f->beta);
        add_power(a3, "n_opt", &f->a3_n);
        add_power(a3, "d_opt", &f->a3_d);
        cJSON_AddItemToObject(a3, "huber_sum", num(f->a3_objective));
        cJSON_AddNumberToObject(a3, "starts", (double)f->a3_starts);
    }
    char *s = alloc_failures() == failures ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "scaling fit: out of memory");
    *out = s;
    return ATTN_OK;
}

attn_status attn_scaling_law_from_json(const char *text, size_t len, const char *name, attn_scaling_law *law) {
    if (!name) name = "fit";
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    while (root && end < text + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')) end++;
    if (!root || end != text + len) { /* one document, nothing after it */
        cJSON_Delete(root);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: not JSON (one document)", name);
    }
    const cJSON *a3 = cJSON_GetObjectItemCaseSensitive(root, "approach3");
    static const char *const keys[5] = {"E", "A", "B", "alpha", "beta"};
    double v[5];
    for (int k = 0; k < 5; k++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(a3, keys[k]);
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(e, "value");
        if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
            cJSON_Delete(root);
            return attn_errorf(ATTN_ERR_FORMAT, "%s: no approach3.%s.value (a fit written by attn scaling fit --json)",
                               name, keys[k]);
        }
        v[k] = x->valuedouble;
    }
    cJSON_Delete(root);
    *law = (attn_scaling_law){v[0], v[1], v[2], v[3], v[4]};
    if (!(law->alpha > 0 && law->beta > 0 && law->A > 0 && law->B > 0))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: the law needs positive A, B, alpha and beta", name);
    return ATTN_OK;
}
