/* template.c — the Jinja subset of chat templates (see attn/chat.h).
 *
 * Source -> tokens (lex: text pieces with Jinja's whitespace rules already
 * applied, tag delimiters, expression tokens with line and column) -> a
 * tree of nodes (parse) -> output (render). A parsed template is read-only,
 * so one template serves renders on many threads at once. Each render
 * allocates its values from its own arena whose total is bounded; values
 * are never freed one by one (strings, lists and dicts are immutable once
 * built, except namespaces, which are shared by reference as in Jinja). */
#include "chat/template.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- arena ------------------------------------------------------------------ */
typedef struct mchunk {
    struct mchunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} mchunk;

typedef struct mem {
    mchunk *head;
    size_t total, cap;
    attn_status err;   /* why the last allocation failed */
} mem;

static void mem_free(mem *m) {
    for (mchunk *c = m->head, *next; c; c = next) {
        next = c->next;
        attn_free(c);
    }
    m->head = NULL;
    m->total = 0;
}

/* n bytes, 16-aligned; NULL with the error recorded (out of memory, or the
 * arena's bound). */
static void *mem_alloc(mem *m, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    mchunk *c = m->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > ((size_t)64 << 10) ? n : ((size_t)64 << 10);
        if (n > m->cap || m->total > m->cap - size) {
            m->err = attn_errorf(ATTN_ERR_INVALID_ARG, "the template needs more than %zu MiB of memory (bound)", m->cap >> 20);
            return NULL;
        }
        c = attn_malloc(sizeof *c + size);
        if (!c) {
            m->err = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory with a chat template");
            return NULL;
        }
        c->size = size;
        c->used = 0;
        c->next = m->head;
        m->head = c;
        m->total += size;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

/* ---- values ----------------------------------------------------------------- */
typedef struct str {
    const char *s;
    size_t n;
} str;

typedef enum vkind { V_UNDEF, V_NONE, V_BOOL, V_INT, V_FLOAT, V_STR, V_LIST, V_DICT, V_NS, V_LOOP } vkind;

typedef struct vlist vlist;
typedef struct vdict vdict;
typedef struct loopstate loopstate;
typedef struct value {
    vkind k;
    union {
        bool b;
        int64_t i;
        double f;
        str s;        /* V_STR; V_UNDEF: the name that was undefined */
        vlist *l;
        vdict *d;     /* V_DICT, V_NS */
        const loopstate *lp; /* V_LOOP: the innermost loop's state */
    };
} value;

struct vlist {
    size_t n, cap;
    value *v;
    bool tuple;   /* a tuple literal: printed (a, b), unequal to a list */
};
struct vdict {
    size_t n, cap;
    value *key, *val;
};

static const char *const KIND_NAME[] = {"undefined", "none", "bool", "int", "float", "str", "list", "dict",
                                        "namespace", "loop"};

static value v_undef(str name) { return (value){.k = V_UNDEF, .s = name}; }
static value v_none(void) { return (value){.k = V_NONE}; }
static value v_bool(bool b) { return (value){.k = V_BOOL, .b = b}; }
static value v_int(int64_t i) { return (value){.k = V_INT, .i = i}; }
static value v_float(double f) { return (value){.k = V_FLOAT, .f = f}; }
static value v_str(const char *s, size_t n) { return (value){.k = V_STR, .s = {s, n}}; }
static str S(const char *s) { return (str){s, strlen(s)}; }
static bool str_eq(str a, str b) { return a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0); }
static bool str_is(str a, const char *b) { return str_eq(a, S(b)); }

/* ---- whitespace and UTF-8 ---------------------------------------------------- */
bool chat_is_space(uint32_t cp) {
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f)) return true;
    if (cp < 0x80) return false;
    return cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* The code point at s[i] (valid UTF-8 assumed; a bad byte counts as one). */
static int cp_at(const char *s, size_t n, size_t i, uint32_t *cp) {
    int k = utf8_decode((const unsigned char *)s + i, n - i, cp);
    if (!k) {
        *cp = (unsigned char)s[i];
        k = 1;
    }
    return k;
}

/* Offsets of s's non-whitespace span: [*b, *e). */
static void space_span(const char *s, size_t n, size_t *b, size_t *e) {
    size_t i = 0, first = n, last = 0;
    while (i < n) {
        uint32_t cp;
        int k = cp_at(s, n, i, &cp);
        if (!chat_is_space(cp)) {
            if (first == n) first = i;
            last = i + (size_t)k;
        }
        i += (size_t)k;
    }
    *b = first == n ? n : first;
    *e = first == n ? n : last;
}

