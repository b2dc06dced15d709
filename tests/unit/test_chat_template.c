/* Chat templates (src/chat): refused constructs name themselves with their
 * line and column; syntax errors, hostile templates (deep nesting, huge
 * loops, huge strings and outputs) and hostile inputs (invalid UTF-8, bad
 * JSON, lying GGUF headers) give errors that say what and where, never a
 * crash or a hang; raise_exception carries its message; an allocation that
 * fails anywhere in a parse or a render is an error. The renderings
 * themselves are compared with jinja2 in tests/py/test_chat_template.py. */
#include "attn/chat.h"
#include "test.h"

#include <pthread.h>
#include <stdint.h>

static const char *MSGS = "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]";

/* Parses and renders `src` over MSGS; returns the status, the rendering in
 * *out (attn_free it) when ok. */
static attn_status run(const char *src, char **out) {
    attn_chat_template *t = NULL;
    *out = NULL;
    attn_status st = attn_chat_template_parse("t.jinja", src, strlen(src), &t);
    if (st) return st;
    attn_chat_options opt = {true, "<s>", "</s>"};
    size_t len;
    st = attn_chat_render_json(t, MSGS, strlen(MSGS), &opt, out, &len);
    if (!st && strlen(*out) != len) st = ATTN_ERR_INVALID_ARG;
    attn_chat_template_free(t);
    return st;
}

static bool renders(const char *src, const char *want) {
    char *out;
    attn_status st = run(src, &out);
    bool ok = st == ATTN_OK && strcmp(out, want) == 0;
    if (!ok) fprintf(stderr, "  %s -> %s [%s]\n", src, st ? attn_last_error() : out, want);
    attn_free(out);
    return ok;
}

/* The template fails with `want` status and a message containing every
 * string in `parts` (NULL-terminated). */
static bool fails(const char *src, attn_status want, const char *const *parts) {
    char *out;
    attn_status st = run(src, &out);
    attn_free(out);
    bool ok = st == want;
    for (int i = 0; ok && parts[i]; i++) ok = strstr(attn_last_error(), parts[i]) != NULL;
    if (!ok) fprintf(stderr, "  %.80s -> %s: %s\n", src, attn_status_string(st), attn_last_error());
    return ok;
}
#define FAILS(src, want, ...) CHECK(fails((src), (want), (const char *const[]){__VA_ARGS__, NULL}))

TEST("the supported language renders: real-template idioms") {
    CHECK(renders("{% for m in messages %}{{ m.role }}:{{ m['content'] }};{% endfor %}", "system:Be brief.;user:Hi;"));
    CHECK(renders("{{ bos_token }}{% if add_generation_prompt %}gen{% endif %}{{ eos_token }}", "<s>gen</s>"));
    CHECK(renders("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", "2"));
    CHECK(renders("{{ messages[1:] | length }} {{ (messages | first).role }} {{ '  x ' | trim }}", "1 system x"));
    CHECK(renders("a\n  {% if true %}\n  b\n  {% endif %}\nc\n", "a\n  b\nc"));
    CHECK(renders("{{ {'a': [1, 'é']} | tojson }}", "{\"a\": [1, \"é\"]}"));
    CHECK(renders("{% generation %}x{% endgeneration %}", "x"));
}

TEST("the C message array and the default template (ChatML)") {
    attn_chat_template *t = NULL;
    const char *src = attn_chat_default_template();
    CHECK_OK(attn_chat_template_parse("chatml", src, strlen(src), &t));
    attn_chat_message m[2] = {{"user", "Hello"}, {"assistant", "Hi there"}};
    char *out = NULL;
    size_t len = 0;
    CHECK_OK(attn_chat_render(t, m, 2, NULL, &out, &len));
    CHECK(out && !strcmp(out, "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n"));
    attn_free(out);
    attn_chat_options opt = {.add_generation_prompt = true};
    CHECK_OK(attn_chat_render(t, m, 1, &opt, &out, &len));
    CHECK(out && !strcmp(out, "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n"));
    attn_free(out);
    /* an invalid UTF-8 content, a missing role */
    attn_chat_message bad[1] = {{"user", "caf\xc3"}};
    CHECK_STATUS(attn_chat_render(t, bad, 1, NULL, &out, &len), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "message 1") && strstr(attn_last_error(), "invalid UTF-8"));
    attn_chat_message norole[1] = {{NULL, "x"}};
    CHECK_STATUS(attn_chat_render(t, norole, 1, NULL, &out, &len), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "no role"));
    attn_chat_template_free(t);
    attn_chat_template_free(NULL);
}

