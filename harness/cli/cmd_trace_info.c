/* cmd_trace_info.c - `allocscope trace info [--json] FILE`: a recorded
 * trace's facts (trace_facts.h), as text for people or JSON for scripts
 * (the tests compare it with an independent reader). */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "opstream.h"
#include "trace_facts.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: allocscope trace info [--json] FILE\n\n"
                 "Summarize a trace written by 'allocscope record': the program, how the\n"
                 "recording ended, events per call, threads (and how many were alive at\n"
                 "once: the worker threads a replay uses), duration, peak live bytes,\n"
                 "cross-thread frees, histograms of request sizes and object lifetimes,\n"
                 "and what a replay leaves out (failed calls, free(NULL), ...).\n\n"
                 "options:\n"
                 "  --json      the same as one JSON object on stdout\n"
                 "  -h, --help  this help\n\n"
                 "exit status: 0 ok, 2 usage error or an unreadable trace\n"
                 "('FILE: offset N: message'). A trace that was cut short is readable:\n"
                 "info says so.\n");
}

static const char *op_names[TRACE_OP_COUNT] = {"alloc", "realloc", "free"};

/* [lo, hi] of log2 bucket b. */
static void bucket_range(unsigned b, uint64_t *lo, uint64_t *hi)
{
    *lo = b == 0 ? 0 : 1ULL << (b - 1);
    *hi = b == 0 ? 0 : b == 64 ? UINT64_MAX : (1ULL << b) - 1;
}

static json_t *hist_json(const uint64_t *h)
{
    json_t *a = json_array();
    for (unsigned b = 0; b < TRACE_LOG2_BUCKETS; b++) {
        if (!h[b])
            continue;
        uint64_t lo, hi;
        bucket_range(b, &lo, &hi);
        json_array_append_new(a, json_pack("{s:I, s:I, s:I}", "lo", (json_int_t)lo, "hi",
                                           (json_int_t)(hi > INT64_MAX ? INT64_MAX : hi),
                                           "count", (json_int_t)h[b]));
    }
    return a;
}

static int print_json(const struct trace_facts *f)
{
    const struct trace_status *s = &f->status;
    char hash[17];
    opstream_hash_hex(s->hash, hash);
    json_t *calls = json_object(), *by_call = json_object(), *ops = json_object();
    for (int c = 0; c < TCALL_COUNT; c++) {
        json_object_set_new(calls, trace_call_name(c), json_integer((json_int_t)s->calls[c]));
        json_object_set_new(by_call, trace_call_name(c), json_integer((json_int_t)f->by_call[c]));
    }
    for (int o = 0; o < TRACE_OP_COUNT; o++)
        json_object_set_new(ops, op_names[o], json_integer((json_int_t)f->ops[o]));
    json_t *args = json_array();
    for (size_t at = 0; at < f->argv_len; at += strlen(f->argv + at) + 1)
        json_array_append_new(args, json_string(f->argv + at));
    json_t *j = json_object();
#define SET_INT(k, v) json_object_set_new(j, k, json_integer((json_int_t)(v)))
#define SET_STR(k, v) json_object_set_new(j, k, json_string(v))
    SET_STR("path", f->path);
    SET_INT("file_bytes", s->file_bytes);
    SET_STR("hash", hash);
    SET_INT("version", f->version);
    SET_STR("recorder", f->recorder);
    SET_STR("clock", f->clock);
    SET_STR("program", f->program);
    json_object_set_new(j, "argv", args);
    SET_STR("host", f->host);
    SET_INT("pid", f->pid);
    SET_INT("start_unix_ns", f->start_unix_ns);
    SET_STR("end", trace_end_name(s->end));
    if (s->end == TRACE_END_CUT) {
        SET_INT("cut_offset", s->cut_offset);
        SET_STR("cut_reason", s->cut_reason);
    }
    SET_INT("duration_ns", f->duration_ns);
    SET_INT("raw_events", s->raw_events);
    json_object_set_new(j, "calls", calls);
    SET_INT("events", f->events);
    json_object_set_new(j, "ops", ops);
    json_object_set_new(j, "events_by_call", by_call);
    SET_INT("implicit_frees", s->implicit_frees);
    SET_INT("failed", s->failed);
    SET_INT("null_results", s->null_results);
    SET_INT("free_null", s->free_null);
    SET_INT("usable_size_calls", s->usable_size_calls);
    SET_INT("unmatched_frees", s->unmatched_frees);
    SET_INT("unmatched_reallocs", s->unmatched_reallocs);
    SET_INT("incomplete_reallocs", s->incomplete_reallocs);
    SET_INT("late_events", s->late_events);
    SET_INT("forks", s->forks);
    SET_INT("execs", s->execs);
    SET_INT("boot_calls", s->boot_calls);
    SET_INT("nested_calls", s->nested_calls);
    SET_INT("threads", s->threads);
    SET_INT("lanes", f->lanes);
    SET_INT("peak_live_bytes", f->peak_live_bytes);
    SET_INT("peak_live_ns", f->peak_live_ns);
    SET_INT("max_live_objects", f->max_live_objects);
    SET_INT("final_live_bytes", f->final_live_bytes);
    SET_INT("final_live_objects", f->final_live_objects);
    SET_INT("frees", f->frees);
    SET_INT("cross_thread_frees", f->cross_thread_frees);
    json_object_set_new(j, "cross_thread_free_share",
                        json_real(f->frees ? (double)f->cross_thread_frees / (double)f->frees : 0));
    json_object_set_new(j, "size_hist", hist_json(f->size_hist));
    json_object_set_new(j, "lifetime_ns_hist", hist_json(f->lifetime_ns_hist));
    json_object_set_new(j, "lifetime_allocs_hist", hist_json(f->lifetime_allocs_hist));
#undef SET_INT
#undef SET_STR
    int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(j);
    return rc;
}