static size_t cp_count(const char *s, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/* ---- output buffer ------------------------------------------------------------ */
typedef struct buf {
    char *p;
    size_t n, cap, max;
    bool over;
} buf;

static attn_status buf_put(buf *b, const char *s, size_t n) {
    if (n > b->max - b->n) {
        b->over = true;
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the rendering is longer than %zu MiB (bound)", b->max >> 20);
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = attn_realloc(b->p, cap);
        if (!p) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory rendering a chat template");
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return ATTN_OK;
}
static attn_status buf_puts(buf *b, const char *s) { return buf_put(b, s, strlen(s)); }

/* ---- tokens --------------------------------------------------------------------- */
typedef enum tkind {
    T_EOF,
    T_TEXT,      /* template data, whitespace rules applied */
    T_VBEGIN,    /* {{ */
    T_VEND,      /* }} */
    T_BBEGIN,    /* {% */
    T_BEND,      /* %} */
    T_NAME,
    T_STR,       /* s: the decoded value */
    T_INT,
    T_FLOAT,
    T_OP,        /* s: the operator */
} tkind;

typedef struct token {
    tkind k;
    int line, col;
    str s;
    int64_t i;
    double f;
} token;

/* What a parsed template owns. */
struct attn_chat_template {
    mem m;
    char *name;
    struct node **body;
    size_t n_body;
};

typedef struct lexer {
    mem *m;
    const char *name;
    const char *src;
    size_t n;
    token *t;
    size_t nt, capt;
} lexer;

static void pos_of(const char *src, size_t at, int *line, int *col) {
    int l = 1, c = 1;
    for (size_t i = 0; i < at; i++) {
        if (src[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)src[i] & 0xc0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static attn_status lex_errorf(lexer *L, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static attn_status lex_errorf(lexer *L, size_t at, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line, col;
    pos_of(L->src, at, &line, &col);
    return attn_errorf(ATTN_ERR_FORMAT, "%s: line %d, column %d: %s", L->name, line, col, msg);
}

static token *lex_push(lexer *L, tkind k, size_t at) {
    if (L->nt == L->capt) {
        size_t cap = L->capt ? 2 * L->capt : 256;
        token *t = mem_alloc(L->m, cap * sizeof *t);
        if (!t) return NULL;
        if (L->nt) memcpy(t, L->t, L->nt * sizeof *t);
        L->t = t;
        L->capt = cap;
    }
    token *t = &L->t[L->nt++];
    memset(t, 0, sizeof *t);
    t->k = k;
    /* positions are filled in one pass at the end (lex_positions) */
    t->line = (int)(at & 0x7fffffff);
    t->col = (int)(at >> 31);
    return t;
}

/* Tokens carry their byte offset until the end of lexing; this turns the
 * offsets into lines and columns in one pass over the source. */
static void lex_positions(lexer *L) {
    int line = 1, col = 1;
    size_t at = 0;
    for (size_t k = 0; k < L->nt; k++) {
        size_t off = (size_t)(unsigned)L->t[k].line | ((size_t)(unsigned)L->t[k].col << 31);
        for (; at < off && at < L->n; at++) {
            if (L->src[at] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)L->src[at] & 0xc0) != 0x80) {
                col++;
            }
        }
        L->t[k].line = line;
        L->t[k].col = col;
    }
}

static bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A string literal at src[at] (quote included): Python's escapes as Jinja
 * decodes them (unicode-escape); an unknown escape keeps its backslash. */
static attn_status lex_string(lexer *L, size_t at, size_t *end) {
    const char *s = L->src;
    char q = s[at];
    size_t i = at + 1;
    while (i < L->n && s[i] != q) i += (s[i] == '\\' && i + 1 < L->n) ? 2 : 1;
    if (i >= L->n) return lex_errorf(L, at, "unterminated string literal");
    char *out = mem_alloc(L->m, i - at + 1);
    if (!out) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
    size_t o = 0;
    for (size_t j = at + 1; j < i;) {
        if (s[j] != '\\') {
            out[o++] = s[j++];
            continue;
        }
        char c = s[j + 1];
        size_t adv = 2;
        uint32_t cp = 0;
        int digits = 0;
        switch (c) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case '\\': out[o++] = '\\'; break;
        case '\'': out[o++] = '\''; break;
        case '"': out[o++] = '"'; break;
        case 'a': out[o++] = '\a'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'v': out[o++] = '\v'; break;
        case '\n': break; /* a line continuation */
        case 'x': digits = 2; break;
        case 'u': digits = 4; break;
        case 'U': digits = 8; break;
        case 'N': return lex_errorf(L, j, "unsupported construct: the escape \\N{...}");
        default:
            if (c >= '0' && c <= '7') {
                adv = 1;
                for (int d = 0; d < 3 && j + adv < i && s[j + adv] >= '0' && s[j + adv] <= '7'; d++)
                    cp = cp * 8 + (uint32_t)(s[j + adv++] - '0');
                o += (size_t)utf8_encode(cp, out + o);
            } else {
                out[o++] = '\\';
                adv = 1;
            }
        }
        if (digits) {
            for (int d = 0; d < digits; d++) {
                int h = j + 2 + (size_t)d < i ? hexval(s[j + 2 + d]) : -1;
                if (h < 0) return lex_errorf(L, j, "truncated \\%c escape in a string literal", c);
                cp = cp * 16 + (uint32_t)h;
            }
            if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return lex_errorf(L, j, "the escape \\%c gives no Unicode character", c);
            o += (size_t)utf8_encode(cp, out + o);
            adv = 2 + (size_t)digits;
        }
        j += adv;
    }
    token *t = lex_push(L, T_STR, at);
    if (!t) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
    t->s = (str){out, o};
    *end = i + 1;
    return ATTN_OK;
}

/* The end of whitespace (code points) from src[i]. */
static size_t skip_space(const char *s, size_t n, size_t i) {
    while (i < n) {
        uint32_t cp;
        int k = cp_at(s, n, i, &cp);
        if (!chat_is_space(cp)) break;
        i += (size_t)k;
    }
    return i;
}

/* The inside of a {{ }} or {% %} tag from src[i]; *end is after its closing
 * delimiter (and the whitespace that delimiter removes). */
static attn_status lex_tag(lexer *L, size_t open, size_t i, bool block, size_t *end) {
    const char *s = L->src;
    char stack[ATTN_CHAT_MAX_DEPTH];
    int depth = 0;
    for (;;) {
        while (i < L->n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v'))
            i++;
        if (i >= L->n) return lex_errorf(L, open, "unterminated %s tag (no %s)", block ? "{%" : "{{", block ? "%}" : "}}");
        char c = s[i];
        const char *close = block ? "%}" : "}}";
        if (depth == 0) {
            bool minus = c == '-' && i + 2 < L->n + 0 && strncmp(s + i + 1, close, 2) == 0;
            bool plus = block && c == '+' && i + 2 < L->n + 0 && strncmp(s + i + 1, close, 2) == 0;
            if (minus || plus || strncmp(s + i, close, 2) == 0) {
                if (!lex_push(L, block ? T_BEND : T_VEND, i))
                    return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
                size_t e = i + 2 + (minus || plus);
                if (minus) e = skip_space(s, L->n, e);
                else if (block && !plus && e < L->n && s[e] == '\n') e++;
                *end = e;
                return ATTN_OK;
            }
        }
        if (c == '\'' || c == '"') {
            attn_status st = lex_string(L, i, &i);
            if (st) return st;
            continue;
        }
        if (is_name_start(c)) {
            size_t b = i;
            while (i < L->n && (is_name_start(s[i]) || is_digit(s[i]))) i++;
            token *t = lex_push(L, T_NAME, b);
            if (!t) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
            t->s = (str){s + b, i - b};
            continue;
        }
        if (is_digit(c)) {
            size_t b = i;
            bool is_float = false;
            while (i < L->n && (is_digit(s[i]) || (s[i] == '_' && i + 1 < L->n && is_digit(s[i + 1])))) i++;
            if (i + 1 < L->n && s[i] == '.' && is_digit(s[i + 1])) {
                is_float = true;
                i++;
                while (i < L->n && (is_digit(s[i]) || (s[i] == '_' && i + 1 < L->n && is_digit(s[i + 1])))) i++;
            }
            if (i < L->n && (s[i] == 'e' || s[i] == 'E')) {
                size_t k = i + 1;
                if (k < L->n && (s[k] == '+' || s[k] == '-')) k++;
                if (k < L->n && is_digit(s[k])) {
                    is_float = true;
                    i = k;
                    while (i < L->n && is_digit(s[i])) i++;
                }
            }
            char num[64];
            size_t o = 0;
            for (size_t k = b; k < i && o + 1 < sizeof num; k++)
                if (s[k] != '_') num[o++] = s[k];
            num[o] = 0;
            if (i - b >= sizeof num - 1) return lex_errorf(L, b, "number literal too long");
            token *t = lex_push(L, is_float ? T_FLOAT : T_INT, b);
            if (!t) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
            if (is_float) {
                t->f = strtod(num, NULL);
            } else {
                errno = 0;
                char *ep;
                long long v = strtoll(num, &ep, 10);
                if (errno) return lex_errorf(L, b, "integer literal out of range (64 bits)");
                t->i = v;
            }
            continue;
        }
        static const char *const OPS[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
                                          ">",  "=",  "(",  ")",  "[",  "]",  "{", "}", ".", ",", ":", "|"};
        size_t op = 0;
        for (; op < ARRAY_LEN(OPS); op++)
            if (strncmp(s + i, OPS[op], strlen(OPS[op])) == 0) break;
        if (op == ARRAY_LEN(OPS)) {
            uint32_t cp;
            int k = utf8_decode((const unsigned char *)s + i, L->n - i, &cp);
            return lex_errorf(L, i, "unexpected character '%.*s' in a tag", k ? k : 1, s + i);
        }
        char o = OPS[op][0];
        if (OPS[op][1] == 0 && (o == '(' || o == '[' || o == '{')) {
            if (depth == ATTN_CHAT_MAX_DEPTH)
                return lex_errorf(L, i, "brackets nested deeper than %d (bound)", ATTN_CHAT_MAX_DEPTH);
            stack[depth++] = o == '(' ? ')' : o == '[' ? ']' : '}';
        } else if (OPS[op][1] == 0 && (o == ')' || o == ']' || o == '}')) {
            if (depth == 0) return lex_errorf(L, i, "unexpected '%c'", o);
            if (stack[depth - 1] != o) return lex_errorf(L, i, "unexpected '%c', expected '%c'", o, stack[depth - 1]);
            depth--;
        }
        token *t = lex_push(L, T_OP, i);
        if (!t) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
        t->s = S(OPS[op]);
        i += strlen(OPS[op]);
    }
}

/* The whole source: Jinja's lexer with trim_blocks and lstrip_blocks. */
static attn_status lex(lexer *L) {
    const char *s = L->src;
    size_t pos = 0;
    bool line_starting = true;
    while (pos < L->n) {
        /* the next tag opening */
        size_t at = pos;
        while (at + 1 < L->n && !(s[at] == '{' && (s[at + 1] == '{' || s[at + 1] == '%' || s[at + 1] == '#'))) at++;
        if (at + 1 >= L->n) at = L->n;
        size_t text_end = at;
        char kind = at < L->n ? s[at + 1] : 0;
        char sign = at + 2 < L->n && (s[at + 2] == '-' || s[at + 2] == '+') ? s[at + 2] : 0;
        if (kind && sign == '-') {
            size_t b, e;
            space_span(s + pos, at - pos, &b, &e);
            text_end = e == at - pos ? at : pos + e;
            if (b == at - pos) text_end = pos; /* all whitespace */
        } else if (kind && sign != '+' && kind != '{') {
            size_t l_pos = at;
            while (l_pos > pos && s[l_pos - 1] != '\n') l_pos--;
            if ((l_pos > pos || (l_pos == pos && line_starting)) && l_pos < at) {
                size_t e = skip_space(s, at, l_pos);
                if (e == at) text_end = l_pos;
            }
        }
        if (text_end > pos) {
            token *t = lex_push(L, T_TEXT, pos);
            if (!t) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
            t->s = (str){s + pos, text_end - pos};
        }
        if (!kind) break;
        size_t inner = at + 2 + (sign != 0);
        size_t end = 0;
        if (kind == '#') {
            size_t j = inner;
            while (j + 1 < L->n && !(s[j] == '#' && s[j + 1] == '}')) j++;
            if (j + 1 >= L->n) return lex_errorf(L, at, "unterminated comment (no #})");
            end = j + 2;
            if (j > inner && s[j - 1] == '-') end = skip_space(s, L->n, end);
            else if (!(j > inner && s[j - 1] == '+') && end < L->n && s[end] == '\n') end++;
        } else {
            if (!lex_push(L, kind == '%' ? T_BBEGIN : T_VBEGIN, at))
                return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
            attn_status st = lex_tag(L, at, inner, kind == '%', &end);
            if (st) return st;
        }
        line_starting = end > 0 && s[end - 1] == '\n';
        pos = end;
    }
    if (!lex_push(L, T_EOF, L->n)) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
    lex_positions(L);
    return ATTN_OK;
}

/* ---- the tree --------------------------------------------------------------------- */
typedef enum nkind {
    /* statements */
    N_TEXT,      /* s */
    N_OUTPUT,    /* a */
    N_IF,        /* a: condition; body; orelse */
    N_FOR,       /* targets (names); a: iterable; b: filter or NULL; body; orelse */
    N_SET,       /* targets (names) or a: the namespace expression and s: its attribute; b: value */
    N_BREAK,
    N_CONTINUE,
    N_BLOCK,     /* body (a transparent block: {% generation %}) */
    /* expressions */
    E_LIT,       /* v */
    E_NAME,      /* s */
    E_LIST,      /* items */
    E_TUPLE,     /* items (a list at run time) */
    E_DICT,      /* items: key, value, key, value... */
    E_ATTR,      /* a.s */
    E_ITEM,      /* a[b] */
    E_SLICE,     /* a[items[0]:items[1]:items[2]] (NULL parts omitted) */
    E_CALL,      /* a(items, kw) */
    E_FILTER,    /* a | s(items, kw) */
    E_TEST,      /* a is [not] s(items); op: negated */
    E_NEG,       /* -a */
    E_POS,       /* +a */
    E_NOT,       /* not a */
    E_BIN,       /* a op b: + - * / // % ** ~ */
    E_AND,
    E_OR,
    E_CMP,       /* a op b: == != < <= > >= in notin */
    E_COND,      /* a if b else c (c may be NULL) */
} nkind;

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW, OP_CAT,
       OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOTIN };
static const char *const OP_TEXT[] = {"+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", "<=", ">", ">=", "in", "not in"};

typedef struct node node;
struct node {
    nkind k;
    int line, col;
    int op;
    str s;
    value v;
    node *a, *b, *c;
    node **items;
    size_t n_items;
    str *kw_names;       /* keyword arguments: kw_names[i] = kw_vals[i] */
    node **kw_vals;
    size_t n_kw;
    str *targets;        /* for / set targets */
    size_t n_targets;
    node **body, **orelse;
    size_t n_body, n_orelse;
};

typedef struct parser {
    mem *m;
    const char *name;
    token *t;
    size_t i;
    int depth;
} parser;

static attn_status parse_errorf(parser *P, const token *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static attn_status parse_errorf(parser *P, const token *t, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return attn_errorf(ATTN_ERR_FORMAT, "%s: line %d, column %d: %s", P->name, t->line, t->col, msg);
}
#define OOM_PARSE() attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template")

static token *cur(parser *P) { return &P->t[P->i]; }
static bool at_op(parser *P, const char *op) { return cur(P)->k == T_OP && str_is(cur(P)->s, op); }
static bool at_name(parser *P, const char *name) { return cur(P)->k == T_NAME && str_is(cur(P)->s, name); }
static bool at_name_ahead(parser *P, size_t k, const char *name) {
    for (size_t j = 0; j < k; j++)
        if (P->t[P->i + j].k == T_EOF) return false;
    return P->t[P->i + k].k == T_NAME && str_is(P->t[P->i + k].s, name);
}

static const char *tok_desc(const token *t, char *out, size_t n) {
    switch (t->k) {
    case T_EOF: return "the end of the template";
    case T_TEXT: return "template text";
    case T_VBEGIN: return "'{{'";
    case T_VEND: return "'}}'";
    case T_BBEGIN: return "'{%'";
    case T_BEND: return "'%}'";
    case T_NAME: case T_OP: snprintf(out, n, "'%.*s'", (int)ATTN_MIN(t->s.n, 40), t->s.s); return out;
    case T_STR: return "a string";
    case T_INT: case T_FLOAT: return "a number";
    }
    return "?";
}

static attn_status expect_op(parser *P, const char *op) {
    if (!at_op(P, op)) {
        char d[64];
        return parse_errorf(P, cur(P), "expected '%s', found %s", op, tok_desc(cur(P), d, sizeof d));
    }
    P->i++;
    return ATTN_OK;
}

static node *new_node(parser *P, nkind k, const token *at) {
    node *n = mem_alloc(P->m, sizeof *n);
    if (!n) return NULL;
    memset(n, 0, sizeof *n);
    n->k = k;
    n->line = at->line;
    n->col = at->col;
    return n;
}

/* A growable array of node pointers in the arena. */
typedef struct nvec {
    node **v;
    size_t n, cap;
} nvec;
static attn_status nvec_push(parser *P, nvec *a, node *x) {
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 4;
        node **v = mem_alloc(P->m, cap * sizeof *v);
        if (!v) return OOM_PARSE();
        if (a->n) memcpy(v, a->v, a->n * sizeof *v);
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return ATTN_OK;
}

static attn_status parse_expr(parser *P, node **out);
static attn_status parse_or(parser *P, node **out);
static attn_status parse_unary(parser *P, bool with_filter, node **out);

static attn_status enter(parser *P) {
    if (++P->depth > ATTN_CHAT_MAX_DEPTH)
        return parse_errorf(P, cur(P), "expressions or blocks nested deeper than %d (bound)", ATTN_CHAT_MAX_DEPTH);
    return ATTN_OK;
}

/* Arguments of a call, filter or test: ( [expr | name=expr] , ... ). The
 * opening parenthesis is the current token. */
static attn_status parse_args(parser *P, node *n) {
    attn_status st = expect_op(P, "(");
    if (st) return st;
    nvec pos = {0}, kwv = {0};
    str names[16];
    size_t n_kw = 0;
    while (!at_op(P, ")")) {
        if (at_op(P, "*") || at_op(P, "**")) return parse_errorf(P, cur(P), "unsupported construct: *args / **kwargs");
        if (cur(P)->k == T_NAME && P->t[P->i + 1].k == T_OP && str_is(P->t[P->i + 1].s, "=")) {
            if (n_kw == ARRAY_LEN(names)) return parse_errorf(P, cur(P), "too many keyword arguments");
            names[n_kw++] = cur(P)->s;
            P->i += 2;
            node *v;
            if ((st = parse_expr(P, &v)) || (st = nvec_push(P, &kwv, v))) return st;
        } else {
            if (n_kw) return parse_errorf(P, cur(P), "a positional argument after keyword arguments");
            node *v;
            if ((st = parse_expr(P, &v)) || (st = nvec_push(P, &pos, v))) return st;
        }
        if (!at_op(P, ",")) break;
        P->i++;
    }
    if ((st = expect_op(P, ")"))) return st;
    n->items = pos.v;
    n->n_items = pos.n;
    n->kw_vals = kwv.v;
    n->n_kw = n_kw;
    if (n_kw) {
        n->kw_names = mem_alloc(P->m, n_kw * sizeof *n->kw_names);
        if (!n->kw_names) return OOM_PARSE();
        memcpy(n->kw_names, names, n_kw * sizeof *names);
    }
    return ATTN_OK;
}

/* ( expr ) or a tuple ( a, b, ) */
static attn_status parse_paren(parser *P, node **out) {
    token *at = cur(P);
    P->i++;
    nvec items = {0};
    bool tuple = false;
    attn_status st;
    while (!at_op(P, ")")) {
        node *x;
        if ((st = parse_expr(P, &x)) || (st = nvec_push(P, &items, x))) return st;
        if (!at_op(P, ",")) break;
        tuple = true;
        P->i++;
    }
    if ((st = expect_op(P, ")"))) return st;
    if (!tuple && items.n == 1) {
        *out = items.v[0];
        return ATTN_OK;
    }
    node *n = new_node(P, E_TUPLE, at);
    if (!n) return OOM_PARSE();
    n->items = items.v;
    n->n_items = items.n;
    *out = n;
    return ATTN_OK;
}

static attn_status parse_primary(parser *P, node **out) {
    token *t = cur(P);
    attn_status st;
    node *n = NULL;
    char d[64];
    switch (t->k) {
    case T_NAME: {
        value lit = {0};
        bool is_lit = true;
        if (str_is(t->s, "true") || str_is(t->s, "True")) lit = v_bool(true);
        else if (str_is(t->s, "false") || str_is(t->s, "False")) lit = v_bool(false);
        else if (str_is(t->s, "none") || str_is(t->s, "None")) lit = v_none();
        else is_lit = false;
        if (!(n = new_node(P, is_lit ? E_LIT : E_NAME, t))) return OOM_PARSE();
        n->v = lit;
        n->s = t->s;
        P->i++;
        break;
    }
    case T_STR: {
        /* adjacent literals join: 'a' 'b' */
        size_t total = 0, j = P->i;
        for (; P->t[j].k == T_STR; j++) total += P->t[j].s.n;
        char *s = mem_alloc(P->m, total + 1);
        if (!s || !(n = new_node(P, E_LIT, t))) return OOM_PARSE();
        size_t o = 0;
        for (; P->i < j; P->i++) {
            memcpy(s + o, P->t[P->i].s.s, P->t[P->i].s.n);
            o += P->t[P->i].s.n;
        }
        n->v = v_str(s, o);
        break;
    }
    case T_INT: case T_FLOAT:
        if (!(n = new_node(P, E_LIT, t))) return OOM_PARSE();
        n->v = t->k == T_INT ? v_int(t->i) : v_float(t->f);
        P->i++;
        break;
    case T_OP:
        if (str_is(t->s, "(")) {
            if ((st = parse_paren(P, &n))) return st;
        } else if (str_is(t->s, "[") || str_is(t->s, "{")) {
            bool dict = str_is(t->s, "{");
            if (!(n = new_node(P, dict ? E_DICT : E_LIST, t))) return OOM_PARSE();
            P->i++;
            nvec items = {0};
            const char *close = dict ? "}" : "]";
            while (!at_op(P, close)) {
                node *x;
                if ((st = parse_expr(P, &x)) || (st = nvec_push(P, &items, x))) return st;
                if (dict) {
                    if ((st = expect_op(P, ":")) || (st = parse_expr(P, &x)) || (st = nvec_push(P, &items, x)))
                        return st;
                }
                if (!at_op(P, ",")) break;
                P->i++;
            }
            if ((st = expect_op(P, close))) return st;
            n->items = items.v;
            n->n_items = items.n;
        } else {
            return parse_errorf(P, t, "unexpected %s in an expression", tok_desc(t, d, sizeof d));
        }
        break;
    default:
        return parse_errorf(P, t, "expected an expression, found %s", tok_desc(t, d, sizeof d));
    }
    *out = n;
    return ATTN_OK;
}

/* .name, [subscript or slice], (call) after a primary */
static attn_status parse_postfix(parser *P, node *n, node **out) {
    attn_status st;
    for (;;) {
        token *t = cur(P);
        if (at_op(P, ".")) {
            P->i++;
            if (cur(P)->k == T_INT) {
                node *idx = new_node(P, E_LIT, cur(P));
                node *x = new_node(P, E_ITEM, t);
                if (!idx || !x) return OOM_PARSE();
                idx->v = v_int(cur(P)->i);
                x->a = n;
                x->b = idx;
                n = x;
                P->i++;
                continue;
            }
            if (cur(P)->k != T_NAME) return parse_errorf(P, cur(P), "expected an attribute name after '.'");
            node *x = new_node(P, E_ATTR, t);
            if (!x) return OOM_PARSE();
            x->a = n;
            x->s = cur(P)->s;
            P->i++;
            n = x;
        } else if (at_op(P, "[")) {
            P->i++;
            node *parts[3] = {NULL, NULL, NULL};
            int k = 0;
            bool slice = false;
            for (;;) {
                if (!at_op(P, ":") && !at_op(P, "]")) {
                    if ((st = parse_expr(P, &parts[k]))) return st;
                }
                if (at_op(P, ":") && k < 2) {
                    slice = true;
                    k++;
                    P->i++;
                    continue;
                }
                break;
            }
            if ((st = expect_op(P, "]"))) return st;
            if (!slice && !parts[0]) return parse_errorf(P, t, "an empty subscript []");
            node *x = new_node(P, slice ? E_SLICE : E_ITEM, t);
            if (!x) return OOM_PARSE();
            x->a = n;
            if (slice) {
                if (!(x->items = mem_alloc(P->m, 3 * sizeof *x->items))) return OOM_PARSE();
                memcpy(x->items, parts, sizeof parts);
                x->n_items = 3;
            } else {
                x->b = parts[0];
            }
            n = x;
        } else if (at_op(P, "(")) {
            node *x = new_node(P, E_CALL, t);
            if (!x) return OOM_PARSE();
            x->line = n->line; /* a call is reported where its callee starts */
            x->col = n->col;
            x->a = n;
            if ((st = parse_args(P, x))) return st;
            n = x;
        } else {
            break;
        }
    }
    *out = n;
    return ATTN_OK;
}

/* | filter(args), is [not] test(args), (call) */
static attn_status parse_filter_expr(parser *P, node *n, node **out) {
    attn_status st;
    for (;;) {
        token *t = cur(P);
        if (at_op(P, "|")) {
            P->i++;
            if (cur(P)->k != T_NAME) return parse_errorf(P, cur(P), "expected a filter name after '|'");
            node *x = new_node(P, E_FILTER, t);
            if (!x) return OOM_PARSE();
            x->a = n;
            x->s = cur(P)->s;
            P->i++;
            if (at_op(P, ".") && P->t[P->i + 1].k == T_NAME) return parse_errorf(P, cur(P), "unsupported construct: a dotted filter name");
            if (at_op(P, "(") && (st = parse_args(P, x))) return st;
            n = x;
        } else if (at_name(P, "is")) {
            P->i++;
            node *x = new_node(P, E_TEST, t);
            if (!x) return OOM_PARSE();
            if (at_name(P, "not")) {
                x->op = 1;
                P->i++;
            }
            if (cur(P)->k != T_NAME) return parse_errorf(P, cur(P), "expected a test name after 'is'");
            x->a = n;
            x->s = cur(P)->s;
            P->i++;
            if (at_op(P, "(")) {
                if ((st = parse_args(P, x))) return st;
            } else if (cur(P)->k == T_STR || cur(P)->k == T_INT || cur(P)->k == T_FLOAT ||
                       (cur(P)->k == T_NAME && !at_name(P, "else") && !at_name(P, "or") && !at_name(P, "and") &&
                        !at_name(P, "if") && !at_name(P, "in") && !at_name(P, "not") && !at_name(P, "is"))) {
                /* `is divisibleby 3`, `is sameas none`: one argument without parentheses */
                node *arg;
                if ((st = parse_primary(P, &arg)) || (st = parse_postfix(P, arg, &arg))) return st;
                if (!(x->items = mem_alloc(P->m, sizeof *x->items))) return OOM_PARSE();
                x->items[0] = arg;
                x->n_items = 1;
            }
            n = x;
        } else if (at_op(P, "(")) {
            node *x = new_node(P, E_CALL, t);
            if (!x) return OOM_PARSE();
            x->a = n;
            if ((st = parse_args(P, x))) return st;
            n = x;
        } else {
            break;
        }
    }
    *out = n;
    return ATTN_OK;
}

static attn_status parse_unary(parser *P, bool with_filter, node **out) {
    attn_status st = enter(P);
    if (st) return st;
    token *t = cur(P);
    node *n;
    if (at_op(P, "-") || at_op(P, "+")) {
        bool neg = at_op(P, "-");
        P->i++;
        node *x;
        if ((st = parse_unary(P, false, &x))) return st;
        if (!(n = new_node(P, neg ? E_NEG : E_POS, t))) return OOM_PARSE();
        n->a = x;
    } else {
        if ((st = parse_primary(P, &n)) || (st = parse_postfix(P, n, &n))) return st;
    }
    if (with_filter && (st = parse_filter_expr(P, n, &n))) return st;
    P->depth--;
    *out = n;
    return ATTN_OK;
}

static attn_status bin_node(parser *P, nkind k, int op, const token *t, node *a, node *b, node **out) {
    node *n = new_node(P, k, t);
    if (!n) return OOM_PARSE();
    n->op = op;
    n->a = a;
    n->b = b;
    *out = n;
    return ATTN_OK;
}

static attn_status parse_pow(parser *P, node **out) {
    node *a, *b;
    attn_status st = parse_unary(P, true, &a);
    while (!st && at_op(P, "**")) {
        token *t = cur(P);
        P->i++;
        if ((st = parse_unary(P, true, &b)) || (st = bin_node(P, E_BIN, OP_POW, t, a, b, &a))) return st;
    }
    *out = a;
    return st;
}

static attn_status parse_math2(parser *P, node **out) {
    node *a, *b;
    attn_status st = parse_pow(P, &a);
    while (!st && (at_op(P, "*") || at_op(P, "/") || at_op(P, "//") || at_op(P, "%"))) {
        token *t = cur(P);
        int op = at_op(P, "*") ? OP_MUL : at_op(P, "/") ? OP_DIV : at_op(P, "//") ? OP_FLOORDIV : OP_MOD;
        P->i++;
        if ((st = parse_pow(P, &b)) || (st = bin_node(P, E_BIN, op, t, a, b, &a))) return st;
    }
    *out = a;
    return st;
}

static attn_status parse_concat(parser *P, node **out) {
    node *a, *b;
    attn_status st = parse_math2(P, &a);
    while (!st && at_op(P, "~")) {
        token *t = cur(P);
        P->i++;
        if ((st = parse_math2(P, &b)) || (st = bin_node(P, E_BIN, OP_CAT, t, a, b, &a))) return st;
    }
    *out = a;
    return st;
}

static attn_status parse_math1(parser *P, node **out) {
    node *a, *b;
    attn_status st = parse_concat(P, &a);
    while (!st && (at_op(P, "+") || at_op(P, "-"))) {
        token *t = cur(P);
        int op = at_op(P, "+") ? OP_ADD : OP_SUB;
        P->i++;
        if ((st = parse_concat(P, &b)) || (st = bin_node(P, E_BIN, op, t, a, b, &a))) return st;
    }
    *out = a;
    return st;
}

/* Comparisons chain as in Python: a < b < c is (a < b) and (b < c); the
 * middle operand is evaluated twice here, which is the same for the pure
 * expressions templates compare. */
static attn_status parse_compare(parser *P, node **out) {
    node *a, *b, *result = NULL;
    attn_status st = parse_math1(P, &a);
    if (st) return st;
    for (;;) {
        token *t = cur(P);
        int op = -1;
        if (at_op(P, "==")) op = OP_EQ;
        else if (at_op(P, "!=")) op = OP_NE;
        else if (at_op(P, "<")) op = OP_LT;
        else if (at_op(P, "<=")) op = OP_LE;
        else if (at_op(P, ">")) op = OP_GT;
        else if (at_op(P, ">=")) op = OP_GE;
        else if (at_name(P, "in")) op = OP_IN;
        else if (at_name(P, "not") && at_name_ahead(P, 1, "in")) op = OP_NOTIN;
        if (op < 0) break;
        P->i += op == OP_NOTIN ? 2 : 1;
        node *cmp = NULL;
        if ((st = parse_math1(P, &b)) || (st = bin_node(P, E_CMP, op, t, a, b, &cmp))) return st;
        if (!result) result = cmp;
        else if ((st = bin_node(P, E_AND, 0, t, result, cmp, &result))) return st;
        a = b;
    }
    *out = result ? result : a;
    return ATTN_OK;
}

static attn_status parse_not(parser *P, node **out) {
    if (at_name(P, "not")) {
        token *t = cur(P);
        P->i++;
        attn_status st = enter(P);
        node *a;
        if (st || (st = parse_not(P, &a))) return st;
        P->depth--;
        return bin_node(P, E_NOT, 0, t, a, NULL, out);
    }
    return parse_compare(P, out);
}

static attn_status parse_and(parser *P, node **out) {
    node *a, *b;
    attn_status st = parse_not(P, &a);
    while (!st && at_name(P, "and")) {
        token *t = cur(P);
        P->i++;
        if ((st = parse_not(P, &b)) || (st = bin_node(P, E_AND, 0, t, a, b, &a))) return st;
    }
    *out = a;
    return st;
}

static attn_status parse_or(parser *P, node **out) {
    node *a, *b;
    attn_status st = parse_and(P, &a);
    while (!st && at_name(P, "or")) {
        token *t = cur(P);
        P->i++;
        if ((st = parse_and(P, &b)) || (st = bin_node(P, E_OR, 0, t, a, b, &a))) return st;
    }
    *out = a;
    return st;
}

/* expr: or_expr [if or_expr [else expr]] */
static attn_status parse_expr(parser *P, node **out) {
    attn_status st = enter(P);
    node *a;
    if (st || (st = parse_or(P, &a))) return st;
    while (at_name(P, "if")) {
        token *t = cur(P);
        P->i++;
        node *c = new_node(P, E_COND, t), *cond, *other = NULL;
        if (!c) return OOM_PARSE();
        if ((st = parse_or(P, &cond))) return st;
        if (at_name(P, "else")) {
            P->i++;
            if ((st = parse_expr(P, &other))) return st;
        }
        c->a = a;
        c->b = cond;
        c->c = other;
        a = c;
    }
    P->depth--;
    *out = a;
    return ATTN_OK;
}

/* expr or a bare tuple a, b (for {{ }}, set and for's iterable) */
static attn_status parse_tuple_expr(parser *P, node **out) {
    token *t = cur(P);
    node *a;
    attn_status st = parse_expr(P, &a);
    if (st || !at_op(P, ",")) {
        *out = a;
        return st;
    }
    nvec items = {0};
    if ((st = nvec_push(P, &items, a))) return st;
    while (at_op(P, ",")) {
        P->i++;
        if (cur(P)->k == T_VEND || cur(P)->k == T_BEND) break;
        if ((st = parse_expr(P, &a)) || (st = nvec_push(P, &items, a))) return st;
    }
    node *n = new_node(P, E_TUPLE, t);
    if (!n) return OOM_PARSE();
    n->items = items.v;
    n->n_items = items.n;
    *out = n;
    return ATTN_OK;
}

/* ---- statements -------------------------------------------------------------------- */
static attn_status parse_body(parser *P, const char *const *ends, const token *opened, int loops, nvec *out,
                              str *end_found);

static attn_status expect_bend(parser *P, const char *tag) {
    if (cur(P)->k != T_BEND) {
        char d[64];
        return parse_errorf(P, cur(P), "expected '%%}' to end {%% %s %%}, found %s", tag, tok_desc(cur(P), d, sizeof d));
    }
    P->i++;
    return ATTN_OK;
}

/* name [, name]... (optionally in parentheses) */
static attn_status parse_targets(parser *P, node *n) {
    str names[8];
    size_t k = 0;
    bool paren = at_op(P, "(");
    if (paren) P->i++;
    for (;;) {
        if (cur(P)->k != T_NAME) return parse_errorf(P, cur(P), "expected a variable name");
        if (k == ARRAY_LEN(names)) return parse_errorf(P, cur(P), "more than %zu names to unpack", ARRAY_LEN(names));
        names[k++] = cur(P)->s;
        P->i++;
        if (!at_op(P, ",")) break;
        P->i++;
    }
    if (paren) {
        attn_status st = expect_op(P, ")");
        if (st) return st;
    }
    if (!(n->targets = mem_alloc(P->m, k * sizeof *n->targets))) return OOM_PARSE();
    memcpy(n->targets, names, k * sizeof *names);
    n->n_targets = k;
    return ATTN_OK;
}

/* An {% else %} branch of n, up to and including {% endword %}. */
static attn_status parse_orelse(parser *P, const token *at, int loops, const char *endword, node *n) {
    const char *const ends[] = {endword, NULL};
    nvec orelse = {0};
    str end;
    attn_status st = parse_body(P, ends, at, loops, &orelse, &end);
    if (st) return st;
    n->orelse = orelse.v;
    n->n_orelse = orelse.n;
    P->i++;
    return expect_bend(P, endword);
}

static attn_status parse_if(parser *P, const token *at, int loops, node **out) {
    node *n = new_node(P, N_IF, at);
    if (!n) return OOM_PARSE();
    attn_status st;
    if ((st = parse_expr(P, &n->a)) || (st = expect_bend(P, "if"))) return st;
    static const char *const ENDS[] = {"elif", "else", "endif", NULL};
    nvec body = {0};
    str end;
    if ((st = enter(P)) || (st = parse_body(P, ENDS, at, loops, &body, &end))) return st;
    n->body = body.v;
    n->n_body = body.n;
    token *t = cur(P);
    P->i++;
    if (str_is(end, "elif")) {
        node *inner;
        if ((st = parse_if(P, t, loops, &inner))) return st;
        if (!(n->orelse = mem_alloc(P->m, sizeof *n->orelse))) return OOM_PARSE();
        n->orelse[0] = inner;
        n->n_orelse = 1;
    } else {
        if ((st = expect_bend(P, str_is(end, "else") ? "else" : "endif"))) return st;
        if (str_is(end, "else") && (st = parse_orelse(P, at, loops, "endif", n))) return st;
    }
    P->depth--;
    *out = n;
    return ATTN_OK;
}

static attn_status parse_for(parser *P, const token *at, int loops, node **out) {
    node *n = new_node(P, N_FOR, at);
    if (!n) return OOM_PARSE();
    attn_status st;
    if ((st = parse_targets(P, n))) return st;
    if (!at_name(P, "in")) return parse_errorf(P, cur(P), "expected 'in' in {%% for %%}");
    P->i++;
    /* the iterable: no conditional expression (its `if` filters the loop) */
    if ((st = parse_or(P, &n->a))) return st;
    if (at_op(P, ",")) return parse_errorf(P, cur(P), "unsupported construct: a tuple to loop over");
    if (at_name(P, "if")) {
        P->i++;
        if ((st = parse_expr(P, &n->b))) return st;
    }
    if (at_name(P, "recursive")) return parse_errorf(P, cur(P), "unsupported construct: recursive loops");
    if ((st = expect_bend(P, "for"))) return st;
    static const char *const ENDS[] = {"else", "endfor", NULL};
    nvec body = {0};
    str end;
    if ((st = enter(P)) || (st = parse_body(P, ENDS, at, loops + 1, &body, &end))) return st;
    n->body = body.v;
    n->n_body = body.n;
    P->i++;
    if ((st = expect_bend(P, str_is(end, "else") ? "else" : "endfor"))) return st;
    if (str_is(end, "else") && (st = parse_orelse(P, at, loops, "endfor", n))) return st;
    P->depth--;
    *out = n;
    return ATTN_OK;
}

static attn_status parse_set(parser *P, const token *at, node **out) {
    node *n = new_node(P, N_SET, at);
    if (!n) return OOM_PARSE();
    attn_status st;
    if (cur(P)->k == T_NAME && P->t[P->i + 1].k == T_OP && str_is(P->t[P->i + 1].s, ".")) {
        /* ns.attr = value */
        if (!(n->a = new_node(P, E_NAME, cur(P)))) return OOM_PARSE();
        n->a->s = cur(P)->s;
        P->i += 2;
        if (cur(P)->k != T_NAME) return parse_errorf(P, cur(P), "expected an attribute name after '.'");
        n->s = cur(P)->s;
        P->i++;
    } else if ((st = parse_targets(P, n))) {
        return st;
    }
    if (!at_op(P, "=")) {
        if (cur(P)->k == T_BEND) return parse_errorf(P, at, "unsupported construct: a {%% set %%} block ({%% endset %%})");
        return parse_errorf(P, cur(P), "expected '=' in {%% set %%}");
    }
    P->i++;
    if ((st = parse_tuple_expr(P, &n->b)) || (st = expect_bend(P, "set"))) return st;
    *out = n;
    return ATTN_OK;
}

static bool in_list(str s, const char *const *list) {
    for (; list && *list; list++)
        if (str_is(s, *list)) return true;
    return false;
}

/* Statements until one of `ends` (a NULL-terminated list of tag names, or
 * NULL for the whole template): on return the current token is that tag's
 * name (P->i at it) and *end_found names it. */
static attn_status parse_body(parser *P, const char *const *ends, const token *opened, int loops, nvec *out,
                              str *end_found) {
    static const char *const REFUSED[] = {"macro", "endmacro", "call", "endcall", "filter", "endfilter", "include",
                                          "import", "from", "extends", "block", "endblock", "raw", "endraw",
                                          "with", "endwith", "autoescape", "endautoescape", "do", "endset",
                                          "trans", "endtrans", "pluralize", NULL};
    static const char *const CLOSERS[] = {"elif", "else", "endif", "endfor", "endgeneration", NULL};
    attn_status st;
    for (;;) {
        token *t = cur(P);
        node *n = NULL;
        if (t->k == T_EOF) {
            if (!ends) return ATTN_OK;
            return parse_errorf(P, opened, "this block is never closed (expected {%% %s %%} before the end of the template)",
                                ends[0] && ends[1] && ends[2] ? ends[2] : ends[1] ? ends[1] : ends[0]);
        } else if (t->k == T_TEXT) {
            if (!(n = new_node(P, N_TEXT, t))) return OOM_PARSE();
            n->s = t->s;
            P->i++;
        } else if (t->k == T_VBEGIN) {
            P->i++;
            if (!(n = new_node(P, N_OUTPUT, t))) return OOM_PARSE();
            if ((st = parse_tuple_expr(P, &n->a))) return st;
            if (cur(P)->k != T_VEND) {
                char d[64];
                return parse_errorf(P, cur(P), "expected '}}', found %s", tok_desc(cur(P), d, sizeof d));
            }
            P->i++;
        } else if (t->k == T_BBEGIN) {
            P->i++;
            token *name = cur(P);
            if (name->k != T_NAME) return parse_errorf(P, name, "expected a tag name after '{%%'");
            if (in_list(name->s, ends)) {
                *end_found = name->s;
                return ATTN_OK;
            }
            P->i++;
            if (str_is(name->s, "if")) {
                st = parse_if(P, name, loops, &n);
            } else if (str_is(name->s, "for")) {
                st = parse_for(P, name, loops, &n);
            } else if (str_is(name->s, "set")) {
                st = parse_set(P, name, &n);
            } else if (str_is(name->s, "break") || str_is(name->s, "continue")) {
                if (!loops) return parse_errorf(P, name, "{%% %.*s %%} outside a loop", (int)name->s.n, name->s.s);
                if (!(n = new_node(P, str_is(name->s, "break") ? N_BREAK : N_CONTINUE, name))) return OOM_PARSE();
                st = expect_bend(P, str_is(name->s, "break") ? "break" : "continue");
            } else if (str_is(name->s, "generation")) {
                static const char *const END[] = {"endgeneration", NULL};
                nvec body = {0};
                str end;
                if (!(n = new_node(P, N_BLOCK, name))) return OOM_PARSE();
                if ((st = expect_bend(P, "generation")) || (st = enter(P)) ||
                    (st = parse_body(P, END, name, loops, &body, &end)))
                    return st;
                P->depth--;
                P->i++;
                n->body = body.v;
                n->n_body = body.n;
                st = expect_bend(P, "endgeneration");
            } else if (in_list(name->s, REFUSED)) {
                return parse_errorf(P, name, "unsupported construct: the {%% %.*s %%} tag", (int)name->s.n, name->s.s);
            } else if (in_list(name->s, CLOSERS)) {
                return parse_errorf(P, name, "unexpected {%% %.*s %%}", (int)name->s.n, name->s.s);
            } else {
                return parse_errorf(P, name, "unsupported construct: unknown tag '%.*s'", (int)ATTN_MIN(name->s.n, 40),
                                    name->s.s);
            }
            if (st) return st;
        } else {
            char d[64];
            return parse_errorf(P, t, "unexpected %s", tok_desc(t, d, sizeof d));
        }
        if ((st = nvec_push(P, out, n))) return st;
    }
}

/* ---- rendering: context, errors, bounds ------------------------------------------- */
struct loopstate {
    int64_t index0, length;
    const vlist *items;
};

typedef struct frame {
    struct frame *up;
    vdict vars;
} frame;

typedef struct rctx {
    mem m;
    const char *name;
    buf out;
    frame *top;          /* innermost scope; the outermost is the template's */
    vdict globals;
    int64_t iterations, steps;
    int flow;            /* FLOW_* after {% break %} / {% continue %} */
} rctx;

enum { FLOW_NONE, FLOW_BREAK, FLOW_CONTINUE };
#define MAX_VALUE_DEPTH 256

static attn_status rt_errorf(rctx *R, const node *n, attn_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static attn_status rt_errorf(rctx *R, const node *n, attn_status st, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!n) return attn_errorf(st, "%s: %s", R->name, msg);
    return attn_errorf(st, "%s: line %d, column %d: %s", R->name, n->line, n->col, msg);
}
/* An error already recorded (out of memory, a bound) gets the position. */
static attn_status rt_at(rctx *R, const node *n, attn_status st) {
    if (!n) return error_prefixf(st, "%s", R->name);
    return error_prefixf(st, "%s: line %d, column %d", R->name, n->line, n->col);
}

static attn_status step(rctx *R, const node *n, int64_t cost) {
    R->steps += cost;
    if (R->steps > ATTN_CHAT_MAX_STEPS)
        return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "the template ran more than %d evaluation steps (bound)",
                         ATTN_CHAT_MAX_STEPS);
    return ATTN_OK;
}

static void *ralloc(rctx *R, size_t n) { return mem_alloc(&R->m, n); }

static attn_status new_str(rctx *R, const node *at, size_t n, char **out) {
    char *p = n < SIZE_MAX ? ralloc(R, n + 1) : NULL;
    if (!p) return rt_at(R, at, R->m.err);
    p[n] = 0;
    *out = p;
    return ATTN_OK;
}

static vlist *list_new(rctx *R, size_t cap) {
    vlist *l = ralloc(R, sizeof *l);
    if (!l) return NULL;
    l->n = 0;
    l->tuple = false;
    l->cap = cap;
    l->v = cap ? ralloc(R, cap * sizeof *l->v) : NULL;
    if (cap && !l->v) return NULL;
    return l;
}
static bool list_push(rctx *R, vlist *l, value v) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4;
        value *nv = ralloc(R, cap * sizeof *nv);
        if (!nv) return false;
        if (l->n) memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = v;
    return true;
}
static value v_list(vlist *l) { return (value){.k = V_LIST, .l = l}; }
static value v_dict(vdict *d) { return (value){.k = V_DICT, .d = d}; }

static bool values_equal(const value *a, const value *b, int depth);

static value *dict_find(const vdict *d, const value *key) {
    for (size_t i = 0; i < d->n; i++)
        if (values_equal(&d->key[i], key, 0)) return &d->val[i];
    return NULL;
}
static value *dict_find_str(const vdict *d, str key) {
    for (size_t i = 0; i < d->n; i++)
        if (d->key[i].k == V_STR && str_eq(d->key[i].s, key)) return &d->val[i];
    return NULL;
}
static bool dict_set(rctx *R, vdict *d, value key, value val) {
    value *old = dict_find(d, &key);
    if (old) {
        *old = val;
        return true;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 4;
        value *k = ralloc(R, cap * sizeof *k), *v = ralloc(R, cap * sizeof *v);
        if (!k || !v) return false;
        if (d->n) {
            memcpy(k, d->key, d->n * sizeof *k);
            memcpy(v, d->val, d->n * sizeof *v);
        }
        d->key = k;
        d->val = v;
        d->cap = cap;
    }
    d->key[d->n] = key;
    d->val[d->n] = val;
    d->n++;
    return true;
}
static vdict *dict_new(rctx *R) {
    vdict *d = ralloc(R, sizeof *d);
    if (d) memset(d, 0, sizeof *d);
    return d;
}

static bool truthy(const value *v) {
    switch (v->k) {
    case V_UNDEF: case V_NONE: return false;
    case V_BOOL: return v->b;
    case V_INT: return v->i != 0;
    case V_FLOAT: return v->f != 0;
    case V_STR: return v->s.n > 0;
    case V_LIST: return v->l->n > 0;
    case V_DICT: return v->d->n > 0;
    case V_NS: case V_LOOP: return true;
    }
    return false;
}

static bool is_num(const value *v) { return v->k == V_INT || v->k == V_FLOAT || v->k == V_BOOL; }
static double num_f(const value *v) { return v->k == V_FLOAT ? v->f : v->k == V_INT ? (double)v->i : (double)v->b; }
static int64_t num_i(const value *v) { return v->k == V_INT ? v->i : (int64_t)v->b; }

static bool values_equal(const value *a, const value *b, int depth) {
    if (depth > MAX_VALUE_DEPTH) return false;
    if (is_num(a) && is_num(b)) {
        if (a->k == V_FLOAT || b->k == V_FLOAT) return num_f(a) == num_f(b);
        return num_i(a) == num_i(b);
    }
    if (a->k != b->k) return false;
    switch (a->k) {
    case V_UNDEF: case V_NONE: return true;
    case V_STR: return str_eq(a->s, b->s);
    case V_LIST:
        if (a->l->n != b->l->n || a->l->tuple != b->l->tuple) return false;
        for (size_t i = 0; i < a->l->n; i++)
            if (!values_equal(&a->l->v[i], &b->l->v[i], depth + 1)) return false;
        return true;
    case V_DICT:
        if (a->d->n != b->d->n) return false;
        for (size_t i = 0; i < a->d->n; i++) {
            const value *o = dict_find(b->d, &a->d->key[i]);
            if (!o || !values_equal(&a->d->val[i], o, depth + 1)) return false;
        }
        return true;
    case V_NS: return a->d == b->d;
    case V_LOOP: return a->lp == b->lp;
    default: return false;
    }
}

/* ---- str(), repr() and json.dumps() of values --------------------------------------- */
/* Python's repr of a float: the shortest digits that read back the same,
 * scientific notation below 1e-4 and from 1e16. */
static void fmt_float(double f, char out[40]) {
    if (isnan(f)) { strcpy(out, "nan"); return; }
    if (isinf(f)) { strcpy(out, f < 0 ? "-inf" : "inf"); return; }
    char e[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, f);
        if (strtod(e, NULL) == f) break;
    }
    /* e = [-]d[.ddd]e[+-]XX */
    bool neg = e[0] == '-';
    const char *m = e + neg;
    char digits[24];
    int nd = 0;
    const char *q = m;
    for (; *q && *q != 'e'; q++)
        if (*q != '.') digits[nd++] = *q;
    int exp = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    char *o = out;
    if (neg) *o++ = '-';
    if (exp < -4 || exp >= 16) {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            for (int i = 1; i < nd; i++) *o++ = digits[i];
        }
        o += sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -exp - 1; i++) *o++ = '0';
        for (int i = 0; i < nd; i++) *o++ = digits[i];
    } else {
        for (int i = 0; i <= exp; i++) *o++ = i < nd ? digits[i] : '0';
        *o++ = '.';
        if (nd > exp + 1)
            for (int i = exp + 1; i < nd; i++) *o++ = digits[i];
        else
            *o++ = '0';
    }
    *o = 0;
}

