/* ppo.c — the ppo row (objective.h; the contract in train.h,
 * ATTN_OBJECTIVE_PPO): proximal policy optimisation of a decoder against a
 * reward with a per-token KL penalty to the frozen --init model, as in
 * InstructGPT (Ouyang et al. 2022) after Ziegler et al. (2019), with TRL's
 * PPOTrainer's loss pieces.
 *
 * A rollout serves ppo_epochs optimizer steps: step s uses rollout s /
 * ppo_epochs, made at its first step. It draws batch x accum prompts from
 * (seed, rollout) (epoch-wise permutations of the prompts file, or the
 * built-in "A+B=" prompts of grpo.c), samples one completion each with the
 * KV-cache generator (temperature 1, seeds from (seed, rollout, row)),
 * scores it (a one-label reward model's output on prompt + completion,
 * which must share the policy's tokenizer; or exact-match arithmetic), and
 * runs the policy (its log-probabilities pi_old, entropy, and the value
 * head's values) and the reference (log ref) over the rows. Per-token
 * rewards are -kl_coef (log pi_old - log ref), plus the score on the last
 * completion token; GAE (gamma, lam; train_ppo_gae) gives advantages and
 * returns, the advantages whitened over the rollout's tokens. Each step's
 * loss per micro-batch is op_ppo_policy (clipped ratio, mean over the
 * micro-batch's completion tokens) + vf_coef op_ppo_value (clipped value
 * loss, the same mean); with kl_target > 0 the coefficient adapts after
 * each rollout (train_ppo_adapt_kl). With ptx_coef > 0 each micro-batch
 * adds ptx_coef times the causal-LM loss of batch windows of the --data
 * shards (InstructGPT's PPO-ptx), drawn from (seed, step).
 *
 * The value head is a linear map (v_head.summary.weight (1, width),
 * v_head.summary.bias (1), the names of TRL's value-head models) of the
 * policy's final hidden states, which are the input of the forward's last
 * op, the output projection (the forward is recorded, so the tape holds
 * it). Its gradient flows into the shared trunk; its own weights take an
 * Adam step (the run's learning rate and betas, no weight decay, outside
 * the gradient norm's clipping) after each optimizer step, in step_stats,
 * which the loop runs after every step. OUT/value_head.safetensors holds the
 * head, its Adam moments, the KL coefficient, the counters and the rollout
 * in progress, written at each checkpoint before the trainer state, so a
 * resume (even within a rollout's steps) continues bit for bit. */
#include "attn/chat.h"
#include "attn/chat_data.h"
#include "attn/data.h"
#include "attn/eval.h"
#include "attn/generate.h"
#include "attn/tokenizer.h"
#include "core/core.h"
#include "io/safetensors.h"
#include "train/dist.h"
#include "train/objective.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define ARITH_STREAM 0x7070616fULL  /* "ppao": the rollouts' arithmetic prompts */
#define ARITH_VAL 0x61727476ULL     /* "artv": grpo.c's held-out prompts */
#define SAMPLE_STREAM 0x7070736dULL /* "ppsm" */
#define HEAD_STREAM 0x70706864ULL   /* "pphd" */
#define PTX_STREAM 0x70747877ULL    /* "ptxw" */
#define ARITH_PROMPT 8              /* an arithmetic prompt's tokens at most */
#define VAL_PROMPTS 64
#define HEAD_FILE "value_head.safetensors"
#define HEAD_PREV "value_head.prev.safetensors" /* the checkpoint before, until the next one is whole */

typedef struct ppo_ctx {
    train_chat chat;
    bool arith_prompts, arith_reward;
    int32_t **pids;                /* the prompts file's prompts, encoded */
    int64_t *pn, n_prompts;
    train_sampler smp;
    attn_model *model, *ref, *rm;
    int64_t A, B, T, K, max_new, horizon, d;
    int32_t stop;
    uint64_t seed;
    float eps, eps_v, vf_coef, gamma, lam, kl_coef, kl_target;
    attn_optim_params optim;
    /* the rollout: rows = A * B, cells = rows * T (values per target position) */
    int64_t phase, saved_step;
    int32_t *in, *tg;
    float *old_lp, *old_v, *adv, *ret, *w, *wv;
    double real_tokens;
    float stats[5];                /* the rollout's kl, entropy, mean reward, coefficient used, mean lexicon score */
    attn_lexicon *lex;             /* --lexicon: scores the completions for the log */
    /* the value head: weight (d) then bias, its gradient and Adam moments */
    float *vh, *vg, *vm, *vv;
    int64_t vstep;
    tensor vw, vb;
    graph rg;                      /* the rollout's forwards */
    /* this step's numbers */
    double clip_n, clip_d, vloss, t_ready, rollout_tps;
    bool rolled;
    /* the ptx term: windows of Tp tokens from the --data shards, drawn from (seed, step) */
    float ptx_coef;
    attn_shard *ptx, *ptx_val;
    int64_t Tp;
    int32_t *pin, *ptg, *pbuf;
    double ptx_loss;
} ppo_ctx;

/* ---- the pieces a test checks ---------------------------------------------------- */

