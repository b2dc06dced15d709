/* context.h — decoding contexts: the per-request state of a loaded model.
 *
 * A model holds weights only and is not written during inference; each
 * request (or thread) decodes through a context of its own (its graph, its
 * key/value cache or decoding state, its scratch), so any number of
 * contexts may decode on one model at once. The same five calls serve
 * every family that decodes left to right:
 *
 *   decoders (GPT-2, OPT, ...)         attn_ctx_decode the prompt (T tokens
 *                                      per sequence), then one token at a time
 *   encoder-decoders and RNNs          attn_ctx_encode the sources once, then
 *                                      attn_ctx_decode one token at a time
 *                                      from the decoder start token
 *
 * and attn_ctx_reorder lets a search (beam search) continue sequence i
 * from sequence from[i]. Sampling (generate.h), beam search and translation
 * (seq2seq.h, translate.h) sit on these calls.
 *
 * A context decodes n_seq sequences side by side (the rows of one batch),
 * all at the same length. */
#ifndef ATTN_CONTEXT_H
#define ATTN_CONTEXT_H

#include "attn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_ctx attn_ctx;

/* A context for n_seq sequences (>= 1) of up to max_len positions (0: the
 * model's context length; an encoder-decoder's decoder steps). The
 * context borrows model: free every context before the model. An encoder
 * (BERT) has no left-to-right decoding: ATTN_ERR_UNSUPPORTED saying what to
 * use instead. */
ATTN_API attn_status attn_ctx_new(attn_model *model, int64_t n_seq, int64_t max_len, attn_ctx **out);
ATTN_API void attn_ctx_free(attn_ctx *ctx);

/* Encoder-decoders and RNNs: encodes B sources src (B, S), each padded on
 * the right with the model's pad id; n_seq must be a multiple of B, and
 * sequences [b * n_seq / B, (b + 1) * n_seq / B) decode source b. Starts
 * every sequence empty. A decoder has no source: ATTN_ERR_UNSUPPORTED. */
ATTN_API attn_status attn_ctx_encode(attn_ctx *ctx, const int32_t *src, int64_t B, int64_t S);

/* Appends tokens (n_seq, T) to every sequence at positions len .. len + T - 1
 * and writes the logits of the token after each sequence's last one to
 * logits (n_seq, V) (NULL: not needed). Encoder-decoders and RNNs take one
 * token at a time (T == 1) after attn_ctx_encode. Past max_len: an error
 * (decoders: slide a window of your own and attn_ctx_reset). On error the
 * context's length is unchanged but its cache may hold partial rows: reset
 * it (or encode again) before decoding on. */
ATTN_API attn_status attn_ctx_decode(attn_ctx *ctx, const int32_t *tokens, int64_t T, float *logits);

/* Sequence i continues from the state sequence from[i] had (n_seq entries;
 * encoder-decoders and RNNs: from the same source). */
ATTN_API attn_status attn_ctx_reorder(attn_ctx *ctx, const int32_t *from);

/* Empties every sequence: a decoder starts over; an encoder-decoder or RNN
 * also forgets its sources (attn_ctx_encode again). */
ATTN_API void attn_ctx_reset(attn_ctx *ctx);

/* Positions decoded so far (the same for every sequence). */
ATTN_API int64_t attn_ctx_len(const attn_ctx *ctx);
ATTN_API int64_t attn_ctx_max_len(const attn_ctx *ctx);
ATTN_API int64_t attn_ctx_n_seq(const attn_ctx *ctx);
ATTN_API const attn_model *attn_ctx_model(const attn_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
