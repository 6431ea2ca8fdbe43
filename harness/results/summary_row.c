/* summary_row.c - summary.csv's columns as a table: each has a name and a
 * way to write its cell, so the header and every row cannot disagree.
 * Unsupported and undefined values, and figures of runs that did not
 * finish, are empty cells. */
#define _GNU_SOURCE
#include "summary_row.h"

#include <inttypes.h>
#include <math.h>

#include "csv.h"
#include "program.h"

static void put_u64(FILE *f, uint64_t v)
{
    if (v != METRIC_UNSUPPORTED)
        fprintf(f, "%" PRIu64, v);
}

static void put_double(FILE *f, double v, const char *fmt)
{
    if (isfinite(v))
        fprintf(f, fmt, v);
}

static void put_text(FILE *f, const char *s)
{
    csv_write_value(f, s);
}

/* ---- row columns -------------------------------------------------------- */

#define ROW_TEXT(fn, expr)                                                                   \
    static void fn(FILE *f, const struct results_row *r, const struct run_figures *g, int a) \
    {                                                                                        \
        (void)g;                                                                             \
        (void)a;                                                                             \
        put_text(f, (expr));                                                                 \
    }
ROW_TEXT(c_workload, r->workload)
ROW_TEXT(c_allocator, r->allocator)
ROW_TEXT(c_status, run_status_name(r->status))
ROW_TEXT(c_reason, r->reason)
ROW_TEXT(c_served_by, r->served_by)
ROW_TEXT(c_allocator_version, r->allocator_version)
ROW_TEXT(c_allocator_stats, r->allocator_stats)

static void c_rep(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)g, (void)a;
    fprintf(f, "%u", r->rep);
}

static void c_threads(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)g, (void)a;
    fprintf(f, "%u", r->threads);
}

static void c_hash(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)g;
    uint64_t h = a ? r->spec_hash : r->opstream_hash;
    if (h)
        fprintf(f, "%016" PRIx64, h);
}

static void c_order_pos(FILE *f, const struct results_row *r, const struct run_figures *g,
                        int a)
{
    (void)g, (void)a;
    if (r->order_pos)
        fprintf(f, "%u", r->order_pos);
}

/* arg 0: the count; 1: per op. */
static void c_instructions(FILE *f, const struct results_row *r, const struct run_figures *g,
                           int a)
{
    (void)g;
    if (!r->has_instructions || r->instructions == METRIC_UNSUPPORTED)
        return;
    if (a == 0)
        put_u64(f, r->instructions);
    else if (r->instructions_ops)
        fprintf(f, "%.4f", (double)r->instructions / (double)r->instructions_ops);
}

/* ---- figure columns ----------------------------------------------------- */

#define FIG_U64(fn, expr)                                                                    \
    static void fn(FILE *f, const struct results_row *r, const struct run_figures *g, int a) \
    {                                                                                        \
        (void)r;                                                                             \
        (void)a;                                                                             \
        put_u64(f, (expr));                                                                  \
    }
#define FIG_I64(fn, expr)                                                                    \
    static void fn(FILE *f, const struct results_row *r, const struct run_figures *g, int a) \
    {                                                                                        \
        (void)r;                                                                             \
        (void)a;                                                                             \
        fprintf(f, "%" PRId64, (int64_t)(expr));                                             \
    }
#define FIG_DOUBLE(fn, expr, fmt)                                                            \
    static void fn(FILE *f, const struct results_row *r, const struct run_figures *g, int a) \
    {                                                                                        \
        (void)r;                                                                             \
        (void)a;                                                                             \
        put_double(f, (expr), fmt);                                                          \
    }

