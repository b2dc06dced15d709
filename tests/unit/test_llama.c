/* Llama-style decoders against transformers fixtures
 * (tests/ref/gen_llama_fixture.py): a grouped-query LlamaForCausalLM with a
 * head_dim that is not hidden / heads and an untied output, a tied Llama
 * with attention and MLP biases, and a Qwen2ForCausalLM (q/k/v biases):
 * logits, loss, every gradient, greedy generation token for token (the KV
 * cache), a save/load round trip, bf16 precision, a new Llama that learns,
 * and the configurations attn refuses. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/generate.h"
#include "attn/train.h"
#include "io/safetensors.h"
#include "models/model_impl.h"
#include "train/trainer.h"

#include <unistd.h>

static const char *const DIRS[] = {"tests/ref/llama_gqa", "tests/ref/llama_tied", "tests/ref/qwen2_tiny"};
enum { N_DIRS = 3 };
enum { V = 67 };

TEST("Llama / Qwen2 logits match transformers within 1e-4 of their scale (GQA with head_dim 24, tied with biases, qwen2)") {
    for (int d = 0; d < N_DIRS; d++) fixture_logits(DIRS[d]);
}

TEST("Llama / Qwen2 loss and every gradient match PyTorch") {
    for (int d = 0; d < N_DIRS; d++) fixture_grads(DIRS[d]);
}

TEST("Llama / Qwen2 greedy generation (prefill, then the GQA KV cache) is transformers' token for token") {
    for (int d = 0; d < N_DIRS; d++) fixture_greedy(DIRS[d]);
}

TEST("Llama / Qwen2 saved by attn load back with the same logits, transformers' names and model_type") {
    for (int d = 0; d < N_DIRS; d++) fixture_save_load(DIRS[d]);
}

TEST("a bf16 Llama (bf16 matrix products) gives logits close to the fp32 ones") {
    attn_model *m;
    st_file *f;
    if (!ref_fixture_open(DIRS[0], &m, &f)) return;
    int64_t n_ids, n_logits;
    int32_t *ids = read_ints(f, "input_ids", &n_ids);
    float *want = read_floats(f, "logits", &n_logits), *got = attn_malloc((size_t)n_logits * sizeof *got);
    CHECK_OK(attn_model_set_precision(m, ATTN_PRECISION_BF16));
    CHECK_OK(attn_model_logits(m, ids, 2, n_ids / 2, got));
    double scale = max_abs(want, n_logits), err = max_diff(got, want, n_logits) / scale;
    fprintf(stderr, "  bf16 logits differ by %.3g of their scale\n", err);
    CHECK(err > 0 && err <= 3e-2); /* bf16 rounds every product's inputs to 8 bits of mantissa */
    attn_free(ids), attn_free(want), attn_free(got);
    st_close(f);
    attn_model_free(m);
}

TEST("the GQA KV cache holds num_key_value_heads x head_dim keys and values per position") {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(DIRS[0], &m));
    if (!m) return;
    CHECK(m->kv_width == 2 * 2 * 24); /* 2 kv heads of 24, not 2 x hidden 64 */
    kv_cache *c = NULL;
    CHECK_OK(kv_cache_new(m, 1, 0, &c));
    /* decoding step by step equals the full forward's last logits */
    int32_t ids[5] = {5, 9, 11, 3, 40};
    float full[5 * V], step[V];
    CHECK_OK(attn_model_logits(m, ids, 1, 5, full));
    graph g;
    graph_init(&g, NULL);
    for (int t = 0; c && t < 5; t++) {
        graph_reset(&g, false, false, 0);
        tensor *lg = model_forward(m, &g, ids + t, 1, 1, c, true);
        CHECK(lg != NULL);
        if (lg) memcpy(step, lg->data, sizeof step);
    }
    CHECK(max_diff(step, full + 4 * V, V) <= 1e-4 * max_abs(full + 4 * V, V));
    graph_free(&g);
    kv_cache_free(m, c);
    attn_model_free(m);
}

