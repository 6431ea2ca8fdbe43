/* summary_file.c - summary.csv's columns and its strict reader (see
 * summary_file.h). */
#include "summary_file.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounded_file.h"
#include "runner.h"
#include "xalloc.h"



/* Digits only, at least one, and the value fits: [0-9]+ below `limit`
 * (compared as text: no overflow). */
static bool integer_text(const char *s, const char *limit)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || s[n])
        return false;
    while (n > 1 && *s == '0') /* leading zeros do not add digits */
        s++, n--;
    size_t ln = strlen(limit);
    return n < ln || (n == ln && strcmp(s, limit) < 0);
}

static bool decimal_text(const char *s)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 20)
        return false;
    if (s[n] == '\0')
        return true;
    if (s[n] != '.')
        return false;
    size_t f = strspn(s + n + 1, "0123456789");
    return f > 0 && s[n + 1 + f] == '\0';
}

static const char *check_cell(enum summary_cell kind, const char *s)
{
    static const char u64_limit[] = "18446744073709551616"; /* 2^64 */
    static const char i64_limit[] = "9223372036854775808";  /* 2^63 */
    if (!s[0])
        return kind == CELL_NAME     ? "is empty"
               : kind == CELL_STATUS ? "is empty: a status is required"
               : kind == CELL_REP    ? "is empty: a repetition number is required"
                                     : NULL;
    switch (kind) {
    case CELL_TEXT:
    case CELL_NAME:
        return NULL;
    case CELL_STATUS:
        return run_status_from_name(s) < 0
                   ? "is not a status (ok, failed, crashed, timeout, oom, interrupted, skipped)"
                   : NULL;
    case CELL_REP:
        return integer_text(s, "2147483648") && strspn(s, "0") != strlen(s)
                   ? NULL
                   : "is not a repetition number (1, 2, ...)";
    case CELL_COUNT:
        return integer_text(s, u64_limit) ? NULL : "is not a whole number of at least 0";
    case CELL_SIGNED:
        return integer_text(s[0] == '-' ? s + 1 : s, i64_limit) ? NULL
                                                                : "is not a whole number";
    case CELL_DECIMAL:
        return decimal_text(s) ? NULL : "is not a decimal number of at least 0 (like 0.25)";
    case CELL_HASH:
        return strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16
                   ? NULL
                   : "is not a hash (16 hex digits)";
    }
    return NULL;
}

/* Rows with the same (workload, allocator, rep) are found by sorting. */
struct row_key {
    const char *workload, *allocator, *rep;
    size_t row;
};

static int key_cmp(const void *pa, const void *pb)
{
    const struct row_key *a = pa, *b = pb;
    int c = strcmp(a->workload, b->workload);
    if (c == 0)
        c = strcmp(a->allocator, b->allocator);
    if (c == 0)
        c = strtol(a->rep, NULL, 10) < strtol(b->rep, NULL, 10)   ? -1
            : strtol(a->rep, NULL, 10) > strtol(b->rep, NULL, 10) ? 1
                                                                  : 0;
    if (c == 0)
        c = a->row < b->row ? -1 : a->row > b->row;
    return c;
}

static int check_duplicates(const struct csv_table *t, const char *name, char *err,
                            size_t errlen)
{
    int cw = csv_column(t, "workload"), ca = csv_column(t, "allocator"),
        cr = csv_column(t, "rep");
    struct row_key *keys = xcalloc(t->rows, sizeof *keys);
    for (size_t r = 0; r < t->rows; r++)
        keys[r] = (struct row_key){csv_cell(t, r, cw), csv_cell(t, r, ca), csv_cell(t, r, cr), r};
    qsort(keys, t->rows, sizeof *keys, key_cmp);
    int rc = 0;
    for (size_t i = 1; i < t->rows && rc == 0; i++) {
        struct row_key a = keys[i - 1], b = keys[i];
        if (strcmp(a.workload, b.workload) != 0 || strcmp(a.allocator, b.allocator) != 0 ||
            strtol(a.rep, NULL, 10) != strtol(b.rep, NULL, 10))
            continue;
        snprintf(err, errlen, "%s:%u: a second row for %.60s x %.60s rep %.12s (first at line %u)",
                 name, t->line[b.row], b.workload, b.allocator, b.rep, t->line[a.row]);
        rc = -1;
    }
    free(keys);
    return rc;
}

int summary_parse(const char *text, size_t len, const char *name, struct csv_table *out,
                  char *err, size_t errlen)
{
    if (csv_parse(text, len, name, out, err, errlen) != 0)
        return -1;
    int col[SUMMARY_MAX_COLUMNS];
    for (size_t k = 0; k < summary_column_count; k++)
        col[k] = csv_column(out, summary_columns[k].name);
    static const char *const required[] = {"workload", "allocator", "rep", "status"};
    for (size_t k = 0; k < 4; k++)
        if (csv_column(out, required[k]) < 0) {
            snprintf(err, errlen, "%s:1: the header has no '%s' column: not a summary.csv", name,
                     required[k]);
            csv_free(out);
            return -1;
        }
    for (size_t r = 0; r < out->rows; r++)
        for (size_t k = 0; k < summary_column_count; k++) {
            const char *cell = csv_cell(out, r, col[k]);
            const char *bad = col[k] < 0 ? NULL : check_cell(summary_columns[k].cell, cell);
            if (!bad)
                continue;
            snprintf(err, errlen, "%s:%u: %s '%.40s' %s", name, out->line[r],
                     summary_columns[k].name, cell, bad);
            csv_free(out);
            return -1;
        }
    if (check_duplicates(out, name, err, errlen) != 0) {
        csv_free(out);
        return -1;
    }
    return 0;
}

int summary_read_dir(const char *dir, struct csv_table *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char path[PATH_MAX + 16], why[128];
    if (snprintf(path, sizeof path, "%s/summary.csv", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    size_t len;
    char *text = bounded_read_file(path, BOUNDED_SUMMARY_MAX, &len, why, sizeof why);
    if (!text) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    int rc = summary_parse(text, len, path, out, err, errlen);
    free(text);
    return rc;
}
