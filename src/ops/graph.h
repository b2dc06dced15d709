/* graph.h — tensors, the autograd tape and the ops.
 *
 * Execution is eager: an op computes its output at once and, when the graph
 * records, appends one tape entry (op, inputs, output, what backward needs).
 * graph_backward() replays the tape in reverse. Activations, saved buffers
 * and activation gradients live in the graph's arena, which is reset at
 * the start of every step; because a step repeats the same sequence of
 * pushes, the arena stops allocating after the first step (see core.h).
 *
 * Parameters are tensors whose data and grad point into the model's
 * blocks; their gradients ACCUMULATE across backward calls (gradient
 * accumulation) until the optimizer zeroes them. Every other gradient is
 * allocated zeroed on first use during backward.
 *
 * Errors: an op that cannot run (bad ids, out of memory) sets g->status
 * and returns NULL; every op returns NULL at once when given a NULL input
 * or when g->status is set, so a forward function checks g->status once at
 * the end. */
#ifndef ATTN_GRAPH_H
#define ATTN_GRAPH_H

#include "core/core.h"
#include "kernels/kernels.h"

#define TENSOR_MAX_DIMS 4

typedef struct tensor {
    float *data;
    float *grad;              /* NULL until needed (always set for params) */
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    int64_t numel;
    bool requires_grad;       /* a gradient flows to it */
    bool is_param;            /* grad is persistent and accumulates */
    const uint16_t *data_bf16; /* parameters in bf16 precision: a bf16 copy of data
                                  (kernels/bf16.h) that op_linear multiplies
                                  by when set; NULL = fp32 */
    const void *data_q;       /* a quantized weight (inference only): rows of
                                 qtype blocks (kernels/quant.h) that op_linear
                                 and op_embedding use in place of data when
                                 set; NULL = not quantized */
    int qtype;
    bool bf16_only;           /* data's values were released (bf16 inference,
                                 attn_model_release_f32): data_bf16 is the only
                                 copy, op_embedding reads its rows from it */
} tensor;

typedef enum op_kind {
    OP_EMBEDDING,
    OP_LINEAR,
    OP_LAYERNORM,
    OP_GELU,
    OP_RELU,
    OP_ADD,
    OP_DROPOUT,
    OP_ATTENTION,
    OP_CROSS_ENTROPY,
    OP_GELU_ERF,
    OP_TANH,
    OP_SELECT,
    OP_SCALE,
    OP_CROSS_ENTROPY_SMOOTH,
    OP_GRU,
    OP_GRU_CELL,
    OP_ADDITIVE_ATTENTION,
    OP_WEIGHTED_SUM,
    OP_CONCAT,
    OP_STACK,
    OP_MAXOUT,
    OP_RMSNORM,
    OP_ROPE,
    OP_SWIGLU,
    OP_GEGLU,
    OP_SEQ_LOGPROB,
    OP_DPO,
    OP_DOT_CONST,
    OP_TOKEN_KL,
    OP_CHECKPOINT,
    OP_PPO_POLICY,
    OP_PPO_VALUE,
    OP_RELU2,
    OP_QK_NORM,
    OP_COUNT
} op_kind;

struct graph;
/* A checkpointed segment's forward (op_checkpoint): from x and r (r may be
 * NULL) to its output, and a second output in *r_out when r_out is given;
 * ctx is the segment's own arguments. It must record like any forward. */
typedef struct tensor *(*graph_segment_fn)(struct graph *g, const void *ctx, struct tensor *x, struct tensor *r,
                                           struct tensor **r_out);

