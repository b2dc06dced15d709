/* serve_sched.c — attn serve's scheduler: N slots share the model through
 * one decoding context of N sequences (slot i is sequence i); one thread
 * runs steps. A step admits queued requests into free slots (a request with
 * n choices takes n slots at once, in arrival order; the first decodes the
 * prompt, the others then copy its sequence: sched_share), decodes the pending
 * tokens of every active slot in one continuous batch (sched_decode: the
 * next token of each slot that is generating, and up to batch_size tokens
 * of the prompts being prefilled, so a long prompt is fed over several
 * steps while the others go on), then samples the next token of each slot
 * whose pending tokens are all decoded and hands its text to the request.
 *
 * Prompt cache: a slot keeps the tokens its sequence holds after its last
 * request (prompt and generated text). A new request goes to the free slot
 * whose kept tokens share the longest prefix with its prompt; the slot
 * keeps that prefix and forgets the rest (slot_keep), and decodes only the
 * prompt after it. So a request never sees another conversation's state:
 * what a sequence holds is exactly the tokens its slot lists (sched_decode
 * checks the lengths agree before every step). */
#include "chat_tools.h"
#include "serve.h"

#include "attn/attn.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct srv_slot {
    int32_t seq;             /* its sequence in the scheduler's context */
    int32_t *kept;           /* the tokens its sequence holds, in order (ctx_size) */
    int64_t n_kept;
    srv_request *req;        /* NULL: free */
    int choice;
    attn_sampler *sampler;
    float *logits;           /* (V) after the last decoded token */
    int32_t *pending;        /* tokens to decode this step (they are in kept[n_kept ..]) */
    int64_t n_pending;
    cli_buf held;            /* generated text not shown yet (a stop string may begin in it) */
    uint64_t last_used;
    char err[256];           /* why its decoding failed (sched_decode) */
    struct srv_slot *leader; /* a choice after the first: its prompt comes as a copy of the leader's */
} srv_slot;

struct srv_sched {
    srv_config cfg;
    int64_t V;
    srv_slot *slots;
    attn_ctx *ctx;           /* n_slots sequences of ctx_size positions */
    int64_t batch_size;      /* prompt tokens decoded per step at most */
    int32_t *b_seqs, *b_toks;   /* one step's entries (n_slots + batch_size) */
    int64_t *b_take;         /* the tokens each slot of the step decodes (n_slots) */
    float *b_logits;         /* one step's logits, a row per run (n_slots x V) */
    pthread_t thread;
    pthread_mutex_t mu;      /* queue, metrics, stopping */
    pthread_cond_t cv;
    srv_request **queue;
    int q_head, q_len;
    bool stopping;
    srv_metrics m;
    uint64_t clock;
    int32_t *top_ids;
    float *top_lps;
};

double srv_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool srv_utf8_clean(const char *s, size_t n, cli_buf *out) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        int l = cli_utf8_len(u + i, n - i);
        if (l > 0) {
            i += (size_t)l;
            continue;
        }
        if (!cli_buf_add(out, s + run, i - run) || !cli_buf_add(out, "\xEF\xBF\xBD", 3)) return false;
        i++;
        run = i;
    }
    return cli_buf_add(out, s + run, n - run);
}

size_t srv_utf8_whole(const char *s, size_t n) {
    /* a cut sequence can only start in the last 3 bytes */
    size_t from = n > 3 ? n - 3 : 0;
    for (size_t i = from; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (c >= 0xC0 && cli_utf8_len((const unsigned char *)s + i, n - i) == 0) return i;
    }
    return n;
}

void srv_request_release(srv_request *r) {
    pthread_mutex_lock(&r->mu);
    int left = --r->refs;
    pthread_mutex_unlock(&r->mu);
    if (left) return;
    free(r->prompt);
    for (size_t i = 0; i < r->n_stops; i++) free(r->stops[i]);
    if (r->choices)
        for (int i = 0; i < r->n; i++) {
            free(r->choices[i].text.p);
            cJSON_Delete(r->choices[i].logprobs);
        }
    free(r->choices);
    free(r->out.p);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}

/* ---- streaming chunks ---------------------------------------------------- */

cJSON *srv_usage_json(const srv_request *r) {
    int64_t gen = 0;
    for (int i = 0; i < r->n; i++) gen += r->choices[i].n_tokens;
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)r->n_prompt);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)gen);
    cJSON_AddNumberToObject(u, "total_tokens", (double)(r->n_prompt + gen));
    cJSON *d = cJSON_AddObjectToObject(u, "prompt_tokens_details");
    cJSON_AddNumberToObject(d, "cached_tokens", (double)r->cached_tokens);
    return u;
}

