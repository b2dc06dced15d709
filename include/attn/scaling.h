/* scaling.h — compute-optimal scaling laws (Hoffmann et al. 2022,
 * "Training Compute-Optimal Large Language Models", Chinchilla) fitted to
 * the results of training runs.
 *
 * A run is (N parameters, D training tokens, C training FLOPs, final
 * validation loss L), optionally with its training curve (cumulative FLOPs
 * and loss at each evaluation). attn counts N as every parameter,
 * embeddings included, as Chinchilla does. The three approaches:
 *
 * 1. Minimum loss per FLOP: the lower envelope of loss against FLOPs over
 *    the runs' curves (200 budgets log-spaced over the curves' span, each
 *    run's loss interpolated linearly in ln C; a run counts where its curve
 *    covers the budget), or without curves the best run of each budget (as
 *    in 2) whose final loss is below every smaller budget's. The run on the envelope gives
 *    N_opt(C) and D_opt(C) = C / (the run's FLOPs per token); least squares
 *    of ln N_opt and ln D_opt on ln C give N_opt = k C^a, D_opt = k' C^b.
 * 2. IsoFLOP profiles: runs whose C lie within a relative tolerance of the
 *    smallest of them share a budget (their geometric mean); a budget with
 *    at least 3 distinct N gets the least-squares parabola of L in ln N,
 *    whose minimum (when it opens upward) is N_opt, and D_opt is the
 *    budget's least-squares line of ln D in ln N at ln N_opt (C / 6 N_opt
 *    when C = 6 N D). Power laws in C as in 1.
 * 3. The parametric fit L(N, D) = E + A / N^alpha + B / D^beta: with
 *    A = e^a, B = e^b, E = e^e it minimises the sum over runs of
 *    Huber_delta(LSE(a - alpha ln N, b - beta ln D, e) - ln L) (delta 1e-3)
 *    by L-BFGS (liblbfgs) from the paper's grid of starts (alpha, beta in
 *    {0, 0.5, ..., 2}, e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25}),
 *    keeping the best. Under it N_opt = G (C/6)^a, D_opt = (C/6)^b / G with
 *    a = beta / (alpha + beta), b = alpha / (alpha + beta),
 *    G = (alpha A / (beta B))^(1 / (alpha + beta)).
 *
 * Confidence intervals: the runs are resampled with replacement
 * (`bootstrap` times, from `seed`: the same intervals every time), every
 * approach refitted on each resample (approach 3 from the full data's fit
 * as its one start), and each estimate's interval is the percentile
 * interval at `level` of the resamples where that approach succeeded. */
#ifndef ATTN_SCALING_H
#define ATTN_SCALING_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_scaling_run {
    double params;        /* N */
    double tokens;        /* D */
    double flops;         /* C */
    double loss;          /* final validation loss, nats per token */
    int64_t n_curve;      /* points of the training curve (0: none) */
    double *curve_flops;  /* cumulative FLOPs, increasing */
    double *curve_loss;
} attn_scaling_run;

/* Reads runs from JSON Lines (`name` for messages: "runs.jsonl:3: ..."):
 * one object per line (blank lines skipped) with numbers "params" (or "N"),
 * "tokens" ("D"), "flops" ("C"; 6ND when absent) and "loss" ("val_loss"),
 * all positive and finite, and optionally "curve": an array of
 * [flops, loss] pairs with flops increasing. Other keys are ignored (a
 * sweep's name, seed, wall time). Free with attn_scaling_runs_free. */
ATTN_API attn_status attn_scaling_read_runs(const char *text, size_t len, const char *name, attn_scaling_run **runs,
                                            int64_t *n);
ATTN_API void attn_scaling_runs_free(attn_scaling_run *runs, int64_t n);

typedef struct attn_scaling_options {
    int64_t bootstrap;        /* resamples, 0 = no intervals (default 200) */
    uint64_t seed;            /* of the resampling (default 0) */
    double level;             /* the intervals' coverage (default 0.95) */
    double huber_delta;       /* approach 3 (default 1e-3) */
    double budget_tolerance;  /* approach 2: runs within this relative distance in C share a budget (default 0.05) */
} attn_scaling_options;

