/* tools.c — the calculator, the tool-call format of a model's turn, the
 * built-in tools and conversations with tools rendered through a chat
 * template (include/attn/tools.h). */
#include "core/core.h"

#include "attn/tools.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the calculator ------------------------------------------------------------
 * Recursive descent:
 *   expr  := term (('+' | '-') term)*
 *   term  := unary (('*' | '/' | '%') unary)*
 *   unary := ('+' | '-') unary | power
 *   power := atom (('^' | '**') unary)?
 *   atom  := NUMBER | '(' expr ')'
 * Each rule checks its result is finite, so no NaN or infinity travels on. */
typedef struct calc {
    const char *s;
    size_t n, at;
    int depth;
    attn_status st;
} calc;

static void calc_space(calc *c) {
    while (c->at < c->n && (c->s[c->at] == ' ' || c->s[c->at] == '\t' || c->s[c->at] == '\n' || c->s[c->at] == '\r'))
        c->at++;
}

static bool calc_fail(calc *c, const char *what, const char *more) {
    if (!c->st) c->st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s at byte %zu%s", what, c->at, more);
    return false;
}

static bool calc_check(calc *c, double v, const char *op) {
    if (isfinite(v)) return true;
    if (!c->st) c->st = attn_errorf(ATTN_ERR_INVALID_ARG, isnan(v) ? "%s: not a real number" : "%s: overflow (the result is "
                                                                                                "beyond double's range)", op);
    return false;
}

static bool calc_expr(calc *c, double *v);
static bool calc_unary(calc *c, double *v);

static bool calc_atom(calc *c, double *v) {
    calc_space(c);
    if (c->at >= c->n) return calc_fail(c, "the expression ends", ": expected a number or '('");
    char ch = c->s[c->at];
    if (ch == '(') {
        c->at++;
        if (!calc_expr(c, v)) return false;
        calc_space(c);
        if (c->at >= c->n || c->s[c->at] != ')') return calc_fail(c, "expected ')'", "");
        c->at++;
        return true;
    }
    if ((ch < '0' || ch > '9') && ch != '.') return calc_fail(c, "unexpected character", ": expected a number or '('");
    /* digits [. digits]: copied out (strtod would read hex, exponents, inf) */
    size_t a = c->at, digits = 0;
    while (c->at < c->n && c->s[c->at] >= '0' && c->s[c->at] <= '9') c->at++, digits++;
    if (c->at < c->n && c->s[c->at] == '.') {
        c->at++;
        while (c->at < c->n && c->s[c->at] >= '0' && c->s[c->at] <= '9') c->at++, digits++;
    }
    if (!digits) {
        c->at = a;
        return calc_fail(c, "a lone '.'", "");
    }
    size_t len = c->at - a;
    char buf[64], *tmp = len < sizeof buf ? buf : attn_malloc(len + 1);
    if (!tmp) {
        if (!c->st) c->st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        return false;
    }
    memcpy(tmp, c->s + a, len);
    tmp[len] = '\0';
    *v = strtod(tmp, NULL);
    if (tmp != buf) attn_free(tmp);
    return calc_check(c, *v, "a number");
}

static bool calc_power(calc *c, double *v) {
    if (!calc_atom(c, v)) return false;
    calc_space(c);
    size_t op = 0;
    if (c->at < c->n && c->s[c->at] == '^') op = 1;
    else if (c->at + 1 < c->n && c->s[c->at] == '*' && c->s[c->at + 1] == '*') op = 2;
    if (!op) return true;
    c->at += op;
    double e;
    if (!calc_unary(c, &e)) return false;
    if (*v == 0 && e < 0) {
        if (!c->st) c->st = attn_errorf(ATTN_ERR_INVALID_ARG, "0 to a negative power: division by zero");
        return false;
    }
    *v = pow(*v, e);
    return calc_check(c, *v, "^");
}

