/* labeled.c — labelled-example files (TSV, CSV, JSON lines) for classification
 * fine-tuning; the formats and errors are specified in include/attn/labeled.h.
 *
 * The whole file is read into memory and checked once for UTF-8 and NUL
 * bytes. TSV and CSV rows are split in place (a quoted CSV field only ever
 * shrinks when its doubled quotes are undone, so it is rewritten over
 * itself); JSON lines go through cJSON. Every row then passes through
 * add_example(), which owns the checks shared by the formats and interns the
 * label in a string pool; the label ids are settled at the end (sorted, or
 * looked up in the fixed set). */
#include "attn/labeled.h"
#include "core/core.h"
#include "core/strset.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

enum { FORMAT_TSV, FORMAT_CSV, FORMAT_JSONL };

static const char *const TEXT_NAMES[] = {"text", "sentence", "sentence1", "text_a"};
static const char *const PAIR_NAMES[] = {"text_pair", "sentence2", "text_b"};
static const char *const LABEL_NAME[] = {"label"};

/* ---- the examples being collected ----------------------------------------- */

typedef struct builder {
    const char *path;
    int64_t n, cap;
    char **text, **pair;
    int32_t *label;            /* index into pool while reading */
    int has_pair;              /* -1 until the first example, then 0 or 1 */
    int64_t first_line;        /* line of the first example (for the mixing error) */
    str_pool pool;             /* distinct labels; with a fixed set, its labels come first */
    str_index index;
    int64_t n_fixed;
} builder;

static void builder_free(builder *b) {
    for (int64_t i = 0; i < b->n; i++) {
        attn_free(b->text[i]);
        if (b->pair) attn_free(b->pair[i]);
    }
    attn_free(b->text);
    attn_free(b->pair);
    attn_free(b->label);
    str_pool_free(&b->pool);
    attn_free(b->index.slots);
}

static char *dup_n(const char *s, size_t n) {
    char *d = attn_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* Appends one example. pair is NULL when the row has no pair column. */
static attn_status add_example(builder *b, int64_t line, const char *text, size_t text_len, const char *pair,
                               size_t pair_len, const char *label, size_t label_len) {
    const char *path = b->path;
    if (!text_len) return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: empty text", path, (long long)line);
    if (pair && !pair_len) return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: empty text pair", path, (long long)line);
    if (!label_len) return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: empty label", path, (long long)line);
    /* TSV/CSV strings were checked with the whole file; JSON escapes can still
     * make a NUL or a lone surrogate. */
    const char *parts[3] = {text, pair, label};
    size_t lens[3] = {text_len, pair_len, label_len};
    for (int k = 0; k < 3; k++)
        if (parts[k] && (memchr(parts[k], 0, lens[k]) || utf8_validate(parts[k], lens[k]) != lens[k]))
            return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: %s is not valid UTF-8 text without NUL", path,
                               (long long)line, k == 0 ? "the text" : k == 1 ? "the text pair" : "the label");
    int with = pair != NULL;
    if (b->has_pair < 0) {
        b->has_pair = with;
        b->first_line = line;
    } else if (b->has_pair != with) {
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: %s a text pair but line %lld %s (every example needs one, or none)",
                           path, (long long)line, with ? "has" : "lacks", (long long)b->first_line,
                           with ? "does not" : "does");
    }
    int32_t id;
    bool added;
    attn_status st = str_index_intern(&b->index, &b->pool, label, label_len, &id, &added);
    if (st) return st;
    if (added && b->n_fixed > 0)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: unknown label \"%.*s\" (not one of the %lld labels given)",
                           path, (long long)line, (int)ATTN_MIN(label_len, 200), label, (long long)b->n_fixed);
    if (b->n == b->cap) {
        int64_t cap = b->cap ? b->cap * 2 : 256;
        char **t = attn_realloc(b->text, (size_t)cap * sizeof *t);
        if (!t) return ATTN_ERR_OUT_OF_MEMORY;
        b->text = t;
        char **p = attn_realloc(b->pair, (size_t)cap * sizeof *p);
        if (!p) return ATTN_ERR_OUT_OF_MEMORY;
        b->pair = p;
        int32_t *l = attn_realloc(b->label, (size_t)cap * sizeof *l);
        if (!l) return ATTN_ERR_OUT_OF_MEMORY;
        b->label = l;
        b->cap = cap;
    }
    char *t = dup_n(text, text_len), *p = pair ? dup_n(pair, pair_len) : NULL;
    if (!t || (pair && !p)) {
        attn_free(t);
        attn_free(p);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    b->text[b->n] = t;
    b->pair[b->n] = p;
    b->label[b->n++] = id;
    return ATTN_OK;
}

