/* grpo.c — the grpo row (objective.h; the contract in train.h,
 * ATTN_OBJECTIVE_GRPO): group relative policy optimisation (Shao et al.
 * 2024) on the built-in arithmetic task. Each step's prompts "A+B=" come
 * from (seed, step), each gets `group` completions sampled from the policy
 * with the KV-cache generator (seeds from (seed, step, row)), so a resumed
 * run samples the same ones; the reward is 1 for an exact answer, the
 * advantages the rewards normalised within each group, and the loss
 * -sum_i A_i mean_t log pi(o_it) / (B G) (one update per batch: the ratio
 * is 1, so PPO's clipping does not act), through op_seq_logprob and
 * op_dot_const, plus with --kl the k3 estimate of KL(policy || --init
 * model) per completion token (op_token_kl). */
#include "attn/generate.h"
#include "attn/tokenizer.h"
#include "train/objective.h"

#include <math.h>
#include <stdio.h>

#define ARITH_STREAM 0x61726974ULL /* "arit" */
#define ARITH_VAL 0x61727476ULL    /* "artv" */
#define SAMPLE_STREAM 0x67727073ULL /* "grps" */
#define ARITH_MAX 50               /* operands in [0, 50) */
#define MAX_NEW 6                  /* completion tokens at most */
#define VAL_PROMPTS 64

typedef struct grpo_ctx {
    attn_tokenizer *tok;
    int64_t A, B, G, T;           /* T: the longest row, prompt + MAX_NEW */
    int32_t stop;
    uint64_t seed;
    attn_model *model;            /* the policy (the trainer's) */
    int32_t *in, *tg;             /* A * B * G * T */
    float *w;                     /* A * B * G: the rows' weights */
    float kl;                     /* the KL penalty's coefficient (0: none, no reference) */
    attn_model *ref;              /* the frozen reference (kl > 0) */
    float *ref_lp, *kl_w;         /* A * B * G * T: the reference's token log-probabilities, the KL weights */
    graph rg;                     /* the reference's forwards */
    double reward_sum, reward_n;
    double kl_sum, kl_n;          /* the step's micro-batches' mean k3 KL (kl > 0) */
    /* a micro-batch's sampling: B prompts (ids, lengths, answers), B * G
     * rows (prompt, length, seed, completion of MAX_NEW, its length) */
    int32_t **bp, **rp, *comp;
    int64_t *bn, *rn, *rc;
    char (*ans)[16];
    uint64_t *rseed;
} grpo_ctx;

/* The k-th prompt of a stream: "A+B=" and its answer. */
void train_arith_prompt(uint64_t seed, uint64_t stream, uint64_t k, char *prompt, size_t n, char *answer, size_t na) {
    uint64_t h = rng_hash(seed, stream, k);
    int a = (int)(h % ARITH_MAX), b = (int)((h >> 20) % ARITH_MAX);
    snprintf(prompt, n, "%d+%d=", a, b);
    snprintf(answer, na, "%d", a + b);
}

attn_status train_arith_exact(const attn_tokenizer *tok, int32_t stop, const int32_t *ids, int64_t n, const char *answer,
                              float *r) {
    if (n > 0 && ids[n - 1] == stop) n--;
    char *text = NULL;
    size_t len = 0;
    attn_status st = attn_tokenizer_decode(tok, ids, n, &text, &len);
    if (st) return st;
    const char *nl = memchr(text, '\n', len);
    if (nl) len = (size_t)(nl - text); /* the answer's line */
    size_t s = 0;
    while (s < len && text[s] == ' ') s++;
    while (len > s && (text[len - 1] == ' ' || text[len - 1] == '\n')) len--;
    *r = len - s == strlen(answer) && !memcmp(text + s, answer, len - s) ? 1.0f : 0.0f;
    attn_free(text);
    return ATTN_OK;
}

attn_status train_sample(attn_model *m, const int32_t *ids, int64_t np, uint64_t seed, float temperature,
                         int64_t max_new, int32_t stop, int32_t *out, int64_t *n) {
    attn_sampler_params sp = attn_sampler_default_params();
    sp.temperature = temperature;
    sp.max_new_tokens = max_new;
    sp.stop_token = stop;
    return attn_gen_batch(m, &sp, 1, &ids, &np, &seed, out, n);
}