static cJSON *chunk_head(const srv_request *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "object", r->kind == SRV_CHAT ? "chat.completion.chunk" : "text_completion");
    cJSON_AddNumberToObject(o, "created", (double)r->created);
    cJSON_AddStringToObject(o, "model", r->model_name);
    return o;
}

static bool emit(srv_request *r, cJSON *o) {
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return false;
    bool ok = cli_buf_add(&r->out, "data: ", 6) && cli_buf_add(&r->out, s, strlen(s)) && cli_buf_add(&r->out, "\n\n", 2);
    free(s);
    return ok;
}

bool srv_stream_chunk(srv_request *r, int index, bool role, const char *delta, size_t len, cJSON *logprobs,
                      const char *finish) {
    cJSON *o = chunk_head(r);
    cJSON *cs = cJSON_AddArrayToObject(o, "choices");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddItemToArray(cs, c);
    cJSON_AddNumberToObject(c, "index", index);
    cli_buf txt = {0};
    if (!srv_utf8_clean(delta ? delta : "", delta ? len : 0, &txt)) {
        cJSON_Delete(o);
        return false;
    }
    if (r->kind == SRV_CHAT) {
        cJSON *d = cJSON_AddObjectToObject(c, "delta");
        if (role) cJSON_AddStringToObject(d, "role", "assistant");
        if (!finish || len) cJSON_AddStringToObject(d, "content", txt.p ? txt.p : "");
    } else {
        cJSON_AddStringToObject(c, "text", txt.p ? txt.p : "");
    }
    free(txt.p);
    if (logprobs) {
        if (r->kind == SRV_CHAT) {
            cJSON *l = cJSON_AddObjectToObject(c, "logprobs");
            cJSON_AddItemToObject(l, "content", logprobs);
        } else {
            cJSON_AddItemToObject(c, "logprobs", logprobs);
        }
    } else {
        cJSON_AddNullToObject(c, "logprobs");
    }
    if (finish) cJSON_AddStringToObject(c, "finish_reason", finish);
    else cJSON_AddNullToObject(c, "finish_reason");
    if (r->include_usage) cJSON_AddNullToObject(o, "usage");
    return emit(r, o);
}

/* ---- streaming with tools ------------------------------------------------------ */

static const char CALL_OPEN[] = "<tool_call>";

/* How much of a choice's text may go out as content while it may still
 * turn into calls: all of it but a call from its "<tool_call>" on, or a
 * tail that could still become one, and the white space before either
 * (the content of a turn with calls ends before that white space). */
static size_t tools_safe_len(const char *text, size_t len) {
    const char *at = len ? memmem(text, len, CALL_OPEN, sizeof CALL_OPEN - 1) : NULL;
    size_t end = at ? (size_t)(at - text) : len;
    if (!at)
        for (size_t k = sizeof CALL_OPEN - 2; k > 0; k--)
            if (k <= len && !memcmp(text + len - k, CALL_OPEN, k)) {
                end = len - k;
                break;
            }
    while (end && strchr(" \t\r\n", text[end - 1])) end--;
    return end;
}

/* One chunk whose delta holds the calls of a finished choice, as OpenAI
 * streams them: "tool_calls": [{"index", "id", "type", "function": {"name",
 * "arguments"}}] (the ids those of the answer without streaming). */
static bool stream_tool_calls(srv_request *r, int index, const cJSON *calls) {
    cJSON *o = chunk_head(r);
    cJSON *cs = cJSON_AddArrayToObject(o, "choices");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddItemToArray(cs, c);
    cJSON_AddNumberToObject(c, "index", index);
    cJSON *arr = cJSON_AddArrayToObject(cJSON_AddObjectToObject(c, "delta"), "tool_calls");
    int i = 0;
    for (const cJSON *call = calls ? calls->child : NULL; call; call = call->next, i++) {
        cJSON *e = cJSON_Duplicate(call, true);
        if (e) cJSON_AddNumberToObject(e, "index", i);
        cJSON_AddItemToArray(arr, e);
    }
    cJSON_AddNullToObject(c, "logprobs");
    cJSON_AddNullToObject(c, "finish_reason");
    if (r->include_usage) cJSON_AddNullToObject(o, "usage");
    return emit(r, o);
}

