/* ops_align.c — the ops of preference learning and RL fine-tuning (graph.h): per-sequence
 * sums of target log-probabilities, and the DPO / IPO loss over pairs of
 * them against fixed reference values; PPO's clipped policy and value
 * losses. */
#include "ops/ops_impl.h"

#include <math.h>

static tensor *align_fail(graph *g, attn_status st, const char *what) {
    if (!g->status) g->status = attn_errorf(st, "%s", what);
    return NULL;
}

/* Records `out` with input a (nothing when a needs no gradient). */
static tape_entry *align_record(graph *g, op_kind op, tensor *out, tensor *a) {
    out->requires_grad = a->requires_grad;
    if (!out->requires_grad) return NULL;
    tape_entry *e = graph_record(g, op, out);
    if (e) e->in[0] = a;
    return e;
}

/* log sum exp of a row of V logits (its maximum taken out, the sum in double) */
static float row_lse(const float *r, int64_t V) {
    float mx = r[0];
    for (int64_t v = 1; v < V; v++) mx = r[v] > mx ? r[v] : mx;
    double s = 0;
    for (int64_t v = 0; v < V; v++) s += exp((double)(r[v] - mx));
    return mx + (float)log(s);
}

/* every target a token id below V, or -1 (no target) */
static bool targets_ok(const int32_t *targets, int64_t N, int64_t V) {
    for (int64_t n = 0; n < N; n++)
        if (targets[n] >= V || (targets[n] < 0 && targets[n] != -1)) return false;
    return true;
}

tensor *op_seq_logprob(graph *g, tensor *logits, const int32_t *targets, const int32_t *seq, int64_t n_seq) {
    if (g->status) return NULL;
    if (!logits || !targets || !seq || n_seq < 1) return align_fail(g, ATTN_ERR_INVALID_ARG, "op_seq_logprob: bad arguments");
    int64_t V = logits->shape[logits->ndim - 1], N = logits->numel / V;
    for (int64_t n = 0; n < N; n++) {
        if (seq[n] < 0) continue;
        if (seq[n] >= n_seq || targets[n] < 0 || targets[n] >= V)
            return align_fail(g, ATTN_ERR_INVALID_ARG, "op_seq_logprob: a counted row's target or sequence is out of range");
    }
    tensor *out = graph_tensor(g, 1, (int64_t[]){n_seq});
    float *lse = graph_floats(g, N), *lp = graph_floats(g, N);
    int32_t *tg = graph_ints(g, 2 * N);
    if (!out || !lse || !lp || !tg) return NULL;
    memcpy(tg, targets, (size_t)N * sizeof *tg);
    memcpy(tg + N, seq, (size_t)N * sizeof *tg);
    const float *z = logits->data;
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        if (seq[n] < 0) continue;
        const float *r = z + n * V;
        lse[n] = row_lse(r, V);
        lp[n] = r[targets[n]] - lse[n];
    }
    for (int64_t i = 0; i < n_seq; i++) out->data[i] = 0;
    double *acc = (double *)graph_floats(g, 2 * n_seq);
    if (!acc) return NULL;
    for (int64_t i = 0; i < n_seq; i++) acc[i] = 0;
    for (int64_t n = 0; n < N; n++)
        if (seq[n] >= 0) acc[seq[n]] += (double)lp[n];
    for (int64_t i = 0; i < n_seq; i++) out->data[i] = (float)acc[i];
    tape_entry *e = align_record(g, OP_SEQ_LOGPROB, out, logits);
    if (e) {
        e->ids = tg;
        e->saved[0] = lse;
    }
    return out;
}

/* d logp(seq) / d z[n, v] = [v == target] - softmax(z[n])[v], times d(out). */
void op_seq_logprob_backward(graph *g, tape_entry *e) {
    (void)g;
    tensor *x = e->in[0];
    if (!x->requires_grad) return;
    int64_t V = x->shape[x->ndim - 1], N = x->numel / V;
    const int32_t *tg = e->ids, *seq = e->ids + N;
    const float *lse = e->saved[0], *gout = e->out->grad;
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        if (seq[n] < 0 || gout[seq[n]] == 0) continue;
        float s = gout[seq[n]], *gr = x->grad + n * V;
        const float *r = x->data + n * V;
        for (int64_t v = 0; v < V; v++) gr[v] -= s * expf(r[v] - lse[n]);
        gr[tg[n]] += s;
    }
}

/* log(1 + exp(x)) without overflow. */
static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

