/* compare_markdown.c - a comparison as GitHub-flavoured Markdown: a
 * summary line, the changes in a table, everything else folded in a
 * <details> block. Text from the results is escaped so that it can break
 * neither the table (|, newlines) nor the page (HTML, emphasis). */
#include <stdio.h>
#include <string.h>

#include "compare_output.h"

static void md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '|': fputs("\\|", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '\n':
        case '\r':
        case '\t': fputc(' ', f); break;
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '#':
        case '~':
            fputc('\\', f);
            fputc(*s, f);
            break;
        default: fputc(*s, f);
        }
    }
}

static void md_header(FILE *f)
{
    fputs("| Verdict | Workload | Allocator | Metric | Base | New | Change | p | n | Note |\n"
          "|---|---|---|---|---:|---:|---:|---:|---:|---|\n",
          f);
}

static void md_row(FILE *f, const struct compare_row *row)
{
    static const char *const mark[] = {"🔴 regressed", "🟢 improved", "unchanged",
                                       "⚪ not comparable"};
    char base[64], new[64], change[32], p[32];
    enum metric_unit u = row->metric ? row->metric->unit : UNIT_COUNT;
    metric_format(u, row->base_median, base, sizeof base);
    metric_format(u, row->new_median, new, sizeof new);
    compare_format_change(row, change, sizeof change);
    compare_format_p(row, p, sizeof p);
    fprintf(f, "| %s | ", mark[row->verdict]);
    md_text(f, row->workload);
    fputs(" | ", f);
    md_text(f, row->allocator);
    fputs(" | ", f);
    md_text(f, compare_metric_label(row));
    fputs(" | ", f);
    md_text(f, base);
    fputs(" | ", f);
    md_text(f, new);
    fputs(" | ", f);
    md_text(f, change);
    fputs(" | ", f);
    md_text(f, p);
    fputs(" | ", f);
    char n[32];
    compare_format_n(row, n, sizeof n);
    md_text(f, n);
    fputs(" | ", f);
    md_text(f, row->reason);
    fputs(" |\n", f);
}

static bool shown(const struct compare_report *r, const struct compare_row *row)
{
    return !row->metric || !r->unsupported_everywhere[metric_index(row->metric)];
}

static void md_run(FILE *f, const char *what, const struct run_data *run)
{
    fprintf(f, "- %s: ", what);
    md_text(f, run->dir);
    fputs(" (commit ", f);
    md_text(f, run->git_commit[0] ? run->git_commit : "?");
    fputs(", ", f);
    md_text(f, run->started_at[0] ? run->started_at : "start time unknown");
    fputs(")\n", f);
}

void compare_write_markdown(FILE *f, const struct compare_report *r)
{
    int status = compare_exit_status(r);
    fprintf(f, "### allocscope compare: %s\n\n",
            status == 1   ? "❌ regression"
            : status == 2 ? "⚠️ nothing could be compared"
                          : "✅ no regression");
    fprintf(f, "**%zu regressed**, %zu improved, %zu unchanged, %zu not comparable.\n\n",
            r->count[VERDICT_REGRESSED], r->count[VERDICT_IMPROVED],
            r->count[VERDICT_UNCHANGED], r->count[VERDICT_NOT_COMPARABLE]);
    if (r->paired) {
        md_run(f, "Run", r->base);
        fputs("- Base allocator: ", f);
        md_text(f, r->base_allocator);
        fputs(", new allocator: ", f);
        md_text(f, r->new_allocator);
        fputs(" (paired by repetition)\n", f);
    } else {
        md_run(f, "Base", r->base);
        md_run(f, "New", r->new);
    }
    char rule[1024];
    compare_rule_text(r, rule, sizeof rule);
    fputs("- Rule: ", f);
    md_text(f, rule);
    fputs(" (p = exact: on the threshold alone).\n", f);
    if (r->machine_diff[0]) {
        fprintf(f, "\n> **%s — different machine:** ",
                r->opts.force || r->opts.force_machine ? "Forced comparison" : "Not comparable");
        md_text(f, r->machine_diff);
        fputs("\n", f);
    }
    if (r->partial[0]) {
        fprintf(f, "\n> **Partial run%s:** ", r->opts.allow_partial ? " (allowed)" : "");
        md_text(f, r->partial);
        fputs("\n", f);
    }
    for (size_t mi = 0; mi < metric_count; mi++)
        if (r->unsupported_everywhere[mi])
            fprintf(f, "- `%s` (%s) is unsupported in these runs: not comparable.\n",
                    metric_defs[mi].name, metric_defs[mi].label);
    fputc('\n', f);

    size_t changes = r->count[VERDICT_REGRESSED] + r->count[VERDICT_IMPROVED], rest = 0;
    if (changes) {
        md_header(f);
        for (size_t i = 0; i < r->nrows; i++)
            if (r->rows[i].verdict <= VERDICT_IMPROVED)
                md_row(f, &r->rows[i]);
    } else {
        fputs("No significant change.\n", f);
    }
    for (size_t i = 0; i < r->nrows; i++)
        if (r->rows[i].verdict > VERDICT_IMPROVED && shown(r, &r->rows[i]))
            rest++;
    if (rest) {
        fprintf(f, "\n<details><summary>%zu unchanged or not comparable</summary>\n\n", rest);
        md_header(f);
        for (size_t i = 0; i < r->nrows; i++)
            if (r->rows[i].verdict > VERDICT_IMPROVED && shown(r, &r->rows[i]))
                md_row(f, &r->rows[i]);
        fputs("\n</details>\n", f);
    }
}
