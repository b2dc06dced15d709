/* seq2seq.c — greedy and beam search for sequence-to-sequence models, as
 * transformers' generate (GenerationMixin._sample without sampling and
 * _beam_search, transformers 4.50+), and attn_seq2seq_generate.
 *
 * Beam search, per source, with nb = num_beams and K = 2 nb:
 *   1. log p = log_softmax(logits) of each running hypothesis, then the
 *      logits processors: min_length (eos impossible while the decoder
 *      length, start token included, is below min_length), forced_bos (only
 *      bos at length 1), forced_eos (only eos at length max_length - 1).
 *   2. The K best continuations over all nb x V (running score + log p).
 *   3. A continuation ends when its token is eos or the length reaches
 *      max_length. The nb best of the K that do not end keep running
 *      (ended ones get -1e9 added), and the cache is reordered to them.
 *   4. Among the first nb of the K, the ended ones compete with the nb
 *      finished hypotheses kept so far, scored sum log p / len^length_penalty
 *      (len = generated tokens, eos included); no new one enters once the
 *      source is done (early_stopping TRUE with nb finished, or the
 *      heuristic below).
 *   5. The source is done when the best running score divided by
 *      len^length_penalty (len = current generated length, or the longest
 *      possible with early_stopping NEVER and length_penalty > 0) cannot
 *      beat the worst finished score with all nb finished.
 * The search stops when every source is done, or all are finished with
 * early_stopping TRUE, or every continuation of the step ended. Scores are
 * float32 throughout, as transformers computes them, with the same -1e9
 * sentinels, so rankings match up to ties: candidates of equal score are
 * taken in index order. */
#include "attn/context.h"
#include "generate/seq2seq.h"
#include "kernels/kernels.h"
#include "models/model_impl.h"

#include <math.h>

#define NEG_BIG (-1.0e9f)

attn_status s2s_params_check(const attn_seq2seq_params *p, int64_t V) {
    if (p->num_beams < 1 || p->num_beams > 1024)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "num_beams must be in [1, 1024], got %lld", (long long)p->num_beams);
    if (p->num_return_sequences < 1 || p->num_return_sequences > p->num_beams)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "num_return_sequences must be in [1, num_beams = %lld]", (long long)p->num_beams);
    if (p->max_length < 2) return attn_errorf(ATTN_ERR_INVALID_ARG, "max_length must be at least 2 (the start token and one more)");
    if (p->min_length < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "min_length must not be negative");
    if (!isfinite(p->length_penalty)) return attn_errorf(ATTN_ERR_INVALID_ARG, "length_penalty must be finite");
    if ((unsigned)p->early_stopping > ATTN_EARLY_STOP_NEVER) return attn_errorf(ATTN_ERR_INVALID_ARG, "unknown early_stopping");
    const int32_t ids[] = {p->decoder_start_token_id, p->eos_token_id, p->pad_token_id, p->forced_bos_token_id,
                           p->forced_eos_token_id};
    for (size_t i = 0; i < ARRAY_LEN(ids); i++)
        if (ids[i] < -1 || ids[i] >= V || (i < 3 && ids[i] < 0))
            return attn_errorf(ATTN_ERR_INVALID_ARG,
                               "decoder_start, eos and pad must be tokens of the vocabulary [0, %lld); forced bos/eos -1 or tokens",
                               (long long)V);
    return ATTN_OK;
}

/* Logits processors on one row of V scores; len = decoder length so far
 * (start token included). */
static void process(float *x, int64_t V, int64_t len, const attn_seq2seq_params *p) {
    if (len < p->min_length) x[p->eos_token_id] = -INFINITY;
    int32_t forced = -1;
    if (len == 1 && p->forced_bos_token_id >= 0) forced = p->forced_bos_token_id;
    if (len == p->max_length - 1 && p->forced_eos_token_id >= 0) forced = p->forced_eos_token_id;
    if (forced < 0) return;
    for (int64_t j = 0; j < V; j++) x[j] = j == forced ? 0.0f : -INFINITY;
}

