/* test_paired.c - the paired verdict: the Wilcoxon signed-rank test against
 * brute-force enumeration and the published table of critical values, the
 * Hodges-Lehmann estimate and interval, and `compare RUN --base A --new B`
 * on synthetic runs with known effects (verdicts, reasons, exit status). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "stats.h"
#include "synth.h"

#include "check_msg.h"

/* ---- the signed-rank test against an independent enumeration ----------- */

/* P(W+ <= w) and P(W+ >= w) by enumerating all 2^n sign patterns of the
 * midranks of |d| (zeros dropped): no dynamic programming, no doubling. */
static void brute_tails(const double *d, size_t n, double *le, double *ge)
{
    double a[32], r[32];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0)
            a[m++] = fabs(d[i]);
    for (size_t i = 0; i < m; i++) { /* midrank: 1 + #smaller + (#equal - 1) / 2 */
        double smaller = 0, equal = 0;
        for (size_t j = 0; j < m; j++) {
            smaller += a[j] < a[i];
            equal += a[j] == a[i];
        }
        r[i] = 1 + smaller + (equal - 1) / 2;
    }
    double w = 0;
    for (size_t i = 0, k = 0; i < n; i++)
        if (d[i] != 0) {
            if (d[i] > 0)
                w += r[k];
            k++;
        }
    double below = 0, above = 0, total = 0;
    for (unsigned long mask = 0; mask < (1ul << m); mask++) {
        double s = 0;
        for (size_t i = 0; i < m; i++)
            if (mask >> i & 1)
                s += r[i];
        total++;
        below += s <= w + 1e-9;
        above += s >= w - 1e-9;
    }
    *le = below / total;
    *ge = above / total;
}

static void test_against_enumeration(void)
{
    uint64_t seed = 42;
    for (int t = 0; t < 300; t++) {
        size_t n = 1 + (size_t)(synth_uniform(&seed) * 14);
        double d[16];
        for (size_t i = 0; i < n; i++) {
            /* few distinct magnitudes: ties and zeros are common */
            d[i] = round(synth_normal(&seed) * 3) / 2 + (t % 3 == 0 ? 0.5 : 0);
        }
        struct wsr_result w;
        CHECK(stats_signed_rank(d, n, &w) == 0, "n %zu", n);
        double le, ge;
        brute_tails(d, n, &le, &ge);
        if (w.n == 0)
            continue;
        CHECK(fabs(w.p_less - le) < 1e-12 && fabs(w.p_greater - ge) < 1e-12,
              "trial %d n %zu: p_less %.15g vs %.15g, p_greater %.15g vs %.15g", t, n, w.p_less,
              le, w.p_greater, ge);
        CHECK(w.method == MWU_EXACT, "exact for n %zu", n);
        CHECK(fabs(w.p_min_one - ldexp(1, -(int)w.n)) < 1e-15, "p_min 2^-n");
    }
}

/* The signed ranks 1..n with W+ = w exactly (positive: the largest ranks
 * that fit, greedily). */
static void with_w_plus(size_t n, long w, double *d)
{
    for (long r = (long)n; r >= 1; r--) {
        bool pos = r <= w;
        if (pos)
            w -= r;
        d[r - 1] = pos ? (double)r : -(double)r;
    }
}

/* Critical values of W+ (largest c with P(W+ <= c) <= alpha) from the
 * standard table (e.g. Hollander, Wolfe & Chicken, table A.4; any
 * statistics text): one-sided 0.05 and 0.025 for n = 5..15. */
