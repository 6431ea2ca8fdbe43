/* test_compare.c - `allocscope compare` on synthetic run directories with
 * known differences: the verdicts, the reasons and the exit status. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "synth.h"

#include "check_msg.h"

static char tmp[256];

/* What one (workload, allocator) looks like in a synthetic run. */
struct pair {
    const char *workload, *allocator;
    int reps;
    double tput, p99, heap, frag, brk, dtlb; /* dtlb NAN: unsupported */
    double noise;                            /* relative sd of tput, p99, dtlb */
    int crashed;                             /* extra rows that crashed */
    const char *version, *spec;
};

static const struct pair default_pairs[] = {
    {"churn", "glibc", 9, 2.0e6, 900, 10 << 20, 1.25, 135168, NAN, 0.03, 0, NULL, NULL},
    {"churn", "jemalloc", 9, 2.5e6, 700, 12 << 20, 1.40, 0, NAN, 0.03, 0, NULL, NULL},
    {"larson", "glibc", 9, 1.0e6, 1500, 40 << 20, 1.10, 270336, NAN, 0.03, 0, NULL, NULL},
    {"larson", "jemalloc", 9, 1.2e6, 1200, 48 << 20, 1.30, 0, NAN, 0.03, 0, NULL, NULL},
};
#define NPAIRS 4
#define OPS 100000.0

static void write_run(const char *name, const struct synth_host *host, const struct pair *pairs,
                      size_t n, uint64_t seed)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", tmp, name);
    FILE *f = synth_begin(dir, host);
    if (!f) {
        perror(dir);
        exit(2);
    }
    for (size_t i = 0; i < n; i++) {
        const struct pair *p = &pairs[i];
        for (int rep = 1; rep <= p->reps + p->crashed; rep++) {
            struct synth_row r = {
                .workload = p->workload,
                .allocator = p->allocator,
                .rep = rep,
                .ops = OPS,
                .ops_per_s = p->tput * (1 + p->noise * synth_normal(&seed)),
                .latency_p99_ns = round(p->p99 * (1 + p->noise * synth_normal(&seed))),
                .peak_heap_bytes = p->heap,
                .frag_peak_ratio = p->frag,
                .peak_brk_bytes = p->brk,
                .dtlb_per_kop = p->dtlb * (1 + p->noise * synth_normal(&seed)),
                .allocator_version = p->version,
                .spec_hash = p->spec,
            };
            if (rep > p->reps)
                r.status = "crashed";
            synth_row(f, &r);
        }
    }
    if (synth_end(f) != 0)
        exit(2);
}

static void copy_pairs(struct pair *out)
{
    memcpy(out, default_pairs, sizeof default_pairs);
}

/* Run `allocscope compare [args...] BASE NEW --json tmp/report.json`
 * in-process; returns the exit status. */
static int compare(const char *base, const char *new, ...)
{
    char b[512], n[512], json[512];
    snprintf(b, sizeof b, "%s/%s", tmp, base);
    snprintf(n, sizeof n, "%s/%s", tmp, new);
    snprintf(json, sizeof json, "%s/report.json", tmp);
    unlink(json);
    char *argv[32];
    int argc = 0;
    argv[argc++] = "compare";
    argv[argc++] = "--json";
    argv[argc++] = json;
    va_list ap;
    va_start(ap, new);
    for (char *a; (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    argv[argc++] = b;
    argv[argc++] = n;
    argv[argc] = NULL;
    printf("---- compare %s %s\n", base, new);
    int rc = cmd_compare(argc, argv);
    fflush(stdout);
    return rc;
}

static json_t *report(void)
{
    char json[512];
    snprintf(json, sizeof json, "%s/report.json", tmp);
    json_error_t e;
    json_t *r = json_load_file(json, 0, &e);
    if (!r)
        fprintf(stderr, "%s: %s\n", json, e.text);
    return r;
}

/* The row of the last report for (workload, allocator, metric); metric
 * NULL selects the pair-level row. */
static json_t *find_row(json_t *rep, const char *w, const char *a, const char *m)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(rep, "rows"), i, row)
    {
        const char *rm = json_string_value(json_object_get(row, "metric"));
        if (strcmp(json_string_value(json_object_get(row, "workload")), w) == 0 &&
            strcmp(json_string_value(json_object_get(row, "allocator")), a) == 0 &&
            ((m == NULL && rm == NULL) || (m && rm && strcmp(m, rm) == 0)))
            return row;
    }
    return NULL;
}

