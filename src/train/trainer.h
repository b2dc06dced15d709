/* trainer.h — internal view of the trainer, shared by trainer.c and loop.c. */
#ifndef ATTN_TRAINER_H
#define ATTN_TRAINER_H

#include "attn/seq2seq.h"
#include "attn/train.h"
#include "models/model_impl.h"
#include "train/settings.h"

struct attn_trainer {
    attn_model *model;
    attn_optim_params p;
    float *m, *v;             /* AdamW moments of weights [lo, hi): m[i - lo] is weight i's */
    int64_t lo, hi;           /* the weights whose moments this process holds: all, or its ZeRO-1 shard */
    bool zero;                /* ZeRO-1 (trainer_shard_moments): the moments split over the processes */
    int *counts, *displs;     /* ZeRO-1: every rank's shard of the weights (floats), for the collectives */
    double *block_sums;       /* ZeRO-1: the gradient norm's sums of squares per block (grad_norm) */
    int64_t n_blocks;
    float *shard_buf;         /* ZeRO-1: room for this rank's shard of the gradients (the reduce-scatter's) */
    int64_t norm_block;       /* floats per block of the gradient norm's sums (trainer.c) */
    float *full_m, *full_v;   /* ZeRO-1, rank 0, while a checkpoint is written: the gathered moments, in
                                 the gradients' memory and acc's (or full_v_owned's) */
    float *full_v_owned;
    float *acc;               /* --deterministic-reduce: the running gradient sum (allocated on first use) */
    float *muon_work;         /* Muon: Newton-Schulz's room (muon_work_floats of the largest matrix) */
    /* The gradients' sum over processes overlapped with the last micro-batch's
     * backward (trainer_step_dist; neither deterministic nor ZeRO-1): the
     * gradient block in buckets of whole parameters of about bucket_floats
     * floats (0: one sum after the backward), each started once the
     * backward has gone past every entry that writes its gradients. */
    int64_t bucket_floats;
    int64_t n_buckets;
    int64_t *bucket_lo;       /* n_buckets + 1: bucket b is floats [bucket_lo[b], bucket_lo[b + 1]) */
    int64_t *bucket_ready;    /* the tape entry after whose backward bucket b is final */
    int64_t next_bucket;      /* during that backward: the next bucket to start (they go from the last down; -1: all started) */
    int64_t step;             /* optimizer steps done */
    int64_t micro_per_step;   /* the run's global micro-batches per step (all processes; 0: not a train_run) */
    uint64_t dropout_seed;    /* base seed for dropout masks */
    graph g;
    /* The loss of a micro-batch, recorded on g (a scalar): the objective's
     * (train_objective.loss, called with loss_ctx); NULL: the model's loss
     * for the batch (model_batch_loss). */
    tensor *(*loss)(void *ctx, attn_model *m, graph *g, const model_batch *b);
    void *loss_ctx;
};

/* ---- Muon (muon.c) ---- */
/* Whether Muon updates the parameter (a weight matrix inside the blocks). */
static inline bool muon_param(const param_info *p) { return p->ndim == 2 && p->layer >= 0 && p->decay; }
/* Floats of work muon_orthogonalize / muon_update need for a (r, c) matrix. */
int64_t muon_work_floats(int64_t r, int64_t c);
/* out (r, c) = five quintic Newton-Schulz steps from g / ||g||_F towards
 * the orthogonal factor of g (on the transpose when r > c), with the
 * kernels' products. */
void muon_orthogonalize(const kernels *k, const float *g, int64_t r, int64_t c, float *out, float *work);
/* One Muon step of the (r, c) matrix w with momentum mom and gradient
 * grad x grad_scale (attn_optim_params says how). */
void muon_update(const kernels *k, float *w, float *mom, const float *grad, int64_t r, int64_t c, float lr, float mu,
                 float wd, float grad_scale, float *work);

/* One optimizer step over n_micro micro-batches of any objective (see
 * model_batch); attn_trainer_step is this for next-token / masked-LM rows. */
