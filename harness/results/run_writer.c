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
#include "summary_file.h"


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
    for (size_t i = 0; i < summary_column_count; i++)
        csv_write_field(d->summary, summary_columns[i].name, i + 1 == summary_column_count);
    fflush(d->summary);
    return 0;
}

void results_close(struct results_dir *d)
{
    if (d->summary)
        fclose(d->summary);
    d->summary = NULL;
}

/* Cell formatting: unsupported and undefined values are empty cells. */
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

static void cell_double(FILE *f, double v, const char *fmt)
{
    if (isfinite(v))
        fprintf(f, fmt, v);
    fputc(',', f);
}

static void cell_hash(FILE *f, uint64_t h, bool last)
{
    if (h)
        fprintf(f, "%016" PRIx64, h);
    fputc(last ? '\n' : ',', f);
}

int results_append_row(struct results_dir *d, const struct results_row *row)
{
    FILE *f = d->summary;
    char rep[16], threads[16];
    snprintf(rep, sizeof rep, "%u", row->rep);
    snprintf(threads, sizeof threads, "%u", row->threads);
    csv_write_field(f, row->workload, false);
    csv_write_field(f, row->allocator, false);
    csv_write_field(f, rep, false);
    csv_write_field(f, run_status_name(row->status), false);
    csv_write_field(f, row->reason, false);

    const struct run_figures *g = row->figures;
    if (g) {
        cell_u64(f, g->ops);
        fprintf(f, "%s,", threads);
        cell_double(f, g->wall_s, "%.6f");
        cell_double(f, g->ops_per_s, "%.1f");
        cell_u64(f, g->peak_rss_bytes);
        cell_i64(f, g->peak_heap_bytes);
        cell_u64(f, g->peak_live_bytes);
        cell_i64(f, g->peak_brk_bytes);
        cell_i64(f, g->final_heap_bytes);
        cell_double(f, g->frag_peak_ratio, "%.4f");
        cell_double(f, g->frag_at_peak_heap, "%.4f");
        cell_double(f, g->frag_mean_ratio, "%.4f");
        cell_double(f, g->internal_frag_ratio, "%.4f");
        cell_u64(f, g->minor_faults);
        cell_u64(f, g->major_faults);
        for (int i = 0; i < 3; i++)
            cell_u64(f, g->tlb[i]);
        for (int i = 0; i < 3; i++)
            cell_double(f, g->tlb_per_kop[i], "%.3f");
        if (g->have_latency) {
            cell_u64(f, g->latency_p50_ns);
            cell_u64(f, g->latency_p99_ns);
            cell_u64(f, g->latency_p999_ns);
            cell_u64(f, g->latency_max_ns);
        } else {
            fputs(",,,,", f);
        }
        cell_double(f, g->hugepage_share, "%.4f");
        cell_u64(f, g->smaps.rss_bytes);
        cell_u64(f, g->smaps.anonymous_bytes);
        cell_u64(f, g->smaps.anon_huge_bytes);
        cell_u64(f, g->ru_maxrss_bytes);
    } else {
        /* ops, then threads, then the 28 figure columns up to served_by. */
        fprintf(f, ",%s,", threads);
        for (int i = 0; i < 28; i++)
            fputc(',', f);
    }
    csv_write_field(f, row->served_by, false);
    csv_write_field(f, row->allocator_version, false);
    cell_hash(f, row->opstream_hash, false);
    cell_hash(f, row->spec_hash, false);
    csv_write_field(f, row->allocator_stats, true);
    if (fflush(f) != 0)
        return -1;
    fsync(fileno(f));
    return 0;
}

static const char *sample_kind_name(uint32_t kind)
{
    switch (kind) {
    case SAMPLE_BASELINE:
        return "baseline";
    case SAMPLE_PHASE_END:
        return "phase_end";
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
