/* amino.c — the amino-acid tokenizer for protein language models.
 *
 * A fixed vocabulary: five special tokens, then the 20 standard residues in
 * alphabetical one-letter order, then X:
 *   0 <pad>  1 <cls>  2 <sep>  3 <mask>  4 <|endoftext|>
 *   5 A  6 C  7 D  8 E  9 F  10 G  11 H  12 I  13 K  14 L
 *   15 M 16 N 17 P  18 Q 19 R  20 S  21 T  22 V  23 W  24 Y  25 X
 * Letters are read case-insensitively; U (selenocysteine), Z, O
 * (pyrrolysine), B and every other letter become X, as ProtTrans does.
 * Whitespace (FASTA line breaks) is skipped. Anything else — digits,
 * punctuation such as a '*' stop, non-ASCII — is an error naming its byte,
 * so that a file that is not a sequence is never tokenized silently. The
 * special tokens are matched literally in the text (tokenizer.c). Saved as a
 * tokenizer.json Hugging Face `tokenizers` loads with the same ids: a
 * WordLevel model over every token, a normalizer that drops the whitespace,
 * upper-cases and turns B J O U Z into X, and a Split pre-tokenizer isolating
 * every character (Hugging Face then fails where attn does: on a character
 * that is not a letter). attn's earlier model type "AminoAcid" is still read.
 * Family tags ("<Pkinase>", ProGen's conditioning tokens) are special added
 * tokens after the fixed vocabulary, ids 26, 27, ... in the order they were
 * added; tokenizer.json lists them in "added_tokens" only (not in the
 * WordLevel vocabulary), where Hugging Face gives them the same ids. */
#include "tokenizers/tokenizer_impl.h"

#define N_SPECIAL 5
#define AMINO_V 26
#define X_ID 25

static const char *const SPECIALS[N_SPECIAL] = {"<pad>", "<cls>", "<sep>", "<mask>", ATTN_EOT_TEXT};
static const char RESIDUES[] = "ACDEFGHIKLMNPQRSTVWYX"; /* ids 5.. */

typedef struct amino_tokenizer {
    attn_tokenizer base;
    int8_t letter_id[26];   /* id of each letter A..Z */
} amino_tokenizer;

static const tokenizer_vtable AMINO_VTABLE;

static attn_status amino_encode(const attn_tokenizer *tok, const char *text, size_t len, size_t base, tok_ids *out) {
    const amino_tokenizer *at = (const amino_tokenizer *)tok;
    attn_status st = tok_ids_reserve(out, (int64_t)len);
    if (st) return st;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        if (c >= 'a' && c <= 'z') c = (unsigned char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z') {
            if (c >= 0x20 && c < 0x7f)
                return attn_errorf(ATTN_ERR_INVALID_ARG, "'%c' at byte %zu is not an amino-acid letter", c, base + i);
            return attn_errorf(ATTN_ERR_INVALID_ARG, "byte 0x%02x at byte %zu is not an amino-acid letter", c, base + i);
        }
        out->data[out->n++] = at->letter_id[c - 'A'];
    }
    return ATTN_OK;
}

static attn_status amino_token_bytes(const attn_tokenizer *tok, int32_t id, const char **bytes, size_t *len) {
    if (id >= AMINO_V) {   /* a family tag */
        for (int32_t i = 0; i < tok->n_added; i++)
            if (tok->added[i].id == id) {
                *bytes = tok->added[i].content;
                *len = tok->added[i].len;
                return ATTN_OK;
            }
        return attn_errorf(ATTN_ERR_INVALID_ARG, "amino tokenizer: no token has id %d", (int)id);
    }
    if (id < N_SPECIAL) {
        *bytes = SPECIALS[id];
        *len = strlen(SPECIALS[id]);
    } else {
        *bytes = &RESIDUES[id - N_SPECIAL];
        *len = 1;
    }
    return ATTN_OK;
}

