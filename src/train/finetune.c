/* finetune.c — attn_train() for ATTN_OBJECTIVE_CLASSIFY: a classifier
 * fine-tuned on a labelled file, evaluated by accuracy and macro-F1 (see
 * train.h for the contract): the classify row's data source (objective.h)
 * over loop.c's run; batches are a function of (seed, step), so a resumed
 * run draws the same examples. */
#include "attn/encoder.h"
#include "attn/labeled.h"
#include "attn/tokenizer.h"
#include "train/objective.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#define PERM_STREAM 0x7065726d75746eULL /* "permutn" */

/* ---- examples --------------------------------------------------------------- */

typedef struct examples {
    int64_t n, max_len;
    int32_t **ids, **types;
    int64_t *len;
    const int32_t *label;     /* the labelled file's */
} examples;

static void examples_free(examples *ex) {
    for (int64_t i = 0; i < ex->n && ex->ids; i++) {
        attn_free(ex->ids[i]);
        attn_free(ex->types[i]);
    }
    attn_free(ex->ids);
    attn_free(ex->types);
    attn_free(ex->len);
    memset(ex, 0, sizeof *ex);
}

/* Encodes every example (text, or text pair) with the tokenizer's
 * post-processor, truncated to max_len tokens. */
static attn_status tokenize_all(const attn_tokenizer *tok, const attn_labeled *d, const char *path, int64_t max_len,
                                examples *ex) {
    memset(ex, 0, sizeof *ex);
    ex->ids = attn_calloc((size_t)d->n, sizeof *ex->ids);
    ex->types = attn_calloc((size_t)d->n, sizeof *ex->types);
    ex->len = attn_calloc((size_t)d->n, sizeof *ex->len);
    if (!ex->ids || !ex->types || !ex->len) return ATTN_ERR_OUT_OF_MEMORY;
    ex->n = d->n;
    ex->label = d->label;
    for (int64_t i = 0; i < d->n; i++) {
        const char *b = d->text_pair ? d->text_pair[i] : NULL;
        attn_status st = attn_tokenizer_encode_pair(tok, d->text[i], strlen(d->text[i]), b, b ? strlen(b) : 0, max_len,
                                                    &ex->ids[i], &ex->types[i], &ex->len[i]);
        if (st) {
            return error_prefixf(st, "%s: example %lld", path, (long long)i + 1);
        }
        if (ex->len[i] < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: example %lld encodes to no tokens", path, (long long)i + 1);
        if (ex->len[i] > ex->max_len) ex->max_len = ex->len[i];
    }
    return ATTN_OK;
}

/* ---- the model's classifier --------------------------------------------------- */

static const char *unprefixed(const char *name) {
    if (!strncmp(name, "bert.", 5)) return name + 5;
    if (!strncmp(name, "roberta.", 8)) return name + 8;
    return name;
}

static bool same_labels(const attn_model *m, const char *const *labels, int64_t n_labels) {
    if (attn_model_num_labels(m) != n_labels) return false;
    for (int64_t i = 0; i < n_labels; i++)
        if (strcmp(attn_model_label(m, i), labels[i])) return false;
    return true;
}

/* Gives *pm a classifier over labels[0..n_labels) (objective.h): kept when it already has exactly
 * those, else a new model of the same architecture with a fresh head (and,
 * for BERT, a pooler when the checkpoint had none) from `seed`, every
 * tensor of the old one that the new one also has copied over. */
attn_status train_ensure_classifier(attn_model **pm, const char *const *labels, int64_t n_labels, int32_t pad_id,
                                    uint64_t seed) {
    attn_model *src = *pm, *dst = NULL;
    if (same_labels(src, labels, n_labels)) return ATTN_OK;
    attn_status st;
    attn_bert_config bc;
    if (attn_model_encoder_config(src, &bc)) {
        bc.num_labels = n_labels;
        bc.token_classifier = false;
        bc.mlm_head = bc.nsp_head = false;
        bc.pooler = !bc.roberta;
        st = attn_bert_new(&bc, seed, &dst);
    } else {
        attn_gpt_config gc = attn_model_config(src);
        gc.num_labels = n_labels;
        if (gc.pad_token_id < 0) gc.pad_token_id = pad_id;
        st = attn_model_new(&gc, seed, &dst);
    }
    if (st) return st;
    for (int k = 0; k < dst->n_params_tensors; k++) {
        const param_info *p = &dst->params[k];
        for (int j = 0; j < src->n_params_tensors; j++) {
            const param_info *q = &src->params[j];
            if (q->numel == p->numel && !strcmp(unprefixed(q->name), unprefixed(p->name))) {
                memcpy(dst->weights + p->offset, src->weights + q->offset, (size_t)p->numel * sizeof(float));
                break;
            }
        }
    }
    dst->cfg.dropout = src->cfg.dropout;
    if ((st = model_set_labels(dst, labels, n_labels)) != ATTN_OK) {
        attn_model_free(dst);
        return st;
    }
    attn_model_free(src);
    *pm = dst;
    return ATTN_OK;
}

/* ---- batches ------------------------------------------------------------------ */

int64_t train_sampler_draw(train_sampler *s, int64_t k) {
    int64_t e = k / s->n;
    if (e != s->epoch) {
        for (int64_t i = 0; i < s->n; i++) s->perm[i] = i;
        for (int64_t i = s->n - 1; i > 0; i--) { /* Fisher-Yates */
            int64_t j = (int64_t)(rng_hash(s->seed ^ PERM_STREAM, (uint64_t)e, (uint64_t)i) % (uint64_t)(i + 1));
            int64_t t = s->perm[i];
            s->perm[i] = s->perm[j];
            s->perm[j] = t;
        }
        s->epoch = e;
    }
    return s->perm[k % s->n];
}

typedef struct batch_buf {
    int32_t *ids, *types, *labels;
    uint8_t *mask;
} batch_buf;

/* Rows idx[0..B) of ex padded to the longest with pad_id. Returns the real tokens. */
static int64_t fill_batch(const examples *ex, const int64_t *idx, int64_t B, int32_t pad_id, batch_buf *bb, model_batch *mb) {
    int64_t T = 1, real = 0;
    for (int64_t b = 0; b < B; b++)
        if (ex->len[idx[b]] > T) T = ex->len[idx[b]];
    for (int64_t b = 0; b < B; b++) {
        int64_t i = idx[b], n = ex->len[i];
        for (int64_t t = 0; t < T; t++) {
            bool in = t < n;
            bb->ids[b * T + t] = in ? ex->ids[i][t] : pad_id;
            bb->types[b * T + t] = in ? ex->types[i][t] : 0;
            bb->mask[b * T + t] = in;
        }
        bb->labels[b] = ex->label[i];
        real += n;
    }
    *mb = (model_batch){.B = B, .T = T, .inputs = bb->ids, .type_ids = bb->types, .mask = bb->mask, .labels = bb->labels};
    return real;
}

/* ---- evaluation --------------------------------------------------------------- */

typedef struct metrics {
    float loss, accuracy, macro_f1;
} metrics;

static attn_status evaluate(attn_trainer *tr, const examples *ex, int64_t n_labels, int64_t B, int32_t pad_id, batch_buf *bb,
                            int64_t *idx, int64_t *counts, metrics *out) {
    int64_t L = n_labels, *tp = counts, *fp = counts + L, *fn = counts + 2 * L;
    memset(counts, 0, (size_t)(3 * L) * sizeof *counts);
    double loss = 0;
    int64_t correct = 0;
    for (int64_t start = 0; start < ex->n; start += B) {
        int64_t nb = ex->n - start < B ? ex->n - start : B;
        for (int64_t b = 0; b < nb; b++) idx[b] = start + b;
        model_batch mb;
        fill_batch(ex, idx, nb, pad_id, bb, &mb);
        graph_reset(&tr->g, false, false, 0);
        tensor *lg = model_classify(tr->model, &tr->g, &mb);
        if (!lg) return tr->g.status ? tr->g.status : ATTN_ERR_INVALID_ARG;
        for (int64_t b = 0; b < nb; b++) {
            const float *z = lg->data + b * L;
            int64_t best = 0;
            double mx = z[0], sum = 0;
            for (int64_t l = 1; l < L; l++)
                if (z[l] > z[best]) best = l;
            mx = z[best];
            for (int64_t l = 0; l < L; l++) sum += exp((double)z[l] - mx);
            int32_t y = bb->labels[b];
            loss += mx + log(sum) - (double)z[y];
            if (best == y) {
                correct++;
                tp[y]++;
            } else {
                fp[best]++;
                fn[y]++;
            }
        }
    }
    double f1 = 0;
    int64_t present = 0;
    for (int64_t l = 0; l < L; l++) {
        if (tp[l] + fp[l] + fn[l] == 0) continue; /* neither true nor predicted anywhere */
        present++;
        f1 += 2.0 * (double)tp[l] / (double)(2 * tp[l] + fp[l] + fn[l]);
    }
    out->loss = (float)(loss / (double)ex->n);
    out->accuracy = (float)((double)correct / (double)ex->n);
    out->macro_f1 = present ? (float)(f1 / (double)present) : 0.0f;
    return ATTN_OK;
}

/* ---- the row's data source ------------------------------------------------- */

typedef struct cls_ctx {
    attn_labeled *train_file, *val_file;
    attn_tokenizer *tok;
    examples train, val;
    train_sampler smp;
    batch_buf bb;
    int64_t A, B, T, n_labels;
    int32_t pad_id;
    int64_t *idx, *counts;
} cls_ctx;

static attn_status cls_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    cls_ctx *c = ctx;
    int64_t real = 0, B = c->B, T = c->T;
    for (int64_t a = 0; a < c->A; a++) {
        batch_buf part = {c->bb.ids + a * B * T, c->bb.types + a * B * T, c->bb.labels + a * B, c->bb.mask + a * B * T};
        for (int64_t b = 0; b < B; b++) c->idx[b] = train_sampler_draw(&c->smp, (step * c->A + a) * B + b);
        real += fill_batch(&c->train, c->idx, B, c->pad_id, &part, &mbs[a]);
    }
    *tokens = (double)real;
    return ATTN_OK;
}

