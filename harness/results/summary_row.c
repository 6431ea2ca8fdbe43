/* summary_row.c - summary.csv's columns as a table: each has a name and a
 * way to write its cell, so the header and every row cannot disagree.
 * Unsupported and undefined values, and figures of runs that did not
 * finish, are empty cells. */
#define _GNU_SOURCE
#include "summary_row.h"

#include <inttypes.h>
#include <math.h>

#include "csv.h"

struct column {
    const char *name;
    /* Writes the cell's text (no separator). arg: a column parameter. */
    void (*cell)(FILE *f, const struct results_row *row, const struct run_figures *g, int arg);
    int arg;
    int needs_figures; /* empty for rows without figures */
};

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

#define LAT(kind, field) ((kind) * 8 + (field))
#define LATENCY_COLUMNS(k, name)                                                  \
    {"latency_" name "_count", c_latency, LAT(k, 0), 1},                          \
        {"latency_" name "_p50_ns", c_latency, LAT(k, 1), 1},                     \
        {"latency_" name "_p99_ns", c_latency, LAT(k, 2), 1},                     \
        {"latency_" name "_p999_ns", c_latency, LAT(k, 3), 1}

/* The order is part of the contract: new columns are only ever appended
 * (docs/results.md). */
static const struct column columns[] = {
    {"workload", c_workload, 0, 0},
    {"allocator", c_allocator, 0, 0},
    {"rep", c_rep, 0, 0},
    {"status", c_status, 0, 0},
    {"reason", c_reason, 0, 0},
    {"ops", c_ops, 0, 1},
    {"threads", c_threads, 0, 0},
    {"wall_s", c_wall_s, 0, 1},
    {"ops_per_s", c_ops_per_s, 0, 1},
    {"peak_rss_bytes", c_peak_rss, 0, 1},
    {"peak_heap_bytes", c_peak_heap, 0, 1},
    {"peak_live_bytes", c_peak_live, 0, 1},
    {"peak_brk_bytes", c_peak_brk, 0, 1},
    {"final_heap_bytes", c_final_heap, 0, 1},
    {"frag_peak_ratio", c_frag_peak, 0, 1},
    {"frag_at_peak_heap", c_frag_at_peak, 0, 1},
    {"frag_mean_ratio", c_frag_mean, 0, 1},
    {"internal_frag_ratio", c_frag_internal, 0, 1},
    {"minor_faults", c_minor, 0, 1},
    {"major_faults", c_major, 0, 1},
    {"dtlb_load_misses", c_tlb, 0, 1},
    {"dtlb_store_misses", c_tlb, 1, 1},
    {"itlb_misses", c_tlb, 2, 1},
    {"dtlb_load_misses_per_kop", c_tlb_per_kop, 0, 1},
    {"dtlb_store_misses_per_kop", c_tlb_per_kop, 1, 1},
    {"itlb_misses_per_kop", c_tlb_per_kop, 2, 1},
    {"latency_p50_ns", c_latency, LAT(LAT_ALL, 1), 1},
    {"latency_p99_ns", c_latency, LAT(LAT_ALL, 2), 1},
    {"latency_p999_ns", c_latency, LAT(LAT_ALL, 3), 1},
    {"latency_max_ns", c_latency, LAT(LAT_ALL, 4), 1},
    {"hugepage_share", c_hugepage, 0, 1},
    {"smaps_rss_bytes", c_smaps_rss, 0, 1},
    {"smaps_anon_bytes", c_smaps_anon, 0, 1},
    {"smaps_anon_huge_bytes", c_smaps_huge, 0, 1},
    {"ru_maxrss_bytes", c_ru_maxrss, 0, 1},
    {"served_by", c_served_by, 0, 0},
    {"allocator_version", c_allocator_version, 0, 0},
    {"opstream_hash", c_hash, 0, 0},
    {"spec_hash", c_hash, 1, 0},
    {"allocator_stats", c_allocator_stats, 0, 0},
    /* Appended with the transparent measured loop. */
    {"paused_s", c_paused_s, 0, 1},
    {"peak_live_seen_bytes", c_peak_live_seen, 0, 1},
    {"baseline_anon_bytes", c_baseline_anon, 0, 1},
    {"harness_bytes", c_harness, 0, 1},
    {"timer_floor_ns", c_timer_floor, 0, 1},
    {"latency_count", c_latency, LAT(LAT_ALL, 0), 1},
    LATENCY_COLUMNS(LAT_MALLOC, "malloc"),
    LATENCY_COLUMNS(LAT_CALLOC, "calloc"),
    LATENCY_COLUMNS(LAT_REALLOC, "realloc"),
    LATENCY_COLUMNS(LAT_ALIGNED, "aligned"),
    LATENCY_COLUMNS(LAT_FREE, "free"),
    /* Appended with allocator variants and paired verdicts. */
    {"order_pos", c_order_pos, 0, 0},
    {"cpu_s", c_cpu_s, 0, 1},
    {"ops_per_cpu_s", c_ops_per_cpu_s, 0, 1},
    {"instructions", c_instructions, 0, 0},
    {"instructions_per_op", c_instructions, 1, 0},
};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

size_t summary_column_count(void)
{
    return COLUMN_COUNT;
}

const char *summary_column_name(size_t i)
{
    return i < COLUMN_COUNT ? columns[i].name : NULL;
}

void summary_write_header(FILE *f)
{
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        csv_write_field(f, columns[i].name, i + 1 == COLUMN_COUNT);
}

void summary_write_row(FILE *f, const struct results_row *row)
{
    for (size_t i = 0; i < COLUMN_COUNT; i++) {
        const struct column *c = &columns[i];
        if (!c->needs_figures || row->figures)
            c->cell(f, row, row->figures, c->arg);
        fputc(i + 1 == COLUMN_COUNT ? '\n' : ',', f);
    }
}