/* log_softmax (the kernels' log_softmax_rows: sums in double), then the
 * logits processors, on n rows of V. */
static void rows_log_softmax(const kernels *k, float *x, int64_t n, int64_t V, int64_t len, const attn_seq2seq_params *p) {
    k->log_softmax_rows(x, n, V);
    for (int64_t i = 0; i < n; i++) process(x + i * V, V, len, p);
}

/* ---- greedy --------------------------------------------------------------- */

/* Row r of the decoder's batch decodes source row[r]. A row that ends
 * (eos) is dropped from the batch before the next step where the decoder
 * can (d->keep), else fed the pad token to the end: its tokens are final
 * either way, and each row's logits depend on its own tokens only. */
static attn_status greedy(const s2s_decoder *d, const attn_seq2seq_params *p, int64_t B, float *logits, int32_t *tok,
                          int32_t *out, int64_t *out_len, float *scores) {
    int64_t V = d->vocab_size, W = p->max_length - 1;
    bool *open = attn_malloc((size_t)B * sizeof *open);
    int32_t *row = attn_malloc((size_t)B * sizeof *row), *keep = attn_malloc((size_t)B * sizeof *keep);
    attn_status st = open && row && keep ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    for (int64_t b = 0; b < B && !st; b++) {
        open[b] = true;
        row[b] = (int32_t)b;
        out_len[b] = 0;
        if (scores) scores[b] = 0.0f;
        tok[b] = p->decoder_start_token_id;
        for (int64_t t = 0; t < W; t++) out[b * W + t] = p->pad_token_id;
    }
    int64_t n_open = B, n_rows = B;
    bool can_keep = d->keep != NULL;
    const kernels *kern = kernels_default();
    for (int64_t len = 1; len < p->max_length && n_open && !st; len++) {
        if (can_keep && n_open < n_rows) { /* drop the rows that ended */
            int64_t n = 0;
            for (int64_t r = 0; r < n_rows; r++)
                if (open[row[r]]) keep[n++] = (int32_t)r;
            st = d->keep(d->self, keep, n);
            if (st == ATTN_ERR_UNSUPPORTED) {
                can_keep = false;
                st = ATTN_OK;
            } else if (st) {
                break;
            } else {
                for (int64_t r = 0; r < n; r++) {
                    row[r] = row[keep[r]];
                    tok[r] = tok[keep[r]];
                }
                n_rows = n;
            }
        }
        if ((st = d->step(d->self, tok, logits))) break;
        /* each row's choice and log-probability, rows in parallel */
#pragma omp parallel for if (n_rows * V >= 65536) schedule(static)
        for (int64_t r = 0; r < n_rows; r++) {
            float *x = logits + r * V;
            if (!open[row[r]]) continue;
            process(x, V, len, p);
            int64_t best = 0;
            for (int64_t j = 1; j < V; j++)
                if (x[j] > x[best]) best = j;
            tok[r] = (int32_t)best;
            if (scores) {
                kern->log_softmax_rows(x, 1, V);
                x[0] = x[best];
            }
        }
        for (int64_t r = 0; r < n_rows; r++) {
            int64_t b = row[r];
            if (!open[b]) {
                tok[r] = p->pad_token_id;
                continue;
            }
            if (scores) scores[b] += logits[r * V];
            out[b * W + out_len[b]++] = tok[r];
            if (tok[r] == p->eos_token_id) open[b] = false, n_open--;
        }
    }
    attn_free(open);
    attn_free(row);
    attn_free(keep);
    return st;
}

/* ---- beam search ---------------------------------------------------------- */

typedef struct cand {
    float score;
    int64_t index;            /* beam * V + token */
} cand;

/* Inserts (score, index) into the sorted list c[0..*n) of at most K,
 * best first, equal scores in index order. */
