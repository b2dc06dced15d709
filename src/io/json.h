/* json.h — reading config.json fields with one-line errors (cJSON). */
#ifndef ATTN_IO_JSON_H
#define ATTN_IO_JSON_H

#include "core/core.h"

#include <cJSON.h>

/* root[key] as an integer in [lo, hi]; absent or null leaves *out
 * unchanged unless required. Otherwise ATTN_ERR_FORMAT naming path, key,
 * the range and what was there (2.5, -1, a string...). */
attn_status json_int_in(const cJSON *root, const char *key, bool required, int64_t lo, int64_t hi, int64_t *out,
                        const char *path);
/* json_int_in over the int32 range. */
attn_status json_int(const cJSON *root, const char *key, bool required, int64_t *out, const char *path);
/* root[key] as a number in [lo, hi] ((lo, hi] when lo_open) that is finite
 * as a float; absent or null leaves *out unchanged; errors as json_int_in. */
attn_status json_float_in(const cJSON *root, const char *key, double lo, bool lo_open, double hi, float *out,
                          const char *path);
/* json_float_in over the finite floats. */
attn_status json_float(const cJSON *root, const char *key, float *out, const char *path);

/* Bounds for config.json numbers, the loaders' first check (each model
 * kind checks its configuration again as a whole): beyond these no
 * checkpoint attn can hold makes sense. */
#define CFG_MAX_LAYERS 1000
#define CFG_MAX_HEADS 65536
#define CFG_MAX_WIDTH (1 << 20)
#define CFG_MAX_INNER (1 << 22)
#define CFG_MAX_POSITIONS (1 << 20)
#define CFG_MAX_VOCAB (1 << 24)
#define CFG_MAX_EPS 1.0           /* layer norm epsilon: (0, 1] */
#define CFG_MAX_DROPOUT 0.999999  /* dropout: [0, 1) */
#define CFG_MAX_BEAMS 1024
#define CFG_MAX_LENGTH_PENALTY 1e6

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
