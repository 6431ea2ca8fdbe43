/* executor.h - running an op stream in the measured child and sampling it.
 *
 * The pointer table holds only pointers: every op carries the sizes it
 * needs (opstream_format.h), so the loop reads and writes no more per op
 * than a bare replay does.
 *
 * Memory rule: everything the executor itself needs (pointer table, thread
 * state, latency histograms, thread stacks, the op window, the result
 * region) is a shared mapping, pre-faulted before the baseline and counted
 * in res->harness_bytes. Shared memory is shmem: it never appears in the
 * heap figure (resident anonymous - baseline), and since it is resident
 * from before the baseline to the end, RSS figures subtract it exactly.
 * The pointer table grows with the live set only in a pause between
 * chunks, where its faults are counted as the harness's and taken out.
 */
#ifndef ALLOCSCOPE_EXECUTOR_H
#define ALLOCSCOPE_EXECUTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "instr_count.h"
#include "opstream_format.h"
#include "worker_protocol.h"

/* Threads > 1: ops executed on each slot, which waits are for (a table of
 * its own, so a single-threaded run's pointer table stays small). */
struct exec_slot_sync {
    uint32_t seq;     /* ops executed on this slot */
    uint32_t waiters; /* a thread sleeps on seq (futex) */
};

/* Per worker thread, on its own cache line(s). The first fields are read
 * by other threads: live bytes by samplers, progress by the run-ahead
 * check. */
struct exec_thread {
    int64_t live_bytes;        /* written by its thread only */
    uint64_t ops_done;         /* published at events */
    uint32_t progress;         /* gidx of its next op (published) */
    uint32_t progress_waiters; /* a thread sleeps on progress (futex) */
    uint32_t wake_at;          /* ... until progress reaches this */
    uint32_t parked;           /* done with the chunk: limits nobody */
    uint32_t index;
    struct exec_ctx *ctx;
    pthread_t handle;
    const struct op *segment;  /* its ops in the current chunk */
    /* One thread: live_bytes is brought up to date only when a sample needs
     * it (settle_live, from the generator's checkpoints), inside the pause:
     * the loop does no bookkeeping. The thread is at segment[pos],
     * published at every event. */
    uint64_t pos;
    uint64_t ops_before;       /* ops done in earlier chunks */
    uint64_t markers;          /* phase markers in this segment so far */
    uint64_t timed;            /* ops timed (accesses included) */
    uint64_t access_timed;     /* of which accesses */
    uint64_t accesses;         /* OP_ACCESS executed */
    uint64_t access_check;     /* op_access_check over them, in order */
    uint64_t access_sink;      /* the sum the reads produced */
    struct latency_hist *latency; /* LAT_KIND_COUNT, harness memory */
} __attribute__((aligned(64)));

struct exec_ctx {
    struct opwindow_header *win;
    struct result_region *res;
    int request_fd, reply_fd;
    void **slots;                /* what each slot of the stream holds */
    struct exec_slot_sync *sync; /* threads > 1 only */
    uint64_t slot_capacity;
    struct exec_thread *threads;
    uint32_t thread_count;

    struct statm_sampler statm;
    struct perf_counters perf;
    uint64_t perf_base[PERF_METRIC_COUNT];
    uint64_t perf_paused[PERF_METRIC_COUNT]; /* counted in pauses */
    uint64_t base_minor, base_major;
    uint64_t paused_minor;                   /* faults in pauses */

    const struct timer_params *timer;
    uint64_t floor_ticks;   /* one timing's own cost */
    uint64_t timed_cost_ticks; /* a timed op's extra cost to throughput */
    uint64_t t0_ticks;
    uint64_t paused_ticks;
    uint64_t sampling_ticks;   /* the part of paused_ticks spent sampling */
    uint64_t cpu_t0_ns, cpu_paused_ns; /* process CPU time (cpu_ns) */

    uint32_t phase;            /* the phase running now */
    uint64_t check_every;      /* ops between a thread's checks */
    uint64_t last_check_ticks; /* one thread: when it last checked (measured) */
    uint64_t interval_ticks;   /* periodic samples by time; 0 = none */
    uint64_t next_sample_ticks; /* in measured time (pauses excluded) */
    uint64_t sample_every;     /* periodic samples by op count; 0 = by time */
    uint64_t next_sample_op;
    int sample_lock;
    pthread_barrier_t barrier;
    bool last_chunk;           /* set by thread 0 at a chunk end */
    uint64_t peak_smaps_rss;
    struct instr_counter instr; /* --instructions (instr_count.h) */

    uint64_t last_phase_end_ticks; /* measured ticks at the last phase end */
    uint64_t access_ticks;         /* measured ticks of access phases */
    uint64_t last_phase_end_cpu_ns; /* CPU time (pauses out) at that phase end */
    uint64_t access_cpu_ns;        /* CPU time of access phases */
    uint64_t last_phase_perf[PERF_METRIC_COUNT]; /* counts at the last phase end */
    uint64_t huge_spent_ticks;     /* what the AnonHugePages reads cost so far */
    uint64_t huge_cost_ticks;      /* what the last one cost */
    uint64_t huge_rss;             /* resident bytes then (harness out) */
    uint64_t huge_min_ticks;       /* no periodic read before this measured time */
    int fork_pipe;                 /* write end: the child leaves at its EOF */
    int fork_pid;                  /* the running child, 0 = none */
    uint64_t fork_minor_at;        /* measured minor faults at the first fork */
};

/* Map and pre-fault the executor's memory, calibrate the timer, open
 * samplers, start threads (parked). Returns 0 or -1 with res->error set. */
int executor_prepare(struct exec_ctx *ctx, struct opwindow_header *win, int request_fd,
                     int reply_fd, struct result_region *res, uint64_t res_bytes,
                     uint64_t win_bytes);

/* Take the baseline, release the threads, run every chunk, record the end
 * figures into res. Returns 0, or -1 with res->error set. */
int executor_run(struct exec_ctx *ctx);

#endif
