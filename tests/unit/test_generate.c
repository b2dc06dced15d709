/* Generation (attn_gen_*) on the tiny GPT-2 fixture (vocab 67, context 16):
 * greedy decoding against a reference loop that recomputes the full forward
 * with attn_model_logits every step, including the sliding window once the
 * context is full; max_new_tokens and stop_token; seeds; the support of
 * top-k / top-p sampling and the frequency of plain sampling against the
 * model's own distribution; bad arguments. */
#include "test.h"

#include "attn/generate.h"

#include <stdint.h>

#define FIX_DIR "tests/ref/gpt2_tiny"

enum { V = 67, CTX = 16, MAXGEN = 64 };

static const int32_t PROMPT5[5] = {3, 41, 17, 60, 8};

static attn_model *load_fixture(void) {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(FIX_DIR, &m));
    if (m) {
        attn_gpt_config c = attn_model_config(m);
        CHECK(c.vocab_size == V && c.n_ctx == CTX);
        if (c.vocab_size != V || c.n_ctx != CTX) {
            attn_model_free(m);
            return NULL;
        }
    }
    return m;
}

/* first index of the maximum, as the generator breaks ties */
static int32_t argmax(const float *x, int64_t n) {
    int32_t best = 0;
    for (int64_t j = 1; j < n; j++)
        if (x[j] > x[best]) best = (int32_t)j;
    return best;
}

/* Reference greedy decoding with full recomputation: the window starts as the
 * prompt; each step takes the argmax of the window's last position; when the
 * window already fills the context, the next window is its most recent
 * CTX/2 tokens (at positions 0 ...) followed by the new token, otherwise the
 * new token is appended. *min_margin is the smallest gap between the best and
 * second-best logit seen (how robust the comparison is to rounding). */
static void ref_greedy(attn_model *m, const int32_t *prompt, int64_t n_prompt, int64_t n_new, int32_t *out,
                       float *min_margin) {
    int32_t win[CTX];
    float logits[CTX * V];
    int64_t L = n_prompt;
    memcpy(win, prompt, (size_t)n_prompt * sizeof *win);
    float margin = INFINITY;
    for (int64_t i = 0; i < n_new; i++) {
        attn_status st = attn_model_logits(m, win, 1, L, logits);
        CHECK_OK(st);
        if (st) {
            out[i] = -1;
            continue;
        }
        const float *last = logits + (L - 1) * V;
        int32_t t = argmax(last, V);
        for (int64_t j = 0; j < V; j++)
            if (j != t) margin = fminf(margin, last[t] - last[j]);
        out[i] = t;
        if (L >= CTX) {
            memmove(win, win + L - CTX / 2, (size_t)(CTX / 2) * sizeof *win);
            L = CTX / 2;
        }
        win[L++] = t;
    }
    if (min_margin) *min_margin = margin;
}

/* Runs a generator to ATTN_DONE (at most cap tokens kept in out) and returns
 * how many tokens it produced; -1 if it could not start. Checks that ATTN_DONE
 * leaves *token alone and stays ATTN_DONE. */
static int64_t run_gen(attn_gen *g, const int32_t *prompt, int64_t n_prompt, int32_t *out, int64_t cap) {
    attn_status st = attn_gen_start(g, prompt, n_prompt);
    CHECK_OK(st);
    if (st) return -1;
    int64_t n = 0;
    int32_t tok = -7;
    while ((st = attn_gen_next(g, &tok)) == ATTN_OK) {
        CHECK(tok >= 0 && tok < V);
        if (n < cap) out[n] = tok;
        if (++n > cap) break;
        tok = -7;
    }
    if (n <= cap) {
        CHECK_STATUS(st, ATTN_DONE);
        CHECK(tok == -7);
        CHECK_STATUS(attn_gen_next(g, &tok), ATTN_DONE);
        CHECK(tok == -7);
    }
    return n;
}

static int64_t generate(attn_model *m, const attn_sampler_params *p, const int32_t *prompt, int64_t n_prompt,
                        int32_t *out, int64_t cap) {
    attn_gen *g = NULL;
    CHECK_OK(attn_gen_new(m, p, &g));
    if (!g) return -1;
    int64_t n = run_gen(g, prompt, n_prompt, out, cap);
    attn_gen_free(g);
    return n;
}

static attn_sampler_params greedy_params(int64_t max_new) {
    attn_sampler_params p = attn_sampler_default_params();
    p.temperature = 0;
    p.max_new_tokens = max_new;
    return p;
}

static int count_mismatches(const int32_t *a, const int32_t *b, int64_t n) {
    int bad = 0;
    for (int64_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            if (bad++ < 5) fprintf(stderr, "  token %lld: got %d, want %d\n", (long long)i, (int)a[i], (int)b[i]);
        }
    return bad;
}

