/* tokenizer.c — the public tokenizer API over the per-kind vtables.
 *
 * Owns what every kind shares: argument checks, splitting text on added
 * tokens ("<|endoftext|>") before the kind's encoder sees it, decoding by
 * concatenating token bytes, and reading tokenizer.json up to "model" (the
 * layout of Hugging Face `tokenizers`), including "added_tokens". The kinds
 * (char.c; later bpe.c, wordpiece.c) read their own "model" object. */
#include "tokenizers/tokenizer_impl.h"
#include "attn/gguf.h"
#include "attn/model.h" /* attn_model_find (io/catalog.c) */

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/stat.h>

/* ---- id buffer ------------------------------------------------------------- */

/* ---- helpers for the kinds ------------------------------------------------ */

void tok_added_free(tok_added *added, int32_t n) {
    if (!added) return;
    for (int32_t i = 0; i < n; i++) attn_free(added[i].content);
    attn_free(added);
}

attn_status tokenizer_unknown_char(uint32_t cp, size_t at) {
    char buf[5] = {0};
    bool printable = cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0);
    if (printable) {
        int k = utf8_encode(cp, buf);
        buf[k] = 0;
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "character U+%04X '%s' at byte %zu is not in the tokenizer's vocabulary",
                           (unsigned)cp, buf, at);
    }
    return attn_errorf(ATTN_ERR_INVALID_ARG, "character U+%04X at byte %zu is not in the tokenizer's vocabulary",
                       (unsigned)cp, at);
}

bool tokenizer_json_id(const cJSON *item, int32_t *out) {
    if (!cJSON_IsNumber(item)) return false;
    double d = item->valuedouble;
    if (!(d >= 0.0 && d < 2147483647.0)) return false;
    int32_t i = (int32_t)d;
    if ((double)i != d) return false;
    *out = i;
    return true;
}

cJSON *tokenizer_json_root(void) {
    cJSON *root = cJSON_CreateObject();
    if (!root || !cJSON_AddStringToObject(root, "version", "1.0")) {
        cJSON_Delete(root);
        attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
        return NULL;
    }
    return root;
}

attn_status tokenizer_json_add_added(const attn_tokenizer *tok, cJSON *root) {
    cJSON *arr = cJSON_AddArrayToObject(root, "added_tokens");
    if (!arr) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
    for (int32_t i = 0; i < tok->n_added; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
        cJSON_AddItemToArray(arr, o);
        if (!cJSON_AddNumberToObject(o, "id", tok->added[i].id) ||
            !cJSON_AddStringToObject(o, "content", tok->added[i].content) ||
            !cJSON_AddBoolToObject(o, "special", tok->added[i].special))
            return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
    }
    return ATTN_OK;
}

/* The regular expression of one character, any character (newlines too). */
#define CHAR_SPLIT_REGEX "[\\s\\S]"

attn_status tokenizer_json_char_split(cJSON *root) {
    cJSON *pre = NULL, *pat = NULL, *dec = NULL, *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(root, "added_tokens")) {   /* fields tokenizers requires */
        if (!cJSON_AddBoolToObject(o, "single_word", false) || !cJSON_AddBoolToObject(o, "lstrip", false) ||
            !cJSON_AddBoolToObject(o, "rstrip", false) ||
            !cJSON_AddBoolToObject(o, "normalized", !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "special"))))
            return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
    }
    if (!cJSON_AddNullToObject(root, "normalizer") || !(pre = cJSON_AddObjectToObject(root, "pre_tokenizer")) ||
        !cJSON_AddStringToObject(pre, "type", "Split") || !(pat = cJSON_AddObjectToObject(pre, "pattern")) ||
        !cJSON_AddStringToObject(pat, "Regex", CHAR_SPLIT_REGEX) || !cJSON_AddStringToObject(pre, "behavior", "Isolated") ||
        !cJSON_AddFalseToObject(pre, "invert") || !cJSON_AddNullToObject(root, "post_processor") ||
        !(dec = cJSON_AddObjectToObject(root, "decoder")) || !cJSON_AddStringToObject(dec, "type", "Fuse"))
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
    return ATTN_OK;
}