typedef struct tape_entry {
    op_kind op;
    tensor *out;
    tensor *in[3];
    float *saved[2];          /* op-specific: mean/rstd, lse, losses */
    const int32_t *ids;       /* embedding ids, cross-entropy targets */
    attn_dims dims;           /* attention */
    int64_t cols[3];          /* attention: q, k, v column offsets */
    int64_t n_valid;          /* cross-entropy: rows that count */
    float fparam;             /* dropout p, layer norm eps, ignore index */
    uint64_t seed;            /* dropout mask seed */
    struct tensor **list;     /* stack: the n_list inputs (in[] holds none); checkpoint: its second output */
    int64_t n_list;
    graph_segment_fn segment; /* checkpoint: the segment's forward and arguments */
    const void *segment_ctx;
} tape_entry;

typedef struct graph {
    arena mem;                /* activations and their gradients: reset per step */
    tape_entry *tape;
    int64_t n_tape, cap_tape;
    bool record;              /* append entries (training) */
    bool training;            /* dropout active */
    uint64_t dropout_seed;    /* per-step seed for dropout masks */
    uint64_t n_dropout;       /* dropout ops so far this step */
    bool recompute;           /* activation checkpointing: blocks keep only their inputs (op_checkpoint) */
    /* Called by graph_backward after each entry of the tape, from the last
     * to the first, with its index (a checkpoint's whole segment is one
     * entry); a status other than ATTN_OK stops the backward with it. NULL:
     * none. graph_reset keeps it. */
    attn_status (*after_entry)(void *ctx, int64_t entry);
    void *after_ctx;
    attn_status status;
    const kernels *k;
} graph;

void graph_init(graph *g, const kernels *k);
/* Starts a step: resets the arena and the tape. */
void graph_reset(graph *g, bool record, bool training, uint64_t dropout_seed);
void graph_free(graph *g);

/* A new activation tensor from the arena (data uninitialised). */
tensor *graph_tensor(graph *g, int ndim, const int64_t *shape);
/* Scratch floats / ints from the arena, valid until the next reset. */
float *graph_floats(graph *g, int64_t n);
int32_t *graph_ints(graph *g, int64_t n);

/* Runs backward from a scalar `loss`, seeding d(loss) = 1. */
attn_status graph_backward(graph *g, tensor *loss);
/* Runs backward from any recorded tensor `out`, seeding out->grad with a
 * copy of dout (out->numel floats): the vector-Jacobian product with dout.
 * graph_backward(g, loss) is this with dout = {1}. Used by gradient checks. */
attn_status graph_backward_from(graph *g, tensor *out, const float *dout);
/* Activation checkpointing: runs segment f on (x, r) and, when the graph
 * records, keeps only its inputs and outputs — the activations inside are
 * given back to the arena at once, and backward runs f again (same dropout
 * masks, same kernels) to take its gradients, so they equal the
 * uncheckpointed ones bit for bit. The outputs have x's shape. ctx
 * (ctx_size bytes) is copied. Without recording it is f itself. */
tensor *op_checkpoint(graph *g, graph_segment_fn f, const void *ctx, size_t ctx_size, tensor *x, tensor *r,
                      tensor **r_out);

/* ---- ops ------------------------------------------------------------------
 * Shapes: x is (..., C) and treated as N = numel / C rows. */

/* out (B, T, C) = table[ids]: table (V, C), ids (B*T) in [0, V). */
tensor *op_embedding(graph *g, tensor *table, const int32_t *ids, int64_t B, int64_t T);
/* op_embedding whose row padding_idx gets no gradient from this lookup, as
 * torch.nn.Embedding(padding_idx=...) (the row still reads as it is). */
tensor *op_embedding_padded(graph *g, tensor *table, const int32_t *ids, int64_t B, int64_t T, int32_t padding_idx);
/* out (..., OC) = x (..., C) @ w (OC, C)^T + b (OC) (b may be NULL). When
 * w->data_bf16 is set, the bf16 kernels run instead (matmul_*_bf16: x and
 * the output gradient rounded to bf16 going in, fp32 sums and gradients). */
tensor *op_linear(graph *g, tensor *x, tensor *w, tensor *b);
/* (op_linear, op_linear_act and op_embedding) When w->data_q is set, the
 * quantized kernels run (matmul_forward_q, embedding_forward_q): inference
 * only, so a quantized weight that requires grad, or an op on one that the
 * graph would record for backward, fails with ATTN_ERR_INVALID_ARG. */
