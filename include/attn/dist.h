/* dist.h — the processes of one data-parallel training run.
 *
 * `mpirun -n W attn train ...` starts W processes; each calls
 * attn_dist_init() once before attn_train() and attn_dist_finalize() after
 * it. A process that the launcher did not start (no PMI_RANK, PMI_SIZE,
 * OMPI_COMM_WORLD_SIZE or PMIX_RANK in its environment) is a run of one
 * process and never touches MPI. attn_train() then runs data-parallel:
 * rank r takes slice r of each global batch, gradients are summed over the
 * ranks, and only rank 0 writes the output directory (train.h).
 *
 * In a build without MPI (attn_dist_built() false), attn_dist_init()
 * refuses a launch of several processes (ATTN_ERR_UNSUPPORTED) instead of
 * running W copies of a single-process run into one directory.
 *
 * An error on one rank leaves the others waiting in the next collective:
 * a program reports its error and then calls attn_dist_abort(), which ends
 * every process of the run (MPI_Abort). */
#ifndef ATTN_DIST_H
#define ATTN_DIST_H

#include "attn/attn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether this libattn was built with MPI. */
ATTN_API bool attn_dist_built(void);
/* The MPI it was built with: "MPICH" or "Open MPI" (their launchers do
 * not start each other's processes); NULL in a build without MPI. */
ATTN_API const char *attn_dist_library(void);
/* Joins the run the launcher started (MPI_Init_thread, funneled), or
 * becomes a run of one process; a second call does nothing. */
ATTN_API attn_status attn_dist_init(void);
/* This process's rank in [0, size) and the number of processes (0 and 1
 * before attn_dist_init or without a launcher). */
ATTN_API int attn_dist_rank(void);
ATTN_API int attn_dist_size(void);
/* In a run of several processes: ends all of them with `status` and does
 * not return. Alone: returns at once (the caller exits as usual). */
ATTN_API void attn_dist_abort(int status);
/* Leaves the run (MPI_Finalize) after the last collective; a no-op alone. */
ATTN_API void attn_dist_finalize(void);

#ifdef __cplusplus
}
#endif
#endif
