/* attn serve — an OpenAI-compatible HTTP server on one model.
 *
 * HTTP is libmicrohttpd (Debian's libmicrohttpd-dev): a small, well-kept C
 * library with HTTP/1.1 keep-alive, chunked responses from a callback,
 * connection limits and timeouts built in. It is linked into the CLI only:
 * libattn stays free of sockets and threads of its own, and a program
 * embedding the library serves its model the way it likes.
 *
 * Threads: one per connection (MHD_USE_THREAD_PER_CONNECTION, bounded by
 * --connections). A connection's thread reads and checks its request,
 * renders the chat template, tokenizes, and queues it for the scheduler
 * (serve_sched.c, one thread that owns the decoding); then it waits for the
 * answer, or streams it through a content-reader callback that blocks until
 * the scheduler has written more events. Blocking there is what a thread per
 * connection allows; a client that hangs up is noticed by polling its socket
 * while waiting, and its slots are freed at the next step.
 *
 * Errors are OpenAI's shape: {"error": {"message", "type", "param", "code"}}
 * with 400 (malformed or out of range), 401 (no or wrong key), 404, 405, 413
 * (body over --max-body), 503 (queue full or shutting down). */
#include "cli.h"
#include "serve.h"
#include "chat_tools.h"
#include "rerank.h"

#include "attn/chat.h"
#include "attn/context.h"
#include "attn/encoder.h"
#include "attn/generate.h"
#include "attn/rnn.h"
#include "attn/seq2seq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

typedef struct server {
    attn_model *model;
    attn_tokenizer *tok;
    attn_chat_template *tmpl;
    char *bos, *eos;
    const char *name;
    const char *api_key;
    srv_sched *sched;
    int n_slots;
    int64_t ctx_size, V;
    size_t max_body;
    int32_t bos_id;
    bool encoder;            /* an encoder (BERT family): /v1/embeddings only */
    int64_t enc_max_len, enc_width;
    int32_t enc_pad;
    pthread_mutex_t enc_mu;  /* one encoder forward at a time (the model's graph is shared) */
    long long started;
    unsigned long long next_id;
    pthread_mutex_t id_mu;
    volatile int stopping;
    _Atomic int in_flight;   /* requests queued and not yet answered to the end */
    cli_rerank rr;           /* reranking of chat answers (active with a reward model or a rule classifier) */
    pthread_mutex_t rr_mu;   /* one scoring at a time (the scorers' graphs are shared) */
} server;

/* Per connection: the body as it arrives. */
typedef struct conn_state {
    cli_buf body;
    bool too_big;
    bool handled;
} conn_state;

/* cli/serve_page.html, compiled in by cli/serve_page.c */
extern const char serve_page_html[], serve_page_html_end[];

/* ---- responses -------------------------------------------------------------- */

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type, const char *body,
                                 size_t len) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, cJSON *o) {
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return MHD_NO;
    enum MHD_Result ret = send_text(c, status, "application/json", s, strlen(s));
    free(s);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *param, const char *code,
                                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *param, const char *code,
                                  const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *type = status == 401   ? "authentication_error"
                       : status == 404 ? "not_found_error"
                       : status == 503 || status == 429 ? "server_busy"
                       : status >= 500 ? "server_error"
                                       : "invalid_request_error";
    cJSON *o = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(o, "error");
    cli_buf clean = {0};
    srv_utf8_clean(msg, strlen(msg), &clean);
    cJSON_AddStringToObject(e, "message", clean.p ? clean.p : "");
    free(clean.p);
    cJSON_AddStringToObject(e, "type", type);
    if (param) cJSON_AddStringToObject(e, "param", param);
    else cJSON_AddNullToObject(e, "param");
    if (code) cJSON_AddStringToObject(e, "code", code);
    else cJSON_AddNullToObject(e, "code");
    return send_json(c, status, o);
}

/* ---- request fields ------------------------------------------------------------ */

/* A bad field: its name and what it must be. */
typedef struct bad_field {
    const char *param;
    const char *code;        /* OpenAI's error code, or NULL */
    char msg[256];
} bad_field;

static bool bad(bad_field *b, const char *param, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static bool bad(bad_field *b, const char *param, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->msg, sizeof b->msg, fmt, ap);
    va_end(ap);
    b->param = param;
    return false;
}

/* A number field in [lo, hi] (absent or null: *out unchanged). */
static bool get_num(const cJSON *o, const char *key, double lo, double hi, bool integer, double *out, bad_field *b) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) return true;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || (integer && v->valuedouble != floor(v->valuedouble)))
        return bad(b, key, "'%s' must be %s", key, integer ? "an integer" : "a number");
    if (v->valuedouble < lo || v->valuedouble > hi)
        return bad(b, key, "'%s' must be between %g and %g (got %g)", key, lo, hi, v->valuedouble);
    *out = v->valuedouble;
    return true;
}

static bool get_bool(const cJSON *o, const char *key, bool *out, bad_field *b) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) return true;
    if (!cJSON_IsBool(v)) return bad(b, key, "'%s' must be a boolean", key);
    *out = cJSON_IsTrue(v);
    return true;
}

static srv_request *request_new(void) {
    srv_request *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->refs = 1;
    r->logprobs = -1;
    return r;
}

/* The sampling fields both endpoints share. */
static bool read_common(server *sv, const cJSON *o, srv_request *r, bad_field *b) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "model");
    if (m && !cJSON_IsNull(m) && !cJSON_IsString(m)) return bad(b, "model", "'model' must be a string");
    double temperature = 1.0, top_p = 1.0, top_k = 0, n = 1, seed = -1, max_tokens = -1;
    if (!get_num(o, "temperature", 0, 2, false, &temperature, b) || !get_num(o, "top_p", 0, 1, false, &top_p, b) ||
        !get_num(o, "top_k", 0, INT32_MAX, true, &top_k, b) || !get_num(o, "n", 1, sv->n_slots, true, &n, b) ||
        !get_num(o, "seed", -9007199254740992.0, 9007199254740992.0, true, &seed, b) ||
        !get_num(o, "max_tokens", 1, 9007199254740992.0, true, &max_tokens, b) ||
        !get_num(o, "max_completion_tokens", 1, 9007199254740992.0, true, &max_tokens, b) ||
        !get_bool(o, "stream", &r->stream, b) || !get_bool(o, "ignore_eos", &r->ignore_eos, b))
        return false;
    if (top_p == 0) return bad(b, "top_p", "'top_p' must be above 0");
    const cJSON *so = cJSON_GetObjectItemCaseSensitive(o, "stream_options");
    if (so && !cJSON_IsNull(so)) {
        if (!cJSON_IsObject(so)) return bad(b, "stream_options", "'stream_options' must be an object");
        if (!r->stream) return bad(b, "stream_options", "'stream_options' is only allowed with 'stream': true");
        if (!get_bool(so, "include_usage", &r->include_usage, b)) return false;
    }
    const cJSON *stop = cJSON_GetObjectItemCaseSensitive(o, "stop");
    if (stop && !cJSON_IsNull(stop)) {
        const cJSON *one = cJSON_IsString(stop) ? stop : NULL;
        if (!one && !cJSON_IsArray(stop)) return bad(b, "stop", "'stop' must be a string or an array of strings");
        if (!one && cJSON_GetArraySize(stop) > SRV_MAX_STOPS)
            return bad(b, "stop", "'stop' holds at most %d strings", SRV_MAX_STOPS);
        const cJSON *it = one;
        if (!one) it = stop->child;
        for (; it; it = one ? NULL : it->next) {
            if (!cJSON_IsString(it) || !it->valuestring[0])
                return bad(b, "stop", "'stop' must be non-empty strings");
            if (!(r->stops[r->n_stops++] = strdup(it->valuestring))) return bad(b, NULL, "out of memory");
        }
    }
    r->n = (int)n;
    r->sp = attn_sampler_default_params();
    r->sp.temperature = (float)temperature;
    r->sp.top_p = (float)top_p;
    r->sp.top_k = (int32_t)top_k;
    if (seed < 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r->sp.seed = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec * 2654435761ULL;
    } else {
        r->sp.seed = (uint64_t)seed;
    }
    r->sp.max_new_tokens = (int64_t)max_tokens; /* -1: decided by the endpoint */
    return true;
}

