/* attn cai — Constitutional AI (include/attn/cai.h for the constitution):
 *
 *   revise  the supervised stage: for each prompt the model answers, then,
 *           k rounds, critiques its answer under a principle drawn with the
 *           seed and revises it; the (prompt, last revision) conversations
 *           feed attn train --objective sft
 *   sample  n answers to each prompt: the pairs to label
 *   label   AI preference labels: under a drawn principle the feedback
 *           model answers the paper's multiple-choice question, and the
 *           log-probabilities of "A" and "B" after "The answer is: (" give
 *           p(A); written as preference pairs for --objective dpo / reward
 *
 * Every generation samples with a seed of its own, a function of (--seed,
 * the prompt's line, the stage), so a run gives the same file twice and a
 * prompt's result does not depend on the others. Outputs are written
 * atomically. */
#include "chat_tools.h"
#include "cli.h"

#include "attn/cai.h"
#include "attn/chat.h"
#include "attn/chat_data.h"
#include "attn/context.h"
#include "attn/encoder.h"
#include "attn/generate.h"
#include "attn/rnn.h"
#include "attn/seq2seq.h"
#include "attn/tokenizer.h"

#include <cJSON.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static attn_status oom(void) { return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory"); }

/* ---- the model as a chat agent ------------------------------------------------- */
typedef struct agent {
    attn_model *model;
    attn_tokenizer *tok;
    attn_chat_template *tmpl;
    attn_chat_options opt;
    char *source, *bos, *eos, *end_text;
    int32_t stops[3];
    int n_stops;
    attn_ctx *ctx;
    float *logits;
    int64_t V, max_len;
    int64_t truncated;   /* prompts whose beginning did not fit */
} agent;

static void agent_close(agent *a) {
    attn_ctx_free(a->ctx);
    free(a->logits);
    free(a->end_text);
    free(a->source);
    attn_free(a->bos);
    attn_free(a->eos);
    attn_chat_template_free(a->tmpl);
    attn_tokenizer_free(a->tok);
    attn_model_free(a->model);
    memset(a, 0, sizeof *a);
}

/* Loads a decoder, its tokenizer and its chat template (template_path, else
 * the model's, else ChatML), and a one-sequence context of up to max_len
 * positions (0: the model's context). */
static attn_status agent_open(agent *a, const char *model_dir, const char *template_path, int precision, int64_t max_len) {
    memset(a, 0, sizeof *a);
    attn_status st;
    if ((st = precision == ATTN_PRECISION_BF16 ? attn_model_load_inference(model_dir, ATTN_PRECISION_BF16, &a->model)
                                               : attn_model_load(model_dir, &a->model)))
        return st;
    attn_encdec_config ecfg;
    attn_rnn_config rcfg;
    attn_bert_config bcfg;
    if (attn_model_encdec_config(a->model, &ecfg) || attn_model_rnn_config(a->model, &rcfg) ||
        attn_model_encoder_config(a->model, &bcfg))
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "%s is not a decoder-only language model: attn cai needs one", model_dir);
    if (precision >= 0 && (st = attn_model_set_precision(a->model, (attn_precision)precision))) return st;
    if ((st = attn_model_release_f32(a->model))) return st; /* inference only: no fp32 beside bf16 */
    attn_gpt_config cfg = attn_model_config(a->model);
    if ((st = attn_tokenizer_load(model_dir, &a->tok))) return st;
    size_t src_len = 0;
    const char *tname = "ChatML (built in)";
    char *found = NULL;
    if ((st = attn_chat_template_find(model_dir, &found, &a->bos, &a->eos))) return st;
    if (template_path) {
        attn_free(found);
        found = NULL;
        if ((st = cli_read_text(template_path, &a->source, &src_len))) return st;
        tname = template_path;
    } else if (found) {
        src_len = strlen(found);
        a->source = cli_strndup(found, src_len);
        attn_free(found);
        if (!a->source) return oom();
        tname = model_dir;
    }
    const char *tsrc = a->source ? a->source : attn_chat_default_template();
    if ((st = attn_chat_template_parse(tname, tsrc, a->source ? src_len : strlen(tsrc), &a->tmpl))) return st;
    a->opt = (attn_chat_options){true, a->bos, a->eos};
    a->end_text = cli_template_end_text(a->tmpl, &a->opt);
    int32_t end_id = -1;
    if (a->end_text) {
        int32_t *ids = NULL;
        int64_t n = 0;
        if (attn_tokenizer_encode(a->tok, a->end_text, strlen(a->end_text), &ids, &n) == ATTN_OK && n == 1) end_id = ids[0];
        attn_free(ids);
    }
    const int32_t cand[3] = {end_id, cfg.eos_token_id, attn_tokenizer_eot(a->tok)};
    for (int i = 0; i < 3; i++) {
        bool seen = cand[i] < 0;
        for (int j = 0; j < a->n_stops; j++) seen |= a->stops[j] == cand[i];
        if (!seen) a->stops[a->n_stops++] = cand[i];
    }
    a->V = cfg.vocab_size;
    a->max_len = max_len > 0 && max_len < cfg.n_ctx ? max_len : cfg.n_ctx;
    if (!(a->logits = malloc((size_t)a->V * sizeof(float)))) return oom();
    return attn_ctx_new(a->model, 1, a->max_len, &a->ctx);
}

