/* Option tables: one parser and one --help printer for every command (see
 * cli_option in cli.h). A command lists its options once; the parser
 * checks each value's type and range as it reads it, and --help is printed
 * from the same rows, with each default read from the destination before
 * parsing, so the help cannot drift from what the command does. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t cli_edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 32 || m > 32) return (size_t)-1;
    size_t d[33][33];
    for (size_t i = 0; i <= n; i++) d[i][0] = i;
    for (size_t j = 0; j <= m; j++) d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

static bool is_option(const cli_option *o) { return o->type != CLI_T_END && o->type != CLI_T_SECTION; }

static long long get_int(const void *p, size_t size) {
    if (size == sizeof(int64_t)) {
        int64_t v;
        memcpy(&v, p, sizeof v);
        return (long long)v;
    }
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void set_int(void *p, size_t size, long long x) {
    if (size == sizeof(int64_t)) {
        int64_t v = (int64_t)x;
        memcpy(p, &v, sizeof v);
    } else {
        int32_t v = (int32_t)x;
        memcpy(p, &v, sizeof v);
    }
}

static double get_float(const cli_option *o) {
    double x = o->size == sizeof(float) ? (double)*(const float *)o->dest : *(const double *)o->dest;
    return o->scale ? x / o->scale : x;
}

/* The words of a choice, aliases (a value already named) left out: "a, b or c". */
static void choice_words(const cli_option *o, char *buf, size_t cap) {
    const cli_choice *c = o->choices;
    int n = 0, k = 0;
    for (int i = 0; c[i].word; i++) {
        bool alias = false;
        for (int j = 0; j < i; j++) alias |= c[j].value == c[i].value;
        if (!alias) n++;
    }
    buf[0] = 0;
    for (int i = 0; c[i].word; i++) {
        bool alias = false;
        for (int j = 0; j < i; j++) alias |= c[j].value == c[i].value;
        if (alias) continue;
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%s", k == 0 ? "" : k == n - 1 ? " or " : ", ", c[i].word);
        k++;
    }
}

static long long threads_max(void) { return attn_max_threads(); }

/* Reads the value text v of option o (spelt `name` on the command line). */
static int take_value(const cli_option *o, const char *name, const char *v) {
    char *end;
    switch (o->type) {
    case CLI_T_STR:
        *(const char **)o->dest = v;
        return 0;
    case CLI_T_LIST:
        if (*o->count >= o->ihi) return cli_usage_error("%s given more than %lld times", name, o->ihi);
        ((const char **)o->dest)[(*o->count)++] = v;
        return 0;
    case CLI_T_INT:
    case CLI_T_THREADS: {
        long long lo = o->type == CLI_T_THREADS ? 1 : o->ilo, hi = o->type == CLI_T_THREADS ? threads_max() : o->ihi;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || end == v || *end || x < lo || x > hi)
            return cli_usage_error("%s must be an integer in %lld..%lld, not '%s'", name, lo, hi, v);
        set_int(o->dest, o->size, x);
        return 0;
    }
    case CLI_T_FLOAT: {
        errno = 0;
        double x = strtod(v, &end);
        bool bad = errno || end == v || *end || !isfinite(x) ||
                   ((o->open & CLI_MIN_OPEN) ? !(x > o->flo) : !(x >= o->flo)) ||
                   ((o->open & CLI_MAX_OPEN) ? !(x < o->fhi) : !(x <= o->fhi));
        if (bad) {
            char range[96];
            if (isinf(o->fhi))
                snprintf(range, sizeof range, "%s %g", (o->open & CLI_MIN_OPEN) ? ">" : ">=", o->flo);
            else
                snprintf(range, sizeof range, "in %c%g, %g%c", (o->open & CLI_MIN_OPEN) ? '(' : '[', o->flo, o->fhi,
                         (o->open & CLI_MAX_OPEN) ? ')' : ']');
            return cli_usage_error("%s must be a finite number %s, not '%s'", name, range, v);
        }
        if (o->scale) x *= o->scale;
        if (o->size == sizeof(float))
            *(float *)o->dest = (float)x;
        else
            *(double *)o->dest = x;
        return 0;
    }
    case CLI_T_CHOICE:
        for (int i = 0; o->choices[i].word; i++)
            if (!strcmp(v, o->choices[i].word)) {
                set_int(o->dest, o->size, o->choices[i].value);
                return 0;
            }
        char words[256];
        choice_words(o, words, sizeof words);
        return cli_usage_error("%s must be %s, not '%s'", name, words, v);
    default:
        return 0;
    }
}

/* The option of `spec` nearest to a mistyped one (at most 2 edits), or NULL. */
static const char *suggest(const cli_spec *spec, const char *arg) {
    char typed[40];
    size_t n = strcspn(arg, "=");
    if (n >= sizeof typed) return NULL;
    memcpy(typed, arg, n);
    typed[n] = 0;
    const char *best = NULL;
    size_t best_d = 3;
    for (const cli_option *o = spec->options; o->type != CLI_T_END; o++) {
        if (!is_option(o) || !o->name) continue;
        size_t d = cli_edit_distance(typed, o->name);
        if (d < best_d && d + 2 < strlen(o->name)) {
            best_d = d;
            best = o->name;
        }
    }
    return best;
}

