/* gguf_vocab.c — a tokenizer from a GGUF file's tokenizer.ggml.* metadata
 * (include/attn/gguf.h): llama.cpp's "gpt2" model is byte-level BPE, built
 * here through bpe.c from the token and merge lists. The pre-tokenizers
 * llama.cpp names "gpt-2" (GPT-2's regex; "gpt2", which attn convert wrote
 * before and llama.cpp refuses, is read as the same) and "smollm" (regexes
 * "\p{N}" then GPT-2's, in llama-vocab.cpp: each numeric character alone, as
 * Hugging Face's Digits(individual_digits=true) before ByteLevel) and
 * "bloom" (BLOOM's Split regex, the same as its tokenizer.json's, and byte-level
 * BPE within each piece) are supported. */
#include "attn/gguf.h"

#include "io/gguf.h"
#include "tokenizers/tokenizer_impl.h"

#include <inttypes.h>

/* llama.cpp's token types (llama_token_type) */
enum { TT_UNDEFINED = 0, TT_NORMAL, TT_UNKNOWN, TT_CONTROL, TT_USER_DEFINED, TT_UNUSED, TT_BYTE };

/* An optional token id key: -1 when absent, else an id below n. */
static attn_status opt_id(const gguf_file *f, const char *key, int32_t n, int32_t *out) {
    *out = -1;
    if (!gguf_find(f, key)) return ATTN_OK;
    uint32_t v;
    attn_status st = gguf_get_u32(f, key, &v);
    if (st) return st;
    if (v >= (uint32_t)n)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: %s = %u is not a token id (the vocabulary has %d tokens)", f->path,
                           key, v, (int)n);
    *out = (int32_t)v;
    return ATTN_OK;
}

static attn_status opt_bool(const gguf_file *f, const char *key, bool *out) {
    *out = false;
    return gguf_find(f, key) ? gguf_get_bool(f, key, out) : ATTN_OK;
}

