/* The training settings table (src/train/settings.c): what a checkpoint
 * records for each objective, reading it back, and what --resume does with
 * a difference: refused (naming the option and both values), warned
 * (--precision) or allowed (--steps). The settings JSON of the version
 * before the table (below, as it wrote them) still reads and matches. */
#include "test.h"

#include "attn/train.h"
#include "core/core.h"
#include "train/settings.h"

#include <cJSON.h>

/* As the trainer state of the version before the table recorded them, for
 * base_params() with each objective's changes (see old_settings below). */
static const char OLD_CLM[] =
    "{\"batch_size\":4,\"seq_len\":32,\"grad_accum\":1,\"max_steps\":8,\"warmup_steps\":2,\"lr\":0.0010000000474974513,"
    "\"min_lr\":9.99999974737875e-05,\"weight_decay\":0.10000000149011612,\"beta1\":0.899999976158142,\"beta2\":0."
    "949999988079071,\"eps\":9.99999993922529e-09,\"grad_clip\":1,\"seed\":\"1337\"}";
static const char OLD_ISQRT[] =
    "{\"batch_size\":4,\"seq_len\":32,\"grad_accum\":1,\"max_steps\":8,\"warmup_steps\":2,\"lr\":1,\"min_lr\":0."
    "10000000149011612,\"weight_decay\":0.10000000149011612,\"beta1\":0.899999976158142,\"beta2\":0.949999988079071,"
    "\"eps\":9.99999993922529e-09,\"grad_clip\":1,\"seed\":\"1337\",\"schedule\":\"inverse-sqrt\",\"d_model\":0}";
static const char OLD_MLM_NSP[] =
    "{\"batch_size\":4,\"seq_len\":16,\"grad_accum\":1,\"max_steps\":8,\"warmup_steps\":2,\"lr\":0.0010000000474974513,"
    "\"min_lr\":9.99999974737875e-05,\"weight_decay\":0.10000000149011612,\"beta1\":0.899999976158142,\"beta2\":0."
    "949999988079071,\"eps\":9.99999993922529e-09,\"grad_clip\":1,\"seed\":\"1337\",\"objective\":\"mlm\",\"static_"
    "masking\":false,\"whole_word_masking\":true,\"next_sentence_prediction\":true}";
static const char OLD_CLASSIFY[] =
    "{\"batch_size\":4,\"seq_len\":64,\"grad_accum\":1,\"max_steps\":8,\"warmup_steps\":2,\"lr\":0.0010000000474974513,"
    "\"min_lr\":9.99999974737875e-05,\"weight_decay\":0.10000000149011612,\"beta1\":0.899999976158142,\"beta2\":0."
    "949999988079071,\"eps\":9.99999993922529e-09,\"grad_clip\":1,\"seed\":\"18446744073709551615\",\"objective\":"
    "\"classify\"}";
static const char OLD_PAIRS[] =
    "{\"batch_size\":4,\"seq_len\":0,\"grad_accum\":1,\"max_steps\":8,\"warmup_steps\":2,\"lr\":0.0010000000474974513,"
    "\"min_lr\":9.99999974737875e-05,\"weight_decay\":0.10000000149011612,\"beta1\":0.899999976158142,\"beta2\":0."
    "949999988079071,\"eps\":9.99999993922529e-09,\"grad_clip\":1,\"seed\":\"1337\",\"data\":\"pairs\",\"batch_tokens\":"
    "512,\"label_smoothing\":0.10000000149011612}";
static const char OLD_DENOISE[] =
    "{\"batch_size\":4,\"seq_len\":32,\"grad_accum\":1,\"max_steps\":8,\"warmup_steps\":2,\"lr\":0.0010000000474974513,"
    "\"min_lr\":9.99999974737875e-05,\"weight_decay\":0.10000000149011612,\"beta1\":0.899999976158142,\"beta2\":0."
    "949999988079071,\"eps\":9.99999993922529e-09,\"grad_clip\":1,\"seed\":\"1337\",\"objective\":\"denoise\",\"mask_"
    "ratio\":0.300000011920929,\"poisson_lambda\":3,\"random_ratio\":0.10000000149011612,\"delete_ratio\":0,\"permute_"
    "ratio\":1,\"rotate_ratio\":0,\"label_smoothing\":0}";

static attn_train_params base_params(void) {
    attn_train_params p = attn_train_default_params();
    p.optim.lr = 1e-3f;
    p.optim.min_lr = 1e-4f;
    p.optim.warmup_steps = 2;
    p.optim.max_steps = 8;
    p.batch_size = 4;
    p.out_dir = "OUT";
    return p;
}

/* Kind k's run (0 clm, 1 inverse-sqrt, 2 mlm + nsp, 3 classify, 4 pairs,
 * 5 denoise), its settings in *s and the old JSON of the same run. */
