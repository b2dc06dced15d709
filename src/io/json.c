/* json.c — config.json field readers shared by the model loaders. */
#include "io/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

attn_status json_int(const cJSON *root, const char *key, bool required, int64_t *out, const char *path) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) return attn_errorf(ATTN_ERR_FORMAT, "%s: missing \"%s\"", path, key);
        return ATTN_OK;
    }
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || d != floor(d) || d < -2147483648.0 || d > 2147483647.0)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be an integer", path, key);
    *out = (int64_t)d;
    return ATTN_OK;
}

attn_status json_float(const cJSON *root, const char *key, float *out, const char *path) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v || cJSON_IsNull(v)) return ATTN_OK;
    if (!cJSON_IsNumber(v)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be a number", path, key);
    *out = (float)v->valuedouble;
    return ATTN_OK;
}

attn_status json_read_object(const char *path, cJSON **out) {
    char *text = NULL;
    size_t len;
    *out = NULL;
    attn_status st = file_read_all(path, &text, &len);
    if (st) return st;
    cJSON *root = cJSON_ParseWithLength(text, len);
    attn_free(text);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: not a valid JSON object", path);
    }
    *out = root;
    return ATTN_OK;
}

cJSON *json_short_number(float x) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.9g", (double)x);
    return cJSON_CreateNumber(strtod(buf, NULL));
}
