/* ops_impl.h — what graph.c and ops.c share: recording and the backward table. */
#ifndef ATTN_OPS_IMPL_H
#define ATTN_OPS_IMPL_H

#include "ops/graph.h"

/* Appends a tape entry for `out` when recording (NULL otherwise or on OOM;
 * check g->status). */
tape_entry *graph_record(graph *g, op_kind op, tensor *out);
/* The gradient buffer of t, allocated zeroed from the arena on first use. */
float *graph_grad(graph *g, tensor *t);

typedef void (*op_backward_fn)(graph *g, tape_entry *e);
extern const op_backward_fn OP_BACKWARD[OP_COUNT];

/* Backward functions of the recurrent ops (ops_rnn.c). */
void op_gru_backward(graph *g, tape_entry *e);
void op_gru_cell_backward(graph *g, tape_entry *e);
void op_additive_attention_backward(graph *g, tape_entry *e);
void op_weighted_sum_backward(graph *g, tape_entry *e);
void op_concat_backward(graph *g, tape_entry *e);
void op_stack_backward(graph *g, tape_entry *e);
void op_maxout_backward(graph *g, tape_entry *e);
/* Backward functions of the Llama-style ops (ops_llama.c). */
void op_rmsnorm_backward(graph *g, tape_entry *e);
void op_rope_backward(graph *g, tape_entry *e);
void op_qk_norm_backward(graph *g, tape_entry *e);
void op_swiglu_backward(graph *g, tape_entry *e);
void op_geglu_backward(graph *g, tape_entry *e);
/* Backward functions of the preference-learning ops (ops_align.c). */
void op_seq_logprob_backward(graph *g, tape_entry *e);
void op_dpo_backward(graph *g, tape_entry *e);
void op_dot_const_backward(graph *g, tape_entry *e);
void op_token_kl_backward(graph *g, tape_entry *e);
/* Activation checkpointing's backward (graph.c): the segment run again. */
void checkpoint_backward(graph *g, tape_entry *e);
void op_ppo_policy_backward(graph *g, tape_entry *e);
void op_ppo_value_backward(graph *g, tape_entry *e);

#endif
