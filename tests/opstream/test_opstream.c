/* The op stream generator: determinism, distributions, and the bookkeeping
 * invariants the worker relies on. Specs are built in code here so these
 * tests do not depend on the YAML loader. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opstream.h"
#include "spec.h"
#include "stream_collect.h"

#include "check_msg.h"

static struct phase_spec churn_phase(uint64_t ops, struct size_dist sizes)
{
    struct phase_spec p = {.name = "main", .kind = PHASE_CHURN, .ops = ops, .sizes = sizes,
                           .free_order = FREE_RANDOM, .touch = TOUCH_FIRST, .align = 64,
                           .realloc_min = 0.5, .realloc_max = 2.0};
    p.mix[MIX_MALLOC] = 1;
    p.mix[MIX_FREE] = 1;
    return p;
}

static struct size_dist uniform(uint64_t lo, uint64_t hi)
{
    return (struct size_dist){.kind = SIZE_UNIFORM, .lo = lo, .hi = hi, .clamp_min = lo,
                              .clamp_max = hi};
}

static struct workload_spec one_phase(struct phase_spec *p, uint64_t seed, uint32_t threads)
{
    return (struct workload_spec){.name = "t", .seed = seed, .threads = threads,
                                  .timeout_s = 60, .teardown = true, .phases = p,
                                  .phase_count = 1};
}

static uint64_t hash_of(const struct workload_spec *w)
{
    struct opgen_totals t;
    char err[256];
    if (opstream_totals(w, &t, err, sizeof err) < 0 || !t.complete) {
        fprintf(stderr, "generate: %s\n", err);
        exit(1);
    }
    return t.hash;
}

static const char *self_path;

static void test_determinism(void)
{
    struct phase_spec p = churn_phase(50000, uniform(16, 512));
    p.live_objects = 1000;
    struct workload_spec w = one_phase(&p, 42, 1);
    uint64_t a = hash_of(&w), b = hash_of(&w);
    CHECK(a == b, "same spec, same process: %llx vs %llx", (unsigned long long)a,
          (unsigned long long)b);

    /* A separately started process (its own exec: fresh address space,
     * fresh heap, other addresses) gets the same. */
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        execl(self_path, self_path, "--print-determinism-hash", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[64] = "";
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    unsigned long long child = n > 0 ? strtoull(buf, NULL, 16) : 0;
    CHECK(child == a, "other process: %llx vs %llx", child, (unsigned long long)a);

    w.seed = 43;
    CHECK(hash_of(&w) != a, "a different seed must give a different stream");
    w.seed = 42;
    p.ops = 50001;
    CHECK(hash_of(&w) != a, "a different op count must give a different stream");
}

/* Replay a stream and check every invariant; returns the allocation sizes
 * seen through `sizes` (caller frees). */