/* The reference's log-probability of each target of b, and the KL weights
 * kl / completion length / rows on them. */
static attn_status reference_tokens(grpo_ctx *c, const model_batch *b, const int64_t *len, float *lp, float *w) {
    graph_reset(&c->rg, false, false, 0);
    tensor *z = model_forward(c->ref, &c->rg, b->inputs, b->B, b->T, NULL, false);
    if (!z) return c->rg.status ? c->rg.status : ATTN_ERR_INVALID_ARG;
    int64_t V = z->shape[z->ndim - 1];
    for (int64_t n = 0; n < b->B * b->T; n++) {
        int32_t y = b->targets[n];
        lp[n] = w[n] = 0;
        if (y < 0) continue;
        const float *row = z->data + n * V;
        float mx = row[0];
        for (int64_t v = 1; v < V; v++) mx = row[v] > mx ? row[v] : mx;
        double s = 0;
        for (int64_t v = 0; v < V; v++) s += exp((double)(row[v] - mx));
        lp[n] = (float)((double)row[y] - (double)mx - log(s));
        int64_t l = len[n / b->T];
        w[n] = l > 0 ? (float)((double)c->kl / (double)l / (double)b->B) : 0.0f;
    }
    return ATTN_OK;
}

static attn_status grpo_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    grpo_ctx *c = ctx;
    int64_t rows = c->B * c->G, T = c->T, real = 0;
    float *r = attn_malloc((size_t)rows * sizeof *r);
    int64_t *len = attn_malloc((size_t)rows * sizeof *len);
    if (!r || !len) {
        attn_free(r);
        attn_free(len);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    attn_status st = ATTN_OK;
    c->reward_sum = c->reward_n = 0;
    c->kl_sum = c->kl_n = 0;
    for (int64_t a = 0; a < c->A && !st; a++) {
        int32_t *in = c->in + a * rows * T, *tg = c->tg + a * rows * T;
        float *w = c->w + a * rows;
        /* the micro-batch's B prompts, G samples each, decoded together */
        char (*answer)[16] = c->ans;
        int32_t **pids = c->bp;
        int64_t *pn = c->bn;
        for (int64_t b = 0; b < c->B && !st; b++) {
            char prompt[32];
            train_arith_prompt(c->seed, ARITH_STREAM, (uint64_t)((step * c->A + a) * c->B + b), prompt, sizeof prompt, answer[b],
                               sizeof answer[b]);
            st = attn_tokenizer_encode(c->tok, prompt, strlen(prompt), &pids[b], &pn[b]);
        }
        for (int64_t row = 0; row < rows && !st; row++) {
            c->rp[row] = pids[row / c->G];
            c->rn[row] = pn[row / c->G];
            c->rseed[row] = rng_hash(c->seed ^ SAMPLE_STREAM, (uint64_t)step, (uint64_t)(a * rows + row));
        }
        if (!st) {
            attn_sampler_params sp = attn_sampler_default_params();
            sp.temperature = 1.0f;
            sp.max_new_tokens = MAX_NEW;
            sp.stop_token = c->stop;
            st = attn_gen_batch(c->model, &sp, rows, (const int32_t *const *)c->rp, c->rn, c->rseed, c->comp, c->rc);
        }
        for (int64_t row = 0; row < rows && !st; row++) {
            int64_t b = row / c->G, np = pn[b], nc = c->rc[row];
            const int32_t *comp = c->comp + row * MAX_NEW;
            int32_t *seq = in + row * T;
            if ((st = train_arith_exact(c->tok, c->stop, comp, nc, answer[b], &r[row])) != ATTN_OK) break;
            len[row] = nc;
            /* row: prompt + completion, targets over the completion */
            for (int64_t t = 0; t < T; t++) {
                int64_t pos = t + 1;
                seq[t] = t < np ? pids[b][t] : t - np < nc ? comp[t - np] : 0;
                tg[row * T + t] = pos >= np && pos - np < nc ? comp[pos - np] : -1;
            }
            real += np + nc - 1;
            c->reward_sum += (double)r[row];
            c->reward_n++;
        }
        for (int64_t b = 0; b < c->B; b++) {
            attn_free(pids[b]);
            pids[b] = NULL;
        }
        if (!st) train_grpo_weights(r, len, c->B, c->G, w);
        mbs[a] = (model_batch){.B = rows, .T = T, .inputs = in, .targets = tg};
        if (!st && c->ref) st = reference_tokens(c, &mbs[a], len, c->ref_lp + a * rows * T, c->kl_w + a * rows * T);
    }
    attn_free(r);
    attn_free(len);
    *tokens = (double)real;
    return st;
}

