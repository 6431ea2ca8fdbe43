/* The harness stays out of its figures, checked against independent
 * witnesses with the real allocators:
 *  - a stream far larger than its heap: peak RSS is the heap plus the
 *    baseline, not the stream (the op window is the harness's, subtracted);
 *    faults are the heap's pages, not the stream's;
 *  - timed ops cover every op kind in its share of the stream;
 *  - a spike between samples is the reported peak (vs getrusage's maxrss);
 *  - threads: the live set at run time is the stream's, within 5 %.
 * Specs are built in code so this does not depend on the YAML loader. */
#define _GNU_SOURCE
#include <math.h>
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

static struct allocator_entry entry(const char *name, const char *library)
{
    struct allocator_entry e = {.name = (char *)name, .library = (char *)library};
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
    struct run_request req = {.workload = w, .alloc = a, .worker_path = worker,
                              .timeout_s = 120, .params = params};
    CHECK(runner_execute(&req, out) == 0, "runner_execute: %s", out->reason);
    CHECK(out->status == RUN_OK, "%s: %s", a->name, out->reason);
}

static struct phase_spec churn(uint64_t ops, uint64_t lo, uint64_t hi, uint64_t live_objects)
{
    struct phase_spec p = {.name = "churn", .kind = PHASE_CHURN, .ops = ops,
                           .touch = TOUCH_FIRST, .free_order = FREE_RANDOM,
                           .live_objects = live_objects, .align = 64, .realloc_min = 0.5,
                           .realloc_max = 2};
    p.sizes = (struct size_dist){.kind = SIZE_UNIFORM, .lo = lo, .hi = hi, .clamp_min = lo,
                                 .clamp_max = hi};
    p.mix[MIX_MALLOC] = 1;
    return p;
}

static struct workload_spec workload(struct phase_spec *p, size_t n, uint32_t threads)
{
    return (struct workload_spec){.name = "t", .seed = 5, .threads = threads,
                                  .teardown = true, .phases = p, .phase_count = n,
                                  .timeout_s = 120};
}

/* 4 M ops of 16-byte churn: a 96 MiB stream through a window of under
 * 1 MiB, around a heap of a few hundred KiB. */
static void test_stream_not_in_rss(void)
{
    struct phase_spec p = churn(4000000, 16, 16, 5000);
    struct workload_spec w = workload(&p, 1, 1);
    const struct allocator_entry allocs[] = {entry("glibc", NULL),
                                             entry("jemalloc", "libjemalloc.so.2")};
    for (int i = 0; i < 2; i++) {
        struct run_outcome out;
        run(&w, &allocs[i], &out);
        const struct result_region *r = out.res;
        uint64_t stream_bytes = out.stream.ops * sizeof(struct op);
        int64_t expect = (int64_t)r->base_rss_bytes + r->peak_heap_bytes;
        int64_t diff = (int64_t)r->peak_rss_bytes - expect;
        CHECK(stream_bytes > 90u << 20, "the stream is large (%llu bytes)",
              (unsigned long long)stream_bytes);
        /* Allowance: the allocator's code pages first touched mid-run are
         * file RSS, not heap; a few pages at most. */
        CHECK(llabs(diff) <= 16 * 4096,
              "%s: peak RSS %llu = baseline %llu + peak heap %lld (off by %lld)", allocs[i].name,
              (unsigned long long)r->peak_rss_bytes, (unsigned long long)r->base_rss_bytes,
              (long long)r->peak_heap_bytes, (long long)diff);
        CHECK(r->peak_rss_bytes < 16u << 20, "%s: peak RSS %llu is nowhere near the stream",
              allocs[i].name, (unsigned long long)r->peak_rss_bytes);
        /* Faults: the heap's own pages (and a few of allocator code), not
         * the stream's 24,000 pages. */
        uint64_t heap_pages = (uint64_t)r->peak_heap_bytes / 4096;
        CHECK(r->ru_minor_faults <= heap_pages + 64,
              "%s: %llu minor faults for %llu heap pages", allocs[i].name,
              (unsigned long long)r->ru_minor_faults, (unsigned long long)heap_pages);
        /* smaps_rollup (exact, walked page by page) at the phase end with
         * the most resident memory can never exceed the true peak. */
        CHECK(r->smaps_peak_phase.rss_bytes - r->harness_bytes <= r->peak_rss_bytes,
              "%s: smaps Rss %llu at a phase end above the peak %llu", allocs[i].name,
              (unsigned long long)(r->smaps_peak_phase.rss_bytes - r->harness_bytes),
              (unsigned long long)r->peak_rss_bytes);
        /* The smaps witness at the end of the run agrees with the harness
         * taken out: what is resident beyond the harness is small. */
        CHECK(r->smaps_end.rss_bytes - r->harness_bytes < 16u << 20, "%s: smaps Rss %llu",
              allocs[i].name, (unsigned long long)r->smaps_end.rss_bytes);
        run_outcome_release(&out);
    }
}

