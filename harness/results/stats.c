/* stats.c - quantiles and the Mann-Whitney U test (see stats.h).
 *
 * Method (Mann & Whitney 1947, "On a test of whether one of two random
 * variables is stochastically larger than the other", Ann. Math. Statist.
 * 18:50-60; Wilcoxon 1945):
 *   Pool x and y, rank them (tied values get the mean of the ranks they
 *   span, "midranks"), and let R be the rank sum of x. Under H0 (both
 *   samples from one distribution) every choice of nx of the N = nx + ny
 *   pooled ranks is equally likely.
 *
 *   Exact (N <= MWU_EXACT_MAX_N): the permutation distribution of R is
 *   enumerated by dynamic programming over the pooled items,
 *       ways[k][s] = number of k-subsets of the first i ranks summing to s,
 *   using doubled midranks so that every sum is an integer. Because the
 *   DP runs over the observed (tied) ranks it is the exact conditional
 *   distribution given the ties (Hollander, Wolfe & Chicken, Nonparametric
 *   Statistical Methods, 3rd ed., sec. 4.1; Lehmann, Nonparametrics, 1975,
 *   ch. 1 sec. 4), not the no-ties table. The two-sided p-value is
 *   P(|R - E R| >= |r - E R|).
 *
 *   Normal (larger N): U = R - nx(nx+1)/2 has mean nx*ny/2 and, with tie
 *   groups of sizes t_g, variance
 *       nx*ny/12 * ((N+1) - sum(t_g^3 - t_g) / (N(N-1)))
 *   (Lehmann 1975, eq. 1.64); z uses a continuity correction of 1/2. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        abort();
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    return c;
}

double stats_quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double *c = sorted_copy(v, n);
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    double r = c[lo] + (h - (double)lo) * (c[hi] - c[lo]);
    free(c);
    return r;
}

double stats_median(const double *v, size_t n) { return stats_quantile(v, n, 0.5); }

double stats_min(const double *v, size_t n)
{
    double m = n ? v[0] : NAN;
    for (size_t i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

double stats_max(const double *v, size_t n)
{
    double m = n ? v[0] : NAN;
    for (size_t i = 1; i < n; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

bool stats_all_equal(const double *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[0])
            return false;
    return n >= 1;
}

double stats_normal_sf(double z) { return 0.5 * erfc(z / sqrt(2.0)); }

/* A pooled observation: value and which sample it came from. */
struct pooled {
    double value;
    int from_x;
};

static int cmp_pooled(const void *a, const void *b)
{
    return cmp_double(&((const struct pooled *)a)->value, &((const struct pooled *)b)->value);
}

/* Doubled midranks of the pooled sample (sorted in place), the doubled
 * rank sum of x, and the tie term sum(t^3 - t). */
static void rank_pooled(struct pooled *p, size_t n, long *rank2, long *rsum2_x,
                        double *tie_term)
{
    *rsum2_x = 0;
    *tie_term = 0;
    qsort(p, n, sizeof *p, cmp_pooled);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && p[j + 1].value == p[i].value)
            j++;
        /* 1-based positions i+1..j+1 share midrank (i+j+2)/2. */
        long r2 = (long)(i + j + 2);
        double t = (double)(j - i + 1);
        *tie_term += t * t * t - t;
        for (size_t k = i; k <= j; k++) {
            rank2[k] = r2;
            if (p[k].from_x)
                *rsum2_x += r2;
        }
        i = j + 1;
    }
}

/* Exact two-sided p-value and the smallest attainable one. */
static void exact_p(const long *rank2, size_t n, size_t nx, long rsum2_x, double *p,
                    double *p_min)
{
    long smax = 0;
    for (size_t i = 0; i < n; i++)
        smax += rank2[i];
    size_t width = (size_t)smax + 1;
    /* ways[k * width + s]: k-subsets with doubled rank sum s. */
    double *ways = calloc((nx + 1) * width, sizeof *ways);
    if (!ways)
        abort();
    ways[0] = 1.0;
    for (size_t i = 0; i < n; i++) {
        size_t kmax = i + 1 < nx ? i + 1 : nx;
        for (size_t k = kmax; k >= 1; k--) {
            double *to = ways + k * width, *from = ways + (k - 1) * width;
            for (long s = smax; s >= rank2[i]; s--)
                to[s] += from[s - rank2[i]];
        }
    }
    /* E[2R] = nx (N + 1), an integer. */
    long mean2 = (long)nx * (long)(n + 1);
    long obs_dev = labs(rsum2_x - mean2), max_dev = 0;
    double total = 0, extreme = 0, at_max = 0;
    const double *row = ways + nx * width;
    for (long s = 0; s <= smax; s++) {
        if (row[s] == 0)
            continue;
        total += row[s];
        long dev = labs(s - mean2);
        if (dev >= obs_dev)
            extreme += row[s];
        if (dev > max_dev) {
            max_dev = dev;
            at_max = 0;
        }
        if (dev == max_dev)
            at_max += row[s];
    }
    free(ways);
    *p = extreme / total;
    *p_min = at_max / total;
    if (*p > 1)
        *p = 1;
}

static double normal_p(double u, double nx, double ny, double n, double tie_term)
{
    double mean = nx * ny / 2;
    double var = nx * ny / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
    if (var <= 0)
        return 1.0;
    double dev = fabs(u - mean) - 0.5;
    if (dev < 0)
        dev = 0;
    double p = 2 * stats_normal_sf(dev / sqrt(var));
    return p > 1 ? 1 : p;
}

int stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
                       struct mwu_result *out)
{
    if (nx == 0 || ny == 0)
        return -1;
    size_t n = nx + ny;
    struct pooled *p = malloc(n * sizeof *p);
    long *rank2 = malloc(n * sizeof *rank2);
    if (!p || !rank2)
        abort();
    for (size_t i = 0; i < nx; i++)
        p[i] = (struct pooled){x[i], 1};
    for (size_t i = 0; i < ny; i++)
        p[nx + i] = (struct pooled){y[i], 0};
    long rsum2_x;
    double tie_term;
    rank_pooled(p, n, rank2, &rsum2_x, &tie_term);

    out->u_x = (double)rsum2_x / 2.0 - (double)nx * (double)(nx + 1) / 2.0;
    out->ties = tie_term > 0;
    if (n <= MWU_EXACT_MAX_N) {
        out->method = MWU_EXACT;
        exact_p(rank2, n, nx, rsum2_x, &out->p_two, &out->p_min);
    } else {
        out->method = MWU_NORMAL;
        out->p_two = normal_p(out->u_x, (double)nx, (double)ny, (double)n, tie_term);
        out->p_min = normal_p((double)nx * (double)ny, (double)nx, (double)ny, (double)n,
                              tie_term);
    }
    free(p);
    free(rank2);
    return 0;
}
