/* Encoder-decoders against transformers fixtures (tests/ref/gen_bart_fixture.py):
 * BartForConditionalGeneration and MarianMTModel (the Transformer). Encoder
 * and decoder hidden states and logits within 1e-4, the seq2seq loss (with
 * label smoothing 0.1 for Marian) within 1e-4 and every gradient within
 * 1e-3 of its largest magnitude, greedy and beam search (beam 4, n-best 2,
 * length penalties 1.7 and 0.6, early stopping true and "never", a minimum
 * length) token for token, on a batch of sources of different lengths.
 * Also: cached decoding equals full recomputation, save/load round trips,
 * a fresh model trains, and bad inputs and files give clear errors. */
#include "test.h"

#include "attn/seq2seq.h"
#include "io/safetensors.h"
#include "attn/context.h"
#include "generate/seq2seq.h"
#include "models/encdec_impl.h"
#include "models/model_impl.h"

#include <sys/stat.h>
#include <unistd.h>

#define REF "tests/ref/"

static void *read_tensor(const st_file *f, const char *name, int64_t *n, bool ints) {
    const st_tensor *t = st_find(f, name);
    CHECK(t != NULL);
    if (!t) return NULL;
    void *buf = attn_malloc((size_t)t->numel * 4);
    if (ints)
        CHECK_OK(st_read_i32(t, buf, t->numel));
    else
        CHECK_OK(st_read_f32(t, buf, t->numel));
    if (n) *n = t->numel;
    return buf;
}

/* max |got - want| <= tol * max(1, max |want|) */
static bool close_rel(const char *what, const float *got, const float *want, int64_t n, double tol) {
    double worst = 0, scale = 1;
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)want[i]);
        if (!(d <= worst)) worst = d, at = i;
        scale = fmax(scale, fabs((double)want[i]));
    }
    if (worst <= tol * scale) return true;
    fprintf(stderr, "    %s: max|diff| %.3g > %.0e * %.3g at [%lld]: got %.9g, want %.9g\n", what, worst, tol, scale,
            (long long)at, (double)got[at], (double)want[at]);
    return false;
}

typedef struct fixture {
    attn_model *m;
    st_file *f;
    int32_t *src, *tgt_in, *labels;
    int64_t B, S, T, C, V;
    attn_encdec_config cfg;
} fixture;

static bool fixture_open(fixture *x, const char *dir) {
    memset(x, 0, sizeof *x);
    char path[256];
    CHECK_OK(attn_model_load(dir, &x->m));
    snprintf(path, sizeof path, "%s/fixture.safetensors", dir);
    CHECK_OK(st_open(path, &x->f));
    if (!x->m || !x->f) return false;
    const st_tensor *s = st_find(x->f, "input_ids"), *t = st_find(x->f, "decoder_input_ids");
    CHECK(s && t && s->ndim == 2 && t->ndim == 2);
    if (!s || !t) return false;
    x->B = s->shape[0], x->S = s->shape[1], x->T = t->shape[1];
    CHECK(attn_model_encdec_config(x->m, &x->cfg));
    x->C = x->cfg.d_model, x->V = x->cfg.vocab_size;
    x->src = read_tensor(x->f, "input_ids", NULL, true);
    x->tgt_in = read_tensor(x->f, "decoder_input_ids", NULL, true);
    x->labels = read_tensor(x->f, "labels", NULL, true);
    return x->src && x->tgt_in && x->labels;
}

static void fixture_close(fixture *x) {
    attn_free(x->src), attn_free(x->tgt_in), attn_free(x->labels);
    st_close(x->f);
    attn_model_free(x->m);
}

static void check_forward(const char *dir) {
    fixture x;
    if (!fixture_open(&x, dir)) {
        fixture_close(&x);
        return;
    }
    int64_t ne = x.B * x.S * x.C, nd = x.B * x.T * x.C, nl = x.B * x.T * x.V;
    float *enc = attn_malloc((size_t)ne * 4), *dec = attn_malloc((size_t)nd * 4), *lg = attn_malloc((size_t)nl * 4);
    float *we = read_tensor(x.f, "enc_hidden", NULL, false), *wd = read_tensor(x.f, "dec_hidden", NULL, false),
          *wl = read_tensor(x.f, "logits", NULL, false);
    CHECK_OK(encdec_run(x.m, x.src, x.S, x.tgt_in, x.B, x.T, enc, dec, lg));
    if (we && wd && wl) {
        CHECK(close_rel("encoder hidden", enc, we, ne, 1e-4));
        CHECK(close_rel("decoder hidden", dec, wd, nd, 1e-4));
        CHECK(close_rel("logits", lg, wl, nl, 1e-4));
    }
    attn_free(enc), attn_free(dec), attn_free(lg), attn_free(we), attn_free(wd), attn_free(wl);
    fixture_close(&x);
}

TEST("BART: encoder and decoder hidden states and logits match transformers (sources of three lengths)") {
    check_forward(REF "bart_tiny");
}

TEST("Marian (the Transformer): hidden states and logits match transformers (sinusoids, ReLU, scaled embeddings)") {
    check_forward(REF "marian_tiny");
}

