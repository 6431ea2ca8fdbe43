/* cmd_trace.c - `allocscope trace info|fit FILE`: what is in a recorded
 * trace (cmd_trace_info.c), and a synthetic workload fitted to it
 * (cmd_trace_fit.c). */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: allocscope trace info [--json] FILE\n"
                 "       allocscope trace fit FILE [-o WORKLOAD.yaml]\n\n"
                 "info  events, threads, duration, size and lifetime histograms, peak live\n"
                 "      bytes, cross-thread frees, and how the recording ended\n"
                 "fit   a synthetic workload with the trace's size table, free order,\n"
                 "      live set, operation mix and threads: a profile to share without\n"
                 "      sharing the trace\n\n"
                 "Traces are written by 'allocscope record' (docs/trace-format.md).\n"
                 "'allocscope trace info --help' and 'allocscope trace fit --help' say more.\n\n"
                 "exit status: 0 ok, 2 usage error or an unreadable trace\n"
                 "('FILE: offset N: message').\n");
}

int cmd_trace(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "info") == 0)
        return cmd_trace_info(argc - 1, argv + 1);
    if (strcmp(argv[1], "fit") == 0)
        return cmd_trace_fit(argc - 1, argv + 1);
    fprintf(stderr, "allocscope trace: unknown subcommand '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