void train_ppo_gae(const float *r, const float *v, int64_t n, float gamma, float lam, float *adv, float *ret) {
    double next_v = 0, next_a = 0;
    for (int64_t t = n - 1; t >= 0; t--) {
        double delta = (double)r[t] + (double)gamma * next_v - (double)v[t];
        next_a = delta + (double)gamma * (double)lam * next_a;
        adv[t] = (float)next_a;
        ret[t] = (float)(next_a + (double)v[t]);
        next_v = (double)v[t];
    }
}

void train_ppo_whiten(float *x, const float *mask, int64_t n) {
    double s = 0, c = 0, q = 0;
    for (int64_t i = 0; i < n; i++)
        if (mask[i] != 0) s += (double)x[i], c++;
    double mean = c > 0 ? s / c : 0;
    for (int64_t i = 0; i < n; i++)
        if (mask[i] != 0) q += ((double)x[i] - mean) * ((double)x[i] - mean);
    double var = c > 1 ? q / (c - 1) : 0;
    for (int64_t i = 0; i < n; i++) x[i] = mask[i] != 0 ? (float)(((double)x[i] - mean) / sqrt(var + 1e-8)) : 0.0f;
}

float train_ppo_adapt_kl(float coef, double kl, float target, int64_t n, int64_t horizon) {
    double e = kl / (double)target - 1.0;
    e = e < -0.2 ? -0.2 : e > 0.2 ? 0.2 : e;
    return (float)((double)coef * (1.0 + e * (double)n / (double)horizon));
}

/* ---- the value head ---------------------------------------------------------------- */

/* The values of the forward whose logits are `logits` (recorded on g): the
 * head over the input of its last op, the output projection. */
static tensor *values_of(ppo_ctx *c, graph *g, tensor *logits) {
    if (!logits) return NULL;
    const tape_entry *e = g->n_tape > 0 ? &g->tape[g->n_tape - 1] : NULL;
    if (!e || e->op != OP_LINEAR || e->out != logits || !e->in[0] || e->in[0]->shape[e->in[0]->ndim - 1] != c->d) {
        if (!g->status)
            g->status = attn_errorf(ATTN_ERR_UNSUPPORTED,
                                    "--objective ppo: the model's forward does not end in an output projection of its "
                                    "hidden states (the value head's input)");
        return NULL;
    }
    return op_linear(g, e->in[0], &c->vw, &c->vb);
}

/* Adam on the head (no weight decay) with the gradient of A micro-batches, at the step's learning rate. */
static void head_update(ppo_ctx *c, float lr) {
    double b1 = (double)c->optim.beta1, b2 = (double)c->optim.beta2;
    c->vstep++;
    double c1 = 1.0 - pow(b1, (double)c->vstep), c2 = 1.0 - pow(b2, (double)c->vstep);
    for (int64_t i = 0; i <= c->d; i++) {
        double g = (double)c->vg[i] / (double)c->A;
        c->vm[i] = (float)(b1 * (double)c->vm[i] + (1.0 - b1) * g);
        c->vv[i] = (float)(b2 * (double)c->vv[i] + (1.0 - b2) * g * g);
        double mh = (double)c->vm[i] / c1, vh = (double)c->vv[i] / c2;
        c->vh[i] = (float)((double)c->vh[i] - (double)lr * mh / (sqrt(vh) + (double)c->optim.eps));
    }
}

/* ---- rollouts ---------------------------------------------------------------------- */

/* log softmax(row)[y] and, when ent is not NULL, the row's entropy. */
static double token_logprob(const float *row, int64_t V, int32_t y, double *ent) {
    float mx = row[0];
    for (int64_t v = 1; v < V; v++) mx = row[v] > mx ? row[v] : mx;
    double s = 0, sx = 0;
    for (int64_t v = 0; v < V; v++) {
        double e = exp((double)(row[v] - mx));
        s += e;
        sx += e * (double)(row[v] - mx);
    }
    double lse = log(s);
    if (ent) *ent = lse - sx / s;
    return (double)row[y] - (double)mx - lse;
}

/* The prompt of row k of rollout `phase` (ids borrowed or in buf) and, for arithmetic, its answer. */
static attn_status prompt_of(ppo_ctx *c, int64_t phase, int64_t k, int32_t **ids, int64_t *np, bool *owned, char *answer,
                             size_t na) {
    int64_t rows = c->A * c->B;
    *owned = false;
    if (c->arith_prompts) {
        char prompt[32];
        train_arith_prompt(c->seed, ARITH_STREAM, (uint64_t)(phase * rows + k), prompt, sizeof prompt, answer, na);
        attn_status st = attn_tokenizer_encode(c->chat.tok, prompt, strlen(prompt), ids, np);
        if (st) return st;
        *owned = true;
        if (*np < 1 || *np > ARITH_PROMPT)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "the arithmetic prompt \"%s\" encodes to %lld tokens (1 to %d)", prompt,
                               (long long)*np, ARITH_PROMPT);
        return ATTN_OK;
    }
    int64_t i = train_sampler_draw(&c->smp, phase * rows + k);
    *ids = c->pids[i];
    *np = c->pn[i];
    return ATTN_OK;
}

