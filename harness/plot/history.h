/* history.h - `allocscope plot --history RUN...`: one metric across many
 * runs (oldest first, as given), one line per (workload, allocator) with
 * the median and the min-max range of the repetitions, the runs labelled
 * by commit. The chart is a self-contained gnuplot script (data inline as
 * datablocks) that is kept next to the image and run by gnuplot as a
 * program, never through a shell. */
#ifndef ALLOCSCOPE_HISTORY_H
#define ALLOCSCOPE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "metrics.h"
#include "run_reader.h"

/* Comma-separated name lists; NULL selects everything. */
struct history_filter {
    const char *workloads;
    const char *allocators;
};

/* Is `name` in the comma-separated `list` (NULL list: yes)? */
bool history_list_has(const char *list, const char *name);

/* The x-axis label of a run: run.json "label", else the harness commit,
 * else the directory's last component; then the start date. */
void history_run_label(const struct run_data *run, char *buf, size_t len);

/* Write a gnuplot script drawing metric m over runs[0..n) with labels[i]
 * as x tics into `output` (.png: pngcairo, else SVG; history_path_ok).
 * Returns the number of lines drawn (0: the metric has no values in these
 * runs, nothing useful was written), or -1 on a write error. */
int history_write_script(FILE *f, const struct run_data *runs, char *const *labels, size_t n,
                         const struct metric_def *m, const struct history_filter *flt,
                         const char *output);

/* Whether `path` can be an output file name in a script: no quotes,
 * backquotes or control characters (it is written into the script
 * verbatim, so it is refused rather than rewritten). */
bool history_path_ok(const char *path);

/* Run `gnuplot SCRIPT` (fork + exec, no shell). Returns 0, or -1 with
 * the reason in err. */
int history_run_gnuplot(const char *gnuplot, const char *script, char *err, size_t errlen);

#endif
