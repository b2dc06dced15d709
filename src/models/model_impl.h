/* model_impl.h — what the trainer and generator see of a model: a flat
 * parameter table over one weight block (and one gradient block), a loss
 * function recorded on a graph, and a cached forward for decoding. */
#ifndef ATTN_MODEL_IMPL_H
#define ATTN_MODEL_IMPL_H

#include "attn/model.h"
#include "attn/rnn.h"
#include "attn/encoder.h"
#include "attn/seq2seq.h"
#include "io/json.h"
#include "ops/graph.h"
#include "nn/nn.h"

typedef struct param_info {
    char name[96];            /* checkpoint (Hugging Face) name */
    int ndim;
    int64_t shape[2];         /* attn layout: linear weights are (out, in) */
    int64_t offset, numel;    /* into the weight/gradient blocks */
    bool decay;               /* AdamW weight decay applies (linear weights) */
    bool transpose;           /* stored transposed in the checkpoint (HF Conv1D) */
    int64_t heads3;           /* > 0: rows stored per head as (H, 3, D) in the checkpoint, (3, H, D) here (PF_HEADS3) */
    int spec, layer;          /* the table row and layer (-1: global) */
    int qtype;                /* 0: fp32; else its ggml block type in m->qweights (models/quantized.c) */
    size_t q_offset;          /* bytes into m->qweights */
} param_info;

typedef struct gpt_layer {
    tensor ln1_w, ln1_b, qkv_w, qkv_b, proj_w, proj_b, ln2_w, ln2_b, fc_w, fc_b, fc2_w, fc2_b;
} gpt_layer;

/* Key/value cache for decoding: per layer (B, max_len, width), keys then
 * values, width = 2C (2 Hkv D where attn_model.kv_width says so).
 * A forward over it either appends (B, T) tokens to every sequence at
 * positions len .. len + T - 1 (runs NULL; model_forward advances len), or,
 * with runs set (a continuous batch: attn_ctx_decode_batch), takes one
 * stream ids (1, n) whose rows are the runs' tokens: run r appends
 * runs[r].count tokens to sequence runs[r].seq from position runs[r].pos,
 * pos[i] is row i's position, and the logits asked for last_only are one
 * row per run (its last token), in run order; len is then unused and the
 * caller keeps each sequence's length. */
typedef struct kv_cache {
    int64_t B, len;           /* positions filled */
    int64_t max_len;          /* positions each sequence can hold */
    int64_t cap;              /* positions allocated per sequence (<= max_len):
                                 the buffers grow as a forward needs more (kv_cache_reserve) */
    int64_t width;            /* floats per position of a layer */
    int64_t row;              /* floats per batch row of a layer's buffer: cap * width */
    float **kv;               /* n_layer buffers */
    const kv_run *runs;       /* a continuous batch (n_runs of them), or NULL */
    int64_t n_runs;
    const int32_t *pos;       /* with runs: each row's position */
} kv_cache;

/* Layer l's view of cache for nn_self_attention. */
static inline nn_kv kv_layer(const kv_cache *c, int64_t l) {
    nn_kv kv = {c->kv[l], c->row, c->len, c->runs, c->runs ? c->n_runs : 0};
    return kv;
}
/* Position ids (B, T) of a forward's tokens, plus offset (OPT's 2): from
 * the cache's len (or 0 without one) or, in a continuous batch, its pos;
 * an error on g (nn_positions) past limit, the positions the model has. */
int32_t *kv_positions(graph *g, const kv_cache *c, int64_t B, int64_t T, int64_t offset, int64_t limit);
/* The rows of x (B, T, C) whose logits a forward returns: all of them, or
 * with last_only each row's last token (B, 1, C) or, in a continuous batch,
 * each run's last token (n_runs, 1, C). */
tensor *kv_last_rows(graph *g, tensor *x, const kv_cache *c, int64_t B, int64_t T, bool last_only);

/* Model kinds. GPT's fields live in attn_model itself; other kinds keep
 * their views and configuration behind their own pointer, and the
 * functions below (defined in gpt.c) dispatch on `kind`:
 *   model_loss       GPT: next-token loss; BERT: masked-LM loss (bert.c)
 *   model_forward    GPT only (decoding); an encoder sets g->status
 *   model_enable_grads, attn_model_free: per-kind views and state.
 * Everything the trainer touches — params, ptensors, weights, grads, and
 * cfg.dropout / cfg.vocab_size / cfg.n_ctx — is common to all kinds. */
typedef enum model_kind { MODEL_GPT = 0, MODEL_BERT, MODEL_ENCDEC, MODEL_RNN, MODEL_OPT,
    MODEL_LLAMA, MODEL_BLOOM, MODEL_ESM } model_kind;

/* ---- parameter tables (models/params.c) ----------------------------------
 * Every family lists its parameters as rows of one table type: the
 * checkpoint (transformers) name, a role from the vocabulary below shared
 * by every family, a shape in the family's symbolic dimensions, the layer
 * group (0: once; 1 and 2: once per layer of the first and second stack),
 * the part of the model it belongs to (0: always; otherwise a bit the
 * family sets when that part is present), flags, and where its view lives
 * in the family's structs. One builder sizes, names and places them in one
 * weight block; one initialiser, one reader and one writer of Hugging
 * Face checkpoints serve every family. */
