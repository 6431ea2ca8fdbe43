/* executor.h - running an op stream in the measured child and sampling it.
 *
 * Memory rule: everything the executor itself needs (pointer table, thread
 * state, latency histograms) is MAP_SHARED|MAP_ANONYMOUS and pre-faulted
 * before the baseline. Shared anonymous memory is shmem: statm counts it as
 * "shared", so it never appears in the heap figure (resident anonymous -
 * baseline), and pre-faulting keeps the resident figure from moving with it.
 */
#ifndef ALLOCSCOPE_EXECUTOR_H
#define ALLOCSCOPE_EXECUTOR_H

#include <pthread.h>
#include <stdint.h>

#include "opstream_format.h"
#include "worker_protocol.h"

/* One live object: what the op stream's slot currently holds. */
struct exec_slot {
    void *ptr;
    uint64_t size;
    uint32_t seq;     /* ops executed on this slot (threads > 1 only) */
    uint32_t waiters; /* a thread sleeps on seq (futex) */
};

/* Per worker thread, on its own cache line(s) to avoid false sharing. */
struct exec_thread {
    int64_t live_bytes; /* written by its thread only; read by samplers */
    uint64_t ops_done;  /* ops of this thread not yet added to the total */
    uint64_t timed;     /* latency sampling counter */
    uint32_t index;
    pthread_t handle;
    struct exec_ctx *ctx;
    struct latency_hist latency;
} __attribute__((aligned(64)));

struct exec_ctx {
    struct opstream_header *stream;
    struct result_region *res;
    struct exec_slot *slots;
    struct exec_thread *threads;
    uint32_t thread_count;

    struct statm_sampler statm;
    struct perf_counters perf;
    uint64_t perf_base[PERF_METRIC_COUNT];
    uint64_t base_minor, base_major;
    uint64_t t0_ns;
    uint64_t paused_ns; /* phase-end sampling, excluded from wall time */

    uint32_t phase;       /* the phase running now (for periodic samples) */
    uint64_t ops_total;   /* all threads (atomic when threads > 1) */
    uint64_t next_sample; /* op count of the next periodic sample */
    int sample_lock;
    pthread_barrier_t barrier;
    volatile int failed;  /* set when an op fails; threads stop */
    uint64_t peak_smaps_rss;
};

/* Map and pre-fault the executor's memory, open samplers, start threads
 * (parked). Returns 0 or -1 with res->error set. */
int executor_prepare(struct exec_ctx *ctx, struct opstream_header *stream,
                     struct result_region *res);

/* Take the baseline, release the threads, run every op, record the end
 * figures into res. Returns 0, or -1 with res->error set. */
int executor_run(struct exec_ctx *ctx);

#endif
