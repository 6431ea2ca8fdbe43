/* plot_charts.h - the chart generators. Each writes gnuplot scripts into
 * the plots folder (plot_script.h) and registers them in `charts`; none
 * runs gnuplot. */
#ifndef ALLOCSCOPE_PLOT_CHARTS_H
#define ALLOCSCOPE_PLOT_CHARTS_H

#include <stddef.h>
#include <stdint.h>

#include "plot_model.h"
#include "plot_script.h"

/* Per workload, against op count: heap with live bytes as reference,
 * program break, fragmentation ratio, page faults and TLB misses. Writes
 * nothing when no allocator has samples for the workload. */
int plot_workload_charts(const char *plots_dir, const struct plot_run *run, size_t w,
                         struct plot_charts *charts, char *err, size_t errlen);

/* Per real program or service, against time: resident memory, heap,
 * program break, page faults (plot_program.c). */
int plot_program_charts(const char *plots_dir, const struct plot_run *run, size_t w,
                        struct plot_charts *charts, char *err, size_t errlen);

/* Suite summary: throughput, peak heap, fragmentation (clustered bars with
 * min-max over repetitions) and latency percentiles. */
int plot_suite_charts(const char *plots_dir, const struct plot_run *run,
                      struct plot_charts *charts, char *err, size_t errlen);

/* Every allocator relative to the baseline (glibc when present) on every
 * workload: one heat map per metric, better in green. */
int plot_overview_chart(const char *plots_dir, const struct plot_run *run,
                        struct plot_charts *charts, char *err, size_t errlen);

/* The allocator all others are compared with: glibc when it has results,
 * else the first with any. SIZE_MAX when there is none. */
size_t plot_baseline_allocator(const struct plot_run *run);

#endif
