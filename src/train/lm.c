/* lm.c — the language-model objectives' data source (objective.h): causal
 * LM (next-token, decoders) and masked LM (+ next-sentence prediction,
 * encoders) on the token shards of attn prepare. See train.h for the
 * contract: windows are drawn from (seed, step), so a resumed run draws
 * the same ones. */
#include "attn/data.h"
#include "attn/encoder.h"
#include "attn/noise.h"
#include "attn/tokenizer.h"
#include "train/objective.h"

/* ---- batches -----------------------------------------------------------------
 * Training windows start at offsets drawn from (seed, step, micro, row):
 * no loader state, so a resumed run draws exactly the same batches, and
 * MLM masks come from seeds of the same kind (see train.h).
 * Validation uses fixed, evenly spaced windows (and fixed masks). */
#define MLM_DYNAMIC_STREAM 0x6d6c6d64796eULL /* "mlmdyn" */
#define MLM_STATIC_STREAM 0x6d6c6d737461ULL  /* "mlmsta" */
#define MLM_VAL_STREAM 0x6d6c6d76616cULL     /* "mlmval" */


typedef struct windows {
    attn_objective objective;
    bool static_masking, nsp, sparse_mlm;
    int64_t *doc_starts[2];   /* --doc-windows: the train / val shard's window starts (NULL: anywhere) */
    int64_t n_docs[2];
    uint64_t seed;
    int32_t cls, sep;
    int32_t special[4];
    attn_mlm_params mlm;
    uint8_t *word_start;      /* whole-word masking: per vocabulary id (NULL: off) */
    uint8_t *row_starts;      /* T: word starts of the current row */
} windows;

/* Rows of T tokens: inputs, targets, token types and next-sentence labels
 * (the last two only with NSP). */
typedef struct rows {
    int32_t *in, *tg, *types, *nsp;
} rows;

/* MLM with NSP: buf[1..T-2) holds T-3 window tokens; split them into A and
 * B at a point drawn from the seed, and with probability 1/2 replace B by
 * the tokens at a random other offset of the shard (label 1 = "B does not
 * follow A"); the row is [CLS] A [SEP] B [SEP] with token types 0 then 1. */
static attn_status nsp_pair(const attn_shard *s, int64_t T, uint64_t seed, int32_t *buf, int32_t sep, int32_t *types,
                            int32_t *label) {
    int64_t a;
    uint64_t other;
    attn_nsp_draw(seed, T, &a, label, &other);
    int64_t b = T - 3 - a;
    if (*label) {
        int64_t start = (int64_t)(other % (uint64_t)(attn_shard_len(s) - b));
        attn_status st = attn_shard_read(s, start, b, buf + a + 2);
        if (st) return st;
    } else {
        memmove(buf + a + 2, buf + a + 1, (size_t)b * sizeof *buf);
    }
    buf[a + 1] = sep;
    for (int64_t i = 0; i < T; i++) types[i] = i > a + 1;
    return ATTN_OK;
}

/* Row `row` of r: CLM inputs w[0..T) and targets w[1..T]; MLM the masked
 * [CLS] w[0..T-2) [SEP] (with NSP: [CLS] A [SEP] B [SEP]) and its labels,
 * masked from mask_seed (static masking: from the start offset instead).
 * buf holds T + 1 tokens. */
static attn_status fill_window(const windows *w, const attn_shard *s, int64_t start, int64_t T, rows *r, int64_t row,
                               int32_t *buf, uint64_t mask_seed) {
    int32_t *in = r->in + row * T, *tg = r->tg + row * T;
    if (w->objective == ATTN_OBJECTIVE_MLM) {
        attn_status st = attn_shard_read(s, start, w->nsp ? T - 3 : T - 2, buf + 1);
        if (st) return st;
        if (w->nsp && (st = nsp_pair(s, T, mask_seed, buf, w->sep, r->types + row * T, r->nsp + row)) != ATTN_OK) return st;
        buf[0] = w->cls;
        buf[T - 1] = w->sep;
        uint8_t *starts = NULL;
        if (w->word_start) {
            starts = w->row_starts;
            for (int64_t i = 0; i < T; i++) starts[i] = i <= 1 || w->word_start[buf[i]];
        }
        return attn_mlm_mask(&w->mlm, mask_seed, buf, starts, T, in, tg);
    }
    attn_status st = attn_shard_read(s, start, T + 1, buf);
    if (st) return st;
    memcpy(in, buf, (size_t)T * sizeof *in);
    memcpy(tg, buf + 1, (size_t)T * sizeof *tg);
    return ATTN_OK;
}