tensor *op_dpo_loss(graph *g, tensor *lp, const float *ref, const float *scale, int64_t n_pairs, float beta, bool ipo) {
    if (g->status) return NULL;
    if (!lp || !ref || n_pairs < 1 || lp->numel != 2 * n_pairs || !(beta > 0))
        return align_fail(g, ATTN_ERR_INVALID_ARG, "op_dpo_loss: bad arguments");
    tensor *out = graph_tensor(g, 1, (int64_t[]){1});
    float *d = graph_floats(g, 3 * n_pairs);
    if (!out || !d) return NULL;
    float *sc = d + n_pairs;
    double sum = 0;
    for (int64_t i = 0; i < n_pairs; i++) {
        sc[2 * i] = scale ? scale[2 * i] : 1.0f;
        sc[2 * i + 1] = scale ? scale[2 * i + 1] : 1.0f;
        double c = ((double)lp->data[2 * i] - (double)ref[2 * i]) * (double)sc[2 * i];
        double r = ((double)lp->data[2 * i + 1] - (double)ref[2 * i + 1]) * (double)sc[2 * i + 1];
        double u = c - r;
        if (ipo) {
            double m = u - 1.0 / (2.0 * (double)beta);
            sum += m * m;
            d[i] = (float)(2.0 * m);                                  /* d loss_i / d u */
        } else {
            sum += softplus(-(double)beta * u);                       /* -log sigmoid(beta u) */
            d[i] = (float)(-(double)beta / (1.0 + exp((double)beta * u))); /* -beta sigmoid(-beta u) */
        }
    }
    out->data[0] = (float)(sum / (double)n_pairs);
    tape_entry *e = align_record(g, OP_DPO, out, lp);
    if (e) {
        e->saved[0] = d;
        e->n_valid = n_pairs;
    }
    return out;
}

void op_dpo_backward(graph *g, tape_entry *e) {
    (void)g;
    tensor *x = e->in[0];
    if (!x->requires_grad) return;
    int64_t n = e->n_valid;
    const float *d = e->saved[0], *sc = d + n;
    float s = e->out->grad[0] / (float)n;
    for (int64_t i = 0; i < n; i++) {
        x->grad[2 * i] += s * d[i] * sc[2 * i];
        x->grad[2 * i + 1] -= s * d[i] * sc[2 * i + 1];
    }
}

tensor *op_dot_const(graph *g, tensor *x, const float *w) {
    if (g->status) return NULL;
    if (!x || !w) return align_fail(g, ATTN_ERR_INVALID_ARG, "op_dot_const: bad arguments");
    tensor *out = graph_tensor(g, 1, (int64_t[]){1});
    float *wc = graph_floats(g, x->numel);
    if (!out || !wc) return NULL;
    memcpy(wc, w, (size_t)x->numel * sizeof *wc);
    double s = 0;
    for (int64_t i = 0; i < x->numel; i++) s += (double)x->data[i] * (double)wc[i];
    out->data[0] = (float)s;
    tape_entry *e = align_record(g, OP_DOT_CONST, out, x);
    if (e) e->saved[0] = wc;
    return out;
}

void op_dot_const_backward(graph *g, tape_entry *e) {
    (void)g;
    tensor *x = e->in[0];
    if (!x->requires_grad) return;
    float gout = e->out->grad[0];
    for (int64_t i = 0; i < x->numel; i++) x->grad[i] += gout * e->saved[0][i];
}

tensor *op_token_kl(graph *g, tensor *logits, const int32_t *targets, const float *ref_lp, const float *w) {
    if (g->status) return NULL;
    if (!logits || !targets || !ref_lp || !w) return align_fail(g, ATTN_ERR_INVALID_ARG, "op_token_kl: bad arguments");
    int64_t V = logits->shape[logits->ndim - 1], N = logits->numel / V;
    if (!targets_ok(targets, N, V)) return align_fail(g, ATTN_ERR_INVALID_ARG, "op_token_kl: a target is out of range");
    tensor *out = graph_tensor(g, 1, (int64_t[]){1});
    float *lse = graph_floats(g, N), *d = graph_floats(g, N), *kl = graph_floats(g, N);
    int32_t *tg = graph_ints(g, N);
    if (!out || !lse || !d || !kl || !tg) return NULL;
    memcpy(tg, targets, (size_t)N * sizeof *tg);
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        kl[n] = d[n] = 0;
        if (targets[n] < 0) continue;
        const float *r = logits->data + n * V;
        lse[n] = row_lse(r, V);
        double x = (double)ref_lp[n] - ((double)r[targets[n]] - (double)lse[n]); /* log ref - log pi */
        kl[n] = (float)((exp(x) - x - 1.0) * (double)w[n]);
        d[n] = (float)((1.0 - exp(x)) * (double)w[n]); /* d kl / d log pi, weighted */
    }
    double sum = 0;
    for (int64_t n = 0; n < N; n++) sum += (double)kl[n];
    out->data[0] = (float)sum;
    tape_entry *e = align_record(g, OP_TOKEN_KL, out, logits);
    if (e) {
        e->ids = tg;
        e->saved[0] = lse;
        e->saved[1] = d;
    }
    return out;
}

