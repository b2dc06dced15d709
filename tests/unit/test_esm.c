/* ESM-2 against a transformers fixture (tests/ref/gen_esm_fixture.py): a tiny
 * EsmForMaskedLM (rotary positions, pre-LN, token dropout with <mask> tokens
 * in the batch, a padded row): hidden states and MLM logits within 1e-4 of
 * their scale, the MLM loss and every gradient within 1e-3 (ref and cpu
 * kernels), a save/load round trip with transformers' names, and a new ESM
 * that learns. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/encoder.h"
#include "attn/tokenizer.h"
#include "io/safetensors.h"
#include "models/model_impl.h"

#include <unistd.h>

#define DIR "tests/ref/esm_tiny"

typedef struct fixture {
    attn_model *m;
    st_file *f;
    int32_t *ids, *labels;
    uint8_t *mask;
    int64_t B, T, C, V;
} fixture;

static bool fixture_open(fixture *x, const char *dir) {
    memset(x, 0, sizeof *x);
    char path[256];
    CHECK_OK(attn_model_load(dir, &x->m));
    snprintf(path, sizeof path, "%s/fixture.safetensors", DIR);
    CHECK_OK(st_open(path, &x->f));
    if (!x->m || !x->f) return false;
    const st_tensor *t = st_find(x->f, "input_ids");
    CHECK(t && t->ndim == 2);
    if (!t) return false;
    x->B = t->shape[0], x->T = t->shape[1];
    attn_bert_config cfg;
    CHECK(attn_model_encoder_config(x->m, &cfg));
    CHECK(cfg.esm && cfg.mlm_head && cfg.mask_token_id == 32 && cfg.pad_token_id == 1);
    x->C = cfg.hidden_size, x->V = cfg.vocab_size;
    x->ids = read_ints(x->f, "input_ids", NULL);
    x->labels = read_ints(x->f, "labels", NULL);
    int32_t *am = read_ints(x->f, "attention_mask", NULL);
    x->mask = attn_malloc((size_t)(x->B * x->T));
    for (int64_t i = 0; am && i < x->B * x->T; i++) x->mask[i] = (uint8_t)am[i];
    attn_free(am);
    return x->ids && x->labels;
}

static void fixture_close(fixture *x) {
    attn_free(x->ids), attn_free(x->labels), attn_free(x->mask);
    st_close(x->f);
    attn_model_free(x->m);
}

/* Hidden states and logits at the real positions (padding's are meaningless). */
static void check_outputs(fixture *x, const char *tag) {
    int64_t nh = x->B * x->T * x->C, nl = x->B * x->T * x->V;
    float *h = attn_malloc((size_t)nh * sizeof *h), *l = attn_malloc((size_t)nl * sizeof *l);
    float *wh = read_floats(x->f, "hidden", NULL), *wl = read_floats(x->f, "mlm_logits", NULL);
    CHECK_OK(attn_encoder_hidden(x->m, x->ids, NULL, x->mask, x->B, x->T, h));
    CHECK_OK(attn_encoder_mlm_logits(x->m, x->ids, NULL, x->mask, x->B, x->T, l));
    for (int64_t i = 0; wh && wl && i < x->B * x->T; i++)
        if (!x->mask[i]) {
            memcpy(h + i * x->C, wh + i * x->C, (size_t)x->C * sizeof *h);
            memcpy(l + i * x->V, wl + i * x->V, (size_t)x->V * sizeof *l);
        }
    char what[96];
    snprintf(what, sizeof what, "esm hidden [%s]", tag);
    if (wh) CHECK(close_rel(what, h, wh, nh, 1e-4));
    snprintf(what, sizeof what, "esm mlm logits [%s]", tag);
    if (wl) CHECK(close_rel(what, l, wl, nl, 1e-4));
    attn_free(h), attn_free(l), attn_free(wh), attn_free(wl);
}

static void check_grads(fixture *x, const kernels *k) {
    attn_model *m = x->m;
    CHECK_OK(model_enable_grads(m));
    model_zero_grads(m);
    graph g;
    graph_init(&g, k);
    graph_reset(&g, true, false, 0);
    model_batch b = {.B = x->B, .T = x->T, .inputs = x->ids, .targets = x->labels, .mask = x->mask};
    tensor *loss = model_batch_loss(m, &g, &b);
    CHECK(loss != NULL);
    if (loss) {
        float want = 0;
        const st_tensor *t = st_find(x->f, "loss");
        if (t) CHECK_OK(st_read_f32(t, &want, 1));
        CHECK_NEAR(loss->data[0], want, 1e-4 * fmax(1.0, fabs((double)want)));
        CHECK_OK(graph_backward(&g, loss));
        check_param_grads(m, x->f, 1e-3, g.k->name);
    }
    graph_free(&g);
}

TEST("EsmForMaskedLM: hidden states and MLM logits match transformers (rotary, token dropout, padding)") {
    fixture x;
    if (fixture_open(&x, DIR)) {
        CHECK(!strcmp(x.m->params[0].name, "esm.embeddings.word_embeddings.weight"));
        check_outputs(&x, "loaded");
    }
    fixture_close(&x);
}

TEST("EsmForMaskedLM: MLM loss and every gradient match transformers (ref and cpu kernels)") {
    fixture x;
    if (fixture_open(&x, DIR)) {
        check_grads(&x, &kernels_ref);
        check_grads(&x, NULL);
    }
    fixture_close(&x);
}

