/* attn score — mean negative log-likelihood and perplexity of a text. */
#include "cli.h"

#include "attn/model.h"
#include "attn/tokenizer.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: attn score -m MODEL [FILE] [--ids] [--json]\n\n"
            "Prints the mean negative log-likelihood (nats per token) and the perplexity of the\n"
            "file's text (stdin without FILE). The text is cut into windows of the model's\n"
            "context; each token after a window's first is predicted from those before it.\n\n"
            "  --ids       FILE holds whitespace-separated token ids instead of text\n"
            "  --json      print {\"nll\": ..., \"ppl\": ..., \"tokens\": ...}\n"
            "  --threads N threads\n");
}

int cmd_score(int argc, char **argv) {
    const char *model_dir = NULL, *file = NULL;
    bool ids_mode = false, json = false;
    long long threads = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_opt_flag(argv, i, "--help", "-h")) {
            usage(stdout);
            return 0;
        }
        if (cli_opt_flag(argv, i, "--ids", NULL)) {
            ids_mode = true;
            continue;
        }
        if (cli_opt_flag(argv, i, "--json", NULL)) {
            json = true;
            continue;
        }
        if ((r = cli_opt_str(argc, argv, &i, "--model", "-m", &model_dir)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if ((r = cli_opt_int(argc, argv, &i, "--threads", NULL, &threads)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "attn score: unknown option '%s' (see attn score --help)\n", argv[i]);
            return 2;
        }
        if (file) {
            fprintf(stderr, "attn score: one input file at most\n");
            return 2;
        }
        file = argv[i];
    }
    if (!model_dir) {
        fprintf(stderr, "attn score: -m MODEL is required\n");
        return 2;
    }
    attn_set_threads((int)threads);
    int rc = 1;
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL;
    char *text = NULL;
    size_t len = 0;
    int32_t *ids = NULL;
    int64_t n = 0;
    attn_status st = attn_model_load(model_dir, &model);
    if (st) goto fail;
    if ((st = cli_read_input(file, &text, &len)) != ATTN_OK) goto fail;
    if (ids_mode) {
        if ((st = cli_parse_ids(text, &ids, &n)) != ATTN_OK) goto fail;
    } else {
        if ((st = attn_tokenizer_load(model_dir, &tok)) != ATTN_OK) goto fail;
        if ((st = attn_tokenizer_encode(tok, text, len, &ids, &n)) != ATTN_OK) goto fail;
    }
    if (n < 2) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "the input has %lld tokens; scoring needs at least 2", (long long)n);
        goto fail;
    }
    double nll;
    int64_t count;
    if ((st = attn_model_score(model, ids, n, &nll, &count)) != ATTN_OK) goto fail;
    if (count == 0) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "nothing to predict");
        goto fail;
    }
    double mean = nll / (double)count;
    if (json)
        printf("{\"nll\": %.8f, \"ppl\": %.8f, \"tokens\": %lld}\n", mean, exp(mean), (long long)count);
    else
        printf("nll %.6f nats/token, perplexity %.4f over %lld predicted tokens\n", mean, exp(mean), (long long)count);
    rc = 0;
    goto done;
fail:
    rc = cli_fail("score", st, NULL);
done:
    attn_free(ids);
    free(text);
    attn_tokenizer_free(tok);
    attn_model_free(model);
    return rc;
}
