/* attn chat — a conversation with a chat model: interactive on a terminal,
 * or one reply to a JSON conversation (OpenAI's messages array).
 *
 * Each turn renders the whole conversation with the model's chat template
 * (add_generation_prompt) and tokenizes it. The longest prefix of it that
 * the cache of the previous turn (its prompt and answer) holds is kept, and
 * only the rest is decoded (attn_gen_resume): the whole previous turn when
 * the new prompt extends it, up to the first token that differs otherwise
 * (an answer that tokenizes differently when rendered back). An answer ends at the template's end-of-turn marker
 * (the text its template puts after an assistant message, e.g. <|im_end|>,
 * as a token or as text), the model's end-of-text token, or -n tokens. */
#include "cli.h"
#include "chat_tools.h"
#include "rerank.h"

#include "attn/chat.h"
#include "attn/encoder.h"
#include "attn/generate.h"
#include "attn/rnn.h"
#include "attn/seq2seq.h"
#include "attn/tokenizer.h"

#include <cJSON.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Ctrl-C ------------------------------------------------------------------
 * During an answer SIGINT sets a flag (system calls restart) and the answer
 * stops after its current token; at the prompt the read is interrupted and
 * the program ends. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

static void catch_sigint(bool restart) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGINT, &sa, NULL);
}

/* ---- byte buffers and UTF-8 ------------------------------------------------- */
/* cli_buf_add as a status. */
static attn_status buf_add(cli_buf *b, const void *s, size_t n) {
    return cli_buf_add(b, s, n) ? ATTN_OK : attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
}

/* An answer as it streams: raw holds the bytes the tokens spell (a token
 * may end inside a character); content what was shown of them, whole
 * characters only, a byte that starts none shown as U+FFFD. */
typedef struct stream {
    cli_buf raw, content;
    size_t done; /* raw bytes moved to content */
    bool show;   /* print to stdout as it comes */
} stream;

/* Moves raw[done..end) to content (and stdout): complete characters only,
 * unless final (then an unfinished one becomes U+FFFD). */
static attn_status stream_emit(stream *s, size_t end, bool final) {
    static const char REPL[] = "\xEF\xBF\xBD";
    size_t start = s->content.len;
    const unsigned char *r = (const unsigned char *)s->raw.p;
    attn_status st = ATTN_OK;
    while (s->done < end && !st) {
        int k = r[s->done] ? cli_utf8_len(r + s->done, end - s->done) : -1; /* NUL: messages are C strings */
        if (k == 0 && !final) break;
        if (k > 0) {
            st = buf_add(&s->content, r + s->done, (size_t)k);
            s->done += (size_t)k;
        } else {
            st = buf_add(&s->content, REPL, 3);
            s->done = k == 0 ? end : s->done + 1;
        }
    }
    if (st) return st;
    if (s->show && s->content.len > start) {
        fwrite(s->content.p + start, 1, s->content.len - start, stdout);
        return cli_stdout_check();
    }
    return ATTN_OK;
}

/* ---- the conversation ----------------------------------------------------------- */
typedef struct message {
    char *role, *content;
} message;

typedef struct chat {
    attn_tokenizer *tok;
    attn_chat_template *tmpl;
    attn_chat_options opt;
    attn_gen *gen;
    attn_sampler_params sp;
    int64_t n_ctx, reserve;  /* a prompt leaves `reserve` positions for its answer */
    int32_t stops[3];        /* tokens that end an answer */
    int n_stops;
    char *end_text;          /* the end-of-turn marker as text, or NULL */
    message *msgs;
    size_t n, cap;
    bool verbose;
    int64_t turn;
    cli_tools *tools;        /* --tools: the tool loop (NULL: off) */
    int64_t tool_rounds;     /* rounds of calls per answer at most */
} chat;

static void msg_free(message *m) {
    free(m->role);
    free(m->content);
}

/* Inserts a message at position at (0..n). */
static attn_status push(chat *c, size_t at, const char *role, const char *content, size_t len) {
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        message *m = realloc(c->msgs, cap * sizeof *m);
        if (!m) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        c->msgs = m;
        c->cap = cap;
    }
    message m = {cli_strndup(role, strlen(role)), cli_strndup(content, len)};
    if (!m.role || !m.content) {
        msg_free(&m);
        return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    }
    memmove(c->msgs + at + 1, c->msgs + at, (c->n - at) * sizeof *c->msgs);
    c->msgs[at] = m;
    c->n++;
    return ATTN_OK;
}

/* Removes messages [a, b). */
static void drop(chat *c, size_t a, size_t b) {
    for (size_t i = a; i < b; i++) msg_free(&c->msgs[i]);
    memmove(c->msgs + a, c->msgs + b, (c->n - b) * sizeof *c->msgs);
    c->n -= b - a;
}