/* Micro-batch a of rows r as a model_batch. */
static model_batch batch_at(const windows *w, const rows *r, int64_t a, int64_t B, int64_t T) {
    model_batch mb = {.B = B, .T = T, .inputs = r->in + a * B * T, .targets = r->tg + a * B * T,
                      .sparse_mlm = w->sparse_mlm};
    if (w->nsp) {
        mb.type_ids = r->types + a * B * T;
        mb.labels = r->nsp + a * B;
    }
    return mb;
}

static attn_status train_batch(const windows *w, const attn_shard *s, int64_t step, int64_t n_micro, int64_t B, int64_t T,
                               rows *r, int32_t *buf) {
    int64_t span = attn_shard_len(s) - T; /* valid starts: [0, span) */
    for (int64_t mb = 0; mb < n_micro; mb++)
        for (int64_t b = 0; b < B; b++) {
            uint64_t h = rng_hash(w->seed, (uint64_t)step, (uint64_t)(mb * B + b));
            int64_t start = w->doc_starts[0] ? w->doc_starts[0][h % (uint64_t)w->n_docs[0]] : (int64_t)(h % (uint64_t)span);
            uint64_t mask_seed = w->static_masking
                                     ? rng_hash(w->seed, MLM_STATIC_STREAM, (uint64_t)start)
                                     : rng_hash(rng_hash(w->seed, MLM_DYNAMIC_STREAM, (uint64_t)step), 0, (uint64_t)(mb * B + b));
            attn_status st = fill_window(w, s, start, T, r, mb * B + b, buf, mask_seed);
            if (st) return st;
        }
    return ATTN_OK;
}

static attn_status evaluate(const windows *win, attn_trainer *tr, const attn_shard *s, int64_t n_batches, int64_t B,
                            int64_t T, rows *r, int32_t *buf, float *out) {
    int64_t span = attn_shard_len(s) - T, n_windows = n_batches * B;
    double sum = 0;
    for (int64_t k = 0; k < n_batches; k++) {
        for (int64_t b = 0; b < B; b++) {
            int64_t w = k * B + b;
            int64_t start = n_windows > 1 ? (int64_t)((double)w * (double)(span - 1) / (double)(n_windows - 1)) : 0;
            if (win->doc_starts[1])
                start = win->doc_starts[1][n_windows > 1 ? (int64_t)((double)w * (double)(win->n_docs[1] - 1) / (double)(n_windows - 1)) : 0];
            uint64_t mask_seed = rng_hash(win->seed, MLM_VAL_STREAM, (uint64_t)w);
            attn_status st = fill_window(win, s, start, T, r, b, buf, mask_seed);
            if (st) return st;
        }
        float l;
        model_batch mb = batch_at(win, r, 0, B, T);
        attn_status st = trainer_eval_batch(tr, &mb, &l);
        if (st) return st;
        sum += (double)l;
    }
    *out = (float)(sum / (double)n_batches);
    return ATTN_OK;
}

/* The first of the tokenizer's added tokens named (NULL-terminated list), or -1. */
static int32_t added_id(const attn_tokenizer *tok, const char *const *names) {
    for (; *names; names++) {
        int32_t id = attn_tokenizer_added_id(tok, *names);
        if (id >= 0) return id;
    }
    return -1;
}

static const char *const PAD_NAMES[] = {"[PAD]", "<pad>", NULL}, *const MASK_NAMES[] = {"[MASK]", "<mask>", NULL};

