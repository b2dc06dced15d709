/* trainer.c — one optimizer step: forward and backward over micro-batches,
 * global-norm clipping, AdamW. Follows torch.optim.AdamW (foreach=False)
 * and torch.nn.utils.clip_grad_norm_ so that a run matches PyTorch's step
 * for step (tests/unit/test_gpt.c checks 10 steps against a fixture). */
#include "train/trainer.h"
#include "kernels/bf16.h"
#include "train/dist.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

/* The gradient norm sums squares in blocks of this many floats from each
 * tensor's start (a tensor's sum is its blocks' in order, the total the
 * tensors' in order); ZeRO-1 shards never cut a block, so a sharded norm
 * adds the same numbers in the same order. The testing hook
 * ATTN_NORM_BLOCK=N sets another size, so that a tiny model's shards cut
 * tensors too. */
#define NORM_BLOCK ((int64_t)1 << 18)

static int64_t norm_block(void) {
    const char *v = getenv("ATTN_NORM_BLOCK");
    char *end;
    long long n = v && *v ? strtoll(v, &end, 10) : 0;
    return n > 0 && !*end ? (int64_t)n : NORM_BLOCK;
}

attn_optim_params attn_optim_default_params(void) {
    attn_optim_params p;
    p.lr = 1e-3f;
    p.min_lr = 1e-4f;
    p.warmup_steps = 100;
    p.max_steps = 1000;
    p.weight_decay = 0.1f;
    p.beta1 = 0.9f;
    p.beta2 = 0.95f;
    p.eps = 1e-8f;
    p.grad_clip = 1.0f;
    p.schedule = ATTN_SCHEDULE_COSINE;
    p.d_model = 0;
    p.optimizer = ATTN_OPTIMIZER_ADAMW;
    p.muon_lr = 0.02f;
    p.muon_momentum = 0.95f;
    return p;
}

float attn_lr_at(const attn_optim_params *p, int64_t step) {
    if (p->schedule == ATTN_SCHEDULE_INVERSE_SQRT) {
        double n = (double)(step + 1), d = p->d_model > 0 ? (double)p->d_model : 1.0;
        double f = 1.0 / sqrt(n);
        if (p->warmup_steps > 0) {
            double w = (double)p->warmup_steps;
            f = fmin(f, n / (w * sqrt(w)));
        }
        return (float)((double)p->lr * f / sqrt(d));
    }
    if (step < p->warmup_steps) return p->lr * (float)(step + 1) / (float)p->warmup_steps;
    int64_t span = p->max_steps - p->warmup_steps;
    if (span <= 0) return p->lr;
    double progress = (double)(step - p->warmup_steps) / (double)span;
    if (progress > 1.0) progress = 1.0;
    if (p->schedule == ATTN_SCHEDULE_ONE_CYCLE)
        return (float)((double)p->lr + ((double)p->min_lr - (double)p->lr) * progress);
    return (float)((double)p->min_lr + 0.5 * ((double)p->lr - (double)p->min_lr) * (1.0 + cos(3.141592653589793 * progress)));
}

