/* prepare_pairs.c — parallel text (source TAB target per line) -> pair
 * shards + tokenizer + meta.json.
 *
 * Input rules, wrapping and the file format are specified in
 * include/attn/data.h. Every input is read and checked before anything is
 * written, and every split is tokenized before any is written, so a failure
 * leaves out_dir untouched; each side of each line is tokenized by
 * attn_tokenizer_encode_batch (threaded). */
#include "attn/data.h"
#include "data/data_impl.h"
#include "tokenizers/tokenizers.h"

attn_prepare_pairs_params attn_prepare_pairs_default_params(void) {
    attn_prepare_pairs_params p;
    memset(&p, 0, sizeof p);
    p.wrap = ATTN_WRAP_BART;
    return p;
}

/* One split's lines, as (pointer, length) of each side into text. */
typedef struct pair_lines {
    char *text;
    const char **side;    /* 2 n: source i at 2i, target i at 2i + 1 */
    size_t *len;
    int64_t n;
} pair_lines;

static void pair_lines_free(pair_lines *pl) {
    attn_free(pl->text);
    attn_free(pl->side);
    attn_free(pl->len);
    memset(pl, 0, sizeof *pl);
}

static bool all_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v') return false;
    return true;
}

/* Reads and checks a pairs file (rules atop include/attn/data.h). */
static attn_status read_pairs(const char *path, pair_lines *pl) {
    size_t len;
    attn_status st = file_read_all(path, &pl->text, &len);
    if (st != ATTN_OK) return st;
    if (len == 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s is empty", path);
    if ((st = attn_text_check(path, pl->text, len)) != ATTN_OK) return st;
    int64_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += pl->text[i] == '\n';
    if (pl->text[len - 1] != '\n') lines++;
    if (!(pl->side = attn_malloc((size_t)lines * 2 * sizeof *pl->side)) ||
        !(pl->len = attn_malloc((size_t)lines * 2 * sizeof *pl->len)))
        return ATTN_ERR_OUT_OF_MEMORY;
    const char *p = pl->text, *end = pl->text + len;
    for (int64_t line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t n = (size_t)(e - p);
        if (n > 0 && p[n - 1] == '\r') n--;
        if (n == 0) return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: empty line", path, (long long)line);
        const char *tab = memchr(p, '\t', n);
        if (!tab) return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: no tab between source and target", path, (long long)line);
        size_t ls = (size_t)(tab - p), lt = n - ls - 1;
        if (memchr(tab + 1, '\t', lt))
            return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: more than one tab (expected source TAB target)", path,
                               (long long)line);
        if (all_blank(p, ls)) return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: empty source", path, (long long)line);
        if (all_blank(tab + 1, lt)) return attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: empty target", path, (long long)line);
        pl->side[2 * pl->n] = p;
        pl->len[2 * pl->n] = ls;
        pl->side[2 * pl->n + 1] = tab + 1;
        pl->len[2 * pl->n + 1] = lt;
        pl->n++;
        p = nl ? nl + 1 : end;
    }
    return ATTN_OK;
}

typedef struct wrap_ids {
    int32_t src_bos, src_eos, tgt_bos, tgt_eos, decoder_start, pad;
} wrap_ids;

/* One split, tokenized and wrapped: pair i is src[src_off[i] ..
 * src_off[i+1]) and tgt[tgt_off[i] .. tgt_off[i+1]). */
typedef struct split_ids {
    int32_t *src, *tgt;
    int64_t *src_off, *tgt_off;
    int64_t n;
} split_ids;

static void split_ids_free(split_ids *sp) {
    attn_free(sp->src);
    attn_free(sp->tgt);
    attn_free(sp->src_off);
    attn_free(sp->tgt_off);
    memset(sp, 0, sizeof *sp);
}