TEST("ESM saved by attn loads back with the same outputs; token dropout changes them") {
    fixture x;
    char dir[] = "/tmp/attn_esm_XXXXXX", cmd[300];
    CHECK(mkdtemp(dir) != NULL);
    if (fixture_open(&x, DIR)) {
        CHECK_OK(attn_model_save(x.m, dir));
        attn_model_free(x.m);
        x.m = NULL;
        CHECK_OK(attn_model_load(dir, &x.m));
        if (x.m) check_outputs(&x, "saved");
        /* without the <mask> rule the masked batch's logits differ */
        int64_t n = x.B * x.T * x.V;
        float *a = attn_malloc((size_t)n * sizeof *a), *b = attn_malloc((size_t)n * sizeof *b);
        int32_t *plain = attn_malloc((size_t)(x.B * x.T) * sizeof *plain);
        for (int64_t i = 0; i < x.B * x.T; i++) plain[i] = x.ids[i] == 32 ? 24 : x.ids[i];
        if (x.m) {
            CHECK_OK(attn_encoder_mlm_logits(x.m, x.ids, NULL, x.mask, x.B, x.T, a));
            CHECK_OK(attn_encoder_mlm_logits(x.m, plain, NULL, x.mask, x.B, x.T, b));
            CHECK(fabsf(a[5 * x.V] - b[5 * x.V]) > 1e-4f);
        }
        attn_free(a), attn_free(b), attn_free(plain);
    }
    fixture_close(&x);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

TEST("a new ESM (attn_esm_new) learns a masked residue and its neighbour; configs attn does not support are refused") {
    attn_bert_config c = attn_bert_default_config();
    c.n_layer = 1, c.n_head = 2, c.hidden_size = 16, c.intermediate_size = 32, c.max_positions = 16, c.vocab_size = 12;
    c.dropout = 0, c.pad_token_id = 0, c.mask_token_id = 3, c.mlm_head = true, c.layer_norm_eps = 1e-5f;
    attn_model *m = NULL;
    CHECK_OK(attn_esm_new(&c, 7, &m));
    if (m) {
        CHECK_OK(model_enable_grads(m));
        int32_t ids[8] = {1, 5, 6, 3, 8, 9, 10, 2}, tg[8] = {-1, -1, -1, 7, 8, -1, -1, -1};
        double first = 0, last = 0;
        graph g;
        graph_init(&g, NULL);
        for (int s = 0; s < 60; s++) {
            model_zero_grads(m);
            graph_reset(&g, true, true, (uint64_t)s);
            model_batch b = {.B = 1, .T = 8, .inputs = ids, .targets = tg};
            tensor *loss = model_batch_loss(m, &g, &b);
            CHECK(loss != NULL);
            if (!loss) break;
            if (s == 0) first = loss->data[0];
            last = loss->data[0];
            CHECK_OK(graph_backward(&g, loss));
            for (int64_t i = 0; i < m->n_weights; i++) m->weights[i] -= 0.05f * m->grads[i];
        }
        graph_free(&g);
        if (!(last < 0.2 * first)) fprintf(stderr, "    loss %.4f -> %.4f\n", first, last);
        CHECK(last < 0.2 * first);
        attn_model_free(m);
    }
    c.hidden_size = 18, c.n_head = 6; /* head width 3: odd, no rotate-half */
    CHECK_STATUS(attn_esm_new(&c, 7, &m), ATTN_ERR_UNSUPPORTED);
    char dir[] = "/tmp/attn_esm_cfgXXXXXX", path[300];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *cf = fopen(path, "w");
    if (cf) {
        fputs("{\"model_type\": \"esm\", \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"hidden_size\": 8, "
              "\"intermediate_size\": 8, \"vocab_size\": 5, \"pad_token_id\": 1, \"position_embedding_type\": \"absolute\"}",
              cf);
        fclose(cf);
    }
    CHECK_STATUS(attn_model_load(dir, &m), ATTN_ERR_UNSUPPORTED);
    CHECK(strstr(attn_last_error(), "\"position_embedding_type\" is \"absolute\"; attn supports \"rotary\" only") != NULL);
    char cmd[340];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* a vocab.txt that starts with <cls> is ESM's; each malformed one is a
 * format error naming its line (a NUL inside a special token once made a
 * token shorter than its recorded length: found by fuzz_vocab_txt) */
TEST("ESM vocab.txt: malformed lines are format errors naming the line") {
    static const struct {
        const char *text;
        size_t len;
        const char *want;
    } cases[] = {
        {"<cls>\n<pad>\n<eos>\n<u\0k>\nL\n", 26, "line 4 is holding a NUL byte"},
        {"<cls>\n<pad>\n\n<eos>\n", 19, "line 3 is empty"},
        {"<cls>\n<pad>\nL\n", 14, "needs <cls> and <eos>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = test_tmp_path("vocab.txt");
        FILE *f = fopen(path, "wb");
        CHECK(f != NULL);
        if (!f) return;
        fwrite(cases[i].text, 1, cases[i].len, f);
        fclose(f);
        attn_tokenizer *tok = NULL;
        CHECK_STATUS(attn_tokenizer_load(path, &tok), ATTN_ERR_FORMAT);
        CHECK(tok == NULL);
        if (!strstr(attn_last_error(), cases[i].want)) fprintf(stderr, "  got \"%s\"\n", attn_last_error());
        CHECK(strstr(attn_last_error(), cases[i].want) != NULL);
    }
    attn_tokenizer *tok = NULL; /* and the fixture's loads */
    CHECK_OK(attn_tokenizer_load(DIR "/vocab.txt", &tok));
    attn_tokenizer_free(tok);
}
