/* char.c — the char-level tokenizer: one token per Unicode code point.
 *
 * A vocabulary learned from text is its sorted set of code points, then
 * "<|endoftext|>" and "<unk>" (nanoGPT's shakespeare_char, with an end of
 * text and an unknown token added). Lookup is a direct table for the Basic
 * Multilingual Plane and a binary search over the few code points above it,
 * so encoding costs one UTF-8 decode and one load per character. Text that is
 * not valid UTF-8 is an error. A character the vocabulary lacks becomes
 * "<unk>"; a vocabulary without one (attn wrote none before) skips it. Either
 * way the tokenizer counts it (attn_tokenizer_unknown_count), so that the
 * caller can say so.
 *
 * Saved as a tokenizer.json Hugging Face `tokenizers` loads with the same
 * ids: a WordLevel model whose vocab holds every token (characters and added
 * tokens), "unk_token": "<unk>", a Split pre-tokenizer isolating every
 * character and the Fuse decoder. attn's earlier "Char" model type (vocab of
 * characters only, added tokens apart) is still read. */
#include "tokenizers/tokenizer_impl.h"

#include <stdlib.h>

#define CP_ADDED 0xffffffffu   /* cps[id] of an added token */
#define CP_UNSET 0xfffffffeu   /* not yet seen while loading */
#define BMP_SIZE 65536

typedef struct astral_entry {
    uint32_t cp;
    int32_t id;
} astral_entry;

typedef struct char_tokenizer {
    attn_tokenizer base;
    uint32_t *cps;           /* [V] code point of each id, CP_ADDED for added tokens */
    int32_t *bmp;            /* [65536] id of each BMP code point, -1 if none */
    astral_entry *astral;    /* code points >= 65536, sorted by cp */
    int32_t n_astral;
    char *bytes;             /* token bytes of ids 0..V-1, concatenated */
    size_t *offsets;         /* [V+1] token id's bytes are bytes[offsets[id]..offsets[id+1]) */
    int32_t unk;             /* id of the unknown token, -1 if none */
} char_tokenizer;

static const tokenizer_vtable CHAR_VTABLE;

static int cmp_astral(const void *a, const void *b) {
    uint32_t x = ((const astral_entry *)a)->cp, y = ((const astral_entry *)b)->cp;
    return (x > y) - (x < y);
}

static int32_t lookup(const char_tokenizer *ct, uint32_t cp) {
    if (cp < BMP_SIZE) return ct->bmp[cp];
    int32_t lo = 0, hi = ct->n_astral;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (ct->astral[mid].cp < cp) lo = mid + 1;
        else hi = mid;
    }
    return lo < ct->n_astral && ct->astral[lo].cp == cp ? ct->astral[lo].id : -1;
}

static void char_free(attn_tokenizer *tok) {
    char_tokenizer *ct = (char_tokenizer *)tok;
    attn_free(ct->cps);
    attn_free(ct->bmp);
    attn_free(ct->astral);
    attn_free(ct->bytes);
    attn_free(ct->offsets);
    attn_free(ct);
}

/* Builds the tokenizer from cps[V] (taken over) and the added tokens (taken
 * over); every id is either a code point or an added token, checked by the
 * caller. The added token whose content is unk_name (NULL: "<unk>") is the
 * unknown token. A code point listed twice is an error naming `path`. */
