/* The tape: arena-backed tensors, recording, and the backward replay. */
#include "ops/graph.h"
#include "ops/ops_impl.h"

void graph_init(graph *g, const kernels *k) {
    memset(g, 0, sizeof *g);
    arena_init(&g->mem, (size_t)64 << 20);
    g->k = k ? k : kernels_default();
}

void graph_reset(graph *g, bool record, bool training, uint64_t dropout_seed) {
    arena_reset(&g->mem);
    g->n_tape = 0;
    g->record = record;
    g->training = training;
    g->dropout_seed = dropout_seed;
    g->n_dropout = 0;
    g->status = ATTN_OK;
}

void graph_free(graph *g) {
    arena_free(&g->mem);
    attn_free(g->tape);
    memset(g, 0, sizeof *g);
}

static void *graph_push(graph *g, size_t size, bool zero) {
    if (g->status) return NULL;
    void *p = zero ? arena_push_zero(&g->mem, size) : arena_push(&g->mem, size);
    if (!p) g->status = ATTN_ERR_OUT_OF_MEMORY;
    return p;
}

tensor *graph_tensor(graph *g, int ndim, const int64_t *shape) {
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++)
        if (!i64_mul(numel, shape[i], &numel) || numel > INT64_MAX / 8) {
            g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "tensor shape overflows");
            return NULL;
        }
    tensor *t = graph_push(g, sizeof *t, true);
    if (!t) return NULL;
    t->data = graph_push(g, (size_t)numel * sizeof(float), false);
    if (!t->data) return NULL;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->numel = numel;
    return t;
}

float *graph_floats(graph *g, int64_t n) { return graph_push(g, (size_t)n * sizeof(float), false); }
int32_t *graph_ints(graph *g, int64_t n) { return graph_push(g, (size_t)n * sizeof(int32_t), false); }

tape_entry *graph_record(graph *g, op_kind op, tensor *out) {
    if (!g->record) return NULL;
    if (g->n_tape == g->cap_tape) {
        int64_t cap = g->cap_tape ? 2 * g->cap_tape : 256;
        tape_entry *t = attn_realloc(g->tape, (size_t)cap * sizeof *t);
        if (!t) {
            g->status = ATTN_ERR_OUT_OF_MEMORY;
            return NULL;
        }
        g->tape = t;
        g->cap_tape = cap;
    }
    tape_entry *e = &g->tape[g->n_tape++];
    memset(e, 0, sizeof *e);
    e->op = op;
    e->out = out;
    return e;
}

float *graph_grad(graph *g, tensor *t) {
    if (!t->grad) t->grad = graph_push(g, (size_t)t->numel * sizeof(float), true);
    return t->grad;
}

/* Whether a tape entry other than the i-th reads t's data in backward: t is
 * an input of it, or the output of an attention (whose backward reads its
 * output). Cross-entropy may only write d(logits) over logits when not. */
static bool read_elsewhere(const graph *g, int64_t i, const tensor *t) {
    for (int64_t j = 0; j < g->n_tape; j++) {
        const tape_entry *f = &g->tape[j];
        if (j == i) continue;
        if (f->in[0] == t || f->in[1] == t || f->in[2] == t) return true;
        if (f->out == t && f->op == OP_ATTENTION) return true;
    }
    return false;
}

/* Replays tape entries [lo, hi) in reverse; top: the whole tape (g->after_entry is called). */
static attn_status backward_entries(graph *g, int64_t lo, int64_t hi, bool top) {
    for (int64_t i = hi - 1; i >= lo; i--) {
        tape_entry *e = &g->tape[i];
        bool second = e->op == OP_CHECKPOINT && e->n_list && e->list[0]->grad;
        if (e->out->requires_grad && (e->out->grad || second)) {
            /* cross-entropy writes d(logits) over the logits when nothing else
             * did and nothing else reads them (two losses over the same logits) */
            if ((e->op == OP_CROSS_ENTROPY || e->op == OP_CROSS_ENTROPY_SMOOTH) && !e->in[0]->grad &&
                !read_elsewhere(g, i, e->in[0]))
                e->in[0]->grad = e->in[0]->data;
            for (int j = 0; j < 3; j++)
                if (e->in[j] && e->in[j]->requires_grad && !graph_grad(g, e->in[j])) return g->status;
            OP_BACKWARD[e->op](g, e); /* may grow the tape (a checkpoint): e is not used after */
            if (g->status) return g->status;
        }
        if (top && g->after_entry) {
            attn_status st = g->after_entry(g->after_ctx, i);
            if (st) return g->status = st;
        }
    }
    return ATTN_OK;
}