static const char *verdict(json_t *rep, const char *w, const char *a, const char *m)
{
    json_t *row = find_row(rep, w, a, m);
    return row ? json_string_value(json_object_get(row, "verdict")) : "(no row)";
}

static const char *reason(json_t *rep, const char *w, const char *a, const char *m)
{
    json_t *row = find_row(rep, w, a, m);
    return row ? json_string_value(json_object_get(row, "reason")) : "(no row)";
}

static size_t count(json_t *rep, const char *what)
{
    return (size_t)json_integer_value(json_object_get(json_object_get(rep, "counts"), what));
}

#define EXPECT_VERDICT(rep, w, a, m, want)                                                    \
    CHECK(strcmp(verdict(rep, w, a, m), want) == 0, "%s/%s/%s: %s (%s), want %s", w, a,        \
          m ? m : "(pair)", verdict(rep, w, a, m), reason(rep, w, a, m), want)

/* A clear 20 % slowdown over 9 repetitions, for many noise draws. */
static void test_slowdown(void)
{
    struct pair slow[NPAIRS];
    for (uint64_t seed = 1; seed <= 20; seed++) {
        copy_pairs(slow);
        slow[0].tput *= 0.8;
        slow[0].p99 *= 1.2;
        write_run("base", NULL, default_pairs, NPAIRS, seed);
        write_run("slow", NULL, slow, NPAIRS, seed + 1000);
        int rc = compare("base", "slow", NULL);
        json_t *rep = report();
        CHECK(rc == 1, "seed %llu: exit %d, want 1", (unsigned long long)seed, rc);
        EXPECT_VERDICT(rep, "churn", "glibc", "throughput", "regressed");
        EXPECT_VERDICT(rep, "churn", "glibc", "latency_p99", "regressed");
        EXPECT_VERDICT(rep, "churn", "jemalloc", "throughput", "unchanged");
        EXPECT_VERDICT(rep, "churn", "glibc", "peak_heap", "unchanged");
        CHECK(count(rep, "regressed") == 2, "seed %llu: %zu regressed",
              (unsigned long long)seed, count(rep, "regressed"));
        json_t *row = find_row(rep, "churn", "glibc", "throughput");
        double change = json_real_value(json_object_get(row, "change_pct"));
        double p = json_real_value(json_object_get(row, "p"));
        CHECK(change < -12 && change > -28, "change %g%%", change);
        CHECK(p < 0.001, "p=%g (9 vs 9 fully separated is 4e-5)", p);
        /* worst first: the first row is a regression */
        json_t *first = json_array_get(json_object_get(rep, "rows"), 0);
        CHECK(strcmp(json_string_value(json_object_get(first, "verdict")), "regressed") == 0,
              "first row is a regression");
        json_decref(rep);
    }
}

/* A 2 % change within 3 % noise is never flagged. */
static void test_noise(void)
{
    struct pair drift[NPAIRS];
    for (uint64_t seed = 1; seed <= 20; seed++) {
        copy_pairs(drift);
        for (int i = 0; i < NPAIRS; i++) {
            drift[i].tput *= 0.98;
            drift[i].p99 *= 1.02;
        }
        write_run("base", NULL, default_pairs, NPAIRS, seed);
        write_run("drift", NULL, drift, NPAIRS, seed + 2000);
        int rc = compare("base", "drift", NULL);
        json_t *rep = report();
        CHECK(rc == 0, "seed %llu: exit %d, want 0", (unsigned long long)seed, rc);
        CHECK(count(rep, "regressed") == 0 && count(rep, "improved") == 0,
              "seed %llu: %zu regressed %zu improved", (unsigned long long)seed,
              count(rep, "regressed"), count(rep, "improved"));
        EXPECT_VERDICT(rep, "larson", "jemalloc", "throughput", "unchanged");
        json_decref(rep);
    }
}

static void test_improvement(void)
{
    struct pair fast[NPAIRS];
    copy_pairs(fast);
    fast[2].tput *= 1.25;
    write_run("base", NULL, default_pairs, NPAIRS, 5);
    write_run("fast", NULL, fast, NPAIRS, 6);
    int rc = compare("base", "fast", NULL);
    json_t *rep = report();
    CHECK(rc == 0, "improvement exits 0, got %d", rc);
    EXPECT_VERDICT(rep, "larson", "glibc", "throughput", "improved");
    json_decref(rep);
}

