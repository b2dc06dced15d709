/* seq2seq_loop.c — attn_train on pair shards (train.pairs from `attn
 * prepare --pairs`): encoder-decoders and RNN models, token-budget batches
 * from the pair loader, label smoothing, validation loss (and greedy BLEU),
 * checkpoints and exact resume: the seq2seq row's data source
 * (objective.h) over loop.c's run. */
#include "attn/data.h"
#include "attn/eval.h"
#include "attn/rnn.h"
#include "attn/seq2seq.h"
#include "attn/tokenizer.h"
#include "attn/translate.h"
#include "models/encdec_impl.h"
#include "train/dist.h"
#include "train/objective.h"

#include <math.h>
#include <stdio.h>

#define DEFAULT_BATCH_TOKENS 4096
#define BLEU_BATCH 16

bool train_data_is_pairs(const char *data_dir) {
    char *path = path_join(data_dir, "train.pairs");
    bool yes = path && file_exists(path);
    attn_free(path);
    return yes;
}

/* The new model of p->arch for the shard's vocabulary and special ids. */
static attn_status new_model(const attn_train_params *p, const attn_pairs_info *in, attn_model **out) {
    int64_t width = p->model.n_embd;
    if (p->arch == ATTN_ARCH_RNNSEARCH || p->arch == ATTN_ARCH_RNNENCDEC) {
        attn_rnn_config c = attn_rnn_default_config();
        c.attention = p->arch == ATTN_ARCH_RNNSEARCH;
        c.src_vocab_size = c.tgt_vocab_size = in->vocab_size;
        c.embed_size = c.maxout_size = width;
        c.hidden_size = c.align_size = p->hidden_size > 0 ? p->hidden_size : width;
        c.tie_embeddings = true;
        c.pad_token_id = in->pad_id;
        c.bos_token_id = in->decoder_start_id;
        c.eos_token_id = in->tgt_eos;
        if (p->model.dropout > 0) return attn_errorf(ATTN_ERR_UNSUPPORTED, "--dropout: the RNN models have no dropout yet");
        return attn_rnn_new(&c, p->seed, out);
    }
    return train_new_encdec(p, p->arch == ATTN_ARCH_BART ? ATTN_ENCDEC_BART : ATTN_ENCDEC_MARIAN, in->vocab_size, in->pad_id,
                            in->tgt_bos, in->tgt_eos, in->decoder_start_id, out);
}

attn_status train_new_encdec(const attn_train_params *p, attn_encdec_arch arch, int64_t vocab_size, int32_t pad, int32_t bos,
                             int32_t eos, int32_t decoder_start, attn_model **out) {
    attn_status st = train_check_new_width(p);
    if (st) return st;
    int64_t width = p->model.n_embd;
    attn_encdec_config c = attn_encdec_default_config(arch);
    c.vocab_size = vocab_size;
    c.d_model = width;
    c.max_positions = p->model.n_ctx;
    c.encoder_layers = c.decoder_layers = p->model.n_layer;
    c.encoder_heads = c.decoder_heads = p->model.n_head;
    c.encoder_ffn = c.decoder_ffn = p->model.n_inner > 0 ? p->model.n_inner : 4 * width;
    c.dropout = p->model.dropout;
    c.activation_dropout = 0.0f;
    c.pad_token_id = pad;
    c.eos_token_id = eos;
    c.bos_token_id = bos;
    c.decoder_start_token_id = decoder_start;
    c.forced_bos_token_id = c.forced_eos_token_id = -1;
    return attn_encdec_new(&c, p->seed, out);
}

