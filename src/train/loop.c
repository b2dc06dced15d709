/* loop.c — attn_train(): data sampling, evaluation, logging, checkpoints
 * and resume around attn_trainer_step(). See train.h for the guarantees. */
#include "attn/data.h"
#include "attn/encoder.h"
#include "attn/noise.h"
#include "attn/tokenizer.h"
#include "io/safetensors.h"
#include "train/trainer.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

attn_train_params attn_train_default_params(void) {
    attn_train_params p;
    memset(&p, 0, sizeof p);
    p.model = attn_gpt_default_config();
    p.model.n_layer = 4;
    p.model.n_head = 4;
    p.model.n_embd = 256;
    p.model.n_ctx = 256;
    p.optim = attn_optim_default_params();
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
    cJSON *r = cJSON_CreateObject();
    if (!r) return NULL;
    cJSON_AddNumberToObject(r, "batch_size", (double)p->batch_size);
    cJSON_AddNumberToObject(r, "seq_len", (double)T);
    cJSON_AddNumberToObject(r, "grad_accum", (double)p->grad_accum);
    cJSON_AddNumberToObject(r, "max_steps", (double)p->optim.max_steps);
    cJSON_AddNumberToObject(r, "warmup_steps", (double)p->optim.warmup_steps);
    cJSON_AddNumberToObject(r, "lr", (double)p->optim.lr);
    cJSON_AddNumberToObject(r, "min_lr", (double)p->optim.min_lr);
    cJSON_AddNumberToObject(r, "weight_decay", (double)p->optim.weight_decay);
    cJSON_AddNumberToObject(r, "beta1", (double)p->optim.beta1);
    cJSON_AddNumberToObject(r, "beta2", (double)p->optim.beta2);
    cJSON_AddNumberToObject(r, "eps", (double)p->optim.eps);
    cJSON_AddNumberToObject(r, "grad_clip", (double)p->optim.grad_clip);
    char seed[32];
    snprintf(seed, sizeof seed, "%" PRIu64, p->seed);
    cJSON_AddStringToObject(r, "seed", seed);
    if (p->objective == ATTN_OBJECTIVE_CLASSIFY) cJSON_AddStringToObject(r, "objective", "classify");
    if (p->optim.schedule == ATTN_SCHEDULE_INVERSE_SQRT) { /* only then, so older checkpoints still resume */
        cJSON_AddStringToObject(r, "schedule", "inverse-sqrt");
        cJSON_AddNumberToObject(r, "d_model", (double)p->optim.d_model);
    }
    if (p->objective == ATTN_OBJECTIVE_MLM) { /* only then, so older CLM checkpoints still resume */
        cJSON_AddStringToObject(r, "objective", "mlm");
        cJSON_AddBoolToObject(r, "static_masking", p->static_masking);
        cJSON_AddBoolToObject(r, "whole_word_masking", p->whole_word_masking);
        if (p->nsp) cJSON_AddBoolToObject(r, "next_sentence_prediction", 1);
    }
    char *s = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    return s;
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

/* Reads a "key": "value" from the metadata JSON. */
static char *meta_value(const st_file *f, const char *key) {
    if (!f->metadata_json) return NULL;
    cJSON *r = cJSON_Parse(f->metadata_json);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, key);
    char *out = cJSON_IsString(v) ? attn_strdup(v->valuestring) : NULL;
    cJSON_Delete(r);
    return out;
}

attn_status train_load_state(attn_trainer *tr, const char *path, const char *settings) {
    st_file *f = NULL;
    attn_status st = st_open(path, &f);
    if (st) return st;
    attn_model *m = tr->model;
    char *step = meta_value(f, "step"), *saved = meta_value(f, "settings");
    if (!step || !saved) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not an attn trainer state (no step/settings metadata)", path);
        goto done;
    }
    if (strcmp(saved, settings)) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: --resume needs the settings of the original run, which were %s", path, saved);
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
    char *end;
    errno = 0;
    long long s = strtoll(step, &end, 10);
    if (errno || *end || s < 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: bad step \"%s\"", path, step);
        goto done;
    }
    tr->step = s;
done:
    attn_free(step);
    attn_free(saved);
    st_close(f);
    return st;
}

/* The whole checkpoint: trainer state first (the resume point, one atomic
 * file), then the Hugging Face export and the tokenizer. */
