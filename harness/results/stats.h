/* stats.h - small, dependency-free statistics for comparing repetitions:
 * medians/quantiles and the Mann-Whitney U (Wilcoxon rank-sum) test.
 *
 * Invariants: every function takes the samples by const pointer and never
 * reorders the caller's arrays (they sort private copies). NaN is not a
 * sample: callers drop missing values before calling. */
#ifndef ALLOCSCOPE_STATS_H
#define ALLOCSCOPE_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Quantile q in [0,1] of v[0..n) by linear interpolation between order
 * statistics (Hyndman & Fan type 7). n == 0 gives NaN. */
double stats_quantile(const double *v, size_t n, double q);
double stats_median(const double *v, size_t n);
double stats_min(const double *v, size_t n);
double stats_max(const double *v, size_t n);

/* True when all n values are equal (n >= 1). */
bool stats_all_equal(const double *v, size_t n);

enum mwu_method {
    MWU_EXACT,  /* exact permutation distribution of the rank sum */
    MWU_NORMAL, /* normal approximation, tie and continuity corrected */
};

struct mwu_result {
    double u_x;       /* U statistic of x: #{(i,j): x_i > y_j} + ties/2 */
    double p_two;     /* two-sided p-value */
    double p_min;     /* smallest p-value attainable with these sizes/ties */
    bool ties;        /* at least one tie across the pooled sample */
    enum mwu_method method;
};

/* Largest pooled size (nx + ny) for which the exact distribution is
 * enumerated; larger samples use the normal approximation. */
#define MWU_EXACT_MAX_N 40

/* Mann-Whitney U test of x[0..nx) against y[0..ny), two-sided.
 * Requires nx >= 1 and ny >= 1; returns -1 otherwise. */
int stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
                       struct mwu_result *out);

/* Standard normal upper tail P(Z > z). */
double stats_normal_sf(double z);

#endif
