/* The recurrent ops of RNNsearch (Bahdanau et al., 2015): a GRU layer over
 * a padded batch and a GRU cell step (torch.nn.GRU's formulation), additive
 * attention weights and their weighted sum, and the small shape ops the
 * decoder needs (concatenation, stacking steps, maxout, a per-row
 * position). Contracts in graph.h; kernels in kernels/ref/ref_rnn.c and kernels/cpu/cpu_rnn.c. */
#include "ops/ops_impl.h"

static tensor *rnn_fail(graph *g, const char *what) {
    if (!g->status) g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "%s", what);
    return NULL;
}

/* NULL inputs (an earlier op failed) or an earlier failure: stop. */
static bool rnn_skip(graph *g, const void *a, const void *b, const void *c) {
    if (g->status) return true;
    if (!a || !b || !c) {
        g->status = ATTN_ERR_INVALID_ARG;
        return true;
    }
    return false;
}

static tape_entry *rnn_record(graph *g, op_kind op, tensor *out, tensor *a, tensor *b, tensor *c) {
    out->requires_grad = a->requires_grad || (b && b->requires_grad) || (c && c->requires_grad);
    tape_entry *e = out->requires_grad ? graph_record(g, op, out) : NULL;
    if (e) e->in[0] = a, e->in[1] = b, e->in[2] = c;
    return e;
}

static float *grad_or_null(tensor *t) { return t && t->requires_grad ? t->grad : NULL; }

static bool lengths_ok(graph *g, const int32_t *lengths, int64_t B, int64_t T) {
    for (int64_t b = 0; b < B; b++)
        if (lengths[b] < 0 || lengths[b] > T) {
            g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "row %lld has length %d outside [0, %lld]", (long long)b,
                                    (int)lengths[b], (long long)T);
            return false;
        }
    return true;
}

/* ---- GRU layer ------------------------------------------------------------ */

tensor *op_gru(graph *g, tensor *gi, tensor *w_hh, tensor *b_hh, const int32_t *lengths, bool reverse) {
    if (rnn_skip(g, gi, w_hh, lengths)) return NULL;
    int64_t H = w_hh->ndim == 2 ? w_hh->shape[1] : 0;
    if (gi->ndim != 3 || H <= 0 || w_hh->shape[0] != 3 * H || gi->shape[2] != 3 * H || gi->shape[1] < 1 ||
        (b_hh && b_hh->numel != 3 * H))
        return rnn_fail(g, "gru: gi must be (B, T, 3H), w_hh (3H, H), b_hh (3H)");
    int64_t B = gi->shape[0], T = gi->shape[1];
    if (!lengths_ok(g, lengths, B, T)) return NULL;
    tensor *out = graph_tensor(g, 3, (int64_t[]){B, T, H});
    float *saved = graph_floats(g, B * T * 4 * H), *work = graph_floats(g, 4 * B * H);
    if (!out || !saved || !work) return NULL;
    g->k->gru_forward(out->data, saved, work, gi->data, w_hh->data, b_hh ? b_hh->data : NULL, lengths, B, T, H,
                      reverse);
    tape_entry *e = rnn_record(g, OP_GRU, out, gi, w_hh, b_hh);
    if (e) {
        e->ids = lengths;
        e->saved[0] = saved;
        e->cols[0] = reverse;
    }
    return out;
}

void op_gru_backward(graph *g, tape_entry *e) {
    tensor *gi = e->in[0], *w_hh = e->in[1], *b_hh = e->in[2];
    int64_t B = gi->shape[0], T = gi->shape[1], H = w_hh->shape[1];
    float *work = graph_floats(g, gru_work_floats(B, T, H));
    if (!work) return;
    g->k->gru_backward(grad_or_null(gi), grad_or_null(w_hh), grad_or_null(b_hh), work, e->out->grad, e->out->data,
                       e->saved[0], w_hh->data, e->ids, B, T, H, e->cols[0] != 0);
}

/* ---- GRU cell ------------------------------------------------------------- */

tensor *op_gru_cell(graph *g, tensor *gi, tensor *gh, tensor *h) {
    if (rnn_skip(g, gi, gh, h)) return NULL;
    int64_t H = h->shape[h->ndim - 1], N = h->numel / (H > 0 ? H : 1);
    if (H <= 0 || gi->numel != N * 3 * H || gh->numel != N * 3 * H)
        return rnn_fail(g, "gru_cell: gi and gh must be (N, 3H) for h (N, H)");
    tensor *out = graph_tensor(g, 2, (int64_t[]){N, H});
    float *saved = graph_floats(g, N * 3 * H);
    if (!out || !saved) return NULL;
    g->k->gru_cell_forward(out->data, saved, gi->data, gh->data, h->data, N, H);
    tape_entry *e = rnn_record(g, OP_GRU_CELL, out, gi, gh, h);
    if (e) e->saved[0] = saved;
    return out;
}

