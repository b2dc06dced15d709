/* plot.h — SVG figures written by attn itself (no plotting dependency).
 *
 * Each function returns a whole, standalone SVG 1.1 document (UTF-8, one
 * <svg> root with width/height/viewBox) in *out (attn_malloc'ed, NUL-
 * terminated, *out_len bytes without the NUL). Words and labels are
 * escaped for XML (& < > " '), invalid UTF-8 bytes become U+FFFD and
 * control characters a space, so any token text is safe to pass. Text is
 * 12-13 px sans-serif; sizes are chosen from the longest label (about 7 px
 * per character). */
#ifndef ATTN_PLOT_H
#define ATTN_PLOT_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Alignment heatmap (Bahdanau et al. 2015, figure 3): source words along
 * the top (labels rotated), target words down the left, one cell per
 * (target i, source j) shaded from white (0) to black (1) by
 * weights[i * n_src + j] (values are clamped to [0, 1]), a grey-scale
 * colour bar with ticks 0, 0.5, 1 on the right, an optional title (NULL =
 * none). Each cell carries a <title> tooltip "source / target: weight". */
ATTN_API attn_status attn_svg_alignment(const char *const *src_words, int64_t n_src, const char *const *tgt_words,
                                        int64_t n_tgt, const float *weights, const char *title, char **out,
                                        size_t *out_len);

/* Line plot of n_series series over n_x categories (e.g. BLEU against
 * source-length bucket): x tick labels x_labels[n_x], y from 0 to a round
 * value above the largest one (at least 1), five y ticks, axis titles,
 * one line with markers per series (values[s * n_x + k]; NaN leaves a gap),
 * each series with its own colour, dash pattern and marker, named in a
 * legend. title, x_title, y_title may be NULL. */
ATTN_API attn_status attn_svg_lines(const char *const *x_labels, int64_t n_x, const char *const *series_names,
                                    int64_t n_series, const double *values, const char *title, const char *x_title,
                                    const char *y_title, char **out, size_t *out_len);

/* One series of an x-y plot. */
typedef struct attn_svg_series {
    const char *name;        /* in the legend; NULL or "" = not listed */
    const double *x, *y;     /* n points; a non-finite one (or one <= 0 on a log axis) is left out */
    int64_t n;
    bool line;               /* a polyline through the points in order (broken where one is left out) */
    bool markers;            /* a marker at each point */
    bool no_range;           /* drawn, clipped, but not counted when choosing the axes' ranges (contours) */
    int colour;              /* palette index, 0 to 7 */
    int dash;                /* 0 solid, 1 to 3 dashed patterns */
} attn_svg_series;

/* An x-y plot: axes ranged over the points of the series without
 * no_range (on a log axis from one power of ten below the smallest to one
 * at or above the largest, with a tick at each power of ten; on a linear
 * axis round ticks), grid lines, axis titles, a legend of the named series.
 * title, x_title, y_title may be NULL. */
ATTN_API attn_status attn_svg_xy(const attn_svg_series *series, int64_t n_series, bool log_x, bool log_y,
                                 const char *title, const char *x_title, const char *y_title, char **out,
                                 size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
