/* attn train — train a GPT (or, with --objective mlm, a BERT-style encoder;
 * with --objective denoise, BART) on prepared token shards; with --objective
 * classify, fine-tune a model as a classifier on a labelled file. */
#include "cli.h"

#include "attn/train.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: attn train --data DIR --out DIR [options]\n"
            "       attn train --objective classify --init MODEL --data FILE [--val FILE] --out DIR [options]\n\n"
            "Trains a GPT-2-architecture model (or with --objective mlm a BERT-style encoder by\n"
            "masked-LM) on shards made by `attn prepare`, or fine-tunes MODEL (BERT, RoBERTa or GPT)\n"
            "as a classifier on a labelled .tsv, .csv or .jsonl file (text or text pair, and a\n"
            "label), reporting validation accuracy and macro-F1. OUT becomes a\n"
            "Hugging Face model directory (config.json, model.safetensors, tokenizer.json) plus\n"
            "trainer_state.safetensors and train_log.jsonl.\n\n"
            "model (new runs):\n"
            "  --layers N        transformer blocks (4)\n"
            "  --heads N         attention heads (4)\n"
            "  --width N         embedding width (256)\n"
            "  --context N       positions (256)\n"
            "  --dropout P       embedding/residual dropout (0)\n"
            "  --init DIR        start from this model directory instead of a new model\n");
    fprintf(out,
            "translation (DIR holds pair shards from `attn prepare --pairs`):\n"
            "  --arch A          transformer (Marian layout: sinusoidal positions, ReLU, scaled\n"
            "                    embeddings; the default), bart, rnnsearch or rnnencdec; --layers\n"
            "                    per side, --context positions; vocabulary and special ids from\n"
            "                    the shards; writes OUT/translate.json for attn translate\n"
            "  --ffn N           feed-forward width (4 * width)\n"
            "  --hidden N        RNN: GRU units per direction (the width; --width is the embedding)\n"
            "  --batch-tokens N  padded tokens per micro-batch from the pair loader (4096)\n"
            "  --label-smoothing X  label-smoothed cross-entropy (0; 0.1 for the Transformer)\n"
            "  --time-limit MIN  stop with a checkpoint (and a validation) after the first step that\n"
            "                    ends past MIN minutes of training (--resume continues)\n"
            "  --eval-bleu N     at each evaluation also greedy-translate the first N validation\n"
            "                    pairs and log their BLEU (val_bleu)\n");
    fprintf(out,
            "objective:\n"
            "  --objective clm|mlm  next-token (GPT, default) or masked LM (BERT/RoBERTa encoders):\n"
            "                    rows [CLS] + seq-len-2 tokens + [SEP], 15%% masked 80/10/10\n"
            "  --static-masking  mlm: mask each window the same way every time (BERT), not anew\n"
            "                    at every step (dynamic, RoBERTa; the default)\n"
            "  --whole-word-masking  mlm: mask whole words (\"##\" WordPieces with the word before)\n"
            "  --nsp             mlm: add next-sentence prediction (BERT): rows [CLS] A [SEP] B [SEP],\n"
            "                    B a random span half the time\n"
            "  --objective classify  fine-tune --init MODEL on the labelled file --data FILE; a new\n"
            "                    classifier head when MODEL has none for these labels\n"
            "  --val FILE        classify: labelled validation file (accuracy, macro-F1)\n"
            "  --objective denoise  BART pretraining (--arch bart) on the shards: rows <s> + context-2\n"
            "                    tokens + </s> reconstructed from corrupted copies; the data's\n"
            "                    tokenizer needs <s> <pad> </s> <mask> (attn tokenizer train --type bpe\n"
            "                    --special-tokens '<s>,<pad>,</s>,<unk>,<mask>'); BART's noise:\n"
            "  --mask-ratio X    denoise: share of the tokens masked (0.3)\n"
            "  --poisson-lambda X  denoise: mean span length; each span becomes one <mask> (text\n"
            "                    infilling, 3); 0 = token masking, one <mask> per token\n"
            "  --random-ratio X  denoise: share of the masks that are a random token instead (0.1)\n"
            "  --delete-ratio X  denoise: share of the tokens deleted (0)\n"
            "  --permute-ratio X denoise: probability of shuffling the sentences of a row (1.0)\n"
            "  --rotate-ratio X  denoise: probability of rotating a row to start at a random token (0)\n"
            "optimisation:\n"
            "  --steps N         optimizer steps (1000)\n"
            "  --batch N         sequences per micro-batch (16)\n"
            "  --seq-len N       tokens per sequence (the context)\n"
            "  --accum N         micro-batches per step, gradient accumulation (1)\n"
            "  --lr X            peak learning rate (1e-3); inverse-sqrt: the scale (1)\n"
            "  --schedule S      cosine: linear warmup, cosine decay to --min-lr (default);\n"
            "                    inverse-sqrt: lr * width^-0.5 * min(n^-0.5, n * warmup^-1.5)\n"
            "                    at step n = 1, 2, ... (Vaswani et al.)\n"
            "  --min-lr X        final learning rate of the cosine decay (lr/10)\n"
            "  --warmup N        linear warmup steps (100, at most steps/10 by default)\n"
            "  --weight-decay X  AdamW decoupled weight decay on linear weights (0.1)\n"
            "  --beta1 X --beta2 X --eps X   AdamW (0.9, 0.95, 1e-8)\n"
            "  --clip X          clip the global gradient norm (1.0; 0 = off)\n"
            "  --seed N          seed for initialisation, batches and dropout (1337)\n"
            "run:\n"
            "  --eval-every N    validation loss every N steps (100; 0 = only at the end)\n"
            "  --eval-batches N  validation batches (20)\n"
            "  --checkpoint-every N  checkpoint every N steps (0 = only at the end)\n"
            "  --resume          continue the checkpoint in OUT exactly where it stopped (the same\n"
            "                    options; --steps may grow: the schedule keeps its length and the\n"
            "                    added steps run at --min-lr)\n"
            "  --overwrite       replace the model already in OUT (refused without it or --resume)\n"
            "  --stop-at N       stop after step N with a checkpoint (resume later with --resume)\n"
            "  --threads N       threads, 1 to 4 x the cores (ATTN_THREADS, or all cores)\n"
            "  --precision P     fp32 (default) or bf16: matrix products in bf16 with fp32\n"
            "                    accumulation; weights, gradients, AdamW and checkpoints stay fp32\n"
            "  --quiet           no progress line\n\n"
            "Ctrl-C (SIGINT) or SIGTERM: the step under way finishes, a checkpoint is written and\n"
            "attn exits with status 130 (SIGINT) or 143 (SIGTERM); --resume continues. A second\n"
            "signal exits at once (the last complete checkpoint stays intact).\n");
}

