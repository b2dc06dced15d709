/* prepare.c — text files -> train/val token shards + tokenizer + meta.json.
 *
 * The split and the placement of end-of-text tokens are specified atop
 * include/attn/data.h. Every input is read and checked (exists, non-empty,
 * valid UTF-8) before anything is written, so a bad input leaves out_dir
 * untouched; outputs are each written atomically. */
#include "attn/data.h"
#include "data/data_impl.h"
#include "data/fasta.h"
#include "tokenizers/tokenizers.h"


attn_prepare_params attn_prepare_default_params(void) {
    attn_prepare_params p;
    memset(&p, 0, sizeof p);
    p.tokenizer = "char";
    p.val_fraction = 0.1;
    return p;
}

/* Byte offset where a document's validation part starts (len: none). */
static size_t split_point(const char *text, size_t len, double val_fraction) {
    if (val_fraction <= 0.0) return len;
    size_t p = (size_t)((double)len * (1.0 - val_fraction));
    if (p >= len) return len;
    const char *nl = memchr(text + p, '\n', len - p);
    if (nl) return (size_t)(nl - text) + 1;
    while (p < len && ((unsigned char)text[p] & 0xc0) == 0x80) p++;   /* next code-point start */
    return p;
}

attn_status data_dirs_ensure(const char *path) {
    char *copy = attn_strdup(path);
    if (!copy) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    for (char *q = copy + 1; *q && st == ATTN_OK; q++) {
        if (*q != '/' || q[-1] == '/') continue;
        *q = 0;
        st = dir_ensure(copy);
        *q = '/';
    }
    if (st == ATTN_OK) st = dir_ensure(copy);
    attn_free(copy);
    return st;
}

static attn_status push_id(tok_ids *v, int32_t eot) {
    attn_status st = tok_ids_reserve(v, 1);
    if (st == ATTN_OK) v->data[v->n++] = eot;
    return st;
}

static attn_status write_meta(const char *out_dir, const attn_tokenizer *tok, const attn_prepare_params *p,
                              int64_t n_train, int64_t n_val) {
    attn_status st = ATTN_OK;
    char *path = path_join(out_dir, "meta.json");
    cJSON *root = cJSON_CreateObject();
    cJSON *inputs = NULL;
    if (!path || !root || !cJSON_AddStringToObject(root, "tokenizer", attn_tokenizer_kind(tok)) ||
        !cJSON_AddNumberToObject(root, "vocab_size", attn_tokenizer_vocab_size(tok)) ||
        !cJSON_AddNumberToObject(root, "n_train", (double)n_train) ||
        !cJSON_AddNumberToObject(root, "n_val", (double)n_val) ||
        !cJSON_AddNumberToObject(root, "val_fraction", p->val_fraction) ||
        !(inputs = cJSON_AddArrayToObject(root, "inputs"))) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building meta.json");
        goto done;
    }
    for (int i = 0; i < p->n_inputs; i++) {
        cJSON *s = cJSON_CreateString(p->inputs[i]);
        if (!s) {
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building meta.json");
            goto done;
        }
        cJSON_AddItemToArray(inputs, s);
    }
    st = tokenizer_json_write(root, path);
done:
    cJSON_Delete(root);
    attn_free(path);
    return st;
}

/* One FASTA / Stockholm file: each sequence a document ([tag] residues eot),
 * the last floor(n * val_fraction) into val. */
static attn_status prepare_sequences(const attn_prepare_params *p, attn_tokenizer *tok, const char *name,
                                     const char *text, size_t len, seq_format fmt, int32_t eot, tok_ids *train,
                                     tok_ids *val, int64_t *n_seqs) {
    seq_list seqs;
    memset(&seqs, 0, sizeof seqs);
    attn_status st = fmt == SEQ_FASTA ? seq_read_fasta(name, text, len, &seqs) : seq_read_stockholm(name, text, len, &seqs);
    int32_t tag = -1;
    if (st == ATTN_OK && seqs.n == 0) st = attn_errorf(ATTN_ERR_FORMAT, "%s: no sequences", name);
    if (st == ATTN_OK && (p->family_tag || p->family_tag_from_file)) {
        char buf[SEQ_TAG_MAX + 3];
        size_t fn = 0;
        const char *family = p->family_tag ? p->family_tag : seq_family_of_path(name, &fn);
        if (p->family_tag) fn = strlen(family);
        st = seq_family_tag(family, fn, buf);
        if (st != ATTN_OK && !p->family_tag) st = error_prefixf(st, "%s: the file's name gives no tag", name);
        if (st == ATTN_OK) st = amino_tokenizer_add_tag(tok, buf, &tag);
    }
    int64_t n_val = (int64_t)((double)seqs.n * p->val_fraction);
    for (int64_t k = 0; k < seqs.n && st == ATTN_OK; k++) {
        tok_ids *dst = k < seqs.n - n_val ? train : val;
        if (tag >= 0 && (st = push_id(dst, tag)) != ATTN_OK) break;
        if ((st = tokenizer_encode_append(tok, seqs.res + seqs.off[k], seqs.len[k], 0, dst)) != ATTN_OK) {
            st = error_prefixf(st, "%s: sequence %lld", name, (long long)k + 1);
            break;
        }
        st = push_id(dst, eot);
    }
    *n_seqs += seqs.n;
    seq_list_free(&seqs);
    return st;
}

