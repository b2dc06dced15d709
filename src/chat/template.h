/* template.h — chat templates inside libattn (the public API is
 * include/attn/chat.h). template.c holds the Jinja subset: a lexer that
 * applies Jinja's whitespace rules (trim_blocks, lstrip_blocks, '-' / '+'),
 * a recursive-descent parser into a tree, and an evaluator over values
 * allocated from one bounded arena per render. source.c finds a model's
 * template (model directory or GGUF metadata).
 *
 * Layering: above core/ and io/ (cJSON), below generate/ and the CLI; it
 * knows nothing of tokenizers or models. */
#ifndef ATTN_CHAT_TEMPLATE_H
#define ATTN_CHAT_TEMPLATE_H

#include "attn/chat.h"
#include "core/core.h"

/* Python's str.isspace() for one code point (what Jinja's \s and
 * str.strip() remove). */
bool chat_is_space(uint32_t cp);

#endif