static void human_bytes(uint64_t v, char *out, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double d = (double)v;
    int u = 0;
    while (d >= 1024 && u < 4) {
        d /= 1024;
        u++;
    }
    snprintf(out, len, u ? "%.1f %s" : "%.0f %s", d, units[u]);
}

static void human_ns(uint64_t ns, char *out, size_t len)
{
    if (ns < 1000)
        snprintf(out, len, "%" PRIu64 " ns", ns);
    else if (ns < 1000000)
        snprintf(out, len, "%.1f us", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(out, len, "%.1f ms", (double)ns / 1e6);
    else
        snprintf(out, len, "%.2f s", (double)ns / 1e9);
}

typedef void (*format_fn)(uint64_t, char *, size_t);

static void plain_count(uint64_t v, char *out, size_t len)
{
    snprintf(out, len, "%" PRIu64, v);
}

static void print_hist(const char *title, const uint64_t *h, format_fn fmt)
{
    uint64_t total = 0, most = 0;
    for (unsigned b = 0; b < TRACE_LOG2_BUCKETS; b++) {
        total += h[b];
        if (h[b] > most)
            most = h[b];
    }
    printf("\n%s\n", title);
    if (!total) {
        printf("  (none)\n");
        return;
    }
    for (unsigned b = 0; b < TRACE_LOG2_BUCKETS; b++) {
        if (!h[b])
            continue;
        uint64_t lo, hi;
        bucket_range(b, &lo, &hi);
        char a[32], z[32], bar[41];
        fmt(lo, a, sizeof a);
        fmt(hi, z, sizeof z);
        int width = (int)((40 * h[b] + most - 1) / most);
        memset(bar, '#', (size_t)width);
        bar[width] = '\0';
        printf("  %10s .. %-10s %12" PRIu64 " %5.1f %%  %s\n", a, lo == hi ? "" : z, h[b],
               100.0 * (double)h[b] / (double)total, bar);
    }
}

static void print_text(const struct trace_facts *f)
{
    const struct trace_status *s = &f->status;
    char hash[17], a[32], b[32];
    opstream_hash_hex(s->hash, hash);
    printf("trace        %s (%" PRIu64 " bytes, hash %s)\n", f->path, s->file_bytes, hash);
    printf("format       version %u, written by %s, clock %s\n", f->version,
           f->recorder[0] ? f->recorder : "?", f->clock);
    printf("program      ");
    for (size_t at = 0; at < f->argv_len; at += strlen(f->argv + at) + 1)
        printf("%s%s", at ? " " : "", f->argv + at);
    printf("%s (pid %" PRIu64 " on %s)\n", f->argv_len ? "" : f->program, f->pid, f->host);
    time_t start = (time_t)(f->start_unix_ns / 1000000000ULL);
    struct tm tm;
    char when[32] = "?";
    if (gmtime_r(&start, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    human_ns(f->duration_ns, a, sizeof a);
    printf("recorded     %s, %s of calls\n", when, a);
    if (s->end == TRACE_END_CUT)
        printf("ended        cut short at offset %" PRIu64 ": %s; replayable up to its last "
               "complete event\n", s->cut_offset, s->cut_reason);
    else
        printf("ended        %s\n", s->end == TRACE_END_EXIT ? "exit (the whole run)"
                                    : s->end == TRACE_END_EXEC ? "exec (the whole run of the "
                                                                  "first program image)"
                                                                : "_exit (the whole run)");
    printf("calls        %" PRIu64 " events:", s->raw_events);
    for (int c = 0; c < TCALL_COUNT; c++)
        if (s->calls[c])
            printf(" %s %" PRIu64, trace_call_name(c), s->calls[c]);
    if (s->usable_size_calls)
        printf(" malloc_usable_size %" PRIu64, s->usable_size_calls);
    printf("\n");
    printf("replayed     %" PRIu64 " ops: %" PRIu64 " allocations, %" PRIu64 " reallocs, %" PRIu64
           " frees (%" PRIu64 " implicit: an address reused without a recorded free)\n",
           f->events, f->ops[TRACE_ALLOC], f->ops[TRACE_REALLOC], f->ops[TRACE_FREE],
           s->implicit_frees);
    printf("left out     %" PRIu64 " failed calls, %" PRIu64 " NULL results of size 0, %" PRIu64
           " free(NULL), %" PRIu64 " malloc_usable_size, %" PRIu64 " frees and %" PRIu64
           " reallocs of unknown addresses, %" PRIu64 " reallocs the trace ends inside; "
           "not recorded: %" PRIu64 " calls while the recorder started, %" PRIu64
           " made inside another call\n",
           s->failed, s->null_results, s->free_null, s->usable_size_calls, s->unmatched_frees,
           s->unmatched_reallocs, s->incomplete_reallocs, s->boot_calls, s->nested_calls);
    printf("threads      %" PRIu64 " (at most %u at once: a replay runs %u worker thread%s)\n",
           s->threads, f->lanes, f->lanes, f->lanes == 1 ? "" : "s");
    human_bytes(f->peak_live_bytes, a, sizeof a);
    human_ns(f->peak_live_ns, b, sizeof b);
    printf("peak live    %s (%" PRIu64 " bytes) at %s; at most %" PRIu64 " objects live\n", a,
           f->peak_live_bytes, b, f->max_live_objects);
    human_bytes(f->final_live_bytes, a, sizeof a);
    printf("at the end   %" PRIu64 " objects, %s still live (a replay's teardown frees them)\n",
           f->final_live_objects, a);
    printf("cross-thread %.1f %% of frees (%" PRIu64 " of %" PRIu64 ") in another thread than "
           "the allocation\n",
           f->frees ? 100.0 * (double)f->cross_thread_frees / (double)f->frees : 0.0,
           f->cross_thread_frees, f->frees);
    printf("forks        %" PRIu64 " (children not recorded); execs %" PRIu64 "\n", s->forks,
           s->execs);
    if (s->late_events)
        printf("late events  %" PRIu64 " (merged behind events stamped later: a thread was "
               "descheduled between stamping and publishing)\n", s->late_events);
    print_hist("request sizes (bytes; allocations and reallocs)", f->size_hist, plain_count);
    print_hist("lifetimes of freed objects (time)", f->lifetime_ns_hist, human_ns);
    print_hist("lifetimes of freed objects (allocations in between)", f->lifetime_allocs_hist,
               plain_count);
}

int cmd_trace_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool json = false;
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        }
        if (c == 'j') {
            json = true;
            continue;
        }
        usage(stderr);
        return EXIT_USAGE;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "allocscope trace info: give one trace file\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    struct trace_facts f;
    char err[1200];
    if (trace_scan(argv[optind], &f, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (json)
        print_json(&f);
    else
        print_text(&f);
    trace_facts_free(&f);
    return EXIT_OK;
}
