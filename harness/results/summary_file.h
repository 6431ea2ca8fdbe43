/* summary_file.h - summary.csv's columns, and summary.csv read back
 * strictly: the CSV dialect of csv.h plus what every row must be.
 *
 * A row is refused (FILE:LINE: message) when a known column holds
 * something the writer never writes: a status that is not one of
 * run_status_name()'s, a repetition that is not a positive integer, a
 * number with a sign where none can be, hex, an exponent, inf/nan or
 * spaces, a hash that is not 16 hex digits; or when (workload, allocator,
 * rep) repeats an earlier row. Empty cells stay allowed in the figure
 * columns (unsupported, or a run that did not finish). Columns added later
 * (unknown here) are read unchecked. */
#ifndef ALLOCSCOPE_SUMMARY_FILE_H
#define ALLOCSCOPE_SUMMARY_FILE_H

#include <stddef.h>

#include "csv.h"
#include "summary_row.h"

int summary_parse(const char *text, size_t len, const char *name, struct csv_table *out,
                  char *err, size_t errlen);

/* DIR/summary.csv, a regular file of at most BOUNDED_SUMMARY_MAX bytes. */
int summary_read_dir(const char *dir, struct csv_table *out, char *err, size_t errlen);

#endif
