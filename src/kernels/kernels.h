/* kernels.h — the kernel function table. Every op of the engine calls its
 * math through one of these tables: `kernels_ref` (scalar, single-threaded,
 * obvious: the oracle every fast kernel is tested against) and `kernels_cpu`
 * (OpenMP threads, SIMD, a BLAS where one was found at build time). No
 * #ifdef lives above this layer.
 *
 * Conventions: row-major, fp32. Letters: B batch, T time (queries), S/Tk
 * keys, C width, OC output width, H heads, D head width, V vocab, N rows.
 * Every backward kernel ACCUMULATES into its gradient outputs (+=), so
 * gradients of shared tensors and of micro-batches add up; a NULL gradient
 * pointer means "not needed". */
#ifndef ATTN_KERNELS_H
#define ATTN_KERNELS_H

#include <stdbool.h>
#include <stdint.h>

/* Loops over fewer elements than this run on the calling thread: forking
 * the team costs more than it saves (decoding runs one row at a time). */
#define PAR_MIN 32768

/* Shape of one (multi-head, scaled dot-product) attention call.
 * q is read from rows of length q_stride (the query of head h at columns
 * h*D .. h*D+D-1 of that row, i.e. the caller offsets the pointer to the
 * first query column); k and v likewise from rows of kv_stride. out is
 * (B, Tq, H*D) contiguous. A query at position i (0-based among Tq) sees the
 * keys j <= i + (Tk - Tq) when causal (so a decoding step with a KV cache of
 * Tk-1 earlier keys sees all of them), and only keys with key_mask[b*Tk+j] != 0
 * when key_mask is not NULL. A query that sees no key outputs zeros. With
 * alibi (H slopes, ALiBi of Press et al.), the scaled score of query i and
 * key j gains alibi[h] * (j - (i + Tk - Tq)): minus the slope times the
 * distance back to the key (BLOOM adds alibi[h] * j, which differs by a
 * per-query constant and gives the same probabilities). */
typedef struct attn_dims {
    int64_t B, Tq, Tk, H, D;
    int64_t q_stride, kv_stride;
    int64_t q_batch_stride, kv_batch_stride;   /* floats between batch items */
    bool causal;
    const uint8_t *key_mask;   /* (B, Tk) or NULL */
    float scale;               /* usually 1/sqrt(D) */
    const float *alibi;        /* (H) ALiBi slopes or NULL */
    int64_t Hkv;               /* key/value heads (grouped-query attention): query head h
                                  reads key/value head h / (H / Hkv) at columns
                                  (h / (H / Hkv)) * D of k and v; 0 = H */
} attn_dims;

/* The key/value head query head h of d reads. */
static inline int64_t attn_kv_head(const attn_dims *d, int64_t h) { return d->Hkv > 0 ? h / (d->H / d->Hkv) : h; }

/* One AdamW update (torch.optim.AdamW): with g' = g * grad_scale,
 *   m = m + (1 - beta1) (g' - m);  v = beta2 v + (1 - beta2) g'^2;
 *   w = w * decay - step_size * m / (sqrt(v) / bc2_sqrt + eps),
 * step_size = lr / (1 - beta1^t), bc2_sqrt = sqrt(1 - beta2^t),
 * decay = 1 - lr * weight_decay (1 for parameters without decay). */
typedef struct adamw_hparams {
    float step_size, beta1, beta2, eps, bc2_sqrt, decay, grad_scale;
} adamw_hparams;

/* The activation a fused linear layer applies (matmul_act_forward).
 * KACT_RELU2 (relu(x)^2) is never passed to a matmul_act kernel: op_linear_act
 * runs it as the linear layer and then relu2_forward. */
typedef enum kernel_act { KACT_GELU = 0, KACT_GELU_ERF, KACT_RELU, KACT_RELU2 } kernel_act;

