/* rnn_s2s.c — the recurrent models as an s2s_decoder, so greedy and beam
 * search (generate/seq2seq.c) are the Transformer's, and their scoring. */
#include "generate/rnn_s2s.h"
#include "generate/seq2seq.h"
#include "models/model_impl.h"

#include <math.h>

typedef struct rnn_decoder {
    attn_model *m;
    attn_rnn_state *state;
    int64_t N;
    int32_t *idx;             /* (N) scratch for reordering */
} rnn_decoder;

/* attn_rnn_step writes log-probabilities; s2s_search takes them as logits
 * (its log-softmax leaves log-probabilities unchanged up to rounding). */
static attn_status rnn_step(void *self, const int32_t *tokens, float *logits) {
    rnn_decoder *d = self;
    return attn_rnn_step(d->m, d->state, tokens, logits, NULL);
}

static attn_status rnn_reorder(void *self, const int32_t *from) {
    rnn_decoder *d = self;
    memcpy(d->idx, from, (size_t)d->N * sizeof *d->idx);
    return attn_rnn_reorder(d->state, d->idx, d->N);
}

attn_seq2seq_params rnn_seq2seq_default_params(const attn_model *m) {
    attn_seq2seq_params p = attn_seq2seq_default_params(NULL);
    attn_rnn_config c;
    if (!attn_model_rnn_config(m, &c)) return p;
    p.decoder_start_token_id = c.bos_token_id;
    p.eos_token_id = c.eos_token_id;
    p.pad_token_id = c.pad_token_id;
    return p;
}

static attn_status check_source(const int32_t *src, int64_t B, int64_t S, const attn_rnn_config *c) {
    if (!src || B < 1 || S < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "seq2seq: empty batch of sources");
    for (int64_t b = 0; b < B; b++) {
        if (src[b * S] == c->pad_token_id) return attn_errorf(ATTN_ERR_INVALID_ARG, "source %lld is empty", (long long)b);
        for (int64_t s = 0; s < S; s++)
            if (src[b * S + s] < 0 || src[b * S + s] >= c->src_vocab_size)
                return attn_errorf(ATTN_ERR_INVALID_ARG, "source token %d of source %lld is outside the vocabulary [0, %lld)",
                                   (int)src[b * S + s], (long long)b, (long long)c->src_vocab_size);
    }
    return ATTN_OK;
}

attn_status rnn_seq2seq_generate(attn_model *m, const attn_seq2seq_params *p, const int32_t *src, int64_t B, int64_t S,
                                 int32_t *out, int64_t *out_len, float *scores) {
    attn_rnn_config c;
    if (!attn_model_rnn_config(m, &c)) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an RNN model");
    if (!p || !out || !out_len) return attn_errorf(ATTN_ERR_INVALID_ARG, "seq2seq generate: missing arguments");
    attn_status st = s2s_params_check(p, c.tgt_vocab_size);
    if (!st) st = check_source(src, B, S, &c);
    if (st) return st;
    rnn_decoder d = {m, NULL, B * p->num_beams, NULL};
    if (!(d.idx = attn_malloc((size_t)d.N * sizeof *d.idx))) return ATTN_ERR_OUT_OF_MEMORY;
    if ((st = attn_rnn_encode(m, src, B, S, &d.state)) == ATTN_OK) {
        for (int64_t i = 0; i < d.N; i++) d.idx[i] = (int32_t)(i / p->num_beams); /* each source's beams */
        st = attn_rnn_reorder(d.state, d.idx, d.N);
    }
    if (!st) {
        s2s_decoder dec = {&d, c.tgt_vocab_size, rnn_step, rnn_reorder};
        st = s2s_search(&dec, p, B, out, out_len, scores);
    }
    attn_rnn_state_free(d.state);
    attn_free(d.idx);
    return st;
}

/* ---- non-finite logits ----------------------------------------------------- */

typedef struct forward_args {
    const int32_t *src, *tgt_in;
    int64_t S, B, T;
} forward_args;

static tensor *rerun_forward(attn_model *m, graph *g, void *ctx) {
    const forward_args *a = ctx;
    return rnn_forward(m, g, a->src, a->S, a->tgt_in, a->B, a->T, NULL);
}

/* ATTN_OK when the teacher-forced logits (B, T, V) are finite; otherwise
 * ATTN_ERR_FORMAT naming where non-finite values first appear. The rerun
 * resets m's graph, which holds tgt_in: the inputs are copied first. */
static attn_status check_logits(attn_model *m, const tensor *logits, const int32_t *src, int64_t S, const int32_t *tgt_in,
                                int64_t B, int64_t T) {
    if (model_all_finite(logits->data, logits->numel)) return ATTN_OK;
    int32_t *s = attn_malloc((size_t)(B * S) * sizeof *s), *t = attn_malloc((size_t)(B * T) * sizeof *t);
    if (s && t) {
        memcpy(s, src, (size_t)(B * S) * sizeof *s);
        memcpy(t, tgt_in, (size_t)(B * T) * sizeof *t);
    }
    attn_status st = model_nonfinite_error(m, "logits", s && t ? rerun_forward : NULL, &(forward_args){s, t, S, B, T});
    attn_free(s);
    attn_free(t);
    return st;
}

attn_status rnn_seq2seq_score(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                              double *nll, int64_t *n_tokens) {
    attn_rnn_config c;
    if (!attn_model_rnn_config(m, &c)) return attn_errorf(ATTN_ERR_INVALID_ARG, "not an RNN model");
    if (!tgt || !nll || !n_tokens || T < 1) return attn_errorf(ATTN_ERR_INVALID_ARG, "seq2seq score: empty batch or missing buffers");
    attn_status st = check_source(src, B, S, &c);
    if (st) return st;
    int64_t V = c.tgt_vocab_size;
    graph *g = &m->g;
    graph_reset(g, false, false, 0);
    int32_t *in = graph_ints(g, B * T);
    if (!in) return g->status ? g->status : ATTN_ERR_OUT_OF_MEMORY;
    if ((st = s2s_score_inputs(tgt, B, T, V, c.bos_token_id, c.pad_token_id, in, nll, n_tokens)) != ATTN_OK) return st;
    tensor *logits = rnn_forward(m, g, src, S, in, B, T, NULL);
    if (!logits || g->status) return g->status ? g->status : ATTN_ERR_INVALID_ARG;
    if ((st = check_logits(m, logits, src, S, in, B, T)) != ATTN_OK) return st;
    s2s_score_add(logits->data, tgt, B, T, V, nll);
    return ATTN_OK;
}
