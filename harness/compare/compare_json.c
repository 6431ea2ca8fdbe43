/* compare_json.c - a comparison as JSON (jansson): allocscope's full
 * report, and the entry arrays github-action-benchmark reads with
 * tool: customSmallerIsBetter / customBiggerIsBetter, i.e.
 *   [{"name": str, "unit": str, "value": number, "range": str, "extra": str}]
 * with one entry per (workload, allocator, metric) of the NEW run. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "compare_output.h"

/* A number, or null for NaN/infinity (JSON has neither). */
static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *run_json(const struct run_data *run)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "dir", run->dir, "git_commit",
                     run->git_commit, "started_at", run->started_at, "cpu_model",
                     run->cpu_model, "kernel", run->kernel, "cores", (json_int_t)run->cores);
}

static const char *judged_name(enum judged_by j)
{
    switch (j) {
    case JUDGED_NONE: return "none";
    case JUDGED_U_TEST: return "mann-whitney-u";
    case JUDGED_THRESHOLD: return "threshold";
    case JUDGED_FLOOR: return "below-one-page";
    case JUDGED_SIGNED_RANK: return "wilcoxon-signed-rank";
    }
    return "?";
}

static json_t *row_json(const struct compare_row *row)
{
    const struct metric_def *m = row->metric;
    char change[32];
    compare_format_change(row, change, sizeof change);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "workload", row->workload, "allocator",
                          row->allocator, "verdict", verdict_name(row->verdict), "judged_by",
                          judged_name(row->judged_by), "reason", row->reason);
    json_object_set_new(o, "metric", m ? json_string(m->name) : json_null());
    if (m) {
        json_object_set_new(o, "column", json_string(m->column));
        json_object_set_new(o, "unit", json_string(metric_unit_name(m->unit)));
        json_object_set_new(o, "better", json_string(m->bigger_is_better ? "bigger" : "smaller"));
        json_object_set_new(o, "class", json_string(metric_class_name(m->cls)));
        json_object_set_new(o, "threshold_pct", jnum(row->threshold));
    }
    json_object_set_new(o, "n_base", json_integer((json_int_t)row->n_base));
    json_object_set_new(o, "n_new", json_integer((json_int_t)row->n_new));
    json_object_set_new(o, "base_median", jnum(row->base_median));
    json_object_set_new(o, "new_median", jnum(row->new_median));
    json_object_set_new(o, "base_min", jnum(row->base_min));
    json_object_set_new(o, "base_max", jnum(row->base_max));
    json_object_set_new(o, "new_min", jnum(row->new_min));
    json_object_set_new(o, "new_max", jnum(row->new_max));
    json_object_set_new(o, "change_pct", jnum(row->change_pct));
    json_object_set_new(o, "change", json_string(change));
    json_object_set_new(o, "p", jnum(row->p));
    if (row->judged_by == JUDGED_SIGNED_RANK || row->n_pairs) {
        json_object_set_new(o, "pairs", json_integer((json_int_t)row->n_pairs));
        json_object_set_new(o, "ci_low_pct", jnum(row->ci_low_pct));
        json_object_set_new(o, "ci_high_pct", jnum(row->ci_high_pct));
    }
    return o;
}

static int dump(FILE *f, json_t *root)
{
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
    fputc('\n', f);
    json_decref(root);
    return rc;
}

int compare_write_json(FILE *f, const struct compare_report *r)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < r->nrows; i++)
        json_array_append_new(rows, row_json(&r->rows[i]));
    json_t *root = json_pack(
        "{s:i, s:o, s:o, s:{s:f, s:f, s:f}, s:b, s:o, s:{s:I, s:I, s:I, s:I}, s:i, s:o}",
        "schema_version", 1, "base", run_json(r->base), "new", run_json(r->new), "rule",
        "time_threshold_pct", r->opts.time_threshold, "memory_threshold_pct",
        r->opts.memory_threshold, "alpha", r->opts.alpha, "forced", r->opts.force,
        "machine_difference", r->machine_diff[0] ? json_string(r->machine_diff) : json_null(),
        "counts", "regressed", (json_int_t)r->count[VERDICT_REGRESSED], "improved",
        (json_int_t)r->count[VERDICT_IMPROVED], "unchanged",
        (json_int_t)r->count[VERDICT_UNCHANGED], "not_comparable",
        (json_int_t)r->count[VERDICT_NOT_COMPARABLE], "exit_status", compare_exit_status(r),
        "rows", rows);
    if (!root)
        return -1;
    json_object_set_new(root, "partial", r->partial[0] ? json_string(r->partial) : json_null());
    json_object_set_new(json_object_get(root, "rule"), "count_threshold_pct",
                        json_real(r->opts.count_threshold));
    json_object_set_new(root, "mode", json_string(r->paired ? "paired" : "runs"));
    if (r->paired) {
        json_object_set_new(root, "base_allocator", json_string(r->base_allocator));
        json_object_set_new(root, "new_allocator", json_string(r->new_allocator));
    }
    return dump(f, root);
}

int compare_write_bench_json(FILE *f, const struct compare_report *r, bool bigger)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->nrows; i++) {
        const struct compare_row *row = &r->rows[i];
        const struct metric_def *m = row->metric;
        if (!m || m->bigger_is_better != bigger || !isfinite(row->new_median))
            continue;
        char name[256], range[64], extra[512], change[32], base[64];
        snprintf(name, sizeof name, "%s / %s / %s", row->workload, row->allocator, m->name);
        snprintf(range, sizeof range, "± %.6g", (row->new_max - row->new_min) / 2);
        compare_format_change(row, change, sizeof change);
        metric_format(m->unit, row->base_median, base, sizeof base);
        if (r->paired)
            snprintf(extra, sizeof extra,
                     "median of %zu reps; %s: %s; paired change %s: %s%s%s", row->n_new,
                     r->base_allocator, base, change, verdict_name(row->verdict),
                     row->reason[0] ? " - " : "", row->reason);
        else
            snprintf(extra, sizeof extra,
                     "median of %zu reps; baseline %s (%zu reps), change %s: %s%s%s",
                     row->n_new, base, row->n_base, change, verdict_name(row->verdict),
                     row->reason[0] ? " - " : "", row->reason);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:f, s:s, s:s}", "name", name, "unit",
                                             metric_unit_name(m->unit), "value", row->new_median,
                                             "range", range, "extra", extra));
    }
    return dump(f, arr);
}