/* Checks that the shard fits the model: vocabulary, specials, positions. */
static attn_status check_fit(const attn_model *m, const attn_pairs_info *in, const char *path) {
    attn_encdec_config ec;
    attn_rnn_config rc;
    int64_t V, P = 0;
    int32_t pad, start;
    if (attn_model_encdec_config(m, &ec)) {
        V = ec.vocab_size, P = ec.max_positions, pad = ec.pad_token_id, start = ec.decoder_start_token_id;
    } else if (attn_model_rnn_config(m, &rc)) {
        V = rc.src_vocab_size < rc.tgt_vocab_size ? rc.src_vocab_size : rc.tgt_vocab_size;
        pad = rc.pad_token_id, start = rc.bos_token_id;
    } else {
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pair data trains an encoder-decoder or RNN model, not this one");
    }
    if (in->vocab_size > V)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: the data's vocabulary (%d) is larger than the model's (%lld)", path,
                           (int)in->vocab_size, (long long)V);
    if (in->pad_id != pad || in->decoder_start_id != start)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: pad %d / decoder start %d differ from the model's %d / %d", path,
                           (int)in->pad_id, (int)in->decoder_start_id, (int)pad, (int)start);
    if (P > 0 && (in->max_src_len > P || in->max_tgt_len > P))
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "%s: pairs up to %d source / %d target tokens exceed the model's %lld positions (--context, or "
                           "prepare --max-len)",
                           path, (int)in->max_src_len, (int)in->max_tgt_len, (long long)P);
    return ATTN_OK;
}

char *train_s2s_settings_json(const attn_train_params *p, int64_t batch_tokens) {
    train_settings s;
    train_settings_of(p, 0, true, batch_tokens, &s);
    return train_settings_write(&s);
}

s2s_rows *s2s_rows_new(int64_t n, int64_t src_n, int64_t tgt_n) {
    s2s_rows *rows = attn_calloc((size_t)n, sizeof *rows);
    if (!rows) return NULL;
    for (int64_t a = 0; a < n; a++)
        if (!(rows[a].src = attn_malloc((size_t)src_n * sizeof(int32_t))) ||
            !(rows[a].tgt_in = attn_malloc((size_t)tgt_n * sizeof(int32_t))) ||
            !(rows[a].tgt_out = attn_malloc((size_t)tgt_n * sizeof(int32_t)))) {
            s2s_rows_free(rows, n);
            return NULL;
        }
    return rows;
}

void s2s_rows_free(s2s_rows *rows, int64_t n) {
    if (!rows) return;
    for (int64_t a = 0; a < n; a++) {
        attn_free(rows[a].src);
        attn_free(rows[a].tgt_in);
        attn_free(rows[a].tgt_out);
    }
    attn_free(rows);
}

static model_batch copy_batch(const attn_pair_batch *b, s2s_rows *r, float label_smoothing) {
    memcpy(r->src, b->src, (size_t)(b->B * b->S) * sizeof *r->src);
    memcpy(r->tgt_in, b->tgt_in, (size_t)(b->B * b->T) * sizeof *r->tgt_in);
    memcpy(r->tgt_out, b->tgt_out, (size_t)(b->B * b->T) * sizeof *r->tgt_out);
    return (model_batch){.B = b->B, .T = b->T, .inputs = r->tgt_in, .targets = r->tgt_out, .src = r->src, .S = b->S,
                         .label_smoothing = label_smoothing};
}

/* Mean NLL per target token over n_batches validation batches evenly spaced
 * through the (length-sorted) validation epoch, so that short and long
 * pairs both count; all batches when n_batches is 0 or more than there are. */
static attn_status val_loss(attn_trainer *tr, attn_pair_loader *l, int64_t n_batches, s2s_rows *r, float *out) {
    int64_t total = attn_pair_loader_num_batches(l);
    if (n_batches <= 0 || n_batches > total) n_batches = total;
    double sum = 0;
    int64_t tokens = 0;
    attn_status st = ATTN_OK;
    for (int64_t k = 0; k < n_batches && !st; k++) {
        attn_pair_batch b;
        float loss;
        if ((st = attn_pair_loader_seek(l, 0, k * total / n_batches)) != ATTN_OK) break;
        if ((st = attn_pair_loader_next(l, &b)) != ATTN_OK) break;
        model_batch mb = copy_batch(&b, r, 0.0f);
        if ((st = trainer_eval_batch(tr, &mb, &loss)) != ATTN_OK) break;
        sum += (double)loss * (double)b.n_tgt_tokens;
        tokens += b.n_tgt_tokens;
    }
    *out = tokens ? (float)(sum / (double)tokens) : 0.0f;
    return st;
}

