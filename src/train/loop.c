/* loop.c — attn_train(): data sampling, evaluation, logging, checkpoints
 * and resume around attn_trainer_step(). See train.h for the guarantees. */
#include "attn/data.h"
#include "attn/encoder.h"
#include "attn/noise.h"
#include "attn/tokenizer.h"
#include "io/safetensors.h"
#include "train/settings.h"
#include "train/trainer.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
    return p;
}

/* ---- batches -----------------------------------------------------------------
 * Training windows start at offsets drawn from (seed, step, micro, row):
 * no loader state, so a resumed run draws exactly the same batches, and
 * MLM masks come from seeds of the same kind (see train.h).
 * Validation uses fixed, evenly spaced windows (and fixed masks). */
#define MLM_DYNAMIC_STREAM 0x6d6c6d64796eULL /* "mlmdyn" */
#define MLM_STATIC_STREAM 0x6d6c6d737461ULL  /* "mlmsta" */
#define MLM_VAL_STREAM 0x6d6c6d76616cULL     /* "mlmval" */


typedef struct windows {
    attn_objective objective;
    bool static_masking, nsp;
    uint64_t seed;
    int32_t cls, sep;
    int32_t special[4];
    attn_mlm_params mlm;
    uint8_t *word_start;      /* whole-word masking: per vocabulary id (NULL: off) */
    uint8_t *row_starts;      /* T: word starts of the current row */
} windows;

/* Rows of T tokens: inputs, targets, token types and next-sentence labels
 * (the last two only with NSP). */
typedef struct rows {
    int32_t *in, *tg, *types, *nsp;
} rows;

/* MLM with NSP: buf[1..T-2) holds T-3 window tokens; split them into A and
 * B at a point drawn from the seed, and with probability 1/2 replace B by
 * the tokens at a random other offset of the shard (label 1 = "B does not
 * follow A"); the row is [CLS] A [SEP] B [SEP] with token types 0 then 1. */
static attn_status nsp_pair(const attn_shard *s, int64_t T, uint64_t seed, int32_t *buf, int32_t sep, int32_t *types,
                            int32_t *label) {
    int64_t a;
    uint64_t other;
    attn_nsp_draw(seed, T, &a, label, &other);
    int64_t b = T - 3 - a;
    if (*label) {
        int64_t start = (int64_t)(other % (uint64_t)(attn_shard_len(s) - b));
        attn_status st = attn_shard_read(s, start, b, buf + a + 2);
        if (st) return st;
    } else {
        memmove(buf + a + 2, buf + a + 1, (size_t)b * sizeof *buf);
    }
    buf[a + 1] = sep;
    for (int64_t i = 0; i < T; i++) types[i] = i > a + 1;
    return ATTN_OK;
}

/* Row `row` of r: CLM inputs w[0..T) and targets w[1..T]; MLM the masked
 * [CLS] w[0..T-2) [SEP] (with NSP: [CLS] A [SEP] B [SEP]) and its labels,
 * masked from mask_seed (static masking: from the start offset instead).
 * buf holds T + 1 tokens. */
static attn_status fill_window(const windows *w, const attn_shard *s, int64_t start, int64_t T, rows *r, int64_t row,
                               int32_t *buf, uint64_t mask_seed) {
    int32_t *in = r->in + row * T, *tg = r->tg + row * T;
    if (w->objective == ATTN_OBJECTIVE_MLM) {
        attn_status st = attn_shard_read(s, start, w->nsp ? T - 3 : T - 2, buf + 1);
        if (st) return st;
        if (w->nsp && (st = nsp_pair(s, T, mask_seed, buf, w->sep, r->types + row * T, r->nsp + row)) != ATTN_OK) return st;
        buf[0] = w->cls;
        buf[T - 1] = w->sep;
        uint8_t *starts = NULL;
        if (w->word_start) {
            starts = w->row_starts;
            for (int64_t i = 0; i < T; i++) starts[i] = i <= 1 || w->word_start[buf[i]];
        }
        return attn_mlm_mask(&w->mlm, mask_seed, buf, starts, T, in, tg);
    }
    attn_status st = attn_shard_read(s, start, T + 1, buf);
    if (st) return st;
    memcpy(in, buf, (size_t)T * sizeof *in);
    memcpy(tg, buf + 1, (size_t)T * sizeof *tg);
    return ATTN_OK;
}

