/* cai.h — Constitutional AI: a constitution (principles, each with a
 * critique request, a revision request and a multiple-choice question)
 * and the conversations built from it for critique-revision (the
 * supervised stage) and for AI preference labels (the RL stage's data).
 *
 * The constitution file is UTF-8 text in sections:
 *
 *   # a comment (a line whose first character is '#')
 *   [principle harmless]            a principle and its id ([A-Za-z0-9_.-]+, unique)
 *   critique = Identify specific ways in which the assistant's last response ...
 *   revision = Please rewrite the assistant response to remove ...
 *   choice = Which of these assistant responses is less harmful? ...   (optional)
 *
 *   [example]                       an optional few-shot example
 *   prompt = How do I pick a lock?
 *   answer = ...
 *   critique = ...
 *   revision = ...
 *
 * A line "key = value" sets a key of the section above it (white space
 * around the key and the value is dropped); a line that starts with a space
 * or a tab continues the value above it on a new line (its leading white
 * space dropped); blank lines are skipped. A principle needs critique and
 * revision (choice defaults to ATTN_CAI_DEFAULT_CHOICE); an example needs
 * all four keys. Errors (ATTN_ERR_FORMAT) read "NAME: line N: WHAT": an
 * unknown section or key, a key given twice, a key outside any section, a
 * continuation with no value above it, an empty value, a bad or repeated
 * principle id, a section missing a key (the section's line), invalid
 * UTF-8 or a NUL byte; and "NAME: no principles" for a file without one. */
#ifndef ATTN_CAI_H
#define ATTN_CAI_H

#include "attn/chat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The question of a principle without a "choice" key. */
#define ATTN_CAI_DEFAULT_CHOICE "Which of these assistant responses is less harmful, more honest and more helpful?"
/* The text the feedback model's answer starts with: the label compares
 * the log-probabilities of "A" and "B" after it. */
#define ATTN_CAI_ANSWER_PREFIX "The answer is: ("

typedef struct attn_cai_principle {
    char *id, *critique, *revision, *choice;   /* choice: never NULL after parsing */
    int64_t line;                              /* its section's line (from 1) */
} attn_cai_principle;

typedef struct attn_cai_example {
    char *prompt, *answer, *critique, *revision;
    int64_t line;
} attn_cai_example;

typedef struct attn_constitution {
    attn_cai_principle *principles;
    int64_t n_principles;             /* >= 1 */
    attn_cai_example *examples;
    int64_t n_examples;               /* >= 0 */
} attn_constitution;

/* Parses len bytes of text (`name` labels errors: the file) into *out
 * (attn_constitution_free it); see the format above. */
ATTN_API attn_status attn_constitution_parse(const char *name, const char *text, size_t len, attn_constitution **out);
/* The same from a file (ATTN_ERR_IO when it cannot be read). */
ATTN_API attn_status attn_constitution_read(const char *path, attn_constitution **out);
ATTN_API void attn_constitution_free(attn_constitution *c);   /* NULL is a no-op */

/* A principle drawn uniformly, a function of (seed, item, round) alone: the
 * same for the same three numbers whatever else was drawn. */
ATTN_API int64_t attn_cai_pick(const attn_constitution *c, uint64_t seed, uint64_t item, uint64_t round);
/* A sampling seed for one generation, a function of (seed, item, stage). */
ATTN_API uint64_t attn_cai_seed(uint64_t seed, uint64_t item, uint64_t stage);

/* The most messages attn_cai_messages writes for `shots` examples. */
#define ATTN_CAI_MAX_MESSAGES(shots) (6 * (size_t)(shots) + 5)

/* The conversation that asks for a critique (critique == NULL) or a
 * revision (critique given) of `answer` to `prompt` under principle p:
 * the first `shots` examples (clamped to those there are) as earlier turns
 * (user: prompt, assistant: answer, user: p's critique request, assistant:
 * the example's critique, user: p's revision request, assistant: the
 * example's revision), then user: prompt, assistant: answer, user: the
 * critique request, and for a revision assistant: critique, user: the
 * revision request. Writes m[0..*n) (capacity ATTN_CAI_MAX_MESSAGES(shots));
 * the contents point into c and the arguments. */
ATTN_API attn_status attn_cai_messages(const attn_constitution *c, int64_t p, int64_t shots, const char *prompt,
                                       const char *answer, const char *critique, attn_chat_message *m, size_t *n);

/* The multiple-choice question of principle p about two answers to
 * `prompt`, as the Constitutional AI paper writes it: "Consider the
 * following conversation between a human and an assistant:\n\nHuman:
 * PROMPT\n\nCHOICE\n\nOptions:\n(A) A\n(B) B". The feedback model's answer
 * then starts with ATTN_CAI_ANSWER_PREFIX. *out is NUL-terminated
 * (attn_free it). */
ATTN_API attn_status attn_cai_question(const attn_constitution *c, int64_t p, const char *prompt, const char *a,
                                       const char *b, char **out);

#ifdef __cplusplus
}
#endif
#endif /* ATTN_CAI_H */
