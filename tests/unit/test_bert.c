/* BERT-family encoders against transformers fixtures (tests/ref/gen_bert_fixture.py)
 * and attn's BERT variant (attn_bert: pre-LN, no linear biases) against a PyTorch
 * reference (tests/ref/gen_bert_variant_fixture.py):
 * BertForMaskedLM ("bert." names), BertModel (no prefix, pooler) and
 * RobertaForMaskedLM ("roberta." names, positions from pad + 1): hidden
 * states, pooler output and MLM logits within 1e-4, the MLM loss and every
 * gradient within 1e-3, on a variable-length batch with an attention mask;
 * then mean-pooled embeddings, a fresh encoder, and bad inputs and files. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/encoder.h"
#include "io/safetensors.h"
#include "models/model_impl.h"

#include <sys/stat.h>
#include <unistd.h>

#define REF "tests/ref/"

typedef struct fixture {
    attn_model *m;
    st_file *f;
    int32_t *ids, *types, *labels;
    uint8_t *mask;
    int64_t B, T, C, V;
} fixture;

static bool fixture_open(fixture *x, const char *dir) {
    memset(x, 0, sizeof *x);
    char path[256];
    CHECK_OK(attn_model_load(dir, &x->m));
    snprintf(path, sizeof path, "%s/fixture.safetensors", dir);
    CHECK_OK(st_open(path, &x->f));
    if (!x->m || !x->f) return false;
    const st_tensor *t = st_find(x->f, "input_ids");
    CHECK(t && t->ndim == 2);
    if (!t) return false;
    x->B = t->shape[0];
    x->T = t->shape[1];
    attn_bert_config cfg;
    CHECK(attn_model_encoder_config(x->m, &cfg));
    x->C = cfg.hidden_size;
    x->V = cfg.vocab_size;
    x->ids = read_ints(x->f, "input_ids", NULL);
    if (st_find(x->f, "token_type_ids")) x->types = read_ints(x->f, "token_type_ids", NULL);
    if (st_find(x->f, "labels")) x->labels = read_ints(x->f, "labels", NULL);
    int32_t *am = read_ints(x->f, "attention_mask", NULL);
    x->mask = attn_malloc((size_t)(x->B * x->T));
    for (int64_t i = 0; am && i < x->B * x->T; i++) x->mask[i] = (uint8_t)am[i];
    attn_free(am);
    return x->ids != NULL;
}

static void fixture_close(fixture *x) {
    attn_free(x->ids), attn_free(x->types), attn_free(x->labels), attn_free(x->mask);
    st_close(x->f);
    attn_model_free(x->m);
}

static void check_hidden(fixture *x, const char *what) {
    int64_t n = x->B * x->T * x->C;
    float *got = attn_malloc((size_t)n * sizeof *got), *want = read_floats(x->f, "hidden", NULL);
    CHECK_OK(attn_encoder_hidden(x->m, x->ids, x->types, x->mask, x->B, x->T, got));
    if (want) CHECK(close_rel(what, got, want, n, 1e-4));
    attn_free(got), attn_free(want);
}

static void check_mlm_logits(fixture *x, const char *what) {
    int64_t n = x->B * x->T * x->V;
    float *got = attn_malloc((size_t)n * sizeof *got), *want = read_floats(x->f, "mlm_logits", NULL);
    CHECK_OK(attn_encoder_mlm_logits(x->m, x->ids, x->types, x->mask, x->B, x->T, got));
    if (want) CHECK(close_rel(what, got, want, n, 1e-4));
    attn_free(got), attn_free(want);
}

/* The MLM loss through model_loss (the trainer's entry) and every gradient. */
static void check_grads(fixture *x, const kernels *k) {
    attn_model *m = x->m;
    CHECK_OK(model_enable_grads(m));
    model_zero_grads(m);
    graph g;
    graph_init(&g, k);
    graph_reset(&g, true, false, 0);
    tensor *loss = model_loss(m, &g, x->ids, x->labels, x->B, x->T);
    CHECK(loss != NULL);
    if (loss) {
        float want_loss = 0;
        const st_tensor *t = st_find(x->f, "loss");
        if (t) CHECK_OK(st_read_f32(t, &want_loss, 1));
        CHECK_NEAR(loss->data[0], want_loss, 1e-4 * fmax(1.0, fabs((double)want_loss)));
        CHECK_OK(graph_backward(&g, loss));
        check_param_grads(m, x->f, 1e-3, g.k->name);
    }
    graph_free(&g);
}

TEST("BertForMaskedLM: hidden states and MLM logits match transformers (padded batch, token types)") {
    fixture x;
    if (fixture_open(&x, REF "bert_tiny")) {
        attn_bert_config cfg;
        attn_model_encoder_config(x.m, &cfg);
        CHECK(cfg.mlm_head && !cfg.pooler && !cfg.roberta && cfg.num_labels == 0);
        CHECK(!strncmp(x.m->params[0].name, "bert.", 5));
        check_hidden(&x, "bert hidden");
        check_mlm_logits(&x, "bert mlm logits");
    }
    fixture_close(&x);
}