TEST("greedy generation equals full recomputation up to the context limit") {
    attn_model *m = load_fixture();
    if (!m) return;
    /* 12 new tokens: the last is predicted from all 16 positions */
    enum { N = CTX - 5 + 1 };
    int32_t want[N], got[MAXGEN];
    float margin;
    ref_greedy(m, PROMPT5, 5, N, want, &margin);
    if (!(margin > 1e-4f)) fprintf(stderr, "  note: smallest greedy logit margin %g\n", (double)margin);
    attn_sampler_params p = greedy_params(N);
    CHECK(generate(m, &p, PROMPT5, 5, got, MAXGEN) == N);
    CHECK(count_mismatches(got, want, N) == 0);
    /* a second start on the same generator resets the cache */
    attn_gen *g = NULL;
    CHECK_OK(attn_gen_new(m, &p, &g));
    if (g) {
        const int32_t other[3] = {66, 0, 12};
        int32_t want2[N];
        ref_greedy(m, other, 3, N, want2, NULL);
        CHECK(run_gen(g, other, 3, got, MAXGEN) == N);
        CHECK(count_mismatches(got, want2, N) == 0);
        CHECK(run_gen(g, PROMPT5, 5, got, MAXGEN) == N);
        CHECK(count_mismatches(got, want, N) == 0);
    }
    attn_gen_free(g);
    attn_model_free(m);
}

TEST("past the context, generation goes on from the most recent half as a new window") {
    attn_model *m = load_fixture();
    if (!m) return;
    enum { N = 40 };
    int32_t want[N], got[MAXGEN];
    float margin;
    ref_greedy(m, PROMPT5, 5, N, want, &margin);
    if (!(margin > 1e-4f)) fprintf(stderr, "  note: smallest greedy logit margin %g\n", (double)margin);
    attn_sampler_params p = greedy_params(N);
    CHECK(generate(m, &p, PROMPT5, 5, got, MAXGEN) == N);
    CHECK(count_mismatches(got, want, N) == 0);

    /* the longest prompt (15 tokens) fills the context after one token */
    int32_t long_prompt[CTX - 1];
    for (int i = 0; i < CTX - 1; i++) long_prompt[i] = (int32_t)((i * 23 + 4) % V);
    int32_t want2[20];
    ref_greedy(m, long_prompt, CTX - 1, 20, want2, NULL);
    p.max_new_tokens = 20;
    CHECK(generate(m, &p, long_prompt, CTX - 1, got, MAXGEN) == 20);
    CHECK(count_mismatches(got, want2, 20) == 0);
    attn_model_free(m);
}

TEST("max_new_tokens and stop_token end generation") {
    attn_model *m = load_fixture();
    if (!m) return;
    int32_t ref[12], got[MAXGEN];
    ref_greedy(m, PROMPT5, 5, 12, ref, NULL);
    attn_sampler_params p = greedy_params(7);
    CHECK(generate(m, &p, PROMPT5, 5, got, MAXGEN) == 7);
    CHECK(count_mismatches(got, ref, 7) == 0);
    p.max_new_tokens = 1;
    CHECK(generate(m, &p, PROMPT5, 5, got, MAXGEN) == 1);
    CHECK(got[0] == ref[0]);
    p.max_new_tokens = 0;
    CHECK(generate(m, &p, PROMPT5, 5, got, MAXGEN) == 0);
    /* sampling stops at max_new_tokens too, past the context */
    attn_sampler_params s = attn_sampler_default_params();
    s.max_new_tokens = 33;
    CHECK(generate(m, &s, PROMPT5, 5, got, MAXGEN) == 33);

    /* stop on the token greedy produces at step 3 (or the first later step
     * whose token did not come earlier, so that the stop is unambiguous) */
    int k = 2;
    for (;; k++) {
        bool seen = false;
        for (int i = 0; i < k; i++) seen |= ref[i] == ref[k];
        if (!seen || k == 11) break;
    }
    CHECK(k < 11);
    p.max_new_tokens = 30;
    p.stop_token = ref[k];
    CHECK(generate(m, &p, PROMPT5, 5, got, MAXGEN) == k + 1);
    CHECK(count_mismatches(got, ref, k + 1) == 0);
    CHECK(got[k] == p.stop_token);
    /* the stop token in the prompt does not stop anything */
    int32_t prompt[6];
    memcpy(prompt, PROMPT5, sizeof PROMPT5);
    prompt[5] = p.stop_token;
    p.stop_token = -1;
    int32_t ref6[4];
    ref_greedy(m, prompt, 6, 4, ref6, NULL);
    bool in_ref = false;
    for (int i = 0; i < 4; i++) in_ref |= ref6[i] == prompt[5];
    if (!in_ref) {
        p.stop_token = prompt[5];
        p.max_new_tokens = 4;
        CHECK(generate(m, &p, prompt, 6, got, MAXGEN) == 4);
        CHECK(count_mismatches(got, ref6, 4) == 0);
    }
    attn_model_free(m);
}

