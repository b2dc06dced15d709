/* translate.c — text in, text out for the sequence-to-sequence models:
 * the wrapping file, batched translation (sorted by length) and pair
 * scoring. See include/attn/translate.h. */
#include "attn/translate.h"
#include "attn/rnn.h"
#include "core/core.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#define WRAP_FILE "translate.json"
#define WRAP_FORMAT "attn-seq2seq-wrap"

static const char *const WRAP_KEYS[4] = {"src_bos", "src_eos", "tgt_bos", "tgt_eos"};

static int32_t *wrap_field(attn_s2s_wrap *w, int k) {
    int32_t *f[4] = {&w->src_bos, &w->src_eos, &w->tgt_bos, &w->tgt_eos};
    return f[k];
}

attn_status attn_s2s_wrap_save(const char *dir, const attn_s2s_wrap *w) {
    attn_s2s_wrap c = *w;
    char text[256];
    int n = snprintf(text, sizeof text, "{\"format\": \"%s\", \"%s\": %d, \"%s\": %d, \"%s\": %d, \"%s\": %d}\n", WRAP_FORMAT,
                     WRAP_KEYS[0], (int)*wrap_field(&c, 0), WRAP_KEYS[1], (int)*wrap_field(&c, 1), WRAP_KEYS[2],
                     (int)*wrap_field(&c, 2), WRAP_KEYS[3], (int)*wrap_field(&c, 3));
    char *path = path_join(dir, WRAP_FILE);
    if (!path) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = file_write_atomic(path, text, (size_t)n);
    attn_free(path);
    return st;
}

attn_status attn_s2s_wrap_load(const char *dir, const attn_tokenizer *tok, attn_s2s_wrap *w) {
    char *path = path_join(dir, WRAP_FILE), *text = NULL;
    if (!path) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    if (!file_exists(path)) {
        int32_t bos = tok ? attn_tokenizer_added_id(tok, "<s>") : -1, eos = tok ? attn_tokenizer_added_id(tok, "</s>") : -1;
        if (eos < 0)
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "%s: no %s, and the tokenizer has no </s> to wrap sources with", dir, WRAP_FILE);
        else
            *w = (attn_s2s_wrap){bos, eos, bos, eos};
        attn_free(path);
        return st;
    }
    size_t len;
    if ((st = file_read_all(path, &text, &len)) != ATTN_OK) {
        attn_free(path);
        return st;
    }
    cJSON *r = cJSON_ParseWithLength(text, len);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(r, "format");
    if (!cJSON_IsString(f) || strcmp(f->valuestring, WRAP_FORMAT))
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: not a wrapping file (\"format\": \"%s\" expected)", path, WRAP_FORMAT);
    for (int k = 0; k < 4 && !st; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, WRAP_KEYS[k]);
        if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int32_t)v->valuedouble || v->valuedouble < -1)
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: \"%s\" must be a token id or -1", path, WRAP_KEYS[k]);
        else
            *wrap_field(w, k) = (int32_t)v->valuedouble;
    }
    if (!st && w->src_eos < 0 && w->src_bos < 0 && w->tgt_eos < 0)
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: the target needs an end token (tgt_eos)", path);
    cJSON_Delete(r);
    attn_free(text);
    attn_free(path);
    return st;
}

attn_translate_params attn_translate_default_params(const attn_model *m) {
    attn_translate_params p;
    p.gen = attn_seq2seq_default_params(m);
    p.gen.num_beams = p.gen.num_return_sequences = 1;
    p.max_new_tokens = 0;
    p.batch = 16;
    p.progress = NULL;
    p.progress_user = NULL;
    return p;
}

/* ---- encoding -------------------------------------------------------------- */

/* The model's positions (0: unlimited) and vocabulary. */
static int64_t model_positions(const attn_model *m, int64_t *vocab) {
    attn_encdec_config ec;
    attn_rnn_config rc;
    if (attn_model_encdec_config(m, &ec)) {
        *vocab = ec.vocab_size;
        return ec.max_positions;
    }
    if (attn_model_rnn_config(m, &rc)) {
        *vocab = rc.src_vocab_size < rc.tgt_vocab_size ? rc.src_vocab_size : rc.tgt_vocab_size;
        return 0;
    }
    *vocab = 0;
    return -1;
}