TEST("BertForMaskedLM: MLM loss and every gradient match transformers (ref and cpu kernels)") {
    fixture x;
    if (fixture_open(&x, REF "bert_tiny")) {
        check_grads(&x, &kernels_ref);
        check_grads(&x, NULL);
    }
    fixture_close(&x);
}

TEST("BertModel (unprefixed names): hidden states and pooler output match transformers") {
    fixture x;
    if (fixture_open(&x, REF "bert_tiny_base")) {
        attn_bert_config cfg;
        attn_model_encoder_config(x.m, &cfg);
        CHECK(cfg.pooler && !cfg.mlm_head);
        CHECK(!strcmp(x.m->params[0].name, "embeddings.word_embeddings.weight"));
        check_hidden(&x, "base hidden");
        float *got = attn_malloc((size_t)(x.B * x.C) * sizeof *got), *want = read_floats(x.f, "pooled", NULL);
        CHECK_OK(attn_encoder_pooled(x.m, x.ids, x.types, x.mask, x.B, x.T, got));
        if (want) CHECK(close_rel("pooled", got, want, x.B * x.C, 1e-4));
        float *logits = attn_malloc((size_t)(x.B * x.T * x.V) * sizeof *logits);
        CHECK_STATUS(attn_encoder_mlm_logits(x.m, x.ids, x.types, x.mask, x.B, x.T, logits), ATTN_ERR_UNSUPPORTED);
        attn_free(got), attn_free(want), attn_free(logits);
    }
    fixture_close(&x);
}

TEST("RobertaForMaskedLM: positions from pad + 1, hidden states, logits, loss and gradients") {
    fixture x;
    if (fixture_open(&x, REF "roberta_tiny")) {
        attn_bert_config cfg;
        attn_model_encoder_config(x.m, &cfg);
        CHECK(cfg.roberta && cfg.mlm_head && cfg.pad_token_id == 1 && cfg.type_vocab_size == 1);
        /* 11 positions hold 9 tokens after the pad offset */
        CHECK(attn_encoder_max_length(x.m) == 9);
        check_hidden(&x, "roberta hidden");
        check_mlm_logits(&x, "roberta mlm logits");
        check_grads(&x, &kernels_ref);
        check_grads(&x, NULL);
    }
    fixture_close(&x);
}

TEST("padding changes nothing: a row alone equals the same row in a padded batch") {
    fixture x;
    if (fixture_open(&x, REF "bert_tiny")) {
        int64_t T = x.T, C = x.C, real = 0;
        for (int64_t t = 0; t < T; t++) real += x.mask[T + t];
        float *batch = attn_malloc((size_t)(2 * T * C) * sizeof(float)), *alone = attn_malloc((size_t)(real * C) * sizeof(float));
        CHECK_OK(attn_encoder_hidden(x.m, x.ids, x.types, x.mask, 2, T, batch));
        CHECK_OK(attn_encoder_hidden(x.m, x.ids + T, x.types + T, NULL, 1, real, alone));
        CHECK(close_rel("row 1 alone", batch + T * C, alone, real * C, 1e-5));
        float e[2 * 32], e1[32];
        CHECK(C == 32);
        CHECK_OK(attn_encoder_embed(x.m, x.ids, x.types, x.mask, 2, T, true, e));
        CHECK_OK(attn_encoder_embed(x.m, x.ids + T, x.types + T, NULL, 1, real, true, e1));
        CHECK(close_rel("embedding alone", e + C, e1, C, 1e-5));
        double ss = 0, mean0 = 0;
        for (int64_t c = 0; c < C; c++) ss += (double)e[c] * (double)e[c];
        CHECK_NEAR(ss, 1.0, 1e-5);
        /* unnormalised: the mean over the real tokens */
        float raw[2 * 32];
        CHECK_OK(attn_encoder_embed(x.m, x.ids, x.types, x.mask, 2, T, false, raw));
        for (int64_t t = 0; t < T; t++) mean0 += (double)batch[t * C + 3] / (double)T;
        CHECK_NEAR(raw[3], mean0, 1e-5);
        attn_free(batch), attn_free(alone);
    }
    fixture_close(&x);
}

/* The fixture's rows without their padding, back to back in the order
 * rows[0..n): ids, types and lengths (the real tokens are each row's prefix). */
static int64_t pack_rows(const fixture *x, const int64_t *rows, int64_t n, int32_t *ids, int32_t *types, int64_t *lengths) {
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t b = rows[i], len = 0;
        for (int64_t t = 0; t < x->T; t++) len += x->mask[b * x->T + t] != 0;
        for (int64_t t = 0; t < len; t++) {
            CHECK(x->mask[b * x->T + t]);
            ids[at + t] = x->ids[b * x->T + t];
            types[at + t] = x->types ? x->types[b * x->T + t] : 0;
        }
        lengths[i] = len;
        at += len;
    }
    return at;
}