static bool calc_unary(calc *c, double *v) {
    if (++c->depth > ATTN_CALC_MAX_DEPTH) {
        if (!c->st) c->st = attn_errorf(ATTN_ERR_INVALID_ARG, "nested more than %d deep", ATTN_CALC_MAX_DEPTH);
        return false;
    }
    calc_space(c);
    bool ok;
    if (c->at < c->n && (c->s[c->at] == '-' || c->s[c->at] == '+')) {
        bool neg = c->s[c->at++] == '-';
        ok = calc_unary(c, v);
        if (ok && neg) *v = -*v;
    } else {
        ok = calc_power(c, v);
    }
    c->depth--;
    return ok;
}

static bool calc_term(calc *c, double *v) {
    if (!calc_unary(c, v)) return false;
    for (;;) {
        calc_space(c);
        if (c->at >= c->n) return true;
        char op = c->s[c->at];
        if (op == '*' && c->at + 1 < c->n && c->s[c->at + 1] == '*') return true; /* a power: not here */
        if (op != '*' && op != '/' && op != '%') return true;
        c->at++;
        double r;
        if (!calc_unary(c, &r)) return false;
        if (op != '*' && r == 0) {
            if (!c->st) c->st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s by zero", op == '/' ? "division" : "remainder (%)");
            return false;
        }
        *v = op == '*' ? *v * r : op == '/' ? *v / r : fmod(*v, r);
        if (!calc_check(c, *v, op == '*' ? "*" : op == '/' ? "/" : "%")) return false;
    }
}

static bool calc_expr(calc *c, double *v) {
    if (++c->depth > ATTN_CALC_MAX_DEPTH) {
        if (!c->st) c->st = attn_errorf(ATTN_ERR_INVALID_ARG, "nested more than %d deep", ATTN_CALC_MAX_DEPTH);
        return false;
    }
    bool ok = calc_term(c, v);
    while (ok) {
        calc_space(c);
        if (c->at >= c->n || (c->s[c->at] != '+' && c->s[c->at] != '-')) break;
        char op = c->s[c->at++];
        double r;
        ok = calc_term(c, &r);
        if (ok) {
            *v = op == '+' ? *v + r : *v - r;
            ok = calc_check(c, *v, op == '+' ? "+" : "-");
        }
    }
    c->depth--;
    return ok;
}

attn_status attn_calc(const char *expr, size_t len, double *value) {
    if ((!expr && len) || !value) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_calc: NULL argument");
    *value = 0;
    if (len > ATTN_CALC_MAX_LEN)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the expression is %zu bytes long (at most %d)", len, ATTN_CALC_MAX_LEN);
    calc c = {expr, len, 0, 0, ATTN_OK};
    calc_space(&c);
    if (c.at >= len) return attn_errorf(ATTN_ERR_INVALID_ARG, "the expression is empty");
    double v;
    if (!calc_expr(&c, &v)) return c.st;
    calc_space(&c);
    if (c.at < len) {
        if (expr[c.at] == ')') return attn_errorf(ATTN_ERR_INVALID_ARG, "unmatched ')' at byte %zu", c.at);
        return attn_errorf(ATTN_ERR_INVALID_ARG, "unexpected character at byte %zu", c.at);
    }
    *value = v == 0 ? 0 : v; /* no "-0" */
    return ATTN_OK;
}

void attn_calc_format(double v, char buf[32]) {
    if (v == floor(v) && fabs(v) <= 9007199254740992.0) snprintf(buf, 32, "%.0f", v == 0 ? 0.0 : v);
    else snprintf(buf, 32, "%.15g", v);
}

/* ---- tool calls ---------------------------------------------------------------- */
static const char OPEN[] = "<tool_call>", CLOSE[] = "</tool_call>";

void attn_tool_calls_free(attn_tool_call *calls, size_t n) {
    if (!calls) return;
    for (size_t i = 0; i < n; i++) {
        attn_free(calls[i].name);
        attn_free(calls[i].arguments);
    }
    attn_free(calls);
}

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *d = attn_malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

