/* compare_paired.c - the paired verdict of `allocscope compare RUN --base A
 * --new B`: allocator B against allocator A on the workloads of one run.
 *
 * Why paired: two runs made one after the other differ by whatever shifts
 * the whole machine between them (other tenants, frequency, page cache),
 * and that lands on one side only. Within one run, `run` measures the
 * allocators of a repetition back to back in a fresh random order
 * (run_plan.h), so such a shift hits A and B of a repetition alike and
 * cancels in their ratio.
 *
 * The rule, per workload and metric, over the repetitions where both A and
 * B have an ok row with a value (n pairs):
 *  1. Differences: d_r = ln(B_r / A_r) when every value is positive, else
 *     (B_r - A_r) / |median A|. The change is the Hodges-Lehmann estimate
 *     of their centre (the median of the Walsh averages), as a percentage:
 *     exp(HL) - 1, or HL. It must exceed the metric's threshold in the
 *     worse direction (paired defaults: time 3 %, memory 2 %, counts 1 %).
 *  2. Significance: a one-sided Wilcoxon signed-rank test of the
 *     differences against no change, in the direction of the change, must
 *     give p < alpha (after rule 4). The test is exact (the permutation
 *     distribution of the rank sum, ties included) up to WSR_EXACT_MAX_N
 *     pairs. Unlike the verdict between two runs, the test is not moved
 *     back by the threshold: that guards two runs against a shift of the
 *     whole machine between them, which pairing already cancels, and it
 *     cost most of the power to see 5 % beyond a 3 % threshold here
 *     (docs/ci.md, "Measured").
 *     Why Wilcoxon and not a bootstrap interval: CI jobs have 5 to 30
 *     pairs, where the exact signed-rank distribution is cheap and exact
 *     while a percentile bootstrap's interval is too narrow (its coverage
 *     falls short of the nominal level at such n) and depends on the
 *     resampling seed; ranks make one pair hit by a burst of load count
 *     once, not by its size. It assumes the paired log-ratios are
 *     symmetric about their centre, which a machine-wide shift that
 *     multiplies both sides keeps.
 *  3. Memory figures and counts that are exactly repeatable (all of A's
 *     values equal, all of B's equal) are judged on the threshold alone;
 *     byte figures whose medians differ by at most a page are unchanged.
 *  4. Many rows, one question ("did anything regress?"): alpha bounds the
 *     chance of flagging anything at all when nothing changed, over every
 *     row the test judged in the report (Holm's step-down correction: the
 *     k-th smallest p of m rows must be below alpha / (m - k + 1)). Rows
 *     whose differences are all zero could never be significant and do not
 *     count in m (Tarone's refinement for discrete tests). Without the
 *     correction a quick suite of 30 noisy time rows flagged something in
 *     one A/A run of four here.
 *  5. Too few pairs to ever reach p < alpha (one-sided 2^-n >= alpha:
 *     n <= 4 at alpha = 0.05): a change beyond the threshold is "not
 *     comparable (too few repetitions)", never a regression on a guess.
 *  6. Empty cells are unsupported, never 0; rows that are not ok are left
 *     out, and a repetition with only one side ok is not a pair.
 * The change's interval is the distribution-free Hodges-Lehmann interval
 * (coverage >= 1 - 2 alpha), reported, not used for the verdict. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats.h"

struct pairs {
    double *a, *b;
    size_t n;
    size_t a_empty, b_empty; /* ok rows with an empty cell */
    size_t unpaired;         /* ok rows on one side only */
};

