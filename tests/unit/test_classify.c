/* Classifier heads against transformers fixtures (tests/ref/gen_classifier_fixture.py):
 * BertForSequenceClassification (pooler + classifier), RobertaForSequenceClassification
 * (dense + tanh + out_proj on <s>), BertForTokenClassification, BertForPreTraining
 * (masked-LM + next-sentence heads) and GPT2ForSequenceClassification (score on each
 * row's last real token): logits within 1e-4, the loss and every gradient within 1e-3,
 * on a batch with a right-padded row, with the scalar and the fast kernels; label names
 * from id2label; save and load back; bad classifier files. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/encoder.h"

#include <unistd.h>

#define REF "tests/ref/"

typedef struct cfix {
    attn_model *m;
    st_file *f;
    int32_t *ids, *types, *labels;
    uint8_t *mask;
    int64_t B, T;
} cfix;

static bool cfix_open(cfix *x, const char *dir) {
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
    x->ids = read_ints(x->f, "input_ids", NULL);
    if (st_find(x->f, "token_type_ids")) x->types = read_ints(x->f, "token_type_ids", NULL);
    x->labels = read_ints(x->f, st_find(x->f, "labels") ? "labels" : "nsp_labels", NULL);
    int32_t *am = read_ints(x->f, "attention_mask", NULL);
    x->mask = attn_malloc((size_t)(x->B * x->T));
    for (int64_t i = 0; am && i < x->B * x->T; i++) x->mask[i] = (uint8_t)am[i];
    attn_free(am);
    return x->ids && x->labels;
}

static void cfix_close(cfix *x) {
    attn_free(x->ids), attn_free(x->types), attn_free(x->labels), attn_free(x->mask);
    st_close(x->f);
    attn_model_free(x->m);
}

/* The batch's loss through model_batch_loss (the trainer's entry) and every gradient. */
static void check_loss_and_grads(cfix *x, const model_batch *b, const kernels *k) {
    CHECK_OK(model_enable_grads(x->m));
    model_zero_grads(x->m);
    graph g;
    graph_init(&g, k);
    graph_reset(&g, true, false, 0);
    tensor *loss = model_batch_loss(x->m, &g, b);
    CHECK(loss != NULL);
    if (loss) {
        float want = 0;
        const st_tensor *t = st_find(x->f, "loss");
        CHECK(t != NULL);
        if (t) CHECK_OK(st_read_f32(t, &want, 1));
        CHECK_NEAR(loss->data[0], want, 1e-4 * fmax(1.0, fabs((double)want)));
        CHECK_OK(graph_backward(&g, loss));
        check_param_grads(x->m, x->f, 1e-3, g.k->name);
    }
    graph_free(&g);
}

static void check_classifier(const char *dir, bool token_level) {
    cfix x;
    if (!cfix_open(&x, dir)) {
        cfix_close(&x);
        return;
    }
    int64_t L = attn_model_num_labels(x.m);
    CHECK(L >= 2);
    int64_t n = x.B * (token_level ? x.T : 1) * L;
    float *got = attn_malloc((size_t)n * sizeof *got);
    if (attn_model_encoder_config(x.m, NULL)) {
        attn_bert_config c;
        attn_model_encoder_config(x.m, &c);
        CHECK(c.num_labels == L && c.token_classifier == token_level);
        CHECK_OK(attn_encoder_classify(x.m, x.ids, x.types, x.mask, x.B, x.T, got));
    } else {
        graph g;
        graph_init(&g, NULL);
        graph_reset(&g, false, false, 0);
        model_batch b = {.B = x.B, .T = x.T, .inputs = x.ids};
        tensor *lg = model_classify(x.m, &g, &b);
        CHECK(lg != NULL && lg->numel == n);
        if (lg) memcpy(got, lg->data, (size_t)n * sizeof *got);
        graph_free(&g);
    }
    check_tensor(x.f, "logits", got, n, 1e-4);
    attn_free(got);
    model_batch b = {.B = x.B, .T = x.T, .inputs = x.ids, .type_ids = x.types, .labels = x.labels};
    check_loss_and_grads(&x, &b, &kernels_ref);
    check_loss_and_grads(&x, &b, NULL);
    cfix_close(&x);
}

