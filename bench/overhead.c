/* overhead.c - allocscope-overhead: what the harness costs the figures it
 * reports (a benchmark: it prints figures, it asserts nothing).
 *
 *   allocscope-overhead instructions [--quick] [-a A,B] FILE.yaml...
 *       Instructions per op of the measured loop (the worker's run_chunks,
 *       less the pauses that the time figures leave out too: samples, phase
 *       ends, chunk hand-overs) against the bare replay loop
 *       (bench/bare_replay.c) on the same stream and allocator, both
 *       counted by callgrind. Single-threaded workloads.
 *   allocscope-overhead sampling [--quick] [-a A,B] [-r N] FILE.yaml...
 *       What periodic sampling (default interval) costs: samples per run
 *       times the median cost of one (robust to the scheduler), as a share
 *       of the measured time (samples are paused, so kept out of the
 *       figures, but it is what sampling costs), and
 *       throughput sampled against unsampled, the median ratio of N
 *       interleaved pairs (what remains: caches and TLB the samples
 *       disturb; noisy on a shared machine).
 *   allocscope-overhead memory N...
 *       Peak resident memory of the parent (generator, runner) and of the
 *       worker for a tiny-object churn of N ops, each N in a fresh process.
 *   allocscope-overhead record [-r N] PROG [ARGS...]
 *       The recorder's cost: PROG's wall time under `allocscope record`
 *       against without it, as the ratio of the medians of N interleaved
 *       pairs (the order alternates), and the trace's size per event.
 * Output: Markdown tables on stdout, progress on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "figures.h"
#include "latency.h"
#include "opstream.h"
#include "trace_facts.h"
#include "registry.h"
#include "runner.h"
#include "spec.h"
#include "timer_calibrate.h"

#define QUICK_FACTOR 0.1
#define DEFAULT_INTERVAL_NS 1000000

extern char **environ;

static char worker[4096], bare[4096 + 32];
static struct allocator_registry reg;
static struct run_params params;

struct options {
    bool quick;
    const char *allocators;
    unsigned reps;
};

static void die(const char *msg)
{
    fprintf(stderr, "allocscope-overhead: %s\n", msg);
    exit(2);
}

/* ---- helpers ------------------------------------------------------------ */

static int run_child(char *const argv[], const char *preload, const char *out_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (preload && preload[0])
            setenv("LD_PRELOAD", preload, 1);
        else
            unsetenv("LD_PRELOAD");
        int fd = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0)
            dup2(fd, STDOUT_FILENO);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Total instructions callgrind collected ("summary:" or "totals:"). */
static double callgrind_total(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NAN;
    char line[512];
    double v = NAN;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "summary:", 8) == 0 || strncmp(line, "totals:", 7) == 0)
            v = strtod(strchr(line, ':') + 1, NULL);
    fclose(f);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n == 0 ? NAN : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void load_suites(int n, char **files, bool quick, struct suite_spec *suites)
{
    for (int i = 0; i < n; i++) {
        struct spec_error err;
        if (spec_load_file(files[i], &suites[i], &err) < 0)
            die(err.message);
        if (quick)
            spec_apply_quick(&suites[i], QUICK_FACTOR);
    }
}

static size_t pick_allocators(const char *list, const struct allocator_entry **out)
{
    char *copy = strdup(list), *save = NULL;
    size_t n = 0;
    for (char *t = strtok_r(copy, ",", &save); t && n < 16; t = strtok_r(NULL, ",", &save)) {
        const struct allocator_entry *e = registry_find(&reg, t);
        if (!e || !e->available) {
            fprintf(stderr, "allocator %s is not available, left out\n", t);
            continue;
        }
        out[n++] = e;
    }
    free(copy);
    return n;
}

static int measure(const struct workload_spec *w, const struct allocator_entry *a,
                   char *const *wrapper, uint64_t interval_ns, struct run_outcome *out)
{
    struct run_request req = {.workload = w, .alloc = a, .worker_path = worker,
                              .timeout_s = wrapper ? 3600 : 600, .params = params,
                              .wrapper = wrapper};
    req.params.sample_interval_ns = interval_ns;
    if (runner_execute(&req, out) < 0 || out->status != RUN_OK) {
        fprintf(stderr, "  %s x %s: %s\n", w->name, a->name, out->reason);
        run_outcome_release(out);
        return -1;
    }
    return 0;
}

/* ---- instructions -------------------------------------------------------- */

