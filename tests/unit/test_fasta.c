/* Protein sequence files: the FASTA and Stockholm readers (src/data/fasta.c),
 * family tags on the amino-acid tokenizer, and `prepare` over sequence files
 * (one document per sequence, tags, the per-file validation split). */
#include "test.h"

#include "attn/data.h"
#include "attn/tokenizer.h"
#include "data/fasta.h"

#include <stdio.h>

static bool seq_is(const seq_list *l, int64_t i, const char *want) {
    return i < l->n && l->len[i] == strlen(want) && !memcmp(l->res + l->off[i], want, l->len[i]);
}

static bool error_has(const char *part) {
    bool ok = strstr(attn_last_error(), part) != NULL;
    if (!ok) fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", attn_last_error(), part);
    return ok;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

TEST("the format is told by the first non-blank line") {
    CHECK(seq_detect("\n  >a\nMK\n", 9) == SEQ_FASTA);
    CHECK(seq_detect("# STOCKHOLM 1.0\n", 16) == SEQ_STOCKHOLM);
    CHECK(seq_detect("\r\n# STOCKHOLM 1.0\r\n", 19) == SEQ_STOCKHOLM);
    CHECK(seq_detect("MKV\n>a\n", 7) == SEQ_TEXT);
    CHECK(seq_detect("# a comment\n", 12) == SEQ_TEXT);
    CHECK(seq_detect("", 0) == SEQ_TEXT);
}

TEST("FASTA: multi-line sequences, blank lines, CRLF, lower case and gaps") {
    const char *fa = ">one desc\r\nMKV\r\nlla\r\n\n>two\nA-C.D E\n>three\nW\n";
    seq_list l;
    memset(&l, 0, sizeof l);
    CHECK_OK(seq_read_fasta("x.fa", fa, strlen(fa), &l));
    CHECK(l.n == 3);
    CHECK(seq_is(&l, 0, "MKVlla"));
    CHECK(seq_is(&l, 1, "ACDE"));
    CHECK(seq_is(&l, 2, "W"));
    seq_list_free(&l);
}

TEST("FASTA errors name the file and line") {
    seq_list l;
    memset(&l, 0, sizeof l);
    const char *empty = ">a\nMK\n>b\n\n>c\nMK\n";
    CHECK_STATUS(seq_read_fasta("x.fa", empty, strlen(empty), &l), ATTN_ERR_FORMAT);
    CHECK(error_has("x.fa:3: the header has no sequence"));
    seq_list_free(&l);
    const char *last = ">a\nMK\n>b\n";
    CHECK_STATUS(seq_read_fasta("x.fa", last, strlen(last), &l), ATTN_ERR_FORMAT);
    CHECK(error_has("x.fa:3: the header has no sequence"));
    seq_list_free(&l);
    const char *bad = ">a\nMKV\nMK1V\n";
    CHECK_STATUS(seq_read_fasta("x.fa", bad, strlen(bad), &l), ATTN_ERR_FORMAT);
    CHECK(error_has("x.fa:3: '1' at column 3 is not an amino-acid letter"));
    seq_list_free(&l);
    const char *star = ">a\nMKV*\n";
    CHECK_STATUS(seq_read_fasta("x.fa", star, strlen(star), &l), ATTN_ERR_FORMAT);
    CHECK(error_has("x.fa:2: '*' at column 4"));
    seq_list_free(&l);
}

TEST("Stockholm: markup skipped, interleaved blocks joined per name, gaps removed, several alignments") {
    const char *sto = "# STOCKHOLM 1.0\n"
                      "#=GF ID   fam\n"
                      "#=GS a DE first\n"
                      "\n"
                      "a   MK-.V\n"
                      "b   ..LLA\n"
                      "#=GR a SS HHH..\n"
                      "#=GC RF xx.xx\n"
                      "\n"
                      "a   WW\n"
                      "b   y-\n"
                      "c   ---\n"
                      "//\n"
                      "# STOCKHOLM 1.0\n"
                      "a  QQ\n"
                      "//\n";
    seq_list l;
    memset(&l, 0, sizeof l);
    CHECK_OK(seq_read_stockholm("f.sto", sto, strlen(sto), &l));
    CHECK(l.n == 3);   /* c is gaps only */
    CHECK(seq_is(&l, 0, "MKVWW"));
    CHECK(seq_is(&l, 1, "LLAy"));
    CHECK(seq_is(&l, 2, "QQ"));
    seq_list_free(&l);
}

TEST("Stockholm errors name the file and line") {
    seq_list l;
    memset(&l, 0, sizeof l);
    const char *open = "# STOCKHOLM 1.0\na MKV\nb MKV\n";
    CHECK_STATUS(seq_read_stockholm("f.sto", open, strlen(open), &l), ATTN_ERR_FORMAT);
    CHECK(error_has("f.sto:3: the alignment begun at line 1 has no '//'"));
    seq_list_free(&l);
    const char *noseq = "# STOCKHOLM 1.0\na MKV\nb\n//\n";
    CHECK_STATUS(seq_read_stockholm("f.sto", noseq, strlen(noseq), &l), ATTN_ERR_FORMAT);
    CHECK(error_has("f.sto:3: a sequence line needs a name"));
    seq_list_free(&l);
    const char *bad = "# STOCKHOLM 1.0\na MK~V\n//\n";
    CHECK_STATUS(seq_read_stockholm("f.sto", bad, strlen(bad), &l), ATTN_ERR_FORMAT);
    CHECK(error_has("f.sto:2: '~' at column 5"));
    seq_list_free(&l);
    const char *after = "# STOCKHOLM 1.0\na MKV\n//\nb MKV\n";
    CHECK_STATUS(seq_read_stockholm("f.sto", after, strlen(after), &l), ATTN_ERR_FORMAT);
    CHECK(error_has("f.sto:4: expected a '# STOCKHOLM 1.0' header"));
    seq_list_free(&l);
}

TEST("family tags: allowed characters, the name of a file") {
    char tag[SEQ_TAG_MAX + 3];
    CHECK_OK(seq_family_tag("2OG-FeII_Oxy_3", 14, tag));
    CHECK(!strcmp(tag, "<2OG-FeII_Oxy_3>"));
    CHECK_STATUS(seq_family_tag("a b", 3, tag), ATTN_ERR_INVALID_ARG);
    CHECK(error_has("character 2"));
    CHECK_STATUS(seq_family_tag("<x>", 3, tag), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(seq_family_tag("", 0, tag), ATTN_ERR_INVALID_ARG);
    size_t n;
    const char *f = seq_family_of_path("dir.d/Pkinase.sto.gz", &n);
    CHECK(n == 7 && !memcmp(f, "Pkinase", 7));
    f = seq_family_of_path("RRM_1", &n);
    CHECK(n == 5 && !memcmp(f, "RRM_1", 5));
}

static void read_shard(const char *dir, const char *name, int32_t *out, int64_t cap, int64_t *n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    attn_shard *s = NULL;
    *n = 0;
    CHECK_OK(attn_shard_open(path, &s));
    if (!s) return;
    *n = attn_shard_len(s);
    CHECK(*n <= cap);
    if (*n <= cap) CHECK_OK(attn_shard_read(s, 0, *n, out));
    attn_shard_close(s);
}

TEST("prepare: one document per sequence, a tag per file, the last sequences of each file held out") {
    char fa[256], sto[256], out[256];
    snprintf(fa, sizeof fa, "%s", test_tmp_path("Fam_A.fa"));
    snprintf(sto, sizeof sto, "%s", test_tmp_path("famB.sto"));
    snprintf(out, sizeof out, "%s", test_tmp_path("prep"));
    write_text(fa, ">1\nMK\n>2\nA\nC\n>3\nW\n>4\nD\n");
    write_text(sto, "# STOCKHOLM 1.0\ns1 K-\ns2 .E\n//\n");
    attn_prepare_params p = attn_prepare_default_params();
    const char *inputs[] = {fa, sto};
    p.tokenizer = "amino";
    p.inputs = inputs;
    p.n_inputs = 2;
    p.out_dir = out;
    p.val_fraction = 0.25;
    p.family_tag_from_file = true;
    attn_prepare_result res;
    CHECK_OK(attn_prepare(&p, &res));
    CHECK(res.vocab_size == 28);
    CHECK(res.n_sequences == 6);
    int32_t ids[64];
    int64_t n;
    /* <Fam_A>=26, <famB>=27, eot 4; M 15 K 13 A 5 C 6 W 23 D 7 E 8 */
    int32_t want_train[] = {26, 15, 13, 4, 26, 5, 6, 4, 26, 23, 4, 27, 13, 4, 27, 8, 4};
    read_shard(out, "train.bin", ids, 64, &n);
    CHECK(n == (int64_t)(sizeof want_train / sizeof *want_train));
    for (int64_t i = 0; i < n && n == (int64_t)(sizeof want_train / sizeof *want_train); i++) CHECK(ids[i] == want_train[i]);
    int32_t want_val[] = {26, 7, 4};   /* floor(4 x 0.25) = 1 of Fam_A.fa, floor(2 x 0.25) = 0 of famB.sto */
    read_shard(out, "val.bin", ids, 64, &n);
    CHECK(n == 3);
    for (int64_t i = 0; i < n && n == 3; i++) CHECK(ids[i] == want_val[i]);

    /* the saved tokenizer keeps the tags at their ids, and tokenizes them as one token */
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(out, &tok));
    if (tok) {
        CHECK(attn_tokenizer_vocab_size(tok) == 28);
        CHECK(attn_tokenizer_added_id(tok, "<famB>") == 27);
        int32_t *e = NULL;
        int64_t ne = 0;
        CHECK_OK(attn_tokenizer_encode(tok, "<famB>MK<Fam_A>", 15, &e, &ne));
        CHECK(ne == 4 && e[0] == 27 && e[1] == 15 && e[2] == 13 && e[3] == 26);
        char *text = NULL;
        size_t len;
        if (ne == 4) CHECK_OK(attn_tokenizer_decode(tok, e, ne, &text, &len));
        CHECK(text && !strcmp(text, "<famB>MK<Fam_A>"));
        attn_free(text);
        attn_free(e);
        attn_tokenizer_free(tok);
    }

    /* preparing more files with the saved tokenizer: known tags keep their ids, --family-tag adds a new one */
    char out2[256];
    snprintf(out2, sizeof out2, "%s", test_tmp_path("prep2"));
    const char *one[] = {fa};
    p.tokenizer = out;
    p.inputs = one;
    p.n_inputs = 1;
    p.out_dir = out2;
    p.val_fraction = 0;
    CHECK_OK(attn_prepare(&p, &res));
    CHECK(res.vocab_size == 28);
    read_shard(out2, "train.bin", ids, 64, &n);
    CHECK(n == 14 && ids[0] == 26);
    p.family_tag_from_file = false;
    p.family_tag = "famC";
    CHECK_OK(attn_prepare(&p, &res));
    CHECK(res.vocab_size == 29);
    read_shard(out2, "train.bin", ids, 64, &n);
    CHECK(n == 14 && ids[0] == 28);
}

TEST("prepare: bad tags, tags on plain text and bad sequence files are errors naming the file") {
    char fa[256], txt[256], out[256];
    snprintf(fa, sizeof fa, "%s", test_tmp_path("bad.fa"));
    snprintf(txt, sizeof txt, "%s", test_tmp_path("plain.txt"));
    snprintf(out, sizeof out, "%s", test_tmp_path("prep_bad"));
    write_text(fa, ">1\nMK\n>2\n");
    write_text(txt, "MKV\n");
    attn_prepare_params p = attn_prepare_default_params();
    const char *inputs[] = {fa};
    p.tokenizer = "amino";
    p.inputs = inputs;
    p.n_inputs = 1;
    p.out_dir = out;
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_FORMAT);
    CHECK(error_has("bad.fa:3: the header has no sequence"));
    inputs[0] = txt;
    p.family_tag = "ok";
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(error_has("plain.txt: family tags need FASTA or Stockholm input"));
    write_text(fa, ">1\nMK\n");
    inputs[0] = fa;
    p.family_tag = "not ok";
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(error_has("family tag 'not ok'"));
    p.family_tag = "ok";
    p.tokenizer = "char";   /* a FASTA file under another tokenizer is plain text */
    CHECK_STATUS(attn_prepare(&p, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(error_has("family tags need FASTA"));
}