/* MLM: the special tokens from the data's tokenizer. */
static attn_status mlm_windows(const attn_train_params *p, const attn_tokenizer *tok, int32_t vocab_size, windows *w) {
    /* BERT's, RoBERTa's, and the amino-acid tokenizer's / ESM's */
    static const char *const cls[] = {"[CLS]", "<s>", "<cls>", NULL}, *const sep[] = {"[SEP]", "</s>", "<sep>", "<eos>", NULL};
    if (!tok) return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective mlm needs the data's tokenizer.json (from attn prepare)");
    int32_t m = added_id(tok, MASK_NAMES);
    w->cls = added_id(tok, cls);
    w->sep = added_id(tok, sep);
    if (m < 0 || w->cls < 0 || w->sep < 0)
        return attn_errorf(ATTN_ERR_INVALID_ARG,
                           "--objective mlm needs a tokenizer with mask, start and end tokens ([MASK] [CLS] [SEP], <mask> <s> </s> or <mask> <cls> <sep>)");
    w->mlm = attn_mlm_default_params(m, vocab_size);
    w->special[0] = w->cls;
    w->special[1] = w->sep;
    w->special[2] = m;
    w->special[3] = added_id(tok, PAD_NAMES);
    w->mlm.special = w->special;
    w->mlm.n_special = w->special[3] >= 0 ? 4 : 3;
    if (!p->whole_word_masking) return ATTN_OK;
    int32_t V = attn_tokenizer_vocab_size(tok);
    if (!(w->word_start = attn_malloc((size_t)(V > vocab_size ? V : vocab_size)))) return ATTN_ERR_OUT_OF_MEMORY;
    for (int32_t id = 0; id < (V > vocab_size ? V : vocab_size); id++) {
        const char *b = NULL;
        size_t n = 0;
        w->word_start[id] = !(id < V && attn_tokenizer_token_bytes(tok, id, &b, &n) == ATTN_OK && n >= 2 && b[0] == '#' && b[1] == '#');
    }
    return ATTN_OK;
}

/* ---- the rows' data source --------------------------------------------------- */

typedef struct lm_ctx {
    windows win;
    attn_shard *train, *val;
    attn_tokenizer *tok;
    int64_t A, B, T, eval_batches;
    rows r;
    int32_t *buf;
} lm_ctx;

static attn_status lm_batches(void *ctx, int64_t step, model_batch *mbs, double *tokens) {
    lm_ctx *c = ctx;
    attn_status st = train_batch(&c->win, c->train, step, c->A, c->B, c->T, &c->r, c->buf);
    for (int64_t a = 0; a < c->A && !st; a++) mbs[a] = batch_at(&c->win, &c->r, a, c->B, c->T);
    *tokens = (double)(c->A * c->B * c->T);
    return st;
}

static attn_status lm_evaluate(void *ctx, attn_trainer *tr, attn_train_progress *pr) {
    lm_ctx *c = ctx;
    pr->has_val = true;
    return evaluate(&c->win, tr, c->val, c->eval_batches, c->B, c->T, &c->r, c->buf, &pr->val_loss);
}

/* The shards and tokenizer, and the model: OUT's or --init's, else a new
 * one of --arch (a BERT encoder for mlm). */