static size_t replay(const struct workload_spec *w, uint64_t **sizes_out, uint64_t *peak_out)
{
    struct collected col;
    collect(w, 0, &col);
    const struct opgen_totals *h = &col.totals;
    CHECK(h->complete, "generated whole");
    uint64_t *slot_size = calloc(h->slots, sizeof *slot_size);
    char *slot_live = calloc(h->slots, 1);
    uint64_t *sizes = malloc((h->ops + 1) * sizeof *sizes);
    size_t nsizes = 0;
    uint64_t live = 0, peak = 0, live_objects = 0, counted = 0, markers = 0;
    for (uint32_t t = 0; t < col.threads; t++) {
        for (uint64_t i = 0; i < col.count[t]; i++) {
            const struct op *op = &col.ops[t][i];
            if (op->kind == OP_PHASE_END) {
                markers++;
                continue;
            }
            counted++;
            CHECK(op->slot < h->slots, "slot %u out of range", op->slot);
            if (col.threads == 1)
                CHECK(!(op->flags & OPF_WAIT), "single thread never waits");
            switch (op->kind) {
            case OP_FREE:
                CHECK(slot_live[op->slot], "free of a dead slot %u", op->slot);
                CHECK(op->size == slot_size[op->slot], "free carries the object's size");
                live -= slot_size[op->slot];
                live_objects--;
                slot_live[op->slot] = 0;
                break;
            case OP_REALLOC:
                CHECK(slot_live[op->slot], "realloc of a dead slot");
                CHECK(op_realloc_old_size(op) == slot_size[op->slot],
                      "realloc carries the old size");
                live = live - slot_size[op->slot] + op_realloc_new_size(op);
                slot_size[op->slot] = op_realloc_new_size(op);
                break;
            default:
                CHECK(!slot_live[op->slot], "allocation into a live slot %u", op->slot);
                if (op->kind == OP_ALIGNED_ALLOC)
                    CHECK(op->size % (1ULL << op->align_log2) == 0,
                          "aligned_alloc size multiple of alignment");
                slot_live[op->slot] = 1;
                slot_size[op->slot] = op->size;
                live += op->size;
                live_objects++;
                sizes[nsizes++] = op->size;
                break;
            }
            if (live > peak)
                peak = live;
        }
    }
    CHECK(counted == h->ops, "total ops %llu vs counted %llu", (unsigned long long)h->ops,
          (unsigned long long)counted);
    CHECK(markers == h->marker_ops, "marker count");
    if (w->teardown)
        CHECK(live == 0 && live_objects == 0, "teardown frees everything (live %llu)",
              (unsigned long long)live);
    if (col.threads == 1)
        CHECK(peak == h->peak_live_bytes, "peak live %llu vs generator %llu",
              (unsigned long long)peak, (unsigned long long)h->peak_live_bytes);
    *sizes_out = sizes;
    *peak_out = peak;
    free(slot_size);
    free(slot_live);
    collect_free(&col);
    return nsizes;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_uniform_and_target(void)
{
    struct phase_spec p = churn_phase(200000, uniform(16, 256));
    p.live_objects = 5000;
    struct workload_spec w = one_phase(&p, 7, 1);
    uint64_t *sizes, peak;
    size_t n = replay(&w, &sizes, &peak);
    double mean = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        mean += (double)sizes[i];
        lo = sizes[i] < lo ? sizes[i] : lo;
        hi = sizes[i] > hi ? sizes[i] : hi;
    }
    mean /= (double)n;
    CHECK(lo >= 16 && hi <= 256, "uniform bounds [%llu, %llu]", (unsigned long long)lo,
          (unsigned long long)hi);
    /* Mean of U{16..256} is 136, sd ~69.6; n ~100k: 5 sd of the mean < 1.2. */
    CHECK(fabs(mean - 136.0) < 1.2, "uniform mean %.2f", mean);
    /* With a 5000-object target the peak stays near 5000 x 136 bytes. */
    CHECK(peak > 5000 * 100 && peak < 5000 * 200, "peak live %llu", (unsigned long long)peak);
    free(sizes);
}

static void test_lognormal_median(void)
{
    struct size_dist d = {.kind = SIZE_LOGNORMAL, .median = 100, .sigma = 0.8, .clamp_min = 1,
                          .clamp_max = SPEC_MAX_OBJECT_SIZE};
    struct phase_spec p = churn_phase(100000, d);
    p.live_objects = 100;
    struct workload_spec w = one_phase(&p, 11, 1);
    uint64_t *sizes, peak;
    size_t n = replay(&w, &sizes, &peak);
    qsort(sizes, n, sizeof *sizes, cmp_u64);
    uint64_t median = sizes[n / 2];
    CHECK(median >= 97 && median <= 103, "lognormal median %llu", (unsigned long long)median);
    /* P(X > median * e^sigma) = P(Z > 1) = 15.87 %. */
    double above = 0;
    for (size_t i = 0; i < n; i++)
        above += sizes[i] > 100 * exp(0.8);
    above /= (double)n;
    CHECK(fabs(above - 0.1587) < 0.01, "lognormal tail share %.4f", above);
    free(sizes);
}

