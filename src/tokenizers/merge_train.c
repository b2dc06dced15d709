/* merge_train.c — the merge loop of tokenizers' BpeTrainer (see
 * merge_train.h), step for step:
 *
 *   Merges. Repeatedly take the pair of adjacent tokens with the highest
 *   count over all words (count of a word = its occurrences). TIES: the
 *   pair with the smallest (left id, right id), compared as a tuple —
 *   tokenizers' `Merge` orders by count, then by the pair reversed, in a
 *   max-heap (trainer.rs `impl Ord for Merge`). A merge replaces the pair
 *   left to right, without overlap, in every word ("aaa" with a+a ->
 *   [aa, a]). A merge whose string is already a token (a+bc after ab+c)
 *   reuses that token's id and adds no vocabulary entry.
 *
 *   The queue is tokenizers' own: each heap entry carries the words it was
 *   made for (the words whose count of the pair rose in one step), a popped
 *   entry whose count is stale goes back with the live count and its own
 *   words, and a merge touches only the popped entry's words. So in the
 *   rare case of a merge that recreates an existing token, which leaves a
 *   pair with two entries, the pair is merged in the same two halves (and
 *   listed twice among the merges) as tokenizers does.
 *
 * Speed: pair counts are updated incrementally from the changes of each
 * merged word (tokenizers' Word::merge), O(changes · log pairs) per merge. */
#include "tokenizers/merge_train.h"

void merge_trainer_free(merge_trainer *t) {
    attn_free(t->word_count);
    attn_free(t->syms);
    attn_free(t->sym_off);
    attn_free(t->sym_len);
    for (int32_t i = 0; i < t->n_pairs; i++) attn_free(t->pairs[i].rose);
    attn_free(t->pairs);
    attn_free(t->pair_slots);
    attn_free(t->touched);
    for (size_t i = 0; i < t->n_heap; i++) attn_free(t->heap[i].pos);
    attn_free(t->heap);
    str_pool_free(&t->tokens);
    attn_free(t->token_index.slots);
    attn_free(t->merges);
    memset(t, 0, sizeof *t);
}

attn_status merge_trainer_add_token(merge_trainer *t, const char *s, size_t n, int32_t *id) {
    bool added;
    return str_index_intern(&t->token_index, &t->tokens, s, n, id, &added);
}

static inline uint64_t pair_key(int32_t a, int32_t b) { return ((uint64_t)(uint32_t)a << 32) | (uint32_t)b; }

static attn_status pair_slots_grow(merge_trainer *t) {
    size_t cap = t->pair_cap ? t->pair_cap * 2 : 1 << 16;
    int32_t *slots = attn_calloc(cap, sizeof *slots);
    if (!slots) return ATTN_ERR_OUT_OF_MEMORY;
    for (int32_t p = 0; p < t->n_pairs; p++) {
        size_t j = (size_t)str_mix64(t->pairs[p].key) & (cap - 1);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = p + 1;
    }
    attn_free(t->pair_slots);
    t->pair_slots = slots;
    t->pair_cap = cap;
    return ATTN_OK;
}

/* The index of pair key, added with count 0 if new. */
static attn_status pair_get(merge_trainer *t, uint64_t key, int32_t *out) {
    attn_status st;
    if ((size_t)(t->n_pairs + 1) * 2 > t->pair_cap && (st = pair_slots_grow(t)) != ATTN_OK) return st;
    size_t mask = t->pair_cap - 1, i = (size_t)str_mix64(key) & mask;
    for (;; i = (i + 1) & mask) {
        int32_t v = t->pair_slots[i];
        if (!v) break;
        if (t->pairs[v - 1].key == key) {
            *out = v - 1;
            return ATTN_OK;
        }
    }
    if (t->n_pairs == t->cap_pairs) {
        if (t->n_pairs >= INT32_MAX / 2) return attn_errorf(ATTN_ERR_INVALID_ARG, "too many distinct pairs");
        int32_t c = t->cap_pairs ? t->cap_pairs * 2 : 1 << 15;
        merge_pair *p = attn_realloc(t->pairs, (size_t)c * sizeof *p);
        if (!p) return ATTN_ERR_OUT_OF_MEMORY;
        t->pairs = p;
        t->cap_pairs = c;
    }
    merge_pair *p = &t->pairs[t->n_pairs];
    memset(p, 0, sizeof *p);
    p->key = key;
    p->stamp = -2;
    t->pair_slots[i] = t->n_pairs + 1;
    *out = t->n_pairs++;
    return ATTN_OK;
}