static bool tokenize(server *sv, const char *text, size_t len, srv_request *r, bad_field *b, const char *param) {
    int32_t *ids = NULL;
    int64_t n = 0;
    attn_status st = attn_tokenizer_encode(sv->tok, text, len, &ids, &n);
    if (st) {
        attn_free(ids);
        return bad(b, param, "'%s': %s", param, attn_last_error());
    }
    r->prompt = malloc((size_t)(n + 1) * sizeof *r->prompt);
    if (!r->prompt) {
        attn_free(ids);
        return bad(b, NULL, "out of memory");
    }
    if (n) memcpy(r->prompt, ids, (size_t)n * sizeof *ids);
    r->n_prompt = n;
    attn_free(ids);
    return true;
}

/* A chat message's content as one string: a string, or an array of
 * {"type": "text", "text": ...} parts. */
static bool content_text(const cJSON *c, cli_buf *out, bad_field *b) {
    if (cJSON_IsString(c)) return cli_buf_add(out, c->valuestring, strlen(c->valuestring)) || bad(b, NULL, "out of memory");
    if (cJSON_IsNull(c)) return cli_buf_add(out, "", 0);
    if (!cJSON_IsArray(c)) return bad(b, "messages", "a message's 'content' must be a string or an array of text parts");
    for (const cJSON *p = c->child; p; p = p->next) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(p, "text");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "text") || !cJSON_IsString(text))
            return bad(b, "messages", "only text content parts are supported ({\"type\": \"text\", \"text\": ...})");
        if (!cli_buf_add(out, text->valuestring, strlen(text->valuestring))) return bad(b, NULL, "out of memory");
    }
    return true;
}

static bool read_chat(server *sv, const cJSON *o, srv_request *r, bad_field *b) {
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(o, "messages");
    if (!msgs) return bad(b, "messages", "'messages' is required");
    if (!cJSON_IsArray(msgs) || !msgs->child) return bad(b, "messages", "'messages' must be a non-empty array");
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(o, "tools");
    if (cJSON_IsNull(tools)) tools = NULL;
    char why[160];
    if (tools && !cli_tools_check_defs(tools, why, sizeof why)) return bad(b, "tools", "%s", why);
    const cJSON *choice = cJSON_GetObjectItemCaseSensitive(o, "tool_choice");
    r->tools = tools && cJSON_GetArraySize(tools) > 0 &&
               !(cJSON_IsString(choice) && !strcmp(choice->valuestring, "none"));
    bool with_tools = tools && cJSON_GetArraySize(tools) > 0; /* or a conversation that holds calls */
    cJSON *conv = cJSON_CreateArray();
    if (!conv) return bad(b, NULL, "out of memory");
    for (const cJSON *m = msgs->child; m; m = m->next) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        if (!cJSON_IsObject(m) || !cJSON_IsString(role)) {
            cJSON_Delete(conv);
            return bad(b, "messages", "each message must be an object with a string 'role'");
        }
        cli_buf text = {0};
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        bool calls_only = !content && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(m, "tool_calls"));
        if (!calls_only && !content_text(content, &text, b)) {
            free(text.p);
            cJSON_Delete(conv);
            return false;
        }
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "role", role->valuestring);
        cJSON_AddStringToObject(x, "content", text.p ? text.p : "");
        const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
        if (cJSON_IsArray(calls) && calls->child) {
            cJSON_AddItemToObject(x, "tool_calls", cJSON_Duplicate(calls, true));
            with_tools = true;
        }
        with_tools |= !strcmp(role->valuestring, "tool");
        cJSON_AddItemToArray(conv, x);
        free(text.p);
    }
    attn_chat_options opt = {true, sv->bos, sv->eos};
    char *prompt = NULL;
    size_t len = 0;
    attn_status st = with_tools ? attn_chat_render_tools(sv->tmpl, conv, tools, &opt, &prompt, &len)
                                : attn_chat_render_cjson(sv->tmpl, conv, &opt, &prompt, &len);
    cJSON_Delete(conv);
    if (st) return bad(b, "messages", "the chat template: %s", attn_last_error());
    bool ok = tokenize(sv, prompt, len, r, b, "messages");
    attn_free(prompt);
    if (!ok) return false;
    bool lp = false;
    double top = 0;
    if (!get_bool(o, "logprobs", &lp, b) || !get_num(o, "top_logprobs", 0, SRV_MAX_TOP_LOGPROBS, true, &top, b))
        return false;
    if (top > 0 && !lp) return bad(b, "top_logprobs", "'top_logprobs' needs 'logprobs': true");
    r->logprobs = lp ? (int)top : -1;
    return true;
}

static bool read_completion(server *sv, const cJSON *o, srv_request *r, bad_field *b) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "prompt");
    if (!p) return bad(b, "prompt", "'prompt' is required");
    /* one prompt: a string, a list of token ids, or a list holding one of those */
    if (cJSON_IsArray(p) && cJSON_GetArraySize(p) == 1 && (cJSON_IsString(p->child) || cJSON_IsArray(p->child)))
        p = p->child;
    else if (cJSON_IsArray(p) && p->child && (cJSON_IsString(p->child) || cJSON_IsArray(p->child)))
        return bad(b, "prompt", "one prompt per request (a batch of %d prompts is not supported)", cJSON_GetArraySize(p));
    if (cJSON_IsString(p)) {
        if (!tokenize(sv, p->valuestring, strlen(p->valuestring), r, b, "prompt")) return false;
    } else if (cJSON_IsArray(p)) {
        int n = cJSON_GetArraySize(p);
        if (!(r->prompt = malloc((size_t)(n + 1) * sizeof *r->prompt))) return bad(b, NULL, "out of memory");
        for (const cJSON *t = p->child; t; t = t->next) {
            if (!cJSON_IsNumber(t) || t->valuedouble != floor(t->valuedouble) || t->valuedouble < 0 ||
                t->valuedouble >= (double)sv->V)
                return bad(b, "prompt", "'prompt' token ids must be integers from 0 to %lld", (long long)sv->V - 1);
            r->prompt[r->n_prompt++] = (int32_t)t->valuedouble;
        }
    } else {
        return bad(b, "prompt", "'prompt' must be a string or an array of token ids");
    }
    if (r->n_prompt == 0) {
        if (sv->bos_id < 0) return bad(b, "prompt", "'prompt' is empty and the model has no start token");
        r->prompt[r->n_prompt++] = sv->bos_id;
    }
    double lp = -1;
    if (!get_num(o, "logprobs", 0, 5, true, &lp, b)) return false;
    r->logprobs = (int)lp;
    bool echo = false;
    if (!get_bool(o, "echo", &echo, b)) return false;
    if (echo) return bad(b, "echo", "'echo' is not supported");
    return true;
}

/* ---- the completion endpoints ---------------------------------------------- */

