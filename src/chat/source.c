/* source.c — where a model keeps its chat template: a model directory
 * (chat_template.jinja, or tokenizer_config.json's "chat_template" with its
 * "bos_token" / "eos_token") or a GGUF file's metadata
 * (tokenizer.chat_template; the special tokens are entries of
 * tokenizer.ggml.tokens named by tokenizer.ggml.bos_token_id /
 * eos_token_id), read with io/gguf.c, which validates the whole file. A
 * name without '/' that is no existing path is an installed model's short
 * name (attn_model_find). */
#include "attn/gguf.h"
#include "attn/model.h"
#include "chat/template.h"
#include "io/gguf.h"
#include "io/json.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

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

/* An integer value as a token id; -1 for another type or a negative one. */
static int64_t token_id(const gguf_file *f, const char *key) {
    const gguf_kv *kv = gguf_find(f, key);
    if (!kv) return -1;
    switch (kv->v.type) {
    case GGUF_V_U8: case GGUF_V_U16: case GGUF_V_U32: case GGUF_V_U64:
        return kv->v.u > INT64_MAX ? -1 : (int64_t)kv->v.u;
    case GGUF_V_I8: case GGUF_V_I16: case GGUF_V_I32: case GGUF_V_I64:
        return kv->v.i;
    default:
        return -1;
    }
}

/* The text of token `id` of the tokens list into *out; nothing when the id
 * is absent or not in the list. */
static attn_status token_text(const gguf_value *tokens, int64_t id, char **out) {
    if (!tokens || id < 0 || (uint64_t)id >= tokens->arr.n) return ATTN_OK;
    gguf_str t = gguf_arr_str(tokens, (uint64_t)id);
    char *s = attn_malloc((size_t)t.n + 1);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    memcpy(s, t.p, (size_t)t.n);
    s[t.n] = 0;
    *out = s;
    return ATTN_OK;
}

static attn_status from_gguf(const char *path, char **source, char **bos, char **eos) {
    gguf_file *f = NULL;
    attn_status st = gguf_open(path, &f);
    if (st) return st;
    const gguf_value *tokens = NULL;
    if ((st = attn_gguf_chat_template(f, source))) goto done;
    if (gguf_find(f, "tokenizer.ggml.tokens") &&
        (st = gguf_get_array(f, "tokenizer.ggml.tokens", GGUF_V_STRING, &tokens)))
        goto done;
    if ((st = token_text(tokens, token_id(f, "tokenizer.ggml.bos_token_id"), bos)) ||
        (st = token_text(tokens, token_id(f, "tokenizer.ggml.eos_token_id"), eos)))
        goto done;
done:
    gguf_close(f);
    return st;
}

attn_status attn_chat_template_find(const char *model_path, char **source, char **bos, char **eos) {
    if (!model_path || !source || !bos || !eos) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_template_find: NULL argument");
    *source = *bos = *eos = NULL;
    struct stat sb;
    attn_status st;
    if (stat(model_path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        st = from_dir(model_path, source, bos, eos);
    } else if (stat(model_path, &sb) == 0) {
        st = from_gguf(model_path, source, bos, eos);
    } else if (!strchr(model_path, '/')) { /* an installed model's short name */
        char *found = NULL;
        st = attn_model_find(model_path, &found);
        if (!st) st = attn_chat_template_find(found, source, bos, eos);
        attn_free(found);
    } else {
        st = attn_errorf(ATTN_ERR_IO, "%s: %s", model_path, strerror(errno));
    }
    if (st) {
        attn_free(*source);
        attn_free(*bos);
        attn_free(*eos);
        *source = *bos = *eos = NULL;
    }
    return st;
}
