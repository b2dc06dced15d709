/* sft.c — the sft row's data source (objective.h; the contract in train.h,
 * ATTN_OBJECTIVE_SFT): conversations rendered with the model's chat
 * template and encoded with the assistant-token mask of attn_chat_encode,
 * cut to seq_len + 1 tokens, optionally packed several to a row, drawn in
 * epoch-wise permutations (a function of the step, so a resumed run draws
 * the same rows) and padded to each micro-batch's longest row. The loss is
 * the model's next-token loss with every target outside the mask -1. */
#include "attn/chat_data.h"
#include "attn/tokenizer.h"
#include "train/objective.h"

#include <cJSON.h>

/* ---- the chat template of a run (objective.h) ----------------------------- */

/* OUT/tokenizer_config.json: the template and its tokens, for attn chat and --resume. */
static attn_status save_template(const train_chat *c, const char *out_dir) {
    cJSON *root = cJSON_CreateObject();
    attn_status st = ATTN_OK;
    if (!root || !cJSON_AddStringToObject(root, "chat_template", c->tsrc) ||
        (c->bos && !cJSON_AddStringToObject(root, "bos_token", c->bos)) ||
        (c->eos && !cJSON_AddStringToObject(root, "eos_token", c->eos)))
        st = ATTN_ERR_OUT_OF_MEMORY;
    char *text = st ? NULL : cJSON_Print(root);
    char *path = path_join(out_dir, "tokenizer_config.json");
    if (!st && (!text || !path)) st = ATTN_ERR_OUT_OF_MEMORY;
    if (!st) st = file_write_atomic(path, text, strlen(text));
    cJSON_free(text);
    cJSON_Delete(root);
    attn_free(path);
    return st;
}

attn_status train_chat_open(const attn_train_params *p, const attn_model *m, train_chat *c) {
    attn_status st;
    const char *model_dir = p->resume ? p->out_dir : p->init_from;
    const char *what = p->objective == ATTN_OBJECTIVE_DPO ? "dpo" : p->objective == ATTN_OBJECTIVE_PPO ? "ppo" : "sft";
    if ((st = attn_tokenizer_load(model_dir, &c->tok)) != ATTN_OK)
        return error_prefixf(st, "%s: --objective %s needs the model's tokenizer.json", model_dir, what);
    attn_gpt_config cfg = attn_model_config(m);
    if (attn_tokenizer_vocab_size(c->tok) > cfg.vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: the tokenizer has %d tokens but the model only %lld embeddings", model_dir,
                           (int)attn_tokenizer_vocab_size(c->tok), (long long)cfg.vocab_size);
    if ((st = attn_chat_template_find(model_dir, &c->tsrc, &c->bos, &c->eos)) != ATTN_OK) return st;
    if (!c->tsrc && !(c->tsrc = attn_strdup(attn_chat_default_template()))) return ATTN_ERR_OUT_OF_MEMORY;
    if ((st = attn_chat_template_parse(model_dir, c->tsrc, strlen(c->tsrc), &c->tmpl)) != ATTN_OK) return st;
    return ATTN_OK;
}

attn_status train_chat_save(const train_chat *c, const attn_train_params *p) {
    return p->resume ? ATTN_OK : save_template(c, p->out_dir);
}

void train_chat_close(train_chat *c) {
    attn_chat_template_free(c->tmpl);
    attn_free(c->tsrc);
    attn_free(c->bos);
    attn_free(c->eos);
    attn_tokenizer_free(c->tok);
    memset(c, 0, sizeof *c);
}

/* ---- rows ------------------------------------------------------------------- */

/* One row: tokens and their mask (1: a target the loss counts). */
typedef struct sft_row {
    int32_t *ids;
    uint8_t *mask;
    int64_t n;
} sft_row;

typedef struct sft_rows {
    sft_row *r;
    int64_t n, cap, counted;     /* rows; targets the loss counts in all */
} sft_rows;

static void rows_free(sft_rows *s) {
    for (int64_t i = 0; i < s->n; i++) {
        attn_free(s->r[i].ids);
        attn_free(s->r[i].mask);
    }
    attn_free(s->r);
    memset(s, 0, sizeof *s);
}