static void check_grads(const char *dir, const kernels *k) {
    fixture x;
    if (!fixture_open(&x, dir)) {
        fixture_close(&x);
        return;
    }
    attn_model *m = x.m;
    float eps = 0, want_loss = 0;
    CHECK_OK(st_read_f32(st_find(x.f, "label_smoothing"), &eps, 1));
    CHECK_OK(st_read_f32(st_find(x.f, "loss"), &want_loss, 1));
    CHECK_OK(model_enable_grads(m));
    model_zero_grads(m);
    graph g;
    graph_init(&g, k);
    graph_reset(&g, true, false, 0);
    tensor *loss = encdec_loss(m, &g, x.src, x.S, x.tgt_in, x.labels, x.B, x.T, eps);
    CHECK(loss != NULL);
    if (loss) {
        CHECK_NEAR(loss->data[0], want_loss, 1e-4 * fmax(1.0, fabs((double)want_loss)));
        CHECK_OK(graph_backward(&g, loss));
        int n_checked = 0, n_fixture = 0;
        for (int64_t i = 0; i < x.f->n_tensors; i++) n_fixture += !strncmp(x.f->tensors[i].name, "grad.", 5);
        for (int p = 0; p < m->n_params_tensors; p++) {
            char name[128];
            snprintf(name, sizeof name, "grad.%s", m->params[p].name);
            if (!strcmp(m->params[p].name, "final_logits_bias")) {
                /* a buffer in transformers: no gradient, so training leaves it */
                bool zero = true;
                for (int64_t i = 0; i < m->params[p].numel; i++) zero = zero && m->grads[m->params[p].offset + i] == 0.0f;
                CHECK(zero && !st_find(x.f, name));
                continue;
            }
            float *want = read_tensor(x.f, name, NULL, false);
            char what[160];
            snprintf(what, sizeof what, "%s [%s]", name, g.k->name);
            if (want) CHECK(close_rel(what, m->grads + m->params[p].offset, want, m->params[p].numel, 1e-3));
            attn_free(want);
            n_checked++;
        }
        CHECK(n_checked == n_fixture);
    }
    graph_free(&g);
    fixture_close(&x);
}

TEST("BART: seq2seq loss and every gradient match transformers (ref and cpu kernels)") {
    check_grads(REF "bart_tiny", &kernels_ref);
    check_grads(REF "bart_tiny", kernels_default());
}

TEST("Marian: label-smoothed (0.1) loss and every gradient match torch (ref and cpu kernels)") {
    check_grads(REF "marian_tiny", &kernels_ref);
    check_grads(REF "marian_tiny", kernels_default());
}

/* generate with the fixture's settings and compare with its sequences
 * (decoder start token first, pad after eos). */
static void check_generate(fixture *x, const char *name, int64_t beams, int64_t R, float lp, attn_early_stopping es,
                           int64_t max_length, int64_t min_length) {
    int64_t n, W = max_length - 1;
    int32_t *want = read_tensor(x->f, name, &n, true);
    if (!want) return;
    CHECK(n == x->B * R * max_length);
    attn_seq2seq_params p = attn_seq2seq_default_params(x->m);
    p.num_beams = beams;
    p.num_return_sequences = R;
    p.length_penalty = lp;
    p.early_stopping = es;
    p.max_length = max_length;
    p.min_length = min_length;
    int32_t *out = attn_malloc((size_t)(x->B * R * W) * sizeof *out);
    int64_t *len = attn_malloc((size_t)(x->B * R) * sizeof *len);
    float *scores = attn_malloc((size_t)(x->B * R) * sizeof *scores);
    CHECK_OK(attn_seq2seq_generate(x->m, &p, x->src, x->B, x->S, out, len, scores));
    bool same = true;
    for (int64_t r = 0; r < x->B * R; r++) {
        same = same && want[r * max_length] == p.decoder_start_token_id;
        for (int64_t t = 0; t < W; t++) same = same && out[r * W + t] == want[r * max_length + 1 + t];
        /* the length: through eos, or all W tokens */
        int64_t l = 0;
        while (l < W && want[r * max_length + 1 + l] != p.eos_token_id) l++;
        same = same && len[r] == (l < W ? l + 1 : W);
        if (r % R && beams > 1) same = same && scores[r] <= scores[r - 1];
    }
    if (!same) {
        fprintf(stderr, "    %s differs:\n", name);
        for (int64_t r = 0; r < x->B * R; r++) {
            fprintf(stderr, "      attn (len %lld, score %.5f):", (long long)len[r], (double)scores[r]);
            for (int64_t t = 0; t < W; t++) fprintf(stderr, " %d", out[r * W + t]);
            fprintf(stderr, "\n      want:");
            for (int64_t t = 1; t < max_length; t++) fprintf(stderr, " %d", want[r * max_length + t]);
            fprintf(stderr, "\n");
        }
    }
    CHECK(same);
    attn_free(want), attn_free(out), attn_free(len), attn_free(scores);
}

static void check_generation(const char *dir) {
    fixture x;
    if (fixture_open(&x, dir)) {
        int32_t *settings = read_tensor(x.f, "gen_settings", NULL, true);
        if (settings) {
            check_generate(&x, "greedy", 1, 1, 1.0f, ATTN_EARLY_STOP_FALSE, settings[0], 0);
            check_generate(&x, "beam", 4, 2, 1.7f, ATTN_EARLY_STOP_TRUE, settings[1], 0);
            check_generate(&x, "beam_never", 4, 2, 0.6f, ATTN_EARLY_STOP_NEVER, settings[1], settings[2]);
        }
        attn_free(settings);
    }
    fixture_close(&x);
}

TEST("BART: greedy and beam search (beam 4, n-best 2, length penalty, early stopping) equal transformers' generate") {
    check_generation(REF "bart_tiny");
}

TEST("Marian: greedy and beam search equal transformers' generate") { check_generation(REF "marian_tiny"); }