attn_status graph_backward_from(graph *g, tensor *out, const float *dout) {
    if (g->status) return g->status;
    if (!g->record) return attn_errorf(ATTN_ERR_INVALID_ARG, "backward on a graph that did not record");
    if (!out || !dout) return attn_errorf(ATTN_ERR_INVALID_ARG, "backward needs an output and its gradient");
    if (!out->requires_grad) return ATTN_OK;
    float *d = graph_grad(g, out);
    if (!d) return g->status;
    memcpy(d, dout, (size_t)out->numel * sizeof(float));
    return backward_entries(g, 0, g->n_tape, true);
}

/* ---- activation checkpointing ---------------------------------------------- */

/* A tensor sharing t's data and gradient: the segment's gradients with
 * respect to it accumulate into t's. */
static tensor *alias(graph *g, const tensor *t) {
    if (!t) return NULL;
    tensor *a = graph_push(g, sizeof *a, false);
    if (a) *a = *t;
    return a;
}

tensor *op_checkpoint(graph *g, graph_segment_fn f, const void *ctx, size_t ctx_size, tensor *x, tensor *r,
                      tensor **r_out) {
    if (r_out) *r_out = NULL;
    if (g->status || !x) return NULL;
    if (!g->record) return f(g, ctx, x, r, r_out);
    void *c = graph_push(g, ctx_size ? ctx_size : 1, false);
    tensor *y = graph_tensor(g, x->ndim, x->shape), *y2 = r_out ? graph_tensor(g, x->ndim, x->shape) : NULL;
    tensor **list = r_out ? graph_push(g, sizeof *list, false) : NULL;
    if (g->status) return NULL;
    memcpy(c, ctx, ctx_size);
    /* the segment records as usual (the same code path as without
     * checkpointing), then its entries and activations are dropped */
    int64_t n0 = g->n_tape;
    uint64_t n_dropout = g->n_dropout;
    arena_mark m = arena_get_mark(&g->mem);
    tensor *o2 = NULL, *o = f(g, c, x, r, r_out ? &o2 : NULL);
    if (!g->status && (!o || o->numel != x->numel || (r_out && (!o2 || o2->numel != x->numel))))
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "a checkpointed segment's outputs must have its input's shape");
    if (!g->status) {
        memcpy(y->data, o->data, (size_t)x->numel * sizeof(float));
        if (y2) memcpy(y2->data, o2->data, (size_t)x->numel * sizeof(float));
    }
    g->n_tape = n0;
    arena_rewind(&g->mem, m);
    if (g->status) return NULL;
    y->requires_grad = true;
    if (y2) y2->requires_grad = true;
    tape_entry *e = graph_record(g, OP_CHECKPOINT, y);
    if (!e) return NULL;
    e->in[0] = x;
    e->in[1] = r;
    e->seed = n_dropout;
    e->segment = f;
    e->segment_ctx = c;
    if (y2) {
        list[0] = y2;
        e->list = list;
        e->n_list = 1;
        *r_out = y2;
    }
    return y;
}

void checkpoint_backward(graph *g, tape_entry *e) {
    /* copied out: running the segment again may move the tape */
    tensor *x = e->in[0], *r = e->in[1], *y = e->out, *y2 = e->n_list ? e->list[0] : NULL;
    graph_segment_fn f = e->segment;
    const void *c = e->segment_ctx;
    uint64_t n_dropout = e->seed, saved_dropout = g->n_dropout;
    if (!graph_grad(g, y) || (y2 && !graph_grad(g, y2))) return;
    int64_t n0 = g->n_tape;
    arena_mark m = arena_get_mark(&g->mem);
    tensor *xa = alias(g, x), *ra = alias(g, r), *o2 = NULL;
    g->n_dropout = n_dropout; /* the forward's dropout masks */
    tensor *o = xa && (!r || ra) ? f(g, c, xa, ra, y2 ? &o2 : NULL) : NULL;
    g->n_dropout = saved_dropout;
    if (!g->status && (!o || (y2 && !o2)))
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "a checkpointed segment gave no output when run again");
    if (!g->status) {
        o->grad = y->grad;
        if (o2) o2->grad = y2->grad;
        backward_entries(g, n0, g->n_tape, false);
    }
    g->n_tape = n0;
    arena_rewind(&g->mem, m);
}

attn_status graph_backward(graph *g, tensor *loss) {
    if (g->status) return g->status;
    if (!g->record) return attn_errorf(ATTN_ERR_INVALID_ARG, "backward on a graph that did not record");
    if (!loss || loss->numel != 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "backward needs a scalar loss");
    const float one = 1.0f;
    return graph_backward_from(g, loss, &one);
}
