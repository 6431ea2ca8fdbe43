/* cmd_trace_fit.c - `allocscope trace fit FILE [-o WORKLOAD.yaml]`: a
 * synthetic workload fitted to a recorded trace, to share a program's
 * allocation profile without its trace (no addresses, no timings, no
 * program name or arguments go into it).
 *
 * What is fitted, from the trace's facts (trace_facts.h):
 *  - sizes: the empirical table of allocation sizes (exact up to 4096
 *    distinct sizes; beyond, log-linear bins of 64 per power of two, each
 *    standing for its mean size);
 *  - mix: the allocations by call, reallocs and frees, as weights;
 *  - free_order: lifo when most frees take objects younger than a tenth of
 *    the live set (counted in allocations), fifo when most take objects
 *    aged about one live set (0.8 to 1.3), else random;
 *  - live: the mean number of live objects over the trace's events;
 *  - threads: the most threads alive at once, and the share of frees made
 *    by another thread (symmetric pattern);
 *  - realloc_factor: the 10th and 90th percentiles of new/old sizes;
 *    align: the most common alignment of the aligned calls;
 *  - ops: the trace's events (allocations, reallocs, frees).
 * The text is loaded by the spec loader before it is written: what fit
 * writes, run accepts. */
#define _GNU_SOURCE
#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "spec.h"
#include "trace_facts.h"
#include "xalloc.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: allocscope trace fit FILE [-o WORKLOAD.yaml] [--name NAME] [--touch MODE]\n\n"
            "Write a synthetic workload fitted to a trace written by 'allocscope record':\n"
            "its empirical size table, operation mix, free order (lifo, fifo or random),\n"
            "mean live set, threads alive at once and cross-thread free share, realloc\n"
            "factors and alignment, as many operations as the trace has events. It\n"
            "holds no address, timing, program name or argument of the recording.\n\n"
            "options:\n"
            "  -o, --out FILE   where to write it (default: stdout)\n"
            "      --name NAME  the workload's name (default: fit-<trace file name>)\n"
            "      --touch MODE none, first, pages or all (default pages)\n"
            "  -h, --help       this help\n\n"
            "exit status: 0 ok, 2 usage error, an unreadable trace ('FILE: offset N:\n"
            "message') or a trace without allocations.\n");
}

/* A workload name from `base`: [A-Za-z0-9._-], at most SPEC_MAX_NAME - 1. */
static void default_name(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = (size_t)snprintf(out, len, "fit-");
    for (const char *c = base; *c && n + 1 < len && n + 1 < SPEC_MAX_NAME; c++) {
        if (strncmp(c, ".trace", 6) == 0 || strcmp(c, ".zst") == 0)
            break;
        out[n++] = isalnum((unsigned char)*c) || *c == '.' || *c == '_' || *c == '-' ? *c : '-';
    }
    out[n] = '\0';
}

static const char *free_order(const struct trace_facts *f)
{
    uint64_t total = 0, young = f->age_bins[0], about_one = 0;
    for (int b = 0; b < TRACE_AGE_BINS; b++)
        total += f->age_bins[b];
    for (int b = 8; b <= 12; b++)
        about_one += f->age_bins[b];
    if (total == 0)
        return "never";
    if (2 * young >= total)
        return "lifo";
    if (2 * about_one >= total)
        return "fifo";
    return "random";
}

/* The q-quantile of the realloc ratios, as a factor. */
static double ratio_quantile(const struct trace_facts *f, double q)
{
    uint64_t total = 0, seen = 0;
    for (int b = 0; b < TRACE_RATIO_BINS; b++)
        total += f->realloc_ratio_bins[b];
    for (int b = 0; b < TRACE_RATIO_BINS; b++) {
        seen += f->realloc_ratio_bins[b];
        if ((double)seen >= q * (double)total) {
            double factor = exp2((double)(b - TRACE_RATIO_BINS / 2) / 4.0);
            return factor < 0.0625 ? 0.0625 : factor > 16 ? 16 : factor;
        }
    }
    return 1;
}

static uint64_t clamp_size(uint64_t size)
{
    return size < 1 ? 1 : size > SPEC_MAX_OBJECT_SIZE ? SPEC_MAX_OBJECT_SIZE : size;
}

