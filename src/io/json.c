/* json.c — config.json field readers shared by the model loaders. */
#include "io/json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What v is, for an error message: its number, or its JSON type. */
static void describe(const cJSON *v, char *buf, size_t n) {
    if (cJSON_IsNumber(v))
        snprintf(buf, n, "%.17g", v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(buf, n, "a string");
    else if (cJSON_IsBool(v))
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsArray(v))
        snprintf(buf, n, "an array");
    else if (cJSON_IsObject(v))
        snprintf(buf, n, "an object");
    else
        snprintf(buf, n, "not a number");
}

attn_status json_int_in(const cJSON *root, const char *key, bool required, int64_t lo, int64_t hi, int64_t *out,
                        const char *path) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) return attn_errorf(ATTN_ERR_FORMAT, "%s: missing \"%s\"", path, key);
        return ATTN_OK;
    }
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || d != floor(d) || d < (double)lo || d > (double)hi) {
        char got[64];
        describe(v, got, sizeof got);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be an integer in [%lld, %lld], got %s", path, key,
                           (long long)lo, (long long)hi, got);
    }
    *out = (int64_t)d;
    return ATTN_OK;
}

attn_status json_int(const cJSON *root, const char *key, bool required, int64_t *out, const char *path) {
    return json_int_in(root, key, required, INT32_MIN, INT32_MAX, out, path);
}

attn_status json_float_in(const cJSON *root, const char *key, double lo, bool lo_open, double hi, float *out,
                          const char *path) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v || cJSON_IsNull(v)) return ATTN_OK;
    double d = v->valuedouble;
    /* the value as a float must be finite too (1e300 is inf) */
    bool ok = cJSON_IsNumber(v) && isfinite(d) && fabs(d) <= (double)FLT_MAX && (lo_open ? d > lo : d >= lo) && d <= hi;
    if (!ok) {
        char got[64];
        describe(v, got, sizeof got);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be a number in %c%.9g, %.9g], got %s", path, key,
                           lo_open ? '(' : '[', lo, hi, got);
    }
    *out = (float)d;
    return ATTN_OK;
}

attn_status json_float(const cJSON *root, const char *key, float *out, const char *path) {
    return json_float_in(root, key, -(double)FLT_MAX, false, (double)FLT_MAX, out, path);
}

const char *json_string(const cJSON *root, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* root[key] as a token id (see json_field): absent leaves *out. */
static attn_status json_token(const cJSON *root, const char *key, int64_t hi, int64_t *out, const char *path) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) return ATTN_OK;
    if (cJSON_IsNull(v)) {
        *out = -1;
        return ATTN_OK;
    }
    if (cJSON_IsArray(v)) {
        if (cJSON_GetArraySize(v) != 1)
            return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: \"%s\" lists several tokens; one is supported", path, key);
        v = cJSON_GetArrayItem(v, 0);
    }
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || d != floor(d) || d < -1 || d > (double)hi) {
        char got[64];
        describe(v, got, sizeof got);
        return attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be a token id in [-1, %lld], got %s", path, key, (long long)hi,
                           got);
    }
    *out = (int64_t)d;
    return ATTN_OK;
}

attn_status json_read_fields(const cJSON *root, const json_field *fields, void *cfg, const char *path) {
    char *base = cfg;
    for (size_t i = 0; fields[i].key; i++) {
        const json_field *f = &fields[i];
        void *dst = base + f->offset;
        int64_t hi = (int64_t)f->hi, v;
        if (f->below) {
            int64_t lim;
            memcpy(&lim, base + f->below - 1, sizeof lim);
            if (lim - 1 < hi) hi = lim - 1;
        }
        attn_status st = ATTN_OK;
        switch (f->type) {
        case JSON_I64:
            st = json_int_in(root, f->key, f->required, (int64_t)f->lo, hi, (int64_t *)dst, path);
            break;
        case JSON_I32:
        case JSON_TOKEN:
            v = *(int32_t *)dst;
            if (f->type == JSON_TOKEN && !f->required)
                st = json_token(root, f->key, hi, &v, path);
            else
                st = json_int_in(root, f->key, f->required, (int64_t)f->lo, hi, &v, path);
            if (!st) *(int32_t *)dst = (int32_t)v;
            break;
        case JSON_F32:
            if (f->required && !cJSON_GetObjectItemCaseSensitive(root, f->key))
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing \"%s\"", path, f->key);
            else
                st = json_float_in(root, f->key, f->lo, f->lo_open, f->hi, (float *)dst, path);
            break;
        case JSON_BOOL: {
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, f->key);
            if (!b || cJSON_IsNull(b)) {
                if (f->required) st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing \"%s\"", path, f->key);
            } else if (!cJSON_IsBool(b)) {
                char got[64];
                describe(b, got, sizeof got);
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be true or false, got %s", path, f->key, got);
            } else {
                *(bool *)dst = cJSON_IsTrue(b);
            }
            break;
        }
        }
        if (st) return st;
    }
    return ATTN_OK;
}

void json_write_fields(cJSON *root, const json_field *fields, const void *cfg) {
    const char *base = cfg;
    for (size_t i = 0; fields[i].key; i++) {
        const json_field *f = &fields[i];
        const void *src = base + f->offset;
        cJSON *item = NULL;
        switch (f->type) {
        case JSON_I64: item = cJSON_CreateNumber((double)*(const int64_t *)src); break;
        case JSON_I32: item = cJSON_CreateNumber(*(const int32_t *)src); break;
        case JSON_TOKEN: {
            int32_t id = *(const int32_t *)src;
            item = id >= 0 ? cJSON_CreateNumber(id) : cJSON_CreateNull();
            break;
        }
        case JSON_F32: { /* an integral value keeps its ".0": transformers 5's strict configs refuse 0 for a float */
            float x = *(const float *)src;
            char buf[32];
            if (x == floorf(x) && fabsf(x) < 1e15f && snprintf(buf, sizeof buf, "%.1f", (double)x) > 0)
                item = cJSON_CreateRaw(buf);
            else
                item = json_short_number(x);
            break;
        }
        case JSON_BOOL: item = cJSON_CreateBool(*(const bool *)src); break;
        }
        json_add_item(root, f->key, item);
    }
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
