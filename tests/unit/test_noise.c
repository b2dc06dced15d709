/* BART noising: each function's statistics on long random sequences, its
 * invariants (multisets, order, kept tokens) and determinism by seed. */
#include "test.h"

#include "attn/noise.h"
#include "core/core.h"

enum { N = 20000, MASK = 1000, V = 1000 };

static int32_t *seq(int64_t n) {
    int32_t *x = attn_malloc((size_t)n * sizeof *x);
    for (int64_t i = 0; i < n; i++) x[i] = (int32_t)(10 + i % 900); /* no mask, no special ids */
    return x;
}

static attn_noise_params off(void) {
    attn_noise_params p = attn_noise_default_params(MASK, V + 1);
    p.mask_ratio = p.random_ratio = p.permute_ratio = p.rotate_ratio = p.delete_ratio = 0;
    p.poisson_lambda = 0;
    return p;
}

TEST("all ratios zero: the identity") {
    int32_t *x = seq(N), *y = attn_malloc(sizeof(int32_t) * (2 * N + 1));
    int64_t n;
    attn_noise_params p = off();
    CHECK_OK(attn_noise_apply(&p, 1, x, N, y, 2 * N + 1, &n));
    CHECK(n == N && !memcmp(x, y, sizeof(int32_t) * N));
    attn_free(x);
    attn_free(y);
}

TEST("token masking replaces about mask_ratio of the tokens, one mask each, order kept") {
    int32_t *x = seq(N), *y = attn_malloc(sizeof(int32_t) * (2 * N + 1));
    int64_t n, masks = 0, same = 0;
    attn_noise_params p = off();
    p.mask_ratio = 0.3f;
    CHECK_OK(attn_noise_apply(&p, 2, x, N, y, 2 * N + 1, &n));
    CHECK(n == N);
    for (int64_t i = 0; i < n; i++) {
        masks += y[i] == MASK;
        same += y[i] == x[i];
    }
    CHECK(masks + same == N);
    CHECK_NEAR((double)masks / N, 0.3, 4 * sqrt(0.3 * 0.7 / N)); /* 4 standard errors */
    attn_free(x);
    attn_free(y);
}

TEST("text infilling: spans become one mask, ~mask_ratio covered, mean span ~ lambda, zero spans insert") {
    int32_t *x = seq(N), *y = attn_malloc(sizeof(int32_t) * (2 * N + 1));
    int64_t n;
    attn_noise_params p = off();
    p.mask_ratio = 0.3f;
    p.poisson_lambda = 3.0f;
    CHECK_OK(attn_noise_apply(&p, 3, x, N, y, 2 * N + 1, &n));
    /* walk both: unmasked tokens appear in order; each mask stands for a gap */
    int64_t i = 0, masks = 0, gaps = 0, covered = 0, inserts = 0;
    for (int64_t k = 0; k < n; k++) {
        if (y[k] != MASK) {
            while (i < N && x[i] != y[k]) i++;
            CHECK(i < N);
            i++;
            continue;
        }
        masks++;
        /* the gap: tokens of x skipped until the next kept output token */
        int64_t next = k + 1 < n && y[k + 1] != MASK ? y[k + 1] : -1, g = 0;
        while (i + g < N && x[i + g] != next && next >= 0) g++;
        if (next >= 0) {
            covered += g;
            if (g == 0) inserts++;
            else gaps++;
            i += g;
        }
    }
    double frac = (double)covered / N, mean = gaps ? (double)covered / (double)gaps : 0;
    CHECK_NEAR(frac, 0.3, 0.01);
    /* adjacent spans merge into one gap, so the mean gap is a little above lambda */
    CHECK(mean > 2.7 && mean < 4.0);
    CHECK(inserts > 0);
    CHECK(n < N); /* spans shrink the text */
    attn_free(x);
    attn_free(y);
}

TEST("random_ratio of the masks become random tokens") {
    int32_t *x = seq(N), *y = attn_malloc(sizeof(int32_t) * (2 * N + 1));
    int64_t n, masks = 0, changed = 0;
    attn_noise_params p = off();
    p.mask_ratio = 0.5f;
    p.random_ratio = 0.2f;
    CHECK_OK(attn_noise_apply(&p, 4, x, N, y, 2 * N + 1, &n));
    for (int64_t i = 0; i < n; i++) {
        masks += y[i] == MASK;
        changed += y[i] != x[i];
    }
    CHECK_NEAR((double)(changed - masks) / (double)changed, 0.2, 0.03);
    attn_free(x);
    attn_free(y);
}