/* ---- TSV and CSV ------------------------------------------------------------ */

typedef struct fields {
    char **s;                  /* NUL-terminated in place */
    size_t *len;
    int64_t n, cap;
} fields;

static attn_status fields_push(fields *f, char *s, size_t len) {
    if (f->n == f->cap) {
        int64_t cap = f->cap ? f->cap * 2 : 8;
        char **ns = attn_realloc(f->s, (size_t)cap * sizeof *ns);
        if (!ns) return ATTN_ERR_OUT_OF_MEMORY;
        f->s = ns;
        size_t *nl = attn_realloc(f->len, (size_t)cap * sizeof *nl);
        if (!nl) return ATTN_ERR_OUT_OF_MEMORY;
        f->len = nl;
        f->cap = cap;
    }
    s[len] = 0;
    f->s[f->n] = s;
    f->len[f->n++] = len;
    return ATTN_OK;
}

typedef struct row_reader {
    const char *path;
    char *p, *end;             /* *end is a NUL byte (file_read_all adds one) */
    int64_t line;              /* line of *p */
} row_reader;

/* True at a row end: '\n', "\r\n", or the end of the buffer (optionally after '\r'). */
static bool at_row_end(const row_reader *r, const char *p) {
    return p == r->end || *p == '\n' || (*p == '\r' && (p + 1 == r->end || p[1] == '\n'));
}

/* Steps over the row end at r->p. */
static void skip_row_end(row_reader *r) {
    if (r->p < r->end && *r->p == '\r') r->p++;
    if (r->p < r->end && *r->p == '\n') {
        r->p++;
        r->line++;
    }
}

/* Skips blank lines; false at the end of the buffer. */
static bool skip_blank(row_reader *r) {
    while (r->p < r->end && at_row_end(r, r->p)) skip_row_end(r);
    return r->p < r->end;
}

static attn_status tsv_row(row_reader *r, fields *f) {
    f->n = 0;
    for (;;) {
        char *s = r->p;
        while (r->p < r->end && *r->p != '\t' && !at_row_end(r, r->p)) r->p++;
        char *e = r->p;
        bool tab = e < r->end && *e == '\t';
        if (tab) r->p++;
        else skip_row_end(r);
        attn_status st = fields_push(f, s, (size_t)(e - s));
        if (st) return st;
        if (!tab) return ATTN_OK;
    }
}

static attn_status csv_row(row_reader *r, fields *f) {
    f->n = 0;
    for (;;) {
        char *s = r->p, *e;
        if (r->p < r->end && *r->p == '"') {
            int64_t quote_line = r->line;
            char *w = s;
            r->p++;
            for (;;) {
                if (r->p == r->end)
                    return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: unterminated quoted field (the quote opens here)",
                                       r->path, (long long)quote_line);
                char c = *r->p;
                if (c == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        *w++ = '"';
                        r->p += 2;
                        continue;
                    }
                    r->p++;
                    break;
                }
                if (c == '\n') r->line++;
                *w++ = c;
                r->p++;
            }
            if (r->p < r->end && *r->p != ',' && !at_row_end(r, r->p))
                return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: text after a closing quote (a quote inside a "
                                   "quoted field is written \"\")", r->path, (long long)r->line);
            e = w;   /* w < r->p: the terminator overwrites the closing quote or earlier */
        } else {
            while (r->p < r->end && *r->p != ',' && !at_row_end(r, r->p)) r->p++;
            e = r->p;
        }
        bool comma = r->p < r->end && *r->p == ',';
        if (comma) r->p++;
        else skip_row_end(r);
        attn_status st = fields_push(f, s, (size_t)(e - s));
        if (st) return st;
        if (!comma) break;
    }
    return ATTN_OK;
}