/* A chat stream with tools, after a token: the content that can no longer
 * be part of a call goes out (with the token's logprobs, owned here); at
 * the end the calls found in the text (cli_tools_message: well-formed
 * ones) go out as tool_calls and finish "tool_calls", or else the rest of
 * the text as content and the finish given. */
static void stream_with_tools(srv_request *r, int index, srv_choice *ch, cJSON *logprobs, const char *finish) {
    const char *text = ch->text.p ? ch->text.p : "";
    size_t limit = finish ? ch->text.len : tools_safe_len(text, ch->text.len);
    cJSON *msg = NULL;
    if (finish) {
        char cid[80], *whole = malloc(ch->text.len + 1);
        const char *call_finish = finish;
        if (whole) {
            memcpy(whole, text, ch->text.len);
            whole[ch->text.len] = '\0';
            snprintf(cid, sizeof cid, "%s_%d", r->id, index);
            msg = cli_tools_message(whole, true, cid, &call_finish);
        }
        free(whole);
        if (msg && cJSON_GetObjectItemCaseSensitive(msg, "tool_calls")) {
            const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
            limit = cJSON_IsString(content) ? strlen(content->valuestring) : 0;
            finish = call_finish;
        } else {
            cJSON_Delete(msg);
            msg = NULL;
        }
    }
    if (limit < ch->sent) limit = ch->sent;
    if (limit > ch->sent || logprobs) srv_stream_chunk(r, index, false, text + ch->sent, limit - ch->sent, logprobs, NULL);
    ch->sent = limit;
    if (msg) stream_tool_calls(r, index, cJSON_GetObjectItemCaseSensitive(msg, "tool_calls"));
    cJSON_Delete(msg);
    if (finish) srv_stream_chunk(r, index, false, NULL, 0, NULL, finish);
}

bool srv_stream_tools_whole(srv_request *r, int index, const char *text, size_t len, const char *finish) {
    srv_choice ch = {.text = {(char *)(uintptr_t)text, len, len}};
    size_t before = r->out.len;
    stream_with_tools(r, index, &ch, NULL, finish);
    return r->out.len > before; /* at least the finish went out */
}

bool srv_stream_end(srv_request *r) {
    if (r->include_usage) {
        cJSON *o = chunk_head(r);
        cJSON_AddArrayToObject(o, "choices");
        cJSON_AddItemToObject(o, "usage", srv_usage_json(r));
        if (!emit(r, o)) return false;
    }
    return cli_buf_add(&r->out, "data: [DONE]\n\n", 14);
}

/* ---- slots ------------------------------------------------------------------ */

/* The slot's sequence keeps kept[0..k) (k <= n_kept: the prefix a new
 * prompt shares with it) and forgets the rest. Returns the tokens kept. */
static int64_t slot_keep(srv_sched *s, srv_slot *sl, int64_t k) {
    if (k < sl->n_kept) {
        if (attn_ctx_seq_keep(s->ctx, sl->seq, k)) {
            /* cannot happen for a decoder; if it did, the length check in
             * sched_decode fails the request rather than serve other state */
            k = 0;
            (void)attn_ctx_seq_keep(s->ctx, sl->seq, 0);
        }
        sl->n_kept = k;
    }
    return sl->n_kept;
}

static void slot_fail(srv_sched *s, srv_slot *sl, attn_status st, const char *msg, attn_status *failed) {
    *failed = st ? st : ATTN_ERR_INVALID_ARG;
    snprintf(sl->err, sizeof sl->err, "%s", msg && *msg ? msg : "decoding failed");
    /* a failed request's state is not kept */
    (void)attn_ctx_seq_keep(s->ctx, sl->seq, 0);
    sl->n_kept = 0;
    sl->n_pending = 0;
}

/* The one decoding call of a step: one continuous batch of a run per slot
 * in `batch` (its pending tokens, in order; a prompt's cut to what is left of
 * the step's batch_size prompt tokens, a generating slot's one token always
 * taken). A slot whose pending tokens are all decoded gets the logits after
 * the last (ready[i]); one whose prompt goes on next step is not ready; one
 * that fails is reported in failed[i] with its message in err. When the
 * batch fails, each run is decoded alone, so only the slots whose own run
 * fails are failed (a failed call leaves every length as it was). */
