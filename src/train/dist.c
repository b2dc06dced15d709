/* dist.c — MPI behind rank, size, broadcast, sums and abort (dist.h). The
 * only file that includes mpi.h, and only in a build with MPI
 * (ATTN_HAVE_MPI, set by the Makefile where the MPI headers and library
 * are installed); the other build has the single-process half alone. MPI
 * is initialised only in a process a launcher started (its PMI / Open MPI
 * variables in the environment), so a plain `attn train` never uses it.
 * An MPI of MPICH's ABI (MPICH, whose handles are integer constants) is
 * not even linked: ATTN_MPI_LIB names the library loaded with dlopen then,
 * as the BLAS is (kernels/blas.c), so every other command starts without
 * it (a small `ulimit -v` could not map it: tests/e2e/limits.sh). Open
 * MPI, whose handles are addresses in its library, is linked. */
#include "train/dist.h"
#include "core/core.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef ATTN_HAVE_MPI
#include <mpi.h>
/* the MPI attn was built with (attn_dist_library), its launcher, and the
 * pkg-config name of the other MPI, for a launcher of the wrong one */
#ifdef OPEN_MPI
#define MPI_NAME "Open MPI"
#define MPI_LAUNCHER "mpirun.openmpi"
#define MPI_OTHER_PC "mpich"
#else
#define MPI_NAME "MPICH"
#define MPI_LAUNCHER "mpirun.mpich"
#define MPI_OTHER_PC "ompi-c"
#endif
#ifdef ATTN_MPI_LIB
#include <dlfcn.h>
#endif

/* The MPI functions dist.c calls (each returns an int), as a table:
 * dlsym'd from ATTN_MPI_LIB, or the linked library's own. */
#define MPI_FUNCTIONS(X)                                                         \
    X(Initialized, (int *))                                                      \
    X(Init_thread, (int *, char ***, int, int *))                                \
    X(Comm_set_errhandler, (MPI_Comm, MPI_Errhandler))                           \
    X(Comm_rank, (MPI_Comm, int *))                                              \
    X(Comm_size, (MPI_Comm, int *))                                              \
    X(Comm_split_type, (MPI_Comm, int, int, MPI_Info, MPI_Comm *))               \
    X(Comm_free, (MPI_Comm *))                                                   \
    X(Error_string, (int, char *, int *))                                        \
    X(Abort, (MPI_Comm, int))                                                    \
    X(Finalize, (void))                                                          \
    X(Barrier, (MPI_Comm))                                                       \
    X(Bcast, (void *, int, MPI_Datatype, int, MPI_Comm))                         \
    X(Allreduce, (const void *, void *, int, MPI_Datatype, MPI_Op, MPI_Comm))    \
    X(Iallreduce, (const void *, void *, int, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request *)) \
    X(Testall, (int, MPI_Request *, int *, MPI_Status *))                        \
    X(Waitall, (int, MPI_Request *, MPI_Status *))                               \
    X(Send, (const void *, int, MPI_Datatype, int, int, MPI_Comm))               \
    X(Recv, (void *, int, MPI_Datatype, int, int, MPI_Comm, MPI_Status *))                                    \
    X(Reduce_scatter, (const void *, void *, const int *, MPI_Datatype, MPI_Op, MPI_Comm))                      \
    X(Allgatherv, (const void *, int, MPI_Datatype, void *, const int *, const int *, MPI_Datatype, MPI_Comm))  \
    X(Scatterv, (const void *, const int *, const int *, MPI_Datatype, void *, int, MPI_Datatype, int, MPI_Comm)) \
    X(Gatherv, (const void *, int, MPI_Datatype, void *, const int *, const int *, MPI_Datatype, int, MPI_Comm))
#define MPI_FIELD(name, args) int(*name) args;
static struct {
    MPI_FUNCTIONS(MPI_FIELD)
} mpi;

/* Fills the table (once); an error names the library and what is missing. */
static attn_status mpi_load(void) {
    static bool loaded;
    if (loaded) return ATTN_OK;
#ifdef ATTN_MPI_LIB
    void *h = dlopen(ATTN_MPI_LIB, RTLD_NOW | RTLD_GLOBAL);
    if (!h)
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "mpirun started attn, but the MPI library %s does not load: %s", ATTN_MPI_LIB,
                           dlerror());