/* One call's JSON: {"name": "...", "arguments": {...} or "{...}"} -> name and compact arguments. */
static attn_status parse_call(const char *json, size_t len, size_t k, attn_tool_call *out) {
    cJSON *o = cJSON_ParseWithLength(json, len);
    attn_status st = ATTN_OK;
    cJSON *args = NULL;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsObject(o) || !cJSON_IsString(name) || !name->valuestring[0]) {
        st = attn_errorf(ATTN_ERR_FORMAT, "tool call %zu: %s", k + 1,
                         o ? "expected {\"name\": \"...\", \"arguments\": {...}}" : "not valid JSON");
        goto out;
    }
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "arguments");
    if (!a || cJSON_IsNull(a)) args = cJSON_CreateObject();
    else if (cJSON_IsObject(a)) args = cJSON_Duplicate(a, true);
    else if (cJSON_IsString(a)) args = cJSON_Parse(a->valuestring);
    if (!cJSON_IsObject(args)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "tool call %zu (%s): \"arguments\" must be an object", k + 1, name->valuestring);
        goto out;
    }
    char *text = cJSON_PrintUnformatted(args);
    out->name = dup_str(name->valuestring);
    out->arguments = text ? dup_str(text) : NULL;
    cJSON_free(text);
    if (!out->name || !out->arguments) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
out:
    cJSON_Delete(args);
    cJSON_Delete(o);
    return st;
}

attn_status attn_tool_calls_parse(const char *text, size_t len, attn_tool_call **calls, size_t *n_calls,
                                  size_t *content_len) {
    if ((!text && len) || !calls || !n_calls) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tool_calls_parse: NULL argument");
    *calls = NULL;
    *n_calls = 0;
    if (content_len) *content_len = len;
    const char *at = len ? memmem(text, len, OPEN, sizeof OPEN - 1) : NULL;
    if (!at) return ATTN_OK;
    size_t content = (size_t)(at - text);
    while (content && strchr(" \t\r\n", text[content - 1])) content--;
    attn_tool_call *out = NULL;
    size_t n = 0, cap = 0;
    attn_status st = ATTN_OK;
    const char *end = text + len;
    while (at) {
        const char *body = at + sizeof OPEN - 1;
        const char *close = memmem(body, (size_t)(end - body), CLOSE, sizeof CLOSE - 1);
        if (!close) {
            st = attn_errorf(ATTN_ERR_FORMAT, "tool call %zu: <tool_call> is not closed by </tool_call>", n + 1);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 4;
            attn_tool_call *g = attn_realloc(out, cap * sizeof *g);
            if (!g) {
                st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
                break;
            }
            out = g;
        }
        out[n] = (attn_tool_call){0};
        st = parse_call(body, (size_t)(close - body), n, &out[n]);
        n++;
        if (st) break;
        const char *next = close + sizeof CLOSE - 1;
        at = next < end ? memmem(next, (size_t)(end - next), OPEN, sizeof OPEN - 1) : NULL;
    }
    if (st) {
        attn_tool_calls_free(out, n);
        return st;
    }
    *calls = out;
    *n_calls = n;
    if (content_len) *content_len = content;
    return ATTN_OK;
}

/* ---- the built-in tools ------------------------------------------------------------ */
static const char CALC_JSON[] =
    "{\"type\": \"function\", \"function\": {\"name\": \"calculator\", \"description\": \"Evaluates an arithmetic "
    "expression exactly: + - * / % ^ and parentheses.\", \"parameters\": {\"type\": \"object\", \"properties\": "
    "{\"expression\": {\"type\": \"string\", \"description\": \"e.g. (12.5 + 3) * 4\"}}, \"required\": "
    "[\"expression\"]}}}";
static const char RETRIEVE_JSON[] =
    "{\"type\": \"function\", \"function\": {\"name\": \"retrieve\", \"description\": \"Searches the document "
    "collection and returns the best passages, each with its [file:line] to cite.\", \"parameters\": {\"type\": "
    "\"object\", \"properties\": {\"query\": {\"type\": \"string\", \"description\": \"words to search for\"}, "
    "\"k\": {\"type\": \"integer\", \"description\": \"passages to return (default 3)\"}}, \"required\": "
    "[\"query\"]}}}";

