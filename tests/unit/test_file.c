/* Core file helpers: dir_ensure creates missing parents (mkdir -p), accepts
 * an existing directory and trailing slashes, and refuses a path through or
 * onto a regular file with an error naming it. Atomic writes use a
 * temporary name of their own per process and call. */
#include "core/core.h"
#include "data/data_impl.h"
#include "io/safetensors.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

TEST("dir_ensure: nested missing parents, an existing directory, trailing slashes; files refused") {
    char root[] = "/tmp/attn_test_file.XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char a[256], b[256], c[256], f[256], g[256];
    snprintf(a, sizeof a, "%s/x/y/z", root);
    snprintf(b, sizeof b, "%s/x/y/w//", root);
    snprintf(c, sizeof c, "%s/x/y", root);
    snprintf(f, sizeof f, "%s/file", root);
    snprintf(g, sizeof g, "%s/file/sub", root);
    CHECK_OK(dir_ensure(a));
    CHECK(is_dir(a));
    CHECK_OK(dir_ensure(a)); /* again: already there */
    CHECK_OK(dir_ensure(b));
    snprintf(b, sizeof b, "%s/x/y/w", root);
    CHECK(is_dir(b));
    CHECK_OK(dir_ensure(c));
    FILE *fp = fopen(f, "w");
    CHECK(fp != NULL);
    if (fp) fclose(fp);
    CHECK(dir_ensure(f) == ATTN_ERR_IO);
    CHECK(strstr(attn_last_error(), "not a directory") != NULL);
    CHECK(dir_ensure(g) == ATTN_ERR_IO);
    CHECK(strstr(attn_last_error(), "file/sub") != NULL);
    rmdir(a);
    snprintf(b, sizeof b, "%s/x/y/w", root);
    rmdir(b);
    rmdir(c);
    snprintf(c, sizeof c, "%s/x", root);
    rmdir(c);
    unlink(f);
    rmdir(root);
}

static bool file_is(const char *path, const char *want) {
    char buf[64] = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    return n == strlen(want) && !memcmp(buf, want, n);
}

TEST("atomic writes: two writers of one file never share a temporary file; a stale one is skipped") {
    char root[] = "/tmp/attn_test_file.XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char path[256], stale[2][300];
    snprintf(path, sizeof path, "%s/out.json", root);
    atomic_file a, b;
    CHECK_OK(atomic_file_open(&a, path));
    CHECK_OK(atomic_file_open(&b, path));
    CHECK(strcmp(a.tmp_path, b.tmp_path) != 0);
    CHECK_OK(atomic_file_write(&a, "first", 5));
    CHECK_OK(atomic_file_write(&b, "second", 6));
    /* the next temporary name of this process: b's counter + 1 */
    const char *dot = strrchr(b.tmp_path, '.'), *p = dot - 1;
    while (p > b.tmp_path && *p != '.') p--;
    unsigned long long next = strtoull(p + 1, NULL, 10) + 1;
    CHECK_OK(atomic_file_commit(&a));
    CHECK(file_is(path, "first"));
    CHECK_OK(atomic_file_commit(&b)); /* a shared name would be gone: "rename ...: No such file" */
    CHECK(file_is(path, "second"));
    for (int k = 0; k < 2; k++) { /* a crashed process with our pid left these */
        snprintf(stale[k], sizeof stale[k], "%s.%ld.%llu.tmp", path, (long)getpid(), next + (unsigned long long)k);
        FILE *fp = fopen(stale[k], "w");
        CHECK(fp != NULL);
        if (fp) fclose(fp);
    }
    CHECK_OK(file_write_atomic(path, "third", 5));
    CHECK(file_is(path, "third"));
    for (int k = 0; k < 2; k++) {
        CHECK(file_is(stale[k], ""));
        unlink(stale[k]);
    }
    unlink(path);
    rmdir(root);
}

/* A FIFO, a directory or a device where a file is expected: refused at
 * once with "X is not a regular file" (opening a FIFO to read used to wait
 * for a writer forever; the alarm turns such a wait into a failure). The
 * safetensors reader and the shard mapper go through the same check. */
static bool refused_as_not_regular(attn_status st, const char *path) {
    char want[512];
    snprintf(want, sizeof want, "%s is not a regular file", path);
    if (st == ATTN_OK) return false;
    if (!strstr(attn_last_error(), want)) {
        fprintf(stderr, "    error: %s\n", attn_last_error());
        return false;
    }
    return true;
}

TEST("file_read_all, st_open, data_map_file: a FIFO, a directory and /dev/zero are refused without blocking") {
    char root[] = "/tmp/attn_test_fifo.XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char fifo[256], reg[256];
    snprintf(fifo, sizeof fifo, "%s/model.safetensors", root);
    snprintf(reg, sizeof reg, "%s/config.json", root);
    CHECK(mkfifo(fifo, 0600) == 0);
    alarm(20);
    char *text = NULL;
    size_t len = 0;
    CHECK(refused_as_not_regular(file_read_all(fifo, &text, &len), fifo));
    CHECK(text == NULL);
    CHECK(refused_as_not_regular(file_read_all(root, &text, &len), root));
    CHECK(refused_as_not_regular(file_read_all("/dev/zero", &text, &len), "/dev/zero"));
    st_file *f = NULL;
    CHECK(refused_as_not_regular(st_open(fifo, &f), fifo));
    CHECK(f == NULL);
    CHECK(refused_as_not_regular(st_open(root, &f), root));
    void *map = NULL;
    size_t map_len = 0;
    CHECK(refused_as_not_regular(data_map_file(fifo, 8, "token shard", &map, &map_len), fifo));
    alarm(0);
    /* a regular file still reads, whole */
    FILE *w = fopen(reg, "wb");
    CHECK(w != NULL);
    if (w) {
        fputs("{\"n_layer\": 2}", w);
        fclose(w);
    }
    CHECK_OK(file_read_all(reg, &text, &len));
    CHECK(len == 14 && text && !strcmp(text, "{\"n_layer\": 2}"));
    attn_free(text);
    remove(fifo);
    remove(reg);
    rmdir(root);
}
