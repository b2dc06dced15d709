/* nn.c — attention, MLP and residual blocks over the ops (nn.h). */
#include "nn/nn.h"

#include <stdio.h>
#include <string.h>

tensor *nn_self_attention(graph *g, tensor *x, const nn_attn *a, bool causal, const uint8_t *mask, const nn_kv *cache) {
    if (!x) return NULL;
    int64_t C = x->shape[x->ndim - 1], B = x->shape[0], T = x->ndim == 3 ? x->shape[1] : 1;
    int64_t H = a->n_head, Hkv = a->n_kv_head ? a->n_kv_head : H, D = a->head_dim ? a->head_dim : C / H;
    int64_t QC = H * D, KC = Hkv * D; /* query and key (= value) widths */
    tensor *qkv = op_linear(g, x, a->qkv_w, a->qkv_b), *out;
    if (qkv && a->qk_norm) qkv = op_qk_norm(g, qkv, H + Hkv, D, a->qk_norm_eps);
    if (qkv && a->pos) qkv = op_rope(g, qkv, a->pos, H + Hkv, D, a->rope_dim ? a->rope_dim : D, a->rope_theta);
    if (!qkv) return NULL;
    if (cache && cache->n_runs) {
        /* a continuous batch: each run appends to its own sequence and attends to it alone */
        for (int64_t r = 0; r < cache->n_runs; r++) {
            const kv_run *u = &cache->runs[r];
            for (int64_t t = 0; t < u->count; t++)
                memcpy(cache->kv + u->seq * cache->stride + (u->pos + t) * 2 * KC,
                       qkv->data + (u->row + t) * (QC + 2 * KC) + QC, (size_t)(2 * KC) * sizeof(float));
        }
        out = op_attention_cached_runs(g, qkv, 0, cache->kv, 2 * KC, cache->stride, 0, KC, H, Hkv, D, cache->runs,
                                       cache->n_runs, a->alibi);
    } else if (cache) {
        /* append this step's keys and values, then attend over the cache */
        for (int64_t b = 0; b < B; b++)
            for (int64_t t = 0; t < T; t++)
                memcpy(cache->kv + b * cache->stride + (cache->len + t) * 2 * KC, qkv->data + (b * T + t) * (QC + 2 * KC) + QC,
                       (size_t)(2 * KC) * sizeof(float));
        out = a->alibi ? op_attention_cached_alibi(g, qkv, 0, cache->kv, 2 * KC, cache->stride, cache->len + T, 0, KC, QC, H,
                                                   causal, mask, a->alibi)
                       : op_attention_cached_gqa(g, qkv, 0, cache->kv, 2 * KC, cache->stride, cache->len + T, 0, KC, H,
                                                 Hkv, D, causal, mask);
    } else {
        out = a->alibi ? op_attention_alibi(g, qkv, 0, qkv, QC, QC + KC, QC, H, causal, mask, a->alibi)
                       : op_attention_gqa(g, qkv, 0, qkv, QC, QC + KC, H, Hkv, D, causal, mask);
    }
    return op_linear(g, out, a->o_w, a->o_b);
}

tensor *nn_cross_attention(graph *g, tensor *x, tensor *mem, const nn_cross *a, const uint8_t *mask) {
    if (!x) return NULL;
    int64_t C = x->shape[x->ndim - 1];
    tensor *q = op_linear(g, x, a->q_w, a->q_b);
    tensor *kv = op_linear(g, mem, a->kv_w, a->kv_b);
    tensor *out = op_attention(g, q, 0, kv, 0, C, C, a->n_head, false, mask);
    return op_linear(g, out, a->o_w, a->o_b);
}

tensor *nn_mlp_forward(graph *g, tensor *x, const nn_mlp *f) {
    tensor *h = !f->gated        ? op_linear_act(g, x, f->up_w, f->up_b, f->act)
                : f->act == KACT_GELU_ERF ? op_geglu(g, op_linear(g, x, f->up_w, f->up_b))
                                          : op_swiglu(g, op_linear(g, x, f->up_w, f->up_b));
    h = op_dropout(g, h, f->dropout);
    return op_linear(g, h, f->down_w, f->down_b);
}

static tensor *norm_of(graph *g, tensor *a, const nn_norm *n) {
    return n->rms ? op_rmsnorm(g, a, n->w, n->eps) : op_layernorm(g, a, n->w, n->b, n->eps);
}

/* n(a + b), the sum in *sum (may be NULL). */
static tensor *add_norm_of(graph *g, tensor *a, tensor *b, const nn_norm *n, tensor **sum) {
    return n->rms ? op_add_rmsnorm(g, a, b, n->w, n->eps, sum) : op_add_layernorm(g, a, b, n->w, n->b, n->eps, sum);
}

