/* attn rollout — sample completions of prompts from a policy and score
 * each: a sentiment lexicon's score of the completion (VADER's compound,
 * src/eval/sentiment.c), a reward model's score of prompt + completion (the
 * text made and encoded as attn reward makes it), and the policy's and a
 * reference model's log-probabilities of the completion's tokens. With
 * temperature 1 and no top-k / top-p, the mean over samples of the
 * log-probability difference estimates KL(policy || reference) per
 * completion, the x axis of the reward-KL frontier of RLHF papers. With
 * --pairs-out, each prompt's highest- and lowest-scored completions become
 * a preference pair, as the DPO paper makes its sentiment data. */
#include "cli.h"

#include "attn/chat_data.h"
#include "attn/encoder.h"
#include "attn/eval.h"
#include "attn/generate.h"
#include "attn/model.h"
#include "attn/rerank.h"
#include "attn/tokenizer.h"

#include <cJSON.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A mean and its standard error. */
typedef struct stat {
    double s, ss;
    int64_t n;
} stat;

static void stat_add(stat *a, double x) {
    a->s += x;
    a->ss += x * x;
    a->n++;
}

static double stat_mean(const stat *a) { return a->n ? a->s / (double)a->n : (double)NAN; }

static double stat_se(const stat *a) {
    if (a->n < 2) return (double)NAN;
    double m = a->s / (double)a->n, v = (a->ss - (double)a->n * m * m) / (double)(a->n - 1);
    return sqrt((v > 0 ? v : 0) / (double)a->n);
}

/* The policy: its model, tokenizer, chat template and the template's tokens. */
typedef struct side {
    attn_model *m;
    attn_tokenizer *tok;
    attn_chat_template *tmpl;
    char *src, *bos, *eos;
} side;

/* st with "what: " before the last error's message. */
static attn_status prefixed(attn_status st, const char *what) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s: %s", what, attn_last_error());
    return attn_errorf(st, "%s", msg);
}

/* A sampling seed for completion j of prompt i (splitmix64 of the three). */
static uint64_t sample_seed(uint64_t seed, uint64_t i, uint64_t j) {
    uint64_t x = seed;
    for (int k = 0; k < 2; k++) {
        x += (k ? j : i) + 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        x ^= x >> 31;
    }
    return x;
}

static attn_status side_open(const char *dir, side *s) {
    attn_status st = attn_model_load(dir, &s->m);
    if (!st) st = attn_tokenizer_load(dir, &s->tok);
    if (!st) st = attn_chat_template_find(dir, &s->src, &s->bos, &s->eos);
    const char *tsrc = s->src ? s->src : attn_chat_default_template();
    if (!st) st = attn_chat_template_parse(dir, tsrc, strlen(tsrc), &s->tmpl);
    return st ? prefixed(st, dir) : ATTN_OK;
}

static void side_close(side *s) {
    attn_chat_template_free(s->tmpl);
    attn_free(s->src);
    attn_free(s->bos);
    attn_free(s->eos);
    attn_tokenizer_free(s->tok);
    attn_model_free(s->m);
}

/* Completions sampled and scored together: each chunk of this many rows is
 * one attn_gen_batch call and one forward per scoring model. */
enum { ROLL_ROWS = 64 };

/* out[r]: the log-probability of row r's completion, seqs[r][np[r] .. np[r] + nc[r]),
 * given the tokens before each, summed (n rows of T tokens, padded on the right);
 * one attn_model_logits forward over as many rows as 2^25 logits hold. */
static attn_status completion_logprobs(attn_model *m, const int32_t *seqs, int64_t n, int64_t T, const int64_t *np,
                                       const int64_t *nc, double *out) {
    int64_t V = attn_model_config(m).vocab_size, per = ((int64_t)1 << 25) / (T * V);
    if (per < 1) per = 1;
    float *logits = attn_malloc((size_t)((n < per ? n : per) * T * V) * sizeof *logits);
    if (!logits) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    for (int64_t r0 = 0; r0 < n && !st; r0 += per) {
        int64_t B = n - r0 < per ? n - r0 : per;
        if ((st = attn_model_logits(m, seqs + r0 * T, B, T, logits)) != ATTN_OK) break;
        for (int64_t b = 0; b < B; b++) {
            int64_t r = r0 + b;
            const int32_t *ids = seqs + r * T;
            double sum = 0;
            for (int64_t t = np[r]; t < np[r] + nc[r]; t++) { /* token t from the logits at t - 1 */
                float lp = 0;
                attn_logprobs(logits + (b * T + t - 1) * V, V, ids[t], 0, &lp, NULL, NULL);
                sum += (double)lp;
            }
            out[r] = sum;
        }
    }
    attn_free(logits);
    return st;
}

