/* loop.c — attn_train(): the one run loop of every objective (objective.h):
 * its checks, the trainer, the schedule, gradient accumulation, evaluation,
 * logging, checkpoints, resume, time limit, stop requests and progress
 * around trainer_step_batches(), with the output directory's lock. The
 * objectives' rows (objective.c) supply the data and the loss. See train.h
 * for the guarantees. */
#include "attn/data.h"
#include "attn/noise.h"
#include "attn/tokenizer.h"
#include "io/safetensors.h"
#include "kernels/kernels.h"
#include "train/dist.h"
#include "train/settings.h"
#include "train/objective.h"
#include "train/trainer.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

attn_train_params attn_train_default_params(void) {
    attn_train_params p;
    memset(&p, 0, sizeof p);
    p.model = attn_gpt_default_config();
    p.model.n_layer = 4;
    p.model.n_head = 4;
    p.model.n_embd = 256;
    p.model.n_ctx = 256;
    p.optim = attn_optim_default_params();
    /* settled by attn_train from the other settings (train.h) */
    p.optim.lr = 0;
    p.optim.min_lr = -1;
    p.optim.warmup_steps = -1;
    p.batch_size = 16;
    p.grad_accum = 1;
    p.eval_every = 100;
    p.eval_batches = 20;
    p.seed = 1337;
    p.noise = attn_noise_default_params(-1, 0);
    p.dpo_beta = 0.1f;
    p.group = 4;
    p.ppo_epochs = 4;
    p.max_new = 16;
    p.kl_horizon = 10000;
    p.bucket_mb = 16;
    p.cliprange = p.cliprange_value = 0.2f;
    p.vf_coef = 0.1f;
    p.gamma = 1.0f;
    p.lam = 0.95f;
    p.ppo_kl_coef = 0.05f;
    return p;
}

/* ---- checkpoints ------------------------------------------------------------ */

char *train_settings_json(const attn_train_params *p, int64_t T) {
    train_settings s;
    train_settings_of(p, T, false, 0, &s);
    return train_settings_write(&s);
}

static attn_status save_state(const attn_trainer *tr, const char *path, const char *settings) {
    const attn_model *m = tr->model;
    int n = m->n_params_tensors;
    st_entry *e = attn_calloc((size_t)n * 3, sizeof *e);
    char *names = attn_malloc((size_t)n * 3 * 112);
    if (!e || !names) {
        attn_free(e);
        attn_free(names);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    /* ZeRO-1: the moments rank 0 gathered (trainer_gather_moments) */
    const float *blocks[3] = {m->weights, tr->zero ? tr->full_m : tr->m, tr->zero ? tr->full_v : tr->v};
    static const char *const prefix[3] = {"param.", "adam_m.", "adam_v."};
    for (int b = 0; b < 3; b++)
        for (int k = 0; k < n; k++) {
            char *nm = names + ((size_t)b * (size_t)n + (size_t)k) * 112;
            snprintf(nm, 112, "%s%s", prefix[b], m->params[k].name);
            e[b * n + k] = (st_entry){nm, ST_F32, m->params[k].ndim, m->params[k].shape, blocks[b] + m->params[k].offset};
        }
    char step[32], micro[32];
    snprintf(step, sizeof step, "%lld", (long long)tr->step);
    /* the data position: global micro-batches trained on (all processes) */
    snprintf(micro, sizeof micro, "%lld", (long long)(tr->step * tr->micro_per_step));
    const char *meta[] = {"format", "attn-trainer-state", "step", step, "settings", settings,
                          tr->micro_per_step > 0 ? "micro_batches" : NULL, micro, NULL};
    attn_status st = st_write(path, e, (int64_t)n * 3, meta);
    attn_free(e);
    attn_free(names);
    return st;
}

/* Reads a "key": "value" from the metadata JSON into *out (attn_free it;
 * NULL when absent). Out of memory is an error, not an absent key. */
static attn_status meta_value(const st_file *f, const char *key, char **out) {
    *out = NULL;
    if (!f->metadata_json) return ATTN_OK;
    unsigned long failures = alloc_failures();
    cJSON *r = cJSON_Parse(f->metadata_json);
    if (!r && alloc_failures() != failures)
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory reading the trainer state's metadata");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, key);
    if (cJSON_IsString(v) && !(*out = attn_strdup(v->valuestring))) {
        cJSON_Delete(r);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    cJSON_Delete(r);
    return ATTN_OK;
}

attn_status train_state_settings(const char *path, char **out) {
    *out = NULL;
    st_file *f = NULL;
    attn_status st = st_open(path, &f);
    if (!st) st = meta_value(f, "settings", out);
    st_close(f);
    return st;
}

/* Loads weights, AdamW moments and the step from the trainer state, after
 * checking its settings against `now` (settings.c's rules: all equal but
 * max_steps). The learning-rate schedule keeps the length it was started
 * with (the saved max_steps), so a run resumed with a larger --steps
 * continues the cosine to its end and then stays at min_lr; *effective is
 * the settings the run's later checkpoints save. */
static attn_status load_state(attn_trainer *tr, const char *path, const attn_train_params *p, const train_settings *now,
                              train_settings *effective) {
    st_file *f = NULL;
    attn_status st = st_open(path, &f);
    if (st) return st;
    attn_model *m = tr->model;
    char *step = NULL, *saved = NULL, *micro = NULL;
    float *tmp = NULL;
    train_settings old;
    if ((st = meta_value(f, "step", &step)) != ATTN_OK || (st = meta_value(f, "settings", &saved)) != ATTN_OK) goto done;
    if (!step || !saved) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not an attn trainer state (no step/settings metadata)", path);
        goto done;
    }
    if ((st = train_settings_read(saved, path, &old)) != ATTN_OK || (st = train_settings_compare(&old, now, p)) != ATTN_OK)
        goto done;
    char *end;
    errno = 0;
    long long s = strtoll(step, &end, 10);
    if (errno || *end || s < 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: bad step \"%s\"", path, step);
        goto done;
    }
    if (p->optim.max_steps < s) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "--resume: %s is already at step %lld, past --steps %lld", p->out_dir, s,
                         (long long)p->optim.max_steps);
        goto done;
    }
    /* the data position (checkpoints of earlier versions have none): the
     * run continues at micro-batch step x its global micro-batches per step */
    if ((st = meta_value(f, "micro_batches", &micro)) != ATTN_OK) goto done;
    if (micro) {
        errno = 0;
        long long pos = strtoll(micro, &end, 10);
        int64_t g = train_settings_global_micro(now);
        if (errno || *end || pos < 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: bad micro_batches \"%s\"", path, micro);
            goto done;
        }
        if (pos != s * g) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG,
                             "--resume: %s stopped after %lld micro-batches, which is not step %lld of %lld micro-batches "
                             "(processes x --accum) each",
                             p->out_dir, pos, s, (long long)g);
            goto done;
        }
    }
    float *blocks[3] = {m->weights, tr->m, tr->v};
    static const char *const prefix[3] = {"param.", "adam_m.", "adam_v."};
    if (tr->zero) { /* ZeRO-1: a tensor at a time, of which the moments of this rank's shard are kept */
        int64_t most = 0;
        for (int k = 0; k < m->n_params_tensors; k++)
            if (m->params[k].numel > most) most = m->params[k].numel;
        if (!(tmp = attn_malloc_aligned((size_t)most * sizeof *tmp))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto done;
        }
    }
    for (int b = 0; b < 3; b++)
        for (int k = 0; k < m->n_params_tensors; k++) {
            const param_info *pi = &m->params[k];
            char nm[128];
            snprintf(nm, sizeof nm, "%s%s", prefix[b], pi->name);
            const st_tensor *t = st_find(f, nm);
            if (!t) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing tensor %s", path, nm);
                goto done;
            }
            bool shard = b > 0 && tr->zero;
            if ((st = st_read_f32(t, shard ? tmp : blocks[b] + pi->offset, pi->numel)) != ATTN_OK) goto done;
            int64_t a = pi->offset > tr->lo ? pi->offset : tr->lo;
            int64_t e = pi->offset + pi->numel < tr->hi ? pi->offset + pi->numel : tr->hi;
            if (shard && a < e) memcpy(blocks[b] + (a - tr->lo), tmp + (a - pi->offset), (size_t)(e - a) * sizeof *tmp);
        }
    tr->step = s;
    tr->p.max_steps = old.max_steps;
    *effective = *now;
    effective->max_steps = old.max_steps;
