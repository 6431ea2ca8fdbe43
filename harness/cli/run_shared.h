/* run_shared.h - what `run` and `exec` share: the options, the workloads
 * to run, and the suite loop (cmd_run.c), plus the measuring of program
 * workloads (run_programs.c). */
#ifndef ALLOCSCOPE_RUN_SHARED_H
#define ALLOCSCOPE_RUN_SHARED_H

#include <jansson.h>
#include <stdbool.h>

#include "progress.h"
#include "registry.h"
#include "run_plan.h"
#include "run_writer.h"
#include "spec.h"

struct run_options {
    char *allocators; /* comma separated, NULL = suite's or default */
    unsigned reps;    /* 0 = suite's or default */
    const char *out;
    const char *registry;
    double timeout_s; /* 0 = each workload's */
    bool quick;
    bool no_plots;
    double interval_s; /* sampling interval; < 0 = default (synthetic 1 ms;
                          programs: each workload's, else 10 ms); 0 = none */
    unsigned long window_ops; /* ops per chunk handed to a worker; 0 = default */
    uint64_t memory_limit;    /* bytes of address space per run; 0 = each workload's */
    const char *command; /* "run" or "exec", for messages */
    char **env_specs;    /* --env VARIANT:NAME=VALUE, in order */
    size_t nenv;
    bool seed_given;
    uint64_t order_seed;
    struct shard shard;       /* index 0: the whole matrix */
    const char *instructions; /* --instructions[=METHOD]; NULL = off */
};

/* All workloads of all files, validated before anything runs. */
struct trace_facts;

struct workload_set {
    struct suite_spec *suites;
    size_t suite_count;
    const struct workload_spec **items;
    size_t count;
    struct trace_facts **facts; /* per item: its trace's, or NULL */
};

/* Measure every workload of the set under every allocator; the set is
 * freed. argc/argv are the command line recorded in run.json. Returns the
 * command's exit status. */
int run_workload_set(int argc, char **argv, const struct run_options *o,
                     struct workload_set *set);

struct run_totals {
    unsigned total, ok, failed, skipped;
    bool row_lost; /* a summary row could not be written: the suite stops */
};

/* Count one row's status in the totals. */
void run_count_row(struct run_totals *t, enum run_status status);

/* Every run of one program workload: by repetition, the allocators in
 * that repetition's order (run_plan.h). */
void run_program_workload(struct results_dir *dir, json_t *meta, const struct workload_spec *w,
                          const struct allocator_entry *const *allocs, size_t nallocs,
                          unsigned reps, const struct run_options *o, const char *probe,
                          uint64_t order_seed, struct progress *prog, struct run_totals *t);

/* "10ms", "1s", "500us" or "none" (0). Returns 0 or -1. */
int parse_interval(const char *text, double *out);

#endif
