/* cmd_compare.c - `allocscope compare BASE NEW`: regression verdicts for
 * CI; `allocscope compare RUN --base A --new B`: the paired verdict of two
 * allocators of one run (rules in compare.h and compare_paired.c, user
 * documentation in docs/ci.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "commands.h"
#include "compare.h"
#include "compare_output.h"
#include "run_reader.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: allocscope compare [options] BASE NEW\n"
            "       allocscope compare [options] RUN --base A --new B\n\n"
            "Compare two runs: for every (workload, allocator) in both and every key\n"
            "metric, the baseline and new medians, the change and a verdict\n"
            "(regressed, improved, unchanged, not comparable), worst first.\n"
            "BASE and NEW are run directories; BASE may also name a baseline saved with\n"
            "'allocscope baseline save' (looked up in --baselines DIR).\n"
            "A change counts when the median moves by more than the threshold AND the\n"
            "Mann-Whitney U test over the repetitions gives p < alpha; memory figures and\n"
            "counts that are exactly repeatable are judged on the threshold alone.\n\n"
            "Paired (--base A --new B): allocator B against allocator A on every workload\n"
            "of one RUN, repetition by repetition (a run measures the allocators of a\n"
            "repetition side by side, in a random order). The change is the Hodges-Lehmann\n"
            "estimate of the ratios B/A; it counts when it is beyond the threshold and a\n"
            "one-sided Wilcoxon signed-rank test (exact) says it is a change at all, with\n"
            "Holm's correction over all rows judged (alpha bounds flagging anything).\n"
            "Much less noise than two runs: the time threshold defaults to %g%% here.\n\n"
            "options:\n"
            "      --base A, --new B       paired verdict of allocators A and B of RUN\n"
            "  -t, --threshold PCT         all thresholds, in percent\n"
            "      --time-threshold PCT    time figures (throughput, latency, TLB); default %g\n"
            "                              (paired: %g)\n"
            "      --memory-threshold PCT  memory figures (heap, brk, fragmentation); default %g\n"
            "      --count-threshold PCT   counts (instructions per op); default %g\n"
            "      --alpha P               significance level of the tests; default %g\n"
            "  -m, --metric LIST           metrics to compare, comma separated, repeatable;\n"
            "                              'key' (default) or 'all'; names below\n"
            "      --force                 judge runs from different machines, allocator\n"
            "                              versions or workload specs anyway\n"
            "      --force-machine         judge runs from different machines, but only\n"
            "                              pairs whose allocator version, spec and op\n"
            "                              stream match (the others: not comparable)\n"
            "      --allow-partial         accept an interrupted or incomplete run (it is\n"
            "                              still reported as such)\n"
            "  -f, --format FMT            stdout: table (default), markdown or json\n"
            "      --markdown FILE         also write the Markdown report to FILE\n"
            "      --json FILE             also write the JSON report to FILE\n"
            "      --json-smaller FILE     github-action-benchmark customSmallerIsBetter file\n"
            "      --json-bigger FILE      github-action-benchmark customBiggerIsBetter file\n"
            "      --baselines DIR         where named baselines live; default %s\n"
            "  -h, --help                  this text\n\n"
            "exit status: 0 nothing regressed, 1 something regressed, 2 bad input,\n"
            "nothing could be compared (e.g. different machine without --force), or\n"
            "BASE or NEW is incomplete (interrupted, a lost write, rows missing)\n"
            "without --allow-partial.\n\n"
            "metrics (* = key; instructions is added when a run counted it):\n",
            COMPARE_PAIRED_DEFAULT_TIME_THRESHOLD, COMPARE_DEFAULT_TIME_THRESHOLD,
            COMPARE_PAIRED_DEFAULT_TIME_THRESHOLD, COMPARE_DEFAULT_MEMORY_THRESHOLD,
            COMPARE_DEFAULT_COUNT_THRESHOLD, COMPARE_DEFAULT_ALPHA, BASELINE_DEFAULT_DIR);
    for (size_t i = 0; i < metric_count; i++)
        fprintf(f, "  %c %-14s %-26s %s, %s\n", metric_defs[i].key ? '*' : ' ',
                metric_defs[i].name, metric_defs[i].column, metric_defs[i].label,
                metric_class_name(metric_defs[i].cls));
}

static int parse_pct(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < 0) {
        fprintf(stderr, "allocscope compare: %s: '%s' is not a non-negative number\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

enum output { OUT_TABLE, OUT_MARKDOWN, OUT_JSON, OUT_SMALLER, OUT_BIGGER, NOUTPUTS };

struct files {
    const char *path[NOUTPUTS]; /* [OUT_TABLE] unused: stdout format below */
    enum output stdout_format;
};

static int write_one(const struct compare_report *rep, enum output o, FILE *f)
{
    switch (o) {
    case OUT_TABLE: compare_write_table(f, rep); return 0;
    case OUT_MARKDOWN: compare_write_markdown(f, rep); return 0;
    case OUT_JSON: return compare_write_json(f, rep);
    case OUT_SMALLER: return compare_write_bench_json(f, rep, false);
    case OUT_BIGGER: return compare_write_bench_json(f, rep, true);
    case NOUTPUTS: break;
    }
    return -1;
}

