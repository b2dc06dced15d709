/* bm25.c — Okapi BM25 over passages of text files (include/attn/tools.h).
 *
 * Adding a document cuts it into passages and each passage into words
 * (interned in a hash table of their own: the term ids); a passage's
 * distinct terms and counts go to a flat list. Building turns that list
 * into postings per term (passage, tf), by counting sort. A search adds
 * each distinct query term's contribution to the passages on its postings
 * and sorts the passages that scored. */
#include "core/core.h"

#include "attn/tools.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

typedef struct bm_doc {
    char *name, *text;
} bm_doc;

typedef struct bm_pass {
    int32_t doc;
    int32_t words;
    int64_t line;
    size_t off, len;
    int64_t first; /* its (term, tf) entries: pt[first .. next passage's first) */
} bm_pass;

struct attn_bm25 {
    bm_doc *docs;
    int32_t n_docs, cap_docs;
    bm_pass *pass;
    int64_t n_pass, cap_pass;
    /* terms: bytes[off[i] .. off[i] + len[i]), hash table of id + 1 */
    char *bytes;
    size_t used, cap_bytes;
    size_t *t_off;
    uint32_t *t_len;
    int32_t n_terms, cap_terms;
    int32_t *slots;
    size_t n_slots; /* a power of two */
    /* per passage: distinct terms and counts */
    int32_t *pt_term, *pt_tf;
    int64_t n_pt, cap_pt;
    /* postings (built): term t's are [post_start[t], post_start[t + 1]) */
    bool built;
    int64_t *post_start;
    int32_t *post_pass, *post_tf;
    double avg_len;
    int64_t total_words;
};

static bool grow(void **p, size_t elem, int64_t need, int64_t *cap) {
    if (need <= *cap) return true;
    int64_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = attn_realloc(*p, (size_t)c * elem);
    if (!q) return false;
    *p = q;
    *cap = c;
    return true;
}

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

/* The id of the term s[0..n), or -1 (add: interned when new; -2 on OOM). */
static int32_t term_id(attn_bm25 *ix, const char *s, size_t n, bool add) {
    if (!ix->n_slots) {
        if (!add) return -1;
        ix->slots = attn_calloc(1024, sizeof *ix->slots);
        if (!ix->slots) return -2;
        ix->n_slots = 1024;
    }
    size_t mask = ix->n_slots - 1, i = (size_t)hash_bytes(s, n) & mask;
    for (; ix->slots[i]; i = (i + 1) & mask) {
        int32_t id = ix->slots[i] - 1;
        if (ix->t_len[id] == n && !memcmp(ix->bytes + ix->t_off[id], s, n)) return id;
    }
    if (!add) return -1;
    int64_t cap_t = ix->cap_terms, cap_b = (int64_t)ix->cap_bytes;
    if (!grow((void **)&ix->t_off, sizeof *ix->t_off, ix->n_terms + 1, &cap_t) ||
        !grow((void **)&ix->t_len, sizeof *ix->t_len, ix->n_terms + 1, &(int64_t){ix->cap_terms}) ||
        !grow((void **)&ix->bytes, 1, (int64_t)(ix->used + n), &cap_b))
        return -2;
    ix->cap_terms = (int32_t)cap_t;
    ix->cap_bytes = (size_t)cap_b;
    int32_t id = ix->n_terms++;
    memcpy(ix->bytes + ix->used, s, n);
    ix->t_off[id] = ix->used;
    ix->t_len[id] = (uint32_t)n;
    ix->used += n;
    ix->slots[i] = id + 1;
    if ((size_t)ix->n_terms * 2 > ix->n_slots) { /* rehash at half full */
        size_t ns = ix->n_slots * 2;
        int32_t *sl = attn_calloc(ns, sizeof *sl);
        if (!sl) return -2;
        for (int32_t t = 0; t < ix->n_terms; t++) {
            size_t j = (size_t)hash_bytes(ix->bytes + ix->t_off[t], ix->t_len[t]) & (ns - 1);
            while (sl[j]) j = (j + 1) & (ns - 1);
            sl[j] = t + 1;
        }
        attn_free(ix->slots);
        ix->slots = sl;
        ix->n_slots = ns;
    }
    return id;
}

