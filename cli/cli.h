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

/* The command being run ("train", "tokenizer train"), named by messages. */
extern const char *cli_command;

/* Prints "attn <cmd>: error: <message>" to stderr, using attn_last_error()
 * when msg is NULL, and returns 1 (the exit status for every failure). */
int cli_fail(const char *cmd, attn_status st, const char *msg);
/* Prints "attn <cli_command>: error: <printf message>" and returns 2, the
 * exit status for bad usage (options, their values, missing arguments). */
int cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Option parsing: `--name VALUE` / `--name=VALUE` / `-x VALUE`. Each returns
 * 1 if argv[*i] matched (advancing *i past the value), 0 if it did not,
 * -1 on a missing or malformed value (an error naming the option as typed
 * has been printed; exit with status 2). Every numeric option is parsed
 * with its allowed range: an integer in [min, max]; a finite number in
 * [min, max], with the ends excluded as `open` says (max = INFINITY for no
 * upper bound). */
enum { CLI_CLOSED = 0, CLI_MIN_OPEN = 1, CLI_MAX_OPEN = 2 };
int cli_opt_str(int argc, char **argv, int *i, const char *long_name, const char *short_name, const char **out);
int cli_opt_int_range(int argc, char **argv, int *i, const char *long_name, const char *short_name, long long min,
                      long long max, long long *out);
int cli_opt_float_range(int argc, char **argv, int *i, const char *long_name, const char *short_name, double min,
                        double max, int open, double *out);
int cli_opt_flag(char **argv, int i, const char *long_name, const char *short_name);
/* `--precision fp32|bf16`, same return convention. */
int cli_opt_precision(int argc, char **argv, int *i, attn_precision *out);
/* `--threads N`, N in 1..attn_max_threads() (4 x the cores). */
int cli_opt_threads(int argc, char **argv, int *i, long long *out);
/* attn_set_threads(threads) (0: ATTN_THREADS or all cores); returns 0, or
 * 2 after printing the error (e.g. ATTN_THREADS out of range). */
int cli_set_threads(long long threads);

/* Upper bounds shared by the options: far above any run on one machine,
 * and low enough that every product of them the library forms (step x
 * accumulation x batch for a batch's seed; batch x context x width for a
 * buffer's bytes) stays far from int64 overflow. */
#define CLI_MAX_BATCH 65536LL            /* sequences or lines per batch */
#define CLI_MAX_ACCUM 4096LL             /* micro-batches per step */
#define CLI_MAX_LEN (1LL << 20)          /* tokens in one sequence */
#define CLI_MAX_STEPS 1000000000LL       /* steps, step intervals, batches */

/* Reads a whole file (stdin for NULL or "-") into a NUL-terminated buffer;
 * free() it. A directory is an error naming it; standard input on a
 * terminal gets a note on stderr first (end the text with Ctrl-D). */
attn_status cli_read_input(const char *path, char **out, size_t *len);
/* Flushes stdout and reports any write error on it so far ("writing
 * standard output: No space left on device"). */
attn_status cli_stdout_check(void);
/* A file replaced atomically: written to a unique temporary name in the
 * same directory, flushed, fsync'ed and renamed over path by commit; abort
 * (or a failed commit) removes the temporary and leaves path as it was. */
typedef struct cli_atomic {
    FILE *f;
    const char *path;
    char *tmp;
} cli_atomic;
attn_status cli_atomic_open(cli_atomic *af, const char *path);
attn_status cli_atomic_commit(cli_atomic *af);
void cli_atomic_abort(cli_atomic *af);
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

/* Progress on stderr (progress.c): on a terminal a line rewritten in place
 * at most every second, elsewhere a full line at most every 10 s (the
 * testing hook ATTN_PROGRESS_INTERVAL_MS=n sets both to n ms). Start, then
 * print when due; end clears a terminal's line. */
typedef struct cli_progress {
    bool tty, shown;
    double t0, last, every;  /* seconds (cli_now_s) */
} cli_progress;
double cli_now_s(void);                       /* a monotonic clock, seconds */
double cli_progress_interval_s(bool tty);     /* the rule's interval */
void cli_progress_start(cli_progress *p);
bool cli_progress_due(cli_progress *p);       /* an interval has passed since the last report (then counts one) */
void cli_progress_print(cli_progress *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void cli_progress_end(cli_progress *p);

/* Parses whitespace- or comma-separated non-negative token ids; attn_free() *out. */
attn_status cli_parse_ids(const char *s, int32_t **out, int64_t *n);

#endif
