/* GPT against PyTorch / transformers fixtures (tests/ref/gen_gpt2_fixture.py):
 * logits, loss, every gradient, 10 AdamW steps; KV-cache decoding against
 * full recomputation; save/load round trip; bad model directories. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/generate.h"
#include "attn/train.h"
#include "io/safetensors.h"
#include "models/model_impl.h"
#include "train/trainer.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX_DIR "tests/ref/gpt2_tiny"

static st_file *open_fixture(void) {
    st_file *f = NULL;
    CHECK_OK(st_open(FIX_DIR "/fixture.safetensors", &f));
    return f;
}

TEST("logits match transformers within 1e-4 of their scale") { fixture_logits(FIX_DIR); }

TEST("loss and every gradient match PyTorch") {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(FIX_DIR, &m));
    st_file *f = open_fixture();
    if (!m || !f) return;
    int64_t n;
    int32_t *ids = read_ints(f, "input_ids", &n);
    int32_t *targets = read_ints(f, "targets", NULL);
    for (int64_t i = 0; i < n; i++)
        if (targets[i] == -100) targets[i] = -1; /* attn's ignore index */
    float *want_loss = read_floats(f, "loss", NULL);
    CHECK_OK(model_enable_grads(m));
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, true, true, 0);
    tensor *loss = model_loss(m, &g, ids, targets, 2, n / 2);
    CHECK(loss != NULL);
    if (loss) {
        CHECK_NEAR(loss->data[0], want_loss[0], 1e-5);
        CHECK_OK(graph_backward(&g, loss));
        int checked = 0;
        for (int k = 0; k < m->n_params_tensors; k++) {
            const param_info *p = &m->params[k];
            char name[128];
            snprintf(name, sizeof name, "grad.%s", p->name);
            int64_t cnt;
            float *want = read_floats(f, name, &cnt);
            if (!want) continue;
            CHECK(cnt == p->numel);
            const float *gr = m->grads + p->offset;
            double scale = max_abs(want, cnt), worst = 0;
            for (int64_t r = 0; r < p->shape[0]; r++)
                for (int64_t c = 0; c < p->shape[1]; c++) {
                    /* Conv1D weights are stored (in, out) in the fixture */
                    double w = p->transpose ? want[c * p->shape[0] + r] : want[r * p->shape[1] + c];
                    worst = fmax(worst, fabs((double)gr[r * p->shape[1] + c] - w));
                }
            if (!(worst <= 1e-3 * scale)) fprintf(stderr, "  %s: max diff %.3g, scale %.3g\n", p->name, worst, scale);
            CHECK(worst <= 1e-3 * scale);
            CHECK(scale > 0);
            checked++;
            attn_free(want);
        }
        CHECK(checked == m->n_params_tensors);
    }
    graph_free(&g);
    attn_free(ids);
    attn_free(targets);
    attn_free(want_loss);
    st_close(f);
    attn_model_free(m);
}

TEST("10 AdamW steps give PyTorch's losses, learning rates and gradient norms") {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(FIX_DIR, &m));
    st_file *f = open_fixture();
    if (!m || !f) return;
    int64_t n;
    int32_t *ids = read_ints(f, "train_input_ids", &n);
    int32_t *targets = read_ints(f, "train_targets", NULL);
    float *want = read_floats(f, "train_losses", NULL);
    float *want_lr = read_floats(f, "train_lrs", NULL);
    float *want_norm = read_floats(f, "train_grad_norms", NULL);
    attn_optim_params p = attn_optim_default_params();
    p.lr = 1e-2f;
    p.min_lr = 1e-3f;
    p.warmup_steps = 3;
    p.max_steps = 10;
    p.weight_decay = 0.1f;
    p.beta1 = 0.9f;
    p.beta2 = 0.95f;
    p.eps = 1e-8f;
    p.grad_clip = 1.0f;
    attn_trainer *tr = NULL;
    CHECK_OK(attn_trainer_new(m, &p, &tr));
    int64_t BT = n / 10;
    for (int s = 0; tr && s < 10; s++) {
        float loss, norm;
        CHECK_NEAR(attn_lr_at(&p, s), want_lr[s], 1e-9);
        CHECK_OK(attn_trainer_step(tr, ids + s * BT, targets + s * BT, 1, 2, BT / 2, &loss, &norm));
        CHECK_NEAR(loss, want[s], 1e-4);
        CHECK_NEAR(norm, want_norm[s], 1e-4 * fmax(1.0, (double)want_norm[s]));
    }
    attn_trainer_free(tr);
    attn_free(ids);
    attn_free(targets);
    attn_free(want);
    attn_free(want_lr);
    attn_free(want_norm);
    st_close(f);
    attn_model_free(m);
}

