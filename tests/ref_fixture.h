/* ref_fixture.h — reading reference fixtures (safetensors written by the
 * generators in tests/ref/) and comparing against them. Include after test.h. */
#ifndef ATTN_REF_FIXTURE_H
#define ATTN_REF_FIXTURE_H

#include "io/safetensors.h"
#include "models/model_impl.h"
#include "attn/generate.h"
#include "attn/train.h"

#include <stdlib.h>

static inline int32_t *read_ints(const st_file *f, const char *name, int64_t *n) {
    if (n) *n = 0;
    const st_tensor *t = st_find(f, name);
    CHECK(t != NULL);
    if (!t) return NULL;
    int32_t *buf = attn_malloc((size_t)t->numel * sizeof *buf);
    CHECK_OK(st_read_i32(t, buf, t->numel));
    if (n) *n = t->numel;
    return buf;
}

static inline float *read_floats(const st_file *f, const char *name, int64_t *n) {
    if (n) *n = 0;
    const st_tensor *t = st_find(f, name);
    CHECK(t != NULL);
    if (!t) return NULL;
    float *buf = attn_malloc((size_t)t->numel * sizeof *buf);
    CHECK_OK(st_read_f32(t, buf, t->numel));
    if (n) *n = t->numel;
    return buf;
}

/* The largest |x|, and the largest |a - b|. */
static inline double max_abs(const float *x, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs((double)x[i]));
    return m;
}

static inline double max_diff(const float *a, const float *b, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - (double)b[i]));
    return m;
}

/* max |got - want| <= tol * max(1, max |want|) */
static inline bool close_rel(const char *what, const float *got, const float *want, int64_t n, double tol) {
    double worst = 0, scale = 1;
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)want[i]);
        if (!(d <= worst)) worst = d, at = i;
        scale = fmax(scale, fabs((double)want[i]));
    }
    if (worst <= tol * scale) return true;
    fprintf(stderr, "    %s: max|diff| %.3g > %.0e * %.3g at [%lld]: got %.9g, want %.9g\n", what, worst, tol, scale,
            (long long)at, (double)got[at], (double)want[at]);
    return false;
}

/* The fixture's f32 tensor `name` against got[0..n) (close_rel, tol). */
static inline void check_tensor(const st_file *f, const char *name, const float *got, int64_t n, double tol) {
    int64_t nw = 0;
    float *want = read_floats(f, name, &nw);
    CHECK(nw == n);
    if (want && nw == n) CHECK(close_rel(name, got, want, n, tol));
    attn_free(want);
}

/* Every parameter's gradient in m->grads against the fixture's grad.<name>
 * (close_rel, tol), transposed for tensors stored transposed (GPT-2's
 * Conv1D); `tag` names the kernels in messages. */
static inline void check_param_grads(const attn_model *m, const st_file *f, double tol, const char *tag) {
    int n_checked = 0;
    for (int p = 0; p < m->n_params_tensors; p++) {
        char name[128];
        snprintf(name, sizeof name, "grad.%s", m->params[p].name);
        if (!st_find(f, name)) {
            fprintf(stderr, "    no fixture gradient %s\n", name);
            CHECK(false);
            continue;
        }
        float *want = read_floats(f, name, NULL);
        const param_info *pi = &m->params[p];
        if (want && pi->transpose) { /* theirs (cols, rows) -> ours (rows, cols) */
            float *t = attn_malloc((size_t)pi->numel * sizeof *t);
            for (int64_t r = 0; r < pi->shape[0]; r++)
                for (int64_t c = 0; c < pi->shape[1]; c++) t[r * pi->shape[1] + c] = want[c * pi->shape[0] + r];
            attn_free(want);
            want = t;
        }
        if (want && pi->heads3) { /* theirs (H, 3, D) rows -> ours (3, H, D) */
            float *t = attn_malloc((size_t)pi->numel * sizeof *t);
            params_heads3(t, want, pi, false);
            attn_free(want);
            want = t;
        }
        char what[160];
        snprintf(what, sizeof what, "%s [%s]", name, tag);
        if (want) CHECK(close_rel(what, m->grads + m->params[p].offset, want, m->params[p].numel, tol));
        attn_free(want);
        n_checked++;
    }
    CHECK(n_checked == m->n_params_tensors);
}

