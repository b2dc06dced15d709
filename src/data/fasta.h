/* fasta.h — protein sequence files for `attn prepare -t amino` (fasta.c):
 * FASTA and Stockholm alignments, told apart by their first non-blank line,
 * read into one list of gap-free sequences; and family tags ("<Pkinase>").
 *
 * FASTA: '>' header lines, each followed by one or more lines of residues
 * (letters, either case; the alignment gaps '-' and '.' are removed; spaces,
 * tabs and a final '\r' ignored). A header without residues, text before the
 * first header, or any other character is an error naming file and line.
 *
 * Stockholm: each alignment starts with "# STOCKHOLM" and ends with "//";
 * '#' lines (the "#=GF", "#=GS", "#=GR", "#=GC" markup) and blank lines are
 * skipped; every other line is "NAME ALIGNED_RESIDUES", and the blocks of an
 * interleaved alignment are joined per name (sequences in order of first
 * appearance). Gaps '-' and '.' are removed; a row that is only gaps gives no
 * sequence. A file may hold several alignments. A missing "//", a line with
 * no residues after its name and any character other than a letter or a gap
 * are errors naming file and line. Internal. */
#ifndef ATTN_DATA_FASTA_H
#define ATTN_DATA_FASTA_H

#include "core/core.h"

typedef enum seq_format { SEQ_TEXT = 0, SEQ_FASTA, SEQ_STOCKHOLM } seq_format;

/* Sequences back to back in res (no separators, upper or lower case as read):
 * sequence i is res[off[i] .. off[i] + len[i]), len[i] > 0; its name (a FASTA
 * header's first word, a Stockholm row's name; may be empty) is
 * names[name_off[i] .. name_off[i] + name_len[i]). */
typedef struct seq_list {
    char *res, *names;
    size_t n_res, cap_res, n_names, cap_names;
    size_t *off, *len, *name_off, *name_len;
    int64_t n, cap;
} seq_list;

/* SEQ_FASTA when the first non-blank character is '>', SEQ_STOCKHOLM when
 * the first non-blank line starts with "# STOCKHOLM", else SEQ_TEXT. */
seq_format seq_detect(const char *text, size_t len);

/* Appends the sequences of a FASTA / Stockholm text to out (name is the file,
 * for messages). On error out keeps what it held before plus possibly some
 * sequences of this text; free it with seq_list_free either way. */
attn_status seq_read_fasta(const char *name, const char *text, size_t len, seq_list *out);
attn_status seq_read_stockholm(const char *name, const char *text, size_t len, seq_list *out);
void seq_list_free(seq_list *l);

#define SEQ_TAG_MAX 64
/* The family tag token of a family name: "<" name ">" into out (SEQ_TAG_MAX +
 * 3 bytes). A name is 1..SEQ_TAG_MAX letters, digits, '_', '-' and '.';
 * anything else is ATTN_ERR_INVALID_ARG saying what is wrong. */
attn_status seq_family_tag(const char *family, size_t n, char *out);

/* The family of a file: its base name up to the first '.' ("dir/Pkinase.sto.gz"
 * -> "Pkinase"); *n its length. */
const char *seq_family_of_path(const char *path, size_t *n);

#endif
