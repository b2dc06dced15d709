/* cpu_quant.c — the linear layer and embedding lookup on Q8_0 / Q4_0 / Q4_1
 * weights (kernels/quant.h), never expanded to fp32 (F16 weights: see
 * f16_forward): activations are
 * quantized per block of 32 to int8 (quant_act_row, once per call), then
 * each output is a sum over blocks of exact integer dot products times the
 * two scales. Paths by build: the baseline build runs plain C integer loops
 * (the scalar path); the AVX2 build vpmaddubsw / vpmaddwd; the AVX-512
 * build vpdpbusd (AVX512-VNNI) where the CPU has it, else the AVX2 code
 * (quant_tile.h has the SIMD kernels). */
#include "kernels/cpu/cpu.h"
#include "kernels/cpu/cpu_quant.h"
#include "core/core.h"
#include "kernels/quant.h"

#include <math.h>

/* The activations of several rows as the SIMD products take them, eight
 * blocks to a group: q[t][b] holds codes 4t..4t+3 of block b (quant_tile.h
 * says why); blocks past the row's end are zero. A row's last group of
 * n < 5 blocks is narrow: group_width(n) = tc registers, lane L holding
 * block L % tc, codes 4 ((L / tc) tc + t).. in register t, with d in each
 * of the block's lanes and its s and d s in the first only. */
typedef struct quant_act_group {
    int32_t q[8][8];
    float d[8], ds[8]; /* each block's d and d * s */
    int32_t s[8];
} quant_act_group;

/* The registers of a group of n <= 8 blocks: 1, 2, 4 or 8. */
static inline int group_width(int n) { return n <= 1 ? 1 : n <= 2 ? 2 : n <= 4 ? 4 : 8; }

#if defined(__AVX2__) && defined(__FMA__) && defined(__GNUC__)
#include <immintrin.h>

#define QT_VNNI 0
#define QT_SUFFIX avx2code
#define QT_ATTR
#include "kernels/cpu/quant_tile.h"
#undef QT_VNNI
#undef QT_SUFFIX
#undef QT_ATTR
#define HAVE_QUANT_AVX2 1

/* quant_act_row with 8-lane vectors, the same operations in the same order
 * (amax, d = amax / 127, id = 1 / d, each code x id rounded to the nearest
 * integer, ties to even, and clamped to 127), so the same blocks bit for
 * bit. */
static void act_row_simd(quant_act *a, const float *x, int64_t C) {
    const __m256i abs_bits = _mm256_set1_epi32(0x7fffffff), max_finite = _mm256_set1_epi32(0x7f7fffff);
    for (int64_t i = 0; i < C / QUANT_BLOCK; i++, a++, x += QUANT_BLOCK) {
        __m256 v[4], m = _mm256_setzero_ps();
        __m256i nonfinite = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            v[j] = _mm256_loadu_ps(x + 8 * j);
            __m256i b = _mm256_and_si256(_mm256_castps_si256(v[j]), abs_bits);
            nonfinite = _mm256_or_si256(nonfinite, _mm256_cmpgt_epi32(b, max_finite));
            m = _mm256_max_ps(m, _mm256_castsi256_ps(b));
        }
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        float amax = _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
        bool finite = _mm256_testz_si256(nonfinite, nonfinite);
        if (!finite || amax < 0x1p-100f) {
            a->d = finite ? 0.0f : NAN;
            a->s = 0;
            memset(a->q, 0, sizeof a->q);
            continue;
        }
        float d = amax / 127.0f, id = 1.0f / d;
        __m256i q[4], sum = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            q[j] = _mm256_cvtps_epi32(_mm256_mul_ps(v[j], _mm256_set1_ps(id)));
            q[j] = _mm256_min_epi32(_mm256_max_epi32(q[j], _mm256_set1_epi32(-127)), _mm256_set1_epi32(127));
            sum = _mm256_add_epi32(sum, q[j]);
        }
        __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
        _mm256_storeu_si256((__m256i *)a->q, _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
        a->d = d;
        a->s = _mm_cvtsi128_si32(s4);
    }
}
#endif

void CPU_FN(cpu_quant_act_row)(quant_act *a, const float *x, int64_t C) {
#ifdef HAVE_QUANT_AVX2
    act_row_simd(a, x, C);
#else
    quant_act_row(a, x, C);
#endif
}