static bool has_system(const chat *c) { return c->n > 0 && !strcmp(c->msgs[0].role, "system"); }

static attn_status render(const chat *c, const message *msgs, size_t n, bool gen_prompt, char **out, size_t *len) {
    attn_chat_message *m = malloc((n ? n : 1) * sizeof *m);
    const char **roles = malloc((n ? n : 1) * sizeof *roles), **texts = malloc((n ? n : 1) * sizeof *texts);
    attn_status st = m && roles && texts ? ATTN_OK : attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < n && !st; i++) {
        m[i] = (attn_chat_message){msgs[i].role, msgs[i].content};
        roles[i] = msgs[i].role;
        texts[i] = msgs[i].content;
    }
    attn_chat_options opt = c->opt;
    opt.add_generation_prompt = gen_prompt;
    if (!st) st = c->tools ? cli_tools_render(c->tools, c->tmpl, roles, texts, n, &opt, out, len)
                           : attn_chat_render(c->tmpl, m, n, &opt, out, len);
    free(m);
    free(roles);
    free(texts);
    return st;
}

static bool is_stop(const chat *c, int32_t t) {
    for (int i = 0; i < c->n_stops; i++)
        if (c->stops[i] == t) return true;
    return false;
}

/* The prompt for the conversation as it stands (ending with the opening of
 * the assistant's turn), as tokens. While it leaves fewer than `reserve`
 * positions of the context for the answer, the oldest turn (a user
 * message and what follows it up to the next user message) is dropped from
 * the conversation, never the system message or the last turn; if the
 * last turn alone does not fit, an error. */
static attn_status prompt_tokens(chat *c, int32_t **ids, int64_t *n) {
    size_t dropped = 0;
    attn_status st;
    *ids = NULL;
    for (;;) {
        char *text = NULL;
        size_t len = 0;
        if ((st = render(c, c->msgs, c->n, true, &text, &len))) return st;
        int64_t unknown = attn_tokenizer_unknown_count(c->tok);
        st = attn_tokenizer_encode(c->tok, text, len, ids, n);
        cli_warn_unknown("chat", c->tok, unknown);
        bool fits = !st && *n >= 1 && *n + c->reserve <= c->n_ctx;
        if (fits && c->verbose) fprintf(stderr, "attn chat: turn %lld: the prompt:\n%s\n", (long long)c->turn + 1, text);
        attn_free(text);
        if (st) return st;
        if (fits) break;
        size_t a = has_system(c) ? 1 : 0, b = a + 1;
        while (b < c->n && strcmp(c->msgs[b].role, "user") != 0) b++;
        if (*n >= 1 && b >= c->n) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG,
                             "the last message makes a prompt of %lld tokens; with %lld left for the answer (-n) the "
                             "model's context of %lld holds at most %lld",
                             (long long)*n, (long long)c->reserve, (long long)c->n_ctx,
                             (long long)(c->n_ctx - c->reserve));
            attn_free(*ids);
            *ids = NULL;
            return st;
        }
        if (*n < 1) {
            attn_free(*ids);
            *ids = NULL;
            return attn_errorf(ATTN_ERR_INVALID_ARG, "the chat template made an empty prompt");
        }
        attn_free(*ids);
        *ids = NULL;
        drop(c, a, b);
        dropped += b - a;
    }
    if (dropped)
        fprintf(stderr,
                "attn chat: note: the conversation outgrew the model's context of %lld tokens (%lld kept for the "
                "answer): dropped its %zu oldest message%s%s\n",
                (long long)c->n_ctx, (long long)c->reserve, dropped, dropped == 1 ? "" : "s",
                has_system(c) ? ", kept the system message" : "");
    return ATTN_OK;
}

typedef struct reply {
    char *content;          /* malloc'd */
    int64_t prompt_tokens, reused, completion_tokens;
    const char *finish;     /* "stop", "length", "interrupted" or "tool_calls" */
} reply;

/* Answers the conversation: decodes the prompt (only what the cache does
 * not hold yet), then samples until a stop, streaming the text when show. */