attn_status attn_prepare(const attn_prepare_params *p, attn_prepare_result *res) {
    if (!p) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: NULL parameters");
    if (p->n_inputs <= 0 || !p->inputs) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: no input files");
    if (!p->out_dir || !p->out_dir[0]) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: no output directory");
    if (!(p->val_fraction >= 0.0 && p->val_fraction <= 0.5))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: val_fraction %g is outside [0, 0.5]", p->val_fraction);
    for (int i = 0; i < p->n_inputs; i++)
        if (!p->inputs[i]) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: input %d is NULL", i);

    attn_status st = ATTN_OK;
    int n = p->n_inputs;
    char **texts = attn_calloc((size_t)n, sizeof *texts);
    size_t *lens = attn_calloc((size_t)n, sizeof *lens);
    attn_tokenizer *tok = NULL;
    tok_ids train = {0}, val = {0};
    char *train_path = NULL, *val_path = NULL;
    if (!texts || !lens) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }

    for (int i = 0; i < n; i++) {
        const char *name = p->inputs[i];
        if ((st = file_read_all(name, &texts[i], &lens[i])) != ATTN_OK) goto done;
        if (lens[i] == 0) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s is empty", name);
            goto done;
        }
        if ((st = attn_text_check(name, texts[i], lens[i])) != ATTN_OK) goto done;
    }

    if (!p->tokenizer || !strcmp(p->tokenizer, "char")) {
        st = char_tokenizer_new((const char *const *)texts, lens, n, p->inputs, &tok);
    } else if (!strcmp(p->tokenizer, "amino")) {
        st = attn_tokenizer_new_amino(&tok);
    } else {
        st = attn_tokenizer_load(p->tokenizer, &tok);
    }
    if (st != ATTN_OK) goto done;
    int32_t eot = attn_tokenizer_eot(tok);
    if (eot < 0) eot = attn_tokenizer_added_id(tok, "[SEP]"); /* BERT's WordPiece vocabularies */
    if (eot < 0) eot = attn_tokenizer_added_id(tok, "</s>");  /* BART's and RoBERTa's */
    if (eot < 0) eot = attn_tokenizer_added_id(tok, "<eos>"); /* ESM's */
    if (eot < 0) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "tokenizer %s has no \"%s\", \"[SEP]\", \"</s>\" or \"<eos>\" token to end documents with",
                         p->tokenizer, ATTN_EOT_TEXT);
        goto done;
    }

    bool amino = !strcmp(attn_tokenizer_kind(tok), "amino");
    bool tagging = p->family_tag || p->family_tag_from_file;
    int64_t n_seqs = 0;
    for (int i = 0; i < n; i++) {
        const char *name = p->inputs[i];
        seq_format fmt = amino ? seq_detect(texts[i], lens[i]) : SEQ_TEXT;
        if (fmt != SEQ_TEXT) {
            if ((st = prepare_sequences(p, tok, name, texts[i], lens[i], fmt, eot, &train, &val, &n_seqs)) != ATTN_OK)
                goto done;
            attn_free(texts[i]);
            texts[i] = NULL;
            continue;
        }
        if (tagging) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: family tags need FASTA or Stockholm input (and the amino "
                             "tokenizer); this file is read as plain text", name);
            goto done;
        }
        size_t cut = split_point(texts[i], lens[i], p->val_fraction);
        if (cut > 0) {
            if ((st = tokenizer_encode_append(tok, texts[i], cut, 0, &train)) != ATTN_OK) {
                st = error_prefixf(st, "%s", name);
                goto done;
            }
            if ((st = push_id(&train, eot)) != ATTN_OK) goto done;
        }
        if (cut < lens[i]) {
            if ((st = tokenizer_encode_append(tok, texts[i] + cut, lens[i] - cut, cut, &val)) != ATTN_OK) {
                st = error_prefixf(st, "%s", name);
                goto done;
            }
            if ((st = push_id(&val, eot)) != ATTN_OK) goto done;
        }
        attn_free(texts[i]);
        texts[i] = NULL;
    }

    if ((st = data_dirs_ensure(p->out_dir)) != ATTN_OK) goto done;
    train_path = path_join(p->out_dir, "train.bin");
    val_path = path_join(p->out_dir, "val.bin");
    if (!train_path || !val_path) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    int32_t V = attn_tokenizer_vocab_size(tok);
    if ((st = attn_shard_write(train_path, train.data, train.n, V)) != ATTN_OK) goto done;
    if ((st = attn_shard_write(val_path, val.data, val.n, V)) != ATTN_OK) goto done;
    if ((st = attn_tokenizer_save(tok, p->out_dir)) != ATTN_OK) goto done;
    if ((st = write_meta(p->out_dir, tok, p, train.n, val.n)) != ATTN_OK) goto done;
    if (res) {
        res->n_train = train.n;
        res->n_val = val.n;
        res->vocab_size = V;
        res->n_unknown = attn_tokenizer_unknown_count(tok);
        res->unknown_as_unk = attn_tokenizer_added_id(tok, ATTN_UNK_TEXT) >= 0;
        res->n_sequences = n_seqs;
    }
done:
    if (texts)
        for (int i = 0; i < n; i++) attn_free(texts[i]);
    attn_free(texts);
    attn_free(lens);
    attn_free(train.data);
    attn_free(val.data);
    attn_free(train_path);
    attn_free(val_path);
    attn_tokenizer_free(tok);
    return st;
}