void op_gru_cell_backward(graph *g, tape_entry *e) {
    tensor *gi = e->in[0], *gh = e->in[1], *h = e->in[2];
    g->k->gru_cell_backward(grad_or_null(gi), grad_or_null(gh), grad_or_null(h), e->out->grad, e->saved[0],
                            gh->data, h->data, e->out->shape[0], e->out->shape[1]);
}

/* ---- additive attention --------------------------------------------------- */

tensor *op_additive_attention(graph *g, tensor *ws, tensor *uh, tensor *v, const int32_t *lengths) {
    if (rnn_skip(g, ws, uh, v) || rnn_skip(g, lengths, lengths, lengths)) return NULL;
    if (uh->ndim != 3 || ws->ndim != 2 || ws->shape[0] != uh->shape[0] || ws->shape[1] != uh->shape[2] ||
        v->numel != uh->shape[2])
        return rnn_fail(g, "additive attention: ws must be (B, A), uh (B, S, A), v (A)");
    int64_t B = uh->shape[0], S = uh->shape[1], A = uh->shape[2];
    if (!lengths_ok(g, lengths, B, S)) return NULL;
    tensor *out = graph_tensor(g, 2, (int64_t[]){B, S});
    if (!out) return NULL;
    g->k->additive_attention_forward(out->data, ws->data, uh->data, v->data, lengths, B, S, A);
    tape_entry *e = rnn_record(g, OP_ADDITIVE_ATTENTION, out, ws, uh, v);
    if (e) e->ids = lengths;
    return out;
}

void op_additive_attention_backward(graph *g, tape_entry *e) {
    tensor *ws = e->in[0], *uh = e->in[1], *v = e->in[2];
    int64_t B = uh->shape[0], S = uh->shape[1], A = uh->shape[2];
    float *work = graph_floats(g, B * S);
    if (!work) return;
    g->k->additive_attention_backward(grad_or_null(ws), grad_or_null(uh), grad_or_null(v), work, e->out->grad,
                                      e->out->data, ws->data, uh->data, v->data, e->ids, B, S, A);
}

/* ---- weighted sum (the context vector) ------------------------------------ */

tensor *op_weighted_sum(graph *g, tensor *a, tensor *x) {
    if (rnn_skip(g, a, x, x)) return NULL;
    if (x->ndim != 3 || a->numel != x->shape[0] * x->shape[1])
        return rnn_fail(g, "weighted sum: a must be (B, S) for x (B, S, C)");
    int64_t B = x->shape[0], S = x->shape[1], C = x->shape[2];
    tensor *out = graph_tensor(g, 2, (int64_t[]){B, C});
    if (!out) return NULL;
    float *o = out->data;
    const float *ad = a->data, *xd = x->data;
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < B; b++) {
        float *ob = o + b * C;
        memset(ob, 0, (size_t)C * sizeof(float));
        for (int64_t j = 0; j < S; j++) {
            float w = ad[b * S + j];
            if (w == 0.0f) continue;
            const float *xj = xd + (b * S + j) * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) ob[c] += w * xj[c];
        }
    }
    rnn_record(g, OP_WEIGHTED_SUM, out, a, x, NULL);
    return out;
}

void op_weighted_sum_backward(graph *g, tape_entry *e) {
    (void)g;
    tensor *a = e->in[0], *x = e->in[1];
    int64_t B = x->shape[0], S = x->shape[1], C = x->shape[2];
    const float *d = e->out->grad;
    float *da = grad_or_null(a), *dx = grad_or_null(x);
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < B; b++)
        for (int64_t j = 0; j < S; j++) {
            const float *xj = x->data + (b * S + j) * C, *db = d + b * C;
            float w = a->data[b * S + j], s = 0.0f;
            if (dx) {
                float *dxj = dx + (b * S + j) * C;
#pragma omp simd
                for (int64_t c = 0; c < C; c++) dxj[c] += w * db[c];
            }
#pragma omp simd reduction(+ : s)
            for (int64_t c = 0; c < C; c++) s += xj[c] * db[c];
            if (da) da[b * S + j] += s;
        }
}

/* ---- concatenation, stacking, maxout, per-row position -------------------- */

