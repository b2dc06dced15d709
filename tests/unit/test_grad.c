/* Gradient checks for every op in src/ops/graph.h: the gradient that
 * backward computes against central differences, on both kernel tables.
 *
 * Method: leaf tensors (their data owned by the test) feed one op or a short
 * chain; L = sum(out * R) for a fixed random R, in double. The analytic
 * gradient comes from graph_backward_from(out, R) (graph_backward for the
 * scalar cross-entropy, where L is the op's output itself). The numeric one
 * perturbs each input element x by +-h in float, reruns the forward on a
 * reset graph (same dropout seed, so the dropout mask is a fixed function)
 * and takes (L+ - L-) / (x+ - x-), the denominator being the perturbation
 * actually stored. Check: |num - ana| <= tol * max(1, |ana|), tol = 5e-4
 * for one op, 1e-3 for the chain of ops.
 *
 * Each case runs backward twice: from fresh gradients, and from leaf
 * gradients pre-filled with random values (the increment must be the same:
 * backward accumulates). The numeric forwards run on one thread, the
 * analytic pass on the default count. Also: parameter gradients add up over
 * two steps, and a repeated step allocates nothing. */
#include "test.h"

#include "core/core.h"
#include "ops/graph.h"

enum { SEED = 4242, MAX_IN = 4 };
#define DROPOUT_SEED 777u

/* ---- leaves --------------------------------------------------------------- */

/* A leaf tensor whose data is test-owned (attn_free(t->data) when done). */
static tensor leaf(int ndim, const int64_t *shape, uint64_t stream, float amp) {
    tensor t;
    memset(&t, 0, sizeof t);
    t.ndim = ndim;
    t.numel = 1;
    for (int i = 0; i < ndim; i++) t.shape[i] = shape[i], t.numel *= shape[i];
    t.data = attn_malloc((size_t)t.numel * sizeof(float));
    for (int64_t i = 0; i < t.numel; i++) t.data[i] = amp * rng_normal(SEED, stream, (uint64_t)i);
    t.requires_grad = true;
    return t;
}

/* ---- the check ------------------------------------------------------------ */

typedef struct gcase gcase;
/* Runs the forward on g from c's leaves and returns the output. */
typedef tensor *(*build_fn)(graph *g, gcase *c);

struct gcase {
    const char *name;
    tensor in[MAX_IN];
    int n_in;
    build_fn build;
    float h;
    bool scalar;              /* out is the loss: L = out, backward with graph_backward */
    /* op parameters */
    const int32_t *ids;
    int64_t B, T, C, H;
    bool causal;
    const uint8_t *mask;
    const float *alibi;       /* attention: ALiBi slopes (H) or NULL */
    float p;
    double tol;               /* |num - ana| <= tol * max(1, |ana|); 0 = TOL_OP */
};

/* One op with h = 1e-2: worst seen ~7e-5 (truncation, float rounding). */
#define TOL_OP 5e-4

static double loss_of(const tensor *out, const float *R, bool scalar) {
    if (scalar) return (double)out->data[0];
    double L = 0;
    for (int64_t i = 0; i < out->numel; i++) L += (double)out->data[i] * (double)R[i];
    return L;
}

/* L for the current leaf data, on a reset non-recording graph. */
static double eval(graph *g, gcase *c, const float *R, bool *ok) {
    graph_reset(g, false, true, DROPOUT_SEED);
    for (int i = 0; i < c->n_in; i++) c->in[i].grad = NULL;
    tensor *out = c->build(g, c);
    if (!out || g->status) {
        *ok = false;
        return 0;
    }
    return loss_of(out, R, c->scalar);
}

/* Analytic gradients into ana[i] (numel floats each): the increment of each
 * leaf's gradient over one recorded forward + backward. With `prefill` the
 * leaves start with random gradients (test-owned buffers), else NULL. */
static bool analytic(graph *g, gcase *c, const float *R, bool prefill, float *ana[MAX_IN]) {
    float *pre[MAX_IN] = {0}, *saved[MAX_IN] = {0};
    graph_reset(g, true, true, DROPOUT_SEED);
    for (int i = 0; i < c->n_in; i++) {
        c->in[i].grad = NULL;
        /* cross-entropy may write d(logits) over its input: keep the data */
        saved[i] = attn_malloc((size_t)c->in[i].numel * sizeof(float));
        memcpy(saved[i], c->in[i].data, (size_t)c->in[i].numel * sizeof(float));
        if (prefill) {
            pre[i] = attn_malloc((size_t)c->in[i].numel * sizeof(float));
            for (int64_t j = 0; j < c->in[i].numel; j++) pre[i][j] = rng_normal(SEED, 9000 + (uint64_t)i, (uint64_t)j);
            c->in[i].grad = attn_malloc((size_t)c->in[i].numel * sizeof(float));
            memcpy(c->in[i].grad, pre[i], (size_t)c->in[i].numel * sizeof(float));
        }
    }
    bool ok = true;
    tensor *out = c->build(g, c);
    if (!out || g->status) {
        fprintf(stderr, "    %s: forward failed: %s\n", c->name, attn_last_error());
        ok = false;
    } else {
        attn_status st = c->scalar ? graph_backward(g, out) : graph_backward_from(g, out, R);
        if (st) {
            fprintf(stderr, "    %s: backward failed: %s\n", c->name, attn_last_error());
            ok = false;
        }
    }
    for (int i = 0; ok && i < c->n_in; i++) {
        if (!c->in[i].grad) {
            fprintf(stderr, "    %s: input %d got no gradient\n", c->name, i);
            ok = false;
            break;
        }
        for (int64_t j = 0; j < c->in[i].numel; j++)
            ana[i][j] = (float)((double)c->in[i].grad[j] - (prefill ? (double)pre[i][j] : 0.0));
    }
    for (int i = 0; i < c->n_in; i++) {
        memcpy(c->in[i].data, saved[i], (size_t)c->in[i].numel * sizeof(float));
        if (prefill) attn_free(c->in[i].grad);
        c->in[i].grad = NULL;
        attn_free(saved[i]);
        attn_free(pre[i]);
    }
    return ok;
}

/* Checks every input element of case c on kernel table k; returns the
 * worst |num - ana| / max(1, |ana|). */
