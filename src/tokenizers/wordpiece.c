/* wordpiece.c — BERT's WordPiece tokenizer, as Hugging Face `tokenizers`
 * runs it: BertNormalizer, BertPreTokenizer, the WordPiece model,
 * TemplateProcessing / BertProcessing and the WordPiece decoder.
 *
 * Follows tokenizers' normalizers/bert.rs, pre_tokenizers/bert.rs,
 * models/wordpiece/mod.rs, processors/template.rs and decoders/wordpiece.rs:
 *
 *   normalize (per code point, in HF's order)
 *     clean_text:      drop U+0000, U+FFFD and "other" characters (Cc, Cf,
 *                      Co; \t \n \r excepted), then White_Space -> ' '
 *     chinese chars:   CJK ideographs (BERT's ranges) become ' ' c ' '
 *     strip_accents:   NFD, then drop Mn (default: follows lowercase)
 *     lowercase:       Rust's char::to_lowercase (U+0130 -> "i\u0307")
 *   pre-tokenize:      split on White_Space (removed) and on punctuation
 *                      (ASCII punctuation or P*; each its own piece)
 *   model:             greedy longest-match-first, "##" continuation, the
 *                      unk token for a word over max_input_chars_per_word
 *                      characters or with an unmatched remainder
 *
 * Not HF: input bytes that are not UTF-8 (HF only sees str) are each read as
 * U+FFFD, so clean_text drops them. Unicode data is utf8proc's, corrected by
 * tables to HF's (which mixes Unicode versions); every code point was
 * compared with HF. Not done: offsets, padding, and the
 * truncation/padding settings inside tokenizer.json (the caller passes
 * max_len). */
#include "tokenizers/tokenizer_impl.h"

#include <ctype.h>
#include <utf8proc.h>

/* What one ASCII byte becomes after normalization and pre-tokenization. */
enum { ASCII_DROP = 0, ASCII_SPACE, ASCII_PUNCT, ASCII_CHAR };

typedef struct wp_tokenizer {
    attn_tokenizer base;
    char *blob;              /* token strings of ids 0..V-1, each NUL-terminated */
    size_t *offsets;         /* [V+1] */
    uint32_t *hashes;        /* [n_model] FNV-1a of each model token */
    int32_t *table;          /* [table_cap] open addressing over model ids, -1 empty */
    uint32_t table_mask;
    int32_t n_model;         /* ids 0..n_model-1 are the WordPiece vocabulary */
    size_t max_token_bytes;  /* longest model token */
    bool *special;           /* [V] added token marked special (skipped by decode) */
    int32_t unk_id;
    char *prefix;            /* continuing_subword_prefix */
    size_t prefix_len;
    int32_t max_chars;       /* max_input_chars_per_word */
    /* normalizer; has_normalizer false: none */
    bool has_normalizer, clean_text, chinese, lowercase, strip_accents;
    int strip_accents_json;  /* -1 null, 0 false, 1 true: what save writes */
    bool has_pretok;         /* BertPreTokenizer; false: the whole text is one word */
    /* decoder; has_decoder false: tokens joined with spaces */
    bool has_decoder, cleanup;
    char *dec_prefix;
    unsigned char ascii_kind[128], ascii_byte[128];
} wp_tokenizer;

static const tokenizer_vtable WP_VTABLE;

/* ---- vocabulary --------------------------------------------------------------- */

static uint32_t fnv1a(uint32_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}
#define FNV_SEED 2166136261u

static const char *wp_token(const wp_tokenizer *wp, int32_t id, size_t *len) {
    *len = wp->offsets[id + 1] - wp->offsets[id] - 1;
    return wp->blob + wp->offsets[id];
}

/* Id of the model token pre + s (pre may be empty), or -1. */
static int32_t wp_lookup(const wp_tokenizer *wp, const char *pre, size_t pre_len, const char *s, size_t n) {
    uint32_t h = fnv1a(fnv1a(FNV_SEED, pre, pre_len), s, n);
    for (uint32_t i = h & wp->table_mask;; i = (i + 1) & wp->table_mask) {
        int32_t id = wp->table[i];
        if (id < 0) return -1;
        if (wp->hashes[id] != h) continue;
        size_t k;
        const char *t = wp_token(wp, id, &k);
        if (k == pre_len + n && !memcmp(t, pre, pre_len) && !memcmp(t + pre_len, s, n)) return id;
    }
}

/* Builds the token blob and lookup table from tokens[V] (the first n_model
 * are the model vocabulary). A token listed twice is an error. */
static attn_status wp_index(wp_tokenizer *wp, const char *const *tokens, int32_t V, int32_t n_model,
                            const char *path) {
    size_t total = 0;
    for (int32_t i = 0; i < V; i++) total += strlen(tokens[i]) + 1;
    uint32_t cap = 16;
    while (cap < 2u * (uint32_t)n_model) cap *= 2;
    if (!(wp->blob = attn_malloc(total)) || !(wp->offsets = attn_malloc(((size_t)V + 1) * sizeof *wp->offsets)) ||
        !(wp->hashes = attn_malloc((size_t)(n_model ? n_model : 1) * sizeof *wp->hashes)) ||
        !(wp->table = attn_malloc((size_t)cap * sizeof *wp->table)) ||
        !(wp->special = attn_calloc((size_t)V, sizeof *wp->special)))
        return ATTN_ERR_OUT_OF_MEMORY;
    memset(wp->table, 0xff, (size_t)cap * sizeof *wp->table);
    wp->table_mask = cap - 1;
    wp->n_model = n_model;
    wp->base.vocab_size = V;
    size_t at = 0;
    for (int32_t i = 0; i < V; i++) {
        size_t k = strlen(tokens[i]);
        wp->offsets[i] = at;
        memcpy(wp->blob + at, tokens[i], k + 1);
        at += k + 1;
        if (i >= n_model) continue;
        if (k > wp->max_token_bytes) wp->max_token_bytes = k;
        if (wp_lookup(wp, "", 0, tokens[i], k) >= 0)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: token \"%.60s\" appears twice in the vocabulary (ids %d and %d)",
                               path, tokens[i], (int)wp_lookup(wp, "", 0, tokens[i], k), (int)i);
        uint32_t h = fnv1a(FNV_SEED, tokens[i], k);
        wp->hashes[i] = h;
        uint32_t j = h & wp->table_mask;
        while (wp->table[j] >= 0) j = (j + 1) & wp->table_mask;
        wp->table[j] = i;
    }
    wp->offsets[V] = at;
    return ATTN_OK;
}

