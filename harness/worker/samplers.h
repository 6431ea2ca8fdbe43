/* samplers.h - cheap readers of the process's memory and counters.
 *
 * Everything here runs inside the measured child, so none of it may call
 * malloc (directly or through stdio, strdup, getline, ...): /proc files are
 * read with read/pread into caller-provided or stack buffers and parsed by
 * hand.
 */
#ifndef ALLOCSCOPE_SAMPLERS_H
#define ALLOCSCOPE_SAMPLERS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/perf_event.h>

/* Marks a counter value that the machine cannot measure. Never written as 0:
 * results print it as an empty cell. */
#define METRIC_UNSUPPORTED UINT64_MAX

/* ---- /proc/self/statm, read with pread on a kept fd (~0.4 us) ---------- */
struct statm_sampler {
    int fd;
    uint64_t page_size;
};

struct statm_reading {
    uint64_t rss_bytes;  /* resident */
    uint64_t anon_bytes; /* resident - shared(file + shmem) = RssAnon */
};

int statm_open(struct statm_sampler *s);                 /* 0 or -errno */
int statm_read(struct statm_sampler *s, struct statm_reading *out);
void statm_close(struct statm_sampler *s);

/* ---- /proc/self/smaps_rollup (~1 ms: end of run and phase ends only) ---- */
struct smaps_rollup {
    uint64_t rss_bytes;
    uint64_t anonymous_bytes;
    uint64_t anon_huge_bytes;
    uint64_t shared_bytes; /* Shared_Clean + Shared_Dirty */
    uint64_t locked_bytes; /* Locked */
};

int smaps_rollup_read(struct smaps_rollup *out); /* 0 or -errno */

/* ---- /proc/self/smaps, mapping by mapping (end of run only) ------------- */
struct smaps_mapped {
    uint64_t mapped_bytes; /* Size of every accessible mapping */
    uint64_t rss_bytes;    /* Rss of the same mappings */
    uint64_t anon_shared_bytes; /* Shared_* of the private anonymous ones */
};

int smaps_mapped_read(struct smaps_mapped *out); /* 0 or -errno */

/* ---- /proc/self/status: the high-water mark and the resident split ----- */
struct proc_status {
    uint64_t hwm_bytes;   /* VmHWM: the largest RSS since exec or the reset */
    uint64_t rss_bytes;   /* VmRSS */
    uint64_t anon_bytes;  /* RssAnon */
    uint64_t file_bytes;  /* RssFile */
    uint64_t shmem_bytes; /* RssShmem */
};

int proc_status_read(struct proc_status *out); /* 0 or -errno */

/* Reset VmHWM to the current RSS (clear_refs "5"). 0 or -errno. */
int peak_rss_reset(void);

/* Parse "Key: <n> kB" lines of a /proc file: values[i] for keys[i] (colon
 * included). Returns a bit mask of the keys found, or -errno. */
int proc_kb_fields(const char *path, const char *const *keys, uint64_t *values, unsigned n);

/* ---- perf_event_open counters ------------------------------------------ */
enum perf_metric {
    PERF_DTLB_LOAD_MISSES,  /* HW_CACHE: DTLB, OP_READ,  RESULT_MISS */
    PERF_DTLB_STORE_MISSES, /* HW_CACHE: DTLB, OP_WRITE, RESULT_MISS */
    PERF_ITLB_MISSES,       /* HW_CACHE: ITLB, OP_READ,  RESULT_MISS */
    PERF_MINOR_FAULTS,      /* SOFTWARE: PAGE_FAULTS_MIN */
    PERF_MAJOR_FAULTS,      /* SOFTWARE: PAGE_FAULTS_MAJ */
    /* Appended with page-level effects: */
    PERF_CPU_CYCLES,        /* HARDWARE: CPU_CYCLES */
    PERF_CPU_INSTRUCTIONS,  /* HARDWARE: INSTRUCTIONS */
    PERF_DTLB_WALKS,        /* RAW, the CPU's own (tlb_events.h) */
    PERF_DTLB_WALKS_4K,
    PERF_DTLB_WALKS_2M,
    PERF_DTLB_WALK_CYCLES,
    PERF_METRIC_COUNT
};

/* Name used in CSV headers and messages, e.g. "dtlb_load_misses". */
const char *perf_metric_name(enum perf_metric m);

/* Fill `attr` for metric `m`: counting this process (pid 0, any cpu), user
 * and kernel, `inherit` set so threads created later are counted, read_format
 * TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING, starting disabled. */
void perf_metric_attr(enum perf_metric m, struct perf_event_attr *attr);

/* Whether metric m has an encoding on this CPU (the raw page-walk metrics
 * only on the families of tlb_events.h; every other metric: true). A
 * metric without one is never opened: its errno is ENODATA. */
bool perf_metric_known(enum perf_metric m);

struct perf_counters {
    int fd[PERF_METRIC_COUNT];     /* -1 when not open */
    int open_errno[PERF_METRIC_COUNT]; /* 0 when open */
};

/* Open every metric; one that fails is left unsupported (fd -1, errno kept).
 * Returns the number opened. Open before creating worker threads. */
int perf_counters_open(struct perf_counters *pc);
void perf_counters_enable(struct perf_counters *pc);
/* Read all metrics, scaled for multiplexing (value x enabled / running);
 * METRIC_UNSUPPORTED for metrics that are not open or never ran. */
void perf_counters_read(const struct perf_counters *pc,
                        uint64_t out[PERF_METRIC_COUNT]);
/* The same for metrics first..last-1 only (others are left untouched). */
void perf_counters_read_range(const struct perf_counters *pc, uint64_t out[PERF_METRIC_COUNT],
                              int first, int last);
void perf_counters_close(struct perf_counters *pc);

/* Human reason for an open failure, e.g. "no hardware PMU (ENOENT)". */
const char *perf_open_error_reason(int err);

/* ---- getrusage --------------------------------------------------------- */
struct fault_counts {
    uint64_t minor;
    uint64_t major;
    uint64_t maxrss_bytes;
};
int rusage_read(struct fault_counts *out);

/* ---- monotonic clock ---------------------------------------------------- */
static inline uint64_t now_ns(void);

#include <time.h>
static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* CPU time of the whole process, all threads, user plus kernel time (one
 * system call, ~0.3 us: pauses and the run's ends only). */
static inline uint64_t cpu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif
