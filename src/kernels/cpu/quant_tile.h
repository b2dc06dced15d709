/* quant_tile.h — the SIMD quantized products, included by cpu_quant.c once
 * per integer dot-product instruction: QT_VNNI 1 (vpdpbusd, AVX512-VNNI on
 * 256-bit registers) or 0 (AVX2: vpmaddubsw + vpmaddwd), QT_SUFFIX naming
 * the copy and QT_ATTR its target attribute.
 *
 * Each weight block of 32 values becomes one register of 32 unsigned or
 * signed bytes: Q4 nibbles unpacked as values 0..15 in order (the low
 * nibbles give values 0..15 of the block, the high ones 16..31, which is
 * the activations' order too), Q8_0 as its int8 codes. One instruction (two
 * on AVX2) multiplies them by the 32 int8 activations into 8 int32 partial sums
 * whose total is the block's exact integer dot product:
 *   Q4_1  sum(u qa);  Q4_0  sum(u qa) - 8 s (each lane starts at -s);
 *   Q8_0  VNNI: sum((q + 128) qa) - 128 s (lanes start at -16 s; q ^ 0x80
 *         is q + 128 as an unsigned byte); AVX2: sum(|q| sign(qa, q)),
 *         since vpmaddubsw would saturate on (q + 128) qa pairs. |q| <= 128
 *         and |qa| <= 127 keep every pair sum within int16 there.
 * The sums are converted to fp32 and added, times dw dx, into 8-lane
 * accumulators; Q4_1's m term (mw dx s per block) is summed apart. Decoding
 * (QT(row_dot)) streams one weight row at a time; prompt processing tiles R
 * weight rows by NT activation rows, each weight block unpacked once for all
 * the activation rows and each activation block loaded once per R weight
 * rows (QT(tile_unpacked); QT(tile) when its scratch cannot be allocated). */

#define QT_CAT2(a, b) a##_##b
#define QT_CAT(a, b) QT_CAT2(a, b)
#define QT(name) QT_CAT(name, QT_SUFFIX)

QT_ATTR static inline float QT(hsum8)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* The 32 nibbles of a Q4 block as bytes 0..15 in order: the 16 bytes in
 * both halves, the upper half shifted right by 4 (as 64-bit lanes; the
 * bits that cross into a byte's top are masked off with the rest). */
QT_ATTR static inline __m256i QT(unpack_nibbles)(const uint8_t *qs) {
    __m256i raw = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)qs));
    __m256i v = _mm256_srlv_epi64(raw, _mm256_setr_epi64x(0, 0, 4, 4));
    return _mm256_and_si256(v, _mm256_set1_epi8(0x0f));
}

QT_ATTR static inline size_t QT(block_bytes)(int qt) {
    return qt == QUANT_Q8_0 ? sizeof(block_q8_0) : qt == QUANT_Q4_0 ? sizeof(block_q4_0) : sizeof(block_q4_1);
}

/* The block's fp16 scales as fp32 in the low lanes: [d, 0, ...] or, for
 * Q4_1, [d, m, ...]. */
QT_ATTR static inline __m128 QT(scales)(int qt, const uint8_t *p) {
    uint32_t h = 0;
    memcpy(&h, p, qt == QUANT_Q4_1 ? 4 : 2);
    return _mm_cvtph_ps(_mm_cvtsi32_si128((int)h));
}