static void keep_best(cand *c, int64_t *n, int64_t K, float score, int64_t index) {
    if (*n == K && !(score > c[K - 1].score)) return;
    int64_t i = *n < K ? (*n)++ : K - 1;
    while (i > 0 && score > c[i - 1].score) {
        c[i] = c[i - 1];
        i--;
    }
    c[i] = (cand){score, index};
}

/* Candidates are scanned in blocks of this many; a block whose largest
 * score cannot enter the full list is skipped. */
enum { CAND_BLOCK = 64 };

typedef struct beam_state {
    int64_t nb, K, W, V;
    int32_t *run_seq;         /* (B, nb, W) generated tokens */
    float *run_score;         /* (B, nb) */
    int32_t *fin_seq;         /* (B, nb, W) */
    int64_t *fin_len;         /* (B, nb) */
    float *fin_score;         /* (B, nb) */
    bool *fin_done;           /* (B, nb) */
    bool *open;               /* (B) the early-stop heuristic is not yet satisfied */
    cand *top;                /* (K) */
    bool *hits;               /* (B, K) */
    int32_t *new_seq;         /* (nb, W) */
    float *new_score;         /* (nb) */
    int32_t *from;            /* (B * nb) */
    int32_t *live, *keep;     /* (B) */
} beam_state;

static float len_pow(int64_t len, float lp) { return (float)pow((double)len, (double)lp); }

/* One source's step: candidates, running beams, finished beams (steps 2-4
 * of the file comment). len = decoder length before this token. */
static void beam_source(beam_state *s, const attn_seq2seq_params *p, int64_t b, const float *logp, int64_t len) {
    /* logp: this source's nb rows */
    int64_t nb = s->nb, K = s->K, W = s->W, V = s->V, n = 0;
    cand *top = s->top;
    for (int64_t i = 0; i < nb; i++) {
        const float *x = logp + i * V;
        float rs = s->run_score[b * nb + i];
        for (int64_t j0 = 0; j0 < V; j0 += CAND_BLOCK) {
            int64_t j1 = j0 + CAND_BLOCK < V ? j0 + CAND_BLOCK : V;
            if (n == K) { /* a full list takes only scores above its last: skip blocks without one */
                float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
                for (int64_t j = j0; j < j1; j++) mx = x[j] + rs > mx ? x[j] + rs : mx;
                if (!(mx > top[K - 1].score)) continue;
            }
            for (int64_t j = j0; j < j1; j++) keep_best(top, &n, K, x[j] + rs, i * V + j);
        }
    }
    bool *hits = s->hits + b * K;
    for (int64_t k = 0; k < n; k++) hits[k] = top[k].index % V == p->eos_token_id || len + 1 >= p->max_length;
    for (int64_t k = n; k < K; k++) hits[k] = true;
    /* finished: the first nb candidates that ended */
    bool all_done = true;
    for (int64_t i = 0; i < nb; i++) all_done = all_done && s->fin_done[b * nb + i];
    float denom = len_pow(len, p->length_penalty);
    for (int64_t k = 0; k < nb && k < n; k++) {
        float sc = top[k].score / denom;
        if (all_done && p->early_stopping == ATTN_EARLY_STOP_TRUE) sc += NEG_BIG;
        if (!s->open[b]) sc += NEG_BIG;
        if (!hits[k]) continue; /* its score would carry -1e9: never above a kept one that counts */
        /* insert into the finished list (sorted, best first), dropping the worst */
        float *fs = s->fin_score + b * nb;
        int64_t at = nb;
        while (at > 0 && sc > fs[at - 1]) at--;
        if (at == nb) continue;
        for (int64_t i = nb - 1; i > at; i--) {
            fs[i] = fs[i - 1];
            s->fin_done[b * nb + i] = s->fin_done[b * nb + i - 1];
            s->fin_len[b * nb + i] = s->fin_len[b * nb + i - 1];
            memcpy(s->fin_seq + (b * nb + i) * W, s->fin_seq + (b * nb + i - 1) * W, (size_t)W * sizeof(int32_t));
        }
        int64_t beam = top[k].index / V;
        fs[at] = sc;
        s->fin_done[b * nb + at] = sc > NEG_BIG / 2;
        s->fin_len[b * nb + at] = len;
        int32_t *dst = s->fin_seq + (b * nb + at) * W;
        memcpy(dst, s->run_seq + (b * nb + beam) * W, (size_t)(len - 1) * sizeof(int32_t));
        dst[len - 1] = (int32_t)(top[k].index % V);
    }
    /* running: the nb best after ended ones are pushed down by 1e9 */
    cand run[2048];
    int64_t m = 0;
    for (int64_t k = 0; k < K; k++) {
        float sc = k < n ? top[k].score : -INFINITY;
        keep_best(run, &m, nb, hits[k] ? sc + NEG_BIG : sc, k);
    }
    for (int64_t i = 0; i < nb; i++) {
        int64_t k = run[i].index, beam = k < n ? top[k].index / V : 0;
        int32_t tok = k < n ? (int32_t)(top[k].index % V) : p->pad_token_id;
        memcpy(s->new_seq + i * W, s->run_seq + (b * nb + beam) * W, (size_t)(len - 1) * sizeof(int32_t));
        s->new_seq[i * W + len - 1] = tok;
        s->new_score[i] = run[i].score;
        s->from[b * nb + i] = (int32_t)(b * nb + beam);
    }
    memcpy(s->run_seq + b * nb * W, s->new_seq, (size_t)(nb * W) * sizeof(int32_t));
    memcpy(s->run_score + b * nb, s->new_score, (size_t)nb * sizeof(float));
}

