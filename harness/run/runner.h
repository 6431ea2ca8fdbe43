/* runner.h - one measured run: a fresh allocscope-worker process with the
 * allocator preloaded, fed the workload's op stream chunk by chunk (the
 * parent generates each chunk while the worker waits, see
 * opstream_format.h), watched until it finishes, fails, crashes or times
 * out. Whatever the child measured is read back from the shared result
 * region, also when it died. */
#ifndef ALLOCSCOPE_RUNNER_H
#define ALLOCSCOPE_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "opsource.h"
#include "registry.h"
#include "worker_protocol.h"

enum run_status {
    RUN_OK,
    RUN_FAILED,
    RUN_CRASHED,
    RUN_TIMEOUT,
    RUN_SKIPPED,
    RUN_OOM,         /* stopped by the run's memory limit */
    RUN_INTERRUPTED, /* stopped because allocscope was told to stop */
};

const char *run_status_name(enum run_status s); /* "ok", "failed", ... */
/* The status named `name`, or -1. */
int run_status_from_name(const char *name);

struct run_request {
    const struct workload_spec *workload;
    const struct allocator_entry *alloc;
    const char *worker_path;
    double timeout_s;
    const char *log_path; /* child's stdout and stderr; NULL = /dev/null */
    struct run_params params; /* timer, sampling interval */
    size_t chunk_ops;         /* ops per window chunk; 0 = the default */
    /* Programs the worker runs under, e.g. {"valgrind", "--tool=callgrind",
     * NULL} (benchmarks, instruction counts); NULL = none. Executed as an
     * argv prefix, never through a shell. */
    char *const *wrapper;
    uint64_t memory_limit; /* bytes of address space (RLIMIT_AS); 0 = none */
    /* A trace workload's facts (trace_scan), scanned once for all its runs;
     * NULL: the run scans the trace itself. */
    const struct trace_facts *trace_facts;
};

struct run_outcome {
    enum run_status status;
    char reason[768];
    struct result_region *res; /* parent's mapping; NULL if none was made */
    size_t res_bytes;
    /* The whole stream's facts (hash, op counts, exact peak live): complete
     * when the worker received every chunk (stream.complete). */
    struct opgen_totals stream;
};

/* Returns 0 when a run was attempted (see outcome->status), -1 when it could
 * not even start (reason says why; status is RUN_FAILED). */
int runner_execute(const struct run_request *req, struct run_outcome *out);
void run_outcome_release(struct run_outcome *out);

/* The worker runs in a process group of its own, dies with allocscope
 * (PR_SET_PDEATHSIG), and its whole group is killed on timeout, on
 * interruption and when it ends, so nothing it started outlives its run.
 *
 * runner_install_signals() handles SIGINT, SIGHUP and SIGTERM: the first
 * sets runner_interrupted to the signal number, stops the worker in flight
 * (its row says `interrupted`) and the caller finishes up; a second kills
 * the worker's group and exits at once with 128 + its number. SIGPIPE is
 * ignored (output errors are reported, not fatal). */
#include <signal.h>
extern volatile sig_atomic_t runner_interrupted;
void runner_install_signals(void);
/* 128 + the interrupting signal (130 SIGINT, 129 SIGHUP, 143 SIGTERM), or
 * 0 when not interrupted. */
int runner_exit_status(void);

/* Path of allocscope-worker: next to the running executable. */
int runner_worker_path(char *out, size_t outlen);

#endif