static cJSON *final_json(server *sv, srv_request *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "object", r->kind == SRV_CHAT ? "chat.completion" : "text_completion");
    cJSON_AddNumberToObject(o, "created", (double)r->created);
    cJSON_AddStringToObject(o, "model", sv->name);
    cJSON *cs = cJSON_AddArrayToObject(o, "choices");
    for (int i = 0; i < r->n; i++) {
        srv_choice *ch = &r->choices[i];
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "index", i);
        cli_buf txt = {0};
        srv_utf8_clean(ch->text.p ? ch->text.p : "", ch->text.len, &txt);
        const char *finish = ch->finish ? ch->finish : "length";
        if (r->kind == SRV_CHAT) {
            char cid[80];
            snprintf(cid, sizeof cid, "%s_%d", r->id, i);
            cJSON_AddItemToObject(c, "message", cli_tools_message(txt.p ? txt.p : "", r->tools, cid, &finish));
        } else {
            cJSON_AddStringToObject(c, "text", txt.p ? txt.p : "");
        }
        free(txt.p);
        if (r->logprobs >= 0) {
            cJSON *lp = ch->logprobs;
            ch->logprobs = NULL;
            if (r->kind == SRV_CHAT) {
                cJSON *l = cJSON_AddObjectToObject(c, "logprobs");
                cJSON_AddItemToObject(l, "content", lp ? lp : cJSON_CreateArray());
            } else {
                if (!lp) {
                    lp = cJSON_CreateObject();
                    cJSON_AddArrayToObject(lp, "tokens");
                    cJSON_AddArrayToObject(lp, "token_logprobs");
                    cJSON_AddArrayToObject(lp, "top_logprobs");
                    cJSON_AddArrayToObject(lp, "text_offset");
                }
                cJSON_AddItemToObject(c, "logprobs", lp);
            }
        } else {
            cJSON_AddNullToObject(c, "logprobs");
        }
        cJSON_AddStringToObject(c, "finish_reason", finish);
        cJSON_AddItemToArray(cs, c);
    }
    cJSON_AddItemToObject(o, "usage", srv_usage_json(r));
    cJSON *t = cJSON_AddObjectToObject(o, "timings");
    int64_t gen = 0;
    for (int i = 0; i < r->n; i++) gen += r->choices[i].n_tokens;
    cJSON_AddNumberToObject(t, "prompt_n", (double)(r->n_prompt - r->cached_tokens));
    cJSON_AddNumberToObject(t, "cache_n", (double)r->cached_tokens);
    cJSON_AddNumberToObject(t, "predicted_n", (double)gen);
    cJSON_AddNumberToObject(t, "prompt_ms", (r->t_first - r->t_queued) * 1e3);
    cJSON_AddNumberToObject(t, "predicted_ms", (r->t_done - r->t_first) * 1e3);
    return o;
}

/* ---- reranking (chat completions on a server with --reward-model / --rule-model) ---- */

typedef struct rerank_req {
    bool on, stream;           /* reranked; the client asked for a stream (answered whole at the end) */
    attn_rerank_params p;
    attn_chat_message *m;      /* the conversation; roles and contents owned */
    size_t n;
} rerank_req;

static void rerank_req_free(rerank_req *q) {
    for (size_t i = 0; i < q->n; i++) {
        free((char *)(uintptr_t)q->m[i].role);
        attn_free((char *)(uintptr_t)q->m[i].content); /* attn_tool_calls_text's */
    }
    free(q->m);
}

/* The request's "attn_rerank" ({"n", "violation_threshold", "violation_weight"},
 * each optional: the server's options otherwise) and its messages; r->n
 * becomes the candidates, and a stream is sent whole once they are ranked. */
static bool rerank_read(server *sv, const cJSON *o, srv_request *r, rerank_req *q, bad_field *b) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "attn_rerank");
    if (!cli_rerank_active(&sv->rr)) {
        if (x && !cJSON_IsNull(x))
            return bad(b, "attn_rerank", "this server does not rerank (start it with --reward-model or --rule-model)");
        return true;
    }
    double n = (double)sv->rr.n, t = sv->rr.threshold, w = sv->rr.weight;
    if (x && !cJSON_IsNull(x)) {
        if (!cJSON_IsObject(x)) return bad(b, "attn_rerank", "'attn_rerank' must be an object");
        if (!get_num(x, "n", 1, sv->n_slots, true, &n, b) || !get_num(x, "violation_threshold", 0, 1, false, &t, b) ||
            !get_num(x, "violation_weight", 0, FLT_MAX, false, &w, b)) {
            b->param = "attn_rerank";
            return false;
        }
    }
    if (r->n != 1)
        return bad(b, "n", "'n' must be 1: this server answers with the best of attn_rerank.n candidates");
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(o, "messages");
    size_t k = (size_t)cJSON_GetArraySize(msgs);
    if (!(q->m = calloc(k ? k : 1, sizeof *q->m))) return bad(b, NULL, "out of memory");
    for (const cJSON *m = msgs->child; m; m = m->next) { /* read_chat has checked them */
        cli_buf text = {0};
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
        const char *role = cJSON_GetObjectItemCaseSensitive(m, "role")->valuestring;
        if (content && !content_text(content, &text, b)) return free(text.p), false;
        /* an assistant's calls as the model wrote them: the scorers see its turns as said */
        char *said = NULL;
        size_t said_len = 0;
        attn_status st = attn_tool_calls_text(text.p, !strcmp(role, "assistant") ? calls : NULL, &said, &said_len);
        free(text.p);
        if (st) return bad(b, "messages", "%s", attn_last_error());
        q->m[q->n].role = strdup(role);
        q->m[q->n++].content = said;
        if (!q->m[q->n - 1].role) return bad(b, NULL, "out of memory");
    }
    q->on = true;
    q->stream = r->stream;
    r->stream = false;
    r->n = (int)n;
    q->p = (attn_rerank_params){(float)w, (float)t};
    return true;
}

/* The answer to a reranked request whose candidates are done: the best
 * (or the refusal, finish_reason "content_filter") as choice 0, the
 * verdicts under "attn_safety"; a stream as its events in one body. */
