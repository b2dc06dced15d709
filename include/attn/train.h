/* train.h — training a model from token shards.
 *
 * attn_train() runs the whole loop: batches sampled from DATA/train.bin,
 * AdamW with decoupled weight decay (none on biases, norms and embeddings),
 * linear warmup then cosine decay to min_lr, gradient clipping by global
 * norm, gradient accumulation, periodic validation on DATA/val.bin, a JSONL
 * log (OUT/train_log.jsonl) and checkpoints.
 *
 * A checkpoint is OUT as a Hugging Face model directory (config.json,
 * model.safetensors, tokenizer.json) plus OUT/trainer_state.safetensors,
 * which alone holds everything a resume needs (weights, AdamW moments, step,
 * the run's settings) and is replaced atomically: a crash at any moment
 * leaves the last complete checkpoint intact. A run resumed from step s
 * gives exactly (bit for bit) the losses of the run that never stopped:
 * batches, dropout masks and the schedule are functions of (seed, step).
 *
 * The checkpoint writes the model files first and the trainer state last,
 * so the trainer state marks a complete checkpoint: wherever it exists,
 * the model directory beside it is loadable. A resume must give the run's
 * settings (every one saved in the state; the error names the first that
 * differs; another precision is allowed, reported through `warning`)
 * except max_steps, which may grow (or shrink, not below the step
 * reached): the learning-rate schedule keeps the length the run started
 * with, so the cosine reaches min_lr at the original max_steps and stays
 * there for the added steps (an unchanged max_steps resumes bit for bit).
 * optim.warmup_steps < 0 means the checkpoint's warmup on resume, and
 * min(max_steps / 10, 100) for a new run; optim.lr 0 means 1e-3 (the
 * scale 1 under the inverse-sqrt schedule), optim.min_lr < 0 lr / 10.
 * attn_train_default_params leaves all three to these defaults.
 *
 * OUT is locked for the whole run (flock on OUT/.attn-train.lock, which
 * holds the process id): a second attn_train on the same OUT fails at once
 * naming the first one's pid. Temporary files left by a killed run are
 * removed at the start. */
#ifndef ATTN_TRAIN_H
#define ATTN_TRAIN_H

#include "attn/model.h"
#include "attn/noise.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum attn_lr_schedule {
    ATTN_SCHEDULE_COSINE = 0,        /* linear warmup, cosine decay to min_lr (default) */
    ATTN_SCHEDULE_INVERSE_SQRT = 1,  /* Vaswani et al. 2017, section 5.3 */
    ATTN_SCHEDULE_ONE_CYCLE = 2,     /* linear warmup, linear decay to min_lr at max_steps (Cramming's, to 0) */
} attn_lr_schedule;

typedef enum attn_optimizer {
    ATTN_OPTIMIZER_ADAMW = 0,        /* AdamW everywhere (default) */
    ATTN_OPTIMIZER_MUON = 1,         /* Muon for the blocks' weight matrices, AdamW for the rest */
} attn_optimizer;

typedef struct attn_optim_params {
    float lr, min_lr;             /* peak and final learning rate (inverse-sqrt: lr is the scale) */
    int64_t warmup_steps, max_steps;
    float weight_decay, beta1, beta2, eps;
    float grad_clip;              /* max global gradient norm; 0 = no clipping */
    attn_lr_schedule schedule;
    int64_t d_model;              /* inverse-sqrt's d_model; 0: the model's width (attn_trainer_new) */
    /* Muon (Jordan et al. 2024; the nanoGPT speedrun's optimizer): every
     * weight matrix inside the blocks (2-D, weight-decayed, in a layer)
     * follows M <- mu M + (1 - mu) G, U = (1 - mu) G + mu M (Nesterov, as
     * torch.optim.Muon), O = five quintic
     * Newton-Schulz steps towards the orthogonal factor of U, and
     * W <- W (1 - lr_m wd) - lr_m sqrt(max(1, rows / cols)) O, with lr_m =
     * muon_lr times the schedule's factor (lr at the step / lr); embeddings,
     * the head, norms and biases take AdamW. M lives in the first moment's
     * place, so checkpoints and resume are unchanged. */
    attn_optimizer optimizer;
    float muon_lr, muon_momentum;
} attn_optim_params;

