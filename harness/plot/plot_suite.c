/* plot_suite.c - the suite summary: one cluster of bars per workload, one
 * bar per allocator (median over the ok repetitions, error bar min to max),
 * and the latency percentiles on a log scale. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_charts.h"
#include "plot_units.h"

#define GROUP_WIDTH 0.8

struct bar_chart {
    const char *kind;   /* stem suffix */
    const char *title;
    const char *sub;
    const char *ylabel;
    enum plot_metric metric;
    enum plot_unit unit;
    bool ref_one;       /* draw the line y = 1 */
    bool live_marks;    /* mark peak live bytes over each cluster */
};

static double bar_x(const struct plot_run *run, size_t w, size_t a)
{
    double bw = GROUP_WIDTH / (double)run->nalloc;
    return (double)w - GROUP_WIDTH / 2 + bw * ((double)a + 0.5);
}

/* Workload names on the x axis, escaped and cut short; slanted, with the
 * room they need below the axis, when they are many or long. */
#define TIC_MAX 28
#define KEY_MAX 24 /* allocator names in keys */

static void workload_tics(FILE *f, const struct plot_run *run)
{
    size_t longest = 0;
    fprintf(f, "  set xrange [-0.6:%g]\n  set xtics (", (double)run->nwl - 0.4);
    for (size_t w = 0; w < run->nwl; w++) {
        size_t len = strlen(run->wl[w].name);
        if (len > longest)
            longest = len > TIC_MAX ? TIC_MAX + 3 : len;
        fputs(w ? ", " : "", f);
        render_gp_string_max(f, run->wl[w].name, TIC_MAX);
        fprintf(f, " %zu", w);
    }
    fputs(") scale 0\n", f);
    if (run->nwl > 4 || longest > 14)
        fprintf(f, "  set xtics rotate by -25 left\n  set bmargin %zu\n", 4 + (longest + 3) / 4);
    fputs("  set xlabel 'workload'\n  set grid noxtics ytics\n", f);
}

/* Wide enough for the clusters, and for slanted names running right. */
static int chart_width(const struct plot_run *run)
{
    int width = 260 + (int)(run->nwl * (40 + 26 * run->nalloc));
    if (width < 760)
        width = 760;
    size_t longest = 0;
    for (size_t w = 0; w < run->nwl; w++) {
        size_t len = strlen(run->wl[w].name);
        len = len > TIC_MAX ? TIC_MAX + 3 : len;
        longest = len > longest ? len : longest;
    }
    if (longest > 14)
        width += (int)longest * 6;
    return width;
}

/* "n/a" standing in for a bar that has no value, with why in the report. */
static void missing_marks(FILE *f, const struct plot_run *run, enum plot_metric m)
{
    int label = 200;
    for (size_t w = 0; w < run->nwl; w++)
        for (size_t a = 0; a < run->nalloc; a++) {
            const struct plot_cell *cell = plot_run_cell(run, w, a);
            if (cell->stat[m].n)
                continue;
            fprintf(f, "  set label %d ", label++);
            render_gp_string(f, plot_cell_missing_word(cell));
            fprintf(f, " at %.6g, graph 0.02 rotate by 90 left font ',8' tc rgb '#777777' front\n",
                    bar_x(run, w, a));
        }
}

/* Workloads where allocator a has a value of m; of those, how many vary
 * across repetitions. */
static size_t metric_count(const struct plot_run *run, size_t a, enum plot_metric m)
{
    size_t n = 0;
    for (size_t w = 0; w < run->nwl; w++)
        n += plot_run_cell(run, w, a)->stat[m].n > 0;
    return n;
}

static size_t spread_count(const struct plot_run *run, size_t a, enum plot_metric m)
{
    size_t n = 0;
    for (size_t w = 0; w < run->nwl; w++) {
        const struct plot_stat *st = &plot_run_cell(run, w, a)->stat[m];
        n += st->n > 0 && st->max > st->min;
    }
    return n;
}

static bool metric_range(const struct plot_run *run, enum plot_metric m, double *lo, double *hi)
{
    bool any = false;
    for (size_t w = 0; w < run->nwl; w++)
        for (size_t a = 0; a < run->nalloc; a++) {
            const struct plot_stat *st = &plot_run_cell(run, w, a)->stat[m];
            if (!st->n)
                continue;
            if (!any || st->min < *lo)
                *lo = st->min;
            if (!any || st->max > *hi)
                *hi = st->max;
            any = true;
        }
    return any;
}