/* The worker's timed ops per kind match the stream's shares. */
static void test_timed_mix(void)
{
    struct phase_spec p = churn(600000, 16, 512, 10000);
    p.mix[MIX_CALLOC] = 0.3;
    p.mix[MIX_REALLOC] = 0.3;
    p.mix[MIX_POSIX_MEMALIGN] = 0.2;
    struct workload_spec w = workload(&p, 1, 1);
    struct allocator_entry glibc = entry("glibc", NULL);
    struct run_outcome out;
    run(&w, &glibc, &out);
    const struct result_region *r = out.res;
    const uint64_t *k = out.stream.kind_counts;
    const struct {
        enum latency_kind lat;
        uint64_t in_stream;
    } kinds[] = {{LAT_MALLOC, k[OP_MALLOC]},
                 {LAT_CALLOC, k[OP_CALLOC]},
                 {LAT_REALLOC, k[OP_REALLOC]},
                 {LAT_ALIGNED, k[OP_POSIX_MEMALIGN] + k[OP_ALIGNED_ALLOC]},
                 {LAT_FREE, k[OP_FREE]}};
    uint64_t timed = r->latency[LAT_ALL].count;
    CHECK(timed > 5000, "timed ops %llu", (unsigned long long)timed);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        double s = (double)kinds[i].in_stream / (double)out.stream.ops;
        double t = (double)r->latency[kinds[i].lat].count / (double)timed;
        CHECK(fabs(s - t) < 0.02, "%s: %.3f of the stream, %.3f of timed ops",
              latency_kind_name(kinds[i].lat), s, t);
        CHECK(s > 0.01, "%s is in the stream", latency_kind_name(kinds[i].lat));
    }
    CHECK(r->timer_floor_ns > 0 && r->timer_floor_ns < 2000, "timer floor %llu ns",
          (unsigned long long)r->timer_floor_ns);
    run_outcome_release(&out);
}

/* A 64 MiB block, touched and freed between two samples (no periodic
 * sampling at all), then small churn: the peak is reported, and agrees
 * with the kernel's own maximum for the process (getrusage). */
static void test_spike_between_samples(void)
{
    struct script_op script[2] = {{.kind = SCRIPT_MALLOC, .object = 0, .size = 64u << 20},
                                  {.kind = SCRIPT_FREE, .object = 0}};
    struct phase_spec phases[2] = {
        {.name = "spike", .kind = PHASE_SCRIPT, .script = script, .script_len = 2,
         .script_objects = 1, .touch = TOUCH_PAGES},
        churn(20000, 16, 64, 100),
    };
    struct workload_spec w = workload(phases, 2, 1);
    struct run_params saved = params;
    params.sample_interval_ns = 0;
    const struct allocator_entry allocs[] = {entry("glibc", NULL),
                                             entry("mimalloc", "libmimalloc.so.2")};
    for (int i = 0; i < 2; i++) {
        struct run_outcome out;
        run(&w, &allocs[i], &out);
        const struct result_region *r = out.res;
        uint64_t witness = r->ru_maxrss_bytes - r->harness_bytes;
        CHECK(r->peak_heap_bytes >= (int64_t)(64u << 20), "%s: peak heap %lld", allocs[i].name,
              (long long)r->peak_heap_bytes);
        CHECK(fabs((double)r->peak_rss_bytes - (double)witness) < 0.01 * (double)witness,
              "%s: peak RSS %llu vs getrusage maxrss %llu", allocs[i].name,
              (unsigned long long)r->peak_rss_bytes, (unsigned long long)witness);
        /* No sample sits at the top: the 64 MiB were gone at every one. */
        int64_t sampled = 0;
        for (uint64_t s = 0; s < r->sample_count; s++)
            if (r->samples[s].kind != SAMPLE_PEAK && r->samples[s].heap_bytes > sampled)
                sampled = r->samples[s].heap_bytes;
        CHECK(sampled < (int64_t)(32u << 20), "%s: periodic/phase samples missed it (%lld)",
              allocs[i].name, (long long)sampled);
        run_outcome_release(&out);
    }
    params = saved;
}

/* Producer/consumer: the consumer frees what the producer allocated. The
 * live set seen at run time stays within 5 % of the stream's exact peak,
 * every repetition, for every allocator. */
static void test_threaded_live(void)
{
    struct phase_spec p = churn(300000, 16, 512, 5000);
    p.free_order = FREE_FIFO;
    struct workload_spec w = workload(&p, 1, 2);
    w.pattern = THREADS_PRODUCER_CONSUMER;
    const struct allocator_entry allocs[] = {entry("glibc", NULL),
                                             entry("jemalloc", "libjemalloc.so.2"),
                                             entry("mimalloc", "libmimalloc.so.2")};
    for (int i = 0; i < 3; i++)
        for (int rep = 0; rep < 5; rep++) {
            struct run_outcome out;
            run(&w, &allocs[i], &out);
            double seen = (double)out.res->peak_live_bytes;
            double exact = (double)out.stream.peak_live_bytes;
            CHECK(fabs(seen - exact) <= 0.05 * exact, "%s rep %d: live %.0f vs exact %.0f",
                  allocs[i].name, rep, seen, exact);
            run_outcome_release(&out);
        }
}

int main(void)
{
    if (runner_worker_path(worker, sizeof worker) != 0) {
        fprintf(stderr, "allocscope-worker not found next to the test (%s)\n", worker);
        return 1;
    }
    char desc[128];
    timer_calibrate(&params.timer, desc, sizeof desc);
    params.sample_interval_ns = 1000000;
    test_stream_not_in_rss();
    test_timed_mix();
    test_spike_between_samples();
    test_threaded_live();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("transparency: all checks passed\n");
    return 0;
}