TEST("BertForSequenceClassification: logits, loss and gradients match transformers; label names") {
    check_classifier(REF "bert_cls", false);
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(REF "bert_cls", &m));
    CHECK(attn_model_num_labels(m) == 3);
    CHECK(attn_model_label(m, 0) && !strcmp(attn_model_label(m, 0), "negative"));
    CHECK(attn_model_label(m, 2) && !strcmp(attn_model_label(m, 2), "positive"));
    CHECK(attn_model_label(m, 3) == NULL);
    attn_model_free(m);
}

TEST("RobertaForSequenceClassification: dense + tanh + out_proj on <s>, no pooler") {
    check_classifier(REF "roberta_cls", false);
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(REF "roberta_cls", &m));
    attn_bert_config c;
    CHECK(attn_model_encoder_config(m, &c) && c.roberta && !c.pooler && c.num_labels == 3);
    CHECK(attn_model_label(m, 1) && !strcmp(attn_model_label(m, 1), "LABEL_1"));
    attn_model_free(m);
}

TEST("BertForTokenClassification: per-token logits, loss with padding ignored, gradients") {
    check_classifier(REF "bert_tok", true);
}

TEST("GPT2ForSequenceClassification: score on the last real token, loss and gradients") {
    check_classifier(REF "gpt2_cls", false);
    /* the last real token found from pad_token_id equals the one from an explicit mask */
    cfix x;
    if (cfix_open(&x, REF "gpt2_cls")) {
        int64_t n = x.B * 3;
        float a[64], b[64];
        model_batch b1 = {.B = x.B, .T = x.T, .inputs = x.ids}, b2 = b1;
        b2.mask = x.mask;
        graph g;
        graph_init(&g, NULL);
        graph_reset(&g, false, false, 0);
        tensor *t1 = model_classify(x.m, &g, &b1);
        if (t1) memcpy(a, t1->data, (size_t)n * sizeof(float));
        graph_reset(&g, false, false, 0);
        tensor *t2 = model_classify(x.m, &g, &b2);
        if (t2) memcpy(b, t2->data, (size_t)n * sizeof(float));
        graph_free(&g);
        CHECK(t1 && t2 && n <= 64 && !memcmp(a, b, (size_t)n * sizeof(float)));
    }
    cfix_close(&x);
}

TEST("BertForPreTraining: masked-LM and next-sentence logits, summed loss and gradients") {
    cfix x;
    if (!cfix_open(&x, REF "bert_pretrain")) {
        cfix_close(&x);
        return;
    }
    attn_bert_config c;
    CHECK(attn_model_encoder_config(x.m, &c) && c.nsp_head && c.mlm_head && c.pooler && c.num_labels == 0);
    float nsp[4];
    CHECK_OK(attn_encoder_nsp_logits(x.m, x.ids, x.types, x.mask, x.B, x.T, nsp));
    check_tensor(x.f, "nsp_logits", nsp, x.B * 2, 1e-4);
    int64_t n = x.B * x.T * c.vocab_size;
    float *mlm = attn_malloc((size_t)n * sizeof *mlm);
    CHECK_OK(attn_encoder_mlm_logits(x.m, x.ids, x.types, x.mask, x.B, x.T, mlm));
    check_tensor(x.f, "mlm_logits", mlm, n, 1e-4);
    attn_free(mlm);
    int32_t *targets = read_ints(x.f, "mlm_labels", NULL);
    model_batch b = {.B = x.B, .T = x.T, .inputs = x.ids, .type_ids = x.types, .targets = targets, .labels = x.labels};
    check_loss_and_grads(&x, &b, &kernels_ref);
    check_loss_and_grads(&x, &b, NULL);
    attn_free(targets);
    cfix_close(&x);
}

