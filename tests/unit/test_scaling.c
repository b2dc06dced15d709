/* Scaling laws (include/attn/scaling.h): Chinchilla's three approaches on
 * synthetic runs drawn from the paper's law L(N, D) = E + A/N^alpha + B/D^beta
 * (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28) with multiplicative
 * lognormal noise of 0.1% from a fixed seed: the scale of the paper's own
 * residuals in log-loss, which its Huber delta (1e-3) is chosen for. (At 1%
 * noise on 64 runs alpha and beta still come within 5%, but A and B, which
 * trade off against them, drift by 25%: intervals are the point.) Under that law the compute-optimal exponents are
 * a = beta / (alpha + beta) = 0.4516 and b = alpha / (alpha + beta) = 0.5484. */
#include "attn/model.h"
#include "attn/plot.h"
#include "attn/scaling.h"
#include "core/core.h"
#include "test.h"

static const attn_scaling_law PAPER = {1.69, 406.4, 410.7, 0.34, 0.28};
#define A_TRUE (0.28 / 0.62)
#define B_TRUE (0.34 / 0.62)

static double noisy(double l, uint64_t k) { return l * exp(0.001 * (double)rng_normal(7, 1, k)); }

/* An N x D grid: 8 sizes 1e7..1e10 by 8 token counts 1e9..1e12. */
static int64_t grid_runs(attn_scaling_run *r, bool swap) {
    int64_t n = 0;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            double N = pow(10, 7 + 3.0 * i / 7), D = pow(10, 9 + 3.0 * j / 7);
            double l = noisy(attn_scaling_law_loss(&PAPER, N, D), (uint64_t)n);
            r[n] = (attn_scaling_run){swap ? D : N, swap ? N : D, 6 * N * D, l, 0, NULL, NULL};
            n++;
        }
    return n;
}

/* IsoFLOP profiles: 5 budgets 1e18..1e22, 9 sizes from N_opt/4 to 4 N_opt each. */
static int64_t isoflop_runs(attn_scaling_run *r) {
    int64_t n = 0;
    for (int c = 0; c < 5; c++) {
        double C = pow(10, 18 + c), No, Do;
        attn_scaling_optimum_for_flops(&PAPER, C, &No, &Do);
        for (int k = 0; k < 9; k++) {
            double N = No * pow(4, (k - 4) / 4.0), D = C / (6 * N);
            r[n] = (attn_scaling_run){N, D, C, noisy(attn_scaling_law_loss(&PAPER, N, D), 1000 + (uint64_t)n), 0, NULL, NULL};
            n++;
        }
    }
    return n;
}

static bool within(double got, double want, double rel) { return fabs(got - want) <= rel * fabs(want); }

TEST("approach 3 recovers E, A, B, alpha, beta within 5% from noisy runs, with intervals around them") {
    attn_scaling_run r[64];
    int64_t n = grid_runs(r, false);
    attn_scaling_options o = attn_scaling_default_options();
    o.bootstrap = 20;
    attn_scaling_fit f;
    CHECK_OK(attn_scaling_fit_runs(r, n, &o, &f));
    CHECK(f.a3_ok);
    CHECK(f.a3_starts == 4500);
    CHECK(within(f.E.value, PAPER.E, 0.05));
    CHECK(within(f.A.value, PAPER.A, 0.05));
    CHECK(within(f.B.value, PAPER.B, 0.05));
    CHECK(within(f.alpha.value, PAPER.alpha, 0.05));
    CHECK(within(f.beta.value, PAPER.beta, 0.05));
    /* the optimum's exponents follow from alpha and beta in closed form */
    CHECK_NEAR(f.a3_n.exponent.value, f.beta.value / (f.alpha.value + f.beta.value), 1e-12);
    CHECK_NEAR(f.a3_d.exponent.value, f.alpha.value / (f.alpha.value + f.beta.value), 1e-12);
    CHECK(within(f.a3_n.exponent.value, A_TRUE, 0.05));
    const attn_scaling_estimate *e[5] = {&f.E, &f.A, &f.B, &f.alpha, &f.beta};
    for (int k = 0; k < 5; k++) {
        CHECK(e[k]->n_boot == 20);
        CHECK(e[k]->lo <= e[k]->value && e[k]->value <= e[k]->hi);
        CHECK(e[k]->hi > e[k]->lo);
    }
    CHECK(f.alpha.lo <= PAPER.alpha && PAPER.alpha <= f.alpha.hi);
    CHECK(f.beta.lo <= PAPER.beta && PAPER.beta <= f.beta.hi);
    attn_scaling_fit_free(&f);
}