done:
    attn_free(step);
    attn_free(saved);
    attn_free(micro);
    attn_free_aligned(tmp);
    st_close(f);
    return st;
}

attn_status train_load_state(attn_trainer *tr, const char *path, const attn_train_params *p, const char *settings,
                             char **effective) {
    *effective = NULL;
    train_settings now, eff;
    attn_status st = train_settings_read(settings, "the run's settings", &now);
    if (!st) st = load_state(tr, path, p, &now, &eff);
    if (!st && !(*effective = train_settings_write(&eff))) st = ATTN_ERR_OUT_OF_MEMORY;
    return st;
}

/* The whole checkpoint: the Hugging Face export and the tokenizer first,
 * then the trainer state, each file replaced atomically. The trainer state
 * is the checkpoint's commit record: wherever it exists, the model files
 * beside it exist too (they may already hold the weights of a later,
 * unfinished checkpoint; a resume replaces those with the state's). */
attn_status train_checkpoint(const attn_trainer *tr, const attn_train_params *p, const attn_tokenizer *tok,
                             const char *state_path, const char *settings) {
    attn_status st = attn_model_save(tr->model, p->out_dir);
    if (!st && tok) st = attn_tokenizer_save(tok, p->out_dir);
    if (!st) st = save_state(tr, state_path, settings);
    return st;
}

/* The GPT-2 variant options (--activation, --rotary, --qk-norm,
 * --untied-head, --zero-init-proj) choose a new GPT-2's architecture, the
 * BERT ones (--pre-ln, --no-bias, --activation geglu) a new BERT's. A
 * resumed or --init model keeps its own: an option given that the model
 * does not have is refused, as is one given for another kind of model. */
