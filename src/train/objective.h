/* objective.h — what a model learns, as rows of one table over one run
 * loop. attn_train picks a row (train_objective_for) and runs it
 * (train_objective_run, loop.c), which owns everything but the data and
 * the loss: the argument checks every run shares, the refusal of a model
 * the objective does not train (the registry's TRAINS_* bits), the
 * trainer, the recorded settings (settings.c), and train_run's schedule,
 * gradient accumulation, evaluation cadence, log, checkpoints, resume,
 * time limit, stop requests and progress callback.
 *
 * A row's data source is its train_objective_ops, over a context of
 * ctx_size bytes (zeroed) that the row owns:
 *   open     reads its data and gives the model: loaded (train_load_start:
 *            OUT's on resume, else --init's) or new; its own checks of the
 *            model that must precede the kind check go here too;
 *   prepare  (after the kind check) checks that model and data fit, may
 *            replace the model (a classifier head), and fills the plan;
 *   batches  fills the micro-batches of a 0-based step: a function of the
 *            step alone, so that a resumed run draws the same ones;
 *   evaluate fills the progress line's validation fields (plan.evaluates);
 *   close    frees what the context holds (also after a failed open);
 *   step_stats (optional) adds the step's own numbers to its progress.
 * Its loss (NULL: the model's loss for the batch) is what the trainer
 * differentiates and evaluates with trainer_eval_batch; it gets the
 * context, so an objective may keep a second model (a reference) there. */
#ifndef ATTN_TRAIN_OBJECTIVE_H
#define ATTN_TRAIN_OBJECTIVE_H

#include "train/trainer.h"

/* What prepare hands the run loop. */
typedef struct train_plan {
    int64_t n_micro;                   /* micro-batches per step */
    int64_t T;                         /* the settings' seq_len (0: pair data) */
    int64_t batch_tokens;              /* pair data: padded tokens per micro-batch */
    const struct attn_tokenizer *tok;  /* saved with each checkpoint (NULL: none) */
    bool evaluates;                    /* there are validation data: evaluate runs */
} train_plan;

typedef struct train_objective_ops {
    size_t ctx_size;
    attn_status (*open)(void *ctx, const attn_train_params *p, attn_model **model);
    attn_status (*prepare)(void *ctx, const attn_train_params *p, attn_model **model, train_plan *plan);
    attn_status (*batches)(void *ctx, int64_t step, model_batch *mbs, double *tokens);
    attn_status (*evaluate)(void *ctx, attn_trainer *tr, attn_train_progress *pr);
    void (*close)(void *ctx);
    /* optional: after each step, the progress line's fields of that step (dpo's implicit rewards) */
    void (*step_stats)(void *ctx, attn_train_progress *pr);
    /* optional: writes the row's own state for a resume into OUT (before
     * the trainer state, which is written last) at a checkpoint after
     * `step` steps (ppo's value head and rollout) */
    attn_status (*save)(void *ctx, const char *out_dir, int64_t step);
} train_objective_ops;

typedef struct train_objective {
    const char *name;
    unsigned trains;                   /* TRAINS_*: the model kinds it trains (registry.c) */
    const char *who, *need;            /* the kind check's "WHO trains NEED; DIR is WHAT" */
    bool pairs;                        /* pair shards, batches by token budget (no batch size) */
    const train_objective_ops *ops;    /* the data source: how it makes a batch */
    tensor *(*loss)(void *ctx, attn_model *m, graph *g, const model_batch *b); /* NULL: the model's */
    const char *metric;                /* its evaluation's headline number, as the log names it */
    bool higher_is_better;             /* what "better" means for that number */
} train_objective;

/* Examples drawn in epochs (finetune.c): the k-th draw is position k % n
 * of a permutation of 0..n-1 made from (seed, k / n), so a step's examples
 * are a function of the step alone. perm holds n entries (the caller
 * allocates and frees it); set epoch to -1 before the first draw. */
typedef struct train_sampler {
    int64_t n, epoch;
    uint64_t seed;
    int64_t *perm;            /* the current epoch's order */
} train_sampler;
int64_t train_sampler_draw(train_sampler *s, int64_t k);

/* finetune.c: gives *pm a classifier over labels[0..n_labels): kept when
 * it already has exactly those, else a new model of the same architecture
 * with a fresh head (BERT: and a pooler) from seed, every tensor of the old
 * one that the new one also has copied over (a GPT gets pad_id when it has
 * none); and the padding id of a model's rows (its config's, the
 * tokenizer's <pad> / [PAD], else its end of text, else 0). */
attn_status train_ensure_classifier(attn_model **pm, const char *const *labels, int64_t n_labels, int32_t pad_id,
                                    uint64_t seed);
struct attn_tokenizer;
int32_t train_pad_token(const attn_model *m, const struct attn_tokenizer *tok);