/* messages[0..n) rendered with the generation prompt, then `prefix` (the
 * beginning of the assistant's answer; may be NULL), as tokens. With raw,
 * the messages' contents joined by blank lines and the prefix after one. */
static attn_status agent_tokens(agent *a, const attn_chat_message *m, size_t n, bool raw, const char *prefix,
                                int32_t **ids, int64_t *nids) {
    char *text = NULL;
    size_t len = 0;
    attn_status st;
    if (raw) {
        cli_buf b = {0};
        for (size_t i = 0; i < n; i++)
            if ((i && !cli_buf_add(&b, "\n\n", 2)) || !cli_buf_add(&b, m[i].content, strlen(m[i].content))) {
                free(b.p);
                return oom();
            }
        if (prefix && (!cli_buf_add(&b, "\n\n", 2) || !cli_buf_add(&b, prefix, strlen(prefix)))) {
            free(b.p);
            return oom();
        }
        st = attn_tokenizer_encode(a->tok, b.p ? b.p : "", b.len, ids, nids);
        free(b.p);
        return st;
    }
    if ((st = attn_chat_render(a->tmpl, m, n, &a->opt, &text, &len))) return st;
    cli_buf b = {0};
    if (!cli_buf_add(&b, text, len) || (prefix && !cli_buf_add(&b, prefix, strlen(prefix)))) {
        attn_free(text);
        free(b.p);
        return oom();
    }
    attn_free(text);
    st = attn_tokenizer_encode(a->tok, b.p, b.len, ids, nids);
    free(b.p);
    return st;
}

static bool is_stop(const agent *a, int32_t t) {
    for (int i = 0; i < a->n_stops; i++)
        if (a->stops[i] == t) return true;
    return false;
}

/* The bytes made valid UTF-8 (cli_utf8_valid), white space at both ends dropped. */
static char *clean_text(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && strchr(" \t\r\n", s[i])) i++;
    while (n > i && strchr(" \t\r\n", s[n - 1])) n--;
    return cli_utf8_valid(s + i, n - i);
}

/* Samples the assistant's answer to messages[0..n) into *out (malloc'd):
 * up to sp->max_new_tokens, ending at a stop token or the end-of-turn text.
 * A prompt that leaves less than min(max tokens, half the context) free
 * loses its beginning. */
static attn_status agent_generate(agent *a, const attn_chat_message *m, size_t n, const attn_sampler_params *sp,
                                  char **out) {
    *out = NULL;
    int32_t *ids = NULL;
    int64_t nids = 0;
    attn_status st = agent_tokens(a, m, n, false, NULL, &ids, &nids);
    if (st) return st;
    if (nids < 1) {
        attn_free(ids);
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the chat template made an empty prompt");
    }
    int64_t reserve = sp->max_new_tokens < a->max_len / 2 ? sp->max_new_tokens : a->max_len / 2;
    int64_t skip = nids > a->max_len - reserve ? nids - (a->max_len - reserve) : 0;
    if (skip) a->truncated++;
    attn_sampler *s = NULL;
    cli_buf raw = {0};
    attn_ctx_reset(a->ctx);
    if (!(st = attn_sampler_new(a->V, sp, &s))) st = attn_ctx_decode(a->ctx, ids + skip, nids - skip, a->logits);
    attn_free(ids);
    size_t el = a->end_text ? strlen(a->end_text) : 0;
    for (int64_t k = 0; !st && k < sp->max_new_tokens; k++) {
        int32_t t = attn_sampler_sample(s, a->logits);
        if (is_stop(a, t)) break;
        const char *bytes;
        size_t len;
        if ((st = attn_tokenizer_token_bytes(a->tok, t, &bytes, &len))) break;
        if (!cli_buf_add(&raw, bytes, len)) {
            st = oom();
            break;
        }
        const char *hit = el ? memmem(raw.p, raw.len, a->end_text, el) : NULL;
        if (hit) {
            raw.len = (size_t)(hit - raw.p);
            break;
        }
        if (k + 1 == sp->max_new_tokens || attn_ctx_len(a->ctx) >= a->max_len) break;
        st = attn_ctx_decode(a->ctx, &t, 1, a->logits);
    }
    attn_sampler_free(s);
    if (!st && !(*out = clean_text(raw.p ? raw.p : "", raw.len))) st = oom();
    free(raw.p);
    return st;
}

