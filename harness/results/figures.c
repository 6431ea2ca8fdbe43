/* figures.c - summary figures from a result region (see figures.h). */
#include "figures.h"

#include <math.h>
#include <string.h>

#include "latency.h"

static double ratio(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

const char *latency_kind_name(enum latency_kind k)
{
    static const char *const names[LAT_KIND_COUNT] = {
        [LAT_ALL] = "",       [LAT_MALLOC] = "malloc",   [LAT_CALLOC] = "calloc",
        [LAT_REALLOC] = "realloc", [LAT_ALIGNED] = "aligned", [LAT_FREE] = "free",
        [LAT_ACCESS] = "access",
    };
    return (unsigned)k < LAT_KIND_COUNT ? names[k] : "?";
}

static uint64_t percentile_if(const struct latency_hist *h, double q, uint64_t min_count)
{
    return h->count >= min_count ? latency_percentile(h, q) : METRIC_UNSUPPORTED;
}

static void latency_figures(const struct latency_hist *h, struct latency_figures *f)
{
    f->count = h->count;
    f->p50_ns = percentile_if(h, 0.50, LATENCY_MIN_COUNT_P50);
    f->p99_ns = percentile_if(h, 0.99, LATENCY_MIN_COUNT_P99);
    f->p999_ns = percentile_if(h, 0.999, LATENCY_MIN_COUNT_P999);
    f->max_ns = h->count ? h->max_ns : METRIC_UNSUPPORTED;
}

void figures_compute(const struct result_region *r, const struct opgen_totals *stream,
                     struct run_figures *f)
{
    memset(f, 0, sizeof *f);
    f->ops = r->ops_done;
    f->threads = r->threads;
    f->wall_s = (double)r->wall_ns / 1e9;
    f->ops_per_s = ratio((double)r->ops_done, f->wall_s);
    f->paused_s = (double)r->paused_ns / 1e9;
    f->cpu_s = (double)r->cpu_ns / 1e9;
    f->ops_per_cpu_s = ratio((double)r->ops_done, f->cpu_s);
    f->harness_bytes = r->harness_bytes;
    f->peak_rss_bytes = r->peak_rss_bytes;
    f->peak_heap_bytes = r->peak_heap_bytes;
    f->peak_live_bytes = stream->peak_live_bytes;
    f->peak_live_seen_bytes = r->peak_live_bytes;
    f->peak_brk_bytes = r->peak_brk_bytes;
    f->final_heap_bytes = r->final_heap_bytes;
    f->baseline_anon_bytes = r->base_anon_bytes;
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

    for (int k = 0; k < LAT_KIND_COUNT; k++)
        latency_figures(&r->latency[k], &f->latency[k]);
    f->timer_floor_ns = r->timer_floor_ns;

    f->smaps = r->smaps_peak_phase;
    if (f->smaps.rss_bytes >= r->harness_bytes)
        f->smaps.rss_bytes -= r->harness_bytes;
    f->hugepage_share = ratio((double)f->smaps.anon_huge_bytes, (double)f->smaps.anonymous_bytes);
    f->ru_maxrss_bytes =
        r->ru_maxrss_bytes > r->harness_bytes ? r->ru_maxrss_bytes - r->harness_bytes : 0;

    f->access_count = r->access_count;
    f->access_s = (double)r->access_ns / 1e9;
    f->access_ns_mean = ratio((double)r->access_ns, (double)r->access_count);
    for (int i = 0; i < 6; i++)
        f->pmu[i] = r->perf_total[PERF_CPU_CYCLES + i];
    static const enum perf_metric visit_metrics[3] = {PERF_DTLB_LOAD_MISSES, PERF_DTLB_WALKS,
                                                      PERF_CPU_CYCLES};
    for (int i = 0; i < 3; i++)
        f->per_visit[i] = r->perf_total[visit_metrics[i]] == METRIC_UNSUPPORTED
                              ? NAN
                              : ratio((double)r->access_perf[visit_metrics[i]],
                                      (double)r->access_count);
    f->peak_anon_huge_bytes = r->peak_anon_huge_bytes;
    f->anon_huge_reads = r->huge_reads;
    f->anon_huge_sampling_s = (double)r->huge_read_ns / 1e9;
    f->fork_count = r->fork_count;
    f->fork_minor_faults = r->fork_minor_faults;
    f->fork_unshared_bytes = (int64_t)r->fork_shared_bytes - (int64_t)r->fork_shared_end_bytes;
    f->fork_child_pid = r->fork_child_pid;
    f->lock_all = r->params.lock_all;
    f->thp_never = r->params.thp_never;
    f->thp_disabled = r->thp_disabled;
    /* The harness's mappings are accessible and resident throughout. */
    f->mapped_bytes = r->mapped_end.mapped_bytes >= r->harness_bytes
                          ? r->mapped_end.mapped_bytes - r->harness_bytes
                          : METRIC_UNSUPPORTED;
    f->mapped_rss_bytes = r->mapped_end.rss_bytes >= r->harness_bytes
                              ? r->mapped_end.rss_bytes - r->harness_bytes
                              : METRIC_UNSUPPORTED;
}
