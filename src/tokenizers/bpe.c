/* bpe.c — byte-level BPE, as GPT-2 and Hugging Face `tokenizers` do it:
 * the ByteLevel pre-tokenizer (GPT-2's regex, written out by hand), the BPE
 * model (merges applied lowest rank first), the ByteLevel decoder.
 *
 * Matches `tokenizers` (0.23) for pre_tokenizer ByteLevel with use_regex
 * true or false and add_prefix_space true or false, or BLOOM's Sequence of a
 * Split on its regex and a ByteLevel without either (bpe_pretok.c), model BPE without
 * dropout, unk token, subword prefix or suffix (ignore_merges supported),
 * decoder ByteLevel. Reads tokenizer.json and GPT-2's original pair of files
 * (vocab.json or encoder.json, with merges.txt or vocab.bpe); writes
 * tokenizer.json that `tokenizers.Tokenizer.from_file` loads.
 *
 * Tokens are kept as raw bytes: each of the 256 bytes starts as the id of
 * its one-character byte-level token ("Ġ" for ' '), and a merge is a pair of
 * ids -> (rank, id). The byte-level strings are kept only for saving.
 *
 * Pre-tokenization (bpe_pretok.c) is GPT-2's regex
 *     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * as a hand-written scanner: \p{L} is general category L*, \p{N} is N* (from
 * utf8proc), \s is the White_Space property as Oniguruma (which `tokenizers`
 * uses) has it: U+0009-000D, 0020, 0085, 00A0, 1680, 2000-200A, 2028, 2029,
 * 202F, 205F, 3000. Everything else — punctuation, symbols, marks,
 * controls, unassigned code points — is "other".
 *
 * Invalid UTF-8 (which Hugging Face never sees: it works on Rust strings) is
 * defined here byte by byte: each byte that does not start a valid sequence
 * is one code unit of class "other", as if it were U+FFFD (which is "other"
 * too), so it joins runs of punctuation (" \xff!" is one piece). Every byte
 * string therefore encodes, and decodes back to itself exactly.
 *
 * Speed: pieces up to BPE_CACHE_MAX_KEY bytes are looked up in a bounded
 * word cache (cleared when full); encoding allocates nothing per token once
 * the cache holds a text's words. There are BPE_N_CACHES caches, each
 * serving one thread at a time (try-locked; allocated on first use): a thread
 * takes the first free one, or works without a cache when all are busy. */
#include "tokenizers/tokenizer_impl.h"

#include <stdatomic.h>


#define BYTE_MAP_CP_END 0x144   /* every code point of the byte map is below this (bpe_pretok.c) */

/* ---- the tokenizer ------------------------------------------------------------ */

typedef struct merge_slot {
    uint64_t key;     /* (left id << 32) | right id; EMPTY_KEY if free */
    int32_t rank;
    int32_t id;       /* the merged token */
} merge_slot;
#define EMPTY_KEY UINT64_MAX

/* Word cache: open addressing over slots; keys and ids live in two pools. */
#define BPE_CACHE_MAX_KEY 64
#define BPE_CACHE_SLOTS (1u << 16)
#define BPE_CACHE_MAX_ENTRIES (1u << 15)
#define BPE_CACHE_KEY_BYTES (1u << 20)
#define BPE_CACHE_IDS (1u << 18)

typedef struct cache_slot {
    uint64_t hash;
    uint32_t key_off, ids_off;
    uint16_t key_len, n_ids;   /* key_len 0: free */
} cache_slot;

typedef struct bpe_sym {
    int32_t id, prev, next;
    bool alive;
} bpe_sym;

typedef struct bpe_heap_item {
    int32_t rank, pos, id;
} bpe_heap_item;

/* Scratch for one word. */
typedef struct bpe_work {
    bpe_sym *sym;
    bpe_heap_item *heap;
    char *str;        /* a word as a byte-level string (ignore_merges) */
    size_t cap;       /* symbols sym and str hold; heap holds 3 * cap */
} bpe_work;

typedef struct bpe_cache {
    atomic_flag busy;
    cache_slot *slots;   /* NULL until first use */
    uint32_t n_entries;
    unsigned char *keys;
    uint32_t keys_used;
    int32_t *ids;
    uint32_t ids_used;
    bpe_work work;
    unsigned char pad[64];   /* keeps two caches' counters off one cache line */
} bpe_cache;
#define BPE_N_CACHES 16

typedef struct bpe_tokenizer {
    attn_tokenizer base;
    char *strs;              /* byte-level string of each vocab id, NUL-terminated, concatenated */
    size_t *str_off;         /* [V] offset in strs; SIZE_MAX for ids only an added token has */
    size_t *str_len;         /* [V] length of each id's string in strs (0 when str_off is SIZE_MAX) */
    char *bytes;             /* raw bytes of each id (added tokens: their content) */
    size_t *byte_off;        /* [V+1] */
    int32_t *index;          /* [index_cap] vocab ids by hash of their string, -1 free */
    size_t index_cap;
    int32_t byte_id[256];    /* id of each byte's one-character token */
    merge_slot *merges;      /* [merge_cap] */
    size_t merge_cap;
    int32_t (*merge_list)[2];   /* merges in rank order, for saving */
    int64_t n_merges;
    bool add_prefix_space, use_regex, ignore_merges;
    bool bloom_split;        /* BLOOM's Split (bpe_pretok_bloom_next) before ByteLevel */
    bool digits;             /* Digits(individual_digits) splits before the regex */
    bool missing_bytes;      /* some byte_id are -1: those bytes are dropped (counted as unknown) */
    bpe_cache *cache;        /* [BPE_N_CACHES] */
} bpe_tokenizer;

static const tokenizer_vtable BPE_VTABLE;