static attn_status answer(chat *c, bool show, reply *r) {
    memset(r, 0, sizeof *r);
    r->finish = "length";
    int32_t *ids = NULL;
    int64_t n = 0;
    stream s = {.show = show};
    attn_status st = prompt_tokens(c, &ids, &n);
    if (st) return st;
    st = attn_gen_resume(c->gen, ids, n, &r->reused);
    r->prompt_tokens = n;
    c->turn++;
    if (c->verbose)
        fprintf(stderr, "attn chat: turn %lld: %lld prompt tokens, %lld of them reused from the previous turn, %lld decoded\n",
                (long long)c->turn, (long long)n, (long long)r->reused, (long long)(n - r->reused));
    attn_free(ids);
    if (st) return st;
    size_t el = c->end_text ? strlen(c->end_text) : 0;
    int32_t t;
    while ((st = attn_gen_next(c->gen, &t)) == ATTN_OK) {
        if (is_stop(c, t)) {
            r->finish = "stop";
            break;
        }
        r->completion_tokens++;
        const char *bytes;
        size_t len;
        if ((st = attn_tokenizer_token_bytes(c->tok, t, &bytes, &len)) || (st = buf_add(&s.raw, bytes, len))) break;
        size_t show_to = s.raw.len;
        if (el) {
            const char *hit = memmem(s.raw.p + s.done, s.raw.len - s.done, c->end_text, el);
            if (hit) { /* the marker spelled out in pieces: the answer ends before it */
                s.raw.len = (size_t)(hit - s.raw.p);
                s.raw.p[s.raw.len] = '\0';
                r->finish = "stop";
                break;
            }
            /* hold back an ending that may be the marker's beginning */
            for (size_t k = el - 1 < s.raw.len - s.done ? el - 1 : s.raw.len - s.done; k > 0; k--)
                if (!memcmp(s.raw.p + s.raw.len - k, c->end_text, k)) {
                    show_to -= k;
                    break;
                }
        }
        if (c->tools) { /* a tool call ends the turn: the loop runs it */
            static const char CLOSE[] = "</tool_call>";
            size_t from = s.raw.len > len + sizeof CLOSE ? s.raw.len - len - sizeof CLOSE : 0;
            const char *hit = memmem(s.raw.p + from, s.raw.len - from, CLOSE, sizeof CLOSE - 1);
            if (hit) {
                s.raw.len = (size_t)(hit - s.raw.p) + sizeof CLOSE - 1;
                s.raw.p[s.raw.len] = '\0';
                r->finish = "tool_calls";
                break;
            }
        }
        if ((st = stream_emit(&s, show_to, false))) break;
        if (interrupted) {
            r->finish = "interrupted";
            break;
        }
    }
    if (st == ATTN_DONE) st = ATTN_OK;
    if (!st) st = stream_emit(&s, s.raw.len, true);
    if (!st && !s.content.p) st = buf_add(&s.content, "", 0);
    free(s.raw.p);
    if (st) {
        free(s.content.p);
        return st;
    }
    r->content = s.content.p;
    return ATTN_OK;
}

/* answer(), or with reranking (rr active) rr->n candidates sampled silently,
 * scored, and the best (or the refusal) shown; *safety gets the verdicts. */
static attn_status answer_best(chat *c, cli_rerank *rr, bool show, reply *r, cJSON **safety) {
    *safety = NULL;
    if (!cli_rerank_active(rr)) return answer(c, show, r);
    int64_t n = rr->n;
    reply *rs = calloc((size_t)n, sizeof *rs);
    const char **texts = calloc((size_t)n, sizeof *texts);
    attn_chat_message *m = calloc(c->n ? c->n : 1, sizeof *m);
    attn_status st = rs && texts && m ? ATTN_OK : attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    int64_t done = 0, chosen = -1;
    for (; done < n && !st; done++) {
        if ((st = answer(c, false, &rs[done]))) break;
        texts[done] = rs[done].content;
        if (interrupted) { /* Ctrl-C: rank what was sampled */
            done++;
            break;
        }
    }
    for (size_t i = 0; i < c->n && !st; i++) m[i] = (attn_chat_message){c->msgs[i].role, c->msgs[i].content};
    attn_rerank_params p = {(float)rr->weight, (float)rr->threshold};
    if (!st) st = cli_rerank_choose(rr, &p, m, c->n, texts, done, &chosen, safety);
    if (!st) {
        *r = chosen >= 0 ? rs[chosen] : (reply){.finish = "content_filter", .prompt_tokens = rs[0].prompt_tokens};
        if (chosen >= 0) rs[chosen].content = NULL;
        else if (!(r->content = cli_strndup(rr->refusal, strlen(rr->refusal))))
            st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
        if (!st && show) {
            fputs(r->content, stdout);
            st = cli_stdout_check();
        }
    }
    for (int64_t i = 0; rs && i < done; i++) free(rs[i].content);
    free(rs);
    free(texts);
    free(m);
    return st;
}

/* One turn. Without tools, answer_best's answer. With them, the tool loop:
 * while the answer calls tools (at most tool_rounds times), its turn and
 * the results (role "tool") join the conversation and the model goes on.
 * Each of the model's turns is answer_best's (with reranking, the best of
 * rr->n candidates: a turn that calls tools is scored as the model wrote
 * it, calls and all; a refused turn ends the loop). The last answer is *r,
 * its verdicts *safety; the calls are in c->tools->log. */
