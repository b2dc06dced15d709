/* ref.h — the reference kernels (see kernels.h for every contract). */
#ifndef ATTN_KERNELS_REF_H
#define ATTN_KERNELS_REF_H

#include "kernels/kernels.h"

void ref_matmul_forward(float *out, const float *inp, const float *weight, const float *bias,
                        int64_t N, int64_t C, int64_t OC);
void ref_matmul_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                         const float *inp, const float *weight, int64_t N, int64_t C, int64_t OC);
void ref_matmul_act_forward(float *out, float *pre, const float *inp, const float *weight, const float *bias, int64_t N,
                            int64_t C, int64_t OC, kernel_act act);
void ref_matmul_act_forward_bf16(float *out, float *pre, const float *inp, const uint16_t *weight, const float *bias,
                                 int64_t N, int64_t C, int64_t OC, kernel_act act);
/* out = act(inp) (n values) by the reference activation kernels. */
void ref_act_forward(float *out, const float *inp, int64_t n, kernel_act act);
void ref_embedding_forward(float *out, const float *table, const int32_t *ids, int64_t N, int64_t C);
void ref_embedding_backward(float *dtable, const float *dout, const int32_t *ids, int64_t N, int64_t C,
                            int64_t V);
void ref_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight,
                           const float *bias, int64_t N, int64_t C, float eps);
void ref_add_layernorm_forward(float *sum, float *out, float *mean, float *rstd, const float *a, const float *b,
                               const float *weight, const float *bias, int64_t N, int64_t C, float eps);
void ref_layernorm_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                            const float *weight, const float *mean, const float *rstd, int64_t N, int64_t C);
void ref_gelu_forward(float *out, const float *inp, int64_t n);
void ref_gelu_backward(float *dinp, const float *inp, const float *dout, int64_t n);
void ref_relu_forward(float *out, const float *inp, int64_t n);
void ref_relu_backward(float *dinp, const float *inp, const float *dout, int64_t n);
void ref_relu2_forward(float *out, const float *inp, int64_t n);
void ref_relu2_backward(float *dinp, const float *inp, const float *dout, int64_t n);
void ref_attention_forward(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                           const float *v);
void ref_attention_backward(const attn_dims *d, float *dq, float *dk, float *dv, const float *dout,
                            const float *out, const float *lse, const float *q, const float *k,
                            const float *v);
void ref_crossentropy_forward(float *losses, float *lse, const float *logits, const int32_t *targets,
                              int64_t N, int64_t V, int32_t ignore_index);
void ref_crossentropy_backward(float *dlogits, const float *logits, const float *lse, const int32_t *targets,
                               float scale, int64_t N, int64_t V, int32_t ignore_index);
void ref_gelu_erf_forward(float *out, const float *inp, int64_t n);
void ref_gelu_erf_backward(float *dinp, const float *inp, const float *dout, int64_t n);
void ref_tanh_forward(float *out, const float *inp, int64_t n);
void ref_tanh_backward(float *dinp, const float *out, const float *dout, int64_t n);
void ref_crossentropy_smooth_forward(float *losses, float *lse, const float *logits, const int32_t *targets,
                                     int64_t N, int64_t V, int32_t ignore_index, float eps);
void ref_log_softmax_rows(float *x, int64_t N, int64_t V);
void ref_crossentropy_smooth_backward(float *dlogits, const float *logits, const float *lse, const int32_t *targets,
                                      float scale, int64_t N, int64_t V, int32_t ignore_index, float eps);
void ref_gru_cell_forward(float *out, float *saved, const float *gi, const float *gh, const float *h, int64_t N,
                          int64_t H);
void ref_gru_cell_backward(float *dgi, float *dgh, float *dh, const float *dout, const float *saved,
                           const float *gh, const float *h, int64_t N, int64_t H);
void ref_gru_forward(float *out, float *saved, float *work, const float *gi, const float *w_hh, const float *b_hh,
                     const int32_t *lengths, int64_t B, int64_t T, int64_t H, bool reverse);
void ref_gru_backward(float *dgi, float *dw_hh, float *db_hh, float *work, const float *dout, const float *out,
                      const float *saved, const float *w_hh, const int32_t *lengths, int64_t B, int64_t T,
                      int64_t H, bool reverse);
void ref_additive_attention_forward(float *a, const float *ws, const float *uh, const float *v,
                                    const int32_t *lengths, int64_t B, int64_t S, int64_t A);
void ref_additive_attention_backward(float *dws, float *duh, float *dv, float *work, const float *da,
                                     const float *a, const float *ws, const float *uh, const float *v,
                                     const int32_t *lengths, int64_t B, int64_t S, int64_t A);
void ref_matmul_forward_bf16(float *out, const float *inp, const uint16_t *weight, const float *bias, int64_t N,
                             int64_t C, int64_t OC);
void ref_adamw(float *w, float *m, float *v, uint16_t *w_bf16, const float *g, int64_t n, const adamw_hparams *h);
double ref_sumsq(const float *x, int64_t n);
void ref_matmul_backward_bf16(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                              const uint16_t *weight, int64_t N, int64_t C, int64_t OC);
/* Llama-style decoders (ref_llama.c) */
void ref_rmsnorm_forward(float *out, float *rstd, const float *inp, const float *weight, int64_t N, int64_t C,
                         float eps);
void ref_rmsnorm_backward(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                          const float *rstd, int64_t N, int64_t C);
void ref_add_rmsnorm_forward(float *sum, float *out, float *rstd, const float *a, const float *b, const float *weight,
                             int64_t N, int64_t C, float eps);
void ref_rope_forward(float *out, const float *inp, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                      int64_t D, int64_t rot, float theta);
void ref_rope_backward(float *dinp, const float *dout, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                       int64_t D, int64_t rot, float theta);
void ref_qk_norm_forward(float *out, float *rstd, const float *inp, int64_t N, int64_t C, int64_t n_heads, int64_t D,
                         float eps);
void ref_qk_norm_backward(float *dinp, const float *dout, const float *inp, const float *rstd, int64_t N, int64_t C,
                          int64_t n_heads, int64_t D);
void ref_swiglu_forward(float *out, const float *inp, int64_t N, int64_t F);
void ref_swiglu_backward(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F);
void ref_geglu_forward(float *out, const float *inp, int64_t N, int64_t F);
void ref_geglu_backward(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F);


/* Quantized inference (kernels/quant.h): the exact integer dot of one
 * block with its activation block, the output term in double; the linear
 * layer (sums in double) and the embedding lookup. */
struct quant_act;
double ref_quant_block_term(int qtype, const void *w, const struct quant_act *a);
void ref_matmul_forward_q(float *out, const float *x, const void *w, int qtype, const float *bias, int64_t N, int64_t C,
                          int64_t OC);
void ref_embedding_forward_q(float *out, const void *table, int qtype, const int32_t *ids, int64_t N, int64_t C);

#endif