/* Step 5 for source b after the step; len = the new decoder length. */
static void update_open(beam_state *s, const attn_seq2seq_params *p, int64_t b, int64_t len) {
    int64_t nb = s->nb;
    int64_t best_len = p->early_stopping == ATTN_EARLY_STOP_NEVER && p->length_penalty > 0.0f ? p->max_length - 1 : len - 1;
    float best_running = s->run_score[b * nb] / len_pow(best_len, p->length_penalty);
    float worst = INFINITY;
    for (int64_t i = 0; i < nb; i++) worst = fminf(worst, s->fin_score[b * nb + i]);
    bool improvable = false;
    for (int64_t i = 0; i < nb; i++) improvable = improvable || best_running > (s->fin_done[b * nb + i] ? worst : NEG_BIG);
    s->open[b] = s->open[b] && improvable;
}

static void beam_state_free(beam_state *s) {
    attn_free(s->run_seq), attn_free(s->run_score), attn_free(s->fin_seq), attn_free(s->fin_len);
    attn_free(s->fin_score), attn_free(s->fin_done), attn_free(s->open), attn_free(s->top), attn_free(s->hits);
    attn_free(s->new_seq), attn_free(s->new_score), attn_free(s->from), attn_free(s->live), attn_free(s->keep);
}

static attn_status beam(const s2s_decoder *d, const attn_seq2seq_params *p, int64_t B, float *logits, int32_t *tok,
                        int32_t *out, int64_t *out_len, float *scores) {
    beam_state s;
    memset(&s, 0, sizeof s);
    s.nb = p->num_beams, s.K = 2 * p->num_beams, s.W = p->max_length - 1, s.V = d->vocab_size;
    int64_t nb = s.nb, N = B * nb, W = s.W, V = s.V;
    s.run_seq = attn_calloc((size_t)(N * W), sizeof *s.run_seq);
    s.run_score = attn_malloc((size_t)N * sizeof *s.run_score);
    s.fin_seq = attn_calloc((size_t)(N * W), sizeof *s.fin_seq);
    s.fin_len = attn_calloc((size_t)N, sizeof *s.fin_len);
    s.fin_score = attn_malloc((size_t)N * sizeof *s.fin_score);
    s.fin_done = attn_calloc((size_t)N, sizeof *s.fin_done);
    s.open = attn_malloc((size_t)B * sizeof *s.open);
    s.top = attn_malloc((size_t)s.K * sizeof *s.top);
    s.hits = attn_malloc((size_t)(B * s.K) * sizeof *s.hits);
    s.new_seq = attn_malloc((size_t)(nb * W) * sizeof *s.new_seq);
    s.new_score = attn_malloc((size_t)nb * sizeof *s.new_score);
    s.from = attn_malloc((size_t)N * sizeof *s.from);
    s.live = attn_malloc((size_t)B * sizeof *s.live);
    s.keep = attn_malloc((size_t)B * sizeof *s.keep);
    attn_status st = ATTN_OK;
    if (!s.run_seq || !s.run_score || !s.fin_seq || !s.fin_len || !s.fin_score || !s.fin_done || !s.open || !s.top ||
        !s.hits || !s.new_seq || !s.new_score || !s.from || !s.live || !s.keep) {
        st = ATTN_ERR_OUT_OF_MEMORY;
        goto done;
    }
    for (int64_t i = 0; i < N; i++) {
        s.run_score[i] = i % nb ? NEG_BIG : 0.0f;
        s.fin_score[i] = NEG_BIG;
        tok[i] = p->decoder_start_token_id;
    }
    for (int64_t b = 0; b < B; b++) s.open[b] = true;
    /* live[r]: the source of the decoder's rows [r nb, (r + 1) nb); a source
     * that is done (step 5) is dropped from the decoder's batch where the
     * decoder can (d->keep): its finished list can no longer change, and
     * the stopping tests over the sources left decide as over all. */
    int64_t n_live = B;
    bool can_keep = d->keep != NULL;
    const kernels *kern = kernels_default();
    for (int64_t b = 0; b < B; b++) s.live[b] = (int32_t)b;
    for (int64_t len = 1; len < p->max_length; len++) {
        if ((st = d->step(d->self, tok, logits))) goto done;
        rows_log_softmax(kern, logits, n_live * nb, V, len, p);
        for (int64_t r = 0; r < n_live; r++) beam_source(&s, p, s.live[r], logits + r * nb * V, len);
        bool any_open = false, all_finished = true, all_hit = true;
        for (int64_t r = 0; r < n_live; r++) {
            int64_t b = s.live[r];
            update_open(&s, p, b, len + 1);
            any_open = any_open || s.open[b];
            for (int64_t k = 0; k < s.K; k++) all_hit = all_hit && s.hits[b * s.K + k];
        }
        for (int64_t i = 0; i < N; i++) all_finished = all_finished && s.fin_done[i];
        if (!any_open || (all_finished && p->early_stopping == ATTN_EARLY_STOP_TRUE) || all_hit) break;
        for (int64_t r = 0; r < n_live; r++) /* decoder rows, not the state's */
            for (int64_t i = 0; i < nb; i++) s.from[r * nb + i] = (int32_t)(r * nb + s.from[s.live[r] * nb + i] % nb);
        if ((st = d->reorder(d->self, s.from))) goto done;
        for (int64_t r = 0; r < n_live; r++)
            for (int64_t i = 0; i < nb; i++) tok[r * nb + i] = s.run_seq[(s.live[r] * nb + i) * W + len - 1];
        int64_t n_open = 0;
        for (int64_t r = 0; r < n_live; r++) n_open += s.open[s.live[r]];
        if (can_keep && n_open < n_live) {
            int64_t n = 0;
            for (int64_t r = 0; r < n_live; r++)
                if (s.open[s.live[r]]) s.keep[n++] = (int32_t)r;
            st = d->keep(d->self, s.keep, n);
            if (st == ATTN_ERR_UNSUPPORTED) {
                can_keep = false;
                st = ATTN_OK;
            } else if (st) {
                goto done;
            } else {
                for (int64_t j = 0; j < n; j++) {
                    int64_t r = s.keep[j];
                    s.live[j] = s.live[r];
                    if (r != j) memmove(tok + j * nb, tok + r * nb, (size_t)nb * sizeof *tok);
                }
                n_live = n;
            }
        }
    }
    int64_t R = p->num_return_sequences;
    for (int64_t b = 0; b < B; b++)
        for (int64_t r = 0; r < R; r++) {
            int64_t i = b * nb + r, o = b * R + r;
            out_len[o] = s.fin_len[i];
            if (scores) scores[o] = s.fin_score[i];
            for (int64_t t = 0; t < W; t++) out[o * W + t] = t < s.fin_len[i] ? s.fin_seq[i * W + t] : p->pad_token_id;
        }
done:
    beam_state_free(&s);
    return st;
}

