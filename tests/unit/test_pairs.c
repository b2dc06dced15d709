/* Pair shards (write, open, read, lying or truncated files), prepare for
 * parallel text (wrapping, --max-len, bad lines), and the pair-batch loader
 * (each pair once per epoch, padding, token budget, bucketing, determinism,
 * resume). */
#include "attn/data.h"
#include "attn/tokenizer.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { V = 50, PAD = 1, START = 2 };

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (n) fwrite(data, 1, n, f);
    fclose(f);
}

static unsigned char *read_bytes(const char *path, long *n) {
    struct stat sb;
    *n = stat(path, &sb) == 0 ? (long)sb.st_size : -1;
    if (*n < 0) return NULL;
    unsigned char *b = malloc((size_t)*n + 1);
    FILE *f = fopen(path, "rb");
    if (!b || !f || fread(b, 1, (size_t)*n, f) != (size_t)*n) {
        free(b);
        b = NULL;
    }
    if (f) fclose(f);
    return b;
}

/* Token k of pair i's source / target: a function of (i, k), never PAD. */
static int32_t src_tok(int64_t i, int64_t k) { return (int32_t)(3 + (i * 7 + k * 3) % (V - 3)); }
static int32_t tgt_tok(int64_t i, int64_t k) { return (int32_t)(3 + (i * 5 + k * 11) % (V - 3)); }

/* A shard of n pairs with lengths drawn from a fixed LCG in 1..max_len. */
static const char *make_shard(const char *name, int64_t n, int max_len, int32_t pad_id) {
    const char *path = test_tmp_path(name);
    int64_t *so = malloc((size_t)(n + 1) * sizeof *so), *to = malloc((size_t)(n + 1) * sizeof *to);
    int32_t *src = malloc((size_t)n * (size_t)max_len * sizeof *src), *tgt = malloc((size_t)n * (size_t)max_len * sizeof *tgt);
    if (!so || !to || !src || !tgt) return path;
    uint64_t x = 12345;
    so[0] = to[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int ls = 1 + (int)((x >> 33) % (uint64_t)max_len);
        int lt = ls + (int)((x >> 13) % 5) - 2;   /* lengths of a pair are close, as in translation */
        lt = lt < 1 ? 1 : lt > max_len ? max_len : lt;
        for (int k = 0; k < ls; k++) src[so[i] + k] = src_tok(i, k);
        for (int k = 0; k < lt; k++) tgt[to[i] + k] = tgt_tok(i, k);
        so[i + 1] = so[i] + ls;
        to[i + 1] = to[i] + lt;
    }
    attn_pairs_info info = {.n_pairs = n, .vocab_size = V, .pad_id = pad_id, .decoder_start_id = START,
                            .src_bos = -1, .src_eos = START, .tgt_bos = -1, .tgt_eos = START};
    CHECK_OK(attn_pairs_write(path, &info, src, so, tgt, to));
    free(so);
    free(to);
    free(src);
    free(tgt);
    return path;
}

/* ---- format ------------------------------------------------------------------ */