/* ---- Unicode classes (HF's definitions) ------------------------------------- */

/* HF's categories come from the unicode_categories crate (an old Unicode),
 * its lowercase from Rust's std (a newer one) than utf8proc 2.8 (Unicode 15).
 * These tables list where they differ; tests/ref-style probe that found them
 * (tokenizers 0.23.3, every code point): HF pre_tokenize_str('a'+c+'b') for
 * punctuation, BertNormalizer(strip_accents only) on NFD-stable c for Mn,
 * BertNormalizer(clean_text only) for Cc/Cf/Co, Lowercase() for case. */
/* P* in utf8proc, not in HF's tables */
static const uint32_t HF_NOT_PUNCT[][2] = {
    {0x61d, 0x61d}, {0x9fd, 0x9fd}, {0xa76, 0xa76}, {0xc77, 0xc77}, {0xc84, 0xc84}, {0x1b7d, 0x1b7e},
    {0x2e43, 0x2e4f}, {0x2e52, 0x2e5d}, {0x10ead, 0x10ead}, {0x10f55, 0x10f59}, {0x10f86, 0x10f89},
    {0x1144b, 0x1144f}, {0x1145a, 0x1145b}, {0x1145d, 0x1145d}, {0x11660, 0x1166c}, {0x116b9, 0x116b9},
    {0x1183b, 0x1183b}, {0x11944, 0x11946}, {0x119e2, 0x119e2}, {0x11a3f, 0x11a46}, {0x11a9a, 0x11a9c},
    {0x11a9e, 0x11aa2}, {0x11b00, 0x11b09}, {0x11c41, 0x11c45}, {0x11c70, 0x11c71}, {0x11ef7, 0x11ef8},
    {0x11f43, 0x11f4f}, {0x11fff, 0x11fff}, {0x12ff1, 0x12ff2}, {0x16e97, 0x16e9a}, {0x16fe2, 0x16fe2},
    {0x1e95e, 0x1e95f},
};
/* P* in HF's tables, not in utf8proc */
static const uint32_t HF_PUNCT[][2] = {
    {0x166d, 0x166d}, {0x111c9, 0x111c9},
};
/* Mn in utf8proc, not in HF's tables */
static const uint32_t HF_NOT_MN[][2] = {
    {0x7fd, 0x7fd}, {0x898, 0x89f}, {0x8ca, 0x8e1}, {0x9fe, 0x9fe}, {0xafa, 0xaff}, {0xb55, 0xb55}, {0xc04, 0xc04},
    {0xc3c, 0xc3c}, {0xd00, 0xd00}, {0xd3b, 0xd3c}, {0xd81, 0xd81}, {0xeba, 0xeba}, {0xece, 0xece}, {0x180f, 0x180f},
    {0x1885, 0x1886}, {0x1abf, 0x1ace}, {0x1df6, 0x1dfb}, {0xa82c, 0xa82c}, {0xa8c5, 0xa8c5}, {0xa8ff, 0xa8ff},
    {0xa9bd, 0xa9bd}, {0x10d24, 0x10d27}, {0x10eab, 0x10eac}, {0x10efd, 0x10eff}, {0x10f46, 0x10f50},
    {0x10f82, 0x10f85}, {0x11070, 0x11070}, {0x11073, 0x11074}, {0x110c2, 0x110c2}, {0x111c9, 0x111c9},
    {0x111cf, 0x111cf}, {0x1123e, 0x1123e}, {0x11241, 0x11241}, {0x1133b, 0x1133b}, {0x11438, 0x1143f},
    {0x11442, 0x11444}, {0x11446, 0x11446}, {0x1145e, 0x1145e}, {0x1182f, 0x11837}, {0x11839, 0x1183a},
    {0x1193b, 0x1193c}, {0x1193e, 0x1193e}, {0x11943, 0x11943}, {0x119d4, 0x119d7}, {0x119da, 0x119db},
    {0x119e0, 0x119e0}, {0x11a01, 0x11a0a}, {0x11a33, 0x11a38}, {0x11a3b, 0x11a3e}, {0x11a47, 0x11a47},
    {0x11a51, 0x11a56}, {0x11a59, 0x11a5b}, {0x11a8a, 0x11a96}, {0x11a98, 0x11a99}, {0x11c30, 0x11c36},
    {0x11c38, 0x11c3d}, {0x11c3f, 0x11c3f}, {0x11c92, 0x11ca7}, {0x11caa, 0x11cb0}, {0x11cb2, 0x11cb3},
    {0x11cb5, 0x11cb6}, {0x11d31, 0x11d36}, {0x11d3a, 0x11d3a}, {0x11d3c, 0x11d3d}, {0x11d3f, 0x11d45},
    {0x11d47, 0x11d47}, {0x11d90, 0x11d91}, {0x11d95, 0x11d95}, {0x11d97, 0x11d97}, {0x11ef3, 0x11ef4},
    {0x11f00, 0x11f01}, {0x11f36, 0x11f3a}, {0x11f40, 0x11f40}, {0x11f42, 0x11f42}, {0x13440, 0x13440},
    {0x13447, 0x13455}, {0x16f4f, 0x16f4f}, {0x16fe4, 0x16fe4}, {0x1cf00, 0x1cf2d}, {0x1cf30, 0x1cf46},
    {0x1e000, 0x1e006}, {0x1e008, 0x1e018}, {0x1e01b, 0x1e021}, {0x1e023, 0x1e024}, {0x1e026, 0x1e02a},
    {0x1e08f, 0x1e08f}, {0x1e130, 0x1e136}, {0x1e2ae, 0x1e2ae}, {0x1e2ec, 0x1e2ef}, {0x1e4ec, 0x1e4ef},
    {0x1e944, 0x1e94a},
};
/* Mn in HF's tables, not in utf8proc */
static const uint32_t HF_MN[][2] = {
    {0x1734, 0x1734},
};
/* Cc/Cf/Co in utf8proc, not in HF's tables */
static const uint32_t HF_NOT_OTHER[][2] = {
    {0x890, 0x891}, {0x8e2, 0x8e2}, {0x110cd, 0x110cd}, {0x13430, 0x1343f},
};
/* lowercase mappings Rust has and utf8proc lacks (U+0130 is handled apart) */
static const uint32_t HF_LOWER[][2] = {
    {0x1c89, 0x1c8a}, {0xa7cb, 0x264}, {0xa7cc, 0xa7cd}, {0xa7ce, 0xa7cf}, {0xa7d2, 0xa7d3}, {0xa7d4, 0xa7d5},
    {0xa7da, 0xa7db}, {0xa7dc, 0x19b}, {0x10d50, 0x10d70}, {0x10d51, 0x10d71}, {0x10d52, 0x10d72}, {0x10d53, 0x10d73},
    {0x10d54, 0x10d74}, {0x10d55, 0x10d75}, {0x10d56, 0x10d76}, {0x10d57, 0x10d77}, {0x10d58, 0x10d78},
    {0x10d59, 0x10d79}, {0x10d5a, 0x10d7a}, {0x10d5b, 0x10d7b}, {0x10d5c, 0x10d7c}, {0x10d5d, 0x10d7d},
    {0x10d5e, 0x10d7e}, {0x10d5f, 0x10d7f}, {0x10d60, 0x10d80}, {0x10d61, 0x10d81}, {0x10d62, 0x10d82},
    {0x10d63, 0x10d83}, {0x10d64, 0x10d84}, {0x10d65, 0x10d85}, {0x16ea0, 0x16ebb}, {0x16ea1, 0x16ebc},
    {0x16ea2, 0x16ebd}, {0x16ea3, 0x16ebe}, {0x16ea4, 0x16ebf}, {0x16ea5, 0x16ec0}, {0x16ea6, 0x16ec1},
    {0x16ea7, 0x16ec2}, {0x16ea8, 0x16ec3}, {0x16ea9, 0x16ec4}, {0x16eaa, 0x16ec5}, {0x16eab, 0x16ec6},
    {0x16eac, 0x16ec7}, {0x16ead, 0x16ec8}, {0x16eae, 0x16ec9}, {0x16eaf, 0x16eca}, {0x16eb0, 0x16ecb},
    {0x16eb1, 0x16ecc}, {0x16eb2, 0x16ecd}, {0x16eb3, 0x16ece}, {0x16eb4, 0x16ecf}, {0x16eb5, 0x16ed0},
    {0x16eb6, 0x16ed1}, {0x16eb7, 0x16ed2}, {0x16eb8, 0x16ed3},
};

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t c) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid][1] < c) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && r[lo][0] <= c;
}
#define IN(table, c) in_ranges(table, ARRAY_LEN(table), c)