TEST("KV-cache decoding equals full recomputation") {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(FIX_DIR, &m));
    if (!m) return;
    enum { T = 12, V = 67 };
    int32_t ids[T];
    for (int i = 0; i < T; i++) ids[i] = (i * 29 + 5) % V;
    float *full = attn_malloc(sizeof(float) * T * V);
    CHECK_OK(attn_model_logits(m, ids, 1, T, full));
    check_cached_logits(m, ids, T, 5, full, FIX_DIR); /* prefill 5 tokens, then one at a time */
    attn_free(full);
    attn_model_free(m);
}

static char tmpdir[64];
static const char *make_tmpdir(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/attn_test_gpt_XXXXXX");
    return mkdtemp(tmpdir);
}

static void rm_dir(const char *dir) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

TEST("a saved model loads back with identical logits") {
    attn_model *m = NULL, *m2 = NULL;
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 16;
    c.n_ctx = 8;
    c.vocab_size = 11;
    CHECK_OK(attn_model_new(&c, 7, &m));
    const char *dir = make_tmpdir();
    CHECK(dir != NULL);
    if (!m || !dir) return;
    CHECK_OK(attn_model_save(m, dir));
    CHECK_OK(attn_model_load(dir, &m2));
    if (m2) {
        int32_t ids[8] = {1, 2, 3, 4, 5, 6, 7, 10};
        float a[8 * 11], b[8 * 11];
        CHECK_OK(attn_model_logits(m, ids, 1, 8, a));
        CHECK_OK(attn_model_logits(m2, ids, 1, 8, b));
        CHECK(memcmp(a, b, sizeof a) == 0);
        attn_gpt_config c2 = attn_model_config(m2);
        CHECK(c2.n_layer == 2 && c2.n_embd == 16 && c2.vocab_size == 11 && c2.n_inner == 64);
    }
    attn_model_free(m2);
    attn_model_free(m);
    rm_dir(dir);
}

static void write_file(const char *dir, const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp) return;
    fputs(text, fp);
    fclose(fp);
}

static void copy_file(const char *from, const char *dir, const char *name, long truncate_to) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/%s'", from, dir, name);
    CHECK(system(cmd) == 0);
    if (truncate_to >= 0) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        CHECK(truncate(path, truncate_to) == 0);
    }
}

static void expect_load_error(const char *dir, attn_status want, const char *keyword) {
    attn_model *m = NULL;
    CHECK_STATUS(attn_model_load(dir, &m), want);
    CHECK(m == NULL);
    if (!strstr(attn_last_error(), keyword)) fprintf(stderr, "  message lacks '%s': %s\n", keyword, attn_last_error());
    CHECK(strstr(attn_last_error(), keyword) != NULL);
}