static attn_status answer_tools(chat *c, cli_rerank *rr, bool show, reply *r, cJSON **safety) {
    *safety = NULL;
    if (!c->tools) return answer_best(c, rr, show, r, safety);
    cJSON_Delete(c->tools->log);
    cJSON_Delete(c->tools->sources);
    c->tools->log = cJSON_CreateArray();
    c->tools->sources = cJSON_CreateArray();
    if (!c->tools->log || !c->tools->sources) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    int64_t prompt = 0, completion = 0;
    for (int64_t round = 0;; round++) {
        cJSON_Delete(*safety); /* the verdicts on the turn before, whose calls ran */
        attn_status st = answer_best(c, rr, show, r, safety);
        if (st) return st;
        prompt += r->prompt_tokens;
        completion += r->completion_tokens;
        char **results = NULL;
        size_t n = 0;
        bool ran = false; /* a turn that names no tool ended like any other */
        if (interrupted || !strcmp(r->finish, "interrupted") || round >= c->tool_rounds ||
            (ran = true, st = cli_tools_run(c->tools, r->content, strlen(r->content), &results, &n)) || !n) {
            r->prompt_tokens = prompt;
            r->completion_tokens = completion;
            if (ran && !st && !strcmp(r->finish, "tool_calls")) r->finish = "stop";
            return st;
        }
        if (show) {
            fputs("\n", stdout);
            fflush(stdout);
        }
        st = push(c, c->n, "assistant", r->content, strlen(r->content));
        free(r->content);
        r->content = NULL;
        int last = cJSON_GetArraySize(c->tools->log) - (int)n;
        for (size_t i = 0; i < n; i++) {
            if (!st) st = push(c, c->n, "tool", results[i], strlen(results[i]));
            const cJSON *e = cJSON_GetArrayItem(c->tools->log, last + (int)i);
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name"));
            if (show || c->verbose) fprintf(stderr, "attn chat: tool %s -> %s\n", name && *name ? name : "(malformed call)", results[i]);
            free(results[i]);
        }
        free(results);
        if (st) return st;
    }
}

/* ---- non-interactive: one reply to a JSON conversation -------------------------- */

/* A message's content: a string, or OpenAI's list of parts of which the
 * "text" ones are joined. */
static attn_status content_of(const cJSON *m, const char *where, size_t i, cli_buf *out) {
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
    if (cJSON_IsString(content)) return buf_add(out, content->valuestring, strlen(content->valuestring));
    if (cJSON_IsArray(content)) {
        const cJSON *part;
        size_t j = 0;
        attn_status st = buf_add(out, "", 0);
        cJSON_ArrayForEach(part, content) {
            const cJSON *type = cJSON_GetObjectItemCaseSensitive(part, "type");
            const cJSON *text = cJSON_GetObjectItemCaseSensitive(part, "text");
            if (!cJSON_IsString(type) || strcmp(type->valuestring, "text") != 0 || !cJSON_IsString(text))
                return attn_errorf(ATTN_ERR_FORMAT, "%s: messages[%zu].content[%zu] is not a {\"type\": \"text\", \"text\": "
                                                    "...} part (only text is understood)", where, i, j);
            if ((st = buf_add(out, text->valuestring, strlen(text->valuestring)))) return st;
            j++;
        }
        return st;
    }
    return attn_errorf(ATTN_ERR_FORMAT, "%s: messages[%zu].content must be a string%s", where, i,
                       content ? "" : " (it is missing)");
}

/* Reads the messages (an array, or an object with one under "messages"):
 * each an object with role "system", "user" or "assistant" and a string
 * content; the last one the user's. */
static attn_status read_messages(chat *c, const char *text, size_t len, const char *where) {
    if (strspn(text, " \t\r\n") == len)
        return attn_errorf(ATTN_ERR_FORMAT, "%s is empty: attn chat answers a JSON array of messages there (or, on a "
                                            "terminal, holds a conversation)", where);
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : len;
        return attn_errorf(ATTN_ERR_FORMAT, "%s: not valid JSON (at byte %zu)", where, off);
    }
    attn_status st = ATTN_OK;
    const cJSON *arr = root;
    if (cJSON_IsObject(root)) arr = cJSON_GetObjectItemCaseSensitive(root, "messages");
    if (!cJSON_IsArray(arr)) {
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: expected an array of messages, or an object with one under \"messages\"",
                         where);
        goto out;
    }
    const cJSON *m;
    size_t i = 0;
    cJSON_ArrayForEach(m, arr) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        if (!cJSON_IsObject(m)) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: messages[%zu] must be an object with a role and a content", where, i);
            goto out;
        }
        if (!cJSON_IsString(role) || (strcmp(role->valuestring, "system") && strcmp(role->valuestring, "user") &&
                                      strcmp(role->valuestring, "assistant") &&
                                      (!c->tools || strcmp(role->valuestring, "tool")))) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: messages[%zu].role must be \"system\", \"user\" or \"assistant\"%s%s%s",
                             where, i, cJSON_IsString(role) ? ", not \"" : (role ? " (a string)" : " (it is missing)"),
                             cJSON_IsString(role) ? role->valuestring : "", cJSON_IsString(role) ? "\"" : "");
            goto out;
        }
        cli_buf content = {0};
        if (!(st = content_of(m, where, i, &content))) {
            char name[64];
            snprintf(name, sizeof name, "messages[%zu].content", i);
            if (!(st = attn_text_check(name, content.p, content.len)))
                st = push(c, c->n, role->valuestring, content.p, content.len);
        }
        free(content.p);
        if (st) goto out;
        i++;
    }
    if (c->n == 0) st = attn_errorf(ATTN_ERR_FORMAT, "%s: the conversation holds no messages", where);
    else if (strcmp(c->msgs[c->n - 1].role, "user") != 0)
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: the last message must be the user's (it is the %s's): attn chat answers it",
                         where, c->msgs[c->n - 1].role);