/* act(op_linear(x, w, b)) with the activation applied as the product is
 * stored (kernels' matmul_act_forward): KACT_GELU as op_gelu, KACT_GELU_ERF
 * as op_gelu_erf, KACT_RELU as op_relu. Same values and gradients as the
 * two ops. KACT_RELU2 is op_relu2(op_linear(x, w, b)): two passes, no fused
 * kernel. */
tensor *op_linear_act(graph *g, tensor *x, tensor *w, tensor *b, kernel_act act);
tensor *op_layernorm(graph *g, tensor *x, tensor *w, tensor *b, float eps);
/* op_layernorm(op_add(a, b), w, bias, eps) in one pass over each row (the
 * kernels' add_layernorm_forward); *sum_out (if not NULL) receives a + b,
 * the residual stream a pre-LN block carries on. Same values and
 * gradients as the two ops. */
tensor *op_add_layernorm(graph *g, tensor *a, tensor *b, tensor *w, tensor *bias, float eps, tensor **sum_out);
tensor *op_gelu(graph *g, tensor *x);
tensor *op_relu(graph *g, tensor *x);
/* ReLU squared, max(x, 0)^2 (Primer; the modded-nanogpt MLP). */
tensor *op_relu2(graph *g, tensor *x);
/* GELU, exact erf form (torch.nn.GELU(), BERT); op_gelu is the tanh form. */
tensor *op_gelu_erf(graph *g, tensor *x);
tensor *op_tanh(graph *g, tensor *x);
tensor *op_add(graph *g, tensor *a, tensor *b);
/* out (B, C) = x[:, t, :] for x (B, T, C): one position of every row (the
 * BERT pooler's [CLS] row, t = 0). Backward adds dout into those rows of
 * dx and leaves the rest. A plain copy, so it has no kernel. */
tensor *op_select(graph *g, tensor *x, int64_t t);
/* The same with a position per row: out[b] = x[b, pos[b]] (the last real
 * token of each row, for a decoder's classifier). pos (B) must stay valid
 * until backward (take it from graph_ints). */
tensor *op_select_rows(graph *g, tensor *x, const int32_t *pos);
/* out (M, C) = the rows idx[0..M) of x seen as (rows, C), C its last
 * dimension (the masked positions of a masked-LM batch: the head then runs
 * on those rows only). Rows may repeat; backward adds. idx must stay valid
 * until backward (graph_ints). A plain copy, so it has no kernel. */
tensor *op_gather_rows(graph *g, tensor *x, const int32_t *idx, int64_t M);
/* Inverted dropout: zero with probability p, scale the rest by 1/(1-p);
 * the identity when p == 0 or the graph is not training. The mask is a
 * function of (graph seed, dropout index in the step, element). */
tensor *op_dropout(graph *g, tensor *x, float p);
/* Multi-head attention. q is (B, Tq, *) with the queries at columns
 * [q_col, q_col + C); kv is (B, Tk, *) with keys at [k_col, k_col + C) and
 * values at [v_col, v_col + C); out is (B, Tq, C), C = H * D. Self-attention
 * passes the packed qkv tensor as both q and kv (cols 0, C, 2C);
 * cross-attention passes the decoder's q and the encoder's packed kv.
 * key_mask (B, Tk): nonzero = a real token (NULL = all real). causal: query
 * i sees keys j <= i + Tk - Tq. */
tensor *op_attention(graph *g, tensor *q, int64_t q_col, tensor *kv, int64_t k_col, int64_t v_col,
                     int64_t C, int64_t H, bool causal, const uint8_t *key_mask);
/* op_attention with ALiBi (Press et al.; BLOOM): head h's scaled scores gain
 * alibi[h] * (j - (i + Tk - Tq)); alibi (H floats, e.g. from
 * attn_alibi_slopes) must stay valid until backward has run. */