static attn_status rollout(ppo_ctx *c, int64_t phase) {
    double t0 = time_now();
    int64_t rows = c->A * c->B, T = c->T, cells = rows * T, generated = 0;
    float *score = attn_calloc((size_t)rows, sizeof *score), *ref_lp = attn_calloc((size_t)cells, sizeof *ref_lp);
    float *rw = attn_calloc((size_t)T, sizeof *rw), *mask = attn_calloc((size_t)cells, sizeof *mask);
    int64_t *np = attn_calloc((size_t)rows, sizeof *np), *nc = attn_calloc((size_t)rows, sizeof *nc);
    uint8_t *real = attn_calloc((size_t)cells, 1);
    int32_t *comp = attn_calloc((size_t)(rows * c->max_new), sizeof *comp), **pids = attn_calloc((size_t)rows, sizeof *pids);
    uint64_t *seeds = attn_calloc((size_t)rows, sizeof *seeds);
    bool *owned = attn_calloc((size_t)rows, sizeof *owned);
    char (*answer)[16] = attn_calloc((size_t)rows, sizeof *answer);
    attn_status st = score && ref_lp && rw && mask && np && nc && real && comp && pids && seeds && owned && answer
                         ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    double kl = 0, ent = 0, ntok = 0, reward = 0, lexicon = 0;
    /* samples, all the rollout's rows decoded together */
    for (int64_t k = 0; k < rows && !st; k++) {
        st = prompt_of(c, phase, k, &pids[k], &np[k], &owned[k], answer[k], sizeof answer[k]);
        seeds[k] = rng_hash(c->seed ^ SAMPLE_STREAM, (uint64_t)phase, (uint64_t)k);
    }
    if (!st) {
        attn_sampler_params sp = attn_sampler_default_params();
        sp.temperature = 1.0f;
        sp.max_new_tokens = c->max_new;
        sp.stop_token = c->stop;
        st = attn_gen_batch(c->model, &sp, rows, (const int32_t *const *)pids, np, seeds, comp, nc);
    }
    for (int64_t k = 0; k < rows && !st; k++) {
        const int32_t *ck = comp + k * c->max_new;
        if (nc[k] == 0) st = attn_errorf(ATTN_ERR_INVALID_ARG, "--objective ppo: a sampled completion is empty");
        if (!st && c->arith_reward) st = train_arith_exact(c->chat.tok, c->stop, ck, nc[k], answer[k], &score[k]);
        if (!st && c->lex) { /* the completion's text, without the stop token */
            char *text = NULL;
            size_t len = 0;
            double v = 0;
            st = attn_tokenizer_decode(c->chat.tok, ck, nc[k] - (ck[nc[k] - 1] == c->stop), &text, &len);
            if (!st) st = attn_lexicon_score(c->lex, text, len, &v);
            attn_free(text);
            lexicon += v;
        }
        if (!st) {
            int32_t *seq = c->in + k * T, *tg = c->tg + k * T;
            for (int64_t t = 0; t < T; t++) {
                seq[t] = t < np[k] ? pids[k][t] : t - np[k] < nc[k] ? ck[t - np[k]] : 0;
                tg[t] = t + 1 >= np[k] && t + 1 - np[k] < nc[k] ? ck[t + 1 - np[k]] : -1;
                real[k * T + t] = t < np[k] + nc[k];
                mask[k * T + t] = tg[t] >= 0;
            }
            generated += nc[k];
        }
    }
    /* the policy's and the reference's log-probabilities, the values, the reward model's scores */
    for (int64_t a = 0; a < c->A && !st; a++) {
        int64_t off = a * c->B * T;
        graph_reset(&c->rg, true, false, 0);
        tensor *z = model_forward(c->model, &c->rg, c->in + off, c->B, T, NULL, false);
        tensor *v = values_of(c, &c->rg, z);
        if (!v) {
            st = c->rg.status ? c->rg.status : ATTN_ERR_INVALID_ARG;
            break;
        }
        int64_t V = z->shape[z->ndim - 1];
        for (int64_t n = 0; n < c->B * T; n++) {
            int32_t y = c->tg[off + n];
            c->old_v[off + n] = v->data[n];
            c->old_lp[off + n] = 0;
            if (y < 0) continue;
            double e = 0;
            c->old_lp[off + n] = (float)token_logprob(z->data + n * V, V, y, &e);
            ent += e;
            ntok++;
        }
        graph_reset(&c->rg, false, false, 0);
        tensor *zr = model_forward(c->ref, &c->rg, c->in + off, c->B, T, NULL, false);
        if (!zr) {
            st = c->rg.status ? c->rg.status : ATTN_ERR_INVALID_ARG;
            break;
        }
        for (int64_t n = 0; n < c->B * T; n++)
            if (c->tg[off + n] >= 0) ref_lp[off + n] = (float)token_logprob(zr->data + n * V, V, c->tg[off + n], NULL);
        if (c->rm) {
            float *out = score + a * c->B;
            st = attn_model_classify(c->rm, c->in + off, NULL, real + off, c->B, T, out);
            if (st) st = error_prefixf(st, "the reward model");
        }
    }
    /* rewards, GAE, weights */
    for (int64_t k = 0; k < rows && !st; k++) {
        int64_t first = k * T + np[k] - 1, n = nc[k];
        double row_kl = 0;
        for (int64_t t = 0; t < n; t++) {
            double d = (double)c->old_lp[first + t] - (double)ref_lp[first + t];
            row_kl += d;
            rw[t] = (float)(-(double)c->kl_coef * d);
        }
        rw[n - 1] += score[k];
        train_ppo_gae(rw, c->old_v + first, n, c->gamma, c->lam, c->adv + first, c->ret + first);
        kl += row_kl;
        reward += (double)score[k];
    }
    if (!st) {
        train_ppo_whiten(c->adv, mask, cells);
        c->real_tokens = 0;
        for (int64_t a = 0; a < c->A; a++) {
            double count = 0;
            for (int64_t n = a * c->B * T; n < (a + 1) * c->B * T; n++) count += (double)mask[n];
            for (int64_t n = a * c->B * T; n < (a + 1) * c->B * T; n++) {
                c->w[n] = mask[n] != 0 ? (float)(1.0 / count) : 0.0f;
                c->wv[n] = mask[n] != 0 ? (float)((double)c->vf_coef / count) : 0.0f;
            }
        }
        for (int64_t n = 0; n < cells; n++) c->real_tokens += (double)real[n];
        c->stats[0] = (float)(kl / (double)rows);
        c->stats[1] = (float)(ent / ntok);
        c->stats[2] = (float)(reward / (double)rows);
        c->stats[3] = c->kl_coef;
        c->stats[4] = (float)(lexicon / (double)rows);
        if (c->kl_target > 0) c->kl_coef = train_ppo_adapt_kl(c->kl_coef, kl / (double)rows, c->kl_target, rows, c->horizon);
        c->phase = phase;
        c->rolled = true;
        c->rollout_tps = (double)generated / (time_now() - t0);
    }
    attn_free(score);
    attn_free(ref_lp);
    attn_free(rw);
    attn_free(mask);
    attn_free(np);
    attn_free(nc);
    attn_free(real);
    attn_free(comp);
    for (int64_t k = 0; pids && owned && k < rows; k++)
        if (owned[k]) attn_free(pids[k]);
    attn_free(pids);
    attn_free(seeds);
    attn_free(owned);
    attn_free(answer);
    return st;
}

