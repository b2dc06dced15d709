/* BLOOM against transformers fixtures (tests/ref/gen_bloom_fixture.py): two tiny
 * BloomForCausalLM, one with 6 heads (ALiBi slopes of a head count that is not a
 * power of two) and one with 4: logits, loss, every gradient (the fused
 * query_key_value permuted from its per-head layout), greedy generation token
 * for token (ALiBi over the KV cache), a save/load round trip, a new BLOOM that
 * learns, the configurations attn refuses, and BLOOM's tokenizer.json pipeline
 * (tests/ref/gen_bloom_tokenizer.py: its Split before ByteLevel) against the ids
 * of `tokenizers`. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/generate.h"
#include "attn/tokenizer.h"
#include "attn/train.h"
#include "io/safetensors.h"
#include "models/model_impl.h"
#include "train/trainer.h"

#include <math.h>
#include <unistd.h>

static const char *const DIRS[] = {"tests/ref/bloom_tiny", "tests/ref/bloom_tiny4"};
enum { N_DIRS = 2, V = 67 };

TEST("BLOOM logits match transformers within 1e-4 of their scale (6 heads, 4 heads)") {
    for (int d = 0; d < N_DIRS; d++) fixture_logits(DIRS[d]);
}

TEST("BLOOM loss and every gradient match PyTorch") {
    for (int d = 0; d < N_DIRS; d++) fixture_grads(DIRS[d]);
}

TEST("BLOOM greedy generation (prefill, then ALiBi over the KV cache) is transformers' token for token") {
    for (int d = 0; d < N_DIRS; d++) fixture_greedy(DIRS[d]);
}

TEST("BLOOM logits through the KV cache (a prefill of 3, then one token at a time) are transformers' within 1e-4") {
    for (int d = 0; d < 2; d++) {
        attn_model *m;
        st_file *f;
        if (!ref_fixture_open(DIRS[d], &m, &f)) continue;
        int64_t n_ids, n_logits;
        int32_t *ids = read_ints(f, "input_ids", &n_ids);
        float *want = read_floats(f, "logits", &n_logits);
        int64_t T = n_ids / 2;
        kv_cache *cache = NULL;
        CHECK_OK(kv_cache_new(m, 1, 0, &cache));
        graph g;
        graph_init(&g, NULL);
        double scale = max_abs(want, T * V), err = 0;
        for (int64_t t = 0; cache && t < T;) { /* row 1 of the fixture's batch */
            int64_t n = t == 0 ? 3 : 1;
            graph_reset(&g, false, false, 0);
            tensor *logits = model_forward(m, &g, ids + T + t, 1, n, cache, false);
            CHECK(logits != NULL);
            if (!logits) break;
            err = fmax(err, max_diff(logits->data, want + (T + t) * V, n * V) / scale);
            t += n;
        }
        if (!(err <= 1e-4)) fprintf(stderr, "  %s: cached logits differ by %.3g of their scale\n", DIRS[d], err);
        CHECK(err <= 1e-4);
        graph_free(&g);
        kv_cache_free(m, cache);
        attn_free(ids);
        attn_free(want);
        st_close(f);
        attn_model_free(m);
    }
}

TEST("BLOOM saved by attn loads back with the same logits and transformers' names and layout") {
    for (int d = 0; d < N_DIRS; d++) fixture_save_load(DIRS[d]);
}

