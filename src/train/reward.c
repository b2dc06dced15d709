/* reward.c — the reward row (objective.h; the contract in train.h,
 * ATTN_OBJECTIVE_REWARD): a scalar head (a one-label classifier: GPT-2's
 * score on the last real token, BERT's / RoBERTa's on [CLS]) trained on
 * preference pairs with the Bradley-Terry loss -log sigmoid(r_chosen -
 * r_rejected), op_dpo_loss with beta 1 and no reference. Micro-batches hold
 * B pairs as 2B rows (chosen, rejected, ...) with a mask, drawn in
 * epoch-wise permutations, so a resumed run draws the same ones. */
#include "attn/chat_data.h"
#include "attn/encoder.h"
#include "attn/tokenizer.h"
#include "train/objective.h"

typedef struct rm_set {
    int32_t **ids;            /* 2n rows: chosen, rejected */
    int64_t *n, rows;
} rm_set;

typedef struct rm_stats {
    double correct, margin, n;
} rm_stats;

typedef struct rm_ctx {
    train_chat chat;
    rm_set train, val;
    train_sampler smp;
    int64_t A, B, T;
    int32_t pad;
    int32_t *in;
    uint8_t *mask;
    float *zeros;             /* 2B: no reference */
    bool evaluating;
    rm_stats step, eval;
} rm_ctx;

static void set_free(rm_set *s) {
    for (int64_t i = 0; s->ids && i < s->rows; i++) attn_free(s->ids[i]);
    attn_free(s->ids);
    attn_free(s->n);
    memset(s, 0, sizeof *s);
}

/* Each pair's two texts encoded with the tokenizer's post-processor, cut to T tokens. */
static attn_status encode_file(const train_chat *ch, const char *path, int64_t T, rm_set *s) {
    attn_chat_data *d = NULL;
    attn_status st = attn_chat_data_read(path, ATTN_CHAT_PAIRS, &d);
    if (st) return st;
    s->ids = attn_calloc((size_t)(2 * d->n), sizeof *s->ids);
    s->n = attn_calloc((size_t)(2 * d->n), sizeof *s->n);
    if (!s->ids || !s->n) st = ATTN_ERR_OUT_OF_MEMORY;
    s->rows = st ? 0 : 2 * d->n;
    for (int64_t i = 0; i < d->n && !st; i++)
        for (int k = 0; k < 2 && !st; k++) {
            char *text = NULL;
            size_t len = 0;
            attn_chat_options opt = {false, ch->bos, ch->eos};
            st = attn_chat_example_text(ch->tmpl, &opt, &d->ex[i], k, &text, &len);
            if (!st) st = attn_tokenizer_encode_pair(ch->tok, text, len, NULL, 0, T, &s->ids[2 * i + k], NULL, &s->n[2 * i + k]);
            if (!st && s->n[2 * i + k] == 0) st = attn_errorf(ATTN_ERR_FORMAT, "encodes to no tokens");
            if (st) st = error_prefixf(st, "%s: line %lld", path, (long long)d->ex[i].line);
            attn_free(text);
        }
    attn_chat_data_free(d);
    return st;
}

/* Pairs idx[0..B) as rows 2i (chosen), 2i + 1 (rejected), padded with pad to the longest. */
static int64_t fill(const rm_set *s, const int64_t *idx, int64_t B, int32_t pad, int32_t *in, uint8_t *mask, model_batch *mb) {
    int64_t T = 1, real = 0;
    for (int64_t b = 0; b < B; b++)
        for (int k = 0; k < 2; k++)
            if (s->n[2 * idx[b] + k] > T) T = s->n[2 * idx[b] + k];
    for (int64_t b = 0; b < B; b++)
        for (int k = 0; k < 2; k++) {
            int64_t r = 2 * idx[b] + k, row = 2 * b + k;
            for (int64_t t = 0; t < T; t++) {
                in[row * T + t] = t < s->n[r] ? s->ids[r][t] : pad;
                mask[row * T + t] = t < s->n[r];
            }
            real += s->n[r];
        }
    *mb = (model_batch){.B = 2 * B, .T = T, .inputs = in, .mask = mask};
    return real;
}

tensor *train_reward_loss(void *ctx, attn_model *m, graph *g, const model_batch *b) {
    rm_ctx *c = ctx;
    tensor *r = model_classify(m, g, b);
    tensor *loss = op_dpo_loss(g, r, c->zeros, NULL, b->B / 2, 1.0f, false);
    if (!loss) return NULL;
    rm_stats *st = c->evaluating ? &c->eval : &c->step;
    for (int64_t i = 0; i < b->B / 2; i++) {
        st->correct += r->data[2 * i] > r->data[2 * i + 1];
        st->margin += (double)r->data[2 * i] - (double)r->data[2 * i + 1];
        st->n++;
    }
    return loss;
}

