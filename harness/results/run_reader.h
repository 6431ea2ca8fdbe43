/* run_reader.h - one run directory read for comparison: the facts of
 * run.json that decide comparability, and summary.csv grouped by
 * (workload, allocator) with each known metric's values over the ok
 * repetitions. Used by `compare` and `plot --history`.
 *
 * Invariants: a group's values[m] holds only finite numbers from rows with
 * status ok; an empty cell is never a number: it counts in empty[m]
 * (unsupported), so "unsupported" is never confused with 0. Rows that are
 * not ok count in not_ok and their statuses in not_ok_what. */
#ifndef ALLOCSCOPE_RUN_READER_H
#define ALLOCSCOPE_RUN_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"

struct run_group {
    char *workload, *allocator;
    size_t rows, ok, not_ok;
    char not_ok_what[128];  /* e.g. "2 crashed, 1 timeout" */
    char *spec_hash;        /* from the first row that has one, or run.json */
    char *opstream_hash;
    char *allocator_version;
    bool program;           /* rows of a real program or service (column kind) */
    double **values;        /* [metric_count][ok] */
    size_t *nvalues;        /* [metric_count] */
    size_t *empty;          /* [metric_count]: ok rows with an empty cell */
    /* The same ok rows by repetition, for pairing two allocators of one
     * run: ok_rep[i] is the i-th ok row's rep, by_row[m][i] its value of
     * metric m (NaN for an empty cell). */
    unsigned *ok_rep;       /* [ok] */
    double **by_row;        /* [metric_count][ok] */
};

struct run_data {
    char *dir;
    /* run.json; strings are "" when absent. */
    char *cpu_model, *kernel, *thp_mode, *hostname;
    long cores, page_size;
    char *git_commit, *started_at, *label, *status;
    long planned;          /* runs.planned of run.json, -1 when not recorded */
    size_t write_errors;   /* entries of run.json's write_errors */
    size_t rows;           /* summary.csv data rows */
    struct run_group *groups;
    size_t ngroups;
};

/* Read DIR/run.json and DIR/summary.csv (bounded regular files, strict
 * CSV: summary_file.h). Returns 0, or -1 with a message naming the file
 * (and line) in err. */
int run_load(const char *dir, struct run_data *out, char *err, size_t errlen);

/* The same from the two files' contents in memory (`name` in messages). */
int run_load_texts(const char *name, const char *meta, size_t meta_len, const char *summary,
                   size_t summary_len, struct run_data *out, char *err, size_t errlen);

/* True when the run is not whole: its status is not "complete" (running,
 * interrupted), a result write failed, or it has fewer rows than planned;
 * `why` says which. */
bool run_incomplete(const struct run_data *r, char *why, size_t len);
void run_free(struct run_data *r);

const struct run_group *run_find(const struct run_data *r, const char *workload,
                                 const char *allocator);

#endif