static void instructions(const struct options *o, int nfiles, char **files)
{
    struct suite_spec suites[nfiles];
    load_suites(nfiles, files, o->quick, suites);
    const struct allocator_entry *allocs[16];
    size_t nallocs = pick_allocators(o->allocators, allocs);
    char dir[] = "/tmp/allocscope-overhead-XXXXXX";
    if (!mkdtemp(dir))
        die("cannot make a temporary directory");
    char harness_out[256], bare_out[256], dump[256], cg_harness[300], cg_bare[300];
    snprintf(harness_out, sizeof harness_out, "%s/harness.cg", dir);
    snprintf(bare_out, sizeof bare_out, "%s/bare.cg", dir);
    snprintf(dump, sizeof dump, "%s/stream.bin", dir);
    snprintf(cg_harness, sizeof cg_harness, "--callgrind-out-file=%s", harness_out);
    snprintf(cg_bare, sizeof cg_bare, "--callgrind-out-file=%s", bare_out);
    /* The measured loop, less the harness's pauses (samples, phase ends,
     * chunk hand-overs), which the figures leave out too. */
    char *harness_wrapper[] = {"valgrind", "--tool=callgrind", "--quiet", cg_harness,
                               "--collect-atstart=no", "--toggle-collect=run_chunks",
                               "--toggle-collect=sample_now", "--toggle-collect=refill",
                               "--toggle-collect=phase_sample", NULL};

    printf("| workload | allocator | ops | harness instr/op | bare loop instr/op | ratio |\n"
           "|---|---|---:|---:|---:|---:|\n");
    for (int f = 0; f < nfiles; f++)
        for (size_t wi = 0; wi < suites[f].workload_count; wi++) {
            const struct workload_spec *w = &suites[f].workloads[wi];
            uint32_t threads = w->threads;
            if (w->trace_path) { /* a trace's threads alive at once */
                struct trace_facts facts;
                char err[1200];
                if (trace_scan(w->trace_path, &facts, err, sizeof err) < 0)
                    die(err);
                threads = facts.lanes;
                trace_facts_free(&facts);
            }
            if (threads != 1)
                continue;
            char *dump_argv[8];
            int k = 0;
            dump_argv[k++] = bare;
            dump_argv[k++] = "--dump";
            if (o->quick)
                dump_argv[k++] = "--quick";
            dump_argv[k++] = files[f];
            dump_argv[k++] = w->name;
            dump_argv[k++] = dump;
            dump_argv[k] = NULL;
            if (run_child(dump_argv, NULL, NULL) != 0) {
                fprintf(stderr, "  %s: cannot dump the stream\n", w->name);
                continue;
            }
            for (size_t a = 0; a < nallocs; a++) {
                fprintf(stderr, "%s x %s ...\n", w->name, allocs[a]->name);
                struct run_outcome out;
                unlink(harness_out);
                if (measure(w, allocs[a], harness_wrapper, DEFAULT_INTERVAL_NS, &out) < 0)
                    continue;
                double ops = (double)out.stream.ops;
                double h = callgrind_total(harness_out) / ops;
                run_outcome_release(&out);
                char *replay_argv[] = {"valgrind", "--tool=callgrind", "--quiet", cg_bare,
                                       "--collect-atstart=no", "--toggle-collect=bare_loop",
                                       bare, "--replay", dump, NULL};
                unlink(bare_out);
                if (run_child(replay_argv, allocs[a]->preload_path, NULL) != 0) {
                    fprintf(stderr, "  bare replay failed\n");
                    continue;
                }
                double b = callgrind_total(bare_out) / ops;
                printf("| %s | %s | %.0f | %.1f | %.1f | %.3f |\n", w->name, allocs[a]->name,
                       ops, h, b, h / b);
                fflush(stdout);
            }
        }
    unlink(dump);
    unlink(harness_out);
    unlink(bare_out);
    rmdir(dir);
}

/* ---- sampling ------------------------------------------------------------ */