static attn_status char_build(uint32_t *cps, int32_t V, tok_added *added, int32_t n_added, const char *unk_name,
                              const char *path, attn_tokenizer **out) {
    attn_status st = ATTN_OK;
    char_tokenizer *ct = attn_calloc(1, sizeof *ct);
    if (!ct) {
        attn_free(cps);
        tok_added_free(added, n_added);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    ct->base.vt = &CHAR_VTABLE;
    ct->base.vocab_size = V;
    ct->base.eot = -1;
    ct->base.added = added;
    ct->base.n_added = n_added;
    ct->cps = cps;
    ct->unk = -1;
    for (int32_t i = 0; i < n_added; i++) {
        if (!strcmp(added[i].content, ATTN_EOT_TEXT)) ct->base.eot = added[i].id;
        if (!strcmp(added[i].content, unk_name ? unk_name : ATTN_UNK_TEXT)) ct->unk = added[i].id;
    }

    if (!(ct->bmp = attn_malloc(BMP_SIZE * sizeof(int32_t)))) goto oom;
    memset(ct->bmp, 0xff, BMP_SIZE * sizeof(int32_t));   /* -1 */
    int32_t n_astral = 0;
    size_t n_bytes = 0;
    for (int32_t id = 0; id < V; id++) {
        if (cps[id] == CP_ADDED) continue;
        char tmp[4];
        n_bytes += (size_t)utf8_encode(cps[id], tmp);
        if (cps[id] >= BMP_SIZE) n_astral++;
    }
    for (int32_t i = 0; i < n_added; i++) n_bytes += added[i].len;
    if (n_astral && !(ct->astral = attn_calloc((size_t)n_astral, sizeof *ct->astral))) goto oom;
    if (!(ct->bytes = attn_malloc(n_bytes))) goto oom;
    if (!(ct->offsets = attn_calloc((size_t)V + 1, sizeof *ct->offsets))) goto oom;

    size_t at = 0;
    int32_t k = 0, next_added = 0;
    for (int32_t id = 0; id < V; id++) {
        ct->offsets[id] = at;
        uint32_t cp = cps[id];
        if (cp == CP_ADDED) {
            while (next_added < n_added && added[next_added].id != id) next_added++;
            if (next_added == n_added) {   /* cannot happen: callers mark only added ids */
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: id %d has no token", path, (int)id);
                goto fail;
            }
            memcpy(ct->bytes + at, added[next_added].content, added[next_added].len);
            at += added[next_added].len;
            continue;
        }
        at += (size_t)utf8_encode(cp, ct->bytes + at);
        if (cp < BMP_SIZE) {
            if (ct->bmp[cp] >= 0) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: character U+%04X appears twice in model.vocab (ids %d and %d)",
                                 path, (unsigned)cp, (int)ct->bmp[cp], (int)id);
                goto fail;
            }
            ct->bmp[cp] = id;
        } else {
            ct->astral[k].cp = cp;
            ct->astral[k++].id = id;
        }
    }
    ct->offsets[V] = at;
    ct->n_astral = n_astral;
    if (n_astral) {
        qsort(ct->astral, (size_t)n_astral, sizeof *ct->astral, cmp_astral);
        for (int32_t i = 1; i < n_astral; i++)
            if (ct->astral[i].cp == ct->astral[i - 1].cp) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: character U+%04X appears twice in model.vocab", path,
                                 (unsigned)ct->astral[i].cp);
                goto fail;
            }
    }
    *out = &ct->base;
    return ATTN_OK;

oom:
    st = ATTN_ERR_OUT_OF_MEMORY;
fail:
    attn_tokenizer_free(&ct->base);
    return st;
}

/* ---- learn from text -------------------------------------------------------- */

attn_status char_tokenizer_new(const char *const *texts, const size_t *lens, int n_texts, const char *const *names,
                               attn_tokenizer **out) {
    *out = NULL;
    size_t total = 0;
    for (int t = 0; t < n_texts; t++) total += lens[t];
    if (total == 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "cannot build a char vocabulary from empty text");

    /* one bit per code point U+0000..U+10FFFF */
    unsigned char *seen = attn_calloc(0x110000 / 8, 1);
    if (!seen) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    for (int t = 0; t < n_texts && st == ATTN_OK; t++) {
        const unsigned char *s = (const unsigned char *)texts[t];
        size_t n = lens[t], i = 0;
        const char *name = names ? names[t] : NULL;
        while (i < n) {
            uint32_t cp = s[i];
            int k = 1;
            if (cp >= 0x80 && !(k = utf8_decode(s + i, n - i, &cp))) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s%sinvalid UTF-8 at byte %zu (0x%02x)", name ? name : "",
                                 name ? ": " : "", i, (unsigned)s[i]);
                break;
            }
            if (cp == 0) {
                st = attn_errorf(ATTN_ERR_UNSUPPORTED,
                                 "%s%sNUL byte at byte %zu: a char tokenizer cannot hold U+0000", name ? name : "",
                                 name ? ": " : "", i);
                break;
            }
            seen[cp >> 3] |= (unsigned char)(1u << (cp & 7));
            i += (size_t)k;
        }
    }
    if (st != ATTN_OK) {
        attn_free(seen);
        return st;
    }
    int32_t n_chars = 0;
    for (uint32_t cp = 0; cp < 0x110000; cp++) n_chars += (seen[cp >> 3] >> (cp & 7)) & 1;
    int32_t V = n_chars + 2;
    uint32_t *cps = attn_malloc((size_t)V * sizeof *cps);
    tok_added *added = attn_calloc(2, sizeof *added);
    char *eot = attn_strdup(ATTN_EOT_TEXT), *unk = attn_strdup(ATTN_UNK_TEXT);
    if (!cps || !added || !eot || !unk) {
        attn_free(seen);
        attn_free(cps);
        attn_free(added);
        attn_free(eot);
        attn_free(unk);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    int32_t id = 0;
    for (uint32_t cp = 0; cp < 0x110000; cp++)
        if ((seen[cp >> 3] >> (cp & 7)) & 1) cps[id++] = cp;
    attn_free(seen);
    cps[n_chars] = cps[n_chars + 1] = CP_ADDED;
    added[0] = (tok_added){.id = n_chars, .content = eot, .len = strlen(eot), .special = true};
    added[1] = (tok_added){.id = n_chars + 1, .content = unk, .len = strlen(unk), .special = true};
    return char_build(cps, V, added, 2, NULL, "text", out);
}