attn_status trainer_step_batches(attn_trainer *tr, const model_batch *mb, int64_t n_micro, float *loss, float *gnorm);
/* One optimizer step of a data-parallel run (dist.h): this process's
 * n_local micro-batches mb are micro-batches first .. first + n_local - 1
 * of the step's n_total over all processes, rank r holding the r-th equal
 * slice. The gradients are summed over all n_total micro-batches and
 * scaled by 1 / n_total as trainer_step_batches does for one process, and
 * the loss is their mean, on every rank. deterministic: each micro-batch's
 * gradient is computed alone (into zeroed gradients) and added to a running
 * sum in global micro-batch order, the ranks passing the sum on in rank
 * order (the last one broadcasts it), so the sum is the same float
 * additions whatever the number of processes: W processes of A micro-
 * batches give the parameters of one process of W x A, bit for bit.
 * Otherwise each rank accumulates its micro-batches into the gradients as
 * one process does and MPI_Allreduce sums the ranks (the same at a fixed
 * W, run after run). With one process and !deterministic this is
 * trainer_step_batches. */
attn_status trainer_step_dist(attn_trainer *tr, const model_batch *mb, int64_t n_local, int64_t first, int64_t n_total,
                              bool deterministic, float *loss, float *gnorm);
/* ZeRO-1 (before the first step or resume): each of the dist_size()
 * processes keeps the AdamW moments of one contiguous shard of the weights
 * (tr->lo..hi, about 1/W of them, cut only between blocks of the gradient
 * norm, so the norm is the same sums in the same order), which is all its
 * optimizer updates: the step's gradients are reduce-scattered to the
 * shards' owners (or, deterministic, the ordered sum is scattered from the
 * last rank), each rank updates its shard and the weights are all-gathered.
 * The parameters are bit for bit those of the unsharded optimizer. Fresh
 * moments only (zeros); a resume loads its shard (loop.c). */
attn_status trainer_shard_moments(attn_trainer *tr);
/* ZeRO-1, a collective of all ranks: rank 0's tr->full_m / full_v become
 * the whole moments (for a checkpoint; they overwrite the gradients, free
 * between steps), until trainer_drop_full_moments.
 * Without ZeRO it does nothing (tr->m and tr->v are whole). */
attn_status trainer_gather_moments(attn_trainer *tr);
void trainer_drop_full_moments(attn_trainer *tr);
/* The batch's loss without gradients. */
attn_status trainer_eval_batch(attn_trainer *tr, const model_batch *b, float *loss);

/* Shared by the loops (loop.c, finetune.c): the settings JSON a resume
 * must match (settings.c's table; cJSON_free it), the trainer state file,
 * the whole checkpoint (model and tokenizer, then the state), and the log
 * trimmed to `step`. */
struct attn_tokenizer;
char *train_settings_json(const attn_train_params *p, int64_t T);
/* A new transformer's width (model.n_embd) must be a positive multiple of
 * its heads (model.n_head): the error says so in those words. */
attn_status train_check_new_width(const attn_train_params *p);
/* seq2seq_loop.c's: the settings of pair training. */
char *train_s2s_settings_json(const attn_train_params *p, int64_t batch_tokens);
/* Loads the trainer state at path after checking its settings against the
 * run's `settings` (JSON); *effective (attn_free it) is what the run's later
 * checkpoints record (the saved max_steps: the schedule keeps its length). */
attn_status train_load_state(attn_trainer *tr, const char *path, const attn_train_params *p, const char *settings,
                             char **effective);
/* The settings JSON saved in a trainer state file into *out (attn_free it;
 * NULL when it has none). */
attn_status train_state_settings(const char *path, char **out);
attn_status train_checkpoint(const attn_trainer *tr, const attn_train_params *p, const struct attn_tokenizer *tok,
                             const char *state_path, const char *settings);
