/* protein.h — protein sequence files and sequence identity (`attn protein`).
 *
 * Sequence files are FASTA or Stockholm alignments, told apart by content
 * (the readers `attn prepare -t amino` uses: src/data/fasta.h); residues are
 * kept upper-cased with alignment gaps removed.
 *
 * Identity is by global alignment (Needleman-Wunsch) with a simple scoring:
 * +2 for two equal residues, -1 for two different ones, -2 for each residue
 * against a gap (a linear gap cost, end gaps included). Of the alignments
 * with the best score, the one with the most identical pairs is taken, and
 * of those the shortest. Identity = identical pairs / alignment length
 * (columns, gap columns included), so that a sample that only shares a piece
 * of a longer training sequence is not counted as a copy. O(n m) time and
 * O(m) memory per pair. */
#ifndef ATTN_PROTEIN_H
#define ATTN_PROTEIN_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_seqs attn_seqs;

/* Reads a FASTA or Stockholm file; a file that is neither, or holds no
 * sequence, is ATTN_ERR_FORMAT; errors in it name file and line. */
ATTN_API attn_status attn_seqs_read(const char *path, attn_seqs **out);
ATTN_API int64_t attn_seqs_count(const attn_seqs *s);
/* Sequence i's residues (upper case, not NUL-terminated) and name (a FASTA
 * header's first word or a Stockholm row's name; may be empty); i in range. */
ATTN_API const char *attn_seqs_residues(const attn_seqs *s, int64_t i, size_t *len);
ATTN_API const char *attn_seqs_name(const attn_seqs *s, int64_t i, size_t *len);
ATTN_API void attn_seqs_free(attn_seqs *s);   /* NULL is a no-op */

#define ATTN_ALIGN_MATCH 2
#define ATTN_ALIGN_MISMATCH (-1)
#define ATTN_ALIGN_GAP (-2)

typedef struct attn_alignment {
    int64_t score;     /* the best global alignment score */
    int64_t matches;   /* identical pairs in the chosen alignment */
    int64_t length;    /* its columns (pairs + gaps) */
} attn_alignment;

/* Globally aligns a and b (letters, compared case-insensitively; each
 * shorter than 2^19 residues, else ATTN_ERR_INVALID_ARG). */
ATTN_API attn_status attn_seq_align(const char *a, size_t na, const char *b, size_t nb, attn_alignment *out);

/* For each of the queries, the training sequence it is most identical to:
 * identity[i] in [0, 1] and nearest[i] (either may be NULL). Pairs run on
 * the threads of attn_set_threads; results do not depend on their number. */
ATTN_API attn_status attn_seq_nearest(const attn_seqs *queries, const attn_seqs *train, double *identity,
                                      int64_t *nearest);

#ifdef __cplusplus
}
#endif

#endif
