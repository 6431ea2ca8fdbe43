/* run_meta.h - building run.json (schema in docs/results.md). */
#ifndef ALLOCSCOPE_RUN_META_H
#define ALLOCSCOPE_RUN_META_H

#include <jansson.h>
#include <stdbool.h>

#include "host_info.h"
#include "opstream.h"
#include "registry.h"
#include "spec.h"
#include "trace_facts.h"

/* The skeleton: tool, command line, start time, host, perf, options. */
json_t *run_meta_new(int argc, char **argv, const struct host_info *host, bool quick,
                     unsigned reps);

void run_meta_add_allocator(json_t *run, const struct allocator_entry *a);
/* Record the version the allocator reported in its first successful run. */
void run_meta_set_allocator_version(json_t *run, const char *name, const char *version);

/* A workload and its op stream's facts (the hash is null unless the stream
 * was generated whole). */
void run_meta_add_workload(json_t *run, const struct workload_spec *w,
                           const struct opgen_totals *stream);

/* A trace workload's recording (its facts) in its run.json entry. */
void run_meta_set_workload_trace(json_t *run, const char *workload,
                                 const struct trace_facts *f);

/* How this run measures: the timer (its rate, and the cost of one timing
 * as calibrated in the parent; each worker calibrates its own too, in the
 * row's timer_floor_ns), the sampling interval, the op window's size. */
void run_meta_set_measurement(json_t *run, const char *timer_desc, double timer_ticks_per_ns,
                              uint64_t timer_floor_ns, uint64_t sample_interval_ns,
                              uint64_t window_ops);

/* The run's plan: the seed of the allocators' order in each repetition
 * (run_plan.h) and, when shard_count > 0, which shard of how many this
 * run is, with the names of every workload of the whole matrix. */
void run_meta_set_plan(json_t *run, uint64_t order_seed, unsigned shard_index,
                       unsigned shard_count, const char *const *workloads, size_t nworkloads);

/* --instructions: "perf" or "callgrind" and how it counts. */
void run_meta_set_instructions(json_t *run, const char *method, const char *description);

/* status: running | complete | interrupted | incomplete (stopped because
 * results could not be written); sets finished_at unless running. */
void run_meta_finish(json_t *run, const char *status, unsigned total, unsigned ok,
                     unsigned failed);

/* runs.planned: how many rows the whole suite would write. */
void run_meta_set_planned(json_t *run, unsigned planned);

/* write_errors: the first failed writes (docs/results.md) and
 * write_errors_total; nothing when there were none. */
void run_meta_set_write_errors(json_t *run, const char *const *errors, size_t shown,
                               size_t total);

/* UTC "2026-11-20T12:00:00Z" for now. */
void run_meta_timestamp(char out[32]);

#endif