static void test_table_and_clamp(void)
{
    struct size_table_entry table[] = {{16, 50}, {64, 30}, {4096, 20}};
    struct size_dist d = {.kind = SIZE_TABLE, .table = table, .table_len = 3, .clamp_min = 1,
                          .clamp_max = 1024};
    struct phase_spec p = churn_phase(100000, d);
    p.mix[MIX_FREE] = 0;
    p.free_order = FREE_NEVER;
    struct workload_spec w = one_phase(&p, 5, 1);
    uint64_t *sizes, peak;
    size_t n = replay(&w, &sizes, &peak);
    size_t c16 = 0, c64 = 0, c1024 = 0;
    for (size_t i = 0; i < n; i++) {
        c16 += sizes[i] == 16;
        c64 += sizes[i] == 64;
        c1024 += sizes[i] == 1024; /* 4096 clamped to max 1024 */
    }
    CHECK(c16 + c64 + c1024 == n, "only table sizes (clamped)");
    CHECK(n == 100000, "never-free phase allocates every op (%zu)", n);
    /* Binomial sd at n=1e5, p=0.5 is 0.0016: allow 4 sd. */
    CHECK(fabs((double)c16 / (double)n - 0.5) < 0.0064, "16 B share %.4f", (double)c16 / (double)n);
    CHECK(fabs((double)c64 / (double)n - 0.3) < 0.006, "64 B share");
    CHECK(fabs((double)c1024 / (double)n - 0.2) < 0.006, "clamped share");
    free(sizes);
}

static void test_phases_free_fraction(void)
{
    struct phase_spec phases[2];
    phases[0] = churn_phase(10000, uniform(32, 32));
    phases[0].mix[MIX_FREE] = 0;
    phases[0].name = "grow";
    phases[1] = (struct phase_spec){.name = "free90", .kind = PHASE_FREE,
                                    .free_fraction = 0.9, .free_order = FREE_RANDOM};
    struct workload_spec w = one_phase(phases, 3, 1);
    w.phase_count = 2;
    struct opgen_totals t;
    char err[256];
    CHECK(opstream_totals(&w, &t, err, sizeof err) == 0, "%s", err);
    /* grow 10000 + free 9000 + teardown 1000 */
    CHECK(t.ops == 20000, "ops %llu", (unsigned long long)t.ops);
    CHECK(t.marker_ops == 3, "a marker per phase, teardown included");
    CHECK(t.peak_live_bytes == 320000, "peak %llu", (unsigned long long)t.peak_live_bytes);
    CHECK(t.kind_counts[OP_MALLOC] == 10000 && t.kind_counts[OP_FREE] == 10000,
          "op counts per kind %llu %llu", (unsigned long long)t.kind_counts[OP_MALLOC],
          (unsigned long long)t.kind_counts[OP_FREE]);
}

static void test_threads_cross_free(void)
{
    struct phase_spec p = churn_phase(100000, uniform(16, 128));
    p.live_objects = 2000;
    struct workload_spec w = one_phase(&p, 9, 4);
    w.cross_thread_free = 0.5;
    struct collected col;
    collect(&w, 0, &col);
    uint64_t frees = 0, remote = 0;
    for (uint32_t t = 0; t < 4; t++)
        for (uint64_t i = 0; i < col.count[t]; i++) {
            const struct op *op = &col.ops[t][i];
            if (op->kind == OP_FREE) {
                frees++;
                remote += (op->flags & OPF_WAIT) != 0;
            }
            if (op->kind == OP_REALLOC)
                CHECK(!(op->flags & OPF_WAIT), "realloc is never remote");
        }
    double share = (double)remote / (double)frees;
    /* Teardown frees are local; churn frees are remote half the time. */
    CHECK(share > 0.4 && share < 0.5, "remote free share %.3f", share);
    for (uint32_t t = 0; t < 4; t++)
        CHECK(col.count[t] > 20000, "thread %u has work", t);
    collect_free(&col);

    w.pattern = THREADS_PRODUCER_CONSUMER;
    w.threads = 2;
    w.cross_thread_free = 0;
    collect(&w, 0, &col);
    uint64_t consumer_frees = 0, consumer_allocs = 0;
    for (uint64_t i = 0; i < col.count[1]; i++) {
        const struct op *op = &col.ops[1][i];
        consumer_frees += op->kind == OP_FREE;
        consumer_allocs += op->kind != OP_FREE && op->kind != OP_PHASE_END;
    }
    CHECK(consumer_allocs == 0, "the consumer never allocates");
    /* Backpressure: the producer reuses slots the consumer freed (waiting
     * for those frees), so it cannot run ahead without bound. Without it
     * every allocation would take a fresh slot (~50,000 of them). */
    CHECK(col.totals.slots <= col.totals.max_live_objects + 2 * 4097, "slots %llu for %llu live",
          (unsigned long long)col.totals.slots, (unsigned long long)col.totals.max_live_objects);
    uint64_t producer_waits = 0;
    for (uint64_t i = 0; i < col.count[0]; i++) {
        const struct op *op = &col.ops[0][i];
        producer_waits += op->kind != OP_FREE && (op->flags & OPF_WAIT);
    }
    CHECK(producer_waits > 10000, "producer allocations wait for the consumer's frees (%llu)",
          (unsigned long long)producer_waits);
    CHECK(consumer_frees > 40000, "the consumer frees (%llu)", (unsigned long long)consumer_frees);
    collect_free(&col);
}

