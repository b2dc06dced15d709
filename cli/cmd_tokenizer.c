/* attn tokenizer — tokenizer tools: `attn tokenizer train` learns a byte-level
 * BPE or a BERT WordPiece vocabulary from text files and writes
 * DIR/tokenizer.json. */
#include "cli.h"

#include "attn/tokenizer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The trainer's progress by phase, by the progress rule (progress.c). */
static void on_train_progress(const char *phase, int64_t done, int64_t total, void *user) {
    cli_progress *pg = user;
    if (!cli_progress_due(pg)) return;
    if (!strcmp(phase, "reading"))
        cli_progress_print(pg, "tokenizer train: read %lld of %lld files, %.0f s", (long long)done, (long long)total,
                           pg->last - pg->t0);
    else
        cli_progress_print(pg, "tokenizer train: %s, vocabulary %lld of %lld, %.0f s", phase, (long long)done,
                           (long long)total, pg->last - pg->t0);
}

enum { TOK_BPE, TOK_WORDPIECE };
static const cli_choice tokenizer_types[] = {{"bpe", TOK_BPE}, {"wordpiece", TOK_WORDPIECE}, {NULL, 0}};

/* attn tokenizer --help prints the train subcommand's help: it is the only one */
static const char *const TRAIN_USAGE = "usage: attn tokenizer train --type bpe|wordpiece --vocab-size N [--min-frequency 2]\n"
                                       "                            [--special-tokens LIST] -o DIR FILE...";
static const char *const TRAIN_ABOUT = "Learns a tokenizer from the text FILEs and writes DIR/tokenizer.json, which attn and\n"
                                       "Hugging Face `tokenizers` both load.";

static int cmd_train_tokenizer(int argc, char **argv, bool help_only) {
    const char *out_dir = NULL, *special_list = NULL;
    char *special_buf = NULL;
    const char *special[64];
    int n_special = 0, kind = -1;
    long long vocab_size = -1, min_frequency = 2;
    int n_files, rc = 2;
    const cli_option options[] = {
        {CLI_CHOICE("--type", NULL, "bpe|wordpiece", &kind, tokenizer_types,
                    "bpe: byte-level BPE as GPT-2 (Hugging Face BpeTrainer with the 256-byte alphabet and "
                    "\"<|endoftext|>\" as id 0); wordpiece: BERT WordPiece, uncased (Hugging Face WordPieceTrainer "
                    "with BertNormalizer and BertPreTokenizer; [PAD] [UNK] [CLS] [SEP] [MASK] as ids 0-4, then the "
                    "characters, \"##\" + characters and merges)"),
         .def = ""},
        {CLI_INT("--vocab-size", NULL, "N", &vocab_size, 0, INT32_MAX,
                 "vocabulary size, special tokens included (bpe: at least 257; wordpiece: at least 5, and never "
                 "below the character count)"),
         .def = ""},
        {CLI_INT("--min-frequency", NULL, "N", &min_frequency, 0, INT32_MAX,
                 "stop when the most frequent pair occurs fewer than N times")},
        {CLI_STR("--special-tokens", NULL, "LIST", &special_list,
                 "bpe: comma-separated special tokens taking ids 0, 1, ... in place of \"<|endoftext|>\" (e.g. "
                 "'<s>,<pad>,</s>,<unk>')")},
        {CLI_STR("--output", "-o", "DIR", &out_dir, "directory for tokenizer.json (created if missing)")},
        CLI_END,
    };
    const cli_spec spec = {TRAIN_USAGE, TRAIN_ABOUT, options, NULL};
    if (help_only) {
        cli_print_help(&spec, stdout);
        return 0;
    }
    int r = cli_parse(&spec, argc, argv, &n_files);
    if (r != CLI_GO_ON) return r;
    const char *const *files = (const char *const *)(argv + 1);
    const char *type = kind == TOK_WORDPIECE ? "wordpiece" : "bpe";
    if (kind < 0 || !out_dir || vocab_size < 0 || n_files == 0) {
        cli_usage_error("give --type, --vocab-size, -o DIR and at least one FILE (see attn tokenizer train --help)");
        goto done;
    }
    bool wordpiece = kind == TOK_WORDPIECE;
    if (special_list && wordpiece) {
        cli_usage_error("--special-tokens is for --type bpe only");
        goto done;
    }
    rc = 1;
    if (special_list) {
        if (!(special_buf = strdup(special_list))) {
            rc = cli_fail("tokenizer train", ATTN_ERR_OUT_OF_MEMORY, "out of memory");
            goto done;
        }
        for (char *p = special_buf, *comma;; p = comma + 1) {
            if (n_special == (int)(sizeof special / sizeof *special)) {
                fprintf(stderr, "attn tokenizer train: error: more than %d --special-tokens\n", n_special);
                goto done;
            }
            special[n_special++] = p;
            if (!(comma = strchr(p, ','))) break;
            *comma = 0;
        }
    }
    double t0 = now_s();
    cli_progress pg;
    cli_progress_start(&pg);
    attn_tokenizer_train_set_progress(on_train_progress, &pg);
    attn_tokenizer *tok = NULL;
    attn_status st = wordpiece ? attn_tokenizer_train_wordpiece(files, n_files, (int32_t)vocab_size,
                                                                (int32_t)min_frequency, &tok)
                   : special_list ? attn_tokenizer_train_bpe_special(files, n_files, (int32_t)vocab_size,
                                                                     (int32_t)min_frequency, special, n_special, &tok)
                                  : attn_tokenizer_train_bpe(files, n_files, (int32_t)vocab_size,
                                                             (int32_t)min_frequency, &tok);
    attn_tokenizer_train_set_progress(NULL, NULL);
    cli_progress_end(&pg);
    if (st != ATTN_OK) {
        rc = cli_fail("tokenizer train", st, NULL);
        goto done;
    }
    double t1 = now_s();
    st = attn_tokenizer_save(tok, out_dir);
    int32_t V = attn_tokenizer_vocab_size(tok);
    attn_tokenizer_free(tok);
    if (st != ATTN_OK) {
        rc = cli_fail("tokenizer train", st, NULL);
        goto done;
    }
    printf("trained %s tokenizer: %d tokens from %d file%s in %.2fs -> %s/tokenizer.json\n", type, (int)V, n_files,
           n_files == 1 ? "" : "s", t1 - t0, out_dir);
    rc = 0;
done:
    free(special_buf);
    return rc;
}

int cmd_tokenizer(int argc, char **argv) {
    if (argc < 2) {
        cli_usage_error("give a subcommand: attn tokenizer train ... (see attn tokenizer --help)");
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) return cmd_train_tokenizer(0, NULL, true);
    if (!strcmp(argv[1], "train")) {
        cli_command = "tokenizer train";
        return cmd_train_tokenizer(argc - 1, argv + 1, false);
    }
    return cli_usage_error("unknown subcommand '%s' (see attn tokenizer --help)", argv[1]);
}
