/* settings.c — the training settings table (settings.h): written to the
 * trainer state at every checkpoint, read back and compared on --resume.
 * The keys and their JSON are those of earlier versions, so their
 * checkpoints still resume. */
#include "train/settings.h"
#include "train/dist.h"

#include "core/core.h"

#include <cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef enum setting_type { SET_INT, SET_FLOAT, SET_BOOL, SET_TEXT } setting_type;

/* What a setting that differs from the checkpoint's means for --resume. */
typedef enum resume_rule {
    RESUME_REFUSE, /* another run: refused, naming the option and both values */
    RESUME_WARN,   /* the run goes on, told that it no longer matches an uninterrupted one */
    RESUME_ALLOW,  /* may change freely (the step budget: see train_load_state) */
    RESUME_GLOBAL, /* grad_accum and world_size: their product (the global micro-batches per step) must stay */
} resume_rule;

/* When a run records a row (0: always). */
enum {
    WHEN_CLASSIFY = 1u << 0,
    WHEN_MLM = 1u << 1,
    WHEN_NSP = 1u << 2,
    WHEN_INVERSE_SQRT = 1u << 3,
    WHEN_PAIRS = 1u << 4,
    WHEN_DENOISE = 1u << 5,
    WHEN_DIST = 1u << 6,          /* several processes */
    WHEN_DETERMINISTIC = 1u << 7, /* --deterministic-reduce */
    WHEN_ONE_CYCLE = 1u << 8,
    WHEN_SFT = 1u << 9,
    WHEN_DPO = 1u << 10,
    WHEN_REWARD = 1u << 11,
    WHEN_GRPO = 1u << 12,
    WHEN_MUON = 1u << 13,
    WHEN_PPO = 1u << 14,
    WHEN_DOC_WINDOWS = 1u << 15, /* --doc-windows (recorded only with it: other runs' settings stay as they were) */
};

typedef struct setting_row {
    const char *key;
    setting_type type;
    size_t offset;            /* into train_settings */
    size_t size;              /* SET_TEXT: the field's size */
    unsigned when;
    resume_rule rule;
    const char *option;       /* how the command line gives it */
    const char *absent;       /* how an unrecorded value reads in messages (NULL: "(not set)") */
} setting_row;

#define ROW(key, type, field, when, rule, option, absent) \
    {key, type, offsetof(train_settings, field), sizeof(((train_settings *)0)->field), when, rule, option, absent}
#define INT(key, field, when, rule, option, absent) ROW(key, SET_INT, field, when, rule, option, absent)
#define FLT(key, field, when, option) ROW(key, SET_FLOAT, field, when, RESUME_REFUSE, option, NULL)
#define BOOL(key, field, when, option) ROW(key, SET_BOOL, field, when, RESUME_REFUSE, option, "off")
#define TEXT(key, field, when, rule, option, absent) ROW(key, SET_TEXT, field, when, rule, option, absent)