tensor *train_grpo_loss(void *ctx, attn_model *m, graph *g, const model_batch *b) {
    grpo_ctx *c = ctx;
    int64_t rows = c->B * c->G, a = (b->inputs - c->in) / (rows * c->T);
    int32_t *seq = graph_ints(g, b->B * b->T);
    if (!seq) return NULL;
    for (int64_t r = 0; r < b->B; r++)
        for (int64_t t = 0; t < b->T; t++) seq[r * b->T + t] = b->targets[r * b->T + t] >= 0 ? (int32_t)r : -1;
    tensor *logits = model_forward(m, g, b->inputs, b->B, b->T, NULL, false);
    tensor *pg = op_dot_const(g, op_seq_logprob(g, logits, b->targets, seq, b->B), c->w + a * rows);
    if (!c->ref) return pg;
    tensor *kl = op_token_kl(g, logits, b->targets, c->ref_lp + a * rows * c->T, c->kl_w + a * rows * c->T);
    if (kl) { /* kl x the mean over the rows of each row's mean k3 */
        c->kl_sum += (double)kl->data[0] / (double)c->kl;
        c->kl_n += 1;
    }
    return op_add(g, pg, kl);
}

void train_grpo_weights(const float *r, const int64_t *len, int64_t B, int64_t G, float *w) {
    for (int64_t b = 0; b < B; b++) {
        const float *rg = r + b * G;
        double mean = 0, var = 0;
        for (int64_t g = 0; g < G; g++) mean += (double)rg[g];
        mean /= (double)G;
        for (int64_t g = 0; g < G; g++) var += ((double)rg[g] - mean) * ((double)rg[g] - mean);
        double sd = sqrt(var / (double)G);
        for (int64_t g = 0; g < G; g++) {
            int64_t row = b * G + g;
            double adv = ((double)rg[g] - mean) / (sd + 1e-4);
            w[row] = len[row] > 0 ? (float)(-adv / (double)len[row] / (double)(B * G)) : 0.0f;
        }
    }
}

static void grpo_step_stats(void *ctx, attn_train_progress *pr) {
    grpo_ctx *c = ctx;
    if (!(c->reward_n > 0)) return;
    pr->has_reward_mean = true;
    pr->reward_mean = (float)(c->reward_sum / c->reward_n);
    if (c->kl_n > 0) {
        pr->has_grpo_kl = true;
        pr->kl = (float)(c->kl_sum / c->kl_n);
    }
}

/* Greedy exact-match accuracy on VAL_PROMPTS held-out prompts. */
static attn_status grpo_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    grpo_ctx *c = ctx;
    int correct = 0;
    for (int k = 0; k < VAL_PROMPTS; k++) {
        char prompt[32], answer[16];
        train_arith_prompt(c->seed, ARITH_VAL, (uint64_t)k, prompt, sizeof prompt, answer, sizeof answer);
        int32_t *pids = NULL, comp[MAX_NEW];
        int64_t np = 0, nc = 0;
        float r = 0;
        attn_status st = attn_tokenizer_encode(c->tok, prompt, strlen(prompt), &pids, &np);
        if (!st) st = train_sample(c->model, pids, np, 0, 0.0f, MAX_NEW, c->stop, comp, &nc);
        if (!st) st = train_arith_exact(c->tok, c->stop, comp, nc, answer, &r);
        attn_free(pids);
        if (st) return st;
        correct += r > 0;
    }
    pr->has_val_exact = true;
    pr->val_exact_match = (float)correct / VAL_PROMPTS;
    return ATTN_OK;
}

static attn_status grpo_open(void *ctx, const attn_train_params *p, attn_model **out) {
    if (!(p->resume ? p->out_dir : p->init_from))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective grpo trains a model: give one with --init DIR");
    if (strcmp(p->data_dir, "arith"))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective grpo has one built-in task: --data arith (not %s)", p->data_dir);
    return train_load_start(p, out);
}