tensor *op_attention_alibi(graph *g, tensor *q, int64_t q_col, tensor *kv, int64_t k_col, int64_t v_col,
                           int64_t C, int64_t H, bool causal, const uint8_t *key_mask, const float *alibi);
/* ALiBi's head slopes: for H a power of two, 2^(-8(h+1)/H); otherwise those
 * of the power of two below H followed by every other slope of the power
 * of two above it (as the paper's code and BLOOM compute them). */
void attn_alibi_slopes(int64_t H, float *slopes);
/* Attention over an external key/value cache (inference only, not recorded):
 * kv_data (B, Tk, kv_stride) floats with keys at k_col and values at v_col. */
tensor *op_attention_cached(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                            int64_t kv_batch_stride, int64_t Tk, int64_t k_col, int64_t v_col, int64_t C,
                            int64_t H, bool causal, const uint8_t *key_mask);
/* Grouped-query attention (Llama-style decoders): H query heads of width D
 * at q's columns [q_col, q_col + H D), Hkv key and value heads (H divisible
 * by Hkv) at kv's columns [k_col, k_col + Hkv D) and [v_col, v_col + Hkv D);
 * query head h reads key/value head h / (H / Hkv). out is (B, Tq, H D); D
 * need not be the model width over H. op_attention is this with Hkv = H. */
tensor *op_attention_gqa(graph *g, tensor *q, int64_t q_col, tensor *kv, int64_t k_col, int64_t v_col, int64_t H,
                         int64_t Hkv, int64_t D, bool causal, const uint8_t *key_mask);
/* op_attention_cached with grouped-query heads as op_attention_gqa. */
tensor *op_attention_cached_gqa(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                                int64_t kv_batch_stride, int64_t Tk, int64_t k_col, int64_t v_col, int64_t H,
                                int64_t Hkv, int64_t D, bool causal, const uint8_t *key_mask);
/* op_attention_cached with ALiBi slopes (alibi: H floats or NULL), query i
 * at position i + Tk - Tq of the cache (BLOOM decoding). */
tensor *op_attention_cached_alibi(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                                  int64_t kv_batch_stride, int64_t Tk, int64_t k_col, int64_t v_col, int64_t C,
                                  int64_t H, bool causal, const uint8_t *key_mask, const float *alibi);
/* One run of a continuous batch: count consecutive rows of the input,
 * from row `row` of its (1, n, C) stream, are positions pos .. pos + count - 1
 * of cache sequence seq (which holds positions [0, pos) already). */
typedef struct kv_run {
    int64_t seq, row, pos, count;
} kv_run;
/* Attention of a continuous batch over a cache (inference only, not
 * recorded): q is (1, n, *) and holds the runs runs[0 .. n_runs);
 * each run's queries attend causally to its sequence's keys and values
 * [0, pos + count) at kv_data + seq * kv_batch_stride (rows of kv_stride,
 * keys at k_col, values at v_col), with grouped-query heads as
 * op_attention_gqa and ALiBi slopes when alibi is not NULL. Rows outside
 * every run are zero in the output (H D wide). */
tensor *op_attention_cached_runs(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                                 int64_t kv_batch_stride, int64_t k_col, int64_t v_col, int64_t H, int64_t Hkv,
                                 int64_t D, const kv_run *runs, int64_t n_runs, const float *alibi);
/* Mean softmax cross-entropy of logits (N, V) against targets (N), rows
 * with target == ignore_index excluded; out is a scalar. Targets must be in
 * [0, V) or ignore_index. Backward writes d(logits) over the logits
 * themselves when no other op uses them (they are not needed again), so
 * read logits before backward. */