static attn_status ppo_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    ppo_ctx *c = ctx;
    attn_status st;
    if (c->saved_step >= 0 && c->saved_step != step)
        return attn_errorf(ATTN_ERR_FORMAT, "%s is from step %lld but the trainer state from step %lld (an interrupted checkpoint?)",
                           HEAD_FILE, (long long)c->saved_step, (long long)step);
    c->saved_step = -1;
    int64_t phase = step / c->K;
    c->rolled = false;
    if (phase != c->phase) {
        if (step % c->K) return attn_errorf(ATTN_ERR_FORMAT, "--objective ppo: no rollout for step %lld", (long long)step + 1);
        if ((st = rollout(c, phase)) != ATTN_OK) return st;
    }
    for (int64_t a = 0; a < c->A; a++) {
        int64_t off = a * c->B * c->T;
        mbs[a] = (model_batch){.B = c->B, .T = c->T, .inputs = c->in + off, .targets = c->tg + off};
    }
    memset(c->vg, 0, (size_t)(c->d + 1) * sizeof *c->vg);
    c->clip_n = c->clip_d = c->vloss = c->ptx_loss = 0;
    *tokens = c->real_tokens;
    if (c->ptx) { /* the pretraining windows of this step */
        int64_t span = attn_shard_len(c->ptx) - c->Tp, Tp = c->Tp;
        for (int64_t r = 0; r < c->A * c->B; r++) {
            uint64_t h = rng_hash(c->seed ^ PTX_STREAM, (uint64_t)step, (uint64_t)r);
            if ((st = attn_shard_read(c->ptx, (int64_t)(h % (uint64_t)span), Tp + 1, c->pbuf)) != ATTN_OK) return st;
            memcpy(c->pin + r * Tp, c->pbuf, (size_t)Tp * sizeof *c->pin);
            memcpy(c->ptg + r * Tp, c->pbuf + 1, (size_t)Tp * sizeof *c->ptg);
        }
        *tokens += (double)(c->A * c->B * Tp);
    }
    c->t_ready = time_now();
    return ATTN_OK;
}

tensor *train_ppo_loss(void *ctx, attn_model *m, graph *g, const model_batch *b) {
    ppo_ctx *c = ctx;
    int64_t off = b->inputs - c->in;
    double stats[2] = {0, 0};
    tensor *logits = model_forward(m, g, b->inputs, b->B, b->T, NULL, false);
    tensor *v = values_of(c, g, logits);
    tensor *pg = op_ppo_policy(g, logits, b->targets, c->old_lp + off, c->adv + off, c->w + off, c->eps, stats);
    tensor *vf = op_ppo_value(g, v, c->old_v + off, c->ret + off, c->wv + off, c->eps_v);
    if (!pg || !vf) return NULL;
    c->clip_n += stats[0];
    c->clip_d += stats[1];
    if (c->vf_coef > 0) c->vloss += (double)vf->data[0] / (double)c->vf_coef;
    tensor *loss = op_add(g, pg, vf);
    if (!c->ptx || !loss) return loss;
    int64_t a = off / (c->B * c->T);
    model_batch pb = {.B = c->B, .T = c->Tp, .inputs = c->pin + a * c->B * c->Tp, .targets = c->ptg + a * c->B * c->Tp};
    tensor *lm = model_batch_loss(m, g, &pb);
    if (!lm) return NULL;
    c->ptx_loss += (double)lm->data[0];
    return op_add(g, loss, op_scale(g, lm, c->ptx_coef));
}

