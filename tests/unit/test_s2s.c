/* The sequence-to-sequence glue: the RNN models behind the shared greedy
 * and beam search (the RNN family's decoding state, models/rnn.c), RNN
 * pair scoring, the pair-batch
 * loss of model_batch_loss, and the translation API (translate.h):
 * wrapping files, batching by length, specials stripped, bad inputs. */
#include "test.h"

#include "attn/rnn.h"
#include "attn/seq2seq.h"
#include "attn/translate.h"
#include "attn/context.h"
#include "generate/seq2seq.h"
#include "models/model_impl.h"

#define V 14
#define PAD 0
#define BOS 1
#define EOS 2

/* A small RNN whose weights are scaled up so its distributions are peaked
 * (a fresh model's N(0, 0.01^2) weights give nearly uniform ones). */
static attn_model *peaked_rnn(bool attention, uint64_t seed, float scale) {
    attn_rnn_config c = attn_rnn_default_config();
    c.attention = attention;
    c.src_vocab_size = c.tgt_vocab_size = V;
    c.embed_size = c.maxout_size = 8;
    c.hidden_size = c.align_size = 10;
    c.tie_embeddings = true;
    c.pad_token_id = PAD, c.bos_token_id = BOS, c.eos_token_id = EOS;
    attn_model *m = NULL;
    CHECK_OK(attn_rnn_new(&c, seed, &m));
    if (m)
        for (int64_t i = 0; i < m->n_weights; i++) m->weights[i] *= scale;
    return m;
}

/* Three sources of different lengths, padded to S = 6. */
static const int32_t SRC[3 * 6] = {5, 7, 9, 3, 11, 2, 4, 4, 13, 2, PAD, PAD, 8, 2, PAD, PAD, PAD, PAD};
static const int64_t SRC_LEN[3] = {6, 4, 2};

TEST("RNN through s2s_search: greedy (beam 1) equals attn_rnn_greedy for each source of a padded batch") {
    for (int att = 0; att < 2; att++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            attn_model *m = peaked_rnn(att, seed, 40.0f);
            if (!m) continue;
            attn_seq2seq_params p = attn_seq2seq_default_params(m);
            CHECK(p.decoder_start_token_id == BOS && p.eos_token_id == EOS && p.pad_token_id == PAD);
            p.max_length = 13;
            int64_t W = p.max_length - 1, len[3];
            int32_t out[3 * 12];
            float scores[3];
            CHECK_OK(attn_seq2seq_generate(m, &p, SRC, 3, 6, out, len, scores));
            for (int b = 0; b < 3; b++) {
                int32_t want[12];
                int64_t n = 0;
                CHECK_OK(attn_rnn_greedy(m, SRC + b * 6, SRC_LEN[b], W, want, &n, NULL));
                int64_t got = len[b] > 0 && out[b * W + len[b] - 1] == EOS ? len[b] - 1 : len[b];
                CHECK(got == n);
                for (int64_t t = 0; t < n && t < got; t++) CHECK(out[b * W + t] == want[t]);
            }
            attn_model_free(m);
        }
}

/* Sum of log p of hypothesis h (len tokens) given source b, by scoring. */
static double logprob(attn_model *m, int b, const int32_t *h, int64_t len) {
    int32_t src[6];
    memcpy(src, SRC + b * 6, sizeof src);
    double nll = 0;
    int64_t n = 0;
    CHECK_OK(attn_seq2seq_score(m, src, 6, h, len, 1, &nll, &n));
    CHECK(n == len);
    return -nll;
}

/* A context as an s2s_decoder that counts the rows it steps. */
typedef struct counted {
    attn_ctx *ctx;
    int64_t rows;
} counted;

static attn_status counted_step(void *self, const int32_t *tokens, float *logits) {
    counted *c = self;
    c->rows += attn_ctx_n_seq(c->ctx);
    return attn_ctx_decode(c->ctx, tokens, 1, logits);
}

static attn_status counted_reorder(void *self, const int32_t *from) { return attn_ctx_reorder(((counted *)self)->ctx, from); }

static attn_status counted_keep(void *self, const int32_t *sources, int64_t n) {
    return ctx_keep_sources(((counted *)self)->ctx, sources, n);
}

