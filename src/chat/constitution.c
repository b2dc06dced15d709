/* constitution.c — Constitutional AI's constitution (include/attn/cai.h):
 * the sectioned text file of principles and few-shot examples, the seeded
 * choice of a principle, and the critique / revision conversations and the
 * multiple-choice question built from it. */
#include "attn/cai.h"
#include "core/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- parsing ------------------------------------------------------------------ */

enum { SEC_NONE, SEC_PRINCIPLE, SEC_EXAMPLE };

typedef struct parser {
    const char *name;
    attn_constitution *c;
    int sec;
    int64_t sec_line;
    char **last;          /* the value a continuation line extends, or NULL */
    int64_t cap_p, cap_e;
} parser;

static attn_status oom(void) { return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory"); }

static char *dup_n(const char *s, size_t n) {
    char *d = attn_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static bool is_space(char ch) { return ch == ' ' || ch == '\t'; }

static void trim(const char **s, size_t *n) {
    while (*n && is_space(**s)) (*s)++, (*n)--;
    while (*n && (is_space((*s)[*n - 1]) || (*s)[*n - 1] == '\r')) (*n)--;
}

/* Checks that the section just ended has its required keys. */
static attn_status end_section(parser *ps) {
    if (ps->sec == SEC_PRINCIPLE) {
        attn_cai_principle *p = &ps->c->principles[ps->c->n_principles - 1];
        const char *miss = !p->critique ? "critique" : !p->revision ? "revision" : NULL;
        if (miss)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: principle \"%s\" has no \"%s = ...\"", ps->name,
                               (long long)p->line, p->id, miss);
        if (!p->choice && !(p->choice = attn_strdup(ATTN_CAI_DEFAULT_CHOICE))) return oom();
    } else if (ps->sec == SEC_EXAMPLE) {
        attn_cai_example *e = &ps->c->examples[ps->c->n_examples - 1];
        const char *miss = !e->prompt     ? "prompt"
                           : !e->answer   ? "answer"
                           : !e->critique ? "critique"
                           : !e->revision ? "revision"
                                          : NULL;
        if (miss)
            return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: the example has no \"%s = ...\"", ps->name,
                               (long long)e->line, miss);
    }
    return ATTN_OK;
}

static bool id_ok(const char *s, size_t n) {
    if (!n) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '-' || ch == '.'))
            return false;
    }
    return true;
}

static attn_status section(parser *ps, const char *s, size_t n, int64_t line) {
    attn_status st = end_section(ps);
    if (st) return st;
    ps->last = NULL;
    if (n < 2 || s[n - 1] != ']')
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: a section header must end with ']'", ps->name, (long long)line);
    s++;
    n -= 2;
    trim(&s, &n);
    ps->sec_line = line;
    attn_constitution *c = ps->c;
    if (n == 7 && !memcmp(s, "example", 7)) {
        if (c->n_examples == ps->cap_e) {
            int64_t cap = ps->cap_e ? 2 * ps->cap_e : 8;
            attn_cai_example *e = attn_realloc(c->examples, (size_t)cap * sizeof *e);
            if (!e) return oom();
            c->examples = e;
            ps->cap_e = cap;
        }
        c->examples[c->n_examples++] = (attn_cai_example){.line = line};
        ps->sec = SEC_EXAMPLE;
        return ATTN_OK;
    }
    if (n >= 9 && !memcmp(s, "principle", 9) && (n == 9 || is_space(s[9]))) {
        const char *id = s + 9;
        size_t idn = n - 9;
        trim(&id, &idn);
        if (!id_ok(id, idn))
            return attn_errorf(ATTN_ERR_FORMAT,
                               "%s: line %lld: a principle needs an id of letters, digits, '_', '-' or '.': [principle ID]",
                               ps->name, (long long)line);
        for (int64_t i = 0; i < c->n_principles; i++)
            if (strlen(c->principles[i].id) == idn && !memcmp(c->principles[i].id, id, idn))
                return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: principle \"%.*s\" again (first at line %lld)",
                                   ps->name, (long long)line, (int)idn, id, (long long)c->principles[i].line);
        if (c->n_principles == ps->cap_p) {
            int64_t cap = ps->cap_p ? 2 * ps->cap_p : 16;
            attn_cai_principle *p = attn_realloc(c->principles, (size_t)cap * sizeof *p);
            if (!p) return oom();
            c->principles = p;
            ps->cap_p = cap;
        }
        attn_cai_principle *p = &c->principles[c->n_principles];
        *p = (attn_cai_principle){.line = line, .id = dup_n(id, idn)};
        if (!p->id) return oom();
        c->n_principles++;
        ps->sec = SEC_PRINCIPLE;
        return ATTN_OK;
    }
    return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: unknown section [%.*s] (sections: [principle ID], [example])",
                       ps->name, (long long)line, (int)(n > 64 ? 64 : n), s);
}