attn_status train_checkpoint(const attn_trainer *tr, const attn_train_params *p, const attn_tokenizer *tok,
                             const char *state_path, const char *settings) {
    attn_status st = save_state(tr, state_path, settings);
    if (!st) st = attn_model_save(tr->model, p->out_dir);
    if (!st && tok) st = attn_tokenizer_save(tok, p->out_dir);
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

const char *train_model_kind(const attn_model *m) {
    attn_encdec_config ec;
    switch (m->kind) {
    case MODEL_GPT: return "a GPT-2 model";
    case MODEL_BERT: return "a BERT-family encoder";
    case MODEL_ENCDEC:
        return attn_model_encdec_config(m, &ec) && ec.arch == ATTN_ENCDEC_BART ? "a BART encoder-decoder"
                                                                                : "a Marian Transformer (translation)";
    case MODEL_RNN: return "an RNN translation model";
    }
    return "a model of an unknown kind";
}

attn_status train_check_kind(const attn_train_params *p, const attn_model *m, unsigned kinds, const char *objective,
                             const char *need) {
    if (kinds & (1u << m->kind)) return ATTN_OK;
    return attn_errorf(ATTN_ERR_INVALID_ARG, "%s trains %s; %s is %s", objective, need,
                       p->resume ? p->out_dir : p->init_from, train_model_kind(m));
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
        size_t e = nl ? (size_t)(nl - text) + 1 : len;
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

/* The loop every objective shares: resume or start, precision, the log,
 * steps, evaluation, checkpoints and progress (see trainer.h). */
attn_status train_run(attn_trainer *tr, const attn_train_params *p, const train_driver *d, const attn_tokenizer *tok,
                      const char *settings) {
    attn_status st = ATTN_OK;
    FILE *log = NULL;
    char *state_path = path_join(p->out_dir, "trainer_state.safetensors"), *log_path = path_join(p->out_dir, "train_log.jsonl");
    if (!state_path || !log_path) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if (p->resume) {
        if ((st = train_load_state(tr, state_path, settings)) != ATTN_OK) goto done;
        if ((st = train_trim_log(log_path, tr->step)) != ATTN_OK) goto done;
    } else if ((st = dir_ensure(p->out_dir)) != ATTN_OK) {
        goto done;
    }
    /* after the weights are final: the bf16 copies are made from them */
    if ((st = attn_model_set_precision(tr->model, p->precision)) != ATTN_OK) goto done;
    if (!(log = fopen(log_path, p->resume ? "ab" : "wb"))) {
        st = attn_errorf(ATTN_ERR_IO, "cannot open %s: %s", log_path, strerror(errno));
        goto done;
    }
    double t0 = time_now();
    int64_t first = tr->step, max_steps = p->optim.max_steps;
    int64_t end = p->stop_at > 0 && p->stop_at < max_steps ? p->stop_at : max_steps;
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
        if (d->evaluate && ((p->eval_every && step % p->eval_every == 0) || last || out_of_time))
            if ((st = d->evaluate(d->ctx, tr, &pr)) != ATTN_OK) goto done;
        fprintf(log, "{\"step\": %lld, \"loss\": %.9g, \"lr\": %.9g, \"grad_norm\": %.9g, \"tokens_per_s\": %.1f",
                (long long)step, (double)loss, (double)lr, (double)norm, pr.tokens_per_s);
        if (pr.has_val) fprintf(log, ", \"val_loss\": %.9g", (double)pr.val_loss);
        if (pr.has_accuracy)
            fprintf(log, ", \"val_accuracy\": %.9g, \"val_macro_f1\": %.9g", (double)pr.val_accuracy, (double)pr.val_macro_f1);
        if (pr.has_bleu) fprintf(log, ", \"val_bleu\": %.4f", (double)pr.val_bleu);
        fprintf(log, "}\n");
        fflush(log);
        if ((p->checkpoint_every && step % p->checkpoint_every == 0) || last || step == end || out_of_time) {
            if ((st = train_checkpoint(tr, p, tok, state_path, settings)) != ATTN_OK) goto done;
            pr.checkpointed = true;
        }
        if (p->callback) p->callback(&pr, p->user);
        if (out_of_time) break;
    }
    if (tr->step == first && !file_exists(state_path)) st = train_checkpoint(tr, p, tok, state_path, settings); /* 0 steps */
done:
    if (log) fclose(log);
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

attn_status attn_train(const attn_train_params *p) {
    attn_status st = ATTN_OK;
    attn_shard *train = NULL, *val = NULL;
    attn_tokenizer *tok = NULL;
    attn_model *model = NULL;
    attn_trainer *tr = NULL;
    int32_t *buf = NULL;
    rows r = {0};
    model_batch *mbs = NULL;
    char *settings = NULL;
    windows win;
    memset(&win, 0, sizeof win);

    if (!p->data_dir || !p->out_dir) return attn_errorf(ATTN_ERR_INVALID_ARG, "training needs a data directory and an output directory");
    if (p->objective == ATTN_OBJECTIVE_CLASSIFY) return train_classifier(p);
    if (p->objective == ATTN_OBJECTIVE_DENOISE) return train_denoise(p);
    if (train_data_is_pairs(p->data_dir)) return train_seq2seq(p);
    if (p->arch != ATTN_ARCH_DEFAULT)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--arch needs pair data (%s has no train.pairs; see attn prepare --pairs)", p->data_dir);
    bool mlm = p->objective == ATTN_OBJECTIVE_MLM;
    if (p->batch_size < 1 || p->grad_accum < 1 || p->optim.max_steps < 0 || p->eval_batches < 0 || p->eval_every < 0 ||
        p->checkpoint_every < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "batch size and accumulation must be positive, step counts non-negative");
    if ((st = train_open_shards(p, &train, &val)) != ATTN_OK) goto done;
    if (attn_tokenizer_load(p->data_dir, &tok) != ATTN_OK) tok = NULL; /* shards without a tokenizer still train */

    if ((st = train_load_start(p, &model)) != ATTN_OK) goto done;
    if (model) {
        /* resumed, or initialised from --init */
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
        if ((st = attn_model_new(&c, p->seed, &model)) != ATTN_OK) goto done;
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
    if (!mlm && (st = train_check_kind(p, model, 1u << MODEL_GPT, "--objective clm on token shards", "a GPT-2 model")) != ATTN_OK)
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
    if (!(settings = train_settings_json(p, T))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
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
    st = train_run(tr, p, &drv, tok, settings);
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
    if (settings) cJSON_free(settings);
    return st;
}
