/* Tokenizer parity without Python: attn's ids against the reference ids that
 * tests/ref/gen_tokenizer_refs.py made with Hugging Face `tokenizers` and
 * committed in tests/ref/tokenizers/ — GPT-2 byte-level BPE and the MiniLM
 * (BERT uncased) WordPiece on the Unicode stress text (every id) and on every
 * corpus shipped in data/ (count, FNV-1a hash of all ids, the first ids).
 * A missing corpus is a failure. */
#include "test.h"

#include "attn/tokenizer.h"
#include "core/core.h"

#include <cJSON.h>

#define REFS "tests/ref/tokenizers/refs.json"
#define DATA "data/"

static uint64_t fnv1a64(const int32_t *ids, int64_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int64_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)ids[i];
        for (int b = 0; b < 4; b++) {
            h ^= (v >> (8 * b)) & 0xff;
            h *= 0x100000001b3ULL;
        }
    }
    return h;
}

/* The text of a reference key: a repository path ("tests/..."), a path under
 * data/, or "<tsv>#english" / "#spanish": that column's cells after
 * the header row, each followed by "\n". NULL if the file is missing. */
static char *load_text(const char *key, size_t *len) {
    char path[512];
    const char *hash = strchr(key, '#');
    size_t plen = hash ? (size_t)(hash - key) : strlen(key);
    snprintf(path, sizeof path, "%s%.*s", strncmp(key, "tests/", 6) ? DATA : "", (int)plen, key);
    char *text = NULL;
    if (file_read_all(path, &text, len) != ATTN_OK) return NULL;
    if (!hash) return text;
    int col = !strcmp(hash + 1, "english") ? 1 : 2;
    char *out = attn_malloc(*len + 1);
    size_t k = 0;
    char *line = strchr(text, '\n'); /* skip the header row */
    for (line = line ? line + 1 : text + *len; line < text + *len;) {
        char *end = strchr(line, '\n');
        if (!end) end = text + *len;
        char *cell = line;
        for (int c = 0; c < col && cell; c++) {
            cell = memchr(cell, '\t', (size_t)(end - cell));
            if (cell) cell++;
        }
        if (cell) {
            char *cend = memchr(cell, '\t', (size_t)(end - cell));
            if (!cend) cend = end;
            memcpy(out + k, cell, (size_t)(cend - cell));
            k += (size_t)(cend - cell);
            out[k++] = '\n';
        }
        line = end + 1;
    }
    out[k] = 0;
    attn_free(text);
    *len = k;
    return out;
}

static int32_t *read_id_file(const char *path, int64_t *n) {
    char *text = NULL;
    size_t len;
    CHECK_OK(file_read_all(path, &text, &len));
    if (!text) return NULL;
    int32_t *ids = attn_malloc((len / 2 + 1) * sizeof *ids);
    int64_t k = 0;
    for (char *p = text, *end; *p; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p) break;
        ids[k++] = (int32_t)v;
    }
    attn_free(text);
    *n = k;
    return ids;
}

static void check_one(const attn_tokenizer *tok, const char *tok_name, const char *key, const cJSON *ref, bool special) {
    size_t len;
    char *text = load_text(key, &len);
    CHECK(text != NULL);
    if (!text) {
        printf("%s on %s: the text is missing (data/ holds it in the repository)\n", tok_name, key);
        return;
    }
    int32_t *ids = NULL;
    int64_t n = 0;
    if (special)
        CHECK_OK(attn_tokenizer_encode_pair(tok, text, len, NULL, 0, 0, &ids, NULL, &n));
    else
        CHECK_OK(attn_tokenizer_encode(tok, text, len, &ids, &n));
    int64_t want_n = (int64_t)cJSON_GetObjectItem(ref, "n")->valuedouble;
    char got_hash[17];
    snprintf(got_hash, sizeof got_hash, "%016llx", (unsigned long long)fnv1a64(ids, n));
    const char *want_hash = cJSON_GetObjectItem(ref, "fnv1a64")->valuestring;
    const cJSON *head = cJSON_GetObjectItem(ref, "head");
    int64_t first_diff = -1, i = 0;
    for (const cJSON *h = head ? head->child : NULL; h && i < n; h = h->next, i++)
        if (ids[i] != (int32_t)h->valuedouble) {
            first_diff = i;
            break;
        }
    bool ok = n == want_n && !strcmp(got_hash, want_hash) && first_diff < 0;
    if (!ok)
        fprintf(stderr, "  %s on %s: %lld ids (want %lld), hash %s (want %s), first differing head id %lld\n", tok_name,
                key, (long long)n, (long long)want_n, got_hash, want_hash, (long long)first_diff);
    CHECK(ok);
    attn_free(ids);
    attn_free(text);
}

static void check_all(const char *tok_name, const char *tok_path, const char *stress_ids) {
    char *json = NULL;
    size_t len;
    CHECK_OK(file_read_all(REFS, &json, &len));
    cJSON *root = json ? cJSON_Parse(json) : NULL;
    CHECK(root != NULL);
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load(tok_path, &tok));
    if (root && tok) {
        const cJSON *refs = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "refs"), tok_name);
        int count = 0;
        for (const cJSON *r = refs ? refs->child : NULL; r; r = r->next, count++) check_one(tok, tok_name, r->string, r, false);
        CHECK(count >= 11);
        char special_name[64];
        snprintf(special_name, sizeof special_name, "%s+special", tok_name);
        const cJSON *sp = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "refs"), special_name);
        for (const cJSON *r = sp ? sp->child : NULL; r; r = r->next) check_one(tok, special_name, r->string, r, true);
        /* every id of the stress text */
        int64_t n_want = 0, n = 0;
        int32_t *want = read_id_file(stress_ids, &n_want), *got = NULL;
        char *text = NULL;
        CHECK_OK(file_read_all("tests/data/unicode_stress.txt", &text, &len));
        if (text) CHECK_OK(attn_tokenizer_encode(tok, text, len, &got, &n));
        CHECK(n == n_want && n > 1000);
        int64_t diff = -1;
        for (int64_t i = 0; got && want && i < n && i < n_want; i++)
            if (got[i] != want[i]) {
                diff = i;
                break;
            }
        if (diff >= 0) fprintf(stderr, "  %s stress text: first difference at id %lld: %d, want %d\n", tok_name, (long long)diff, got[diff], want[diff]);
        CHECK(diff < 0);
        attn_free(want);
        attn_free(got);
        attn_free(text);
    }
    attn_tokenizer_free(tok);
    cJSON_Delete(root);
    attn_free(json);
}

TEST("GPT-2 BPE gives Hugging Face's ids on the stress text and every shared corpus") {
    check_all("gpt2", DATA "gpt2-tokenizer", "tests/ref/tokenizers/unicode_stress.gpt2.ids");
}

TEST("BERT WordPiece (MiniLM) gives Hugging Face's ids on the stress text and every shared corpus") {
    check_all("bert", "tests/data/minilm", "tests/ref/tokenizers/unicode_stress.bert.ids");
}
