/* trainer.h — internal view of the trainer, shared by trainer.c and loop.c. */
#ifndef ATTN_TRAINER_H
#define ATTN_TRAINER_H

#include "attn/train.h"
#include "models/model_impl.h"

struct attn_trainer {
    attn_model *model;
    attn_optim_params p;
    float *m, *v;             /* AdamW moments, same layout as the weights */
    int64_t step;             /* optimizer steps done */
    uint64_t dropout_seed;    /* base seed for dropout masks */
    graph g;
};

/* One optimizer step over n_micro micro-batches of any objective (see
 * model_batch); attn_trainer_step is this for next-token / masked-LM rows. */
attn_status trainer_step_batches(attn_trainer *tr, const model_batch *mb, int64_t n_micro, float *loss, float *gnorm);

#endif
