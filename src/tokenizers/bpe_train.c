/* bpe_train.c — learning a byte-level BPE vocabulary the way Hugging Face
 * `tokenizers` (0.23) does with
 *     Tokenizer(BPE()), pre_tokenizer ByteLevel(add_prefix_space=False),
 *     BpeTrainer(vocab_size, min_frequency, special_tokens=["<|endoftext|>"] (or
 *                the caller's list, attn_tokenizer_train_bpe_special),
 *                initial_alphabet=ByteLevel.alphabet())
 * (ByteLevelBPETokenizer.train does the same). Its steps, and ours:
 *
 *   1. Words. Each file is read line by line, a line keeping its '\n' (as
 *      tokenizers' train_from_files does), so a piece never spans lines; each
 *      line is split by GPT-2's pre-tokenizer (bpe_pretok_next) and the pieces
 *      are counted. Pieces are raw bytes; their byte-level strings are only
 *      made for the vocabulary.
 *   2. Ids. Special tokens first, in order ("<|endoftext|>" = 0), then the alphabet —
 *      all 256 byte-level characters — sorted by code point ('!' = 1 ...
 *      'ÿ' = 188, then U+0100 'Ā' (byte 0) = 189 ... 'Ġ' (byte ' ') = 221),
 *      then each merge's new token in order.
 *   3. Merges. Repeatedly take the pair of adjacent tokens with the highest
 *      count over all words (count of a word = its occurrences). TIES: the
 *      pair with the smallest (left id, right id), compared as a tuple —
 *      tokenizers' `Merge` orders by count, then by the pair reversed, in a
 *      max-heap (trainer.rs `impl Ord for Merge`), and we checked it on small
 *      texts (tests/unit/test_bpe_train.c). Stop when the vocabulary
 *      (special tokens included) reaches vocab_size, when no pair is left,
 *      or when the best count is below min_frequency. A merge replaces the
 *      pair left to right, without overlap, in every word ("aaa" with a+a
 *      -> [aa, a]). A merge whose string is already a token (a+bc after
 *      ab+c) reuses that token's id and adds no vocabulary entry, as
 *      tokenizers does.
 *
 * One divergence we know of: tokenizers' heap entries carry the words to
 * update, and in the rare case above (a merge producing an existing token)
 * a pair can then be merged twice, in two halves, depending on its hash-map
 * order; here a pair is merged once, in every word that holds it.
 *
 * Speed: pair counts are updated incrementally. Each pair keeps a list of the
 * words that may hold it (stale entries are harmless: merging finds nothing),
 * and a max-heap holds (count, pair) entries, checked against the live count
 * when popped (lazy invalidation): O(changes · log pairs) per merge. */
#include "core/strset.h"
#include "tokenizers/tokenizer_impl.h"

/* ---- the trainer ---------------------------------------------------------------- */

typedef struct pair_info {
    uint64_t key;      /* (left << 32) | right */
    int64_t count;
    int32_t *words;    /* words that may hold the pair */
    int32_t n_words, cap_words;
    int32_t touched;   /* merge step that last raised the count */
    bool merged;
} pair_info;

typedef struct heap_item {
    int64_t count;
    uint64_t key;
} heap_item;

typedef struct trainer {
    /* words */
    int32_t n_words;
    int64_t *word_count;
    int32_t *syms;        /* all words' symbols */
    int64_t *sym_off;     /* [n_words] */
    int32_t *sym_len;     /* [n_words], shrinks as merges apply */
    int32_t *stamp;       /* [n_words] merge step that last visited the word */
    /* pairs */
    pair_info *pairs;
    int32_t n_pairs, cap_pairs;
    int32_t *pair_slots;  /* pair index + 1, 0 free */
    size_t pair_cap;
    int32_t *touched;     /* pairs raised in this step */
    int32_t n_touched, cap_touched;
    heap_item *heap;
    size_t n_heap, cap_heap;
    /* tokens: pool index == id */
    str_pool tokens;
    str_index token_index;
    int32_t (*merges)[2];
    int64_t n_merges, cap_merges;
} trainer;

