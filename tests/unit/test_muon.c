/* Muon (train/muon.c, attn_optim_params.optimizer): the Newton-Schulz
 * orthogonalisation and one Muon step against a double-precision reference
 * of the same iteration, the orthogonal-factor property it approximates,
 * and the trainer's split — Muon for the blocks' weight matrices, AdamW bit
 * for bit as before for everything else. */
#include "test.h"

#include "kernels/kernels.h"
#include "models/model_impl.h"
#include "train/trainer.h"
#include "ref_fixture.h"

#include <math.h>
#include <string.h>

static void fill(float *x, int64_t n, uint32_t seed) {
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((double)(seed >> 8) / 16777216.0 - 0.5);
    }
}

/* five quintic Newton-Schulz steps of g (r, c) in double, on the wide orientation */
static void ns_ref(const float *g, int64_t r, int64_t c, double *out) {
    bool tall = r > c;
    int64_t n = tall ? c : r, m = tall ? r : c;
    double *x = calloc((size_t)(n * m), sizeof(double)), *a = calloc((size_t)(n * n), sizeof(double)),
           *b = calloc((size_t)(n * n), sizeof(double)), *y = calloc((size_t)(n * m), sizeof(double));
    double ss = 0;
    for (int64_t i = 0; i < r * c; i++) ss += (double)g[i] * (double)g[i];
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) {
            double v = (double)g[i * c + j] / (sqrt(ss) + 1e-7);
            if (tall) x[j * m + i] = v;
            else x[i * m + j] = v;
        }
    for (int s = 0; s < 5; s++) {
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) {
                double t = 0;
                for (int64_t l = 0; l < m; l++) t += x[i * m + l] * x[j * m + l];
                a[i * n + j] = t;
            }
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) {
                double t = 0;
                for (int64_t l = 0; l < n; l++) t += a[i * n + l] * a[l * n + j];
                b[i * n + j] = -4.7750 * a[i * n + j] + 2.0315 * t;
            }
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < m; j++) {
                double t = 0;
                for (int64_t l = 0; l < n; l++) t += b[i * n + l] * x[l * m + j];
                y[i * m + j] = 3.4445 * x[i * m + j] + t;
            }
        memcpy(x, y, (size_t)(n * m) * sizeof(double));
    }
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) out[i * c + j] = tall ? x[j * m + i] : x[i * m + j];
    free(x);
    free(a);
    free(b);
    free(y);
}

static void orthogonalize_case(int64_t r, int64_t c) {
    const kernels *k = kernels_default();
    float *g = attn_malloc((size_t)(r * c) * sizeof(float)), *o = attn_malloc((size_t)(r * c) * sizeof(float));
    float *work = attn_malloc((size_t)muon_work_floats(r, c) * sizeof(float));
    double *want = calloc((size_t)(r * c), sizeof(double));
    CHECK(g && o && work && want);
    if (!g || !o || !work || !want) goto done;
    fill(g, r * c, (uint32_t)(r * 131 + c));
    muon_orthogonalize(k, g, r, c, o, work);
    ns_ref(g, r, c, want);
    double err = 0, norm = 0;
    for (int64_t i = 0; i < r * c; i++) {
        err = fmax(err, fabs((double)o[i] - want[i]));
        norm = fmax(norm, fabs(want[i]));
    }
    CHECK(err < 1e-4 * norm);
    /* the singular values of the result lie near 1 (the quintic's band,
     * about [0.7, 1.2]): the Gram matrix O O^T (or O^T O) has its diagonal
     * there and, for a random matrix, small off-diagonal entries */
    int64_t n = r < c ? r : c, m = r < c ? c : r;
    double diag_lo = 1e9, diag_hi = 0, off = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) {
            double t = 0;
            for (int64_t l = 0; l < m; l++)
                t += r <= c ? (double)o[i * c + l] * (double)o[j * c + l] : (double)o[l * c + i] * (double)o[l * c + j];
            if (i == j) diag_lo = fmin(diag_lo, t), diag_hi = fmax(diag_hi, t);
            else off = fmax(off, fabs(t));
        }
    CHECK(diag_lo > 0.4 && diag_hi < 1.5);
    CHECK(off < 0.35);
    fprintf(stderr, "  (%lld, %lld): largest difference %.2e of %.2e; Gram diagonal [%.3f, %.3f], off-diagonal <= %.3f\n",
            (long long)r, (long long)c, err, norm, diag_lo, diag_hi, off);
done:
    attn_free(g);
    attn_free(o);
    attn_free(work);
    free(want);
}

