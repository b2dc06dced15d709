/* The GPT-2 variants of attn_gpt_config (rotary positions, QK-norm, ReLU^2,
 * untied head, zero-initialised projections): against a PyTorch reference
 * with the forward-changing ones on (tests/ref/gen_gpt2_variant_fixture.py:
 * logits, loss, every gradient, greedy tokens); each option changes the
 * forward pass of the same weights; each saves as model_type attn_gpt2 and
 * loads back with the same logits; KV-cache decoding and attn_gen equal
 * the full forward; configs that would pass for something else are refused. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/generate.h"
#include "attn/gguf.h"
#include "io/safetensors.h"
#include "models/model_impl.h"

#include <stdint.h>
#include <unistd.h>

#define FIX_DIR "tests/ref/gpt2_variant_tiny"

TEST("rotary + QK-norm + ReLU^2 + untied head: logits match the PyTorch reference within 1e-4 of their scale") {
    fixture_logits(FIX_DIR);
}

TEST("rotary + QK-norm + ReLU^2 + untied head: loss within 1e-5 and every gradient within 1e-3 of PyTorch's") {
    fixture_grads(FIX_DIR);
}

TEST("rotary + QK-norm + ReLU^2 + untied head: greedy decoding through the KV cache gives the reference's tokens") {
    fixture_greedy(FIX_DIR);
}

TEST("rotary + QK-norm + ReLU^2 + untied head: saved by attn, the fixture loads back as attn_gpt2 with the same logits") {
    fixture_save_load(FIX_DIR);
}

/* ---- one option at a time ---------------------------------------------------- */

enum { OPT_NONE, OPT_ROTARY, OPT_QK_NORM, OPT_RELU2, OPT_UNTIED, OPT_ZERO_INIT, OPT_ALL, N_OPTS };
static const char *const OPT_NAMES[N_OPTS] = {"none", "rotary", "qk_norm", "relu2", "untied_head", "zero_init_proj", "all"};
enum { V = 13, CTX = 16 };

static attn_gpt_config tiny_config(int opt) {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2, c.n_head = 2, c.n_embd = 16, c.n_ctx = CTX, c.vocab_size = V;
    c.rotary = opt == OPT_ROTARY || opt == OPT_ALL;
    c.qk_norm = opt == OPT_QK_NORM || opt == OPT_ALL;
    c.untied_head = opt == OPT_UNTIED || opt == OPT_ALL;
    c.zero_init_proj = opt == OPT_ZERO_INIT || opt == OPT_ALL;
    if (opt == OPT_RELU2 || opt == OPT_ALL) c.activation = ATTN_ACT_RELU2;
    return c;
}

/* A new model of option opt; with all options on, its projections made
 * nonzero again, so that the other options' effects show through them. */
static attn_model *tiny_model(int opt, uint64_t seed) {
    attn_gpt_config c = tiny_config(opt);
    attn_model *m = NULL;
    CHECK_OK(attn_model_new(&c, seed, &m));
    if (m && opt == OPT_ALL)
        for (int64_t l = 0; l < c.n_layer; l++)
            for (int64_t i = 0; i < m->layers[l].proj_w.numel; i++) m->layers[l].proj_w.data[i] = 0.05f * (float)((i * 7 + l) % 11 - 5);
    if (m && opt == OPT_ALL)
        for (int64_t l = 0; l < c.n_layer; l++)
            for (int64_t i = 0; i < m->layers[l].fc2_w.numel; i++) m->layers[l].fc2_w.data[i] = 0.03f * (float)((i * 5 + l) % 13 - 6);
    return m;
}

/* Copies every parameter of src that dst has by name (the weights the two share). */
static void copy_shared(attn_model *dst, const attn_model *src) {
    for (int k = 0; k < dst->n_params_tensors; k++)
        for (int j = 0; j < src->n_params_tensors; j++)
            if (!strcmp(dst->params[k].name, src->params[j].name) && dst->params[k].numel == src->params[j].numel)
                memcpy(dst->weights + dst->params[k].offset, src->weights + src->params[j].offset,
                       (size_t)dst->params[k].numel * sizeof(float));
}

static const int32_t IDS[CTX] = {1, 5, 2, 9, 12, 0, 3, 3, 7, 11, 4, 8, 6, 10, 2, 5};

