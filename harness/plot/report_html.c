/* report_html.c - the run's report page (see report_html.h). */
#include "report_html.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_charts.h"
#include "plot_units.h"
#include "render_escape.h"

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1400px;"
    "padding:0 1.5em 3em;color:#222;line-height:1.4}"
    "h1{font-size:1.6em;margin:.8em 0 .2em}h2{margin-top:2em;border-bottom:1px solid #ccc}"
    "code{font-family:ui-monospace,monospace;font-size:.95em}"
    "table{border-collapse:collapse;margin:.6em 0}"
    "th,td{padding:.25em .6em;border:1px solid #ddd;text-align:left;vertical-align:top}"
    "table.summary td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "table.summary td.best{background:#d8ecd3;font-weight:bold}"
    "table.summary td.bad{color:#a33}"
    "th{background:#f3f3f3}"
    ".swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.4em;"
    "vertical-align:-.1em}"
    ".note{color:#555}.warn{color:#a33}"
    "nav a{margin-right:1em}"
    "figure{display:inline-block;margin:.6em 1em .6em 0;vertical-align:top}"
    "figure img{max-width:100%;height:auto;border:1px solid #eee}"
    "figcaption{font-size:.9em;color:#555}"
    ".scroll{overflow-x:auto;max-width:100%}";

static void h(FILE *f, const char *s)
{
    render_html(f, s);
}

/* One metadata row; skipped when the value is missing. */
static void meta_row(FILE *f, const char *label, const json_t *v)
{
    if (!v || json_is_null(v))
        return;
    fprintf(f, "<tr><th>%s</th><td>", label);
    if (json_is_string(v))
        h(f, json_string_value(v));
    else if (json_is_integer(v))
        fprintf(f, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        fprintf(f, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        fputs(json_is_true(v) ? "yes" : "no", f);
    else if (json_is_array(v)) {
        fputs("<code>", f);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            fputs(i ? " " : "", f);
            h(f, json_string_value(e) ? json_string_value(e) : "?");
        }
        fputs("</code>", f);
    }
    fputs("</td></tr>\n", f);
}

static void metadata(FILE *f, const struct plot_run *run)
{
    const json_t *m = run->meta, *host = json_object_get(m, "host"),
                 *tool = json_object_get(m, "tool"), *runs = json_object_get(m, "runs");
    fputs("<section id=\"run\"><h2>Run</h2>\n<table class=\"meta\">\n", f);
    meta_row(f, "command", json_object_get(m, "command_line"));
    meta_row(f, "status", json_object_get(m, "status"));
    meta_row(f, "started", json_object_get(m, "started_at"));
    meta_row(f, "finished", json_object_get(m, "finished_at"));
    meta_row(f, "runs", json_object_get(runs, "total"));
    meta_row(f, "runs ok", json_object_get(runs, "ok"));
    meta_row(f, "runs failed", json_object_get(runs, "failed"));
    meta_row(f, "repetitions", json_object_get(m, "reps"));
    meta_row(f, "quick (small sizes)", json_object_get(m, "quick"));
    meta_row(f, "host", json_object_get(host, "hostname"));
    meta_row(f, "kernel", json_object_get(host, "kernel"));
    meta_row(f, "CPU", json_object_get(host, "cpu_model"));
    meta_row(f, "cores", json_object_get(host, "cores"));
    meta_row(f, "transparent huge pages", json_object_get(host, "thp_mode"));
    meta_row(f, "page size", json_object_get(host, "page_size"));
    meta_row(f, "allocscope", json_object_get(tool, "version"));
    meta_row(f, "git commit", json_object_get(tool, "git_commit"));
    meta_row(f, "compiler", json_object_get(tool, "compiler"));
    const json_t *ms = json_object_get(m, "measurement");
    meta_row(f, "timer", json_object_get(ms, "timer"));
    meta_row(f, "sampling interval, ns", json_object_get(ms, "sample_interval_ns"));
    meta_row(f, "ops per chunk handed to the worker", json_object_get(ms, "op_window_ops"));
    meta_row(f, "allocscope's own peak RSS, bytes",
             json_object_get(json_object_get(m, "harness"), "parent_peak_rss_bytes"));
    fputs("</table>\n<h3>Allocators</h3>\n<table><tr><th>name</th><th>version</th>"
          "<th>package version</th><th>library</th></tr>\n",
          f);
    for (size_t a = 0; a < run->nalloc; a++) {
        const struct plot_allocator *al = &run->alloc[a];
        fprintf(f, "<tr><td><span class=\"swatch\" style=\"background:%s\"></span>", al->colour);
        h(f, al->name);
        fputs("</td><td>", f);
        h(f, al->version ? al->version : "");
        fputs("</td><td>", f);
        h(f, al->package_version ? al->package_version : "");
        fputs("</td><td><code>", f);
        h(f, al->library ? al->library : "");
        fputs("</code></td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (run->dtlb.known && !run->dtlb.supported) {
        fputs("<p class=\"note\">TLB misses: not supported on this machine (no hardware PMU)", f);
        if (run->dtlb.reason) {
            fputs(": ", f);
            h(f, run->dtlb.reason);
        }
        fputs(". The TLB charts say so instead of showing zeros.</p>\n", f);
    }
    fputs("</section>\n", f);
}

/* "Huge pages and TLB": what the machine supports and what the runs got. */
static void page_section(FILE *f, const struct plot_run *run)
{
    const json_t *m = run->meta, *host = json_object_get(m, "host"),
                 *perf = json_object_get(m, "perf");
    const char *thp = json_string_value(json_object_get(host, "thp_mode"));
    fputs("<section id=\"pages\"><h2>Huge pages and TLB</h2>\n<table class=\"meta\">\n", f);
    meta_row(f, "transparent huge pages (system mode)", json_object_get(host, "thp_mode"));
    meta_row(f, "page size", json_object_get(host, "page_size"));
    meta_row(f, "page-walk event table", json_object_get(host, "page_walk_events"));
    static const char *const metrics[] = {"dtlb_load_misses", "dtlb_walks", "dtlb_walks_4k",
                                          "dtlb_walks_2m", "dtlb_walk_cycles", "cpu_cycles"};
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
        const json_t *e = json_object_get(perf, metrics[i]);
        if (!e)
            continue;
        fprintf(f, "<tr><th>%s</th><td>", metrics[i]);
        if (json_is_true(json_object_get(e, "supported")))
            fputs("counted", f);
        else {
            fputs("not counted here: ", f);
            const char *why = json_string_value(json_object_get(e, "reason"));
            h(f, why ? why : "unknown reason");
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (thp && strcmp(thp, "never") == 0)
        fputs("<p class=\"note\">The system's THP mode is <code>never</code>: no run can get "
              "transparent huge pages, whatever the allocator asks.</p>\n", f);
    else if (thp && strcmp(thp, "madvise") == 0)
        fputs("<p class=\"note\">The system's THP mode is <code>madvise</code>: only memory an "
              "allocator marks MADV_HUGEPAGE gets huge pages (the huge-page variants: "
              "glibc-hugetlb, jemalloc-thp, mimalloc-large; the reference allocator by "
              "default).</p>\n", f);

    /* Per workload and allocator: peak AnonHugePages and the access cost. */
    bool any = false, huge = false;
    for (size_t w = 0; w < run->nwl; w++)
        for (size_t a = 0; a < run->nalloc; a++) {
            const struct plot_cell *c = plot_run_cell(run, w, a);
            any |= c->stat[PM_PEAK_ANON_HUGE].n > 0;
            huge |= c->stat[PM_PEAK_ANON_HUGE].n > 0 && c->stat[PM_PEAK_ANON_HUGE].median > 0;
        }
    if (!any) {
        fputs("<p>No run of this directory recorded AnonHugePages.</p></section>\n", f);
        return;
    }
    if (!huge)
        fputs("<p class=\"note\">No run got a huge page.</p>\n", f);
    fputs("<div class=\"scroll\"><table class=\"summary\"><tr><th>workload</th>", f);
    for (size_t a = 0; a < run->nalloc; a++) {
        fputs("<th>", f);
        h(f, run->alloc[a].name);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    char buf[64];
    for (size_t w = 0; w < run->nwl; w++) {
        fputs("<tr><td>", f);
        h(f, run->wl[w].name);
        fputs("</td>", f);
        for (size_t a = 0; a < run->nalloc; a++) {
            const struct plot_cell *c = plot_run_cell(run, w, a);
            const struct plot_stat *hp = &c->stat[PM_PEAK_ANON_HUGE],
                                   *ac = &c->stat[PM_ACCESS_NS_MEAN],
                                   *wk = &c->stat[PM_ACCESS_WALKS_PER_VISIT];
            fputs("<td>", f);
            if (hp->n) {
                plot_fmt(PU_BYTES, hp->median, buf, sizeof buf);
                fprintf(f, "huge %s", buf);
            }
            if (ac->n) {
                plot_fmt(PU_NS, ac->median, buf, sizeof buf);
                fprintf(f, "<br>visit %s", buf);
            }
            if (wk->n)
                fprintf(f, "<br>%.3f walks/visit", wk->median);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n<p class=\"note\">huge: the highest AnonHugePages of the run "
          "(smaps_rollup; median of the repetitions); visit: mean time per visit of the access "
          "phases; walks/visit: data page walks per visit, where the CPU counts them.</p>\n"
          "</section>\n", f);
}

struct column {
    enum plot_metric metric;
    enum plot_unit unit;
    bool higher_better;
    const char *head;
};

static const struct column columns[] = {
    {PM_OPS_PER_S, PU_COUNT, true, "throughput, ops/s (higher is better)"},
    {PM_PEAK_HEAP, PU_BYTES, false, "peak heap (lower is better)"},
    {PM_FRAG_PEAK, PU_RATIO, false, "peak heap / peak live (lower is better)"},
    {PM_LAT_P99, PU_NS, false, "p99 latency (lower is better)"},
    {PM_BASELINE_ANON, PU_BYTES, false, "memory before the first op (lower is better)"},
};

static void summary_table(FILE *f, const struct plot_run *run)
{
    size_t nc = sizeof columns / sizeof columns[0];
    fputs("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"scroll\"><table class=\"summary\">\n"
          "<thead><tr><th rowspan=\"2\">workload</th>",
          f);
    for (size_t c = 0; c < nc; c++)
        fprintf(f, "<th colspan=\"%zu\">%s</th>", run->nalloc, columns[c].head);
    fputs("</tr>\n<tr>", f);
    for (size_t c = 0; c < nc; c++)
        for (size_t a = 0; a < run->nalloc; a++) {
            fprintf(f, "<th><span class=\"swatch\" style=\"background:%s\"></span>",
                    run->alloc[a].colour);
            h(f, run->alloc[a].name);
            fputs("</th>", f);
        }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t w = 0; w < run->nwl; w++) {
        fprintf(f, "<tr><th><a href=\"#w-%s\">", run->wl[w].stem);
        h(f, run->wl[w].name);
        fputs("</a></th>", f);
        for (size_t c = 0; c < nc; c++) {
            const struct column *col = &columns[c];
            size_t best = SIZE_MAX, count = 0;
            for (size_t a = 0; a < run->nalloc; a++) {
                const struct plot_stat *s = &plot_run_cell(run, w, a)->stat[col->metric];
                if (!s->n)
                    continue;
                count++;
                const struct plot_stat *b = best == SIZE_MAX ? NULL
                                                             : &plot_run_cell(run, w, best)->stat[col->metric];
                if (!b || (col->higher_better ? s->median > b->median : s->median < b->median))
                    best = a;
            }
            for (size_t a = 0; a < run->nalloc; a++) {
                const struct plot_cell *cell = plot_run_cell(run, w, a);
                const struct plot_stat *s = &cell->stat[col->metric];
                if (!s->n) {
                    /* Runs that succeeded without this figure are not a
                     * failure (a latency needs enough timed ops). */
                    bool ran = cell->ok > 0;
                    fprintf(f, "<td class=\"num%s\" title=\"", ran ? "" : " bad");
                    h(f, ran ? (col->metric == PM_LAT_P99
                                    ? "too few ops timed for a p99 (100 needed)"
                                    : "no value recorded")
                             : cell->failure ? cell->failure : cell->runs ? "no value recorded"
                                                                           : "not run");
                    fputs("\">", f);
                    h(f, ran && col->metric == PM_LAT_P99 ? "too few ops" : plot_cell_missing_word(cell));
                    fputs("</td>", f);
                    continue;
                }
                char val[64];
                plot_fmt(col->unit, s->median, val, sizeof val);
                /* Ties share the highlight. */
                const struct plot_stat *b = &plot_run_cell(run, w, best)->stat[col->metric];
                bool top = count > 1 && s->median == b->median;
                fprintf(f, "<td class=\"num%s\">%s</td>", top ? " best" : "", val);
            }
        }
        fputs("</tr>\n", f);
    }
    long reps = (long)json_integer_value(json_object_get(run->meta, "reps"));
    fputs("</tbody></table></div>\n<p class=\"note\">Medians over the successful repetitions", f);
    if (reps > 0)
        fprintf(f, " (%ld per allocator)", reps);
    fputs("; the best value per workload and metric is highlighted. Hover a failed cell for the "
          "reason. <em>Memory before the first op</em> is the resident anonymous memory at the "
          "baseline: what the allocator set up before the workload started (plus the same few "
          "pages of libc for every allocator); heap figures are counted from there.</p>\n"
          "</section>\n",
          f);
}

/* Median p50 / p99 of every kind of call an allocator ran, for one
 * workload: the latency of free is not that of malloc. */
static void latency_by_call(FILE *f, const struct plot_run *run, size_t w)
{
    bool kind_seen[PLOT_LATENCY_KINDS] = {false};
    size_t kinds = 0;
    for (int k = 0; k < PLOT_LATENCY_KINDS; k++)
        for (size_t a = 0; a < run->nalloc && !kind_seen[k]; a++)
            if (plot_run_cell(run, w, a)->stat[PM_LAT_MALLOC_P50 + 2 * k].n) {
                kind_seen[k] = true;
                kinds++;
            }
    if (!kinds) {
        fputs("<p class=\"note\">Latency by call: too few ops were timed for a median.</p>\n",
              f);
        return;
    }
    fputs("<table class=\"summary\"><caption>Latency by call: median p50 / p99 of the timed "
          "ops (empty: too few timed)</caption>\n<thead><tr><th>allocator</th>",
          f);
    for (int k = 0; k < PLOT_LATENCY_KINDS; k++)
        if (kind_seen[k])
            fprintf(f, "<th>%s</th>", plot_latency_kind_names[k]);
    fputs("</tr></thead><tbody>\n", f);
    for (size_t a = 0; a < run->nalloc; a++) {
        const struct plot_cell *cell = plot_run_cell(run, w, a);
        fprintf(f, "<tr><th><span class=\"swatch\" style=\"background:%s\"></span>",
                run->alloc[a].colour);
        h(f, run->alloc[a].name);
        fputs("</th>", f);
        for (int k = 0; k < PLOT_LATENCY_KINDS; k++) {
            if (!kind_seen[k])
                continue;
            const struct plot_stat *p50 = &cell->stat[PM_LAT_MALLOC_P50 + 2 * k];
            const struct plot_stat *p99 = &cell->stat[PM_LAT_MALLOC_P99 + 2 * k];
            char a50[64] = "", a99[64] = "";
            if (p50->n)
                plot_fmt(PU_NS, p50->median, a50, sizeof a50);
            if (p99->n)
                plot_fmt(PU_NS, p99->median, a99, sizeof a99);
            fprintf(f, "<td class=\"num\">%s / %s</td>", p50->n ? a50 : "–", p99->n ? a99 : "–");
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void figure(FILE *f, const struct plot_chart *c)
{
    if (c->error) {
        /* Its place says what happened; the script is kept for a look. */
        fputs("<figure><p class=\"warn\">Chart not drawn: ", f);
        h(f, c->title);
        fputs(". gnuplot said: <code>", f);
        h(f, c->error);
        fprintf(f, "</code></p><figcaption><a href=\"plots/%s.gp\">gnuplot script</a>"
                   "</figcaption></figure>\n",
                c->stem);
        return;
    }
    fprintf(f, "<figure><a href=\"plots/%s.png\"><img src=\"plots/%s.svg\" width=\"%d\" height=\"%d\" alt=\"",
            c->stem, c->stem, c->width, c->height);
    h(f, c->title);
    fputs("\"></a><figcaption>", f);
    h(f, c->title);
    fprintf(f, " — <a href=\"plots/%s.png\">PNG</a> · <a href=\"plots/%s.gp\">gnuplot script</a>"
               "</figcaption></figure>\n",
            c->stem, c->stem);
}

static void workload_section(FILE *f, const struct plot_run *run, const struct plot_charts *charts,
                             size_t w)
{
    const struct plot_workload *wl = &run->wl[w];
    fprintf(f, "<section id=\"w-%s\"><h2>Workload: ", wl->stem);
    h(f, wl->name);
    fputs("</h2>\n", f);
    if (wl->description) {
        fputs("<p>", f);
        h(f, wl->description);
        fputs("</p>\n", f);
    }
    fputs("<p class=\"note\">", f);
    if (wl->source) {
        fputs("source <code>", f);
        h(f, wl->source);
        fputs("</code>; ", f);
    }
    if (wl->threads > 0)
        fprintf(f, "%ld thread%s; ", wl->threads, wl->threads == 1 ? "" : "s");
    if (wl->nphases) {
        fputs("phases: ", f);
        for (size_t p = 0; p < wl->nphases; p++) {
            fputs(p ? ", " : "", f);
            h(f, wl->phases[p]);
        }
        fputs("; ", f);
    }
    fputs("time series show the first successful repetition of each allocator.</p>\n", f);
    for (size_t a = 0; a < run->nalloc; a++) {
        const struct plot_cell *cell = plot_run_cell(run, w, a);
        if (cell->runs && cell->ok < cell->runs) {
            fprintf(f, "<p class=\"warn\">%zu of %zu runs of ", cell->runs - cell->ok, cell->runs);
            h(f, run->alloc[a].name);
            fputs(" did not succeed: ", f);
            h(f, cell->failure ? cell->failure : "unknown");
            fputs("</p>\n", f);
        }
    }
    latency_by_call(f, run, w);
    size_t shown = 0;
    for (size_t i = 0; i < charts->n; i++)
        if (charts->v[i].workload == (long)w) {
            figure(f, &charts->v[i]);
            shown++;
        }
    if (!shown)
        fputs("<p class=\"warn\">No time series: no allocator has a samples file that could be "
              "read for this workload.</p>\n",
              f);
    fputs("</section>\n", f);
}

int report_html_write(const char *out_dir, const struct plot_run *run,
                      const struct plot_charts *charts, char *err, size_t errlen)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    snprintf(path, sizeof path, "%s/report.html", out_dir);
    snprintf(tmp, sizeof tmp, "%s/.report.html.tmp", out_dir);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    const char *base = strrchr(run->dir, '/');
    base = base && base[1] ? base + 1 : run->dir;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>allocscope report: ",
          f);
    h(f, base);
    fprintf(f, "</title>\n<style>%s</style>\n</head><body>\n<h1>allocscope report: <code>", style);
    h(f, base);
    fputs("</code></h1>\n<nav><a href=\"#run\">run</a><a href=\"#summary\">summary</a>"
          "<a href=\"#pages\">huge pages and TLB</a><a href=\"#suite\">suite charts</a>",
          f);
    for (size_t w = 0; w < run->nwl; w++) {
        fprintf(f, "<a href=\"#w-%s\">", run->wl[w].stem);
        h(f, run->wl[w].name);
        fputs("</a>", f);
    }
    fputs("</nav>\n", f);
    metadata(f, run);
    summary_table(f, run);
    page_section(f, run);
    fputs("<section id=\"suite\"><h2>Suite charts</h2>\n", f);
    size_t base_alloc = plot_baseline_allocator(run);
    if (base_alloc != SIZE_MAX) {
        fputs("<p class=\"note\">The overview compares every allocator with ", f);
        h(f, run->alloc[base_alloc].name);
        fputs(" on each workload: blue is better, red is worse.</p>\n", f);
    } else {
        fputs("<p class=\"warn\">No overview: no allocator has a successful run to compare "
              "the others with.</p>\n", f);
    }
    size_t failed = 0;
    for (size_t i = 0; i < charts->n; i++)
        failed += charts->v[i].error != NULL;
    if (failed)
        fprintf(f, "<p class=\"warn\">%zu of %zu charts could not be drawn; each says why in "
                   "its place.</p>\n",
                failed, charts->n);
    for (size_t i = 0; i < charts->n; i++)
        if (charts->v[i].workload < 0)
            figure(f, &charts->v[i]);
    if (run->rows == 0)
        fputs("<p class=\"warn\">summary.csv has no rows yet: nothing was measured.</p>\n", f);
    fputs("</section>\n", f);
    for (size_t w = 0; w < run->nwl; w++)
        workload_section(f, run, charts, w);
    fputs("</body></html>\n", f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}
