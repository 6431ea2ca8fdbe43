/* cmd_run.c - `allocscope run`: every (workload, repetition, allocator) in a
 * fresh worker process, results appended as each run ends.
 *
 * Order: workload, then repetition, then allocator, so the allocators of
 * one repetition run back to back and slow drift on the machine (thermal,
 * other load) spreads over all of them instead of favouring one.
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
#include "registry.h"
#include "run_writer.h"
#include "run_meta.h"
#include "runner.h"
#include "spec.h"
#include "timer_calibrate.h"
#include "trace_fidelity.h"
#include "xalloc.h"

#define DEFAULT_REPS 3
#define QUICK_FACTOR 0.1

static const char *const default_allocators[] = {"glibc", "jemalloc", "mimalloc", "reference"};

#define DEFAULT_SAMPLE_INTERVAL_MS 1.0

struct run_options {
    char *allocators; /* comma separated, NULL = suite's or default */
    unsigned reps;    /* 0 = suite's or default */
    const char *out;
    const char *registry;
    double timeout_s; /* 0 = each workload's */
    double sample_interval_ms; /* < 0: the default; 0: no periodic samples */
    unsigned long window_ops;  /* 0: the default */
    bool quick;
    bool no_plots;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: allocscope run [options] [WORKLOAD_OR_SUITE.yaml ...]\n\n"
            "Run workloads against allocators, one fresh process per (workload,\n"
            "allocator, repetition), and write results to a run directory. With no\n"
            "file, runs the shipped default suite (workloads/default.yaml).\n\n"
            "options:\n"
            "  -a, --allocators A,B,...  allocators to measure (default: the suite's,\n"
            "                            else glibc,jemalloc,mimalloc,reference)\n"
            "  -r, --reps N              repetitions (default: the suite's, else %d)\n"
            "  -o, --out DIR             run directory (default results/YYYYmmdd-HHMMSS)\n"
            "      --quick               shrink every workload ~10x for smoke tests\n"
            "      --no-plots            do not render charts and report.html\n"
            "      --timeout SECONDS     per-run limit (default: each workload's)\n"
            "      --sample-interval MS  time between periodic samples (default %.0f ms;\n"
            "                            0: phase ends and peaks only)\n"
            "      --window-ops N        ops handed to the worker per chunk (default %d)\n"
            "      --registry FILE       allocator registry (default allocators/registry.yaml)\n"
            "  -h, --help                this help\n\n"
            "exit status: 0 all runs ok, 2 invalid input (nothing run), 3 some runs\n"
            "failed, crashed or timed out (their rows say why), 130 interrupted.\n",
            DEFAULT_REPS, DEFAULT_SAMPLE_INTERVAL_MS, OPWINDOW_DEFAULT_OPS);
}

