/* nn.h — the layers every model family builds its forward from, one level
 * above the ops (ops/graph.h): norms, self- and cross-attention (with a KV
 * cache for decoding), the MLP, and the pre-norm and post-norm residual
 * blocks. Each takes views of the family's own weights, so a family's
 * forward is its embeddings, a loop over these blocks and its head.
 * Everything records on the graph like the ops it is made of. */
#ifndef ATTN_NN_H
#define ATTN_NN_H

#include "ops/graph.h"

/* LayerNorm: weight and bias (C), epsilon; or, with rms, RMSNorm
 * (LlamaRMSNorm: weight only, b unused). */
typedef struct nn_norm {
    tensor *w, *b;
    float eps;
    bool rms;
} nn_norm;

/* Self-attention: a fused q|k|v projection (3C, C) (separate q, k and v
 * weights laid out back to back are one such view), the output projection
 * (C, C), and the head count. Biases may be NULL.
 * Llama-style decoders set the rest (0 / NULL: as above): n_kv_head
 * key/value heads (grouped-query attention; the projection is then
 * ((H + 2 Hkv) D, C)), head_dim D (default C / H; the output projection
 * is (C, H D)), and rotary positions: pos (B, T) the position of each
 * token (non-NULL: q and k rotate, rope_theta the base, rope_dim the
 * dimensions of a head that rotate, 0 = all). alibi: the heads' ALiBi
 * slopes (BLOOM; attn_alibi_slopes), or NULL for none; with ALiBi every
 * head has its own keys and values (n_kv_head 0 or n_head). qk_norm: each
 * query and key head is RMS-normalised without a weight (op_qk_norm, eps
 * qk_norm_eps) after the projection and before the rotation. */
typedef struct nn_attn {
    tensor *qkv_w, *qkv_b, *o_w, *o_b;
    int64_t n_head;
    int64_t n_kv_head, head_dim;
    const int32_t *pos;
    float rope_theta;
    int64_t rope_dim;
    const float *alibi;
    bool qk_norm;
    float qk_norm_eps;
} nn_attn;

/* Cross-attention: queries from the stream (C, C), keys and values from a
 * memory through one fused (2C, C) projection, the output projection. */
typedef struct nn_cross {
    tensor *q_w, *q_b, *kv_w, *kv_b, *o_w, *o_b;
    int64_t n_head;
} nn_cross;

/* The MLP: down(dropout(act(up(x)))); with gated, up is the fused gate |
 * up projection (2F, C) and the activation SwiGLU's silu(gate) * up
 * (LlamaMLP), or GEGLU's gelu(gate) * up where act is KACT_GELU_ERF. */
typedef struct nn_mlp {
    tensor *up_w, *up_b, *down_w, *down_b;
    kernel_act act;
    float dropout;            /* after the activation (BART's activation_dropout); 0 = none */
    bool gated;
} nn_mlp;

/* One layer's KV cache while decoding: row b's keys then values (2C per
 * position; 2 Hkv D with grouped-query heads) start at kv + b * stride;
 * positions [0, len) are filled. With runs (n_runs > 0), the input is one
 * stream (1, n, C) of the runs' rows and len is unused: each run appends to
 * its own sequence and attends to that sequence's rows [0, pos + count). */
typedef struct nn_kv {
    float *kv;
    int64_t stride, len;
    const kv_run *runs;       /* ops/graph.h */
    int64_t n_runs;
} nn_kv;

/* Self-attention over x (B, T, C), projected out (no dropout): causal or
 * not, keys masked where mask (B, T) is 0 (NULL: none). With a cache, x's
 * keys and values are appended at positions len .. len + T - 1 and the
 * queries attend to everything cached (the caller advances len); with the
 * cache's runs, per run as nn_kv says (causal, no mask). */
tensor *nn_self_attention(graph *g, tensor *x, const nn_attn *a, bool causal, const uint8_t *mask, const nn_kv *cache);
/* Attention of x (B, T, C) over mem (B, S, C), keys masked by mask (B, S). */
tensor *nn_cross_attention(graph *g, tensor *x, tensor *mem, const nn_cross *a, const uint8_t *mask);
/* The MLP of x, without output dropout. */
tensor *nn_mlp_forward(graph *g, tensor *x, const nn_mlp *f);
/* The post-norm residual: norm(x + dropout(sub)). */
tensor *nn_add_norm(graph *g, tensor *x, tensor *sub, float dropout, const nn_norm *n);

/* A post-norm block (BERT, the BART / Marian encoder, OPT-350m):
 * x = n1(x + dropout(attn(x))); x = n2(x + dropout(mlp(x))), the
 * attention over a KV cache when one is given. */
tensor *nn_post_norm_block(graph *g, tensor *x, const nn_attn *a, const nn_norm *n1, const nn_mlp *f, const nn_norm *n2,
                           float dropout, bool causal, const uint8_t *mask, const nn_kv *cache);
/* Position ids (B, T) for rows of T tokens that start at position first
 * (an offset included, e.g. OPT's 2), on the graph; an error (on g) when
 * first + T exceeds limit, the positions the model has. */
int32_t *nn_positions(graph *g, int64_t B, int64_t T, int64_t first, int64_t limit);
/* A pre-norm block (GPT-2, OPT; Llama with RMSNorm and the gated MLP), causal: h = x + dropout(attn(n1(x)));
 * out = h + dropout(mlp(n2(h))). The residual stream arrives as x + r (r
 * NULL: x alone), an add fused with n1; the block returns the stream after
 * its attention half and leaves in *r_out the MLP output still to be added
 * (by the next block's fused norm, or by the caller). With g->recompute
 * (training without a cache) the block is checkpointed (op_checkpoint). */
tensor *nn_pre_norm_block(graph *g, tensor *x, tensor *r, const nn_norm *n1, const nn_attn *a, const nn_norm *n2,
                          const nn_mlp *f, float dropout, const nn_kv *cache, tensor **r_out);

/* Sparse masked-LM prediction (Cramming): the rows of x (B, T, C) whose
 * target (B * T of them) is not -1, as (M, C), with *tg set to their M
 * targets (on the graph), so the head and the loss run on the masked
 * positions only: the same mean loss as over every position. x itself
 * (and *tg = targets) when no target counts. */
tensor *nn_masked_rows(graph *g, tensor *x, const int32_t *targets, const int32_t **tg);

/* A GRU (torch.nn.GRU's gates r, z, n): input weights (3H, C) and biases,
 * recurrent weights (3H, H) and biases (biases may be NULL). */
typedef struct nn_gru {
    tensor *w_ih, *b_ih, *w_hh, *b_hh;
} nn_gru;
/* One direction over x (B, T, C): every input projection in one product,
 * then the recurrence over rows of lengths (B) tokens (reverse: from each
 * row's last token back), h0 = 0. Out (B, T, H), 0 at padding. */
tensor *nn_gru_layer(graph *g, tensor *x, const nn_gru *p, const int32_t *lengths, bool reverse);
/* One step of N rows: the input x (N, C) and the state h (N, H) give h'. */
tensor *nn_gru_step(graph *g, tensor *x, tensor *h, const nn_gru *p);

#endif
