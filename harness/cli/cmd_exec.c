/* cmd_exec.c - `allocscope exec -- PROG ARGS...`: one real program as a
 * one-off workload under every allocator, like hyperfine for allocators;
 * the same run directory, charts and report as `allocscope run`. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "run_shared.h"
#include "xalloc.h"

#define EXEC_DEFAULT_REPS 3
#define EXEC_DEFAULT_TIMEOUT_S 600

static void usage(FILE *out)
{
    fprintf(out,
            "usage: allocscope exec [options] -- PROG [ARGS...]\n\n"
            "Run PROG under each allocator (LD_PRELOAD), one fresh process per\n"
            "(allocator, repetition), sampled from outside through /proc every\n"
            "10 ms: resident memory, heap, program break, page faults, threads;\n"
            "peak RSS from the kernel (wait4), wall/user/sys time, exit status\n"
            "and a hash of stdout. A probe preloaded beside the allocator checks\n"
            "that it really serves malloc. Writes a run directory like `run`.\n\n"
            "options:\n"
            "  -a, --allocators A,B,...  allocators (default glibc,jemalloc,mimalloc,\n"
            "                            reference)\n"
            "  -r, --reps N              repetitions (default %d)\n"
            "  -o, --out DIR             run directory (default results/YYYYmmdd-HHMMSS)\n"
            "  -n, --name NAME           workload name (default: PROG's file name)\n"
            "      --timeout SECONDS     per-run limit (default %d)\n"
            "      --sample-interval DUR sampling interval: 500us..60s or none\n"
            "                            (default 10ms)\n"
            "      --no-plots            do not render charts and report.html\n"
            "      --registry FILE       allocator registry (default allocators/registry.yaml)\n"
            "  -h, --help                this help\n\n"
            "The program's stdin is /dev/null; its stdout is hashed (output_hash) and\n"
            "kept only for failed runs, its stderr goes to samples/<name>/*.log.\n"
            "A run fails when PROG exits non-zero.\n\n"
            "exit status: 0 all runs ok, 2 invalid input (nothing run), 3 some runs\n"
            "failed, 130 interrupted.\n"
            "example: allocscope exec -a glibc,jemalloc -r 5 -- python3 script.py\n",
            EXEC_DEFAULT_REPS, EXEC_DEFAULT_TIMEOUT_S);
}

/* PROG's file name, made a valid workload name. */
static void default_name(const char *prog, char *out, size_t len)
{
    const char *base = strrchr(prog, '/');
    base = base ? base + 1 : prog;
    size_t k = 0;
    for (const char *c = base; *c && k + 1 < len && k < 60; c++)
        out[k++] = (strchr("._-", *c) || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
                    (*c >= 'A' && *c <= 'Z'))
                       ? *c
                       : '_';
    out[k] = '\0';
    if (k == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        snprintf(out, len, "program");
}

int cmd_exec(int argc, char **argv)
{
    enum { OPT_NO_PLOTS = 256, OPT_TIMEOUT, OPT_REGISTRY, OPT_INTERVAL };
    static const struct option longopts[] = {
        {"allocators", required_argument, NULL, 'a'},
        {"reps", required_argument, NULL, 'r'},
        {"out", required_argument, NULL, 'o'},
        {"name", required_argument, NULL, 'n'},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"sample-interval", required_argument, NULL, OPT_INTERVAL},
        {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
        {"registry", required_argument, NULL, OPT_REGISTRY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct run_options o = {.interval_s = -1, .command = "exec",
                            .timeout_s = EXEC_DEFAULT_TIMEOUT_S, .reps = EXEC_DEFAULT_REPS};
    const char *name = NULL;
    int c;
    char *end;
    /* '+': options end at PROG, so PROG's own options are left alone. */
    while ((c = getopt_long(argc, argv, "+a:r:o:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a':
            o.allocators = optarg;
            break;
        case 'r': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || v < 1 || v > 1000) {
                fprintf(stderr, "allocscope exec: --reps must be 1..1000, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            o.reps = (unsigned)v;
            break;
        }
        case 'o':
            o.out = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case OPT_TIMEOUT:
            o.timeout_s = strtod(optarg, &end);
            if (*end || !(o.timeout_s > 0)) {
                fprintf(stderr, "allocscope exec: --timeout must be > 0 seconds, got '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_INTERVAL:
            if (parse_interval(optarg, &o.interval_s) < 0) {
                fprintf(stderr, "allocscope exec: --sample-interval is a duration (500us, 10ms, "
                                "1s) of 1ms..60s or 'none', got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_NO_PLOTS:
            o.no_plots = true;
            break;
        case OPT_REGISTRY:
            o.registry = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "allocscope exec: no program given\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    char wname[64];
    if (name)
        snprintf(wname, sizeof wname, "%s", name);
    else
        default_name(argv[optind], wname, sizeof wname);
    if (!results_safe_component(wname) || strlen(wname) >= SPEC_MAX_NAME) {
        fprintf(stderr, "allocscope exec: --name '%s' must be 1..63 characters of "
                        "A-Z a-z 0-9 . _ -\n", wname);
        return EXIT_USAGE;
    }
    struct workload_set set = {0};
    set.suites = xcalloc(1, sizeof *set.suites);
    struct spec_error err;
    if (spec_program_from_argv(wname, argv + optind, (size_t)(argc - optind), o.timeout_s,
                               o.interval_s >= 0 ? o.interval_s : PROGRAM_DEFAULT_INTERVAL_S,
                               &set.suites[0], &err) < 0) {
        fprintf(stderr, "%s\n", err.message);
        free(set.suites);
        return EXIT_USAGE;
    }
    set.suite_count = 1;
    set.items = xcalloc(1, sizeof *set.items);
    set.items[0] = &set.suites[0].workloads[0];
    set.count = 1;
    /* run.json records "allocscope exec ..." with PROG and its arguments. */
    return run_workload_set(argc, argv, &o, &set);
}