static void ppo_step_stats(void *ctx, attn_train_progress *pr) {
    ppo_ctx *c = ctx;
    double dt = time_now() - c->t_ready;
    head_update(c, pr->lr);
    pr->has_reward_mean = pr->has_ppo = true;
    pr->kl = c->stats[0];
    pr->entropy = c->stats[1];
    pr->reward_mean = c->stats[2];
    pr->kl_coef = c->stats[3];
    pr->has_lexicon_reward = c->lex != NULL;
    pr->lexicon_reward = c->stats[4];
    pr->clip_frac = c->clip_d > 0 ? (float)(c->clip_n / c->clip_d) : 0.0f;
    pr->value_loss = (float)(c->vloss / (double)c->A);
    pr->rollout_tokens_per_s = c->rolled ? c->rollout_tps : 0;
    pr->train_tokens_per_s = dt > 0 ? (c->real_tokens + (c->ptx ? (double)(c->A * c->B * c->Tp) : 0)) / dt : 0;
    pr->has_ptx = c->ptx != NULL;
    pr->ptx_loss = (float)(c->ptx_loss / (double)c->A);
}

/* Greedy exact-match accuracy on grpo.c's held-out arithmetic prompts. */
static attn_status ppo_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    (void)tr;
    ppo_ctx *c = ctx;
    int correct = 0;
    int32_t *comp = attn_malloc((size_t)c->max_new * sizeof *comp);
    if (!comp) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    for (int k = 0; k < VAL_PROMPTS && !st; k++) {
        char prompt[32], answer[16];
        train_arith_prompt(c->seed, ARITH_VAL, (uint64_t)k, prompt, sizeof prompt, answer, sizeof answer);
        int32_t *pids = NULL;
        int64_t np = 0, nc = 0;
        float r = 0;
        st = attn_tokenizer_encode(c->chat.tok, prompt, strlen(prompt), &pids, &np);
        if (!st) st = train_sample(c->model, pids, np, 0, 0.0f, c->max_new, c->stop, comp, &nc);
        if (!st) st = train_arith_exact(c->chat.tok, c->stop, comp, nc, answer, &r);
        attn_free(pids);
        correct += r > 0;
    }
    attn_free(comp);
    if (st) return st;
    pr->has_val_exact = true;
    pr->val_exact_match = (float)correct / VAL_PROMPTS;
    return ATTN_OK;
}

/* ---- checkpoints ---------------------------------------------------------------------- */

/* The previous file is kept as HEAD_PREV, so that a checkpoint cut short
 * after this file but before the trainer state still resumes (from the
 * state's step, whose file that is). */
static attn_status ppo_save(void *ctx, const char *out_dir, int64_t step) {
    ppo_ctx *c = ctx;
    char *path = path_join(out_dir, HEAD_FILE), *prev = path_join(out_dir, HEAD_PREV);
    attn_status rs = ATTN_OK;
    if (path && prev && file_exists(path) && rename(path, prev) != 0)
        rs = attn_errorf(ATTN_ERR_IO, "cannot rename %s to %s: %s", path, prev, strerror(errno));
    attn_free(prev);
    if (!path || rs) {
        attn_free(path);
        return path ? rs : ATTN_ERR_OUT_OF_MEMORY;
    }
    int64_t rows = c->A * c->B, d = c->d, one = 1, four = 4, three = 3, two = 2;
    int64_t sw[2] = {1, d}, sr[2] = {rows, c->T}, sd = d + 1;
    int32_t counters[3] = {(int32_t)step, (int32_t)c->phase, (int32_t)c->vstep};
    float kl[2] = {c->kl_coef, (float)c->real_tokens};
    st_entry e[] = {
        {"v_head.summary.weight", ST_F32, 2, sw, c->vh},
        {"v_head.summary.bias", ST_F32, 1, &one, c->vh + d},
        {"adam.m", ST_F32, 1, &sd, c->vm},
        {"adam.v", ST_F32, 1, &sd, c->vv},
        {"ppo.counters", ST_I32, 1, &three, counters},
        {"ppo.kl_coef", ST_F32, 1, &two, kl},
        {"ppo.stats", ST_F32, 1, &four, c->stats},
        {"rollout.input_ids", ST_I32, 2, sr, c->in},
        {"rollout.targets", ST_I32, 2, sr, c->tg},
        {"rollout.old_logprobs", ST_F32, 2, sr, c->old_lp},
        {"rollout.values", ST_F32, 2, sr, c->old_v},
        {"rollout.advantages", ST_F32, 2, sr, c->adv},
        {"rollout.returns", ST_F32, 2, sr, c->ret},
        {"rollout.weights", ST_F32, 2, sr, c->w},
        {"rollout.value_weights", ST_F32, 2, sr, c->wv},
    };
    const char *meta[] = {"format", "attn-ppo-value-head", NULL};
    attn_status st = st_write(path, e, (int64_t)(sizeof e / sizeof *e), meta);
    attn_free(path);
    return st;
}

/* Tensor `name` of f into out (n values; ints when i32). */
static attn_status load_tensor(const st_file *f, const char *path, const char *name, void *out, int64_t n, bool i32) {
    const st_tensor *t = st_find(f, name);
    if (!t) return attn_errorf(ATTN_ERR_FORMAT, "%s: no tensor \"%s\"", path, name);
    if (t->numel != n)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tensor \"%s\" has %lld values, the run needs %lld", path, name,
                           (long long)t->numel, (long long)n);
    attn_status st = i32 ? st_read_i32(t, out, n) : st_read_f32(t, out, n);
    return st ? error_prefixf(st, "%s", path) : ATTN_OK;
}