static attn_status check_variant_options(const attn_train_params *p, const attn_model *m) {
    static const char *const acts[] = {"gelu", "relu", "relu2"};
    const attn_gpt_config *c = &p->model;
    struct {
        bool given, has;
        const char *option;
    } opts[] = {
        {c->rotary, m && m->cfg.rotary, "--rotary"},
        {c->qk_norm, m && m->cfg.qk_norm, "--qk-norm"},
        {c->untied_head, m && m->cfg.untied_head, "--untied-head"},
        {c->zero_init_proj, m && m->cfg.zero_init_proj, "--zero-init-proj"},
        {c->activation != ATTN_ACT_GELU_TANH && c->activation != ATTN_ACT_GEGLU, m && m->cfg.activation == c->activation,
         "--activation"},
    };
    attn_bert_config bc;
    bool encoder = m && attn_model_encoder_config(m, &bc);
    bool new_bert = !m && p->objective == ATTN_OBJECTIVE_MLM && p->arch == ATTN_ARCH_DEFAULT;
    struct {
        bool given, has;
        const char *option;
    } bert_opts[] = {{p->pre_ln, encoder && bc.pre_ln, "--pre-ln"},
                     {p->no_bias, encoder && bc.no_bias, "--no-bias"},
                     {c->activation == ATTN_ACT_GEGLU, encoder && bc.activation == ATTN_BERT_GEGLU, "--activation geglu"}};
    for (size_t i = 0; i < ARRAY_LEN(bert_opts); i++) {
        if (!bert_opts[i].given || bert_opts[i].has || new_bert) continue;
        if (!m)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "%s makes a new BERT (--objective mlm, no --arch); it is not an "
                               "option of this --arch or --objective", bert_opts[i].option);
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: %s is %s without it; a model keeps the architecture it was made "
                           "with (its config.json), so give %s only to a new model", bert_opts[i].option,
                           p->resume ? p->out_dir : p->init_from, train_model_kind(m), bert_opts[i].option);
    }
    if (p->sparse_mlm && p->objective != ATTN_OBJECTIVE_MLM)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--sparse-mlm is an option of --objective mlm");
    bool new_gpt2 = !m && p->objective == ATTN_OBJECTIVE_CLM && (p->arch == ATTN_ARCH_DEFAULT || p->arch == ATTN_ARCH_GPT2);
    for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
        if (!opts[i].given || opts[i].has || new_gpt2) continue;
        char what[64];
        snprintf(what, sizeof what, "%s%s%s", opts[i].option, i == 4 ? " " : "",
                 i == 4 && (unsigned)c->activation < ARRAY_LEN(acts) ? acts[c->activation] : "");
        if (!m)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "%s makes a new GPT-2 (--arch gpt2, --objective clm); it is not an "
                               "option of this --arch or --objective", what);
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: %s is %s without it; a model keeps the architecture it was made "
                           "with (its config.json), so give %s only to a new model", what,
                           p->resume ? p->out_dir : p->init_from, train_model_kind(m), opts[i].option);
    }
    return ATTN_OK;
}

attn_status train_load_start(const attn_train_params *p, attn_model **out) {
    *out = NULL;
    attn_status st = ATTN_OK;
    if (p->resume) {
        char *state_path = path_join(p->out_dir, "trainer_state.safetensors");
        if (!state_path) return ATTN_ERR_OUT_OF_MEMORY;
        bool have_state = file_exists(state_path);
        attn_free(state_path);
        if (!have_state) return attn_errorf(ATTN_ERR_IO, "--resume: %s has no trainer_state.safetensors", p->out_dir);
        st = attn_model_load(p->out_dir, out);
    } else if (p->init_from) {
        st = attn_model_load(p->init_from, out);
    }
    if (!st && (st = check_variant_options(p, *out)) != ATTN_OK) {
        attn_model_free(*out);
        *out = NULL;
    }
    return st;
}

const char *train_model_kind(const attn_model *m) { return m->arch ? m->arch->what : "a model of an unknown kind"; }

attn_status train_check_kind(const attn_train_params *p, const attn_model *m, unsigned objective, const char *name,
                             const char *need) {
    if (m->arch && (m->arch->trains & objective)) return ATTN_OK;
    return attn_errorf(ATTN_ERR_INVALID_ARG, "%s trains %s; %s is %s", name, need, p->resume ? p->out_dir : p->init_from,
                       train_model_kind(m));
}

attn_status train_open_shards(const attn_train_params *p, attn_shard **train, attn_shard **val) {
    *train = *val = NULL;
    char *path_train = path_join(p->data_dir, "train.bin"), *path_val = path_join(p->data_dir, "val.bin");
    attn_status st = path_train && path_val ? attn_shard_open(path_train, train) : ATTN_ERR_OUT_OF_MEMORY;
    if (!st && file_exists(path_val)) st = attn_shard_open(path_val, val);
    attn_free(path_train);
    attn_free(path_val);
    return st;
}

attn_status train_shards_fit(const attn_train_params *p, const attn_shard *train, attn_shard **val, int64_t T, int64_t need,
                             const char *what) {
    if (attn_shard_len(train) < need) {
        char *path_train = path_join(p->data_dir, "train.bin");
        attn_status st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s has %lld tokens; %s of %lld need at least %lld",
                                     path_train ? path_train : "train.bin", (long long)attn_shard_len(train), what,
                                     (long long)T, (long long)need);
        attn_free(path_train);
        return st;
    }
    if (*val && attn_shard_len(*val) < need) {
        attn_shard_close(*val); /* too short to evaluate on: train without validation */
        *val = NULL;
    }
    return ATTN_OK;
}

/* Keeps only the log lines of steps <= `step`, so a resumed run's log reads
 * like the uninterrupted run's. */
attn_status train_trim_log(const char *path, int64_t step) {
    char *text = NULL;
    size_t len;
    if (!file_exists(path)) return ATTN_OK;
    attn_status st = file_read_all(path, &text, &len);
    if (st) return st;
    size_t keep = 0;
    for (size_t i = 0; i < len;) {
        char *nl = memchr(text + i, '\n', len - i);
        if (!nl) break; /* a line cut short by a crash or a full disk */
        size_t e = (size_t)(nl - text) + 1;
        long long s = -1;
        const char *k = strstr(text + i, "\"step\":");
        if (k && k < text + e) s = strtoll(k + 7, NULL, 10);
        if (s < 0 || s > step) break;
        keep = e;
        i = e;
    }
    st = file_write_atomic(path, text, keep);
    attn_free(text);
    return st;
}