TEST("Newton-Schulz: wide, square and tall matrices equal the double-precision iteration") {
    orthogonalize_case(24, 96);
    orthogonalize_case(48, 48);
    orthogonalize_case(96, 24);
}

TEST("Newton-Schulz: the tall matrix's result is the transpose of its transpose's") {
    const kernels *k = kernels_default();
    enum { R = 40, C = 16 };
    float g[R * C], gt[C * R], o[R * C], ot[C * R];
    float *work = attn_malloc((size_t)muon_work_floats(R, C) * sizeof(float));
    CHECK(work != NULL);
    if (!work) return;
    fill(g, R * C, 9);
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++) gt[j * R + i] = g[i * C + j];
    muon_orthogonalize(k, g, R, C, o, work);
    muon_orthogonalize(k, gt, C, R, ot, work);
    int same = 0;
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++) same += o[i * C + j] == ot[j * R + i];
    CHECK(same == R * C);
    attn_free(work);
}

TEST("Muon step: Nesterov momentum, the orthogonalised update, shape scale and decoupled decay") {
    const kernels *k = kernels_default();
    enum { R = 64, C = 16 };
    float w[R * C], mom[R * C], grad[R * C], w0[R * C], m0[R * C], u[R * C];
    float *work = attn_malloc((size_t)muon_work_floats(R, C) * sizeof(float));
    CHECK(work != NULL);
    if (!work) return;
    fill(w, R * C, 1);
    fill(mom, R * C, 2);
    fill(grad, R * C, 3);
    memcpy(w0, w, sizeof w);
    memcpy(m0, mom, sizeof mom);
    const float lr = 0.02f, mu = 0.95f, wd = 0.1f, gs = 0.5f;
    muon_update(k, w, mom, grad, R, C, lr, mu, wd, gs, work);
    double want_u[R * C];
    for (int i = 0; i < R * C; i++) {
        double g = (double)grad[i] * (double)gs, m1 = (double)mu * (double)m0[i] + (1.0 - (double)mu) * g;
        CHECK_NEAR(mom[i], m1, 1e-6);
        u[i] = (float)((1.0 - (double)mu) * g + (double)mu * m1);
    }
    ns_ref(u, R, C, want_u);
    double err = 0;
    for (int i = 0; i < R * C; i++) {
        double want = (double)w0[i] * (1.0 - (double)lr * (double)wd) - (double)lr * sqrt((double)R / C) * want_u[i];
        err = fmax(err, fabs((double)w[i] - want));
    }
    CHECK(err < 1e-6);
    attn_free(work);
}

static attn_gpt_config tiny_config(void) {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 32;
    c.n_ctx = 16;
    c.vocab_size = 50;
    return c;
}

/* one step of a small GPT-2 from the same weights with the optimizer given */
static float *one_step(attn_optimizer opt, float **grads) {
    attn_gpt_config c = tiny_config();
    attn_model *m = NULL;
    CHECK_OK(attn_model_new_arch("gpt2", &c, 3, &m));
    if (!m) return NULL;
    attn_optim_params p = attn_optim_default_params();
    p.lr = 1e-3f;
    p.warmup_steps = 0;
    p.max_steps = 10;
    p.grad_clip = 0;
    p.optimizer = opt;
    attn_trainer *tr = NULL;
    CHECK_OK(attn_trainer_new(m, &p, &tr));
    int32_t ids[2 * 16], tg[2 * 16];
    for (int i = 0; i < 32; i++) ids[i] = (i * 7 + 1) % 50, tg[i] = (i * 13 + 4) % 50;
    float loss = 0;
    if (tr) CHECK_OK(attn_trainer_step(tr, ids, tg, 1, 2, 16, &loss, NULL));
    float *w = attn_malloc((size_t)m->n_weights * sizeof(float) * 2);
    if (w) {
        memcpy(w, m->weights, (size_t)m->n_weights * sizeof(float));
        memcpy(w + m->n_weights, m->grads, (size_t)m->n_weights * sizeof(float));
    }
    *grads = w ? w + m->n_weights : NULL;
    attn_trainer_free(tr);
    attn_model_free(m);
    return w;
}