TEST("BLOOM's saved query_key_value is transformers' per-head layout, byte for byte") {
    attn_model *m = NULL;
    char dir[] = "/tmp/attn_bloom_qkvXXXXXX", path[300];
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(attn_model_load(DIRS[0], &m));
    if (m) CHECK_OK(attn_model_save(m, dir));
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    st_file *a = NULL, *b = NULL;
    CHECK_OK(st_open(path, &a));
    CHECK_OK(st_open("tests/ref/bloom_tiny/model.safetensors", &b));
    const char *names[] = {"transformer.h.1.self_attention.query_key_value.weight",
                           "transformer.h.1.self_attention.query_key_value.bias"};
    for (int i = 0; a && b && i < 2; i++) {
        int64_t na, nb;
        float *x = read_floats(a, names[i], &na), *y = read_floats(b, names[i], &nb);
        CHECK(na == nb && na > 0 && x && y && !memcmp(x, y, (size_t)na * sizeof *x));
        attn_free(x);
        attn_free(y);
    }
    st_close(a);
    st_close(b);
    attn_model_free(m);
    char cmd[340];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

TEST("a quantized BLOOM saves its dequantized values, query_key_value in transformers' per-head layout") {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 1, c.n_head = 4, c.n_embd = 64, c.n_ctx = 16, c.vocab_size = 11; /* rows of 64: whole Q8_0 blocks */
    attn_model *m = NULL, *back = NULL;
    char dir[] = "/tmp/attn_bloom_q8XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(attn_model_new_arch("bloom", &c, 7, &m));
    if (m) CHECK_OK(attn_model_set_precision(m, ATTN_PRECISION_Q8_0));
    int qkv = -1;
    for (int k = 0; m && k < m->n_params_tensors; k++)
        if (m->params[k].heads3 && m->params[k].ndim == 2) qkv = k; /* query_key_value.weight */
    CHECK(qkv >= 0 && m->params[qkv].qtype != 0);
    if (m) CHECK_OK(attn_model_save(m, dir));
    CHECK_OK(attn_model_load(dir, &back));
    if (m && back && back->n_params_tensors == m->n_params_tensors && qkv >= 0) {
        float *want = attn_malloc((size_t)m->n_weights * sizeof(float));
        CHECK(want != NULL);
        for (int k = 0; want && k < m->n_params_tensors; k++) {
            const param_info *p = &m->params[k];
            model_param_f32(m, k, want);
            bool same = !memcmp(want, back->weights + back->params[k].offset, (size_t)p->numel * sizeof(float));
            if (!same) fprintf(stderr, "  %s differs after the round trip\n", p->name);
            CHECK(same);
        }
        attn_free(want);
    }
    attn_model_free(m);
    attn_model_free(back);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* Writes config_json to a new directory's config.json and returns attn_model_load's status on it. */
static attn_status load_config(const char *config_json) {
    char dir[] = "/tmp/attn_bloom_cfgXXXXXX", path[300];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *cf = fopen(path, "w");
    if (cf) {
        fputs(config_json, cf);
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

TEST("a new BLOOM (attn_model_new_arch) learns a repeated sequence; configs attn does not support are refused by name") {
    fixture_new_learns("bloom", 3, 24);
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = 2, c.n_head = 3, c.n_embd = 24, c.n_ctx = 16, c.vocab_size = 11;
    attn_model *m = NULL;
    c.n_inner = 50;
    CHECK_STATUS(attn_model_new_arch("bloom", &c, 5, &m), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "BLOOM's MLP is 4 x the width") != NULL);

    CHECK_STATUS(load_config("{\"model_type\": \"bloom\", \"n_layer\": 1, \"n_head\": 2, \"hidden_size\": 8, \"vocab_size\": 5, "
                             "\"apply_residual_connection_post_layernorm\": true}"),
                 ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "\"apply_residual_connection_post_layernorm\" is true; attn supports false only") != NULL);
    CHECK_STATUS(load_config("{\"model_type\": \"bloom\", \"n_layer\": 1, \"n_head\": 2, \"hidden_size\": 8, \"vocab_size\": 5, "
                             "\"attention_dropout\": 0.1}"),
                 ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "\"attention_dropout\" is 0.1; attn supports 0 only") != NULL);
    CHECK_STATUS(load_config("{\"model_type\": \"bloom\", \"n_layer\": 1, \"n_head\": 2, \"hidden_size\": 8, \"vocab_size\": 5, "
                             "\"layer_norm_epsilon\": 0}"),
                 ATTN_ERR_FORMAT);
    CHECK(strstr(attn_last_error(), "\"layer_norm_epsilon\"") != NULL);
}

TEST("BLOOM reads bigscience/bloom's own config names (n_embed, num_attention_heads), which win as in BloomConfig, and refuses a cache overflow") {
    /* the 6-head fixture's config with its sizes under the other names, beside other values under the usual ones */
    char dir[] = "/tmp/attn_bloom_aliasXXXXXX", path[300], cmd[400];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *cf = fopen(path, "w");
    if (cf) {
        fputs("{\"model_type\": \"bloom\", \"n_embed\": 48, \"num_attention_heads\": 6, \"num_hidden_layers\": 2, "
              "\"hidden_size\": 32, \"n_head\": 4, \"n_layer\": 1, \"vocab_size\": 67, \"seq_length\": 32}", cf);
        fclose(cf);
    }
    snprintf(cmd, sizeof cmd, "cp tests/ref/bloom_tiny/model.safetensors %s/", dir);
    CHECK(system(cmd) == 0);
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(dir, &m));
    st_file *f = fixture_file(DIRS[0]);
    if (m && f) {
        CHECK(m->cfg.n_embd == 48 && m->cfg.n_head == 6 && m->cfg.n_layer == 2 && m->cfg.n_ctx == 32);
        fixture_check_logits(m, f, dir);
        /* 33 positions do not fit the cache of seq_length 32 */
        kv_cache *cache = NULL;
        CHECK_OK(kv_cache_new(m, 1, 0, &cache));
        int32_t ids[33] = {0};
        graph g;
        graph_init(&g, NULL);
        graph_reset(&g, false, false, 0);
        CHECK(model_forward(m, &g, ids, 1, 33, cache, true) == NULL);
        CHECK(g.status == ATTN_ERR_INVALID_ARG);
        graph_free(&g);
        kv_cache_free(m, cache);
    }
    st_close(f);
    attn_model_free(m);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}