TEST("pair shard: header bytes, size, lengths and a round trip") {
    const char *path = test_tmp_path("two.pairs");
    const int32_t src[] = {0, 5, 6, 2, 0, 7, 2};
    const int64_t so[] = {0, 4, 7};
    const int32_t tgt[] = {0, 9, 2, 0, 10, 11, 12, 2};
    const int64_t to[] = {0, 3, 8};
    attn_pairs_info info = {.n_pairs = 2, .vocab_size = 70000, .pad_id = 1, .decoder_start_id = 2,
                            .src_bos = 0, .src_eos = 2, .tgt_bos = 0, .tgt_eos = 2};
    CHECK_OK(attn_pairs_write(path, &info, src, so, tgt, to));
    long n = 0;
    unsigned char *b = read_bytes(path, &n);
    CHECK(b && n == 72 + 2 * 8 + (7 + 8) * 4);   /* vocab > 65536: 4 bytes per token */
    if (b) {
        CHECK(!memcmp(b, "ATTNPAR1", 8));
        CHECK(b[8] == 1 && b[12] == 4 && b[16] == 2 && b[24] == 7 && b[32] == 8);
        CHECK(b[40] == (70000 & 0xff) && b[42] == 1);
        CHECK(b[44] == 1 && b[48] == 2 && b[52] == 0 && b[56] == 2 && b[60] == 0 && b[64] == 2);
        CHECK(b[72] == 4 && b[76] == 3 && b[80] == 3 && b[84] == 5);
        CHECK(b[88 + 4] == 5 && b[88 + 7 * 4 + 4] == 9);   /* src[1], tgt[1] */
    }
    free(b);
    attn_pairs *p = NULL;
    CHECK_OK(attn_pairs_open(path, &p));
    if (!p) return;
    attn_pairs_info got = attn_pairs_get_info(p);
    CHECK(got.n_pairs == 2 && got.n_src_tokens == 7 && got.n_tgt_tokens == 8 && got.vocab_size == 70000);
    CHECK(got.pad_id == 1 && got.decoder_start_id == 2 && got.src_bos == 0 && got.tgt_eos == 2);
    CHECK(got.max_src_len == 4 && got.max_tgt_len == 5);
    CHECK(attn_pairs_src_len(p, 1) == 3 && attn_pairs_tgt_len(p, 1) == 5 && attn_pairs_src_len(p, 2) == 0);
    int32_t s[8], t[8];
    CHECK_OK(attn_pairs_read(p, 1, s, t));
    CHECK(!memcmp(s, src + 4, 3 * sizeof *s) && !memcmp(t, tgt + 3, 5 * sizeof *t));
    CHECK_STATUS(attn_pairs_read(p, 2, s, t), ATTN_ERR_INVALID_ARG);
    attn_pairs_close(p);
}

TEST("pair shard: writing refuses empty sides and ids outside the vocabulary") {
    const char *path = test_tmp_path("bad.pairs");
    const int32_t src[] = {3, 4};
    const int64_t so[] = {0, 2, 2};
    const int32_t tgt[] = {3, 4};
    const int64_t to[] = {0, 1, 2};
    attn_pairs_info info = {.n_pairs = 2, .vocab_size = V, .pad_id = PAD, .decoder_start_id = START,
                            .src_bos = -1, .src_eos = -1, .tgt_bos = -1, .tgt_eos = -1};
    CHECK_STATUS(attn_pairs_write(path, &info, src, so, tgt, to), ATTN_ERR_INVALID_ARG);   /* empty source */
    const int64_t so2[] = {0, 1, 2};
    const int32_t big[] = {3, V};
    CHECK_STATUS(attn_pairs_write(path, &info, big, so2, tgt, to), ATTN_ERR_INVALID_ARG);
    info.decoder_start_id = -1;
    CHECK_STATUS(attn_pairs_write(path, &info, src, so2, tgt, to), ATTN_ERR_INVALID_ARG);
    struct stat sb;
    CHECK(stat(path, &sb) != 0);
}

