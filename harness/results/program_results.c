/* program_results.c - program rows, samples and run.json entries (see
 * program_results.h). */
#define _GNU_SOURCE
#include "program_results.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "opstream.h"
#include "run_writer.h"

static void u64(FILE *f, uint64_t v)
{
    if (v != METRIC_UNSUPPORTED)
        fprintf(f, "%" PRIu64, v);
    fputc(',', f);
}

static void blanks(FILE *f, int n)
{
    for (int i = 0; i < n; i++)
        fputc(',', f);
}

void program_figure_cells(FILE *f, const struct program_outcome *o)
{
    fputc(',', f);                                 /* ops */
    fprintf(f, "%u,", o->peak_threads);            /* threads */
    fprintf(f, "%.6f,", o->wall_s);                /* wall_s */
    fputc(',', f);                                 /* ops_per_s */
    u64(f, o->ru_maxrss_bytes);                    /* peak_rss_bytes */
    if (o->nsamples)                               /* peak_heap_bytes */
        fprintf(f, "%" PRId64, o->peak_heap_bytes);
    fputc(',', f);
    fputc(',', f);                                 /* peak_live_bytes */
    if (o->nsamples)                               /* peak_brk_bytes */
        fprintf(f, "%" PRIu64, o->peak_brk_bytes);
    fputc(',', f);
    blanks(f, 5);  /* final_heap, frag_peak, frag_at_peak, frag_mean, internal_frag */
    u64(f, o->minor_faults);
    u64(f, o->major_faults);
    u64(f, o->perf[PERF_DTLB_LOAD_MISSES]);
    u64(f, o->perf[PERF_DTLB_STORE_MISSES]);
    u64(f, o->perf[PERF_ITLB_MISSES]);
    blanks(f, 3 + 4); /* per-kop TLB figures, latency percentiles */
    if (o->smaps.rss_bytes && o->smaps.anonymous_bytes)
        fprintf(f, "%.4f", (double)o->smaps.anon_huge_bytes / (double)o->smaps.anonymous_bytes);
    fputc(',', f);
    if (o->smaps.rss_bytes) {
        fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", o->smaps.rss_bytes,
                o->smaps.anonymous_bytes, o->smaps.anon_huge_bytes);
    } else {
        blanks(f, 3);
    }
    u64(f, o->ru_maxrss_bytes);
}

void program_tail_cells(FILE *f, const struct results_row *row)
{
    const struct program_outcome *o = row->program;
    const struct program_row_info *pi = row->program_info;
    csv_write_field(f, pi ? pi->kind : "synthetic", false);
    if (!o || !o->ran) {
        /* user_s .. samples: 11 columns; a failed program keeps its exit status */
        fputs(",,", f);
        if (o && (o->exit_status >= 0 || o->term_signal))
            fprintf(f, "%d", o->exit_status);
        fputs(",,,,,,,,\n", f);
        return;
    }
    fprintf(f, "%.6f,%.6f,", o->user_s, o->sys_s);
    if (o->exit_status >= 0)
        fprintf(f, "%d", o->exit_status);
    fputc(',', f);
    if (o->have_output_hash)
        fprintf(f, "%016" PRIx64, o->output_hash);
    fputc(',', f);
    csv_write_field(f, pi && pi->same_output ? pi->same_output : "", false);
    fprintf(f, "%" PRIu64 ",", o->tree_peak_bytes);
    csv_write_field(f, o->tree_peak_cgroup ? "cgroup2 memory.peak" : "sampled /proc", false);
    if (pi && pi->interval_s > 0)
        fprintf(f, "%g", pi->interval_s * 1e3);
    fputc(',', f);
    fprintf(f, "%zu,%u,", o->nsamples, o->processes);
    if (o->hwm_bytes)
        fprintf(f, "%" PRIu64, o->hwm_bytes);
    fputc('\n', f);
}

static const char *kind_name(uint32_t k)
{
    return k == PSAMPLE_BASELINE ? "baseline" : k == PSAMPLE_END ? "end" : "periodic";
}