attn_status s2s_search(const s2s_decoder *d, const attn_seq2seq_params *p, int64_t B, int32_t *out, int64_t *out_len,
                       float *scores) {
    int64_t N = B * p->num_beams;
    size_t bytes;
    if (!size_mul((size_t)N, (size_t)d->vocab_size * sizeof(float), &bytes)) return attn_errorf(ATTN_ERR_INVALID_ARG, "batch too large");
    float *logits = attn_malloc(bytes);
    int32_t *tok = attn_malloc((size_t)N * sizeof *tok);
    attn_status st = ATTN_ERR_OUT_OF_MEMORY;
    if (logits && tok)
        st = p->num_beams == 1 ? greedy(d, p, B, logits, tok, out, out_len, scores) : beam(d, p, B, logits, tok, out, out_len, scores);
    attn_free(logits);
    attn_free(tok);
    return st;
}

/* ---- any translation family ------------------------------------------------ */

attn_seq2seq_params attn_seq2seq_default_params(const attn_model *m) {
    attn_seq2seq_params p;
    memset(&p, 0, sizeof p);
    p.num_beams = p.num_return_sequences = 1;
    p.length_penalty = 1.0f;
    p.max_length = 20;
    p.decoder_start_token_id = p.eos_token_id = p.pad_token_id = -1;
    p.forced_bos_token_id = p.forced_eos_token_id = -1;
    if (m && model_families[m->kind].s2s_defaults) model_families[m->kind].s2s_defaults(m, &p);
    return p;
}