static attn_status sb_repr(rctx *R, buf *b, const value *v, int depth);

static attn_status sb_repr_str(buf *b, str s) {
    bool has_sq = memchr(s.s, '\'', s.n) != NULL, has_dq = memchr(s.s, '"', s.n) != NULL;
    char q = has_sq && !has_dq ? '"' : '\'';
    attn_status st = buf_put(b, &q, 1);
    size_t run = 0;
    for (size_t i = 0; !st && i < s.n; i++) {
        unsigned char c = (unsigned char)s.s[i];
        const char *esc = NULL;
        char tmp[8];
        if (c == '\\') esc = "\\\\";
        else if (c == (unsigned char)q) esc = q == '\'' ? "\\'" : "\\\"";
        else if (c == '\n') esc = "\\n";
        else if (c == '\r') esc = "\\r";
        else if (c == '\t') esc = "\\t";
        else if (c < 0x20 || c == 0x7f) {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            esc = tmp;
        }
        if (esc) {
            if ((st = buf_put(b, s.s + i - run, run)) || (st = buf_puts(b, esc))) return st;
            run = 0;
        } else {
            run++;
        }
    }
    if (!st) st = buf_put(b, s.s + s.n - run, run);
    if (!st) st = buf_put(b, &q, 1);
    return st;
}