/* Log-probabilities of the texts prompt + "A" and prompt + "B": the
 * tokens after their common prefix, summed (the shared prefix decoded once). */
static attn_status agent_choice(agent *a, const attn_chat_message *m, size_t n, bool raw, double *lp_a, double *lp_b) {
    char *pa = malloc(sizeof ATTN_CAI_ANSWER_PREFIX + 1), *pb = malloc(sizeof ATTN_CAI_ANSWER_PREFIX + 1);
    int32_t *ia = NULL, *ib = NULL;
    int64_t na = 0, nb = 0;
    attn_status st = pa && pb ? ATTN_OK : oom();
    if (!st) {
        snprintf(pa, sizeof ATTN_CAI_ANSWER_PREFIX + 1, "%sA", ATTN_CAI_ANSWER_PREFIX);
        snprintf(pb, sizeof ATTN_CAI_ANSWER_PREFIX + 1, "%sB", ATTN_CAI_ANSWER_PREFIX);
        if (!(st = agent_tokens(a, m, n, raw, pa, &ia, &na))) st = agent_tokens(a, m, n, raw, pb, &ib, &nb);
    }
    free(pa);
    free(pb);
    int64_t k = 0;
    while (!st && k < na && k < nb && ia[k] == ib[k]) k++;
    if (!st && (k < 1 || k == na || k == nb))
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "the tokenizer does not tell the answers \"A\" and \"B\" apart after a "
                                               "common prompt");
    int64_t tail = (na > nb ? na : nb) - k;
    if (!st && tail >= a->max_len)
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "the answer letters take %lld tokens, the context %lld", (long long)tail,
                         (long long)a->max_len);
    int64_t skip = 0;
    if (!st && k + tail > a->max_len) {
        skip = k + tail - a->max_len;
        a->truncated++;
    }
    attn_ctx_reset(a->ctx);
    if (!st) st = attn_ctx_decode(a->ctx, ia + skip, k - skip, a->logits);
    float *first = st ? NULL : malloc((size_t)a->V * sizeof(float));
    if (!st && !first) st = oom();
    if (!st) memcpy(first, a->logits, (size_t)a->V * sizeof(float));
    for (int which = 0; which < 2 && !st; which++) {
        const int32_t *ids = which ? ib : ia;
        int64_t nt = which ? nb : na;
        double sum = 0;
        if ((st = attn_ctx_seq_keep(a->ctx, 0, k - skip))) break;
        memcpy(a->logits, first, (size_t)a->V * sizeof(float));
        for (int64_t i = k; i < nt && !st; i++) {
            float lp;
            attn_logprobs(a->logits, a->V, ids[i], 0, &lp, NULL, NULL);
            sum += (double)lp;
            if (i + 1 < nt) st = attn_ctx_decode(a->ctx, &ids[i], 1, a->logits);
        }
        *(which ? lp_b : lp_a) = sum;
    }
    free(first);
    attn_free(ia);
    attn_free(ib);
    return st;
}

/* ---- input ---------------------------------------------------------------------- */

/* The prompts (attn_chat_data's prompts: {"prompt": "..."} or {"messages":
 * [one user message]}): one user message each. */
static attn_status read_prompts(const char *path, attn_chat_data **out) {
    attn_status st = attn_chat_data_read(path, ATTN_CHAT_PROMPTS, out);
    if (st) return st;
    for (int64_t i = 0; i < (*out)->n; i++) {
        const attn_chat_example *e = &(*out)->ex[i];
        if (e->prompt.n != 1 || !e->prompt.m[0].role || strcmp(e->prompt.m[0].role, "user") != 0) {
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: attn cai takes one user message per prompt (%lld messages)",
                             path, (long long)e->line, (long long)e->prompt.n);
            attn_chat_data_free(*out);
            *out = NULL;
            return st;
        }
    }
    return ATTN_OK;
}