/* Packed embeddings (no padding, attention per sequence) against the padded
 * batch's: rows in order, reversed, and one row alone, normalised or not. */
static void check_packed(fixture *x, const char *what) {
    int64_t B = x->B, T = x->T, C = x->C;
    CHECK(B >= 2);
    int64_t n = B + 1, *rows = attn_malloc((size_t)n * sizeof *rows), *lengths = attn_malloc((size_t)n * sizeof *lengths);
    int32_t *ids = attn_malloc((size_t)(n * T) * sizeof *ids), *types = attn_malloc((size_t)(n * T) * sizeof *types);
    float *padded = attn_malloc((size_t)(B * C) * sizeof(float)), *packed = attn_malloc((size_t)(n * C) * sizeof(float));
    char name[96];
    for (int norm = 0; norm < 2; norm++) {
        CHECK_OK(attn_encoder_embed(x->m, x->ids, x->types, x->mask, B, T, norm, padded));
        /* the rows reversed, then the last row again */
        for (int64_t i = 0; i < B; i++) rows[i] = B - 1 - i;
        rows[B] = B - 1;
        pack_rows(x, rows, n, ids, types, lengths);
        CHECK_OK(attn_encoder_embed_packed(x->m, ids, x->types ? types : NULL, lengths, n, norm, packed));
        for (int64_t i = 0; i < n; i++) {
            snprintf(name, sizeof name, "%s: packed row %lld (normalize %d)", what, (long long)rows[i], norm);
            CHECK(close_rel(name, packed + i * C, padded + rows[i] * C, C, 1e-5));
        }
        /* one sequence alone: the same as in the mixed-length batch */
        float *alone = attn_malloc((size_t)C * sizeof(float));
        pack_rows(x, rows + B, 1, ids, types, lengths);
        CHECK_OK(attn_encoder_embed_packed(x->m, ids, x->types ? types : NULL, lengths, 1, norm, alone));
        snprintf(name, sizeof name, "%s: a row alone vs in the batch", what);
        CHECK(close_rel(name, alone, packed + B * C, C, 1e-6));
        attn_free(alone);
    }
    attn_free(rows), attn_free(lengths), attn_free(ids), attn_free(types), attn_free(padded), attn_free(packed);
}

TEST("packed embeddings (no padding) equal the padded batch's: BERT, RoBERTa positions, pre-LN attn_bert, bf16, bad inputs") {
    const char *dirs[] = {REF "bert_tiny", REF "roberta_tiny", REF "bert_tiny_base", REF "attn_bert_tiny"};
    for (int d = 0; d < 4; d++) {
        fixture x;
        if (fixture_open(&x, dirs[d])) check_packed(&x, dirs[d]);
        fixture_close(&x);
    }
    fixture x;
    if (fixture_open(&x, REF "bert_tiny")) {
        /* bf16 weights: both paths run the bf16 products */
        CHECK_OK(attn_model_set_precision(x.m, ATTN_PRECISION_BF16));
        int64_t B = x.B, T = x.T, C = x.C, lengths[8], rows[8];
        int32_t ids[8 * 64], types[8 * 64];
        CHECK(B <= 8 && T <= 64);
        float padded[8 * 32], packed[8 * 32];
        CHECK(C <= 32);
        for (int64_t i = 0; i < B; i++) rows[i] = i;
        int64_t N = pack_rows(&x, rows, B, ids, types, lengths);
        CHECK_OK(attn_encoder_embed(x.m, x.ids, x.types, x.mask, B, T, true, padded));
        CHECK_OK(attn_encoder_embed_packed(x.m, ids, types, lengths, B, true, packed));
        CHECK(close_rel("bf16 packed", packed, padded, B * C, 1e-5));
        CHECK_OK(attn_model_set_precision(x.m, ATTN_PRECISION_F32));
        /* bad inputs: an empty sequence, one longer than the positions, an id and a type out of range */
        int64_t bad_len[2] = {lengths[0], 0};
        CHECK_STATUS(attn_encoder_embed_packed(x.m, ids, types, bad_len, 2, true, packed), ATTN_ERR_INVALID_ARG);
        int64_t long_len = 100000;
        CHECK_STATUS(attn_encoder_embed_packed(x.m, ids, types, &long_len, 1, true, packed), ATTN_ERR_INVALID_ARG);
        int32_t keep = ids[N - 1];
        ids[N - 1] = (int32_t)x.V;
        CHECK_STATUS(attn_encoder_embed_packed(x.m, ids, types, lengths, B, true, packed), ATTN_ERR_INVALID_ARG);
        ids[N - 1] = keep;
        types[0] = 99;
        CHECK_STATUS(attn_encoder_embed_packed(x.m, ids, types, lengths, B, true, packed), ATTN_ERR_INVALID_ARG);
        CHECK_STATUS(attn_encoder_embed_packed(x.m, ids, types, lengths, 0, true, packed), ATTN_ERR_INVALID_ARG);
    }
    fixture_close(&x);
}

