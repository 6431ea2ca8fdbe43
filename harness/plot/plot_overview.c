/* plot_overview.c - one picture that answers "which allocator is best
 * here": a heat map per metric (throughput, peak heap, p99 latency), rows
 * are workloads plus their geometric mean, columns are allocators, each
 * cell the allocator's value relative to the baseline allocator (glibc when
 * it has results). Colour says better (blue) or worse (red) whatever the
 * metric's direction; the text is the plain ratio, and the baseline column
 * shows its absolute value. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_charts.h"
#include "plot_units.h"

/* Colour saturates at this many doublings (4x better or worse). */
#define CLAMP_LOG2 2.0

struct ov_metric {
    enum plot_metric metric;
    enum plot_unit unit;
    bool higher_better;
    const char *title;
};

static const struct ov_metric metrics[] = {
    {PM_OPS_PER_S, PU_RATE, true, "throughput (higher is better)"},
    {PM_PEAK_HEAP, PU_BYTES, false, "peak heap (lower is better)"},
    {PM_LAT_P99, PU_NS, false, "p99 latency (lower is better)"},
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

size_t plot_baseline_allocator(const struct plot_run *run)
{
    size_t first = SIZE_MAX;
    for (size_t a = 0; a < run->nalloc; a++)
        for (size_t w = 0; w < run->nwl; w++)
            if (plot_run_cell(run, w, a)->ok) {
                if (strcmp(run->alloc[a].name, "glibc") == 0)
                    return a;
                if (first == SIZE_MAX)
                    first = a;
            }
    return first;
}

static double clamp_goodness(double ratio, bool higher_better)
{
    double g = log2(ratio) * (higher_better ? 1 : -1);
    return g > CLAMP_LOG2 ? CLAMP_LOG2 : g < -CLAMP_LOG2 ? -CLAMP_LOG2 : g;
}

/* Short absolute value for a baseline cell. */
static void short_value(enum plot_unit u, double v, char *buf, size_t n)
{
    plot_fmt(u == PU_RATE ? PU_COUNT : u, v, buf, n);
}

/* Cells of one metric: $okM (x y goodness "text") and $naM (x y "why"). */
static void metric_blocks(FILE *f, const struct plot_run *run, size_t base, size_t m)
{
    const struct ov_metric *om = &metrics[m];
    char name[24], text[64];
    snprintf(name, sizeof name, "ok%zu", m + 1);
    plot_datablock_begin(f, name);
    size_t nwl = run->nwl;
    for (size_t a = 0; a < run->nalloc; a++) {
        double logsum = 0;
        size_t count = 0;
        for (size_t w = 0; w < nwl; w++) {
            const struct plot_stat *s = &plot_run_cell(run, w, a)->stat[om->metric];
            const struct plot_stat *b = &plot_run_cell(run, w, base)->stat[om->metric];
            if (!s->n || !b->n || !(s->median > 0) || !(b->median > 0))
                continue;
            double ratio = s->median / b->median;
            logsum += log(ratio);
            count++;
            if (a == base)
                short_value(om->unit, s->median, text, sizeof text);
            else
                snprintf(text, sizeof text, ratio < 0.095 ? "%.1g×" : ratio < 9.95 ? "%.2f×" : "%.1f×",
                         ratio);
            fprintf(f, "%zu %zu %.4f \"%s\"\n", a, nwl - w, clamp_goodness(ratio, om->higher_better),
                    text);
        }
        if (count) {
            double gm = exp(logsum / (double)count);
            snprintf(text, sizeof text, a == base ? "1×" : "%.2f×", gm);
            fprintf(f, "%zu 0 %.4f \"%s\"\n", a, clamp_goodness(gm, om->higher_better), text);
        }
    }
    plot_datablock_end(f);
    snprintf(name, sizeof name, "na%zu", m + 1);
    plot_datablock_begin(f, name);
    fputs("-10 -10 \"\"\n", f); /* keeps the block non-empty; outside the range */
    for (size_t a = 0; a < run->nalloc; a++)
        for (size_t w = 0; w < nwl; w++) {
            const struct plot_cell *c = plot_run_cell(run, w, a);
            const struct plot_stat *b = &plot_run_cell(run, w, base)->stat[om->metric];
            if (c->stat[om->metric].n && b->n && c->stat[om->metric].median > 0 && b->median > 0)
                continue;
            /* The word is a status from summary.csv: keep it to letters
             * inside the datablock's quotes. */
            char why[16];
            size_t k = 0;
            for (const char *p = plot_cell_missing_word(c); *p && k + 1 < sizeof why; p++)
                if ((*p >= 'a' && *p <= 'z') || *p == ' ' || *p == '/')
                    why[k++] = *p;
            why[k] = '\0';
            fprintf(f, "%zu %zu \"%s\"\n", a, nwl - w, k ? why : "n/a");
        }
    plot_datablock_end(f);
}

int plot_overview_chart(const char *dir, const struct plot_run *run, struct plot_charts *charts,
                        char *err, size_t errlen)
{
    size_t base = plot_baseline_allocator(run);
    if (base == SIZE_MAX || run->nwl == 0)
        return 0;
    const char *stem = "suite.overview";
    int width = 340 + (int)(NMETRICS * run->nalloc * 84);
    int height = 150 + (int)(run->nwl + 1) * 34;
    char title[224];
    snprintf(title, sizeof title, "suite: every allocator relative to %.60s", run->alloc[base].name);
    FILE *f = plot_script_open(dir, charts, stem, title, width, height, -1, err, errlen);
    if (!f)
        return -1;
    stem = charts->v[charts->n - 1].stem;
    snprintf(title + strlen(title), sizeof title - strlen(title), "%s", charts->title_suffix);
    for (size_t m = 0; m < NMETRICS; m++)
        metric_blocks(f, run, base, m);

    /* Geometry in screen fractions: workload names, three panels, colour box. */
    double names = 200.0 / width, cbox = 110.0 / width, gap = 14.0 / width;
    double pw = (1.0 - names - cbox - gap * (NMETRICS - 1)) / NMETRICS;
    double top = 1.0 - 96.0 / height, bottom = 16.0 / height;

    plot_script_draw_begin(f, run, stem, width, height);
    fprintf(f, "set palette defined (-2 '#b2182b', -1 '#ef8a62', 0 '#f7f7f7', 1 '#67a9cf', 2 '#2166ac')\n"
               "set cbrange [-%g:%g]\n"
               "set cbtics ('4× worse' -2, '2× worse' -1, 'same' 0, '2× better' 1, '4× better' 2) scale 0\n"
               "set colorbox user origin screen %.4f, %.4f size screen %.4f, %.4f noborder\n"
               "set tics scale 0\nunset border\nunset grid\nunset key\nunset xtics\n"
               "set xrange [-0.5:%g]\nset yrange [-0.5:%g]\n"
               "set style fill solid 1.0 noborder\n"
               "set arrow 1 from graph 0, first 0.5 to graph 1, first 0.5 nohead lc rgb '#ffffff' lw 4 front\n",
            CLAMP_LOG2, CLAMP_LOG2, 1.0 - cbox + 14.0 / width, bottom, 14.0 / width, top - bottom,
            (double)run->nalloc - 0.5, (double)run->nwl + 0.5);
    fputs("set x2tics (", f);
    for (size_t a = 0; a < run->nalloc; a++) {
        fputs(a ? ", " : "", f);
        render_gp_string(f, run->alloc[a].name);
        fprintf(f, " %zu", a);
    }
    fputs(") scale 0\n", f);
    fputs("set tmargin at screen ", f);
    fprintf(f, "%.4f\nset bmargin at screen %.4f\n", top, bottom);
    fputs("  set multiplot\n", f);
    fputs("  set label 60 ", f);
    render_gp_string(f, title);
    fprintf(f, " at screen 0.5, screen %.4f center font ',13'\n  set label 61 ", 1.0 - 18.0 / height);
    render_gp_string(f, "cell: ratio to the baseline (baseline column: its own value); "
                        "colour: better or worse, whichever way the metric points");
    fprintf(f, " at screen 0.5, screen %.4f center tc rgb '#555555'\n", 1.0 - 38.0 / height);
    for (size_t m = 0; m < NMETRICS; m++) {
        double l = names + (double)m * (pw + gap);
        fprintf(f, "  set lmargin at screen %.4f\n  set rmargin at screen %.4f\n", l, l + pw);
        if (m == 0) {
            fputs("  set ytics (", f);
            for (size_t w = 0; w < run->nwl; w++) {
                render_gp_string(f, run->wl[w].name);
                fprintf(f, " %zu, ", run->nwl - w);
            }
            fputs("'geometric mean' 0)\n", f);
        } else {
            fputs("  unset ytics\n", f);
        }
        fprintf(f, "  %s\n", m + 1 == NMETRICS ? "set colorbox" : "unset colorbox");
        fputs("  set label 50 ", f);
        render_gp_string(f, metrics[m].title);
        fputs(" at graph 0.5, graph 1 offset 0, 2.6 center font ',12'\n", f);
        fprintf(f, "  plot $ok%zu using 1:2:(0.48):(0.47):3 with boxxyerror fc palette, \\\n"
                   "       $ok%zu using 1:2:4 with labels font ',10', \\\n"
                   "       $na%zu using 1:2:(0.48):(0.47) with boxxyerror fc rgb '#e0e0e0', \\\n"
                   "       $na%zu using 1:2:3 with labels font ',9' tc rgb '#666666'\n",
                m + 1, m + 1, m + 1, m + 1);
        if (m == 0)
            fputs("  unset label 60; unset label 61\n", f);
    }
    fputs("  unset multiplot\n", f);
    plot_script_draw_end(f);
    return plot_script_close(f, stem, err, errlen);
}
