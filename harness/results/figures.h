/* figures.h - the per-run figures of summary.csv, derived from what the
 * worker wrote into its result region and the op stream's exact facts.
 * Pure computation: tested directly. */
#ifndef ALLOCSCOPE_FIGURES_H
#define ALLOCSCOPE_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "opstream.h"
#include "worker_protocol.h"

/* Timed ops a percentile needs before it is reported: below these a p99 or
 * p99.9 is the maximum in disguise, so the cell stays empty instead. */
#define LATENCY_MIN_COUNT_P50 1
#define LATENCY_MIN_COUNT_P99 100
#define LATENCY_MIN_COUNT_P999 1000

/* Percentiles of one histogram; a field is METRIC_UNSUPPORTED where the
 * histogram holds too few timed ops for it. */
struct latency_figures {
    uint64_t count;
    uint64_t p50_ns, p99_ns, p999_ns, max_ns;
};

/* Ratios are NaN where undefined (nothing live, counter unsupported);
 * counters are METRIC_UNSUPPORTED where the machine cannot count them. */
struct run_figures {
    uint64_t ops;
    uint32_t threads;
    double wall_s;
    double ops_per_s;
    double paused_s;          /* harness pauses, not in wall_s */
    double cpu_s;             /* process CPU time of the measured loop */
    double ops_per_cpu_s;     /* ops / cpu_s */
    uint64_t harness_bytes;   /* the harness's own resident memory */
    uint64_t peak_rss_bytes;
    int64_t peak_heap_bytes;
    uint64_t peak_live_bytes; /* exact, from the op stream */
    int64_t peak_live_seen_bytes; /* highest live bytes at the samples */
    int64_t peak_brk_bytes;
    int64_t final_heap_bytes;
    uint64_t baseline_anon_bytes; /* resident anon when the baseline was taken */
    double frag_peak_ratio;   /* J&W #4: peak heap / peak live */
    double frag_at_peak_heap; /* J&W #3: heap / live when heap peaked */
    double frag_mean_ratio;   /* mean heap / live over samples, live > 0 */
    double internal_frag_ratio; /* usable / requested, phase end of max live */
    uint64_t minor_faults, major_faults;
    uint64_t tlb[3];          /* dTLB load, dTLB store, iTLB misses */
    double tlb_per_kop[3];
    struct latency_figures latency[LAT_KIND_COUNT];
    uint64_t timer_floor_ns;
    double hugepage_share;
    struct smaps_rollup smaps; /* Rss with the harness taken out */
    uint64_t ru_maxrss_bytes;  /* harness taken out */

    /* Access phases (access_count 0: the workload has none). */
    uint64_t access_count;
    double access_s;          /* measured time of the access phases */
    double access_ns_mean;    /* access_s / access_count */
    /* Fork phases (fork_count 0: none). */
    uint32_t fork_count;
    uint64_t fork_minor_faults;
    int64_t fork_unshared_bytes; /* shared right after the fork - at the end */
    int32_t fork_child_pid;
    /* Run conditions as the run got them. */
    bool lock_all, thp_never;
    int32_t thp_disabled;     /* PR_GET_THP_DISABLE: 1, 0, or -1 unknown */
    uint64_t mapped_bytes;    /* accessible mappings at the end, harness out */
    uint64_t mapped_rss_bytes; /* their resident part, harness out */
    /* The AnonHugePages series. */
    uint64_t peak_anon_huge_bytes; /* highest read (phase ends, samples) */
    uint64_t anon_huge_reads;      /* periodic samples that read it */
    double anon_huge_sampling_s;   /* their cost (in paused_s, not wall_s) */
    /* The CPU's own counters over the measured window (METRIC_UNSUPPORTED
     * where it cannot count them), and per visit of the access phases
     * (NaN where not counted or no access phase). */
    uint64_t pmu[6];          /* cycles, instructions, walks, 4K, 2M, walk cycles */
    double per_visit[3];      /* dTLB load misses, walks, cycles per visit */
};

/* Name of a latency kind in column names: "malloc", "free", ... ("" for
 * LAT_ALL, whose columns are latency_p50_ns etc.). */
const char *latency_kind_name(enum latency_kind k);

/* `stream` gives the exact peak live bytes (the same for every allocator);
 * the samples give what was seen at run time. */
void figures_compute(const struct result_region *r, const struct opgen_totals *stream,
                     struct run_figures *out);

#endif
