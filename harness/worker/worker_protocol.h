/* worker_protocol.h - what the parent and the measured child share.
 *
 * The parent creates a memfd per run ("result region"), sizes it for the
 * expected number of samples, and passes its fd number to the worker with
 * the op stream's fd. The worker maps it MAP_SHARED and writes samples and
 * figures straight into it, so whatever the child measured survives a crash,
 * a timeout kill or a failed verification: the parent reads the region after
 * the child is gone. The region is shmem, not anonymous memory, so it does
 * not count in the child's heap figure.
 *
 * Worker command line:
 *   allocscope-worker OPSTREAM_FD RESULT_FD EXPECT_PATH STATS VERSION_PROBE
 *                     VERSION_SYMBOL
 */
#ifndef ALLOCSCOPE_WORKER_PROTOCOL_H
#define ALLOCSCOPE_WORKER_PROTOCOL_H

#include <stdint.h>

#include "samplers.h"

#define RESULT_MAGIC 0x53455243534c4c41ULL /* "ALLSCRES" */
#define RESULT_VERSION 1

enum result_state {
    RESULT_STARTED = 1, /* the worker mapped the region */
    RESULT_VERIFIED,    /* malloc is served by the expected library */
    RESULT_MEASURING,   /* baseline taken, ops running */
    RESULT_DONE,        /* every figure written */
    RESULT_FAILED,      /* the worker gave up; `error` says why */
};

enum sample_kind {
    SAMPLE_BASELINE = 0, /* right before the first measured op */
    SAMPLE_PERIODIC = 1, /* every sample_every ops */
    SAMPLE_PHASE_END = 2 /* after the last op of a phase, all threads idle */
};

/* One point of the time series. Counter fields hold METRIC_UNSUPPORTED
 * where the machine cannot count them. */
struct sample {
    uint64_t op;          /* ops completed, all threads */
    uint64_t t_ns;        /* since baseline */
    int64_t live_bytes;   /* requested and not yet freed (exact) */
    uint64_t rss_bytes;   /* statm resident */
    int64_t heap_bytes;   /* resident anon - baseline resident anon */
    int64_t brk_bytes;    /* sbrk(0) - baseline break */
    uint64_t minor_faults;
    uint64_t major_faults;
    uint64_t perf[PERF_METRIC_COUNT];
    uint64_t usable_bytes; /* sum of malloc_usable_size over live objects:
                              phase ends only, else METRIC_UNSUPPORTED */
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

#define ALLOC_STATS_MAX 8

struct alloc_stat {
    char key[40];   /* e.g. "jemalloc.resident" */
    uint64_t value;
};

struct result_region {
    uint64_t magic;
    uint32_t version;
    volatile uint32_t state; /* enum result_state, last write wins */
    char error[512];
    char served_by[512];     /* path of the library that serves malloc */
    char alloc_version[128]; /* from the allocator itself, "" if unknown */
    uint64_t opstream_hash;
    uint32_t threads;
    int32_t perf_errno[PERF_METRIC_COUNT]; /* 0 = counted */

    /* Baseline, absolute. */
    uint64_t base_rss_bytes;
    uint64_t base_anon_bytes;
    uint64_t base_brk;

    /* End-of-run figures (valid when state == RESULT_DONE). */
    uint64_t ops_done;
    uint64_t wall_ns;          /* first op to last op, samplers included */
    uint64_t peak_rss_bytes;   /* max over samples, absolute */
    int64_t peak_heap_bytes;   /* max over samples */
    int64_t peak_live_bytes;
    int64_t peak_brk_bytes;
    int64_t final_heap_bytes;  /* after the last phase (teardown) */
    struct smaps_rollup smaps_peak_phase; /* at the phase end with most Rss */
    struct smaps_rollup smaps_end;
    uint64_t ru_maxrss_bytes;
    uint64_t ru_minor_faults, ru_major_faults; /* whole child lifetime */
    uint64_t perf_total[PERF_METRIC_COUNT];    /* measured window */
    struct latency_hist latency;
    uint32_t alloc_stat_count;
    struct alloc_stat alloc_stats[ALLOC_STATS_MAX];

    /* Time series. The worker bumps sample_count after a sample is complete;
     * samples beyond capacity are dropped and counted. */
    uint64_t sample_capacity;
    volatile uint64_t sample_count;
    uint64_t samples_dropped;
    struct sample samples[];
};

#endif