TEST("each refused construct names itself, its line and column") {
    FAILS("{% macro f() %}x{% endmacro %}", ATTN_ERR_FORMAT, "line 1, column 4", "unsupported construct", "macro");
    FAILS("ab\n  {% include 'x.jinja' %}", ATTN_ERR_FORMAT, "line 2, column 6", "the {% include %} tag");
    FAILS("{% extends 'base' %}", ATTN_ERR_FORMAT, "unsupported construct", "extends");
    FAILS("{% block b %}{% endblock %}", ATTN_ERR_FORMAT, "unsupported construct", "block");
    FAILS("{% raw %}{{ x }}{% endraw %}", ATTN_ERR_FORMAT, "unsupported construct", "raw");
    FAILS("{% with a = 1 %}{% endwith %}", ATTN_ERR_FORMAT, "unsupported construct", "with");
    FAILS("{% call f() %}{% endcall %}", ATTN_ERR_FORMAT, "unsupported construct", "call");
    FAILS("{% filter upper %}x{% endfilter %}", ATTN_ERR_FORMAT, "unsupported construct", "filter");
    FAILS("{% frobnicate %}", ATTN_ERR_FORMAT, "unknown tag 'frobnicate'");
    FAILS("{% set x %}body{% endset %}", ATTN_ERR_FORMAT, "unsupported construct", "{% set %} block");
    FAILS("{% for m in messages recursive %}{% endfor %}", ATTN_ERR_FORMAT, "unsupported construct", "recursive");
    FAILS("{{ f(*args) }}", ATTN_ERR_FORMAT, "unsupported construct", "*args");
    FAILS("{{ '\\N{BULLET}' }}", ATTN_ERR_FORMAT, "unsupported construct", "\\N{...}");
    FAILS("x\n{{ messages | wordcount }}", ATTN_ERR_UNSUPPORTED, "line 2, column 13", "the filter 'wordcount'");
    FAILS("{{ 'a' is escaped }}", ATTN_ERR_UNSUPPORTED, "line 1, column 8", "the test 'escaped'");
    FAILS("{{ 'a {}'.format(1) }}", ATTN_ERR_UNSUPPORTED, "the method 'format' of a str");
    FAILS("{{ messages.append(1) }}", ATTN_ERR_UNSUPPORTED, "the method 'append' of a list");
    FAILS("{{ cycler(1, 2) }}", ATTN_ERR_UNSUPPORTED, "calling 'cycler'");
    FAILS("{{ strftime_now('%Y') }}", ATTN_ERR_UNSUPPORTED, "calling 'strftime_now'");
    FAILS("{{ 'x%s' % 1 }}", ATTN_ERR_UNSUPPORTED, "string % formatting");
    FAILS("{% for m in messages %}{{ loop.cycle('a', 'b') }}{% endfor %}", ATTN_ERR_UNSUPPORTED, "the method 'cycle' of a loop");
    FAILS("{{ 'x' | tojson(default=1) }}", ATTN_ERR_UNSUPPORTED, "the filter 'tojson' with the argument 'default'");
}