/* {"type": "Replace", "pattern": {kind: pat}, "content": content} appended to seq. */
static bool add_replace(cJSON *seq, const char *kind, const char *pat, const char *content) {
    cJSON *r = cJSON_CreateObject(), *p = NULL;
    if (!r) return false;
    cJSON_AddItemToArray(seq, r);
    return cJSON_AddStringToObject(r, "type", "Replace") && (p = cJSON_AddObjectToObject(r, "pattern")) &&
           cJSON_AddStringToObject(p, kind, pat) && cJSON_AddStringToObject(r, "content", content);
}

static attn_status amino_save(const attn_tokenizer *tok, const char *dir) {
    attn_status st = ATTN_OK;
    char *path = path_join(dir, "tokenizer.json");
    cJSON *root = tokenizer_json_root();
    if (!path || !root) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
        goto done;
    }
    if ((st = tokenizer_json_add_added(tok, root)) != ATTN_OK || (st = tokenizer_json_char_split(root)) != ATTN_OK) goto done;
    cJSON *norm = cJSON_CreateObject(), *seq = NULL;
    bool ok = norm && cJSON_ReplaceItemInObjectCaseSensitive(root, "normalizer", norm);
    if (!ok) cJSON_Delete(norm);
    ok = ok && cJSON_AddStringToObject(norm, "type", "Sequence") && (seq = cJSON_AddArrayToObject(norm, "normalizers")) &&
         add_replace(seq, "Regex", "[ \\t\\n\\r]", "");
    for (int c = 0; ok && c < 26; c++) {
        char lower[2] = {(char)('a' + c), 0}, upper[2] = {(char)('A' + c), 0};
        ok = add_replace(seq, "String", lower, upper);
    }
    ok = ok && add_replace(seq, "Regex", "[BJOUZ]", "X");
    cJSON *model = ok ? cJSON_AddObjectToObject(root, "model") : NULL, *vocab = NULL;
    ok = model && cJSON_AddStringToObject(model, "type", "WordLevel") && (vocab = cJSON_AddObjectToObject(model, "vocab"));
    for (int32_t id = 0; ok && id < AMINO_V; id++) {
        char key[2] = {id >= N_SPECIAL ? RESIDUES[id - N_SPECIAL] : 0, 0};
        ok = cJSON_AddNumberToObject(vocab, id < N_SPECIAL ? SPECIALS[id] : key, id) != NULL;
    }
    /* no "<unk>": Hugging Face then rejects what attn rejects */
    if (!ok || !cJSON_AddStringToObject(model, "unk_token", ATTN_UNK_TEXT)) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building tokenizer.json");
        goto done;
    }
    st = tokenizer_json_write(root, path);
done:
    cJSON_Delete(root);
    attn_free(path);
    return st;
}

static void amino_free(attn_tokenizer *tok) { attn_free(tok); }

static const tokenizer_vtable AMINO_VTABLE = {
    .kind = "amino",
    .encode = amino_encode,
    .decode = NULL,
    .token_bytes = amino_token_bytes,
    .save = amino_save,
    .free = amino_free,
};

attn_status attn_tokenizer_new_amino(attn_tokenizer **out) {
    *out = NULL;
    amino_tokenizer *at = attn_calloc(1, sizeof *at);
    tok_added *added = attn_calloc(N_SPECIAL, sizeof *added);
    if (!at || !added) {
        attn_free(at);
        attn_free(added);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    for (int i = 0; i < N_SPECIAL; i++) {
        added[i].id = i;
        added[i].content = attn_strdup(SPECIALS[i]);
        added[i].len = strlen(SPECIALS[i]);
        added[i].special = true;
        if (!added[i].content) {
            tok_added_free(added, N_SPECIAL);
            attn_free(at);
            return ATTN_ERR_OUT_OF_MEMORY;
        }
    }
    for (int c = 0; c < 26; c++) at->letter_id[c] = X_ID;
    for (int r = 0; r < 20; r++) at->letter_id[RESIDUES[r] - 'A'] = (int8_t)(N_SPECIAL + r);
    at->base.vt = &AMINO_VTABLE;
    at->base.vocab_size = AMINO_V;
    at->base.eot = 4;
    at->base.added = added;
    at->base.n_added = N_SPECIAL;
    *out = &at->base;
    return ATTN_OK;
}

attn_status amino_tokenizer_add_tag(attn_tokenizer *tok, const char *tag, int32_t *id) {
    if (tok->vt != &AMINO_VTABLE)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "family tags need the amino-acid tokenizer (this one is \"%s\")",
                           tok->vt->kind);
    int32_t have = attn_tokenizer_added_id(tok, tag);
    if (have >= 0) {
        *id = have;
        return ATTN_OK;
    }
    size_t n = strlen(tag);
    if (n < 3 || tag[0] != '<' || tag[n - 1] != '>')
        return attn_errorf(ATTN_ERR_INVALID_ARG, "family tag \"%s\" is not of the form <NAME>", tag);
    tok_added *added = attn_realloc(tok->added, (size_t)(tok->n_added + 1) * sizeof *added);
    if (!added) return ATTN_ERR_OUT_OF_MEMORY;
    tok->added = added;
    tok_added *a = &added[tok->n_added];
    if (!(a->content = attn_strdup(tag))) return ATTN_ERR_OUT_OF_MEMORY;
    a->id = tok->vocab_size;
    a->len = n;
    a->special = true;
    tok->n_added++;
    *id = tok->vocab_size++;
    return ATTN_OK;
}