static void sched_decode(srv_sched *s, srv_slot **batch, int n, attn_status *failed, bool *ready) {
    int64_t rows = 0, budget = s->batch_size;
    int n_runs = 0;
    int64_t *take = s->b_take;
    for (int i = 0; i < n; i++) {
        srv_slot *sl = batch[i];
        failed[i] = ATTN_OK;
        ready[i] = false;
        int64_t t = sl->leader ? 0 : sl->n_pending;
        take[i] = 0;
        if (attn_ctx_seq_len(s->ctx, sl->seq) != sl->n_kept) {
            char msg[160];
            snprintf(msg, sizeof msg, "slot %d holds %lld positions where %lld were expected", (int)sl->seq,
                     (long long)attn_ctx_seq_len(s->ctx, sl->seq), (long long)sl->n_kept);
            slot_fail(s, sl, ATTN_ERR_INVALID_ARG, msg, &failed[i]);
            continue;
        }
        if (t > 1) {
            if (t > budget) t = budget;
            budget -= t;
        }
        if (t < 1) continue;
        take[i] = t;
        for (int64_t j = 0; j < t; j++) {
            s->b_seqs[rows + j] = sl->seq;
            s->b_toks[rows + j] = sl->pending[j];
        }
        rows += t;
        n_runs++;
    }
    if (rows) {
        attn_status st = attn_ctx_decode_batch(s->ctx, rows, s->b_seqs, s->b_toks, s->b_logits);
        int64_t off = 0;
        int run = 0;
        char batch_err[256];
        if (st) snprintf(batch_err, sizeof batch_err, "%s", attn_last_error());
        for (int i = 0; i < n; i++) {
            srv_slot *sl = batch[i];
            int64_t t = take[i];
            if (!t) continue;
            float *row = s->b_logits + (size_t)run * (size_t)s->V;
            attn_status rs = st;
            if (st && n_runs > 1) rs = attn_ctx_decode_batch(s->ctx, t, s->b_seqs + off, s->b_toks + off, row);
            off += t;
            run++;
            if (rs) {
                slot_fail(s, sl, rs, n_runs > 1 ? attn_last_error() : batch_err, &failed[i]);
                continue;
            }
            if (!sl->req->choices[sl->choice].n_tokens) { /* a prompt's tokens */
                pthread_mutex_lock(&s->mu);
                s->m.prompt_tokens_processed += t;
                pthread_mutex_unlock(&s->mu);
            }
            sl->n_kept += t;
            sl->pending += t;
            sl->n_pending -= t;
            if (!sl->n_pending) {
                memcpy(sl->logits, row, (size_t)s->V * sizeof *sl->logits);
                ready[i] = true;
            }
        }
    }
}

