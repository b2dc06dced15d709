/* attn scaling — compute-optimal scaling laws (include/attn/scaling.h):
 * `fit` runs Chinchilla's three approaches on a file of training runs and
 * prints a table (+ JSON, SVG figures); `plan` gives the compute-optimal N
 * and D for a budget and the GPT shapes closest to that N. */
#include "cli.h"

#include "attn/plot.h"
#include "attn/scaling.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Hoffmann et al. 2022, table 2: the exponents of N_opt ~ C^a, D_opt ~ C^b. */
static const double PAPER_AB[3][2] = {{0.50, 0.50}, {0.49, 0.51}, {0.46, 0.54}};

/* exponent: fixed 3 decimals (an exponent near 0 reads 0.000, not 1e-30); else 4 significant digits */
static void print_est(const char *label, const attn_scaling_estimate *e, bool exponent) {
    if (exponent) {
        printf("%s %.3f", label, e->value);
        if (isfinite(e->lo)) printf(" [%.3f, %.3f]", e->lo, e->hi);
    } else {
        printf("%s %.4g", label, e->value);
        if (isfinite(e->lo)) printf(" [%.4g, %.4g]", e->lo, e->hi);
    }
}

static void print_row(const char *name, bool ok, const char *why, const attn_scaling_power *n,
                      const attn_scaling_power *d, const double paper[2]) {
    printf("%-28s ", name);
    if (!ok) {
        printf("-- (%s)\n", why);
        return;
    }
    print_est("a", &n->exponent, true);
    printf("   ");
    print_est("b", &d->exponent, true);
    printf("   (paper: a %.2f, b %.2f)\n", paper[0], paper[1]);
}

static attn_status write_file(const char *path, const char *data, size_t len) {
    cli_atomic out;
    attn_status st = cli_atomic_open(&out, path);
    if (st) return st;
    fwrite(data, 1, len, out.f);
    return cli_atomic_commit(&out);
}

static attn_status write_svg(const char *dir, const char *file, const attn_svg_series *s, int64_t n, bool log_y,
                             const char *title, const char *x_title, const char *y_title) {
    char *svg = NULL, path[4096];
    size_t len = 0;
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--svg-dir: path too long");
    attn_status st = attn_svg_xy(s, n, true, log_y, title, x_title, y_title, &svg, &len);
    if (!st) st = write_file(path, svg, len);
    attn_free(svg);
    return st;
}

enum { CURVE_PTS = 64, MAX_FIG_BUDGETS = 16, N_LEVELS = 6 };

/* The three figures: IsoFLOP profiles, N_opt against C, the fitted loss
 * surface's contours over (N, D). */
