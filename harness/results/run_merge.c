/* run_merge.c - combining shard directories into one run (run_merge.h). */
#define _GNU_SOURCE
#include "run_merge.h"
#include "summary_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "xalloc.h"

struct input {
    const char *dir;
    json_t *meta;
    struct csv_table t;
    char host[1024]; /* hostname / CPU model / kernel: one machine */
    int shard_index, shard_count; /* 0: a whole run */
};

static int failf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int load_input(const char *dir, struct input *in, char *err, size_t errlen)
{
    char path[PATH_MAX + 32];
    memset(in, 0, sizeof *in);
    in->dir = dir;
    snprintf(path, sizeof path, "%s/run.json", dir);
    json_error_t jerr;
    in->meta = json_load_file(path, 0, &jerr);
    if (!in->meta || !json_is_object(in->meta))
        return failf(err, errlen, "%s:%d: %s", path, jerr.line,
                     in->meta ? "not a JSON object" : jerr.text);
    if (summary_read_dir(dir, &in->t, err, errlen) != 0)
        return -1;
    const json_t *h = json_object_get(in->meta, "host");
    snprintf(in->host, sizeof in->host, "%s / %s / %s", jstr(h, "hostname"),
             jstr(h, "cpu_model"), jstr(h, "kernel"));
    const json_t *s = json_object_get(in->meta, "shard");
    if (s) {
        in->shard_index = (int)json_integer_value(json_object_get(s, "index"));
        in->shard_count = (int)json_integer_value(json_object_get(s, "count"));
        if (in->shard_count < 1 || in->shard_index < 1 || in->shard_index > in->shard_count)
            return failf(err, errlen, "%s/run.json: a bad 'shard' member", dir);
    }
    return 0;
}

static int check_headers(const struct input *in, size_t n, char *err, size_t errlen)
{
    for (size_t i = 1; i < n; i++) {
        bool same = in[i].t.columns == in[0].t.columns;
        for (size_t c = 0; same && c < in[0].t.columns; c++)
            same = strcmp(in[i].t.header[c], in[0].t.header[c]) == 0;
        if (!same)
            return failf(err, errlen, "%s/summary.csv and %s/summary.csv have different "
                                      "columns (made by different allocscope builds?)",
                         in[0].dir, in[i].dir);
    }
    return 0;
}

static int check_shards(const struct input *in, size_t n, bool partial, char *err,
                        size_t errlen)
{
    size_t sharded = 0;
    for (size_t i = 0; i < n; i++)
        sharded += in[i].shard_count > 0;
    if (sharded == 0)
        return 0;
    if (sharded != n)
        return failf(err, errlen, "a mix of shards and whole runs: %s is %s", in[0].dir,
                     in[0].shard_count ? "a shard" : "a whole run");
    int count = in[0].shard_count;
    json_t *matrix = json_object_get(json_object_get(in[0].meta, "shard"), "matrix_workloads");
    bool *seen = xcalloc((size_t)count + 1, sizeof *seen);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *m = json_object_get(json_object_get(in[i].meta, "shard"), "matrix_workloads");
        if (in[i].shard_count != count)
            rc = failf(err, errlen, "%s is shard %d/%d but %s is of %d shards", in[i].dir,
                       in[i].shard_index, in[i].shard_count, in[0].dir, count);
        else if (!json_equal(m, matrix))
            rc = failf(err, errlen, "%s and %s are shards of different workload lists",
                       in[0].dir, in[i].dir);
        else if (seen[in[i].shard_index])
            rc = failf(err, errlen, "shard %d/%d is given twice (%s)", in[i].shard_index, count,
                       in[i].dir);
        else
            seen[in[i].shard_index] = true;
    }
    for (int s = 1; s <= count && rc == 0 && !partial; s++)
        if (!seen[s])
            rc = failf(err, errlen, "shard %d/%d is missing (--partial merges what is there)",
                       s, count);
    free(seen);
    return rc;
}

/* The same allocator name must mean the same library and settings, the
 * same workload name the same spec; quick and instruction counting must
 * agree. */
