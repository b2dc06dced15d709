/* model_impl.h — what the trainer and generator see of a model: a flat
 * parameter table over one weight block (and one gradient block), a loss
 * function recorded on a graph, and a cached forward for decoding. */
#ifndef ATTN_MODEL_IMPL_H
#define ATTN_MODEL_IMPL_H

#include "attn/model.h"
#include "ops/graph.h"

typedef struct param_info {
    char name[96];            /* checkpoint (Hugging Face) name */
    int ndim;
    int64_t shape[2];         /* attn layout: linear weights are (out, in) */
    int64_t offset, numel;    /* into the weight/gradient blocks */
    bool decay;               /* AdamW weight decay applies (linear weights) */
    bool transpose;           /* stored transposed in the checkpoint (HF Conv1D) */
    int spec, layer;          /* the model's own table row and layer (-1: global) */
} param_info;

typedef struct gpt_layer {
    tensor ln1_w, ln1_b, qkv_w, qkv_b, proj_w, proj_b, ln2_w, ln2_b, fc_w, fc_b, fc2_w, fc2_b;
} gpt_layer;

/* Key/value cache for decoding: per layer (B, n_ctx, 2C), keys then values. */
typedef struct kv_cache {
    int64_t B, len;           /* positions filled */
    float **kv;               /* n_layer buffers */
} kv_cache;

/* Model kinds. GPT's fields live in attn_model itself; other kinds keep
 * their views and configuration behind their own pointer, and the
 * functions below (defined in gpt.c) dispatch on `kind`:
 *   model_loss       GPT: next-token loss; BERT: masked-LM loss (bert.c)
 *   model_forward    GPT only (decoding); an encoder sets g->status
 *   model_enable_grads, attn_model_free: per-kind views and state.
 * Everything the trainer touches — params, ptensors, weights, grads, and
 * cfg.dropout / cfg.vocab_size / cfg.n_ctx — is common to all kinds. */
typedef enum model_kind { MODEL_GPT = 0, MODEL_BERT, MODEL_ENCDEC } model_kind;

struct bert_model;            /* models/bert.c */
struct encdec_model;          /* models/encdec.c */

struct attn_model {
    attn_gpt_config cfg;      /* GPT: the config; BERT: the shared fields
                                 (n_layer, n_head, n_embd, n_ctx = positions,
                                 vocab_size, n_inner, layer_norm_eps, dropout) */
    model_kind kind;
    struct bert_model *bert;  /* kind == MODEL_BERT */
    param_info *params;
    tensor *ptensors;         /* one per param, views into the blocks */
    int n_params_tensors;
    int64_t n_weights;        /* total floats */
    float *weights;
    float *grads;             /* NULL until model_enable_grads */
    tensor wte, wpe, lnf_w, lnf_b;
    gpt_layer *layers;
    graph g;                  /* inference graph (logits, score, decode) */
    struct encdec_model *encdec; /* kind == MODEL_ENCDEC */
};

attn_status model_enable_grads(attn_model *m);
void model_zero_grads(attn_model *m);

/* Records the forward pass on g and returns the mean next-token loss of
 * inputs (B, T) against targets (B, T) (ignore index -1). */
tensor *model_loss(attn_model *m, graph *g, const int32_t *inputs, const int32_t *targets, int64_t B, int64_t T);

/* Forward of ids (B, T) at positions cache->len ... cache->len + T - 1,
 * appending their keys/values to the cache (which may be NULL: positions
 * from 0, no cache). Returns logits (B, T, V), or (B, 1, V) for the last
 * position only when last_only. Not recorded for backward. */
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
/* Loads an encoder directory (config.json model_type "bert"/"roberta"). */
attn_status bert_load(const char *dir, attn_model **out);
/* Writes config.json + model.safetensors in transformers' layout (bert_io.c). */
attn_status bert_save(const attn_model *m, const char *dir);
/* Whether config.json at path names an encoder model_type (no error recorded). */
bool bert_config_is_encoder(const char *config_path);

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
/* *yes: whether config.json at path names model_type "bart" or "marian".
 * Fails only when memory runs out (an unreadable file gives *yes = false). */
attn_status encdec_config_is_seq2seq(const char *config_path, bool *yes);
attn_status encdec_load(const char *dir, attn_model **out);
attn_status encdec_save(const attn_model *m, const char *dir);

/* ---- the parameter table, any kind (models/params.c) ---- */
struct st_file;
struct st_tensor;
/* Allocates the zeroed weight block of n_floats for m->params (offsets set)
 * and points m->ptensors into it. */
attn_status model_params_finish(attn_model *m, int64_t n_floats);
/* A view of consecutive parameter tensors starting at first as one (rows,
 * cols) tensor (cols 1: a vector), e.g. q, k and v as one projection. */
tensor param_fused(const tensor *first, int64_t rows, int64_t cols);
/* Fills p's shape (ndim 1 when s1 == 0), numel, decay, table row and layer,
 * places it at *offset and advances *offset past it: packed right after, or
 * to the next 64-byte boundary. */
void param_info_place(param_info *p, int64_t s0, int64_t s1, bool decay, bool pack, int spec, int layer, int64_t *offset);
/* Reads checkpoint tensor t (NULL: "missing tensor" for p) into parameter k,
 * after checking its shape; ATTN_ERR_FORMAT naming path otherwise. */
attn_status model_read_param(attn_model *m, int k, const struct st_tensor *t, const char *path);
/* ATTN_ERR_FORMAT naming path if a weight is NaN or infinite. */
attn_status model_check_finite(const attn_model *m, const char *path);
/* Whether name, or prefix + name, is one of m's parameters. */
bool model_has_param(const attn_model *m, const char *name, const char *prefix);
/* The tensor called name in f, else the one called name without a leading prefix. */
const struct st_tensor *model_find_tensor(const struct st_file *f, const char *name, const char *prefix);
/* Writes dir/model.safetensors (every parameter, F32, as stored) and
 * dir/config.json = config_json, each atomically. */
attn_status model_save_untransposed(const attn_model *m, const char *dir, const char *config_json);

attn_status kv_cache_new(const attn_model *m, int64_t B, kv_cache **out);
void kv_cache_free(const attn_model *m, kv_cache *c);

#endif
