/* compare.h - the regression verdict of `allocscope compare`: for every
 * (workload, allocator) in both runs and every selected metric, the two
 * medians, the change and a verdict.
 *
 * The rule (documented for users in docs/ci.md):
 *  - A change counts only when it exceeds the metric's threshold (time or
 *    memory class) in the median AND is significantly larger than the
 *    threshold: two-sided Mann-Whitney U p < alpha between BASE's ok
 *    repetitions and NEW's moved back by the threshold (NEW / (1 +- t)).
 *  - Memory figures that are exactly repeatable (every ok repetition equal
 *    within each run; a single repetition counts as repeatable) are judged
 *    on the threshold alone. Byte figures moving by at most one page are
 *    unchanged.
 *  - When the repetitions cannot reach p < alpha at all (fewer than 2 on a
 *    side, or the smallest attainable p is >= alpha, e.g. 3 vs 3), a change
 *    within the threshold is "unchanged" and a larger one is "not
 *    comparable (too few repetitions)": never a regression on a guess.
 *  - Empty cells are unsupported, never 0: "not comparable (unsupported)".
 *  - Rows that are not ok are left out of the statistics and counted.
 *  - A different machine (CPU model, kernel, core count, THP mode, page
 *    size), allocator version or workload spec/op-stream hash makes the
 *    affected rows "not comparable" with the reason, unless forced.
 *  - Counts (instructions per op) are judged like memory figures, on their
 *    own tight threshold.
 *
 * Paired verdicts (compare_paired, `compare RUN --base A --new B`): two
 * allocators of one run, whose repetitions were made side by side in a
 * random order (run_plan.h), judged on the per-repetition ratios NEW/BASE
 * - see compare_paired.c for the rule. */
#ifndef ALLOCSCOPE_COMPARE_H
#define ALLOCSCOPE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "run_reader.h"

/* Defaults, in percent of the baseline median. */
#define COMPARE_DEFAULT_TIME_THRESHOLD 10.0
#define COMPARE_DEFAULT_MEMORY_THRESHOLD 2.0
#define COMPARE_DEFAULT_ALPHA 0.05
#define COMPARE_DEFAULT_COUNT_THRESHOLD 1.0
/* Paired verdicts see much less noise (a machine-wide shift hits both
 * allocators of a repetition): time figures get a tighter default. */
#define COMPARE_PAIRED_DEFAULT_TIME_THRESHOLD 3.0

enum verdict {
    VERDICT_REGRESSED,
    VERDICT_IMPROVED,
    VERDICT_UNCHANGED,
    VERDICT_NOT_COMPARABLE,
};

enum judged_by {
    JUDGED_NONE,      /* not judged (not comparable) */
    JUDGED_U_TEST,    /* threshold and Mann-Whitney U */
    JUDGED_THRESHOLD, /* threshold alone (exactly repeatable memory figure) */
    JUDGED_FLOOR,     /* byte figure moved by at most one page */
    JUDGED_SIGNED_RANK, /* paired: threshold and Wilcoxon signed-rank */
};

struct compare_options {
    double time_threshold;   /* percent */
    double memory_threshold; /* percent */
    double count_threshold;  /* percent: instructions per op */
    double alpha;
    bool force;              /* judge even across machines/versions/specs */
    bool force_machine;      /* judge across machines only: a pair whose
                                allocator version, spec or op stream differs
                                stays not comparable */
    bool allow_partial;      /* an incomplete run does not fail the exit */
    bool selected[METRIC_MAX]; /* by metric_index */
};

void compare_options_default(struct compare_options *o);

struct compare_row {
    const char *workload, *allocator;
    const struct metric_def *metric; /* NULL: the row is about the pair */
    size_t n_base, n_new;            /* ok values used */
    double base_median, new_median;
    double base_min, base_max, new_min, new_max;
    double change_pct;  /* (new - base) / base * 100; +-INFINITY from 0 */
    double worse_pct;   /* change_pct signed so that positive is worse */
    double threshold;   /* percent applied */
    double p;           /* U test p (of NEW moved back by the threshold when
                           the change exceeds it); NAN when not tested */
    size_t n_pairs;     /* paired verdicts: repetitions with both values */
    double p_floor;     /* paired: the smallest p the test could give these
                           pairs (2^-n of the non-zero differences) */
    double ci_low_pct, ci_high_pct; /* paired: the change's confidence
                                       interval (1 - 2 alpha); NAN if none */
    enum verdict verdict;
    enum judged_by judged_by;
    char reason[256];   /* why not comparable, or what was noted */
};

struct compare_report {
    const struct run_data *base, *new; /* paired: both the one run */
    bool paired;
    const char *base_allocator, *new_allocator; /* paired only */
    struct compare_options opts;
    char machine_diff[512]; /* "" when the machines match */
    char partial[640];      /* "" when both runs are whole, else which is
                               not and why (run_incomplete) */
    struct compare_row *rows;
    size_t nrows;
    size_t count[4];        /* by verdict */
    /* Metrics that were unsupported in every compared pair (said once). */
    bool unsupported_everywhere[METRIC_MAX];
};

/* Compare; rows are sorted worst regression first. */
void compare_runs(const struct run_data *base, const struct run_data *new,
                  const struct compare_options *opts, struct compare_report *out);

/* Paired verdict of allocator NEW against BASE on every workload of `run`
 * (compare_paired.c). */
void compare_paired(const struct run_data *run, const char *base_allocator,
                    const char *new_allocator, const struct compare_options *opts,
                    struct compare_report *out);

/* The default metrics for these runs: the key ones, and instructions per
 * op where a run counted them; in runs made under callgrind (instructions
 * but no throughput anywhere) only what was measured. */
void compare_default_metrics(const struct run_data *const *runs, size_t nruns,
                             bool selected[METRIC_MAX]);

/* Shared by compare.c and compare_paired.c. */
struct compare_row *compare_row_add(struct compare_row **rows, size_t *n, size_t *cap,
                                    const char *workload, const char *allocator,
                                    const struct metric_def *m);
void compare_finish(struct compare_report *out, struct compare_row *rows, size_t n);
void compare_report_free(struct compare_report *r);

/* The exit status: 1 when something regressed; 2 when nothing at all
 * could be judged, or when BASE or NEW is incomplete (interrupted, still
 * running, a lost write, fewer rows than planned) unless allow_partial;
 * else 0. */
int compare_exit_status(const struct compare_report *r);

const char *verdict_name(enum verdict v);

/* Threshold (percent) applied to metrics of class c. */
double compare_threshold(const struct compare_options *o, const struct metric_def *m);

#endif