static const setting_row SETTINGS[] = {
    INT("batch_size", batch_size, 0, RESUME_REFUSE, "--batch", NULL),
    INT("seq_len", seq_len, 0, RESUME_REFUSE, "--seq-len", NULL),
    INT("grad_accum", grad_accum, 0, RESUME_GLOBAL, "--accum", NULL),
    INT("max_steps", max_steps, 0, RESUME_ALLOW, "--steps", NULL),
    INT("warmup_steps", warmup_steps, 0, RESUME_REFUSE, "--warmup", NULL),
    FLT("lr", lr, 0, "--lr"),
    FLT("min_lr", min_lr, 0, "--min-lr"),
    FLT("weight_decay", weight_decay, 0, "--weight-decay"),
    FLT("beta1", beta1, 0, "--beta1"),
    FLT("beta2", beta2, 0, "--beta2"),
    FLT("eps", eps, 0, "--eps"),
    FLT("grad_clip", grad_clip, 0, "--clip"),
    TEXT("seed", seed, 0, RESUME_REFUSE, "--seed", NULL),
    TEXT("objective", objective, WHEN_CLASSIFY | WHEN_MLM | WHEN_DENOISE | WHEN_SFT | WHEN_DPO | WHEN_REWARD | WHEN_GRPO | WHEN_PPO, RESUME_REFUSE, "--objective", "clm"),
    TEXT("schedule", schedule, WHEN_INVERSE_SQRT | WHEN_ONE_CYCLE, RESUME_REFUSE, "--schedule", "cosine"),
    INT("d_model", d_model, WHEN_INVERSE_SQRT, RESUME_REFUSE, "--width (inverse-sqrt's d_model)", "none"),
    BOOL("static_masking", static_masking, WHEN_MLM, "--static-masking"),
    BOOL("whole_word_masking", whole_word_masking, WHEN_MLM, "--whole-word-masking"),
    BOOL("doc_windows", doc_windows, WHEN_DOC_WINDOWS, "--doc-windows"),
    BOOL("next_sentence_prediction", nsp, WHEN_NSP, "--nsp"),
    BOOL("train_on_prompt", train_on_prompt, WHEN_SFT, "--train-on-prompt"),
    BOOL("packing", packing, WHEN_SFT, "--packing"),
    FLT("beta", dpo_beta, WHEN_DPO, "--beta"),
    BOOL("ipo", dpo_ipo, WHEN_DPO, "--ipo"),
    INT("group", group, WHEN_GRPO, RESUME_REFUSE, "--group", NULL),
    FLT("kl_coef", kl_coef, WHEN_GRPO, "--kl"),
    INT("ppo_epochs", ppo_epochs, WHEN_PPO, RESUME_REFUSE, "--ppo-epochs", NULL),
    INT("max_new", max_new, WHEN_PPO, RESUME_REFUSE, "--max-new", NULL),
    INT("kl_horizon", kl_horizon, WHEN_PPO, RESUME_REFUSE, "--kl-horizon", NULL),
    FLT("cliprange", cliprange, WHEN_PPO, "--cliprange"),
    FLT("cliprange_value", cliprange_value, WHEN_PPO, "--cliprange-value"),
    FLT("vf_coef", vf_coef, WHEN_PPO, "--vf-coef"),
    FLT("gamma", gamma, WHEN_PPO, "--gamma"),
    FLT("lam", lam, WHEN_PPO, "--lam"),
    FLT("ppo_kl_coef", ppo_kl_coef, WHEN_PPO, "--kl-coef"),
    FLT("kl_target", kl_target, WHEN_PPO, "--kl-target"),
    FLT("ptx_coef", ptx_coef, WHEN_PPO, "--ptx-coef"),
    TEXT("data", data, WHEN_PAIRS, RESUME_REFUSE, "--data (pair shards)", "token shards"),
    INT("batch_tokens", batch_tokens, WHEN_PAIRS, RESUME_REFUSE, "--batch-tokens", NULL),
    FLT("mask_ratio", mask_ratio, WHEN_DENOISE, "--mask-ratio"),
    FLT("poisson_lambda", poisson_lambda, WHEN_DENOISE, "--poisson-lambda"),
    FLT("random_ratio", random_ratio, WHEN_DENOISE, "--random-ratio"),
    FLT("delete_ratio", delete_ratio, WHEN_DENOISE, "--delete-ratio"),
    FLT("permute_ratio", permute_ratio, WHEN_DENOISE, "--permute-ratio"),
    FLT("rotate_ratio", rotate_ratio, WHEN_DENOISE, "--rotate-ratio"),
    FLT("label_smoothing", label_smoothing, WHEN_PAIRS | WHEN_DENOISE, "--label-smoothing"),
    TEXT("optimizer", optimizer, WHEN_MUON, RESUME_REFUSE, "--optimizer", "adamw"),
    FLT("muon_lr", muon_lr, WHEN_MUON, "--muon-lr"),
    FLT("muon_momentum", muon_momentum, WHEN_MUON, "--muon-momentum"),
    /* the checkpoint is fp32 either way: a run may resume in the other
     * precision, but its numbers then differ from an uninterrupted run's */
    TEXT("precision", precision, 0, RESUME_WARN, "--precision", NULL),
    /* recorded only in runs of several processes / with the flag, so a
     * one-process run's settings are those of earlier versions. A resume
     * may change the number of processes if world_size x grad_accum (the
     * step's global micro-batches, which fix its data) stays the same */
    INT("world_size", world_size, WHEN_DIST, RESUME_GLOBAL, "mpirun -n (processes)", "1"),
    ROW("deterministic_reduce", SET_BOOL, deterministic_reduce, WHEN_DETERMINISTIC, RESUME_WARN, "--deterministic-reduce",
        "off"),
};
#define N_SETTINGS (sizeof SETTINGS / sizeof *SETTINGS)
_Static_assert(N_SETTINGS <= 64, "train_settings.present has a bit per row");

