/* The ops: one forward function each (validate, compute, record) and one
 * backward function each, the backward ones gathered in OP_BACKWARD. */
#include "ops/ops_impl.h"
#include "kernels/bf16.h"
#include "kernels/quant.h"

#include <math.h>

static int64_t last_dim(const tensor *t) { return t->shape[t->ndim - 1]; }
static int64_t rows(const tensor *t) { return t->numel / last_dim(t); }

static bool fail(graph *g, attn_status st, const char *msg) {
    if (!g->status) g->status = attn_errorf(st, "%s", msg);
    return false;
}

/* Common entry guard: propagate NULLs and earlier failures. */
#define GUARD(g, ...)                                                  \
    do {                                                               \
        if ((g)->status) return NULL;                                  \
        const void *args_[] = {__VA_ARGS__};                           \
        for (size_t a_ = 0; a_ < sizeof args_ / sizeof args_[0]; a_++) \
            if (!args_[a_]) {                                          \
                if (!(g)->status) (g)->status = ATTN_ERR_INVALID_ARG;  \
                return NULL;                                           \
            }                                                          \
    } while (0)

static tensor *like(graph *g, const tensor *x, int64_t last) {
    int64_t shape[TENSOR_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) shape[i] = x->shape[i];
    shape[x->ndim - 1] = last;
    return graph_tensor(g, x->ndim, shape);
}

/* Records `out` with inputs; out requires grad iff an input does. */
static tape_entry *record(graph *g, op_kind op, tensor *out, tensor *a, tensor *b, tensor *c) {
    out->requires_grad = (a && a->requires_grad) || (b && b->requires_grad) || (c && c->requires_grad);
    if (!out->requires_grad) return NULL;
    tape_entry *e = graph_record(g, op, out);
    if (e) {
        e->in[0] = a;
        e->in[1] = b;
        e->in[2] = c;
    }
    return e;
}

/* A quantized weight (w->data_q) has no fp32 values and no gradient:
 * false (and the graph's status set) when the op would need either. */
static bool quant_ok(graph *g, const tensor *w, const tensor *x, const tensor *b) {
    if (!w->data_q) return true;
    if (!quant_type_valid(w->qtype) || w->ndim != 2 || w->shape[1] % QUANT_BLOCK)
        return fail(g, ATTN_ERR_INVALID_ARG, "quantized weight: not a matrix of Q8_0, Q4_0 or Q4_1 rows");
    if (w->requires_grad || (g->record && ((x && x->requires_grad) || (b && b->requires_grad))))
        return fail(g, ATTN_ERR_INVALID_ARG, "quantized weight: inference only (no gradient flows through it)");
    return true;
}

/* ---- embedding ------------------------------------------------------------ */

tensor *op_embedding(graph *g, tensor *table, const int32_t *ids, int64_t B, int64_t T) {
    GUARD(g, table, ids);
    int64_t V = table->shape[0], C = table->shape[1], N = B * T;
    for (int64_t n = 0; n < N; n++)
        if (ids[n] < 0 || ids[n] >= V) {
            g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "token id %d at position %lld is outside the vocabulary [0, %lld)",
                                    (int)ids[n], (long long)n, (long long)V);
            return NULL;
        }
    if (!quant_ok(g, table, NULL, NULL)) return NULL;
    tensor *out = graph_tensor(g, 3, (int64_t[]){B, T, C});
    if (!out) return NULL;
    if (table->data_q)
        g->k->embedding_forward_q(out->data, table->data_q, table->qtype, ids, N, C);
    else if (table->bf16_only && table->data_bf16)
        for (int64_t n = 0; n < N; n++) { /* the bf16 rows widened: exact */
            const uint16_t *row = table->data_bf16 + ids[n] * C;
            for (int64_t c = 0; c < C; c++) out->data[n * C + c] = bf16_to_f32(row[c]);
        }
    else
        g->k->embedding_forward(out->data, table->data, ids, N, C);
    tape_entry *e = record(g, OP_EMBEDDING, out, table, NULL, NULL);
    if (e) e->ids = ids;
    return out;
}

tensor *op_embedding_padded(graph *g, tensor *table, const int32_t *ids, int64_t B, int64_t T, int32_t padding_idx) {
    tensor *out = op_embedding(g, table, ids, B, T);
    if (out && out->requires_grad && g->n_tape > 0 && g->tape[g->n_tape - 1].out == out)
        g->tape[g->n_tape - 1].cols[0] = (int64_t)padding_idx + 1;
    return out;
}

static void embedding_backward(graph *g, tape_entry *e) {
    tensor *t = e->in[0];
    if (!t->requires_grad) return;
    int64_t N = rows(e->out), C = t->shape[1];
    if (e->cols[0] > 0) /* padding_idx + 1: those rows' gradient is dropped (out's gradient is this op's alone) */
        for (int64_t n = 0; n < N; n++)
            if (e->ids[n] == e->cols[0] - 1) memset(e->out->grad + n * C, 0, (size_t)C * sizeof(float));
    g->k->embedding_backward(t->grad, e->out->grad, e->ids, N, C, t->shape[0]);
}