ATTN_API attn_optim_params attn_optim_default_params(void);
/* Learning rate at 0-based step s.
 * Cosine: lr * (s+1)/warmup during warmup, then cosine from lr to min_lr over
 * the remaining steps. One-cycle: the same warmup, then a straight line from
 * lr to min_lr over the remaining steps (step max_steps reaches min_lr).
 * Inverse-sqrt, with n = s + 1 (steps counted from 1), w = warmup_steps and
 * d = d_model (taken as 1 when <= 0):
 *   lr * d^-0.5 * min(n^-0.5, n * w^-1.5)
 * rising linearly to lr * (d w)^-0.5 at n = w, then falling as n^-0.5; with
 * w = 0 there is no warmup (lr * d^-0.5 * n^-0.5). max_steps and min_lr are
 * not used. */
ATTN_API float attn_lr_at(const attn_optim_params *p, int64_t step);

typedef struct attn_train_progress {
    int64_t step, max_steps;      /* step just finished (1-based) */
    float loss, lr, grad_norm;
    double tokens_per_s, elapsed_s, eta_s;
    int threads, max_threads;     /* the threads the step ran on, of those set (0, 0: every step on all of them,
                                     fixed_threads or several processes) */
    bool has_val;
    float val_loss;
    bool checkpointed;
    bool has_accuracy;            /* classification: accuracy and macro-F1 on the validation file */
    float val_accuracy, val_macro_f1;
    bool has_bleu;                /* seq2seq with eval_bleu: greedy BLEU on validation pairs */
    float val_bleu;
    bool has_rewards;             /* DPO: the step's pairs' implicit rewards beta (log pi - log ref);
                                     REWARD: the model's rewards: the share of pairs with chosen above
                                     rejected, the mean chosen - rejected */
    float reward_accuracy, reward_margin;
    bool has_val_rewards;         /* DPO, REWARD: the same over the validation pairs */
    float val_reward_accuracy, val_reward_margin;
    bool has_reward_mean;         /* GRPO: the step's mean reward over its samples */
    float reward_mean;
    bool has_lexicon_reward;      /* PPO with ppo_lexicon: the rollout's mean lexicon score of its completions */
    float lexicon_reward;
    bool has_grpo_kl;             /* GRPO with kl_coef: the policy's KL from the reference on the step's
                                     samples, k3 = exp(x) - x - 1 with x = log ref - log pi, averaged over
                                     each completion's tokens, then over the completions (in kl) */
    bool has_ppo;                 /* PPO: the step's rollout: the mean over its completion tokens of
                                     log pi_old - log ref summed per completion, then averaged (kl),
                                     the policy's entropy per token, the KL coefficient used; the step's
                                     update: the share of tokens whose clipped policy term won
                                     (clip_frac) and the value loss; rollout tokens per second (the
                                     sampling, scoring and value passes; 0 on steps that reuse the
                                     rollout) and training tokens per second (the update alone) */
    float kl, entropy, kl_coef, clip_frac, value_loss;
    double rollout_tokens_per_s, train_tokens_per_s;
    bool has_ptx;                 /* PPO with ptx_coef: the step's LM loss on the pretraining windows */
    float ptx_loss;
    bool has_val_exact;           /* GRPO: greedy exact-match accuracy on held-out prompts */
    float val_exact_match;
} attn_train_progress;

typedef void (*attn_train_callback)(const attn_train_progress *p, void *user);

