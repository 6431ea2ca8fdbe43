/* spec_valid_test.c - load the files in tests/spec/valid/ and check the resolved
 * structures field by field; then spec_apply_quick and spec_workload_hash. */
#include <stdlib.h>

#include "spec.h"
#include "spec_test.h"

#define GiB (1ULL << 30)
#define TiB (1ULL << 40)

static int load(const char *name, struct suite_spec *s)
{
    char path[1024];
    struct spec_error err;
    snprintf(path, sizeof path, "%s/valid/%s", SPEC_TEST_DIR, name);
    if (spec_load_file(path, s, &err) != 0) {
        fprintf(stderr, "unexpected load failure: %s\n", err.message);
        test_failures++;
        return -1;
    }
    return 0;
}

static const struct phase_spec *phase(const struct workload_spec *w, const char *name)
{
    for (size_t i = 0; i < w->phase_count; i++)
        if (strcmp(w->phases[i].name, name) == 0)
            return &w->phases[i];
    fprintf(stderr, "no phase '%s' in workload '%s'\n", name, w->name);
    test_failures++;
    static struct phase_spec empty;
    return &empty;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static void check_mix(const struct phase_spec *p, double m, double c, double r, double pm,
                      double aa, double f)
{
    CHECK_D(p->mix[MIX_MALLOC], m);
    CHECK_D(p->mix[MIX_CALLOC], c);
    CHECK_D(p->mix[MIX_REALLOC], r);
    CHECK_D(p->mix[MIX_POSIX_MEMALIGN], pm);
    CHECK_D(p->mix[MIX_ALIGNED_ALLOC], aa);
    CHECK_D(p->mix[MIX_FREE], f);
}

static void test_minimal(void)
{
    struct suite_spec s;
    if (load("minimal.yaml", &s) != 0)
        return;
    CHECK_S(s.name, "minimal");
    CHECK(s.allocators == NULL);
    CHECK_U(s.allocator_count, 0);
    CHECK_U(s.reps, 0);
    CHECK_U(s.file_count, 1);
    CHECK(ends_with(s.files[0], "valid/minimal.yaml"));
    CHECK_U(s.workload_count, 1);
    const struct workload_spec *w = &s.workloads[0];
    CHECK_S(w->name, "minimal");
    CHECK(w->description == NULL);
    CHECK(w->pos.file == s.files[0]);
    CHECK_U(w->pos.line, 3);
    CHECK_U(w->pos.col, 3);
    CHECK_U(w->seed, 1);
    CHECK_U(w->threads, 1);
    CHECK_U(w->pattern, THREADS_SYMMETRIC);
    CHECK_D(w->cross_thread_free, 0);
    CHECK_U(w->sample_every, 0);
    CHECK_D(w->timeout_s, 120);
    CHECK(w->teardown);
    CHECK_U(w->phase_count, 1);
    const struct phase_spec *p = &w->phases[0];
    CHECK_S(p->name, "main");
    CHECK_U(p->kind, PHASE_CHURN);
    CHECK_U(p->pos.line, 3);
    CHECK_U(p->ops, 1000);
    CHECK_U(p->sizes.kind, SIZE_FIXED);
    CHECK_U(p->sizes.fixed, 64);
    CHECK_U(p->sizes.clamp_min, 1);
    CHECK_U(p->sizes.clamp_max, GiB);
    check_mix(p, 1, 0, 0, 0, 0, 1);
    CHECK_U(p->free_order, FREE_RANDOM);
    CHECK_U(p->live_objects, 0);
    CHECK_U(p->live_bytes, 0);
    CHECK_U(p->touch, TOUCH_PAGES);
    CHECK_U(p->align, 64);
    CHECK_D(p->realloc_min, 0.5);
    CHECK_D(p->realloc_max, 2.0);
    spec_free(&s);
    CHECK(s.workloads == NULL && s.workload_count == 0);
}

static void test_dists(void)
{
    struct suite_spec s;
    if (load("dists.yaml", &s) != 0)
        return;
    const struct workload_spec *w = &s.workloads[0];
    CHECK_U(w->phase_count, 7);
    const struct size_dist *d = &phase(w, "bare")->sizes;
    CHECK_U(d->kind, SIZE_FIXED);
    CHECK_U(d->fixed, 4096);
    CHECK_U(d->clamp_min, 1);
    CHECK_U(d->clamp_max, GiB);
    d = &phase(w, "fixed")->sizes;
    CHECK_U(d->kind, SIZE_FIXED);
    CHECK_U(d->fixed, 48);
    CHECK_U(d->clamp_min, 32);
    CHECK_U(d->clamp_max, 64);
    d = &phase(w, "uniform")->sizes;
    CHECK_U(d->kind, SIZE_UNIFORM);
    CHECK_U(d->lo, 16);
    CHECK_U(d->hi, 1024);
    CHECK_U(d->clamp_min, 16);
    CHECK_U(d->clamp_max, 1024);
    d = &phase(w, "lognormal")->sizes;
    CHECK_U(d->kind, SIZE_LOGNORMAL);
    CHECK_D(d->median, 1024);
    CHECK_D(d->sigma, 1.5);
    CHECK_U(d->clamp_min, 1);
    CHECK_U(d->clamp_max, 1 << 20);
    d = &phase(w, "lognormal_number")->sizes;
    CHECK_D(d->median, 200.5);
    CHECK_D(d->sigma, 0);
    d = &phase(w, "pareto")->sizes;
    CHECK_U(d->kind, SIZE_PARETO);
    CHECK_U(d->scale, 32);
    CHECK_D(d->alpha, 1.2);
    CHECK_U(d->clamp_min, 16);
    CHECK_U(d->clamp_max, 64 << 20);
    d = &phase(w, "table")->sizes;
    CHECK_U(d->kind, SIZE_TABLE);
    CHECK_U(d->table_len, 5);
    if (d->table_len == 5) {
        static const unsigned long long sizes[] = {16, 1, 2 << 20, GiB, GiB};
        static const double weights[] = {5, 0.5, 1, 0.25, 2};
        for (int i = 0; i < 5; i++) {
            CHECK_U(d->table[i].size, sizes[i]);
            CHECK_D(d->table[i].weight, weights[i]);
        }
    }
    CHECK_U(d->clamp_min, 8);
    CHECK_U(d->clamp_max, GiB);
    for (size_t i = 0; i < w->phase_count; i++)
        CHECK_U(w->phases[i].ops, 100); /* inherited */
    spec_free(&s);
}

static void test_everything(void)
{
    struct suite_spec s;
    if (load("everything.yaml", &s) != 0)
        return;
    const struct workload_spec *w = &s.workloads[0];
    CHECK_S(w->name, "everything.v1");
    CHECK_S(w->description, "a tour of the language");
    CHECK_U(w->seed, UINT64_MAX);
    CHECK_U(w->threads, 8);
    CHECK_U(w->pattern, THREADS_SYMMETRIC);
    CHECK_D(w->cross_thread_free, 0.25);
    CHECK_U(w->sample_every, 500);
    CHECK_D(w->timeout_s, 30.5);
    CHECK(!w->teardown);
    CHECK_U(w->phase_count, 6);

    const struct phase_spec *p = phase(w, "ramp");
    CHECK_U(p->kind, PHASE_CHURN);
    CHECK_U(p->pos.line, 21);
    CHECK_U(p->pos.col, 7);
    CHECK_U(p->ops, 5000);
    CHECK_U(p->sizes.kind, SIZE_UNIFORM);
    CHECK_U(p->sizes.lo, 8);
    CHECK_U(p->sizes.hi, 512);
    check_mix(p, 4, 1, 1, 0.5, 0.5, 6);
    CHECK_U(p->live_objects, 10000);
    CHECK_U(p->live_bytes, 0);
    CHECK_U(p->free_order, FREE_LIFO);
    CHECK_U(p->touch, TOUCH_NONE);
    CHECK_U(p->align, 4096);
    CHECK_D(p->realloc_min, 0.25);
    CHECK_D(p->realloc_max, 4);

    p = phase(w, "steady"); /* everything inherited */
    CHECK_U(p->kind, PHASE_CHURN);
    CHECK_U(p->ops, 5000);
    CHECK_U(p->sizes.kind, SIZE_UNIFORM);
    check_mix(p, 4, 1, 1, 0.5, 0.5, 6);
    CHECK_U(p->free_order, FREE_FIFO);
    CHECK_U(p->live_objects, 0);
    CHECK_U(p->touch, TOUCH_ALL);
    CHECK_U(p->align, 4096);
    CHECK_D(p->realloc_min, 0.25);

    p = phase(w, "phase3"); /* default name */
    CHECK_U(p->ops, 7);
    CHECK_U(p->live_bytes, TiB);
    CHECK_U(p->live_objects, 0);
    CHECK_U(p->free_order, FREE_NEVER);
    CHECK_U(p->touch, TOUCH_FIRST);
    CHECK_U(p->align, 16);
    CHECK_D(p->realloc_min, 1.5);
    CHECK_D(p->realloc_max, 1.5);

    p = phase(w, "drain");
    CHECK_U(p->kind, PHASE_FREE);
    CHECK_D(p->free_fraction, 0.5);
    CHECK_U(p->free_order, FREE_RANDOM);

    p = phase(w, "scripted");
    CHECK_U(p->kind, PHASE_SCRIPT);
    CHECK_U(p->touch, TOUCH_PAGES);
    CHECK_U(p->script_len, 8);
    CHECK_U(p->script_objects, 4);
    if (p->script_len == 8) {
        static const enum script_op_kind kinds[] = {
            SCRIPT_MALLOC, SCRIPT_CALLOC, SCRIPT_REALLOC, SCRIPT_POSIX_MEMALIGN,
            SCRIPT_ALIGNED_ALLOC, SCRIPT_FREE, SCRIPT_MALLOC, SCRIPT_FREE};
        static const uint32_t objects[] = {0, 1, 0, 2, 3, 0, 0, 1};
        static const uint64_t sizes[] = {100, 0, 2048, 64, 8192, 0, 1, 0};
        static const uint64_t aligns[] = {0, 0, 0, 64, 4096, 0, 0, 0};
        for (int i = 0; i < 8; i++) {
            CHECK_U(p->script[i].kind, kinds[i]);
            CHECK_U(p->script[i].object, objects[i]);
            CHECK_U(p->script[i].size, sizes[i]);
            CHECK_U(p->script[i].align, aligns[i]);
            CHECK_U(p->script[i].pos.line, 38 + i);
            CHECK_U(p->script[i].pos.col, 11);
            CHECK(p->script[i].pos.file == s.files[0]);
        }
    }
    p = phase(w, "tail");
    CHECK_U(p->kind, PHASE_FREE);
    CHECK_D(p->free_fraction, 1);
    spec_free(&s);
}

static void test_producer_consumer(void)
{
    struct suite_spec s;
    if (load("producer_consumer.yaml", &s) != 0)
        return;
    const struct workload_spec *w = &s.workloads[0];
    CHECK_U(w->threads, 4);
    CHECK_U(w->pattern, THREADS_PRODUCER_CONSUMER);
    CHECK_U(w->phases[0].ops, 1000000);
    check_mix(&w->phases[0], 1, 0, 0, 0, 0, 0);
    CHECK_U(w->phases[0].free_order, FREE_FIFO);
    spec_free(&s);
}

static void test_anchors(void)
{
    struct suite_spec s;
    if (load("anchors.yaml", &s) != 0)
        return;
    const struct workload_spec *w = &s.workloads[0];
    CHECK_U(w->phase_count, 4);
    const struct phase_spec *first = phase(w, "first"), *second = phase(w, "second"),
                            *third = phase(w, "third"), *fourth = phase(w, "fourth");
    CHECK_U(first->sizes.kind, SIZE_LOGNORMAL);
    CHECK_D(first->sizes.median, 64);
    CHECK_U(first->sizes.clamp_max, 4096);
    CHECK_U(second->ops, 2500);
    CHECK_U(second->sizes.kind, SIZE_UNIFORM);
    CHECK_U(third->sizes.lo, 4096);
    CHECK_U(third->sizes.hi, 65536);
    check_mix(third, 1, 0, 0, 0, 0, 2);
    check_mix(fourth, 1, 0, 0, 0, 0, 2);
    CHECK_U(fourth->sizes.kind, SIZE_LOGNORMAL); /* workload default via alias */
    spec_free(&s);
}

static void test_trace(void)
{
    struct suite_spec s;
    if (load("trace.yaml", &s) != 0)
        return;
    const struct workload_spec *w = &s.workloads[0];
    CHECK(w->trace_path && ends_with(w->trace_path, "valid/tiny.trace.zst")); /* beside the file */
    CHECK_U(w->pace, PACE_RECORDED);
    CHECK_D(w->time_scale, 0.5);
    CHECK_U(w->threads, 0); /* the trace's facts decide */
    CHECK_U(w->teardown, 0);
    CHECK_U(w->phase_count, 1);
    CHECK_U(w->phases[0].kind, PHASE_TRACE);
    CHECK_S(w->phases[0].name, "trace");
    CHECK_U(w->phases[0].touch, TOUCH_FIRST);
    uint64_t h = spec_workload_hash(w);
    w = NULL;
    spec_free(&s);
    /* The pace is part of what the worker executes. */
    static const char asap[] = "workload: {name: replay, trace: tiny.trace.zst, touch: first, "
                               "teardown: false}";
    char path[4096];
    snprintf(path, sizeof path, "%s/valid/x.yaml", SPEC_TEST_DIR);
    struct spec_error err;
    if (spec_load_string(asap, sizeof asap - 1, path, &s, &err) == 0) {
        CHECK(spec_workload_hash(&s.workloads[0]) != h);
        CHECK_U(s.workloads[0].pace, PACE_ASAP);
        spec_free(&s);
    } else {
        CHECK(!"the asap trace workload loads");
    }
}

static void test_suite(void)
{
    struct suite_spec s;
    if (load("suite.yaml", &s) != 0)
        return;
    CHECK_S(s.name, "smoke");
    CHECK_U(s.allocator_count, 3);
    if (s.allocator_count == 3) {
        CHECK_S(s.allocators[0], "glibc");
        CHECK_S(s.allocators[2], "mimalloc");
    }
    CHECK_U(s.reps, 3);
    CHECK_U(s.pos.line, 3);
    CHECK_U(s.file_count, 3);
    CHECK_U(s.workload_count, 3);
    if (s.workload_count != 3) {
        spec_free(&s);
        return;
    }
    const struct workload_spec *inc = &s.workloads[0], *inl = &s.workloads[1],
                               *scr = &s.workloads[2];
    CHECK_S(inc->name, "small-objects");
    CHECK(ends_with(inc->pos.file, "valid/inc/small_objects.yaml"));
    CHECK_U(inc->pos.line, 2);
    CHECK_U(inc->phases[0].sizes.kind, SIZE_TABLE);
    CHECK_U(inc->phases[0].sizes.table_len, 2);
    CHECK_S(inl->name, "inline-big");
    CHECK(inl->pos.file == s.files[0]);
    CHECK_U(inl->pos.line, 9);
    CHECK_U(inl->phases[0].sizes.fixed, 1 << 20);
    CHECK_U(inl->phases[0].touch, TOUCH_FIRST);
    CHECK_S(scr->name, "script-only");
    CHECK_S(scr->phases[0].name, "phase1");
    CHECK_U(scr->phases[0].kind, PHASE_SCRIPT);
    CHECK_U(scr->phases[0].script_objects, 1);
    CHECK(ends_with(scr->phases[0].script[0].pos.file, "inc/script_only.yaml"));
    spec_free(&s);
}

static void test_quick(void)
{
    struct suite_spec s;
    if (load("everything.yaml", &s) != 0)
        return;
    spec_apply_quick(&s, 0.001);
    const struct workload_spec *w = &s.workloads[0];
    CHECK_U(phase(w, "ramp")->ops, 5);
    CHECK_U(phase(w, "ramp")->live_objects, 10);
    CHECK_U(phase(w, "phase3")->ops, 1); /* 7 x 0.001 rounds up to the minimum */
    CHECK_U(phase(w, "phase3")->live_bytes, (unsigned long long)((double)TiB * 0.001));
    CHECK_U(phase(w, "steady")->live_objects, 0); /* no target stays no target */
    CHECK_D(phase(w, "drain")->free_fraction, 0.5);
    CHECK_U(phase(w, "scripted")->script_len, 8);
    spec_apply_quick(&s, 1e-9);
    CHECK_U(phase(w, "ramp")->ops, 1);
    CHECK_U(phase(w, "ramp")->live_objects, 1);
    CHECK_U(phase(w, "phase3")->live_bytes, 1);
    spec_free(&s);
}

/* Hash of the single workload in `yaml`, or 0 on a load error. */
static uint64_t hash_of(const char *yaml, const char *display)
{
    struct suite_spec s;
    struct spec_error err;
    if (spec_load_string(yaml, strlen(yaml), display, &s, &err) != 0) {
        fprintf(stderr, "hash_of: %s\n", err.message);
        test_failures++;
        return 0;
    }
    uint64_t h = spec_workload_hash(&s.workloads[0]);
    spec_free(&s);
    return h;
}

#define BASE_HEAD "workload:\n  name: h\n  description: one\n  timeout: 10\n"
#define BASE_BODY                                                                          \
    "  seed: 7\n  threads: 2\n  cross_thread_free: 0.5\n"                                  \
    "  sizes: {dist: lognormal, median: 100, sigma: 1, max: 4096}\n"                       \
    "  mix: {malloc: 2, realloc: 1, free: 3}\n  phases:\n"                                 \
    "    - {name: a, ops: 1000, live: {objects: 50}, touch: first, align: 32}\n"           \
    "    - {name: b, free: 0.5}\n"                                                         \
    "    - {name: c, script: [{op: malloc, obj: x, size: 8}, {op: free, obj: x}]}\n"

static void test_hash(void)
{
    static const char base[] = BASE_HEAD BASE_BODY;
    uint64_t h = hash_of(base, "a.yaml");
    CHECK(h != 0);
    CHECK_U(hash_of(base, "a.yaml"), h);
    CHECK_U(hash_of(base, "/elsewhere/b.yaml"), h); /* path does not matter */
    CHECK_U(hash_of("workload:\n  name: h\n  description: two\n  timeout: 99\n" BASE_BODY, "a"),
            h); /* description and timeout do not shape the stream */
    CHECK_U(hash_of("workload:\n  name: renamed\n" BASE_BODY, "a"), h);

    /* Each of these changes one op-shaping field. */
    static const char *const changes[][2] = {
        {"seed: 7", "seed: 8"},
        {"threads: 2", "threads: 3"},
        {"cross_thread_free: 0.5", "cross_thread_free: 0.4"},
        {"median: 100", "median: 101"},
        {"sigma: 1", "sigma: 2"},
        {"max: 4096", "max: 4097"},
        {"malloc: 2", "malloc: 3"},
        {"realloc: 1", "realloc: 0"},
        {"ops: 1000", "ops: 1001"},
        {"objects: 50", "objects: 51"},
        {"touch: first", "touch: all"},
        {"align: 32", "align: 64"},
        {"free: 0.5", "free: 0.25"},
        {"size: 8}", "size: 9}"},
        {"name: a,", "name: z,"},
    };
    char buf[2048];
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        const char *at = strstr(base, changes[i][0]);
        CHECK(at != NULL);
        if (!at)
            continue;
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - base), base, changes[i][1],
                 at + strlen(changes[i][0]));
        uint64_t hi = hash_of(buf, "a.yaml");
        if (hi == h || hi == 0) {
            fprintf(stderr, "hash did not change for '%s' -> '%s'\n", changes[i][0],
                    changes[i][1]);
            test_failures++;
        }
    }
    snprintf(buf, sizeof buf, "%s  teardown: false\n", base);
    CHECK(hash_of(buf, "a.yaml") != h);
}