typedef struct pair_item {
    char *prompt, *a, *b;
    int64_t line;
} pair_item;

static void pairs_free(pair_item *p, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        free(p[i].prompt);
        free(p[i].a);
        free(p[i].b);
    }
    free(p);
}

/* PAIRS: JSON lines {"prompt": P, "a": A, "b": B} or {"prompt": P,
 * "responses": [A, B, ...]} (the first two), all strings. */
static attn_status read_pairs(const char *path, pair_item **out, int64_t *count) {
    *out = NULL;
    *count = 0;
    char *text = NULL;
    size_t len = 0;
    attn_status st = cli_read_text(path, &text, &len);
    if (st) return st;
    cli_lines lines = {0};
    if ((st = cli_split_lines(text, len, &lines))) {
        free(text);
        return st;
    }
    pair_item *items = calloc((size_t)(lines.n ? lines.n : 1), sizeof *items);
    int64_t n = 0;
    if (!items) st = oom();
    for (int64_t i = 0; i < lines.n && !st; i++) {
        if (strspn(lines.s[i], " \t\r") == lines.len[i]) continue;
        cJSON *o = cJSON_ParseWithLength(lines.s[i], lines.len[i]);
        const cJSON *p = o ? cJSON_GetObjectItemCaseSensitive(o, "prompt") : NULL;
        const cJSON *a = o ? cJSON_GetObjectItemCaseSensitive(o, "a") : NULL;
        const cJSON *b = o ? cJSON_GetObjectItemCaseSensitive(o, "b") : NULL;
        const cJSON *r = o ? cJSON_GetObjectItemCaseSensitive(o, "responses") : NULL;
        if (!a && !b && cJSON_IsArray(r)) {
            a = cJSON_GetArrayItem(r, 0);
            b = cJSON_GetArrayItem(r, 1);
        }
        if (!o || !cJSON_IsObject(o))
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: not a JSON object", path, (long long)i + 1);
        else if (!cJSON_IsString(p))
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: \"prompt\" %s", path, (long long)i + 1,
                             p ? "is not a string" : "is missing");
        else if (!cJSON_IsString(a) || !cJSON_IsString(b))
            st = attn_errorf(ATTN_ERR_FORMAT, "%s: line %lld: want two answers as strings: \"a\" and \"b\", or "
                                              "\"responses\": [A, B]", path, (long long)i + 1);
        else {
            items[n] = (pair_item){strdup(p->valuestring), strdup(a->valuestring), strdup(b->valuestring), i + 1};
            if (!items[n].prompt || !items[n].a || !items[n].b) st = oom();
            n++;
        }
        cJSON_Delete(o);
    }
    if (!st && n == 0) st = attn_errorf(ATTN_ERR_FORMAT, "%s: no pairs", path);
    free(lines.s);
    free(lines.len);
    free(text);
    if (st) {
        pairs_free(items, n);
        return st;
    }
    *out = items;
    *count = n;
    return ATTN_OK;
}

/* ---- output --------------------------------------------------------------------- */

/* Writes o as one line of af and deletes it. */
static attn_status put_line(cli_atomic *af, cJSON *o) {
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!s) return oom();
    bool ok = fputs(s, af->f) >= 0 && fputc('\n', af->f) != EOF;
    cJSON_free(s);
    return ok ? ATTN_OK : attn_errorf(ATTN_ERR_IO, "writing %s failed", af->path);
}