/* What the model learns from each window of T tokens:
 * - CLM (GPT): next-token prediction, inputs w[0..T) and targets w[1..T].
 * - MLM (BERT-family encoders): each row is [CLS] + T-2 tokens of the
 *   window + [SEP] (the tokenizer's "[CLS]"/"[SEP]", or "<s>"/"</s>"),
 *   masked with attn_mlm_mask (BERT's 15%, 80/10/10; [CLS], [SEP], [PAD],
 *   [MASK] never chosen); targets are its labels (-1 where not predicted).
 *   Dynamic masking (RoBERTa, the default) seeds each row's mask from
 *   (seed, step, row), so a window seen twice is masked anew; static
 *   masking (BERT) from (seed, window start offset), so a window is always
 *   masked the same way. Whole-word masking chooses whole words, a token
 *   whose text starts with "##" (WordPiece) continuing the word before it
 *   (the window's first token always starts one). Validation windows get fixed masks from (seed,
 *   window index). A new encoder is post-LN BERT with exact-erf GELU,
 *   type_vocab_size 2, MLP width 4 * width (or n_inner), an MLM head tied
 *   to the word embeddings and no pooler; the data's tokenizer must have a
 *   mask token ("[MASK]" or "<mask>"). */
/* - CLASSIFY: fine-tune a classifier on a labelled file (labeled.h: TSV,
 *   CSV or JSONL; text or a text pair, and a label) given as data_dir, from
 *   the model directory init_from (its tokenizer.json encodes the texts:
 *   [CLS] A [SEP] B [SEP] for BERT's, plain tokens for a GPT's, truncated to
 *   seq_len or the model's positions). Labels are the training file's
 *   (sorted: see labeled.h); a model whose classifier has other labels (or
 *   none) gets a new head (BERT: pooler + classifier; RoBERTa: its
 *   classification head; GPT-2: a score layer on the last token) from
 *   `seed`, everything else carried over. Each step draws B examples from
 *   an epoch-wise permutation of (seed, epoch), rows padded to the batch's
 *   longest. Evaluation on val_file (labels must be among the training
 *   file's) reports loss, accuracy and macro-F1 (the unweighted mean of
 *   per-label F1 over the labels that occur in the validation labels or
 *   the predictions), logged as val_loss, val_accuracy, val_macro_f1. */
/* The model a run creates (attn_train_params.arch). */
typedef enum attn_s2s_arch {
    ATTN_ARCH_DEFAULT = 0,        /* pair data: the Transformer; token shards: GPT-2 (or BERT for mlm) */
    ATTN_ARCH_TRANSFORMER,        /* Marian layout: sinusoidal positions, ReLU, scaled embeddings */
    ATTN_ARCH_BART,               /* learned positions, embedding LayerNorm, GELU */
    ATTN_ARCH_RNNSEARCH,          /* GRU encoder-decoder with additive attention (rnn.h) */
    ATTN_ARCH_RNNENCDEC,          /* the same without attention */
    ATTN_ARCH_GPT2,               /* token shards, clm: GPT-2 */
    ATTN_ARCH_OPT,                /* token shards, clm: OPT (attn_model_new_arch "opt") */
    ATTN_ARCH_LLAMA,              /* token shards, clm: Llama (attn_model_new_arch "llama") */
    ATTN_ARCH_BLOOM,              /* token shards, clm: BLOOM (attn_model_new_arch "bloom": ALiBi, no positions) */
    ATTN_ARCH_ESM,                /* token shards, mlm: ESM-2 (attn_esm_new: rotary positions, pre-LN, token dropout) */
} attn_s2s_arch;

/* - DENOISE: BART's pretraining (Lewis et al. 2019) of an encoder-decoder
 *   on the token shards of `attn prepare`. Each row is <s> + T-2 tokens of
 *   a window (drawn as for CLM) + </s> (T = seq_len, or the model's
 *   positions); the target is that row, the decoder input is the model's
 *   decoder start (</s> for BART) followed by the row without its last
 *   token, and the source is attn_noise_apply(row) with `noise`'s ratios
 *   (<s>, </s>, <pad>, <mask> kept; sentences end at the tokenizer's ".",
 *   "!" and "?"), cut to the model's positions (its last token then set
 *   to </s>) and padded with <pad>. The corruption of training row r of
 *   step s is seeded from (seed, s, r), so a resumed run continues bit for
 *   bit; validation windows (evenly spaced through val.bin) get the same
 *   corruption at every evaluation. The data's tokenizer must have "<s>",
 *   "<pad>", "</s>" and "<mask>". A new model is BART (arch DEFAULT or
 *   BART; sized as for pair data below) with those special ids and decoder
 *   start </s>; init_from may be any encoder-decoder whose pad id is the
 *   tokenizer's. OUT also receives translate.json (<s> x </s> on both
 *   sides), so `attn translate` reconstructs corrupted text with it. */