FIG_U64(c_ops, g->ops)
FIG_DOUBLE(c_wall_s, g->wall_s, "%.6f")
FIG_DOUBLE(c_ops_per_s, g->ops_per_s, "%.1f")
FIG_DOUBLE(c_paused_s, g->paused_s, "%.6f")
FIG_DOUBLE(c_cpu_s, g->cpu_s, "%.6f")
FIG_DOUBLE(c_ops_per_cpu_s, g->ops_per_cpu_s, "%.1f")
FIG_U64(c_peak_rss, g->peak_rss_bytes)
FIG_I64(c_peak_heap, g->peak_heap_bytes)
FIG_U64(c_peak_live, g->peak_live_bytes)
FIG_I64(c_peak_live_seen, g->peak_live_seen_bytes)
FIG_I64(c_peak_brk, g->peak_brk_bytes)
FIG_I64(c_final_heap, g->final_heap_bytes)
FIG_U64(c_baseline_anon, g->baseline_anon_bytes)
FIG_U64(c_harness, g->harness_bytes)
FIG_DOUBLE(c_frag_peak, g->frag_peak_ratio, "%.4f")
FIG_DOUBLE(c_frag_at_peak, g->frag_at_peak_heap, "%.4f")
FIG_DOUBLE(c_frag_mean, g->frag_mean_ratio, "%.4f")
FIG_DOUBLE(c_frag_internal, g->internal_frag_ratio, "%.4f")
FIG_U64(c_minor, g->minor_faults)
FIG_U64(c_major, g->major_faults)
FIG_U64(c_timer_floor, g->timer_floor_ns)
FIG_DOUBLE(c_hugepage, g->hugepage_share, "%.4f")
FIG_U64(c_smaps_rss, g->smaps.rss_bytes)
FIG_U64(c_smaps_anon, g->smaps.anonymous_bytes)
FIG_U64(c_smaps_huge, g->smaps.anon_huge_bytes)
FIG_U64(c_ru_maxrss, g->ru_maxrss_bytes)

static void c_tlb(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)r;
    put_u64(f, g->tlb[a]);
}

static void c_tlb_per_kop(FILE *f, const struct results_row *r, const struct run_figures *g,
                          int a)
{
    (void)r;
    put_double(f, g->tlb_per_kop[a], "%.3f");
}

/* Latency: arg = kind * 8 + field (0 count, 1 p50, 2 p99, 3 p99.9, 4 max). */
static void c_latency(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)r;
    const struct latency_figures *l = &g->latency[a / 8];
    const uint64_t v[5] = {l->count, l->p50_ns, l->p99_ns, l->p999_ns, l->max_ns};
    put_u64(f, v[a % 8]);
}

/* ---- page-level columns (access and fork phases, lock, thp) -------------- */

/* Access columns: arg 0 count, 1 seconds, 2 mean ns, 3.. timed p50/p99/p99.9,
 * 6 timed count; empty when the workload has no access phase. */
static void c_access(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)r;
    if (!g->access_count)
        return;
    const struct latency_figures *l = &g->latency[LAT_ACCESS];
    switch (a) {
    case 0:
        put_u64(f, g->access_count);
        break;
    case 1:
        put_double(f, g->access_s, "%.6f");
        break;
    case 2:
        put_double(f, g->access_ns_mean, "%.2f");
        break;
    case 3:
        put_u64(f, l->p50_ns);
        break;
    case 4:
        put_u64(f, l->p99_ns);
        break;
    case 5:
        put_u64(f, l->p999_ns);
        break;
    case 6:
        put_u64(f, l->count);
        break;
    }
}

/* Fork columns: empty without a fork phase. */
static void c_fork(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)r;
    if (!g->fork_count)
        return;
    switch (a) {
    case 0:
        fprintf(f, "%u", g->fork_count);
        break;
    case 1:
        put_u64(f, g->fork_minor_faults);
        break;
    case 2:
        fprintf(f, "%" PRId64, g->fork_unshared_bytes);
        break;
    case 3:
        fprintf(f, "%d", g->fork_child_pid);
        break;
    }
}

static void c_conditions(FILE *f, const struct results_row *r, const struct run_figures *g,
                         int a)
{
    (void)r;
    switch (a) {
    case 0:
        put_text(f, g->lock_all ? "all" : "none");
        break;
    case 1:
        put_u64(f, g->mapped_bytes);
        break;
    case 2:
        put_u64(f, g->mapped_rss_bytes);
        break;
    case 3:
        put_text(f, g->thp_never ? "never" : "default");
        break;
    case 4:
        if (g->thp_disabled >= 0)
            fprintf(f, "%d", g->thp_disabled);
        break;
    case 5:
        put_u64(f, g->peak_anon_huge_bytes);
        break;
    case 6:
        put_u64(f, g->anon_huge_reads);
        break;
    case 7:
        put_double(f, g->anon_huge_sampling_s, "%.6f");
        break;
    }
}

