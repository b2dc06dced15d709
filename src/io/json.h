/* json.h — reading config.json fields with one-line errors (cJSON). */
#ifndef ATTN_IO_JSON_H
#define ATTN_IO_JSON_H

#include "core/core.h"

#include <cJSON.h>

/* root[key] as an integer in the int32 range; absent or null leaves *out
 * unchanged unless required (then ATTN_ERR_FORMAT naming path and key). */
attn_status json_int(const cJSON *root, const char *key, bool required, int64_t *out, const char *path);
/* root[key] as a number; absent or null leaves *out unchanged. */
attn_status json_float(const cJSON *root, const char *key, float *out, const char *path);

#endif