static int check_meta(const struct input *in, size_t n, char *err, size_t errlen)
{
    const json_t *m0 = in[0].meta;
    for (size_t i = 1; i < n; i++) {
        const json_t *m = in[i].meta;
        if (!json_equal(json_object_get(m, "quick"), json_object_get(m0, "quick")))
            return failf(err, errlen, "%s and %s: one was run with --quick, the other not",
                         in[0].dir, in[i].dir);
        const json_t *i0 = json_object_get(json_object_get(m0, "measurement"), "instructions");
        const json_t *ii = json_object_get(json_object_get(m, "measurement"), "instructions");
        if (strcmp(jstr(i0, "method"), jstr(ii, "method")) != 0)
            return failf(err, errlen, "%s and %s count instructions differently ('%s' vs '%s')",
                         in[0].dir, in[i].dir, jstr(i0, "method"), jstr(ii, "method"));
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++) {
            size_t a, b;
            json_t *x, *y;
            json_array_foreach(json_object_get(in[i].meta, "allocators"), a, x)
                json_array_foreach(json_object_get(in[k].meta, "allocators"), b, y)
            {
                if (strcmp(jstr(x, "name"), jstr(y, "name")) != 0)
                    continue;
                if (!json_equal(json_object_get(x, "library"), json_object_get(y, "library")) ||
                    !json_equal(json_object_get(x, "env"), json_object_get(y, "env")))
                    return failf(err, errlen, "allocator '%s' is another library or has other "
                                              "env settings in %s than in %s",
                                 jstr(x, "name"), in[k].dir, in[i].dir);
            }
            json_array_foreach(json_object_get(in[i].meta, "workloads"), a, x)
                json_array_foreach(json_object_get(in[k].meta, "workloads"), b, y)
            {
                if (strcmp(jstr(x, "name"), jstr(y, "name")) == 0 &&
                    strcmp(jstr(x, "spec_hash"), jstr(y, "spec_hash")) != 0)
                    return failf(err, errlen, "workload '%s' has spec hash %s in %s but %s in %s",
                                 jstr(x, "name"), jstr(x, "spec_hash"), in[i].dir,
                                 jstr(y, "spec_hash"), in[k].dir);
            }
        }
    return 0;
}

/* No (workload, allocator, rep) twice; a workload's rows from one host. */
static int check_rows(const struct input *in, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        int cw = csv_column(&in[i].t, "workload"), ca = csv_column(&in[i].t, "allocator"),
            cr = csv_column(&in[i].t, "rep");
        if (cw < 0 || ca < 0 || cr < 0)
            return failf(err, errlen, "%s/summary.csv: no workload, allocator or rep column",
                         in[i].dir);
    }
    int cw = csv_column(&in[0].t, "workload"), ca = csv_column(&in[0].t, "allocator"),
        cr = csv_column(&in[0].t, "rep");
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < in[i].t.rows; r++)
            for (size_t k = i; k < n; k++)
                for (size_t s = k == i ? r + 1 : 0; s < in[k].t.rows; s++) {
                    const char *w = csv_cell(&in[i].t, r, cw);
                    if (strcmp(w, csv_cell(&in[k].t, s, cw)) != 0)
                        continue;
                    if (k != i && strcmp(in[i].host, in[k].host) != 0)
                        return failf(err, errlen, "workload '%s' was measured on different "
                                                  "hosts: %s in %s, %s in %s (its allocators "
                                                  "are compared with each other)",
                                     w, in[i].host, in[i].dir, in[k].host, in[k].dir);
                    if (strcmp(csv_cell(&in[i].t, r, ca), csv_cell(&in[k].t, s, ca)) == 0 &&
                        strcmp(csv_cell(&in[i].t, r, cr), csv_cell(&in[k].t, s, cr)) == 0)
                        return failf(err, errlen, "%s x %s rep %s is in %s and in %s", w,
                                     csv_cell(&in[i].t, r, ca), csv_cell(&in[i].t, r, cr),
                                     in[i].dir, k == i ? "the same run twice" : in[k].dir);
                }
    return 0;
}

/* ---- writing ------------------------------------------------------------- */