typedef enum attn_objective {
    ATTN_OBJECTIVE_CLM = 0,
    ATTN_OBJECTIVE_MLM,
    ATTN_OBJECTIVE_CLASSIFY,
    ATTN_OBJECTIVE_DENOISE,
    ATTN_OBJECTIVE_SFT,
    ATTN_OBJECTIVE_DPO,
    ATTN_OBJECTIVE_REWARD,
    ATTN_OBJECTIVE_GRPO,
    ATTN_OBJECTIVE_PPO,
} attn_objective;
/* - PPO: proximal policy optimisation of a decoder from init_from against a
 *   reward (InstructGPT's RL step; src/train/ppo.c has the details). Every
 *   ppo_epochs steps make a rollout: batch_size x grad_accum prompts from
 *   ppo_prompts (prompt-only JSONL: a string prompt is plain text, a message
 *   list is rendered with the run's chat template and its generation
 *   prompt; "arith": GRPO's built-in "A+B=" prompts, plain text) drawn from (seed, rollout), one completion each of at most
 *   max_new tokens sampled from the policy (temperature 1, seeds from
 *   (seed, rollout, row)), scored by ppo_reward (a one-label reward model
 *   directory with the policy's tokenizer, its score of prompt + completion;
 *   "arith": 1 for the exact sum). Per-token rewards are -kl_coef (log pi_old
 *   - log ref) with ref the frozen init_from model, plus the score on the
 *   last token; a value head (a linear map of the final hidden states,
 *   OUT/value_head.safetensors) gives values, GAE (gamma, lam) the
 *   advantages, whitened over the rollout. The rollout's steps each take
 *   one AdamW step on all its rows of the clipped policy loss (cliprange)
 *   plus vf_coef times the clipped value loss (cliprange_value). With
 *   kl_target > 0 the coefficient adapts after each rollout (Ziegler et al.
 *   2019, horizon kl_horizon). With ptx_coef > 0 (and data_dir: token
 *   shards) the loss adds ptx_coef x the causal-LM loss of batch_size
 *   windows of seq_len tokens (0: the model's context) per micro-batch, drawn
 *   from (seed, step) (ptx_loss in the log). The log has reward_mean, kl, entropy,
 *   clip_frac, value_loss, rollout_tokens_per_s, kl_coef; with ppo_lexicon,
 *   lexicon_reward (the completions' mean VADER score, not trained on). */
/* - GRPO: group relative policy optimisation of a decoder from init_from
 *   on the built-in arithmetic task (data_dir "arith"): prompt k of step s
 *   is "A+B=" with A, B in [0, 50) drawn from (seed, s, k) (plain text, no
 *   template), batch_size prompts per micro-batch, each with `group`
 *   completions of at most 6 tokens sampled from the policy (temperature
 *   1, stopping at the tokenizer's end of text) with seeds from (seed, s,
 *   row), so a resumed run samples the same ones. The reward is 1 when the
 *   completion's first line (end of text dropped, spaces trimmed) is the
 *   sum's decimal digits, else 0; advantages are (r - group mean) / (group standard
 *   deviation + 1e-4); the loss is -sum_i A_i mean_t log pi(o_it) / rows,
 *   one update per sampled batch (so PPO's ratio is 1 and its clipping
 *   inactive), plus kl_coef times the mean over each completion's tokens
 *   (then over rows) of the k3 estimate exp(x) - x - 1, x = log ref - log
 *   pi, of KL(pi || the frozen init_from model; kl_coef 0: no term, no
 *   reference). The log has the step's mean reward
 *   (reward_mean) and, at each evaluation, the greedy exact-match accuracy
 *   on 64 held-out prompts (val_exact_match). Dropout is off unless asked. */