bool tokenizer_json_is_char_split(const cJSON *root) {
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(pre, "type");
    const cJSON *re = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pre, "pattern"), "Regex");
    const cJSON *beh = cJSON_GetObjectItemCaseSensitive(pre, "behavior");
    return cJSON_IsString(type) && !strcmp(type->valuestring, "Split") && cJSON_IsString(re) &&
           !strcmp(re->valuestring, CHAR_SPLIT_REGEX) && cJSON_IsString(beh) && !strcmp(beh->valuestring, "Isolated") &&
           !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pre, "invert"));
}

attn_status tokenizer_json_write(const cJSON *root, const char *path) {
    char *s = cJSON_Print(root);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory printing %s", path);
    size_t n = strlen(s);
    s[n] = '\n';   /* cJSON_Print's buffer ends in the NUL we overwrite; write n+1 bytes */
    attn_status st = file_write_atomic(path, s, n + 1);
    cJSON_free(s);
    return st;
}

/* ---- encode / decode -------------------------------------------------------- */

attn_status tokenizer_encode_append(const attn_tokenizer *tok, const char *text, size_t len, size_t base,
                                    tok_ids *out) {
    if (tok->n_added == 0) return tok->vt->encode(tok, text, len, base, out);

    /* next[k]: offset of the next occurrence of added token k at or after
     * pos (len if none); each is searched again only once pos passes it, so
     * the whole text is scanned about n_added times. */
    size_t *next = attn_malloc((size_t)tok->n_added * sizeof *next);
    if (!next) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    size_t pos = 0;
    for (int32_t k = 0; k < tok->n_added; k++) next[k] = (size_t)-1;
    for (;;) {
        int32_t best = -1;
        for (int32_t k = 0; k < tok->n_added; k++) {
            if (next[k] == (size_t)-1 || next[k] < pos) {
                const tok_added *a = &tok->added[k];
                const char *hit = pos < len ? memmem(text + pos, len - pos, a->content, a->len) : NULL;
                next[k] = hit ? (size_t)(hit - text) : len;
            }
            if (next[k] < len &&
                (best < 0 || next[k] < next[best] ||
                 (next[k] == next[best] && tok->added[k].len > tok->added[best].len)))
                best = k;
        }
        size_t stop = best < 0 ? len : next[best];
        if (stop > pos && (st = tok->vt->encode(tok, text + pos, stop - pos, base + pos, out)) != ATTN_OK) break;
        if (best < 0) break;
        if ((st = tok_ids_reserve(out, 1)) != ATTN_OK) break;
        out->data[out->n++] = tok->added[best].id;
        pos = stop + tok->added[best].len;
    }
    attn_free(next);
    return st;
}

attn_status attn_tokenizer_encode(const attn_tokenizer *tok, const char *text, size_t len, int32_t **ids,
                                  int64_t *n_ids) {
    if (!tok || !ids || !n_ids || (!text && len))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_encode: NULL argument");
    *ids = NULL;
    *n_ids = 0;
    if (len > (size_t)INT64_MAX - 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "text of %zu bytes is too long", len);
    tok_ids v = {0};
    /* Every kind gives at most one id per byte, so this is the only allocation
     * on the common path. */
    attn_status st = tok_ids_reserve(&v, (int64_t)len + 1);
    if (st == ATTN_OK) st = tokenizer_encode_append(tok, text, len, 0, &v);
    if (st != ATTN_OK) {
        attn_free(v.data);
        return st;
    }
    if (v.cap > v.n + 4096) {
        int32_t *d = attn_realloc(v.data, (size_t)(v.n ? v.n : 1) * sizeof(int32_t));
        if (d) v.data = d;   /* a failed shrink keeps the larger buffer */
    }
    *ids = v.data;
    *n_ids = v.n;
    return ATTN_OK;
}

static attn_status check_id(const attn_tokenizer *tok, int32_t id) {
    if (id < 0 || id >= tok->vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "token id %d is outside 0..%d (vocab size %d)", (int)id,
                           (int)tok->vocab_size - 1, (int)tok->vocab_size);
    return ATTN_OK;
}

