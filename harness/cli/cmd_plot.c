/* cmd_plot.c - `allocscope plot RUN_DIR [-o DIR]`: (re)render a run's
 * charts and report.html (plot.h does the work). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "plot.h"

static void usage(FILE *out)
{
    fputs("usage: allocscope plot RUN_DIR [-o DIR]\n\n"
          "Render the charts of a run directory (made by 'allocscope run') with gnuplot\n"
          "and write its HTML report. Each chart is a self-contained gnuplot script,\n"
          "PLOTS/<chart>.gp, drawn to <chart>.svg and <chart>.png beside it; edit one and\n"
          "re-render it with 'gnuplot PLOTS/<chart>.gp'.\n\n"
          "options:\n"
          "  -o, --out DIR   write plots/ and report.html into DIR (default: RUN_DIR)\n"
          "  -q, --quiet     print nothing on success\n"
          "  -h, --help      show this help\n\n"
          "writes: DIR/plots/*.gp|svg|png, DIR/report.html (opens from disk)\n"
          "exit status: 0 rendered; 2 usage error, not a run directory, or no report could\n"
          "be written; 4 report.html written but some chart could not be drawn (the\n"
          "report says which, in its place)\n",
          out);
}

int cmd_plot(int argc, char **argv)
{
    /* Other modes of `plot` dispatch here, before the single-run options
     * are parsed (e.g. `--history RUN...`). */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--history") == 0)
            return cmd_plot_history(argc, argv);

    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "allocscope plot: %s\n\n",
                argc - optind < 1 ? "RUN_DIR is required" : "exactly one RUN_DIR");
        usage(stderr);
        return EXIT_USAGE;
    }
    if (out && !out[0]) {
        fprintf(stderr, "allocscope plot: -o: an empty path (an unset variable?); name a "
                        "directory\n");
        return EXIT_USAGE;
    }
    char err[4096];
    int rc = plot_render_run(argv[optind], out, quiet, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "allocscope plot: %s\n", err);
        return EXIT_USAGE;
    }
    if (rc > 0) {
        fprintf(stderr, "allocscope plot: %s\n", err);
        return EXIT_NOT_WRITTEN;
    }
    return EXIT_OK;
}
