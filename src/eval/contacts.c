/* contacts.c — synthetic protein families from a Potts model with a planted
 * contact map, and contact prediction from attention maps (symmetrisation,
 * APC, logistic regression, top-L precision, the contact-map figure).
 * The rules are atop include/attn/contacts.h. */
#include "attn/contacts.h"
#include "core/core.h"

#include <lbfgs.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* random streams of the sampler (every number a function of seed, stream, counter) */
#define S_MAP 0x636d6170ULL     /* "cmap" */
#define S_FIELD 0x6669656cULL   /* "fiel" */
#define S_PERM 0x7065726dULL    /* "perm" */
#define S_INIT 0x696e6974ULL    /* "init" + chain */
#define S_GIBBS 0x67696273ULL   /* "gibs" + chain */
#define COMPACT 3.0             /* the walk's pull toward occupied neighbours */

attn_potts_params attn_potts_default_params(void) {
    attn_potts_params p = {0};
    p.length = 64;
    p.coupling = 4.0f;
    p.field = 0.5f;
    p.chains = 8;
    p.burn_in = 200;
    p.thin = 10;
    return p;
}

/* ---- the planted map --------------------------------------------------------- */

typedef struct site {
    int32_t x, y, z;
} site;

static bool same(site a, site b) { return a.x == b.x && a.y == b.y && a.z == b.z; }

/* occupied among the first n sites of the walk */
static bool taken(const site *w, int64_t n, site s) {
    for (int64_t k = 0; k < n; k++)
        if (same(w[k], s)) return true;
    return false;
}

static const site STEPS[6] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};

attn_status attn_contacts_plant(int64_t L, uint64_t seed, uint8_t *map) {
    if (L < 16 || L > 4096 || !map) return attn_errorf(ATTN_ERR_INVALID_ARG, "contact map: length must be in [16, 4096]");
    site *w = attn_malloc(sizeof *w * (size_t)L);
    if (!w) return ATTN_ERR_OUT_OF_MEMORY;
    /* grow the walk; a dead end (no free neighbour) starts the next attempt */
    for (uint64_t attempt = 0;; attempt++) {
        rng_state r = {rng_hash(seed, S_MAP, attempt)};
        w[0] = (site){0, 0, 0};
        int64_t n = 1;
        for (; n < L; n++) {
            double wt[6], z = 0;
            site c[6];
            for (int d = 0; d < 6; d++) {
                c[d] = (site){w[n - 1].x + STEPS[d].x, w[n - 1].y + STEPS[d].y, w[n - 1].z + STEPS[d].z};
                wt[d] = 0;
                if (taken(w, n, c[d])) continue;
                int touch = 0;
                for (int e = 0; e < 6; e++)
                    touch += taken(w, n - 1, (site){c[d].x + STEPS[e].x, c[d].y + STEPS[e].y, c[d].z + STEPS[e].z});
                wt[d] = exp(COMPACT * touch);
                z += wt[d];
            }
            if (z == 0) break;
            double u = (double)rng_next_float(&r) * z;
            int d = 0;
            for (; d < 5; d++)
                if (wt[d] > 0 && (u -= wt[d]) < 0) break;
            while (wt[d] == 0) d--; /* rounding past the last free one */
            w[n] = c[d];
        }
        if (n == L) break;
    }
    memset(map, 0, (size_t)(L * L));
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i + 3; j < L; j++)
            if (abs(w[i].x - w[j].x) + abs(w[i].y - w[j].y) + abs(w[i].z - w[j].z) == 1) map[i * L + j] = map[j * L + i] = 1;
    attn_free(w);
    return ATTN_OK;
}

/* ---- the Potts model and its Gibbs sampler ----------------------------------- */

typedef struct edge {
    int64_t j;
    const float *J; /* q x q, row = this site's state when lower, else column */
    bool lower;     /* this site is the pair's lower index */
} edge;

