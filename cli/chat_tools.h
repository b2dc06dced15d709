/* chat_tools.h — the built-in tools as attn chat and attn serve run them
 * (chat_tools.c): which are on, the retrieval index, the tool list shown to
 * the model, and one round of calls (include/attn/tools.h has the format). */
#ifndef ATTN_CLI_CHAT_TOOLS_H
#define ATTN_CLI_CHAT_TOOLS_H

#include "cli.h"

#include "attn/chat.h"
#include "attn/tools.h"

#include <cJSON.h>

typedef struct cli_tools {
    int mask;           /* ATTN_TOOL_*: 0 when no tools are on */
    attn_bm25 *ix;      /* with retrieve */
    cJSON *defs;        /* their OpenAI `tools` array */
    cJSON *log;         /* the calls of the current answer: [{name, arguments, result}] */
    cJSON *sources;     /* the retrieved passages' "FILE:LINE" (distinct), in order */
} cli_tools;

/* list: "calculator", "retrieve" or both, comma-separated; docs: the folder
 * retrieve searches (its index is built here). An unknown name is an
 * ATTN_ERR_INVALID_ARG naming it. */
attn_status cli_tools_open(cli_tools *t, const char *list, const char *docs);
void cli_tools_close(cli_tools *t);
/* Renders roles[i] / contents[i] with the tools (attn_chat_render_tools). */
attn_status cli_tools_render(const cli_tools *t, const attn_chat_template *tmpl, const char *const *roles,
                             const char *const *contents, size_t n, const attn_chat_options *opt, char **out,
                             size_t *len);
/* The calls in an assistant's turn, run: *n calls (0: none), results[i]
 * (free each, and the array) the tool message for call i; each is logged
 * in t->log (and retrieve's passages in t->sources). A malformed call is
 * one result "error: ..." that says what is wrong. */
attn_status cli_tools_run(cli_tools *t, const char *content, size_t len, char ***results, size_t *n);

/* The end-of-turn marker: what the template writes right after an
 * assistant's message, up to the first white space ("<|im_end|>" for
 * ChatML, "</s>" for Llama-2, "<|eot_id|>" for Llama-3), malloc'd; NULL
 * when the template writes nothing there or will not render the probe. */
char *cli_template_end_text(const attn_chat_template *t, const attn_chat_options *opt);
/* The added token the template writes right after an assistant's message
 * (<|im_end|> for ChatML), or -1: what ends a turn for a model whose
 * template's marker is not its end-of-text token. */
int32_t cli_template_end_token(const attn_chat_template *t, const attn_chat_options *opt, const attn_tokenizer *tok);

/* ---- attn serve: OpenAI's tools / tool_calls ---- */
/* Checks a request's "tools" (an array of {"type": "function", "function":
 * {"name": ..., ...}}); false with the reason in why[0..n). */
bool cli_tools_check_defs(const cJSON *tools, char *why, size_t n);
/* The assistant message for generated text: with tools, the calls in it
 * become OpenAI's "tool_calls" ([{"id": "<id>-<i>", "type": "function",
 * "function": {"name", "arguments": JSON text}}]), "content" the text
 * before them or null, and *finish "tool_calls"; text without a
 * well-formed call is the content as it is. */
cJSON *cli_tools_message(const char *text, bool tools, const char *id, const char **finish);

#endif