/* Memory growth of one page per op: exactly repeatable figures are judged
 * on the threshold alone. */
static void test_memory_growth(void)
{
    struct pair fat[NPAIRS];
    copy_pairs(fat);
    fat[3].heap += OPS * 4096;
    fat[1].heap += 4096;         /* one page: never counts */
    fat[2].heap *= 1.01;         /* 1 %: under the 2 % memory threshold */
    fat[0].brk += 1.5 * 135168;  /* break growth */
    write_run("base", NULL, default_pairs, NPAIRS, 11);
    write_run("fat", NULL, fat, NPAIRS, 12);
    int rc = compare("base", "fat", NULL);
    json_t *rep = report();
    CHECK(rc == 1, "memory growth exits 1, got %d", rc);
    EXPECT_VERDICT(rep, "larson", "jemalloc", "peak_heap", "regressed");
    json_t *row = find_row(rep, "larson", "jemalloc", "peak_heap");
    CHECK(row && strcmp(json_string_value(json_object_get(row, "judged_by")), "threshold") == 0,
          "judged on the threshold alone");
    EXPECT_VERDICT(rep, "churn", "jemalloc", "peak_heap", "unchanged");
    row = find_row(rep, "churn", "jemalloc", "peak_heap");
    CHECK(row && strcmp(json_string_value(json_object_get(row, "judged_by")),
                        "below-one-page") == 0,
          "sub-page change");
    EXPECT_VERDICT(rep, "larson", "glibc", "peak_heap", "unchanged");
    EXPECT_VERDICT(rep, "churn", "glibc", "brk", "regressed");
    /* The same growth with a single repetition on each side. */
    struct pair one_b[NPAIRS], one_n[NPAIRS];
    copy_pairs(one_b);
    copy_pairs(one_n);
    for (int i = 0; i < NPAIRS; i++)
        one_b[i].reps = one_n[i].reps = 1;
    one_n[3].heap += OPS * 4096;
    write_run("one_b", NULL, one_b, NPAIRS, 13);
    write_run("one_n", NULL, one_n, NPAIRS, 14);
    rc = compare("one_b", "one_n", "--metric", "peak_heap,brk,frag", NULL);
    json_decref(rep);
    rep = report();
    CHECK(rc == 1, "single-rep memory growth exits 1, got %d", rc);
    EXPECT_VERDICT(rep, "larson", "jemalloc", "peak_heap", "regressed");
    CHECK(find_row(rep, "larson", "jemalloc", "throughput") == NULL, "--metric selects");
    json_decref(rep);
}

static void test_missing_workload(void)
{
    write_run("base", NULL, default_pairs, NPAIRS, 21);
    write_run("half", NULL, default_pairs, 2, 22); /* no larson */
    int rc = compare("base", "half", NULL);
    json_t *rep = report();
    CHECK(rc == 0, "a missing workload alone exits 0, got %d", rc);
    EXPECT_VERDICT(rep, "larson", "glibc", NULL, "not comparable");
    CHECK(strstr(reason(rep, "larson", "glibc", NULL), "missing from NEW"), "%s",
          reason(rep, "larson", "glibc", NULL));
    EXPECT_VERDICT(rep, "churn", "glibc", "throughput", "unchanged");
    json_decref(rep);
    rc = compare("half", "base", NULL);
    rep = report();
    CHECK(rc == 0, "exit %d", rc);
    CHECK(strstr(reason(rep, "larson", "jemalloc", NULL), "missing from BASE"), "%s",
          reason(rep, "larson", "jemalloc", NULL));
    json_decref(rep);
}