/* - REWARD: a reward model: a one-label classifier head (LABEL_0; GPT-2's
 *   score on the last real token, BERT's / RoBERTa's on [CLS]; made from
 *   `seed` when init_from has none, as for CLASSIFY) trained on
 *   preference pairs (chat_data.h) given as data_dir with the
 *   Bradley-Terry loss -log sigmoid(r_chosen - r_rejected), averaged over
 *   pairs. A pair's texts are prompt + completion (message lists rendered
 *   with the chat template as for SFT, plain strings joined) encoded with
 *   the tokenizer's post-processor and cut to seq_len tokens. Each step
 *   draws B pairs per micro-batch (2B rows padded to the longest, with a
 *   mask); the log has the step's pairwise accuracy (r_chosen > r_rejected)
 *   and mean margin as reward_accuracy / reward_margin, and with val_file
 *   val_loss, val_reward_accuracy, val_reward_margin. OUT is a
 *   *ForSequenceClassification with one label. */
/* - DPO: direct preference optimisation (Rafailov et al. 2023) of a decoder
 *   on preference pairs (chat_data.h's pairs) given as data_dir, from
 *   init_from, which is also the frozen reference (required, with resume
 *   too). A pair's rows are its prompt's tokens then a completion's: for
 *   message lists the prompt rendered with the generation prompt, the
 *   completion what the rendering of prompt + completion adds to that text
 *   (checked to extend it); plain pairs as they are; each encoded
 *   separately and joined (TRL's DPO), the completion cut to seq_len
 *   tokens and the prompt to its last seq_len + 1 - completion. The
 *   policy's and the reference's log-probabilities are sums over the
 *   completion's tokens; the loss per pair is -log sigmoid(beta u), u =
 *   (pi_c - ref_c) - (pi_r - ref_r), or with dpo_ipo IPO's (u - 1/(2 beta))^2
 *   over per-token means (TRL's ipo), averaged over pairs. The reference's
 *   values are computed once (fp32, batches of B pairs) and cached in
 *   DATA.ref-KEY.bin beside the data (and val_file), KEY a hash of the
 *   reference's weights and every pair's tokens: another model or other
 *   data (or template, tokenizer, seq_len) is another file. Dropout is
 *   off unless model.dropout asks. Each step draws B pairs per micro-batch
 *   (2B rows, padded to the longest) from an epoch-wise permutation; the
 *   log has the step's implicit-reward accuracy and margin (beta times the
 *   log-ratios; their share with chosen above rejected, their mean
 *   difference), and with val_file val_loss, val_reward_accuracy,
 *   val_reward_margin. OUT receives tokenizer_config.json as with SFT. */
/* - SFT: supervised fine-tuning of a decoder (any family that trains with
 *   clm) on conversations (chat_data.h's JSON lines) given as data_dir,
 *   from init_from (required; its tokenizer.json, and its chat template:
 *   chat_template.jinja or tokenizer_config.json's, else ChatML). Each
 *   conversation is rendered and encoded by attn_chat_encode (chat_data.h)
 *   and cut to seq_len + 1 tokens (seq_len 0: the model's context); the
 *   loss is the mean next-token cross-entropy over the tokens of assistant
 *   messages (train_on_prompt: over every token but a conversation's
 *   first). With `packing`, conversations are put whole, in file order,
 *   into rows of at most seq_len + 1 tokens (a new row when the next one
 *   does not fit): positions run on through a row and a conversation
 *   attends to the ones before it in its row (the training forward has no
 *   document mask), as packing without position resets does in TRL.
 *   Each step draws B rows per micro-batch from an epoch-wise permutation
 *   of (seed, epoch), padded to the micro-batch's longest. val_file
 *   (conversations) gives val_loss, the mean over its counted tokens. OUT
 *   receives tokenizer_config.json with the template and its bos / eos
 *   tokens, so `attn chat` and a resumed run render as this run does. */

