/* fasta.c — FASTA and Stockholm readers and family tags (see fasta.h). */
#include "data/fasta.h"
#include "core/strset.h"

/* One line of text: [*s, *e) without its '\n' and a final '\r'; returns the
 * offset after it. */
static size_t next_line(const char *text, size_t len, size_t pos, const char **s, const char **e) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    *s = text + pos;
    *e = text + end;
    if (*e > *s && (*e)[-1] == '\r') (*e)--;
    return nl ? end + 1 : len;
}

static bool blank(const char *s, const char *e) {
    for (; s < e; s++)
        if (*s != ' ' && *s != '\t') return false;
    return true;
}

static bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

seq_format seq_detect(const char *text, size_t len) {
    size_t pos = 0;
    while (pos < len) {
        const char *s, *e;
        pos = next_line(text, len, pos, &s, &e);
        if (blank(s, e)) continue;
        while (*s == ' ' || *s == '\t') s++;
        if (*s == '>') return SEQ_FASTA;
        if ((size_t)(e - s) >= 11 && !memcmp(s, "# STOCKHOLM", 11)) return SEQ_STOCKHOLM;
        return SEQ_TEXT;
    }
    return SEQ_TEXT;
}

void seq_list_free(seq_list *l) {
    attn_free(l->res);
    attn_free(l->names);
    attn_free(l->off);
    attn_free(l->len);
    attn_free(l->name_off);
    attn_free(l->name_len);
    memset(l, 0, sizeof *l);
}

static attn_status res_reserve(seq_list *l, size_t extra) {
    if (l->n_res + extra <= l->cap_res) return ATTN_OK;
    size_t cap = ATTN_MAX(l->cap_res * 2, l->n_res + extra + 4096);
    char *r = attn_realloc(l->res, cap);
    if (!r) return ATTN_ERR_OUT_OF_MEMORY;
    l->res = r;
    l->cap_res = cap;
    return ATTN_OK;
}

static attn_status grow_sizes(size_t **v, int64_t cap) {
    size_t *p = attn_realloc(*v, (size_t)cap * sizeof *p);
    if (!p) return ATTN_ERR_OUT_OF_MEMORY;
    *v = p;
    return ATTN_OK;
}

/* Closes the sequence that starts at residue `start` (its residues are the
 * tail of l->res), named name[0 .. name_len). */
static attn_status seq_close(seq_list *l, size_t start, const char *name, size_t name_len) {
    attn_status st;
    if (l->n == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 64;
        if ((st = grow_sizes(&l->off, cap)) || (st = grow_sizes(&l->len, cap)) || (st = grow_sizes(&l->name_off, cap)) ||
            (st = grow_sizes(&l->name_len, cap)))
            return st;
        l->cap = cap;
    }
    if (l->n_names + name_len > l->cap_names) {
        size_t cap = ATTN_MAX(l->cap_names * 2, l->n_names + name_len + 1024);
        char *p = attn_realloc(l->names, cap);
        if (!p) return ATTN_ERR_OUT_OF_MEMORY;
        l->names = p;
        l->cap_names = cap;
    }
    if (name_len) memcpy(l->names + l->n_names, name, name_len);
    l->name_off[l->n] = l->n_names;
    l->name_len[l->n] = name_len;
    l->n_names += name_len;
    l->off[l->n] = start;
    l->len[l->n] = l->n_res - start;
    l->n++;
    return ATTN_OK;
}

static attn_status bad_char(const char *name, int64_t line, const char *s, const char *c) {
    unsigned char b = (unsigned char)*c;
    if (b >= 0x20 && b < 0x7f)
        return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: '%c' at column %zu is not an amino-acid letter or a gap", name,
                           (long long)line, b, (size_t)(c - s) + 1);
    return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: byte 0x%02x at column %zu is not an amino-acid letter or a gap", name,
                       (long long)line, b, (size_t)(c - s) + 1);
}

/* Appends the letters of [c, e) to dst (gaps, spaces and tabs dropped). */
static attn_status append_residues(const char *name, int64_t line, const char *s, const char *c, const char *e,
                                   char *dst, size_t *n) {
    for (; c < e; c++) {
        if (is_letter(*c))
            dst[(*n)++] = *c;
        else if (*c != '-' && *c != '.' && *c != ' ' && *c != '\t')
            return bad_char(name, line, s, c);
    }
    return ATTN_OK;
}

attn_status seq_read_fasta(const char *name, const char *text, size_t len, seq_list *out) {
    attn_status st = ATTN_OK;
    size_t pos = 0, start = 0, name_len = 0;
    const char *seq_name = NULL;
    int64_t line = 0, header_line = 0;
    bool in_seq = false;
    while (pos < len) {
        const char *s, *e;
        pos = next_line(text, len, pos, &s, &e);
        line++;
        if (blank(s, e)) continue;
        const char *c = s;
        while (*c == ' ' || *c == '\t') c++;
        if (*c == '>') {
            if (in_seq && out->n_res == start)
                return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: the header has no sequence after it", name,
                                   (long long)header_line);
            if (in_seq && (st = seq_close(out, start, seq_name, name_len)) != ATTN_OK) return st;
            in_seq = true;
            header_line = line;
            start = out->n_res;
            seq_name = c + 1;   /* the header's first word */
            for (name_len = 0; seq_name + name_len < e && seq_name[name_len] != ' ' && seq_name[name_len] != '\t';)
                name_len++;
            continue;
        }
        if (!in_seq)
            return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: residues before the first '>' header", name, (long long)line);
        if ((st = res_reserve(out, (size_t)(e - c))) != ATTN_OK) return st;
        if ((st = append_residues(name, line, s, c, e, out->res, &out->n_res)) != ATTN_OK) return st;
    }
    if (in_seq && out->n_res == start)
        return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: the header has no sequence after it", name, (long long)header_line);
    if (in_seq) st = seq_close(out, start, seq_name, name_len);
    return st;
}