static void test_different_machine(void)
{
    struct synth_host other = {.cpu_model = "AMD EPYC 7763 64-Core Processor"};
    struct synth_host kernel = {.kernel = "Linux 6.5.0 x86_64"};
    struct pair slow[NPAIRS];
    copy_pairs(slow);
    slow[0].tput *= 0.8;
    write_run("base", NULL, default_pairs, NPAIRS, 31);
    write_run("other", &other, slow, NPAIRS, 32);
    write_run("kernel", &kernel, default_pairs, NPAIRS, 33);
    int rc = compare("base", "other", NULL);
    json_t *rep = report();
    CHECK(rc == 2, "different machine exits 2, got %d", rc);
    CHECK(count(rep, "regressed") == 0 && count(rep, "unchanged") == 0,
          "nothing judged across machines");
    EXPECT_VERDICT(rep, "churn", "glibc", "throughput", "not comparable");
    CHECK(strstr(reason(rep, "churn", "glibc", "throughput"), "different machine"), "%s",
          reason(rep, "churn", "glibc", "throughput"));
    const char *diff = json_string_value(json_object_get(rep, "machine_difference"));
    CHECK(diff && strstr(diff, "CPU model") && strstr(diff, "EPYC"), "reason printed: %s",
          diff ? diff : "(null)");
    json_decref(rep);
    rc = compare("base", "other", "--force", NULL);
    rep = report();
    CHECK(rc == 1, "--force judges: exit %d", rc);
    EXPECT_VERDICT(rep, "churn", "glibc", "throughput", "regressed");
    CHECK(strstr(reason(rep, "churn", "glibc", "throughput"), "forced"), "%s",
          reason(rep, "churn", "glibc", "throughput"));
    json_decref(rep);
    rc = compare("base", "kernel", NULL);
    rep = report();
    CHECK(rc == 2, "different kernel exits 2, got %d", rc);
    diff = json_string_value(json_object_get(rep, "machine_difference"));
    CHECK(diff && strstr(diff, "kernel"), "%s", diff ? diff : "(null)");
    json_decref(rep);
}

static void test_versions_and_specs(void)
{
    struct pair changed[NPAIRS];
    copy_pairs(changed);
    changed[1].version = changed[3].version = "5.3.1"; /* jemalloc upgraded */
    changed[2].spec = "another-spec";                  /* larson/glibc spec edited */
    write_run("base", NULL, default_pairs, NPAIRS, 41);
    write_run("changed", NULL, changed, NPAIRS, 42);
    int rc = compare("base", "changed", NULL);
    json_t *rep = report();
    CHECK(rc == 0, "exit %d", rc);
    EXPECT_VERDICT(rep, "churn", "jemalloc", "throughput", "not comparable");
    CHECK(strstr(reason(rep, "churn", "jemalloc", "peak_heap"), "allocator version"), "%s",
          reason(rep, "churn", "jemalloc", "peak_heap"));
    EXPECT_VERDICT(rep, "larson", "glibc", "peak_heap", "not comparable");
    CHECK(strstr(reason(rep, "larson", "glibc", "peak_heap"), "spec hash"), "%s",
          reason(rep, "larson", "glibc", "peak_heap"));
    EXPECT_VERDICT(rep, "churn", "glibc", "throughput", "unchanged");
    json_decref(rep);
}

/* Empty cells are unsupported, never zero. */
static void test_unsupported(void)
{
    struct pair b[NPAIRS], n[NPAIRS];
    copy_pairs(b);
    copy_pairs(n);
    n[0].dtlb = 5.0; /* only NEW measured TLB misses */
    b[1].dtlb = 2.0;
    n[1].dtlb = 3.0; /* +50 %: a time-like regression */
    write_run("tlb_b", NULL, b, NPAIRS, 51);
    write_run("tlb_n", NULL, n, NPAIRS, 52);
    int rc = compare("tlb_b", "tlb_n", NULL);
    json_t *rep = report();
    CHECK(rc == 1, "exit %d", rc);
    EXPECT_VERDICT(rep, "churn", "glibc", "dtlb", "not comparable");
    CHECK(strcmp(reason(rep, "churn", "glibc", "dtlb"), "unsupported in BASE") == 0, "%s",
          reason(rep, "churn", "glibc", "dtlb"));
    EXPECT_VERDICT(rep, "churn", "jemalloc", "dtlb", "regressed");
    EXPECT_VERDICT(rep, "larson", "glibc", "dtlb", "not comparable");
    CHECK(strcmp(reason(rep, "larson", "glibc", "dtlb"), "unsupported") == 0, "%s",
          reason(rep, "larson", "glibc", "dtlb"));
    json_t *row = find_row(rep, "larson", "glibc", "dtlb");
    CHECK(row && json_is_null(json_object_get(row, "base_median")), "no median invented");
    json_decref(rep);
}

