/* plot_timeseries.c - the per-workload charts against op count: heap with
 * live bytes as the reference line, program break, fragmentation ratio,
 * and paging (page faults, TLB misses). One repetition per allocator (the
 * first that succeeded); phase boundaries drawn as dotted lines with the
 * phase's name. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_charts.h"
#include "plot_series.h"
#include "plot_units.h"

/* Everything the four charts of one workload share. */
struct ts_ctx {
    const char *plots_dir;
    const struct plot_run *run;
    size_t w;
    struct plot_charts *charts;
    struct plot_series *s;  /* [nalloc] */
    char **why;             /* [nalloc] why an allocator has no series, or NULL */
    size_t ref;             /* series that supplies live bytes and phases */
    double xmax;
};

/* Wide enough for the key on the right. */
#define TS_WIDTH 1020

static void keytitle(FILE *f, const char *fmt_name, const char *detail)
{
    size_t len = strlen(fmt_name) + strlen(detail) + 8;
    char *t = malloc(len);
    if (!t)
        abort();
    /* Long names are cut (at a byte; the escaper repairs a split UTF-8
     * character) so the key keeps its room. */
    snprintf(t, len, "%.24s%s%s%s", fmt_name, strlen(fmt_name) > 24 ? "..." : "",
             detail[0] ? "  " : "", detail);
    render_gp_string(f, t);
    free(t);
}

/* `$sN << EOD` with op and the given column of allocator a. */
static void series_block(FILE *f, const struct plot_series *s, const char *name,
                         enum plot_series_col c)
{
    plot_datablock_begin(f, name);
    for (size_t i = 0; i < s->n; i++) {
        plot_datum(f, s->col[PS_OP][i], true, false);
        plot_datum(f, s->col[c][i], true, true);
    }
    plot_datablock_end(f);
}

/* Datablocks $s1.. for every allocator with data, widening [lo, hi] to
 * their range of column `col`. */
static void allocator_blocks(FILE *f, const struct ts_ctx *c, enum plot_series_col col,
                             double *lo, double *hi)
{
    char name[24];
    double v;
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "s%zu", a + 1);
        series_block(f, &c->s[a], name, col);
        if (plot_series_max(&c->s[a], col, &v) && v > *hi)
            *hi = v;
        if (plot_series_min(&c->s[a], col, &v) && v < *lo)
            *lo = v;
    }
}

static FILE *open_chart(const struct ts_ctx *c, const char *kind, const char *what, int height,
                        char *stem, size_t stemlen, char *err, size_t errlen)
{
    snprintf(stem, stemlen, "%s.%s", c->run->wl[c->w].stem, kind);
    char title[160];
    snprintf(title, sizeof title, "%.60s: %s", c->run->wl[c->w].name, what);
    return plot_script_open(c->plots_dir, c->charts, stem, title, TS_WIDTH, height,
                            (long)c->w, err, errlen);
}

/* x axis, phase boundaries and names, key above the plot. */
static void common_settings(FILE *f, const struct ts_ctx *c)
{
    const struct plot_series *r = &c->s[c->ref];
    const struct plot_workload *wl = &c->run->wl[c->w];
    plot_axis(f, "x", PU_COUNT, 0, c->xmax, false, true);
    /* Tics as computed, range exactly the run: no empty stretch after it. */
    fprintf(f, "  set xrange [0:%.10g]\n", c->xmax);
    fputs("  set xlabel 'operations completed (all threads)'\n"
          "  set key outside right top vertical Left reverse samplen 2.5 spacing 1.2 width 1\n"
          "  set tmargin 5\n",
          f);
    int label = 1, level = 0;
    long shown = -1;
    double last_x = 0;
    for (size_t i = 0; i < r->n; i++) {
        long p = r->phase[i];
        bool starts = i == 0 || p != shown;
        if (!starts)
            continue;
        double x = i == 0 ? 0 : r->col[PS_OP][i - 1];
        if (i > 0)
            fprintf(f, "  set arrow from %.10g, graph 0 to %.10g, graph 1 nohead ls 101 back\n", x,
                    x);
        char buf[80];
        const char *name = p >= 0 && (size_t)p < wl->nphases ? wl->phases[p] : NULL;
        if (!name) {
            snprintf(buf, sizeof buf, "phase %ld", p);
            name = buf;
        }
        fprintf(f, "  set label %d ", label++);
        render_gp_string(f, name);
        /* A phase that starts close to the previous one puts its name a
         * line lower, so short phases do not hide each other's names. */
        level = x - last_x < 0.12 * c->xmax && i > 0 ? level + 1 : 0;
        last_x = x;
        fprintf(f, " at %.10g, graph 1 offset character 0.4, %.1f left boxed font ',9' tc rgb '#555555' back\n",
                x, -0.8 - 1.1 * level);
        shown = p;
    }
}