TEST("a fresh encoder: init, sizes, masked-LM training step lowers the loss") {
    attn_bert_config cfg = attn_bert_default_config();
    cfg.n_layer = 2, cfg.n_head = 2, cfg.hidden_size = 16, cfg.intermediate_size = 24, cfg.max_positions = 12;
    cfg.vocab_size = 23, cfg.mlm_head = true, cfg.pooler = true, cfg.dropout = 0.0f;
    attn_model *m = NULL;
    CHECK_OK(attn_bert_new(&cfg, 7, &m));
    if (!m) return;
    int64_t want = 23 * 16 + 12 * 16 + 2 * 16 + 2 * 16 + 2 * (3 * 16 * 16 + 3 * 16 + 16 * 16 + 16 + 2 * 16 + 24 * 16 + 24 + 16 * 24 + 16 + 2 * 16) +
                   16 * 16 + 16 + 16 * 16 + 16 + 2 * 16 + 23;
    CHECK(attn_model_num_params(m) == want);
    CHECK(m->bert != NULL && m->kind == MODEL_BERT);
    int32_t ids[2 * 6] = {2, 5, 9, 4, 0, 0, 3, 7, 7, 8, 11, 1}, tgt[12];
    for (int i = 0; i < 12; i++) tgt[i] = (i % 3 == 1 && ids[i]) ? ids[i] : -1;
    CHECK_OK(model_enable_grads(m));
    graph g;
    graph_init(&g, NULL);
    float first = 0, last = 0;
    for (int step = 0; step < 20; step++) {
        model_zero_grads(m);
        graph_reset(&g, true, true, 1);
        tensor *loss = model_loss(m, &g, ids, tgt, 2, 6);
        CHECK(loss != NULL);
        if (!loss) break;
        if (step == 0) first = loss->data[0];
        last = loss->data[0];
        CHECK_OK(graph_backward(&g, loss));
        for (int64_t i = 0; i < m->n_weights; i++) m->weights[i] -= 0.5f * m->grads[i];
    }
    CHECK(last < 0.5f * first);
    /* an encoder cannot decode */
    float logits[23];
    CHECK_STATUS(attn_model_logits(m, ids, 1, 1, logits), ATTN_ERR_UNSUPPORTED);
    graph_free(&g);
    attn_model_free(m);
}

TEST("bad inputs: too long for the position table, token types and ids out of range") {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(REF "bert_tiny", &m));
    if (!m) return;
    enum { T = 21 };
    int32_t ids[T], types[T];
    for (int i = 0; i < T; i++) ids[i] = 5, types[i] = 0;
    float *out = attn_malloc(T * 71 * sizeof(float));
    CHECK_STATUS(attn_encoder_hidden(m, ids, NULL, NULL, 1, T, out), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "position") != NULL);
    CHECK_OK(attn_encoder_hidden(m, ids, NULL, NULL, 1, 20, out));
    types[2] = 2;
    CHECK_STATUS(attn_encoder_hidden(m, ids, types, NULL, 1, 4, out), ATTN_ERR_INVALID_ARG);
    ids[1] = 71;
    CHECK_STATUS(attn_encoder_hidden(m, ids, NULL, NULL, 1, 4, out), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_encoder_pooled(m, ids, NULL, NULL, 1, 4, out), ATTN_ERR_UNSUPPORTED);
    attn_free(out);
    attn_model_free(m);
}

TEST("save and load back: each fixture (BERT, unprefixed BertModel, RoBERTa, attn_bert) round-trips bit for bit") {
    static const char *const names[] = {REF "bert_tiny", REF "bert_tiny_base", REF "roberta_tiny", REF "attn_bert_tiny"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char dir[] = "/tmp/attn_bert_saveXXXXXX";
        CHECK(mkdtemp(dir) != NULL);
        attn_model *a = NULL, *b = NULL;
        CHECK_OK(attn_model_load(names[k], &a));
        if (!a) continue;
        CHECK_OK(attn_model_save(a, dir));
        CHECK_OK(attn_model_load(dir, &b));
        if (b) {
            attn_bert_config ca, cb;
            CHECK(attn_model_encoder_config(a, &ca) && attn_model_encoder_config(b, &cb));
            CHECK(ca.roberta == cb.roberta && ca.pooler == cb.pooler && ca.mlm_head == cb.mlm_head &&
                  ca.n_layer == cb.n_layer && ca.vocab_size == cb.vocab_size && ca.pad_token_id == cb.pad_token_id &&
                  ca.activation == cb.activation && ca.layer_norm_eps == cb.layer_norm_eps && ca.pre_ln == cb.pre_ln &&
                  ca.no_bias == cb.no_bias);
            CHECK(a->n_weights == b->n_weights && !memcmp(a->weights, b->weights, (size_t)a->n_weights * sizeof(float)));
            for (int i = 0; i < a->n_params_tensors && i < b->n_params_tensors; i++) CHECK(!strcmp(a->params[i].name, b->params[i].name));
        }
        attn_model_free(a);
        attn_model_free(b);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        CHECK(system(cmd) == 0);
    }
}

