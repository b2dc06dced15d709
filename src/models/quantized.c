/* quantized.c — models whose matrices are stored in ggml's block types
 * (Q8_0, Q4_0, Q4_1: kernels/quant.h) and multiplied as they are
 * (op_linear through tensor.data_q): GGUF files keep their quantized
 * tensors, and an fp32 model is quantized on request
 * (attn_model_set_precision). Inference only. */
#include "kernels/quant.h"
#include "models/model_impl.h"

static _Thread_local bool lazy_next;

void model_params_lazy(bool on) { lazy_next = on; }

bool model_params_take_lazy(void) {
    bool on = lazy_next;
    lazy_next = false;
    return on;
}

/* Whether parameter k is packed against k + 1 (parts of one fused view). */
static bool packed_next(const attn_model *m, int k) {
    return k + 1 < m->n_params_tensors && (m->table->rows[m->params[k].spec].flags & PF_PACK);
}

void model_quant_runs(const attn_model *m, int *qtype) {
    for (int k = 0; k < m->n_params_tensors;) {
        int end = k;
        while (packed_next(m, end)) end++;
        bool same = true;
        for (int i = k; i <= end; i++) same = same && qtype[i] && qtype[i] == qtype[k];
        for (int i = k; i <= end && !same; i++) qtype[i] = 0;
        k = end + 1;
    }
}

attn_status model_quantize(attn_model *m, const int *qtype, const void *const *src) {
    if (m->qweights) return attn_errorf(ATTN_ERR_INVALID_ARG, "the model is quantized already");
    if (m->grads) return attn_errorf(ATTN_ERR_INVALID_ARG, "a model being trained cannot be quantized");
    size_t total = 0;
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        if (!qtype[k]) continue;
        if (!quant_type_valid(qtype[k]) || p->ndim != 2 || p->shape[1] % QUANT_BLOCK)
            return attn_errorf(ATTN_ERR_INVALID_ARG, "%s (%lld x %lld) cannot be stored as type %d: Q8_0, Q4_0 or Q4_1 "
                               "matrices with rows a multiple of %d wide", p->name, (long long)p->shape[0],
                               (long long)p->shape[1], qtype[k], QUANT_BLOCK);
        if (packed_next(m, k) && qtype[k + 1] != qtype[k])
            return attn_errorf(ATTN_ERR_INVALID_ARG, "%s and %s form one projection and need one type", p->name,
                               m->params[k + 1].name);
        if (k > 0 && packed_next(m, k - 1) && qtype[k - 1] != qtype[k])
            return attn_errorf(ATTN_ERR_INVALID_ARG, "%s and %s form one projection and need one type",
                               m->params[k - 1].name, p->name);
        if (!(k > 0 && packed_next(m, k - 1))) total = (total + 63) & ~(size_t)63;
        total += quant_row_bytes(qtype[k], p->shape[1]) * (size_t)p->shape[0];
    }
    if (!total) return ATTN_OK;
    unsigned char *q = attn_malloc_aligned(total);
    if (!q) return ATTN_ERR_OUT_OF_MEMORY;
    size_t at = 0;
    for (int k = 0; k < m->n_params_tensors; k++) {
        param_info *p = &m->params[k];
        if (!qtype[k]) continue;
        if (!(k > 0 && packed_next(m, k - 1))) at = (at + 63) & ~(size_t)63;
        size_t bytes = quant_row_bytes(qtype[k], p->shape[1]) * (size_t)p->shape[0];
        if (src && src[k]) {
            memcpy(q + at, src[k], bytes);
            map_release(src[k], bytes); /* so a file's blocks and their copy are not resident together */
        } else
            for (int64_t r = 0; r < p->shape[0]; r++)
                quant_quantize_row(qtype[k], m->weights + p->offset + r * p->shape[1],
                                   q + at + (size_t)r * quant_row_bytes(qtype[k], p->shape[1]), p->shape[1]);
        /* the matrix's fp32 values are not read again (model_dequantize
         * writes them back): their pages go back to the system */
        mem_release(m->weights + p->offset, (size_t)p->numel * sizeof(float));
        p->qtype = qtype[k];
        p->q_offset = at;
        m->ptensors[k].data_q = q + at;
        m->ptensors[k].qtype = qtype[k];
        at += bytes;
    }
    m->qweights = q;
    model_sync_views(m);
    return ATTN_OK;
}

void model_dequantize(attn_model *m) {
    if (!m->qweights) return;
    for (int k = 0; k < m->n_params_tensors; k++) {
        param_info *p = &m->params[k];
        if (!p->qtype) continue;
        model_param_f32(m, k, m->weights + p->offset);
        p->qtype = 0;
        p->q_offset = 0;
        m->ptensors[k].data_q = NULL;
        m->ptensors[k].qtype = 0;
    }
    attn_free_aligned(m->qweights);
    m->qweights = NULL;
    model_sync_views(m);
}

void model_param_f32(const attn_model *m, int k, float *out) {
    const param_info *p = &m->params[k];
    if (!p->qtype) {
        memcpy(out, m->weights + p->offset, (size_t)p->numel * sizeof(float));
        return;
    }
    size_t row = quant_row_bytes(p->qtype, p->shape[1]);
    for (int64_t r = 0; r < p->shape[0]; r++)
        quant_dequantize_row(p->qtype, m->qweights + p->q_offset + (size_t)r * row, out + r * p->shape[1], p->shape[1]);
}