/* The values of metric m of both groups, matched by repetition. */
static void collect(const struct run_group *ga, const struct run_group *gb, size_t m,
                    struct pairs *p)
{
    memset(p, 0, sizeof *p);
    p->a = calloc(ga->ok + 1, sizeof *p->a);
    p->b = calloc(ga->ok + 1, sizeof *p->b);
    if (!p->a || !p->b)
        abort();
    for (size_t i = 0; i < ga->ok; i++) {
        double va = ga->by_row[m][i];
        if (isnan(va)) {
            p->a_empty++;
            continue;
        }
        bool found = false;
        for (size_t j = 0; j < gb->ok && !found; j++) {
            if (gb->ok_rep[j] != ga->ok_rep[i])
                continue;
            found = true;
            if (isnan(gb->by_row[m][j]))
                continue;
            p->a[p->n] = va;
            p->b[p->n++] = gb->by_row[m][j];
        }
        p->unpaired += !found;
    }
    for (size_t j = 0; j < gb->ok; j++)
        p->b_empty += isnan(gb->by_row[m][j]);
}

static enum verdict decide(double worse_pct, double threshold, bool significant)
{
    if (!significant || fabs(worse_pct) <= threshold)
        return VERDICT_UNCHANGED;
    return worse_pct > 0 ? VERDICT_REGRESSED : VERDICT_IMPROVED;
}

static void note(struct compare_row *r, const char *text)
{
    size_t used = strlen(r->reason);
    snprintf(r->reason + used, sizeof r->reason - used, "%s%s", used ? "; " : "", text);
}

/* d_r and the way back to a percentage. Returns false when the change
 * cannot be expressed (BASE's median is 0 and the values are not all
 * positive). */
static bool differences(const struct pairs *p, double *d, bool *log_scale, double *scale)
{
    *log_scale = true;
    for (size_t i = 0; i < p->n; i++)
        if (!(p->a[i] > 0 && p->b[i] > 0))
            *log_scale = false;
    if (*log_scale) {
        for (size_t i = 0; i < p->n; i++)
            d[i] = log(p->b[i] / p->a[i]);
        return true;
    }
    *scale = fabs(stats_median(p->a, p->n));
    if (*scale == 0)
        return false;
    for (size_t i = 0; i < p->n; i++)
        d[i] = (p->b[i] - p->a[i]) / *scale;
    return true;
}

static double to_pct(double x, bool log_scale)
{
    return (log_scale ? expm1(x) : x) * 100.0;
}

static void judge(const struct pairs *p, const struct metric_def *m,
                  const struct compare_options *o, long page_size, struct compare_row *r)
{
    r->threshold = compare_threshold(o, m);
    r->n_base = r->n_new = r->n_pairs = p->n;
    r->base_median = stats_median(p->a, p->n);
    r->new_median = stats_median(p->b, p->n);
    r->base_min = stats_min(p->a, p->n);
    r->base_max = stats_max(p->a, p->n);
    r->new_min = stats_min(p->b, p->n);
    r->new_max = stats_max(p->b, p->n);
    double diff = r->new_median - r->base_median;

    if (m->unit == UNIT_BYTES && fabs(diff) <= (double)page_size) {
        r->change_pct = r->base_median ? diff / fabs(r->base_median) * 100 : 0;
        r->worse_pct = m->bigger_is_better ? -r->change_pct : r->change_pct;
        r->judged_by = JUDGED_FLOOR;
        r->verdict = VERDICT_UNCHANGED;
        return;
    }
    if (m->cls != METRIC_TIME && stats_all_equal(p->a, p->n) && stats_all_equal(p->b, p->n)) {
        if (r->base_median != 0)
            r->change_pct = diff / fabs(r->base_median) * 100.0;
        else
            r->change_pct = diff == 0 ? 0.0 : diff > 0 ? INFINITY : -INFINITY;
        r->worse_pct = m->bigger_is_better ? -r->change_pct : r->change_pct;
        r->judged_by = JUDGED_THRESHOLD;
        r->verdict = decide(r->worse_pct, r->threshold, true);
        return;
    }
    double *d = malloc(p->n * sizeof *d);
    if (!d)
        abort();
    bool log_scale;
    double scale = 1;
    if (!differences(p, d, &log_scale, &scale)) {
        snprintf(r->reason, sizeof r->reason, "BASE's median is 0: no relative change");
        free(d);
        return;
    }
    r->change_pct = to_pct(stats_hodges_lehmann(d, p->n), log_scale);
    r->worse_pct = m->bigger_is_better ? -r->change_pct : r->change_pct;
    double lo, hi;
    if (stats_hodges_lehmann_ci(d, p->n, o->alpha, &lo, &hi) == 0) {
        r->ci_low_pct = to_pct(lo, log_scale);
        r->ci_high_pct = to_pct(hi, log_scale);
    }
    struct wsr_result w;
    stats_signed_rank(d, p->n, &w);
    r->judged_by = JUDGED_SIGNED_RANK;
    r->p_floor = w.p_min_one;
    if (fabs(r->worse_pct) <= r->threshold) {
        r->p = w.p_two; /* informative: how sure any change at all is */
        r->verdict = VERDICT_UNCHANGED;
        free(d);
        return;
    }
    if (w.p_min_one >= o->alpha || p->n < 2) {
        r->judged_by = JUDGED_NONE;
        snprintf(r->reason, sizeof r->reason,
                 "%+.1f%% change, but %zu pairs can never reach p < %g; use 5 or more "
                 "repetitions",
                 r->change_pct, p->n, o->alpha);
        free(d);
        return;
    }
    /* Beyond the threshold: is it a change at all? The one-sided test in
     * the change's direction against no change (Holm then weighs it
     * against every other row judged). */
    r->p = r->change_pct > 0 ? w.p_greater : w.p_less;
    r->verdict = decide(r->worse_pct, r->threshold, r->p < o->alpha);
    free(d);
}

