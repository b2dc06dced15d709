/* svg.c — the SVG figures of include/attn/plot.h: an alignment heatmap,
 * a line plot and an x-y plot (linear or log axes). Text is written into one growing buffer; every label passes
 * through xml_text(), which escapes XML's special characters and repairs
 * what XML cannot hold (invalid UTF-8, control characters). Sizes come from
 * an estimate of text widths (7 px per character at 12 px), which is what
 * keeps long words from overlapping the grid without a font engine. */
#include "attn/plot.h"
#include "core/core.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* ---- a growing text buffer ------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_reserve(sbuf *b, size_t extra) {
    if (b->oom || b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = attn_realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return;
    }
    b->p = p;
    b->cap = cap;
}

/* A string literal, its length from sizeof. */
#define sb_lit(b, lit) sb_add((b), (lit), sizeof(lit) - 1)

static void sb_add(sbuf *b, const char *s, size_t n) {
    sb_reserve(b, n);
    if (b->oom) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

__attribute__((format(printf, 2, 3))) static void sb_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        sb_add(b, small, (size_t)n);
        return;
    }
    sb_reserve(b, (size_t)n);
    if (b->oom) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* s as XML character data / attribute text; returns its width in characters. */
static int64_t xml_text(sbuf *b, const char *s) {
    int64_t chars = 0;
    size_t n = s ? strlen(s) : 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        int k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        chars++;
        if (k <= 0) {
            sb_lit(b, "\xEF\xBF\xBD"); /* U+FFFD for an invalid byte */
            i++;
            continue;
        }
        if (c == '&')
            sb_lit(b, "&amp;");
        else if (c == '<')
            sb_lit(b, "&lt;");
        else if (c == '>')
            sb_lit(b, "&gt;");
        else if (c == '"')
            sb_lit(b, "&quot;");
        else if (c == '\'')
            sb_lit(b, "&apos;");
        else if (cp < 0x20 || cp == 0x7f || cp == 0xfffe || cp == 0xffff)
            sb_lit(b, " "); /* not allowed in XML 1.0 (tab/newline would be, but break layout) */
        else
            sb_add(b, s + i, (size_t)k);
        i += (size_t)k;
    }
    return chars;
}

/* The y axis' title beside the plot (rotated), the end of the y axis'
 * group and the start of the x axis'. */
static void y_title_then_x_axis(sbuf *b, const char *y_title, double top, double plot_h) {
    if (y_title && y_title[0]) {
        double x = 18, y = top + plot_h / 2;
        sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">",
                  x, y, x, y);
        xml_text(b, y_title);
        sb_lit(b, "</text>\n");
    }
    sb_lit(b, "</g>\n<g id=\"x-axis\">\n");
}

/* The x axis' title under the plot, the end of the axes' group and the
 * plot area's frame. */
static void x_title_and_frame(sbuf *b, const char *x_title, double left, double top, double plot_w, double plot_h) {
    if (x_title && x_title[0]) {
        sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\">", left + plot_w / 2,
                  top + plot_h + 44);
        xml_text(b, x_title);
        sb_lit(b, "</text>\n");
    }
    sb_printf(b, "</g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n", left,
              top, plot_w, plot_h);
}

static int64_t text_chars(const char *s) {
    sbuf scratch = {0};
    int64_t n = xml_text(&scratch, s);
    attn_free(scratch.p);
    return n;
}

static int64_t max_chars(const char *const *words, int64_t n) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t c = text_chars(words[i]);
        m = c > m ? c : m;
    }
    return m;
}

static attn_status finish(sbuf *b, char **out, size_t *out_len) {
    if (b->oom || !b->p) {
        attn_free(b->p);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory writing an SVG figure");
    }
    *out = b->p;
    if (out_len) *out_len = b->len;
    return ATTN_OK;
}

static void svg_open(sbuf *b, double w, double h) {
    sb_printf(b,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
              "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"12\">\n"
              "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
              w, h, w, h);
}

static void svg_title(sbuf *b, const char *title, double x, double y) {
    if (!title || !title[0]) return;
    sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"15\" font-weight=\"bold\" text-anchor=\"middle\">", x, y);
    xml_text(b, title);
    sb_lit(b, "</text>\n");
}

/* ---- alignment heatmap ---------------------------------------------------- */

enum { CELL = 26, CHAR_W = 7, PAD = 12 };

