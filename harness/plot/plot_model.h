/* plot_model.h - a run directory read back for drawing: metadata from
 * run.json, one aggregated cell per (workload, allocator) from summary.csv,
 * in the order every chart and the report use.
 *
 * Invariants after plot_run_load():
 *  - alloc[] is in the fixed display order (plot_palette.h): the known
 *    allocators first in their fixed order, then others as first seen
 *    (run.json, then summary.csv). An allocator's index is its colour slot
 *    in every chart of the run.
 *  - wl[] is in suite order (run.json), then workloads seen only in
 *    summary.csv, in first-seen order. Every stem is unique and file-safe.
 *  - cells has nwl * nalloc entries; a statistic with n == 0 means "no
 *    value" (no ok repetition, or the cell was empty: unsupported), never 0.
 */
#ifndef ALLOCSCOPE_PLOT_MODEL_H
#define ALLOCSCOPE_PLOT_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render_escape.h"

/* summary.csv columns the charts and the report use. */
enum plot_metric {
    PM_OPS_PER_S,
    PM_PEAK_HEAP,
    PM_PEAK_LIVE,
    PM_PEAK_BRK,
    PM_FINAL_HEAP,
    PM_FRAG_PEAK,
    PM_LAT_P50,
    PM_LAT_P99,
    PM_LAT_P999,
    PM_LAT_MAX,
    PM_MINOR_FAULTS,
    PM_DTLB_LOAD_PER_KOP,
    PM_BASELINE_ANON,
    /* Latency per kind of call: p50 and p99 each, in this order. */
    PM_LAT_MALLOC_P50,
    PM_LAT_MALLOC_P99,
    PM_LAT_CALLOC_P50,
    PM_LAT_CALLOC_P99,
    PM_LAT_REALLOC_P50,
    PM_LAT_REALLOC_P99,
    PM_LAT_ALIGNED_P50,
    PM_LAT_ALIGNED_P99,
    PM_LAT_FREE_P50,
    PM_LAT_FREE_P99,
    PM_WALL_S,     /* real programs: the figures they are judged by */
    PM_PEAK_RSS,
    PM_ACCESS_NS_MEAN,   /* access phases: mean cost of a visit */
    PM_PEAK_ANON_HUGE,   /* highest AnonHugePages */
    PM_ACCESS_WALKS_PER_VISIT,
    PM_COUNT
};

/* The kinds of call with latency columns, as in the PM_LAT_<KIND>_P50/P99
 * pairs, with their names. */
#define PLOT_LATENCY_KINDS 5
extern const char *const plot_latency_kind_names[PLOT_LATENCY_KINDS];

/* Column name of a metric in summary.csv. */
const char *plot_metric_column(enum plot_metric m);

/* Over the ok repetitions that had a value. */
struct plot_stat {
    size_t n;
    double median, min, max;
};

struct plot_allocator {
    char *name;
    const char *colour;    /* "#rrggbb", plot_palette_colour() */
    char *version;         /* run.json allocators[].version, or NULL */
    char *library;         /* run.json allocators[].library, or NULL */
    char *package_version; /* run.json allocators[].package_version, or NULL */
};

struct plot_workload {
    char *name;
    char stem[RENDER_STEM_MAX];
    char *description; /* NULL when run.json has none */
    char *source;      /* NULL when run.json has none */
    char **phases;     /* names by index, nphases of them (may be 0) */
    size_t nphases;
    long threads; /* 0 when unknown */
    bool program; /* a real program or service (run.json kind): time axis */
};

struct plot_cell {
    size_t runs;          /* rows in summary.csv */
    size_t ok;            /* rows with status ok */
    char *failure;        /* "status: reason" of the first non-ok row, or NULL */
    char status[16];      /* that row's status word (failed, timeout, ...), or "" */
    int series_rep;       /* repetition whose samples the time series show, 0 = none */
    struct plot_stat stat[PM_COUNT];
};

/* Support of a perf counter as run.json records it. */
struct plot_perf {
    bool known;     /* run.json said anything at all */
    bool supported;
    char *reason;   /* why not, or NULL */
};

struct plot_run {
    char *dir;
    json_t *meta; /* run.json, kept for the report's metadata */
    struct plot_allocator *alloc;
    size_t nalloc;
    struct plot_workload *wl;
    size_t nwl;
    struct plot_cell *cells;
    struct plot_perf dtlb; /* perf.dtlb_load_misses */
    size_t rows;           /* summary.csv data rows */
};

/* Read DIR/run.json and DIR/summary.csv. Returns 0, or -1 with a message. */
int plot_run_load(const char *dir, struct plot_run *run, char *err, size_t errlen);
void plot_run_free(struct plot_run *run);

struct plot_cell *plot_run_cell(const struct plot_run *run, size_t w, size_t a);

/* One word for a cell without a value: "not run", the status of its
 * first failed run ("timeout", "skipped", ...), or "n/a" (runs succeeded
 * but recorded no value). */
const char *plot_cell_missing_word(const struct plot_cell *cell);

/* Path of the samples file of (w, a, rep) into buf; false when a name is
 * unusable as a path component (the file is then not read). */
bool plot_samples_path(const struct plot_run *run, size_t w, size_t a, int rep, char *buf,
                       size_t buflen);

#endif
