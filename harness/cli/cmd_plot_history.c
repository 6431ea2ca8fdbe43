/* cmd_plot_history.c - `allocscope plot --history RUN...`: a metric across
 * many runs, labelled by commit (see history.h). `allocscope plot`
 * forwards here when --history is given. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "commands.h"
#include "history.h"

#ifndef ALLOCSCOPE_GNUPLOT
#define ALLOCSCOPE_GNUPLOT "/usr/bin/gnuplot"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: allocscope plot --history [options] RUN...\n\n"
            "Chart metrics across runs (oldest first, in the order given): one line per\n"
            "(workload, allocator), the median with the min-max range of the repetitions,\n"
            "the runs labelled by commit and date. Each chart is written with the\n"
            "self-contained gnuplot script that drew it (same name, .gp).\n"
            "A RUN may also name a saved baseline.\n\n"
            "options:\n"
            "  -o, --out PATH        FILE.svg / FILE.png for one metric, or a folder for\n"
            "                        history-METRIC.svg files (default: .)\n"
            "  -m, --metric LIST     metrics (default: the key metrics that have values;\n"
            "                        'allocscope compare --help' lists them)\n"
            "  -w, --workload LIST   only these workloads (comma separated)\n"
            "  -a, --allocator LIST  only these allocators\n"
            "      --labels LIST     x labels, one per run (default: run.json label, else\n"
            "                        the harness commit, plus the date)\n"
            "      --baselines DIR   where named baselines live; default %s\n"
            "  -h, --help            this text\n",
            BASELINE_DEFAULT_DIR);
}

struct history_args {
    const char *out, *labels, *baselines;
    struct history_filter flt;
    bool selected[METRIC_MAX], metrics_given;
};

static int parse(int argc, char **argv, struct history_args *a)
{
    enum { O_HISTORY = 256, O_LABELS, O_BASELINES };
    static const struct option longopts[] = {
        {"history", no_argument, NULL, O_HISTORY},
        {"out", required_argument, NULL, 'o'},
        {"metric", required_argument, NULL, 'm'},
        {"workload", required_argument, NULL, 'w'},
        {"allocator", required_argument, NULL, 'a'},
        {"labels", required_argument, NULL, O_LABELS},
        {"baselines", required_argument, NULL, O_BASELINES},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char bad[64];
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:m:w:a:h", longopts, NULL)) != -1) {
        switch (c) {
        case O_HISTORY: break;
        case 'o': a->out = optarg; break;
        case 'm':
            a->metrics_given = true;
            if (metric_parse_list(optarg, a->selected, bad, sizeof bad) != 0) {
                fprintf(stderr, "allocscope plot: unknown metric '%s'\n", bad);
                return -1;
            }
            break;
        case 'w': a->flt.workloads = optarg; break;
        case 'a': a->flt.allocators = optarg; break;
        case O_LABELS: a->labels = optarg; break;
        case O_BASELINES: a->baselines = optarg; break;
        case 'h': return 1;
        default: return -1;
        }
    }
    return 0;
}

/* Split "a,b,c" into n labels; returns -1 when the count differs. */
static int split_labels(const char *list, char **labels, size_t n)
{
    size_t fields = 1;
    for (const char *p = list; *p; p++)
        fields += *p == ',';
    if (fields != n)
        return -1;
    const char *p = list;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(p, ",");
        labels[i] = strndup(p, len);
        if (!labels[i])
            abort();
        p += len + (p[len] == ',');
    }
    return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Draw one metric; returns 0 drawn, 1 no values, -1 error. */
