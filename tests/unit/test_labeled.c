/* Labelled-example files (attn_labeled_read): TSV, CSV and JSON lines, with
 * and without headers and pairs, label ordering, fixed label sets, every
 * error the header lists, hostile bytes and allocation failures. */
#include "attn/labeled.h"
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>

static const char *write_file(const char *name, const void *data, size_t n) {
    const char *path = test_tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (f) {
        if (n) fwrite(data, 1, n, f);
        fclose(f);
    }
    return path;
}
#define WRITE(name, literal) write_file(name, literal, sizeof(literal) - 1)

/* Reads path with no fixed labels; NULL (and a FAIL) on error. */
static attn_labeled *read_ok(const char *path) {
    attn_labeled *d = NULL;
    CHECK_OK(attn_labeled_read(path, NULL, 0, &d));
    return d;
}

/* The read fails with want, and the message holds every fragment given. */
static void expect_error(const char *path, const char *const *labels, int64_t n_labels, attn_status want,
                         const char *frag1, const char *frag2) {
    attn_labeled *d = (attn_labeled *)1;
    CHECK_STATUS(attn_labeled_read(path, labels, n_labels, &d), want);
    CHECK(d == NULL);
    const char *msg = attn_last_error();
    if (frag1 && !strstr(msg, frag1)) {
        test_failed_checks++;
        fprintf(stderr, "  FAIL [%s]: message \"%s\" lacks \"%s\"\n", test_current, msg, frag1);
    }
    if (frag2 && !strstr(msg, frag2)) {
        test_failed_checks++;
        fprintf(stderr, "  FAIL [%s]: message \"%s\" lacks \"%s\"\n", test_current, msg, frag2);
    }
    if (!strstr(msg, path) && want != ATTN_ERR_INVALID_ARG) {
        test_failed_checks++;
        fprintf(stderr, "  FAIL [%s]: message \"%s\" does not name the file\n", test_current, msg);
    }
}

static bool label_is(const attn_labeled *d, int64_t i, const char *name) {
    return d && i < d->n && d->label[i] >= 0 && d->label[i] < d->n_labels && !strcmp(d->labels[d->label[i]], name);
}

/* Example i is (text, pair, label); pair NULL for a file without pairs. */
static void check_example(const attn_labeled *d, int64_t i, const char *text, const char *pair, const char *label) {
    CHECK(d && i < d->n);
    if (!d || i >= d->n) return;
    CHECK(!strcmp(d->text[i], text));
    CHECK(pair ? d->text_pair && !strcmp(d->text_pair[i], pair) : !d->text_pair);
    CHECK(label_is(d, i, label));
}

/* ---- formats --------------------------------------------------------------- */

TEST("TSV without a header: text, label; labels sorted bytewise") {
    attn_labeled *d = read_ok(WRITE("a.tsv", "good film\tpos\nbad film\tneg\r\n\nso so\tmeh\n"));
    if (!d) return;
    CHECK(d->n == 3);
    CHECK(d->text_pair == NULL);
    CHECK(!strcmp(d->text[0], "good film") && !strcmp(d->text[1], "bad film") && !strcmp(d->text[2], "so so"));
    CHECK(d->n_labels == 3);
    CHECK(!strcmp(d->labels[0], "meh") && !strcmp(d->labels[1], "neg") && !strcmp(d->labels[2], "pos"));
    CHECK(d->label[0] == 2 && d->label[1] == 1 && d->label[2] == 0);
    attn_labeled_free(d);
}

TEST("TSV without a header: text, text_pair, label; no final newline") {
    attn_labeled *d = read_ok(WRITE("pair.tsv", "a cat\ta dog\t0\nthe sun\tthe sun\t1"));
    if (!d) return;
    CHECK(d->n == 2);
    check_example(d, 0, "a cat", "a dog", "0");
    check_example(d, 1, "the sun", "the sun", "1");
    attn_labeled_free(d);
}