/* The reward model's score of e's prompt with the completion text (as attn train --objective reward scores it). */
static attn_status reward_of(attn_reward_scorer *rm, const attn_chat_example *e, const char *completion, double *out) {
    float r = 0;
    attn_status st = e->plain ? attn_reward_scorer_score_plain(rm, e->prompt.m[0].content, completion, &r)
                              : attn_reward_scorer_score(rm, e->prompt.m, (size_t)e->prompt.n, completion, &r);
    *out = (double)r;
    return st;
}

/* One completion and its scores. */
typedef struct sample {
    char *text;            /* valid UTF-8, the stop token left out */
    int64_t tokens;
    double lexicon, reward, logp, ref_logp;
} sample;

static bool add_number(cJSON *o, const char *k, double v) { return isfinite(v) ? cJSON_AddNumberToObject(o, k, v) != NULL : true; }

/* Writes o as one JSON line when ok (every item was added) and frees it. */
static attn_status put_line(FILE *f, cJSON *o, bool ok) {
    char *p = ok && o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!p) return ATTN_ERR_OUT_OF_MEMORY;
    fprintf(f, "%s\n", p);
    cJSON_free(p);
    return ATTN_OK;
}

static attn_status write_sample(FILE *f, int64_t line, int64_t j, const sample *s, bool lex, bool rew, bool ref) {
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "prompt_line", (double)line) && cJSON_AddNumberToObject(o, "sample", (double)j) &&
              cJSON_AddStringToObject(o, "completion", s->text) && cJSON_AddNumberToObject(o, "tokens", (double)s->tokens) &&
              add_number(o, "logp", s->logp);
    if (ok && lex) ok = add_number(o, "lexicon", s->lexicon);
    if (ok && rew) ok = add_number(o, "reward", s->reward);
    if (ok && ref) ok = add_number(o, "ref_logp", s->ref_logp) && add_number(o, "kl", s->logp - s->ref_logp);
    return put_line(f, o, ok);
}

/* The pair (chosen hi, rejected lo) of e's completions. */
static attn_status write_pair(FILE *f, const attn_chat_example *e, const sample *hi, const sample *lo) {
    cJSON *o = cJSON_CreateObject(), *p = NULL;
    bool ok = o != NULL;
    if (ok && e->plain) {
        ok = cJSON_AddStringToObject(o, "prompt", e->prompt.m[0].content) && cJSON_AddStringToObject(o, "chosen", hi->text) &&
             cJSON_AddStringToObject(o, "rejected", lo->text);
    } else if (ok) {
        ok = (p = cJSON_AddArrayToObject(o, "prompt")) != NULL;
        for (int64_t i = 0; ok && i < e->prompt.n; i++) {
            cJSON *m = cJSON_CreateObject();
            ok = m && cJSON_AddItemToArray(p, m) && cJSON_AddStringToObject(m, "role", e->prompt.m[i].role) &&
                 cJSON_AddStringToObject(m, "content", e->prompt.m[i].content);
        }
        const sample *side_of[2] = {hi, lo};
        const char *keys[2] = {"chosen", "rejected"};
        for (int w = 0; ok && w < 2; w++) {
            cJSON *a = cJSON_AddArrayToObject(o, keys[w]), *m = cJSON_CreateObject();
            ok = a && m && cJSON_AddItemToArray(a, m) && cJSON_AddStringToObject(m, "role", "assistant") &&
                 cJSON_AddStringToObject(m, "content", side_of[w]->text);
        }
    }
    return put_line(f, o, ok);
}

static double key_of(const sample *x, bool by_lexicon) { return by_lexicon ? x->lexicon : x->reward; }

