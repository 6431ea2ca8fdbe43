/* csv.h - the CSV dialect of allocscope's results (RFC 4180: comma
 * separated, fields quoted with " when they hold a comma, quote or newline,
 * quotes doubled inside quotes, every record ended by a line feed).
 *
 * Reading is strict, because a results file that does not parse exactly is
 * damaged or edited, and guessing would report wrong figures: every record
 * has exactly as many fields as the header, the last record ends with its
 * line end (a file cut mid-row is an error, not a short row), a quote may
 * only open or close a field, header names are unique and non-empty, and
 * NUL bytes are refused. "\r\n" line ends and a leading UTF-8 byte-order
 * mark (left by spreadsheet programs) are accepted. Errors are
 * "FILE:LINE: message". Parent side only: uses malloc freely. */
#ifndef ALLOCSCOPE_CSV_H
#define ALLOCSCOPE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Write one field (quoted only when needed); `last` ends the row. */
void csv_write_field(FILE *f, const char *value, bool last);
/* The value alone, quoted where needed, with no separator after it. */
void csv_write_value(FILE *f, const char *value);

/* A whole file in memory: row 0 is the header. */
struct csv_table {
    size_t columns;  /* number of header fields */
    size_t rows;     /* data rows, header excluded */
    char **header;   /* [columns] */
    char ***cells;   /* [rows][columns] */
    unsigned *line;  /* [rows]: line number where each data row starts */
};

/* Parse `len` bytes of `text` (`name` is used in messages). Returns 0, or
 * -1 with "NAME:LINE: message" in err. */
int csv_parse(const char *text, size_t len, const char *name, struct csv_table *out,
              char *err, size_t errlen);

/* Read and parse the regular file `path` of at most max_bytes
 * (bounded_file.h). */
int csv_read(const char *path, size_t max_bytes, struct csv_table *out, char *err,
             size_t errlen);
void csv_free(struct csv_table *t);

/* Column index of `name`, or -1. */
int csv_column(const struct csv_table *t, const char *name);

/* Cell (row, col), "" for a missing column (col < 0). */
const char *csv_cell(const struct csv_table *t, size_t row, int col);

#endif