static uint64_t hash_bytes(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t hash_u64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static const merge_slot *merge_find(const bpe_tokenizer *bt, int32_t a, int32_t b) {
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    size_t mask = bt->merge_cap - 1;
    for (size_t i = hash_u64(key) & mask;; i = (i + 1) & mask) {
        const merge_slot *m = &bt->merges[i];
        if (m->key == key) return m;
        if (m->key == EMPTY_KEY) return NULL;
    }
}

static int32_t vocab_find(const bpe_tokenizer *bt, const char *s, size_t n) {
    size_t mask = bt->index_cap - 1;
    for (size_t i = hash_bytes(s, n) & mask;; i = (i + 1) & mask) {
        int32_t id = bt->index[i];
        if (id < 0) return -1;
        /* lengths first: the probe may be far longer than any token */
        if (bt->str_len[id] == n && !memcmp(bt->strs + bt->str_off[id], s, n)) return id;
    }
}

static void bpe_free(attn_tokenizer *tok) {
    bpe_tokenizer *bt = (bpe_tokenizer *)tok;
    for (int k = 0; bt->cache && k < BPE_N_CACHES; k++) {
        attn_free(bt->cache[k].slots);
        attn_free(bt->cache[k].keys);
        attn_free(bt->cache[k].ids);
        attn_free(bt->cache[k].work.sym);
        attn_free(bt->cache[k].work.heap);
        attn_free(bt->cache[k].work.str);
    }
    attn_free(bt->cache);
    attn_free(bt->strs);
    attn_free(bt->str_off);
    attn_free(bt->str_len);
    attn_free(bt->bytes);
    attn_free(bt->byte_off);
    attn_free(bt->index);
    attn_free(bt->merges);
    attn_free(bt->merge_list);
    attn_free(bt);
}

/* ---- BPE on one word ---------------------------------------------------------- */

static attn_status work_reserve(bpe_work *w, size_t n) {
    if (n <= w->cap) return ATTN_OK;
    size_t cap = w->cap ? w->cap : 64;
    while (cap < n) cap *= 2;
    size_t b1, b2, b3;
    if (!size_mul(cap, sizeof *w->sym, &b1) || !size_mul(cap, 3 * sizeof *w->heap, &b2) || !size_mul(cap, 2, &b3))
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "pre-token of %zu bytes is too long", n);
    bpe_sym *sym = attn_realloc(w->sym, b1);
    if (sym) w->sym = sym;
    bpe_heap_item *heap = attn_realloc(w->heap, b2);
    if (heap) w->heap = heap;
    char *str = attn_realloc(w->str, b3 + 1);
    if (str) w->str = str;
    if (!sym || !heap || !str) return ATTN_ERR_OUT_OF_MEMORY;
    w->cap = cap;
    return ATTN_OK;
}

static inline bool heap_less(const bpe_heap_item *a, const bpe_heap_item *b) {
    return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static void heap_push(bpe_heap_item *h, size_t *n, bpe_heap_item it) {
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_less(&it, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = it;
}

static bpe_heap_item heap_pop(bpe_heap_item *h, size_t *n) {
    bpe_heap_item top = h[0], last = h[--*n];
    size_t i = 0, m = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= m) break;
        if (c + 1 < m && heap_less(&h[c + 1], &h[c])) c++;
        if (!heap_less(&h[c], &last)) break;
        h[i] = h[c];
        i = c;
    }
    if (m) h[i] = last;
    return top;
}

static void push_pair(const bpe_tokenizer *bt, bpe_work *w, size_t *nh, int32_t pos) {
    int32_t nx = w->sym[pos].next;
    if (nx < 0) return;
    const merge_slot *m = merge_find(bt, w->sym[pos].id, w->sym[nx].id);
    if (m) heap_push(w->heap, nh, (bpe_heap_item){m->rank, pos, m->id});
}

/* Tokens of one pre-token p[0..n) into dst (at most n ids); returns the
 * count. Follows tokenizers' Word::merge_all: repeatedly merge the pair of
 * lowest rank, leftmost first. w must hold n symbols. */
static int64_t bpe_word(const bpe_tokenizer *bt, bpe_work *w, const unsigned char *p, size_t n, int32_t *dst) {
    if (n == 1) {
        dst[0] = bt->byte_id[p[0]];
        return dst[0] >= 0;
    }
    if (bt->ignore_merges) {
        uint32_t map[256];
        bpe_byte_map(map);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) k += (size_t)utf8_encode(map[p[i]], w->str + k);
        int32_t id = vocab_find(bt, w->str, k);
        if (id >= 0) {
            dst[0] = id;
            return 1;
        }
    }
    bpe_sym *sym = w->sym;
    if (bt->missing_bytes) {
        /* bytes without a token are left out, their neighbours made adjacent
         * (tokenizers' BPE without an unk token skips such characters) */
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (bt->byte_id[p[i]] >= 0) sym[m++].id = bt->byte_id[p[i]];
        if (m == 0) return 0;
        for (size_t i = 0; i < m; i++) sym[i] = (bpe_sym){sym[i].id, (int32_t)i - 1, i + 1 < m ? (int32_t)i + 1 : -1, true};
        n = m;
    } else {
        for (size_t i = 0; i < n; i++)
            sym[i] = (bpe_sym){bt->byte_id[p[i]], (int32_t)i - 1, i + 1 < n ? (int32_t)i + 1 : -1, true};
    }
    size_t nh = 0;
    for (size_t i = 0; i + 1 < n; i++) push_pair(bt, w, &nh, (int32_t)i);
    while (nh) {
        bpe_heap_item top = heap_pop(w->heap, &nh);
        bpe_sym *a = &sym[top.pos];
        if (!a->alive || a->next < 0) continue;
        const merge_slot *m = merge_find(bt, a->id, sym[a->next].id);
        if (!m || m->id != top.id) continue;
        bpe_sym *b = &sym[a->next];
        a->id = top.id;
        b->alive = false;
        a->next = b->next;
        if (a->next >= 0) sym[a->next].prev = top.pos;
        if (a->prev >= 0) push_pair(bt, w, &nh, a->prev);
        push_pair(bt, w, &nh, top.pos);
    }
    int64_t k = 0;
    for (int32_t i = 0; i >= 0; i = sym[i].next) dst[k++] = sym[i].id;
    return k;
}

/* ---- encode ------------------------------------------------------------------ */