TEST("save and load back: every classifier fixture round-trips bit for bit, labels and architecture kept") {
    static const char *const dirs[] = {"bert_cls", "roberta_cls", "bert_tok", "bert_pretrain", "gpt2_cls"};
    static const char *const arch[] = {"BertForSequenceClassification", "RobertaForSequenceClassification",
                                       "BertForTokenClassification", "BertForPreTraining", "GPT2ForSequenceClassification"};
    const char *tmp = test_tmpdir();
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
        char src[128], dst[256];
        snprintf(src, sizeof src, REF "%s", dirs[i]);
        snprintf(dst, sizeof dst, "%s/%s", tmp, dirs[i]);
        attn_model *a = NULL, *b = NULL;
        CHECK_OK(attn_model_load(src, &a));
        if (!a) continue;
        CHECK_OK(attn_model_save(a, dst));
        CHECK_OK(attn_model_load(dst, &b));
        if (b) {
            CHECK(a->n_weights == b->n_weights && !memcmp(a->weights, b->weights, (size_t)a->n_weights * sizeof(float)));
            CHECK(attn_model_num_labels(a) == attn_model_num_labels(b));
            for (int64_t l = 0; l < attn_model_num_labels(a); l++)
                CHECK(!strcmp(attn_model_label(a, l), attn_model_label(b, l)));
            char cfg[300], *text = NULL;
            size_t len;
            snprintf(cfg, sizeof cfg, "%s/config.json", dst);
            CHECK_OK(file_read_all(cfg, &text, &len));
            CHECK(text && strstr(text, arch[i]));
            attn_free(text);
        }
        attn_model_free(a);
        attn_model_free(b);
    }
}

TEST("bad classifier files: out_proj in a BERT checkpoint, a 1-D classifier, a label outside the batch") {
    const char *tmp = test_tmpdir();
    char dir[256], path[300];
    snprintf(dir, sizeof dir, "%s/bad_cls", tmp);
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(REF "bert_cls", &m));
    if (!m) return;
    CHECK_OK(attn_model_save(m, dir));
    /* rename classifier.weight -> classifier.out_proj.weight in a BERT (not RoBERTa) checkpoint */
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    int n = m->n_params_tensors;
    st_entry *e = attn_calloc((size_t)n, sizeof *e);
    for (int k = 0; k < n; k++) {
        const param_info *p = &m->params[k];
        e[k] = (st_entry){strcmp(p->name, "classifier.weight") ? p->name : "classifier.out_proj.weight", ST_F32, p->ndim,
                          p->shape, m->weights + p->offset};
    }
    CHECK_OK(st_write(path, e, n, NULL));
    attn_model *bad = NULL;
    CHECK(attn_model_load(dir, &bad) == ATTN_ERR_FORMAT && bad == NULL);
    CHECK(strstr(attn_last_error(), "classifier.out_proj") != NULL);
    /* a classifier.weight of one dimension */
    for (int k = 0; k < n; k++)
        if (!strcmp(m->params[k].name, "classifier.weight")) e[k] = (st_entry){"classifier.weight", ST_F32, 1, m->params[k].shape,
                                                                                m->weights + m->params[k].offset};
    CHECK_OK(st_write(path, e, n, NULL));
    CHECK(attn_model_load(dir, &bad) == ATTN_ERR_FORMAT && bad == NULL);
    attn_free(e);
    /* a label outside [0, num_labels) is refused by the loss, not read out of bounds */
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, false, false, 0);
    int32_t ids[4] = {5, 6, 7, 8}, labels[1] = {3};
    model_batch b = {.B = 1, .T = 4, .inputs = ids, .labels = labels};
    CHECK(model_batch_loss(m, &g, &b) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_free(&g);
    attn_model_free(m);
}