/* The text of ids without the wrapping's specials. */
static attn_status decode_plain(const attn_tokenizer *tok, const attn_s2s_wrap *w, int32_t pad, const int32_t *ids, int64_t n,
                                int32_t *buf, char **out) {
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        if (ids[i] != w->tgt_bos && ids[i] != w->tgt_eos && ids[i] != pad && ids[i] >= 0) buf[k++] = ids[i];
    size_t len;
    return attn_tokenizer_decode(tok, buf, k, out, &len);
}

/* Corpus BLEU of greedy translations of the first n validation pairs. */
static attn_status val_bleu(attn_model *m, const attn_pairs *val, const attn_tokenizer *tok, const attn_s2s_wrap *w, int64_t n,
                            float *out) {
    attn_pairs_info in = attn_pairs_get_info(val);
    if (n > in.n_pairs) n = in.n_pairs;
    int64_t S = in.max_src_len, T = in.max_tgt_len, P = 0;
    attn_encdec_config ec;
    if (attn_model_encdec_config(m, &ec)) P = ec.max_positions;
    int64_t W = 2 * S + 10;
    if (P > 0 && W + 1 > P) W = P - 1;
    char **hyp = attn_calloc((size_t)n, sizeof *hyp), **ref = attn_calloc((size_t)n, sizeof *ref);
    int32_t *src = attn_malloc((size_t)(BLEU_BATCH * S) * sizeof *src), *tgt = attn_malloc((size_t)(T + W + 1) * sizeof *tgt);
    int32_t *gen = attn_malloc((size_t)(BLEU_BATCH * W) * sizeof *gen), *buf = attn_malloc((size_t)(T + W + 1) * sizeof *buf);
    int64_t *gen_len = attn_malloc(BLEU_BATCH * sizeof *gen_len);
    attn_status st = hyp && ref && src && tgt && gen && buf && gen_len ? ATTN_OK : ATTN_ERR_OUT_OF_MEMORY;
    attn_seq2seq_params gp = attn_seq2seq_default_params(m);
    gp.num_beams = gp.num_return_sequences = 1;
    gp.min_length = 0;
    for (int64_t a = 0; a < n && !st; a += BLEU_BATCH) {
        int64_t B = n - a < BLEU_BATCH ? n - a : BLEU_BATCH, Sb = 1;
        for (int64_t b = 0; b < B; b++) Sb = attn_pairs_src_len(val, a + b) > Sb ? attn_pairs_src_len(val, a + b) : Sb;
        for (int64_t b = 0; b < B && !st; b++) {
            int64_t ls = attn_pairs_src_len(val, a + b);
            if ((st = attn_pairs_read(val, a + b, src + b * Sb, tgt)) != ATTN_OK) break;
            for (int64_t s = ls; s < Sb; s++) src[b * Sb + s] = in.pad_id;
            st = decode_plain(tok, w, in.pad_id, tgt, attn_pairs_tgt_len(val, a + b), buf, &ref[a + b]);
        }
        int64_t Wb = 2 * Sb + 10 < W ? 2 * Sb + 10 : W; /* as attn translate's default */
        gp.max_length = Wb + 1;
        if (!st) st = attn_seq2seq_generate(m, &gp, src, B, Sb, gen, gen_len, NULL);
        for (int64_t b = 0; b < B && !st; b++) st = decode_plain(tok, w, gp.pad_token_id, gen + b * Wb, gen_len[b], buf, &hyp[a + b]);
    }
    for (int64_t i = 0; i < n && !st; i++)
        for (char *c = hyp[i]; *c; c++) *c = *c == '\n' ? ' ' : *c;
    for (int64_t i = 0; i < n && !st; i++)
        for (char *c = ref[i]; *c; c++) *c = *c == '\n' ? ' ' : *c;
    attn_bleu bleu;
    const char *const *refs[1] = {(const char *const *)ref};
    if (!st && (st = attn_bleu_corpus((const char *const *)hyp, n, refs, 1, &bleu)) == ATTN_OK) *out = (float)bleu.score;
    for (int64_t i = 0; i < n; i++) {
        if (hyp) attn_free(hyp[i]);
        if (ref) attn_free(ref[i]);
    }
    attn_free(hyp);
    attn_free(ref);
    attn_free(src);
    attn_free(tgt);
    attn_free(gen);
    attn_free(buf);
    attn_free(gen_len);
    return st;
}

