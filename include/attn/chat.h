/* chat.h — chat templates: a conversation (messages with a role and a
 * content) rendered into the one prompt string a chat model was trained on.
 *
 * A model's template is the Jinja source in tokenizer_config.json's
 * "chat_template" (or a chat_template.jinja beside it, or a GGUF file's
 * tokenizer.chat_template). attn renders it the way Hugging Face
 * transformers' apply_chat_template does: Jinja with trim_blocks and
 * lstrip_blocks, one trailing newline of the source dropped, and the
 * variables `messages`, `add_generation_prompt`, `bos_token`, `eos_token`,
 * `tools` and `documents` (none), plus `raise_exception(msg)`, `namespace()`
 * and `range()`, and transformers' `tojson` (json.dumps with ", " and ": ").
 *
 * The language is the subset real chat templates use: text, {{ }}, {% %} and
 * {# #} with '-' / '+' whitespace control; for (lists, strings, dict.items(),
 * unpacking, `loop.*`, `if` filters, else, break / continue), if / elif /
 * else, set (names, tuples, `ns.x`); literals, lists, dicts, attribute,
 * subscript and slice access; + - * / // % **, ~, comparisons, and / or /
 * not, in / not in, `a if c else b`; tests (defined, none, string, mapping,
 * iterable, number, ...); filters (trim, length, tojson, items, upper,
 * lower, default, first, last, join, replace, string, select / reject /
 * selectattr / rejectattr, map(attribute=), ...); the string and
 * dict methods templates call (.strip(), .startswith(), .split(), .get(),
 * .items(), ...). Anything else (macros, includes, other filters, tests or
 * methods) is refused when the template is parsed or when the construct is
 * reached, with an error naming it and its line and column.
 *
 * Templates are untrusted input: recursion, loop iterations, evaluation
 * steps, memory and output are bounded (ATTN_CHAT_MAX_*), and the error says
 * which bound was hit. Text in and out is UTF-8; invalid UTF-8 in the
 * template or in a message is an error. */
#ifndef ATTN_CHAT_H
#define ATTN_CHAT_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds on one template: nesting of blocks and expressions when parsed,
 * and per render: loop iterations in all, evaluation steps, bytes of
 * working memory and bytes of output. */
#define ATTN_CHAT_MAX_DEPTH 128
#define ATTN_CHAT_MAX_ITERATIONS 1000000
#define ATTN_CHAT_MAX_STEPS 50000000
#define ATTN_CHAT_MAX_MEMORY ((size_t)256 << 20)
#define ATTN_CHAT_MAX_OUTPUT ((size_t)64 << 20)

typedef struct attn_chat_template attn_chat_template;

typedef struct attn_chat_message {
    const char *role;      /* "system", "user", "assistant", ... */
    const char *content;   /* UTF-8 */
} attn_chat_message;

typedef struct attn_chat_options {
    bool add_generation_prompt;   /* end with the opening of the assistant's turn */
    const char *bos_token;        /* NULL: undefined, as transformers leaves a token */
    const char *eos_token;        /*   the tokenizer lacks (prints as "", an error in +) */
} attn_chat_options;

/* ChatML, the template for a model without one: each message as
 * "<|im_start|>ROLE\nCONTENT<|im_end|>\n", then "<|im_start|>assistant\n"
 * with add_generation_prompt. A static string. */
ATTN_API const char *attn_chat_default_template(void);

/* Parses a template (len bytes of UTF-8; `name` labels errors, e.g. the
 * file it came from). Syntax errors and refused constructs name their line
 * and column. attn_chat_template_free(NULL) is a no-op. */
ATTN_API attn_status attn_chat_template_parse(const char *name, const char *source, size_t len,
                                              attn_chat_template **out);
ATTN_API void attn_chat_template_free(attn_chat_template *t);

/* Renders messages[0..n) into *out (NUL-terminated, *out_len bytes;
 * attn_free it). opt may be NULL (no generation prompt, empty tokens).
 * raise_exception('text') in the template is ATTN_ERR_INVALID_ARG with the
 * message "...: raise_exception: text". */
ATTN_API attn_status attn_chat_render(const attn_chat_template *t, const attn_chat_message *messages, size_t n,
                                      const attn_chat_options *opt, char **out, size_t *out_len);

/* The same with the conversation as JSON text: an array of message objects
 * (any fields: role, content, tool_calls, ... each reaching the template as
 * it is), or an object with such an array under "messages" and optionally
 * "tools" and "documents". JSON numbers that are whole and within 2^53 reach
 * the template as integers, others as floats. */
ATTN_API attn_status attn_chat_render_json(const attn_chat_template *t, const char *json, size_t len,
                                           const attn_chat_options *opt, char **out, size_t *out_len);

/* The same with the conversation as a parsed cJSON array or object (as
 * above); `struct cJSON` is cJSON's own type. */
struct cJSON;
ATTN_API attn_status attn_chat_render_cjson(const attn_chat_template *t, const struct cJSON *conversation,
                                            const attn_chat_options *opt, char **out, size_t *out_len);

/* A model's chat template and special tokens, from a model directory
 * (chat_template.jinja, else tokenizer_config.json's "chat_template": a
 * string, or a list of {name, template} where "default" is taken; its
 * "bos_token" / "eos_token", strings or {"content": ...}) or a GGUF file
 * (tokenizer.chat_template, and the tokens tokenizer.ggml.bos_token_id /
 * eos_token_id name). *source is NULL when the model has no template (the
 * caller then uses attn_chat_default_template()); *bos / *eos are NULL when
 * absent. attn_free each. */
ATTN_API attn_status attn_chat_template_find(const char *model_path, char **source, char **bos, char **eos);

#ifdef __cplusplus
}
#endif
#endif /* ATTN_CHAT_H */
