/* The objective table (src/train/objective.h): which row a run takes, and
 * that a row brings only its data source and loss: a toy objective defined
 * here (fixed token rows, twice the model's loss) runs on the shared loop
 * with its log, evaluation and checkpoints, and resumes bit for bit. */
#include "test.h"

#include "attn/model.h"
#include "attn/train.h"
#include "core/core.h"
#include "ops/graph.h"
#include "train/objective.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#define NA 2  /* micro-batches per step */
#define NB 2  /* rows per micro-batch */
#define NT 8  /* tokens per row */
#define NV 11 /* vocabulary */

TEST("objectives: the row of each run") {
    attn_train_params p = attn_train_default_params();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/shards", test_tmpdir());
    CHECK_OK(dir_ensure(dir));
    p.data_dir = dir;
    static const struct {
        attn_objective objective;
        const char *tokens, *pairs; /* the row on token shards, on pair shards */
        unsigned trains;
    } want[] = {
        {ATTN_OBJECTIVE_CLM, "clm", "seq2seq", TRAINS_CLM},
        {ATTN_OBJECTIVE_MLM, "mlm", "seq2seq", TRAINS_MLM},
        {ATTN_OBJECTIVE_CLASSIFY, "classify", "classify", TRAINS_CLASSIFY},
        {ATTN_OBJECTIVE_DENOISE, "denoise", "denoise", TRAINS_DENOISE},
        {ATTN_OBJECTIVE_SFT, "sft", "sft", TRAINS_CLM},
        {ATTN_OBJECTIVE_DPO, "dpo", "dpo", TRAINS_CLM},
        {ATTN_OBJECTIVE_REWARD, "reward", "reward", TRAINS_CLASSIFY},
        {ATTN_OBJECTIVE_GRPO, "grpo", "grpo", TRAINS_CLM},
    };
    for (int pairs = 0; pairs < 2; pairs++) {
        if (pairs) {
            char path[700];
            snprintf(path, sizeof path, "%s/train.pairs", dir);
            FILE *f = fopen(path, "wb");
            CHECK(f != NULL);
            if (f) fclose(f);
        }
        for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
            p.objective = want[i].objective;
            const train_objective *o = train_objective_for(&p);
            const char *name = pairs ? want[i].pairs : want[i].tokens;
            CHECK(!strcmp(o->name, name));
            CHECK(o->trains == (!strcmp(name, "seq2seq") ? (unsigned)TRAINS_PAIRS : want[i].trains));
            CHECK(o->pairs == !strcmp(name, "seq2seq"));
            CHECK(o->ops && o->ops->open && o->ops->prepare && o->ops->batches && o->ops->evaluate && o->ops->close);
            CHECK(o->metric && o->who && o->need);
        }
    }
}

/* ---- a row defined outside src/train ----------------------------------------- */

typedef struct toy_ctx {
    int32_t in[NA * NB * NT], tg[NA * NB * NT];
    int64_t losses, evaluations;
} toy_ctx;

static int toy_closed;

static attn_gpt_config toy_config(void) {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 1;
    c.n_head = 2;
    c.n_embd = 8;
    c.n_ctx = NT;
    c.vocab_size = NV;
    return c;
}

static attn_status toy_open(void *ctx, const attn_train_params *p, attn_model **out) {
    attn_status st = train_load_start(p, out);
    if (st || *out) return st;
    attn_gpt_config c = toy_config();
    return attn_model_new(&c, 7, out);
}

static attn_status toy_prepare(void *ctx, const attn_train_params *p, attn_model **model, train_plan *plan) {
    *plan = (train_plan){.n_micro = NA, .T = NT, .evaluates = true};
    return ATTN_OK;
}

/* Step s's rows: a function of s alone. */
static void toy_rows(int64_t step, int32_t *in, int32_t *tg) {
    for (int i = 0; i < NA * NB * NT; i++) {
        in[i] = (int32_t)((step * 5 + i * 3) % NV);
        tg[i] = (int32_t)((step * 5 + i * 3 + 1) % NV);
    }
}

static attn_status toy_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    toy_ctx *c = ctx;
    toy_rows(step, c->in, c->tg);
    for (int a = 0; a < NA; a++)
        mbs[a] = (model_batch){.B = NB, .T = NT, .inputs = c->in + a * NB * NT, .targets = c->tg + a * NB * NT};
    *tokens = NA * NB * NT;
    return ATTN_OK;
}

static attn_status toy_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    toy_ctx *c = ctx;
    c->evaluations++;
    toy_rows(1000, c->in, c->tg);
    model_batch mb = {.B = NB, .T = NT, .inputs = c->in, .targets = c->tg};
    pr->has_val = true;
    return trainer_eval_batch(tr, &mb, &pr->val_loss);
}

static void toy_close(void *ctx) { toy_closed++; }

/* The objective's own loss: twice the model's. */
static tensor *toy_loss(void *ctx, attn_model *m, graph *g, const model_batch *b) {
    ((toy_ctx *)ctx)->losses++;
    tensor *l = model_batch_loss(m, g, b);
    return l ? op_scale(g, l, 2.0f) : NULL;
}

