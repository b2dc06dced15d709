/* RNNsearch and RNNencdec against the PyTorch fixtures of
 * tests/ref/gen_rnn_fixture.py (torch.nn.GRU / GRUCell / Linear): logits,
 * decoder states and attention weights within 1e-4 (relative to the
 * largest magnitude), the loss within 1e-4, every parameter gradient
 * within 1e-3 of its largest magnitude, on both kernel tables; attention
 * rows sum to 1 over the real source tokens and are exactly 0 on padding.
 * Then the step API (encode, step, reorder) against the teacher-forced
 * pass, greedy decoding, save/load round trips and bad inputs. */
#include "test.h"
#include "ref_fixture.h"

#include "attn/rnn.h"
#include "attn/seq2seq.h"
#include "io/safetensors.h"
#include "models/model_impl.h"

#define REF "tests/ref/"

typedef struct fx {
    attn_model *m;
    st_file *f;
    attn_rnn_config cfg;
    int32_t *src, *tgt_in, *tgt_out;
    int64_t B, S, T;
} fx;

static bool fx_open(fx *x, const char *dir) {
    memset(x, 0, sizeof *x);
    char path[256];
    CHECK_OK(attn_model_load(dir, &x->m));
    snprintf(path, sizeof path, "%s/fixture.safetensors", dir);
    CHECK_OK(st_open(path, &x->f));
    if (!x->m || !x->f) return false;
    CHECK(attn_model_rnn_config(x->m, &x->cfg));
    const st_tensor *s = st_find(x->f, "src"), *t = st_find(x->f, "tgt_in");
    CHECK(s && t && s->ndim == 2 && t->ndim == 2);
    if (!s || !t) return false;
    x->B = s->shape[0];
    x->S = s->shape[1];
    x->T = t->shape[1];
    x->src = read_ints(x->f, "src", NULL);
    x->tgt_in = read_ints(x->f, "tgt_in", NULL);
    x->tgt_out = read_ints(x->f, "tgt_out", NULL);
    return x->src && x->tgt_in && x->tgt_out;
}

static void fx_close(fx *x) {
    attn_free(x->src), attn_free(x->tgt_in), attn_free(x->tgt_out);
    st_close(x->f);
    attn_model_free(x->m);
}

/* Attention rows: sum 1 over the row's real source tokens, exactly 0 on
 * padding (or all 0 for a model without attention). */
static void check_attention_rows(const fx *x, const float *attn) {
    for (int64_t b = 0; b < x->B; b++) {
        int64_t len = 0;
        while (len < x->S && x->src[b * x->S + len] != x->cfg.pad_token_id) len++;
        for (int64_t t = 0; t < x->T; t++) {
            const float *row = attn + (b * x->T + t) * x->S;
            double sum = 0;
            for (int64_t j = 0; j < x->S; j++) {
                sum += (double)row[j];
                if (j >= len) CHECK(row[j] == 0.0f);
            }
            CHECK_NEAR(sum, x->cfg.attention ? 1.0 : 0.0, 1e-5);
        }
    }
}