/* ---- signals: the first asks the run to stop after its step (the library
 * polls should_stop), the second ends the process at once. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) {
    if (stop_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
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
        if (p->has_val) fprintf(stderr, " | val %.4f", (double)p->val_loss);
        if (p->has_bleu) fprintf(stderr, " | BLEU %.2f", (double)p->val_bleu);
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

int cmd_train(int argc, char **argv) {
    attn_train_params p = attn_train_default_params();
    progress_state ps = {false, isatty(2) != 0, 0, 0, cli_progress_interval_s(false)};
    long long v;
    double x;
    bool warmup_set = false, min_lr_set = false, lr_set = false;
    long long threads = 0;
    int r0;
    p.optim.max_steps = 1000;
    for (int i = 1; i < argc; i++) {
        int r;
#define INT_OPT(name, field, lo, hi)                                         \
    if ((r = cli_opt_int_range(argc, argv, &i, name, NULL, lo, hi, &v)) != 0) { \
        if (r < 0) return 2;                                                 \
        field = v;                                                           \
        continue;                                                            \
    }
        /* float fields: the bounds keep the value finite (and nonzero where it must be) as a float too */
#define FLOAT_OPT(name, field, lo, hi, open)                                           \
    if ((r = cli_opt_float_range(argc, argv, &i, name, NULL, lo, hi, open, &x)) != 0) { \
        if (r < 0) return 2;                                                           \
        field = (float)x;                                                              \
        continue;                                                                      \
    }
        if (cli_opt_flag(argv, i, "--help", "-h")) {
            usage(stdout);
            return 0;
        }
        if (cli_opt_flag(argv, i, "--resume", NULL)) {
            p.resume = true;
            continue;
        }
        if (cli_opt_flag(argv, i, "--overwrite", NULL)) {
            p.overwrite = true;
            continue;
        }
        if (cli_opt_flag(argv, i, "--whole-word-masking", NULL)) {
            p.whole_word_masking = true;
            continue;
        }
        if (cli_opt_flag(argv, i, "--nsp", NULL)) {
            p.nsp = true;
            continue;
        }
        if (cli_opt_flag(argv, i, "--static-masking", NULL)) {
            p.static_masking = true;
            continue;
        }
        const char *schedule = NULL;
        if ((r = cli_opt_str(argc, argv, &i, "--schedule", NULL, &schedule)) != 0) {
            if (r < 0) return 2;
            if (!strcmp(schedule, "cosine"))
                p.optim.schedule = ATTN_SCHEDULE_COSINE;
            else if (!strcmp(schedule, "inverse-sqrt"))
                p.optim.schedule = ATTN_SCHEDULE_INVERSE_SQRT;
            else
                return cli_usage_error("--schedule must be cosine or inverse-sqrt, not '%s'", schedule);
            continue;
        }
        if ((r = cli_opt_float_range(argc, argv, &i, "--lr", NULL, 0, FLT_MAX, CLI_CLOSED, &x)) != 0) {
            if (r < 0) return 2;
            p.optim.lr = (float)x;
            lr_set = true;
            continue;
        }
        const char *objective = NULL;
        if ((r = cli_opt_str(argc, argv, &i, "--objective", NULL, &objective)) != 0) {
            if (r < 0) return 2;
            if (!strcmp(objective, "clm"))
                p.objective = ATTN_OBJECTIVE_CLM;
            else if (!strcmp(objective, "mlm"))
                p.objective = ATTN_OBJECTIVE_MLM;
            else if (!strcmp(objective, "classify"))
                p.objective = ATTN_OBJECTIVE_CLASSIFY;
            else if (!strcmp(objective, "denoise"))
                p.objective = ATTN_OBJECTIVE_DENOISE;
            else
                return cli_usage_error("--objective must be clm, mlm, classify or denoise, not '%s'", objective);
            continue;
        }
        const char *arch = NULL;
        if ((r = cli_opt_str(argc, argv, &i, "--arch", NULL, &arch)) != 0) {
            if (r < 0) return 2;
            static const char *const names[] = {"transformer", "bart", "rnnsearch", "rnnencdec"};
            p.arch = ATTN_ARCH_DEFAULT;
            for (int k = 0; k < 4; k++)
                if (!strcmp(arch, names[k])) p.arch = (attn_s2s_arch)(k + 1);
            if (p.arch == ATTN_ARCH_DEFAULT)
                return cli_usage_error("--arch must be transformer, bart, rnnsearch or rnnencdec, not '%s'", arch);
            continue;
        }
        if ((r = cli_opt_precision(argc, argv, &i, &p.precision)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if (cli_opt_flag(argv, i, "--quiet", "-q")) {
            ps.quiet = true;
            continue;
        }
        if ((r = cli_opt_str(argc, argv, &i, "--data", "-d", &p.data_dir)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_str(argc, argv, &i, "--out", "-o", &p.out_dir)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_str(argc, argv, &i, "--val", NULL, &p.val_file)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_str(argc, argv, &i, "--init", NULL, &p.init_from)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_int_range(argc, argv, &i, "--warmup", NULL, 0, CLI_MAX_STEPS, &v)) != 0) {
            if (r < 0) return 2;
            p.optim.warmup_steps = v;
            warmup_set = true;
            continue;
        }
        if ((r = cli_opt_float_range(argc, argv, &i, "--min-lr", NULL, 0, FLT_MAX, CLI_CLOSED, &x)) != 0) {
            if (r < 0) return 2;
            p.optim.min_lr = (float)x;
            min_lr_set = true;
            continue;
        }
        if ((r = cli_opt_threads(argc, argv, &i, &threads)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        INT_OPT("--layers", p.model.n_layer, 1, 1000)
        INT_OPT("--heads", p.model.n_head, 1, 1024)
        INT_OPT("--width", p.model.n_embd, 1, 65536)
        INT_OPT("--context", p.model.n_ctx, 1, CLI_MAX_LEN)
        INT_OPT("--steps", p.optim.max_steps, 0, CLI_MAX_STEPS)
        INT_OPT("--batch", p.batch_size, 1, CLI_MAX_BATCH)
        INT_OPT("--seq-len", p.seq_len, 0, CLI_MAX_LEN)
        INT_OPT("--accum", p.grad_accum, 1, CLI_MAX_ACCUM)
        INT_OPT("--eval-every", p.eval_every, 0, CLI_MAX_STEPS)
        INT_OPT("--eval-batches", p.eval_batches, 0, CLI_MAX_BATCH)
        INT_OPT("--checkpoint-every", p.checkpoint_every, 0, CLI_MAX_STEPS)
        INT_OPT("--stop-at", p.stop_at, 0, CLI_MAX_STEPS)
        INT_OPT("--ffn", p.model.n_inner, 0, 1 << 22)
        INT_OPT("--hidden", p.hidden_size, 0, 65536)
        INT_OPT("--batch-tokens", p.batch_tokens, 0, CLI_MAX_BATCH * 1024)
        INT_OPT("--eval-bleu", p.eval_bleu, 0, 1 << 24)
        FLOAT_OPT("--label-smoothing", p.label_smoothing, 0, 1, CLI_MAX_OPEN)
        FLOAT_OPT("--mask-ratio", p.noise.mask_ratio, 0, 1, CLI_CLOSED)
        FLOAT_OPT("--poisson-lambda", p.noise.poisson_lambda, 0, 100, CLI_CLOSED)
        FLOAT_OPT("--random-ratio", p.noise.random_ratio, 0, 1, CLI_CLOSED)
        FLOAT_OPT("--delete-ratio", p.noise.delete_ratio, 0, 1, CLI_CLOSED)
        FLOAT_OPT("--permute-ratio", p.noise.permute_ratio, 0, 1, CLI_CLOSED)
        FLOAT_OPT("--rotate-ratio", p.noise.rotate_ratio, 0, 1, CLI_CLOSED)
        if ((r = cli_opt_float_range(argc, argv, &i, "--time-limit", NULL, 0, 1e9, CLI_MIN_OPEN, &x)) != 0) {
            if (r < 0) return 2;
            p.time_limit_s = 60.0 * x;
            continue;
        }
        FLOAT_OPT("--weight-decay", p.optim.weight_decay, 0, FLT_MAX, CLI_CLOSED)
        FLOAT_OPT("--beta1", p.optim.beta1, 0, 1, CLI_MAX_OPEN)
        FLOAT_OPT("--beta2", p.optim.beta2, 0, 1, CLI_MAX_OPEN)
        FLOAT_OPT("--eps", p.optim.eps, FLT_MIN, FLT_MAX, CLI_CLOSED) /* > 0 also as a float */
        FLOAT_OPT("--clip", p.optim.grad_clip, 0, FLT_MAX, CLI_CLOSED)
        FLOAT_OPT("--dropout", p.model.dropout, 0, 1, CLI_MAX_OPEN)
        if ((r = cli_opt_int_range(argc, argv, &i, "--seed", NULL, 0, LLONG_MAX, &v)) != 0) {
            if (r < 0) return 2;
            p.seed = (uint64_t)v;
            continue;
        }
#undef INT_OPT
#undef FLOAT_OPT
        return cli_usage_error("unknown option '%s' (see attn train --help)", argv[i]);
    }
    if (!p.data_dir || !p.out_dir) return cli_usage_error("--data and --out are required (see attn train --help)");

    if (!warmup_set) p.optim.warmup_steps = -1; /* the library's default: min(steps/10, 100), or the checkpoint's */
    if (!lr_set && p.optim.schedule == ATTN_SCHEDULE_INVERSE_SQRT) p.optim.lr = 1.0f;   /* Vaswani's scale */
    if (!min_lr_set) p.optim.min_lr = p.optim.lr / 10;
    if ((r0 = cli_set_threads(threads)) != 0) return r0;
    p.callback = on_progress;
    p.user = &ps;
    p.should_stop = should_stop;
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
    attn_status st = attn_train(&p);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (!ps.quiet && ps.tty) fprintf(stderr, "\n");
    if (st) return cli_fail("train", st, NULL);
    if (stop_signal && !stop_taken) /* it came after the last step: the run is complete */
        fprintf(stderr, "attn train: %s received after the last step; the run is complete\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
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