/* The chat template, its tokens and the tokenizer of a run on chat data
 * (sft.c; the sft and dpo rows): the model directory's (OUT's on resume,
 * else --init's; ChatML when it has no template); the tokenizer must fit
 * the model's embeddings. train_chat_save writes them to
 * OUT/tokenizer_config.json in a new run (nothing on resume), so that a
 * resume and attn chat render as the run did. */
struct attn_chat_template;
typedef struct train_chat {
    struct attn_tokenizer *tok;
    struct attn_chat_template *tmpl;
    char *tsrc, *bos, *eos;
} train_chat;
attn_status train_chat_open(const attn_train_params *p, const attn_model *m, train_chat *c);
attn_status train_chat_save(const train_chat *c, const attn_train_params *p);
void train_chat_close(train_chat *c);   /* also after a failed open */

/* The rows' data sources (lm.c: clm and mlm; finetune.c; denoise.c;
 * seq2seq_loop.c; sft.c; dpo.c; reward.c; grpo.c). */
extern const train_objective_ops train_lm_ops, train_classify_ops, train_denoise_ops, train_seq2seq_ops, train_sft_ops,
    train_dpo_ops;
extern const train_objective_ops train_reward_ops, train_grpo_ops, train_ppo_ops;
/* grpo.c's loss: the advantage-weighted log-probabilities of the micro-batch's samples. */
tensor *train_grpo_loss(void *ctx, attn_model *m, graph *g, const model_batch *b);
/* The weights of GRPO's loss sum_i w_i log pi(o_i) for B groups of G
 * samples with rewards r and completion lengths len (B G each): w_i =
 * -A_i / len_i / (B G), A_i = (r_i - group mean) / (group std + 1e-4)
 * (the population std); 0 for an empty completion. */
void train_grpo_weights(const float *r, const int64_t *len, int64_t B, int64_t G, float *w);
/* grpo.c's built-in task, shared with ppo.c: the k-th prompt "A+B=" of a
 * stream of seed (A, B in [0, 50) from rng_hash(seed, stream, k)) and its
 * answer; and the reward *r of a completion: 1 when its first line (a
 * final stop token left out, spaces trimmed) is the answer, else 0. */
void train_arith_prompt(uint64_t seed, uint64_t stream, uint64_t k, char *prompt, size_t n, char *answer, size_t na);
struct attn_tokenizer;
attn_status train_arith_exact(const struct attn_tokenizer *tok, int32_t stop, const int32_t *ids, int64_t n, const char *answer,
                              float *r);
/* One completion of prompt ids[0..np) by m (grpo.c; ppo.c too): at most
 * max_new tokens into out (*n of them), ending at stop (-1: none), sampled
 * at temperature (0: greedy) from seed. */
attn_status train_sample(attn_model *m, const int32_t *ids, int64_t np, uint64_t seed, float temperature,
                         int64_t max_new, int32_t stop, int32_t *out, int64_t *n);
/* ppo.c: the loss of a micro-batch of the rollout (clipped policy + vf_coef x clipped value). */
tensor *train_ppo_loss(void *ctx, attn_model *m, graph *g, const model_batch *b);
/* GAE over one completion of n tokens: rewards r, values v (the value after
 * the last token is 0): delta_t = r_t + gamma v_{t+1} - v_t, adv_t = delta_t +
 * gamma lam adv_{t+1}, ret_t = adv_t + v_t (computed in double). */
void train_ppo_gae(const float *r, const float *v, int64_t n, float gamma, float lam, float *adv, float *ret);
/* Whitens x[i] over the i with mask[i] (PPO's advantages): (x - mean) /
 * sqrt(var + 1e-8), var the unbiased variance (TRL's masked_whiten); 0 elsewhere. */
void train_ppo_whiten(float *x, const float *mask, int64_t n);
/* The adaptive KL controller (Ziegler et al. 2019): coef x (1 + clip(kl /
 * target - 1, -0.2, 0.2) x n / horizon) after a rollout of n samples. */
float train_ppo_adapt_kl(float coef, double kl, float target, int64_t n, int64_t horizon);
/* reward.c's loss: Bradley-Terry over the micro-batch's pairs of rows. */
tensor *train_reward_loss(void *ctx, attn_model *m, graph *g, const model_batch *b);
/* dpo.c's loss: DPO / IPO over the micro-batch's pairs (labels: the pair indices). */
tensor *train_dpo_loss(void *ctx, attn_model *m, graph *g, const model_batch *b);

/* The row of p's run: p->objective's, or seq2seq when data_dir holds pair
 * shards (unless classify or denoise). */
const train_objective *train_objective_for(const attn_train_params *p);
/* Runs row o for p (loop.c). */
attn_status train_objective_run(const train_objective *o, const attn_train_params *p);

#endif