/* The step of OUT's trainer state (its "step" metadata). */
static attn_status state_step(const char *out_dir, int64_t *step) {
    char *path = path_join(out_dir, "trainer_state.safetensors");
    if (!path) return ATTN_ERR_OUT_OF_MEMORY;
    st_file *f = NULL;
    attn_status st = st_open(path, &f);
    cJSON *meta = !st && f->metadata_json ? cJSON_Parse(f->metadata_json) : NULL;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(meta, "step");
    if (!st && !cJSON_IsString(s)) st = attn_errorf(ATTN_ERR_FORMAT, "%s: no step in its metadata", path);
    if (!st) *step = strtoll(s->valuestring, NULL, 10);
    cJSON_Delete(meta);
    st_close(f);
    attn_free(path);
    return st;
}

/* OUT's value head file of the trainer state's step: HEAD_FILE, or HEAD_PREV after a cut checkpoint. */
static attn_status load_file(ppo_ctx *c, const char *out_dir, const char *name, int64_t *saved);
static attn_status ppo_load(ppo_ctx *c, const char *out_dir) {
    int64_t want = 0, got = -1;
    attn_status st = state_step(out_dir, &want);
    if (!st) st = load_file(c, out_dir, HEAD_FILE, &got);
    if (!st && got != want) {
        char *prev = path_join(out_dir, HEAD_PREV);
        if (!prev) return ATTN_ERR_OUT_OF_MEMORY;
        bool have = file_exists(prev);
        attn_free(prev);
        int64_t got_prev = -1;
        if (have && (st = load_file(c, out_dir, HEAD_PREV, &got_prev)) != ATTN_OK) return st;
        if (got_prev != want)
            return attn_errorf(ATTN_ERR_FORMAT, "--resume: %s/%s is from step %lld, the trainer state from step %lld", out_dir,
                               HEAD_FILE, (long long)got, (long long)want);
    }
    return st;
}

static attn_status load_file(ppo_ctx *c, const char *out_dir, const char *name, int64_t *saved) {
    char *path = path_join(out_dir, name);
    if (!path) return ATTN_ERR_OUT_OF_MEMORY;
    st_file *f = NULL;
    attn_status st = st_open(path, &f);
    if (st) st = error_prefixf(st, "--resume: the value head");
    int64_t rows = c->A * c->B, cells = rows * c->T, d = c->d;
    int32_t counters[3] = {0};
    float kl[2] = {0};
    if (!st) st = load_tensor(f, path, "v_head.summary.weight", c->vh, d, false);
    if (!st) st = load_tensor(f, path, "v_head.summary.bias", c->vh + d, 1, false);
    if (!st) st = load_tensor(f, path, "adam.m", c->vm, d + 1, false);
    if (!st) st = load_tensor(f, path, "adam.v", c->vv, d + 1, false);
    if (!st) st = load_tensor(f, path, "ppo.counters", counters, 3, true);
    if (!st) st = load_tensor(f, path, "ppo.kl_coef", kl, 2, false);
    if (!st) st = load_tensor(f, path, "ppo.stats", c->stats, 4, false);
    if (!st) st = load_tensor(f, path, "rollout.input_ids", c->in, cells, true);
    if (!st) st = load_tensor(f, path, "rollout.targets", c->tg, cells, true);
    if (!st) st = load_tensor(f, path, "rollout.old_logprobs", c->old_lp, cells, false);
    if (!st) st = load_tensor(f, path, "rollout.values", c->old_v, cells, false);
    if (!st) st = load_tensor(f, path, "rollout.advantages", c->adv, cells, false);
    if (!st) st = load_tensor(f, path, "rollout.returns", c->ret, cells, false);
    if (!st) st = load_tensor(f, path, "rollout.weights", c->w, cells, false);
    if (!st) st = load_tensor(f, path, "rollout.value_weights", c->wv, cells, false);
    if (!st) {
        c->saved_step = *saved = counters[0];
        c->phase = counters[1];
        c->vstep = counters[2];
        c->kl_coef = kl[0];
        c->real_tokens = (double)kl[1];
    }
    st_close(f);
    attn_free(path);
    return st;
}

/* ---- setup ---------------------------------------------------------------------------- */

static attn_status ppo_open(void *ctx, const attn_train_params *p, attn_model **out) {
    (void)ctx;
    if (!(p->resume ? p->out_dir : p->init_from))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective ppo trains a model: give one with --init DIR");
    if (!p->init_from)
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "--objective ppo's KL penalty compares the policy with the --init model: give it (with --resume too)");
    if (!p->ppo_prompts)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective ppo needs --prompts FILE (prompt-only JSONL, or arith)");
    if (!p->ppo_reward)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective ppo needs --reward DIR (a reward model, or arith)");
    if (!strcmp(p->ppo_reward, "arith") && strcmp(p->ppo_prompts, "arith"))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--reward arith scores the built-in arithmetic prompts: give --prompts arith");
    return train_load_start(p, out);
}

