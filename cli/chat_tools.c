/* chat_tools.c — the built-in tools as attn chat runs them (chat_tools.h). */
#include "chat_tools.h"

#include <stdlib.h>
#include <string.h>

attn_status cli_tools_open(cli_tools *t, const char *list, const char *docs) {
    memset(t, 0, sizeof *t);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 10 && !strncmp(p, "calculator", n)) t->mask |= ATTN_TOOL_CALCULATOR;
        else if (n == 8 && !strncmp(p, "retrieve", n)) t->mask |= ATTN_TOOL_RETRIEVE;
        else return attn_errorf(ATTN_ERR_INVALID_ARG, "--tools: unknown tool '%.*s' (the tools: calculator, retrieve)", (int)n, p);
        p += n + (p[n] == ',');
    }
    if (!t->mask) return attn_errorf(ATTN_ERR_INVALID_ARG, "--tools: name calculator, retrieve or both");
    attn_status st;
    if ((t->mask & ATTN_TOOL_RETRIEVE) &&
        ((st = attn_bm25_new(&t->ix)) || (st = attn_bm25_add_dir(t->ix, docs)) || (st = attn_bm25_build(t->ix))))
        return st;
    char *defs = NULL;
    if ((st = attn_tools_json(t->mask, &defs))) return st;
    t->defs = cJSON_Parse(defs);
    attn_free(defs);
    t->log = cJSON_CreateArray();
    t->sources = cJSON_CreateArray();
    if (!t->defs || !t->log || !t->sources) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    return ATTN_OK;
}

void cli_tools_close(cli_tools *t) {
    attn_bm25_free(t->ix);
    cJSON_Delete(t->defs);
    cJSON_Delete(t->log);
    cJSON_Delete(t->sources);
    memset(t, 0, sizeof *t);
}

attn_status cli_tools_render(const cli_tools *t, const attn_chat_template *tmpl, const char *const *roles,
                             const char *const *contents, size_t n, const attn_chat_options *opt, char **out,
                             size_t *len) {
    cJSON *a = cJSON_CreateArray();
    bool oom = !a;
    for (size_t i = 0; i < n && !oom; i++) {
        cJSON *m = cJSON_CreateObject();
        oom = !m || !cJSON_AddStringToObject(m, "role", roles[i]) || !cJSON_AddStringToObject(m, "content", contents[i]);
        if (m) cJSON_AddItemToArray(a, m);
    }
    attn_status st = oom ? attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory")
                         : attn_chat_render_tools(tmpl, a, t->defs, opt, out, len);
    cJSON_Delete(a);
    return st;
}

/* "[FILE:LINE] " at the start of each of a retrieve result's passages -> t->sources */
static void note_sources(cli_tools *t, const char *r) {
    for (const char *p = r; p && *p; p = strstr(p, "\n\n[")) {
        if (*p == '\n') p += 2;
        const char *end = strstr(p, "] ");
        if (*p != '[' || !end) break;
        char *s = malloc((size_t)(end - p));
        if (!s) return;
        memcpy(s, p + 1, (size_t)(end - p - 1));
        s[end - p - 1] = '\0';
        bool seen = false;
        const cJSON *x;
        cJSON_ArrayForEach(x, t->sources) seen |= !strcmp(x->valuestring, s);
        if (!seen) cJSON_AddItemToArray(t->sources, cJSON_CreateString(s));
        free(s);
        p = end;
    }
}

