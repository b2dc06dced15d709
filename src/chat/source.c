/* source.c — where a model keeps its chat template: a model directory
 * (chat_template.jinja, or tokenizer_config.json's "chat_template" with its
 * "bos_token" / "eos_token") or a GGUF file's metadata
 * (tokenizer.chat_template; the special tokens are entries of
 * tokenizer.ggml.tokens named by tokenizer.ggml.bos_token_id /
 * eos_token_id). Only the GGUF header's key-value section is read, with
 * every length checked against the file's size. */
#include "chat/template.h"
#include "io/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GGUF_MAX_STRING ((uint64_t)64 << 20)   /* one metadata string */

/* tokenizer_config.json's token: a string or an AddedToken {"content": ...}. */
static const char *config_token(const cJSON *cfg, const char *key) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (cJSON_IsObject(t)) t = cJSON_GetObjectItemCaseSensitive(t, "content");
    return cJSON_IsString(t) ? t->valuestring : NULL;
}

static attn_status dup_out(const char *s, char **out) {
    if (!s) return ATTN_OK;
    *out = attn_strdup(s);
    return *out ? ATTN_OK : attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
}

static attn_status from_dir(const char *dir, char **source, char **bos, char **eos) {
    attn_status st = ATTN_OK;
    char *jinja = path_join(dir, "chat_template.jinja"), *cfg_path = path_join(dir, "tokenizer_config.json");
    char *text = NULL;
    size_t len = 0;
    cJSON *cfg = NULL;
    if (!jinja || !cfg_path) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    if (file_exists(jinja)) {
        if ((st = file_read_all(jinja, source, &len))) goto done;
    }
    if (file_exists(cfg_path)) {
        if ((st = file_read_all(cfg_path, &text, &len))) goto done;
        unsigned long failures = alloc_failures();
        cfg = cJSON_ParseWithLength(text, len);
        if (!cfg) {
            st = alloc_failures() != failures ? attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory reading %s", cfg_path)
                                              : attn_errorf(ATTN_ERR_FORMAT, "%s: not valid JSON", cfg_path);
            goto done;
        }
        if (!*source) {
            const cJSON *ct = cJSON_GetObjectItemCaseSensitive(cfg, "chat_template");
            if (cJSON_IsArray(ct)) {
                /* [{"name": "default", "template": ...}, {"name": "tool_use", ...}] */
                const cJSON *pick = NULL, *e;
                cJSON_ArrayForEach(e, ct) {
                    const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
                    if (cJSON_IsString(name) && !strcmp(name->valuestring, "default")) pick = e;
                }
                if (!pick) {
                    st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"chat_template\" is a list without a \"default\" entry", cfg_path);
                    goto done;
                }
                ct = cJSON_GetObjectItemCaseSensitive(pick, "template");
            }
            if (ct && !cJSON_IsNull(ct) && !cJSON_IsString(ct)) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"chat_template\" is neither a string nor a list of templates",
                                 cfg_path);
                goto done;
            }
            if (cJSON_IsString(ct) && (st = dup_out(ct->valuestring, source))) goto done;
        }
        if ((st = dup_out(config_token(cfg, "bos_token"), bos)) || (st = dup_out(config_token(cfg, "eos_token"), eos)))
            goto done;
    } else if (!*source && !file_exists(dir)) {
        st = attn_errorf(ATTN_ERR_IO, "%s: no such file or directory", dir);
    }
done:
    cJSON_Delete(cfg);
    attn_free(text);
    attn_free(jinja);
    attn_free(cfg_path);
    return st;
}

/* ---- GGUF metadata ------------------------------------------------------------ */
typedef struct gguf_in {
    FILE *f;
    const char *path;
    uint64_t size;
} gguf_in;

static attn_status g_read(gguf_in *g, void *p, size_t n) {
    if (fread(p, 1, n, g->f) != n) return attn_errorf(ATTN_ERR_FORMAT, "%s: GGUF metadata ends early", g->path);
    return ATTN_OK;
}
static attn_status g_u32(gguf_in *g, uint32_t *v) { return g_read(g, v, 4); }
static attn_status g_u64(gguf_in *g, uint64_t *v) { return g_read(g, v, 8); }

static attn_status g_skip(gguf_in *g, uint64_t n) {
    long pos = ftell(g->f);
    if (pos < 0 || n > g->size || (uint64_t)pos > g->size - n)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: GGUF metadata runs past the end of the file", g->path);
    if (fseek(g->f, (long)n, SEEK_CUR)) return attn_errorf(ATTN_ERR_IO, "%s: %s", g->path, strerror(errno));
    return ATTN_OK;
}

/* A GGUF string (u64 length, bytes) into *out (attn_free it), or skipped
 * when out is NULL. */
static attn_status g_string(gguf_in *g, char **out) {
    uint64_t n;
    attn_status st = g_u64(g, &n);
    if (st) return st;
    if (!out) return g_skip(g, n);
    if (n > GGUF_MAX_STRING || n > g->size)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: a GGUF metadata string of %llu bytes", g->path, (unsigned long long)n);
    char *s = attn_malloc((size_t)n + 1);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    if ((st = g_read(g, s, (size_t)n))) {
        attn_free(s);
        return st;
    }
    s[n] = 0;
    *out = s;
    return ATTN_OK;
}

static const int G_SIZE[13] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
enum { G_STRING = 8, G_ARRAY = 9 };