/* str(v) appended to b */
static attn_status sb_str(rctx *R, buf *b, const value *v, int depth) {
    char tmp[40];
    switch (v->k) {
    case V_UNDEF: return ATTN_OK;
    case V_NONE: return buf_puts(b, "None");
    case V_BOOL: return buf_puts(b, v->b ? "True" : "False");
    case V_INT: snprintf(tmp, sizeof tmp, "%lld", (long long)v->i); return buf_puts(b, tmp);
    case V_FLOAT: fmt_float(v->f, tmp); return buf_puts(b, tmp);
    case V_STR: return buf_put(b, v->s.s, v->s.n);
    default: return sb_repr(R, b, v, depth);
    }
}

static attn_status sb_repr(rctx *R, buf *b, const value *v, int depth) {
    if (depth > MAX_VALUE_DEPTH)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "a value nested deeper than %d (bound)", MAX_VALUE_DEPTH);
    attn_status st = ATTN_OK;
    switch (v->k) {
    case V_UNDEF: return buf_puts(b, "Undefined");
    case V_LOOP: return buf_puts(b, "<LoopContext>");
    case V_STR: return sb_repr_str(b, v->s);
    case V_LIST:
        st = buf_puts(b, v->l->tuple ? "(" : "[");
        for (size_t i = 0; !st && i < v->l->n; i++) {
            if (i) st = buf_puts(b, ", ");
            if (!st) st = sb_repr(R, b, &v->l->v[i], depth + 1);
        }
        if (!st && v->l->tuple && v->l->n == 1) st = buf_puts(b, ",");
        return st ? st : buf_puts(b, v->l->tuple ? ")" : "]");
    case V_DICT: case V_NS:
        st = buf_puts(b, v->k == V_NS ? "<Namespace {" : "{");
        for (size_t i = 0; !st && i < v->d->n; i++) {
            if (i) st = buf_puts(b, ", ");
            if (!st) st = sb_repr(R, b, &v->d->key[i], depth + 1);
            if (!st) st = buf_puts(b, ": ");
            if (!st) st = sb_repr(R, b, &v->d->val[i], depth + 1);
        }
        return st ? st : buf_puts(b, v->k == V_NS ? "}>" : "}");
    default: return sb_str(R, b, v, depth);
    }
}

typedef struct json_opts {
    int indent;          /* < 0: none */
    str item_sep, key_sep;
    bool sort_keys, ensure_ascii;
} json_opts;

static attn_status sb_json_str(buf *b, str s, bool ensure_ascii) {
    attn_status st = buf_puts(b, "\"");
    size_t i = 0, run = 0;
    while (!st && i < s.n) {
        unsigned char c = (unsigned char)s.s[i];
        char tmp[16];
        const char *esc = NULL;
        size_t adv = 1;
        if (c == '"') esc = "\\\"";
        else if (c == '\\') esc = "\\\\";
        else if (c == '\n') esc = "\\n";
        else if (c == '\r') esc = "\\r";
        else if (c == '\t') esc = "\\t";
        else if (c == '\b') esc = "\\b";
        else if (c == '\f') esc = "\\f";
        else if (c < 0x20) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            esc = tmp;
        } else if (c >= 0x80 && ensure_ascii) {
            uint32_t cp;
            adv = (size_t)cp_at(s.s, s.n, i, &cp);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                snprintf(tmp, sizeof tmp, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
            } else {
                snprintf(tmp, sizeof tmp, "\\u%04x", cp);
            }
            esc = tmp;
        }
        if (esc) {
            if ((st = buf_put(b, s.s + i - run, run)) || (st = buf_puts(b, esc))) return st;
            run = 0;
        } else {
            run++;
        }
        i += adv;
    }
    if (!st) st = buf_put(b, s.s + s.n - run, run);
    return st ? st : buf_puts(b, "\"");
}

static attn_status sb_newline(buf *b, const json_opts *o, int level) {
    attn_status st = buf_puts(b, "\n");
    for (int i = 0; !st && i < o->indent * level; i++) st = buf_puts(b, " ");
    return st;
}

static int key_cmp(const void *x, const void *y);
typedef struct kv_ref { const value *k, *v; } kv_ref;

static attn_status sb_json(rctx *R, buf *b, const value *v, const json_opts *o, int level) {
    if (level > MAX_VALUE_DEPTH)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "tojson: a value nested deeper than %d (bound)", MAX_VALUE_DEPTH);
    char tmp[40];
    attn_status st = ATTN_OK;
    switch (v->k) {
    case V_UNDEF: return attn_errorf(ATTN_ERR_INVALID_ARG, "tojson: Object of type Undefined is not JSON serializable");
    case V_NS: return attn_errorf(ATTN_ERR_INVALID_ARG, "tojson: Object of type Namespace is not JSON serializable");
    case V_LOOP: return attn_errorf(ATTN_ERR_INVALID_ARG, "tojson: Object of type LoopContext is not JSON serializable");
    case V_NONE: return buf_puts(b, "null");
    case V_BOOL: return buf_puts(b, v->b ? "true" : "false");
    case V_INT: snprintf(tmp, sizeof tmp, "%lld", (long long)v->i); return buf_puts(b, tmp);
    case V_FLOAT:
        if (isnan(v->f)) return buf_puts(b, "NaN");
        if (isinf(v->f)) return buf_puts(b, v->f < 0 ? "-Infinity" : "Infinity");
        fmt_float(v->f, tmp);
        return buf_puts(b, tmp);
    case V_STR: return sb_json_str(b, v->s, o->ensure_ascii);
    case V_LIST:
        if (!v->l->n) return buf_puts(b, "[]");
        st = buf_puts(b, "[");
        for (size_t i = 0; !st && i < v->l->n; i++) {
            if (i) st = buf_put(b, o->item_sep.s, o->item_sep.n);
            if (!st && o->indent >= 0) st = sb_newline(b, o, level + 1);
            if (!st) st = sb_json(R, b, &v->l->v[i], o, level + 1);
        }
        if (!st && o->indent >= 0) st = sb_newline(b, o, level);
        return st ? st : buf_puts(b, "]");
    case V_DICT: {
        if (!v->d->n) return buf_puts(b, "{}");
        kv_ref *kv = ralloc(R, v->d->n * sizeof *kv);
        if (!kv) return R->m.err;
        for (size_t i = 0; i < v->d->n; i++) {
            kv[i].k = &v->d->key[i];
            kv[i].v = &v->d->val[i];
            const value *k = kv[i].k;
            if (k->k != V_STR && k->k != V_INT && k->k != V_FLOAT && k->k != V_BOOL && k->k != V_NONE)
                return attn_errorf(ATTN_ERR_INVALID_ARG, "tojson: keys must be str, int, float, bool or None, not %s",
                                   KIND_NAME[k->k]);
            if (o->sort_keys && k->k != V_STR)
                return attn_errorf(ATTN_ERR_INVALID_ARG, "tojson: sort_keys needs string keys");
        }
        if (o->sort_keys) qsort(kv, v->d->n, sizeof *kv, key_cmp);
        st = buf_puts(b, "{");
        for (size_t i = 0; !st && i < v->d->n; i++) {
            if (i) st = buf_put(b, o->item_sep.s, o->item_sep.n);
            if (!st && o->indent >= 0) st = sb_newline(b, o, level + 1);
            const value *k = kv[i].k;
            if (!st) {
                if (k->k == V_STR) {
                    st = sb_json_str(b, k->s, o->ensure_ascii);
                } else {
                    /* json.dumps turns other keys into strings */
                    if (k->k == V_NONE) snprintf(tmp, sizeof tmp, "null");
                    else if (k->k == V_BOOL) snprintf(tmp, sizeof tmp, "%s", k->b ? "true" : "false");
                    else if (k->k == V_INT) snprintf(tmp, sizeof tmp, "%lld", (long long)k->i);
                    else fmt_float(k->f, tmp);
                    st = buf_puts(b, "\"");
                    if (!st) st = buf_puts(b, tmp);
                    if (!st) st = buf_puts(b, "\"");
                }
            }
            if (!st) st = buf_put(b, o->key_sep.s, o->key_sep.n);
            if (!st) st = sb_json(R, b, kv[i].v, o, level + 1);
        }
        if (!st && o->indent >= 0) st = sb_newline(b, o, level);
        return st ? st : buf_puts(b, "}");
    }
    }
    return ATTN_OK;
}

static int key_cmp(const void *x, const void *y) {
    str a = ((const kv_ref *)x)->k->s, b = ((const kv_ref *)y)->k->s;
    int c = memcmp(a.s, b.s, ATTN_MIN(a.n, b.n));
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* A scratch buffer's contents as a string value in the arena (and the
 * buffer freed). */
static attn_status sb_finish(rctx *R, const node *at, buf *b, attn_status st, value *out) {
    if (st) {
        attn_free(b->p);
        return rt_at(R, at, st);
    }
    char *s = NULL;
    st = new_str(R, at, b->n, &s);
    if (!st && b->n) memcpy(s, b->p, b->n);
    attn_free(b->p);
    if (!st) *out = v_str(s, b->n);
    return st;
}
static buf scratch(void) { return (buf){.max = ATTN_CHAT_MAX_MEMORY}; }

static attn_status to_str(rctx *R, const node *at, const value *v, value *out) {
    if (v->k == V_STR) {
        *out = *v;
        return ATTN_OK;
    }
    buf b = scratch();
    return sb_finish(R, at, &b, sb_str(R, &b, v, 0), out);
}

/* ---- evaluation ---------------------------------------------------------------------- */
static attn_status eval(rctx *R, const node *n, value *out);

#define OOM_AT(R, n) rt_at((R), (n), (R)->m.err)

static value *lookup(rctx *R, str name) {
    for (frame *f = R->top; f; f = f->up) {
        value *v = dict_find_str(&f->vars, name);
        if (v) return v;
    }
    return dict_find_str(&R->globals, name);
}

static attn_status set_var(rctx *R, const node *at, str name, value v) {
    if (!dict_set(R, &R->top->vars, v_str(name.s, name.n), v)) return OOM_AT(R, at);
    return ATTN_OK;
}

static attn_status undefined_error(rctx *R, const node *at, const value *v) {
    if (v->s.n) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "'%.*s' is undefined", (int)ATTN_MIN(v->s.n, 80), v->s.s);
    return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "a value is undefined");
}

/* Python-style index into n elements (negative from the end); false when
 * out of range. */
static bool norm_index(int64_t i, size_t n, size_t *out) {
    if (i < 0) i += (int64_t)n;
    if (i < 0 || (uint64_t)i >= n) return false;
    *out = (size_t)i;
    return true;
}

/* Byte offsets of a string's code points: off[k] for k in 0..count. */
static attn_status cp_offsets(rctx *R, const node *at, str s, size_t **off, size_t *count) {
    size_t c = cp_count(s.s, s.n);
    size_t *o = ralloc(R, (c + 1) * sizeof *o);
    if (!o) return OOM_AT(R, at);
    size_t k = 0;
    for (size_t i = 0; i < s.n; i++)
        if (((unsigned char)s.s[i] & 0xc0) != 0x80) o[k++] = i;
    o[c] = s.n;
    *off = o;
    *count = c;
    return ATTN_OK;
}