/* The YAML of the fitted workload (malloc'ed), or NULL with a message. */
static char *fit(const struct trace_facts *f, const char *name, const char *touch)
{
    const uint64_t *a = f->alloc_by_call;
    uint64_t w_malloc = a[TCALL_MALLOC] + a[TCALL_REALLOC] + a[TCALL_REALLOCARRAY];
    uint64_t w_calloc = a[TCALL_CALLOC];
    uint64_t w_memalign = a[TCALL_POSIX_MEMALIGN] + a[TCALL_MEMALIGN] + a[TCALL_VALLOC] +
                          a[TCALL_PVALLOC];
    uint64_t w_aligned = a[TCALL_ALIGNED_ALLOC];
    if (w_malloc + w_calloc + w_memalign + w_aligned == 0) {
        fprintf(stderr, "allocscope trace fit: %s has no allocations to fit\n", f->path);
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *y = open_memstream(&text, &len);
    if (!y)
        return NULL;
    uint32_t threads = f->lanes < 1 ? 1 : f->lanes > SPEC_MAX_THREADS ? SPEC_MAX_THREADS : f->lanes;
    uint64_t ops = f->events < 1 ? 1 : f->events > SPEC_MAX_OPS ? SPEC_MAX_OPS : f->events;
    uint64_t live = (uint64_t)llround(f->mean_live_objects);
    double cross = f->frees ? (double)f->cross_thread_frees / (double)f->frees : 0;
    uint64_t timeout = ops / 200000 > 120 ? ops / 200000 : 120;

    fprintf(y, "# Fitted by allocscope trace fit to a recorded trace of %" PRIu64
               " allocation calls\n# (peak live %" PRIu64 " bytes, at most %" PRIu64
               " objects live, %" PRIu64 " thread%s).\n",
            f->events, f->peak_live_bytes, f->max_live_objects, f->status.threads,
            f->status.threads == 1 ? "" : "s");
    fprintf(y, "workload:\n  name: %s\n", name);
    fprintf(y, "  description: \"fitted to a trace of %" PRIu64 " calls: its size table, "
               "mix, free order and live set\"\n", f->events);
    fprintf(y, "  threads: %u\n", threads);
    if (threads > 1 && cross > 0)
        fprintf(y, "  cross_thread_free: %.4f\n", cross);
    fprintf(y, "  timeout: %" PRIu64 "\n", timeout);
    fprintf(y, "  ops: %" PRIu64 "\n", ops);
    fprintf(y, "  mix: {malloc: %" PRIu64 ", calloc: %" PRIu64 ", realloc: %" PRIu64
               ", posix_memalign: %" PRIu64 ", aligned_alloc: %" PRIu64 ", free: %" PRIu64 "}\n",
            w_malloc, w_calloc, f->ops[TRACE_REALLOC], w_memalign, w_aligned, f->frees);
    fprintf(y, "  free_order: %s\n", free_order(f));
    if (live > 0)
        fprintf(y, "  live: {objects: %" PRIu64 "}\n", live);
    fprintf(y, "  touch: %s\n", touch);
    if (w_memalign + w_aligned > 0) {
        int best = 3;
        for (int k = 3; k <= 20; k++)
            if (f->align_hist[k] > f->align_hist[best])
                best = k;
        fprintf(y, "  align: %" PRIu64 "\n", (uint64_t)1 << best);
    }
    if (f->ops[TRACE_REALLOC] > 0)
        fprintf(y, "  realloc_factor: {min: %.4g, max: %.4g}\n", ratio_quantile(f, 0.1),
                ratio_quantile(f, 0.9));

    struct trace_size_entry *table = xcalloc(TRACE_SIZE_TABLE_MAX, sizeof *table);
    size_t n = trace_facts_size_table(f, table, TRACE_SIZE_TABLE_MAX);
    /* Sizes 0 and above the spec's limit join their nearest allowed size. */
    for (size_t i = 0; i < n; i++)
        table[i].size = clamp_size(table[i].size);
    fprintf(y, "  sizes:\n    dist: table\n    table:\n");
    for (size_t i = 0; i < n; i++) {
        bool repeated = false;
        for (size_t j = 0; j < i && !repeated; j++)
            repeated = table[j].size == table[i].size;
        if (repeated)
            continue;
        uint64_t weight = table[i].count;
        for (size_t j = i + 1; j < n; j++)
            if (table[j].size == table[i].size)
                weight += table[j].count;
        fprintf(y, "      - {size: %" PRIu64 ", weight: %" PRIu64 "}\n", table[i].size, weight);
    }
    free(table);
    fclose(y);
    return text;
}

int cmd_trace_fit(int argc, char **argv)
{
    enum { OPT_NAME = 256, OPT_TOUCH };
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},   {"name", required_argument, NULL, OPT_NAME},
        {"touch", required_argument, NULL, OPT_TOUCH}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *out = NULL, *name = NULL, *touch = "pages";
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case OPT_NAME:
            name = optarg;
            break;
        case OPT_TOUCH:
            if (strcmp(optarg, "none") && strcmp(optarg, "first") && strcmp(optarg, "pages") &&
                strcmp(optarg, "all")) {
                fprintf(stderr, "allocscope trace fit: --touch is none, first, pages or all\n");
                return EXIT_USAGE;
            }
            touch = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "allocscope trace fit: give one trace file\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    struct trace_facts f;
    char err[1200], fallback[SPEC_MAX_NAME];
    if (trace_scan(argv[optind], &f, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (!name) {
        default_name(argv[optind], fallback, sizeof fallback);
        name = fallback;
    }
    char *yaml = fit(&f, name, touch);
    trace_facts_free(&f);
    if (!yaml)
        return EXIT_USAGE;
    /* What fit writes, run must accept. */
    struct suite_spec check;
    struct spec_error serr;
    if (spec_load_string(yaml, strlen(yaml), out ? out : "<fit>", &check, &serr) != 0) {
        fprintf(stderr, "allocscope trace fit: the fitted workload is invalid: %s\n",
                serr.message);
        free(yaml);
        return EXIT_USAGE;
    }
    spec_free(&check);
    FILE *o = out ? fopen(out, "w") : stdout;
    if (!o || fputs(yaml, o) < 0 || (out && fclose(o) != 0)) {
        perror(out ? out : "stdout");
        free(yaml);
        return EXIT_USAGE;
    }
    free(yaml);
    if (out)
        fprintf(stderr, "allocscope trace fit: wrote %s\n", out);
    return EXIT_OK;
}