/* ---- linear --------------------------------------------------------------- */

static bool linear_shapes(graph *g, const tensor *x, const tensor *w, const tensor *b) {
    int64_t C = last_dim(x), OC = w->shape[0];
    if (w->ndim != 2 || w->shape[1] != C || (b && b->numel != OC)) {
        fail(g, ATTN_ERR_INVALID_ARG, "linear: shapes do not match");
        return false;
    }
    return true;
}

tensor *op_linear(graph *g, tensor *x, tensor *w, tensor *b) {
    GUARD(g, x, w);
    if (!linear_shapes(g, x, w, b) || !quant_ok(g, w, x, b)) return NULL;
    int64_t C = last_dim(x), OC = w->shape[0];
    tensor *out = like(g, x, OC);
    if (!out) return NULL;
    if (w->data_q)
        g->k->matmul_forward_q(out->data, x->data, w->data_q, w->qtype, b ? b->data : NULL, rows(x), C, OC);
    else if (w->data_bf16 && g->k->matmul_forward_bf16)
        g->k->matmul_forward_bf16(out->data, x->data, w->data_bf16, b ? b->data : NULL, rows(x), C, OC);
    else
        g->k->matmul_forward(out->data, x->data, w->data, b ? b->data : NULL, rows(x), C, OC);
    record(g, OP_LINEAR, out, x, w, b);
    return out;
}

tensor *op_linear_act(graph *g, tensor *x, tensor *w, tensor *b, kernel_act act) {
    if (act == KACT_RELU2) return op_relu2(g, op_linear(g, x, w, b));
    GUARD(g, x, w);
    if (!linear_shapes(g, x, w, b) || !quant_ok(g, w, x, b)) return NULL;
    int64_t C = last_dim(x), OC = w->shape[0];
    tensor *pre = like(g, x, OC), *out = like(g, x, OC);
    if (!pre || !out) return NULL;
    const float *bias = b ? b->data : NULL;
    if (w->data_q) {
        g->k->matmul_forward_q(pre->data, x->data, w->data_q, w->qtype, bias, rows(x), C, OC);
        void (*act_fn)(float *, const float *, int64_t) = act == KACT_GELU       ? g->k->gelu_forward
                                                          : act == KACT_GELU_ERF ? g->k->gelu_erf_forward
                                                                                 : g->k->relu_forward;
        act_fn(out->data, pre->data, pre->numel);
    } else if (w->data_bf16 && g->k->matmul_act_forward_bf16)
        g->k->matmul_act_forward_bf16(out->data, pre->data, x->data, w->data_bf16, bias, rows(x), C, OC, act);
    else
        g->k->matmul_act_forward(out->data, pre->data, x->data, w->data, bias, rows(x), C, OC, act);
    /* on the tape as the linear layer and the activation it replaces */
    record(g, OP_LINEAR, pre, x, w, b);
    record(g, act == KACT_GELU ? OP_GELU : act == KACT_GELU_ERF ? OP_GELU_ERF : OP_RELU, out, pre, NULL, NULL);
    return out;
}

static void linear_backward(graph *g, tape_entry *e) {
    tensor *x = e->in[0], *w = e->in[1], *b = e->in[2];
    if (w->data_bf16 && g->k->matmul_backward_bf16) {
        g->k->matmul_backward_bf16(x->requires_grad ? x->grad : NULL, w->requires_grad ? w->grad : NULL,
                                   b && b->requires_grad ? b->grad : NULL, e->out->grad, x->data, w->data_bf16, rows(x),
                                   last_dim(x), w->shape[0]);
        return;
    }
    g->k->matmul_backward(x->requires_grad ? x->grad : NULL, w->requires_grad ? w->grad : NULL,
                          b && b->requires_grad ? b->grad : NULL, e->out->grad, x->data, w->data, rows(x),
                          last_dim(x), w->shape[0]);
}

/* ---- layer norm ----------------------------------------------------------- */

tensor *op_layernorm(graph *g, tensor *x, tensor *w, tensor *b, float eps) {
    GUARD(g, x, w, b);
    int64_t C = last_dim(x), N = rows(x);
    if (w->numel != C || b->numel != C) {
        fail(g, ATTN_ERR_INVALID_ARG, "layernorm: weight/bias size differs from the width");
        return NULL;
    }
    tensor *out = like(g, x, C);
    float *stats = graph_floats(g, 2 * N);
    if (!out || !stats) return NULL;
    g->k->layernorm_forward(out->data, stats, stats + N, x->data, w->data, b->data, N, C, eps);
    tape_entry *e = record(g, OP_LAYERNORM, out, x, w, b);
    if (e) {
        e->saved[0] = stats;
        e->saved[1] = stats + N;
    }
    return out;
}