/* Writes config.json text into a fresh directory (named in dir) and loads it. */
static attn_status load_config(const char *json, char *dir) {
    strcpy(dir, "/tmp/attn_llama_cfgXXXXXX");
    if (!mkdtemp(dir)) return ATTN_ERR_IO;
    char path[300];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *cf = fopen(path, "w");
    if (cf) {
        fputs(json, cf);
        fclose(cf);
    }
    attn_model *m = NULL;
    attn_status st = attn_model_load(dir, &m);
    attn_model_free(m);
    char cmd[340];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return st;
}

#define LLAMA_JSON "\"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"hidden_size\": 8, " \
                   "\"intermediate_size\": 8, \"max_position_embeddings\": 64, \"vocab_size\": 5"

TEST("rope_scaling, other rope types, short sliding windows and non-SiLU activations are refused by name") {
    char dir[64];
    CHECK_STATUS(load_config("{\"model_type\": \"llama\", " LLAMA_JSON ", \"rope_scaling\": {\"rope_type\": \"linear\", "
                             "\"factor\": 2.0}}", dir), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "\"rope_scaling\" is {\"rope_type\":\"linear\",\"factor\":2}; attn supports null only") != NULL);
    CHECK_STATUS(load_config("{\"model_type\": \"llama\", " LLAMA_JSON ", \"rope_parameters\": {\"rope_type\": \"yarn\", "
                             "\"rope_theta\": 10000.0, \"factor\": 4.0}}", dir), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "\"rope_parameters\" is {\"rope_type\":\"yarn\"") != NULL);
    CHECK_STATUS(load_config("{\"model_type\": \"llama\", " LLAMA_JSON ", \"hidden_act\": \"gelu\"}", dir), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "\"hidden_act\" is \"gelu\"; attn supports \"silu\" only") != NULL);
    CHECK_STATUS(load_config("{\"model_type\": \"mistral\", " LLAMA_JSON ", \"sliding_window\": 16}", dir), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "\"sliding_window\" is 16, shorter than the 64 positions") != NULL);
    CHECK_STATUS(load_config("{\"model_type\": \"llama\", " LLAMA_JSON ", \"num_key_value_heads\": 3}", dir),
                 ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "must be a multiple of num_key_value_heads (3)") != NULL);
    /* accepted as far as the weights: a mistral without a window, a default rope type */
    CHECK_STATUS(load_config("{\"model_type\": \"mistral\", " LLAMA_JSON ", \"sliding_window\": null}", dir), ATTN_ERR_IO);
    CHECK_STATUS(load_config("{\"model_type\": \"llama\", " LLAMA_JSON ", \"rope_parameters\": {\"rope_type\": \"default\", "
                             "\"rope_theta\": 500000.0}}", dir), ATTN_ERR_IO);
}

TEST("a new Llama (attn_model_new_arch) learns a repeated sequence; llama_model_new builds GQA from hyper-parameters") {
    fixture_new_learns("llama", 2, 32);
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2, c.n_head = 2, c.n_embd = 32, c.n_ctx = 16, c.vocab_size = 11;
    attn_model *m = NULL;
    llama_hparams hp = {.g = c, .n_kv_head = 1, .head_dim = 6, .rope_theta = 10000.0f, .tie = true};
    hp.g.n_inner = 24, hp.g.layer_norm_eps = 1e-5f;
    CHECK_OK(llama_model_new("llama", &hp, &m));
    if (m) {
        CHECK(!strcmp(m->params[1].name, "model.layers.0.self_attn.q_proj.weight"));
        CHECK(m->params[1].shape[0] == 12 && m->params[1].shape[1] == 32);
        CHECK(!strcmp(m->params[2].name, "model.layers.0.self_attn.k_proj.weight") && m->params[2].shape[0] == 6);
        CHECK(m->kv_width == 12);
    }
    attn_model_free(m);
    CHECK_STATUS(llama_model_new("opt", &hp, &m), ATTN_ERR_INVALID_ARG);
}
