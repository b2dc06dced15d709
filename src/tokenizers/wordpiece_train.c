/* wordpiece_train.c — learning a BERT WordPiece vocabulary the way Hugging
 * Face `tokenizers` (0.23) does with
 *     Tokenizer(WordPiece(unk_token="[UNK]")), BertNormalizer(lowercase=True),
 *     BertPreTokenizer(), WordPieceTrainer(vocab_size, min_frequency,
 *         special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
 *         continuing_subword_prefix="##")
 * WordPieceTrainer is tokenizers' BpeTrainer with the "##" prefix, whose
 * vocabulary (not its merges) becomes the WordPiece model. Its steps, and ours:
 *
 *   1. Words. The text is normalized and pre-tokenized exactly as the
 *      resulting tokenizer encodes (wordpiece.c; tokenizers reads files line
 *      by line, which changes nothing here: '\n' is whitespace) and the words
 *      are counted.
 *   2. Ids. The special tokens (0-4); the alphabet — every character of every
 *      word — sorted by code point (no limit_alphabet: WordPieceTrainer's
 *      default); then "##" + c for each character c that occurs after the
 *      first position of a word. A word is its first character's token
 *      followed by the "##" tokens of the others.
 *      ORDER OF THE "##" TOKENS: tokenizers gives them ids in the iteration
 *      order of a Rust HashMap of the words, which is random from one run to
 *      the next (so are its tie-breaks below, and even its final token set,
 *      at the margin). We sort them by code point, as the alphabet is sorted.
 *      Passing special_tokens = the five + the sorted alphabet + the sorted
 *      "##" tokens makes tokenizers use exactly our ids, and then its
 *      vocabulary equals ours (tests/py/test_tokenizer_parity.py checks it).
 *   3. Merges. As BpeTrainer (see bpe_train.c for the rule): the adjacent
 *      pair with the highest count, ties to the smallest (left id, right id),
 *      until the vocabulary (special tokens included) reaches vocab_size, no
 *      pair is left or the best count is below min_frequency. The new token
 *      is left + right with right's "##" removed: "t" + "##h" -> "th",
 *      "##i" + "##ng" -> "##ing". A string that is already a token keeps its
 *      id and adds nothing.
 *      The queue is tokenizers' own: each heap entry carries the words it was
 *      made for (the words whose count of the pair rose in one step), a
 *      popped entry whose count is stale goes back with the live count and
 *      its own words, and a merge touches only the popped entry's words. So
 *      the rare case bpe_train.c simplifies (a merge that recreates an
 *      existing token, leaving a pair with two entries) is merged here in the
 *      same two halves as tokenizers.
 *
 * The result is a "wordpiece" tokenizer with BERT's settings: BertNormalizer
 * (lowercase, accents stripped), BertPreTokenizer, [CLS] A [SEP] (B [SEP])
 * post-processing, WordPiece decoder, unk "[UNK]", 100 characters per word. */
#include "core/strset.h"
#include "tokenizers/tokenizer_impl.h"

#include <stdlib.h>

