/* The ops of the Llama-style decoders: RMSNorm (alone and fused with the
 * residual add), rotary position embedding, QK-norm and SwiGLU's gate. Contracts in
 * graph.h; kernels in kernels/ref/ref_llama.c and kernels/cpu/cpu_llama.c. */
#include "ops/ops_impl.h"

static bool llama_skip(graph *g, const void *a, const void *b) {
    if (g->status) return true;
    if (!a || !b) {
        g->status = ATTN_ERR_INVALID_ARG;
        return true;
    }
    return false;
}

static tensor *llama_fail(graph *g, const char *what) {
    if (!g->status) g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "%s", what);
    return NULL;
}

static tensor *shaped_like(graph *g, const tensor *x, int64_t last) {
    int64_t shape[TENSOR_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) shape[i] = x->shape[i];
    shape[x->ndim - 1] = last;
    return graph_tensor(g, x->ndim, shape);
}

static tape_entry *llama_record(graph *g, op_kind op, tensor *out, tensor *a, tensor *b) {
    out->requires_grad = a->requires_grad || (b && b->requires_grad);
    tape_entry *e = out->requires_grad ? graph_record(g, op, out) : NULL;
    if (e) e->in[0] = a, e->in[1] = b;
    return e;
}

/* ---- RMSNorm ---------------------------------------------------------------- */

tensor *op_rmsnorm(graph *g, tensor *x, tensor *w, float eps) {
    if (llama_skip(g, x, w)) return NULL;
    int64_t C = x->shape[x->ndim - 1], N = x->numel / C;
    if (w->numel != C) return llama_fail(g, "rmsnorm: weight size differs from the width");
    tensor *out = shaped_like(g, x, C);
    float *rstd = graph_floats(g, N);
    if (!out || !rstd) return NULL;
    g->k->rmsnorm_forward(out->data, rstd, x->data, w->data, N, C, eps);
    tape_entry *e = llama_record(g, OP_RMSNORM, out, x, w);
    if (e) e->saved[0] = rstd;
    return out;
}

tensor *op_add_rmsnorm(graph *g, tensor *a, tensor *b, tensor *w, float eps, tensor **sum_out) {
    if (sum_out) *sum_out = NULL;
    if (llama_skip(g, a, b) || llama_skip(g, w, w)) return NULL;
    int64_t C = a->shape[a->ndim - 1], N = a->numel / C;
    if (a->numel != b->numel) return llama_fail(g, "add: sizes differ");
    if (w->numel != C) return llama_fail(g, "rmsnorm: weight size differs from the width");
    tensor *sum = shaped_like(g, a, C), *out = shaped_like(g, a, C);
    float *rstd = graph_floats(g, N);
    if (!sum || !out || !rstd) return NULL;
    g->k->add_rmsnorm_forward(sum->data, out->data, rstd, a->data, b->data, w->data, N, C, eps);
    /* on the tape as the add and the norm it replaces */
    llama_record(g, OP_ADD, sum, a, b);
    tape_entry *e = llama_record(g, OP_RMSNORM, out, sum, w);
    if (e) e->saved[0] = rstd;
    if (sum_out) *sum_out = sum;
    return out;
}

void op_rmsnorm_backward(graph *g, tape_entry *e) {
    tensor *x = e->in[0], *w = e->in[1];
    int64_t C = x->shape[x->ndim - 1];
    g->k->rmsnorm_backward(x->requires_grad ? x->grad : NULL, w->requires_grad ? w->grad : NULL, e->out->grad, x->data,
                           w->data, e->saved[0], x->numel / C, C);
}

/* ---- rotary position embedding ------------------------------------------------ */