/* Where chunks are cut changes nothing: the same ops reach every thread,
 * with the same hash, whether the window holds 1,024 ops or a million
 * (phases of every kind resume mid-way). */
static void test_chunking_invisible(void)
{
    struct phase_spec phases[4];
    phases[0] = churn_phase(30000, uniform(16, 4096));
    phases[0].name = "grow";
    phases[0].mix[MIX_FREE] = 0;
    phases[0].mix[MIX_REALLOC] = 1;
    phases[1] = (struct phase_spec){.name = "free", .kind = PHASE_FREE, .free_fraction = 0.7,
                                    .free_order = FREE_FIFO};
    phases[2] = churn_phase(20000, uniform(8, 100000));
    phases[2].name = "churn";
    phases[2].live_objects = 3000;
    struct script_op script[3] = {{.kind = SCRIPT_MALLOC, .object = 0, .size = 100},
                                  {.kind = SCRIPT_REALLOC, .object = 0, .size = 5000},
                                  {.kind = SCRIPT_FREE, .object = 0}};
    phases[3] = (struct phase_spec){.name = "script", .kind = PHASE_SCRIPT, .script = script,
                                    .script_len = 3, .script_objects = 1,
                                    .touch = TOUCH_FIRST};
    for (uint32_t threads = 1; threads <= 3; threads += 2) {
        struct workload_spec w = one_phase(phases, 77, threads);
        w.phase_count = 4;
        w.cross_thread_free = 0.3;
        struct collected a, b;
        collect(&w, 1024, &a);
        collect(&w, 1 << 20, &b);
        CHECK(a.chunks > 50 && b.chunks == 1, "chunk counts %llu, %llu",
              (unsigned long long)a.chunks, (unsigned long long)b.chunks);
        CHECK(a.totals.hash == b.totals.hash, "%u threads: hash independent of chunking",
              threads);
        for (uint32_t t = 0; t < threads; t++) {
            CHECK(a.count[t] == b.count[t] &&
                      memcmp(a.ops[t], b.ops[t], a.count[t] * sizeof(struct op)) == 0,
                  "%u threads: thread %u gets the same ops", threads, t);
            CHECK(a.ntimed[t] == b.ntimed[t] &&
                      memcmp(a.timed[t], b.timed[t], a.ntimed[t] * sizeof(uint64_t)) == 0,
                  "%u threads: thread %u times the same ops", threads, t);
        }
        CHECK(a.max_slots_seen == a.totals.slots, "the last chunk announces every slot");
        collect_free(&a);
        collect_free(&b);
    }
}

/* Global positions rise along every thread's run, and a wait always points
 * at an earlier op on the slot, done by another thread (what makes the
 * run-ahead bound and the waits deadlock-free). */
