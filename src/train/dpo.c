/* dpo.c — the dpo row (objective.h; the contract in train.h,
 * ATTN_OBJECTIVE_DPO): preference pairs encoded as prompt + completion
 * token rows, the frozen --init model's log-probabilities of every
 * completion computed once and cached beside the data, and the loss of
 * op_dpo_loss over the policy's log-probabilities (op_seq_logprob).
 * Micro-batches hold B pairs as 2B rows (chosen, rejected, ...), drawn in
 * epoch-wise permutations of (seed, epoch), so a resumed run draws the same
 * ones; model_batch.labels carries each pair's index for the loss. */
#include "attn/chat_data.h"
#include "attn/tokenizer.h"
#include "core/core.h"
#include "train/objective.h"

#include <stdio.h>

/* One pair: rows k = 0 (chosen), 1 (rejected) of n[k] tokens, of which the
 * first prompt[k] are the prompt's. */
typedef struct dpo_pair {
    int32_t *ids[2];
    int64_t n[2], prompt[2];
    int64_t line;
} dpo_pair;

typedef struct dpo_set {
    dpo_pair *p;
    int64_t n;
    float *ref;               /* 2n: the reference's log-probabilities (chosen, rejected) */
} dpo_set;

typedef struct dpo_stats {
    double correct, margin, n;
} dpo_stats;

typedef struct dpo_ctx {
    train_chat chat;
    dpo_set train, val;
    train_sampler smp;
    int64_t A, B, T;
    float beta;
    bool ipo, evaluating;
    int32_t *in, *tg, *labels; /* A * 2B * T, A * 2B * T, A * B */
    dpo_stats step, eval;
} dpo_ctx;

static void set_free(dpo_set *s) {
    for (int64_t i = 0; i < s->n; i++) {
        attn_free(s->p[i].ids[0]);
        attn_free(s->p[i].ids[1]);
    }
    attn_free(s->p);
    attn_free(s->ref);
    memset(s, 0, sizeof *s);
}

/* ---- encoding ----------------------------------------------------------------- */

/* The prompt's text and the completion's: plain pairs as they are; else
 * the prompt rendered with the generation prompt and the completion as
 * what the rendering of prompt + completion adds to it (*owned: free them). */
static attn_status pair_texts(const train_chat *ch, const attn_chat_example *e, const attn_chat_turns *completion, char **prompt,
                              size_t *np, char **comp, size_t *nc) {
    *prompt = *comp = NULL;
    if (e->plain) {
        *prompt = attn_strdup(e->prompt.m[0].content);
        *comp = attn_strdup(completion->m[0].content);
        if (!*prompt || !*comp) return ATTN_ERR_OUT_OF_MEMORY;
        *np = strlen(*prompt);
        *nc = strlen(*comp);
        return ATTN_OK;
    }
    int64_t n = e->prompt.n + completion->n;
    attn_chat_message *all = attn_malloc((size_t)n * sizeof *all);
    if (!all) return ATTN_ERR_OUT_OF_MEMORY;
    memcpy(all, e->prompt.m, (size_t)e->prompt.n * sizeof *all);
    memcpy(all + e->prompt.n, completion->m, (size_t)completion->n * sizeof *all);
    attn_chat_options gen = {true, ch->bos, ch->eos}, plain = {false, ch->bos, ch->eos};
    char *full = NULL;
    size_t nf = 0;
    attn_status st = attn_chat_render(ch->tmpl, e->prompt.m, (size_t)e->prompt.n, &gen, prompt, np);
    if (!st) st = attn_chat_render(ch->tmpl, all, (size_t)n, &plain, &full, &nf);
    attn_free(all);
    if (st) return st;
    if (nf < *np || memcmp(full, *prompt, *np)) {
        attn_free(full);
        return attn_errorf(ATTN_ERR_FORMAT,
                           "the template's text of the prompt with a completion does not begin with its text of the prompt "
                           "with the generation prompt");
    }
    memmove(full, full + *np, nf - *np + 1);
    *comp = full;
    *nc = nf - *np;
    return ATTN_OK;
}

/* Row k of pair d: the prompt's tokens then the completion's, the
 * completion cut to T tokens and the prompt to its last T + 1 - completion. */
