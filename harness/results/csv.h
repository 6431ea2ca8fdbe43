/* csv.h - the CSV dialect of allocscope's results (RFC 4180: comma
 * separated, fields quoted with " when they hold a comma, quote or newline,
 * quotes doubled inside quotes). Parent side only: uses malloc freely. */
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
    char ***cells;   /* [rows][columns]; short rows are padded with "" */
};

/* Read `path`. Returns 0, or -1 with "PATH:LINE: message" in err. */
int csv_read(const char *path, struct csv_table *out, char *err, size_t errlen);
void csv_free(struct csv_table *t);

/* Column index of `name`, or -1. */
int csv_column(const struct csv_table *t, const char *name);

/* Cell (row, col), "" for a missing column (col < 0). */
const char *csv_cell(const struct csv_table *t, size_t row, int col);

#endif
