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
/* cJSON_AddItemToObject, deleting item when it cannot be added (cJSON
 * leaves it to the caller when copying the key runs out of memory). */
void json_add_item(cJSON *obj, const char *key, cJSON *item);
/* A float as JSON the way Python prints it (1e-05, not 9.99999974737875e-06). */
cJSON *json_short_number(float x);

/* A classifier's label names from root's "id2label" ({"0": "neg", ...}):
 * *names gets n strings (free with json_free_labels); ids absent from
 * id2label (or no id2label at all) are named "LABEL_<id>" as transformers
 * names them. */
attn_status json_read_labels(const cJSON *root, int64_t n, const char *path, char ***names);
void json_free_labels(char **names, int64_t n);
/* Adds "id2label" and "label2id" for names[0..n) (NULL names: LABEL_<id>). */
void json_add_labels(cJSON *root, char *const *names, int64_t n);

#endif