static attn_status encode_row(const train_chat *ch, const attn_chat_example *e, int k, int64_t T, dpo_pair *d) {
    char *pt = NULL, *ct = NULL;
    size_t np = 0, nc = 0;
    int32_t *pi = NULL, *ci = NULL;
    int64_t n_p = 0, n_c = 0;
    attn_status st = pair_texts(ch, e, k ? &e->rejected : &e->chosen, &pt, &np, &ct, &nc);
    if (!st) st = attn_tokenizer_encode(ch->tok, pt, np, &pi, &n_p);
    if (!st) st = attn_tokenizer_encode(ch->tok, ct, nc, &ci, &n_c);
    if (!st && n_p == 0) st = attn_errorf(ATTN_ERR_FORMAT, "the prompt encodes to no tokens");
    if (!st && n_c == 0) st = attn_errorf(ATTN_ERR_FORMAT, "the %s completion encodes to no tokens", k ? "rejected" : "chosen");
    if (!st) {
        if (n_c > T) n_c = T;
        int64_t keep = n_p < T + 1 - n_c ? n_p : T + 1 - n_c;
        if (!(d->ids[k] = attn_malloc((size_t)(keep + n_c) * sizeof(int32_t)))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
        } else {
            memcpy(d->ids[k], pi + n_p - keep, (size_t)keep * sizeof(int32_t));
            memcpy(d->ids[k] + keep, ci, (size_t)n_c * sizeof(int32_t));
            d->n[k] = keep + n_c;
            d->prompt[k] = keep;
        }
    }
    attn_free(pt);
    attn_free(ct);
    attn_free(pi);
    attn_free(ci);
    return st;
}

static attn_status encode_file(const train_chat *ch, const char *path, int64_t T, dpo_set *s) {
    attn_chat_data *d = NULL;
    attn_status st = attn_chat_data_read(path, ATTN_CHAT_PAIRS, &d);
    if (st) return st;
    if (!(s->p = attn_calloc((size_t)d->n, sizeof *s->p))) st = ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t i = 0; i < d->n && !st; i++) {
        s->n++;
        s->p[i].line = d->ex[i].line;
        for (int k = 0; k < 2 && !st; k++)
            if ((st = encode_row(ch, &d->ex[i], k, T, &s->p[i])) != ATTN_OK)
                st = error_prefixf(st, "%s: line %lld", path, (long long)d->ex[i].line);
    }
    attn_chat_data_free(d);
    return st;
}

/* ---- micro-batches ------------------------------------------------------------ */

/* Pairs idx[0..B) of s as rows 2i (chosen) and 2i + 1 (rejected), padded to
 * the longest; targets only over completions. Returns the real tokens. */
static int64_t fill(const dpo_set *s, const int64_t *idx, int64_t B, int32_t *in, int32_t *tg, int32_t *labels,
                    model_batch *mb) {
    int64_t T = 1, real = 0;
    for (int64_t b = 0; b < B; b++)
        for (int k = 0; k < 2; k++)
            if (s->p[idx[b]].n[k] - 1 > T) T = s->p[idx[b]].n[k] - 1;
    for (int64_t b = 0; b < B; b++) {
        const dpo_pair *d = &s->p[idx[b]];
        for (int k = 0; k < 2; k++) {
            int32_t *i = in + (2 * b + k) * T, *t = tg + (2 * b + k) * T;
            for (int64_t j = 0; j < T; j++) {
                i[j] = j < d->n[k] ? d->ids[k][j] : 0;
                t[j] = j + 1 < d->n[k] && j + 1 >= d->prompt[k] ? d->ids[k][j + 1] : -1;
            }
            real += d->n[k] - 1;
        }
        labels[b] = (int32_t)idx[b];
    }
    *mb = (model_batch){.B = 2 * B, .T = T, .inputs = in, .targets = tg, .labels = labels};
    return real;
}

/* The rows' sequence of each counted target (row r: sequence r), into seq
 * (B T ints); the completion lengths into len (B). */
static void row_sequences(const model_batch *b, int32_t *seq, float *len) {
    for (int64_t r = 0; r < b->B; r++) {
        int64_t n = 0;
        for (int64_t t = 0; t < b->T; t++) {
            bool counted = b->targets[r * b->T + t] >= 0;
            seq[r * b->T + t] = counted ? (int32_t)r : -1;
            n += counted;
        }
        len[r] = (float)n;
    }
}

