/* OPT against transformers fixtures (tests/ref/gen_opt_fixture.py): two tiny
 * OPTForCausalLM, one with pre-norm blocks (OPT-125m's shape) and one with
 * post-norm blocks and project_in/out (OPT-350m's): logits, loss, every
 * gradient, greedy generation token for token (the KV cache), a save/load
 * round trip, and a new OPT that learns. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/generate.h"
#include "attn/train.h"
#include "io/safetensors.h"
#include "models/model_impl.h"
#include "train/trainer.h"

#include <unistd.h>

static const char *const DIRS[] = {"tests/ref/opt_tiny", "tests/ref/opt_tiny_proj"};
enum { V = 67 };

static st_file *fixture(const char *dir) {
    char path[256];
    snprintf(path, sizeof path, "%s/fixture.safetensors", dir);
    st_file *f = NULL;
    CHECK_OK(st_open(path, &f));
    return f;
}

/* Fixture d's model and reference file; false (both released) when either fails. */
static bool open_fixture(int d, attn_model **m, st_file **f) {
    *m = NULL;
    CHECK_OK(attn_model_load(DIRS[d], m));
    *f = fixture(DIRS[d]);
    if (*m && *f) return true;
    st_close(*f);
    attn_model_free(*m);
    return false;
}

/* The logits of the fixture's input_ids against transformers', relative to their scale. */
static void check_logits(attn_model *m, st_file *f, const char *dir) {
    int64_t n_ids, n_logits;
    int32_t *ids = read_ints(f, "input_ids", &n_ids);
    float *want = read_floats(f, "logits", &n_logits);
    float *got = attn_malloc((size_t)n_logits * sizeof *got);
    CHECK(n_logits == n_ids * V);
    CHECK_OK(attn_model_logits(m, ids, 2, n_ids / 2, got));
    double scale = max_abs(want, n_logits), err = max_diff(got, want, n_logits) / scale;
    if (!(err <= 1e-4)) fprintf(stderr, "  %s: logits differ by %.3g of their scale\n", dir, err);
    CHECK(scale > 0.1 && err <= 1e-4);
    attn_free(ids);
    attn_free(want);
    attn_free(got);
}

TEST("OPT logits match transformers within 1e-4 of their scale (pre-norm; post-norm with project_in/out)") {
    for (int d = 0; d < 2; d++) {
        attn_model *m;
        st_file *f;
        if (!open_fixture(d, &m, &f)) continue;
        check_logits(m, f, DIRS[d]);
        st_close(f);
        attn_model_free(m);
    }
}

TEST("OPT loss and every gradient match PyTorch") {
    for (int d = 0; d < 2; d++) {
        attn_model *m;
        st_file *f;
        if (!open_fixture(d, &m, &f)) continue;
        int64_t n;
        int32_t *ids = read_ints(f, "input_ids", &n), *targets = read_ints(f, "targets", NULL);
        for (int64_t i = 0; i < n; i++)
            if (targets[i] == -100) targets[i] = -1;
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
            check_param_grads(m, f, 1e-3, DIRS[d]);
        }
        graph_free(&g);
        attn_free(ids);
        attn_free(targets);
        attn_free(want_loss);
        st_close(f);
        attn_model_free(m);
    }
}

TEST("OPT greedy generation (prefill, then the KV cache) is transformers' token for token") {
    for (int d = 0; d < 2; d++) {
        attn_model *m;
        st_file *f;
        if (!open_fixture(d, &m, &f)) continue;
        int64_t n_prompt, n_want;
        int32_t *prompt = read_ints(f, "prompt", &n_prompt), *want = read_ints(f, "greedy", &n_want);
        attn_sampler_params sp = attn_sampler_default_params();
        sp.temperature = 0;
        sp.max_new_tokens = n_want;
        sp.stop_token = -1;
        attn_gen *gen = NULL;
        CHECK_OK(attn_gen_new(m, &sp, &gen));
        if (gen) CHECK_OK(attn_gen_start(gen, prompt, n_prompt));
        int64_t same = 0;
        for (int64_t i = 0; gen && i < n_want; i++) {
            int32_t t = -1;
            CHECK_OK(attn_gen_next(gen, &t));
            same += t == want[i];
        }
        if (same != n_want) fprintf(stderr, "  %s: %lld of %lld tokens as transformers\n", DIRS[d], (long long)same, (long long)n_want);
        CHECK(same == n_want);
        attn_gen_free(gen);
        attn_free(prompt);
        attn_free(want);
        st_close(f);
        attn_model_free(m);
    }
}

TEST("OPT saved by attn loads back with the same logits and transformers' names") {
    for (int d = 0; d < 2; d++) {
        attn_model *m = NULL, *back = NULL;
        char dir[] = "/tmp/attn_opt_saveXXXXXX";
        CHECK(mkdtemp(dir) != NULL);
        CHECK_OK(attn_model_load(DIRS[d], &m));
        if (m) CHECK_OK(attn_model_save(m, dir));
        CHECK_OK(attn_model_load(dir, &back));
        st_file *f = fixture(DIRS[d]);
        if (back && f) check_logits(back, f, dir);
        if (m && back) {
            CHECK(back->n_params_tensors == m->n_params_tensors);
            for (int k = 0; k < m->n_params_tensors && k < back->n_params_tensors; k++)
                CHECK(!strcmp(m->params[k].name, back->params[k].name));
        }
        st_close(f);
        attn_model_free(m);
        attn_model_free(back);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        CHECK(system(cmd) == 0);
    }
}

TEST("a new OPT (attn_model_new_arch) learns a repeated sequence; a config attn does not support is refused") {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2, c.n_head = 2, c.n_embd = 32, c.n_ctx = 16, c.vocab_size = 11;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new_arch("opt", &c, 5, &m));
    if (!m) return;
    CHECK(!strcmp(m->arch->model_type, "opt"));
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
    CHECK(first > 1.5f && loss < 0.5f * first);
    attn_trainer_free(tr);
    attn_model_free(m);
    CHECK_STATUS(attn_model_new_arch("bert", &c, 5, &m), ATTN_ERR_UNSUPPORTED);
    char dir[] = "/tmp/attn_opt_cfgXXXXXX", path[300];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *cf = fopen(path, "w");
    if (cf) {
        fputs("{\"model_type\": \"opt\", \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"hidden_size\": 8, "
              "\"ffn_dim\": 8, \"max_position_embeddings\": 4, \"vocab_size\": 5, \"activation_function\": \"gelu\"}", cf);
        fclose(cf);
    }
    CHECK_STATUS(attn_model_load(dir, &m), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "\"activation_function\" is \"gelu\"; attn supports \"relu\" only") != NULL);
    char cmd[340];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}