#define MPI_DLSYM(name, args)                        \
    if (!(*(void **)&mpi.name = dlsym(h, "MPI_" #name))) \
        return attn_errorf(ATTN_ERR_UNSUPPORTED, "the MPI library %s has no MPI_%s", ATTN_MPI_LIB, #name);
    MPI_FUNCTIONS(MPI_DLSYM)
#else
#define MPI_LINKED(name, args) mpi.name = MPI_##name;
    MPI_FUNCTIONS(MPI_LINKED)
#endif
    loaded = true;
    return ATTN_OK;
}
#endif

static int g_rank = 0, g_size = 1;
#ifdef ATTN_HAVE_MPI
static bool g_mpi;        /* MPI_Init succeeded and MPI_Finalize has not run */
static bool g_multi_host; /* the processes do not all share this machine's memory */
#endif

/* The number of processes a launcher says it started: 0 when none did,
 * -1 when one did but did not say how many. */
static long launched_size(void) {
    static const char *const sizes[] = {"PMI_SIZE", "OMPI_COMM_WORLD_SIZE"};
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        const char *v = getenv(sizes[i]);
        if (v && *v) {
            char *end;
            long n = strtol(v, &end, 10);
            return *end || n < 1 ? -1 : n;
        }
    }
    return getenv("PMI_RANK") || getenv("PMIX_RANK") ? -1 : 0;
}

bool attn_dist_built(void) {
#ifdef ATTN_HAVE_MPI
    return true;
#else
    return false;
#endif
}

const char *attn_dist_library(void) {
#ifdef ATTN_HAVE_MPI
    return MPI_NAME;
#else
    return NULL;
#endif
}

int attn_dist_rank(void) { return g_rank; }
int attn_dist_size(void) { return g_size; }

static double g_comm_s; /* seconds inside MPI calls, waits for the other ranks included */
double dist_comm_seconds(void) { return g_comm_s; }

#ifdef ATTN_HAVE_MPI
static attn_status mpi_error(int rc, const char *what) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (mpi.Error_string(rc, msg, &len) != MPI_SUCCESS) snprintf(msg, sizeof msg, "MPI error %d", rc);
    return attn_errorf(ATTN_ERR_IO, "%s (rank %d of %d): %s", what, g_rank, g_size, msg);
}
/* every call timed into g_comm_s (dist_comm_seconds) */
#define MPI_TRY(call, what)                                   \
    do {                                                      \
        double t_ = time_now();                               \
        int rc_ = (call);                                     \
        g_comm_s += time_now() - t_;                          \
        if (rc_ != MPI_SUCCESS) return mpi_error(rc_, what); \
    } while (0)
#define CHUNK (1 << 28) /* elements per call: below INT_MAX for every type used */
#endif

attn_status attn_dist_init(void) {
    long n = launched_size();
#ifdef ATTN_HAVE_MPI
    if (g_mpi || n == 0) return ATTN_OK;
    attn_status st = mpi_load();
    if (st) return st;
    int provided = 0, inited = 0;
    mpi.Initialized(&inited);
    if (!inited) MPI_TRY(mpi.Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    g_mpi = true;
    /* errors come back as statuses: the caller reports them, then aborts */
    mpi.Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_TRY(mpi.Comm_rank(MPI_COMM_WORLD, &g_rank), "MPI_Comm_rank");
    MPI_TRY(mpi.Comm_size(MPI_COMM_WORLD, &g_size), "MPI_Comm_size");
    if (n > 0 && n != g_size) {
        /* each process initialised alone: another MPI's launcher started it */
        long size = g_size;
        g_size = 1; /* nothing to abort: every process ends on this error */
        return attn_errorf(ATTN_ERR_UNSUPPORTED,
                           "a launcher (mpirun) started attn as one of %ld processes, but attn's MPI (%s) sees %ld: "
                           "the launcher belongs to another MPI. Run the mpirun of %s (attn --version), e.g. %s, or "
                           "rebuild attn against the launcher's MPI (make MPI_PC=%s)",
                           n, MPI_NAME, size, MPI_NAME, MPI_LAUNCHER, MPI_OTHER_PC);
    }
    if (g_size > 1) {
        MPI_Comm local;
        int n_local = g_size;
        if (mpi.Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) == MPI_SUCCESS) {
            mpi.Comm_size(local, &n_local);
            mpi.Comm_free(&local);
        }
        g_multi_host = n_local < g_size;
    }
    return ATTN_OK;
#else
    if (n > 1)
        return attn_errorf(ATTN_ERR_UNSUPPORTED,
                           "this attn was built without MPI, and a launcher (mpirun) started it as one of %ld processes: "
                           "each would train alone into the same directory. Install MPI (tools/setup.sh installs MPICH) "
                           "and rebuild (make clean && make), or run attn train without mpirun",
                           n);
    return ATTN_OK;
#endif
}

void attn_dist_abort(int status) {
#ifdef ATTN_HAVE_MPI
    if (g_mpi && g_size > 1) {
        fflush(stdout);
        fflush(stderr);
        /* the launcher forwards our output through its own pipes: give it a
         * moment to pass the error on before the abort tears them down */
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, NULL);
        mpi.Abort(MPI_COMM_WORLD, status);
    }
#else
    (void)status;
#endif
}