#if defined(__AVX512F__) && defined(__GNUC__)
#define QT_VNNI 1
#define QT_SUFFIX vnni
#define QT_ATTR __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#include "kernels/cpu/quant_tile.h"
#undef QT_VNNI
#undef QT_SUFFIX
#undef QT_ATTR
#define HAVE_QUANT_VNNI 1
#endif

/* ---- the scalar path ----------------------------------------------------------- */

/* The dot of one weight row (nb blocks) with one activation row: the
 * blocks' integer dots in int32, their terms summed in fp32. */
static float row_dot_scalar(int qt, const uint8_t *w, const quant_act *a, int64_t nb) {
    float acc = 0.0f;
    for (int64_t i = 0; i < nb; i++, a++) {
        int32_t isum = 0;
        if (qt == QUANT_Q8_0) {
            const block_q8_0 *b = (const block_q8_0 *)(const void *)(w + i * (int64_t)sizeof(block_q8_0));
            for (int j = 0; j < QUANT_BLOCK; j++) isum += b->q[j] * a->q[j];
            acc += quant_f16(b->d) * a->d * (float)isum;
        } else if (qt == QUANT_Q4_0) {
            const block_q4_0 *b = (const block_q4_0 *)(const void *)(w + i * (int64_t)sizeof(block_q4_0));
            for (int j = 0; j < QUANT_BLOCK / 2; j++) isum += (b->qs[j] & 0x0f) * a->q[j] + (b->qs[j] >> 4) * a->q[j + 16];
            acc += quant_f16(b->d) * a->d * (float)(isum - 8 * a->s);
        } else {
            const block_q4_1 *b = (const block_q4_1 *)(const void *)(w + i * (int64_t)sizeof(block_q4_1));
            for (int j = 0; j < QUANT_BLOCK / 2; j++) isum += (b->qs[j] & 0x0f) * a->q[j] + (b->qs[j] >> 4) * a->q[j + 16];
            acc += quant_f16(b->d) * a->d * (float)isum + quant_f16(b->m) * (a->d * (float)a->s);
        }
    }
    return acc;
}

static void run_scalar(int qt, float *out, int64_t ldo, const quant_act *a, const float *dd,
                       const quant_act_group *ag, int64_t arow, const uint8_t *w, size_t wrow, const float *bias,
                       int64_t N, int64_t nb, int64_t OC, bool accumulate) {
    bool par = !cpu_in_team() && N * OC * nb * QUANT_BLOCK >= PAR_MIN;
    (void)par; /* unread without OpenMP */
#pragma omp parallel for schedule(static) if (par)
    for (int64_t o = 0; o < OC; o++)
        for (int64_t n = 0; n < N; n++) {
            float *y = out + n * ldo + o;
            *y = (accumulate ? *y : bias ? bias[o] : 0.0f) + row_dot_scalar(qt, w + (size_t)o * wrow, a + n * nb, nb);
        }
}

/* ---- entry points ----------------------------------------------------------------- */

/* One call's product on N activation rows a (nb blocks each; dd: the pairs
 * d, d * s of each block), their groups ag (arow apart; NULL for one row)
 * and OC weight rows (wrow bytes apart) into out (rows ldo apart). */
typedef void (*quant_run_fn)(int qt, float *out, int64_t ldo, const quant_act *a, const float *dd,
                             const quant_act_group *ag, int64_t arow, const uint8_t *w, size_t wrow,
                             const float *bias, int64_t N, int64_t nb, int64_t OC, bool accumulate);

/* The activations of all rows, one buffer per calling thread: decoding,
 * which runs one product per layer and token, allocates nothing. And their
 * groups when there are several rows. */
static thread_buffer act_buffer = THREAD_BUFFER_INIT, group_buffer = THREAD_BUFFER_INIT;

/* Activation blocks of one row at a time, on the stack (768 bytes), when
 * the buffer cannot be allocated. */
enum { CHUNK_BLOCKS = 16 };