/* ---- the reference's log-probabilities ---------------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* The cache key: the reference's weights and every pair's tokens. */
static uint64_t cache_key(const attn_model *ref, const dpo_set *s) {
    uint64_t h = fnv(0xcbf29ce484222325ULL, "attn-dpo-ref 1", 14);
    h = fnv(h, ref->weights, (size_t)ref->n_weights * sizeof(float));
    for (int64_t i = 0; i < s->n; i++)
        for (int k = 0; k < 2; k++) {
            int64_t hdr[2] = {s->p[i].n[k], s->p[i].prompt[k]};
            h = fnv(h, hdr, sizeof hdr);
            h = fnv(h, s->p[i].ids[k], (size_t)s->p[i].n[k] * sizeof(int32_t));
        }
    return h;
}

#define CACHE_MAGIC "ATTNREF1"

/* The cache file: magic, key, count, the 2n floats, an FNV-1a of them. */
static attn_status cache_read(const char *path, uint64_t key, dpo_set *s, bool *hit) {
    *hit = false;
    if (!file_exists(path)) return ATTN_OK;
    char *buf = NULL;
    size_t len = 0;
    attn_status st = file_read_all(path, &buf, &len);
    if (st) return st;
    size_t nf = (size_t)(2 * s->n), want = 8 + 8 + 8 + nf * sizeof(float) + 8;
    uint64_t k, cnt, sum;
    if (len == want && !memcmp(buf, CACHE_MAGIC, 8)) {
        memcpy(&k, buf + 8, 8);
        memcpy(&cnt, buf + 16, 8);
        memcpy(&sum, buf + 24 + nf * sizeof(float), 8);
        if (k == key && cnt == nf && sum == fnv(0xcbf29ce484222325ULL, buf + 24, nf * sizeof(float))) {
            memcpy(s->ref, buf + 24, nf * sizeof(float));
            *hit = true;
        }
    }
    attn_free(buf);
    return ATTN_OK;
}

static attn_status cache_write(const char *path, uint64_t key, const dpo_set *s) {
    size_t nf = (size_t)(2 * s->n), len = 8 + 8 + 8 + nf * sizeof(float) + 8;
    char *buf = attn_malloc(len);
    if (!buf) return ATTN_ERR_OUT_OF_MEMORY;
    uint64_t cnt = nf, sum = fnv(0xcbf29ce484222325ULL, s->ref, nf * sizeof(float));
    memcpy(buf, CACHE_MAGIC, 8);
    memcpy(buf + 8, &key, 8);
    memcpy(buf + 16, &cnt, 8);
    memcpy(buf + 24, s->ref, nf * sizeof(float));
    memcpy(buf + 24 + nf * sizeof(float), &sum, 8);
    attn_status st = file_write_atomic(path, buf, len);
    attn_free(buf);
    return st;
}

/* s->ref from the frozen reference, B pairs at a time. */
static attn_status reference_logprobs(attn_model *ref, const dpo_set *s, int64_t B, int64_t T) {
    int32_t *in = attn_malloc((size_t)(2 * B * T) * sizeof *in), *tg = attn_malloc((size_t)(2 * B * T) * sizeof *tg);
    int32_t *labels = attn_malloc((size_t)B * sizeof *labels), *seq = attn_malloc((size_t)(2 * B * T) * sizeof *seq);
    int64_t *idx = attn_malloc((size_t)B * sizeof *idx);
    float *len = attn_malloc((size_t)(2 * B) * sizeof *len);
    graph g;
    graph_init(&g, NULL);
    attn_status st = in && tg && labels && seq && idx && len ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t start = 0; start < s->n && !st; start += B) {
        int64_t nb = s->n - start < B ? s->n - start : B;
        for (int64_t b = 0; b < nb; b++) idx[b] = start + b;
        model_batch mb;
        fill(s, idx, nb, in, tg, labels, &mb);
        row_sequences(&mb, seq, len);
        graph_reset(&g, false, false, 0);
        tensor *lp = op_seq_logprob(&g, model_forward(ref, &g, mb.inputs, mb.B, mb.T, NULL, false), mb.targets, seq, mb.B);
        if (!lp) {
            st = g.status ? g.status : attn_errorf(ATTN_ERR_INVALID_ARG, "the reference's log-probabilities failed");
            break;
        }
        memcpy(s->ref + 2 * start, lp->data, (size_t)(2 * nb) * sizeof(float));
    }
    graph_free(&g);
    attn_free(in);
    attn_free(tg);
    attn_free(labels);
    attn_free(seq);
    attn_free(idx);
    attn_free(len);
    return st;
}