tensor *op_add_layernorm(graph *g, tensor *a, tensor *b, tensor *w, tensor *bias, float eps, tensor **sum_out) {
    if (sum_out) *sum_out = NULL;
    GUARD(g, a, b, w, bias);
    int64_t C = last_dim(a), N = rows(a);
    if (a->numel != b->numel) {
        fail(g, ATTN_ERR_INVALID_ARG, "add: sizes differ");
        return NULL;
    }
    if (w->numel != C || bias->numel != C) {
        fail(g, ATTN_ERR_INVALID_ARG, "layernorm: weight/bias size differs from the width");
        return NULL;
    }
    tensor *sum = like(g, a, C), *out = like(g, a, C);
    float *stats = graph_floats(g, 2 * N);
    if (!sum || !out || !stats) return NULL;
    g->k->add_layernorm_forward(sum->data, out->data, stats, stats + N, a->data, b->data, w->data, bias->data, N, C, eps);
    /* on the tape as the add and the layer norm it replaces: their
     * backward functions run unchanged */
    record(g, OP_ADD, sum, a, b, NULL);
    tape_entry *e = record(g, OP_LAYERNORM, out, sum, w, bias);
    if (e) {
        e->saved[0] = stats;
        e->saved[1] = stats + N;
    }
    if (sum_out) *sum_out = sum;
    return out;
}

static void layernorm_backward(graph *g, tape_entry *e) {
    tensor *x = e->in[0], *w = e->in[1], *b = e->in[2];
    g->k->layernorm_backward(x->requires_grad ? x->grad : NULL, w->requires_grad ? w->grad : NULL,
                             b->requires_grad ? b->grad : NULL, e->out->grad, x->data, w->data, e->saved[0],
                             e->saved[1], rows(x), last_dim(x));
}

/* ---- activations ---------------------------------------------------------- */

tensor *op_gelu(graph *g, tensor *x) {
    GUARD(g, x);
    tensor *out = like(g, x, last_dim(x));
    if (!out) return NULL;
    g->k->gelu_forward(out->data, x->data, x->numel);
    record(g, OP_GELU, out, x, NULL, NULL);
    return out;
}

static void gelu_backward(graph *g, tape_entry *e) {
    if (e->in[0]->requires_grad) g->k->gelu_backward(e->in[0]->grad, e->in[0]->data, e->out->grad, e->out->numel);
}

tensor *op_relu(graph *g, tensor *x) {
    GUARD(g, x);
    tensor *out = like(g, x, last_dim(x));
    if (!out) return NULL;
    g->k->relu_forward(out->data, x->data, x->numel);
    record(g, OP_RELU, out, x, NULL, NULL);
    return out;
}

static void relu_backward(graph *g, tape_entry *e) {
    if (e->in[0]->requires_grad) g->k->relu_backward(e->in[0]->grad, e->in[0]->data, e->out->grad, e->out->numel);
}

tensor *op_relu2(graph *g, tensor *x) {
    GUARD(g, x);
    tensor *out = like(g, x, last_dim(x));
    if (!out) return NULL;
    g->k->relu2_forward(out->data, x->data, x->numel);
    record(g, OP_RELU2, out, x, NULL, NULL);
    return out;
}

static void relu2_backward(graph *g, tape_entry *e) {
    if (e->in[0]->requires_grad) g->k->relu2_backward(e->in[0]->grad, e->in[0]->data, e->out->grad, e->out->numel);
}

tensor *op_gelu_erf(graph *g, tensor *x) {
    GUARD(g, x);
    tensor *out = like(g, x, last_dim(x));
    if (!out) return NULL;
    g->k->gelu_erf_forward(out->data, x->data, x->numel);
    record(g, OP_GELU_ERF, out, x, NULL, NULL);
    return out;
}

static void gelu_erf_backward(graph *g, tape_entry *e) {
    if (e->in[0]->requires_grad)
        g->k->gelu_erf_backward(e->in[0]->grad, e->in[0]->data, e->out->grad, e->out->numel);
}

tensor *op_tanh(graph *g, tensor *x) {
    GUARD(g, x);
    tensor *out = like(g, x, last_dim(x));
    if (!out) return NULL;
    g->k->tanh_forward(out->data, x->data, x->numel);
    record(g, OP_TANH, out, x, NULL, NULL);
    return out;
}

/* tanh' = 1 - tanh^2: backward reads the output, not the input. */
static void tanh_backward(graph *g, tape_entry *e) {
    if (e->in[0]->requires_grad) g->k->tanh_backward(e->in[0]->grad, e->out->data, e->out->grad, e->out->numel);
}

/* ---- select one position per row, gather rows ------------------------------ */