TEST("seeds: same seed same sequence, different seeds differ, top-k 1 is greedy") {
    attn_model *m = load_fixture();
    if (!m) return;
    enum { N = 30 };
    int32_t a[MAXGEN], b[MAXGEN], c[MAXGEN], d[MAXGEN];
    attn_sampler_params p = attn_sampler_default_params();
    p.temperature = 1.0f;
    p.max_new_tokens = N;
    p.seed = 7;
    CHECK(generate(m, &p, PROMPT5, 5, a, MAXGEN) == N);
    CHECK(generate(m, &p, PROMPT5, 5, b, MAXGEN) == N);
    CHECK(memcmp(a, b, sizeof(int32_t) * N) == 0);
    p.seed = 8;
    CHECK(generate(m, &p, PROMPT5, 5, c, MAXGEN) == N);
    CHECK(memcmp(a, c, sizeof(int32_t) * N) != 0);
    /* the sampled sequence is not simply greedy */
    int32_t g[N];
    ref_greedy(m, PROMPT5, 5, N, g, NULL);
    CHECK(memcmp(a, g, sizeof(int32_t) * N) != 0);
    /* top-k 1 (and a tiny top-p) leave only the argmax, at any temperature */
    p.top_k = 1;
    p.temperature = 1.5f;
    CHECK(generate(m, &p, PROMPT5, 5, d, MAXGEN) == N);
    CHECK(count_mismatches(d, g, N) == 0);
    p.top_k = 0;
    p.top_p = 1e-6f;
    CHECK(generate(m, &p, PROMPT5, 5, d, MAXGEN) == N);
    CHECK(count_mismatches(d, g, N) == 0);
    attn_model_free(m);
}

/* The model's next-token distribution after `prompt` at temperature T, in
 * double, and the token ids ordered by decreasing probability. */