static void sampling(const struct options *o, int nfiles, char **files)
{
    struct suite_spec suites[nfiles];
    load_suites(nfiles, files, o->quick, suites);
    const struct allocator_entry *allocs[16];
    size_t nallocs = pick_allocators(o->allocators, allocs);
    printf("| workload | allocator | samples/run | median cost of a sample | samples x that / "
           "measured time | ops/s sampled / unsampled (median of %u pairs) |\n"
           "|---|---|---:|---:|---:|---:|\n",
           o->reps);
    for (int f = 0; f < nfiles; f++)
        for (size_t wi = 0; wi < suites[f].workload_count; wi++) {
            const struct workload_spec *w = &suites[f].workloads[wi];
            for (size_t a = 0; a < nallocs; a++) {
                fprintf(stderr, "%s x %s ...\n", w->name, allocs[a]->name);
                double ratio[64], paused[64], samples[64], cost[64];
                unsigned n = 0;
                for (unsigned r = 0; r < o->reps && r < 64; r++) {
                    struct run_outcome on, off;
                    /* Alternate which goes first: drift hits both alike. */
                    bool on_first = r % 2 == 0;
                    if (on_first && measure(w, allocs[a], NULL, DEFAULT_INTERVAL_NS, &on) < 0)
                        break;
                    if (measure(w, allocs[a], NULL, 0, &off) < 0) {
                        if (on_first)
                            run_outcome_release(&on);
                        break;
                    }
                    if (!on_first && measure(w, allocs[a], NULL, DEFAULT_INTERVAL_NS, &on) < 0) {
                        run_outcome_release(&off);
                        break;
                    }
                    struct run_figures fon, foff;
                    figures_compute(on.res, &on.stream, &fon);
                    figures_compute(off.res, &off.stream, &foff);
                    ratio[n] = fon.ops_per_s / foff.ops_per_s;
                    /* The median sample's cost: a sample the scheduler
                     * interrupted does not count as what sampling costs. */
                    cost[n] = (double)latency_percentile(&on.res->sample_cost, 0.5);
                    paused[n] = cost[n] * (double)on.res->sample_cost.count /
                                (double)on.res->wall_ns;
                    samples[n] = (double)on.res->sample_count;
                    n++;
                    run_outcome_release(&on);
                    run_outcome_release(&off);
                }
                if (n)
                    printf("| %s | %s | %.0f | %.1f µs | %.2f %% | %.3f |\n", w->name,
                           allocs[a]->name, median(samples, n), median(cost, n) / 1000,
                           100 * median(paused, n), median(ratio, n));
                fflush(stdout);
            }
        }
}

/* ---- memory -------------------------------------------------------------- */

static void memory(int n, char **counts)
{
    printf("| ops | stream if held whole | parent peak RSS | worker peak RSS (getrusage) |\n"
           "|---:|---:|---:|---:|\n");
    const struct allocator_entry *glibc = registry_find(&reg, "glibc");
    for (int i = 0; i < n; i++) {
        uint64_t ops = strtoull(counts[i], NULL, 10);
        fprintf(stderr, "%llu ops ...\n", (unsigned long long)ops);
        int fds[2];
        if (pipe(fds) < 0)
            die("pipe");
        pid_t pid = fork();
        if (pid == 0) {
            /* A fresh process per size: its own high-water mark. */
            struct phase_spec p = {.name = "churn", .kind = PHASE_CHURN, .ops = ops,
                                   .touch = TOUCH_FIRST, .free_order = FREE_RANDOM,
                                   .live_objects = 1000, .align = 64, .realloc_min = 1,
                                   .realloc_max = 1};
            p.sizes = (struct size_dist){.kind = SIZE_FIXED, .fixed = 16, .clamp_min = 1,
                                         .clamp_max = SPEC_MAX_OBJECT_SIZE};
            p.mix[MIX_MALLOC] = 1;
            struct workload_spec w = {.name = "tiny", .seed = 1, .threads = 1,
                                      .teardown = true, .phases = &p, .phase_count = 1,
                                      .timeout_s = 3600};
            struct run_outcome out;
            uint64_t v[2] = {0, 0};
            if (measure(&w, glibc, NULL, DEFAULT_INTERVAL_NS, &out) == 0) {
                struct rusage ru;
                getrusage(RUSAGE_SELF, &ru);
                v[0] = (uint64_t)ru.ru_maxrss * 1024;
                v[1] = out.res->ru_maxrss_bytes;
            }
            (void)!write(fds[1], v, sizeof v);
            _exit(0);
        }
        close(fds[1]);
        uint64_t v[2] = {0, 0};
        (void)!read(fds[0], v, sizeof v);
        close(fds[0]);
        waitpid(pid, NULL, 0);
        printf("| %llu | %.1f MiB | %.1f MiB | %.1f MiB |\n", (unsigned long long)ops,
               (double)ops * sizeof(struct op) / 1048576.0, (double)v[0] / 1048576.0,
               (double)v[1] / 1048576.0);
        fflush(stdout);
    }
}

/* ---- record -------------------------------------------------------------- */