TEST("syntax errors say what and where") {
    FAILS("abc {{ messages", ATTN_ERR_FORMAT, "line 1, column 5", "unterminated {{ tag");
    FAILS("abc {% if true", ATTN_ERR_FORMAT, "unterminated {% tag");
    FAILS("\n\n{# never closed", ATTN_ERR_FORMAT, "line 3, column 1", "unterminated comment");
    FAILS("{% if true %}never closed", ATTN_ERR_FORMAT, "line 1, column 4", "never closed", "{% endif %}");
    FAILS("{% for x in messages %}x", ATTN_ERR_FORMAT, "never closed", "{% endfor %}");
    FAILS("x{% endif %}", ATTN_ERR_FORMAT, "unexpected {% endif %}");
    FAILS("{{ 'unterminated }}", ATTN_ERR_FORMAT, "unterminated string literal");
    FAILS("{{ (1, 2] }}", ATTN_ERR_FORMAT, "unexpected ']', expected ')'");
    FAILS("{{ ) }}", ATTN_ERR_FORMAT, "unexpected ')'");
    FAILS("{% break %}", ATTN_ERR_FORMAT, "{% break %} outside a loop");
    FAILS("{{ 1 + }}", ATTN_ERR_FORMAT, "expected an expression, found '}}'");
    FAILS("{{ a b }}", ATTN_ERR_FORMAT, "expected '}}', found 'b'");
    FAILS("{{ 99999999999999999999 }}", ATTN_ERR_FORMAT, "integer literal out of range");
    FAILS("{{ 1 @ 2 }}", ATTN_ERR_FORMAT, "unexpected character '@'");
    FAILS("{{ '\\x4' }}", ATTN_ERR_FORMAT, "truncated \\x escape");
    FAILS("{% set 1 = 2 %}", ATTN_ERR_FORMAT, "expected a variable name");
}

TEST("run-time errors: undefined values, types, raise_exception") {
    FAILS("{{ x.y }}", ATTN_ERR_INVALID_ARG, "line 1, column 5", "'x' is undefined");
    FAILS("{{ 1 + 'a' }}", ATTN_ERR_INVALID_ARG, "unsupported operand type(s) for +: 'int' and 'str'");
    FAILS("{{ bos_token + nothing }}", ATTN_ERR_INVALID_ARG, "'nothing' is undefined");
    FAILS("{{ 1 // 0 }}", ATTN_ERR_INVALID_ARG, "division or modulo by zero");
    FAILS("{{ 9223372036854775807 + 1 }}", ATTN_ERR_UNSUPPORTED, "integer overflow");
    FAILS("{{ 1 < 'a' }}", ATTN_ERR_INVALID_ARG, "'<' not supported between instances of 'int' and 'str'");
    FAILS("{% for x in 5 %}{% endfor %}", ATTN_ERR_INVALID_ARG, "'int' object is not iterable");
    FAILS("{% set a = 1 %}{% set a.b = 2 %}", ATTN_ERR_INVALID_ARG, "cannot assign attribute on non-namespace object");
    FAILS("{{ x | tojson }}", ATTN_ERR_INVALID_ARG, "not JSON serializable");
    FAILS("\n  {{ raise_exception('Only user and assistant roles are supported!') }}", ATTN_ERR_INVALID_ARG,
          "t.jinja: line 2, column 6: raise_exception: Only user and assistant roles are supported!");
    FAILS("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
          ATTN_ERR_INVALID_ARG, "raise_exception: System role not supported");
}