/* A checkpoint or log write that failed (a full disk, say): the message
 * says which checkpoint survives. */
static attn_status write_failed(attn_status st, int64_t step, int64_t saved, const char *out_dir) {
    char what[512];
    snprintf(what, sizeof what, "%s", attn_last_error());
    if (saved < 0)
        return attn_errorf(st, "at step %lld: %s; %s holds no complete checkpoint yet", (long long)step, what, out_dir);
    return attn_errorf(st, "at step %lld: %s; the checkpoint of step %lld in %s is intact (--resume continues from it)",
                       (long long)step, what, (long long)saved, out_dir);
}

attn_status train_check_new_width(const attn_train_params *p) {
    if (p->model.n_head >= 1 && p->model.n_embd >= 1 && p->model.n_embd % p->model.n_head == 0) return ATTN_OK;
    return attn_errorf(ATTN_ERR_INVALID_ARG,
                       "a new model's width (%lld) must be a positive multiple of its number of attention heads (%lld)",
                       (long long)p->model.n_embd, (long long)p->model.n_head);
}

/* Whether the caller asked the run to stop (p->should_stop). */
static bool stop_requested(const attn_train_params *p) { return p->should_stop && p->should_stop(p->user); }

/* A 64-bit hash of the bits of n floats (FNV-1a over 32-bit words). */
static uint64_t float_hash(const float *x, int64_t n, uint64_t h) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        h = (h ^ u) * 0x100000001b3ULL;
    }
    return h;
}

/* Every rank's weights, AdamW moments and step from rank 0 (a resumed or
 * new model), so the ranks start from one state. ZeRO-1: each rank holds
 * its own shard of the moments (zeros, or read from the checkpoint). */
static attn_status dist_share_state(attn_trainer *tr) {
    if (dist_size() < 2) return ATTN_OK;
    attn_model *m = tr->model;
    size_t bytes = (size_t)m->n_weights * sizeof(float);
    attn_status st = dist_bcast(m->weights, bytes, 0);
    if (!st && !tr->zero) st = dist_bcast(tr->m, bytes, 0);
    if (!st && !tr->zero) st = dist_bcast(tr->v, bytes, 0);
    if (!st) st = dist_bcast(&tr->step, sizeof tr->step, 0);
    return st;
}

/* The check that every rank holds rank 0's parameters and moments (their
 * hash), where a checkpoint is written (ZeRO-1: the parameters; each rank
 * holds other moments). */
static attn_status dist_check_same(const attn_trainer *tr, int64_t step) {
    if (dist_size() < 2) return ATTN_OK;
    const attn_model *m = tr->model;
    uint64_t h = float_hash(m->weights, m->n_weights, 0xcbf29ce484222325ULL);
    if (!tr->zero) h = float_hash(tr->v, m->n_weights, float_hash(tr->m, m->n_weights, h));
    uint64_t h0 = h;
    attn_status st = dist_bcast(&h0, sizeof h0, 0);
    int64_t differ = h0 != h ? 1 : 0;
    if (!st) st = dist_max_i64(&differ, 1);
    if (!st && differ)
        st = attn_errorf(ATTN_ERR_INVALID_ARG,
                         "at step %lld the processes' parameters and moments no longer agree (this rank's %s rank 0's)",
                         (long long)step, h0 != h ? "differ from" : "match, another's differ from");
    return st;
}

/* Whether any rank says yes (a flag every rank must act on alike). */
static attn_status dist_any(bool *flags, int n) {
    int64_t v[4];
    for (int i = 0; i < n; i++) v[i] = flags[i];
    attn_status st = dist_max_i64(v, n);
    for (int i = 0; i < n; i++) flags[i] = v[i] != 0;
    return st;
}

/* The loop every objective shares: resume or start, precision, the log,
 * steps, evaluation, checkpoints and progress (see trainer.h). In a run of
 * several processes (dist.h) every rank takes its slice of each step's
 * micro-batches, and rank 0 alone evaluates, logs, reports and writes
 * checkpoints; stop requests and the time limit are agreed over ranks. */