static void test_load_string_errors(void)
{
    struct suite_spec s;
    struct spec_error err;
    CHECK(spec_load_string("", 0, "empty.yaml", &s, &err) == -1);
    CHECK(strncmp(err.message, "empty.yaml:1:1: ", 16) == 0);
    CHECK(strstr(err.message, "empty") != NULL);
    CHECK(s.workloads == NULL && s.files == NULL);
    /* An error inside an included file names that file and its position. */
    static const char inc_bad[] = "suite: {name: s, workloads: [{include: inc/bad_workload.yaml}]}";
    CHECK(spec_load_string(inc_bad, strlen(inc_bad), SPEC_TEST_DIR "/invalid/virtual.yaml", &s,
                           &err) == -1);
    CHECK_S(err.message, SPEC_TEST_DIR "/invalid/inc/bad_workload.yaml:4:12: 'threads' must be "
                         "between 1 and 256, got 0");
    /* A duplicate name: the second occurrence, and where the first one was. */
    static const char dup[] = "suite:\n  name: s\n  workloads:\n"
                              "    - include: inc/good_workload.yaml\n"
                              "    - workload: {name: w1, ops: 5}\n";
    CHECK(spec_load_string(dup, strlen(dup), SPEC_TEST_DIR "/invalid/virtual.yaml", &s, &err) ==
          -1);
    CHECK_S(err.message, SPEC_TEST_DIR "/invalid/virtual.yaml:5:24: duplicate workload name 'w1' "
                         "(first defined at " SPEC_TEST_DIR "/invalid/inc/good_workload.yaml:2:3)");
    CHECK(spec_load_file(SPEC_TEST_DIR "/valid/no-such-file.yaml", &s, &err) == -1);
    CHECK(strstr(err.message, "No such file") != NULL);
}

int main(void)
{
    test_minimal();
    test_dists();
    test_everything();
    test_producer_consumer();
    test_anchors();
    test_suite();
    test_trace();
    test_quick();
    test_hash();
    test_load_string_errors();
    if (test_failures)
        fprintf(stderr, "%d check(s) failed\n", test_failures);
    return test_failures ? 1 : 0;
}
