/* Reference kernels: attention and softmax cross-entropy. Attention is
 * computed one query row at a time over all keys, with probabilities
 * recomputed in backward from the saved log-sum-exp. */
#include "kernels/ref/ref.h"

#include <math.h>
#include <stddef.h>

static bool visible(const attn_dims *d, int64_t b, int64_t i, int64_t j) {
    if (d->causal && j > i + (d->Tk - d->Tq)) return false;
    if (d->key_mask && !d->key_mask[b * d->Tk + j]) return false;
    return true;
}

static double score(const attn_dims *d, const float *q, const float *k, int64_t b, int64_t h, int64_t i,
                    int64_t j) {
    const float *qi = q + b * d->q_batch_stride + i * d->q_stride + h * d->D;
    const float *kj = k + b * d->kv_batch_stride + j * d->kv_stride + attn_kv_head(d, h) * d->D;
    double s = 0;
    for (int64_t e = 0; e < d->D; e++) s += (double)qi[e] * (double)kj[e];
    s *= (double)d->scale;
    if (d->alibi) s += (double)d->alibi[h] * (double)(j - (i + d->Tk - d->Tq));
    return s;
}

void ref_attention_forward(const attn_dims *d, float *out, float *lse, const float *q, const float *k,
                           const float *v) {
    const int64_t C = d->H * d->D;
    for (int64_t b = 0; b < d->B; b++)
        for (int64_t h = 0; h < d->H; h++)
            for (int64_t i = 0; i < d->Tq; i++) {
                double mx = -(double)INFINITY;
                for (int64_t j = 0; j < d->Tk; j++)
                    if (visible(d, b, i, j)) {
                        double s = score(d, q, k, b, h, i, j);
                        mx = s > mx || isnan(s) ? s : mx; /* a NaN score makes the row NaN (fmax would drop it) */
                    }
                float *o = out + (b * d->Tq + i) * C + h * d->D;
                float *l = &lse[(b * d->H + h) * d->Tq + i];
                if (mx == -(double)INFINITY) {
                    for (int64_t e = 0; e < d->D; e++) o[e] = 0;
                    *l = -INFINITY;
                    continue;
                }
                double sum = 0;
                for (int64_t j = 0; j < d->Tk; j++)
                    if (visible(d, b, i, j)) sum += exp(score(d, q, k, b, h, i, j) - mx);
                /* one output element at a time, recomputing the probabilities:
                 * slow, allocation-free, obviously right */
                for (int64_t e = 0; e < d->D; e++) {
                    double acc = 0;
                    for (int64_t j = 0; j < d->Tk; j++) {
                        if (!visible(d, b, i, j)) continue;
                        const float *vj = v + b * d->kv_batch_stride + j * d->kv_stride + attn_kv_head(d, h) * d->D;
                        acc += exp(score(d, q, k, b, h, i, j) - mx) / sum * (double)vj[e];
                    }
                    o[e] = (float)acc;
                }
                *l = (float)(mx + log(sum));
            }
}

void ref_attention_backward(const attn_dims *d, float *dq, float *dk, float *dv, const float *dout,
                            const float *out, const float *lse, const float *q, const float *k,
                            const float *v) {
    const int64_t C = d->H * d->D;
    for (int64_t b = 0; b < d->B; b++)
        for (int64_t h = 0; h < d->H; h++)
            for (int64_t i = 0; i < d->Tq; i++) {
                double l = (double)lse[(b * d->H + h) * d->Tq + i];
                if (l == -(double)INFINITY) continue;
                const float *doi = dout + (b * d->Tq + i) * C + h * d->D;
                const float *oi = out + (b * d->Tq + i) * C + h * d->D;
                const float *qi = q + b * d->q_batch_stride + i * d->q_stride + h * d->D;
                float *dqi = dq ? dq + b * d->q_batch_stride + i * d->q_stride + h * d->D : NULL;
                double Di = 0; /* sum_e dout_ie * out_ie = sum_j p_ij dp_ij */
                for (int64_t e = 0; e < d->D; e++) Di += (double)doi[e] * (double)oi[e];
                for (int64_t j = 0; j < d->Tk; j++) {
                    if (!visible(d, b, i, j)) continue;
                    const int64_t kv = b * d->kv_batch_stride + j * d->kv_stride + attn_kv_head(d, h) * d->D;
                    const float *kj = k + kv, *vj = v + kv;
                    float *dkj = dk ? dk + kv : NULL, *dvj = dv ? dv + kv : NULL;
                    double p = exp(score(d, q, k, b, h, i, j) - l);
                    double dp = 0;
                    for (int64_t e = 0; e < d->D; e++) dp += (double)doi[e] * (double)vj[e];
                    double ds = p * (dp - Di) * (double)d->scale;
                    for (int64_t e = 0; e < d->D; e++) {
                        if (dqi) dqi[e] += (float)(ds * (double)kj[e]);
                        if (dkj) dkj[e] += (float)(ds * (double)qi[e]);
                        if (dvj) dvj[e] += (float)(p * (double)doi[e]);
                    }
                }
            }
}

