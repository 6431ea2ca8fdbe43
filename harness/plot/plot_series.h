/* plot_series.h - one samples/<workload>/<allocator>-<rep>.csv read back as
 * columns of doubles. A cell that is empty (unsupported counter, ratio with
 * no live bytes) is NaN, never 0. Long series are thinned to at most
 * PLOT_SERIES_MAX points, keeping every phase end and the peak-heap sample. */
#ifndef ALLOCSCOPE_PLOT_SERIES_H
#define ALLOCSCOPE_PLOT_SERIES_H

#include <stdbool.h>
#include <stddef.h>

#include "plot_model.h"

#define PLOT_SERIES_MAX 2000

enum plot_series_col {
    PS_OP,
    PS_LIVE,
    PS_HEAP,
    PS_BRK,
    PS_MINOR_FAULTS,
    PS_DTLB_PER_KOP, /* derived: dTLB load misses per 1000 ops since the previous point */
    PS_FRAG,
    PS_T,   /* t_ns in seconds: the x axis of real programs */
    PS_RSS, /* rss_bytes */
    PS_ANON_HUGE, /* anon_huge_bytes: phase ends and budgeted samples only */
    PS_COLS
};

struct plot_series {
    size_t n;
    double *col[PS_COLS];
    bool *phase_end; /* kind == phase_end */
    long *phase;     /* phase index */
    bool has[PS_COLS]; /* at least one value present */
};

/* Read the series of (w, a) at the cell's series repetition. Returns 0;
 * -1 when there is none to read (why in err: no ok repetition, unsafe
 * name, missing or unreadable file). */
int plot_series_load(const struct plot_run *run, size_t w, size_t a, struct plot_series *s,
                     char *err, size_t errlen);
void plot_series_free(struct plot_series *s);

/* Largest value of a column, NaN-aware; false when it has none. */
bool plot_series_max(const struct plot_series *s, enum plot_series_col c, double *out);
bool plot_series_min(const struct plot_series *s, enum plot_series_col c, double *out);

#endif