/* Teacher-forced logits, attention, loss and every gradient on table k. */
static void check_model(const char *dir, const kernels *k) {
    fx x;
    if (!fx_open(&x, dir)) {
        fx_close(&x);
        return;
    }
    attn_model *m = x.m;
    int64_t V = x.cfg.tgt_vocab_size, BT = x.B * x.T;
    CHECK_OK(model_enable_grads(m));
    model_zero_grads(m);
    graph g;
    graph_init(&g, k);
    graph_reset(&g, true, false, 0);
    float *attn = attn_malloc((size_t)(BT * x.S) * sizeof(float));
    tensor *logits = rnn_forward(m, &g, x.src, x.S, x.tgt_in, x.B, x.T, attn);
    CHECK(logits != NULL);
    if (logits) {
        float *want = read_floats(x.f, "logits", NULL);
        char what[160];
        snprintf(what, sizeof what, "%s logits [%s]", dir, k->name);
        if (want) CHECK(close_rel(what, logits->data, want, BT * V, 1e-4));
        attn_free(want);
        check_attention_rows(&x, attn);
        if (x.cfg.attention) {
            want = read_floats(x.f, "attn", NULL);
            snprintf(what, sizeof what, "%s attention [%s]", dir, k->name);
            if (want) CHECK(close_rel(what, attn, want, BT * x.S, 1e-4));
            attn_free(want);
        } else {
            CHECK(st_find(x.f, "attn") == NULL);
        }
    }
    graph_reset(&g, true, false, 0);
    tensor *loss = rnn_loss(m, &g, x.src, x.S, x.tgt_in, x.tgt_out, x.B, x.T);
    CHECK(loss != NULL);
    if (loss) {
        float *want_loss = read_floats(x.f, "loss", NULL);
        if (want_loss) CHECK_NEAR(loss->data[0], want_loss[0], 1e-4 * fmax(1.0, fabs((double)want_loss[0])));
        attn_free(want_loss);
        CHECK_OK(graph_backward(&g, loss));
        int n_checked = 0;
        for (int p = 0; p < m->n_params_tensors; p++) {
            char name[128], what[200];
            snprintf(name, sizeof name, "grad.%s", m->params[p].name);
            float *want = read_floats(x.f, name, NULL);
            snprintf(what, sizeof what, "%s %s [%s]", dir, name, k->name);
            if (want) CHECK(close_rel(what, m->grads + m->params[p].offset, want, m->params[p].numel, 1e-3));
            n_checked += want != NULL;
            attn_free(want);
        }
        CHECK(n_checked == m->n_params_tensors);
    }
    attn_free(attn);
    graph_free(&g);
    fx_close(&x);
}

TEST("RNNsearch matches PyTorch: logits, attention weights, loss and every gradient (ref and cpu kernels)") {
    check_model(REF "rnnsearch_tiny", &kernels_ref);
    check_model(REF "rnnsearch_tiny", &kernels_cpu);
}

TEST("RNNencdec (tied output) matches PyTorch: logits, loss and every gradient (ref and cpu kernels)") {
    check_model(REF "rnnencdec_tiny", &kernels_ref);
    check_model(REF "rnnencdec_tiny", &kernels_cpu);
}

/* The step API from the teacher-forced inputs reproduces the fixture's
 * logits step by step (as log-softmax), its attention rows and decoder
 * states; reordering hypotheses moves exactly their rows. */