attn_status attn_tokenizer_token_bytes(const attn_tokenizer *tok, int32_t id, const char **bytes, size_t *len) {
    if (!tok || !bytes || !len) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_token_bytes: NULL argument");
    attn_status st = check_id(tok, id);
    if (st != ATTN_OK) return st;
    return tok->vt->token_bytes(tok, id, bytes, len);
}

attn_status attn_tokenizer_decode(const attn_tokenizer *tok, const int32_t *ids, int64_t n, char **text,
                                  size_t *len) {
    if (!tok || !text || (!ids && n) || n < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_decode: bad argument");
    *text = NULL;
    if (len) *len = 0;
    attn_status st;
    for (int64_t i = 0; i < n; i++)
        if ((st = check_id(tok, ids[i])) != ATTN_OK) return st;
    if (tok->vt->decode) {
        size_t dummy;
        return tok->vt->decode(tok, ids, n, text, len ? len : &dummy);
    }
    size_t total = 0;
    for (int64_t i = 0; i < n; i++) {
        const char *b;
        size_t k;
        if ((st = tok->vt->token_bytes(tok, ids[i], &b, &k)) != ATTN_OK) return st;
        if (total > SIZE_MAX - 1 - k) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "decoded text is too long");
        total += k;
    }
    char *s = attn_malloc(total + 1);
    if (!s) return ATTN_ERR_OUT_OF_MEMORY;
    size_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        const char *b;
        size_t k;
        tok->vt->token_bytes(tok, ids[i], &b, &k);
        memcpy(s + at, b, k);
        at += k;
    }
    s[at] = 0;
    *text = s;
    if (len) *len = at;
    return ATTN_OK;
}

/* ---- lifecycle and properties ---------------------------------------------- */

attn_status attn_tokenizer_new_char(const char *text, size_t len, attn_tokenizer **out) {
    if (!out || (!text && len)) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_new_char: NULL argument");
    *out = NULL;
    return char_tokenizer_new(&text, &len, 1, NULL, out);
}

void attn_tokenizer_free(attn_tokenizer *tok) {
    if (!tok) return;
    tok_added *added = tok->added;
    int32_t n_added = tok->n_added;
    if (tok->vt && tok->vt->free) tok->vt->free(tok);   /* frees tok itself */
    tok_added_free(added, n_added);
}

int32_t attn_tokenizer_vocab_size(const attn_tokenizer *tok) { return tok ? tok->vocab_size : 0; }
int32_t attn_tokenizer_eot(const attn_tokenizer *tok) { return tok ? tok->eot : -1; }
const char *attn_tokenizer_kind(const attn_tokenizer *tok) { return tok ? tok->vt->kind : ""; }

void tokenizer_count_unknown(const attn_tokenizer *tok, int64_t n) {
    /* the object was allocated writable by its kind; only this counter changes */
    if (n) atomic_fetch_add((atomic_llong *)(uintptr_t)&tok->n_unknown, (long long)n);
}

int64_t attn_tokenizer_unknown_count(const attn_tokenizer *tok) { return tok ? (int64_t)atomic_load(&tok->n_unknown) : 0; }

int32_t attn_tokenizer_added_id(const attn_tokenizer *tok, const char *content) {
    if (!tok || !content) return -1;
    for (int32_t i = 0; i < tok->n_added; i++)
        if (!strcmp(tok->added[i].content, content)) return tok->added[i].id;
    return -1;
}

attn_status attn_tokenizer_save(const attn_tokenizer *tok, const char *dir) {
    if (!tok || !dir) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_save: NULL argument");
    attn_status st = dir_ensure(dir);
    if (st != ATTN_OK) return st;
    return tok->vt->save(tok, dir);
}

/* ---- load ------------------------------------------------------------------- */