static int make_dirs(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* The workloads in the order of the matrix (shards) or of first sight. */
static size_t workload_order(const struct input *in, size_t n, const char ***out)
{
    const char **names = NULL;
    size_t count = 0;
    json_t *matrix = json_object_get(json_object_get(in[0].meta, "shard"), "matrix_workloads");
    size_t i;
    json_t *v;
    json_array_foreach(matrix, i, v)
    {
        names = xrealloc(names, (count + 1) * sizeof *names);
        names[count++] = json_string_value(v);
    }
    int cw = csv_column(&in[0].t, "workload");
    for (size_t k = 0; k < n; k++)
        for (size_t r = 0; r < in[k].t.rows; r++) {
            const char *w = csv_cell(&in[k].t, r, cw);
            bool known = false;
            for (size_t j = 0; j < count && !known; j++)
                known = names[j] && strcmp(names[j], w) == 0;
            if (!known) {
                names = xrealloc(names, (count + 1) * sizeof *names);
                names[count++] = w;
            }
        }
    *out = names;
    return count;
}

static int write_summary(const struct input *in, size_t n, const char *out, char *err,
                         size_t errlen)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/summary.csv", out);
    FILE *f = fopen(path, "w");
    if (!f)
        return failf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    const struct csv_table *t0 = &in[0].t;
    for (size_t c = 0; c < t0->columns; c++)
        csv_write_field(f, t0->header[c], c + 1 == t0->columns);
    const char **order;
    size_t nw = workload_order(in, n, &order);
    int cw = csv_column(t0, "workload");
    for (size_t w = 0; w < nw; w++)
        for (size_t k = 0; k < n; k++)
            for (size_t r = 0; r < in[k].t.rows; r++) {
                if (!order[w] || strcmp(csv_cell(&in[k].t, r, cw), order[w]) != 0)
                    continue;
                for (size_t c = 0; c < t0->columns; c++)
                    csv_write_field(f, in[k].t.cells[r][c], c + 1 == t0->columns);
            }
    free(order);
    int bad = fflush(f) != 0;
    bad |= ferror(f);
    bad |= fclose(f) != 0;
    return bad ? failf(err, errlen, "cannot write %s: %s", path, strerror(errno)) : 0;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t got;
    int rc = 0;
    while ((got = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)got) != got) {
            rc = -1;
            break;
        }
    if (got < 0)
        rc = -1;
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

/* Path `a/b` into buf; -1 when it does not fit. */
static int join_path(char *buf, size_t len, const char *a, const char *b)
{
    int n = snprintf(buf, len, "%s/%s", a, b);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* samples/<workload>/<files> of one input into out/samples/. */
static int copy_samples(const char *dir, const char *out, char *err, size_t errlen)
{
    char samples[PATH_MAX], out_samples[PATH_MAX];
    if (join_path(samples, sizeof samples, dir, "samples") != 0 ||
        join_path(out_samples, sizeof out_samples, out, "samples") != 0)
        return failf(err, errlen, "path too long under %s", dir);
    DIR *d = opendir(samples);
    if (!d)
        return 0; /* a run without time series */
    int rc = 0;
    for (struct dirent *w; rc == 0 && (w = readdir(d));) {
        char wdir[PATH_MAX], wout[PATH_MAX];
        if (w->d_name[0] == '.')
            continue;
        if (join_path(wdir, sizeof wdir, samples, w->d_name) != 0 ||
            join_path(wout, sizeof wout, out_samples, w->d_name) != 0) {
            rc = failf(err, errlen, "path too long under %s", samples);
            break;
        }
        DIR *files = opendir(wdir);
        if (!files)
            continue;
        if (make_dirs(wout) != 0)
            rc = failf(err, errlen, "cannot create %s: %s", wout, strerror(errno));
        for (struct dirent *e; rc == 0 && (e = readdir(files));) {
            char from[PATH_MAX], to[PATH_MAX];
            if (e->d_name[0] == '.')
                continue;
            if (join_path(from, sizeof from, wdir, e->d_name) != 0 ||
                join_path(to, sizeof to, wout, e->d_name) != 0)
                rc = failf(err, errlen, "path too long under %s", wdir);
            else if (copy_file(from, to) != 0)
                rc = failf(err, errlen, "cannot copy %s to %s: %s", from, to, strerror(errno));
        }
        closedir(files);
    }
    closedir(d);
    return rc;
}

/* run.json: the first input's, with the others' allocators, workloads and
 * counts added, and where each part came from. */
static json_t *merged_meta(const struct input *in, size_t n, int argc, char **argv)
{
    json_t *m = json_deep_copy(in[0].meta);
    json_t *cmd = json_array();
    json_array_append_new(cmd, json_string("allocscope"));
    for (int i = 0; i < argc; i++)
        json_array_append_new(cmd, json_string(argv[i]));
    json_object_set_new(m, "command_line", cmd);
    json_t *host = json_object_get(m, "host"), *from = json_array();
    long long total = 0, ok = 0, failed = 0;
    int reps = 0;
    bool complete = true;
    for (size_t i = 0; i < n; i++) {
        const json_t *mi = in[i].meta;
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(mi, "host"), k, v)
        {
            if (!json_equal(json_object_get(host, k), v))
                json_object_set_new(host, k, json_string("mixed"));
        }
        json_t *part = json_pack("{s:s, s:O*, s:O*, s:O*, s:O*, s:O*}", "dir", in[i].dir,
                                 "host", json_object_get(mi, "host"), "shard",
                                 json_object_get(mi, "shard"), "order",
                                 json_object_get(mi, "order"), "started_at",
                                 json_object_get(mi, "started_at"), "finished_at",
                                 json_object_get(mi, "finished_at"));
        json_array_append_new(from, part);
        json_t *runs = json_object_get(mi, "runs");
        total += json_integer_value(json_object_get(runs, "total"));
        ok += json_integer_value(json_object_get(runs, "ok"));
        failed += json_integer_value(json_object_get(runs, "failed"));
        int r = (int)json_integer_value(json_object_get(mi, "reps"));
        reps = r > reps ? r : reps;
        complete &= strcmp(jstr(mi, "status"), "complete") == 0;
        if (strcmp(jstr(mi, "started_at"), jstr(m, "started_at")) < 0)
            json_object_set(m, "started_at", json_object_get(mi, "started_at"));
        if (strcmp(jstr(mi, "finished_at"), jstr(m, "finished_at")) > 0)
            json_object_set(m, "finished_at", json_object_get(mi, "finished_at"));
        if (i == 0)
            continue;
        /* Allocators and workloads not yet listed. */
        const char *lists[2] = {"allocators", "workloads"};
        for (int l = 0; l < 2; l++) {
            json_t *mine = json_object_get(m, lists[l]);
            size_t a, b;
            json_t *x, *y;
            json_array_foreach(json_object_get(mi, lists[l]), a, x)
            {
                bool known = false;
                json_array_foreach(mine, b, y) known |=
                    strcmp(jstr(x, "name"), jstr(y, "name")) == 0;
                if (!known)
                    json_array_append(mine, x);
            }
        }
        if (!json_equal(json_object_get(mi, "order"), json_object_get(m, "order")))
            json_object_set_new(m, "order", json_pack("{s:s}", "rule", "per input, see "
                                                                     "merged_from"));
    }
    json_object_set_new(m, "merged_from", from);
    json_object_set_new(m, "runs", json_pack("{s:I, s:I, s:I}", "total", (json_int_t)total,
                                             "ok", (json_int_t)ok, "failed",
                                             (json_int_t)failed));
    json_object_set_new(m, "reps", json_integer(reps));
    json_object_set_new(m, "status", json_string(complete ? "complete" : "incomplete"));
    if (json_object_get(m, "shard")) {
        json_t *shards = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(shards, json_integer(in[i].shard_index));
        json_object_set_new(m, "shards", json_pack("{s:i, s:o}", "count", in[0].shard_count,
                                                   "merged", shards));
        json_object_del(m, "shard");
    }
    return m;
}