static double grad_check(const kernels *k, gcase *c) {
    const double tol = c->tol > 0 ? c->tol : TOL_OP;
    graph g;
    graph_init(&g, k);
    double worst = 0;
    /* R: the output size comes from one forward */
    bool ok = true;
    graph_reset(&g, false, true, DROPOUT_SEED);
    tensor *probe = c->build(&g, c);
    CHECK(probe != NULL && g.status == ATTN_OK);
    if (!probe || g.status) {
        graph_free(&g);
        return (double)INFINITY;
    }
    int64_t n_out = probe->numel;
    float *R = attn_malloc((size_t)n_out * sizeof(float));
    for (int64_t i = 0; i < n_out; i++) R[i] = rng_normal(SEED, 8000, (uint64_t)i);

    float *ana[MAX_IN] = {0}, *ana_pre[MAX_IN] = {0};
    for (int i = 0; i < c->n_in; i++) {
        ana[i] = attn_malloc((size_t)c->in[i].numel * sizeof(float));
        ana_pre[i] = attn_malloc((size_t)c->in[i].numel * sizeof(float));
    }
    CHECK(analytic(&g, c, R, false, ana));
    CHECK(analytic(&g, c, R, true, ana_pre));
    int fails = 0;
    /* thousands of tiny forwards: one thread (results never depend on the
     * count, and thread start-up would dominate on a loaded machine) */
    int threads = attn_get_threads();
    attn_set_threads(1);
    for (int i = 0; i < c->n_in; i++) {
        /* backward adds to existing gradients: the increment is the same */
        for (int64_t j = 0; j < c->in[i].numel; j++) {
            double a = (double)ana[i][j], b = (double)ana_pre[i][j];
            if (!(fabs(a - b) <= 1e-5 * fmax(1.0, fabs(a)))) {
                if (fails++ < 5)
                    fprintf(stderr, "    %s [%s] input %d [%lld]: fresh %.7g, from prefill %.7g\n", c->name, k->name,
                            i, (long long)j, a, b);
                worst = (double)INFINITY;
            }
        }
        for (int64_t j = 0; j < c->in[i].numel; j++) {
            float x = c->in[i].data[j], xp = x + c->h, xm = x - c->h;
            c->in[i].data[j] = xp;
            double Lp = eval(&g, c, R, &ok);
            c->in[i].data[j] = xm;
            double Lm = eval(&g, c, R, &ok);
            c->in[i].data[j] = x;
            double num = (Lp - Lm) / ((double)xp - (double)xm), a = (double)ana[i][j];
            double err = fabs(num - a) / fmax(1.0, fabs(a));
            if (!(err <= worst)) worst = err;
            if (!(err <= tol) && fails++ < 5)
                fprintf(stderr, "    %s [%s] input %d [%lld]: numeric %.7g, analytic %.7g\n", c->name, k->name, i,
                        (long long)j, num, a);
        }
    }
    attn_set_threads(threads);
    CHECK(ok);
    for (int i = 0; i < c->n_in; i++) attn_free(ana[i]), attn_free(ana_pre[i]);
    attn_free(R);
    graph_free(&g);
    return worst;
}

/* Runs the check on both tables; frees the leaves. */
static void check_case(gcase *c) {
    const kernels *tables[2] = {&kernels_ref, &kernels_cpu};
    for (int t = 0; t < 2; t++) {
        double worst = grad_check(tables[t], c), tol = c->tol > 0 ? c->tol : TOL_OP;
        if (!(worst <= tol)) fprintf(stderr, "    %s [%s]: worst relative error %.3g\n", c->name, tables[t]->name, worst);
        CHECK(worst <= tol);
    }
    for (int i = 0; i < c->n_in; i++) attn_free(c->in[i].data);
}

/* ---- cases ---------------------------------------------------------------- */

static tensor *build_embedding(graph *g, gcase *c) { return op_embedding(g, &c->in[0], c->ids, c->B, c->T); }

TEST("op_embedding: gradient of the table, with repeated ids") {
    static const int32_t ids[10] = {3, 1, 3, 0, 5, 3, 1, 1, 6, 2}; /* row 4 never used */
    gcase c = {.name = "embedding", .n_in = 1, .build = build_embedding, .h = 1e-2f, .ids = ids, .B = 2, .T = 5};
    c.in[0] = leaf(2, (int64_t[]){7, 5}, 1, 1.0f);
    check_case(&c);
}

static tensor *build_linear(graph *g, gcase *c) {
    return op_linear(g, &c->in[0], &c->in[1], c->n_in > 2 ? &c->in[2] : NULL);
}

TEST("op_linear: gradients of x, w and b; and without bias") {
    gcase c = {.name = "linear", .n_in = 3, .build = build_linear, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 5}, 10, 1.0f);
    c.in[1] = leaf(2, (int64_t[]){4, 5}, 11, 1.0f);
    c.in[2] = leaf(1, (int64_t[]){4}, 12, 1.0f);
    check_case(&c);
    gcase d = {.name = "linear (no bias)", .n_in = 2, .build = build_linear, .h = 1e-2f};
    d.in[0] = leaf(2, (int64_t[]){7, 3}, 13, 1.0f);
    d.in[1] = leaf(2, (int64_t[]){5, 3}, 14, 1.0f);
    check_case(&d);
}

static tensor *build_linear_gelu(graph *g, gcase *c) {
    return op_linear_act(g, &c->in[0], &c->in[1], &c->in[2], KACT_GELU);
}
static tensor *build_linear_gelu_erf(graph *g, gcase *c) {
    return op_linear_act(g, &c->in[0], &c->in[1], &c->in[2], KACT_GELU_ERF);
}

TEST("op_linear_act: gradients of x, w and b through the fused GELU (tanh and erf forms)") {
    gcase c = {.name = "linear+gelu", .n_in = 3, .build = build_linear_gelu, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 5}, 15, 1.0f);
    c.in[1] = leaf(2, (int64_t[]){6, 5}, 16, 1.0f);
    c.in[2] = leaf(1, (int64_t[]){6}, 17, 1.0f);
    check_case(&c);
    gcase d = {.name = "linear+gelu_erf", .n_in = 3, .build = build_linear_gelu_erf, .h = 1e-2f};
    d.in[0] = leaf(2, (int64_t[]){7, 4}, 18, 1.0f);
    d.in[1] = leaf(2, (int64_t[]){3, 4}, 19, 1.0f);
    d.in[2] = leaf(1, (int64_t[]){3}, 20, 1.0f);
    check_case(&d);
}

static kernel_act act_of_case;
static tensor *build_linear_act(graph *g, gcase *c) {
    return op_linear_act(g, &c->in[0], &c->in[1], &c->in[2], act_of_case);
}
static tensor *build_linear_then_act(graph *g, gcase *c) {
    tensor *h = op_linear(g, &c->in[0], &c->in[1], &c->in[2]);
    return act_of_case == KACT_GELU ? op_gelu(g, h) : act_of_case == KACT_GELU_ERF ? op_gelu_erf(g, h) : op_relu(g, h);
}

/* forward values and every gradient of the fused op equal the two ops' */
TEST("op_linear_act: values and gradients equal op_linear followed by op_gelu / op_gelu_erf / op_relu") {
    const kernels *tables[2] = {&kernels_ref, &kernels_cpu};
    for (int t = 0; t < 2; t++)
        for (int a = 0; a < 3; a++) {
            act_of_case = (kernel_act)a;
            gcase c = {.name = "linear+act", .n_in = 3, .build = build_linear_act};
            c.in[0] = leaf(3, (int64_t[]){2, 5, 9}, 60 + (uint64_t)a, 1.0f);
            c.in[1] = leaf(2, (int64_t[]){11, 9}, 63 + (uint64_t)a, 1.0f);
            c.in[2] = leaf(1, (int64_t[]){11}, 66 + (uint64_t)a, 1.0f);
            gcase d = c;
            d.build = build_linear_then_act;
            float *R = attn_malloc(2 * 5 * 11 * sizeof(float));
            for (int64_t i = 0; i < 2 * 5 * 11; i++) R[i] = rng_normal(SEED, 8100, (uint64_t)i);
            float *g1[MAX_IN] = {0}, *g2[MAX_IN] = {0};
            for (int i = 0; i < 3; i++) {
                g1[i] = attn_malloc((size_t)c.in[i].numel * sizeof(float));
                g2[i] = attn_malloc((size_t)c.in[i].numel * sizeof(float));
            }
            graph g;
            graph_init(&g, tables[t]);
            bool ok = true;
            double L1 = eval(&g, &c, R, &ok), L2 = eval(&g, &d, R, &ok);
            CHECK(ok && fabs(L1 - L2) <= 1e-6 * fmax(1.0, fabs(L2)));
            CHECK(analytic(&g, &c, R, false, g1));
            CHECK(analytic(&g, &d, R, false, g2));
            for (int i = 0; i < 3; i++)
                for (int64_t j = 0; j < c.in[i].numel; j++)
                    if (!(fabs((double)g1[i][j] - (double)g2[i][j]) <= 1e-6 * fmax(1.0, fabs((double)g2[i][j])))) {
                        fprintf(stderr, "    [%s] act %d input %d [%lld]: fused %.9g, two ops %.9g\n", tables[t]->name, a,
                                i, (long long)j, (double)g1[i][j], (double)g2[i][j]);
                        CHECK(false);
                        break;
                    }
            graph_free(&g);
            for (int i = 0; i < 3; i++) attn_free(g1[i]), attn_free(g2[i]), attn_free(c.in[i].data);
            attn_free(R);
        }
}