static attn_status cache_init(bpe_cache *c) {
    c->slots = attn_calloc(BPE_CACHE_SLOTS, sizeof *c->slots);
    c->keys = attn_malloc(BPE_CACHE_KEY_BYTES);
    c->ids = attn_malloc(BPE_CACHE_IDS * sizeof *c->ids);
    if (!c->slots || !c->keys || !c->ids) {
        attn_free(c->slots);
        attn_free(c->keys);
        attn_free(c->ids);
        c->slots = NULL;
        c->keys = NULL;
        c->ids = NULL;
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    return ATTN_OK;
}

static void cache_clear(bpe_cache *c) {
    memset(c->slots, 0, BPE_CACHE_SLOTS * sizeof *c->slots);
    c->n_entries = c->keys_used = c->ids_used = 0;
}

/* Encodes one piece, through the cache when c is non-NULL. */
static attn_status encode_piece(const bpe_tokenizer *bt, bpe_cache *c, bpe_work *w, const unsigned char *p, size_t n,
                                tok_ids *out) {
    int32_t *dst = out->data + out->n;
    if (!c || n > BPE_CACHE_MAX_KEY) {
        attn_status st = work_reserve(w, n);
        if (st != ATTN_OK) return st;
        out->n += bpe_word(bt, w, p, n, dst);
        return ATTN_OK;
    }
    uint64_t h = hash_bytes(p, n);
    uint32_t mask = BPE_CACHE_SLOTS - 1, i = (uint32_t)h & mask;
    for (;; i = (i + 1) & mask) {
        const cache_slot *s = &c->slots[i];
        if (!s->key_len) break;
        if (s->hash == h && s->key_len == n && !memcmp(c->keys + s->key_off, p, n)) {
            memcpy(dst, c->ids + s->ids_off, s->n_ids * sizeof *dst);
            out->n += s->n_ids;
            return ATTN_OK;
        }
    }
    attn_status st = work_reserve(w, n);
    if (st != ATTN_OK) return st;
    int64_t k = bpe_word(bt, w, p, n, dst);
    out->n += k;
    if (c->n_entries >= BPE_CACHE_MAX_ENTRIES || c->keys_used + n > BPE_CACHE_KEY_BYTES ||
        c->ids_used + (uint32_t)k > BPE_CACHE_IDS) {
        cache_clear(c);
        for (i = (uint32_t)h & mask; c->slots[i].key_len; i = (i + 1) & mask) {}
    }
    cache_slot *s = &c->slots[i];
    *s = (cache_slot){h, c->keys_used, c->ids_used, (uint16_t)n, (uint16_t)k};
    memcpy(c->keys + c->keys_used, p, n);
    memcpy(c->ids + c->ids_used, dst, (size_t)k * sizeof *dst);
    c->keys_used += (uint32_t)n;
    c->ids_used += (uint32_t)k;
    c->n_entries++;
    return ATTN_OK;
}

static attn_status bpe_encode(const attn_tokenizer *tok, const char *text, size_t len, size_t base, tok_ids *out) {
    (void)base;   /* byte-level BPE encodes any bytes: no error names an offset */
    const bpe_tokenizer *bt = (const bpe_tokenizer *)tok;
    if (len == 0) return ATTN_OK;
    if (len > (size_t)INT64_MAX - 2) return attn_errorf(ATTN_ERR_INVALID_ARG, "text too long");
    attn_status st = tok_ids_reserve(out, (int64_t)len + 1);   /* at most one id per byte, + a prefix space */
    if (st != ATTN_OK) return st;

    char *prefixed = NULL;
    if (bt->add_prefix_space && text[0] != ' ') {
        /* ByteLevel(add_prefix_space=true) encodes " " + text. */
        if (!(prefixed = attn_malloc(len + 1))) return ATTN_ERR_OUT_OF_MEMORY;
        prefixed[0] = ' ';
        memcpy(prefixed + 1, text, len);
        text = prefixed;
        len++;
    }
    bpe_cache *c = bt->cache;
    bool locked = false;
    for (int k = 0; k < BPE_N_CACHES && !locked; k++) {
        c = &bt->cache[k];
        locked = !atomic_flag_test_and_set_explicit(&c->busy, memory_order_acquire);
    }
    bpe_work local = {0};
    bpe_work *w = locked ? &c->work : &local;
    bpe_cache *use = locked && (c->slots || cache_init(c) == ATTN_OK) ? c : NULL;

    const unsigned char *s = (const unsigned char *)text;
    if (bt->missing_bytes) {
        int64_t dropped = 0;
        for (size_t i = 0; i < len; i++) dropped += bt->byte_id[s[i]] < 0;
        if (dropped) tokenizer_count_unknown(tok, dropped);
    }
    for (size_t seg = 0; seg < len && st == ATTN_OK;) {
        /* each digit alone first (Digits), then BLOOM's Split or the regex within each segment */
        size_t seg_end = bt->digits ? bpe_digits_next(text, len, seg) : len;
        for (size_t pos = seg; pos < seg_end && st == ATTN_OK;) {
            size_t end = bt->bloom_split ? bpe_pretok_bloom_next(text, seg_end, pos)
                         : bt->use_regex ? bpe_pretok_next(text, seg_end, pos)
                                         : seg_end;
            st = encode_piece(bt, use, w, s + pos, end - pos, out);
            pos = end;
        }
        seg = seg_end;
    }
    if (locked) {
        if (w->cap > 4096) {   /* keep the scratch small between calls */
            attn_free(w->sym);
            attn_free(w->heap);
            attn_free(w->str);
            *w = (bpe_work){0};
        }
        atomic_flag_clear_explicit(&c->busy, memory_order_release);
    } else {
        attn_free(local.sym);
        attn_free(local.heap);
        attn_free(local.str);
    }
    attn_free(prefixed);
    return st;
}

static attn_status bpe_token_bytes(const attn_tokenizer *tok, int32_t id, const char **bytes, size_t *len) {
    const bpe_tokenizer *bt = (const bpe_tokenizer *)tok;
    *bytes = bt->bytes + bt->byte_off[id];
    *len = bt->byte_off[id + 1] - bt->byte_off[id];
    return ATTN_OK;
}

/* ---- build ------------------------------------------------------------------- */

typedef struct vocab_entry {
    const char *s;   /* byte-level string, NUL-terminated */
    size_t len;
    int32_t id;
} vocab_entry;

typedef struct merge_entry {
    const char *a, *b;
    size_t la, lb;
    int64_t line;    /* for messages: line of merges.txt or index in "merges" */
} merge_entry;

typedef struct bpe_options {
    bool add_prefix_space, use_regex, ignore_merges, bloom_split, digits;
    bool missing_bytes_ok;     /* a byte without its token is dropped, not an error */
    const char *merges_name;   /* "merges.txt line" or "merges entry" */
    const char *merges_path;
} bpe_options;

/* Raw bytes of a byte-level string into out (at most n bytes); false if a
 * character is outside the byte map (such a token decodes to its own UTF-8,
 * as tokenizers' ByteLevel decoder does). */
static bool unmap_string(const int16_t *inv, const char *s, size_t n, char *out, size_t *k) {
    size_t i = 0, j = 0;
    while (i < n) {
        uint32_t cp;
        int l = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!l || cp >= BYTE_MAP_CP_END || inv[cp] < 0) return false;
        out[j++] = (char)inv[cp];
        i += (size_t)l;
    }
    *k = j;
    return true;
}