int run_merge(char *const *inputs, size_t n, const char *out, bool partial, int argc,
              char **argv, char *err, size_t errlen)
{
    if (n == 0)
        return failf(err, errlen, "no run directories to merge");
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%s/summary.csv", out);
    if (access(probe, F_OK) == 0)
        return failf(err, errlen, "%s already holds a run; choose another -o", out);
    struct input *in = xcalloc(n, sizeof *in);
    int rc = 0;
    size_t loaded = 0;
    for (; loaded < n && rc == 0; loaded++)
        rc = load_input(inputs[loaded], &in[loaded], err, errlen);
    if (rc == 0)
        rc = check_headers(in, n, err, errlen);
    if (rc == 0)
        rc = check_shards(in, n, partial, err, errlen);
    if (rc == 0)
        rc = check_meta(in, n, err, errlen);
    if (rc == 0)
        rc = check_rows(in, n, err, errlen);
    if (rc == 0 && make_dirs(out) != 0)
        rc = failf(err, errlen, "cannot create %s: %s", out, strerror(errno));
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = copy_samples(in[i].dir, out, err, errlen);
    if (rc == 0) {
        json_t *meta = merged_meta(in, n, argc, argv);
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/run.json", out);
        if (json_dump_file(meta, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
            rc = failf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        json_decref(meta);
    }
    /* summary.csv last: a merge that failed half-way leaves no run. */
    if (rc == 0)
        rc = write_summary(in, n, out, err, errlen);
    for (size_t i = 0; i < loaded; i++) {
        json_decref(in[i].meta);
        if (in[i].t.header)
            csv_free(&in[i].t);
    }
    free(in);
    return rc;
}