/* out[b] = x[b, pos ? pos[b] : t]: the gather of rows b * T + position. */
static tensor *select_rows(graph *g, tensor *x, int64_t t, const int32_t *pos) {
    GUARD(g, x);
    if (x->ndim != 3) {
        fail(g, ATTN_ERR_INVALID_ARG, "select: x must be (B, T, C)");
        return NULL;
    }
    int64_t B = x->shape[0], T = x->shape[1];
    int32_t *idx = graph_ints(g, B);
    if (!idx) return NULL;
    for (int64_t b = 0; b < B; b++) {
        int64_t tb = pos ? pos[b] : t;
        if (tb < 0 || tb >= T) {
            if (!g->status)
                g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "select: position %lld of row %lld is outside [0, %lld)",
                                        (long long)tb, (long long)b, (long long)T);
            return NULL;
        }
        idx[b] = (int32_t)(b * T + tb);
    }
    return op_gather_rows(g, x, idx, B);
}

tensor *op_select(graph *g, tensor *x, int64_t t) { return select_rows(g, x, t, NULL); }

tensor *op_select_rows(graph *g, tensor *x, const int32_t *pos) { return select_rows(g, x, 0, pos); }

/* out (M, C) = rows idx[0..M) of x seen as (rows, C). */
tensor *op_gather_rows(graph *g, tensor *x, const int32_t *idx, int64_t M) {
    GUARD(g, x, idx);
    int64_t C = last_dim(x), N = rows(x);
    if (M < 1) {
        fail(g, ATTN_ERR_INVALID_ARG, "gather: at least one row");
        return NULL;
    }
    for (int64_t i = 0; i < M; i++)
        if (idx[i] < 0 || idx[i] >= N) {
            if (!g->status)
                g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "gather: row %lld is outside [0, %lld)", (long long)idx[i], (long long)N);
            return NULL;
        }
    tensor *out = graph_tensor(g, 2, (int64_t[]){M, C});
    if (!out) return NULL;
    for (int64_t i = 0; i < M; i++) memcpy(out->data + i * C, x->data + (int64_t)idx[i] * C, (size_t)C * sizeof(float));
    tape_entry *e = record(g, OP_SELECT, out, x, NULL, NULL);
    if (e) e->ids = idx;
    return out;
}

/* Rows may repeat (a gather's), so dx adds. */
static void select_backward(graph *g, tape_entry *e) {
    (void)g;
    tensor *x = e->in[0];
    if (!x->requires_grad) return;
    int64_t C = last_dim(x), M = e->out->shape[0];
    for (int64_t i = 0; i < M; i++) {
        float *dx = x->grad + (int64_t)e->ids[i] * C;
        const float *dy = e->out->grad + i * C;
        for (int64_t c = 0; c < C; c++) dx[c] += dy[c];
    }
}

/* ---- add ------------------------------------------------------------------ */

tensor *op_add(graph *g, tensor *a, tensor *b) {
    GUARD(g, a, b);
    if (a->numel != b->numel) {
        fail(g, ATTN_ERR_INVALID_ARG, "add: sizes differ");
        return NULL;
    }
    tensor *out = like(g, a, last_dim(a));
    if (!out) return NULL;
    float *o = out->data;
    const float *x = a->data, *y = b->data;
    int64_t n = a->numel;
#pragma omp parallel for simd if (n >= PAR_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++) o[i] = x[i] + y[i];
    record(g, OP_ADD, out, a, b, NULL);
    return out;
}

static void add_backward(graph *g, tape_entry *e) {
    (void)g;
    int64_t n = e->out->numel;
    const float *d = e->out->grad;
    for (int j = 0; j < 2; j++) {
        if (!e->in[j]->requires_grad) continue;
        float *gx = e->in[j]->grad;
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; i++) gx[i] += d[i];
    }
}

/* ---- dropout -------------------------------------------------------------- */

static inline bool dropout_keep(uint64_t seed, int64_t i, float p) {
    return rng_uniform(seed, 0x64726f70ULL, (uint64_t)i) >= p;
}

tensor *op_dropout(graph *g, tensor *x, float p) {
    GUARD(g, x);
    if (!g->training || p <= 0.0f) return x;
    if (p >= 1.0f) {
        fail(g, ATTN_ERR_INVALID_ARG, "dropout probability must be below 1");
        return NULL;
    }
    uint64_t seed = rng_hash(g->dropout_seed, 0x6d61736bULL, g->n_dropout++);
    tensor *out = like(g, x, last_dim(x));
    if (!out) return NULL;
    float scale = 1.0f / (1.0f - p);
    int64_t n = x->numel;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) out->data[i] = dropout_keep(seed, i, p) ? x->data[i] * scale : 0.0f;
    tape_entry *e = record(g, OP_DROPOUT, out, x, NULL, NULL);
    if (e) {
        e->seed = seed;
        e->fparam = p;
    }
    return out;
}

static void dropout_backward(graph *g, tape_entry *e) {
    (void)g;
    if (!e->in[0]->requires_grad) return;
    float p = e->fparam, scale = 1.0f / (1.0f - p);
    int64_t n = e->out->numel;
    float *gx = e->in[0]->grad;
    const float *d = e->out->grad;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++)
        if (dropout_keep(e->seed, i, p)) gx[i] += d[i] * scale;
}

