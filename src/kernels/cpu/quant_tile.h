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
 * (QT(row_dot)) streams one weight row at a time, block by block; several
 * activation rows (prompts, batched decoding) go eight blocks at a time
 * (QT(tile)), R weight rows by NT activation rows. */

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

/* The bytes before a block's codes: its fp16 d, and m for Q4_1. */
QT_ATTR static inline size_t QT(codes_offset)(int qt) { return qt == QUANT_Q4_1 ? 4 : 2; }

/* The block's fp16 scales as fp32 in the low lanes: [d, 0, ...] or, for
 * Q4_1, [d, m, ...]. */
QT_ATTR static inline __m128 QT(scales)(int qt, const uint8_t *p) {
    uint32_t h = 0;
    memcpy(&h, p, QT(codes_offset)(qt));
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

/* acc + the lane-wise 4-byte dots of a weight register wv (as QT(weights)
 * gives it) and an activation register av. */
QT_ATTR static inline __m256i QT(group_dot)(int qt, __m256i acc, __m256i wv, __m256i av) {
#if !QT_VNNI
    if (qt == QUANT_Q8_0) return QT(dot_us)(acc, _mm256_abs_epi8(wv), _mm256_sign_epi8(av, wv));
#endif
    return QT(dot_us)(acc, wv, av);
}

/* The block's int32 partial sums for weight register wv and activations av
 * (see the top of the file): each lane starts at its eighth of the offset
 * term. */
QT_ATTR static inline __m256i QT(block_dot)(int qt, __m256i wv, __m256i av, int32_t s) {
    int32_t each = qt == QUANT_Q4_0 ? -s : qt == QUANT_Q8_0 && QT_VNNI ? -16 * s : 0;
    return QT(group_dot)(qt, _mm256_set1_epi32(each), wv, av);
}

/* Q8_0 codes as the dot instructions take them: with VNNI, q + 128 as
 * unsigned bytes (q ^ 0x80). */
QT_ATTR static inline __m256i QT(q8_operand)(__m256i q) {
#if QT_VNNI
    return _mm256_xor_si256(q, _mm256_set1_epi8((char)0x80));
#else
    return q;
#endif
}

/* The weight block at p as the register block_dot takes. */
QT_ATTR static inline __m256i QT(weights)(int qt, const uint8_t *p) {
    if (qt == QUANT_Q8_0) return QT(q8_operand)(_mm256_loadu_si256((const __m256i *)(p + QT(codes_offset)(qt))));
    return QT(unpack_nibbles)(p + QT(codes_offset)(qt));
}

/* Several activation rows: the blocks go eight to a group, transposed so
 * that register t holds bytes 4t..4t+3 of each of the group's eight blocks,
 * one block to a 32-bit lane. Eight integer dot products over t = 0..7 then
 * leave each block's whole integer dot in its own lane, and one conversion
 * and one FMA by the eight blocks' scale products [dw dx] add the group to
 * the accumulator: per weight row, activation row and eight blocks, 8 dot
 * instructions and 3 float ones (4 with Q4_1's m term), where one block at
 * a time takes 8 and 24. The activations come transposed
 * (quant_act_group, built once per call); a weight row's groups are
 * transposed into a wgroup as they are read, once for all the activation
 * rows. For the nibbles of a Q4 block (byte j: values j and j + 16) the
 * transposed dword t < 4 of the 16 bytes, masked, gives values 4t..4t+3,
 * shifted right by 4 values 16 + 4t..: the activations' dwords t and 4 + t. */
typedef struct QT(wgroup) {
    __m256i q[8]; /* q[t]: dword t of each block's 32 values as QT(weights) gives them, a block to a lane */
    __m256 d, m;  /* each block's dw and (Q4_1) mw; 0 in lanes past the row's end */
} QT(wgroup);

/* Dwords [d0..d3 of block j | of block j + 4] for j < 4 -> r[t]: dword t
 * of blocks 0..7 in order. */
QT_ATTR static inline void QT(transpose_4x8)(const __m256i y[4], __m256i r[4]) {
    __m256i t0 = _mm256_unpacklo_epi32(y[0], y[1]), t1 = _mm256_unpackhi_epi32(y[0], y[1]);
    __m256i t2 = _mm256_unpacklo_epi32(y[2], y[3]), t3 = _mm256_unpackhi_epi32(y[2], y[3]);
    r[0] = _mm256_unpacklo_epi64(t0, t2), r[1] = _mm256_unpackhi_epi64(t0, t2);
    r[2] = _mm256_unpacklo_epi64(t1, t3), r[3] = _mm256_unpackhi_epi64(t1, t3);
}

/* [16 bytes at lo | 16 bytes at hi] */
QT_ATTR static inline __m256i QT(load_2x128)(const uint8_t *lo, const uint8_t *hi) {
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)lo)),
                                   _mm_loadu_si128((const __m128i *)hi), 1);
}

