/* worker_protocol.h - what the parent and the measured child share.
 *
 * The parent creates a memfd per run ("result region"), sizes it for a
 * fixed number of samples, fills in `params`, and passes its fd number to
 * the worker together with the op window's (opstream_format.h) and the two
 * ends of the chunk-request pipes. The worker maps the region MAP_SHARED,
 * pre-faults it, and writes samples and figures straight into it, so
 * whatever the child measured survives a crash, a timeout kill or a failed
 * verification: the parent reads the region after the child is gone. The
 * region is shmem, not anonymous memory, so it never counts as heap; its
 * pages (like every mapping of the harness's own) are counted in
 * harness_bytes and taken out of every RSS figure.
 *
 * Worker command line:
 *   allocscope-worker WINDOW_FD REQUEST_FD REPLY_FD RESULT_FD EXPECT_PATH
 *                     STATS VERSION_PROBE VERSION_SYMBOL
 * Chunks: when every thread has executed the window's chunk and it was not
 * the last, the worker writes one byte to REQUEST_FD and blocks reading
 * REPLY_FD; the parent writes the next chunk into the window, then answers
 * 'c' (or 'e' if it cannot: the run fails). The worker's clock, fault and
 * perf counts are paused meanwhile.
 */
#ifndef ALLOCSCOPE_WORKER_PROTOCOL_H
#define ALLOCSCOPE_WORKER_PROTOCOL_H

#include <stdint.h>

#include "samplers.h"
#include "timer.h"

#define RESULT_MAGIC 0x53455243534c4c41ULL /* "ALLSCRES" */
#define RESULT_VERSION 5

/* Samples a region holds. When the periodic ones fill it, the worker keeps
 * every other one and samples half as often: a run of any length keeps a
 * time series of bounded size that covers all of it. */
#define RESULT_SAMPLE_CAPACITY 4096

enum result_state {
    RESULT_STARTED = 1, /* the worker mapped the region */
    RESULT_VERIFIED,    /* malloc is served by the expected library */
    RESULT_MEASURING,   /* baseline taken, ops running */
    RESULT_DONE,        /* every figure written */
    RESULT_FAILED,      /* the worker gave up; `error` says why */
};

enum sample_kind {
    SAMPLE_BASELINE = 0, /* right before the first measured op */
    SAMPLE_PERIODIC = 1, /* by time (or every sample_every ops) */
    SAMPLE_PHASE_END = 2, /* after the last op of a phase, all threads idle */
    SAMPLE_PEAK = 3,     /* where live bytes passed a new high */
};

/* One point of the time series. Counter fields hold METRIC_UNSUPPORTED
 * where the machine cannot count them. Faults and counts exclude what the
 * harness itself caused in its pauses. */
struct sample {
    uint64_t op;          /* ops completed, all threads */
    uint64_t t_ns;        /* since baseline, pauses excluded */
    int64_t live_bytes;   /* requested and not yet freed (exact per thread) */
    uint64_t rss_bytes;   /* statm resident, harness mappings excluded */
    int64_t heap_bytes;   /* resident anon - baseline resident anon */
    int64_t brk_bytes;    /* sbrk(0) - baseline break */
    uint64_t minor_faults;
    uint64_t major_faults;
    uint64_t perf[PERF_METRIC_COUNT];
    uint64_t usable_bytes; /* sum of malloc_usable_size over live objects:
                              phase ends only, else METRIC_UNSUPPORTED */
    uint64_t anon_huge_bytes; /* smaps_rollup AnonHugePages: phase ends and
                                 the periodic samples the cost budget allows
                                 (executor.c), else METRIC_UNSUPPORTED */
    uint32_t phase;
    uint32_t kind;         /* enum sample_kind */
};

/* Log-bucketed latency histogram: 8 sub-buckets per power of two, so a
 * reported percentile is within 12.5 % of the true value. */
#define LATENCY_SUB_BITS 3
#define LATENCY_BUCKETS (64 << LATENCY_SUB_BITS)

struct latency_hist {
    uint64_t count;
    uint64_t max_ns;
    uint64_t sum_ns;
    uint64_t buckets[LATENCY_BUCKETS];
};

/* Latency is kept per kind of call and overall. */
enum latency_kind {
    LAT_ALL,
    LAT_MALLOC,
    LAT_CALLOC,
    LAT_REALLOC,
    LAT_ALIGNED, /* posix_memalign and aligned_alloc */
    LAT_FREE,
    LAT_ACCESS,  /* an access phase's reads: no allocator call, not in LAT_ALL */
    LAT_KIND_COUNT
};

#define ALLOC_STATS_MAX 8

struct alloc_stat {
    char key[40];   /* e.g. "jemalloc.resident" */
    uint64_t value;
};

/* How the measured loop's instructions are counted (instr_count.h). */
enum instr_method {
    INSTR_NONE = 0,
    INSTR_PERF = 1,      /* perf instructions:u, in the worker */
    INSTR_CALLGRIND = 2, /* under callgrind; the parent reads its file */
};

/* What the parent tells the worker, before it starts. */
struct run_params {
    struct timer_params timer;
    uint64_t sample_interval_ns; /* periodic samples by time; 0 = none */
    uint32_t instructions;       /* enum instr_method */
    uint32_t lock_all;           /* `lock: all`: mlockall before the baseline */
    uint32_t thp_never;          /* `thp: never`: PR_SET_THP_DISABLE */
};