attn_status attn_svg_alignment(const char *const *src_words, int64_t n_src, const char *const *tgt_words,
                               int64_t n_tgt, const float *weights, const char *title, char **out, size_t *out_len) {
    *out = NULL;
    if (n_src < 1 || n_tgt < 1 || !src_words || !tgt_words || !weights)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "alignment figure: needs at least one source and one target word");
    if (n_src > 100000 || n_tgt > 100000) return attn_errorf(ATTN_ERR_INVALID_ARG, "alignment figure: too many words");
    double title_h = title && title[0] ? 30 : 0;
    double left = PAD + (double)(max_chars(tgt_words, n_tgt) * CHAR_W) + 8;
    /* source labels rotated -60 degrees: their height is ~ sin(60) of their length */
    double top = title_h + PAD + (double)max_chars(src_words, n_src) * CHAR_W * 0.87 + 12;
    double grid_w = (double)(n_src * CELL), grid_h = (double)(n_tgt * CELL);
    double bar_x = left + grid_w + 24, bar_w = 16, bar_h = grid_h < 120 ? 120 : grid_h;
    double width = bar_x + bar_w + 40 + PAD;
    double height = top + (grid_h > bar_h ? grid_h : bar_h) + PAD + 6;
    double min_w = (double)text_chars(title) * 8.5 + 2 * PAD;
    if (width < min_w) width = min_w;
    sbuf b = {0};
    svg_open(&b, width, height);
    svg_title(&b, title, width / 2, 20);
    sb_lit(&b, "<g id=\"source-words\">\n");
    for (int64_t j = 0; j < n_src; j++) {
        double x = left + (double)j * CELL + CELL / 2.0 + 4, y = top - 6;
        sb_printf(&b, "<text x=\"%.1f\" y=\"%.1f\" transform=\"rotate(-60 %.1f %.1f)\">", x, y, x, y);
        xml_text(&b, src_words[j]);
        sb_lit(&b, "</text>\n");
    }
    sb_lit(&b, "</g>\n<g id=\"target-words\">\n");
    for (int64_t i = 0; i < n_tgt; i++) {
        sb_printf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 6, top + (double)i * CELL + CELL / 2.0 + 4);
        xml_text(&b, tgt_words[i]);
        sb_lit(&b, "</text>\n");
    }
    sb_lit(&b, "</g>\n<g id=\"weights\" stroke=\"#cccccc\" stroke-width=\"0.5\">\n");
    for (int64_t i = 0; i < n_tgt; i++)
        for (int64_t j = 0; j < n_src; j++) {
            float w = weights[i * n_src + j];
            w = w > 0.0f ? (w < 1.0f ? w : 1.0f) : 0.0f; /* NaN -> 0 */
            int shade = (int)lround(255.0 * (1.0 - (double)w));
            sb_printf(&b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\"><title>",
                      left + (double)(j * CELL), top + (double)(i * CELL), CELL, CELL, shade, shade, shade);
            xml_text(&b, src_words[j]);
            sb_lit(&b, " / ");
            xml_text(&b, tgt_words[i]);
            sb_printf(&b, ": %.3f</title></rect>\n", (double)w);
        }
    sb_printf(&b, "</g>\n<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"black\"/>\n", left,
              top, grid_w, grid_h);
    /* colour bar: black (1) at the top, white (0) at the bottom */
    sb_printf(&b,
              "<defs><linearGradient id=\"weight-scale\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
              "<stop offset=\"0\" stop-color=\"black\"/><stop offset=\"1\" stop-color=\"white\"/>"
              "</linearGradient></defs>\n"
              "<g id=\"legend\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"url(#weight-scale)\" "
              "stroke=\"black\"/>\n",
              bar_x, top, bar_w, bar_h);
    static const double ticks[3] = {1.0, 0.5, 0.0};
    for (int t = 0; t < 3; t++) {
        double y = top + (1.0 - ticks[t]) * bar_h;
        sb_printf(&b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\">%.1f</text>\n",
                  bar_x + bar_w, y, bar_x + bar_w + 4, y, bar_x + bar_w + 7, y + 4, ticks[t]);
    }
    sb_lit(&b, "</g>\n</svg>\n");
    return finish(&b, out, out_len);
}

/* ---- line plot ------------------------------------------------------------ */

/* The smallest "round" number (1, 2, 2.5, 5 times a power of ten) >= x. */
static double nice_ceiling(double x) {
    if (!(x > 0)) return 1;
    double p = pow(10.0, floor(log10(x)));
    static const double steps[5] = {1, 2, 2.5, 5, 10};
    for (int i = 0; i < 5; i++)
        if (steps[i] * p >= x * (1 - 1e-12)) return steps[i] * p;
    return 10 * p;
}