/* The pairs of k samples: the highest- and the lowest-scored one, or with
 * all every two whose scores differ (the higher chosen); scores closer than
 * gap make no pair. */
static attn_status write_pairs(FILE *f, const attn_chat_example *e, const sample *s, int64_t k, bool by_lexicon, bool all,
                               double gap) {
    attn_status st = ATTN_OK;
    if (all) {
        for (int64_t a = 0; a < k && !st; a++)
            for (int64_t b = a + 1; b < k && !st; b++) {
                double d = key_of(&s[a], by_lexicon) - key_of(&s[b], by_lexicon);
                if (d != 0 && fabs(d) >= gap) st = d > 0 ? write_pair(f, e, &s[a], &s[b]) : write_pair(f, e, &s[b], &s[a]);
            }
        return st;
    }
    int64_t hi = 0, lo = 0;
    for (int64_t j = 1; j < k; j++) {
        if (key_of(&s[j], by_lexicon) > key_of(&s[hi], by_lexicon)) hi = j;
        if (key_of(&s[j], by_lexicon) < key_of(&s[lo], by_lexicon)) lo = j;
    }
    double d = key_of(&s[hi], by_lexicon) - key_of(&s[lo], by_lexicon);
    return d != 0 && d >= gap ? write_pair(f, e, &s[hi], &s[lo]) : ATTN_OK;
}