uint64_t train_settings_has(const char *key) {
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (!strcmp(SETTINGS[i].key, key)) return 1ull << i;
    return 0;
}

static void *field(train_settings *s, const setting_row *r) { return (char *)s + r->offset; }
static const void *cfield(const train_settings *s, const setting_row *r) { return (const char *)s + r->offset; }

void train_settings_of(const attn_train_params *p, int64_t T, bool pairs, int64_t batch_tokens, train_settings *s) {
    memset(s, 0, sizeof *s);
    unsigned when = 0;
    if (p->objective == ATTN_OBJECTIVE_CLASSIFY) when |= WHEN_CLASSIFY;
    if (p->objective == ATTN_OBJECTIVE_MLM) when |= WHEN_MLM | (p->nsp ? WHEN_NSP : 0);
    if (p->objective == ATTN_OBJECTIVE_DENOISE) when |= WHEN_DENOISE;
    if (p->objective == ATTN_OBJECTIVE_SFT) when |= WHEN_SFT;
    if (p->objective == ATTN_OBJECTIVE_DPO) when |= WHEN_DPO;
    if (p->objective == ATTN_OBJECTIVE_REWARD) when |= WHEN_REWARD;
    if (p->objective == ATTN_OBJECTIVE_GRPO) when |= WHEN_GRPO;
    if (p->objective == ATTN_OBJECTIVE_PPO) when |= WHEN_PPO;
    if (p->optim.schedule == ATTN_SCHEDULE_INVERSE_SQRT) when |= WHEN_INVERSE_SQRT;
    if (p->optim.schedule == ATTN_SCHEDULE_ONE_CYCLE) when |= WHEN_ONE_CYCLE;
    if (p->optim.optimizer == ATTN_OPTIMIZER_MUON) when |= WHEN_MUON;
    if (pairs) when |= WHEN_PAIRS;
    if (dist_size() > 1) when |= WHEN_DIST;
    if (p->deterministic_reduce) when |= WHEN_DETERMINISTIC;
    if (p->doc_windows && (p->objective == ATTN_OBJECTIVE_MLM || p->objective == ATTN_OBJECTIVE_CLM)) when |= WHEN_DOC_WINDOWS;
    s->world_size = dist_size();
    s->deterministic_reduce = p->deterministic_reduce;
    s->batch_size = p->batch_size;
    s->seq_len = T;
    s->grad_accum = p->grad_accum;
    s->max_steps = p->optim.max_steps;
    s->warmup_steps = p->optim.warmup_steps;
    s->lr = p->optim.lr;
    s->min_lr = p->optim.min_lr;
    s->weight_decay = p->optim.weight_decay;
    s->beta1 = p->optim.beta1;
    s->beta2 = p->optim.beta2;
    s->eps = p->optim.eps;
    s->grad_clip = p->optim.grad_clip;
    snprintf(s->seed, sizeof s->seed, "%" PRIu64, p->seed);
    static const char *const objectives[] = {"clm", "mlm", "classify", "denoise", "sft", "dpo", "reward", "grpo", "ppo"};
    snprintf(s->objective, sizeof s->objective, "%s",
             (unsigned)p->objective < sizeof objectives / sizeof *objectives ? objectives[p->objective] : "?");
    snprintf(s->schedule, sizeof s->schedule, "%s",
             p->optim.schedule == ATTN_SCHEDULE_INVERSE_SQRT ? "inverse-sqrt"
             : p->optim.schedule == ATTN_SCHEDULE_ONE_CYCLE  ? "one-cycle"
                                                             : "cosine");
    s->d_model = p->optim.d_model;
    snprintf(s->optimizer, sizeof s->optimizer, "%s", p->optim.optimizer == ATTN_OPTIMIZER_MUON ? "muon" : "adamw");
    s->muon_lr = p->optim.muon_lr;
    s->muon_momentum = p->optim.muon_momentum;
    s->static_masking = p->static_masking;
    s->whole_word_masking = p->whole_word_masking;
    s->doc_windows = p->doc_windows;
    s->nsp = p->nsp;
    s->train_on_prompt = p->train_on_prompt;
    s->packing = p->packing;
    s->dpo_beta = p->dpo_beta;
    s->dpo_ipo = p->dpo_ipo;
    s->group = p->group;
    s->kl_coef = p->kl_coef;
    s->ppo_epochs = p->ppo_epochs;
    s->max_new = p->max_new;
    s->kl_horizon = p->kl_horizon;
    s->cliprange = p->cliprange;
    s->cliprange_value = p->cliprange_value;
    s->vf_coef = p->vf_coef;
    s->gamma = p->gamma;
    s->lam = p->lam;
    s->ppo_kl_coef = p->ppo_kl_coef;
    s->kl_target = p->kl_target;
    s->ptx_coef = p->ptx_coef;
    snprintf(s->data, sizeof s->data, "pairs");
    s->batch_tokens = batch_tokens;
    s->label_smoothing = p->label_smoothing;
    s->mask_ratio = p->noise.mask_ratio;
    s->poisson_lambda = p->noise.poisson_lambda;
    s->random_ratio = p->noise.random_ratio;
    s->delete_ratio = p->noise.delete_ratio;
    s->permute_ratio = p->noise.permute_ratio;
    s->rotate_ratio = p->noise.rotate_ratio;
    snprintf(s->precision, sizeof s->precision, "%s", p->precision == ATTN_PRECISION_BF16 ? "bf16" : "fp32");
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (!SETTINGS[i].when || (SETTINGS[i].when & when)) s->present |= 1ull << i;
}