/* ---- tokenizer.json ------------------------------------------------------- */

/* The added token whose content and id are key and id, or NULL. */
static const tok_added *added_match(const tok_added *added, int32_t n_added, const char *key, int32_t id) {
    for (int32_t i = 0; i < n_added; i++)
        if (added[i].id == id && !strcmp(added[i].content, key)) return &added[i];
    return NULL;
}

attn_status char_tokenizer_from_json(const cJSON *model, bool word_level, tok_added *added, int32_t n_added,
                                     const char *path, attn_tokenizer **out) {
    *out = NULL;
    attn_status st = ATTN_OK;
    uint32_t *cps = NULL;
    const char *unk_name = NULL;
    if (word_level) {
        const cJSON *unk = cJSON_GetObjectItemCaseSensitive(model, "unk_token");
        if (unk && !cJSON_IsNull(unk) && !cJSON_IsString(unk)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"model.unk_token\" is not a string", path);
            goto fail;
        }
        unk_name = cJSON_IsString(unk) ? unk->valuestring : ATTN_UNK_TEXT;   /* Hugging Face's default */
    }
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    if (!cJSON_IsObject(vocab)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"model.vocab\" is missing or not an object", path);
        goto fail;
    }
    int n = cJSON_GetArraySize(vocab);
    if (n == 0) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"model.vocab\" is empty", path);
        goto fail;
    }
    if (word_level) {   /* the added tokens are in the vocab too: count them once */
        const cJSON *it;
        cJSON_ArrayForEach(it, vocab) {
            int32_t id;
            if (it->string && tokenizer_json_id(it, &id) && added_match(added, n_added, it->string, id)) n--;
        }
    }
    if ((int64_t)n + n_added > INT32_MAX - 1) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: too many tokens", path);
        goto fail;
    }
    int32_t V = (int32_t)n + n_added;
    if (!(cps = attn_malloc((size_t)V * sizeof *cps))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (int32_t i = 0; i < V; i++) cps[i] = CP_UNSET;

    const cJSON *item;
    cJSON_ArrayForEach(item, vocab) {
        const char *key = item->string ? item->string : "";
        size_t klen = strlen(key);
        int32_t aid;
        if (word_level && tokenizer_json_id(item, &aid) && added_match(added, n_added, key, aid)) continue;
        uint32_t cp = 0;
        int k = utf8_decode((const unsigned char *)key, klen, &cp);
        if (k == 0 || (size_t)k != klen) {
            bool ok = utf8_validate(key, klen) == klen;
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: model.vocab key \"%.40s\" is not exactly one character", path,
                             ok ? key : "<invalid UTF-8>");
            goto fail;
        }
        int32_t id;
        if (!tokenizer_json_id(item, &id)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: model.vocab[\"%s\"] is not an integer id", path, key);
            goto fail;
        }
        if (id >= V) {
            st = attn_errorf(ATTN_ERR_FORMAT,
                             "%s: model.vocab[\"%s\"] = %d, but ids must be 0..%d without gaps (%d tokens)", path, key,
                             (int)id, (int)V - 1, (int)V);
            goto fail;
        }
        if (cps[id] != CP_UNSET) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: id %d is used twice in model.vocab", path, (int)id);
            goto fail;
        }
        cps[id] = cp;
    }
    for (int32_t i = 0; i < n_added; i++) {
        int32_t id = added[i].id;
        if (id >= V) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: added token \"%s\" has id %d, but ids must be 0..%d without gaps",
                             path, added[i].content, (int)id, (int)V - 1);
            goto fail;
        }
        if (cps[id] != CP_UNSET) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: id %d of added token \"%s\" is already used", path, (int)id,
                             added[i].content);
            goto fail;
        }
        cps[id] = CP_ADDED;
    }
    /* n + n_added ids, all distinct and < V: 0..V-1 are all covered. */
    return char_build(cps, V, added, n_added, unk_name, path, out);