/* ---- words ------------------------------------------------------------------------ */

static bool is_word_cp(int32_t cp) {
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

/* The next word of s[*at..n): its start and end in s and its lower-cased
 * bytes in buf (grown as needed). false at the end. Invalid UTF-8 bytes
 * separate words. */
typedef struct word_buf {
    char *p;
    size_t len, cap;
} word_buf;

static attn_status wb_add(word_buf *w, const char *s, size_t n) {
    if (w->len + n > w->cap) {
        size_t c = w->cap ? w->cap * 2 : 64;
        while (c < w->len + n) c *= 2;
        char *q = attn_realloc(w->p, c);
        if (!q) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        w->p = q;
        w->cap = c;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
    return ATTN_OK;
}

static int next_cp(const char *s, size_t n, size_t at, int32_t *cp) {
    unsigned char c = (unsigned char)s[at];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    utf8proc_int32_t v;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + at, (utf8proc_ssize_t)(n - at), &v);
    if (k <= 0) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return (int)k;
}

/* 1: a word at [*start, *end) with its lower-cased bytes in w; 0: none left. */
static int next_word(const char *s, size_t n, size_t *at, size_t *start, size_t *end, word_buf *w, attn_status *st) {
    int32_t cp;
    size_t i = *at;
    while (i < n) {
        int k = next_cp(s, n, i, &cp);
        if (cp >= 0 && is_word_cp(cp)) break;
        i += (size_t)k;
    }
    if (i >= n) {
        *at = n;
        return 0;
    }
    *start = i;
    w->len = 0;
    while (i < n) {
        int k = next_cp(s, n, i, &cp);
        if (cp < 0 || !is_word_cp(cp)) break;
        char enc[4];
        int32_t lo = cp < 0x80 ? (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp) : utf8proc_tolower(cp);
        utf8proc_ssize_t m = utf8proc_encode_char(lo, (utf8proc_uint8_t *)enc);
        if ((*st = wb_add(w, enc, (size_t)m))) return -1;
        i += (size_t)k;
    }
    *end = i;
    *at = i;
    return 1;
}

attn_status attn_bm25_words(const char *text, size_t len, char **out, size_t *out_len) {
    if (!out || !out_len || (!text && len)) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_words: NULL argument");
    *out = NULL;
    *out_len = 0;
    word_buf w = {0}, o = {0};
    size_t at = 0, a, b;
    attn_status st = ATTN_OK;
    int got;
    while ((got = next_word(text, len, &at, &a, &b, &w, &st)) == 1)
        if ((st = wb_add(&o, w.p, w.len)) || (st = wb_add(&o, "\n", 1))) break;
    if (!st && got < 0) st = st ? st : attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    if (!st) st = wb_add(&o, "", 1);
    attn_free(w.p);
    if (st) {
        attn_free(o.p);
        return st;
    }
    *out = o.p;
    *out_len = o.len - 1;
    return ATTN_OK;
}

/* ---- the index ---------------------------------------------------------------------- */

attn_status attn_bm25_new(attn_bm25 **out) {
    if (!out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_new: NULL out");
    *out = attn_calloc(1, sizeof **out);
    return *out ? ATTN_OK : attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
}

static void drop_postings(attn_bm25 *ix) {
    attn_free(ix->post_start);
    attn_free(ix->post_pass);
    attn_free(ix->post_tf);
    ix->post_start = NULL;
    ix->post_pass = ix->post_tf = NULL;
    ix->built = false;
}

void attn_bm25_free(attn_bm25 *ix) {
    if (!ix) return;
    for (int32_t i = 0; i < ix->n_docs; i++) {
        attn_free(ix->docs[i].name);
        attn_free(ix->docs[i].text);
    }
    attn_free(ix->docs);
    attn_free(ix->pass);
    attn_free(ix->bytes);
    attn_free(ix->t_off);
    attn_free(ix->t_len);
    attn_free(ix->slots);
    attn_free(ix->pt_term);
    attn_free(ix->pt_tf);
    drop_postings(ix);
    attn_free(ix);
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Closes the passage [start, end) of document doc holding ids[0..n). */
static attn_status close_passage(attn_bm25 *ix, int32_t doc, size_t start, size_t end, int64_t line, int32_t *ids,
                                 int32_t n) {
    if (!n) return ATTN_OK;
    if (!grow((void **)&ix->pass, sizeof *ix->pass, ix->n_pass + 1, &ix->cap_pass) ||
        !grow((void **)&ix->pt_term, sizeof *ix->pt_term, ix->n_pt + n, &(int64_t){ix->cap_pt}) ||
        !grow((void **)&ix->pt_tf, sizeof *ix->pt_tf, ix->n_pt + n, &ix->cap_pt))
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    qsort(ids, (size_t)n, sizeof *ids, cmp_i32);
    ix->pass[ix->n_pass++] = (bm_pass){doc, n, line, start, end - start, ix->n_pt};
    for (int32_t i = 0; i < n;) {
        int32_t j = i;
        while (j < n && ids[j] == ids[i]) j++;
        ix->pt_term[ix->n_pt] = ids[i];
        ix->pt_tf[ix->n_pt++] = j - i;
        i = j;
    }
    ix->total_words += n;
    return ATTN_OK;
}

attn_status attn_bm25_add(attn_bm25 *ix, const char *name, const char *text, size_t len) {
    if (!ix || !name || (!text && len)) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_add: NULL argument");
    if (ix->n_docs == INT32_MAX) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_add: too many documents");
    int64_t cap = ix->cap_docs;
    bm_doc d = {attn_malloc(strlen(name) + 1), attn_malloc(len + 1)};
    if (!d.name || !d.text || !grow((void **)&ix->docs, sizeof *ix->docs, ix->n_docs + 1, &cap)) {
        attn_free(d.name);
        attn_free(d.text);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    ix->cap_docs = (int32_t)cap;
    memcpy(d.name, name, strlen(name) + 1);
    if (len) memcpy(d.text, text, len);
    d.text[len] = '\0';
    int32_t doc = ix->n_docs++;
    ix->docs[doc] = d;
    drop_postings(ix);
    const char *s = d.text;
    word_buf w = {0};
    int32_t *ids = NULL;
    int64_t n_ids = 0, cap_ids = 0;
    size_t at = 0, a = 0, b = 0, p_start = 0, p_end = 0, scanned = 0;
    int64_t line = 1, p_line = 1;
    attn_status st = ATTN_OK;
    int got;
    while ((got = next_word(s, len, &at, &a, &b, &w, &st)) == 1) {
        /* the gap scanned..a: lines counted; a blank line in it ends the paragraph */
        bool blank = false, nl = false, only_space = false;
        for (size_t i = scanned; i < a; i++) {
            char c = s[i];
            if (c == '\n') {
                if (nl && only_space) blank = true;
                nl = true;
                only_space = true;
                line++;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                only_space = false;
            }
        }
        scanned = b;
        if (n_ids && (blank || n_ids >= ATTN_BM25_WINDOW)) {
            if ((st = close_passage(ix, doc, p_start, p_end, p_line, ids, (int32_t)n_ids))) break;
            n_ids = 0;
        }
        if (!n_ids) {
            p_start = a;
            p_line = line;
        }
        int32_t id = term_id(ix, w.p, w.len, true);
        if (id < 0 || !grow((void **)&ids, sizeof *ids, n_ids + 1, &cap_ids)) {
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
            break;
        }
        ids[n_ids++] = id;
        /* the passage runs to the word's end and the punctuation after it on its line */
        p_end = b;
        while (p_end < len && s[p_end] != '\n' && s[p_end] != '\r') {
            int32_t cp;
            int k = next_cp(s, len, p_end, &cp);
            if (cp >= 0 && is_word_cp(cp)) break;
            p_end += (size_t)k;
        }
        while (p_end > b && (s[p_end - 1] == ' ' || s[p_end - 1] == '\t')) p_end--;
    }
    if (!st && got < 0) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    if (!st) st = close_passage(ix, doc, p_start, p_end, p_line, ids, (int32_t)n_ids);
    attn_free(w.p);
    attn_free(ids);
    return st;
}

static bool wanted_name(const char *name) {
    size_t n = strlen(name);
    return name[0] != '.' && ((n > 4 && !strcmp(name + n - 4, ".txt")) || (n > 3 && !strcmp(name + n - 3, ".md")));
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static attn_status add_tree(attn_bm25 *ix, const char *dir, int depth) {
    if (depth > 32) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: folders nested more than 32 deep", dir);
    DIR *d = opendir(dir);
    if (!d) return attn_errorf(ATTN_ERR_IO, "cannot open the folder %s", dir);
    char **names = NULL;
    int64_t n = 0, cap = 0;
    attn_status st = ATTN_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *p = path_join(dir, e->d_name);
        if (!p || !grow((void **)&names, sizeof *names, n + 1, &cap)) {
            attn_free(p);
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
            break;
        }
        names[n++] = p;
    }
    closedir(d);
    if (n) qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int64_t i = 0; i < n && !st; i++) {
        struct stat sb;
        if (stat(names[i], &sb) != 0) continue; /* a dangling link */
        if (S_ISDIR(sb.st_mode)) {
            st = add_tree(ix, names[i], depth + 1);
        } else if (S_ISREG(sb.st_mode) && wanted_name(strrchr(names[i], '/') + 1)) {
            char *text = NULL;
            size_t len = 0;
            if (!(st = file_read_all(names[i], &text, &len)) && !(st = attn_text_check(names[i], text, len)))
                st = attn_bm25_add(ix, names[i], text, len);
            attn_free(text);
        }
    }
    for (int64_t i = 0; i < n; i++) attn_free(names[i]);
    attn_free(names);
    return st;
}

attn_status attn_bm25_add_dir(attn_bm25 *ix, const char *dir) {
    if (!ix || !dir) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_add_dir: NULL argument");
    struct stat sb;
    if (stat(dir, &sb) != 0) return attn_errorf(ATTN_ERR_IO, "%s: no such folder", dir);
    if (!S_ISDIR(sb.st_mode)) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s is not a folder", dir);
    int32_t before = ix->n_docs;
    attn_status st = add_tree(ix, dir, 0);
    if (!st && ix->n_docs == before)
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s holds no .txt or .md file to search", dir);
    return st;
}

int64_t attn_bm25_passages(const attn_bm25 *ix) { return ix ? ix->n_pass : 0; }
int64_t attn_bm25_terms(const attn_bm25 *ix) { return ix ? ix->n_terms : 0; }

attn_status attn_bm25_get(const attn_bm25 *ix, int64_t p, attn_bm25_passage *out) {
    if (!ix || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_get: NULL argument");
    if (p < 0 || p >= ix->n_pass)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_get: passage %lld of %lld", (long long)p, (long long)ix->n_pass);
    const bm_pass *q = &ix->pass[p];
    *out = (attn_bm25_passage){ix->docs[q->doc].name, q->line, ix->docs[q->doc].text + q->off, q->len, q->words};
    return ATTN_OK;
}

attn_status attn_bm25_build(attn_bm25 *ix) {
    if (!ix) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_build: NULL index");
    if (ix->built) return ATTN_OK;
    drop_postings(ix);
    ix->post_start = attn_calloc((size_t)ix->n_terms + 1, sizeof *ix->post_start);
    ix->post_pass = attn_malloc((size_t)(ix->n_pt ? ix->n_pt : 1) * sizeof *ix->post_pass);
    ix->post_tf = attn_malloc((size_t)(ix->n_pt ? ix->n_pt : 1) * sizeof *ix->post_tf);
    if (!ix->post_start || !ix->post_pass || !ix->post_tf) {
        drop_postings(ix);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    for (int64_t i = 0; i < ix->n_pt; i++) ix->post_start[ix->pt_term[i] + 1]++;
    for (int32_t t = 0; t < ix->n_terms; t++) ix->post_start[t + 1] += ix->post_start[t];
    /* fill in passage order, so each term's postings are sorted by passage */
    int64_t *fill = attn_malloc(((size_t)ix->n_terms + 1) * sizeof *fill);
    if (!fill) {
        drop_postings(ix);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    memcpy(fill, ix->post_start, ((size_t)ix->n_terms + 1) * sizeof *fill);
    for (int64_t p = 0; p < ix->n_pass; p++) {
        int64_t end = p + 1 < ix->n_pass ? ix->pass[p + 1].first : ix->n_pt;
        for (int64_t i = ix->pass[p].first; i < end; i++) {
            int64_t at = fill[ix->pt_term[i]]++;
            ix->post_pass[at] = (int32_t)p;
            ix->post_tf[at] = ix->pt_tf[i];
        }
    }
    attn_free(fill);
    ix->avg_len = ix->n_pass ? (double)ix->total_words / (double)ix->n_pass : 0;
    ix->built = true;
    return ATTN_OK;
}

typedef struct scored {
    double score;
    int64_t p;
} scored;

static int cmp_scored(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return (x->p > y->p) - (x->p < y->p);
}

attn_status attn_bm25_search(attn_bm25 *ix, const char *query, size_t len, int64_t k, attn_bm25_hit *hits,
                             int64_t *n_hits) {
    if (!ix || (!query && len) || !n_hits || k < 0 || (k && !hits))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_bm25_search: bad argument");
    *n_hits = 0;
    attn_status st = attn_bm25_build(ix);
    if (st) return st;
    if (!k || !ix->n_pass) return ATTN_OK;
    /* the query's distinct known terms */
    word_buf w = {0};
    int32_t *terms = NULL;
    int64_t nt = 0, cap_t = 0;
    size_t at = 0, a, b;
    int got;
    while ((got = next_word(query, len, &at, &a, &b, &w, &st)) == 1) {
        int32_t id = term_id(ix, w.p, w.len, false);
        if (id < 0) continue;
        bool seen = false;
        for (int64_t i = 0; i < nt && !seen; i++) seen = terms[i] == id;
        if (seen) continue;
        if (!grow((void **)&terms, sizeof *terms, nt + 1, &cap_t)) {
            got = -1;
            break;
        }
        terms[nt++] = id;
    }
    attn_free(w.p);
    double *score = got < 0 ? NULL : attn_calloc((size_t)ix->n_pass, sizeof *score);
    if (!score) {
        attn_free(terms);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    const double N = (double)ix->n_pass, k1 = ATTN_BM25_K1, bb = ATTN_BM25_B;
    int64_t touched = 0;
    for (int64_t i = 0; i < nt; i++) {
        int64_t s0 = ix->post_start[terms[i]], s1 = ix->post_start[terms[i] + 1];
        double df = (double)(s1 - s0), idf = log(1.0 + (N - df + 0.5) / (df + 0.5));
        for (int64_t j = s0; j < s1; j++) {
            int32_t p = ix->post_pass[j];
            double tf = ix->post_tf[j], dl = ix->pass[p].words;
            if (score[p] == 0) touched++;
            score[p] += idf * tf * (k1 + 1) / (tf + k1 * (1 - bb + bb * dl / ix->avg_len));
        }
    }
    attn_free(terms);
    scored *c = attn_malloc((size_t)(touched ? touched : 1) * sizeof *c);
    if (!c) {
        attn_free(score);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    int64_t m = 0;
    for (int64_t p = 0; p < ix->n_pass && m < touched; p++)
        if (score[p] > 0) c[m++] = (scored){score[p], p};
    qsort(c, (size_t)m, sizeof *c, cmp_scored);
    for (int64_t i = 0; i < m && i < k; i++) hits[i] = (attn_bm25_hit){c[i].p, c[i].score};
    *n_hits = m < k ? m : k;
    attn_free(c);
    attn_free(score);
    return ATTN_OK;
}
