/* attn eval — few-shot evaluation of a decoder in the manner of
 * lm-evaluation-harness: multiple-choice tasks scored by the log-likelihood
 * of each choice (raw and per byte), generation tasks by exact match of a
 * greedy answer, k-shot prompts from a task's other examples (or --train)
 * drawn with a fixed seed; accuracy with its standard error per task. */
#include "cli.h"

#include "attn/context.h"
#include "attn/generate.h"

#include <cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct task_doc {
    char *context;
    char **choices;     /* NULL: a generation task */
    int n_choices;
    int answer;         /* multiple choice: the correct choice */
    char *target;       /* generation: the expected answer */
} task_doc;

typedef struct task {
    task_doc *docs;
    int64_t n;
} task;

static void task_free(task *t) {
    for (int64_t i = 0; i < t->n; i++) {
        free(t->docs[i].context);
        for (int c = 0; c < t->docs[i].n_choices; c++) free(t->docs[i].choices[c]);
        free(t->docs[i].choices);
        free(t->docs[i].target);
    }
    free(t->docs);
    t->docs = NULL;
    t->n = 0;
}

/* One JSON object per line: {"context", "choices": [...], "answer": index} or {"context", "answer": "text"}. */
static attn_status task_read(const char *path, task *t) {
    char *text = NULL;
    size_t len = 0;
    attn_status st = cli_read_text(path, &text, &len);
    if (st) return st;
    int64_t cap = 0, line_no = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        if (!line[strspn(line, " \t\r")]) continue;
        cJSON *o = cJSON_Parse(line);
        const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(o, "context"), *ch = cJSON_GetObjectItemCaseSensitive(o, "choices"),
                    *ans = cJSON_GetObjectItemCaseSensitive(o, "answer");
        bool mc = cJSON_IsArray(ch) && cJSON_GetArraySize(ch) >= 2 && cJSON_GetArraySize(ch) <= 64;
        if (!cJSON_IsObject(o) || !cJSON_IsString(ctx) || (ch && !mc) ||
            (mc ? !cJSON_IsNumber(ans) || ans->valuedouble != floor(ans->valuedouble) || ans->valuedouble < 0 ||
                      ans->valuedouble >= cJSON_GetArraySize(ch)
                : !cJSON_IsString(ans))) {
            cJSON_Delete(o);
            st = attn_errorf(ATTN_ERR_FORMAT,
                             "%s:%lld: want {\"context\": TEXT, \"choices\": [2 to 64 TEXTs], \"answer\": INDEX} or "
                             "{\"context\": TEXT, \"answer\": TEXT}",
                             path, (long long)line_no);
            goto fail;
        }
        if (t->n == cap) {
            cap = cap ? 2 * cap : 64;
            task_doc *d = realloc(t->docs, sizeof *d * (size_t)cap);
            if (!d) {
                cJSON_Delete(o);
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto fail;
            }
            t->docs = d;
        }
        task_doc *d = &t->docs[t->n++];
        memset(d, 0, sizeof *d);
        bool oom = !(d->context = strdup(ctx->valuestring));
        if (mc) {
            d->n_choices = cJSON_GetArraySize(ch);
            d->answer = (int)ans->valuedouble;
            oom |= !(d->choices = calloc((size_t)d->n_choices, sizeof *d->choices));
            for (int c = 0; !oom && c < d->n_choices; c++) {
                const cJSON *x = cJSON_GetArrayItem(ch, c);
                if (!cJSON_IsString(x)) {
                    cJSON_Delete(o);
                    st = attn_errorf(ATTN_ERR_FORMAT, "%s:%lld: choice %d is not text", path, (long long)line_no, c + 1);
                    goto fail;
                }
                oom |= !(d->choices[c] = strdup(x->valuestring));
            }
        } else
            oom |= !(d->target = strdup(ans->valuestring));
        cJSON_Delete(o);
        if (oom) {
            st = ATTN_ERR_OUT_OF_MEMORY;
            goto fail;
        }
    }
    if (t->n == 0) st = attn_errorf(ATTN_ERR_FORMAT, "%s: no examples", path);
    if (!st) {
        bool mc0 = t->docs[0].choices != NULL;
        for (int64_t i = 1; i < t->n && !st; i++)
            if ((t->docs[i].choices != NULL) != mc0)
                st = attn_errorf(ATTN_ERR_FORMAT, "%s: mixes multiple-choice and generation examples", path);
    }
