/* csv.c - reading and writing the results' CSV dialect (see csv.h). */
#include "csv.h"
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

/* Parse one record starting at *pos; advances *pos past its line end.
 * Returns -1 on an unterminated quote. */
static int parse_record(const char *text, size_t len, size_t *pos, unsigned *line,
                        struct row *out)
{
    size_t i = *pos;
    char *buf = xrealloc(NULL, len - i + 1);
    for (;;) {
        size_t n = 0;
        if (i < len && text[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    free(buf);
                    return -1;
                }
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
        }
        while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
            buf[n++] = text[i++];
        buf[n] = '\0';
        row_push(out, xstrdup(buf));
        if (i < len && text[i] == ',') {
            i++;
            continue;
        }
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        break;
    }
    free(buf);
    *pos = i;
    return 0;
}

int csv_read(const char *path, struct csv_table *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, got, mem);
    fclose(f);
    fclose(mem);

    size_t pos = 0, cap = 0;
    unsigned line = 1;
    int rc = 0;
    while (pos < len) {
        unsigned record_line = line;
        struct row r = {0};
        if (parse_record(text, len, &pos, &line, &r) < 0) {
            snprintf(err, errlen, "%s:%u: unterminated quoted field", path, record_line);
            for (size_t k = 0; k < r.count; k++)
                free(r.fields[k]);
            free(r.fields);
            rc = -1;
            break;
        }
        line++;
        if (!out->header) {
            out->header = r.fields;
            out->columns = r.count;
            continue;
        }
        if (r.count > out->columns) {
            snprintf(err, errlen, "%s:%u: %zu fields, header has %zu", path, record_line,
                     r.count, out->columns);
            for (size_t k = 0; k < r.count; k++)
                free(r.fields[k]);
            free(r.fields);
            rc = -1;
            break;
        }
        while (r.count < out->columns) {
            row_push(&r, xstrdup(""));
        }
        if (out->rows == cap) {
            cap = cap ? 2 * cap : 64;
            out->cells = xrealloc(out->cells, cap * sizeof *out->cells);
        }
        out->cells[out->rows++] = r.fields;
    }
    free(text);
    if (rc == 0 && !out->header) {
        snprintf(err, errlen, "%s: empty file, no header row", path);
        rc = -1;
    }
    if (rc < 0)
        csv_free(out);
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