QT_ATTR static inline int32_t QT(load32)(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Four blocks' first dwords [d0 m0 | d1 m1 | ...] (halves) as
 * [d0 d1 d2 d3 | m0 m1 m2 m3]. */
QT_ATTR static inline __m128i QT(split_halves)(__m128i h) {
    return _mm_shuffle_epi8(h, _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15));
}

/* Eight blocks from p (bb bytes apart) as a wgroup; at a row's end only
 * n < 8 of them: the lanes past them repeat block n - 1 (memory of the
 * row) with scales 0, and the activations' lanes there are 0 too. */
QT_ATTR static inline __attribute__((always_inline)) void QT(unpack_group)(int qt, const uint8_t *p, size_t bb, int n,
                                                                           QT(wgroup) *u) {
    const uint8_t *bp[8];
#pragma GCC unroll 8
    for (int b = 0; b < 8; b++) bp[b] = p + (size_t)(b < n ? b : n - 1) * bb;
    /* each block's first 4 bytes (d and m for Q4_1), d in the low half,
     * gathered in registers: halves stored one by one and loaded as a
     * vector would stall on the store forwarding */
    __m128i h0 = _mm_setr_epi32(QT(load32)(bp[0]), QT(load32)(bp[1]), QT(load32)(bp[2]), QT(load32)(bp[3]));
    __m128i h1 = _mm_setr_epi32(QT(load32)(bp[4]), QT(load32)(bp[5]), QT(load32)(bp[6]), QT(load32)(bp[7]));
    h0 = QT(split_halves)(h0), h1 = QT(split_halves)(h1);
    __m256 keep = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
    u->d = _mm256_and_ps(_mm256_cvtph_ps(_mm_unpacklo_epi64(h0, h1)), keep);
    if (qt == QUANT_Q4_1) u->m = _mm256_and_ps(_mm256_cvtph_ps(_mm_unpackhi_epi64(h0, h1)), keep);
    __m256i y[4], r[4];
    size_t off = QT(codes_offset)(qt);
    if (qt == QUANT_Q8_0) { /* dwords 0..3 and 4..7 of the 32 codes, each a 4 x 8 transpose */
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) {
#pragma GCC unroll 4
            for (int j = 0; j < 4; j++) y[j] = QT(load_2x128)(bp[j] + off + 16 * h, bp[j + 4] + off + 16 * h);
            QT(transpose_4x8)(y, r);
#pragma GCC unroll 4
            for (int t = 0; t < 4; t++) u->q[4 * h + t] = QT(q8_operand)(r[t]);
        }
        return;
    }
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) y[j] = QT(load_2x128)(bp[j] + off, bp[j + 4] + off);
    QT(transpose_4x8)(y, r);
    __m256i lo = _mm256_set1_epi8(0x0f);
#pragma GCC unroll 4
    for (int t = 0; t < 4; t++) {
        u->q[t] = _mm256_and_si256(r[t], lo);
        u->q[4 + t] = _mm256_and_si256(_mm256_srli_epi16(r[t], 4), lo);
    }
}

/* The last n < 8 blocks of a row (from p, bb bytes apart) as a narrow
 * group of tc = group_width(n) < 8 registers (quant_act_group's layout):
 * lane L holds block L % tc, dword (L / tc) tc + t of its 32 values in
 * register t; d in each of the block's lanes, Q4_1's m in its first only;
 * lanes of blocks n.. read block n - 1 and have scales 0. */