/* s->ref: from path's cache when it holds the key of (ref, s), else
 * computed and cached at DATA.ref-KEY.bin. */
static attn_status reference_for(attn_model *ref, const char *data, dpo_set *s, int64_t B, int64_t T) {
    if (!(s->ref = attn_malloc((size_t)(2 * s->n) * sizeof(float)))) return ATTN_ERR_OUT_OF_MEMORY;
    uint64_t key = cache_key(ref, s);
    size_t n = strlen(data) + 64;
    char *path = attn_malloc(n);
    if (!path) return ATTN_ERR_OUT_OF_MEMORY;
    snprintf(path, n, "%s.ref-%016llx.bin", data, (unsigned long long)key);
    bool hit = false;
    attn_status st = cache_read(path, key, s, &hit);
    if (!st && !hit && (st = reference_logprobs(ref, s, B, T)) == ATTN_OK) {
        st = cache_write(path, key, s);
        if (st) st = error_prefixf(st, "caching the reference's log-probabilities beside %s", data);
    }
    attn_free(path);
    return st;
}

/* ---- the loss ----------------------------------------------------------------- */

tensor *train_dpo_loss(void *ctx, attn_model *m, graph *g, const model_batch *b) {
    dpo_ctx *c = ctx;
    const dpo_set *s = c->evaluating ? &c->val : &c->train;
    int64_t n_pairs = b->B / 2;
    int32_t *seq = graph_ints(g, b->B * b->T);
    float *len = graph_floats(g, b->B), *ref = graph_floats(g, b->B), *scale = graph_floats(g, b->B);
    if (!seq || !len || !ref || !scale) return NULL;
    row_sequences(b, seq, len);
    for (int64_t i = 0; i < n_pairs; i++)
        for (int k = 0; k < 2; k++) {
            ref[2 * i + k] = s->ref[2 * b->labels[i] + k];
            scale[2 * i + k] = c->ipo ? 1.0f / len[2 * i + k] : 1.0f;
        }
    tensor *lp = op_seq_logprob(g, model_forward(m, g, b->inputs, b->B, b->T, NULL, false), b->targets, seq, b->B);
    tensor *loss = op_dpo_loss(g, lp, ref, scale, n_pairs, c->beta, c->ipo);
    if (!loss) return NULL;
    dpo_stats *st = c->evaluating ? &c->eval : &c->step;
    for (int64_t i = 0; i < n_pairs; i++) {
        double rc = (double)c->beta * ((double)lp->data[2 * i] - (double)ref[2 * i]) * (double)scale[2 * i];
        double rr = (double)c->beta * ((double)lp->data[2 * i + 1] - (double)ref[2 * i + 1]) * (double)scale[2 * i + 1];
        st->correct += rc > rr;
        st->margin += rc - rr;
        st->n++;
    }
    return loss;
}

/* ---- the row's data source ---------------------------------------------------- */

static attn_status dpo_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    dpo_ctx *c = ctx;
    int64_t real = 0, B = c->B, stride = 2 * B * c->T;
    int64_t *idx = attn_malloc((size_t)B * sizeof *idx);
    if (!idx) return ATTN_ERR_OUT_OF_MEMORY;
    c->evaluating = false;
    c->step = (dpo_stats){0};
    for (int64_t a = 0; a < c->A; a++) {
        for (int64_t b = 0; b < B; b++) idx[b] = train_sampler_draw(&c->smp, (step * c->A + a) * B + b);
        real += fill(&c->train, idx, B, c->in + a * stride, c->tg + a * stride, c->labels + a * B, &mbs[a]);
    }
    attn_free(idx);
    *tokens = (double)real;
    return ATTN_OK;
}

static void dpo_step_stats(void *ctx, attn_train_progress *pr) {
    dpo_ctx *c = ctx;
    if (!(c->step.n > 0)) return;
    pr->has_rewards = true;
    pr->reward_accuracy = (float)(c->step.correct / c->step.n);
    pr->reward_margin = (float)(c->step.margin / c->step.n);
}

