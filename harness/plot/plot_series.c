/* plot_series.c - reading a samples file for the time-series charts (see
 * plot_series.h). */
#include "plot_series.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bounded_file.h"
#include "csv.h"

static double cell_number(const struct csv_table *t, size_t r, int c)
{
    const char *s = csv_cell(t, r, c);
    if (!*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return *end || !isfinite(v) ? NAN : v;
}

/* Which rows to keep: all when few, else an even stride plus every phase
 * end and the row with the most heap. */
static bool *choose_rows(const struct csv_table *t, int c_kind, int c_heap)
{
    bool *keep = calloc(t->rows ? t->rows : 1, sizeof *keep);
    if (!keep)
        abort();
    size_t stride = t->rows / PLOT_SERIES_MAX + 1;
    size_t peak = 0;
    double peak_heap = -INFINITY;
    for (size_t r = 0; r < t->rows; r++) {
        double h = cell_number(t, r, c_heap);
        if (h > peak_heap) {
            peak_heap = h;
            peak = r;
        }
        keep[r] = r % stride == 0 || r + 1 == t->rows ||
                  strcmp(csv_cell(t, r, c_kind), "phase_end") == 0;
    }
    if (t->rows)
        keep[peak] = true;
    return keep;
}

int plot_series_load(const struct plot_run *run, size_t w, size_t a, struct plot_series *s,
                     char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    const struct plot_cell *cell = plot_run_cell(run, w, a);
    if (cell->series_rep == 0) {
        snprintf(err, errlen, "no successful repetition");
        return -1;
    }
    char path[PATH_MAX];
    if (!plot_samples_path(run, w, a, cell->series_rep, path, sizeof path)) {
        snprintf(err, errlen, "name unusable as a file name, samples not read");
        return -1;
    }
    struct csv_table t;
    if (csv_read(path, BOUNDED_SAMPLES_MAX, &t, err, errlen) < 0)
        return -1;
    static const char *const names[PS_COLS] = {
        [PS_OP] = "op",           [PS_LIVE] = "live_bytes",
        [PS_HEAP] = "heap_bytes", [PS_BRK] = "brk_bytes",
        [PS_MINOR_FAULTS] = "minor_faults", [PS_DTLB_PER_KOP] = "dtlb_load_misses",
        [PS_FRAG] = "frag_ratio",      [PS_T] = "t_ns",
        [PS_RSS] = "rss_bytes",  [PS_ANON_HUGE] = "anon_huge_bytes",
    };
    int col[PS_COLS];
    for (int c = 0; c < PS_COLS; c++)
        col[c] = csv_column(&t, names[c]);
    int c_kind = csv_column(&t, "kind"), c_phase = csv_column(&t, "phase");
    if (col[PS_OP] < 0) {
        snprintf(err, errlen, "%s: no op column", path);
        csv_free(&t);
        return -1;
    }
    bool *keep = choose_rows(&t, c_kind, col[PS_HEAP]);
    size_t n = 0;
    for (size_t r = 0; r < t.rows; r++)
        n += keep[r];
    for (int c = 0; c < PS_COLS; c++) {
        s->col[c] = calloc(n ? n : 1, sizeof *s->col[c]);
        if (!s->col[c])
            abort();
    }
    s->phase_end = calloc(n ? n : 1, sizeof *s->phase_end);
    s->phase = calloc(n ? n : 1, sizeof *s->phase);
    if (!s->phase_end || !s->phase)
        abort();
    double prev_op = NAN, prev_dtlb = NAN;
    for (size_t r = 0; r < t.rows; r++) {
        if (!keep[r])
            continue;
        size_t i = s->n++;
        for (int c = 0; c < PS_COLS; c++)
            s->col[c][i] = cell_number(&t, r, col[c]);
        /* Counter -> rate per 1000 ops over the interval since the last point. */
        double dtlb = s->col[PS_DTLB_PER_KOP][i], op = s->col[PS_OP][i];
        s->col[PS_DTLB_PER_KOP][i] =
            isnan(dtlb) || isnan(prev_dtlb) || !(op > prev_op)
                ? NAN
                : (dtlb - prev_dtlb) * 1000.0 / (op - prev_op);
        prev_op = op;
        prev_dtlb = dtlb;
        s->col[PS_T][i] /= 1e9;
        s->phase_end[i] = strcmp(csv_cell(&t, r, c_kind), "phase_end") == 0;
        s->phase[i] = strtol(csv_cell(&t, r, c_phase), NULL, 10);
        for (int c = 0; c < PS_COLS; c++)
            if (!isnan(s->col[c][i]))
                s->has[c] = true;
    }
    free(keep);
    csv_free(&t);
    return 0;
}

void plot_series_free(struct plot_series *s)
{
    for (int c = 0; c < PS_COLS; c++)
        free(s->col[c]);
    free(s->phase_end);
    free(s->phase);
    memset(s, 0, sizeof *s);
}

bool plot_series_max(const struct plot_series *s, enum plot_series_col c, double *out)
{
    bool have = false;
    for (size_t i = 0; i < s->n; i++)
        if (!isnan(s->col[c][i]) && (!have || s->col[c][i] > *out)) {
            *out = s->col[c][i];
            have = true;
        }
    return have;
}

bool plot_series_min(const struct plot_series *s, enum plot_series_col c, double *out)
{
    bool have = false;
    for (size_t i = 0; i < s->n; i++)
        if (!isnan(s->col[c][i]) && (!have || s->col[c][i] < *out)) {
            *out = s->col[c][i];
            have = true;
        }
    return have;
}