static bool hf_is_mn(uint32_t c) {
    if (IN(HF_MN, c)) return true;
    return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_MN && !IN(HF_NOT_MN, c);
}

static uint32_t hf_tolower(uint32_t c) {
    size_t lo = 0, hi = ARRAY_LEN(HF_LOWER);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (HF_LOWER[mid][0] < c) lo = mid + 1;
        else hi = mid;
    }
    if (lo < ARRAY_LEN(HF_LOWER) && HF_LOWER[lo][0] == c) return HF_LOWER[lo][1];
    return (uint32_t)utf8proc_tolower((utf8proc_int32_t)c);
}

/* Rust's char::is_whitespace: the White_Space property. */
static bool is_ws(uint32_t c) {
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0d);
    return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
           c == 0x202f || c == 0x205f || c == 0x3000;
}

/* tokenizers' is_control: unicode_categories' is_other as HF runs it (Cc, Cf, Co;
 * unassigned code points are kept), but
 * \t \n \r count as whitespace. */
static bool is_control(uint32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
    return (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CO) &&
           !IN(HF_NOT_OTHER, c);
}

/* BERT's CJK ideograph ranges as tokenizers has them: 2B920, not BERT's
 * 2B820 (U+2B820..2B91F are not isolated by HF). */
static bool is_cjk(uint32_t c) {
    return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2a6df) ||
           (c >= 0x2a700 && c <= 0x2b73f) || (c >= 0x2b740 && c <= 0x2b81f) || (c >= 0x2b920 && c <= 0x2ceaf) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0x2f800 && c <= 0x2fa1f);
}

/* ASCII punctuation or a P* category. */
static bool is_punct(uint32_t c) {
    if (c < 0x80) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    switch (utf8proc_category((utf8proc_int32_t)c)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: case UTF8PROC_CATEGORY_PO:
        return !IN(HF_NOT_PUNCT, c);
    default:
        return IN(HF_PUNCT, c);
    }
}

/* ---- encode -------------------------------------------------------------------- */

/* One call's pre-tokenization state: the word being built. Bytes past
 * max_chars characters are not kept (the word is [UNK] anyway). */
typedef struct wp_word {
    char *buf;
    size_t n, cap;
    int64_t chars;
    wordpiece_word_fn sink;  /* non-NULL: words go here, whole, instead of the model */
    void *sink_ctx;
} wp_word;

