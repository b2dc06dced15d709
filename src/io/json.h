/* json.h — reading config.json fields with one-line errors (cJSON). */
#ifndef ATTN_IO_JSON_H
#define ATTN_IO_JSON_H

#include "core/core.h"

#include <cJSON.h>
#include <stddef.h>

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

/* A configuration read from config.json by a table: one row per key,
 * naming the field of the configuration struct it fills. Integers must be
 * whole numbers in [lo, hi]; floats finite numbers in [lo, hi] ((lo, hi]
 * with lo_open) that stay finite as a float; JSON_TOKEN is a token id:
 * an integer in [-1, hi], null meaning -1 and a one-element list its
 * element. `below`, when not 0, is 1 + the offset of an int64 field read
 * earlier in the same table that the value must stay below (a token id
 * below vocab_size). An absent (or, except for tokens, null) key leaves
 * its field as it was, unless required. Errors as json_int_in. */
typedef enum json_field_type { JSON_I64, JSON_I32, JSON_F32, JSON_BOOL, JSON_TOKEN } json_field_type;
typedef struct json_field {
    const char *key;
    json_field_type type;
    size_t offset;
    bool required;
    double lo, hi;
    bool lo_open;
    size_t below;
} json_field;
#define JSON_BELOW(type, field) (offsetof(type, field) + 1)
/* Rows of a table over the struct type T. */
#define JSON_KEY_INT(T, key, field, required, lo, hi) {key, JSON_I64, offsetof(T, field), required, lo, hi, false, 0}
#define JSON_KEY_FLOAT(T, key, field, lo, lo_open, hi) {key, JSON_F32, offsetof(T, field), false, lo, hi, lo_open, 0}
#define JSON_KEY_TOKEN(T, key, field, hi, below) {key, JSON_TOKEN, offsetof(T, field), false, -1, hi, false, below}
#define JSON_KEY_BOOL(T, key, field) {key, JSON_BOOL, offsetof(T, field), false, 0, 1, false, 0}
#define JSON_KEYS_END {NULL, JSON_I64, 0, false, 0, 0, false, 0}
/* Reads every row of fields, up to the row whose key is NULL. */
attn_status json_read_fields(const cJSON *root, const json_field *fields, void *cfg, const char *path);
/* Adds every row's field of cfg to root, as config.json holds it (a token
 * id -1 as null, floats as Python prints them). A failed allocation shows
 * in alloc_failures(). */
void json_write_fields(cJSON *root, const json_field *fields, const void *cfg);
/* root[key] when it is a string, else NULL. */
const char *json_string(const cJSON *root, const char *key);

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
