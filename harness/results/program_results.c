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
