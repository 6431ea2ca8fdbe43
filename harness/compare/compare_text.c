/* compare_text.c - the terminal table of a comparison, worst first. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare_output.h"

void compare_format_change(const struct compare_row *row, char *buf, size_t len)
{
    if (isnan(row->change_pct))
        snprintf(buf, len, "-");
    else if (isinf(row->change_pct))
        snprintf(buf, len, "%s", row->change_pct > 0 ? "+inf%" : "-inf%");
    else if (isfinite(row->ci_low_pct))
        snprintf(buf, len, "%+.1f%% [%+.1f, %+.1f]", row->change_pct, row->ci_low_pct,
                 row->ci_high_pct);
    else
        snprintf(buf, len, "%+.1f%%", row->change_pct);
}

void compare_format_p(const struct compare_row *row, char *buf, size_t len)
{
    switch (row->judged_by) {
    case JUDGED_U_TEST:
    case JUDGED_SIGNED_RANK:
        if (row->p < 0.001)
            snprintf(buf, len, "<0.001");
        else
            snprintf(buf, len, "%.3f", row->p);
        break;
    case JUDGED_THRESHOLD: snprintf(buf, len, "exact"); break;
    case JUDGED_FLOOR: snprintf(buf, len, "<=page"); break;
    case JUDGED_NONE: snprintf(buf, len, "-"); break;
    }
}

const char *compare_metric_label(const struct compare_row *row)
{
    return row->metric ? row->metric->name : "(all)";
}

/* The cells of one row, in column order. */
enum { COL_VERDICT, COL_WORKLOAD, COL_ALLOCATOR, COL_METRIC, COL_BASE, COL_NEW, COL_CHANGE,
       COL_P, COL_N, NCOLS };
static const char *const headers[NCOLS] = {"VERDICT", "WORKLOAD", "ALLOCATOR", "METRIC", "BASE",
                                           "NEW", "CHANGE", "P", "N"};

static void row_cells(const struct compare_row *row, char cells[NCOLS][64])
{
    snprintf(cells[COL_VERDICT], 64, "%s", verdict_name(row->verdict));
    snprintf(cells[COL_WORKLOAD], 64, "%s", row->workload);
    snprintf(cells[COL_ALLOCATOR], 64, "%s", row->allocator);
    snprintf(cells[COL_METRIC], 64, "%s", compare_metric_label(row));
    enum metric_unit u = row->metric ? row->metric->unit : UNIT_COUNT;
    metric_format(u, row->base_median, cells[COL_BASE], 64);
    metric_format(u, row->new_median, cells[COL_NEW], 64);
    compare_format_change(row, cells[COL_CHANGE], 64);
    compare_format_p(row, cells[COL_P], 64);
    compare_format_n(row, cells[COL_N], 64);
}

void compare_format_n(const struct compare_row *row, char *buf, size_t len)
{
    if (!row->metric)
        snprintf(buf, len, "-");
    else if (row->n_pairs || row->judged_by == JUDGED_SIGNED_RANK)
        snprintf(buf, len, "%zu pairs", row->n_pairs);
    else
        snprintf(buf, len, "%zu/%zu", row->n_base, row->n_new);
}

void compare_rule_text(const struct compare_report *r, char *buf, size_t len)
{
    if (r->paired)
        snprintf(buf, len,
                 "paired by repetition: a change (Hodges-Lehmann estimate of the per-repetition "
                 "ratios NEW/BASE, [%g%% interval]) counts when it is more than %g%% (time), %g%% "
                 "(memory) or %g%% (counts) and a change at all (one-sided Wilcoxon "
                 "signed-rank, exact, p < %g after Holm's correction over the rows judged); "
                 "exactly repeatable memory figures and counts on the threshold alone",
                 100 * (1 - 2 * r->opts.alpha), r->opts.time_threshold,
                 r->opts.memory_threshold, r->opts.count_threshold, r->opts.alpha);
    else
        snprintf(buf, len,
                 "a change counts when the median moves more than %g%% (time), %g%% (memory) "
                 "or %g%% (counts) and is significantly beyond that (Mann-Whitney U p < %g); "
                 "exactly repeatable memory figures and counts on the threshold alone",
                 r->opts.time_threshold, r->opts.memory_threshold, r->opts.count_threshold,
                 r->opts.alpha);
}

