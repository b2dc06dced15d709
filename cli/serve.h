/* serve.h — attn serve's parts: requests as the HTTP side hands them to the
 * scheduler, the scheduler's slots, and the counters /metrics reports.
 *
 * Threads: libmicrohttpd runs one thread per connection (cmd_serve.c); each
 * parses its request, tokenizes it and puts it on a bounded queue. One
 * scheduler thread (serve_sched.c) owns the model's decoding: every step it
 * admits queued requests into free slots, decodes every active slot's pending
 * tokens (a new request's prompt, or the token sampled last step) in one
 * continuous batch over a context whose sequences are the slots, and
 * samples each slot's next token. Results go back under the request's lock:
 * text and logprobs per choice, and for streaming requests the Server-Sent
 * Events bytes the connection's content reader sends as they come. */
#ifndef ATTN_CLI_SERVE_H
#define ATTN_CLI_SERVE_H

#include "cli.h"
#include "attn/context.h"
#include "attn/generate.h"
#include "attn/tokenizer.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum { SRV_MAX_STOPS = 4, SRV_MAX_TOP_LOGPROBS = 20, SRV_BATCH_SIZE = 512 };

typedef enum srv_kind { SRV_CHAT, SRV_COMPLETION } srv_kind;


typedef struct srv_choice {
    cli_buf text;            /* the text shown (up to a stop string) */
    cJSON *logprobs;         /* chat: the "content" array; completions: tokens, token_logprobs, ... */
    int64_t n_tokens;        /* tokens sampled (a stop token included) */
    const char *finish;      /* "stop", "length"; NULL while generating */
    size_t sent;             /* a stream with tools: the bytes of text sent as content */
} srv_choice;

typedef struct srv_request {
    /* set by the HTTP side before the request is queued, then read-only */
    srv_kind kind;
    bool stream, include_usage;
    bool ignore_eos;         /* go on past the model's end tokens (llama.cpp's option) */
    bool tools;              /* chat: the request gave tools: calls in the answer become tool_calls */
    int32_t *prompt;
    int64_t n_prompt;
    int n;                   /* choices */
    attn_sampler_params sp;  /* max_new_tokens: max_tokens */
    char *stops[SRV_MAX_STOPS];
    size_t n_stops;
    int logprobs;            /* -1: none; else the top alternatives per token */
    char id[48];
    long long created;
    const char *model_name;
    /* shared with the scheduler, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs;                /* the HTTP side and the scheduler */
    bool cancelled;          /* the client went away: free its slots */
    bool done;               /* every choice finished (or failed) */
    bool failed;
    char err[256];
    srv_choice *choices;
    int choices_left;
    int64_t cached_tokens;   /* prompt tokens reused from a slot's cache (the first choice's) */
    double t_queued, t_first, t_done;
    cli_buf out;             /* streaming: SSE bytes not yet sent start at out_pos */
    size_t out_pos;
} srv_request;

void srv_request_release(srv_request *r);   /* drops one reference; the last frees it */

typedef struct srv_metrics {
    int64_t prompt_tokens, generated_tokens, cached_tokens, requests, requests_failed;
    int64_t prompt_tokens_processed; /* prompt tokens run through the model (not cached, not shared) */
    double prompt_seconds, generation_seconds;
    int64_t processing, deferred;   /* gauges: requests in slots, requests queued */
} srv_metrics;

typedef struct srv_sched srv_sched;

typedef struct srv_config {
    attn_model *model;
    const attn_tokenizer *tok;
    int n_slots;
    int64_t ctx_size;        /* positions per slot */
    int queue_max;           /* requests waiting for slots at most */
    const int32_t *stop_tokens;
    int n_stop_tokens;
    int threads;             /* the decoding's threads (attn_set_threads in the scheduler's thread) */
    int64_t batch_size;      /* prompt tokens decoded per step at most (0: SRV_BATCH_SIZE) */
} srv_config;

attn_status srv_sched_start(const srv_config *cfg, srv_sched **out);
/* Queues r (taking a reference). false: the queue is full, or the server is stopping. */
bool srv_sched_submit(srv_sched *s, srv_request *r);
/* Wakes the scheduler (a request was cancelled). */
void srv_sched_poke(srv_sched *s);
void srv_sched_metrics(srv_sched *s, srv_metrics *m);
/* Ends the thread and fails every queued and active request (again: a
 * no-op); srv_sched_submit refuses from then on. srv_sched_free frees it
 * once no connection uses it. */
void srv_sched_stop(srv_sched *s);
void srv_sched_free(srv_sched *s);

/* The streaming chunk for the text delta and logprobs (taken) of choice
 * `index` (role: chat's opening {"role": "assistant"}; finish: NULL or the
 * finish reason); appends "data: {...}\n\n" to r->out. */
bool srv_stream_chunk(srv_request *r, int index, bool role, const char *delta, size_t len, cJSON *logprobs,
                      const char *finish);
/* A finished choice's whole text as the chunks of a stream with tools (a
 * reranked answer, sent once it is chosen): its content up to its calls, a
 * tool_calls chunk and finish "tool_calls" when it makes well-formed calls;
 * else the text and the finish given. */
bool srv_stream_tools_whole(srv_request *r, int index, const char *text, size_t len, const char *finish);
/* The final chunks of a stream: the usage-only chunk when asked, then [DONE]. */
bool srv_stream_end(srv_request *r);
cJSON *srv_usage_json(const srv_request *r);
double srv_now(void);

/* Valid UTF-8 of the bytes: each invalid or cut sequence becomes U+FFFD. */
bool srv_utf8_clean(const char *s, size_t n, cli_buf *out);
/* The bytes of s[0..n) that end on a whole UTF-8 character (a cut
 * sequence at the end is held back until its other bytes come). */
size_t srv_utf8_whole(const char *s, size_t n);

#endif