static enum MHD_Result rerank_respond(server *sv, struct MHD_Connection *c, srv_request *r, rerank_req *q) {
    cli_buf *txt = calloc((size_t)r->n, sizeof *txt);
    const char **cands = calloc((size_t)r->n, sizeof *cands);
    int64_t chosen = -1;
    cJSON *safety = NULL;
    attn_status st = txt && cands ? ATTN_OK : attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; i < r->n && !st; i++) {
        if (!srv_utf8_clean(r->choices[i].text.p ? r->choices[i].text.p : "", r->choices[i].text.len, &txt[i]))
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        cands[i] = txt[i].p ? txt[i].p : "";
    }
    if (!st) {
        /* scored on this connection's thread with no OpenMP workers of its own:
         * workers it started would idle here while the connection stays open,
         * and libgomp, counting more threads than cores, would then have the
         * scheduler's workers sleep between the parallel regions of every
         * decoding step (SmolLM2 Q4_1: 10.5-10.9 ms a token after a reranked
         * request on a kept-alive connection, against 4.4-5.5) */
        (void)attn_set_threads(1);
        pthread_mutex_lock(&sv->rr_mu);
        st = cli_rerank_choose(&sv->rr, &q->p, q->m, q->n, cands, r->n, &chosen, &safety);
        pthread_mutex_unlock(&sv->rr_mu);
    }
    enum MHD_Result ret;
    if (st) {
        ret = send_error(c, 500, NULL, NULL, "reranking failed: %s", attn_last_error());
    } else {
        const char *content = chosen >= 0 ? cands[chosen] : sv->rr.refusal;
        const char *finish = chosen >= 0 ? (r->choices[chosen].finish ? r->choices[chosen].finish : "length")
                                         : "content_filter";
        if (!q->stream) {
            cJSON *o = final_json(sv, r);
            cJSON *one = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(o, "choices"), chosen >= 0 ? (int)chosen : 0);
            cJSON_DeleteItemFromObjectCaseSensitive(o, "choices");
            cJSON_ReplaceItemInObjectCaseSensitive(one, "index", cJSON_CreateNumber(0));
            if (chosen < 0) {
                cJSON *msg = cJSON_GetObjectItemCaseSensitive(one, "message");
                cJSON_ReplaceItemInObjectCaseSensitive(msg, "content", cJSON_CreateString(content));
                cJSON_DeleteItemFromObjectCaseSensitive(msg, "tool_calls"); /* candidate 0's, refused with it */
                cJSON_ReplaceItemInObjectCaseSensitive(one, "logprobs", cJSON_CreateNull());
                cJSON_ReplaceItemInObjectCaseSensitive(one, "finish_reason", cJSON_CreateString(finish));
            }
            cJSON *arr = cJSON_CreateArray();
            cJSON_AddItemToArray(arr, one);
            cJSON_AddItemToObject(o, "choices", arr);
            cJSON_AddItemToObject(o, "attn_safety", safety);
            ret = send_json(c, 200, o);
        } else {
            cJSON *last = cJSON_CreateObject();
            cJSON_AddStringToObject(last, "id", r->id);
            cJSON_AddStringToObject(last, "object", "chat.completion.chunk");
            cJSON_AddNumberToObject(last, "created", (double)r->created);
            cJSON_AddStringToObject(last, "model", r->model_name);
            cJSON_AddArrayToObject(last, "choices");
            cJSON_AddItemToObject(last, "attn_safety", safety);
            char *ls = cJSON_PrintUnformatted(last);
            cJSON_Delete(last);
            /* with tools, the chosen text's calls as a stream of the answer would send them */
            bool tools = chosen >= 0 && r->tools;
            size_t first = tools ? 0 : strlen(content); /* the content in the role's chunk */
            bool ok = ls && srv_stream_chunk(r, 0, true, content, first, NULL, NULL) &&
                      (tools ? srv_stream_tools_whole(r, 0, content, strlen(content), finish)
                             : srv_stream_chunk(r, 0, false, NULL, 0, NULL, finish)) &&
                      cli_buf_add(&r->out, "data: ", 6) &&
                      cli_buf_add(&r->out, ls, strlen(ls)) && cli_buf_add(&r->out, "\n\n", 2) && srv_stream_end(r);
            free(ls);
            ret = ok ? send_text(c, 200, "text/event-stream", r->out.p, r->out.len)
                     : send_error(c, 500, NULL, NULL, "out of memory");
        }
    }
    for (int i = 0; txt && i < r->n; i++) free(txt[i].p);
    free(txt);
    free(cands);
    return ret;
}

/* Whether the client behind c has hung up (its socket reads end of file). */
static bool client_gone(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return false;
    struct pollfd p = {ci->connect_fd, POLLIN | POLLRDHUP, 0};
    if (poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLHUP | POLLERR | POLLRDHUP)) return true;
    if (p.revents & POLLIN) {
        char ch;
        ssize_t got = recv(ci->connect_fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
        return got == 0;
    }
    return false;
}

static void wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(cv, mu, &ts);
}

static void cancel(server *sv, srv_request *r) {
    pthread_mutex_lock(&r->mu);
    r->cancelled = true;
    pthread_mutex_unlock(&r->mu);
    srv_sched_poke(sv->sched);
}

typedef struct stream_ctx {
    server *sv;
    srv_request *r;
    struct MHD_Connection *conn;
} stream_ctx;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
    stream_ctx *sc = cls;
    srv_request *r = sc->r;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        size_t have = r->out.len - r->out_pos;
        if (have) {
            size_t n = have < max ? have : max;
            memcpy(buf, r->out.p + r->out_pos, n);
            r->out_pos += n;
            pthread_mutex_unlock(&r->mu);
            return (ssize_t)n;
        }
        if (r->done || r->failed) {
            pthread_mutex_unlock(&r->mu);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        wait_ms(&r->cv, &r->mu, 100);
        if (r->out.len == r->out_pos && !r->done && !r->failed) {
            pthread_mutex_unlock(&r->mu);
            /* on shutdown the scheduler ends the stream itself (an error event, then [DONE]) */
            bool gone = client_gone(sc->conn);
            pthread_mutex_lock(&r->mu);
            if (gone) {
                pthread_mutex_unlock(&r->mu);
                return MHD_CONTENT_READER_END_WITH_ERROR;
            }
        }
    }
}

static void stream_free(void *cls) {
    stream_ctx *sc = cls;
    cancel(sc->sv, sc->r);   /* a no-op once it is done; frees the slots of a client that left */
    srv_request_release(sc->r);
    atomic_fetch_sub(&sc->sv->in_flight, 1);
    free(sc);
}

static enum MHD_Result completion(server *sv, struct MHD_Connection *c, srv_kind kind, const char *body, size_t len,
                                  rerank_req *q) {
    cJSON *o = cJSON_ParseWithLength(body, len);
    if (!o) return send_error(c, 400, NULL, "invalid_json", "the body is not valid JSON");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return send_error(c, 400, NULL, "invalid_json", "the body must be a JSON object");
    }
    srv_request *r = request_new();
    if (!r) {
        cJSON_Delete(o);
        return send_error(c, 500, NULL, NULL, "out of memory");
    }
    r->kind = kind;
    r->model_name = sv->name;
    bad_field b = {0};
    bool ok = read_common(sv, o, r, &b) && (kind == SRV_CHAT ? read_chat(sv, o, r, &b) : read_completion(sv, o, r, &b));
    if (ok && kind == SRV_CHAT) ok = rerank_read(sv, o, r, q, &b);
    cJSON_Delete(o);
    if (ok) {
        if (r->n_prompt >= sv->ctx_size) {
            b.param = "messages";
            b.code = "context_length_exceeded";
            snprintf(b.msg, sizeof b.msg,
                     "the prompt's %lld tokens do not fit the context of %lld tokens (with room for one more)",
                     (long long)r->n_prompt, (long long)sv->ctx_size);
            ok = false;
        } else if (r->sp.max_new_tokens < 0) {
            r->sp.max_new_tokens = kind == SRV_CHAT ? sv->ctx_size - r->n_prompt : 16;
            if (r->sp.max_new_tokens > sv->ctx_size - r->n_prompt) r->sp.max_new_tokens = sv->ctx_size - r->n_prompt;
        } else if (r->sp.max_new_tokens > sv->ctx_size - r->n_prompt) {
            b.param = "max_tokens";
            b.code = "context_length_exceeded";
            snprintf(b.msg, sizeof b.msg,
                     "this model's context is %lld tokens; the prompt's %lld and max_tokens %lld exceed it",
                     (long long)sv->ctx_size, (long long)r->n_prompt, (long long)r->sp.max_new_tokens);
            ok = false;
        }
        if (!ok && kind == SRV_COMPLETION && b.param && !strcmp(b.param, "messages")) b.param = "prompt";
    }
    if (!ok) {
        srv_request_release(r);
        /* a field named: the client's mistake; none: ours (out of memory) */
        return send_error(c, b.param ? 400 : 500, b.param, b.code, "%s", b.msg);
    }
    r->choices = calloc((size_t)r->n, sizeof *r->choices);
    if (!r->choices) {
        srv_request_release(r);
        return send_error(c, 500, NULL, NULL, "out of memory");
    }
    pthread_mutex_lock(&sv->id_mu);
    unsigned long long id = ++sv->next_id;
    pthread_mutex_unlock(&sv->id_mu);
    snprintf(r->id, sizeof r->id, "%s-%llx%llx", kind == SRV_CHAT ? "chatcmpl" : "cmpl", (unsigned long long)sv->started, id);
    r->created = (long long)time(NULL);
    atomic_fetch_add(&sv->in_flight, 1);
    if (!srv_sched_submit(sv->sched, r)) {
        atomic_fetch_sub(&sv->in_flight, 1);
        srv_request_release(r);
        return send_error(c, 503, NULL, "queue_full", "the server is busy: its request queue is full; try again later");
    }
    if (r->stream) {
        stream_ctx *sc = calloc(1, sizeof *sc);
        struct MHD_Response *resp = sc ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, sc, stream_free) : NULL;
        if (!resp) {
            free(sc);
            cancel(sv, r);
            srv_request_release(r);
            atomic_fetch_sub(&sv->in_flight, 1);
            return MHD_NO;
        }
        sc->sv = sv;
        sc->r = r;
        sc->conn = c;
        MHD_add_response_header(resp, "Content-Type", "text/event-stream");
        MHD_add_response_header(resp, "Cache-Control", "no-cache");
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
        enum MHD_Result ret = MHD_queue_response(c, 200, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    pthread_mutex_lock(&r->mu);
    while (!r->done) {
        wait_ms(&r->cv, &r->mu, 100);
        if (r->done) break;
        pthread_mutex_unlock(&r->mu);
        bool gone = client_gone(c);
        if (gone) cancel(sv, r);
        pthread_mutex_lock(&r->mu);
        if (gone) {
            /* the scheduler ends it at its next step; nobody reads the answer */
            pthread_mutex_unlock(&r->mu);
            srv_request_release(r);
            atomic_fetch_sub(&sv->in_flight, 1);
            return MHD_NO;
        }
    }
    pthread_mutex_unlock(&r->mu);
    enum MHD_Result ret;
    if (r->failed) ret = send_error(c, r->err[0] && strstr(r->err, "shutting down") ? 503 : 500, NULL, NULL, "%s", r->err);
    else if (q->on) ret = rerank_respond(sv, c, r, q);
    else ret = send_json(c, 200, final_json(sv, r));
    srv_request_release(r);
    atomic_fetch_sub(&sv->in_flight, 1);
    return ret;
}

