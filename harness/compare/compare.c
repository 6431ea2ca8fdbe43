/* compare.c - regression verdicts between two runs (rule in compare.h). */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

void compare_options_default(struct compare_options *o)
{
    memset(o, 0, sizeof *o);
    o->time_threshold = COMPARE_DEFAULT_TIME_THRESHOLD;
    o->memory_threshold = COMPARE_DEFAULT_MEMORY_THRESHOLD;
    o->count_threshold = COMPARE_DEFAULT_COUNT_THRESHOLD;
    o->alpha = COMPARE_DEFAULT_ALPHA;
    for (size_t i = 0; i < metric_count; i++)
        o->selected[i] = metric_defs[i].key;
}

const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_REGRESSED: return "regressed";
    case VERDICT_IMPROVED: return "improved";
    case VERDICT_UNCHANGED: return "unchanged";
    case VERDICT_NOT_COMPARABLE: return "not comparable";
    }
    return "?";
}

double compare_threshold(const struct compare_options *o, const struct metric_def *m)
{
    return m->cls == METRIC_MEMORY  ? o->memory_threshold
           : m->cls == METRIC_COUNT ? o->count_threshold
                                    : o->time_threshold;
}

/* Append "what 'a' vs 'b'" to buf when a and b differ. */
static void note_diff(char *buf, size_t len, const char *what, const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return;
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s '%s' vs '%s'", used ? "; " : "", what, a, b);
}

static void machine_diff(const struct run_data *b, const struct run_data *n, char *buf,
                         size_t len)
{
    char cb[32], cn[32], pb[32], pn[32];
    buf[0] = '\0';
    note_diff(buf, len, "CPU model", b->cpu_model, n->cpu_model);
    note_diff(buf, len, "kernel", b->kernel, n->kernel);
    snprintf(cb, sizeof cb, "%ld", b->cores);
    snprintf(cn, sizeof cn, "%ld", n->cores);
    note_diff(buf, len, "cores", cb, cn);
    note_diff(buf, len, "THP mode", b->thp_mode, n->thp_mode);
    snprintf(pb, sizeof pb, "%ld", b->page_size);
    snprintf(pn, sizeof pn, "%ld", n->page_size);
    note_diff(buf, len, "page size", pb, pn);
}

/* Why a pair present in both runs is not comparable ("" when it is). */
static void pair_diff(const struct run_group *b, const struct run_group *n, char *buf,
                      size_t len)
{
    buf[0] = '\0';
    note_diff(buf, len, "allocator version", b->allocator_version ? b->allocator_version : "",
              n->allocator_version ? n->allocator_version : "");
    note_diff(buf, len, "spec hash", b->spec_hash ? b->spec_hash : "",
              n->spec_hash ? n->spec_hash : "");
    note_diff(buf, len, "op-stream hash", b->opstream_hash ? b->opstream_hash : "",
              n->opstream_hash ? n->opstream_hash : "");
}

struct row_list {
    struct compare_row *rows;
    size_t n, cap;
};

struct compare_row *compare_row_add(struct compare_row **rows, size_t *n, size_t *cap,
                                    const char *workload, const char *allocator,
                                    const struct metric_def *m)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *rows = realloc(*rows, *cap * sizeof **rows);
        if (!*rows)
            abort();
    }
    struct compare_row *r = &(*rows)[(*n)++];
    memset(r, 0, sizeof *r);
    r->workload = workload;
    r->allocator = allocator;
    r->metric = m;
    r->base_median = r->new_median = r->change_pct = r->worse_pct = r->p = NAN;
    r->base_min = r->base_max = r->new_min = r->new_max = NAN;
    r->ci_low_pct = r->ci_high_pct = NAN;
    r->verdict = VERDICT_NOT_COMPARABLE;
    return r;
}

static struct compare_row *row_add(struct row_list *l, const char *workload,
                                   const char *allocator, const struct metric_def *m)
{
    return compare_row_add(&l->rows, &l->n, &l->cap, workload, allocator, m);
}

static void append(char *buf, size_t len, const char *fmt, const char *text)
{
    size_t used = strlen(buf);
    if (used < len)
        snprintf(buf + used, len - used, fmt, text);
}