static void trainer_free(trainer *t) {
    attn_free(t->word_count);
    attn_free(t->syms);
    attn_free(t->sym_off);
    attn_free(t->sym_len);
    attn_free(t->stamp);
    for (int32_t i = 0; i < t->n_pairs; i++) attn_free(t->pairs[i].words);
    attn_free(t->pairs);
    attn_free(t->pair_slots);
    attn_free(t->touched);
    attn_free(t->heap);
    str_pool_free(&t->tokens);
    attn_free(t->token_index.slots);
    attn_free(t->merges);
}

static inline uint64_t pair_key(int32_t a, int32_t b) { return ((uint64_t)(uint32_t)a << 32) | (uint32_t)b; }

static attn_status pair_slots_grow(trainer *t) {
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

/* The index of pair key, -1 if absent. */
static int32_t pair_find(const trainer *t, uint64_t key) {
    size_t mask = t->pair_cap - 1;
    for (size_t i = (size_t)str_mix64(key) & mask;; i = (i + 1) & mask) {
        int32_t v = t->pair_slots[i];
        if (!v) return -1;
        if (t->pairs[v - 1].key == key) return v - 1;
    }
}

static attn_status pair_get(trainer *t, uint64_t key, int32_t *out) {
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
        pair_info *p = attn_realloc(t->pairs, (size_t)c * sizeof *p);
        if (!p) return ATTN_ERR_OUT_OF_MEMORY;
        t->pairs = p;
        t->cap_pairs = c;
    }
    pair_info *p = &t->pairs[t->n_pairs];
    memset(p, 0, sizeof *p);
    p->key = key;
    p->touched = -1;
    t->pair_slots[i] = t->n_pairs + 1;
    *out = t->n_pairs++;
    return ATTN_OK;
}

static inline bool heap_above(const heap_item *x, const heap_item *y) {
    return x->count != y->count ? x->count > y->count : x->key < y->key;
}

