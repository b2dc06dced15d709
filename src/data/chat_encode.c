/* chat_encode.c — a conversation rendered with its chat template and
 * encoded, with the mask of its assistant tokens (attn_chat_encode,
 * include/attn/chat_data.h): each assistant message's tokens are those
 * its rendering adds to the rendering that ends with the generation
 * prompt, checked to extend it as text and as tokens. */
#include "attn/chat_data.h"
#include "core/core.h"

/* Renders messages[0..n) with or without the generation prompt and encodes
 * the text into *ids (attn_free it); *text (attn_free it) when text is not NULL. */
static attn_status render_encode(const attn_chat_template *t, const attn_tokenizer *tok, const attn_chat_message *m, size_t n,
                                 const attn_chat_options *base, bool gen, char **text, size_t *text_len, int32_t **ids,
                                 int64_t *n_ids) {
    attn_chat_options opt = base ? *base : (attn_chat_options){0};
    opt.add_generation_prompt = gen;
    char *s = NULL;
    size_t len = 0;
    attn_status st = attn_chat_render(t, m, n, &opt, &s, &len);
    if (!st) st = attn_tokenizer_encode(tok, s, len, ids, n_ids);
    if (st || !text) {
        attn_free(s);
    } else {
        *text = s;
        *text_len = len;
    }
    return st;
}

static bool begins_with(const int32_t *a, int64_t na, const int32_t *b, int64_t nb) {
    return na >= nb && !memcmp(a, b, (size_t)nb * sizeof *b);
}

/* Marks message i's tokens in mask (the whole conversation's tokens all[0..n_all)). */
static attn_status assistant_span(const attn_chat_template *t, const attn_tokenizer *tok, const attn_chat_message *m, size_t i,
                                  const attn_chat_options *opt, const int32_t *all, int64_t n_all, uint8_t *mask) {
    char *p_text = NULL, *q_text = NULL;
    size_t p_len = 0, q_len = 0;
    int32_t *p_ids = NULL, *q_ids = NULL;
    int64_t np = 0, nq = 0;
    attn_status st = render_encode(t, tok, m, i, opt, true, &p_text, &p_len, &p_ids, &np);
    if (!st) st = render_encode(t, tok, m, i + 1, opt, false, &q_text, &q_len, &q_ids, &nq);
    if (st) {
        st = error_prefixf(st, "message %zu (assistant)", i + 1);
    } else if (q_len < p_len || memcmp(q_text, p_text, p_len)) {
        st = attn_errorf(ATTN_ERR_FORMAT,
                         "message %zu (assistant): the template's text up to and with it does not begin with its text up "
                         "to it with the generation prompt, so its span cannot be found",
                         i + 1);
    } else if (!begins_with(q_ids, nq, p_ids, np)) {
        st = attn_errorf(ATTN_ERR_FORMAT,
                         "message %zu (assistant): its tokens do not extend the tokens of the prompt before it (the "
                         "tokenizer merges across the boundary)",
                         i + 1);
    } else if (!begins_with(all, n_all, q_ids, nq)) {
        st = attn_errorf(ATTN_ERR_FORMAT,
                         "message %zu (assistant): the whole conversation's tokens do not begin with the tokens of the "
                         "conversation up to and with it (the template renders earlier turns differently)",
                         i + 1);
    } else {
        memset(mask + np, 1, (size_t)(nq - np));
    }
    attn_free(p_text);
    attn_free(q_text);
    attn_free(p_ids);
    attn_free(q_ids);
    return st;
}

attn_status attn_chat_encode(const attn_chat_template *t, const attn_tokenizer *tok, const attn_chat_message *messages,
                             size_t n, const attn_chat_options *opt, bool all_tokens, int32_t **ids, uint8_t **mask,
                             int64_t *n_ids) {
    *ids = NULL;
    *mask = NULL;
    *n_ids = 0;
    if (!t || !tok || (!messages && n)) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_encode: NULL argument");
    int32_t *all = NULL;
    int64_t n_all = 0;
    attn_status st = render_encode(t, tok, messages, n, opt, false, NULL, NULL, &all, &n_all);
    if (st) return st;
    uint8_t *m = attn_malloc(n_all > 0 ? (size_t)n_all : 1);
    if (!m) {
        attn_free(all);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    memset(m, all_tokens, (size_t)n_all);
    for (size_t i = 0; i < n && !all_tokens && !st; i++)
        if (messages[i].role && !strcmp(messages[i].role, "assistant"))
            st = assistant_span(t, tok, messages, i, opt, all, n_all, m);
    if (st) {
        attn_free(all);
        attn_free(m);
        return st;
    }
    *ids = all;
    *mask = m;
    *n_ids = n_all;
    return ATTN_OK;
}

attn_status attn_chat_example_text(const attn_chat_template *t, const attn_chat_options *opt, const attn_chat_example *e,
                                   int which, char **out, size_t *len) {
    *out = NULL;
    *len = 0;
    const attn_chat_turns *c = which == 0 ? &e->chosen : which == 1 ? &e->rejected : NULL;
    if (!t || which < -1 || which > 1 || !e->prompt.n) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_example_text: bad arguments");
    if (e->plain) {
        const char *p = e->prompt.m[0].content, *q = c ? c->m[0].content : "";
        size_t a = strlen(p), b = strlen(q);
        if (!(*out = attn_malloc(a + b + 1))) return ATTN_ERR_OUT_OF_MEMORY;
        memcpy(*out, p, a);
        memcpy(*out + a, q, b + 1);
        *len = a + b;
        return ATTN_OK;
    }
    int64_t n = e->prompt.n + (c ? c->n : 0);
    attn_chat_message *all = attn_malloc((size_t)n * sizeof *all);
    if (!all) return ATTN_ERR_OUT_OF_MEMORY;
    memcpy(all, e->prompt.m, (size_t)e->prompt.n * sizeof *all);
    if (c) memcpy(all + e->prompt.n, c->m, (size_t)c->n * sizeof *all);
    attn_chat_options o = opt ? *opt : (attn_chat_options){0};
    o.add_generation_prompt = false;
    attn_status st = attn_chat_render(t, all, (size_t)n, &o, out, len);
    attn_free(all);
    return st;
}

attn_status attn_chat_prompt_ids(const attn_chat_template *t, const attn_tokenizer *tok, const attn_chat_options *opt,
                                 const attn_chat_example *e, int32_t **ids, int64_t *n) {
    *ids = NULL;
    *n = 0;
    if (!e->prompt.n) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_chat_prompt_ids: no prompt");
    attn_status st;
    if (e->plain) {
        const char *p = e->prompt.m[0].content;
        st = attn_tokenizer_encode(tok, p, strlen(p), ids, n);
    } else {
        st = render_encode(t, tok, e->prompt.m, (size_t)e->prompt.n, opt, true, NULL, NULL, ids, n);
    }
    if (!st && *n == 0) {
        attn_free(*ids);
        *ids = NULL;
        st = attn_errorf(ATTN_ERR_FORMAT, "the prompt encodes to no tokens");
    }
    return st;
}
