/* chat_data.c — conversations, preference pairs and prompts as JSON lines
 * (include/attn/chat_data.h: the formats and the errors). Each line is
 * checked as text (UTF-8, no NUL), parsed with cJSON and turned into one
 * example; the first malformed line ends the read with its line number. */
#include "attn/chat_data.h"
#include "core/core.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

static const char *const ROLES[] = {"system", "user", "assistant", "tool"};

typedef struct reader {
    const char *path;
    int64_t line;
} reader;

#define LINE_ERROR(r, ...) line_error(r, __VA_ARGS__)
static attn_status line_error(const reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static attn_status line_error(const reader *r, const char *fmt, ...) {
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: %s", r->path, (long long)r->line, what);
}

static void turns_free(attn_chat_turns *t) {
    for (int64_t i = 0; t->m && i < t->n; i++) attn_free((void *)(uintptr_t)t->m[i].content);
    attn_free(t->m);
    t->m = NULL;
    t->n = 0;
}

static void example_free(attn_chat_example *e) {
    turns_free(&e->prompt);
    turns_free(&e->chosen);
    turns_free(&e->rejected);
}

void attn_chat_data_free(attn_chat_data *d) {
    if (!d) return;
    for (int64_t i = 0; i < d->n; i++) example_free(&d->ex[i]);
    attn_free(d->ex);
    attn_free(d);
}

/* t gets n messages, contents still NULL. */
static attn_status turns_alloc(attn_chat_turns *t, int64_t n) {
    if (!(t->m = attn_calloc(n > 0 ? (size_t)n : 1, sizeof *t->m))) return ATTN_ERR_OUT_OF_MEMORY;
    t->n = n;
    return ATTN_OK;
}

/* One message: role (static string, NULL for plain text) and a copy of content. */
static attn_status set_message(attn_chat_message *m, const char *role, const char *content) {
    m->role = role;
    return (m->content = attn_strdup(content)) ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
}

/* key's message list (an array of {"role", "content"} objects) into t. */
static attn_status read_messages(const reader *r, const cJSON *list, const char *key, attn_chat_turns *t) {
    if (!cJSON_IsArray(list)) return LINE_ERROR(r, "\"%s\" is not a list of messages", key);
    int64_t n = cJSON_GetArraySize(list);
    if (n == 0) return LINE_ERROR(r, "\"%s\" is an empty list", key);
    attn_status st = turns_alloc(t, n);
    if (st) return st;
    int64_t i = 0;
    for (const cJSON *msg = list->child; msg; msg = msg->next, i++) {
        if (!cJSON_IsObject(msg)) return LINE_ERROR(r, "\"%s\"[%lld] is not an object", key, (long long)i);
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(msg, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
        if (!role) return LINE_ERROR(r, "\"%s\"[%lld] has no \"role\"", key, (long long)i);
        if (!cJSON_IsString(role)) return LINE_ERROR(r, "\"%s\"[%lld].role is not a string", key, (long long)i);
        const char *known = NULL;
        for (size_t k = 0; k < sizeof ROLES / sizeof *ROLES; k++)
            if (!strcmp(role->valuestring, ROLES[k])) known = ROLES[k];
        if (!known)
            return LINE_ERROR(r, "\"%s\"[%lld]: unknown role \"%.64s\" (system, user, assistant or tool)", key, (long long)i,
                              role->valuestring);
        if (!content) return LINE_ERROR(r, "\"%s\"[%lld] has no \"content\"", key, (long long)i);
        if (!cJSON_IsString(content)) return LINE_ERROR(r, "\"%s\"[%lld].content is not a string", key, (long long)i);
        if ((st = set_message(&t->m[i], known, content->valuestring)) != ATTN_OK) return st;
    }
    return ATTN_OK;
}

/* key's value, a string (one message of `role`) or a message list, into t. */
static attn_status read_turns(const reader *r, const cJSON *v, const char *key, const char *role, attn_chat_turns *t) {
    if (cJSON_IsString(v)) {
        attn_status st = turns_alloc(t, 1);
        return st ? st : set_message(&t->m[0], role, v->valuestring);
    }
    if (!cJSON_IsArray(v)) return LINE_ERROR(r, "\"%s\" is neither a string nor a list of messages", key);
    return read_messages(r, v, key, t);
}

static bool same_message(const attn_chat_message *a, const attn_chat_message *b) {
    return !strcmp(a->role, b->role) && !strcmp(a->content, b->content);
}

/* Moves the first k messages of t into *head and keeps the rest in t. */
static attn_status split_turns(attn_chat_turns *t, int64_t k, attn_chat_turns *head) {
    attn_status st = turns_alloc(head, k);
    if (st) return st;
    memcpy(head->m, t->m, (size_t)k * sizeof *t->m);
    memmove(t->m, t->m + k, (size_t)(t->n - k) * sizeof *t->m);
    t->n -= k;
    return ATTN_OK;
}

static attn_status read_pair(const reader *r, const cJSON *obj, attn_chat_example *e) {
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(obj, "prompt");
    const char *pkey = "prompt";
    if (!prompt) prompt = cJSON_GetObjectItemCaseSensitive(obj, pkey = "messages");
    const cJSON *chosen = cJSON_GetObjectItemCaseSensitive(obj, "chosen");
    const cJSON *rejected = cJSON_GetObjectItemCaseSensitive(obj, "rejected");
    if (!chosen) return LINE_ERROR(r, "no \"chosen\"");
    if (!rejected) return LINE_ERROR(r, "no \"rejected\"");
    if (prompt && !cJSON_IsString(prompt) && !cJSON_IsArray(prompt))
        return LINE_ERROR(r, "\"%s\" is neither a string nor a list of messages", pkey);
    if (!strcmp(pkey, "messages") && prompt && !cJSON_IsArray(prompt))
        return LINE_ERROR(r, "\"messages\" is not a list of messages");
    e->plain = cJSON_IsString(chosen) && cJSON_IsString(rejected) && (!prompt || cJSON_IsString(prompt));
    attn_status st;
    if (!prompt && e->plain) return LINE_ERROR(r, "no \"prompt\" (plain-text pairs need one)");
    if ((st = read_turns(r, chosen, "chosen", e->plain ? NULL : "assistant", &e->chosen)) ||
        (st = read_turns(r, rejected, "rejected", e->plain ? NULL : "assistant", &e->rejected)))
        return st;
    if (prompt) return read_turns(r, prompt, pkey, e->plain ? NULL : "user", &e->prompt);
    /* implicit prompt: the common leading messages of both */
    int64_t k = 0;
    while (k < e->chosen.n && k < e->rejected.n && same_message(&e->chosen.m[k], &e->rejected.m[k])) k++;
    if (k == e->chosen.n || k == e->rejected.n)
        return LINE_ERROR(r, "\"chosen\" and \"rejected\" need completions after their common prompt");
    attn_chat_turns dup = {0};
    if ((st = split_turns(&e->chosen, k, &e->prompt)) || (st = split_turns(&e->rejected, k, &dup))) return st;
    turns_free(&dup);
    return ATTN_OK;
}

static attn_status read_example(const reader *r, attn_chat_data_kind kind, const cJSON *obj, attn_chat_example *e) {
    if (!cJSON_IsObject(obj)) return LINE_ERROR(r, "not a JSON object");
    e->line = r->line;
    if (kind == ATTN_CHAT_PAIRS) return read_pair(r, obj, e);
    const cJSON *messages = cJSON_GetObjectItemCaseSensitive(obj, "messages");
    if (kind == ATTN_CHAT_PROMPTS && !messages) {
        const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(obj, "prompt");
        if (!prompt) return LINE_ERROR(r, "no \"prompt\" or \"messages\"");
        e->plain = cJSON_IsString(prompt);
        return read_turns(r, prompt, "prompt", "user", &e->prompt);
    }
    if (!messages) return LINE_ERROR(r, "no \"messages\"");
    return read_messages(r, messages, "messages", &e->prompt);
}

/* True when a JSON text holds the escape \u0000, which cJSON would decode
 * into a string that ends early. */
static bool has_nul_escape(const char *s, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\\') continue;
        if (s[i + 1] == 'u' && i + 5 < n && !memcmp(s + i + 2, "0000", 4)) return true;
        i++;
    }
    return false;
}

static attn_status read_lines(const char *path, attn_chat_data_kind kind, const char *buf, size_t len, attn_chat_data *d) {
    reader r = {path, 0};
    int64_t cap = 0;
    size_t start = len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
    while (start < len) {
        r.line++;
        const char *nl = memchr(buf + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - buf) : len, next = nl ? end + 1 : len;
        attn_status st = text_check_at(path, buf + start, end - start, r.line, start);
        if (st) return st;
        bool blank = true;
        for (size_t i = start; i < end && blank; i++) blank = isspace((unsigned char)buf[i]) != 0;
        if (blank) {
            start = next;
            continue;
        }
        if (has_nul_escape(buf + start, end - start)) return LINE_ERROR(&r, "a string holds \\u0000 (NUL)");
        const char *parse_end = NULL;
        unsigned long failures = alloc_failures();
        cJSON *obj = cJSON_ParseWithLengthOpts(buf + start, end - start, &parse_end, false);
        if (!obj && alloc_failures() != failures)
            return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: line %lld: out of memory parsing JSON", path, (long long)r.line);
        for (const char *q = parse_end; obj && q < buf + end; q++)
            if (!isspace((unsigned char)*q)) {
                cJSON_Delete(obj);
                obj = NULL;
            }
        if (!obj) return LINE_ERROR(&r, "not valid JSON");
        if (d->n == cap) {
            int64_t ncap = cap ? 2 * cap : 64;
            attn_chat_example *ex = attn_realloc(d->ex, (size_t)ncap * sizeof *ex);
            if (!ex) {
                cJSON_Delete(obj);
                return ATTN_ERR_OUT_OF_MEMORY;
            }
            d->ex = ex;
            cap = ncap;
        }
        attn_chat_example *e = &d->ex[d->n++];
        memset(e, 0, sizeof *e);
        st = read_example(&r, kind, obj, e);
        cJSON_Delete(obj);
        if (st) return st;
        start = next;
    }
    if (d->n == 0) return attn_errorf(ATTN_ERR_FORMAT, "%s: no examples", path);
    return ATTN_OK;
}

attn_status attn_chat_data_read(const char *path, attn_chat_data_kind kind, attn_chat_data **out) {
    *out = NULL;
    if (!path) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_data_read: no path");
    if (kind != ATTN_CHAT_CONVERSATIONS && kind != ATTN_CHAT_PAIRS && kind != ATTN_CHAT_PROMPTS)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_data_read: unknown kind %d", (int)kind);
    char *buf = NULL;
    size_t len = 0;
    attn_status st = file_read_all(path, &buf, &len);
    if (st) return st;
    attn_chat_data *d = attn_calloc(1, sizeof *d);
    if (!d) {
        attn_free(buf);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    d->kind = kind;
    st = read_lines(path, kind, buf, len, d);
    attn_free(buf);
    if (st) {
        attn_chat_data_free(d);
        return st;
    }
    *out = d;
    return ATTN_OK;
}
