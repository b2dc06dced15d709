/* Error reporting and option parsing shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cli_warn_unknown(const char *cmd, const attn_tokenizer *tok, int64_t before) {
    int64_t n = attn_tokenizer_unknown_count(tok) - before;
    if (n <= 0) return;
    if (attn_tokenizer_added_id(tok, ATTN_UNK_TEXT) >= 0)
        fprintf(stderr, "attn %s: warning: %lld character%s not in the tokenizer's vocabulary became %s\n", cmd, (long long)n,
                n == 1 ? "" : "s", ATTN_UNK_TEXT);
    else
        fprintf(stderr, "attn %s: warning: %lld character%s not in the tokenizer's vocabulary %s left out (the vocabulary "
                        "has no %s)\n", cmd, (long long)n, n == 1 ? "" : "s", n == 1 ? "was" : "were", ATTN_UNK_TEXT);
}

int cli_fail(const char *cmd, attn_status st, const char *msg) {
    const char *m = msg ? msg : attn_last_error();
    if (!m || !*m) m = attn_status_string(st);
    fprintf(stderr, "attn %s: error: %s\n", cmd, m);
    return 1;
}

static int match(char **argv, int i, const char *long_name, const char *short_name, const char **inline_val) {
    const char *a = argv[i];
    *inline_val = NULL;
    if (short_name && !strcmp(a, short_name)) return 1;
    if (!long_name) return 0;
    size_t n = strlen(long_name);
    if (!strncmp(a, long_name, n)) {
        if (a[n] == 0) return 1;
        if (a[n] == '=') {
            *inline_val = a + n + 1;
            return 1;
        }
    }
    return 0;
}

int cli_opt_str(int argc, char **argv, int *i, const char *long_name, const char *short_name, const char **out) {
    const char *v;
    if (!match(argv, *i, long_name, short_name, &v)) return 0;
    if (!v) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "attn: option %s needs a value\n", argv[*i]);
            return -1;
        }
        v = argv[++*i];
    }
    *out = v;
    return 1;
}

int cli_opt_int(int argc, char **argv, int *i, const char *long_name, const char *short_name, long long *out) {
    const char *v = NULL;
    int r = cli_opt_str(argc, argv, i, long_name, short_name, &v);
    if (r != 1) return r;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end) {
        fprintf(stderr, "attn: option %s: '%s' is not an integer\n", long_name ? long_name : short_name, v);
        return -1;
    }
    *out = x;
    return 1;
}

int cli_opt_float(int argc, char **argv, int *i, const char *long_name, const char *short_name, double *out) {
    const char *v = NULL;
    int r = cli_opt_str(argc, argv, i, long_name, short_name, &v);
    if (r != 1) return r;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end) {
        fprintf(stderr, "attn: option %s: '%s' is not a number\n", long_name ? long_name : short_name, v);
        return -1;
    }
    *out = x;
    return 1;
}

int cli_opt_flag(char **argv, int i, const char *long_name, const char *short_name) {
    return (long_name && !strcmp(argv[i], long_name)) || (short_name && !strcmp(argv[i], short_name));
}

attn_status cli_read_input(const char *path, char **out, size_t *len) {
    FILE *f = path && strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return attn_errorf(ATTN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0, r;
    char *buf = malloc(cap);
    if (!buf) {
        if (f != stdin) fclose(f);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
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
    bool err = ferror(f) != 0;
    if (f != stdin) fclose(f);
    if (err) {
        free(buf);
        return attn_errorf(ATTN_ERR_IO, "error reading %s", path ? path : "stdin");
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return ATTN_OK;
}

attn_status cli_read_text(const char *path, char **out, size_t *len) {
    attn_status st = cli_read_input(path, out, len);
    if (st == ATTN_OK && (st = attn_text_check(path && strcmp(path, "-") ? path : "stdin", *out, *len)) != ATTN_OK) {
        free(*out);
        *out = NULL;
    }
    return st;
}

attn_status cli_parse_ids(const char *s, int32_t **out, int64_t *n) {
    int64_t cap = 1024, k = 0;
    int32_t *ids = attn_malloc((size_t)cap * sizeof *ids);
    if (!ids) return ATTN_ERR_OUT_OF_MEMORY;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == ',') s++;
        if (!*s) break;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || errno || v < 0 || v > INT32_MAX || (*end && !strchr(" \t\r\n,", *end))) {
            attn_free(ids);
            return attn_errorf(ATTN_ERR_INVALID_ARG, "'%.*s' is not a token id", (int)strcspn(s, " \t\r\n,"), s);
        }
        if (k == cap) {
            int32_t *nb = attn_realloc(ids, (size_t)(cap *= 2) * sizeof *ids);
            if (!nb) {
                attn_free(ids);
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

attn_status cli_split_lines(char *text, size_t len, cli_lines *out) {
    int64_t n = 0;
    for (size_t i = 0; i < len; i++) n += text[i] == '\n';
    if (len && text[len - 1] != '\n') n++;
    out->n = n;
    out->s = calloc((size_t)(n ? n : 1), sizeof *out->s);
    out->len = calloc((size_t)(n ? n : 1), sizeof *out->len);
    if (!out->s || !out->len) return ATTN_ERR_OUT_OF_MEMORY;
    size_t start = 0;
    int64_t k = 0;
    for (size_t i = 0; i <= len && k < n; i++) {
        if (i < len && text[i] != '\n') continue;
        size_t end = i;
        if (end > start && text[end - 1] == '\r') end--;
        text[end] = 0;
        out->s[k] = text + start;
        out->len[k++] = end - start;
        start = i + 1;
    }
    return ATTN_OK;
}

int cli_opt_precision(int argc, char **argv, int *i, attn_precision *out) {
    const char *v = NULL;
    int r = cli_opt_str(argc, argv, i, "--precision", NULL, &v);
    if (r != 1) return r;
    if (!strcmp(v, "fp32") || !strcmp(v, "f32"))
        *out = ATTN_PRECISION_F32;
    else if (!strcmp(v, "bf16"))
        *out = ATTN_PRECISION_BF16;
    else {
        fprintf(stderr, "attn: option --precision must be fp32 or bf16, not '%s'\n", v);
        return -1;
    }
    return 1;
}