static bool all_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return false;
    return true;
}

/* Wrapped token sequences of n texts: ids[off[i] .. off[i+1]). `what` names
 * the side in errors ("source", "target"). */
typedef struct wrapped {
    int32_t *ids;
    int64_t *off;
} wrapped;

static void wrapped_free(wrapped *w) {
    attn_free(w->ids);
    attn_free(w->off);
    w->ids = NULL;
    w->off = NULL;
}

static attn_status wrap_texts(const attn_tokenizer *tok, const char *const *text, const size_t *len, int64_t n, int32_t bos,
                              int32_t eos, int64_t positions, int64_t vocab, const char *what, wrapped *out) {
    int32_t *raw = NULL;
    int64_t *off = attn_malloc((size_t)(n + 1) * sizeof *off);
    out->off = attn_malloc((size_t)(n + 1) * sizeof *out->off);
    if (!off || !out->off) {
        attn_free(off);
        wrapped_free(out);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    attn_status st = ATTN_OK;
    for (int64_t i = 0; i < n && !st; i++)
    {
        if (all_blank(text[i], len[i]))
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "line %lld: empty %s", (long long)i + 1, what);
        else
            st = text_check_at(what, text[i], len[i], i + 1, 0);
    }
    if (!st && (st = attn_tokenizer_encode_batch(tok, text, len, n, &raw, off, 0)) != ATTN_OK) {
        for (int64_t i = 0; i < n; i++) { /* find the failing line for the message */
            int32_t *ids = NULL;
            int64_t k;
            attn_status e = attn_tokenizer_encode(tok, text[i], len[i], &ids, &k);
            attn_free(ids);
            if (e) {
                st = error_prefixf(e, "line %lld: %s", (long long)i + 1, what);
                break;
            }
        }
    }
    int64_t extra = (bos >= 0) + (eos >= 0);
    if (!st && !(out->ids = attn_malloc((size_t)(off[n] + extra * n + 1) * sizeof *out->ids))) st = ATTN_ERR_OUT_OF_MEMORY;
    int64_t k = 0;
    out->off[0] = 0;
    for (int64_t i = 0; i < n && !st; i++) {
        int64_t m = off[i + 1] - off[i];
        if (bos >= 0) out->ids[k++] = bos;
        memcpy(out->ids + k, raw + off[i], (size_t)m * sizeof *raw);
        k += m;
        if (eos >= 0) out->ids[k++] = eos;
        out->off[i + 1] = k;
        if (m == 0) st = attn_errorf(ATTN_ERR_INVALID_ARG, "line %lld: the %s encodes to no tokens", (long long)i + 1, what);
        else if (positions > 0 && m + extra > positions)
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "line %lld: the %s is %lld tokens long (wrapped); the model has %lld positions",
                             (long long)i + 1, what, (long long)(m + extra), (long long)positions);
        for (int64_t j = out->off[i]; j < k && !st; j++)
            if (out->ids[j] < 0 || out->ids[j] >= vocab)
                st = attn_errorf(ATTN_ERR_INVALID_ARG, "line %lld: %s token %d is outside the model's vocabulary of %lld",
                                 (long long)i + 1, what, (int)out->ids[j], (long long)vocab);
    }
    attn_free(raw);
    attn_free(off);
    if (st) wrapped_free(out);
    return st;
}

static int64_t wlen(const wrapped *w, int64_t i) { return w->off[i + 1] - w->off[i]; }

/* order[0..n): indices sorted by wrapped length (stable: ties by index). */
static const wrapped *sort_by;
static int by_length(const void *a, const void *b) {
    int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
    int64_t li = wlen(sort_by, i), lj = wlen(sort_by, j);
    return li != lj ? (li < lj ? -1 : 1) : (i > j) - (i < j);
}

static int64_t *length_order(const wrapped *w, int64_t n) {
    int64_t *order = attn_malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    if (!order) return NULL;
    for (int64_t i = 0; i < n; i++) order[i] = i;
    sort_by = w;
    qsort(order, (size_t)n, sizeof *order, by_length);
    sort_by = NULL;
    return order;
}