attn_status attn_potts_sample(const attn_potts_params *p, int64_t n, uint8_t *map_out, uint8_t *seqs) {
    enum { Q = ATTN_POTTS_Q };
    if (!p || !seqs || n < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "potts: params and seqs are required");
    int64_t L = p->length;
    if (L < 16 || L > 4096) return attn_errorf(ATTN_ERR_INVALID_ARG, "potts: length must be in [16, 4096], got %lld", (long long)L);
    if (!(p->coupling >= 0 && p->coupling <= 50) || !(p->field >= 0 && p->field <= 50))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "potts: coupling and field must be in [0, 50]");
    if (p->chains < 1 || p->burn_in < 0 || p->thin < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "potts: chains and thin must be >= 1, burn_in >= 0");
    uint8_t *map = attn_malloc((size_t)(L * L));
    float *h = attn_malloc(sizeof *h * (size_t)(L * Q)), *prob = attn_malloc(sizeof *prob * Q);
    int64_t *deg = attn_calloc((size_t)L + 1, sizeof *deg);
    uint8_t *s = attn_malloc((size_t)L);
    edge *adj = NULL;
    float *J = NULL;
    attn_status st = ATTN_OK;
    if (!map || !h || !prob || !deg || !s) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if ((st = attn_contacts_plant(L, p->seed, map)) != ATTN_OK) goto done;
    int64_t n_pairs = 0;
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i + 1; j < L; j++)
            if (map[i * L + j]) n_pairs++, deg[i + 1]++, deg[j + 1]++;
    for (int64_t i = 0; i < L; i++) deg[i + 1] += deg[i]; /* deg[i] .. deg[i+1]: site i's edges */
    adj = attn_malloc(sizeof *adj * (size_t)(2 * n_pairs + 1));
    J = attn_calloc((size_t)(n_pairs * Q * Q + 1), sizeof *J);
    int64_t *fill = attn_calloc((size_t)L, sizeof *fill);
    if (!adj || !J || !fill) {
        attn_free(fill);
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int64_t k = 0; k < L * Q; k++) h[k] = p->field * rng_normal(p->seed, S_FIELD, (uint64_t)k);
    int64_t e = 0;
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i + 1; j < L; j++) {
            if (!map[i * L + j]) continue;
            uint8_t perm[Q];
            for (int a = 0; a < Q; a++) perm[a] = (uint8_t)a;
            for (int a = Q - 1; a > 0; a--) { /* Fisher-Yates */
                int b = (int)(rng_hash(p->seed, S_PERM, (uint64_t)(e * Q + a)) % (uint64_t)(a + 1));
                uint8_t t = perm[a];
                perm[a] = perm[b];
                perm[b] = t;
            }
            float *Je = J + e * Q * Q;
            for (int a = 0; a < Q; a++) Je[a * Q + perm[a]] = p->coupling;
            adj[deg[i] + fill[i]++] = (edge){j, Je, true};
            adj[deg[j] + fill[j]++] = (edge){i, Je, false};
            e++;
        }
    attn_free(fill);
    for (int64_t c = 0; c < p->chains && c < (n > 0 ? n : 1); c++) {
        for (int64_t i = 0; i < L; i++) s[i] = (uint8_t)(rng_hash(p->seed, S_INIT + (uint64_t)c, (uint64_t)i) % Q);
        uint64_t sweep = 0;
        for (int64_t row = c, first = 1; row < n; row += p->chains, first = 0) {
            int64_t sweeps = first ? p->burn_in + p->thin : p->thin;
            for (int64_t t = 0; t < sweeps; t++, sweep++)
                for (int64_t i = 0; i < L; i++) {
                    float mx = -INFINITY, z = 0;
                    for (int a = 0; a < Q; a++) prob[a] = h[i * Q + a];
                    for (int64_t k = deg[i]; k < deg[i + 1]; k++) {
                        const edge *ed = &adj[k];
                        int b = s[ed->j];
                        for (int a = 0; a < Q; a++) prob[a] += ed->lower ? ed->J[a * Q + b] : ed->J[b * Q + a];
                    }
                    for (int a = 0; a < Q; a++) mx = fmaxf(mx, prob[a]);
                    for (int a = 0; a < Q; a++) z += prob[a] = expf(prob[a] - mx);
                    float u = rng_uniform(p->seed, S_GIBBS + (uint64_t)c, sweep * (uint64_t)L + (uint64_t)i) * z;
                    int a = 0;
                    for (; a < Q - 1; a++)
                        if ((u -= prob[a]) < 0) break;
                    s[i] = (uint8_t)a;
                }
            memcpy(seqs + row * L, s, (size_t)L);
        }
    }
    if (map_out) memcpy(map_out, map, (size_t)(L * L));