/* Judge a change given the rule's two conditions. */
static enum verdict decide(double worse_pct, double threshold, bool significant)
{
    if (!significant || fabs(worse_pct) <= threshold)
        return VERDICT_UNCHANGED;
    return worse_pct > 0 ? VERDICT_REGRESSED : VERDICT_IMPROVED;
}

static void judge_metric(const struct run_group *bg, const struct run_group *ng,
                         const struct metric_def *m, const struct compare_options *o,
                         long page_size, const char *forced_note, struct compare_row *r)
{
    size_t mi = metric_index(m);
    const double *bv = bg->values[mi], *nv = ng->values[mi];
    r->n_base = bg->nvalues[mi];
    r->n_new = ng->nvalues[mi];
    r->threshold = compare_threshold(o, m);
    if (r->n_base == 0 || r->n_new == 0) {
        bool b_unsup = r->n_base == 0 && bg->empty[mi] > 0;
        bool n_unsup = r->n_new == 0 && ng->empty[mi] > 0;
        snprintf(r->reason, sizeof r->reason, "unsupported%s",
                 b_unsup && n_unsup ? "" : b_unsup ? " in BASE" : n_unsup ? " in NEW" : "");
        if (!b_unsup && !n_unsup)
            snprintf(r->reason, sizeof r->reason, "no values");
        return;
    }
    r->base_median = stats_median(bv, r->n_base);
    r->new_median = stats_median(nv, r->n_new);
    r->base_min = stats_min(bv, r->n_base);
    r->base_max = stats_max(bv, r->n_base);
    r->new_min = stats_min(nv, r->n_new);
    r->new_max = stats_max(nv, r->n_new);
    double diff = r->new_median - r->base_median;
    if (r->base_median != 0)
        r->change_pct = diff / fabs(r->base_median) * 100.0;
    else
        r->change_pct = diff == 0 ? 0.0 : diff > 0 ? INFINITY : -INFINITY;
    r->worse_pct = m->bigger_is_better ? -r->change_pct : r->change_pct;
    if (forced_note[0])
        snprintf(r->reason, sizeof r->reason, "forced: %s", forced_note);
    else if (bg->empty[mi] || ng->empty[mi])
        snprintf(r->reason, sizeof r->reason, "some ok rows had no value");

    if (m->unit == UNIT_BYTES && fabs(diff) <= (double)page_size) {
        r->judged_by = JUDGED_FLOOR;
        r->verdict = VERDICT_UNCHANGED;
        return;
    }
    if (m->cls != METRIC_TIME && stats_all_equal(bv, r->n_base) &&
        stats_all_equal(nv, r->n_new)) {
        r->judged_by = JUDGED_THRESHOLD;
        r->verdict = decide(r->worse_pct, r->threshold, true);
        return;
    }
    struct mwu_result u = {0};
    bool testable = r->n_base >= 2 && r->n_new >= 2 &&
                    stats_mann_whitney(nv, r->n_new, bv, r->n_base, &u) == 0 &&
                    u.p_min < o->alpha;
    if (!testable) {
        if (fabs(r->worse_pct) <= r->threshold) {
            r->judged_by = JUDGED_THRESHOLD;
            r->verdict = VERDICT_UNCHANGED;
        } else {
            r->verdict = VERDICT_NOT_COMPARABLE;
            if (r->n_base < 2 || r->n_new < 2 || !u.ties)
                snprintf(r->reason, sizeof r->reason,
                         "too few repetitions (%zu vs %zu) to tell a %+.1f%% change from "
                         "noise; use 5 or more",
                         r->n_base, r->n_new, r->change_pct);
            else
                snprintf(r->reason, sizeof r->reason,
                         "%+.1f%% change, but %zu vs %zu repetitions with these ties cannot "
                         "reach p < %g (best p %.3f); use more repetitions",
                         r->change_pct, r->n_base, r->n_new, o->alpha, u.p_min);
        }
        return;
    }
    r->judged_by = JUDGED_U_TEST;
    if (fabs(r->worse_pct) <= r->threshold) {
        r->p = u.p_two; /* informative: how sure any change at all is */
        r->verdict = VERDICT_UNCHANGED;
        return;
    }
    /* The change must be significantly larger than the threshold, not
     * merely significant: move NEW back by the threshold (to the boundary
     * base * f) and test again. A run that was a little slower throughout
     * (a busy machine) then passes unless the gap clears the threshold for
     * nearly every repetition. */
    double f = 1 + (r->change_pct > 0 ? 1 : -1) * r->threshold / 100.0;
    if (f <= 0) {
        r->p = 1;
        r->verdict = VERDICT_UNCHANGED;
        return;
    }
    double *shifted = malloc(r->n_new * sizeof *shifted);
    if (!shifted)
        abort();
    for (size_t i = 0; i < r->n_new; i++)
        shifted[i] = nv[i] / f;
    stats_mann_whitney(shifted, r->n_new, bv, r->n_base, &u);
    free(shifted);
    r->p = u.p_two;
    r->verdict = decide(r->worse_pct, r->threshold, u.p_two < o->alpha);
}

