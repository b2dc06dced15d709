/* sentiment.c — a lexicon's sentiment score of a text, by the rules of
 * VADER (Hutto & Gilbert 2014; the Python package vaderSentiment 3.3.2)
 * that need only its lexicon: words split at whitespace, ASCII punctuation
 * stripped from their ends (unless two or fewer characters would remain),
 * each word's lexicon valence (looked up in ASCII lower case), "no" before
 * a lexicon word, a negation within the three words before one (x -0.74;
 * "never so/this" x 1.25; "without doubt" unchanged), "least", an
 * all-capitals lexicon word among mixed-case ones (+-0.733), the first
 * "but" (x 0.5 before it, x 1.5 after), the emphasis of '!' and '?', and
 * the normalisation sum / sqrt(sum^2 + 15). Left out: VADER's booster and
 * dampener words, its idioms and emoji. The rules follow VADER's code where
 * its code and paper differ (its check for "so" or "this" just before a
 * word three words after a non-lexicon word, for one). */
#include "attn/eval.h"
#include "core/core.h"
#include "core/strset.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_SCALAR (-0.74)
#define C_INCR 0.733
#define ALPHA 15.0

struct attn_lexicon {
    str_pool words;
    str_index index;
    double *valence;      /* by the pool's index */
    int64_t cap;
};

/* VADER's negation words; a word holding "n't" negates too. */
static const char *const NEGATIONS[] = {
    "aint",     "arent",    "cannot",  "cant",    "couldnt", "darent",  "didnt",   "doesnt",   "ain't",   "aren't",
    "can't",    "couldn't", "daren't", "didn't",  "doesn't", "dont",    "hadnt",   "hasnt",    "havent",  "isnt",
    "mightnt",  "mustnt",   "neither", "don't",   "hadn't",  "hasn't",  "haven't", "isn't",    "mightn't", "mustn't",
    "neednt",   "needn't",  "never",   "none",    "nope",    "nor",     "not",     "nothing",  "nowhere", "oughtnt",
    "shant",    "shouldnt", "uhuh",    "wasnt",   "werent",  "oughtn't", "shan't", "shouldn't", "uh-uh",  "wasn't",
    "weren't",  "without",  "wont",    "wouldnt", "won't",   "wouldn't", "rarely", "seldom",   "despite",
};

void attn_lexicon_free(attn_lexicon *lex) {
    if (!lex) return;
    str_pool_free(&lex->words);
    attn_free(lex->index.slots);
    attn_free(lex->valence);
    attn_free(lex);
}

int64_t attn_lexicon_size(const attn_lexicon *lex) { return lex ? lex->words.n : 0; }

static attn_status add_word(attn_lexicon *lex, const char *w, size_t n, double v) {
    int32_t idx;
    bool added;
    attn_status st = str_index_intern(&lex->index, &lex->words, w, n, &idx, &added);
    if (st) return st;
    if (idx >= lex->cap) {
        int64_t cap = lex->cap ? 2 * lex->cap : 1024;
        double *nv = attn_realloc(lex->valence, (size_t)cap * sizeof *nv);
        if (!nv) return ATTN_ERR_OUT_OF_MEMORY;
        lex->valence = nv;
        lex->cap = cap;
    }
    lex->valence[idx] = v; /* a word listed again: the last valence, as VADER's dictionary */
    return ATTN_OK;
}

attn_status attn_lexicon_parse(const char *name, const char *text, size_t len, attn_lexicon **out) {
    *out = NULL;
    attn_status st = text_check_at(name, text, len, 1, 0);
    if (st) return st;
    attn_lexicon *lex = attn_calloc(1, sizeof *lex);
    if (!lex) return ATTN_ERR_OUT_OF_MEMORY;
    int64_t line = 0;
    for (size_t start = 0; start < len && !st;) {
        line++;
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len, next = nl ? end + 1 : len;
        const char *s = text + start, *e = text + end;
        while (s < e && isspace((unsigned char)*s)) s++;
        while (e > s && isspace((unsigned char)e[-1])) e--;
        start = next;
        if (s == e) continue;
        const char *tab = memchr(s, '\t', (size_t)(e - s));
        if (!tab || tab == s) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: not \"WORD<TAB>VALENCE\"", name, (long long)line);
            break;
        }
        const char *ve = memchr(tab + 1, '\t', (size_t)(e - tab - 1));
        if (!ve) ve = e;
        char num[64];
        size_t nn = (size_t)(ve - tab - 1);
        char *stop = NULL;
        double v = 0;
        if (nn > 0 && nn < sizeof num) {
            memcpy(num, tab + 1, nn);
            num[nn] = 0;
            errno = 0;
            v = strtod(num, &stop);
        }
        if (nn == 0 || nn >= sizeof num || *stop || errno || !isfinite(v)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: the valence \"%.*s\" is not a finite number", name, (long long)line,
                             (int)(nn < 32 ? nn : 32), tab + 1);
            break;
        }
        st = add_word(lex, s, (size_t)(tab - s), v);
    }
    if (!st && lex->words.n == 0) st = attn_errorf(ATTN_ERR_FORMAT, "%s: no words (lines \"WORD<TAB>VALENCE\")", name);
    if (st) {
        attn_lexicon_free(lex);
        return st;
    }
    *out = lex;
    return ATTN_OK;
}

static attn_status parse_file(const char *name, const char *text, size_t len, void *out) {
    return attn_lexicon_parse(name, text, len, out);
}

attn_status attn_lexicon_load(const char *path, attn_lexicon **out) {
    *out = NULL;
    return file_read_parse(path, parse_file, out);
}