attn_status attn_gguf_special_tokens(const attn_gguf *f, attn_gguf_specials *out) {
    if (!f || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gguf_special_tokens: NULL argument");
    const gguf_value *tokens;
    attn_status st = gguf_get_array(f, "tokenizer.ggml.tokens", GGUF_V_STRING, &tokens);
    if (st) return st;
    int32_t n = tokens->arr.n > INT32_MAX ? INT32_MAX : (int32_t)tokens->arr.n;
    if ((st = opt_id(f, "tokenizer.ggml.bos_token_id", n, &out->bos)) ||
        (st = opt_id(f, "tokenizer.ggml.eos_token_id", n, &out->eos)) ||
        (st = opt_id(f, "tokenizer.ggml.unknown_token_id", n, &out->unk)) ||
        (st = opt_id(f, "tokenizer.ggml.padding_token_id", n, &out->pad)) ||
        (st = opt_bool(f, "tokenizer.ggml.add_bos_token", &out->add_bos)) ||
        (st = opt_bool(f, "tokenizer.ggml.add_eos_token", &out->add_eos)))
        return st;
    return ATTN_OK;
}

attn_status attn_gguf_chat_template(const attn_gguf *f, char **out) {
    if (!f || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gguf_chat_template: NULL argument");
    *out = NULL;
    if (!gguf_find(f, "tokenizer.chat_template")) return ATTN_OK;
    return gguf_get_cstring(f, "tokenizer.chat_template", out);
}

/* A special piece of a post-processor template. */
static tok_piece special(const gguf_file *f, const gguf_value *tokens, int32_t id) {
    tok_piece p = {.seq = -1, .ids = {id}, .n_ids = 1};
    gguf_str s = gguf_arr_str(tokens, (uint64_t)id);
    snprintf(p.name, sizeof p.name, "%.*s", (int)ATTN_MIN(s.n, sizeof p.name - 1), s.p);
    (void)f;
    return p;
}

/* [bos] seq [eos] into pieces at *n. */
static void template_seq(const gguf_file *f, const gguf_value *tokens, const attn_gguf_specials *sp, int seq,
                         tok_piece *pieces, int *n) {
    if (sp->add_bos) pieces[(*n)++] = special(f, tokens, sp->bos);
    pieces[(*n)++] = (tok_piece){.seq = seq};
    if (sp->add_eos) pieces[(*n)++] = special(f, tokens, sp->eos);
}

attn_status attn_gguf_tokenizer(const attn_gguf *f, attn_tokenizer **out) {
    if (!f || !out) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gguf_tokenizer: NULL argument");
    *out = NULL;
    gguf_str model, pre;
    attn_status st = gguf_get_string(f, "tokenizer.ggml.model", &model);
    if (st) return st;
    if (model.n != 4 || memcmp(model.p, "gpt2", 4))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: tokenizer.ggml.model \"%.*s\" is not supported (attn reads "
                           "\"gpt2\", byte-level BPE)", f->path, (int)ATTN_MIN(model.n, 64), model.p);
    if (!gguf_find(f, "tokenizer.ggml.pre"))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: tokenizer.ggml.pre is missing, so the pre-tokenizer is not "
                           "known (attn supports \"gpt-2\", \"smollm\" and \"bloom\")", f->path);
    if ((st = gguf_get_string(f, "tokenizer.ggml.pre", &pre))) return st;
    bool digits = false, bloom = false;
    if ((pre.n == 5 && !memcmp(pre.p, "gpt-2", 5)) || (pre.n == 4 && !memcmp(pre.p, "gpt2", 4))) digits = false;
    else if (pre.n == 6 && !memcmp(pre.p, "smollm", 6)) digits = true;
    else if (pre.n == 5 && !memcmp(pre.p, "bloom", 5)) bloom = true;
    else
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: pre-tokenizer (tokenizer.ggml.pre) \"%.*s\" is not supported "
                           "(attn supports \"gpt-2\", \"smollm\" and \"bloom\")", f->path, (int)ATTN_MIN(pre.n, 64),
                           pre.p);
    const gguf_value *tokens, *merges, *types = NULL;
    if ((st = gguf_get_array(f, "tokenizer.ggml.tokens", GGUF_V_STRING, &tokens))) return st;
    if ((st = gguf_get_array(f, "tokenizer.ggml.merges", GGUF_V_STRING, &merges))) return st;
    if (gguf_find(f, "tokenizer.ggml.token_type") &&
        (st = gguf_get_array(f, "tokenizer.ggml.token_type", GGUF_V_COUNT, &types)))
        return st;
    uint64_t n = tokens->arr.n, nm = merges->arr.n;
    if (n == 0 || n > INT32_MAX - 1)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tokenizer.ggml.tokens holds %" PRIu64 " tokens", f->path, n);
    if (types && types->arr.n != n)
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tokenizer.ggml.token_type has %" PRIu64 " entries for %" PRIu64
                           " tokens", f->path, types->arr.n, n);
    attn_gguf_specials sp;
    if ((st = attn_gguf_special_tokens(f, &sp))) return st;
    if ((sp.add_bos && sp.bos < 0) || (sp.add_eos && sp.eos < 0))
        return attn_errorf(ATTN_ERR_FORMAT, "%s: tokenizer.ggml.add_%s_token is true but there is no %s token id",
                           f->path, sp.add_bos && sp.bos < 0 ? "bos" : "eos", sp.add_bos && sp.bos < 0 ? "bos" : "eos");

    /* NUL-terminated copies of the tokens and merges, one buffer */
    size_t total = 0;
    for (uint64_t i = 0; i < n; i++) total += (size_t)gguf_arr_str(tokens, i).n + 1;
    for (uint64_t i = 0; i < nm; i++) total += (size_t)gguf_arr_str(merges, i).n + 1;
    char *buf = attn_malloc(total ? total : 1);
    const char **tp = attn_calloc((size_t)n, sizeof *tp);
    size_t *tl = attn_calloc((size_t)n, sizeof *tl);
    int32_t *ids = attn_calloc((size_t)n, sizeof *ids);
    const char **mp = attn_calloc(nm ? (size_t)nm : 1, sizeof *mp);
    size_t *ml = attn_calloc(nm ? (size_t)nm : 1, sizeof *ml);
    tok_added *added = NULL;
    int32_t n_added = 0;
    if (!buf || !tp || !tl || !ids || !mp || !ml) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory reading the tokenizer", f->path);
        goto done;
    }
    size_t at = 0;
    for (int k = 0; k < 2; k++) {
        const gguf_value *list = k ? merges : tokens;
        for (uint64_t i = 0; i < list->arr.n; i++) {
            gguf_str s = gguf_arr_str(list, i);
            if (memchr(s.p, 0, (size_t)s.n)) {
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: tokenizer.ggml.%s[%" PRIu64 "] holds a NUL byte", f->path,
                                 k ? "merges" : "tokens", i);
                goto done;
            }
            memcpy(buf + at, s.p, (size_t)s.n);
            buf[at + s.n] = 0;
            (k ? mp : tp)[i] = buf + at;
            (k ? ml : tl)[i] = (size_t)s.n;
            at += (size_t)s.n + 1;
        }
    }
    /* control and user-defined tokens: matched whole, kept out of the BPE vocabulary */
    int32_t n_vocab = 0;
    for (uint64_t i = 0; types && i < n; i++) {
        int64_t t;
        if (!gguf_arr_i64(types, i, &t) || t < TT_UNDEFINED || t > TT_BYTE) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: tokenizer.ggml.token_type[%" PRIu64 "] is not a token type (0..6)",
                             f->path, i);
            goto done;
        }
        if (t == TT_CONTROL || t == TT_USER_DEFINED) n_added++;
    }
    if (n_added && !(added = attn_calloc((size_t)n_added, sizeof *added))) {
        st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory reading the tokenizer", f->path);
        goto done;
    }
    int32_t k_added = 0;
    for (uint64_t i = 0; i < n; i++) {
        int64_t t = TT_NORMAL;
        if (types) gguf_arr_i64(types, i, &t);
        if (t != TT_CONTROL && t != TT_USER_DEFINED) {
            tp[n_vocab] = tp[i];   /* compacted, with their ids */
            tl[n_vocab] = tl[i];
            ids[n_vocab] = (int32_t)i;
            n_vocab++;
            continue;
        }
        tok_added *a = &added[k_added++];
        a->id = (int32_t)i;
        a->len = tl[i];
        a->special = t == TT_CONTROL;
        if (!a->len) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: tokenizer.ggml.tokens[%" PRIu64 "] is empty", f->path, i);
            goto done;
        }
        if (!(a->content = attn_malloc(a->len + 1))) {
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "%s: out of memory reading the tokenizer", f->path);
            goto done;
        }
        memcpy(a->content, tp[i], a->len + 1);
    }
    bpe_lists lists = {.tokens = tp, .lens = tl, .ids = ids, .n_tokens = n_vocab, .merges = mp, .merge_lens = ml,
                       .n_merges = (int64_t)nm, .digits = digits, .bloom_split = bloom, .path = f->path,
                       .tokens_name = "tokenizer.ggml.tokens", .merges_name = "tokenizer.ggml.merges entry"};
    st = bpe_tokenizer_from_lists(&lists, added, n_added, out);
    added = NULL;
    if (st == ATTN_OK && (sp.add_bos || sp.add_eos)) {
        tok_post *pp = &(*out)->post;
        memset(pp, 0, sizeof *pp);
        pp->kind = TOK_POST_TEMPLATE;
        template_seq(f, tokens, &sp, 0, pp->single, &pp->n_single);
        template_seq(f, tokens, &sp, 0, pp->pair, &pp->n_pair);
        int second = pp->n_pair;
        template_seq(f, tokens, &sp, 1, pp->pair, &pp->n_pair);
        for (int i = second; i < pp->n_pair; i++) pp->pair[i].type_id = 1;
    }
done:
    tok_added_free(added, n_added);
    attn_free(buf);
    attn_free(tp);
    attn_free(tl);
    attn_free(ids);
    attn_free(mp);
    attn_free(ml);
    return st;
}