fail:
    attn_free(cps);
    tok_added_free(added, n_added);
    return st;
}

/* Content of added token id (which is one). */
static const char *added_content(const attn_tokenizer *tok, int32_t id) {
    for (int32_t i = 0; i < tok->n_added; i++)
        if (tok->added[i].id == id) return tok->added[i].content;
    return "";
}

static attn_status char_save(const attn_tokenizer *tok, const char *dir) {
    const char_tokenizer *ct = (const char_tokenizer *)tok;
    attn_status st = ATTN_OK;
    char *path = path_join(dir, "tokenizer.json");
    cJSON *root = tokenizer_json_root();
    if (!path || !root) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    /* added_tokens first, as Hugging Face writes them */
    if ((st = tokenizer_json_add_added(tok, root)) != ATTN_OK) goto done;
    cJSON *vocab = NULL, *model = NULL;
    if ((st = tokenizer_json_char_split(root)) != ATTN_OK) goto done;
    if ((model = cJSON_AddObjectToObject(root, "model")) && cJSON_AddStringToObject(model, "type", "WordLevel") &&
        (vocab = cJSON_AddObjectToObject(model, "vocab")))
        for (int32_t id = 0; id < tok->vocab_size && vocab; id++) {
            char key[5];
            const char *k = key;
            if (ct->cps[id] == CP_ADDED) k = added_content(tok, id);
            else key[utf8_encode(ct->cps[id], key)] = 0;
            if (!cJSON_AddNumberToObject(vocab, k, id)) vocab = NULL;
        }
    /* Hugging Face requires an unk_token string; "<unk>" is its default, and a
     * vocabulary without one is an error there only for a character it lacks */
    if (!vocab || !cJSON_AddStringToObject(model, "unk_token", ct->unk >= 0 ? added_content(tok, ct->unk) : ATTN_UNK_TEXT)) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
        goto done;
    }
    st = tokenizer_json_write(root, path);
done:
    cJSON_Delete(root);
    attn_free(path);
    return st;
}

/* ---- encode ------------------------------------------------------------------- */

static attn_status char_encode(const attn_tokenizer *tok, const char *text, size_t len, size_t base, tok_ids *out) {
    const char_tokenizer *ct = (const char_tokenizer *)tok;
    if (len > (size_t)INT64_MAX) return attn_errorf(ATTN_ERR_INVALID_ARG, "text too long");
    attn_status st = tok_ids_reserve(out, (int64_t)len);   /* at most one id per byte */
    if (st != ATTN_OK) return st;
    const unsigned char *s = (const unsigned char *)text;
    int32_t *dst = out->data + out->n;
    const int32_t *bmp = ct->bmp;
    size_t i = 0;
    int64_t unknown = 0;
    while (i < len) {
        uint32_t cp = s[i];
        int k = 1;
        if (cp >= 0x80 && !(k = utf8_decode(s + i, len - i, &cp))) {
            out->n = dst - out->data;
            tokenizer_count_unknown(tok, unknown);
            return attn_errorf(ATTN_ERR_FORMAT, "invalid UTF-8 at byte %zu (0x%02x)", base + i, (unsigned)s[i]);
        }
        int32_t id = cp < BMP_SIZE ? bmp[cp] : lookup(ct, cp);
        i += (size_t)k;
        if (id < 0) {
            unknown++;
            if ((id = ct->unk) < 0) continue;
        }
        *dst++ = id;
    }
    out->n = dst - out->data;
    tokenizer_count_unknown(tok, unknown);
    return ATTN_OK;
}

static attn_status char_token_bytes(const attn_tokenizer *tok, int32_t id, const char **bytes, size_t *len) {
    const char_tokenizer *ct = (const char_tokenizer *)tok;
    *bytes = ct->bytes + ct->offsets[id];
    *len = ct->offsets[id + 1] - ct->offsets[id];
    return ATTN_OK;
}

static const tokenizer_vtable CHAR_VTABLE = {
    .kind = "char",
    .encode = char_encode,
    .decode = NULL,
    .token_bytes = char_token_bytes,
    .save = char_save,
    .free = char_free,
};