typedef enum param_role {
    ROLE_OTHER = 0,
    ROLE_TOKEN_EMBD, ROLE_POS_EMBD, ROLE_TYPE_EMBD, ROLE_EMBD_NORM,
    ROLE_ATTN_NORM, ROLE_ATTN_Q, ROLE_ATTN_K, ROLE_ATTN_V, ROLE_ATTN_QKV, ROLE_ATTN_OUT,
    ROLE_CROSS_NORM, ROLE_CROSS_Q, ROLE_CROSS_K, ROLE_CROSS_V, ROLE_CROSS_OUT,
    ROLE_FFN_NORM, ROLE_FFN_UP, ROLE_FFN_GATE, ROLE_FFN_DOWN,
    ROLE_OUTPUT_NORM, ROLE_OUTPUT,
    ROLE_POOLER, ROLE_HEAD_DENSE, ROLE_HEAD_NORM, ROLE_CLASSIFIER, ROLE_NSP,
} param_role;

enum {
    PF_BIAS = 1 << 0,         /* the role's bias vector (initialised to 0) */
    PF_DECAY = 1 << 1,        /* AdamW weight decay applies */
    PF_TRANSPOSE = 1 << 2,    /* stored (in, out) in the checkpoint (transformers' Conv1D) */
    PF_PACK = 1 << 3,         /* the next row follows with no alignment gap (fused q|k|v views) */
    PF_PREFIX = 1 << 4,       /* the name takes the layout's prefix ("bert.") */
    PF_OPTIONAL = 1 << 5,     /* absent from a checkpoint: zeros */
    PF_BUFFER = 1 << 6,       /* never trained (a buffer in transformers): no gradient */
    PF_HEADS3 = 1 << 7,       /* a fused q|k|v (weight or bias) the checkpoint interleaves per head, rows
                                 (H, 3, D) (BLOOM); attn keeps (3, H, D), so q, k and v are contiguous:
                                 permuted on reading and writing, H from param_layout.qkv_heads */
};

typedef struct param_row {
    const char *name;         /* per layer: after the group's layer prefix */
    uint8_t role;             /* param_role */
    uint8_t shape[2];         /* the family's dimension symbols; shape[1] 0: a vector */
    uint8_t group;            /* 0 global, 1 or 2 per layer */
    uint16_t part;            /* 0 always, else a bit of param_layout.parts */
    uint16_t flags;           /* PF_* */
    size_t field;             /* offset of the view in the group's struct */
} param_row;

/* A fused view over packed rows: in each layer of `group`, the view at
 * `into` spans `parts` tensors from the one at `first` (q, k and v as one
 * (3C, C) projection), consecutive in the struct and packed in the block;
 * its rows are the sum of theirs (grouped-query k and v are narrower than
 * q). A table's list ends with parts 0. */
typedef struct param_fuse {
    uint8_t group, parts;
    size_t first, into;
} param_fuse;

typedef struct param_table {
    const param_row *rows;
    int n_rows;
    const char *layer_name[3];     /* per group: a layer's names start with this, its number and "." */
    const char *strip_prefix;      /* a checkpoint may name its tensors without it ("transformer.") */
    const char *const *ignore;     /* names (or name endings) a checkpoint may hold that are not parameters; NULL-ended */
    const char *const *embd_alias; /* tensors that may stand in for a missing ROLE_TOKEN_EMBD (tied copies); NULL-ended */
    const param_fuse *fuse;        /* fused views, or NULL */
} param_table;

/* A model's instance of its family's table. Global rows listed before the
 * first per-layer row come first in the block, then every layer of group
 * 1, of group 2, then the remaining global rows, each group in table order. */
typedef struct param_layout {
    int64_t dims[16];         /* symbol -> size (symbol 0: none) */
    unsigned parts;           /* the parts present */
    int64_t layers[3];        /* layers per group (layers[0] is 1) */
    const char *prefix;       /* before PF_PREFIX names ("" or e.g. "bert.") */
    int64_t qkv_heads;        /* heads of PF_HEADS3 rows */
    bool no_bias;             /* leave out the linear layers' PF_BIAS rows (norms keep theirs) */
} param_layout;

/* What a family's load gets (defined with the registry below). */
typedef struct model_source model_source;

struct bert_model;            /* models/bert.c */
struct encdec_model;          /* models/encdec.c */