/* Builds the tokenizer; takes ownership of added. */
static attn_status bpe_build(const vocab_entry *ve, int32_t n_vocab, const merge_entry *me, int64_t n_merges,
                             tok_added *added, int32_t n_added, const bpe_options *opt, const char *path,
                             attn_tokenizer **out) {
    attn_status st = ATTN_OK;
    char *cat = NULL;
    bpe_tokenizer *bt = attn_calloc(1, sizeof *bt);
    if (!bt) {
        tok_added_free(added, n_added);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    bt->base.vt = &BPE_VTABLE;
    bt->base.eot = -1;
    bt->base.added = added;
    bt->base.n_added = n_added;
    bt->add_prefix_space = opt->add_prefix_space;
    bt->use_regex = opt->use_regex;
    bt->bloom_split = opt->bloom_split;
    bt->ignore_merges = opt->ignore_merges;
    bt->digits = opt->digits;

    /* ids: vocab and added tokens together are 0..V-1, vocab ids distinct */
    int64_t max_id = -1;
    for (int32_t i = 0; i < n_vocab; i++) max_id = ATTN_MAX(max_id, (int64_t)ve[i].id);
    for (int32_t i = 0; i < n_added; i++) max_id = ATTN_MAX(max_id, (int64_t)added[i].id);
    if (n_vocab == 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: the BPE vocabulary is empty", path);
        goto fail;
    }
    if (max_id >= (int64_t)n_vocab + n_added) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: token ids are not contiguous: %d tokens, but id %lld", path,
                         (int)(n_vocab + n_added), (long long)max_id);
        goto fail;
    }
    int32_t V = (int32_t)max_id + 1;
    bt->base.vocab_size = V;
    if (!(bt->str_off = attn_malloc((size_t)V * sizeof *bt->str_off)) ||
        !(bt->str_len = attn_calloc((size_t)V, sizeof *bt->str_len)) ||
        !(bt->byte_off = attn_malloc(((size_t)V + 1) * sizeof *bt->byte_off))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (int32_t i = 0; i < V; i++) bt->str_off[i] = SIZE_MAX;
    size_t total = 0;
    for (int32_t i = 0; i < n_vocab; i++) {
        int32_t id = ve[i].id;
        if (bt->str_off[id] != SIZE_MAX) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: id %d is used twice in the vocabulary (\"%s\" and \"%s\")", path,
                             (int)id, ve[bt->str_off[id]].s, ve[i].s);
            goto fail;
        }
        bt->str_off[id] = (size_t)i;   /* entry index for now */
        total += ve[i].len + 1;
    }
    for (int32_t id = 0; id < V; id++) {
        bool is_added = false;
        for (int32_t j = 0; j < n_added; j++) is_added |= added[j].id == id;
        if (bt->str_off[id] == SIZE_MAX && !is_added) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: token ids are not contiguous: no token has id %d", path, (int)id);
            goto fail;
        }
    }
    /* the decoded bytes: an added token's are its content (whatever the
     * vocabulary holds at its id), a vocabulary token's at most its
     * string's length */
    size_t n_bytes = 0;
    for (int32_t id = 0; id < V; id++) {
        const tok_added *a = NULL;
        for (int32_t j = 0; j < n_added; j++)
            if (added[j].id == id) a = &added[j];
        n_bytes += a ? a->len : ve[bt->str_off[id]].len;
    }
    if (!(bt->strs = attn_malloc(total)) || !(bt->bytes = attn_malloc(n_bytes + 1))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    int16_t inv[BYTE_MAP_CP_END];
    uint32_t map[256];
    bpe_byte_map(map);
    for (int i = 0; i < BYTE_MAP_CP_END; i++) inv[i] = -1;
    for (int b = 0; b < 256; b++) inv[map[b]] = (int16_t)b;
    size_t at = 0, bat = 0;
    for (int32_t id = 0; id < V; id++) {
        bt->byte_off[id] = bat;
        const tok_added *a = NULL;
        for (int32_t j = 0; j < n_added; j++)
            if (added[j].id == id) a = &added[j];
        if (bt->str_off[id] != SIZE_MAX) {
            const vocab_entry *e = &ve[bt->str_off[id]];
            memcpy(bt->strs + at, e->s, e->len + 1);
            bt->str_off[id] = at;
            bt->str_len[id] = e->len;
            at += e->len + 1;
            size_t k;
            if (!a) {
                if (!unmap_string(inv, e->s, e->len, bt->bytes + bat, &k)) {
                    memcpy(bt->bytes + bat, e->s, e->len);
                    k = e->len;
                }
                bat += k;
                continue;
            }
        }
        memcpy(bt->bytes + bat, a->content, a->len); /* n_bytes counted it */
        bat += a->len;
    }
    bt->byte_off[V] = bat;

    /* vocab index by byte-level string */
    bt->index_cap = 16;
    while (bt->index_cap < 2 * (size_t)n_vocab) bt->index_cap *= 2;
    if (!(bt->index = attn_malloc(bt->index_cap * sizeof *bt->index))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (size_t i = 0; i < bt->index_cap; i++) bt->index[i] = -1;
    for (int32_t i = 0; i < n_vocab; i++) {
        size_t mask = bt->index_cap - 1, j = hash_bytes(ve[i].s, ve[i].len) & mask;
        if (vocab_find(bt, ve[i].s, ve[i].len) >= 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: token \"%s\" is in the vocabulary twice", path, ve[i].s);
            goto fail;
        }
        while (bt->index[j] >= 0) j = (j + 1) & (bt->index_cap - 1);
        bt->index[j] = ve[i].id;
    }
    for (int b = 0; b < 256; b++) {
        char s[4];
        int k = utf8_encode(map[b], s);
        if ((bt->byte_id[b] = vocab_find(bt, s, (size_t)k)) < 0 && opt->missing_bytes_ok) {
            bt->missing_bytes = true;
        } else if (bt->byte_id[b] < 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: the vocabulary lacks the byte-level token \"%.*s\" for byte 0x%02x",
                             path, k, s, b);
            goto fail;
        }
    }

    /* merges: a later duplicate replaces an earlier one, as in tokenizers */
    bt->merge_cap = 16;
    while (bt->merge_cap < 2 * (size_t)n_merges + 2) bt->merge_cap *= 2;
    size_t cat_cap = 0;
    for (int64_t i = 0; i < n_merges; i++) cat_cap = ATTN_MAX(cat_cap, me[i].la + me[i].lb);
    if (!(bt->merges = attn_malloc(bt->merge_cap * sizeof *bt->merges)) ||
        (n_merges && !(bt->merge_list = attn_malloc((size_t)n_merges * sizeof *bt->merge_list))) ||
        !(cat = attn_malloc(cat_cap + 1))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (size_t i = 0; i < bt->merge_cap; i++) bt->merges[i].key = EMPTY_KEY;
    for (int64_t i = 0; i < n_merges; i++) {
        const merge_entry *m = &me[i];
        if (i > INT32_MAX - 1) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: too many merges", opt->merges_path);
            goto fail;
        }
        int32_t a = vocab_find(bt, m->a, m->la), b = vocab_find(bt, m->b, m->lb);
        if (a < 0 || b < 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: %s %lld names \"%.*s\", which is not in the vocabulary",
                             opt->merges_path, opt->merges_name, (long long)m->line, (int)(a < 0 ? m->la : m->lb),
                             a < 0 ? m->a : m->b);
            goto fail;
        }
        memcpy(cat, m->a, m->la);
        memcpy(cat + m->la, m->b, m->lb);
        int32_t id = vocab_find(bt, cat, m->la + m->lb);
        if (id < 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: %s %lld merges into \"%.*s\", which is not in the vocabulary",
                             opt->merges_path, opt->merges_name, (long long)m->line, (int)(m->la + m->lb), cat);
            goto fail;
        }
        bt->merge_list[i][0] = a;
        bt->merge_list[i][1] = b;
        uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
        size_t mask = bt->merge_cap - 1, j = hash_u64(key) & mask;
        while (bt->merges[j].key != EMPTY_KEY && bt->merges[j].key != key) j = (j + 1) & mask;
        bt->merges[j] = (merge_slot){key, (int32_t)i, id};
    }
    bt->n_merges = n_merges;
    if (!(bt->cache = attn_calloc(BPE_N_CACHES, sizeof *bt->cache))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (int k = 0; k < BPE_N_CACHES; k++) atomic_flag_clear(&bt->cache[k].busy);
    for (int32_t i = 0; i < n_added; i++)
        if (!strcmp(added[i].content, ATTN_EOT_TEXT)) bt->base.eot = added[i].id;
    attn_free(cat);
    *out = &bt->base;
    return ATTN_OK;
fail:
    attn_free(cat);
    bpe_free(&bt->base);
    tok_added_free(added, n_added);
    return st;
}