static bool row_hidden(const struct compare_report *r, const struct compare_row *row)
{
    return row->metric && r->unsupported_everywhere[metric_index(row->metric)];
}

static void run_line(FILE *f, const char *what, const struct run_data *run)
{
    fprintf(f, "%s %s (commit %s, %s)\n", what, run->dir,
            run->git_commit[0] ? run->git_commit : "?",
            run->started_at[0] ? run->started_at : "start time unknown");
}

void compare_write_table(FILE *f, const struct compare_report *r)
{
    char rule[1024];
    if (r->paired) {
        run_line(f, "RUN ", r->base);
        fprintf(f, "BASE allocator %s, NEW allocator %s\n", r->base_allocator,
                r->new_allocator);
    } else {
        run_line(f, "BASE", r->base);
        run_line(f, "NEW ", r->new);
    }
    compare_rule_text(r, rule, sizeof rule);
    fprintf(f, "rule: %s\n", rule);
    if (r->machine_diff[0])
        fprintf(f, "%s: different machine: %s\n",
                r->opts.force || r->opts.force_machine ? "FORCED" : "NOT COMPARABLE",
                r->machine_diff);
    if (r->partial[0])
        fprintf(f, "%s: %s\n", r->opts.allow_partial ? "PARTIAL (allowed)" : "PARTIAL",
                r->partial);
    fputc('\n', f);

    size_t width[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        width[c] = strlen(headers[c]);
    char cells[NCOLS][64];
    for (size_t i = 0; i < r->nrows; i++) {
        if (row_hidden(r, &r->rows[i]))
            continue;
        row_cells(&r->rows[i], cells);
        for (int c = 0; c < NCOLS; c++)
            if (strlen(cells[c]) > width[c])
                width[c] = strlen(cells[c]);
    }
    for (int c = 0; c < NCOLS; c++)
        fprintf(f, "%-*s  ", (int)width[c], headers[c]);
    fprintf(f, "NOTE\n");
    for (size_t i = 0; i < r->nrows; i++) {
        const struct compare_row *row = &r->rows[i];
        if (row_hidden(r, row))
            continue;
        row_cells(row, cells);
        for (int c = 0; c < NCOLS; c++) {
            /* numbers right-aligned, words left-aligned */
            bool right = c >= COL_BASE;
            fprintf(f, right ? "%*s  " : "%-*s  ", (int)width[c], cells[c]);
        }
        fprintf(f, "%s\n", row->reason);
    }
    for (size_t mi = 0; mi < metric_count; mi++)
        if (r->unsupported_everywhere[mi])
            fprintf(f, "\nnote: %s (%s) is unsupported in these runs (empty cells): not "
                       "comparable, left out of the table\n",
                    metric_defs[mi].name, metric_defs[mi].label);
    fprintf(f, "\nresult: %zu regressed, %zu improved, %zu unchanged, %zu not comparable\n",
            r->count[VERDICT_REGRESSED], r->count[VERDICT_IMPROVED],
            r->count[VERDICT_UNCHANGED], r->count[VERDICT_NOT_COMPARABLE]);
    if (compare_exit_status(r) == 2 && r->partial[0] && !r->opts.allow_partial &&
        r->count[VERDICT_IMPROVED] + r->count[VERDICT_UNCHANGED] > 0)
        fprintf(f, "a partial run is not a verdict (--allow-partial to accept it)\n");
    else if (compare_exit_status(r) == 2)
        fprintf(f, "nothing could be judged%s\n",
                r->machine_diff[0] && !r->opts.force && !r->opts.force_machine
                    ? " (different machine; --force to judge)"
                    : "");
}