QT_ATTR static inline __attribute__((always_inline)) void QT(unpack_narrow)(int qt, const uint8_t *p, size_t bb, int n,
                                                                            int tc, QT(wgroup) *u) {
    const uint8_t *bp[4];
#pragma GCC unroll 4
    for (int b = 0; b < 4; b++) bp[b] = p + (size_t)(b < n ? b : n - 1) * bb;
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i blk = _mm256_and_si256(lanes, _mm256_set1_epi32(tc - 1)); /* each lane's block */
    __m128i h0 = _mm_setr_epi32(QT(load32)(bp[0]), QT(load32)(bp[1 % tc]), QT(load32)(bp[2 % tc]), QT(load32)(bp[3 % tc]));
    h0 = QT(split_halves)(h0);
    __m256 d4 = _mm256_cvtph_ps(_mm_unpacklo_epi64(h0, h0)), m4 = _mm256_cvtph_ps(_mm_unpackhi_epi64(h0, h0));
    /* lanes 0..3 hold blocks 0..3 % tc, and so do lanes 4..7 */
    u->d = _mm256_and_ps(d4, _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(n), blk)));
    if (qt == QUANT_Q4_1)
        u->m = _mm256_and_ps(m4, _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(n < tc ? n : tc), lanes)));
    size_t off = QT(codes_offset)(qt);
    if (qt == QUANT_Q8_0) {
        __m256i r[4];
        if (tc == 1) r[0] = _mm256_loadu_si256((const __m256i *)(bp[0] + off));
        else if (tc == 2) {
            __m256i a = _mm256_loadu_si256((const __m256i *)(bp[0] + off)), b = _mm256_loadu_si256((const __m256i *)(bp[1] + off));
            __m256i lo = _mm256_unpacklo_epi32(a, b), hi = _mm256_unpackhi_epi32(a, b);
            r[0] = _mm256_unpacklo_epi64(lo, hi), r[1] = _mm256_unpackhi_epi64(lo, hi);
        } else {
            __m256i y[4];
#pragma GCC unroll 4
            for (int j = 0; j < 4; j++) y[j] = _mm256_loadu_si256((const __m256i *)(bp[j] + off));
            QT(transpose_4x8)(y, r);
        }
#pragma GCC unroll 4
        for (int t = 0; t < tc; t++) u->q[t] = QT(q8_operand)(r[t]);
        return;
    }
    /* Q4: values dword k < 4 are the low nibbles of qs dword k, k >= 4 the
     * high nibbles of qs dword k - 4; lanes 4..7 want k >= 4 */
    __m256i r[4];
    if (tc == 1) r[0] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(bp[0] + off)));
    else if (tc == 2) {
        __m256i x = QT(load_2x128)(bp[0] + off, bp[1] + off);
        r[0] = _mm256_permutevar8x32_epi32(x, _mm256_setr_epi32(0, 4, 2, 6, 0, 4, 2, 6));
        r[1] = _mm256_permutevar8x32_epi32(x, _mm256_setr_epi32(1, 5, 3, 7, 1, 5, 3, 7));
    } else {
        __m256i y[4];
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) y[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(bp[j] + off)));
        QT(transpose_4x8)(y, r);
    }
    __m256i shift = _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4);
#pragma GCC unroll 4
    for (int t = 0; t < tc; t++) u->q[t] = _mm256_and_si256(_mm256_srlv_epi32(r[t], shift), _mm256_set1_epi8(0x0f));
}

/* Each lane's starting value: the block's offset term (see the top of the
 * file), from the eight blocks' activation sums s. */
QT_ATTR static inline __m256i QT(group_init)(int qt, __m256i s) {
#if QT_VNNI
    if (qt == QUANT_Q8_0) return _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(s, 7));
#endif
    if (qt == QUANT_Q4_0) return _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(s, 3));
    return _mm256_setzero_si256();
}

/* A weight row's groups in a wgroup buffer: QT_UG at a time. */
#define QT_UG 4

/* acc[r][n] + the group of weight row r (u[r * QT_UG]) and activation row
 * n (a[n * arow]), r < R, n < NT, over its tc registers (8, or fewer for a
 * narrow group at a row's end). */
QT_ATTR static inline __attribute__((always_inline)) void QT(tile_group)(int qt, int R, int NT, int tc,
                                                                         const QT(wgroup) *u,
                                                                         const quant_act_group *a, int64_t arow,
                                                                         __m256 acc[4][3]) {
    enum { RM = 4, NM = 3 };
    __m256i isum[RM][NM];
#pragma GCC unroll 4
    for (int n = 0; n < NT; n++) {
        __m256i init = QT(group_init)(qt, _mm256_loadu_si256((const __m256i *)a[n * arow].s));
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) isum[r][n] = init;
    }
