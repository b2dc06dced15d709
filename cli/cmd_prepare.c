/* attn prepare — text files -> token shards (train.bin, val.bin) plus
 * tokenizer.json and meta.json, via attn_prepare(). */
#include "cli.h"
#include "attn/data.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: attn prepare [-t char|amino|TOKENIZER] -o OUT_DIR [--val-fraction F] FILE...\n"
            "\n"
            "Tokenizes text files (UTF-8, one document each) into OUT_DIR/train.bin and\n"
            "OUT_DIR/val.bin, and writes OUT_DIR/tokenizer.json and OUT_DIR/meta.json.\n"
            "Each document ends with <|endoftext|>; its last F of text (cut at a line\n"
            "start) goes to val.bin.\n"
            "\n"
            "options:\n"
            "  -t, --tokenizer T     'char' learns a character vocabulary from the files\n"
            "                        (default); 'amino' the amino-acid vocabulary; else\n"
            "                        any tokenizer attn reads (see attn tokenize --help)\n"
            "  -o, --out DIR         output directory (created if missing)\n"
            "      --val-fraction F  share of each document kept for validation, in\n"
            "                        [0, 0.5] (default 0.1)\n"
            "  -h, --help            show this help\n");
}

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

int cmd_prepare(int argc, char **argv) {
    attn_prepare_params p = attn_prepare_default_params();
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    if (!inputs) return cli_fail("prepare", ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    int n_inputs = 0, r;
    bool only_files = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_files || a[0] != '-' || !a[1]) {
            inputs[n_inputs++] = a;
        } else if (!strcmp(a, "--")) {
            only_files = true;
        } else if (cli_opt_flag(argv, i, "--help", "-h")) {
            usage(stdout);
            free(inputs);
            return 0;
        } else if ((r = cli_opt_str(argc, argv, &i, "--tokenizer", "-t", &p.tokenizer)) != 0 ||
                   (r = cli_opt_str(argc, argv, &i, "--out", "-o", &p.out_dir)) != 0 ||
                   (r = cli_opt_float(argc, argv, &i, "--val-fraction", NULL, &p.val_fraction)) != 0) {
            if (r < 0) {
                free(inputs);
                return 1;
            }
        } else {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown option '%s' (see attn prepare --help)", a);
            free(inputs);
            return cli_fail("prepare", ATTN_ERR_INVALID_ARG, msg);
        }
    }
    if (!p.out_dir) {
        free(inputs);
        return cli_fail("prepare", ATTN_ERR_INVALID_ARG, "missing -o OUT_DIR (see attn prepare --help)");
    }
    if (n_inputs == 0) {
        free(inputs);
        return cli_fail("prepare", ATTN_ERR_INVALID_ARG, "no input files (see attn prepare --help)");
    }
    p.inputs = inputs;
    p.n_inputs = n_inputs;
    attn_prepare_result res;
    attn_status st = attn_prepare(&p, &res);
    free(inputs);
    if (st != ATTN_OK) return cli_fail("prepare", st, NULL);
    char a[40], b[40];
    printf("prepared %s train + %s val tokens (vocab %d) into %s\n", commas(res.n_train, a, sizeof a),
           commas(res.n_val, b, sizeof b), (int)res.vocab_size, p.out_dir);
    return 0;
}