typedef struct attn_train_params {
    const char *data_dir;         /* from `attn prepare` */
    const char *out_dir;          /* model directory written by checkpoints */
    const char *init_from;        /* start from this model directory (NULL: new model) */
    attn_gpt_config model;        /* architecture of a new model (vocab from the data) */
    attn_optim_params optim;
    int64_t batch_size, seq_len;  /* seq_len 0 = the model's context */
    int64_t grad_accum;           /* micro-batches per step */
    int64_t eval_every, eval_batches;
    int64_t checkpoint_every;     /* 0 = only at the end */
    uint64_t seed;
    bool resume;                  /* continue OUT's checkpoint (see below); a run that stopped before
                                     its first complete checkpoint (OUT has train_log.jsonl or
                                     .attn-train.lock but no trainer_state.safetensors) starts over
                                     from step 0 */
    bool overwrite;               /* a new run (no resume) may replace a model already in OUT;
                                     without it such a run is refused */
    /* Polled after every step but the run's last (and once before the first
     * step, unless none is left) with `user`: true ends the run after that
     * step with a checkpoint, as stop_at does. It is polled only where a stop
     * cuts the run short, so a caller knows the run is complete unless this
     * returned true (a request after the last poll changes nothing). The
     * library installs no signal handlers; a caller's handler sets a flag
     * this reads. NULL: never. */
    bool (*should_stop)(void *user);
    int64_t stop_at;              /* stop (with a checkpoint) after this step; 0 = run to max_steps */
    attn_train_callback callback;
    void *user;
    attn_objective objective;     /* CLM (default) or MLM (encoders) */
    bool static_masking;          /* MLM: fixed masks per window (BERT) instead of dynamic */
    bool whole_word_masking;      /* MLM: mask whole words (a "##" WordPiece continues the word before it) */
    bool doc_windows;             /* CLM, MLM: windows start just after an end token (one document per row from its first token, e.g. a protein and its tag) */
    const char *val_file;         /* CLASSIFY: the labelled validation file; SFT: conversations (NULL: none) */
    bool train_on_prompt;         /* SFT: the loss over every token, not only the assistant's */
    bool packing;                 /* SFT: several conversations per row (see SFT above) */
    float dpo_beta;               /* DPO: beta (default 0.1) */
    bool dpo_ipo;                 /* DPO: IPO's loss instead of the sigmoid (see DPO above) */
    int64_t group;                /* GRPO: completions per prompt (default 4) */
    float kl_coef;                /* GRPO: the KL penalty's coefficient (0: none) */
    const char *ppo_prompts;      /* PPO: the prompts file, or "arith" */
    const char *ppo_reward;       /* PPO: the reward model's directory, or "arith" */
    const char *ppo_lexicon;      /* PPO: a sentiment lexicon (attn_lexicon_load) that also scores each
                                     rollout's completions, for the log only (lexicon_reward) */
    int64_t ppo_epochs;           /* PPO: optimizer steps per rollout (default 4) */
    int64_t max_new;              /* PPO: completion tokens at most (default 16) */
    int64_t kl_horizon;           /* PPO: the adaptive KL controller's horizon (default 10000) */
    float cliprange, cliprange_value, vf_coef, gamma, lam; /* PPO (defaults 0.2, 0.2, 0.1, 1, 0.95) */
    float ptx_coef;               /* PPO: the weight of the causal-LM loss on data_dir's shards (0: none) */
    float ppo_kl_coef, kl_target; /* PPO: the KL penalty's (initial) coefficient (default 0.05);
                                     the adaptive controller's target (0: a fixed coefficient) */
    bool nsp;                     /* MLM: add next-sentence prediction (BERT): each row is
                                     [CLS] A [SEP] B [SEP], the window cut at a random point, B
                                     replaced half the time by a random span of the corpus; the
                                     loss is masked LM + NSP; a new encoder gets a pooler and the
                                     next-sentence head (BertForPreTraining) */
    bool pre_ln, no_bias;         /* MLM, a new BERT: attn's variants (model_type attn_bert, Cramming's
                                     recipe): pre-LN blocks with a final LayerNorm; linear layers
                                     without biases */
    bool sparse_mlm;              /* MLM: run the head and the loss on the masked positions only
                                     (Cramming's sparse prediction; the same mean loss) */
    attn_precision precision;     /* matrix products in fp32 (default) or bf16 (see model.h); master
                                     weights, gradients, AdamW state and checkpoints stay fp32, so a
                                     run may resume in either precision */
    /* Sequence-to-sequence training, chosen when data_dir holds train.pairs
     * (`attn prepare --pairs`). A new model is `arch` with vocabulary and
     * special ids from the pair shard's header: the Transformer / BART with
     * model.n_layer encoder and as many decoder layers, model.n_head heads,
     * d_model model.n_embd, FFN model.n_inner (0: 4 * width), positions
     * model.n_ctx, dropout model.dropout; an RNN with embeddings of
     * model.n_embd, hidden_size GRU units per direction (0: the width),
     * alignment width hidden_size and a tied maxout output of the embedding
     * width. Each step takes grad_accum batches from the pair loader
     * (attn_pair_loader, seeded with `seed`) of at most batch_tokens padded
     * tokens each; a resumed run seeks the loader to step * grad_accum
     * batches, so it continues bit for bit. The loss is the label-smoothed
     * cross-entropy per target token; validation (val.pairs, eval_batches
     * batches evenly spaced through its length-sorted batches, 0 = all)
     * reports the plain mean
     * NLL per target token and, with eval_bleu N, the BLEU of greedy
     * translations of the first N validation pairs (logged as val_bleu).
     * OUT also receives translate.json, the wrapping the shards used
     * (see translate.h), so `attn translate` can reproduce it. */
    attn_s2s_arch arch;
    int64_t hidden_size;
    int64_t batch_tokens;         /* 0: 4096 */
    float label_smoothing;        /* in [0, 1) */
    int64_t eval_bleu;
    double time_limit_s;          /* pair data: stop (with a checkpoint) after the first step that ends
                                     past this many seconds of training; 0: no limit */
    double budget_flops;          /* CLM on token shards, > 0: the run's length in training FLOPs instead of
                                     max_steps: max_steps = floor(budget_flops / (flops per token x tokens
                                     per step)) (attn_train_flops_per_token; batch x seq_len x grad_accum
                                     tokens per step), so the cosine reaches min_lr exactly where the budget
                                     ends (a default warmup is then min(max_steps / 10, 100)); a budget
                                     smaller than one step is refused */
    attn_noise_params noise;      /* DENOISE: mask_ratio, poisson_lambda, random_ratio, delete_ratio,
                                     permute_ratio, rotate_ratio (BART's by default: 0.3, 3, 0.1, 0,
                                     1, 0; ratios in [0, 1], lambda in [0, 100]); the ids, vocabulary
                                     and sentence ends are the loop's */
    /* Called with `user` and a one-line message when a resume goes on with
     * a setting that differs from the checkpoint's in a way the run allows
     * but that makes it differ from an uninterrupted run (--precision).
     * NULL: not told. */
    void (*warning)(const char *message, void *user);
    /* Data-parallel runs (dist.h: mpirun -n W, after attn_dist_init): each
     * step's global batch is W x grad_accum micro-batches, the same ones
     * (data, dropout masks, loss scaling, schedule) as one process with
     * accumulation W x grad_accum; rank r computes the r-th slice, the
     * gradients are summed over the ranks, and rank 0 alone writes OUT (log,
     * checkpoints, callback). Every rank must read DATA (and --init, and OUT
     * on resume) at the same path. The checkpoint records W, grad_accum and
     * the data position (global micro-batches trained on); a resume may run
     * on another number of processes W' when W' x grad_accum is the same
     * global batch (refused otherwise; warned of without deterministic_reduce,
     * whose sums then group differently).
     * deterministic_reduce: the gradient sum is formed one micro-batch at a
     * time in global order (the ranks pass it on in rank order), so W
     * processes with accumulation a give bit for bit the parameters of one
     * process with accumulation W x a (at the same threads per process).
     * Without it the ranks' sums are added by MPI_Allreduce: the same run
     * after run at a fixed W, but not across W. */
    bool deterministic_reduce;
    /* Without deterministic_reduce or zero_stage, on more than one process:
     * the gradients' sum over the processes starts during the last
     * micro-batch's backward pass, in buckets of whole parameters of about
     * this many MB (the last layers' first, as soon as the backward is done
     * with them), overlapping the communication with the rest of the
     * backward. 0: one sum after the backward. Default 16. Not a setting of
     * the run (the sums are the same bit for bit at 2 processes; at more,
     * MPI may group them differently for other bucket sizes). */
    double bucket_mb;
    /* Every step on the thread count set (attn_set_threads). Otherwise (one
     * process) a step may run on fewer threads while that measures faster,
     * as beside another busy process: now and then one step runs on a
     * neighbouring count and the faster count stays (the log's "threads").
     * The kernels give the same bits on any count, so only speed changes. */
    bool fixed_threads;
    /* ZeRO-1 (1; 0: off): each of the W processes keeps the AdamW moments
     * of one contiguous 1/W of the parameters only (optimizer state per
     * process / W): the gradients are reduce-scattered to the owners, each
     * updates its part and the parameters are all-gathered. The parameters
     * are bit for bit those of the unsharded optimizer (with
     * deterministic_reduce, those of one process); checkpoints hold the
     * whole moments (gathered to rank 0), so a run resumes with or without
     * it and with another W. */
    int64_t zero_stage;
    /* Activation checkpointing: the pre-norm blocks (GPT-2, OPT, Llama,
     * BLOOM) keep only their inputs in the forward pass and run again in
     * the backward pass — the same gradients bit for bit, in less memory,
     * for one more forward pass of the blocks. Not a setting of the run: a
     * resume may turn it on or off. */
    bool recompute;
    /* Called on rank 0 with `user` and a one-line message about the run's
     * setup (the optimizer state per process under zero_stage). NULL: not
     * told. */
    void (*note)(const char *message, void *user);
} attn_train_params;

