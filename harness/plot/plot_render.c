/* plot_render.c - plot_render_run(): load the run, write every chart
 * script, have gnuplot draw them, write the report (see plot.h). */
#include "plot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static int write_scripts(const char *plots, const struct plot_run *run,
                         struct plot_charts *charts, char *err, size_t errlen)
{
    if (plot_overview_chart(plots, run, charts, err, errlen) < 0 ||
        plot_suite_charts(plots, run, charts, err, errlen) < 0)
        return -1;
    for (size_t w = 0; w < run->nwl; w++)
        if ((run->wl[w].program ? plot_program_charts : plot_workload_charts)(plots, run, w, charts,
                                                                             err, errlen) < 0)
            return -1;
    return 0;
}

static int draw(const char *plots, const struct plot_charts *charts, bool quiet, char *err,
                size_t errlen)
{
    char **paths = calloc(charts->n ? charts->n : 1, sizeof *paths);
    if (!paths)
        abort();
    for (size_t i = 0; i < charts->n; i++) {
        size_t len = strlen(plots) + strlen(charts->v[i].stem) + 5;
        paths[i] = malloc(len);
        if (!paths[i])
            abort();
        snprintf(paths[i], len, "%s/%s.gp", plots, charts->v[i].stem);
    }
    int rc = plot_gnuplot_run(paths, charts->n, quiet, err, errlen);
    for (size_t i = 0; i < charts->n; i++)
        free(paths[i]);
    free(paths);
    return rc;
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
    int rc = make_dirs(plots, err, errlen);
    if (rc == 0)
        rc = write_scripts(plots, &run, &charts, err, errlen);
    if (rc == 0)
        rc = draw(plots, &charts, quiet, err, errlen);
    if (rc == 0)
        rc = report_html_write(out, &run, &charts, err, errlen);
    if (rc == 0 && !quiet)
        printf("allocscope: %zu charts in %s/, report: %s/report.html\n", charts.n, plots, out);
    plot_charts_free(&charts);
    plot_run_free(&run);
    return rc;
}