static void request_fail(srv_request *r, const char *msg) {
    pthread_mutex_lock(&r->mu);
    if (!r->failed) {
        r->failed = true;
        snprintf(r->err, sizeof r->err, "%s", msg);
        if (r->stream) {
            cJSON *o = cJSON_CreateObject();
            cJSON *e = cJSON_AddObjectToObject(o, "error");
            cJSON_AddStringToObject(e, "message", msg);
            cJSON_AddStringToObject(e, "type", "server_error");
            cJSON_AddNullToObject(e, "param");
            cJSON_AddNullToObject(e, "code");
            emit(r, o);
            cli_buf_add(&r->out, "data: [DONE]\n\n", 14);
        }
    }
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* Frees a slot; the last of a request's slots to finish ends the request. */
static void slot_release(srv_sched *s, srv_slot *sl) {
    srv_request *r = sl->req;
    sl->req = NULL;
    sl->leader = NULL;
    sl->held.len = 0;
    attn_sampler_free(sl->sampler);
    sl->sampler = NULL;
    sl->last_used = ++s->clock;
    pthread_mutex_lock(&r->mu);
    bool last = --r->choices_left == 0;
    if (last) {
        r->done = true;
        r->t_done = srv_now();
        if (r->stream && !r->failed && !r->cancelled) srv_stream_end(r);
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    if (last) {
        pthread_mutex_lock(&s->mu);
        s->m.processing--;
        if (!r->failed && !r->cancelled) {
            s->m.prompt_seconds += r->t_first - r->t_queued;
            s->m.generation_seconds += r->t_done - r->t_first;
        }
        pthread_mutex_unlock(&s->mu);
        srv_request_release(r);
    }
}

static bool is_stop_token(const srv_sched *s, int32_t t) {
    for (int i = 0; i < s->cfg.n_stop_tokens; i++)
        if (s->cfg.stop_tokens[i] == t) return true;
    return false;
}

/* A token's logprobs entry: chat {"token", "logprob", "bytes", "top_logprobs"};
 * completions add to the four parallel lists of `lp`. */
static cJSON *token_entry(srv_sched *s, const srv_request *r, const float *logits, int32_t t, const char *bytes,
                          size_t n, size_t offset, cJSON *lp) {
    float tlp;
    int k = r->logprobs;
    attn_logprobs(logits, s->V, t, k, &tlp, s->top_ids, s->top_lps);
    cli_buf txt = {0};
    srv_utf8_clean(bytes, n, &txt);
    const char *ts = txt.p ? txt.p : "";
    double lpv = isfinite(tlp) ? (double)tlp : -9999.0;
    cJSON *e;
    if (r->kind == SRV_CHAT) {
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "token", ts);
        cJSON_AddNumberToObject(e, "logprob", lpv);
        cJSON *b = cJSON_AddArrayToObject(e, "bytes");
        for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(b, cJSON_CreateNumber((unsigned char)bytes[i]));
        cJSON *top = cJSON_AddArrayToObject(e, "top_logprobs");
        for (int i = 0; i < k; i++) {
            const char *tb;
            size_t tn;
            if (attn_tokenizer_token_bytes(s->cfg.tok, s->top_ids[i], &tb, &tn)) tb = "", tn = 0;
            cli_buf tt = {0};
            srv_utf8_clean(tb, tn, &tt);
            cJSON *a = cJSON_CreateObject();
            cJSON_AddStringToObject(a, "token", tt.p ? tt.p : "");
            cJSON_AddNumberToObject(a, "logprob", isfinite(s->top_lps[i]) ? (double)s->top_lps[i] : -9999.0);
            cJSON *ab = cJSON_AddArrayToObject(a, "bytes");
            for (size_t j = 0; j < tn; j++) cJSON_AddItemToArray(ab, cJSON_CreateNumber((unsigned char)tb[j]));
            cJSON_AddItemToArray(top, a);
            free(tt.p);
        }
        if (lp) cJSON_AddItemToArray(lp, e);
    } else {
        e = lp ? lp : cJSON_CreateObject();
        cJSON *tokens = cJSON_GetObjectItem(e, "tokens");
        if (!tokens) {
            tokens = cJSON_AddArrayToObject(e, "tokens");
            cJSON_AddArrayToObject(e, "token_logprobs");
            cJSON_AddArrayToObject(e, "top_logprobs");
            cJSON_AddArrayToObject(e, "text_offset");
        }
        cJSON_AddItemToArray(tokens, cJSON_CreateString(ts));
        cJSON_AddItemToArray(cJSON_GetObjectItem(e, "token_logprobs"), cJSON_CreateNumber(lpv));
        cJSON *top = cJSON_CreateObject();
        for (int i = 0; i < k; i++) {
            const char *tb;
            size_t tn;
            if (attn_tokenizer_token_bytes(s->cfg.tok, s->top_ids[i], &tb, &tn)) tb = "", tn = 0;
            cli_buf tt = {0};
            srv_utf8_clean(tb, tn, &tt);
            const char *key = tt.p ? tt.p : "";
            if (!cJSON_GetObjectItem(top, key))
                cJSON_AddNumberToObject(top, key, isfinite(s->top_lps[i]) ? (double)s->top_lps[i] : -9999.0);
            free(tt.p);
        }
        cJSON_AddItemToArray(cJSON_GetObjectItem(e, "top_logprobs"), top);
        cJSON_AddItemToArray(cJSON_GetObjectItem(e, "text_offset"), cJSON_CreateNumber((double)offset));
    }
    free(txt.p);
    return e;
}

/* After the slot's logits are ready: sample, and hand the text on. Returns
 * false when the slot's choice has finished. */
static bool slot_advance(srv_sched *s, srv_slot *sl) {
    srv_request *r = sl->req;
    srv_choice *ch = &r->choices[sl->choice];
    int32_t t = attn_sampler_sample(sl->sampler, sl->logits);
    const char *bytes = "";
    size_t nb = 0;
    bool stop_tok = !r->ignore_eos && is_stop_token(s, t);
    if (!stop_tok && attn_tokenizer_token_bytes(s->cfg.tok, t, &bytes, &nb)) bytes = "", nb = 0;
    pthread_mutex_lock(&s->mu);
    s->m.generated_tokens++;
    pthread_mutex_unlock(&s->mu);

    pthread_mutex_lock(&r->mu);
    if (r->t_first == 0) r->t_first = srv_now();
    ch->n_tokens++;
    const char *finish = NULL;
    cJSON *lp_stream = NULL;
    /* the logprobs of a stop token are not shown (as OpenAI) */
    if (r->logprobs >= 0 && !stop_tok) {
        size_t offset = ch->text.len + sl->held.len;
        if (r->stream) {
            lp_stream = r->kind == SRV_CHAT ? cJSON_CreateArray() : NULL;
            cJSON *e = token_entry(s, r, sl->logits, t, bytes, nb, offset, lp_stream);
            if (!lp_stream) lp_stream = e;
        } else {
            if (!ch->logprobs) ch->logprobs = r->kind == SRV_CHAT ? cJSON_CreateArray() : cJSON_CreateObject();
            token_entry(s, r, sl->logits, t, bytes, nb, offset, ch->logprobs);
        }
    }
    size_t show = 0;
    if (stop_tok) {
        finish = "stop";
        show = sl->held.len;   /* what was held for a stop string that did not come */
    } else {
        cli_buf_add(&sl->held, bytes, nb);
        bool hit;
        show = attn_stop_scan(sl->held.p, sl->held.len, (const char *const *)r->stops, r->n_stops, &hit);
        if (hit) finish = "stop";
        else if (ch->n_tokens >= r->sp.max_new_tokens || sl->n_kept >= s->cfg.ctx_size) finish = "length";
        if (finish && !hit) show = sl->held.len;
        else if (!finish) show = srv_utf8_whole(sl->held.p, show);
    }
    size_t from = ch->text.len;
    cli_buf_add(&ch->text, sl->held.p, show);
    if (finish) sl->held.len = 0;
    else {
        memmove(sl->held.p, sl->held.p + show, sl->held.len - show);
        sl->held.len -= show;
    }
    if (finish) ch->finish = finish;
    if (r->stream && !r->cancelled && r->tools) {
        stream_with_tools(r, sl->choice, ch, lp_stream, finish);
        lp_stream = NULL;
    } else if (r->stream && !r->cancelled && (show || lp_stream || finish)) {
        srv_stream_chunk(r, sl->choice, false, ch->text.p + from, show, lp_stream, NULL);
        lp_stream = NULL;
        if (finish) srv_stream_chunk(r, sl->choice, false, NULL, 0, NULL, finish);
    }
    cJSON_Delete(lp_stream);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    if (finish) return false;
    sl->kept[sl->n_kept] = t;
    sl->pending = sl->kept + sl->n_kept;
    sl->n_pending = 1;
    return true;
}

/* Puts the queue's first request into free slots if there are enough. */
static bool admit(srv_sched *s) {
    if (!s->q_len) return false;
    srv_request *r = s->queue[s->q_head];
    int n_free = 0;
    for (int i = 0; i < s->cfg.n_slots; i++) n_free += !s->slots[i].req;
    pthread_mutex_lock(&r->mu);
    bool cancelled = r->cancelled;
    pthread_mutex_unlock(&r->mu);
    if (cancelled) {
        /* it never started: drop it */
        s->q_head = (s->q_head + 1) % s->cfg.queue_max;
        s->q_len--;
        s->m.deferred--;
        pthread_mutex_lock(&r->mu);
        r->done = true;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        srv_request_release(r);
        return true;
    }
    if (n_free < r->n) return false;
    s->q_head = (s->q_head + 1) % s->cfg.queue_max;
    s->q_len--;
    s->m.deferred--;
    s->m.processing++;
    s->m.requests++;
    s->m.prompt_tokens += r->n_prompt;
    /* the reference the queue held goes to the request's slots (released by the last) */
    r->choices_left = r->n;
    srv_slot *leader = NULL;
    for (int c = 0; c < r->n; c++) {
        /* the first choice: the free slot whose kept tokens share the longest
         * prefix with the prompt (shorter than it: the last prompt token is
         * decoded for its logits), else the one used least recently; the
         * others: the least recently used, which wait for the first's prompt
         * and copy it (one prefill for n choices) */
        srv_slot *best = NULL;
        int64_t best_k = -1;
        for (int i = 0; i < s->cfg.n_slots; i++) {
            srv_slot *sl = &s->slots[i];
            if (sl->req) continue;
            int64_t k = 0, lim = sl->n_kept < r->n_prompt - 1 ? sl->n_kept : r->n_prompt - 1;
            while (c == 0 && k < lim && sl->kept[k] == r->prompt[k]) k++;
            if (k > best_k || (k == best_k && sl->last_used < best->last_used)) {
                best = sl;
                best_k = k;
            }
        }
        best->req = r;
        best->choice = c;
        best->leader = leader;
        attn_sampler_params sp = r->sp;
        sp.seed = r->sp.seed + (uint64_t)c;
        if (attn_sampler_new(s->V, &sp, &best->sampler)) {
            best->sampler = NULL;
        }
        best->held.len = 0;
        if (leader) {
            best->n_pending = 0; /* sched_share gives it the leader's prompt */
        } else {
            int64_t kept = slot_keep(s, best, best_k);
            memcpy(best->kept + kept, r->prompt + kept, (size_t)(r->n_prompt - kept) * sizeof *r->prompt);
            best->pending = best->kept + kept;
            best->n_pending = r->n_prompt - kept;
            r->cached_tokens = kept;
            s->m.cached_tokens += kept;
            leader = best;
        }
        if (r->stream && r->kind == SRV_CHAT) {
            pthread_mutex_lock(&r->mu);
            srv_stream_chunk(r, c, true, "", 0, NULL, NULL);
            pthread_cond_broadcast(&r->cv);
            pthread_mutex_unlock(&r->mu);
        }
    }
    return true;
}

/* The choices after the first of a request whose first choice's prompt is
 * decoded (leader ready): each copies the leader's sequence, tokens and
 * logits, and is ready to sample too (ready_f). */
static void sched_share(srv_sched *s, srv_slot *leader, attn_status *failed_f, bool *ready_f, srv_slot **batch, int n) {
    for (int j = 0; j < n; j++) {
        srv_slot *f = batch[j];
        if (f->leader != leader || f->req != leader->req) continue;
        f->leader = NULL;
        attn_status st = attn_ctx_seq_copy(s->ctx, f->seq, leader->seq, leader->n_kept);
        if (st) {
            slot_fail(s, f, st, attn_last_error(), &failed_f[j]);
            continue;
        }
        memcpy(f->kept, leader->kept, (size_t)leader->n_kept * sizeof *f->kept);
        f->n_kept = leader->n_kept;
        f->n_pending = 0;
        memcpy(f->logits, leader->logits, (size_t)s->V * sizeof *f->logits);
        ready_f[j] = true;
    }
}

static void *sched_main(void *arg) {
    srv_sched *s = arg;
    int N = s->cfg.n_slots;
    /* OpenMP's thread count is a per-thread setting: the decoding's thread takes it here */
    if (s->cfg.threads > 0) (void)attn_set_threads(s->cfg.threads);
    srv_slot **batch = calloc((size_t)N, sizeof *batch);
    attn_status *failed = calloc((size_t)N, sizeof *failed);
    bool *ready = calloc((size_t)N, sizeof *ready);
    for (;;) {
        pthread_mutex_lock(&s->mu);
        for (;;) {
            if (s->stopping) break;
            while (admit(s)) {
            }
            int active = 0;
            for (int i = 0; i < N; i++) active += s->slots[i].req != NULL;
            if (active) break;
            pthread_cond_wait(&s->cv, &s->mu);
        }
        bool stopping = s->stopping;
        pthread_mutex_unlock(&s->mu);
        if (stopping) break;
        /* cancelled requests free their slots before the step */
        int n = 0;
        for (int i = 0; i < N; i++) {
            srv_slot *sl = &s->slots[i];
            if (!sl->req) continue;
            pthread_mutex_lock(&sl->req->mu);
            bool gone = sl->req->cancelled || sl->req->failed;
            pthread_mutex_unlock(&sl->req->mu);
            if (gone || !sl->sampler) {
                if (!gone) request_fail(sl->req, "out of memory");
                sl->n_pending = 0; /* not decoded: its sequence holds kept[0 .. n_kept) still */
                slot_release(s, sl);
                continue;
            }
            batch[n++] = sl;
        }
        if (!n || !batch || !failed || !ready) continue;
        sched_decode(s, batch, n, failed, ready);
        for (int i = 0; i < n; i++)
            if (ready[i] && batch[i]->req->n > 1 && batch[i]->choice == 0) sched_share(s, batch[i], failed, ready, batch, n);
        for (int i = 0; i < n; i++) {
            srv_slot *sl = batch[i];
            if (failed[i]) {
                request_fail(sl->req, sl->err);
                slot_release(s, sl);
            } else if (ready[i] && !slot_advance(s, sl)) {
                slot_release(s, sl);
            }
        }
    }
    free(batch);
    free(failed);
    free(ready);
    return NULL;
}

attn_status srv_sched_start(const srv_config *cfg, srv_sched **out) {
    *out = NULL;
    srv_sched *s = calloc(1, sizeof *s);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    s->cfg = *cfg;
    s->V = attn_model_config(cfg->model).vocab_size;
    s->slots = calloc((size_t)cfg->n_slots, sizeof *s->slots);
    s->queue = calloc((size_t)cfg->queue_max, sizeof *s->queue);
    s->top_ids = calloc(SRV_MAX_TOP_LOGPROBS + 1, sizeof *s->top_ids);
    s->top_lps = calloc(SRV_MAX_TOP_LOGPROBS + 1, sizeof *s->top_lps);
    s->batch_size = cfg->batch_size > 0 ? cfg->batch_size : SRV_BATCH_SIZE;
    size_t cap = (size_t)cfg->n_slots + (size_t)s->batch_size;
    s->b_seqs = malloc(cap * sizeof *s->b_seqs);
    s->b_toks = malloc(cap * sizeof *s->b_toks);
    s->b_take = malloc((size_t)cfg->n_slots * sizeof *s->b_take);
    s->b_logits = malloc((size_t)cfg->n_slots * (size_t)s->V * sizeof *s->b_logits);
    attn_status st = s->slots && s->queue && s->top_ids && s->top_lps && s->b_seqs && s->b_toks && s->b_take &&
                             s->b_logits
                         ? ATTN_OK
                         : ATTN_ERR_OUT_OF_MEMORY;
    for (int i = 0; !st && i < cfg->n_slots; i++) {
        srv_slot *sl = &s->slots[i];
        sl->seq = i;
        sl->kept = malloc((size_t)cfg->ctx_size * sizeof *sl->kept);
        sl->logits = malloc((size_t)s->V * sizeof *sl->logits);
        if (!sl->kept || !sl->logits) st = ATTN_ERR_OUT_OF_MEMORY;
    }
    if (!st) st = attn_ctx_new(cfg->model, cfg->n_slots, cfg->ctx_size, &s->ctx);
    if (st == ATTN_ERR_OUT_OF_MEMORY) attn_errorf(st, "out of memory for %d slots", cfg->n_slots);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (!st && pthread_create(&s->thread, NULL, sched_main, s)) st = attn_errorf(ATTN_ERR_IO, "cannot start a thread");
    if (st) {
        s->thread = 0;
        s->stopping = true;
        srv_sched_free(s);
        return st;
    }
    *out = s;
    return ATTN_OK;
}

bool srv_sched_submit(srv_sched *s, srv_request *r) {
    pthread_mutex_lock(&s->mu);
    bool ok = !s->stopping && s->q_len < s->cfg.queue_max;
    if (ok) {
        pthread_mutex_lock(&r->mu);
        r->refs++;
        r->t_queued = srv_now();
        pthread_mutex_unlock(&r->mu);
        s->queue[(s->q_head + s->q_len) % s->cfg.queue_max] = r;
        s->q_len++;
        s->m.deferred++;
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void srv_sched_poke(srv_sched *s) {
    pthread_mutex_lock(&s->mu);
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void srv_sched_metrics(srv_sched *s, srv_metrics *m) {
    pthread_mutex_lock(&s->mu);
    *m = s->m;
    pthread_mutex_unlock(&s->mu);
}

void srv_sched_stop(srv_sched *s) {
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    if (s->thread) pthread_join(s->thread, NULL);
    s->thread = 0;
    /* no thread any more: fail what is left */
    for (; s->q_len > 0; s->q_len--) {
        srv_request *r = s->queue[s->q_head];
        s->q_head = (s->q_head + 1) % s->cfg.queue_max;
        request_fail(r, "the server is shutting down");
        pthread_mutex_lock(&r->mu);
        r->done = true;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        srv_request_release(r);
    }
    for (int i = 0; s->slots && i < s->cfg.n_slots; i++) {
        srv_slot *sl = &s->slots[i];
        if (sl->req) {
            request_fail(sl->req, "the server is shutting down");
            slot_release(s, sl);
        }
    }
}

void srv_sched_free(srv_sched *s) {
    if (!s) return;
    for (int i = 0; s->slots && i < s->cfg.n_slots; i++) {
        srv_slot *sl = &s->slots[i];
        free(sl->kept);
        free(sl->logits);
        free(sl->held.p);
    }
    attn_ctx_free(s->ctx);
    free(s->b_seqs);
    free(s->b_toks);
    free(s->b_take);
    free(s->b_logits);
    free(s->slots);
    free(s->queue);
    free(s->top_ids);
    free(s->top_lps);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}