TEST("bad model directories give clear errors") {
    const char *dir = make_tmpdir();
    if (!dir) return;
    expect_load_error(dir, ATTN_ERR_IO, "config.json");
    copy_file(FIX_DIR "/config.json", dir, "config.json", -1);
    expect_load_error(dir, ATTN_ERR_IO, "model.safetensors");
    copy_file(FIX_DIR "/model.safetensors", dir, "model.safetensors", 1000);
    expect_load_error(dir, ATTN_ERR_FORMAT, "model.safetensors");
    copy_file(FIX_DIR "/model.safetensors", dir, "model.safetensors", -1);
    write_file(dir, "config.json", "{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_head\": 4, \"n_embd\": 32,");
    expect_load_error(dir, ATTN_ERR_FORMAT, "JSON");
    write_file(dir, "config.json", "{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_head\": 4, \"n_embd\": 32, \"n_positions\": 16}");
    expect_load_error(dir, ATTN_ERR_FORMAT, "vocab_size");
    write_file(dir, "config.json",
               "{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_head\": 4, \"n_embd\": 32, \"n_positions\": 16, \"vocab_size\": 68}");
    expect_load_error(dir, ATTN_ERR_FORMAT, "shape");
    write_file(dir, "config.json",
               "{\"model_type\": \"gpt2\", \"n_layer\": 1, \"n_head\": 4, \"n_embd\": 32, \"n_positions\": 16, \"vocab_size\": 67}");
    expect_load_error(dir, ATTN_ERR_FORMAT, "unexpected tensor");
    write_file(dir, "config.json",
               "{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_head\": 5, \"n_embd\": 32, \"n_positions\": 16, \"vocab_size\": 67}");
    expect_load_error(dir, ATTN_ERR_INVALID_ARG, "n_head");
    write_file(dir, "config.json", "{\"model_type\": \"mamba\"}");
    expect_load_error(dir, ATTN_ERR_UNSUPPORTED, "mamba");
    CHECK(strstr(attn_last_error(), "supported: gpt2, bert, roberta, bart, marian, rnnsearch, rnnencdec, opt") != NULL);
    write_file(dir, "config.json", "{\"model_type\": 2}");
    expect_load_error(dir, ATTN_ERR_FORMAT, "\"model_type\" must be a string");
    write_file(dir, "config.json",
               "{\"model_type\": \"gpt2\", \"n_layer\": \"two\", \"n_head\": 4, \"n_embd\": 32, \"n_positions\": 16, \"vocab_size\": 67}");
    expect_load_error(dir, ATTN_ERR_FORMAT, "n_layer");
    rm_dir(dir);
}

/* Counting allocator: training steps after the first allocate nothing. */
static int64_t n_allocs;
static void *counting_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    n_allocs++;
    return realloc(ptr, size);
}

TEST("after the first step a training step allocates nothing") {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(FIX_DIR, &m));
    if (!m) return;
    attn_optim_params p = attn_optim_default_params();
    attn_trainer *tr = NULL;
    CHECK_OK(attn_trainer_new(m, &p, &tr));
    int32_t ids[2 * 16], tg[2 * 16];
    for (int i = 0; i < 32; i++) {
        ids[i] = (i * 7) % 67;
        tg[i] = (i * 11) % 67;
    }
    attn_set_allocator(counting_realloc, NULL);
    float loss;
    CHECK_OK(attn_trainer_step(tr, ids, tg, 2, 1, 16, &loss, NULL));
    int64_t after_first = n_allocs;
    for (int s = 0; s < 3; s++) CHECK_OK(attn_trainer_step(tr, ids, tg, 2, 1, 16, &loss, NULL));
    int64_t after_more = n_allocs;
    attn_set_allocator(NULL, NULL);
    CHECK(after_first > 0);
    CHECK(after_more == after_first);
    attn_trainer_free(tr);
    attn_model_free(m);
}

/* Huge but finite weights (every weight 3e38, as a corrupt or hostile
 * checkpoint may hold) pass the load-time check, then overflow: logits and
 * the NLL were NaN and `attn score` printed "nll -nan" with status 0. Now
 * the output check fails and the diagnostic pass names where the first
 * non-finite values appear (the embeddings' sum, before layer 0) — and a
 * model whose overflow starts in a layer names that layer. */