static attn_status parse_added(const cJSON *arr, const char *path, tok_added **out, int32_t *n_out) {
    *out = NULL;
    *n_out = 0;
    if (!arr) return ATTN_OK;
    if (!cJSON_IsArray(arr)) return attn_errorf(ATTN_ERR_FORMAT, "%s: \"added_tokens\" is not an array", path);
    int n = cJSON_GetArraySize(arr);
    if (n == 0) return ATTN_OK;
    tok_added *added = attn_calloc((size_t)n, sizeof *added);
    if (!added) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    int32_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, arr) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(item, "content");
        const cJSON *special = cJSON_GetObjectItemCaseSensitive(item, "special");
        if (!cJSON_IsObject(item)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: added_tokens[%d] is not an object", path, (int)i);
            goto fail;
        }
        if (!tokenizer_json_id(id, &added[i].id)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: added_tokens[%d] has no integer \"id\" in 0..2^31-2", path, (int)i);
            goto fail;
        }
        if (!cJSON_IsString(content) || !content->valuestring[0]) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: added_tokens[%d] has no non-empty string \"content\"", path, (int)i);
            goto fail;
        }
        size_t len = strlen(content->valuestring);
        if (utf8_validate(content->valuestring, len) != len) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: added_tokens[%d] \"content\" is not valid UTF-8", path, (int)i);
            goto fail;
        }
        if (special && !cJSON_IsBool(special)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: added_tokens[%d] \"special\" is not true/false", path, (int)i);
            goto fail;
        }
        if (!(added[i].content = attn_strdup(content->valuestring))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto fail;
        }
        added[i].len = len;
        added[i].special = special ? cJSON_IsTrue(special) : false;
        i++;
    }
    /* sort by id (few entries) */
    for (int32_t a = 1; a < i; a++)
        for (int32_t b = a; b > 0 && added[b - 1].id > added[b].id; b--) {
            tok_added t = added[b];
            added[b] = added[b - 1];
            added[b - 1] = t;
        }
    *out = added;
    *n_out = i;
    return ATTN_OK;
fail:
    tok_added_free(added, (int32_t)n);
    return st;
}


/* Loads GPT-2's pair of files from dir: `vocab` (NULL: vocab.json or
 * encoder.json) with merges.txt or vocab.bpe. *found is false, and nothing
 * is loaded, when dir lacks either file. */
static attn_status bpe_pair_load(const char *dir, const char *vocab, attn_tokenizer **out, bool *found) {
    static const char *const VOCABS[] = {"vocab.json", "encoder.json"}, *const MERGES[] = {"merges.txt", "vocab.bpe"};
    char *v = NULL, *m = NULL;
    *found = false;
    for (size_t i = 0; i < 2 && !v; i++) {
        if (!(v = vocab ? attn_strdup(vocab) : path_join(dir, VOCABS[i]))) goto oom;
        if (!file_exists(v)) {
            attn_free(v);
            v = NULL;
        }
    }
    for (size_t i = 0; i < 2 && v && !m; i++) {
        if (!(m = path_join(dir, MERGES[i]))) goto oom;
        if (!file_exists(m)) {
            attn_free(m);
            m = NULL;
        }
    }
    attn_status st = ATTN_OK;
    if (v && m) {
        *found = true;
        st = bpe_tokenizer_load_files(v, m, out);
    }
    attn_free(v);
    attn_free(m);
    return st;
oom:
    attn_free(v);
    return ATTN_ERR_OUT_OF_MEMORY;
}