/* WordPiece on one word, appending ids. */
static attn_status wp_word_flush(const wp_tokenizer *wp, wp_word *w, tok_ids *out) {
    if (w->chars == 0) return ATTN_OK;
    attn_status st;
    if (w->sink) {
        st = w->sink(w->sink_ctx, w->buf, w->n);
        w->n = 0;
        w->chars = 0;
        return st;
    }
    const char *s = w->buf;
    size_t n = w->n;
    int64_t chars = w->chars;
    w->n = 0;
    w->chars = 0;
    if (chars > wp->max_chars) {
        if ((st = tok_ids_reserve(out, 1)) != ATTN_OK) return st;
        out->data[out->n++] = wp->unk_id;
        return ATTN_OK;
    }
    int64_t first = out->n;
    size_t start = 0;
    while (start < n) {
        const char *pre = start ? wp->prefix : "";
        size_t pre_len = start ? wp->prefix_len : 0;
        size_t end = n;
        /* Skip ends that give a key longer than any token (HF tries them and
         * fails; same result). */
        if (wp->max_token_bytes < pre_len) end = start;
        else if (end - start > wp->max_token_bytes - pre_len) {
            end = start + (wp->max_token_bytes - pre_len);
            while (end > start && ((unsigned char)s[end] & 0xc0) == 0x80) end--;
        }
        int32_t id = -1;
        while (end > start) {
            if ((id = wp_lookup(wp, pre, pre_len, s + start, end - start)) >= 0) break;
            do end--;
            while (end > start && ((unsigned char)s[end] & 0xc0) == 0x80);
        }
        if (id < 0) {
            out->n = first;
            if ((st = tok_ids_reserve(out, 1)) != ATTN_OK) return st;
            out->data[out->n++] = wp->unk_id;
            return ATTN_OK;
        }
        if ((st = tok_ids_reserve(out, 1)) != ATTN_OK) return st;
        out->data[out->n++] = id;
        start = end;
    }
    return ATTN_OK;
}

static attn_status wp_word_push(const wp_tokenizer *wp, wp_word *w, uint32_t cp) {
    w->chars++;
    if (w->chars > wp->max_chars && !w->sink) return ATTN_OK;
    if (w->cap - w->n < 4) {
        size_t cap = w->cap * 2 + 64;
        char *b = attn_realloc(w->buf, cap);
        if (!b) return ATTN_ERR_OUT_OF_MEMORY;
        w->buf = b;
        w->cap = cap;
    }
    if (cp < 0x80) w->buf[w->n++] = (char)cp;
    else w->n += (size_t)utf8_encode(cp, w->buf + w->n);
    return ATTN_OK;
}

/* Pre-tokenization of one normalized code point. */
static attn_status wp_pretok(const wp_tokenizer *wp, wp_word *w, uint32_t cp, tok_ids *out) {
    attn_status st;
    if (!wp->has_pretok) return wp_word_push(wp, w, cp);
    if (is_ws(cp)) return wp_word_flush(wp, w, out);
    if (is_punct(cp)) {
        if ((st = wp_word_flush(wp, w, out)) != ATTN_OK) return st;
        if ((st = wp_word_push(wp, w, cp)) != ATTN_OK) return st;
        return wp_word_flush(wp, w, out);
    }
    return wp_word_push(wp, w, cp);
}

/* strip_accents and lowercase of one code point, then pre-tokenization. */
static attn_status wp_after_chinese(const wp_tokenizer *wp, wp_word *w, uint32_t cp, tok_ids *out) {
    utf8proc_int32_t dec[32];
    int n = 1;
    dec[0] = (utf8proc_int32_t)cp;
    if (wp->strip_accents && cp >= 0x80) {
        int boundclass = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)cp, dec, 32, UTF8PROC_DECOMPOSE, &boundclass);
        if (k < 1 || k > 32) {
            dec[0] = (utf8proc_int32_t)cp;
            k = 1;
        }
        n = (int)k;
    }
    attn_status st;
    for (int i = 0; i < n; i++) {
        uint32_t c = (uint32_t)dec[i];
        if (wp->strip_accents && c >= 0x80 && hf_is_mn(c)) continue;
        if (wp->lowercase) {
            if (c == 0x130) {   /* Rust: 'İ'.to_lowercase() == "i\u{307}"; utf8proc gives 'i' */
                if ((st = wp_pretok(wp, w, 'i', out)) != ATTN_OK) return st;
                c = 0x307;
            } else {
                c = hf_tolower(c);
            }
        }
        if ((st = wp_pretok(wp, w, c, out)) != ATTN_OK) return st;
    }
    return ATTN_OK;
}

/* The whole pipeline for one input code point. */
static attn_status wp_char(const wp_tokenizer *wp, wp_word *w, uint32_t cp, tok_ids *out) {
    if (wp->has_normalizer) {
        if (wp->clean_text) {
            if (cp == 0 || cp == 0xfffd || is_control(cp)) return ATTN_OK;
            if (is_ws(cp)) cp = ' ';
        }
        if (wp->chinese && is_cjk(cp)) {
            attn_status st;
            if ((st = wp_after_chinese(wp, w, ' ', out)) != ATTN_OK) return st;
            if ((st = wp_after_chinese(wp, w, cp, out)) != ATTN_OK) return st;
            return wp_after_chinese(wp, w, ' ', out);
        }
        return wp_after_chinese(wp, w, cp, out);
    }
    return wp_pretok(wp, w, cp, out);
}

/* Fills the ASCII fast path: the same steps as wp_char, for one byte. */
static void wp_build_ascii(wp_tokenizer *wp) {
    for (uint32_t c = 0; c < 128; c++) {
        uint32_t x = c;
        unsigned char kind = ASCII_CHAR;
        if (wp->has_normalizer && wp->clean_text) {
            if (x == 0 || is_control(x)) kind = ASCII_DROP;
            else if (is_ws(x)) x = ' ';
        }
        if (wp->lowercase && x >= 'A' && x <= 'Z') x += 'a' - 'A';
        if (kind != ASCII_DROP && wp->has_pretok) kind = is_ws(x) ? ASCII_SPACE : is_punct(x) ? ASCII_PUNCT : ASCII_CHAR;
        wp->ascii_kind[c] = kind;
        wp->ascii_byte[c] = (unsigned char)x;
    }
}