attn_status attn_trainer_new(attn_model *model, const attn_optim_params *p, attn_trainer **out) {
    *out = NULL;
    if (!(p->lr > 0) || !(p->min_lr >= 0) || p->warmup_steps < 0 || !(p->beta1 >= 0 && p->beta1 < 1) ||
        !(p->beta2 >= 0 && p->beta2 < 1) || !(p->eps > 0) || !(p->weight_decay >= 0) || !(p->grad_clip >= 0) ||
        (p->schedule != ATTN_SCHEDULE_COSINE && p->schedule != ATTN_SCHEDULE_INVERSE_SQRT &&
         p->schedule != ATTN_SCHEDULE_ONE_CYCLE))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "optimizer settings out of range (lr > 0, betas in [0,1), eps > 0, ...)");
    attn_status st = model_enable_grads(model);
    if (st) return st;
    attn_trainer *tr = attn_calloc(1, sizeof *tr);
    if (!tr) return ATTN_ERR_OUT_OF_MEMORY;
    tr->model = model;
    tr->p = *p;
    tr->lo = 0;
    tr->hi = model->n_weights;
    tr->norm_block = norm_block();
    if (tr->p.schedule == ATTN_SCHEDULE_INVERSE_SQRT && tr->p.d_model <= 0) tr->p.d_model = model->cfg.n_embd;
    size_t bytes = (size_t)model->n_weights * sizeof(float);
    tr->m = attn_malloc_aligned(bytes);
    tr->v = attn_malloc_aligned(bytes);
    if (!tr->m || !tr->v) {
        attn_trainer_free(tr);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    memset(tr->m, 0, bytes);
    memset(tr->v, 0, bytes);
    if (tr->p.optimizer == ATTN_OPTIMIZER_MUON) { /* Newton-Schulz's room for the largest matrix */
        int64_t most = 0;
        for (int i = 0; i < model->n_params_tensors; i++)
            if (muon_param(&model->params[i]))
                most = ATTN_MAX(most, muon_work_floats(model->params[i].shape[0], model->params[i].shape[1]));
        if (most && !(tr->muon_work = attn_malloc_aligned((size_t)most * sizeof(float)))) {
            attn_trainer_free(tr);
            return ATTN_ERR_OUT_OF_MEMORY;
        }
    }
    graph_init(&tr->g, NULL);
    *out = tr;
    return ATTN_OK;
}

void attn_trainer_free(attn_trainer *tr) {
    if (!tr) return;
    graph_free(&tr->g);
    attn_free_aligned(tr->m);
    attn_free_aligned(tr->v);
    attn_free_aligned(tr->acc);
    attn_free_aligned(tr->muon_work);
    attn_free(tr->counts);
    attn_free(tr->displs);
    attn_free(tr->block_sums);
    attn_free_aligned(tr->shard_buf);
    attn_free(tr->bucket_lo);
    attn_free(tr->bucket_ready);
    trainer_drop_full_moments(tr);
    attn_free(tr);
}

int64_t attn_trainer_steps_done(const attn_trainer *tr) { return tr->step; }