char *train_settings_write(const train_settings *s) {
    unsigned long failures = alloc_failures(); /* a cJSON_Add* that fails leaves a setting out */
    cJSON *root = cJSON_CreateObject();
    for (size_t i = 0; i < N_SETTINGS && root; i++) {
        const setting_row *r = &SETTINGS[i];
        if (!(s->present & (1ull << i))) continue;
        const void *v = cfield(s, r);
        switch (r->type) {
        case SET_INT: cJSON_AddNumberToObject(root, r->key, (double)*(const int64_t *)v); break;
        case SET_FLOAT: cJSON_AddNumberToObject(root, r->key, (double)*(const float *)v); break;
        case SET_BOOL: cJSON_AddBoolToObject(root, r->key, *(const bool *)v); break;
        case SET_TEXT: cJSON_AddStringToObject(root, r->key, (const char *)v); break;
        }
    }
    char *out = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (out && alloc_failures() != failures) {
        cJSON_free(out);
        out = NULL;
    }
    if (!out) attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory writing the training settings");
    return out;
}

static attn_status bad_setting(const char *path, const char *key, const char *what) {
    return attn_errorf(ATTN_ERR_FORMAT, "%s: the training setting %s is not %s", path, key, what);
}

attn_status train_settings_read(const char *json, const char *path, train_settings *s) {
    memset(s, 0, sizeof *s);
    unsigned long failures = alloc_failures();
    cJSON *root = cJSON_Parse(json);
    attn_status st = ATTN_OK;
    if (!root && alloc_failures() != failures) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory reading %s", path);
    if (!cJSON_IsObject(root)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: its settings are not a JSON object", path);
        goto done;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, root) {
        size_t i = 0;
        while (i < N_SETTINGS && strcmp(SETTINGS[i].key, it->string)) i++;
        if (i == N_SETTINGS) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: unknown training setting \"%s\" (written by a newer attn?)", path, it->string);
            goto done;
        }
        const setting_row *r = &SETTINGS[i];
        void *v = field(s, r);
        switch (r->type) {
        case SET_INT:
            if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble) || fabs(it->valuedouble) > 9e15) {
                st = bad_setting(path, r->key, "a whole number");
                goto done;
            }
            *(int64_t *)v = (int64_t)it->valuedouble;
            break;
        case SET_FLOAT:
            if (!cJSON_IsNumber(it) || !isfinite((float)it->valuedouble)) {
                st = bad_setting(path, r->key, "a number");
                goto done;
            }
            *(float *)v = (float)it->valuedouble;
            break;
        case SET_BOOL:
            if (!cJSON_IsBool(it)) {
                st = bad_setting(path, r->key, "true or false");
                goto done;
            }
            *(bool *)v = cJSON_IsTrue(it);
            break;
        case SET_TEXT:
            if (!cJSON_IsString(it) || strlen(it->valuestring) >= r->size) {
                st = bad_setting(path, r->key, "a short string");
                goto done;
            }
            memcpy(v, it->valuestring, strlen(it->valuestring) + 1);
            break;
        }
        s->present |= 1ull << i;
    }
    if (!(s->present & train_settings_has("max_steps")) || s->max_steps < 0)
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: its settings have no max_steps", path);
done:
    cJSON_Delete(root);
    return st;
}