/* A context as an s2s_decoder that counts the rows it steps. */
typedef struct counted {
    attn_ctx *ctx;
    int64_t rows, steps;
} counted;

static attn_status counted_step(void *self, const int32_t *tokens, float *logits) {
    counted *c = self;
    c->rows += attn_ctx_n_seq(c->ctx);
    c->steps++;
    return attn_ctx_decode(c->ctx, tokens, 1, logits);
}

static attn_status counted_reorder(void *self, const int32_t *from) { return attn_ctx_reorder(((counted *)self)->ctx, from); }

static attn_status counted_keep(void *self, const int32_t *sources, int64_t n) {
    return ctx_keep_sources(((counted *)self)->ctx, sources, n);
}

TEST("greedy search drops the sources that ended from the batch: the same tokens and scores, fewer rows stepped") {
    const char *dirs[] = {REF "bart_tiny", REF "marian_tiny"};
    for (int d = 0; d < 2; d++) {
        fixture x;
        if (!fixture_open(&x, dirs[d])) {
            fixture_close(&x);
            continue;
        }
        attn_seq2seq_params p = attn_seq2seq_default_params(x.m);
        p.num_beams = p.num_return_sequences = 1;
        p.max_length = 16; /* the fixtures' positions */
        int64_t B = x.B, W = p.max_length - 1;
        int32_t *out[2] = {attn_malloc((size_t)(B * W) * 4), attn_malloc((size_t)(B * W) * 4)};
        int64_t *len[2] = {attn_malloc((size_t)B * 8), attn_malloc((size_t)B * 8)};
        float *sc[2] = {attn_malloc((size_t)B * 4), attn_malloc((size_t)B * 4)};
        counted c[2] = {{0}};
        for (int k = 0; k < 2; k++) { /* 0: rows dropped, 1: every row to the end */
            CHECK_OK(attn_ctx_new(x.m, B, W, &c[k].ctx));
            if (c[k].ctx) CHECK_OK(attn_ctx_encode(c[k].ctx, x.src, B, x.S));
            s2s_decoder dec = {&c[k], x.V, counted_step, counted_reorder, k ? NULL : counted_keep};
            if (c[k].ctx) CHECK_OK(s2s_search(&dec, &p, B, out[k], len[k], sc[k]));
            attn_ctx_free(c[k].ctx);
        }
        /* the same tokens; the scores to rounding: a build whose matrix
         * products sum in an order that depends on the rows in the batch
         * (attn's own packed kernels, without a BLAS) scores a source decoded
         * among fewer rows a few ulps apart */
        CHECK(!memcmp(out[0], out[1], (size_t)(B * W) * 4) && !memcmp(len[0], len[1], (size_t)B * 8));
        for (int64_t b = 0; b < B; b++) CHECK(fabsf(sc[0][b] - sc[1][b]) <= 1e-5f * fabsf(sc[1][b]) + 1e-6f);
        CHECK(c[0].steps == c[1].steps && c[1].rows == B * c[1].steps);
        if (d == 1) {
            /* Marian's sources end after 1, 1 and 15 tokens (BART's never
             * emit eos within its 16 positions): 1 row for 14 of the 15 steps */
            CHECK(len[0][0] == 1 && len[0][1] == 1 && len[0][2] == W);
            CHECK(c[0].rows == B + (W - 1) && c[1].rows == B * W);
        }
        for (int k = 0; k < 2; k++) attn_free(out[k]), attn_free(len[k]), attn_free(sc[k]);
        fixture_close(&x);
    }
}

TEST("beam search drops the sources that are done from the batch: the same tokens and scores, fewer rows stepped") {
    const char *dirs[] = {REF "bart_tiny", REF "marian_tiny"};
    int64_t fewer = 0;
    for (int d = 0; d < 2; d++) {
        fixture x;
        if (!fixture_open(&x, dirs[d])) {
            fixture_close(&x);
            continue;
        }
        for (int nb = 2; nb <= 4; nb += 2) {
            attn_seq2seq_params p = attn_seq2seq_default_params(x.m);
            p.num_beams = p.num_return_sequences = nb;
            p.max_length = 16; /* the fixtures' positions */
            int64_t B = x.B, W = p.max_length - 1, N = B * nb;
            int32_t *out[2] = {attn_malloc((size_t)(N * W) * 4), attn_malloc((size_t)(N * W) * 4)};
            int64_t *len[2] = {attn_malloc((size_t)N * 8), attn_malloc((size_t)N * 8)};
            float *sc[2] = {attn_malloc((size_t)N * 4), attn_malloc((size_t)N * 4)};
            counted c[2] = {{0}};
            for (int k = 0; k < 2; k++) { /* 0: done sources dropped, 1: every source to the end */
                CHECK_OK(attn_ctx_new(x.m, N, W, &c[k].ctx));
                if (c[k].ctx) CHECK_OK(attn_ctx_encode(c[k].ctx, x.src, B, x.S));
                s2s_decoder dec = {&c[k], x.V, counted_step, counted_reorder, k ? NULL : counted_keep};
                if (c[k].ctx) CHECK_OK(s2s_search(&dec, &p, B, out[k], len[k], sc[k]));
                attn_ctx_free(c[k].ctx);
            }
            /* the same hypotheses; scores to rounding (see the greedy test) */
            CHECK(!memcmp(out[0], out[1], (size_t)(N * W) * 4) && !memcmp(len[0], len[1], (size_t)N * 8));
            for (int64_t i = 0; i < N; i++) CHECK(fabsf(sc[0][i] - sc[1][i]) <= 1e-5f * fabsf(sc[1][i]) + 1e-6f);
            CHECK(c[0].steps == c[1].steps && c[1].rows == N * c[1].steps && c[0].rows <= c[1].rows);
            fewer += c[0].rows < c[1].rows;
            for (int k = 0; k < 2; k++) attn_free(out[k]), attn_free(len[k]), attn_free(sc[k]);
        }
        fixture_close(&x);
    }
    CHECK(fewer > 0); /* some source was done before the others */
}