/* init + the pairwise products of unsigned u and signed s, 4 to a lane. */
QT_ATTR static inline __m256i QT(dot_us)(__m256i init, __m256i u, __m256i s) {
#if QT_VNNI
    return _mm256_dpbusd_epi32(init, u, s);
#else
    return _mm256_add_epi32(init, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
#endif
}

/* The block's int32 partial sums for weight register wv and activations av
 * (see the top of the file). */
QT_ATTR static inline __m256i QT(block_dot)(int qt, __m256i wv, __m256i av, int32_t s) {
#if QT_VNNI
    return QT(dot_us)(_mm256_set1_epi32(qt == QUANT_Q8_0 ? -16 * s : qt == QUANT_Q4_0 ? -s : 0), wv, av);
#else
    if (qt == QUANT_Q8_0) return QT(dot_us)(_mm256_setzero_si256(), _mm256_abs_epi8(wv), _mm256_sign_epi8(av, wv));
    return QT(dot_us)(_mm256_set1_epi32(qt == QUANT_Q4_0 ? -s : 0), wv, av);
#endif
}

/* The weight block at p as the register block_dot takes. */
QT_ATTR static inline __m256i QT(weights)(int qt, const uint8_t *p) {
    if (qt == QUANT_Q8_0) {
        __m256i q = _mm256_loadu_si256((const __m256i *)(p + 2));
#if QT_VNNI
        q = _mm256_xor_si256(q, _mm256_set1_epi8((char)0x80));
#endif
        return q;
    }
    return QT(unpack_nibbles)(p + (qt == QUANT_Q4_1 ? 4 : 2));
}

/* acc + lane 1 of v (Q4_1's m term) in lane 1. */
QT_ATTR static inline __m256 QT(add_lane1)(__m256 acc, __m128 v) {
#if QT_VNNI
    return _mm256_mask_add_ps(acc, 0x02, acc, _mm256_castps128_ps256(v));
#else
    return _mm256_add_ps(acc, _mm256_zextps128_ps256(_mm_blend_ps(_mm_setzero_ps(), v, 0x02)));
#endif
}

/* out[n * ldo + r] = (accumulate ? itself : bias[r] or 0) + the dot of
 * weight row r (rows wrow bytes apart, nb blocks of type qt) with
 * activation row n (rows arow blocks apart), r < R, n < NT. qt, R and NT
 * are constants where it is inlined. With one activation row,
 * each block's two scale products come from one multiply, [dw, mw] times
 * [dx, dx s]; with several, dw is broadcast once per block and multiplied
 * by each row's dx. */
QT_ATTR static inline __attribute__((always_inline)) void QT(tile)(int qt, int R, int NT, const uint8_t *w, size_t wrow,
                                                                   const quant_act *a, int64_t arow, int64_t nb,
                                                                   float *out, int64_t ldo, const float *bias,
                                                                   bool accumulate) {
    enum { RM = 4, NM = 4 };
    size_t bb = qt == QUANT_Q8_0 ? sizeof(block_q8_0) : qt == QUANT_Q4_0 ? sizeof(block_q4_0) : sizeof(block_q4_1);
    __m256 acc[RM][NM];
#pragma GCC unroll 4
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
        for (int n = 0; n < NT; n++) acc[r][n] = _mm256_setzero_ps();
    for (int64_t i = 0; i < nb; i++) {
        __m256i wv[RM];
        __m128 sc[RM];
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            const uint8_t *p = w + (size_t)r * wrow + (size_t)i * bb;
            sc[r] = QT(scales)(qt, p);
            wv[r] = QT(weights)(qt, p);
        }
        if (NT == 1) {
            const quant_act *ab = a + i;
            __m256i av = _mm256_loadu_si256((const __m256i *)ab->q);
            __m128 ax = _mm_setr_ps(ab->d, ab->d * (float)ab->s, 0.0f, 0.0f);
#pragma GCC unroll 4
            for (int r = 0; r < R; r++) {
                __m256i p = QT(block_dot)(qt, wv[r], av, ab->s);
                __m128 prod = _mm_mul_ps(sc[r], ax);
                acc[r][0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_broadcastss_ps(prod), acc[r][0]);
                if (qt == QUANT_Q4_1) acc[r][0] = QT(add_lane1)(acc[r][0], prod);
            }
            continue;
        }
        __m256 dwv[RM], mwv[RM];
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            dwv[r] = _mm256_broadcastss_ps(sc[r]);
            if (qt == QUANT_Q4_1) mwv[r] = _mm256_broadcastss_ps(_mm_mul_ps(_mm_movehdup_ps(sc[r]), _mm_set1_ps(0.125f)));
        }
#pragma GCC unroll 4
        for (int n = 0; n < NT; n++) {
            const quant_act *ab = a + n * arow + i;
            __m256i av = _mm256_loadu_si256((const __m256i *)ab->q);
            __m256 dxv = _mm256_set1_ps(ab->d);
            __m256 dsv = _mm256_set1_ps(ab->d * (float)ab->s);
#pragma GCC unroll 4
            for (int r = 0; r < R; r++) {
                __m256i p = QT(block_dot)(qt, wv[r], av, ab->s);
                acc[r][n] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dwv[r], dxv), acc[r][n]);
                if (qt == QUANT_Q4_1) acc[r][n] = _mm256_fmadd_ps(mwv[r], dsv, acc[r][n]);
            }
        }
    }