attn_status attn_tools_json(int tools, char **out) {
    if (!out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tools_json: NULL out");
    size_t n = sizeof CALC_JSON + sizeof RETRIEVE_JSON + 8;
    char *s = attn_malloc(n);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    snprintf(s, n, "[%s%s%s]", tools & ATTN_TOOL_CALCULATOR ? CALC_JSON : "",
             (tools & ATTN_TOOL_CALCULATOR) && (tools & ATTN_TOOL_RETRIEVE) ? ", " : "",
             tools & ATTN_TOOL_RETRIEVE ? RETRIEVE_JSON : "");
    *out = s;
    return ATTN_OK;
}

typedef struct tbuf {
    char *p;
    size_t len, cap;
    bool oom;
} tbuf;

static void tb_add(tbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 256;
        while (c < b->len + n + 1) c *= 2;
        char *q = attn_realloc(b->p, c);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void tb_str(tbuf *b, const char *s) { tb_add(b, s, strlen(s)); }

static attn_status tb_done(tbuf *b, char **out) {
    if (!b->p && !b->oom) tb_add(b, "", 0);
    if (b->oom) {
        attn_free(b->p);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    *out = b->p;
    return ATTN_OK;
}

attn_status attn_tool_run(int tools, attn_bm25 *ix, const attn_tool_call *call, char **result) {
    if (!call || !call->name || !result) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tool_run: NULL argument");
    *result = NULL;
    tbuf b = {0};
    cJSON *args = call->arguments ? cJSON_Parse(call->arguments) : cJSON_CreateObject();
    bool is_calc = !strcmp(call->name, "calculator") && (tools & ATTN_TOOL_CALCULATOR);
    bool ret = !strcmp(call->name, "retrieve") && (tools & ATTN_TOOL_RETRIEVE) && ix;
    if (!is_calc && !ret) {
        tb_str(&b, "error: no tool named '");
        tb_str(&b, call->name);
        tb_str(&b, "' (the tools: ");
        tb_str(&b, tools & ATTN_TOOL_CALCULATOR ? "calculator" : "");
        tb_str(&b, (tools & ATTN_TOOL_CALCULATOR) && (tools & ATTN_TOOL_RETRIEVE) ? ", " : "");
        tb_str(&b, tools & ATTN_TOOL_RETRIEVE ? "retrieve" : "");
        tb_str(&b, ")");
    } else if (is_calc) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(args, "expression");
        double v;
        if (!cJSON_IsString(e)) {
            tb_str(&b, "error: calculator takes {\"expression\": \"...\"}");
        } else if (attn_calc(e->valuestring, strlen(e->valuestring), &v) == ATTN_OK) {
            char num[32];
            attn_calc_format(v, num);
            tb_str(&b, num);
        } else {
            tb_str(&b, "error: ");
            tb_str(&b, attn_last_error());
        }
    } else {
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(args, "query");
        const cJSON *kj = cJSON_GetObjectItemCaseSensitive(args, "k");
        int64_t k = 3;
        if (cJSON_IsNumber(kj) && kj->valuedouble >= 1) k = kj->valuedouble > 10 ? 10 : (int64_t)kj->valuedouble;
        if (!cJSON_IsString(q)) {
            tb_str(&b, "error: retrieve takes {\"query\": \"...\", \"k\": N}");
        } else {
            attn_bm25_hit hits[10];
            int64_t n = 0;
            attn_status st = attn_bm25_search(ix, q->valuestring, strlen(q->valuestring), k, hits, &n);
            if (st) {
                cJSON_Delete(args);
                attn_free(b.p);
                return st;
            }
            if (!n) tb_str(&b, "no passage matches");
            for (int64_t i = 0; i < n; i++) {
                attn_bm25_passage p;
                if (attn_bm25_get(ix, hits[i].passage, &p)) continue;
                char head[64];
                if (i) tb_str(&b, "\n\n");
                tb_str(&b, "[");
                tb_str(&b, p.file);
                snprintf(head, sizeof head, ":%lld] ", (long long)p.line);
                tb_str(&b, head);
                size_t len = p.len;
                if (len > ATTN_TOOL_PASSAGE_BYTES) { /* cut on a character boundary */
                    len = ATTN_TOOL_PASSAGE_BYTES;
                    while (len && ((unsigned char)p.text[len] & 0xC0) == 0x80) len--;
                }
                for (size_t j = 0; j < len; j++) tb_add(&b, p.text[j] == '\n' || p.text[j] == '\r' ? " " : p.text + j, 1);
                if (len < p.len) tb_str(&b, " ...");
            }
        }
    }
    cJSON_Delete(args);
    return tb_done(&b, result);
}

/* ---- conversations with tools -------------------------------------------------------- */

/* Whether rendering [user] with `tools` differs from rendering it without:
 * the template uses them. */
static bool template_uses_tools(const attn_chat_template *t, const cJSON *tools, const attn_chat_options *opt) {
    cJSON *a = cJSON_CreateObject(), *msgs = cJSON_AddArrayToObject(a, "messages"), *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", "hi");
    cJSON_AddItemToArray(msgs, m);
    char *x = NULL, *y = NULL;
    size_t xl = 0, yl = 0;
    bool uses = false;
    if (attn_chat_render_cjson(t, a, opt, &x, &xl) == ATTN_OK) {
        cJSON_AddItemToObject(a, "tools", cJSON_Duplicate(tools, true));
        if (attn_chat_render_cjson(t, a, opt, &y, &yl) == ATTN_OK) uses = xl != yl || memcmp(x, y, xl) != 0;
    }
    attn_free(x);
    attn_free(y);
    cJSON_Delete(a);
    return uses;
}

/* Whether a "tool" message's content comes through the template. */
static bool template_has_tool_role(const attn_chat_template *t, const attn_chat_options *opt) {
    static const char PROBE[] = "attn-tool-result-probe";
    cJSON *a = cJSON_CreateArray();
    const char *roles[3] = {"user", "assistant", "tool"}, *texts[3] = {"hi", "ok", PROBE};
    for (int i = 0; i < 3; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", roles[i]);
        cJSON_AddStringToObject(m, "content", texts[i]);
        cJSON_AddItemToArray(a, m);
    }
    char *x = NULL;
    size_t xl = 0;
    bool ok = attn_chat_render_cjson(t, a, opt, &x, &xl) == ATTN_OK && x && strstr(x, PROBE);
    attn_free(x);
    cJSON_Delete(a);
    return ok;
}

/* The system message's description of the tools and the call format. */
static void describe_tools(tbuf *b, const cJSON *tools) {
    tb_str(b, "You can call these tools:\n");
    const cJSON *t;
    cJSON_ArrayForEach(t, tools) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(t, "function");
        if (!f) f = t;
        char *s = cJSON_PrintUnformatted(f);
        if (s) {
            tb_str(b, s);
            tb_str(b, "\n");
        }
        cJSON_free(s);
    }
    tb_str(b, "To call one, answer with\n<tool_call>\n{\"name\": \"TOOL\", \"arguments\": {...}}\n</tool_call>\n"
              "and its result comes back in the next message. Cite retrieved passages by their [file:line].");
}

static const char *str_or(const cJSON *o, const char *key, const char *def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : def;
}

/* An assistant's OpenAI tool_calls (NULL or not an array: none) appended
 * to b in the format of tools.h, each block on a line of its own. */
static attn_status calls_into(tbuf *b, const cJSON *calls) {
    const cJSON *call;
    if (!cJSON_IsArray(calls)) return ATTN_OK;
    cJSON_ArrayForEach(call, calls) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(call, "function");
        if (!f) f = call;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "name");
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(f, "arguments");
        cJSON *a = cJSON_IsString(args) ? cJSON_Parse(args->valuestring)
                                        : cJSON_IsObject(args) ? cJSON_Duplicate(args, true) : cJSON_CreateObject();
        if (!cJSON_IsString(name) || !cJSON_IsObject(a)) {
            cJSON_Delete(a);
            return attn_errorf(ATTN_ERR_INVALID_ARG, "a tool call needs a string \"name\" and \"arguments\" that "
                                                     "are a JSON object (or a string holding one)");
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name->valuestring);
        cJSON_AddItemToObject(o, "arguments", a);
        char *s = cJSON_PrintUnformatted(o);
        if (b->len) tb_str(b, "\n");
        tb_str(b, "<tool_call>\n");
        tb_str(b, s ? s : "");
        tb_str(b, "\n</tool_call>");
        b->oom |= !s;
        cJSON_free(s);
        cJSON_Delete(o);
    }
    return ATTN_OK;
}

