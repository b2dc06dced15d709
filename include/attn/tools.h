/* tools.h — tools a chat model calls: BM25 retrieval over a folder of text
 * files, a calculator, and the tool-call format of a model's turn.
 *
 * The format (Hermes / Qwen 2.5 style): the assistant's turn writes
 *
 *     <tool_call>
 *     {"name": "calculator", "arguments": {"expression": "12*34"}}
 *     </tool_call>
 *
 * (one or more such blocks, after any text), the caller runs each call and
 * adds its result as a message with role "tool", and the model goes on.
 * Templates that handle `tools` themselves (Qwen's) get the tool list as
 * their `tools` variable; for the others the list and this format are
 * described in the system message. A template that drops or refuses "tool"
 * messages gets each result as a user message wrapped in
 * <tool_response>...</tool_response>. */
#ifndef ATTN_TOOLS_H
#define ATTN_TOOLS_H

#include "attn/attn.h"
#include "attn/chat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- BM25 retrieval ---------------------------------------------------------
 * Okapi BM25 with k1 = 1.2, b = 0.75 and the non-negative idf
 * log(1 + (N - n + 0.5) / (n + 0.5)) (N passages, n of them holding the
 * term): score(q, p) = sum over the distinct words t of q of
 * idf(t) * tf (k1 + 1) / (tf + k1 (1 - b + b |p| / avg |p|)), tf the count of
 * t in p and |p| p's length in words.
 * Words: maximal runs of Unicode letters, marks and digits (utf8proc's
 * categories L*, M*, N*), each code point lower-cased (utf8proc_tolower);
 * everything else separates words ("don't" is "don" and "t").
 * Passages: paragraphs (lines up to a blank line); a paragraph longer than
 * ATTN_BM25_WINDOW words is cut into windows of that many words. */
#define ATTN_BM25_K1 1.2
#define ATTN_BM25_B 0.75
#define ATTN_BM25_WINDOW 120

typedef struct attn_bm25 attn_bm25;

typedef struct attn_bm25_passage {
    const char *file;   /* the name the document was added under */
    int64_t line;       /* 1-based line of the passage's first word */
    const char *text;   /* the passage's bytes in the document (not NUL-terminated) */
    size_t len;
    int64_t words;
} attn_bm25_passage;

typedef struct attn_bm25_hit {
    int64_t passage;    /* index for attn_bm25_get */
    double score;
} attn_bm25_hit;

/* An empty index; attn_bm25_free(NULL) is a no-op. */
ATTN_API attn_status attn_bm25_new(attn_bm25 **out);
ATTN_API void attn_bm25_free(attn_bm25 *ix);
/* Adds a document (UTF-8 text, copied) under a name, cut into passages. */
ATTN_API attn_status attn_bm25_add(attn_bm25 *ix, const char *name, const char *text, size_t len);
/* Adds every regular file under dir (recursively, in name order) whose name
 * ends in .txt or .md, named by its path (dir joined with the file's path in
 * it). A file that is not UTF-8 text is an error naming it; a folder with
 * no such file is an error. */
ATTN_API attn_status attn_bm25_add_dir(attn_bm25 *ix, const char *dir);
/* Passages and distinct words so far. */
ATTN_API int64_t attn_bm25_passages(const attn_bm25 *ix);
ATTN_API int64_t attn_bm25_terms(const attn_bm25 *ix);
ATTN_API attn_status attn_bm25_get(const attn_bm25 *ix, int64_t passage, attn_bm25_passage *out);
/* The k best passages for a query, best first (equal scores: the earlier
 * passage first), only passages scoring above 0: *n_hits <= k. hits holds k.
 * The first search after an add builds the postings; searches that follow
 * read the index only (threads may share it once it is built:
 * attn_bm25_build does that up front). */
ATTN_API attn_status attn_bm25_build(attn_bm25 *ix);
ATTN_API attn_status attn_bm25_search(attn_bm25 *ix, const char *query, size_t len, int64_t k,
                                      attn_bm25_hit *hits, int64_t *n_hits);
/* The words of text as attn_bm25 sees them, each followed by '\n' (attn_free it). */
ATTN_API attn_status attn_bm25_words(const char *text, size_t len, char **out, size_t *out_len);