TEST("pair shard: truncated, lying, trailing and foreign files are format errors") {
    const char *good = make_shard("good.pairs", 5, 4, PAD);
    long n = 0;
    unsigned char *b = read_bytes(good, &n);
    if (!b) return;
    attn_pairs *p = NULL;
    const char *path = test_tmp_path("lie.pairs");
    write_bytes(path, b, (size_t)n - 1);
    CHECK_STATUS(attn_pairs_open(path, &p), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "truncated") != NULL);
    write_bytes(path, b, 40);
    CHECK_STATUS(attn_pairs_open(path, &p), ATTN_ERR_FORMAT);
    unsigned char *c = malloc((size_t)n + 2);
    memcpy(c, b, (size_t)n);
    c[n] = c[n + 1] = 0;
    write_bytes(path, c, (size_t)n + 2);
    CHECK_STATUS(attn_pairs_open(path, &p), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "trailing") != NULL);
    memcpy(c, b, (size_t)n);
    c[72] += 1;   /* pair 0's source one longer: the lengths no longer add up to the total */
    write_bytes(path, c, (size_t)n);
    CHECK_STATUS(attn_pairs_open(path, &p), ATTN_ERR_FORMAT);
    memcpy(c, b, (size_t)n);
    c[72] = c[73] = c[74] = c[75] = 0;   /* a zero length */
    write_bytes(path, c, (size_t)n);
    CHECK_STATUS(attn_pairs_open(path, &p), ATTN_ERR_FORMAT);
    memcpy(c, b, (size_t)n);
    c[48] = V;   /* decoder start id outside the vocabulary */
    write_bytes(path, c, (size_t)n);
    CHECK_STATUS(attn_pairs_open(path, &p), ATTN_ERR_FORMAT);
    memcpy(c, b, (size_t)n);
    c[8] = 2;
    write_bytes(path, c, (size_t)n);
    CHECK_STATUS(attn_pairs_open(path, &p), ATTN_ERR_UNSUPPORTED);
    memcpy(c, b, (size_t)n);
    c[0] = 'X';
    write_bytes(path, c, (size_t)n);
    CHECK_STATUS(attn_pairs_open(path, &p), ATTN_ERR_FORMAT);
    memcpy(c, b, (size_t)n);
    c[n - 1] = V;   /* last target token outside the vocabulary: found when read */
    write_bytes(path, c, (size_t)n);
    CHECK_OK(attn_pairs_open(path, &p));
    if (p) {
        int32_t s[8], t[8];
        CHECK_STATUS(attn_pairs_read(p, 4, s, t), ATTN_ERR_FORMAT);
        attn_pairs_close(p);
    }
    CHECK_STATUS(attn_pairs_open(test_tmp_path("missing.pairs"), &p), ATTN_ERR_IO);
    free(c);
    free(b);
}

/* ---- loader ------------------------------------------------------------------ */

/* Checks one batch against the shard: rows, padding, labels, budget. */
static void check_batch(const attn_pairs *p, const attn_pair_batch *bt, int64_t budget, int64_t max_pairs) {
    CHECK(bt->B >= 1 && bt->B * (bt->S > bt->T ? bt->S : bt->T) <= budget);
    if (max_pairs) CHECK(bt->B <= max_pairs);
    int64_t ns = 0, nt = 0, S = 0, T = 0;
    for (int64_t b = 0; b < bt->B; b++) {
        int64_t i = bt->index[b];
        int ls = attn_pairs_src_len(p, i), lt = attn_pairs_tgt_len(p, i);
        CHECK(bt->src_len[b] == ls && bt->tgt_len[b] == lt);
        S = ls > S ? ls : S;
        T = lt > T ? lt : T;
        ns += ls;
        nt += lt;
        bool ok = true;
        for (int64_t s = 0; s < bt->S; s++) ok &= bt->src[b * bt->S + s] == (s < ls ? src_tok(i, s) : PAD);
        for (int64_t t = 0; t < bt->T; t++) {
            int32_t want_in = t == 0 ? START : t < lt ? tgt_tok(i, t - 1) : PAD;
            int32_t want_out = t < lt ? tgt_tok(i, t) : -1;
            ok &= bt->tgt_in[b * bt->T + t] == want_in && bt->tgt_out[b * bt->T + t] == want_out;
        }
        CHECK(ok);
    }
    CHECK(S == bt->S && T == bt->T && ns == bt->n_src_tokens && nt == bt->n_tgt_tokens);
}

/* Runs the loader's next whole epoch (the current one when it is at its
 * start); counts every pair and the padded positions. */
static int64_t run_epoch(attn_pairs *p, attn_pair_loader *l, int64_t budget, int64_t max_pairs, int *seen,
                         int64_t *padded) {
    int64_t e0 = 0, pos = 0;
    attn_pair_loader_state(l, &e0, &pos);
    if (pos == attn_pair_loader_num_batches(l)) e0++;
    int64_t nb = 0;
    for (int64_t k = 0; k == 0 || k < nb; k++) {
        attn_pair_batch bt;
        CHECK_OK(attn_pair_loader_next(l, &bt));
        if (k == 0) nb = attn_pair_loader_num_batches(l);
        check_batch(p, &bt, budget, max_pairs);
        for (int64_t b = 0; b < bt.B; b++) seen[bt.index[b]]++;
        if (padded) *padded += bt.B * (bt.S + bt.T);
    }
    int64_t e1 = 0;
    attn_pair_loader_state(l, &e1, &pos);
    CHECK(e1 == e0 && pos == nb);
    return nb;
}