static void marker(sbuf *b, int kind, double x, double y, const char *colour) {
    switch (kind % 4) {
    case 0: sb_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", x, y, colour); break;
    case 1: sb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\"/>\n", x - 3.5, y - 3.5, colour); break;
    case 2:
        sb_printf(b, "<path d=\"M%.1f %.1fl4.5 7.5h-9z\" fill=\"%s\"/>\n", x, y - 4.5, colour);
        break;
    default:
        sb_printf(b, "<path d=\"M%.1f %.1fl4.5 4.5l-4.5 4.5l-4.5 -4.5z\" fill=\"white\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
                  x, y - 4.5, colour);
    }
}

attn_status attn_svg_lines(const char *const *x_labels, int64_t n_x, const char *const *series_names, int64_t n_series,
                           const double *values, const char *title, const char *x_title, const char *y_title,
                           char **out, size_t *out_len) {
    *out = NULL;
    if (n_x < 1 || n_series < 1 || !x_labels || !series_names || !values)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "line plot: needs at least one x value and one series");
    if (n_x > 10000 || n_series > 100) return attn_errorf(ATTN_ERR_INVALID_ARG, "line plot: too many points or series");
    static const char *const colours[8] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                           "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    static const char *const dashes[4] = {"", "6,3", "2,3", "8,3,2,3"};
    double ymax = 0;
    for (int64_t i = 0; i < n_x * n_series; i++)
        if (isfinite(values[i]) && values[i] > ymax) ymax = values[i];
    ymax = nice_ceiling(ymax);
    double title_h = title && title[0] ? 30 : 8;
    double legend_w = (double)max_chars(series_names, n_series) * CHAR_W + 50;
    double xlab = (double)max_chars(x_labels, n_x) * CHAR_W;
    double step = xlab + 14 > 60 ? xlab + 14 : 60;
    double left = 70, top = title_h + 12, plot_w = step * (double)n_x, plot_h = 300;
    /* wide enough for the axis title (13 px text) under the plot and the
     * title (15 px bold) over the whole figure */
    double x_title_w = x_title ? (double)text_chars(x_title) * CHAR_W * 13.0 / 12.0 + 20 : 0;
    if (plot_w < x_title_w) {
        plot_w = x_title_w;
        step = plot_w / (double)n_x;
    }
    double width = left + plot_w + 24 + legend_w + PAD, height = top + plot_h + 62;
    double title_w = title ? (double)text_chars(title) * 8.5 + 2 * PAD : 0;
    if (width < title_w) width = title_w;
    sbuf b = {0};
    svg_open(&b, width, height);
    svg_title(&b, title, width / 2, 20);
    /* grid, y ticks and labels */
    sb_lit(&b, "<g id=\"y-axis\">\n");
    for (int t = 0; t <= 5; t++) {
        double v = ymax * t / 5.0, y = top + plot_h - plot_h * t / 5.0;
        sb_printf(&b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                  left, y, left + plot_w, y, left - 6, y + 4, v);
    }
    y_title_then_x_axis(&b, y_title, top, plot_h);
    for (int64_t k = 0; k < n_x; k++) {
        double x = left + step * ((double)k + 0.5);
        sb_printf(&b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                  x, top + plot_h, x, top + plot_h + 5, x, top + plot_h + 19);
        xml_text(&b, x_labels[k]);
        sb_lit(&b, "</text>\n");
    }
    x_title_and_frame(&b, x_title, left, top, plot_w, plot_h);
    /* series */
    for (int64_t s = 0; s < n_series; s++) {
        const char *colour = colours[s % 8], *dash = dashes[s % 4];
        sb_printf(&b, "<g class=\"series\" id=\"series-%lld\">\n", (long long)s);
        bool open = false;
        for (int64_t k = 0; k < n_x; k++) {
            double v = values[s * n_x + k];
            if (!isfinite(v)) {
                if (open) sb_lit(&b, "\"/>\n");
                open = false;
                continue;
            }
            double x = left + step * ((double)k + 0.5), y = top + plot_h - plot_h * (v < 0 ? 0 : v) / ymax;
            if (!open)
                sb_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s%s%s points=\"", colour,
                          dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
            sb_printf(&b, "%s%.1f,%.1f", open ? " " : "", x, y);
            open = true;
        }
        if (open) sb_lit(&b, "\"/>\n");
        for (int64_t k = 0; k < n_x; k++) {
            double v = values[s * n_x + k];
            if (isfinite(v)) marker(&b, (int)s, left + step * ((double)k + 0.5), top + plot_h - plot_h * (v < 0 ? 0 : v) / ymax, colour);
        }
        sb_lit(&b, "</g>\n");
    }
    /* legend */
    double lx = left + plot_w + 24, ly = top + 4;
    sb_printf(&b, "<g id=\"legend\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"white\" stroke=\"#999999\"/>\n",
              lx, ly, legend_w, 20.0 * (double)n_series + 8);
    for (int64_t s = 0; s < n_series; s++) {
        double y = ly + 16 + 20.0 * (double)s;
        const char *dash = dashes[s % 4];
        sb_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s%s%s/>\n", lx + 6,
                  y - 4, lx + 34, y - 4, colours[s % 8], dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
        marker(&b, (int)s, lx + 20, y - 4, colours[s % 8]);
        sb_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">", lx + 40, y);
        xml_text(&b, series_names[s]);
        sb_lit(&b, "</text>\n");
    }
    sb_lit(&b, "</g>\n</svg>\n");
    return finish(&b, out, out_len);
}