static void test_critical_table(void)
{
    static const struct {
        size_t n;
        long c05, c025; /* -1: none */
    } table[] = {{5, 0, -1},  {6, 2, 0},   {7, 3, 2},   {8, 5, 3},   {9, 8, 5},   {10, 10, 8},
                 {11, 13, 10}, {12, 17, 13}, {13, 21, 17}, {14, 25, 21}, {15, 30, 25}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        size_t n = table[i].n;
        double d[16];
        struct wsr_result w;
        long cs[2] = {table[i].c05, table[i].c025};
        double alphas[2] = {0.05, 0.025};
        for (int k = 0; k < 2; k++) {
            long c = cs[k];
            if (c >= 0) {
                with_w_plus(n, c, d);
                stats_signed_rank(d, n, &w);
                CHECK(w.w_plus == (double)c && w.p_less <= alphas[k],
                      "n %zu: P(W+ <= %ld) = %g should be <= %g", n, c, w.p_less, alphas[k]);
            }
            with_w_plus(n, c + 1, d);
            stats_signed_rank(d, n, &w);
            CHECK(w.p_less > alphas[k], "n %zu: P(W+ <= %ld) = %g should be > %g", n, c + 1,
                  w.p_less, alphas[k]);
        }
    }
    /* Exact values: n = 10, P(W+ <= 8) = 25/1024, P(W+ <= 10) = 43/1024. */
    double d[10];
    struct wsr_result w;
    with_w_plus(10, 8, d);
    stats_signed_rank(d, 10, &w);
    CHECK(fabs(w.p_less - 25.0 / 1024) < 1e-15, "n 10 W+ 8: %.17g", w.p_less);
    with_w_plus(10, 10, d);
    stats_signed_rank(d, 10, &w);
    CHECK(fabs(w.p_less - 43.0 / 1024) < 1e-15, "n 10 W+ 10: %.17g", w.p_less);
    CHECK(fabs(w.p_two - 86.0 / 1024) < 1e-15, "two-sided is twice the smaller tail");
    /* All positive: the one-sided minimum 2^-n; zeros are dropped. */
    double pos[7] = {0, 3, 1, 4, 0, 5, 9};
    stats_signed_rank(pos, 7, &w);
    CHECK(w.n == 5 && w.zeros == 2 && fabs(w.p_greater - 1.0 / 32) < 1e-15,
          "n %zu zeros %zu p %g", w.n, w.zeros, w.p_greater);
    double zeros[3] = {0, 0, 0};
    stats_signed_rank(zeros, 3, &w);
    CHECK(w.n == 0 && w.p_greater == 1 && w.p_less == 1, "only zeros: no evidence");
}

static void test_normal_approximation(void)
{
    /* Past WSR_EXACT_MAX_N: the normal approximation, close to the exact
     * distribution at the limit for the same pattern of signs. */
    enum { N = WSR_EXACT_MAX_N + 1 };
    static double d[N];
    for (int i = 0; i < N; i++)
        d[i] = (i % 5 == 0 ? -1 : 1) * (double)(i + 1);
    struct wsr_result big, small;
    stats_signed_rank(d, N, &big);
    stats_signed_rank(d, N - 1, &small);
    CHECK(big.method == MWU_NORMAL && small.method == MWU_EXACT, "methods %d %d", big.method,
          small.method);
    CHECK(big.p_greater < 1e-6 && small.p_greater < 1e-6, "clearly positive: %g %g",
          big.p_greater, small.p_greater);
    for (int i = 0; i < N; i++)
        d[i] = (i % 2 ? -1 : 1) * (double)(i + 1);
    stats_signed_rank(d, N, &big);
    stats_signed_rank(d, N - 1, &small);
    CHECK(fabs(big.p_two - small.p_two) < 0.05 && big.p_two > 0.5,
          "balanced signs: normal %g vs exact %g", big.p_two, small.p_two);
}

