/* run_writer.c - the run directory writer (see run_writer.h, docs/results.md). */
#define _GNU_SOURCE
#include "run_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"

int results_safe_component(const char *name)
{
    if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
           strlen(name);
}

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int results_create(struct results_dir *d, const char *path, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    snprintf(d->path, sizeof d->path, "%s", path);
    char samples[PATH_MAX + 16], summary[PATH_MAX + 16];
    snprintf(samples, sizeof samples, "%s/samples", path);
    if (mkdir_p(samples) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", samples, strerror(errno));
        return -1;
    }
    snprintf(summary, sizeof summary, "%s/summary.csv", path);
    d->summary = fopen(summary, "w");
    if (!d->summary) {
        snprintf(err, errlen, "cannot create %s: %s", summary, strerror(errno));
        return -1;
    }
    summary_write_header(d->summary);
    fflush(d->summary);
    return 0;
}

void results_close(struct results_dir *d)
{
    if (d->summary)
        fclose(d->summary);
    d->summary = NULL;
}

/* Cell formatting for the sample files: unsupported values are empty. */
static void cell_u64(FILE *f, uint64_t v)
{
    if (v != METRIC_UNSUPPORTED)
        fprintf(f, "%" PRIu64, v);
    fputc(',', f);
}

static void cell_i64(FILE *f, int64_t v)
{
    fprintf(f, "%" PRId64 ",", v);
}

int results_append_row(struct results_dir *d, const struct results_row *row)
{
    /* The row is built in memory and written with one call, so a reader
     * never sees half a row, whatever happens to this process. */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return -1;
    summary_write_row(mem, row);
    if (fclose(mem) != 0) {
        free(buf);
        return -1;
    }
    size_t put = fwrite(buf, 1, len, d->summary);
    free(buf);
    if (put != len || fflush(d->summary) != 0)
        return -1;
    fsync(fileno(d->summary));
    return 0;
}

static const char *sample_kind_name(uint32_t kind)
{
    switch (kind) {
    case SAMPLE_BASELINE:
        return "baseline";
    case SAMPLE_PHASE_END:
        return "phase_end";
    case SAMPLE_PEAK:
        return "peak";
    default:
        return "periodic";
    }
}

int results_write_samples(const struct results_dir *d, const char *workload,
                          const char *allocator, unsigned rep, const struct result_region *r,
                          char *err, size_t errlen)
{
    if (!results_safe_component(workload) || !results_safe_component(allocator)) {
        snprintf(err, errlen, "unsafe name for a file: %s/%s", workload, allocator);
        return -1;
    }
    char dir[PATH_MAX + 128], path[PATH_MAX + 256];
    snprintf(dir, sizeof dir, "%s/samples/%s", d->path, workload);
    if (mkdir_p(dir) < 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s-%u.csv", dir, allocator, rep);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    fputs("op,t_ns,phase,kind,live_bytes,rss_bytes,heap_bytes,brk_bytes,minor_faults,"
          "major_faults,dtlb_load_misses,dtlb_store_misses,itlb_misses,usable_bytes,"
          "frag_ratio\n",
          f);
    uint64_t n = r->sample_count < r->sample_capacity ? r->sample_count : r->sample_capacity;
    for (uint64_t i = 0; i < n; i++) {
        const struct sample *s = &r->samples[i];
        fprintf(f, "%" PRIu64 ",%" PRIu64 ",%u,%s,", s->op, s->t_ns, s->phase,
                sample_kind_name(s->kind));
        cell_i64(f, s->live_bytes);
        cell_u64(f, s->rss_bytes);
        cell_i64(f, s->heap_bytes);
        cell_i64(f, s->brk_bytes);
        cell_u64(f, s->minor_faults);
        cell_u64(f, s->major_faults);
        cell_u64(f, s->perf[PERF_DTLB_LOAD_MISSES]);
        cell_u64(f, s->perf[PERF_DTLB_STORE_MISSES]);
        cell_u64(f, s->perf[PERF_ITLB_MISSES]);
        cell_u64(f, s->usable_bytes);
        if (s->live_bytes > 0)
            fprintf(f, "%.4f", (double)s->heap_bytes / (double)s->live_bytes);
        fputc('\n', f);
    }
    int rc = fclose(f);
    if (rc != 0) {
        snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int results_write_run_json(const struct results_dir *d, json_t *run, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 32], path[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s/run.json.tmp", d->path);
    snprintf(path, sizeof path, "%s/run.json", d->path);
    if (json_dump_file(run, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
        rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
