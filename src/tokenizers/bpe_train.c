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
 *   3. Merges: tokenizers' BpeTrainer loop, shared with the WordPiece
 *      trainer (merge_train.c: the rule, its ties and its queue), until the
 *      vocabulary (special tokens included) reaches vocab_size, no pair is
 *      left or the best count is below min_frequency; checked against
 *      tokenizers on small texts (tests/unit/test_bpe_train.c) and on the
 *      shipped corpora (tests/py/test_tokenizer_parity.py). */
#include "tokenizers/merge_train.h"

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
static attn_status build_tokenizer(const merge_trainer *t, const char *const *special, int n_special,
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
    merge_trainer t = {0};
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
        if ((st = merge_trainer_add_token(&t, special[i], strlen(special[i]), &id)) != ATTN_OK) goto done;
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
            if ((st = merge_trainer_add_token(&t, &c, 1, &byte_id[b])) != ATTN_OK) goto done;
        }
    }

    /* words as symbol ids */
    t.n_words = words.n;
    t.word_count = counts;
    counts = NULL;
    if (!(t.syms = attn_malloc(ATTN_MAX(words.used, 1) * sizeof *t.syms)) ||
        !(t.sym_off = attn_malloc((size_t)words.n * sizeof *t.sym_off)) ||
        !(t.sym_len = attn_malloc((size_t)words.n * sizeof *t.sym_len))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int32_t w = 0; w < words.n; w++) {
        const unsigned char *s = (const unsigned char *)words.bytes + words.off[w];
        t.sym_off[w] = (int64_t)words.off[w];
        t.sym_len[w] = (int32_t)words.len[w];
        for (uint32_t i = 0; i < words.len[w]; i++) t.syms[words.off[w] + i] = byte_id[s[i]];
        for (uint32_t i = 0; i + 1 < words.len[w]; i++)
            if ((st = merge_trainer_count_pair(&t, byte_id[s[i]], byte_id[s[i + 1]], w)) != ATTN_OK) goto done;
    }
    str_pool_free(&words);
    memset(&words, 0, sizeof words);
    attn_free(word_index.slots);
    word_index.slots = NULL;

    if ((st = merge_trainer_run(&t, vocab_size, min_frequency, NULL)) != ATTN_OK) goto done;
    st = build_tokenizer(&t, special, n_special, out);
done:
    attn_free(text);
    attn_free(counts);
    str_pool_free(&words);
    attn_free(word_index.slots);
    merge_trainer_free(&t);
    return st;
}