/* Reads {"token": id, ...} into entries pointing into the JSON. */
static attn_status read_vocab(const cJSON *vocab, const char *path, const char *field, vocab_entry **out,
                              int32_t *n_out) {
    *out = NULL;
    *n_out = 0;
    if (!cJSON_IsObject(vocab)) return attn_errorf(ATTN_ERR_FORMAT, "%s: %s is not a JSON object", path, field);
    int n = cJSON_GetArraySize(vocab);
    vocab_entry *ve = attn_calloc(n ? (size_t)n : 1, sizeof *ve);
    if (!ve) return ATTN_ERR_OUT_OF_MEMORY;
    int32_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, vocab) {
        if (!tokenizer_json_id(item, &ve[i].id)) {
            attn_free(ve);
            return attn_errorf(ATTN_ERR_FORMAT, "%s: %s entry \"%s\" is not an integer id in 0..2^31-2", path, field,
                               item->string);
        }
        ve[i].s = item->string;
        ve[i].len = strlen(item->string);
        if (ve[i].len == 0) {
            attn_free(ve);
            return attn_errorf(ATTN_ERR_FORMAT, "%s: %s holds an empty token", path, field);
        }
        i++;
    }
    *out = ve;
    *n_out = i;
    return ATTN_OK;
}

/* Splits "a b" (exactly one space, two non-empty parts). */
static bool split_merge(const char *s, size_t n, merge_entry *m) {
    const char *sp = memchr(s, ' ', n);
    if (!sp || sp == s || sp == s + n - 1 || memchr(sp + 1, ' ', (size_t)(s + n - sp - 1))) return false;
    m->a = s;
    m->la = (size_t)(sp - s);
    m->b = sp + 1;
    m->lb = n - m->la - 1;
    return true;
}

/* ---- tokenizer.json ---------------------------------------------------------- */

static const char *json_type(const cJSON *o) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
    return cJSON_IsString(t) ? t->valuestring : "?";
}

static bool json_flag(const cJSON *o, const char *name, bool def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

/* Whether o is BLOOM's Split: its regex, Isolated, not inverted. */
static bool is_bloom_split(const cJSON *o) {
    const cJSON *re = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "pattern"), "Regex");
    const cJSON *beh = cJSON_GetObjectItemCaseSensitive(o, "behavior");
    return !strcmp(json_type(o), "Split") && cJSON_IsString(re) && !strcmp(re->valuestring, BLOOM_SPLIT_REGEX) &&
           cJSON_IsString(beh) && !strcmp(beh->valuestring, "Isolated") &&
           !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "invert"));
}

/* Digits with individual_digits true (SmolLM2's first pre-tokenizer). */
static bool is_individual_digits(const cJSON *o) {
    return !strcmp(json_type(o), "Digits") && json_flag(o, "individual_digits", false);
}

