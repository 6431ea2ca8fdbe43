/* synth.c - synthetic run directories (synth.h). */
#include "synth.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"

/* Every column of docs/results.md, in order. */
static const char *const columns[] = {
    "workload", "allocator", "rep", "status", "reason", "ops", "threads", "wall_s", "ops_per_s",
    "peak_rss_bytes", "peak_heap_bytes", "peak_live_bytes", "peak_brk_bytes",
    "final_heap_bytes", "frag_peak_ratio", "frag_at_peak_heap", "frag_mean_ratio",
    "internal_frag_ratio", "minor_faults", "major_faults", "dtlb_load_misses",
    "dtlb_store_misses", "itlb_misses", "dtlb_load_misses_per_kop",
    "dtlb_store_misses_per_kop", "itlb_misses_per_kop", "latency_p50_ns", "latency_p99_ns",
    "latency_p999_ns", "latency_max_ns", "hugepage_share", "smaps_rss_bytes",
    "smaps_anon_bytes", "smaps_anon_huge_bytes", "ru_maxrss_bytes", "served_by",
    "allocator_version", "opstream_hash", "spec_hash",
    /* a selection of the later columns (readers go by name) */
    "ops_per_cpu_s", "instructions_per_op",
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

FILE *synth_begin(const char *dir, const struct synth_host *host)
{
    char path[4096];
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/run.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f,
            "{\n  \"schema_version\": 1,\n"
            "  \"tool\": {\"name\": \"allocscope\", \"version\": \"0.1.0\", \"git_commit\": "
            "\"%s\", \"compiler\": \"GNU 12.2.0\"},\n"
            "  \"command_line\": [\"allocscope\", \"run\"],\n"
            "  \"started_at\": \"2026-11-20T12:00:00Z\",\n"
            "  \"finished_at\": \"2026-11-20T12:00:14Z\",\n  \"status\": \"complete\",\n"
            "  \"host\": {\"hostname\": \"ci\", \"kernel\": \"%s\", \"cpu_model\": \"%s\",\n"
            "           \"cores\": 2, \"thp_mode\": \"madvise\", \"page_size\": 4096},\n"
            "  \"perf\": {\"dtlb_load_misses\": {\"supported\": false, \"reason\": \"no PMU\"}},\n",
            host && host->git_commit ? host->git_commit : "0123456789ab",
            host && host->kernel ? host->kernel : "Linux 6.1.0 x86_64",
            host && host->cpu_model ? host->cpu_model : "Test CPU @ 2.80GHz");
    if (host && host->label)
        fprintf(f, "  \"label\": \"%s\",\n", host->label);
    fprintf(f, "  \"quick\": true,\n  \"reps\": 1,\n  \"allocators\": [],\n"
               "  \"workloads\": [],\n  \"runs\": {\"total\": 0, \"ok\": 0, \"failed\": 0}\n}\n");
    if (fclose(f) != 0)
        return NULL;
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    f = fopen(path, "w");
    if (!f)
        return NULL;
    for (size_t i = 0; i < NCOLUMNS; i++)
        csv_write_field(f, columns[i], i + 1 == NCOLUMNS);
    return f;
}

static void num(char *buf, size_t len, double v)
{
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, len, "%.17g", v);
}

void synth_row(FILE *f, const struct synth_row *r)
{
    synth_row_later(f, r, NAN, NAN);
}

void synth_row_later(FILE *f, const struct synth_row *r, double ops_per_cpu_s,
                     double instructions_per_op)
{
    char cell[NCOLUMNS][128];
    memset(cell, 0, sizeof cell);
    char spec[128];
    snprintf(spec, sizeof spec, "spec-%s", r->workload);
    const char *status = r->status ? r->status : "ok";
    bool ok = strcmp(status, "ok") == 0;
    snprintf(cell[0], 128, "%s", r->workload);
    snprintf(cell[1], 128, "%s", r->allocator);
    snprintf(cell[2], 128, "%d", r->rep);
    snprintf(cell[3], 128, "%s", status);
    snprintf(cell[4], 128, "%s", ok ? "" : "synthetic failure");
    if (ok) {
        num(cell[5], 128, r->ops);
        snprintf(cell[6], 128, "1");
        num(cell[7], 128, r->ops / r->ops_per_s);
        num(cell[8], 128, r->ops_per_s);
        num(cell[9], 128, r->peak_heap_bytes + 4194304);
        num(cell[10], 128, r->peak_heap_bytes);
        num(cell[11], 128, r->peak_heap_bytes / r->frag_peak_ratio);
        num(cell[12], 128, r->peak_brk_bytes);
        num(cell[13], 128, 0);
        num(cell[14], 128, r->frag_peak_ratio);
        num(cell[15], 128, r->frag_peak_ratio);
        num(cell[16], 128, r->frag_peak_ratio);
        num(cell[17], 128, 1.1);
        num(cell[18], 128, r->peak_heap_bytes / 4096);
        num(cell[19], 128, 0);
        /* dTLB columns 20..25: empty when unsupported */
        num(cell[20], 128, r->dtlb_per_kop * r->ops / 1000);
        num(cell[23], 128, r->dtlb_per_kop);
        num(cell[26], 128, r->latency_p99_ns / 4);
        num(cell[27], 128, r->latency_p99_ns);
        num(cell[28], 128, r->latency_p99_ns * 2);
        num(cell[29], 128, r->latency_p99_ns * 10);
        num(cell[30], 128, 0);
        num(cell[31], 128, r->peak_heap_bytes + 4194304);
        num(cell[32], 128, r->peak_heap_bytes);
        num(cell[33], 128, 0);
        num(cell[34], 128, r->peak_heap_bytes + 4194304);
        snprintf(cell[35], 128, "/usr/lib/x86_64-linux-gnu/lib%s.so", r->allocator);
    }
    snprintf(cell[36], 128, "%s", r->allocator_version ? r->allocator_version : "1.0");
    snprintf(cell[37], 128, "ops-%s", r->workload);
    snprintf(cell[38], 128, "%s", r->spec_hash ? r->spec_hash : spec);
    if (ok) {
        num(cell[39], 128, ops_per_cpu_s);
        num(cell[40], 128, instructions_per_op);
    }
    for (size_t i = 0; i < NCOLUMNS; i++)
        csv_write_field(f, cell[i], i + 1 == NCOLUMNS);
}

int synth_end(FILE *f) { return fclose(f); }

double synth_uniform(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

double synth_normal(uint64_t *s)
{
    double u1 = synth_uniform(s), u2 = synth_uniform(s);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

void synth_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            synth_rmdir(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}