/* Micro-batch a of rows r as a model_batch. */
static model_batch batch_at(const windows *w, const rows *r, int64_t a, int64_t B, int64_t T) {
    model_batch mb = {.B = B, .T = T, .inputs = r->in + a * B * T, .targets = r->tg + a * B * T};
    if (w->nsp) {
        mb.type_ids = r->types + a * B * T;
        mb.labels = r->nsp + a * B;
    }
    return mb;
}

static attn_status train_batch(const windows *w, const attn_shard *s, int64_t step, int64_t n_micro, int64_t B, int64_t T,
                               rows *r, int32_t *buf) {
    int64_t span = attn_shard_len(s) - T; /* valid starts: [0, span) */
    for (int64_t mb = 0; mb < n_micro; mb++)
        for (int64_t b = 0; b < B; b++) {
            uint64_t h = rng_hash(w->seed, (uint64_t)step, (uint64_t)(mb * B + b));
            int64_t start = (int64_t)(h % (uint64_t)span);
            uint64_t mask_seed = w->static_masking
                                     ? rng_hash(w->seed, MLM_STATIC_STREAM, (uint64_t)start)
                                     : rng_hash(rng_hash(w->seed, MLM_DYNAMIC_STREAM, (uint64_t)step), 0, (uint64_t)(mb * B + b));
            attn_status st = fill_window(w, s, start, T, r, mb * B + b, buf, mask_seed);
            if (st) return st;
        }
    return ATTN_OK;
}

static attn_status evaluate(const windows *win, attn_trainer *tr, const attn_shard *s, int64_t n_batches, int64_t B,
                            int64_t T, rows *r, int32_t *buf, float *out) {
    int64_t span = attn_shard_len(s) - T, n_windows = n_batches * B;
    double sum = 0;
    for (int64_t k = 0; k < n_batches; k++) {
        for (int64_t b = 0; b < B; b++) {
            int64_t w = k * B + b;
            int64_t start = n_windows > 1 ? (int64_t)((double)w * (double)(span - 1) / (double)(n_windows - 1)) : 0;
            uint64_t mask_seed = rng_hash(win->seed, MLM_VAL_STREAM, (uint64_t)w);
            attn_status st = fill_window(win, s, start, T, r, b, buf, mask_seed);
            if (st) return st;
        }
        float l;
        model_batch mb = batch_at(win, r, 0, B, T);
        attn_status st = trainer_eval_batch(tr, &mb, &l);
        if (st) return st;
        sum += (double)l;
    }
    *out = (float)(sum / (double)n_batches);
    return ATTN_OK;
}

/* The first of the tokenizer's added tokens named (NULL-terminated list), or -1. */
static int32_t added_id(const attn_tokenizer *tok, const char *const *names) {
    for (; *names; names++) {
        int32_t id = attn_tokenizer_added_id(tok, *names);
        if (id >= 0) return id;
    }
    return -1;
}

static const char *const PAD_NAMES[] = {"[PAD]", "<pad>", NULL};

