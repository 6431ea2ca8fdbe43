/* plot_render.c - plot_render_run(): load the run, write every chart
 * script, have gnuplot draw them, write the report (see plot.h). */
#include "plot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot_charts.h"
#include "plot_gnuplot.h"
#include "plot_model.h"
#include "plot_script.h"
#include "report_html.h"

/* mkdir -p */
static int make_dirs(const char *path, char *err, size_t errlen)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", buf, strerror(errno));
            return -1;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a directory", path);
        return -1;
    }
    return 0;
}

/* Suite charts hold at most this many workloads each: a bigger suite is
 * drawn on several pages (suite.throughput, suite.throughput.p2, ...), so
 * no image outgrows what gnuplot's cairo terminal can draw (32767 px). */
#define SUITE_PAGE_WORKLOADS 40

/* The suite charts of workloads [first, first + count): a view of the run
 * with only those workloads (cells are stored workload-major). */
static int write_suite_page(const char *plots, const struct plot_run *run, size_t first,
                            size_t count, size_t page, struct plot_charts *charts, char *err,
                            size_t errlen)
{
    struct plot_run view = *run;
    view.wl = run->wl + first;
    view.nwl = count;
    view.cells = run->cells + first * run->nalloc;
    if (run->nwl > SUITE_PAGE_WORKLOADS) {
        snprintf(charts->stem_suffix, sizeof charts->stem_suffix, page ? ".p%zu" : "",
                 page + 1);
        snprintf(charts->title_suffix, sizeof charts->title_suffix,
                 " (workloads %zu-%zu of %zu)", first + 1, first + count, run->nwl);
    }
    int rc = plot_overview_chart(plots, &view, charts, err, errlen);
    if (rc == 0)
        rc = plot_suite_charts(plots, &view, charts, err, errlen);
    charts->stem_suffix[0] = charts->title_suffix[0] = '\0';
    return rc;
}

static int write_scripts(const char *plots, const struct plot_run *run,
                         struct plot_charts *charts, char *err, size_t errlen)
{
    for (size_t first = 0, page = 0; first < run->nwl; first += SUITE_PAGE_WORKLOADS, page++) {
        size_t count = run->nwl - first < SUITE_PAGE_WORKLOADS ? run->nwl - first
                                                              : SUITE_PAGE_WORKLOADS;
        if (write_suite_page(plots, run, first, count, page, charts, err, errlen) < 0)
            return -1;
    }
    for (size_t w = 0; w < run->nwl; w++)
        if ((run->wl[w].program ? plot_program_charts : plot_workload_charts)(plots, run, w, charts,
                                                                             err, errlen) < 0)
            return -1;
    return 0;
}

/* Render every chart; a chart gnuplot cannot draw keeps its error (shown in
 * the report in its place) and loses any image it left half-written or
 * from an earlier render. Returns the number that failed. */
static size_t draw(const char *plots, struct plot_charts *charts, bool quiet)
{
    size_t n = charts->n;
    char **paths = calloc(n ? n : 1, sizeof *paths);
    char **failures = calloc(n ? n : 1, sizeof *failures);
    if (!paths || !failures)
        abort();
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(plots) + strlen(charts->v[i].stem) + 5;
        paths[i] = malloc(len);
        if (!paths[i])
            abort();
        snprintf(paths[i], len, "%s/%s.gp", plots, charts->v[i].stem);
    }
    size_t failed = plot_gnuplot_run(paths, n, quiet, failures);
    for (size_t i = 0; i < n; i++) {
        charts->v[i].error = failures[i];
        if (failures[i]) {
            char img[PATH_MAX];
            snprintf(img, sizeof img, "%s/%s.svg", plots, charts->v[i].stem);
            unlink(img);
            snprintf(img, sizeof img, "%s/%s.png", plots, charts->v[i].stem);
            unlink(img);
        }
        free(paths[i]);
    }
    free(paths);
    free(failures);
    return failed;
}

int plot_render_run(const char *run_dir, const char *out_dir, bool quiet, char *err,
                    size_t errlen)
{
    struct stat st;
    if (stat(run_dir, &st) < 0) {
        snprintf(err, errlen, "%s: %s", run_dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a directory", run_dir);
        return -1;
    }
    struct plot_run run;
    if (plot_run_load(run_dir, &run, err, errlen) < 0)
        return -1;
    const char *out = out_dir ? out_dir : run_dir;
    char plots[PATH_MAX];
    snprintf(plots, sizeof plots, "%s/plots", out);
    struct plot_charts charts = {0};
    char script_err[1024] = "";
    int rc = make_dirs(plots, err, errlen);
    /* A chart whose script cannot be written ends the scripts, not the
     * report: what was written is drawn and reported, and the error kept. */
    if (rc == 0 && write_scripts(plots, &run, &charts, script_err, sizeof script_err) < 0)
        fprintf(stderr, "allocscope: charts: %s\n", script_err);
    size_t failed = rc == 0 ? draw(plots, &charts, quiet) : 0;
    if (rc == 0)
        rc = report_html_write(out, &run, &charts, err, errlen);
    if (rc == 0 && (failed || script_err[0])) {
        /* The report is there, with every chart that could be drawn. */
        const struct plot_chart *first = NULL;
        for (size_t i = 0; i < charts.n && !first; i++)
            if (charts.v[i].error)
                first = &charts.v[i];
        if (first)
            snprintf(err, errlen, "%zu of %zu charts could not be drawn (report.html says "
                                  "which), first %s.gp: %.900s",
                     failed, charts.n, first->stem, first->error);
        else
            snprintf(err, errlen, "not every chart script could be written: %.900s",
                     script_err);
        rc = 1;
    }
    if (rc == 0 && !quiet)
        printf("allocscope: %zu charts in %s/, report: %s/report.html\n", charts.n, plots, out);
    plot_charts_free(&charts);
    plot_run_free(&run);
    return rc;
}
