/* muon.c — Muon (Jordan et al. 2024, the nanoGPT speedrun's optimizer) for
 * the blocks' weight matrices (trainer.h). The update direction is the
 * momentum's orthogonal factor, approximated by five steps of a quintic
 * Newton-Schulz iteration X <- a X + (b A + c A^2) X with A = X X^T, from
 * X = U / ||U||_F and (a, b, c) = (3.4445, -4.7750, 2.0315): coefficients
 * chosen to drive every singular value into about [0.7, 1.2] quickly rather
 * than exactly to 1. It runs on the wide orientation (rows <= columns) so
 * that A is the small square; the products are the kernel table's
 * matmul_forward (out = inp weight^T), in fp32. */
#include "train/trainer.h"

#include <math.h>

#define NS_STEPS 5
static const float NS_A = 3.4445f, NS_B = -4.7750f, NS_C = 2.0315f;

int64_t muon_work_floats(int64_t r, int64_t c) {
    int64_t n = r < c ? r : c, m = r < c ? c : r;
    return 3 * n * m + 2 * n * n + r * c; /* X, X^T, B X; A, A^2 (or B); U */
}

void muon_orthogonalize(const kernels *k, const float *g, int64_t r, int64_t c, float *out, float *work) {
    bool tall = r > c;
    int64_t n = tall ? c : r, m = tall ? r : c;  /* X is (n, m), n <= m */
    float *x = work, *xt = x + n * m, *bx = xt + n * m, *a = bx + n * m, *aa = a + n * n;
    double ss = 0;
    for (int64_t i = 0; i < r * c; i++) ss += (double)g[i] * (double)g[i];
    float inv = (float)(1.0 / (sqrt(ss) + 1e-7));
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) {
            float v = g[i * c + j] * inv;
            if (tall) x[j * m + i] = v;
            else x[i * m + j] = v;
        }
    for (int s = 0; s < NS_STEPS; s++) {
        k->matmul_forward(a, x, x, NULL, n, m, n);   /* A = X X^T (n, n), symmetric */
        k->matmul_forward(aa, a, a, NULL, n, n, n);  /* A A^T = A^2 */
        for (int64_t i = 0; i < n * n; i++) aa[i] = NS_B * a[i] + NS_C * aa[i]; /* B, symmetric */
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < m; j++) xt[j * n + i] = x[i * m + j];
        k->matmul_forward(bx, aa, xt, NULL, n, n, m); /* B X: (n, n) x (X^T)^T */
        for (int64_t i = 0; i < n * m; i++) x[i] = NS_A * x[i] + bx[i];
    }
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) out[i * c + j] = tall ? x[j * m + i] : x[i * m + j];
}

void muon_update(const kernels *k, float *w, float *mom, const float *grad, int64_t r, int64_t c, float lr, float mu,
                 float wd, float grad_scale, float *work) {
    int64_t n = r * c;
    float *u = work + (muon_work_floats(r, c) - n); /* the last r c floats: U, then O in place */
    for (int64_t i = 0; i < n; i++) {
        float gi = grad[i] * grad_scale;
        mom[i] = mu * mom[i] + (1.0f - mu) * gi; /* an average, as torch.optim.Muon's buffer */
        u[i] = (1.0f - mu) * gi + mu * mom[i];   /* Nesterov */
    }
    muon_orthogonalize(k, u, r, c, u, work);
    float step = lr * sqrtf(r > c ? (float)r / (float)c : 1.0f), decay = 1.0f - lr * wd;
    for (int64_t i = 0; i < n; i++) w[i] = w[i] * decay - step * u[i];
}