static const char *old_settings(int k, attn_train_params *p, train_settings *s) {
    *p = base_params();
    switch (k) {
    case 0: train_settings_of(p, 32, false, 0, s); return OLD_CLM;
    case 1:
        p->optim.schedule = ATTN_SCHEDULE_INVERSE_SQRT;
        p->optim.lr = 1.0f;
        p->optim.min_lr = 0.1f;
        train_settings_of(p, 32, false, 0, s);
        return OLD_ISQRT;
    case 2:
        p->objective = ATTN_OBJECTIVE_MLM;
        p->whole_word_masking = p->nsp = true;
        train_settings_of(p, 16, false, 0, s);
        return OLD_MLM_NSP;
    case 3:
        p->objective = ATTN_OBJECTIVE_CLASSIFY;
        p->seed = 18446744073709551615ULL;
        train_settings_of(p, 64, false, 0, s);
        return OLD_CLASSIFY;
    case 4:
        p->label_smoothing = 0.1f;
        train_settings_of(p, 0, true, 512, s);
        return OLD_PAIRS;
    default:
        p->objective = ATTN_OBJECTIVE_DENOISE;
        train_settings_of(p, 32, false, 0, s);
        return OLD_DENOISE;
    }
}

typedef struct warnings {
    int n;
    char last[512];
} warnings;

static void on_warning(const char *message, void *user) {
    warnings *w = user;
    w->n++;
    snprintf(w->last, sizeof w->last, "%s", message);
}

TEST("settings: each objective's settings write and read back equal") {
    for (int k = 0; k < 6; k++) {
        attn_train_params p;
        train_settings now, back;
        old_settings(k, &p, &now);
        char *json = train_settings_write(&now);
        CHECK(json != NULL);
        if (!json) continue;
        CHECK_OK(train_settings_read(json, "state", &back));
        CHECK(back.present == now.present);
        warnings w = {0};
        p.warning = on_warning;
        p.user = &w;
        CHECK_OK(train_settings_compare(&back, &now, &p));
        CHECK(w.n == 0);
        cJSON_free(json);
    }
}

TEST("settings: the keys and values of the version before the table (it also records --precision now)") {
    for (int k = 0; k < 6; k++) {
        attn_train_params p;
        train_settings now, old;
        const char *json = old_settings(k, &p, &now);
        CHECK_OK(train_settings_read(json, "state", &old));
        warnings w = {0};
        p.warning = on_warning;
        p.user = &w;
        p.precision = ATTN_PRECISION_BF16; /* unrecorded in the old file: nothing to compare, no warning */
        train_settings_of(&p, now.seq_len, k == 4, now.batch_tokens, &now);
        CHECK_OK(train_settings_compare(&old, &now, &p));
        CHECK(w.n == 0);
        /* the new file is the old one and the precision */
        char *mine = train_settings_write(&now);
        CHECK(mine != NULL);
        if (!mine) continue;
        char want[2048];
        snprintf(want, sizeof want, "%.*s,\"precision\":\"bf16\"}", (int)strlen(json) - 1, json);
        CHECK(!strcmp(mine, want));
        if (strcmp(mine, want)) printf("  kind %d:\n  %s\n  %s\n", k, mine, want);
        cJSON_free(mine);
    }
}

/* The error of compare(saved, now) contains want. */
static bool refused_with(const train_settings *saved, const train_settings *now, const attn_train_params *p, const char *want) {
    attn_status st = train_settings_compare(saved, now, p);
    if (st != ATTN_ERR_INVALID_ARG) return false;
    if (!strstr(attn_last_error(), want)) {
        printf("  got: %s\n  want: %s\n", attn_last_error(), want);
        return false;
    }
    return true;
}

TEST("settings: a changed refused setting names its option and both values") {
    attn_train_params p, q;
    train_settings saved, now;
    old_settings(0, &p, &saved);
    q = p;
    q.optim.weight_decay = 0.2f;
    train_settings_of(&q, 32, false, 0, &now);
    CHECK(refused_with(&saved, &now, &q, "OUT was trained with --weight-decay 0.1, not 0.2 (or start a new run"));
    q = p;
    q.objective = ATTN_OBJECTIVE_MLM;
    train_settings_of(&q, 32, false, 0, &now);
    CHECK(refused_with(&saved, &now, &q, "--objective clm, not mlm"));
    q = p;
    q.seed = 7;
    train_settings_of(&q, 32, false, 0, &now);
    CHECK(refused_with(&saved, &now, &q, "--seed 1337, not 7"));
    train_settings_of(&p, 31, false, 0, &now);
    CHECK(refused_with(&saved, &now, &p, "--seq-len 32, not 31"));
    old_settings(5, &p, &saved);
    q = p;
    q.noise.mask_ratio = 0.5f;
    train_settings_of(&q, 32, false, 0, &now);
    CHECK(refused_with(&saved, &now, &q, "--mask-ratio 0.3, not 0.5"));
    old_settings(2, &p, &saved);
    q = p;
    q.nsp = false;
    train_settings_of(&q, 16, false, 0, &now);
    CHECK(refused_with(&saved, &now, &q, "--nsp on, not off"));
    /* a refusal wins over a warning of the same resume */
    warnings w = {0};
    q = p;
    q.warning = on_warning;
    q.user = &w;
    q.precision = ATTN_PRECISION_BF16;
    q.optim.lr = 0.5f;
    train_settings_of(&q, 16, false, 0, &now);
    CHECK(refused_with(&saved, &now, &q, "--lr 0.001, not 0.5"));
    CHECK(w.n == 0);
}

