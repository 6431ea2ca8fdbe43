/* cmd_baseline.c - `allocscope baseline save NAME RUN` and
 * `allocscope baseline list`: named runs to compare against in CI. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "commands.h"
#include "run_reader.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: allocscope baseline save [--samples] [--replace] NAME RUN_DIR\n"
               "       allocscope baseline list\n\n"
               "save: copy RUN_DIR's run.json and summary.csv (and samples/ with --samples)\n"
               "      to BASELINES/NAME, ready to commit; 'allocscope compare NAME NEW'\n"
               "      then compares against it.\n"
               "list: the saved baselines with their commit, start time and machine.\n\n"
               "options:\n"
               "      --baselines DIR  where baselines live; default %s\n"
               "      --samples        also copy the time series (large)\n"
               "      --replace        overwrite an existing baseline of that name\n"
               "  -h, --help           this text\n",
               BASELINE_DEFAULT_DIR);
}

static int list(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("no baselines in %s\n", dir);
        return EXIT_OK;
    }
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (!baseline_name_ok(e->d_name))
            continue;
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct run_data r;
        if (run_load(path, &r, err, sizeof err) != 0)
            continue;
        printf("%-20s commit %-12s %-20s %s, %s\n", e->d_name,
               r.git_commit[0] ? r.git_commit : "?", r.started_at, r.cpu_model, r.kernel);
        run_free(&r);
        n++;
    }
    closedir(d);
    if (n == 0)
        printf("no baselines in %s\n", dir);
    return EXIT_OK;
}

int cmd_baseline(int argc, char **argv)
{
    enum { O_BASELINES = 256, O_SAMPLES, O_REPLACE };
    static const struct option longopts[] = {
        {"baselines", required_argument, NULL, O_BASELINES},
        {"samples", no_argument, NULL, O_SAMPLES},
        {"replace", no_argument, NULL, O_REPLACE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = BASELINE_DEFAULT_DIR;
    bool samples = false, replace = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_BASELINES: dir = optarg; break;
        case O_SAMPLES: samples = true; break;
        case O_REPLACE: replace = true; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (!dir[0]) {
        fprintf(stderr, "allocscope baseline: --baselines: an empty path (an unset "
                        "variable?); name a directory\n");
        return EXIT_USAGE;
    }
    int n = argc - optind;
    char **args = argv + optind;
    if (n == 1 && strcmp(args[0], "list") == 0)
        return list(dir);
    if (n == 3 && strcmp(args[0], "save") == 0) {
        char err[1024];
        if (baseline_save(args[1], args[2], dir, samples, replace, err, sizeof err) != 0) {
            fprintf(stderr, "allocscope baseline: %s\n", err);
            return EXIT_USAGE;
        }
        printf("saved %s as baseline '%s' in %s/%s\n", args[2], args[1], dir, args[1]);
        return EXIT_OK;
    }
    usage(stderr);
    return EXIT_USAGE;
}
