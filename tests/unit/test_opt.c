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
enum { N_DIRS = 2 };

TEST("OPT logits match transformers within 1e-4 of their scale (pre-norm; post-norm with project_in/out)") {
    for (int d = 0; d < N_DIRS; d++) fixture_logits(DIRS[d]);
}

TEST("OPT loss and every gradient match PyTorch") {
    for (int d = 0; d < N_DIRS; d++) fixture_grads(DIRS[d]);
}

TEST("OPT greedy generation (prefill, then the KV cache) is transformers' token for token") {
    for (int d = 0; d < N_DIRS; d++) fixture_greedy(DIRS[d]);
}

TEST("OPT saved by attn loads back with the same logits and transformers' names") {
    for (int d = 0; d < N_DIRS; d++) fixture_save_load(DIRS[d]);
}

TEST("a new OPT (attn_model_new_arch) learns a repeated sequence; a config attn does not support is refused") {
    fixture_new_learns("opt", 2, 32);
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2, c.n_head = 2, c.n_embd = 32, c.n_ctx = 16, c.vocab_size = 11;
    attn_model *m = NULL;
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
