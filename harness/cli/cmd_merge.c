/* cmd_merge.c - `allocscope merge -o OUT RUN...`: the shards of a
 * `run --shard I/N` combined into one run directory (run_merge.h). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "run_merge.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: allocscope merge -o OUT [--partial] RUN...\n\n"
            "Combine the shards of 'allocscope run --shard I/N' (each run directory one\n"
            "shard, e.g. from the jobs of a CI matrix) into one run directory OUT, as if\n"
            "one run had made it: summary.csv rows, samples/, and a run.json listing\n"
            "every input under merged_from. Runs that are not shards can be merged too\n"
            "(e.g. repetitions made in two goes) as long as no row is in both.\n\n"
            "Refused, with the reason: shards of different counts or workload lists, a\n"
            "shard twice or missing, the same (workload, allocator, rep) twice, rows of\n"
            "one workload from different hosts (its allocators are compared with each\n"
            "other), an allocator with another library or env settings, a workload with\n"
            "another spec, --quick and full-size runs, different instruction counting.\n\n"
            "options:\n"
            "  -o, --out DIR   the merged run (must not hold a run yet)\n"
            "      --partial   merge the shards that are there, some missing\n"
            "  -h, --help      this text\n\n"
            "Charts are not drawn: 'allocscope plot OUT' draws them.\n"
            "exit status: 0 merged, 2 refused or bad input (nothing written).\n");
}

int cmd_merge(int argc, char **argv)
{
    enum { O_PARTIAL = 256 };
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"partial", no_argument, NULL, O_PARTIAL},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    bool partial = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case O_PARTIAL: partial = true; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (!out || optind >= argc) {
        fprintf(stderr, "allocscope merge: need -o OUT and at least one RUN\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    char err[2048];
    if (run_merge(argv + optind, (size_t)(argc - optind), out, partial, argc, argv, err,
                  sizeof err) != 0) {
        fprintf(stderr, "allocscope merge: %s\n", err);
        return EXIT_USAGE;
    }
    fprintf(stderr, "allocscope merge: %d run(s) -> %s\n", argc - optind, out);
    return EXIT_OK;
}