int cmd_rollout(int argc, char **argv) {
    const char *model_dir = NULL, *prompts = NULL, *ref_dir = NULL, *rm_dir = NULL, *lex_path = NULL, *out_path = NULL,
               *pairs_path = NULL;
    long long samples = 1, threads = 0;
    bool pairs_all = false;
    double pairs_gap = 0;
    attn_sampler_params sp = attn_sampler_default_params();
    sp.temperature = 1.0f;
    sp.max_new_tokens = 32;
    const cli_option options[] = {
        {CLI_STR("--model", "-m", "DIR", &model_dir, "the policy (a decoder)")},
        {CLI_STR("--prompts", NULL, "FILE", &prompts,
                 "prompt-only JSON lines: {\"prompt\": \"text\"} is continued as plain text; a message list "
                 "({\"prompt\": [...]} or {\"messages\": [...]}) is rendered with the model's chat template and its "
                 "generation prompt")},
        {CLI_INT("--samples", "-k", "K", &samples, 1, 1 << 20, "completions per prompt")},
        {CLI_INT("--max-new", NULL, "N", &sp.max_new_tokens, 1, CLI_MAX_LEN, "tokens per completion at most")},
        {CLI_FLOAT("--temperature", "-t", "X", &sp.temperature, 0, FLT_MAX, CLI_CLOSED,
                   "sampling temperature (1 and no top-k / top-p: the model's own distribution, which the KL estimate needs)")},
        {CLI_INT("--top-k", NULL, "N", &sp.top_k, 0, INT32_MAX, "sample among the N most likely tokens, 0 = all")},
        {CLI_FLOAT("--top-p", NULL, "X", &sp.top_p, 0, 1, CLI_MIN_OPEN, "nucleus sampling mass, 1 = off")},
        {CLI_INT("--seed", NULL, "N", &sp.seed, 0, LLONG_MAX,
                 "sampling seed (completion j of prompt i draws from (seed, i, j): the same whatever -k and the prompts "
                 "around it, up to the rounding of decoding 64 completions at once)")},
        {CLI_STR("--ref", NULL, "DIR", &ref_dir,
                 "a reference model with the policy's vocabulary: each completion's log-probability under it, and the "
                 "difference (kl); the mean difference estimates KL(policy || reference)")},
        {CLI_STR("--reward", NULL, "DIR", &rm_dir, "a reward model (attn train --objective reward): its score of prompt + completion")},
        {CLI_STR("--lexicon", NULL, "FILE", &lex_path,
                 "a sentiment lexicon (WORD<TAB>VALENCE lines, e.g. data/sentiment/vader_lexicon.tsv): the completion's "
                 "VADER compound score in [-1, 1]")},
        {CLI_STR("--out", "-o", "FILE", &out_path, "write each completion and its scores as a JSON line (atomically)")},
        {CLI_STR("--pairs-out", NULL, "FILE", &pairs_path,
                 "write each prompt's best and worst completion by --lexicon (else --reward) as a preference pair "
                 "({\"prompt\", \"chosen\", \"rejected\"}; prompts whose completions all score the same are left out)")},
        {CLI_FLAG("--pairs-all", NULL, &pairs_all,
                  "--pairs-out writes every two completions of a prompt whose scores differ (the higher chosen), "
                  "not only the best and the worst")},
        {CLI_FLOAT("--pairs-gap", NULL, "X", &pairs_gap, 0, 1e9, CLI_CLOSED,
                   "--pairs-out leaves out two completions whose scores differ by less than X")},
        {CLI_THREADS(&threads)},
        CLI_END,
    };
    const cli_spec spec = {
        "usage: attn rollout -m POLICY --prompts FILE [--ref MODEL] [--reward RM] [--lexicon FILE] [-k K] [-o OUT.jsonl]\n"
        "                    [--pairs-out PAIRS.jsonl] [options]",
        "Samples K completions of each prompt with the KV cache, 64 completions decoded together, each\n"
        "stopping at the end-of-text token or --max-new, and scores them. Prints a JSON summary on\n"
        "stdout: the number of completions, their mean length, and the mean and standard error of each\n"
        "score (lexicon, reward, logp, kl).",
        options, NULL};
    int n_pos, r = cli_parse(&spec, argc, argv, &n_pos);
    if (r != CLI_GO_ON) return r;
    if (n_pos) return cli_usage_error("unexpected argument \"%s\" (see attn rollout --help)", argv[1]);
    if (!model_dir || !prompts) return cli_usage_error("-m POLICY and --prompts FILE are required (see attn rollout --help)");
    if (pairs_path && samples < 2) return cli_usage_error("--pairs-out needs -k 2 or more completions per prompt");
    if (pairs_path && !lex_path && !rm_dir) return cli_usage_error("--pairs-out ranks by --lexicon or --reward: give one");
    if (!pairs_path && (pairs_all || pairs_gap > 0)) return cli_usage_error("--pairs-all and --pairs-gap shape --pairs-out's pairs: give it");
    int r0 = cli_set_threads(threads);
    if (r0) return r0;
    side pol = {0};
    attn_model *ref = NULL;
    attn_reward_scorer *rm = NULL;
    attn_lexicon *lex = NULL;
    attn_chat_data *d = NULL;
    sample *s = NULL;
    int32_t *seq = NULL, **gp = NULL, **rp = NULL, *comp = NULL;
    int64_t *gn = NULL, *rn = NULL, *rc_n = NULL;
    uint64_t *seeds = NULL;
    double *lp = NULL, *ref_lp = NULL;
    cli_atomic out = {0}, pairs = {0};
    stat st_len = {0}, st_lex = {0}, st_rew = {0}, st_lp = {0}, st_kl = {0};
    int rc = 1;
    double t0 = cli_now_s();
    attn_status st;
    if ((st = side_open(model_dir, &pol)) != ATTN_OK) goto fail;
    attn_gpt_config cfg = attn_model_config(pol.m);
    attn_bert_config bc;
    if (attn_model_encoder_config(pol.m, &bc) || cfg.n_ctx < 2) {
        st = attn_errorf(ATTN_ERR_UNSUPPORTED, "%s: attn rollout samples from a decoder (GPT-2, OPT, Llama, BLOOM)", model_dir);
        goto fail;
    }
    if (ref_dir) {
        if ((st = attn_model_load(ref_dir, &ref)) != ATTN_OK) {
            st = prefixed(st, ref_dir);
            goto fail;
        }
        if (attn_model_config(ref).vocab_size != cfg.vocab_size || attn_model_config(ref).n_ctx < cfg.n_ctx) {
            st = attn_errorf(ATTN_ERR_INVALID_ARG, "--ref %s: its vocabulary (%lld) or context (%lld) is not the policy's (%lld, %lld)",
                             ref_dir, (long long)attn_model_config(ref).vocab_size, (long long)attn_model_config(ref).n_ctx,
                             (long long)cfg.vocab_size, (long long)cfg.n_ctx);
            goto fail;
        }
    }
    if (rm_dir && (st = attn_reward_scorer_load(rm_dir, &rm)) != ATTN_OK) {
        st = prefixed(st, "--reward");
        goto fail;
    }
    if (lex_path && (st = attn_lexicon_load(lex_path, &lex)) != ATTN_OK) goto fail;
    if ((st = attn_chat_data_read(prompts, ATTN_CHAT_PROMPTS, &d)) != ATTN_OK) goto fail;
    if (out_path && (st = cli_atomic_open(&out, out_path)) != ATTN_OK) goto fail;
    if (pairs_path && (st = cli_atomic_open(&pairs, pairs_path)) != ATTN_OK) goto fail;
    /* the completions in chunks of ROLL_ROWS rows (completion j of prompt i
     * is row i * samples + j) */
    int64_t M = sp.max_new_tokens, total = d->n * samples;
    int32_t stop = attn_tokenizer_eot(pol.tok);
    sp.stop_token = stop;
    s = calloc((size_t)samples, sizeof *s);
    seq = malloc((size_t)(ROLL_ROWS * cfg.n_ctx) * sizeof *seq);
    gp = calloc(ROLL_ROWS, sizeof *gp);
    gn = calloc(ROLL_ROWS, sizeof *gn);
    rp = calloc(ROLL_ROWS, sizeof *rp);
    rn = calloc(ROLL_ROWS, sizeof *rn);
    rc_n = calloc(ROLL_ROWS, sizeof *rc_n);
    seeds = calloc(ROLL_ROWS, sizeof *seeds);
    lp = calloc(ROLL_ROWS, sizeof *lp);
    ref_lp = calloc(ROLL_ROWS, sizeof *ref_lp);
    comp = calloc((size_t)(ROLL_ROWS * M), sizeof *comp);
    if (!s || !seq || !gp || !gn || !rp || !rn || !rc_n || !seeds || !lp || !ref_lp || !comp) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    for (int64_t q0 = 0; q0 < total; q0 += ROLL_ROWS) {
        int64_t rows = total - q0 < ROLL_ROWS ? total - q0 : ROLL_ROWS, i0 = q0 / samples;
        int64_t ng = (q0 + rows - 1) / samples - i0 + 1;
        for (int64_t g = 0; g < ng; g++) { /* the chunk's prompts */
            const attn_chat_example *e = &d->ex[i0 + g];
            attn_chat_options opt = {true, pol.bos, pol.eos};
            attn_free(gp[g]);
            gp[g] = NULL;
            st = attn_chat_prompt_ids(pol.tmpl, pol.tok, &opt, e, &gp[g], &gn[g]);
            if (!st && gn[g] + M > cfg.n_ctx)
                st = attn_errorf(ATTN_ERR_INVALID_ARG, "the prompt's %lld tokens and --max-new %lld pass the model's %lld positions",
                                 (long long)gn[g], (long long)M, (long long)cfg.n_ctx);
            if (st) {
                char where[512];
                snprintf(where, sizeof where, "%s: line %lld", prompts, (long long)e->line);
                st = prefixed(st, where);
                goto fail;
            }
        }
        for (int64_t k = 0; k < rows; k++) {
            int64_t q = q0 + k, g = q / samples - i0;
            rp[k] = gp[g];
            rn[k] = gn[g];
            seeds[k] = sample_seed(sp.seed, (uint64_t)(q / samples), (uint64_t)(q % samples));
        }
        if ((st = attn_gen_batch(pol.m, &sp, rows, (const int32_t *const *)rp, rn, seeds, comp, rc_n)) != ATTN_OK) goto fail;
        /* the rows as prompt + completion, padded on the right to the longest
         * (causal attention: the padding changes no position before it) */
        int64_t T = 1;
        for (int64_t k = 0; k < rows; k++) T = rn[k] + rc_n[k] > T ? rn[k] + rc_n[k] : T;
        for (int64_t k = 0; k < rows; k++) {
            int32_t *row = seq + k * T;
            memcpy(row, rp[k], (size_t)rn[k] * sizeof *row);
            memcpy(row + rn[k], comp + k * M, (size_t)rc_n[k] * sizeof *row);
            for (int64_t t = rn[k] + rc_n[k]; t < T; t++) row[t] = 0;
        }
        if ((st = completion_logprobs(pol.m, seq, rows, T, rn, rc_n, lp)) != ATTN_OK) goto fail;
        if (ref && (st = completion_logprobs(ref, seq, rows, T, rn, rc_n, ref_lp)) != ATTN_OK) goto fail;
        for (int64_t k = 0; k < rows; k++) {
            int64_t q = q0 + k, j = q % samples, nc = rc_n[k];
            const attn_chat_example *e = &d->ex[q / samples];
            sample *x = &s[j];
            const int32_t *c = comp + k * M;
            int64_t shown = nc > 0 && c[nc - 1] == stop ? nc - 1 : nc;
            char *raw = NULL;
            size_t len = 0;
            if ((st = attn_tokenizer_decode(pol.tok, c, shown, &raw, &len)) != ATTN_OK) goto fail;
            free(x->text);
            x->text = cli_utf8_valid(raw, len);
            attn_free(raw);
            if (!x->text) {
                st = ATTN_ERR_OUT_OF_MEMORY;
                goto fail;
            }
            x->tokens = nc;
            x->lexicon = x->reward = (double)NAN;
            x->logp = lp[k];
            x->ref_logp = ref ? ref_lp[k] : (double)NAN;
            if (lex && (st = attn_lexicon_score(lex, x->text, strlen(x->text), &x->lexicon)) != ATTN_OK) goto fail;
            if (rm && (st = reward_of(rm, e, x->text, &x->reward)) != ATTN_OK) {
                st = prefixed(st, "--reward");
                goto fail;
            }
            stat_add(&st_len, (double)nc);
            stat_add(&st_lp, x->logp);
            if (lex) stat_add(&st_lex, x->lexicon);
            if (rm) stat_add(&st_rew, x->reward);
            if (ref) stat_add(&st_kl, x->logp - x->ref_logp);
            if (out.f && (st = write_sample(out.f, e->line, j, x, lex != NULL, rm != NULL, ref != NULL)) != ATTN_OK) goto fail;
            if (pairs.f && j == samples - 1 && (st = write_pairs(pairs.f, e, s, samples, lex != NULL, pairs_all, pairs_gap)) != ATTN_OK)
                goto fail;
        }
    }
    if (out.f && (st = cli_atomic_commit(&out)) != ATTN_OK) goto fail;
    if (pairs.f && (st = cli_atomic_commit(&pairs)) != ATTN_OK) goto fail;
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "prompts", (double)d->n) && cJSON_AddNumberToObject(o, "completions", (double)st_len.n) &&
              add_number(o, "tokens_mean", stat_mean(&st_len)) && add_number(o, "logp_mean", stat_mean(&st_lp));
    const stat *sts[3] = {&st_lex, &st_rew, &st_kl};
    const char *names[3][2] = {{"lexicon_mean", "lexicon_se"}, {"reward_mean", "reward_se"}, {"kl_mean", "kl_se"}};
    for (int k = 0; ok && k < 3; k++)
        if (sts[k]->n) ok = add_number(o, names[k][0], stat_mean(sts[k])) && add_number(o, names[k][1], stat_se(sts[k]));
    ok = ok && cJSON_AddNumberToObject(o, "seconds", cli_now_s() - t0);
    if ((st = put_line(stdout, o, ok)) != ATTN_OK) goto fail;
    st = cli_stdout_check();
    rc = st ? 1 : 0;
fail:
    if (rc) cli_fail("rollout", st, NULL);
    if (out.f) cli_atomic_abort(&out);
    if (pairs.f) cli_atomic_abort(&pairs);
    for (int64_t j = 0; s && j < samples; j++) free(s[j].text);
    free(s);
    free(seq);
    for (int64_t g = 0; gp && g < ROLL_ROWS; g++) attn_free(gp[g]);
    free(gp);
    free(gn);
    free(rp);
    free(rn);
    free(rc_n);
    free(seeds);
    free(comp);
    free(lp);
    free(ref_lp);
    attn_chat_data_free(d);
    attn_lexicon_free(lex);
    attn_reward_scorer_free(rm);
    attn_model_free(ref);
    side_close(&pol);
    return rc;
}