/* Real programs have no op-based figures (throughput, latency, live bytes,
 * per-op counters): they are judged by what applies to them, by default
 * wall time, peak RSS and peak heap. */
static const char *const program_metrics[] = {"wall", "peak_rss", "peak_heap", "brk",
                                              "minor_faults", NULL};
static const char *const program_key_metrics[] = {"wall", "peak_rss", "peak_heap", NULL};

static bool listed(const char *name, const char *const list[])
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

static bool default_selection(const struct compare_options *o)
{
    for (size_t i = 0; i < metric_count; i++)
        if (o->selected[i] != metric_defs[i].key)
            return false;
    return true;
}

static bool judged_for_program(const struct compare_options *o, size_t mi)
{
    const char *name = metric_defs[mi].name;
    if (!listed(name, program_metrics))
        return false;
    return o->selected[mi] || (default_selection(o) && listed(name, program_key_metrics));
}

/* Rows for one (workload, allocator) present in BASE. */
static void compare_pair(const struct compare_report *rep, const struct run_group *bg,
                         const struct run_group *ng, struct row_list *l)
{
    const struct compare_options *o = &rep->opts;
    if (!ng) {
        struct compare_row *r = row_add(l, bg->workload, bg->allocator, NULL);
        snprintf(r->reason, sizeof r->reason, "missing from NEW run");
        return;
    }
    if (bg->ok == 0 || ng->ok == 0) {
        struct compare_row *r = row_add(l, bg->workload, bg->allocator, NULL);
        snprintf(r->reason, sizeof r->reason, "no ok repetitions in %s (%s)",
                 bg->ok == 0 ? "BASE" : "NEW", bg->ok == 0 ? bg->not_ok_what : ng->not_ok_what);
        return;
    }
    char why[512];
    pair_diff(bg, ng, why, sizeof why);
    if (rep->machine_diff[0] && !o->force_machine) {
        size_t used = strlen(why);
        snprintf(why + used, sizeof why - used, "%sdifferent machine", used ? "; " : "");
    }
    char excluded[256] = "";
    if (bg->not_ok)
        snprintf(excluded, sizeof excluded, "excluded from BASE: %s", bg->not_ok_what);
    if (ng->not_ok) {
        append(excluded, sizeof excluded, "%s", excluded[0] ? "; " : "");
        append(excluded, sizeof excluded, "excluded from NEW: %s", ng->not_ok_what);
    }
    bool program = bg->program || ng->program;
    for (size_t mi = 0; mi < metric_count; mi++) {
        if (program ? !judged_for_program(o, mi) : !o->selected[mi])
            continue;
        const struct metric_def *m = &metric_defs[mi];
        struct compare_row *r = row_add(l, bg->workload, bg->allocator, m);
        judge_metric(bg, ng, m, o, rep->base->page_size, o->force ? why : "", r);
        if (why[0] && !o->force && r->verdict != VERDICT_NOT_COMPARABLE) {
            r->verdict = VERDICT_NOT_COMPARABLE;
            r->judged_by = JUDGED_NONE;
            snprintf(r->reason, sizeof r->reason, "%s (--force to judge)", why);
        }
        if (excluded[0]) {
            append(r->reason, sizeof r->reason, "%s", r->reason[0] ? "; " : "");
            append(r->reason, sizeof r->reason, "%s", excluded);
        }
    }
}

/* Sort key: regressions (worst first), improvements, unchanged, then not
 * comparable. */
