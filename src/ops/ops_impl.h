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

#endif
