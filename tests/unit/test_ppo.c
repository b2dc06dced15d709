/* PPO's pieces. The clipped policy and value losses (op_ppo_policy,
 * op_ppo_value over a value head on the final hidden states) against
 * PyTorch (tests/ref/gen_ppo_fixture.py): tests/ref/gpt2_tiny's model on
 * four prompt + completion rows; the losses, the clip fraction and every
 * gradient (the model's and the head's) within 1e-5 of their own scale.
 * GAE, the advantages' whitening and the adaptive KL controller against
 * values worked out by hand. */
#include "test.h"
#include "ref_fixture.h"

#include "io/safetensors.h"
#include "models/model_impl.h"
#include "train/objective.h"

#define MODEL_DIR "tests/ref/gpt2_tiny"

static void check_rel(const char *what, const float *got, const float *want, int64_t n, double tol) {
    double worst = 0, scale = 0;
    for (int64_t i = 0; i < n; i++) {
        worst = fmax(worst, fabs((double)got[i] - (double)want[i]));
        scale = fmax(scale, fabs((double)want[i]));
    }
    CHECK(scale > 0);
    if (!(worst <= tol * scale)) fprintf(stderr, "    %s: max|diff| %.3g > %.0e * %.3g\n", what, worst, tol, scale);
    CHECK(worst <= tol * scale);
}

static void check_grads(const attn_model *m, const st_file *f, double tol) {
    for (int k = 0; k < m->n_params_tensors; k++) {
        const param_info *p = &m->params[k];
        char name[128];
        snprintf(name, sizeof name, "grad.%s", p->name);
        int64_t cnt = 0;
        float *want = read_floats(f, name, &cnt);
        CHECK(want && cnt == p->numel);
        if (!want || cnt != p->numel) {
            attn_free(want);
            continue;
        }
        float *mine = attn_malloc((size_t)cnt * sizeof *mine);
        int64_t cols = p->ndim > 1 ? p->shape[1] : 1;
        for (int64_t r = 0; r < p->shape[0]; r++)
            for (int64_t c = 0; c < cols; c++)
                mine[p->transpose ? c * p->shape[0] + r : r * cols + c] = m->grads[p->offset + r * cols + c];
        check_rel(name, mine, want, cnt, tol);
        attn_free(mine);
        attn_free(want);
    }
}

TEST("PPO's clipped policy and value losses: losses, clip fraction and every gradient match PyTorch") {
    attn_model *m = NULL;
    st_file *f = NULL;
    CHECK_OK(attn_model_load(MODEL_DIR, &m));
    CHECK_OK(st_open("tests/ref/ppo_tiny/ppo.safetensors", &f));
    if (!m || !f) {
        attn_model_free(m);
        st_close(f);
        return;
    }
    int64_t n = 0, d = m->cfg.n_embd;
    int32_t *ids = read_ints(f, "input_ids", &n), *targets = read_ints(f, "targets", NULL);
    float *old = read_floats(f, "old_logprobs", NULL), *adv = read_floats(f, "advantages", NULL);
    float *old_v = read_floats(f, "old_values", NULL), *ret = read_floats(f, "returns", NULL);
    float *hw = read_floats(f, "v_head.summary.weight", NULL), *hb = read_floats(f, "v_head.summary.bias", NULL);
    float *hp = read_floats(f, "hparams", NULL);
    int64_t R = 4, T = n / R;
    float w[40], wv[40], gw[64] = {0}, gb[1] = {0};
    double count = 0;
    for (int64_t i = 0; i < n; i++) count += targets[i] >= 0;
    for (int64_t i = 0; i < n; i++) {
        w[i] = targets[i] >= 0 ? (float)(1.0 / count) : 0.0f;
        wv[i] = targets[i] >= 0 ? (float)((double)hp[2] / count) : 0.0f;
    }
    CHECK(d <= 64 && n <= 40);
    tensor vw = {.data = hw, .grad = gw, .shape = {1, d}, .ndim = 2, .numel = d, .requires_grad = true, .is_param = true};
    tensor vb = {.data = hb, .grad = gb, .shape = {1}, .ndim = 1, .numel = 1, .requires_grad = true, .is_param = true};
    CHECK_OK(model_enable_grads(m));
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, true, false, 0);
    tensor *z = model_forward(m, &g, ids, R, T, NULL, false);
    /* the value head reads the input of the forward's last op, the output projection */
    CHECK(z && g.n_tape > 0 && g.tape[g.n_tape - 1].op == OP_LINEAR && g.tape[g.n_tape - 1].out == z);
    tensor *v = z ? op_linear(&g, g.tape[g.n_tape - 1].in[0], &vw, &vb) : NULL;
    double stats[2] = {0, 0};
    tensor *pg = op_ppo_policy(&g, z, targets, old, adv, w, hp[0], stats);
    tensor *vf = op_ppo_value(&g, v, old_v, ret, wv, hp[1]);
    tensor *loss = op_add(&g, pg, vf);
    CHECK(pg && vf && loss);
    if (pg && vf && loss) {
        float *want_pg = read_floats(f, "pg_loss", NULL), *want_vf = read_floats(f, "vf_loss", NULL);
        float *want = read_floats(f, "loss", NULL), *want_clip = read_floats(f, "clipfrac", NULL);
        float vf_plain = vf->data[0] / hp[2], clip = (float)(stats[0] / stats[1]);
        check_rel("pg_loss", pg->data, want_pg, 1, 1e-5);
        check_rel("vf_loss", &vf_plain, want_vf, 1, 1e-5);
        check_rel("loss", loss->data, want, 1, 1e-5);
        CHECK(stats[1] == count);
        CHECK(fabsf(clip - want_clip[0]) < 1e-6f);
        CHECK(want_clip[0] > 0); /* the fixture exercises the clipped branch */
        CHECK_OK(graph_backward(&g, loss));
        check_grads(m, f, 1e-5);
        float *want_gw = read_floats(f, "grad.v_head.summary.weight", NULL), *want_gb = read_floats(f, "grad.v_head.summary.bias", NULL);
        check_rel("grad.v_head.summary.weight", gw, want_gw, d, 1e-5);
        check_rel("grad.v_head.summary.bias", gb, want_gb, 1, 1e-5);
        attn_free(want_pg);
        attn_free(want_vf);
        attn_free(want);
        attn_free(want_clip);
        attn_free(want_gw);
        attn_free(want_gb);
    }
    graph_free(&g);
    attn_free(ids);
    attn_free(targets);
    attn_free(old);
    attn_free(adv);
    attn_free(old_v);
    attn_free(ret);
    attn_free(hw);
    attn_free(hb);
    attn_free(hp);
    st_close(f);
    attn_model_free(m);
}