/* Row r's value in s as the command line spells it: floats with the
 * fewest digits that give the float back. */
static void setting_text(const setting_row *r, const train_settings *s, size_t i, char *buf, size_t n) {
    const void *v = cfield(s, r);
    if (!(s->present & (1ull << i))) {
        snprintf(buf, n, "%s", r->absent ? r->absent : "(not set)");
        return;
    }
    switch (r->type) {
    case SET_INT: snprintf(buf, n, "%lld", (long long)*(const int64_t *)v); break;
    case SET_BOOL: snprintf(buf, n, "%s", *(const bool *)v ? "on" : "off"); break;
    case SET_TEXT: snprintf(buf, n, "%s", (const char *)v); break;
    case SET_FLOAT: {
        float f = *(const float *)v;
        if (f == floorf(f) && fabsf(f) < 1e15f) {
            snprintf(buf, n, "%lld", (long long)f);
            break;
        }
        for (int digits = 6; digits <= 9; digits++) {
            snprintf(buf, n, "%.*g", digits, (double)f);
            if (strtof(buf, NULL) == f) break;
        }
        break;
    }
    }
}

static bool same_value(const setting_row *r, const train_settings *a, const train_settings *b, size_t i) {
    bool pa = a->present & (1ull << i), pb = b->present & (1ull << i);
    if (!pa || !pb) return pa == pb;
    const void *x = cfield(a, r), *y = cfield(b, r);
    switch (r->type) {
    case SET_INT: return *(const int64_t *)x == *(const int64_t *)y;
    case SET_FLOAT: return *(const float *)x == *(const float *)y;
    case SET_BOOL: return *(const bool *)x == *(const bool *)y;
    case SET_TEXT: return !strcmp((const char *)x, (const char *)y);
    }
    return false;
}

