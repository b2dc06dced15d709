/* File helpers (whole-file read, atomic replace), UTF-8 and time. */
#define _POSIX_C_SOURCE 200809L
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

attn_status file_open_regular(const char *path, int *fd_out, uint64_t *size_out) {
    *fd_out = -1;
    if (size_out) *size_out = 0;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer, forever */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return attn_errorf(ATTN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        attn_status st = attn_errorf(ATTN_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return st;
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return attn_errorf(ATTN_ERR_IO, "%s is not a regular file", path);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        attn_status st = attn_errorf(ATTN_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return st;
    }
    *fd_out = fd;
    if (size_out) *size_out = (uint64_t)sb.st_size;
    return ATTN_OK;
}

attn_status file_read_parse(const char *path, file_parser parse, void *out) {
    char *text = NULL;
    size_t len = 0;
    attn_status st = file_read_all(path, &text, &len);
    if (st) return st;
    st = parse(path, text, len, out);
    attn_free(text);
    return st;
}

attn_status file_read_all(const char *path, char **out, size_t *out_len) {
    *out = NULL;
    if (out_len) *out_len = 0;
    int fd;
    uint64_t size;
    attn_status st = file_open_regular(path, &fd, &size);
    if (st != ATTN_OK) return st;
    /* the size read now is a hint: the file may grow or shrink meanwhile */
    size_t cap = size < SIZE_MAX / 2 && size + 1 > (1 << 16) ? (size_t)size + 1 : 1 << 16, len = 0;
    char *buf = attn_malloc(cap);
    if (!buf) {
        close(fd);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    for (;;) {
        if (cap - len < 2) {
            char *nb = cap <= SIZE_MAX / 2 ? attn_realloc(buf, cap * 2) : NULL;
            if (!nb) {
                attn_free(buf);
                close(fd);
                return ATTN_ERR_OUT_OF_MEMORY;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            st = attn_errorf(ATTN_ERR_IO, "error reading %s: %s", path, strerror(errno));
            attn_free(buf);
            close(fd);
            return st;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = 0;
    *out = buf;
    if (out_len) *out_len = len;
    return ATTN_OK;
}

/* Syncs the directory holding `path`, cutting `path` at its last '/' in
 * place: nothing is allocated, so a committed rename is never followed by
 * a skipped sync for want of memory. */
static void fsync_dir_of(char *path) {
    char *slash = strrchr(path, '/');
    if (slash == path) slash++;   /* a file in "/" */
    if (slash) *slash = 0;
    int fd = open(slash ? path : ".", O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* ---- testing hooks (read from the environment; documented in core.h) ----
 * ATTN_FAULT_KILL_AT=k: the k-th write-path event of the process (creating a
 * temporary file, each write into it, just before and just after each
 * rename) sends SIGKILL to the process itself, so a crash test can stop a
 * checkpoint at any point of its writing. ATTN_FAULT_SIGNAL=n sends signal
 * n instead (e.g. 15, SIGTERM: a stop request at an exact point).
 * ATTN_FAULT_ENOSPC_AFTER=n: once n bytes have gone through atomic writes,
 * every further write fails as a full disk would (ENOSPC). */
static long long env_ll(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) return -1;
    char *end;
    long long x = strtoll(v, &end, 10);
    return *end || x < 0 ? -1 : x;
}

static atomic_llong fault_events, fault_bytes;

static void fault_point(void) {
    long long k = env_ll("ATTN_FAULT_KILL_AT");
    if (k > 0 && atomic_fetch_add(&fault_events, 1) + 1 == k) {
        long long sig = env_ll("ATTN_FAULT_SIGNAL");
        kill(getpid(), sig > 0 && sig < 65 ? (int)sig : SIGKILL);
    }
}

static atomic_ullong tmp_counter;

attn_status atomic_file_open(atomic_file *af, const char *path) {
    memset(af, 0, sizeof *af);
    size_t n = strlen(path);
    af->path = attn_strdup(path);
    af->tmp_path = attn_malloc(n + 48);
    if (!af->path || !af->tmp_path) {
        attn_free(af->path);
        attn_free(af->tmp_path);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    /* unique per process and call: two writers never share a temporary file
     * (one a crashed process with the same pid left behind is skipped) */
    for (int tries = 0; tries < 1000; tries++) {
        snprintf(af->tmp_path, n + 48, "%s.%ld.%llu.tmp", path, (long)getpid(),
                 (unsigned long long)atomic_fetch_add(&tmp_counter, 1));
        if ((af->f = fopen(af->tmp_path, "wbx")) != NULL || errno != EEXIST) break;
    }
    if (!af->f) {
        attn_status st = attn_errorf(ATTN_ERR_IO, "cannot create %s: %s", af->tmp_path, strerror(errno));
        attn_free(af->path);
        attn_free(af->tmp_path);
        af->path = af->tmp_path = NULL;
        return st;
    }
    fault_point();
    return ATTN_OK;
}

attn_status atomic_file_write(atomic_file *af, const void *data, size_t len) {
    fault_point();
    long long limit = env_ll("ATTN_FAULT_ENOSPC_AFTER");
    if (limit >= 0 && atomic_fetch_add(&fault_bytes, (long long)len) + (long long)len > limit)
        return attn_errorf(ATTN_ERR_IO, "write %s: %s", af->path, strerror(ENOSPC));
    if (len && fwrite(data, 1, len, af->f) != len)
        return attn_errorf(ATTN_ERR_IO, "write %s: %s", af->path, strerror(errno));
    return ATTN_OK;
}

void atomic_file_abort(atomic_file *af) {
    if (af->f) fclose(af->f);
    if (af->tmp_path) remove(af->tmp_path);
    attn_free(af->tmp_path);
    attn_free(af->path);
    memset(af, 0, sizeof *af);
}

attn_status atomic_file_commit(atomic_file *af) {
    attn_status st = ATTN_OK;
    if (fflush(af->f) != 0 || fsync(fileno(af->f)) != 0) {
        st = attn_errorf(ATTN_ERR_IO, "write %s: %s", af->path, strerror(errno));
        atomic_file_abort(af);
        return st;
    }
    if (fclose(af->f) != 0) {
        af->f = NULL;
        st = attn_errorf(ATTN_ERR_IO, "write %s: %s", af->path, strerror(errno));
        atomic_file_abort(af);
        return st;
    }
    af->f = NULL;
    fault_point();
    if (rename(af->tmp_path, af->path) != 0) {
        st = attn_errorf(ATTN_ERR_IO, "rename %s -> %s: %s", af->tmp_path, af->path, strerror(errno));
        atomic_file_abort(af);
        return st;
    }
    fault_point();
    fsync_dir_of(af->tmp_path);   /* the same directory; tmp_path is not needed after the rename */
    attn_free(af->tmp_path);
    attn_free(af->path);
    memset(af, 0, sizeof *af);
    return ATTN_OK;
}

attn_status file_write_atomic(const char *path, const void *data, size_t len) {
    atomic_file af;
    attn_status st = atomic_file_open(&af, path);
    if (st) return st;
    if ((st = atomic_file_write(&af, data, len)) != ATTN_OK) {
        atomic_file_abort(&af);
        return st;
    }
    return atomic_file_commit(&af);
}

attn_status dir_ensure(const char *path) {
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) return ATTN_OK;
        return attn_errorf(ATTN_ERR_IO, "%s exists and is not a directory", path);
    }
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return ATTN_OK;
    if (errno == ENOENT) { /* a missing parent: create it first, as mkdir -p */
        size_t n = strlen(path);
        while (n > 0 && path[n - 1] == '/') n--;      /* trailing slashes */
        while (n > 0 && path[n - 1] != '/') n--;      /* the last component */
        while (n > 1 && path[n - 1] == '/') n--;      /* the separator */
        if (n > 0 && !(n == 1 && path[0] == '/')) {
            char *parent = attn_malloc(n + 1);
            if (!parent) return ATTN_ERR_OUT_OF_MEMORY;
            memcpy(parent, path, n);
            parent[n] = '\0';
            attn_status st = dir_ensure(parent);
            attn_free(parent);
            if (st != ATTN_OK) return st;
            if (mkdir(path, 0755) == 0 || errno == EEXIST) return ATTN_OK;
        }
    }
    return attn_errorf(ATTN_ERR_IO, "cannot create directory %s: %s", path, strerror(errno));
}

char *path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = attn_malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a && dir[a - 1] != '/') p[k++] = '/';
    memcpy(p + k, name, b + 1);
    return p;
}

bool file_exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0;
}

int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    if (n == 0) return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    if ((c & 0xe0) == 0xc0) { len = 2; v = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { len = 3; v = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { len = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)len > n) return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

int utf8_encode(uint32_t cp, char out[4]) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t utf8_validate(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) { i++; continue; }
        uint32_t cp;
        int k = utf8_decode(u + i, n - i, &cp);
        if (!k) return i;
        i += (size_t)k;
    }
    return n;
}

attn_status text_check_at(const char *name, const char *text, size_t len, int64_t first_line, size_t base) {
    const unsigned char *u = (const unsigned char *)text;
    int64_t line = first_line;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c >= 0x80) {
            uint32_t cp;
            int k = utf8_decode(u + i, len - i, &cp);
            if (!k)
                return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: invalid UTF-8 at byte offset %zu (0x%02x)", name,
                                   (long long)line, base + i, (unsigned)c);
            i += (size_t)k;
            continue;
        }
        if (c == 0)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: NUL byte at byte offset %zu (binary data, not text)",
                               name, (long long)line, base + i);
        line += c == '\n';
        i++;
    }
    return ATTN_OK;
}

attn_status attn_text_check(const char *name, const char *text, size_t len) {
    if (!text && len) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_text_check: NULL text");
    return text_check_at(name ? name : "text", text, len, 1, 0);
}

double time_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
