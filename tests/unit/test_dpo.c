/* DPO and IPO against PyTorch (tests/ref/gen_dpo_fixture.py): tests/ref/gpt2_tiny's
 * model on two preference pairs; the per-sequence log-probabilities
 * (op_seq_logprob over the model's logits), the loss (op_dpo_loss) and
 * every parameter's gradient, each within 1e-5 of its own scale (max |x|). */
#include "test.h"
#include "ref_fixture.h"

#include "io/safetensors.h"
#include "models/model_impl.h"

#define MODEL_DIR "tests/ref/gpt2_tiny"

/* max |got - want| <= tol * max |want| (relative to the tensor's own scale, however small). */
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

/* Every parameter's gradient against the fixture's grad.<name> (GPT-2's Conv1D stored transposed there). */
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
        for (int64_t r = 0; r < p->shape[0]; r++)
            for (int64_t c = 0; c < (p->ndim > 1 ? p->shape[1] : 1); c++) {
                int64_t cols = p->ndim > 1 ? p->shape[1] : 1;
                mine[p->transpose ? c * p->shape[0] + r : r * cols + c] = m->grads[p->offset + r * cols + c];
            }
        check_rel(name, mine, want, cnt, tol);
        attn_free(mine);
        attn_free(want);
    }
}

static void check_kind(const char *file, bool ipo) {
    attn_model *m = NULL;
    st_file *f = NULL;
    CHECK_OK(attn_model_load(MODEL_DIR, &m));
    CHECK_OK(st_open(file, &f));
    if (!m || !f) {
        attn_model_free(m);
        st_close(f);
        return;
    }
    int64_t n = 0;
    int32_t *ids = read_ints(f, "input_ids", &n), *targets = read_ints(f, "targets", NULL);
    float *ref = read_floats(f, "ref_logps", NULL), *beta = read_floats(f, "beta", NULL);
    int64_t R = 4, T = n / R;
    int32_t seq[64];
    float scale[4] = {0};
    for (int64_t r = 0; r < R; r++)
        for (int64_t t = 0; t < T; t++) {
            seq[r * T + t] = targets[r * T + t] >= 0 ? (int32_t)r : -1;
            scale[r] += targets[r * T + t] >= 0;
        }
    for (int r = 0; r < 4; r++) scale[r] = 1.0f / scale[r];
    CHECK_OK(model_enable_grads(m));
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, true, true, 0);
    tensor *lp = op_seq_logprob(&g, model_forward(m, &g, ids, R, T, NULL, false), targets, seq, R);
    tensor *loss = op_dpo_loss(&g, lp, ref, ipo ? scale : NULL, 2, beta[0], ipo);
    CHECK(lp && loss);
    if (lp && loss) {
        float *want_lp = read_floats(f, "logps", NULL), *want_loss = read_floats(f, "loss", NULL);
        check_rel("logps", lp->data, want_lp, 4, 1e-5);
        check_rel("loss", loss->data, want_loss, 1, 1e-5);
        attn_free(want_lp);
        attn_free(want_loss);
        CHECK_OK(graph_backward(&g, loss));
        check_grads(m, f, 1e-5);
    }
    graph_free(&g);
    attn_free(ids);
    attn_free(targets);
    attn_free(ref);
    attn_free(beta);
    st_close(f);
    attn_model_free(m);
}

TEST("DPO's sigmoid loss: log-probabilities, loss and every gradient match PyTorch") {
    check_kind("tests/ref/dpo_tiny/sigmoid.safetensors", false);
}

TEST("IPO's loss over per-token means: log-probabilities, loss and every gradient match PyTorch") {
    check_kind("tests/ref/dpo_tiny/ipo.safetensors", true);
}