static int find_column(const fields *f, const char *const *names, size_t n_names) {
    for (size_t k = 0; k < n_names; k++)
        for (int64_t i = 0; i < f->n; i++)
            if (!strcmp(f->s[i], names[k])) return (int)i;
    return -1;
}

static attn_status read_delimited(builder *b, char *buf, size_t len, bool csv) {
    row_reader r = {b->path, buf, buf + len, 1};
    fields f = {0};
    attn_status st = ATTN_OK;
    int text_col = 0, pair_col = -1, label_col = 1;
    int64_t want = 0;          /* fields per row; 0 until the first row */
    bool header = false;
    while (skip_blank(&r)) {
        int64_t line = r.line;
        if ((st = (csv ? csv_row : tsv_row)(&r, &f))) goto done;
        if (!want) {
            header = find_column(&f, LABEL_NAME, 1) >= 0;
            want = f.n;
            if (header) {
                label_col = find_column(&f, LABEL_NAME, 1);
                text_col = find_column(&f, TEXT_NAMES, ARRAY_LEN(TEXT_NAMES));
                pair_col = find_column(&f, PAIR_NAMES, ARRAY_LEN(PAIR_NAMES));
                if (text_col < 0) {
                    st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: the header has no text column (text, sentence, "
                                     "sentence1 or text_a)", b->path, (long long)line);
                    goto done;
                }
                continue;
            }
            if (f.n != 2 && f.n != 3) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: %lld fields; without a header line (one naming a "
                                 "\"label\" column) a row is text%slabel or text%stext_pair%slabel",
                                 b->path, (long long)line, (long long)f.n, csv ? "," : "<TAB>", csv ? "," : "<TAB>",
                                 csv ? "," : "<TAB>");
                goto done;
            }
            pair_col = f.n == 3 ? 1 : -1;
            label_col = (int)f.n - 1;
        }
        if (f.n != want) {
            if (!header && (f.n == 2 || f.n == 3))
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: %lld fields but the first row has %lld (every example "
                                 "needs a text pair, or none)", b->path, (long long)line, (long long)f.n, (long long)want);
            else
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: %lld fields, expected %lld%s", b->path, (long long)line,
                                 (long long)f.n, (long long)want, header ? " (as the header)" : "");
            goto done;
        }
        if ((st = add_example(b, line, f.s[text_col], f.len[text_col], pair_col >= 0 ? f.s[pair_col] : NULL,
                              pair_col >= 0 ? f.len[pair_col] : 0, f.s[label_col], f.len[label_col])))
            goto done;
    }
done:
    attn_free(f.s);
    attn_free(f.len);
    return st;
}

/* ---- JSON lines ---------------------------------------------------------------- */

/* The first of names present in obj and not null, or NULL. */
static const cJSON *json_field(const cJSON *obj, const char *const *names, size_t n_names, const char **name) {
    for (size_t k = 0; k < n_names; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, names[k]);
        if (v && !cJSON_IsNull(v)) {
            *name = names[k];
            return v;
        }
    }
    return NULL;
}

static attn_status jsonl_example(builder *b, const cJSON *obj, int64_t line) {
    const char *path = b->path, *tname = NULL, *pname = NULL;
    if (!cJSON_IsObject(obj))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: not a JSON object", path, (long long)line);
    const cJSON *t = json_field(obj, TEXT_NAMES, ARRAY_LEN(TEXT_NAMES), &tname);
    const cJSON *p = json_field(obj, PAIR_NAMES, ARRAY_LEN(PAIR_NAMES), &pname);
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(obj, "label");
    if (!t)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: no text (\"text\", \"sentence\", \"sentence1\" or \"text_a\")",
                           path, (long long)line);
    if (!cJSON_IsString(t))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: \"%s\" is not a string", path, (long long)line, tname);
    if (p && !cJSON_IsString(p))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: \"%s\" is not a string", path, (long long)line, pname);
    if (!l || cJSON_IsNull(l))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: no \"label\"", path, (long long)line);
    char num[32];
    const char *label;
    if (cJSON_IsString(l)) {
        label = l->valuestring;
    } else if (cJSON_IsNumber(l) && l->valuedouble == floor(l->valuedouble) && fabs(l->valuedouble) < 9007199254740992.0) {
        snprintf(num, sizeof num, "%lld", (long long)l->valuedouble);
        label = num;
    } else {
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: \"label\" must be a string or an integer", path,
                           (long long)line);
    }
    return add_example(b, line, t->valuestring, strlen(t->valuestring), p ? p->valuestring : NULL,
                       p ? strlen(p->valuestring) : 0, label, strlen(label));
}

