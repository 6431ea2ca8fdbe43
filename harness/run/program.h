/* program.h - one measured run of a real program or service: a fresh
 * fork+exec with the allocator and the verification probe preloaded,
 * sampled from outside (proc_tree.h) at a fixed interval, judged by its
 * exit status, its probe reports and (optionally) its output.
 *
 * What is measured and where each figure comes from:
 *   wall_s             exec to exit (service: the load driver's run)
 *   user_s, sys_s      wait4 rusage of the program (service: the server),
 *                      its reaped descendants included
 *   ru_maxrss_bytes    wait4 ru_maxrss: the largest resident set any one
 *                      process of the tree reached (kernel high-water mark,
 *                      as GNU time's %M); the parent forks with a small
 *                      anonymous footprint, since the kernel counts the
 *                      forked image in the child's maximum
 *   tree_peak_bytes    the whole tree at one moment: cgroup v2 memory.peak
 *                      where the machine offers it, else the highest sum of
 *                      RSS sampled over the tree's processes
 *   peak_heap_bytes    highest sampled (anonymous resident memory of the
 *                      tree - the program's anonymous memory right after
 *                      exec, as the probe read it)
 *   peak_brk_bytes     highest sampled [heap] end - start_brk of the program
 *   faults, perf       perf counters opened on the child before exec with
 *                      `inherit` and `enable_on_exec`; faults fall back to
 *                      /proc when perf cannot count them
 */
#ifndef ALLOCSCOPE_PROGRAM_H
#define ALLOCSCOPE_PROGRAM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe_protocol.h"
#include "registry.h"
#include "runner.h"
#include "samplers.h"
#include "spec.h"

struct program_request {
    const struct workload_spec *w; /* w->program != NULL */
    const struct allocator_entry *alloc;
    const char *probe_path; /* liballocscope_probe.so */
    double timeout_s;
    double interval_s;       /* 0 = no time series */
    const char *stdout_path; /* the program's (service: the load's) stdout */
    const char *log_path;    /* stderr of everything started; NULL = /dev/null */
    const char *tmp_dir;     /* {tmp}: an empty folder for this run */
    bool use_cgroup;         /* try cgroup v2 for the tree's peak */
};

enum program_sample_kind { PSAMPLE_BASELINE, PSAMPLE_PERIODIC, PSAMPLE_END };

struct program_sample {
    uint64_t t_ns; /* since exec */
    uint32_t kind; /* enum program_sample_kind */
    uint32_t processes, threads;
    uint64_t rss_bytes;
    int64_t heap_bytes;
    uint64_t brk_bytes;
    uint64_t minor_faults, major_faults; /* since exec */
    uint64_t hwm_bytes;                  /* VmHWM of the program, 0 = gone */
    uint64_t cgroup_bytes;               /* memory.current, METRIC_UNSUPPORTED */
};

struct program_outcome {
    enum run_status status;
    char reason[768];
    bool ran;         /* the program ran to its end: figures below are set */
    int exit_status;  /* -1 when killed by a signal */
    int term_signal;
    double wall_s, user_s, sys_s;
    uint64_t ru_maxrss_bytes;
    uint64_t tree_peak_bytes;
    bool tree_peak_cgroup; /* tree_peak_bytes is cgroup memory.peak */
    uint64_t sampled_peak_rss_bytes;
    int64_t peak_heap_bytes;
    uint64_t peak_brk_bytes;
    uint64_t hwm_bytes; /* last VmHWM sampled of the program */
    uint64_t minor_faults, major_faults;
    uint64_t perf[PERF_METRIC_COUNT]; /* METRIC_UNSUPPORTED when not counted */
    int perf_errno[PERF_METRIC_COUNT];
    struct smaps_rollup smaps; /* at the sampled peak; rss 0 = never read */
    uint32_t peak_threads;
    uint32_t processes; /* ever part of the tree */
    uint64_t output_hash;
    bool have_output_hash;
    char served_by[PATH_MAX];
    uint32_t probe_reports;
    struct program_sample *samples;
    size_t nsamples, cap;
};

/* Returns 0 when the run was attempted (see out->status), -1 when it could
 * not start (reason says why, status RUN_FAILED). */
int program_execute(const struct program_request *req, struct program_outcome *out);
void program_outcome_release(struct program_outcome *out);

/* Path of liballocscope_probe.so: ../lib next to the running executable. */
int program_probe_path(char *out, size_t outlen);

/* ---- program_env.c ---------------------------------------------------- */

/* Placeholder values of one run. */
struct program_vars {
    const char *tmp, *dir;
    unsigned port;
};

/* `text` with {tmp}, {port}, {dir} filled in and {{ }} unescaped;
 * malloc'ed. */
char *program_expand(const char *text, const struct program_vars *v);

/* argv of cmd expanded (argv[0] as written), NULL-terminated, malloc'ed. */
char **program_argv(const struct program_command *cmd, const struct program_vars *v);
void program_argv_free(char **argv);

/* The environment of a measured process: allocscope's own without
 * LD_PRELOAD and ALLOCSCOPE_PROBE, the workload's env, then LD_PRELOAD
 * (allocator and probe) and ALLOCSCOPE_PROBE, both padded to a fixed
 * length so every allocator's environment block has the same size (the
 * size of the environment shifts the stack and, with it, timings).
 * alloc NULL: no allocator (setup, the load driver of a service); else its
 * library is preloaded ("" for glibc) and an allocator variant's settings
 * come last, over allocscope's and the workload's. probe_var NULL = no
 * probe and no padding. */
struct allocator_entry;
char **program_env(const struct program_spec *p, const struct program_vars *v,
                   const struct allocator_entry *alloc, const char *probe_path,
                   const char *probe_var);
void program_env_free(char **env);

/* A free TCP port on 127.0.0.1 (bound, then released), 0 when none. */
unsigned program_free_port(void);

/* "static" when the ELF file has no interpreter (LD_PRELOAD cannot reach
 * it), "dynamic", or NULL when it is not an ELF file (a script). */
const char *program_elf_linkage(const char *path);

#endif