/* Decoding ids (1, T) through a KV cache, a prefill of n_prefill tokens
 * and then one token at a time, gives the full forward's logits full (T, V)
 * within 1e-5 of their scale; `what` names the model in messages. */
static inline void check_cached_logits(attn_model *m, const int32_t *ids, int64_t T, int64_t n_prefill, const float *full,
                                       const char *what) {
    int64_t V = m->cfg.vocab_size;
    kv_cache *cache = NULL;
    CHECK_OK(kv_cache_new(m, 1, 0, &cache));
    if (!cache) return;
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, false, false, 0);
    tensor *lg = model_forward(m, &g, ids, 1, n_prefill, cache, false);
    CHECK(lg != NULL);
    double worst = lg ? max_diff(lg->data, full, n_prefill * V) : 1;
    for (int64_t t = n_prefill; t < T; t++) {
        graph_reset(&g, false, false, 0);
        lg = model_forward(m, &g, ids + t, 1, 1, cache, true);
        CHECK(lg != NULL);
        if (lg) worst = fmax(worst, max_diff(lg->data, full + t * V, V));
    }
    CHECK(cache->len == T);
    double tol = 1e-5 * fmax(1.0, max_abs(full, T * V));
    if (!(worst <= tol)) fprintf(stderr, "  %s: cached logits differ by %.3g\n", what, worst);
    CHECK(worst <= tol);
    graph_free(&g);
    kv_cache_free(m, cache);
}

/* The checks every decoder family runs against its transformers fixture
 * (tests/ref/<dir>: config.json, model.safetensors, fixture.safetensors
 * holding input_ids (2, T), logits, targets, loss, grad.<name>, prompt,
 * greedy). Each loads the model itself and reports what differs under the
 * fixture's directory name. */

static inline st_file *fixture_file(const char *dir) {
    char path[256];
    snprintf(path, sizeof path, "%s/fixture.safetensors", dir);
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    return f;
}

/* dir's model and reference file; false (both released) when either fails. */
static inline bool ref_fixture_open(const char *dir, attn_model **m, st_file **f) {
    *m = NULL;
    CHECK_OK(attn_model_load(dir, m));
    *f = fixture_file(dir);
    if (*m && *f) return true;
    st_close(*f);
    attn_model_free(*m);
    return false;
}

/* m's logits of the fixture's input_ids against transformers', within 1e-4 of their scale. */
static inline void fixture_check_logits(attn_model *m, st_file *f, const char *what) {
    int64_t n_ids, n_logits, V = m->cfg.vocab_size;
    int32_t *ids = read_ints(f, "input_ids", &n_ids);
    float *want = read_floats(f, "logits", &n_logits);
    float *got = attn_malloc((size_t)n_logits * sizeof *got);
    CHECK(ids && want && got && n_logits == n_ids * V);
    if (ids && want && got && n_logits == n_ids * V) {
        CHECK_OK(attn_model_logits(m, ids, 2, n_ids / 2, got));
        double scale = max_abs(want, n_logits), err = max_diff(got, want, n_logits) / scale;
        if (!(err <= 1e-4)) fprintf(stderr, "  %s: logits differ by %.3g of their scale\n", what, err);
        CHECK(scale > 0.1 && err <= 1e-4);
    }
    attn_free(ids);
    attn_free(want);
    attn_free(got);
}

static inline void fixture_logits(const char *dir) {
    attn_model *m;
    st_file *f;
    if (!ref_fixture_open(dir, &m, &f)) return;
    fixture_check_logits(m, f, dir);
    st_close(f);
    attn_model_free(m);
}

/* The loss within 1e-5 and every parameter's gradient within 1e-3 of PyTorch's. */
static inline void fixture_grads(const char *dir) {
    attn_model *m;
    st_file *f;
    if (!ref_fixture_open(dir, &m, &f)) return;
    int64_t n;
    int32_t *ids = read_ints(f, "input_ids", &n), *targets = read_ints(f, "targets", NULL);
    float *want_loss = read_floats(f, "loss", NULL);
    if (ids && targets && want_loss) {
        for (int64_t i = 0; i < n; i++)
            if (targets[i] == -100) targets[i] = -1;
        CHECK_OK(model_enable_grads(m));
        graph g;
        graph_init(&g, NULL);
        graph_reset(&g, true, true, 0);
        tensor *loss = model_loss(m, &g, ids, targets, 2, n / 2);
        CHECK(loss != NULL);
        if (loss) {
            CHECK_NEAR(loss->data[0], want_loss[0], 1e-5);
            CHECK_OK(graph_backward(&g, loss));
            check_param_grads(m, f, 1e-3, dir);
        }
        graph_free(&g);
    }
    attn_free(ids);
    attn_free(targets);
    attn_free(want_loss);
    st_close(f);
    attn_model_free(m);
}

