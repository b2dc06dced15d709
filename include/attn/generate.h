/* generate.h — text generation as a step API: start with a prompt (prefill),
 * then ask for one token at a time (decoding with a KV cache). The CLI's
 * streaming loop and, later, the server sit on these two calls. */
#ifndef ATTN_GENERATE_H
#define ATTN_GENERATE_H

#include "attn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_sampler_params {
    float temperature;        /* 0 = greedy (argmax) */
    int32_t top_k;            /* 0 = off */
    float top_p;              /* 1 = off; keep the smallest set with mass >= top_p */
    uint64_t seed;
    int64_t max_new_tokens;   /* stop after this many (200) */
    int32_t stop_token;       /* stop after producing it; -1 = none */
} attn_sampler_params;

ATTN_API attn_sampler_params attn_sampler_default_params(void);

/* ---- the sampler on given logits -------------------------------------------
 * One draw per call from a row of logits (V) by temperature, top_k and top_p
 * of params (max_new_tokens and stop_token are the caller's business), with a
 * random stream of its own that seed starts: the same logits and seed give
 * the same tokens. attn_gen samples through it; the server keeps one per
 * request. */
typedef struct attn_sampler attn_sampler;
ATTN_API attn_status attn_sampler_new(int64_t vocab_size, const attn_sampler_params *params, attn_sampler **out);
ATTN_API void attn_sampler_free(attn_sampler *s);   /* NULL is a no-op */
/* The next token drawn from logits (V finite values; temperature 0: the
 * first largest). */
ATTN_API int32_t attn_sampler_sample(attn_sampler *s, const float *logits);

/* Log-probabilities under the model's own distribution (log-softmax of the
 * logits, temperature 1): *token_lp for token, and the k most likely tokens
 * in top_ids / top_lps (most likely first, ties by id; k <= V). */
ATTN_API void attn_logprobs(const float *logits, int64_t V, int32_t token, int32_t k, float *token_lp,
                            int32_t *top_ids, float *top_lps);

/* ---- stop strings ------------------------------------------------------------
 * Scans generated text[0..len) for stop strings (n of them, none empty).
 * Returns the bytes that may be shown: where the earliest stop string starts
 * (*hit = true; the text ends there), else len less the longest tail of the
 * text that begins some stop string (it may yet become one: hold it back
 * until more text comes). */
ATTN_API size_t attn_stop_scan(const char *text, size_t len, const char *const *stops, size_t n, bool *hit);

typedef struct attn_gen attn_gen;

/* The generator borrows `model`; free the generator first. */
ATTN_API attn_status attn_gen_new(attn_model *model, const attn_sampler_params *params, attn_gen **out);
ATTN_API void attn_gen_free(attn_gen *gen);
/* Resets the cache and runs the prompt (n_prompt >= 1 tokens). A prompt
 * longer than the model's context keeps its last n_ctx tokens, as decoding
 * does once the context is full (the caller may say so: it knows both
 * lengths). */
ATTN_API attn_status attn_gen_start(attn_gen *gen, const int32_t *prompt, int64_t n_prompt);
/* The next token in *token. ATTN_DONE (and no token) once the stop token was
 * produced or max_new_tokens were produced. When the context fills up, the
 * model goes on from the most recent half of it (recomputed as a new
 * window), so generation may run longer than the context. */
ATTN_API attn_status attn_gen_next(attn_gen *gen, int32_t *token);

/* Continues the sequence in the cache instead of starting over: appends
 * n >= 1 tokens after what it holds (see attn_gen_tokens) and samples on
 * from there as after attn_gen_start, with max_new_tokens counted afresh.
 * A conversation's next turn, whose prompt extends the previous prompt and
 * answer, decodes only its new tokens. The tokens must fit in the context
 * beside those in the cache (ATTN_ERR_INVALID_ARG: start again instead);
 * the sampler's random stream goes on (it is not re-seeded). */
ATTN_API attn_status attn_gen_extend(attn_gen *gen, const int32_t *tokens, int64_t n);
/* attn_gen_start on the prompt, keeping the longest prefix of it that the
 * cache already holds (at most n_prompt - 1 tokens: the last is decoded for
 * its logits) and decoding only the rest; *reused (may be NULL) gets that
 * prefix's length (0: started over). A conversation whose new prompt
 * agrees with the cache up to some token (an earlier answer tokenized
 * differently when rendered back, an edited last message) keeps what
 * agrees. Samples as after attn_gen_extend (max_new_tokens afresh, the
 * random stream going on). A prompt longer than the context starts over
 * on its last n_ctx tokens, as attn_gen_start. */
ATTN_API attn_status attn_gen_resume(attn_gen *gen, const int32_t *prompt, int64_t n_prompt, int64_t *reused);
/* The tokens whose keys and values the cache holds, in order (*n of them; 0
 * before a successful start and after a failed one): the prompt and every
 * token produced since, except one that ended generation (the stop token,
 * the last of max_new_tokens); once the context filled up, the window
 * generation went on from. Valid until the next call on gen. */
ATTN_API const int32_t *attn_gen_tokens(const attn_gen *gen, int64_t *n);

/* ---- many completions at once ------------------------------------------------
 * One completion for each of n prompts (a rollout: a batch of prompts, or
 * k samples of one prompt), the rows decoded side by side in one context
 * (attn_ctx_decode_batch: each step reads the weights once for every row
 * still going, and a row leaves when it ends). Row i samples from
 * prompts[i] (n_prompt[i] >= 1 tokens) by params' temperature, top-k,
 * top-p, max_new_tokens and stop_token, with seed seeds[i] (params->seed
 * is not used); its tokens go to out + i * max_new_tokens and their count
 * to n_out[i], the stop token last when drawn: what attn_gen_start and
 * attn_gen_next give for that prompt and seed, up to the rounding of
 * products over several rows (logits within ~1e-6: a draw that close to
 * the boundary between two tokens may fall the other way). Rows go in
 * groups of up to 64 (fewer when their key/value cache would pass
 * 256 MB). Rows whose prompt and completion pass the context sample one
 * at a time through attn_gen (its sliding window), as does every row of a
 * family without sequences of their own (its error is attn_gen's). */
ATTN_API attn_status attn_gen_batch(attn_model *model, const attn_sampler_params *params, int64_t n,
                                    const int32_t *const *prompts, const int64_t *n_prompt, const uint64_t *seeds,
                                    int32_t *out, int64_t *n_out);

#ifdef __cplusplus
}
#endif
#endif
