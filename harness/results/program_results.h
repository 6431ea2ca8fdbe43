/* program_results.h - the run directory's parts for real programs: their
 * summary.csv cells, their samples file and their run.json entries
 * (docs/results.md). The summary.csv cells of program rows are in
 * summary_row.c, with every other column. */
#ifndef ALLOCSCOPE_PROGRAM_RESULTS_H
#define ALLOCSCOPE_PROGRAM_RESULTS_H

#include <jansson.h>
#include <stdio.h>

#include "program.h"
#include "spec.h"

struct results_dir;
struct results_row;

/* samples/<workload>/<allocator>-<rep>.csv of a program run. */
int results_write_program_samples(const struct results_dir *d, const char *workload,
                                  const char *allocator, unsigned rep,
                                  const struct program_outcome *o, char *err, size_t errlen);

/* run.json workloads[] entry of a program or service. */
void run_meta_add_program(json_t *run, const struct workload_spec *w);

/* run.json "programs": how program runs were measured (sampling interval,
 * the source of each peak figure, cgroup v2 availability and why not). */
void run_meta_program_method(json_t *run, double interval_s, bool cgroup, const char *why_not);

#endif
