/* pairs_file.c — pair shard files (format atop include/attn/data.h).
 *
 * Writing goes through a temporary file and rename. Opening maps the file
 * and checks the header and every length record, then turns the lengths into
 * offsets (two int64 per pair, the only allocation proportional to the file);
 * token values are checked as they are read. */
#include "attn/data.h"
#include "data/data_impl.h"

#include <sys/mman.h>

struct attn_pairs {
    char *path;
    void *map;
    size_t map_len;
    const unsigned char *src_tokens, *tgt_tokens;
    int64_t *src_off, *tgt_off;   /* n_pairs + 1 each, in tokens */
    uint32_t bytes_per_token;
    attn_pairs_info info;
};

/* A header id: -1 (none) or an id below V. */
static bool id_ok(int32_t id, int32_t V) { return id == -1 || (id >= 0 && id < V); }

static attn_status write_tokens(atomic_file *af, const int32_t *ids, int64_t n, uint32_t bpt, unsigned char *buf,
                                int64_t chunk) {
    attn_status st = ATTN_OK;
    for (int64_t i = 0; i < n && st == ATTN_OK; i += chunk) {
        int64_t m = ATTN_MIN(chunk, n - i);
        for (int64_t j = 0; j < m; j++) {
            uint32_t v = (uint32_t)ids[i + j];
            if (bpt == 2) {
                buf[2 * j] = (unsigned char)v;
                buf[2 * j + 1] = (unsigned char)(v >> 8);
            } else {
                le_put_u32(buf + 4 * j, v);
            }
        }
        st = atomic_file_write(af, buf, (size_t)m * bpt);
    }
    return st;
}

static attn_status check_side(const char *path, const char *side, const int32_t *ids, const int64_t *off, int64_t n,
                              int32_t V) {
    if (!off || off[0] != 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_write %s: %s offsets must start at 0", path, side);
    for (int64_t i = 0; i < n; i++) {
        int64_t len = off[i + 1] - off[i];
        if (len < 1 || len > UINT32_MAX)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_write %s: pair %lld has a %s of %lld tokens", path,
                               (long long)i, side, (long long)len);
    }
    if (off[n] > 0 && !ids) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_write %s: NULL %s ids", path, side);
    for (int64_t k = 0; k < off[n]; k++)
        if (ids[k] < 0 || ids[k] >= V)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_write %s: %s token %d at %lld is outside 0..%d", path,
                               side, (int)ids[k], (long long)k, (int)V - 1);
    return ATTN_OK;
}

