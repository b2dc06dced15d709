/* attn_set_threads: counts and ATTN_THREADS outside 1..attn_max_threads()
 * (4 x the cores) are errors that change nothing; a valid ATTN_THREADS is
 * used; attn_get_threads() alone falls back to all cores when ATTN_THREADS
 * is not a valid count. */
#include "test.h"

#include <stdlib.h>

TEST("thread counts outside 1..4 x cores are refused") {
    int max = attn_max_threads();
    CHECK(max >= 4);
    unsetenv("ATTN_THREADS");
    CHECK_OK(attn_set_threads(1));
    CHECK(attn_get_threads() == 1);
    CHECK(attn_set_threads(100000) == ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "100000") != NULL);
    CHECK(attn_set_threads(-1) == ATTN_ERR_INVALID_ARG);
    CHECK(attn_set_threads(max + 1) == ATTN_ERR_INVALID_ARG);
    CHECK(attn_get_threads() == 1); /* unchanged */
    CHECK_OK(attn_set_threads(max));
    CHECK(attn_get_threads() == max);
    CHECK_OK(attn_set_threads(1));
}

TEST("ATTN_THREADS is checked when the count is left to it") {
    const char *bad[] = {"100000", "0", "-3", "abc", "2x", "1.5"};
    CHECK_OK(attn_set_threads(1));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("ATTN_THREADS", bad[i], 1);
        CHECK(attn_set_threads(0) == ATTN_ERR_INVALID_ARG);
        CHECK(strstr(attn_last_error(), "ATTN_THREADS") != NULL);
        CHECK(attn_get_threads() == 1);
        CHECK_OK(attn_set_threads(2)); /* an explicit count needs no ATTN_THREADS */
        CHECK(attn_get_threads() == 2);
        CHECK_OK(attn_set_threads(1));
    }
    setenv("ATTN_THREADS", "2", 1);
    CHECK_OK(attn_set_threads(0));
    CHECK(attn_get_threads() == 2);
    unsetenv("ATTN_THREADS");
    CHECK_OK(attn_set_threads(1));
}