/* ---- attention ------------------------------------------------------------ */

/* Query heads H of width D at q's columns [q_col, q_col + H D); Hkv key and
 * value heads at [k_col, k_col + Hkv D) and [v_col, v_col + Hkv D) of kv's rows. */
static bool attention_dims(graph *g, attn_dims *d, const tensor *q, int64_t q_col, int64_t kv_stride,
                           int64_t kv_batch_stride, int64_t Tk, int64_t k_col, int64_t v_col, int64_t H, int64_t Hkv,
                           int64_t D, bool causal, const uint8_t *key_mask) {
    if (q->ndim != 3 || H <= 0 || D <= 0 || Hkv <= 0 || H % Hkv != 0 || q_col < 0 || q_col + H * D > last_dim(q) ||
        k_col < 0 || v_col < 0 || k_col + Hkv * D > kv_stride || v_col + Hkv * D > kv_stride)
        return fail(g, ATTN_ERR_INVALID_ARG, "attention: query/key/value columns do not fit their tensors");
    if (D > 512) return fail(g, ATTN_ERR_UNSUPPORTED, "attention: head width above 512");
    memset(d, 0, sizeof *d);
    d->B = q->shape[0];
    d->Tq = q->shape[1];
    d->Tk = Tk;
    d->H = H;
    d->Hkv = Hkv;
    d->D = D;
    d->q_stride = last_dim(q);
    d->q_batch_stride = d->Tq * d->q_stride;
    d->kv_stride = kv_stride;
    d->kv_batch_stride = kv_batch_stride;
    d->causal = causal;
    d->key_mask = key_mask;
    d->scale = 1.0f / sqrtf((float)d->D);
    return true;
}

/* The head width of C columns over H heads, or 0 (an error on g). */
static int64_t head_width(graph *g, int64_t C, int64_t H) {
    if (H > 0 && C > 0 && C % H == 0) return C / H;
    fail(g, ATTN_ERR_INVALID_ARG, "attention: query/key/value columns do not fit their tensors");
    return 0;
}

tensor *op_attention(graph *g, tensor *q, int64_t q_col, tensor *kv, int64_t k_col, int64_t v_col, int64_t C,
                     int64_t H, bool causal, const uint8_t *key_mask) {
    return op_attention_alibi(g, q, q_col, kv, k_col, v_col, C, H, causal, key_mask, NULL);
}

void attn_alibi_slopes(int64_t H, float *slopes) {
    int64_t p = 1;
    while (p * 2 <= H) p *= 2;
    for (int64_t h = 0; h < p; h++) slopes[h] = exp2f(-8.0f * (float)(h + 1) / (float)p);
    /* the rest: slopes 1, 3, 5, ... (0-based even steps) of the 2p-head sequence */
    for (int64_t h = p; h < H; h++) slopes[h] = exp2f(-8.0f * (float)(2 * (h - p) + 1) / (float)(2 * p));
}

static tensor *attention_heads(graph *g, tensor *q, int64_t q_col, tensor *kv, int64_t k_col, int64_t v_col,
                               int64_t H, int64_t Hkv, int64_t D, bool causal, const uint8_t *key_mask,
                               const float *alibi) {
    GUARD(g, q, kv);
    attn_dims d;
    if (kv->ndim != 3 || kv->shape[0] != q->shape[0]) {
        fail(g, ATTN_ERR_INVALID_ARG, "attention: query and key batch sizes differ");
        return NULL;
    }
    if (!attention_dims(g, &d, q, q_col, last_dim(kv), kv->shape[1] * last_dim(kv), kv->shape[1], k_col, v_col,
                        H, Hkv, D, causal, key_mask))
        return NULL;
    d.alibi = alibi;
    tensor *out = graph_tensor(g, 3, (int64_t[]){d.B, d.Tq, H * D});
    float *lse = graph_floats(g, d.B * H * d.Tq);
    if (!out || !lse) return NULL;
    g->k->attention_forward(&d, out->data, lse, q->data + q_col, kv->data + k_col, kv->data + v_col);
    tape_entry *e = record(g, OP_ATTENTION, out, q, kv == q ? NULL : kv, NULL);
    if (e) {
        e->dims = d;
        e->saved[0] = lse;
        e->cols[0] = q_col;
        e->cols[1] = k_col;
        e->cols[2] = v_col;
    }
    return out;
}

tensor *op_attention_alibi(graph *g, tensor *q, int64_t q_col, tensor *kv, int64_t k_col, int64_t v_col,
                           int64_t C, int64_t H, bool causal, const uint8_t *key_mask, const float *alibi) {
    if (g->status) return NULL;
    int64_t D = head_width(g, C, H);
    return D ? attention_heads(g, q, q_col, kv, k_col, v_col, H, H, D, causal, key_mask, alibi) : NULL;
}