/* tokenizers' BinaryHeap order: higher count first, then the smaller pair. */
static inline bool heap_above(const merge_item *x, const merge_item *y) {
    return x->count != y->count ? x->count > y->count : x->key < y->key;
}

static attn_status heap_push(merge_trainer *t, merge_item it) {
    if (t->n_heap == t->cap_heap) {
        size_t c = t->cap_heap ? t->cap_heap * 2 : 1 << 16;
        merge_item *h = attn_realloc(t->heap, c * sizeof *h);
        if (!h) return ATTN_ERR_OUT_OF_MEMORY;
        t->heap = h;
        t->cap_heap = c;
    }
    size_t i = t->n_heap++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_above(&it, &t->heap[parent])) break;
        t->heap[i] = t->heap[parent];
        i = parent;
    }
    t->heap[i] = it;
    return ATTN_OK;
}

static merge_item heap_pop(merge_trainer *t) {
    merge_item top = t->heap[0], last = t->heap[--t->n_heap];
    size_t i = 0, n = t->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && heap_above(&t->heap[c + 1], &t->heap[c])) c++;
        if (!heap_above(&t->heap[c], &last)) break;
        t->heap[i] = t->heap[c];
        i = c;
    }
    if (n) t->heap[i] = last;
    return top;
}

