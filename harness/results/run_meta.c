/* run_meta.c - run.json contents (see run_meta.h, docs/results.md). */
#include "run_meta.h"

#include <limits.h>
#include <stdio.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>

#include "alloc_env.h"
#include "child_env.h"

void run_meta_timestamp(char out[32])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

/* Text that may not be UTF-8 (the command line, the environment). */
static json_t *jtext(const char *s)
{
    json_t *v = json_string(s);
    return v ? v : json_string("(not UTF-8)");
}

json_t *run_meta_new(int argc, char **argv, const struct host_info *host, bool quick,
                     unsigned reps)
{
    char stamp[32];
    run_meta_timestamp(stamp);
    json_t *cmd = json_array();
    json_array_append_new(cmd, json_string("allocscope"));
    for (int i = 0; i < argc; i++)
        json_array_append_new(cmd, json_string(argv[i]));

    json_t *perf = json_object();
    for (int i = 0; i < PERF_METRIC_COUNT; i++) {
        json_t *m = json_pack("{s:b}", "supported", host->perf_supported[i]);
        if (!host->perf_supported[i])
            json_object_set_new(m, "reason", json_string(host->perf_reason[i]));
        json_object_set_new(perf, perf_metric_name((enum perf_metric)i), m);
    }

    return json_pack("{s:i, s:{s:s, s:s, s:s, s:s}, s:o, s:s, s:n, s:s, "
                     "s:{s:s, s:s, s:s, s:i, s:s, s:I, s:s}, s:o, s:b, s:i, s:[], s:[], "
                     "s:{s:i, s:i, s:i}}",
                     "schema_version", 1,
                     "tool", "name", "allocscope", "version", ALLOCSCOPE_VERSION,
                     "git_commit", ALLOCSCOPE_GIT_COMMIT, "compiler", ALLOCSCOPE_COMPILER,
                     "command_line", cmd,
                     "started_at", stamp,
                     "finished_at",
                     "status", "running",
                     "host", "hostname", host->hostname, "kernel", host->kernel, "cpu_model",
                     host->cpu_model, "cores", host->cores, "thp_mode", host->thp_mode,
                     "page_size", (json_int_t)host->page_size,
                     "page_walk_events", host->page_walk_events ? host->page_walk_events : "none",
                     "perf", perf,
                     "quick", quick,
                     "reps", (int)reps,
                     "allocators",
                     "workloads",
                     "runs", "total", 0, "ok", 0, "failed", 0);
}

/* Where the entry was defined, its env settings, and every variable of the
 * worker's environment that an allocator or the loader reads (the rest of
 * the worker's environment is allocscope's own and is not recorded: in CI
 * it can hold secrets). */
static void add_variant(json_t *o, const struct allocator_entry *a)
{
    char where[PATH_MAX + 64];
    if (a->defined_by)
        snprintf(where, sizeof where, "command line: %s", a->defined_by);
    else
        snprintf(where, sizeof where, "%s:%u:%u", a->pos.file ? a->pos.file : "?", a->pos.line,
                 a->pos.col);
    json_object_set_new(o, "defined_at", jtext(where));
    json_t *env = json_object();
    for (size_t i = 0; i < a->env_count; i++)
        json_object_set_new(env, a->env[i].name, jtext(a->env[i].value));
    json_object_set_new(o, "env", env);
    json_t *worker_env = json_object();
    char **all = child_env_build(a, NULL);
    for (size_t i = 0; all[i]; i++) {
        char *eq = strchr(all[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (!alloc_env_relevant(all[i]))
            continue;
        json_object_set_new(worker_env, all[i], jtext(eq + 1));
    }
    child_env_free(all);
    json_object_set_new(o, "worker_env", worker_env);
}

void run_meta_add_allocator(json_t *run, const struct allocator_entry *a)
{
    json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b}",
                          "name", a->name,
                          "library", str_or_null(a->preload_path),
                          "serves_from", str_or_null(a->expect_path),
                          "package", str_or_null(a->package),
                          "package_version", str_or_null(a->package_version),
                          "version", json_null(),
                          "available", a->available);
    if (!a->available)
        json_object_set_new(o, "unavailable_reason", json_string(a->unavailable_reason));
    add_variant(o, a);
    json_array_append_new(json_object_get(run, "allocators"), o);
}