bool amino_json_matches(const cJSON *model) {
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    const cJSON *pad = cJSON_GetObjectItemCaseSensitive(vocab, SPECIALS[0]), *x = cJSON_GetObjectItemCaseSensitive(vocab, "X");
    return cJSON_GetArraySize(vocab) == AMINO_V && cJSON_IsNumber(pad) && pad->valuedouble == 0.0 && cJSON_IsNumber(x) &&
           x->valuedouble == (double)X_ID;
}

attn_status amino_tokenizer_from_json(const cJSON *model, tok_added *added, int32_t n_added, const char *path,
                                      attn_tokenizer **out) {
    *out = NULL;
    attn_status st = ATTN_OK;
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    int n = 0;
    for (const cJSON *v = vocab ? vocab->child : NULL; v; v = v->next, n++) {
        int32_t id;
        /* a WordLevel vocab holds the special tokens too, at their ids */
        bool special = false;
        for (int i = 0; v->string && i < N_SPECIAL; i++)
            special |= !strcmp(v->string, SPECIALS[i]) && tokenizer_json_id(v, &id) && id == i;
        if (special) {
            n--;
            continue;
        }
        const char *pos = v->string ? strchr(RESIDUES, v->string[0]) : NULL;
        if (!pos || !v->string[0] || v->string[1] || !tokenizer_json_id(v, &id) || id != N_SPECIAL + (int32_t)(pos - RESIDUES)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: an AminoAcid vocabulary must map %s to ids 5..25 (entry \"%s\")", path,
                             RESIDUES, v->string ? v->string : "?");
            goto done;
        }
    }
    bool specials_ok = n_added >= N_SPECIAL;
    for (int i = 0; specials_ok && i < N_SPECIAL; i++)
        specials_ok = added[i].id == i && !strcmp(added[i].content, SPECIALS[i]);
    if (n != AMINO_V - N_SPECIAL || !specials_ok) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not attn's amino-acid vocabulary (21 residues, 5 special tokens)", path);
        goto done;
    }
    /* family tags: ids 26, 27, ... in turn (added is sorted by id) */
    for (int32_t i = N_SPECIAL; i < n_added; i++)
        if (added[i].id != AMINO_V + (i - N_SPECIAL)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: added token \"%s\" has id %d; the family tags of an amino-acid "
                             "vocabulary take ids %d, %d, ... in turn", path, added[i].content, (int)added[i].id,
                             AMINO_V, AMINO_V + 1);
            goto done;
        }
    if ((st = attn_tokenizer_new_amino(out)) != ATTN_OK) goto done;
    for (int32_t i = N_SPECIAL; i < n_added && st == ATTN_OK; i++) {
        int32_t id;
        st = amino_tokenizer_add_tag(*out, added[i].content, &id);
    }
    if (st != ATTN_OK) {
        attn_tokenizer_free(*out);
        *out = NULL;
    }
done:
    tok_added_free(added, n_added);
    return st;
}