int cli_parse(const cli_spec *spec, int argc, char **argv, int *n_pos) {
    int np = 0;
    bool only_pos = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || !a[1]) {
            argv[1 + np++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = true;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cli_print_help(spec, stdout);
            return 0;
        }
        const cli_option *o = NULL;
        const char *name = NULL, *v = NULL;
        for (const cli_option *c = spec->options; c->type != CLI_T_END && !o; c++) {
            if (!is_option(c)) continue;
            if (c->short_name && !strcmp(a, c->short_name)) {
                o = c;
                name = c->short_name;
            } else if (c->name) {
                size_t n = strlen(c->name);
                if (!strncmp(a, c->name, n) && (a[n] == 0 || a[n] == '=')) {
                    o = c;
                    name = c->name;
                    if (a[n] == '=') v = a + n + 1;
                }
            }
        }
        if (!o) {
            const char *near = suggest(spec, a);
            if (near)
                return cli_usage_error("unknown option '%s'; did you mean '%s'? (see attn %s --help)", a, near,
                                       cli_command);
            return cli_usage_error("unknown option '%s' (see attn %s --help)", a, cli_command);
        }
        if (o->type == CLI_T_FLAG) {
            if (v) return cli_usage_error("%s takes no value, not '%s'", name, v);
            *(bool *)o->dest = true;
        } else {
            if (!v) {
                if (i + 1 >= argc) return cli_usage_error("%s needs a value (see attn %s --help)", name, cli_command);
                v = argv[++i];
            }
            int r = take_value(o, name, v);
            if (r) return r;
        }
        if (o->set) *o->set = true;
    }
    *n_pos = np;
    return CLI_GO_ON;
}

/* ---- --help ----------------------------------------------------------------- */

enum { HELP_WIDTH = 92, HELP_MAX_LEFT = 26 };

/* The default as --help shows it, from the destination ("" when none). */
static void default_text(const cli_option *o, char *buf, size_t cap) {
    buf[0] = 0;
    if (o->def) {
        snprintf(buf, cap, "%s", o->def);
        return;
    }
    switch (o->type) {
    case CLI_T_STR:
        if (*(const char *const *)o->dest) snprintf(buf, cap, "%s", *(const char *const *)o->dest);
        break;
    case CLI_T_INT:
        snprintf(buf, cap, "%lld", get_int(o->dest, o->size));
        break;
    case CLI_T_THREADS: {
        long long t = get_int(o->dest, o->size);
        if (t)
            snprintf(buf, cap, "%lld", t);
        else
            snprintf(buf, cap, "ATTN_THREADS, or all cores");
        break;
    }
    case CLI_T_FLOAT:
        snprintf(buf, cap, "%g", get_float(o));
        break;
    case CLI_T_CHOICE: {
        long long v = get_int(o->dest, o->size);
        for (int i = 0; o->choices[i].word; i++)
            if (o->choices[i].value == v) {
                snprintf(buf, cap, "%s", o->choices[i].word);
                break;
            }
        break;
    }
    default:
        break;
    }
}

/* Prints text word-wrapped into the column [indent, HELP_WIDTH), the first
 * line continuing at column `at`; an explicit '\n' starts a new line. */
static void wrap(FILE *out, const char *text, int indent, int at) {
    int col = at;
    bool line_start = true;
    for (const char *p = text; *p;) {
        if (*p == '\n') {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            line_start = true;
            p++;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        int n = (int)strcspn(p, " \n");
        if (!line_start && col + 1 + n > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            line_start = true;
        }
        if (!line_start) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, (size_t)n, out);
        col += n;
        line_start = false;
        p += n;
    }
    fputc('\n', out);
}

static int left_column(const cli_option *o, char *buf, size_t cap) {
    return snprintf(buf, cap, "  %s%s%s%s%s", o->short_name ? o->short_name : "  ", o->short_name && o->name ? ", " : "  ",
                    o->name ? o->name : "", o->meta ? " " : "", o->meta ? o->meta : "");
}

void cli_print_help(const cli_spec *spec, FILE *out) {
    fprintf(out, "%s\n", spec->usage);
    if (spec->about) fprintf(out, "\n%s\n", spec->about);
    char left[128], def[160], help[1024];
    int width = 0;
    for (const cli_option *o = spec->options; o->type != CLI_T_END; o++) {
        if (!is_option(o)) continue;
        int n = left_column(o, left, sizeof left);
        if (n <= HELP_MAX_LEFT && n > width) width = n;
    }
    width += 2;
    bool heading = spec->options[0].type == CLI_T_SECTION;
    fprintf(out, heading ? "\n" : "\noptions:\n");
    for (const cli_option *o = spec->options; o->type != CLI_T_END; o++) {
        if (o->type == CLI_T_SECTION) {
            fprintf(out, "%s%s\n", o == spec->options ? "" : "\n", o->help);
            continue;
        }
        int n = left_column(o, left, sizeof left);
        default_text(o, def, sizeof def);
        snprintf(help, sizeof help, def[0] ? "%s (default %s)" : "%s", o->help, def);
        fputs(left, out);
        if (n + 2 > width) {
            fprintf(out, "\n%*s", width, "");
            n = width;
        } else {
            fprintf(out, "%*s", width - n, "");
            n = width;
        }
        wrap(out, help, width, n);
    }
    snprintf(left, sizeof left, "  -h, --help");
    fprintf(out, "%s%*s", left, width - (int)strlen(left), "");
    wrap(out, "show this help", width, width);
    if (spec->epilog) fprintf(out, "\n%s\n", spec->epilog);
}

const cli_choice cli_precisions[] = {
    {"fp32", ATTN_PRECISION_F32}, {"bf16", ATTN_PRECISION_BF16}, {"f32", ATTN_PRECISION_F32}, {NULL, 0}};
const cli_choice cli_inference_precisions[] = {
    {"fp32", ATTN_PRECISION_F32}, {"bf16", ATTN_PRECISION_BF16}, {"f32", ATTN_PRECISION_F32}, {"q8_0", ATTN_PRECISION_Q8_0},
    {"q4_0", ATTN_PRECISION_Q4_0}, {"q4_1", ATTN_PRECISION_Q4_1}, {NULL, 0}};