/* Normalizes and pre-tokenizes text into w, flushing each word (to the
 * model, or to w->sink). The caller frees w->buf. */
static attn_status wp_run(const wp_tokenizer *wp, const char *text, size_t len, wp_word *w, tok_ids *out) {
    const unsigned char *s = (const unsigned char *)text;
    attn_status st = ATTN_OK;
    size_t i = 0;
    while (i < len && st == ATTN_OK) {
        uint32_t cp = s[i];
        if (cp < 0x80) {
            i++;
            switch (wp->ascii_kind[cp]) {
            case ASCII_DROP: break;
            case ASCII_SPACE: st = wp_word_flush(wp, w, out); break;
            case ASCII_PUNCT:
                if ((st = wp_word_flush(wp, w, out)) != ATTN_OK) break;
                if ((st = wp_word_push(wp, w, wp->ascii_byte[cp])) != ATTN_OK) break;
                st = wp_word_flush(wp, w, out);
                break;
            default: st = wp_word_push(wp, w, wp->ascii_byte[cp]); break;
            }
            continue;
        }
        int k = utf8_decode(s + i, len - i, &cp);
        if (!k) {   /* not UTF-8: read the byte as U+FFFD */
            cp = 0xfffd;
            k = 1;
        }
        i += (size_t)k;
        st = wp_char(wp, w, cp, out);
    }
    if (st == ATTN_OK) st = wp_word_flush(wp, w, out);
    return st;
}

static attn_status wp_encode(const attn_tokenizer *tok, const char *text, size_t len, size_t base, tok_ids *out) {
    (void)base;
    wp_word w = {0};
    attn_status st = wp_run((const wp_tokenizer *)tok, text, len, &w, out);
    attn_free(w.buf);
    return st;
}

attn_status wordpiece_pretokenize(const attn_tokenizer *tok, const char *text, size_t len, wordpiece_word_fn fn,
                                  void *ctx) {
    if (!tok || tok->vt != &WP_VTABLE || !fn || (!text && len))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "wordpiece_pretokenize: not a wordpiece tokenizer, or NULL argument");
    wp_word w = {.sink = fn, .sink_ctx = ctx};
    attn_status st = wp_run((const wp_tokenizer *)tok, text, len, &w, NULL);
    attn_free(w.buf);
    return st;
}

/* ---- decode ---------------------------------------------------------------------- */

/* Appends src with tokenizers' cleanup() replacements applied in its order. */
static size_t cleanup_into(char *dst, const char *src, size_t n) {
    static const char *const from[] = {" .", " ?", " !", " ,", " ' ", " n't", " 'm", " do not", " 's", " 've", " 're"};
    static const char *const to[] = {".", "?", "!", ",", "'", "n't", "'m", " don't", "'s", "'ve", "'re"};
    /* Replacements never lengthen; work in place in dst, one pass each. */
    memmove(dst, src, n);
    for (size_t r = 0; r < ARRAY_LEN(from); r++) {
        size_t fl = strlen(from[r]), tl = strlen(to[r]), o = 0, i = 0;
        if (!memmem(dst, n, from[r], fl)) continue;
        while (i < n) {
            if (n - i >= fl && !memcmp(dst + i, from[r], fl)) {
                memcpy(dst + o, to[r], tl);
                o += tl;
                i += fl;
            } else {
                dst[o++] = dst[i++];
            }
        }
        n = o;
    }
    return n;
}

static attn_status wp_decode(const attn_tokenizer *tok, const int32_t *ids, int64_t n, char **text, size_t *len) {
    const wp_tokenizer *wp = (const wp_tokenizer *)tok;
    size_t total = 1;
    for (int64_t i = 0; i < n; i++) {
        size_t k;
        wp_token(wp, ids[i], &k);
        if (total > SIZE_MAX - k - 2) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "decoded text is too long");
        total += k + 1;
    }
    char *s = attn_malloc(total);
    if (!s) return ATTN_ERR_OUT_OF_MEMORY;
    size_t at = 0;
    const char *dp = wp->has_decoder ? wp->dec_prefix : "";
    size_t dpl = strlen(dp);
    int64_t kept = 0;
    for (int64_t i = 0; i < n; i++) {
        if (wp->special[ids[i]]) continue;   /* skip_special_tokens=True, tokenizers' default */
        size_t k;
        const char *t = wp_token(wp, ids[i], &k);
        size_t start = at;
        if (kept++ > 0) {
            if (wp->has_decoder && dpl && k >= dpl && !memcmp(t, dp, dpl)) {
                t += dpl;
                k -= dpl;
            } else {
                s[at++] = ' ';
            }
        }
        memcpy(s + at, t, k);
        at += k;
        if (wp->has_decoder && wp->cleanup) at = start + cleanup_into(s + start, s + start, at - start);
    }
    s[at] = 0;
    *text = s;
    *len = at;
    return ATTN_OK;
}

static attn_status wp_token_bytes(const attn_tokenizer *tok, int32_t id, const char **bytes, size_t *len) {
    *bytes = wp_token((const wp_tokenizer *)tok, id, len);
    return ATTN_OK;
}

static void wp_free(attn_tokenizer *tok) {
    wp_tokenizer *wp = (wp_tokenizer *)tok;
    attn_free(wp->blob);
    attn_free(wp->offsets);
    attn_free(wp->hashes);
    attn_free(wp->table);
    attn_free(wp->special);
    attn_free(wp->prefix);
    attn_free(wp->dec_prefix);
    attn_free(wp);
}

/* ---- building ---------------------------------------------------------------- */

