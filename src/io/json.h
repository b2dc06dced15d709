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

/* Reads path as one JSON object (ATTN_ERR_FORMAT "not a valid JSON object"
 * otherwise); free *out with cJSON_Delete. */
attn_status json_read_object(const char *path, cJSON **out);
/* A float as JSON the way Python prints it (1e-05, not 9.99999974737875e-06). */
cJSON *json_short_number(float x);

#endif
