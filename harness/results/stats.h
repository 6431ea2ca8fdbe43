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

/* ---- paired samples (stats_signed_rank.c) ------------------------------- */

struct wsr_result {
    double w_plus;    /* sum of the (mid)ranks of |d| over positive d */
    size_t n;         /* non-zero differences ranked */
    size_t zeros;     /* zero differences, dropped (Wilcoxon's rule) */
    bool ties;        /* equal |d| among the non-zero ones */
    double p_greater; /* one-sided P(W+ >= w_plus): evidence that d > 0 */
    double p_less;    /* one-sided P(W+ <= w_plus): evidence that d < 0 */
    double p_two;     /* two-sided, min(1, 2 min(p_greater, p_less)) */
    double p_min_one; /* smallest attainable one-sided p: 2^-n */
    enum mwu_method method;
};

/* Pooled sizes up to this are enumerated exactly; beyond, the normal
 * approximation with the tie correction. */
#define WSR_EXACT_MAX_N 200

/* Wilcoxon signed-rank test of the differences d[0..n) (symmetric about 0
 * under H0). Requires n >= 1; returns -1 otherwise. */
int stats_signed_rank(const double *d, size_t n, struct wsr_result *out);

/* Hodges-Lehmann estimate of the centre of d: the median of the n(n+1)/2
 * Walsh averages (d_i + d_j) / 2, i <= j. NaN for n == 0. */
double stats_hodges_lehmann(const double *d, size_t n);

/* The distribution-free confidence interval for that centre with one-sided
 * error at most alpha on each side (so coverage >= 1 - 2 alpha): the
 * (c+1)-th smallest and largest Walsh averages, c the largest value with
 * P(W+ <= c) <= alpha under H0 without ties (Hollander, Wolfe & Chicken
 * sec. 3.3). Returns -1 (NaN bounds) when n is too small for alpha. */
int stats_hodges_lehmann_ci(const double *d, size_t n, double alpha, double *lo, double *hi);

#endif