const char *bpe_json_llama_pre(const cJSON *pre) {
    if (!cJSON_IsObject(pre)) return NULL;
    if (!strcmp(json_type(pre), "ByteLevel")) return json_flag(pre, "use_regex", true) ? "gpt-2" : NULL;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(pre, "pretokenizers");
    if (strcmp(json_type(pre), "Sequence") || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != 2) return NULL;
    const cJSON *a = cJSON_GetArrayItem(arr, 0), *b = cJSON_GetArrayItem(arr, 1);
    if (strcmp(json_type(b), "ByteLevel") || json_flag(b, "add_prefix_space", false)) return NULL;
    if (is_individual_digits(a) && json_flag(b, "use_regex", true)) return "smollm";
    if (is_bloom_split(a) && !json_flag(b, "use_regex", true)) return "bloom";
    return NULL;
}

/* The ByteLevel component of `field` (itself or the only member of a
 * Sequence; for the pre-tokenizer also a Sequence [Digits(individual_digits),
 * ByteLevel], which sets *digits, or BLOOM's [Split, ByteLevel], which sets
 * *bloom), or NULL with an error recorded. */
static const cJSON *find_byte_level(const cJSON *root, const char *field, const char *path, bool *digits,
                                    bool *bloom) {
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, field);
    if (!cJSON_IsObject(o)) {
        attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: byte-level BPE needs a ByteLevel %s, and there is none", path, field);
        return NULL;
    }
    if (!strcmp(json_type(o), "Sequence")) {
        const char *key = !strcmp(field, "decoder") ? "decoders" : "pretokenizers";
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key);
        if (cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == 1) o = cJSON_GetArrayItem(arr, 0);
        else if (digits && cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == 2 &&
                 is_individual_digits(cJSON_GetArrayItem(arr, 0))) {
            o = cJSON_GetArrayItem(arr, 1);
            *digits = true;
        } else if (bloom && cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == 2 &&
                   is_bloom_split(cJSON_GetArrayItem(arr, 0))) {
            o = cJSON_GetArrayItem(arr, 1);
            *bloom = true;
        } else {
            attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s Sequence other than [ByteLevel]%s is not supported", path, field,
                        digits || bloom ? ", [Digits(individual_digits), ByteLevel] or BLOOM's [Split, ByteLevel]" : "");
            return NULL;
        }
    }
    if (strcmp(json_type(o), "ByteLevel")) {
        attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: %s type \"%s\" is not supported with BPE (only ByteLevel)", path, field,
                    json_type(o));
        return NULL;
    }
    return o;
}

attn_status bpe_tokenizer_from_json(const cJSON *root, const cJSON *model, tok_added *added, int32_t n_added,
                                    const char *path, attn_tokenizer **out) {
    attn_status st = ATTN_OK;
    vocab_entry *ve = NULL;
    merge_entry *me = NULL;
    int32_t n_vocab = 0;
    int64_t n_merges = 0;
    /* a byte without its token is dropped, as tokenizers' BPE does without an unk_token (the
     * tokenizer.json attn saves for a GGUF vocabulary that lacks some bytes reads back) */
    bpe_options opt = {.use_regex = true, .missing_bytes_ok = true, .merges_name = "merges entry", .merges_path = path};

    const cJSON *normalizer = cJSON_GetObjectItemCaseSensitive(root, "normalizer");
    if (normalizer && !cJSON_IsNull(normalizer)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: normalizer \"%s\" is not supported with BPE", path,
                         json_type(normalizer));
        goto done;
    }
    const cJSON *pre = find_byte_level(root, "pre_tokenizer", path, &opt.digits, &opt.bloom_split);
    const cJSON *dec = pre ? find_byte_level(root, "decoder", path, NULL, NULL) : NULL;
    if (!pre || !dec) {
        st = ATTN_ERR_UNSUPPORTED;
        goto done;
    }
    opt.add_prefix_space = json_flag(pre, "add_prefix_space", true);
    if (opt.digits && opt.add_prefix_space) {
        /* ByteLevel would then prefix every Digits segment: not done here */
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: pre_tokenizer [Digits, ByteLevel(add_prefix_space=true)] is not "
                         "supported", path);
        goto done;
    }
    opt.use_regex = json_flag(pre, "use_regex", true);
    if (opt.bloom_split && (opt.add_prefix_space || opt.use_regex)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED,
                         "%s: after BLOOM's Split, a ByteLevel pre-tokenizer with add_prefix_space or use_regex is not "
                         "supported (BLOOM's has neither)", path);
        goto done;
    }
    opt.ignore_merges = json_flag(model, "ignore_merges", false);
    const cJSON *dropout = cJSON_GetObjectItemCaseSensitive(model, "dropout");
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(model, "continuing_subword_prefix");
    const cJSON *suffix = cJSON_GetObjectItemCaseSensitive(model, "end_of_word_suffix");
    if ((dropout && !cJSON_IsNull(dropout)) || (cJSON_IsString(prefix) && prefix->valuestring[0]) ||
        (cJSON_IsString(suffix) && suffix->valuestring[0])) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED,
                         "%s: BPE with dropout, continuing_subword_prefix or end_of_word_suffix is not supported", path);
        goto done;
    }
    if ((st = read_vocab(cJSON_GetObjectItemCaseSensitive(model, "vocab"), path, "model.vocab", &ve, &n_vocab)) !=
        ATTN_OK)
        goto done;
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    if (!cJSON_IsArray(merges)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: model.merges is not an array", path);
        goto done;
    }
    int nm = cJSON_GetArraySize(merges);
    if (!(me = attn_calloc(nm ? (size_t)nm : 1, sizeof *me))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, merges) {
        merge_entry *m = &me[n_merges];
        m->line = n_merges;
        bool ok;
        if (cJSON_IsString(item)) {
            ok = split_merge(item->valuestring, strlen(item->valuestring), m);
        } else {
            const cJSON *a = cJSON_GetArrayItem(item, 0), *b = cJSON_GetArrayItem(item, 1);
            ok = cJSON_IsArray(item) && cJSON_GetArraySize(item) == 2 && cJSON_IsString(a) && cJSON_IsString(b) &&
                 a->valuestring[0] && b->valuestring[0];
            if (ok) {
                m->a = a->valuestring;
                m->la = strlen(a->valuestring);
                m->b = b->valuestring;
                m->lb = strlen(b->valuestring);
            }
        }
        if (!ok) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: model.merges[%lld] is neither \"a b\" nor [\"a\", \"b\"]", path,
                             (long long)n_merges);
            goto done;
        }
        n_merges++;
    }
    st = bpe_build(ve, n_vocab, me, n_merges, added, n_added, &opt, path, out);
    /* RoBERTa-style files add <s> ... </s> through their post-processor */
    if (st == ATTN_OK &&
        (st = tok_post_parse(&(*out)->post, cJSON_GetObjectItemCaseSensitive(root, "post_processor"), (*out)->vocab_size,
                             path)) != ATTN_OK) {
        attn_tokenizer_free(*out);
        *out = NULL;
    }
    added = NULL;