void op_token_kl_backward(graph *g, tape_entry *e) {
    (void)g;
    tensor *x = e->in[0];
    if (!x->requires_grad) return;
    int64_t V = x->shape[x->ndim - 1], N = x->numel / V;
    const float *lse = e->saved[0], *d = e->saved[1];
    float gout = e->out->grad[0];
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        if (e->ids[n] < 0 || d[n] == 0) continue;
        float s = gout * d[n], *gr = x->grad + n * V;
        const float *r = x->data + n * V;
        for (int64_t v = 0; v < V; v++) gr[v] -= s * expf(r[v] - lse[n]);
        gr[e->ids[n]] += s;
    }
}

tensor *op_ppo_policy(graph *g, tensor *logits, const int32_t *targets, const float *old_lp, const float *adv, const float *w,
                      float eps, double *stats) {
    if (g->status) return NULL;
    if (!logits || !targets || !old_lp || !adv || !w || !(eps >= 0))
        return align_fail(g, ATTN_ERR_INVALID_ARG, "op_ppo_policy: bad arguments");
    int64_t V = logits->shape[logits->ndim - 1], N = logits->numel / V;
    if (!targets_ok(targets, N, V)) return align_fail(g, ATTN_ERR_INVALID_ARG, "op_ppo_policy: a target is out of range");
    tensor *out = graph_tensor(g, 1, (int64_t[]){1});
    float *lse = graph_floats(g, N), *d = graph_floats(g, N), *l = graph_floats(g, N);
    int32_t *tg = graph_ints(g, N);
    uint8_t *clipped = (uint8_t *)graph_ints(g, N);
    if (!out || !lse || !d || !l || !tg || !clipped) return NULL;
    memcpy(tg, targets, (size_t)N * sizeof *tg);
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
        l[n] = d[n] = 0;
        clipped[n] = 0;
        if (targets[n] < 0) continue;
        const float *r = logits->data + n * V;
        lse[n] = row_lse(r, V);
        double rho = exp((double)r[targets[n]] - (double)lse[n] - (double)old_lp[n]);
        double rc = rho < 1.0 - (double)eps ? 1.0 - (double)eps : rho > 1.0 + (double)eps ? 1.0 + (double)eps : rho;
        double a = (double)adv[n], l1 = -a * rho, l2 = -a * rc;
        l[n] = (float)((l1 > l2 ? l1 : l2) * (double)w[n]);
        clipped[n] = l2 > l1;
        d[n] = l1 >= l2 ? (float)(-a * rho * (double)w[n]) : 0.0f; /* d loss / d log pi */
    }
    double sum = 0, nclip = 0, count = 0;
    for (int64_t n = 0; n < N; n++) {
        sum += (double)l[n];
        nclip += clipped[n];
        count += targets[n] >= 0;
    }
    out->data[0] = (float)sum;
    if (stats) {
        stats[0] = nclip;
        stats[1] = count;
    }
    tape_entry *e = align_record(g, OP_PPO_POLICY, out, logits);
    if (e) {
        e->ids = tg;
        e->saved[0] = lse;
        e->saved[1] = d;
    }
    return out;
}

/* The same gradient as op_token_kl's: d(log pi) / d z = onehot - softmax, times the row's weight. */
void op_ppo_policy_backward(graph *g, tape_entry *e) { op_token_kl_backward(g, e); }

tensor *op_ppo_value(graph *g, tensor *v, const float *old, const float *ret, const float *w, float eps) {
    if (g->status) return NULL;
    if (!v || !old || !ret || !w || !(eps >= 0)) return align_fail(g, ATTN_ERR_INVALID_ARG, "op_ppo_value: bad arguments");
    int64_t N = v->numel;
    tensor *out = graph_tensor(g, 1, (int64_t[]){1});
    float *d = graph_floats(g, N);
    if (!out || !d) return NULL;
    double sum = 0;
    for (int64_t n = 0; n < N; n++) {
        d[n] = 0;
        if (w[n] == 0) continue;
        double x = (double)v->data[n], o = (double)old[n], R = (double)ret[n], dx = x - o;
        bool inside = dx >= -(double)eps && dx <= (double)eps;
        double vc = o + (dx < -(double)eps ? -(double)eps : dx > (double)eps ? (double)eps : dx);
        double l1 = (x - R) * (x - R), l2 = (vc - R) * (vc - R);
        sum += 0.5 * (l1 > l2 ? l1 : l2) * (double)w[n];
        /* torch.maximum splits a tie's gradient; clamp passes it inside its range */
        double g1 = x - R, g2 = inside ? vc - R : 0.0;
        double gr = l1 > l2 ? g1 : l2 > l1 ? g2 : 0.5 * (g1 + g2);
        d[n] = (float)(gr * (double)w[n]);
    }
    out->data[0] = (float)sum;
    tape_entry *e = align_record(g, OP_PPO_VALUE, out, v);
    if (e) e->saved[0] = d;
    return out;
}

/* the saved d loss / d v times the output's gradient, as op_dot_const's */
void op_ppo_value_backward(graph *g, tape_entry *e) { op_dot_const_backward(g, e); }
