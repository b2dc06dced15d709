/* protein.c — protein sequence files for callers of include/attn/protein.h,
 * and global alignment identity (Needleman-Wunsch, scoring in protein.h).
 *
 * The dynamic programme keeps two rows of packed int32 cells (see below),
 * over a profile of the query (the increment of each residue against each
 * query position). */
#include "attn/protein.h"
#include "core/core.h"
#include "data/fasta.h"

struct attn_seqs {
    seq_list l;
};

attn_status attn_seqs_read(const char *path, attn_seqs **out) {
    if (!path || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_seqs_read: NULL argument");
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    attn_status st = file_read_all(path, &text, &len);
    if (st) return st;
    attn_seqs *s = attn_calloc(1, sizeof *s);
    if (!s) {
        attn_free(text);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    seq_format fmt = seq_detect(text, len);
    if (fmt == SEQ_FASTA)
        st = seq_read_fasta(path, text, len, &s->l);
    else if (fmt == SEQ_STOCKHOLM)
        st = seq_read_stockholm(path, text, len, &s->l);
    else
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: neither FASTA ('>' headers) nor Stockholm ('# STOCKHOLM 1.0')", path);
    if (st == ATTN_OK && s->l.n == 0) st = attn_errorf(ATTN_ERR_FORMAT, "%s: no sequences", path);
    attn_free(text);
    if (st) {
        attn_seqs_free(s);
        return st;
    }
    for (size_t i = 0; i < s->l.n_res; i++)
        if (s->l.res[i] >= 'a' && s->l.res[i] <= 'z') s->l.res[i] = (char)(s->l.res[i] - 'a' + 'A');
    *out = s;
    return ATTN_OK;
}

int64_t attn_seqs_count(const attn_seqs *s) { return s ? s->l.n : 0; }

const char *attn_seqs_residues(const attn_seqs *s, int64_t i, size_t *len) {
    *len = s->l.len[i];
    return s->l.res + s->l.off[i];
}

const char *attn_seqs_name(const attn_seqs *s, int64_t i, size_t *len) {
    *len = s->l.name_len[i];
    return s->l.names ? s->l.names + s->l.name_off[i] : "";
}

void attn_seqs_free(attn_seqs *s) {
    if (!s) return;
    seq_list_free(&s->l);
    attn_free(s);
}

/* The scoring makes the score a function of W = identities + pairs: with m
 * identities, p pairs and the rest gaps, score = 2m - (p - m) - 2(na - p +
 * nb - p) = 3W - 2(na + nb). So the programme maximises W (an equal pair
 * adds 2, a different pair 1, a gap 0), then m, packed in one int32 as
 * W << 16 | m (W < 2^15 and m < 2^14 while the shorter sequence has fewer
 * than 2^14 residues). Of equal W and m the length na + nb - p is fixed. */
#define MAX_SHORTER 16384
#define HIT ((int32_t)(2 << 16) + 1)
#define MISS ((int32_t)(1 << 16))

/* The query's profile: prof[r * (n + 1) + j] is the increment of pairing
 * residue r ('A' + r; 26: not a letter) with query residue j - 1. */
static void build_profile(const char *q, size_t n, int32_t *prof) {
    for (int r = 0; r < 27; r++) {
        int32_t *p = prof + (size_t)r * (n + 1);
        p[0] = 0;
        for (size_t j = 1; j <= n; j++) p[j] = ((q[j - 1] & 0xdf) == 'A' + r) ? HIT : MISS;
    }
}

/* A letter's profile row; 26 (a row of MISS) for anything else. */
static int residue_index(char c) {
    int r = (c & 0xdf) - 'A';
    return r >= 0 && r < 26 ? r : 26;
}

/* The packed best of aligning t against the profiled query (nq residues);
 * prev, cur: nq + 1 int32s of scratch. */
static int32_t align_profile(const char *t, size_t nt, const int32_t *prof, size_t nq, int32_t *prev, int32_t *cur) {
    memset(prev, 0, (nq + 1) * sizeof *prev);
    cur[0] = 0;
    for (size_t i = 0; i < nt; i++) {
        const int32_t *s = prof + (size_t)residue_index(t[i]) * (nq + 1);
        int32_t left = 0;
        for (size_t j = 1; j <= nq; j++) {
            int32_t d = prev[j - 1] + s[j], u = prev[j];
            int32_t v = d > u ? d : u;
            v = v > left ? v : left;
            cur[j] = v;
            left = v;
        }
        int32_t *x = prev;
        prev = cur;
        cur = x;
    }
    return prev[nq];
}

static void unpack(int32_t v, size_t na, size_t nb, attn_alignment *out) {
    int64_t w = v >> 16, m = v & 0xffff;
    out->matches = m;
    out->length = (int64_t)(na + nb) - (w - m);
    out->score = 3 * w - 2 * (int64_t)(na + nb);
}

attn_status attn_seq_align(const char *a, size_t na, const char *b, size_t nb, attn_alignment *out) {
    if (!out || (na && !a) || (nb && !b)) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_seq_align: NULL argument");
    if (ATTN_MIN(na, nb) >= MAX_SHORTER)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_seq_align: sequences of %zu and %zu residues (the shorter must "
                           "have fewer than %d)", na, nb, MAX_SHORTER);
    if (na < nb) {   /* the profile over the shorter */
        const char *x = a;
        a = b;
        b = x;
        size_t nx = na;
        na = nb;
        nb = nx;
    }
    int32_t *prof = attn_malloc((29 * (nb + 1)) * sizeof *prof);
    if (!prof) return ATTN_ERR_OUT_OF_MEMORY;
    build_profile(b, nb, prof);
    unpack(align_profile(a, na, prof, nb, prof + 27 * (nb + 1), prof + 28 * (nb + 1)), na, nb, out);
    attn_free(prof);
    return ATTN_OK;
}

attn_status attn_seq_nearest(const attn_seqs *queries, const attn_seqs *train, double *identity, int64_t *nearest) {
    if (!queries || !train) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_seq_nearest: NULL sequences");
    size_t longest = 0;
    for (int64_t q = 0; q < queries->l.n; q++) {
        longest = ATTN_MAX(longest, queries->l.len[q]);
        if (queries->l.len[q] >= MAX_SHORTER)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "query %lld has %zu residues (fewer than %d, please)",
                               (long long)q + 1, queries->l.len[q], MAX_SHORTER);
    }
    int64_t nq = queries->l.n;
    bool oom = false;
#pragma omp parallel
    {
        int32_t *prof = attn_malloc(29 * (longest + 1) * sizeof *prof);
        if (!prof) {
#pragma omp atomic write
            oom = true;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t q = 0; q < nq; q++) {
            if (!prof) continue;
            size_t n = queries->l.len[q];
            build_profile(queries->l.res + queries->l.off[q], n, prof);
            double best = -1.0;
            int64_t best_t = -1;
            for (int64_t t = 0; t < train->l.n; t++) {
                attn_alignment al;
                size_t nt = train->l.len[t];
                unpack(align_profile(train->l.res + train->l.off[t], nt, prof, n, prof + 27 * (n + 1), prof + 28 * (n + 1)),
                       nt, n, &al);
                double id = (double)al.matches / (double)al.length;
                if (id > best) {   /* ties: the first training sequence */
                    best = id;
                    best_t = t;
                }
            }
            if (identity) identity[q] = best;
            if (nearest) nearest[q] = best_t;
        }
        attn_free(prof);
    }
    return oom ? ATTN_ERR_OUT_OF_MEMORY : ATTN_OK;
}
