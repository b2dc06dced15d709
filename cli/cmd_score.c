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

static attn_status read_input(const char *path, char **out, size_t *len) {
    if (path && strcmp(path, "-")) {
        FILE *f = fopen(path, "rb");
        if (!f) return attn_errorf(ATTN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        fclose(f);
    }
    size_t cap = 1 << 16, n = 0;
    FILE *f = path && strcmp(path, "-") ? fopen(path, "rb") : stdin;
    char *buf = malloc(cap);
    if (!buf) {
        if (f != stdin) fclose(f);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                if (f != stdin) fclose(f);
                return ATTN_ERR_OUT_OF_MEMORY;
            }
            buf = nb;
        }
    }
    if (f != stdin) fclose(f);
    buf[n] = 0;
    *out = buf;
    *len = n;
    return ATTN_OK;
}

static attn_status parse_ids(const char *s, int32_t **out, int64_t *n) {
    int64_t cap = 1024, k = 0;
    int32_t *ids = malloc((size_t)cap * sizeof *ids);
    if (!ids) return ATTN_ERR_OUT_OF_MEMORY;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
        if (!*s) break;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || errno || v < 0 || v > INT32_MAX || (*end && *end != ' ' && *end != '\n' && *end != '\t' && *end != '\r')) {
            free(ids);
            return attn_errorf(ATTN_ERR_INVALID_ARG, "'%.*s' is not a token id", (int)strcspn(s, " \t\r\n,"), s);
        }
        if (k == cap) {
            int32_t *nb = realloc(ids, (size_t)(cap *= 2) * sizeof *ids);
            if (!nb) {
                free(ids);
                return ATTN_ERR_OUT_OF_MEMORY;
            }
            ids = nb;
        }
        ids[k++] = (int32_t)v;
        s = end;
    }
    *out = ids;
    *n = k;
    return ATTN_OK;
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
    bool ids_malloced = false;
    int64_t n = 0;
    attn_status st = attn_model_load(model_dir, &model);
    if (st) goto fail;
    if ((st = read_input(file, &text, &len)) != ATTN_OK) goto fail;
    if (ids_mode) {
        if ((st = parse_ids(text, &ids, &n)) != ATTN_OK) goto fail;
        ids_malloced = true;
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
    if (ids_malloced)
        free(ids);
    else
        attn_free(ids);
    free(text);
    attn_tokenizer_free(tok);
    attn_model_free(model);
    return rc;
}
