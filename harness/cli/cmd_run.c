/* cmd_run.c - `allocscope run`: every (workload, repetition, allocator) in a
 * fresh worker process, results appended as each run ends.
 *
 * Order: workload, then repetition, then the allocators in a fresh seeded
 * random order per repetition (run_plan.h), so the allocators of one
 * repetition run back to back, slow drift on the machine (thermal, other
 * load) spreads over all of them, and none always runs first or last: a
 * repetition's allocators make a pair for `compare --base A --new B`.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "figures.h"
#include "host_info.h"
#include "paths.h"
#include "plot.h"
#include "progress.h"
#include "instr_method.h"
#include "registry.h"
#include "run_plan.h"
#include "run_writer.h"
#include "run_meta.h"
#include "run_shared.h"
#include "runner.h"
#include "program.h"
#include "program_results.h"
#include "cgroup2.h"
#include "spec.h"
#include "timer_calibrate.h"
#include "trace_fidelity.h"
#include "variant_probe.h"
#include "variants.h"
#include "xalloc.h"

#define DEFAULT_REPS 3
#define QUICK_FACTOR 0.1

/* Synthetic workloads: time between periodic samples unless told. */
#define DEFAULT_SAMPLE_INTERVAL_S 0.001

static const char *const default_allocators[] = {"glibc", "jemalloc", "mimalloc", "reference"};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: allocscope run [options] [WORKLOAD_OR_SUITE.yaml ...]\n\n"
            "Run workloads against allocators, one fresh process per (workload,\n"
            "allocator, repetition), and write results to a run directory. With no\n"
            "file, runs the shipped default suite (workloads/default.yaml).\n\n"
            "options:\n"
            "  -a, --allocators A,B,...  allocators to measure (default: the suite's,\n"
            "                            else glibc,jemalloc,mimalloc,reference); each a\n"
            "                            registry name, NAME=PATH (a library: a path holds\n"
            "                            a '/') or NAME=ENTRY (a copy of a registry entry)\n"
            "      --env A:NAME=VALUE    set NAME=VALUE in allocator A's environment\n"
            "                            (repeatable; e.g. --env new:MALLOC_CONF=narenas:1)\n"
            "  -r, --reps N              repetitions (default: the suite's, else %d)\n"
            "  -o, --out DIR             run directory (default results/YYYYmmdd-HHMMSS)\n"
            "      --quick               shrink every workload ~10x for smoke tests\n"
            "      --no-plots            do not render charts and report.html\n"
            "      --timeout SECONDS     per-run limit (default: each workload's)\n"
            "      --sample-interval DUR time between periodic samples (500us, 10ms, 1s, or\n"
            "                            none: phase ends and peaks only); default 1ms for\n"
            "                            synthetic workloads, each program's, else 10ms\n"
            "      --window-ops N        ops handed to the worker per chunk (default %d)\n"
            "      --memory-limit SIZE   per-run address-space limit, e.g. 2GiB (default:\n"
            "                            each workload's memory_limit, else none); a run\n"
            "                            whose allocation fails under it is 'oom'\n"
            "      --registry FILE       allocator registry (default allocators/registry.yaml)\n"
            "      --order-seed N        seed of the allocators' random order in each\n"
            "                            repetition (default: a fresh one, recorded)\n"
            "      --shard I/N           run the I-th of N shares of the workloads (all\n"
            "                            allocators of a workload stay together); combine\n"
            "                            the shards with 'allocscope merge'\n"
            "      --instructions[=HOW]  count the measured loop's user-space instructions\n"
            "                            (column instructions_per_op): HOW is auto (perf\n"
            "                            instructions:u where a PMU exists, else callgrind),\n"
            "                            perf or callgrind. Under callgrind only\n"
            "                            single-threaded workloads run, and time and memory\n"
            "                            figures are left empty (valgrind distorts them)\n"
            "  -h, --help                this help\n\n"
            "exit status: 0 all runs ok, 2 invalid input (nothing run), 3 some runs\n"
            "failed, crashed, timed out or ran out of memory (their rows say why), or\n"
            "nothing was measured, 4 a result or chart could not be written (stderr\n"
            "and run.json say what), 128+N stopped by signal N (130 SIGINT, 129\n"
            "SIGHUP, 143 SIGTERM; a second signal ends at once).\n",
            DEFAULT_REPS, OPWINDOW_DEFAULT_OPS);
}