/* Why a suite chart has nothing to show, for its "no data" panel. */
static const char *no_data_reason(const struct plot_run *run, enum plot_metric m)
{
    size_t runs = 0, ok = 0;
    for (size_t w = 0; w < run->nwl; w++)
        for (size_t a = 0; a < run->nalloc; a++) {
            runs += plot_run_cell(run, w, a)->runs;
            ok += plot_run_cell(run, w, a)->ok;
        }
    if (runs == 0)
        return "nothing was measured: no run finished";
    if (ok == 0)
        return "no run succeeded (see the summary for why)";
    if (m >= PM_LAT_P50 && m <= PM_LAT_MAX)
        return "no latency samples: the workloads were too short to sample an op";
    return "the successful runs recorded no value for this metric";
}

static int bar_chart(const char *dir, const struct plot_run *run, struct plot_charts *charts,
                     const struct bar_chart *b, char *err, size_t errlen)
{
    char stem[64];
    snprintf(stem, sizeof stem, "suite.%s", b->kind);
    int width = chart_width(run);
    int height = 440;
    FILE *f = plot_script_open(dir, charts, stem, b->title, width, height, -1, err, errlen);
    if (!f)
        return -1;
    const char *final_stem = charts->v[charts->n - 1].stem;
    char title[224];
    snprintf(title, sizeof title, "%s%s", b->title, charts->title_suffix);
    double lo = 0, hi = 0;
    bool any = metric_range(run, b->metric, &lo, &hi);
    if (!any) {
        /* Nothing to draw: say so instead of an empty plot (which gnuplot
         * refuses to draw at all). */
        plot_script_draw_begin(f, run, final_stem, width, height);
        plot_title(f, title, b->sub);
        plot_message_panel(f, "no data", no_data_reason(run, b->metric));
        plot_script_draw_end(f);
        return plot_script_close(f, final_stem, err, errlen);
    }
    if (b->live_marks) {
        double l = 0, h = 0;
        if (metric_range(run, PM_PEAK_LIVE, &l, &h)) {
            lo = any && lo < l ? lo : l;
            hi = any && hi > h ? hi : h;
            any = true;
        }
    }
    if (b->ref_one) {
        lo = any && lo < 1 ? lo : 0.9;
        hi = any && hi > 1 ? hi : 1.1;
    }
    bool log = any && plot_wants_log(lo, hi);
    double bw = GROUP_WIDTH / (double)run->nalloc;
    for (size_t a = 0; a < run->nalloc; a++) {
        char name[24];
        snprintf(name, sizeof name, "b%zu", a + 1);
        plot_datablock_begin(f, name);
        for (size_t w = 0; w < run->nwl; w++) {
            const struct plot_stat *st = &plot_run_cell(run, w, a)->stat[b->metric];
            if (!st->n)
                continue;
            plot_datum(f, bar_x(run, w, a), true, false);
            plot_datum(f, st->median, true, false);
            plot_datum(f, st->min, true, false);
            plot_datum(f, st->max, true, true);
        }
        plot_datablock_end(f);
    }
    if (b->live_marks) {
        plot_datablock_begin(f, "live");
        for (size_t w = 0; w < run->nwl; w++)
            for (size_t a = 0; a < run->nalloc; a++) {
                const struct plot_stat *st = &plot_run_cell(run, w, a)->stat[PM_PEAK_LIVE];
                if (!st->n)
                    continue;
                plot_datum(f, (double)w, true, false);
                plot_datum(f, st->median, true, true);
                break;
            }
        plot_datablock_end(f);
    }
    plot_script_draw_begin(f, run, final_stem, width, height);
    plot_title(f, title, b->sub);
    fprintf(f, "  set ylabel '%s%s'\n", b->ylabel, log ? " (log scale)" : "");
    if (any)
        plot_axis(f, "y", b->unit, log ? lo : 0, hi, log, true);
    else
        plot_axis(f, "y", b->unit, 0, 1, false, true);
    workload_tics(f, run);
    missing_marks(f, run, b->metric);
    fputs("  set key outside right top vertical Left reverse samplen 1.5 spacing 1.2\n"
          "  set tmargin 5\n  set style fill solid 0.85 noborder\n",
          f);
    if (b->ref_one)
        fputs("  set arrow 90 from graph 0, first 1 to graph 1, first 1 nohead ls 100 front\n", f);
    /* Only non-empty datablocks are plotted (gnuplot warns about empty
     * ones); an allocator without values still gets its key entry. */
    const char *sep = "  plot";
    for (size_t a = 0; a < run->nalloc; a++) {
        if (metric_count(run, a, b->metric) > 0)
            fprintf(f, "%s $b%zu using 1:2:(%.6g) with boxes ls %zu title ", sep, a + 1, bw, a + 1);
        else
            fprintf(f, "%s keyentry with boxes ls %zu title ", sep, a + 1);
        render_gp_string_max(f, run->alloc[a].name, KEY_MAX);
        if (metric_count(run, a, b->metric) == 0)
            fputs(".' (no values)'", f);
        sep = ", \\\n      ";
    }
    for (size_t a = 0; a < run->nalloc; a++)
        if (spread_count(run, a, b->metric) > 0)
            fprintf(f, "%s $b%zu using 1:($4 > $3 ? $3 : NaN):(0):($4 - $3) with vectors heads "
                       "size screen 0.006,90 lc rgb '#333333' lw 1 notitle",
                    sep, a + 1);
    if (b->live_marks)
        fprintf(f, "%s $live using ($1-%.3g):2:(%.3g):(0) with vectors nohead ls 100 lw 2 title 'peak live bytes'",
                sep, GROUP_WIDTH / 2 + 0.03, GROUP_WIDTH + 0.06);
    if (b->ref_one)
        fprintf(f, "%s keyentry with lines ls 100 title 'heap = live'", sep);
    fputc('\n', f);
    plot_script_draw_end(f);
    return plot_script_close(f, final_stem, err, errlen);
}

