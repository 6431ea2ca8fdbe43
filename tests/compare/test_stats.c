/* test_stats.c - medians and the Mann-Whitney U test against values
 * derived independently: closed-form exact p-values, a brute-force
 * enumeration of every split of the pooled sample (ties included), and
 * the finite-population variance of the rank sum for the normal
 * approximation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "synth.h"

#include "check_msg.h"

static bool near(double a, double b, double tol) { return fabs(a - b) <= tol; }

static void test_quantiles(void)
{
    double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2}, one[] = {7};
    CHECK(stats_median(odd, 3) == 2, "%g", stats_median(odd, 3));
    CHECK(stats_median(even, 4) == 2.5, "%g", stats_median(even, 4));
    CHECK(stats_median(one, 1) == 7, "%g", stats_median(one, 1));
    CHECK(isnan(stats_median(one, 0)), "empty median is NaN");
    CHECK(odd[0] == 3 && odd[1] == 1, "the caller's array is not reordered");
    CHECK(stats_quantile(even, 4, 0.25) == 1.75, "%g", stats_quantile(even, 4, 0.25));
    CHECK(stats_min(even, 4) == 1 && stats_max(even, 4) == 4, "min/max");
    double eq[] = {5, 5, 5};
    CHECK(stats_all_equal(eq, 3) && !stats_all_equal(even, 4), "all_equal");
}

/* Complete separation: the exact two-sided p is 2 / C(nx+ny, nx). */
static void test_exact_separation(void)
{
    double x[9], y[9];
    for (int i = 0; i < 9; i++) {
        x[i] = 10 + i;
        y[i] = i;
    }
    struct mwu_result r;
    CHECK(stats_mann_whitney(x, 5, y, 5, &r) == 0, "5/5");
    CHECK(r.method == MWU_EXACT, "exact for 5/5");
    CHECK(near(r.p_two, 2.0 / 252, 1e-12), "5/5 separated: p=%g want %g", r.p_two, 2.0 / 252);
    CHECK(r.u_x == 25, "U_x=%g", r.u_x);
    CHECK(stats_mann_whitney(x, 3, y, 3, &r) == 0 && near(r.p_two, 0.1, 1e-12) &&
              near(r.p_min, 0.1, 1e-12),
          "3/3: p=%g p_min=%g", r.p_two, r.p_min);
    CHECK(stats_mann_whitney(x, 4, y, 4, &r) == 0 && near(r.p_two, 2.0 / 70, 1e-12),
          "4/4: p=%g", r.p_two);
    CHECK(stats_mann_whitney(x, 9, y, 9, &r) == 0 && near(r.p_two, 2.0 / 48620, 1e-15),
          "9/9: p=%g", r.p_two);
    CHECK(stats_mann_whitney(y, 9, x, 9, &r) == 0 && r.u_x == 0 &&
              near(r.p_two, 2.0 / 48620, 1e-15),
          "direction does not change two-sided p");
    /* Identical samples: p = 1. */
    CHECK(stats_mann_whitney(x, 5, x, 5, &r) == 0 && near(r.p_two, 1.0, 1e-12), "p=%g",
          r.p_two);
    CHECK(stats_mann_whitney(x, 0, y, 5, &r) == -1, "empty sample rejected");
}

/* Brute force: every nx-subset of the pooled values, midranks recomputed
 * from scratch, two-sided p = share of subsets at least as far from the
 * mean rank sum as the observed one. */
static double brute_p(const double *x, int nx, const double *y, int ny)
{
    int n = nx + ny;
    double pool[24], rank[24];
    for (int i = 0; i < nx; i++)
        pool[i] = x[i];
    for (int i = 0; i < ny; i++)
        pool[nx + i] = y[i];
    for (int i = 0; i < n; i++) {
        double less = 0, equal = 0;
        for (int j = 0; j < n; j++) {
            less += pool[j] < pool[i];
            equal += pool[j] == pool[i];
        }
        rank[i] = less + (equal + 1) / 2;
    }
    double obs = 0, mean = nx * (n + 1) / 2.0;
    for (int i = 0; i < nx; i++)
        obs += rank[i];
    double total = 0, extreme = 0;
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        if (__builtin_popcount(mask) != nx)
            continue;
        double s = 0;
        for (int i = 0; i < n; i++)
            if (mask & (1u << i))
                s += rank[i];
        total++;
        if (fabs(s - mean) >= fabs(obs - mean) - 1e-9)
            extreme++;
    }
    return extreme / total;
}

