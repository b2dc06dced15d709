/* The same bits on any thread count: a decoder's loss and gradients, and
 * the optimizer's sum of squares (the gradient norm), at 1, 2 and 3
 * threads, with attn's own matrix products. The thread governor of training (core.h) changes the count
 * between steps on the strength of this. */
#include "test.h"

#include "attn/encoder.h"
#include "kernels/kernels.h"
#include "models/model_impl.h"
#include "test_decoder.h"

#include <stdlib.h>
#include <string.h>

#define B 4
#define T 32

/* attn's own matrix products (OpenBLAS's sum some shapes differently on one
 * thread than on several: the governor stays off with them), chosen before
 * the first product reads ATTN_GEMM */
__attribute__((constructor)) static void own_products(void) { setenv("ATTN_GEMM", "attn", 1); }

static float step(attn_model *m, graph *g, const int32_t *ids, const int32_t *tg, float *grads) {
    memset(m->grads, 0, (size_t)m->n_weights * sizeof(float));
    graph_reset(g, true, true, 77);
    tensor *loss = model_loss(m, g, ids, tg, B, T);
    CHECK(loss != NULL);
    if (!loss) return 0;
    CHECK_OK(graph_backward(g, loss));
    memcpy(grads, m->grads, (size_t)m->n_weights * sizeof(float));
    return loss->data[0];
}

static void family(const char *type) {
    int threads = attn_get_threads();
    CHECK(kernels_thread_invariant());
    attn_model *m = test_decoder(type, 2, 96, T, 301);
    if (!m) return;
    int32_t ids[B * T], tg[B * T];
    test_decoder_ids(ids, tg, B * T, 301);
    graph g;
    graph_init(&g, NULL);
    float *g1 = attn_malloc((size_t)m->n_weights * sizeof(float)), *gn = attn_malloc((size_t)m->n_weights * sizeof(float));
    CHECK(g1 && gn);
    if (g1 && gn) {
        CHECK_OK(attn_set_threads(1));
        float l1 = step(m, &g, ids, tg, g1);
        for (int n = 2; n <= 3; n++) {
            CHECK_OK(attn_set_threads(n));
            float ln = step(m, &g, ids, tg, gn);
            CHECK(memcmp(&l1, &ln, sizeof l1) == 0);
            CHECK(memcmp(g1, gn, (size_t)m->n_weights * sizeof(float)) == 0);
        }
    }
    attn_set_threads(threads);
    attn_free(g1);
    attn_free(gn);
    graph_free(&g);
    attn_model_free(m);
}

TEST("GPT-2: loss and gradients are the same bits on 1, 2 and 3 threads") { family("gpt2"); }
TEST("Llama: loss and gradients are the same bits on 1, 2 and 3 threads") { family("llama"); }
TEST("BLOOM: loss and gradients are the same bits on 1, 2 and 3 threads") { family("bloom"); }

/* The first parameter whose gradient differs, for the message. */
static const char *first_differing(const attn_model *m, const float *a, const float *b) {
    for (int i = 0; i < m->n_params_tensors; i++)
        if (memcmp(a + m->params[i].offset, b + m->params[i].offset, (size_t)m->params[i].numel * sizeof(float)))
            return m->params[i].name;
    return NULL;
}

TEST("BERT masked LM with padding: loss and gradients are the same bits on 1, 2 and 3 threads") {
    int threads = attn_get_threads();
    attn_bert_config c = attn_bert_default_config();
    c.n_layer = 2;
    c.n_head = 2;
    c.hidden_size = 64;
    c.intermediate_size = 128;
    c.max_positions = T;
    c.vocab_size = 30522;
    c.mlm_head = true;
    c.pooler = false;
    attn_model *m = NULL;
    CHECK_OK(attn_bert_new(&c, 5, &m));
    if (!m) return;
    CHECK_OK(model_enable_grads(m));
    int32_t ids[B * T], tg[B * T];
    test_decoder_ids(ids, tg, B * T, 30522);
    for (int i = 0; i < B * T; i++) {
        if (i % T >= T - 3 * (i / T)) ids[i] = 0; /* padding at the ends of rows 1..3 */
        if (i % 7) tg[i] = -1;                   /* every 7th token predicted */
    }
    graph g;
    graph_init(&g, NULL);
    float *g1 = attn_malloc((size_t)m->n_weights * sizeof(float)), *gn = attn_malloc((size_t)m->n_weights * sizeof(float));
    CHECK(g1 && gn);
    for (int n = 1; n <= 3 && g1 && gn; n++) {
        CHECK_OK(attn_set_threads(n));
        memset(m->grads, 0, (size_t)m->n_weights * sizeof(float));
        graph_reset(&g, true, true, 77);
        tensor *loss = bert_mlm_loss(m, &g, ids, tg, B, T);
        CHECK(loss != NULL);
        if (!loss) break;
        CHECK_OK(graph_backward(&g, loss));
        memcpy(n == 1 ? g1 : gn, m->grads, (size_t)m->n_weights * sizeof(float));
        if (n > 1) {
            const char *d = first_differing(m, g1, gn);
            if (d) fprintf(stderr, "  %d threads: %s differs from 1 thread\n", n, d);
            CHECK(d == NULL);
        }
    }
    attn_set_threads(threads);
    attn_free(g1);
    attn_free(gn);
    graph_free(&g);
    attn_model_free(m);
}

TEST("sum of squares: the same bits on 1, 2 and 3 threads, near the sum in order") {
    int threads = attn_get_threads();
    const int64_t n = 1000003;
    float *x = attn_malloc((size_t)n * sizeof(float));
    CHECK(x != NULL);
    if (!x) return;
    for (int64_t i = 0; i < n; i++) x[i] = (float)((i * 2654435761u) % 1000003) / 1000003.0f - 0.37f;
    const kernels *tables[] = {&kernels_cpu, &kernels_cpu_generic};
    for (size_t t = 0; t < 2; t++) {
        CHECK_OK(attn_set_threads(1));
        double s1 = tables[t]->sumsq(x, n);
        for (int k = 2; k <= 3; k++) {
            CHECK_OK(attn_set_threads(k));
            double sk = tables[t]->sumsq(x, n);
            CHECK(memcmp(&s1, &sk, sizeof s1) == 0);
        }
        double r = kernels_ref.sumsq(x, n);
        CHECK_NEAR(s1, r, 1e-12 * r);
    }
    attn_set_threads(threads);
    attn_free(x);
}