tensor *op_rope(graph *g, tensor *x, const int32_t *pos, int64_t n_heads, int64_t D, int64_t rot, float theta) {
    if (llama_skip(g, x, pos)) return NULL;
    int64_t C = x->shape[x->ndim - 1], N = x->numel / C;
    if (n_heads < 0 || D < 1 || n_heads * D > C || rot < 2 || rot % 2 || rot > D || rot > 512 || !(theta > 0.0f))
        return llama_fail(g, "rope: the rotated heads do not fit the rows (or rot is odd, or theta not positive)");
    tensor *out = shaped_like(g, x, C);
    if (!out) return NULL;
    g->k->rope_forward(out->data, x->data, pos, N, C, n_heads, D, rot, theta);
    tape_entry *e = llama_record(g, OP_ROPE, out, x, NULL);
    if (e) {
        e->ids = pos;
        e->cols[0] = n_heads, e->cols[1] = D, e->cols[2] = rot;
        e->fparam = theta;
    }
    return out;
}

void op_rope_backward(graph *g, tape_entry *e) {
    tensor *x = e->in[0];
    if (!x->requires_grad) return;
    int64_t C = x->shape[x->ndim - 1];
    g->k->rope_backward(x->grad, e->out->grad, e->ids, x->numel / C, C, e->cols[0], e->cols[1], e->cols[2], e->fparam);
}

/* ---- QK-norm ------------------------------------------------------------------ */

tensor *op_qk_norm(graph *g, tensor *x, int64_t n_heads, int64_t D, float eps) {
    if (llama_skip(g, x, x)) return NULL;
    int64_t C = x->shape[x->ndim - 1], N = x->numel / C;
    if (n_heads < 1 || D < 1 || n_heads * D > C || !(eps > 0.0f))
        return llama_fail(g, "qk_norm: the normed heads do not fit the rows (or eps is not positive)");
    tensor *out = shaped_like(g, x, C);
    float *rstd = graph_floats(g, N * n_heads);
    if (!out || !rstd) return NULL;
    g->k->qk_norm_forward(out->data, rstd, x->data, N, C, n_heads, D, eps);
    tape_entry *e = llama_record(g, OP_QK_NORM, out, x, NULL);
    if (e) {
        e->saved[0] = rstd;
        e->cols[0] = n_heads, e->cols[1] = D;
    }
    return out;
}

void op_qk_norm_backward(graph *g, tape_entry *e) {
    tensor *x = e->in[0];
    if (!x->requires_grad) return;
    int64_t C = x->shape[x->ndim - 1];
    g->k->qk_norm_backward(x->grad, e->out->grad, x->data, e->saved[0], x->numel / C, C, e->cols[0], e->cols[1]);
}

/* ---- SwiGLU and GEGLU ----------------------------------------------------------- */

/* A gated unit over x (..., 2F) = gate | up: SwiGLU's silu(gate) * up, or with geglu gelu(gate) * up. */
static tensor *gated_unit(graph *g, tensor *x, bool geglu) {
    if (llama_skip(g, x, x)) return NULL;
    int64_t C = x->shape[x->ndim - 1];
    if (C % 2) return llama_fail(g, geglu ? "geglu: the width must be even (gate | up)" : "swiglu: the width must be even (gate | up)");
    tensor *out = shaped_like(g, x, C / 2);
    if (!out) return NULL;
    (geglu ? g->k->geglu_forward : g->k->swiglu_forward)(out->data, x->data, x->numel / C, C / 2);
    llama_record(g, geglu ? OP_GEGLU : OP_SWIGLU, out, x, NULL);
    return out;
}

tensor *op_swiglu(graph *g, tensor *x) { return gated_unit(g, x, false); }
tensor *op_geglu(graph *g, tensor *x) { return gated_unit(g, x, true); }

static void gated_unit_backward(graph *g, tape_entry *e, bool geglu) {
    tensor *x = e->in[0];
    if (!x->requires_grad) return;
    int64_t C = x->shape[x->ndim - 1];
    (geglu ? g->k->geglu_backward : g->k->swiglu_backward)(x->grad, x->data, e->out->grad, x->numel / C, C / 2);
}

void op_swiglu_backward(graph *g, tape_entry *e) { gated_unit_backward(g, e, false); }
void op_geglu_backward(graph *g, tape_entry *e) { gated_unit_backward(g, e, true); }