static void plot_line(FILE *f, bool *first, const char *block, size_t style, const char *how)
{
    fprintf(f, "%s $%s using 1:2 with %s ls %zu", *first ? "  plot" : ", \\\n      ", block,
            how, style);
    *first = false;
}

static void missing_keys(FILE *f, const struct ts_ctx *c, bool *first)
{
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (!c->why[a])
            continue;
        fprintf(f, "%s keyentry with lines ls %zu dt 3 title ", *first ? "  plot" : ", \\\n      ",
                a + 1);
        *first = false;
        char detail[48];
        snprintf(detail, sizeof detail, "(no data: %s)",
                 plot_cell_missing_word(plot_run_cell(c->run, c->w, a)));
        keytitle(f, c->run->alloc[a].name, detail);
    }
}

static int heap_chart(const struct ts_ctx *c, char *err, size_t errlen)
{
    char stem[RENDER_STEM_MAX + 32];
    FILE *f = open_chart(c, "heap", "heap over the run", 440, stem, sizeof stem, err, errlen);
    if (!f)
        return -1;
    double lo = 0, hi = 0, v;
    char name[24], peak[48], detail[80];
    allocator_blocks(f, c, PS_HEAP, &lo, &hi);
    series_block(f, &c->s[c->ref], "live", PS_LIVE);
    if (plot_series_max(&c->s[c->ref], PS_LIVE, &v) && v > hi)
        hi = v;
    if (hi <= lo)
        hi = lo + 65536;
    plot_script_draw_begin(f, c->run, stem, TS_WIDTH, 440);
    plot_title(f, c->charts->v[c->charts->n - 1].title,
               "heap = resident anonymous memory − baseline;  dashed: live bytes (requested, not freed)");
    fputs("  set ylabel 'heap'\n", f);
    plot_axis(f, "y", PU_BYTES, lo, hi, false, true);
    common_settings(f, c);
    bool first = true;
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "s%zu", a + 1);
        plot_line(f, &first, name, a + 1, "lines");
        plot_series_max(&c->s[a], PS_HEAP, &v);
        plot_fmt(PU_BYTES, v, peak, sizeof peak);
        snprintf(detail, sizeof detail, "peak %s", peak);
        fputs(" title ", f);
        keytitle(f, c->run->alloc[a].name, detail);
    }
    plot_line(f, &first, "live", 100, "lines");
    fputs(" title 'live bytes'", f);
    missing_keys(f, c, &first);
    fputc('\n', f);
    plot_script_draw_end(f);
    return plot_script_close(f, stem, err, errlen);
}