TEST("hostile templates hit a named bound, never crash or hang") {
    size_t n = 100000;
    char *deep = malloc(3 * n + 16);
    /* brackets nested 100000 deep */
    strcpy(deep, "{{ ");
    for (size_t i = 0; i < n; i++) deep[3 + i] = '(';
    strcpy(deep + 3 + n, "1 }}");
    FAILS(deep, ATTN_ERR_FORMAT, "nested deeper than 128 (bound)");
    /* `not not not ... x` and `- - - x`: deep without brackets */
    strcpy(deep, "{{ ");
    for (size_t i = 0; i < n; i++) memcpy(deep + 3 + 2 * i, "- ", 2);
    strcpy(deep + 3 + 2 * n, "1 }}");
    FAILS(deep, ATTN_ERR_FORMAT, "nested deeper than 128 (bound)");
    strcpy(deep, "{{ ");
    size_t o = 3;
    for (size_t i = 0; i < n / 4; i++) o += (size_t)sprintf(deep + o, "not ");
    strcpy(deep + o, "1 }}");
    FAILS(deep, ATTN_ERR_FORMAT, "nested deeper than 128 (bound)");
    /* blocks nested 1000 deep */
    o = 0;
    for (int i = 0; i < 1000; i++) o += (size_t)sprintf(deep + o, "{%% if true %%}");
    for (int i = 0; i < 1000; i++) o += (size_t)sprintf(deep + o, "{%% endif %%}");
    FAILS(deep, ATTN_ERR_FORMAT, "nested deeper than 128 (bound)");
    o = 0;
    for (int i = 0; i < 1000; i++) o += (size_t)sprintf(deep + o, "{%% for x in [1] %%}");
    for (int i = 0; i < 1000; i++) o += (size_t)sprintf(deep + o, "{%% endfor %%}");
    FAILS(deep, ATTN_ERR_FORMAT, "nested deeper than 128 (bound)");
    free(deep);
    /* loops */
    FAILS("{% for i in range(100000000) %}x{% endfor %}", ATTN_ERR_INVALID_ARG, "range of more than 1000000 items");
    FAILS("{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(10) %}{% endfor %}{% endfor %}{% endfor %}",
          ATTN_ERR_INVALID_ARG, "loops ran more than 1000000 iterations (bound)");
    /* memory and output */
    FAILS("{{ 'x' * 1000000000000 }}", ATTN_ERR_INVALID_ARG, "repetition longer than 256 MiB (bound)");
    FAILS("{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
          ATTN_ERR_INVALID_ARG, "more than 256 MiB of memory (bound)");
    FAILS("{{ 'x' * 60000000 }}{{ 'y' * 60000000 }}", ATTN_ERR_INVALID_ARG, "line 1, column 21",
          "rendering is longer than 64 MiB (bound)");
    /* evaluation steps: substring searches over a 10 MB string */
    FAILS("{% set s = 'x' * 10000000 %}{% for i in range(1000) %}{% if 'y' in s %}{% endif %}{% endfor %}",
          ATTN_ERR_INVALID_ARG, "more than 50000000 evaluation steps (bound)");
    /* values nested deeper than printing goes */
    FAILS("{% set ns = namespace(v=1) %}{% for i in range(1000) %}{% set ns.v = [ns.v] %}{% endfor %}{{ ns.v }}",
          ATTN_ERR_INVALID_ARG, "nested deeper than 256 (bound)");
    FAILS("{% set ns = namespace(v=1) %}{% for i in range(1000) %}{% set ns.v = [ns.v] %}{% endfor %}{{ ns.v | tojson }}",
          ATTN_ERR_INVALID_ARG, "nested deeper than 256 (bound)");
}

TEST("invalid UTF-8 and bad JSON are errors") {
    attn_chat_template *t = NULL;
    CHECK_STATUS(attn_chat_template_parse("bad.jinja", "ab\n\xff{{ x }}", 9, &t), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "bad.jinja: line 2: invalid UTF-8 at byte offset 3"));
    CHECK(t == NULL);
    CHECK_STATUS(attn_chat_template_parse("nul.jinja", "a\0b", 3, &t), ATTN_ERR_FORMAT);
    const char *src = attn_chat_default_template();
    CHECK_OK(attn_chat_template_parse("chatml", src, strlen(src), &t));
    char *out = NULL;
    size_t len;
    const char *bad = "[{\"role\": \"user\", \"content\": \"caf\xc3\"}]";
    CHECK_STATUS(attn_chat_render_json(t, bad, strlen(bad), NULL, &out, &len), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "invalid UTF-8"));
    const char *notjson = "[{\"role\": \"user\", ";
    CHECK_STATUS(attn_chat_render_json(t, notjson, strlen(notjson), NULL, &out, &len), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "not valid JSON"));
    const char *obj = "{\"msgs\": []}";
    CHECK_STATUS(attn_chat_render_json(t, obj, strlen(obj), NULL, &out, &len), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "array of messages"));
    /* a conversation nested past the bound */
    char deep[4200];
    size_t o = 0;
    deep[o++] = '[';
    for (int i = 0; i < 300; i++) o += (size_t)sprintf(deep + o, "{\"a\":[");
    for (int i = 0; i < 300; i++) o += (size_t)sprintf(deep + o, "]}");
    deep[o++] = ']';
    CHECK_STATUS(attn_chat_render_json(t, deep, o, NULL, &out, &len), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "nested deeper than"));
    attn_chat_options opt = {false, "\xff", NULL};
    const char *ok = "[]";
    CHECK_STATUS(attn_chat_render_json(t, ok, 2, &opt, &out, &len), ATTN_ERR_FORMAT);
    CHECK(out == NULL);
    attn_chat_template_free(t);
}

