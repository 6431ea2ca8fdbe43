/* synth.h - synthetic run directories for the compare tests: run.json and
 * summary.csv written exactly as docs/results.md describes, with figures
 * the test chooses (so the right verdict is known in advance). */
#ifndef ALLOCSCOPE_TEST_SYNTH_H
#define ALLOCSCOPE_TEST_SYNTH_H

#include <stdint.h>
#include <stdio.h>

struct synth_host {
    const char *cpu_model;  /* NULL: the default test CPU */
    const char *kernel;     /* NULL: the default test kernel */
    const char *git_commit; /* NULL: "0123456789ab" */
    const char *label;      /* NULL: no "label" member */
};

/* One summary row. NAN figures are written as empty cells (unsupported). */
struct synth_row {
    const char *workload, *allocator;
    int rep;
    const char *status; /* NULL: "ok" */
    double ops;
    double ops_per_s, latency_p99_ns, peak_heap_bytes, frag_peak_ratio, peak_brk_bytes;
    double dtlb_per_kop;
    const char *spec_hash;         /* NULL: "spec-<workload>" */
    const char *allocator_version; /* NULL: "1.0" */
};

/* mkdir DIR, write DIR/run.json; returns the open summary.csv (header
 * written) or NULL. */
FILE *synth_begin(const char *dir, const struct synth_host *host);
void synth_row(FILE *summary, const struct synth_row *row);
/* The same with two later columns (NAN: empty, as synth_row leaves them):
 * ops_per_cpu_s and instructions_per_op. */
void synth_row_later(FILE *summary, const struct synth_row *row, double ops_per_cpu_s,
                     double instructions_per_op);
int synth_end(FILE *summary);

/* Deterministic noise: uniform in [0,1) and standard normal. */
double synth_uniform(uint64_t *state);
double synth_normal(uint64_t *state);

/* Remove a directory tree the tests made (files one level deep at most). */
void synth_rmdir(const char *dir);

#endif