attn_status train_run(attn_trainer *tr, const attn_train_params *p, const train_driver *d, const attn_tokenizer *tok,
                      const train_settings *run_settings) {
    attn_status st = ATTN_OK;
    FILE *log = NULL;
    char *settings = NULL;
    train_settings effective = *run_settings;
    thread_governor gov = {0};
    bool lead = dist_rank() == 0;
    int64_t n_local = d->n_micro / dist_size(), first_micro = dist_rank() * n_local;
    tr->micro_per_step = d->n_micro;
    char *state_path = path_join(p->out_dir, "trainer_state.safetensors"), *log_path = path_join(p->out_dir, "train_log.jsonl");
    if (!state_path || !log_path) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if (p->resume) {
        /* the effective settings keep the schedule's length (max_steps) of the run's start */
        if ((st = load_state(tr, state_path, p, run_settings, &effective)) != ATTN_OK) goto done;
        if (lead && (st = train_trim_log(log_path, tr->step)) != ATTN_OK) goto done;
    } else if (lead && (st = dir_ensure(p->out_dir)) != ATTN_OK) {
        goto done;
    }
    if ((st = dist_share_state(tr)) != ATTN_OK) goto done;
    if (!(settings = train_settings_write(&effective))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    /* after the weights are final: the bf16 copies are made from them */
    if ((st = attn_model_set_precision(tr->model, p->precision)) != ATTN_OK) goto done;
    if (lead && !(log = fopen(log_path, p->resume ? "ab" : "wb"))) {
        st = attn_errorf(ATTN_ERR_IO, "cannot open %s: %s", log_path, strerror(errno));
        goto done;
    }
    double t0 = time_now();
    int64_t first = tr->step, max_steps = p->optim.max_steps, saved = p->resume ? tr->step : -1;
    int64_t end = p->stop_at > 0 && p->stop_at < max_steps ? p->stop_at : max_steps;
    if (tr->step < end) { /* asked to stop before the first step */
        bool stop_now = stop_requested(p);
        if ((st = dist_any(&stop_now, 1)) != ATTN_OK) goto done;
        if (stop_now) end = tr->step;
    }
    /* the thread count of each step (core.h's governor): up to the one set,
     * fewer while that measures faster; one process only (a rank's step
     * time holds its wait for the others), and kernels whose results do not
     * depend on the thread count */
    bool adapt = !p->fixed_threads && dist_size() == 1 && attn_get_threads() > 1 && kernels_thread_invariant();
    if (adapt && (st = governor_init(&gov, attn_get_threads())) != ATTN_OK) goto done;
    int in_force = gov.cur;
    while (tr->step < end) {
        int step_threads = adapt ? governor_begin(&gov) : 0;
        if (adapt) threads_use(step_threads);
        double ts = time_now(), tokens = 0, comm0 = dist_comm_seconds();
        if ((st = d->batches(d->ctx, tr->step, d->mbs, &tokens)) != ATTN_OK) goto done;
        float loss, norm, lr = attn_lr_at(&tr->p, tr->step);
        if ((st = trainer_step_dist(tr, d->mbs + first_micro, n_local, first_micro, d->n_micro, p->deterministic_reduce, &loss,
                                    &norm)) != ATTN_OK)
            goto done;
        int64_t step = tr->step;
        double now = time_now(), comm = dist_comm_seconds() - comm0;
        if (adapt) governor_end(&gov, now - ts, tokens);
        attn_train_progress pr = {0};
        pr.step = step;
        pr.max_steps = max_steps;
        pr.loss = loss;
        pr.lr = lr;
        pr.grad_norm = norm;
        pr.tokens_per_s = tokens / (now - ts); /* the step's tokens over all ranks */
        pr.elapsed_s = now - t0;
        if (adapt) {
            pr.threads = step_threads;
            pr.max_threads = gov.max;
            if (gov.cur != in_force && lead && p->note) {
                char msg[160];
                snprintf(msg, sizeof msg, "from step %lld on %d of %d threads: it measured faster", (long long)step + 1,
                         gov.cur, gov.max);
                p->note(msg, p->user);
            }
            in_force = gov.cur;
        }
        pr.eta_s = (now - t0) / (double)(step - first) * (double)(max_steps - step);
        if (d->step_stats) d->step_stats(d->ctx, &pr);
        bool last = step == max_steps;
        /* flags[0]: out of time, the run ends here (rank 0's clock decides
         * for all); flags[1]: a stop request, polled only where it cuts the
         * run short: a request after the last step's poll leaves the run
         * complete */
        bool flags[2] = {lead && p->time_limit_s > 0 && now - t0 >= p->time_limit_s, false};
        if (dist_size() > 1 && (st = dist_any(flags, 1)) != ATTN_OK) goto done;
        flags[1] = !last && step != end && !flags[0] && stop_requested(p);
        if (dist_size() > 1 && (st = dist_any(flags + 1, 1)) != ATTN_OK) goto done;
        bool out_of_time = flags[0], stop = flags[1];
        if (lead && d->evaluate && ((p->eval_every && step % p->eval_every == 0) || last || out_of_time))
            if ((st = d->evaluate(d->ctx, tr, &pr)) != ATTN_OK) goto done;
        if (lead) {
            fprintf(log, "{\"step\": %lld, \"loss\": %.9g, \"lr\": %.9g, \"grad_norm\": %.9g, \"tokens_per_s\": %.1f",
                    (long long)step, (double)loss, (double)lr, (double)norm, pr.tokens_per_s);
            if (pr.has_val) fprintf(log, ", \"val_loss\": %.9g", (double)pr.val_loss);
            if (pr.has_accuracy)
                fprintf(log, ", \"val_accuracy\": %.9g, \"val_macro_f1\": %.9g", (double)pr.val_accuracy,
                        (double)pr.val_macro_f1);
            if (pr.has_bleu) fprintf(log, ", \"val_bleu\": %.4f", (double)pr.val_bleu);
            if (pr.has_rewards)
                fprintf(log, ", \"reward_accuracy\": %.9g, \"reward_margin\": %.9g", (double)pr.reward_accuracy,
                        (double)pr.reward_margin);
            if (pr.has_reward_mean) fprintf(log, ", \"reward_mean\": %.9g", (double)pr.reward_mean);
            if (pr.has_lexicon_reward) fprintf(log, ", \"lexicon_reward\": %.9g", (double)pr.lexicon_reward);
            if (pr.has_grpo_kl) fprintf(log, ", \"kl\": %.9g", (double)pr.kl);
            if (pr.has_ppo)
                fprintf(log,
                        ", \"kl\": %.9g, \"entropy\": %.9g, \"kl_coef\": %.9g, \"clip_frac\": %.9g, \"value_loss\": %.9g, "
                        "\"rollout_tokens_per_s\": %.1f, \"train_tokens_per_s\": %.1f",
                        (double)pr.kl, (double)pr.entropy, (double)pr.kl_coef, (double)pr.clip_frac, (double)pr.value_loss,
                        pr.rollout_tokens_per_s, pr.train_tokens_per_s);
            if (pr.has_ptx) fprintf(log, ", \"ptx_loss\": %.9g", (double)pr.ptx_loss);
            if (pr.has_val_exact) fprintf(log, ", \"val_exact_match\": %.9g", (double)pr.val_exact_match);
            if (pr.has_val_rewards)
                fprintf(log, ", \"val_reward_accuracy\": %.9g, \"val_reward_margin\": %.9g",
                        (double)pr.val_reward_accuracy, (double)pr.val_reward_margin);
            if (dist_size() > 1) fprintf(log, ", \"comm_s\": %.6f", comm);
            if (d->flops_per_token > 0)
                fprintf(log, ", \"flops_per_token\": %.17g, \"flops\": %.17g", d->flops_per_token,
                        d->flops_per_token * d->tokens_per_step * (double)step);
            fprintf(log, "}\n");
            if (fflush(log) != 0 || ferror(log)) {
                st = attn_errorf(ATTN_ERR_IO, "write %s: %s", log_path, strerror(errno));
                st = write_failed(st, step, saved, p->out_dir);
                goto done;
            }
        }
        if ((p->checkpoint_every && step % p->checkpoint_every == 0) || last || step == end || out_of_time || stop) {
            if ((st = dist_check_same(tr, step)) != ATTN_OK || (st = trainer_gather_moments(tr)) != ATTN_OK) goto done;
            if (lead && d->save && (st = d->save(d->ctx, p->out_dir, step)) != ATTN_OK) {
                st = write_failed(st, step, saved, p->out_dir);
                goto done;
            }
            if (lead && (st = train_checkpoint(tr, p, tok, state_path, settings)) != ATTN_OK) {
                st = write_failed(st, step, saved, p->out_dir);
                goto done;
            }
            trainer_drop_full_moments(tr);
            saved = step;
            pr.checkpointed = true;
        }
        if (lead && p->callback) p->callback(&pr, p->user);
        if (out_of_time || stop) break;
    }
    if (tr->step == first && (st = trainer_gather_moments(tr)) != ATTN_OK) goto done;
    if (lead && tr->step == first && !file_exists(state_path)) { /* 0 steps */
        if (d->save) st = d->save(d->ctx, p->out_dir, tr->step);
        if (!st) st = train_checkpoint(tr, p, tok, state_path, settings);
    }
    trainer_drop_full_moments(tr);
done:
    if (gov.rate) threads_use(gov.max);
    governor_free(&gov);
    if (log && fclose(log) != 0 && !st) st = attn_errorf(ATTN_ERR_IO, "write %s: %s", log_path, strerror(errno));
    if (settings) cJSON_free(settings);
    attn_free(state_path);
    attn_free(log_path);
    return st;
}

/* ---- an objective's run ------------------------------------------------------ */

attn_status attn_train_flops_per_token(const attn_model *model, int64_t seq_len, double *out) {
    *out = 0;
    if (!model || seq_len < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "FLOPs per token: needs a model and a sequence length");
    attn_gpt_config c = attn_model_config(model);
    *out = 6.0 * (double)attn_model_num_params(model) + 6.0 * (double)c.n_layer * (double)seq_len * (double)c.n_embd;
    return ATTN_OK;
}

/* ZeRO-1 (p->zero_stage 1): shards the moments (trainer_shard_moments) and
 * tells p->note what each process now holds. */
static attn_status zero_start(attn_trainer *tr, const attn_train_params *p) {
    if (p->zero_stage != 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--zero %lld: only stage 1 (0: off)", (long long)p->zero_stage);
    if (p->optim.optimizer == ATTN_OPTIMIZER_MUON) /* Newton-Schulz needs each whole matrix's momentum */
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--zero does not work with --optimizer muon");
    attn_status st = trainer_shard_moments(tr);
    if (st || !p->note || dist_rank() != 0) return st;
    int64_t most = 0;
    for (int r = 0; r < dist_size(); r++)
        if (tr->counts[r] > most) most = tr->counts[r];
    double mib = 2.0 * (double)sizeof(float) / (1024.0 * 1024.0);
    char msg[256];
    snprintf(msg, sizeof msg,
             "ZeRO-1: AdamW moments of %.2f MiB per process at most (the largest of %d shards; %.2f MiB unsharded)",
             (double)most * mib, dist_size(), (double)tr->model->n_weights * mib);
    p->note(msg, p->user);
    return ATTN_OK;
}

attn_status train_objective_run(const train_objective *o, const attn_train_params *p) {
    if (p->grad_accum < 1 || p->optim.max_steps < 0 || p->eval_batches < 0 || p->eval_every < 0 || p->checkpoint_every < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%saccumulation must be positive, step counts non-negative",
                           o->pairs ? "" : "batch size and ");
    if (!o->pairs && p->batch_size < 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "batch size and accumulation must be positive, step counts non-negative");
    bool clm = !o->pairs && p->objective == ATTN_OBJECTIVE_CLM;
    if (p->budget_flops != 0 && (!clm || !(p->budget_flops > 0) || !isfinite(p->budget_flops)))
        return attn_errorf(ATTN_ERR_INVALID_ARG, clm ? "the FLOP budget must be positive"
                                                     : "a FLOP budget sizes causal-LM runs on token shards only");
    attn_train_params q = *p; /* with max_steps from the budget */
    p = &q;
    const train_objective_ops *ops = o->ops;
    void *ctx = attn_calloc(1, ops->ctx_size);
    if (!ctx) return ATTN_ERR_OUT_OF_MEMORY;
    attn_model *model = NULL;
    attn_trainer *tr = NULL;
    model_batch *mbs = NULL;
    train_plan plan = {0};
    attn_status st = ops->open(ctx, p, &model);
    if (!st && !model) st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: no model to train", o->who);
    if (!st && (p->resume || p->init_from)) st = train_check_kind(p, model, o->trains, o->who, o->need);
    /* the objective fills every rank's micro-batches of a step (a function
     * of the step: the same data as one process with W x the accumulation);
     * each rank takes its slice (train_run) */
    attn_train_params global = *p;
    global.grad_accum = p->grad_accum * dist_size();
    if (!st) st = ops->prepare(ctx, &global, &model, &plan);
    if (!st && plan.n_micro < 1) st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: no micro-batches", o->who);
    if (!st && plan.n_micro % dist_size())
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: %lld micro-batches per step do not split over %d processes", o->who,
                         (long long)plan.n_micro, dist_size());
    double fpt = 0, tokens_per_step = (double)p->batch_size * (double)plan.T * (double)plan.n_micro;
    if (!st && clm) st = attn_train_flops_per_token(model, plan.T, &fpt);
    if (!st && q.budget_flops > 0) {
        double steps = floor(q.budget_flops / (fpt * tokens_per_step));
        if (!(steps >= 1))
            st = attn_errorf(ATTN_ERR_INVALID_ARG,
                             "a budget of %.4g FLOPs is less than one step (%.4g FLOPs: %.4g per token x %.0f tokens)",
                             q.budget_flops, fpt * tokens_per_step, fpt, tokens_per_step);
        else if (steps > 1e12)
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "a budget of %.4g FLOPs is more than 1e12 steps", q.budget_flops);
        else {
            q.optim.max_steps = (int64_t)steps;
            if (q.optim.warmup_steps < 0) q.optim.warmup_steps = q.optim.max_steps / 10 < 100 ? q.optim.max_steps / 10 : 100;
        }
    }
    if (!st) st = attn_trainer_new(model, &p->optim, &tr);
    if (!st && p->zero_stage != 0) st = zero_start(tr, p);
    if (!st && !(mbs = attn_calloc((size_t)plan.n_micro, sizeof *mbs))) st = ATTN_ERR_OUT_OF_MEMORY;
    if (!st) {
        tr->dropout_seed = rng_hash(p->seed, 0x64726f70ULL, 0);
        tr->g.recompute = p->recompute;
        tr->bucket_floats = (int64_t)(p->bucket_mb * (1 << 20) / sizeof(float));
        if (p->bucket_mb > 0 && tr->bucket_floats < 1) tr->bucket_floats = 1;
        tr->loss = o->loss;
        tr->loss_ctx = ctx;
        train_settings settings;
        train_settings_of(p, plan.T, o->pairs, plan.batch_tokens, &settings);
        train_driver drv = {ctx, plan.n_micro, mbs, ops->batches, plan.evaluates ? ops->evaluate : NULL, fpt,
                            tokens_per_step, ops->step_stats, ops->save};
        st = train_run(tr, p, &drv, plan.tok, &settings);
    }
    attn_free(mbs);
    attn_trainer_free(tr);
    attn_model_free(model);
    ops->close(ctx);
    attn_free(ctx);
    return st;
}