TEST("cached decoding (self-attention cache, cross-attention keys once per source) equals full recomputation") {
    const char *dirs[] = {REF "bart_tiny", REF "marian_tiny"};
    for (int d = 0; d < 2; d++) {
        fixture x;
        if (!fixture_open(&x, dirs[d])) {
            fixture_close(&x);
            continue;
        }
        int64_t nl = x.B * x.T * x.V, V = x.V;
        float *full = attn_malloc((size_t)nl * 4), *step = attn_malloc((size_t)(x.B * V) * 4);
        int32_t *tok = attn_malloc((size_t)x.B * 4);
        CHECK_OK(encdec_run(x.m, x.src, x.S, x.tgt_in, x.B, x.T, NULL, NULL, full));
        encdec_state *s = NULL;
        CHECK_OK(encdec_state_new(x.m, x.src, x.B, x.S, 1, x.T, &s));
        for (int64_t t = 0; s && t < x.T; t++) {
            for (int64_t b = 0; b < x.B; b++) tok[b] = x.tgt_in[b * x.T + t];
            CHECK_OK(encdec_state_step(s, tok, step));
            for (int64_t b = 0; b < x.B; b++) CHECK(close_rel("cached step", step + b * V, full + (b * x.T + t) * V, V, 1e-5));
        }
        if (s) CHECK_STATUS(encdec_state_step(s, tok, step), ATTN_ERR_INVALID_ARG); /* past max_steps */
        encdec_state_free(s);
        /* two hypotheses per source, the second swapped in by a reorder, read the same logits */
        int32_t *tok2 = attn_malloc((size_t)(2 * x.B) * 4), *from = attn_malloc((size_t)(2 * x.B) * 4);
        float *step2 = attn_malloc((size_t)(2 * x.B * V) * 4);
        CHECK_OK(encdec_state_new(x.m, x.src, x.B, x.S, 2, x.T, &s));
        for (int64_t t = 0; s && t < x.T; t++) {
            for (int64_t b = 0; b < x.B; b++) {
                tok2[2 * b] = x.tgt_in[b * x.T + t];
                tok2[2 * b + 1] = t == 0 ? x.tgt_in[b * x.T] : (int32_t)(3 + t); /* junk in hypothesis 1 */
            }
            CHECK_OK(encdec_state_step(s, tok2, step2));
            for (int64_t b = 0; b < x.B; b++) CHECK(close_rel("beam 0", step2 + 2 * b * V, full + (b * x.T + t) * V, V, 1e-5));
            for (int64_t b = 0; b < x.B; b++) from[2 * b] = from[2 * b + 1] = (int32_t)(2 * b);
            CHECK_OK(encdec_state_reorder(s, from));
        }
        if (s) {
            from[0] = 2; /* another source's hypothesis */
            CHECK_STATUS(encdec_state_reorder(s, from), ATTN_ERR_INVALID_ARG);
        }
        encdec_state_free(s);
        attn_free(full), attn_free(step), attn_free(tok), attn_free(tok2), attn_free(from), attn_free(step2);
        fixture_close(&x);
    }
}

TEST("scoring pairs: the per-pair NLL sums equal the unsmoothed fixture loss") {
    fixture x;
    if (fixture_open(&x, REF "bart_tiny")) {
        double *nll = attn_malloc((size_t)x.B * sizeof *nll), sum = 0;
        int64_t *n = attn_malloc((size_t)x.B * sizeof *n), count = 0;
        float want = 0;
        CHECK_OK(st_read_f32(st_find(x.f, "loss"), &want, 1));
        CHECK_OK(attn_seq2seq_score(x.m, x.src, x.S, x.labels, x.T, x.B, nll, n));
        for (int64_t b = 0; b < x.B; b++) sum += nll[b], count += n[b];
        CHECK(count == 7 + 5 + 3);
        CHECK_NEAR(sum / (double)count, want, 1e-4 * fmax(1.0, fabs((double)want)));
        int32_t bad = (int32_t)x.V;
        int32_t saved = x.labels[0];
        x.labels[0] = bad;
        CHECK_STATUS(attn_seq2seq_score(x.m, x.src, x.S, x.labels, x.T, x.B, nll, n), ATTN_ERR_INVALID_ARG);
        x.labels[0] = saved;
        attn_free(nll), attn_free(n);
    }
    fixture_close(&x);
}