struct attn_model {
    attn_gpt_config cfg;      /* GPT: the config; BERT: the shared fields
                                 (n_layer, n_head, n_embd, n_ctx = positions,
                                 vocab_size, n_inner, layer_norm_eps, dropout) */
    model_kind kind;
    const struct model_arch *arch; /* its registry row (registry_find) */
    const param_table *table; /* the family's parameter table */
    struct bert_model *bert;  /* kind == MODEL_BERT */
    param_info *params;
    tensor *ptensors;         /* one per param, views into the blocks */
    int n_params_tensors;
    int64_t n_weights;        /* total floats */
    float *weights;
    float *grads;             /* NULL until model_enable_grads */
    tensor wte, wpe, lnf_w, lnf_b;
    tensor lm_head;           /* GPT with cfg.untied_head: the output projection (V, C) */
    tensor score_w;           /* GPT2ForSequenceClassification's head (cfg.num_labels > 0) */
    gpt_layer *layers;
    char **label_names;       /* a classifier's labels (config.json id2label), NULL if none */
    int64_t n_label_names;
    struct encdec_model *encdec; /* kind == MODEL_ENCDEC */
    struct rnn_model *rnn;    /* kind == MODEL_RNN (models/rnn.c) */
    void *state;              /* a family's own views and configuration, one block (OPT) */
    int64_t kv_width;         /* floats per position and layer in the KV cache
                                 (keys then values); 0: 2 n_embd (grouped-query
                                 attention: 2 Hkv D) */
    unsigned char *qweights;  /* quantized matrices (param_info.qtype), their fp32 values never set; NULL: none */
    uint16_t *weights_bf16;   /* bf16 precision: bf16 copies of the matrices
                                 (model_param_bf16), same offsets as weights;
                                 NULL in fp32 precision (models/precision.c) */
    bool f32_released;        /* the fp32 values of the bf16 matrices were given
                                 back (attn_model_release_f32): inference only */
};

attn_status model_enable_grads(attn_model *m);
void model_zero_grads(attn_model *m);

/* One micro-batch for any objective; rows of T tokens.
 *   GPT: targets -> next-token loss; labels (B) -> sequence classification
 *        on the last real token of each row (mask, else all real).
 *   Encoders: targets -> masked-LM loss (plus next-sentence loss when the
 *        model has that head and labels (B) are given); labels alone ->
 *        the classifier's loss: (B) for a sequence classifier, (B, T) for a
 *        token classifier. -1 marks a target or label that does not count. */
typedef struct model_batch {
    int64_t B, T;
    const int32_t *inputs;    /* (B, T) token ids */
    const int32_t *targets;   /* (B, T) or NULL */
    const int32_t *type_ids;  /* (B, T) segment ids (encoders), NULL = all 0 */
    const uint8_t *mask;      /* (B, T) 1 = real token, NULL = from the pad id (or all real) */
    const int32_t *labels;    /* see above, or NULL */
    /* Encoder-decoders and RNN models: inputs are the decoder inputs
     * (tgt_in), targets the tokens to predict (tgt_out, -1 = not counted),
     * src (B, S) the sources padded with the model's pad id; the loss is
     * label-smoothed cross-entropy (label_smoothing in [0, 1)). */
    const int32_t *src;
    int64_t S;
    float label_smoothing;
    bool sparse_mlm;          /* masked LM: the head on the masked positions only (nn_masked_rows) */
} model_batch;

/* The batch's loss (a scalar), recorded on g. */
tensor *model_batch_loss(attn_model *m, graph *g, const model_batch *b);
/* Classifier logits, recorded on g: (B, L), or (B, T, L) for a token classifier. */
tensor *model_classify(attn_model *m, graph *g, const model_batch *b);
/* Replaces the model's label names with a copy of names[0..n). */
attn_status model_set_labels(attn_model *m, const char *const *names, int64_t n);

/* Records the forward pass on g and returns the mean next-token loss of
 * inputs (B, T) against targets (B, T) (ignore index -1). */
tensor *model_loss(attn_model *m, graph *g, const int32_t *inputs, const int32_t *targets, int64_t B, int64_t T);

/* ---- OPT (models/opt.c) ---- */
extern const json_field OPT_CONFIG_KEYS[];
attn_status opt_load(const model_source *src, attn_model **out);
attn_status opt_save(const attn_model *m, const char *dir);
void opt_sync_views(attn_model *m);
tensor *opt_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only);
attn_status opt_create(const attn_gpt_config *cfg, uint64_t seed, attn_model **out);

/* ---- Llama-style decoders (models/llama.c): llama, qwen2, mistral ---- */
/* The hyper-parameters of a Llama-style decoder (config.json's keys, or
 * GGUF's llama.* keys). */
typedef struct llama_hparams {
    attn_gpt_config g;        /* n_layer, n_head, n_embd (hidden_size), n_inner (intermediate_size),
                                 n_ctx (max_position_embeddings), vocab_size, layer_norm_eps
                                 (rms_norm_eps), dropout (residual, while training), token ids */
    int64_t n_kv_head;        /* num_key_value_heads: divides n_head */
    int64_t head_dim;         /* D: q is n_head D wide, k and v n_kv_head D */
    float rope_theta;
    bool tie;                 /* tie_word_embeddings: the output is embed_tokens */
    bool qkv_bias, o_bias, mlp_bias; /* Llama: attention_bias (all four), mlp_bias; Qwen2: q, k, v */
    bool attention_bias;      /* config.json's key (llama) */
    int64_t sliding_window;   /* mistral: read to refuse windows shorter than the context */
} llama_hparams;
extern const json_field LLAMA_CONFIG_KEYS[];
extern const json_field QWEN2_CONFIG_KEYS[];
extern const json_field MISTRAL_CONFIG_KEYS[];
/* A decoder of hp's sizes (checked) with zeroed weights, for a loader that
 * fills them by name: its parameters (m->params[k].name) are named as
 * transformers names them (model.embed_tokens.weight,
 * model.layers.N.self_attn.{q,k,v,o}_proj.{weight,bias},
 * model.layers.N.mlp.{gate,up,down}_proj.{weight,bias},
 * model.layers.N.{input,post_attention}_layernorm.weight, model.norm.weight,
 * lm_head.weight when untied), linear weights (out, in), q and k in
 * transformers' rotate-half order. model_type ("llama", "qwen2" or
 * "mistral") is the registry row it saves as. */