static attn_status key_value(parser *ps, const char *s, size_t n, int64_t line) {
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: expected \"key = value\", a [section] or a comment", ps->name,
                           (long long)line);
    const char *k = s, *v = eq + 1;
    size_t kn = (size_t)(eq - s), vn = n - kn - 1;
    trim(&k, &kn);
    trim(&v, &vn);
    if (ps->sec == SEC_NONE)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: \"%.*s\" before any section ([principle ID] or [example])",
                           ps->name, (long long)line, (int)(kn > 64 ? 64 : kn), k);
    char **slot = NULL;
#define KEY(word, field) \
    if (kn == sizeof word - 1 && !memcmp(k, word, kn)) slot = &(field)
    if (ps->sec == SEC_PRINCIPLE) {
        attn_cai_principle *p = &ps->c->principles[ps->c->n_principles - 1];
        KEY("critique", p->critique);
        KEY("revision", p->revision);
        KEY("choice", p->choice);
    } else {
        attn_cai_example *e = &ps->c->examples[ps->c->n_examples - 1];
        KEY("prompt", e->prompt);
        KEY("answer", e->answer);
        KEY("critique", e->critique);
        KEY("revision", e->revision);
    }
#undef KEY
    if (!slot)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: unknown key \"%.*s\" in %s (%s)", ps->name, (long long)line,
                           (int)(kn > 64 ? 64 : kn), k, ps->sec == SEC_PRINCIPLE ? "a principle" : "an example",
                           ps->sec == SEC_PRINCIPLE ? "critique, revision, choice" : "prompt, answer, critique, revision");
    if (*slot)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: \"%.*s\" given twice in the section of line %lld", ps->name,
                           (long long)line, (int)kn, k, (long long)ps->sec_line);
    if (!vn)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: \"%.*s\" is empty", ps->name, (long long)line, (int)kn, k);
    if (!(*slot = dup_n(v, vn))) return oom();
    ps->last = slot;
    return ATTN_OK;
}

static attn_status continuation(parser *ps, const char *s, size_t n, int64_t line) {
    trim(&s, &n);
    if (!ps->last)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: an indented line continues a value, but no \"key = value\" "
                                            "is above it", ps->name, (long long)line);
    size_t old = strlen(*ps->last);
    char *v = attn_realloc(*ps->last, old + 1 + n + 1);
    if (!v) return oom();
    v[old] = '\n';
    memcpy(v + old + 1, s, n);
    v[old + 1 + n] = '\0';
    *ps->last = v;
    return ATTN_OK;
}

attn_status attn_constitution_parse(const char *name, const char *text, size_t len, attn_constitution **out) {
    *out = NULL;
    if (!name) name = "the constitution";
    attn_status st = attn_text_check(name, text, len);
    if (st) return st;
    attn_constitution *c = attn_calloc(1, sizeof *c);
    if (!c) return oom();
    parser ps = {.name = name, .c = c};
    size_t i = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) i = 3; /* a byte-order mark */
    for (int64_t line = 1; i < len && !st; line++) {
        const char *s = text + i, *nl = memchr(s, '\n', len - i);
        size_t n = nl ? (size_t)(nl - s) : len - i;
        i += n + (nl != NULL);
        const char *t = s;
        size_t tn = n;
        trim(&t, &tn);
        if (!tn) continue;   /* blank: a value's continuation stays open */
        if (s[0] == '#') continue;
        if (is_space(s[0])) st = continuation(&ps, s, n, line);
        else if (s[0] == '[') st = section(&ps, t, tn, line);
        else st = key_value(&ps, t, tn, line);
    }
    if (!st) st = end_section(&ps);
    if (!st && c->n_principles == 0)
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: no principles (a constitution needs at least one [principle ID] section)",
                         name);
    if (st) {
        attn_constitution_free(c);
        return st;
    }
    *out = c;
    return ATTN_OK;
}