TEST("RNN greedy search drops the sources that ended from the batch: the same tokens and scores, fewer rows stepped") {
    int64_t rows[2] = {0, 0};
    for (int att = 0; att < 2; att++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            attn_model *m = peaked_rnn(att, seed, 40.0f);
            if (!m) continue;
            attn_seq2seq_params p = attn_seq2seq_default_params(m);
            p.max_length = 13;
            int64_t W = p.max_length - 1, len[2][3];
            int32_t out[2][3 * 12];
            float sc[2][3];
            for (int k = 0; k < 2; k++) { /* 0: rows dropped, 1: every row to the end */
                counted c = {NULL, 0};
                CHECK_OK(attn_ctx_new(m, 3, W, &c.ctx));
                if (c.ctx) CHECK_OK(attn_ctx_encode(c.ctx, SRC, 3, 6));
                s2s_decoder d = {&c, V, counted_step, counted_reorder, k ? NULL : counted_keep};
                if (c.ctx) CHECK_OK(s2s_search(&d, &p, 3, out[k], len[k], sc[k]));
                attn_ctx_free(c.ctx);
                rows[k] += c.rows;
            }
            /* the same tokens; the scores to 1e-5 relative: a step of one row and a step of
             * several sum their products in different orders (a GEMV for one row, the
             * few-row kernel or the BLAS for more: gemm.c), as test_encdec's greedy check */
            CHECK(!memcmp(out[0], out[1], sizeof out[0]) && !memcmp(len[0], len[1], sizeof len[0]));
            for (int b = 0; b < 3; b++) CHECK(fabsf(sc[0][b] - sc[1][b]) <= 1e-5f * fabsf(sc[1][b]) + 1e-6f);
            attn_model_free(m);
        }
    CHECK(rows[0] < rows[1]);
}

TEST("RNN beam search: scores are the hypotheses' log-probabilities (greedy and beam 4); n-best sorted") {
    for (int att = 0; att < 2; att++)
        for (uint64_t seed = 1; seed <= 4; seed++) {
            attn_model *m = peaked_rnn(att, seed, 8.0f);
            if (!m) continue;
            attn_seq2seq_params p = attn_seq2seq_default_params(m);
            p.max_length = 10;
            p.length_penalty = 0.0f; /* scores are plain sums of log p */
            int64_t W = p.max_length - 1, glen[3], blen[3 * 4];
            int32_t gout[3 * 9], bout[3 * 4 * 9];
            float gs[3], bs[3 * 4];
            CHECK_OK(attn_seq2seq_generate(m, &p, SRC, 3, 6, gout, glen, gs));
            p.num_beams = 4;
            p.num_return_sequences = 4;
            CHECK_OK(attn_seq2seq_generate(m, &p, SRC, 3, 6, bout, blen, bs));
            for (int b = 0; b < 3; b++) {
                double g = logprob(m, b, gout + b * W, glen[b]);
                CHECK(fabs(g - (double)gs[b]) < 1e-3 * (1 + fabs(g)));
                for (int r = 0; r < 4; r++) {
                    int k = b * 4 + r;
                    double lp = logprob(m, b, bout + k * W, blen[k]);
                    CHECK(fabs(lp - (double)bs[k]) < 1e-3 * (1 + fabs(lp)));
                    if (r) CHECK(bs[k] <= bs[k - 1]);
                }
            }
            attn_model_free(m);
        }
}

TEST("RNN beam search wide enough to be exhaustive finds the best hypothesis (and so never scores below greedy)") {
#ifdef __SANITIZE_ADDRESS__
    const uint64_t seeds = 1; /* the enumeration is slow under AddressSanitizer; the plain run takes two */
#else
    const uint64_t seeds = 2;
#endif
    for (int att = 0; att < 2; att++)
        for (uint64_t seed = 1; seed <= seeds; seed++) {
            attn_model *m = peaked_rnn(att, seed, 8.0f);
            if (!m) continue;
            attn_seq2seq_params p = attn_seq2seq_default_params(m);
            p.max_length = 3; /* two tokens at most: V + (V - 1) V hypotheses */
            p.length_penalty = 0.0f;
            int64_t len[3], glen[3];
            int32_t out[3 * 2], gout[3 * 2];
            float sc[3], gs[3];
            CHECK_OK(attn_seq2seq_generate(m, &p, SRC, 3, 6, gout, glen, gs));
            p.num_beams = V * V;
            CHECK_OK(attn_seq2seq_generate(m, &p, SRC, 3, 6, out, len, sc));
            for (int b = 0; b < 3; b++) {
                double best = -INFINITY;
                for (int32_t y0 = 0; y0 < V; y0++)
                    for (int32_t y1 = 0; y1 < (y0 == EOS ? 1 : V); y1++) {
                        int32_t h[2] = {y0, y1};
                        double lp = logprob(m, b, h, y0 == EOS ? 1 : 2);
                        best = lp > best ? lp : best;
                    }
                CHECK(fabs((double)sc[b] - best) < 1e-4 * (1 + fabs(best)));
                CHECK(sc[b] >= gs[b] - 1e-4f);
                CHECK(fabs(logprob(m, b, out + b * 2, len[b]) - (double)sc[b]) < 1e-4 * (1 + fabs(best)));
            }
            attn_model_free(m);
        }
}