done:
    tok_added_free(added, n_added);
    attn_free(ve);
    attn_free(me);
    return st;
}

/* ---- lists (GGUF) ------------------------------------------------------------- */

attn_status bpe_tokenizer_from_lists(const bpe_lists *l, tok_added *added, int32_t n_added, attn_tokenizer **out) {
    *out = NULL;
    attn_status st = ATTN_OK;
    bpe_options opt = {.use_regex = !l->bloom_split, .digits = l->digits, .bloom_split = l->bloom_split,
                       .missing_bytes_ok = true, .merges_name = l->merges_name, .merges_path = l->path};
    vocab_entry *ve = attn_calloc(l->n_tokens ? (size_t)l->n_tokens : 1, sizeof *ve);
    merge_entry *me = attn_calloc(l->n_merges ? (size_t)l->n_merges : 1, sizeof *me);
    if (!ve || !me) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory building the tokenizer", l->path);
        goto done;
    }
    for (int32_t i = 0; i < l->n_tokens; i++) {
        if (l->lens[i] == 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: %s[%d] is empty", l->path, l->tokens_name, (int)i);
            goto done;
        }
        ve[i] = (vocab_entry){l->tokens[i], l->lens[i], l->ids ? l->ids[i] : i};
    }
    for (int64_t i = 0; i < l->n_merges; i++) {
        me[i].line = i;
        if (!split_merge(l->merges[i], l->merge_lens[i], &me[i])) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: %s[%lld] is not \"a b\"", l->path, l->merges_name, (long long)i);
            goto done;
        }
    }
    st = bpe_build(ve, l->n_tokens, me, l->n_merges, added, n_added, &opt, l->path, out);
    added = NULL;
done:
    tok_added_free(added, n_added);
    attn_free(ve);
    attn_free(me);
    return st;
}

/* ---- vocab.json + merges.txt -------------------------------------------------- */

attn_status bpe_tokenizer_load_files(const char *vocab_path, const char *merges_path, attn_tokenizer **out) {
    attn_status st = ATTN_OK;
    char *vbuf = NULL, *mbuf = NULL;
    size_t vlen = 0, mlen = 0;
    cJSON *root = NULL;
    vocab_entry *ve = NULL;
    merge_entry *me = NULL;
    tok_added *added = NULL;
    int32_t n_vocab = 0, n_added = 0;
    int64_t n_merges = 0;
    bpe_options opt = {.use_regex = true, .merges_name = "line", .merges_path = merges_path};

    *out = NULL;
    if ((st = file_read_all(vocab_path, &vbuf, &vlen)) != ATTN_OK) goto done;
    if ((st = file_read_all(merges_path, &mbuf, &mlen)) != ATTN_OK) goto done;
    const char *end = NULL;
    unsigned long failures = alloc_failures();
    if (!(root = cJSON_ParseWithLengthOpts(vbuf, vlen + 1, &end, 1)) && alloc_failures() != failures) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory parsing the JSON", vocab_path);
        goto done;
    }
    if (!root) {
        size_t at = end && end >= vbuf && end <= vbuf + vlen ? (size_t)(end - vbuf) : 0;
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: malformed JSON near byte %zu", vocab_path, at);
        goto done;
    }
    if ((st = read_vocab(root, vocab_path, "the vocabulary", &ve, &n_vocab)) != ATTN_OK) goto done;

    int64_t n_lines = 1;
    for (size_t i = 0; i < mlen; i++) n_lines += mbuf[i] == '\n';
    if (!(me = attn_calloc((size_t)n_lines, sizeof *me))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    int64_t line = 0;
    for (size_t pos = 0; pos < mlen;) {
        char *nl = memchr(mbuf + pos, '\n', mlen - pos);
        size_t e = nl ? (size_t)(nl - mbuf) : mlen, n = e - pos;
        line++;
        if (n && mbuf[pos + n - 1] == '\r') n--;
        if (n && !(n >= 8 && !memcmp(mbuf + pos, "#version", 8))) {
            me[n_merges].line = line;
            if (!split_merge(mbuf + pos, n, &me[n_merges])) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld is not \"a b\"", merges_path, (long long)line);
                goto done;
            }
            n_merges++;
        }
        pos = e + 1;
    }
    /* GPT-2's vocabulary holds "<|endoftext|>" itself; Hugging Face makes it a
     * special added token. */
    for (int32_t i = 0; i < n_vocab; i++) {
        if (strcmp(ve[i].s, ATTN_EOT_TEXT)) continue;
        if (!(added = attn_calloc(1, sizeof *added)) || !(added->content = attn_strdup(ATTN_EOT_TEXT))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto done;
        }
        added->id = ve[i].id;
        added->len = strlen(ATTN_EOT_TEXT);
        added->special = true;
        n_added = 1;
        break;
    }
    st = bpe_build(ve, n_vocab, me, n_merges, added, n_added, &opt, vocab_path, out);
    added = NULL;
done:
    tok_added_free(added, n_added);
    attn_free(ve);
    attn_free(me);
    cJSON_Delete(root);
    attn_free(vbuf);
    attn_free(mbuf);
    return st;
}

/* ---- save -------------------------------------------------------------------- */

static cJSON *byte_level_json(bool add_prefix_space, bool trim_offsets, bool use_regex) {
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "type", "ByteLevel") ||
        !cJSON_AddBoolToObject(o, "add_prefix_space", add_prefix_space) ||
        !cJSON_AddBoolToObject(o, "trim_offsets", trim_offsets) || !cJSON_AddBoolToObject(o, "use_regex", use_regex)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* tokenizer.json as tokenizers writes it for GPT-2. Merges are "a b"
 * strings, which every version reads, unless a token holds a space. */