void ref_crossentropy_forward(float *losses, float *lse, const float *logits, const int32_t *targets,
                              int64_t N, int64_t V, int32_t ignore_index) {
    for (int64_t n = 0; n < N; n++) {
        const float *x = logits + n * V;
        double mx = -(double)INFINITY;
        for (int64_t j = 0; j < V; j++) mx = fmax(mx, (double)x[j]);
        double s = 0;
        for (int64_t j = 0; j < V; j++) s += exp((double)x[j] - mx);
        double l = mx + log(s);
        lse[n] = (float)l;
        losses[n] = targets[n] == ignore_index ? 0.0f : (float)(l - (double)x[targets[n]]);
    }
}

void ref_crossentropy_backward(float *dlogits, const float *logits, const float *lse, const int32_t *targets,
                               float scale, int64_t N, int64_t V, int32_t ignore_index) {
    for (int64_t n = 0; n < N; n++) {
        const float *x = logits + n * V;
        float *dx = dlogits + n * V;
        if (targets[n] == ignore_index) {
            for (int64_t j = 0; j < V; j++) dx[j] = 0;
            continue;
        }
        double l = (double)lse[n];
        for (int64_t j = 0; j < V; j++) {
            double p = exp((double)x[j] - l);
            dx[j] = (float)((double)scale * (p - (j == targets[n] ? 1.0 : 0.0)));
        }
    }
}

void ref_crossentropy_smooth_forward(float *losses, float *lse, const float *logits, const int32_t *targets,
                                     int64_t N, int64_t V, int32_t ignore_index, float eps) {
    for (int64_t n = 0; n < N; n++) {
        const float *x = logits + n * V;
        double mx = -(double)INFINITY, sum_x = 0;
        for (int64_t j = 0; j < V; j++) mx = fmax(mx, (double)x[j]);
        double s = 0;
        for (int64_t j = 0; j < V; j++) {
            s += exp((double)x[j] - mx);
            sum_x += (double)x[j];
        }
        double l = mx + log(s);
        lse[n] = (float)l;
        if (targets[n] == ignore_index) {
            losses[n] = 0.0f;
            continue;
        }
        double nll = l - (double)x[targets[n]], smooth = l - sum_x / (double)V;
        losses[n] = (float)((1.0 - (double)eps) * nll + (double)eps * smooth);
    }
}

void ref_crossentropy_smooth_backward(float *dlogits, const float *logits, const float *lse, const int32_t *targets,
                                      float scale, int64_t N, int64_t V, int32_t ignore_index, float eps) {
    for (int64_t n = 0; n < N; n++) {
        const float *x = logits + n * V;
        float *dx = dlogits + n * V;
        if (targets[n] == ignore_index) {
            for (int64_t j = 0; j < V; j++) dx[j] = 0;
            continue;
        }
        double l = (double)lse[n];
        for (int64_t j = 0; j < V; j++) {
            double p = exp((double)x[j] - l);
            double want = (j == targets[n] ? 1.0 - (double)eps : 0.0) + (double)eps / (double)V;
            dx[j] = (float)((double)scale * (p - want));
        }
    }
}

void ref_log_softmax_rows(float *x, int64_t N, int64_t V) {
    for (int64_t n = 0; n < N; n++) {
        float *r = x + n * V;
        double mx = -(double)INFINITY, s = 0;
        for (int64_t j = 0; j < V; j++) mx = (double)r[j] > mx ? (double)r[j] : mx;
        for (int64_t j = 0; j < V; j++) s += exp((double)r[j] - mx);
        float l = (float)(mx + log(s));
        for (int64_t j = 0; j < V; j++) r[j] -= l;
    }
}
