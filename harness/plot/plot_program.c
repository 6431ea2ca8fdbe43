/* plot_program.c - the per-workload charts of a real program or service,
 * on a time axis (seconds since exec): resident memory of the process
 * tree, heap (anonymous memory - the program's right after exec), program
 * break, minor page faults. One repetition per allocator, as for synthetic
 * workloads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_charts.h"
#include "plot_series.h"
#include "plot_units.h"

#define PROGRAM_WIDTH 1020

struct program_chart {
    const char *kind, *what, *sub, *ylabel;
    enum plot_series_col col;
    enum plot_unit unit;
    bool steps;
    enum plot_metric key_metric; /* the summary figure shown in the key; PM_COUNT none */
    const char *key_word;
};

static const struct program_chart program_charts[] = {
    {"memory", "resident memory over time",
     "RSS summed over the program's process tree, sampled from outside;  key: highest sample",
     "resident memory", PS_RSS, PU_BYTES, false, PM_COUNT, "peak"},
    {"heap", "heap over time",
     "heap = anonymous resident memory of the tree − the program's right after exec",
     "heap", PS_HEAP, PU_BYTES, false, PM_PEAK_HEAP, "peak"},
    {"brk", "program break over time",
     "[heap] mapping end − start_brk of the program: how far it grew through brk (not mmap)",
     "program break − start", PS_BRK, PU_BYTES, true, PM_PEAK_BRK, "peak"},
    {"faults", "page faults over time",
     "minor page faults of the process tree since exec (cumulative)", "minor page faults",
     PS_MINOR_FAULTS, PU_COUNT, false, PM_MINOR_FAULTS, "total"},
};

static void key_title(FILE *f, const struct plot_run *run, size_t w, size_t a,
                      const struct plot_series *s, const struct program_chart *c)
{
    char detail[64] = "", val[48];
    double v;
    if (c->key_metric == PM_COUNT) {
        if (plot_series_max(s, c->col, &v)) {
            plot_fmt(c->unit, v, val, sizeof val);
            snprintf(detail, sizeof detail, "  %s %s", c->key_word, val);
        }
    } else if (plot_run_cell(run, w, a)->stat[c->key_metric].n) {
        plot_fmt(c->unit, plot_run_cell(run, w, a)->stat[c->key_metric].median, val, sizeof val);
        snprintf(detail, sizeof detail, "  %s %s", c->key_word, val);
    }
    char t[128];
    snprintf(t, sizeof t, "%.24s%s", run->alloc[a].name, detail);
    render_gp_string(f, t);
}

static int one_chart(const char *dir, const struct plot_run *run, size_t w,
                     struct plot_charts *charts, const struct plot_series *s, char **why,
                     double tmax, const struct program_chart *c, char *err, size_t errlen)
{
    char stem[RENDER_STEM_MAX + 32], title[160];
    snprintf(stem, sizeof stem, "%s.%s", run->wl[w].stem, c->kind);
    snprintf(title, sizeof title, "%.60s: %s", run->wl[w].name, c->what);
    FILE *f = plot_script_open(dir, charts, stem, title, PROGRAM_WIDTH, 420, (long)w, err, errlen);
    if (!f)
        return -1;
    double lo = 0, hi = 0, v;
    for (size_t a = 0; a < run->nalloc; a++) {
        if (why[a])
            continue;
        char name[24];
        snprintf(name, sizeof name, "s%zu", a + 1);
        plot_datablock_begin(f, name);
        for (size_t i = 0; i < s[a].n; i++) {
            plot_datum(f, s[a].col[PS_T][i], true, false);
            plot_datum(f, s[a].col[c->col][i], !isnan(s[a].col[c->col][i]), true);
        }
        plot_datablock_end(f);
        if (plot_series_max(&s[a], c->col, &v) && v > hi)
            hi = v;
        if (plot_series_min(&s[a], c->col, &v) && v < lo)
            lo = v;
    }
    if (hi <= lo)
        hi = lo + (c->unit == PU_BYTES ? 65536 : 1);
    plot_script_draw_begin(f, run, stem, PROGRAM_WIDTH, 420);
    plot_title(f, title, c->sub);
    fprintf(f, "  set ylabel '%s'\n", c->ylabel);
    plot_axis(f, "y", c->unit, lo, hi, false, true);
    plot_axis(f, "x", PU_SECONDS, 0, tmax, false, true);
    fputs("  set xlabel 'seconds since exec'\n"
          "  set key outside right top vertical Left reverse samplen 2.5 spacing 1.2 width 1\n"
          "  set tmargin 5\n",
          f);
    const char *sep = "  plot";
    for (size_t a = 0; a < run->nalloc; a++) {
        if (why[a]) {
            fprintf(f, "%s keyentry with lines ls %zu dt 3 title ", sep, a + 1);
            char t[96];
            snprintf(t, sizeof t, "%.24s  (no data: %s)", run->alloc[a].name,
                     plot_cell_missing_word(plot_run_cell(run, w, a)));
            render_gp_string(f, t);
        } else {
            fprintf(f, "%s $s%zu using 1:2 with %s ls %zu title ", sep, a + 1,
                    c->steps ? "steps" : "lines", a + 1);
            key_title(f, run, w, a, &s[a], c);
        }
        sep = ", \\\n      ";
    }
    fputc('\n', f);
    plot_script_draw_end(f);
    return plot_script_close(f, stem, err, errlen);
}

int plot_program_charts(const char *plots_dir, const struct plot_run *run, size_t w,
                        struct plot_charts *charts, char *err, size_t errlen)
{
    size_t n = run->nalloc ? run->nalloc : 1;
    struct plot_series *s = calloc(n, sizeof *s);
    char **why = calloc(n, sizeof *why);
    if (!s || !why)
        abort();
    double tmax = 0, v;
    bool any = false;
    for (size_t a = 0; a < run->nalloc; a++) {
        char msg[512] = "";
        if (plot_series_load(run, w, a, &s[a], msg, sizeof msg) < 0 || s[a].n == 0) {
            why[a] = strdup(msg[0] ? msg : "no samples");
            if (!why[a])
                abort();
            continue;
        }
        any = true;
        if (plot_series_max(&s[a], PS_T, &v) && v > tmax)
            tmax = v;
    }
    int rc = 0;
    if (tmax <= 0)
        tmax = 0.01;
    for (size_t i = 0; any && rc == 0 && i < sizeof program_charts / sizeof program_charts[0];
         i++)
        rc = one_chart(plots_dir, run, w, charts, s, why, tmax, &program_charts[i], err, errlen);
    for (size_t a = 0; a < run->nalloc; a++) {
        plot_series_free(&s[a]);
        free(why[a]);
    }
    free(s);
    free(why);
    return rc;
}