attn_status llama_model_new(const char *model_type, const llama_hparams *hp, attn_model **out);
/* A Llama-style model's hyper-parameters. */
const llama_hparams *llama_hparams_of(const attn_model *m);
attn_status llama_load(const model_source *src, attn_model **out);
attn_status llama_save(const attn_model *m, const char *dir);
void llama_sync_views(attn_model *m);
tensor *llama_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only);
attn_status llama_create(const attn_gpt_config *cfg, uint64_t seed, attn_model **out);

/* ---- quantized matrices (models/quantized.c) ---- */
/* The next model_params_finish on this thread leaves the weight block
 * unzeroed (a loader that writes every parameter or quantizes it: the fp32
 * pages of quantized matrices are then never touched). */
void model_params_lazy(bool on);
/* Reads and clears that setting (model_params_finish). */
bool model_params_take_lazy(void);
/* The next params_read on this thread (a decoder's) loads for bf16
 * inference: each matrix rounded into weights_bf16 as it is read and its
 * fp32 pages given back, as attn_model_release_f32 leaves a model. */
void model_load_bf16(bool on);
/* Quantizes parameters: qtype[k] is 0 (stays fp32) or F16 / Q8_0 / Q4_0 /
 * Q4_1 for a matrix whose rows are a multiple of 32 wide; src[k] (src may
 * be NULL) its blocks in ggml's layout, else m's fp32 values are quantized
 * (src[k]'s pages are given back once copied: a file mapping's, or a copy
 * the caller frees after). A
 * run of packed parameters (one fused view) is quantized only if all share
 * the type (the caller passes them so); their blocks sit back to back in
 * m->qweights. Sets each tensor's data_q and the views. */
attn_status model_quantize(attn_model *m, const int *qtype, const void *const *src);
/* Clears qtype[] over every run of packed parameters (one fused view) whose
 * parts do not all share one nonzero type, so model_quantize accepts it. */
void model_quant_runs(const attn_model *m, int *qtype);
/* Every quantized matrix back to fp32 (its blocks' values), m->qweights freed. */
void model_dequantize(attn_model *m);
/* Parameter k's values as fp32 into out (numel floats): dequantized when
 * it is quantized. */
void model_param_f32(const attn_model *m, int k, float *out);

/* ---- GGUF files (models/gguf_model.c) ---- */
/* Whether path is a readable file that starts with GGUF's magic. */
bool gguf_is_file(const char *path);
/* A model from a GGUF file: general.architecture llama, qwen2, gpt2 or
 * bloom; Q8_0 / Q4_0 / Q4_1 matrices stay quantized, every other tensor
 * becomes fp32; q/k rows of llama files return to transformers'
 * rotate-half order. */
attn_status gguf_model_load(const char *path, attn_model **out);
/* llama.cpp's tensor name for parameter k of m ("blk.3.attn_qkv.bias"),
 * from its row's role and layer (false: the role has none, e.g. a
 * classifier head); gguf_export.c writes with the same names. */
bool gguf_param_name(const attn_model *m, int k, char *out, size_t n);
/* The q / k rows of heads heads of D rows (row_bytes each), in place, from
 * transformers' rotate-half order (row j * D/2 + i) into llama.cpp's
 * interleaved one (row 2i + j) when to_gguf, else back. */
attn_status gguf_rope_rows(void *w, int64_t heads, int64_t D, size_t row_bytes, bool to_gguf);

/* ---- BLOOM (models/bloom.c) ---- */
extern const json_field BLOOM_CONFIG_KEYS[];
attn_status bloom_load(const model_source *src, attn_model **out);
attn_status bloom_save(const attn_model *m, const char *dir);
void bloom_sync_views(attn_model *m);
tensor *bloom_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only);
attn_status bloom_create(const attn_gpt_config *cfg, uint64_t seed, attn_model **out);

/* ---- ESM-2 (models/esm.c) ---- */
extern const json_field ESM_CONFIG_KEYS[];
attn_status esm_load(const model_source *src, attn_model **out);
attn_status esm_save(const attn_model *m, const char *dir);
void esm_sync_views(attn_model *m);
/* The masked-LM loss of a batch (targets -1 where nothing is predicted). */
tensor *esm_batch_loss(attn_model *m, graph *g, const struct model_batch *b);
/* The last hidden states (B, T, C), or with mlm the masked-LM logits
 * (B, T, V), of ids (B, T) with padding mask (NULL: all real) into out;
 * the encoder API (attn_encoder_hidden, _mlm_logits) for ESM models. */