static tensor *build_layernorm(graph *g, gcase *c) { return op_layernorm(g, &c->in[0], &c->in[1], &c->in[2], 1e-5f); }

TEST("op_layernorm: gradients of x, weight and bias") {
    gcase c = {.name = "layernorm", .n_in = 3, .build = build_layernorm, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 2, 7}, 20, 1.0f);
    c.in[1] = leaf(1, (int64_t[]){7}, 21, 1.0f);
    c.in[2] = leaf(1, (int64_t[]){7}, 22, 1.0f);
    check_case(&c);
}

static tensor *build_add_layernorm(graph *g, gcase *c) {
    return op_add_layernorm(g, &c->in[0], &c->in[1], &c->in[2], &c->in[3], 1e-5f, NULL);
}

/* pre-LN use: the sum goes on (the residual stream) beside its layer norm */
static tensor *build_add_layernorm_stream(graph *g, gcase *c) {
    tensor *sum;
    tensor *ln = op_add_layernorm(g, &c->in[0], &c->in[1], &c->in[2], &c->in[3], 1e-5f, &sum);
    return op_add(g, op_gelu(g, ln), sum);
}

TEST("op_add_layernorm: gradients of both addends, weight and bias; with the sum used downstream too") {
    gcase c = {.name = "add_layernorm", .n_in = 4, .build = build_add_layernorm, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 9}, 23, 1.0f);
    c.in[1] = leaf(3, (int64_t[]){2, 3, 9}, 24, 1.0f);
    c.in[2] = leaf(1, (int64_t[]){9}, 25, 1.0f);
    c.in[3] = leaf(1, (int64_t[]){9}, 26, 1.0f);
    check_case(&c);
    gcase d = {.name = "add_layernorm (sum kept)", .n_in = 4, .build = build_add_layernorm_stream, .h = 1e-2f};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 9}, 27, 1.0f);
    d.in[1] = leaf(3, (int64_t[]){2, 3, 9}, 28, 1.0f);
    d.in[2] = leaf(1, (int64_t[]){9}, 29, 1.0f);
    d.in[3] = leaf(1, (int64_t[]){9}, 30, 1.0f);
    check_case(&d);
}

static tensor *build_gelu(graph *g, gcase *c) { return op_gelu(g, &c->in[0]); }
static tensor *build_relu(graph *g, gcase *c) { return op_relu(g, &c->in[0]); }

TEST("op_gelu: gradient over small and saturated inputs") {
    gcase c = {.name = "gelu", .n_in = 1, .build = build_gelu, .h = 1e-2f};
    c.in[0] = leaf(2, (int64_t[]){3, 11}, 30, 2.5f);
    check_case(&c);
}

/* Moves t's values 0.1 further from 0: central differences then stay off
 * the kink of ReLU (and of ReLU^2's second derivative). */
static void away_from_zero(tensor *t) {
    for (int64_t i = 0; i < t->numel; i++) t->data[i] += t->data[i] < 0 ? -0.1f : 0.1f;
}

TEST("op_relu: gradient (inputs kept away from the kink at 0)") {
    gcase c = {.name = "relu", .n_in = 1, .build = build_relu, .h = 1e-2f};
    c.in[0] = leaf(2, (int64_t[]){3, 11}, 40, 1.0f);
    away_from_zero(&c.in[0]);
    check_case(&c);
}

static tensor *build_add(graph *g, gcase *c) { return op_add(g, &c->in[0], &c->in[1]); }
static tensor *build_add_self(graph *g, gcase *c) { return op_add(g, &c->in[0], &c->in[0]); }

TEST("op_add: gradients of both inputs, and of one tensor added to itself") {
    gcase c = {.name = "add", .n_in = 2, .build = build_add, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 4}, 50, 1.0f);
    c.in[1] = leaf(3, (int64_t[]){2, 3, 4}, 51, 1.0f);
    check_case(&c);
    gcase d = {.name = "add (x + x)", .n_in = 1, .build = build_add_self, .h = 1e-2f};
    d.in[0] = leaf(2, (int64_t[]){3, 5}, 52, 1.0f);
    check_case(&d);
}

static tensor *build_dropout(graph *g, gcase *c) { return op_dropout(g, &c->in[0], c->p); }

TEST("op_dropout: gradient with p = 0.3 while training (fixed mask from the graph seed)") {
    gcase c = {.name = "dropout", .n_in = 1, .build = build_dropout, .h = 1e-2f, .p = 0.3f};
    c.in[0] = leaf(2, (int64_t[]){4, 9}, 60, 1.0f);
    check_case(&c);
    /* the mask really drops about p of the elements, and scales the rest */
    graph g;
    graph_init(&g, &kernels_ref);
    graph_reset(&g, false, true, DROPOUT_SEED);
    tensor x = leaf(1, (int64_t[]){4000}, 61, 1.0f);
    tensor *y = op_dropout(&g, &x, 0.3f);
    CHECK(y && y != &x);
    int64_t zeros = 0;
    bool scaled = true;
    for (int64_t i = 0; y && i < x.numel; i++) {
        if (y->data[i] == 0.0f) zeros++;
        else scaled = scaled && fabsf(y->data[i] - x.data[i] / 0.7f) <= 1e-6f * fabsf(x.data[i]) + 1e-7f;
    }
    CHECK(zeros > 1000 && zeros < 1400);
    CHECK(scaled);
    attn_free(x.data);
    graph_free(&g);
}

/* attention: in[0] is q (or the packed qkv), in[1] the packed kv */
static tensor *build_self_attention(graph *g, gcase *c) {
    return op_attention_alibi(g, &c->in[0], 0, &c->in[0], c->C, 2 * c->C, c->C, c->H, c->causal, c->mask, c->alibi);
}

static tensor *build_cross_attention(graph *g, gcase *c) {
    /* q (B, Tq, C+3) with queries at column 2; kv (B, Tk, 2C+1) with keys at
     * 1 and values at C+1: the unused columns must get zero gradient */
    return op_attention_alibi(g, &c->in[0], 2, &c->in[1], 1, c->C + 1, c->C, c->H, c->causal, c->mask, c->alibi);
}

TEST("op_attention_alibi: causal self-attention and masked cross-attention with ALiBi slopes") {
    static const uint8_t mask[12] = {1, 1, 1, 0, 1, 1, /**/ 1, 0, 1, 1, 0, 1};
    static const float slopes[4] = {0.5f, 0.25f, 1.0f, 0.0625f};
    gcase c = {.name = "attention alibi causal", .n_in = 1, .build = build_self_attention, .h = 1e-2f, .C = 8,
               .H = 2, .causal = true, .alibi = slopes};
    c.in[0] = leaf(3, (int64_t[]){2, 5, 24}, 72, 1.0f);
    check_case(&c);
    gcase d = {.name = "cross-attention alibi", .n_in = 2, .build = build_cross_attention, .h = 1e-2f, .C = 8,
               .H = 4, .mask = mask, .alibi = slopes};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 11}, 94, 1.0f);
    d.in[1] = leaf(3, (int64_t[]){2, 6, 17}, 95, 1.0f);
    check_case(&d);
}