#pragma GCC unroll 4
    for (int n = 0; n < NT; n++)
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            float *o = out + n * ldo + r;
            *o = (accumulate ? *o : bias ? bias[r] : 0.0f) + QT(hsum8)(acc[r][n]);
        }
}

/* Prompt processing: R weight rows' blocks [i0, i0 + k) unpacked once into
 * q (the registers QT(weights) gives, stored), d (dw) and m (mw), so that
 * the tiles over every NT activation rows only load them. About 9 KiB, in
 * a buffer per thread (quant_unpack_buffer), not on the stack; without it
 * the tiles unpack the weights as they read them. */
#define QT_UB 32
typedef struct QT(unpacked) {
    __m256i q[4][QT_UB];
    __m256 d[4][QT_UB]; /* dw in all 8 lanes (a multiply by a splat the compiler cannot see into) */
    float m[4][QT_UB];
} QT(unpacked);

QT_ATTR static inline __attribute__((always_inline)) void QT(unpack_rows)(int qt, int R, const uint8_t *w, size_t wrow,
                                                                          int64_t k, QT(unpacked) *u) {
    size_t bb = qt == QUANT_Q8_0 ? sizeof(block_q8_0) : qt == QUANT_Q4_0 ? sizeof(block_q4_0) : sizeof(block_q4_1);
    for (int r = 0; r < R; r++)
        for (int64_t i = 0; i < k; i++) {
            const uint8_t *p = w + (size_t)r * wrow + (size_t)i * bb;
            __m128 sc = QT(scales)(qt, p);
            u->q[r][i] = QT(weights)(qt, p);
            u->d[r][i] = _mm256_broadcastss_ps(sc);
            u->m[r][i] = _mm_cvtss_f32(_mm_movehdup_ps(sc));
        }
}

/* QT(tile) over unpacked weights (k blocks) and NT activation rows. Q4_1's
 * m term is a product of its own, sum over blocks of mw times dx s, eight
 * blocks to a register: ds (rows arow apart) holds dx s per block. */
QT_ATTR static inline __attribute__((always_inline)) void QT(tile_unpacked)(int qt, int R, int NT, const QT(unpacked) *u,
                                                                            const quant_act *a, const float *ds,
                                                                            int64_t arow, int64_t k,
                                                                            float *out, int64_t ldo, const float *bias,
                                                                            bool accumulate) {
    enum { RM = 4, NM = 4 };
    __m256 acc[RM][NM];
#pragma GCC unroll 4
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
        for (int n = 0; n < NT; n++) acc[r][n] = _mm256_setzero_ps();
    for (int64_t i = 0; i < k; i++) {
#pragma GCC unroll 4
        for (int n = 0; n < NT; n++) {
            const quant_act *ab = a + n * arow + i;
            __m256i av = _mm256_loadu_si256((const __m256i *)ab->q);
            __m256 dxv = _mm256_set1_ps(ab->d);
#pragma GCC unroll 4
            for (int r = 0; r < R; r++) {
                __m256i p = QT(block_dot)(qt, u->q[r][i], av, ab->s);
                acc[r][n] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(u->d[r][i], dxv), acc[r][n]);
            }
        }
    }
    if (qt == QUANT_Q4_1)
        for (int64_t i = 0; i < k; i += 8) {
            __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(k - i)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
#pragma GCC unroll 4
            for (int n = 0; n < NT; n++) {
                __m256 dsv = _mm256_maskload_ps(ds + n * arow + i, mask);
#pragma GCC unroll 4
                for (int r = 0; r < R; r++)
                    acc[r][n] = _mm256_fmadd_ps(_mm256_maskload_ps(&u->m[r][i], mask), dsv, acc[r][n]);
            }
        }
#pragma GCC unroll 4
    for (int n = 0; n < NT; n++)
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            float *o = out + n * ldo + r;
            *o = (accumulate ? *o : bias ? bias[r] : 0.0f) + QT(hsum8)(acc[r][n]);
        }
}