/* Wall seconds of argv run to its end (stdout and stderr to /dev/null). */
static double timed_run(char *const argv[])
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("a run failed");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static void record(const struct options *o, int argc, char **argv)
{
    char allocscope[4096 + 16], dir[] = "/tmp/allocscope-record-XXXXXX", trace[64];
    snprintf(allocscope, sizeof allocscope, "%.*s/allocscope",
             (int)(strrchr(worker, '/') - worker), worker);
    if (!mkdtemp(dir))
        die("cannot make a temporary directory");
    snprintf(trace, sizeof trace, "%s/t.trace.zst", dir);
    char *rec_argv[argc + 8];
    int k = 0;
    rec_argv[k++] = allocscope;
    rec_argv[k++] = "record";
    rec_argv[k++] = "-q";
    rec_argv[k++] = "-o";
    rec_argv[k++] = trace;
    rec_argv[k++] = "--";
    for (int i = 0; i < argc; i++)
        rec_argv[k++] = argv[i];
    rec_argv[k] = NULL;
    char *plain_argv[argc + 1];
    for (int i = 0; i < argc; i++)
        plain_argv[i] = argv[i];
    plain_argv[argc] = NULL;

    double plain[64], recorded[64];
    unsigned n = o->reps < 64 ? o->reps : 64;
    timed_run(plain_argv); /* warm the page cache */
    for (unsigned r = 0; r < n; r++) {
        fprintf(stderr, "%s: pair %u of %u\n", argv[0], r + 1, n);
        if (r % 2 == 0) {
            plain[r] = timed_run(plain_argv);
            recorded[r] = timed_run(rec_argv);
        } else {
            recorded[r] = timed_run(rec_argv);
            plain[r] = timed_run(plain_argv);
        }
    }
    struct trace_facts f;
    char err[1200];
    if (trace_scan(trace, &f, err, sizeof err) < 0)
        die(err);
    double mp = median(plain, n), mr = median(recorded, n);
    printf("| program | pairs | median without | median recorded | ratio | events | trace bytes | "
           "bytes/event |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    printf("| %s | %u | %.3f s | %.3f s | %.3f | %llu | %llu | %.2f |\n", argv[0], n, mp, mr,
           mr / mp, (unsigned long long)f.status.raw_events,
           (unsigned long long)f.status.file_bytes,
           f.status.raw_events ? (double)f.status.file_bytes / (double)f.status.raw_events : 0.0);
    trace_facts_free(&f);
    unlink(trace);
    rmdir(dir);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: allocscope-overhead instructions [--quick] [-a A,B] FILE.yaml...\n"
               "       allocscope-overhead sampling [--quick] [-a A,B] [-r N] FILE.yaml...\n"
               "       allocscope-overhead memory N...\n"
               "       allocscope-overhead record [-r N] PROG [ARGS...]\n"
               "What the harness costs its own figures (see README, Performance).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *mode = argv[1];
    struct options o = {.allocators = "glibc,jemalloc,mimalloc,reference", .reps = 9};
    static const struct option longopts[] = {{"quick", no_argument, NULL, 'q'},
                                             {"allocators", required_argument, NULL, 'a'},
                                             {"reps", required_argument, NULL, 'r'},
                                             {NULL, 0, NULL, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "+a:r:", longopts, NULL)) != -1) {
        switch (c) {
        case 'q':
            o.quick = true;
            break;
        case 'a':
            o.allocators = optarg;
            break;
        case 'r':
            o.reps = (unsigned)strtoul(optarg, NULL, 10);
            if (o.reps < 1 || o.reps > 64)
                die("--reps must be 1..64");
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (runner_worker_path(worker, sizeof worker) != 0)
        die("allocscope-worker not found next to this program");
    snprintf(bare, sizeof bare, "%.*s/allocscope-bare-replay",
             (int)(strrchr(worker, '/') - worker), worker);
    struct spec_error err;
    if (registry_load(ALLOCSCOPE_SOURCE_DIR "/allocators/registry.yaml", &reg, &err) < 0)
        die(err.message);
    registry_resolve(&reg);
    char desc[128];
    timer_calibrate(&params.timer, desc, sizeof desc);
    fprintf(stderr, "timer: %s\n", desc);

    int nargs = argc - optind;
    if (nargs < 1) {
        usage(stderr);
        return 2;
    }
    if (strcmp(mode, "instructions") == 0)
        instructions(&o, nargs, argv + optind);
    else if (strcmp(mode, "sampling") == 0)
        sampling(&o, nargs, argv + optind);
    else if (strcmp(mode, "memory") == 0)
        memory(nargs, argv + optind);
    else if (strcmp(mode, "record") == 0)
        record(&o, nargs, argv + optind);
    else {
        usage(stderr);
        return 2;
    }
    return 0;
}
