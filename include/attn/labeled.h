/* labeled.h — labelled examples for classification fine-tuning: a text (or a
 * text pair) and a label per example, read from TSV, CSV or JSON-lines files.
 *
 * ---- Formats (chosen by the file's extension, case-insensitively) ---------
 * .tsv    one row per line, fields separated by tabs, no quoting.
 * .csv    RFC 4180: fields separated by commas; a field may be quoted with
 *         '"', and a quoted field may hold commas, newlines and doubled
 *         quotes ("" for one "). Rows end with LF or CRLF.
 *         For both: when one field of the first row is exactly "label", that
 *         row is a header and columns are taken by name: the text is the
 *         first of "text", "sentence", "sentence1", "text_a" that is present,
 *         the pair the first of "text_pair", "sentence2", "text_b" (optional),
 *         the label "label"; other columns are ignored, and every row has as
 *         many fields as the header. Without a header every row has 2 fields
 *         (text, label) or every row 3 (text, text_pair, label).
 * .jsonl  one JSON object per line (".json" is read the same way): the text
 * .json   and pair under the names above, "label" a string or an integer
 *         (an integer becomes its decimal string: 3 -> "3").
 * In all formats: blank lines are skipped, a '\r' before a line's '\n' is
 * dropped, a leading UTF-8 byte-order mark is skipped, and the file must be
 * valid UTF-8 without NUL bytes. Texts and labels are kept byte for byte
 * (no trimming).
 *
 * ---- Errors ---------------------------------------------------------------
 * ATTN_ERR_IO for a file that cannot be read; ATTN_ERR_FORMAT, with a message
 * "PATH: line N: ..." (N counts from 1, the line where the row starts), for
 * a file with no examples, a row with too few or too many fields, an empty
 * text, text pair or label, a label outside a fixed label set, invalid UTF-8
 * or a NUL byte, an unterminated CSV quote or stray text after a closing
 * quote, a JSON line that is not an object or lacks the text or the label,
 * and a file whose rows do not all have a pair or all lack one;
 * ATTN_ERR_UNSUPPORTED for an unknown extension; ATTN_ERR_INVALID_ARG for a
 * fixed label set that is empty-named or names a label twice. */
#ifndef ATTN_LABELED_H
#define ATTN_LABELED_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_labeled {
    int64_t n;                /* examples */
    char **text;              /* n NUL-terminated UTF-8 strings */
    char **text_pair;         /* NULL when the file has no second text column; else n strings */
    int32_t *label;           /* n indices into labels */
    int64_t n_labels;
    char **labels;            /* the label names */
} attn_labeled;

/* Reads labelled examples from path, format by extension: .tsv, .csv, .jsonl (or .json lines).
 * labels/n_labels: when n_labels > 0, the fixed label set (e.g. the training file's, or a
 * model's id2label): a label outside it is an error naming the file, line and label; when 0,
 * the set is collected from the file and sorted (numerically when every label is an integer,
 * else bytewise), so the same file always gives the same ids.
 * Every array and string of *out is a separate attn_malloc block, freed by attn_labeled_free
 * (so a caller may build or trim an attn_labeled the same way and free it there). */
ATTN_API attn_status attn_labeled_read(const char *path, const char *const *labels, int64_t n_labels,
                                       attn_labeled **out);
ATTN_API void attn_labeled_free(attn_labeled *d);   /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif /* ATTN_LABELED_H */
