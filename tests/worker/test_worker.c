/* The worker against ground truth, with real allocators preloaded:
 *  - the textbook program break: glibc moves the break by exactly 135168
 *    bytes on the first malloc and never again; jemalloc/mimalloc not at all;
 *  - live-bytes accounting is exact at every phase end;
 *  - touching N fresh pages shows up as about N pages of heap;
 *  - allocator verification: jemalloc preloaded reports jemalloc; a wrong
 *    expectation (a library that does not define malloc) fails the run;
 *  - a crashing run keeps the samples taken before the crash.
 * Specs are built in code so this does not depend on the YAML loader. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "opstream.h"
#include "registry.h"
#include "runner.h"
#include "timer_calibrate.h"

#include "check_msg.h"

static char worker[4096];
static struct run_params params;

static struct allocator_entry make_entry(const char *name, const char *library,
                                         const char *serves_from, enum version_probe probe,
                                         const char *symbol)
{
    struct allocator_entry e = {.name = (char *)name, .library = (char *)library,
                                .serves_from = (char *)serves_from, .version_probe = probe,
                                .version_symbol = (char *)symbol};
    struct allocator_registry reg = {.entries = &e, .count = 1};
    registry_resolve(&reg);
    if (!e.available) {
        fprintf(stderr, "%s unavailable: %s\n", name, e.unavailable_reason);
        exit(1);
    }
    return e;
}

static void run(const struct workload_spec *w, const struct allocator_entry *a,
                struct run_outcome *out)
{
    struct run_request req = {.workload = w, .alloc = a, .worker_path = worker, .timeout_s = 60,
                              .params = params};
    CHECK(runner_execute(&req, out) == 0, "runner_execute: %s", out->reason);
}

/* The periodic samples only (peak and phase-end samples fall in between). */
static const struct sample *periodic(const struct result_region *r, unsigned k)
{
    for (uint64_t i = 0; i < r->sample_count; i++)
        if (r->samples[i].kind == SAMPLE_PERIODIC && k-- == 0)
            return &r->samples[i];
    return &r->samples[0];
}

static struct phase_spec script_phase(struct script_op *ops, size_t n, uint32_t objects)
{
    return (struct phase_spec){.name = "script", .kind = PHASE_SCRIPT, .script = ops,
                               .script_len = n, .script_objects = objects,
                               .touch = TOUCH_PAGES};
}

static void test_textbook_break(void)
{
    static const uint64_t sizes[] = {8, 4083, 3, 136168, 1048576};
    struct script_op ops[5];
    for (int i = 0; i < 5; i++)
        ops[i] = (struct script_op){.kind = SCRIPT_MALLOC, .object = (uint32_t)i,
                                    .size = sizes[i]};
    struct phase_spec p = script_phase(ops, 5, 5);
    struct workload_spec w = {.name = "brk", .seed = 1, .threads = 1, .sample_every = 1,
                              .teardown = true, .phases = &p, .phase_count = 1};

    struct allocator_entry glibc = make_entry("glibc", NULL, NULL, VERSION_GLIBC,
                                              "gnu_get_libc_version");
    struct allocator_entry je = make_entry("jemalloc", "libjemalloc.so.2", NULL,
                                           VERSION_MALLCTL, "version");
    struct allocator_entry mi = make_entry("mimalloc", "libmimalloc.so.2", NULL,
                                           VERSION_INT_FUNCTION, "mi_version");
    struct run_outcome out;

    run(&w, &glibc, &out);
    CHECK(out.status == RUN_OK, "glibc run: %s", out.reason);
    struct result_region *r = out.res;
    /* samples: baseline, one after each of the 5 mallocs, then phase ends. */
    CHECK(r->sample_count >= 6, "samples %llu", (unsigned long long)r->sample_count);
    CHECK(r->samples[0].brk_bytes == 0, "baseline break offset 0");
    CHECK(periodic(r, 0)->brk_bytes == 135168, "glibc: first malloc moves the break by %lld",
          (long long)periodic(r, 0)->brk_bytes);
    for (unsigned i = 1; i < 5; i++)
        CHECK(periodic(r, i)->brk_bytes == 135168,
              "glibc: break never grows again (sample %u: %lld)", i,
              (long long)periodic(r, i)->brk_bytes);
    CHECK(r->peak_brk_bytes == 135168, "peak break %lld", (long long)r->peak_brk_bytes);
    CHECK(strstr(r->served_by, "libc.so") != NULL, "served by %s", r->served_by);
    CHECK(strncmp(r->alloc_version, "2.", 2) == 0, "glibc version %s", r->alloc_version);
    /* Live bytes are exact at every sample of a single-threaded script. */
    uint64_t expect_live = 0;
    for (unsigned i = 0; i < 5; i++) {
        expect_live += sizes[i];
        CHECK((uint64_t)periodic(r, i)->live_bytes == expect_live, "live after malloc %u", i);
    }
    CHECK(r->samples[r->sample_count - 1].live_bytes == 0, "teardown leaves nothing live");
    /* The 1 MiB block's pages were touched: heap grew by at least that. */
    CHECK(periodic(r, 4)->heap_bytes >= 1048576 + 136168 - 8192, "heap after touching %lld",
          (long long)periodic(r, 4)->heap_bytes);
    /* Ten ops are too few for percentiles beyond the median: the figures
     * say so (empty), rather than passing off the maximum as a p99. */
    struct run_figures f;
    figures_compute(r, &out.stream, &f);
    CHECK(f.latency[LAT_ALL].count <= 10 && f.latency[LAT_ALL].p99_ns == METRIC_UNSUPPORTED &&
              f.latency[LAT_ALL].p999_ns == METRIC_UNSUPPORTED,
          "too few timed ops: count %llu, p99 %llu", (unsigned long long)f.latency[LAT_ALL].count,
          (unsigned long long)f.latency[LAT_ALL].p99_ns);
    run_outcome_release(&out);

    run(&w, &je, &out);
    CHECK(out.status == RUN_OK, "jemalloc run: %s", out.reason);
    CHECK(out.res->peak_brk_bytes == 0, "jemalloc never moves the break (%lld)",
          (long long)out.res->peak_brk_bytes);
    CHECK(strstr(out.res->served_by, "libjemalloc") != NULL, "served by %s", out.res->served_by);
    CHECK(strncmp(out.res->alloc_version, "5.", 2) == 0, "jemalloc version %s",
          out.res->alloc_version);
    run_outcome_release(&out);

    run(&w, &mi, &out);
    CHECK(out.status == RUN_OK, "mimalloc run: %s", out.reason);
    CHECK(out.res->peak_brk_bytes == 0, "mimalloc never moves the break (%lld)",
          (long long)out.res->peak_brk_bytes);
    CHECK(strstr(out.res->served_by, "libmimalloc") != NULL, "served by %s", out.res->served_by);
    CHECK(strlen(out.res->alloc_version) > 0, "mimalloc version %s", out.res->alloc_version);
    run_outcome_release(&out);
}