static void check_steps(const char *dir) {
    fx x;
    if (!fx_open(&x, dir)) {
        fx_close(&x);
        return;
    }
    int64_t B = x.B, S = x.S, T = x.T, V = x.cfg.tgt_vocab_size;
    float *logits = read_floats(x.f, "logits", NULL);
    float *want_attn = x.cfg.attention ? read_floats(x.f, "attn", NULL) : NULL;
    float *lp = attn_malloc((size_t)(B * V) * sizeof(float)), *a = attn_malloc((size_t)(B * S) * sizeof(float));
    float *want_lp = attn_malloc((size_t)(B * V) * sizeof(float)), *want_a = attn_malloc((size_t)(B * S) * sizeof(float));
    int32_t *prev = attn_malloc((size_t)B * sizeof(int32_t));
    attn_rnn_state *st = NULL;
    CHECK_OK(attn_rnn_encode(x.m, x.src, B, S, &st));
    CHECK(attn_rnn_state_count(st) == B && attn_rnn_state_src_len(st) == S);
    for (int64_t t = 0; st && logits && t < T; t++) {
        for (int64_t b = 0; b < B; b++) {
            prev[b] = x.tgt_in[b * T + t];
            const float *l = logits + (b * T + t) * V;
            double mx = -INFINITY, sum = 0;
            for (int64_t v = 0; v < V; v++) mx = fmax(mx, (double)l[v]);
            for (int64_t v = 0; v < V; v++) sum += exp((double)l[v] - mx);
            for (int64_t v = 0; v < V; v++) want_lp[b * V + v] = (float)((double)l[v] - mx - log(sum));
            for (int64_t j = 0; j < S; j++) want_a[b * S + j] = want_attn ? want_attn[(b * T + t) * S + j] : 0.0f;
        }
        CHECK_OK(attn_rnn_step(x.m, st, prev, lp, a));
        char what[128];
        snprintf(what, sizeof what, "%s step %lld log-probs", dir, (long long)t);
        CHECK(close_rel(what, lp, want_lp, B * V, 1e-4));
        snprintf(what, sizeof what, "%s step %lld attention", dir, (long long)t);
        CHECK(close_rel(what, a, want_a, B * S, 1e-4));
    }
    attn_rnn_state_free(st);
    /* reorder: [2, 0, 0, 1] after one step, then a second step */
    st = NULL;
    CHECK_OK(attn_rnn_encode(x.m, x.src, B, S, &st));
    for (int64_t b = 0; b < B; b++) prev[b] = x.cfg.bos_token_id;
    CHECK_OK(attn_rnn_step(x.m, st, prev, lp, a));
    static const int32_t idx[4] = {2, 0, 0, 1};
    CHECK_OK(attn_rnn_reorder(st, idx, 4));
    CHECK(attn_rnn_state_count(st) == 4);
    int32_t prev4[4], bad[1] = {4};
    float lp4[4 * 64], a4[4 * 16];
    CHECK(V <= 64 && S <= 16);
    for (int k = 0; k < 4; k++) prev4[k] = x.tgt_in[idx[k] * T + 1];
    CHECK_OK(attn_rnn_step(x.m, st, prev4, lp4, a4));
    for (int k = 0; k < 4; k++) {
        int64_t b = idx[k];
        const float *l = logits + (b * T + 1) * V;
        double mx = -INFINITY, sum = 0;
        for (int64_t v = 0; v < V; v++) mx = fmax(mx, (double)l[v]);
        for (int64_t v = 0; v < V; v++) sum += exp((double)l[v] - mx);
        for (int64_t v = 0; v < V; v++) CHECK_NEAR(lp4[k * V + v], (double)l[v] - mx - log(sum), 1e-4 * fmax(1, fabs(mx)));
        if (want_attn)
            for (int64_t j = 0; j < S; j++) CHECK_NEAR(a4[k * S + j], want_attn[(b * T + 1) * S + j], 1e-5);
    }
    CHECK_STATUS(attn_rnn_reorder(st, bad, 1), ATTN_ERR_INVALID_ARG);
    int32_t oov[4] = {0, 0, (int32_t)V, 0};
    CHECK_STATUS(attn_rnn_step(x.m, st, oov, lp4, a4), ATTN_ERR_INVALID_ARG);
    attn_rnn_state_free(st);
    attn_free(lp), attn_free(a), attn_free(want_lp), attn_free(want_a), attn_free(prev);
    attn_free(logits), attn_free(want_attn);
    fx_close(&x);
}

TEST("step API: encode + step reproduce the teacher-forced log-probs and attention; reorder moves hypotheses") {
    check_steps(REF "rnnsearch_tiny");
    check_steps(REF "rnnencdec_tiny");
}