attn_status attn_tool_calls_text(const char *content, const cJSON *calls, char **out, size_t *out_len) {
    if (!out || !out_len) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tool_calls_text: no output given");
    *out = NULL;
    *out_len = 0;
    tbuf b = {0};
    tb_str(&b, content ? content : "");
    attn_status st = calls_into(&b, calls);
    if (st) {
        attn_free(b.p);
        return st;
    }
    size_t n = b.len;
    if ((st = tb_done(&b, out))) return st;
    *out_len = n;
    return ATTN_OK;
}

attn_status attn_chat_render_tools(const attn_chat_template *t, const cJSON *messages, const cJSON *tools,
                                   const attn_chat_options *opt, char **out, size_t *out_len) {
    if (!t || !cJSON_IsArray(messages) || !out || !out_len)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_render_tools: expected a template and an array of messages");
    if (tools && !cJSON_IsArray(tools)) return attn_errorf(ATTN_ERR_INVALID_ARG, "'tools' must be an array");
    bool any_tools = tools && cJSON_GetArraySize(tools) > 0;
    bool native = any_tools && template_uses_tools(t, tools, opt);
    bool tool_role = template_has_tool_role(t, opt);
    cJSON *root = cJSON_CreateObject(), *conv = cJSON_AddArrayToObject(root, "messages");
    if (!root || !conv) {
        cJSON_Delete(root);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    bool oom = false;
    const cJSON *m = messages->child;
    if (any_tools && !native) { /* the tools in the system message */
        tbuf b = {0};
        describe_tools(&b, tools);
        if (m && !strcmp(str_or(m, "role", ""), "system")) {
            tb_str(&b, "\n\n");
            tb_str(&b, str_or(m, "content", ""));
            m = m->next;
        }
        cJSON *s = cJSON_CreateObject();
        oom |= b.oom || !s || !cJSON_AddStringToObject(s, "role", "system") || !cJSON_AddStringToObject(s, "content", b.p);
        cJSON_AddItemToArray(conv, s);
        attn_free(b.p);
    }
    for (; m && !oom; m = m->next) {
        const char *role = str_or(m, "role", "");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
        if (c && !cJSON_IsString(c) && !cJSON_IsNull(c)) {
            cJSON_Delete(root);
            return attn_errorf(ATTN_ERR_INVALID_ARG, "a message's content must be a string or null");
        }
        tbuf b = {0};
        tb_str(&b, cJSON_IsString(c) ? c->valuestring : "");
        const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
        attn_status st = !strcmp(role, "assistant") ? calls_into(&b, calls) : ATTN_OK;
        if (st) {
            attn_free(b.p);
            cJSON_Delete(root);
            return st;
        }
        bool as_user = !strcmp(role, "tool") && !tool_role;
        tbuf wrapped = {0};
        if (as_user) {
            tb_str(&wrapped, "<tool_response>\n");
            tb_str(&wrapped, b.p ? b.p : "");
            tb_str(&wrapped, "\n</tool_response>");
        }
        cJSON *x = cJSON_CreateObject();
        oom |= b.oom || wrapped.oom || !x || !cJSON_AddStringToObject(x, "role", as_user ? "user" : role) ||
               !cJSON_AddStringToObject(x, "content", as_user ? wrapped.p : b.p ? b.p : "");
        cJSON_AddItemToArray(conv, x);
        attn_free(b.p);
        attn_free(wrapped.p);
    }
    if (native && !oom) oom = !cJSON_AddItemToObject(root, "tools", cJSON_Duplicate(tools, true));
    if (oom) {
        cJSON_Delete(root);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    attn_status st = attn_chat_render_cjson(t, root, opt, out, out_len);
    cJSON_Delete(root);
    return st;
}