static attn_status figures(const char *dir, const attn_scaling_run *runs, int64_t n, const attn_scaling_fit *f) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return attn_errorf(ATTN_ERR_IO, "--svg-dir %s: %s", dir, strerror(errno));
    attn_status st = ATTN_OK;
    double cmin = INFINITY, cmax = 0, nmin = INFINITY, nmax = 0, lmin = INFINITY, lmax = 0;
    for (int64_t i = 0; i < n; i++) {
        cmin = fmin(cmin, runs[i].flops), cmax = fmax(cmax, runs[i].flops);
        nmin = fmin(nmin, runs[i].params), nmax = fmax(nmax, runs[i].params);
        lmin = fmin(lmin, runs[i].loss), lmax = fmax(lmax, runs[i].loss);
    }
    for (int64_t k = 0; k < f->a1_n_points; k++) cmin = fmin(cmin, f->a1_points[k].flops);
    /* the largest figure's points: the runs twice over (x and y), 16 curves, the envelope */
    double *buf = malloc(sizeof(double) * (size_t)(4 * n + 2 * (MAX_FIG_BUDGETS + 8) * CURVE_PTS + 2 * f->a1_n_points + 16));
    attn_svg_series *s = malloc(sizeof *s * (size_t)(2 * MAX_FIG_BUDGETS + 16));
    char (*names)[64] = malloc(64 * (2 * MAX_FIG_BUDGETS + 16));
    if (!buf || !s || !names) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory drawing the figures");
        goto done;
    }
    /* 1. IsoFLOP profiles: each budget's runs and parabola */
    int64_t ns = 0;
    double *p = buf;
    for (int64_t b = 0; b < f->a2_n_budgets && b < MAX_FIG_BUDGETS; b++) {
        const attn_scaling_budget *g = &f->a2_budgets[b];
        double *x = p, *y = p + g->n_runs; /* the budget's runs: those in its range of C */
        int64_t m = 0;
        double lo = INFINITY, hi = 0;
        for (int64_t i = 0; i < n && m < g->n_runs; i++)
            if (runs[i].flops >= g->flops_lo && runs[i].flops <= g->flops_hi) {
                x[m] = runs[i].params, y[m] = runs[i].loss, m++;
                lo = fmin(lo, runs[i].params), hi = fmax(hi, runs[i].params);
            }
        p += 2 * g->n_runs;
        snprintf(names[ns], 64, "C = %.2g", g->flops);
        s[ns] = (attn_svg_series){names[ns], x, y, m, false, true, false, (int)(b % 8), 0};
        ns++;
        if (g->used && hi > lo) {
            double *cx = p, *cy = p + CURVE_PTS;
            for (int k = 0; k < CURVE_PTS; k++) {
                double lx = log(lo) + (log(hi) - log(lo)) * k / (CURVE_PTS - 1);
                cx[k] = exp(lx);
                cy[k] = g->p[0] + g->p[1] * lx + g->p[2] * lx * lx;
            }
            p += 2 * CURVE_PTS;
            s[ns++] = (attn_svg_series){NULL, cx, cy, CURVE_PTS, true, false, false, (int)(b % 8), 0};
        }
    }
    if ((st = write_svg(dir, "isoflop.svg", s, ns, false, "IsoFLOP profiles", "parameters N", "final validation loss")))
        goto done;
    /* 2. N_opt against C: envelope points, IsoFLOP minima, the three power laws */
    ns = 0;
    p = buf;
    double *ex = p, *ey = p + f->a1_n_points;
    for (int64_t k = 0; k < f->a1_n_points; k++) ex[k] = f->a1_points[k].flops, ey[k] = f->a1_points[k].params;
    p += 2 * f->a1_n_points;
    if (f->a1_n_points) s[ns++] = (attn_svg_series){"envelope (approach 1)", ex, ey, f->a1_n_points, false, true, false, 0, 0};
    double *bx = p, *by = p + f->a2_n_budgets;
    int64_t m = 0;
    for (int64_t b = 0; b < f->a2_n_budgets; b++)
        if (f->a2_budgets[b].used) bx[m] = f->a2_budgets[b].flops, by[m] = f->a2_budgets[b].n_opt, m++;
    p += 2 * f->a2_n_budgets;
    if (m) s[ns++] = (attn_svg_series){"IsoFLOP minima (approach 2)", bx, by, m, false, true, false, 1, 0};
    const attn_scaling_power *laws[3] = {&f->a1_n, &f->a2_n, &f->a3_n};
    const bool oks[3] = {f->a1_ok, f->a2_ok, f->a3_ok && isfinite(f->a3_n.exponent.value)};
    static const char *const law_names[3] = {"approach 1 fit", "approach 2 fit", "approach 3 (parametric)"};
    for (int k = 0; k < 3; k++) {
        if (!oks[k]) continue;
        double *lx = p, *ly = p + CURVE_PTS;
        for (int j = 0; j < CURVE_PTS; j++) {
            lx[j] = exp(log(cmin) + (log(cmax) - log(cmin)) * j / (CURVE_PTS - 1));
            ly[j] = laws[k]->coef * pow(lx[j], laws[k]->exponent.value);
        }
        p += 2 * CURVE_PTS;
        s[ns++] = (attn_svg_series){law_names[k], lx, ly, CURVE_PTS, true, false, false, k, k + 1};
    }
    if (ns && (st = write_svg(dir, "nopt.svg", s, ns, true, "Compute-optimal model size", "training FLOPs C",
                              "optimal parameters N_opt")))
        goto done;
    /* 3. the parametric law's loss contours over (N, D), the runs, the efficient frontier */
    if (f->a3_ok) {
        attn_scaling_law law = {f->E.value, f->A.value, f->B.value, f->alpha.value, f->beta.value};
        ns = 0;
        p = buf;
        double *rx = p, *ry = p + n;
        for (int64_t i = 0; i < n; i++) rx[i] = runs[i].params, ry[i] = runs[i].tokens;
        p += 2 * n;
        s[ns++] = (attn_svg_series){"runs", rx, ry, n, false, true, false, 0, 0};
        for (int lv = 0; lv < N_LEVELS; lv++) {
            double level = lmin + (lmax - lmin) * lv / (N_LEVELS - 1), *cx = p, *cy = p + CURVE_PTS;
            for (int j = 0; j < CURVE_PTS; j++) {
                double N = exp(log(nmin / 10) + log(100 * nmax / nmin) * j / (CURVE_PTS - 1));
                double rest = level - law.E - law.A / pow(N, law.alpha);
                cx[j] = N;
                cy[j] = rest > 0 ? pow(law.B / rest, 1 / law.beta) : (double)NAN;
            }
            p += 2 * CURVE_PTS;
            snprintf(names[ns], 64, "L = %.3f", level);
            s[ns] = (attn_svg_series){names[ns], cx, cy, CURVE_PTS, true, false, true, 2 + lv % 6, 2};
            ns++;
        }
        if (oks[2]) {
            double *fx = p, *fy = p + CURVE_PTS;
            for (int j = 0; j < CURVE_PTS; j++) {
                double C = exp(log(cmin / 10) + log(100 * cmax / cmin) * j / (CURVE_PTS - 1));
                attn_scaling_optimum_for_flops(&law, C, &fx[j], &fy[j]);
            }
            s[ns++] = (attn_svg_series){"efficient frontier", fx, fy, CURVE_PTS, true, false, true, 1, 0};
        }
        if ((st = write_svg(dir, "loss_contours.svg", s, ns, true, "Fitted loss L(N, D)", "parameters N",
                            "training tokens D")))
            goto done;
    }
