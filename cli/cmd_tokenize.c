/* attn tokenize — text to token ids and back. */
#include "cli.h"

#include "attn/tokenizer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void print_ids(const int32_t *ids, int64_t n) {
    for (int64_t i = 0; i < n; i++) printf(i ? " %d" : "%d", (int)ids[i]);
    printf("\n");
}

int cmd_tokenize(int argc, char **argv) {
    const char *tok_path = NULL, *model = NULL, *files[2] = {NULL, NULL};
    bool decode = false, types = false, pair = false;
    long long max_len = 0;
    const cli_option options[] = {
        {CLI_STR("--tokenizer", "-t", "PATH", &tok_path, "a tokenizer.json, vocab.json, vocab.txt or their directory")},
        {CLI_STR("--model", "-m", "DIR", &model, "use a model directory's tokenizer")},
        {CLI_FLAG("--decode", "-d", &decode, "read ids and print the text they stand for")},
        {CLI_FLAG("--pair", NULL, &pair,
                  "encode two files as a pair, A first (BERT: [CLS] A [SEP] B [SEP]); with one file, A is stdin and "
                  "the file is B")},
        {CLI_INT("--max-len", NULL, "N", &max_len, 0, CLI_MAX_LEN,
                 "truncate (longest first) to N tokens, with --pair or alone; 0 = no limit")},
        {CLI_FLAG("--types", NULL, &types, "also print the token type ids on a second line")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn tokenize (-t TOKENIZER | -m MODEL) [FILE] [--decode] [--max-len N] [--types]\n"
        "       attn tokenize (-t TOKENIZER | -m MODEL) --pair [FILE_A] FILE_B [--max-len N] [--types]",
        "Prints the token ids of FILE's whole content (stdin without FILE or with -) as\n"
        "space-separated integers on one line; on a terminal, stdin is read until Ctrl-D.\n"
        "TOKENIZER is a tokenizer.json, a vocab.json (with merges.txt beside it), a vocab.txt,\n"
        "or a directory holding one of them; -m MODEL uses a model directory's tokenizer.",
        options, NULL};
    int n_files, r = cli_parse(&spec, argc, argv, &n_files);
    if (r != CLI_GO_ON) return r;
    if (n_files > 2) return cli_usage_error("two input files at most (with --pair)");
    for (int k = 0; k < n_files; k++) files[k] = argv[1 + k];
    if (!tok_path == !model) return cli_usage_error("give one of -t TOKENIZER or -m MODEL");
    if (decode && (pair || types || max_len)) return cli_usage_error("--decode takes no --pair, --types or --max-len");
    if (n_files == 2 && !pair) return cli_usage_error("one input file at most (--pair encodes two)");
    if (pair && n_files == 0) return cli_usage_error("--pair needs the second sequence's FILE (see attn tokenize --help)");
    /* --pair with one file: the first sequence from stdin, the file second */
    const char *file = pair && n_files == 1 ? NULL : files[0];
    const char *pair_file = pair ? files[n_files - 1] : NULL;
    attn_tokenizer *tok = NULL;
    char *text = NULL, *text2 = NULL, *out = NULL;
    size_t len = 0, len2 = 0, out_len = 0;
    int32_t *ids = NULL, *type_ids = NULL, *parsed = NULL;
    int64_t n = 0;
    int rc = 1;
    attn_status st = attn_tokenizer_load(tok_path ? tok_path : model, &tok);
    if (st) goto fail;
    if ((st = cli_read_text(file, &text, &len)) != ATTN_OK) goto fail;
    if (decode) {
        if ((st = cli_parse_ids(text, &parsed, &n)) != ATTN_OK) goto fail;
        if ((st = attn_tokenizer_decode(tok, parsed, n, &out, &out_len)) != ATTN_OK) goto fail;
        fwrite(out, 1, out_len, stdout);
    } else if (pair || types || max_len) {
        if (pair && (st = cli_read_text(pair_file, &text2, &len2)) != ATTN_OK) goto fail;
        if ((st = attn_tokenizer_encode_pair(tok, text, len, text2, len2, max_len, &ids, &type_ids, &n)) != ATTN_OK) goto fail;
        cli_warn_unknown("tokenize", tok, 0);
        print_ids(ids, n);
        if (types) print_ids(type_ids, n);
    } else {
        if ((st = attn_tokenizer_encode(tok, text, len, &ids, &n)) != ATTN_OK) goto fail;
        cli_warn_unknown("tokenize", tok, 0);
        print_ids(ids, n);
    }
    rc = 0;
    goto done;
fail:
    rc = cli_fail("tokenize", st, NULL);
done:
    free(text);
    free(text2);
    attn_free(parsed);
    attn_free(out);
    attn_free(ids);
    attn_free(type_ids);
    attn_tokenizer_free(tok);
    return rc;
}