/* Percentiles as point shapes on one vertical line per (workload,
 * allocator), from p50 up to the maximum. */
static int latency_chart(const char *dir, const struct plot_run *run, struct plot_charts *charts,
                         char *err, size_t errlen)
{
    static const enum plot_metric pct[] = {PM_LAT_P50, PM_LAT_P99, PM_LAT_P999, PM_LAT_MAX};
    static const char *const pct_name[] = {"p50", "p99", "p99.9", "max"};
    static const int pct_pt[] = {7, 9, 5, 2};
    const char *stem = "suite.latency";
    int width = chart_width(run);
    int height = 460;
    FILE *f = plot_script_open(dir, charts, stem, "suite: latency percentiles", width, height,
                               -1, err, errlen);
    if (!f)
        return -1;
    stem = charts->v[charts->n - 1].stem;
    char title[224];
    snprintf(title, sizeof title, "suite: per-operation latency%s", charts->title_suffix);
    double lo = 0, hi = 0;
    bool any = false;
    for (size_t i = 0; i < 4; i++) {
        double l = 0, h = 0;
        if (!metric_range(run, pct[i], &l, &h))
            continue;
        lo = any && lo < l ? lo : l;
        hi = any && hi > h ? hi : h;
        any = true;
    }
    if (!any) {
        plot_script_draw_begin(f, run, stem, width, height);
        plot_title(f, title, NULL);
        plot_message_panel(f, "no data", no_data_reason(run, PM_LAT_P50));
        plot_script_draw_end(f);
        return plot_script_close(f, stem, err, errlen);
    }
    if (lo <= 0)
        lo = 1;
    if (hi < lo)
        hi = lo * 10;
    for (size_t a = 0; a < run->nalloc; a++) {
        char name[24];
        snprintf(name, sizeof name, "l%zu", a + 1);
        plot_datablock_begin(f, name);
        for (size_t w = 0; w < run->nwl; w++) {
            const struct plot_cell *cell = plot_run_cell(run, w, a);
            if (!cell->stat[PM_LAT_P50].n)
                continue;
            plot_datum(f, bar_x(run, w, a), true, false);
            for (size_t i = 0; i < 4; i++)
                plot_datum(f, cell->stat[pct[i]].median, cell->stat[pct[i]].n > 0, i == 3);
        }
        plot_datablock_end(f);
    }
    plot_script_draw_begin(f, run, stem, width, height);
    plot_title(f, title,
               "sampled ops; median over repetitions; one line per allocator from p50 to max");
    fputs("  set ylabel 'latency (log scale)'\n", f);
    plot_axis(f, "y", PU_NS, lo, hi, true, false);
    workload_tics(f, run);
    missing_marks(f, run, PM_LAT_P50);
    fputs("  set key outside right top vertical Left reverse samplen 1.5 spacing 1.2\n"
          "  set tmargin 5\n",
          f);
    const char *sep = "  plot";
    for (size_t a = 0; a < run->nalloc; a++) {
        if (metric_count(run, a, PM_LAT_P50) == 0) {
            fprintf(f, "%s keyentry with lines ls %zu title ", sep, a + 1);
            render_gp_string_max(f, run->alloc[a].name, KEY_MAX);
            fputs(".' (no values)'", f);
            sep = ", \\\n      ";
            continue;
        }
        fprintf(f, "%s $l%zu using 1:2:2:5 with yerrorbars ls %zu lw 1.5 pt %d ps 0.8 title ", sep,
                a + 1, a + 1, pct_pt[0]);
        render_gp_string_max(f, run->alloc[a].name, KEY_MAX);
        sep = ", \\\n      ";
        for (size_t i = 1; i < 4; i++)
            if (metric_count(run, a, pct[i]) > 0)
                fprintf(f, "%s $l%zu using 1:%zu with points ls %zu pt %d ps 0.8 notitle", sep,
                        a + 1, i + 2, a + 1, pct_pt[i]);
    }
    for (size_t i = 0; i < 4; i++)
        fprintf(f, "%s keyentry with points lc rgb '#333333' pt %d ps 0.8 title '%s'", sep,
                pct_pt[i], pct_name[i]);
    fputc('\n', f);
    plot_script_draw_end(f);
    return plot_script_close(f, stem, err, errlen);
}