static int parse_options(int argc, char **argv, struct run_options *o)
{
    enum { OPT_QUICK = 256, OPT_NO_PLOTS, OPT_TIMEOUT, OPT_REGISTRY, OPT_INTERVAL,
           OPT_WINDOW_OPS, OPT_MEMORY_LIMIT, OPT_ENV, OPT_ORDER_SEED, OPT_SHARD,
           OPT_INSTRUCTIONS };
    static const struct option longopts[] = {
        {"allocators", required_argument, NULL, 'a'},
        {"reps", required_argument, NULL, 'r'},
        {"out", required_argument, NULL, 'o'},
        {"quick", no_argument, NULL, OPT_QUICK},
        {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"memory-limit", required_argument, NULL, OPT_MEMORY_LIMIT},
        {"registry", required_argument, NULL, OPT_REGISTRY},
        {"sample-interval", required_argument, NULL, OPT_INTERVAL},
        {"window-ops", required_argument, NULL, OPT_WINDOW_OPS},
        {"env", required_argument, NULL, OPT_ENV},
        {"order-seed", required_argument, NULL, OPT_ORDER_SEED},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"instructions", optional_argument, NULL, OPT_INSTRUCTIONS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end, why[256];
    while ((c = getopt_long(argc, argv, "a:r:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a':
            o->allocators = optarg;
            break;
        case 'r':
            if (spec_parse_reps(optarg, &o->reps, why, sizeof why) != 0) {
                fprintf(stderr, "allocscope %s: --reps: %s\n", o->command, why);
                return -1;
            }
            break;
        case 'o':
            o->out = optarg;
            break;
        case OPT_QUICK:
            o->quick = true;
            break;
        case OPT_NO_PLOTS:
            o->no_plots = true;
            break;
        case OPT_TIMEOUT:
            if (spec_parse_timeout(optarg, &o->timeout_s, why, sizeof why) != 0) {
                fprintf(stderr, "allocscope %s: --timeout: %s\n", o->command, why);
                return -1;
            }
            break;
        case OPT_MEMORY_LIMIT:
            if (spec_parse_memory_limit(optarg, &o->memory_limit, why, sizeof why) != 0) {
                fprintf(stderr, "allocscope %s: --memory-limit: %s\n", o->command, why);
                return -1;
            }
            break;
        case OPT_REGISTRY:
            o->registry = optarg;
            break;
        case OPT_INTERVAL:
            if (parse_interval(optarg, &o->interval_s) < 0) {
                fprintf(stderr, "allocscope run: --sample-interval is a duration (500us, 10ms, "
                                "1s) of 1ms..60s or 'none', got '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_WINDOW_OPS:
            o->window_ops = strtoul(optarg, &end, 10);
            if (*end || o->window_ops < 1024 || o->window_ops > (1ul << 24)) {
                fprintf(stderr, "allocscope run: --window-ops must be 1024..16777216, got '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case OPT_ENV:
            o->env_specs = xrealloc(o->env_specs, (o->nenv + 1) * sizeof *o->env_specs);
            o->env_specs[o->nenv++] = optarg;
            break;
        case OPT_ORDER_SEED: {
            unsigned long long v = strtoull(optarg, &end, 10);
            /* 53 bits: exact for every JSON reader of run.json */
            if (*end || !optarg[0] || optarg[0] == '-' || v >= (1ull << 53)) {
                fprintf(stderr, "allocscope run: --order-seed must be 0..2^53-1, got '%s'\n",
                        optarg);
                return -1;
            }
            o->order_seed = v;
            o->seed_given = true;
            break;
        }
        case OPT_SHARD: {
            char err[256];
            if (shard_parse(optarg, &o->shard, err, sizeof err) != 0) {
                fprintf(stderr, "allocscope run: %s\n", err);
                return -1;
            }
            break;
        }
        case OPT_INSTRUCTIONS:
            o->instructions = optarg ? optarg : "auto";
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        default:
            usage(stderr);
            return -1;
        }
    }
    return 0;
}

/* Read every trace workload's trace once, before anything runs: an
 * unreadable one stops the run (FILE: offset N: message, exit 2), and its
 * facts serve all its runs and their fidelity checks. */
static int scan_traces(struct workload_set *set)
{
    int bad = 0;
    set->facts = xcalloc(set->count ? set->count : 1, sizeof *set->facts);
    for (size_t i = 0; i < set->count; i++) {
        if (!set->items[i]->trace_path)
            continue;
        struct trace_facts *f = xcalloc(1, sizeof *f);
        char err[1200];
        if (trace_scan(set->items[i]->trace_path, f, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            free(f);
            bad = 1;
            continue;
        }
        if (f->lanes > OPWINDOW_MAX_THREADS) {
            fprintf(stderr, "%s: %u threads were alive at once; a replay runs at most %d\n",
                    f->path, f->lanes, OPWINDOW_MAX_THREADS);
            bad = 1;
        }
        set->facts[i] = f;
    }
    return bad ? -1 : 0;
}

static int load_workloads(int nfiles, char **files, bool quick, struct workload_set *set)
{
    char default_suite[PATH_MAX];
    char *one[1];
    if (nfiles == 0) {
        allocscope_data_path("workloads/default.yaml", default_suite, sizeof default_suite);
        one[0] = default_suite;
        files = one;
        nfiles = 1;
    }
    set->suites = xcalloc((size_t)nfiles, sizeof *set->suites);
    int bad = 0;
    for (int i = 0; i < nfiles; i++) {
        struct spec_error err;
        if (spec_load_file(files[i], &set->suites[i], &err) < 0) {
            fprintf(stderr, "%s\n", err.message);
            bad = 1;
            continue;
        }
        set->suite_count = (size_t)i + 1;
        if (quick)
            spec_apply_quick(&set->suites[i], QUICK_FACTOR);
        for (size_t w = 0; w < set->suites[i].workload_count; w++) {
            const struct workload_spec *ws = &set->suites[i].workloads[w];
            for (size_t k = 0; k < set->count; k++) {
                if (strcmp(set->items[k]->name, ws->name) == 0) {
                    fprintf(stderr, "%s:%u:%u: workload '%s' also defined at %s:%u:%u\n",
                            ws->pos.file, ws->pos.line, ws->pos.col, ws->name,
                            set->items[k]->pos.file, set->items[k]->pos.line,
                            set->items[k]->pos.col);
                    bad = 1;
                }
            }
            set->items = xrealloc(set->items, (set->count + 1) * sizeof *set->items);
            set->items[set->count++] = ws;
        }
    }
    set->suite_count = (size_t)nfiles;
    if (bad)
        return -1;
    return scan_traces(set);
}

static void free_workloads(struct workload_set *set)
{
    for (size_t i = 0; i < set->suite_count; i++)
        spec_free(&set->suites[i]);
    free(set->suites);
    for (size_t i = 0; set->facts && i < set->count; i++) {
        if (set->facts[i])
            trace_facts_free(set->facts[i]);
        free(set->facts[i]);
    }
    free(set->facts);
    free(set->items);
}

/* The allocators to measure (variants.h): -a, else the suite's, else the
 * defaults, with the --env settings applied. */
static int choose_allocators(const struct run_options *o, const struct workload_set *set,
                             struct allocator_registry *reg,
                             const struct allocator_entry ***out, size_t *count)
{
    char **tokens = NULL, err[2048];
    int n = 0;
    if (o->allocators) {
        n = variants_split(o->allocators, &tokens, err, sizeof err);
    } else if (set->suite_count > 0 && set->suites[0].allocator_count > 0) {
        n = (int)set->suites[0].allocator_count;
        tokens = xcalloc((size_t)n, sizeof *tokens);
        for (int i = 0; i < n; i++)
            tokens[i] = xstrdup(set->suites[0].allocators[i]);
    } else {
        n = (int)(sizeof default_allocators / sizeof default_allocators[0]);
        tokens = xcalloc((size_t)n, sizeof *tokens);
        for (int i = 0; i < n; i++)
            tokens[i] = xstrdup(default_allocators[i]);
    }
    size_t *idx = NULL;
    int rc = n < 0 ? -1
                   : variants_choose(reg, tokens, (size_t)n, o->env_specs, o->nenv, &idx, count,
                                     err, sizeof err);
    variants_free_tokens(tokens, n < 0 ? 0 : (size_t)n);
    if (rc != 0) {
        fprintf(stderr, "allocscope run: %s\n", err);
        return -1;
    }
    *out = xcalloc(*count, sizeof **out);
    for (size_t i = 0; i < *count; i++)
        (*out)[i] = &reg->entries[idx[i]];
    free(idx);
    return 0;
}

/* Variants with env settings start once before anything runs: the
 * allocator must accept its settings quietly (variant_probe.h). */
static int probe_variants(const struct allocator_entry *const *allocs, size_t n,
                          const char *worker)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char err[2048];
        if (allocs[i]->env_count && allocs[i]->available &&
            variant_probe(allocs[i], worker, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

static void default_out_dir(char *out, size_t outlen)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(out, outlen, "results/%s", stamp);
    struct stat st;
    for (int i = 2; stat(out, &st) == 0 && i < 100; i++)
        snprintf(out, outlen, "results/%s-%d", stamp, i);
}

/* "k=v;k=v" from the allocator's own statistics. */
static void format_stats(const struct result_region *r, char *out, size_t outlen)
{
    size_t at = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < r->alloc_stat_count && at < outlen; i++)
        at += (size_t)snprintf(out + at, outlen - at, "%s%s=%llu", i ? ";" : "",
                               r->alloc_stats[i].key,
                               (unsigned long long)r->alloc_stats[i].value);
}

/* What every run of the current workload shares. */
struct workload_state {
    const struct workload_spec *w;
    const struct trace_facts *trace; /* a trace workload's */
    bool recorded;      /* in run.json with its stream's facts */
    uint64_t hash;      /* the stream's hash, once one run knew it */
    struct opgen_totals partial; /* the furthest any run got, until then */
};

/* What every run of a `run` shares. */
struct run_ctx {
    struct results_dir *dir;
    json_t *meta;
    const struct run_options *o;
    const struct run_params *params;
    const char *worker;
    struct run_totals totals;
};

/* Under callgrind: the instructions from its file; the other figures stay
 * empty (valgrind's own memory and slowness are in them). */
static void callgrind_row(const char *cg_path, const struct run_outcome *out,
                          struct results_row *row)
{
    row->instructions = instr_callgrind_total(cg_path);
    row->instructions_ops = out->res->ops_done;
    row->has_instructions = true;
    if (row->instructions == METRIC_UNSUPPORTED) {
        row->status = RUN_FAILED;
        row->reason = "callgrind wrote no instruction count";
    }
}

/* One run: execute, write samples and the summary row. */
static void measure_one(struct run_ctx *rc, struct workload_state *ws,
                        const struct allocator_entry *a, unsigned rep, unsigned order_pos)
{
    struct results_dir *dir = rc->dir;
    const struct run_options *o = rc->o;
    const struct workload_spec *w = ws->w;
    struct results_row row = {.workload = w->name, .allocator = a->name, .rep = rep,
                              .threads = ws->trace ? ws->trace->lanes : w->threads,
                              .spec_hash = spec_workload_hash(w), .trace = ws->trace,
                              .order_pos = order_pos};
    struct run_figures fig;
    char stats[512] = "", fidelity[512], fidelity_reason[600];
    struct run_outcome out = {.status = RUN_SKIPPED};
    const bool callgrind = rc->params->instructions == INSTR_CALLGRIND;

    if (!a->available) {
        row.status = RUN_SKIPPED;
        row.reason = a->unavailable_reason;
    } else if (callgrind && w->threads > 1) {
        row.status = RUN_SKIPPED;
        row.reason = "instructions under callgrind: single-threaded workloads only (threads "
                     "would count their scheduling-dependent waits)";
    } else {
        char log_path[PATH_MAX + 128], cg_path[PATH_MAX + 128];
        snprintf(log_path, sizeof log_path, "%s/samples/%s/%s-%u.log", dir->path, w->name,
                 a->name, rep);
        snprintf(cg_path, sizeof cg_path, "%s/samples/%s/%s-%u.callgrind", dir->path, w->name,
                 a->name, rep);
        char log_dir[PATH_MAX + 64];
        snprintf(log_dir, sizeof log_dir, "%s/samples/%s", dir->path, w->name);
        mkdir(log_dir, 0755);
        double timeout = o->timeout_s > 0 ? o->timeout_s : w->timeout_s;
        struct callgrind_wrapper cg;
        if (callgrind) {
            instr_callgrind_wrapper(&cg, cg_path);
            timeout *= INSTR_CALLGRIND_TIMEOUT_FACTOR;
        }
        struct run_request req = {.workload = w, .alloc = a, .worker_path = rc->worker,
                                  .timeout_s = timeout, .log_path = log_path,
                                  .params = *rc->params, .chunk_ops = o->window_ops,
                                  .memory_limit = o->memory_limit ? o->memory_limit
                                                                  : w->memory_limit,
                                  .trace_facts = ws->trace,
                                  .wrapper = callgrind ? cg.argv : NULL};
        runner_execute(&req, &out);
        row.status = out.status;
        row.reason = out.reason;
        if (!out.stream.complete && out.stream.ops >= ws->partial.ops)
            ws->partial = out.stream;
        if (out.stream.complete) {
            row.opstream_hash = out.stream.hash;
            if (!ws->recorded) {
                run_meta_add_workload(rc->meta, w, &out.stream);
                if (ws->trace)
                    run_meta_set_workload_trace(rc->meta, w->name, ws->trace);
                ws->recorded = true;
                ws->hash = out.stream.hash;
            } else if (ws->hash != out.stream.hash && row.status == RUN_OK) {
                /* Generation is deterministic: this is a harness bug, and
                 * the run cannot be compared with the others. */
                row.status = RUN_FAILED;
                row.reason = "op stream differs from the other runs of this workload";
            }
        }
        if (out.res) {
            row.served_by = out.res->served_by;
            row.allocator_version = out.res->alloc_version;
            if (!callgrind)
                results_write_samples(dir, w->name, a->name, rep, out.res);
        }
        if (row.status == RUN_OK && ws->trace) {
            /* A replay that is not the recording is not a result. */
            if (!trace_fidelity_check(ws->trace, w->teardown, &out.stream, out.res, fidelity,
                                      sizeof fidelity)) {
                row.status = RUN_FAILED;
                snprintf(fidelity_reason, sizeof fidelity_reason,
                         "the replay differs from the recording: %s", fidelity);
                row.reason = fidelity_reason;
            }
            row.trace_fidelity = fidelity;
        }
        if (row.status == RUN_OK) {
            if (callgrind) {
                callgrind_row(cg_path, &out, &row);
            } else {
                figures_compute(out.res, &out.stream, &fig);
                row.figures = &fig;
                if (rc->params->instructions == INSTR_PERF) {
                    row.has_instructions = true;
                    row.instructions = out.res->instructions;
                    row.instructions_ops = out.res->ops_done;
                }
            }
            format_stats(out.res, stats, sizeof stats);
            row.allocator_stats = stats;
            run_meta_set_allocator_version(rc->meta, a->name, out.res->alloc_version);
        }
        /* An empty log says nothing: keep only logs with content. */
        struct stat st;
        if (stat(log_path, &st) == 0 && st.st_size == 0)
            unlink(log_path);
    }
    if (results_append_row(dir, &row) < 0)
        rc->totals.row_lost = true;
    struct run_totals *t = &rc->totals;
    run_count_row(t, row.status);
    if (row.status != RUN_OK && row.status != RUN_SKIPPED)
        progress_message("%s %s x %s rep %u: %s", run_status_name(row.status), w->name,
                         a->name, rep, row.reason);
    run_outcome_release(&out);
}

static void note_unsupported(const struct host_info *h)
{
    /* One line per reason, naming the metrics it keeps empty. */
    for (int i = 0; i < PERF_METRIC_COUNT; i++) {
        if (h->perf_supported[i])
            continue;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = !h->perf_supported[j] && strcmp(h->perf_reason[j], h->perf_reason[i]) == 0;
        if (seen)
            continue;
        fprintf(stderr, "note: not measurable here, recorded as empty: %s",
                perf_metric_name((enum perf_metric)i));
        for (int j = i + 1; j < PERF_METRIC_COUNT; j++)
            if (!h->perf_supported[j] && strcmp(h->perf_reason[j], h->perf_reason[i]) == 0)
                fprintf(stderr, ", %s", perf_metric_name((enum perf_metric)j));
        fprintf(stderr, " (%s)\n", h->perf_reason[i]);
    }
}

/* A workload that holds more live bytes than the machine has memory (or
 * than its memory limit allows) is said before it runs. */
static void warn_memory(const struct workload_set *set, uint64_t cli_limit)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t phys = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    for (size_t i = 0; i < set->count; i++) {
        const struct workload_spec *w = set->items[i];
        uint64_t live = spec_workload_live_floor(w);
        uint64_t limit = cli_limit ? cli_limit : w->memory_limit;
        if (phys && live > phys)
            fprintf(stderr, "warning: %s:%u:%u: workload '%s' holds at least %llu MiB live, "
                            "more than this machine's %llu MiB of memory\n",
                    w->pos.file, w->pos.line, w->pos.col, w->name,
                    (unsigned long long)(live >> 20), (unsigned long long)(phys >> 20));
        else if (limit && live > limit)
            fprintf(stderr, "warning: %s:%u:%u: workload '%s' holds at least %llu MiB live, "
                            "more than its memory limit of %llu MiB: expect 'oom'\n",
                    w->pos.file, w->pos.line, w->pos.col, w->name,
                    (unsigned long long)(live >> 20), (unsigned long long)(limit >> 20));
    }
}

/* run.json's write_errors from what the directory recorded so far. */
static void note_write_errors(const struct results_dir *dir, json_t *meta)
{
    const char *errors[RESULTS_MAX_ERRORS];
    size_t shown = dir->nerrors < RESULTS_MAX_ERRORS ? dir->nerrors : RESULTS_MAX_ERRORS;
    for (size_t i = 0; i < shown; i++)
        errors[i] = dir->errors[i];
    run_meta_set_write_errors(meta, errors, shown, dir->nerrors);
}

/* The last run.json: what could not be written goes in it (the space for
 * it was reserved when the directory was made). */
static void finish_run_json(struct results_dir *dir, json_t *meta)
{
    note_write_errors(dir, meta);
    if (results_write_run_json(dir, meta, true) != 0)
        fprintf(stderr, "allocscope run: run.json could not be written: it still says "
                        "\"running\"\n");
}

/* Exit status by precedence: a signal, then anything not recorded, then
 * runs that failed or a suite that measured nothing. */
static int run_exit_status(const struct run_totals *t, size_t write_errors, bool plots_failed)
{
    if (runner_interrupted)
        return runner_exit_status();
    if (write_errors || plots_failed) {
        fprintf(stderr, "allocscope run: %zu result write%s failed%s\n", write_errors,
                write_errors == 1 ? "" : "s", plots_failed ? "; charts were not all drawn" : "");
        return EXIT_NOT_WRITTEN;
    }
    if (t->failed)
        return EXIT_RUNS_FAILED;
    if (t->ok == 0) {
        fprintf(stderr, "allocscope run: nothing was measured (%u of %u runs skipped)\n",
                t->skipped, t->total);
        return EXIT_RUNS_FAILED;
    }
    return EXIT_OK;
}

/* run.json's plan: the order seed and, for a shard, which share of which
 * workloads it is (`allocscope merge` checks the shards against it). */
static void record_plan(json_t *meta, const struct run_options *o, uint64_t seed,
                        const struct workload_set *set)
{
    const char **names = xcalloc(set->count, sizeof *names);
    for (size_t i = 0; i < set->count; i++)
        names[i] = set->items[i]->name;
    run_meta_set_plan(meta, seed, o->shard.index, o->shard.count, names, set->count);
    free(names);
}

int cmd_run(int argc, char **argv)
{
    struct run_options o = {.interval_s = -1, .command = "run"};
    optind = 0; /* `ab` runs this command after parsing its own options */
    if (parse_options(argc, argv, &o) < 0) {
        free(o.env_specs);
        return EXIT_USAGE;
    }
    struct workload_set set = {0};
    if (load_workloads(argc - optind, argv + optind, o.quick, &set) < 0) {
        free_workloads(&set);
        free(o.env_specs);
        return EXIT_USAGE;
    }
    return run_workload_set(argc, argv, &o, &set);
}

/* Whether any workload is a real program, and the probe it needs. */
static int program_probe(const struct workload_set *set, char *probe, size_t len)
{
    probe[0] = '\0';
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i]->program)
            return program_probe_path(probe, len) < 0 ? -1 : 1;
    return 0;
}

int run_workload_set(int argc, char **argv, const struct run_options *opts,
                     struct workload_set *set_in)
{
    struct run_options o = *opts;
    struct workload_set set = *set_in;
    char registry_path[PATH_MAX];
    if (o.registry)
        snprintf(registry_path, sizeof registry_path, "%s", o.registry);
    else
        allocscope_data_path("allocators/registry.yaml", registry_path, sizeof registry_path);
    struct allocator_registry reg;
    struct spec_error serr;
    if (registry_load(registry_path, &reg, &serr) < 0) {
        fprintf(stderr, "%s\n", serr.message);
        free(o.env_specs);
        return EXIT_USAGE;
    }
    const struct allocator_entry **allocs = NULL;
    size_t nallocs = 0;
    enum instr_method instr = INSTR_NONE;
    char instr_desc[256] = "", ierr[1024];
    int bad = choose_allocators(&o, &set, &reg, &allocs, &nallocs) < 0;
    if (!bad && o.instructions &&
        instr_method_choose(o.instructions, &instr, instr_desc, sizeof instr_desc, ierr,
                            sizeof ierr) != 0) {
        fprintf(stderr, "allocscope %s: --instructions: %s\n", o.command, ierr);
        bad = 1;
    }
    for (size_t i = 0; i < set.count && !bad && instr != INSTR_NONE; i++)
        if (set.items[i]->program) {
            fprintf(stderr, "%s:%u:%u: workload '%s' is a program: --instructions counts the "
                            "measured loop of synthetic and trace workloads only\n",
                    set.items[i]->pos.file, set.items[i]->pos.line, set.items[i]->pos.col,
                    set.items[i]->name);
            bad = 1;
        }
    if (bad) {
        free_workloads(&set);
        registry_free(&reg);
        free(allocs);
        free(o.env_specs);
        return EXIT_USAGE;
    }
    registry_resolve(&reg);
    char worker[PATH_MAX];
    if (runner_worker_path(worker, sizeof worker) < 0) {
        fprintf(stderr, "allocscope run: %s not found or not executable (build the project)\n",
                worker);
        return EXIT_USAGE;
    }
    char probe[PATH_MAX];
    int programs = program_probe(&set, probe, sizeof probe);
    if (programs < 0) {
        fprintf(stderr, "allocscope %s: liballocscope_probe.so not found next to the binary "
                        "(../lib; build the project)\n", o.command);
        free_workloads(&set);
        registry_free(&reg);
        free(allocs);
        free(o.env_specs);
        return EXIT_USAGE;
    }
    if (probe_variants(allocs, nallocs, worker) != 0) {
        free_workloads(&set);
        registry_free(&reg);
        free(allocs);
        free(o.env_specs);
        return EXIT_USAGE;
    }
    unsigned reps = o.reps ? o.reps : set.suites[0].reps ? set.suites[0].reps : DEFAULT_REPS;
    uint64_t seed = o.seed_given ? o.order_seed : run_plan_new_seed();
    size_t owned = 0;
    for (size_t wi = 0; wi < set.count; wi++)
        owned += (size_t)shard_owns(&o.shard, wi);

    char out_dir[PATH_MAX], err[1024];
    if (o.out)
        snprintf(out_dir, sizeof out_dir, "%s", o.out);
    else
        default_out_dir(out_dir, sizeof out_dir);
    /* Checked as given: a path too long for out_dir is refused, not cut. */
    if (results_check_out_dir(o.out ? o.out : out_dir, err, sizeof err) != 0) {
        fprintf(stderr, "allocscope %s: %s\n", o.command, err);
        free_workloads(&set);
        registry_free(&reg);
        free(allocs);
        return EXIT_USAGE;
    }
    warn_memory(&set, o.memory_limit);

    struct results_dir dir;
    if (results_create(&dir, out_dir, err, sizeof err) < 0) {
        fprintf(stderr, "allocscope run: %s\n", err);
        return EXIT_USAGE;
    }

    struct host_info host;
    host_info_collect(&host);
    note_unsupported(&host);
    for (size_t i = 0; i < nallocs; i++)
        if (!allocs[i]->available)
            fprintf(stderr, "warning: allocator %s unavailable, its runs are skipped: %s\n",
                    allocs[i]->name, allocs[i]->unavailable_reason);
    if (instr == INSTR_CALLGRIND)
        fprintf(stderr, "note: instructions counted under callgrind: single-threaded workloads "
                        "only, time and memory figures left empty, no plots\n");

    json_t *meta = run_meta_new(argc, argv, &host, o.quick, reps);
    for (size_t i = 0; i < nallocs; i++)
        run_meta_add_allocator(meta, allocs[i]);
    record_plan(meta, &o, seed, &set);
    unsigned planned = (unsigned)(owned * reps * nallocs);
    run_meta_set_planned(meta, planned);
    if (programs) {
        char why[512] = "";
        bool cg = cgroup_available(why, sizeof why);
        run_meta_program_method(meta, o.interval_s >= 0 ? o.interval_s
                                                        : PROGRAM_DEFAULT_INTERVAL_S, cg, why);
        if (!cg)
            fprintf(stderr, "note: programs: no cgroup v2 memory controller (%s); peaks come "
                            "from wait4 and /proc\n", why);
    }
    struct run_params params = {.instructions = instr};
    char timer_desc[128];
    timer_calibrate(&params.timer, timer_desc, sizeof timer_desc);
    double interval_s = o.interval_s >= 0 ? o.interval_s : DEFAULT_SAMPLE_INTERVAL_S;
    /* Under callgrind nothing may depend on time: samples by time would
     * change how often the loop checks the clock. */
    if (instr == INSTR_CALLGRIND)
        interval_s = 0;
    params.sample_interval_ns = (uint64_t)(interval_s * 1e9);
    run_meta_set_measurement(meta, timer_desc, timer_ticks_per_ns(&params.timer),
                             timer_ns(&params.timer, timer_floor_ticks()),
                             params.sample_interval_ns,
                             o.window_ops ? o.window_ops : OPWINDOW_DEFAULT_OPS);
    if (instr != INSTR_NONE)
        run_meta_set_instructions(meta, instr == INSTR_PERF ? "perf" : "callgrind", instr_desc);
    results_write_run_json(&dir, meta, false);

    runner_install_signals();
    struct run_ctx rc = {.dir = &dir, .meta = meta, .o = &o, .params = &params,
                         .worker = worker};
    struct progress prog;
    size_t *perm = xcalloc(nallocs ? nallocs : 1, sizeof *perm);
    progress_start(&prog, planned);
    struct run_totals *totals_p = &rc.totals;
    for (size_t wi = 0; wi < set.count && !runner_interrupted && !totals_p->row_lost; wi++) {
        if (!shard_owns(&o.shard, wi))
            continue;
        const struct workload_spec *w = set.items[wi];
        if (w->program) {
            run_meta_add_program(meta, w);
            results_write_run_json(&dir, meta, false);
            run_program_workload(&dir, meta, w, allocs, nallocs, reps, &o, probe, seed, &prog,
                                 totals_p);
            continue;
        }
        struct workload_state ws = {.w = w, .trace = set.facts ? set.facts[wi] : NULL};
        for (unsigned rep = 1; rep <= reps && !runner_interrupted && !totals_p->row_lost;
             rep++) {
            run_plan_order(seed, w->name, rep, nallocs, perm);
            for (size_t k = 0; k < nallocs && !runner_interrupted && !totals_p->row_lost; k++) {
                const struct allocator_entry *a = allocs[perm[k]];
                progress_step(&prog, w->name, a->name, rep);
                measure_one(&rc, &ws, a, rep, (unsigned)k + 1);
            }
        }
        if (!ws.recorded && ws.partial.threads) { /* no run got through it whole */
            run_meta_add_workload(meta, w, &ws.partial);
            if (ws.trace)
                run_meta_set_workload_trace(meta, w->name, ws.trace);
        }
        note_write_errors(&dir, meta);
        results_write_run_json(&dir, meta, false);
    }
    progress_finish(&prog);
    free(perm);

    struct run_totals totals = rc.totals;
    const char *status = runner_interrupted ? "interrupted"
                         : totals.row_lost  ? "incomplete"
                                            : "complete";
    if (totals.row_lost)
        fprintf(stderr, "allocscope %s: stopped: results can no longer be written to %s\n",
                o.command, out_dir);
    run_meta_finish(meta, status, totals.total, totals.ok, totals.failed);
    finish_run_json(&dir, meta);
    results_close(&dir);
    fprintf(stderr, "allocscope: %u runs: %u ok, %u failed, %u skipped -> %s\n", totals.total,
            totals.ok, totals.failed, totals.skipped, out_dir);

    bool plots_failed = false;
    if (!o.no_plots && instr != INSTR_CALLGRIND && !runner_interrupted && totals.total > 0) {
        if (plot_render_run(out_dir, NULL, !isatty(STDERR_FILENO), err, sizeof err) != 0) {
            fprintf(stderr, "allocscope %s: plots: %s\n", o.command, err);
            plots_failed = true;
        }
        if (access(out_dir, F_OK) == 0) {
            char report[PATH_MAX + 16];
            snprintf(report, sizeof report, "%s/report.html", out_dir);
            if (access(report, F_OK) == 0)
                fprintf(stderr, "allocscope: report: %s\n", report);
        }
    }
    int exit_status = run_exit_status(&totals, dir.nerrors, plots_failed);
    json_decref(meta);
    free(allocs);
    free(o.env_specs);
    free_workloads(&set);
    registry_free(&reg);
    return exit_status;
}
