/* metrics.h - the summary.csv figures `allocscope compare` and
 * `allocscope plot --history` know: which column, which unit, whether
 * bigger or smaller is better, and whether the figure is a time-like
 * (noisy) or a memory (usually exactly repeatable) figure. */
#ifndef ALLOCSCOPE_METRICS_H
#define ALLOCSCOPE_METRICS_H

#include <stdbool.h>
#include <stddef.h>

enum metric_class {
    METRIC_TIME,   /* varies run to run: judged with the U test */
    METRIC_MEMORY, /* often exactly repeatable: threshold alone when it is */
    METRIC_COUNT,  /* deterministic counts (instructions per op): a tight
                      threshold, alone when the repetitions agree */
};

enum metric_unit {
    UNIT_OPS_PER_S,
    UNIT_NS,
    UNIT_SECONDS,
    UNIT_BYTES,
    UNIT_RATIO,
    UNIT_COUNT,
    UNIT_PER_KOP,
    UNIT_PER_OP,   /* instructions per op */
};

struct metric_def {
    const char *name;   /* short name for --metric */
    const char *column; /* summary.csv column */
    const char *label;  /* human name */
    enum metric_unit unit;
    enum metric_class cls;
    bool bigger_is_better;
    bool key; /* compared by default */
};

/* Upper bound of metric_count, for arrays indexed by metric_index. */
#define METRIC_MAX 32

extern const struct metric_def metric_defs[];
extern const size_t metric_count;

/* By short name or column name; NULL when unknown. */
const struct metric_def *metric_find(const char *name);

/* Index of d in metric_defs. */
size_t metric_index(const struct metric_def *d);

/* Unit as text ("ops/s", "bytes", ...). */
const char *metric_unit_name(enum metric_unit u);

/* Format a value of unit u for people ("1.25 MiB", "3.1 M/s"). */
void metric_format(enum metric_unit u, double v, char *buf, size_t len);

/* "time", "memory" or "count". */
const char *metric_class_name(enum metric_class c);

/* Parse a comma-separated list of metric names ("all", "key" allowed) and
 * set selected[metric_index] for each. Returns 0, or -1 with the unknown
 * name copied to bad. */
int metric_parse_list(const char *list, bool *selected, char *bad, size_t badlen);

#endif
