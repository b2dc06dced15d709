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
 * A context decodes n_seq sequences side by side (the rows of one batch).
 * attn_ctx_decode appends the same number of tokens to every sequence, so
 * they keep one length. A decoder's sequences may also have lengths of
 * their own (a server's slots, each holding one conversation):
 * attn_ctx_decode_batch appends to any subset of them at once, each at its
 * own next position, with one pass over the weights for all of them;
 * attn_ctx_seq_keep shortens one (reusing a prompt prefix, or freeing a
 * slot) and attn_ctx_seq_copy copies a prefix of one into another. */
#ifndef ATTN_CONTEXT_H
#define ATTN_CONTEXT_H

#include "attn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_ctx attn_ctx;

/* A context for n_seq sequences (>= 1) of up to max_len positions each (0:
 * the model's context length; an encoder-decoder's decoder steps), all
 * empty. A decoder's KV cache is allocated for n_seq x max_len positions
 * at once (for each layer, max_len x 2 x the key/value width floats per
 * sequence), so ask for the length you need. The
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
 * logits (n_seq, V) (NULL: not needed). Every sequence must hold the same
 * number of positions len (ATTN_ERR_INVALID_ARG naming two that differ
 * otherwise: use attn_ctx_decode_batch). Encoder-decoders and RNNs take one
 * token at a time (T == 1) after attn_ctx_encode. Past max_len: an error
 * (decoders: slide a window of your own and attn_ctx_reset). On error every
 * sequence's length is unchanged; a decoder may decode on (positions past a
 * sequence's length are never read before they are written again); an
 * encoder-decoder or RNN must encode again. */
ATTN_API attn_status attn_ctx_decode(attn_ctx *ctx, const int32_t *tokens, int64_t T, float *logits);

/* Continuous batching (decoders only: GPT-2, OPT, BLOOM, Llama / Qwen2 /
 * Mistral, in any precision; an encoder-decoder or RNN context answers
 * ATTN_ERR_UNSUPPORTED). One step over n >= 1 entries: entry i appends
 * token tokens[i] to sequence seqs[i] (0 <= seqs[i] < n_seq) at that
 * sequence's next position. The entries of one sequence are consecutive,
 * in order (a run: a prompt's tokens being prefilled, or the one next
 * token of a sequence being decoded), and a sequence has at most one run
 * in a call; the runs may come in any order of sequences, and sequences
 * not named are untouched. So one call mixes prefill chunks of new
 * requests with the next tokens of those decoding, and the weights are
 * read once for all n rows; each run attends only to its own sequence.
 * logits (NULL: not needed) gets one row of V floats per run, in the order
 * the runs appear in seqs: the logits of the token after the run's last
 * entry. Then each named sequence's length has grown by its run's count.
 * Errors (ATTN_ERR_INVALID_ARG: n < 1, a NULL array, a sequence out of
 * range, a sequence in two runs, a run past max_len, a token outside the
 * vocabulary; or a failure of the forward itself) leave every sequence's
 * length as it was, and the context usable. Not thread-safe on one
 * context (as every call here). */
ATTN_API attn_status attn_ctx_decode_batch(attn_ctx *ctx, int64_t n, const int32_t *seqs, const int32_t *tokens,
                                           float *logits);

/* As attn_ctx_decode_batch, with logits (NULL: not needed) of n rows of V
 * floats: row i the logits of the token after entry i, so that a run's
 * log-likelihood token by token comes from one call (scoring several
 * continuations of one prompt: each a sequence copied from the prompt's
 * with attn_ctx_seq_copy, every continuation's tokens in one call). */
ATTN_API attn_status attn_ctx_decode_batch_all(attn_ctx *ctx, int64_t n, const int32_t *seqs, const int32_t *tokens,
                                               float *logits);

/* Positions sequence seq holds (0 <= seq < n_seq; -1 when seq is out of
 * range). For every family. */
ATTN_API int64_t attn_ctx_seq_len(const attn_ctx *ctx, int64_t seq);

/* Keeps the first len positions of sequence seq and forgets the rest (0:
 * empties it, e.g. a freed slot); its next decoded token goes to position
 * len. A prompt cache uses it to keep the prefix a new prompt shares with
 * the slot's previous conversation and decode only the rest. len greater
 * than the sequence's length, or seq out of range: ATTN_ERR_INVALID_ARG.
 * Decoders only (else ATTN_ERR_UNSUPPORTED). */
ATTN_API attn_status attn_ctx_seq_keep(attn_ctx *ctx, int64_t seq, int64_t len);

/* Sequence dst becomes the first len positions of sequence src (dst's own
 * positions are dropped; src is unchanged; dst == src is attn_ctx_seq_keep):
 * a prompt prefilled once serves several slots, or n completions of one
 * prompt. len greater than src's length, or a sequence out of range:
 * ATTN_ERR_INVALID_ARG. Decoders only (else ATTN_ERR_UNSUPPORTED). */
ATTN_API attn_status attn_ctx_seq_copy(attn_ctx *ctx, int64_t dst, int64_t src, int64_t len);

/* Sequence i continues from the state sequence from[i] had (n_seq entries;
 * encoder-decoders and RNNs: from the same source), its length included. */
ATTN_API attn_status attn_ctx_reorder(attn_ctx *ctx, const int32_t *from);

/* Empties every sequence: a decoder starts over; an encoder-decoder or RNN
 * also forgets its sources (attn_ctx_encode again). */
ATTN_API void attn_ctx_reset(attn_ctx *ctx);

/* Positions decoded so far when every sequence holds the same number (always
 * so for a context used only through attn_ctx_decode); -1 when their lengths
 * differ, with attn_last_error() naming two that differ (use
 * attn_ctx_seq_len). */
ATTN_API int64_t attn_ctx_len(const attn_ctx *ctx);
ATTN_API int64_t attn_ctx_max_len(const attn_ctx *ctx);
ATTN_API int64_t attn_ctx_n_seq(const attn_ctx *ctx);
ATTN_API const attn_model *attn_ctx_model(const attn_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
