/* stats_signed_rank.c - the Wilcoxon signed-rank test and the
 * Hodges-Lehmann estimate for paired samples (stats.h).
 *
 * Method (Wilcoxon 1945, "Individual comparisons by ranking methods",
 * Biometrics Bulletin 1:80-83; Hollander, Wolfe & Chicken, Nonparametric
 * Statistical Methods, 3rd ed., ch. 3):
 *   Drop the zero differences, rank the rest by |d| (ties share the mean of
 *   the ranks they span), and let W+ be the rank sum of the positive ones.
 *   Under H0 (d symmetric about 0) every sign pattern is equally likely, so
 *   W+ is the sum of a uniformly random subset of the ranks.
 *
 *   Exact (n <= WSR_EXACT_MAX_N): that subset-sum distribution is counted
 *   by dynamic programming over the observed ranks, doubled so that
 *   midranks are integers: count[s] = number of subsets with doubled sum
 *   s. With ties this is the exact conditional distribution given the tie
 *   pattern, not the no-ties table. Counts are kept as doubles: 2^200 is far
 *   below DBL_MAX, and the relative rounding (2^-53) is irrelevant to a
 *   p-value.
 *
 *   Normal (larger n): E W+ = n(n+1)/4, Var W+ = n(n+1)(2n+1)/24 - sum over
 *   tie groups of (t^3 - t)/48, with a continuity correction of 1/2. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct signed_abs {
    double abs;
    int positive;
};

static int cmp_abs(const void *a, const void *b)
{
    return cmp_double(&((const struct signed_abs *)a)->abs, &((const struct signed_abs *)b)->abs);
}

/* The exact one-sided tails of W+ given doubled ranks r2[0..n). */
static void exact_tails(const long *r2, size_t n, long obs2, double *p_ge, double *p_le)
{
    long smax = 0;
    for (size_t i = 0; i < n; i++)
        smax += r2[i];
    double *count = calloc((size_t)smax + 1, sizeof *count);
    if (!count)
        abort();
    count[0] = 1.0;
    long reach = 0;
    for (size_t i = 0; i < n; i++) {
        reach += r2[i];
        for (long s = reach; s >= r2[i]; s--)
            count[s] += count[s - r2[i]];
    }
    double total = ldexp(1.0, (int)n), ge = 0, le = 0;
    for (long s = 0; s <= smax; s++) {
        if (s >= obs2)
            ge += count[s];
        if (s <= obs2)
            le += count[s];
    }
    free(count);
    *p_ge = ge / total;
    *p_le = le / total;
}

int stats_signed_rank(const double *d, size_t n, struct wsr_result *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return -1;
    struct signed_abs *v = malloc(n * sizeof *v);
    long *r2 = malloc(n * sizeof *r2);
    if (!v || !r2)
        abort();
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == 0) {
            out->zeros++;
            continue;
        }
        v[m++] = (struct signed_abs){fabs(d[i]), d[i] > 0};
    }
    out->n = m;
    if (m == 0) { /* no evidence either way */
        out->p_greater = out->p_less = out->p_two = out->p_min_one = 1.0;
        out->method = MWU_EXACT;
        free(v);
        free(r2);
        return 0;
    }
    qsort(v, m, sizeof *v, cmp_abs);
    long w2 = 0;
    double tie_term = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j + 1 < m && v[j + 1].abs == v[i].abs)
            j++;
        double t = (double)(j - i + 1);
        tie_term += t * t * t - t;
        for (size_t k = i; k <= j; k++) {
            r2[k] = (long)(i + j + 2); /* doubled midrank of positions i+1..j+1 */
            if (v[k].positive)
                w2 += r2[k];
        }
        i = j + 1;
    }
    out->ties = tie_term > 0;
    out->w_plus = (double)w2 / 2.0;
    out->p_min_one = ldexp(1.0, -(int)(m < 1000 ? m : 1000));
    if (m <= WSR_EXACT_MAX_N) {
        out->method = MWU_EXACT;
        exact_tails(r2, m, w2, &out->p_greater, &out->p_less);
    } else {
        out->method = MWU_NORMAL;
        double nn = (double)m;
        double mean = nn * (nn + 1) / 4;
        double var = nn * (nn + 1) * (2 * nn + 1) / 24 - tie_term / 48;
        double sd = var > 0 ? sqrt(var) : 1;
        out->p_greater = stats_normal_sf((out->w_plus - mean - 0.5) / sd);
        out->p_less = stats_normal_sf((mean - out->w_plus - 0.5) / sd);
    }
    double p = 2 * (out->p_greater < out->p_less ? out->p_greater : out->p_less);
    out->p_two = p > 1 ? 1 : p;
    free(v);
    free(r2);
    return 0;
}

/* The n(n+1)/2 Walsh averages, sorted; NULL for n == 0. */
static double *walsh_sorted(const double *d, size_t n, size_t *count)
{
    *count = n * (n + 1) / 2;
    if (n == 0)
        return NULL;
    double *w = malloc(*count * sizeof *w);
    if (!w)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++)
            w[k++] = (d[i] + d[j]) / 2;
    qsort(w, k, sizeof *w, cmp_double);
    return w;
}

double stats_hodges_lehmann(const double *d, size_t n)
{
    size_t m;
    double *w = walsh_sorted(d, n, &m);
    if (!w)
        return NAN;
    double h = m % 2 ? w[m / 2] : (w[m / 2 - 1] + w[m / 2]) / 2;
    free(w);
    return h;
}

int stats_hodges_lehmann_ci(const double *d, size_t n, double alpha, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n == 0 || n > WSR_EXACT_MAX_N)
        return -1;
    /* Null distribution of W+ without ties: ranks 1..n. */
    size_t smax = n * (n + 1) / 2;
    double *count = calloc(smax + 1, sizeof *count);
    if (!count)
        abort();
    count[0] = 1.0;
    for (size_t r = 1; r <= n; r++)
        for (size_t s = smax; s >= r; s--)
            count[s] += count[s - r];
    double total = ldexp(1.0, (int)n), cum = 0;
    long c = -1; /* largest c with P(W+ <= c) <= alpha */
    for (size_t s = 0; s <= smax; s++) {
        cum += count[s];
        if (cum / total > alpha)
            break;
        c = (long)s;
    }
    free(count);
    if (c < 0)
        return -1;
    size_t m;
    double *w = walsh_sorted(d, n, &m);
    *lo = w[c];
    *hi = w[m - 1 - (size_t)c];
    free(w);
    return 0;
}