static void write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(data, 1, n, f) == n);
    fclose(f);
}

/* A GGUF header: version, 0 tensors, n_kv; then key/values appended by kv_*. */
static size_t gguf_head(unsigned char *b, uint64_t n_kv) {
    uint32_t v = 3;
    uint64_t zero = 0;
    memcpy(b, "GGUF", 4);
    memcpy(b + 4, &v, 4);
    memcpy(b + 8, &zero, 8);
    memcpy(b + 16, &n_kv, 8);
    return 24;
}
static size_t gguf_str(unsigned char *b, const char *s) {
    uint64_t n = strlen(s);
    memcpy(b, &n, 8);
    memcpy(b + 8, s, n);
    return 8 + n;
}

TEST("attn_chat_template_find: model directories and GGUF files, lying headers refused") {
    char *src = NULL, *bos = NULL, *eos = NULL;
    /* a directory: tokenizer_config.json with a list of templates and AddedToken tokens */
    const char *dir = test_tmp_path("model");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    CHECK(system(cmd) == 0);
    char cfg[512];
    snprintf(cfg, sizeof cfg, "%s/tokenizer_config.json", dir);
    const char *json = "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"default\", "
                       "\"template\": \"D{{ x }}\"}], \"bos_token\": {\"content\": \"<B>\"}, \"eos_token\": \"<E>\"}";
    write_file(cfg, json, strlen(json));
    CHECK_OK(attn_chat_template_find(dir, &src, &bos, &eos));
    CHECK(src && !strcmp(src, "D{{ x }}") && bos && !strcmp(bos, "<B>") && eos && !strcmp(eos, "<E>"));
    attn_free(src);
    attn_free(bos);
    attn_free(eos);
    write_file(cfg, "{\"chat_template\": 5}", 20);
    CHECK_STATUS(attn_chat_template_find(dir, &src, &bos, &eos), ATTN_ERR_FORMAT);
    CHECK(src == NULL && bos == NULL && eos == NULL);
    write_file(cfg, "{}", 2);
    CHECK_OK(attn_chat_template_find(dir, &src, &bos, &eos));
    CHECK(src == NULL);

    /* a GGUF file: template, tokens and ids */
    unsigned char g[1024];
    size_t o = gguf_head(g, 4);
    uint32_t t_str = 8, t_arr = 9, t_u32 = 4;
    uint64_t n_tok = 3;
    uint32_t id;
    o += gguf_str(g + o, "tokenizer.ggml.tokens");
    memcpy(g + o, &t_arr, 4), o += 4;
    memcpy(g + o, &t_str, 4), o += 4;
    memcpy(g + o, &n_tok, 8), o += 8;
    o += gguf_str(g + o, "<unk>");
    o += gguf_str(g + o, "<|im_start|>");
    o += gguf_str(g + o, "<|im_end|>");
    o += gguf_str(g + o, "tokenizer.ggml.bos_token_id");
    memcpy(g + o, &t_u32, 4), o += 4;
    id = 1;
    memcpy(g + o, &id, 4), o += 4;
    o += gguf_str(g + o, "tokenizer.ggml.eos_token_id");
    memcpy(g + o, &t_u32, 4), o += 4;
    id = 2;
    memcpy(g + o, &id, 4), o += 4;
    o += gguf_str(g + o, "tokenizer.chat_template");
    memcpy(g + o, &t_str, 4), o += 4;
    o += gguf_str(g + o, "{{ bos_token }}");
    const char *path = test_tmp_path("m.gguf");
    write_file(path, g, o);
    CHECK_OK(attn_chat_template_find(path, &src, &bos, &eos));
    CHECK(src && !strcmp(src, "{{ bos_token }}") && bos && !strcmp(bos, "<|im_start|>") && eos &&
          !strcmp(eos, "<|im_end|>"));
    attn_free(src);
    attn_free(bos);
    attn_free(eos);
    /* every truncation of it is an error, never a crash */
    for (size_t cut = 0; cut < o; cut++) {
        write_file(path, g, cut);
        attn_status st = attn_chat_template_find(path, &src, &bos, &eos);
        CHECK(st != ATTN_OK && attn_last_error()[0]);
        CHECK(src == NULL && bos == NULL && eos == NULL);
    }
    /* a string claiming 2^62 bytes, an array claiming 2^62 strings */
    size_t h = gguf_head(g, 1);
    h += gguf_str(g + h, "tokenizer.chat_template");
    memcpy(g + h, &t_str, 4), h += 4;
    uint64_t huge = (uint64_t)1 << 62;
    memcpy(g + h, &huge, 8), h += 8;
    write_file(path, g, h);
    CHECK_STATUS(attn_chat_template_find(path, &src, &bos, &eos), ATTN_ERR_FORMAT);
    h = gguf_head(g, 1);
    h += gguf_str(g + h, "tokenizer.ggml.tokens");
    memcpy(g + h, &t_arr, 4), h += 4;
    memcpy(g + h, &t_str, 4), h += 4;
    memcpy(g + h, &huge, 8), h += 8;
    write_file(path, g, h);
    CHECK(attn_chat_template_find(path, &src, &bos, &eos) == ATTN_ERR_FORMAT);
    write_file(path, "NOTGGUF-----------------------", 30);
    CHECK_STATUS(attn_chat_template_find(path, &src, &bos, &eos), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "not a GGUF file"));
    CHECK_STATUS(attn_chat_template_find(test_tmp_path("absent"), &src, &bos, &eos), ATTN_ERR_IO);
}

