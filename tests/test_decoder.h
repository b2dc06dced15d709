/* A small decoder of any registry family, with gradients and dropout 0.1,
 * and a fixed batch of input and target ids over its vocabulary, for the
 * unit tests that compare one model's steps under two settings
 * (test_recompute, test_thread_bits). Needs test.h and models/model_impl.h. */
#ifndef ATTN_TEST_DECODER_H
#define ATTN_TEST_DECODER_H

static attn_model *test_decoder(const char *type, int layers, int embd, int ctx, int vocab) {
    attn_gpt_config c = attn_gpt_default_config();
    c.n_layer = layers;
    c.n_head = 4;
    c.n_embd = embd;
    c.n_ctx = ctx;
    c.vocab_size = vocab;
    c.dropout = 0.1f;
    attn_model *m = NULL;
    CHECK_OK(attn_model_new_arch(type, &c, 5, &m));
    if (m && model_enable_grads(m) != ATTN_OK) {
        CHECK(false);
        attn_model_free(m);
        m = NULL;
    }
    return m;
}

static void test_decoder_ids(int32_t *ids, int32_t *tg, int n, int vocab) {
    for (int i = 0; i < n; i++) {
        ids[i] = (i * 7 + 3) % vocab;
        tg[i] = (i * 11 + 5) % vocab;
    }
}

#endif