static int brk_chart(const struct ts_ctx *c, char *err, size_t errlen)
{
    char stem[RENDER_STEM_MAX + 32];
    FILE *f = open_chart(c, "brk", "program break", 400, stem, sizeof stem, err, errlen);
    if (!f)
        return -1;
    double lo = 0, hi = 0;
    char name[24], peak[48], detail[80];
    allocator_blocks(f, c, PS_BRK, &lo, &hi);
    bool still = hi <= 0 && lo >= 0;
    if (still)
        hi = 65536;
    plot_script_draw_begin(f, c->run, stem, TS_WIDTH, 400);
    plot_title(f, c->charts->v[c->charts->n - 1].title,
               "sbrk(0) − break at baseline: how far the heap grew through brk (not mmap)");
    fputs("  set ylabel 'program break − baseline'\n", f);
    plot_axis(f, "y", PU_BYTES, lo, hi, false, true);
    common_settings(f, c);
    if (still)
        fputs("  set label 80 'no allocator moved the program break' at graph 0.5, 0.5 center "
              "tc rgb '#555555'\n",
              f);
    bool first = true;
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "s%zu", a + 1);
        plot_line(f, &first, name, a + 1, "steps");
        double mx = 0, mn = 0;
        plot_series_max(&c->s[a], PS_BRK, &mx);
        plot_series_min(&c->s[a], PS_BRK, &mn);
        if (mx == 0 && mn == 0) {
            snprintf(detail, sizeof detail, "(never moves)");
        } else {
            plot_fmt(PU_BYTES, mx, peak, sizeof peak);
            snprintf(detail, sizeof detail, "peak +%s", peak);
        }
        fputs(" title ", f);
        keytitle(f, c->run->alloc[a].name, detail);
    }
    missing_keys(f, c, &first);
    fputc('\n', f);
    plot_script_draw_end(f);
    return plot_script_close(f, stem, err, errlen);
}

static int frag_chart(const struct ts_ctx *c, char *err, size_t errlen)
{
    char stem[RENDER_STEM_MAX + 32];
    FILE *f = open_chart(c, "frag", "fragmentation over the run", 400, stem, sizeof stem, err,
                         errlen);
    if (!f)
        return -1;
    double lo = 0.9, hi = 1.1, v;
    bool any = false;
    char name[24], val[48], detail[80];
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "s%zu", a + 1);
        series_block(f, &c->s[a], name, PS_FRAG);
        if (plot_series_max(&c->s[a], PS_FRAG, &v)) {
            any = true;
            if (v > hi)
                hi = v;
        }
        if (plot_series_min(&c->s[a], PS_FRAG, &v) && v > 0 && v < lo)
            lo = v;
    }
    /* Ratios explode as live bytes approach zero (start, teardown): a log
     * axis keeps the steady part readable. */
    bool log = lo > 0 && hi / lo >= 8;
    plot_script_draw_begin(f, c->run, stem, TS_WIDTH, 400);
    plot_title(f, c->charts->v[c->charts->n - 1].title,
               "heap / live bytes at each sample (1 = no overhead);  key: peak heap / peak live");
    fprintf(f, "  set ylabel 'heap / live%s'\n", log ? " (log scale)" : "");
    plot_axis(f, "y", PU_RATIO, lo, hi, log, false);
    common_settings(f, c);
    if (!any)
        fputs("  set label 80 'no samples with live bytes' at graph 0.5, 0.5 center\n", f);
    fputs("  set arrow 90 from graph 0, first 1 to graph 1, first 1 nohead ls 100 back\n", f);
    bool first = true;
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "s%zu", a + 1);
        plot_line(f, &first, name, a + 1, "lines");
        const struct plot_stat *st = &plot_run_cell(c->run, c->w, a)->stat[PM_FRAG_PEAK];
        detail[0] = '\0';
        if (st->n) {
            snprintf(val, sizeof val, "%.2f", st->median);
            snprintf(detail, sizeof detail, "%s", val);
        }
        fputs(" title ", f);
        keytitle(f, c->run->alloc[a].name, detail);
    }
    fputs(", \\\n       keyentry with lines ls 100 title 'heap = live'", f);
    missing_keys(f, c, &first);
    fputc('\n', f);
    plot_script_draw_end(f);
    return plot_script_close(f, stem, err, errlen);
}