TEST("loader: every pair once per epoch, padding and labels right, budget respected") {
    enum { N = 700 };
    attn_pairs *p = NULL;
    CHECK_OK(attn_pairs_open(make_shard("many.pairs", N, 40, PAD), &p));
    if (!p) return;
    const int64_t budgets[] = {40, 256, 4096};
    for (int bi = 0; bi < 3; bi++) {
        for (int capped = 0; capped < 2; capped++) {
            attn_pair_loader_params lp = attn_pair_loader_default_params();
            lp.batch_tokens = budgets[bi];
            lp.chunk_pairs = 128;
            lp.max_batch_pairs = capped ? 7 : 0;
            lp.seed = 3;
            attn_pair_loader *l = NULL;
            CHECK_OK(attn_pair_loader_new(p, &lp, &l));
            if (!l) continue;
            for (int e = 0; e < 2; e++) {
                int seen[N] = {0};
                run_epoch(p, l, lp.batch_tokens, lp.max_batch_pairs, seen, NULL);
                bool once = true;
                for (int i = 0; i < N; i++) once &= seen[i] == 1;
                CHECK(once);
            }
            attn_pair_batch bt;
            CHECK_OK(attn_pair_loader_next(l, &bt));   /* rolls into epoch 2 */
            int64_t e = 0, pos = 0;
            attn_pair_loader_state(l, &e, &pos);
            CHECK(e == 2 && pos == 1);
            attn_pair_loader_free(l);
        }
    }
    attn_pairs_close(p);
}

TEST("loader: length bucketing pads far less than greedy batches in file order") {
    enum { N = 700, BUDGET = 400 };
    attn_pairs *p = NULL;
    CHECK_OK(attn_pairs_open(make_shard("bucket.pairs", N, 40, PAD), &p));
    if (!p) return;
    attn_pair_loader_params lp = attn_pair_loader_default_params();
    lp.batch_tokens = BUDGET;
    lp.chunk_pairs = N;
    attn_pair_loader *l = NULL;
    CHECK_OK(attn_pair_loader_new(p, &lp, &l));
    if (!l) return;
    int seen[N] = {0};
    int64_t padded = 0;
    int64_t nb = run_epoch(p, l, lp.batch_tokens, 0, seen, &padded);
    attn_pair_loader_free(l);
    /* the same greedy cut over the unsorted file order */
    int64_t unsorted = 0, count = 0, S = 0, T = 0, nb_unsorted = 0;
    for (int64_t i = 0; i <= N; i++) {
        int64_t s = i < N ? attn_pairs_src_len(p, i) : 0, t = i < N ? attn_pairs_tgt_len(p, i) : 0;
        int64_t S2 = s > S ? s : S, T2 = t > T ? t : T;
        if (count > 0 && (i == N || (count + 1) * (S2 > T2 ? S2 : T2) > BUDGET)) {
            unsorted += count * (S + T);
            nb_unsorted++;
            count = 0;
            S2 = s;
            T2 = t;
        }
        count++;
        S = S2;
        T = T2;
    }
    int64_t real = attn_pairs_get_info(p).n_src_tokens + attn_pairs_get_info(p).n_tgt_tokens;
    CHECK(padded < real * 13 / 10);   /* sorted: under 30% padding */
    CHECK(unsorted > real * 15 / 10);
    CHECK(nb < nb_unsorted);
    attn_pairs_close(p);
}

/* The first n batches' (index, B) sequence as a hash. */
static uint64_t batches_hash(attn_pair_loader *l, int n) {
    uint64_t h = 1469598103934665603ull;
    for (int k = 0; k < n; k++) {
        attn_pair_batch bt;
        if (attn_pair_loader_next(l, &bt) != ATTN_OK) return 0;
        for (int64_t b = 0; b < bt.B; b++) h = (h ^ (uint64_t)bt.index[b]) * 1099511628211ull;
        h = (h ^ (uint64_t)(bt.B << 20)) * 1099511628211ull;
    }
    return h;
}

