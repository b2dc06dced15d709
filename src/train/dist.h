/* dist.h — the one module that speaks MPI (dist.c; include/attn/dist.h is
 * its public half). Everything a data-parallel run needs: rank, size,
 * broadcast, sums, point-to-point blocks and the testing hook of a rank
 * that fails mid-step. Without MPI (a build without it, or a process no
 * launcher started) the run has one process: the collectives return at
 * once and leave their buffers as they are. Every call is a collective of
 * all ranks unless said otherwise; counts may exceed INT_MAX (sent in
 * pieces). Errors are ATTN_ERR_IO with MPI's message. */
#ifndef ATTN_TRAIN_DIST_H
#define ATTN_TRAIN_DIST_H

#include "attn/dist.h"

#include <stddef.h>
#include <stdint.h>

static inline int dist_rank(void) { return attn_dist_rank(); }
static inline int dist_size(void) { return attn_dist_size(); }
/* Seconds this process has spent inside MPI calls so far (communication,
 * and the waits for slower ranks it holds); 0 without MPI. */
double dist_comm_seconds(void);

/* bytes of buf from rank root to every rank. */
attn_status dist_bcast(void *buf, size_t bytes, int root);
/* In place on every rank: the element-wise sum over ranks (MPI_Allreduce:
 * the same order at a fixed number of ranks, not across numbers). */
attn_status dist_sum_f32(float *buf, int64_t n);
attn_status dist_sum_f64(double *buf, int n);
/* dist_sum_f32 without waiting (MPI_Iallreduce): buf's sum is in buf once
 * dist_wait has returned, and neither buf nor its floats may be touched
 * before. The ranks start their sums in the same order. dist_progress lets
 * MPI move the started sums along (MPI progresses inside its calls) and
 * returns at once; dist_wait waits for all of them. */
attn_status dist_isum_f32(float *buf, int64_t n);
attn_status dist_progress(void);
attn_status dist_wait(void);
/* In place on every rank: the element-wise maximum over ranks. */
attn_status dist_max_i64(int64_t *buf, int n);
/* ZeRO's collectives over a vector split into the ranks' contiguous parts:
 * rank r's part is counts[r] floats at displs[r] (displs the running sum of
 * counts, the same arrays on every rank).
 * reduce_scatter: buf (all parts, on every rank) summed over ranks, of
 * which each rank keeps its own part in place (MPI_Reduce_scatter through
 * `scratch`, room for this rank's part; the rest of buf is left as it is). allgather: every rank's own part of buf to
 * every rank, in place (MPI_Allgatherv). scatter: rank r's part of root's
 * src into r's dst (MPI_Scatterv; src is read on root only). gather: every
 * rank's part, counts[r] floats at src, into root's dst at displs[r]
 * (MPI_Gatherv; dst is written on root only). Alone: scatter and gather
 * copy, the others leave buf as it is. */
attn_status dist_reduce_scatter_f32(float *buf, float *scratch, const int *counts, const int *displs);
attn_status dist_allgather_f32(float *buf, const int *counts, const int *displs);
attn_status dist_scatter_f32(const float *src, float *dst, const int *counts, const int *displs, int root);
attn_status dist_gather_f32(const float *src, float *dst, const int *counts, const int *displs, int root);
/* Point to point (not collective): bytes to / from one rank. */
attn_status dist_send(const void *buf, size_t bytes, int to);
attn_status dist_recv(void *buf, size_t bytes, int from);
/* The testing hook ATTN_FAULT_RANK=R:S[:kill|:diverge]: rank R fails in the middle
 * of step S (1-based; after its first micro-batch's backward, before the
 * step's gradient sum has completed: when that micro-batch is the step's
 * last and the sum overlaps its backward, some buckets' sums have started):
 * with an error, or with :kill by SIGKILL to itself (a process that dies
 * without a word). ATTN_OK everywhere else. */
attn_status dist_fault_point(int64_t step);
/* ATTN_FAULT_RANK=R:S:diverge: true on rank R after step S's update, which
 * then nudges a weight of its own (the ranks' states no longer agree: the
 * check at the next checkpoint must say so). */
bool dist_fault_diverge(int64_t step);

#endif