static void fill_weights(attn_model *m, float v, int layer_from) {
    for (int k = 0; k < m->n_params_tensors; k++)
        if (m->params[k].layer >= layer_from || layer_from < 0)
            for (int64_t i = 0; i < m->params[k].numel; i++) m->weights[m->params[k].offset + i] = v;
}

TEST("weights of 3e38: score, logits and a saved-and-loaded model fail naming where non-finite values start") {
    attn_model *m = NULL, *m2 = NULL;
    CHECK_OK(attn_model_load(FIX_DIR, &m));
    if (!m) return;
    const char *dir = make_tmpdir();
    CHECK(dir != NULL);
    fill_weights(m, 3e38f, -1);
    CHECK_OK(attn_model_save(m, dir));
    CHECK_OK(attn_model_load(dir, &m2)); /* finite: loads */
    if (m2) {
        int32_t ids[6] = {1, 2, 3, 4, 5, 6};
        double nll = 0;
        int64_t n = 0;
        CHECK_STATUS(attn_model_score(m2, ids, 6, &nll, &n), ATTN_ERR_FORMAT);
        const char *e = attn_last_error();
        if (!strstr(e, "non-finite") || !strstr(e, "weights may be corrupt") || !strstr(e, "transformer.w"))
            fprintf(stderr, "    message: %s\n", e);
        CHECK(strstr(e, "non-finite") && strstr(e, "weights may be corrupt") && strstr(e, "transformer.w"));
        CHECK(strstr(e, "layer") == NULL); /* before the first layer */
        float logits[6 * 67];
        CHECK_STATUS(attn_model_logits(m2, ids, 1, 6, logits), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "non-finite") != NULL);
        /* decoding: the prompt's forward fails the same way (it sampled the
         * last token id from NaN logits, step after step) */
        attn_sampler_params sp = attn_sampler_default_params();
        attn_gen *gen = NULL;
        CHECK_OK(attn_gen_new(m2, &sp, &gen));
        if (gen) {
            CHECK_STATUS(attn_gen_start(gen, ids, 3), ATTN_ERR_FORMAT);
            CHECK(strstr(attn_last_error(), "non-finite") != NULL);
            attn_gen_free(gen);
        }
        /* the graph is usable again: the diagnostic pass restored the views */
        for (int k = 0; k < m2->n_params_tensors; k++) CHECK(!m2->ptensors[k].requires_grad);
    }
    attn_model_free(m2);
    /* only layer 1 huge: the first non-finite output is in layer 1 */
    attn_model_free(m);
    m = NULL;
    CHECK_OK(attn_model_load(FIX_DIR, &m));
    if (m) {
        fill_weights(m, 3e38f, 1);
        int32_t ids[6] = {1, 2, 3, 4, 5, 6};
        double nll = 0;
        int64_t n = 0;
        CHECK_STATUS(attn_model_score(m, ids, 6, &nll, &n), ATTN_ERR_FORMAT);
        const char *e = attn_last_error();
        if (!strstr(e, "in layer 1,")) fprintf(stderr, "    message: %s\n", e);
        CHECK(strstr(e, "in layer 1,") != NULL && strstr(e, "h.1.") != NULL);
        /* the model itself is intact: ordinary weights score as before */
        attn_model_free(m);
        m = NULL;
        CHECK_OK(attn_model_load(FIX_DIR, &m));
        if (m) CHECK_OK(attn_model_score(m, ids, 6, &nll, &n));
        CHECK(isfinite(nll));
    }
    attn_model_free(m);
    if (dir) rm_dir(dir);
}

/* A tiny config.json that claims 100 layers of width 1024 over a small
 * checkpoint: refused from the safetensors header alone (the shapes, then
 * the missing layers), before the weight block is allocated — the loader
 * used to allocate, zero and initialise 1.7 GB first. The allocator hook
 * records the largest single allocation. */
