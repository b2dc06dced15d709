/* bleu.c — corpus BLEU identical to sacreBLEU's defaults (see eval.h).
 *
 * 13a tokenization replays sacreBLEU's Tokenizer13a: drop "<skipped>", join
 * "-\n", newlines to spaces, unescape &quot; &amp; &lt; &gt; (in that
 * order, as str.replace does), pad with spaces, then four regex
 * substitutions applied one after another over code points, each scanning
 * left to right with non-overlapping matches as Python's re.sub does:
 *   1. ASCII punctuation other than ' , - . and the space -> " c "
 *   2. ([^0-9])([.,])  -> "\1 \2 "   (split . and , unless after a digit)
 *   3. ([.,])([^0-9])  -> " \1 \2"   (... unless before a digit)
 *   4. ([0-9])(-)      -> "\1 \2 "
 * and finally Python's str.split() (Unicode whitespace) joined by single
 * spaces. Bytes that are not valid UTF-8 are read as U+FFFD. */
#include "attn/eval.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>

/* ---- 13a ------------------------------------------------------------------ */

typedef struct cps {
    uint32_t *v;
    size_t n, cap;
} cps;

static bool cps_push(cps *c, uint32_t x) {
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        uint32_t *nv = attn_realloc(c->v, cap * sizeof *nv);
        if (!nv) return false;
        c->v = nv;
        c->cap = cap;
    }
    c->v[c->n++] = x;
    return true;
}

static bool is_digit(uint32_t c) { return c >= '0' && c <= '9'; }

static bool rule1_class(uint32_t c) {
    return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') || (c >= '(' && c <= '+') ||
           (c >= ':' && c <= '@') || c == '/';
}

/* Python's str.isspace(), which str.split() splits on */
static bool py_space(uint32_t c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Replaces every occurrence of the ASCII string `from` by `to` (ASCII). */
static bool replace_all(cps *c, const char *from, const char *to) {
    size_t fl = strlen(from), tl = strlen(to), w = 0;
    uint32_t *v = c->v;
    for (size_t i = 0; i < c->n;) {
        size_t k = 0;
        while (k < fl && i + k < c->n && v[i + k] == (unsigned char)from[k]) k++;
        if (k == fl && fl) {
            /* tl <= fl for every replacement used here, so writing in place is safe */
            for (size_t j = 0; j < tl; j++) v[w++] = (unsigned char)to[j];
            i += fl;
        } else {
            v[w++] = v[i++];
        }
    }
    c->n = w;
    return true;
}

static bool contains(const cps *c, uint32_t x) {
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i] == x) return true;
    return false;
}