TEST("approach 3 keeps N and D in their roles: exchanged columns exchange alpha and beta") {
    attn_scaling_run r[64];
    int64_t n = grid_runs(r, true);
    attn_scaling_options o = attn_scaling_default_options();
    o.bootstrap = 0;
    attn_scaling_fit f;
    CHECK_OK(attn_scaling_fit_runs(r, n, &o, &f));
    CHECK(within(f.alpha.value, PAPER.beta, 0.05));
    CHECK(within(f.beta.value, PAPER.alpha, 0.05));
    CHECK(within(f.A.value, PAPER.B, 0.05));
    CHECK(isnan(f.alpha.lo)); /* no resamples, no interval */
    attn_scaling_fit_free(&f);
}

TEST("approach 2: IsoFLOP parabolas give N_opt ~ C^a and D_opt ~ C^b with a, b the closed form's within 0.02") {
    attn_scaling_run r[45];
    int64_t n = isoflop_runs(r);
    attn_scaling_options o = attn_scaling_default_options();
    o.bootstrap = 20;
    attn_scaling_fit f;
    CHECK_OK(attn_scaling_fit_runs(r, n, &o, &f));
    CHECK(f.a2_ok);
    CHECK(f.a2_n_budgets == 5);
    for (int64_t k = 0; k < f.a2_n_budgets; k++) {
        CHECK(f.a2_budgets[k].used && f.a2_budgets[k].n_runs == 9);
        CHECK(within(f.a2_budgets[k].flops, pow(10, 18 + (double)k), 1e-9));
        /* C = 6 N D on every run: the budget's D_opt is C / 6 N_opt */
        CHECK(within(f.a2_budgets[k].d_opt, f.a2_budgets[k].flops / (6 * f.a2_budgets[k].n_opt), 1e-9));
    }
    CHECK_NEAR(f.a2_n.exponent.value, A_TRUE, 0.02);
    CHECK_NEAR(f.a2_d.exponent.value, B_TRUE, 0.02);
    CHECK_NEAR(f.a2_n.exponent.value + f.a2_d.exponent.value, 1.0, 1e-9);
    CHECK(f.a2_n.exponent.lo <= f.a2_n.exponent.value && f.a2_n.exponent.value <= f.a2_n.exponent.hi);
    CHECK(f.a2_n.exponent.n_boot > 10);
    /* the parametric fit on the same runs agrees */
    CHECK(f.a3_ok);
    CHECK(within(f.alpha.value, PAPER.alpha, 0.05) && within(f.beta.value, PAPER.beta, 0.05));
    attn_scaling_fit_free(&f);
}

TEST("approach 1: the lower envelope of training curves gives N_opt ~ C^a within 0.03") {
    /* 24 sizes 1e7..1e10, each trained from a quarter to 4 x the budget it is optimal for */
    enum { SIZES = 24, PTS = 40 };
    attn_scaling_run r[SIZES];
    static double fl[SIZES][PTS], lo[SIZES][PTS];
    for (int i = 0; i < SIZES; i++) {
        double N = pow(10, 7 + 3.0 * i / (SIZES - 1)), Copt, Dopt;
        attn_scaling_optimum_for_params(&PAPER, N, &Copt, &Dopt);
        for (int t = 0; t < PTS; t++) {
            double D = Dopt * pow(16, (double)t / (PTS - 1)) / 4;
            fl[i][t] = 6 * N * D;
            lo[i][t] = attn_scaling_law_loss(&PAPER, N, D);
        }
        r[i] = (attn_scaling_run){N, fl[i][PTS - 1] / (6 * N), fl[i][PTS - 1], lo[i][PTS - 1], PTS, fl[i], lo[i]};
    }
    attn_scaling_options o = attn_scaling_default_options();
    o.bootstrap = 10;
    attn_scaling_fit f;
    CHECK_OK(attn_scaling_fit_runs(r, SIZES, &o, &f));
    CHECK(f.a1_ok && f.a1_curves);
    CHECK(f.a1_n_points > 100);
    CHECK_NEAR(f.a1_n.exponent.value, A_TRUE, 0.03);
    CHECK_NEAR(f.a1_d.exponent.value, B_TRUE, 0.03);
    /* every envelope point is the smallest interpolated loss at its C: never above the law's optimum by much, never below */
    for (int64_t k = 0; k < f.a1_n_points; k++) {
        double No, Do;
        attn_scaling_optimum_for_flops(&PAPER, f.a1_points[k].flops, &No, &Do);
        CHECK(f.a1_points[k].loss >= attn_scaling_law_loss(&PAPER, No, Do) - 1e-9);
    }
    attn_scaling_fit_free(&f);
}