static cJSON *message(const char *role, const char *content) {
    cJSON *m = cJSON_CreateObject();
    if (m && (!cJSON_AddStringToObject(m, "role", role) || !cJSON_AddStringToObject(m, "content", content))) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

static void note_truncated(const agent *a) {
    if (a->truncated)
        fprintf(stderr, "attn %s: note: %lld prompt%s longer than the context of %lld tokens lost %s beginning\n",
                cli_command, (long long)a->truncated, a->truncated == 1 ? " was" : "s were", (long long)a->max_len,
                a->truncated == 1 ? "its" : "their");
}

/* ---- the options shared by the subcommands ------------------------------------------ */
typedef struct common {
    const char *model, *constitution, *out, *template_path;
    attn_sampler_params sp;
    long long threads;
    int precision;
    int64_t max_len;
} common;

#define COMMON_MODEL_ROWS(c)                                                                                       \
    {CLI_STR("--model", "-m", "MODEL", &(c).model, "a model directory, a GGUF file or an installed model's name")}, \
        {CLI_STR("--out", "-o", "FILE", &(c).out, "the output JSON lines (written atomically)")},                 \
        {CLI_STR("--template", NULL, "FILE", &(c).template_path, "a Jinja chat template file instead of the model's"), \
         .def = "the model's, else ChatML"},                                                                      \
        {CLI_INT("--context", NULL, "N", &(c).max_len, 0, CLI_MAX_LEN, "positions of the decoding context"),      \
         .def = "the model's"},                                                                                   \
        {CLI_THREADS(&(c).threads)},                                                                              \
        {CLI_CHOICE("--precision", NULL, "fp32|bf16|q8_0|q4_0|q4_1", &(c).precision, cli_inference_precisions,    \
                    "weight matrices in bf16 or quantized"),                                                      \
         .def = "as loaded"}

static common common_defaults(void) {
    common c = {.sp = attn_sampler_default_params(), .precision = -1};
    c.sp.max_new_tokens = 128;
    return c;
}

static const char FORMAT_HELP[] =
    "The constitution (--constitution F; data/constitution/default.txt is attn's own):\n"
    "  # comment\n"
    "  [principle ID]                        ID: letters, digits, _ - .\n"
    "  critique = the request for a critique of the assistant's last answer\n"
    "  revision = the request to rewrite it\n"
    "  choice = the multiple-choice question for attn cai label   (optional)\n"
    "  [example]                             few-shot examples (optional)\n"
    "  prompt = ...  answer = ...  critique = ...  revision = ...  (one key a line)\n"
    "A line starting with a space or a tab continues the value above it on a new line.\n";

/* ---- attn cai revise / sample ------------------------------------------------------- */
static int cai_generate(int argc, char **argv, bool revise) {
    common c = common_defaults();
    const char *prompts_path = NULL;
    int64_t rounds = 1, shots = -1, n_samples = 2;
#define PROMPTS_ROW                                                                                            \
    {CLI_STR("--prompts", NULL, "FILE", &prompts_path, "JSON lines {\"prompt\": TEXT} or {\"messages\": [one user message]}")}
    const cli_option revise_options[] = {
        COMMON_MODEL_ROWS(c),
        PROMPTS_ROW,
        {CLI_STR("--constitution", NULL, "FILE", &c.constitution, "the constitution (see below)")},
        {CLI_INT("--rounds", "-k", "K", &rounds, 1, 64, "critique-revision rounds per prompt")},
        {CLI_INT("--shots", NULL, "N", &shots, -1, 1 << 20, "few-shot examples before each critique, -1 = all")},
        CLI_SECTION("sampling (each generation: a seed of its own from --seed, the prompt's line and the stage)"),
        CLI_SAMPLER_ROWS(c.sp),
        CLI_END,
    };
    const cli_option sample_options[] = {
        COMMON_MODEL_ROWS(c),
        PROMPTS_ROW,
        {CLI_INT("--samples", NULL, "N", &n_samples, 1, 64, "answers per prompt")},
        CLI_SECTION("sampling (each answer: a seed of its own from --seed, the prompt's line and its number)"),
        CLI_SAMPLER_ROWS(c.sp),
        CLI_END,
    };
#undef PROMPTS_ROW
    const cli_spec spec_revise = {
        "usage: attn cai revise -m MODEL --constitution F --prompts F -o OUT.jsonl [--rounds K] [options]",
        "Constitutional AI's supervised stage. For each prompt the model answers (its chat\n"
        "template, else ChatML), then K times: a principle is drawn (with --seed), the model\n"
        "critiques its answer under the principle's critique request and rewrites it under\n"
        "its revision request. OUT holds one line per prompt, usable by attn train --objective\n"
        "sft: {\"messages\": [user, assistant = the last revision], \"initial\": the first answer,\n"
        "\"revisions\": [{\"principle\", \"critique\", \"revision\"}, ...]} (the SFT reader ignores\n"
        "the extra keys). The same seed gives the same file.",
        revise_options, FORMAT_HELP};
    const cli_spec spec_sample = {
        "usage: attn cai sample -m MODEL --prompts F -o OUT.jsonl [--samples N] [options]",
        "N answers to each prompt (each with a seed of its own from --seed): one line\n"
        "{\"prompt\": TEXT, \"responses\": [...]} per prompt, the input of attn cai label.",
        sample_options, NULL};
    int n_pos, rc = cli_parse(revise ? &spec_revise : &spec_sample, argc, argv, &n_pos);
    if (rc != CLI_GO_ON) return rc;
    if (n_pos > 0) return cli_usage_error("unknown argument '%s' (see attn %s --help)", argv[1], cli_command);
    if (!c.model) return cli_usage_error("-m MODEL is required (see attn %s --help)", cli_command);
    if (!prompts_path) return cli_usage_error("--prompts FILE is required (see attn %s --help)", cli_command);
    if (revise && !c.constitution) return cli_usage_error("--constitution FILE is required (see attn cai revise --help)");
    if (!c.out) return cli_usage_error("-o FILE is required (see attn %s --help)", cli_command);
    if (c.sp.max_new_tokens < 1) return cli_usage_error("--max-tokens must be at least 1");
    if ((rc = cli_set_threads(c.threads)) != 0) return rc;
    attn_constitution *con = NULL;
    attn_chat_data *prompts = NULL;
    agent a = {0};
    cli_atomic af = {0};
    attn_chat_message *msgs = NULL;
    attn_status st;
    /* the inputs first: a bad file fails before a model loads */
    if (revise && (st = attn_constitution_read(c.constitution, &con))) goto fail;
    if ((st = read_prompts(prompts_path, &prompts))) goto fail;
    if ((st = agent_open(&a, c.model, c.template_path, c.precision, c.max_len))) goto fail;
    if (revise && (shots < 0 || shots > con->n_examples)) shots = con->n_examples;
    if (revise && !(msgs = malloc(ATTN_CAI_MAX_MESSAGES(shots) * sizeof *msgs))) {
        st = oom();
        goto fail;
    }
    if ((st = cli_atomic_open(&af, c.out))) goto fail;
    cli_progress pr;
    cli_progress_start(&pr);
    for (int64_t i = 0; i < prompts->n && !st; i++) {
        const attn_chat_example *e = &prompts->ex[i];
        const char *prompt = e->prompt.m[0].content;
        uint64_t item = (uint64_t)e->line;
        attn_sampler_params sp = c.sp;
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            st = oom();
            break;
        }
        if (!revise) {
            cJSON *rs = cJSON_AddStringToObject(o, "prompt", prompt) ? cJSON_AddArrayToObject(o, "responses") : NULL;
            if (!rs) st = oom();
            for (int64_t j = 0; j < n_samples && !st; j++) {
                char *ans = NULL;
                sp.seed = attn_cai_seed(c.sp.seed, item, (uint64_t)j);
                if (!(st = agent_generate(&a, &e->prompt.m[0], 1, &sp, &ans)))
                    if (!cJSON_AddItemToArray(rs, cJSON_CreateString(ans))) st = oom();
                free(ans);
            }
        } else {
            char *answer = NULL;
            cJSON *ms = cJSON_AddArrayToObject(o, "messages"); /* first: the line reads as a conversation */
            sp.seed = attn_cai_seed(c.sp.seed, item, 0);
            st = ms ? agent_generate(&a, &e->prompt.m[0], 1, &sp, &answer) : oom();
            cJSON *revs = cJSON_CreateArray();
            if (!st && (!revs || !cJSON_AddStringToObject(o, "initial", answer))) st = oom();
            for (int64_t r = 0; r < rounds && !st; r++) {
                int64_t p = attn_cai_pick(con, c.sp.seed, item, (uint64_t)r);
                size_t n = 0;
                char *critique = NULL, *revision = NULL;
                sp.seed = attn_cai_seed(c.sp.seed, item, 1 + 2 * (uint64_t)r);
                if (!(st = attn_cai_messages(con, p, shots, prompt, answer, NULL, msgs, &n)))
                    st = agent_generate(&a, msgs, n, &sp, &critique);
                sp.seed = attn_cai_seed(c.sp.seed, item, 2 + 2 * (uint64_t)r);
                if (!st &&
                    !(st = attn_cai_messages(con, p, shots, prompt, answer, critique, msgs, &n)))
                    st = agent_generate(&a, msgs, n, &sp, &revision);
                if (!st) {
                    cJSON *rv = cJSON_CreateObject();
                    if (!rv || !cJSON_AddItemToArray(revs, rv) ||
                        !cJSON_AddStringToObject(rv, "principle", con->principles[p].id) ||
                        !cJSON_AddStringToObject(rv, "critique", critique) ||
                        !cJSON_AddStringToObject(rv, "revision", revision))
                        st = oom();
                }
                free(critique);
                if (!st) {
                    free(answer);
                    answer = revision;
                } else
                    free(revision);
            }
            if (!st && (!cJSON_AddItemToArray(ms, message("user", prompt)) ||
                        !cJSON_AddItemToArray(ms, message("assistant", answer))))
                st = oom();
            if (revs) cJSON_AddItemToObject(o, "revisions", revs);
            free(answer);
        }
        if (st) {
            cJSON_Delete(o);
            break;
        }
        st = put_line(&af, o);
        if (cli_progress_due(&pr))
            cli_progress_print(&pr, "attn %s: %lld of %lld prompts", cli_command, (long long)i + 1, (long long)prompts->n);
    }
    cli_progress_end(&pr);
    if (!st) st = cli_atomic_commit(&af);
    if (st) goto fail;
    note_truncated(&a);
    rc = 0;
    goto done;
fail:
    rc = cli_fail(cli_command, st, NULL);
    if (af.f) cli_atomic_abort(&af);
done:
    free(msgs);
    agent_close(&a);
    attn_chat_data_free(prompts);
    attn_constitution_free(con);
    return rc;
}