TEST("each option changes the forward pass of the same weights (zero_init_proj: the new model's projections are 0)") {
    attn_model *base = tiny_model(OPT_NONE, 11);
    if (!base) return;
    float *want = attn_malloc(sizeof(float) * CTX * V), *got = attn_malloc(sizeof(float) * CTX * V);
    CHECK_OK(attn_model_logits(base, IDS, 1, CTX, want));
    for (int opt = OPT_ROTARY; opt <= OPT_UNTIED; opt++) {
        attn_model *m = tiny_model(opt, 11);
        if (!m) continue;
        copy_shared(m, base);
        if (opt == OPT_UNTIED) memcpy(m->lm_head.data, base->wte.data, (size_t)m->lm_head.numel * sizeof(float));
        CHECK_OK(attn_model_logits(m, IDS, 1, CTX, got));
        double d = max_diff(got, want, CTX * V);
        if (opt == OPT_UNTIED) {
            /* lm_head = wte computes what the tied model does; another lm_head differs */
            CHECK(d == 0);
            m->lm_head.data[3] += 0.5f;
            CHECK_OK(attn_model_logits(m, IDS, 1, CTX, got));
            d = max_diff(got, want, CTX * V);
        }
        if (!(d > 1e-3)) fprintf(stderr, "  %s: logits differ by only %.3g\n", OPT_NAMES[opt], d);
        CHECK(d > 1e-3);
        attn_model_free(m);
    }
    /* zero_init_proj: the same draw as the baseline but c_proj weights of 0 */
    attn_model *z = tiny_model(OPT_ZERO_INIT, 11);
    if (z) {
        for (int64_t l = 0; l < 2; l++) {
            CHECK(max_abs(z->layers[l].proj_w.data, z->layers[l].proj_w.numel) == 0);
            CHECK(max_abs(z->layers[l].fc2_w.data, z->layers[l].fc2_w.numel) == 0);
            CHECK(max_abs(z->layers[l].qkv_w.data, z->layers[l].qkv_w.numel) > 0);
            CHECK(max_diff(z->layers[l].qkv_w.data, base->layers[l].qkv_w.data, z->layers[l].qkv_w.numel) == 0);
            memset(base->layers[l].proj_w.data, 0, (size_t)base->layers[l].proj_w.numel * sizeof(float));
            memset(base->layers[l].fc2_w.data, 0, (size_t)base->layers[l].fc2_w.numel * sizeof(float));
        }
        CHECK_OK(attn_model_logits(z, IDS, 1, CTX, got));
        CHECK_OK(attn_model_logits(base, IDS, 1, CTX, want));
        CHECK(max_diff(got, want, CTX * V) == 0);
        attn_model_free(z);
    }
    attn_free(want);
    attn_free(got);
    attn_model_free(base);
}

TEST("each option saves as model_type attn_gpt2 (none and zero_init_proj: gpt2) and loads back with its options and "
     "the same logits") {
    for (int opt = OPT_NONE; opt < N_OPTS; opt++) {
        attn_model *m = tiny_model(opt, 3), *back = NULL;
        if (!m) continue;
        const char *dir = test_tmp_path(OPT_NAMES[opt]);
        CHECK_OK(attn_model_save(m, dir));
        CHECK_OK(attn_model_load(dir, &back));
        if (back) {
            float a[CTX * V], b[CTX * V];
            CHECK_OK(attn_model_logits(m, IDS, 1, CTX, a));
            CHECK_OK(attn_model_logits(back, IDS, 1, CTX, b));
            CHECK(memcmp(a, b, sizeof a) == 0);
            attn_gpt_config c = attn_model_config(m), c2 = attn_model_config(back);
            CHECK(c2.rotary == c.rotary && c2.qk_norm == c.qk_norm && c2.untied_head == c.untied_head &&
                  c2.zero_init_proj == c.zero_init_proj && c2.activation == c.activation);
            const char *want = opt == OPT_NONE || opt == OPT_ZERO_INIT ? "gpt2" : "attn_gpt2";
            if (strcmp(back->arch->model_type, want)) fprintf(stderr, "  %s: model_type %s\n", OPT_NAMES[opt], back->arch->model_type);
            CHECK(!strcmp(back->arch->model_type, want));
            /* the positions table is there exactly with learned positions, lm_head with an untied head */
            bool has_wpe = false, has_head = false;
            for (int k = 0; k < back->n_params_tensors; k++) {
                has_wpe = has_wpe || !strcmp(back->params[k].name, "transformer.wpe.weight");
                has_head = has_head || !strcmp(back->params[k].name, "lm_head.weight");
            }
            CHECK(has_wpe == !c.rotary && has_head == c.untied_head);
        }
        attn_model_free(back);
        attn_model_free(m);
    }
}