TEST("approach 1 without curves: each budget's best run when below every smaller budget's loss") {
    attn_scaling_run r[5] = {
        {1e6, 1e8, 6e14, 4.0, 0, NULL, NULL},
        {1.5e6, 6.6e7, 6e14, 3.9, 0, NULL, NULL}, /* the same budget, lower: only this one */
        {2e6, 1e8, 1.2e15, 4.5, 0, NULL, NULL}, /* above the envelope */
        {4e6, 1e8, 2.4e15, 3.5, 0, NULL, NULL},
        {8e6, 1e8, 4.8e15, 3.0, 0, NULL, NULL},
    };
    attn_scaling_fit f;
    attn_scaling_options o = attn_scaling_default_options();
    o.bootstrap = 0;
    CHECK_OK(attn_scaling_fit_runs(r, 5, &o, &f));
    CHECK(f.a1_ok && !f.a1_curves && f.a1_n_points == 3);
    CHECK(f.a1_points[0].params == 1.5e6 && f.a1_points[1].params == 4e6);
    CHECK(!f.a2_ok && f.a2_why[0]); /* one run per budget */
    attn_scaling_fit_free(&f);
    CHECK_OK(attn_scaling_fit_runs(r + 1, 4, &o, &f));
    CHECK(!f.a3_ok && strstr(f.a3_why, "5 runs"));
    attn_scaling_fit_free(&f);
}

TEST("the plan: N_opt(C) and the budget for which N is optimal invert each other") {
    attn_scaling_law l = attn_scaling_chinchilla();
    double N, D, C, D2;
    CHECK_OK(attn_scaling_optimum_for_flops(&l, 5.76e23, &N, &D)); /* Chinchilla's budget */
    CHECK_NEAR(6 * N * D / 5.76e23, 1.0, 1e-12);
    /* the law's own optimum minimises L(N, C/6N) */
    double Lo = attn_scaling_law_loss(&l, N, D);
    CHECK(Lo < attn_scaling_law_loss(&l, N * 1.1, D / 1.1) && Lo < attn_scaling_law_loss(&l, N / 1.1, D * 1.1));
    CHECK_OK(attn_scaling_optimum_for_params(&l, N, &C, &D2));
    CHECK_NEAR(C / 5.76e23, 1.0, 1e-9);
    CHECK_NEAR(D2 / D, 1.0, 1e-9);
    CHECK_STATUS(attn_scaling_optimum_for_flops(&l, -1, &N, &D), ATTN_ERR_INVALID_ARG);
}

TEST("runs from JSON Lines: keys, aliases, 6ND by default, curves, and errors naming the line") {
    const char *text = "{\"params\": 1e6, \"tokens\": 2e7, \"flops\": 1.3e14, \"loss\": 3.5, \"name\": \"a\"}\n"
                       "\n"
                       "{\"N\": 2e6, \"D\": 1e7, \"val_loss\": 3.25, \"curve\": [[1e12, 5.0], [1.2e14, 3.25]]}\n";
    attn_scaling_run *r;
    int64_t n;
    CHECK_OK(attn_scaling_read_runs(text, strlen(text), "runs.jsonl", &r, &n));
    CHECK(n == 2);
    if (n == 2) {
        CHECK(r[0].params == 1e6 && r[0].tokens == 2e7 && r[0].flops == 1.3e14 && r[0].loss == 3.5 && r[0].n_curve == 0);
        CHECK(r[1].params == 2e6 && r[1].tokens == 1e7 && r[1].flops == 6 * 2e6 * 1e7 && r[1].loss == 3.25);
        CHECK(r[1].n_curve == 2 && r[1].curve_flops[1] == 1.2e14 && r[1].curve_loss[0] == 5.0);
    }
    attn_scaling_runs_free(r, n);
    const char *bad[] = {
        "{\"params\": 1, \"tokens\": 1, \"loss\": 1}\n{\"params\": -1, \"tokens\": 1, \"loss\": 1}\n",
        "{\"params\": 1, \"tokens\": 1}\n",
        "[1, 2]\n",
        "{\"params\": 1, \"tokens\": 1, \"loss\": 1} 7\n",
        "{\"params\": 1, \"tokens\": 1, \"loss\": 1, \"curve\": [[2, 1], [1, 1]]}\n",
        "\n\n",
    };
    const char *want[] = {"runs.jsonl:2: \"params\"", "runs.jsonl:1: \"loss\"", "runs.jsonl:1: not a JSON object",
                          "runs.jsonl:1: not a JSON object",
                          "flops must increase", "no runs"};
    for (int k = 0; k < 6; k++) {
        CHECK_STATUS(attn_scaling_read_runs(bad[k], strlen(bad[k]), "runs.jsonl", &r, &n), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), want[k]) != NULL);
    }
}