static void test_global_order(void)
{
    struct phase_spec p = churn_phase(60000, uniform(16, 512));
    p.live_objects = 4000;
    struct workload_spec w = one_phase(&p, 21, 4);
    w.cross_thread_free = 0.4;
    struct collected col;
    collect(&w, 4096, &col);
    /* For each slot: the gidx and thread of the latest op seen so far, in
     * global order (merge the threads by gidx). */
    size_t total = 0;
    for (uint32_t t = 0; t < 4; t++)
        total += col.count[t];
    size_t at[4] = {0};
    uint32_t *last_thread = calloc(col.totals.slots, sizeof *last_thread);
    uint32_t *ops_on = calloc(col.totals.slots, sizeof *ops_on);
    int64_t prev = -1;
    int bad_order = 0, bad_wait = 0;
    for (size_t k = 0; k < total; k++) {
        uint32_t best = 4;
        for (uint32_t t = 0; t < 4; t++)
            if (at[t] < col.count[t] &&
                (best == 4 || col.ops[t][at[t]].gidx < col.ops[best][at[best]].gidx))
                best = t;
        const struct op *op = &col.ops[best][at[best]++];
        bad_order += (int64_t)op->gidx <= prev;
        prev = op->gidx;
        if (op->kind == OP_PHASE_END)
            continue;
        if (op->flags & OPF_WAIT)
            bad_wait += ops_on[op->slot] != op->seq || last_thread[op->slot] == best + 1;
        else
            bad_wait += ops_on[op->slot] && last_thread[op->slot] != best + 1;
        ops_on[op->slot]++;
        last_thread[op->slot] = best + 1;
    }
    CHECK(bad_order == 0, "global positions strictly rise (%d out of order)", bad_order);
    CHECK(bad_wait == 0, "waits name the previous op on the slot, by another thread (%d bad)",
          bad_wait);
    CHECK(col.min_runahead >= 64, "run-ahead bound %u", col.min_runahead);
    free(last_thread);
    free(ops_on);
    collect_free(&col);
}

/* Timed ops are spread over op kinds as the stream is: within 2 points of
 * each kind's share (the fixed stride this replaces timed almost only
 * mallocs on alternating free/malloc streams). */
static void test_timed_mix(void)
{
    struct phase_spec p = churn_phase(400000, uniform(16, 256));
    p.live_objects = 20000;
    p.mix[MIX_REALLOC] = 0.2;
    p.mix[MIX_CALLOC] = 0.3;
    struct workload_spec w = one_phase(&p, 1, 1);
    struct collected col;
    collect(&w, 0, &col);
    uint64_t stream[OP_KIND_END] = {0}, timed[OP_KIND_END] = {0}, ntimed = 0, nops = 0;
    for (uint64_t i = 0; i < col.count[0]; i++)
        stream[col.ops[0][i].kind]++;
    for (uint64_t k = 0; k < col.ntimed[0]; k++) {
        timed[col.ops[0][col.timed[0][k]].kind]++;
        ntimed++;
    }
    for (int kind = OP_MALLOC; kind < OP_PHASE_END; kind++)
        nops += stream[kind];
    double expect = ldexp((double)nops, -(int)col.totals.timing_shift);
    CHECK(fabs((double)ntimed - expect) < 0.05 * expect, "timed %llu of %llu ops (expected ~%.0f)",
          (unsigned long long)ntimed, (unsigned long long)nops, expect);
    for (int kind = OP_MALLOC; kind < OP_PHASE_END; kind++) {
        double s = (double)stream[kind] / (double)nops, t = (double)timed[kind] / (double)ntimed;
        CHECK(fabs(s - t) < 0.02, "op kind %d: %.3f of the stream, %.3f of timed ops", kind, s, t);
    }
    CHECK(stream[OP_FREE] > nops / 3, "the stream alternates frees and allocations");
    collect_free(&col);

    /* A short stream has the most ops timed, every 8th on average; a long
     * one about 20,000 of them. */
    p.ops = 20000;
    w = one_phase(&p, 1, 1);
    CHECK(opstream_timing_shift(&w) == 3, "short stream: 1 op in %u timed",
          1u << opstream_timing_shift(&w));
    p.ops = 100000000;
    CHECK(opstream_timing_shift(&w) == 10, "long stream: 1 op in %u timed",
          1u << opstream_timing_shift(&w));
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc == 2 && strcmp(argv[1], "--print-determinism-hash") == 0) {
        struct phase_spec p = churn_phase(50000, uniform(16, 512));
        p.live_objects = 1000;
        struct workload_spec w = one_phase(&p, 42, 1);
        printf("%llx\n", (unsigned long long)hash_of(&w));
        return 0;
    }
    test_determinism();
    test_uniform_and_target();
    test_lognormal_median();
    test_table_and_clamp();
    test_phases_free_fraction();
    test_threads_cross_free();
    test_chunking_invisible();
    test_global_order();
    test_timed_mix();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("opstream: all checks passed\n");
    return 0;
}