static attn_status lm_open(void *ctx, const attn_train_params *p, attn_model **out) {
    lm_ctx *c = ctx;
    attn_status st;
    bool mlm = p->objective == ATTN_OBJECTIVE_MLM, decoder_arch = p->arch == ATTN_ARCH_GPT2 || p->arch == ATTN_ARCH_OPT ||
                                                       p->arch == ATTN_ARCH_LLAMA || p->arch == ATTN_ARCH_BLOOM;
    if (p->arch == ATTN_ARCH_ESM && !mlm) return attn_errorf(ATTN_ERR_INVALID_ARG, "--arch esm trains with --objective mlm");
    if (p->arch != ATTN_ARCH_DEFAULT && p->arch != ATTN_ARCH_ESM && !decoder_arch)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "this --arch needs pair data (%s has no train.pairs; see attn prepare --pairs)", p->data_dir);
    if (mlm && decoder_arch) return attn_errorf(ATTN_ERR_INVALID_ARG, "--arch gpt2, opt, llama and bloom train with --objective clm");
    if ((st = train_open_shards(p, &c->train, &c->val)) != ATTN_OK) return st;
    if (attn_tokenizer_load(p->data_dir, &c->tok) != ATTN_OK) c->tok = NULL; /* shards without a tokenizer still train */
    attn_tokenizer *tok = c->tok;

    if ((st = train_load_start(p, out)) != ATTN_OK) return st;
    if (*out) {
        /* resumed, or initialised from --init */
    } else if ((st = train_check_new_width(p)) != ATTN_OK) {
        return st;
    } else if (mlm) {
        attn_bert_config bc = attn_bert_default_config();
        bc.n_layer = p->model.n_layer;
        bc.n_head = p->model.n_head;
        bc.hidden_size = p->model.n_embd;
        bc.intermediate_size = p->model.n_inner > 0 ? p->model.n_inner : 4 * p->model.n_embd;
        bc.max_positions = p->model.n_ctx;
        bc.vocab_size = attn_shard_vocab_size(c->train);
        bc.dropout = p->model.dropout;
        bc.pooler = bc.nsp_head = p->nsp;
        bc.mlm_head = true;
        bc.pre_ln = p->pre_ln;
        if (p->model.activation == ATTN_ACT_GEGLU) bc.activation = ATTN_BERT_GEGLU;
        bc.no_bias = p->no_bias;
        bc.pad_token_id = tok ? added_id(tok, PAD_NAMES) : -1;
        if (p->arch == ATTN_ARCH_ESM) { /* ESM-2: token dropout on the data's mask token */
            bc.layer_norm_eps = 1e-5f;
            bc.mask_token_id = tok ? added_id(tok, MASK_NAMES) : -1;
            if (p->nsp) return attn_errorf(ATTN_ERR_INVALID_ARG, "--arch esm has no next-sentence head (--nsp)");
            if (bc.pad_token_id < 0) return attn_errorf(ATTN_ERR_INVALID_ARG, "--arch esm needs a tokenizer with a padding token (<pad> or [PAD])");
            if ((st = attn_esm_new(&bc, p->seed, out)) != ATTN_OK) return st;
        } else if ((st = attn_bert_new(&bc, p->seed, out)) != ATTN_OK) {
            return st;
        }
    } else {
        attn_gpt_config gc = p->model;
        gc.vocab_size = attn_shard_vocab_size(c->train);
        if (tok) gc.eos_token_id = gc.bos_token_id = attn_tokenizer_eot(tok);
        const char *type = p->arch == ATTN_ARCH_OPT     ? "opt"
                           : p->arch == ATTN_ARCH_LLAMA ? "llama"
                           : p->arch == ATTN_ARCH_BLOOM ? "bloom"
                                                        : "gpt2";
        if ((st = attn_model_new_arch(type, &gc, p->seed, out)) != ATTN_OK) return st;
    }
    attn_bert_config ecfg;
    bool encoder = attn_model_encoder_config(*out, &ecfg);
    if (mlm && !(encoder && ecfg.mlm_head))
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--objective mlm needs an encoder (BERT/RoBERTa) with a masked-LM head");
    if (mlm && p->nsp && !ecfg.nsp_head)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "--nsp needs an encoder with a next-sentence head (BertForPreTraining)");
    if (!mlm && encoder)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "an encoder (BERT/RoBERTa) model trains with --objective mlm or classify");
    return ATTN_OK;
}

/* --doc-windows: the offsets just after each end token (the MLM end token or
 * <|endoftext|>) of shard s from which a whole window of n tokens fits. */
static attn_status doc_starts(const attn_shard *s, int32_t sep, int32_t eot, int64_t n, const char *what, int64_t **out,
                              int64_t *n_out) {
    enum { CHUNK = 1 << 16 };
    int64_t len = attn_shard_len(s), count = 0, cap = 0;
    int64_t *v = NULL;
    int32_t *buf = attn_malloc(sizeof *buf * CHUNK);
    if (!buf) return ATTN_ERR_OUT_OF_MEMORY;
    attn_status st = ATTN_OK;
    for (int64_t at = 0; at < len && !st; at += CHUNK) {
        int64_t m = len - at < CHUNK ? len - at : CHUNK;
        if ((st = attn_shard_read(s, at, m, buf))) break;
        for (int64_t k = 0; k < m; k++) {
            if ((buf[k] != sep && buf[k] != eot) || at + k + 1 + n > len) continue;
            if (count == cap) {
                int64_t *w = attn_realloc(v, sizeof *v * (size_t)(cap = cap ? 2 * cap : 1024));
                if (!w) {
                    st = ATTN_ERR_OUT_OF_MEMORY;
                    break;
                }
                v = w;
            }
            v[count++] = at + k + 1;
        }
    }
    attn_free(buf);
    if (!st && !count)
        st = attn_errorf(ATTN_ERR_INVALID_ARG, "--doc-windows: the %s shard has no end token followed by %lld tokens to start a window "
                         "after (end each document with its tokenizer's end token, e.g. <sep> or [SEP])", what, (long long)n);
    if (st) {
        attn_free(v);
        return st;
    }
    *out = v;
    *n_out = count;
    return ATTN_OK;
}