TEST("greedy decoding follows the step API's argmax and returns each token's attention row") {
    fx x;
    if (fx_open(&x, REF "rnnsearch_tiny")) {
        int64_t S = x.S, V = x.cfg.tgt_vocab_size, max_len = 7;
        int32_t tokens[7], n = -1;
        int64_t n_out = -1;
        float attn[7 * 16];
        CHECK(S <= 16);
        CHECK_OK(attn_rnn_greedy(x.m, x.src, S, max_len, tokens, &n_out, attn));
        CHECK(n_out >= 0 && n_out <= max_len);
        /* the same loop by hand */
        attn_rnn_state *st = NULL;
        CHECK_OK(attn_rnn_encode(x.m, x.src, 1, S, &st));
        int32_t prev = x.cfg.bos_token_id;
        float lp[64], a[16];
        for (n = 0; st && n < max_len; n++) {
            CHECK_OK(attn_rnn_step(x.m, st, &prev, lp, a));
            int32_t best = 0;
            for (int32_t v = 1; v < V; v++)
                if (lp[v] > lp[best]) best = v;
            if (best == x.cfg.eos_token_id) break;
            CHECK(n < n_out && tokens[n] == best);
            for (int64_t j = 0; j < S && n < n_out; j++) CHECK(attn[n * S + j] == a[j]);
            prev = best;
        }
        CHECK(n == n_out);
        attn_rnn_state_free(st);
        /* a row padded at its end gives the same translation as the row alone */
        int32_t padded[9] = {0};
        int64_t n2 = -1;
        int32_t tokens2[7];
        memcpy(padded, x.src + S, 3 * sizeof(int32_t)); /* row 1 has 3 real tokens */
        CHECK_OK(attn_rnn_greedy(x.m, padded, 9, max_len, tokens2, &n2, NULL));
        int64_t n3 = -1;
        int32_t tokens3[7];
        CHECK_OK(attn_rnn_greedy(x.m, padded, 3, max_len, tokens3, &n3, NULL));
        CHECK(n2 == n3 && !memcmp(tokens2, tokens3, (size_t)n2 * sizeof(int32_t)));
    }
    fx_close(&x);
}

TEST("save and load round-trip bit for bit (RNNsearch, RNNencdec tied); a fresh model saves and loads") {
    const char *dirs[2] = {REF "rnnsearch_tiny", REF "rnnencdec_tiny"};
    for (int d = 0; d < 2; d++) {
        attn_model *a = NULL, *b = NULL;
        CHECK_OK(attn_model_load(dirs[d], &a));
        char out[256];
        snprintf(out, sizeof out, "%s/rt%d", test_tmpdir(), d);
        if (a) CHECK_OK(attn_model_save(a, out));
        CHECK_OK(attn_model_load(out, &b));
        if (a && b) {
            CHECK(a->n_weights == b->n_weights);
            CHECK(!memcmp(a->weights, b->weights, (size_t)a->n_weights * sizeof(float)));
            attn_rnn_config ca, cb;
            CHECK(attn_model_rnn_config(a, &ca) && attn_model_rnn_config(b, &cb));
            CHECK(ca.attention == cb.attention && ca.src_vocab_size == cb.src_vocab_size &&
                  ca.tgt_vocab_size == cb.tgt_vocab_size && ca.embed_size == cb.embed_size &&
                  ca.hidden_size == cb.hidden_size && (!ca.attention || ca.align_size == cb.align_size) &&
                  ca.maxout_size == cb.maxout_size && ca.tie_embeddings == cb.tie_embeddings &&
                  ca.pad_token_id == cb.pad_token_id && ca.bos_token_id == cb.bos_token_id &&
                  ca.eos_token_id == cb.eos_token_id);
        }
        attn_model_free(a);
        attn_model_free(b);
    }
    attn_rnn_config c = attn_rnn_default_config();
    c.src_vocab_size = 40, c.tgt_vocab_size = 30, c.embed_size = 6, c.hidden_size = 5, c.align_size = 4;
    c.maxout_size = 3;
    attn_model *m = NULL, *l = NULL;
    CHECK_OK(attn_rnn_new(&c, 7, &m));
    char out[256];
    snprintf(out, sizeof out, "%s/fresh", test_tmpdir());
    if (m) CHECK_OK(attn_model_save(m, out));
    CHECK_OK(attn_model_load(out, &l));
    if (m && l) CHECK(!memcmp(m->weights, l->weights, (size_t)m->n_weights * sizeof(float)));
    CHECK(!attn_model_rnn_config(NULL, NULL));
    attn_model_free(m);
    attn_model_free(l);
    c.tie_embeddings = true; /* maxout 3 != embed 6 */
    m = NULL;
    CHECK_STATUS(attn_rnn_new(&c, 7, &m), ATTN_ERR_INVALID_ARG);
    CHECK(m == NULL);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) fputs(text, f), fclose(f);
}