int64_t train_settings_world(const train_settings *s) {
    return s->present & train_settings_has("world_size") ? s->world_size : 1;
}

int64_t train_settings_global_micro(const train_settings *s) { return s->grad_accum * train_settings_world(s); }

/* RESUME_GLOBAL: a resume may run on another number of processes W' when
 * W' x --accum still gives the checkpoint's micro-batches per step (batches
 * and dropout masks are functions of the step and the global micro-batch,
 * so the run goes on with the same data); without --deterministic-reduce
 * the sums then group differently, which the warning says. */
static attn_status compare_global(const train_settings *saved, const train_settings *now, const attn_train_params *p,
                                  bool refusals) {
    int64_t w0 = train_settings_world(saved), w1 = train_settings_world(now);
    int64_t g0 = train_settings_global_micro(saved), g1 = train_settings_global_micro(now);
    if (refusals && g0 != g1) {
        char hint[160];
        if (g0 % w1)
            snprintf(hint, sizeof hint, "%lld micro-batches do not split over %lld processes", (long long)g0, (long long)w1);
        else
            snprintf(hint, sizeof hint, "with %lld process%s give --accum %lld", (long long)w1, w1 == 1 ? "" : "es",
                     (long long)(g0 / w1));
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "--resume continues the global batch of the original run: %s was trained with %lld process%s x "
                           "--accum %lld = %lld micro-batches per step, and this run has %lld x --accum %lld = %lld (%s; or "
                           "start a new run from its weights with --init %s and another --out)",
                           p->out_dir, (long long)w0, w0 == 1 ? "" : "es", (long long)saved->grad_accum, (long long)g0,
                           (long long)w1, (long long)now->grad_accum, (long long)g1, hint, p->out_dir);
    }
    if (!refusals && w0 != w1 && !now->deterministic_reduce && p->warning) {
        char msg[512];
        snprintf(msg, sizeof msg,
                 "%s was trained with %lld process%s and continues with %lld: without --deterministic-reduce its gradient "
                 "sums group differently, so its numbers will differ from those of a run that never stopped",
                 p->out_dir, (long long)w0, w0 == 1 ? "" : "es", (long long)w1);
        p->warning(msg, p->user);
    }
    return ATTN_OK;
}

attn_status train_settings_compare(const train_settings *saved, const train_settings *now, const attn_train_params *p) {
    for (int pass = 0; pass < 2; pass++) /* every refusal before any warning */
        for (size_t i = 0; i < N_SETTINGS; i++) {
            const setting_row *r = &SETTINGS[i];
            if (r->rule == RESUME_GLOBAL) {
                attn_status st = strcmp(r->key, "grad_accum") ? ATTN_OK : compare_global(saved, now, p, pass == 0);
                if (st) return st;
                continue;
            }
            if (r->rule != (pass ? RESUME_WARN : RESUME_REFUSE) || same_value(r, saved, now, i)) continue;
            char was[64], is[64];
            setting_text(r, saved, i, was, sizeof was);
            setting_text(r, now, i, is, sizeof is);
            if (r->rule == RESUME_REFUSE)
                return attn_errorf(ATTN_ERR_INVALID_ARG,
                                   "--resume needs the settings of the original run: %s was trained with %s %s, not %s (or "
                                   "start a new run from its weights with --init %s and another --out)",
                                   p->out_dir, r->option, was, is, p->out_dir);
            if (!(saved->present & (1ull << i)) || !p->warning) continue; /* not recorded: nothing to tell */
            char msg[512];
            snprintf(msg, sizeof msg,
                     "%s was trained with %s %s and continues with %s %s: its numbers will differ from those of a run "
                     "that never stopped",
                     p->out_dir, r->option, was, r->option, is);
            p->warning(msg, p->user);
        }
    return ATTN_OK;
}
