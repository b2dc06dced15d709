/* denoise.c — attn_train with ATTN_OBJECTIVE_DENOISE: BART's pretraining
 * (Lewis et al. 2019), an encoder-decoder reconstructing windows of the
 * token shards from corrupted copies (attn_noise_apply). The sibling of
 * seq2seq_loop.c: the same model_batch (.src/.S), a row of the same
 * objective table (objective.h) over loop.c's run (log, checkpoints,
 * exact resume); windows are drawn as lm.c draws them for language models. See train.h for the contract
 * and denoise.h for the row layout. */
#include "train/dist.h"
#include "train/denoise.h"

#include "attn/data.h"
#include "attn/seq2seq.h"
#include "attn/translate.h"
#include "models/encdec_impl.h"
#include "train/objective.h"

#include <stdio.h>

#define DENOISE_STREAM 0x64656e6f6973ULL     /* "denois": training corruption seeds */
#define DENOISE_VAL_STREAM 0x646e7376616cULL /* "dnsval": the fixed validation corruption */

static const char MAKE_TOKENIZER[] = "attn tokenizer train --type bpe --special-tokens '<s>,<pad>,</s>,<unk>,<mask>'";

/* ---- rows ------------------------------------------------------------------- */

/* The id `punct` gets at the end of a sentence: the one token that
 * appending it to a word adds; else its own encoding when that is one
 * token; else -1. */
static int32_t sentence_final_id(const attn_tokenizer *tok, const char *punct) {
    char text[16];
    int32_t *a = NULL, *b = NULL, id = -1;
    int64_t na = 0, nb = 0;
    int n = snprintf(text, sizeof text, "It ended%s", punct);
    if (attn_tokenizer_encode(tok, text, (size_t)n - strlen(punct), &a, &na) == ATTN_OK &&
        attn_tokenizer_encode(tok, text, (size_t)n, &b, &nb) == ATTN_OK && nb == na + 1 &&
        !memcmp(a, b, (size_t)na * sizeof *a))
        id = b[na];
    attn_free(a);
    attn_free(b);
    if (id >= 0) return id;
    if (attn_tokenizer_encode(tok, punct, strlen(punct), &b, &nb) == ATTN_OK && nb == 1) id = b[0];
    attn_free(b);
    return id;
}

static attn_status check_ratio(const char *option, float x, float hi) {
    if (!(x >= 0.0f && x <= hi))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--%s must be in [0, %g], not %g", option, (double)hi, (double)x);
    return ATTN_OK;
}

static attn_status check_ratios(const attn_noise_params *r) {
    attn_status st;
    if ((st = check_ratio("mask-ratio", r->mask_ratio, 1)) || (st = check_ratio("poisson-lambda", r->poisson_lambda, 100)) ||
        (st = check_ratio("random-ratio", r->random_ratio, 1)) || (st = check_ratio("delete-ratio", r->delete_ratio, 1)) ||
        (st = check_ratio("permute-ratio", r->permute_ratio, 1)) || (st = check_ratio("rotate-ratio", r->rotate_ratio, 1)))
        return st;
    return ATTN_OK;
}

/* ids = the tokenizer's <s>, <pad>, </s>, <mask>. */
static attn_status special_ids(const attn_tokenizer *tok, int32_t ids[4]) {
    static const char *const names[4] = {"<s>", "<pad>", "</s>", "<mask>"};
    for (int k = 0; k < 4; k++)
        if ((ids[k] = attn_tokenizer_added_id(tok, names[k])) < 0)
            return attn_errorf(ATTN_ERR_INVALID_ARG,
                               "--objective denoise needs the tokens <s>, <pad>, </s> and <mask>, and the data's tokenizer has no "
                               "%s (make one with %s, then attn prepare -t it)",
                               names[k], MAKE_TOKENIZER);
    return ATTN_OK;
}

