/* csv.c - reading and writing the results' CSV dialect (see csv.h). */
#include "csv.h"
#include "bounded_file.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void csv_write_value(FILE *f, const char *value)
{
    if (!value)
        value = "";
    if (strpbrk(value, ",\"\r\n")) {
        fputc('"', f);
        for (const char *p = value; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(value, f);
    }
}

void csv_write_field(FILE *f, const char *value, bool last)
{
    csv_write_value(f, value);
    fputc(last ? '\n' : ',', f);
}

/* A growable row of fields. */
struct row {
    char **fields;
    size_t count, cap;
};

static void row_push(struct row *r, char *field)
{
    if (r->count == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->fields = xrealloc(r->fields, r->cap * sizeof *r->fields);
    }
    r->fields[r->count++] = field;
}

static void row_free(struct row *r)
{
    for (size_t k = 0; k < r->count; k++)
        free(r->fields[k]);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

/* Parse one record starting at *pos, which must end with "\n" or "\r\n";
 * advances *pos past it and *line over the line feeds inside quotes.
 * Returns NULL, or the reason the record is malformed. `buf` has room for
 * the rest of the text. */
static const char *parse_record(const char *text, size_t len, size_t *pos, unsigned *line,
                                struct row *out, char *buf)
{
    size_t i = *pos;
    for (;;) {
        size_t n = 0;
        if (i < len && text[i] == '"') {
            i++;
            for (;;) {
                if (i >= len)
                    return "unterminated quoted field";
                if (text[i] == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        buf[n++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (text[i] == '\n')
                    (*line)++;
                buf[n++] = text[i++];
            }
            if (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                return "text after the closing quote of a field";
        } else {
            while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                if (text[i] == '"')
                    return "a quote inside an unquoted field";
                buf[n++] = text[i++];
            }
        }
        buf[n] = '\0';
        row_push(out, xstrdup(buf));
        if (i < len && text[i] == ',') {
            i++;
            continue;
        }
        if (i < len && text[i] == '\r') {
            if (i + 1 >= len || text[i + 1] != '\n')
                return i + 1 >= len ? "the row is cut short (no line end)"
                                    : "a carriage return that does not end a line";
            i++;
        }
        if (i >= len)
            return "the row is cut short (no line end)";
        i++; /* the '\n' */
        break;
    }
    *pos = i;
    return NULL;
}

static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *what)
{
    snprintf(err, errlen, "%s:%u: %s", name, line, what);
    return -1;
}

static int check_header(const struct row *h, const char *name, char *err, size_t errlen)
{
    char what[160];
    for (size_t c = 0; c < h->count; c++) {
        if (!h->fields[c][0]) {
            snprintf(what, sizeof what, "header column %zu has no name", c + 1);
            return fail(err, errlen, name, 1, what);
        }
        for (size_t k = 0; k < c; k++)
            if (strcmp(h->fields[k], h->fields[c]) == 0) {
                snprintf(what, sizeof what, "header names column '%.60s' twice", h->fields[c]);
                return fail(err, errlen, name, 1, what);
            }
    }
    return 0;
}

int csv_parse(const char *text, size_t len, const char *name, struct csv_table *out,
              char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (memchr(text, '\0', len)) {
        unsigned line = 1;
        for (const char *p = text; *p; p++)
            line += *p == '\n';
        return fail(err, errlen, name, line, "NUL byte: not a text file");
    }
    size_t pos = 0, cap = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        pos = 3; /* UTF-8 byte-order mark */
    if (pos == len)
        return fail(err, errlen, name, 1, "empty file, no header row");
    char *buf = xcalloc(len - pos + 1, 1);
    unsigned line = 1;
    int rc = 0;
    char what[160];
    while (pos < len) {
        unsigned record_line = line;
        struct row r = {0};
        const char *bad = parse_record(text, len, &pos, &line, &r, buf);
        line++;
        if (!bad && out->header && r.count != out->columns) {
            snprintf(what, sizeof what, "%zu fields, the header has %zu", r.count, out->columns);
            bad = what;
        }
        if (bad) {
            rc = fail(err, errlen, name, record_line, bad);
            row_free(&r);
            break;
        }
        if (!out->header) {
            if (check_header(&r, name, err, errlen) != 0) {
                row_free(&r);
                rc = -1;
                break;
            }
            out->header = r.fields;
            out->columns = r.count;
            continue;
        }
        if (out->rows == cap) {
            cap = cap ? 2 * cap : 64;
            out->cells = xrealloc(out->cells, cap * sizeof *out->cells);
            out->line = xrealloc(out->line, cap * sizeof *out->line);
        }
        out->line[out->rows] = record_line;
        out->cells[out->rows++] = r.fields;
    }
    free(buf);
    if (rc < 0)
        csv_free(out);
    return rc;
}

int csv_read(const char *path, size_t max_bytes, struct csv_table *out, char *err,
             size_t errlen)
{
    memset(out, 0, sizeof *out);
    char why[128];
    size_t len;
    char *text = bounded_read_file(path, max_bytes, &len, why, sizeof why);
    if (!text) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    int rc = csv_parse(text, len, path, out, err, errlen);
    free(text);
    return rc;
}

void csv_free(struct csv_table *t)
{
    for (size_t r = 0; r < t->rows; r++) {
        for (size_t c = 0; c < t->columns; c++)
            free(t->cells[r][c]);
        free(t->cells[r]);
    }
    free(t->cells);
    free(t->line);
    for (size_t c = 0; c < t->columns; c++)
        free(t->header[c]);
    free(t->header);
    memset(t, 0, sizeof *t);
}

int csv_column(const struct csv_table *t, const char *name)
{
    for (size_t c = 0; c < t->columns; c++)
        if (strcmp(t->header[c], name) == 0)
            return (int)c;
    return -1;
}

const char *csv_cell(const struct csv_table *t, size_t row, int col)
{
    if (col < 0 || (size_t)col >= t->columns || row >= t->rows)
        return "";
    return t->cells[row][col];
}