static bool next_dist(attn_model *m, const int32_t *prompt, int64_t n, double T, double *prob, int32_t *order) {
    float logits[CTX * V];
    attn_status st = attn_model_logits(m, prompt, 1, n, logits);
    CHECK_OK(st);
    if (st) return false;
    const float *x = logits + (n - 1) * V;
    double mx = -INFINITY, sum = 0;
    for (int j = 0; j < V; j++) mx = fmax(mx, (double)x[j]);
    for (int j = 0; j < V; j++) sum += prob[j] = exp(((double)x[j] - mx) / T);
    for (int j = 0; j < V; j++) prob[j] /= sum;
    for (int j = 0; j < V; j++) order[j] = j;
    for (int i = 1; i < V; i++) /* insertion sort, descending */
        for (int j = i; j > 0 && prob[order[j]] > prob[order[j - 1]]; j--) {
            int32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    return true;
}

/* n_seeds * per_seed sampled next tokens (max_new_tokens 1): a generator for
 * each seed seed0, seed0 + 1, ..., restarted with attn_gen_start for every
 * sample (its random stream goes on across restarts). */
static void sample_many(attn_model *m, attn_sampler_params p, uint64_t seed0, int n_seeds, int per_seed,
                        const int32_t *prompt, int64_t n, int32_t *out) {
    p.max_new_tokens = 1;
    for (int s = 0; s < n_seeds; s++) {
        p.seed = seed0 + (uint64_t)s;
        attn_gen *g = NULL;
        CHECK_OK(attn_gen_new(m, &p, &g));
        for (int i = 0; i < per_seed; i++) {
            int32_t tok[2] = {-1, -1};
            int64_t k = g ? run_gen(g, prompt, n, tok, 2) : -1;
            CHECK(k == 1);
            out[s * per_seed + i] = k == 1 ? tok[0] : -1;
        }
        attn_gen_free(g);
    }
}

TEST("top-k and top-p restrict the support; sampling follows the model's distribution") {
    attn_model *m = load_fixture();
    if (!m) return;
    double prob[V];
    int32_t order[V];
    if (!next_dist(m, PROMPT5, 5, 1.0, prob, order)) {
        attn_model_free(m);
        return;
    }
    attn_sampler_params p = attn_sampler_default_params();
    p.temperature = 1.0f;

    /* top-k 3: only the three most likely tokens, each of them seen */
    CHECK(prob[order[2]] > prob[order[3]] * (1 + 1e-4)); /* the top 3 are well defined */
    p.top_k = 3;
    enum { NSEED = 20, PER = 10, NS = 2000, NSEED2 = 20 };
    int32_t samples[NS];
    int hits[V] = {0};
    int outside = 0;
    sample_many(m, p, 1000, NSEED, PER, PROMPT5, 5, samples);
    for (int i = 0; i < NSEED * PER; i++) {
        int32_t t = samples[i];
        if (t < 0) continue;
        hits[t]++;
        outside += t != order[0] && t != order[1] && t != order[2];
    }
    CHECK(outside == 0);
    double top3 = prob[order[0]] + prob[order[1]] + prob[order[2]];
    for (int r = 0; r < 3; r++)
        if (prob[order[r]] / top3 > 0.05) CHECK(hits[order[r]] > 0);

    /* top-p 0.5 (at a temperature that makes the set a few tokens): the
     * smallest set of most likely tokens with mass >= 0.5 */
    const double T = 0.7;
    next_dist(m, PROMPT5, 5, T, prob, order);
    int n_keep = 0;
    double mass = 0;
    while (n_keep < V && mass < 0.5) mass += prob[order[n_keep++]];
    /* the set must not hinge on rounding */
    CHECK(mass - 0.5 > 1e-4 && 0.5 - (mass - prob[order[n_keep - 1]]) > 1e-4);
    CHECK(n_keep >= 2);
    p.top_k = 0;
    p.top_p = 0.5f;
    p.temperature = (float)T;
    memset(hits, 0, sizeof hits);
    outside = 0;
    sample_many(m, p, 5000, NSEED, PER, PROMPT5, 5, samples);
    for (int i = 0; i < NSEED * PER; i++) {
        int32_t t = samples[i];
        if (t < 0) continue;
        hits[t]++;
        bool in = false;
        for (int r = 0; r < n_keep; r++) in |= t == order[r];
        outside += !in;
    }
    CHECK(outside == 0);
    CHECK(hits[order[n_keep - 1]] > 0); /* the set is not cut short */

    /* temperature 1, no truncation: frequency of the most likely token */
    next_dist(m, PROMPT5, 5, 1.0, prob, order);
    p = attn_sampler_default_params();
    p.temperature = 1.0f;
    sample_many(m, p, 90000, NSEED2, NS / NSEED2, PROMPT5, 5, samples);
    int top = 0, second = 0;
    for (int i = 0; i < NS; i++) {
        top += samples[i] == order[0];
        second += samples[i] == order[1];
    }
    double p0 = prob[order[0]], p1 = prob[order[1]];
    CHECK_NEAR((double)top / NS, p0, 4 * sqrt(p0 * (1 - p0) / NS));
    CHECK_NEAR((double)second / NS, p1, 4 * sqrt(p1 * (1 - p1) / NS));
    attn_model_free(m);
}

TEST("bad arguments are refused") {
    attn_model *m = load_fixture();
    if (!m) return;
    attn_sampler_params p = greedy_params(4);
    attn_gen *g = NULL;

    /* sampler settings out of range */
    const float bad_temp[] = {-0.5f, NAN};
    for (int i = 0; i < 2; i++) {
        attn_sampler_params q = p;
        q.temperature = bad_temp[i];
        g = (attn_gen *)&g;
        CHECK_STATUS(attn_gen_new(m, &q, &g), ATTN_ERR_INVALID_ARG);
        CHECK(g == NULL);
    }
    const float bad_top_p[] = {0.0f, -0.1f, 1.0001f, 2.0f, NAN};
    for (int i = 0; i < 5; i++) {
        attn_sampler_params q = p;
        q.top_p = bad_top_p[i];
        g = (attn_gen *)&g;
        CHECK_STATUS(attn_gen_new(m, &q, &g), ATTN_ERR_INVALID_ARG);
        CHECK(g == NULL);
    }
    attn_sampler_params q = p;
    q.top_k = -1;
    CHECK_STATUS(attn_gen_new(m, &q, &g), ATTN_ERR_INVALID_ARG);
    q = p;
    q.max_new_tokens = -1;
    CHECK_STATUS(attn_gen_new(m, &q, &g), ATTN_ERR_INVALID_ARG);
    CHECK(g == NULL);

    CHECK_OK(attn_gen_new(m, &p, &g));
    if (!g) {
        attn_model_free(m);
        return;
    }
    int32_t tok = -7;
    /* next before start */
    CHECK_STATUS(attn_gen_next(g, &tok), ATTN_ERR_INVALID_ARG);
    CHECK(tok == -7);
    /* empty prompt */
    CHECK_STATUS(attn_gen_start(g, PROMPT5, 0), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_gen_start(g, PROMPT5, -3), ATTN_ERR_INVALID_ARG);
    /* none of that started the generator */
    CHECK_STATUS(attn_gen_next(g, &tok), ATTN_ERR_INVALID_ARG);
    CHECK(tok == -7);
    /* out-of-vocabulary ids: an error, not a crash */
    int32_t oov[5];
    memcpy(oov, PROMPT5, sizeof oov);
    oov[3] = V;
    CHECK_STATUS(attn_gen_start(g, oov, 5), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "vocabulary") != NULL);
    /* a failed start leaves nothing to generate from */
    CHECK_STATUS(attn_gen_next(g, &tok), ATTN_ERR_INVALID_ARG);
    CHECK(tok == -7);
    oov[3] = -1;
    CHECK_STATUS(attn_gen_start(g, oov, 5), ATTN_ERR_INVALID_ARG);
    /* ... also after a generator that had been running */
    int32_t out[MAXGEN], want[4];
    CHECK(run_gen(g, PROMPT5, 5, out, MAXGEN) == 4);
    oov[3] = 1000;
    CHECK_STATUS(attn_gen_start(g, oov, 5), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_gen_next(g, &tok), ATTN_ERR_INVALID_ARG);
    /* and the generator still works afterwards */
    ref_greedy(m, PROMPT5, 5, 4, want, NULL);
    CHECK(run_gen(g, PROMPT5, 5, out, MAXGEN) == 4);
    CHECK(count_mismatches(out, want, 4) == 0);
    attn_gen_free(g);
    attn_gen_free(NULL);
    attn_model_free(m);
}