TEST("KV-cache decoding equals the full forward, and attn_gen's greedy tokens are its argmax, for every option") {
    for (int opt = OPT_NONE; opt < N_OPTS; opt++) {
        attn_model *m = tiny_model(opt, 21);
        if (!m) continue;
        float *full = attn_malloc(sizeof(float) * CTX * V);
        CHECK_OK(attn_model_logits(m, IDS, 1, CTX, full));
        check_cached_logits(m, IDS, CTX, 5, full, OPT_NAMES[opt]);

        /* greedy generation from a 3-token prompt against argmax of full forwards */
        enum { P = 3, NEW_TOKENS = 10 };
        int32_t seq[P + NEW_TOKENS];
        memcpy(seq, IDS, sizeof(int32_t) * P);
        attn_sampler_params sp = attn_sampler_default_params();
        sp.temperature = 0;
        sp.max_new_tokens = NEW_TOKENS;
        sp.stop_token = -1;
        attn_gen *gen = NULL;
        CHECK_OK(attn_gen_new(m, &sp, &gen));
        if (gen) CHECK_OK(attn_gen_start(gen, seq, P));
        int same = 0;
        for (int i = 0; gen && i < NEW_TOKENS; i++) {
            int32_t tok = -1;
            CHECK_OK(attn_gen_next(gen, &tok));
            CHECK_OK(attn_model_logits(m, seq, 1, P + i, full));
            const float *row = full + (P + i - 1) * V;
            int32_t best = 0;
            for (int32_t v = 1; v < V; v++)
                if (row[v] > row[best]) best = v;
            same += tok == best;
            seq[P + i] = best;
        }
        if (same != NEW_TOKENS) fprintf(stderr, "  %s: %d of %d greedy tokens as the full forward\n", OPT_NAMES[opt], same, NEW_TOKENS);
        CHECK(same == NEW_TOKENS);
        attn_gen_free(gen);
        attn_free(full);
        attn_model_free(m);
    }
}

/* ---- configs that would pass for another model --------------------------------- */

/* dir/config.json: config with `from` replaced by `to` (NULL: config as it is). */
static void write_config(const char *dir, const char *config, const char *from, const char *to) {
    char text[4096], path[256];
    const char *at = from ? strstr(config, from) : NULL;
    CHECK(!from || at != NULL);
    if (at)
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - config), config, to, at + strlen(from));
    else
        snprintf(text, sizeof text, "%s", config);
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) fputs(text, f), fclose(f);
}

/* A load of dir with config.json edited by write_config must fail with want, naming keyword. */
static void expect_config_error(const char *dir, const char *config, const char *from, const char *to, attn_status want,
                                const char *keyword) {
    write_config(dir, config, from, to);
    attn_model *m = NULL;
    attn_status st = attn_model_load(dir, &m);
    if (st != want || !strstr(attn_last_error(), keyword))
        fprintf(stderr, "  %s -> %s: status %d, '%s'\n", from, to, (int)st, attn_last_error());
    CHECK(st == want);
    CHECK(strstr(attn_last_error(), keyword) != NULL);
    attn_model_free(m);
}

/* A new model of option opt saved in test_tmp_path(name), its config.json read into config. */
static const char *save_option(int opt, const char *name, char *config, size_t cap) {
    const char *dir = test_tmp_path(name);
    attn_model *m = tiny_model(opt, 5);
    if (m) CHECK_OK(attn_model_save(m, dir));
    attn_model_free(m);
    char path[300];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(config, 1, cap - 1, f) : 0;
    if (f) fclose(f);
    config[n] = 0;
    CHECK(n > 0);
    return dir;
}

TEST("variant keys are refused under model_type gpt2 and bad values under attn_gpt2; attn convert refuses a variant") {
    static char config[4096];
    const char *dir = save_option(OPT_ALL, "refused", config, sizeof config);
    /* a GPT2LMHeadModel directory cannot carry the variants */
    expect_config_error(dir, config, "\"attn_gpt2\"", "\"gpt2\"", ATTN_ERR_UNSUPPORTED, "attn_gpt2");
    expect_config_error(dir, config, "\"rotary\"", "\"alibi\"", ATTN_ERR_UNSUPPORTED, "position_embedding_type");
    expect_config_error(dir, config, "10000", "500000", ATTN_ERR_UNSUPPORTED, "rope_theta");
    expect_config_error(dir, config, "\"relu2\"", "\"relu3\"", ATTN_ERR_UNSUPPORTED, "relu3");
    write_config(dir, config, NULL, NULL);
    char out[300];
    snprintf(out, sizeof out, "%s/m.gguf", dir);
    CHECK(attn_gguf_convert(dir, out, 0, NULL) == ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "GPT-2 variant") != NULL);
    CHECK(access(out, F_OK) != 0);
    /* one option alone under model_type gpt2, each refused naming what is not GPT-2's */
    static const struct {
        int opt;
        const char *keyword;
    } alone[] = {{OPT_ROTARY, "position_embedding_type"}, {OPT_QK_NORM, "qk_norm"}, {OPT_RELU2, "relu2"}, {OPT_UNTIED, "untied"}};
    for (size_t i = 0; i < sizeof alone / sizeof *alone; i++) {
        const char *one = save_option(alone[i].opt, OPT_NAMES[alone[i].opt], config, sizeof config);
        expect_config_error(one, config, "\"attn_gpt2\"", "\"gpt2\"", ATTN_ERR_UNSUPPORTED, alone[i].keyword);
    }
}

TEST("rotary positions need an even head width") {
    attn_gpt_config c = tiny_config(OPT_ROTARY);
    c.n_embd = 6, c.n_head = 2;
    attn_model *m = NULL;
    CHECK(attn_model_new(&c, 1, &m) == ATTN_ERR_INVALID_ARG);
    CHECK(m == NULL);
    CHECK(strstr(attn_last_error(), "even head width") != NULL);
}
