/* summary_row.h - the columns of summary.csv and how one row is formatted
 * (docs/results.md is the reference for every column). */
#ifndef ALLOCSCOPE_SUMMARY_ROW_H
#define ALLOCSCOPE_SUMMARY_ROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "figures.h"
#include "runner.h"
#include "trace_facts.h"

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
    /* Trace workloads: the recording's facts, and the replay checked
     * against them ("ok" or what differs; NULL when not checked). */
    const struct trace_facts *trace;
    const char *trace_fidelity;
    unsigned order_pos;        /* 1-based place in its repetition; 0 = unknown */
    /* --instructions: the measured loop's user-space instructions over
     * instructions_ops ops (empty cells unless has_instructions). */
    bool has_instructions;
    uint64_t instructions;
    uint64_t instructions_ops;
};

/* What a cell of a column may hold (the strict reader, summary_file.c,
 * refuses anything else). */
enum summary_cell {
    CELL_TEXT,     /* anything */
    CELL_NAME,     /* non-empty text */
    CELL_STATUS,   /* ok, failed, ... */
    CELL_REP,      /* 1, 2, ... */
    CELL_COUNT,    /* empty or an unsigned decimal integer < 2^64 */
    CELL_SIGNED,   /* empty or a decimal integer in int64 range */
    CELL_DECIMAL,  /* empty or an unsigned decimal number: 12, 0.25 */
    CELL_HASH,     /* empty or 16 lower-case hex digits */
};

struct program_outcome;

/* Rows of real programs (row->program set and run) have no op-based
 * figures: a column fills their cell with `pcell`, or leaves it empty. */
typedef void (*program_cell_fn)(FILE *f, const struct results_row *row,
                                const struct program_outcome *o);

struct summary_column {
    const char *name;
    enum summary_cell cell;
    /* Writes the cell's text (no separator). arg: a column parameter. */
    void (*write)(FILE *f, const struct results_row *row, const struct run_figures *g, int arg);
    int arg;
    int needs; /* 0: every row; 1: rows with figures; 2: program rows only */
    program_cell_fn pcell; /* program rows; NULL: empty */
};

/* Every column: its name, what its cells hold, and how the writer fills
 * them. In file order: new columns are only ever appended. */
extern const struct summary_column summary_columns[];
extern const size_t summary_column_count;
#define SUMMARY_MAX_COLUMNS 128

/* The header line, then rows: each written whole, ending in '\n'. */
void summary_write_header(FILE *f);
void summary_write_row(FILE *f, const struct results_row *row);

#endif