static int row_cmp(const void *pa, const void *pb)
{
    const struct compare_row *a = pa, *b = pb;
    if (a->verdict != b->verdict)
        return (int)a->verdict - (int)b->verdict;
    double wa = isnan(a->worse_pct) ? -INFINITY : a->worse_pct;
    double wb = isnan(b->worse_pct) ? -INFINITY : b->worse_pct;
    if (a->verdict == VERDICT_IMPROVED) {
        wa = -wa;
        wb = -wb;
    }
    if (wa != wb)
        return wa > wb ? -1 : 1;
    int c = strcmp(a->workload, b->workload);
    if (c == 0)
        c = strcmp(a->allocator, b->allocator);
    if (c == 0)
        c = (a->metric ? (int)metric_index(a->metric) : -1) -
            (b->metric ? (int)metric_index(b->metric) : -1);
    return c;
}

void compare_runs(const struct run_data *base, const struct run_data *new,
                  const struct compare_options *opts, struct compare_report *out)
{
    memset(out, 0, sizeof *out);
    out->base = base;
    out->new = new;
    out->opts = *opts;
    machine_diff(base, new, out->machine_diff, sizeof out->machine_diff);
    char why[300];
    if (run_incomplete(base, why, sizeof why))
        snprintf(out->partial, sizeof out->partial, "BASE is incomplete (%s)", why);
    if (run_incomplete(new, why, sizeof why)) {
        size_t used = strlen(out->partial);
        snprintf(out->partial + used, sizeof out->partial - used, "%sNEW is incomplete (%s)",
                 used ? "; " : "", why);
    }
    struct row_list l = {0};
    for (size_t i = 0; i < base->ngroups; i++) {
        const struct run_group *bg = &base->groups[i];
        compare_pair(out, bg, run_find(new, bg->workload, bg->allocator), &l);
    }
    for (size_t i = 0; i < new->ngroups; i++) {
        const struct run_group *ng = &new->groups[i];
        if (!run_find(base, ng->workload, ng->allocator)) {
            struct compare_row *r = row_add(&l, ng->workload, ng->allocator, NULL);
            snprintf(r->reason, sizeof r->reason, "missing from BASE run");
        }
    }
    compare_finish(out, l.rows, l.n);
}

void compare_finish(struct compare_report *out, struct compare_row *rows, size_t n)
{
    /* A metric is unsupported everywhere when every row for it says so. */
    for (size_t mi = 0; mi < metric_count; mi++) {
        bool any = false, all = true;
        for (size_t i = 0; i < n; i++)
            if (rows[i].metric == &metric_defs[mi]) {
                any = true;
                if (strncmp(rows[i].reason, "unsupported", 11) != 0)
                    all = false;
            }
        out->unsupported_everywhere[mi] = any && all;
    }
    if (n)
        qsort(rows, n, sizeof *rows, row_cmp);
    out->rows = rows;
    out->nrows = n;
    for (size_t i = 0; i < n; i++)
        out->count[rows[i].verdict]++;
}

/* Whether any ok row of the run has a value of metric m. */
static bool run_has(const struct run_data *run, size_t m)
{
    for (size_t g = 0; g < run->ngroups; g++)
        if (run->groups[g].nvalues[m])
            return true;
    return false;
}

void compare_default_metrics(const struct run_data *const *runs, size_t nruns,
                             bool selected[METRIC_MAX])
{
    size_t instr = metric_index(metric_find("instructions"));
    bool counted = false, throughput = false;
    for (size_t r = 0; r < nruns; r++) {
        counted |= run_has(runs[r], instr);
        throughput |= run_has(runs[r], metric_index(metric_find("throughput")));
    }
    for (size_t m = 0; m < metric_count; m++) {
        selected[m] = metric_defs[m].key;
        if (counted && !throughput) { /* under callgrind: only what was measured */
            bool any = false;
            for (size_t r = 0; r < nruns; r++)
                any |= run_has(runs[r], m);
            selected[m] = selected[m] && any;
        }
    }
    selected[instr] = counted;
}

void compare_report_free(struct compare_report *r)
{
    free(r->rows);
    r->rows = NULL;
    r->nrows = 0;
}

int compare_exit_status(const struct compare_report *r)
{
    if (r->count[VERDICT_REGRESSED])
        return 1;
    if (r->count[VERDICT_IMPROVED] + r->count[VERDICT_UNCHANGED] == 0)
        return 2;
    if (r->partial[0] && !r->opts.allow_partial)
        return 2;
    return 0;
}