static const char *const WP_SPECIALS[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
#define N_SPECIALS 5
#define PREFIX "##"
#define PREFIX_LEN 2

/* ---- counting words ------------------------------------------------------------------ */

typedef struct word_counter {
    str_pool words;
    str_index index;
    int64_t *counts;   /* [cap] */
    int32_t cap;
} word_counter;

static attn_status count_word(void *ctx, const char *s, size_t n) {
    word_counter *wc = ctx;
    int32_t w;
    bool added;
    attn_status st = str_index_intern(&wc->index, &wc->words, s, n, &w, &added);
    if (st != ATTN_OK) return st;
    if (w >= wc->cap) {
        int32_t c = wc->cap ? wc->cap * 2 : 1024;
        int64_t *nc = attn_realloc(wc->counts, (size_t)c * sizeof *nc);
        if (!nc) return ATTN_ERR_OUT_OF_MEMORY;
        wc->counts = nc;
        wc->cap = c;
    }
    if (added) wc->counts[w] = 0;
    wc->counts[w]++;
    return ATTN_OK;
}

/* ---- the trainer ------------------------------------------------------------------------ */

typedef struct pair_info {
    uint64_t key;      /* (left << 32) | right */
    int64_t count;     /* tokenizers' pair_counts: never lowered by the pair's own merge */
    int32_t *rose;     /* words whose count of the pair rose in step `stamp` */
    int32_t n_rose, cap_rose;
    int32_t stamp;
} pair_info;

/* A queue entry: tokenizers' `Merge` {pair, count, pos}. */
typedef struct heap_item {
    int64_t count;
    uint64_t key;
    int32_t *pos;      /* the words to merge in; owned */
    int32_t n_pos;
} heap_item;

typedef struct trainer {
    int32_t n_words;
    int64_t *word_count;
    int32_t *syms;        /* all words' symbols */
    int64_t *sym_off;     /* [n_words] */
    int32_t *sym_len;     /* [n_words], shrinks as merges apply */
    pair_info *pairs;
    int32_t n_pairs, cap_pairs;
    int32_t *pair_slots;  /* pair index + 1, 0 free */
    size_t pair_cap;
    int32_t *touched;     /* pairs that rose in this step */
    int32_t n_touched, cap_touched;
    heap_item *heap;
    size_t n_heap, cap_heap;
    str_pool tokens;      /* pool index == id */
    str_index token_index;
} trainer;

static void trainer_free(trainer *t) {
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

/* The index of pair key, added with count 0 if new. */
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
    p->stamp = -2;
    t->pair_slots[i] = t->n_pairs + 1;
    *out = t->n_pairs++;
    return ATTN_OK;
}

/* tokenizers' BinaryHeap order: higher count first, then the smaller pair. */
static inline bool heap_above(const heap_item *x, const heap_item *y) {
    return x->count != y->count ? x->count > y->count : x->key < y->key;
}

static attn_status heap_push(trainer *t, heap_item it) {
    if (t->n_heap == t->cap_heap) {
        size_t c = t->cap_heap ? t->cap_heap * 2 : 1 << 16;
        heap_item *h = attn_realloc(t->heap, c * sizeof *h);
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

/* Applies one change tokenizers' Word::merge reports: delta occurrences of
 * (a, b) in word w, weighted by its count; a rise records w for the step. */
static attn_status pair_change(trainer *t, int32_t a, int32_t b, int32_t w, int delta, int32_t step) {
    int32_t pi = -1;
    attn_status st = pair_get(t, pair_key(a, b), &pi);
    if (st != ATTN_OK) return st;
    pair_info *p = &t->pairs[pi];
    p->count += delta * t->word_count[w];
    if (delta < 0) return ATTN_OK;
    if (p->stamp != step) {
        p->stamp = step;
        p->n_rose = 0;
        if (t->n_touched == t->cap_touched) {
            int32_t c = t->cap_touched ? t->cap_touched * 2 : 1024;
            int32_t *x = attn_realloc(t->touched, (size_t)c * sizeof *x);
            if (!x) return ATTN_ERR_OUT_OF_MEMORY;
            t->touched = x;
            t->cap_touched = c;
        }
        t->touched[t->n_touched++] = pi;
    }
    /* a word's changes come together, so a set needs only the last entry checked */
    if (p->n_rose && p->rose[p->n_rose - 1] == w) return ATTN_OK;
    if (p->n_rose == p->cap_rose) {
        int32_t c = p->cap_rose ? p->cap_rose * 2 : 4;
        int32_t *ws = attn_realloc(p->rose, (size_t)c * sizeof *ws);
        if (!ws) return ATTN_ERR_OUT_OF_MEMORY;
        p->rose = ws;
        p->cap_rose = c;
    }
    p->rose[p->n_rose++] = w;
    return ATTN_OK;
}

/* Queues, for every pair that rose in this step and still counts, an entry
 * with the words it rose in (tokenizers' where_to_update.drain()). */
static attn_status queue_touched(trainer *t) {
    attn_status st;
    for (int32_t k = 0; k < t->n_touched; k++) {
        pair_info *p = &t->pairs[t->touched[k]];
        if (p->count <= 0 || !p->n_rose) continue;
        heap_item it = {p->count, p->key, p->rose, p->n_rose};
        if ((st = heap_push(t, it)) != ATTN_OK) return st;
        p->rose = NULL;
        p->n_rose = p->cap_rose = 0;
    }
    t->n_touched = 0;
    return ATTN_OK;
}

/* Replaces (a, b) by r left to right in word w (tokenizers' Word::merge). */
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

static attn_status train_merges(trainer *t, int32_t vocab_size, int64_t min_frequency) {
    attn_status st = ATTN_OK;
    char *buf = NULL;
    size_t buf_cap = 0;
    heap_item top = {0};
    tok_train_report("merging", t->tokens.n, vocab_size);
    for (int32_t step = 0; t->tokens.n < vocab_size && t->n_heap > 0;) {
        top = heap_pop(t);
        int32_t pi = -1;
        if ((st = pair_get(t, top.key, &pi)) != ATTN_OK) goto done;
        const pair_info *p = &t->pairs[pi];
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
        if (lb >= PREFIX_LEN && !memcmp(sb, PREFIX, PREFIX_LEN)) {
            sb += PREFIX_LEN;
            lb -= PREFIX_LEN;
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
        if ((st = add_token(t, buf, la + lb, &r)) != ATTN_OK) goto done;
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

/* ---- alphabet --------------------------------------------------------------------------- */

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Sorts and removes duplicates; returns the new length. */
static size_t sort_unique(uint32_t *v, size_t n) {
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_u32);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

static int32_t find_cp(const uint32_t *v, size_t n, uint32_t cp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < cp) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo] == cp ? (int32_t)lo : -1;
}

/* ---- the tokenizer ------------------------------------------------------------------------- */

/* Everything but the model: BERT's normalizer, pre-tokenizer, template with
 * [CLS] = 2 and [SEP] = 3, decoder. */
static const char WP_JSON[] =
    "{\"version\": \"1.0\","
    " \"normalizer\": {\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true,"
    "   \"strip_accents\": null, \"lowercase\": true},"
    " \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"},"
    " \"post_processor\": {\"type\": \"TemplateProcessing\","
    "   \"single\": [{\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
    "     {\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}],"
    "   \"pair\": [{\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
    "     {\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}},"
    "     {\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 1}}],"
    "   \"special_tokens\": {\"[CLS]\": {\"id\": \"[CLS]\", \"ids\": [2], \"tokens\": [\"[CLS]\"]},"
    "     \"[SEP]\": {\"id\": \"[SEP]\", \"ids\": [3], \"tokens\": [\"[SEP]\"]}}},"
    " \"decoder\": {\"type\": \"WordPiece\", \"prefix\": \"##\", \"cleanup\": true}}";

/* A BERT WordPiece tokenizer over tokens 0..n-1 of pool (the first five are
 * the special tokens). */
static attn_status build_tokenizer(const str_pool *pool, int32_t n, attn_tokenizer **out) {
    attn_status st;
    size_t longest = 0;
    for (int32_t i = 0; i < n; i++) longest = ATTN_MAX(longest, (size_t)pool->len[i]);
    char *s = attn_malloc(longest + 1);
    cJSON *root = cJSON_Parse(WP_JSON);
    tok_added *added = attn_calloc(N_SPECIALS, sizeof *added);
    if (!s || !root || !added) goto oom;
    for (int i = 0; i < N_SPECIALS; i++) {
        if (!(added[i].content = attn_strdup(WP_SPECIALS[i]))) goto oom;
        added[i].id = i;
        added[i].len = strlen(WP_SPECIALS[i]);
        added[i].special = true;
    }
    cJSON *model = cJSON_AddObjectToObject(root, "model");
    if (!model || !cJSON_AddStringToObject(model, "type", "WordPiece") ||
        !cJSON_AddStringToObject(model, "unk_token", "[UNK]") ||
        !cJSON_AddStringToObject(model, "continuing_subword_prefix", PREFIX) ||
        !cJSON_AddNumberToObject(model, "max_input_chars_per_word", 100))
        goto oom;
    cJSON *vocab = cJSON_AddObjectToObject(model, "vocab");
    if (!vocab) goto oom;
    for (int32_t id = 0; id < n; id++) {
        memcpy(s, pool->bytes + pool->off[id], pool->len[id]);
        s[pool->len[id]] = 0;
        if (!cJSON_AddNumberToObject(vocab, s, id)) goto oom;
    }
    st = wordpiece_tokenizer_from_json(root, added, N_SPECIALS, "trained WordPiece", out);
    added = NULL;
    goto done;
oom:
    st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building the trained tokenizer");
done:
    tok_added_free(added, added ? N_SPECIALS : 0);
    cJSON_Delete(root);
    attn_free(s);
    return st;
}

attn_status attn_tokenizer_train_wordpiece(const char *const *files, int n_files, int32_t vocab_size,
                                           int32_t min_frequency, attn_tokenizer **out) {
    attn_status st = ATTN_OK;
    trainer t = {0};
    word_counter wc = {0};
    attn_tokenizer *pretok = NULL;
    char *text = NULL;
    uint32_t *first = NULL, *cont = NULL;
    size_t n_first = 0, n_cont = 0;

    if (!out || (n_files > 0 && !files) || n_files < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_train_wordpiece: NULL argument");
    *out = NULL;
    if (n_files == 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "no training files given");
    if (vocab_size < N_SPECIALS)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "vocab size %d is smaller than the %d special tokens",
                           (int)vocab_size, N_SPECIALS);
    if (min_frequency < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "min_frequency %d is negative", (int)min_frequency);

    /* 1. words, through a tokenizer holding only the special tokens */
    for (int32_t i = 0; i < N_SPECIALS; i++)
        if ((st = add_token(&t, WP_SPECIALS[i], strlen(WP_SPECIALS[i]), &(int32_t){0})) != ATTN_OK) goto done;
    if ((st = build_tokenizer(&t.tokens, N_SPECIALS, &pretok)) != ATTN_OK) goto done;
    for (int f = 0; f < n_files; f++) {
        size_t len;
        if (!files[f]) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "training file %d is NULL", f);
            goto done;
        }
        if ((st = file_read_all(files[f], &text, &len)) != ATTN_OK) goto done;
        if ((st = wordpiece_pretokenize(pretok, text, len, count_word, &wc)) != ATTN_OK) goto done;
        attn_free(text);
        text = NULL;
        tok_train_report("reading", f + 1, n_files);
    }
    if (wc.words.n == 0) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "the training text has no words");
        goto done;
    }

    /* 2. ids: the alphabet, then the "##" forms, each by code point */
    size_t total_chars = 0;
    for (int32_t w = 0; w < wc.words.n; w++) total_chars += wc.words.len[w];
    if (!(first = attn_malloc(total_chars * sizeof *first)) || !(cont = attn_malloc(total_chars * sizeof *cont))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int32_t w = 0; w < wc.words.n; w++) {
        const unsigned char *s = (const unsigned char *)wc.words.bytes + wc.words.off[w];
        size_t n = wc.words.len[w];
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            int k = utf8_decode(s + i, n - i, &cp);
            if (k <= 0) {   /* the normalizer writes UTF-8 */
                st = attn_errorf(ATTN_ERR_INVALID_ARG, "wordpiece_train: a pre-tokenized word is not UTF-8");
                goto done;
            }
            first[n_first++] = cp;
            if (i > 0) cont[n_cont++] = cp;
            i += (size_t)k;
        }
    }
    n_first = sort_unique(first, n_first);
    n_cont = sort_unique(cont, n_cont);
    int32_t first_id0 = t.tokens.n, cont_id0;
    for (size_t i = 0; i < n_first; i++) {
        char u[4];
        int k = utf8_encode(first[i], u);
        if ((st = add_token(&t, u, (size_t)k, &(int32_t){0})) != ATTN_OK) goto done;
    }
    cont_id0 = t.tokens.n;
    for (size_t i = 0; i < n_cont; i++) {
        char u[PREFIX_LEN + 4];
        memcpy(u, PREFIX, PREFIX_LEN);
        int k = utf8_encode(cont[i], u + PREFIX_LEN);
        if ((st = add_token(&t, u, (size_t)k + PREFIX_LEN, &(int32_t){0})) != ATTN_OK) goto done;
    }
    if (t.tokens.n != cont_id0 + (int32_t)n_cont || cont_id0 != first_id0 + (int32_t)n_first) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "wordpiece_train: the alphabet repeats a special token");
        goto done;
    }

    /* words as symbols, and the first count of every pair */
    t.n_words = wc.words.n;
    t.word_count = wc.counts;
    wc.counts = NULL;
    if (!(t.syms = attn_malloc(ATTN_MAX(total_chars, 1) * sizeof *t.syms)) ||
        !(t.sym_off = attn_malloc((size_t)t.n_words * sizeof *t.sym_off)) ||
        !(t.sym_len = attn_malloc((size_t)t.n_words * sizeof *t.sym_len))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    int64_t at = 0;
    for (int32_t w = 0; w < t.n_words; w++) {
        const unsigned char *s = (const unsigned char *)wc.words.bytes + wc.words.off[w];
        size_t n = wc.words.len[w];
        int32_t *sym = t.syms + at;
        int32_t k = 0;
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            i += (size_t)utf8_decode(s + i, n - i, &cp);
            sym[k] = k == 0 ? first_id0 + find_cp(first, n_first, cp) : cont_id0 + find_cp(cont, n_cont, cp);
            if (k > 0 && (st = pair_change(&t, sym[k - 1], sym[k], w, +1, -1)) != ATTN_OK) goto done;
            k++;
        }
        t.sym_off[w] = at;
        t.sym_len[w] = k;
        at += k;
    }
    if ((st = queue_touched(&t)) != ATTN_OK) goto done;
    str_pool_free(&wc.words);
    attn_free(wc.index.slots);
    wc.index.slots = NULL;

    /* 3. merges */
    if ((st = train_merges(&t, vocab_size, min_frequency)) != ATTN_OK) goto done;
    st = build_tokenizer(&t.tokens, t.tokens.n, out);
done:
    attn_free(text);
    attn_free(first);
    attn_free(cont);
    attn_tokenizer_free(pretok);
    str_pool_free(&wc.words);
    attn_free(wc.index.slots);
    attn_free(wc.counts);
    trainer_free(&t);
    return st;
}