/* ---- attn_bert: pre-LN blocks, no linear biases (Cramming) ----------------- */

TEST("attn_bert (pre-LN, no linear biases, GEGLU): hidden states, MLM logits, loss and every gradient match the PyTorch reference") {
    fixture x;
    if (fixture_open(&x, REF "attn_bert_tiny")) {
        attn_bert_config cfg;
        attn_model_encoder_config(x.m, &cfg);
        CHECK(cfg.pre_ln && cfg.no_bias && cfg.activation == ATTN_BERT_GEGLU && cfg.mlm_head && !cfg.roberta);
        CHECK(x.m->arch && !strcmp(x.m->arch->model_type, "attn_bert"));
        for (int i = 0; i < x.m->n_params_tensors; i++) /* the only biases are the LayerNorms' */
            if (strstr(x.m->params[i].name, ".bias")) CHECK(strstr(x.m->params[i].name, "LayerNorm") || strstr(x.m->params[i].name, "layer_norm"));
        check_hidden(&x, "attn_bert hidden");
        check_mlm_logits(&x, "attn_bert mlm logits");
        check_grads(&x, &kernels_ref);
        check_grads(&x, NULL);
    }
    fixture_close(&x);
}

static attn_model *tiny_mlm(bool pre_ln, bool no_bias, bool geglu, bool nsp, bool esm) {
    attn_bert_config cfg = attn_bert_default_config();
    cfg.n_layer = 2, cfg.n_head = 2, cfg.hidden_size = 16, cfg.intermediate_size = 24, cfg.max_positions = 12;
    cfg.vocab_size = 23, cfg.mlm_head = true, cfg.pooler = cfg.nsp_head = nsp, cfg.dropout = 0.0f;
    cfg.pre_ln = pre_ln, cfg.no_bias = no_bias;
    if (geglu) cfg.activation = ATTN_BERT_GEGLU;
    attn_model *m = NULL;
    if (esm) {
        cfg.layer_norm_eps = 1e-5f;
        CHECK_OK(attn_esm_new(&cfg, 11, &m));
    } else {
        CHECK_OK(attn_bert_new(&cfg, 11, &m));
    }
    return m;
}

/* One batch's loss (2 rows of 6, one padded; every third real token a
 * target; next-sentence labels for a model with that head) through
 * model_batch_loss, every gradient copied into grads. */
static float batch_loss_grads(attn_model *m, bool sparse, float *grads) {
    static const int32_t ids[12] = {2, 5, 9, 4, 0, 0, 3, 7, 7, 8, 11, 1}, nsp[2] = {1, 0};
    int32_t tgt[12];
    for (int i = 0; i < 12; i++) tgt[i] = (i % 3 == 1 && ids[i]) ? (ids[i] + 3) % 23 : -1;
    model_batch b = {.B = 2, .T = 6, .inputs = ids, .targets = tgt, .sparse_mlm = sparse};
    attn_bert_config cfg;
    if (attn_model_encoder_config(m, &cfg) && cfg.nsp_head) b.labels = nsp;
    CHECK_OK(model_enable_grads(m));
    model_zero_grads(m);
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, true, false, 0);
    tensor *loss = model_batch_loss(m, &g, &b);
    float v = NAN;
    CHECK(loss != NULL);
    if (loss) {
        v = loss->data[0];
        CHECK_OK(graph_backward(&g, loss));
        memcpy(grads, m->grads, (size_t)m->n_weights * sizeof(float));
    }
    graph_free(&g);
    return v;
}

TEST("sparse masked-LM prediction (the head on the masked rows only): the dense loss and gradients (BERT, NSP, attn_bert with GEGLU, ESM)") {
    for (int k = 0; k < 4; k++) {
        attn_model *m = tiny_mlm(k == 2, k == 2, k == 2, k == 1, k == 3);
        if (!m) continue;
        float *dense = attn_malloc((size_t)m->n_weights * sizeof(float)), *sparse = attn_malloc((size_t)m->n_weights * sizeof(float));
        float a = batch_loss_grads(m, false, dense), b = batch_loss_grads(m, true, sparse);
        CHECK_NEAR(b, a, 1e-6 * fabs((double)a));
        double worst = 0, scale = 0;
        for (int64_t i = 0; i < m->n_weights; i++) {
            worst = fmax(worst, fabs((double)dense[i] - (double)sparse[i]));
            scale = fmax(scale, fabs((double)dense[i]));
        }
        CHECK(scale > 0);
        if (worst > 1e-5 * scale) fprintf(stderr, "    model %d: gradients differ by %g (largest %g)\n", k, worst, scale);
        CHECK(worst <= 1e-5 * scale);
        if (k == 3) { /* the packed embedding pass runs BERT-family encoders only: ESM is refused as unsupported */
            static const int32_t ids[3] = {2, 5, 9};
            const int64_t len[1] = {3};
            float emb[16];
            CHECK_STATUS(attn_encoder_embed_packed(m, ids, NULL, len, 1, true, emb), ATTN_ERR_UNSUPPORTED);
        }
        attn_free(dense);
        attn_free(sparse);
        attn_model_free(m);
    }
}