/* Tokenizes a split, wraps each side and drops pairs over max_len. */
static attn_status build_split(const attn_tokenizer *tok, const pair_lines *pl, const wrap_ids *w, int64_t max_len,
                               split_ids *sp, attn_pairs_split_stats *stats) {
    attn_status st = ATTN_OK;
    int32_t *ids = NULL;
    int64_t *off = attn_malloc((size_t)(2 * pl->n + 1) * sizeof *off);
    if (!off || !(sp->src_off = attn_malloc((size_t)(pl->n + 1) * sizeof *sp->src_off)) ||
        !(sp->tgt_off = attn_malloc((size_t)(pl->n + 1) * sizeof *sp->tgt_off))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    if ((st = attn_tokenizer_encode_batch(tok, pl->side, pl->len, 2 * pl->n, &ids, off, 0)) != ATTN_OK) goto done;
    int64_t extra = 2 * pl->n;   /* at most two specials per side */
    if (!(sp->src = attn_malloc((size_t)(off[2 * pl->n] + extra) * sizeof *sp->src)) ||
        !(sp->tgt = attn_malloc((size_t)(off[2 * pl->n] + extra) * sizeof *sp->tgt))) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    memset(stats, 0, sizeof *stats);
    stats->n_lines = pl->n;
    int32_t *src = sp->src, *tgt = sp->tgt;
    int64_t ns = 0, nt = 0, kept = 0;
    sp->src_off[0] = sp->tgt_off[0] = 0;
    for (int64_t i = 0; i < pl->n; i++) {
        int64_t ls = off[2 * i + 1] - off[2 * i], lt = off[2 * i + 2] - off[2 * i + 1];
        int64_t ws = ls + (w->src_bos >= 0) + (w->src_eos >= 0), wt = lt + (w->tgt_bos >= 0) + (w->tgt_eos >= 0);
        if (max_len > 0 && (ws > max_len || wt > max_len)) {
            stats->n_skipped++;
            continue;
        }
        if (w->src_bos >= 0) src[ns++] = w->src_bos;
        memcpy(src + ns, ids + off[2 * i], (size_t)ls * sizeof *src);
        ns += ls;
        if (w->src_eos >= 0) src[ns++] = w->src_eos;
        if (w->tgt_bos >= 0) tgt[nt++] = w->tgt_bos;
        memcpy(tgt + nt, ids + off[2 * i + 1], (size_t)lt * sizeof *tgt);
        nt += lt;
        if (w->tgt_eos >= 0) tgt[nt++] = w->tgt_eos;
        kept++;
        sp->src_off[kept] = ns;
        sp->tgt_off[kept] = nt;
        stats->max_src_len = (int32_t)ATTN_MAX((int64_t)stats->max_src_len, ws);
        stats->max_tgt_len = (int32_t)ATTN_MAX((int64_t)stats->max_tgt_len, wt);
    }
    sp->n = stats->n_pairs = kept;
    stats->n_src_tokens = ns;
    stats->n_tgt_tokens = nt;
    if (kept == 0)
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "all %lld pairs are longer than --max-len %lld", (long long)pl->n,
                         (long long)max_len);
done:
    attn_free(ids);
    attn_free(off);
    return st;
}

static cJSON *split_json(const char *input, const attn_pairs_split_stats *s) {
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "input", input) || !cJSON_AddNumberToObject(o, "lines", (double)s->n_lines) ||
        !cJSON_AddNumberToObject(o, "pairs", (double)s->n_pairs) ||
        !cJSON_AddNumberToObject(o, "skipped", (double)s->n_skipped) ||
        !cJSON_AddNumberToObject(o, "src_tokens", (double)s->n_src_tokens) ||
        !cJSON_AddNumberToObject(o, "tgt_tokens", (double)s->n_tgt_tokens) ||
        !cJSON_AddNumberToObject(o, "max_src_len", s->max_src_len) ||
        !cJSON_AddNumberToObject(o, "max_tgt_len", s->max_tgt_len)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static attn_status write_meta(const attn_prepare_pairs_params *p, const attn_tokenizer *tok, const wrap_ids *w,
                              const char *const inputs[3], const attn_pairs_split_stats *stats[3]) {
    static const char *const names[3] = {"train", "val", "test"};
    attn_status st = ATTN_OK;
    char *path = path_join(p->out_dir, "meta.json");
    cJSON *root = cJSON_CreateObject(), *splits = NULL;
    if (!path || !root || !cJSON_AddStringToObject(root, "format", "pairs") ||
        !cJSON_AddStringToObject(root, "tokenizer", attn_tokenizer_kind(tok)) ||
        !cJSON_AddNumberToObject(root, "vocab_size", attn_tokenizer_vocab_size(tok)) ||
        !cJSON_AddStringToObject(root, "wrap", p->wrap == ATTN_WRAP_BART ? "bart" : "eos") ||
        !cJSON_AddNumberToObject(root, "max_len", (double)p->max_len) ||
        !cJSON_AddNumberToObject(root, "pad_id", w->pad) ||
        !cJSON_AddNumberToObject(root, "decoder_start_id", w->decoder_start) ||
        !(splits = cJSON_AddObjectToObject(root, "splits")))
        goto oom;
    for (int k = 0; k < 3; k++) {
        if (!inputs[k]) continue;
        cJSON *o = split_json(inputs[k], stats[k]);
        if (!o) goto oom;
        cJSON_AddItemToObject(splits, names[k], o);
    }
    st = tokenizer_json_write(root, path);
    goto done;
oom:
    st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory building meta.json");
done:
    cJSON_Delete(root);
    attn_free(path);
    return st;
}