/* ---- the row's data source ------------------------------------------------- */

typedef struct s2s_ctx {
    attn_pairs *train, *val;
    attn_pair_loader *loader, *vloader;
    attn_tokenizer *tok;
    attn_s2s_wrap wrap;
    s2s_rows *rows;
    int64_t A, next;          /* micro-batches per step; the loader's next batch index */
    int64_t eval_batches, eval_bleu;
    float label_smoothing;
    char *path_train, *path_val;
} s2s_ctx;

static attn_status s2s_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    s2s_ctx *c = ctx;
    attn_status st;
    if (c->next != step * c->A) { /* a resumed run: place the loader from the step count */
        if ((st = attn_pair_loader_seek_batches(c->loader, step * c->A)) != ATTN_OK) return st;
        c->next = step * c->A;
    }
    int64_t real = 0;
    for (int64_t a = 0; a < c->A; a++) {
        attn_pair_batch b;
        if ((st = attn_pair_loader_next(c->loader, &b)) != ATTN_OK) return st;
        mbs[a] = copy_batch(&b, &c->rows[a], c->label_smoothing);
        real += b.n_src_tokens + b.n_tgt_tokens;
    }
    c->next += c->A;
    *tokens = (double)real;
    return ATTN_OK;
}

static attn_status s2s_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    s2s_ctx *c = ctx;
    attn_status st = val_loss(tr, c->vloader, c->eval_batches, &c->rows[c->A], &pr->val_loss);
    if (st) return st;
    pr->has_val = true;
    if (c->eval_bleu > 0) {
        if ((st = val_bleu(tr->model, c->val, c->tok, &c->wrap, c->eval_bleu, &pr->val_bleu)) != ATTN_OK) return st;
        pr->has_bleu = true;
    }
    return ATTN_OK;
}

/* The pair shards, the tokenizer, and the model: OUT's, --init's or a new
 * one of --arch. */
static attn_status s2s_open(void *ctx, const attn_train_params *p, attn_model **out) {
    s2s_ctx *c = ctx;
    attn_status st;
    if (p->eval_bleu < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "accumulation must be positive, step counts non-negative");
    if (!(p->label_smoothing >= 0.0f && p->label_smoothing < 1.0f))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--label-smoothing must be in [0, 1)");
    if (p->objective != ATTN_OBJECTIVE_CLM)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pair data trains translation models; --objective does not apply");
    if (p->arch == ATTN_ARCH_GPT2 || p->arch == ATTN_ARCH_OPT || p->arch == ATTN_ARCH_LLAMA || p->arch == ATTN_ARCH_BLOOM)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pair data trains translation models; --arch %s trains on token shards",
                           p->arch == ATTN_ARCH_OPT     ? "opt"
                           : p->arch == ATTN_ARCH_LLAMA ? "llama"
                           : p->arch == ATTN_ARCH_BLOOM ? "bloom"
                                                        : "gpt2");
    if (gpt_is_variant(&p->model) || p->model.zero_init_proj || p->model.activation != ATTN_ACT_GELU_TANH)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "pair data trains translation models; --rotary, --qk-norm, --activation, "
                           "--untied-head and --zero-init-proj make a GPT-2 on token shards");
    c->path_train = path_join(p->data_dir, "train.pairs");
    c->path_val = path_join(p->data_dir, "val.pairs");
    if (!c->path_train || !c->path_val) return ATTN_ERR_OUT_OF_MEMORY;
    if ((st = attn_pairs_open(c->path_train, &c->train)) != ATTN_OK) return st;
    if (file_exists(c->path_val) && (st = attn_pairs_open(c->path_val, &c->val)) != ATTN_OK) return st;
    attn_pairs_info info = attn_pairs_get_info(c->train);
    if (info.pad_id < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "%s: the pairs have no padding token", c->path_train);
    if (attn_tokenizer_load(p->data_dir, &c->tok) != ATTN_OK)
        return error_prefixf(ATTN_ERR_IO, "%s: pair training needs the data's tokenizer.json", p->data_dir);
    if ((st = train_load_start(p, out)) != ATTN_OK) return st;
    return *out ? ATTN_OK : new_model(p, &info, out);
}