#pragma GCC unroll 8
    for (int t = 0; t < tc; t++) {
        __m256i av[NM];
#pragma GCC unroll 4
        for (int n = 0; n < NT; n++) av[n] = _mm256_loadu_si256((const __m256i *)a[n * arow].q[t]);
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            __m256i wv = u[r * QT_UG].q[t];
#pragma GCC unroll 4
            for (int n = 0; n < NT; n++) isum[r][n] = QT(group_dot)(qt, isum[r][n], wv, av[n]);
        }
    }
#pragma GCC unroll 4
    for (int n = 0; n < NT; n++) {
        const quant_act_group *ag = a + n * arow;
        __m256 dx = _mm256_loadu_ps(ag->d);
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            const QT(wgroup) *wg = u + r * QT_UG;
            acc[r][n] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[r][n]), _mm256_mul_ps(wg->d, dx), acc[r][n]);
            if (qt == QUANT_Q4_1) acc[r][n] = _mm256_fmadd_ps(wg->m, _mm256_loadu_ps(ag->ds), acc[r][n]);
        }
    }
}

/* out[n * ldo + r] = (accumulate ? itself : bias[r] or 0) + the dot of
 * weight row r (groups u[r * QT_UG + i], i < k) with activation row n
 * (groups a[n * arow + i]), r < R, n < NT: qt, R and NT are constants
 * where it is inlined. The last group has tail_tc registers when that is
 * not 0 (a row's narrow last group). */
QT_ATTR static inline __attribute__((always_inline)) void QT(tile)(int qt, int R, int NT, const QT(wgroup) *u,
                                                                   const quant_act_group *a, int64_t arow, int64_t k,
                                                                   int tail_tc, float *out, int64_t ldo,
                                                                   const float *bias, bool accumulate) {
    __m256 acc[4][3];
#pragma GCC unroll 4
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
        for (int n = 0; n < NT; n++) acc[r][n] = _mm256_setzero_ps();
    int64_t full = tail_tc ? k - 1 : k;
    for (int64_t i = 0; i < full; i++) QT(tile_group)(qt, R, NT, 8, u + i, a + i, arow, acc);
    if (tail_tc) QT(tile_group)(qt, R, NT, tail_tc, u + full, a + full, arow, acc);
#pragma GCC unroll 4
    for (int n = 0; n < NT; n++)
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            float *o = out + n * ldo + r;
            *o = (accumulate ? *o : bias ? bias[r] : 0.0f) + QT(hsum8)(acc[r][n]);
        }
}