/* Greedy generation from the fixture's prompt (prefill, then the KV cache) is transformers', token for token. */
static inline void fixture_greedy(const char *dir) {
    attn_model *m;
    st_file *f;
    if (!ref_fixture_open(dir, &m, &f)) return;
    int64_t n_prompt = 0, n_want = 0;
    int32_t *prompt = read_ints(f, "prompt", &n_prompt), *want = read_ints(f, "greedy", &n_want);
    attn_sampler_params sp = attn_sampler_default_params();
    sp.temperature = 0;
    sp.max_new_tokens = n_want;
    sp.stop_token = -1;
    attn_gen *gen = NULL;
    if (prompt && want) CHECK_OK(attn_gen_new(m, &sp, &gen));
    if (gen) CHECK_OK(attn_gen_start(gen, prompt, n_prompt));
    int64_t same = 0;
    for (int64_t i = 0; gen && i < n_want; i++) {
        int32_t t = -1;
        CHECK_OK(attn_gen_next(gen, &t));
        same += t == want[i];
    }
    if (same != n_want) fprintf(stderr, "  %s: %lld of %lld tokens as transformers\n", dir, (long long)same, (long long)n_want);
    CHECK(n_want > 0 && same == n_want);
    attn_gen_free(gen);
    attn_free(prompt);
    attn_free(want);
    st_close(f);
    attn_model_free(m);
}

/* Saved by attn, dir's model loads back with transformers' logits, the same
 * tensor names in the same order and the same model_type. */
static inline void fixture_save_load(const char *dir) {
    attn_model *m = NULL, *back = NULL;
    char tmp[] = "/tmp/attn_fixture_saveXXXXXX";
    CHECK(mkdtemp(tmp) != NULL);
    CHECK_OK(attn_model_load(dir, &m));
    if (m) CHECK_OK(attn_model_save(m, tmp));
    CHECK_OK(attn_model_load(tmp, &back));
    st_file *f = fixture_file(dir);
    if (back && f) fixture_check_logits(back, f, tmp);
    if (m && back) {
        CHECK(back->n_params_tensors == m->n_params_tensors);
        for (int k = 0; k < m->n_params_tensors && k < back->n_params_tensors; k++)
            CHECK(!strcmp(m->params[k].name, back->params[k].name));
        CHECK(!strcmp(m->arch->model_type, back->arch->model_type));
    }
    st_close(f);
    attn_model_free(m);
    attn_model_free(back);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    CHECK(system(cmd) == 0);
}

/* A new model of the family (attn_model_new_arch: 2 layers of n_head heads
 * and width n_embd, 16 positions, 11 tokens) halves its loss on a repeated
 * sequence in 60 steps. */
static inline void fixture_new_learns(const char *model_type, int64_t n_head, int64_t n_embd) {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2, c.n_head = n_head, c.n_embd = n_embd, c.n_ctx = 16, c.vocab_size = 11;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new_arch(model_type, &c, 5, &m));
    if (!m) return;
    CHECK(!strcmp(m->arch->model_type, model_type));
    attn_optim_params op = attn_optim_default_params();
    op.lr = 3e-3f;
    op.max_steps = 60;
    op.warmup_steps = 0;
    attn_trainer *tr = NULL;
    CHECK_OK(attn_trainer_new(m, &op, &tr));
    int32_t in[16], tg[16];
    for (int t = 0; t < 16; t++) in[t] = t % 5, tg[t] = (t + 1) % 5;
    float first = 0, loss = 0;
    for (int s = 0; tr && s < 60; s++) {
        CHECK_OK(attn_trainer_step(tr, in, tg, 1, 1, 16, &loss, NULL));
        if (s == 0) first = loss;
    }
    if (!(first > 1.5f && loss < 0.5f * first)) fprintf(stderr, "  %s: loss %.4f -> %.4f\n", model_type, (double)first, (double)loss);
    CHECK(first > 1.5f && loss < 0.5f * first);
    attn_trainer_free(tr);
    attn_model_free(m);
}

#endif
