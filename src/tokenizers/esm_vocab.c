/* esm_vocab.c — ESM's tokenizer (transformers' EsmTokenizer) from its vocab.txt.
 *
 * ESM-2's vocab.txt lists one token per line, the line number its id:
 * <cls> <pad> <eos> <unk>, the residue letters (L A G V S E R T I D P K Q N F
 * Y M H W C X B U Z O), "." and "-", <null_1>, <mask>. EsmTokenizer splits a
 * sequence into those tokens character by character (every token is a
 * no-split token) and frames it as <cls> seq <eos> (a pair: <cls> A <eos> B
 * <eos>). Here the one-character lines become a char-level vocabulary and
 * the longer ones added special tokens, matched literally in the text;
 * whitespace (line breaks between sequences) is dropped, as EsmTokenizer's
 * split drops it, and any other character not in the vocabulary (a
 * lowercase letter, a digit) is <unk>, as EsmTokenizer makes it. A vocab.txt is read as ESM's when its first line
 * is <cls>; BERT's vocab.txt (WordPiece) is read by wordpiece.c. */
#include "tokenizers/tokenizer_impl.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The char tokenizer's functions, with an encode that drops whitespace. */
static tokenizer_vtable esm_vt;
static attn_status (*char_encode)(const attn_tokenizer *, const char *, size_t, size_t, tok_ids *);
static pthread_once_t esm_vt_once = PTHREAD_ONCE_INIT;
static const tokenizer_vtable *esm_char_vt;

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Each run of non-whitespace through the char tokenizer. */
static attn_status esm_encode(const attn_tokenizer *tok, const char *text, size_t len, size_t base, tok_ids *out) {
    for (size_t i = 0; i < len;) {
        while (i < len && is_space(text[i])) i++;
        size_t j = i;
        while (j < len && !is_space(text[j])) j++;
        if (j > i) {
            attn_status st = char_encode(tok, text + i, j - i, base + i, out);
            if (st) return st;
        }
        i = j;
    }
    return ATTN_OK;
}

static void esm_vt_init(void) {
    esm_vt = *esm_char_vt;
    char_encode = esm_char_vt->encode;
    esm_vt.encode = esm_encode;
}

bool esm_vocab_txt_matches(const char *path) {
    /* the first six bytes only, on the stack: an allocation failing here
     * must not pass for "not ESM's" (the loader that follows reports it) */
    char buf[6];
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return len == sizeof buf && !strncmp(buf, "<cls>", 5) && (buf[5] == '\n' || buf[5] == '\r');
}

attn_status esm_tokenizer_from_vocab_txt(const char *path, attn_tokenizer **out) {
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    attn_status st = file_read_all(path, &buf, &len);
    if (st) return st;
    cJSON *model = cJSON_CreateObject(), *vocab = model ? cJSON_AddObjectToObject(model, "vocab") : NULL;
    tok_added *added = NULL;
    int32_t n_added = 0, id = 0, cls = -1, eos = -1;
    bool ok = vocab && cJSON_AddStringToObject(model, "unk_token", "<unk>");
    for (char *line = buf; ok && line < buf + len; id++) {
        char *end = memchr(line, '\n', (size_t)(buf + len - line));
        if (!end) end = buf + len;
        size_t n = (size_t)(end - line);
        if (n && line[n - 1] == '\r') n--;
        char tok[64];
        if (n == 0 || n >= sizeof tok || memchr(line, '\0', n)) { /* a NUL would cut the token short of its length */
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %d is %s", path, (int)id + 1,
                             !n ? "empty" : n >= sizeof tok ? "longer than 63 bytes" : "holding a NUL byte");
            ok = false;
            break;
        }
        memcpy(tok, line, n);
        tok[n] = 0;
        ok = cJSON_AddNumberToObject(vocab, tok, id) != NULL;
        if (ok && n > 1) { /* <cls>, <pad>, <eos>, <unk>, <null_1>, <mask>: special tokens */
            tok_added *a = attn_realloc(added, (size_t)(n_added + 1) * sizeof *a);
            if (!a) {
                ok = false;
                break;
            }
            added = a;
            added[n_added] = (tok_added){id, attn_strdup(tok), n, true};
            ok = added[n_added++].content != NULL;
            if (!strcmp(tok, "<cls>")) cls = id;
            if (!strcmp(tok, "<eos>")) eos = id;
        }
        line = end + 1;
    }
    if (ok && (cls < 0 || eos < 0)) st = attn_errorf(ATTN_ERR_FORMAT, "%s: an ESM vocab.txt needs <cls> and <eos>", path);
    else if (!ok && !st) st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory reading %s", path);
    if (!st) {
        st = char_tokenizer_from_json(model, true, added, n_added, path, out);
        added = NULL; /* owned by the char tokenizer now */
        if (!st) {
            tok_post_bert(&(*out)->post, cls, "<cls>", eos, "<eos>");
            esm_char_vt = (*out)->vt;
            pthread_once(&esm_vt_once, esm_vt_init);
            (*out)->vt = &esm_vt;
        }
    }
    tok_added_free(added, n_added);
    cJSON_Delete(model);
    attn_free(buf);
    return st;
}