/* ---- the calculator ---------------------------------------------------------
 * Arithmetic on decimal numbers: + - * / % (C's fmod: the sign of the
 * dividend), ^ or ** (power, right-associative, above unary minus: -2^2 is
 * -4), unary + and -, parentheses, white space. Double precision: integer
 * results are exact while every value stays within 2^53. Division or % by
 * zero, 0 to a negative power, a non-real power, a result beyond double's
 * range, nesting past ATTN_CALC_MAX_DEPTH and malformed input are errors
 * (ATTN_ERR_INVALID_ARG with a message naming the byte offset or the
 * cause). */
#define ATTN_CALC_MAX_DEPTH 256
#define ATTN_CALC_MAX_LEN 4096
ATTN_API attn_status attn_calc(const char *expr, size_t len, double *value);
/* value as text: an integer without a point while |value| <= 2^53, else 15
 * significant digits (%.15g). buf holds 32 bytes. */
ATTN_API void attn_calc_format(double value, char buf[32]);

/* ---- tool calls -------------------------------------------------------------- */
typedef struct attn_tool_call {
    char *name;        /* attn_free each */
    char *arguments;   /* the arguments object as compact JSON text */
} attn_tool_call;

/* The tool calls in a model's turn: every <tool_call>{...}</tool_call>
 * block, whose JSON is an object with a string "name" and an "arguments"
 * object (or a string holding one, as OpenAI's API sends it; missing: {}).
 * *content_len is the length of the text before the first block (trailing
 * white space dropped): what the turn said besides its calls. No block: 0
 * calls, *content_len = len. A block that is not closed or whose JSON is not
 * such an object is ATTN_ERR_FORMAT naming it. Free with attn_tool_calls_free. */
ATTN_API attn_status attn_tool_calls_parse(const char *text, size_t len, attn_tool_call **calls, size_t *n_calls,
                                           size_t *content_len);
ATTN_API void attn_tool_calls_free(attn_tool_call *calls, size_t n);

/* The built-in tools: "calculator" ({"expression": "..."}) and "retrieve"
 * ({"query": "...", "k": N} over an index). */
enum { ATTN_TOOL_CALCULATOR = 1, ATTN_TOOL_RETRIEVE = 2 };
/* Their definitions as OpenAI's `tools` array (JSON text; attn_free it). */
ATTN_API attn_status attn_tools_json(int tools, char **out);
/* Runs one call of a built-in tool: *result (attn_free it) is the text the
 * tool message carries: the calculator's value or "error: ..."; for
 * retrieve, up to k (default 3, at most 10) passages, each as
 * "[FILE:LINE] text" (cut after ATTN_TOOL_PASSAGE_BYTES), or "no passage
 * matches". A call the tool cannot take (unknown name, a tool not enabled,
 * bad arguments) is a result "error: ..." too, so the model sees it;
 * the status is for failures of attn itself (memory). ix may be NULL
 * without retrieve. */
#define ATTN_TOOL_PASSAGE_BYTES 600
ATTN_API attn_status attn_tool_run(int tools, attn_bm25 *ix, const attn_tool_call *call, char **result);

/* Renders a conversation with tools: messages is a cJSON array of OpenAI
 * chat messages (role, content a string or null, an assistant's
 * "tool_calls" [{"function": {"name", "arguments"}}], a tool message's
 * content), tools an OpenAI tools array or NULL. An assistant's tool_calls
 * are written into its content in the format above; the tool list reaches
 * the template as `tools` when the template uses it, else it and the format
 * are described in the system message (added, or put before the given
 * one); tool messages as role "tool", or as user messages wrapped in
 * <tool_response> for a template without them. */
struct cJSON;
ATTN_API attn_status attn_chat_render_tools(const attn_chat_template *t, const struct cJSON *messages,
                                            const struct cJSON *tools, const attn_chat_options *opt, char **out,
                                            size_t *out_len);

/* An assistant message's content with its OpenAI "tool_calls" written in
 * as attn_chat_render_tools writes them (content may be NULL or "";
 * calls NULL or an empty array: the content alone), attn_malloc'd. A call
 * without a string "name" and object "arguments" (or a string holding
 * one) is ATTN_ERR_INVALID_ARG. */
ATTN_API attn_status attn_tool_calls_text(const char *content, const struct cJSON *calls, char **out, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* ATTN_TOOLS_H */