tensor *op_concat(graph *g, tensor *a, tensor *b) {
    if (rnn_skip(g, a, b, b)) return NULL;
    int64_t Ca = a->shape[a->ndim - 1], Cb = b->shape[b->ndim - 1], N = a->numel / Ca;
    if (b->numel / Cb != N || b->numel % Cb) return rnn_fail(g, "concat: the inputs have different row counts");
    int64_t shape[TENSOR_MAX_DIMS];
    for (int i = 0; i < a->ndim; i++) shape[i] = a->shape[i];
    shape[a->ndim - 1] = Ca + Cb;
    tensor *out = graph_tensor(g, a->ndim, shape);
    if (!out) return NULL;
    for (int64_t n = 0; n < N; n++) {
        memcpy(out->data + n * (Ca + Cb), a->data + n * Ca, (size_t)Ca * sizeof(float));
        memcpy(out->data + n * (Ca + Cb) + Ca, b->data + n * Cb, (size_t)Cb * sizeof(float));
    }
    rnn_record(g, OP_CONCAT, out, a, b, NULL);
    return out;
}

void op_concat_backward(graph *g, tape_entry *e) {
    (void)g;
    tensor *a = e->in[0], *b = e->in[1];
    int64_t Ca = a->shape[a->ndim - 1], Cb = b->shape[b->ndim - 1], N = a->numel / Ca;
    for (int64_t n = 0; n < N; n++) {
        const float *d = e->out->grad + n * (Ca + Cb);
        if (a->requires_grad)
            for (int64_t c = 0; c < Ca; c++) a->grad[n * Ca + c] += d[c];
        if (b->requires_grad)
            for (int64_t c = 0; c < Cb; c++) b->grad[n * Cb + c] += d[Ca + c];
    }
}

tensor *op_stack(graph *g, tensor **xs, int64_t n) {
    if (rnn_skip(g, xs, xs, xs)) return NULL;
    if (n < 1) return rnn_fail(g, "stack: no tensors");
    for (int64_t i = 0; i < n; i++)
        if (rnn_skip(g, xs[i], xs[i], xs[i])) return NULL;
    if (xs[0]->ndim != 2) return rnn_fail(g, "stack: the inputs must be (B, C)");
    int64_t B = xs[0]->shape[0], C = xs[0]->shape[1];
    bool grad = false;
    for (int64_t i = 0; i < n; i++) {
        if (xs[i]->ndim != 2 || xs[i]->shape[0] != B || xs[i]->shape[1] != C)
            return rnn_fail(g, "stack: the inputs differ in shape");
        grad = grad || xs[i]->requires_grad;
    }
    tensor *out = graph_tensor(g, 3, (int64_t[]){B, n, C});
    tensor **list = grad && g->record ? arena_push(&g->mem, (size_t)n * sizeof *list) : NULL;
    if (!out || (grad && g->record && !list)) {
        if (!g->status) g->status = ATTN_ERR_OUT_OF_MEMORY;
        return NULL;
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t b = 0; b < B; b++)
            memcpy(out->data + (b * n + i) * C, xs[i]->data + b * C, (size_t)C * sizeof(float));
    out->requires_grad = grad;
    tape_entry *e = grad ? graph_record(g, OP_STACK, out) : NULL;
    if (e) {
        memcpy(list, xs, (size_t)n * sizeof *list);
        e->list = list;
        e->n_list = n;
    }
    return out;
}

void op_stack_backward(graph *g, tape_entry *e) {
    int64_t n = e->n_list, B = e->out->shape[0], C = e->out->shape[2];
    for (int64_t i = 0; i < n; i++) {
        tensor *x = e->list[i];
        if (!x->requires_grad || !graph_grad(g, x)) continue;
        for (int64_t b = 0; b < B; b++)
            for (int64_t c = 0; c < C; c++) x->grad[b * C + c] += e->out->grad[(b * n + i) * C + c];
    }
}

tensor *op_maxout(graph *g, tensor *x) {
    if (rnn_skip(g, x, x, x)) return NULL;
    int64_t C = x->shape[x->ndim - 1];
    if (C % 2) return rnn_fail(g, "maxout: the width must be even");
    int64_t shape[TENSOR_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) shape[i] = x->shape[i];
    shape[x->ndim - 1] = C / 2;
    tensor *out = graph_tensor(g, x->ndim, shape);
    if (!out) return NULL;
    for (int64_t i = 0; i < out->numel; i++) {
        float p = x->data[2 * i], q = x->data[2 * i + 1];
        out->data[i] = q > p ? q : p;
    }
    rnn_record(g, OP_MAXOUT, out, x, NULL, NULL);
    return out;
}

/* The gradient goes to the larger of each pair (the first on a tie, as torch's max). */
void op_maxout_backward(graph *g, tape_entry *e) {
    (void)g;
    tensor *x = e->in[0];
    for (int64_t i = 0; i < e->out->numel; i++) {
        bool second = x->data[2 * i + 1] > x->data[2 * i];
        x->grad[2 * i + second] += e->out->grad[i];
    }
}