TEST("RNN scoring: attn_seq2seq_score equals the mean loss model_batch_loss records for the same pairs") {
    attn_model *m = peaked_rnn(true, 5, 20.0f);
    if (!m) return;
    const int32_t tgt_in[2 * 4] = {BOS, 6, 7, 8, BOS, 9, PAD, PAD};
    const int32_t tgt_out[2 * 4] = {6, 7, 8, EOS, 9, EOS, -1, -1};
    const int32_t src[2 * 6] = {5, 7, 9, 3, 11, 2, 8, 2, PAD, PAD, PAD, PAD};
    double nll[2];
    int64_t n[2];
    CHECK_OK(attn_seq2seq_score(m, src, 6, tgt_out, 4, 2, nll, n));
    CHECK(n[0] == 4 && n[1] == 2);
    graph g;
    graph_init(&g, NULL);
    graph_reset(&g, false, false, 0);
    model_batch mb = {.B = 2, .T = 4, .inputs = tgt_in, .targets = tgt_out, .src = src, .S = 6};
    tensor *l = model_batch_loss(m, &g, &mb);
    CHECK(l != NULL);
    if (l) CHECK(fabs((double)l->data[0] - (nll[0] + nll[1]) / 6.0) < 1e-5);
    /* label smoothing changes the loss (op_cross_entropy_smooth is checked in test_grad) */
    graph_reset(&g, false, false, 0);
    mb.label_smoothing = 0.1f;
    tensor *ls = model_batch_loss(m, &g, &mb);
    CHECK(ls && l && isfinite(ls->data[0]) && fabs((double)ls->data[0] - (nll[0] + nll[1]) / 6.0) > 1e-3);
    /* a batch without sources is refused, not crashed on */
    graph_reset(&g, false, false, 0);
    mb.src = NULL;
    CHECK(model_batch_loss(m, &g, &mb) == NULL && g.status != ATTN_OK);
    graph_free(&g);
    const int32_t empty_src[6] = {PAD, PAD, PAD, PAD, PAD, PAD};
    CHECK_STATUS(attn_seq2seq_score(m, empty_src, 6, tgt_out, 4, 1, nll, n), ATTN_ERR_INVALID_ARG);
    attn_model_free(m);
}

/* ---- translate.h ---- */

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

TEST("wrapping file: saved and loaded; BART's from the tokenizer without one; malformed ones are format errors") {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load("data/bible-en-es/tokenizer.json", &tok));
    if (!tok) return;
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/wrap", test_tmpdir());
    attn_s2s_wrap w = {-1, -1, -1, -1}, r;
    CHECK_OK(attn_s2s_wrap_load(dir, tok, &w)); /* no file yet: from the tokenizer */
    CHECK(w.src_bos == 0 && w.src_eos == 2 && w.tgt_bos == 0 && w.tgt_eos == 2);
    CHECK_OK(dir_ensure(dir));
    attn_s2s_wrap eos = {-1, 2, -1, 2};
    CHECK_OK(attn_s2s_wrap_save(dir, &eos));
    CHECK_OK(attn_s2s_wrap_load(dir, tok, &r));
    CHECK(r.src_bos == -1 && r.src_eos == 2 && r.tgt_bos == -1 && r.tgt_eos == 2);
    snprintf(path, sizeof path, "%s/translate.json", dir);
    write_file(path, "{\"format\": \"attn-seq2seq-wrap\", \"src_bos\": 0, \"src_eos\": \"x\", \"tgt_bos\": 0, \"tgt_eos\": 2}");
    CHECK_STATUS(attn_s2s_wrap_load(dir, tok, &r), ATTN_ERR_FORMAT);
    write_file(path, "{\"src_bos\": 0}");
    CHECK_STATUS(attn_s2s_wrap_load(dir, tok, &r), ATTN_ERR_FORMAT);
    write_file(path, "not json");
    CHECK_STATUS(attn_s2s_wrap_load(dir, tok, &r), ATTN_ERR_FORMAT);
    attn_tokenizer_free(tok);
}