/* A shard and two loaders over it with the same params; false if any failed. */
static bool two_loaders(const char *name, int64_t n, int max_len, int64_t budget, int64_t chunk, uint64_t seed,
                        attn_pairs **p, attn_pair_loader_params *lp, attn_pair_loader **a, attn_pair_loader **b) {
    *a = *b = NULL;
    CHECK_OK(attn_pairs_open(make_shard(name, n, max_len, PAD), p));
    if (!*p) return false;
    *lp = attn_pair_loader_default_params();
    lp->batch_tokens = budget;
    lp->chunk_pairs = chunk;
    lp->seed = seed;
    CHECK_OK(attn_pair_loader_new(*p, lp, a));
    CHECK_OK(attn_pair_loader_new(*p, lp, b));
    return *a && *b;
}

TEST("loader: same seed same batches; another seed or epoch, another order; resume") {
    attn_pairs *p = NULL;
    attn_pair_loader_params lp;
    attn_pair_loader *a, *b;
    if (!two_loaders("det.pairs", 300, 30, 200, 64, 11, &p, &lp, &a, &b)) return;
    int64_t nb = attn_pair_loader_num_batches(a);
    CHECK(nb > 10);
    uint64_t ha = batches_hash(a, (int)nb), hb = batches_hash(b, (int)nb);
    CHECK(ha == hb && ha != 0);
    attn_pair_loader_free(b);
    lp.seed = 12;
    CHECK_OK(attn_pair_loader_new(p, &lp, &b));
    if (b) {
        CHECK(batches_hash(b, (int)nb) != ha);
        attn_pair_loader_free(b);
    }
    /* epoch 1 differs from epoch 0 */
    CHECK_OK(attn_pair_loader_seek(a, 1, 0));
    uint64_t e1 = batches_hash(a, 5);
    CHECK_OK(attn_pair_loader_seek(a, 0, 0));
    CHECK(batches_hash(a, 5) != e1);

    /* resume: run 7 batches past the epoch end, save the state, continue in a new loader */
    lp.seed = 11;
    CHECK_OK(attn_pair_loader_seek(a, 0, nb - 3));
    CHECK(batches_hash(a, 7) != 0);
    int64_t epoch = -1, pos = -1;
    attn_pair_loader_state(a, &epoch, &pos);
    CHECK(epoch == 1 && pos == 4);
    uint64_t cont = batches_hash(a, 2 * (int)nb);
    CHECK_OK(attn_pair_loader_new(p, &lp, &b));
    if (b) {
        CHECK_OK(attn_pair_loader_seek(b, epoch, pos));
        CHECK(batches_hash(b, 2 * (int)nb) == cont);
        CHECK_STATUS(attn_pair_loader_seek(b, 0, nb + 1), ATTN_ERR_INVALID_ARG);
        CHECK_STATUS(attn_pair_loader_seek(b, -1, 0), ATTN_ERR_INVALID_ARG);
        CHECK_OK(attn_pair_loader_seek(b, 0, nb));   /* the end: the next batch is epoch 1's first */
        attn_pair_batch bt;
        CHECK_OK(attn_pair_loader_next(b, &bt));
        attn_pair_loader_state(b, &epoch, &pos);
        CHECK(epoch == 1 && pos == 1);
        attn_pair_loader_free(b);
    }
    attn_pair_loader_free(a);
    attn_pairs_close(p);
}

TEST("loader: seeking to the k-th batch overall lands where k calls to next land") {
    attn_pairs *p = NULL;
    attn_pair_loader_params lp;
    attn_pair_loader *a, *b;
    if (two_loaders("seekk.pairs", 150, 30, 120, 40, 5, &p, &lp, &a, &b)) {
        int64_t nb0 = attn_pair_loader_num_batches(a);
        const int64_t ks[] = {0, 1, nb0 - 1, nb0, nb0 + 1, 3 * nb0 + 2};
        int64_t done = 0;
        for (int i = 0; i < 6; i++) {
            for (; done < ks[i]; done++) {
                attn_pair_batch bt;
                CHECK_OK(attn_pair_loader_next(a, &bt));
            }
            CHECK_OK(attn_pair_loader_seek_batches(b, done));   /* done >= ks[i]: a has handed out `done` */
            int64_t ea, pa, eb, pb;
            attn_pair_loader_state(a, &ea, &pa);
            attn_pair_loader_state(b, &eb, &pb);
            CHECK(ea == eb && pa == pb);
            attn_pair_loader_seek(a, ea, pa);   /* the same place: a continues as before */
            CHECK(batches_hash(b, 3) == batches_hash(a, 3));
            done += 3;
        }
        CHECK_STATUS(attn_pair_loader_seek_batches(b, -1), ATTN_ERR_INVALID_ARG);
    }
    attn_pair_loader_free(a);
    attn_pair_loader_free(b);
    attn_pairs_close(p);
}