TEST("a failed allocation anywhere in a parse or a render is an error") {
    /* Llama-2's template over a system message and two turns */
    const char *src =
        "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = "
        "messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}"
        "{% endif %}{% for message in loop_messages %}{% if loop.index0 == 0 and system_message != false %}{% set "
        "content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set "
        "content = message['content'] %}{% endif %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
        "{{ messages | tojson }}{% endfor %}";
    int ok_at = -1;
    for (long k = 0; k < 2000 && ok_at < 0; k++) {
        test_alloc_count = 0;
        test_alloc_fail_at = k;
        attn_set_allocator(test_failing_realloc, NULL);
        char *out = NULL;
        attn_status st = run(src, &out);
        attn_set_allocator(NULL, NULL);
        if (st == ATTN_OK) {
            ok_at = (int)k;
            CHECK(out && strstr(out, "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]"));
        } else {
            CHECK(st == ATTN_ERR_OUT_OF_MEMORY);
            CHECK(strstr(attn_last_error(), "out of memory") != NULL);
        }
        attn_free(out);
    }
    CHECK(ok_at > 5);
}

typedef struct render_job {
    const attn_chat_template *t;
    const char *want;
    int mismatches;
} render_job;

static void *render_many(void *p) {
    render_job *j = p;
    attn_chat_options opt = {true, "<s>", "</s>"};
    for (int i = 0; i < 200; i++) {
        char *out = NULL;
        size_t len;
        if (attn_chat_render_json(j->t, MSGS, strlen(MSGS), &opt, &out, &len) || strcmp(out, j->want)) j->mismatches++;
        attn_free(out);
    }
    return NULL;
}

TEST("one parsed template renders on several threads at once") {
    const char *src = "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}"
                      "{{ loop.index }}{{ m.role | upper }}:{{ m.content }}{% endfor %}{{ ns.n }}{{ eos_token }}";
    attn_chat_template *t = NULL;
    CHECK_OK(attn_chat_template_parse("threads", src, strlen(src), &t));
    render_job jobs[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        jobs[k] = (render_job){t, "1SYSTEM:Be brief.2USER:Hi2</s>", 0};
        CHECK(pthread_create(&th[k], NULL, render_many, &jobs[k]) == 0);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        CHECK(jobs[k].mismatches == 0);
    }
    attn_chat_template_free(t);
}