static void test_hodges_lehmann(void)
{
    double a[3] = {1, 2, 3}, b[2] = {-1, 5}, lo, hi;
    CHECK(stats_hodges_lehmann(a, 3) == 2, "HL {1,2,3}");
    CHECK(stats_hodges_lehmann(b, 2) == 2, "HL {-1,5}: Walsh -1, 2, 5");
    CHECK(isnan(stats_hodges_lehmann(a, 0)), "HL of nothing");
    /* An outlier moves the mean, hardly the estimate. */
    double c[6] = {1.0, 1.1, 0.9, 1.05, 0.95, 50};
    double h = stats_hodges_lehmann(c, 6);
    CHECK(h > 0.95 && h < 1.1, "HL robust: %g", h);
    /* n = 5 at 0.05: c = 0, the interval spans the extreme Walsh averages. */
    double e[5] = {3, -1, 4, 1, 5};
    CHECK(stats_hodges_lehmann_ci(e, 5, 0.05, &lo, &hi) == 0 && lo == -1 && hi == 5,
          "n 5 interval [%g, %g]", lo, hi);
    CHECK(stats_hodges_lehmann_ci(e, 4, 0.05, &lo, &hi) == -1 && isnan(lo),
          "n 4 has no 90 %% interval");
    /* n = 10 at 0.025: c = 8, so the 9th smallest and largest Walsh averages. */
    double f[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(stats_hodges_lehmann_ci(f, 10, 0.025, &lo, &hi) == 0 && lo == 3 && hi == 8,
          "n 10 interval [%g, %g] (Walsh averages 1,1.5,2,2.5,2.5,3,3,3,3.5...)", lo, hi);
}

/* ---- compare RUN --base A --new B on synthetic runs ---------------------- */

static char tmp[256];

/* One workload of two allocators: per repetition a machine-wide factor
 * exp(shift_sd * N) hits both (what pairing cancels) and each gets its own
 * noise; B's throughput is A's times `effect`. */
struct wl {
    const char *name;
    int reps_a, reps_b;
    double effect, shift_sd, own_sd;
    double heap_b_factor, instr_b_factor;
    bool no_cpu; /* cpu column empty: unsupported */
};

static void write_run(const char *name, const struct wl *w, size_t n, uint64_t seed)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", tmp, name);
    FILE *f = synth_begin(dir, NULL);
    if (!f)
        exit(2);
    for (size_t i = 0; i < n; i++) {
        int reps = w[i].reps_a > w[i].reps_b ? w[i].reps_a : w[i].reps_b;
        for (int rep = 1; rep <= reps; rep++) {
            double shift = exp(w[i].shift_sd * synth_normal(&seed));
            for (int side = 0; side < 2; side++) {
                if (rep > (side ? w[i].reps_b : w[i].reps_a))
                    continue;
                double own = 1 + w[i].own_sd * synth_normal(&seed);
                double tput = 1e6 * shift * own * (side ? w[i].effect : 1);
                struct synth_row r = {
                    .workload = w[i].name, .allocator = side ? "b" : "a", .rep = rep,
                    .ops = 1e5, .ops_per_s = tput, .latency_p99_ns = 500,
                    .peak_heap_bytes = 8 << 20, .frag_peak_ratio = 1.25,
                    .peak_brk_bytes = 135168, .dtlb_per_kop = NAN,
                };
                if (side)
                    r.peak_heap_bytes *= w[i].heap_b_factor;
                synth_row_later(f, &r, w[i].no_cpu ? NAN : tput * 1.5,
                                200.0 * (side ? w[i].instr_b_factor : 1));
            }
        }
    }
    if (synth_end(f) != 0)
        exit(2);
}

static int paired(const char *run, const char *base, const char *new, const char *extra)
{
    char dir[512], json[512];
    snprintf(dir, sizeof dir, "%s/%s", tmp, run);
    snprintf(json, sizeof json, "%s/report.json", tmp);
    unlink(json);
    char *argv[16];
    int argc = 0;
    argv[argc++] = "compare";
    argv[argc++] = dir;
    if (base) {
        argv[argc++] = "--base";
        argv[argc++] = (char *)base;
    }
    if (new) {
        argv[argc++] = "--new";
        argv[argc++] = (char *)new;
    }
    argv[argc++] = "--json";
    argv[argc++] = json;
    if (extra) {
        argv[argc++] = "--metric";
        argv[argc++] = (char *)extra;
    }
    argv[argc] = NULL;
    printf("---- compare %s --base %s --new %s\n", run, base ? base : "-", new ? new : "-");
    int rc = cmd_compare(argc, argv);
    fflush(stdout);
    return rc;
}