TEST("attn_alibi_slopes: powers of two and the interleaved rule for other head counts (BLOOM's values)") {
    float s8[8], s12[12], s1[1];
    attn_alibi_slopes(8, s8);
    for (int h = 0; h < 8; h++) CHECK(s8[h] == ldexpf(1.0f, -(h + 1)));
    /* 12 heads: the 8-head slopes 2^-1 .. 2^-8, then 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5 */
    attn_alibi_slopes(12, s12);
    for (int h = 0; h < 8; h++) CHECK(s12[h] == s8[h]);
    for (int h = 8; h < 12; h++) CHECK(fabsf(s12[h] - powf(2.0f, -0.5f - (float)(h - 8))) <= 1e-7f);
    attn_alibi_slopes(1, s1);
    CHECK(s1[0] == 1.0f / 256.0f);
}

TEST("op_attention: causal self-attention from a packed qkv tensor") {
    gcase c = {.name = "attention causal", .n_in = 1, .build = build_self_attention, .h = 1e-2f, .C = 8, .H = 2,
               .causal = true};
    c.in[0] = leaf(3, (int64_t[]){2, 4, 24}, 70, 1.0f);
    check_case(&c);
}

TEST("op_attention: bidirectional with a key mask (a partly and a fully hidden batch row)") {
    static const uint8_t mask[15] = {1, 1, 0, 1, 1, /**/ 0, 1, 0, 0, 1, /**/ 0, 0, 0, 0, 0};
    gcase c = {.name = "attention masked", .n_in = 1, .build = build_self_attention, .h = 1e-2f, .C = 8, .H = 2,
               .mask = mask};
    c.in[0] = leaf(3, (int64_t[]){3, 5, 24}, 80, 1.0f);
    check_case(&c);
}

TEST("op_attention: cross-attention, separate q and packed kv of different lengths") {
    static const uint8_t mask[12] = {1, 1, 1, 0, 1, 1, /**/ 1, 0, 1, 1, 0, 1};
    gcase c = {.name = "cross-attention", .n_in = 2, .build = build_cross_attention, .h = 1e-2f, .C = 8, .H = 2,
               .mask = mask};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 11}, 90, 1.0f);
    c.in[1] = leaf(3, (int64_t[]){2, 6, 17}, 91, 1.0f);
    check_case(&c);
    gcase d = {.name = "cross-attention causal", .n_in = 2, .build = build_cross_attention, .h = 1e-2f, .C = 8,
               .H = 4, .causal = true};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 11}, 92, 1.0f);
    d.in[1] = leaf(3, (int64_t[]){2, 6, 17}, 93, 1.0f);
    check_case(&d);
}

static tensor *build_cross_entropy(graph *g, gcase *c) { return op_cross_entropy(g, &c->in[0], c->ids, -100); }

TEST("op_cross_entropy: gradient of the logits with an ignored row (L is the op's output)") {
    static const int32_t targets[5] = {3, -100, 0, 6, 2};
    gcase c = {.name = "cross-entropy", .n_in = 1, .build = build_cross_entropy, .h = 1e-2f, .scalar = true,
               .ids = targets};
    c.in[0] = leaf(2, (int64_t[]){5, 7}, 100, 2.0f);
    check_case(&c);
}

static tensor *build_two_losses(graph *g, gcase *c) {
    /* two cross-entropies over the same logits, summed */
    static const int32_t other[5] = {1, 4, -100, 6, 0};
    tensor *a = op_cross_entropy(g, &c->in[0], c->ids, -100);
    tensor *b = op_cross_entropy(g, &c->in[0], other, -100);
    return op_add(g, a, b);
}

TEST("op_cross_entropy: two losses over the same logits add their gradients") {
    static const int32_t targets[5] = {3, -100, 0, 6, 2};
    gcase c = {.name = "two cross-entropies", .n_in = 1, .build = build_two_losses, .h = 1e-2f, .scalar = true,
               .ids = targets};
    c.in[0] = leaf(2, (int64_t[]){5, 7}, 110, 2.0f);
    check_case(&c);
}

static tensor *build_block(graph *g, gcase *c) {
    /* x -> layernorm -> linear(3C) -> causal attention -> + x -> gelu ->
     * dropout: x feeds two ops, so its gradient sums two paths */
    tensor *x = &c->in[0], *w = &c->in[1], *lnw = &c->in[2];
    int64_t C = c->C;
    tensor *ones = graph_tensor(g, 1, (int64_t[]){C});
    if (!ones) return NULL;
    for (int64_t i = 0; i < C; i++) ones->data[i] = 0.1f * (float)i;
    tensor *h = op_layernorm(g, x, lnw, ones, 1e-5f);
    tensor *qkv = op_linear(g, h, w, NULL);
    tensor *a = op_attention(g, qkv, 0, qkv, C, 2 * C, C, c->H, true, NULL);
    tensor *r = op_add(g, a, x);
    return op_dropout(g, op_gelu(g, r), 0.2f);
}

TEST("a chain of ops (layernorm, linear, attention, add, gelu, dropout) with a residual path") {
    /* truncation error ~h^2 dominates through the chain: h = 5e-3, worst seen ~3e-4 */
    gcase c = {.name = "block", .n_in = 3, .build = build_block, .h = 5e-3f, .C = 8, .H = 2, .tol = 1e-3};
    c.in[0] = leaf(3, (int64_t[]){2, 4, 8}, 120, 1.0f);
    c.in[1] = leaf(2, (int64_t[]){24, 8}, 121, 0.5f);
    c.in[2] = leaf(1, (int64_t[]){8}, 122, 1.0f);
    check_case(&c);
}

/* ---- parameters and allocation ------------------------------------------- */

/* A parameter: data and grad test-owned (attn_calloc), grad zeroed. */
static tensor param(int ndim, const int64_t *shape, uint64_t stream, float amp) {
    tensor t = leaf(ndim, shape, stream, amp);
    t.grad = attn_calloc((size_t)t.numel, sizeof(float));
    t.is_param = true;
    return t;
}

TEST("a parameter's gradient accumulates over two backward passes") {
    const kernels *tables[2] = {&kernels_ref, &kernels_cpu};
    static const int32_t targets[6] = {0, 2, 4, -100, 1, 3};
    for (int t = 0; t < 2; t++) {
        graph g;
        graph_init(&g, tables[t]);
        tensor x = leaf(2, (int64_t[]){6, 5}, 200, 1.0f);
        x.requires_grad = false; /* data, not a parameter */
        tensor w = param(2, (int64_t[]){5, 5}, 201, 1.0f), b = param(1, (int64_t[]){5}, 202, 1.0f);
        float *g1w = attn_malloc(25 * sizeof(float)), *g1b = attn_malloc(5 * sizeof(float));
        const float *wgrad = w.grad, *bgrad = b.grad;
        for (int step = 0; step < 2; step++) {
            graph_reset(&g, true, true, 1);
            tensor *loss = op_cross_entropy(&g, op_linear(&g, &x, &w, &b), targets, -100);
            CHECK(loss != NULL);
            if (!loss) break;
            CHECK_OK(graph_backward(&g, loss));
            if (step == 0) {
                memcpy(g1w, w.grad, 25 * sizeof(float));
                memcpy(g1b, b.grad, 5 * sizeof(float));
            }
        }
        bool doubled = true, nonzero = false;
        for (int i = 0; i < 25; i++) {
            doubled = doubled && fabsf(w.grad[i] - 2.0f * g1w[i]) <= 1e-6f * fmaxf(1.0f, fabsf(g1w[i]));
            nonzero = nonzero || g1w[i] != 0.0f;
        }
        for (int i = 0; i < 5; i++) doubled = doubled && fabsf(b.grad[i] - 2.0f * g1b[i]) <= 1e-6f * fmaxf(1.0f, fabsf(g1b[i]));
        CHECK(doubled);
        CHECK(nonzero);
        CHECK(w.grad == wgrad && b.grad == bgrad); /* the param's own buffers, not the arena's */
        attn_free(x.data), attn_free(w.data), attn_free(w.grad), attn_free(b.data), attn_free(b.grad);
        attn_free(g1w), attn_free(g1b);
        graph_free(&g);
    }
}