TEST("loader without shuffle: file order by chunk, the same every epoch") {
    enum { N = 200, CHUNK = 50 };
    attn_pairs *p = NULL;
    CHECK_OK(attn_pairs_open(make_shard("eval.pairs", N, 20, PAD), &p));
    if (!p) return;
    attn_pair_loader_params lp = attn_pair_loader_default_params();
    lp.batch_tokens = 100;
    lp.chunk_pairs = CHUNK;
    lp.shuffle = false;
    attn_pair_loader *l = NULL;
    CHECK_OK(attn_pair_loader_new(p, &lp, &l));
    if (!l) return;
    int64_t nb = attn_pair_loader_num_batches(l), last_chunk = 0;
    bool in_order = true;
    for (int64_t k = 0; k < nb; k++) {
        attn_pair_batch bt;
        CHECK_OK(attn_pair_loader_next(l, &bt));
        for (int64_t b = 0; b < bt.B; b++) {
            in_order &= bt.index[b] / CHUNK >= last_chunk && bt.index[b] / CHUNK == bt.index[0] / CHUNK;
            int32_t key = bt.src_len[b] > bt.tgt_len[b] ? bt.src_len[b] : bt.tgt_len[b];
            int32_t prev = b ? (bt.src_len[b - 1] > bt.tgt_len[b - 1] ? bt.src_len[b - 1] : bt.tgt_len[b - 1]) : 0;
            in_order &= key >= prev;   /* sorted by max(src_len, tgt_len) within the chunk */
        }
        last_chunk = bt.index[0] / CHUNK;
    }
    CHECK(in_order);
    CHECK_OK(attn_pair_loader_seek(l, 0, 0));
    uint64_t e0 = batches_hash(l, (int)nb), e1 = batches_hash(l, (int)nb);
    CHECK(e0 == e1);
    attn_pair_loader_free(l);
    attn_pairs_close(p);
}

TEST("loader errors: a pair over the budget, no pad id, bad sizes") {
    attn_pairs *p = NULL, *nopad = NULL;
    CHECK_OK(attn_pairs_open(make_shard("err.pairs", 20, 30, PAD), &p));
    CHECK_OK(attn_pairs_open(make_shard("nopad.pairs", 20, 5, -1), &nopad));
    if (!p || !nopad) return;
    attn_pair_loader_params lp = attn_pair_loader_default_params();
    attn_pair_loader *l = NULL;
    lp.batch_tokens = 10;
    CHECK_STATUS(attn_pair_loader_new(p, &lp, &l), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "budget") != NULL && l == NULL);
    lp.batch_tokens = 0;
    CHECK_STATUS(attn_pair_loader_new(p, &lp, &l), ATTN_ERR_INVALID_ARG);
    lp.batch_tokens = 100;
    lp.chunk_pairs = 0;
    CHECK_STATUS(attn_pair_loader_new(p, &lp, &l), ATTN_ERR_INVALID_ARG);
    lp.chunk_pairs = 10;
    CHECK_STATUS(attn_pair_loader_new(nopad, &lp, &l), ATTN_ERR_INVALID_ARG);
    lp.pad_id = 0;
    CHECK_OK(attn_pair_loader_new(nopad, &lp, &l));
    attn_pair_loader_free(l);
    attn_pairs_close(p);
    attn_pairs_close(nopad);
}

static long fail_at = -1, n_allocs;
static void *failing_realloc(void *ud, void *ptr, size_t n) {
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    if (n_allocs++ == fail_at) return NULL;
    return realloc(ptr, n);
}