attn_status attn_pairs_write(const char *path, const attn_pairs_info *info, const int32_t *src,
                             const int64_t *src_off, const int32_t *tgt, const int64_t *tgt_off) {
    if (!path || !info || info->n_pairs < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_write: bad argument");
    int32_t V = info->vocab_size;
    int64_t n = info->n_pairs;
    if (V <= 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_write %s: vocab size %d is not positive", path, (int)V);
    if (!id_ok(info->pad_id, V) || !id_ok(info->src_bos, V) || !id_ok(info->src_eos, V) || !id_ok(info->tgt_bos, V) ||
        !id_ok(info->tgt_eos, V) || info->decoder_start_id < 0 || info->decoder_start_id >= V)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_write %s: a special id is outside 0..%d", path, (int)V - 1);
    attn_status st;
    if ((st = check_side(path, "source", src, src_off, n, V)) != ATTN_OK) return st;
    if ((st = check_side(path, "target", tgt, tgt_off, n, V)) != ATTN_OK) return st;
    uint32_t bpt = V <= 65536 ? 2 : 4;

    unsigned char h[ATTN_PAIRS_HEADER_BYTES] = {0};
    memcpy(h, ATTN_PAIRS_MAGIC, 8);
    le_put_u32(h + 8, ATTN_PAIRS_VERSION);
    le_put_u32(h + 12, bpt);
    le_put_u64(h + 16, (uint64_t)n);
    le_put_u64(h + 24, (uint64_t)src_off[n]);
    le_put_u64(h + 32, (uint64_t)tgt_off[n]);
    le_put_u32(h + 40, (uint32_t)V);
    const int32_t ids[6] = {info->pad_id, info->decoder_start_id, info->src_bos, info->src_eos, info->tgt_bos,
                            info->tgt_eos};
    for (int k = 0; k < 6; k++) le_put_u32(h + 44 + 4 * k, (uint32_t)ids[k]);
    le_put_u32(h + 68, 0);

    enum { CHUNK = 16384 };
    unsigned char *buf = attn_malloc(CHUNK * 8);
    if (!buf) return ATTN_ERR_OUT_OF_MEMORY;
    atomic_file af;
    if ((st = atomic_file_open(&af, path)) != ATTN_OK) {
        attn_free(buf);
        return st;
    }
    st = atomic_file_write(&af, h, sizeof h);
    for (int64_t i = 0; i < n && st == ATTN_OK; i += CHUNK) {
        int64_t m = ATTN_MIN((int64_t)CHUNK, n - i);
        for (int64_t j = 0; j < m; j++) {
            le_put_u32(buf + 8 * j, (uint32_t)(src_off[i + j + 1] - src_off[i + j]));
            le_put_u32(buf + 8 * j + 4, (uint32_t)(tgt_off[i + j + 1] - tgt_off[i + j]));
        }
        st = atomic_file_write(&af, buf, (size_t)m * 8);
    }
    if (st == ATTN_OK) st = write_tokens(&af, src, src_off[n], bpt, buf, CHUNK);
    if (st == ATTN_OK) st = write_tokens(&af, tgt, tgt_off[n], bpt, buf, CHUNK);
    attn_free(buf);
    if (st != ATTN_OK) {
        atomic_file_abort(&af);
        return st;
    }
    return atomic_file_commit(&af);
}

attn_status attn_pairs_open(const char *path, attn_pairs **out) {
    if (!path || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_open: NULL argument");
    *out = NULL;
    attn_status st = ATTN_OK;
    attn_pairs *p = attn_calloc(1, sizeof *p);
    if (!p || !(p->path = attn_strdup(path))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    if ((st = data_map_file(path, ATTN_PAIRS_HEADER_BYTES, "pair shard", &p->map, &p->map_len)) != ATTN_OK) goto fail;
    const unsigned char *h = p->map;
    if (memcmp(h, ATTN_PAIRS_MAGIC, 8) != 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not a pair shard (magic is not \"%s\")", path, ATTN_PAIRS_MAGIC);
        goto fail;
    }
    uint32_t version = le_get_u32(h + 8), bpt = le_get_u32(h + 12), V = le_get_u32(h + 40);
    uint64_t n = le_get_u64(h + 16), n_src = le_get_u64(h + 24), n_tgt = le_get_u64(h + 32);
    if (version != ATTN_PAIRS_VERSION) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: pair shard version %u (this attn reads version %d)", path,
                         (unsigned)version, ATTN_PAIRS_VERSION);
        goto fail;
    }
    if (V == 0 || V > (uint32_t)INT32_MAX) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: vocab size %u is out of range", path, (unsigned)V);
        goto fail;
    }
    if (bpt != (V <= 65536 ? 2u : 4u)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: %u bytes per token does not fit vocab size %u", path, (unsigned)bpt,
                         (unsigned)V);
        goto fail;
    }
    int32_t ids[6];
    for (int k = 0; k < 6; k++) ids[k] = (int32_t)le_get_u32(h + 44 + 4 * k);
    if (!id_ok(ids[0], (int32_t)V) || ids[1] < 0 || ids[1] >= (int32_t)V || !id_ok(ids[2], (int32_t)V) ||
        !id_ok(ids[3], (int32_t)V) || !id_ok(ids[4], (int32_t)V) || !id_ok(ids[5], (int32_t)V)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: a special token id in the header is outside 0..%u", path,
                         (unsigned)V - 1);
        goto fail;
    }
    if (le_get_u32(h + 68) != 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: reserved header field is not 0", path);
        goto fail;
    }
    /* body = 8 n + bpt (n_src + n_tgt), computed without overflow */
    uint64_t body = p->map_len - ATTN_PAIRS_HEADER_BYTES;
    if (n > body / 8 || n_src > (body - 8 * n) / bpt || n_tgt > (body - 8 * n) / bpt - n_src) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: truncated: header says %llu pairs, %llu + %llu tokens, the file holds %llu bytes",
                         path, (unsigned long long)n, (unsigned long long)n_src, (unsigned long long)n_tgt,
                         (unsigned long long)body);
        goto fail;
    }
    if (body != 8 * n + bpt * (n_src + n_tgt)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: %llu trailing bytes", path,
                         (unsigned long long)(body - 8 * n - bpt * (n_src + n_tgt)));
        goto fail;
    }
    if (!(p->src_off = attn_malloc((size_t)(n + 1) * sizeof *p->src_off)) ||
        !(p->tgt_off = attn_malloc((size_t)(n + 1) * sizeof *p->tgt_off))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    const unsigned char *rec = h + ATTN_PAIRS_HEADER_BYTES;
    uint64_t s_sum = 0, t_sum = 0;
    uint32_t s_max = 0, t_max = 0;
    p->src_off[0] = p->tgt_off[0] = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t ls = le_get_u32(rec + 8 * i), lt = le_get_u32(rec + 8 * i + 4);
        if (ls == 0 || lt == 0 || ls > (uint32_t)INT32_MAX || lt > (uint32_t)INT32_MAX) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: pair %llu has lengths %u and %u (each must be 1..2^31-1)", path,
                             (unsigned long long)i, (unsigned)ls, (unsigned)lt);
            goto fail;
        }
        s_sum += ls;
        t_sum += lt;
        if (s_sum > n_src || t_sum > n_tgt) break;
        s_max = ATTN_MAX(s_max, ls);
        t_max = ATTN_MAX(t_max, lt);
        p->src_off[i + 1] = (int64_t)s_sum;
        p->tgt_off[i + 1] = (int64_t)t_sum;
    }
    if (s_sum != n_src || t_sum != n_tgt) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: the pair lengths do not add up to the header's %llu source and %llu target tokens",
                         path, (unsigned long long)n_src, (unsigned long long)n_tgt);
        goto fail;
    }
    p->bytes_per_token = bpt;
    p->src_tokens = rec + 8 * n;
    p->tgt_tokens = p->src_tokens + bpt * n_src;
    p->info = (attn_pairs_info){
        .n_pairs = (int64_t)n, .n_src_tokens = (int64_t)n_src, .n_tgt_tokens = (int64_t)n_tgt,
        .vocab_size = (int32_t)V, .pad_id = ids[0], .decoder_start_id = ids[1],
        .src_bos = ids[2], .src_eos = ids[3], .tgt_bos = ids[4], .tgt_eos = ids[5],
        .max_src_len = (int32_t)s_max, .max_tgt_len = (int32_t)t_max,
    };
    *out = p;
    return ATTN_OK;