static int paging_chart(const struct ts_ctx *c, char *err, size_t errlen)
{
    char stem[RENDER_STEM_MAX + 32];
    FILE *f = open_chart(c, "paging", "page faults and TLB misses", 600, stem, sizeof stem, err,
                         errlen);
    if (!f)
        return -1;
    double fmax = 1, tmax = 0, v;
    bool tlb_any = false;
    char name[24];
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "f%zu", a + 1);
        series_block(f, &c->s[a], name, PS_MINOR_FAULTS);
        if (plot_series_max(&c->s[a], PS_MINOR_FAULTS, &v) && v > fmax)
            fmax = v;
        if (c->s[a].has[PS_DTLB_PER_KOP]) {
            snprintf(name, sizeof name, "t%zu", a + 1);
            series_block(f, &c->s[a], name, PS_DTLB_PER_KOP);
            tlb_any = true;
            if (plot_series_max(&c->s[a], PS_DTLB_PER_KOP, &v) && v > tmax)
                tmax = v;
        }
    }
    const struct plot_perf *p = &c->run->dtlb;
    const char *tlb_why = NULL;
    char why[300];
    if (p->known && !p->supported) {
        tlb_why = "dTLB load misses: not supported on this machine (no hardware PMU)";
        snprintf(why, sizeof why, "%.280s", p->reason ? p->reason : "perf_event_open failed");
    } else if (!tlb_any) {
        tlb_why = "dTLB load misses: no values recorded";
        snprintf(why, sizeof why, "%s", p->known ? "the counter produced no samples"
                                                 : "run.json does not say whether it was measured");
    }
    plot_script_draw_begin(f, c->run, stem, TS_WIDTH, 600);
    common_settings(f, c);
    /* Both panels share one x extent; the key sits right of them. */
    fputs("  set lmargin at screen 0.09\n  set rmargin at screen 0.76\n"
          "  set key at screen 0.775, graph 1 left top vertical Left reverse\n"
          "  set multiplot\n",
          f);
    /* Panel heights in screen fractions: a message needs less room than a
     * second chart. */
    double split = tlb_why ? 0.40 : 0.56;
    fprintf(f, "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n", 1.0 - 78.0 / 600,
            split);
    plot_title(f, c->charts->v[c->charts->n - 1].title,
               "top: minor page faults since baseline (cumulative);  bottom: dTLB load misses per 1000 ops");
    fputs("  set ylabel 'minor page faults'\n", f);
    plot_axis(f, "y", PU_COUNT, 0, fmax, false, true);
    bool first = true;
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "f%zu", a + 1);
        plot_line(f, &first, name, a + 1, "lines");
        fputs(" title ", f);
        keytitle(f, c->run->alloc[a].name, "");
    }
    missing_keys(f, c, &first);
    fprintf(f, "\n  unset title\n  unset label 99\n"
               "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n"
               "  set xlabel 'operations completed (all threads)'\n",
            split - 0.08, tlb_why ? 0.04 : 0.10);
    if (tlb_why) {
        plot_message_panel(f, tlb_why, why);
    } else {
        fputs("  set ylabel 'dTLB misses / 1000 ops'\n", f);
        plot_axis(f, "y", PU_COUNT, 0, tmax > 0 ? tmax : 1, false, true);
        first = true;
        for (size_t a = 0; a < c->run->nalloc; a++) {
            if (c->why[a] || !c->s[a].has[PS_DTLB_PER_KOP])
                continue;
            snprintf(name, sizeof name, "t%zu", a + 1);
            plot_line(f, &first, name, a + 1, "lines");
        }
        fputc('\n', f);
    }
    fputs("  unset multiplot\n", f);
    plot_script_draw_end(f);
    return plot_script_close(f, stem, err, errlen);
}

/* AnonHugePages over the run: points where it was read (phase ends, and
 * samples as the cost budget allowed). Drawn only when some allocator had
 * huge pages: otherwise the report says there were none. */