static void test_wrong_expectation(void)
{
    /* libyaml does not define malloc: preloading it changes nothing, so
     * malloc is still glibc's and the run must fail verification. */
    struct allocator_entry fake = make_entry("not-an-allocator", "libyaml-0.so.2", NULL,
                                             VERSION_NONE, NULL);
    struct script_op op = {.kind = SCRIPT_MALLOC, .size = 64};
    struct phase_spec p = script_phase(&op, 1, 1);
    struct workload_spec w = {.name = "v", .seed = 1, .threads = 1, .teardown = true,
                              .phases = &p, .phase_count = 1};
    struct run_outcome out;
    run(&w, &fake, &out);
    CHECK(out.status == RUN_FAILED, "status %s", run_status_name(out.status));
    CHECK(strstr(out.reason, "verification failed") && strstr(out.reason, "libc.so.6") &&
              strstr(out.reason, "libyaml"),
          "reason: %s", out.reason);
    run_outcome_release(&out);
}

static void test_heap_tracks_touched_pages(void)
{
    /* 256 objects of 64 KiB, every page touched: 4096 pages. */
    struct phase_spec p = {.name = "fill", .kind = PHASE_CHURN, .ops = 256, .touch = TOUCH_PAGES,
                           .free_order = FREE_NEVER, .align = 64, .realloc_min = 1,
                           .realloc_max = 1};
    p.sizes = (struct size_dist){.kind = SIZE_FIXED, .fixed = 65536, .clamp_min = 1,
                                 .clamp_max = SPEC_MAX_OBJECT_SIZE};
    p.mix[MIX_MALLOC] = 1;
    struct workload_spec w = {.name = "pages", .seed = 1, .threads = 1, .sample_every = 64,
                              .teardown = true, .phases = &p, .phase_count = 1};
    struct allocator_entry je = make_entry("jemalloc", "libjemalloc.so.2", NULL, VERSION_NONE,
                                           NULL);
    struct run_outcome out;
    run(&w, &je, &out);
    CHECK(out.status == RUN_OK, "%s", out.reason);
    const struct sample *end = NULL;
    for (uint64_t i = 0; i < out.res->sample_count; i++)
        if (out.res->samples[i].kind == SAMPLE_PHASE_END && out.res->samples[i].phase == 0)
            end = &out.res->samples[i];
    CHECK(end != NULL, "phase-end sample present");
    if (end) {
        double pages = (double)end->heap_bytes / 4096.0;
        CHECK(pages > 4096 * 0.98 && pages < 4096 * 1.10, "heap %.0f pages for 4096 touched",
              pages);
        CHECK(end->live_bytes == 256 * 65536, "live %lld", (long long)end->live_bytes);
        CHECK(end->usable_bytes >= 256 * 65536, "usable %llu",
              (unsigned long long)end->usable_bytes);
        CHECK(end->minor_faults >= 4096, "minor faults %llu",
              (unsigned long long)end->minor_faults);
    }
    struct run_figures f;
    figures_compute(out.res, &out.stream, &f);
    CHECK(f.frag_peak_ratio > 0.95 && f.frag_peak_ratio < 1.15, "frag %.3f", f.frag_peak_ratio);
    run_outcome_release(&out);
}