/* The groups of one row's nb activation blocks. */
static void act_groups(quant_act_group *g, const quant_act *a, int64_t nb) {
    for (int64_t i0 = 0; i0 < nb; i0 += 8, g++) {
        int n = nb - i0 < 8 ? (int)(nb - i0) : 8, tc = group_width(n);
        memset(g, 0, sizeof *g);
        for (int L = 0; L < 8; L++) {
            int b = L % tc, j = L / tc;
            if (b >= n) continue;
            const quant_act *ab = a + i0 + b;
            for (int t = 0; t < tc; t++) memcpy(&g->q[t][L], ab->q + 4 * (j * tc + t), 4);
            g->d[L] = ab->d;
            if (j == 0) g->ds[L] = ab->d * (float)ab->s, g->s[L] = ab->s;
        }
    }
}

static void forward_with(quant_run_fn run, float *out, const float *x, const void *w, int qt, const float *bias,
                         int64_t N, int64_t C, int64_t OC) {
    if (N <= 0 || OC <= 0) return;
    int64_t nb = C / QUANT_BLOCK, ng = (nb + 7) / 8;
    size_t bb = quant_block_bytes(qt), wrow = bb * (size_t)nb;
    if (nb <= 0) {
        for (int64_t n = 0; n < N; n++)
            for (int64_t o = 0; o < OC; o++) out[n * OC + o] = bias ? bias[o] : 0.0f;
        return;
    }
    quant_act *act = thread_buffer_get(&act_buffer, (size_t)N * (size_t)nb * (sizeof(quant_act) + 2 * sizeof(float)));
    if (act) {
        float *dd = (float *)(void *)(act + N * nb);
        quant_act_group *ag = N > 1 && run != run_scalar
                                  ? thread_buffer_get(&group_buffer, (size_t)(N * ng) * sizeof(quant_act_group))
                                  : NULL;
        bool par = !cpu_in_team() && N * C >= PAR_MIN;
        (void)par;
#pragma omp parallel for schedule(static) if (par)
        for (int64_t n = 0; n < N; n++) {
            CPU_FN(cpu_quant_act_row)(act + n * nb, x + n * C, C);
            for (int64_t i = 0; i < nb; i++) {
                dd[2 * (n * nb + i)] = act[n * nb + i].d;
                dd[2 * (n * nb + i) + 1] = act[n * nb + i].d * (float)act[n * nb + i].s;
            }
            if (ag) act_groups(ag + n * ng, act + n * nb, nb);
        }
        if (ag || N == 1 || run == run_scalar) run(qt, out, OC, act, dd, ag, ng, w, wrow, bias, N, nb, OC, false);
        else /* no room for the groups: one row at a time */
            for (int64_t n = 0; n < N; n++)
                run(qt, out + n * OC, OC, act + n * nb, dd + 2 * n * nb, NULL, ng, w, wrow, bias, 1, nb, OC, false);
        return;
    }
    quant_act chunk[CHUNK_BLOCKS];
    float chunk_dd[2 * CHUNK_BLOCKS];
    for (int64_t n = 0; n < N; n++)
        for (int64_t i0 = 0; i0 < nb; i0 += CHUNK_BLOCKS) {
            int64_t k = nb - i0 < CHUNK_BLOCKS ? nb - i0 : CHUNK_BLOCKS;
            CPU_FN(cpu_quant_act_row)(chunk, x + n * C + i0 * QUANT_BLOCK, k * QUANT_BLOCK);
            for (int64_t i = 0; i < k; i++) chunk_dd[2 * i] = chunk[i].d, chunk_dd[2 * i + 1] = chunk[i].d * (float)chunk[i].s;
            run(qt, out + n * OC, OC, chunk, chunk_dd, NULL, 0, (const uint8_t *)w + (size_t)i0 * bb, wrow, bias, 1, k, OC,
                i0 > 0);
        }
}

#ifdef HAVE_QUANT_VNNI
static bool vnni_ok(void) {
    static int ok = -1;
    if (ok < 0) {
        __builtin_cpu_init();
        ok = __builtin_cpu_supports("avx512vnni");
    }
    return ok;
}
static void f16_forward(float *out, const float *x, const uint16_t *w, const float *bias, int64_t N, int64_t C,
                        int64_t OC);
void cpu_matmul_forward_q_vnni(float *out, const float *x, const void *w, int qtype, const float *bias, int64_t N,
                               int64_t C, int64_t OC) {
    if (qtype == QUANT_F16)
        f16_forward(out, x, w, bias, N, C, OC);
    else
        forward_with(run_any_vnni, out, x, w, qtype, bias, N, C, OC);
}
#endif