tensor *op_attention_gqa(graph *g, tensor *q, int64_t q_col, tensor *kv, int64_t k_col, int64_t v_col, int64_t H,
                         int64_t Hkv, int64_t D, bool causal, const uint8_t *key_mask) {
    return attention_heads(g, q, q_col, kv, k_col, v_col, H, Hkv, D, causal, key_mask, NULL);
}

static void attention_backward(graph *g, tape_entry *e) {
    tensor *q = e->in[0], *kv = e->in[1] ? e->in[1] : e->in[0];
    int64_t q_col = e->cols[0], k_col = e->cols[1], v_col = e->cols[2];
    if (!q->requires_grad && !kv->requires_grad) return;
    float *dq = q->requires_grad ? q->grad + q_col : NULL;
    float *dk = kv->requires_grad ? kv->grad + k_col : NULL;
    float *dv = kv->requires_grad ? kv->grad + v_col : NULL;
    g->k->attention_backward(&e->dims, dq, dk, dv, e->out->grad, e->out->data, e->saved[0], q->data + q_col,
                             kv->data + k_col, kv->data + v_col);
}

static tensor *attention_cached_heads(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                                      int64_t kv_batch_stride, int64_t Tk, int64_t k_col, int64_t v_col, int64_t H,
                                      int64_t Hkv, int64_t D, bool causal, const uint8_t *key_mask,
                                      const float *alibi) {
    GUARD(g, q, kv_data);
    attn_dims d;
    if (!attention_dims(g, &d, q, q_col, kv_stride, kv_batch_stride, Tk, k_col, v_col, H, Hkv, D, causal, key_mask))
        return NULL;
    d.alibi = alibi;
    tensor *out = graph_tensor(g, 3, (int64_t[]){d.B, d.Tq, H * D});
    float *lse = graph_floats(g, d.B * H * d.Tq);
    if (!out || !lse) return NULL;
    g->k->attention_forward(&d, out->data, lse, q->data + q_col, kv_data + k_col, kv_data + v_col);
    return out;
}

tensor *op_attention_cached_gqa(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                                int64_t kv_batch_stride, int64_t Tk, int64_t k_col, int64_t v_col, int64_t H,
                                int64_t Hkv, int64_t D, bool causal, const uint8_t *key_mask) {
    return attention_cached_heads(g, q, q_col, kv_data, kv_stride, kv_batch_stride, Tk, k_col, v_col, H, Hkv, D, causal,
                                  key_mask, NULL);
}

tensor *op_attention_cached_alibi(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                                  int64_t kv_batch_stride, int64_t Tk, int64_t k_col, int64_t v_col, int64_t C,
                                  int64_t H, bool causal, const uint8_t *key_mask, const float *alibi) {
    if (g->status) return NULL;
    int64_t D = head_width(g, C, H);
    return D ? attention_cached_heads(g, q, q_col, kv_data, kv_stride, kv_batch_stride, Tk, k_col, v_col, H, H, D,
                                      causal, key_mask, alibi)
             : NULL;
}

/* op_attention_cached_runs' attention of one run (rows u->row.., its
 * sequence's cache up to its last position). */
static void attention_run(graph *g, const attn_dims *d, const kv_run *u, tensor *out, float *lse, const tensor *q,
                          int64_t q_col, const float *kv_data, int64_t k_col, int64_t v_col) {
    attn_dims e = *d;
    e.Tq = u->count;
    e.Tk = u->pos + u->count;
    e.q_batch_stride = e.Tq * e.q_stride;
    const float *kv = kv_data + u->seq * d->kv_batch_stride;
    g->k->attention_forward(&e, out->data + u->row * d->H * d->D, lse + u->row * d->H,
                            q->data + u->row * d->q_stride + q_col, kv + k_col, kv + v_col);
}