TEST("token deletion drops about delete_ratio, keeps order") {
    int32_t *x = seq(N), *y = attn_malloc(sizeof(int32_t) * (2 * N + 1));
    int64_t n;
    attn_noise_params p = off();
    p.delete_ratio = 0.15f;
    CHECK_OK(attn_noise_apply(&p, 5, x, N, y, 2 * N + 1, &n));
    CHECK_NEAR((double)(N - n) / N, 0.15, 4 * sqrt(0.15 * 0.85 / N));
    int64_t i = 0;
    for (int64_t k = 0; k < n; k++) {
        while (i < N && x[i] != y[k]) i++;
        CHECK(i < N);
        i++;
    }
    attn_free(x);
    attn_free(y);
}

TEST("sentence permutation shuffles whole sentences; kept tokens stay at the ends") {
    /* <s> then 40 sentences of 5 tokens ending in '.', then </s> */
    enum { S = 40, BOS = 2, EOS = 3, DOT = 4 };
    int32_t x[S * 5 + 2], y[2 * (S * 5 + 2) + 1];
    int64_t n = 0, out;
    x[n++] = BOS;
    for (int s = 0; s < S; s++) {
        for (int k = 0; k < 4; k++) x[n++] = 100 + s;
        x[n++] = DOT;
    }
    x[n++] = EOS;
    int32_t ends[] = {DOT}, keep[] = {BOS, EOS};
    attn_noise_params p = off();
    p.permute_ratio = 1.0f;
    p.sentence_end = ends;
    p.n_sentence_end = 1;
    p.keep = keep;
    p.n_keep = 2;
    CHECK_OK(attn_noise_apply(&p, 6, x, n, y, 2 * n + 1, &out));
    CHECK(out == n && y[0] == BOS && y[n - 1] == EOS);
    int seen[S] = {0}, moved = 0;
    for (int s = 0; s < S; s++) {
        const int32_t *sent = y + 1 + 5 * s;
        int id = sent[0] - 100;
        CHECK(id >= 0 && id < S);
        if (id < 0 || id >= S) continue;
        for (int k = 0; k < 4; k++) CHECK(sent[k] == 100 + id);
        CHECK(sent[4] == DOT);
        seen[id]++;
        moved += id != s;
    }
    for (int s = 0; s < S; s++) CHECK(seen[s] == 1);
    CHECK(moved > S / 2);
}

TEST("document rotation is a cyclic shift of the middle; same seed, same result") {
    int32_t *x = seq(1000), *y = attn_malloc(sizeof(int32_t) * 2001), *z = attn_malloc(sizeof(int32_t) * 2001);
    int64_t n, n2;
    attn_noise_params p = off();
    p.rotate_ratio = 1.0f;
    CHECK_OK(attn_noise_apply(&p, 7, x, 1000, y, 2001, &n));
    CHECK_OK(attn_noise_apply(&p, 7, x, 1000, z, 2001, &n2));
    CHECK(n == 1000 && n2 == 1000 && !memcmp(y, z, sizeof(int32_t) * 1000));
    int64_t k = 0;
    while (k < 1000 && x[k] != y[0]) k++;
    for (int64_t i = 0; i < 1000; i++) CHECK(y[i] == x[(k + i) % 1000]);
    p.mask_ratio = 0.3f;
    p.poisson_lambda = 3.0f;
    CHECK_OK(attn_noise_apply(&p, 8, x, 1000, y, 2001, &n));
    CHECK_OK(attn_noise_apply(&p, 9, x, 1000, z, 2001, &n2));
    CHECK(n != n2 || memcmp(y, z, sizeof(int32_t) * (size_t)n) != 0);
    attn_free(x);
    attn_free(y);
    attn_free(z);
}

TEST("bad arguments: small output buffer, ratios out of range") {
    int32_t x[4] = {10, 11, 12, 13}, y[9];
    int64_t n;
    attn_noise_params p = off();
    CHECK_STATUS(attn_noise_apply(&p, 1, x, 4, y, 8, &n), ATTN_ERR_INVALID_ARG);
    p.mask_ratio = 1.5f;
    CHECK_STATUS(attn_noise_apply(&p, 1, x, 4, y, 9, &n), ATTN_ERR_INVALID_ARG);
}

/* ---- masked LM ------------------------------------------------------------ */