/* ---- attn cai label ------------------------------------------------------------------- */
static int cai_label(int argc, char **argv) {
    common c = common_defaults();
    int64_t votes = 1;
    bool one_order = false, raw = false;
    const cli_option options[] = {
        COMMON_MODEL_ROWS(c),
        {CLI_STR("--constitution", NULL, "FILE", &c.constitution, "the constitution (its principles' choice questions)")},
        {CLI_INT("--votes", NULL, "K", &votes, 1, 64, "principles drawn per pair, their p(A) averaged")},
        {CLI_FLAG("--one-order", NULL, &one_order,
                  "ask once, A = \"a\"; by default also with the answers swapped, and p averaged (position bias)")},
        {CLI_FLAG("--raw", NULL, &raw, "plain text, no chat template (a base model as the feedback model)")},
        {CLI_INT("--seed", NULL, "N", &c.sp.seed, 0, LLONG_MAX, "the seed of the principles drawn")},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn cai label -m FEEDBACK_MODEL --constitution F PAIRS.jsonl -o OUT.jsonl [options]",
        "AI preference labels (RLAIF). PAIRS holds JSON lines {\"prompt\": P, \"a\": A, \"b\": B} or\n"
        "{\"prompt\": P, \"responses\": [A, B, ...]} (the first two; attn cai sample writes them).\n"
        "For each pair a principle is drawn (with --seed) and the feedback model is asked\n"
        "\"Consider the following conversation between a human and an assistant: Human: P\n"
        "<the principle's choice question> Options: (A) A (B) B\" in a user message, and its\n"
        "answer is begun with \"The answer is: (\": p(A) = softmax of the log-probabilities of\n"
        "\"A\" and \"B\" there. OUT gets {\"prompt\": P, \"chosen\": ..., \"rejected\": ..., \"p_a\":\n"
        "p(A is better), \"principles\": [ids]} per pair, usable by attn train --objective dpo\n"
        "or reward (which ignore p_a). Pairs whose answers are equal are skipped.",
        options, FORMAT_HELP};
    int n_pos, rc = cli_parse(&spec, argc, argv, &n_pos);
    if (rc != CLI_GO_ON) return rc;
    if (n_pos != 1) return cli_usage_error("one PAIRS file is required (see attn cai label --help)");
    if (!c.model) return cli_usage_error("-m FEEDBACK_MODEL is required (see attn cai label --help)");
    if (!c.constitution) return cli_usage_error("--constitution FILE is required (see attn cai label --help)");
    if (!c.out) return cli_usage_error("-o FILE is required (see attn cai label --help)");
    if ((rc = cli_set_threads(c.threads)) != 0) return rc;
    attn_constitution *con = NULL;
    pair_item *pairs = NULL;
    int64_t n_pairs = 0, skipped = 0;
    agent a = {0};
    cli_atomic af = {0};
    attn_status st;
    if ((st = attn_constitution_read(c.constitution, &con))) goto fail;
    if ((st = read_pairs(argv[1], &pairs, &n_pairs))) goto fail;
    if ((st = agent_open(&a, c.model, c.template_path, c.precision, c.max_len))) goto fail;
    if ((st = cli_atomic_open(&af, c.out))) goto fail;
    cli_progress pr;
    cli_progress_start(&pr);
    for (int64_t i = 0; i < n_pairs && !st; i++) {
        const pair_item *it = &pairs[i];
        if (!strcmp(it->a, it->b)) {
            skipped++;
            continue;
        }
        double p_sum = 0;
        int64_t n_p = 0;
        cJSON *o = cJSON_CreateObject(), *ids = cJSON_CreateArray();
        if (!o || !ids) st = oom();
        for (int64_t v = 0; v < votes && !st; v++) {
            int64_t p = attn_cai_pick(con, c.sp.seed, (uint64_t)it->line, (uint64_t)v);
            if (!cJSON_AddItemToArray(ids, cJSON_CreateString(con->principles[p].id))) st = oom();
            for (int swap = 0; swap < (one_order ? 1 : 2) && !st; swap++) {
                char *q = NULL;
                double la = 0, lb = 0;
                if ((st = attn_cai_question(con, p, it->prompt, swap ? it->b : it->a, swap ? it->a : it->b, &q))) break;
                const attn_chat_message m = {"user", q};
                st = agent_choice(&a, &m, 1, raw, &la, &lb);
                attn_free(q);
                double pa = 1 / (1 + exp(lb - la)); /* p(option A) */
                p_sum += swap ? 1 - pa : pa;
                n_p++;
            }
        }
        if (!st) {
            double p_a = p_sum / (double)n_p;
            bool a_wins = p_a >= 0.5;
            if (!cJSON_AddStringToObject(o, "prompt", it->prompt) ||
                !cJSON_AddStringToObject(o, "chosen", a_wins ? it->a : it->b) ||
                !cJSON_AddStringToObject(o, "rejected", a_wins ? it->b : it->a) ||
                !cJSON_AddNumberToObject(o, "p_a", round(p_a * 1e6) / 1e6))
                st = oom();
            else {
                cJSON_AddItemToObject(o, "principles", ids);
                ids = NULL;
            }
        }
        cJSON_Delete(ids);
        if (st) {
            cJSON_Delete(o);
            break;
        }
        st = put_line(&af, o);
        if (cli_progress_due(&pr))
            cli_progress_print(&pr, "attn cai label: %lld of %lld pairs", (long long)i + 1, (long long)n_pairs);
    }
    cli_progress_end(&pr);
    if (!st && skipped == n_pairs)
        st = attn_errorf(ATTN_ERR_FORMAT, "%s: every pair's two answers are equal: nothing to label", argv[1]);
    if (!st) st = cli_atomic_commit(&af);
    if (st) goto fail;
    if (skipped)
        fprintf(stderr, "attn cai label: note: skipped %lld pair%s whose answers are equal\n", (long long)skipped,
                skipped == 1 ? "" : "s");
    note_truncated(&a);
    rc = 0;
    goto done;
fail:
    rc = cli_fail("cai label", st, NULL);
    if (af.f) cli_atomic_abort(&af);
done:
    agent_close(&a);
    pairs_free(pairs, n_pairs);
    attn_constitution_free(con);
    return rc;
}