TEST("a prompt as long as the context or longer keeps its last CTX tokens") {
    attn_model *m = load_fixture();
    if (!m) return;
    attn_sampler_params p = greedy_params(6);
    attn_gen *g = NULL;
    CHECK_OK(attn_gen_new(m, &p, &g));
    if (!g) {
        attn_model_free(m);
        return;
    }
    int32_t long_prompt[CTX + 9];
    for (int i = 0; i < CTX + 9; i++) long_prompt[i] = (int32_t)((7 * i + 3) % V);
    int32_t tail[MAXGEN], whole[MAXGEN], want[6];
    /* the last CTX tokens alone, as the reference decodes them (the window slides past CTX) */
    ref_greedy(m, long_prompt + 9, CTX, 6, want, NULL);
    CHECK(run_gen(g, long_prompt + 9, CTX, tail, MAXGEN) == 6);
    CHECK(count_mismatches(tail, want, 6) == 0);
    /* the whole prompt gives the same tokens */
    CHECK(run_gen(g, long_prompt, CTX + 9, whole, MAXGEN) == 6);
    CHECK(count_mismatches(whole, want, 6) == 0);
    CHECK(run_gen(g, long_prompt + 8, CTX + 1, whole, MAXGEN) == 6);
    CHECK(count_mismatches(whole, want, 6) == 0);
    attn_gen_free(g);
    attn_model_free(m);
}

/* Runs an already started or extended generator to ATTN_DONE; returns how
 * many tokens it produced (at most cap kept in out). */
static int64_t drain(attn_gen *g, int32_t *out, int64_t cap) {
    attn_status st;
    int64_t n = 0;
    int32_t tok;
    while ((st = attn_gen_next(g, &tok)) == ATTN_OK)
        if (n < cap) out[n++] = tok;
    CHECK_STATUS(st, ATTN_DONE);
    return n;
}

TEST("extend continues the cached sequence as a start on the whole sequence would") {
    attn_model *m = load_fixture();
    if (!m) return;
    attn_sampler_params p = greedy_params(3);
    attn_gen *g = NULL;
    CHECK_OK(attn_gen_new(m, &p, &g));
    if (!g) {
        attn_model_free(m);
        return;
    }
    int64_t n = -1;
    int32_t tok = -7;
    /* before a start: nothing cached, nothing to extend */
    CHECK(attn_gen_tokens(g, &n) != NULL && n == 0);
    CHECK_STATUS(attn_gen_extend(g, PROMPT5, 2), ATTN_ERR_INVALID_ARG);
    /* turn one: the prompt and 3 tokens; the cache holds the prompt and the first 2 */
    int32_t first[MAXGEN], want1[3];
    ref_greedy(m, PROMPT5, 5, 3, want1, NULL);
    CHECK(run_gen(g, PROMPT5, 5, first, MAXGEN) == 3);
    CHECK(count_mismatches(first, want1, 3) == 0);
    const int32_t *cached = attn_gen_tokens(g, &n);
    CHECK(n == 7);
    if (n == 7) {
        CHECK(memcmp(cached, PROMPT5, sizeof PROMPT5) == 0);
        CHECK(cached[5] == first[0] && cached[6] == first[1]);
    }
    /* turn two: the last answer token and two more, decoded after the cache:
     * the same greedy tokens as the whole 10-token sequence from the start */
    int32_t whole[10], next[MAXGEN], want2[4];
    memcpy(whole, PROMPT5, sizeof PROMPT5);
    whole[5] = first[0], whole[6] = first[1], whole[7] = first[2], whole[8] = 9, whole[9] = 30;
    ref_greedy(m, whole, 10, 4, want2, NULL);
    CHECK_STATUS(attn_gen_extend(g, whole + 7, 0), ATTN_ERR_INVALID_ARG);
    CHECK_OK(attn_gen_extend(g, whole + 7, 3));
    /* max_new_tokens counts afresh: 3 more, not 0 */
    CHECK(drain(g, next, MAXGEN) == 3);
    CHECK(count_mismatches(next, want2, 3) == 0);
    cached = attn_gen_tokens(g, &n);
    CHECK(n == 12);
    if (n == 12) CHECK(memcmp(cached, whole, sizeof whole) == 0 && cached[10] == want2[0] && cached[11] == want2[1]);
    /* sampling (temperature 1, the random stream going on in both): extend
     * draws what a start on the whole sequence draws */
    attn_sampler_params ps = greedy_params(3);
    ps.temperature = 1.0f;
    ps.seed = 11;
    attn_gen *a = NULL, *b = NULL;
    CHECK_OK(attn_gen_new(m, &ps, &a));
    CHECK_OK(attn_gen_new(m, &ps, &b));
    if (a && b) {
        int32_t ta[MAXGEN], tb[MAXGEN], sa[MAXGEN], sb[MAXGEN];
        CHECK(run_gen(a, PROMPT5, 5, ta, MAXGEN) == 3);
        CHECK(run_gen(b, PROMPT5, 5, tb, MAXGEN) == 3);
        CHECK(count_mismatches(ta, tb, 3) == 0);
        int32_t seq[10];
        memcpy(seq, PROMPT5, sizeof PROMPT5);
        seq[5] = ta[0], seq[6] = ta[1], seq[7] = ta[2], seq[8] = 50, seq[9] = 2;
        CHECK_OK(attn_gen_extend(a, seq + 7, 3));
        CHECK(drain(a, sa, MAXGEN) == 3);
        CHECK(run_gen(b, seq, 10, sb, MAXGEN) == 3);
        CHECK(count_mismatches(sa, sb, 3) == 0);
    }
    attn_gen_free(a);
    attn_gen_free(b);
    /* more than the context holds beside the cache: refused, and the cache kept */
    int32_t many[CTX];
    for (int i = 0; i < CTX; i++) many[i] = i;
    CHECK_STATUS(attn_gen_extend(g, many, CTX - 12 + 1), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "fit") != NULL);
    attn_gen_tokens(g, &n);
    CHECK(n == 12);
    /* exactly filling it is fine */
    CHECK_OK(attn_gen_extend(g, many, CTX - 12));
    attn_gen_tokens(g, &n);
    CHECK(n == CTX);
    /* after a stop token: the cache ends before it (the stop: the first greedy
     * token that differs from every one before it) */
    int32_t ref[11];
    ref_greedy(m, PROMPT5, 5, 11, ref, NULL);
    int i = 1;
    for (; i < 11; i++) {
        int j = 0;
        while (j < i && ref[j] != ref[i]) j++;
        if (j == i) break;
    }
    CHECK(i < 11);
    p.stop_token = ref[i < 11 ? i : 10];
    p.max_new_tokens = 11;
    attn_gen_free(g);
    g = NULL;
    CHECK_OK(attn_gen_new(m, &p, &g));
    if (g) {
        CHECK(run_gen(g, PROMPT5, 5, first, MAXGEN) == i + 1);
        cached = attn_gen_tokens(g, &n);
        CHECK(n == 5 + i && memcmp(cached + 5, ref, (size_t)i * sizeof *ref) == 0);
        /* an id outside the vocabulary: an error, then nothing cached and nothing to sample */
        int32_t oov[2] = {4, V};
        CHECK_STATUS(attn_gen_extend(g, oov, 2), ATTN_ERR_INVALID_ARG);
        attn_gen_tokens(g, &n);
        CHECK(n == 0);
        CHECK_STATUS(attn_gen_next(g, &tok), ATTN_ERR_INVALID_ARG);
        CHECK(tok == -7);
    }
    attn_gen_free(g);
    attn_model_free(m);
}