struct result_region {
    uint64_t magic;
    uint32_t version;
    volatile uint32_t state; /* enum result_state, last write wins */
    char error[512];
    char served_by[512];     /* path of the library that serves malloc */
    char alloc_version[128]; /* from the allocator itself, "" if unknown */
    struct run_params params;
    uint32_t threads;
    int32_t perf_errno[PERF_METRIC_COUNT]; /* 0 = counted */

    /* The harness's own resident mappings (window, pointer table, this
     * region, thread state and stacks): pre-faulted before the baseline,
     * constant after it, subtracted from every RSS figure. */
    uint64_t harness_bytes;

    /* Baseline, absolute (RSS: harness excluded). */
    uint64_t base_rss_bytes;
    uint64_t base_anon_bytes; /* the allocator's set-up memory, + libc's */
    uint64_t base_brk;

    /* End-of-run figures (valid when state == RESULT_DONE). */
    uint64_t ops_done;
    uint64_t wall_ns;          /* first op to last op, pauses and the
                                  timer's own cost taken out */
    uint64_t paused_ns;        /* chunk refills, samples, phase ends */
    uint64_t sampling_ns;      /* of which periodic and peak samples */
    uint64_t timing_cost_ns;   /* the timer's cost on timed ops, taken out */
    uint64_t timer_floor_ns;   /* cost of one timing, subtracted per op */
    uint64_t peak_rss_bytes;   /* kernel high-water mark, harness excluded */
    int64_t peak_heap_bytes;   /* true peak of resident anon - baseline */
    int64_t peak_live_bytes;   /* highest live bytes seen at samples */
    int64_t peak_brk_bytes;
    int64_t final_heap_bytes;  /* after the last phase (teardown) */
    struct proc_status status_end;
    struct smaps_rollup smaps_peak_phase; /* at the phase end with most Rss */
    struct smaps_rollup smaps_end;
    uint64_t ru_maxrss_bytes;  /* getrusage: whole process lifetime */
    uint64_t ru_minor_faults, ru_major_faults; /* measured window */
    uint64_t harness_minor_faults;             /* in pauses, taken out */
    uint64_t perf_total[PERF_METRIC_COUNT];    /* measured window */
    struct latency_hist latency[LAT_KIND_COUNT];
    struct latency_hist sample_cost; /* duration of each periodic/peak sample:
                                        its median is robust to preemption */
    uint32_t alloc_stat_count;
    struct alloc_stat alloc_stats[ALLOC_STATS_MAX];

    /* Instructions of the measured loop, pauses excluded (perf method;
     * METRIC_UNSUPPORTED otherwise), and why counting is off (0 = on). */
    uint64_t instructions;
    int32_t instructions_errno;

    /* CPU time of the process over the measured window, all threads, the
     * pauses where no thread is measured taken out: unlike wall_ns it does
     * not grow while other tenants of the machine hold the CPU. */
    uint64_t cpu_ns;
    /* Access phases (valid when state == RESULT_DONE). */
    uint64_t access_count;     /* OP_ACCESS executed, all threads */
    uint64_t access_check;     /* sum of the threads' op_access_check */
    uint64_t access_ns;        /* measured time of the access phases, the
                                  timer's cost on timed accesses taken out;
                                  not in wall_ns */
    uint64_t access_sink;      /* what the reads summed (keeps them real) */
    uint64_t access_perf[PERF_METRIC_COUNT]; /* perf counts in the access
                                  phases (meaningful where perf_total is) */

    /* Fork phases: the child keeps the heap mapped until the run ends. */
    int32_t fork_child_pid;    /* the last child, 0 = no fork phase */
    uint32_t fork_children_reaped; /* children waited for by the worker */
    uint32_t fork_count;
    uint32_t reserved0;
    uint64_t fork_minor_faults; /* measured minor faults from the first fork
                                   to the end: copy-on-write and new pages */
    uint64_t fork_shared_bytes; /* private anonymous memory shared (with the
                                   child) right after the first fork */
    uint64_t fork_shared_end_bytes; /* ... at the end, child still alive */

    /* lock: all and thp: never, as the run got them. */
    int32_t lock_errno;        /* 0 = mlockall succeeded (or not asked) */
    int32_t thp_disabled;      /* 1 = PR_GET_THP_DISABLE said so, 0 = not,
                                  -1 = could not ask */
    uint64_t memlock_limit;    /* RLIMIT_MEMLOCK in force (bytes; UINT64_MAX
                                  = unlimited) */
    struct smaps_mapped mapped_end; /* accessible mappings at the end */

    /* The AnonHugePages series: smaps_rollup reads in periodic samples
     * (phase ends read it anyway) and what they cost, inside sampling_ns. */
    uint64_t huge_reads;
    uint64_t huge_read_ns;
    uint64_t peak_anon_huge_bytes; /* highest AnonHugePages read */

    /* Time series. The worker bumps sample_count after a sample is
     * complete. */
    uint64_t sample_capacity;
    volatile uint64_t sample_count;
    uint64_t samples_decimated; /* periodic samples thinned out */
    struct sample samples[];
};

#endif