/* x[key] as Jinja's getitem: the item, else for a string key the
 * attribute, else undefined. */
static attn_status get_item(rctx *R, const node *at, const value *x, const value *key, value *out) {
    if (x->k == V_UNDEF) return undefined_error(R, at, x);
    if (x->k == V_DICT || x->k == V_NS) {
        value *v = dict_find(x->d, key);
        if (v) {
            *out = *v;
            return ATTN_OK;
        }
    } else if ((x->k == V_LIST || x->k == V_STR) && (key->k == V_INT || key->k == V_BOOL)) {
        size_t idx;
        if (x->k == V_LIST) {
            if (norm_index(num_i(key), x->l->n, &idx)) {
                *out = x->l->v[idx];
                return ATTN_OK;
            }
        } else {
            size_t *off, c;
            attn_status st = cp_offsets(R, at, x->s, &off, &c);
            if (st) return st;
            if (norm_index(num_i(key), c, &idx)) {
                *out = v_str(x->s.s + off[idx], off[idx + 1] - off[idx]);
                return ATTN_OK;
            }
        }
    }
    *out = v_undef(key->k == V_STR ? key->s : S(""));
    return ATTN_OK;
}

static attn_status get_attr(rctx *R, const node *at, const value *x, str name, value *out) {
    if (x->k == V_UNDEF) return undefined_error(R, at, x);
    value key = v_str(name.s, name.n);
    if (x->k == V_DICT || x->k == V_NS) {
        value *v = dict_find(x->d, &key);
        *out = v ? *v : v_undef(name);
        return ATTN_OK;
    }
    *out = v_undef(name);
    return ATTN_OK;
}

/* The loop variable: a dict rebuilt from the loop's state when read. */
static attn_status loop_attr(rctx *R, const node *at, const loopstate *ls, str name, value *out) {
    int64_t i = ls->index0, n = ls->length;
    if (str_is(name, "index")) *out = v_int(i + 1);
    else if (str_is(name, "index0")) *out = v_int(i);
    else if (str_is(name, "revindex")) *out = v_int(n - i);
    else if (str_is(name, "revindex0")) *out = v_int(n - i - 1);
    else if (str_is(name, "first")) *out = v_bool(i == 0);
    else if (str_is(name, "last")) *out = v_bool(i == n - 1);
    else if (str_is(name, "length")) *out = v_int(n);
    else if (str_is(name, "depth")) *out = v_int(1);
    else if (str_is(name, "depth0")) *out = v_int(0);
    else if (str_is(name, "previtem")) *out = i > 0 ? ls->items->v[i - 1] : v_undef(S("previtem"));
    else if (str_is(name, "nextitem")) *out = i + 1 < n ? ls->items->v[i + 1] : v_undef(S("nextitem"));
    else return rt_errorf(R, at, ATTN_ERR_UNSUPPORTED, "unsupported construct: loop.%.*s", (int)ATTN_MIN(name.n, 40), name.s);
    return ATTN_OK;
}

/* Python slice bounds over n items. */
static attn_status slice_bounds(rctx *R, const node *at, const value *parts, size_t n, int64_t *start, int64_t *stop,
                                int64_t *stride) {
    int64_t step_v = 1;
    if (parts[2].k != V_NONE && parts[2].k != V_UNDEF) {
        if (parts[2].k != V_INT) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "slice indices must be integers");
        step_v = parts[2].i;
        if (step_v == 0) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "slice step cannot be zero");
        if (step_v == INT64_MIN) step_v = -INT64_MAX;
    }
    int64_t len = (int64_t)n, b, e;
    for (int k = 0; k < 2; k++) {
        const value *p = &parts[k];
        int64_t *dst = k ? &e : &b;
        if (p->k == V_NONE || p->k == V_UNDEF) {
            *dst = step_v > 0 ? (k ? len : 0) : (k ? -1 : len - 1);
            continue;
        }
        if (p->k != V_INT && p->k != V_BOOL) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "slice indices must be integers");
        int64_t v = num_i(p);
        if (v < 0) {
            v = v < -len ? (step_v < 0 ? -1 : 0) : v + len;
        } else if (v >= len) {
            v = step_v < 0 ? len - 1 : len;
        }
        *dst = v;
    }
    *start = b;
    *stop = e;
    *stride = step_v;
    return ATTN_OK;
}

static attn_status do_slice(rctx *R, const node *at, const value *x, const value *parts, value *out) {
    if (x->k == V_UNDEF) return undefined_error(R, at, x);
    if (x->k != V_LIST && x->k != V_STR) {
        /* Jinja's getitem: what cannot be sliced gives undefined */
        *out = v_undef(S(""));
        return ATTN_OK;
    }
    size_t *off = NULL, n;
    attn_status st;
    if (x->k == V_STR) {
        if ((st = cp_offsets(R, at, x->s, &off, &n))) return st;
    } else {
        n = x->l->n;
    }
    int64_t b = 0, e = 0, s = 1;
    if ((st = slice_bounds(R, at, parts, n, &b, &e, &s))) return st;
    size_t count = 0;
    if (s > 0 && e > b) count = (size_t)((e - b + s - 1) / s);
    if (s < 0 && b > e) count = (size_t)((b - e + (-s) - 1) / (-s));
    if ((st = step(R, at, (int64_t)count))) return st;
    if (x->k == V_LIST) {
        vlist *l = list_new(R, count);
        if (!l) return OOM_AT(R, at);
        for (size_t k = 0; k < count; k++) l->v[k] = x->l->v[b + (int64_t)k * s];
        l->n = count;
        *out = v_list(l);
        return ATTN_OK;
    }
    if (s == 1) {
        *out = count ? v_str(x->s.s + off[b], off[e] - off[b]) : v_str("", 0);
        return ATTN_OK;
    }
    size_t bytes = 0;
    for (size_t k = 0; k < count; k++) {
        int64_t i = b + (int64_t)k * s;
        bytes += off[i + 1] - off[i];
    }
    char *p = NULL;
    if ((st = new_str(R, at, bytes, &p))) return st;
    size_t o = 0;
    for (size_t k = 0; k < count; k++) {
        int64_t i = b + (int64_t)k * s;
        memcpy(p + o, x->s.s + off[i], off[i + 1] - off[i]);
        o += off[i + 1] - off[i];
    }
    *out = v_str(p, bytes);
    return ATTN_OK;
}

static attn_status concat(rctx *R, const node *at, str a, str b, value *out) {
    char *p = NULL;
    if (a.n > SIZE_MAX / 2 || b.n > SIZE_MAX / 2) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "string too long");
    attn_status st = step(R, at, (int64_t)((a.n + b.n) / 64));
    if (st || (st = new_str(R, at, a.n + b.n, &p))) return st;
    if (a.n) memcpy(p, a.s, a.n);
    if (b.n) memcpy(p + a.n, b.s, b.n);
    *out = v_str(p, a.n + b.n);
    return ATTN_OK;
}

static attn_status type_error(rctx *R, const node *at, const char *op, const value *a, const value *b) {
    if (a->k == V_UNDEF) return undefined_error(R, at, a);
    if (b && b->k == V_UNDEF) return undefined_error(R, at, b);
    if (!b) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "bad operand type for %s: '%s'", op, KIND_NAME[a->k]);
    return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "unsupported operand type(s) for %s: '%s' and '%s'", op,
                     KIND_NAME[a->k], KIND_NAME[b->k]);
}

static attn_status repeat(rctx *R, const node *at, const value *seq, int64_t times, value *out) {
    if (times < 0) times = 0;
    size_t unit = seq->k == V_STR ? seq->s.n : seq->l->n, total;
    if (!size_mul(unit, (size_t)times, &total) || total > ATTN_CHAT_MAX_MEMORY)
        return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "a repetition longer than %zu MiB (bound)", ATTN_CHAT_MAX_MEMORY >> 20);
    attn_status st = step(R, at, (int64_t)(total / 64));
    if (st) return st;
    if (seq->k == V_STR) {
        char *p = NULL;
        if ((st = new_str(R, at, total, &p))) return st;
        for (int64_t k = 0; k < times; k++) memcpy(p + (size_t)k * unit, seq->s.s, unit);
        *out = v_str(p, total);
        return ATTN_OK;
    }
    vlist *l = list_new(R, total);
    if (!l) return OOM_AT(R, at);
    for (int64_t k = 0; k < times; k++) memcpy(l->v + (size_t)k * unit, seq->l->v, unit * sizeof *l->v);
    l->n = total;
    *out = v_list(l);
    return ATTN_OK;
}

static attn_status arith(rctx *R, const node *at, int op, const value *a, const value *b, value *out) {
    if (op == OP_CAT) {
        value sa, sb;
        attn_status st;
        if ((st = to_str(R, at, a, &sa)) || (st = to_str(R, at, b, &sb))) return st;
        return concat(R, at, sa.s, sb.s, out);
    }
    if (op == OP_ADD && a->k == V_STR && b->k == V_STR) return concat(R, at, a->s, b->s, out);
    if (op == OP_ADD && a->k == V_LIST && b->k == V_LIST) {
        vlist *l = list_new(R, a->l->n + b->l->n);
        if (!l) return OOM_AT(R, at);
        if (a->l->n) memcpy(l->v, a->l->v, a->l->n * sizeof *l->v);
        if (b->l->n) memcpy(l->v + a->l->n, b->l->v, b->l->n * sizeof *l->v);
        l->n = a->l->n + b->l->n;
        *out = v_list(l);
        return step(R, at, (int64_t)l->n);
    }
    if (op == OP_MUL && (a->k == V_STR || a->k == V_LIST) && (b->k == V_INT || b->k == V_BOOL))
        return repeat(R, at, a, num_i(b), out);
    if (op == OP_MUL && (b->k == V_STR || b->k == V_LIST) && (a->k == V_INT || a->k == V_BOOL))
        return repeat(R, at, b, num_i(a), out);
    if (op == OP_MOD && a->k == V_STR)
        return rt_errorf(R, at, ATTN_ERR_UNSUPPORTED, "unsupported construct: string %% formatting");
    if (!is_num(a) || !is_num(b)) return type_error(R, at, OP_TEXT[op], a, b);
    bool flt = a->k == V_FLOAT || b->k == V_FLOAT || op == OP_DIV;
    if (!flt) {
        int64_t x = num_i(a), y = num_i(b), r = 0;
        bool ovf = false;
        switch (op) {
        case OP_ADD: ovf = __builtin_add_overflow(x, y, &r); break;
        case OP_SUB: ovf = __builtin_sub_overflow(x, y, &r); break;
        case OP_MUL: ovf = __builtin_mul_overflow(x, y, &r); break;
        case OP_FLOORDIV: case OP_MOD:
            if (y == 0) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "integer division or modulo by zero");
            if (x == INT64_MIN && y == -1) {
                ovf = true;
                break;
            }
            r = op == OP_FLOORDIV ? x / y : x % y;
            if (op == OP_FLOORDIV && (x % y != 0) && ((x < 0) != (y < 0))) r--;
            if (op == OP_MOD && r != 0 && ((r < 0) != (y < 0))) r += y;
            break;
        case OP_POW:
            if (y < 0) {
                flt = true;
                break;
            }
            r = 1;
            for (int64_t k = 0; k < y && !ovf; k++) {
                ovf = __builtin_mul_overflow(r, x, &r);
                if (r == 0 || r == 1) break;
                if (r == -1) {
                    r = (y - k - 1) % 2 ? -r : r;
                    break;
                }
            }
            break;
        }
        if (ovf) return rt_errorf(R, at, ATTN_ERR_UNSUPPORTED, "integer overflow in %s (attn's integers are 64-bit)", OP_TEXT[op]);
        if (!flt) {
            *out = v_int(r);
            return ATTN_OK;
        }
    }
    double x = num_f(a), y = num_f(b), r = 0;
    switch (op) {
    case OP_ADD: r = x + y; break;
    case OP_SUB: r = x - y; break;
    case OP_MUL: r = x * y; break;
    case OP_DIV:
        if (y == 0) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "division by zero");
        r = x / y;
        break;
    case OP_FLOORDIV: case OP_MOD:
        if (y == 0) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "float division or modulo by zero");
        {
            double m = fmod(x, y);
            if (m != 0 && ((m < 0) != (y < 0))) m += y;
            r = op == OP_MOD ? m : floor(x / y);
        }
        break;
    case OP_POW:
        if (x == 0 && y < 0) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "0.0 cannot be raised to a negative power");
        r = pow(x, y);
        break;
    }
    *out = v_float(r);
    return ATTN_OK;
}

/* <0, 0, >0 into *c; an error when the kinds do not order. */
static attn_status order(rctx *R, const node *at, int op, const value *a, const value *b, int depth, int *c) {
    if (is_num(a) && is_num(b)) {
        if (a->k == V_FLOAT || b->k == V_FLOAT) {
            double x = num_f(a), y = num_f(b);
            *c = (x > y) - (x < y);
            if (isnan(x) || isnan(y)) *c = 2; /* every comparison with nan is false */
        } else {
            int64_t x = num_i(a), y = num_i(b);
            *c = (x > y) - (x < y);
        }
        return ATTN_OK;
    }
    if (a->k == V_STR && b->k == V_STR) {
        int r = memcmp(a->s.s, b->s.s, ATTN_MIN(a->s.n, b->s.n));
        *c = r ? (r > 0) - (r < 0) : (a->s.n > b->s.n) - (a->s.n < b->s.n);
        return ATTN_OK;
    }
    if (a->k == V_LIST && b->k == V_LIST && depth < MAX_VALUE_DEPTH) {
        for (size_t i = 0; i < a->l->n && i < b->l->n; i++) {
            if (values_equal(&a->l->v[i], &b->l->v[i], 0)) continue;
            return order(R, at, op, &a->l->v[i], &b->l->v[i], depth + 1, c);
        }
        *c = (a->l->n > b->l->n) - (a->l->n < b->l->n);
        return ATTN_OK;
    }
    if (a->k == V_UNDEF) return undefined_error(R, at, a);
    if (b->k == V_UNDEF) return undefined_error(R, at, b);
    return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "'%s' not supported between instances of '%s' and '%s'", OP_TEXT[op],
                     KIND_NAME[a->k], KIND_NAME[b->k]);
}

static attn_status contains(rctx *R, const node *at, const value *hay, const value *needle, bool *out) {
    switch (hay->k) {
    case V_STR:
        if (needle->k != V_STR)
            return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "'in <string>' requires string as left operand, not %s",
                             KIND_NAME[needle->k]);
        *out = needle->s.n == 0 || memmem(hay->s.s, hay->s.n, needle->s.s, needle->s.n) != NULL;
        return step(R, at, (int64_t)(hay->s.n / 64));
    case V_LIST:
        *out = false;
        for (size_t i = 0; i < hay->l->n && !*out; i++) *out = values_equal(&hay->l->v[i], needle, 0);
        return step(R, at, (int64_t)hay->l->n);
    case V_DICT: case V_NS:
        *out = dict_find(hay->d, needle) != NULL;
        return step(R, at, (int64_t)hay->d->n);
    case V_UNDEF:
        *out = false;
        return ATTN_OK;
    default:
        return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "argument of type '%s' is not iterable", KIND_NAME[hay->k]);
    }
}

static attn_status compare(rctx *R, const node *at, int op, const value *a, const value *b, value *out) {
    bool r = false;
    attn_status st;
    switch (op) {
    case OP_EQ: *out = v_bool(values_equal(a, b, 0)); return ATTN_OK;
    case OP_NE: *out = v_bool(!values_equal(a, b, 0)); return ATTN_OK;
    case OP_IN: case OP_NOTIN:
        if ((st = contains(R, at, b, a, &r))) return st;
        *out = v_bool(op == OP_IN ? r : !r);
        return ATTN_OK;
    default: {
        int c = 0;
        if ((st = order(R, at, op, a, b, 0, &c))) return st;
        if (c == 2) r = false;
        else r = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
        *out = v_bool(r);
        return ATTN_OK;
    }
    }
}

/* The items a for loop (or join, list...) walks: a list's items, a
 * string's characters, a dict's keys; undefined is empty. */
static attn_status iterate(rctx *R, const node *at, const value *x, vlist **out) {
    static vlist empty;
    attn_status st;
    switch (x->k) {
    case V_LIST: *out = x->l; return ATTN_OK;
    case V_UNDEF: *out = &empty; return ATTN_OK;
    case V_DICT: {
        vlist *l = list_new(R, x->d->n);
        if (!l) return OOM_AT(R, at);
        memcpy(l->v, x->d->key, x->d->n * sizeof *l->v);
        l->n = x->d->n;
        *out = l;
        return ATTN_OK;
    }
    case V_STR: {
        size_t *off, c;
        if ((st = cp_offsets(R, at, x->s, &off, &c))) return st;
        vlist *l = list_new(R, c);
        if (!l) return OOM_AT(R, at);
        for (size_t k = 0; k < c; k++) l->v[k] = v_str(x->s.s + off[k], off[k + 1] - off[k]);
        l->n = c;
        *out = l;
        return ATTN_OK;
    }
    default:
        return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "'%s' object is not iterable", KIND_NAME[x->k]);
    }
}

