/* run_programs.c - every run of one program workload: a fresh {tmp}
 * folder, the program runner, the row, the samples, and the same-output
 * check against the workload's first successful run. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "program.h"
#include "program_results.h"
#include "run_shared.h"
#include "xalloc.h"

int parse_interval(const char *text, double *out)
{
    if (strcmp(text, "none") == 0) {
        *out = 0;
        return 0;
    }
    char *end;
    double v = strtod(text, &end);
    double unit = strcmp(end, "us") == 0 ? 1e-6 : strcmp(end, "ms") == 0 ? 1e-3
                  : strcmp(end, "s") == 0 ? 1 : 0;
    if (end == text || unit == 0)
        return -1;
    *out = v * unit;
    return *out >= 0.001 && *out <= 60 ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A short folder for {tmp}: unix socket paths have at most 107 bytes. */
static int make_tmp(char *out, size_t len)
{
    const char *base = getenv("TMPDIR");
    if (!base || !base[0] || strlen(base) > 60)
        base = "/tmp";
    snprintf(out, len, "%s/allocscope-XXXXXX", base);
    return mkdtemp(out) ? 0 : -1;
}

struct reference_output {
    bool have;
    uint64_t hash;
    char who[128];
};

static void run_one(struct results_dir *dir, const struct workload_spec *w,
                    const struct allocator_entry *a, unsigned rep, const struct run_options *o,
                    const char *probe, unsigned order_pos, struct reference_output *ref,
                    struct run_totals *t)
{
    const struct program_spec *p = w->program;
    struct program_row_info info = {.kind = p->service ? "service" : "program", .same_output = ""};
    struct results_row row = {.workload = w->name, .allocator = a->name, .rep = rep, .threads = 0,
                              .spec_hash = spec_workload_hash(w), .program_info = &info,
                              .order_pos = order_pos};
    struct program_outcome out = {0};
    char reason[1024] = "";
    char sdir[PATH_MAX + 64], log_path[PATH_MAX + 128], out_path[PATH_MAX + 128];
    snprintf(sdir, sizeof sdir, "%s/samples/%s", dir->path, w->name);
    mkdir(sdir, 0755);
    snprintf(log_path, sizeof log_path, "%s/%s-%u.log", sdir, a->name, rep);
    snprintf(out_path, sizeof out_path, "%s/%s-%u.stdout", sdir, a->name, rep);
    bool keep_stdout = false;

    if (!a->available) {
        row.status = RUN_SKIPPED;
        row.reason = a->unavailable_reason;
    } else {
        char tmp[PATH_MAX];
        if (make_tmp(tmp, sizeof tmp) < 0) {
            snprintf(reason, sizeof reason, "cannot create a {tmp} folder: %s", strerror(errno));
            row.status = RUN_FAILED;
            row.reason = reason;
        } else {
            info.interval_s = o->interval_s >= 0 ? o->interval_s : p->sample_interval_s;
            struct program_request req = {
                .w = w, .alloc = a, .probe_path = probe,
                .timeout_s = o->timeout_s > 0 ? o->timeout_s : w->timeout_s,
                .interval_s = info.interval_s, .stdout_path = out_path, .log_path = log_path,
                .tmp_dir = tmp, .use_cgroup = true};
            program_execute(&req, &out);
            nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
            row.status = out.status;
            snprintf(reason, sizeof reason, "%s", out.reason);
            row.reason = reason;
            row.program = &out;
            row.threads = out.peak_threads;
            row.served_by = out.served_by;
            if (out.ran) {
                char err[512];
                if (results_write_program_samples(dir, w->name, a->name, rep, &out, err,
                                                  sizeof err) < 0)
                    fprintf(stderr, "allocscope: %s\n", err);
            }
            if (p->same_output && out.status == RUN_OK && out.have_output_hash) {
                if (!ref->have) {
                    ref->have = true;
                    ref->hash = out.output_hash;
                    snprintf(ref->who, sizeof ref->who, "%s rep %u", a->name, rep);
                    info.same_output = "yes";
                    keep_stdout = true; /* the reference others are held to */
                } else if (ref->hash == out.output_hash) {
                    info.same_output = "yes";
                } else {
                    info.same_output = "no";
                    row.status = RUN_FAILED;
                    snprintf(reason, sizeof reason,
                             "output differs from %s's (stdout hash %016" PRIx64 " vs %016" PRIx64
                             "; expect.same_output)", ref->who, out.output_hash, ref->hash);
                }
            }
            keep_stdout |= row.status != RUN_OK;
        }
    }
    if (results_append_row(dir, &row) < 0)
        t->row_lost = true;
    struct stat st;
    if (!keep_stdout || (stat(out_path, &st) == 0 && st.st_size == 0))
        unlink(out_path);
    if (stat(log_path, &st) == 0 && st.st_size == 0)
        unlink(log_path);
    run_count_row(t, row.status);
    if (row.status != RUN_OK && row.status != RUN_SKIPPED)
        progress_message("%s %s x %s rep %u: %s", run_status_name(row.status), w->name, a->name,
                         rep, row.reason);
    program_outcome_release(&out);
}

void run_program_workload(struct results_dir *dir, json_t *meta, const struct workload_spec *w,
                          const struct allocator_entry *const *allocs, size_t nallocs,
                          unsigned reps, const struct run_options *o, const char *probe,
                          uint64_t order_seed, struct progress *prog, struct run_totals *t)
{
    (void)meta;
    struct reference_output ref = {0};
    size_t *perm = xcalloc(nallocs ? nallocs : 1, sizeof *perm);
    for (unsigned rep = 1; rep <= reps && !runner_interrupted && !t->row_lost; rep++) {
        run_plan_order(order_seed, w->name, rep, nallocs, perm);
        for (size_t k = 0; k < nallocs && !runner_interrupted && !t->row_lost; k++) {
            const struct allocator_entry *a = allocs[perm[k]];
            progress_step(prog, w->name, a->name, rep);
            run_one(dir, w, a, rep, o, probe, (unsigned)k + 1, &ref, t);
        }
    }
    free(perm);
}