/* val_loss (the mean over validation pairs), implicit-reward accuracy and margin. */
static attn_status dpo_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    dpo_ctx *c = ctx;
    const dpo_set *v = &c->val;
    int64_t idx[64], e = c->B < 64 ? c->B : 64;
    double sum = 0;
    c->evaluating = true;
    c->eval = (dpo_stats){0};
    attn_status st = ATTN_OK;
    for (int64_t start = 0; start < v->n && !st; start += e) {
        int64_t nb = v->n - start < e ? v->n - start : e;
        for (int64_t b = 0; b < nb; b++) idx[b] = start + b;
        model_batch mb;
        fill(v, idx, nb, c->in, c->tg, c->labels, &mb);
        float l;
        if ((st = trainer_eval_batch(tr, &mb, &l)) == ATTN_OK) sum += (double)l * (double)nb;
    }
    c->evaluating = false;
    if (st) return st;
    pr->has_val = pr->has_val_rewards = true;
    pr->val_loss = (float)(sum / (double)v->n);
    pr->val_reward_accuracy = (float)(c->eval.correct / c->eval.n);
    pr->val_reward_margin = (float)(c->eval.margin / c->eval.n);
    return ATTN_OK;
}

static attn_status dpo_open(void *ctx, const attn_train_params *p, attn_model **out) {
    if (!p->init_from)
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "--objective dpo trains from a model, which is also its frozen reference: give it with --init DIR "
                           "(with --resume too)");
    return train_load_start(p, out);
}

static attn_status dpo_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    dpo_ctx *c = ctx;
    attn_status st;
    if (!(p->dpo_beta > 0)) return attn_errorf(ATTN_ERR_INVALID_ARG, "--beta must be positive");
    if ((st = train_chat_open(p, *pm, &c->chat)) != ATTN_OK) return st;
    attn_gpt_config cfg = attn_model_config(*pm);
    (*pm)->cfg.dropout = p->model.dropout; /* off unless asked: the policy is compared with the reference */
    int64_t T = p->seq_len ? p->seq_len : cfg.n_ctx, B = p->batch_size, A = p->grad_accum;
    if (T < 2 || T > cfg.n_ctx)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sequence length %lld must be in [2, %lld] (the model's context)", (long long)T,
                           (long long)cfg.n_ctx);
    if ((st = encode_file(&c->chat, p->data_dir, T, &c->train)) != ATTN_OK) return st;
    if (p->val_file && (st = encode_file(&c->chat, p->val_file, T, &c->val)) != ATTN_OK) return st;
    attn_model *ref = NULL;
    if ((st = attn_model_load(p->init_from, &ref)) != ATTN_OK) return error_prefixf(st, "the reference model");
    if (p->resume && (ref->n_weights != (*pm)->n_weights || ref->kind != (*pm)->kind))
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "--resume: %s is not the model %s was trained from", p->init_from, p->out_dir);
    if (!st) st = reference_for(ref, p->data_dir, &c->train, B, T);
    if (!st && p->val_file) st = reference_for(ref, p->val_file, &c->val, B, T);
    attn_model_free(ref);
    if (st) return st;
    if ((st = train_chat_save(&c->chat, p)) != ATTN_OK) return st;
    int64_t cells = A * 2 * B * T;
    c->smp = (train_sampler){.n = c->train.n, .epoch = -1, .seed = p->seed,
                             .perm = attn_malloc((size_t)c->train.n * sizeof(int64_t))};
    c->in = attn_malloc((size_t)cells * sizeof *c->in);
    c->tg = attn_malloc((size_t)cells * sizeof *c->tg);
    c->labels = attn_malloc((size_t)(A * B) * sizeof *c->labels);
    if (!c->smp.perm || !c->in || !c->tg || !c->labels) return ATTN_ERR_OUT_OF_MEMORY;
    c->A = A, c->B = B, c->T = T, c->beta = p->dpo_beta, c->ipo = p->dpo_ipo;
    *plan = (train_plan){.n_micro = A, .T = T, .tok = c->chat.tok, .evaluates = p->val_file != NULL};
    return ATTN_OK;
}

static void dpo_close(void *ctx) {
    dpo_ctx *c = ctx;
    set_free(&c->train);
    set_free(&c->val);
    attn_free(c->smp.perm);
    attn_free(c->in);
    attn_free(c->tg);
    attn_free(c->labels);
    train_chat_close(&c->chat);
}

const train_objective_ops train_dpo_ops = {sizeof(dpo_ctx), dpo_open, dpo_prepare, dpo_batches, dpo_evaluate, dpo_close,
                                           dpo_step_stats, NULL};
