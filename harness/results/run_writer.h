/* run_writer.h - writing a run directory as docs/results.md specifies:
 * summary.csv (a row appended and flushed as each run finishes),
 * samples/<workload>/<allocator>-<rep>.csv, and run.json. */
#ifndef ALLOCSCOPE_RUN_WRITER_H
#define ALLOCSCOPE_RUN_WRITER_H

#include <jansson.h>
#include <limits.h>
#include <stdio.h>

#include "figures.h"
#include "runner.h"

struct results_dir {
    char path[PATH_MAX];
    FILE *summary;
};

struct program_outcome;

/* What a program row says beyond its outcome. */
struct program_row_info {
    const char *kind;        /* "program" or "service" */
    const char *same_output; /* "yes", "no", or "" when not checked */
    double interval_s;
};

/* One summary row. `figures` is NULL for runs that did not finish. */
struct results_row {
    const char *workload;
    const char *allocator;
    unsigned rep;
    enum run_status status;
    const char *reason;
    uint32_t threads;
    const struct run_figures *figures;
    const char *served_by;
    const char *allocator_version;
    const char *allocator_stats; /* "key=value;..." */
    uint64_t opstream_hash;
    uint64_t spec_hash;
    /* Real programs (program_results.h); NULL for synthetic runs. */
    const struct program_outcome *program;
    const struct program_row_info *program_info;
};

/* Create DIR (and parents) with samples/; write summary.csv's header. */
int results_create(struct results_dir *d, const char *path, char *err, size_t errlen);
void results_close(struct results_dir *d);

/* Append one row to summary.csv and flush it to the file. */
int results_append_row(struct results_dir *d, const struct results_row *row);

/* samples/<workload>/<allocator>-<rep>.csv from the region's samples. */
int results_write_samples(const struct results_dir *d, const char *workload,
                          const char *allocator, unsigned rep, const struct result_region *r,
                          char *err, size_t errlen);

/* Write run.json atomically (temp file + rename). */
int results_write_run_json(const struct results_dir *d, json_t *run, char *err, size_t errlen);

/* A name is safe as one path component: [A-Za-z0-9._-]+, not "." or "..". */
int results_safe_component(const char *name);

#endif