TEST("a repeated training step allocates nothing: arena chunks and tape capacity unchanged") {
    const kernels *tables[2] = {&kernels_ref, &kernels_cpu};
    static const int32_t targets[4] = {1, 7, -100, 3};
    for (int t = 0; t < 2; t++) {
        graph g;
        graph_init(&g, tables[t]);
        g.mem.min_chunk = 4096; /* small chunks, so the first step needs many */
        tensor x = leaf(2, (int64_t[]){4, 8}, 300, 1.0f);
        x.requires_grad = false;
        tensor w = param(2, (int64_t[]){8, 8}, 301, 0.3f), b = param(1, (int64_t[]){8}, 302, 0.1f);
        size_t chunks = 0;
        int64_t cap = 0;
        float loss1 = 0;
        for (int step = 0; step < 3; step++) {
            graph_reset(&g, true, true, 5);
            tensor *h = &x;
            for (int l = 0; l < 150; l++) /* 300 entries: past the first tape capacity */
                h = op_gelu(&g, op_dropout(&g, op_linear(&g, h, &w, &b), 0.1f));
            tensor *loss = op_cross_entropy(&g, h, targets, -100);
            CHECK(loss != NULL);
            if (!loss) break;
            float lv = loss->data[0];
            CHECK_OK(graph_backward(&g, loss));
            if (step == 0) {
                chunks = g.mem.n_chunk_allocs;
                cap = g.cap_tape;
                loss1 = lv;
                CHECK(chunks > 1);
                CHECK(g.n_tape > 256);
            } else {
                CHECK(g.mem.n_chunk_allocs == chunks);
                CHECK(g.cap_tape == cap);
                CHECK(lv == loss1);
            }
        }
        bool finite = true;
        for (int i = 0; i < 64; i++) finite = finite && isfinite(w.grad[i]);
        CHECK(finite);
        attn_free(x.data), attn_free(w.data), attn_free(w.grad), attn_free(b.data), attn_free(b.grad);
        graph_free(&g);
    }
}

TEST("graph_backward_from rejects a graph that did not record, and needs dout") {
    graph g;
    graph_init(&g, &kernels_ref);
    tensor x = leaf(2, (int64_t[]){2, 3}, 400, 1.0f);
    float R[6] = {1, 1, 1, 1, 1, 1};
    graph_reset(&g, false, false, 0);
    tensor *y = op_gelu(&g, &x);
    CHECK(y != NULL);
    CHECK_STATUS(graph_backward_from(&g, y, R), ATTN_ERR_INVALID_ARG);
    graph_reset(&g, true, false, 0);
    y = op_gelu(&g, &x);
    CHECK_STATUS(graph_backward_from(&g, y, NULL), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(graph_backward(&g, y), ATTN_ERR_INVALID_ARG); /* not a scalar */
    CHECK_OK(graph_backward_from(&g, y, R));
    CHECK(x.grad != NULL);
    attn_free(x.data);
    graph_free(&g);
}

/* ---- BERT ops: exact GELU, tanh, and a post-LN encoder block --------------- */

static tensor *build_gelu_erf(graph *g, gcase *c) { return op_gelu_erf(g, &c->in[0]); }
static tensor *build_tanh(graph *g, gcase *c) { return op_tanh(g, &c->in[0]); }

TEST("op_gelu_erf: gradient over small and saturated inputs") {
    gcase c = {.name = "gelu_erf", .n_in = 1, .build = build_gelu_erf, .h = 1e-2f};
    c.in[0] = leaf(2, (int64_t[]){3, 11}, 130, 2.5f);
    check_case(&c);
}

TEST("op_tanh: gradient over small and saturated inputs (backward from the output)") {
    gcase c = {.name = "tanh", .n_in = 1, .build = build_tanh, .h = 1e-2f};
    c.in[0] = leaf(2, (int64_t[]){3, 11}, 140, 2.0f);
    check_case(&c);
}

/* The BERT pooler: tanh(dense(x[:, 0])); x's other positions get zero gradient. */
static tensor *build_pooler(graph *g, gcase *c) {
    return op_tanh(g, op_linear(g, op_select(g, &c->in[0], 0), &c->in[1], &c->in[2]));
}

static tensor *build_select_last(graph *g, gcase *c) { return op_select(g, &c->in[0], 2); }

/* A position per row (a decoder classifier's last real token), repeated rows included. */
static tensor *build_select_rows(graph *g, gcase *c) {
    static const int32_t pos[3] = {2, 0, 2};
    return op_linear(g, op_select_rows(g, &c->in[0], pos), &c->in[1], NULL);
}

/* Rows of the flattened (B, T, C) input, one repeated (a masked-LM batch's masked positions). */
static tensor *build_gather(graph *g, gcase *c) {
    static const int32_t idx[5] = {7, 0, 11, 7, 4};
    return op_linear(g, op_gather_rows(g, &c->in[0], idx, 5), &c->in[1], NULL);
}

TEST("op_select: the pooler's [CLS] row (select, linear, tanh), another position, a position per row, gathered rows") {
    gcase c = {.name = "pooler", .n_in = 3, .build = build_pooler, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 5}, 160, 1.0f);
    c.in[1] = leaf(2, (int64_t[]){4, 5}, 161, 0.5f);
    c.in[2] = leaf(1, (int64_t[]){4}, 162, 0.5f);
    check_case(&c);
    gcase d = {.name = "select t=2", .n_in = 1, .build = build_select_last, .h = 1e-2f};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 5}, 163, 1.0f);
    check_case(&d);
    gcase e = {.name = "select per row", .n_in = 2, .build = build_select_rows, .h = 1e-2f};
    e.in[0] = leaf(3, (int64_t[]){3, 4, 5}, 164, 1.0f);
    e.in[1] = leaf(2, (int64_t[]){2, 5}, 165, 0.5f);
    check_case(&e);
    gcase f = {.name = "gather rows", .n_in = 2, .build = build_gather, .h = 1e-2f};
    f.in[0] = leaf(3, (int64_t[]){3, 4, 5}, 166, 1.0f);
    f.in[1] = leaf(2, (int64_t[]){2, 5}, 167, 0.5f);
    check_case(&f);
}

static tensor *build_post_ln_block(graph *g, gcase *c) {
    /* BERT's block: x -> qkv -> masked bidirectional attention -> + x ->
     * layernorm -> gelu_erf -> tanh (the pooler's activation) */
    static const uint8_t mask[8] = {1, 1, 1, 0, /**/ 1, 1, 0, 0};
    tensor *x = &c->in[0], *w = &c->in[1], *lnw = &c->in[2];
    int64_t C = c->C;
    tensor *zeros = graph_tensor(g, 1, (int64_t[]){C});
    if (!zeros) return NULL;
    for (int64_t i = 0; i < C; i++) zeros->data[i] = 0.05f * (float)i;
    tensor *qkv = op_linear(g, x, w, NULL);
    tensor *a = op_attention(g, qkv, 0, qkv, C, 2 * C, C, c->H, false, mask);
    tensor *h = op_layernorm(g, op_add(g, a, x), lnw, zeros, 1e-12f);
    return op_tanh(g, op_gelu_erf(g, h));
}

