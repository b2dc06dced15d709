/* test.h — the unit-test harness: TEST blocks register themselves, CHECK
 * macros count, main() runs every test and prints "N passed, M failed".
 * A test file includes this once and defines no main. */
#ifndef ATTN_TEST_H
#define ATTN_TEST_H

#include "attn/attn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn)(void);
typedef struct test_case { const char *name; test_fn fn; } test_case;

static test_case test_cases[512];
static int test_count;
static int test_failed_checks;
static const char *test_current;

#define TEST_CAT2(a, b) a##b
#define TEST_CAT(a, b) TEST_CAT2(a, b)
#define TEST(title)                                                                   \
    static void TEST_CAT(test_fn_, __LINE__)(void);                                   \
    __attribute__((constructor)) static void TEST_CAT(test_reg_, __LINE__)(void) {    \
        test_cases[test_count].name = title;                                          \
        test_cases[test_count++].fn = TEST_CAT(test_fn_, __LINE__);                   \
    }                                                                                 \
    static void TEST_CAT(test_fn_, __LINE__)(void)

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            test_failed_checks++;                                                    \
            fprintf(stderr, "  FAIL %s:%d [%s]: %s\n", __FILE__, __LINE__, test_current, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_OK(expr)                                                               \
    do {                                                                             \
        attn_status st_ = (expr);                                                    \
        if (st_ != ATTN_OK) {                                                        \
            test_failed_checks++;                                                    \
            fprintf(stderr, "  FAIL %s:%d [%s]: %s -> %s: %s\n", __FILE__, __LINE__,  \
                    test_current, #expr, attn_status_string(st_), attn_last_error());  \
        }                                                                            \
    } while (0)

#define CHECK_STATUS(expr, want)                                                     \
    do {                                                                             \
        attn_status st_ = (expr);                                                    \
        if (st_ != (want)) {                                                         \
            test_failed_checks++;                                                    \
            fprintf(stderr, "  FAIL %s:%d [%s]: %s -> %s (wanted %s): %s\n", __FILE__, \
                    __LINE__, test_current, #expr, attn_status_string(st_),          \
                    attn_status_string(want), attn_last_error());                    \
        }                                                                            \
    } while (0)

/* |a - b| <= tol, reported with values. */
#define CHECK_NEAR(a, b, tol)                                                        \
    do {                                                                             \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);               \
        if (!(fabs(a_ - b_) <= t_)) {                                                \
            test_failed_checks++;                                                    \
            fprintf(stderr, "  FAIL %s:%d [%s]: %s = %.9g, %s = %.9g, |diff| %.3g > %.3g\n", \
                    __FILE__, __LINE__, test_current, #a, a_, #b, b_, fabs(a_ - b_), t_); \
        }                                                                            \
    } while (0)

/* A fresh directory under /tmp for this test binary, removed at exit. */
static char test_tmp_root[64];
static void test_tmp_cleanup(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", test_tmp_root);
}
static inline const char *test_tmpdir(void) {
    if (!test_tmp_root[0]) {
        strcpy(test_tmp_root, "/tmp/attn_test_XXXXXX");
        if (!mkdtemp(test_tmp_root)) test_tmp_root[0] = 0;
        else atexit(test_tmp_cleanup);
    }
    return test_tmp_root;
}
/* test_tmpdir()/name, in one of 8 rotating static buffers. */
static inline const char *test_tmp_path(const char *name) {
    static char buf[8][256];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", test_tmpdir(), name);
    return buf[k];
}

/* An allocator hook (attn_set_allocator) that fails the allocation numbered
 * test_alloc_fail_at, counting from test_alloc_count = 0: set both, run, and
 * restore with attn_set_allocator(NULL, NULL). */
static long test_alloc_count, test_alloc_fail_at;
static inline void *test_failing_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (test_alloc_count++ == test_alloc_fail_at) return NULL;
    return realloc(ptr, size);
}

/* Directory of repository test data, overridable for out-of-tree runs. */
static inline const char *test_data_dir(void) {
    const char *d = getenv("ATTN_TEST_DATA");
    return d ? d : "tests";
}

int main(int argc, char **argv) {
    int passed = 0, failed = 0;
    const char *only = argc > 1 ? argv[1] : NULL;
    for (int i = 0; i < test_count; i++) {
        if (only && !strstr(test_cases[i].name, only)) continue;
        test_current = test_cases[i].name;
        int before = test_failed_checks;
        test_cases[i].fn();
        if (test_failed_checks == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAILED: %s\n", test_cases[i].name);
        }
    }
    printf("%s: %d passed, %d failed\n", argv[0], passed, failed);
    return failed ? 1 : 0;
}

/* An allocator hook (attn_set_allocator) that records the largest single
 * allocation in test_largest_alloc: a loader must refuse a lying checkpoint
 * before it allocates the weights. */
static size_t test_largest_alloc;
static inline void *test_largest_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (size > test_largest_alloc) test_largest_alloc = size;
    return realloc(ptr, size);
}

#endif