static attn_status heap_push(trainer *t, int64_t count, uint64_t key) {
    if (t->n_heap == t->cap_heap) {
        size_t c = t->cap_heap ? t->cap_heap * 2 : 1 << 16;
        heap_item *h = attn_realloc(t->heap, c * sizeof *h);
        if (!h) return ATTN_ERR_OUT_OF_MEMORY;
        t->heap = h;
        t->cap_heap = c;
    }
    heap_item it = {count, key};
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

static heap_item heap_pop(trainer *t) {
    heap_item top = t->heap[0], last = t->heap[--t->n_heap];
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

/* Adds delta occurrences of (a, b) in word w (weighted by its count). A
 * rise records w in the pair's word list and marks the pair for the heap. */
static attn_status pair_change(trainer *t, int32_t a, int32_t b, int32_t w, int delta, int32_t step) {
    int32_t pi = -1;
    attn_status st = pair_get(t, pair_key(a, b), &pi);
    if (st != ATTN_OK) return st;
    pair_info *p = &t->pairs[pi];
    if (p->merged) return ATTN_OK;
    p->count += delta * t->word_count[w];
    if (delta < 0) return ATTN_OK;
    if (!p->n_words || p->words[p->n_words - 1] != w) {
        if (p->n_words == p->cap_words) {
            int32_t c = p->cap_words ? p->cap_words * 2 : 4;
            int32_t *ws = attn_realloc(p->words, (size_t)c * sizeof *ws);
            if (!ws) return ATTN_ERR_OUT_OF_MEMORY;
            p->words = ws;
            p->cap_words = c;
        }
        p->words[p->n_words++] = w;
    }
    if (p->touched != step) {
        p->touched = step;
        if (t->n_touched == t->cap_touched) {
            int32_t c = t->cap_touched ? t->cap_touched * 2 : 1024;
            int32_t *x = attn_realloc(t->touched, (size_t)c * sizeof *x);
            if (!x) return ATTN_ERR_OUT_OF_MEMORY;
            t->touched = x;
            t->cap_touched = c;
        }
        t->touched[t->n_touched++] = pi;
    }
    return ATTN_OK;
}

/* Replaces (a, b) by r left to right in word w, updating the pair counts as
 * tokenizers' Word::merge reports its changes. */
static attn_status merge_word(trainer *t, int32_t w, int32_t a, int32_t b, int32_t r, int32_t step) {
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

static attn_status add_token(trainer *t, const char *s, size_t n, int32_t *id) {
    bool added;
    return str_index_intern(&t->token_index, &t->tokens, s, n, id, &added);
}

/* Runs the merges until the vocabulary has vocab_size tokens. */
static attn_status train_merges(trainer *t, int32_t vocab_size, int64_t min_frequency) {
    attn_status st;
    char *buf = NULL;
    size_t buf_cap = 0;
    for (int32_t p = 0; p < t->n_pairs; p++)
        if (t->pairs[p].count > 0 && (st = heap_push(t, t->pairs[p].count, t->pairs[p].key)) != ATTN_OK) return st;
    tok_train_report("merging", t->tokens.n, vocab_size);
    for (int32_t step = 0; t->tokens.n < vocab_size && t->n_heap > 0;) {
        heap_item top = heap_pop(t);
        int32_t pi = pair_find(t, top.key);
        if (pi < 0) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "bpe_train: a heap pair is not in the pair table");
            goto done;
        }
        pair_info *p = &t->pairs[pi];
        if (p->merged) continue;
        if (p->count != top.count) {
            if (p->count > 0 && (st = heap_push(t, p->count, p->key)) != ATTN_OK) goto done;
            continue;
        }
        if (top.count < 1 || top.count < min_frequency) break;
        int32_t a = (int32_t)(top.key >> 32), b = (int32_t)(uint32_t)top.key;
        size_t la = t->tokens.len[a], lb = t->tokens.len[b];
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
        memcpy(buf, t->tokens.bytes + t->tokens.off[a], la);
        memcpy(buf + la, t->tokens.bytes + t->tokens.off[b], lb);
        int32_t r;
        if ((st = add_token(t, buf, la + lb, &r)) != ATTN_OK) goto done;
        if (t->n_merges == t->cap_merges) {
            int64_t c = t->cap_merges ? t->cap_merges * 2 : 1024;
            int32_t(*m)[2] = attn_realloc(t->merges, (size_t)c * sizeof *m);
            if (!m) {
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto done;
            }
            t->merges = m;
            t->cap_merges = c;
        }
        t->merges[t->n_merges][0] = a;
        t->merges[t->n_merges][1] = b;
        t->n_merges++;
        tok_train_report("merging", t->tokens.n, vocab_size);
        p->merged = true;
        t->n_touched = 0;
        /* p may move when pair_change adds pairs: keep its word list aside */
        int32_t *words = p->words, n_words = p->n_words;
        p->words = NULL;
        p->n_words = p->cap_words = 0;
        for (int32_t k = 0; k < n_words; k++) {
            int32_t w = words[k];
            if (t->stamp[w] == step) continue;
            t->stamp[w] = step;
            if ((st = merge_word(t, w, a, b, r, step)) != ATTN_OK) {
                attn_free(words);
                goto done;
            }
        }
        attn_free(words);
        for (int32_t k = 0; k < t->n_touched; k++) {
            const pair_info *q = &t->pairs[t->touched[k]];
            if (q->count > 0 && (st = heap_push(t, q->count, q->key)) != ATTN_OK) goto done;
        }
        step++;
    }
    st = ATTN_OK;
done:
    attn_free(buf);
    return st;
}

/* ---- byte-level BPE ------------------------------------------------------------- */

/* Counts the GPT-2 pre-tokens of text, line by line, into words. */
static attn_status count_pieces(const char *text, size_t len, str_pool *words, str_index *index, int64_t **counts,
                                int32_t *cap) {
    attn_status st;
    for (size_t line = 0; line < len;) {
        const char *nl = memchr(text + line, '\n', len - line);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        for (size_t pos = line; pos < end;) {
            size_t e = line + bpe_pretok_next(text + line, end - line, pos - line);
            ATTN_CHECK(e > pos && e <= end);
            int32_t w;
            bool added;
            if ((st = str_index_intern(index, words, text + pos, e - pos, &w, &added)) != ATTN_OK) return st;
            if (w >= *cap) {
                int32_t c = *cap ? *cap * 2 : 1024;
                int64_t *nc = attn_realloc(*counts, (size_t)c * sizeof *nc);
                if (!nc) return ATTN_ERR_OUT_OF_MEMORY;
                *counts = nc;
                *cap = c;
            }
            if (added) (*counts)[w] = 0;
            (*counts)[w]++;
            pos = e;
        }
        line = end;
    }
    return ATTN_OK;
}

/* Appends the byte-level string of n raw bytes to out (room for 2n). */
static size_t byte_level(const uint32_t map[256], const char *s, size_t n, char *out) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += (size_t)utf8_encode(map[(unsigned char)s[i]], out + k);
    return k;
}

