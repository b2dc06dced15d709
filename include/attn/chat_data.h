/* chat_data.h — the data of chat fine-tuning and preference learning, as
 * JSON lines (one JSON object per line; blank lines are skipped, a leading
 * UTF-8 byte-order mark and a '\r' before '\n' are dropped), in the shapes
 * Hugging Face TRL and OpenAI's fine-tuning take:
 *
 * conversations  {"messages": [{"role": R, "content": S}, ...]}
 * pairs          {"prompt": P, "chosen": C, "rejected": X}, or with
 *                "messages" in place of "prompt" (a message list), or with
 *                no prompt at all ("implicit prompt": C and X are message
 *                lists whose longest common leading run of messages is the
 *                prompt, and the rest of each its completion). P, C and X
 *                are each a string or a message list. All three strings:
 *                plain text, no template (the prompt and the completion are
 *                joined as they are; messages have role NULL). A string
 *                beside message lists becomes one message: the prompt a
 *                "user" message, a completion an "assistant" one.
 * prompts        {"prompt": P} (a string: plain text, TRL's "standard"
 *                format, read as one "user" message with `plain` set; or a
 *                message list), or {"messages": [...]}.
 *
 * Roles are "system", "user", "assistant" and "tool"; a message's content is
 * a string (other fields of a message or a line are ignored). A
 * conversation needs at least one message and a completion at least one.
 *
 * Errors: ATTN_ERR_IO for a file that cannot be read; ATTN_ERR_FORMAT with
 * one message "PATH: line N: WHAT" for the first malformed line (N counts
 * from 1): invalid UTF-8 or a NUL byte (with the byte offset), not valid
 * JSON, not a JSON object, a missing key ("no \"messages\""), a value of
 * the wrong type ("\"messages\"[1].content is not a string"), an empty
 * message list, an unknown role; and "PATH: no examples" for a file with
 * none. */
#ifndef ATTN_CHAT_DATA_H
#define ATTN_CHAT_DATA_H

#include "attn/chat.h"
#include "attn/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum attn_chat_data_kind {
    ATTN_CHAT_CONVERSATIONS = 0,
    ATTN_CHAT_PAIRS,
    ATTN_CHAT_PROMPTS,
} attn_chat_data_kind;

/* A run of messages (role NULL: plain text, see above). */
typedef struct attn_chat_turns {
    attn_chat_message *m;
    int64_t n;
} attn_chat_turns;

/* One line's example. conversations: the messages in `prompt`; pairs: all
 * three; prompts: `prompt`. */
typedef struct attn_chat_example {
    int64_t line;                 /* where it was in the file (from 1) */
    bool plain;                   /* a pair of plain strings (role NULL throughout); a prompt given as a string */
    attn_chat_turns prompt, chosen, rejected;
} attn_chat_example;

typedef struct attn_chat_data {
    attn_chat_data_kind kind;
    int64_t n;
    attn_chat_example *ex;
} attn_chat_data;

/* Reads path as `kind` (see above) into *out (attn_chat_data_free it). */
ATTN_API attn_status attn_chat_data_read(const char *path, attn_chat_data_kind kind, attn_chat_data **out);
ATTN_API void attn_chat_data_free(attn_chat_data *d);   /* NULL is a no-op */

/* The text of example e that a reward model scores: with which 0 (chosen)
 * or 1 (rejected) the prompt with that completion, with -1 the prompt's
 * messages alone (a conversation); message lists rendered with t (opt's
 * bos / eos; no generation prompt), plain pairs joined as they are. *out
 * is NUL-terminated (attn_free it). */
ATTN_API attn_status attn_chat_example_text(const attn_chat_template *t, const attn_chat_options *opt,
                                            const attn_chat_example *e, int which, char **out, size_t *len);

/* The tokens a decoder continues for prompt e (of a prompts file): a plain
 * prompt's text encoded as it is; a message list rendered with t and the
 * generation prompt (opt's bos / eos), then encoded. *ids: attn_free it;
 * ATTN_ERR_FORMAT when it encodes to no tokens. */
ATTN_API attn_status attn_chat_prompt_ids(const attn_chat_template *t, const attn_tokenizer *tok, const attn_chat_options *opt,
                                          const attn_chat_example *e, int32_t **ids, int64_t *n);

/* A conversation as training tokens: messages[0..n) rendered with t (opt's
 * bos / eos; no generation prompt) and encoded with tok as text (added
 * tokens recognised, no special tokens added: transformers'
 * apply_chat_template(tokenize=True)), into *ids and *mask (n_ids each;
 * attn_free both). mask[i] is 1 for the tokens of assistant messages and 0
 * for the rest, or 1 for all when all_tokens. An assistant message i's
 * tokens are found as TRL finds a completion's: the conversation up to i
 * rendered with the generation prompt (P) and up to and with i without it
 * (Q) are encoded, and the tokens of Q after those of P are i's (the text
 * the template puts after the message, such as an end-of-turn token,
 * included). Q's text must begin with P's and Q's tokens with P's, and the
 * whole conversation's tokens must begin with Q's; otherwise
 * ATTN_ERR_FORMAT says which message and which check failed. */
ATTN_API attn_status attn_chat_encode(const attn_chat_template *t, const attn_tokenizer *tok, const attn_chat_message *messages,
                                      size_t n, const attn_chat_options *opt, bool all_tokens, int32_t **ids, uint8_t **mask,
                                      int64_t *n_ids);

#ifdef __cplusplus
}
#endif
#endif /* ATTN_CHAT_DATA_H */
