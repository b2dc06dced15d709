/* attn — command-line front end: a table of subcommands over the library. */
#include "cli.h"

#include "attn/dist.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command COMMANDS[] = {
    {"prepare", cmd_prepare, "text files -> token shards with a train/validation split"},
    {"train", cmd_train, "train a model (GPT) on prepared shards; checkpoints and --resume"},
    {"generate", cmd_generate, "sample text from a model (KV cache; greedy, temperature, top-k, top-p)"},
    {"score", cmd_score, "mean negative log-likelihood and perplexity of a text"},
    {"tokenize", cmd_tokenize, "text -> token ids (and back with --decode)"},
    {"bleu", cmd_bleu, "corpus BLEU of translations against references (sacreBLEU's defaults)"},
    {"tokenizer", cmd_tokenizer, "tokenizer tools: train a BPE or WordPiece vocabulary"},
    {"embed", cmd_embed, "sentence embeddings from an encoder (BERT, MiniLM): one per line, JSON or .npy"},
    {"classify", cmd_classify, "label lines of text with a fine-tuned classifier (BERT, RoBERTa, GPT)"},
    {"reward", cmd_reward, "score conversations or preference pairs with a reward model"},
    {"rollout", cmd_rollout, "sample completions of prompts and score them: lexicon, reward model, KL to a reference; pairs"},
    {"similar", cmd_similar, "rank lines by cosine similarity to a query (encoder embeddings)"},
    {"align", cmd_align, "translate a sentence (RNNsearch) and draw its attention as an SVG heatmap + JSON"},
    {"plot", cmd_plot, "a line plot (e.g. BLEU by source length) from a TSV table, as SVG"},
    {"gguf", cmd_gguf, "print a GGUF file's metadata and tensor list"},
    {"convert", cmd_convert, "write a Llama-style model as a GGUF file (f32, f16, bf16, q8_0, q4_0, q4_1)"},
    {"models", cmd_models, "the models known by a short name (-m smollm2) and where they are installed"},
    {"translate", cmd_translate, "translate lines with a seq2seq model (Transformer, BART, RNNsearch): greedy or beam"},
    {"chat", cmd_chat, "talk with a chat model in the terminal, or answer a JSON conversation (chat template, KV cache reuse)"},
    {"serve", cmd_serve, "an OpenAI-compatible HTTP server (chat and completions, streaming, many clients at once)"},
    {"eval", cmd_eval, "few-shot accuracy of a decoder on multiple-choice and generation tasks (JSONL), with standard errors"},
    {"sweep", cmd_sweep, "train GPT shapes x FLOP budgets x seeds one after another (resumable); one row per run for attn scaling fit"},
    {"contacts", cmd_contacts, "residue contacts from an encoder's attention maps (ESM's regression); synthetic Potts families"},
    {"scaling", cmd_scaling, "compute-optimal scaling laws: fit Chinchilla's three approaches to runs, or plan N and D for a budget"},
    {"protein", cmd_protein, "protein sequence tools: identity of samples to their nearest training sequence"},
    {"retrieve", cmd_retrieve, "BM25 search of a folder of text files: the best passages for a query, with file:line"},
    {"cai", cmd_cai, "Constitutional AI: critique-revision data for SFT, answer pairs, AI preference labels for DPO"},
    {"chat-template", cmd_chat_template, "render a conversation (JSON) with a model's chat template, as transformers does"},
};

static void usage(FILE *out) {
    fprintf(out, "attn %s — train, fine-tune and serve transformer language models on a CPU\n\n"
                 "usage: attn <command> [options]   (attn <command> --help for its options)\n\ncommands:\n",
            ATTN_VERSION_STRING);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
}

/* libgomp reads its wait policy from the environment before main runs.
 * Its default spins a waiting thread through ~300,000 iterations at every
 * barrier, which keeps the core from a thread that still has work
 * whenever another process shares the machine: the demo model trained
 * with 2 threads beside one busy process at ~3,700 tokens/s by default and
 * ~6,200 with GOMP_SPINCOUNT=1000 (quiet: ~12,500 and ~12,300). So unless
 * the user chose a policy (OMP_WAIT_POLICY or GOMP_SPINCOUNT), attn sets
 * the shorter spin and starts itself again; if that fails it runs on. */
static void omp_wait_policy(char **argv) {
#ifdef _OPENMP
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT")) return;
    if (setenv("GOMP_SPINCOUNT", "1000", 1) != 0) return;
    execv("/proc/self/exe", argv);
#else
    (void)argv;
#endif
}

static void version(void) {
    printf("attn %s\n", ATTN_VERSION_STRING);
    printf("%s\n", attn_system_info());
#ifdef _OPENMP
    const char *policy = getenv("OMP_WAIT_POLICY"), *spin = getenv("GOMP_SPINCOUNT");
    if (!policy && !spin) printf("OpenMP waiting: libgomp's default\n");
    else
        printf("OpenMP waiting: %s%s%s%s%s\n", policy ? "OMP_WAIT_POLICY=" : "", policy ? policy : "",
               policy && spin ? ", " : "", spin ? "GOMP_SPINCOUNT=" : "", spin ? spin : "");
#else
    printf("OpenMP: not built in (one thread)\n");
#endif
    if (attn_dist_built())
        printf("MPI: built in (%s; mpirun -n W attn train: data-parallel)\n", attn_dist_library());
    else
        printf("MPI: not built in (one process)\n");
}

/* The command nearest to a mistyped one (at most 2 edits, fewer than its
 * length), or NULL. */
static const char *suggest(const char *name) {
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        size_t d = cli_edit_distance(name, COMMANDS[i].name);
        if (d < best_d && d < strlen(COMMANDS[i].name)) {
            best_d = d;
            best = COMMANDS[i].name;
        }
    }
    return best;
}

/* A command that succeeded but whose output could not be written (a full
 * disk, /dev/full, a closed stdout) fails: nothing may exit 0 with a
 * truncated output. */
static int finish(int rc) {
    attn_status st = cli_stdout_check();
    if (st != ATTN_OK && rc == 0) return cli_fail(cli_command, st, NULL);
    return rc;
}

int main(int argc, char **argv) {
    omp_wait_policy(argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    cli_command = argv[1];
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return finish(0);
    }
    if (!strcmp(argv[1], "--version")) {
        version();
        return finish(0);
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) {
            cli_command = COMMANDS[i].name;
            return finish(COMMANDS[i].run(argc - 1, argv + 1));
        }
    const char *near = suggest(argv[1]);
    if (near) {
        fprintf(stderr, "attn: unknown command '%s'; did you mean '%s'? (attn --help lists the commands)\n", argv[1], near);
        return 2;
    }
    fprintf(stderr, "attn: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