attn_status denoise_spec_init(denoise_spec *s, const attn_tokenizer *tok, const attn_noise_params *ratios, int32_t vocab_size,
                              int64_t T, int64_t max_src, int32_t decoder_start) {
    attn_status st;
    int32_t ids[4];
    if ((st = check_ratios(ratios)) != ATTN_OK || (st = special_ids(tok, ids)) != ATTN_OK) return st;
    if (T < 4 || T > max_src)
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "denoising rows of %lld tokens (--seq-len, or the model's positions) must hold at least 4 tokens and at "
                           "most the model's %lld positions",
                           (long long)T, (long long)max_src);
    memset(s, 0, sizeof *s);
    s->bos = ids[0], s->pad = ids[1], s->eos = ids[2], s->mask = ids[3];
    memcpy(s->keep, ids, sizeof ids);
    s->decoder_start = decoder_start;
    s->T = T;
    s->max_src = max_src;
    s->noise = attn_noise_default_params(s->mask, vocab_size);
    s->noise.mask_ratio = ratios->mask_ratio;
    s->noise.poisson_lambda = ratios->poisson_lambda;
    s->noise.random_ratio = ratios->random_ratio;
    s->noise.delete_ratio = ratios->delete_ratio;
    s->noise.permute_ratio = ratios->permute_ratio;
    s->noise.rotate_ratio = ratios->rotate_ratio;
    s->noise.n_keep = 4;
    static const char *const ends[3] = {".", "!", "?"};
    for (int k = 0; k < 3; k++) {
        int32_t id = sentence_final_id(tok, ends[k]);
        bool seen = id < 0;
        for (int j = 0; j < s->noise.n_sentence_end && !seen; j++) seen = s->sentence_end[j] == id;
        if (!seen) s->sentence_end[s->noise.n_sentence_end++] = id;
    }
    return ATTN_OK;
}

attn_status denoise_row(const denoise_spec *s, const int32_t *text, uint64_t seed, int32_t *tgt_in, int32_t *tgt_out,
                        int32_t *src, int64_t *src_len) {
    int64_t T = s->T;
    tgt_out[0] = s->bos;
    memcpy(tgt_out + 1, text, (size_t)(T - 2) * sizeof *text);
    tgt_out[T - 1] = s->eos;
    tgt_in[0] = s->decoder_start;
    memcpy(tgt_in + 1, tgt_out, (size_t)(T - 1) * sizeof *tgt_out);
    attn_noise_params np = s->noise;
    np.keep = s->keep;
    np.sentence_end = s->sentence_end;
    int64_t n;
    attn_status st = attn_noise_apply(&np, seed, tgt_out, T, src, 2 * T + 1, &n);
    if (st) return st;
    if (n > s->max_src) {
        n = s->max_src;
        src[n - 1] = s->eos;
    }
    *src_len = n;
    return ATTN_OK;
}

/* ---- batches ---------------------------------------------------------------- */

typedef struct dn_ctx {
    denoise_spec spec;
    attn_shard *train, *val;
    attn_tokenizer *tok;
    uint64_t seed;
    int64_t A, B, eval_batches;
    float label_smoothing;
    s2s_rows *rows;           /* A for training, then one for validation; sources (B, max_src)
                                 packed to (B, S) when complete */
    int32_t *text, *noisy;    /* T - 2 window tokens; 2T + 1 corrupted */
    int64_t *src_len;         /* B */
} dn_ctx;

/* Row b of r from the window at `start` of shard s, corrupted from seed. */
static attn_status fill_row(dn_ctx *c, const attn_shard *s, int64_t start, uint64_t seed, s2s_rows *r, int64_t b) {
    const denoise_spec *sp = &c->spec;
    int64_t T = sp->T;
    attn_status st = attn_shard_read(s, start, T - 2, c->text);
    if (!st) st = denoise_row(sp, c->text, seed, r->tgt_in + b * T, r->tgt_out + b * T, c->noisy, &c->src_len[b]);
    if (!st) memcpy(r->src + b * sp->max_src, c->noisy, (size_t)c->src_len[b] * sizeof *c->noisy);
    return st;
}

/* Packs the B sources of r (row stride max_src) to the longest one's
 * length S, padded; returns the batch and counts the real tokens. */