/* ---- x-y plot ------------------------------------------------------------- */

typedef struct axis {
    bool log;
    double lo, hi; /* log: exponents of ten */
    double ticks[64];
    int n_ticks;
} axis;

static bool point_ok(const axis *a, double v) { return isfinite(v) && (!a->log || v > 0); }

static double axis_pos(const axis *a, double v) { /* 0..1 */
    double t = a->log ? log10(v) : v;
    return (t - a->lo) / (a->hi - a->lo);
}

static void axis_range(axis *a, double mn, double mx) {
    if (!(mn <= mx)) mn = mx = a->log ? 1 : 0;
    if (a->log) {
        a->lo = floor(log10(mn));
        a->hi = ceil(log10(mx));
        if (a->hi <= a->lo) a->hi = a->lo + 1;
        int every = (int)ceil((a->hi - a->lo) / 12);
        a->n_ticks = 0;
        for (double e = a->lo; e <= a->hi + 1e-9 && a->n_ticks < 64; e += every) a->ticks[a->n_ticks++] = pow(10, e);
        return;
    }
    if (mx - mn < 1e-12 * (fabs(mx) + 1)) mn -= 0.5, mx += 0.5;
    double step = nice_ceiling((mx - mn) / 5);
    a->lo = floor(mn / step) * step;
    a->hi = ceil(mx / step) * step;
    a->n_ticks = 0;
    for (double v = a->lo; v <= a->hi + step * 1e-9 && a->n_ticks < 64; v += step)
        a->ticks[a->n_ticks++] = fabs(v) < step * 1e-9 ? 0 : v;
}

static void tick_label(sbuf *b, const axis *a, double v) {
    if (a->log) {
        int e = (int)lround(log10(v));
        if (e >= -2 && e <= 3)
            sb_printf(b, "%g", v);
        else
            sb_printf(b, "1e%d", e);
    } else
        sb_printf(b, "%g", v);
}