fail:
    attn_pairs_close(p);
    return st;
}

void attn_pairs_close(attn_pairs *p) {
    if (!p) return;
    if (p->map) munmap(p->map, p->map_len);
    attn_free(p->src_off);
    attn_free(p->tgt_off);
    attn_free(p->path);
    attn_free(p);
}

attn_pairs_info attn_pairs_get_info(const attn_pairs *p) {
    attn_pairs_info none = {0};
    return p ? p->info : none;
}

int32_t attn_pairs_src_len(const attn_pairs *p, int64_t i) {
    return p && i >= 0 && i < p->info.n_pairs ? (int32_t)(p->src_off[i + 1] - p->src_off[i]) : 0;
}
int32_t attn_pairs_tgt_len(const attn_pairs *p, int64_t i) {
    return p && i >= 0 && i < p->info.n_pairs ? (int32_t)(p->tgt_off[i + 1] - p->tgt_off[i]) : 0;
}

static attn_status read_side(const attn_pairs *p, const unsigned char *base, int64_t start, int64_t n, int32_t *out,
                             int64_t pair, const char *side) {
    uint32_t V = (uint32_t)p->info.vocab_size;
    for (int64_t k = 0; k < n; k++) {
        uint32_t v = p->bytes_per_token == 2 ? (uint32_t)base[2 * (start + k)] | (uint32_t)base[2 * (start + k) + 1] << 8
                                             : le_get_u32(base + 4 * (start + k));
        if (v >= V)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: pair %lld: %s token %u is >= vocab size %u", p->path,
                               (long long)pair, side, (unsigned)v, (unsigned)V);
        out[k] = (int32_t)v;
    }
    return ATTN_OK;
}

attn_status attn_pairs_read(const attn_pairs *p, int64_t i, int32_t *src, int32_t *tgt) {
    if (!p) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pairs_read: NULL shard");
    if (i < 0 || i >= p->info.n_pairs)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: pair %lld is outside 0..%lld", p->path, (long long)i,
                           (long long)p->info.n_pairs - 1);
    attn_status st = ATTN_OK;
    if (src)
        st = read_side(p, p->src_tokens, p->src_off[i], p->src_off[i + 1] - p->src_off[i], src, i, "source");
    if (st == ATTN_OK && tgt)
        st = read_side(p, p->tgt_tokens, p->tgt_off[i], p->tgt_off[i + 1] - p->tgt_off[i], tgt, i, "target");
    return st;
}