static int huge_chart(const struct ts_ctx *c, char *err, size_t errlen)
{
    double hi = 0, v;
    for (size_t a = 0; a < c->run->nalloc; a++)
        if (!c->why[a] && plot_series_max(&c->s[a], PS_ANON_HUGE, &v) && v > hi)
            hi = v;
    if (!(hi > 0))
        return 0;
    char stem[RENDER_STEM_MAX + 32];
    FILE *f = open_chart(c, "huge", "huge pages over the run", 400, stem, sizeof stem, err,
                         errlen);
    if (!f)
        return -1;
    char name[24], detail[64];
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "s%zu", a + 1);
        plot_datablock_begin(f, name);
        const struct plot_series *s = &c->s[a];
        for (size_t i = 0; i < s->n; i++) {
            if (isnan(s->col[PS_ANON_HUGE][i]))
                continue; /* not read at this sample */
            plot_datum(f, s->col[PS_OP][i], true, false);
            plot_datum(f, s->col[PS_ANON_HUGE][i], true, true);
        }
        plot_datablock_end(f);
    }
    plot_script_draw_begin(f, c->run, stem, TS_WIDTH, 400);
    plot_title(f, c->charts->v[c->charts->n - 1].title,
               "AnonHugePages (smaps_rollup) at phase ends and budgeted samples;  key: peak");
    fputs("  set ylabel 'anonymous huge pages'\n", f);
    plot_axis(f, "y", PU_BYTES, 0, hi, false, false);
    common_settings(f, c);
    bool first = true;
    for (size_t a = 0; a < c->run->nalloc; a++) {
        if (c->why[a])
            continue;
        snprintf(name, sizeof name, "s%zu", a + 1);
        plot_line(f, &first, name, a + 1, "linespoints");
        const struct plot_stat *st = &plot_run_cell(c->run, c->w, a)->stat[PM_PEAK_ANON_HUGE];
        detail[0] = '\0';
        if (st->n)
            snprintf(detail, sizeof detail, "%.1f MiB", st->median / 1048576.0);
        fputs(" title ", f);
        keytitle(f, c->run->alloc[a].name, detail);
    }
    missing_keys(f, c, &first);
    fputc('\n', f);
    plot_script_draw_end(f);
    return plot_script_close(f, stem, err, errlen);
}

int plot_workload_charts(const char *plots_dir, const struct plot_run *run, size_t w,
                         struct plot_charts *charts, char *err, size_t errlen)
{
    struct ts_ctx c = {.plots_dir = plots_dir, .run = run, .w = w, .charts = charts,
                       .ref = SIZE_MAX};
    c.s = calloc(run->nalloc ? run->nalloc : 1, sizeof *c.s);
    c.why = calloc(run->nalloc ? run->nalloc : 1, sizeof *c.why);
    if (!c.s || !c.why)
        abort();
    for (size_t a = 0; a < run->nalloc; a++) {
        char msg[512] = "";
        if (plot_series_load(run, w, a, &c.s[a], msg, sizeof msg) < 0 || c.s[a].n == 0) {
            c.why[a] = strdup(c.s[a].n == 0 && !msg[0] ? "empty samples file" : msg);
            if (!c.why[a])
                abort();
            continue;
        }
        if (c.ref == SIZE_MAX)
            c.ref = a;
        double v;
        if (plot_series_max(&c.s[a], PS_OP, &v) && v > c.xmax)
            c.xmax = v;
    }
    int rc = 0;
    if (c.ref != SIZE_MAX) {
        if (c.xmax <= 0)
            c.xmax = 1;
        rc = heap_chart(&c, err, errlen);
        if (rc == 0)
            rc = brk_chart(&c, err, errlen);
        if (rc == 0)
            rc = frag_chart(&c, err, errlen);
        if (rc == 0)
            rc = paging_chart(&c, err, errlen);
        if (rc == 0)
            rc = huge_chart(&c, err, errlen);
    }
    for (size_t a = 0; a < run->nalloc; a++) {
        plot_series_free(&c.s[a]);
        free(c.why[a]);
    }
    free(c.s);
    free(c.why);
    return rc;
}
