/* attn prepare — text files -> token shards (train.bin, val.bin) plus
 * tokenizer.json and meta.json, via attn_prepare(); with --pairs, parallel
 * text -> pair shards (train.pairs, ...), via attn_prepare_pairs(). */
#include "cli.h"
#include "attn/data.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 3621904 -> "3,621,904" */
static const char *commas(long long v, char *buf, size_t cap) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", v < 0 ? -v : v);
    size_t k = 0;
    if (v < 0 && k + 1 < cap) buf[k++] = '-';
    for (int i = 0; i < n && k + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0) buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = 0;
    return buf;
}

static void print_split(const char *name, const attn_pairs_split_stats *s) {
    char a[40], b[40], c[40], d[40];
    printf("%s: %s pairs (%s over --max-len skipped), source %s tokens (mean %.1f, max %d), target %s tokens "
           "(mean %.1f, max %d)\n",
           name, commas(s->n_pairs, a, sizeof a), commas(s->n_skipped, b, sizeof b), commas(s->n_src_tokens, c, sizeof c),
           s->n_pairs ? (double)s->n_src_tokens / (double)s->n_pairs : 0.0, (int)s->max_src_len,
           commas(s->n_tgt_tokens, d, sizeof d), s->n_pairs ? (double)s->n_tgt_tokens / (double)s->n_pairs : 0.0,
           (int)s->max_tgt_len);
}

/* Characters outside a character vocabulary: one warning with their count. */
static void warn_unknown(int64_t n, bool as_unk) {
    if (n > 0)
        fprintf(stderr, "attn prepare: warning: %lld character%s not in the tokenizer's vocabulary %s\n", (long long)n,
                n == 1 ? "" : "s", as_unk ? "became " ATTN_UNK_TEXT : "left out (the vocabulary has no " ATTN_UNK_TEXT ")");
}

static int prepare_pairs(const attn_prepare_params *base, attn_prepare_pairs_params *pp, const char *const *inputs,
                         int n_inputs) {
    attn_prepare_pairs_params p = *pp;
    if (n_inputs != 1) return cli_usage_error("--pairs takes exactly one training file (see attn prepare --help)");
    if (!base->tokenizer || !strcmp(base->tokenizer, "char") || !strcmp(base->tokenizer, "amino"))
        return cli_usage_error("--pairs needs -t TOKENIZER (a tokenizer.json or its directory)");
    p.tokenizer = base->tokenizer;
    p.out_dir = base->out_dir;
    p.train = inputs[0];
    attn_prepare_pairs_result res;
    attn_status st = attn_prepare_pairs(&p, &res);
    if (st != ATTN_OK) return cli_fail("prepare", st, NULL);
    warn_unknown(res.n_unknown, res.unknown_as_unk);
    print_split("train", &res.train);
    if (p.val) print_split("val", &res.val);
    if (p.test) print_split("test", &res.test);
    printf("prepared pairs (vocab %d) into %s\n", (int)res.vocab_size, p.out_dir);
    return 0;
}

static const cli_choice wraps[] = {{"bart", ATTN_WRAP_BART}, {"eos", ATTN_WRAP_EOS}, {NULL, 0}};