/* The CPU's own counters: arg 0..5 totals, 6..8 per visit. */
static void c_pmu(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)r;
    if (a < 6)
        put_u64(f, g->pmu[a]);
    else
        put_double(f, g->per_visit[a - 6], "%.4f");
}

/* ---- program columns (real programs, docs/results.md) ------------------- */

static void p_threads(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    fprintf(f, "%u", o->peak_threads);
}

static void p_wall(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    fprintf(f, "%.6f", o->wall_s);
}

static void p_peak_rss(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    put_u64(f, o->ru_maxrss_bytes);
}

static void p_peak_heap(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    if (o->nsamples)
        fprintf(f, "%" PRId64, o->peak_heap_bytes);
}

static void p_peak_brk(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    if (o->nsamples)
        fprintf(f, "%" PRIu64, o->peak_brk_bytes);
}

static void p_minor(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    put_u64(f, o->minor_faults);
}

static void p_major(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    put_u64(f, o->major_faults);
}

static void p_dtlb_load(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    put_u64(f, o->perf[PERF_DTLB_LOAD_MISSES]);
}

static void p_dtlb_store(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    put_u64(f, o->perf[PERF_DTLB_STORE_MISSES]);
}

static void p_itlb(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    put_u64(f, o->perf[PERF_ITLB_MISSES]);
}

static void p_hugepage(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    if (o->smaps.rss_bytes && o->smaps.anonymous_bytes)
        fprintf(f, "%.4f", (double)o->smaps.anon_huge_bytes / (double)o->smaps.anonymous_bytes);
}

static void p_smaps_rss(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    if (o->smaps.rss_bytes)
        fprintf(f, "%" PRIu64, o->smaps.rss_bytes);
}

static void p_smaps_anon(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    if (o->smaps.rss_bytes)
        fprintf(f, "%" PRIu64, o->smaps.anonymous_bytes);
}

static void p_smaps_huge(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    if (o->smaps.rss_bytes)
        fprintf(f, "%" PRIu64, o->smaps.anon_huge_bytes);
}

static void p_user(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    fprintf(f, "%.6f", o->user_s);
}

static void p_sys(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    fprintf(f, "%.6f", o->sys_s);
}

static void p_output_hash(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    if (o->have_output_hash)
        fprintf(f, "%016" PRIx64, o->output_hash);
}

static void p_same_output(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)o;
    put_text(f, r->program_info && r->program_info->same_output ? r->program_info->same_output
                                                                  : "");
}

static void p_tree_peak(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    fprintf(f, "%" PRIu64, o->tree_peak_bytes);
}

static void p_tree_method(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    put_text(f, o->tree_peak_cgroup ? "cgroup2 memory.peak" : "sampled /proc");
}

static void p_interval(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)o;
    if (r->program_info && r->program_info->interval_s > 0)
        fprintf(f, "%g", r->program_info->interval_s * 1e3);
}

static void p_samples(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    fprintf(f, "%zu", o->nsamples);
}

static void p_processes(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    fprintf(f, "%u", o->processes);
}

static void p_hwm(FILE *f, const struct results_row *r, const struct program_outcome *o)
{
    (void)r;
    if (o->hwm_bytes)
        fprintf(f, "%" PRIu64, o->hwm_bytes);
}

/* `kind` and `exit_status` are written for every row (a failed program
 * keeps its exit status): row columns that look at the program. */
static void c_kind(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)g, (void)a;
    put_text(f, r->program_info ? r->program_info->kind : "synthetic");
}

static void c_exit_status(FILE *f, const struct results_row *r, const struct run_figures *g,
                          int a)
{
    (void)g, (void)a;
    const struct program_outcome *o = r->program;
    if (o && o->exit_status >= 0 && (o->ran || o->term_signal == 0))
        fprintf(f, "%d", o->exit_status);
}

/* ---- trace columns (empty for workloads without a trace) ----------------- */