static int write_outputs(const struct compare_report *rep, const struct files *fl)
{
    int rc = write_one(rep, fl->stdout_format, stdout);
    for (int o = OUT_MARKDOWN; o < NOUTPUTS; o++) {
        if (!fl->path[o])
            continue;
        FILE *f = strcmp(fl->path[o], "-") == 0 ? stdout : fopen(fl->path[o], "w");
        if (!f) {
            fprintf(stderr, "allocscope compare: %s: %s\n", fl->path[o], strerror(errno));
            return -1;
        }
        if (write_one(rep, (enum output)o, f) != 0 || ferror(f))
            rc = -1;
        if (f != stdout && fclose(f) != 0)
            rc = -1;
        if (rc)
            fprintf(stderr, "allocscope compare: %s: write failed\n", fl->path[o]);
    }
    fflush(stdout);
    return rc;
}

/* What the command line chose beyond the verdict options. */
struct choices {
    const char *baselines;
    const char *base_alloc, *new_alloc; /* paired mode when both are set */
    bool metrics_given, time_threshold_given;
};

/* Options into opts/fl; returns -1 on a usage error, 1 for --help. */
static int parse_options(int argc, char **argv, struct compare_options *opts, struct files *fl,
                         struct choices *ch)
{
    enum { O_TIME = 256, O_MEMORY, O_ALPHA, O_FORCE, O_MD, O_JSON, O_SMALLER, O_BIGGER,
           O_BASELINES, O_FORCE_MACHINE, O_ALLOW_PARTIAL, O_COUNT, O_BASE, O_NEW };
    static const struct option longopts[] = {
        {"threshold", required_argument, NULL, 't'},
        {"time-threshold", required_argument, NULL, O_TIME},
        {"memory-threshold", required_argument, NULL, O_MEMORY},
        {"count-threshold", required_argument, NULL, O_COUNT},
        {"base", required_argument, NULL, O_BASE},
        {"new", required_argument, NULL, O_NEW},
        {"alpha", required_argument, NULL, O_ALPHA},
        {"metric", required_argument, NULL, 'm'},
        {"force", no_argument, NULL, O_FORCE},
        {"force-machine", no_argument, NULL, O_FORCE_MACHINE},
        {"allow-partial", no_argument, NULL, O_ALLOW_PARTIAL},
        {"format", required_argument, NULL, 'f'},
        {"markdown", required_argument, NULL, O_MD},
        {"json", required_argument, NULL, O_JSON},
        {"json-smaller", required_argument, NULL, O_SMALLER},
        {"json-bigger", required_argument, NULL, O_BIGGER},
        {"baselines", required_argument, NULL, O_BASELINES},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char bad[64];
    int c;
    optind = 0; /* full re-initialisation: commands may run more than once */
    while ((c = getopt_long(argc, argv, "t:m:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (parse_pct("--threshold", optarg, &opts->time_threshold) != 0)
                return -1;
            opts->memory_threshold = opts->count_threshold = opts->time_threshold;
            ch->time_threshold_given = true;
            break;
        case O_TIME:
            if (parse_pct("--time-threshold", optarg, &opts->time_threshold) != 0)
                return -1;
            ch->time_threshold_given = true;
            break;
        case O_COUNT:
            if (parse_pct("--count-threshold", optarg, &opts->count_threshold) != 0)
                return -1;
            break;
        case O_BASE: ch->base_alloc = optarg; break;
        case O_NEW: ch->new_alloc = optarg; break;
        case O_MEMORY:
            if (parse_pct("--memory-threshold", optarg, &opts->memory_threshold) != 0)
                return -1;
            break;
        case O_ALPHA:
            if (parse_pct("--alpha", optarg, &opts->alpha) != 0 || opts->alpha <= 0 ||
                opts->alpha >= 1) {
                fprintf(stderr, "allocscope compare: --alpha must be between 0 and 1\n");
                return -1;
            }
            break;
        case 'm':
            if (!ch->metrics_given)
                memset(opts->selected, 0, sizeof opts->selected);
            ch->metrics_given = true;
            if (metric_parse_list(optarg, opts->selected, bad, sizeof bad) != 0) {
                fprintf(stderr, "allocscope compare: unknown metric '%s' (see --help)\n", bad);
                return -1;
            }
            break;
        case O_FORCE: opts->force = true; break;
        case O_FORCE_MACHINE: opts->force_machine = true; break;
        case O_ALLOW_PARTIAL: opts->allow_partial = true; break;
        case 'f':
            if (strcmp(optarg, "table") == 0)
                fl->stdout_format = OUT_TABLE;
            else if (strcmp(optarg, "markdown") == 0)
                fl->stdout_format = OUT_MARKDOWN;
            else if (strcmp(optarg, "json") == 0)
                fl->stdout_format = OUT_JSON;
            else {
                fprintf(stderr, "allocscope compare: --format table, markdown or json\n");
                return -1;
            }
            break;
        case O_MD: fl->path[OUT_MARKDOWN] = optarg; break;
        case O_JSON: fl->path[OUT_JSON] = optarg; break;
        case O_SMALLER: fl->path[OUT_SMALLER] = optarg; break;
        case O_BIGGER: fl->path[OUT_BIGGER] = optarg; break;
        case O_BASELINES: ch->baselines = optarg; break;
        case 'h': return 1;
        default: return -1;
        }
    }
    return 0;
}

/* The paired verdict of two allocators of one run. */
static int compare_allocators(const char *dir, const struct choices *ch,
                              struct compare_options *opts, const struct files *fl)
{
    char err[1024];
    struct run_data run;
    if (run_load(dir, &run, err, sizeof err) != 0) {
        fprintf(stderr, "allocscope compare: %s\n", err);
        return EXIT_USAGE;
    }
    int status = EXIT_USAGE;
    bool has_base = false, has_new = false;
    for (size_t i = 0; i < run.ngroups; i++) {
        has_base |= strcmp(run.groups[i].allocator, ch->base_alloc) == 0;
        has_new |= strcmp(run.groups[i].allocator, ch->new_alloc) == 0;
    }
    if (strcmp(ch->base_alloc, ch->new_alloc) == 0)
        fprintf(stderr, "allocscope compare: --base and --new name the same allocator\n");
    else if (!has_base || !has_new)
        fprintf(stderr, "allocscope compare: %s has no rows of allocator '%s'\n", dir,
                has_base ? ch->new_alloc : ch->base_alloc);
    else {
        if (!ch->time_threshold_given)
            opts->time_threshold = COMPARE_PAIRED_DEFAULT_TIME_THRESHOLD;
        if (!ch->metrics_given) {
            const struct run_data *runs[1] = {&run};
            compare_default_metrics(runs, 1, opts->selected);
        }
        struct compare_report rep;
        compare_paired(&run, ch->base_alloc, ch->new_alloc, opts, &rep);
        if (rep.partial[0])
            fprintf(stderr, "allocscope compare: %s%s\n", rep.partial,
                    opts->allow_partial ? " (allowed by --allow-partial)"
                                        : "; not a verdict: --allow-partial to accept it");
        status = compare_exit_status(&rep);
        if (write_outputs(&rep, fl) != 0)
            status = EXIT_USAGE;
        compare_report_free(&rep);
    }
    run_free(&run);
    return status;
}

int cmd_compare(int argc, char **argv)
{
    struct compare_options opts;
    compare_options_default(&opts);
    struct files fl = {.stdout_format = OUT_TABLE};
    struct choices ch = {.baselines = BASELINE_DEFAULT_DIR};
    int p = parse_options(argc, argv, &opts, &fl, &ch);
    if (p == 1) {
        usage(stdout);
        return EXIT_OK;
    }
    bool paired = ch.base_alloc || ch.new_alloc;
    int want = paired ? 1 : 2;
    if (p == 0 && paired && (!ch.base_alloc || !ch.new_alloc)) {
        fprintf(stderr, "allocscope compare: a paired verdict needs both --base and --new\n");
        p = -1;
    } else if (p == 0 && argc - optind != want) {
        fprintf(stderr, "allocscope compare: need %s\n",
                paired ? "exactly one RUN with --base/--new" : "BASE and NEW");
        p = -1;
    }
    if (p != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!ch.baselines[0]) {
        fprintf(stderr, "allocscope compare: --baselines: an empty path (an unset "
                        "variable?); name a directory\n");
        return EXIT_USAGE;
    }
    if (paired)
        return compare_allocators(argv[optind], &ch, &opts, &fl);
    char base_dir[4096], err[1024];
    if (baseline_resolve(argv[optind], ch.baselines, base_dir, sizeof base_dir, err,
                         sizeof err) != 0) {
        fprintf(stderr, "allocscope compare: %s\n", err);
        return EXIT_USAGE;
    }
    struct run_data base, new;
    if (run_load(base_dir, &base, err, sizeof err) != 0) {
        fprintf(stderr, "allocscope compare: %s\n", err);
        return EXIT_USAGE;
    }
    if (run_load(argv[optind + 1], &new, err, sizeof err) != 0) {
        fprintf(stderr, "allocscope compare: %s\n", err);
        run_free(&base);
        return EXIT_USAGE;
    }
    if (!ch.metrics_given) {
        const struct run_data *runs[2] = {&base, &new};
        compare_default_metrics(runs, 2, opts.selected);
    }
    struct compare_report rep;
    compare_runs(&base, &new, &opts, &rep);
    int status = compare_exit_status(&rep);
    if (rep.partial[0])
        fprintf(stderr, "allocscope compare: %s%s\n", rep.partial,
                opts.allow_partial ? " (allowed by --allow-partial)"
                                   : "; not a verdict: --allow-partial to accept it");
    if (write_outputs(&rep, &fl) != 0)
        status = EXIT_USAGE;
    compare_report_free(&rep);
    run_free(&base);
    run_free(&new);
    return status;
}
