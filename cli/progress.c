/* progress.c — progress reports on stderr for the commands that run long
 * (train, score, translate, tokenizer train), under one rule: on a terminal
 * one line rewritten in place at most every second; elsewhere (a log file,
 * a pipe) a full line at most every 10 seconds. Nothing is shown before the
 * first interval has passed, so a short run stays silent.
 * Testing hook: ATTN_PROGRESS_INTERVAL_MS=n sets both intervals to n
 * milliseconds (0: a report at every opportunity), so a test sees the
 * reports of a log without waiting 10 s. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double cli_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double cli_progress_interval_s(bool tty) {
    const char *v = getenv("ATTN_PROGRESS_INTERVAL_MS");
    if (v && *v) {
        char *end;
        long long ms = strtoll(v, &end, 10);
        if (!*end && ms >= 0) return (double)ms / 1000.0;
    }
    return tty ? 1.0 : 10.0;
}

void cli_progress_start(cli_progress *p) {
    p->tty = isatty(2) != 0;
    p->shown = false;
    p->every = cli_progress_interval_s(p->tty);
    p->t0 = p->last = cli_now_s();
}

bool cli_progress_due(cli_progress *p) {
    double t = cli_now_s();
    if (t - p->last < p->every) return false;
    p->last = t;
    return true;
}

void cli_progress_print(cli_progress *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (p->tty) fputs("\r\033[K", stderr);
    vfprintf(stderr, fmt, ap);
    if (!p->tty) fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
    p->shown = true;
}

void cli_progress_end(cli_progress *p) {
    if (p->shown && p->tty) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = false;
}