attn_status attn_tokenizer_load(const char *path, attn_tokenizer **out) {
    if (!path || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_load: NULL argument");
    *out = NULL;
    attn_status st = ATTN_OK;
    char *file = NULL, *buf = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    tok_added *added = NULL;
    int32_t n_added = 0;

    struct stat sb;
    if (stat(path, &sb) != 0) {
        int err = errno;
        char *found = NULL;   /* an installed model's short name (attn_model_find) */
        if (!strchr(path, '/') && attn_model_find(path, &found) == ATTN_OK) {
            st = attn_tokenizer_load(found, out);
            attn_free(found);
            return st;
        }
        return attn_errorf(ATTN_ERR_IO, "cannot open tokenizer %s: %s", path, strerror(err));
    }
    if (S_ISDIR(sb.st_mode)) {
        if (!(file = path_join(path, "tokenizer.json"))) return ATTN_ERR_OUT_OF_MEMORY;
        if (!file_exists(file)) {
            /* a BERT directory with only vocab.txt */
            char *vocab_txt = path_join(path, "vocab.txt");
            if (!vocab_txt) {
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto done;
            }
            if (file_exists(vocab_txt)) {
                st = esm_vocab_txt_matches(vocab_txt) ? esm_tokenizer_from_vocab_txt(vocab_txt, out)
                                                      : wordpiece_tokenizer_from_vocab_txt(vocab_txt, out);
                attn_free(vocab_txt);
                goto done;
            }
            attn_free(vocab_txt);
            /* GPT-2's vocab.json + merges.txt (or encoder.json + vocab.bpe) */
            bool found;
            st = bpe_pair_load(path, NULL, out, &found);
            if (!found && !st) st = attn_errorf(ATTN_ERR_IO, "no tokenizer.json in %s", path);   /* st: out of memory */
            goto done;
        }
    } else if (strlen(path) >= 5 && !strcmp(path + strlen(path) - 5, ".gguf")) {
        attn_gguf *g = NULL;   /* a GGUF model file's tokenizer.ggml.* metadata */
        if ((st = attn_gguf_open(path, &g)) == ATTN_OK) st = attn_gguf_tokenizer(g, out);
        attn_gguf_close(g);
        return st;
    } else if (strlen(path) >= 9 && !strcmp(path + strlen(path) - 9, "vocab.txt")) {
        return esm_vocab_txt_matches(path) ? esm_tokenizer_from_vocab_txt(path, out) : wordpiece_tokenizer_from_vocab_txt(path, out);
    } else if ((strlen(path) >= 10 && !strcmp(path + strlen(path) - 10, "vocab.json")) ||
               (strlen(path) >= 12 && !strcmp(path + strlen(path) - 12, "encoder.json"))) {
        const char *slash = strrchr(path, '/');
        char *dir = slash ? attn_malloc((size_t)(slash - path) + 2) : attn_strdup(".");
        if (!dir) return ATTN_ERR_OUT_OF_MEMORY;
        if (slash) {
            memcpy(dir, path, (size_t)(slash - path) + 1);   /* keeps "/" for a file in the root */
            dir[slash - path + 1] = 0;
        }
        bool found;
        st = bpe_pair_load(dir, path, out, &found);
        if (!found && !st) st = attn_errorf(ATTN_ERR_IO, "no merges.txt or vocab.bpe beside %s", path);
        attn_free(dir);
        return st;
    } else if (!(file = attn_strdup(path))) {
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    if ((st = file_read_all(file, &buf, &len)) != ATTN_OK) goto done;

    const char *end = NULL;
    unsigned long failures = alloc_failures();
    root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);   /* +1: the NUL file_read_all adds */
    if (!root && alloc_failures() != failures) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory parsing the JSON", file);
        goto done;
    }
    if (!root) {
        size_t at = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: malformed JSON near byte %zu", file, at);
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: top level is not a JSON object", file);
        goto done;
    }
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!cJSON_IsString(version)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing string field \"version\"", file);
        goto done;
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    if (!cJSON_IsObject(model)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing object field \"model\"", file);
        goto done;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(model, "type");
    if (!cJSON_IsString(type)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: missing string field \"model.type\"", file);
        goto done;
    }
    if ((st = parse_added(cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), file, &added, &n_added)) != ATTN_OK)
        goto done;
    if (!strcmp(type->valuestring, "Char")) {   /* attn's format before WordLevel */
        st = char_tokenizer_from_json(model, false, added, n_added, file, out);
        added = NULL;   /* owned by the kind now */
    } else if (!strcmp(type->valuestring, "WordLevel")) {
        /* attn writes char and amino vocabularies as WordLevel over single characters */
        if (!tokenizer_json_is_char_split(root)) {
            st = attn_errorf(ATTN_ERR_UNSUPPORTED,
                             "%s: a WordLevel tokenizer is read only with the pre_tokenizer attn writes (a Split "
                             "isolating every character)", file);
        } else if (amino_json_matches(model)) {
            st = amino_tokenizer_from_json(model, added, n_added, file, out);
            added = NULL;
        } else {
            st = char_tokenizer_from_json(model, true, added, n_added, file, out);
            added = NULL;
        }
    } else if (!strcmp(type->valuestring, "AminoAcid")) {
        st = amino_tokenizer_from_json(model, added, n_added, file, out);
        added = NULL;   /* owned by the kind now */
    } else if (!strcmp(type->valuestring, "WordPiece")) {
        st = wordpiece_tokenizer_from_json(root, added, n_added, file, out);
        added = NULL;   /* owned by the kind now */
    } else if (!strcmp(type->valuestring, "BPE")) {
        st = bpe_tokenizer_from_json(root, model, added, n_added, file, out);
        added = NULL;   /* owned by the kind now */
    } else if (!strcmp(type->valuestring, "Unigram")) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: tokenizer model type \"%s\" is not supported yet", file,
                         type->valuestring);
    } else {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: unknown tokenizer model type \"%s\"", file, type->valuestring);
    }