attn_status attn_bleu_tokenize_13a(const char *text, size_t len, char **out, size_t *out_len) {
    cps a = {0}, b = {0};
    attn_status st = ATTN_OK;
    const unsigned char *s = (const unsigned char *)text;
    bool ok = cps_push(&a, ' ');
    for (size_t i = 0; i < len && ok;) {
        uint32_t cp = s[i];
        int k = 1;
        if (cp >= 0x80 && !(k = utf8_decode(s + i, len - i, &cp))) {
            cp = 0xfffd;
            k = 1;
        }
        ok = cps_push(&a, cp);
        i += (size_t)k;
    }
    if (!ok) goto oom;
    /* the language-independent part, on the unpadded text */
    a.v++, a.n--;
    replace_all(&a, "<skipped>", "");
    replace_all(&a, "-\n", "");
    for (size_t i = 0; i < a.n; i++)
        if (a.v[i] == '\n') a.v[i] = ' ';
    if (contains(&a, '&')) {
        replace_all(&a, "&quot;", "\"");
        replace_all(&a, "&amp;", "&");
        replace_all(&a, "&lt;", "<");
        replace_all(&a, "&gt;", ">");
    }
    a.v--, a.n++;
    if (!cps_push(&a, ' ')) goto oom;
    /* rule 1 */
    for (size_t i = 0; i < a.n && ok; i++) {
        if (rule1_class(a.v[i]))
            ok = cps_push(&b, ' ') && cps_push(&b, a.v[i]) && cps_push(&b, ' ');
        else
            ok = cps_push(&b, a.v[i]);
    }
    if (!ok) goto oom;
    /* rule 2: ([^0-9])([.,]) -> \1 \2 */
    a.n = 0;
    for (size_t i = 0; i < b.n && ok;) {
        if (i + 1 < b.n && !is_digit(b.v[i]) && (b.v[i + 1] == '.' || b.v[i + 1] == ',')) {
            ok = cps_push(&a, b.v[i]) && cps_push(&a, ' ') && cps_push(&a, b.v[i + 1]) && cps_push(&a, ' ');
            i += 2;
        } else {
            ok = cps_push(&a, b.v[i++]);
        }
    }
    if (!ok) goto oom;
    /* rule 3: ([.,])([^0-9]) -> " \1 \2" */
    b.n = 0;
    for (size_t i = 0; i < a.n && ok;) {
        if (i + 1 < a.n && (a.v[i] == '.' || a.v[i] == ',') && !is_digit(a.v[i + 1])) {
            ok = cps_push(&b, ' ') && cps_push(&b, a.v[i]) && cps_push(&b, ' ') && cps_push(&b, a.v[i + 1]);
            i += 2;
        } else {
            ok = cps_push(&b, a.v[i++]);
        }
    }
    if (!ok) goto oom;
    /* rule 4: ([0-9])(-) -> "\1 \2 " */
    a.n = 0;
    for (size_t i = 0; i < b.n && ok;) {
        if (i + 1 < b.n && is_digit(b.v[i]) && b.v[i + 1] == '-') {
            ok = cps_push(&a, b.v[i]) && cps_push(&a, ' ') && cps_push(&a, '-') && cps_push(&a, ' ');
            i += 2;
        } else {
            ok = cps_push(&a, b.v[i++]);
        }
    }
    if (!ok) goto oom;
    /* split on whitespace, join with single spaces, encode as UTF-8 */
    char *o = attn_malloc(a.n * 4 + 1);
    if (!o) goto oom;
    size_t w = 0;
    bool in_word = false;
    for (size_t i = 0; i < a.n; i++) {
        if (py_space(a.v[i])) {
            in_word = false;
            continue;
        }
        if (!in_word && w) o[w++] = ' ';
        in_word = true;
        w += (size_t)utf8_encode(a.v[i], o + w);
    }
    o[w] = 0;
    *out = o;
    if (out_len) *out_len = w;
    goto done;
oom:
    st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory tokenizing for BLEU");
done:
    attn_free(a.v);
    attn_free(b.v);
    return st;
}

/* ---- n-gram statistics ------------------------------------------------------ */

/* An n-gram of token ids and its count, in an open-addressing table. */
typedef struct ngram {
    uint64_t hash;
    int32_t ids[4];
    int32_t n, count, ref_max;
} ngram;

typedef struct ngram_table {
    ngram *slots;
    size_t cap, used;
} ngram_table;

/* Token strings to ids: one table for the whole corpus. */
typedef struct vocab {
    char **words;
    uint64_t *hashes;
    int32_t *slot_ids;   /* open addressing: id+1, 0 empty */
    size_t cap, n;
} vocab;

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static int32_t vocab_id(vocab *v, const char *s, size_t n) {
    if (2 * (v->n + 1) > v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 1024;
        int32_t *slots = attn_calloc(cap, sizeof *slots);
        char **words = attn_realloc(v->words, cap / 2 * sizeof *words);
        uint64_t *hashes = attn_realloc(v->hashes, cap / 2 * sizeof *hashes);
        if (words) v->words = words;
        if (hashes) v->hashes = hashes;
        if (!slots || !words || !hashes) {
            attn_free(slots);
            return -1;
        }
        for (size_t i = 0; i < v->n; i++) {
            size_t j = v->hashes[i] & (cap - 1);
            while (slots[j]) j = (j + 1) & (cap - 1);
            slots[j] = (int32_t)i + 1;
        }
        attn_free(v->slot_ids);
        v->slot_ids = slots;
        v->cap = cap;
    }
    uint64_t h = hash_bytes(s, n);
    size_t j = h & (v->cap - 1);
    while (v->slot_ids[j]) {
        int32_t id = v->slot_ids[j] - 1;
        if (v->hashes[id] == h && strlen(v->words[id]) == n && !memcmp(v->words[id], s, n)) return id;
        j = (j + 1) & (v->cap - 1);
    }
    char *w = attn_malloc(n + 1);
    if (!w) return -1;
    memcpy(w, s, n);
    w[n] = 0;
    v->words[v->n] = w;
    v->hashes[v->n] = h;
    v->slot_ids[j] = (int32_t)v->n + 1;
    return (int32_t)v->n++;
}

