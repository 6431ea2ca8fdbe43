/* The op stream generator: determinism, distributions, and the bookkeeping
 * invariants the worker relies on. Specs are built in code here so these
 * tests do not depend on the YAML loader. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opstream.h"
#include "spec.h"

#include "check_msg.h"

extern char **environ;

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
    struct opstream s;
    char err[256];
    if (opstream_generate(w, &s, err, sizeof err) < 0) {
        fprintf(stderr, "generate: %s\n", err);
        exit(1);
    }
    uint64_t h = s.header->hash;
    opstream_close(&s);
    return h;
}

/* The workload of the determinism test, the same in every process. */
static struct workload_spec determinism_workload(struct phase_spec *p)
{
    *p = churn_phase(50000, uniform(16, 512));
    p->live_objects = 1000;
    return one_phase(p, 42, 1);
}

/* `test_opstream --print-hash`: the hash of that workload's stream. */
static int print_hash(void)
{
    struct phase_spec p;
    struct workload_spec w = determinism_workload(&p);
    printf("%016llx\n", (unsigned long long)hash_of(&w));
    return 0;
}

/* Start this program anew (posix_spawn + exec) and read the hash it prints. */
static uint64_t hash_in_new_process(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char *argv[] = {(char *)"test_opstream", (char *)"--print-hash", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    char buf[64] = "";
    ssize_t n = rc == 0 ? read(fds[0], buf, sizeof buf - 1) : -1;
    close(fds[0]);
    if (rc == 0)
        waitpid(pid, NULL, 0);
    CHECK(rc == 0 && n > 0, "start a new process: %s", rc ? strerror(rc) : "no output");
    return n > 0 ? strtoull(buf, NULL, 16) : 0;
}

static void test_determinism(void)
{
    struct phase_spec p;
    struct workload_spec w = determinism_workload(&p);
    uint64_t a = hash_of(&w), b = hash_of(&w);
    CHECK(a == b, "same spec, same process: %llx vs %llx", (unsigned long long)a,
          (unsigned long long)b);

    /* Separately started processes (this program exec'ed again: a fresh
     * address space laid out anew, unlike a fork's copy) get the same. */
    for (int i = 0; i < 3; i++) {
        uint64_t other = hash_in_new_process();
        CHECK(other == a, "a separately started process: %llx vs %llx",
              (unsigned long long)other, (unsigned long long)a);
    }

    w.seed = 43;
    CHECK(hash_of(&w) != a, "a different seed must give a different stream");
    w.seed = 42;
    p.ops = 50001;
    CHECK(hash_of(&w) != a, "a different op count must give a different stream");
}

/* Replay a single-threaded stream and check every invariant; returns the
 * allocation sizes seen through `sizes` (caller frees). */
static size_t replay(const struct workload_spec *w, uint64_t **sizes_out, uint64_t *peak_out)
{
    struct opstream s;
    char err[256];
    CHECK(opstream_generate(w, &s, err, sizeof err) == 0, "%s", err);
    struct opstream_header *h = s.header;
    CHECK(h->magic == OPSTREAM_MAGIC, "magic");
    uint64_t *slot_size = calloc(h->slots, sizeof *slot_size);
    char *slot_live = calloc(h->slots, 1);
    uint64_t *sizes = malloc((h->total_ops + 1) * sizeof *sizes);
    size_t nsizes = 0;
    uint64_t live = 0, peak = 0, live_objects = 0, counted = 0, markers = 0;
    for (uint32_t t = 0; t < h->threads; t++) {
        struct opstream_thread *r = &opstream_threads(h)[t];
        for (uint64_t i = 0; i < r->op_count; i++) {
            const struct op *op = &opstream_ops(h)[r->first_op + i];
            if (op->kind == OP_PHASE_END) {
                markers++;
                continue;
            }
            counted++;
            CHECK(op->slot < h->slots, "slot %u out of range", op->slot);
            if (h->threads == 1)
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
                live = live - slot_size[op->slot] + op->size;
                slot_size[op->slot] = op->size;
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
    CHECK(counted == h->total_ops, "total_ops %llu vs counted %llu",
          (unsigned long long)h->total_ops, (unsigned long long)counted);
    CHECK(markers == h->marker_ops, "marker count");
    if (w->teardown)
        CHECK(live == 0 && live_objects == 0, "teardown frees everything (live %llu)",
              (unsigned long long)live);
    if (h->threads == 1)
        CHECK(peak == h->peak_live_bytes, "peak live %llu vs header %llu",
              (unsigned long long)peak, (unsigned long long)h->peak_live_bytes);
    *sizes_out = sizes;
    *peak_out = peak;
    free(slot_size);
    free(slot_live);
    opstream_close(&s);
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
    struct opstream s;
    char err[256];
    CHECK(opstream_generate(&w, &s, err, sizeof err) == 0, "%s", err);
    /* grow 10000 + free 9000 + teardown 1000 */
    CHECK(s.header->total_ops == 20000, "ops %llu", (unsigned long long)s.header->total_ops);
    CHECK(s.header->phase_count == 3, "phases incl. teardown");
    CHECK(strcmp(s.header->phase_names[2], "teardown") == 0, "teardown named");
    CHECK(s.header->peak_live_bytes == 320000, "peak %llu",
          (unsigned long long)s.header->peak_live_bytes);
    opstream_close(&s);
}

static void test_threads_cross_free(void)
{
    struct phase_spec p = churn_phase(100000, uniform(16, 128));
    p.live_objects = 2000;
    struct workload_spec w = one_phase(&p, 9, 4);
    w.cross_thread_free = 0.5;
    struct opstream s;
    char err[256];
    CHECK(opstream_generate(&w, &s, err, sizeof err) == 0, "%s", err);
    struct opstream_header *h = s.header;
    uint64_t frees = 0, remote = 0;
    for (uint64_t i = 0; i < h->total_ops + h->marker_ops; i++) {
        const struct op *op = &opstream_ops(h)[i];
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
        CHECK(opstream_threads(h)[t].op_count > 20000, "thread %u has work", t);
    opstream_close(&s);

    w.pattern = THREADS_PRODUCER_CONSUMER;
    w.threads = 2;
    w.cross_thread_free = 0;
    CHECK(opstream_generate(&w, &s, err, sizeof err) == 0, "%s", err);
    h = s.header;
    struct opstream_thread *consumer = &opstream_threads(h)[1];
    uint64_t consumer_frees = 0, consumer_allocs = 0;
    for (uint64_t i = 0; i < consumer->op_count; i++) {
        const struct op *op = &opstream_ops(h)[consumer->first_op + i];
        consumer_frees += op->kind == OP_FREE;
        consumer_allocs += op->kind != OP_FREE && op->kind != OP_PHASE_END;
    }
    CHECK(consumer_allocs == 0, "the consumer never allocates");
    /* Backpressure: the producer reuses slots the consumer freed (waiting
     * for those frees), so it cannot run ahead without bound. Without it
     * every allocation would take a fresh slot (~50,000 of them). */
    CHECK(h->slots <= h->max_live_objects + 2 * 4097, "slots %llu for %llu live",
          (unsigned long long)h->slots, (unsigned long long)h->max_live_objects);
    uint64_t producer_waits = 0;
    struct opstream_thread *producer = &opstream_threads(h)[0];
    for (uint64_t i = 0; i < producer->op_count; i++) {
        const struct op *op = &opstream_ops(h)[producer->first_op + i];
        producer_waits += op->kind != OP_FREE && (op->flags & OPF_WAIT);
    }
    CHECK(producer_waits > 10000, "producer allocations wait for the consumer's frees (%llu)",
          (unsigned long long)producer_waits);
    CHECK(consumer_frees > 40000, "the consumer frees (%llu)", (unsigned long long)consumer_frees);
    opstream_close(&s);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--print-hash") == 0)
        return print_hash();
    test_determinism();
    test_uniform_and_target();
    test_lognormal_median();
    test_table_and_clamp();
    test_phases_free_fraction();
    test_threads_cross_free();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("opstream: all checks passed\n");
    return 0;
}
