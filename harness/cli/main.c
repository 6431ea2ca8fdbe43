/* main.c - allocscope's entry point: a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "run workloads against allocators and record results"},
    {"exec", cmd_exec, "run one program under each allocator, sampled from outside"},
    {"check", cmd_check, "validate workload and suite files"},
    {"list", cmd_list, "list allocators and shipped workloads"},
    {"plot", cmd_plot, "render a run's charts (gnuplot) and report.html"},
    {"compare", cmd_compare, "regression verdict between two runs, or two allocators of one (CI)"},
    {"baseline", cmd_baseline, "save a run as a named baseline, list baselines"},
    {"record", cmd_record, "record a program's allocation calls into a trace"},
    {"trace", cmd_trace, "summarize a trace (info), fit a workload to it (fit)"},
    {"ab", cmd_ab, "two builds of an allocator, interleaved in one run, paired verdict (CI)"},
    {"merge", cmd_merge, "combine the shards of 'run --shard I/N' into one run"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: allocscope <command> [options]\n\n"
                 "Benchmark memory allocators on YAML-defined workloads and draw what\n"
                 "they did: program break, resident memory, TLB misses, page faults,\n"
                 "latency and fragmentation over time.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'allocscope <command> --help' describes a command.\n"
                 "--version prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("allocscope %s (commit %s)\n", ALLOCSCOPE_VERSION, ALLOCSCOPE_GIT_COMMIT);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "allocscope: unknown command '%s'\n\n", name);
    usage(stderr);
    return EXIT_USAGE;
}
