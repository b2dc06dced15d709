/* cli.h — shared helpers of the attn command-line tool. Only this layer
 * prints and exits; it uses nothing but the public headers in include/. */
#ifndef ATTN_CLI_H
#define ATTN_CLI_H

#include "attn/attn.h"
#include "attn/model.h"
#include "attn/tokenizer.h"

#include <stdio.h>

/* Each subcommand: argv[0] is the subcommand name; returns the exit status. */
int cmd_prepare(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_tokenizer(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_similar(int argc, char **argv);
int cmd_bleu(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_align(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_translate(int argc, char **argv);

/* Prints "attn <cmd>: error: <message>" to stderr, using attn_last_error()
 * when msg is NULL, and returns 1 (the exit status for every failure). */
int cli_fail(const char *cmd, attn_status st, const char *msg);

/* Option parsing: `--name VALUE` / `--name=VALUE` / `-x VALUE`. Each returns
 * 1 if argv[*i] matched (advancing *i past the value), 0 if it did not,
 * -1 on a missing or malformed value (an error has been printed). */
int cli_opt_str(int argc, char **argv, int *i, const char *long_name, const char *short_name, const char **out);
int cli_opt_int(int argc, char **argv, int *i, const char *long_name, const char *short_name, long long *out);
int cli_opt_float(int argc, char **argv, int *i, const char *long_name, const char *short_name, double *out);
int cli_opt_flag(char **argv, int i, const char *long_name, const char *short_name);
/* `--precision fp32|bf16`, same return convention. */
int cli_opt_precision(int argc, char **argv, int *i, attn_precision *out);

/* Reads a whole file (stdin for NULL or "-") into a NUL-terminated buffer;
 * free() it. */
attn_status cli_read_input(const char *path, char **out, size_t *len);
/* cli_read_input for text a model reads (tokenize, score, embed, classify,
 * translate, align): text that is not UTF-8 without NUL bytes is an error
 * naming the file, line and byte offset (attn_text_check). bleu and plot
 * read their reports with cli_read_input and show a bad byte as U+FFFD. */
attn_status cli_read_text(const char *path, char **out, size_t *len);
/* Lines of a text: s[i] points into the text (NUL-terminated in place),
 * len[i] its bytes. Split at '\n'; a final newline ends the last line;
 * a '\r' before a newline is dropped. free() s and len. */
typedef struct cli_lines {
    char **s;
    size_t *len;
    int64_t n;
} cli_lines;
attn_status cli_split_lines(char *text, size_t len, cli_lines *out);

/* Says once on stderr ("attn CMD: warning: ...") how many characters tok has
 * met outside its vocabulary since its unknown count was `before`
 * (attn_tokenizer_unknown_count); nothing when none. */
void cli_warn_unknown(const char *cmd, const attn_tokenizer *tok, int64_t before);

/* Parses whitespace- or comma-separated non-negative token ids; attn_free() *out. */
attn_status cli_parse_ids(const char *s, int32_t **out, int64_t *n);

#endif