static enum MHD_Result handle_completion(server *sv, struct MHD_Connection *c, srv_kind kind, const char *body,
                                         size_t len) {
    rerank_req q = {0};
    enum MHD_Result ret = completion(sv, c, kind, body, len, &q);
    rerank_req_free(&q);
    return ret;
}

/* ---- embeddings (encoder models) ------------------------------------------------ */

enum { SRV_MAX_EMBED_INPUTS = 2048 };

static bool base64_add(cli_buf *out, const unsigned char *p, size_t n) {
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        q[0] = tbl[v >> 18 & 63];
        q[1] = tbl[v >> 12 & 63];
        q[2] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
        q[3] = i + 2 < n ? tbl[v & 63] : '=';
        if (!cli_buf_add(out, q, 4)) return false;
    }
    return true;
}

/* The inputs' token ids: each string through the tokenizer's post-processor
 * ([CLS] ... [SEP]), truncated to the encoder's length as sentence-transformers
 * does; token-id inputs as given. */
typedef struct emb_input {
    int32_t *ids, *types;
    int64_t n;
    bool own;   /* attn_free'd (tokenizer output) rather than free'd */
} emb_input;

static enum MHD_Result handle_embeddings(server *sv, struct MHD_Connection *c, const char *body, size_t len) {
    if (!sv->encoder)
        return send_error(c, 400, "model", "model_not_supported",
                          "%s is not an encoder model: embeddings come from BERT-family models (attn embed)", sv->name);
    cJSON *o = cJSON_ParseWithLength(body, len);
    if (!o || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return send_error(c, 400, NULL, "invalid_json", "the body must be a JSON object");
    }
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(o, "input");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(o, "encoding_format");
    const cJSON *dims = cJSON_GetObjectItemCaseSensitive(o, "dimensions");
    const char *err = NULL, *param = "input";
    bool b64 = false;
    if (fmt && !cJSON_IsNull(fmt)) {
        if (!cJSON_IsString(fmt) || (strcmp(fmt->valuestring, "float") && strcmp(fmt->valuestring, "base64")))
            err = "'encoding_format' must be \"float\" or \"base64\"", param = "encoding_format";
        else b64 = !strcmp(fmt->valuestring, "base64");
    }
    if (!err && dims && !cJSON_IsNull(dims) && !(cJSON_IsNumber(dims) && dims->valuedouble == (double)sv->enc_width))
        err = "'dimensions' must be the model's width (no truncated embeddings)", param = "dimensions";
    /* one input (a string or a token-id list) or a list of them */
    int n = 0;
    const cJSON *first = NULL;
    bool list = false;
    if (!err) {
        if (!in) err = "'input' is required";
        else if (cJSON_IsString(in)) n = 1, first = in;
        else if (cJSON_IsArray(in) && in->child && cJSON_IsNumber(in->child)) n = 1, first = in;
        else if (cJSON_IsArray(in) && in->child) n = cJSON_GetArraySize(in), first = in->child, list = true;
        else err = "'input' must be a string, a list of token ids, or a non-empty list of those";
        if (n > SRV_MAX_EMBED_INPUTS) err = "'input' holds too many items (at most 2048)";
    }
    emb_input *items = err ? NULL : calloc((size_t)n, sizeof *items);
    if (!err && !items) err = "out of memory";
    int64_t longest = 1, total = 0;
    int i = 0;
    for (const cJSON *it = first; !err && it && i < n; it = list ? it->next : NULL, i++) {
        emb_input *e = &items[i];
        if (cJSON_IsString(it)) {
            e->own = true;
            if (!it->valuestring[0]) err = "'input' strings must not be empty";
            else if (attn_tokenizer_encode_pair(sv->tok, it->valuestring, strlen(it->valuestring), NULL, 0, sv->enc_max_len,
                                                &e->ids, &e->types, &e->n))
                err = attn_last_error();
        } else if (cJSON_IsArray(it) && it->child) {
            int m = cJSON_GetArraySize(it);
            if (m > sv->enc_max_len) {
                err = "a token-id input is longer than the encoder takes";
                break;
            }
            if (!(e->ids = malloc((size_t)m * sizeof *e->ids))) {
                err = "out of memory";
                break;
            }
            for (const cJSON *t = it->child; t; t = t->next) {
                if (!cJSON_IsNumber(t) || t->valuedouble != floor(t->valuedouble) || t->valuedouble < 0 ||
                    t->valuedouble >= (double)sv->V) {
                    err = "token ids must be integers within the vocabulary";
                    break;
                }
                e->ids[e->n++] = (int32_t)t->valuedouble;
            }
        } else {
            err = "each input must be a non-empty string or a non-empty list of token ids";
        }
        if (!err && e->n < 1) err = "an input gives no tokens";
        if (!err && e->n > longest) longest = e->n;
        total += e->n;
    }
    enum MHD_Result ret;
    int32_t *ids = NULL, *types = NULL;
    uint8_t *mask = NULL;
    float *emb = NULL;
    if (err) {
        ret = send_error(c, strcmp(err, "out of memory") ? 400 : 500, param, NULL, "%s", err);
        goto done;
    }
    size_t cells = (size_t)n * (size_t)longest;
    ids = malloc(cells * sizeof *ids);
    types = malloc(cells * sizeof *types);
    mask = malloc(cells);
    emb = malloc((size_t)n * (size_t)sv->enc_width * sizeof *emb);
    if (!ids || !types || !mask || !emb) {
        ret = send_error(c, 500, NULL, NULL, "out of memory");
        goto done;
    }
    /* the inputs back to back without padding (attn_encoder_embed_packed); a
     * model the packed pass does not run (ESM, quantized weights: its
     * ATTN_ERR_UNSUPPORTED) takes the padded batch */
    int64_t *lengths = malloc((size_t)n * sizeof *lengths);
    attn_status st = ATTN_ERR_UNSUPPORTED;
    if (lengths) {
        size_t at = 0;
        for (int b = 0; b < n; b++) {
            for (int64_t j = 0; j < items[b].n; j++, at++) {
                ids[at] = items[b].ids[j];
                types[at] = items[b].types ? items[b].types[j] : 0;
            }
            lengths[b] = items[b].n;
        }
        pthread_mutex_lock(&sv->enc_mu);
        st = attn_encoder_embed_packed(sv->model, ids, types, lengths, n, true, emb);
        pthread_mutex_unlock(&sv->enc_mu);
        free(lengths);
    }
    if (st == ATTN_ERR_UNSUPPORTED) {
        for (int b = 0; b < n; b++)
            for (int64_t j = 0; j < longest; j++) {
                bool real = j < items[b].n;
                ids[(size_t)b * longest + j] = real ? items[b].ids[j] : sv->enc_pad;
                types[(size_t)b * longest + j] = real && items[b].types ? items[b].types[j] : 0;
                mask[(size_t)b * longest + j] = real;
            }
        pthread_mutex_lock(&sv->enc_mu);
        st = attn_encoder_embed(sv->model, ids, types, mask, n, longest, true, emb);
        pthread_mutex_unlock(&sv->enc_mu);
    }
    if (st) {
        ret = send_error(c, 500, NULL, NULL, "%s", attn_last_error());
        goto done;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(out, "data");
    for (int b = 0; b < n; b++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "object", "embedding");
        cJSON_AddNumberToObject(d, "index", b);
        const float *v = emb + (size_t)b * sv->enc_width;
        if (b64) {
            cli_buf s64 = {0};
            base64_add(&s64, (const unsigned char *)v, (size_t)sv->enc_width * sizeof *v); /* little-endian float32 */
            cJSON_AddStringToObject(d, "embedding", s64.p ? s64.p : "");
            free(s64.p);
        } else {
            cJSON *a = cJSON_AddArrayToObject(d, "embedding");
            for (int64_t j = 0; j < sv->enc_width; j++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v[j]));
        }
        cJSON_AddItemToArray(data, d);
    }
    cJSON_AddStringToObject(out, "model", sv->name);
    cJSON *u = cJSON_AddObjectToObject(out, "usage");
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)total);
    cJSON_AddNumberToObject(u, "total_tokens", (double)total);
    ret = send_json(c, 200, out);