/* ---- filters, tests, functions and methods ---------------------------------------------- */
static attn_status run_test(rctx *R, const node *n, str t, const value *x, const value *y, bool *out);
typedef struct args {
    value pos[8];
    size_t n;
    str kw_name[8];
    value kw[8];
    size_t n_kw;
} args;

static attn_status eval_args(rctx *R, const node *n, args *a) {
    if (n->n_items > ARRAY_LEN(a->pos) || n->n_kw > ARRAY_LEN(a->kw))
        return rt_errorf(R, n, ATTN_ERR_UNSUPPORTED, "too many arguments");
    a->n = n->n_items;
    a->n_kw = n->n_kw;
    attn_status st;
    for (size_t i = 0; i < n->n_items; i++)
        if ((st = eval(R, n->items[i], &a->pos[i]))) return st;
    for (size_t i = 0; i < n->n_kw; i++) {
        a->kw_name[i] = n->kw_names[i];
        if ((st = eval(R, n->kw_vals[i], &a->kw[i]))) return st;
    }
    return ATTN_OK;
}

/* Argument `k` (positional index, or keyword `name`); NULL when absent. */
static const value *arg(const args *a, size_t k, const char *name) {
    if (k < a->n) return &a->pos[k];
    for (size_t i = 0; i < a->n_kw; i++)
        if (str_is(a->kw_name[i], name)) return &a->kw[i];
    return NULL;
}

static attn_status check_args(rctx *R, const node *at, const char *what, const args *a, size_t max_pos,
                              const char *const *kw_ok) {
    if (a->n > max_pos)
        return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "%s takes at most %zu positional argument%s (%zu given)", what,
                         max_pos, max_pos == 1 ? "" : "s", a->n);
    for (size_t i = 0; i < a->n_kw; i++)
        if (!in_list(a->kw_name[i], kw_ok))
            return rt_errorf(R, at, ATTN_ERR_UNSUPPORTED, "unsupported construct: %s with the argument '%.*s'", what,
                             (int)ATTN_MIN(a->kw_name[i].n, 40), a->kw_name[i].s);
    return ATTN_OK;
}

static attn_status need_str(rctx *R, const node *at, const char *what, const value *v) {
    if (v->k == V_STR) return ATTN_OK;
    if (v->k == V_UNDEF) return undefined_error(R, at, v);
    return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "%s needs a string, not %s", what, KIND_NAME[v->k]);
}

/* strip / lstrip / rstrip: whitespace, or the code points of `chars` */
static attn_status do_strip(rctx *R, const node *at, str s, const value *chars, int which, value *out) {
    size_t b = 0, e = s.n;
    if (!chars || chars->k == V_NONE) {
        size_t sb, se;
        space_span(s.s, s.n, &sb, &se);
        if (which & 1) b = sb;
        if (which & 2) e = sb == s.n ? (which & 1 ? s.n : 0) : se;
        if (b > e) b = e;
    } else {
        attn_status st = need_str(R, at, "strip", chars);
        if (st) return st;
        size_t *off, c;
        if ((st = cp_offsets(R, at, s, &off, &c))) return st;
        size_t lo = 0, hi = c;
        #define IN_SET(k) (memmem(chars->s.s, chars->s.n, s.s + off[k], off[(k) + 1] - off[k]) != NULL)
        if (which & 1)
            while (lo < hi && IN_SET(lo)) lo++;
        if (which & 2)
            while (hi > lo && IN_SET(hi - 1)) hi--;
        #undef IN_SET
        b = off[lo];
        e = off[hi];
    }
    *out = v_str(s.s + b, e - b);
    return ATTN_OK;
}

static attn_status case_map(rctx *R, const node *at, str s, int mode, value *out) {
    /* mode 0 upper, 1 lower, 2 capitalize, 3 title */
    buf b = scratch();
    attn_status st = ATTN_OK;
    bool prev_cased = false;
    size_t k = 0;
    for (size_t i = 0; !st && i < s.n; k++) {
        uint32_t cp;
        int len = cp_at(s.s, s.n, i, &cp);
        int32_t m;
        if (mode == 0) m = utf8proc_toupper((int32_t)cp);
        else if (mode == 1) m = utf8proc_tolower((int32_t)cp);
        else if (mode == 2) m = k == 0 ? utf8proc_totitle((int32_t)cp) : utf8proc_tolower((int32_t)cp);
        else m = prev_cased ? utf8proc_tolower((int32_t)cp) : utf8proc_totitle((int32_t)cp);
        utf8proc_category_t cat = utf8proc_category((int32_t)cp);
        prev_cased = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT;
        char enc[4];
        st = buf_put(&b, enc, (size_t)utf8_encode((uint32_t)m, enc));
        i += (size_t)len;
    }
    return sb_finish(R, at, &b, st, out);
}

static attn_status do_replace(rctx *R, const node *at, str s, const value *old, const value *new_v, const value *count,
                              value *out) {
    attn_status st;
    if ((st = need_str(R, at, "replace", old)) || (st = need_str(R, at, "replace", new_v))) return st;
    int64_t limit = -1;
    if (count && count->k != V_NONE) {
        if (count->k != V_INT) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "replace: count must be an integer");
        limit = count->i;
    }
    buf b = scratch();
    size_t i = 0;
    int64_t done = 0;
    if (old->s.n == 0) {
        /* Python inserts `new` around every character */
        size_t *off, c;
        if ((st = cp_offsets(R, at, s, &off, &c))) return st;
        for (size_t k = 0; !st && k <= c; k++) {
            if (limit < 0 || done < limit) {
                st = buf_put(&b, new_v->s.s, new_v->s.n);
                done++;
            }
            if (!st && k < c) st = buf_put(&b, s.s + off[k], off[k + 1] - off[k]);
        }
        return sb_finish(R, at, &b, st, out);
    }
    st = ATTN_OK;
    while (!st && i <= s.n) {
        const char *hit = (limit < 0 || done < limit) ? memmem(s.s + i, s.n - i, old->s.s, old->s.n) : NULL;
        if (!hit) {
            st = buf_put(&b, s.s + i, s.n - i);
            break;
        }
        size_t h = (size_t)(hit - s.s);
        st = buf_put(&b, s.s + i, h - i);
        if (!st) st = buf_put(&b, new_v->s.s, new_v->s.n);
        i = h + old->s.n;
        done++;
    }
    if (!st) st = step(R, at, (int64_t)(s.n / 64));
    return sb_finish(R, at, &b, st, out);
}

static attn_status do_split(rctx *R, const node *at, str s, const value *sep, const value *maxsplit, value *out) {
    int64_t max = -1;
    if (maxsplit && maxsplit->k != V_NONE) {
        if (maxsplit->k != V_INT) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "split: maxsplit must be an integer");
        max = maxsplit->i;
    }
    vlist *l = list_new(R, 0);
    if (!l) return OOM_AT(R, at);
    attn_status st = step(R, at, (int64_t)(s.n / 16));
    if (st) return st;
    if (!sep || sep->k == V_NONE) {
        size_t i = 0;
        int64_t done = 0;
        for (;;) {
            i = skip_space(s.s, s.n, i);
            if (i >= s.n) break;
            if (max >= 0 && done >= max) {
                /* the rest, with trailing whitespace removed */
                size_t b, e;
                space_span(s.s + i, s.n - i, &b, &e);
                if (!list_push(R, l, v_str(s.s + i, e))) return OOM_AT(R, at);
                break;
            }
            size_t j = i;
            while (j < s.n) {
                uint32_t cp;
                int k = cp_at(s.s, s.n, j, &cp);
                if (chat_is_space(cp)) break;
                j += (size_t)k;
            }
            if (!list_push(R, l, v_str(s.s + i, j - i))) return OOM_AT(R, at);
            done++;
            i = j;
        }
    } else {
        if ((st = need_str(R, at, "split", sep))) return st;
        if (sep->s.n == 0) return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "split: empty separator");
        size_t i = 0;
        int64_t done = 0;
        for (;;) {
            const char *hit = (max < 0 || done < max) ? memmem(s.s + i, s.n - i, sep->s.s, sep->s.n) : NULL;
            if (!hit) {
                if (!list_push(R, l, v_str(s.s + i, s.n - i))) return OOM_AT(R, at);
                break;
            }
            size_t h = (size_t)(hit - s.s);
            if (!list_push(R, l, v_str(s.s + i, h - i))) return OOM_AT(R, at);
            i = h + sep->s.n;
            done++;
        }
    }
    *out = v_list(l);
    return ATTN_OK;
}

static attn_status do_join(rctx *R, const node *at, const value *seq, str sep, const value *attribute, value *out) {
    vlist *items;
    attn_status st = iterate(R, at, seq, &items);
    if (st) return st;
    buf b = scratch();
    for (size_t i = 0; !st && i < items->n; i++) {
        value v = items->v[i];
        if (attribute && attribute->k != V_NONE) {
            if (attribute->k == V_STR) st = get_attr(R, at, &v, attribute->s, &v);
            else st = get_item(R, at, &v, attribute, &v);
        }
        if (!st && i) st = buf_put(&b, sep.s, sep.n);
        if (!st) st = sb_str(R, &b, &v, 0);
    }
    return sb_finish(R, at, &b, st, out);
}

static attn_status do_tojson(rctx *R, const node *at, const value *v, const args *a, value *out) {
    static const char *const KW[] = {"indent", "separators", "sort_keys", "ensure_ascii", NULL};
    attn_status st = check_args(R, at, "the filter 'tojson'", a, 4, KW);
    if (st) return st;
    json_opts o = {.indent = -1, .item_sep = S(", "), .key_sep = S(": ")};
    const value *ea = arg(a, 0, "ensure_ascii"), *ind = arg(a, 1, "indent"), *sep = arg(a, 2, "separators"),
                *sk = arg(a, 3, "sort_keys");
    if (ea) o.ensure_ascii = truthy(ea);
    if (sk) o.sort_keys = truthy(sk);
    if (ind && ind->k != V_NONE) {
        if (ind->k != V_INT || ind->i < 0 || ind->i > 64)
            return rt_errorf(R, at, ATTN_ERR_UNSUPPORTED, "tojson: indent must be an integer from 0 to 64");
        o.indent = (int)ind->i;
        o.item_sep = S(",");
    }
    if (sep && sep->k != V_NONE) {
        if (sep->k != V_LIST || sep->l->n != 2 || sep->l->v[0].k != V_STR || sep->l->v[1].k != V_STR)
            return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "tojson: separators must be two strings");
        o.item_sep = sep->l->v[0].s;
        o.key_sep = sep->l->v[1].s;
    }
    buf b = scratch();
    return sb_finish(R, at, &b, sb_json(R, &b, v, &o, 0), out);
}

static attn_status do_length(rctx *R, const node *at, const value *v, value *out) {
    switch (v->k) {
    case V_STR: *out = v_int((int64_t)cp_count(v->s.s, v->s.n)); return ATTN_OK;
    case V_LIST: *out = v_int((int64_t)v->l->n); return ATTN_OK;
    case V_DICT: *out = v_int((int64_t)v->d->n); return ATTN_OK;
    case V_UNDEF: *out = v_int(0); return ATTN_OK;
    default: return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "object of type '%s' has no len()", KIND_NAME[v->k]);
    }
}

static attn_status dict_items(rctx *R, const node *at, const vdict *d, value *out) {
    vlist *l = list_new(R, d->n);
    if (!l) return OOM_AT(R, at);
    for (size_t i = 0; i < d->n; i++) {
        vlist *pair = list_new(R, 2);
        if (!pair) return OOM_AT(R, at);
        pair->v[0] = d->key[i];
        pair->v[1] = d->val[i];
        pair->n = 2;
        l->v[i] = v_list(pair);
    }
    l->n = d->n;
    *out = v_list(l);
    return step(R, at, (int64_t)d->n);
}

static attn_status apply_filter(rctx *R, const node *n, const value *x, value *out) {
    args a = {0};
    attn_status st = eval_args(R, n, &a);
    if (st) return st;
    str f = n->s;
    static const char *const NO_KW[] = {NULL};
    char what[80];
    snprintf(what, sizeof what, "the filter '%.*s'", (int)ATTN_MIN(f.n, 40), f.s);
    if (str_is(f, "tojson")) return do_tojson(R, n, x, &a, out);
    if (str_is(f, "default") || str_is(f, "d")) {
        static const char *const KW[] = {"default_value", "boolean", NULL};
        if ((st = check_args(R, n, what, &a, 2, KW))) return st;
        const value *dv = arg(&a, 0, "default_value"), *boolean = arg(&a, 1, "boolean");
        bool use = x->k == V_UNDEF || (boolean && truthy(boolean) && !truthy(x));
        *out = use ? (dv ? *dv : v_str("", 0)) : *x;
        return ATTN_OK;
    }
    if (str_is(f, "trim")) {
        static const char *const KW[] = {"chars", NULL};
        value s;
        if ((st = check_args(R, n, what, &a, 1, KW)) || (st = to_str(R, n, x, &s))) return st;
        return do_strip(R, n, s.s, arg(&a, 0, "chars"), 3, out);
    }
    if (str_is(f, "length") || str_is(f, "count")) {
        if ((st = check_args(R, n, what, &a, 0, NO_KW))) return st;
        return do_length(R, n, x, out);
    }
    if (str_is(f, "items")) {
        if ((st = check_args(R, n, what, &a, 0, NO_KW))) return st;
        if (x->k == V_UNDEF) {
            vlist *l = list_new(R, 0);
            if (!l) return OOM_AT(R, n);
            *out = v_list(l);
            return ATTN_OK;
        }
        if (x->k != V_DICT) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "items: can only get item pairs from a mapping");
        return dict_items(R, n, x->d, out);
    }
    if (str_is(f, "upper") || str_is(f, "lower") || str_is(f, "capitalize") || str_is(f, "title") ||
        str_is(f, "string")) {
        value s;
        if ((st = check_args(R, n, what, &a, 0, NO_KW)) || (st = to_str(R, n, x, &s))) return st;
        if (str_is(f, "string")) {
            *out = s;
            return ATTN_OK;
        }
        return case_map(R, n, s.s, str_is(f, "upper") ? 0 : str_is(f, "lower") ? 1 : str_is(f, "capitalize") ? 2 : 3, out);
    }
    if (str_is(f, "first") || str_is(f, "last")) {
        vlist *items;
        if ((st = check_args(R, n, what, &a, 0, NO_KW)) || (st = iterate(R, n, x, &items))) return st;
        *out = items->n ? items->v[str_is(f, "first") ? 0 : items->n - 1] : v_undef(S(""));
        return ATTN_OK;
    }
    if (str_is(f, "join")) {
        static const char *const KW[] = {"d", "attribute", NULL};
        if ((st = check_args(R, n, what, &a, 2, KW))) return st;
        const value *d = arg(&a, 0, "d");
        value sep = v_str("", 0);
        if (d && (st = to_str(R, n, d, &sep))) return st;
        return do_join(R, n, x, sep.s, arg(&a, 1, "attribute"), out);
    }
    if (str_is(f, "replace")) {
        static const char *const KW[] = {"old", "new", "count", NULL};
        value s;
        if ((st = check_args(R, n, what, &a, 3, KW)) || (st = to_str(R, n, x, &s))) return st;
        const value *old = arg(&a, 0, "old"), *nw = arg(&a, 1, "new");
        if (!old || !nw) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "replace needs two arguments");
        return do_replace(R, n, s.s, old, nw, arg(&a, 2, "count"), out);
    }
    if (str_is(f, "list")) {
        vlist *items;
        if ((st = check_args(R, n, what, &a, 0, NO_KW)) || (st = iterate(R, n, x, &items))) return st;
        *out = v_list(items);
        return ATTN_OK;
    }
    if (str_is(f, "reverse")) {
        if ((st = check_args(R, n, what, &a, 0, NO_KW))) return st;
        value parts[3] = {v_none(), v_none(), v_int(-1)};
        if (x->k == V_STR || x->k == V_LIST) return do_slice(R, n, x, parts, out);
        vlist *items;
        if ((st = iterate(R, n, x, &items))) return st;
        value lv = v_list(items);
        return do_slice(R, n, &lv, parts, out);
    }
    if (str_is(f, "int")) {
        if ((st = check_args(R, n, what, &a, 1, NO_KW))) return st;
        const value *dv = arg(&a, 0, "default");
        if (x->k == V_INT || x->k == V_BOOL) *out = v_int(num_i(x));
        else if (x->k == V_FLOAT && isfinite(x->f) && fabs(x->f) < 9.2e18) *out = v_int((int64_t)x->f);
        else if (x->k == V_STR) {
            char tmp[32];
            size_t b, e;
            space_span(x->s.s, x->s.n, &b, &e);
            char *end = NULL;
            long long v = 0;
            if (e - b > 0 && e - b < sizeof tmp) {
                memcpy(tmp, x->s.s + b, e - b);
                tmp[e - b] = 0;
                errno = 0;
                v = strtoll(tmp, &end, 10);
                if (errno || *end) end = NULL;
            }
            *out = end ? v_int(v) : (dv ? *dv : v_int(0));
        } else *out = dv ? *dv : v_int(0);
        return ATTN_OK;
    }
    if (str_is(f, "float")) {
        if ((st = check_args(R, n, what, &a, 1, NO_KW))) return st;
        const value *dv = arg(&a, 0, "default");
        if (is_num(x)) *out = v_float(num_f(x));
        else *out = dv ? *dv : v_float(0);
        return ATTN_OK;
    }
    if (str_is(f, "abs")) {
        if ((st = check_args(R, n, what, &a, 0, NO_KW))) return st;
        if (x->k == V_FLOAT) *out = v_float(fabs(x->f));
        else if (is_num(x) && num_i(x) != INT64_MIN) *out = v_int(num_i(x) < 0 ? -num_i(x) : num_i(x));
        else return type_error(R, n, "abs()", x, NULL);
        return ATTN_OK;
    }
    if (str_is(f, "select") || str_is(f, "reject") || str_is(f, "selectattr") || str_is(f, "rejectattr")) {
        /* select(test, arg), selectattr(attribute, test, arg): without a
         * test, the item (or its attribute) is tested for truth */
        bool attr = str_is(f, "selectattr") || str_is(f, "rejectattr"), keep_if = f.s[0] == 's';
        if ((st = check_args(R, n, what, &a, attr ? 3 : 2, NO_KW))) return st;
        size_t k = attr ? 1 : 0;
        if (attr && (a.n < 1 || a.pos[0].k != V_STR))
            return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "%s needs an attribute name", what);
        const value *test = a.n > k ? &a.pos[k] : NULL, *targ = a.n > k + 1 ? &a.pos[k + 1] : NULL;
        if (test && test->k != V_STR) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "%s: the test must be a name", what);
        vlist *items, *kept = list_new(R, 0);
        if (!kept) return OOM_AT(R, n);
        if ((st = iterate(R, n, x, &items))) return st;
        for (size_t i = 0; i < items->n; i++) {
            value v = items->v[i];
            if (attr && (st = get_attr(R, n, &v, a.pos[0].s, &v))) return st;
            bool r;
            if (test) {
                if ((st = run_test(R, n, test->s, &v, targ, &r))) return st;
            } else {
                r = truthy(&v);
            }
            if (r == keep_if && !list_push(R, kept, items->v[i])) return OOM_AT(R, n);
        }
        *out = v_list(kept);
        return step(R, n, (int64_t)items->n);
    }
    if (str_is(f, "map")) {
        static const char *const KW[] = {"attribute", "default", NULL};
        if ((st = check_args(R, n, what, &a, 0, KW))) return st;
        const value *attribute = arg(&a, 9, "attribute"), *dflt = arg(&a, 9, "default");
        if (!attribute || attribute->k != V_STR)
            return rt_errorf(R, n, ATTN_ERR_UNSUPPORTED, "unsupported construct: map without attribute='name'");
        vlist *items;
        if ((st = iterate(R, n, x, &items))) return st;
        vlist *l = list_new(R, items->n);
        if (!l) return OOM_AT(R, n);
        for (size_t i = 0; i < items->n; i++) {
            if ((st = get_attr(R, n, &items->v[i], attribute->s, &l->v[i]))) return st;
            if (l->v[i].k == V_UNDEF && dflt) l->v[i] = *dflt;
        }
        l->n = items->n;
        *out = v_list(l);
        return step(R, n, (int64_t)items->n);
    }
    return rt_errorf(R, n, ATTN_ERR_UNSUPPORTED, "unsupported construct: the filter '%.*s'", (int)ATTN_MIN(f.n, 40), f.s);
}