size_t attn_trainer_arena_bytes(const attn_trainer *tr, size_t *n_chunk_allocs) {
    if (n_chunk_allocs) *n_chunk_allocs = tr->g.mem.n_chunk_allocs;
    return arena_bytes(&tr->g.mem);
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

attn_status trainer_shard_moments(attn_trainer *tr) {
    attn_model *m = tr->model;
    int W = dist_size(), r = dist_rank();
    int64_t n = m->n_weights;
    if (n > INT_MAX)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "--zero 1: the model's %lld weights are more than one MPI count holds (%d)",
                           (long long)n, INT_MAX);
    int64_t *bounds = attn_calloc((size_t)W + 1, sizeof *bounds);
    tr->counts = attn_calloc((size_t)W, sizeof *tr->counts);
    tr->displs = attn_calloc((size_t)W, sizeof *tr->displs);
    if (!bounds || !tr->counts || !tr->displs) {
        attn_free(bounds);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    bounds[W] = n;
    for (int q = 1; q < W; q++) { /* about n q / W, moved back to the start of the norm block it falls in */
        int64_t t = n * q / W, b = t;
        for (int i = 0; i < m->n_params_tensors; i++) {
            const param_info *pi = &m->params[i];
            if (t >= pi->offset && t < pi->offset + pi->numel) {
                b = pi->offset + (t - pi->offset) / tr->norm_block * tr->norm_block;
                break;
            }
        }
        bounds[q] = b > bounds[q - 1] ? b : bounds[q - 1];
    }
    for (int q = 0; q < W; q++) {
        tr->displs[q] = (int)bounds[q];
        tr->counts[q] = (int)(bounds[q + 1] - bounds[q]);
    }
    tr->lo = bounds[r];
    tr->hi = bounds[r + 1];
    attn_free(bounds);
    tr->n_blocks = 0;
    for (int i = 0; i < m->n_params_tensors; i++) tr->n_blocks += (m->params[i].numel + tr->norm_block - 1) / tr->norm_block;
    if (tr->n_blocks > INT_MAX) return attn_errorf(ATTN_ERR_UNSUPPORTED, "--zero 1: too many gradient blocks");
    size_t bytes = (size_t)(tr->hi - tr->lo) * sizeof(float);
    attn_free_aligned(tr->m);
    attn_free_aligned(tr->v);
    tr->m = attn_malloc_aligned(bytes ? bytes : sizeof(float));
    tr->v = attn_malloc_aligned(bytes ? bytes : sizeof(float));
    tr->block_sums = attn_calloc((size_t)tr->n_blocks + 1, sizeof *tr->block_sums);
    tr->shard_buf = attn_malloc_aligned(bytes ? bytes : sizeof(float));
    if (!tr->m || !tr->v || !tr->block_sums || !tr->shard_buf) return ATTN_ERR_OUT_OF_MEMORY;
    memset(tr->m, 0, bytes);
    memset(tr->v, 0, bytes);
    tr->zero = true;
    return ATTN_OK;
}

attn_status trainer_gather_moments(attn_trainer *tr) {
    if (!tr->zero) return ATTN_OK;
    attn_model *m = tr->model;
    size_t bytes = (size_t)m->n_weights * sizeof(float);
    bool root = dist_rank() == 0;
    if (root) {
        /* between steps the gradients (and --deterministic-reduce's running
         * sum) are free: the moments borrow them instead of raising rank 0's
         * peak memory by the state ZeRO saves */
        tr->full_m = m->grads;
        tr->full_v = tr->acc;
        if (!tr->full_v && !(tr->full_v = tr->full_v_owned = attn_malloc_aligned(bytes))) {
            /* the others are already in the gather: end the run */
            trainer_drop_full_moments(tr);
            return attn_errorf(ATTN_ERR_OUT_OF_MEMORY, "out of memory gathering the optimizer state for a checkpoint");
        }
        /* the padding between tensors belongs to no shard (and is saved nowhere) */
        memset(tr->full_m, 0, bytes);
        memset(tr->full_v, 0, bytes);
    }
    attn_status st = dist_gather_f32(tr->m, tr->full_m, tr->counts, tr->displs, 0);
    if (!st) st = dist_gather_f32(tr->v, tr->full_v, tr->counts, tr->displs, 0);
    return st;
}

void trainer_drop_full_moments(attn_trainer *tr) {
    attn_free_aligned(tr->full_v_owned);
    tr->full_m = tr->full_v = tr->full_v_owned = NULL;
}

/* The global gradient norm: per-tensor sums of squares (each its blocks'
 * in order), then the total, in double: the grouping of torch's norm of
 * per-parameter norms. ZeRO-1: each rank sums the blocks of its shard
 * (whose gradients alone are the step's), the others' zeros are added in
 * (exactly), and every rank adds them up alike. */
static attn_status grad_norm(attn_trainer *tr, double *out) {
    const attn_model *m = tr->model;
    const kernels *k = kernels_default();
    double total = 0, *bs = tr->block_sums;
    int64_t b = 0;
    if (tr->zero) {
        for (int i = 0; i < m->n_params_tensors; i++)
            for (int64_t j = 0; j < m->params[i].numel; j += tr->norm_block, b++) {
                int64_t at = m->params[i].offset + j, len = min64(tr->norm_block, m->params[i].numel - j);
                bs[b] = at >= tr->lo && at < tr->hi ? k->sumsq(m->grads + at, len) : 0;
            }
        attn_status st = dist_sum_f64(bs, (int)tr->n_blocks);
        if (st) return st;
        b = 0;
    }
    for (int i = 0; i < m->n_params_tensors; i++) {
        double t = 0;
        for (int64_t j = 0; j < m->params[i].numel; j += tr->norm_block)
            t += bs ? bs[b++] : k->sumsq(m->grads + m->params[i].offset + j, min64(tr->norm_block, m->params[i].numel - j));
        total += t;
    }
    *out = sqrt(total);
    return ATTN_OK;
}

/* AdamW on the weights whose moments this process holds ([lo, hi)). */
static void adamw_update(attn_trainer *tr, float lr, float clip_scale) {
    attn_model *m = tr->model;
    const attn_optim_params *p = &tr->p;
    const kernels *k = kernels_default();
    int64_t t = tr->step + 1;
    adamw_hparams h = {.step_size = lr / (float)(1.0 - pow((double)p->beta1, (double)t)),
                       .beta1 = p->beta1,
                       .beta2 = p->beta2,
                       .eps = p->eps,
                       .bc2_sqrt = (float)sqrt(1.0 - pow((double)p->beta2, (double)t)),
                       .grad_scale = clip_scale};
    bool muon = p->optimizer == ATTN_OPTIMIZER_MUON, refresh = false;
    float muon_lr = p->lr > 0 ? p->muon_lr * (lr / p->lr) : 0.0f;
    for (int i = 0; i < m->n_params_tensors; i++) {
        const param_info *pi = &m->params[i];
        if (muon && muon_param(pi)) { /* no ZeRO with Muon (loop.c): the whole matrix is here */
            muon_update(k, m->weights + pi->offset, tr->m + (pi->offset - tr->lo), m->grads + pi->offset, pi->shape[0],
                        pi->shape[1], muon_lr, p->muon_momentum, p->weight_decay, clip_scale, tr->muon_work);
            refresh = refresh || m->weights_bf16;
            continue;
        }
        int64_t a = pi->offset > tr->lo ? pi->offset : tr->lo, e = min64(pi->offset + pi->numel, tr->hi);
        if (a >= e) continue;
        h.decay = pi->decay ? 1.0f - lr * p->weight_decay : 1.0f;
        /* bf16 precision: the matrices' bf16 copies follow each update */
        uint16_t *wb = m->weights_bf16 && model_param_bf16(pi) ? m->weights_bf16 + a : NULL;
        k->adamw(m->weights + a, tr->m + (a - tr->lo), tr->v + (a - tr->lo), wb, m->grads + a, e - a, &h);
    }
    if (refresh) model_refresh_bf16(m);
}

static tensor *batch_loss(attn_trainer *tr, const model_batch *b) {
    return tr->loss ? tr->loss(tr->loss_ctx, tr->model, &tr->g, b) : model_batch_loss(tr->model, &tr->g, b);
}

/* ---- the gradients' sum overlapped with the backward ----------------------- */

static int cmp_offset(const void *a, const void *b) {
    int64_t x = (*(const param_info *const *)a)->offset, y = (*(const param_info *const *)b)->offset;
    return (x > y) - (x < y);
}

/* The buckets (once): whole parameters in the order of their offsets, a
 * bucket closed once it holds bucket_floats floats; the first starts at 0
 * and the last ends at n_weights (padding between parameters included). */
static attn_status buckets_make(attn_trainer *tr) {
    if (tr->bucket_lo) return ATTN_OK;
    const attn_model *m = tr->model;
    int n = m->n_params_tensors;
    const param_info **order = attn_malloc((size_t)(n ? n : 1) * sizeof *order);
    int64_t *lo = attn_malloc((size_t)(n + 2) * sizeof *lo), *ready = attn_malloc((size_t)(n + 1) * sizeof *ready);
    if (!order || !lo || !ready) {
        attn_free(order);
        attn_free(lo);
        attn_free(ready);
        return ATTN_ERR_OUT_OF_MEMORY;
    }
    for (int k = 0; k < n; k++) order[k] = &m->params[k];
    qsort(order, (size_t)n, sizeof *order, cmp_offset);
    int64_t nb = 0;
    lo[0] = 0;
    for (int k = 0; k < n; k++) {
        int64_t end = order[k]->offset + order[k]->numel;
        if (end - lo[nb] >= tr->bucket_floats && end < m->n_weights) lo[++nb] = end;
    }
    lo[++nb] = m->n_weights;
    attn_free(order);
    tr->bucket_lo = lo;
    tr->bucket_ready = ready;
    tr->n_buckets = nb;
    return ATTN_OK;
}

/* Marks the buckets that floats [a, b) of the gradients fall in as written by entry i. */
static void buckets_written(attn_trainer *tr, int64_t a, int64_t b, int64_t i) {
    int64_t lo = 0, hi = tr->n_buckets - 1;
    while (lo < hi) { /* the bucket holding float a */
        int64_t mid = (lo + hi + 1) / 2;
        if (tr->bucket_lo[mid] <= a) lo = mid;
        else hi = mid - 1;
    }
    for (int64_t k = lo; k < tr->n_buckets && tr->bucket_lo[k] < b; k++)
        if (i < tr->bucket_ready[k]) tr->bucket_ready[k] = i;
}

/* After the forward of the last micro-batch: for each bucket, the first
 * tape entry that reads one of its parameters (whose backward is the last
 * to write their gradients). A checkpoint's segment reads parameters the
 * tape does not show: every bucket then waits for the first checkpoint. */
static void buckets_plan(attn_trainer *tr) {
    const graph *g = &tr->g;
    /* addresses as integers: most tensors' gradients lie outside the block */
    uintptr_t g0 = (uintptr_t)tr->model->grads, g1 = (uintptr_t)(tr->model->grads + tr->model->n_weights);
    int64_t first_checkpoint = g->n_tape;
    for (int64_t k = 0; k < tr->n_buckets; k++) tr->bucket_ready[k] = g->n_tape;
    for (int64_t i = 0; i < g->n_tape; i++) {
        const tape_entry *e = &g->tape[i];
        if (e->op == OP_CHECKPOINT && i < first_checkpoint) first_checkpoint = i;
        for (int64_t j = 0; j < 3 + (e->op == OP_CHECKPOINT ? 0 : e->n_list); j++) {
            const tensor *t = j < 3 ? e->in[j] : e->list[j - 3];
            uintptr_t a = t ? (uintptr_t)t->grad : 0;
            if (a >= g0 && a < g1) {
                int64_t off = (int64_t)((a - g0) / sizeof(float));
                buckets_written(tr, off, off + t->numel, i);
            }
        }
    }
    for (int64_t k = 0; k < tr->n_buckets; k++)
        if (first_checkpoint < tr->bucket_ready[k]) tr->bucket_ready[k] = first_checkpoint;
}

/* graph_backward's after_entry: starts the buckets that are final, in order from the last. */
static attn_status buckets_start(void *ctx, int64_t entry) {
    attn_trainer *tr = ctx;
    attn_status st = ATTN_OK;
    for (; !st && tr->next_bucket >= 0 && tr->bucket_ready[tr->next_bucket] >= entry; tr->next_bucket--) {
        int64_t b = tr->next_bucket;
        st = dist_isum_f32(tr->model->grads + tr->bucket_lo[b], tr->bucket_lo[b + 1] - tr->bucket_lo[b]);
    }
    return st ? st : dist_progress();
}

/* Forward and backward of one micro-batch; gradients accumulate. overlap:
 * the step's last micro-batch, whose backward starts the sums over
 * processes bucket by bucket (dist_wait completes them). */
static attn_status micro_step(attn_trainer *tr, const model_batch *b, int64_t micro, double *loss_sum, bool overlap) {
    uint64_t seed = rng_hash(tr->dropout_seed, (uint64_t)tr->step, (uint64_t)micro);
    graph_reset(&tr->g, true, true, seed);
    tensor *l = batch_loss(tr, b);
    if (!l) return tr->g.status ? tr->g.status : ATTN_ERR_INVALID_ARG;
    *loss_sum += (double)l->data[0];
    if (!overlap) return graph_backward(&tr->g, l);
    attn_status st = buckets_make(tr);
    if (st) return st;
    buckets_plan(tr);
    tr->next_bucket = tr->n_buckets - 1;
    tr->g.after_entry = buckets_start;
    tr->g.after_ctx = tr;
    st = graph_backward(&tr->g, l);
    tr->g.after_entry = NULL;
    if (!st) st = buckets_start(tr, -1); /* the rest (buckets no entry wrote last) */
    return st;
}

/* Averages the micro-batches' gradients, clips, and updates. */
static attn_status finish_step(attn_trainer *tr, int64_t n_micro, double loss_sum, float *loss, float *gnorm) {
    attn_model *m = tr->model;
    if (n_micro > 1) { /* each micro-batch contributes 1/n_micro of the mean loss */
        float s = 1.0f / (float)n_micro;
        for (int64_t i = tr->lo; i < tr->hi; i++) m->grads[i] *= s;
    }
    double norm;
    attn_status st = grad_norm(tr, &norm);
    if (st) return st;
    float clip_scale = 1.0f;
    if (tr->p.grad_clip > 0) {
        double c = (double)tr->p.grad_clip / (norm + 1e-6);
        clip_scale = c < 1.0 ? (float)c : 1.0f;
    }
    if (!isfinite(norm)) return attn_errorf(ATTN_ERR_INVALID_ARG, "gradient norm is not finite at step %lld (loss %g): lower the learning rate",
                                            (long long)tr->step + 1, loss_sum / (double)n_micro);
    adamw_update(tr, attn_lr_at(&tr->p, tr->step), clip_scale);
    if (tr->zero) { /* every rank's updated shard to every rank */
        if ((st = dist_allgather_f32(m->weights, tr->counts, tr->displs)) != ATTN_OK) return st;
        if (m->weights_bf16) model_refresh_bf16(m);
    }
    tr->step++;
    if (loss) *loss = (float)(loss_sum / (double)n_micro);
    if (gnorm) *gnorm = (float)norm;
    return ATTN_OK;
}

attn_status attn_trainer_step(attn_trainer *tr, const int32_t *inputs, const int32_t *targets, int64_t n_micro, int64_t B,
                              int64_t T, float *loss, float *gnorm) {
    if (n_micro < 1 || B < 1 || T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "empty batch");
    model_zero_grads(tr->model);
    double loss_sum = 0;
    for (int64_t micro = 0; micro < n_micro; micro++) {
        model_batch b = {.B = B, .T = T, .inputs = inputs + micro * B * T, .targets = targets + micro * B * T};
        attn_status st = micro_step(tr, &b, micro, &loss_sum, false);
        if (st) return st;
    }
    return finish_step(tr, n_micro, loss_sum, loss, gnorm);
}

attn_status trainer_step_batches(attn_trainer *tr, const model_batch *mb, int64_t n_micro, float *loss, float *gnorm) {
    return trainer_step_dist(tr, mb, n_micro, 0, n_micro, false, loss, gnorm);
}

/* --deterministic-reduce: the running sum of the step's micro-batch
 * gradients in tr->acc, one micro-batch at a time in global order; the
 * sum arrives from the rank before (its running sum and loss sum) and goes
 * on to the rank after; the last rank's is the step's, broadcast to all
 * and copied into the gradients. */
static attn_status deterministic_step(attn_trainer *tr, const model_batch *mb, int64_t n_local, int64_t first,
                                      double *loss_sum) {
    attn_model *m = tr->model;
    int rank = dist_rank(), size = dist_size();
    size_t n = (size_t)m->n_weights;
    if (!tr->acc && !(tr->acc = attn_malloc_aligned(n * sizeof *tr->acc))) return ATTN_ERR_OUT_OF_MEMORY;
    float *acc = tr->acc;
    const float *g = m->grads;
    attn_status st;
    *loss_sum = 0;
    for (int64_t i = 0; i < n_local; i++) {
        model_zero_grads(m);
        double l = 0;
        if ((st = micro_step(tr, &mb[i], first + i, &l, false)) != ATTN_OK) return st;
        if (i == 0 && (st = dist_fault_point(tr->step + 1)) != ATTN_OK) return st;
        if (i == 0 && rank > 0) { /* the sum of every micro-batch before this rank's */
            if ((st = dist_recv(acc, n * sizeof *acc, rank - 1)) != ATTN_OK ||
                (st = dist_recv(loss_sum, sizeof *loss_sum, rank - 1)) != ATTN_OK)
                return st;
        }
        if (first + i == 0)
            memcpy(acc, g, n * sizeof *acc);
        else
            for (size_t j = 0; j < n; j++) acc[j] += g[j];
        *loss_sum += l;
    }
    if (rank + 1 < size && ((st = dist_send(acc, n * sizeof *acc, rank + 1)) != ATTN_OK ||
                            (st = dist_send(loss_sum, sizeof *loss_sum, rank + 1)) != ATTN_OK))
        return st;
    if (tr->zero) /* ZeRO-1: each rank receives the sum of its shard */
        st = dist_scatter_f32(acc, m->grads + tr->lo, tr->counts, tr->displs, size - 1);
    else if ((st = dist_bcast(acc, n * sizeof *acc, size - 1)) == ATTN_OK)
        memcpy(m->grads, acc, n * sizeof *acc);
    if (!st) st = dist_bcast(loss_sum, sizeof *loss_sum, size - 1);
    return st;
}

attn_status trainer_step_dist(attn_trainer *tr, const model_batch *mb, int64_t n_local, int64_t first, int64_t n_total,
                              bool deterministic, float *loss, float *gnorm) {
    if (n_local < 1 || first < 0 || first + n_local > n_total) return attn_errorf(ATTN_ERR_INVALID_ARG, "empty batch");
    for (int64_t micro = 0; micro < n_local; micro++)
        if (mb[micro].B < 1 || mb[micro].T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "empty batch");
    double loss_sum = 0;
    attn_status st;
    if (deterministic) {
        if ((st = deterministic_step(tr, mb, n_local, first, &loss_sum)) != ATTN_OK) return st;
    } else {
        model_zero_grads(tr->model);
        bool overlap = !tr->zero && dist_size() > 1 && tr->bucket_floats > 0;
        for (int64_t micro = 0; micro < n_local; micro++) {
            if ((st = micro_step(tr, &mb[micro], first + micro, &loss_sum, overlap && micro == n_local - 1)) != ATTN_OK)
                return st;
            if (micro == 0 && (st = dist_fault_point(tr->step + 1)) != ATTN_OK) return st;
        }
        if ((st = tr->zero       ? dist_reduce_scatter_f32(tr->model->grads, tr->shard_buf, tr->counts, tr->displs)
                  : overlap ? dist_wait()
                            : dist_sum_f32(tr->model->grads, tr->model->n_weights)) != ATTN_OK ||
            (st = dist_sum_f64(&loss_sum, 1)) != ATTN_OK)
            return st;
    }
    if ((st = finish_step(tr, n_total, loss_sum, loss, gnorm)) != ATTN_OK) return st;
    if (dist_fault_diverge(tr->step)) tr->model->weights[0] = nextafterf(tr->model->weights[0], INFINITY);
    return ATTN_OK;
}

attn_status trainer_eval_batch(attn_trainer *tr, const model_batch *b, float *loss) {
    graph_reset(&tr->g, false, false, 0);
    tensor *l = batch_loss(tr, b);
    if (!l) return tr->g.status ? tr->g.status : ATTN_ERR_INVALID_ARG;
    *loss = l->data[0];
    return ATTN_OK;
}

attn_status attn_trainer_eval(attn_trainer *tr, const int32_t *inputs, const int32_t *targets, int64_t B, int64_t T,
                              float *loss) {
    graph_reset(&tr->g, false, false, 0);
    tensor *l = model_loss(tr->model, &tr->g, inputs, targets, B, T);
    if (!l) return tr->g.status ? tr->g.status : ATTN_ERR_INVALID_ARG;
    *loss = l->data[0];
    return ATTN_OK;
}