/* Rows order[a..a+B) of w padded with pad (or -1 when pad is -1) to the longest. */
static int64_t fill_rows(const wrapped *w, const int64_t *order, int64_t B, int32_t pad, int32_t *rows) {
    int64_t S = 1;
    for (int64_t b = 0; b < B; b++) S = wlen(w, order[b]) > S ? wlen(w, order[b]) : S;
    for (int64_t b = 0; b < B; b++) {
        int64_t n = wlen(w, order[b]);
        for (int64_t s = 0; s < S; s++) rows[b * S + s] = s < n ? w->ids[w->off[order[b]] + s] : pad;
    }
    return S;
}

static bool is_special(const attn_s2s_wrap *w, const attn_seq2seq_params *g, int32_t id) {
    return id == w->tgt_bos || id == w->tgt_eos || id == w->src_bos || id == w->src_eos || id == g->pad_token_id ||
           id == g->eos_token_id || id == g->decoder_start_token_id;
}

/* One line: newlines become spaces; leading and trailing blanks go. */
static void trim_line(char *s, size_t n) {
    size_t a = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || s[i] == '\r') s[i] = ' ';
    while (a < n && (s[a] == ' ' || s[a] == '\t')) a++;
    while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
}

/* ---- translation ------------------------------------------------------------ */

attn_status attn_translate(attn_model *m, const attn_tokenizer *tok, const attn_s2s_wrap *wrap, const attn_translate_params *p,
                           const char *const *src, const size_t *len, int64_t n, char **out, float *scores) {
    int64_t vocab, positions = model_positions(m, &vocab);
    if (positions < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "translate needs an encoder-decoder or RNN model");
    if (!tok || !wrap || !p || (n > 0 && (!src || !len || !out)) || n < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "translate: missing arguments");
    if (p->batch < 1 || p->max_new_tokens < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "translate: the batch must be >= 1 and max_new_tokens >= 0");
    if (positions > 0 && p->max_new_tokens + 1 > positions)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--max-len %lld needs %lld decoder positions; the model has %lld",
                           (long long)p->max_new_tokens, (long long)p->max_new_tokens + 1, (long long)positions);
    int64_t R = p->gen.num_return_sequences;
    if (R < 1 || R > p->gen.num_beams)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--n-best must be in [1, beam = %lld]", (long long)p->gen.num_beams);
    for (int64_t i = 0; i < n * R; i++) out[i] = NULL;
    wrapped w = {0};
    attn_status st = wrap_texts(tok, src, len, n, wrap->src_bos, wrap->src_eos, positions, vocab, "source", &w);
    if (st) return st;
    int64_t *order = length_order(&w, n), Bmax = p->batch < n ? p->batch : n, maxS = 1;
    for (int64_t i = 0; i < n; i++) maxS = wlen(&w, i) > maxS ? wlen(&w, i) : maxS;
    int64_t W = p->max_new_tokens ? p->max_new_tokens : 2 * maxS + 10;
    if (positions > 0 && W + 1 > positions) W = positions - 1;
    int32_t *rows = attn_malloc((size_t)(Bmax * maxS + 1) * sizeof *rows);
    int32_t *hyp = attn_malloc((size_t)(Bmax * R * W + 1) * sizeof *hyp), *keep = attn_malloc((size_t)(W + 1) * sizeof *keep);
    int64_t *hyp_len = attn_malloc((size_t)(Bmax * R + 1) * sizeof *hyp_len);
    float *sc = attn_malloc((size_t)(Bmax * R + 1) * sizeof *sc);
    if (!order || !rows || !hyp || !keep || !hyp_len || !sc) st = ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t a = 0; a < n && !st; a += Bmax) {
        int64_t B = n - a < Bmax ? n - a : Bmax;
        int64_t S = fill_rows(&w, order + a, B, p->gen.pad_token_id, rows);
        attn_seq2seq_params g = p->gen;
        int64_t Wb = p->max_new_tokens ? p->max_new_tokens : 2 * S + 10;
        if (Wb > W) Wb = W;
        g.max_length = Wb + 1;
        if ((st = attn_seq2seq_generate(m, &g, rows, B, S, hyp, hyp_len, scores ? sc : NULL)) != ATTN_OK) break;
        for (int64_t b = 0; b < B && !st; b++)
            for (int64_t r = 0; r < R && !st; r++) {
                const int32_t *h = hyp + (b * R + r) * Wb;
                int64_t k = 0;
                for (int64_t t = 0; t < hyp_len[b * R + r]; t++)
                    if (!is_special(wrap, &g, h[t])) keep[k++] = h[t];
                size_t tl;
                int64_t i = order[a + b];
                st = attn_tokenizer_decode(tok, keep, k, &out[i * R + r], &tl);
                if (!st) trim_line(out[i * R + r], tl);
                if (scores) scores[i * R + r] = sc[b * R + r];
            }
        if (!st && p->progress) p->progress(a + B, n, p->progress_user);
    }
    if (st)
        for (int64_t i = 0; i < n * R; i++) {
            attn_free(out[i]);
            out[i] = NULL;
        }
    wrapped_free(&w);
    attn_free(order);
    attn_free(rows);
    attn_free(hyp);
    attn_free(keep);
    attn_free(hyp_len);
    attn_free(sc);
    return st;
}

