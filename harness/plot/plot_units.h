/* plot_units.h - human units for values and axes: bytes in KiB/MiB/GiB,
 * times in ns/µs/ms/s, counts and rates with k/M/G. Axis tics are computed
 * here and written as explicit gnuplot tic lists, so every chart labels
 * bytes at powers of two and times in the right unit. */
#ifndef ALLOCSCOPE_PLOT_UNITS_H
#define ALLOCSCOPE_PLOT_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum plot_unit {
    PU_COUNT, /* 12k, 3.4M */
    PU_BYTES, /* 512 KiB, 1.5 MiB */
    PU_NS,    /* 850 ns, 1.2 µs */
    PU_RATE,  /* ops per second: 12.3M */
    PU_RATIO, /* 1.27 */
    PU_SECONDS, /* 0.25 s, 12.5 s (wall time of programs) */
};

/* Human form of v, e.g. "1.50 MiB", "850 ns", "31.2 Mops/s", "1.27×". */
void plot_fmt(enum plot_unit u, double v, char *buf, size_t n);

/* Whether [lo, hi] spans enough decades to want a log axis. */
bool plot_wants_log(double lo, double hi);

/* Write `set {axis}range`, `set {axis}tics (...)` and the log scale (or
 * not) for values in [lo, hi]. For log, lo must be > 0. With from_zero the
 * linear range starts at 0 (bars). */
void plot_axis(FILE *f, const char *axis, enum plot_unit u, double lo, double hi, bool log,
               bool from_zero);

#endif
