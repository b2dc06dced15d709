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
    float *m, *v;             /* AdamW moments, same layout as the weights */
    int64_t step;             /* optimizer steps done */
    uint64_t dropout_seed;    /* base seed for dropout masks */
    graph g;
    /* The loss of a micro-batch, recorded on g (a scalar): the objective's
     * (train_objective.loss, called with loss_ctx); NULL: the model's loss
     * for the batch (model_batch_loss). */
    tensor *(*loss)(void *ctx, attn_model *m, graph *g, const model_batch *b);
    void *loss_ctx;
};

/* One optimizer step over n_micro micro-batches of any objective (see
 * model_batch); attn_trainer_step is this for next-token / masked-LM rows. */
attn_status trainer_step_batches(attn_trainer *tr, const model_batch *mb, int64_t n_micro, float *loss, float *gnorm);
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
    void (*step_stats)(void *ctx, attn_train_progress *pr); /* NULL: none */
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
