/* compare_output.h - the three renderings of a compare_report:
 * a terminal table, Markdown (PR comments, $GITHUB_STEP_SUMMARY) and JSON
 * (allocscope's own report, and github-action-benchmark's
 * customSmallerIsBetter / customBiggerIsBetter entry arrays). */
#ifndef ALLOCSCOPE_COMPARE_OUTPUT_H
#define ALLOCSCOPE_COMPARE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"

void compare_write_table(FILE *f, const struct compare_report *r);
void compare_write_markdown(FILE *f, const struct compare_report *r);

/* allocscope's report: thresholds, machine difference, every row. */
int compare_write_json(FILE *f, const struct compare_report *r);

/* github-action-benchmark "custom" entries for NEW's medians of the
 * selected metrics whose better direction is `bigger`: a JSON array of
 * {name, unit, value, range, extra}. */
int compare_write_bench_json(FILE *f, const struct compare_report *r, bool bigger);

/* Shared by the renderers. */
void compare_format_change(const struct compare_row *row, char *buf, size_t len);
void compare_format_p(const struct compare_row *row, char *buf, size_t len);
const char *compare_metric_label(const struct compare_row *row);
/* "5/5", or "10 pairs" for a paired verdict. */
void compare_format_n(const struct compare_row *row, char *buf, size_t len);
/* The verdict rule in one sentence (paired or between runs). */
void compare_rule_text(const struct compare_report *r, char *buf, size_t len);

#endif