static model_batch pack(const dn_ctx *c, s2s_rows *r, int64_t *real) {
    const denoise_spec *sp = &c->spec;
    int64_t S = 1;
    for (int64_t b = 0; b < c->B; b++) S = c->src_len[b] > S ? c->src_len[b] : S;
    for (int64_t b = 0; b < c->B; b++) { /* forward in place: row b moves to b * S <= b * max_src */
        memmove(r->src + b * S, r->src + b * sp->max_src, (size_t)c->src_len[b] * sizeof *r->src);
        for (int64_t i = c->src_len[b]; i < S; i++) r->src[b * S + i] = sp->pad;
        *real += c->src_len[b] + sp->T;
    }
    return (model_batch){.B = c->B, .T = sp->T, .inputs = r->tgt_in, .targets = r->tgt_out, .src = r->src, .S = S,
                         .label_smoothing = c->label_smoothing};
}

/* Training windows start at rng_hash(seed, step, row) as loop.c's language
 * models draw them; row r of step s is corrupted from a seed of (seed, s, r). */
static attn_status dn_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    dn_ctx *c = ctx;
    int64_t span = attn_shard_len(c->train) - (c->spec.T - 2) + 1, real = 0; /* valid starts: [0, span) */
    uint64_t step_seed = rng_hash(c->seed, DENOISE_STREAM, (uint64_t)step);
    for (int64_t a = 0; a < c->A; a++) {
        for (int64_t b = 0; b < c->B; b++) {
            uint64_t row = (uint64_t)(a * c->B + b);
            int64_t start = (int64_t)(rng_hash(c->seed, (uint64_t)step, row) % (uint64_t)span);
            attn_status st = fill_row(c, c->train, start, rng_hash(step_seed, 0, row), &c->rows[a], b);
            if (st) return st;
        }
        mbs[a] = pack(c, &c->rows[a], &real);
    }
    *tokens = (double)real;
    return ATTN_OK;
}

/* Mean loss per target token over eval_batches batches of windows evenly
 * spaced through the validation shard, window w corrupted from a seed of
 * (seed, w): the same rows at every evaluation. Every row has T targets, so
 * the mean of the batch means is the mean per token. */
static attn_status dn_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    dn_ctx *c = ctx;
    int64_t span = attn_shard_len(c->val) - (c->spec.T - 2) + 1, n_windows = c->eval_batches * c->B, real = 0;
    s2s_rows *r = &c->rows[c->A];
    double sum = 0;
    for (int64_t k = 0; k < c->eval_batches; k++) {
        for (int64_t b = 0; b < c->B; b++) {
            int64_t w = k * c->B + b;
            int64_t start = n_windows > 1 ? (int64_t)((double)w * (double)(span - 1) / (double)(n_windows - 1)) : 0;
            attn_status st = fill_row(c, c->val, start, rng_hash(c->seed, DENOISE_VAL_STREAM, (uint64_t)w), r, b);
            if (st) return st;
        }
        model_batch mb = pack(c, r, &real);
        mb.label_smoothing = 0.0f;
        float loss;
        attn_status st = trainer_eval_batch(tr, &mb, &loss);
        if (st) return st;
        sum += (double)loss;
    }
    pr->val_loss = (float)(sum / (double)c->eval_batches);
    pr->has_val = true;
    return ATTN_OK;
}

/* ---- the row's data source ------------------------------------------------- */

char *denoise_settings_json(const attn_train_params *p, int64_t T) {
    attn_train_params q = *p;
    q.objective = ATTN_OBJECTIVE_DENOISE;
    train_settings s;
    train_settings_of(&q, T, false, 0, &s);
    return train_settings_write(&s);
}

/* The model to train: OUT's on resume, init_from's, or a new BART with the
 * tokenizer's special ids. */
static attn_status open_model(const attn_train_params *p, const attn_tokenizer *tok, int32_t vocab_size, attn_model **out) {
    attn_status st = train_load_start(p, out);
    if (st || *out) return st;
    int32_t ids[4]; /* <s> <pad> </s> <mask>; BART's decoder starts with </s> */
    st = special_ids(tok, ids);
    return st ? st : train_new_encdec(p, ATTN_ENCDEC_BART, vocab_size, ids[1], ids[0], ids[2], ids[2], out);
}

