/* cmd_ab.c - `allocscope ab BASE.so NEW.so [SUITE...]`: the one-step CI
 * check. Both builds become allocators of one run (`run -a
 * base=BASE,new=NEW`), measured interleaved, repetition by repetition in a
 * random order, then judged with the paired verdict (`compare RUN --base
 * base --new new`). Options of either step pass through. */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "instr_method.h"
#include "xalloc.h"

/* Repetitions: enough pairs for the signed-rank test to see a few per cent
 * on a shared machine (docs/ci.md, "Measured"); under callgrind the counts
 * repeat exactly, so two show that. */
#define AB_DEFAULT_REPS 15
#define AB_DEFAULT_REPS_CALLGRIND 2

static void usage(FILE *f)
{
    fprintf(f,
            "usage: allocscope ab [options] BASE NEW [WORKLOAD_OR_SUITE.yaml ...]\n\n"
            "Measure two builds of an allocator in one run and say whether NEW regressed\n"
            "against BASE. BASE and NEW are libraries to preload (a path: it holds a '/')\n"
            "or registry allocators (e.g. glibc). They run as allocators 'base' and 'new'\n"
            "of one 'allocscope run', side by side in every repetition, in a fresh random\n"
            "order each time; then 'allocscope compare RUN --base base --new new' judges\n"
            "them pair by pair (beyond the threshold and a Wilcoxon signed-rank test).\n"
            "With no file, the shipped default suite.\n\n"
            "run options:\n"
            "  -r, --reps N              repetitions (default %d; with --instructions\n"
            "                            under callgrind %d)\n"
            "  -o, --out DIR             run directory (default results/ab-YYYYmmdd-HHMMSS)\n"
            "      --quick               shrink every workload ~10x\n"
            "      --env SIDE:NAME=VALUE env setting for base or new (repeatable)\n"
            "      --instructions[=HOW]  count instructions per op (see run --help) and\n"
            "                            judge them (--count-threshold)\n"
            "      --order-seed N, --timeout S, --sample-interval MS, --registry FILE,\n"
            "      --no-plots            as for 'allocscope run'\n"
            "verdict options (as for 'allocscope compare'):\n"
            "  -t, --threshold PCT, --time-threshold PCT, --memory-threshold PCT,\n"
            "  --count-threshold PCT, --alpha P, -m/--metric LIST, --force,\n"
            "  -f/--format table|markdown|json, --markdown FILE, --json FILE,\n"
            "  --json-smaller FILE, --json-bigger FILE\n"
            "  -h, --help                this text\n\n"
            "exit status: 0 no regression, 1 NEW regressed, 2 bad input or nothing could\n"
            "be judged, 3 no regression found but some runs failed (their rows say why),\n"
            "130 interrupted.\n",
            AB_DEFAULT_REPS, AB_DEFAULT_REPS_CALLGRIND);
}

/* A growable argv. */
struct args {
    char **v;
    int n;
};

static void push(struct args *a, const char *s)
{
    a->v = xrealloc(a->v, (size_t)(a->n + 2) * sizeof *a->v);
    a->v[a->n++] = xstrdup(s);
    a->v[a->n] = NULL;
}

static void push2(struct args *a, const char *opt, const char *value)
{
    push(a, opt);
    push(a, value);
}

static void free_args(struct args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
}

static void default_out(char *out, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(out, len, "results/ab-%s", stamp);
    struct stat st;
    for (int i = 2; stat(out, &st) == 0 && i < 100; i++)
        snprintf(out, len, "results/ab-%s-%d", stamp, i);
}