static const struct run_group *find_group(const struct run_data *run, const char *workload,
                                          const char *allocator)
{
    return run_find(run, workload, allocator);
}

/* Rows for one workload. */
static void compare_workload(const struct compare_report *rep, const char *workload,
                             struct compare_row **rows, size_t *n, size_t *cap)
{
    const struct compare_options *o = &rep->opts;
    const struct run_group *ga = find_group(rep->base, workload, rep->base_allocator);
    const struct run_group *gb = find_group(rep->base, workload, rep->new_allocator);
    if (!ga || !gb || ga->ok == 0 || gb->ok == 0) {
        struct compare_row *r =
            compare_row_add(rows, n, cap, workload, rep->new_allocator, NULL);
        const struct run_group *g = !ga || ga->ok == 0 ? ga : gb;
        const char *who = !ga || ga->ok == 0 ? rep->base_allocator : rep->new_allocator;
        if (!g)
            snprintf(r->reason, sizeof r->reason, "%s did not run this workload", who);
        else
            snprintf(r->reason, sizeof r->reason, "no ok repetitions of %s (%s)", who,
                     g->not_ok_what);
        return;
    }
    char why[512] = "";
    if (ga->spec_hash && gb->spec_hash && strcmp(ga->spec_hash, gb->spec_hash) != 0)
        snprintf(why, sizeof why, "spec hash '%s' vs '%s'", ga->spec_hash, gb->spec_hash);
    else if (ga->opstream_hash && gb->opstream_hash &&
             strcmp(ga->opstream_hash, gb->opstream_hash) != 0)
        snprintf(why, sizeof why, "op-stream hash '%s' vs '%s'", ga->opstream_hash,
                 gb->opstream_hash);
    char excluded[300] = "";
    if (ga->not_ok || gb->not_ok)
        snprintf(excluded, sizeof excluded, "excluded: %s%s%s%s%s", ga->not_ok ? "BASE " : "",
                 ga->not_ok ? ga->not_ok_what : "", ga->not_ok && gb->not_ok ? ", " : "",
                 gb->not_ok ? "NEW " : "", gb->not_ok ? gb->not_ok_what : "");
    for (size_t mi = 0; mi < metric_count; mi++) {
        if (!o->selected[mi])
            continue;
        const struct metric_def *m = &metric_defs[mi];
        struct compare_row *r = compare_row_add(rows, n, cap, workload, rep->new_allocator, m);
        struct pairs p;
        collect(ga, gb, mi, &p);
        r->threshold = compare_threshold(o, m);
        if (p.n == 0) {
            bool a_unsup = p.a_empty == ga->ok, b_unsup = p.b_empty == gb->ok;
            snprintf(r->reason, sizeof r->reason, "%s",
                     a_unsup && b_unsup ? "unsupported"
                     : a_unsup          ? "unsupported in BASE"
                     : b_unsup          ? "unsupported in NEW"
                                        : "no repetition has both values");
        } else if (why[0] && !o->force) {
            snprintf(r->reason, sizeof r->reason, "%s (--force to judge)", why);
        } else {
            judge(&p, m, o, rep->base->page_size, r);
            if (why[0])
                note(r, why);
        }
        if (p.unpaired) {
            char t[64];
            snprintf(t, sizeof t, "%zu repetitions without a partner", p.unpaired);
            note(r, t);
        }
        if (excluded[0])
            note(r, excluded);
        free(p.a);
        free(p.b);
    }
}

