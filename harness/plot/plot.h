/* plot.h - rendering a run directory: gnuplot charts and report.html.
 *
 * Used by `allocscope plot` and at the end of `allocscope run`. Writes
 *   OUT/plots/<chart>.gp   self-contained gnuplot script (data inline)
 *   OUT/plots/<chart>.svg  drawn by gnuplot from the script (for the report)
 *   OUT/plots/<chart>.png  the same chart, pngcairo (for issues and PRs)
 *   OUT/report.html        metadata, summary table and every chart
 * where OUT is out_dir, or run_dir when out_dir is NULL. See docs/plots.md. */
#ifndef ALLOCSCOPE_PLOT_H
#define ALLOCSCOPE_PLOT_H

#include <stdbool.h>
#include <stddef.h>

/* Returns 0 when every chart was drawn; 1 when report.html was written
 * but some chart could not be drawn (the report says which, in its place;
 * err says how many and the first error); -1 when there is no report (not
 * a run directory, or report.html could not be written), with err.
 * quiet: print nothing on success (and no gnuplot warnings). */
int plot_render_run(const char *run_dir, const char *out_dir, bool quiet, char *err,
                    size_t errlen);

#endif