done:
    attn_free(map);
    attn_free(h);
    attn_free(prob);
    attn_free(deg);
    attn_free(s);
    attn_free(adj);
    attn_free(J);
    return st;
}

double attn_contacts_mutual_info(const uint8_t *seqs, int64_t n, int64_t L, int q, int64_t i, int64_t j) {
    if (n < 1 || q < 1 || q > 256) return 0;
    double *c = calloc((size_t)(q * q + 2 * q), sizeof *c);
    if (!c) return NAN;
    double *ci = c + q * q, *cj = ci + q;
    for (int64_t k = 0; k < n; k++) {
        int a = seqs[k * L + i], b = seqs[k * L + j];
        if (a >= q || b >= q) continue;
        c[a * q + b]++, ci[a]++, cj[b]++;
    }
    double mi = 0, N = (double)n;
    for (int a = 0; a < q; a++)
        for (int b = 0; b < q; b++)
            if (c[a * q + b] > 0) mi += c[a * q + b] / N * log(c[a * q + b] * N / (ci[a] * cj[b]));
    free(c);
    return mi;
}

/* ---- features ----------------------------------------------------------------- */

void attn_contacts_sym_apc(float *a, int64_t L) {
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i; j < L; j++) a[i * L + j] = a[j * L + i] = a[i * L + j] + a[j * L + i];
    double total = 0;
    double *r = malloc(sizeof *r * (size_t)(L > 0 ? L : 1));
    if (!r) return;
    for (int64_t i = 0; i < L; i++) {
        r[i] = 0;
        for (int64_t j = 0; j < L; j++) r[i] += (double)a[i * L + j];
        total += r[i];
    }
    if (total != 0)
        for (int64_t i = 0; i < L; i++)
            for (int64_t j = 0; j < L; j++) a[i * L + j] -= (float)(r[i] * r[j] / total);
    free(r);
}

attn_status attn_contacts_features(const float *maps, int64_t n_maps, int64_t T, int64_t first, int64_t L, float *feat) {
    if (!maps || !feat || n_maps < 1 || L < 1 || first < 0 || first + L > T)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "contact features: residues %lld..%lld outside %lld tokens", (long long)first,
                           (long long)(first + L), (long long)T);
    float *a = attn_malloc(sizeof *a * (size_t)(L * L));
    if (!a) return ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t m = 0; m < n_maps; m++) {
        const float *src = maps + m * T * T;
        for (int64_t i = 0; i < L; i++) memcpy(a + i * L, src + (first + i) * T + first, sizeof *a * (size_t)L);
        attn_contacts_sym_apc(a, L);
        for (int64_t k = 0; k < L * L; k++) feat[k * n_maps + m] = a[k];
    }
    attn_free(a);
    return ATTN_OK;
}

/* ---- logistic regression --------------------------------------------------------- */

typedef struct lr_data {
    const float *x;
    const uint8_t *y;
    int64_t n, F;
    const double *mu, *sd; /* the features' standardisation */
    double l2;
} lr_data;

/* mean log loss of the standardised features + l2/2 |w|^2; theta = (w, b) */
static lbfgsfloatval_t lr_eval(void *inst, const lbfgsfloatval_t *th, lbfgsfloatval_t *g, const int nv,
                               const lbfgsfloatval_t step) {
    (void)step;
    const lr_data *d = inst;
    int64_t F = d->F;
    double f = 0;
    for (int k = 0; k < nv; k++) g[k] = 0;
    for (int64_t r = 0; r < d->n; r++) {
        const float *x = d->x + r * F;
        double z = th[F];
        for (int64_t k = 0; k < F; k++) z += th[k] * ((double)x[k] - d->mu[k]) / d->sd[k];
        /* log(1 + e^z) - y z, stably */
        f += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - (d->y[r] ? z : 0);
        double e = 1 / (1 + exp(-z)) - (d->y[r] ? 1 : 0);
        for (int64_t k = 0; k < F; k++) g[k] += e * ((double)x[k] - d->mu[k]) / d->sd[k];
        g[F] += e;
    }
    double inv = 1 / (double)d->n;
    f *= inv;
    for (int k = 0; k <= F; k++) g[k] *= inv;
    for (int64_t k = 0; k < F; k++) {
        f += 0.5 * d->l2 * th[k] * th[k];
        g[k] += d->l2 * th[k];
    }
    return f;
}