done:
    free(buf);
    free(s);
    free(names);
    return st;
}

static int scaling_fit(int argc, char **argv) {
    const char *json_path = NULL, *svg_dir = NULL;
    attn_scaling_options o = attn_scaling_default_options();
    const cli_option options[] = {
        {CLI_STR("--json", NULL, "OUT.json", &json_path, "write the fit as JSON (attn scaling plan --fit reads it)")},
        {CLI_STR("--svg-dir", NULL, "DIR", &svg_dir,
                 "write isoflop.svg, nopt.svg and loss_contours.svg into DIR (made if missing)")},
        {CLI_INT("--bootstrap", NULL, "N", &o.bootstrap, 0, 100000, "resamples of the runs for the intervals (0: none)")},
        {CLI_INT("--seed", NULL, "N", &o.seed, 0, LLONG_MAX, "seed of the resampling")},
        {CLI_FLOAT("--level", NULL, "X", &o.level, 0, 1, CLI_MIN_OPEN | CLI_MAX_OPEN, "the intervals' coverage")},
        {CLI_FLOAT("--budget-tolerance", NULL, "X", &o.budget_tolerance, 0, 10, CLI_CLOSED,
                   "runs whose FLOPs lie within this relative distance share an IsoFLOP budget")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn scaling fit RUNS.jsonl [--json OUT.json] [--svg-dir DIR] [--bootstrap N] [--seed N]",
        "Fits Chinchilla's three approaches (Hoffmann et al. 2022) to training runs, one JSON\n"
        "object per line: \"params\" (N, every parameter, embeddings included), \"tokens\" (D),\n"
        "\"flops\" (C; 6ND when absent), \"loss\" (final validation loss) and optionally \"curve\":\n"
        "[[flops, loss], ...]. (1) the lower envelope of loss per FLOP (over the curves, else the\n"
        "final losses) gives N_opt ~ C^a and D_opt ~ C^b; (2) a parabola of loss in ln N per\n"
        "FLOP budget gives them from its minima; (3) L(N, D) = E + A/N^alpha + B/D^beta fitted\n"
        "by L-BFGS with a Huber loss (delta 1e-3) on log-loss from the paper's 4500 starts,\n"
        "where a = beta/(alpha+beta), b = alpha/(alpha+beta). Intervals: percentiles over\n"
        "bootstrap resamples of the runs.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos != 1) return cli_usage_error("needs one RUNS.jsonl (see attn scaling fit --help)");
    const char *path = argv[1];
    char *text = NULL, *js = NULL;
    size_t len = 0;
    attn_scaling_run *runs = NULL;
    int64_t n = 0;
    attn_scaling_fit f;
    memset(&f, 0, sizeof f);
    attn_status st = cli_read_input(path, &text, &len);
    if (!st) st = attn_scaling_read_runs(text, len, path, &runs, &n);
    if (!st) st = attn_scaling_fit_runs(runs, n, &o, &f);
    if (st) goto fail;
    printf("%lld runs; ", (long long)n);
    if (o.bootstrap)
        printf("intervals: %g%% percentile, %lld resamples of the runs (seed %llu)\n", 100 * o.level,
               (long long)o.bootstrap, (unsigned long long)o.seed);
    else
        printf("no intervals (--bootstrap 0)\n");
    printf("%-28s N_opt ~ C^a              D_opt ~ C^b\n", "approach");
    char label[64];
    snprintf(label, sizeof label, "1 envelope (%s)", f.a1_curves ? "curves" : "final losses");
    print_row(label, f.a1_ok, f.a1_why, &f.a1_n, &f.a1_d, PAPER_AB[0]);
    int64_t used = 0;
    for (int64_t b = 0; b < f.a2_n_budgets; b++) used += f.a2_budgets[b].used;
    snprintf(label, sizeof label, "2 IsoFLOP (%lld budgets)", (long long)used);
    print_row(label, f.a2_ok, f.a2_why, &f.a2_n, &f.a2_d, PAPER_AB[1]);
    print_row("3 parametric L(N, D)", f.a3_ok && isfinite(f.a3_n.exponent.value),
              f.a3_ok ? "alpha or beta not positive" : f.a3_why, &f.a3_n, &f.a3_d, PAPER_AB[2]);
    if (f.a3_ok) {
        printf("L(N, D) = E + A/N^alpha + B/D^beta: ");
        print_est("E", &f.E, false);
        printf(", ");
        print_est("A", &f.A, false);
        printf(", ");
        print_est("B", &f.B, false);
        printf(", ");
        print_est("alpha", &f.alpha, true);
        printf(", ");
        print_est("beta", &f.beta, true);
        printf("\n  (paper: E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28; Huber sum %.3g, %lld starts)\n",
               f.a3_objective, (long long)f.a3_starts);
        double cmax = 0, N, D;
        for (int64_t i = 0; i < n; i++) cmax = fmax(cmax, runs[i].flops);
        attn_scaling_law law = {f.E.value, f.A.value, f.B.value, f.alpha.value, f.beta.value};
        if (attn_scaling_optimum_for_flops(&law, cmax, &N, &D) == ATTN_OK)
            printf("at the largest budget C = %.3g: N_opt %.3g, D_opt %.3g, %.1f tokens per parameter "
                   "(paper: about 20)\n",
                   cmax, N, D, D / N);
    }
    if (json_path) {
        if ((st = attn_scaling_fit_json(&f, &o, &js)) != ATTN_OK || (st = write_file(json_path, js, strlen(js))) != ATTN_OK)
            goto fail;
    }
    if (svg_dir && (st = figures(svg_dir, runs, n, &f)) != ATTN_OK) goto fail;
    if ((st = cli_stdout_check()) != ATTN_OK) goto fail;
    attn_free(js);
    attn_scaling_fit_free(&f);
    attn_scaling_runs_free(runs, n);
    free(text);
    return 0;
fail:
    attn_free(js);
    attn_scaling_fit_free(&f);
    attn_scaling_runs_free(runs, n);
    free(text);
    return cli_fail(cli_command, st, NULL);
}

typedef struct shape {
    int64_t layers, width, heads, params;
} shape;

static int cmp_shape(const void *a, const void *b) {
    double x = ((const shape *)a)->params, y = ((const shape *)b)->params;
    return x < y ? -1 : x > y;
}

static int scaling_plan(int argc, char **argv) {
    double flops = 0, params = 0;
    const char *fit_path = NULL;
    int64_t vocab = 50257, ctx = 1024, head_dim = 64, n_shapes = 5;
    const cli_option options[] = {
        {CLI_FLOAT("--flops", NULL, "F", &flops, 0, 1e40, CLI_MIN_OPEN, "the training budget in FLOPs")},
        {CLI_FLOAT("--params", NULL, "X", &params, 0, 1e20, CLI_MIN_OPEN,
                   "a model size: the budget and tokens it is compute-optimal for")},
        {CLI_STR("--fit", NULL, "FIT.json", &fit_path, "the law of attn scaling fit --json (default: the paper's)")},
        {CLI_INT("--vocab", NULL, "N", &vocab, 1, 1 << 24, "the shapes' vocabulary")},
        {CLI_INT("--context", NULL, "N", &ctx, 1, 1 << 20, "the shapes' context length (learned positions)")},
        {CLI_INT("--head-dim", NULL, "N", &head_dim, 1, 512, "the shapes' head width (width = heads x this)")},
        {CLI_INT("--shapes", NULL, "N", &n_shapes, 0, 100, "GPT shapes to list, closest in parameters first")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn scaling plan (--flops F | --params X) [--fit FIT.json] [--vocab N] [--context N]",
        "The compute-optimal parameters N and tokens D for a budget of F FLOPs (C = 6 N D) under\n"
        "the law L(N, D) = E + A/N^alpha + B/D^beta, from a fit or by default Chinchilla's\n"
        "(E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28), and the GPT-2-style shapes (layers,\n"
        "width, heads of --head-dim) whose parameter count, as attn counts it (embeddings\n"
        "included), is closest to N; only shapes with width / layers in [16, 256] are listed.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos) return cli_usage_error("takes no positional arguments");
    if ((flops > 0) == (params > 0)) return cli_usage_error("give one of --flops F and --params X");
    attn_scaling_law law = attn_scaling_chinchilla();
    attn_status st = ATTN_OK;
    if (fit_path) {
        char *text = NULL;
        size_t len;
        st = cli_read_input(fit_path, &text, &len);
        if (!st) st = attn_scaling_law_from_json(text, len, fit_path, &law);
        free(text);
        if (st) return cli_fail(cli_command, st, NULL);
    }
    double N, D, C;
    if (flops > 0) {
        C = flops;
        st = attn_scaling_optimum_for_flops(&law, C, &N, &D);
    } else {
        N = params;
        st = attn_scaling_optimum_for_params(&law, N, &C, &D);
    }
    if (st) return cli_fail(cli_command, st, NULL);
    printf("law: E %.4g, A %.4g, B %.4g, alpha %.4g, beta %.4g (%s)\n", law.E, law.A, law.B, law.alpha, law.beta,
           fit_path ? fit_path : "Chinchilla's, Hoffmann et al. 2022; --fit FIT.json for your own");
    printf("budget C %.4g FLOPs: N_opt %.4g parameters, D_opt %.4g tokens (%.1f tokens per parameter), "
           "predicted loss %.4f\n",
           C, N, D, D / N, attn_scaling_law_loss(&law, N, D));
    if (n_shapes > 0) {
        enum { MAX_SHAPES = 96 * 128 };
        shape *all = malloc(sizeof *all * MAX_SHAPES);
        if (!all) return cli_fail(cli_command, ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        int64_t m = 0;
        for (int64_t L = 1; L <= 96; L++)
            for (int64_t h = 1; h <= 128; h++) {
                int64_t w = h * head_dim;
                if (w < 16 * L || w > 256 * L || w > (1 << 20)) continue;
                attn_gpt_config cfg = attn_gpt_default_config();
                cfg.n_layer = L, cfg.n_head = h, cfg.n_embd = w, cfg.n_ctx = ctx, cfg.vocab_size = vocab;
                int64_t total;
                if (attn_gpt_count_params(&cfg, &total, NULL) != ATTN_OK) continue;
                all[m++] = (shape){L, w, h, total};
            }
        qsort(all, (size_t)m, sizeof *all, cmp_shape);
        int64_t best = 0;
        for (int64_t i = 1; i < m; i++)
            if (fabs(log((double)all[i].params / N)) < fabs(log((double)all[best].params / N))) best = i;
        printf("GPT shapes closest to N_opt (vocabulary %lld, context %lld, head width %lld):\n", (long long)vocab,
               (long long)ctx, (long long)head_dim);
        printf("  %6s %6s %5s %14s %9s %14s\n", "layers", "width", "heads", "parameters", "vs N_opt", "tokens at C");
        /* walk outwards from the closest */
        int64_t lo = best, hi = best + 1, shown = 0;
        while (shown < n_shapes && (lo >= 0 || hi < m)) {
            int64_t pick;
            if (lo < 0)
                pick = hi++;
            else if (hi >= m)
                pick = lo--;
            else if (fabs(log((double)all[lo].params / N)) <= fabs(log((double)all[hi].params / N)))
                pick = lo--;
            else
                pick = hi++;
            const shape *q = &all[pick];
            printf("  %6lld %6lld %5lld %14lld %+8.1f%% %14.4g\n", (long long)q->layers, (long long)q->width,
                   (long long)q->heads, (long long)q->params, 100 * ((double)q->params / N - 1), C / (6 * (double)q->params));
            shown++;
        }
        if (!m) printf("  (none: no shape of these limits)\n");
        free(all);
    }
    st = cli_stdout_check();
    return st ? cli_fail(cli_command, st, NULL) : 0;
}

int cmd_scaling(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "fit")) {
        cli_command = "scaling fit";
        return scaling_fit(argc - 1, argv + 1);
    }
    if (argc >= 2 && !strcmp(argv[1], "plan")) {
        cli_command = "scaling plan";
        return scaling_plan(argc - 1, argv + 1);
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: attn scaling fit RUNS.jsonl [options]\n"
               "       attn scaling plan (--flops F | --params X) [options]\n\n"
               "Compute-optimal scaling laws (Chinchilla): fit them to training runs, or plan a run\n"
               "from them. attn scaling fit --help and attn scaling plan --help list the options.\n");
        return 0;
    }
    if (argc < 2) return cli_usage_error("give a subcommand: fit or plan (see attn scaling --help)");
    return cli_usage_error("unknown subcommand '%s' (see attn scaling --help)", argv[1]);
}