attn_status esm_run(attn_model *m, bool mlm, const int32_t *ids, const uint8_t *mask, int64_t B, int64_t T, float *out);
/* The encoder configuration attn_model_encoder_config reports for an ESM model. */
void esm_encoder_config(const attn_model *m, attn_bert_config *out);

/* ---- GPT-2 (models/gpt.c, gpt_io.c) ---- */
/* A GPT of cfg's sizes (checked; n_inner 0 = 4 n_embd) with zeroed weights. */
attn_status gpt_alloc(const attn_gpt_config *cfg, attn_model **out);
/* Whether c turns on any of the GPT-2 variants that change the forward pass
 * (rotary, qk_norm, untied_head, ReLU squared): such a model is model_type
 * "attn_gpt2". zero_init_proj alone changes the initialisation only. */
bool gpt_is_variant(const attn_gpt_config *c);
/* A BLOOM model of g's sizes, its parameters not initialised (GGUF files). */
attn_status bloom_model_alloc(const attn_gpt_config *g, attn_model **out);
void gpt_sync_views(attn_model *m);
tensor *gpt_batch_loss(attn_model *m, graph *g, const model_batch *b);
tensor *gpt_classify(attn_model *m, graph *g, const model_batch *b);
tensor *gpt_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache, bool last_only);
attn_status gpt_load(const model_source *src, attn_model **out);
attn_status gpt_save(const attn_model *m, const char *dir);
extern const json_field GPT2_CONFIG_KEYS[], ATTN_GPT2_CONFIG_KEYS[];

/* Forward of ids (B, T) at positions cache->len ... cache->len + T - 1,
 * appending their keys/values to the cache (which may be NULL: positions
 * from 0, no cache) and advancing its length. Returns logits (B, T, V), or
 * (B, 1, V) for the last position only when last_only. With the cache's
 * runs set (a continuous batch, kv_cache), ids is (1, n), positions come
 * from the cache, last_only gives one row per run (n_runs, 1, V), and no
 * length is advanced (the caller keeps them). Non-finite logits
 * of an unrecorded pass are an error naming where they first appear. A
 * family's forward (model_family.forward) computes the logits only. */
tensor *model_forward(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache,
                      bool last_only);

/* ---- BERT (models/bert.c) ---- */
/* Re-points the encoder's named views at ptensors (after grads appear). */
void bert_sync_views(attn_model *m);
void bert_free(struct bert_model *b);
/* Masked-LM loss: inputs (B, T) are the (masked) ids, targets (B, T) the
 * original ids at the predicted positions and -1 elsewhere; tokens equal to
 * pad_token_id are padding (masked out of attention). */
tensor *bert_mlm_loss(attn_model *m, graph *g, const int32_t *inputs, const int32_t *targets, int64_t B, int64_t T);
tensor *bert_batch_loss(attn_model *m, graph *g, const model_batch *b);
tensor *bert_classify(attn_model *m, graph *g, const model_batch *b);
/* Loads an encoder directory (config.json model_type "bert"/"roberta"). */
attn_status bert_load(const model_source *src, attn_model **out);
extern const json_field BERT_CONFIG_KEYS[];
/* Writes config.json + model.safetensors in transformers' layout (bert_io.c). */
attn_status bert_save(const attn_model *m, const char *dir);

/* ---- encoder-decoders (models/encdec.c, encdec_io.c; include/attn/seq2seq.h) ---- */
void encdec_sync_views(attn_model *m);
void encdec_free(struct encdec_model *e);
/* Mean token cross-entropy of tgt_out given src, recorded on g: src (B, S)
 * padded with pad_token_id (masked out of attention); tgt_in (B, T) the
 * decoder inputs (decoder start, then the targets shifted right); tgt_out
 * (B, T) the targets, -1 where nothing is predicted. label_smoothing in
 * [0, 1] as torch's CrossEntropyLoss. All ids must stay valid until backward. */
tensor *encdec_loss(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt_in,
                    const int32_t *tgt_out, int64_t B, int64_t T, float label_smoothing);
attn_status encdec_load(const model_source *src, attn_model **out);
/* The family's translation functions (model_family.s2s_*). */
attn_status encdec_s2s_score(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                             double *nll, int64_t *n_tokens);
void encdec_s2s_defaults(const attn_model *m, attn_seq2seq_params *p);
attn_status encdec_s2s_begin(attn_model *m, const int32_t *src, int64_t B, int64_t S, int64_t per_source, int64_t max_steps,
                             void **state);
attn_status encdec_s2s_step(void *state, const int32_t *tokens, float *logits);
attn_status encdec_s2s_reorder(void *state, const int32_t *from);
void encdec_s2s_end(void *state);
attn_status encdec_s2s_keep(void *state, const int32_t *sources, int64_t n);
extern const json_field ENCDEC_CONFIG_KEYS[];
attn_status encdec_save(const attn_model *m, const char *dir);

/* ---- the parameter table, any kind (models/params.c) ---- */
struct st_file;
struct st_tensor;
/* Allocates the zeroed weight block of n_floats for m->params (offsets set)
 * and points m->ptensors into it. After model_params_expect(f, ...) on this
 * thread it first checks the table against checkpoint f (ATTN_ERR_FORMAT
 * naming path): every parameter f holds (by name, or without prefix) has
 * the shape the config implies, and f holds at least as many values as the
 * matrices it lacks by name need. A config that claims 100 layers of width
 * 1024 over a tiny file then fails before gigabytes are allocated. */
