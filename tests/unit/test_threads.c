/* attn_set_threads: counts and ATTN_THREADS outside 1..attn_max_threads()
 * (4 x the cores) are errors that change nothing; a valid ATTN_THREADS is
 * used; attn_get_threads() alone falls back to all cores when ATTN_THREADS
 * is not a valid count; a count whose threads cannot be created is lowered
 * to what can be, so that OpenMP never fails to start a worker. */
#include "test.h"

#include "core/core.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

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

/* Worker stacks that cannot be mapped: OMP_STACKSIZE=100000G (98 TiB, more
 * than half of the 128 TiB address space, so at most one such stack fits,
 * and none where the kernel refuses to commit that much), read by libgomp
 * when it starts, hence a child process. There, asking for 3 threads must
 * succeed with fewer, and a parallel region must then run (libgomp would
 * otherwise print "Thread creation failed" and exit). */
#define CHILD_TEST "threads that cannot be created"
#define CHILD_ENV "ATTN_TEST_THREADS_CHILD"

extern char **environ;

/* Runs this binary's CHILD_TEST with var=value in its environment (and no
 * ATTN_THREADS); its exit status, 128 + the signal, or -1. */
static int child_run(const char *var, const char *value) {
    size_t n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 3, sizeof *env);
    char setting[128], marker[] = CHILD_ENV "=1";
    if (!env) return -1;
    snprintf(setting, sizeof setting, "%s=%s", var, value);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "ATTN_THREADS=", 13) && strncmp(environ[i], "OMP_STACKSIZE=", 14) &&
            strncmp(environ[i], "GOMP_STACKSIZE=", 15))
            env[k++] = environ[i];
    env[k++] = setting;
    env[k++] = marker;
    env[k] = NULL;
    char *argv[] = {"test_threads", CHILD_TEST, NULL};
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) _exit(126);
        execve("/proc/self/exe", argv, env);
        _exit(127);
    }
    free(env);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

TEST(CHILD_TEST) {
    if (getenv(CHILD_ENV)) { /* the child: huge worker stacks */
        CHECK_OK(attn_set_threads(3));
        int n = attn_get_threads();
#ifndef _OPENMP
        CHECK(n == 3); /* no threads to create */
#else
        CHECK(n >= 1 && n < 3);
        CHECK(omp_get_max_threads() == n);
        int team = 0;
#pragma omp parallel
        {
#pragma omp single
            team = omp_get_num_threads();
        }
        CHECK(team == n);
        CHECK_OK(attn_set_threads(0)); /* all cores, lowered the same way */
        CHECK(attn_get_threads() >= 1 && attn_get_threads() <= 2);
#endif
        return;
    }
    CHECK(child_run("OMP_STACKSIZE", "100000G") == 0);
    CHECK(child_run("GOMP_STACKSIZE", " 100000 g ") == 0);
}

/* The thread governor (core.h) on a simulated machine: seconds per token of
 * each count from `cost`, as a function of the step. */
typedef double (*cost_fn)(int threads, int64_t step);

static int64_t govern(thread_governor *g, cost_fn cost, int64_t from, int64_t to, int64_t *on_max) {
    int64_t below = 0;
    for (int64_t s = from; s < to; s++) {
        int n = governor_begin(g);
        CHECK(n >= 1 && n <= g->max);
        if (n < g->max) below++;
        else if (on_max) (*on_max)++;
        governor_end(g, cost(n, s) * 1000.0, 1000.0);
    }
    return below;
}

static double quiet(int n, int64_t s) { return 1.0 / (0.9 * n + 0.1); }                   /* 2 threads 1.8x */
static double busy_then_quiet(int n, int64_t s) { return s < 400 ? (n == 1 ? 1.0 : 1.3) : quiet(n, s); }
static double best_three(int n, int64_t s) { return n == 3 ? 0.5 : n == 2 ? 0.6 : n == 4 ? 0.7 : 1.0; }

TEST("thread governor: a quiet machine stays on every thread, probing ever more rarely") {
    thread_governor g;
    CHECK_OK(governor_init(&g, 2));
    int64_t below = govern(&g, quiet, 0, 2000, NULL);
    CHECK(g.cur == 2);
    CHECK(g.changes == 0);
    /* probes at 11, then intervals 16, 32, ..., 256: 12 in 2000 steps */
    CHECK(below >= 5 && below <= 14);
    fprintf(stderr, "  quiet: %lld of 2000 steps on 1 thread\n", (long long)below);
    governor_free(&g);
}

TEST("thread governor: beside a busy process it moves to the faster count, and back when the process ends") {
    thread_governor g;
    CHECK_OK(governor_init(&g, 2));
    int64_t on_two = 0;
    govern(&g, busy_then_quiet, 0, 30, NULL);
    CHECK(g.cur == 1); /* the first probe (step 11) found 1 thread faster */
    govern(&g, busy_then_quiet, 30, 400, &on_two);
    CHECK(g.cur == 1);
    CHECK(on_two <= 370 / 32 + 4); /* probes only, at most every 32 steps below the request */
    govern(&g, busy_then_quiet, 400, 450, NULL);
    CHECK(g.cur == 2); /* a probe within 32 steps found both threads faster again */
    governor_free(&g);
}

TEST("thread governor: it walks to the best of several counts") {
    thread_governor g;
    CHECK_OK(governor_init(&g, 4));
    govern(&g, best_three, 0, 200, NULL);
    CHECK(g.cur == 3);
    governor_free(&g);
    CHECK_OK(governor_init(&g, 1)); /* one thread: nothing to choose */
    int64_t below = govern(&g, quiet, 0, 100, NULL);
    CHECK(below == 0 && g.cur == 1);
    governor_free(&g);
}