static attn_status rm_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    rm_ctx *c = ctx;
    int64_t real = 0, B = c->B, stride = 2 * B * c->T;
    int64_t *idx = attn_malloc((size_t)B * sizeof *idx);
    if (!idx) return ATTN_ERR_OUT_OF_MEMORY;
    c->evaluating = false;
    c->step = (rm_stats){0};
    for (int64_t a = 0; a < c->A; a++) {
        for (int64_t b = 0; b < B; b++) idx[b] = train_sampler_draw(&c->smp, (step * c->A + a) * B + b);
        real += fill(&c->train, idx, B, c->pad, c->in + a * stride, c->mask + a * stride, &mbs[a]);
    }
    attn_free(idx);
    *tokens = (double)real;
    return ATTN_OK;
}

static void rm_step_stats(void *ctx, attn_train_progress *pr) {
    rm_ctx *c = ctx;
    if (!(c->step.n > 0)) return;
    pr->has_rewards = true;
    pr->reward_accuracy = (float)(c->step.correct / c->step.n);
    pr->reward_margin = (float)(c->step.margin / c->step.n);
}

/* val_loss, and the pairwise accuracy and margin of the rewards on the validation pairs. */
static attn_status rm_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    rm_ctx *c = ctx;
    int64_t n = c->val.rows / 2, idx[64], e = c->B < 64 ? c->B : 64;
    double sum = 0;
    c->evaluating = true;
    c->eval = (rm_stats){0};
    attn_status st = ATTN_OK;
    for (int64_t start = 0; start < n && !st; start += e) {
        int64_t nb = n - start < e ? n - start : e;
        for (int64_t b = 0; b < nb; b++) idx[b] = start + b;
        model_batch mb;
        fill(&c->val, idx, nb, c->pad, c->in, c->mask, &mb);
        float l;
        if ((st = trainer_eval_batch(tr, &mb, &l)) == ATTN_OK) sum += (double)l * (double)nb;
    }
    c->evaluating = false;
    if (st) return st;
    pr->has_val = pr->has_val_rewards = true;
    pr->val_loss = (float)(sum / (double)n);
    pr->val_reward_accuracy = (float)(c->eval.correct / c->eval.n);
    pr->val_reward_margin = (float)(c->eval.margin / c->eval.n);
    return ATTN_OK;
}

static attn_status rm_open(void *ctx, const attn_train_params *p, attn_model **out) {
    if (!(p->resume ? p->out_dir : p->init_from))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective reward trains a head on a model: give one with --init DIR");
    return train_load_start(p, out);
}

static attn_status rm_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    rm_ctx *c = ctx;
    attn_status st;
    if ((st = train_chat_open(p, *pm, &c->chat)) != ATTN_OK) return st;
    static const char *const one[] = {"LABEL_0"};
    c->pad = train_pad_token(*pm, c->chat.tok);
    if ((st = train_ensure_classifier(pm, one, 1, c->pad, p->seed)) != ATTN_OK) return st;
    if (p->model.dropout > 0) (*pm)->cfg.dropout = p->model.dropout;
    bool encoder = attn_model_encoder_config(*pm, NULL);
    int64_t limit = encoder ? attn_encoder_max_length(*pm) : attn_model_config(*pm).n_ctx;
    int64_t T = p->seq_len ? p->seq_len : limit, B = p->batch_size, A = p->grad_accum;
    if (T < 2 || T > limit)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sequence length %lld must be in [2, %lld] (the model's positions)", (long long)T,
                           (long long)limit);
    if ((st = encode_file(&c->chat, p->data_dir, T, &c->train)) != ATTN_OK) return st;
    if (p->val_file && (st = encode_file(&c->chat, p->val_file, T, &c->val)) != ATTN_OK) return st;
    if ((st = train_chat_save(&c->chat, p)) != ATTN_OK) return st;
    int64_t cells = A * 2 * B * T;
    c->smp = (train_sampler){.n = c->train.rows / 2, .epoch = -1, .seed = p->seed,
                             .perm = attn_malloc((size_t)(c->train.rows / 2) * sizeof(int64_t))};
    c->in = attn_malloc((size_t)cells * sizeof *c->in);
    c->mask = attn_malloc((size_t)cells);
    c->zeros = attn_calloc((size_t)(2 * (B > 64 ? B : 64)), sizeof *c->zeros);
    if (!c->smp.perm || !c->in || !c->mask || !c->zeros) return ATTN_ERR_OUT_OF_MEMORY;
    c->A = A, c->B = B, c->T = T;
    *plan = (train_plan){.n_micro = A, .T = T, .tok = c->chat.tok, .evaluates = p->val_file != NULL};
    return ATTN_OK;
}

static void rm_close(void *ctx) {
    rm_ctx *c = ctx;
    set_free(&c->train);
    set_free(&c->val);
    attn_free(c->smp.perm);
    attn_free(c->in);
    attn_free(c->mask);
    attn_free(c->zeros);
    train_chat_close(&c->chat);
}

const train_objective_ops train_reward_ops = {sizeof(rm_ctx), rm_open, rm_prepare, rm_batches, rm_evaluate, rm_close,
                                              rm_step_stats, NULL};
