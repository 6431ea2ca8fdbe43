/* run_reader.c - reading a run directory for comparison (run_reader.h). */
#include "run_reader.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "run_json_file.h"
#include "summary_file.h"
#include "xalloc.h"

/* String member of a JSON object, "" when absent or not a string. */
static const char *jstr(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* In the array `arr` of objects, the object whose "name" is `name`. */
static json_t *jfind_named(json_t *arr, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (strcmp(jstr(v, "name"), name) == 0)
            return v;
    return NULL;
}

static void load_meta(json_t *root, struct run_data *r)
{
    json_t *host = json_object_get(root, "host"), *tool = json_object_get(root, "tool");
    r->cpu_model = xstrdup(jstr(host, "cpu_model"));
    r->kernel = xstrdup(jstr(host, "kernel"));
    r->thp_mode = xstrdup(jstr(host, "thp_mode"));
    r->hostname = xstrdup(jstr(host, "hostname"));
    r->cores = (long)json_integer_value(json_object_get(host, "cores"));
    r->page_size = (long)json_integer_value(json_object_get(host, "page_size"));
    if (r->page_size <= 0)
        r->page_size = 4096;
    r->git_commit = xstrdup(jstr(tool, "git_commit"));
    r->started_at = xstrdup(jstr(root, "started_at"));
    r->label = xstrdup(jstr(root, "label"));
    r->status = xstrdup(jstr(root, "status"));
    json_t *runs = json_object_get(root, "runs");
    json_t *planned = json_object_get(runs, "planned");
    r->planned = json_is_integer(planned) && json_integer_value(planned) >= 0
                     ? (long)json_integer_value(planned)
                     : -1;
    r->write_errors = json_array_size(json_object_get(root, "write_errors"));
}

static struct run_group *group_get(struct run_data *r, const char *workload,
                                   const char *allocator, size_t max_rows)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].workload, workload) == 0 &&
            strcmp(r->groups[i].allocator, allocator) == 0)
            return &r->groups[i];
    /* r->groups was sized for the worst case (one group per row). */
    struct run_group *g = &r->groups[r->ngroups++];
    memset(g, 0, sizeof *g);
    g->workload = xstrdup(workload);
    g->allocator = xstrdup(allocator);
    g->values = xcalloc(metric_count, sizeof *g->values);
    g->nvalues = xcalloc(metric_count, sizeof *g->nvalues);
    g->empty = xcalloc(metric_count, sizeof *g->empty);
    g->ok_rep = xcalloc(max_rows, sizeof *g->ok_rep);
    g->by_row = xcalloc(metric_count, sizeof *g->by_row);
    for (size_t m = 0; m < metric_count; m++) {
        g->values[m] = xcalloc(max_rows, sizeof *g->values[m]);
        g->by_row[m] = xcalloc(max_rows, sizeof *g->by_row[m]);
    }
    return g;
}

/* The statuses a row that is not ok can have; anything else is "other". */
static const char *const not_ok_names[] = {"failed",      "crashed", "timeout", "oom",
                                           "interrupted", "skipped", "other"};
#define NOT_OK_KINDS (sizeof not_ok_names / sizeof not_ok_names[0])

static size_t not_ok_kind(const char *status)
{
    for (size_t k = 0; k + 1 < NOT_OK_KINDS; k++)
        if (strcmp(status, not_ok_names[k]) == 0)
            return k;
    return NOT_OK_KINDS - 1;
}

/* "2 crashed, 1 timeout" from per-kind counts. */
static void describe_not_ok(const size_t *counts, char *what, size_t len)
{
    size_t used = 0;
    what[0] = '\0';
    for (size_t k = 0; k < NOT_OK_KINDS && used < len; k++)
        if (counts[k])
            used += (size_t)snprintf(what + used, len - used, "%s%zu %s", used ? ", " : "",
                                     counts[k], not_ok_names[k]);
}

static int parse_number(const char *cell, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(cell, &end);
    while (*end == ' ')
        end++;
    return (end == cell || *end || errno == ERANGE || !isfinite(*v)) ? -1 : 0;
}