TEST("attn_bert: a fresh pre-LN model without biases has no bias tensors but the LayerNorms', trains, attention maps sum to 1") {
    attn_model *m = tiny_mlm(true, true, false, false, false), *plain = tiny_mlm(false, false, false, false, false);
    if (m && plain) {
        /* plain BERT minus q/k/v/out/fc/fc2 biases per layer and the head's dense and decoder biases, plus a final LayerNorm */
        int64_t C = 16, F = 24, V = 23;
        CHECK(attn_model_num_params(m) == attn_model_num_params(plain) - 2 * (3 * C + C + F + C) - C - V + 2 * C);
        static const int32_t ids[6] = {2, 5, 9, 4, 7, 1};
        float maps[2 * 2 * 6 * 6];
        CHECK_OK(attn_encoder_attention_maps(m, ids, NULL, 6, maps));
        for (int r = 0; r < 2 * 2 * 6; r++) {
            double sum = 0;
            for (int j = 0; j < 6; j++) sum += (double)maps[r * 6 + j];
            CHECK_NEAR(sum, 1.0, 1e-5);
        }
        /* a RoBERTa cannot be one */
        attn_bert_config cfg;
        attn_model_encoder_config(m, &cfg);
        cfg.roberta = true, cfg.pad_token_id = 1;
        attn_model *r = NULL;
        CHECK_STATUS(attn_bert_new(&cfg, 1, &r), ATTN_ERR_UNSUPPORTED);
        CHECK(r == NULL && strstr(attn_last_error(), "attn_bert"));
    }
    attn_model_free(m);
    attn_model_free(plain);
}

/* ---- bad directories ------------------------------------------------------ */

static void copy_file(const char *from, const char *to) {
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    CHECK(a && b);
    char buf[1 << 14];
    size_t n;
    while (a && b && (n = fread(buf, 1, sizeof buf, a)) > 0) fwrite(buf, 1, n, b);
    if (a) fclose(a);
    if (b) fclose(b);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) fputs(text, f), fclose(f);
}

static void expect_error(const char *dir, attn_status want, const char *keyword) {
    attn_model *m = NULL;
    attn_status st = attn_model_load(dir, &m);
    CHECK(st == want && m == NULL);
    if (!strstr(attn_last_error(), keyword)) {
        fprintf(stderr, "    error \"%s\" lacks \"%s\"\n", attn_last_error(), keyword);
        CHECK(false);
    }
    attn_model_free(m);
}

/* config.json of attn_bert_tiny with `from` replaced by `to` */
static void write_variant_config(const char *path, const char *from, const char *to) {
    FILE *f = fopen(REF "attn_bert_tiny/config.json", "rb");
    char text[4096], out[4200];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = 0;
    char *at = strstr(text, from);
    CHECK(at != NULL);
    if (!at) return;
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    write_text(path, out);
}

