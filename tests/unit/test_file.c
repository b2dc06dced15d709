/* Core file helpers: dir_ensure creates missing parents (mkdir -p), accepts
 * an existing directory and trailing slashes, and refuses a path through or
 * onto a regular file with an error naming it. */
#include "core/core.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
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
