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
int cmd_protein(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_similar(int argc, char **argv);
int cmd_bleu(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_reward(int argc, char **argv);
int cmd_rollout(int argc, char **argv);
int cmd_align(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_gguf(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_chat_template(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_scaling(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_contacts(int argc, char **argv);
int cmd_retrieve(int argc, char **argv);
int cmd_cai(int argc, char **argv);

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

/* ---- option tables ----------------------------------------------------------
 * Each command lists its options once, as rows of cli_option ending with
 * CLI_END; cli_parse reads argv by them and cli_print_help prints --help
 * from them. Options are `--name VALUE`, `--name=VALUE` or `-x VALUE`
 * (flags: `--name`); an argument that does not start with '-' (or is "-"),
 * and every argument after `--`, is positional. Every numeric value is
 * checked against its row's range where it is read: a bad one is the
 * error "attn <command>: error: <option as typed> must be ..." (exit 2).
 * --help shows each option's default as its destination holds it before
 * parsing (or the row's `def` text where the destination holds a marker,
 * e.g. 0 for "the model's maximum"). */
typedef enum cli_type {
    CLI_T_END = 0,   /* ends a table */
    CLI_T_SECTION,   /* a heading in --help (help is its text) */
    CLI_T_FLAG,      /* bool *: set to true */
    CLI_T_STR,       /* const char **: the argument itself */
    CLI_T_LIST,      /* const char *[]: each use appends, at most ihi; *count counts them */
    CLI_T_INT,       /* int32_t or int64_t (size says; uint64_t seeds as int64_t >= 0) in [ilo, ihi] */
    CLI_T_FLOAT,     /* float or double (size says), finite, in flo..fhi with `open` ends; stored x scale */
    CLI_T_CHOICE,    /* an enum or int32_t/int64_t: the value of one of the words in choices */
    CLI_T_THREADS,   /* long long threads, 1 to attn_max_threads() (0 before: ATTN_THREADS or all cores) */
} cli_type;

typedef struct cli_choice {
    const char *word;
    int value;
} cli_choice; /* a table ends with {NULL, 0}; a word whose value an earlier one has is an alias */

typedef struct cli_option {
    const char *name;       /* "--batch" (NULL: a short name only) */
    const char *short_name; /* "-b" or NULL */
    const char *meta;       /* the value's name in --help ("N"); NULL for flags */
    cli_type type;
    void *dest;
    size_t size;            /* sizeof *dest for INT, FLOAT, CHOICE */
    long long ilo, ihi;
    double flo, fhi;
    int open;               /* CLI_MIN_OPEN | CLI_MAX_OPEN: ends excluded from flo..fhi */
    double scale;           /* FLOAT: stored value = given value x scale (0: 1), e.g. minutes -> seconds */
    const cli_choice *choices;
    int *count;             /* LIST */
    bool *set;              /* optional: set to true when the option is given */
    const char *help;
    const char *def;        /* --help's default when the destination's value is a marker; "" shows none */
} cli_option;

typedef struct cli_spec {
    const char *usage;            /* "usage: attn embed -m MODEL [FILE] [options]" (lines) */
    const char *about;            /* the paragraph under it */
    const cli_option *options;    /* ends with CLI_END */
    const char *epilog;           /* printed after the options, or NULL */
} cli_spec;

/* Rows; add `.set = &given` or `.def = "text"` after one inside its braces:
 * {CLI_INT("--warmup", NULL, "N", &p.warmup, 0, 100, "warmup steps"), .set = &warmup_set}. */
#define CLI_END {.type = CLI_T_END}
#define CLI_SECTION(title) {.type = CLI_T_SECTION, .help = (title)}
#define CLI_FLAG(l, s, d, h) .name = (l), .short_name = (s), .type = CLI_T_FLAG, .dest = (d), .help = (h)
#define CLI_STR(l, s, m, d, h) .name = (l), .short_name = (s), .meta = (m), .type = CLI_T_STR, .dest = (d), .help = (h)
#define CLI_LIST(l, s, m, d, n, max, h)                                                                        \
    .name = (l), .short_name = (s), .meta = (m), .type = CLI_T_LIST, .dest = (const char **)(d), .count = (n), \
    .ihi = (max), .help = (h)
#define CLI_INT(l, s, m, d, lo, hi, h)                                                                          \
    .name = (l), .short_name = (s), .meta = (m), .type = CLI_T_INT, .dest = (d), .size = sizeof *(d), .ilo = (lo), \
    .ihi = (hi), .help = (h)
#define CLI_FLOAT(l, s, m, d, lo, hi, op, h)                                                                      \
    .name = (l), .short_name = (s), .meta = (m), .type = CLI_T_FLOAT, .dest = (d), .size = sizeof *(d), .flo = (lo), \
    .fhi = (hi), .open = (op), .help = (h)
#define CLI_CHOICE(l, s, m, d, words, h)                                                                       \
    .name = (l), .short_name = (s), .meta = (m), .type = CLI_T_CHOICE, .dest = (d), .size = sizeof *(d),       \
    .choices = (words), .help = (h)
#define CLI_THREADS(d)                                                                                         \
    .name = "--threads", .meta = "N", .type = CLI_T_THREADS, .dest = (d), .size = sizeof(long long), \
    .help = "threads, 1 to 4 x the cores"
/* The sampling rows of attn generate and attn chat, over an attn_sampler_params
 * (generate.h; needs <float.h> and <limits.h>). */
#define CLI_SAMPLER_ROWS(sp)                                                                                  \
    {CLI_INT("--max-tokens", "-n", "N", &(sp).max_new_tokens, 0, CLI_MAX_LEN, "tokens to generate")},         \
        {CLI_FLOAT("--temperature", "-t", "X", &(sp).temperature, 0, FLT_MAX, CLI_CLOSED, "0 = greedy")},     \
        {CLI_INT("--top-k", NULL, "N", &(sp).top_k, 0, INT32_MAX, "sample among the N most likely tokens, 0 = all")}, \
        {CLI_FLOAT("--top-p", NULL, "X", &(sp).top_p, 0, 1, CLI_MIN_OPEN, "nucleus sampling mass, 1 = off")}, \
        {CLI_INT("--seed", NULL, "N", &(sp).seed, 0, LLONG_MAX, "sampling seed")}
/* --precision fp32|bf16 (f32 an alias) into an attn_precision */
extern const cli_choice cli_precisions[];
/* the same and the quantized types (inference) */
extern const cli_choice cli_inference_precisions[];

/* Parses argv[1..argc-1] by spec: the positional arguments are moved to
 * argv[1..*n_pos] in order. Returns CLI_GO_ON, or the exit status to end
 * the command with: 0 after printing --help, 2 after an error. */
enum { CLI_GO_ON = -1 };
int cli_parse(const cli_spec *spec, int argc, char **argv, int *n_pos);
void cli_print_help(const cli_spec *spec, FILE *out);
/* Edit distance (adjacent transpositions one edit) of short names, for
 * "did you mean" suggestions; (size_t)-1 past 32 characters. */
size_t cli_edit_distance(const char *a, const char *b);

/* Ends excluded from a CLI_T_FLOAT row's range. */
enum { CLI_CLOSED = 0, CLI_MIN_OPEN = 1, CLI_MAX_OPEN = 2 };
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

/* The UTF-8 character at s[0..n) (n >= 1): its length when complete and
 * valid; 0 when s ends inside a valid beginning (more bytes may complete
 * it); -1 when s[0] starts no valid character (overlong forms, surrogates
 * and code points past U+10FFFF included). */
int cli_utf8_len(const unsigned char *s, size_t n);

/* A growable byte string, always NUL-terminated after len bytes once
 * anything was added ({0} is empty; free(p) releases it). */
typedef struct cli_buf {
    char *p;
    size_t len, cap;
} cli_buf;

/* Appends s[0..n); false (b unchanged) when memory runs out. */
bool cli_buf_add(cli_buf *b, const void *s, size_t n);
/* A malloc'ed copy of the n bytes at s and a NUL (NULL: out of memory). */
char *cli_strndup(const char *s, size_t n);
/* A malloc'ed, NUL-terminated copy of s[0..n) as valid UTF-8: a byte that
 * starts no character (a NUL byte too) becomes U+FFFD, and so does a
 * character cut off at the end (NULL: out of memory). */
char *cli_utf8_valid(const char *s, size_t n);
/* A file replaced atomically: written to a unique temporary name in the
 * same directory, flushed, fsync'ed and renamed over path by commit; abort
 * (or a failed commit) removes the temporary and leaves path as it was.
 * A path that exists and is not a regular file or a directory (a terminal,
 * /dev/stdout, a pipe) is written directly instead (tmp NULL): renaming
 * over it would replace the device or pipe with a file. A symbolic link
 * (/dev/stdout redirected to a file, a link of the user's) keeps being a
 * link: its target is the file replaced. */
typedef struct cli_atomic {
    FILE *f;
    const char *path;
    char *tmp;
    char *target;   /* a link's resolved target (malloc'ed), else NULL */
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