TEST("bad inputs: a token after padding, wrong tensor shapes, a missing tensor, a bad config are errors") {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(REF "rnnsearch_tiny", &m));
    if (m) {
        int32_t src[4] = {5, 0, 7, 0};
        attn_rnn_state *st = NULL;
        CHECK_STATUS(attn_rnn_encode(m, src, 1, 4, &st), ATTN_ERR_INVALID_ARG);
        CHECK(st == NULL);
        graph g;
        graph_init(&g, NULL);
        graph_reset(&g, true, false, 0);
        int32_t tin[2] = {1, 4}, tout[2] = {4, 2};
        CHECK(rnn_loss(m, &g, src, 4, tin, tout, 1, 2) == NULL && g.status == ATTN_ERR_INVALID_ARG);
        graph_free(&g);
        float dummy[64];
        int32_t prev = 1;
        CHECK_STATUS(attn_rnn_step(m, NULL, &prev, dummy, NULL), ATTN_ERR_INVALID_ARG);
    }
    attn_model_free(m);
    /* a GPT model is not an RNN */
    attn_gpt_config gc = attn_gpt_default_config();
    gc.n_layer = 1, gc.n_head = 1, gc.n_embd = 8, gc.n_ctx = 8, gc.vocab_size = 11;
    attn_model *gpt = NULL;
    CHECK_OK(attn_model_new(&gc, 1, &gpt));
    int32_t one = 3, toks[2];
    int64_t n = 0;
    if (gpt) CHECK_STATUS(attn_rnn_greedy(gpt, &one, 1, 2, toks, &n, NULL), ATTN_ERR_INVALID_ARG);
    attn_model_free(gpt);

    /* directories with a broken config or weights */
    char dir[256], path[300], cmd[700];
    snprintf(dir, sizeof dir, "%s/bad", test_tmpdir());
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp " REF "rnnsearch_tiny/model.safetensors '%s/'", dir, dir);
    CHECK(system(cmd) == 0);
    snprintf(path, sizeof path, "%s/config.json", dir);
    write_text(path, "{\"model_type\": \"rnnsearch\", \"src_vocab_size\": 23, \"tgt_vocab_size\": 19, \"embed_size\": 8,"
                     " \"hidden_size\": 6, \"align_size\": 7, \"maxout_size\": 4}");
    m = NULL;
    CHECK_STATUS(attn_model_load(dir, &m), ATTN_ERR_FORMAT); /* out.pre has 10 rows, not 8 */
    CHECK(strstr(attn_last_error(), "out.pre.weight") != NULL);
    write_text(path, "{\"model_type\": \"rnnencdec\", \"src_vocab_size\": 23, \"tgt_vocab_size\": 19, \"embed_size\": 8,"
                     " \"hidden_size\": 6, \"maxout_size\": 5}");
    CHECK_STATUS(attn_model_load(dir, &m), ATTN_ERR_FORMAT); /* attention tensors are unexpected */
    CHECK(strstr(attn_last_error(), "unexpected tensor") != NULL);
    write_text(path, "{\"model_type\": \"rnnsearch\", \"src_vocab_size\": 23, \"tgt_vocab_size\": 19, \"embed_size\": 8}");
    CHECK_STATUS(attn_model_load(dir, &m), ATTN_ERR_FORMAT); /* hidden_size missing */
    write_text(path, "{\"model_type\": \"rnnsearch\", \"src_vocab_size\": 23, \"tgt_vocab_size\": 19, \"embed_size\": 8,"
                     " \"hidden_size\": 6, \"align_size\": 7, \"maxout_size\": 5, \"pad_token_id\": 99}");
    CHECK_STATUS(attn_model_load(dir, &m), ATTN_ERR_INVALID_ARG);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    write_text(path, "garbage");
    write_text(dir[0] ? (snprintf(cmd, sizeof cmd, "%s/config.json", dir), cmd) : cmd,
               "{\"model_type\": \"rnnsearch\", \"src_vocab_size\": 23, \"tgt_vocab_size\": 19, \"embed_size\": 8,"
               " \"hidden_size\": 6, \"align_size\": 7, \"maxout_size\": 5}");
    CHECK(attn_model_load(dir, &m) != ATTN_OK);
    CHECK(m == NULL);
}

