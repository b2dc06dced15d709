/* Contacts (include/attn/contacts.h): the synthetic Potts families (the
 * planted map's shape, determinism, coupled columns co-varying), APC, the
 * logistic regression and top-L precision on hand examples. */
#include "attn/contacts.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TEST("planted map: symmetric, empty diagonal, short and long-range pairs, one per seed") {
    enum { L = 64 };
    static uint8_t a[L * L], b[L * L], c[L * L];
    CHECK_OK(attn_contacts_plant(L, 7, a));
    CHECK_OK(attn_contacts_plant(L, 7, b));
    CHECK_OK(attn_contacts_plant(L, 8, c));
    CHECK(!memcmp(a, b, sizeof a));
    CHECK(memcmp(a, c, sizeof a) != 0);
    int64_t near = 0, far = 0;
    for (int i = 0; i < L; i++) {
        CHECK(a[i * L + i] == 0);
        for (int j = 0; j < L; j++) {
            CHECK(a[i * L + j] == a[j * L + i]);
            if (j > i && a[i * L + j]) { if (j - i >= 6) far++; else near++; }
        }
    }
    CHECK(near > 0 && far >= 8);
    CHECK_STATUS(attn_contacts_plant(8, 7, a), ATTN_ERR_INVALID_ARG);
}

/* Samples of a coupled pair share far more information than pairs the model
 * leaves uncoupled (their dependence only indirect, through chains of
 * couplings); the output is a function of the seed alone. */
TEST("potts samples: coupled columns co-vary, uncoupled ones do not; deterministic") {
    enum { L = 40, N = 3000 };
    attn_potts_params p = attn_potts_default_params();
    p.length = L;
    p.seed = 3;
    p.burn_in = 50;
    p.thin = 3;
    static uint8_t map[L * L], s[N * L], s2[N * L];
    CHECK_OK(attn_potts_sample(&p, N, map, s));
    CHECK_OK(attn_potts_sample(&p, N, NULL, s2));
    CHECK(!memcmp(s, s2, sizeof s));
    int bad = 0;
    for (int64_t k = 0; k < N * L; k++) bad += s[k] >= ATTN_POTTS_Q;
    CHECK(bad == 0);
    double mi_c = 0, mi_u = 0, min_c = INFINITY;
    int nc = 0, nu = 0;
    for (int i = 0; i < L; i++)
        for (int j = i + 1; j < L; j++) {
            double mi = attn_contacts_mutual_info(s, N, L, ATTN_POTTS_Q, i, j);
            if (map[i * L + j]) mi_c += mi, nc++, min_c = fmin(min_c, mi);
            else mi_u += mi, nu++;
        }
    CHECK(nc > 0 && nu > 0);
    mi_c /= nc, mi_u /= nu;
    printf("  mean MI coupled %.3f (min %.3f), uncoupled %.3f nats\n", mi_c, min_c, mi_u);
    CHECK(mi_c > 4 * mi_u);
    /* no coupling: every pair independent up to the plug-in estimate's bias */
    p.coupling = 0;
    CHECK_OK(attn_potts_sample(&p, N, NULL, s));
    double mi0 = 0;
    for (int i = 0; i < L; i++)
        for (int j = i + 1; j < L; j++)
            if (map[i * L + j]) mi0 += attn_contacts_mutual_info(s, N, L, ATTN_POTTS_Q, i, j) / nc;
    printf("  mean MI of the same pairs without couplings %.3f nats\n", mi0);
    CHECK(mi0 < mi_c / 4);
    p.length = 8;
    CHECK_STATUS(attn_potts_sample(&p, 1, NULL, s), ATTN_ERR_INVALID_ARG);
}

TEST("mutual information of hand columns") {
    /* column 1 copies column 0 (two states, balanced): MI = ln 2; column 2 is constant: 0 */
    const uint8_t s[] = {0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1};
    CHECK_NEAR(attn_contacts_mutual_info(s, 4, 3, 2, 0, 1), log(2.0), 1e-12);
    CHECK_NEAR(attn_contacts_mutual_info(s, 4, 3, 2, 0, 2), 0.0, 1e-12);
}

TEST("symmetrisation and APC on a hand matrix") {
    /* a = [[1 2 0] [0 1 1] [2 1 1]]: a + a^T = [[2 2 2] [2 2 2] [2 2 2]]; rows sum to 6,
     * the total 18: every entry 2 - 36/18 = 0 */
    float a[9] = {1, 2, 0, 0, 1, 1, 2, 1, 1};
    attn_contacts_sym_apc(a, 3);
    for (int k = 0; k < 9; k++) CHECK_NEAR(a[k], 0.0, 1e-6);
    /* [[0 1] [0 0]] -> [[0 1] [1 0]]: rows 1 and 1, total 2, each entry minus 1/2 */
    float b[4] = {0, 1, 0, 0};
    attn_contacts_sym_apc(b, 2);
    CHECK_NEAR(b[0], -0.5, 1e-6);
    CHECK_NEAR(b[1], 0.5, 1e-6);
    CHECK_NEAR(b[2], 0.5, 1e-6);
    CHECK_NEAR(b[3], -0.5, 1e-6);
}

