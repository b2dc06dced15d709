/* Fuzzes the model loaders' config.json readers (the registry and each
 * family's key table: src/models/registry.c, gpt_io.c, bert_io.c,
 * encdec_io.c, rnn_io.c, opt.c, bloom.c through attn_model_load). The input's first
 * byte picks a fixture whose real weights are placed beside the config
 * (bits 0-3, modulo the count): 0 GPT-2, 1 BERT, 2 RoBERTa, 3 BART,
 * 4 Marian, 5 RNNsearch, 6 GPT-2 classifier, 7 RoBERTa classifier, 8 OPT,
 * 9 OPT with post-norm blocks and project_in/out, 10 BLOOM with 6 heads,
 * 11 BLOOM with 4; the rest is config.json,
 * or, when bit 7 is set, generation_config.json beside the fixture's own
 * config.json. The weights are the committed tests/ref fixtures, found
 * relative to the working directory (run from the repository root) or
 * through ATTN_FUZZ_REF. A decoder that loads then runs a forward pass. */
#include "fuzz_common.h"
#include "attn/model.h"

#include <limits.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const FIXTURES[] = {"gpt2_tiny", "bert_tiny", "roberta_tiny", "bart_tiny", "marian_tiny",
                                       "rnnsearch_tiny", "gpt2_cls", "roberta_cls", "opt_tiny", "opt_tiny_proj",
                                       "bloom_tiny", "bloom_tiny4"};
#define N_FIXTURES ((int)(sizeof FIXTURES / sizeof FIXTURES[0]))

static char model_dirs[N_FIXTURES][512], configs[N_FIXTURES][PATH_MAX + 64];

static void setup(void) {
    const char *ref = getenv("ATTN_FUZZ_REF");
    char root[PATH_MAX];
    if (!realpath(ref ? ref : "tests/ref", root)) {
        fprintf(stderr, "fuzz_model_config: run from the repository root or set ATTN_FUZZ_REF\n");
        abort();
    }
    for (int k = 0; k < N_FIXTURES; k++) {
        char weights[PATH_MAX + 64], link[600];
        snprintf(model_dirs[k], sizeof model_dirs[k], "%s", fuzz_path(FIXTURES[k]));
        if (mkdir(model_dirs[k], 0700) != 0) abort();
        snprintf(weights, sizeof weights, "%s/%s/model.safetensors", root, FIXTURES[k]);
        snprintf(link, sizeof link, "%s/model.safetensors", model_dirs[k]);
        if (symlink(weights, link) != 0) abort();
        snprintf(configs[k], sizeof configs[k], "%s/%s/config.json", root, FIXTURES[k]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size < 1) return 0;
    int k = (data[0] & 15) % N_FIXTURES;
    const char *dir = model_dirs[k];
    char cfg[600], gen[600];
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    snprintf(gen, sizeof gen, "%s/generation_config.json", dir);
    unlink(cfg);
    unlink(gen);
    if (data[0] & 0x80) {
        if (symlink(configs[k], cfg) != 0) abort();
        fuzz_write(gen, data + 1, size - 1);
    } else {
        fuzz_write(cfg, data + 1, size - 1);
    }
    attn_model *m = NULL;
    attn_status st = attn_model_load(dir, &m);
    fuzz_check_error(st);
    if (st == ATTN_OK) {
        for (int64_t i = 0; i < attn_model_num_labels(m); i++)
            if (!attn_model_label(m, i)) abort();
        attn_gpt_config c = attn_model_config(m);
        if ((k == 0 || k >= 8) && c.vocab_size >= 2 && c.n_ctx >= 2) {
            /* a decoder config that loads must also run: a forward pass over two tokens */
            int32_t ids[2] = {0, 1};
            float *logits = attn_malloc((size_t)(2 * c.vocab_size) * sizeof(float));
            if (logits) fuzz_check_error(attn_model_logits(m, ids, 1, 2, logits));
            attn_free(logits);
        }
    }
    attn_model_free(m);
    return 0;
}