/* The shards, the tokenizer, and the model: OUT's, --init's or a new BART. */
static attn_status dn_open(void *ctx, const attn_train_params *p, attn_model **out) {
    dn_ctx *c = ctx;
    attn_status st;
    if (p->arch != ATTN_ARCH_DEFAULT && p->arch != ATTN_ARCH_BART)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective denoise trains BART (--arch bart), not the %s",
                           p->arch == ATTN_ARCH_TRANSFORMER ? "Transformer"
                           : p->arch == ATTN_ARCH_GPT2 || p->arch == ATTN_ARCH_OPT || p->arch == ATTN_ARCH_LLAMA ||
                                     p->arch == ATTN_ARCH_BLOOM ? "decoders" : "RNN models");
    if (!(p->label_smoothing >= 0.0f && p->label_smoothing < 1.0f))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--label-smoothing must be in [0, 1)");
    if ((st = check_ratios(&p->noise)) != ATTN_OK) return st;
    if (train_data_is_pairs(p->data_dir))
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "--objective denoise reads the token shards of attn prepare, and %s holds pair shards (train.pairs)",
                           p->data_dir);
    if ((st = train_open_shards(p, &c->train, &c->val)) != ATTN_OK) return st;
    if (attn_tokenizer_load(p->data_dir, &c->tok) != ATTN_OK)
        return error_prefixf(ATTN_ERR_IO, "%s: --objective denoise needs the data's tokenizer.json (from attn prepare)", p->data_dir);
    return open_model(p, c->tok, attn_shard_vocab_size(c->train), out);
}

/* The rows' layout and corruption, their fit to the model and shards,
 * translate.json, buffers. */
static attn_status dn_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    dn_ctx *c = ctx;
    attn_model *model = *pm;
    attn_status st;
    int64_t A = p->grad_accum, B = p->batch_size;
    int32_t V = attn_shard_vocab_size(c->train);
    attn_encdec_config ec;
    attn_model_encdec_config(model, &ec);
    if (V > ec.vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the data's vocabulary (%d) is larger than the model's (%lld)", (int)V,
                           (long long)ec.vocab_size);
    int64_t T = p->seq_len > 0 ? p->seq_len : ec.max_positions;
    denoise_spec *spec = &c->spec;
    if ((st = denoise_spec_init(spec, c->tok, &p->noise, V, T, ec.max_positions, ec.decoder_start_token_id)) != ATTN_OK)
        return st;
    if (ec.pad_token_id != spec->pad)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the model's pad id %d is not the tokenizer's <pad> (%d)", (int)ec.pad_token_id,
                           (int)spec->pad);
    if ((st = train_shards_fit(p, c->train, &c->val, T, T, "denoising rows")) != ATTN_OK) return st;
    if (p->model.dropout > 0) model->encdec->cfg.dropout = model->cfg.dropout = p->model.dropout;
    /* rank 0 alone writes OUT (dist.h) */
    if (dist_rank() == 0 && (st = dir_ensure(p->out_dir)) != ATTN_OK) return st;
    attn_s2s_wrap wrap = {spec->bos, spec->eos, spec->bos, spec->eos};
    if (dist_rank() == 0 && (st = attn_s2s_wrap_save(p->out_dir, &wrap)) != ATTN_OK) return st;
    c->seed = p->seed, c->A = A, c->B = B, c->eval_batches = p->eval_batches, c->label_smoothing = p->label_smoothing;
    c->rows = s2s_rows_new(A + 1, B * spec->max_src, B * T); /* A training micro-batches and one for validation */
    c->text = attn_malloc((size_t)T * sizeof *c->text);
    c->noisy = attn_malloc((size_t)(2 * T + 1) * sizeof *c->noisy);
    c->src_len = attn_malloc((size_t)B * sizeof *c->src_len);
    if (!c->rows || !c->text || !c->noisy || !c->src_len) return ATTN_ERR_OUT_OF_MEMORY;
    *plan = (train_plan){.n_micro = A, .T = T, .tok = c->tok, .evaluates = c->val && p->eval_batches > 0};
    return ATTN_OK;
}

static void dn_close(void *ctx) {
    dn_ctx *c = ctx;
    s2s_rows_free(c->rows, c->A + 1);
    attn_free(c->text);
    attn_free(c->noisy);
    attn_free(c->src_len);
    attn_tokenizer_free(c->tok);
    attn_shard_close(c->train);
    attn_shard_close(c->val);
}

const train_objective_ops train_denoise_ops = {sizeof(dn_ctx), dn_open, dn_prepare, dn_batches, dn_evaluate, dn_close, NULL, NULL};