attn_status train_trim_log(const char *path, int64_t step);
/* The model a run starts from: with --resume OUT's (which must hold
 * trainer_state.safetensors), else --init's; *out stays NULL when the run
 * makes a new model. */
attn_status train_load_start(const attn_train_params *p, attn_model **out);
/* What a loaded model is, for messages: "a GPT-2 model", "a BERT-family
 * encoder", "a BART encoder-decoder", "a Marian Transformer (translation)",
 * "an RNN translation model". */
const char *train_model_kind(const attn_model *m);
/* Refuses a model (from --init or --resume) whose architecture does not
 * take the objective (a TRAINS_* bit of its registry row); the error says
 * "NAME trains NEED; DIR is WHAT". */
attn_status train_check_kind(const attn_train_params *p, const attn_model *m, unsigned objective, const char *name,
                             const char *need);
/* The token shards of p->data_dir: train.bin, and val.bin when present
 * (*val NULL otherwise). Then, once the window length is known, a check
 * that train holds at least `need` tokens for `what` of T tokens (the
 * error names the file); a validation shard shorter than that is closed
 * and *val set to NULL (training runs without validation). */
struct attn_shard;
attn_status train_open_shards(const attn_train_params *p, struct attn_shard **train, struct attn_shard **val);
attn_status train_shards_fit(const attn_train_params *p, const struct attn_shard *train, struct attn_shard **val, int64_t T,
                             int64_t need, const char *what);

/* What a training loop supplies to train_run: n_micro micro-batches per
 * step (batches fills mbs for a 0-based step and counts its tokens for
 * the progress line) and, unless NULL, an evaluation that fills pr's
 * validation fields (every p->eval_every steps and after the last). */
typedef struct train_driver {
    void *ctx;
    int64_t n_micro;
    model_batch *mbs;
    attn_status (*batches)(void *ctx, int64_t step, model_batch *mbs, double *tokens);
    attn_status (*evaluate)(void *ctx, attn_trainer *tr, attn_train_progress *pr);
    double flops_per_token, tokens_per_step;  /* > 0: logged, with the FLOPs done ("flops") */
    void (*step_stats)(void *ctx, attn_train_progress *pr); /* NULL: none */
    attn_status (*save)(void *ctx, const char *out_dir, int64_t step); /* NULL: none (train_objective_ops.save) */
} train_driver;

/* The loop every objective shares (loop.c): loads the trainer state when
 * p->resume (checking settings) or creates p->out_dir, sets p->precision,
 * then runs steps up to p->stop_at / max_steps (or until p->should_stop
 * says so after a step), writing OUT/train_log.jsonl, checkpoints (model,
 * tok, then the state) and the callback. */
attn_status train_run(attn_trainer *tr, const attn_train_params *p, const train_driver *d, const struct attn_tokenizer *tok,
                      const train_settings *settings);

/* Whether data_dir holds pair shards (train.pairs) (seq2seq_loop.c). */
bool train_data_is_pairs(const char *data_dir);

/* A new encoder-decoder of `arch` sized by p->model (layers per side, heads,
 * width, FFN or 4 x width, positions n_ctx, dropout) with these special
 * ids, initialised from p->seed (seq2seq_loop.c). */
attn_status train_new_encdec(const attn_train_params *p, attn_encdec_arch arch, int64_t vocab_size, int32_t pad, int32_t bos,
                             int32_t eos, int32_t decoder_start, attn_model **out);

/* The token arrays of one sequence-to-sequence micro-batch. */
typedef struct s2s_rows {
    int32_t *src, *tgt_in, *tgt_out;
} s2s_rows;

/* n row sets with src_n source and tgt_n target ints each (zeroed array of
 * sets; NULL when out of memory, nothing left allocated), and their free
 * (NULL-safe) (seq2seq_loop.c). */
s2s_rows *s2s_rows_new(int64_t n, int64_t src_n, int64_t tgt_n);
void s2s_rows_free(s2s_rows *rows, int64_t n);

#endif