static void c_trace(FILE *f, const struct results_row *r, const struct run_figures *g, int a)
{
    (void)g;
    const struct trace_facts *t = r->trace;
    if (!t)
        return;
    switch (a) {
    case 0:
        fprintf(f, "%016" PRIx64, t->status.hash);
        break;
    case 1:
        fprintf(f, "%" PRIu64, t->events);
        break;
    case 2:
        fprintf(f, "%" PRIu64, t->peak_live_bytes);
        break;
    case 3:
        put_text(f, trace_end_name(t->status.end));
        break;
    case 4:
        put_text(f, r->trace_fidelity);
        break;
    }
}

#define LAT(kind, field) ((kind) * 8 + (field))
#define LATENCY_COLUMNS(k, name)                                                       \
    {"latency_" name "_count", CELL_COUNT, c_latency, LAT(k, 0), 1, NULL},             \
        {"latency_" name "_p50_ns", CELL_COUNT, c_latency, LAT(k, 1), 1, NULL},        \
        {"latency_" name "_p99_ns", CELL_COUNT, c_latency, LAT(k, 2), 1, NULL},        \
        {"latency_" name "_p999_ns", CELL_COUNT, c_latency, LAT(k, 3), 1, NULL}

/* The order is part of the contract: new columns are only ever appended
 * (docs/results.md). */