int cmd_cai(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "revise")) {
        cli_command = "cai revise";
        return cai_generate(argc - 1, argv + 1, true);
    }
    if (argc >= 2 && !strcmp(argv[1], "sample")) {
        cli_command = "cai sample";
        return cai_generate(argc - 1, argv + 1, false);
    }
    if (argc >= 2 && !strcmp(argv[1], "label")) {
        cli_command = "cai label";
        return cai_label(argc - 1, argv + 1);
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: attn cai revise -m MODEL --constitution F --prompts F -o OUT.jsonl [--rounds K] [options]\n"
               "       attn cai sample -m MODEL --prompts F -o OUT.jsonl [--samples N] [options]\n"
               "       attn cai label -m FEEDBACK_MODEL --constitution F PAIRS.jsonl -o OUT.jsonl [options]\n\n"
               "Constitutional AI: critique-revision data for attn train --objective sft (revise), pairs\n"
               "of answers (sample) and AI preference labels for --objective dpo / reward (label).\n"
               "attn cai SUBCOMMAND --help lists the options.\n\n%s",
               FORMAT_HELP);
        return 0;
    }
    if (argc < 2) return cli_usage_error("give a subcommand: revise, sample or label (see attn cai --help)");
    return cli_usage_error("unknown subcommand '%s' (see attn cai --help)", argv[1]);
}
