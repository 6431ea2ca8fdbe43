/* cmd_check.c - `allocscope check FILE.yaml ...`: load each workload or
 * suite file and report it, without running anything.
 *
 * Valid:   "FILE: ok (N workloads, M phases)" on stdout.
 * Invalid: the loader's one "FILE:LINE:COL: message" line on stderr.
 * Exit status 0 when every file is valid, 2 otherwise or on usage error. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "spec.h"
#include "trace_facts.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: allocscope check FILE.yaml ...\n\n"
                 "Validate workload and suite files without running them. Each valid file\n"
                 "prints 'FILE: ok (N workloads, M phases)'; each invalid one prints its\n"
                 "first error as 'FILE:LINE:COL: message' on stderr. The trace of a trace\n"
                 "workload is read whole; an unreadable one is reported as\n"
                 "'TRACE: offset N: message'.\n\n"
                 "options:\n"
                 "  -h, --help  show this help\n\n"
                 "exit status: 0 all files valid, 2 an invalid file or a usage error.\n"
                 "The workload language is described in docs/workloads.md.\n");
}

static int check_file(const char *path)
{
    struct suite_spec suite;
    struct spec_error err;
    if (spec_load_file(path, &suite, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    size_t phases = 0;
    for (size_t i = 0; i < suite.workload_count; i++)
        phases += suite.workloads[i].phase_count;
    /* A trace workload's trace is read whole: check finds what run would. */
    for (size_t i = 0; i < suite.workload_count; i++) {
        const struct workload_spec *w = &suite.workloads[i];
        struct trace_facts f;
        char err[1200];
        if (!w->trace_path)
            continue;
        if (trace_scan(w->trace_path, &f, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            spec_free(&suite);
            return -1;
        }
        trace_facts_free(&f);
    }
    printf("%s: ok (%zu workload%s, %zu phase%s)\n", path, suite.workload_count,
           suite.workload_count == 1 ? "" : "s", phases, phases == 1 ? "" : "s");
    spec_free(&suite);
    return 0;
}

int cmd_check(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0; /* glibc: restart scanning, whatever ran getopt before */
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return EXIT_OK;
        }
        if (optopt)
            fprintf(stderr, "allocscope check: unknown option '-%c'\n\n", optopt);
        else
            fprintf(stderr, "allocscope check: unknown option '%s'\n\n", argv[optind - 1]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        fprintf(stderr, "allocscope check: no files given\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    for (int i = optind; i < argc; i++)
        if (check_file(argv[i]) != 0)
            status = EXIT_USAGE;
    fflush(stdout);
    return status;
}