done:
    for (int b = 0; items && b < n; b++) {
        if (items[b].own) {
            attn_free(items[b].ids);
            attn_free(items[b].types);
        } else {
            free(items[b].ids);
        }
    }
    free(items);
    free(ids);
    free(types);
    free(mask);
    free(emb);
    cJSON_Delete(o);
    return ret;
}

/* ---- the other endpoints ------------------------------------------------------------ */

static enum MHD_Result handle_models(server *sv, struct MHD_Connection *c) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "list");
    cJSON *d = cJSON_AddArrayToObject(o, "data");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", sv->name);
    cJSON_AddStringToObject(m, "object", "model");
    cJSON_AddNumberToObject(m, "created", (double)sv->started);
    cJSON_AddStringToObject(m, "owned_by", "attn");
    cJSON *meta = cJSON_AddObjectToObject(m, "meta");
    cJSON_AddNumberToObject(meta, "n_ctx", (double)sv->ctx_size);
    cJSON_AddNumberToObject(meta, "n_vocab", (double)sv->V);
    cJSON_AddNumberToObject(meta, "n_params", (double)attn_model_num_params(sv->model));
    cJSON_AddNumberToObject(meta, "slots", sv->n_slots);
    cJSON_AddItemToArray(d, m);
    return send_json(c, 200, o);
}

static enum MHD_Result handle_metrics(server *sv, struct MHD_Connection *c) {
    srv_metrics m = {0};
    if (sv->sched) srv_sched_metrics(sv->sched, &m);
    char buf[4096];
    int n = snprintf(buf, sizeof buf,
        "# HELP attn_prompt_tokens_total Prompt tokens of the requests started.\n"
        "# TYPE attn_prompt_tokens_total counter\nattn_prompt_tokens_total %lld\n"
        "# HELP attn_tokens_predicted_total Tokens generated.\n"
        "# TYPE attn_tokens_predicted_total counter\nattn_tokens_predicted_total %lld\n"
        "# HELP attn_prompt_tokens_cached_total Prompt tokens reused from a slot's cache.\n"
        "# TYPE attn_prompt_tokens_cached_total counter\nattn_prompt_tokens_cached_total %lld\n"
        "# HELP attn_prompt_tokens_processed_total Prompt tokens run through the model (neither cached nor shared "
        "among a request's n choices).\n"
        "# TYPE attn_prompt_tokens_processed_total counter\nattn_prompt_tokens_processed_total %lld\n"
        "# HELP attn_prompt_seconds_total Seconds from queueing to the first token, summed over requests.\n"
        "# TYPE attn_prompt_seconds_total counter\nattn_prompt_seconds_total %.6f\n"
        "# HELP attn_tokens_predicted_seconds_total Seconds from the first token to the last, summed over requests.\n"
        "# TYPE attn_tokens_predicted_seconds_total counter\nattn_tokens_predicted_seconds_total %.6f\n"
        "# HELP attn_requests_total Requests started.\n"
        "# TYPE attn_requests_total counter\nattn_requests_total %lld\n"
        "# HELP attn_requests_processing Requests in slots now.\n"
        "# TYPE attn_requests_processing gauge\nattn_requests_processing %lld\n"
        "# HELP attn_requests_deferred Requests waiting for a slot now.\n"
        "# TYPE attn_requests_deferred gauge\nattn_requests_deferred %lld\n"
        "# HELP attn_slots Slots (requests decoded together).\n"
        "# TYPE attn_slots gauge\nattn_slots %d\n",
        (long long)m.prompt_tokens, (long long)m.generated_tokens, (long long)m.cached_tokens,
        (long long)m.prompt_tokens_processed, m.prompt_seconds,
        m.generation_seconds, (long long)m.requests, (long long)m.processing, (long long)m.deferred, sv->n_slots);
    return send_text(c, 200, "text/plain; version=0.0.4", buf, (size_t)n);
}