attn_status attn_svg_xy(const attn_svg_series *series, int64_t n_series, bool log_x, bool log_y, const char *title,
                        const char *x_title, const char *y_title, char **out, size_t *out_len) {
    *out = NULL;
    if (n_series < 1 || !series) return attn_errorf(ATTN_ERR_INVALID_ARG, "x-y plot: needs at least one series");
    if (n_series > 100) return attn_errorf(ATTN_ERR_INVALID_ARG, "x-y plot: too many series");
    static const char *const colours[8] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                           "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    static const char *const dashes[4] = {"", "6,3", "2,3", "8,3,2,3"};
    axis ax = {.log = log_x}, ay = {.log = log_y};
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    int64_t named = 0;
    const char *names[100];
    for (int64_t s = 0; s < n_series; s++) {
        const attn_svg_series *q = &series[s];
        if (q->n < 0 || (q->n > 0 && (!q->x || !q->y)) || q->n > 10000000)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "x-y plot: series %lld has no points", (long long)s);
        if (q->name && q->name[0]) names[named++] = q->name;
        if (q->no_range) continue;
        for (int64_t i = 0; i < q->n; i++)
            if (point_ok(&ax, q->x[i]) && point_ok(&ay, q->y[i])) {
                x0 = fmin(x0, q->x[i]), x1 = fmax(x1, q->x[i]);
                y0 = fmin(y0, q->y[i]), y1 = fmax(y1, q->y[i]);
            }
    }
    axis_range(&ax, x0, x1);
    axis_range(&ay, y0, y1);
    double title_h = title && title[0] ? 30 : 8;
    double legend_w = named ? (double)max_chars(names, named) * CHAR_W + 50 : 0;
    double left = 78, top = title_h + 12, plot_w = 480, plot_h = 320;
    double width = left + plot_w + (named ? 24 + legend_w : 0) + PAD, height = top + plot_h + 62;
    double title_w = title ? (double)text_chars(title) * 8.5 + 2 * PAD : 0;
    if (width < title_w) width = title_w;
    sbuf b = {0};
    svg_open(&b, width, height);
    svg_title(&b, title, width / 2, 20);
    sb_printf(&b, "<defs><clipPath id=\"plot-area\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath></defs>\n",
              left, top, plot_w, plot_h);
    sb_lit(&b, "<g id=\"y-axis\">\n");
    for (int t = 0; t < ay.n_ticks; t++) {
        double y = top + plot_h - plot_h * axis_pos(&ay, ay.ticks[t]);
        sb_printf(&b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                  left, y, left + plot_w, y, left - 6, y + 4);
        tick_label(&b, &ay, ay.ticks[t]);
        sb_lit(&b, "</text>\n");
    }
    y_title_then_x_axis(&b, y_title, top, plot_h);
    for (int t = 0; t < ax.n_ticks; t++) {
        double x = left + plot_w * axis_pos(&ax, ax.ticks[t]);
        sb_printf(&b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                  x, top, x, top + plot_h, x, top + plot_h + 19);
        tick_label(&b, &ax, ax.ticks[t]);
        sb_lit(&b, "</text>\n");
    }
    x_title_and_frame(&b, x_title, left, top, plot_w, plot_h);
    for (int64_t s = 0; s < n_series; s++) {
        const attn_svg_series *q = &series[s];
        const char *colour = colours[(q->colour % 8 + 8) % 8], *dash = dashes[(q->dash % 4 + 4) % 4];
        sb_printf(&b, "<g class=\"series\" id=\"series-%lld\" clip-path=\"url(#plot-area)\">\n", (long long)s);
        if (q->line) {
            bool open = false;
            for (int64_t i = 0; i < q->n; i++) {
                if (!point_ok(&ax, q->x[i]) || !point_ok(&ay, q->y[i])) {
                    if (open) sb_lit(&b, "\"/>\n");
                    open = false;
                    continue;
                }
                double x = left + plot_w * axis_pos(&ax, q->x[i]), y = top + plot_h - plot_h * axis_pos(&ay, q->y[i]);
                if (!open)
                    sb_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s%s%s points=\"", colour,
                              dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
                sb_printf(&b, "%s%.1f,%.1f", open ? " " : "", x, y);
                open = true;
            }
            if (open) sb_lit(&b, "\"/>\n");
        }
        if (q->markers)
            for (int64_t i = 0; i < q->n; i++)
                if (point_ok(&ax, q->x[i]) && point_ok(&ay, q->y[i]))
                    marker(&b, q->colour, left + plot_w * axis_pos(&ax, q->x[i]),
                           top + plot_h - plot_h * axis_pos(&ay, q->y[i]), colour);
        sb_lit(&b, "</g>\n");
    }
    if (named) {
        double lx = left + plot_w + 24, ly = top + 4;
        sb_printf(&b, "<g id=\"legend\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"white\" stroke=\"#999999\"/>\n",
                  lx, ly, legend_w, 20.0 * (double)named + 8);
        int64_t k = 0;
        for (int64_t s = 0; s < n_series; s++) {
            const attn_svg_series *q = &series[s];
            if (!q->name || !q->name[0]) continue;
            double y = ly + 16 + 20.0 * (double)k++;
            const char *colour = colours[(q->colour % 8 + 8) % 8], *dash = dashes[(q->dash % 4 + 4) % 4];
            if (q->line)
                sb_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s%s%s/>\n",
                          lx + 6, y - 4, lx + 34, y - 4, colour, dash[0] ? " stroke-dasharray=\"" : "", dash,
                          dash[0] ? "\"" : "");
            if (q->markers) marker(&b, q->colour, lx + 20, y - 4, colour);
            sb_printf(&b, "<text x=\"%.1f\" y=\"%.1f\">", lx + 40, y);
            xml_text(&b, q->name);
            sb_lit(&b, "</text>\n");
        }
        sb_lit(&b, "</g>\n");
    }
    sb_lit(&b, "</svg>\n");
    return finish(&b, out, out_len);
}
