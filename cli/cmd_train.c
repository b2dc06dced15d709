/* attn train — train a GPT (or, with --objective mlm, a BERT-style encoder;
 * with --objective denoise, BART) on prepared token shards; with --objective
 * classify, fine-tune a model as a classifier on a labelled file. */
#include "cli.h"

#include "attn/dist.h"
#include "attn/train.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- signals: the first asks the run to stop after its step (the library
 * polls should_stop), the second ends the process at once. */
static volatile sig_atomic_t stop_signal;
static int rank_here; /* this process's rank under mpirun: rank 0 alone speaks for the run */

static void on_signal(int sig) {
    if (stop_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
    if (rank_here > 0) return;
    static const char msg[] = "\nattn train: stopping after this step with a checkpoint (signal again to quit at once)\n";
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
}

static bool stop_taken; /* should_stop said yes: the library polls it only where that cuts the run short */

static bool should_stop(void *user) {
    (void)user;
    if (stop_signal) stop_taken = true;
    return stop_signal != 0;
}

typedef struct progress_state {
    bool quiet, tty;
    int64_t step;       /* the last step reported */
    double last_line;   /* elapsed seconds at the last full line (not a terminal) */
    double every;       /* seconds between full lines at least (not a terminal; progress.c's rule) */
} progress_state;

static void fmt_time(char *buf, size_t n, double s) {
    if (!isfinite(s) || s < 0) s = 0;
    int h = (int)(s / 3600), m = (int)(fmod(s, 3600) / 60), sec = (int)fmod(s, 60);
    if (h)
        snprintf(buf, n, "%dh%02dm", h, m);
    else
        snprintf(buf, n, "%dm%02ds", m, sec);
}

static void on_progress(const attn_train_progress *p, void *user) {
    progress_state *ps = user;
    ps->step = p->step;
    if (ps->quiet) return;
    char eta[32], el[32];
    fmt_time(eta, sizeof eta, p->eta_s);
    fmt_time(el, sizeof el, p->elapsed_s);
    int64_t every = p->max_steps / 20 > 1 ? p->max_steps / 20 : 1;
    bool line = p->has_val || p->checkpointed || p->step == 1 || p->step % every == 0 ||
                (!ps->tty && p->elapsed_s - ps->last_line >= ps->every); /* a log or pipe: a line every 10 s at least */
    if (!ps->tty && !line) return;
    if (line) ps->last_line = p->elapsed_s;
    if (line) {
        fprintf(stderr, "%sstep %6lld/%lld | loss %.4f | lr %.2e | norm %.2f | %.0f tok/s | %s elapsed, ETA %s", ps->tty ? "\r\033[K" : "",
                (long long)p->step, (long long)p->max_steps, (double)p->loss, (double)p->lr, (double)p->grad_norm,
                p->tokens_per_s, el, eta);
        if (p->threads && p->threads != p->max_threads) fprintf(stderr, " | %d of %d threads", p->threads, p->max_threads);
        if (p->has_val) fprintf(stderr, " | val %.4f", (double)p->val_loss);
        if (p->has_bleu) fprintf(stderr, " | BLEU %.2f", (double)p->val_bleu);
        if (p->has_rewards) fprintf(stderr, " | reward acc %.2f%% margin %.3f", 100.0 * (double)p->reward_accuracy, (double)p->reward_margin);
        if (p->has_reward_mean) fprintf(stderr, " | reward %.3f", (double)p->reward_mean);
        if (p->has_lexicon_reward) fprintf(stderr, " | lexicon %.3f", (double)p->lexicon_reward);
        if (p->has_grpo_kl) fprintf(stderr, " | kl %.4f", (double)p->kl);
        if (p->has_ppo) fprintf(stderr, " | kl %.3f clip %.2f vf %.4f", (double)p->kl, (double)p->clip_frac, (double)p->value_loss);
        if (p->has_val_exact) fprintf(stderr, " | val exact %.2f%%", 100.0 * (double)p->val_exact_match);
        if (p->has_val_rewards)
            fprintf(stderr, " | val reward acc %.2f%% margin %.3f", 100.0 * (double)p->val_reward_accuracy,
                    (double)p->val_reward_margin);
        if (p->has_accuracy)
            fprintf(stderr, " | acc %.2f%% | macro-F1 %.4f", 100.0 * (double)p->val_accuracy, (double)p->val_macro_f1);
        if (p->checkpointed) fprintf(stderr, " | saved");
        fprintf(stderr, "\n");
    } else {
        fprintf(stderr, "\r\033[Kstep %6lld/%lld | loss %.4f | lr %.2e | %.0f tok/s | ETA %s", (long long)p->step,
                (long long)p->max_steps, (double)p->loss, (double)p->lr, p->tokens_per_s, eta);
    }
    fflush(stderr);
}

static void on_note(const char *message, void *user) {
    if (!((progress_state *)user)->quiet) fprintf(stderr, "attn train: %s\n", message);
}

static void on_warning(const char *message, void *user) {
    (void)user;
    fprintf(stderr, "attn train: warning: %s\n", message);
}

static const cli_choice objectives[] = {{"clm", ATTN_OBJECTIVE_CLM},
                                        {"mlm", ATTN_OBJECTIVE_MLM},
                                        {"classify", ATTN_OBJECTIVE_CLASSIFY},
                                        {"denoise", ATTN_OBJECTIVE_DENOISE},
                                        {"sft", ATTN_OBJECTIVE_SFT},
                                        {"dpo", ATTN_OBJECTIVE_DPO},
                                        {"reward", ATTN_OBJECTIVE_REWARD},
                                        {"grpo", ATTN_OBJECTIVE_GRPO},
                                        {"ppo", ATTN_OBJECTIVE_PPO},
                                        {NULL, 0}};
static const cli_choice archs[] = {{"transformer", ATTN_ARCH_TRANSFORMER},
                                   {"bart", ATTN_ARCH_BART},
                                   {"rnnsearch", ATTN_ARCH_RNNSEARCH},
                                   {"rnnencdec", ATTN_ARCH_RNNENCDEC},
                                   {"gpt2", ATTN_ARCH_GPT2},
                                   {"opt", ATTN_ARCH_OPT},
                                   {"llama", ATTN_ARCH_LLAMA},
                                   {"bloom", ATTN_ARCH_BLOOM},
                                   {"esm", ATTN_ARCH_ESM},
                                   {NULL, 0}};
static const cli_choice schedules[] = {
    {"cosine", ATTN_SCHEDULE_COSINE},
    {"inverse-sqrt", ATTN_SCHEDULE_INVERSE_SQRT},
    {"one-cycle", ATTN_SCHEDULE_ONE_CYCLE},
    {NULL, 0}};
static const cli_choice activations[] = {
    {"gelu", ATTN_ACT_GELU_TANH}, {"relu", ATTN_ACT_RELU}, {"relu2", ATTN_ACT_RELU2}, {"geglu", ATTN_ACT_GEGLU}, {NULL, 0}};
static const cli_choice optimizers[] = {{"adamw", ATTN_OPTIMIZER_ADAMW}, {"muon", ATTN_OPTIMIZER_MUON}, {NULL, 0}};

int cmd_train(int argc, char **argv) {
    attn_train_params p = attn_train_default_params();
    progress_state ps = {false, isatty(2) != 0, 0, 0, cli_progress_interval_s(false)};
    long long threads = 0;
    bool steps_set = false;
    int r0;
    /* defaults the library settles after parsing: shown from its values */
    char lr_def[64], warmup_def[96];
    attn_optim_params od = attn_optim_default_params();
    snprintf(lr_def, sizeof lr_def, "%g; inverse-sqrt: 1", (double)od.lr);
    snprintf(warmup_def, sizeof warmup_def, "%lld, at most steps/10; on --resume the checkpoint's",
             (long long)od.warmup_steps);
    /* float fields: the bounds keep the value finite (and nonzero where it must be) as a float too */
    const cli_option options[] = {
        CLI_SECTION("data and output:"),
        {CLI_STR("--data", "-d", "DIR", &p.data_dir,
                 "shards from attn prepare (pair shards from attn prepare --pairs); classify: the labelled FILE; "
                 "sft: a FILE of conversations (JSON lines {\"messages\": [{\"role\", \"content\"}, ...]}); dpo, reward: a "
                 "FILE of preference pairs (JSON lines {\"prompt\", \"chosen\", \"rejected\"}: strings or message lists); "
                 "ppo: the pretraining shards of --ptx-coef")},
        {CLI_STR("--out", "-o", "DIR", &p.out_dir, "the model directory to write")},
        CLI_SECTION("model (new runs):"),
        {CLI_CHOICE("--arch", NULL, "gpt2|opt|llama|bloom|esm|transformer|bart|rnnsearch|rnnencdec", &p.arch, archs,
                    "the new model: on token shards gpt2, opt (OPTForCausalLM: ReLU, learned positions offset "
                    "by 2), llama (LlamaForCausalLM: RMSNorm, rotary positions, SwiGLU, tied output) or bloom (BloomForCausalLM: ALiBi, no learned positions, MLP 4 x the width), with --objective mlm esm (EsmForMaskedLM: rotary positions, pre-LN, token dropout on the data's <mask>; default a BERT encoder); on pair data transformer (Marian layout: sinusoidal positions, ReLU, scaled embeddings), "
                    "bart, rnnsearch or rnnencdec, with --layers per side and --context positions, vocabulary and "
                    "special ids from the shards, writing OUT/translate.json for attn translate"),
         .def = "gpt2 on token shards, transformer on pairs"},
        {CLI_INT("--layers", NULL, "N", &p.model.n_layer, 1, 1000, "transformer blocks (translation: per side)")},
        {CLI_INT("--heads", NULL, "N", &p.model.n_head, 1, 1024, "attention heads")},
        {CLI_INT("--width", NULL, "N", &p.model.n_embd, 1, 65536, "embedding width")},
        {CLI_INT("--context", NULL, "N", &p.model.n_ctx, 1, CLI_MAX_LEN, "positions")},
        {CLI_FLOAT("--dropout", NULL, "X", &p.model.dropout, 0, 1, CLI_MAX_OPEN, "embedding/residual dropout")},
        {CLI_CHOICE("--activation", NULL, "gelu|relu|relu2|geglu", &p.model.activation, activations,
                    "gpt2: the MLP's activation: GELU (tanh form), ReLU, or ReLU squared (relu(x)^2, as the nanoGPT "
                    "speedrun); mlm, a new BERT: geglu, a gated MLP gelu(gate) * up (Cramming; model_type attn_bert; "
                    "--ffn is the gate | up width, the output layer takes half)")},
        {CLI_FLAG("--rotary", NULL, &p.model.rotary,
                  "gpt2: rotary positions (rotate-half, base 10000) on every head's queries and keys instead of learned "
                  "position embeddings")},
        {CLI_FLAG("--qk-norm", NULL, &p.model.qk_norm,
                  "gpt2: RMSNorm without a weight over each head's query and key before the attention scores")},
        {CLI_FLAG("--untied-head", NULL, &p.model.untied_head,
                  "gpt2: an output projection of its own (lm_head) instead of the token embeddings")},
        {CLI_FLAG("--zero-init-proj", NULL, &p.model.zero_init_proj,
                  "gpt2: start the attention and MLP output projections at zero")},
        {CLI_STR("--init", NULL, "DIR", &p.init_from, "start from this model directory instead of a new model")},
        CLI_SECTION("translation (DIR holds pair shards from `attn prepare --pairs`):"),
        {CLI_INT("--ffn", NULL, "N", &p.model.n_inner, 0, 1 << 22, "feed-forward width"), .def = "4 * width"},
        {CLI_INT("--hidden", NULL, "N", &p.hidden_size, 0, 65536,
                 "RNN: GRU units per direction (--width is the embedding)"),
         .def = "the width"},
        {CLI_INT("--batch-tokens", NULL, "N", &p.batch_tokens, 0, CLI_MAX_BATCH * 1024,
                 "padded tokens per micro-batch from the pair loader"),
         .def = "4096"},
        {CLI_FLOAT("--label-smoothing", NULL, "X", &p.label_smoothing, 0, 1, CLI_MAX_OPEN,
                   "label-smoothed cross-entropy (the Transformer's is 0.1)")},
        {CLI_FLOAT("--time-limit", NULL, "MIN", &p.time_limit_s, 0, 1e9, CLI_MIN_OPEN,
                   "stop with a checkpoint (and a validation) after the first step that ends past MIN minutes of "
                   "training (--resume continues)"),
         .scale = 60, .def = "none"},
        {CLI_INT("--eval-bleu", NULL, "N", &p.eval_bleu, 0, 1 << 24,
                 "at each evaluation also greedy-translate the first N validation pairs and log their BLEU "
                 "(val_bleu)")},
        CLI_SECTION("objective:"),
        {CLI_CHOICE("--objective", NULL, "clm|mlm|classify|denoise|sft|dpo|reward|grpo|ppo", &p.objective, objectives,
                    "clm: next-token (GPT). mlm: masked LM (BERT/RoBERTa encoders): rows [CLS] + seq-len-2 tokens + "
                    "[SEP], 15% masked 80/10/10. classify: fine-tune --init MODEL on the labelled file --data FILE "
                    "(a new classifier head when MODEL has none for these labels). denoise: BART pretraining (--arch "
                    "bart) on the shards: rows <s> + context-2 tokens + </s> reconstructed from corrupted copies; the "
                    "data's tokenizer needs <s> <pad> </s> <mask> (attn tokenizer train --type bpe --special-tokens "
                    "'<s>,<pad>,</s>,<unk>,<mask>'). sft: fine-tune --init MODEL on the conversations --data FILE "
                    "rendered with MODEL's chat template (ChatML without one), the loss on assistant tokens only. dpo: "
                    "direct preference optimisation of --init MODEL (also the frozen reference) on the preference "
                    "pairs --data FILE; the reference's log-probabilities are cached beside FILE. reward: a reward "
                    "model (a one-label head on --init MODEL, GPT-2 or BERT/RoBERTa) on the preference pairs --data "
                    "FILE, Bradley-Terry loss; saved as *ForSequenceClassification. grpo: group relative policy "
                    "optimisation of --init MODEL on the built-in arithmetic task (--data arith: prompts \"A+B=\", "
                    "reward 1 for the exact sum). ppo: proximal policy optimisation of --init MODEL against --reward "
                    "on --prompts, with a per-token KL penalty to MODEL and a value head (OUT/value_head.safetensors)")},
        {CLI_INT("--group", NULL, "N", &p.group, 1, 1024, "grpo: completions sampled per prompt")},
        {CLI_FLOAT("--kl", NULL, "X", &p.kl_coef, 0, 1e6, CLI_CLOSED,
                   "grpo: coefficient of the per-token KL penalty to the --init model (0: none)")},
        {CLI_STR("--prompts", NULL, "FILE", &p.ppo_prompts,
                 "ppo: prompt-only JSON lines ({\"prompt\": \"text\"}: plain text; {\"prompt\": [...]} or {\"messages\": "
                 "[...]}: rendered with the model's chat template and its generation prompt), or arith: the built-in "
                 "\"A+B=\" prompts")},
        {CLI_STR("--reward", NULL, "DIR", &p.ppo_reward,
                 "ppo: a reward model (attn train --objective reward; the policy's tokenizer), or arith: 1 for the exact "
                 "sum (with --prompts arith)")},
        {CLI_STR("--lexicon", NULL, "FILE", &p.ppo_lexicon,
                 "ppo: also score each rollout's completions with this sentiment lexicon (e.g. "
                 "data/sentiment/vader_lexicon.tsv) and log the mean as lexicon_reward (not trained on)")},
        {CLI_INT("--ppo-epochs", NULL, "K", &p.ppo_epochs, 1, 1 << 20, "ppo: optimizer steps per rollout")},
        {CLI_INT("--max-new", NULL, "N", &p.max_new, 1, 1 << 20, "ppo: tokens per sampled completion at most")},
        {CLI_FLOAT("--cliprange", NULL, "X", &p.cliprange, 0, 1e6, CLI_CLOSED, "ppo: the policy ratio's clip range")},
        {CLI_FLOAT("--cliprange-value", NULL, "X", &p.cliprange_value, 0, 1e30, CLI_CLOSED,
                   "ppo: how far a value may move from the rollout's before its loss is clipped")},
        {CLI_FLOAT("--vf-coef", NULL, "X", &p.vf_coef, 0, 1e6, CLI_CLOSED, "ppo: the value loss's weight")},
        {CLI_FLOAT("--gamma", NULL, "X", &p.gamma, 0, 1, CLI_CLOSED, "ppo: GAE's discount")},
        {CLI_FLOAT("--lam", NULL, "X", &p.lam, 0, 1, CLI_CLOSED, "ppo: GAE's lambda")},
        {CLI_FLOAT("--kl-coef", NULL, "X", &p.ppo_kl_coef, 0, 1e6, CLI_CLOSED,
                   "ppo: the per-token KL penalty's coefficient (the initial one with --kl-target)")},
        {CLI_FLOAT("--kl-target", NULL, "X", &p.kl_target, 0, 1e6, CLI_CLOSED,
                   "ppo: adapt the KL coefficient towards this KL per completion (Ziegler et al.; 0: fixed)")},
        {CLI_FLOAT("--ptx-coef", NULL, "X", &p.ptx_coef, 0, 1e6, CLI_CLOSED,
                   "ppo: add X times the next-token loss on windows of the --data token shards (InstructGPT's "
                   "PPO-ptx; 0: none)")},
        {CLI_INT("--kl-horizon", NULL, "N", &p.kl_horizon, 1, 1LL << 40, "ppo: the adaptive KL controller's horizon")},
        {CLI_FLAG("--train-on-prompt", NULL, &p.train_on_prompt,
                  "sft: the loss on every token of a conversation, not only the assistant's")},
        {CLI_FLAG("--packing", NULL, &p.packing,
                  "sft: put whole conversations, in file order, several to a row of --seq-len + 1 tokens (they "
                  "attend to the earlier ones in their row: no document mask)")},
        {CLI_FLOAT("--beta", NULL, "X", &p.dpo_beta, 0, 1e6, CLI_MIN_OPEN,
                   "dpo: the strength of the pull to the reference (DPO's beta)")},
        {CLI_FLAG("--ipo", NULL, &p.dpo_ipo,
                  "dpo: IPO's squared loss (log-ratio difference - 1/(2 beta))^2 on per-token means, not DPO's sigmoid")},
        {CLI_FLAG("--static-masking", NULL, &p.static_masking,
                  "mlm: mask each window the same way every time (BERT), not anew at every step (dynamic, RoBERTa; "
                  "the default)")},
        {CLI_FLAG("--whole-word-masking", NULL, &p.whole_word_masking,
                  "mlm: mask whole words (\"##\" WordPieces with the word before)")},
        {CLI_FLAG("--doc-windows", NULL, &p.doc_windows,
                  "clm, mlm: start every window just after an end token (<sep>, [SEP] or <|endoftext|>; clm: "
                  "<|endoftext|>) of the data, so a row holds one document from its first token (proteins of one "
                  "length per row, as ESM trains; a family tag at position 0, as ProGen trains)")},
        {CLI_FLAG("--nsp", NULL, &p.nsp,
                  "mlm: add next-sentence prediction (BERT): rows [CLS] A [SEP] B [SEP], B a random span half the "
                  "time")},
        {CLI_FLAG("--pre-ln", NULL, &p.pre_ln,
                  "mlm, a new BERT: pre-LN blocks (x + attn(LN(x)), x + mlp(LN(x))) and a LayerNorm after the last "
                  "(Cramming; saved as model_type attn_bert)")},
        {CLI_FLAG("--no-bias", NULL, &p.no_bias,
                  "mlm, a new BERT: linear layers without biases (attention, MLP, heads, the MLM decoder; LayerNorms "
                  "keep theirs) (Cramming; model_type attn_bert)")},
        {CLI_FLAG("--sparse-mlm", NULL, &p.sparse_mlm,
                  "mlm: run the masked-LM head and loss on the masked positions only (Cramming's sparse prediction: "
                  "the same loss, about 15% of the head's work)")},
        {CLI_STR("--val", NULL, "FILE", &p.val_file, "classify: labelled validation file (accuracy, macro-F1); sft: conversations (val_loss on assistant tokens); dpo, reward: pairs (val_loss, reward accuracy and margin)")},
        {CLI_FLOAT("--mask-ratio", NULL, "X", &p.noise.mask_ratio, 0, 1, CLI_CLOSED,
                   "denoise: share of the tokens masked")},
        {CLI_FLOAT("--poisson-lambda", NULL, "X", &p.noise.poisson_lambda, 0, 100, CLI_CLOSED,
                   "denoise: mean span length; each span becomes one <mask> (text infilling); 0 = token masking, "
                   "one <mask> per token")},
        {CLI_FLOAT("--random-ratio", NULL, "X", &p.noise.random_ratio, 0, 1, CLI_CLOSED,
                   "denoise: share of the masks that are a random token instead")},
        {CLI_FLOAT("--delete-ratio", NULL, "X", &p.noise.delete_ratio, 0, 1, CLI_CLOSED,
                   "denoise: share of the tokens deleted")},
        {CLI_FLOAT("--permute-ratio", NULL, "X", &p.noise.permute_ratio, 0, 1, CLI_CLOSED,
                   "denoise: probability of shuffling the sentences of a row")},
        {CLI_FLOAT("--rotate-ratio", NULL, "X", &p.noise.rotate_ratio, 0, 1, CLI_CLOSED,
                   "denoise: probability of rotating a row to start at a random token")},
        CLI_SECTION("optimisation:"),
        {CLI_INT("--steps", NULL, "N", &p.optim.max_steps, 0, CLI_MAX_STEPS, "optimizer steps"), .set = &steps_set},
        {CLI_FLOAT("--budget-flops", NULL, "F", &p.budget_flops, 0, 1e30, CLI_MIN_OPEN,
                   "clm: the run's length as training FLOPs instead of --steps: steps = F / (FLOPs per token x "
                   "batch x seq-len x accum), FLOPs per token = 6 N + 6 layers x seq-len x width (N every "
                   "parameter, embeddings included), so the cosine ends exactly at the budget; the log's "
                   "\"flops\" counts them"),
         .def = "none"},
        {CLI_INT("--batch", NULL, "N", &p.batch_size, 1, CLI_MAX_BATCH, "sequences per micro-batch")},
        {CLI_INT("--seq-len", NULL, "N", &p.seq_len, 0, CLI_MAX_LEN, "tokens per sequence"), .def = "the context"},
        {CLI_INT("--accum", NULL, "N", &p.grad_accum, 1, CLI_MAX_ACCUM, "micro-batches per step, gradient accumulation")},
        {CLI_FLOAT("--lr", NULL, "X", &p.optim.lr, 0, FLT_MAX, CLI_MIN_OPEN,
                   "peak learning rate (inverse-sqrt: the scale)"),
         .def = lr_def},
        {CLI_CHOICE("--schedule", NULL, "cosine|inverse-sqrt|one-cycle", &p.optim.schedule, schedules,
                    "cosine: linear warmup, cosine decay to --min-lr; one-cycle: linear warmup, linear decay to "
                    "--min-lr at the last step (Cramming's with --min-lr 0); inverse-sqrt: lr * width^-0.5 * min(n^-0.5, n * "
                    "warmup^-1.5) at step n = 1, 2, ... (Vaswani et al.)")},
        {CLI_FLOAT("--min-lr", NULL, "X", &p.optim.min_lr, 0, FLT_MAX, CLI_CLOSED, "final learning rate of the cosine decay"),
         .def = "lr/10"},
        {CLI_INT("--warmup", NULL, "N", &p.optim.warmup_steps, 0, CLI_MAX_STEPS, "linear warmup steps"),
         .def = warmup_def},
        {CLI_FLOAT("--weight-decay", NULL, "X", &p.optim.weight_decay, 0, FLT_MAX, CLI_CLOSED,
                   "AdamW decoupled weight decay on linear weights")},
        {CLI_CHOICE("--optimizer", NULL, "adamw|muon", &p.optim.optimizer, optimizers,
                    "muon: the blocks' weight matrices step along their momentum's orthogonal factor (five "
                    "Newton-Schulz steps; Nesterov momentum; at --muon-lr, decayed by --weight-decay); embeddings, "
                    "the head, norms and biases take AdamW at --lr")},
        {CLI_FLOAT("--muon-lr", NULL, "X", &p.optim.muon_lr, 0, FLT_MAX, CLI_MIN_OPEN,
                   "Muon's peak learning rate (the schedule scales it as it scales --lr)")},
        {CLI_FLOAT("--muon-momentum", NULL, "X", &p.optim.muon_momentum, 0, 1, CLI_MAX_OPEN, "Muon's momentum")},
        {CLI_FLOAT("--beta1", NULL, "X", &p.optim.beta1, 0, 1, CLI_MAX_OPEN, "AdamW beta1")},
        {CLI_FLOAT("--beta2", NULL, "X", &p.optim.beta2, 0, 1, CLI_MAX_OPEN, "AdamW beta2")},
        {CLI_FLOAT("--eps", NULL, "X", &p.optim.eps, FLT_MIN, FLT_MAX, CLI_CLOSED, "AdamW epsilon")}, /* > 0 as a float too */
        {CLI_FLOAT("--clip", NULL, "X", &p.optim.grad_clip, 0, FLT_MAX, CLI_CLOSED,
                   "clip the global gradient norm; 0 = off")},
        {CLI_INT("--seed", NULL, "N", &p.seed, 0, LLONG_MAX, "seed for initialisation, batches and dropout")},
        CLI_SECTION("run:"),
        {CLI_INT("--eval-every", NULL, "N", &p.eval_every, 0, CLI_MAX_STEPS, "validation loss every N steps; 0 = only at the end")},
        {CLI_INT("--eval-batches", NULL, "N", &p.eval_batches, 0, CLI_MAX_BATCH, "validation batches")},
        {CLI_INT("--checkpoint-every", NULL, "N", &p.checkpoint_every, 0, CLI_MAX_STEPS,
                 "checkpoint every N steps; 0 = only at the end")},
        {CLI_FLAG("--resume", NULL, &p.resume,
                  "continue the checkpoint in OUT exactly where it stopped (the same options; --steps may grow: the "
                  "schedule keeps its length and the added steps run at --min-lr)")},
        {CLI_FLAG("--overwrite", NULL, &p.overwrite, "replace the model already in OUT (refused without it or --resume)")},
        {CLI_INT("--stop-at", NULL, "N", &p.stop_at, 0, CLI_MAX_STEPS,
                 "stop after step N with a checkpoint (resume later with --resume); 0 = run to --steps")},
        {CLI_THREADS(&threads)},
        {CLI_FLAG("--fixed-threads", NULL, &p.fixed_threads,
                  "run every step on --threads threads; by default a step runs on fewer while that measures faster "
                  "(another process busy on a core), with the same results bit for bit")},
        {CLI_FLAG("--deterministic-reduce", NULL, &p.deterministic_reduce,
                  "under mpirun -n W: sum the gradients one micro-batch at a time in a fixed order, so W processes "
                  "with --accum A give bit for bit the model of one process with --accum W*A (the same --threads); "
                  "without it the result is the same run after run at a fixed W")},
        {CLI_FLOAT("--bucket-mb", NULL, "X", &p.bucket_mb, 0, 1e6, CLI_CLOSED,
                   "under mpirun -n W: sum the gradients over the processes in buckets of about X MB, each "
                   "started during the backward pass as soon as it is final (0: one sum after the backward)")},
        {CLI_FLAG("--recompute", NULL, &p.recompute,
                  "activation checkpointing: keep only each block's input and run the block again in the backward "
                  "pass (GPT-2, OPT, Llama, BLOOM): the same gradients in less memory, for about a third more time")},
        {CLI_INT("--zero", NULL, "N", &p.zero_stage, 0, 1,
                 "under mpirun -n W: 1 = ZeRO-1, each process keeps the AdamW moments of 1/W of the parameters (the "
                 "same parameters bit for bit; checkpoints hold them all); 0 = off")},
        {CLI_CHOICE("--precision", NULL, "fp32|bf16", &p.precision, cli_precisions,
                    "matrix products in bf16 with fp32 accumulation; weights, gradients, AdamW and "
                    "checkpoints stay fp32")},
        {CLI_FLAG("--quiet", "-q", &ps.quiet, "no progress line")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn train --data DIR --out DIR [options]\n"
        "       attn train --objective classify --init MODEL --data FILE [--val FILE] --out DIR [options]\n"
        "       attn train --objective sft|dpo|reward --init MODEL --data FILE [--val FILE] --out DIR [options]\n"
        "       attn train --objective ppo --init MODEL --reward RM|arith --prompts FILE|arith --out DIR [options]",
        "Trains a GPT-2-architecture model (or with --objective mlm a BERT-style encoder by\n"
        "masked-LM) on shards made by `attn prepare`, or fine-tunes MODEL (BERT, RoBERTa or GPT)\n"
        "as a classifier on a labelled .tsv, .csv or .jsonl file (text or text pair, and a\n"
        "label), reporting validation accuracy and macro-F1. OUT becomes a\n"
        "Hugging Face model directory (config.json, model.safetensors, tokenizer.json) plus\n"
        "trainer_state.safetensors and train_log.jsonl.",
        options,
        "Ctrl-C (SIGINT) or SIGTERM: the step under way finishes, a checkpoint is written and\n"
        "attn exits with status 130 (SIGINT) or 143 (SIGTERM); --resume continues. One that\n"
        "arrives after the last step leaves the run complete (status 0). A second signal\n"
        "exits at once (the last complete checkpoint stays intact).\n"
        "mpirun -n W attn train ...: W processes train one model data-parallel (each step's batch is\n"
        "W x --batch x --accum sequences, rank r computing slice r); rank 0 writes OUT and the progress\n"
        "line (tokens/s of all ranks). An error on any rank ends them all."};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 0) return cli_usage_error("unknown argument '%s' (see attn train --help)", argv[1]);
    if ((!p.data_dir && p.objective != ATTN_OBJECTIVE_PPO) || !p.out_dir) return cli_usage_error("--data and --out are required (see attn train --help)");
    if (steps_set && p.budget_flops > 0)
        return cli_usage_error("--budget-flops sets the number of steps: give it or --steps, not both");

    if ((r0 = cli_set_threads(threads)) != 0) return r0;
    attn_status st = attn_dist_init();
    if (st) return cli_fail("train", st, NULL);
    int rank = attn_dist_rank(), size = attn_dist_size();
    rank_here = rank;
    if (rank > 0) ps.quiet = true; /* rank 0 reports for all */
    p.callback = on_progress;
    p.user = &ps;
    p.should_stop = should_stop;
    p.warning = on_warning;
    p.note = on_note;
    if (p.resume && !ps.quiet) {
        char state[4096], log[4096], lock[4096];
        snprintf(state, sizeof state, "%s/trainer_state.safetensors", p.out_dir);
        snprintf(log, sizeof log, "%s/train_log.jsonl", p.out_dir);
        snprintf(lock, sizeof lock, "%s/.attn-train.lock", p.out_dir);
        if (access(state, F_OK) != 0 && (access(log, F_OK) == 0 || access(lock, F_OK) == 0))
            fprintf(stderr, "attn train: %s holds no complete checkpoint; starting from step 0\n", p.out_dir);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    st = attn_train(&p);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (!ps.quiet && ps.tty) fprintf(stderr, "\n");
    if (st) {
        if (size > 1) { /* name the rank, then end every process of the run */
            char msg[2048];
            const char *what = attn_last_error();
            snprintf(msg, sizeof msg, "rank %d of %d: %s", rank, size, what && *what ? what : attn_status_string(st));
            cli_fail("train", st, msg);
            attn_dist_abort(1);
        }
        return cli_fail("train", st, NULL);
    }
    attn_dist_finalize();
    if (stop_signal && !stop_taken && rank == 0) /* it came after the last step: the run is complete */
        fprintf(stderr, "attn train: %s received after the last step; the run is complete\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    if (stop_taken && rank > 0) return 128 + stop_signal;
    if (stop_taken) {
        char when[64] = "before its next step";
        if (ps.step > 0) snprintf(when, sizeof when, "after step %lld", (long long)ps.step);
        fprintf(stderr,
                "attn train: interrupted (%s) %s; the checkpoint in %s is complete. Continue with the same "
                "command and --resume.\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM", when, p.out_dir);
        return 128 + stop_signal;
    }
    if (!ps.quiet) fprintf(stderr, "model saved to %s\n", p.out_dir);
    return 0;
}