TEST("resume keeps the longest prefix the cache holds and samples as a start on the whole prompt would") {
    attn_model *m = load_fixture();
    attn_sampler_params p = greedy_params(4);
    attn_gen *g = NULL, *ref = NULL;
    CHECK_OK(attn_gen_new(m, &p, &g));
    CHECK_OK(attn_gen_new(m, &p, &ref));
    if (g && ref) {
        int64_t reused = -1, n = 0;
        int32_t first[MAXGEN], got[MAXGEN], want[MAXGEN];
        /* nothing cached yet: a plain start */
        CHECK_OK(attn_gen_resume(g, PROMPT5, 5, &reused));
        CHECK(reused == 0);
        CHECK(drain(g, first, MAXGEN) == 4);
        attn_gen_tokens(g, &n);
        CHECK(n == 8);
        /* a prompt that agrees with the cache on its first 6 tokens (the
         * prompt and the first answer token), then differs */
        int32_t edit[9];
        memcpy(edit, PROMPT5, sizeof PROMPT5);
        edit[5] = first[0], edit[6] = (first[1] + 1) % V, edit[7] = 3, edit[8] = 17;
        CHECK_OK(attn_gen_resume(g, edit, 9, &reused));
        CHECK(reused == 6);
        CHECK(run_gen(ref, edit, 9, want, MAXGEN) == 4);
        CHECK(drain(g, got, MAXGEN) == 4);
        CHECK(count_mismatches(got, want, 4) == 0);
        const int32_t *cached = attn_gen_tokens(g, &n);
        CHECK(n == 12 && memcmp(cached, edit, sizeof edit) == 0);
        /* the whole cache and more: the cache is kept whole, the rest decoded */
        int32_t more[14];
        memcpy(more, cached, 12 * sizeof *more);
        more[12] = 8, more[13] = 9;
        CHECK_OK(attn_gen_resume(g, more, 14, &reused));
        CHECK(reused == 12);
        CHECK(run_gen(ref, more, 14, want, MAXGEN) == 4);
        CHECK(drain(g, got, MAXGEN) == 4);
        CHECK(count_mismatches(got, want, 4) == 0);
        /* the same prompt as the cache: its last token is decoded again for the logits */
        cached = attn_gen_tokens(g, &n);
        int32_t same[20];
        memcpy(same, cached, (size_t)n * sizeof *same);
        int64_t n_same = n;
        CHECK_OK(attn_gen_resume(g, same, n_same, &reused));
        CHECK(reused == n_same - 1);
        CHECK(run_gen(ref, same, n_same, want, MAXGEN) == 4);
        CHECK(drain(g, got, MAXGEN) == 4);
        CHECK(count_mismatches(got, want, 4) == 0);
        /* a different first token: started over */
        edit[0] = (PROMPT5[0] + 1) % V;
        CHECK_OK(attn_gen_resume(g, edit, 9, &reused));
        CHECK(reused == 0);
        CHECK(run_gen(ref, edit, 9, want, MAXGEN) == 4);
        CHECK(drain(g, got, MAXGEN) == 4);
        CHECK(count_mismatches(got, want, 4) == 0);
        CHECK_STATUS(attn_gen_resume(g, edit, 0, &reused), ATTN_ERR_INVALID_ARG);
    }
    attn_gen_free(g);
    attn_gen_free(ref);
    attn_model_free(m);
}