const char *CPU_FN(cpu_quant_path)(void) {
#if defined(HAVE_QUANT_VNNI)
    return vnni_ok() ? "avx512vnni" : "avx2";
#elif defined(HAVE_QUANT_AVX2)
    return "avx2";
#else
    return "scalar";
#endif
}

/* ---- F16 weights: fp32 activations times halves ----------------------------------- */

enum { F16_ROWS = 8, F16_PANEL_BYTES = 4 << 20 };

/* y[n] = x[n] . w for n < N <= F16_ROWS activation rows (ldx apart) and one
 * weight row of C halves (C a multiple of 32): each half converted once,
 * multiplied into every row; the weights F16_PF bytes ahead prefetched (the
 * next rows of a thread's stream). N is a constant where it is inlined
 * (f16_dots_n). */
enum { F16_PF = 2048 };
static inline __attribute__((always_inline)) void f16_dots(float *y, const float *x, int64_t ldx, const uint16_t *w,
                                                           int64_t C, int64_t N) {
#if defined(__AVX512F__) && defined(__F16C__)
    __m512 acc[F16_ROWS], acc1 = _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int64_t n = 0; n < F16_ROWS; n++) acc[n] = _mm512_setzero_ps();
    if (N == 1) { /* two chains: one row is latency-bound on a single one */
        for (int64_t k = 0; k < C; k += 32) {
            __m512 a = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(w + k)));
            __m512 b = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(w + k + 16)));
            acc[0] = _mm512_fmadd_ps(a, _mm512_loadu_ps(x + k), acc[0]);
            acc1 = _mm512_fmadd_ps(b, _mm512_loadu_ps(x + k + 16), acc1);
        }
        y[0] = _mm512_reduce_add_ps(_mm512_add_ps(acc[0], acc1));
        return;
    }
    for (int64_t k = 0; k < C; k += 16) {
        if (k % 32 == 0) _mm_prefetch((const char *)(w + k) + F16_PF, _MM_HINT_T0);
        __m512 a = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(w + k)));
#pragma GCC unroll 8
        for (int64_t n = 0; n < N; n++) acc[n] = _mm512_fmadd_ps(a, _mm512_loadu_ps(x + n * ldx + k), acc[n]);
    }
#pragma GCC unroll 8
    for (int64_t n = 0; n < N; n++) y[n] = _mm512_reduce_add_ps(acc[n]);
#elif defined(__AVX2__) && defined(__F16C__) && defined(__FMA__)
    __m256 acc[F16_ROWS];
#pragma GCC unroll 8
    for (int64_t n = 0; n < F16_ROWS; n++) acc[n] = _mm256_setzero_ps();
    for (int64_t k = 0; k < C; k += 8) {
        __m256 a = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(w + k)));
#pragma GCC unroll 8
        for (int64_t n = 0; n < N; n++) acc[n] = _mm256_fmadd_ps(a, _mm256_loadu_ps(x + n * ldx + k), acc[n]);
    }
    for (int64_t n = 0; n < N; n++) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc[n]), _mm256_extractf128_ps(acc[n], 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        y[n] = _mm_cvtss_f32(s);
    }
#else
    for (int64_t n = 0; n < N; n++) {
        float acc = 0.0f;
        for (int64_t k = 0; k < C; k++) acc += x[n * ldx + k] * quant_f16(w[k]);
        y[n] = acc;
    }
#endif
}

/* f16_dots with N (1 to F16_ROWS) a constant in each copy. */
static void f16_dots_n(float *y, const float *x, int64_t ldx, const uint16_t *w, int64_t C, int64_t N) {
    switch (N) {
    case 1: f16_dots(y, x, ldx, w, C, 1); break;
    case 2: f16_dots(y, x, ldx, w, C, 2); break;
    case 3: f16_dots(y, x, ldx, w, C, 3); break;
    case 4: f16_dots(y, x, ldx, w, C, 4); break;
    case 5: f16_dots(y, x, ldx, w, C, 5); break;
    case 6: f16_dots(y, x, ldx, w, C, 6); break;
    case 7: f16_dots(y, x, ldx, w, C, 7); break;
    default: f16_dots(y, x, ldx, w, C, 8); break;
    }
}