TEST("attn_translate: batched by length, same outputs in any batch size; n-best; bad lines name their line") {
    attn_tokenizer *tok = NULL;
    CHECK_OK(attn_tokenizer_load("data/bible-en-es/tokenizer.json", &tok));
    attn_rnn_config c = attn_rnn_default_config();
    c.src_vocab_size = c.tgt_vocab_size = 8000;
    c.embed_size = c.maxout_size = 8;
    c.hidden_size = c.align_size = 8;
    c.tie_embeddings = true;
    c.pad_token_id = 1, c.bos_token_id = 2, c.eos_token_id = 2;
    attn_model *m = NULL;
    CHECK_OK(attn_rnn_new(&c, 3, &m));
    if (!tok || !m) return;
    for (int64_t i = 0; i < m->n_weights; i++) m->weights[i] *= 30.0f;
    const char *src[4] = {"En el principio", "Y dijo Dios: Sea la luz; y fue la luz.", "y", "Dios"};
    size_t len[4];
    for (int i = 0; i < 4; i++) len[i] = strlen(src[i]);
    attn_s2s_wrap w = {0, 2, 0, 2};
    attn_translate_params p = attn_translate_default_params(m);
    p.max_new_tokens = 6;
    char *a[4], *b[4], *nb[8];
    float sa[4], sb[4], snb[8];
    p.batch = 4;
    CHECK_OK(attn_translate(m, tok, &w, &p, src, len, 4, a, sa));
    p.batch = 1;
    CHECK_OK(attn_translate(m, tok, &w, &p, src, len, 4, b, sb));
    p.gen.num_beams = p.gen.num_return_sequences = 2;
    p.batch = 3;
    CHECK_OK(attn_translate(m, tok, &w, &p, src, len, 4, nb, snb));
    for (int i = 0; i < 4; i++) {
        CHECK(a[i] && b[i] && !strcmp(a[i], b[i]));
        CHECK(fabsf(sa[i] - sb[i]) < 1e-4f);
        CHECK(a[i] && !strchr(a[i], '\n') && !strstr(a[i], "<s>") && !strstr(a[i], "</s>") && !strstr(a[i], "<pad>"));
        CHECK(snb[2 * i] >= snb[2 * i + 1]);
        attn_free(a[i]);
        attn_free(b[i]);
        attn_free(nb[2 * i]);
        attn_free(nb[2 * i + 1]);
    }
    p = attn_translate_default_params(m);
    const char *bad[3] = {"hola", "   ", "adios"};
    size_t bl[3] = {4, 3, 5};
    char *o[3];
    CHECK_STATUS(attn_translate(m, tok, &w, &p, bad, bl, 3, o, NULL), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "line 2") != NULL);
    const char *inv[2] = {"hola", "a\xff"};
    size_t il[2] = {4, 2};
    CHECK(attn_translate(m, tok, &w, &p, inv, il, 2, o, NULL) != ATTN_OK);
    CHECK(strstr(attn_last_error(), "line 2") != NULL);
    double total;
    int64_t tokens;
    const char *tg[3] = {"In the beginning", "", "God"};
    size_t tl[3] = {16, 0, 3};
    CHECK_STATUS(attn_translate_score(m, tok, &w, src, len, tg, tl, 3, NULL, NULL, &total, &tokens), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "line 2: empty target") != NULL);
    tl[1] = 3, tg[1] = "and";
    double nll[3];
    int64_t cnt[3];
    CHECK_OK(attn_translate_score(m, tok, &w, src, len, tg, tl, 3, nll, cnt, &total, &tokens));
    CHECK(cnt[0] > 2 && cnt[1] >= 3 && fabs(nll[0] + nll[1] + nll[2] - total) < 1e-6 && tokens == cnt[0] + cnt[1] + cnt[2]);
    attn_model_free(m);
    attn_tokenizer_free(tok);
}