TEST("MLM: 15% of the non-special tokens chosen, 80/10/10, labels only there") {
    enum { M = 30000, CLS = 1, SEP = 2 };
    int32_t *x = attn_malloc(sizeof(int32_t) * M), *y = attn_malloc(sizeof(int32_t) * M), *lab = attn_malloc(sizeof(int32_t) * M);
    for (int i = 0; i < M; i++) x[i] = i % 100 == 0 ? CLS : (i % 100 == 99 ? SEP : 10 + i % 700);
    int32_t specials[] = {CLS, SEP};
    attn_mlm_params p = attn_mlm_default_params(MASK, V);
    p.special = specials;
    p.n_special = 2;
    CHECK_OK(attn_mlm_mask(&p, 11, x, NULL, M, y, lab));
    int64_t chosen = 0, masked = 0, random_tok = 0, same = 0, cand = 0;
    for (int i = 0; i < M; i++) {
        bool sp = x[i] == CLS || x[i] == SEP;
        cand += !sp;
        if (lab[i] < 0) {
            CHECK(y[i] == x[i]);
            continue;
        }
        CHECK(!sp && lab[i] == x[i]);
        chosen++;
        if (y[i] == MASK) masked++;
        else if (y[i] == x[i]) same++;
        else random_tok++;
    }
    CHECK(chosen == llround(0.15 * (double)cand));
    CHECK_NEAR((double)masked / chosen, 0.8, 0.02);
    CHECK_NEAR((double)random_tok / chosen, 0.1, 0.02);
    CHECK_NEAR((double)same / chosen, 0.1, 0.02);
    /* static masking: same seed, same result; dynamic: another seed differs */
    int32_t *y2 = attn_malloc(sizeof(int32_t) * M), *lab2 = attn_malloc(sizeof(int32_t) * M);
    CHECK_OK(attn_mlm_mask(&p, 11, x, NULL, M, y2, lab2));
    CHECK(!memcmp(y, y2, sizeof(int32_t) * M) && !memcmp(lab, lab2, sizeof(int32_t) * M));
    CHECK_OK(attn_mlm_mask(&p, 12, x, NULL, M, y2, lab2));
    CHECK(memcmp(lab, lab2, sizeof(int32_t) * M) != 0);
    attn_free(x), attn_free(y), attn_free(lab), attn_free(y2), attn_free(lab2);
}

TEST("MLM whole-word masking chooses every piece of a word or none") {
    enum { M = 6000 };
    int32_t *x = attn_malloc(sizeof(int32_t) * M), *y = attn_malloc(sizeof(int32_t) * M), *lab = attn_malloc(sizeof(int32_t) * M);
    uint8_t *ws = attn_malloc(M);
    for (int i = 0; i < M; i++) {
        x[i] = 10 + i % 500;
        ws[i] = i % 3 == 0; /* words of three pieces */
    }
    attn_mlm_params p = attn_mlm_default_params(MASK, V);
    CHECK_OK(attn_mlm_mask(&p, 13, x, ws, M, y, lab));
    int64_t chosen = 0;
    for (int w = 0; w < M / 3; w++) {
        int in = (lab[3 * w] >= 0) + (lab[3 * w + 1] >= 0) + (lab[3 * w + 2] >= 0);
        CHECK(in == 0 || in == 3);
        chosen += in;
    }
    CHECK(chosen == 900); /* 15% of 6000, in whole words */
    attn_free(x), attn_free(y), attn_free(lab), attn_free(ws);
}

TEST("NSP: half the rows get a random B, A's length covers [1, T - 4], same seed same draw") {
    const int64_t T = 12;
    int64_t n = 4000, random = 0, seen[16] = {0};
    for (int64_t i = 0; i < n; i++) {
        int64_t a, a2;
        int32_t label, label2;
        uint64_t other, other2;
        attn_nsp_draw((uint64_t)i * 7919u, T, &a, &label, &other);
        attn_nsp_draw((uint64_t)i * 7919u, T, &a2, &label2, &other2);
        CHECK(a == a2 && label == label2 && other == other2);
        CHECK(a >= 1 && a <= T - 4);
        CHECK(label == 0 || label == 1);
        random += label;
        if (a >= 1 && a <= T - 4) seen[a]++;
    }
    CHECK(random > n * 45 / 100 && random < n * 55 / 100);
    for (int64_t a = 1; a <= T - 4; a++) CHECK(seen[a] > n / (T - 4) / 2); /* every split point drawn, roughly evenly */
}