static const train_objective_ops TOY_OPS = {sizeof(toy_ctx), toy_open, toy_prepare, toy_batches, toy_evaluate, toy_close, NULL, NULL};
static const train_objective TOY = {"toy", TRAINS_CLM, "the toy objective", "a GPT-2 model", false, &TOY_OPS, toy_loss,
                                    "val_loss", false};

typedef struct seen {
    int64_t steps, evaluations, checkpoints;
    float first_loss;
} seen;

static void on_progress(const attn_train_progress *pr, void *user) {
    seen *s = user;
    if (!s->steps) s->first_loss = pr->loss;
    s->steps++;
    s->evaluations += pr->has_val;
    s->checkpoints += pr->checkpointed;
}

static attn_train_params toy_params(const char *out) {
    attn_train_params p = attn_train_default_params();
    p.data_dir = "unused";
    p.out_dir = out;
    p.optim.lr = 1e-2f;
    p.optim.min_lr = 1e-3f;
    p.optim.warmup_steps = 0;
    p.optim.max_steps = 6;
    p.eval_every = 3;
    p.batch_size = NB;
    p.grad_accum = NA;
    p.callback = on_progress;
    return p;
}

static bool same_file(const char *a, const char *b) {
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    bool same = file_read_all(a, &x, &nx) == ATTN_OK && file_read_all(b, &y, &ny) == ATTN_OK && nx == ny && !memcmp(x, y, nx);
    attn_free(x);
    attn_free(y);
    return same;
}

TEST("objectives: a row of its own runs on the shared loop with its loss, and resumes bit for bit") {
    char full[600], part[600], path[700], other[700];
    snprintf(full, sizeof full, "%s/toy_full", test_tmpdir());
    snprintf(part, sizeof part, "%s/toy_part", test_tmpdir());

    /* the loss the first step reports: the mean over its micro-batches of twice the model's loss */
    attn_gpt_config c = toy_config();
    attn_model *m = NULL;
    attn_trainer *plain = NULL;
    attn_optim_params op = attn_optim_default_params();
    int32_t in[NA * NB * NT], tg[NA * NB * NT];
    toy_rows(0, in, tg);
    double want = 0;
    CHECK_OK(attn_model_new(&c, 7, &m));
    if (m) CHECK_OK(attn_trainer_new(m, &op, &plain));
    for (int a = 0; a < NA && plain; a++) {
        float l = 0;
        CHECK_OK(attn_trainer_eval(plain, in + a * NB * NT, tg + a * NB * NT, NB, NT, &l));
        want += 2.0 * (double)l / NA;
    }
    attn_trainer_free(plain);
    attn_model_free(m);

    seen s = {0};
    attn_train_params p = toy_params(full);
    p.user = &s;
    toy_closed = 0;
    CHECK_OK(train_objective_run(&TOY, &p));
    CHECK(toy_closed == 1);
    CHECK(s.steps == 6 && s.evaluations == 2 && s.checkpoints == 1);
    CHECK_NEAR(s.first_loss, want, 1e-5 * want);
    snprintf(path, sizeof path, "%s/train_log.jsonl", full);
    char *log = NULL;
    size_t n = 0;
    CHECK_OK(file_read_all(path, &log, &n));
    int lines = 0, vals = 0;
    for (size_t i = 0; log && i < n; i++) lines += log[i] == '\n';
    for (const char *q = log; q && (q = strstr(q, "\"val_loss\"")); q++) vals++;
    CHECK(lines == 6 && vals == 2);
    attn_free(log);

    /* stopped after step 2, then resumed: the same weights */
    seen s1 = {0}, s2 = {0};
    p = toy_params(part);
    p.user = &s1;
    p.stop_at = 2;
    CHECK_OK(train_objective_run(&TOY, &p));
    CHECK(s1.steps == 2);
    p = toy_params(part);
    p.user = &s2;
    p.resume = true;
    CHECK_OK(train_objective_run(&TOY, &p));
    CHECK(s2.steps == 4);
    snprintf(path, sizeof path, "%s/model.safetensors", full);
    snprintf(other, sizeof other, "%s/model.safetensors", part);
    CHECK(same_file(path, other));
    CHECK(toy_closed == 3);
}

TEST("grpo: the loss weights are minus the group-normalised advantages over length and rows") {
    /* two groups of three: rewards (1, 0, 0) and (1, 1, 1); lengths 2, 4, 1 and 3, 3, 0 */
    const float r[6] = {1, 0, 0, 1, 1, 1};
    const int64_t len[6] = {2, 4, 1, 3, 3, 0};
    float w[6];
    train_grpo_weights(r, len, 2, 3, w);
    double mean = 1.0 / 3, sd = sqrt((4.0 / 9 + 1.0 / 9 + 1.0 / 9) / 3);
    double a_hit = (1 - mean) / (sd + 1e-4), a_miss = (0 - mean) / (sd + 1e-4);
    CHECK_NEAR(w[0], -a_hit / 2 / 6, 1e-7);
    CHECK_NEAR(w[1], -a_miss / 4 / 6, 1e-7);
    CHECK_NEAR(w[2], -a_miss / 1 / 6, 1e-7);
    for (int i = 3; i < 6; i++) CHECK(w[i] == 0.0f); /* equal rewards: no advantage; an empty completion: none */
}
