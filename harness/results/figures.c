/* figures.c - summary figures from a result region (see figures.h). */
#include "figures.h"

#include <math.h>
#include <string.h>

#include "latency.h"

static double ratio(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

void figures_compute(const struct result_region *r, uint64_t peak_live_exact,
                     struct run_figures *f)
{
    memset(f, 0, sizeof *f);
    f->ops = r->ops_done;
    f->threads = r->threads;
    f->wall_s = (double)r->wall_ns / 1e9;
    f->ops_per_s = ratio((double)r->ops_done, f->wall_s);
    f->peak_rss_bytes = r->peak_rss_bytes;
    f->peak_heap_bytes = r->peak_heap_bytes;
    /* With threads, the run may hold a little more live than the stream's
     * global order says (a thread runs ahead of the threads freeing its
     * objects, within opgen's reuse slack): report what was seen if more. */
    f->peak_live_bytes = (uint64_t)r->peak_live_bytes > peak_live_exact
                             ? (uint64_t)r->peak_live_bytes
                             : peak_live_exact;
    f->peak_brk_bytes = r->peak_brk_bytes;
    f->final_heap_bytes = r->final_heap_bytes;
    f->frag_peak_ratio = ratio((double)r->peak_heap_bytes, (double)f->peak_live_bytes);

    uint64_t n = r->sample_count < r->sample_capacity ? r->sample_count : r->sample_capacity;
    int64_t best_heap = INT64_MIN, best_live = -1;
    double sum = 0;
    uint64_t counted = 0;
    f->frag_at_peak_heap = NAN;
    f->internal_frag_ratio = NAN;
    for (uint64_t i = 0; i < n; i++) {
        const struct sample *s = &r->samples[i];
        if (s->live_bytes > 0) {
            sum += (double)s->heap_bytes / (double)s->live_bytes;
            counted++;
        }
        if (s->heap_bytes > best_heap) {
            best_heap = s->heap_bytes;
            f->frag_at_peak_heap = ratio((double)s->heap_bytes, (double)s->live_bytes);
        }
        if (s->kind == SAMPLE_PHASE_END && s->usable_bytes != METRIC_UNSUPPORTED &&
            s->live_bytes > best_live && s->live_bytes > 0) {
            best_live = s->live_bytes;
            f->internal_frag_ratio = (double)s->usable_bytes / (double)s->live_bytes;
        }
    }
    f->frag_mean_ratio = counted ? sum / (double)counted : NAN;

    f->minor_faults = r->ru_minor_faults;
    f->major_faults = r->ru_major_faults;
    static const enum perf_metric tlb_metrics[3] = {PERF_DTLB_LOAD_MISSES, PERF_DTLB_STORE_MISSES,
                                                    PERF_ITLB_MISSES};
    for (int i = 0; i < 3; i++) {
        f->tlb[i] = r->perf_total[tlb_metrics[i]];
        f->tlb_per_kop[i] = f->tlb[i] == METRIC_UNSUPPORTED
                                ? NAN
                                : ratio((double)f->tlb[i] * 1000.0, (double)r->ops_done);
    }

    f->have_latency = r->latency.count > 0;
    if (f->have_latency) {
        f->latency_p50_ns = latency_percentile(&r->latency, 0.50);
        f->latency_p99_ns = latency_percentile(&r->latency, 0.99);
        f->latency_p999_ns = latency_percentile(&r->latency, 0.999);
        f->latency_max_ns = r->latency.max_ns;
    }
    f->smaps = r->smaps_peak_phase;
    f->hugepage_share = ratio((double)f->smaps.anon_huge_bytes, (double)f->smaps.anonymous_bytes);
    f->ru_maxrss_bytes = r->ru_maxrss_bytes;
}