tensor *nn_add_norm(graph *g, tensor *x, tensor *sub, float dropout, const nn_norm *n) {
    return add_norm_of(g, x, op_dropout(g, sub, dropout), n, NULL);
}

tensor *nn_post_norm_block(graph *g, tensor *x, const nn_attn *a, const nn_norm *n1, const nn_mlp *f, const nn_norm *n2,
                           float dropout, bool causal, const uint8_t *mask, const nn_kv *cache) {
    x = nn_add_norm(g, x, nn_self_attention(g, x, a, causal, mask, cache), dropout, n1);
    return nn_add_norm(g, x, nn_mlp_forward(g, x, f), dropout, n2);
}

static tensor *pre_norm_block(graph *g, tensor *x, tensor *r, const nn_norm *n1, const nn_attn *a, const nn_norm *n2,
                              const nn_mlp *f, float dropout, const nn_kv *cache, tensor **r_out) {
    *r_out = NULL;
    if (!x) return NULL;
    tensor *h = r ? add_norm_of(g, x, r, n1, &x) : norm_of(g, x, n1);
    tensor *att = op_dropout(g, nn_self_attention(g, h, a, true, NULL, cache), dropout);
    h = add_norm_of(g, x, att, n2, &x);
    *r_out = op_dropout(g, nn_mlp_forward(g, h, f), dropout);
    return x;
}

/* A pre-norm block's arguments, by value, for op_checkpoint. */
typedef struct pre_norm_args {
    nn_norm n1, n2;
    nn_attn a;
    nn_mlp f;
    float dropout;
} pre_norm_args;

static tensor *pre_norm_segment(graph *g, const void *ctx, tensor *x, tensor *r, tensor **r_out) {
    const pre_norm_args *p = ctx;
    return pre_norm_block(g, x, r, &p->n1, &p->a, &p->n2, &p->f, p->dropout, NULL, r_out);
}

tensor *nn_pre_norm_block(graph *g, tensor *x, tensor *r, const nn_norm *n1, const nn_attn *a, const nn_norm *n2,
                          const nn_mlp *f, float dropout, const nn_kv *cache, tensor **r_out) {
    if (g->recompute && g->record && !cache) {
        pre_norm_args p = {.n1 = *n1, .n2 = *n2, .a = *a, .f = *f, .dropout = dropout};
        return op_checkpoint(g, pre_norm_segment, &p, sizeof p, x, r, r_out);
    }
    return pre_norm_block(g, x, r, n1, a, n2, f, dropout, cache, r_out);
}

int32_t *nn_positions(graph *g, int64_t B, int64_t T, int64_t first, int64_t limit) {
    if (g->status) return NULL;
    if (B < 1 || T < 1 || first + T > limit) {
        g->status = attn_errorf(ATTN_ERR_INVALID_ARG, "a sequence of %lld tokens does not fit the model's %lld positions",
                                (long long)(first + T), (long long)limit);
        return NULL;
    }
    int32_t *pos = graph_ints(g, B * T);
    for (int64_t i = 0; pos && i < B * T; i++) pos[i] = (int32_t)(first + i % T);
    return pos;
}

tensor *nn_masked_rows(graph *g, tensor *x, const int32_t *targets, const int32_t **tg) {
    *tg = targets;
    if (!x || g->status) return x;
    int64_t n = x->numel / x->shape[x->ndim - 1], M = 0;
    for (int64_t i = 0; i < n; i++) M += targets[i] != -1;
    if (!M) return x;
    int32_t *idx = graph_ints(g, 2 * M);
    if (!idx) return NULL;
    for (int64_t i = 0, j = 0; i < n; i++)
        if (targets[i] != -1) {
            idx[j] = (int32_t)i;
            idx[M + j++] = targets[i];
        }
    *tg = idx + M;
    return op_gather_rows(g, x, idx, M);
}

tensor *nn_gru_layer(graph *g, tensor *x, const nn_gru *p, const int32_t *lengths, bool reverse) {
    return op_gru(g, op_linear(g, x, p->w_ih, p->b_ih), p->w_hh, p->b_hh, lengths, reverse);
}

tensor *nn_gru_step(graph *g, tensor *x, tensor *h, const nn_gru *p) {
    tensor *gi = op_linear(g, x, p->w_ih, p->b_ih);
    tensor *gh = op_linear(g, h, p->w_hh, p->b_hh);
    return op_gru_cell(g, gi, gh, h);
}