/* The test named t of x (y: its argument or NULL), errors reported at n. */
static attn_status run_test(rctx *R, const node *n, str t, const value *x, const value *y, bool *out) {
    attn_status st;
    if (str_is(t, "defined")) *out = x->k != V_UNDEF;
    else if (str_is(t, "undefined")) *out = x->k == V_UNDEF;
    else if (str_is(t, "none")) *out = x->k == V_NONE;
    else if (str_is(t, "string")) *out = x->k == V_STR;
    else if (str_is(t, "mapping")) *out = x->k == V_DICT;
    else if (str_is(t, "iterable")) *out = x->k == V_STR || x->k == V_LIST || x->k == V_DICT || x->k == V_UNDEF;
    else if (str_is(t, "sequence")) *out = x->k == V_STR || x->k == V_LIST || x->k == V_DICT;
    else if (str_is(t, "number")) *out = is_num(x);
    else if (str_is(t, "integer")) *out = x->k == V_INT;
    else if (str_is(t, "float")) *out = x->k == V_FLOAT;
    else if (str_is(t, "boolean")) *out = x->k == V_BOOL;
    else if (str_is(t, "true")) *out = x->k == V_BOOL && x->b;
    else if (str_is(t, "false")) *out = x->k == V_BOOL && !x->b;
    else if (str_is(t, "callable")) *out = false;
    else if (str_is(t, "odd") || str_is(t, "even")) {
        if (!is_num(x)) return type_error(R, n, str_is(t, "odd") ? "odd" : "even", x, NULL);
        value two = v_int(2), r;
        if ((st = arith(R, n, OP_MOD, x, &two, &r))) return st;
        *out = num_f(&r) == (str_is(t, "odd") ? 1 : 0);
    } else if (str_is(t, "divisibleby")) {
        if (!y || (x->k != V_INT && x->k != V_BOOL) || (y->k != V_INT && y->k != V_BOOL) || num_i(y) == 0)
            return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "divisibleby needs two integers, the second not 0");
        *out = num_i(y) == -1 || num_i(x) % num_i(y) == 0;
    } else if (str_is(t, "eq") || str_is(t, "equalto") || str_is(t, "==") || str_is(t, "sameas")) {
        if (!y) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "the test '%.*s' needs an argument", (int)t.n, t.s);
        *out = values_equal(x, y, 0);
    } else if (str_is(t, "ne") || str_is(t, "lt") || str_is(t, "le") || str_is(t, "gt") || str_is(t, "ge") ||
               str_is(t, "in") || str_is(t, "lessthan") || str_is(t, "greaterthan")) {
        if (!y) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "the test '%.*s' needs an argument", (int)t.n, t.s);
        int op = str_is(t, "ne") ? OP_NE : str_is(t, "lt") || str_is(t, "lessthan") ? OP_LT : str_is(t, "le") ? OP_LE
                 : str_is(t, "gt") || str_is(t, "greaterthan") ? OP_GT : str_is(t, "ge") ? OP_GE : OP_IN;
        value r;
        if ((st = compare(R, n, op, x, y, &r))) return st;
        *out = r.b;
    } else if (str_is(t, "lower") || str_is(t, "upper")) {
        value m;
        if (x->k != V_STR) {
            *out = false;
        } else {
            if ((st = case_map(R, n, x->s, str_is(t, "upper") ? 0 : 1, &m))) return st;
            *out = str_eq(m.s, x->s);
        }
    } else {
        return rt_errorf(R, n, ATTN_ERR_UNSUPPORTED, "unsupported construct: the test '%.*s'", (int)ATTN_MIN(t.n, 40), t.s);
    }
    return ATTN_OK;
}

static attn_status apply_test(rctx *R, const node *n, const value *x, bool *out) {
    args a = {0};
    attn_status st = eval_args(R, n, &a);
    if (st) return st;
    if (a.n > 1 || a.n_kw) return rt_errorf(R, n, ATTN_ERR_UNSUPPORTED, "unsupported construct: a test with more than one argument");
    if ((st = run_test(R, n, n->s, x, a.n ? &a.pos[0] : NULL, out))) return st;
    if (n->op) *out = !*out;
    return ATTN_OK;
}

static attn_status call_method(rctx *R, const node *n, const value *obj, str m, const args *a, value *out) {
    attn_status st;
    char what[80];
    snprintf(what, sizeof what, "the method '%.*s'", (int)ATTN_MIN(m.n, 40), m.s);
    static const char *const NO_KW[] = {NULL};
    if (obj->k == V_UNDEF) return undefined_error(R, n, obj);
    if (obj->k == V_STR) {
        str s = obj->s;
        if (str_is(m, "strip") || str_is(m, "lstrip") || str_is(m, "rstrip")) {
            if ((st = check_args(R, n, what, a, 1, NO_KW))) return st;
            return do_strip(R, n, s, arg(a, 0, ""), str_is(m, "strip") ? 3 : str_is(m, "lstrip") ? 1 : 2, out);
        }
        if (str_is(m, "startswith") || str_is(m, "endswith")) {
            if ((st = check_args(R, n, what, a, 1, NO_KW))) return st;
            const value *p = arg(a, 0, "");
            if (!p) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "%s needs an argument", what);
            value pv = *p;
            vlist one = {1, 1, &pv, false};
            const vlist *cands = p->k == V_LIST ? p->l : &one;
            bool r = false;
            for (size_t i = 0; i < cands->n && !r; i++) {
                const value *c = &cands->v[i];
                if ((st = need_str(R, n, what, c))) return st;
                if (c->s.n <= s.n)
                    r = str_is(m, "startswith") ? memcmp(s.s, c->s.s, c->s.n) == 0
                                                : memcmp(s.s + s.n - c->s.n, c->s.s, c->s.n) == 0;
            }
            *out = v_bool(r);
            return ATTN_OK;
        }
        if (str_is(m, "split")) {
            static const char *const KW[] = {"sep", "maxsplit", NULL};
            if ((st = check_args(R, n, what, a, 2, KW))) return st;
            return do_split(R, n, s, arg(a, 0, "sep"), arg(a, 1, "maxsplit"), out);
        }
        if (str_is(m, "upper") || str_is(m, "lower") || str_is(m, "title") || str_is(m, "capitalize")) {
            if ((st = check_args(R, n, what, a, 0, NO_KW))) return st;
            return case_map(R, n, s, str_is(m, "upper") ? 0 : str_is(m, "lower") ? 1 : str_is(m, "capitalize") ? 2 : 3, out);
        }
        if (str_is(m, "replace")) {
            if ((st = check_args(R, n, what, a, 3, NO_KW))) return st;
            if (a->n < 2) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "replace needs two arguments");
            return do_replace(R, n, s, &a->pos[0], &a->pos[1], arg(a, 2, ""), out);
        }
        if (str_is(m, "join")) {
            if ((st = check_args(R, n, what, a, 1, NO_KW))) return st;
            if (a->n < 1) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "join needs an argument");
            vlist *items;
            if ((st = iterate(R, n, &a->pos[0], &items))) return st;
            for (size_t i = 0; i < items->n; i++)
                if (items->v[i].k != V_STR)
                    return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "join: sequence item %zu: expected str, %s found", i,
                                     KIND_NAME[items->v[i].k]);
            value lv = v_list(items);
            return do_join(R, n, &lv, s, NULL, out);
        }
        if (str_is(m, "find") || str_is(m, "count")) {
            if ((st = check_args(R, n, what, a, 1, NO_KW))) return st;
            const value *p = arg(a, 0, "");
            if (!p || (st = need_str(R, n, what, p))) return p ? st : rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "%s needs an argument", what);
            if (str_is(m, "find")) {
                const char *hit = p->s.n ? memmem(s.s, s.n, p->s.s, p->s.n) : s.s;
                *out = v_int(hit ? (int64_t)cp_count(s.s, (size_t)(hit - s.s)) : -1);
            } else {
                int64_t c = 0;
                if (!p->s.n) c = (int64_t)cp_count(s.s, s.n) + 1;
                else
                    for (const char *h = s.s; (h = memmem(h, s.n - (size_t)(h - s.s), p->s.s, p->s.n)); h += p->s.n) c++;
                *out = v_int(c);
            }
            return step(R, n, (int64_t)(s.n / 64));
        }
    } else if (obj->k == V_DICT) {
        if (str_is(m, "items")) {
            if ((st = check_args(R, n, what, a, 0, NO_KW))) return st;
            return dict_items(R, n, obj->d, out);
        }
        if (str_is(m, "keys") || str_is(m, "values")) {
            if ((st = check_args(R, n, what, a, 0, NO_KW))) return st;
            vlist *l = list_new(R, obj->d->n);
            if (!l) return OOM_AT(R, n);
            memcpy(l->v, str_is(m, "keys") ? obj->d->key : obj->d->val, obj->d->n * sizeof *l->v);
            l->n = obj->d->n;
            *out = v_list(l);
            return ATTN_OK;
        }
        if (str_is(m, "get")) {
            if ((st = check_args(R, n, what, a, 2, NO_KW))) return st;
            if (a->n < 1) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "get needs a key");
            value *v = dict_find(obj->d, &a->pos[0]);
            *out = v ? *v : a->n > 1 ? a->pos[1] : v_none();
            return ATTN_OK;
        }
    }
    return rt_errorf(R, n, ATTN_ERR_UNSUPPORTED, "unsupported construct: the method '%.*s' of a %s",
                     (int)ATTN_MIN(m.n, 40), m.s, KIND_NAME[obj->k]);
}

static attn_status call_global(rctx *R, const node *n, str f, const args *a, value *out) {
    attn_status st;
    if (str_is(f, "raise_exception")) {
        value msg = v_str("", 0);
        if (a->n && (st = to_str(R, n, &a->pos[0], &msg))) return st;
        return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "raise_exception: %.*s", (int)ATTN_MIN(msg.s.n, 600), msg.s.s);
    }
    if (str_is(f, "namespace") || str_is(f, "dict")) {
        vdict *d = dict_new(R);
        if (!d) return OOM_AT(R, n);
        for (size_t i = 0; i < a->n; i++) {
            if (a->pos[i].k != V_DICT)
                return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "%.*s() takes a dict or keyword arguments", (int)f.n, f.s);
            for (size_t k = 0; k < a->pos[i].d->n; k++)
                if (!dict_set(R, d, a->pos[i].d->key[k], a->pos[i].d->val[k])) return OOM_AT(R, n);
        }
        for (size_t i = 0; i < a->n_kw; i++)
            if (!dict_set(R, d, v_str(a->kw_name[i].s, a->kw_name[i].n), a->kw[i])) return OOM_AT(R, n);
        *out = (value){.k = str_is(f, "dict") ? V_DICT : V_NS, .d = d};
        return ATTN_OK;
    }
    if (str_is(f, "range")) {
        if (a->n_kw || a->n < 1 || a->n > 3) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "range takes 1 to 3 integers");
        int64_t v[3] = {0, 0, 1};
        for (size_t i = 0; i < a->n; i++) {
            if (a->pos[i].k != V_INT && a->pos[i].k != V_BOOL)
                return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "range takes integers, not %s", KIND_NAME[a->pos[i].k]);
            v[a->n == 1 ? 1 : i] = num_i(&a->pos[i]);
        }
        if (v[2] == 0) return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "range: the step must not be zero");
        double count = v[2] > 0 ? ceil(((double)v[1] - (double)v[0]) / (double)v[2])
                                : ceil(((double)v[0] - (double)v[1]) / -(double)v[2]);
        if (count < 0) count = 0;
        if (count > ATTN_CHAT_MAX_ITERATIONS)
            return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "range of more than %d items (the loop bound)",
                             ATTN_CHAT_MAX_ITERATIONS);
        vlist *l = list_new(R, (size_t)count);
        if (!l) return OOM_AT(R, n);
        for (size_t i = 0; i < (size_t)count; i++) l->v[i] = v_int(v[0] + (int64_t)i * v[2]);
        l->n = (size_t)count;
        *out = v_list(l);
        return step(R, n, (int64_t)count);
    }
    return rt_errorf(R, n, ATTN_ERR_UNSUPPORTED, "unsupported construct: calling '%.*s'", (int)ATTN_MIN(f.n, 40), f.s);
}