/* Appends tokens ids / mask [0..n) to the last row, or to a new one when
 * `fresh` (a row of room for max tokens). */
static attn_status rows_add(sft_rows *s, bool fresh, const int32_t *ids, const uint8_t *mask, int64_t n, int64_t max) {
    if (fresh) {
        if (s->n == s->cap) {
            int64_t cap = s->cap ? 2 * s->cap : 64;
            sft_row *r = attn_realloc(s->r, (size_t)cap * sizeof *r);
            if (!r) return ATTN_ERR_OUT_OF_MEMORY;
            s->r = r;
            s->cap = cap;
        }
        sft_row *row = &s->r[s->n];
        *row = (sft_row){attn_malloc((size_t)max * sizeof(int32_t)), attn_malloc((size_t)max), 0};
        if (!row->ids || !row->mask) {
            attn_free(row->ids);
            attn_free(row->mask);
            return ATTN_ERR_OUT_OF_MEMORY;
        }
        s->n++;
    }
    sft_row *row = &s->r[s->n - 1];
    memcpy(row->ids + row->n, ids, (size_t)n * sizeof *ids);
    memcpy(row->mask + row->n, mask, (size_t)n);
    row->mask[row->n] = 0; /* a conversation's first token is no one's target */
    for (int64_t i = 1; i < n; i++) s->counted += mask[i];
    row->n += n;
    return ATTN_OK;
}

typedef struct sft_ctx {
    train_chat chat;
    sft_rows train, val;
    train_sampler smp;
    int64_t A, B, T;
    int32_t *in, *tg;            /* A * B * T */
    int64_t *idx;                /* B: a micro-batch's rows */
} sft_ctx;

/* The conversations of path as rows of at most T + 1 tokens. */
static attn_status encode_file(sft_ctx *c, const char *path, const attn_train_params *p, int64_t T, sft_rows *out) {
    attn_chat_data *d = NULL;
    attn_status st = attn_chat_data_read(path, ATTN_CHAT_CONVERSATIONS, &d);
    if (st) return st;
    attn_chat_options opt = {false, c->chat.bos, c->chat.eos};
    for (int64_t i = 0; i < d->n && !st; i++) {
        const attn_chat_example *e = &d->ex[i];
        int32_t *ids = NULL;
        uint8_t *mask = NULL;
        int64_t n = 0;
        st = attn_chat_encode(c->chat.tmpl, c->chat.tok, e->prompt.m, (size_t)e->prompt.n, &opt, p->train_on_prompt, &ids, &mask, &n);
        if (st) {
            st = error_prefixf(st, "%s: line %lld", path, (long long)e->line);
        } else if (n > 0) {
            if (n > T + 1) n = T + 1;
            bool fresh = !p->packing || out->n == 0 || out->r[out->n - 1].n + n > T + 1;
            st = rows_add(out, fresh, ids, mask, n, T + 1);
        }
        attn_free(ids);
        attn_free(mask);
    }
    attn_chat_data_free(d);
    if (!st && out->counted == 0)
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: no assistant tokens to train on (within %lld tokens per conversation)", path,
                         (long long)T + 1);
    return st;
}

/* Rows idx[0..B) as inputs / targets of a micro-batch padded to its longest. */
static int64_t fill(const sft_rows *s, const int64_t *idx, int64_t B, int32_t *in, int32_t *tg, model_batch *mb) {
    int64_t T = 1, real = 0;
    for (int64_t b = 0; b < B; b++)
        if (s->r[idx[b]].n - 1 > T) T = s->r[idx[b]].n - 1;
    for (int64_t b = 0; b < B; b++) {
        const sft_row *r = &s->r[idx[b]];
        for (int64_t t = 0; t < T; t++) {
            bool real_t = t + 1 < r->n;
            in[b * T + t] = t < r->n ? r->ids[t] : 0;
            tg[b * T + t] = real_t && r->mask[t + 1] ? r->ids[t + 1] : -1;
        }
        real += r->n - 1;
    }
    *mb = (model_batch){.B = B, .T = T, .inputs = in, .targets = tg};
    return real;
}