/* True when a JSON text holds the escape \u0000, which cJSON would decode
 * into a string that ends early. */
static bool json_has_nul_escape(const char *s, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\\') continue;
        if (s[i + 1] == 'u' && i + 5 < n && !memcmp(s + i + 2, "0000", 4)) return true;
        i++;   /* the escaped character, so that \\u0000 is not an escape */
    }
    return false;
}

static attn_status read_jsonl(builder *b, const char *buf, size_t len) {
    int64_t line = 0;
    for (size_t start = 0; start < len;) {
        line++;
        const char *nl = memchr(buf + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - buf) : len, next = nl ? end + 1 : len;
        bool blank = true;
        for (size_t i = start; i < end && blank; i++) blank = isspace((unsigned char)buf[i]) != 0;
        if (!blank && json_has_nul_escape(buf + start, end - start)) {
            return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: a string holds \\u0000 (NUL)", b->path, (long long)line);
        } else if (!blank) {
            const char *parse_end = NULL;
            unsigned long failures = alloc_failures();
            cJSON *obj = cJSON_ParseWithLengthOpts(buf + start, end - start, &parse_end, false);
            if (!obj && alloc_failures() != failures)
                return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: line %lld: out of memory parsing JSON", b->path, (long long)line);
            bool rest_blank = true;
            for (const char *q = parse_end; obj && q < buf + end && rest_blank; q++) rest_blank = isspace((unsigned char)*q) != 0;
            if (!rest_blank) {
                cJSON_Delete(obj);
                obj = NULL;
            }
            if (!obj) return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: not valid JSON", b->path, (long long)line);
            attn_status st = jsonl_example(b, obj, line);
            cJSON_Delete(obj);
            if (st) return st;
        }
        start = next;
    }
    return ATTN_OK;
}

/* ---- label ids ------------------------------------------------------------------ */

typedef struct label_ref {
    const char *s;
    size_t len;
    int32_t pool_id;
} label_ref;