typedef struct kernels {
    const char *name;

    /* out (N, OC) = inp (N, C) @ weight (OC, C)^T + bias (OC, or NULL) */
    void (*matmul_forward)(float *out, const float *inp, const float *weight, const float *bias,
                           int64_t N, int64_t C, int64_t OC);
    void (*matmul_backward)(float *dinp, float *dweight, float *dbias, const float *dout,
                            const float *inp, const float *weight, int64_t N, int64_t C, int64_t OC);
    /* The linear layer and the activation after it, in one pass over the
     * product: pre (N, OC) = inp @ weight^T + bias, out = act(pre) (as
     * gelu_forward, gelu_erf_forward, relu_forward). Backward: the
     * activation's, then matmul_backward. */
    void (*matmul_act_forward)(float *out, float *pre, const float *inp, const float *weight, const float *bias,
                               int64_t N, int64_t C, int64_t OC, kernel_act act);

    /* out (N, C) = table[ids[n]] ; ids must be in [0, V) (checked by the op). */
    void (*embedding_forward)(float *out, const float *table, const int32_t *ids, int64_t N, int64_t C);
    void (*embedding_backward)(float *dtable, const float *dout, const int32_t *ids, int64_t N, int64_t C, int64_t V);

    /* torch.nn.LayerNorm(C, eps): biased variance, eps inside the sqrt.
     * mean, rstd (N) are saved for backward. */
    void (*layernorm_forward)(float *out, float *mean, float *rstd, const float *inp,
                              const float *weight, const float *bias, int64_t N, int64_t C, float eps);
    void (*layernorm_backward)(float *dinp, float *dweight, float *dbias, const float *dout,
                               const float *inp, const float *weight, const float *mean,
                               const float *rstd, int64_t N, int64_t C);

    /* The residual add fused with the layer norm after it: sum = a + b, then
     * out, mean, rstd = layernorm_forward(sum), each row in one pass (the
     * backward is add's and layernorm_backward's). */
    void (*add_layernorm_forward)(float *sum, float *out, float *mean, float *rstd, const float *a, const float *b,
                                  const float *weight, const float *bias, int64_t N, int64_t C, float eps);

    /* GELU, tanh approximation (torch gelu(approximate="tanh"), HF "gelu_new"). */
    void (*gelu_forward)(float *out, const float *inp, int64_t n);
    void (*gelu_backward)(float *dinp, const float *inp, const float *dout, int64_t n);
    void (*relu_forward)(float *out, const float *inp, int64_t n);
    void (*relu_backward)(float *dinp, const float *inp, const float *dout, int64_t n);
    /* ReLU squared: out = max(x, 0)^2; d/dx = 2 max(x, 0). */
    void (*relu2_forward)(float *out, const float *inp, int64_t n);
    void (*relu2_backward)(float *dinp, const float *inp, const float *dout, int64_t n);

    /* Softmax attention. lse (B, H, Tq): log-sum-exp of each query's scaled
     * scores, saved so that backward recomputes probabilities instead of
     * storing a Tq x Tk matrix. dq/dk/dv use the same strides as q/k/v. */
    void (*attention_forward)(const attn_dims *d, float *out, float *lse, const float *q,
                              const float *k, const float *v);
    void (*attention_backward)(const attn_dims *d, float *dq, float *dk, float *dv,
                               const float *dout, const float *out, const float *lse,
                               const float *q, const float *k, const float *v);

    /* Softmax cross-entropy over V classes for N rows. losses (N): -log p(target),
     * 0 for rows whose target == ignore_index; lse (N) saved. Returns nothing:
     * the op averages. backward: dlogits = scale * (softmax - onehot) on rows
     * that are not ignored, 0 on the others (written, not accumulated: the
     * op owns dlogits, which may alias logits). */
    void (*crossentropy_forward)(float *losses, float *lse, const float *logits, const int32_t *targets,
                                 int64_t N, int64_t V, int32_t ignore_index);
    void (*crossentropy_backward)(float *dlogits, const float *logits, const float *lse,
                                  const int32_t *targets, float scale, int64_t N, int64_t V,
                                  int32_t ignore_index);

    /* GELU, exact erf form: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as
     * torch.nn.GELU() and Hugging Face "gelu" (BERT). */
    void (*gelu_erf_forward)(float *out, const float *inp, int64_t n);
    void (*gelu_erf_backward)(float *dinp, const float *inp, const float *dout, int64_t n);
    /* tanh (the BERT pooler). Backward reads the forward OUTPUT:
     * dinp += (1 - out^2) * dout. */
    void (*tanh_forward)(float *out, const float *inp, int64_t n);
    void (*tanh_backward)(float *dinp, const float *out, const float *dout, int64_t n);

    /* Label-smoothed softmax cross-entropy (torch label_smoothing = eps):
     * losses[n] = (1 - eps) (lse - x[t]) + eps (lse - mean_j x[j]) for rows
     * that count, 0 for ignored ones; lse (N) saved. backward writes
     * dlogits = scale * (softmax - (1 - eps) onehot - eps / V) on counted
     * rows and 0 on ignored ones (written, may alias logits). */
    void (*crossentropy_smooth_forward)(float *losses, float *lse, const float *logits, const int32_t *targets,
                                        int64_t N, int64_t V, int32_t ignore_index, float eps);
    void (*crossentropy_smooth_backward)(float *dlogits, const float *logits, const float *lse,
                                         const int32_t *targets, float scale, int64_t N, int64_t V,
                                         int32_t ignore_index, float eps);
    /* Log-softmax of N rows of V floats in place, as a search scores its
     * candidates: x[j] -= l with l = (float)(m + log(sum_j exp(x[j] - m))),
     * m the row's largest value, the sum in double (the reference in order
     * with libm's exp; a fast kernel may sum in another order with a vector
     * exp within a few double ulps of libm's, so that l is the same float
     * except where the exact value lies next to a float boundary: then the
     * two differ by one float ulp). */
    void (*log_softmax_rows)(float *x, int64_t N, int64_t V);
    /* ---- recurrent ops (RNNsearch) ----
     * GRU in torch.nn.GRU's formulation, gates in torch's order r, z, n:
     *   r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z),
     *   n = tanh(gi_n + r * gh_n), h' = (1 - z) * n + z * h,
     * where gi = W_ih x + b_ih and gh = W_hh h + b_hh (3H wide each).
     *
     * One GRU cell step for N rows: gi, gh (N, 3H), h, out (N, H); saved
     * (N, 3H) keeps r, z, n for backward (which accumulates into dgi, dgh,
     * dh; any may be NULL). */
    void (*gru_cell_forward)(float *out, float *saved, const float *gi, const float *gh, const float *h, int64_t N,
                             int64_t H);
    void (*gru_cell_backward)(float *dgi, float *dgh, float *dh, const float *dout, const float *saved,
                              const float *gh, const float *h, int64_t N, int64_t H);
    /* One direction of a GRU layer over a padded batch, h0 = 0. gi (B, T, 3H)
     * holds the input projections of every position (one GEMM by the
     * caller); w_hh (3H, H), b_hh (3H). Row b runs over positions 0 ..
     * len_b - 1 (forward) or len_b - 1 .. 0 (reverse: each row reversed
     * within its own length), lengths[b] in [0, T]. out (B, T, H) is the
     * state after each position and exactly 0 at padding (t >= len_b).
     * saved (B, T, 4H): r, z, n, gh_n per position (0 at padding). work:
     * gru_work_floats(B, T, H) floats of scratch. Backward accumulates into
     * dgi (B, T, 3H), dw_hh, db_hh (any may be NULL) from dout (B, T, H);
     * dout at padding is ignored. */
    void (*gru_forward)(float *out, float *saved, float *work, const float *gi, const float *w_hh, const float *b_hh,
                        const int32_t *lengths, int64_t B, int64_t T, int64_t H, bool reverse);
    void (*gru_backward)(float *dgi, float *dw_hh, float *db_hh, float *work, const float *dout, const float *out,
                         const float *saved, const float *w_hh, const int32_t *lengths, int64_t B, int64_t T,
                         int64_t H, bool reverse);
    /* Additive (Bahdanau) attention weights: for each row b and source
     * position j < len_b, e_j = sum_k v_k tanh(ws[b,k] + uh[b,j,k]);
     * a[b, :len_b] = softmax(e), a[b, j] = 0 exactly for j >= len_b (all 0
     * when len_b = 0). ws (B, A), uh (B, S, A), v (A), a (B, S). Backward
     * recomputes the tanh (nothing of size S x A is stored) and accumulates
     * into dws, duh, dv (any may be NULL); work: B * S floats. */
    void (*additive_attention_forward)(float *a, const float *ws, const float *uh, const float *v,
                                       const int32_t *lengths, int64_t B, int64_t S, int64_t A);
    void (*additive_attention_backward)(float *dws, float *duh, float *dv, float *work, const float *da,
                                        const float *a, const float *ws, const float *uh, const float *v,
                                        const int32_t *lengths, int64_t B, int64_t S, int64_t A);
    /* bf16 mixed precision (kernels/bf16.h): the linear layer above with
     * weight (OC, C) held in bf16 and every other GEMM input rounded to bf16
     * (nearest even); products and sums in fp32 (the ref in double), bias
     * and dbias in fp32. backward: dinp += bf16(dout) @ weight,
     * dweight += bf16(dout)^T @ bf16(inp) (fp32 gradients). */
    void (*matmul_forward_bf16)(float *out, const float *inp, const uint16_t *weight, const float *bias, int64_t N,
                                int64_t C, int64_t OC);
    void (*matmul_backward_bf16)(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                                 const uint16_t *weight, int64_t N, int64_t C, int64_t OC);
    void (*matmul_act_forward_bf16)(float *out, float *pre, const float *inp, const uint16_t *weight, const float *bias,
                                    int64_t N, int64_t C, int64_t OC, kernel_act act);
    /* Optimizer passes over n parameters. adamw updates w, m, v in place
     * and, when w_bf16 is not NULL, writes the new weights rounded to bf16
     * there too; sumsq returns sum x^2 accumulated in double. */
    void (*adamw)(float *w, float *m, float *v, uint16_t *w_bf16, const float *g, int64_t n, const adamw_hparams *h);
    double (*sumsq)(const float *x, int64_t n);

    /* ---- Llama-style decoders (RMSNorm, rotary positions, SwiGLU) ----
     * RMSNorm as transformers' LlamaRMSNorm in fp32: out = x * rstd * weight
     * with rstd = 1 / sqrt(mean(x^2) + eps) per row, saved (N) for backward;
     * add_rmsnorm_forward is the residual add fused with it as
     * add_layernorm_forward (sum = a + b, then rmsnorm_forward(sum)). */
    void (*rmsnorm_forward)(float *out, float *rstd, const float *inp, const float *weight, int64_t N, int64_t C,
                            float eps);
    void (*rmsnorm_backward)(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                             const float *rstd, int64_t N, int64_t C);
    void (*add_rmsnorm_forward)(float *sum, float *out, float *rstd, const float *a, const float *b,
                                const float *weight, int64_t N, int64_t C, float eps);
    /* Rotary position embedding in transformers' rotate-half layout, for
     * N rows of C floats: the first n_heads heads of width D of row n are
     * rotated by position pos[n] (the rest of the row is copied). In each
     * head the first rot (even, <= D) dimensions rotate in pairs (i, i +
     * rot/2) by the angle pos * inv_freq[i], inv_freq[i] = 1 / theta^(2i /
     * rot) computed in fp32 and the angle as the fp32 product, as
     * LlamaRotaryEmbedding does: out_i = x_i cos - x_{i+rot/2} sin,
     * out_{i+rot/2} = x_{i+rot/2} cos + x_i sin; dimensions past rot are
     * copied. backward accumulates the inverse rotation of dout into dinp. */
    void (*rope_forward)(float *out, const float *inp, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                         int64_t D, int64_t rot, float theta);
    void (*rope_backward)(float *dinp, const float *dout, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                          int64_t D, int64_t rot, float theta);
    /* QK-norm: RMSNorm without a weight over each of the first n_heads
     * heads of width D of every row of C floats (a fused q|k|v row's query
     * and key heads), the rest of the row copied: out = x * rstd, rstd =
     * 1 / sqrt(mean(x^2) + eps) per head, saved (N, n_heads) for backward
     * (torch.nn.functional.rms_norm(x, (D,), eps=eps)). backward accumulates
     * dx = rstd (dy - xhat mean(dy xhat)), xhat = x rstd, on the normed
     * heads and dy on the copied columns. */
    void (*qk_norm_forward)(float *out, float *rstd, const float *inp, int64_t N, int64_t C, int64_t n_heads,
                            int64_t D, float eps);
    void (*qk_norm_backward)(float *dinp, const float *dout, const float *inp, const float *rstd, int64_t N,
                             int64_t C, int64_t n_heads, int64_t D);
    /* SwiGLU's gate: inp (N, 2F) holds gate | up; out (N, F) = silu(gate) *
     * up, silu(a) = a / (1 + exp(-a)) (transformers' LlamaMLP). */
    void (*swiglu_forward)(float *out, const float *inp, int64_t N, int64_t F);
    void (*swiglu_backward)(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F);
    /* GEGLU's gate (Shazeer 2020; Cramming's BERT): the same layout, out =
     * gelu(gate) * up with the exact (erf) GELU. */
    void (*geglu_forward)(float *out, const float *inp, int64_t N, int64_t F);
    void (*geglu_backward)(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F);

    /* ---- quantized inference (kernels/quant.h: ggml's Q8_0, Q4_0, Q4_1) ----
     * out (N, OC) = x (N, C) @ W^T + bias (OC, or NULL), W (OC, C) stored as
     * OC rows of C / 32 blocks of type qtype, used in place. x is quantized
     * per block of 32 to int8 (quant_act_row); each output is the sum over
     * blocks of the exact integer dot times the weight and activation
     * scales (plus Q4_1's m term), in fp32 (the ref in double). C must be a
     * multiple of 32. Inference only: there is no backward. */
    void (*matmul_forward_q)(float *out, const float *x, const void *w, int qtype, const float *bias, int64_t N,
                             int64_t C, int64_t OC);
    /* out (N, C) = the rows ids[n] of a (V, C) table of qtype blocks,
     * dequantized (quant_dequantize_row); ids in [0, V) (checked by the op). */
    void (*embedding_forward_q)(float *out, const void *table, int qtype, const int32_t *ids, int64_t N, int64_t C);
} kernels;

/* Scratch floats gru_forward/gru_backward need for (B, T, H). */
static inline int64_t gru_work_floats(int64_t B, int64_t T, int64_t H) { return 5 * B * H + 4 * B * T * H; }

extern const kernels kernels_ref;
/* The CPU kernels built for baseline x86-64, for AVX2 + FMA and for AVX-512. */
extern const kernels kernels_cpu_generic;
extern const kernels kernels_cpu_avx2;
extern const kernels kernels_cpu_avx512;

/* The best CPU table this processor runs: AVX-512 where the CPU and OS
 * support it, else AVX2 + FMA, else the baseline build; ATTN_CPU_ISA=avx2
 * or generic caps the choice (tests and comparisons). */
const kernels *kernels_cpu_best(void);
#define kernels_cpu (*kernels_cpu_best())

/* The table ops use: the best CPU table, or kernels_ref when ATTN_KERNELS=ref. */
const kernels *kernels_default(void);
/* Whether the kernels in use give the same bits on any thread count (all
 * but the BLAS's fp32 products: OpenBLAS sums some shapes differently on
 * one thread than on several). Training changes its thread count between
 * steps only when they do (core.h's thread governor). */
bool kernels_thread_invariant(void);

#endif