/* QT(tile) over all N activation rows, NT at a time (fewer at the end). */
QT_ATTR static inline __attribute__((always_inline)) void QT(tiles)(int qt, int R, const QT(wgroup) *u,
                                                                    const quant_act_group *a, int64_t arow, int64_t k,
                                                                    int tail_tc, int64_t N, float *out, int64_t ldo,
                                                                    const float *bias, bool accumulate) {
    enum { NT = QT_VNNI ? 3 : 1 };
    int64_t n = 0;
    for (; n + NT <= N; n += NT)
        QT(tile)(qt, R, NT, u, a + n * arow, arow, k, tail_tc, out + n * ldo, ldo, bias, accumulate);
    if (NT == 3 && N - n == 2) QT(tile)(qt, R, 2, u, a + n * arow, arow, k, tail_tc, out + n * ldo, ldo, bias, accumulate);
    else if (N - n == 1) QT(tile)(qt, R, 1, u, a + n * arow, arow, k, tail_tc, out + n * ldo, ldo, bias, accumulate);
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

/* out (N, OC) (rows ldo apart) for N activation rows and OC weight rows
 * (wrow bytes apart) of nb blocks: decoding (N = 1) reads the weights once,
 * row by row (QT(row_dot), the activations a and their scale pairs dd),
 * rows split over the threads; several rows (the activations' groups ag,
 * arow groups apart) take RT weight rows at a time, each thread its own,
 * QT_UG groups of them transposed into a wgroup buffer on the stack (5 KiB)
 * and multiplied into every activation row. One function per type (QT_RUN
 * below), so that the type is a constant inside each OpenMP region (which
 * the compiler outlines before inlining). */
#define QT_RUN(QTYPE, NAME)                                                                                            \
    QT_ATTR static void QT(NAME)(float *out, int64_t ldo, const quant_act *a, const float *dd,                        \
                                 const quant_act_group *ag, int64_t arow, const uint8_t *w, size_t wrow,               \
                                 const float *bias, int64_t N, int64_t nb, int64_t OC, bool accumulate) {              \
        enum { RT = 4 };                                                                                               \
        bool par = !cpu_in_team() && N * OC * nb * QUANT_BLOCK >= PAR_MIN;                                             \
        (void)par; /* unread without OpenMP */                                                                         \
        if (N == 1) {                                                                                                  \
            _Pragma("omp parallel for schedule(static) if (par)") for (int64_t o = 0; o < OC; o++) {                   \
                float *y = out + o;                                                                                    \
                *y = (accumulate ? *y : bias ? bias[o] : 0.0f) + QT(row_dot)(QTYPE, w + (size_t)o * wrow, a, dd, nb);  \
            }                                                                                                          \
            return;                                                                                                    \
        }                                                                                                              \
        size_t bb = QT(block_bytes)(QTYPE);                                                                            \
        int64_t ng = (nb + 7) / 8, groups = (OC + RT - 1) / RT;                                                        \
        int tail_tc = group_width((int)(nb - 8 * (ng - 1))); /* the last group's registers */                          \
        tail_tc = tail_tc < 8 ? tail_tc : 0;                                                                           \
        _Pragma("omp parallel for schedule(static) if (par)") for (int64_t g = 0; g < groups; g++) {                   \
            int64_t o0 = g * RT;                                                                                       \
            int R = OC - o0 < RT ? (int)(OC - o0) : RT;                                                                \
            QT(wgroup) u[RT * QT_UG];                                                                                  \
            if (o0 + 2 * RT <= OC) /* the next rows, from memory while these compute */                                \
                for (size_t b = 0; b < RT * wrow; b += 64)                                                             \
                    _mm_prefetch((const char *)w + (size_t)(o0 + RT) * wrow + b, _MM_HINT_T0);                         \
            for (int64_t i0 = 0; i0 < ng; i0 += QT_UG) {                                                               \
                int64_t k = ng - i0 < QT_UG ? ng - i0 : QT_UG;                                                         \
                bool acc_ = accumulate || i0 > 0;                                                                      \
                int tail = i0 + k == ng ? tail_tc : 0;                                                         \
                for (int r = 0; r < R; r++)                                                                            \
                    for (int64_t i = 0; i < k; i++) {                                                                  \
                        int64_t b0 = 8 * (i0 + i);                                                                     \
                        const uint8_t *p = w + (size_t)(o0 + r) * wrow + (size_t)b0 * bb;                              \
                        if (tail && i == k - 1)                                                                        \
                            QT(unpack_narrow)(QTYPE, p, bb, (int)(nb - b0), tail, u + r * QT_UG + i);                  \
                        else                                                                                           \
                            QT(unpack_group)(QTYPE, p, bb, nb - b0 < 8 ? (int)(nb - b0) : 8, u + r * QT_UG + i);       \
                    }                                                                                                  \
                if (R == RT)                                                                                           \
                    QT(tiles)(QTYPE, RT, u, ag + i0, arow, k, tail, N, out + o0, ldo, bias ? bias + o0 : NULL, acc_);  \
                else                                                                                                   \
                    for (int r = 0; r < R; r++)                                                                        \
                        QT(tiles)(QTYPE, 1, u + r * QT_UG, ag + i0, arow, k, tail, N, out + o0 + r, ldo,               \
                                  bias ? bias + o0 + r : NULL, acc_);                                                  \
            }                                                                                                          \
        }                                                                                                              \
    }
QT_RUN(QUANT_Q8_0, run_q8_0)
QT_RUN(QUANT_Q4_0, run_q4_0)
QT_RUN(QUANT_Q4_1, run_q4_1)
#undef QT_RUN

QT_ATTR static void QT(run_any)(int qt, float *out, int64_t ldo, const quant_act *a, const float *dd,
                                const quant_act_group *ag, int64_t arow, const uint8_t *w, size_t wrow,
                                const float *bias, int64_t N, int64_t nb, int64_t OC, bool accumulate) {
    if (qt == QUANT_Q8_0) QT(run_q8_0)(out, ldo, a, dd, ag, arow, w, wrow, bias, N, nb, OC, accumulate);
    else if (qt == QUANT_Q4_0) QT(run_q4_0)(out, ldo, a, dd, ag, arow, w, wrow, bias, N, nb, OC, accumulate);
    else QT(run_q4_1)(out, ldo, a, dd, ag, arow, w, wrow, bias, N, nb, OC, accumulate);
}

#undef QT
#undef QT_UG
#undef QT_PF
#undef QT_CAT
#undef QT_CAT2
