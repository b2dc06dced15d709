/* The CPU kernel table of one instruction-set build. */
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/gemm_bf16.h"
#include "kernels/cpu/cpu_quant.h"

#undef kernels_cpu /* the macro of kernels.h; here the name is a table prefix */


const kernels CPU_FN(kernels_cpu) = {
    .name = "cpu-" CPU_STR(CPU_ISA),
    .matmul_forward = CPU_FN(cpu_matmul_forward),
    .matmul_act_forward = CPU_FN(cpu_matmul_act_forward),
    .matmul_backward = CPU_FN(cpu_matmul_backward),
    .embedding_forward = CPU_FN(cpu_embedding_forward),
    .embedding_backward = CPU_FN(cpu_embedding_backward),
    .layernorm_forward = CPU_FN(cpu_layernorm_forward),
    .layernorm_backward = CPU_FN(cpu_layernorm_backward),
    .add_layernorm_forward = CPU_FN(cpu_add_layernorm_forward),
    .gelu_forward = CPU_FN(cpu_gelu_forward),
    .gelu_backward = CPU_FN(cpu_gelu_backward),
    .relu_forward = CPU_FN(cpu_relu_forward),
    .relu_backward = CPU_FN(cpu_relu_backward),
    .relu2_forward = CPU_FN(cpu_relu2_forward),
    .relu2_backward = CPU_FN(cpu_relu2_backward),
    .attention_forward = CPU_FN(cpu_attention_forward),
    .attention_backward = CPU_FN(cpu_attention_backward),
    .crossentropy_forward = CPU_FN(cpu_crossentropy_forward),
    .crossentropy_backward = CPU_FN(cpu_crossentropy_backward),
    .gelu_erf_forward = CPU_FN(cpu_gelu_erf_forward),
    .gelu_erf_backward = CPU_FN(cpu_gelu_erf_backward),
    .tanh_forward = CPU_FN(cpu_tanh_forward),
    .tanh_backward = CPU_FN(cpu_tanh_backward),
    .crossentropy_smooth_forward = CPU_FN(cpu_crossentropy_smooth_forward),
    .crossentropy_smooth_backward = CPU_FN(cpu_crossentropy_smooth_backward),
    .log_softmax_rows = CPU_FN(cpu_log_softmax_rows),
    .gru_cell_forward = CPU_FN(cpu_gru_cell_forward),
    .gru_cell_backward = CPU_FN(cpu_gru_cell_backward),
    .gru_forward = CPU_FN(cpu_gru_forward),
    .gru_backward = CPU_FN(cpu_gru_backward),
    .additive_attention_forward = CPU_FN(cpu_additive_attention_forward),
    .additive_attention_backward = CPU_FN(cpu_additive_attention_backward),
    .matmul_forward_bf16 = CPU_FN(cpu_matmul_forward_bf16),
    .matmul_act_forward_bf16 = CPU_FN(cpu_matmul_act_forward_bf16),
    .matmul_backward_bf16 = CPU_FN(cpu_matmul_backward_bf16),
    .adamw = CPU_FN(cpu_adamw),
    .sumsq = CPU_FN(cpu_sumsq),
    /* Llama-style decoders */
    .rmsnorm_forward = CPU_FN(cpu_rmsnorm_forward),
    .rmsnorm_backward = CPU_FN(cpu_rmsnorm_backward),
    .add_rmsnorm_forward = CPU_FN(cpu_add_rmsnorm_forward),
    .rope_forward = CPU_FN(cpu_rope_forward),
    .rope_backward = CPU_FN(cpu_rope_backward),
    .qk_norm_forward = CPU_FN(cpu_qk_norm_forward),
    .qk_norm_backward = CPU_FN(cpu_qk_norm_backward),
    .swiglu_forward = CPU_FN(cpu_swiglu_forward),
    .swiglu_backward = CPU_FN(cpu_swiglu_backward),
    .matmul_forward_q = CPU_FN(cpu_matmul_forward_q),
    .embedding_forward_q = CPU_FN(cpu_embedding_forward_q),
};
