/* shards.c — token shard files (format atop include/attn/data.h).
 *
 * Writing goes through a temporary file and rename, tokens converted to
 * little-endian u16/u32 in fixed-size chunks. Reading maps the file and
 * decodes on demand; only the header is trusted after open, so every token
 * handed out is checked against vocab_size. */
#include "attn/data.h"
#include "data/data_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct attn_shard {
    char *path;
    void *map;                  /* whole file, PROT_READ */
    size_t map_len;
    const unsigned char *tokens;
    int64_t n_tokens;
    uint32_t bytes_per_token;
    int32_t vocab_size;
};

attn_status attn_shard_write(const char *path, const int32_t *ids, int64_t n, int32_t vocab_size) {
    if (!path || n < 0 || (n > 0 && !ids))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_shard_write: bad argument");
    if (vocab_size <= 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_shard_write %s: vocab size %d is not positive", path,
                           (int)vocab_size);
    for (int64_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= vocab_size)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_shard_write %s: token %d at position %lld is outside 0..%d",
                               path, (int)ids[i], (long long)i, (int)vocab_size - 1);
    uint32_t bpt = vocab_size <= 65536 ? 2 : 4;

    unsigned char header[ATTN_SHARD_HEADER_BYTES] = {0};
    memcpy(header, ATTN_SHARD_MAGIC, 8);
    le_put_u32(header + 8, ATTN_SHARD_VERSION);
    le_put_u32(header + 12, bpt);
    le_put_u64(header + 16, (uint64_t)n);
    le_put_u32(header + 24, (uint32_t)vocab_size);
    le_put_u32(header + 28, 0);

    enum { CHUNK = 16384 };
    unsigned char *buf = attn_malloc(CHUNK * 4);
    if (!buf) return ATTN_ERR_OUT_OF_MEMORY;
    atomic_file af;
    attn_status st = atomic_file_open(&af, path);
    if (st != ATTN_OK) {
        attn_free(buf);
        return st;
    }
    st = atomic_file_write(&af, header, sizeof header);
    for (int64_t i = 0; i < n && st == ATTN_OK; i += CHUNK) {
        int64_t m = ATTN_MIN((int64_t)CHUNK, n - i);
        if (bpt == 2) {
            for (int64_t j = 0; j < m; j++) {
                uint32_t v = (uint32_t)ids[i + j];
                buf[2 * j] = (unsigned char)v;
                buf[2 * j + 1] = (unsigned char)(v >> 8);
            }
        } else {
            for (int64_t j = 0; j < m; j++) le_put_u32(buf + 4 * j, (uint32_t)ids[i + j]);
        }
        st = atomic_file_write(&af, buf, (size_t)m * bpt);
    }
    attn_free(buf);
    if (st != ATTN_OK) {
        atomic_file_abort(&af);
        return st;
    }
    return atomic_file_commit(&af);
}

attn_status data_map_file(const char *path, size_t min_size, const char *what, void **map, size_t *len) {
    *map = NULL;
    *len = 0;
    attn_status st = ATTN_OK;
    int fd;
    if ((st = file_open_regular(path, &fd, NULL)) != ATTN_OK) return st; /* a FIFO would block in open */
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = attn_errorf(ATTN_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = attn_errorf(ATTN_ERR_IO, "%s is not a regular file", path);
        goto done;
    }
    uint64_t size = (uint64_t)sb.st_size;
    if (size < min_size) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: truncated %s (%llu bytes, header needs %zu)", path, what,
                         (unsigned long long)size, min_size);
        goto done;
    }
    if (size > SIZE_MAX) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: too large to map", path);
        goto done;
    }
    void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        st = attn_errorf(ATTN_ERR_IO, "cannot map %s: %s", path, strerror(errno));
        goto done;
    }
    *map = m;
    *len = (size_t)size;
done:
    close(fd);
    return st;
}