static int by_p(const void *a, const void *b)
{
    double x = (*(struct compare_row *const *)a)->p, y = (*(struct compare_row *const *)b)->p;
    return (x > y) - (x < y);
}

/* Holm's step-down over the rows the signed-rank test judged (rule 4):
 * a flagged row whose p does not survive becomes unchanged, saying so. */
static void holm(struct compare_row *rows, size_t n, double alpha)
{
    size_t m = 0, k = 0;
    struct compare_row **cand = calloc(n + 1, sizeof *cand);
    if (!cand)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (rows[i].judged_by != JUDGED_SIGNED_RANK || !(rows[i].p_floor < alpha))
            continue;
        m++;
        if (rows[i].verdict == VERDICT_REGRESSED || rows[i].verdict == VERDICT_IMPROVED)
            cand[k++] = &rows[i];
    }
    qsort(cand, k, sizeof *cand, by_p);
    bool stopped = false;
    for (size_t i = 0; i < k; i++) {
        double limit = alpha / (double)(m - i);
        char text[160];
        stopped = stopped || !(cand[i]->p < limit);
        if (stopped) {
            cand[i]->verdict = VERDICT_UNCHANGED;
            snprintf(text, sizeof text, "p %.3g is not significant over the %zu rows judged "
                                        "(Holm: needs < %.3g)", cand[i]->p, m, limit);
        } else {
            snprintf(text, sizeof text, "significant over the %zu rows judged (Holm: p < %.3g)",
                     m, limit);
        }
        note(cand[i], text);
    }
    free(cand);
}

void compare_paired(const struct run_data *run, const char *base_allocator,
                    const char *new_allocator, const struct compare_options *opts,
                    struct compare_report *out)
{
    memset(out, 0, sizeof *out);
    out->base = out->new = run;
    out->paired = true;
    out->base_allocator = base_allocator;
    out->new_allocator = new_allocator;
    out->opts = *opts;
    char why[300];
    if (run_incomplete(run, why, sizeof why))
        snprintf(out->partial, sizeof out->partial, "the run is incomplete (%s)", why);
    struct compare_row *rows = NULL;
    size_t n = 0, cap = 0;
    /* Every workload either allocator ran, in the run's order. */
    for (size_t i = 0; i < run->ngroups; i++) {
        const struct run_group *g = &run->groups[i];
        if (strcmp(g->allocator, base_allocator) != 0 && strcmp(g->allocator, new_allocator) != 0)
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(run->groups[k].workload, g->workload) == 0 &&
                   (strcmp(run->groups[k].allocator, base_allocator) == 0 ||
                    strcmp(run->groups[k].allocator, new_allocator) == 0);
        if (!seen)
            compare_workload(out, g->workload, &rows, &n, &cap);
    }
    holm(rows, n, opts->alpha);
    compare_finish(out, rows, n);
}