void run_meta_set_allocator_version(json_t *run, const char *name, const char *version)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(run, "allocators"), i, a)
    {
        if (strcmp(json_string_value(json_object_get(a, "name")), name) == 0 &&
            json_is_null(json_object_get(a, "version")) && version && version[0])
            json_object_set_new(a, "version", json_string(version));
    }
}

void run_meta_add_workload(json_t *run, const struct workload_spec *w,
                           const struct opgen_totals *stream)
{
    static const char *const kind_names[OP_KIND_END] = {
        [OP_MALLOC] = "malloc",   [OP_CALLOC] = "calloc", [OP_REALLOC] = "realloc",
        [OP_POSIX_MEMALIGN] = "posix_memalign", [OP_ALIGNED_ALLOC] = "aligned_alloc",
        [OP_FREE] = "free",
    };
    char spec_hash[17], stream_hash[17];
    opstream_hash_hex(spec_workload_hash(w), spec_hash);
    opstream_hash_hex(stream->hash, stream_hash);
    json_t *phases = json_array();
    for (size_t p = 0; p < w->phase_count; p++)
        json_array_append_new(phases, json_string(w->phases[p].name));
    if (w->teardown)
        json_array_append_new(phases, json_string("teardown"));
    json_t *counts = json_object();
    for (int k = 0; k < OP_KIND_END; k++)
        if (kind_names[k])
            json_object_set_new(counts, kind_names[k], json_integer((json_int_t)stream->kind_counts[k]));
    json_array_append_new(
        json_object_get(run, "workloads"),
        json_pack("{s:s, s:o, s:s, s:s, s:o, s:i, s:I, s:o, s:I, s:I, s:f, s:o}", "name",
                  w->name, "description", str_or_null(w->description), "source",
                  w->pos.file ? w->pos.file : "", "spec_hash", spec_hash, "opstream_hash",
                  stream->complete ? json_string(stream_hash) : json_null(), "threads",
                  (int)(w->threads ? w->threads : stream->threads), "ops", (json_int_t)stream->ops, "op_counts", counts,
                  "peak_live_bytes", (json_int_t)stream->peak_live_bytes, "max_live_objects",
                  (json_int_t)stream->max_live_objects, "timed_op_share",
                  1.0 / (double)(1u << stream->timing_shift), "phases", phases));
}

void run_meta_set_workload_trace(json_t *run, const char *workload,
                                 const struct trace_facts *f)
{
    size_t i;
    json_t *w;
    char hash[17];
    opstream_hash_hex(f->status.hash, hash);
    json_t *t = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:I}", "path",
                          f->path, "hash", hash, "file_bytes", (json_int_t)f->status.file_bytes,
                          "events", (json_int_t)f->events, "raw_events",
                          (json_int_t)f->status.raw_events, "threads",
                          (json_int_t)f->status.threads, "lanes", (json_int_t)f->lanes,
                          "peak_live_bytes", (json_int_t)f->peak_live_bytes, "duration_ns",
                          (json_int_t)f->duration_ns, "end", trace_end_name(f->status.end),
                          "final_live_objects", (json_int_t)f->final_live_objects);
    if (f->status.end == TRACE_END_CUT) {
        json_object_set_new(t, "cut_offset", json_integer((json_int_t)f->status.cut_offset));
        json_object_set_new(t, "cut_reason", json_string(f->status.cut_reason));
    }
    json_array_foreach(json_object_get(run, "workloads"), i, w)
    {
        if (strcmp(json_string_value(json_object_get(w, "name")), workload) == 0)
            json_object_set(w, "trace", t);
    }
    json_decref(t);
}