/* Appends x to the list (*v, *n), whose room *cap doubles from first_cap. */
static attn_status push_i32(int32_t **v, int32_t *n, int32_t *cap, int32_t first_cap, int32_t x) {
    if (*n == *cap) {
        int32_t c = *cap ? *cap * 2 : first_cap;
        int32_t *nv = attn_realloc(*v, (size_t)c * sizeof *nv);
        if (!nv) return ATTN_ERR_OUT_OF_MEMORY;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return ATTN_OK;
}

/* Applies one change tokenizers' Word::merge reports: delta occurrences of
 * (a, b) in word w, weighted by its count; a rise records w for the step. */
static attn_status pair_change(merge_trainer *t, int32_t a, int32_t b, int32_t w, int delta, int32_t step) {
    int32_t pi = -1;
    attn_status st = pair_get(t, pair_key(a, b), &pi);
    if (st != ATTN_OK) return st;
    merge_pair *p = &t->pairs[pi];
    p->count += delta * t->word_count[w];
    if (delta < 0) return ATTN_OK;
    if (p->stamp != step) {
        p->stamp = step;
        p->n_rose = 0;
        if ((st = push_i32(&t->touched, &t->n_touched, &t->cap_touched, 1024, pi)) != ATTN_OK) return st;
    }
    /* a word's changes come together, so a set needs only the last entry checked */
    if (p->n_rose && p->rose[p->n_rose - 1] == w) return ATTN_OK;
    return push_i32(&p->rose, &p->n_rose, &p->cap_rose, 4, w);
}

attn_status merge_trainer_count_pair(merge_trainer *t, int32_t a, int32_t b, int32_t w) {
    return pair_change(t, a, b, w, +1, -1);
}

/* Queues, for every pair that rose in this step and still counts, an entry
 * with the words it rose in (tokenizers' where_to_update.drain()). */
static attn_status queue_touched(merge_trainer *t) {
    attn_status st;
    for (int32_t k = 0; k < t->n_touched; k++) {
        merge_pair *p = &t->pairs[t->touched[k]];
        if (p->count <= 0 || !p->n_rose) continue;
        merge_item it = {p->count, p->key, p->rose, p->n_rose};
        if ((st = heap_push(t, it)) != ATTN_OK) return st;
        p->rose = NULL;
        p->n_rose = p->cap_rose = 0;
    }
    t->n_touched = 0;
    return ATTN_OK;
}

/* Replaces (a, b) by r left to right in word w (tokenizers' Word::merge). */
static attn_status merge_word(merge_trainer *t, int32_t w, int32_t a, int32_t b, int32_t r, int32_t step) {
    attn_status st;
    int32_t *s = t->syms + t->sym_off[w];
    int32_t n = t->sym_len[w], j = 0;
    for (int32_t i = 0; i < n;) {
        if (i + 1 < n && s[i] == a && s[i + 1] == b) {
            if (j > 0) {
                if ((st = pair_change(t, s[j - 1], a, w, -1, step)) != ATTN_OK ||
                    (st = pair_change(t, s[j - 1], r, w, +1, step)) != ATTN_OK)
                    return st;
            }
            if (i + 2 < n) {
                if ((st = pair_change(t, b, s[i + 2], w, -1, step)) != ATTN_OK ||
                    (st = pair_change(t, r, s[i + 2], w, +1, step)) != ATTN_OK)
                    return st;
            }
            s[j++] = r;
            i += 2;
        } else {
            s[j++] = s[i++];
        }
    }
    t->sym_len[w] = j;
    return ATTN_OK;
}

static attn_status record_merge(merge_trainer *t, int32_t a, int32_t b) {
    if (t->n_merges == t->cap_merges) {
        int64_t c = t->cap_merges ? t->cap_merges * 2 : 1024;
        int32_t(*m)[2] = attn_realloc(t->merges, (size_t)c * sizeof *m);
        if (!m) return ATTN_ERR_OUT_OF_MEMORY;
        t->merges = m;
        t->cap_merges = c;
    }
    t->merges[t->n_merges][0] = a;
    t->merges[t->n_merges][1] = b;
    t->n_merges++;
    return ATTN_OK;
}

attn_status merge_trainer_run(merge_trainer *t, int32_t vocab_size, int64_t min_frequency, const char *prefix) {
    attn_status st = ATTN_OK;
    size_t prefix_len = prefix ? strlen(prefix) : 0;
    char *buf = NULL;
    size_t buf_cap = 0;
    merge_item top = {0};
    if ((st = queue_touched(t)) != ATTN_OK) return st;
    tok_train_report("merging", t->tokens.n, vocab_size);
    for (int32_t step = 0; t->tokens.n < vocab_size && t->n_heap > 0;) {
        top = heap_pop(t);
        int32_t pi = -1;
        if ((st = pair_get(t, top.key, &pi)) != ATTN_OK) goto done;
        const merge_pair *p = &t->pairs[pi];
        if (p->count != top.count) {
            top.count = p->count;
            if (top.count > 0) {
                if ((st = heap_push(t, top)) != ATTN_OK) goto done;
            } else {
                attn_free(top.pos);
            }
            top.pos = NULL;
            continue;
        }
        if (top.count < 1 || top.count < min_frequency) break;
        int32_t a = (int32_t)(top.key >> 32), b = (int32_t)(uint32_t)top.key;
        const char *sa = t->tokens.bytes + t->tokens.off[a], *sb = t->tokens.bytes + t->tokens.off[b];
        size_t la = t->tokens.len[a], lb = t->tokens.len[b];
        if (prefix_len && lb >= prefix_len && !memcmp(sb, prefix, prefix_len)) {
            sb += prefix_len;
            lb -= prefix_len;
        }
        if (la + lb > buf_cap) {
            size_t c = ATTN_MAX(la + lb, 2 * buf_cap);
            char *nb = attn_realloc(buf, c);
            if (!nb) {
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto done;
            }
            buf = nb;
            buf_cap = c;
        }
        memcpy(buf, sa, la);
        memcpy(buf + la, sb, lb);
        int32_t r;
        if ((st = merge_trainer_add_token(t, buf, la + lb, &r)) != ATTN_OK) goto done;
        if ((st = record_merge(t, a, b)) != ATTN_OK) goto done;
        for (int32_t k = 0; k < top.n_pos; k++)
            if ((st = merge_word(t, top.pos[k], a, b, r, step)) != ATTN_OK) goto done;
        attn_free(top.pos);
        top.pos = NULL;
        if ((st = queue_touched(t)) != ATTN_OK) goto done;
        step++;
        tok_train_report("merging", t->tokens.n, vocab_size);
    }
done:
    attn_free(top.pos);
    attn_free(buf);
    return st;
}