done:
    tok_added_free(added, n_added);
    cJSON_Delete(root);
    attn_free(buf);
    attn_free(file);
#ifdef __GLIBC__
    /* the JSON tree was ~4x the tokenizer it became (GPT-2's: 20 MB freed,
     * 5 MB kept): give the freed heap pages back to the system */
    malloc_trim(0);
#endif
    return st;
}

/* Hugging Face's truncate_encodings with TruncationStrategy::LongestFirst
 * (tokenizers utils/truncation.rs): lengths n1 <= n2 of the shorter and the
 * longer; the longer keeps max - n1 if the shorter fits whole; otherwise
 * the shorter keeps max/2 and the longer max/2 + max%2. Equal lengths count
 * a as the shorter, so b keeps the odd token. */
static void truncate_longest_first(int64_t *na, int64_t *nb, int64_t max) {
    if (*na + *nb <= max) return;
    bool swap = *na > *nb;
    int64_t n1 = swap ? *nb : *na, n2 = swap ? *na : *nb;
    n2 = n1 > max ? n1 : ATTN_MAX(n1, max - n1);
    if (n1 + n2 > max) {
        n1 = max / 2;
        n2 = n1 + max % 2;
    }
    int64_t ka = swap ? n2 : n1, kb = swap ? n1 : n2;
    if (*na > ka) *na = ka;
    if (*nb > kb) *nb = kb;
}

attn_status attn_tokenizer_encode_pair(const attn_tokenizer *tok, const char *a, size_t a_len, const char *b, size_t b_len,
                                       int64_t max_len, int32_t **ids, int32_t **type_ids, int64_t *n_ids) {
    if (!tok || !ids || !n_ids || (!a && a_len) || (!b && b_len) || max_len < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_tokenizer_encode_pair: bad argument");
    *ids = NULL;
    if (type_ids) *type_ids = NULL;
    *n_ids = 0;
    bool pair = b != NULL;
    tok_ids va = {0}, vb = {0}, out = {0}, types = {0};
    attn_status st = ATTN_OK;
    int64_t n_special = tok_post_num_special(&tok->post, pair);
    if (max_len > 0 && max_len < n_special) {
        st = attn_errorf(ATTN_ERR_INVALID_ARG,
                         "cannot truncate to %lld token%s: the tokenizer adds %lld special tokens to %s, so the maximum "
                         "length must be at least %lld",
                         (long long)max_len, max_len == 1 ? "" : "s", (long long)n_special,
                         pair ? "a pair of texts" : "a text", (long long)n_special);
        goto done;
    }
    if ((st = tokenizer_encode_append(tok, a ? a : "", a_len, 0, &va)) != ATTN_OK) goto done;
    if (pair && (st = tokenizer_encode_append(tok, b, b_len, 0, &vb)) != ATTN_OK) goto done;
    if (max_len > 0) {
        if (pair) truncate_longest_first(&va.n, &vb.n, max_len - n_special);
        else if (va.n > max_len - n_special) va.n = max_len - n_special;
    }
    st = tok_post_apply(&tok->post, &va, pair ? &vb : NULL, &out, &types);
    if (st != ATTN_OK) goto done;
    if (!out.data && (st = tok_ids_reserve(&out, 1)) != ATTN_OK) goto done;   /* callers attn_free *ids */
    if (type_ids && !types.data && (st = tok_ids_reserve(&types, 1)) != ATTN_OK) goto done;
    *ids = out.data;
    *n_ids = out.n;
    out.data = NULL;
    if (type_ids) {
        *type_ids = types.data;
        types.data = NULL;
    }
done:
    attn_free(va.data);
    attn_free(vb.data);
    attn_free(out.data);
    attn_free(types.data);
    return st;
}