static void vocab_free(vocab *v) {
    for (size_t i = 0; i < v->n; i++) attn_free(v->words[i]);
    attn_free(v->words);
    attn_free(v->hashes);
    attn_free(v->slot_ids);
}

/* Tokenizes and maps to ids; *ids attn_malloc'ed. */
static attn_status sentence_ids(vocab *v, const char *s, int32_t **ids, int64_t *n) {
    char *tok = NULL;
    size_t len;
    attn_status st = attn_bleu_tokenize_13a(s, strlen(s), &tok, &len);
    if (st) return st;
    int64_t cap = 1;
    for (size_t i = 0; i < len; i++) cap += tok[i] == ' ';
    *ids = attn_malloc((size_t)cap * sizeof **ids);
    *n = 0;
    if (!*ids) {
        attn_free(tok);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && tok[j] != ' ') j++;
        int32_t id = vocab_id(v, tok + i, j - i);
        if (id < 0) {
            attn_free(tok);
            return ATTN_ERR_OUT_OF_MEMORY;
        }
        (*ids)[(*n)++] = id;
        i = j + 1;
    }
    attn_free(tok);
    return ATTN_OK;
}

static uint64_t ngram_hash(const int32_t *ids, int n) {
    uint64_t h = 0x9e3779b97f4a7c15ULL * (uint64_t)n;
    for (int k = 0; k < n; k++) h = (h ^ (uint64_t)(uint32_t)ids[k]) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 29);
}

/* The slot of this n-gram (inserted with zero counts if absent). */
static ngram *ngram_slot(ngram_table *t, const int32_t *ids, int n) {
    uint64_t h = ngram_hash(ids, n);
    size_t j = h & (t->cap - 1);
    while (t->slots[j].n) {
        ngram *g = &t->slots[j];
        if (g->hash == h && g->n == n && !memcmp(g->ids, ids, (size_t)n * sizeof *ids)) return g;
        j = (j + 1) & (t->cap - 1);
    }
    ngram *g = &t->slots[j];
    g->hash = h;
    g->n = n;
    memcpy(g->ids, ids, (size_t)n * sizeof *ids);
    g->count = g->ref_max = 0;
    t->used++;
    return g;
}

static bool table_reset(ngram_table *t, int64_t need) {
    size_t cap = 16;
    while (cap < (size_t)need * 2 + 16) cap *= 2;
    if (cap > t->cap) {
        attn_free(t->slots);
        t->slots = attn_malloc(cap * sizeof *t->slots);
        if (!t->slots) return false;
        t->cap = cap;
    }
    memset(t->slots, 0, t->cap * sizeof *t->slots);
    t->used = 0;
    return true;
}