/* Special ids for the wrapping; the tokenizer must have them. */
static attn_status wrap_ids_find(const attn_tokenizer *tok, const char *tok_name, attn_pairs_wrap wrap, wrap_ids *w) {
    int32_t bos = attn_tokenizer_added_id(tok, "<s>"), eos = attn_tokenizer_added_id(tok, "</s>");
    w->pad = attn_tokenizer_added_id(tok, "<pad>");
    if (eos < 0) return attn_errorf(ATTN_ERR_UNSUPPORTED, "tokenizer %s has no \"</s>\" token to end sequences with", tok_name);
    if (wrap == ATTN_WRAP_BART && bos < 0)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "tokenizer %s has no \"<s>\" token (BART wrapping needs it)", tok_name);
    if (wrap != ATTN_WRAP_BART && wrap != ATTN_WRAP_EOS)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: unknown wrapping %d", (int)wrap);
    w->src_bos = w->tgt_bos = wrap == ATTN_WRAP_BART ? bos : -1;
    w->src_eos = w->tgt_eos = eos;
    w->decoder_start = eos;
    return ATTN_OK;
}

attn_status attn_prepare_pairs(const attn_prepare_pairs_params *p, attn_prepare_pairs_result *res) {
    if (!p) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: NULL parameters");
    if (!p->train) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: no training pairs file");
    if (!p->tokenizer) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: pairs need a tokenizer (-t)");
    if (!p->out_dir || !p->out_dir[0]) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: no output directory");
    if (p->max_len < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "prepare: --max-len %lld is negative", (long long)p->max_len);

    const char *const inputs[3] = {p->train, p->val, p->test};
    static const char *const outputs[3] = {"train.pairs", "val.pairs", "test.pairs"};
    pair_lines lines[3];
    split_ids splits[3];
    attn_pairs_split_stats stats[3];
    memset(lines, 0, sizeof lines);
    memset(splits, 0, sizeof splits);
    memset(stats, 0, sizeof stats);
    attn_tokenizer *tok = NULL;
    char *path = NULL;
    attn_status st = ATTN_OK;
    wrap_ids w = {-1, -1, -1, -1, -1, -1};

    for (int k = 0; k < 3; k++)
        if (inputs[k] && (st = read_pairs(inputs[k], &lines[k])) != ATTN_OK) goto done;
    if ((st = attn_tokenizer_load(p->tokenizer, &tok)) != ATTN_OK) goto done;
    if ((st = wrap_ids_find(tok, p->tokenizer, p->wrap, &w)) != ATTN_OK) goto done;
    for (int k = 0; k < 3; k++) {
        if (!inputs[k]) continue;
        if ((st = build_split(tok, &lines[k], &w, p->max_len, &splits[k], &stats[k])) != ATTN_OK) {
            st = error_prefixf(st, "%s", inputs[k]);
            goto done;
        }
        pair_lines_free(&lines[k]);
    }
    if ((st = data_dirs_ensure(p->out_dir)) != ATTN_OK) goto done;
    for (int k = 0; k < 3; k++) {
        if (!inputs[k]) continue;
        if (!(path = path_join(p->out_dir, outputs[k]))) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto done;
        }
        attn_pairs_info info = {
            .n_pairs = splits[k].n, .vocab_size = attn_tokenizer_vocab_size(tok), .pad_id = w.pad,
            .decoder_start_id = w.decoder_start, .src_bos = w.src_bos, .src_eos = w.src_eos,
            .tgt_bos = w.tgt_bos, .tgt_eos = w.tgt_eos,
        };
        if ((st = attn_pairs_write(path, &info, splits[k].src, splits[k].src_off, splits[k].tgt, splits[k].tgt_off)) !=
            ATTN_OK)
            goto done;
        attn_free(path);
        path = NULL;
    }
    if ((st = attn_tokenizer_save(tok, p->out_dir)) != ATTN_OK) goto done;
    const attn_pairs_split_stats *sp[3] = {&stats[0], &stats[1], &stats[2]};
    if ((st = write_meta(p, tok, &w, inputs, sp)) != ATTN_OK) goto done;
    if (res) {
        res->train = stats[0];
        res->val = stats[1];
        res->test = stats[2];
        res->vocab_size = attn_tokenizer_vocab_size(tok);
        res->n_unknown = attn_tokenizer_unknown_count(tok);
        res->unknown_as_unk = attn_tokenizer_added_id(tok, ATTN_UNK_TEXT) >= 0;
    }
done:
    for (int k = 0; k < 3; k++) {
        pair_lines_free(&lines[k]);
        split_ids_free(&splits[k]);
    }
    attn_free(path);
    attn_tokenizer_free(tok);
    return st;
}
