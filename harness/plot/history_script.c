/* history_script.c - the gnuplot script of a history chart (history.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "render_escape.h"
#include "stats.h"

bool history_list_has(const char *list, const char *name)
{
    if (!list)
        return true;
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, name, n) == 0)
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

void history_run_label(const struct run_data *run, char *buf, size_t len)
{
    const char *name = run->label[0] ? run->label : run->git_commit;
    if (!name[0]) {
        const char *slash = strrchr(run->dir, '/');
        name = slash && slash[1] ? slash + 1 : run->dir;
    }
    if (strlen(run->started_at) >= 10)
        snprintf(buf, len, "%s %.10s", name, run->started_at);
    else
        snprintf(buf, len, "%s", name);
}

bool history_path_ok(const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p == '\'' || *p == '`' || *p == '"' || *p < 0x20 || *p == 0x7f)
            return false;
    return path[0] != '\0';
}

/* Text from the results as a gnuplot string. render_gp_string quotes it
 * (single quotes: no command substitution, no macros; UTF-8 checked), but
 * gnuplot 5.4 misparses two doubled quotes in a row (a title of a, four
 * quotes, b is a syntax error), and backquotes are best never handed to
 * gnuplot at all; so both ' and ` become U+2019 in chart text. */
static void gp_text(FILE *f, const char *text)
{
    size_t n = strlen(text);
    char *copy = malloc(3 * n + 1), *o = copy;
    if (!copy)
        abort();
    for (const char *p = text; *p; p++) {
        if (*p == '\'' || *p == '`') {
            memcpy(o, "\xe2\x80\x99", 3);
            o += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    render_gp_string(f, copy);
    free(copy);
}

/* A line of the chart: one (workload, allocator). */
struct series {
    const char *workload, *allocator;
};

static size_t collect_series(const struct run_data *runs, size_t n,
                             const struct history_filter *flt, struct series **out)
{
    size_t count = 0, cap = 0;
    struct series *s = NULL;
    for (size_t r = 0; r < n; r++)
        for (size_t g = 0; g < runs[r].ngroups; g++) {
            const struct run_group *grp = &runs[r].groups[g];
            if (!history_list_has(flt->workloads, grp->workload) ||
                !history_list_has(flt->allocators, grp->allocator))
                continue;
            bool seen = false;
            for (size_t i = 0; i < count && !seen; i++)
                seen = strcmp(s[i].workload, grp->workload) == 0 &&
                       strcmp(s[i].allocator, grp->allocator) == 0;
            if (seen)
                continue;
            if (count == cap) {
                cap = cap ? 2 * cap : 16;
                s = realloc(s, cap * sizeof *s);
                if (!s)
                    abort();
            }
            s[count++] = (struct series){grp->workload, grp->allocator};
        }
    *out = s;
    return count;
}

/* Datablock $sI: "x median min max" for each run that has values.
 * Returns the number of points. */
static size_t write_block(FILE *f, size_t idx, const struct series *s,
                          const struct run_data *runs, size_t n, size_t mi)
{
    size_t points = 0;
    fprintf(f, "$s%zu << EOD\n", idx);
    for (size_t r = 0; r < n; r++) {
        const struct run_group *g = run_find(&runs[r], s->workload, s->allocator);
        if (!g || g->nvalues[mi] == 0)
            continue;
        const double *v = g->values[mi];
        size_t k = g->nvalues[mi];
        fprintf(f, "%zu %.10g %.10g %.10g\n", r, stats_median(v, k), stats_min(v, k),
                stats_max(v, k));
        points++;
    }
    fputs("EOD\n", f);
    return points;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int history_write_script(FILE *f, const struct run_data *runs, char *const *labels, size_t n,
                         const struct metric_def *m, const struct history_filter *flt,
                         const char *output)
{
    struct series *s;
    size_t ns = collect_series(runs, n, flt, &s);
    size_t mi = metric_index(m);
    fputs("# allocscope plot --history: generated, self-contained (data inline).\n", f);
    fputs("# Re-render with: gnuplot THIS_FILE\n", f);
    bool *drawn = calloc(ns ? ns : 1, sizeof *drawn);
    if (!drawn)
        abort();
    size_t lines = 0;
    for (size_t i = 0; i < ns; i++)
        if (write_block(f, i, &s[i], runs, n, mi) > 0) {
            drawn[i] = true;
            lines++;
        }
    if (ends_with(output, ".png"))
        fputs("set terminal pngcairo noenhanced size 1280,720\n", f);
    else
        fputs("set terminal svg noenhanced size 1280,720 dynamic background rgb 'white'\n", f);
    /* history_path_ok(output) holds: it needs no escaping. */
    fprintf(f, "set output '%s'", output);
    char title[256];
    snprintf(title, sizeof title, "%s over %zu runs (median, min-max of repetitions; %s is "
                                  "better)",
             m->label, n, m->bigger_is_better ? "higher" : "lower");
    fputs("\nset title ", f);
    gp_text(f, title);
    fputs("\nset ylabel ", f);
    gp_text(f, metric_unit_name(m->unit));
    fputs("\nset grid ytics\nset key outside right top\nset xrange [-0.5:", f);
    fprintf(f, "%zu.5]\nset yrange [0:*]\nset xtics rotate by -30 (", n - 1);
    for (size_t r = 0; r < n; r++) {
        if (r)
            fputs(", ", f);
        gp_text(f, labels[r]);
        fprintf(f, " %zu", r);
    }
    fputs(")\n", f);
    if (lines == 0) {
        fputs("set label 1 'no values for this metric in these runs (unsupported?)' at graph "
              "0.5, 0.5 center\nplot NaN notitle\n",
              f);
    } else {
        fputs("plot ", f);
        bool first = true;
        for (size_t i = 0; i < ns; i++) {
            if (!drawn[i])
                continue;
            char name[256];
            snprintf(name, sizeof name, "%s / %s", s[i].workload, s[i].allocator);
            fprintf(f, "%s$s%zu using 1:2:3:4 with yerrorlines pointtype 7 title ",
                    first ? "" : ", \\\n     ", i);
            gp_text(f, name);
            first = false;
        }
        fputc('\n', f);
    }
    free(drawn);
    free(s);
    return ferror(f) ? -1 : (int)lines;
}