TEST("a post-LN encoder chain (linear, masked attention, add, layernorm, gelu_erf, tanh)") {
    gcase c = {.name = "post-LN block", .n_in = 3, .build = build_post_ln_block, .h = 5e-3f, .C = 8, .H = 2,
               .tol = 1e-3};
    c.in[0] = leaf(3, (int64_t[]){2, 4, 8}, 150, 1.0f);
    c.in[1] = leaf(2, (int64_t[]){24, 8}, 151, 0.5f);
    c.in[2] = leaf(1, (int64_t[]){8}, 152, 1.0f);
    check_case(&c);
}

/* ---- encoder-decoder pieces ------------------------------------------------ */

static tensor *build_scale(graph *g, gcase *c) { return op_scale(g, &c->in[0], c->p); }

TEST("op_scale: gradient of s * x (an embedding scale of sqrt(d_model))") {
    gcase c = {.name = "scale", .n_in = 1, .build = build_scale, .h = 1e-2f, .p = 5.656854f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 4}, 600, 1.0f);
    check_case(&c);
}

static tensor *build_smooth(graph *g, gcase *c) { return op_cross_entropy_smooth(g, &c->in[0], c->ids, -1, c->p); }

TEST("op_cross_entropy_smooth: gradient with label smoothing 0.1 and 0.6, an ignored row (L is the op's output)") {
    static const int32_t targets[5] = {3, -1, 0, 6, 2};
    const float eps[2] = {0.1f, 0.6f};
    for (int i = 0; i < 2; i++) {
        gcase c = {.name = "smoothed cross-entropy", .n_in = 1, .build = build_smooth, .h = 1e-2f, .scalar = true,
                   .ids = targets, .p = eps[i]};
        c.in[0] = leaf(2, (int64_t[]){5, 7}, 610 + (uint64_t)i, 2.0f);
        check_case(&c);
    }
}

/* ---- recurrent ops (RNNsearch) -------------------------------------------- */

/* Rows of every kind: full length, shorter, a single position, empty. */
static const int32_t GRU_LENGTHS[4] = {4, 2, 1, 0};

/* c->causal selects the reverse direction. */
static tensor *build_gru(graph *g, gcase *c) { return op_gru(g, &c->in[0], &c->in[1], &c->in[2], c->ids, c->causal); }

TEST("op_gru: gradients of gi, w_hh and b_hh through time, padded rows, both directions") {
    for (int reverse = 0; reverse < 2; reverse++) {
        gcase c = {.name = reverse ? "gru reverse" : "gru forward", .n_in = 3, .build = build_gru, .h = 1e-2f,
                   .ids = GRU_LENGTHS, .causal = reverse, .tol = 1e-3};
        c.in[0] = leaf(3, (int64_t[]){4, 4, 9}, 200 + (uint64_t)reverse, 1.0f);
        c.in[1] = leaf(2, (int64_t[]){9, 3}, 202, 0.6f);
        c.in[2] = leaf(1, (int64_t[]){9}, 203, 0.5f);
        check_case(&c);
    }
}

TEST("op_cross_entropy_smooth: the value is (1 - eps) nll + eps mean(-log p), and eps = 0 is op_cross_entropy") {
    float x[2 * 4] = {0.5f, -1.0f, 2.0f, 0.0f, 1.0f, 1.0f, -3.0f, 0.25f};
    const int32_t t[2] = {2, 0};
    double want = 0;
    for (int n = 0; n < 2; n++) {
        double mx = -INFINITY, s = 0, mean_nl = 0;
        for (int j = 0; j < 4; j++) mx = fmax(mx, (double)x[n * 4 + j]);
        for (int j = 0; j < 4; j++) s += exp((double)x[n * 4 + j] - mx);
        double lse = mx + log(s);
        for (int j = 0; j < 4; j++) mean_nl += (lse - (double)x[n * 4 + j]) / 4.0;
        want += (0.75 * (lse - (double)x[n * 4 + t[n]]) + 0.25 * mean_nl) / 2.0;
    }
    const kernels *tables[2] = {&kernels_ref, kernels_default()};
    for (int k = 0; k < 2; k++) {
        graph g;
        graph_init(&g, tables[k]);
        graph_reset(&g, false, false, 0);
        tensor logits = {.data = x, .ndim = 2, .shape = {2, 4}, .numel = 8};
        tensor *l = op_cross_entropy_smooth(&g, &logits, t, -1, 0.25f);
        CHECK(l != NULL);
        if (l) CHECK_NEAR(l->data[0], want, 1e-6);
        tensor *a = op_cross_entropy_smooth(&g, &logits, t, -1, 0.0f), *b = op_cross_entropy(&g, &logits, t, -1);
        CHECK(a && b && a->data[0] == b->data[0]);
        CHECK(op_cross_entropy_smooth(&g, &logits, t, -1, 1.5f) == NULL && g.status == ATTN_ERR_INVALID_ARG);
        graph_free(&g);
    }
}

static tensor *build_embedding_padded(graph *g, gcase *c) {
    return op_embedding_padded(g, &c->in[0], c->ids, c->B, c->T, 3);
}

TEST("op_embedding_padded: gradient of the table with the padding row left out") {
    static const int32_t ids[10] = {3, 1, 3, 0, 5, 3, 1, 1, 6, 2};
    gcase c = {.name = "embedding (padding_idx 3)", .n_in = 1, .build = build_embedding_padded, .h = 1e-2f, .ids = ids,
               .B = 2, .T = 5};
    c.in[0] = leaf(2, (int64_t[]){7, 5}, 620, 1.0f);
    /* the numeric gradient of row 3 is not zero (it is read), so check the
     * analytic one directly: every other row as op_embedding, row 3 zero */
    graph g;
    graph_init(&g, NULL);
    c.in[0].grad = attn_calloc(35, sizeof(float));
    graph_reset(&g, true, false, 0);
    tensor *out = build_embedding_padded(&g, &c);
    float *R = attn_malloc(50 * sizeof(float));
    for (int i = 0; i < 50; i++) R[i] = rng_normal(SEED, 621, (uint64_t)i);
    CHECK(out != NULL);
    if (out) CHECK_OK(graph_backward_from(&g, out, R));
    bool ok = true;
    for (int64_t r = 0; r < 7; r++)
        for (int64_t j = 0; j < 5; j++) {
            double want = 0;
            for (int n = 0; n < 10; n++)
                if (ids[n] == r && r != 3) want += (double)R[n * 5 + j];
            ok = ok && fabs((double)c.in[0].grad[r * 5 + j] - want) <= 1e-6;
        }
    CHECK(ok);
    attn_free(c.in[0].grad), attn_free(c.in[0].data), attn_free(R);
    graph_free(&g);
}

static tensor *build_gru_cell(graph *g, gcase *c) { return op_gru_cell(g, &c->in[0], &c->in[1], &c->in[2]); }

TEST("op_gru_cell: gradients of gi, gh and h") {
    gcase c = {.name = "gru_cell", .n_in = 3, .build = build_gru_cell, .h = 1e-2f};
    c.in[0] = leaf(2, (int64_t[]){4, 15}, 210, 1.0f);
    c.in[1] = leaf(2, (int64_t[]){4, 15}, 211, 1.0f);
    c.in[2] = leaf(2, (int64_t[]){4, 5}, 212, 1.0f);
    check_case(&c);
}

static const int32_t SRC_LENGTHS[3] = {4, 2, 1};

static tensor *build_additive(graph *g, gcase *c) {
    return op_additive_attention(g, &c->in[0], &c->in[1], &c->in[2], c->ids);
}

