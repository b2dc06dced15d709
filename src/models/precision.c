/* precision.c — fp32 or bf16 matrix products for any model kind: the bf16
 * copies of the weight matrices (model_param_bf16) live in one block with
 * the fp32 block's offsets, and each parameter tensor points at its copy
 * (tensor.data_bf16), which op_linear then multiplies by. */
#include "kernels/bf16.h"
#include "models/model_impl.h"

void model_refresh_bf16(attn_model *m) {
    if (!m->weights_bf16) return;
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        if (!model_param_bf16(p)) continue;
        const float *w = m->weights + p->offset;
        uint16_t *h = m->weights_bf16 + p->offset;
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < p->numel; i++) h[i] = bf16_from_f32(w[i]);
    }
}

attn_status attn_model_set_precision(attn_model *m, attn_precision precision) {
    if (precision != ATTN_PRECISION_F32 && precision != ATTN_PRECISION_BF16)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "unknown precision %d", (int)precision);
    if (precision == ATTN_PRECISION_BF16 && !m->weights_bf16) {
        size_t bytes;
        if (!size_mul((size_t)m->n_weights, sizeof(uint16_t), &bytes) || !(m->weights_bf16 = attn_malloc_aligned(bytes)))
            return ATTN_ERR_OUT_OF_MEMORY;
        memset(m->weights_bf16, 0, bytes);
    } else if (precision == ATTN_PRECISION_F32) {
        attn_free_aligned(m->weights_bf16);
        m->weights_bf16 = NULL;
    }
    for (int k = 0; k < m->n_params_tensors; k++)
        m->ptensors[k].data_bf16 =
            m->weights_bf16 && model_param_bf16(&m->params[k]) ? m->weights_bf16 + m->params[k].offset : NULL;
    model_sync_views(m);
    model_refresh_bf16(m);
    return ATTN_OK;
}

attn_precision attn_model_precision(const attn_model *m) {
    return m->weights_bf16 ? ATTN_PRECISION_BF16 : ATTN_PRECISION_F32;
}