static attn_status parse_file(const char *name, const char *text, size_t len, void *out) {
    return attn_constitution_parse(name, text, len, out);
}

attn_status attn_constitution_read(const char *path, attn_constitution **out) {
    *out = NULL;
    return file_read_parse(path, parse_file, out);
}

void attn_constitution_free(attn_constitution *c) {
    if (!c) return;
    for (int64_t i = 0; i < c->n_principles; i++) {
        attn_cai_principle *p = &c->principles[i];
        attn_free(p->id);
        attn_free(p->critique);
        attn_free(p->revision);
        attn_free(p->choice);
    }
    for (int64_t i = 0; i < c->n_examples; i++) {
        attn_cai_example *e = &c->examples[i];
        attn_free(e->prompt);
        attn_free(e->answer);
        attn_free(e->critique);
        attn_free(e->revision);
    }
    attn_free(c->principles);
    attn_free(c->examples);
    attn_free(c);
}

/* ---- sampling ------------------------------------------------------------------- */

/* streams of the counter-based generator (rng.c) that these draws use */
enum { STREAM_PICK = 0x43414950, STREAM_SEED = 0x43414953 };

int64_t attn_cai_pick(const attn_constitution *c, uint64_t seed, uint64_t item, uint64_t round) {
    uint64_t h = rng_hash(seed, STREAM_PICK, rng_hash(item, STREAM_PICK, round));
    return (int64_t)(h % (uint64_t)c->n_principles);
}

uint64_t attn_cai_seed(uint64_t seed, uint64_t item, uint64_t stage) {
    return rng_hash(seed, STREAM_SEED, rng_hash(item, STREAM_SEED, stage));
}

/* ---- conversations ----------------------------------------------------------------- */

attn_status attn_cai_messages(const attn_constitution *c, int64_t p, int64_t shots, const char *prompt,
                              const char *answer, const char *critique, attn_chat_message *m, size_t *n) {
    *n = 0;
    if (p < 0 || p >= c->n_principles)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "principle %lld of %lld", (long long)p, (long long)c->n_principles);
    if (!prompt || !answer) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_cai_messages: no prompt or answer");
    const attn_cai_principle *pr = &c->principles[p];
    if (shots < 0) shots = 0;
    if (shots > c->n_examples) shots = c->n_examples;
    size_t k = 0;
    for (int64_t i = 0; i < shots; i++) {
        const attn_cai_example *e = &c->examples[i];
        m[k++] = (attn_chat_message){"user", e->prompt};
        m[k++] = (attn_chat_message){"assistant", e->answer};
        m[k++] = (attn_chat_message){"user", pr->critique};
        m[k++] = (attn_chat_message){"assistant", e->critique};
        m[k++] = (attn_chat_message){"user", pr->revision};
        m[k++] = (attn_chat_message){"assistant", e->revision};
    }
    m[k++] = (attn_chat_message){"user", prompt};
    m[k++] = (attn_chat_message){"assistant", answer};
    m[k++] = (attn_chat_message){"user", pr->critique};
    if (critique) {
        m[k++] = (attn_chat_message){"assistant", critique};
        m[k++] = (attn_chat_message){"user", pr->revision};
    }
    *n = k;
    return ATTN_OK;
}

attn_status attn_cai_question(const attn_constitution *c, int64_t p, const char *prompt, const char *a, const char *b,
                              char **out) {
    *out = NULL;
    if (p < 0 || p >= c->n_principles)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "principle %lld of %lld", (long long)p, (long long)c->n_principles);
    static const char F[] = "Consider the following conversation between a human and an assistant:\n\nHuman: %s\n\n%s\n\n"
                            "Options:\n(A) %s\n(B) %s";
    const char *choice = c->principles[p].choice;
    size_t len = sizeof F + strlen(prompt) + strlen(choice) + strlen(a) + strlen(b);
    char *s = attn_malloc(len);
    if (!s) return oom();
    snprintf(s, len, F, prompt, choice, a, b);
    *out = s;
    return ATTN_OK;
}
