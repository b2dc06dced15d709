/* pairs.c — the pair-batch loader: token-budget batches of translation pairs
 * with length bucketing (contract atop include/attn/data.h).
 *
 * An epoch's plan is computed in one pass when the epoch starts: the order of
 * the pairs (a seeded Fisher-Yates permutation, or file order), sorted by
 * length inside each chunk, cut greedily into batches, and the order of the
 * batches (permuted with the same generator). Everything is a function of
 * (seed, epoch), so (epoch, position) is the whole state. Buffers are sized
 * at creation for the worst batch the budget allows; filling a batch
 * allocates nothing. */
#include "attn/data.h"
#include "core/core.h"

#include <stdlib.h>

#define PAIRS_RNG_STREAM 0x7061697273ull   /* "pairs" */

attn_pair_loader_params attn_pair_loader_default_params(void) {
    attn_pair_loader_params p;
    memset(&p, 0, sizeof p);
    p.batch_tokens = 4096;
    p.chunk_pairs = 4096;
    p.shuffle = true;
    p.pad_id = -1;
    p.label_pad = -1;
    return p;
}

typedef struct sort_item {
    int32_t key, src_len, tgt_len;
    int64_t index;
} sort_item;

struct attn_pair_loader {
    const attn_pairs *pairs;
    attn_pair_loader_params p;
    int32_t pad_id, decoder_start;
    int64_t n;                      /* pairs */
    int64_t *order;                 /* n: the epoch's pairs, batch after batch */
    int64_t *batch_start, *batch_len, *batch_order;   /* per batch; n at most */
    sort_item *items;               /* chunk_pairs */
    int64_t n_batches, epoch, position;
    int64_t max_b;
    int32_t *src, *tgt_in, *tgt_out;   /* batch_tokens each */
    int32_t *src_len, *tgt_len;        /* max_b each */
    int64_t *index;
};