/* One sequence of an alignment being read: its gap-free residues so far. */
typedef struct sto_row {
    char *res;
    size_t n, cap;
} sto_row;

typedef struct sto_state {
    str_pool names;
    str_index index;
    sto_row *rows;
    int32_t cap;
} sto_state;

static void sto_reset(sto_state *a) {
    for (int32_t i = 0; i < a->names.n; i++) attn_free(a->rows[i].res);
    str_pool_free(&a->names);
    attn_free(a->index.slots);
    memset(&a->index, 0, sizeof a->index);
}

/* Moves the alignment's rows into out in order of first appearance. */
static attn_status sto_flush(sto_state *a, seq_list *out) {
    attn_status st = ATTN_OK;
    for (int32_t i = 0; i < a->names.n && st == ATTN_OK; i++) {
        sto_row *r = &a->rows[i];
        if (r->n == 0) continue;   /* a row of gaps only */
        size_t start = out->n_res;
        if ((st = res_reserve(out, r->n)) != ATTN_OK) break;
        memcpy(out->res + out->n_res, r->res, r->n);
        out->n_res += r->n;
        st = seq_close(out, start, a->names.bytes + a->names.off[i], a->names.len[i]);
    }
    sto_reset(a);
    return st;
}

static attn_status sto_line(const char *name, int64_t line, const char *s, const char *e, sto_state *a) {
    const char *c = s;
    while (c < e && *c != ' ' && *c != '\t') c++;
    const char *name_end = c;
    while (c < e && (*c == ' ' || *c == '\t')) c++;
    if (c == e)
        return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: a sequence line needs a name and its aligned residues", name,
                           (long long)line);
    if (a->names.n >= a->cap) {   /* room for a new name's row before it is interned */
        int32_t cap = a->cap ? 2 * a->cap : 64;
        sto_row *rows = attn_realloc(a->rows, (size_t)cap * sizeof *rows);
        if (!rows) return ATTN_ERR_OUT_OF_MEMORY;
        a->rows = rows;
        a->cap = cap;
    }
    int32_t idx;
    bool added;
    attn_status st = str_index_intern(&a->index, &a->names, s, (size_t)(name_end - s), &idx, &added);
    if (st) return st;
    sto_row *r = &a->rows[idx];
    if (added) memset(r, 0, sizeof *r);
    size_t need = r->n + (size_t)(e - c);
    if (need > r->cap) {
        size_t cap = ATTN_MAX(2 * r->cap, need + 256);
        char *p = attn_realloc(r->res, cap);
        if (!p) return ATTN_ERR_OUT_OF_MEMORY;
        r->res = p;
        r->cap = cap;
    }
    return append_residues(name, line, s, c, e, r->res, &r->n);
}

attn_status seq_read_stockholm(const char *name, const char *text, size_t len, seq_list *out) {
    attn_status st = ATTN_OK;
    sto_state a;
    memset(&a, 0, sizeof a);
    size_t pos = 0;
    int64_t line = 0, begun = 0;   /* begun: header line of the open alignment, 0 if none */
    while (pos < len && st == ATTN_OK) {
        const char *s, *e;
        pos = next_line(text, len, pos, &s, &e);
        line++;
        if (blank(s, e)) continue;
        while (*s == ' ' || *s == '\t') s++;
        if ((size_t)(e - s) >= 11 && !memcmp(s, "# STOCKHOLM", 11)) {
            if (begun) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: a new alignment begins before '//' ends the one begun at line %lld",
                                 name, (long long)line, (long long)begun);
                break;
            }
            begun = line;
            continue;
        }
        if (!begun) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: expected a '# STOCKHOLM 1.0' header line", name, (long long)line);
            break;
        }
        if (e - s >= 2 && s[0] == '/' && s[1] == '/') {
            st = sto_flush(&a, out);
            begun = 0;
            continue;
        }
        if (*s == '#') continue;   /* #=GF, #=GS, #=GR, #=GC markup and comments */
        st = sto_line(name, line, s, e, &a);
    }
    if (st == ATTN_OK && begun)
        st = attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: the alignment begun at line %lld has no '//' end line", name,
                         (long long)line, (long long)begun);
    sto_reset(&a);
    attn_free(a.rows);
    return st;
}

attn_status seq_family_tag(const char *family, size_t n, char *out) {
    if (n == 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "an empty family tag");
    if (n > SEQ_TAG_MAX)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "family tag '%.*s...' is longer than %d characters", 16, family, SEQ_TAG_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = family[i];
        if (!is_letter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.')
            return attn_errorf(ATTN_ERR_INVALID_ARG,
                               "family tag '%.*s': character %zu is not a letter, digit, '_', '-' or '.'", (int)n, family,
                               i + 1);
    }
    out[0] = '<';
    memcpy(out + 1, family, n);
    out[n + 1] = '>';
    out[n + 2] = 0;
    return ATTN_OK;
}

const char *seq_family_of_path(const char *path, size_t *n) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strchr(base, '.');
    *n = dot ? (size_t)(dot - base) : strlen(base);
    return base;
}