/* The reward model of dir: a one-label classifier with the policy's tokenizer. */
static attn_status open_reward(ppo_ctx *c, const char *dir, int64_t T) {
    attn_status st = attn_model_load(dir, &c->rm);
    if (st) return error_prefixf(st, "--reward %s", dir);
    if (attn_model_num_labels(c->rm) != 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--reward %s: not a reward model (a classifier with one label; it has %lld)", dir,
                           (long long)attn_model_num_labels(c->rm));
    attn_tokenizer *tok = NULL;
    if ((st = attn_tokenizer_load(dir, &tok)) != ATTN_OK) return error_prefixf(st, "--reward %s needs its tokenizer.json", dir);
    int32_t V = attn_tokenizer_vocab_size(tok);
    bool same = V == attn_tokenizer_vocab_size(c->chat.tok) && !strcmp(attn_tokenizer_kind(tok), attn_tokenizer_kind(c->chat.tok));
    for (int32_t i = 0; i < V && same; i++) {
        const char *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        same = !attn_tokenizer_token_bytes(tok, i, &a, &na) && !attn_tokenizer_token_bytes(c->chat.tok, i, &b, &nb) && na == nb &&
               !memcmp(a, b, na);
    }
    int32_t rv = V;
    attn_tokenizer_free(tok);
    if (!same)
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "--reward %s: the reward model's tokenizer (%d tokens) is not the policy's (%d tokens); PPO scores "
                           "the policy's tokens, so both must use the same tokenizer",
                           dir, (int)rv, (int)attn_tokenizer_vocab_size(c->chat.tok));
    attn_gpt_config rc = attn_model_config(c->rm);
    if (rc.n_ctx > 0 && rc.n_ctx < T)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--reward %s: the reward model has %lld positions, the rollouts' rows %lld", dir,
                           (long long)rc.n_ctx, (long long)T);
    return ATTN_OK;
}

/* The prompts file's prompts encoded (attn_chat_prompt_ids: plain text as
 * it is, messages with the template's generation prompt); *longest their longest. */
static attn_status read_prompts(ppo_ctx *c, const char *path, int64_t limit, int64_t *longest) {
    attn_chat_data *d = NULL;
    attn_status st = attn_chat_data_read(path, ATTN_CHAT_PROMPTS, &d);
    if (st) return st;
    if (d->n == 0) st = attn_errorf(ATTN_ERR_FORMAT, "%s: no prompts", path);
    c->pids = attn_calloc((size_t)(d->n > 0 ? d->n : 1), sizeof *c->pids);
    c->pn = attn_calloc((size_t)(d->n > 0 ? d->n : 1), sizeof *c->pn);
    if (!st && (!c->pids || !c->pn)) st = ATTN_ERR_OUT_OF_MEMORY;
    c->n_prompts = st ? 0 : d->n;
    *longest = 0;
    for (int64_t i = 0; i < c->n_prompts && !st; i++) {
        attn_chat_options gen = {true, c->chat.bos, c->chat.eos};
        st = attn_chat_prompt_ids(c->chat.tmpl, c->chat.tok, &gen, &d->ex[i], &c->pids[i], &c->pn[i]);
        if (!st && c->pn[i] > limit)
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "the prompt has %lld tokens: with --max-new %lld the model's positions allow %lld",
                             (long long)c->pn[i], (long long)c->max_new, (long long)limit);
        if (st) st = error_prefixf(st, "%s: line %lld", path, (long long)d->ex[i].line);
        if (!st && c->pn[i] > *longest) *longest = c->pn[i];
    }
    attn_chat_data_free(d);
    return st;
}