void run_meta_set_measurement(json_t *run, const char *timer_desc, double timer_ticks_per_ns,
                              uint64_t timer_floor_ns, uint64_t sample_interval_ns,
                              uint64_t window_ops)
{
    json_object_set_new(run, "measurement",
                        json_pack("{s:s, s:f, s:I, s:I, s:I}", "timer", timer_desc,
                                  "timer_ticks_per_ns", timer_ticks_per_ns, "timer_floor_ns",
                                  (json_int_t)timer_floor_ns, "sample_interval_ns",
                                  (json_int_t)sample_interval_ns, "op_window_ops",
                                  (json_int_t)window_ops));
}

void run_meta_set_plan(json_t *run, uint64_t order_seed, unsigned shard_index,
                       unsigned shard_count, const char *const *workloads, size_t nworkloads)
{
    json_object_set_new(run, "order",
                        json_pack("{s:I, s:s}", "seed", (json_int_t)order_seed, "rule",
                                  "allocators shuffled per (workload, repetition): "
                                  "Fisher-Yates with xoshiro256** seeded from seed, "
                                  "FNV-1a(workload) and rep (harness/run/run_plan.c)"));
    if (shard_count == 0)
        return;
    json_t *all = json_array();
    for (size_t i = 0; i < nworkloads; i++)
        json_array_append_new(all, json_string(workloads[i]));
    json_object_set_new(run, "shard",
                        json_pack("{s:i, s:i, s:o, s:s}", "index", (int)shard_index, "count",
                                  (int)shard_count, "matrix_workloads", all, "rule",
                                  "workload k (0-based, in matrix_workloads) is in shard "
                                  "k mod count + 1"));
}

void run_meta_set_instructions(json_t *run, const char *method, const char *description)
{
    json_t *m = json_object_get(run, "measurement");
    if (!m) {
        m = json_object();
        json_object_set_new(run, "measurement", m);
    }
    json_object_set_new(m, "instructions",
                        json_pack("{s:s, s:s}", "method", method, "description", description));
}

void run_meta_finish(json_t *run, const char *status, unsigned total, unsigned ok,
                     unsigned failed)
{
    json_object_set_new(run, "status", json_string(status));
    if (strcmp(status, "running") != 0) {
        char stamp[32];
        run_meta_timestamp(stamp);
        json_object_set_new(run, "finished_at", json_string(stamp));
    }
    json_t *runs = json_object_get(run, "runs");
    json_object_set_new(runs, "total", json_integer(total));
    json_object_set_new(runs, "ok", json_integer(ok));
    json_object_set_new(runs, "failed", json_integer(failed));
    /* The parent's own peak: it holds one op chunk and the generator's
     * bookkeeping (bounded by the live set), never a whole stream. */
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        json_object_set_new(run, "harness",
                            json_pack("{s:I}", "parent_peak_rss_bytes",
                                      (json_int_t)ru.ru_maxrss * 1024));
}

void run_meta_set_planned(json_t *run, unsigned planned)
{
    json_object_set_new(json_object_get(run, "runs"), "planned", json_integer(planned));
}

void run_meta_set_write_errors(json_t *run, const char *const *errors, size_t shown,
                               size_t total)
{
    if (total == 0)
        return;
    json_t *list = json_array();
    for (size_t i = 0; i < shown; i++) {
        json_t *text = json_string(errors[i]);
        if (!text) { /* not UTF-8 (a path): keep it readable */
            char safe[512];
            size_t k = 0;
            for (const char *p = errors[i]; *p && k + 1 < sizeof safe; p++)
                safe[k++] = (unsigned char)*p < 0x80 ? *p : '?';
            safe[k] = '\0';
            text = json_string(safe);
        }
        json_array_append_new(list, text);
    }
    json_object_set_new(run, "write_errors", list);
    json_object_set_new(run, "write_errors_total", json_integer((json_int_t)total));
}