static attn_status cls_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    cls_ctx *c = ctx;
    metrics mt;
    attn_status st = evaluate(tr, &c->val, c->n_labels, c->B, c->pad_id, &c->bb, c->idx, c->counts, &mt);
    if (st) return st;
    pr->has_val = pr->has_accuracy = true;
    pr->val_loss = mt.loss;
    pr->val_accuracy = mt.accuracy;
    pr->val_macro_f1 = mt.macro_f1;
    return ATTN_OK;
}

int32_t train_pad_token(const attn_model *m, const attn_tokenizer *tok) {
    attn_bert_config bc;
    if (attn_model_encoder_config(m, &bc) && bc.pad_token_id >= 0) return bc.pad_token_id;
    attn_gpt_config gc = attn_model_config(m);
    if (gc.pad_token_id >= 0) return gc.pad_token_id;
    static const char *const names[] = {"<pad>", "[PAD]", NULL};
    for (const char *const *n = names; *n; n++) {
        int32_t id = attn_tokenizer_added_id(tok, *n);
        if (id >= 0) return id;
    }
    int32_t eot = attn_tokenizer_eot(tok);
    return eot >= 0 ? eot : 0;
}

/* The model to fine-tune: OUT's on resume, else --init's (required). */
static attn_status cls_open(void *ctx, const attn_train_params *p, attn_model **out) {
    if (!(p->resume ? p->out_dir : p->init_from))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective classify fine-tunes a model: give one with --init DIR");
    return train_load_start(p, out);
}