TEST("attn_bert directories: its keys under model_type bert, a key that is not a boolean, configs that disown the final norm, the biases or GEGLU") {
    char dir[] = "/tmp/attn_bertv_XXXXXX", cfg[96], w[96];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    snprintf(w, sizeof w, "%s/model.safetensors", dir);
    copy_file(REF "attn_bert_tiny/model.safetensors", w);
    write_variant_config(cfg, "\"model_type\": \"attn_bert\"", "\"model_type\": \"bert\"");
    expect_error(dir, ATTN_ERR_UNSUPPORTED, "attn_bert");
    write_variant_config(cfg, "\"pre_layer_norm\": true", "\"pre_layer_norm\": \"yes\"");
    expect_error(dir, ATTN_ERR_FORMAT, "pre_layer_norm");
    write_variant_config(cfg, "\"pre_layer_norm\": true", "\"pre_layer_norm\": false");
    expect_error(dir, ATTN_ERR_FORMAT, "final_layer_norm");
    write_variant_config(cfg, "\"linear_bias\": false", "\"linear_bias\": true");
    expect_error(dir, ATTN_ERR_FORMAT, "bias");
    write_variant_config(cfg, "\"hidden_act\": \"geglu\"", "\"hidden_act\": \"gelu\""); /* output.dense is F / 2 wide */
    expect_error(dir, ATTN_ERR_FORMAT, "output.dense");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

TEST("bad encoder directories: unsupported activation and position type, wrong shapes, a GPT-2 file") {
    char dir[] = "/tmp/attn_bert_XXXXXX", cfg[96], w[96];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    snprintf(w, sizeof w, "%s/model.safetensors", dir);
    copy_file(REF "bert_tiny/model.safetensors", w);
#define BASE_CONFIG                                                                                     \
    "{\"model_type\": \"bert\", \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"hidden_size\": 32, " \
    "\"intermediate_size\": 48, \"max_position_embeddings\": 20, \"vocab_size\": 71, \"type_vocab_size\": 2, "  \
    "\"layer_norm_eps\": 1e-12%s}"
    char text[1024];
    snprintf(text, sizeof text, BASE_CONFIG, "");
    write_text(cfg, text);
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(dir, &m));
    attn_model_free(m);
    snprintf(text, sizeof text, BASE_CONFIG, ", \"hidden_act\": \"swish\"");
    write_text(cfg, text);
    expect_error(dir, ATTN_ERR_UNSUPPORTED, "swish");
    snprintf(text, sizeof text, BASE_CONFIG, ", \"position_embedding_type\": \"relative_key\"");
    write_text(cfg, text);
    expect_error(dir, ATTN_ERR_UNSUPPORTED, "relative_key");
    write_text(cfg, "{\"model_type\": \"bert\", \"num_hidden_layers\": 3, \"num_attention_heads\": 4, "
                    "\"hidden_size\": 32, \"intermediate_size\": 48, \"max_position_embeddings\": 20, "
                    "\"vocab_size\": 71, \"type_vocab_size\": 2}");
    expect_error(dir, ATTN_ERR_FORMAT, "missing tensor");
    write_text(cfg, "{\"model_type\": \"bert\", \"num_hidden_layers\": 2, \"num_attention_heads\": 4, "
                    "\"hidden_size\": 32, \"intermediate_size\": 48, \"max_position_embeddings\": 24, "
                    "\"vocab_size\": 71, \"type_vocab_size\": 2}");
    expect_error(dir, ATTN_ERR_FORMAT, "shape");
    write_text(cfg, "{\"model_type\": \"bert\", \"num_hidden_layers\": 1, \"num_attention_heads\": 4, "
                    "\"hidden_size\": 32, \"intermediate_size\": 48, \"max_position_embeddings\": 20, "
                    "\"vocab_size\": 71, \"type_vocab_size\": 2}");
    expect_error(dir, ATTN_ERR_FORMAT, "unexpected tensor");
    write_text(cfg, "{\"model_type\": \"bert\", \"num_attention_heads\": 4}");
    expect_error(dir, ATTN_ERR_FORMAT, "num_hidden_layers");
    snprintf(text, sizeof text, BASE_CONFIG, "");
    write_text(cfg, text);
    copy_file(REF "gpt2_tiny/model.safetensors", w);
    expect_error(dir, ATTN_ERR_FORMAT, "tensor");
    unlink(cfg);
    unlink(w);
    rmdir(dir);
}

/* Every weight 3e38 (finite, so the checkpoint loads): hidden states and
 * sentence embeddings overflow. They were returned as NaN (`attn embed`
 * printed -nan, invalid JSON, with status 0); now the encoder calls fail
 * naming the first op whose output is not finite. */