/* The window length, its fit to the model and shards, the masking, buffers. */
static attn_status lm_prepare(void *ctx, const attn_train_params *p, attn_model **pm, train_plan *plan) {
    lm_ctx *c = ctx;
    attn_model *model = *pm;
    attn_status st;
    bool mlm = p->objective == ATTN_OBJECTIVE_MLM;
    attn_bert_config ecfg;
    bool encoder = attn_model_encoder_config(model, &ecfg);
    attn_gpt_config cfg = attn_model_config(model);
    if (p->model.dropout > 0) model->cfg.dropout = p->model.dropout;
    if (attn_shard_vocab_size(c->train) > cfg.vocab_size)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "the data's vocabulary (%d) is larger than the model's (%lld)",
                           (int)attn_shard_vocab_size(c->train), (long long)cfg.vocab_size);
    int64_t T = p->seq_len ? p->seq_len : cfg.n_ctx, B = p->batch_size, A = p->grad_accum;
    if (encoder) { /* RoBERTa's positions start after the padding index */
        int64_t limit = ecfg.roberta ? ecfg.max_positions - ecfg.pad_token_id - 1 : ecfg.max_positions;
        if (cfg.n_ctx > limit) cfg.n_ctx = limit;
        if (!p->seq_len) T = cfg.n_ctx;
    }
    int min_T = mlm ? (p->nsp ? 5 : 3) : 1;
    if (T < min_T || T > cfg.n_ctx)
        return attn_errorf(ATTN_ERR_INVALID_ARG, "sequence length %lld must be in [%d, %lld] (the model's context)", (long long)T,
                           min_T, (long long)cfg.n_ctx);
    if ((st = train_shards_fit(p, c->train, &c->val, T, T + 2, "training windows")) != ATTN_OK) return st;
    windows *win = &c->win;
    win->objective = p->objective;
    win->static_masking = p->static_masking;
    win->nsp = mlm && p->nsp;
    win->sparse_mlm = mlm && p->sparse_mlm;
    win->seed = p->seed;
    if (mlm && (st = mlm_windows(p, c->tok, (int32_t)cfg.vocab_size, win)) != ATTN_OK) return st;
    if (win->word_start && !(win->row_starts = attn_malloc((size_t)T))) return ATTN_ERR_OUT_OF_MEMORY;
    if (p->doc_windows) {
        if (p->nsp) return attn_errorf(ATTN_ERR_INVALID_ARG, "--doc-windows is for --objective clm or mlm without --nsp");
        /* CLM reads T + 1 tokens from the start and ends documents with <|endoftext|> only */
        int32_t eot = c->tok ? attn_tokenizer_eot(c->tok) : -1, sep = mlm ? win->sep : -1;
        int64_t n = mlm ? T - 2 : T + 1;
        if ((st = doc_starts(c->train, sep, eot, n, "training", &win->doc_starts[0], &win->n_docs[0])) != ATTN_OK) return st;
        if (c->val && p->eval_batches > 0 &&
            (st = doc_starts(c->val, sep, eot, n, "validation", &win->doc_starts[1], &win->n_docs[1])) != ATTN_OK)
            return st;
    }
    c->r.in = attn_malloc((size_t)(A * B * T) * sizeof *c->r.in);
    c->r.tg = attn_malloc((size_t)(A * B * T) * sizeof *c->r.tg);
    c->r.types = attn_malloc((size_t)(A * B * T) * sizeof *c->r.types);
    c->r.nsp = attn_malloc((size_t)(A * B) * sizeof *c->r.nsp);
    c->buf = attn_malloc((size_t)(T + 1) * sizeof *c->buf);
    if (!c->r.in || !c->r.tg || !c->r.types || !c->r.nsp || !c->buf) return ATTN_ERR_OUT_OF_MEMORY;
    c->A = A, c->B = B, c->T = T, c->eval_batches = p->eval_batches;
    *plan = (train_plan){.n_micro = A, .T = T, .tok = c->tok, .evaluates = c->val && p->eval_batches > 0};
    return ATTN_OK;
}

static void lm_close(void *ctx) {
    lm_ctx *c = ctx;
    attn_free(c->win.word_start);
    attn_free(c->win.row_starts);
    attn_free(c->win.doc_starts[0]);
    attn_free(c->win.doc_starts[1]);
    attn_tokenizer_free(c->tok);
    attn_shard_close(c->train);
    attn_shard_close(c->val);
    attn_free(c->r.in);
    attn_free(c->r.tg);
    attn_free(c->r.types);
    attn_free(c->r.nsp);
    attn_free(c->buf);
}

const train_objective_ops train_lm_ops = {sizeof(lm_ctx), lm_open, lm_prepare, lm_batches, lm_evaluate, lm_close, NULL, NULL};