static attn_status grpo_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    grpo_ctx *c = ctx;
    attn_status st;
    const char *model_dir = p->resume ? p->out_dir : p->init_from;
    if ((st = attn_tokenizer_load(model_dir, &c->tok)) != ATTN_OK)
        return error_prefixf(st, "%s: --objective grpo needs the model's tokenizer.json", model_dir);
    attn_gpt_config cfg = attn_model_config(*pm);
    if (attn_tokenizer_vocab_size(c->tok) > cfg.vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: the tokenizer has %d tokens but the model only %lld embeddings", model_dir,
                           (int)attn_tokenizer_vocab_size(c->tok), (long long)cfg.vocab_size);
    if (p->group < 2) return attn_errorf(ATTN_ERR_INVALID_ARG, "--group must be at least 2");
    (*pm)->cfg.dropout = p->model.dropout;
    c->A = p->grad_accum, c->B = p->batch_size, c->G = p->group, c->T = 16 + MAX_NEW, c->seed = p->seed;
    if (c->T > cfg.n_ctx) return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective grpo needs a context of %lld positions", (long long)c->T);
    c->stop = attn_tokenizer_eot(c->tok);
    c->kl = p->kl_coef;
    if (c->kl > 0) {
        if (!p->init_from)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "--kl compares the policy with the --init model: give it (with --resume too)");
        if ((st = attn_model_load(p->init_from, &c->ref)) != ATTN_OK) return error_prefixf(st, "the reference model");
        graph_init(&c->rg, NULL);
        int64_t cells = c->A * c->B * c->G * c->T;
        c->ref_lp = attn_malloc((size_t)cells * sizeof *c->ref_lp);
        c->kl_w = attn_malloc((size_t)cells * sizeof *c->kl_w);
        if (!c->ref_lp || !c->kl_w) return ATTN_ERR_OUT_OF_MEMORY;
    }
    c->model = *pm;
    int64_t rows = c->A * c->B * c->G;
    c->in = attn_malloc((size_t)(rows * c->T) * sizeof *c->in);
    c->tg = attn_malloc((size_t)(rows * c->T) * sizeof *c->tg);
    c->w = attn_malloc((size_t)rows * sizeof *c->w);
    int64_t mrows = c->B * c->G;
    c->bp = attn_calloc((size_t)c->B, sizeof *c->bp);
    c->bn = attn_calloc((size_t)c->B, sizeof *c->bn);
    c->ans = attn_calloc((size_t)c->B, sizeof *c->ans);
    c->rp = attn_calloc((size_t)mrows, sizeof *c->rp);
    c->rn = attn_calloc((size_t)mrows, sizeof *c->rn);
    c->rc = attn_calloc((size_t)mrows, sizeof *c->rc);
    c->rseed = attn_calloc((size_t)mrows, sizeof *c->rseed);
    c->comp = attn_calloc((size_t)(mrows * MAX_NEW), sizeof *c->comp);
    if (!c->in || !c->tg || !c->w || !c->bp || !c->bn || !c->ans || !c->rp || !c->rn || !c->rc || !c->rseed || !c->comp)
        return ATTN_ERR_OUT_OF_MEMORY;
    *plan = (train_plan){.n_micro = c->A, .T = c->T, .tok = c->tok, .evaluates = true};
    return ATTN_OK;
}

static void grpo_close(void *ctx) {
    grpo_ctx *c = ctx;
    attn_free(c->in);
    attn_free(c->tg);
    attn_free(c->w);
    for (int64_t b = 0; c->bp && b < c->B; b++) attn_free(c->bp[b]);
    attn_free(c->bp);
    attn_free(c->bn);
    attn_free(c->ans);
    attn_free(c->rp);
    attn_free(c->rn);
    attn_free(c->rc);
    attn_free(c->rseed);
    attn_free(c->comp);
    attn_free(c->ref_lp);
    attn_free(c->kl_w);
    if (c->ref) graph_free(&c->rg);
    attn_model_free(c->ref);
    attn_tokenizer_free(c->tok);
}

const train_objective_ops train_grpo_ops = {sizeof(grpo_ctx), grpo_open, grpo_prepare, grpo_batches, grpo_evaluate, grpo_close,
                                           grpo_step_stats, NULL};