int cmd_prepare(int argc, char **argv) {
    attn_prepare_params p = attn_prepare_default_params();
    attn_prepare_pairs_params pp = attn_prepare_pairs_default_params();
    bool pairs = false, wrap_set = false;
    const cli_option options[] = {
        {CLI_STR("--tokenizer", "-t", "T", &p.tokenizer,
                 "'char' learns a character vocabulary from the files; 'amino' the amino-acid vocabulary; else any "
                 "tokenizer attn reads (see attn tokenize --help)")},
        {CLI_STR("--out", "-o", "DIR", &p.out_dir, "output directory (created if missing)")},
        {CLI_FLOAT("--val-fraction", NULL, "F", &p.val_fraction, 0, 0.5, CLI_CLOSED,
                   "share of each document kept for validation, in [0, 0.5]")},
        CLI_SECTION("protein sequences (-t amino; FASTA and Stockholm files are read by content):"),
        {CLI_STR("--family-tag", NULL, "NAME", &p.family_tag,
                 "start every sequence with the token <NAME> (letters, digits, '_', '-', '.'), added to the vocabulary")},
        {CLI_FLAG("--family-tag-from-file", NULL, &p.family_tag_from_file,
                  "tag each file's sequences with its base name up to the first '.' (Pkinase.sto -> <Pkinase>)")},
        CLI_SECTION("parallel text (--pairs):"),
        {CLI_FLAG("--pairs", NULL, &pairs, "TRAIN_FILE holds 'source TAB target' lines: write pair shards")},
        {CLI_STR("--val", NULL, "FILE", &pp.val, "validation pairs (never cut from the training file)")},
        {CLI_STR("--test", NULL, "FILE", &pp.test, "test pairs")},
        {CLI_INT("--max-len", NULL, "N", &pp.max_len, 0, CLI_MAX_LEN,
                 "skip (and count) pairs with a side longer than N tokens, specials included; 0 = no limit")},
        {CLI_CHOICE("--wrap", NULL, "bart|eos", &pp.wrap, wraps,
                    "bart: source <s> x </s>, target <s> y </s>, decoder input starts with </s> (BART's "
                    "convention); eos: source x </s>, target y </s>, decoder input starts with </s> (fairseq's "
                    "Transformer)"),
         .set = &wrap_set},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn prepare [-t char|amino|TOKENIZER] -o OUT_DIR [--val-fraction F] FILE...\n"
        "       attn prepare --pairs -t TOKENIZER -o OUT_DIR [--val FILE] [--test FILE]\n"
        "                    [--max-len N] [--wrap bart|eos] TRAIN_FILE",
        "Tokenizes text files (UTF-8, one document each) into OUT_DIR/train.bin and\n"
        "OUT_DIR/val.bin, and writes OUT_DIR/tokenizer.json and OUT_DIR/meta.json.\n"
        "Each document ends with <|endoftext|>; its last F of text (cut at a line\n"
        "start) goes to val.bin.\n"
        "With -t amino, a FASTA file ('>' headers) or a Stockholm alignment ('# STOCKHOLM 1.0',\n"
        "gaps '-' and '.' removed) gives one document per sequence; the last F of each file's\n"
        "sequences go to val.bin.\n"
        "\n"
        "With --pairs, parallel text: every line is 'source TAB target'. Writes OUT_DIR/train.pairs\n"
        "(val.pairs, test.pairs for --val, --test), tokenizer.json and meta.json.\n"
        "A line without a tab, with two tabs, with an empty side or with invalid\n"
        "UTF-8 is an error naming the file and line.",
        options, NULL};
    int n_inputs, rc = cli_parse(&spec, argc, argv, &n_inputs);
    if (rc != CLI_GO_ON) return rc;
    const char *const *inputs = (const char *const *)(argv + 1);
    const char *problem = !p.out_dir ? "missing -o OUT_DIR" : n_inputs == 0 ? "no input files" : NULL;
    if (problem) return cli_usage_error("%s (see attn prepare --help)", problem);
    /* a directory among the inputs: say so by name (reading one fails with
     * only "error reading") */
    for (int k = 0; k < n_inputs; k++) {
        struct stat sb;
        if (stat(inputs[k], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            char msg[600];
            snprintf(msg, sizeof msg, "%.500s: is a directory; give the text files in it", inputs[k]);
            return cli_fail("prepare", ATTN_ERR_INVALID_ARG, msg);
        }
    }
    if (pairs) return prepare_pairs(&p, &pp, inputs, n_inputs);
    if (pp.val || pp.test || wrap_set || pp.max_len)
        return cli_usage_error("--val, --test, --wrap and --max-len need --pairs");
    if (p.family_tag && p.family_tag_from_file)
        return cli_usage_error("--family-tag and --family-tag-from-file exclude each other");
    p.inputs = inputs;
    p.n_inputs = n_inputs;
    attn_prepare_result res;
    attn_status st = attn_prepare(&p, &res);
    if (st != ATTN_OK) return cli_fail("prepare", st, NULL);
    char a[40], b[40];
    warn_unknown(res.n_unknown, res.unknown_as_unk);
    printf("prepared %s train + %s val tokens (vocab %d) into %s\n", commas(res.n_train, a, sizeof a),
           commas(res.n_val, b, sizeof b), (int)res.vocab_size, p.out_dir);
    if (res.n_sequences > 0) printf("%s sequences, one document each\n", commas(res.n_sequences, a, sizeof a));
    return 0;
}