static char *dup_c(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

attn_status cli_tools_run(cli_tools *t, const char *content, size_t len, char ***results, size_t *n) {
    *results = NULL;
    *n = 0;
    attn_tool_call *calls = NULL;
    size_t nc = 0;
    attn_status st = attn_tool_calls_parse(content, len, &calls, &nc, NULL);
    if (st == ATTN_ERR_FORMAT) { /* the model sees what was wrong */
        char **r = malloc(sizeof *r);
        size_t m = strlen(attn_last_error()) + 8;
        if (!r || !(r[0] = malloc(m))) {
            free(r);
            return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        }
        snprintf(r[0], m, "error: %s", attn_last_error());
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", "");
        cJSON_AddStringToObject(e, "result", r[0]);
        cJSON_AddItemToArray(t->log, e);
        *results = r;
        *n = 1;
        return ATTN_OK;
    }
    if (st || !nc) return st;
    char **r = calloc(nc, sizeof *r);
    if (!r) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < nc && !st; i++) {
        char *res = NULL;
        if ((st = attn_tool_run(t->mask, t->ix, &calls[i], &res))) break;
        r[i] = dup_c(res);
        if (!strcmp(calls[i].name, "retrieve") && strncmp(res, "error:", 6)) note_sources(t, res);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", calls[i].name);
        cJSON_AddItemToObject(e, "arguments", cJSON_Parse(calls[i].arguments));
        cJSON_AddStringToObject(e, "result", res);
        cJSON_AddItemToArray(t->log, e);
        attn_free(res);
        if (!r[i]) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    attn_tool_calls_free(calls, nc);
    if (st) {
        for (size_t i = 0; r && i < nc; i++) free(r[i]);
        free(r);
        return st;
    }
    *results = r;
    *n = nc;
    return ATTN_OK;
}

bool cli_tools_check_defs(const cJSON *tools, char *why, size_t n) {
    if (!cJSON_IsArray(tools)) {
        snprintf(why, n, "'tools' must be an array of {\"type\": \"function\", \"function\": {\"name\": ...}}");
        return false;
    }
    int i = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tools) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(t, "type");
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(t, "function");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "name");
        if (!cJSON_IsObject(t) || !cJSON_IsString(type) || strcmp(type->valuestring, "function") || !cJSON_IsObject(f) ||
            !cJSON_IsString(name) || !name->valuestring[0]) {
            snprintf(why, n, "tools[%d] must be {\"type\": \"function\", \"function\": {\"name\": \"...\", ...}}", i);
            return false;
        }
        i++;
    }
    return true;
}

cJSON *cli_tools_message(const char *text, bool tools, const char *id, const char **finish) {
    cJSON *m = cJSON_CreateObject();
    if (!m) return NULL;
    cJSON_AddStringToObject(m, "role", "assistant");
    attn_tool_call *calls = NULL;
    size_t n = 0, content = strlen(text);
    if (!tools || attn_tool_calls_parse(text, content, &calls, &n, &content) != ATTN_OK || !n) {
        cJSON_AddStringToObject(m, "content", text);
        return m;
    }
    if (content) {
        char *c = malloc(content + 1);
        if (c) {
            memcpy(c, text, content);
            c[content] = '\0';
            cJSON_AddStringToObject(m, "content", c);
        }
        free(c);
    } else {
        cJSON_AddNullToObject(m, "content");
    }
    cJSON *arr = cJSON_AddArrayToObject(m, "tool_calls");
    for (size_t i = 0; i < n; i++) {
        char cid[96];
        snprintf(cid, sizeof cid, "call_%s_%zu", id, i);
        cJSON *c = cJSON_CreateObject(), *f = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "id", cid);
        cJSON_AddStringToObject(c, "type", "function");
        cJSON_AddStringToObject(f, "name", calls[i].name);
        cJSON_AddStringToObject(f, "arguments", calls[i].arguments);
        cJSON_AddItemToObject(c, "function", f);
        cJSON_AddItemToArray(arr, c);
    }
    attn_tool_calls_free(calls, n);
    *finish = "tool_calls";
    return m;
}

char *cli_template_end_text(const attn_chat_template *t, const attn_chat_options *opt) {
    static const char PROBE[] = "attn-end-of-turn-probe";
    const attn_chat_message m[2] = {{"user", "hi"}, {"assistant", PROBE}};
    attn_chat_options o = *opt;
    o.add_generation_prompt = false;
    char *text = NULL, *end = NULL;
    size_t len = 0;
    if (attn_chat_render(t, m, 2, &o, &text, &len) != ATTN_OK) return NULL;
    const char *at = strstr(text, PROBE);
    if (at) {
        at += sizeof PROBE - 1;
        while (*at == ' ' || *at == '\n' || *at == '\r' || *at == '\t') at++;
        size_t n = strcspn(at, " \n\r\t");
        if (n && (end = malloc(n + 1))) {
            memcpy(end, at, n);
            end[n] = '\0';
        }
    }
    attn_free(text);
    return end;
}

int32_t cli_template_end_token(const attn_chat_template *t, const attn_chat_options *opt, const attn_tokenizer *tok) {
    char *marker = cli_template_end_text(t, opt);
    int32_t id = marker ? attn_tokenizer_added_id(tok, marker) : -1;
    free(marker);
    return id;
}