fail:
    free(text);
    if (st) task_free(t);
    return st;
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The gold continuation of a shot. */
static const char *gold(const task_doc *d) { return d->choices ? d->choices[d->answer] : d->target; }

/* The prompt of doc i: k shots from pool (doc i itself excluded when pool is
 * the task), each context + gold + "\n\n", then doc i's context. */
static char *build_prompt(const task *t, int64_t i, const task *pool, bool same, int64_t k, uint64_t seed) {
    cli_buf b = {0};
    int64_t avail = pool->n - (same ? 1 : 0);
    if (k > avail) k = avail;
    int64_t *idx = malloc(sizeof *idx * (size_t)(pool->n ? pool->n : 1));
    if (!idx) return NULL;
    for (int64_t j = 0; j < pool->n; j++) idx[j] = j;
    uint64_t s = seed ^ (0xA5A5A5A5ULL * (uint64_t)(i + 1));
    int64_t taken = 0;
    bool ok = true;
    for (int64_t j = 0; j < pool->n && taken < k; j++) { /* a partial Fisher-Yates shuffle */
        int64_t r = j + (int64_t)(splitmix(&s) % (uint64_t)(pool->n - j));
        int64_t tmp = idx[j];
        idx[j] = idx[r];
        idx[r] = tmp;
        if (same && idx[j] == i) continue;
        const task_doc *d = &pool->docs[idx[j]];
        ok &= cli_buf_add(&b, d->context, strlen(d->context)) && cli_buf_add(&b, gold(d), strlen(gold(d))) &&
              cli_buf_add(&b, "\n\n", 2);
        taken++;
    }
    free(idx);
    const char *c = t->docs[i].context;
    ok &= cli_buf_add(&b, c, strlen(c));
    if (!ok || !b.p) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static attn_status encode(const attn_tokenizer *tok, const char *s, int32_t **ids, int64_t *n) {
    return attn_tokenizer_encode(tok, s, strlen(s), ids, n);
}

/* Sum of log p(cont | prompt) in nats. */
static attn_status choice_ll(attn_model *m, const attn_tokenizer *tok, const char *prompt, const char *cont, double *ll) {
    int32_t *a = NULL, *b = NULL;
    int64_t na = 0, nb = 0;
    attn_status st = encode(tok, prompt, &a, &na);
    if (!st) st = encode(tok, cont, &b, &nb);
    if (!st && (na < 1 || nb < 1)) st = attn_errorf(ATTN_ERR_INVALID_ARG, "an empty context or choice after tokenizing");
    int32_t *ids = NULL;
    if (!st && !(ids = malloc(sizeof *ids * (size_t)(na + nb)))) st = ATTN_ERR_OUT_OF_MEMORY;
    if (!st) {
        memcpy(ids, a, sizeof *ids * (size_t)na);
        memcpy(ids + na, b, sizeof *ids * (size_t)nb);
        double nll = 0;
        int64_t np = 0;
        /* the continuation as blocks of at most n_ctx targets, each from one forward over the n_ctx
         * tokens before its last target: every target sees all the prompt the context holds */
        int64_t ctx = attn_model_config(m).n_ctx, stride = nb < ctx ? nb : ctx;
        st = attn_model_score_windows(m, ids, na + nb, 0, stride, na, na + nb, &nll, &np);
        *ll = -nll;
    }
    free(ids);
    attn_free(a);
    attn_free(b);
    return st;
}

/* The log-likelihoods (nats) of a multiple-choice example's choices: the
 * prompt decoded once in sequence 0 of *ctx, copied into a sequence for each
 * choice, then every choice's tokens in one batch whose logits come back
 * for every entry; the context is made (or grown to more sequences) as
 * needed. An example whose prompt and longest choice pass
 * the model's context, whose choices' logits would pass 128 MB, or of a
 * family without such contexts, is scored choice by choice (choice_ll's
 * windows). */
static attn_status choices_ll(attn_model *m, attn_ctx **ctx, const attn_tokenizer *tok, const char *prompt,
                              const task_doc *d, double *ll) {
    int nc = d->n_choices;
    int32_t *a = NULL, **b = calloc((size_t)nc, sizeof *b), *seqs = NULL, *ids = NULL;
    int64_t na = 0, *nb = calloc((size_t)nc, sizeof *nb), longest = 0, rows = 0;
    float *lg = NULL;
    attn_status st = b && nb ? encode(tok, prompt, &a, &na) : ATTN_ERR_OUT_OF_MEMORY;
    for (int c = 0; c < nc && !st; c++) {
        st = encode(tok, d->choices[c], &b[c], &nb[c]);
        if (!st && (na < 1 || nb[c] < 1)) st = attn_errorf(ATTN_ERR_INVALID_ARG, "an empty context or choice after tokenizing");
        if (!st && nb[c] > longest) longest = nb[c];
        rows += nb[c] - 1;
    }
    int64_t V = attn_model_config(m).vocab_size;
    /* the batch's logits (one row of V per choice token) held to 128 MB: longer choices go one by one */
    bool shared = !st && na + longest <= attn_model_config(m).n_ctx && (rows + 1) * V <= ((int64_t)1 << 25);
    if (shared && (!*ctx || attn_ctx_n_seq(*ctx) < nc)) {
        attn_ctx_free(*ctx);
        *ctx = NULL;
        shared = attn_ctx_new(m, nc, 0, ctx) == ATTN_OK;
    }
    if (!st && !shared) {
        for (int c = 0; c < nc && !st; c++) st = choice_ll(m, tok, prompt, d->choices[c], &ll[c]);
        goto done;
    }
    if (!st && (!(seqs = calloc((size_t)(na > rows ? na : rows) + 1, sizeof *seqs)) ||
                !(ids = malloc(sizeof *ids * (size_t)(rows + 1))) ||
                !(lg = malloc(sizeof *lg * (size_t)((rows + 1) * V)))))
        st = ATTN_ERR_OUT_OF_MEMORY;
    /* the prompt (sequence 0) and the distribution of every choice's first token */
    if (!st) attn_ctx_reset(*ctx);
    if (!st) st = attn_ctx_decode_batch(*ctx, na, seqs, a, lg + rows * V);
    for (int c = 1; c < nc && !st; c++) st = attn_ctx_seq_copy(*ctx, c, 0, na);
    int64_t n = 0;
    for (int c = 0; c < nc && !st; c++)
        for (int64_t j = 0; j + 1 < nb[c]; j++) seqs[n] = c, ids[n++] = b[c][j];
    if (!st && n) st = attn_ctx_decode_batch_all(*ctx, n, seqs, ids, lg);
    for (int c = 0, r = 0; c < nc && !st; c++) {
        /* token j of choice c from the prompt's logits (j = 0) or row r + j - 1 of the batch */
        double sum = 0;
        for (int64_t j = 0; j < nb[c]; j++) {
            float lp;
            attn_logprobs(j ? lg + (r + j - 1) * V : lg + rows * V, V, b[c][j], 0, &lp, NULL, NULL);
            sum += (double)lp;
        }
        ll[c] = sum;
        r += (int)(nb[c] - 1);
    }
done:
    for (int c = 0; b && c < nc; c++) attn_free(b[c]);
    free(b);
    free(nb);
    attn_free(a);
    free(seqs);
    free(ids);
    free(lg);
    return st;
}

/* Greedy continuation of prompt up to max_new tokens, cut at the first newline. */
static attn_status greedy(attn_model *m, const attn_tokenizer *tok, const char *prompt, int64_t max_new, char **out) {
    *out = NULL;
    attn_sampler_params sp = attn_sampler_default_params();
    sp.temperature = 0;
    sp.max_new_tokens = max_new;
    sp.stop_token = attn_tokenizer_eot(tok);
    attn_gen *g = NULL;
    int32_t *ids = NULL, *gen = NULL;
    int64_t n = 0, ng = 0;
    attn_status st = encode(tok, prompt, &ids, &n);
    if (!st) st = attn_gen_new(m, &sp, &g);
    if (!st) st = attn_gen_start(g, ids, n);
    if (!st && !(gen = malloc(sizeof *gen * (size_t)(max_new + 1)))) st = ATTN_ERR_OUT_OF_MEMORY;
    int32_t eot = attn_tokenizer_eot(tok);
    while (!st && ng < max_new) {
        int32_t t;
        if ((st = attn_gen_next(g, &t)) != ATTN_OK) {
            if (st == ATTN_DONE) st = ATTN_OK;
            break;
        }
        if (t == eot) break;
        gen[ng++] = t;
        char *txt = NULL;
        size_t tl = 0;
        if ((st = attn_tokenizer_decode(tok, gen, ng, &txt, &tl)) != ATTN_OK) break;
        bool nl = memchr(txt, '\n', tl) != NULL;
        attn_free(txt);
        if (nl) break;
    }
    if (!st) {
        size_t tl = 0;
        st = attn_tokenizer_decode(tok, gen, ng, out, &tl);
        if (!st) (*out)[strcspn(*out, "\n")] = 0;
    }
    free(gen);
    attn_free(ids);
    attn_gen_free(g);
    return st;
}

static bool same_trimmed(const char *a, const char *b) {
    while (*a == ' ' || *a == '\t') a++;
    while (*b == ' ' || *b == '\t') b++;
    size_t na = strlen(a), nb = strlen(b);
    while (na && (a[na - 1] == ' ' || a[na - 1] == '\t' || a[na - 1] == '\r')) na--;
    while (nb && (b[nb - 1] == ' ' || b[nb - 1] == '\t' || b[nb - 1] == '\r')) nb--;
    return na == nb && !memcmp(a, b, na);
}

/* the sample standard error of a proportion, as lm-evaluation-harness reports it (0 for one example) */
static double stderr_of(double p, int64_t n) { return n > 1 ? sqrt(p * (1 - p) / (double)(n - 1)) : 0.0; }

int cmd_eval(int argc, char **argv) {
    const char *model_dir = NULL, *train_path = NULL, *samples_path = NULL;
    int64_t shots = 0, limit = 0, max_new = 32;
    uint64_t seed = 1234;
    bool json = false;
    long long threads = 0;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "PATH", &model_dir, "a decoder's model directory")},
        {CLI_INT("--shots", "-k", "N", &shots, 0, 1000, "examples before each question, drawn with --seed")},
        {CLI_STR("--train", NULL, "FILE", &train_path,
                 "draw the shots from this task file (default: the task's other examples)")},
        {CLI_INT("--seed", NULL, "N", &seed, 0, LLONG_MAX, "seed of the shots' draw")},
        {CLI_INT("--limit", NULL, "N", &limit, 0, 100000000, "the first N examples of each task (0: all)")},
        {CLI_INT("--max-tokens", "-n", "N", &max_new, 1, 4096, "generation tasks: tokens to generate at most")},
        {CLI_FLAG("--json", NULL, &json, "one JSON object per task instead of the table")},
        {CLI_STR("--samples", NULL, "FILE", &samples_path,
                 "write every example as a JSON line: task, doc, prompt, the choices' log-likelihoods (ll, nats) or "
                 "the output, pred, correct")},
        {CLI_THREADS(&threads)},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn eval -m MODEL TASK.jsonl... [--shots K] [--train FILE] [--seed N] [--limit N] [--json]",
        "Evaluates a decoder on tasks in the manner of lm-evaluation-harness. A task file holds one\n"
        "JSON object per line: multiple choice {\"context\": TEXT, \"choices\": [TEXT, ...], \"answer\":\n"
        "INDEX}, each choice scored by its log-likelihood after the prompt (acc) and per byte of\n"
        "the choice (acc_norm); or generation {\"context\": TEXT, \"answer\": TEXT}, the greedy\n"
        "continuation up to a newline compared with the answer (exact match, spaces at the ends\n"
        "ignored). The prompt is K shots, each a context, its answer and a blank line, then the\n"
        "question's context; a choice follows its context directly (put a leading space in the\n"
        "choices where words need one). Prints accuracy and its standard error per task.",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (!model_dir) return cli_usage_error("-m MODEL is required (see attn eval --help)");
    if (n_pos < 1) return cli_usage_error("give at least one TASK.jsonl");
    if ((r = cli_set_threads(threads)) != 0) return r;
    attn_model *m = NULL;
    attn_tokenizer *tok = NULL;
    task pool = {0}, t = {0};
    char *prompt = NULL, *out = NULL;
    attn_ctx *ctx = NULL;
    double lls_buf[64]; /* a task's choices: at most 64 */
    cli_atomic samples = {0};
    attn_status st = attn_model_load(model_dir, &m);
    if (!st) st = attn_tokenizer_load(model_dir, &tok);
    if (!st && train_path) st = task_read(train_path, &pool);
    if (!st && samples_path) st = cli_atomic_open(&samples, samples_path);
    if (st) goto fail;
    if (!json) printf("%-28s %5s %6s %8s %8s %8s %8s\n", "task", "shots", "n", "acc", "stderr", "acc_norm", "stderr");
    for (int f = 1; f <= n_pos; f++) {
        if ((st = task_read(argv[f], &t))) goto fail;
        const task *pl = train_path ? &pool : &t;
        int64_t n = limit && limit < t.n ? limit : t.n, right = 0, right_norm = 0;
        bool mc = t.docs[0].choices != NULL;
        for (int64_t i = 0; i < n; i++) {
            const task_doc *d = &t.docs[i];
            if (!(prompt = build_prompt(&t, i, pl, !train_path, shots, seed))) {
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto fail;
            }
            cJSON *sample = samples.f ? cJSON_CreateObject() : NULL, *lls = NULL;
            if (sample) {
                cJSON_AddStringToObject(sample, "task", argv[f]);
                cJSON_AddNumberToObject(sample, "doc", (double)i);
                cJSON_AddStringToObject(sample, "prompt", prompt);
                if (mc) lls = cJSON_AddArrayToObject(sample, "ll");
            }
            bool correct;
            if (mc) {
                int best = 0, best_norm = 0;
                double bl = -INFINITY, bn = -INFINITY;
                if ((st = choices_ll(m, &ctx, tok, prompt, d, lls_buf))) {
                    char why[1024];
                    snprintf(why, sizeof why, "%s", attn_last_error());
                    st = attn_errorf(st, "%s: example %lld: %s", argv[f], (long long)i + 1, why);
                    cJSON_Delete(sample);
                    goto fail;
                }
                for (int c = 0; c < d->n_choices; c++) {
                    double ll = lls_buf[c];
                    if (lls) cJSON_AddItemToArray(lls, cJSON_CreateNumber(ll));
                    double norm = ll / (double)strlen(d->choices[c]);
                    if (ll > bl) bl = ll, best = c;
                    if (norm > bn) bn = norm, best_norm = c;
                }
                correct = best == d->answer;
                right += correct;
                right_norm += best_norm == d->answer;
                if (sample) cJSON_AddNumberToObject(sample, "pred", best);
            } else {
                if ((st = greedy(m, tok, prompt, max_new, &out))) {
                    cJSON_Delete(sample);
                    goto fail;
                }
                correct = same_trimmed(out, d->target);
                right += correct;
                if (sample) cJSON_AddStringToObject(sample, "output", out);
                attn_free(out);
                out = NULL;
            }
            if (sample) {
                cJSON_AddBoolToObject(sample, "correct", correct);
                char *s = cJSON_PrintUnformatted(sample);
                cJSON_Delete(sample);
                if (!s) {
                    st = ATTN_ERR_OUT_OF_MEMORY;
                    goto fail;
                }
                fprintf(samples.f, "%s\n", s);
                cJSON_free(s);
            }
            free(prompt);
            prompt = NULL;
        }
        double acc = (double)right / (double)n, accn = (double)right_norm / (double)n;
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "task", argv[f]);
            cJSON_AddStringToObject(o, "type", mc ? "multiple_choice" : "generation");
            cJSON_AddNumberToObject(o, "shots", (double)shots);
            cJSON_AddNumberToObject(o, "n", (double)n);
            cJSON_AddNumberToObject(o, "acc", acc);
            cJSON_AddNumberToObject(o, "acc_stderr", stderr_of(acc, n));
            if (mc) {
                cJSON_AddNumberToObject(o, "acc_norm", accn);
                cJSON_AddNumberToObject(o, "acc_norm_stderr", stderr_of(accn, n));
            }
            char *s = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            if (!s) {
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto fail;
            }
            printf("%s\n", s);
            cJSON_free(s);
        } else if (mc)
            printf("%-28s %5lld %6lld %8.4f %8.4f %8.4f %8.4f\n", argv[f], (long long)shots, (long long)n, acc,
                   stderr_of(acc, n), accn, stderr_of(accn, n));
        else
            printf("%-28s %5lld %6lld %8.4f %8.4f %8s %8s\n", argv[f], (long long)shots, (long long)n, acc,
                   stderr_of(acc, n), "-", "-");
        task_free(&t);
    }
    if ((st = cli_stdout_check())) goto fail;
    if (samples.f && (st = cli_atomic_commit(&samples))) {
        samples.f = NULL;
        goto fail;
    }
    task_free(&pool);
    attn_ctx_free(ctx);
    attn_tokenizer_free(tok);
    attn_model_free(m);
    return 0;
fail:
    if (samples.f) cli_atomic_abort(&samples);
    free(prompt);
    attn_free(out);
    task_free(&t);
    task_free(&pool);
    attn_ctx_free(ctx);
    attn_tokenizer_free(tok);
    attn_model_free(m);
    return cli_fail(cli_command, st, NULL);
}
