/* fuzz_common.h — what every libFuzzer harness of tests/fuzz shares: a
 * private scratch directory (in /dev/shm when it exists), writing the input
 * to a file there, and an allocator hook that refuses any single allocation
 * over FUZZ_ALLOC_CAP bytes so that a header claiming huge sizes gets the
 * library's clean out-of-memory path instead of exhausting the machine.
 * Included once by each fuzz_<parser>.c; not part of libattn. */
#ifndef ATTN_FUZZ_COMMON_H
#define ATTN_FUZZ_COMMON_H

#include "attn/attn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_ALLOC_CAP ((size_t)256 << 20)

static void *fuzz_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (size > FUZZ_ALLOC_CAP) return NULL;
    return realloc(ptr, size);
}

static char fuzz_dir_buf[256];
static void fuzz_dir_cleanup(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_buf);
    if (fuzz_dir_buf[0] && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", fuzz_dir_buf);
}

/* The harness's scratch directory, made on first use and removed at exit. */
static const char *fuzz_dir(void) {
    if (!fuzz_dir_buf[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir_buf, sizeof fuzz_dir_buf, "%s/attn-fuzz-XXXXXX", base);
        if (!mkdtemp(fuzz_dir_buf)) {
            perror("mkdtemp");
            abort();
        }
        atexit(fuzz_dir_cleanup);
        attn_set_allocator(fuzz_realloc, NULL);
    }
    return fuzz_dir_buf;
}

/* fuzz_dir()/name; a static buffer per call slot (4). */
static const char *fuzz_path(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", fuzz_dir(), name);
    return buf[k];
}

/* Writes data[0..n) to path (replacing it); aborts on failure, which is the
 * harness's fault, not the library's. */
static void fuzz_write(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* A failing call must leave a message behind. */
static void fuzz_check_error(attn_status st) {
    if (st != ATTN_OK && (!attn_last_error() || !attn_last_error()[0])) {
        fprintf(stderr, "status %s without a message\n", attn_status_string(st));
        abort();
    }
}

#endif