out:
    cJSON_Delete(root);
    return st;
}

static attn_status print_json(const chat *c, const reply *r, cJSON *safety) {
    cJSON *o = cJSON_CreateObject(), *u = cJSON_CreateObject();
    if (o && c->tools) { /* the calls made on the way, and the passages to cite */
        cJSON_AddItemToObject(o, "tool_calls", cJSON_Duplicate(c->tools->log, true));
        cJSON_AddItemToObject(o, "sources", cJSON_Duplicate(c->tools->sources, true));
    }
    char *s = NULL;
    if (o && u && cJSON_AddStringToObject(o, "role", "assistant") && cJSON_AddStringToObject(o, "content", r->content) &&
        cJSON_AddStringToObject(o, "finish_reason", r->finish) &&
        cJSON_AddNumberToObject(u, "prompt_tokens", (double)r->prompt_tokens) &&
        cJSON_AddNumberToObject(u, "completion_tokens", (double)r->completion_tokens) &&
        cJSON_AddNumberToObject(u, "total_tokens", (double)(r->prompt_tokens + r->completion_tokens))) {
        cJSON_AddItemToObject(o, "usage", u);
        u = NULL;
        if (safety) cJSON_AddItemReferenceToObject(o, "attn_safety", safety);
        s = cJSON_PrintUnformatted(o);
    }
    cJSON_Delete(o);
    cJSON_Delete(u);
    if (!s) return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
    printf("%s\n", s);
    cJSON_free(s);
    return cli_stdout_check();
}

/* After an answer that used retrieval: the passages it drew on. */
static void print_sources(const chat *c) {
    const cJSON *x;
    int i = 0;
    fputs("\n[sources:", stdout);
    cJSON_ArrayForEach(x, c->tools->sources) printf("%s %s", i++ ? "," : "", x->valuestring);
    fputs("]", stdout);
}

/* ---- interactive ------------------------------------------------------------------ */
static const char HELP[] =
    "  /system TEXT  set the system message (the conversation goes on); /system alone removes it\n"
    "  /reset        forget the conversation (the system message stays)\n"
    "  /help         this list\n"
    "  /quit         leave (so do Ctrl-D and Ctrl-C at the prompt)\n"
    "A line ending in \\ goes on on the next line; write // to start a message with /.\n"
    "Ctrl-C during an answer stops it; what it said so far stays in the conversation.\n";

/* Reads one message (lines ending in '\' joined with newlines) into *line.
 * 1: a message; 0: end of input; -1: interrupted; -2: a read error. */
static int read_message(cli_buf *line) {
    char *l = NULL;
    size_t cap = 0;
    line->len = 0;
    int rc = 1;
    catch_sigint(false); /* Ctrl-C interrupts the read */
    for (;;) {
        errno = 0;
        ssize_t k = interrupted ? -1 : getline(&l, &cap, stdin);
        if (k < 0) {
            rc = interrupted || errno == EINTR ? -1 : ferror(stdin) ? -2 : (line->len ? 1 : 0);
            break;
        }
        while (k > 0 && (l[k - 1] == '\n' || l[k - 1] == '\r')) k--;
        bool more = k > 0 && l[k - 1] == '\\';
        if (buf_add(line, l, (size_t)k - more) || (more && buf_add(line, "\n", 1))) {
            rc = -2;
            break;
        }
        if (!more) break;
        fputs(". ", stdout);
        fflush(stdout);
    }
    free(l);
    catch_sigint(true);
    if (rc == 1 && !line->p) rc = buf_add(line, "", 0) ? -2 : 1;
    return rc;
}