tensor *op_attention_cached_runs(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                                 int64_t kv_batch_stride, int64_t k_col, int64_t v_col, int64_t H, int64_t Hkv,
                                 int64_t D, const kv_run *runs, int64_t n_runs, const float *alibi) {
    GUARD(g, q, kv_data, runs);
    attn_dims d;
    if (!attention_dims(g, &d, q, q_col, kv_stride, kv_batch_stride, 1, k_col, v_col, H, Hkv, D, true, NULL)) return NULL;
    if (d.B != 1) {
        fail(g, ATTN_ERR_INVALID_ARG, "attention: a continuous batch is one stream of rows");
        return NULL;
    }
    int64_t n = d.Tq, most = 1;
    for (int64_t r = 0; r < n_runs; r++) {
        const kv_run *u = &runs[r];
        if (u->seq < 0 || u->pos < 0 || u->count < 1 || u->row < 0 || u->row + u->count > n ||
            (u->pos + u->count) * kv_stride > kv_batch_stride) {
            fail(g, ATTN_ERR_INVALID_ARG, "attention: a run does not fit its batch or its cache");
            return NULL;
        }
        if (u->count > most) most = u->count;
    }
    d.alibi = alibi;
    tensor *out = graph_tensor(g, 3, (int64_t[]){1, n, H * D});
    float *lse = graph_floats(g, H * n);
    if (!out || !lse) return NULL;
    memset(out->data, 0, (size_t)out->numel * sizeof(float));
    /* Runs of one row each (decoding steps) go to the threads a run at a
     * time, each run's attention serial inside it: a run alone has only H
     * rows to share out, and a parallel region per run costs more than its
     * work. Longer runs (prompts) parallelize inside. Two loops, not one
     * with an if clause: with the clause, a single run's own region nested
     * under the inactive outer one, and one sequence decoded at 8.5
     * tokens/s against 245 (bench_batch, SmolLM2 Q4_1). */
    if (n_runs > 1 && most == 1) {
#pragma omp parallel for schedule(dynamic, 1)
        for (int64_t r = 0; r < n_runs; r++) attention_run(g, &d, &runs[r], out, lse, q, q_col, kv_data, k_col, v_col);
    } else {
        for (int64_t r = 0; r < n_runs; r++) attention_run(g, &d, &runs[r], out, lse, q, q_col, kv_data, k_col, v_col);
    }
    return out;
}

tensor *op_attention_cached(graph *g, tensor *q, int64_t q_col, const float *kv_data, int64_t kv_stride,
                            int64_t kv_batch_stride, int64_t Tk, int64_t k_col, int64_t v_col, int64_t C,
                            int64_t H, bool causal, const uint8_t *key_mask) {
    return op_attention_cached_alibi(g, q, q_col, kv_data, kv_stride, kv_batch_stride, Tk, k_col, v_col, C, H, causal,
                                     key_mask, NULL);
}

/* ---- cross-entropy -------------------------------------------------------- */

/* The rows that count (target != ignore_index), or -1 after recording an
 * error for a target outside [0, V). */
static int64_t counted_rows(graph *g, const tensor *logits, const int32_t *targets, int32_t ignore_index) {
    int64_t V = last_dim(logits), N = rows(logits), n_valid = 0;
    for (int64_t n = 0; n < N; n++) {
        if (targets[n] == ignore_index) continue;
        if (targets[n] < 0 || targets[n] >= V) {
            g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "target %d at row %lld is outside [0, %lld)", (int)targets[n],
                                    (long long)n, (long long)V);
            return -1;
        }
        n_valid++;
    }
    return n_valid;
}

tensor *op_cross_entropy(graph *g, tensor *logits, const int32_t *targets, int32_t ignore_index) {
    GUARD(g, logits, targets);
    int64_t V = last_dim(logits), N = rows(logits), n_valid = counted_rows(g, logits, targets, ignore_index);
    if (n_valid < 0) return NULL;
    tensor *out = graph_tensor(g, 1, (int64_t[]){1});
    float *buf = graph_floats(g, 2 * N);
    if (!out || !buf) return NULL;
    g->k->crossentropy_forward(buf, buf + N, logits->data, targets, N, V, ignore_index);
    double sum = 0;
    for (int64_t n = 0; n < N; n++) sum += (double)buf[n];
    out->data[0] = n_valid ? (float)(sum / (double)n_valid) : 0.0f;
    tape_entry *e = record(g, OP_CROSS_ENTROPY, out, logits, NULL, NULL);
    if (e) {
        e->ids = targets;
        e->saved[0] = buf + N;
        e->n_valid = n_valid;
        e->fparam = (float)ignore_index;
    }
    return out;
}

static void cross_entropy_backward(graph *g, tape_entry *e) {
    tensor *x = e->in[0];
    if (!x->requires_grad || !e->n_valid) return;
    int64_t V = last_dim(x), N = rows(x);
    float scale = e->out->grad[0] / (float)e->n_valid;
    int32_t ignore = (int32_t)e->fparam;
    if (x->grad == x->data) {
        g->k->crossentropy_backward(x->grad, x->data, e->saved[0], e->ids, scale, N, V, ignore);
        return;
    }
    float *tmp = graph_floats(g, x->numel);
    if (!tmp) return;
    g->k->crossentropy_backward(tmp, x->data, e->saved[0], e->ids, scale, N, V, ignore);
    for (int64_t i = 0; i < x->numel; i++) x->grad[i] += tmp[i];
}

/* ---- scale ---------------------------------------------------------------- */

tensor *op_scale(graph *g, tensor *x, float s) {
    GUARD(g, x);
    tensor *out = like(g, x, last_dim(x));
    if (!out) return NULL;
    int64_t n = x->numel;
    for (int64_t i = 0; i < n; i++) out->data[i] = s * x->data[i];
    tape_entry *e = record(g, OP_SCALE, out, x, NULL, NULL);
    if (e) e->fparam = s;
    return out;
}

