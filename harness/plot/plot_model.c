/* plot_model.c - reading a run directory back for drawing (see plot_model.h). */
#include "plot_model.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "plot_palette.h"
#include "run_json_file.h"
#include "summary_file.h"

static const char *const metric_columns[PM_COUNT] = {
    [PM_OPS_PER_S] = "ops_per_s",
    [PM_PEAK_HEAP] = "peak_heap_bytes",
    [PM_PEAK_LIVE] = "peak_live_bytes",
    [PM_PEAK_BRK] = "peak_brk_bytes",
    [PM_FINAL_HEAP] = "final_heap_bytes",
    [PM_FRAG_PEAK] = "frag_peak_ratio",
    [PM_LAT_P50] = "latency_p50_ns",
    [PM_LAT_P99] = "latency_p99_ns",
    [PM_LAT_P999] = "latency_p999_ns",
    [PM_LAT_MAX] = "latency_max_ns",
    [PM_MINOR_FAULTS] = "minor_faults",
    [PM_DTLB_LOAD_PER_KOP] = "dtlb_load_misses_per_kop",
    [PM_BASELINE_ANON] = "baseline_anon_bytes",
    [PM_LAT_MALLOC_P50] = "latency_malloc_p50_ns",
    [PM_LAT_MALLOC_P99] = "latency_malloc_p99_ns",
    [PM_LAT_CALLOC_P50] = "latency_calloc_p50_ns",
    [PM_LAT_CALLOC_P99] = "latency_calloc_p99_ns",
    [PM_LAT_REALLOC_P50] = "latency_realloc_p50_ns",
    [PM_LAT_REALLOC_P99] = "latency_realloc_p99_ns",
    [PM_LAT_ALIGNED_P50] = "latency_aligned_p50_ns",
    [PM_LAT_ALIGNED_P99] = "latency_aligned_p99_ns",
    [PM_LAT_FREE_P50] = "latency_free_p50_ns",
    [PM_LAT_FREE_P99] = "latency_free_p99_ns",
    [PM_WALL_S] = "wall_s",
    [PM_PEAK_RSS] = "peak_rss_bytes",
    [PM_ACCESS_NS_MEAN] = "access_ns_mean",
    [PM_PEAK_ANON_HUGE] = "peak_anon_huge_bytes",
    [PM_ACCESS_WALKS_PER_VISIT] = "access_dtlb_walks_per_visit",
};

const char *const plot_latency_kind_names[PLOT_LATENCY_KINDS] = {"malloc", "calloc", "realloc",
                                                                  "aligned", "free"};

const char *plot_metric_column(enum plot_metric m)
{
    return metric_columns[m];
}

static const char *json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* --- allocators and workloads, collected before they are ordered --- */

struct name_list {
    char **names;
    size_t n, cap;
};

static size_t name_index(const struct name_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0)
            return i;
    return SIZE_MAX;
}

static void name_add(struct name_list *l, const char *name)
{
    if (name_index(l, name) != SIZE_MAX)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->names = realloc(l->names, l->cap * sizeof *l->names);
        if (!l->names)
            abort();
    }
    l->names[l->n++] = xstrdup(name);
}

static void name_list_free(struct name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
}

/* Known allocators first in their fixed order, then the rest as seen. */
static void order_allocators(struct plot_run *run, const struct name_list *seen)
{
    run->nalloc = seen->n;
    run->alloc = xcalloc(seen->n, sizeof *run->alloc);
    size_t k = 0;
    for (int rank = 0; rank < 16; rank++)
        for (size_t i = 0; i < seen->n; i++)
            if (plot_palette_rank(seen->names[i]) == rank)
                run->alloc[k++].name = xstrdup(seen->names[i]);
    size_t ordinal = 0;
    for (size_t i = 0; i < seen->n; i++)
        if (plot_palette_rank(seen->names[i]) < 0) {
            run->alloc[k].colour = plot_palette_colour(seen->names[i], ordinal++);
            run->alloc[k++].name = xstrdup(seen->names[i]);
        }
    for (size_t i = 0; i < run->nalloc; i++)
        if (!run->alloc[i].colour)
            run->alloc[i].colour = plot_palette_colour(run->alloc[i].name, 0);
}

