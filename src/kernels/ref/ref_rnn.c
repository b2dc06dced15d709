/* Reference kernels of the recurrent ops: the GRU cell, the GRU layer over
 * a padded batch (forward and backward through time) and additive
 * attention. Scalar, double accumulation, no scratch beyond what the
 * contracts in kernels.h name. */
#include "kernels/ref/ref.h"

#include <math.h>
#include <string.h>

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* One row of the cell: out (H), rzn (3H) from gi, gh (3H) and h (H). */
static void cell_row(float *out, float *rzn, const float *gi, const float *gh, const float *h, int64_t H) {
    for (int64_t k = 0; k < H; k++) {
        double r = sigmoid((double)gi[k] + (double)gh[k]);
        double z = sigmoid((double)gi[H + k] + (double)gh[H + k]);
        double n = tanh((double)gi[2 * H + k] + r * (double)gh[2 * H + k]);
        out[k] = (float)((1.0 - z) * n + z * (double)h[k]);
        rzn[k] = (float)r;
        rzn[H + k] = (float)z;
        rzn[2 * H + k] = (float)n;
    }
}

/* Backward of one row from dh' (H): accumulates d(gi), d(gh) (3H) and
 * the direct part of d(h) (H); any may be NULL. rzn (3H) as saved, ghn
 * (H) = gh_n, h (H) the previous state. */
static void cell_row_backward(float *dgi, float *dgh, float *dh, const float *dout, const float *rzn,
                              const float *ghn, const float *h, int64_t H) {
    for (int64_t k = 0; k < H; k++) {
        double r = rzn[k], z = rzn[H + k], n = rzn[2 * H + k], d = dout[k];
        double dn = d * (1.0 - z) * (1.0 - n * n);
        double dz = d * ((double)h[k] - n) * z * (1.0 - z);
        double dr = dn * (double)ghn[k] * r * (1.0 - r);
        if (dgi) {
            dgi[k] += (float)dr;
            dgi[H + k] += (float)dz;
            dgi[2 * H + k] += (float)dn;
        }
        if (dgh) {
            dgh[k] += (float)dr;
            dgh[H + k] += (float)dz;
            dgh[2 * H + k] += (float)(dn * r);
        }
        if (dh) dh[k] += (float)(d * z);
    }
}

void ref_gru_cell_forward(float *out, float *saved, const float *gi, const float *gh, const float *h, int64_t N,
                          int64_t H) {
    for (int64_t i = 0; i < N; i++)
        cell_row(out + i * H, saved + i * 3 * H, gi + i * 3 * H, gh + i * 3 * H, h + i * H, H);
}

void ref_gru_cell_backward(float *dgi, float *dgh, float *dh, const float *dout, const float *saved,
                           const float *gh, const float *h, int64_t N, int64_t H) {
    for (int64_t i = 0; i < N; i++)
        cell_row_backward(dgi ? dgi + i * 3 * H : NULL, dgh ? dgh + i * 3 * H : NULL, dh ? dh + i * H : NULL,
                          dout + i * H, saved + i * 3 * H, gh + i * 3 * H + 2 * H, h + i * H, H);
}

/* ---- GRU layer ------------------------------------------------------------ */

/* Position of step s of row b (s < len). */
static int64_t gru_pos(int64_t s, int64_t len, bool reverse) { return reverse ? len - 1 - s : s; }

void ref_gru_forward(float *out, float *saved, float *work, const float *gi, const float *w_hh, const float *b_hh,
                     const int32_t *lengths, int64_t B, int64_t T, int64_t H, bool reverse) {
    float *gh = work; /* 3H */
    memset(out, 0, (size_t)(B * T * H) * sizeof(float));
    memset(saved, 0, (size_t)(B * T * 4 * H) * sizeof(float));
    for (int64_t b = 0; b < B; b++) {
        int64_t len = lengths[b];
        for (int64_t s = 0; s < len; s++) {
            int64_t t = gru_pos(s, len, reverse), tp = gru_pos(s - 1, len, reverse);
            const float *h = s > 0 ? out + (b * T + tp) * H : NULL;
            for (int64_t o = 0; o < 3 * H; o++) {
                double acc = b_hh ? (double)b_hh[o] : 0.0;
                for (int64_t k = 0; h && k < H; k++) acc += (double)w_hh[o * H + k] * (double)h[k];
                gh[o] = (float)acc;
            }
            float *sv = saved + (b * T + t) * 4 * H;
            const float *h0 = h ? h : work + 3 * H; /* zeros */
            memset(work + 3 * H, 0, (size_t)H * sizeof(float));
            cell_row(out + (b * T + t) * H, sv, gi + (b * T + t) * 3 * H, gh, h0, H);
            memcpy(sv + 3 * H, gh + 2 * H, (size_t)H * sizeof(float));
        }
    }
}

