/* The thread governor (core.h): the thread count of each training step.
 *
 * A step runs on the count in force (at first the requested one). Every
 * `interval` steps one step runs on a neighbouring count instead (a probe:
 * one fewer, or one more when the count in force is below the request),
 * and the count whose time per unit of work measured lowest becomes the
 * count in force when it beats the current one by more than MARGIN. A
 * probe that confirms the count doubles the interval (up to MAX_INTERVAL,
 * so that a quiet machine spends one slower step in MAX_INTERVAL, or
 * BELOW_INTERVAL below the request, which then soon finds the cores free
 * again when the other process ends); a
 * change of count, or a time per unit of the count in force that moves by
 * more than SHIFT from where the last decision saw it (another process
 * started or ended), brings the interval back to MIN_INTERVAL and the next
 * probe forward.
 *
 * Beside a busy process a step on every core waits, at each barrier, for
 * the thread that shares its core, and runs slower than on one core fewer;
 * the kernels give the same bits on any thread count, so the choice changes
 * the speed and nothing else. */
#include "core/core.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

enum { WARMUP = 3, MIN_INTERVAL = 8, BELOW_INTERVAL = 32, MAX_INTERVAL = 256 };
#define MARGIN 0.05
#define SHIFT 0.25

attn_status governor_init(thread_governor *g, int max) {
    *g = (thread_governor){0};
    if (max < 1) max = 1;
    g->max = g->cur = max;
    g->dir = -1;
    g->interval = MIN_INTERVAL;
    g->next_probe = WARMUP + MIN_INTERVAL;
    g->rate = attn_malloc((size_t)(max + 1) * sizeof *g->rate);
    g->when = attn_malloc((size_t)(max + 1) * sizeof *g->when);
    if (!g->rate || !g->when) {
        governor_free(g);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    for (int c = 0; c <= max; c++) {
        g->rate[c] = 0;
        g->when[c] = -1;
    }
    return ATTN_OK;
}

void governor_free(thread_governor *g) {
    attn_free(g->rate);
    attn_free(g->when);
    g->rate = NULL;
    g->when = NULL;
}

int governor_begin(thread_governor *g) {
    int n = g->cur;
    g->probe = 0;
    if (g->max > 1 && g->steps >= g->next_probe) {
        int dir = g->cur == g->max ? -1 : g->cur == 1 ? 1 : g->dir;
        g->probe = g->cur + dir;
        g->dir = -dir; /* the other way next time, where there is one */
        n = g->probe;
    }
    return n;
}

/* Measured within the last two intervals: still describes the machine. */
static bool fresh(const thread_governor *g, int c) {
    return c >= 1 && c <= g->max && g->when[c] >= 0 && g->steps - g->when[c] <= 2 * g->interval + 1;
}

void governor_end(thread_governor *g, double seconds, double work) {
    int n = g->probe ? g->probe : g->cur;
    if (g->steps >= WARMUP && seconds > 0 && work > 0) {
        double x = seconds / work;
        g->rate[n] = fresh(g, n) ? 0.5 * g->rate[n] + 0.5 * x : x;
        g->when[n] = g->steps;
    }
    g->steps++;
    if (g->probe) {
        int best = g->cur;
        for (int c = g->cur - 1; c <= g->cur + 1; c += 2)
            if (fresh(g, c) && fresh(g, best) && g->rate[c] < g->rate[best] * (1 - MARGIN)) best = c;
        if (best != g->cur) {
            g->cur = best;
            g->changes++;
            g->interval = MIN_INTERVAL;
        } else if (g->interval < (g->cur < g->max ? BELOW_INTERVAL : MAX_INTERVAL)) {
            g->interval *= 2;
        }
        g->base = g->rate[g->cur];
        g->next_probe = g->steps + g->interval;
        g->probe = 0;
    } else if (g->base > 0 && g->when[n] == g->steps - 1 &&
               (g->rate[n] > g->base * (1 + SHIFT) || g->rate[n] < g->base * (1 - SHIFT))) {
        g->interval = MIN_INTERVAL;
        g->base = g->rate[n];
        if (g->next_probe > g->steps) g->next_probe = g->steps;
    }
}

void threads_use(int n) {
#ifdef _OPENMP
    if (n >= 1 && !omp_in_parallel() && omp_get_max_threads() != n) omp_set_num_threads(n);
#else
    (void)n;
#endif
}
