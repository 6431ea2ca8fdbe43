/* plot_gnuplot.h - running gnuplot on chart scripts.
 *
 * gnuplot is started as a program (posix_spawn, never a shell) with the
 * script's path as its only argument: the binary found at build time
 * (ALLOCSCOPE_GNUPLOT) when it is still there, else `gnuplot` from PATH.
 * Several scripts render at once, one process each. A script fails when
 * gnuplot exits non-zero or by a signal; its stderr is the message. */
#ifndef ALLOCSCOPE_PLOT_GNUPLOT_H
#define ALLOCSCOPE_PLOT_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>

/* Render every script in paths[0..n), each one whatever happened to the
 * others. failures[i] is NULL when script i rendered, else a malloc'ed
 * "gnuplot exited N: stderr..." (or why gnuplot could not start). Returns
 * the number of scripts that failed. Warnings of scripts that succeeded go
 * to stderr unless quiet. */
size_t plot_gnuplot_run(char *const *paths, size_t n, bool quiet, char **failures);

#endif