TEST("every failed allocation in open and loader creation is an error, not a crash or a leak") {
    const char *path = make_shard("oom.pairs", 50, 10, PAD);
    bool done = false;
    for (long k = 0; k < 200 && !done; k++) {
        n_allocs = 0;
        fail_at = k;
        attn_set_allocator(failing_realloc, NULL);
        attn_pairs *p = NULL;
        attn_pair_loader *l = NULL;
        attn_pair_loader_params lp = attn_pair_loader_default_params();
        attn_status st = attn_pairs_open(path, &p);
        if (st == ATTN_OK) st = attn_pair_loader_new(p, &lp, &l);
        attn_set_allocator(NULL, NULL);
        CHECK(st == ATTN_OK || st == ATTN_ERR_OUT_OF_MEMORY);
        done = st == ATTN_OK;
        attn_pair_loader_free(l);
        attn_pairs_close(p);
    }
    CHECK(done);
}

/* ---- prepare --pairs ------------------------------------------------------------ */

/* A small seq2seq BPE vocabulary (<s> <pad> </s> <unk> = 0..3), saved in DIR. */
static const char *make_tokenizer(void) {
    static char dir[256];
    snprintf(dir, sizeof dir, "%s", test_tmp_path("tok"));
    const char *text = test_tmp_path("tok.txt");
    const char *corpus = "el perro come pan\nthe dog eats bread\nla casa es grande\nthe house is big\n";
    write_bytes(text, corpus, strlen(corpus));
    static const char *const special[] = {"<s>", "<pad>", "</s>", "<unk>"};
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_train_bpe_special(&text, 1, 300, 1, special, 4, &tok));
    if (tok) CHECK_OK(attn_tokenizer_save(tok, dir));
    attn_tokenizer_free(tok);
    return dir;
}

static int32_t *encode(const char *tokdir, const char *s, int64_t *n) {
    attn_tokenizer *tok = NULL;
    int32_t *ids = NULL;
    *n = 0;
    if (attn_tokenizer_load(tokdir, &tok) == ATTN_OK) CHECK_OK(attn_tokenizer_encode(tok, s, strlen(s), &ids, n));
    attn_tokenizer_free(tok);
    return ids;
}

TEST("prepare --pairs: BART and EOS wrapping of each side, stats, max_len skips") {
    const char *tokdir = make_tokenizer();
    const char *train = test_tmp_path("train.tsv"), *val = test_tmp_path("val.tsv");
    const char *lines = "el perro come\tthe dog eats\r\nla casa\tthe house is big\nes grande es grande es grande es grande\tbig\n";
    write_bytes(train, lines, strlen(lines));
    write_bytes(val, "el pan\tbread", 12);   /* no final newline */
    for (int wrap = 0; wrap < 2; wrap++) {
        attn_prepare_pairs_params pp = attn_prepare_pairs_default_params();
        pp.tokenizer = tokdir;
        pp.train = train;
        pp.val = val;
        pp.out_dir = test_tmp_path(wrap ? "out_eos/sub" : "out_bart");
        pp.wrap = wrap ? ATTN_WRAP_EOS : ATTN_WRAP_BART;
        attn_prepare_pairs_result res;
        CHECK_OK(attn_prepare_pairs(&pp, &res));
        CHECK(res.train.n_lines == 3 && res.train.n_pairs == 3 && res.train.n_skipped == 0);
        CHECK(res.val.n_pairs == 1 && res.test.n_pairs == 0 && res.vocab_size > 4);
        char path[512];
        snprintf(path, sizeof path, "%s/train.pairs", pp.out_dir);
        attn_pairs *p = NULL;
        CHECK_OK(attn_pairs_open(path, &p));
        if (!p) continue;
        attn_pairs_info info = attn_pairs_get_info(p);
        CHECK(info.pad_id == 1 && info.decoder_start_id == 2 && info.src_eos == 2 && info.tgt_eos == 2);
        CHECK(info.src_bos == (wrap ? -1 : 0) && info.tgt_bos == (wrap ? -1 : 0));
        int64_t ns = 0, nt = 0;
        int32_t *es = encode(tokdir, "la casa", &ns), *en = encode(tokdir, "the house is big", &nt);
        int w = wrap ? 1 : 2;
        CHECK(attn_pairs_src_len(p, 1) == ns + w && attn_pairs_tgt_len(p, 1) == nt + w);
        int32_t s[64], t[64];
        CHECK_OK(attn_pairs_read(p, 1, s, t));
        if (es && en && ns + w <= 64 && nt + w <= 64) {
            CHECK(s[ns + w - 1] == 2 && t[nt + w - 1] == 2);
            CHECK(wrap || (s[0] == 0 && t[0] == 0));
            CHECK(!memcmp(s + (w - 1), es, (size_t)ns * sizeof *s) && !memcmp(t + (w - 1), en, (size_t)nt * sizeof *t));
        }
        CHECK(res.train.n_src_tokens == info.n_src_tokens && res.train.max_tgt_len == info.max_tgt_len);
        attn_free(es);
        attn_free(en);
        attn_pairs_close(p);
        /* max_len: the long third source is skipped and counted */
        pp.max_len = 8;
        pp.out_dir = test_tmp_path("out_max");
        CHECK_OK(attn_prepare_pairs(&pp, &res));
        CHECK(res.train.n_pairs == 2 && res.train.n_skipped == 1 && res.train.max_src_len <= 8);
    }
}