attn_status attn_shard_open(const char *path, attn_shard **out) {
    if (!path || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_shard_open: NULL argument");
    *out = NULL;
    attn_status st = ATTN_OK;
    attn_shard *s = NULL;
    if (!(s = attn_calloc(1, sizeof *s)) || !(s->path = attn_strdup(path))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    if ((st = data_map_file(path, ATTN_SHARD_HEADER_BYTES, "token shard", &s->map, &s->map_len)) != ATTN_OK)
        goto fail;
    uint64_t size = s->map_len;

    const unsigned char *h = s->map;
    if (memcmp(h, ATTN_SHARD_MAGIC, 8) != 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not a token shard (magic is not \"%s\")", path, ATTN_SHARD_MAGIC);
        goto fail;
    }
    uint32_t version = le_get_u32(h + 8), bpt = le_get_u32(h + 12), vocab = le_get_u32(h + 24), reserved = le_get_u32(h + 28);
    uint64_t n = le_get_u64(h + 16);
    if (version != ATTN_SHARD_VERSION) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: token shard version %u (this attn reads version %d)", path,
                         (unsigned)version, ATTN_SHARD_VERSION);
        goto fail;
    }
    if (vocab == 0 || vocab > (uint32_t)INT32_MAX) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: vocab size %u is out of range", path, (unsigned)vocab);
        goto fail;
    }
    if (bpt != (vocab <= 65536 ? 2u : 4u)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: %u bytes per token does not fit vocab size %u (want %u)", path,
                         (unsigned)bpt, (unsigned)vocab, vocab <= 65536 ? 2u : 4u);
        goto fail;
    }
    if (reserved != 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: reserved header field is %u, not 0", path, (unsigned)reserved);
        goto fail;
    }
    uint64_t body = size - ATTN_SHARD_HEADER_BYTES;
    if (n > body / bpt) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: truncated: header says %llu tokens (%llu bytes) but the file holds %llu",
                         path, (unsigned long long)n, (unsigned long long)n * bpt, (unsigned long long)body);
        goto fail;
    }
    if (n * bpt != body) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: %llu trailing bytes after %llu tokens", path,
                         (unsigned long long)(body - n * bpt), (unsigned long long)n);
        goto fail;
    }
    s->tokens = h + ATTN_SHARD_HEADER_BYTES;
    s->n_tokens = (int64_t)n;
    s->bytes_per_token = bpt;
    s->vocab_size = (int32_t)vocab;
    *out = s;
    return ATTN_OK;
fail:
    attn_shard_close(s);
    return st;
}

int64_t attn_shard_len(const attn_shard *s) { return s ? s->n_tokens : 0; }
int32_t attn_shard_vocab_size(const attn_shard *s) { return s ? s->vocab_size : 0; }

attn_status attn_shard_read(const attn_shard *s, int64_t start, int64_t n, int32_t *out) {
    if (!s || (n > 0 && !out)) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_shard_read: NULL argument");
    if (start < 0 || n < 0 || start > s->n_tokens || n > s->n_tokens - start)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: read of %lld tokens at %lld is outside the shard's %lld",
                           s->path, (long long)n, (long long)start, (long long)s->n_tokens);
    uint32_t bad = 0;
    uint32_t vocab = (uint32_t)s->vocab_size;
    if (s->bytes_per_token == 2) {
        const unsigned char *p = s->tokens + (size_t)start * 2;
        for (int64_t i = 0; i < n; i++) {
            uint32_t v = (uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8;
            bad |= v >= vocab;
            out[i] = (int32_t)v;
        }
    } else {
        const unsigned char *p = s->tokens + (size_t)start * 4;
        for (int64_t i = 0; i < n; i++) {
            uint32_t v = le_get_u32(p + 4 * i);
            bad |= v >= vocab;
            out[i] = (int32_t)v;   /* v >= 2^31 is caught by `bad` since vocab <= INT32_MAX */
        }
    }
    if (bad) {
        for (int64_t i = 0; i < n; i++)
            if ((uint32_t)out[i] >= vocab)
                return attn_errorf(ATTN_ERR_FORMAT, "%s: token %u at position %lld is >= vocab size %d", s->path,
                                   (unsigned)out[i], (long long)(start + i), (int)s->vocab_size);
    }
    return ATTN_OK;
}

void attn_shard_close(attn_shard *s) {
    if (!s) return;
    if (s->map) munmap(s->map, s->map_len);
    attn_free(s->path);
    attn_free(s);
}