/* Whether any (workload, allocator) cell has a value of m. */
static bool any_value(const struct plot_run *run, enum plot_metric m)
{
    for (size_t w = 0; w < run->nwl; w++)
        for (size_t a = 0; a < run->nalloc; a++)
            if (plot_run_cell(run, w, a)->stat[m].n)
                return true;
    return false;
}

int plot_suite_charts(const char *dir, const struct plot_run *run, struct plot_charts *charts,
                      char *err, size_t errlen)
{
    if (run->nwl == 0 || run->nalloc == 0)
        return 0;
    static const struct bar_chart bars[] = {
        {"throughput", "suite: throughput", "operations per second, median of the repetitions; error bars: min to max (higher is better)",
         "operations per second", PM_OPS_PER_S, PU_RATE, false, false},
        {"peak_heap", "suite: peak heap", "highest resident anonymous memory − baseline; black line: peak live bytes (lower is better)",
         "peak heap", PM_PEAK_HEAP, PU_BYTES, false, true},
        {"frag", "suite: fragmentation", "peak heap / peak live bytes (Johnstone & Wilson #4); 1 = no overhead (lower is better)",
         "peak heap / peak live", PM_FRAG_PEAK, PU_RATIO, true, false},
    };
    static const struct bar_chart program_bars[] = {
        {"wall", "suite: wall time of the programs", "seconds from exec to exit (services: the load driver's run), median of the repetitions (lower is better)",
         "wall time", PM_WALL_S, PU_SECONDS, false, false},
        {"peak_rss", "suite: peak RSS of the programs", "kernel high-water mark of the largest process (wait4, as GNU time), median of the repetitions (lower is better)",
         "peak RSS", PM_PEAK_RSS, PU_BYTES, false, false},
    };
    /* A run of real programs only has no op-based figures: its charts are
     * the programs'. */
    size_t programs = 0;
    for (size_t w = 0; w < run->nwl; w++)
        programs += run->wl[w].program;
    if (programs)
        for (size_t i = 0; i < sizeof program_bars / sizeof program_bars[0]; i++)
            if (bar_chart(dir, run, charts, &program_bars[i], err, errlen) < 0)
                return -1;
    if (programs == run->nwl)
        return bar_chart(dir, run, charts, &bars[1], err, errlen);
    for (size_t i = 0; i < sizeof bars / sizeof bars[0]; i++)
        if (bar_chart(dir, run, charts, &bars[i], err, errlen) < 0)
            return -1;
    /* Page-level charts, where some workload has the figures. */
    static const struct bar_chart page_bars[] = {
        {"access", "suite: access cost", "mean time per visit of the access phases, median of the repetitions (lower is better)",
         "ns per visit", PM_ACCESS_NS_MEAN, PU_NS, false, false},
        {"access_walks", "suite: page walks per visit", "data page walks per visit of the access phases (the CPU's own events), median of the repetitions (lower is better)",
         "walks per visit", PM_ACCESS_WALKS_PER_VISIT, PU_RATIO, false, false},
    };
    for (size_t i = 0; i < sizeof page_bars / sizeof page_bars[0]; i++)
        if (any_value(run, page_bars[i].metric) &&
            bar_chart(dir, run, charts, &page_bars[i], err, errlen) < 0)
            return -1;
    return latency_chart(dir, run, charts, err, errlen);
}