/* MLM: the special tokens from the data's tokenizer. */
static attn_status mlm_windows(const attn_train_params *p, const attn_tokenizer *tok, int32_t vocab_size, windows *w) {
    static const char *const mask[] = {"[MASK]", "<mask>", NULL}, *const cls[] = {"[CLS]", "<s>", NULL},
                             *const sep[] = {"[SEP]", "</s>", NULL};
    if (!tok) return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective mlm needs the data's tokenizer.json (from attn prepare)");
    int32_t m = added_id(tok, mask);
    w->cls = added_id(tok, cls);
    w->sep = added_id(tok, sep);
    if (m < 0 || w->cls < 0 || w->sep < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "--objective mlm needs a tokenizer with mask, start and end tokens ([MASK] [CLS] [SEP] or <mask> <s> </s>)");
    w->mlm = attn_mlm_default_params(m, vocab_size);
    w->special[0] = w->cls;
    w->special[1] = w->sep;
    w->special[2] = m;
    w->special[3] = added_id(tok, PAD_NAMES);
    w->mlm.special = w->special;
    w->mlm.n_special = w->special[3] >= 0 ? 4 : 3;
    if (!p->whole_word_masking) return ATTN_OK;
    int32_t V = attn_tokenizer_vocab_size(tok);
    if (!(w->word_start = attn_malloc((size_t)(V > vocab_size ? V : vocab_size)))) return ATTN_ERR_OUT_OF_MEMORY;
    for (int32_t id = 0; id < (V > vocab_size ? V : vocab_size); id++) {
        const char *b = NULL;
        size_t n = 0;
        w->word_start[id] = !(id < V && attn_tokenizer_token_bytes(tok, id, &b, &n) == ATTN_OK && n >= 2 && b[0] == '#' && b[1] == '#');
    }
    return ATTN_OK;
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
    const float *blocks[3] = {m->weights, tr->m, tr->v};
    static const char *const prefix[3] = {"param.", "adam_m.", "adam_v."};
    for (int b = 0; b < 3; b++)
        for (int k = 0; k < n; k++) {
            char *nm = names + ((size_t)b * (size_t)n + (size_t)k) * 112;
            snprintf(nm, 112, "%s%s", prefix[b], m->params[k].name);
            e[b * n + k] = (st_entry){nm, ST_F32, m->params[k].ndim, m->params[k].shape, blocks[b] + m->params[k].offset};
        }
    char step[32];
    snprintf(step, sizeof step, "%lld", (long long)tr->step);
    const char *meta[] = {"format", "attn-trainer-state", "step", step, "settings", settings, NULL};
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
    char *step = NULL, *saved = NULL;
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
    float *blocks[3] = {m->weights, tr->m, tr->v};
    static const char *const prefix[3] = {"param.", "adam_m.", "adam_v."};
    for (int b = 0; b < 3; b++)
        for (int k = 0; k < m->n_params_tensors; k++) {
            char nm[128];
            snprintf(nm, sizeof nm, "%s%s", prefix[b], m->params[k].name);
            const st_tensor *t = st_find(f, nm);
            if (!t) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing tensor %s", path, nm);
                goto done;
            }
            if ((st = st_read_f32(t, blocks[b] + m->params[k].offset, m->params[k].numel)) != ATTN_OK) goto done;
        }
    tr->step = s;
    tr->p.max_steps = old.max_steps;
    *effective = *now;
    effective->max_steps = old.max_steps;
done:
    attn_free(step);
    attn_free(saved);
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