TEST("TSV header chooses columns by name and ignores the others") {
    attn_labeled *d = read_ok(WRITE("h.tsv", "id\tlabel\tsentence2\tsentence1\n7\tyes\tB one\tA one\n8\tno\tB two\tA two\n"));
    if (!d) return;
    CHECK(d->n == 2);
    check_example(d, 0, "A one", "B one", "yes");
    check_example(d, 1, "A two", "B two", "no");
    attn_labeled_free(d);
    /* "text" is preferred to "sentence" when both are present; no pair column */
    d = read_ok(WRITE("h2.tsv", "sentence\ttext\tlabel\nS\tT\tx\n"));
    if (!d) return;
    CHECK(d->n == 1 && !strcmp(d->text[0], "T") && d->text_pair == NULL);
    attn_labeled_free(d);
}

TEST("a row without a header field named exactly \"label\" is data") {
    /* "Label" is not "label": this is a 2-field data row */
    attn_labeled *d = read_ok(WRITE("nohdr.tsv", "text\tLabel\nhello\tx\n"));
    if (!d) return;
    CHECK(d->n == 2 && !strcmp(d->text[0], "text") && label_is(d, 0, "Label"));
    attn_labeled_free(d);
}

TEST("CSV: quotes, doubled quotes, commas and newlines inside quotes, CRLF") {
    static const char csv[] = "text,label\r\n"
                              "\"Hello, world\",greet\r\n"
                              "\"She said \"\"hi\"\"\",quote\r\n"
                              "\"two\nlines\",multi\r\n"
                              "plain,\"greet\"\r\n"
                              "\"\"\"\",quote\r\n";
    attn_labeled *d = read_ok(write_file("q.csv", csv, sizeof csv - 1));
    if (!d) return;
    CHECK(d->n == 5);
    CHECK(!strcmp(d->text[0], "Hello, world"));
    CHECK(!strcmp(d->text[1], "She said \"hi\""));
    CHECK(!strcmp(d->text[2], "two\nlines"));
    CHECK(!strcmp(d->text[3], "plain"));
    CHECK(!strcmp(d->text[4], "\""));
    CHECK(d->n_labels == 3 && label_is(d, 0, "greet") && label_is(d, 3, "greet") && label_is(d, 1, "quote"));
    attn_labeled_free(d);
}

TEST("CSV without a header, with a pair; a quoted field keeps its CRLF") {
    static const char csv[] = "\"a\r\nb\",\"c\",1\r\nd,e,2";
    attn_labeled *d = read_ok(write_file("p.csv", csv, sizeof csv - 1));
    if (!d) return;
    CHECK(d->n == 2);
    check_example(d, 0, "a\r\nb", "c", "1");
    check_example(d, 1, "d", "e", "2");
    attn_labeled_free(d);
}

TEST("JSONL: names, pairs, integer labels, blank lines, a byte-order mark, .json") {
    static const char js[] = "\xEF\xBB\xBF{\"text_a\": \"x \\u00e9\", \"text_b\": \"y\", \"label\": 2, \"extra\": [1]}\n"
                             "\n   \r\n"
                             "{\"sentence1\": \"p\", \"sentence2\": \"q\", \"label\": \"10\"}\r\n"
                             "{\"text\": \"m\", \"text_pair\": \"n\", \"label\": -3}";
    attn_labeled *d = read_ok(write_file("a.jsonl", js, sizeof js - 1));
    if (!d) return;
    CHECK(d->n == 3);
    check_example(d, 0, "x \xc3\xa9", "y", "2");
    check_example(d, 1, "p", "q", "10");
    check_example(d, 2, "m", "n", "-3");
    /* numeric order: -3, 2, 10 */
    CHECK(d->n_labels == 3 && !strcmp(d->labels[0], "-3") && !strcmp(d->labels[1], "2") && !strcmp(d->labels[2], "10"));
    CHECK(d->label[0] == 1 && d->label[1] == 2 && d->label[2] == 0);
    attn_labeled_free(d);
    d = read_ok(WRITE("b.JSON", "{\"text\": \"t\", \"label\": \"z\"}\n{\"text\": \"u\", \"label\": \"a\"}\n"));
    if (!d) return;
    CHECK(d->n == 2 && d->text_pair == NULL && label_is(d, 0, "z") && d->label[1] == 0);
    attn_labeled_free(d);
}

/* ---- label ids ----------------------------------------------------------------- */