/* Rows that are not ok are excluded and reported. */
static void test_failed_rows(void)
{
    struct pair n[NPAIRS];
    copy_pairs(n);
    n[0].crashed = 3;
    n[3].reps = 0;
    n[3].crashed = 9;
    write_run("base", NULL, default_pairs, NPAIRS, 61);
    write_run("crashy", NULL, n, NPAIRS, 62);
    int rc = compare("base", "crashy", NULL);
    json_t *rep = report();
    CHECK(rc == 0, "exit %d", rc);
    EXPECT_VERDICT(rep, "churn", "glibc", "throughput", "unchanged");
    json_t *row = find_row(rep, "churn", "glibc", "throughput");
    CHECK(row && json_integer_value(json_object_get(row, "n_new")) == 9, "9 ok values used");
    CHECK(strstr(reason(rep, "churn", "glibc", "throughput"), "3 crashed"), "%s",
          reason(rep, "churn", "glibc", "throughput"));
    EXPECT_VERDICT(rep, "larson", "jemalloc", NULL, "not comparable");
    CHECK(strstr(reason(rep, "larson", "jemalloc", NULL), "no ok repetitions in NEW (9 crashed)"),
          "%s", reason(rep, "larson", "jemalloc", NULL));
    json_decref(rep);
}

/* With 3 repetitions the U test cannot reach p < 0.05 (best is 0.1). */
static void test_few_reps(void)
{
    struct pair b[NPAIRS], n[NPAIRS];
    copy_pairs(b);
    copy_pairs(n);
    for (int i = 0; i < NPAIRS; i++)
        b[i].reps = n[i].reps = 3;
    n[0].tput *= 0.8;
    n[1].tput *= 0.99;
    write_run("few_b", NULL, b, NPAIRS, 71);
    write_run("few_n", NULL, n, NPAIRS, 72);
    int rc = compare("few_b", "few_n", NULL);
    json_t *rep = report();
    CHECK(rc == 0, "exit %d", rc);
    EXPECT_VERDICT(rep, "churn", "glibc", "throughput", "not comparable");
    CHECK(strstr(reason(rep, "churn", "glibc", "throughput"), "too few repetitions"), "%s",
          reason(rep, "churn", "glibc", "throughput"));
    EXPECT_VERDICT(rep, "churn", "jemalloc", "throughput", "unchanged");
    json_decref(rep);
}

static void test_thresholds(void)
{
    struct pair slow[NPAIRS];
    copy_pairs(slow);
    slow[0].tput *= 0.8;
    write_run("base", NULL, default_pairs, NPAIRS, 81);
    write_run("slow", NULL, slow, NPAIRS, 82);
    int rc = compare("base", "slow", "--threshold", "30", NULL);
    CHECK(rc == 0, "a 20%% slowdown under a 30%% threshold: exit %d", rc);
    rc = compare("base", "slow", "--time-threshold", "5", "--memory-threshold", "50", NULL);
    CHECK(rc == 1, "exit %d", rc);
}

static void test_bad_input(void)
{
    write_run("base", NULL, default_pairs, NPAIRS, 91);
    CHECK(compare("base", "does-not-exist", NULL) == 2, "missing NEW");
    CHECK(compare("does-not-exist", "base", NULL) == 2, "missing BASE");
    CHECK(compare("base", "base", "--metric", "bogus", NULL) == 2, "unknown metric");
    CHECK(compare("base", "base", "--threshold", "-1", NULL) == 2, "negative threshold");
    CHECK(compare("base", "base", "--format", "xml", NULL) == 2, "unknown format");
    char *argv[] = {"compare", "only-one", NULL};
    CHECK(cmd_compare(2, argv) == 2, "one run only");
    /* A cell that is not a number is invalid input, not a zero. */
    char path[512];
    snprintf(path, sizeof path, "%s/garbled", tmp);
    FILE *f = synth_begin(path, NULL);
    struct synth_row r = {"churn", "glibc", 1, NULL, OPS, 1e6, 900, 1 << 20, 1.2, 0, NAN,
                          NULL, NULL};
    synth_row(f, &r);
    fputs("churn,glibc,2,ok,,100000,1,0.1,fast,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n", f);
    synth_end(f);
    CHECK(compare("base", "garbled", NULL) == 2, "garbled number");
    /* Identical runs compare clean. */
    CHECK(compare("base", "base", NULL) == 0, "a run against itself");
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/allocscope-compare-test-%ld", (long)getpid());
    synth_rmdir(tmp);
    mkdir(tmp, 0777);
    test_slowdown();
    test_noise();
    test_improvement();
    test_memory_growth();
    test_missing_workload();
    test_different_machine();
    test_versions_and_specs();
    test_unsupported();
    test_failed_rows();
    test_few_reps();
    test_thresholds();
    test_bad_input();
    synth_rmdir(tmp);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("compare: all checks passed\n");
    return 0;
}