static void test_threads_complete(void)
{
    struct phase_spec p = {.name = "churn", .kind = PHASE_CHURN, .ops = 200000,
                           .touch = TOUCH_FIRST, .free_order = FREE_RANDOM, .live_objects = 4000,
                           .align = 64, .realloc_min = 1, .realloc_max = 1};
    p.sizes = (struct size_dist){.kind = SIZE_UNIFORM, .lo = 16, .hi = 512, .clamp_min = 16,
                                 .clamp_max = 512};
    p.mix[MIX_MALLOC] = 1;
    p.mix[MIX_FREE] = 1;
    struct workload_spec w = {.name = "mt", .seed = 3, .threads = 4, .cross_thread_free = 0.5,
                              .teardown = true, .phases = &p, .phase_count = 1};
    const struct allocator_entry allocs[] = {
        make_entry("glibc", NULL, NULL, VERSION_NONE, NULL),
        make_entry("jemalloc", "libjemalloc.so.2", NULL, VERSION_NONE, NULL),
        make_entry("mimalloc", "libmimalloc.so.2", NULL, VERSION_NONE, NULL),
    };
    for (int i = 0; i < 3; i++) {
        struct run_outcome out;
        run(&w, &allocs[i], &out);
        CHECK(out.status == RUN_OK, "%s: %s", allocs[i].name, out.reason);
        CHECK(out.res->ops_done == out.stream.ops, "%s: ops %llu of %llu", allocs[i].name,
              (unsigned long long)out.res->ops_done, (unsigned long long)out.stream.ops);
        CHECK(out.res->samples[out.res->sample_count - 1].live_bytes == 0,
              "%s: all freed at the end", allocs[i].name);
        CHECK(out.res->latency[LAT_ALL].count > 1000, "%s: latency samples", allocs[i].name);
        run_outcome_release(&out);
    }
}

/* The claim in this file's header: the fault shim (tests/faults) raises
 * SIGSEGV after its 20000th allocation, in the middle of the measured
 * loop. The run is crashed, never ok, and the samples taken before the
 * crash are in the region, in order, starting with the baseline. */
static void test_crash_keeps_samples(void)
{
    struct phase_spec p = {.name = "churn", .kind = PHASE_CHURN, .ops = 200000,
                           .touch = TOUCH_FIRST, .free_order = FREE_RANDOM, .live_objects = 2000,
                           .align = 64, .realloc_min = 1, .realloc_max = 1};
    p.sizes = (struct size_dist){.kind = SIZE_FIXED, .fixed = 64, .clamp_min = 1,
                                 .clamp_max = SPEC_MAX_OBJECT_SIZE};
    p.mix[MIX_MALLOC] = 1;
    p.mix[MIX_FREE] = 1;
    struct workload_spec w = {.name = "crash", .seed = 5, .threads = 1, .sample_every = 500,
                              .teardown = true, .phases = &p, .phase_count = 1};
    struct allocator_entry shim = make_entry("crashing", FAULT_SHIM, NULL, VERSION_NONE, NULL);
    setenv("ALLOCSCOPE_FAULT", "crash", 1);
    setenv("ALLOCSCOPE_FAULT_AFTER", "20000", 1);
    struct opgen_totals whole;
    char err[256];
    CHECK(opstream_totals(&w, &whole, err, sizeof err) == 0, "%s", err);
    struct run_outcome out;
    run(&w, &shim, &out);
    unsetenv("ALLOCSCOPE_FAULT");
    CHECK(out.status == RUN_CRASHED, "status %s: %s", run_status_name(out.status), out.reason);
    CHECK(strstr(out.reason, "SIGSEGV") && strstr(out.reason, "while measuring"), "reason: %s",
          out.reason);
    uint64_t n = out.res ? out.res->sample_count : 0;
    CHECK(n >= 10, "samples kept: %llu", (unsigned long long)n);
    if (n >= 2) {
        const struct sample *first = &out.res->samples[0], *last = &out.res->samples[n - 1];
        CHECK(first->kind == SAMPLE_BASELINE, "the first sample is the baseline");
        CHECK(last->op > first->op && last->op < whole.ops,
              "samples stop mid-run: last at op %llu of %llu", (unsigned long long)last->op,
              (unsigned long long)whole.ops);
        for (uint64_t i = 1; i < n; i++)
            if (out.res->samples[i].op < out.res->samples[i - 1].op) {
                CHECK(0, "samples out of order at %llu", (unsigned long long)i);
                break;
            }
    }
    run_outcome_release(&out);
}

int main(void)
{
    if (runner_worker_path(worker, sizeof worker) != 0) {
        /* Tests live in build/bin next to the worker. */
        fprintf(stderr, "allocscope-worker not found next to the test (%s)\n", worker);
        return 1;
    }
    char desc[128];
    timer_calibrate(&params.timer, desc, sizeof desc);
    params.sample_interval_ns = 1000000;
    test_textbook_break();
    test_wrong_expectation();
    test_heap_tracks_touched_pages();
    test_threads_complete();
    test_crash_keeps_samples();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("worker: all checks passed\n");
    return 0;
}