static json_t *row(json_t *rep, const char *w, const char *m)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(rep, "rows"), i, r)
    {
        const char *rm = json_string_value(json_object_get(r, "metric"));
        if (strcmp(json_string_value(json_object_get(r, "workload")), w) == 0 &&
            ((!m && !rm) || (m && rm && strcmp(rm, m) == 0)))
            return r;
    }
    return NULL;
}

static const char *verdict_of(json_t *rep, const char *w, const char *m)
{
    json_t *r = row(rep, w, m);
    return r ? json_string_value(json_object_get(r, "verdict")) : "(no row)";
}

static double num_of(json_t *rep, const char *w, const char *m, const char *key)
{
    json_t *r = row(rep, w, m);
    return r ? json_number_value(json_object_get(r, key)) : NAN;
}

static json_t *load_report(void)
{
    char json[512];
    snprintf(json, sizeof json, "%s/report.json", tmp);
    json_error_t e;
    return json_load_file(json, 0, &e);
}

static void test_paired_verdicts(void)
{
    /* Machine-wide shifts of 30 % per repetition (far beyond any threshold),
     * 1 % of each allocator's own noise. */
    const struct wl w[] = {
        {"slower5", 15, 15, 0.95, 0.30, 0.01, 1, 1, false},
        {"same", 15, 15, 1.00, 0.30, 0.01, 1, 1, false},
        {"slower2", 15, 15, 0.98, 0.30, 0.01, 1, 1, false},
        {"faster10", 15, 15, 1.10, 0.30, 0.01, 1, 1, false},
        {"heap5", 15, 15, 1.00, 0.01, 0.01, 1.05, 1, false},
        {"heap1", 15, 15, 1.00, 0.01, 0.01, 1.01, 1, false},
        {"instr", 15, 15, 1.00, 0.01, 0.01, 1, 1.011, false},
        {"instr_small", 15, 15, 1.00, 0.01, 0.01, 1, 1.009, false},
        {"fourpairs", 4, 4, 0.80, 0.0, 0.01, 1, 1, false},
        {"unpaired", 15, 13, 0.90, 0.0, 0.01, 1, 1, true},
    };
    write_run("pairs", w, sizeof w / sizeof w[0], 7);
    int rc = paired("pairs", "a", "b", NULL); /* the default metrics */
    json_t *r = load_report();
    CHECK(rc == 1, "regressions found: exit %d", rc);
    CHECK(r != NULL, "report written");
    if (!r)
        return;
    CHECK(strcmp(json_string_value(json_object_get(r, "mode")), "paired") == 0, "mode");
    CHECK(strcmp(verdict_of(r, "slower5", "throughput"), "regressed") == 0, "5 %% slower: %s",
          verdict_of(r, "slower5", "throughput"));
    double c = num_of(r, "slower5", "throughput", "change_pct");
    CHECK(c > -6 && c < -4, "the estimate sees -5 %% through 30 %% shifts: %g", c);
    CHECK(num_of(r, "slower5", "throughput", "ci_low_pct") < c &&
          num_of(r, "slower5", "throughput", "ci_high_pct") > c, "interval around the change");
    CHECK(num_of(r, "slower5", "throughput", "p") < 0.05, "p");
    CHECK(strcmp(json_string_value(json_object_get(row(r, "slower5", "throughput"),
                                                   "judged_by")),
                 "wilcoxon-signed-rank") == 0, "judged by the signed-rank test");
    CHECK(strcmp(verdict_of(r, "same", "throughput"), "unchanged") == 0, "A/A: %s",
          verdict_of(r, "same", "throughput"));
    CHECK(strcmp(verdict_of(r, "slower2", "throughput"), "unchanged") == 0,
          "2 %% is within the 3 %% paired threshold: %s", verdict_of(r, "slower2", "throughput"));
    CHECK(strcmp(verdict_of(r, "faster10", "throughput"), "improved") == 0, "10 %% faster");
    CHECK(strcmp(verdict_of(r, "slower5", "cpu_throughput"), "regressed") == 0, "cpu too");
    CHECK(strcmp(verdict_of(r, "heap5", "peak_heap"), "regressed") == 0 &&
              strcmp(json_string_value(json_object_get(row(r, "heap5", "peak_heap"),
                                                       "judged_by")),
                     "threshold") == 0,
          "repeatable heap +5 %%: on the threshold alone");
    CHECK(strcmp(verdict_of(r, "heap1", "peak_heap"), "unchanged") == 0, "heap +1 %%");
    CHECK(strcmp(verdict_of(r, "instr", "instructions"), "regressed") == 0,
          "instructions +1.1 %% > 1 %%: %s", verdict_of(r, "instr", "instructions"));
    CHECK(strcmp(verdict_of(r, "instr_small", "instructions"), "unchanged") == 0,
          "instructions +0.9 %%: %s", verdict_of(r, "instr_small", "instructions"));
    CHECK(strcmp(verdict_of(r, "fourpairs", "throughput"), "not comparable") == 0 &&
              strstr(json_string_value(json_object_get(row(r, "fourpairs", "throughput"),
                                                       "reason")),
                     "can never reach"),
          "4 pairs cannot show 20 %%: %s", verdict_of(r, "fourpairs", "throughput"));
    json_t *u = row(r, "unpaired", "throughput");
    CHECK(u && json_integer_value(json_object_get(u, "pairs")) == 13 &&
              strstr(json_string_value(json_object_get(u, "reason")), "2 repetitions without"),
          "13 pairs of 15/13 repetitions, noted");
    CHECK(strcmp(verdict_of(r, "unpaired", "throughput"), "regressed") == 0, "-10 %%, 13 pairs");
    CHECK(strncmp(json_string_value(json_object_get(row(r, "unpaired", "cpu_throughput"),
                                                    "reason")),
                  "unsupported", 11) == 0,
          "an empty cpu column is unsupported, not 0");
    json_decref(r);

    /* Holm: 5 pairs all beyond the threshold give p = 1/32. Alone that is
     * below 0.05; as the smaller of two rows judged (throughput and
     * cpu_throughput; the constant latency rows could never be significant
     * and do not count) it must be below 0.05 / 2. */
    const struct wl five[] = {{"five", 5, 5, 0.80, 0.0, 0.001, 1, 1, false}};
    write_run("five", five, 1, 3);
    CHECK(paired("five", "a", "b", "throughput") == 1, "one row: p 1/32 < 0.05 flags");
    r = load_report();
    CHECK(fabs(num_of(r, "five", "throughput", "p") - 1.0 / 32) < 1e-12, "p 1/32");
    json_decref(r);
    CHECK(paired("five", "a", "b", NULL) == 0, "two rows: 1/32 > 0.025, nothing flagged");
    r = load_report();
    CHECK(strcmp(verdict_of(r, "five", "throughput"), "unchanged") == 0 &&
              strstr(json_string_value(json_object_get(row(r, "five", "throughput"), "reason")),
                     "not significant over the 2 rows judged"),
          "the reason names the correction");
    json_decref(r);

    /* Only unchanged: exit 0; the improvement alone is no failure. */
    const struct wl quiet[] = {{"same", 8, 8, 1.0, 0.2, 0.01, 1, 1, false},
                               {"faster", 8, 8, 1.2, 0.2, 0.01, 1, 1, false}};
    write_run("quiet", quiet, 2, 11);
    CHECK(paired("quiet", "a", "b", NULL) == 0, "nothing regressed: exit 0");
    /* B against A is A against B turned round. */
    CHECK(paired("quiet", "b", "a", NULL) == 1, "the other way round it regressed");

    CHECK(paired("quiet", "a", "nosuch", NULL) == 2, "an allocator not in the run: exit 2");
    CHECK(paired("quiet", "a", NULL, NULL) == 2, "--base without --new: exit 2");
    CHECK(paired("quiet", "a", "a", NULL) == 2, "the same allocator twice: exit 2");
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/allocscope-paired-XXXXXX");
    if (!mkdtemp(tmp))
        return 2;
    test_against_enumeration();
    test_critical_table();
    test_normal_approximation();
    test_hodges_lehmann();
    test_paired_verdicts();
    synth_rmdir(tmp);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