static attn_status eval(rctx *R, const node *n, value *out) {
    attn_status st = step(R, n, 1);
    if (st) return st;
    value a, b;
    switch (n->k) {
    case E_LIT: *out = n->v; return ATTN_OK;
    case E_NAME: {
        value *v = lookup(R, n->s);
        *out = v ? *v : v_undef(n->s);
        return ATTN_OK;
    }
    case E_LIST: case E_TUPLE: {
        vlist *l = list_new(R, n->n_items);
        if (!l) return OOM_AT(R, n);
        for (size_t i = 0; i < n->n_items; i++)
            if ((st = eval(R, n->items[i], &l->v[i]))) return st;
        l->n = n->n_items;
        l->tuple = n->k == E_TUPLE;
        *out = v_list(l);
        return ATTN_OK;
    }
    case E_DICT: {
        vdict *d = dict_new(R);
        if (!d) return OOM_AT(R, n);
        for (size_t i = 0; i + 1 < n->n_items; i += 2) {
            if ((st = eval(R, n->items[i], &a)) || (st = eval(R, n->items[i + 1], &b))) return st;
            if (a.k == V_LIST || a.k == V_DICT || a.k == V_UNDEF)
                return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "unhashable type: '%s'", KIND_NAME[a.k]);
            if (!dict_set(R, d, a, b)) return OOM_AT(R, n);
        }
        *out = v_dict(d);
        return ATTN_OK;
    }
    case E_ATTR:
        if ((st = eval(R, n->a, &a))) return st;
        if (a.k == V_LOOP) return loop_attr(R, n, a.lp, n->s, out);
        return get_attr(R, n, &a, n->s, out);
    case E_ITEM:
        if ((st = eval(R, n->a, &a)) || (st = eval(R, n->b, &b))) return st;
        if (a.k == V_LOOP && b.k == V_STR) return loop_attr(R, n, a.lp, b.s, out);
        return get_item(R, n, &a, &b, out);
    case E_SLICE: {
        value parts[3];
        if ((st = eval(R, n->a, &a))) return st;
        for (int k = 0; k < 3; k++) {
            parts[k] = v_none();
            if (n->items[k] && (st = eval(R, n->items[k], &parts[k]))) return st;
        }
        return do_slice(R, n, &a, parts, out);
    }
    case E_CALL: {
        args ar = {0};
        if (n->a->k == E_ATTR) {
            if ((st = eval(R, n->a->a, &a)) || (st = eval_args(R, n, &ar))) return st;
            return call_method(R, n, &a, n->a->s, &ar, out);
        }
        if (n->a->k == E_NAME && !lookup(R, n->a->s)) {
            if ((st = eval_args(R, n, &ar))) return st;
            return call_global(R, n, n->a->s, &ar, out);
        }
        return rt_errorf(R, n, ATTN_ERR_UNSUPPORTED, "unsupported construct: calling a value that is not a function");
    }
    case E_FILTER:
        if ((st = eval(R, n->a, &a))) return st;
        return apply_filter(R, n, &a, out);
    case E_TEST: {
        bool r = false;
        if ((st = eval(R, n->a, &a)) || (st = apply_test(R, n, &a, &r))) return st;
        *out = v_bool(r);
        return ATTN_OK;
    }
    case E_NEG: case E_POS:
        if ((st = eval(R, n->a, &a))) return st;
        if (a.k == V_FLOAT) *out = v_float(n->k == E_NEG ? -a.f : a.f);
        else if ((a.k == V_INT || a.k == V_BOOL) && num_i(&a) != INT64_MIN) *out = v_int(n->k == E_NEG ? -num_i(&a) : num_i(&a));
        else return type_error(R, n, n->k == E_NEG ? "unary -" : "unary +", &a, NULL);
        return ATTN_OK;
    case E_NOT:
        if ((st = eval(R, n->a, &a))) return st;
        *out = v_bool(!truthy(&a));
        return ATTN_OK;
    case E_AND: case E_OR:
        if ((st = eval(R, n->a, &a))) return st;
        if (truthy(&a) == (n->k == E_OR)) {
            *out = a;
            return ATTN_OK;
        }
        return eval(R, n->b, out);
    case E_BIN:
        if ((st = eval(R, n->a, &a)) || (st = eval(R, n->b, &b))) return st;
        return arith(R, n, n->op, &a, &b, out);
    case E_CMP:
        if ((st = eval(R, n->a, &a)) || (st = eval(R, n->b, &b))) return st;
        return compare(R, n, n->op, &a, &b, out);
    case E_COND:
        if ((st = eval(R, n->b, &b))) return st;
        if (truthy(&b)) return eval(R, n->a, out);
        if (n->c) return eval(R, n->c, out);
        *out = v_undef(S(""));
        return ATTN_OK;
    default:
        return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "not an expression");
    }
}

static attn_status assign(rctx *R, const node *at, const str *targets, size_t n_targets, const value *v) {
    if (n_targets == 1) return set_var(R, at, targets[0], *v);
    vlist *items;
    attn_status st = iterate(R, at, v, &items);
    if (st) return st;
    if (items->n != n_targets)
        return rt_errorf(R, at, ATTN_ERR_INVALID_ARG, "cannot unpack %zu values into %zu names", items->n, n_targets);
    for (size_t i = 0; i < n_targets; i++)
        if ((st = set_var(R, at, targets[i], items->v[i]))) return st;
    return ATTN_OK;
}

static attn_status run_body(rctx *R, node *const *body, size_t n);

static attn_status run_for(rctx *R, const node *n) {
    value it;
    attn_status st = eval(R, n->a, &it);
    vlist *items;
    if (st || (st = iterate(R, n->a, &it, &items))) return st;
    frame f = {.up = R->top};
    R->top = &f;
    if (n->b) {
        /* {% for x in xs if cond %}: the loop sees only the items that pass */
        vlist *kept = list_new(R, 0);
        if (!kept) st = OOM_AT(R, n);
        for (size_t i = 0; !st && i < items->n; i++) {
            value c;
            f.vars.n = 0;
            if ((st = assign(R, n, n->targets, n->n_targets, &items->v[i])) || (st = eval(R, n->b, &c))) break;
            if (truthy(&c) && !list_push(R, kept, items->v[i])) st = OOM_AT(R, n);
            if (!st && ++R->iterations > ATTN_CHAT_MAX_ITERATIONS)
                st = rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "loops ran more than %d iterations (bound)", ATTN_CHAT_MAX_ITERATIONS);
        }
        items = kept;
    }
    loopstate ls = {.length = (int64_t)(items ? items->n : 0), .items = items};
    for (size_t i = 0; !st && i < items->n; i++) {
        if (++R->iterations > ATTN_CHAT_MAX_ITERATIONS) {
            st = rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "loops ran more than %d iterations (bound)", ATTN_CHAT_MAX_ITERATIONS);
            break;
        }
        f.vars.n = 0; /* each iteration starts a fresh scope */
        ls.index0 = (int64_t)i;
        if ((st = set_var(R, n, S("loop"), (value){.k = V_LOOP, .lp = &ls}))) break;
        if ((st = assign(R, n, n->targets, n->n_targets, &items->v[i]))) break;
        if ((st = run_body(R, n->body, n->n_body))) break;
        if (R->flow == FLOW_BREAK) {
            R->flow = FLOW_NONE;
            break;
        }
        R->flow = FLOW_NONE;
    }
    R->top = f.up;
    if (!st && items->n == 0 && n->n_orelse) st = run_body(R, n->orelse, n->n_orelse);
    return st;
}

static attn_status run_body(rctx *R, node *const *body, size_t count) {
    attn_status st = ATTN_OK;
    for (size_t i = 0; !st && i < count && R->flow == FLOW_NONE; i++) {
        const node *n = body[i];
        value v;
        switch (n->k) {
        case N_TEXT:
            if (R->out.n + n->s.n > R->out.max) return rt_at(R, n, buf_put(&R->out, n->s.s, n->s.n));
            st = buf_put(&R->out, n->s.s, n->s.n);
            break;
        case N_OUTPUT:
            if ((st = eval(R, n->a, &v))) return st;
            if ((st = sb_str(R, &R->out, &v, 0))) return rt_at(R, n, st);
            break;
        case N_IF:
            if ((st = eval(R, n->a, &v))) return st;
            st = truthy(&v) ? run_body(R, n->body, n->n_body) : run_body(R, n->orelse, n->n_orelse);
            break;
        case N_FOR: st = run_for(R, n); break;
        case N_SET:
            if ((st = eval(R, n->b, &v))) return st;
            if (n->a) {
                value ns;
                if ((st = eval(R, n->a, &ns))) return st;
                if (ns.k != V_NS)
                    return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "cannot assign attribute on non-namespace object ('%.*s' is %s)",
                                     (int)ATTN_MIN(n->a->s.n, 40), n->a->s.s, KIND_NAME[ns.k]);
                if (!dict_set(R, ns.d, v_str(n->s.s, n->s.n), v)) return OOM_AT(R, n);
            } else {
                st = assign(R, n, n->targets, n->n_targets, &v);
            }
            break;
        case N_BREAK: R->flow = FLOW_BREAK; break;
        case N_CONTINUE: R->flow = FLOW_CONTINUE; break;
        case N_BLOCK: st = run_body(R, n->body, n->n_body); break;
        default: return rt_errorf(R, n, ATTN_ERR_INVALID_ARG, "not a statement");
        }
    }
    return st;
}

/* ---- public API ------------------------------------------------------------------------ */
static const char CHATML[] =
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const char *attn_chat_default_template(void) { return CHATML; }

void attn_chat_template_free(attn_chat_template *t) {
    if (!t) return;
    mem_free(&t->m);
    attn_free(t->name);
    attn_free(t);
}

attn_status attn_chat_template_parse(const char *name, const char *source, size_t len, attn_chat_template **out) {
    if (!out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_template_parse: NULL output");
    *out = NULL;
    if (!source && len) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_template_parse: NULL source");
    if (!name) name = "chat template";
    attn_status st = attn_text_check(name, source, len);
    if (st) return st;
    attn_chat_template *t = attn_calloc(1, sizeof *t);
    if (!t) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
    t->m.cap = ATTN_CHAT_MAX_MEMORY;
    t->name = attn_strdup(name);
    /* Jinja's newline handling: \r\n and \r become \n, and one trailing
     * newline of the source is dropped (keep_trailing_newline=False) */
    char *src = mem_alloc(&t->m, len + 1);
    if (!t->name || !src) {
        attn_chat_template_free(t);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory parsing a chat template");
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (source[i] == '\r') {
            src[n++] = '\n';
            if (i + 1 < len && source[i + 1] == '\n') i++;
        } else {
            src[n++] = source[i];
        }
    }
    if (n && src[n - 1] == '\n') n--;
    src[n] = 0;
    lexer L = {.m = &t->m, .name = t->name, .src = src, .n = n};
    if ((st = lex(&L))) {
        attn_chat_template_free(t);
        return st;
    }
    parser P = {.m = &t->m, .name = t->name, .t = L.t};
    nvec body = {0};
    str end;
    if ((st = parse_body(&P, NULL, NULL, 0, &body, &end))) {
        attn_chat_template_free(t);
        return st;
    }
    t->body = body.v;
    t->n_body = body.n;
    *out = t;
    return ATTN_OK;
}

/* cJSON -> value, strings checked as UTF-8. */
static attn_status from_cjson(rctx *R, const cJSON *j, int depth, value *out) {
    if (depth > MAX_VALUE_DEPTH)
        return rt_errorf(R, NULL, ATTN_ERR_INVALID_ARG, "the conversation is nested deeper than %d (bound)", MAX_VALUE_DEPTH);
    attn_status st;
    if (cJSON_IsString(j)) {
        size_t n = strlen(j->valuestring), bad = utf8_validate(j->valuestring, n);
        if (bad != n)
            return rt_errorf(R, NULL, ATTN_ERR_FORMAT, "the conversation: invalid UTF-8 in a string at byte %zu (0x%02x)",
                             bad, (unsigned char)j->valuestring[bad]);
        *out = v_str(j->valuestring, n);
    } else if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        *out = d == floor(d) && fabs(d) <= 9007199254740992.0 ? v_int((int64_t)d) : v_float(d);
    } else if (cJSON_IsBool(j)) {
        *out = v_bool(cJSON_IsTrue(j));
    } else if (cJSON_IsNull(j)) {
        *out = v_none();
    } else if (cJSON_IsArray(j)) {
        vlist *l = list_new(R, 0);
        if (!l) return OOM_AT(R, NULL);
        for (const cJSON *c = j->child; c; c = c->next) {
            value v;
            if ((st = from_cjson(R, c, depth + 1, &v))) return st;
            if (!list_push(R, l, v)) return OOM_AT(R, NULL);
        }
        *out = v_list(l);
    } else if (cJSON_IsObject(j)) {
        vdict *d = dict_new(R);
        if (!d) return OOM_AT(R, NULL);
        for (const cJSON *c = j->child; c; c = c->next) {
            value v;
            size_t kn = strlen(c->string), bad = utf8_validate(c->string, kn);
            if (bad != kn) return rt_errorf(R, NULL, ATTN_ERR_FORMAT, "the conversation: invalid UTF-8 in a key");
            if ((st = from_cjson(R, c, depth + 1, &v))) return st;
            if (!dict_set(R, d, v_str(c->string, kn), v)) return OOM_AT(R, NULL);
        }
        *out = v_dict(d);
    } else {
        return rt_errorf(R, NULL, ATTN_ERR_FORMAT, "the conversation: not JSON");
    }
    return ATTN_OK;
}

static attn_status render(rctx *R, const attn_chat_template *t, const attn_chat_options *opt, char **out, size_t *out_len) {
    attn_status st = ATTN_OK;
    value k;
    bool ok = true;
#define GLOBAL(name, v) (k = v_str(name, strlen(name)), ok = ok && dict_set(R, &R->globals, k, (v)))
    GLOBAL("add_generation_prompt", v_bool(opt && opt->add_generation_prompt));
    if (!dict_find_str(&R->globals, S("tools"))) GLOBAL("tools", v_none());
    if (!dict_find_str(&R->globals, S("documents"))) GLOBAL("documents", v_none());
    const char *tokens[2] = {opt ? opt->bos_token : NULL, opt ? opt->eos_token : NULL};
    const char *names[2] = {"bos_token", "eos_token"};
    for (int i = 0; i < 2; i++) {
        if (!tokens[i]) continue;
        if ((st = attn_text_check(names[i], tokens[i], strlen(tokens[i])))) return st;
        GLOBAL(names[i], v_str(tokens[i], strlen(tokens[i])));
    }
#undef GLOBAL
    if (!ok) return OOM_AT(R, NULL);
    frame top = {0};
    R->top = &top;
    R->out.max = ATTN_CHAT_MAX_OUTPUT;
    if ((st = buf_put(&R->out, "", 0))) return st;
    st = run_body(R, t->body, t->n_body);
    if (st) {
        attn_free(R->out.p);
        return st;
    }
    *out = R->out.p;
    if (out_len) *out_len = R->out.n;
    return ATTN_OK;
}

static void rctx_init(rctx *R, const attn_chat_template *t) {
    memset(R, 0, sizeof *R);
    R->m.cap = ATTN_CHAT_MAX_MEMORY;
    R->name = t->name;
}

attn_status attn_chat_render(const attn_chat_template *t, const attn_chat_message *messages, size_t n,
                             const attn_chat_options *opt, char **out, size_t *out_len) {
    if (!t || !out || (n && !messages)) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_render: NULL argument");
    *out = NULL;
    rctx R;
    rctx_init(&R, t);
    attn_status st = ATTN_OK;
    vlist *l = list_new(&R, n);
    if (!l) st = OOM_AT(&R, NULL);
    for (size_t i = 0; !st && i < n; i++) {
        const char *role = messages[i].role, *content = messages[i].content;
        if (!role || !content) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_render: message %zu has no %s", i, role ? "content" : "role");
            break;
        }
        char label[48];
        snprintf(label, sizeof label, "message %zu", i + 1);
        if ((st = attn_text_check(label, role, strlen(role))) || (st = attn_text_check(label, content, strlen(content))))
            break;
        vdict *d = dict_new(&R);
        if (!d || !dict_set(&R, d, v_str("role", 4), v_str(role, strlen(role))) ||
            !dict_set(&R, d, v_str("content", 7), v_str(content, strlen(content)))) {
            st = OOM_AT(&R, NULL);
            break;
        }
        l->v[l->n++] = v_dict(d);
    }
    if (!st && !dict_set(&R, &R.globals, v_str("messages", 8), v_list(l))) st = OOM_AT(&R, NULL);
    if (!st) st = render(&R, t, opt, out, out_len);
    mem_free(&R.m);
    return st;
}

attn_status attn_chat_render_cjson(const attn_chat_template *t, const struct cJSON *conversation,
                                   const attn_chat_options *opt, char **out, size_t *out_len) {
    if (!t || !out || !conversation) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_render_cjson: NULL argument");
    *out = NULL;
    const cJSON *msgs = conversation, *tools = NULL, *docs = NULL;
    if (cJSON_IsObject(conversation)) {
        msgs = cJSON_GetObjectItemCaseSensitive(conversation, "messages");
        tools = cJSON_GetObjectItemCaseSensitive(conversation, "tools");
        docs = cJSON_GetObjectItemCaseSensitive(conversation, "documents");
    }
    if (!cJSON_IsArray(msgs))
        return attn_errorf(ATTN_ERR_FORMAT, "the conversation must be an array of messages or an object with \"messages\"");
    rctx R;
    rctx_init(&R, t);
    value v;
    attn_status st = from_cjson(&R, msgs, 0, &v);
    if (!st && !dict_set(&R, &R.globals, v_str("messages", 8), v)) st = OOM_AT(&R, NULL);
    if (!st && tools && !(st = from_cjson(&R, tools, 0, &v)) && !dict_set(&R, &R.globals, v_str("tools", 5), v))
        st = OOM_AT(&R, NULL);
    if (!st && docs && !(st = from_cjson(&R, docs, 0, &v)) && !dict_set(&R, &R.globals, v_str("documents", 9), v))
        st = OOM_AT(&R, NULL);
    if (!st) st = render(&R, t, opt, out, out_len);
    mem_free(&R.m);
    return st;
}

attn_status attn_chat_render_json(const attn_chat_template *t, const char *json, size_t len,
                                  const attn_chat_options *opt, char **out, size_t *out_len) {
    if (!t || !out || (!json && len)) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_render_json: NULL argument");
    *out = NULL;
    unsigned long failures = alloc_failures();
    cJSON *root = cJSON_ParseWithLength(json ? json : "", len);
    if (!root) {
        if (alloc_failures() != failures) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory reading a conversation");
        const char *e = cJSON_GetErrorPtr();
        size_t at = e && e >= json && e <= json + len ? (size_t)(e - json) : 0;
        return attn_errorf(ATTN_ERR_FORMAT, "the conversation is not valid JSON (near byte %zu)", at);
    }
    attn_status st = attn_chat_render_cjson(t, root, opt, out, out_len);
    cJSON_Delete(root);
    return st;
}
