/* The CPU kernel table, and the choice of table for the ops. */
#include "kernels/cpu/cpu.h"

#include <stdlib.h>

const kernels kernels_cpu = {
    .name = "cpu",
    .matmul_forward = cpu_matmul_forward,
    .matmul_backward = cpu_matmul_backward,
    .embedding_forward = cpu_embedding_forward,
    .embedding_backward = cpu_embedding_backward,
    .layernorm_forward = cpu_layernorm_forward,
    .layernorm_backward = cpu_layernorm_backward,
    .gelu_forward = cpu_gelu_forward,
    .gelu_backward = cpu_gelu_backward,
    .relu_forward = cpu_relu_forward,
    .relu_backward = cpu_relu_backward,
    .attention_forward = cpu_attention_forward,
    .attention_backward = cpu_attention_backward,
    .crossentropy_forward = cpu_crossentropy_forward,
    .crossentropy_backward = cpu_crossentropy_backward,
};

const kernels *kernels_default(void) {
    const char *e = getenv("ATTN_KERNELS");
    if (e && !strcmp(e, "ref")) return &kernels_ref;
    return &kernels_cpu;
}