TEST("op_additive_attention: gradients of ws, uh and v with padded source rows") {
    gcase c = {.name = "additive attention", .n_in = 3, .build = build_additive, .h = 1e-2f, .ids = SRC_LENGTHS};
    c.in[0] = leaf(2, (int64_t[]){3, 5}, 220, 1.0f);
    c.in[1] = leaf(3, (int64_t[]){3, 4, 5}, 221, 1.0f);
    c.in[2] = leaf(1, (int64_t[]){5}, 222, 1.0f);
    check_case(&c);
}

static tensor *build_weighted_sum(graph *g, gcase *c) { return op_weighted_sum(g, &c->in[0], &c->in[1]); }
static tensor *build_concat(graph *g, gcase *c) { return op_concat(g, &c->in[0], &c->in[1]); }
static tensor *build_stack(graph *g, gcase *c) {
    tensor *xs[4] = {&c->in[0], &c->in[1], &c->in[2], &c->in[1]}; /* one input twice */
    return op_stack(g, xs, 4);
}
static tensor *build_maxout(graph *g, gcase *c) { return op_maxout(g, &c->in[0]); }
static tensor *build_select_ids(graph *g, gcase *c) { return op_select_rows(g, &c->in[0], c->ids); }

TEST("op_weighted_sum, op_concat, op_stack (an input used twice), op_maxout, op_select_rows") {
    gcase c = {.name = "weighted sum", .n_in = 2, .build = build_weighted_sum, .h = 1e-2f};
    c.in[0] = leaf(2, (int64_t[]){2, 3}, 230, 1.0f);
    c.in[1] = leaf(3, (int64_t[]){2, 3, 4}, 231, 1.0f);
    check_case(&c);
    gcase d = {.name = "concat", .n_in = 2, .build = build_concat, .h = 1e-2f};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 2}, 232, 1.0f);
    d.in[1] = leaf(2, (int64_t[]){6, 4}, 233, 1.0f);
    check_case(&d);
    gcase e = {.name = "stack", .n_in = 3, .build = build_stack, .h = 1e-2f};
    for (int i = 0; i < 3; i++) e.in[i] = leaf(2, (int64_t[]){2, 3}, 234 + (uint64_t)i, 1.0f);
    check_case(&e);
    /* maxout: pairs kept at least 0.1 apart so that +-h never flips the max */
    gcase f = {.name = "maxout", .n_in = 1, .build = build_maxout, .h = 1e-2f};
    f.in[0] = leaf(2, (int64_t[]){3, 8}, 237, 1.0f);
    for (int64_t i = 0; i < 12; i++) {
        float *p = f.in[0].data + 2 * i;
        if (fabsf(p[0] - p[1]) < 0.1f) p[i % 2] += 0.2f;
    }
    check_case(&f);
    static const int32_t pos[3] = {3, 0, 2};
    gcase s = {.name = "select_rows", .n_in = 1, .build = build_select_ids, .h = 1e-2f, .ids = pos};
    s.in[0] = leaf(3, (int64_t[]){3, 4, 5}, 238, 1.0f);
    check_case(&s);
}

/* One decoder step of RNNsearch on a small scale: weights from the state
 * over the annotations (which serve as both U h and the values), the
 * context, a GRU cell step on [context; state], a maxout. */
static tensor *build_decoder_step(graph *g, gcase *c) {
    tensor *s = &c->in[0], *annot = &c->in[1], *v = &c->in[2];
    tensor *a = op_additive_attention(g, s, annot, v, c->ids);
    tensor *ctx = op_weighted_sum(g, a, annot);
    tensor *x = op_concat(g, ctx, s);                                   /* (B, 2A) */
    tensor *gi = op_concat(g, op_concat(g, x, x), x);                   /* (B, 3H), H = 2A */
    tensor *gh = op_concat(g, op_concat(g, x, op_concat(g, s, ctx)), x);
    tensor *h = op_concat(g, s, op_select_rows(g, annot, c->ids + 3)); /* (B, H) */
    return op_maxout(g, op_gru_cell(g, gi, gh, h));
}

TEST("a chain of the decoder's ops (additive attention, weighted sum, concat, gru_cell, select_rows, maxout)") {
    static const int32_t ids[6] = {4, 2, 1, /* positions: */ 3, 1, 0};
    gcase c = {.name = "decoder step", .n_in = 3, .build = build_decoder_step, .h = 5e-3f, .ids = ids, .tol = 1e-3};
    c.in[0] = leaf(2, (int64_t[]){3, 3}, 240, 1.0f);
    c.in[1] = leaf(3, (int64_t[]){3, 4, 3}, 241, 1.0f);
    c.in[2] = leaf(1, (int64_t[]){3}, 242, 1.0f);
    check_case(&c);
}

/* ---- Llama-style ops: RMSNorm, rotary positions, SwiGLU, grouped-query attention ---- */

static tensor *build_rmsnorm(graph *g, gcase *c) { return op_rmsnorm(g, &c->in[0], &c->in[1], 1e-5f); }

/* pre-norm use: the sum goes on beside its norm */
static tensor *build_add_rmsnorm_stream(graph *g, gcase *c) {
    tensor *sum;
    tensor *n = op_add_rmsnorm(g, &c->in[0], &c->in[1], &c->in[2], 1e-5f, &sum);
    return op_add(g, op_gelu(g, n), sum);
}

TEST("op_rmsnorm and op_add_rmsnorm: gradients of x (both addends), the weight, and the sum used downstream") {
    gcase c = {.name = "rmsnorm", .n_in = 2, .build = build_rmsnorm, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 2, 7}, 3000, 1.0f);
    c.in[1] = leaf(1, (int64_t[]){7}, 3001, 1.0f);
    check_case(&c);
    gcase d = {.name = "add_rmsnorm (sum kept)", .n_in = 3, .build = build_add_rmsnorm_stream, .h = 1e-2f};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 9}, 3002, 1.0f);
    d.in[1] = leaf(3, (int64_t[]){2, 3, 9}, 3003, 1.0f);
    d.in[2] = leaf(1, (int64_t[]){9}, 3004, 1.0f);
    check_case(&d);
}

static const int32_t ROPE_POS[6] = {0, 1, 2, 7, 8, 100};

/* a fused q|k|v row: 2 query heads and 1 key head of width 6 rotated, the value head passes */
static tensor *build_rope(graph *g, gcase *c) { return op_rope(g, &c->in[0], ROPE_POS, 3, 6, 6, 10000.0f); }
/* partial rotary: the first 4 of 6 dimensions */
static tensor *build_rope_partial(graph *g, gcase *c) { return op_rope(g, &c->in[0], ROPE_POS, 3, 6, 4, 100.0f); }

TEST("op_rope: gradient of a fused q|k|v tensor (the inverse rotation), full and partial rotary") {
    gcase c = {.name = "rope", .n_in = 1, .build = build_rope, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 24}, 3010, 1.0f);
    check_case(&c);
    gcase d = {.name = "rope partial", .n_in = 1, .build = build_rope_partial, .h = 1e-2f};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 24}, 3011, 1.0f);
    check_case(&d);
}

static tensor *build_swiglu(graph *g, gcase *c) { return op_swiglu(g, &c->in[0]); }
static tensor *build_geglu(graph *g, gcase *c) { return op_geglu(g, &c->in[0]); }

TEST("op_swiglu, op_geglu: gradients of the gate and up halves") {
    gcase c = {.name = "swiglu", .n_in = 1, .build = build_swiglu, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 10}, 3020, 2.0f);
    check_case(&c);
    gcase d = {.name = "geglu", .n_in = 1, .build = build_geglu, .h = 1e-2f};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 10}, 3021, 2.0f);
    check_case(&d);
}

