/* cpu.h — the fast CPU kernels (see kernels.h for every contract). */
#ifndef ATTN_KERNELS_CPU_H
#define ATTN_KERNELS_CPU_H

#include "kernels/kernels.h"

#include <stdbool.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Whether the caller already runs inside a parallel region. A loop that
 * may be called from one (a band of gemm_threads) runs serially, without
 * a `parallel` construct, when it is: a nested region would get one thread
 * anyway, and libgomp allocates a team even for that (an `if (false)`
 * clause included), ending the process with its own "out of memory" when
 * memory has just run out. */
static inline bool cpu_in_team(void) {
#ifdef _OPENMP
    return omp_in_parallel();
#else
    return false;
#endif
}

/* Every file of kernels/cpu/ is compiled once per instruction set (see the
 * Makefile): CPU_ISA names the build (generic = baseline x86-64, avx2 =
 * AVX2 + FMA + F16C, avx512 = AVX-512 F/BW/VL/DQ + FMA) and CPU_FN(name)
 * gives each build's symbols their own suffix. Hand-written intrinsics
 * are AVX-512 only; the other builds get their vectors from the compiler
 * (`omp simd` loops). dispatch.c picks a table at run time. */
#ifndef CPU_ISA
#define CPU_ISA generic
#endif
#define CPU_CAT2(a, b) a##_##b
#define CPU_CAT(a, b) CPU_CAT2(a, b)
#define CPU_FN(name) CPU_CAT(name, CPU_ISA)
#define CPU_STR2(x) #x
#define CPU_STR(x) CPU_STR2(x)

void CPU_FN(cpu_adamw)(float *w, float *m, float *v, uint16_t *w_bf16, const float *g, int64_t n,
                       const adamw_hparams *h);
double CPU_FN(cpu_sumsq)(const float *x, int64_t n);
void CPU_FN(cpu_matmul_forward)(float *out, const float *inp, const float *weight, const float *bias, int64_t N,
                        int64_t C, int64_t OC);
void CPU_FN(cpu_matmul_backward)(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                         const float *weight, int64_t N, int64_t C, int64_t OC);
void CPU_FN(cpu_matmul_act_forward)(float *out, float *pre, const float *inp, const float *weight, const float *bias,
                                    int64_t N, int64_t C, int64_t OC, kernel_act act);
void CPU_FN(cpu_embedding_forward)(float *out, const float *table, const int32_t *ids, int64_t N, int64_t C);
void CPU_FN(cpu_embedding_backward)(float *dtable, const float *dout, const int32_t *ids, int64_t N, int64_t C,
                            int64_t V);
void CPU_FN(cpu_layernorm_forward)(float *out, float *mean, float *rstd, const float *inp, const float *weight,
                           const float *bias, int64_t N, int64_t C, float eps);
void CPU_FN(cpu_add_layernorm_forward)(float *sum, float *out, float *mean, float *rstd, const float *a, const float *b,
                                       const float *weight, const float *bias, int64_t N, int64_t C, float eps);
void CPU_FN(cpu_layernorm_backward)(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                            const float *weight, const float *mean, const float *rstd, int64_t N, int64_t C);
void CPU_FN(cpu_gelu_forward)(float *out, const float *inp, int64_t n);
void CPU_FN(cpu_gelu_backward)(float *dinp, const float *inp, const float *dout, int64_t n);
void CPU_FN(cpu_relu_forward)(float *out, const float *inp, int64_t n);
void CPU_FN(cpu_relu_backward)(float *dinp, const float *inp, const float *dout, int64_t n);
void CPU_FN(cpu_relu2_forward)(float *out, const float *inp, int64_t n);
void CPU_FN(cpu_relu2_backward)(float *dinp, const float *inp, const float *dout, int64_t n);
void CPU_FN(cpu_attention_forward)(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                           const float *v);
void CPU_FN(cpu_attention_backward)(const attn_dims *d, float *dq, float *dk, float *dv, const float *dout,
                            const float *out, const float *lse, const float *q, const float *k,
                            const float *v);
/* Row-at-a-time attention, any head width (the tiled kernels' fallback,
 * and the forward of one-query steps). */
void CPU_FN(cpu_attention_forward_rows)(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                                        const float *v);
/* The tiled forward alone (head width <= 128); cpu_attention_forward
 * chooses between it and the row kernel. */
void CPU_FN(cpu_attention_forward_tiles)(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                                         const float *v);
/* Both forward paths of the AVX-512 build by name (bench_attention's
 * decode rows; call only on an AVX-512 CPU). */
