/* Learning-rate schedules: the inverse-square-root schedule of Vaswani et al.
 * (2017, eq. 3) against its formula, its shape, and the trainer filling in
 * d_model from the model. */
#include "attn/train.h"
#include "test.h"
#include "train/trainer.h"

/* Vaswani et al.: lrate = d^-0.5 * min(n^-0.5, n * w^-1.5), n from 1. */
static double vaswani(double scale, double d, double w, double n) {
    return scale * pow(d, -0.5) * fmin(pow(n, -0.5), n * pow(w, -1.5));
}

static attn_optim_params inv_sqrt(float lr, int64_t d, int64_t w) {
    attn_optim_params p = attn_optim_default_params();
    p.schedule = ATTN_SCHEDULE_INVERSE_SQRT;
    p.lr = lr;
    p.d_model = d;
    p.warmup_steps = w;
    return p;
}

TEST("inverse-sqrt equals d^-0.5 * min(n^-0.5, n * w^-1.5) at step n = s + 1") {
    const int64_t ds[] = {64, 256, 512}, ws[] = {1, 10, 4000};
    const float scales[] = {1.0f, 2.0f, 0.5f};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 3; c++) {
                attn_optim_params p = inv_sqrt(scales[c], ds[a], ws[b]);
                const int64_t steps[] = {0, 1, 2, 9, 10, 11, 99, 3998, 3999, 4000, 100000};
                for (int k = 0; k < 11; k++) {
                    double want = vaswani(scales[c], (double)ds[a], (double)ws[b], (double)(steps[k] + 1));
                    CHECK_NEAR(attn_lr_at(&p, steps[k]), want, 1e-6 * want);
                }
            }
}

TEST("inverse-sqrt: linear warmup to the peak (d w)^-0.5, then n^-0.5 decay") {
    attn_optim_params p = inv_sqrt(1.0f, 512, 4000);
    double peak = attn_lr_at(&p, 3999);   /* n = 4000 = warmup */
    CHECK_NEAR(peak, 1.0 / sqrt(512.0 * 4000.0), 1e-9);   /* 6.99e-4, the paper's peak */
    CHECK_NEAR(attn_lr_at(&p, 0), peak / 4000.0, 1e-12);
    CHECK_NEAR(attn_lr_at(&p, 1999), peak / 2.0, 1e-9);   /* half way up */
    CHECK_NEAR(attn_lr_at(&p, 4 * 4000 - 1), peak / 2.0, 1e-9);   /* 4x the steps, half the rate */
    bool up = true, down = true;
    for (int64_t s = 1; s < 4000; s++) up &= attn_lr_at(&p, s) > attn_lr_at(&p, s - 1);
    for (int64_t s = 4000; s < 20000; s++) down &= attn_lr_at(&p, s) <= attn_lr_at(&p, s - 1);
    CHECK(up && down);
    /* max_steps and min_lr do not matter */
    attn_optim_params q = p;
    q.max_steps = 10;
    q.min_lr = 0.5f;
    CHECK(attn_lr_at(&q, 20000) == attn_lr_at(&p, 20000));
}

TEST("inverse-sqrt without warmup or d_model; cosine stays the default") {
    attn_optim_params p = inv_sqrt(0.1f, 0, 0);
    CHECK_NEAR(attn_lr_at(&p, 0), 0.1, 1e-8);
    CHECK_NEAR(attn_lr_at(&p, 99), 0.01, 1e-8);
    attn_optim_params c = attn_optim_default_params();
    CHECK(c.schedule == ATTN_SCHEDULE_COSINE);
    CHECK_NEAR(attn_lr_at(&c, c.warmup_steps - 1), c.lr, 1e-9);
}

TEST("the trainer takes d_model from the model's width unless given") {
    attn_gpt_config cfg = attn_gpt_default_config();
    cfg.n_layer = 1;
    cfg.n_head = 2;
    cfg.n_embd = 32;
    cfg.n_ctx = 8;
    cfg.vocab_size = 16;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new(&cfg, 1, &m));
    if (!m) return;
    attn_optim_params p = inv_sqrt(1.0f, 0, 10);
    attn_trainer *tr = NULL;
    CHECK_OK(attn_trainer_new(m, &p, &tr));
    if (tr) {
        CHECK(tr->p.d_model == 32);
        CHECK_NEAR(attn_lr_at(&tr->p, 9), 1.0 / sqrt(32.0 * 10.0), 1e-8);
        attn_trainer_free(tr);
        tr = NULL;
    }
    p.d_model = 512;
    CHECK_OK(attn_trainer_new(m, &p, &tr));
    if (tr) CHECK(tr->p.d_model == 512);
    attn_trainer_free(tr);
    tr = NULL;
    p.schedule = (attn_lr_schedule)7;
    CHECK_STATUS(attn_trainer_new(m, &p, &tr), ATTN_ERR_INVALID_ARG);
    attn_model_free(m);
}

TEST("one-cycle: the cosine's warmup, then a straight line from lr to min_lr at max_steps") {
    attn_optim_params p = attn_optim_default_params();
    p.schedule = ATTN_SCHEDULE_ONE_CYCLE;
    p.lr = 1e-2f;
    p.min_lr = 0;
    p.warmup_steps = 10;
    p.max_steps = 110;
    attn_optim_params c = p;
    c.schedule = ATTN_SCHEDULE_COSINE;
    for (int64_t s = 0; s < 10; s++) CHECK(attn_lr_at(&p, s) == attn_lr_at(&c, s));
    CHECK_NEAR(attn_lr_at(&p, 10), 1e-2, 1e-9);
    CHECK_NEAR(attn_lr_at(&p, 35), 7.5e-3, 1e-9);  /* a quarter of the way down */
    CHECK_NEAR(attn_lr_at(&p, 60), 5e-3, 1e-9);    /* half way: the cosine's midpoint too */
    CHECK(attn_lr_at(&p, 35) < attn_lr_at(&c, 35)); /* below the cosine before its midpoint */
    CHECK_NEAR(attn_lr_at(&p, 110), 0.0, 1e-12);   /* zero at the end, and after */
    CHECK_NEAR(attn_lr_at(&p, 500), 0.0, 1e-12);
    p.min_lr = 1e-3f;
    CHECK_NEAR(attn_lr_at(&p, 60), 5.5e-3, 1e-9);
}