attn_status train_load_start(const attn_train_params *p, attn_model **out) {
    *out = NULL;
    if (p->resume) {
        char *state_path = path_join(p->out_dir, "trainer_state.safetensors");
        if (!state_path) return ATTN_ERR_OUT_OF_MEMORY;
        bool have_state = file_exists(state_path);
        attn_free(state_path);
        if (!have_state) return attn_errorf(ATTN_ERR_IO, "--resume: %s has no trainer_state.safetensors", p->out_dir);
        return attn_model_load(p->out_dir, out);
    }
    return p->init_from ? attn_model_load(p->init_from, out) : ATTN_OK;
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

/* The loop every objective shares: resume or start, precision, the log,
 * steps, evaluation, checkpoints and progress (see trainer.h). */
attn_status train_run(attn_trainer *tr, const attn_train_params *p, const train_driver *d, const attn_tokenizer *tok,
                      const train_settings *run_settings) {
    attn_status st = ATTN_OK;
    FILE *log = NULL;
    char *settings = NULL;
    train_settings effective = *run_settings;
    char *state_path = path_join(p->out_dir, "trainer_state.safetensors"), *log_path = path_join(p->out_dir, "train_log.jsonl");
    if (!state_path || !log_path) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if (p->resume) {
        /* the effective settings keep the schedule's length (max_steps) of the run's start */
        if ((st = load_state(tr, state_path, p, run_settings, &effective)) != ATTN_OK) goto done;
        if ((st = train_trim_log(log_path, tr->step)) != ATTN_OK) goto done;
    } else if ((st = dir_ensure(p->out_dir)) != ATTN_OK) {
        goto done;
    }
    if (!(settings = train_settings_write(&effective))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    /* after the weights are final: the bf16 copies are made from them */
    if ((st = attn_model_set_precision(tr->model, p->precision)) != ATTN_OK) goto done;
    if (!(log = fopen(log_path, p->resume ? "ab" : "wb"))) {
        st = attn_errorf(ATTN_ERR_IO, "cannot open %s: %s", log_path, strerror(errno));
        goto done;
    }
    double t0 = time_now();
    int64_t first = tr->step, max_steps = p->optim.max_steps, saved = p->resume ? tr->step : -1;
    int64_t end = p->stop_at > 0 && p->stop_at < max_steps ? p->stop_at : max_steps;
    if (tr->step < end && stop_requested(p)) end = tr->step; /* asked to stop before the first step */
    while (tr->step < end) {
        double ts = time_now(), tokens = 0;
        if ((st = d->batches(d->ctx, tr->step, d->mbs, &tokens)) != ATTN_OK) goto done;
        float loss, norm, lr = attn_lr_at(&tr->p, tr->step);
        if ((st = trainer_step_batches(tr, d->mbs, d->n_micro, &loss, &norm)) != ATTN_OK) goto done;
        int64_t step = tr->step;
        double now = time_now();
        attn_train_progress pr = {0};
        pr.step = step;
        pr.max_steps = max_steps;
        pr.loss = loss;
        pr.lr = lr;
        pr.grad_norm = norm;
        pr.tokens_per_s = tokens / (now - ts);
        pr.elapsed_s = now - t0;
        pr.eta_s = (now - t0) / (double)(step - first) * (double)(max_steps - step);
        bool last = step == max_steps;
        bool out_of_time = p->time_limit_s > 0 && now - t0 >= p->time_limit_s; /* the run ends here */
        /* so does a stop request, polled only where it cuts the run short: a
         * request after the last step's poll leaves the run complete */
        bool stop = !last && step != end && !out_of_time && stop_requested(p);
        if (d->evaluate && ((p->eval_every && step % p->eval_every == 0) || last || out_of_time))
            if ((st = d->evaluate(d->ctx, tr, &pr)) != ATTN_OK) goto done;
        fprintf(log, "{\"step\": %lld, \"loss\": %.9g, \"lr\": %.9g, \"grad_norm\": %.9g, \"tokens_per_s\": %.1f",
                (long long)step, (double)loss, (double)lr, (double)norm, pr.tokens_per_s);
        if (pr.has_val) fprintf(log, ", \"val_loss\": %.9g", (double)pr.val_loss);
        if (pr.has_accuracy)
            fprintf(log, ", \"val_accuracy\": %.9g, \"val_macro_f1\": %.9g", (double)pr.val_accuracy, (double)pr.val_macro_f1);
        if (pr.has_bleu) fprintf(log, ", \"val_bleu\": %.4f", (double)pr.val_bleu);
        fprintf(log, "}\n");
        if (fflush(log) != 0 || ferror(log)) {
            st = attn_errorf(ATTN_ERR_IO, "write %s: %s", log_path, strerror(errno));
            st = write_failed(st, step, saved, p->out_dir);
            goto done;
        }
        if ((p->checkpoint_every && step % p->checkpoint_every == 0) || last || step == end || out_of_time || stop) {
            if ((st = train_checkpoint(tr, p, tok, state_path, settings)) != ATTN_OK) {
                st = write_failed(st, step, saved, p->out_dir);
                goto done;
            }
            saved = step;
            pr.checkpointed = true;
        }
        if (p->callback) p->callback(&pr, p->user);
        if (out_of_time || stop) break;
    }
    if (tr->step == first && !file_exists(state_path)) st = train_checkpoint(tr, p, tok, state_path, settings); /* 0 steps */
done:
    if (log && fclose(log) != 0 && !st) st = attn_errorf(ATTN_ERR_IO, "write %s: %s", log_path, strerror(errno));
    if (settings) cJSON_free(settings);
    attn_free(state_path);
    attn_free(log_path);
    return st;
}

/* ---- language models -------------------------------------------------------- */

typedef struct lm_ctx {
    const windows *win;
    const attn_shard *train, *val;
    int64_t A, B, T, eval_batches;
    rows *r;
    int32_t *buf;
} lm_ctx;

static attn_status lm_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    lm_ctx *c = ctx;
    attn_status st = train_batch(c->win, c->train, step, c->A, c->B, c->T, c->r, c->buf);
    for (int64_t a = 0; a < c->A && !st; a++) mbs[a] = batch_at(c->win, c->r, a, c->B, c->T);
    *tokens = (double)(c->A * c->B * c->T);
    return st;
}

static attn_status lm_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    lm_ctx *c = ctx;
    pr->has_val = true;
    return evaluate(c->win, tr, c->val, c->eval_batches, c->B, c->T, c->r, c->buf, &pr->val_loss);
}