/* The model's tokenizer, the labelled files, the classifier over their
 * labels, the examples encoded, buffers. */
static attn_status cls_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    cls_ctx *c = ctx;
    attn_status st;
    const char *model_dir = p->resume ? p->out_dir : p->init_from;
    int64_t B = p->batch_size, A = p->grad_accum;
    if ((st = attn_tokenizer_load(model_dir, &c->tok)) != ATTN_OK)
        return error_prefixf(st, "%s: fine-tuning needs the model's tokenizer.json", model_dir);
    attn_tokenizer *tok = c->tok;
    attn_gpt_config shared = attn_model_config(*pm);
    if (attn_tokenizer_vocab_size(tok) > shared.vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: the tokenizer has %d tokens but the model only %lld embeddings", model_dir,
                           (int)attn_tokenizer_vocab_size(tok), (long long)shared.vocab_size);
    if ((st = attn_labeled_read(p->data_dir, NULL, 0, &c->train_file)) != ATTN_OK) return st;
    attn_labeled *train = c->train_file, *val = NULL;
    if (train->n_labels < 2)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: a classifier needs at least two labels; the file has %lld", p->data_dir,
                           (long long)train->n_labels);
    if (p->val_file &&
        (st = attn_labeled_read(p->val_file, (const char *const *)train->labels, train->n_labels, &c->val_file)) != ATTN_OK)
        return st;
    val = c->val_file;
    if (p->model.dropout > 0) (*pm)->cfg.dropout = p->model.dropout;
    int32_t pad_id = train_pad_token(*pm, tok);
    if ((st = train_ensure_classifier(pm, (const char *const *)train->labels, train->n_labels, pad_id, p->seed)) != ATTN_OK)
        return st;
    attn_model *model = *pm;
    if (p->model.dropout > 0) model->cfg.dropout = p->model.dropout;
    int64_t limit = attn_model_encoder_config(model, NULL) ? attn_encoder_max_length(model) : attn_model_config(model).n_ctx;
    int64_t T = p->seq_len ? p->seq_len : limit;
    if (T < 2 || T > limit)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sequence length %lld must be in [2, %lld] (the model's positions)", (long long)T,
                           (long long)limit);
    if ((st = tokenize_all(tok, train, p->data_dir, T, &c->train)) != ATTN_OK) return st;
    if (val && (st = tokenize_all(tok, val, p->val_file, T, &c->val)) != ATTN_OK) return st;

    int64_t rows = A * B, cells = rows * T;
    c->smp = (train_sampler){.n = c->train.n, .epoch = -1, .seed = p->seed, .perm = attn_malloc((size_t)c->train.n * sizeof(int64_t))};
    c->bb.ids = attn_malloc((size_t)cells * sizeof *c->bb.ids);
    c->bb.types = attn_malloc((size_t)cells * sizeof *c->bb.types);
    c->bb.labels = attn_malloc((size_t)rows * sizeof *c->bb.labels);
    c->bb.mask = attn_malloc((size_t)cells);
    c->idx = attn_malloc((size_t)B * sizeof *c->idx);
    c->counts = attn_malloc((size_t)(3 * train->n_labels) * sizeof *c->counts);
    if (!c->smp.perm || !c->bb.ids || !c->bb.types || !c->bb.labels || !c->bb.mask || !c->idx || !c->counts)
        return ATTN_ERR_OUT_OF_MEMORY;
    c->A = A, c->B = B, c->T = T, c->n_labels = train->n_labels, c->pad_id = pad_id;
    *plan = (train_plan){.n_micro = A, .T = T, .tok = tok, .evaluates = val != NULL};
    return ATTN_OK;
}

static void cls_close(void *ctx) {
    cls_ctx *c = ctx;
    attn_free(c->smp.perm);
    attn_free(c->bb.ids);
    attn_free(c->bb.types);
    attn_free(c->bb.labels);
    attn_free(c->bb.mask);
    attn_free(c->idx);
    attn_free(c->counts);
    examples_free(&c->train);
    examples_free(&c->val);
    attn_tokenizer_free(c->tok);
    attn_labeled_free(c->train_file);
    attn_labeled_free(c->val_file);
}

const train_objective_ops train_classify_ops = {sizeof(cls_ctx), cls_open, cls_prepare, cls_batches, cls_evaluate, cls_close, NULL, NULL};