static size_t alloc_index(const struct plot_run *run, const char *name)
{
    for (size_t i = 0; i < run->nalloc; i++)
        if (strcmp(run->alloc[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static size_t wl_index(const struct plot_run *run, const char *name)
{
    for (size_t i = 0; i < run->nwl; i++)
        if (strcmp(run->wl[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* Make every stem unique: a clash (two names that sanitise alike cannot
 * clash thanks to the hash, but a safe name may equal another's stem) gets
 * the index appended. */
static void unique_stems(struct plot_run *run)
{
    for (size_t i = 0; i < run->nwl; i++) {
        render_file_stem(run->wl[i].name, run->wl[i].stem, sizeof run->wl[i].stem);
        for (size_t j = 0; j < i; j++)
            if (strcmp(run->wl[i].stem, run->wl[j].stem) == 0) {
                char tmp[RENDER_STEM_MAX];
                snprintf(tmp, sizeof tmp, "%.50s-%zu", run->wl[i].stem, i);
                memcpy(run->wl[i].stem, tmp, sizeof tmp);
            }
    }
}

static void fill_workload_meta(struct plot_workload *w, const json_t *jw)
{
    w->description = xstrdup(json_str(jw, "description"));
    w->source = xstrdup(json_str(jw, "source"));
    json_t *threads = json_object_get(jw, "threads");
    w->threads = json_is_integer(threads) ? (long)json_integer_value(threads) : 0;
    json_t *phases = json_object_get(jw, "phases");
    size_t n = json_is_array(phases) ? json_array_size(phases) : 0;
    w->phases = xcalloc(n, sizeof *w->phases);
    for (size_t i = 0; i < n; i++) {
        const char *p = json_string_value(json_array_get(phases, i));
        w->phases[i] = xstrdup(p ? p : "");
    }
    w->nphases = n;
    const char *kind = json_str(jw, "kind");
    w->program = kind && (strcmp(kind, "program") == 0 || strcmp(kind, "service") == 0);
}

static void fill_perf(struct plot_run *run)
{
    json_t *c = json_object_get(json_object_get(run->meta, "perf"), "dtlb_load_misses");
    if (!json_is_object(c))
        return;
    run->dtlb.known = true;
    run->dtlb.supported = json_is_true(json_object_get(c, "supported"));
    run->dtlb.reason = xstrdup(json_str(c, "reason"));
}

/* --- statistics over repetitions --- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool parse_number(const char *s, double *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static void compute_stat(struct plot_stat *st, double *v, size_t n)
{
    st->n = n;
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, cmp_double);
    st->min = v[0];
    st->max = v[n - 1];
    st->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void aggregate(struct plot_run *run, const struct csv_table *t)
{
    int cw = csv_column(t, "workload"), ca = csv_column(t, "allocator");
    int cs = csv_column(t, "status"), cr = csv_column(t, "reason"), crep = csv_column(t, "rep");
    int cm[PM_COUNT];
    for (int m = 0; m < PM_COUNT; m++)
        cm[m] = csv_column(t, metric_columns[m]);
    double *vals = xcalloc(t->rows, sizeof *vals);
    for (size_t w = 0; w < run->nwl; w++)
        for (size_t a = 0; a < run->nalloc; a++) {
            struct plot_cell *cell = plot_run_cell(run, w, a);
            for (size_t r = 0; r < t->rows; r++) {
                if (strcmp(csv_cell(t, r, cw), run->wl[w].name) != 0 ||
                    strcmp(csv_cell(t, r, ca), run->alloc[a].name) != 0)
                    continue;
                cell->runs++;
                const char *status = csv_cell(t, r, cs);
                if (strcmp(status, "ok") == 0) {
                    cell->ok++;
                    long rep = strtol(csv_cell(t, r, crep), NULL, 10);
                    if (rep > 0 && rep < INT_MAX && (cell->series_rep == 0 || rep < cell->series_rep))
                        cell->series_rep = (int)rep;
                } else if (!cell->failure) {
                    const char *reason = csv_cell(t, r, cr);
                    size_t len = strlen(status) + strlen(reason) + 3;
                    cell->failure = xcalloc(len, 1);
                    snprintf(cell->status, sizeof cell->status, "%s", status[0] ? status : "unknown");
                    snprintf(cell->failure, len, "%s%s%s", status[0] ? status : "unknown",
                             reason[0] ? ": " : "", reason);
                }
            }
            for (int m = 0; m < PM_COUNT; m++) {
                size_t n = 0;
                for (size_t r = 0; r < t->rows; r++)
                    if (strcmp(csv_cell(t, r, cw), run->wl[w].name) == 0 &&
                        strcmp(csv_cell(t, r, ca), run->alloc[a].name) == 0 &&
                        strcmp(csv_cell(t, r, cs), "ok") == 0 &&
                        parse_number(csv_cell(t, r, cm[m]), &vals[n]))
                        n++;
                compute_stat(&cell->stat[m], vals, n);
            }
        }
    free(vals);
}

int plot_run_load(const char *dir, struct plot_run *run, char *err, size_t errlen)
{
    memset(run, 0, sizeof *run);
    run->dir = xstrdup(dir);
    run->meta = run_json_read_dir(dir, err, errlen);
    if (!run->meta) {
        plot_run_free(run);
        return -1;
    }
    struct csv_table t;
    if (summary_read_dir(dir, &t, err, errlen) < 0) {
        plot_run_free(run);
        return -1;
    }
    int cw = csv_column(&t, "workload"), ca = csv_column(&t, "allocator");
    run->rows = t.rows;

    struct name_list allocs = {0}, wls = {0};
    json_t *ja = json_object_get(run->meta, "allocators"), *jw = json_object_get(run->meta, "workloads");
    size_t i;
    json_t *v;
    json_array_foreach(ja, i, v)
        if (json_str(v, "name"))
            name_add(&allocs, json_str(v, "name"));
    json_array_foreach(jw, i, v)
        if (json_str(v, "name"))
            name_add(&wls, json_str(v, "name"));
    for (size_t r = 0; r < t.rows; r++) {
        name_add(&allocs, csv_cell(&t, r, ca));
        name_add(&wls, csv_cell(&t, r, cw));
    }
    order_allocators(run, &allocs);
    json_array_foreach(ja, i, v) {
        size_t a = json_str(v, "name") ? alloc_index(run, json_str(v, "name")) : SIZE_MAX;
        if (a == SIZE_MAX || run->alloc[a].library)
            continue;
        run->alloc[a].version = xstrdup(json_str(v, "version"));
        run->alloc[a].library = xstrdup(json_str(v, "library"));
        run->alloc[a].package_version = xstrdup(json_str(v, "package_version"));
    }
    run->nwl = wls.n;
    run->wl = xcalloc(wls.n, sizeof *run->wl);
    for (size_t w = 0; w < wls.n; w++) {
        run->wl[w].name = xstrdup(wls.names[w]);
        run->wl[w].phases = xcalloc(0, sizeof *run->wl[w].phases);
    }
    json_array_foreach(jw, i, v) {
        size_t w = json_str(v, "name") ? wl_index(run, json_str(v, "name")) : SIZE_MAX;
        if (w != SIZE_MAX && !run->wl[w].source && !run->wl[w].description) {
            free(run->wl[w].phases);
            fill_workload_meta(&run->wl[w], v);
        }
    }
    unique_stems(run);
    name_list_free(&allocs);
    name_list_free(&wls);

    run->cells = xcalloc(run->nwl * run->nalloc, sizeof *run->cells);
    aggregate(run, &t);
    csv_free(&t);
    fill_perf(run);
    return 0;
}

struct plot_cell *plot_run_cell(const struct plot_run *run, size_t w, size_t a)
{
    return &run->cells[w * run->nalloc + a];
}

const char *plot_cell_missing_word(const struct plot_cell *cell)
{
    if (cell->runs == 0)
        return "not run";
    if (cell->ok == 0)
        return cell->status[0] ? cell->status : "failed";
    return "n/a";
}

bool plot_samples_path(const struct plot_run *run, size_t w, size_t a, int rep, char *buf,
                       size_t buflen)
{
    if (!render_path_component_ok(run->wl[w].name) || !render_path_component_ok(run->alloc[a].name))
        return false;
    int n = snprintf(buf, buflen, "%s/samples/%s/%s-%d.csv", run->dir, run->wl[w].name,
                     run->alloc[a].name, rep);
    return n > 0 && (size_t)n < buflen;
}

void plot_run_free(struct plot_run *run)
{
    for (size_t a = 0; a < run->nalloc; a++) {
        free(run->alloc[a].name);
        free(run->alloc[a].version);
        free(run->alloc[a].library);
        free(run->alloc[a].package_version);
    }
    free(run->alloc);
    for (size_t w = 0; w < run->nwl; w++) {
        free(run->wl[w].name);
        free(run->wl[w].description);
        free(run->wl[w].source);
        for (size_t p = 0; p < run->wl[w].nphases; p++)
            free(run->wl[w].phases[p]);
        free(run->wl[w].phases);
    }
    free(run->wl);
    if (run->cells)
        for (size_t c = 0; c < run->nwl * run->nalloc; c++)
            free(run->cells[c].failure);
    free(run->cells);
    free(run->dtlb.reason);
    free(run->dir);
    if (run->meta)
        json_decref(run->meta);
    memset(run, 0, sizeof *run);
}