TEST("settings: a changed precision is warned about and resumes; a changed step budget is allowed") {
    attn_train_params p, q;
    train_settings saved, now;
    old_settings(0, &p, &saved);
    warnings w = {0};
    q = p;
    q.warning = on_warning;
    q.user = &w;
    q.precision = ATTN_PRECISION_BF16;
    train_settings_of(&q, 32, false, 0, &now);
    train_settings unrecorded;
    CHECK_OK(train_settings_read(OLD_CLM, "state", &unrecorded));
    CHECK_OK(train_settings_compare(&unrecorded, &now, &q));
    CHECK(w.n == 0); /* the old file does not record its precision */
    train_settings_of(&p, 32, false, 0, &saved); /* one that does: fp32 */
    CHECK_OK(train_settings_compare(&saved, &now, &q));
    CHECK(w.n == 1);
    CHECK(strstr(w.last, "OUT was trained with --precision fp32 and continues with --precision bf16") != NULL);
    q.warning = NULL; /* no one to tell: still resumes */
    CHECK_OK(train_settings_compare(&saved, &now, &q));
    w.n = 0;
    q = p;
    q.warning = on_warning;
    q.user = &w;
    q.optim.max_steps = 100;
    train_settings_of(&q, 32, false, 0, &now);
    CHECK_OK(train_settings_compare(&saved, &now, &q));
    CHECK(w.n == 0);
}

TEST("settings: a resume may change the number of processes if processes x --accum stays") {
    attn_train_params p, q;
    train_settings saved, now;
    old_settings(0, &p, &saved); /* one process, --accum 1 */
    warnings w = {0};
    q = p;
    q.warning = on_warning;
    q.user = &w;
    q.grad_accum = 2;
    train_settings_of(&q, 32, false, 0, &now);
    CHECK(refused_with(&saved, &now, &q,
                       "OUT was trained with 1 process x --accum 1 = 1 micro-batches per step, and this run has 1 x --accum 2 "
                       "= 2 (with 1 process give --accum 1; or start a new run"));
    /* saved: 2 processes x --accum 2; now: 1 x --accum 4, then 4 x --accum 1 */
    q.grad_accum = 2;
    train_settings_of(&q, 32, false, 0, &saved);
    saved.world_size = 2;
    saved.present |= train_settings_has("world_size");
    q.grad_accum = 4;
    q.deterministic_reduce = true;
    train_settings_of(&q, 32, false, 0, &now);
    now.present |= train_settings_has("deterministic_reduce");
    saved.present |= train_settings_has("deterministic_reduce");
    saved.deterministic_reduce = true;
    CHECK_OK(train_settings_compare(&saved, &now, &q));
    CHECK(w.n == 0); /* bit for bit under --deterministic-reduce: nothing to warn of */
    q.grad_accum = 1;
    train_settings_of(&q, 32, false, 0, &now);
    now.world_size = 4;
    now.present |= train_settings_has("world_size") | train_settings_has("deterministic_reduce");
    CHECK_OK(train_settings_compare(&saved, &now, &q));
    CHECK(w.n == 0);
    now.world_size = 3;
    CHECK(refused_with(&saved, &now, &q, "this run has 3 x --accum 1 = 3 (4 micro-batches do not split over 3 processes;"));
    /* without --deterministic-reduce the sums group differently: warned */
    saved.deterministic_reduce = now.deterministic_reduce = q.deterministic_reduce = false;
    now.world_size = 4;
    CHECK_OK(train_settings_compare(&saved, &now, &q));
    CHECK(w.n == 1);
    CHECK(strstr(w.last, "OUT was trained with 2 processes and continues with 4: without --deterministic-reduce") != NULL);
}

TEST("settings: unreadable settings are format errors naming the file") {
    train_settings s;
    CHECK_STATUS(train_settings_read("[1, 2]", "S", &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "S: its settings are not a JSON object") != NULL);
    CHECK_STATUS(train_settings_read("{\"batch_size\": 4}", "S", &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "no max_steps") != NULL);
    CHECK_STATUS(train_settings_read("{\"max_steps\": 4, \"colour\": 1}", "S", &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "\"colour\"") != NULL);
    CHECK_STATUS(train_settings_read("{\"max_steps\": 4, \"lr\": \"fast\"}", "S", &s), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "S: the training setting lr is not a number") != NULL);
    CHECK_STATUS(train_settings_read("{\"max_steps\": 4.5}", "S", &s), ATTN_ERR_FORMAT);
    CHECK_STATUS(train_settings_read("{\"max_steps\": 4, \"nsp\": true}", "S", &s), ATTN_ERR_FORMAT);
    CHECK_OK(train_settings_read("{\"max_steps\": 4, \"next_sentence_prediction\": true}", "S", &s));
    CHECK(s.nsp && s.max_steps == 4);
    CHECK(s.present == (train_settings_has("max_steps") | train_settings_has("next_sentence_prediction")));
}