/* The shards' fit to the model, the pair loaders, translate.json, buffers. */
static attn_status s2s_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    s2s_ctx *c = ctx;
    attn_model *model = *pm;
    attn_status st;
    int64_t A = p->grad_accum, BT = p->batch_tokens > 0 ? p->batch_tokens : DEFAULT_BATCH_TOKENS;
    attn_pairs_info info = attn_pairs_get_info(c->train);
    if ((st = check_fit(model, &info, c->path_train)) != ATTN_OK) return st;
    if (c->val) {
        attn_pairs_info vi = attn_pairs_get_info(c->val);
        if ((st = check_fit(model, &vi, c->path_val)) != ATTN_OK) return st;
    }
    if (p->model.dropout > 0 && model->encdec) model->encdec->cfg.dropout = model->cfg.dropout = p->model.dropout;
    attn_pair_loader_params lp = attn_pair_loader_default_params();
    lp.batch_tokens = BT;
    lp.seed = p->seed;
    if ((st = attn_pair_loader_new(c->train, &lp, &c->loader)) != ATTN_OK) return st;
    if (c->val) {
        lp.shuffle = false;
        if ((st = attn_pair_loader_new(c->val, &lp, &c->vloader)) != ATTN_OK) return st;
    }
    /* rank 0 alone writes OUT (dist.h) */
    if (dist_rank() == 0 && (st = dir_ensure(p->out_dir)) != ATTN_OK) return st;
    c->wrap = (attn_s2s_wrap){info.src_bos, info.src_eos, info.tgt_bos, info.tgt_eos};
    if (dist_rank() == 0 && (st = attn_s2s_wrap_save(p->out_dir, &c->wrap)) != ATTN_OK) return st;
    c->A = A, c->next = 0, c->eval_batches = p->eval_batches, c->eval_bleu = p->eval_bleu;
    c->label_smoothing = p->label_smoothing;
    /* A training micro-batches and one for validation */
    if (!(c->rows = s2s_rows_new(A + 1, BT, BT))) return ATTN_ERR_OUT_OF_MEMORY;
    *plan = (train_plan){.n_micro = A, .T = 0, .batch_tokens = BT, .tok = c->tok, .evaluates = c->vloader != NULL};
    return ATTN_OK;
}

static void s2s_close(void *ctx) {
    s2s_ctx *c = ctx;
    s2s_rows_free(c->rows, c->A + 1);
    attn_tokenizer_free(c->tok);
    attn_pair_loader_free(c->loader);
    attn_pair_loader_free(c->vloader);
    attn_pairs_close(c->train);
    attn_pairs_close(c->val);
    attn_free(c->path_train);
    attn_free(c->path_val);
}

const train_objective_ops train_seq2seq_ops = {sizeof(s2s_ctx), s2s_open, s2s_prepare, s2s_batches, s2s_evaluate, s2s_close, NULL, NULL};