/* Decoding: the dot of one weight row (nb blocks) with the activations,
 * the row read as one sequential stream (a thread's rows one after another:
 * the hardware prefetchers follow one stream at about the read bandwidth,
 * where several rows read side by side fall well short), with a software
 * prefetch QT_PF bytes ahead, four blocks at a time in four accumulators.
 * The four blocks' scales are converted together: their first 4 bytes
 * ([d, m] for Q4_1, d and two codes otherwise) as 8 halves, times the
 * activations' pairs dd = [dx, dx s], give [dw dx, mw dx s] per block;
 * Q4_1's m terms add up in a vector of their own (odd lanes). */
#define QT_PF 2048
QT_ATTR static inline __attribute__((always_inline)) float QT(row_dot)(int qt, const uint8_t *w, const quant_act *a,
                                                                       const float *dd, int64_t nb) {
    size_t bb = QT(block_bytes)(qt);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    __m256 macc = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 4 <= nb; i += 4) {
        const uint8_t *p = w + (size_t)i * bb;
        _mm_prefetch((const char *)p + QT_PF, _MM_HINT_T0);
        _mm_prefetch((const char *)p + QT_PF + 64, _MM_HINT_T0);
        int32_t h[4];
        for (int u = 0; u < 4; u++) memcpy(&h[u], p + (size_t)u * bb, 4);
        __m256 prod = _mm256_mul_ps(_mm256_cvtph_ps(_mm_setr_epi32(h[0], h[1], h[2], h[3])), _mm256_loadu_ps(dd + 2 * i));
        if (qt == QUANT_Q4_1) macc = _mm256_add_ps(macc, prod);
#pragma GCC unroll 4
        for (int u = 0; u < 4; u++) {
            const quant_act *ab = a + i + u;
            __m256i pv = QT(block_dot)(qt, QT(weights)(qt, p + (size_t)u * bb), _mm256_loadu_si256((const __m256i *)ab->q),
                                       ab->s);
            acc[u] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pv), _mm256_permutevar8x32_ps(prod, _mm256_set1_epi32(2 * u)),
                                     acc[u]);
        }
    }
    for (; i < nb; i++) {
        const uint8_t *p = w + (size_t)i * bb;
        const quant_act *ab = a + i;
        __m256i pv = QT(block_dot)(qt, QT(weights)(qt, p), _mm256_loadu_si256((const __m256i *)ab->q), ab->s);
        double pair; /* dd + 2 i, 4-byte aligned */
        memcpy(&pair, dd + 2 * i, sizeof pair);
        __m128 prod = _mm_mul_ps(QT(scales)(qt, p), _mm_castpd_ps(_mm_set_sd(pair)));
        acc[0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pv), _mm256_broadcastss_ps(prod), acc[0]);
        if (qt == QUANT_Q4_1) macc = _mm256_add_ps(macc, _mm256_zextps128_ps256(prod));
    }
    __m256 sum = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    if (qt == QUANT_Q4_1) /* the odd lanes of macc: m terms (the even ones are the d terms, already counted) */
        sum = _mm256_add_ps(sum, _mm256_and_ps(macc, _mm256_castsi256_ps(_mm256_setr_epi32(0, -1, 0, -1, 0, -1, 0, -1))));
    return QT(hsum8)(sum);
}

/* out (N, OC) (rows ldo apart) for N activation rows (arow blocks apart) and
 * OC weight rows (wrow bytes apart) of nb blocks: decoding (N = 1) reads the
 * weights once, row by row (QT(row_dot)), rows split over the threads;
 * several rows take tiles of RT weight rows by NT activation rows, each
 * thread its own weight rows (every weight block read once per NT rows).
 * One function per type (QT_RUN below), so that the type is a constant
 * inside each OpenMP region (which the compiler outlines before inlining). */
