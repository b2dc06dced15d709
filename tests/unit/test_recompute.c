/* Activation checkpointing (graph.h op_checkpoint, g->recompute): every
 * pre-norm family's loss and gradients with its blocks checkpointed equal
 * the plain ones bit for bit — with dropout, whose masks the recomputation
 * must draw again — while the graph's arena holds less at its peak; a
 * checkpointed step repeated allocates nothing new. */
#include "test.h"

#include "models/model_impl.h"
#include "test_decoder.h"

#include <string.h>

#define B 2
#define T 24

typedef struct run {
    float loss;
    float *grads;
    size_t peak;
} run;

/* loss and gradients of one batch, from zeroed gradients */
static void step(attn_model *m, graph *g, const int32_t *ids, const int32_t *tg, bool recompute, run *out) {
    memset(m->grads, 0, (size_t)m->n_weights * sizeof(float));
    graph_reset(g, true, true, 77);
    g->mem.peak = 0;
    g->recompute = recompute;
    tensor *loss = model_loss(m, g, ids, tg, B, T);
    CHECK(loss != NULL);
    if (!loss) return;
    CHECK_OK(graph_backward(g, loss));
    out->loss = loss->data[0];
    out->peak = g->mem.peak;
    out->grads = attn_malloc((size_t)m->n_weights * sizeof(float));
    if (out->grads) memcpy(out->grads, m->grads, (size_t)m->n_weights * sizeof(float));
}

static void family(const char *type) {
    attn_model *m = test_decoder(type, 4, 32, 32, 61);
    if (!m) return;
    int32_t ids[B * T], tg[B * T];
    test_decoder_ids(ids, tg, B * T, 61);
    graph g;
    graph_init(&g, NULL);
    run plain = {0}, ckpt = {0}, again = {0};
    step(m, &g, ids, tg, false, &plain);
    step(m, &g, ids, tg, true, &ckpt);
    size_t chunks = g.mem.n_chunk_allocs;
    step(m, &g, ids, tg, true, &again);
    if (plain.grads && ckpt.grads && again.grads) {
        CHECK(memcmp(&plain.loss, &ckpt.loss, sizeof(float)) == 0);
        CHECK(memcmp(plain.grads, ckpt.grads, (size_t)m->n_weights * sizeof(float)) == 0);
        CHECK(memcmp(ckpt.grads, again.grads, (size_t)m->n_weights * sizeof(float)) == 0);
        double nonzero = 0;
        for (int64_t i = 0; i < m->n_weights; i++) nonzero += plain.grads[i] != 0.0f;
        CHECK(nonzero > 0.5 * (double)m->n_weights);
        /* 4 blocks: one block's activations live at a time instead of four */
        CHECK(ckpt.peak < plain.peak * 3 / 4);
        CHECK(g.mem.n_chunk_allocs == chunks);
        fprintf(stderr, "  %s: loss %.6f, arena peak %zu -> %zu bytes\n", type, (double)plain.loss, plain.peak, ckpt.peak);
    }
    attn_free(plain.grads);
    attn_free(ckpt.grads);
    attn_free(again.grads);
    graph_free(&g);
    attn_model_free(m);
}

TEST("GPT-2: checkpointed blocks give the same loss and gradients bit for bit, in less memory") { family("gpt2"); }
TEST("OPT: the same") { family("opt"); }
TEST("Llama: the same") { family("llama"); }
TEST("BLOOM: the same") { family("bloom"); }

