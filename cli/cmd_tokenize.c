/* attn tokenize — text to token ids and back. */
#include "cli.h"

#include "attn/tokenizer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: attn tokenize (-t TOKENIZER | -m MODEL) [FILE] [--decode] [--pair FILE2] [--max-len N] [--types]\n\n"
            "Prints the token ids of FILE's whole content (stdin without FILE) as space-separated\n"
            "integers on one line. TOKENIZER is a tokenizer.json, a vocab.json (with merges.txt\n"
            "beside it), a vocab.txt, or a directory holding one of them; -m MODEL uses a model\n"
            "directory's tokenizer.\n\n"
            "  --decode        read ids and print the text they stand for\n"
            "  --pair FILE2    encode FILE and FILE2 as a pair (BERT: [CLS] A [SEP] B [SEP])\n"
            "  --max-len N     truncate (longest first) to N tokens, with --pair or alone\n"
            "  --types         also print the token type ids on a second line\n");
}

static void print_ids(const int32_t *ids, int64_t n) {
    for (int64_t i = 0; i < n; i++) printf(i ? " %d" : "%d", (int)ids[i]);
    printf("\n");
}

int cmd_tokenize(int argc, char **argv) {
    const char *tok_path = NULL, *model = NULL, *file = NULL, *pair = NULL;
    bool decode = false, types = false;
    long long max_len = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_opt_flag(argv, i, "--help", "-h")) {
            usage(stdout);
            return 0;
        }
        if (cli_opt_flag(argv, i, "--decode", "-d")) {
            decode = true;
            continue;
        }
        if (cli_opt_flag(argv, i, "--types", NULL)) {
            types = true;
            continue;
        }
        if ((r = cli_opt_str(argc, argv, &i, "--tokenizer", "-t", &tok_path)) || (r = cli_opt_str(argc, argv, &i, "--model", "-m", &model)) ||
            (r = cli_opt_str(argc, argv, &i, "--pair", NULL, &pair))) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_int(argc, argv, &i, "--max-len", NULL, &max_len)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "attn tokenize: unknown option '%s' (see attn tokenize --help)\n", argv[i]);
            return 2;
        }
        if (file) {
            fprintf(stderr, "attn tokenize: one input file at most (use --pair for a second segment)\n");
            return 2;
        }
        file = argv[i];
    }
    if (!tok_path == !model) {
        fprintf(stderr, "attn tokenize: give one of -t TOKENIZER or -m MODEL\n");
        return 2;
    }
    if (decode && (pair || types || max_len)) {
        fprintf(stderr, "attn tokenize: --decode takes no --pair, --types or --max-len\n");
        return 2;
    }
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
        if (pair && (st = cli_read_text(pair, &text2, &len2)) != ATTN_OK) goto fail;
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
