/* figures.h - the per-run figures of summary.csv, derived from what the
 * worker wrote into its result region. Pure computation: tested directly. */
#ifndef ALLOCSCOPE_FIGURES_H
#define ALLOCSCOPE_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "worker_protocol.h"

/* Ratios are NaN where undefined (nothing live, counter unsupported);
 * counters are METRIC_UNSUPPORTED where the machine cannot count them. */
struct run_figures {
    uint64_t ops;
    uint32_t threads;
    double wall_s;
    double ops_per_s;
    uint64_t peak_rss_bytes;
    int64_t peak_heap_bytes;
    uint64_t peak_live_bytes;
    int64_t peak_brk_bytes;
    int64_t final_heap_bytes;
    double frag_peak_ratio;   /* J&W #4: peak heap / peak live */
    double frag_at_peak_heap; /* J&W #3: heap / live when heap peaked */
    double frag_mean_ratio;   /* mean heap / live over samples, live > 0 */
    double internal_frag_ratio; /* usable / requested, phase end of max live */
    uint64_t minor_faults, major_faults;
    uint64_t tlb[3];          /* dTLB load, dTLB store, iTLB misses */
    double tlb_per_kop[3];
    bool have_latency;
    uint64_t latency_p50_ns, latency_p99_ns, latency_p999_ns, latency_max_ns;
    double hugepage_share;
    struct smaps_rollup smaps;
    uint64_t ru_maxrss_bytes;
};

/* peak_live_exact: the generator's exact peak in op-stream order (the same
 * for every allocator; exact for one thread). With threads the larger of it
 * and the highest live figure sampled is reported. */
void figures_compute(const struct result_region *r, uint64_t peak_live_exact,
                     struct run_figures *out);

#endif