/* ---- scoring ------------------------------------------------------------------ */

typedef struct word {
    const char *s, *low; /* the word's bytes as written and in ASCII lower case */
    size_t n;
    int32_t lex;         /* lexicon index, or -1 */
    bool upper;          /* a capital letter and no small one (Python's str.isupper, over ASCII) */
} word;

static bool is(const word *w, const char *s) { return w->n == strlen(s) && !memcmp(w->low, s, w->n); }

static bool negated(const word *w) {
    for (size_t k = 0; k < sizeof NEGATIONS / sizeof *NEGATIONS; k++)
        if (is(w, NEGATIONS[k])) return true;
    for (size_t i = 0; i + 3 <= w->n; i++)
        if (!memcmp(w->low + i, "n't", 3)) return true;
    return false;
}

static bool punct(unsigned char c) { return c < 128 && ispunct(c); }

static size_t code_points(const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* VADER's negation check of the word start + 1 before word i. */
static double negation_check(double v, const word *w, int start, int64_t i) {
    if (start == 0) return negated(&w[i - 1]) ? v * N_SCALAR : v;
    if (start == 1) {
        if (is(&w[i - 2], "never") && (is(&w[i - 1], "so") || is(&w[i - 1], "this"))) return v * 1.25;
        if (is(&w[i - 2], "without") && is(&w[i - 1], "doubt")) return v;
        return negated(&w[i - 2]) ? v * N_SCALAR : v;
    }
    if ((is(&w[i - 3], "never") && (is(&w[i - 2], "so") || is(&w[i - 2], "this"))) || is(&w[i - 1], "so") ||
        is(&w[i - 1], "this"))
        return v * 1.25;
    if (is(&w[i - 3], "without") && (is(&w[i - 2], "doubt") || is(&w[i - 1], "doubt"))) return v;
    return negated(&w[i - 3]) ? v * N_SCALAR : v;
}

/* The valence of word i, a lexicon word. */
static double valence_of(const attn_lexicon *lex, const word *w, int64_t n, int64_t i, bool cap_diff) {
    double base = lex->valence[w[i].lex], v = base;
    if (is(&w[i], "no") && i != n - 1 && w[i + 1].lex >= 0) v = 0;
    if ((i > 0 && is(&w[i - 1], "no")) || (i > 1 && is(&w[i - 2], "no")) ||
        (i > 2 && is(&w[i - 3], "no") && (is(&w[i - 1], "or") || is(&w[i - 1], "nor"))))
        v = base * N_SCALAR;
    if (w[i].upper && cap_diff) v += v > 0 ? C_INCR : -C_INCR;
    for (int start = 0; start < 3; start++)
        if (i > start && w[i - start - 1].lex < 0) v = negation_check(v, w, start, i);
    if (i > 1 && w[i - 1].lex < 0 && is(&w[i - 1], "least")) {
        if (!is(&w[i - 2], "at") && !is(&w[i - 2], "very")) v *= N_SCALAR;
    } else if (i > 0 && w[i - 1].lex < 0 && is(&w[i - 1], "least")) {
        v *= N_SCALAR;
    }
    return v;
}

attn_status attn_lexicon_score(const attn_lexicon *lex, const char *text, size_t len, double *out) {
    *out = 0;
    char *low = attn_malloc(len + 1);
    word *w = attn_malloc((len / 2 + 1) * sizeof *w);
    if (!low || !w) {
        attn_free(low);
        attn_free(w);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    int64_t n = 0, caps = 0, bang = 0, ask = 0;
    for (size_t i = 0; i < len; i++) {
        low[i] = (char)tolower((unsigned char)text[i]);
        bang += text[i] == '!';
        ask += text[i] == '?';
    }
    for (size_t i = 0; i < len;) {
        while (i < len && isspace((unsigned char)text[i])) i++;
        size_t s = i;
        while (i < len && !isspace((unsigned char)text[i])) i++;
        if (i == s) break;
        size_t a = s, b = i;
        while (a < b && punct((unsigned char)text[a])) a++;
        while (b > a && punct((unsigned char)text[b - 1])) b--;
        if (code_points(text + a, b - a) <= 2) a = s, b = i; /* an emoticon: kept whole */
        word *x = &w[n++];
        *x = (word){.s = text + a, .low = low + a, .n = b - a};
        x->lex = str_index_find(&lex->index, &lex->words, x->low, x->n);
        bool big = false, small = false;
        for (size_t k = 0; k < x->n; k++) big |= isupper((unsigned char)x->s[k]) != 0, small |= islower((unsigned char)x->s[k]) != 0;
        x->upper = big && !small;
        caps += x->upper;
    }
    bool cap_diff = caps > 0 && caps < n;
    int64_t but = -1;
    for (int64_t i = 0; i < n && but < 0; i++)
        if (is(&w[i], "but")) but = i;
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        if (w[i].lex < 0) continue;
        double v = valence_of(lex, w, n, i, cap_diff);
        if (but >= 0) v *= i < but ? 0.5 : i > but ? 1.5 : 1.0;
        sum += v;
    }
    double emphasis = (double)(bang < 4 ? bang : 4) * 0.292 + (ask > 1 ? (ask <= 3 ? (double)ask * 0.18 : 0.96) : 0.0);
    if (sum > 0) sum += emphasis;
    else if (sum < 0) sum -= emphasis;
    double c = sum / sqrt(sum * sum + ALPHA);
    *out = c < -1 ? -1 : c > 1 ? 1 : c;
    attn_free(low);
    attn_free(w);
    return ATTN_OK;
}