TEST("the fit's JSON carries the law that attn scaling plan reads back") {
    attn_scaling_run r[64];
    int64_t n = grid_runs(r, false);
    attn_scaling_options o = attn_scaling_default_options();
    o.bootstrap = 0;
    attn_scaling_fit f;
    CHECK_OK(attn_scaling_fit_runs(r, n, &o, &f));
    char *js = NULL;
    CHECK_OK(attn_scaling_fit_json(&f, &o, &js));
    attn_scaling_law l;
    CHECK_OK(attn_scaling_law_from_json(js, strlen(js), "fit.json", &l));
    CHECK(within(l.E, f.E.value, 1e-12) && within(l.A, f.A.value, 1e-12) && within(l.B, f.B.value, 1e-12));
    CHECK(within(l.alpha, f.alpha.value, 1e-12) && within(l.beta, f.beta.value, 1e-12));
    attn_free(js);
    attn_scaling_fit_free(&f);
    CHECK_STATUS(attn_scaling_law_from_json("{}", 2, "fit.json", &l), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "approach3.E") != NULL);
}

TEST("attn_gpt_count_params counts what attn_model_new allocates, embeddings apart") {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2, c.n_head = 2, c.n_embd = 32, c.n_ctx = 16, c.vocab_size = 50;
    for (int k = 0; k < 2; k++) {
        c.num_labels = k ? 3 : 0; /* the classifier head too */
        attn_model *m = NULL;
        CHECK_OK(attn_model_new(&c, 1, &m));
        int64_t total = 0, embd = 0;
        CHECK_OK(attn_gpt_count_params(&c, &total, &embd));
        CHECK(m && total == attn_model_num_params(m));
        CHECK(embd == 50 * 32 + 16 * 32);
        attn_model_free(m);
    }
    /* GPT-2 small: 124,439,808 */
    attn_gpt_config g = attn_gpt_default_config();
    int64_t total = 0;
    CHECK_OK(attn_gpt_count_params(&g, &total, NULL));
    CHECK(total == 124439808);
    g.n_head = 5; /* 768 is no multiple of 5 */
    CHECK_STATUS(attn_gpt_count_params(&g, &total, NULL), ATTN_ERR_INVALID_ARG);
}

TEST("attn_svg_xy: log axes by powers of ten, points a log axis cannot show left out, contours clipped") {
    const double x[4] = {1e3, 1e5, -1, 2e6}, y[4] = {1, 10, 5, NAN}, cx[2] = {1e-9, 1e12}, cy[2] = {1e-9, 1e12};
    attn_svg_series s[2] = {
        {"runs & <sizes>", x, y, 4, true, true, false, 0, 0},
        {NULL, cx, cy, 2, true, false, true, 1, 2},
    };
    char *svg = NULL;
    size_t len = 0;
    CHECK_OK(attn_svg_xy(s, 2, true, true, "t", "N", "L", &svg, &len));
    if (svg) {
        CHECK(strlen(svg) == len);
        /* x from the points (1e3, 1) and (1e5, 10): -1 has no logarithm, 2e6's y is NaN */
        CHECK(strstr(svg, ">1000</text>") && strstr(svg, ">1e4</text>") && strstr(svg, ">1e5</text>"));
        CHECK(!strstr(svg, ">1e6</text>") && strstr(svg, ">10</text>") && !strstr(svg, ">100</text>"));
        CHECK(!strstr(svg, ">1e-9</text>")); /* the no_range series sets no range */
        CHECK(strstr(svg, "runs &amp; &lt;sizes&gt;"));
        CHECK(strstr(svg, "clip-path=\"url(#plot-area)\""));
        /* the polyline breaks at the point left out: two markers, one two-point line then none */
        const char *pl = strstr(svg, "<polyline");
        CHECK(pl && !strstr(pl + 1, "<polyline fill=\"none\" stroke=\"#1f77b4\""));
        CHECK(strstr(svg, "</svg>\n") == svg + len - 7);
    }
    attn_free(svg);
    CHECK_STATUS(attn_svg_xy(s, 0, false, false, NULL, NULL, NULL, &svg, &len), ATTN_ERR_INVALID_ARG);
}