TEST("features crop the residues out of every map") {
    /* two maps over 4 tokens, residues at tokens 1..2 */
    float maps[2 * 16], feat[2 * 2 * 2];
    for (int k = 0; k < 32; k++) maps[k] = (float)k;
    CHECK_OK(attn_contacts_features(maps, 2, 4, 1, 2, feat));
    /* map 0 crop [[5 6] [9 10]] -> sym [[10 15] [15 20]]: rows 25 35, total 60 */
    CHECK_NEAR(feat[0 * 2 + 0], 10 - 25.0 * 25 / 60, 1e-4);
    CHECK_NEAR(feat[1 * 2 + 0], 15 - 25.0 * 35 / 60, 1e-4);
    /* map 1 crop [[21 22] [25 26]] -> sym [[42 47] [47 52]]: rows 89 99, total 188 */
    CHECK_NEAR(feat[1 * 2 + 1], 47 - 89.0 * 99 / 188, 1e-4);
    CHECK_NEAR(feat[3 * 2 + 1], 52 - 99.0 * 99 / 188, 1e-4);
    CHECK_STATUS(attn_contacts_features(maps, 2, 4, 3, 2, feat), ATTN_ERR_INVALID_ARG);
}

TEST("logistic regression recovers a separable direction and its intercept") {
    enum { N = 2000, F = 3 };
    static float x[N * F];
    static uint8_t y[N];
    /* y ~ Bernoulli(sigmoid(2 x0 - x1 + 0.5)), x2 noise with a large offset and scale */
    uint64_t st = 1;
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < F; k++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            x[i * F + k] = (float)((double)(st >> 11) / 9007199254740992.0 * 4 - 2);
        }
        x[i * F + 2] = x[i * F + 2] * 100 + 1000;
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(st >> 11) / 9007199254740992.0;
        y[i] = u < 1 / (1 + exp(-(2 * (double)x[i * F] - (double)x[i * F + 1] + 0.5)));
    }
    attn_logreg r;
    CHECK_OK(attn_logreg_fit(x, y, N, F, 0, &r));
    CHECK(r.n_features == F);
    CHECK_NEAR(r.w[0], 2.0, 0.3);
    CHECK_NEAR(r.w[1], -1.0, 0.2);
    CHECK_NEAR(r.w[2] * 100, 0.0, 0.2);
    CHECK_NEAR(r.b + r.w[2] * 1000, 0.5, 0.3);
    float p[2];
    float q[2 * F] = {1, 0, 1000, -1, 0, 1000};
    attn_logreg_predict(&r, q, 2, p);
    CHECK(p[0] > 0.85f && p[1] < 0.25f);
    attn_logreg_free(&r);
    /* a strong L2 penalty shrinks the weights toward 0 */
    CHECK_OK(attn_logreg_fit(x, y, N, F, 10, &r));
    CHECK(fabs(r.w[0]) < 0.3);
    attn_logreg_free(&r);
    CHECK_STATUS(attn_logreg_fit(x, y, 0, F, 0, &r), ATTN_ERR_INVALID_ARG);
}

TEST("top-L precision and the random baseline on a hand example") {
    enum { L = 6 };
    /* contacts (0,3), (0,5), (1,4); pairs with j - i >= 3: (0,3) (0,4) (0,5) (1,4) (1,5) (2,5) */
    uint8_t map[L * L] = {0};
    int c[3][2] = {{0, 3}, {0, 5}, {1, 4}};
    for (int k = 0; k < 3; k++) map[c[k][0] * L + c[k][1]] = map[c[k][1] * L + c[k][0]] = 1;
    map[0 * L + 1] = map[1 * L + 0] = 1; /* a short-range contact: below min_sep, not counted */
    float s[L * L] = {0};
    s[0 * L + 1] = 9;                    /* the best score, but too close */
    s[0 * L + 4] = 5;                    /* false */
    s[0 * L + 3] = 4;                    /* true */
    s[2 * L + 5] = 3;                    /* false */
    s[1 * L + 4] = 2;                    /* true */
    double prec, base;
    CHECK_OK(attn_contacts_precision(s, map, L, 3, 2, &prec, &base));
    CHECK_NEAR(prec, 0.5, 1e-12);          /* (0,4) false, (0,3) true */
    CHECK_NEAR(base, 3.0 / 6.0, 1e-12);
    CHECK_OK(attn_contacts_precision(s, map, L, 3, 4, &prec, &base));
    CHECK_NEAR(prec, 0.5, 1e-12);          /* + (2,5) false, (1,4) true */
    /* k = 0 is L, more than the 6 pairs: all of them */
    CHECK_OK(attn_contacts_precision(s, map, L, 3, 0, &prec, &base));
    CHECK_NEAR(prec, 0.5, 1e-12);
    /* ties: the lower i first, so (0,5) (true) before (1,5) among the zeros */
    CHECK_OK(attn_contacts_precision(s, map, L, 3, 5, &prec, &base));
    CHECK_NEAR(prec, 3.0 / 5.0, 1e-12);
    CHECK_STATUS(attn_contacts_precision(s, map, L, 6, 1, &prec, &base), ATTN_ERR_INVALID_ARG);
}

TEST("contact map figure") {
    enum { L = 20 };
    uint8_t map[L * L] = {0};
    float s[L * L] = {0};
    map[0 * L + 10] = map[10 * L + 0] = 1;
    s[0 * L + 10] = 1, s[2 * L + 15] = 0.5f;
    char *svg = NULL;
    size_t len = 0;
    CHECK_OK(attn_contacts_svg(s, map, L, 6, 2, "synthetic <family> & model", &svg, &len));
    if (svg) {
        CHECK(strlen(svg) == len);
        CHECK(strstr(svg, "synthetic &lt;family&gt; &amp; model"));
        CHECK(strstr(svg, "fill=\"#1f5fbf\"") && strstr(svg, "fill=\"#d62728\""));
        CHECK(strstr(svg, "the top-2 predicted pairs with |i-j| &gt;= 6, blue true, red false (1 / 2 true)"));
        CHECK(strstr(svg, "</svg>\n") == svg + len - 7);
    }
    attn_free(svg);
}