/* A value of `type`: an integer into *iv when it is one, else skipped. */
static attn_status g_value(gguf_in *g, uint32_t type, int depth, int64_t *iv, bool *is_int) {
    if (is_int) *is_int = false;
    if (type > 12) return attn_errorf(ATTN_ERR_FORMAT, "%s: unknown GGUF value type %u", g->path, type);
    if (type == G_STRING) return g_string(g, NULL);
    if (type == G_ARRAY) {
        uint32_t et;
        uint64_t count;
        attn_status st;
        if ((st = g_u32(g, &et)) || (st = g_u64(g, &count))) return st;
        if (et > 12 || depth > 4) return attn_errorf(ATTN_ERR_FORMAT, "%s: bad GGUF array", g->path);
        if (et != G_STRING && et != G_ARRAY) {
            if (count > g->size) return attn_errorf(ATTN_ERR_FORMAT, "%s: GGUF array too long", g->path);
            return g_skip(g, count * (uint64_t)G_SIZE[et]);
        }
        for (uint64_t i = 0; i < count; i++)
            if ((st = g_value(g, et, depth + 1, NULL, NULL))) return st;
        return ATTN_OK;
    }
    unsigned char b[8] = {0};
    attn_status st = g_read(g, b, (size_t)G_SIZE[type]);
    if (st || !iv) return st;
    int64_t v = 0;
    switch (type) {
    case 0: v = b[0]; break;
    case 1: v = (int8_t)b[0]; break;
    case 2: { uint16_t x; memcpy(&x, b, 2); v = x; break; }
    case 3: { int16_t x; memcpy(&x, b, 2); v = x; break; }
    case 4: { uint32_t x; memcpy(&x, b, 4); v = x; break; }
    case 5: { int32_t x; memcpy(&x, b, 4); v = x; break; }
    case 10: { uint64_t x; memcpy(&x, b, 8); v = x > INT64_MAX ? -1 : (int64_t)x; break; }
    case 11: memcpy(&v, b, 8); break;
    default: return ATTN_OK;
    }
    *iv = v;
    *is_int = true;
    return ATTN_OK;
}

static attn_status from_gguf(const char *path, char **source, char **bos, char **eos) {
    int fd;
    uint64_t size;
    attn_status st = file_open_regular(path, &fd, &size);
    if (st) return st;
    gguf_in g = {fdopen(fd, "rb"), path, size};
    if (!g.f) {
        close(fd);
        return attn_errorf(ATTN_ERR_IO, "%s: %s", path, strerror(errno));
    }
    char magic[4];
    uint32_t version;
    uint64_t n_tensors, n_kv;
    int64_t bos_id = -1, eos_id = -1;
    long tokens_at = -1;
    uint64_t n_tokens = 0;
    char *key = NULL;
    if ((st = g_read(&g, magic, 4)) || memcmp(magic, "GGUF", 4)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not a GGUF file", path);
        goto done;
    }
    if ((st = g_u32(&g, &version)) || (st = g_u64(&g, &n_tensors)) || (st = g_u64(&g, &n_kv))) goto done;
    if (version < 2 || version > 3) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: GGUF version %u (attn reads 2 and 3)", path, version);
        goto done;
    }
    for (uint64_t i = 0; i < n_kv; i++) {
        uint32_t type;
        if ((st = g_string(&g, &key)) || (st = g_u32(&g, &type))) goto done;
        if (!strcmp(key, "tokenizer.chat_template") && type == G_STRING) {
            attn_free(*source);
            *source = NULL;
            if ((st = g_string(&g, source))) goto done;
        } else if (!strcmp(key, "tokenizer.ggml.tokens") && type == G_ARRAY) {
            uint32_t et;
            if ((st = g_u32(&g, &et)) || (st = g_u64(&g, &n_tokens))) goto done;
            if (et != G_STRING) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: tokenizer.ggml.tokens is not a list of strings", path);
                goto done;
            }
            tokens_at = ftell(g.f);
            for (uint64_t k = 0; k < n_tokens; k++)
                if ((st = g_string(&g, NULL))) goto done;
        } else {
            int64_t v;
            bool is_int;
            if ((st = g_value(&g, type, 0, &v, &is_int))) goto done;
            if (is_int && !strcmp(key, "tokenizer.ggml.bos_token_id")) bos_id = v;
            if (is_int && !strcmp(key, "tokenizer.ggml.eos_token_id")) eos_id = v;
        }
        attn_free(key);
        key = NULL;
    }
    /* the special tokens' text */
    for (int k = 0; k < 2 && tokens_at >= 0; k++) {
        int64_t id = k ? eos_id : bos_id;
        if (id < 0 || (uint64_t)id >= n_tokens) continue;
        if (fseek(g.f, tokens_at, SEEK_SET)) {
            st = attn_errorf(ATTN_ERR_IO, "%s: %s", path, strerror(errno));
            goto done;
        }
        for (int64_t j = 0; j < id; j++)
            if ((st = g_string(&g, NULL))) goto done;
        if ((st = g_string(&g, k ? eos : bos))) goto done;
    }
done:
    attn_free(key);
    fclose(g.f);
    if (st) {
        attn_free(*source);
        *source = NULL;
    }
    return st;
}

attn_status attn_chat_template_find(const char *model_path, char **source, char **bos, char **eos) {
    if (!model_path || !source || !bos || !eos) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_template_find: NULL argument");
    *source = *bos = *eos = NULL;
    struct stat sb;
    attn_status st;
    if (stat(model_path, &sb) == 0 && S_ISDIR(sb.st_mode)) st = from_dir(model_path, source, bos, eos);
    else if (stat(model_path, &sb) == 0) st = from_gguf(model_path, source, bos, eos);
    else st = attn_errorf(ATTN_ERR_IO, "%s: %s", model_path, strerror(errno));
    if (st) {
        attn_free(*source);
        attn_free(*bos);
        attn_free(*eos);
        *source = *bos = *eos = NULL;
    }
    return st;
}