/* ---- the sampler on given logits, log-probabilities, stop strings ---------- */

TEST("attn_sampler: same logits and seed give the same draws as attn_gen; greedy is the argmax") {
    attn_model *m = load_fixture();
    if (!m) return;
    attn_sampler_params p = attn_sampler_default_params();
    p.temperature = 1.0f;
    p.top_k = 20;
    p.top_p = 0.9f;
    p.seed = 7;
    p.max_new_tokens = 8;
    attn_gen *g = NULL;
    CHECK_OK(attn_gen_new(m, &p, &g));
    CHECK_OK(attn_gen_start(g, PROMPT5, 5));
    int32_t want[8], t;
    for (int i = 0; i < 8; i++) CHECK_OK(attn_gen_next(g, &want[i]));
    attn_gen_free(g);
    /* the same draws from logits computed outside attn_gen */
    attn_sampler *s = NULL;
    CHECK_OK(attn_sampler_new(V, &p, &s));
    int32_t seq[16];
    memcpy(seq, PROMPT5, sizeof PROMPT5);
    float *lg = malloc(sizeof(float) * 13 * V);
    for (int i = 0; i < 8 && s; i++) {
        CHECK_OK(attn_model_logits(m, seq, 1, 5 + i, lg));
        t = attn_sampler_sample(s, lg + (size_t)(4 + i) * V);
        CHECK(t == want[i]);
        seq[5 + i] = t;
    }
    attn_sampler_free(s);
    float x[5] = {0.5f, 3.0f, -1.0f, 3.0f, 2.0f};
    p.temperature = 0;
    CHECK_OK(attn_sampler_new(5, &p, &s));
    if (s) CHECK(attn_sampler_sample(s, x) == 1);
    attn_sampler_free(s);
    p.temperature = -1;
    s = (attn_sampler *)1;
    CHECK(attn_sampler_new(5, &p, &s) == ATTN_ERR_INVALID_ARG && s == NULL);
    free(lg);
    attn_model_free(m);
}

TEST("attn_logprobs: log-softmax of the token and the k most likely, most likely first") {
    float x[6] = {1.0f, 4.0f, 2.0f, 4.0f, -3.0f, 3.0f};
    double z = 0;
    for (int i = 0; i < 6; i++) z += exp((double)x[i]);
    float lp = 0, top[4];
    int32_t ids[4];
    attn_logprobs(x, 6, 2, 4, &lp, ids, top);
    CHECK(fabs((double)lp - (2.0 - log(z))) < 1e-5);
    CHECK(ids[0] == 1 && ids[1] == 3 && ids[2] == 5 && ids[3] == 2);
    CHECK(fabs((double)top[0] - (4.0 - log(z))) < 1e-5 && fabs((double)top[3] - (2.0 - log(z))) < 1e-5);
    attn_logprobs(x, 6, 4, 0, &lp, NULL, NULL);
    CHECK(fabs((double)lp - (-3.0 - log(z))) < 1e-5);
    attn_logprobs(x, 6, 0, 9, &lp, (int32_t[6]){0}, (float[6]){0}); /* k > V: all of them */
}

TEST("attn_stop_scan: the earliest stop string, and a tail that may become one held back") {
    const char *stops[2] = {"END", "\n\n"};
    bool hit;
    CHECK(attn_stop_scan("hello", 5, stops, 2, &hit) == 5 && !hit);
    CHECK(attn_stop_scan("hello E", 7, stops, 2, &hit) == 6 && !hit);      /* "E" may start END */
    CHECK(attn_stop_scan("hello EN", 8, stops, 2, &hit) == 6 && !hit);
    CHECK(attn_stop_scan("hello END more", 14, stops, 2, &hit) == 6 && hit);
    CHECK(attn_stop_scan("a\n\nb END", 8, stops, 2, &hit) == 1 && hit);   /* the earliest of two */
    CHECK(attn_stop_scan("ab\n", 3, stops, 2, &hit) == 2 && !hit);
    CHECK(attn_stop_scan("EN", 2, stops, 2, &hit) == 0 && !hit);
    CHECK(attn_stop_scan("", 0, stops, 2, &hit) == 0 && !hit);
    CHECK(attn_stop_scan("abc", 3, stops, 0, &hit) == 3 && !hit);
    const char *one[1] = {"aab"};
    CHECK(attn_stop_scan("xaa", 3, one, 1, &hit) == 1 && !hit);           /* "aa" held, not only "a" */
}

/* attn_gen_batch against attn_gen row by row on the model in dir (vocab V
 * at most 67 ids used): n rows of prompt lengths from lens, max_new tokens,
 * stop token stop, temperature 1, seed 1000 + row. Returns the rows that
 * differ. */