static void scale_backward(graph *g, tape_entry *e) {
    (void)g;
    if (!e->in[0]->requires_grad) return;
    float s = e->fparam, *gx = e->in[0]->grad;
    const float *d = e->out->grad;
    for (int64_t i = 0; i < e->out->numel; i++) gx[i] += s * d[i];
}

/* ---- label-smoothed cross-entropy ------------------------------------------ */

tensor *op_cross_entropy_smooth(graph *g, tensor *logits, const int32_t *targets, int32_t ignore_index, float eps) {
    GUARD(g, logits, targets);
    if (!(eps >= 0.0f && eps <= 1.0f)) {
        fail(g, ATTN_ERR_INVALID_ARG, "label smoothing must be in [0, 1]");
        return NULL;
    }
    if (eps == 0.0f) return op_cross_entropy(g, logits, targets, ignore_index);
    int64_t V = last_dim(logits), N = rows(logits), n_valid = counted_rows(g, logits, targets, ignore_index);
    if (n_valid < 0) return NULL;
    tensor *out = graph_tensor(g, 1, (int64_t[]){1});
    float *buf = graph_floats(g, 2 * N);
    if (!out || !buf) return NULL;
    g->k->crossentropy_smooth_forward(buf, buf + N, logits->data, targets, N, V, ignore_index, eps);
    double sum = 0;
    for (int64_t n = 0; n < N; n++) sum += (double)buf[n];
    out->data[0] = n_valid ? (float)(sum / (double)n_valid) : 0.0f;
    tape_entry *e = record(g, OP_CROSS_ENTROPY_SMOOTH, out, logits, NULL, NULL);
    if (e) {
        e->ids = targets;
        e->saved[0] = buf + N;
        e->n_valid = n_valid;
        e->fparam = eps;
        e->cols[0] = ignore_index;
    }
    return out;
}

static void cross_entropy_smooth_backward(graph *g, tape_entry *e) {
    tensor *x = e->in[0];
    if (!x->requires_grad || !e->n_valid) return;
    int64_t V = last_dim(x), N = rows(x);
    float scale = e->out->grad[0] / (float)e->n_valid, eps = e->fparam;
    int32_t ignore = (int32_t)e->cols[0];
    if (x->grad == x->data) {
        g->k->crossentropy_smooth_backward(x->grad, x->data, e->saved[0], e->ids, scale, N, V, ignore, eps);
        return;
    }
    float *tmp = graph_floats(g, x->numel);
    if (!tmp) return;
    g->k->crossentropy_smooth_backward(tmp, x->data, e->saved[0], e->ids, scale, N, V, ignore, eps);
    for (int64_t i = 0; i < x->numel; i++) x->grad[i] += tmp[i];
}

/* ---- the table ------------------------------------------------------------ */

const op_backward_fn OP_BACKWARD[OP_COUNT] = {
    [OP_EMBEDDING] = embedding_backward, [OP_LINEAR] = linear_backward,     [OP_LAYERNORM] = layernorm_backward,
    [OP_GELU] = gelu_backward,           [OP_RELU] = relu_backward,         [OP_ADD] = add_backward,
    [OP_DROPOUT] = dropout_backward,     [OP_ATTENTION] = attention_backward, [OP_CROSS_ENTROPY] = cross_entropy_backward,
    [OP_GELU_ERF] = gelu_erf_backward,   [OP_TANH] = tanh_backward,       [OP_SELECT] = select_backward,
    [OP_SCALE] = scale_backward,         [OP_CROSS_ENTROPY_SMOOTH] = cross_entropy_smooth_backward,
    [OP_GRU] = op_gru_backward,
    [OP_GRU_CELL] = op_gru_cell_backward,
    [OP_ADDITIVE_ATTENTION] = op_additive_attention_backward,
    [OP_WEIGHTED_SUM] = op_weighted_sum_backward,
    [OP_CONCAT] = op_concat_backward,
    [OP_STACK] = op_stack_backward,
    [OP_MAXOUT] = op_maxout_backward,
    [OP_RMSNORM] = op_rmsnorm_backward,
    [OP_ROPE] = op_rope_backward,
    [OP_SWIGLU] = op_swiglu_backward,
    [OP_GEGLU] = op_geglu_backward,
    [OP_SEQ_LOGPROB] = op_seq_logprob_backward,
    [OP_DPO] = op_dpo_backward,
    [OP_DOT_CONST] = op_dot_const_backward,
    [OP_TOKEN_KL] = op_token_kl_backward,
    [OP_CHECKPOINT] = checkpoint_backward,
    [OP_PPO_POLICY] = op_ppo_policy_backward,
    [OP_PPO_VALUE] = op_ppo_value_backward,
    [OP_RELU2] = relu2_backward,
    [OP_QK_NORM] = op_qk_norm_backward,
};
_Static_assert(sizeof OP_BACKWARD / sizeof OP_BACKWARD[0] == OP_COUNT, "one backward per op");