/* ---- the output directory ---------------------------------------------------- */

#define LOCK_NAME ".attn-train.lock"

static bool ends_with(const char *s, size_t n, const char *suffix) {
    size_t k = strlen(suffix);
    return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Length of the ".<digits>" at the end of s[0..n), or 0. */
static size_t dot_digits(const char *s, size_t n) {
    size_t k = n;
    while (k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9') k--;
    return k < n && k > 1 && s[k - 1] == '.' ? n - k + 1 : 0;
}

/* Whether `name` is a temporary file of file_write_atomic: "<file>.<pid>.<n>.tmp",
 * or "<file>.tmp" of older versions for the files a checkpoint writes. */
static bool is_temp_name(const char *name) {
    size_t n = strlen(name);
    if (!ends_with(name, n, ".tmp")) return false;
    n -= 4;
    size_t a = dot_digits(name, n), b = a ? dot_digits(name, n - a) : 0;
    if (a && b && n > a + b) return true;
    return ends_with(name, n, ".json") || ends_with(name, n, ".jsonl") || ends_with(name, n, ".safetensors");
}

/* Removes the temporary files a killed run left in OUT (the lock is held,
 * so no other attn train writes there). */
static void remove_stale_temps(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_temp_name(e->d_name)) continue;
        char *path = path_join(dir, e->d_name);
        if (path) remove(path);
        attn_free(path);
    }
    closedir(d);
}

