/* synth.c - synthetic run directories (synth.h). */
#include "synth.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "summary_file.h"

#define NCOLUMNS summary_column_count

/* The index of a column by name (readers go by name). */
static size_t column_at(const char *name)
{
    for (size_t i = 0; i < NCOLUMNS; i++)
        if (strcmp(summary_columns[i].name, name) == 0)
            return i;
    abort();
}

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
        csv_write_field(f, summary_columns[i].name, i + 1 == NCOLUMNS);
    return f;
}

/* A figure written as the results writer writes its column: whole
 * numbers rounded, decimals without exponent; NAN stays empty. */
static void num_as(char *buf, size_t len, enum summary_cell kind, double v)
{
    if (isnan(v))
        buf[0] = '\0';
    else if (kind == CELL_COUNT || kind == CELL_SIGNED)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.9f", v);
}

/* A stable 16-hex-digit hash standing for `text` (FNV-1a). */
static void hash_of(const char *text, char *buf, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    snprintf(buf, len, "%016llx", (unsigned long long)h);
}

void synth_row(FILE *f, const struct synth_row *r)
{
    synth_row_later(f, r, NAN, NAN);
}

void synth_row_later(FILE *f, const struct synth_row *r, double ops_per_cpu_s,
                     double instructions_per_op)
{
    char cell[SUMMARY_MAX_COLUMNS][128];
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
        num_as(cell[5], 128, summary_columns[5].cell, r->ops);
        snprintf(cell[6], 128, "1");
        num_as(cell[7], 128, summary_columns[7].cell, r->ops / r->ops_per_s);
        num_as(cell[8], 128, summary_columns[8].cell, r->ops_per_s);
        num_as(cell[9], 128, summary_columns[9].cell, r->peak_heap_bytes + 4194304);
        num_as(cell[10], 128, summary_columns[10].cell, r->peak_heap_bytes);
        num_as(cell[11], 128, summary_columns[11].cell, r->peak_heap_bytes / r->frag_peak_ratio);
        num_as(cell[12], 128, summary_columns[12].cell, r->peak_brk_bytes);
        num_as(cell[13], 128, summary_columns[13].cell, 0);
        num_as(cell[14], 128, summary_columns[14].cell, r->frag_peak_ratio);
        num_as(cell[15], 128, summary_columns[15].cell, r->frag_peak_ratio);
        num_as(cell[16], 128, summary_columns[16].cell, r->frag_peak_ratio);
        num_as(cell[17], 128, summary_columns[17].cell, 1.1);
        num_as(cell[18], 128, summary_columns[18].cell, r->peak_heap_bytes / 4096);
        num_as(cell[19], 128, summary_columns[19].cell, 0);
        /* dTLB columns 20..25: empty when unsupported */
        num_as(cell[20], 128, summary_columns[20].cell, r->dtlb_per_kop * r->ops / 1000);
        num_as(cell[23], 128, summary_columns[23].cell, r->dtlb_per_kop);
        num_as(cell[26], 128, summary_columns[26].cell, r->latency_p99_ns / 4);
        num_as(cell[27], 128, summary_columns[27].cell, r->latency_p99_ns);
        num_as(cell[28], 128, summary_columns[28].cell, r->latency_p99_ns * 2);
        num_as(cell[29], 128, summary_columns[29].cell, r->latency_p99_ns * 10);
        num_as(cell[30], 128, summary_columns[30].cell, 0);
        num_as(cell[31], 128, summary_columns[31].cell, r->peak_heap_bytes + 4194304);
        num_as(cell[32], 128, summary_columns[32].cell, r->peak_heap_bytes);
        num_as(cell[33], 128, summary_columns[33].cell, 0);
        num_as(cell[34], 128, summary_columns[34].cell, r->peak_heap_bytes + 4194304);
        snprintf(cell[35], 128, "/usr/lib/x86_64-linux-gnu/lib%s.so", r->allocator);
    }
    snprintf(cell[36], 128, "%s", r->allocator_version ? r->allocator_version : "1.0");
    char ops[128];
    snprintf(ops, sizeof ops, "ops-%s", r->workload);
    hash_of(ops, cell[37], 128);
    hash_of(r->spec_hash ? r->spec_hash : spec, cell[38], 128);
    if (ok) {
        size_t cpu = column_at("ops_per_cpu_s"), ipo = column_at("instructions_per_op");
        num_as(cell[cpu], 128, summary_columns[cpu].cell, ops_per_cpu_s);
        num_as(cell[ipo], 128, summary_columns[ipo].cell, instructions_per_op);
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