static int load_summary(struct csv_table *tp, struct run_data *r, json_t *root, char *err,
                        size_t errlen)
{
    const struct csv_table t = *tp;
    const char *path = r->dir;
    int cw = csv_column(&t, "workload"), ca = csv_column(&t, "allocator"),
        cs = csv_column(&t, "status");
    r->rows = t.rows;
    int cspec = csv_column(&t, "spec_hash"), cops = csv_column(&t, "opstream_hash"),
        cver = csv_column(&t, "allocator_version"), ckind = csv_column(&t, "kind"),
        crep = csv_column(&t, "rep");
    int *cm = xcalloc(metric_count, sizeof *cm);
    for (size_t m = 0; m < metric_count; m++)
        cm[m] = csv_column(&t, metric_defs[m].column);
    r->groups = xcalloc(t.rows, sizeof *r->groups);
    size_t(*not_ok)[NOT_OK_KINDS] = xcalloc(t.rows, sizeof *not_ok);
    int rc = 0;
    for (size_t i = 0; i < t.rows && rc == 0; i++) {
        struct run_group *g = group_get(r, csv_cell(&t, i, cw), csv_cell(&t, i, ca), t.rows);
        g->rows++;
        const char *kind = csv_cell(&t, i, ckind);
        g->program |= strcmp(kind, "program") == 0 || strcmp(kind, "service") == 0;
        const char *status = csv_cell(&t, i, cs);
        if (strcmp(status, "ok") != 0) {
            g->not_ok++;
            not_ok[g - r->groups][not_ok_kind(status)]++;
            continue;
        }
        size_t row = g->ok++;
        g->ok_rep[row] = (unsigned)strtoul(csv_cell(&t, i, crep), NULL, 10);
        if (!g->spec_hash && csv_cell(&t, i, cspec)[0])
            g->spec_hash = xstrdup(csv_cell(&t, i, cspec));
        if (!g->opstream_hash && csv_cell(&t, i, cops)[0])
            g->opstream_hash = xstrdup(csv_cell(&t, i, cops));
        if (!g->allocator_version && csv_cell(&t, i, cver)[0])
            g->allocator_version = xstrdup(csv_cell(&t, i, cver));
        for (size_t m = 0; m < metric_count; m++) {
            const char *cell = csv_cell(&t, i, cm[m]);
            double v;
            g->by_row[m][row] = NAN;
            if (!cell[0]) {
                g->empty[m]++;
            } else if (parse_number(cell, &v) != 0) {
                snprintf(err, errlen, "%s/summary.csv:%u: %s is not a number: '%.40s'", path,
                         t.line[i], metric_defs[m].column, cell);
                rc = -1;
                break;
            } else {
                g->values[m][g->nvalues[m]++] = v;
                g->by_row[m][row] = v;
            }
        }
    }
    for (size_t i = 0; i < r->ngroups; i++)
        describe_not_ok(not_ok[i], r->groups[i].not_ok_what, sizeof r->groups[i].not_ok_what);
    free(not_ok);
    free(cm);
    /* Fill what the rows did not say from run.json. */
    json_t *allocs = json_object_get(root, "allocators"), *wls = json_object_get(root, "workloads");
    for (size_t i = 0; i < r->ngroups; i++) {
        struct run_group *g = &r->groups[i];
        json_t *w = jfind_named(wls, g->workload), *a = jfind_named(allocs, g->allocator);
        if (!g->spec_hash && w && jstr(w, "spec_hash")[0])
            g->spec_hash = xstrdup(jstr(w, "spec_hash"));
        if (!g->opstream_hash && w && jstr(w, "opstream_hash")[0])
            g->opstream_hash = xstrdup(jstr(w, "opstream_hash"));
        if (!g->allocator_version && a && jstr(a, "version")[0])
            g->allocator_version = xstrdup(jstr(a, "version"));
    }
    return rc;
}

static int load_parsed(json_t *root, struct csv_table *t, struct run_data *out, char *err,
                       size_t errlen)
{
    load_meta(root, out);
    int rc = load_summary(t, out, root, err, errlen);
    json_decref(root);
    csv_free(t);
    if (rc != 0)
        run_free(out);
    return rc;
}

int run_load(const char *dir, struct run_data *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_t *root = run_json_read_dir(dir, err, errlen);
    if (!root)
        return -1;
    struct csv_table t;
    if (summary_read_dir(dir, &t, err, errlen) != 0) {
        json_decref(root);
        return -1;
    }
    out->dir = xstrdup(dir);
    return load_parsed(root, &t, out, err, errlen);
}

int run_load_texts(const char *name, const char *meta, size_t meta_len, const char *summary,
                   size_t summary_len, struct run_data *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_t *root = run_json_parse(meta, meta_len, name, err, errlen);
    if (!root)
        return -1;
    struct csv_table t;
    if (summary_parse(summary, summary_len, name, &t, err, errlen) != 0) {
        json_decref(root);
        return -1;
    }
    out->dir = xstrdup(name);
    return load_parsed(root, &t, out, err, errlen);
}

bool run_incomplete(const struct run_data *r, char *why, size_t len)
{
    why[0] = '\0';
    size_t used = 0;
    if (strcmp(r->status, "complete") != 0)
        used += (size_t)snprintf(why, len, "its status is '%s'",
                                 r->status[0] ? r->status : "(none)");
    if (r->write_errors && used < len)
        used += (size_t)snprintf(why + used, len - used, "%s%zu result write%s failed",
                                 used ? "; " : "", r->write_errors,
                                 r->write_errors == 1 ? "" : "s");
    if (r->planned >= 0 && r->rows < (size_t)r->planned && used < len)
        used += (size_t)snprintf(why + used, len - used, "%s%zu of %ld planned rows",
                                 used ? "; " : "", r->rows, r->planned);
    return used > 0;
}

void run_free(struct run_data *r)
{
    for (size_t i = 0; i < r->ngroups; i++) {
        struct run_group *g = &r->groups[i];
        for (size_t m = 0; m < metric_count; m++) {
            free(g->values[m]);
            free(g->by_row[m]);
        }
        free(g->values);
        free(g->by_row);
        free(g->ok_rep);
        free(g->nvalues);
        free(g->empty);
        free(g->workload);
        free(g->allocator);
        free(g->spec_hash);
        free(g->opstream_hash);
        free(g->allocator_version);
    }
    free(r->groups);
    free(r->dir);
    free(r->cpu_model);
    free(r->kernel);
    free(r->thp_mode);
    free(r->hostname);
    free(r->git_commit);
    free(r->started_at);
    free(r->label);
    free(r->status);
    memset(r, 0, sizeof *r);
}

const struct run_group *run_find(const struct run_data *r, const char *workload,
                                 const char *allocator)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].workload, workload) == 0 &&
            strcmp(r->groups[i].allocator, allocator) == 0)
            return &r->groups[i];
    return NULL;
}