TEST("GAE: advantages and returns of a three-token completion, worked by hand") {
    /* r = (0.1, -0.2, 1.0), v = (0.5, 0.4, 0.3), gamma 0.9, lam 0.8:
     * delta2 = 1.0 - 0.3 = 0.7                     A2 = 0.7
     * delta1 = -0.2 + 0.9 * 0.3 - 0.4 = -0.33      A1 = -0.33 + 0.72 * 0.7 = 0.174
     * delta0 = 0.1 + 0.9 * 0.4 - 0.5 = -0.04       A0 = -0.04 + 0.72 * 0.174 = 0.08528
     * returns = A + v */
    const float r[3] = {0.1f, -0.2f, 1.0f}, v[3] = {0.5f, 0.4f, 0.3f};
    float adv[3], ret[3];
    train_ppo_gae(r, v, 3, 0.9f, 0.8f, adv, ret);
    const double want[3] = {0.08528, 0.174, 0.7};
    for (int t = 0; t < 3; t++) {
        CHECK(fabs((double)adv[t] - want[t]) < 1e-6);
        CHECK(fabs((double)ret[t] - (want[t] + (double)v[t])) < 1e-6);
    }
    /* gamma 1, lam 1: the advantage is the reward-to-go minus the value */
    train_ppo_gae(r, v, 3, 1.0f, 1.0f, adv, ret);
    CHECK(fabs((double)adv[0] - (0.9 - 0.5)) < 1e-6 && fabs((double)ret[1] - 0.8) < 1e-6);
}

TEST("the advantages' whitening (unbiased variance, masked) and the adaptive KL controller") {
    /* masked values 1, 2, 3, 6: mean 3, unbiased variance (4 + 1 + 0 + 9) / 3 = 14 / 3 */
    float x[6] = {1, 99, 2, 3, -5, 6};
    const float mask[6] = {1, 0, 1, 1, 0, 1};
    train_ppo_whiten(x, mask, 6);
    double s = sqrt(14.0 / 3.0 + 1e-8);
    CHECK(fabs((double)x[0] - (-2.0 / s)) < 1e-6 && fabs((double)x[5] - 3.0 / s) < 1e-6);
    CHECK(x[1] == 0 && x[4] == 0 && x[3] == 0);
    /* kl 9 against target 6: error 0.5, clipped to 0.2; 100 samples over horizon 1000: x 1.02 */
    CHECK(fabsf(train_ppo_adapt_kl(0.1f, 9.0, 6.0f, 100, 1000) - 0.102f) < 1e-7f);
    /* kl 5.7 against 6: error -0.05 -> x (1 - 0.005) */
    CHECK(fabsf(train_ppo_adapt_kl(0.1f, 5.7, 6.0f, 100, 1000) - 0.0995f) < 1e-7f);
}