static attn_status bpe_save(const attn_tokenizer *tok, const char *dir) {
    const bpe_tokenizer *bt = (const bpe_tokenizer *)tok;
    attn_status st = ATTN_OK;
    char *path = path_join(dir, "tokenizer.json"), *line = NULL;
    cJSON *root = tokenizer_json_root();
    if (!path || !root) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if ((st = tokenizer_json_add_added(tok, root)) != ATTN_OK) goto done;
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), *o;
    cJSON_ArrayForEach(o, arr) {   /* the fields tokenizers writes for GPT-2 */
        if (!cJSON_AddBoolToObject(o, "single_word", false) || !cJSON_AddBoolToObject(o, "lstrip", false) ||
            !cJSON_AddBoolToObject(o, "rstrip", false) || !cJSON_AddBoolToObject(o, "normalized", true))
            goto oom;
    }
    if (!cJSON_AddNullToObject(root, "truncation") || !cJSON_AddNullToObject(root, "padding") ||
        !cJSON_AddNullToObject(root, "normalizer"))
        goto oom;
    /* cJSON leaves an item it could not attach to the caller */
    cJSON *pre = byte_level_json(bt->add_prefix_space, true, bt->use_regex);
    if (pre && bt->bloom_split) { /* BLOOM's Sequence [Split, ByteLevel] */
        cJSON *seq = cJSON_CreateObject(), *list = NULL, *split = NULL, *pat;
        if (seq && cJSON_AddStringToObject(seq, "type", "Sequence") && (list = cJSON_AddArrayToObject(seq, "pretokenizers")) &&
            (split = cJSON_CreateObject()) && cJSON_AddItemToArray(list, split) && cJSON_AddStringToObject(split, "type", "Split") &&
            (pat = cJSON_AddObjectToObject(split, "pattern")) && cJSON_AddStringToObject(pat, "Regex", BLOOM_SPLIT_REGEX) &&
            cJSON_AddStringToObject(split, "behavior", "Isolated") && cJSON_AddFalseToObject(split, "invert") &&
            cJSON_AddItemToArray(list, pre)) {
            pre = seq;
        } else {
            cJSON_Delete(seq); /* with the Split, once attached */
            cJSON_Delete(pre);
            pre = NULL;
        }
    }
    if (pre && bt->digits) {   /* Sequence [Digits(individual_digits), ByteLevel] */
        cJSON *seq = cJSON_CreateObject(), *list = seq ? cJSON_AddArrayToObject(seq, "pretokenizers") : NULL;
        cJSON *dg = cJSON_CreateObject();
        bool ok = seq && cJSON_AddStringToObject(seq, "type", "Sequence") && list && dg &&
                  cJSON_AddStringToObject(dg, "type", "Digits") && cJSON_AddBoolToObject(dg, "individual_digits", true);
        if (ok) {
            cJSON_AddItemToArray(list, dg);
            cJSON_AddItemToArray(list, pre);
            pre = seq;
        } else {
            cJSON_Delete(seq);
            cJSON_Delete(dg);
            cJSON_Delete(pre);
            pre = NULL;
        }
    }
    if (!pre || !cJSON_AddItemToObject(root, "pre_tokenizer", pre)) {
        cJSON_Delete(pre);
        goto oom;
    }
    cJSON *post = NULL;
    if ((st = tok_post_json(&tok->post, tok, &post)) != ATTN_OK) goto done;
    if (!post && !(post = byte_level_json(true, false, true))) goto oom;
    if (!cJSON_AddItemToObject(root, "post_processor", post)) {
        cJSON_Delete(post);
        goto oom;
    }
    cJSON *dec = byte_level_json(true, true, true);
    if (!dec || !cJSON_AddItemToObject(root, "decoder", dec)) {
        cJSON_Delete(dec);
        goto oom;
    }
    cJSON *model = cJSON_AddObjectToObject(root, "model");
    if (!model || !cJSON_AddStringToObject(model, "type", "BPE") || !cJSON_AddNullToObject(model, "dropout") ||
        !cJSON_AddNullToObject(model, "unk_token") || !cJSON_AddStringToObject(model, "continuing_subword_prefix", "") ||
        !cJSON_AddStringToObject(model, "end_of_word_suffix", "") || !cJSON_AddBoolToObject(model, "fuse_unk", false) ||
        !cJSON_AddBoolToObject(model, "byte_fallback", false) ||
        !cJSON_AddBoolToObject(model, "ignore_merges", bt->ignore_merges))
        goto oom;
    cJSON *vocab = cJSON_AddObjectToObject(model, "vocab");
    if (!vocab) goto oom;
    for (int32_t id = 0; id < tok->vocab_size; id++)
        if (bt->str_off[id] != SIZE_MAX && !cJSON_AddNumberToObject(vocab, bt->strs + bt->str_off[id], id)) goto oom;
    cJSON *merges = cJSON_AddArrayToObject(model, "merges");
    if (!merges) goto oom;
    bool pairs = false;
    size_t longest = 0;
    for (int64_t i = 0; i < bt->n_merges; i++) {
        const char *a = bt->strs + bt->str_off[bt->merge_list[i][0]], *b = bt->strs + bt->str_off[bt->merge_list[i][1]];
        pairs |= strchr(a, ' ') || strchr(b, ' ');
        longest = ATTN_MAX(longest, strlen(a) + strlen(b));
    }
    if (!(line = attn_malloc(longest + 2))) goto oom;
    for (int64_t i = 0; i < bt->n_merges; i++) {
        const char *a = bt->strs + bt->str_off[bt->merge_list[i][0]], *b = bt->strs + bt->str_off[bt->merge_list[i][1]];
        cJSON *m;
        if (pairs) {
            const char *ab[2] = {a, b};
            m = cJSON_CreateStringArray(ab, 2);
        } else {
            size_t la = strlen(a), lb = strlen(b);
            memcpy(line, a, la);
            line[la] = ' ';
            memcpy(line + la + 1, b, lb + 1);
            m = cJSON_CreateString(line);
        }
        if (!m) goto oom;
        cJSON_AddItemToArray(merges, m);
    }
    st = tokenizer_json_write(root, path);
    goto done;
oom:
    st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
done:
    cJSON_Delete(root);
    attn_free(path);
    attn_free(line);
    return st;
}

static const tokenizer_vtable BPE_VTABLE = {
    .kind = "bpe",
    .encode = bpe_encode,
    .decode = NULL,
    .token_bytes = bpe_token_bytes,
    .save = bpe_save,
    .free = bpe_free,
};