static int item_cmp(const void *a, const void *b) {
    const sort_item *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->src_len != y->src_len) return x->src_len < y->src_len ? -1 : 1;
    if (x->tgt_len != y->tgt_len) return x->tgt_len < y->tgt_len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void shuffle_i64(int64_t *a, int64_t n, rng_state *r) {
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(rng_next_u64(r) % (uint64_t)(i + 1));
        int64_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* The plan of epoch e (see the file comment). */
static void plan_epoch(attn_pair_loader *l, int64_t e) {
    rng_state r = {rng_hash(l->p.seed, PAIRS_RNG_STREAM, (uint64_t)e)};
    for (int64_t i = 0; i < l->n; i++) l->order[i] = i;
    if (l->p.shuffle) shuffle_i64(l->order, l->n, &r);
    int64_t nb = 0;
    for (int64_t c = 0; c < l->n; c += l->p.chunk_pairs) {
        int64_t m = ATTN_MIN(l->p.chunk_pairs, l->n - c);
        for (int64_t k = 0; k < m; k++) {
            int64_t i = l->order[c + k];
            sort_item *it = &l->items[k];
            it->index = i;
            it->src_len = attn_pairs_src_len(l->pairs, i);
            it->tgt_len = attn_pairs_tgt_len(l->pairs, i);
            it->key = ATTN_MAX(it->src_len, it->tgt_len);
        }
        qsort(l->items, (size_t)m, sizeof *l->items, item_cmp);
        int64_t count = 0;
        int32_t max_len = 0;
        for (int64_t k = 0; k < m; k++) {
            const sort_item *it = &l->items[k];
            l->order[c + k] = it->index;
            int32_t ml = ATTN_MAX(max_len, it->key);
            bool fits = (count + 1) * (int64_t)ml <= l->p.batch_tokens &&
                        (l->p.max_batch_pairs <= 0 || count < l->p.max_batch_pairs);
            if (count > 0 && !fits) {
                l->batch_len[nb++] = count;
                count = 0;
                ml = it->key;
            }
            if (count == 0) l->batch_start[nb] = c + k;
            count++;
            max_len = ml;
        }
        if (count > 0) l->batch_len[nb++] = count;
    }
    for (int64_t b = 0; b < nb; b++) l->batch_order[b] = b;
    if (l->p.shuffle) shuffle_i64(l->batch_order, nb, &r);
    l->n_batches = nb;
    l->epoch = e;
}

void attn_pair_loader_free(attn_pair_loader *l) {
    if (!l) return;
    attn_free(l->order);
    attn_free(l->batch_start);
    attn_free(l->batch_len);
    attn_free(l->batch_order);
    attn_free(l->items);
    attn_free(l->src);
    attn_free(l->tgt_in);
    attn_free(l->tgt_out);
    attn_free(l->src_len);
    attn_free(l->tgt_len);
    attn_free(l->index);
    attn_free(l);
}

attn_status attn_pair_loader_new(const attn_pairs *pairs, const attn_pair_loader_params *params,
                                 attn_pair_loader **out) {
    if (!pairs || !params || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pair_loader_new: NULL argument");
    *out = NULL;
    attn_pairs_info info = attn_pairs_get_info(pairs);
    const attn_pair_loader_params *p = params;
    if (p->batch_tokens < 1 || p->chunk_pairs < 1 || p->max_batch_pairs < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pair loader: batch_tokens (%lld) and chunk_pairs (%lld) must be >= 1",
                           (long long)p->batch_tokens, (long long)p->chunk_pairs);
    if (info.n_pairs < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "pair loader: the shard holds no pairs");
    int32_t pad = p->pad_id >= 0 ? p->pad_id : info.pad_id;
    if (pad < 0 || pad >= info.vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pair loader: no pad id (the shard has none; give one in 0..%d)",
                           (int)info.vocab_size - 1);
    for (int64_t i = 0; i < info.n_pairs; i++) {
        int32_t m = ATTN_MAX(attn_pairs_src_len(pairs, i), attn_pairs_tgt_len(pairs, i));
        if (m > p->batch_tokens)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "pair loader: pair %lld has %d tokens, more than the batch budget of %lld",
                               (long long)i, (int)m, (long long)p->batch_tokens);
    }
    attn_pair_loader *l = attn_calloc(1, sizeof *l);
    if (!l) return ATTN_ERR_OUT_OF_MEMORY;
    l->pairs = pairs;
    l->p = *p;
    l->pad_id = pad;
    l->decoder_start = info.decoder_start_id;
    l->n = info.n_pairs;
    int64_t chunk = ATTN_MIN(p->chunk_pairs, l->n);
    l->max_b = ATTN_MIN(l->n, p->batch_tokens);
    if (p->max_batch_pairs > 0) l->max_b = ATTN_MIN(l->max_b, p->max_batch_pairs);
    size_t n = (size_t)l->n, nb = (size_t)l->max_b, bt = (size_t)p->batch_tokens;
    if (!(l->order = attn_malloc(n * sizeof *l->order)) || !(l->batch_start = attn_malloc(n * sizeof *l->batch_start)) ||
        !(l->batch_len = attn_malloc(n * sizeof *l->batch_len)) ||
        !(l->batch_order = attn_malloc(n * sizeof *l->batch_order)) ||
        !(l->items = attn_malloc((size_t)chunk * sizeof *l->items)) || !(l->src = attn_malloc(bt * sizeof *l->src)) ||
        !(l->tgt_in = attn_malloc(bt * sizeof *l->tgt_in)) || !(l->tgt_out = attn_malloc(bt * sizeof *l->tgt_out)) ||
        !(l->src_len = attn_malloc(nb * sizeof *l->src_len)) || !(l->tgt_len = attn_malloc(nb * sizeof *l->tgt_len)) ||
        !(l->index = attn_malloc(nb * sizeof *l->index))) {
        attn_pair_loader_free(l);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    plan_epoch(l, 0);
    *out = l;
    return ATTN_OK;
}

attn_status attn_pair_loader_next(attn_pair_loader *l, attn_pair_batch *batch) {
    if (!l || !batch) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pair_loader_next: NULL argument");
    if (l->position >= l->n_batches) {
        plan_epoch(l, l->epoch + 1);
        l->position = 0;
    }
    int64_t b = l->batch_order[l->position];
    int64_t start = l->batch_start[b], B = l->batch_len[b];
    int64_t S = 0, T = 0, ns = 0, nt = 0;
    for (int64_t k = 0; k < B; k++) {
        int64_t i = l->order[start + k];
        l->index[k] = i;
        l->src_len[k] = attn_pairs_src_len(l->pairs, i);
        l->tgt_len[k] = attn_pairs_tgt_len(l->pairs, i);
        S = ATTN_MAX(S, (int64_t)l->src_len[k]);
        T = ATTN_MAX(T, (int64_t)l->tgt_len[k]);
        ns += l->src_len[k];
        nt += l->tgt_len[k];
    }
    for (int64_t k = 0; k < B; k++) {
        int32_t *src = l->src + k * S, *in = l->tgt_in + k * T, *lab = l->tgt_out + k * T;
        attn_status st = attn_pairs_read(l->pairs, l->index[k], src, lab);
        if (st != ATTN_OK) return st;
        for (int64_t s = l->src_len[k]; s < S; s++) src[s] = l->pad_id;
        in[0] = l->decoder_start;
        for (int64_t t = 1; t < l->tgt_len[k]; t++) in[t] = lab[t - 1];
        for (int64_t t = l->tgt_len[k]; t < T; t++) {
            in[t] = l->pad_id;
            lab[t] = l->p.label_pad;
        }
    }
    l->position++;
    *batch = (attn_pair_batch){
        .B = B, .S = S, .T = T, .src = l->src, .tgt_in = l->tgt_in, .tgt_out = l->tgt_out,
        .src_len = l->src_len, .tgt_len = l->tgt_len, .index = l->index, .n_src_tokens = ns, .n_tgt_tokens = nt,
    };
    return ATTN_OK;
}

void attn_pair_loader_state(const attn_pair_loader *l, int64_t *epoch, int64_t *position) {
    if (epoch) *epoch = l ? l->epoch : 0;
    if (position) *position = l ? l->position : 0;
}

attn_status attn_pair_loader_seek(attn_pair_loader *l, int64_t epoch, int64_t position) {
    if (!l) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pair_loader_seek: NULL loader");
    if (epoch < 0 || position < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pair loader: cannot seek to epoch %lld, batch %lld", (long long)epoch,
                           (long long)position);
    if (epoch != l->epoch) plan_epoch(l, epoch);
    if (position > l->n_batches) {
        l->position = ATTN_MIN(l->position, l->n_batches);
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pair loader: epoch %lld has %lld batches, cannot seek to batch %lld",
                           (long long)epoch, (long long)l->n_batches, (long long)position);
    }
    l->position = position;
    return ATTN_OK;
}

int64_t attn_pair_loader_num_batches(const attn_pair_loader *l) { return l ? l->n_batches : 0; }

attn_status attn_pair_loader_seek_batches(attn_pair_loader *l, int64_t k) {
    if (!l || k < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_pair_loader_seek_batches: bad argument");
    plan_epoch(l, 0);
    int64_t e = 0;
    while (k > l->n_batches) {   /* position == n_batches is the end of the epoch, as after next() */
        k -= l->n_batches;
        plan_epoch(l, ++e);
    }
    l->position = k;
    return ATTN_OK;
}