attn_status attn_logreg_fit(const float *x, const uint8_t *y, int64_t n, int64_t F, double l2, attn_logreg *out) {
    if (!x || !y || !out || n < 1 || F < 1 || F > (1 << 20) || !(l2 >= 0))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "logistic regression: needs rows, features and l2 >= 0");
    out->w = NULL;
    double *mu = attn_calloc((size_t)(2 * F), sizeof *mu), *sd = mu ? mu + F : NULL;
    lbfgsfloatval_t *th = lbfgs_malloc((int)F + 1);
    if (!mu || !th) {
        attn_free(mu);
        lbfgs_free(th);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    for (int64_t r = 0; r < n; r++)
        for (int64_t k = 0; k < F; k++) mu[k] += (double)x[r * F + k];
    for (int64_t k = 0; k < F; k++) mu[k] /= (double)n;
    for (int64_t r = 0; r < n; r++)
        for (int64_t k = 0; k < F; k++) sd[k] += ((double)x[r * F + k] - mu[k]) * ((double)x[r * F + k] - mu[k]);
    for (int64_t k = 0; k < F; k++) {
        sd[k] = sqrt(sd[k] / (double)n);
        if (!(sd[k] > 1e-12)) sd[k] = 1; /* a constant feature */
    }
    for (int64_t k = 0; k <= F; k++) th[k] = 0;
    lr_data d = {x, y, n, F, mu, sd, l2};
    lbfgs_parameter_t p;
    lbfgs_parameter_init(&p);
    p.max_iterations = 500;
    p.epsilon = 1e-6;
    lbfgsfloatval_t fx = 0;
    lbfgs((int)F + 1, th, &fx, lr_eval, NULL, &d, &p); /* a stalled line search still leaves the best point seen */
    attn_status st = ATTN_OK;
    if (!isfinite(fx)) st = attn_errorf(ATTN_ERR_INVALID_ARG, "logistic regression: the loss is not finite (non-finite features?)");
    else if (!(out->w = attn_malloc(sizeof *out->w * (size_t)F))) st = ATTN_ERR_OUT_OF_MEMORY;
    if (!st) { /* back to the raw features: w_k / sd_k, b - sum w_k mu_k / sd_k */
        out->n_features = F;
        out->b = th[F];
        for (int64_t k = 0; k < F; k++) {
            out->w[k] = th[k] / sd[k];
            out->b -= th[k] * mu[k] / sd[k];
        }
    }
    attn_free(mu);
    lbfgs_free(th);
    return st;
}

void attn_logreg_predict(const attn_logreg *r, const float *x, int64_t n, float *p) {
    for (int64_t i = 0; i < n; i++) {
        double z = r->b;
        for (int64_t k = 0; k < r->n_features; k++) z += r->w[k] * (double)x[i * r->n_features + k];
        p[i] = (float)(1 / (1 + exp(-z)));
    }
}

void attn_logreg_free(attn_logreg *r) {
    if (!r) return;
    attn_free(r->w);
    r->w = NULL;
}

/* ---- evaluation ------------------------------------------------------------------- */

typedef struct scored {
    float s;
    int32_t i, j;
} scored;

static int cmp_scored(const void *pa, const void *pb) {
    const scored *a = pa, *b = pb;
    if (a->s != b->s) return a->s > b->s ? -1 : 1;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return (a->j > b->j) - (a->j < b->j);
}

/* The pairs j - i >= min_sep sorted best first; *n_out of them. */
static attn_status ranked(const float *scores, int64_t L, int64_t min_sep, scored **out, int64_t *n_out) {
    int64_t n = 0;
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i + min_sep; j < L; j++) n++;
    if (min_sep < 1 || n < 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "contact precision: no pair of %lld residues is %lld apart", (long long)L,
                           (long long)min_sep);
    scored *v = attn_malloc(sizeof *v * (size_t)n);
    if (!v) return ATTN_ERR_OUT_OF_MEMORY;
    n = 0;
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i + min_sep; j < L; j++) {
            float s = scores[i * L + j];
            v[n++] = (scored){isnan(s) ? -INFINITY : s, (int32_t)i, (int32_t)j};
        }
    qsort(v, (size_t)n, sizeof *v, cmp_scored);
    *out = v;
    *n_out = n;
    return ATTN_OK;
}