TEST("prepare --pairs: bad lines are errors naming file and line; nothing written") {
    const char *tokdir = make_tokenizer();
    struct { const char *text; const char *want; } cases[] = {
        {"a\tb\nno tab here\n", ":2: no tab"},
        {"a\tb\tc\n", ":1: more than one tab"},
        {"a\tb\n\t target\n", ":2: empty source"},
        {"a\tb\nc\t  \n", ":2: empty target"},
        {"a\tb\n\nc\td\n", ":2: empty line"},
        {"a\tb\nc\t\xc3\x28\n", "bad.tsv: line 2: invalid UTF-8 at byte offset 6 (0xc3)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *path = test_tmp_path("bad.tsv");
        write_bytes(path, cases[k].text, strlen(cases[k].text));
        attn_prepare_pairs_params pp = attn_prepare_pairs_default_params();
        pp.tokenizer = tokdir;
        pp.train = path;
        pp.out_dir = test_tmp_path("never");
        CHECK_STATUS(attn_prepare_pairs(&pp, NULL), ATTN_ERR_FORMAT);
        if (!strstr(attn_last_error(), cases[k].want) || !strstr(attn_last_error(), "bad.tsv"))
            fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", k, attn_last_error(), cases[k].want);
        CHECK(strstr(attn_last_error(), cases[k].want) != NULL);
    }
    struct stat sb;
    CHECK(stat(test_tmp_path("never"), &sb) != 0);
    attn_prepare_pairs_params pp = attn_prepare_pairs_default_params();
    pp.tokenizer = tokdir;
    pp.train = test_tmp_path("nope.tsv");
    pp.out_dir = test_tmp_path("never");
    CHECK_STATUS(attn_prepare_pairs(&pp, NULL), ATTN_ERR_IO);
    write_bytes(test_tmp_path("empty.tsv"), "", 0);
    pp.train = test_tmp_path("empty.tsv");
    CHECK_STATUS(attn_prepare_pairs(&pp, NULL), ATTN_ERR_INVALID_ARG);
    /* every pair over max_len */
    write_bytes(test_tmp_path("ok.tsv"), "el perro\tthe dog\n", 17);
    pp.train = test_tmp_path("ok.tsv");
    pp.max_len = 2;
    CHECK_STATUS(attn_prepare_pairs(&pp, NULL), ATTN_ERR_INVALID_ARG);
    /* a tokenizer without </s> */
    const char *text = test_tmp_path("plain.txt");
    write_bytes(text, "some text\n", 10);
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_train_bpe(&text, 1, 260, 1, &tok));
    if (tok) CHECK_OK(attn_tokenizer_save(tok, test_tmp_path("plain_tok")));
    attn_tokenizer_free(tok);
    pp.tokenizer = test_tmp_path("plain_tok");
    pp.max_len = 0;
    CHECK_STATUS(attn_prepare_pairs(&pp, NULL), ATTN_ERR_UNSUPPORTED);
}