TEST("encoder with weights of 3e38: hidden states and embeddings fail naming the first non-finite output") {
    attn_model *m = NULL, *m2 = NULL;
    CHECK_OK(attn_model_load(REF "bert_tiny", &m));
    if (!m) return;
    for (int64_t i = 0; i < m->n_weights; i++) m->weights[i] = 3e38f;
    char dir[] = "/tmp/attn_test_bert_huge_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(attn_model_save(m, dir));
    CHECK_OK(attn_model_load(dir, &m2));
    if (m2) {
        int32_t ids[5] = {2, 7, 9, 11, 3};
        float hidden[5 * 32], emb[32];
        CHECK_STATUS(attn_encoder_hidden(m2, ids, NULL, NULL, 1, 5, hidden), ATTN_ERR_FORMAT);
        const char *e = attn_last_error();
        if (!strstr(e, "non-finite") || !strstr(e, "weights may be corrupt")) fprintf(stderr, "    message: %s\n", e);
        CHECK(strstr(e, "non-finite") && strstr(e, "weights may be corrupt"));
        CHECK_STATUS(attn_encoder_embed(m2, ids, NULL, NULL, 1, 5, true, emb), ATTN_ERR_FORMAT);
        CHECK(strstr(attn_last_error(), "non-finite") != NULL);
    }
    /* layer 1 alone huge: named */
    attn_model_free(m);
    m = NULL;
    CHECK_OK(attn_model_load(REF "bert_tiny", &m));
    if (m) {
        for (int k = 0; k < m->n_params_tensors; k++)
            if (m->params[k].layer == 1)
                for (int64_t i = 0; i < m->params[k].numel; i++) m->weights[m->params[k].offset + i] = 3e38f;
        int32_t ids[5] = {2, 7, 9, 11, 3};
        float emb[32];
        CHECK_STATUS(attn_encoder_embed(m, ids, NULL, NULL, 1, 5, false, emb), ATTN_ERR_FORMAT);
        const char *e = attn_last_error();
        if (!strstr(e, "layer 1,")) fprintf(stderr, "    message: %s\n", e);
        CHECK(strstr(e, "layer 1,") != NULL && strstr(e, "encoder.layer.1.") != NULL);
    }
    attn_model_free(m2);
    attn_model_free(m);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* BERT's loader checks the checkpoint's shapes before allocating too. */
TEST("an encoder config claiming 100 layers x 1024 over a small checkpoint fails before allocating the weights") {
    char dir[] = "/tmp/attn_test_bert_big_XXXXXX", cmd[256], path[128];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(cmd, sizeof cmd, "cp '%sbert_tiny/model.safetensors' '%s/'", REF, dir);
    CHECK(system(cmd) == 0);
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp) return;
    fputs("{\"model_type\": \"bert\", \"num_hidden_layers\": 100, \"hidden_size\": 1024, \"num_attention_heads\": 16,"
          " \"intermediate_size\": 4096, \"max_position_embeddings\": 20, \"vocab_size\": 71, \"type_vocab_size\": 2}",
          fp);
    fclose(fp);
    attn_model *m = NULL;
    test_largest_alloc = 0;
    attn_set_allocator(test_largest_realloc, NULL);
    attn_status st = attn_model_load(dir, &m);
    attn_set_allocator(NULL, NULL);
    CHECK_STATUS(st, ATTN_ERR_FORMAT);
    CHECK(m == NULL);
    const char *e = attn_last_error();
    if (!strstr(e, "has shape")) fprintf(stderr, "    message: %s\n", e);
    CHECK(strstr(e, "model.safetensors") && strstr(e, "has shape") && strstr(e, "config.json implies"));
    if (test_largest_alloc >= (1u << 20)) fprintf(stderr, "    largest allocation: %zu bytes\n", test_largest_alloc);
    CHECK(test_largest_alloc < (1u << 20));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* Config numbers out of range are errors naming the file and the key:
 * sentence_bert_config.json's max_seq_length (2.5, 0, -1 and "x" were
 * used or silently ignored) and config.json's layer_norm_eps (1e300, which
 * is infinite as a float, 0 and negative values were accepted). */
static void write_cfg(const char *dir, const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp) return;
    fputs(text, fp);
    fclose(fp);
}

static void expect_config_error(const char *dir, const char *file, const char *key) {
    attn_model *m = NULL;
    CHECK_STATUS(attn_model_load(dir, &m), ATTN_ERR_FORMAT);
    CHECK(m == NULL);
    attn_model_free(m);
    const char *e = attn_last_error();
    char want[64];
    snprintf(want, sizeof want, "\"%s\" must be", key);
    bool ok = strstr(e, file) && strstr(e, want);
    if (!ok) fprintf(stderr, "    message: %s\n", e);
    CHECK(ok);
}

TEST("config numbers out of range: max_seq_length 2.5 / 0 / -1 / \"x\", layer_norm_eps 1e300 / 0 / -1e-12") {
    char dir[] = "/tmp/attn_test_bert_cfg_XXXXXX", cmd[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(cmd, sizeof cmd, "cp '%sbert_tiny/model.safetensors' '%sbert_tiny/config.json' '%s/'", REF, REF, dir);
    CHECK(system(cmd) == 0);
    const char *bad_len[] = {"2.5", "0", "-1", "\"x\"", "1e300"};
    for (size_t i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "{\"max_seq_length\": %s, \"do_lower_case\": false}", bad_len[i]);
        write_cfg(dir, "sentence_bert_config.json", text);
        expect_config_error(dir, "sentence_bert_config.json", "max_seq_length");
    }
    write_cfg(dir, "sentence_bert_config.json", "{\"max_seq_length\": 12, \"do_lower_case\": false}");
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(dir, &m));
    attn_model_free(m);
    const char *bad_eps[] = {"1e300", "0", "-1e-12", "\"small\"", "2"};
    for (size_t i = 0; i < sizeof bad_eps / sizeof bad_eps[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"model_type\": \"bert\", \"num_hidden_layers\": 2, \"hidden_size\": 32, \"num_attention_heads\": 4,"
                 " \"intermediate_size\": 48, \"max_position_embeddings\": 20, \"vocab_size\": 71,"
                 " \"type_vocab_size\": 2, \"layer_norm_eps\": %s}", bad_eps[i]);
        write_cfg(dir, "config.json", text);
        expect_config_error(dir, "config.json", "layer_norm_eps");
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}