static int interactive(chat *c, cli_rerank *rr, const char *model_name) {
    cli_buf line = {0};
    int rc = 0;
    fprintf(stderr,
            "attn chat: %s, a context of %lld tokens. Type a message; /help lists the commands, Ctrl-C stops an "
            "answer, Ctrl-D leaves.\n",
            model_name, (long long)c->n_ctx);
    for (;;) {
        fputs("> ", stdout);
        fflush(stdout);
        int got = read_message(&line);
        if (got == 0) { /* end of input */
            fputs("\n", stdout);
            break;
        }
        if (got == -1) { /* Ctrl-C at the prompt */
            fputs("\n", stdout);
            rc = 130;
            break;
        }
        if (got == -2) {
            rc = cli_fail("chat", ATTN_ERR_IO, "reading standard input failed");
            break;
        }
        char *text = line.p;
        if (!strcmp(text, "/quit") || !strcmp(text, "/exit")) break;
        if (!strcmp(text, "/help")) {
            fputs(HELP, stdout);
            continue;
        }
        if (!strcmp(text, "/reset")) {
            drop(c, has_system(c) ? 1 : 0, c->n);
            fprintf(stderr, "attn chat: the conversation is empty%s\n", has_system(c) ? " (the system message stays)" : "");
            continue;
        }
        if (!strncmp(text, "/system", 7) && (text[7] == '\0' || text[7] == ' ')) {
            const char *sys = text[7] ? text + 8 : "";
            attn_status st = attn_text_check("the system message", sys, strlen(sys));
            if (st) {
                cli_fail("chat", st, NULL);
                continue;
            }
            if (has_system(c)) drop(c, 0, 1);
            if (*sys && (st = push(c, 0, "system", sys, strlen(sys)))) {
                rc = cli_fail("chat", st, NULL);
                break;
            }
            fprintf(stderr, "attn chat: %s\n", *sys ? "the system message is set" : "no system message");
            continue;
        }
        if (text[0] == '/' && text[1] != '/') {
            fprintf(stderr, "attn chat: unknown command %s (/help lists them; // starts a message with /)\n", text);
            continue;
        }
        if (text[0] == '/') text++;
        if (!*text) continue;
        attn_status st = attn_text_check("the message", text, strlen(text));
        if (!st) st = push(c, c->n, "user", text, strlen(text));
        if (st) {
            cli_fail("chat", st, NULL);
            continue;
        }
        interrupted = 0;
        reply r;
        cJSON *safety = NULL;
        st = answer_tools(c, rr, true, &r, &safety);
        bool stopped = interrupted;
        interrupted = 0; /* from here on a Ctrl-C is at the prompt */
        if (st) cJSON_Delete(safety);
        if (st == ATTN_ERR_INVALID_ARG || st == ATTN_ERR_FORMAT) { /* the message does not fit, or the template refused */
            cli_fail("chat", st, NULL);
            drop(c, c->n - 1, c->n);
            continue;
        }
        if (st) {
            fflush(stdout);
            rc = cli_fail("chat", st, NULL);
            break;
        }
        if (c->tools && cJSON_GetArraySize(c->tools->sources) > 0) print_sources(c);
        fputs("\n", stdout);
        if (safety) {
            char sline[512];
            cli_rerank_summary(safety, sline, sizeof sline);
            fprintf(stderr, "attn chat: safety: %s\n", sline);
            cJSON_Delete(safety);
        }
        if (stopped && !strcmp(r.finish, "interrupted"))
            fprintf(stderr, "attn chat: answer stopped (what it said so far stays in the conversation)\n");
        st = push(c, c->n, "assistant", r.content, strlen(r.content));
        free(r.content);
        if (st || (st = cli_stdout_check())) {
            rc = cli_fail("chat", st, NULL);
            break;
        }
    }
    free(line.p);
    return rc;
}