/* The rows of a weight panel converted to fp32 (P x C, about
 * F16_PANEL_BYTES: the fp32 product packs the activations again for every
 * panel, so panels are large), and the panel's outputs (N x P), per calling
 * thread. */
static thread_buffer f16_panel_buffer = THREAD_BUFFER_INIT;

/* out (N, OC) = x (N, C) @ W^T + bias for W (OC, C) in halves. A few rows
 * (decoding) read each weight row once for all of them, the rows of W
 * shared among the threads; more rows convert W a panel at a time and run
 * the fp32 product on it. */
static void f16_forward(float *out, const float *x, const uint16_t *w, const float *bias, int64_t N, int64_t C,
                        int64_t OC) {
    int64_t PR = F16_PANEL_BYTES / (4 * C);
    PR = PR < 64 ? 64 : PR > OC ? OC : PR;
    float *panel = N > F16_ROWS ? thread_buffer_get(&f16_panel_buffer, (size_t)(PR * C + N * PR) * sizeof(float)) : NULL;
    if (!panel) {
        bool par = !cpu_in_team() && N * OC * C >= PAR_MIN;
        (void)par;
#pragma omp parallel for schedule(static) if (par)
        for (int64_t o = 0; o < OC; o++)
            for (int64_t n0 = 0; n0 < N; n0 += F16_ROWS) {
                float y[F16_ROWS];
                int64_t rows = N - n0 < F16_ROWS ? N - n0 : F16_ROWS;
                f16_dots_n(y, x + n0 * C, C, w + o * C, C, rows);
                for (int64_t n = 0; n < rows; n++) out[(n0 + n) * OC + o] = y[n] + (bias ? bias[o] : 0.0f);
            }
        return;
    }
    float *tmp = panel + PR * C;
    for (int64_t o0 = 0; o0 < OC; o0 += PR) {
        int64_t P = OC - o0 < PR ? OC - o0 : PR;
        bool par = !cpu_in_team() && P * C >= PAR_MIN;
        (void)par;
#pragma omp parallel for schedule(static) if (par)
        for (int64_t r = 0; r < P; r++) {
            const uint16_t *h = w + (o0 + r) * C;
            float *f = panel + r * C;
#if defined(__AVX512F__) && defined(__F16C__)
            for (int64_t k = 0; k < C; k += 16) _mm512_storeu_ps(f + k, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(h + k))));
#elif defined(__AVX2__) && defined(__F16C__)
            for (int64_t k = 0; k < C; k += 8) _mm256_storeu_ps(f + k, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(h + k))));
#else
            for (int64_t k = 0; k < C; k++) f[k] = quant_f16(h[k]);
#endif
        }
        CPU_FN(cpu_matmul_forward)(tmp, x, panel, bias ? bias + o0 : NULL, N, C, P);
        for (int64_t n = 0; n < N; n++) memcpy(out + n * OC + o0, tmp + n * P, (size_t)P * sizeof(float));
    }
}

void CPU_FN(cpu_matmul_forward_q)(float *out, const float *x, const void *w, int qtype, const float *bias, int64_t N,
                                  int64_t C, int64_t OC) {
    if (qtype == QUANT_F16) {
        f16_forward(out, x, w, bias, N, C, OC);
        return;
    }
    quant_run_fn run = run_scalar;
#ifdef HAVE_QUANT_AVX2
    run = run_any_avx2code;
#endif
#ifdef HAVE_QUANT_VNNI
    if (vnni_ok()) run = run_any_vnni;
#endif
    forward_with(run, out, x, w, qtype, bias, N, C, OC);
}

void CPU_FN(cpu_embedding_forward_q)(float *out, const void *table, int qtype, const int32_t *ids, int64_t N,
                                     int64_t C) {
    size_t row = quant_row_bytes(qtype, C);
    bool par = !cpu_in_team() && N * C >= PAR_MIN;
    (void)par;
#pragma omp parallel for schedule(static) if (par)
    for (int64_t n = 0; n < N; n++)
        quant_dequantize_row(qtype, (const uint8_t *)table + (size_t)ids[n] * row, out + n * C, C);
}