TEST("integer labels sort by value, of any length; one non-integer makes the order bytewise") {
    attn_labeled *d = read_ok(WRITE("n.tsv", "a\t10\nb\t9\nc\t-2\nd\t100000000000000000000000\ne\t007\nf\t-10\n"));
    if (!d) return;
    static const char *want[] = {"-10", "-2", "007", "9", "10", "100000000000000000000000"};
    CHECK(d->n_labels == 6);
    for (int i = 0; i < 6 && i < d->n_labels; i++) CHECK(!strcmp(d->labels[i], want[i]));
    CHECK(label_is(d, 0, "10") && label_is(d, 4, "007"));
    attn_labeled_free(d);
    d = read_ok(WRITE("m.tsv", "a\t10\nb\t9\nc\tx\n"));
    if (!d) return;
    CHECK(d->n_labels == 3 && !strcmp(d->labels[0], "10") && !strcmp(d->labels[1], "9") && !strcmp(d->labels[2], "x"));
    attn_labeled_free(d);
}

TEST("the same labels in another order give the same ids") {
    attn_labeled *a = read_ok(WRITE("o1.tsv", "t\tb\nt\ta\nt\tc\n"));
    attn_labeled *b = read_ok(WRITE("o2.tsv", "t\tc\nt\tb\nt\ta\n"));
    if (a && b) {
        CHECK(a->n_labels == 3 && b->n_labels == 3);
        for (int i = 0; i < 3; i++) CHECK(!strcmp(a->labels[i], b->labels[i]));
        CHECK(a->label[0] == b->label[1] && a->label[1] == b->label[2] && a->label[2] == b->label[0]);
    }
    attn_labeled_free(a);
    attn_labeled_free(b);
}

TEST("a fixed label set keeps its order, including labels the file lacks") {
    const char *const set[] = {"pos", "neg", "neutral"};
    attn_labeled *d = NULL;
    CHECK_OK(attn_labeled_read(WRITE("f.csv", "x,neg\ny,pos\n"), set, 3, &d));
    if (!d) return;
    CHECK(d->n_labels == 3);
    for (int i = 0; i < 3 && i < d->n_labels; i++) CHECK(!strcmp(d->labels[i], set[i]));
    CHECK(d->label[0] == 1 && d->label[1] == 0);
    attn_labeled_free(d);
}

/* ---- errors ------------------------------------------------------------------------- */

TEST("a missing file, an empty file, a file of blank lines, an unknown extension") {
    expect_error(test_tmp_path("absent.tsv"), NULL, 0, ATTN_ERR_IO, "absent.tsv", NULL);
    expect_error(WRITE("empty.csv", ""), NULL, 0, ATTN_ERR_FORMAT, "no examples", NULL);
    expect_error(WRITE("blank.jsonl", "\n \n\r\n"), NULL, 0, ATTN_ERR_FORMAT, "no examples", NULL);
    expect_error(WRITE("hdr_only.tsv", "text\tlabel\n"), NULL, 0, ATTN_ERR_FORMAT, "no examples", NULL);
    expect_error(WRITE("data.txt", "a\tb\n"), NULL, 0, ATTN_ERR_UNSUPPORTED, ".tsv", NULL);
    expect_error(test_tmpdir(), NULL, 0, ATTN_ERR_UNSUPPORTED, NULL, NULL);
    const char *dir = test_tmp_path("dir.tsv");
    CHECK(mkdir(dir, 0700) == 0);
    expect_error(dir, NULL, 0, ATTN_ERR_IO, NULL, NULL);
}