static wp_tokenizer *wp_alloc(void) {
    wp_tokenizer *wp = attn_calloc(1, sizeof *wp);
    if (!wp) return NULL;
    wp->base.vt = &WP_VTABLE;
    wp->base.eot = -1;
    wp->unk_id = -1;
    wp->max_chars = 100;
    wp->has_normalizer = wp->clean_text = wp->chinese = wp->lowercase = wp->strip_accents = true;
    wp->strip_accents_json = -1;
    wp->has_pretok = true;
    wp->has_decoder = wp->cleanup = true;
    return wp;
}

static int32_t wp_find(const wp_tokenizer *wp, const char *s) {
    if (wp->n_model == 0) return -1;
    return wp_lookup(wp, "", 0, s, strlen(s));
}

/* BERT's template over named special tokens; false if one is missing. */
static bool wp_bert_template(wp_tokenizer *wp, const char *cls, const char *sep) {
    int32_t c = wp_find(wp, cls), s = wp_find(wp, sep);
    if (c < 0 || s < 0) return false;
    tok_post_bert(&wp->base.post, c, cls, s, sep);
    return true;
}

/* Common end of both loaders: strip_accents default, eot, ASCII table. */
static attn_status wp_finish(wp_tokenizer *wp, const char *path) {
    wp->strip_accents = wp->strip_accents_json < 0 ? wp->lowercase : wp->strip_accents_json == 1;
    if (!wp->has_normalizer) wp->clean_text = wp->chinese = wp->lowercase = wp->strip_accents = false;
    for (int32_t i = 0; i < wp->base.n_added; i++) {
        if (wp->base.added[i].special) wp->special[wp->base.added[i].id] = true;
        if (!strcmp(wp->base.added[i].content, ATTN_EOT_TEXT)) wp->base.eot = wp->base.added[i].id;
    }
    if (wp->max_chars < 1)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: max_input_chars_per_word must be at least 1", path);
    wp_build_ascii(wp);
    return ATTN_OK;
}

/* ---- vocab.txt ------------------------------------------------------------------- */

attn_status wordpiece_tokenizer_from_vocab_txt(const char *path, attn_tokenizer **out) {
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    const char **tokens = NULL;
    attn_status st = file_read_all(path, &buf, &len);
    if (st != ATTN_OK) return st;
    wp_tokenizer *wp = wp_alloc();
    if (!wp) {
        attn_free(buf);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    if (utf8_validate(buf, len) != len) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not valid UTF-8 at byte %zu", path, utf8_validate(buf, len));
        goto fail;
    }
    int64_t n_lines = 0;
    for (size_t i = 0; i < len; i++) n_lines += buf[i] == '\n';
    if (len && buf[len - 1] != '\n') n_lines++;
    if (n_lines == 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: empty vocabulary", path);
        goto fail;
    }
    if (n_lines > INT32_MAX - 1) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: too many tokens", path);
        goto fail;
    }
    if (!(tokens = attn_malloc((size_t)n_lines * sizeof *tokens))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    int32_t V = 0;
    for (size_t i = 0; i < len;) {
        char *line = buf + i, *nl = memchr(line, '\n', len - i);
        size_t k = nl ? (size_t)(nl - line) : len - i;
        i += k + 1;
        while (k && isspace((unsigned char)line[k - 1])) k--;   /* HF: line.trim_end() */
        line[k] = 0;
        if (k == 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %d is empty (one token per line)", path, (int)V + 1);
            goto fail;
        }
        if (memchr(line, 0, k)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %d holds a NUL byte", path, (int)V + 1);
            goto fail;
        }
        tokens[V++] = line;
    }
    if ((st = wp_index(wp, tokens, V, V, path)) != ATTN_OK) goto fail;
    if ((wp->unk_id = wp_find(wp, "[UNK]")) < 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: the vocabulary has no [UNK] token", path);
        goto fail;
    }
    if (!(wp->prefix = attn_strdup("##")) || !(wp->dec_prefix = attn_strdup("##"))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    wp->prefix_len = 2;
    /* BertWordPieceTokenizer's special tokens, those the file has. */
    static const char *const specials[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    int32_t n_sp = 0;
    if (!(wp->base.added = attn_calloc(ARRAY_LEN(specials), sizeof *wp->base.added))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (size_t i = 0; i < ARRAY_LEN(specials); i++) {
        int32_t id = wp_find(wp, specials[i]);
        if (id < 0) continue;
        tok_added *a = &wp->base.added[n_sp];
        if (!(a->content = attn_strdup(specials[i]))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        a->id = id;
        a->len = strlen(specials[i]);
        a->special = true;
        wp->base.n_added = ++n_sp;
    }
    for (int32_t a = 1; a < n_sp; a++)   /* sorted by id */
        for (int32_t b = a; b > 0 && wp->base.added[b - 1].id > wp->base.added[b].id; b--) {
            tok_added t = wp->base.added[b];
            wp->base.added[b] = wp->base.added[b - 1];
            wp->base.added[b - 1] = t;
        }
    wp_bert_template(wp, "[CLS]", "[SEP]");
    if ((st = wp_finish(wp, path)) != ATTN_OK) goto fail;
    attn_free(tokens);
    attn_free(buf);
    *out = &wp->base;
    return ATTN_OK;
fail:
    attn_free(tokens);
    attn_free(buf);
    attn_tokenizer_free(&wp->base);
    return st;
}

/* ---- tokenizer.json ---------------------------------------------------------------- */

static attn_status json_bool(const cJSON *obj, const char *key, bool dflt, bool *out, const char *path,
                             const char *where) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) {
        *out = dflt;
        return ATTN_OK;
    }
    if (!cJSON_IsBool(v)) return attn_errorf(ATTN_ERR_FORMAT, "%s: %s.%s is not true/false", path, where, key);
    *out = cJSON_IsTrue(v);
    return ATTN_OK;
}

static attn_status parse_normalizer(wp_tokenizer *wp, const cJSON *n, const char *path) {
    if (!n || cJSON_IsNull(n)) {
        wp->has_normalizer = false;
        return ATTN_OK;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(n, "type");
    if (!cJSON_IsObject(n) || !cJSON_IsString(type))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"normalizer\" has no string \"type\"", path);
    if (strcmp(type->valuestring, "BertNormalizer"))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: normalizer \"%s\" is not supported with WordPiece (only BertNormalizer)",
                           path, type->valuestring);
    attn_status st;
    if ((st = json_bool(n, "clean_text", true, &wp->clean_text, path, "normalizer")) != ATTN_OK ||
        (st = json_bool(n, "handle_chinese_chars", true, &wp->chinese, path, "normalizer")) != ATTN_OK ||
        (st = json_bool(n, "lowercase", true, &wp->lowercase, path, "normalizer")) != ATTN_OK)
        return st;
    const cJSON *sa = cJSON_GetObjectItemCaseSensitive(n, "strip_accents");
    if (!sa || cJSON_IsNull(sa)) wp->strip_accents_json = -1;
    else if (cJSON_IsBool(sa)) wp->strip_accents_json = cJSON_IsTrue(sa);
    else return attn_errorf(ATTN_ERR_FORMAT, "%s: normalizer.strip_accents is not true/false/null", path);
    return ATTN_OK;
}

static attn_status parse_pretok(wp_tokenizer *wp, const cJSON *p, const char *path) {
    if (!p || cJSON_IsNull(p)) {
        wp->has_pretok = false;
        return ATTN_OK;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
    if (!cJSON_IsString(type)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"pre_tokenizer\" has no string \"type\"", path);
    if (!strcmp(type->valuestring, "Sequence")) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(p, "pretokenizers");
        if (cJSON_IsArray(list) && cJSON_GetArraySize(list) == 1) return parse_pretok(wp, cJSON_GetArrayItem(list, 0), path);
    } else if (!strcmp(type->valuestring, "BertPreTokenizer")) {
        wp->has_pretok = true;
        return ATTN_OK;
    }
    return attn_errorf(ATTN_ERR_UNSUPPORTED,
                       "%s: pre_tokenizer \"%s\" is not supported with WordPiece (only BertPreTokenizer)", path,
                       type->valuestring);
}

static attn_status parse_decoder(wp_tokenizer *wp, const cJSON *d, const char *path) {
    const char *prefix = "##";
    if (!d || cJSON_IsNull(d)) {
        wp->has_decoder = false;
    } else {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(d, "type");
        if (!cJSON_IsString(type)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"decoder\" has no string \"type\"", path);
        if (strcmp(type->valuestring, "WordPiece"))
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: decoder \"%s\" is not supported with WordPiece", path,
                               type->valuestring);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(d, "prefix");
        if (p && !cJSON_IsString(p)) return attn_errorf(ATTN_ERR_FORMAT, "%s: decoder.prefix is not a string", path);
        if (p) prefix = p->valuestring;
        attn_status st = json_bool(d, "cleanup", true, &wp->cleanup, path, "decoder");
        if (st != ATTN_OK) return st;
    }
    return (wp->dec_prefix = attn_strdup(prefix)) ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
}