static attn_status sft_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    sft_ctx *c = ctx;
    int64_t real = 0, B = c->B;
    for (int64_t a = 0; a < c->A; a++) {
        for (int64_t b = 0; b < B; b++) c->idx[b] = train_sampler_draw(&c->smp, (step * c->A + a) * B + b);
        real += fill(&c->train, c->idx, B, c->in + a * B * c->T, c->tg + a * B * c->T, &mbs[a]);
    }
    *tokens = (double)real;
    return ATTN_OK;
}

/* val_loss: the mean over every counted validation target. */
static attn_status sft_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    sft_ctx *c = ctx;
    const sft_rows *v = &c->val;
    double sum = 0, count = 0;
    int64_t idx[64], e = c->B < 64 ? c->B : 64;
    for (int64_t start = 0; start < v->n; start += e) {
        int64_t nb = v->n - start < e ? v->n - start : e;
        for (int64_t b = 0; b < nb; b++) idx[b] = start + b;
        model_batch mb;
        fill(v, idx, nb, c->in, c->tg, &mb);
        int64_t counted = 0;
        for (int64_t i = 0; i < mb.B * mb.T; i++) counted += mb.targets[i] >= 0;
        if (!counted) continue;
        float l;
        attn_status st = trainer_eval_batch(tr, &mb, &l);
        if (st) return st;
        sum += (double)l * (double)counted;
        count += (double)counted;
    }
    pr->has_val = true;
    pr->val_loss = count > 0 ? (float)(sum / count) : 0.0f;
    return ATTN_OK;
}

static attn_status sft_open(void *ctx, const attn_train_params *p, attn_model **out) {
    if (!(p->resume ? p->out_dir : p->init_from))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective sft fine-tunes a model: give one with --init DIR");
    return train_load_start(p, out);
}

static attn_status sft_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    sft_ctx *c = ctx;
    attn_status st;
    if ((st = train_chat_open(p, *pm, &c->chat)) != ATTN_OK) return st;
    attn_gpt_config cfg = attn_model_config(*pm);
    if (p->model.dropout > 0) (*pm)->cfg.dropout = p->model.dropout;
    int64_t T = p->seq_len ? p->seq_len : cfg.n_ctx, B = p->batch_size, A = p->grad_accum;
    if (T < 2 || T > cfg.n_ctx)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sequence length %lld must be in [2, %lld] (the model's context)", (long long)T,
                           (long long)cfg.n_ctx);
    if ((st = encode_file(c, p->data_dir, p, T, &c->train)) != ATTN_OK) return st;
    if (p->val_file && (st = encode_file(c, p->val_file, p, T, &c->val)) != ATTN_OK) return st;
    if ((st = train_chat_save(&c->chat, p)) != ATTN_OK) return st;
    int64_t cells = A * B * T;
    c->smp = (train_sampler){.n = c->train.n, .epoch = -1, .seed = p->seed,
                             .perm = attn_malloc((size_t)c->train.n * sizeof(int64_t))};
    c->in = attn_malloc((size_t)cells * sizeof *c->in);
    c->tg = attn_malloc((size_t)cells * sizeof *c->tg);
    c->idx = attn_malloc((size_t)B * sizeof *c->idx);
    if (!c->smp.perm || !c->in || !c->tg || !c->idx) return ATTN_ERR_OUT_OF_MEMORY;
    c->A = A, c->B = B, c->T = T;
    *plan = (train_plan){.n_micro = A, .T = T, .tok = c->chat.tok, .evaluates = p->val_file != NULL};
    return ATTN_OK;
}

static void sft_close(void *ctx) {
    sft_ctx *c = ctx;
    rows_free(&c->train);
    rows_free(&c->val);
    attn_free(c->smp.perm);
    attn_free(c->in);
    attn_free(c->tg);
    attn_free(c->idx);
    train_chat_close(&c->chat);
}

const train_objective_ops train_sft_ops = {sizeof(sft_ctx), sft_open, sft_prepare, sft_batches, sft_evaluate, sft_close, NULL, NULL};