static bool key_ok(server *sv, struct MHD_Connection *c) {
    if (!sv->api_key) return true;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7)) return false;
    h += 7;
    size_t a = strlen(h), k = strlen(sv->api_key);
    unsigned diff = (unsigned)(a != k);
    for (size_t i = 0; i < k; i++) diff |= (unsigned)(unsigned char)(i < a ? h[i] : 0) ^ (unsigned char)sv->api_key[i];
    return diff == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    server *sv = cls;
    conn_state *cs = *con_cls;
    bool post = !strcmp(method, "POST");
    if (!cs) {
        if (!(cs = calloc(1, sizeof *cs))) return MHD_NO;
        *con_cls = cs;
        if (post) {
            /* refuse a body too large before reading it */
            const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
            if (cl) {
                char *end;
                errno = 0;
                unsigned long long n = strtoull(cl, &end, 10);
                if (errno || *end || n > sv->max_body) {
                    cs->handled = true;
                    return send_error(c, 413, NULL, "request_too_large", "the body exceeds the limit of %zu bytes",
                                      sv->max_body);
                }
            }
            return MHD_YES;
        }
    }
    if (cs->handled) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        /* a body is kept for POST (up to the limit) and dropped for other methods */
        if (post && !cs->too_big && cs->body.len + *upload_size > sv->max_body) {
            cs->too_big = true;
            free(cs->body.p);
            cs->body = (cli_buf){0};
        }
        if (post && !cs->too_big && !cli_buf_add(&cs->body, upload, *upload_size)) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    cs->handled = true;
    if (cs->too_big)
        return send_error(c, 413, NULL, "request_too_large", "the body exceeds the limit of %zu bytes", sv->max_body);
    if (sv->stopping) return send_error(c, 503, NULL, NULL, "the server is shutting down");
    bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (!strcmp(url, "/health")) {
        if (!get) return send_error(c, 405, NULL, NULL, "%s %s: use GET", method, url);
        return send_text(c, 200, "application/json", "{\"status\":\"ok\"}", 15);
    }
    if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
        if (!get) return send_error(c, 405, NULL, NULL, "%s %s: use GET", method, url);
        return send_text(c, 200, "text/html; charset=utf-8", serve_page_html,
                         (size_t)(serve_page_html_end - serve_page_html));
    }
    if (!strcmp(method, "OPTIONS")) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Authorization, Content-Type");
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        enum MHD_Result ret = MHD_queue_response(c, 204, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    static const struct {
        const char *path;
        bool post;
    } routes[] = {{"/v1/models", false}, {"/models", false}, {"/metrics", false}, {"/v1/chat/completions", true},
                  {"/chat/completions", true}, {"/v1/completions", true}, {"/completions", true},
                  {"/v1/embeddings", true}, {"/embeddings", true}};
    int route = -1;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        if (!strcmp(url, routes[i].path)) route = (int)i;
    if (route < 0) return send_error(c, 404, NULL, "not_found", "no such endpoint: %s %s", method, url);
    if (!key_ok(sv, c))
        return send_error(c, 401, NULL, "invalid_api_key", "a valid API key is required (Authorization: Bearer KEY)");
    if (routes[route].post != post || (!post && !get))
        return send_error(c, 405, NULL, NULL, "%s %s: use %s", method, url, routes[route].post ? "POST" : "GET");
    if (route <= 1) return handle_models(sv, c);
    if (route == 2) return handle_metrics(sv, c);
    const char *body = cs->body.p ? cs->body.p : "";
    if (route >= 7) return handle_embeddings(sv, c, body, cs->body.len);
    if (sv->encoder)
        return send_error(c, 400, "model", "model_not_supported",
                          "%s is an encoder model: it gives embeddings (/v1/embeddings), not completions", sv->name);
    return handle_completion(sv, c, route <= 4 ? SRV_CHAT : SRV_COMPLETION, body, cs->body.len);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    conn_state *cs = *con_cls;
    if (!cs) return;
    free(cs->body.p);
    free(cs);
    *con_cls = NULL;
}

/* ---- the command --------------------------------------------------------------- */

/* The model, loaded on a thread of its own that ends with the load. The
 * OpenMP workers a load starts (conversions, checks) belong to the thread
 * that ran it; on the main thread they would stay, idle, for the server's
 * life, and libgomp, counting more threads than cores, then has every
 * waiting thread sleep at once instead of spinning briefly: each parallel
 * region of a decoding step paid for waking its workers (bf16 SmolLM2:
 * 14.4 ms a token, against 9.8 for attn generate). */
typedef struct serve_load {
    const char *path;
    int precision;
    long long threads;
    attn_model *model;
    attn_status st;
    char err[1024];
} serve_load;

static void *serve_load_main(void *arg) {
    serve_load *l = arg;
    if (l->threads > 0) (void)attn_set_threads((int)l->threads);
    l->st = l->precision == ATTN_PRECISION_BF16 ? attn_model_load_inference(l->path, ATTN_PRECISION_BF16, &l->model)
                                                : attn_model_load(l->path, &l->model);
    if (!l->st && l->precision >= 0) l->st = attn_model_set_precision(l->model, (attn_precision)l->precision);
    if (!l->st) l->st = attn_model_release_f32(l->model); /* inference only: no fp32 beside bf16 */
    if (l->st) {
        snprintf(l->err, sizeof l->err, "%s", attn_last_error() ? attn_last_error() : attn_status_string(l->st));
        attn_model_free(l->model);
        l->model = NULL;
    }
    return NULL;
}