attn_status attn_bleu_corpus(const char *const *hyps, int64_t n_sentences, const char *const *const *refs, int n_refs,
                             attn_bleu *out) {
    memset(out, 0, sizeof *out);
    if (n_refs < 1 || n_sentences < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "BLEU needs at least one reference set");
    vocab v = {0};
    ngram_table hyp_t = {0}, ref_t = {0};
    int32_t *h = NULL, *r = NULL;
    attn_status st = ATTN_OK;
    for (int64_t i = 0; i < n_sentences; i++) {
        int64_t nh = 0;
        attn_free(h);
        h = NULL;
        if ((st = sentence_ids(&v, hyps[i], &h, &nh)) != ATTN_OK) goto done;
        if (!table_reset(&ref_t, 0)) goto oom;
        int64_t best_len = -1;
        /* per-reference counts, max over references */
        for (int k = 0; k < n_refs; k++) {
            int64_t nr = 0;
            attn_free(r);
            r = NULL;
            if ((st = sentence_ids(&v, refs[k][i], &r, &nr)) != ATTN_OK) goto done;
            if (best_len < 0 || llabs(nr - nh) < llabs(best_len - nh) || (llabs(nr - nh) == llabs(best_len - nh) && nr < best_len))
                best_len = nr;
            if (!table_reset(&hyp_t, 4 * nr)) goto oom; /* scratch: this reference's counts */
            for (int n = 1; n <= 4; n++)
                for (int64_t p = 0; p + n <= nr; p++) ngram_slot(&hyp_t, r + p, n)->count++;
            if (ref_t.cap < 2 * (ref_t.used + hyp_t.used) + 16) {
                /* grow ref_t keeping its entries */
                ngram_table bigger = {0};
                if (!table_reset(&bigger, (int64_t)(ref_t.used + hyp_t.used))) goto oom;
                for (size_t j = 0; j < ref_t.cap; j++)
                    if (ref_t.slots[j].n) *ngram_slot(&bigger, ref_t.slots[j].ids, ref_t.slots[j].n) = ref_t.slots[j];
                attn_free(ref_t.slots);
                ref_t = bigger;
            }
            for (size_t j = 0; j < hyp_t.cap; j++) {
                const ngram *g = &hyp_t.slots[j];
                if (!g->n) continue;
                ngram *e = ngram_slot(&ref_t, g->ids, g->n);
                if (g->count > e->ref_max) e->ref_max = g->count;
            }
        }
        out->hyp_len += nh;
        out->ref_len += best_len;
        if (!table_reset(&hyp_t, 4 * nh)) goto oom;
        for (int n = 1; n <= 4; n++) {
            if (nh >= n) out->total[n - 1] += nh - n + 1;
            for (int64_t p = 0; p + n <= nh; p++) ngram_slot(&hyp_t, h + p, n)->count++;
        }
        for (size_t j = 0; j < hyp_t.cap; j++) {
            const ngram *g = &hyp_t.slots[j];
            if (!g->n) continue;
            /* look the n-gram up in the reference table without inserting */
            uint64_t hh = g->hash;
            size_t q = hh & (ref_t.cap - 1);
            int32_t m = 0;
            while (ref_t.slots[q].n) {
                const ngram *e = &ref_t.slots[q];
                if (e->hash == hh && e->n == g->n && !memcmp(e->ids, g->ids, (size_t)g->n * sizeof *g->ids)) {
                    m = e->ref_max;
                    break;
                }
                q = (q + 1) & (ref_t.cap - 1);
            }
            out->correct[g->n - 1] += g->count < m ? g->count : m;
        }
    }
    /* sacreBLEU's compute_bleu with smooth_method="exp" */
    double smooth = 1.0, log_sum = 0.0;
    for (int n = 0; n < 4; n++) {
        if (out->total[n] == 0) break; /* sacreBLEU stops at the first empty order: the rest stay 0 */
        if (out->correct[n] == 0) {
            smooth *= 2.0;
            out->precisions[n] = 100.0 / (smooth * (double)out->total[n]);
        } else {
            out->precisions[n] = 100.0 * (double)out->correct[n] / (double)out->total[n];
        }
    }
    for (int n = 0; n < 4; n++) log_sum += out->precisions[n] > 0 ? log(out->precisions[n]) : -9999999999.0;
    out->brevity_penalty = out->hyp_len == 0 ? 0.0
                           : out->hyp_len >= out->ref_len ? 1.0
                                                          : exp(1.0 - (double)out->ref_len / (double)out->hyp_len);
    out->score = out->brevity_penalty * exp(log_sum / 4.0);
    goto done;
oom:
    st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory computing BLEU");
done:
    attn_free(h);
    attn_free(r);
    attn_free(hyp_t.slots);
    attn_free(ref_t.slots);
    vocab_free(&v);
    return st;
}