attn_status model_params_finish(attn_model *m, int64_t n_floats);
/* Sets the checkpoint the next model_params_finish on this thread checks
 * against (NULL: none). A loader sets it around its model's allocation and
 * clears it after, whether the allocation ran or failed earlier. */
void model_params_expect(const struct st_file *f, const char *path, const char *prefix);
/* A view of consecutive parameter tensors starting at first as one (rows,
 * cols) tensor (cols 1: a vector), e.g. q, k and v as one projection. */
tensor param_fused(const tensor *first, int64_t rows, int64_t cols);
/* Names, shapes and places every parameter of table t present in layout
 * and allocates the zeroed weight block (model_params_finish: checked
 * against an expected checkpoint first). m->table = t. */
attn_status params_build(attn_model *m, const param_table *t, const param_layout *layout);
/* The parameters a table instance holds (buffers not counted) and, of them,
 * the token and position embeddings', without building it. */
void params_count(const param_table *t, const param_layout *layout, int64_t *total, int64_t *embedding);
/* Points each parameter's view at its tensor (the view of a row in group
 * g, layer l, lives at base[g] + l * stride[g] + row.field), then sets the
 * table's fused views. */
void params_sync(attn_model *m, void *const base[3], const size_t stride[3]);
/* The initialisation every family shares, from its table's roles: biases
 * 0, norm weights 1, every other tensor normal(0, std) (k-th parameter,
 * i-th value: rng_normal(seed, k, i)); attention and FFN output
 * projections normal(0, std / sqrt(2 resid_layers)) when resid_layers > 0
 * (GPT-2). */
void params_init(attn_model *m, uint64_t seed, float std, int64_t resid_layers);
/* Reads every parameter from checkpoint f (at path) by the table: a
 * tensor that is neither a parameter nor ignorable is an error naming
 * `what` ("a GPT-2 with 2 layers"); names may lack the table's
 * strip_prefix; PF_TRANSPOSE tensors are transposed, PF_HEADS3 ones
 * permuted from (H, 3, D) rows to (3, H, D); a missing
 * PF_OPTIONAL one stays zero; a missing token embedding may come from an
 * alias. Non-finite weights are an error. */
attn_status params_read(attn_model *m, const struct st_file *f, const char *path, const char *what);
/* The loading every family shares: opens src's weights, allocates the
 * model with alloc(cfg) (whose shapes are checked against the file before
 * the weight block is allocated), and reads every parameter (params_read;
 * `what` names the model in errors, strip is the table's optional name
 * prefix). */
attn_status params_load(const model_source *src, attn_status (*alloc)(const void *cfg, attn_model **out), const void *cfg,
                        const char *strip, const char *what, attn_model **out);
/* Writes a Hugging Face directory for m from its registry row: config.json
 * holds "architectures": [hf_class], "model_type", the row's keys read from
 * cfg (the family's configuration struct) and its fixed values; then every
 * parameter (params_save_dir). */
attn_status params_save_hf(const attn_model *m, const char *dir, const void *cfg);
/* A PF_HEADS3 parameter p (p->heads3 > 0) between attn's rows (3, H, D) and
 * the checkpoint's (H, 3, D): to_file, attn's src into the checkpoint's
 * dst, else the reverse; each row holds shape[1] floats (1 for a bias). */
void params_heads3(float *dst, const float *src, const param_info *p, bool to_file);
/* Writes dir/model.safetensors (every parameter, F32, in the checkpoint's
 * layout) and dir/config.json = config_json, each atomically. */
attn_status params_save_dir(const attn_model *m, const char *dir, const char *config_json);
/* Fills p's shape (ndim 1 when s1 == 0), numel, decay, table row and layer,
 * places it at *offset and advances *offset past it: packed right after, or
 * to the next 64-byte boundary. */
void param_info_place(param_info *p, int64_t s0, int64_t s1, bool decay, bool pack, int spec, int layer, int64_t *offset);
/* Reads checkpoint tensor t (NULL: "missing tensor" for p) into parameter k,
 * after checking its shape; ATTN_ERR_FORMAT naming path otherwise. */
attn_status model_read_param(attn_model *m, int k, const struct st_tensor *t, const char *path);
/* ATTN_ERR_INVALID_ARG unless heads split width evenly, 512 wide at most. */
attn_status model_check_heads(int64_t width, int64_t heads);
/* ATTN_ERR_FORMAT naming path if a weight is NaN or infinite. */
attn_status model_check_finite(const attn_model *m, const char *path);
/* Non-finite outputs (huge but finite weights overflow, e.g. every weight
 * 3e38): model_check_output is the cheap check of a model's output (n
 * floats: logits, hidden states, a loss); only when it fails does
 * model_nonfinite_error run the diagnostic pass, rerun (the same forward,
 * given m, a graph of its own and ctx) with every op recorded, and return
 * ATTN_ERR_FORMAT naming the first op whose output is not finite, its
 * layer and the weight it read or followed ("what" names the output when
 * no op is found). The pass marks the parameters as requiring gradients
 * while it runs: the one moment a model is written to after loading. */