tensor *op_cross_entropy(graph *g, tensor *logits, const int32_t *targets, int32_t ignore_index);
/* out = s * x (embedding scales such as sqrt(d_model)). */
tensor *op_scale(graph *g, tensor *x, float s);
/* Label-smoothed cross-entropy as torch.nn.CrossEntropyLoss(label_smoothing=eps,
 * ignore_index): per counted row (1 - eps) * -log p(target) + eps * mean over
 * the V classes of -log p(j), averaged over the rows that count. eps must be
 * in [0, 1]; eps == 0 is op_cross_entropy itself (same kernels, same cost).
 * Backward overwrites the logits as op_cross_entropy does. */
tensor *op_cross_entropy_smooth(graph *g, tensor *logits, const int32_t *targets, int32_t ignore_index, float eps);

/* ---- recurrent ops (ops_rnn.c; RNNsearch) --------------------------------
 * Lengths and positions are borrowed: they must stay valid until backward
 * (allocate them with graph_ints). */

/* One direction of a GRU layer over a padded batch, as torch.nn.GRU with
 * h0 = 0. gi (B, T, 3H) = op_linear(x, W_ih, b_ih) for all positions at
 * once (gates r, z, n); w_hh (3H, H); b_hh (3H) or NULL; lengths (B) in
 * [0, T]. Row b reads positions 0 .. len_b - 1, or len_b - 1 .. 0 when
 * reverse (each row reversed within its own length, so padding never
 * reaches a state). out (B, T, H): the state after each position, exactly
 * 0 at padding positions (t >= len_b), which get no gradient. */
tensor *op_gru(graph *g, tensor *gi, tensor *w_hh, tensor *b_hh, const int32_t *lengths, bool reverse);
/* One GRU cell step: gi = W_ih x + b_ih, gh = W_hh h + b_hh (N, 3H) and h
 * (N, H) give h' (N, H) (the decoder's step; gh from op_linear). */
tensor *op_gru_cell(graph *g, tensor *gi, tensor *gh, tensor *h);
/* Additive attention weights a (B, S): a[b, :len_b] = softmax_j(v .
 * tanh(ws[b] + uh[b, j])), exactly 0 for j >= len_b. ws (B, A) = W s
 * (per decoder step), uh (B, S, A) = U h (once per source), v (A). */
tensor *op_additive_attention(graph *g, tensor *ws, tensor *uh, tensor *v, const int32_t *lengths);
/* out (B, C) = sum_j a[b, j] x[b, j, :] for a (B, S), x (B, S, C). */
tensor *op_weighted_sum(graph *g, tensor *a, tensor *x);
/* Concatenation along the last dimension: a (..., Ca), b (..., Cb) with the
 * same number of rows -> (..., Ca + Cb) shaped like a. */
tensor *op_concat(graph *g, tensor *a, tensor *b);
/* n tensors (B, C) -> (B, n, C): the per-step outputs of a decoder. */
tensor *op_stack(graph *g, tensor **xs, int64_t n);
/* Maxout over pairs: x (..., 2K) -> (..., K), out[k] = max(x[2k], x[2k+1]). */
tensor *op_maxout(graph *g, tensor *x);

/* ---- Llama-style decoders (ops_llama.c) ----------------------------------- */

/* RMSNorm as transformers' LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) * w,
 * w (C). */
tensor *op_rmsnorm(graph *g, tensor *x, tensor *w, float eps);
/* op_rmsnorm(op_add(a, b), w, eps) in one pass over each row; *sum_out (if
 * not NULL) receives a + b, the residual stream (as op_add_layernorm). */
tensor *op_add_rmsnorm(graph *g, tensor *a, tensor *b, tensor *w, float eps, tensor **sum_out);
/* Rotary position embedding (the kernels' rope_forward): in each row of x
 * (..., C) the first n_heads heads of width D rotate their first rot
 * dimensions (rotate-half layout, base theta) by the row's position pos[n]
 * (one per row; pos must stay valid until backward); the other columns
 * pass through. A fused q|k|v tensor rotates its q and k heads: n_heads =
 * H + Hkv. */