int cmd_ab(int argc, char **argv)
{
    enum { O_QUICK = 256, O_ENV, O_INSTR, O_SEED, O_TIMEOUT, O_INTERVAL, O_REGISTRY, O_NOPLOTS,
           O_TIME, O_MEMORY, O_COUNT, O_ALPHA, O_FORCE, O_MD, O_JSON, O_SMALLER, O_BIGGER };
    static const struct option longopts[] = {
        {"reps", required_argument, NULL, 'r'},
        {"out", required_argument, NULL, 'o'},
        {"quick", no_argument, NULL, O_QUICK},
        {"env", required_argument, NULL, O_ENV},
        {"instructions", optional_argument, NULL, O_INSTR},
        {"order-seed", required_argument, NULL, O_SEED},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"sample-interval", required_argument, NULL, O_INTERVAL},
        {"registry", required_argument, NULL, O_REGISTRY},
        {"no-plots", no_argument, NULL, O_NOPLOTS},
        {"threshold", required_argument, NULL, 't'},
        {"time-threshold", required_argument, NULL, O_TIME},
        {"memory-threshold", required_argument, NULL, O_MEMORY},
        {"count-threshold", required_argument, NULL, O_COUNT},
        {"alpha", required_argument, NULL, O_ALPHA},
        {"metric", required_argument, NULL, 'm'},
        {"force", no_argument, NULL, O_FORCE},
        {"format", required_argument, NULL, 'f'},
        {"markdown", required_argument, NULL, O_MD},
        {"json", required_argument, NULL, O_JSON},
        {"json-smaller", required_argument, NULL, O_SMALLER},
        {"json-bigger", required_argument, NULL, O_BIGGER},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct args run = {0}, cmp = {0};
    const char *reps = NULL, *out = NULL, *instructions = NULL;
    push(&run, "run");
    push(&cmp, "compare");
    int c, idx = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, "r:o:t:m:f:h", longopts, &idx)) != -1) {
        const char *name = longopts[idx].name;
        switch (c) {
        case 'r': reps = optarg; break;
        case 'o': out = optarg; break;
        case O_INSTR:
            instructions = optarg ? optarg : "auto";
            break;
        case O_QUICK:
        case O_NOPLOTS:
            push(&run, c == O_QUICK ? "--quick" : "--no-plots");
            break;
        case O_ENV:
        case O_SEED:
        case O_TIMEOUT:
        case O_INTERVAL:
        case O_REGISTRY: {
            char opt[64];
            snprintf(opt, sizeof opt, "--%s", name);
            push2(&run, opt, optarg);
            break;
        }
        case O_FORCE:
            push(&cmp, "--force");
            break;
        case 't':
        case 'm':
        case 'f': {
            char opt[3] = {'-', (char)c, '\0'};
            push2(&cmp, opt, optarg);
            break;
        }
        case O_TIME:
        case O_MEMORY:
        case O_COUNT:
        case O_ALPHA:
        case O_MD:
        case O_JSON:
        case O_SMALLER:
        case O_BIGGER: {
            char opt[64];
            snprintf(opt, sizeof opt, "--%s", name);
            push2(&cmp, opt, optarg);
            break;
        }
        case 'h':
            usage(stdout);
            free_args(&run);
            free_args(&cmp);
            return EXIT_OK;
        default:
            usage(stderr);
            free_args(&run);
            free_args(&cmp);
            return EXIT_USAGE;
        }
        idx = 0;
    }
    if (argc - optind < 2) {
        fprintf(stderr, "allocscope ab: need BASE and NEW\n");
        usage(stderr);
        free_args(&run);
        free_args(&cmp);
        return EXIT_USAGE;
    }
    char dir[PATH_MAX], *allocs = NULL;
    if (out)
        snprintf(dir, sizeof dir, "%s", out);
    else
        default_out(dir, sizeof dir);
    if (asprintf(&allocs, "base=%s,new=%s", argv[optind], argv[optind + 1]) < 0)
        allocs = NULL;
    push2(&run, "-a", xalloc_check(allocs));
    free(allocs);
    char nreps[32];
    enum instr_method method = INSTR_NONE;
    char desc[256], why[512];
    if (instructions && instr_method_choose(instructions, &method, desc, sizeof desc, why,
                                            sizeof why) != 0)
        method = INSTR_NONE; /* run says why */
    bool callgrind = method == INSTR_CALLGRIND;
    snprintf(nreps, sizeof nreps, "%d", callgrind ? AB_DEFAULT_REPS_CALLGRIND : AB_DEFAULT_REPS);
    push2(&run, "-r", reps ? reps : nreps);
    push2(&run, "-o", dir);
    if (instructions) {
        char opt[64];
        snprintf(opt, sizeof opt, "--instructions=%s", instructions);
        push(&run, opt);
    }
    for (int i = optind + 2; i < argc; i++)
        push(&run, argv[i]);
    push(&cmp, dir);
    push2(&cmp, "--base", "base");
    push2(&cmp, "--new", "new");

    int run_status = cmd_run(run.n, run.v);
    int status = run_status;
    if (run_status == EXIT_OK || run_status == EXIT_RUNS_FAILED) {
        int verdict = cmd_compare(cmp.n, cmp.v);
        status = verdict != EXIT_OK ? verdict : run_status;
        fprintf(stderr, "allocscope ab: run %s, %s\n", dir,
                verdict == EXIT_REGRESSION ? "NEW regressed"
                : verdict == EXIT_USAGE    ? "nothing could be judged"
                                           : "no regression");
    }
    free_args(&run);
    free_args(&cmp);
    return status;
}
