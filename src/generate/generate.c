/* generate.c — prefill, KV-cache decoding and sampling (greedy,
 * temperature, top-k, top-p). */
#include "attn/context.h"
#include "attn/generate.h"
#include "models/model_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct attn_sampler {
    attn_sampler_params p;
    int64_t V;
    float *probs;             /* (V) scratch */
    int32_t *order;           /* (V) scratch for top-k / top-p */
    rng_state rng;
};

struct attn_gen {
    attn_model *model;
    attn_sampler_params p;
    attn_sampler *sampler;
    attn_ctx *ctx;            /* one sequence */
    float *logits;            /* (V) of the last position */
    int32_t *window;          /* (n_ctx) the tokens in the cache, in order */
    int64_t n_new;
    bool started, done;
};

attn_sampler_params attn_sampler_default_params(void) {
    attn_sampler_params p;
    p.temperature = 0.8f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.seed = 42;
    p.max_new_tokens = 200;
    p.stop_token = -1;
    return p;
}

attn_status attn_gen_new(attn_model *model, const attn_sampler_params *params, attn_gen **out) {
    *out = NULL;
    if (params->max_new_tokens < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sampler settings out of range (max new tokens >= 0)");
    attn_gen *gen = attn_calloc(1, sizeof *gen);
    if (!gen) return ATTN_ERR_OUT_OF_MEMORY;
    gen->model = model;
    gen->p = *params;
    int64_t V = model->cfg.vocab_size;
    attn_status st = attn_sampler_new(V, params, &gen->sampler);
    if (!st) {
        gen->logits = attn_malloc((size_t)V * sizeof(float));
        gen->window = attn_malloc((size_t)model->cfg.n_ctx * sizeof(int32_t));
        st = gen->logits && gen->window ? attn_ctx_new(model, 1, 0, &gen->ctx) : ATTN_ERR_OUT_OF_MEMORY;
    }
    if (st) {
        attn_gen_free(gen);
        return st;
    }
    *out = gen;
    return ATTN_OK;
}

void attn_gen_free(attn_gen *gen) {
    if (!gen) return;
    attn_ctx_free(gen->ctx);
    attn_sampler_free(gen->sampler);
    attn_free(gen->logits);
    attn_free(gen->window);
    attn_free(gen);
}

static attn_status run(attn_gen *gen, const int32_t *ids, int64_t n) {
    int64_t len = attn_ctx_len(gen->ctx);
    if (ids != gen->window + len) memcpy(gen->window + len, ids, (size_t)n * sizeof *ids);
    return attn_ctx_decode(gen->ctx, ids, n, gen->logits);
}

attn_status attn_gen_start(attn_gen *gen, const int32_t *prompt, int64_t n_prompt) {
    int64_t ctx = gen->model->cfg.n_ctx;
    if (n_prompt < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "the prompt is empty");
    if (n_prompt > ctx) {   /* the last n_ctx tokens; attn_gen_next slides on from there */
        prompt += n_prompt - ctx;
        n_prompt = ctx;
    }
    attn_ctx_reset(gen->ctx);
    gen->n_new = 0;
    gen->done = false;
    /* a failed prompt (an id outside the vocabulary) leaves no logits to
     * sample from: attn_gen_next refuses until a start succeeds */
    attn_status st = run(gen, prompt, n_prompt);
    gen->started = st == ATTN_OK;
    return st;
}

attn_status attn_sampler_new(int64_t V, const attn_sampler_params *params, attn_sampler **out) {
    *out = NULL;
    if (!(params->temperature >= 0) || !isfinite(params->temperature) || params->top_k < 0 ||
        !(params->top_p > 0 && params->top_p <= 1))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sampler settings out of range (temperature >= 0, top-k >= 0, 0 < top-p <= 1)");
    if (V < 1 || V > INT32_MAX) return attn_errorf(ATTN_ERR_INVALID_ARG, "sampler: vocabulary of %lld tokens", (long long)V);
    attn_sampler *s = attn_calloc(1, sizeof *s);
    if (!s) return ATTN_ERR_OUT_OF_MEMORY;
    s->p = *params;
    s->V = V;
    s->probs = attn_malloc((size_t)V * sizeof(float));
    s->order = attn_malloc((size_t)V * sizeof(int32_t));
    if (!s->probs || !s->order) {
        attn_sampler_free(s);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    s->rng.s = params->seed;
    *out = s;
    return ATTN_OK;
}

void attn_sampler_free(attn_sampler *s) {
    if (!s) return;
    attn_free(s->probs);
    attn_free(s->order);
    attn_free(s);
}

static int cmp_prob_desc(const void *a, const void *b, void *ctx) {
    const float *p = ctx;
    float x = p[*(const int32_t *)a], y = p[*(const int32_t *)b];
    if (x != y) return x > y ? -1 : 1;
    return *(const int32_t *)a - *(const int32_t *)b;
}

int32_t attn_sampler_sample(attn_sampler *s, const float *x) {
    int64_t V = s->V;
    int32_t best = 0;
    for (int64_t j = 1; j < V; j++)
        if (x[j] > x[best]) best = (int32_t)j;
    if (s->p.temperature == 0.0f) return best;
    float *p = s->probs;
    double sum = 0;
    for (int64_t j = 0; j < V; j++) {
        p[j] = expf((x[j] - x[best]) / s->p.temperature);
        sum += (double)p[j];
    }
    int64_t n = V;
    int32_t *ord = s->order;
    for (int64_t j = 0; j < V; j++) ord[j] = (int32_t)j;
    if (s->p.top_k > 0 || s->p.top_p < 1.0f) {
        qsort_r(ord, (size_t)V, sizeof *ord, cmp_prob_desc, p);
        if (s->p.top_k > 0 && s->p.top_k < n) n = s->p.top_k;
        double mass = 0, kept = 0;
        for (int64_t i = 0; i < n; i++) kept += (double)p[ord[i]];
        if (s->p.top_p < 1.0f) {
            int64_t k = 0;
            while (k < n) {
                mass += (double)p[ord[k++]];
                if (mass >= (double)s->p.top_p * kept) break;
            }
            n = k;
        }
        sum = 0;
        for (int64_t i = 0; i < n; i++) sum += (double)p[ord[i]];
    }
    double r = (double)rng_next_float(&s->rng) * sum, acc = 0;
    for (int64_t i = 0; i < n; i++) {
        acc += (double)p[ord[i]];
        if (r < acc) return ord[i];
    }
    return ord[n - 1];
}

void attn_logprobs(const float *x, int64_t V, int32_t token, int32_t k, float *token_lp, int32_t *top_ids,
                   float *top_lps) {
    float mx = x[0];
    for (int64_t j = 1; j < V; j++)
        if (x[j] > mx) mx = x[j];
    double sum = 0;
    for (int64_t j = 0; j < V; j++) sum += exp((double)(x[j] - mx));
    double lse = (double)mx + log(sum);
    if (token_lp) *token_lp = token >= 0 && token < V ? (float)((double)x[token] - lse) : -INFINITY;
    if (k > V) k = (int32_t)V;
    /* the k largest by insertion into a sorted list: k is small (<= 20) */
    int32_t n = 0;
    for (int64_t j = 0; j < V && k > 0; j++) {
        if (n == k && !(x[j] > x[top_ids[n - 1]])) continue;
        int32_t i = n < k ? n++ : n - 1;
        while (i > 0 && x[j] > x[top_ids[i - 1]]) {
            top_ids[i] = top_ids[i - 1];
            i--;
        }
        top_ids[i] = (int32_t)j;
    }
    for (int32_t i = 0; i < n; i++) top_lps[i] = (float)((double)x[top_ids[i]] - lse);
}

size_t attn_stop_scan(const char *text, size_t len, const char *const *stops, size_t n, bool *hit) {
    size_t first = len, hold = 0;
    *hit = false;
    for (size_t i = 0; i < n; i++) {
        size_t sl = strlen(stops[i]);
        if (!sl) continue;
        const char *at = sl <= len ? memmem(text, len, stops[i], sl) : NULL;
        if (at && (size_t)(at - text) < first) {
            first = (size_t)(at - text);
            *hit = true;
        }
        /* the longest tail of text that is a proper prefix of this stop string */
        size_t m = sl - 1 < len ? sl - 1 : len;
        for (; m > hold; m--)
            if (!memcmp(text + len - m, stops[i], m)) break;
        if (m > hold) hold = m;
    }
    return *hit ? first : len - hold;
}

attn_status attn_gen_next(attn_gen *gen, int32_t *token) {
    if (!gen->started) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gen_next before attn_gen_start");
    if (gen->done || gen->n_new >= gen->p.max_new_tokens) return ATTN_DONE;
    int32_t t = attn_sampler_sample(gen->sampler, gen->logits);
    *token = t;
    gen->n_new++;
    if (t == gen->p.stop_token) {
        gen->done = true;
        return ATTN_OK;
    }
    /* feed it back unless this was the last token we may produce */
    if (gen->n_new < gen->p.max_new_tokens) {
        attn_status st;
        int64_t ctx = gen->model->cfg.n_ctx;
        if (attn_ctx_len(gen->ctx) >= ctx) {
            /* the context is full: keep its second half, recompute the
             * cache for it from position 0 (learned positions see a window
             * as they did in training), then go on */
            int64_t keep = ctx / 2;
            memmove(gen->window, gen->window + ctx - keep, (size_t)keep * sizeof *gen->window);
            attn_ctx_reset(gen->ctx);
            gen->window[keep] = t;
            st = run(gen, gen->window, keep + 1);
        } else {
            st = run(gen, &t, 1);
        }
        if (st) gen->started = false; /* the cache and logits are stale: start again */
        return st;
    }
    return ATTN_OK;
}

/* ---- continuing a sequence (a conversation's next turn) ------------------ */

attn_status attn_gen_extend(attn_gen *gen, const int32_t *tokens, int64_t n) {
    if (!gen->started) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gen_extend before attn_gen_start");
    if (n < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "nothing to extend the sequence with");
    int64_t len = attn_ctx_len(gen->ctx), ctx = gen->model->cfg.n_ctx;
    if (n > ctx - len)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%lld more tokens do not fit beside the %lld in the cache (context %lld)",
                           (long long)n, (long long)len, (long long)ctx);
    gen->n_new = 0;
    gen->done = false;
    attn_status st = run(gen, tokens, n);
    gen->started = st == ATTN_OK;
    return st;
}

attn_status attn_gen_resume(attn_gen *gen, const int32_t *prompt, int64_t n_prompt, int64_t *reused) {
    if (reused) *reused = 0;
    int64_t have = gen->started ? attn_ctx_len(gen->ctx) : 0, k = 0;
    if (n_prompt <= gen->model->cfg.n_ctx)
        while (k < have && k < n_prompt - 1 && gen->window[k] == prompt[k]) k++;
    if (k == 0 || attn_ctx_seq_keep(gen->ctx, 0, k)) return attn_gen_start(gen, prompt, n_prompt);
    gen->n_new = 0;
    gen->done = false;
    attn_status st = run(gen, prompt + k, n_prompt - k);
    gen->started = st == ATTN_OK;
    if (!st && reused) *reused = k;
    return st;
}

const int32_t *attn_gen_tokens(const attn_gen *gen, int64_t *n) {
    *n = gen->started ? attn_ctx_len(gen->ctx) : 0;
    return gen->window;
}

/* ---- many completions at once ---------------------------------------------- */

/* Sequences decoded together in one context, at most; and the key/value
 * cache a group may hold (the group shrinks for long rows or wide models). */
enum { GEN_BATCH_ROWS = 64, GEN_BATCH_PREFILL = 512 };
#define GEN_BATCH_CACHE_BYTES ((size_t)256 << 20)

static attn_status gen_alone(attn_model *m, const attn_sampler_params *p, uint64_t seed, const int32_t *prompt,
                             int64_t np, int32_t *out, int64_t *n) {
    attn_sampler_params q = *p;
    q.seed = seed;
    attn_gen *gen = NULL;
    attn_status st = attn_gen_new(m, &q, &gen);
    if (!st) st = attn_gen_start(gen, prompt, np);
    while (!st) {
        int32_t t;
        if ((st = attn_gen_next(gen, &t)) == ATTN_OK) out[(*n)++] = t;
    }
    attn_gen_free(gen);
    return st == ATTN_DONE ? ATTN_OK : st;
}

/* Rows idx[0..k) side by side in one context of max_len positions. */
static attn_status gen_group(attn_model *m, const attn_sampler_params *p, int64_t k, const int64_t *idx, int64_t max_len,
                             const int32_t *const *prompts, const int64_t *n_prompt, const uint64_t *seeds, int32_t *out,
                             int64_t *n_out) {
    int64_t V = m->cfg.vocab_size, M = p->max_new_tokens;
    attn_ctx *ctx = NULL;
    attn_sampler **smp = attn_calloc((size_t)k, sizeof *smp);
    float *logits = attn_malloc((size_t)k * (size_t)V * sizeof *logits);
    int32_t *seqs = attn_malloc(GEN_BATCH_PREFILL * sizeof *seqs), *toks = attn_malloc(GEN_BATCH_PREFILL * sizeof *toks);
    int64_t *row = attn_malloc((size_t)k * sizeof *row); /* each sequence's logits row, -1: finished */
    attn_status st = smp && logits && seqs && toks && row ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    if (!st) st = attn_ctx_new(m, k, max_len, &ctx);
    for (int64_t j = 0; j < k && !st; j++) {
        attn_sampler_params q = *p;
        q.seed = seeds[idx[j]];
        st = attn_sampler_new(V, &q, &smp[j]);
    }
    /* the prompts, in calls of at most GEN_BATCH_PREFILL tokens; a prompt
     * may span calls, and its logits come from the call that ends it */
    int64_t j = 0, done = 0;
    while (!st && j < k) {
        int64_t n = 0, runs = 0;
        int64_t ends[GEN_BATCH_PREFILL]; /* the sequence whose prompt a run ends, else -1 */
        while (j < k && n < GEN_BATCH_PREFILL) {
            int64_t np = n_prompt[idx[j]], take = np - done;
            if (take > GEN_BATCH_PREFILL - n) take = GEN_BATCH_PREFILL - n;
            for (int64_t t = 0; t < take; t++) {
                seqs[n + t] = (int32_t)j;
                toks[n + t] = prompts[idx[j]][done + t];
            }
            n += take;
            done += take;
            ends[runs++] = done == np ? j : -1;
            if (done == np) {
                j++;
                done = 0;
            }
        }
        /* the runs' logits land in rows [0, runs) of a scratch past the
         * kept rows: a call's last runs may need rows kept ones hold */
        float *scratch = attn_malloc((size_t)runs * (size_t)V * sizeof *scratch);
        st = scratch ? attn_ctx_decode_batch(ctx, n, seqs, toks, scratch) : ATTN_ERR_OUT_OF_MEMORY;
        for (int64_t r = 0; r < runs && !st; r++)
            if (ends[r] >= 0) {
                memcpy(logits + ends[r] * V, scratch + r * V, (size_t)V * sizeof *logits);
                row[ends[r]] = ends[r];
            }
        attn_free(scratch);
    }
    /* then one token per unfinished sequence per step */
    int64_t live = k;
    while (!st && live > 0) {
        int64_t n = 0;
        for (int64_t s = 0; s < k; s++) {
            if (row[s] < 0) continue;
            int64_t i = idx[s];
            int32_t t = attn_sampler_sample(smp[s], logits + row[s] * V);
            out[i * M + n_out[i]++] = t;
            if (t == p->stop_token || n_out[i] >= M) {
                row[s] = -1;
                live--;
                continue;
            }
            seqs[n] = (int32_t)s;
            toks[n++] = t;
        }
        if (n == 0) break;
        /* rows [0, n) in the order of seqs; a finished sequence's row is
         * not read again, so the buffer is reused in place */
        st = attn_ctx_decode_batch(ctx, n, seqs, toks, logits);
        for (int64_t r = 0; r < n && !st; r++) row[seqs[r]] = r;
    }
    if (smp)
        for (int64_t s = 0; s < k; s++) attn_sampler_free(smp[s]);
    attn_free(smp);
    attn_ctx_free(ctx);
    attn_free(logits);
    attn_free(seqs);
    attn_free(toks);
    attn_free(row);
    return st;
}

attn_status attn_gen_batch(attn_model *model, const attn_sampler_params *params, int64_t n, const int32_t *const *prompts,
                           const int64_t *n_prompt, const uint64_t *seeds, int32_t *out, int64_t *n_out) {
    if (n < 0 || (n > 0 && (!prompts || !n_prompt || !seeds || !out || !n_out)))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gen_batch: %lld rows without their arrays", (long long)n);
    if (params->max_new_tokens < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sampler settings out of range (max new tokens >= 0)");
    attn_sampler *check = NULL; /* the settings' own checks, before any work */
    attn_status st = attn_sampler_new(model->cfg.vocab_size, params, &check);
    attn_sampler_free(check);
    if (st) return st;
    for (int64_t i = 0; i < n; i++) {
        n_out[i] = 0;
        if (n_prompt[i] < 1 || !prompts[i]) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gen_batch: the prompt of row %lld is empty", (long long)i);
    }
    int64_t M = params->max_new_tokens, ctx = model->cfg.n_ctx;
    if (M == 0 || n == 0) return ATTN_OK;
    bool batches = model_families[model->kind].forward != NULL;
    int64_t width = model->kv_width ? model->kv_width : 2 * model->cfg.n_embd;
    size_t per_pos = (size_t)model->cfg.n_layer * (size_t)width * sizeof(float);
    int64_t *idx = attn_malloc((size_t)(n < GEN_BATCH_ROWS ? n : GEN_BATCH_ROWS) * sizeof *idx);
    if (!idx) return ATTN_ERR_OUT_OF_MEMORY;
    /* rows whose prompt and completion fit the context go in groups; the
     * others slide a window through attn_gen alone */
    int64_t k = 0, max_len = 0;
    for (int64_t i = 0; i < n && !st; i++) {
        int64_t need = n_prompt[i] + M - 1;
        if (!batches || need > ctx) {
            st = gen_alone(model, params, seeds[i], prompts[i], n_prompt[i], out + i * M, &n_out[i]);
            continue;
        }
        int64_t len = need > max_len ? need : max_len;
        if (k == GEN_BATCH_ROWS || (k > 0 && per_pos * (size_t)len * (size_t)(k + 1) > GEN_BATCH_CACHE_BYTES)) {
            st = gen_group(model, params, k, idx, max_len, prompts, n_prompt, seeds, out, n_out);
            k = 0;
            len = need;
        }
        idx[k++] = i;
        max_len = len;
    }
    if (!st && k > 0) st = gen_group(model, params, k, idx, max_len, prompts, n_prompt, seeds, out, n_out);
    attn_free(idx);
    return st;
}
