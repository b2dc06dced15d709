/* File helpers (whole-file read, atomic replace), UTF-8 and time. */
#define _POSIX_C_SOURCE 200809L
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

attn_status file_read_all(const char *path, char **out, size_t *out_len) {
    *out = NULL;
    if (out_len) *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return attn_errorf(ATTN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = attn_malloc(cap);
    if (!buf) {
        fclose(f);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    for (;;) {
        if (cap - len < 2) {
            char *nb = attn_realloc(buf, cap * 2);
            if (!nb) {
                attn_free(buf);
                fclose(f);
                return ATTN_ERR_OUT_OF_MEMORY;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        attn_free(buf);
        return attn_errorf(ATTN_ERR_IO, "error reading %s", path);
    }
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

attn_status atomic_file_open(atomic_file *af, const char *path) {
    memset(af, 0, sizeof *af);
    size_t n = strlen(path);
    af->path = attn_strdup(path);
    af->tmp_path = attn_malloc(n + 5);
    if (!af->path || !af->tmp_path) {
        attn_free(af->path);
        attn_free(af->tmp_path);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    memcpy(af->tmp_path, path, n);
    memcpy(af->tmp_path + n, ".tmp", 5);
    af->f = fopen(af->tmp_path, "wb");
    if (!af->f) {
        attn_status st = attn_errorf(ATTN_ERR_IO, "cannot create %s: %s", af->tmp_path, strerror(errno));
        attn_free(af->path);
        attn_free(af->tmp_path);
        af->path = af->tmp_path = NULL;
        return st;
    }
    return ATTN_OK;
}

attn_status atomic_file_write(atomic_file *af, const void *data, size_t len) {
    if (len && fwrite(data, 1, len, af->f) != len)
        return attn_errorf(ATTN_ERR_IO, "write %s: %s", af->tmp_path, strerror(errno));
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
        st = attn_errorf(ATTN_ERR_IO, "flush %s: %s", af->tmp_path, strerror(errno));
        atomic_file_abort(af);
        return st;
    }
    if (fclose(af->f) != 0) {
        af->f = NULL;
        st = attn_errorf(ATTN_ERR_IO, "close %s: %s", af->tmp_path, strerror(errno));
        atomic_file_abort(af);
        return st;
    }
    af->f = NULL;
    if (rename(af->tmp_path, af->path) != 0) {
        st = attn_errorf(ATTN_ERR_IO, "rename %s -> %s: %s", af->tmp_path, af->path, strerror(errno));
        atomic_file_abort(af);
        return st;
    }
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

double time_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