typedef tensor *(*model_rerun_fn)(attn_model *m, graph *g, void *ctx);
bool model_all_finite(const float *x, int64_t n);
attn_status model_check_output(attn_model *m, const float *x, int64_t n, const char *what, model_rerun_fn rerun,
                               void *ctx);
attn_status model_nonfinite_error(attn_model *m, const char *what, model_rerun_fn rerun, void *ctx);
/* Whether name, or prefix + name, is one of m's parameters. */
bool model_has_param(const attn_model *m, const char *name, const char *prefix);
/* The tensor called name in f, else the one called name without a leading prefix. */
const struct st_tensor *model_find_tensor(const struct st_file *f, const char *name, const char *prefix);
/* ---- precision (models/precision.c) ---- */
/* Re-points the named views of any kind at ptensors (gpt.c). */
void model_sync_views(attn_model *m);
/* Whether parameter p gets a bf16 copy in bf16 precision: every matrix
 * (linear weights, the tied embedding that is also the output projection). */
static inline bool model_param_bf16(const param_info *p) { return p->ndim == 2; }
/* Rounds the fp32 master weights into weights_bf16 (no-op in fp32). */
void model_refresh_bf16(attn_model *m);
/* The error for a model whose fp32 matrices were released, asked to be
 * `what` ("saved", "trained", ...). */
attn_status model_released_error(const char *what);

/* A cache for B sequences of up to max_len positions each (0: the model's
 * n_ctx), every one empty. */
attn_status kv_cache_new(const attn_model *m, int64_t B, int64_t max_len, kv_cache **out);
/* Room for need positions per sequence (need <= max_len): the buffers are
 * reallocated (at least doubling, at most max_len) with every row's
 * positions kept, so a short request never holds the model's whole context. */
attn_status kv_cache_reserve(const attn_model *m, kv_cache *c, int64_t need);
void kv_cache_free(const attn_model *m, kv_cache *c);
/* Row i of every layer's buffer becomes row from[i]: its positions
 * [0, lens[from[i]]) (lens NULL: [0, len) for every row); from holds B
 * valid row indices. */
attn_status kv_cache_reorder(const attn_model *m, kv_cache *c, const int32_t *from, const int64_t *lens);
/* Sequence dst's positions [0, n) become src's (every layer). */
void kv_cache_copy(const attn_model *m, kv_cache *c, int64_t dst, int64_t src, int64_t n);

/* ---- RNNsearch / RNNencdec (models/rnn.c, rnn_io.c; include/attn/rnn.h) ----
 * Sources src (B, S) and targets (B, T) are padded with the config's
 * pad_token_id at the end of each row. tgt_in is the decoder's input
 * (bos_token_id, y_1, ..., y_n, pad...), tgt_out the tokens to predict
 * (y_1, ..., y_n, eos, pad...); pad positions of tgt_out are not counted. */
void rnn_free(struct rnn_model *r);
/* Records the forward pass and returns the mean cross-entropy per real
 * target token. */
tensor *rnn_loss(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt_in,
                 const int32_t *tgt_out, int64_t B, int64_t T);
/* Logits (B, T, Vt) of the teacher-forced decoder; attn (B, T, S), when not
 * NULL, receives the attention weights (zeros for RNNencdec). Recorded for
 * backward when g records. */
tensor *rnn_forward(attn_model *m, graph *g, const int32_t *src, int64_t S, const int32_t *tgt_in, int64_t B,
                    int64_t T, float *attn);
/* Allocates a zeroed model of cfg's sizes (rnn.c). */
attn_status rnn_alloc(const attn_rnn_config *cfg, attn_model **out);
/* Loads / writes a directory with model_type "rnnsearch" or "rnnencdec" (rnn_io.c). */
attn_status rnn_load(const model_source *src, attn_model **out);
/* The family's translation functions (model_family.s2s_*; models/rnn.c). */
attn_status rnn_s2s_score(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                          double *nll, int64_t *n_tokens);
void rnn_s2s_defaults(const attn_model *m, attn_seq2seq_params *p);
attn_status rnn_s2s_begin(attn_model *m, const int32_t *src, int64_t B, int64_t S, int64_t per_source, int64_t max_steps,
                          void **state);
attn_status rnn_s2s_step(void *state, const int32_t *tokens, float *logits);
attn_status rnn_s2s_reorder(void *state, const int32_t *from);
attn_status rnn_s2s_keep(void *state, const int32_t *sources, int64_t n);
void rnn_s2s_end(void *state);
extern const json_field RNN_CONFIG_KEYS[];
attn_status rnn_save(const attn_model *m, const char *dir);

/* ---- the architecture registry (models/registry.c) ------------------------
 * One row per config.json model_type names the family that builds it, the
 * transformers class it matches and the config.json keys it reads; a
 * family's functions do the rest. attn_model_load (models/model.c) parses
 * config.json once, finds the row and hands both to the family's load. */
struct model_arch;

/* What a family's load gets: the directory, its files, the parsed config.json. */
struct model_source {
    const char *dir, *config_path, *weights_path;
    const cJSON *config;
    const struct model_arch *arch;
};