/* a fused q|k|v row: 2 query and 2 key heads of width 5 normed, the value heads pass */
static tensor *build_qk_norm(graph *g, gcase *c) { return op_qk_norm(g, &c->in[0], 4, 5, 1e-5f); }
/* the GPT-2 variant's chain: QK-norm, then rope on the fused q|k|v, then causal attention */
static tensor *build_qk_norm_rope_attention(graph *g, gcase *c) {
    tensor *n = op_rope(g, op_qk_norm(g, &c->in[0], 4, 3, 1e-5f), ROPE_POS, 4, 3, 2, 10000.0f);
    return op_attention_gqa(g, n, 0, n, 6, 12, 2, 2, 3, true, NULL);
}
static tensor *build_relu2(graph *g, gcase *c) { return op_relu2(g, &c->in[0]); }
/* the MLP of the variant: linear, ReLU^2 (op_linear_act's KACT_RELU2), linear */
static tensor *build_relu2_mlp(graph *g, gcase *c) {
    return op_linear(g, op_linear_act(g, &c->in[0], &c->in[1], &c->in[2], KACT_RELU2), &c->in[3], NULL);
}

TEST("op_qk_norm: gradient of a fused q|k|v tensor (normed q and k heads, passed v); with rope and attention after it") {
    gcase c = {.name = "qk_norm", .n_in = 1, .build = build_qk_norm, .h = 1e-2f};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 30}, 3030, 1.0f);
    check_case(&c);
    gcase d = {.name = "qk_norm + rope + attention", .n_in = 1, .build = build_qk_norm_rope_attention, .h = 1e-2f,
               .tol = 1e-3};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 18}, 3031, 1.0f);
    check_case(&d);
}

TEST("op_relu2: gradient (inputs kept away from 0); through op_linear_act(KACT_RELU2) in an MLP") {
    gcase c = {.name = "relu2", .n_in = 1, .build = build_relu2, .h = 1e-2f};
    c.in[0] = leaf(2, (int64_t[]){3, 11}, 3040, 1.0f);
    away_from_zero(&c.in[0]);
    check_case(&c);
    gcase d = {.name = "linear + relu2 + linear", .n_in = 4, .build = build_relu2_mlp, .h = 1e-2f, .tol = 1e-3};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 5}, 3041, 1.0f);
    d.in[1] = leaf(2, (int64_t[]){7, 5}, 3042, 1.0f);
    d.in[2] = leaf(1, (int64_t[]){7}, 3043, 1.0f);
    d.in[3] = leaf(2, (int64_t[]){4, 7}, 3044, 1.0f);
    check_case(&d);
}

/* GQA self-attention from a fused q|k|v of 4 query heads and 2 key/value
 * heads of width 3 (so H * D = 12 differs from any model width): in[0] is
 * (B, T, 12 + 2 * 6) */
static tensor *build_gqa(graph *g, gcase *c) {
    return op_attention_gqa(g, &c->in[0], 0, &c->in[0], 12, 18, 4, 2, 3, c->causal, c->mask);
}

/* the decoder's chain: rope on the fused q|k|v, then GQA attention */
static tensor *build_rope_gqa(graph *g, gcase *c) {
    tensor *r = op_rope(g, &c->in[0], ROPE_POS, 6, 3, 2, 10000.0f);
    return op_attention_gqa(g, r, 0, r, 12, 18, 4, 2, 3, true, NULL);
}

TEST("op_attention_gqa: 4 query heads over 2 key/value heads (dk, dv summed over each group), causal and masked") {
    static const uint8_t mask[6] = {1, 0, 1, /**/ 1, 1, 0};
    gcase c = {.name = "gqa causal", .n_in = 1, .build = build_gqa, .h = 1e-2f, .causal = true};
    c.in[0] = leaf(3, (int64_t[]){2, 3, 24}, 3030, 1.0f);
    check_case(&c);
    gcase d = {.name = "gqa masked", .n_in = 1, .build = build_gqa, .h = 1e-2f, .mask = mask};
    d.in[0] = leaf(3, (int64_t[]){2, 3, 24}, 3031, 1.0f);
    check_case(&d);
    gcase e = {.name = "rope + gqa", .n_in = 1, .build = build_rope_gqa, .h = 1e-2f};
    e.in[0] = leaf(3, (int64_t[]){2, 3, 24}, 3032, 1.0f);
    check_case(&e);
}

/* preference learning: 6 rows of 5 logits in 4 sequences (rows 2 and 5 not counted) */
static const int32_t SEQ_TARGETS[6] = {1, 4, 0, 2, 3, 0}, SEQ_OF[6] = {0, 0, -1, 1, 2, -1};
static const int32_t SEQ_OF4[6] = {0, 1, -1, 2, 3, 3};
static const float DPO_REF[4] = {-1.5f, -0.25f, 0.5f, -2.0f}, DPO_SCALE[4] = {0.5f, 1.0f, 0.25f, 1.0f / 3};

static tensor *build_seq_logprob(graph *g, gcase *c) { return op_seq_logprob(g, &c->in[0], SEQ_TARGETS, SEQ_OF, 3); }
static tensor *build_dpo(graph *g, gcase *c) {
    return op_dpo_loss(g, op_seq_logprob(g, &c->in[0], SEQ_TARGETS, SEQ_OF4, 4), DPO_REF, NULL, 2, 0.7f, false);
}
static const float DOT_W[4] = {0.5f, -1.25f, 2.0f, 0.125f};
static tensor *build_dot(graph *g, gcase *c) {
    return op_dot_const(g, op_seq_logprob(g, &c->in[0], SEQ_TARGETS, SEQ_OF4, 4), DOT_W);
}
static const int32_t KL_TARGETS[6] = {1, -1, 0, 2, 3, 4};
static const float KL_REF[6] = {-1.0f, 0.0f, -2.5f, -0.5f, -1.75f, -3.0f}, KL_W[6] = {0.5f, 1.0f, 0.25f, 1.0f, 2.0f, 0.125f};
static tensor *build_token_kl(graph *g, gcase *c) { return op_token_kl(g, &c->in[0], KL_TARGETS, KL_REF, KL_W); }
static tensor *build_ipo(graph *g, gcase *c) {
    return op_dpo_loss(g, op_seq_logprob(g, &c->in[0], SEQ_TARGETS, SEQ_OF4, 4), DPO_REF, DPO_SCALE, 2, 0.3f, true);
}

TEST("op_seq_logprob, op_dpo_loss, op_dot_const, op_token_kl: gradients of per-sequence log-probabilities, DPO's and "
     "IPO's losses, a weighted sum, the k3 KL estimate") {
    gcase c = {.name = "seq_logprob", .n_in = 1, .build = build_seq_logprob, .h = 1e-2f};
    c.in[0] = leaf(2, (int64_t[]){6, 5}, 3040, 1.0f);
    check_case(&c);
    gcase d = {.name = "dpo", .n_in = 1, .build = build_dpo, .h = 1e-2f, .scalar = true};
    d.in[0] = leaf(2, (int64_t[]){6, 5}, 3041, 1.0f);
    check_case(&d);
    gcase e = {.name = "ipo", .n_in = 1, .build = build_ipo, .h = 1e-2f, .scalar = true};
    e.in[0] = leaf(2, (int64_t[]){6, 5}, 3042, 1.0f);
    check_case(&e);
    gcase f = {.name = "dot_const", .n_in = 1, .build = build_dot, .h = 1e-2f, .scalar = true};
    f.in[0] = leaf(2, (int64_t[]){6, 5}, 3043, 1.0f);
    check_case(&f);
    gcase k = {.name = "token_kl", .n_in = 1, .build = build_token_kl, .h = 1e-2f, .scalar = true};
    k.in[0] = leaf(2, (int64_t[]){6, 5}, 3044, 1.0f);
    check_case(&k);
}
