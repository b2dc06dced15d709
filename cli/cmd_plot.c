/* attn plot — a line plot (e.g. BLEU against source-length bucket) from a
 * tab-separated table, as SVG; with --xy, an x-y plot whose first column is
 * the numeric x of every series (e.g. reward against KL). */
#include "cli.h"

#include "attn/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Splits line (modified) at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **fields, int max) {
    int n = 0;
    for (char *p = line; n < max;) {
        fields[n++] = p;
        char *t = strchr(p, '\t');
        if (!t) break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

enum { MAX_SERIES = 100, MAX_ROWS = 10000 };

/* --xy: series s's points are the rows where it has a value (values
 * series-major, n_rows per series; compacted in place). */
static attn_status plot_xy(const double *xs, double *values, int n_rows, char **names, int n_series, const char *title,
                           const char *x_title, const char *y_title, char **svg, size_t *svg_len) {
    attn_svg_series *ser = calloc((size_t)n_series, sizeof *ser);
    double *px = malloc(sizeof(double) * (size_t)n_series * (size_t)n_rows);
    attn_status st = ser && px ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    for (int s = 0; s < n_series && !st; s++) {
        double *y = values + (size_t)s * (size_t)n_rows, *x = px + (size_t)s * (size_t)n_rows;
        int64_t k = 0;
        for (int r = 0; r < n_rows; r++)
            if (!isnan(y[r])) x[k] = xs[r], y[k++] = y[r];
        ser[s] = (attn_svg_series){.name = names[s], .x = x, .y = y, .n = k, .line = true, .markers = true, .colour = s % 8,
                                   .dash = (s / 8) % 4};
    }
    if (!st) st = attn_svg_xy(ser, n_series, false, false, title, x_title, y_title, svg, svg_len);
    free(ser);
    free(px);
    return st;
}

int cmd_plot(int argc, char **argv) {
    const char *file = NULL, *svg_path = NULL, *title = NULL, *x_title = NULL, *y_title = NULL;
    bool xy = false;
    const cli_option options[] = {
        {CLI_STR("--svg", NULL, "OUT.svg", &svg_path, "the SVG file to write (atomically)")},
        {CLI_STR("--title", NULL, "T", &title, "the figure's title")},
        {CLI_STR("--x-title", NULL, "T", &x_title, "the x axis's title")},
        {CLI_STR("--y-title", NULL, "T", &y_title, "the y axis's title")},
        {CLI_FLAG("--xy", NULL, &xy,
                  "the first column is a number, each series' x: an x-y plot, each series a line with markers "
                  "through its points in the table's order (rows where it has no value left out)")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn plot FILE.tsv --svg OUT.svg [--xy] [--title T] [--x-title T] [--y-title T]",
        "Draws one line per series from a tab-separated table (stdin with -): the first row\n"
        "names the x column and then the series, each further row is an x label followed by\n"
        "one number per series (empty, \"nan\" or \"-\" for a missing point), e.g.\n\n"
        "  length\tRNNsearch-50\tRNNencdec-50\n"
        "  0-10\t21.5\t18.2\n"
        "  10-20\t20.9\t15.1",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos > 1) return cli_usage_error("one input file at most");
    if (n_pos) file = argv[1];
    if (!file || !svg_path) return cli_usage_error("needs FILE.tsv and --svg OUT.svg (see attn plot --help)");
    char *text = NULL, *svg = NULL, *fields[MAX_SERIES + 2], *names[MAX_SERIES], *labels[MAX_ROWS];
    static double xs[MAX_ROWS];
    double *values = NULL;
    size_t len = 0, svg_len = 0;
    int n_series = 0, n_rows = 0;
    attn_status st = cli_read_input(file, &text, &len);
    if (st) return cli_fail("plot", st, NULL);
    if (strlen(text) != len) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: holds a NUL byte", file);
        goto fail;
    }
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    int line_no = 1;
    if (!line) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: empty table", file);
        goto fail;
    }
    line[strcspn(line, "\r")] = 0;
    int n = split_tabs(line, fields, MAX_SERIES + 2);
    if (n < 2 || n > MAX_SERIES + 1) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s:1: the header needs an x column and 1 to %d series, tab-separated", file,
                         MAX_SERIES);
        goto fail;
    }
    n_series = n - 1;
    for (int s = 0; s < n_series; s++) names[s] = fields[s + 1];
    if (!(values = malloc(sizeof(double) * (size_t)n_series * MAX_ROWS))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        line_no++;
        line[strcspn(line, "\r")] = 0;
        if (!line[0]) continue;
        if (n_rows == MAX_ROWS) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: more than %d rows", file, MAX_ROWS);
            goto fail;
        }
        if (split_tabs(line, fields, MAX_SERIES + 2) != n_series + 1) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s:%d: expected %d tab-separated fields", file, line_no, n_series + 1);
            goto fail;
        }
        labels[n_rows] = fields[0];
        if (xy) {
            char *end;
            double x = strtod(fields[0], &end);
            if (!fields[0][0] || *end || !isfinite(x)) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s:%d: with --xy the first field must be a number, not \"%s\"", file, line_no,
                                 fields[0]);
                goto fail;
            }
            xs[n_rows] = x;
        }
        for (int s = 0; s < n_series; s++) {
            const char *f = fields[s + 1];
            char *end;
            double v = strtod(f, &end);
            if (!f[0] || !strcmp(f, "-") || !strcmp(f, "nan") || !strcmp(f, "NaN"))
                v = NAN;
            else if (*end || !isfinite(v)) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s:%d: \"%s\" is not a number", file, line_no, f);
                goto fail;
            }
            values[(size_t)s * MAX_ROWS + (size_t)n_rows] = v;
        }
        n_rows++;
    }
    if (n_rows == 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: no data rows", file);
        goto fail;
    }
    /* series-major with n_rows columns */
    for (int s = 1; s < n_series; s++)
        memmove(values + (size_t)s * (size_t)n_rows, values + (size_t)s * MAX_ROWS, (size_t)n_rows * sizeof(double));
    if (xy)
        st = plot_xy(xs, values, n_rows, names, n_series, title, x_title, y_title, &svg, &svg_len);
    else
        st = attn_svg_lines((const char *const *)labels, n_rows, (const char *const *)names, n_series, values, title, x_title,
                            y_title, &svg, &svg_len);
    if (st) goto fail;
    cli_atomic out;
    if ((st = cli_atomic_open(&out, svg_path)) != ATTN_OK) goto fail;
    fwrite(svg, 1, svg_len, out.f);
    if ((st = cli_atomic_commit(&out)) != ATTN_OK) goto fail;
    attn_free(svg);
    free(values);
    free(text);
    return 0;
fail:
    attn_free(svg);
    free(values);
    free(text);
    return cli_fail("plot", st, NULL);
}
