/* generate.c — prefill, KV-cache decoding and sampling (greedy,
 * temperature, top-k, top-p). */
#include "attn/context.h"
#include "attn/generate.h"
#include "models/model_impl.h"

#include <math.h>
#include <stdlib.h>

struct attn_gen {
    attn_model *model;
    attn_sampler_params p;
    attn_ctx *ctx;            /* one sequence */
    float *logits;            /* (V) of the last position */
    float *probs;             /* (V) scratch */
    int32_t *order;           /* (V) scratch for top-k / top-p */
    int32_t *window;          /* (n_ctx) the tokens in the cache, in order */
    rng_state rng;
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
    if (!(params->temperature >= 0) || params->top_k < 0 || !(params->top_p > 0 && params->top_p <= 1) ||
        params->max_new_tokens < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sampler settings out of range (temperature >= 0, top-k >= 0, 0 < top-p <= 1)");
    attn_gen *gen = attn_calloc(1, sizeof *gen);
    if (!gen) return ATTN_ERR_OUT_OF_MEMORY;
    gen->model = model;
    gen->p = *params;
    int64_t V = model->cfg.vocab_size;
    gen->logits = attn_malloc((size_t)V * sizeof(float));
    gen->probs = attn_malloc((size_t)V * sizeof(float));
    gen->order = attn_malloc((size_t)V * sizeof(int32_t));
    gen->window = attn_malloc((size_t)model->cfg.n_ctx * sizeof(int32_t));
    attn_status st = gen->logits && gen->probs && gen->order && gen->window ? attn_ctx_new(model, 1, 0, &gen->ctx) : ATTN_ERR_OUT_OF_MEMORY;
    if (st) {
        attn_gen_free(gen);
        return st;
    }
    gen->rng.s = params->seed;
    *out = gen;
    return ATTN_OK;
}

void attn_gen_free(attn_gen *gen) {
    if (!gen) return;
    attn_ctx_free(gen->ctx);
    attn_free(gen->logits);
    attn_free(gen->probs);
    attn_free(gen->order);
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

static int cmp_prob_desc(const void *a, const void *b, void *ctx) {
    const float *p = ctx;
    float x = p[*(const int32_t *)a], y = p[*(const int32_t *)b];
    if (x != y) return x > y ? -1 : 1;
    return *(const int32_t *)a - *(const int32_t *)b;
}

static int32_t sample(attn_gen *gen) {
    int64_t V = gen->model->cfg.vocab_size;
    const float *x = gen->logits;
    int32_t best = 0;
    for (int64_t j = 1; j < V; j++)
        if (x[j] > x[best]) best = (int32_t)j;
    if (gen->p.temperature == 0.0f) return best;
    float *p = gen->probs;
    double sum = 0;
    for (int64_t j = 0; j < V; j++) {
        p[j] = expf((x[j] - x[best]) / gen->p.temperature);
        sum += (double)p[j];
    }
    int64_t n = V;
    int32_t *ord = gen->order;
    for (int64_t j = 0; j < V; j++) ord[j] = (int32_t)j;
    if (gen->p.top_k > 0 || gen->p.top_p < 1.0f) {
        qsort_r(ord, (size_t)V, sizeof *ord, cmp_prob_desc, p);
        if (gen->p.top_k > 0 && gen->p.top_k < n) n = gen->p.top_k;
        double mass = 0, kept = 0;
        for (int64_t i = 0; i < n; i++) kept += (double)p[ord[i]];
        if (gen->p.top_p < 1.0f) {
            int64_t k = 0;
            while (k < n) {
                mass += (double)p[ord[k++]];
                if (mass >= (double)gen->p.top_p * kept) break;
            }
            n = k;
        }
        sum = 0;
        for (int64_t i = 0; i < n; i++) sum += (double)p[ord[i]];
    }
    double r = (double)rng_next_float(&gen->rng) * sum, acc = 0;
    for (int64_t i = 0; i < n; i++) {
        acc += (double)p[ord[i]];
        if (r < acc) return ord[i];
    }
    return ord[n - 1];
}

attn_status attn_gen_next(attn_gen *gen, int32_t *token) {
    if (!gen->started) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_gen_next before attn_gen_start");
    if (gen->done || gen->n_new >= gen->p.max_new_tokens) return ATTN_DONE;
    int32_t t = sample(gen);
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

const int32_t *attn_gen_tokens(const attn_gen *gen, int64_t *n) {
    *n = gen->started ? attn_ctx_len(gen->ctx) : 0;
    return gen->window;
}