/* ---- the loop --------------------------------------------------------------- */

static attn_status train_lm(const attn_train_params *p) {
    attn_status st = ATTN_OK;
    attn_shard *train = NULL, *val = NULL;
    attn_tokenizer *tok = NULL;
    attn_model *model = NULL;
    attn_trainer *tr = NULL;
    int32_t *buf = NULL;
    rows r = {0};
    model_batch *mbs = NULL;
    windows win;
    memset(&win, 0, sizeof win);

    bool mlm = p->objective == ATTN_OBJECTIVE_MLM, decoder_arch = p->arch == ATTN_ARCH_GPT2 || p->arch == ATTN_ARCH_OPT;
    if (p->arch != ATTN_ARCH_DEFAULT && !decoder_arch)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "this --arch needs pair data (%s has no train.pairs; see attn prepare --pairs)", p->data_dir);
    if (mlm && decoder_arch) return attn_errorf(ATTN_ERR_INVALID_ARG, "--arch gpt2 and opt train with --objective clm");
    if (p->batch_size < 1 || p->grad_accum < 1 || p->optim.max_steps < 0 || p->eval_batches < 0 || p->eval_every < 0 ||
        p->checkpoint_every < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "batch size and accumulation must be positive, step counts non-negative");
    if ((st = train_open_shards(p, &train, &val)) != ATTN_OK) goto done;
    if (attn_tokenizer_load(p->data_dir, &tok) != ATTN_OK) tok = NULL; /* shards without a tokenizer still train */

    if ((st = train_load_start(p, &model)) != ATTN_OK) goto done;
    if (model) {
        /* resumed, or initialised from --init */
    } else if ((st = train_check_new_width(p)) != ATTN_OK) {
        goto done;
    } else if (mlm) {
        attn_bert_config c = attn_bert_default_config();
        c.n_layer = p->model.n_layer;
        c.n_head = p->model.n_head;
        c.hidden_size = p->model.n_embd;
        c.intermediate_size = p->model.n_inner > 0 ? p->model.n_inner : 4 * p->model.n_embd;
        c.max_positions = p->model.n_ctx;
        c.vocab_size = attn_shard_vocab_size(train);
        c.dropout = p->model.dropout;
        c.pooler = c.nsp_head = p->nsp;
        c.mlm_head = true;
        c.pad_token_id = tok ? added_id(tok, PAD_NAMES) : -1;
        if ((st = attn_bert_new(&c, p->seed, &model)) != ATTN_OK) goto done;
    } else {
        attn_gpt_config c = p->model;
        c.vocab_size = attn_shard_vocab_size(train);
        if (tok) c.eos_token_id = c.bos_token_id = attn_tokenizer_eot(tok);
        if ((st = attn_model_new_arch(p->arch == ATTN_ARCH_OPT ? "opt" : "gpt2", &c, p->seed, &model)) != ATTN_OK) goto done;
    }
    attn_bert_config ecfg;
    bool encoder = attn_model_encoder_config(model, &ecfg);
    if (mlm && !(encoder && ecfg.mlm_head)) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "--objective mlm needs an encoder (BERT/RoBERTa) with a masked-LM head");
        goto done;
    }
    if (mlm && p->nsp && !ecfg.nsp_head) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "--nsp needs an encoder with a next-sentence head (BertForPreTraining)");
        goto done;
    }
    if (!mlm && encoder) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "an encoder (BERT/RoBERTa) model trains with --objective mlm or classify");
        goto done;
    }
    if (!mlm && (st = train_check_kind(p, model, TRAINS_CLM, "--objective clm on token shards", "a GPT-2 model")) != ATTN_OK)
        goto done;
    attn_gpt_config cfg = attn_model_config(model);
    if (p->model.dropout > 0) model->cfg.dropout = p->model.dropout;
    if (attn_shard_vocab_size(train) > cfg.vocab_size) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "the data's vocabulary (%d) is larger than the model's (%lld)",
                         (int)attn_shard_vocab_size(train), (long long)cfg.vocab_size);
        goto done;
    }
    int64_t T = p->seq_len ? p->seq_len : cfg.n_ctx, B = p->batch_size, A = p->grad_accum;
    if (encoder) { /* RoBERTa's positions start after the padding index */
        int64_t limit = ecfg.roberta ? ecfg.max_positions - ecfg.pad_token_id - 1 : ecfg.max_positions;
        if (cfg.n_ctx > limit) cfg.n_ctx = limit;
        if (!p->seq_len) T = cfg.n_ctx;
    }
    int min_T = mlm ? (p->nsp ? 5 : 3) : 1;
    if (T < min_T || T > cfg.n_ctx) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "sequence length %lld must be in [%d, %lld] (the model's context)", (long long)T,
                         min_T, (long long)cfg.n_ctx);
        goto done;
    }
    if ((st = train_shards_fit(p, train, &val, T, T + 2, "training windows")) != ATTN_OK) goto done;
    win.objective = p->objective;
    win.static_masking = p->static_masking;
    win.nsp = mlm && p->nsp;
    win.seed = p->seed;
    if (mlm && (st = mlm_windows(p, tok, (int32_t)cfg.vocab_size, &win)) != ATTN_OK) goto done;
    if ((st = attn_trainer_new(model, &p->optim, &tr)) != ATTN_OK) goto done;
    tr->dropout_seed = rng_hash(p->seed, 0x64726f70ULL, 0);
    train_settings settings;
    train_settings_of(p, T, false, 0, &settings);
    if (win.word_start && !(win.row_starts = attn_malloc((size_t)T))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    r.in = attn_malloc((size_t)(A * B * T) * sizeof *r.in);
    r.tg = attn_malloc((size_t)(A * B * T) * sizeof *r.tg);
    r.types = attn_malloc((size_t)(A * B * T) * sizeof *r.types);
    r.nsp = attn_malloc((size_t)(A * B) * sizeof *r.nsp);
    buf = attn_malloc((size_t)(T + 1) * sizeof *buf);
    mbs = attn_malloc((size_t)A * sizeof *mbs);
    if (!r.in || !r.tg || !r.types || !r.nsp || !buf || !mbs) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    lm_ctx lc = {&win, train, val, A, B, T, p->eval_batches, &r, buf};
    train_driver drv = {&lc, A, mbs, lm_batches, val && p->eval_batches > 0 ? lm_evaluate : NULL};
    st = train_run(tr, p, &drv, tok, &settings);
done:
    attn_free(win.word_start);
    attn_free(win.row_starts);
    attn_trainer_free(tr);
    attn_model_free(model);
    attn_tokenizer_free(tok);
    attn_shard_close(train);
    attn_shard_close(val);
    attn_free(r.in);
    attn_free(r.tg);
    attn_free(r.types);
    attn_free(r.nsp);
    attn_free(mbs);
    attn_free(buf);
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
        if (p->optim.warmup_steps < 0) p->optim.warmup_steps = p->optim.max_steps / 10 < 100 ? p->optim.max_steps / 10 : 100;
    }
done:
    attn_free(state);
    attn_free(config);
    attn_free(weights);
    attn_free(log);
    return st;
}

attn_status attn_train(const attn_train_params *params) {
    if (!params->data_dir || !params->out_dir)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "training needs a data directory and an output directory");
    attn_train_params p = *params;
    /* the learning rates left to their defaults, which depend on the schedule */
    if (p.optim.lr == 0) p.optim.lr = p.optim.schedule == ATTN_SCHEDULE_INVERSE_SQRT ? 1.0f : attn_optim_default_params().lr;
    if (p.optim.min_lr < 0) p.optim.min_lr = p.optim.lr / 10;
    int lock_fd = -1;
    attn_status st = prepare_out_dir(&p, &lock_fd);
    if (!st) {
        if (p.objective == ATTN_OBJECTIVE_CLASSIFY)
            st = train_classifier(&p);
        else if (p.objective == ATTN_OBJECTIVE_DENOISE)
            st = train_denoise(&p);
        else if (train_data_is_pairs(p.data_dir))
            st = train_seq2seq(&p);
        else
            st = train_lm(&p);
    }
    if (lock_fd >= 0) close(lock_fd);
    return st;
}