/* The trained tokenizer as a tokenizer.json tree, built by bpe.c. Ids
 * 0..n_special-1 are the special tokens, saved under their own text. */
static attn_status build_tokenizer(const trainer *t, const char *const *special, int n_special,
                                   attn_tokenizer **out) {
    attn_status st = ATTN_OK;
    uint32_t map[256];
    bpe_byte_map(map);
    size_t longest = 0;
    for (int32_t i = 0; i < t->tokens.n; i++) longest = ATTN_MAX(longest, (size_t)t->tokens.len[i]);
    char *s1 = attn_malloc(4 * longest + 8), *s2 = attn_malloc(4 * longest + 8);
    cJSON *root = tokenizer_json_root();
    tok_added *added = attn_calloc((size_t)n_special, sizeof *added);
    if (!s1 || !s2 || !root || !added) goto oom;
    for (int i = 0; i < n_special; i++) {
        if (!(added[i].content = attn_strdup(special[i]))) goto oom;
        added[i].id = i;
        added[i].len = strlen(special[i]);
        added[i].special = true;
    }
    cJSON *pre = cJSON_AddObjectToObject(root, "pre_tokenizer");
    cJSON *dec = cJSON_AddObjectToObject(root, "decoder");
    cJSON *model = cJSON_AddObjectToObject(root, "model");
    if (!pre || !cJSON_AddStringToObject(pre, "type", "ByteLevel") ||
        !cJSON_AddBoolToObject(pre, "add_prefix_space", false) || !cJSON_AddBoolToObject(pre, "use_regex", true) ||
        !dec || !cJSON_AddStringToObject(dec, "type", "ByteLevel") || !model ||
        !cJSON_AddStringToObject(model, "type", "BPE"))
        goto oom;
    cJSON *vocab = cJSON_AddObjectToObject(model, "vocab");
    cJSON *merges = cJSON_AddArrayToObject(model, "merges");
    if (!vocab || !merges) goto oom;
    for (int i = 0; i < n_special; i++)
        if (!cJSON_AddNumberToObject(vocab, special[i], i)) goto oom;
    for (int32_t id = n_special; id < t->tokens.n; id++) {
        size_t k = byte_level(map, t->tokens.bytes + t->tokens.off[id], t->tokens.len[id], s1);
        s1[k] = 0;
        if (!cJSON_AddNumberToObject(vocab, s1, id)) goto oom;
    }
    for (int64_t i = 0; i < t->n_merges; i++) {
        int32_t a = t->merges[i][0], b = t->merges[i][1];
        size_t ka = byte_level(map, t->tokens.bytes + t->tokens.off[a], t->tokens.len[a], s1);
        size_t kb = byte_level(map, t->tokens.bytes + t->tokens.off[b], t->tokens.len[b], s2);
        s1[ka] = 0;
        s2[kb] = 0;
        const char *ab[2] = {s1, s2};
        cJSON *m = cJSON_CreateStringArray(ab, 2);
        if (!m) goto oom;
        cJSON_AddItemToArray(merges, m);
    }
    st = bpe_tokenizer_from_json(root, model, added, n_special, "trained BPE", out);
    added = NULL;
    goto done;
oom:
    st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building the trained tokenizer");
done:
    tok_added_free(added, added ? n_special : 0);
    cJSON_Delete(root);
    attn_free(s1);
    attn_free(s2);
    return st;
}

/* ---- progress (attn_tokenizer_train_set_progress) --------------------------- */

static _Thread_local attn_tokenizer_train_progress_fn progress_fn;
static _Thread_local void *progress_user;

void attn_tokenizer_train_set_progress(attn_tokenizer_train_progress_fn fn, void *user) {
    progress_fn = fn;
    progress_user = user;
}

void tok_train_report(const char *phase, int64_t done, int64_t total) {
    if (progress_fn) progress_fn(phase, done, total, progress_user);
}

attn_status attn_tokenizer_train_bpe(const char *const *files, int n_files, int32_t vocab_size,
                                     int32_t min_frequency, attn_tokenizer **out) {
    static const char *const eot[1] = {ATTN_EOT_TEXT};
    return attn_tokenizer_train_bpe_special(files, n_files, vocab_size, min_frequency, eot, 1, out);
}