tensor *op_rope(graph *g, tensor *x, const int32_t *pos, int64_t n_heads, int64_t D, int64_t rot, float theta);
/* QK-norm (the kernels' qk_norm_forward): in each row of x (..., C) the
 * first n_heads heads of width D are divided by their root mean square
 * (RMSNorm without a weight, eps inside the root); the other columns pass
 * through. A fused q|k|v tensor normalises its q and k heads: n_heads =
 * H + Hkv. */
tensor *op_qk_norm(graph *g, tensor *x, int64_t n_heads, int64_t D, float eps);
/* SwiGLU's gate: x (..., 2F) = gate | up -> silu(gate) * up (..., F). */
tensor *op_swiglu(graph *g, tensor *x);
/* GEGLU: the same halves, out = gelu(gate) * up, the exact (erf) GELU
 * (Cramming's gated MLP). */
tensor *op_geglu(graph *g, tensor *x);

/* ---- preference learning (ops_align.c) ------------------------------------ */
/* Per-sequence sums of target log-probabilities: logits (N, V) as rows,
 * row n counted in sequence seq[n] (-1: not counted) with its target
 * targets[n] in [0, V); returns (n_seq) sums of log softmax(logits[n])[targets[n]]. */
tensor *op_seq_logprob(graph *g, tensor *logits, const int32_t *targets, const int32_t *seq, int64_t n_seq);
/* The mean over n_pairs pairs of DPO's loss -log sigmoid(beta u) (ipo: IPO's
 * (u - 1 / (2 beta))^2), u = (lp[2i] - ref[2i]) s[2i] - (lp[2i+1] - ref[2i+1]) s[2i+1]:
 * lp (2 n_pairs) the policy's log-probabilities of chosen (even) and
 * rejected (odd) completions, ref the reference's (constants), s the
 * per-sequence scales (NULL: 1; IPO's 1 / completion length). A scalar. */
tensor *op_dpo_loss(graph *g, tensor *lp, const float *ref, const float *scale, int64_t n_pairs, float beta, bool ipo);
/* sum_i x[i] w[i] with constant weights w (x->numel of them): a scalar
 * (GRPO's advantage-weighted log-probabilities). */
tensor *op_dot_const(graph *g, tensor *x, const float *w);
/* sum_n w[n] k3(n) over the rows n of logits (N, V) with a target (-1:
 * none), k3 = exp(x) - x - 1, x = ref_lp[n] - log softmax(logits[n])[targets[n]]:
 * the per-token KL estimate of GRPO (Schulman's k3) against fixed
 * reference log-probabilities, weighted. A scalar. */
tensor *op_token_kl(graph *g, tensor *logits, const int32_t *targets, const float *ref_lp, const float *w);
/* PPO's clipped policy loss (Schulman et al. 2017), a scalar:
 * sum_n w[n] max(-A[n] rho, -A[n] clip(rho, 1 - eps, 1 + eps)) over the rows n
 * of logits (N, V) with a target (-1: none), rho = exp(log softmax(logits[n])
 * [targets[n]] - old_lp[n]). The gradient is that of torch.maximum / clamp
 * (nothing through a clipped term that wins). When stats is not NULL,
 * stats[0] gets the number of counted rows whose clipped term is strictly
 * larger (the clip fraction's numerator), stats[1] the counted rows. */
tensor *op_ppo_policy(graph *g, tensor *logits, const int32_t *targets, const float *old_lp, const float *adv, const float *w,
                      float eps, double *stats);
/* PPO's clipped value loss, a scalar: sum_n w[n] 0.5 max((v - R)^2, (vc - R)^2)
 * over the N values v (N numbers: a tensor of any shape), vc = old[n] +
 * clip(v - old[n], -eps, eps), R = ret[n]; rows with w[n] == 0 do not count. */
tensor *op_ppo_value(graph *g, tensor *v, const float *old, const float *ret, const float *w, float eps);

#endif