attn_status wordpiece_tokenizer_from_json(const cJSON *root, tok_added *added, int32_t n_added, const char *path,
                                          attn_tokenizer **out) {
    *out = NULL;
    attn_status st = ATTN_OK;
    const char **tokens = NULL;
    wp_tokenizer *wp = wp_alloc();
    if (!wp) {
        tok_added_free(added, n_added);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    wp->base.added = added;
    wp->base.n_added = n_added;
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    const cJSON *unk = cJSON_GetObjectItemCaseSensitive(model, "unk_token");
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(model, "continuing_subword_prefix");
    const cJSON *max_chars = cJSON_GetObjectItemCaseSensitive(model, "max_input_chars_per_word");
    if (!cJSON_IsObject(vocab)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"model.vocab\" is missing or not an object", path);
        goto fail;
    }
    if (!cJSON_IsString(unk)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"model.unk_token\" is missing or not a string", path);
        goto fail;
    }
    if (prefix && !cJSON_IsString(prefix)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"model.continuing_subword_prefix\" is not a string", path);
        goto fail;
    }
    if (max_chars) {
        int32_t m;
        if (!tokenizer_json_id(max_chars, &m) || m < 1) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"model.max_input_chars_per_word\" is not a positive integer", path);
            goto fail;
        }
        wp->max_chars = m;
    }
    int n = cJSON_GetArraySize(vocab);
    if (n == 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"model.vocab\" is empty", path);
        goto fail;
    }
    /* Added tokens either repeat a vocabulary entry or take the ids after it. */
    int32_t V = n;
    for (int32_t i = 0; i < n_added; i++)
        if (added[i].id >= V) V = added[i].id + 1;
    if ((int64_t)V > (int64_t)n + n_added) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: ids must be 0..V-1 without gaps (vocab %d, added tokens up to id %d)", path,
                         n, (int)V - 1);
        goto fail;
    }
    if (!(tokens = attn_calloc((size_t)V, sizeof *tokens))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, vocab) {
        const char *key = item->string ? item->string : "";
        int32_t id;
        if (!tokenizer_json_id(item, &id)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: model.vocab[\"%.60s\"] is not an integer id", path, key);
            goto fail;
        }
        if (id >= n) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: model.vocab[\"%.60s\"] = %d, but ids must be 0..%d without gaps", path,
                             key, (int)id, n - 1);
            goto fail;
        }
        if (tokens[id]) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: id %d is used twice in model.vocab", path, (int)id);
            goto fail;
        }
        if (!key[0] || utf8_validate(key, strlen(key)) != strlen(key)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: model.vocab has an empty or non-UTF-8 token (id %d)", path, (int)id);
            goto fail;
        }
        tokens[id] = key;
    }
    for (int32_t i = 0; i < n_added; i++) {
        int32_t id = added[i].id;
        if (id < n && strcmp(tokens[id], added[i].content)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: added token \"%.60s\" has id %d, which model.vocab gives to \"%.60s\"",
                             path, added[i].content, (int)id, tokens[id]);
            goto fail;
        }
        if (id >= n) {
            if (tokens[id]) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: id %d of added token \"%.60s\" is already used", path, (int)id,
                                 added[i].content);
                goto fail;
            }
            tokens[id] = added[i].content;
        }
    }
    for (int32_t i = n; i < V; i++)
        if (!tokens[i]) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: id %d has no token", path, (int)i);
            goto fail;
        }
    if ((st = wp_index(wp, tokens, V, n, path)) != ATTN_OK) goto fail;
    if ((wp->unk_id = wp_find(wp, unk->valuestring)) < 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: unk_token \"%.60s\" is not in model.vocab", path, unk->valuestring);
        goto fail;
    }
    if (!(wp->prefix = attn_strdup(prefix ? prefix->valuestring : "##"))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    wp->prefix_len = strlen(wp->prefix);
    if ((st = parse_normalizer(wp, cJSON_GetObjectItemCaseSensitive(root, "normalizer"), path)) != ATTN_OK ||
        (st = parse_pretok(wp, cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"), path)) != ATTN_OK ||
        (st = parse_decoder(wp, cJSON_GetObjectItemCaseSensitive(root, "decoder"), path)) != ATTN_OK ||
        (st = tok_post_parse(&wp->base.post, cJSON_GetObjectItemCaseSensitive(root, "post_processor"), wp->base.vocab_size, path)) != ATTN_OK ||
        (st = wp_finish(wp, path)) != ATTN_OK)
        goto fail;
    attn_free(tokens);
    *out = &wp->base;
    return ATTN_OK;
fail:
    attn_free(tokens);
    attn_tokenizer_free(&wp->base);
    return st;
}

/* ---- save -------------------------------------------------------------------------- */

#define J(x)                                                                                 \
    do {                                                                                     \
        if (!(x)) {                                                                          \
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json"); \
            goto done;                                                                       \
        }                                                                                    \
    } while (0)

static attn_status wp_save(const attn_tokenizer *tok, const char *dir) {
    const wp_tokenizer *wp = (const wp_tokenizer *)tok;
    attn_status st = ATTN_OK;
    char *path = path_join(dir, "tokenizer.json");
    cJSON *root = tokenizer_json_root();
    if (!path || !root) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    J(cJSON_AddNullToObject(root, "truncation"));
    J(cJSON_AddNullToObject(root, "padding"));
    J(tokenizer_json_add_added(tok, root) == ATTN_OK);
    /* HF's AddedToken fields beyond id/content/special. */
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), *a;
    int32_t k = 0;
    cJSON_ArrayForEach(a, arr) {
        J(cJSON_AddBoolToObject(a, "single_word", false));
        J(cJSON_AddBoolToObject(a, "lstrip", false));
        J(cJSON_AddBoolToObject(a, "rstrip", false));
        J(cJSON_AddBoolToObject(a, "normalized", !tok->added[k++].special));
    }
    if (wp->has_normalizer) {
        cJSON *n = cJSON_AddObjectToObject(root, "normalizer");
        J(n);
        J(cJSON_AddStringToObject(n, "type", "BertNormalizer"));
        J(cJSON_AddBoolToObject(n, "clean_text", wp->clean_text));
        J(cJSON_AddBoolToObject(n, "handle_chinese_chars", wp->chinese));
        J(wp->strip_accents_json < 0 ? cJSON_AddNullToObject(n, "strip_accents")
                                      : cJSON_AddBoolToObject(n, "strip_accents", wp->strip_accents_json));
        J(cJSON_AddBoolToObject(n, "lowercase", wp->lowercase));
    } else {
        J(cJSON_AddNullToObject(root, "normalizer"));
    }
    if (wp->has_pretok) {
        cJSON *p = cJSON_AddObjectToObject(root, "pre_tokenizer");
        J(p);
        J(cJSON_AddStringToObject(p, "type", "BertPreTokenizer"));
    } else {
        J(cJSON_AddNullToObject(root, "pre_tokenizer"));
    }
    {
        cJSON *p = NULL;
        if ((st = tok_post_json(&wp->base.post, &wp->base, &p)) != ATTN_OK) goto done;
        if (p) {
            if (!cJSON_AddItemToObject(root, "post_processor", p)) cJSON_Delete(p);   /* not attached: ours to free */
            J(cJSON_GetObjectItemCaseSensitive(root, "post_processor"));
        } else
            J(cJSON_AddNullToObject(root, "post_processor"));
    }
    if (wp->has_decoder) {
        cJSON *d = cJSON_AddObjectToObject(root, "decoder");
        J(d);
        J(cJSON_AddStringToObject(d, "type", "WordPiece"));
        J(cJSON_AddStringToObject(d, "prefix", wp->dec_prefix));
        J(cJSON_AddBoolToObject(d, "cleanup", wp->cleanup));
    } else {
        J(cJSON_AddNullToObject(root, "decoder"));
    }
    cJSON *model = cJSON_AddObjectToObject(root, "model"), *vocab;
    J(model);
    J(cJSON_AddStringToObject(model, "type", "WordPiece"));
    size_t ul;
    J(cJSON_AddStringToObject(model, "unk_token", wp_token(wp, wp->unk_id, &ul)));
    J(cJSON_AddStringToObject(model, "continuing_subword_prefix", wp->prefix));
    J(cJSON_AddNumberToObject(model, "max_input_chars_per_word", wp->max_chars));
    J(vocab = cJSON_AddObjectToObject(model, "vocab"));
    for (int32_t id = 0; id < wp->n_model; id++) {
        size_t len;
        J(cJSON_AddNumberToObject(vocab, wp_token(wp, id, &len), id));
    }
    st = tokenizer_json_write(root, path);
done:
    cJSON_Delete(root);
    attn_free(path);
    return st;
}

static const tokenizer_vtable WP_VTABLE = {
    .kind = "wordpiece",
    .encode = wp_encode,
    .decode = wp_decode,
    .token_bytes = wp_token_bytes,
    .save = wp_save,
    .free = wp_free,
};