static void test_exact_vs_brute_force(void)
{
    uint64_t seed = 42;
    for (int trial = 0; trial < 200; trial++) {
        int nx = 2 + (int)(synth_uniform(&seed) * 8), ny = 2 + (int)(synth_uniform(&seed) * 8);
        double x[10], y[10];
        /* few distinct values so that ties are common */
        int levels = 2 + (int)(synth_uniform(&seed) * 6);
        for (int i = 0; i < nx; i++)
            x[i] = floor(synth_uniform(&seed) * levels) + (trial % 3 == 0);
        for (int i = 0; i < ny; i++)
            y[i] = floor(synth_uniform(&seed) * levels);
        struct mwu_result r;
        double want = brute_p(x, nx, y, ny);
        CHECK(stats_mann_whitney(x, (size_t)nx, y, (size_t)ny, &r) == 0 &&
                  r.method == MWU_EXACT && near(r.p_two, want, 1e-9),
              "trial %d (%d/%d, %d levels): p=%.12g brute force %.12g", trial, nx, ny, levels,
              r.p_two, want);
    }
}

/* Normal approximation cross-checked with Var(R) written as the
 * finite-population variance of the pooled midranks:
 *   Var(R) = nx*ny / (N(N-1)) * sum_i (r_i - (N+1)/2)^2,
 * algebraically equal to the tie-corrected formula stats.c uses. */
static void test_normal_with_ties(void)
{
    enum { NX = 30, NY = 26 };
    double x[NX], y[NY], pool[NX + NY], rank[NX + NY];
    uint64_t seed = 7;
    for (int i = 0; i < NX; i++)
        x[i] = floor(synth_uniform(&seed) * 5) + 1;
    for (int i = 0; i < NY; i++)
        y[i] = floor(synth_uniform(&seed) * 5);
    int n = NX + NY;
    memcpy(pool, x, sizeof x);
    memcpy(pool + NX, y, sizeof y);
    double u = 0;
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NY; j++)
            u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
    double ss = 0;
    for (int i = 0; i < n; i++) {
        double less = 0, equal = 0;
        for (int j = 0; j < n; j++) {
            less += pool[j] < pool[i];
            equal += pool[j] == pool[i];
        }
        rank[i] = less + (equal + 1) / 2;
        ss += (rank[i] - (n + 1) / 2.0) * (rank[i] - (n + 1) / 2.0);
    }
    double var = (double)NX * NY / ((double)n * (n - 1)) * ss;
    double z = (fabs(u - NX * NY / 2.0) - 0.5) / sqrt(var);
    double want = erfc(z / sqrt(2.0));
    struct mwu_result r;
    CHECK(stats_mann_whitney(x, NX, y, NY, &r) == 0, "normal");
    CHECK(r.method == MWU_NORMAL, "N=%d uses the normal approximation", n);
    CHECK(r.ties, "ties seen");
    CHECK(r.u_x == u, "U=%g want %g", r.u_x, u);
    CHECK(near(r.p_two, want, 1e-12), "p=%.15g want %.15g", r.p_two, want);
    /* Ignoring ties would overstate the variance: the corrected p is smaller. */
    double var_no_ties = (double)NX * NY * (n + 1) / 12.0;
    double p_no_ties = erfc((fabs(u - NX * NY / 2.0) - 0.5) / sqrt(var_no_ties) / sqrt(2.0));
    CHECK(r.p_two < p_no_ties, "tie correction shrinks p: %g vs %g", r.p_two, p_no_ties);
}

/* Near the switch-over (N = 40 exact, 41 normal) the exact p of 20/20
 * data agrees with the normal formula evaluated by hand on the same data,
 * and 21/20 switches to the normal method. */
static void test_exact_and_normal_agree(void)
{
    double x[21], y[20];
    uint64_t seed = 3;
    for (int i = 0; i < 21; i++)
        x[i] = synth_normal(&seed) + 0.6;
    for (int i = 0; i < 20; i++)
        y[i] = synth_normal(&seed);
    struct mwu_result exact, normal;
    CHECK(stats_mann_whitney(x, 20, y, 20, &exact) == 0 && exact.method == MWU_EXACT, "20/20");
    CHECK(stats_mann_whitney(x, 21, y, 20, &normal) == 0 && normal.method == MWU_NORMAL,
          "21/20");
    double var = 20.0 * 20 * 41 / 12;
    double p = erfc((fabs(exact.u_x - 200) - 0.5) / sqrt(var) / sqrt(2.0));
    CHECK(fabs(exact.p_two - p) < 0.01, "exact %g vs normal %g", exact.p_two, p);
    CHECK(exact.p_two < 0.2, "a 0.6 sd shift over 20/20 is visible: p=%g", exact.p_two);
}

int main(void)
{
    test_quantiles();
    test_exact_separation();
    test_exact_vs_brute_force();
    test_normal_with_ties();
    test_exact_and_normal_agree();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("stats: all checks passed\n");
    return 0;
}