static int parse_options(int argc, char **argv, struct run_options *o)
{
    enum { OPT_QUICK = 256, OPT_NO_PLOTS, OPT_TIMEOUT, OPT_REGISTRY, OPT_SAMPLE_INTERVAL,
           OPT_WINDOW_OPS };
    static const struct option longopts[] = {
        {"allocators", required_argument, NULL, 'a'},
        {"reps", required_argument, NULL, 'r'},
        {"out", required_argument, NULL, 'o'},
        {"quick", no_argument, NULL, OPT_QUICK},
        {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"registry", required_argument, NULL, OPT_REGISTRY},
        {"sample-interval", required_argument, NULL, OPT_SAMPLE_INTERVAL},
        {"window-ops", required_argument, NULL, OPT_WINDOW_OPS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "a:r:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a':
            o->allocators = optarg;
            break;
        case 'r': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || v < 1 || v > 1000) {
                fprintf(stderr, "allocscope run: --reps must be 1..1000, got '%s'\n", optarg);
                return -1;
            }
            o->reps = (unsigned)v;
            break;
        }
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
            o->timeout_s = strtod(optarg, &end);
            if (*end || !(o->timeout_s > 0)) {
                fprintf(stderr, "allocscope run: --timeout must be > 0 seconds, got '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case OPT_REGISTRY:
            o->registry = optarg;
            break;
        case OPT_SAMPLE_INTERVAL:
            o->sample_interval_ms = strtod(optarg, &end);
            if (*end || !(o->sample_interval_ms >= 0) || o->sample_interval_ms > 3600000) {
                fprintf(stderr,
                        "allocscope run: --sample-interval must be 0..3600000 ms, got '%s'\n",
                        optarg);
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

/* All workloads of all files, validated before anything runs. */
struct workload_set {
    struct suite_spec *suites;
    size_t suite_count;
    const struct workload_spec **items;
    size_t count;
    struct trace_facts **facts; /* per item: its trace's, or NULL */
};

/* Read every trace workload's trace once, before anything runs: an
 * unreadable one stops the run (FILE: offset N: message, exit 2), and its
 * facts serve all its runs and their fidelity checks. */
static int scan_traces(struct workload_set *set)
{
    int bad = 0;
    set->facts = xcalloc(set->count, sizeof *set->facts);
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

/* The allocators to measure, by name, checked against the registry. */
static int choose_allocators(const struct run_options *o, const struct workload_set *set,
                             const struct allocator_registry *reg,
                             const struct allocator_entry ***out, size_t *count)
{
    char *names[64];
    size_t n = 0;
    char *copy = NULL;
    if (o->allocators) {
        copy = xstrdup(o->allocators);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
            names[n++] = t;
    } else if (set->suite_count > 0 && set->suites[0].allocator_count > 0) {
        for (size_t i = 0; i < set->suites[0].allocator_count && n < 64; i++)
            names[n++] = set->suites[0].allocators[i];
    } else {
        for (size_t i = 0; i < sizeof default_allocators / sizeof default_allocators[0]; i++)
            names[n++] = (char *)default_allocators[i];
    }
    *out = xcalloc(n, sizeof **out);
    *count = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const struct allocator_entry *e = registry_find(reg, names[i]);
        if (!e) {
            fprintf(stderr, "allocscope run: unknown allocator '%s' (known:", names[i]);
            for (size_t k = 0; k < reg->count; k++)
                fprintf(stderr, " %s", reg->entries[k].name);
            fprintf(stderr, "; see 'allocscope list')\n");
            bad = 1;
            continue;
        }
        (*out)[(*count)++] = e;
    }
    free(copy);
    if (*count == 0 && !bad) {
        fprintf(stderr, "allocscope run: no allocators given\n");
        bad = 1;
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

struct run_totals {
    unsigned total, ok, failed, skipped;
};

/* What every run of the current workload shares. */
struct workload_state {
    const struct workload_spec *w;
    const struct trace_facts *trace; /* a trace workload's */
    bool recorded;      /* in run.json with its stream's facts */
    uint64_t hash;      /* the stream's hash, once one run knew it */
    struct opgen_totals partial; /* the furthest any run got, until then */
};

/* One run: execute, write samples and the summary row. */
static void measure_one(struct results_dir *dir, json_t *meta, struct workload_state *ws,
                        const struct allocator_entry *a, unsigned rep,
                        const struct run_options *o, const struct run_params *params,
                        const char *worker, struct run_totals *t)
{
    const struct workload_spec *w = ws->w;
    struct results_row row = {.workload = w->name, .allocator = a->name, .rep = rep,
                              .threads = ws->trace ? ws->trace->lanes : w->threads,
                              .spec_hash = spec_workload_hash(w), .trace = ws->trace};
    struct run_figures fig;
    char stats[512] = "", err[512], fidelity[512], fidelity_reason[600];
    struct run_outcome out = {.status = RUN_SKIPPED};

    if (!a->available) {
        row.status = RUN_SKIPPED;
        row.reason = a->unavailable_reason;
    } else {
        char log_path[PATH_MAX + 128];
        snprintf(log_path, sizeof log_path, "%s/samples/%s/%s-%u.log", dir->path, w->name,
                 a->name, rep);
        char log_dir[PATH_MAX + 64];
        snprintf(log_dir, sizeof log_dir, "%s/samples/%s", dir->path, w->name);
        mkdir(log_dir, 0755);
        struct run_request req = {.workload = w, .alloc = a, .worker_path = worker,
                                  .timeout_s = o->timeout_s > 0 ? o->timeout_s : w->timeout_s,
                                  .log_path = log_path, .params = *params,
                                  .chunk_ops = o->window_ops, .trace_facts = ws->trace};
        runner_execute(&req, &out);
        row.status = out.status;
        row.reason = out.reason;
        if (!out.stream.complete && out.stream.ops >= ws->partial.ops)
            ws->partial = out.stream;
        if (out.stream.complete) {
            row.opstream_hash = out.stream.hash;
            if (!ws->recorded) {
                run_meta_add_workload(meta, w, &out.stream);
                if (ws->trace)
                    run_meta_set_workload_trace(meta, w->name, ws->trace);
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
            if (results_write_samples(dir, w->name, a->name, rep, out.res, err, sizeof err) < 0)
                fprintf(stderr, "allocscope: %s\n", err);
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
            figures_compute(out.res, &out.stream, &fig);
            row.figures = &fig;
            format_stats(out.res, stats, sizeof stats);
            row.allocator_stats = stats;
            run_meta_set_allocator_version(meta, a->name, out.res->alloc_version);
        }
        /* An empty log says nothing: keep only logs with content. */
        struct stat st;
        if (stat(log_path, &st) == 0 && st.st_size == 0)
            unlink(log_path);
    }
    if (results_append_row(dir, &row) < 0)
        fprintf(stderr, "allocscope: cannot append to %s/summary.csv\n", dir->path);
    t->total++;
    if (row.status == RUN_OK)
        t->ok++;
    else if (row.status == RUN_SKIPPED)
        t->skipped++;
    else {
        t->failed++;
        progress_message("%s %s x %s rep %u: %s", run_status_name(row.status), w->name,
                         a->name, rep, row.reason);
    }
    run_outcome_release(&out);
}

static void note_unsupported(const struct host_info *h)
{
    int first = 1;
    for (int i = 0; i < PERF_METRIC_COUNT; i++) {
        if (h->perf_supported[i])
            continue;
        fprintf(stderr, "%s%s", first ? "note: not measurable here, recorded as empty: " : ", ",
                perf_metric_name((enum perf_metric)i));
        first = 0;
    }
    if (!first) {
        for (int i = 0; i < PERF_METRIC_COUNT; i++)
            if (!h->perf_supported[i]) {
                fprintf(stderr, " (%s)\n", h->perf_reason[i]);
                break;
            }
    }
}

int cmd_run(int argc, char **argv)
{
    struct run_options o = {.sample_interval_ms = -1};
    if (parse_options(argc, argv, &o) < 0)
        return EXIT_USAGE;

    char registry_path[PATH_MAX];
    if (o.registry)
        snprintf(registry_path, sizeof registry_path, "%s", o.registry);
    else
        allocscope_data_path("allocators/registry.yaml", registry_path, sizeof registry_path);
    struct allocator_registry reg;
    struct spec_error serr;
    if (registry_load(registry_path, &reg, &serr) < 0) {
        fprintf(stderr, "%s\n", serr.message);
        return EXIT_USAGE;
    }
    struct workload_set set = {0};
    const struct allocator_entry **allocs = NULL;
    size_t nallocs = 0;
    if (load_workloads(argc - optind, argv + optind, o.quick, &set) < 0 ||
        choose_allocators(&o, &set, &reg, &allocs, &nallocs) < 0) {
        free_workloads(&set);
        registry_free(&reg);
        free(allocs);
        return EXIT_USAGE;
    }
    registry_resolve(&reg);
    char worker[PATH_MAX];
    if (runner_worker_path(worker, sizeof worker) < 0) {
        fprintf(stderr, "allocscope run: %s not found or not executable (build the project)\n",
                worker);
        return EXIT_USAGE;
    }
    unsigned reps = o.reps ? o.reps : set.suites[0].reps ? set.suites[0].reps : DEFAULT_REPS;

    char out_dir[PATH_MAX];
    if (o.out) {
        snprintf(out_dir, sizeof out_dir, "%s", o.out);
        char probe[PATH_MAX + 16];
        snprintf(probe, sizeof probe, "%s/summary.csv", out_dir);
        if (access(probe, F_OK) == 0) {
            fprintf(stderr, "allocscope run: %s already holds a run; choose another -o\n",
                    out_dir);
            return EXIT_USAGE;
        }
    } else {
        default_out_dir(out_dir, sizeof out_dir);
    }
    struct results_dir dir;
    char err[1024];
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

    json_t *meta = run_meta_new(argc, argv, &host, o.quick, reps);
    for (size_t i = 0; i < nallocs; i++)
        run_meta_add_allocator(meta, allocs[i]);
    results_write_run_json(&dir, meta, err, sizeof err);

    struct run_params params = {0};
    char timer_desc[128];
    timer_calibrate(&params.timer, timer_desc, sizeof timer_desc);
    double interval_ms = o.sample_interval_ms >= 0 ? o.sample_interval_ms : DEFAULT_SAMPLE_INTERVAL_MS;
    params.sample_interval_ns = (uint64_t)(interval_ms * 1e6);
    run_meta_set_measurement(meta, timer_desc, timer_ticks_per_ns(&params.timer),
                             params.sample_interval_ns,
                             o.window_ops ? o.window_ops : OPWINDOW_DEFAULT_OPS);
    results_write_run_json(&dir, meta, err, sizeof err);

    runner_install_signals();
    struct run_totals totals = {0};
    struct progress prog;
    progress_start(&prog, (unsigned)(set.count * reps * nallocs));
    for (size_t wi = 0; wi < set.count && !runner_interrupted; wi++) {
        struct workload_state ws = {.w = set.items[wi], .trace = set.facts[wi]};
        for (unsigned rep = 1; rep <= reps && !runner_interrupted; rep++)
            for (size_t ai = 0; ai < nallocs && !runner_interrupted; ai++) {
                progress_step(&prog, ws.w->name, allocs[ai]->name, rep);
                measure_one(&dir, meta, &ws, allocs[ai], rep, &o, &params, worker, &totals);
            }
        if (!ws.recorded && ws.partial.threads) { /* no run got through it whole */
            run_meta_add_workload(meta, ws.w, &ws.partial);
            if (ws.trace)
                run_meta_set_workload_trace(meta, ws.w->name, ws.trace);
        }
        results_write_run_json(&dir, meta, err, sizeof err);
    }
    progress_finish(&prog);

    const char *status = runner_interrupted ? "interrupted" : "complete";
    run_meta_finish(meta, status, totals.total, totals.ok, totals.failed);
    if (results_write_run_json(&dir, meta, err, sizeof err) < 0)
        fprintf(stderr, "allocscope run: %s\n", err);
    results_close(&dir);
    fprintf(stderr, "allocscope: %u runs: %u ok, %u failed, %u skipped -> %s\n", totals.total,
            totals.ok, totals.failed, totals.skipped, out_dir);

    if (!o.no_plots && !runner_interrupted && totals.ok > 0) {
        if (plot_render_run(out_dir, NULL, !isatty(STDERR_FILENO), err, sizeof err) < 0)
            fprintf(stderr, "allocscope run: plots: %s\n", err);
        else
            fprintf(stderr, "allocscope: report: %s/report.html\n", out_dir);
    }
    json_decref(meta);
    free(allocs);
    free_workloads(&set);
    registry_free(&reg);
    if (runner_interrupted)
        return 130;
    return totals.failed ? EXIT_RUNS_FAILED : EXIT_OK;
}