const struct summary_column summary_columns[] = {
    {"workload", CELL_NAME, c_workload, 0, 0, NULL},
    {"allocator", CELL_NAME, c_allocator, 0, 0, NULL},
    {"rep", CELL_REP, c_rep, 0, 0, NULL},
    {"status", CELL_STATUS, c_status, 0, 0, NULL},
    {"reason", CELL_TEXT, c_reason, 0, 0, NULL},
    {"ops", CELL_COUNT, c_ops, 0, 1, NULL},
    {"threads", CELL_COUNT, c_threads, 0, 0, p_threads},
    {"wall_s", CELL_DECIMAL, c_wall_s, 0, 1, p_wall},
    {"ops_per_s", CELL_DECIMAL, c_ops_per_s, 0, 1, NULL},
    {"peak_rss_bytes", CELL_COUNT, c_peak_rss, 0, 1, p_peak_rss},
    {"peak_heap_bytes", CELL_SIGNED, c_peak_heap, 0, 1, p_peak_heap},
    {"peak_live_bytes", CELL_COUNT, c_peak_live, 0, 1, NULL},
    {"peak_brk_bytes", CELL_SIGNED, c_peak_brk, 0, 1, p_peak_brk},
    {"final_heap_bytes", CELL_SIGNED, c_final_heap, 0, 1, NULL},
    {"frag_peak_ratio", CELL_DECIMAL, c_frag_peak, 0, 1, NULL},
    {"frag_at_peak_heap", CELL_DECIMAL, c_frag_at_peak, 0, 1, NULL},
    {"frag_mean_ratio", CELL_DECIMAL, c_frag_mean, 0, 1, NULL},
    {"internal_frag_ratio", CELL_DECIMAL, c_frag_internal, 0, 1, NULL},
    {"minor_faults", CELL_COUNT, c_minor, 0, 1, p_minor},
    {"major_faults", CELL_COUNT, c_major, 0, 1, p_major},
    {"dtlb_load_misses", CELL_COUNT, c_tlb, 0, 1, p_dtlb_load},
    {"dtlb_store_misses", CELL_COUNT, c_tlb, 1, 1, p_dtlb_store},
    {"itlb_misses", CELL_COUNT, c_tlb, 2, 1, p_itlb},
    {"dtlb_load_misses_per_kop", CELL_DECIMAL, c_tlb_per_kop, 0, 1, NULL},
    {"dtlb_store_misses_per_kop", CELL_DECIMAL, c_tlb_per_kop, 1, 1, NULL},
    {"itlb_misses_per_kop", CELL_DECIMAL, c_tlb_per_kop, 2, 1, NULL},
    {"latency_p50_ns", CELL_COUNT, c_latency, LAT(LAT_ALL, 1), 1, NULL},
    {"latency_p99_ns", CELL_COUNT, c_latency, LAT(LAT_ALL, 2), 1, NULL},
    {"latency_p999_ns", CELL_COUNT, c_latency, LAT(LAT_ALL, 3), 1, NULL},
    {"latency_max_ns", CELL_COUNT, c_latency, LAT(LAT_ALL, 4), 1, NULL},
    {"hugepage_share", CELL_DECIMAL, c_hugepage, 0, 1, p_hugepage},
    {"smaps_rss_bytes", CELL_COUNT, c_smaps_rss, 0, 1, p_smaps_rss},
    {"smaps_anon_bytes", CELL_COUNT, c_smaps_anon, 0, 1, p_smaps_anon},
    {"smaps_anon_huge_bytes", CELL_COUNT, c_smaps_huge, 0, 1, p_smaps_huge},
    {"ru_maxrss_bytes", CELL_COUNT, c_ru_maxrss, 0, 1, p_peak_rss},
    {"served_by", CELL_TEXT, c_served_by, 0, 0, NULL},
    {"allocator_version", CELL_TEXT, c_allocator_version, 0, 0, NULL},
    {"opstream_hash", CELL_HASH, c_hash, 0, 0, NULL},
    {"spec_hash", CELL_HASH, c_hash, 1, 0, NULL},
    {"allocator_stats", CELL_TEXT, c_allocator_stats, 0, 0, NULL},
    /* Appended with real programs (empty for synthetic rows but `kind`). */
    {"kind", CELL_TEXT, c_kind, 0, 0, NULL},
    {"user_s", CELL_DECIMAL, NULL, 0, 2, p_user},
    {"sys_s", CELL_DECIMAL, NULL, 0, 2, p_sys},
    {"exit_status", CELL_COUNT, c_exit_status, 0, 0, NULL},
    {"output_hash", CELL_HASH, NULL, 0, 2, p_output_hash},
    {"same_output", CELL_TEXT, NULL, 0, 2, p_same_output},
    {"tree_peak_rss_bytes", CELL_COUNT, NULL, 0, 2, p_tree_peak},
    {"tree_peak_method", CELL_TEXT, NULL, 0, 2, p_tree_method},
    {"sample_interval_ms", CELL_DECIMAL, NULL, 0, 2, p_interval},
    {"samples", CELL_COUNT, NULL, 0, 2, p_samples},
    {"processes", CELL_COUNT, NULL, 0, 2, p_processes},
    {"hwm_bytes", CELL_COUNT, NULL, 0, 2, p_hwm},
    /* Appended with the transparent measured loop. */
    {"paused_s", CELL_DECIMAL, c_paused_s, 0, 1, NULL},
    {"peak_live_seen_bytes", CELL_SIGNED, c_peak_live_seen, 0, 1, NULL},
    {"baseline_anon_bytes", CELL_COUNT, c_baseline_anon, 0, 1, NULL},
    {"harness_bytes", CELL_COUNT, c_harness, 0, 1, NULL},
    {"timer_floor_ns", CELL_COUNT, c_timer_floor, 0, 1, NULL},
    {"latency_count", CELL_COUNT, c_latency, LAT(LAT_ALL, 0), 1, NULL},
    LATENCY_COLUMNS(LAT_MALLOC, "malloc"),
    LATENCY_COLUMNS(LAT_CALLOC, "calloc"),
    LATENCY_COLUMNS(LAT_REALLOC, "realloc"),
    LATENCY_COLUMNS(LAT_ALIGNED, "aligned"),
    LATENCY_COLUMNS(LAT_FREE, "free"),
    /* Appended with trace record and replay. */
    {"trace_hash", CELL_HASH, c_trace, 0, 0, NULL},
    {"trace_events", CELL_COUNT, c_trace, 1, 0, NULL},
    {"trace_peak_live_bytes", CELL_COUNT, c_trace, 2, 0, NULL},
    {"trace_end", CELL_TEXT, c_trace, 3, 0, NULL},
    {"trace_fidelity", CELL_TEXT, c_trace, 4, 0, NULL},
    /* Appended with allocator variants and paired verdicts. */
    {"order_pos", CELL_COUNT, c_order_pos, 0, 0, NULL},
    {"cpu_s", CELL_DECIMAL, c_cpu_s, 0, 1, NULL},
    {"ops_per_cpu_s", CELL_DECIMAL, c_ops_per_cpu_s, 0, 1, NULL},
    {"instructions", CELL_COUNT, c_instructions, 0, 0, NULL},
    {"instructions_per_op", CELL_DECIMAL, c_instructions, 1, 0, NULL},
    /* Appended with page-level effects (access and fork phases, lock, thp). */
    {"access_count", CELL_COUNT, c_access, 0, 1, NULL},
    {"access_s", CELL_DECIMAL, c_access, 1, 1, NULL},
    {"access_ns_mean", CELL_DECIMAL, c_access, 2, 1, NULL},
    {"access_ns_p50", CELL_COUNT, c_access, 3, 1, NULL},
    {"access_ns_p99", CELL_COUNT, c_access, 4, 1, NULL},
    {"access_ns_p999", CELL_COUNT, c_access, 5, 1, NULL},
    {"access_timed_count", CELL_COUNT, c_access, 6, 1, NULL},
    {"fork_count", CELL_COUNT, c_fork, 0, 1, NULL},
    {"fork_minor_faults", CELL_COUNT, c_fork, 1, 1, NULL},
    {"fork_unshared_bytes", CELL_SIGNED, c_fork, 2, 1, NULL},
    {"fork_child_pid", CELL_COUNT, c_fork, 3, 1, NULL},
    {"lock", CELL_TEXT, c_conditions, 0, 1, NULL},
    {"mapped_bytes", CELL_COUNT, c_conditions, 1, 1, NULL},
    {"mapped_rss_bytes", CELL_COUNT, c_conditions, 2, 1, NULL},
    {"thp", CELL_TEXT, c_conditions, 3, 1, NULL},
    {"thp_disabled", CELL_COUNT, c_conditions, 4, 1, NULL},
    {"peak_anon_huge_bytes", CELL_COUNT, c_conditions, 5, 1, NULL},
    {"anon_huge_samples", CELL_COUNT, c_conditions, 6, 1, NULL},
    {"anon_huge_sampling_s", CELL_DECIMAL, c_conditions, 7, 1, NULL},
    {"cpu_cycles", CELL_COUNT, c_pmu, 0, 1, NULL},
    {"cpu_instructions", CELL_COUNT, c_pmu, 1, 1, NULL},
    {"dtlb_walks", CELL_COUNT, c_pmu, 2, 1, NULL},
    {"dtlb_walks_4k", CELL_COUNT, c_pmu, 3, 1, NULL},
    {"dtlb_walks_2m", CELL_COUNT, c_pmu, 4, 1, NULL},
    {"dtlb_walk_cycles", CELL_COUNT, c_pmu, 5, 1, NULL},
    {"access_dtlb_load_misses_per_visit", CELL_DECIMAL, c_pmu, 6, 1, NULL},
    {"access_dtlb_walks_per_visit", CELL_DECIMAL, c_pmu, 7, 1, NULL},
    {"access_cycles_per_visit", CELL_DECIMAL, c_pmu, 8, 1, NULL},
};
const size_t summary_column_count = sizeof summary_columns / sizeof summary_columns[0];
_Static_assert(sizeof summary_columns / sizeof summary_columns[0] <= SUMMARY_MAX_COLUMNS,
               "SUMMARY_MAX_COLUMNS covers every column");
#define COLUMN_COUNT summary_column_count

void summary_write_header(FILE *f)
{
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        csv_write_field(f, summary_columns[i].name, i + 1 == COLUMN_COUNT);
}

void summary_write_row(FILE *f, const struct results_row *row)
{
    const struct program_outcome *prog = row->program && row->program->ran ? row->program : NULL;
    for (size_t i = 0; i < COLUMN_COUNT; i++) {
        const struct summary_column *c = &summary_columns[i];
        if (prog && c->pcell)
            c->pcell(f, row, prog);
        else if (!prog && c->write && (c->needs == 0 || (c->needs == 1 && row->figures)))
            c->write(f, row, row->figures, c->arg);
        else if (prog && c->needs == 0 && c->write)
            c->write(f, row, NULL, c->arg);
        fputc(i + 1 == COLUMN_COUNT ? '\n' : ',', f);
    }
}
