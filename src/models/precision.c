/* precision.c — fp32 or bf16 matrix products for any model kind: the bf16
 * copies of the weight matrices (model_param_bf16) live in one block with
 * the fp32 block's offsets, and each parameter tensor points at its copy
 * (tensor.data_bf16), which op_linear then multiplies by. */
#include "kernels/bf16.h"
#include "kernels/quant.h"
#include "models/model_impl.h"

void model_refresh_bf16(attn_model *m) {
    if (!m->weights_bf16 || m->f32_released) return;
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        if (!model_param_bf16(p) || p->qtype) continue;
        const float *w = m->weights + p->offset;
        uint16_t *h = m->weights_bf16 + p->offset;
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < p->numel; i++) h[i] = bf16_from_f32(w[i]);
    }
}

static const int QTYPE_OF[] = {[ATTN_PRECISION_Q8_0] = QUANT_Q8_0, [ATTN_PRECISION_Q4_0] = QUANT_Q4_0,
                               [ATTN_PRECISION_Q4_1] = QUANT_Q4_1};

/* Every matrix whose rows are whole blocks, unless a part of its fused
 * view is not. */
static attn_status quantize_all(attn_model *m, int qtype) {
    int n = m->n_params_tensors;
    int *qt = attn_calloc((size_t)n, sizeof *qt);
    if (!qt) return ATTN_ERR_OUT_OF_MEMORY;
    for (int k = 0; k < n; k++) qt[k] = m->params[k].ndim == 2 && m->params[k].shape[1] % QUANT_BLOCK == 0 ? qtype : 0;
    model_quant_runs(m, qt); /* a run of packed parameters takes one type or none */
    attn_status st = model_quantize(m, qt, NULL);
    attn_free(qt);
    return st;
}

attn_status model_released_error(const char *what) {
    return attn_errorf(ATTN_ERR_UNSUPPORTED, "this model's fp32 weights were released for bf16 inference: it cannot be "
                       "%s (load it again)", what);
}

attn_status attn_model_set_precision(attn_model *m, attn_precision precision) {
    if (precision < ATTN_PRECISION_F32 || precision > ATTN_PRECISION_Q4_1)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "unknown precision %d", (int)precision);
    if (m->f32_released)
        return precision == ATTN_PRECISION_BF16 ? ATTN_OK : model_released_error("set to another precision");
    if (m->qweights) {
        bool same = precision >= ATTN_PRECISION_Q8_0;
        for (int k = 0; same && k < m->n_params_tensors; k++)
            same = !m->params[k].qtype || m->params[k].qtype == QTYPE_OF[precision];
        if (same) return ATTN_OK;
        model_dequantize(m);
    }
    if (precision >= ATTN_PRECISION_Q8_0) {
        attn_status st = attn_model_set_precision(m, ATTN_PRECISION_F32);
        return st ? st : quantize_all(m, QTYPE_OF[precision]);
    }
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

attn_status attn_model_release_f32(attn_model *m) {
    if (!m) return attn_errorf(ATTN_ERR_INVALID_ARG, "attn_model_release_f32: model is NULL");
    if (m->f32_released || !m->weights_bf16 || !model_families[m->kind].forward) return ATTN_OK;
    if (m->grads) return attn_errorf(ATTN_ERR_INVALID_ARG, "a model being trained keeps its fp32 weights");
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        if (!model_param_bf16(p) || p->qtype) continue;
        mem_release(m->weights + p->offset, (size_t)p->numel * sizeof(float));
        m->ptensors[k].bf16_only = true;
    }
    m->f32_released = true;
    model_sync_views(m);
    return ATTN_OK;
}

attn_precision attn_model_precision(const attn_model *m) {
    int64_t n[ATTN_PRECISION_Q4_1 + 1] = {0};
    int best = 0;
    for (int k = 0; m->qweights && k < m->n_params_tensors; k++)
        for (int p = ATTN_PRECISION_Q8_0; p <= ATTN_PRECISION_Q4_1; p++)
            if (m->params[k].qtype == QTYPE_OF[p] && (n[p] += m->params[k].numel) > n[best]) best = p;
    if (best) return (attn_precision)best;
    return m->weights_bf16 ? ATTN_PRECISION_BF16 : ATTN_PRECISION_F32;
}
