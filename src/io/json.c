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
    unsigned long failures = alloc_failures();
    cJSON *root = cJSON_ParseWithLength(text, len);
    attn_free(text);
    if (!root && alloc_failures() != failures)
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory parsing the JSON", path);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: not a valid JSON object", path);
    }
    *out = root;
    return ATTN_OK;
}

void json_add_item(cJSON *obj, const char *key, cJSON *item) {
    if (!cJSON_AddItemToObject(obj, key, item)) cJSON_Delete(item);
}

cJSON *json_short_number(float x) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.9g", (double)x);
    return cJSON_CreateNumber(strtod(buf, NULL));
}

attn_status json_read_labels(const cJSON *root, int64_t n, const char *path, char ***names) {
    *names = NULL;
    if (n < 1) return ATTN_OK;
    char **out = attn_calloc((size_t)n, sizeof *out);
    if (!out) return ATTN_ERR_OUT_OF_MEMORY;
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "id2label");
    if (map && !cJSON_IsObject(map)) {
        attn_free(out);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: id2label must be an object", path);
    }
    for (int64_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)i);
        const cJSON *v = map ? cJSON_GetObjectItemCaseSensitive(map, key) : NULL;
        if (v && !cJSON_IsString(v)) {
            json_free_labels(out, n);
            return attn_errorf(ATTN_ERR_FORMAT, "%s: id2label[\"%s\"] must be a string", path, key);
        }
        char def[40];
        snprintf(def, sizeof def, "LABEL_%lld", (long long)i);
        if (!(out[i] = attn_strdup(v ? v->valuestring : def))) {
            json_free_labels(out, n);
            return ATTN_ERR_OUT_OF_MEMORY;
        }
    }
    *names = out;
    return ATTN_OK;
}

void json_free_labels(char **names, int64_t n) {
    if (!names) return;
    for (int64_t i = 0; i < n; i++) attn_free(names[i]);
    attn_free(names);
}

void json_add_labels(cJSON *root, char *const *names, int64_t n) {
    cJSON *id2label = cJSON_AddObjectToObject(root, "id2label"), *label2id = cJSON_AddObjectToObject(root, "label2id");
    for (int64_t i = 0; i < n && id2label && label2id; i++) {
        char k[32], def[40];
        snprintf(k, sizeof k, "%lld", (long long)i);
        snprintf(def, sizeof def, "LABEL_%lld", (long long)i);
        const char *v = names && names[i] ? names[i] : def;
        cJSON_AddStringToObject(id2label, k, v);
        cJSON_AddNumberToObject(label2id, v, (double)i);
    }
}