TEST("missing or extra columns name the line") {
    expect_error(WRITE("one.tsv", "a\tx\nonly text\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2", "1 fields");
    expect_error(WRITE("four.csv", "a,b,c,d\n"), NULL, 0, ATTN_ERR_FORMAT, "line 1", "4 fields");
    expect_error(WRITE("hdr.csv", "text,label\nx,y\n\nz\n"), NULL, 0, ATTN_ERR_FORMAT, "line 4", "expected 2");
    expect_error(WRITE("hdr2.csv", "text,label\nx,y,z\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2", "expected 2");
    expect_error(WRITE("notext.tsv", "review\tlabel\nx\ty\n"), NULL, 0, ATTN_ERR_FORMAT, "line 1", "no text column");
}

TEST("empty text, empty pair and empty label are errors") {
    expect_error(WRITE("et.tsv", "a\tx\n\tx\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2", "empty text");
    expect_error(WRITE("ep.csv", "a,b,x\nc,,x\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2", "empty text pair");
    expect_error(WRITE("el.csv", "a,x\nc,\"\"\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2", "empty label");
    expect_error(WRITE("el.jsonl", "{\"text\": \"a\", \"label\": \"\"}\n"), NULL, 0, ATTN_ERR_FORMAT, "line 1",
                 "empty label");
}

TEST("an unknown label against a fixed set names file, line and label") {
    const char *const set[] = {"pos", "neg"};
    expect_error(WRITE("u.tsv", "a\tpos\nb\tneg\nc\tmaybe\n"), set, 2, ATTN_ERR_FORMAT, "line 3", "\"maybe\"");
    expect_error(WRITE("u.jsonl", "{\"text\": \"a\", \"label\": 1}\n"), set, 2, ATTN_ERR_FORMAT, "line 1", "\"1\"");
    const char *const dup[] = {"pos", "pos"}, *const empty[] = {"pos", ""};
    expect_error(WRITE("ok.tsv", "a\tpos\n"), dup, 2, ATTN_ERR_INVALID_ARG, "twice", NULL);
    expect_error(WRITE("ok.tsv", "a\tpos\n"), empty, 2, ATTN_ERR_INVALID_ARG, "empty", NULL);
}

TEST("invalid UTF-8 and NUL bytes give the line and byte offset") {
    static const char bad[] = "ok\tx\nbad \xC3\x28 text\tx\n";
    expect_error(write_file("u8.tsv", bad, sizeof bad - 1), NULL, 0, ATTN_ERR_FORMAT, "line 2", "byte offset 9 (0xc3)");
    static const char nul[] = "ok,x\nok,x\na\0b,x\n";
    expect_error(write_file("nul.csv", nul, sizeof nul - 1), NULL, 0, ATTN_ERR_FORMAT, "line 3", "NUL");
    static const char sur[] = "{\"text\": \"\\ud800\", \"label\": \"x\"}\n";
    expect_error(write_file("sur.jsonl", sur, sizeof sur - 1), NULL, 0, ATTN_ERR_FORMAT, "line 1", NULL);
    static const char jnul[] = "{\"text\": \"ok\", \"label\": \"x\"}\n{\"text\": \"a\\u0000b\", \"label\": \"x\"}\n";
    expect_error(write_file("jnul.jsonl", jnul, sizeof jnul - 1), NULL, 0, ATTN_ERR_FORMAT, "line 2", "NUL");
    /* an escaped backslash before u0000 is text, not a NUL */
    static const char bs[] = "{\"text\": \"a\\\\u0000b\", \"label\": \"x\"}\n";
    attn_labeled *d = read_ok(write_file("bs.jsonl", bs, sizeof bs - 1));
    if (d) CHECK(!strcmp(d->text[0], "a\\u0000b"));
    attn_labeled_free(d);
}

TEST("an unterminated CSV quote names the line it opens on; text after a closing quote") {
    expect_error(WRITE("uq.csv", "a,x\nb,x\n\"open\nstill open,x\n"), NULL, 0, ATTN_ERR_FORMAT, "line 3", "unterminated");
    expect_error(WRITE("aq.csv", "a,x\n\"b\"c,x\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2", "closing quote");
}

TEST("JSONL lines that are not objects or lack text or label") {
    expect_error(WRITE("j1.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n[1, 2]\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2",
                 "not a JSON object");
    expect_error(WRITE("j2.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"a\"\n"), NULL, 0, ATTN_ERR_FORMAT,
                 "line 2", "not valid JSON");
    expect_error(WRITE("j3.jsonl", "\n{\"review\": \"a\", \"label\": \"x\"}\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2",
                 "no text");
    expect_error(WRITE("j4.jsonl", "{\"text\": \"a\"}\n"), NULL, 0, ATTN_ERR_FORMAT, "line 1", "no \"label\"");
    expect_error(WRITE("j5.jsonl", "{\"text\": \"a\", \"label\": 1.5}\n"), NULL, 0, ATTN_ERR_FORMAT, "line 1",
                 "string or an integer");
    expect_error(WRITE("j6.jsonl", "{\"text\": 3, \"label\": \"x\"}\n"), NULL, 0, ATTN_ERR_FORMAT, "line 1",
                 "not a string");
    expect_error(WRITE("j7.jsonl", "{\"text\": \"a\", \"label\": \"x\"} {\"text\": \"b\", \"label\": \"y\"}\n"), NULL, 0,
                 ATTN_ERR_FORMAT, "line 1", "not valid JSON");
}

TEST("a file mixing rows with and without a pair is an error") {
    expect_error(WRITE("mix.tsv", "a\tx\nb\tc\tx\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2", "text pair");
    expect_error(WRITE("mix.csv", "a,b,x\nc,x\n"), NULL, 0, ATTN_ERR_FORMAT, "line 2", "text pair");
    expect_error(WRITE("mix.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"a\", \"text_b\": \"b\", \"label\": \"x\"}\n"),
                 NULL, 0, ATTN_ERR_FORMAT, "line 2", "line 1");
}

/* ---- hostile input, allocation failures -------------------------------------------------- */

static uint64_t lcg(uint64_t *s) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

TEST("random and mutated files never crash: each read returns OK or a format error") {
    uint64_t s = 12345;
    char buf[512];
    static const char hostile[] = "ab,\t\"\n\r{}:label\\\x80\xC3\xA9 1";
    const char *names[] = {"r.tsv", "r.csv", "r.jsonl"};
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 900; iter++) {
        int format = iter % 3;
        size_t n = 0;
        if (iter % 2) {
            /* well-formed rows, then up to three random bytes replaced */
            for (int r = 0, rows = 1 + (int)(lcg(&s) % 6); r < rows; r++) {
                int w = (int)(lcg(&s) % 3);
                n += (size_t)snprintf(buf + n, sizeof buf - n,
                                      format == 2 ? "{\"text\": \"w%d\", \"label\": %d}\n" : format ? "\"w,%d\",%d\r\n" : "w%d\t%d\n",
                                      r, w);
            }
            for (int m = (int)(lcg(&s) % 4); m > 0; m--) buf[lcg(&s) % n] = hostile[lcg(&s) % (sizeof hostile - 1)];
        } else {
            for (size_t len = (size_t)lcg(&s) % 256; n < len; n++) buf[n] = hostile[lcg(&s) % (sizeof hostile - 1)];
        }
        attn_labeled *d = NULL;
        attn_status st = attn_labeled_read(write_file(names[format], buf, n), NULL, 0, &d);
        CHECK(st == ATTN_OK || st == ATTN_ERR_FORMAT);
        if (st == ATTN_OK) {
            ok++;
            CHECK(d && d->n > 0 && d->n_labels > 0);
            for (int64_t i = 0; d && i < d->n; i++)
                CHECK(d->text[i][0] && d->label[i] >= 0 && d->label[i] < d->n_labels);
        } else {
            bad++;
        }
        attn_labeled_free(d);
    }
    CHECK(bad > 100 && ok > 100);
    fprintf(stderr, "  random files: %d read, %d refused\n", ok, bad);
}

TEST("every allocation failure is reported and nothing leaks") {
    const char *const set[] = {"b", "a"};
    const char *tsv = WRITE("oom.tsv", "x\ty\ta\nu\tv\tb\n"), *js = WRITE("oom.jsonl", "{\"text\":\"t\",\"label\":3}\n");
    int ok_runs = 0, oom_runs = 0;
    for (test_alloc_fail_at = 0; test_alloc_fail_at < 100; test_alloc_fail_at++) {
        attn_labeled *a = NULL, *b = NULL;
        test_alloc_count = 0;
        attn_set_allocator(test_failing_realloc, NULL);
        attn_status st = attn_labeled_read(tsv, set, 2, &a);
        if (st == ATTN_OK) st = attn_labeled_read(js, NULL, 0, &b);
        attn_set_allocator(NULL, NULL);
        CHECK(st == ATTN_OK || st == ATTN_ERR_OUT_OF_MEMORY);
        if (st == ATTN_OK) {
            ok_runs++;
            CHECK(a && a->n == 2 && a->label[0] == 1 && a->label[1] == 0 && !strcmp(a->text_pair[1], "v"));
            CHECK(b && b->n == 1 && !strcmp(b->labels[0], "3"));
        } else {
            oom_runs++;
        }
        attn_labeled_free(a);
        attn_labeled_free(b);
    }
    CHECK(oom_runs > 5 && ok_runs > 0);
}