static attn_status ctx_step(void *ctx, const int32_t *tokens, float *logits) { return attn_ctx_decode(ctx, tokens, 1, logits); }
static attn_status ctx_reorder(void *ctx, const int32_t *from) { return attn_ctx_reorder(ctx, from); }
static attn_status ctx_keep(void *ctx, const int32_t *sources, int64_t n) { return ctx_keep_sources(ctx, sources, n); }

attn_status attn_seq2seq_generate(attn_model *m, const attn_seq2seq_params *p, const int32_t *src, int64_t B, int64_t S,
                                  int32_t *out, int64_t *out_len, float *scores) {
    const model_family *f = m ? &model_families[m->kind] : NULL;
    if (!f || !f->s2s_begin) return attn_errorf(ATTN_ERR_INVALID_ARG, "not a translation (sequence-to-sequence) model");
    if (!p || !src || !out || !out_len) return attn_errorf(ATTN_ERR_INVALID_ARG, "seq2seq generate: missing arguments");
    attn_status st = s2s_params_check(p, m->cfg.vocab_size);
    if (st) return st;
    if (B < 1 || p->num_beams > INT64_MAX / B) return attn_errorf(ATTN_ERR_INVALID_ARG, "decoding needs at least one source");
    attn_ctx *ctx;
    if ((st = attn_ctx_new(m, B * p->num_beams, p->max_length - 1, &ctx))) return st;
    if (!(st = attn_ctx_encode(ctx, src, B, S))) {
        s2s_decoder d = {ctx, m->cfg.vocab_size, ctx_step, ctx_reorder, ctx_keep};
        st = s2s_search(&d, p, B, out, out_len, scores);
    }
    attn_ctx_free(ctx);
    return st;
}