static int draw(const struct run_data *runs, char *const *labels, size_t n,
                const struct metric_def *m, const struct history_args *a, bool to_file)
{
    char image[4096], script[4096], err[1024];
    if (to_file)
        snprintf(image, sizeof image, "%s", a->out);
    else
        snprintf(image, sizeof image, "%s/history-%s.svg", a->out ? a->out : ".", m->name);
    snprintf(script, sizeof script, "%.*s.gp", (int)(strlen(image) - 4), image);
    if (!history_path_ok(image)) {
        fprintf(stderr, "allocscope plot: %s: an output path must not hold quotes, backquotes "
                        "or control characters\n", image);
        return -1;
    }
    FILE *f = fopen(script, "w");
    if (!f) {
        fprintf(stderr, "allocscope plot: %s: %s\n", script, strerror(errno));
        return -1;
    }
    int lines = history_write_script(f, runs, labels, n, m, &a->flt, image);
    if (fclose(f) != 0 || lines < 0) {
        fprintf(stderr, "allocscope plot: %s: write failed\n", script);
        return -1;
    }
    if (lines == 0) {
        remove(script);
        return 1;
    }
    if (history_run_gnuplot(ALLOCSCOPE_GNUPLOT, script, err, sizeof err) != 0) {
        fprintf(stderr, "allocscope plot: %s\n", err);
        return -1;
    }
    printf("%s: %s, %d line%s over %zu runs (script %s)\n", image, m->label, lines,
           lines == 1 ? "" : "s", n, script);
    return 0;
}

int cmd_plot_history(int argc, char **argv)
{
    struct history_args a = {.baselines = BASELINE_DEFAULT_DIR};
    int p = parse(argc, argv, &a);
    if (p == 1) {
        usage(stdout);
        return EXIT_OK;
    }
    size_t n = p == 0 && optind < argc ? (size_t)(argc - optind) : 0;
    if (n == 0) {
        if (p == 0)
            fprintf(stderr, "allocscope plot --history: name at least one run\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((a.out && !a.out[0]) || !a.baselines[0]) {
        fprintf(stderr, "allocscope plot --history: %s: an empty path (an unset variable?)\n",
                a.out && !a.out[0] ? "-o" : "--baselines");
        return EXIT_USAGE;
    }
    char **paths = argv + optind;
    bool to_file = a.out && (has_suffix(a.out, ".svg") || has_suffix(a.out, ".png"));
    size_t nmetrics = 0;
    if (!a.metrics_given)
        for (size_t i = 0; i < metric_count; i++)
            a.selected[i] = metric_defs[i].key;
    for (size_t i = 0; i < metric_count; i++)
        nmetrics += a.selected[i];
    if (to_file && nmetrics != 1) {
        fprintf(stderr, "allocscope plot --history: -o %s draws one metric; pick it with -m "
                        "or give a folder\n", a.out);
        return EXIT_USAGE;
    }
    if (a.out && !to_file && mkdir(a.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "allocscope plot: %s: %s\n", a.out, strerror(errno));
        return EXIT_USAGE;
    }
    struct run_data *runs = calloc(n, sizeof *runs);
    char **labels = calloc(n, sizeof *labels);
    if (!runs || !labels)
        abort();
    int status = EXIT_OK;
    size_t loaded = 0;
    char dir[4096], err[1024];
    for (; loaded < n; loaded++) {
        if (baseline_resolve(paths[loaded], a.baselines, dir, sizeof dir, err, sizeof err) != 0 ||
            run_load(dir, &runs[loaded], err, sizeof err) != 0) {
            fprintf(stderr, "allocscope plot: %s\n", err);
            status = EXIT_USAGE;
            break;
        }
    }
    if (status == EXIT_OK && a.labels && split_labels(a.labels, labels, n) != 0) {
        fprintf(stderr, "allocscope plot: --labels needs %zu labels, one per run\n", n);
        status = EXIT_USAGE;
    }
    for (size_t i = 0; status == EXIT_OK && i < n; i++) {
        if (!labels[i]) {
            char buf[256];
            history_run_label(&runs[i], buf, sizeof buf);
            labels[i] = strdup(buf);
            if (!labels[i])
                abort();
        }
    }
    size_t drawn = 0;
    for (size_t i = 0; status == EXIT_OK && i < metric_count; i++) {
        if (!a.selected[i])
            continue;
        int rc = draw(runs, labels, n, &metric_defs[i], &a, to_file);
        if (rc < 0)
            status = EXIT_USAGE;
        else if (rc == 0)
            drawn++;
        else
            fprintf(stderr, "allocscope plot: %s has no values in these runs (unsupported "
                            "or filtered out): no chart\n", metric_defs[i].name);
    }
    if (status == EXIT_OK && drawn == 0)
        status = EXIT_USAGE;
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    for (size_t i = 0; i < loaded; i++)
        run_free(&runs[i]);
    free(labels);
    free(runs);
    return status;
}
