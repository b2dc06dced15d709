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
 *   3. Merges. As BpeTrainer (merge_train.c has the rule): the adjacent
 *      pair with the highest count, ties to the smallest (left id, right id),
 *      until the vocabulary (special tokens included) reaches vocab_size, no
 *      pair is left or the best count is below min_frequency. The new token
 *      is left + right with right's "##" removed: "t" + "##h" -> "th",
 *      "##i" + "##ng" -> "##ing". A string that is already a token keeps its
 *      id and adds nothing.
 *      The loop and its queue are merge_train.c's, shared with bpe_train.c.
 *
 * The result is a "wordpiece" tokenizer with BERT's settings: BertNormalizer
 * (lowercase, accents stripped), BertPreTokenizer, [CLS] A [SEP] (B [SEP])
 * post-processing, WordPiece decoder, unk "[UNK]", 100 characters per word. */
#include "tokenizers/merge_train.h"

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
    merge_trainer t = {0};
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
        if ((st = merge_trainer_add_token(&t, WP_SPECIALS[i], strlen(WP_SPECIALS[i]), &(int32_t){0})) != ATTN_OK)
            goto done;
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
        if ((st = merge_trainer_add_token(&t, u, (size_t)k, &(int32_t){0})) != ATTN_OK) goto done;
    }
    cont_id0 = t.tokens.n;
    for (size_t i = 0; i < n_cont; i++) {
        char u[PREFIX_LEN + 4];
        memcpy(u, PREFIX, PREFIX_LEN);
        int k = utf8_encode(cont[i], u + PREFIX_LEN);
        if ((st = merge_trainer_add_token(&t, u, (size_t)k + PREFIX_LEN, &(int32_t){0})) != ATTN_OK) goto done;
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
            if (k > 0 && (st = merge_trainer_count_pair(&t, sym[k - 1], sym[k], w)) != ATTN_OK) goto done;
            k++;
        }
        t.sym_off[w] = at;
        t.sym_len[w] = k;
        at += k;
    }
    str_pool_free(&wc.words);
    attn_free(wc.index.slots);
    wc.index.slots = NULL;

    /* 3. merges */
    if ((st = merge_trainer_run(&t, vocab_size, min_frequency, PREFIX)) != ATTN_OK) goto done;
    st = build_tokenizer(&t.tokens, t.tokens.n, out);
done:
    attn_free(text);
    attn_free(first);
    attn_free(cont);
    attn_tokenizer_free(pretok);
    str_pool_free(&wc.words);
    attn_free(wc.index.slots);
    attn_free(wc.counts);
    merge_trainer_free(&t);
    return st;
}