/* An exclusive, non-blocking lock on OUT (flock on OUT/.attn-train.lock,
 * which then holds our process id); released when *fd is closed or the
 * process ends, however it ends. */
static attn_status lock_out_dir(const char *dir, int *fd_out) {
    *fd_out = -1;
    char *path = path_join(dir, LOCK_NAME);
    if (!path) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        st = attn_errorf(ATTN_ERR_IO, "cannot create %s: %s", path, strerror(errno));
        goto done;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS) { /* a file system without locks: run unguarded */
            *fd_out = fd;
            goto done;
        }
        char pid[32] = {0};
        ssize_t n = err == EWOULDBLOCK ? pread(fd, pid, sizeof pid - 1, 0) : -1;
        while (n > 0 && (pid[n - 1] == '\n' || pid[n - 1] == ' ')) pid[--n] = 0;
        close(fd);
        if (err != EWOULDBLOCK)
            st = attn_errorf(ATTN_ERR_IO, "cannot lock %s: %s", path, strerror(err));
        else if (n > 0)
            st = attn_errorf(ATTN_ERR_IO, "%s is in use by another attn train (pid %s)", dir, pid);
        else
            st = attn_errorf(ATTN_ERR_IO, "%s is in use by another attn train", dir);
        goto done;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        /* the pid only serves another run's message: go on without it */
    }
    *fd_out = fd;