static attn_status ppo_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    ppo_ctx *c = ctx;
    attn_status st;
    c->phase = c->saved_step = -1;
    if ((st = train_chat_open(p, *pm, &c->chat)) != ATTN_OK) return st;
    if (dist_size() > 1) /* the value head's gradient is not summed over processes */
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "--objective ppo runs in one process (not under mpirun -n %d)", dist_size());
    if (p->ppo_epochs < 1 || p->max_new < 1 || p->kl_horizon < 1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--ppo-epochs, --max-new and --kl-horizon must be at least 1");
    (*pm)->cfg.dropout = p->model.dropout;
    attn_gpt_config cfg = attn_model_config(*pm);
    c->A = p->grad_accum, c->B = p->batch_size, c->K = p->ppo_epochs, c->max_new = p->max_new, c->horizon = p->kl_horizon;
    c->seed = p->seed, c->d = cfg.n_embd;
    c->eps = p->cliprange, c->eps_v = p->cliprange_value, c->vf_coef = p->vf_coef, c->gamma = p->gamma, c->lam = p->lam;
    c->kl_coef = p->ppo_kl_coef, c->kl_target = p->kl_target;
    c->optim = p->optim;
    c->stop = attn_tokenizer_eot(c->chat.tok);
    c->arith_prompts = !strcmp(p->ppo_prompts, "arith");
    c->arith_reward = !strcmp(p->ppo_reward, "arith");
    int64_t longest = ARITH_PROMPT;
    if (cfg.n_ctx <= c->max_new)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--max-new %lld leaves no room for a prompt in the model's %lld positions",
                           (long long)c->max_new, (long long)cfg.n_ctx);
    if (!c->arith_prompts && (st = read_prompts(c, p->ppo_prompts, cfg.n_ctx - c->max_new, &longest)) != ATTN_OK) return st;
    c->T = longest + c->max_new;
    if (c->T > cfg.n_ctx)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective ppo needs a context of %lld positions", (long long)c->T);
    if (!c->arith_reward && (st = open_reward(c, p->ppo_reward, c->T)) != ATTN_OK) return st;
    if (p->ppo_lexicon && (st = attn_lexicon_load(p->ppo_lexicon, &c->lex)) != ATTN_OK) return error_prefixf(st, "--lexicon");
    if ((st = attn_model_load(p->init_from, &c->ref)) != ATTN_OK) return error_prefixf(st, "the reference model");
    c->ptx_coef = p->ptx_coef;
    if (c->ptx_coef > 0) {
        if (!p->data_dir)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "--ptx-coef mixes in the LM loss on pretraining shards: give them with --data DIR");
        if ((st = train_open_shards(p, &c->ptx, &c->ptx_val)) != ATTN_OK) return st;
        if (attn_shard_vocab_size(c->ptx) > cfg.vocab_size)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: the shards' vocabulary (%d) is larger than the model's (%lld)", p->data_dir,
                               (int)attn_shard_vocab_size(c->ptx), (long long)cfg.vocab_size);
        c->Tp = p->seq_len > 0 ? p->seq_len : cfg.n_ctx;
        if (c->Tp < 1 || c->Tp > cfg.n_ctx)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "--seq-len %lld: the model has %lld positions", (long long)c->Tp,
                               (long long)cfg.n_ctx);
        if ((st = train_shards_fit(p, c->ptx, &c->ptx_val, c->Tp, c->Tp + 2, "ptx windows")) != ATTN_OK) return st;
        c->pin = attn_malloc((size_t)(c->A * c->B * c->Tp) * sizeof *c->pin);
        c->ptg = attn_malloc((size_t)(c->A * c->B * c->Tp) * sizeof *c->ptg);
        c->pbuf = attn_malloc((size_t)(c->Tp + 1) * sizeof *c->pbuf);
        if (!c->pin || !c->ptg || !c->pbuf) return ATTN_ERR_OUT_OF_MEMORY;
    } else if (p->data_dir) {
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective ppo reads --data only for the ptx term: give --ptx-coef too");
    }
    graph_init(&c->rg, NULL);
    int64_t rows = c->A * c->B, cells = rows * c->T;
    c->smp = (train_sampler){.n = c->n_prompts, .epoch = -1, .seed = p->seed,
                             .perm = attn_malloc((size_t)(c->n_prompts > 0 ? c->n_prompts : 1) * sizeof(int64_t))};
    c->in = attn_calloc((size_t)cells, sizeof *c->in);
    c->tg = attn_calloc((size_t)cells, sizeof *c->tg);
    float **f[] = {&c->old_lp, &c->old_v, &c->adv, &c->ret, &c->w, &c->wv};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) *f[i] = attn_calloc((size_t)cells, sizeof(float));
    c->vh = attn_calloc((size_t)(4 * (c->d + 1)), sizeof *c->vh);
    if (!c->smp.perm || !c->in || !c->tg || !c->old_lp || !c->old_v || !c->adv || !c->ret || !c->w || !c->wv || !c->vh)
        return ATTN_ERR_OUT_OF_MEMORY;
    c->vg = c->vh + (c->d + 1), c->vm = c->vg + (c->d + 1), c->vv = c->vm + (c->d + 1);
    /* small initial weights: values start near 0 */
    for (int64_t i = 0; i < c->d; i++) c->vh[i] = 0.01f * rng_normal(p->seed, HEAD_STREAM, (uint64_t)i) / sqrtf((float)c->d);
    c->vw = (tensor){.data = c->vh, .grad = c->vg, .shape = {1, c->d}, .ndim = 2, .numel = c->d, .requires_grad = true,
                     .is_param = true};
    c->vb = (tensor){.data = c->vh + c->d, .grad = c->vg + c->d, .shape = {1}, .ndim = 1, .numel = 1, .requires_grad = true,
                     .is_param = true};
    if (p->resume && (st = ppo_load(c, p->out_dir)) != ATTN_OK) return st;
    if ((st = train_chat_save(&c->chat, p)) != ATTN_OK) return st;
    c->model = *pm;
    *plan = (train_plan){.n_micro = c->A, .T = c->T, .tok = c->chat.tok, .evaluates = c->arith_prompts};
    return ATTN_OK;
}

static void ppo_close(void *ctx) {
    ppo_ctx *c = ctx;
    for (int64_t i = 0; c->pids && i < c->n_prompts; i++) attn_free(c->pids[i]);
    attn_free(c->pids);
    attn_free(c->pn);
    attn_free(c->smp.perm);
    attn_free(c->in);
    attn_free(c->tg);
    attn_free(c->old_lp);
    attn_free(c->old_v);
    attn_free(c->adv);
    attn_free(c->ret);
    attn_free(c->w);
    attn_free(c->wv);
    attn_free(c->vh);
    if (c->ref) graph_free(&c->rg);
    attn_model_free(c->ref);
    attn_model_free(c->rm);
    attn_lexicon_free(c->lex);
    attn_shard_close(c->ptx);
    attn_shard_close(c->ptx_val);
    attn_free(c->pin);
    attn_free(c->ptg);
    attn_free(c->pbuf);
    train_chat_close(&c->chat);
}

const train_objective_ops train_ppo_ops = {sizeof(ppo_ctx), ppo_open,      ppo_prepare, ppo_batches, ppo_evaluate,
                                          ppo_close,       ppo_step_stats, ppo_save};