int cmd_serve(int argc, char **argv) {
    const char *model_path = NULL, *host = "127.0.0.1", *api_key = NULL, *alias = NULL;
    long long port = 8080, slots = 4, ctx_size = 0, queue = 64, max_body = 10 << 20, timeout = 60, connections = 256;
    long long threads = 0, batch_size = SRV_BATCH_SIZE;
    int precision = -1;
    server sv = {0};
    sv.rr = (cli_rerank)CLI_RERANK_INIT;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "MODEL", &model_path, "model directory, GGUF file or installed model's name")},
        {CLI_STR("--host", NULL, "ADDR", &host, "IPv4 address to listen on")},
        {CLI_INT("--port", NULL, "N", &port, 0, 65535, "TCP port (0: any free one, printed at start)")},
        {CLI_INT("--slots", NULL, "N", &slots, 1, 256, "requests decoded together (each keeps a KV cache)")},
        {CLI_INT("--ctx-size", NULL, "N", &ctx_size, 0, CLI_MAX_LEN, "positions per slot"), .def = "the model's context"},
        {CLI_INT("--batch-size", NULL, "N", &batch_size, 1, 1 << 20,
                 "prompt tokens decoded per step at most (a longer prompt takes several steps, between which the "
                 "other slots go on)")},
        {CLI_INT("--queue", NULL, "N", &queue, 1, 1 << 20, "requests waiting for a slot at most (then 503)")},
        {CLI_STR("--api-key", NULL, "KEY", &api_key, "require \"Authorization: Bearer KEY\" (not for /health and /)"), .def = "none"},
        {CLI_STR("--alias", NULL, "NAME", &alias, "the model's name in responses and /v1/models"), .def = "the file or directory name"},
        {CLI_INT("--max-body", NULL, "N", &max_body, 1, 1LL << 32, "request body limit in bytes (then 413)")},
        {CLI_INT("--timeout", NULL, "N", &timeout, 1, 86400, "close a connection idle N seconds")},
        {CLI_INT("--connections", NULL, "N", &connections, 1, 4096, "open connections at most (a thread each)")},
        {CLI_THREADS(&threads)},
        {CLI_CHOICE("--precision", NULL, "fp32|bf16|q8_0|q4_0|q4_1", &precision, cli_inference_precisions,
                    "weight matrices in bf16 or quantized (see attn generate --help)"), .def = "as loaded"},
        CLI_SECTION("Reranking chat answers (rules and a reward model; per request: \"attn_rerank\")"),
        CLI_RERANK_ROWS(sv.rr),
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn serve -m MODEL [--host 127.0.0.1] [--port 8080] [--slots N] [--api-key KEY] [options]",
        "Serves the model over HTTP with OpenAI's API: POST /v1/chat/completions and\n"
        "/v1/completions (streaming with \"stream\": true), GET /v1/models, /health,\n"
        "/metrics (Prometheus) and a chat page at /. Requests share --slots slots; a\n"
        "slot keeps its last conversation's KV cache for a request that continues it.\n"
        "An encoder (BERT family) serves POST /v1/embeddings instead. Ctrl-C or SIGTERM\n"
        "stops it.",
        options,
        "example:\n"
        "  attn serve -m smollm2 --port 8080 &\n"
        "  curl http://127.0.0.1:8080/v1/chat/completions -H 'Content-Type: application/json' \\\n"
        "    -d '{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], \"max_tokens\": 32}'"};
    int n_pos, rc = cli_parse(&spec, argc, argv, &n_pos);
    if (rc != CLI_GO_ON) return rc;
    if (n_pos > 0) return cli_usage_error("unknown argument '%s' (see attn serve --help)", argv[1]);
    if (!model_path) return cli_usage_error("-m MODEL is required (see attn serve --help)");
    char why[128];
    if (!cli_rerank_usage_ok(&sv.rr, why, sizeof why)) return cli_usage_error("%s", why);
    if (sv.rr.n > slots) return cli_usage_error("--rerank %lld needs --slots %lld or more", sv.rr.n, sv.rr.n);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return cli_usage_error("--host must be an IPv4 address such as 127.0.0.1 (got '%s')", host);
    if ((rc = cli_set_threads(threads)) != 0) return rc;

    /* SIGINT / SIGTERM are taken by sigwait below; every thread started from
     * here on inherits the mask. A client that hangs up must not kill us. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    sv.api_key = api_key;
    sv.started = (long long)time(NULL);
    pthread_mutex_init(&sv.id_mu, NULL);
    pthread_mutex_init(&sv.enc_mu, NULL);
    pthread_mutex_init(&sv.rr_mu, NULL);
    char *src = NULL;
    struct MHD_Daemon *d = NULL;
    int32_t stop_tokens[4];
    int n_stop = 0;
    rc = 1;
    serve_load load = {.path = model_path, .precision = precision, .threads = threads};
    pthread_t loader;
    attn_status st = pthread_create(&loader, NULL, serve_load_main, &load) ? attn_errorf(ATTN_ERR_IO, "cannot start a thread")
                     : pthread_join(loader, NULL)                          ? attn_errorf(ATTN_ERR_IO, "cannot join a thread")
                     : load.st                                            ? attn_errorf(load.st, "%s", load.err)
                                                                          : ATTN_OK;
    if (st) goto fail;
    sv.model = load.model;
    if ((st = attn_tokenizer_load(model_path, &sv.tok))) goto fail;
    attn_gpt_config cfg = attn_model_config(sv.model);
    sv.V = cfg.vocab_size;
    sv.ctx_size = ctx_size ? ctx_size : cfg.n_ctx;
    sv.n_slots = (int)slots;
    sv.max_body = (size_t)max_body;
    if (alias) {
        sv.name = alias;
    } else {
        const char *p = strrchr(model_path, '/');
        sv.name = p && p[1] ? p + 1 : model_path;
    }
    attn_encdec_config ecfg;
    attn_rnn_config rcfg;
    if (attn_model_encdec_config(sv.model, &ecfg) || attn_model_rnn_config(sv.model, &rcfg)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED,
                         "%s is a translation (sequence-to-sequence) model, which decodes from a source: use attn "
                         "translate -m %s",
                         model_path, model_path);
        goto fail;
    }
    attn_bert_config bcfg;
    if (attn_model_encoder_config(sv.model, &bcfg)) {
        /* an encoder serves /v1/embeddings, one forward at a time */
        sv.encoder = true;
        sv.V = bcfg.vocab_size;
        sv.enc_width = bcfg.hidden_size;
        sv.enc_pad = bcfg.pad_token_id >= 0 ? bcfg.pad_token_id : 0;
        sv.enc_max_len = attn_encoder_max_length(sv.model);
        sv.ctx_size = sv.enc_max_len;
        sv.n_slots = 1;
        if (sv.rr.reward_dir || sv.rr.rule_dir) {
            st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is an encoder (embeddings only): reranking is for chat models",
                             model_path);
            goto fail;
        }
        goto listen;
    }
    {
        /* a probe context: an encoder or translation model is refused here, with what to use instead */
        attn_ctx *probe = NULL;
        if ((st = attn_ctx_new(sv.model, 1, sv.ctx_size, &probe))) goto fail;
        attn_ctx_free(probe);
    }
    if ((st = attn_chat_template_find(model_path, &src, &sv.bos, &sv.eos))) goto fail;
    const char *tsrc = src ? src : attn_chat_default_template();
    if ((st = attn_chat_template_parse(src ? model_path : "ChatML (built in)", tsrc, strlen(tsrc), &sv.tmpl))) goto fail;
    /* generation stops at the model's end token, the tokenizer's end of text
     * and the template's end-of-turn token */
    int32_t cand[3] = {cfg.eos_token_id, attn_tokenizer_eot(sv.tok), sv.eos ? attn_tokenizer_added_id(sv.tok, sv.eos) : -1};
    for (int i = 0; i < 3; i++) {
        bool dup = cand[i] < 0;
        for (int j = 0; j < n_stop && !dup; j++) dup = stop_tokens[j] == cand[i];
        if (!dup) stop_tokens[n_stop++] = cand[i];
    }
    {
        /* the template's end-of-turn marker (ChatML's <|im_end|>; any template's) */
        attn_chat_options eo = {false, sv.bos, sv.eos};
        int32_t end = cli_template_end_token(sv.tmpl, &eo, sv.tok);
        bool dup = end < 0;
        for (int j = 0; j < n_stop && !dup; j++) dup = stop_tokens[j] == end;
        if (!dup) stop_tokens[n_stop++] = end;
    }
    sv.bos_id = cfg.bos_token_id >= 0 ? cfg.bos_token_id : attn_tokenizer_eot(sv.tok);
    if ((st = cli_rerank_load(&sv.rr))) goto fail;
    srv_config sc = {sv.model, sv.tok, sv.n_slots, sv.ctx_size, (int)queue, stop_tokens, n_stop, attn_get_threads(),
                     batch_size};
    if ((st = srv_sched_start(&sc, &sv.sched))) goto fail;
listen:
    d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                             MHD_USE_ITC, /* no MHD_USE_ERROR_LOG: a client hanging up is no error of ours */
                         0, NULL, NULL, on_request, &sv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)connections, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned)timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 << 10),
                         MHD_OPTION_END);
    if (!d) {
        st = attn_errorf(ATTN_ERR_IO, "cannot listen on %s:%lld (in use, or not an address of this machine?)", host, port);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (sv.encoder)
        fprintf(stderr, "attn serve: listening on http://%s:%u/ (%s, an encoder: /v1/embeddings, %lld tokens)\n", host,
                di ? (unsigned)di->port : (unsigned)port, sv.name, (long long)sv.enc_max_len);
    else
        fprintf(stderr, "attn serve: listening on http://%s:%u/ (%s, %d slots of %lld positions)\n", host,
                di ? (unsigned)di->port : (unsigned)port, sv.name, sv.n_slots, (long long)sv.ctx_size);
    fflush(stderr);
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "attn serve: %s: shutting down\n", sig == SIGINT ? "interrupted" : "terminated");
    sv.stopping = 1;
    MHD_quiesce_daemon(d);
    srv_sched_stop(sv.sched); /* fails what is still running: waiting connections answer and end */
    /* let the streams send their last events before the connections close (at most 5 s) */
    for (int i = 0; i < 500 && atomic_load(&sv.in_flight) > 0; i++) nanosleep(&(struct timespec){0, 10000000L}, NULL);
    MHD_stop_daemon(d);
    d = NULL;
    rc = 0;
    goto done;
fail:
    rc = cli_fail("serve", st, NULL);
done:
    if (d) MHD_stop_daemon(d);
    srv_sched_stop(sv.sched);
    srv_sched_free(sv.sched);
    attn_chat_template_free(sv.tmpl);
    attn_free(src);
    attn_free(sv.bos);
    attn_free(sv.eos);
    attn_tokenizer_free(sv.tok);
    attn_model_free(sv.model);
    pthread_mutex_destroy(&sv.id_mu);
    pthread_mutex_destroy(&sv.enc_mu);
    pthread_mutex_destroy(&sv.rr_mu);
    cli_rerank_free(&sv.rr);
    return rc;
}
