/* Error reporting and option parsing shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cli_command = "";

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

int cli_usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "attn %s: error: ", cli_command);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

int cli_set_threads(long long threads) {
    if (attn_set_threads((int)threads) != ATTN_OK) return cli_usage_error("%s", attn_last_error());
    return 0;
}

attn_status cli_read_input(const char *path, char **out, size_t *len) {
    bool use_stdin = !path || !strcmp(path, "-");
    const char *name = use_stdin ? "standard input" : path;
    FILE *f = use_stdin ? stdin : fopen(path, "rb");
    if (!f) return attn_errorf(ATTN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (f != stdin) fclose(f);
        return attn_errorf(ATTN_ERR_IO, "%s: is a directory, not a file", name);
    }
    if (use_stdin && isatty(fileno(stdin)))
        fprintf(stderr, "attn %s: reading standard input: type the text and end it with Ctrl-D (or give a FILE)\n",
                cli_command);
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
    bool bad = ferror(f) != 0;
    int err = errno;
    if (f != stdin) fclose(f);
    if (bad) {
        free(buf);
        return attn_errorf(ATTN_ERR_IO, "error reading %s: %s", name, err ? strerror(err) : "I/O error");
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return ATTN_OK;
}

attn_status cli_stdout_check(void) {
    /* after a failed write the stream keeps its error flag and the unwritten
     * bytes: flushing again gives the reason (ENOSPC, EBADF ...) afresh */
    bool bad = ferror(stdout) != 0;
    int e = errno;
    clearerr(stdout);
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        bad = true;
        if (errno) e = errno;
    }
    if (!bad) return ATTN_OK;
    return attn_errorf(ATTN_ERR_IO, "writing standard output: %s", strerror(e ? e : EIO));
}

static mode_t current_umask(void) {
    mode_t m = umask(0);
    umask(m);
    return m;
}

attn_status cli_atomic_open(cli_atomic *af, const char *path) {
    memset(af, 0, sizeof *af);
    size_t n = strlen(path);
    af->path = path;
    struct stat sb, lb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        if (!(af->f = fopen(path, "wb"))) return attn_errorf(ATTN_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        return ATTN_OK;
    }
    if (lstat(path, &lb) == 0 && S_ISLNK(lb.st_mode) && (af->target = realpath(path, NULL)) != NULL) {
        af->path = path = af->target;
        n = strlen(path);
    }
    if (!(af->tmp = malloc(n + 16))) {
        free(af->target);
        af->target = NULL;
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    snprintf(af->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0 || !(af->f = fdopen(fd, "wb"))) {
        attn_status st = attn_errorf(ATTN_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            remove(af->tmp);
        }
        free(af->tmp);
        free(af->target);
        af->tmp = af->target = NULL;
        return st;
    }
    fchmod(fd, 0666 & ~current_umask()); /* as fopen would have created it */
    return ATTN_OK;
}

void cli_atomic_abort(cli_atomic *af) {
    if (af->f) fclose(af->f);
    if (af->tmp) remove(af->tmp);
    free(af->tmp);
    free(af->target);
    memset(af, 0, sizeof *af);
}

attn_status cli_atomic_commit(cli_atomic *af) {
    errno = 0;
    bool ok = !ferror(af->f) && fflush(af->f) == 0 && (!af->tmp || fsync(fileno(af->f)) == 0);
    int e = errno;
    ok = fclose(af->f) == 0 && ok;
    if (!e) e = errno;
    af->f = NULL;
    if (ok && af->tmp && rename(af->tmp, af->path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        attn_status st = attn_errorf(ATTN_ERR_IO, "error writing %s: %s", af->path, strerror(e ? e : EIO));
        cli_atomic_abort(af);
        return st;
    }
    free(af->tmp);
    free(af->target);
    memset(af, 0, sizeof *af);
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

int cli_utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    int len;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) len = 3;
    else if (c >= 0xF0 && c <= 0xF4) len = 4;
    else return -1;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n) return 0;
        unsigned b = s[i];
        if ((b & 0xC0) != 0x80) return -1;
        if (i == 1 && ((c == 0xE0 && b < 0xA0) || (c == 0xED && b > 0x9F) || (c == 0xF0 && b < 0x90) ||
                       (c == 0xF4 && b > 0x8F)))
            return -1; /* overlong, a surrogate, past U+10FFFF */
    }
    return len;
}

char *cli_strndup(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

bool cli_buf_add(cli_buf *b, const void *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return false;
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

char *cli_utf8_valid(const char *s, size_t n) {
    cli_buf b = {0};
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    if (!cli_buf_add(&b, "", 0)) return NULL;
    while (i < n) {
        int k = u[i] ? cli_utf8_len(u + i, n - i) : -1;
        if (k > 0) {
            if (!cli_buf_add(&b, s + i, (size_t)k)) break;
            i += (size_t)k;
        } else {
            if (!cli_buf_add(&b, "\xEF\xBF\xBD", 3)) break;
            i = k == 0 ? n : i + 1;
        }
    }
    if (i < n) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