attn_status attn_tokenizer_train_bpe_special(const char *const *files, int n_files, int32_t vocab_size,
                                             int32_t min_frequency, const char *const *special, int n_special,
                                             attn_tokenizer **out) {
    attn_status st = ATTN_OK;
    trainer t = {0};
    str_pool words = {0};
    str_index word_index = {0};
    int64_t *counts = NULL;
    int32_t counts_cap = 0;
    char *text = NULL;

    if (!out || (n_files > 0 && !files) || n_files < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_train_bpe: NULL argument");
    *out = NULL;
    if (n_files == 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "no training files given");
    if (n_special < 0 || n_special > 1000 || (n_special > 0 && !special))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_train_bpe: bad special-token list (%d)", n_special);
    for (int i = 0; i < n_special; i++)
        if (!special[i] || !special[i][0])
            return attn_errorf(ATTN_ERR_INVALID_ARG, "special token %d is empty", i);
    if (vocab_size < 256 + n_special)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "vocab size %d is smaller than the 256 bytes plus %d special token%s (%d)",
                           (int)vocab_size, n_special, n_special == 1 ? "" : "s", 256 + n_special);
    if (min_frequency < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "min_frequency %d is negative", (int)min_frequency);

    for (int f = 0; f < n_files; f++) {
        size_t len;
        if (!files[f]) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "training file %d is NULL", f);
            goto done;
        }
        if ((st = file_read_all(files[f], &text, &len)) != ATTN_OK) goto done;
        if ((st = count_pieces(text, len, &words, &word_index, &counts, &counts_cap)) != ATTN_OK) goto done;
        attn_free(text);
        text = NULL;
        tok_train_report("reading", f + 1, n_files);
    }
    if (words.n == 0) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "the training text is empty");
        goto done;
    }

    /* ids: the special tokens, then the byte alphabet by code point */
    uint32_t map[256];
    bpe_byte_map(map);
    int32_t byte_id[256];
    for (int i = 0; i < n_special; i++) {
        int32_t id;
        if ((st = add_token(&t, special[i], strlen(special[i]), &id)) != ATTN_OK) goto done;
        if (id != i || strlen(special[i]) == 1) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "special token \"%s\" is %s", special[i],
                             id != i ? "given twice" : "a single byte (already in the alphabet)");
            goto done;
        }
    }
    for (uint32_t cp = 0; cp < 0x200; cp++) {
        for (int b = 0; b < 256; b++) {
            if (map[b] != cp) continue;
            char c = (char)b;
            if ((st = add_token(&t, &c, 1, &byte_id[b])) != ATTN_OK) goto done;
        }
    }

    /* words as symbol ids */
    t.n_words = words.n;
    t.word_count = counts;
    counts = NULL;
    if (!(t.syms = attn_malloc(ATTN_MAX(words.used, 1) * sizeof *t.syms)) ||
        !(t.sym_off = attn_malloc((size_t)words.n * sizeof *t.sym_off)) ||
        !(t.sym_len = attn_malloc((size_t)words.n * sizeof *t.sym_len)) ||
        !(t.stamp = attn_malloc((size_t)words.n * sizeof *t.stamp))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int32_t w = 0; w < words.n; w++) {
        const unsigned char *s = (const unsigned char *)words.bytes + words.off[w];
        t.sym_off[w] = (int64_t)words.off[w];
        t.sym_len[w] = (int32_t)words.len[w];
        t.stamp[w] = -1;
        for (uint32_t i = 0; i < words.len[w]; i++) t.syms[words.off[w] + i] = byte_id[s[i]];
        for (uint32_t i = 0; i + 1 < words.len[w]; i++)
            if ((st = pair_change(&t, byte_id[s[i]], byte_id[s[i + 1]], w, +1, -1)) != ATTN_OK) goto done;
    }
    str_pool_free(&words);
    memset(&words, 0, sizeof words);
    attn_free(word_index.slots);
    word_index.slots = NULL;

    if ((st = train_merges(&t, vocab_size, min_frequency)) != ATTN_OK) goto done;
    st = build_tokenizer(&t, special, n_special, out);
done:
    attn_free(text);
    attn_free(counts);
    str_pool_free(&words);
    attn_free(word_index.slots);
    trainer_free(&t);
    return st;
}