void ref_gru_backward(float *dgi, float *dw_hh, float *db_hh, float *work, const float *dout, const float *out,
                      const float *saved, const float *w_hh, const int32_t *lengths, int64_t B, int64_t T,
                      int64_t H, bool reverse) {
    float *dh = work, *dh_prev = work + H, *dgh = work + 2 * H, *zeros = work + 5 * H;
    memset(zeros, 0, (size_t)H * sizeof(float));
    for (int64_t b = 0; b < B; b++) {
        int64_t len = lengths[b];
        memset(dh, 0, (size_t)H * sizeof(float));
        for (int64_t s = len - 1; s >= 0; s--) {
            int64_t t = gru_pos(s, len, reverse), tp = gru_pos(s - 1, len, reverse);
            const float *h = s > 0 ? out + (b * T + tp) * H : zeros;
            const float *sv = saved + (b * T + t) * 4 * H;
            for (int64_t k = 0; k < H; k++) dh[k] += dout[(b * T + t) * H + k];
            memset(dgh, 0, (size_t)(3 * H) * sizeof(float));
            memset(dh_prev, 0, (size_t)H * sizeof(float));
            cell_row_backward(dgi ? dgi + (b * T + t) * 3 * H : NULL, dgh, dh_prev, dh, sv, sv + 3 * H, h, H);
            /* gh = W_hh h + b_hh */
            for (int64_t o = 0; o < 3 * H; o++) {
                if (db_hh) db_hh[o] += dgh[o];
                for (int64_t k = 0; k < H; k++) {
                    if (dw_hh) dw_hh[o * H + k] += dgh[o] * h[k];
                    dh_prev[k] += dgh[o] * w_hh[o * H + k];
                }
            }
            memcpy(dh, dh_prev, (size_t)H * sizeof(float));
        }
    }
}

/* ---- additive attention --------------------------------------------------- */

void ref_additive_attention_forward(float *a, const float *ws, const float *uh, const float *v,
                                    const int32_t *lengths, int64_t B, int64_t S, int64_t A) {
    for (int64_t b = 0; b < B; b++) {
        int64_t len = lengths[b];
        float *ab = a + b * S;
        double mx = -INFINITY;
        for (int64_t j = 0; j < len; j++) {
            double e = 0;
            for (int64_t k = 0; k < A; k++) e += (double)v[k] * tanh((double)ws[b * A + k] + (double)uh[(b * S + j) * A + k]);
            ab[j] = (float)e;
            if (e > mx) mx = e;
        }
        double sum = 0;
        for (int64_t j = 0; j < len; j++) sum += exp((double)ab[j] - mx);
        for (int64_t j = 0; j < len; j++) ab[j] = (float)(exp((double)ab[j] - mx) / sum);
        for (int64_t j = len; j < S; j++) ab[j] = 0.0f;
    }
}

void ref_additive_attention_backward(float *dws, float *duh, float *dv, float *work, const float *da,
                                     const float *a, const float *ws, const float *uh, const float *v,
                                     const int32_t *lengths, int64_t B, int64_t S, int64_t A) {
    (void)work;
    for (int64_t b = 0; b < B; b++) {
        int64_t len = lengths[b];
        double dot = 0;
        for (int64_t j = 0; j < len; j++) dot += (double)a[b * S + j] * (double)da[b * S + j];
        for (int64_t j = 0; j < len; j++) {
            double de = (double)a[b * S + j] * ((double)da[b * S + j] - dot);
            for (int64_t k = 0; k < A; k++) {
                double t = tanh((double)ws[b * A + k] + (double)uh[(b * S + j) * A + k]);
                double dt = de * (double)v[k] * (1.0 - t * t);
                if (dws) dws[b * A + k] += (float)dt;
                if (duh) duh[(b * S + j) * A + k] += (float)dt;
                if (dv) dv[k] += (float)(de * t);
            }
        }
    }
}