void attn_dist_finalize(void) {
#ifdef ATTN_HAVE_MPI
    /* every rank progresses until all traffic is through: over TCP (UCX's
     * tcp transport between hosts) a rank whose last large send is still
     * being acknowledged otherwise waits in MPI_Finalize for a peer that is
     * already blocked in the launcher's exit barrier (tests/e2e/mpi_hosts.sh) */
    if (g_mpi) {
        mpi.Barrier(MPI_COMM_WORLD);
#ifdef OPEN_MPI
        mpi.Finalize();
#else
        /* MPICH 4.0's MPI_Finalize between hosts (UCX over TCP) hung now
         * and then past this barrier (10 of 60 two-host runs of
         * mpi_hosts.sh): a rank closing its endpoints waits for a peer
         * already in the launcher's barrier. Processes on several hosts end
         * here without it (0 of 100 hung). On one host they finalise: there
         * the launcher kills a job's other processes when one exits without
         * finalising, a race that three processes on two cores lost. */
        if (!g_multi_host) mpi.Finalize();
#endif
    }
    g_mpi = false;
    g_multi_host = false;
    g_rank = 0;
    g_size = 1;
#endif
}

attn_status dist_bcast(void *buf, size_t bytes, int root) {
#ifdef ATTN_HAVE_MPI
    if (g_size > 1)
        for (size_t off = 0; off < bytes;) {
            int n = bytes - off > CHUNK ? CHUNK : (int)(bytes - off);
            MPI_TRY(mpi.Bcast((char *)buf + off, n, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
            off += (size_t)n;
        }
#else
    (void)buf, (void)bytes, (void)root;
#endif
    return ATTN_OK;
}

attn_status dist_sum_f32(float *buf, int64_t n) {
#ifdef ATTN_HAVE_MPI
    if (g_size > 1)
        for (int64_t off = 0; off < n;) {
            int k = n - off > CHUNK ? CHUNK : (int)(n - off);
            MPI_TRY(mpi.Allreduce(MPI_IN_PLACE, buf + off, k, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
            off += k;
        }
#else
    (void)buf, (void)n;
#endif
    return ATTN_OK;
}

#ifdef ATTN_HAVE_MPI
/* dist_isum_f32's requests not yet completed by dist_wait (MPI_REQUEST_NULL once done) */
static MPI_Request *g_req;
static int g_n_req, g_cap_req;
#endif

attn_status dist_isum_f32(float *buf, int64_t n) {
#ifdef ATTN_HAVE_MPI
    if (g_size > 1)
        for (int64_t off = 0; off < n;) {
            if (g_n_req == g_cap_req) {
                int cap = g_cap_req ? 2 * g_cap_req : 64;
                MPI_Request *r = attn_realloc(g_req, (size_t)cap * sizeof *r);
                if (!r) return ATTN_ERR_OUT_OF_MEMORY;
                g_req = r;
                g_cap_req = cap;
            }
            int k = n - off > CHUNK ? CHUNK : (int)(n - off);
            MPI_TRY(mpi.Iallreduce(MPI_IN_PLACE, buf + off, k, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &g_req[g_n_req]),
                    "MPI_Iallreduce");
            g_n_req++;
            off += k;
        }
#else
    (void)buf, (void)n;
#endif
    return ATTN_OK;
}

attn_status dist_progress(void) {
#ifdef ATTN_HAVE_MPI
    int done = 0;
    if (g_n_req) MPI_TRY(mpi.Testall(g_n_req, g_req, &done, MPI_STATUSES_IGNORE), "MPI_Testall");
#endif
    return ATTN_OK;
}

attn_status dist_wait(void) {
#ifdef ATTN_HAVE_MPI
    int n = g_n_req;
    g_n_req = 0;
    if (n) MPI_TRY(mpi.Waitall(n, g_req, MPI_STATUSES_IGNORE), "MPI_Waitall");
#endif
    return ATTN_OK;
}

attn_status dist_sum_f64(double *buf, int n) {
#ifdef ATTN_HAVE_MPI
    if (g_size > 1) MPI_TRY(mpi.Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
#else
    (void)buf, (void)n;
#endif
    return ATTN_OK;
}

attn_status dist_max_i64(int64_t *buf, int n) {
#ifdef ATTN_HAVE_MPI
    if (g_size > 1) MPI_TRY(mpi.Allreduce(MPI_IN_PLACE, buf, n, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
#else
    (void)buf, (void)n;
#endif
    return ATTN_OK;
}

attn_status dist_send(const void *buf, size_t bytes, int to) {
#ifdef ATTN_HAVE_MPI
    for (size_t off = 0; off < bytes;) {
        int n = bytes - off > CHUNK ? CHUNK : (int)(bytes - off);
        MPI_TRY(mpi.Send((const char *)buf + off, n, MPI_BYTE, to, 0, MPI_COMM_WORLD), "MPI_Send");
        off += (size_t)n;
    }
    return ATTN_OK;
#else
    (void)buf, (void)bytes, (void)to;
    return attn_errorf(ATTN_ERR_UNSUPPORTED, "no other process to send to (a build without MPI)");
#endif
}

attn_status dist_recv(void *buf, size_t bytes, int from) {
#ifdef ATTN_HAVE_MPI
    for (size_t off = 0; off < bytes;) {
        int n = bytes - off > CHUNK ? CHUNK : (int)(bytes - off);
        MPI_TRY(mpi.Recv((char *)buf + off, n, MPI_BYTE, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
        off += (size_t)n;
    }
    return ATTN_OK;
#else
    (void)buf, (void)bytes, (void)from;
    return attn_errorf(ATTN_ERR_UNSUPPORTED, "no other process to receive from (a build without MPI)");
#endif
}

attn_status dist_reduce_scatter_f32(float *buf, float *scratch, const int *counts, const int *displs) {
#ifdef ATTN_HAVE_MPI
    if (g_size > 1) {
        /* not MPI_IN_PLACE: MPICH's in-place copy of a part longer than its
         * offset trips its own check on overlapping memcpy */
        MPI_TRY(mpi.Reduce_scatter(buf, scratch, counts, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Reduce_scatter");
        memcpy(buf + displs[g_rank], scratch, (size_t)counts[g_rank] * sizeof *buf);
    }
#else
    (void)buf, (void)scratch, (void)counts, (void)displs;
#endif
    return ATTN_OK;
}

attn_status dist_allgather_f32(float *buf, const int *counts, const int *displs) {
#ifdef ATTN_HAVE_MPI
    if (g_size > 1)
        MPI_TRY(mpi.Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, buf, counts, displs, MPI_FLOAT, MPI_COMM_WORLD), "MPI_Allgatherv");
#else
    (void)buf, (void)counts, (void)displs;
#endif
    return ATTN_OK;
}

attn_status dist_scatter_f32(const float *src, float *dst, const int *counts, const int *displs, int root) {
    if (g_size < 2) {
        memcpy(dst, src + displs[0], (size_t)counts[0] * sizeof *dst);
        return ATTN_OK;
    }
#ifdef ATTN_HAVE_MPI
    MPI_TRY(mpi.Scatterv(src, counts, displs, MPI_FLOAT, dst, counts[g_rank], MPI_FLOAT, root, MPI_COMM_WORLD), "MPI_Scatterv");
#else
    (void)root;
#endif
    return ATTN_OK;
}

attn_status dist_gather_f32(const float *src, float *dst, const int *counts, const int *displs, int root) {
    if (g_size < 2) {
        memcpy(dst + displs[0], src, (size_t)counts[0] * sizeof *dst);
        return ATTN_OK;
    }
#ifdef ATTN_HAVE_MPI
    MPI_TRY(mpi.Gatherv(src, counts[g_rank], MPI_FLOAT, dst, counts, displs, MPI_FLOAT, root, MPI_COMM_WORLD), "MPI_Gatherv");
#else
    (void)root;
#endif
    return ATTN_OK;
}

/* The mode of ATTN_FAULT_RANK=R:S[:MODE] when it names this rank and step
 * (1-based): "" for an error, "kill", "diverge"; NULL when it does not. */
static const char *fault_here(int64_t step) {
    const char *v = getenv("ATTN_FAULT_RANK");
    if (!v || !*v) return NULL;
    char *end;
    long rank = strtol(v, &end, 10);
    if (*end != ':') return NULL;
    long long at = strtoll(end + 1, &end, 10);
    if (rank != g_rank || at != step || (*end && *end != ':')) return NULL;
    return *end ? end + 1 : end;
}

attn_status dist_fault_point(int64_t step) {
    const char *mode = fault_here(step);
    if (!mode || !strcmp(mode, "diverge")) return ATTN_OK;
    if (!strcmp(mode, "kill")) kill(getpid(), SIGKILL);
    return attn_errorf(ATTN_ERR_IO, "injected failure (ATTN_FAULT_RANK) at step %lld", (long long)step);
}

bool dist_fault_diverge(int64_t step) {
    const char *mode = fault_here(step);
    return mode && !strcmp(mode, "diverge");
}