TEST("recurrent ops reject bad shapes and lengths with an error status, never a crash") {
    graph g;
    graph_init(&g, NULL);
    float buf[256] = {0};
    tensor gi = {.data = buf, .ndim = 3, .shape = {2, 3, 6}, .numel = 36};
    tensor whh = {.data = buf, .ndim = 2, .shape = {6, 2}, .numel = 12};
    tensor bhh = {.data = buf, .ndim = 1, .shape = {6}, .numel = 6};
    static const int32_t too_long[2] = {3, 4}, ok_len[2] = {3, 0};
    graph_reset(&g, false, false, 0);
    CHECK(op_gru(&g, &gi, &whh, &bhh, too_long, false) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_reset(&g, false, false, 0);
    tensor *out = op_gru(&g, &gi, &whh, &bhh, ok_len, true);
    CHECK(out != NULL && g.status == ATTN_OK);
    for (int64_t i = 0; out && i < 6; i++) CHECK(out->data[6 + i] == 0.0f); /* the empty row stays 0 */
    graph_reset(&g, false, false, 0);
    tensor wbad = whh;
    wbad.shape[0] = 5;
    CHECK(op_gru(&g, &gi, &wbad, &bhh, ok_len, false) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_reset(&g, false, false, 0);
    tensor ws = {.data = buf, .ndim = 2, .shape = {2, 4}, .numel = 8};
    tensor uh = {.data = buf, .ndim = 3, .shape = {2, 3, 5}, .numel = 30};
    tensor v = {.data = buf, .ndim = 1, .shape = {5}, .numel = 5};
    CHECK(op_additive_attention(&g, &ws, &uh, &v, ok_len) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_reset(&g, false, false, 0);
    tensor a = {.data = buf, .ndim = 2, .shape = {2, 3}, .numel = 6}, b = {.data = buf, .ndim = 2, .shape = {3, 3}, .numel = 9};
    tensor *xs[2] = {&a, &b};
    CHECK(op_stack(&g, xs, 2) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_reset(&g, false, false, 0);
    CHECK(op_concat(&g, &a, &b) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_reset(&g, false, false, 0);
    tensor odd = {.data = buf, .ndim = 2, .shape = {1, 3}, .numel = 3};
    CHECK(op_maxout(&g, &odd) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_reset(&g, false, false, 0);
    static const int32_t bad_pos[2] = {0, 3};
    CHECK(op_select_rows(&g, &uh, bad_pos) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_free(&g);
}

/* Adam (no weight decay) over the model's whole weight block. */
static void adam_step(attn_model *m, float *mom, float *vel, int64_t t, float lr) {
    double b1 = 0.9, b2 = 0.999, c1 = 1 - pow(b1, (double)t), c2 = 1 - pow(b2, (double)t);
    for (int64_t i = 0; i < m->n_weights; i++) {
        double g = (double)m->grads[i];
        mom[i] = (float)(b1 * (double)mom[i] + (1 - b1) * g);
        vel[i] = (float)(b2 * (double)vel[i] + (1 - b2) * g * g);
        m->weights[i] -= (float)((double)lr * ((double)mom[i] / c1) / (sqrt((double)vel[i] / c2) + 1e-8));
    }
}

TEST("a tiny RNNsearch learns to reverse 4-token sequences: loss falls, greedy decoding reverses") {
    enum { B = 16, S = 4, T = S + 1, STEPS = 150 };
    attn_rnn_config c = attn_rnn_default_config();
    c.src_vocab_size = c.tgt_vocab_size = 10;
    c.embed_size = 16, c.hidden_size = 24, c.align_size = 16, c.maxout_size = 16;
    attn_model *m = NULL;
    CHECK_OK(attn_rnn_new(&c, 3, &m));
    if (!m) return;
    for (int k = 0; k < m->n_params_tensors; k++) /* a livelier start than N(0, 0.01^2) */
        for (int64_t i = 0; m->params[k].ndim == 2 && i < m->params[k].numel; i++)
            m->weights[m->params[k].offset + i] = 0.3f * rng_normal(11, (uint64_t)k, (uint64_t)i);
    CHECK_OK(model_enable_grads(m));
    float *mom = attn_calloc((size_t)m->n_weights, sizeof(float)), *vel = attn_calloc((size_t)m->n_weights, sizeof(float));
    int32_t src[B * S], tin[B * T], tout[B * T];
    graph g;
    graph_init(&g, NULL);
    float first = 0, last = 0;
    /* tiny ops: thread start-up would dominate on a loaded machine */
    int threads = attn_get_threads();
    attn_set_threads(1);
    for (int64_t step = 0; step < STEPS; step++) {
        for (int64_t b = 0; b < B; b++) {
            for (int64_t j = 0; j < S; j++)
                src[b * S + j] = 3 + (int32_t)(rng_hash(5, (uint64_t)step, (uint64_t)(b * S + j)) % 7);
            tin[b * T] = c.bos_token_id;
            for (int64_t j = 0; j < S; j++) tin[b * T + 1 + j] = tout[b * T + j] = src[b * S + S - 1 - j];
            tout[b * T + S] = c.eos_token_id;
        }
        model_zero_grads(m);
        graph_reset(&g, true, true, (uint64_t)step);
        tensor *loss = rnn_loss(m, &g, src, S, tin, tout, B, T);
        CHECK(loss != NULL);
        if (!loss || graph_backward(&g, loss)) break;
        if (step == 0) first = loss->data[0];
        last = loss->data[0];
        adam_step(m, mom, vel, step + 1, 1e-2f);
    }
    fprintf(stderr, "    reverse task: loss %.3f -> %.3f over %d steps\n", (double)first, (double)last, STEPS);
    CHECK(first > 1.5f);
    CHECK(last < 0.2f);
    static const int32_t probe[3][S] = {{3, 4, 5, 6}, {9, 9, 3, 8}, {7, 5, 8, 4}};
    for (int p = 0; p < 3; p++) {
        int32_t out[8];
        int64_t n = 0;
        CHECK_OK(attn_rnn_greedy(m, probe[p], S, 8, out, &n, NULL));
        CHECK(n == S);
        for (int64_t j = 0; j < S && n == S; j++) CHECK(out[j] == probe[p][S - 1 - j]);
    }
    attn_set_threads(threads);
    graph_free(&g);
    attn_free(mom), attn_free(vel);
    attn_model_free(m);
}

/* Huge but finite weights (3e38, as a corrupt or hostile checkpoint may
 * hold) load, then overflow: scoring gave a NaN NLL and decoding picked
 * tokens from NaN log-probabilities (an empty translation of <s> tokens),
 * all with status 0. Now every output path fails with ATTN_ERR_FORMAT
 * naming where the first non-finite values appear: each step's check
 * (attn_rnn_step: greedy, beam search, attn_rnn_greedy) and the
 * teacher-forced scoring pass's. */
static void fill_rnn_params(attn_model *m, const char *name_part, float v) {
    for (int k = 0; k < m->n_params_tensors; k++)
        if (!name_part || strstr(m->params[k].name, name_part))
            for (int64_t i = 0; i < m->params[k].numel; i++) m->weights[m->params[k].offset + i] = v;
}

static void expect_nonfinite(attn_status st, const char *where) {
    CHECK_STATUS(st, ATTN_ERR_FORMAT);
    const char *e = attn_last_error();
    bool ok = strstr(e, "non-finite") && strstr(e, "weights may be corrupt") && (!where || strstr(e, where));
    if (!ok) fprintf(stderr, "    message \"%s\" (wanted \"%s\")\n", e, where ? where : "");
    CHECK(ok);
}

/* where_step: what the encoder's or the step's message names; where_score:
 * the teacher-forced pass's */
static void expect_rnn_paths_fail(fx *x, const char *where_step, const char *where_score) {
    int64_t B = x->B, S = x->S, T = x->T, V = x->cfg.tgt_vocab_size;
    int32_t *tgt = attn_malloc((size_t)(B * T) * sizeof *tgt), *out = attn_malloc((size_t)(4 * B * 9) * sizeof *out);
    int64_t *n = attn_malloc((size_t)B * sizeof *n), *len = attn_malloc((size_t)(4 * B) * sizeof *len), n_out = -1;
    double *nll = attn_malloc((size_t)B * sizeof *nll);
    float *lp = attn_malloc((size_t)(B * V) * sizeof *lp);
    int32_t tokens[8];
    for (int64_t i = 0; i < B * T; i++) tgt[i] = x->tgt_out[i] == x->cfg.pad_token_id ? -1 : x->tgt_out[i];
    expect_nonfinite(attn_seq2seq_score(x->m, x->src, S, tgt, T, B, nll, n), where_score);
    attn_seq2seq_params p = attn_seq2seq_default_params(x->m);
    p.max_length = 10;
    for (int64_t beams = 1; beams <= 4; beams += 3) {
        p.num_beams = p.num_return_sequences = beams;
        expect_nonfinite(attn_seq2seq_generate(x->m, &p, x->src, B, S, out, len, NULL), where_step);
    }
    expect_nonfinite(attn_rnn_greedy(x->m, x->src, S, 8, tokens, &n_out, NULL), where_step);
    for (int k = 0; k < x->m->n_params_tensors; k++) CHECK(!x->m->ptensors[k].requires_grad);
    attn_free(tgt), attn_free(out), attn_free(n), attn_free(len), attn_free(nll), attn_free(lp);
}

TEST("weights of 3e38: scoring, greedy and beam search, attn_rnn_greedy fail naming where non-finite values start") {
    const char *dirs[2] = {REF "rnnsearch_tiny", REF "rnnencdec_tiny"};
    for (int d = 0; d < 2; d++) {
        fx x;
        /* every weight */
        if (fx_open(&x, dirs[d])) {
            fill_rnn_params(x.m, NULL, 3e38f);
            expect_rnn_paths_fail(&x, "first appear", "first appear");
        }
        fx_close(&x);
        /* the encoder's output not finite (RNNsearch's U_a h_j + b_a =
         * +inf), reaching the logits only in the decoder (tanh(W_a s +
         * U_a h_j) with W_a s = -inf): every path names the encoder's
         * weight, the steps as the teacher-forced pass does */
        if (d == 0 && fx_open(&x, dirs[d])) {
            int64_t H = x.cfg.hidden_size;
            for (int k = 0; k < x.m->n_params_tensors; k++) {
                const param_info *p = &x.m->params[k];
                float *w = x.m->weights + p->offset;
                if (strstr(p->name, "encoder.bias_ih_l0")) /* GRU gates r, z, n: z = 0, n = 1, so h_j = 1 */
                    for (int64_t i = H; i < 3 * H; i++) w[i] = i < 2 * H ? -3e38f : 3e38f;
                if (!strcmp(p->name, "init.weight")) memset(w, 0, (size_t)p->numel * sizeof *w);
            }
            fill_rnn_params(x.m, "init.bias", 3e38f);    /* s_0 = 1 */
            fill_rnn_params(x.m, "attn.U.", 3e38f);      /* U_a h_j + b_a = +inf */
            fill_rnn_params(x.m, "attn.W.weight", -3e38f); /* W_a s_0 = -inf */
            attn_rnn_state *st = NULL;
            CHECK_OK(attn_rnn_encode(x.m, x.src, x.B, x.S, &st)); /* not an output: tanh could squash it */
            attn_rnn_state_free(st);
            expect_rnn_paths_fail(&x, "attn.U.weight", "attn.U.weight");
        }
        if (d == 0) fx_close(&x);
        /* the output projection only: the encoder is finite, each step's logits are not */
        if (fx_open(&x, dirs[d])) {
            fill_rnn_params(x.m, "out.pre.weight", 3e38f);
            expect_rnn_paths_fail(&x, "out.pre.weight", "out.pre.weight");
        }
        fx_close(&x);
    }
}
