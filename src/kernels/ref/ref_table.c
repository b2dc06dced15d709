/* The reference kernel table. */
#include "kernels/ref/ref.h"

const kernels kernels_ref = {
    .name = "ref",
    .matmul_forward = ref_matmul_forward,
    .matmul_backward = ref_matmul_backward,
    .embedding_forward = ref_embedding_forward,
    .embedding_backward = ref_embedding_backward,
    .layernorm_forward = ref_layernorm_forward,
    .layernorm_backward = ref_layernorm_backward,
    .gelu_forward = ref_gelu_forward,
    .gelu_backward = ref_gelu_backward,
    .relu_forward = ref_relu_forward,
    .relu_backward = ref_relu_backward,
    .attention_forward = ref_attention_forward,
    .attention_backward = ref_attention_backward,
    .crossentropy_forward = ref_crossentropy_forward,
    .crossentropy_backward = ref_crossentropy_backward,
    .gelu_erf_forward = ref_gelu_erf_forward,
    .gelu_erf_backward = ref_gelu_erf_backward,
    .tanh_forward = ref_tanh_forward,
    .tanh_backward = ref_tanh_backward,
    .matmul_forward_bf16 = ref_matmul_forward_bf16,
    .matmul_backward_bf16 = ref_matmul_backward_bf16,
};