/* ---- scoring ------------------------------------------------------------------ */

#define SCORE_BATCH 16

attn_status attn_translate_score(attn_model *m, const attn_tokenizer *tok, const attn_s2s_wrap *wrap, const char *const *src,
                                 const size_t *src_len, const char *const *tgt, const size_t *tgt_len, int64_t n, double *nll,
                                 int64_t *n_tokens, double *total_nll, int64_t *total_tokens) {
    int64_t vocab, positions = model_positions(m, &vocab);
    if (positions < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "scoring pairs needs an encoder-decoder or RNN model");
    if (!tok || !wrap || !total_nll || !total_tokens || n < 0 || (n > 0 && (!src || !src_len || !tgt || !tgt_len)))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "score: missing arguments");
    attn_seq2seq_params gp = attn_seq2seq_default_params(m);
    *total_nll = 0;
    *total_tokens = 0;
    wrapped ws = {0}, wt = {0};
    attn_status st = wrap_texts(tok, src, src_len, n, wrap->src_bos, wrap->src_eos, positions, vocab, "source", &ws);
    if (!st) st = wrap_texts(tok, tgt, tgt_len, n, wrap->tgt_bos, wrap->tgt_eos, positions, vocab, "target", &wt);
    if (st) {
        wrapped_free(&ws);
        return st;
    }
    int64_t *order = length_order(&ws, n), maxS = 1, maxT = 1;
    for (int64_t i = 0; i < n; i++) {
        maxS = wlen(&ws, i) > maxS ? wlen(&ws, i) : maxS;
        maxT = wlen(&wt, i) > maxT ? wlen(&wt, i) : maxT;
    }
    int32_t *srows = attn_malloc((size_t)(SCORE_BATCH * maxS) * sizeof *srows);
    int32_t *trows = attn_malloc((size_t)(SCORE_BATCH * maxT) * sizeof *trows);
    double *bn = attn_malloc(SCORE_BATCH * sizeof *bn);
    int64_t *bk = attn_malloc(SCORE_BATCH * sizeof *bk);
    if (!order || !srows || !trows || !bn || !bk) st = ATTN_ERR_OUT_OF_MEMORY;
    double sum = 0;
    int64_t count = 0;
    for (int64_t a = 0; a < n && !st; a += SCORE_BATCH) {
        int64_t B = n - a < SCORE_BATCH ? n - a : SCORE_BATCH;
        int64_t S = fill_rows(&ws, order + a, B, gp.pad_token_id, srows);
        int64_t T = fill_rows(&wt, order + a, B, -1, trows);
        if ((st = attn_seq2seq_score(m, srows, S, trows, T, B, bn, bk)) != ATTN_OK) break;
        for (int64_t b = 0; b < B; b++) {
            int64_t i = order[a + b];
            if (nll) nll[i] = bn[b];
            if (n_tokens) n_tokens[i] = bk[b];
            sum += bn[b];
            count += bk[b];
        }
    }
    if (!st) {
        *total_nll = sum;
        *total_tokens = count;
    }
    wrapped_free(&ws);
    wrapped_free(&wt);
    attn_free(order);
    attn_free(srows);
    attn_free(trows);
    attn_free(bn);
    attn_free(bk);
    return st;
}