int results_write_program_samples(const struct results_dir *d, const char *workload,
                                  const char *allocator, unsigned rep,
                                  const struct program_outcome *o, char *err, size_t errlen)
{
    if (!results_safe_component(workload) || !results_safe_component(allocator)) {
        snprintf(err, errlen, "unsafe name for a file: %s/%s", workload, allocator);
        return -1;
    }
    char dir[PATH_MAX + 128], path[PATH_MAX + 256];
    snprintf(dir, sizeof dir, "%s/samples/%s", d->path, workload);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/%s-%u.csv", dir, allocator, rep);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    /* The synthetic columns first (op, live, usable and frag empty), then
     * the program's own. */
    fputs("op,t_ns,phase,kind,live_bytes,rss_bytes,heap_bytes,brk_bytes,minor_faults,"
          "major_faults,dtlb_load_misses,dtlb_store_misses,itlb_misses,usable_bytes,"
          "frag_ratio,processes,threads,hwm_bytes,cgroup_bytes\n",
          f);
    for (size_t i = 0; i < o->nsamples; i++) {
        const struct program_sample *s = &o->samples[i];
        fprintf(f, ",%" PRIu64 ",0,%s,,%" PRIu64 ",%" PRId64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                   ",,,,,,%u,%u,",
                s->t_ns, kind_name(s->kind), s->rss_bytes, s->heap_bytes, s->brk_bytes,
                s->minor_faults, s->major_faults, s->processes, s->threads);
        if (s->hwm_bytes)
            fprintf(f, "%" PRIu64, s->hwm_bytes);
        fputc(',', f);
        if (s->cgroup_bytes != METRIC_UNSUPPORTED)
            fprintf(f, "%" PRIu64, s->cgroup_bytes);
        fputc('\n', f);
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static json_t *argv_json(const struct program_command *c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < c->argc; i++)
        json_array_append_new(a, json_string(c->argv[i]));
    return a;
}

void run_meta_add_program(json_t *run, const struct workload_spec *w)
{
    const struct program_spec *p = w->program;
    char spec_hash[17];
    opstream_hash_hex(spec_workload_hash(w), spec_hash);
    json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:[s]}", "name", w->name,
                          "description",
                          w->description ? json_string(w->description) : json_null(), "source",
                          w->pos.file ? w->pos.file : "", "spec_hash", spec_hash, "kind",
                          p->service ? "service" : "program", "command", argv_json(&p->command),
                          "executable", p->command.path, "cwd", p->cwd, "phases", "run");
    if (p->service) {
        json_object_set_new(o, "load", argv_json(&p->load));
        json_object_set_new(o, "load_executable", json_string(p->load.path));
    }
    json_t *env = json_object();
    for (size_t i = 0; i < p->env_count; i++) {
        size_t n = strcspn(p->env[i], "=");
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)n, p->env[i]);
        json_object_set_new(env, name, json_string(p->env[i] + n + 1));
    }
    json_object_set_new(o, "env", env);
    json_object_set_new(o, "stdin", p->stdin_path ? json_string(p->stdin_path) : json_null());
    json_object_set_new(o, "expect", json_pack("{s:i, s:b}", "exit", p->expect_exit,
                                               "same_output", p->same_output));
    json_object_set_new(o, "sample_interval_s", json_real(p->sample_interval_s));
    json_array_append_new(json_object_get(run, "workloads"), o);
}

void run_meta_program_method(json_t *run, double interval_s, bool cgroup, const char *why_not)
{
    json_t *m = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
        "sampling", "from outside: /proc/PID/{stat,statm,status,maps} of the process tree",
        "peak_rss_bytes", "wait4 ru_maxrss (kernel high-water mark of the largest process)",
        "tree_peak_rss_bytes",
        cgroup ? "cgroup v2 memory.peak of the run's own cgroup"
               : "highest sum of the tree's RSS over the samples",
        "hwm_bytes", "VmHWM of the program, last sample",
        "peak_heap_bytes", "highest sampled anonymous memory of the tree - the program's right "
                           "after exec (probe)",
        "faults", "perf software counters (inherit, enable_on_exec), else wait4 rusage",
        "cgroup2", cgroup);
    if (interval_s > 0)
        json_object_set_new(m, "interval_ms", json_real(interval_s * 1e3));
    if (!cgroup && why_not)
        json_object_set_new(m, "cgroup2_unavailable", json_string(why_not));
    json_object_set_new(run, "programs", m);
}
