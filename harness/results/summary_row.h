/* summary_row.h - the columns of summary.csv and how one row is formatted
 * (docs/results.md is the reference for every column). */
#ifndef ALLOCSCOPE_SUMMARY_ROW_H
#define ALLOCSCOPE_SUMMARY_ROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "figures.h"
#include "runner.h"

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
    unsigned order_pos;        /* 1-based place in its repetition; 0 = unknown */
    /* --instructions: the measured loop's user-space instructions over
     * instructions_ops ops (empty cells unless has_instructions). */
    bool has_instructions;
    uint64_t instructions;
    uint64_t instructions_ops;
};

/* The header line, then rows: each written whole, ending in '\n'. */
void summary_write_header(FILE *f);
void summary_write_row(FILE *f, const struct results_row *row);

/* Number of columns, and the name of column i (for tests and readers). */
size_t summary_column_count(void);
const char *summary_column_name(size_t i);

#endif