void cpu_attention_forward_rows_avx512(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                                       const float *v);
void cpu_attention_forward_tiles_avx512(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                                        const float *v);
void CPU_FN(cpu_attention_backward_rows)(const attn_dims *d, float *dq, float *dk, float *dv, const float *dout,
                                         const float *out, const float *lse, const float *q, const float *k,
                                         const float *v);
void CPU_FN(cpu_crossentropy_forward)(float *losses, float *lse, const float *logits, const int32_t *targets,
                              int64_t N, int64_t V, int32_t ignore_index);
void CPU_FN(cpu_crossentropy_backward)(float *dlogits, const float *logits, const float *lse, const int32_t *targets,
                               float scale, int64_t N, int64_t V, int32_t ignore_index);
void CPU_FN(cpu_gelu_erf_forward)(float *out, const float *inp, int64_t n);
void CPU_FN(cpu_gelu_erf_backward)(float *dinp, const float *inp, const float *dout, int64_t n);
void CPU_FN(cpu_tanh_forward)(float *out, const float *inp, int64_t n);
void CPU_FN(cpu_tanh_backward)(float *dinp, const float *out, const float *dout, int64_t n);
void CPU_FN(cpu_crossentropy_smooth_forward)(float *losses, float *lse, const float *logits, const int32_t *targets,
                                             int64_t N, int64_t V, int32_t ignore_index, float eps);
void CPU_FN(cpu_log_softmax_rows)(float *x, int64_t N, int64_t V);
void CPU_FN(cpu_crossentropy_smooth_backward)(float *dlogits, const float *logits, const float *lse,
                                              const int32_t *targets, float scale, int64_t N, int64_t V,
                                              int32_t ignore_index, float eps);

void CPU_FN(cpu_gru_cell_forward)(float *out, float *saved, const float *gi, const float *gh, const float *h,
                                  int64_t N, int64_t H);
void CPU_FN(cpu_gru_cell_backward)(float *dgi, float *dgh, float *dh, const float *dout, const float *saved,
                                   const float *gh, const float *h, int64_t N, int64_t H);
void CPU_FN(cpu_gru_forward)(float *out, float *saved, float *work, const float *gi, const float *w_hh,
                             const float *b_hh, const int32_t *lengths, int64_t B, int64_t T, int64_t H,
                             bool reverse);
void CPU_FN(cpu_gru_backward)(float *dgi, float *dw_hh, float *db_hh, float *work, const float *dout,
                              const float *out, const float *saved, const float *w_hh, const int32_t *lengths,
                              int64_t B, int64_t T, int64_t H, bool reverse);
void CPU_FN(cpu_additive_attention_forward)(float *a, const float *ws, const float *uh, const float *v,
                                            const int32_t *lengths, int64_t B, int64_t S, int64_t A);
void CPU_FN(cpu_additive_attention_backward)(float *dws, float *duh, float *dv, float *work, const float *da,
                                             const float *a, const float *ws, const float *uh, const float *v,
                                             const int32_t *lengths, int64_t B, int64_t S, int64_t A);

/* Llama-style decoders (cpu_llama.c) */
void CPU_FN(cpu_rmsnorm_forward)(float *out, float *rstd, const float *inp, const float *weight, int64_t N, int64_t C,
                                 float eps);
void CPU_FN(cpu_rmsnorm_backward)(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                                  const float *rstd, int64_t N, int64_t C);
void CPU_FN(cpu_add_rmsnorm_forward)(float *sum, float *out, float *rstd, const float *a, const float *b,
                                     const float *weight, int64_t N, int64_t C, float eps);
void CPU_FN(cpu_rope_forward)(float *out, const float *inp, const int32_t *pos, int64_t N, int64_t C, int64_t n_heads,
                              int64_t D, int64_t rot, float theta);
void CPU_FN(cpu_rope_backward)(float *dinp, const float *dout, const int32_t *pos, int64_t N, int64_t C,
                               int64_t n_heads, int64_t D, int64_t rot, float theta);
void CPU_FN(cpu_qk_norm_forward)(float *out, float *rstd, const float *inp, int64_t N, int64_t C, int64_t n_heads,
                                 int64_t D, float eps);
void CPU_FN(cpu_qk_norm_backward)(float *dinp, const float *dout, const float *inp, const float *rstd, int64_t N,
                                  int64_t C, int64_t n_heads, int64_t D);
void CPU_FN(cpu_swiglu_forward)(float *out, const float *inp, int64_t N, int64_t F);
void CPU_FN(cpu_swiglu_backward)(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F);
void CPU_FN(cpu_geglu_forward)(float *out, const float *inp, int64_t N, int64_t F);
void CPU_FN(cpu_geglu_backward)(float *dinp, const float *inp, const float *dout, int64_t N, int64_t F);

#endif