TEST("save and load back: BART and Marian round-trip bit for bit (no tied copies, no sinusoids saved)") {
    const char *dirs[] = {REF "bart_tiny", REF "marian_tiny"};
    for (int d = 0; d < 2; d++) {
        attn_model *a = NULL, *b = NULL;
        CHECK_OK(attn_model_load(dirs[d], &a));
        const char *dir = test_tmp_path(d ? "marian_saved" : "bart_saved");
        if (a) CHECK_OK(attn_model_save(a, dir));
        CHECK_OK(attn_model_load(dir, &b));
        if (a && b) {
            CHECK(a->n_weights == b->n_weights && !memcmp(a->weights, b->weights, (size_t)a->n_weights * 4));
            attn_encdec_config ca, cb;
            CHECK(attn_model_encdec_config(a, &ca) && attn_model_encdec_config(b, &cb));
            CHECK(!memcmp(&ca, &cb, sizeof ca));
            char path[300];
            snprintf(path, sizeof path, "%s/model.safetensors", dir);
            st_file *f = NULL;
            CHECK_OK(st_open(path, &f));
            if (f) {
                CHECK(!st_find(f, "lm_head.weight") && !st_find(f, "model.encoder.embed_tokens.weight"));
                CHECK((st_find(f, "model.encoder.embed_positions.weight") != NULL) == (d == 0));
            }
            st_close(f);
        }
        attn_model_free(a), attn_model_free(b);
    }
}

TEST("a fresh Transformer: init, and training steps with label smoothing lower the loss") {
    attn_encdec_config c = attn_encdec_default_config(ATTN_ENCDEC_MARIAN);
    c.vocab_size = 40, c.d_model = 16, c.max_positions = 12, c.encoder_layers = c.decoder_layers = 1;
    c.encoder_heads = c.decoder_heads = 2, c.encoder_ffn = c.decoder_ffn = 24, c.dropout = 0;
    c.pad_token_id = c.decoder_start_token_id = 39;
    attn_model *m = NULL;
    CHECK_OK(attn_encdec_new(&c, 7, &m));
    if (!m) return;
    /* the pad row is zero, LayerNorm weights one */
    bool pad_zero = true;
    for (int64_t i = 0; i < c.d_model; i++) pad_zero = pad_zero && m->encdec->shared.data[39 * c.d_model + i] == 0.0f;
    CHECK(pad_zero && m->encdec->enc[0].ln1_w.data[0] == 1.0f);
    /* copy task: target = source */
    const int32_t src[2 * 5] = {5, 6, 7, 0, 39, 9, 8, 0, 39, 39};
    const int32_t tin[2 * 4] = {39, 5, 6, 7, 39, 9, 8, 39};
    const int32_t tout[2 * 4] = {5, 6, 7, 0, 9, 8, 0, -1};
    CHECK_OK(model_enable_grads(m));
    graph g;
    graph_init(&g, NULL);
    float first = 0, last = 0;
    for (int step = 0; step < 30; step++) {
        model_zero_grads(m);
        graph_reset(&g, true, true, (uint64_t)step);
        tensor *loss = encdec_loss(m, &g, src, 5, tin, tout, 2, 4, 0.1f);
        CHECK(loss != NULL);
        if (!loss) break;
        if (step == 0) first = loss->data[0];
        last = loss->data[0];
        CHECK_OK(graph_backward(&g, loss));
        for (int64_t i = 0; i < m->n_weights; i++) m->weights[i] -= 0.5f * m->grads[i];
    }
    CHECK(last < 0.5f * first);
    graph_free(&g);
    attn_model_free(m);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) fputs(text, f), fclose(f);
}

static void copy_file(const char *from, const char *to) {
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    CHECK(a && b);
    while (a && b && (n = fread(buf, 1, sizeof buf, a)) > 0) CHECK(fwrite(buf, 1, n, b) == n);
    if (a) fclose(a);
    if (b) fclose(b);
}

static bool error_mentions(const char *keyword) {
    if (strstr(attn_last_error(), keyword)) return true;
    fprintf(stderr, "    error \"%s\" lacks \"%s\"\n", attn_last_error(), keyword);
    return false;
}