typedef struct model_family {
    const char *what;         /* "a GPT-2 model", for messages */
    attn_status (*load)(const model_source *src, attn_model **out);
    attn_status (*save)(const attn_model *m, const char *dir);
    void (*sync_views)(attn_model *m);   /* re-points named views at ptensors; NULL: none */
    /* model_batch_loss (NULL: the next-token loss of forward),
     * model_classify (NULL: no classifier), model_forward
     * (NULL: the family does not decode left to right; no_forward says
     * what to use instead) */
    tensor *(*batch_loss)(attn_model *m, graph *g, const struct model_batch *b);
    tensor *(*classify)(attn_model *m, graph *g, const struct model_batch *b);
    tensor *(*forward)(attn_model *m, graph *g, const int32_t *ids, int64_t B, int64_t T, kv_cache *cache,
                       bool last_only);
    const char *no_forward;
    /* A new model of the family from a decoder's sizes (attn_model_new_arch); NULL: none. */
    attn_status (*create)(const attn_gpt_config *cfg, uint64_t seed, attn_model **out);
    /* Translation families (NULL in the others): attn_seq2seq_score, the
     * decoding defaults (from generation_config.json or the config), and a
     * decoding state for N = B * per_source hypotheses over B sources, all
     * starting empty, which greedy and beam search (generate/seq2seq.c)
     * step and reorder. */
    attn_status (*s2s_score)(attn_model *m, const int32_t *src, int64_t S, const int32_t *tgt, int64_t T, int64_t B,
                             double *nll, int64_t *n_tokens);
    void (*s2s_defaults)(const attn_model *m, attn_seq2seq_params *p);
    attn_status (*s2s_begin)(attn_model *m, const int32_t *src, int64_t B, int64_t S, int64_t per_source,
                             int64_t max_steps, void **state);
    attn_status (*s2s_step)(void *state, const int32_t *tokens, float *logits);
    attn_status (*s2s_reorder)(void *state, const int32_t *from);
    void (*s2s_end)(void *state);
    /* Optional: the state continues with the n sources sources[0..n)
     * only (strictly increasing indices of the current ones; each keeps its
     * per_source hypotheses, in order), so that a search steps no rows
     * whose outputs are final. */
    attn_status (*s2s_keep)(void *state, const int32_t *sources, int64_t n);
} model_family;

struct attn_ctx;
/* The context (made by attn_ctx_encode) continues with sources[0..n) only
 * (model_family.s2s_keep): n * per_source sequences. ATTN_ERR_UNSUPPORTED,
 * with no message and nothing changed, where the family cannot. */
attn_status ctx_keep_sources(struct attn_ctx *c, const int32_t *sources, int64_t n);

/* Scoring targets (B, T; -1 = padding) given sources, for every
 * translation family: s2s_score_inputs checks the targets against the
 * vocabulary V, writes the teacher-forced decoder inputs in (start, then
 * the previous target, pad for padding), zeroes nll and counts each row's
 * tokens (an empty row is an error); s2s_score_add adds each row's
 * negative log-likelihood of its targets under logits (B, T, V) (model.c). */
attn_status s2s_score_inputs(const int32_t *tgt, int64_t B, int64_t T, int64_t V, int32_t start, int32_t pad, int32_t *in,
                             double *nll, int64_t *n_tokens);
void s2s_score_add(const float *logits, const int32_t *tgt, int64_t B, int64_t T, int64_t V, double *nll);

/* The training objectives an architecture takes (model_arch.trains). */
enum {
    TRAINS_CLM = 1,           /* next-token prediction on token shards */
    TRAINS_MLM = 2,           /* masked-LM (and next-sentence) pretraining */
    TRAINS_CLASSIFY = 4,      /* a classifier head on labelled examples */
    TRAINS_PAIRS = 8,         /* sequence-to-sequence on pair shards */
    TRAINS_DENOISE = 16,      /* BART's denoising pretraining on token shards */
};

typedef struct model_arch {
    const char *model_type;   /* config.json "model_type" */
    const char *hf_class;     /* the transformers class attn matches */
    model_kind kind;          /* the family: model_families[kind] */
    const json_field *keys;   /* the config.json keys the family reads (json_read_fields) */
    const char *what;         /* "a BART encoder-decoder", for messages */
    unsigned trains;          /* TRAINS_* */
    /* config.json values the family supports only as given (a JSON object,
     * or NULL): loading refuses a config that holds another value for one
     * of these keys, saving writes them (registry_read_keys, params_save_hf). */
    const char *fixed;
} model_arch;

extern const model_family model_families[]; /* by model_kind (model.c) */
/* The row for model_type, or NULL. */
const model_arch *registry_find(const char *model_type);
/* The row config.json (at path) names; a missing model_type is "gpt2".
 * ATTN_ERR_UNSUPPORTED naming the type and listing the supported ones. */
attn_status registry_lookup(const cJSON *config, const char *path, const model_arch **out);
/* A config's keys into the family's configuration struct cfg
 * (json_read_fields), after checking the row's fixed values. */
attn_status registry_read_keys(const model_source *src, void *cfg);

#endif
