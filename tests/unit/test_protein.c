/* Sequence identity by global alignment (include/attn/protein.h): hand-worked
 * alignments, a plain full-matrix Needleman-Wunsch on random pairs, nearest
 * training sequences, and the sequence files' names. */
#include "test.h"

#include "attn/protein.h"

#include <stdio.h>

static attn_alignment al(const char *a, const char *b) {
    attn_alignment r = {-999, -1, -1};
    CHECK_OK(attn_seq_align(a, strlen(a), b, strlen(b), &r));
    return r;
}

#define CHECK_AL(a, b, s, m, l)                                                              \
    do {                                                                                     \
        attn_alignment r_ = al(a, b), q_ = al(b, a);                                         \
        CHECK(r_.score == (s) && r_.matches == (m) && r_.length == (l));                     \
        CHECK(q_.score == (s) && q_.matches == (m) && q_.length == (l));                     \
        if (r_.score != (s) || r_.matches != (m) || r_.length != (l))                        \
            fprintf(stderr, "  %s / %s: score %lld matches %lld length %lld\n", a, b,        \
                    (long long)r_.score, (long long)r_.matches, (long long)r_.length);       \
    } while (0)

TEST("hand-worked alignments: +2 equal, -1 different, -2 a gap; most identities among the best") {
    CHECK_AL("MKV", "MKV", 6, 3, 3);          /* 100% */
    CHECK_AL("mkv", "MKV", 6, 3, 3);          /* case does not matter */
    CHECK_AL("MKVL", "MKL", 4, 3, 4);         /* MKVL / MK-L: 3 x 2 - 2; 75% */
    CHECK_AL("AAAA", "CCCC", -4, 0, 4);       /* four different pairs beat eight gaps */
    CHECK_AL("", "MK", -4, 0, 2);
    CHECK_AL("", "", 0, 0, 0);
    /* AC / CA: two different pairs (-2) tie with -AC / CA- (2 - 4 = -2): the
     * alignment with the identity is taken, 1 of 3 columns */
    CHECK_AL("AC", "CA", -2, 1, 3);
    /* WHAT / WHY- and WHAT / WH-Y both score 2 + 2 - 1 - 2 = 1, with 2 of 4 */
    CHECK_AL("WHAT", "WHY", 1, 2, 4);
}

/* A plain full-matrix programme: every cell keeps (score, identities,
 * length), best score first, then most identities, then shortest. */
typedef struct cell { long s, m, l; } cell;
static bool better(cell x, cell y) {
    if (x.s != y.s) return x.s > y.s;
    if (x.m != y.m) return x.m > y.m;
    return x.l < y.l;
}
static cell plain(const char *a, int na, const char *b, int nb) {
    static cell d[64][64];
    for (int i = 0; i <= na; i++)
        for (int j = 0; j <= nb; j++) {
            if (!i && !j) {
                d[0][0] = (cell){0, 0, 0};
                continue;
            }
            cell best = {-1000000, 0, 0};
            if (i && j) {
                bool eq = a[i - 1] == b[j - 1];
                cell c = {d[i - 1][j - 1].s + (eq ? 2 : -1), d[i - 1][j - 1].m + eq, d[i - 1][j - 1].l + 1};
                if (better(c, best)) best = c;
            }
            if (i) {
                cell c = {d[i - 1][j].s - 2, d[i - 1][j].m, d[i - 1][j].l + 1};
                if (better(c, best)) best = c;
            }
            if (j) {
                cell c = {d[i][j - 1].s - 2, d[i][j - 1].m, d[i][j - 1].l + 1};
                if (better(c, best)) best = c;
            }
            d[i][j] = best;
        }
    return d[na][nb];
}

TEST("random pairs over few letters agree with a plain full-matrix programme") {
    unsigned x = 12345;
    char a[64], b[64];
    for (int t = 0; t < 300; t++) {
        int na = (int)((x = x * 1103515245u + 12345u) >> 16) % 40, nb = (int)((x = x * 1103515245u + 12345u) >> 16) % 40;
        for (int i = 0; i < na; i++) a[i] = "ACDE"[((x = x * 1103515245u + 12345u) >> 16) % 4];
        for (int i = 0; i < nb; i++) b[i] = "ACDE"[((x = x * 1103515245u + 12345u) >> 16) % 4];
        a[na] = b[nb] = 0;
        cell want = plain(a, na, b, nb);
        attn_alignment got = al(a, b);
        CHECK(got.score == want.s && got.matches == want.m && got.length == want.l);
        if (got.score != want.s || got.matches != want.m || got.length != want.l) {
            fprintf(stderr, "  %s / %s: got %lld %lld %lld, want %ld %ld %ld\n", a, b, (long long)got.score,
                    (long long)got.matches, (long long)got.length, want.s, want.m, want.l);
            break;
        }
    }
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

TEST("nearest training sequences, with names, from FASTA and Stockholm files") {
    char q[256], t[256];
    snprintf(q, sizeof q, "%s", test_tmp_path("q.fa"));
    snprintf(t, sizeof t, "%s", test_tmp_path("t.sto"));
    write_text(q, ">copy one\nMKVLA\n>near\nMKVL\n>none\nwwww\n");
    write_text(t, "# STOCKHOLM 1.0\nx/1-3 CC-C.\ny/1-5 MKVLA\n//\n");
    attn_seqs *qs = NULL, *ts = NULL;
    CHECK_OK(attn_seqs_read(q, &qs));
    CHECK_OK(attn_seqs_read(t, &ts));
    if (!qs || !ts) return;
    CHECK(attn_seqs_count(qs) == 3 && attn_seqs_count(ts) == 2);
    size_t n;
    const char *s = attn_seqs_name(qs, 0, &n);
    CHECK(n == 4 && !memcmp(s, "copy", 4));
    s = attn_seqs_name(ts, 1, &n);
    CHECK(n == 5 && !memcmp(s, "y/1-5", 5));
    s = attn_seqs_residues(qs, 2, &n);
    CHECK(n == 4 && !memcmp(s, "WWWW", 4));   /* upper-cased */
    double id[3];
    int64_t near[3];
    CHECK_OK(attn_seq_nearest(qs, ts, id, near));
    CHECK(id[0] == 1.0 && near[0] == 1);
    CHECK_NEAR(id[1], 4.0 / 5.0, 1e-12);      /* MKVL- / MKVLA */
    CHECK(near[1] == 1);
    CHECK(id[2] == 0.0 && near[2] == 0);      /* no identity anywhere: the first */
    attn_seqs_free(qs);
    attn_seqs_free(ts);
    write_text(q, "MKV\n");
    CHECK_STATUS(attn_seqs_read(q, &qs), ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "neither FASTA") != NULL);
}