ATTN_API attn_train_params attn_train_default_params(void);
/* The training FLOPs per token of a decoder on windows of seq_len tokens,
 * as Kaplan et al. (2020) count them: 6 N + 6 n_layer seq_len d_model,
 * forward and backward (3 x the forward's 2 N multiply-adds of the weights
 * and 2 n_layer seq_len d_model of attention scores and their weighting),
 * where N is every parameter, embeddings included (as Chinchilla counts N;
 * attn_model_num_params). A CLM run logs it in OUT/train_log.jsonl with the
 * FLOPs done so far ("flops_per_token", "flops" on every line). */
ATTN_API attn_status attn_train_flops_per_token(const attn_model *model, int64_t seq_len, double *out);
ATTN_API attn_status attn_train(const attn_train_params *params);

/* ---- one step at a time ----------------------------------------------------
 * For embedding the optimizer in other loops (and for tests). */
typedef struct attn_trainer attn_trainer;
ATTN_API attn_status attn_trainer_new(attn_model *model, const attn_optim_params *p, attn_trainer **out);
ATTN_API void attn_trainer_free(attn_trainer *tr);
/* One optimizer step over n_micro micro-batches: inputs/targets are
 * (n_micro, B, T); target -1 is ignored. The loss is the mean of the
 * micro-batch losses, before the update; grad_norm is before clipping. */
ATTN_API attn_status attn_trainer_step(attn_trainer *tr, const int32_t *inputs, const int32_t *targets, int64_t n_micro,
                                       int64_t B, int64_t T, float *loss, float *grad_norm);
/* Mean loss without gradients. */
ATTN_API attn_status attn_trainer_eval(attn_trainer *tr, const int32_t *inputs, const int32_t *targets, int64_t B,
                                       int64_t T, float *loss);
ATTN_API int64_t attn_trainer_steps_done(const attn_trainer *tr);
/* Bytes the trainer's arena holds and chunks it ever allocated (tests). */
ATTN_API size_t attn_trainer_arena_bytes(const attn_trainer *tr, size_t *n_chunk_allocs);

#ifdef __cplusplus
}
#endif
#endif