int cmd_chat(int argc, char **argv) {
    const char *model_dir = NULL, *system = NULL, *messages = NULL, *template_path = NULL;
    const char *tool_list = NULL, *docs = "data";
    long long tool_rounds = 4;
    attn_sampler_params sp = attn_sampler_default_params();
    sp.max_new_tokens = 512;
    bool json = false, verbose = false;
    int precision = -1; /* as loaded */
    long long threads = 0;
    cli_rerank rr = CLI_RERANK_INIT;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "MODEL", &model_dir,
                 "a model directory, a GGUF file or an installed model's name (attn models)")},
        {CLI_STR("--system", "-s", "TEXT", &system, "the system message"), .def = "none: the template's own, if any"},
        {CLI_STR("--messages", NULL, "FILE", &messages,
                 "answer the conversation in FILE (- for standard input) and exit"),
         .def = ""},
        {CLI_FLAG("--json", NULL, &json,
                  "print the reply as {\"role\": \"assistant\", \"content\": ..., \"finish_reason\": ..., \"usage\": "
                  "{token counts}} (with --messages or standard input)")},
        {CLI_STR("--template", NULL, "FILE", &template_path, "a Jinja chat template file instead of the model's"),
         .def = "the model's, else ChatML"},
        {CLI_FLAG("--verbose", "-v", &verbose, "print each turn's prompt and how much of it the cache held (stderr)")},
        {CLI_STR("--tools", NULL, "LIST", &tool_list,
                 "let the model call tools: calculator, retrieve or both (comma-separated); see attn chat --help's end"),
         .def = "none"},
        {CLI_STR("--docs", NULL, "DIR", &docs, "the folder the retrieve tool searches (BM25 over its .txt and .md files)")},
        {CLI_INT("--tool-rounds", NULL, "N", &tool_rounds, 0, 64, "rounds of tool calls per answer at most")},
        CLI_SAMPLER_ROWS(sp),
        {CLI_THREADS(&threads)},
        {CLI_CHOICE("--precision", NULL, "fp32|bf16|q8_0|q4_0|q4_1", &precision, cli_inference_precisions,
                    "weight matrices in bf16 or quantized to ggml's block types (int8 products)"),
         .def = "as loaded (fp32; a GGUF file's own types)"},
        CLI_SECTION("Reranking (rules and a reward model)"),
        CLI_RERANK_ROWS(rr),
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn chat -m MODEL [--system TEXT] [options]\n"
        "       attn chat -m MODEL --messages FILE.json [--json] [options]",
        "A conversation with a chat model. On a terminal: type a message, the answer streams\n"
        "back; the conversation is kept and rendered with the model's chat template each\n"
        "turn, and only the tokens the previous turn's cache lacks are decoded. Commands:\n"
        "/system TEXT, /reset, /help, /quit (or Ctrl-D). Ctrl-C stops an answer (the part\n"
        "said stays in the conversation, as llama.cpp keeps it); at the prompt it ends the\n"
        "program (exit status 130). When the conversation outgrows the context, its oldest\n"
        "turns are dropped (the system message stays), with a note on stderr.\n"
        "With --messages FILE (or standard input that is not a terminal): FILE holds\n"
        "[{\"role\": \"user\", \"content\": \"...\"}, ...] (roles system, user, assistant; the\n"
        "last the user's) or {\"messages\": [...]}; the reply is printed and attn exits.",
        options,
        "tools (--tools calculator,retrieve):\n"
        "  The tools are described to the model (in the template's `tools`, or the system\n"
        "  message), and it calls one by writing\n"
        "    <tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"12*34\"}}</tool_call>\n"
        "  (retrieve: {\"query\": \"...\", \"k\": 3}). The turn ends there; attn runs the call, adds\n"
        "  the result as a \"tool\" message and the model goes on (--tool-rounds times at most).\n"
        "  Results show on stderr; an answer that retrieved passages ends with their\n"
        "  [sources: FILE:LINE, ...]; --json adds \"tool_calls\" and \"sources\"."};
    int n_pos, rc = cli_parse(&spec, argc, argv, &n_pos);
    if (rc != CLI_GO_ON) return rc;
    if (n_pos > 0) return cli_usage_error("unknown argument '%s' (see attn chat --help)", argv[1]);
    if (!model_dir) return cli_usage_error("-m MODEL is required (see attn chat --help)");
    bool is_interactive = !messages && isatty(STDIN_FILENO);
    if (json && is_interactive)
        return cli_usage_error("--json is for one reply to a conversation from --messages FILE or standard input");
    char why[128];
    if (!cli_rerank_usage_ok(&rr, why, sizeof why)) return cli_usage_error("%s", why);
    if ((rc = cli_set_threads(threads)) != 0) return rc;
    rc = 1;
    cli_tools tools = {0};
    chat c = {.sp = sp, .verbose = verbose, .tool_rounds = tool_rounds};
    if (tool_list) {
        attn_status ts = cli_tools_open(&tools, tool_list, docs);
        c.tools = &tools;
        if (ts) {
            rc = ts == ATTN_ERR_INVALID_ARG && !strncmp(attn_last_error(), "--tools", 7) ? cli_usage_error("%s", attn_last_error())
                                                                                    : cli_fail("chat", ts, NULL);
            cli_tools_close(&tools);
            return rc;
        }
    }
    attn_model *model = NULL;
    char *source = NULL, *bos = NULL, *eos = NULL, *input = NULL;
    size_t src_len = 0, input_len = 0;
    const char *where = messages && strcmp(messages, "-") ? messages : "standard input";
    attn_status st = ATTN_OK;
    /* the conversation first: a bad file fails before a model loads */
    if (!is_interactive) {
        if ((st = cli_read_text(messages, &input, &input_len))) goto fail;
        if ((st = read_messages(&c, input, input_len, where))) goto fail;
        if (system && has_system(&c)) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "--system and a system message in %s: give one of them", where);
            goto fail;
        }
    }
    if (system && ((st = attn_text_check("--system", system, strlen(system))) ||
                   (*system && (st = push(&c, 0, "system", system, strlen(system))))))
        goto fail;
    if ((st = precision == ATTN_PRECISION_BF16 ? attn_model_load_inference(model_dir, ATTN_PRECISION_BF16, &model)
                                               : attn_model_load(model_dir, &model)))
        goto fail;
    attn_encdec_config ecfg;
    attn_rnn_config rcfg;
    attn_bert_config bcfg;
    if (attn_model_encdec_config(model, &ecfg) || attn_model_rnn_config(model, &rcfg) ||
        attn_model_encoder_config(model, &bcfg)) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is not a decoder-only language model: attn chat needs one", model_dir);
        goto fail;
    }
    if (precision >= 0 && (st = attn_model_set_precision(model, (attn_precision)precision))) goto fail;
    if ((st = attn_model_release_f32(model))) goto fail; /* inference only: no fp32 beside bf16 */
    attn_gpt_config cfg = attn_model_config(model);
    if ((st = attn_tokenizer_load(model_dir, &c.tok))) goto fail;
    const char *tname = "ChatML (built in)";
    if (template_path) {
        if ((st = cli_read_text(template_path, &source, &src_len))) goto fail;
        tname = template_path;
        char *ignored = NULL;
        if (attn_chat_template_find(model_dir, &ignored, &bos, &eos) != ATTN_OK) bos = eos = NULL;
        attn_free(ignored);
    } else {
        char *found = NULL;
        if ((st = attn_chat_template_find(model_dir, &found, &bos, &eos))) goto fail;
        if (found) {
            src_len = strlen(found);
            source = cli_strndup(found, src_len);
            attn_free(found);
            if (!source) {
                st = attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory");
                goto fail;
            }
            tname = model_dir;
        }
    }
    const char *tsrc = source ? source : attn_chat_default_template();
    if ((st = attn_chat_template_parse(tname, tsrc, source ? src_len : strlen(tsrc), &c.tmpl))) goto fail;
    c.opt = (attn_chat_options){true, bos, eos};
    c.n_ctx = cfg.n_ctx;
    c.reserve = c.sp.max_new_tokens < c.n_ctx / 2 ? c.sp.max_new_tokens : c.n_ctx / 2;
    c.end_text = cli_template_end_text(c.tmpl, &c.opt);
    int32_t end_id = -1, eot = attn_tokenizer_eot(c.tok);
    if (c.end_text) {
        int32_t *ids = NULL;
        int64_t n = 0;
        if (attn_tokenizer_encode(c.tok, c.end_text, strlen(c.end_text), &ids, &n) == ATTN_OK && n == 1) end_id = ids[0];
        attn_free(ids);
    }
    const int32_t cand[3] = {end_id, cfg.eos_token_id, eot};
    for (int i = 0; i < 3; i++) {
        bool seen = cand[i] < 0;
        for (int j = 0; j < c.n_stops; j++) seen |= c.stops[j] == cand[i];
        if (!seen) c.stops[c.n_stops++] = cand[i];
    }
    c.sp.stop_token = c.n_stops ? c.stops[0] : -1;
    if (verbose)
        fprintf(stderr, "attn chat: template %s; end-of-turn text %s; %d stop token%s\n", tname,
                c.end_text ? c.end_text : "(none)", c.n_stops, c.n_stops == 1 ? "" : "s");
    if ((st = attn_gen_new(model, &c.sp, &c.gen))) goto fail;
    if ((st = cli_rerank_load(&rr))) goto fail;
    if (is_interactive) {
        catch_sigint(true);
        rc = interactive(&c, &rr, model_dir);
        signal(SIGINT, SIG_DFL);
        goto done;
    }
    reply r;
    cJSON *safety = NULL;
    if ((st = answer_tools(&c, &rr, !json, &r, &safety))) {
        cJSON_Delete(safety);
        goto fail;
    }
    if (!json && c.tools && cJSON_GetArraySize(c.tools->sources) > 0) print_sources(&c);
    st = json ? print_json(&c, &r, safety) : (fputs("\n", stdout), cli_stdout_check());
    if (!st && safety && !json) {
        char line[512];
        cli_rerank_summary(safety, line, sizeof line);
        fprintf(stderr, "attn chat: safety: %s\n", line);
    }
    cJSON_Delete(safety);
    free(r.content);
    if (st) goto fail;
    rc = 0;
    goto done;
fail:
    fflush(stdout);
    rc = cli_fail("chat", st, NULL);
done:
    for (size_t i = 0; i < c.n; i++) msg_free(&c.msgs[i]);
    free(c.msgs);
    free(c.end_text);
    free(source);
    free(input);
    attn_free(bos);
    attn_free(eos);
    attn_gen_free(c.gen);
    attn_chat_template_free(c.tmpl);
    attn_tokenizer_free(c.tok);
    attn_model_free(model);
    cli_tools_close(&tools);
    cli_rerank_free(&rr);
    return rc;
}