/* Line k (0-based) of a text file, its \n, \t and \\ escapes expanded, into buf; its length, or -1. */
static long read_line(const char *path, int k, char *buf, size_t cap) {
    FILE *f = fopen(path, "r");
    char line[4096];
    long n = -1;
    for (int i = 0; f && i <= k && fgets(line, sizeof line, f); i++) {
        if (i < k) continue;
        size_t j = 0;
        n = 0;
        for (; line[j] && line[j] != '\n' && (size_t)n + 1 < cap; j++) {
            char c = line[j];
            if (c == '\\' && line[j + 1]) c = line[++j] == 'n' ? '\n' : line[j] == 't' ? '\t' : line[j];
            buf[n++] = c;
        }
        buf[n] = 0;
    }
    if (f) fclose(f);
    return n;
}

/* Checks tok against the committed ids of every committed text; returns the texts checked. */
static int check_bloom_ids(const attn_tokenizer *tok, const char *tag) {
    int k = 0;
    for (;; k++) {
        char text[4096], want[8192];
        long n = read_line("tests/ref/bloom_tok/texts.txt", k, text, sizeof text);
        if (n < 0) break;
        CHECK(read_line("tests/ref/bloom_tok/ids.txt", k, want, sizeof want) >= 0);
        int32_t *ids = NULL;
        int64_t n_ids = 0;
        CHECK_OK(attn_tokenizer_encode(tok, text, (size_t)n, &ids, &n_ids));
        char got[8192] = "";
        size_t at = 0;
        for (int64_t i = 0; i < n_ids && at < sizeof got - 16; i++)
            at += (size_t)snprintf(got + at, sizeof got - at, "%s%d", i ? " " : "", (int)ids[i]);
        if (strcmp(got, want)) fprintf(stderr, "  %s text %d: attn [%s], tokenizers [%s]\n", tag, k, got, want);
        CHECK(!strcmp(got, want));
        char *back = NULL;
        size_t back_len = 0;
        CHECK_OK(attn_tokenizer_decode(tok, ids, n_ids, &back, &back_len));
        CHECK(back && back_len == (size_t)n && !memcmp(back, text, (size_t)n));
        attn_free(back);
        attn_free(ids);
    }
    return k;
}

TEST("BLOOM's tokenizer.json (Split on its regex, then ByteLevel without one) encodes as tokenizers; saved, it loads back the same") {
    attn_tokenizer *tok = NULL, *back = NULL;
    CHECK_OK(attn_tokenizer_load("tests/ref/bloom_tok/tokenizer.json", &tok));
    if (!tok) return;
    CHECK(check_bloom_ids(tok, "loaded") == 9);
    char dir[] = "/tmp/attn_bloom_tokXXXXXX", cmd[300];
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(attn_tokenizer_save(tok, dir));
    CHECK_OK(attn_tokenizer_load(dir, &back));
    if (back) CHECK(check_bloom_ids(back, "saved") == 9);
    attn_tokenizer_free(tok);
    attn_tokenizer_free(back);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

TEST("a Split before ByteLevel other than BLOOM's, or with a prefix space after it, is refused by name") {
    char dir[] = "/tmp/attn_bloom_tok2XXXXXX", path[300], cmd[400];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    const char *variants[][2] = {{"\"Regex\": \" ?[^(\\\\s|[.,!?…。，、।۔،])]+\"", "\"Regex\": \" ?[^\\\\s]+\""},
                                 {"\"add_prefix_space\": false", "\"add_prefix_space\": true"}};
    const char *want[] = {"Sequence other than [ByteLevel], [Digits(individual_digits), ByteLevel] or BLOOM's [Split, ByteLevel] is not supported",
                          "a ByteLevel pre-tokenizer with add_prefix_space or use_regex is not supported"};
    char *json = NULL;
    size_t len = 0;
    CHECK_OK(file_read_all("tests/ref/bloom_tok/tokenizer.json", &json, &len));
    for (int v = 0; json && v < 2; v++) {
        /* the committed file with the first occurrence of one field changed (the pre-tokenizer's) */
        char *at = strstr(json, variants[v][0]);
        CHECK(at != NULL);
        if (!at) continue;
        FILE *f = fopen(path, "w");
        if (f) {
            fwrite(json, 1, (size_t)(at - json), f);
            fputs(variants[v][1], f);
            fputs(at + strlen(variants[v][0]), f);
            fclose(f);
        }
        attn_tokenizer *tok = NULL;
        CHECK_STATUS(attn_tokenizer_load(path, &tok), ATTN_ERR_UNSUPPORTED);
        CHECK(strstr(attn_last_error(), want[v]) != NULL);
        attn_tokenizer_free(tok);
    }
    attn_free(json);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}