TEST("a config claiming 100 layers x 1024 over a small checkpoint fails before allocating the weights") {
    const char *dir = make_tmpdir();
    if (!dir) return;
    copy_file(FIX_DIR "/model.safetensors", dir, "model.safetensors", -1);
    write_file(dir, "config.json",
               "{\"model_type\": \"gpt2\", \"n_layer\": 100, \"n_head\": 16, \"n_embd\": 1024, \"n_positions\": 16,"
               " \"vocab_size\": 67}");
    attn_model *m = NULL;
    test_largest_alloc = 0;
    attn_set_allocator(test_largest_realloc, NULL);
    attn_status st = attn_model_load(dir, &m);
    attn_set_allocator(NULL, NULL);
    CHECK_STATUS(st, ATTN_ERR_FORMAT);
    CHECK(m == NULL);
    const char *e = attn_last_error();
    if (!strstr(e, "has shape") || !strstr(e, "config.json implies")) fprintf(stderr, "    message: %s\n", e);
    CHECK(strstr(e, "model.safetensors") && strstr(e, "has shape") && strstr(e, "config.json implies"));
    if (test_largest_alloc >= (1u << 20)) fprintf(stderr, "    largest allocation: %zu bytes\n", test_largest_alloc);
    CHECK(test_largest_alloc < (1u << 20));
    /* the right width but 100 layers: the missing layers are counted first */
    write_file(dir, "config.json",
               "{\"model_type\": \"gpt2\", \"n_layer\": 100, \"n_head\": 4, \"n_embd\": 32, \"n_positions\": 16,"
               " \"vocab_size\": 67}");
    test_largest_alloc = 0;
    attn_set_allocator(test_largest_realloc, NULL);
    st = attn_model_load(dir, &m);
    attn_set_allocator(NULL, NULL);
    CHECK_STATUS(st, ATTN_ERR_FORMAT);
    e = attn_last_error();
    if (!strstr(e, "missing tensor \"transformer.h.2.")) fprintf(stderr, "    message: %s\n", e);
    CHECK(strstr(e, "missing tensor \"transformer.h.2.") != NULL);
    CHECK(test_largest_alloc < (1u << 20));
    rm_dir(dir);
}

/* config.json numbers out of range name the file and the key. */
TEST("GPT config numbers out of range: layer_norm_epsilon 1e300 / 0 / -1, n_layer 2.5, n_embd \"x\", eos past the vocabulary") {
    const char *dir = make_tmpdir();
    if (!dir) return;
    copy_file(FIX_DIR "/model.safetensors", dir, "model.safetensors", -1);
    const char *cases[][2] = {
        {"\"n_layer\": 2, \"n_embd\": 32, \"layer_norm_epsilon\": 1e300", "layer_norm_epsilon"},
        {"\"n_layer\": 2, \"n_embd\": 32, \"layer_norm_epsilon\": 0", "layer_norm_epsilon"},
        {"\"n_layer\": 2, \"n_embd\": 32, \"layer_norm_epsilon\": -1", "layer_norm_epsilon"},
        {"\"n_layer\": 2.5, \"n_embd\": 32", "n_layer"},
        {"\"n_layer\": -2, \"n_embd\": 32", "n_layer"},
        {"\"n_layer\": 2, \"n_embd\": \"x\"", "n_embd"},
        {"\"n_layer\": 2, \"n_embd\": 32, \"eos_token_id\": 67", "eos_token_id"},
        {"\"n_layer\": 2, \"n_embd\": 32, \"resid_pdrop\": 1.5", "resid_pdrop"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "{\"model_type\": \"gpt2\", \"n_head\": 4, \"n_positions\": 16, \"vocab_size\": 67, %s}",
                 cases[i][0]);
        write_file(dir, "config.json", text);
        char want[64];
        snprintf(want, sizeof want, "\"%s\" must be", cases[i][1]);
        expect_load_error(dir, ATTN_ERR_FORMAT, want);
        CHECK(strstr(attn_last_error(), "config.json") != NULL);
    }
    rm_dir(dir);
}