ATTN_API attn_scaling_options attn_scaling_default_options(void);

/* An estimate and its bootstrap interval (lo, hi NaN without resamples). */
typedef struct attn_scaling_estimate {
    double value, lo, hi;
    int64_t n_boot;           /* resamples the interval comes from */
} attn_scaling_estimate;

/* y = coef * C^exponent */
typedef struct attn_scaling_power {
    attn_scaling_estimate exponent;
    double coef;
} attn_scaling_power;

typedef struct attn_scaling_point {
    double flops, params, tokens, loss;
} attn_scaling_point;

typedef struct attn_scaling_budget {
    double flops;             /* geometric mean of its runs' C */
    double flops_lo, flops_hi;  /* its runs' smallest and largest C */
    int64_t n_runs;
    double p[3];              /* loss = p[0] + p[1] x + p[2] x^2, x = ln N */
    double n_opt, d_opt, loss_min;
    bool used;                /* a parabola opening upward: part of the power laws */
} attn_scaling_budget;

/* The parametric law L(N, D) = E + A / N^alpha + B / D^beta. */
typedef struct attn_scaling_law {
    double E, A, B, alpha, beta;
} attn_scaling_law;

typedef struct attn_scaling_fit {
    int64_t n_runs;
    /* approach 1 */
    bool a1_ok;
    bool a1_curves;           /* from training curves (else final losses) */
    attn_scaling_point *a1_points;  /* the envelope */
    int64_t a1_n_points;
    attn_scaling_power a1_n, a1_d;
    /* approach 2 */
    bool a2_ok;
    attn_scaling_budget *a2_budgets;
    int64_t a2_n_budgets;
    attn_scaling_power a2_n, a2_d;
    /* approach 3 */
    bool a3_ok;
    attn_scaling_estimate E, A, B, alpha, beta;
    attn_scaling_power a3_n, a3_d;  /* exponents a, b; coefs G 6^-a and 6^-b / G */
    double a3_objective;      /* the Huber sum at the optimum */
    int64_t a3_starts;        /* L-BFGS starts tried */
    char a1_why[96], a2_why[96], a3_why[96];  /* why an approach did not fit ("" when it did) */
} attn_scaling_fit;

/* Fits the three approaches to runs[n] (opt NULL: the defaults). An
 * approach the runs cannot support (too few runs, budgets or sizes) is
 * left with its _ok false and _why saying why; the call fails only on bad
 * arguments or memory. Free with attn_scaling_fit_free. */
ATTN_API attn_status attn_scaling_fit_runs(const attn_scaling_run *runs, int64_t n, const attn_scaling_options *opt,
                                           attn_scaling_fit *out);
ATTN_API void attn_scaling_fit_free(attn_scaling_fit *fit);

/* The fit as a JSON document (attn_free it): runs, options, and per
 * approach its power laws ({"exponent", "lo", "hi", "n_boot", "coef"}),
 * the envelope points, the budgets' parabolas, and approach 3's E, A, B,
 * alpha, beta with intervals (the input of attn_scaling_law_from_json). */
ATTN_API attn_status attn_scaling_fit_json(const attn_scaling_fit *fit, const attn_scaling_options *opt, char **out);

/* The paper's fit: E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28. */
ATTN_API attn_scaling_law attn_scaling_chinchilla(void);
/* Reads approach 3's law from attn_scaling_fit_json's output. */
ATTN_API attn_status attn_scaling_law_from_json(const char *text, size_t len, const char *name,
                                                attn_scaling_law *law);
ATTN_API double attn_scaling_law_loss(const attn_scaling_law *law, double params, double tokens);
/* The compute-optimal N and D for C FLOPs (C = 6 N D) under law, and the
 * budget for which `params` is optimal (*flops, *tokens). */
ATTN_API attn_status attn_scaling_optimum_for_flops(const attn_scaling_law *law, double flops, double *params,
                                                    double *tokens);
ATTN_API attn_status attn_scaling_optimum_for_params(const attn_scaling_law *law, double params, double *flops,
                                                     double *tokens);

#ifdef __cplusplus
}
#endif
#endif