attn_status attn_contacts_precision(const float *scores, const uint8_t *map, int64_t L, int64_t min_sep, int64_t k,
                                    double *precision, double *baseline) {
    scored *v;
    int64_t n;
    attn_status st = ranked(scores, L, min_sep, &v, &n);
    if (st) return st;
    if (k <= 0) k = L;
    if (k > n) k = n;
    int64_t hit = 0, all = 0;
    for (int64_t r = 0; r < n; r++) {
        bool c = map[(int64_t)v[r].i * L + v[r].j] != 0;
        all += c;
        if (r < k) hit += c;
    }
    *precision = (double)hit / (double)k;
    *baseline = (double)all / (double)n;
    attn_free(v);
    return ATTN_OK;
}

/* ---- the figure --------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(sbuf *b, const char *fmt, ...) {
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n + 1;
        char *q = attn_realloc(b->p, cap);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q, b->cap = cap;
    }
}

static void put_escaped(sbuf *b, const char *s) {
    for (; s && *s; s++) {
        if (*s == '<') put(b, "&lt;");
        else if (*s == '>') put(b, "&gt;");
        else if (*s == '&') put(b, "&amp;");
        else if (*s == '"') put(b, "&quot;");
        else put(b, "%c", *s);
    }
}

attn_status attn_contacts_svg(const float *scores, const uint8_t *map, int64_t L, int64_t min_sep, int64_t k,
                              const char *title, char **svg, size_t *len) {
    *svg = NULL;
    *len = 0;
    scored *v;
    int64_t n;
    attn_status st = ranked(scores, L, min_sep, &v, &n);
    if (st) return st;
    if (k <= 0) k = L;
    if (k > n) k = n;
    const double W = 520, left = 50, top = 40, side = 440;
    double c = side / (double)L;
    sbuf b = {attn_malloc(4096), 0, 4096, false};
    if (!b.p) {
        attn_free(v);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    put(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n", W, top + side + 62, W, top + side + 62);
    put(&b, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%.1f\" y=\"22\" text-anchor=\"middle\" "
            "font-size=\"14\">", left + side / 2);
    put_escaped(&b, title ? title : "contacts");
    put(&b, "</text>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n", left,
        top, side, side);
    put(&b, "<g fill=\"#c8c8c8\">\n");
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = 0; j < L; j++)
            if (map[i * L + j])
                put(&b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", left + (double)j * c,
                    top + (double)i * c, c, c);
    put(&b, "</g>\n");
    int64_t hit = 0;
    for (int64_t r = 0; r < k; r++) { /* predictions in the lower-left triangle: x = i, y = j */
        bool t = map[(int64_t)v[r].i * L + v[r].j] != 0;
        hit += t;
        put(&b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>\n", left + ((double)v[r].i + 0.5) * c,
            top + ((double)v[r].j + 0.5) * c, fmax(c * 0.45, 1.0), t ? "#1f5fbf" : "#d62728");
    }
    for (int64_t t = 0; t <= L; t += (L > 200 ? 50 : L > 80 ? 20 : 10)) {
        put(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%lld</text>\n", left + (double)t * c, top + side + 16,
            (long long)t);
        put(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%lld</text>\n", left - 4, top + (double)t * c + 4, (long long)t);
    }
    put(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">grey: true contacts (both triangles)</text>\n", left + side / 2,
        top + side + 36);
    put(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">lower left: the top-%lld predicted pairs with |i-j| &gt;= %lld, "
            "blue true, red false (%lld / %lld true)</text>\n",
        left + side / 2, top + side + 52, (long long)k, (long long)min_sep, (long long)hit, (long long)k);
    put(&b, "</svg>\n");
    attn_free(v);
    if (b.oom) {
        attn_free(b.p);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    *svg = b.p;
    *len = b.len;
    return ATTN_OK;
}