done:
    attn_free(path);
    return st;
}

/* Before a run touches OUT: create it, lock it, clear what killed runs left,
 * and decide what the run may do there. A new run (no resume) refuses a
 * directory that holds a model unless p->overwrite (whose old trainer state
 * it then removes, so no crash can pair it with the new model). A resume of
 * a run that stopped before its first checkpoint was complete (a log or
 * the lock file of an earlier run, but no trainer state) starts it from
 * step 0. A negative warmup is the
 * checkpoint's (resume) or min(max_steps / 10, 100). */
static attn_status prepare_out_dir(attn_train_params *p, int *lock_fd) {
    struct stat sb;
    if (p->resume && (stat(p->out_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        return attn_errorf(ATTN_ERR_IO, "--resume: %s has no trainer_state.safetensors (it does not exist)", p->out_dir);
    char *lock = path_join(p->out_dir, LOCK_NAME);
    if (!lock) return ATTN_ERR_OUT_OF_MEMORY;
    bool ran_here = file_exists(lock); /* an attn train has run in OUT before */
    attn_free(lock);
    attn_status st = dir_ensure(p->out_dir);
    if (!st) st = lock_out_dir(p->out_dir, lock_fd);
    if (st) return st;
    remove_stale_temps(p->out_dir);
    char *state = path_join(p->out_dir, "trainer_state.safetensors"), *config = path_join(p->out_dir, "config.json"),
         *weights = path_join(p->out_dir, "model.safetensors"), *log = path_join(p->out_dir, "train_log.jsonl");
    if (!state || !config || !weights || !log) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    bool have_state = file_exists(state);
    if (!p->resume) {
        const char *what = have_state ? "trainer_state.safetensors" : file_exists(config) ? "config.json"
                                                                  : file_exists(weights) ? "model.safetensors" : NULL;
        if (what && !p->overwrite) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG,
                             "%s already holds a model (%s); continue its training with --resume, or replace it with "
                             "--overwrite",
                             p->out_dir, what);
            goto done;
        }
        if (have_state && remove(state) != 0) {
            st = attn_errorf(ATTN_ERR_IO, "cannot remove %s: %s", state, strerror(errno));
            goto done;
        }
    } else if (!have_state) {
        if (!ran_here && !file_exists(log)) {
            st = attn_errorf(ATTN_ERR_IO, "--resume: %s has no trainer_state.safetensors (no checkpoint to continue)", p->out_dir);
            goto done;
        }
        p->resume = false; /* stopped before its first complete checkpoint: nothing to continue, start over */
    }
    if (p->optim.warmup_steps < 0) {
        if (p->resume) {
            char *saved = NULL;
            train_settings old;
            /* out of memory ends here; an unreadable state is reported by its load */
            if ((st = train_state_settings(state, &saved)) == ATTN_ERR_OUT_OF_MEMORY) goto done;
            st = saved ? train_settings_read(saved, state, &old) : ATTN_ERR_FORMAT;
            if (st == ATTN_ERR_OUT_OF_MEMORY) {
                attn_free(saved);
                goto done;
            }
            if (!st && old.warmup_steps >= 0 && (old.present & train_settings_has("warmup_steps")))
                p->optim.warmup_steps = old.warmup_steps;
            st = ATTN_OK;
            attn_free(saved);
        }
        /* a budget's run gets its default warmup from the steps the budget gives (train_objective_run) */
        if (p->optim.warmup_steps < 0 && !(p->budget_flops > 0))
            p->optim.warmup_steps = p->optim.max_steps / 10 < 100 ? p->optim.max_steps / 10 : 100;
    }
done:
    attn_free(state);
    attn_free(config);
    attn_free(weights);
    attn_free(log);
    return st;
}

attn_status attn_train(const attn_train_params *params) {
    if ((!params->data_dir && params->objective != ATTN_OBJECTIVE_PPO) || !params->out_dir)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "training needs a data directory and an output directory");
    attn_train_params p = *params;
    /* the learning rates left to their defaults, which depend on the schedule */
    if (p.optim.lr == 0) p.optim.lr = p.optim.schedule == ATTN_SCHEDULE_INVERSE_SQRT ? 1.0f : attn_optim_default_params().lr;
    if (p.optim.min_lr < 0) p.optim.min_lr = p.optim.lr / 10;
    int lock_fd = -1;
    attn_status st = dist_rank() == 0 ? prepare_out_dir(&p, &lock_fd) : ATTN_OK;
    if (dist_size() > 1) { /* rank 0 alone holds OUT; the others follow its decisions */
        int64_t shared[3] = {(int64_t)st, p.resume, p.optim.warmup_steps};
        attn_status sst = dist_bcast(shared, sizeof shared, 0);
        if (sst) st = sst;
        else if (dist_rank() > 0 && shared[0])
            st = attn_errorf((attn_status)shared[0], "rank 0 could not prepare %s (its error says why)", p.out_dir);
        p.resume = shared[1] != 0;
        p.optim.warmup_steps = shared[2];
    }
    if (!st) st = train_objective_run(train_objective_for(&p), &p);
    if (lock_fd >= 0) close(lock_fd);
    return st;
}