TEST("trainer: Muon takes the blocks' matrices, AdamW the rest unchanged bit for bit") {
    float *ga = NULL, *gm = NULL, *adam = one_step(ATTN_OPTIMIZER_ADAMW, &ga), *muon = one_step(ATTN_OPTIMIZER_MUON, &gm);
    attn_gpt_config c = tiny_config();
    attn_model *m = NULL; /* the initial weights and the parameter table */
    CHECK_OK(attn_model_new_arch("gpt2", &c, 3, &m));
    CHECK(adam && muon && m);
    if (!adam || !muon || !m) goto done;
    CHECK(memcmp(ga, gm, (size_t)m->n_weights * sizeof(float)) == 0); /* the same gradients */
    const kernels *k = kernels_default();
    attn_optim_params p = attn_optim_default_params();
    p.lr = 1e-3f;
    p.warmup_steps = 0;
    p.max_steps = 10;
    float lr_m = p.muon_lr * attn_lr_at(&p, 0) / p.lr;
    int n_muon = 0, n_adam = 0;
    for (int i = 0; i < m->n_params_tensors; i++) {
        const param_info *pi = &m->params[i];
        size_t bytes = (size_t)pi->numel * sizeof(float);
        if (!muon_param(pi)) {
            CHECK(memcmp(adam + pi->offset, muon + pi->offset, bytes) == 0);
            n_adam++;
            continue;
        }
        n_muon++;
        float *w = attn_malloc(bytes), *mom = attn_calloc((size_t)pi->numel, sizeof(float));
        float *work = attn_malloc((size_t)muon_work_floats(pi->shape[0], pi->shape[1]) * sizeof(float));
        if (w && mom && work) {
            memcpy(w, m->weights + pi->offset, bytes);
            muon_update(k, w, mom, gm + pi->offset, pi->shape[0], pi->shape[1], lr_m, p.muon_momentum, p.weight_decay, 1.0f,
                        work);
            CHECK(memcmp(w, muon + pi->offset, bytes) == 0);
            CHECK(memcmp(w, adam + pi->offset, bytes) != 0);
        }
        attn_free(w);
        attn_free(mom);
        attn_free(work);
    }
    /* per block: qkv, proj, fc, fc2 */
    CHECK(n_muon == 4 * c.n_layer);
    CHECK(n_adam > 0);
done:
    attn_free(adam);
    attn_free(muon);
    attn_model_free(m);
}

/* three steps of torch.optim.Muon (its Newton-Schulz in float32:
 * tests/ref/gen_muon_fixture.py) on a wide and a tall matrix */
static void torch_case(const st_file *f, const char *name, int64_t r, int64_t c) {
    const kernels *k = kernels_default();
    char key[32];
    float *hp = read_floats(f, "hparams", NULL);
    snprintf(key, sizeof key, "%s.w0", name);
    float *w = read_floats(f, key, NULL), *mom = attn_calloc((size_t)(r * c), sizeof(float));
    float *work = attn_malloc((size_t)muon_work_floats(r, c) * sizeof(float));
    CHECK(hp && w && mom && work);
    if (!hp || !w || !mom || !work) goto done;
    for (int s = 1; s <= 3; s++) {
        snprintf(key, sizeof key, "%s.g%d", name, s);
        float *g = read_floats(f, key, NULL);
        snprintf(key, sizeof key, "%s.w%d", name, s);
        float *want = read_floats(f, key, NULL);
        if (g && want) {
            muon_update(k, w, mom, g, r, c, hp[0], hp[1], hp[2], 1.0f, work);
            double err = 0;
            for (int64_t i = 0; i < r * c; i++) err = fmax(err, fabs((double)w[i] - (double)want[i]));
            /* a step moves each weight by up to ~lr: the difference is float32 rounding */
            CHECK(err < 2e-6);
            if (s == 3) fprintf(stderr, "  torch.optim.Muon %s (%lld, %lld): largest difference after 3 steps %.2e\n", name,
                                (long long)r, (long long)c, err);
        }
        attn_free(g);
        attn_free(want);
    }
    snprintf(key, sizeof key, "%s.m3", name);
    float *m3 = read_floats(f, key, NULL);
    if (m3) {
        double err = 0;
        for (int64_t i = 0; i < r * c; i++) err = fmax(err, fabs((double)mom[i] - (double)m3[i]));
        CHECK(err < 1e-6);
    }
    attn_free(m3);
done:
    attn_free(hp);
    attn_free(w);
    attn_free(mom);
    attn_free(work);
}

TEST("Muon steps equal torch.optim.Muon's (wide and tall matrices)") {
    st_file *f = NULL;
    CHECK_OK(st_open("tests/ref/muon_tiny/muon.safetensors", &f));
    if (!f) return;
    torch_case(f, "wide", 24, 40);
    torch_case(f, "tall", 40, 24);
    st_close(f);
}