#define QT_RUN(QTYPE, NAME)                                                                                            \
    QT_ATTR static void QT(NAME)(float *out, int64_t ldo, const quant_act *a, const float *ds, const float *dd,       \
                                 int64_t arow,                                                                         \
                                 const uint8_t *w,                                                                     \
                                 size_t wrow, const float *bias, int64_t N, int64_t nb, int64_t OC, bool accumulate) { \
        enum { RT = 4, NT = QT_VNNI ? 3 : 2 };                                                                         \
        int64_t groups = (OC + RT - 1) / RT;                                                                           \
        bool par = !cpu_in_team() && N * OC * nb * QUANT_BLOCK >= PAR_MIN;                                             \
        (void)par; /* unread without OpenMP */                                                                         \
        if (N == 1) {                                                                                                  \
            _Pragma("omp parallel for schedule(static) if (par)") for (int64_t o = 0; o < OC; o++) {                   \
                float *y = out + o;                                                                                    \
                *y = (accumulate ? *y : bias ? bias[o] : 0.0f) + QT(row_dot)(QTYPE, w + (size_t)o * wrow, a, dd, nb);  \
            }                                                                                                          \
            return;                                                                                                    \
        }                                                                                                              \
        _Pragma("omp parallel for schedule(static) if (par)") for (int64_t g = 0; g < groups; g++) {                   \
            int64_t o0 = g * RT;                                                                                       \
            const uint8_t *wg = w + (size_t)o0 * wrow;                                                                 \
            const float *b = bias ? bias + o0 : NULL;                                                                  \
            int64_t n = 0;                                                                                             \
            QT(unpacked) *u = o0 + RT <= OC ? thread_buffer_get(&quant_unpack_buffer, sizeof *u) : NULL;            \
            if (u) {                                                                                                   \
                for (int64_t i0 = 0; i0 < nb; i0 += QT_UB) {                                                           \
                    int64_t k = nb - i0 < QT_UB ? nb - i0 : QT_UB;                                                     \
                    bool acc_ = accumulate || i0 > 0;                                                                  \
                    QT(unpack_rows)(QTYPE, RT, wg + (size_t)i0 * QT(block_bytes)(QTYPE), wrow, k, u);                  \
                    for (n = 0; n + NT <= N; n += NT)                                                                  \
                        QT(tile_unpacked)(QTYPE, RT, NT, u, a + n * arow + i0, ds + n * arow + i0, arow, k,            \
                                          out + n * ldo + o0, ldo, b, acc_);                                           \
                    for (; n < N; n++)                                                                                 \
                        QT(tile_unpacked)(QTYPE, RT, 1, u, a + n * arow + i0, ds + n * arow + i0, arow, k,             \
                                          out + n * ldo + o0, ldo, b, acc_);                                           \
                }                                                                                                      \
            } else if (o0 + RT <= OC) { /* no scratch: the weights unpacked as they are read */                        \
                for (; n + NT <= N; n += NT)                                                                           \
                    QT(tile)(QTYPE, RT, NT, wg, wrow, a + n * arow, arow, nb, out + n * ldo + o0, ldo, b, accumulate); \
                for (; n < N; n++)                                                                                     \
                    QT(tile)(QTYPE, RT, 1, wg, wrow, a + n * arow, arow, nb, out + n * ldo + o0, ldo, b, accumulate);  \
            } else {                                                                                                   \
                for (int64_t o = o0; o < OC; o++)                                                                      \
                    for (n = 0; n < N; n++)                                                                            \
                        QT(tile)(QTYPE, 1, 1, w + (size_t)o * wrow, wrow, a + n * arow, arow, nb, out + n * ldo + o,   \
                                 ldo, bias ? bias + o : NULL, accumulate);                                             \
            }                                                                                                          \
        }                                                                                                              \
    }
QT_RUN(QUANT_Q8_0, run_q8_0)
QT_RUN(QUANT_Q4_0, run_q4_0)
QT_RUN(QUANT_Q4_1, run_q4_1)
#undef QT_RUN

QT_ATTR static void QT(run_any)(int qt, float *out, int64_t ldo, const quant_act *a, const float *ds, const float *dd,
                                int64_t arow,
                                const uint8_t *w, size_t wrow, const float *bias, int64_t N, int64_t nb, int64_t OC,
                                bool accumulate) {
    if (qt == QUANT_Q8_0) QT(run_q8_0)(out, ldo, a, ds, dd, arow, w, wrow, bias, N, nb, OC, accumulate);
    else if (qt == QUANT_Q4_0) QT(run_q4_0)(out, ldo, a, ds, dd, arow, w, wrow, bias, N, nb, OC, accumulate);
    else QT(run_q4_1)(out, ldo, a, ds, dd, arow, w, wrow, bias, N, nb, OC, accumulate);
}

#undef QT
#undef QT_UB
#undef QT_PF
#undef QT_CAT
#undef QT_CAT2
