/* Status strings and the per-thread last-error message. */
#include "core/core.h"

#include <stdarg.h>

static _Thread_local char last_error[1024];

const char *attn_status_string(attn_status status) {
    switch (status) {
    case ATTN_OK: return "ok";
    case ATTN_DONE: return "done";
    case ATTN_ERR_INVALID_ARG: return "invalid argument";
    case ATTN_ERR_OUT_OF_MEMORY: return "out of memory";
    case ATTN_ERR_IO: return "I/O error";
    case ATTN_ERR_FORMAT: return "bad format";
    case ATTN_ERR_UNSUPPORTED: return "unsupported";
    case ATTN_STATUS_COUNT: break;
    }
    return "unknown status";
}

const char *attn_last_error(void) { return last_error; }

attn_status attn_errorf(attn_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

attn_status error_prefixf(attn_status status, const char *fmt, ...) {
    char prefix[512], msg[sizeof last_error];
    snprintf(msg, sizeof msg, "%s", last_error);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    int n = snprintf(last_error, sizeof last_error, "%s: ", prefix);
    if (n > 0 && (size_t)n < sizeof last_error) memcpy(last_error + n, msg, strnlen(msg, sizeof last_error - (size_t)n - 1) + 1);
    last_error[sizeof last_error - 1] = 0;
    return status;
}