static int batch_vs_alone(const char *dir, int n, const int64_t *lens, int n_lens, int64_t max_new, int32_t stop) {
    attn_model *m = NULL;
    CHECK_OK(attn_model_load(dir, &m));
    if (!m) return -1;
    int64_t vocab = attn_model_config(m).vocab_size;
    enum { ROWS = 140, PLEN = 40 };
    static int32_t buf[ROWS][PLEN], got[ROWS * MAXGEN], want[MAXGEN];
    const int32_t *prompts[ROWS];
    int64_t np[ROWS], nout[ROWS];
    uint64_t seeds[ROWS];
    for (int i = 0; i < n; i++) {
        np[i] = lens[i % n_lens];
        for (int64_t t = 0; t < np[i]; t++) buf[i][t] = (int32_t)((5 * i + 3 * t + i * t + 1) % vocab);
        prompts[i] = buf[i];
        seeds[i] = 1000 + (uint64_t)i;
    }
    attn_sampler_params p = attn_sampler_default_params();
    p.temperature = 1.0f;
    p.max_new_tokens = max_new;
    p.stop_token = stop;
    CHECK_OK(attn_gen_batch(m, &p, n, prompts, np, seeds, got, nout));
    int bad = 0;
    for (int i = 0; i < n; i++) {
        p.seed = seeds[i];
        attn_gen *g = NULL;
        CHECK_OK(attn_gen_new(m, &p, &g));
        int64_t k = 0;
        attn_status st = g ? attn_gen_start(g, prompts[i], np[i]) : ATTN_ERR_INVALID_ARG;
        int32_t t;
        while (!st && (st = attn_gen_next(g, &t)) == ATTN_OK) want[k++] = t;
        CHECK_STATUS(st, ATTN_DONE);
        attn_gen_free(g);
        bad += k != nout[i] || memcmp(want, got + i * max_new, (size_t)k * sizeof *want) != 0;
    }
    attn_model_free(m);
    return bad;
}

TEST("attn_gen_batch: each row is the completion attn_gen samples for its prompt and seed") {
    /* 70 rows: a group of 64 and one of 6; prompts of 1 to 10 tokens; 6
     * new tokens fit the context of 16 */
    static const int64_t short_lens[] = {1, 4, 10, 7, 2, 9, 5};
    CHECK(batch_vs_alone(FIX_DIR, 70, short_lens, 7, 6, -1) == 0);
    /* a stop token ends rows at different steps (some at once) */
    CHECK(batch_vs_alone(FIX_DIR, 40, short_lens, 7, 10, 5) == 0);
    /* 64 prompts of 8 to 15 tokens: their prefill spans two calls; those of
     * 15 with 3 new tokens pass the context of 16 and go alone through the
     * sliding window */
    static const int64_t long_lens[] = {8, 14, 11, 13, 9, 15, 12};
    CHECK(batch_vs_alone(FIX_DIR, 64, long_lens, 7, 3, -1) == 0);
    /* grouped-query attention, rotary positions; BLOOM's ALiBi */
    CHECK(batch_vs_alone("tests/ref/llama_gqa", 130, long_lens, 7, 9, 3) == 0);
    CHECK(batch_vs_alone("tests/ref/bloom_tiny", 20, short_lens, 7, 5, -1) == 0);
}

TEST("attn_gen_batch: no tokens asked, empty prompts, bad ids and settings") {
    attn_model *m = load_fixture();
    if (!m) return;
    const int32_t a[3] = {1, 2, 3}, bad_id[2] = {1, V + 4};
    const int32_t *prompts[2] = {a, a};
    int64_t np[2] = {3, 2}, nout[2] = {-1, -1};
    uint64_t seeds[2] = {1, 2};
    int32_t out[2 * 8];
    attn_sampler_params p = attn_sampler_default_params();
    p.max_new_tokens = 0;
    CHECK_OK(attn_gen_batch(m, &p, 2, prompts, np, seeds, out, nout));
    CHECK(nout[0] == 0 && nout[1] == 0);
    CHECK_OK(attn_gen_batch(m, &p, 0, NULL, NULL, NULL, NULL, NULL));
    p.max_new_tokens = 8;
    np[1] = 0;
    CHECK_STATUS(attn_gen_batch(m, &p, 2, prompts, np, seeds, out, nout), ATTN_ERR_INVALID_ARG);
    CHECK(strstr(attn_last_error(), "row 1") != NULL);
    np[1] = 2;
    prompts[1] = bad_id;
    CHECK_STATUS(attn_gen_batch(m, &p, 2, prompts, np, seeds, out, nout), ATTN_ERR_INVALID_ARG);
    prompts[1] = a;
    p.temperature = -1;
    CHECK_STATUS(attn_gen_batch(m, &p, 2, prompts, np, seeds, out, nout), ATTN_ERR_INVALID_ARG);
    p.temperature = 1;
    p.max_new_tokens = -1;
    CHECK_STATUS(attn_gen_batch(m, &p, 2, prompts, np, seeds, out, nout), ATTN_ERR_INVALID_ARG);
    CHECK_STATUS(attn_gen_batch(m, &p, 2, NULL, np, seeds, out, nout), ATTN_ERR_INVALID_ARG);
    attn_model_free(m);
}