static bool is_integer(const char *s, size_t n) {
    size_t i = s[0] == '-' || s[0] == '+';
    if (i == n) return false;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static int bytewise(const label_ref *a, const label_ref *b) {
    int c = memcmp(a->s, b->s, ATTN_MIN(a->len, b->len));
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Integers by value, of any length; equal values ("7", "07") bytewise. */
static int by_number(const void *pa, const void *pb) {
    const label_ref *a = pa, *b = pb;
    bool na = a->s[0] == '-', nb = b->s[0] == '-';
    const char *x = a->s + (a->s[0] == '-' || a->s[0] == '+'), *y = b->s + (b->s[0] == '-' || b->s[0] == '+');
    size_t xn = a->len - (size_t)(x - a->s), yn = b->len - (size_t)(y - b->s);
    while (xn > 1 && *x == '0') x++, xn--;
    while (yn > 1 && *y == '0') y++, yn--;
    bool xz = xn == 1 && *x == '0', yz = yn == 1 && *y == '0';
    if (xz) na = false;
    if (yz) nb = false;
    int c;
    if (na != nb) {
        c = na ? -1 : 1;
    } else {
        c = xn != yn ? (xn < yn ? -1 : 1) : memcmp(x, y, xn);
        if (na) c = -c;
    }
    return c ? c : bytewise(a, b);
}

static int by_bytes(const void *pa, const void *pb) { return bytewise(pa, pb); }

static attn_status settle_labels(builder *b, attn_labeled *d) {
    int64_t n = b->pool.n;
    label_ref *refs = attn_calloc((size_t)n, sizeof *refs);
    int32_t *remap = attn_calloc((size_t)n, sizeof *remap);
    attn_status st = ATTN_OK;
    if (!refs || !remap) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    bool numeric = true;
    for (int64_t i = 0; i < n; i++) {
        refs[i] = (label_ref){b->pool.bytes + b->pool.off[i], b->pool.len[i], (int32_t)i};
        numeric = numeric && is_integer(refs[i].s, refs[i].len);
    }
    if (b->n_fixed == 0) qsort(refs, (size_t)n, sizeof *refs, numeric ? by_number : by_bytes);
    if (!(d->labels = attn_calloc((size_t)n, sizeof *d->labels))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    d->n_labels = n;
    for (int64_t i = 0; i < n; i++) {
        remap[refs[i].pool_id] = (int32_t)i;
        if (!(d->labels[i] = dup_n(refs[i].s, refs[i].len))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto done;
        }
    }
    for (int64_t i = 0; i < b->n; i++) b->label[i] = remap[b->label[i]];
done:
    attn_free(refs);
    attn_free(remap);
    return st;
}

/* ---- public ---------------------------------------------------------------------- */

static int format_of(const char *path) {
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return -1;
    if (!strcasecmp(dot, ".tsv")) return FORMAT_TSV;
    if (!strcasecmp(dot, ".csv")) return FORMAT_CSV;
    if (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".json")) return FORMAT_JSONL;
    return -1;
}

attn_status attn_labeled_read(const char *path, const char *const *labels, int64_t n_labels, attn_labeled **out) {
    if (!path || !out || n_labels < 0 || (n_labels > 0 && !labels))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_labeled_read: a path, an output and a label array are needed");
    *out = NULL;
    int format = format_of(path);
    if (format < 0)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: unknown labelled-data format (use .tsv, .csv or .jsonl)", path);
    builder b = {.path = path, .has_pair = -1, .n_fixed = n_labels};
    char *buf = NULL;
    size_t len = 0;
    attn_labeled *d = NULL;
    attn_status st;
    for (int64_t i = 0; i < n_labels; i++) {
        int32_t id;
        bool added;
        if (!labels[i] || !labels[i][0]) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "label %lld of the label set is empty", (long long)i);
            goto fail;
        }
        if ((st = str_index_intern(&b.index, &b.pool, labels[i], strlen(labels[i]), &id, &added))) goto fail;
        if (!added) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "the label set names \"%s\" twice", labels[i]);
            goto fail;
        }
    }
    if ((st = file_read_all(path, &buf, &len))) goto fail;
    char *text = buf;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) text += 3, len -= 3;
    if ((st = text_check_at(path, text, len, 1, (size_t)(text - buf))) != ATTN_OK) goto fail;
    if ((st = format == FORMAT_JSONL ? read_jsonl(&b, text, len) : read_delimited(&b, text, len, format == FORMAT_CSV)))
        goto fail;
    if (b.n == 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: no examples", path);
        goto fail;
    }
    if (!(d = attn_calloc(1, sizeof *d))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    if ((st = settle_labels(&b, d))) goto fail;
    d->n = b.n;
    d->text = b.text;
    d->label = b.label;
    if (b.has_pair) {
        d->text_pair = b.pair;
    } else {
        attn_free(b.pair);
    }
    b.text = b.pair = NULL;
    b.label = NULL;
    b.n = 0;
    builder_free(&b);
    attn_free(buf);
    *out = d;
    return ATTN_OK;
fail:
    builder_free(&b);
    attn_free(buf);
    attn_labeled_free(d);
    return st;
}

void attn_labeled_free(attn_labeled *d) {
    if (!d) return;
    for (int64_t i = 0; i < d->n; i++) {
        if (d->text) attn_free(d->text[i]);
        if (d->text_pair) attn_free(d->text_pair[i]);
    }
    if (d->labels)
        for (int64_t i = 0; i < d->n_labels; i++) attn_free(d->labels[i]);
    attn_free(d->text);
    attn_free(d->text_pair);
    attn_free(d->label);
    attn_free(d->labels);
    attn_free(d);
}
