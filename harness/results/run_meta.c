/* run_meta.c - run.json contents (see run_meta.h, docs/results.md). */
#include "run_meta.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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
                     "s:{s:s, s:s, s:s, s:i, s:s, s:I}, s:o, s:b, s:i, s:[], s:[], "
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
                     "perf", perf,
                     "quick", quick,
                     "reps", (int)reps,
                     "allocators",
                     "workloads",
                     "runs", "total", 0, "ok", 0, "failed", 0);
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
                           const struct opstream_header *stream)
{
    char spec_hash[17], stream_hash[17];
    opstream_hash_hex(spec_workload_hash(w), spec_hash);
    opstream_hash_hex(stream->hash, stream_hash);
    json_t *phases = json_array();
    for (uint32_t p = 0; p < stream->phase_count; p++)
        json_array_append_new(phases, json_string(stream->phase_names[p]));
    json_array_append_new(
        json_object_get(run, "workloads"),
        json_pack("{s:s, s:o, s:s, s:s, s:s, s:i, s:I, s:I, s:o}", "name", w->name,
                  "description", str_or_null(w->description), "source",
                  w->pos.file ? w->pos.file : "", "spec_hash", spec_hash, "opstream_hash",
                  stream_hash, "threads", (int)w->threads, "ops", (json_int_t)stream->total_ops,
                  "peak_live_bytes", (json_int_t)stream->peak_live_bytes, "phases", phases));
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