TEST("bad inputs: source longer than the positions, empty source, ids outside the vocabulary, bad settings") {
    fixture x;
    if (!fixture_open(&x, REF "bart_tiny")) {
        fixture_close(&x);
        return;
    }
    int64_t P = x.cfg.max_positions, W = 10;
    attn_seq2seq_params p = attn_seq2seq_default_params(x.m);
    p.max_length = W + 1;
    int32_t out[4 * 10], *longsrc = attn_malloc((size_t)(P + 1) * 4);
    int64_t len[4];
    for (int64_t i = 0; i <= P; i++) longsrc[i] = 5;
    CHECK_STATUS(attn_seq2seq_generate(x.m, &p, longsrc, 1, P + 1, out, len, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(error_mentions("longer than the"));
    CHECK_OK(attn_seq2seq_generate(x.m, &p, longsrc, 1, P, out, len, NULL)); /* exactly the table */
    const int32_t empty[2 * 3] = {5, 6, 2, 1, 1, 1};
    CHECK_STATUS(attn_seq2seq_generate(x.m, &p, empty, 2, 3, out, len, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(error_mentions("empty"));
    CHECK_STATUS(attn_seq2seq_generate(x.m, &p, empty, 1, 0, out, len, NULL), ATTN_ERR_INVALID_ARG);
    const int32_t oov[3] = {5, 99, 2};
    CHECK_STATUS(attn_seq2seq_generate(x.m, &p, oov, 1, 3, out, len, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(error_mentions("vocabulary"));
    p.max_length = P + 2; /* P + 1 decoder positions */
    CHECK_STATUS(attn_seq2seq_generate(x.m, &p, empty, 1, 3, out, len, NULL), ATTN_ERR_INVALID_ARG);
    p.max_length = W + 1;
    p.num_return_sequences = 2; /* more than num_beams */
    CHECK_STATUS(attn_seq2seq_generate(x.m, &p, empty, 1, 3, out, len, NULL), ATTN_ERR_INVALID_ARG);
    p.num_return_sequences = 1;
    p.eos_token_id = (int32_t)x.V;
    CHECK_STATUS(attn_seq2seq_generate(x.m, &p, empty, 1, 3, out, len, NULL), ATTN_ERR_INVALID_ARG);
    /* the loss: a target outside the vocabulary, an empty source */
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, true, false, 0);
    const int32_t tin[2] = {2, 5}, tout[2] = {5, 61};
    CHECK(encdec_loss(x.m, &g, empty, 3, tin, tout, 1, 2, 0.0f) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_reset(&g, true, false, 0);
    CHECK(encdec_loss(x.m, &g, empty + 3, 3, tin, tin, 1, 2, 0.0f) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_reset(&g, true, false, 0);
    CHECK(encdec_loss(x.m, &g, empty, 3, tin, tin, 1, 2, 1.5f) == NULL && g.status == ATTN_ERR_INVALID_ARG);
    graph_free(&g);
    /* a GPT-style call on an encoder-decoder */
    float logits[61];
    CHECK_STATUS(attn_model_logits(x.m, tin, 1, 1, logits), ATTN_ERR_UNSUPPORTED);
    attn_free(longsrc);
    fixture_close(&x);
}

static void expect_load_error(const char *dir, attn_status want, const char *keyword) {
    attn_model *m = NULL;
    attn_status st = attn_model_load(dir, &m);
    CHECK(st == want && m == NULL);
    CHECK(error_mentions(keyword));
    attn_model_free(m);
}

/* An allocator hook whose new blocks hold 0xFF bytes (NaN as floats), as a
 * reused heap might: a loader that leaves any float of the weight block
 * unwritten shows it. */
static void *dirty_realloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (ptr) return realloc(ptr, size);
    void *p = malloc(size);
    if (p) memset(p, 0xFF, size);
    return p;
}

TEST("loading fills the whole weight block: a tensor the file may lack is zero, padding is zero, on dirty memory") {
    /* marian_tiny without its final_logits_bias (optional: transformers
     * takes it as zeros), loaded through an allocator that hands out
     * non-zero memory, equals the full file's model with that bias zeroed,
     * float for float over the whole block (alignment padding included) */
    char dir[] = "/tmp/attn_encdec_XXXXXX", w[96], cfg[96];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    snprintf(w, sizeof w, "%s/model.safetensors", dir);
    copy_file(REF "marian_tiny/config.json", cfg);
    st_file *f = NULL;
    CHECK_OK(st_open(REF "marian_tiny/model.safetensors", &f));
    if (!f) return;
    st_entry *e = attn_calloc((size_t)f->n_tensors, sizeof *e);
    int64_t n = 0;
    for (int64_t i = 0; i < f->n_tensors; i++) {
        const st_tensor *t = &f->tensors[i];
        if (strcmp(t->name, "final_logits_bias"))
            e[n++] = (st_entry){t->name, t->dtype, t->ndim, t->shape, t->data};
    }
    CHECK(n == f->n_tensors - 1);
    CHECK_OK(st_write(w, e, n, NULL));
    attn_free(e);
    st_close(f);
    attn_model *full = NULL, *lacking = NULL;
    CHECK_OK(attn_model_load(REF "marian_tiny", &full));
    attn_set_allocator(dirty_realloc, NULL);
    attn_status st = attn_model_load(dir, &lacking);
    attn_set_allocator(NULL, NULL);
    CHECK_OK(st);
    if (full && lacking) {
        int bias = -1;
        for (int k = 0; k < full->n_params_tensors; k++)
            if (!strcmp(full->params[k].name, "final_logits_bias")) bias = k;
        CHECK(bias >= 0);
        if (bias >= 0) memset(full->weights + full->params[bias].offset, 0, (size_t)full->params[bias].numel * sizeof(float));
        CHECK(full->n_weights == lacking->n_weights &&
              !memcmp(full->weights, lacking->weights, (size_t)full->n_weights * sizeof(float)));
    }
    attn_model_free(full);
    attn_model_free(lacking);
    unlink(w);
    unlink(cfg);
    rmdir(dir);
}

TEST("bad encoder-decoder directories: shape and layer mismatches, unsupported options, bad generation config") {
    char dir[] = "/tmp/attn_encdec_XXXXXX", cfg[96], w[96], gen[96];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    snprintf(w, sizeof w, "%s/model.safetensors", dir);
    snprintf(gen, sizeof gen, "%s/generation_config.json", dir);
    copy_file(REF "bart_tiny/model.safetensors", w);
#define BART_CONFIG                                                                                              \
    "{\"model_type\": \"bart\", \"vocab_size\": 61, \"d_model\": %d, \"encoder_layers\": %d, \"decoder_layers\": 2, " \
    "\"encoder_attention_heads\": 4, \"decoder_attention_heads\": 4, \"encoder_ffn_dim\": 48, "                \
    "\"decoder_ffn_dim\": 40, \"max_position_embeddings\": %d, \"pad_token_id\": 1, \"eos_token_id\": 2, "      \
    "\"decoder_start_token_id\": 2, \"scale_embedding\": true%s}"
    char text[1024];
    snprintf(text, sizeof text, BART_CONFIG, 32, 2, 16, "");
    write_text(cfg, text);
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(dir, &m));
    attn_model_free(m);
    snprintf(text, sizeof text, BART_CONFIG, 32, 2, 20, "");
    write_text(cfg, text);
    expect_load_error(dir, ATTN_ERR_FORMAT, "shape");
    snprintf(text, sizeof text, BART_CONFIG, 32, 3, 16, "");
    write_text(cfg, text);
    expect_load_error(dir, ATTN_ERR_FORMAT, "missing tensor");
    snprintf(text, sizeof text, BART_CONFIG, 32, 1, 16, "");
    write_text(cfg, text);
    expect_load_error(dir, ATTN_ERR_FORMAT, "unexpected tensor");
    snprintf(text, sizeof text, BART_CONFIG, 30, 2, 16, "");
    write_text(cfg, text);
    expect_load_error(dir, ATTN_ERR_INVALID_ARG, "d_model");
    snprintf(text, sizeof text, BART_CONFIG, 32, 2, 16, ", \"activation_function\": \"swish\"");
    write_text(cfg, text);
    expect_load_error(dir, ATTN_ERR_UNSUPPORTED, "swish");
    snprintf(text, sizeof text, BART_CONFIG, 32, 2, 16, ", \"tie_word_embeddings\": false");
    write_text(cfg, text);
    expect_load_error(dir, ATTN_ERR_UNSUPPORTED, "untied");
    snprintf(text, sizeof text, BART_CONFIG, 32, 2, 16, ", \"forced_bos_token_id\": 70");
    write_text(cfg, text);
    expect_load_error(dir, ATTN_ERR_INVALID_ARG, "forced_bos_token_id");
    write_text(cfg, "{\"model_type\": \"bart\", \"vocab_size\": 61}");
    expect_load_error(dir, ATTN_ERR_FORMAT, "d_model");
    snprintf(text, sizeof text, BART_CONFIG, 32, 2, 16, "");
    write_text(cfg, text);
    write_text(gen, "{\"decoder_start_token_id\": 99}");
    expect_load_error(dir, ATTN_ERR_INVALID_ARG, "generation_config.json");
    write_text(gen, "{\"decoder_start_token_id\": 0, \"num_beams\": 3, \"max_length\": 9, \"early_stopping\": true}");
    CHECK_OK(attn_model_load(dir, &m));
    if (m) {
        attn_seq2seq_params p = attn_seq2seq_default_params(m);
        CHECK(p.decoder_start_token_id == 0 && p.num_beams == 3 && p.max_length == 9 && p.early_stopping == ATTN_EARLY_STOP_TRUE);
        CHECK(p.eos_token_id == 2 && p.pad_token_id == 1);
    }
    attn_model_free(m);
    unlink(gen);
    copy_file(REF "marian_tiny/model.safetensors", w); /* no positions or embedding LayerNorm */
    expect_load_error(dir, ATTN_ERR_FORMAT, "missing tensor");
    unlink(cfg);
    unlink(w);
    rmdir(dir);
}

static long fail_at = -1, n_allocs;

static void *failing_realloc(void *ud, void *p, size_t n) {
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (n_allocs++ == fail_at) return NULL;
    return realloc(p, n);
}

TEST("every failed allocation in load, beam search, scoring and save is an out-of-memory error, not a crash") {
    const int32_t src[2 * 4] = {5, 6, 7, 2, 9, 2, 1, 1}, tgt[2 * 3] = {8, 9, 2, 4, 2, -1};
    const char *dir = test_tmp_path("oom_saved");
    bool finished = false;
    long k;
    for (k = 0; k < 5000 && !finished; k++) {
        attn_model *m = NULL;
        int32_t out[2 * 2 * 7];
        int64_t len[4], n[2];
        double nll[2];
        n_allocs = 0;
        fail_at = k;
        attn_set_allocator(failing_realloc, NULL);
        attn_status st = attn_model_load(REF "bart_tiny", &m);
        attn_seq2seq_params p = attn_seq2seq_default_params(m);
        p.num_beams = p.num_return_sequences = 2;
        p.max_length = 8;
        if (st == ATTN_OK) st = attn_seq2seq_generate(m, &p, src, 2, 4, out, len, NULL);
        if (st == ATTN_OK) st = attn_seq2seq_score(m, src, 4, tgt, 3, 2, nll, n);
        if (st == ATTN_OK) st = attn_model_save(m, dir);
        attn_set_allocator(NULL, NULL);
        if (st == ATTN_OK)
            finished = true;
        else if (st != ATTN_ERR_OUT_OF_MEMORY) {
            fprintf(stderr, "    allocation %ld failed: %s (%s)\n", k, attn_status_string(st), attn_last_error());
            CHECK(st == ATTN_ERR_OUT_OF_MEMORY);
        }
        attn_model_free(m);
    }
    CHECK(finished && k > 20);
}

/* Huge but finite weights (3e38, as a corrupt or hostile checkpoint may
 * hold) load, then overflow: scoring printed "nll -nan" and decoding
 * picked tokens from NaN logits (an empty translation, score -1e9), all
 * with status 0. Now every output path fails with ATTN_ERR_FORMAT naming
 * where the first non-finite values appear. */
static void fill_params(attn_model *m, const char *name_part, float v) {
    for (int k = 0; k < m->n_params_tensors; k++)
        if (!name_part || strstr(m->params[k].name, name_part))
            for (int64_t i = 0; i < m->params[k].numel; i++) m->weights[m->params[k].offset + i] = v;
}

/* status FORMAT, a message that says non-finite and names where */
static void expect_nonfinite(attn_status st, const char *where) {
    CHECK_STATUS(st, ATTN_ERR_FORMAT);
    CHECK(error_mentions("non-finite") && error_mentions("weights may be corrupt"));
    if (where) CHECK(error_mentions(where));
}

static void expect_all_paths_fail(fixture *x, const char *where) {
    double *nll = attn_malloc((size_t)x->B * sizeof *nll);
    int64_t *n = attn_malloc((size_t)x->B * sizeof *n), *len = attn_malloc((size_t)(4 * x->B) * sizeof *len);
    float *lg = attn_malloc((size_t)(x->B * x->T * x->V) * 4), *scores = attn_malloc((size_t)(4 * x->B) * 4);
    int32_t *out = attn_malloc((size_t)(4 * x->B * 9) * sizeof *out);
    expect_nonfinite(attn_seq2seq_score(x->m, x->src, x->S, x->labels, x->T, x->B, nll, n), where);
    expect_nonfinite(encdec_run(x->m, x->src, x->S, x->tgt_in, x->B, x->T, NULL, NULL, lg), where);
    attn_seq2seq_params p = attn_seq2seq_default_params(x->m);
    p.max_length = 10;
    p.min_length = 0;
    for (int64_t beams = 1; beams <= 4; beams += 3) {
        p.num_beams = p.num_return_sequences = beams;
        expect_nonfinite(attn_seq2seq_generate(x->m, &p, x->src, x->B, x->S, out, len, scores), where);
    }
    /* the graphs are usable again: the diagnostic pass restored the views */
    for (int k = 0; k < x->m->n_params_tensors; k++) CHECK(!x->m->ptensors[k].requires_grad);
    attn_free(nll), attn_free(n), attn_free(len), attn_free(lg), attn_free(scores), attn_free(out);
}

TEST("weights of 3e38: scoring, the full pass, greedy and beam search fail naming where non-finite values start") {
    const char *dirs[] = {REF "bart_tiny", REF "marian_tiny"};
    for (int d = 0; d < 2; d++) {
        fixture x;
        /* every weight: the embeddings overflow before the first layer */
        if (fixture_open(&x, dirs[d])) {
            fill_params(x.m, NULL, 3e38f);
            expect_all_paths_fail(&x, "model.shared.weight");
            CHECK(strstr(attn_last_error(), "layer") == NULL || strstr(attn_last_error(), "layer norm"));
        }
        fixture_close(&x);
        /* only the last decoder layer: the encoder output is finite, the
         * cached decoding step fails and the full rerun names the layer */
        if (fixture_open(&x, dirs[d])) {
            fill_params(x.m, "model.decoder.layers.1.", 3e38f);
            expect_all_paths_fail(&x, "in layer 1,");
            CHECK(error_mentions("model.decoder.layers.1."));
            /* ordinary weights score as before */
            fixture_close(&x);
            if (fixture_open(&x, dirs[d])) {
                double nll[8];
                int64_t n[8];
                CHECK(x.B <= 8);
                if (x.B <= 8) CHECK_OK(attn_seq2seq_score(x.m, x.src, x.S, x.labels, x.T, x.B, nll, n));
                for (int64_t b = 0; b < x.B && b < 8; b++) CHECK(isfinite(nll[b]));
            }
        }
        fixture_close(&x);
    }
}

/* A token whose embedding row is 1e30 gives finite logits until it is fed
 * back: the failure comes at a later step, after reorders, and the
 * diagnostic pass reruns each hypothesis's own tokens so far (a wrong
 * history would find nothing to name). */
TEST("non-finite logits at a later decoding step, after a reorder, are named from each hypothesis's own tokens") {
    fixture x;
    if (fixture_open(&x, REF "marian_tiny")) {
        const int32_t X = 7;
        int64_t C = x.C, V = x.V, start = x.cfg.decoder_start_token_id;
        for (int64_t i = 0; i < C; i++) x.m->encdec->shared.data[X * C + i] = 1e30f;
        float *lg = attn_malloc((size_t)(2 * x.B * V) * 4);
        int32_t *tok = attn_malloc((size_t)(2 * x.B) * 4), *from = attn_malloc((size_t)(2 * x.B) * 4);
        encdec_state *s = NULL;
        CHECK_OK(encdec_state_new(x.m, x.src, x.B, x.S, 2, 4, &s));
        if (s && lg && tok && from) {
            for (int64_t i = 0; i < 2 * x.B; i++) tok[i] = (int32_t)start;
            CHECK_OK(encdec_state_step(s, tok, lg)); /* finite: X's logit is large, not infinite */
            for (int64_t i = 0; i < 2 * x.B; i++) tok[i] = 3;
            CHECK_OK(encdec_state_step(s, tok, lg));
            for (int64_t b = 0; b < x.B; b++) from[2 * b] = from[2 * b + 1] = (int32_t)(2 * b + 1);
            CHECK_OK(encdec_state_reorder(s, from));
            tok[2 * x.B - 1] = X; /* the last hypothesis feeds X */
            expect_nonfinite(encdec_state_step(s, tok, lg), "first appear");
        }
        encdec_state_free(s);
        /* greedy and beam search: forced to X at the first step, then failing */
        attn_seq2seq_params p = attn_seq2seq_default_params(x.m);
        p.max_length = 6;
        p.forced_bos_token_id = X;
        int32_t out[4 * 8 * 5];
        int64_t len[4 * 8];
        CHECK(x.B <= 8);
        for (int64_t beams = 1; beams <= 4 && x.B <= 8; beams += 3) {
            p.num_beams = p.num_return_sequences = beams;
            expect_nonfinite(attn_seq2seq_generate(x.m, &p, x.src, x.B, x.S, out, len, NULL), "first appear");
        }
        attn_free(lg), attn_free(tok), attn_free(from);
    }
    fixture_close(&x);
}
