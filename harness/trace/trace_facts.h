/* trace_facts.h - everything `trace info` reports and `trace fit` needs,
 * gathered in one streaming pass over a trace (trace_scan), and the facts
 * a replay is checked against (every replay row: docs/results.md). */
#ifndef ALLOCSCOPE_TRACE_FACTS_H
#define ALLOCSCOPE_TRACE_FACTS_H

#include <stdint.h>

#include "trace_reader.h"
#include "u64_map.h"

/* Log2 buckets: bucket 0 holds 0, bucket k >= 1 holds [2^(k-1), 2^k). */
#define TRACE_LOG2_BUCKETS 65
/* Frees by the freed object's age over the live objects then, in tenths:
 * 0-0.1, ..., 1.9-2.0, then >= 2 (see trace_fit_free_order). */
#define TRACE_AGE_BINS 21
/* Realloc new/old size ratios, log2 in quarter steps from -16 to +16. */
#define TRACE_RATIO_BINS 129
/* The size table of a fit: at most this many entries (the spec's limit). */
#define TRACE_SIZE_TABLE_MAX 4096

struct trace_size_entry {
    uint64_t size;
    uint64_t count;
};

struct trace_facts {
    char *path;
    /* The header, with its strings owned here. */
    unsigned version;
    char *program, *host, *clock, *recorder, *argv;
    size_t argv_len;
    uint64_t pid, start_unix_ns;
    struct trace_status status; /* final */

    /* What the replay executes: its op count and exact live-bytes peak. */
    uint64_t events;               /* ALLOC + REALLOC + FREE events */
    uint64_t ops[TRACE_OP_COUNT];
    uint64_t wide_reallocs;        /* REALLOC events with a size >= 2^32: a
                                      replay makes them a free and a malloc */
    uint64_t by_call[TCALL_COUNT]; /* events by the call they came from */
    uint64_t alloc_by_call[TCALL_COUNT]; /* ALLOC events by call */
    uint64_t peak_live_bytes, peak_live_ns;
    uint64_t max_live_objects;
    uint64_t final_live_bytes, final_live_objects; /* left for teardown */
    double mean_live_objects;      /* over events */
    uint64_t frees, cross_thread_frees; /* FREE events not implicit */
    uint64_t duration_ns;          /* the last event's time */
    uint32_t lanes;                /* worker threads a replay needs */

    uint64_t size_hist[TRACE_LOG2_BUCKETS];      /* ALLOC and REALLOC sizes */
    uint64_t lifetime_ns_hist[TRACE_LOG2_BUCKETS]; /* freed objects */
    uint64_t lifetime_allocs_hist[TRACE_LOG2_BUCKETS];
    uint64_t age_bins[TRACE_AGE_BINS];
    uint64_t realloc_ratio_bins[TRACE_RATIO_BINS];
    uint64_t align_hist[64];       /* aligned allocations by log2 alignment */

    /* ALLOC sizes: exact while at most TRACE_SIZE_TABLE_MAX distinct, else
     * folded into log-linear bins (64 per power of two). */
    struct u64_map exact_sizes;
    bool sizes_folded;
    uint64_t *bin_count, *bin_sum; /* TRACE_SIZE_BINS each, once folded */
};

/* Read the whole trace at `path`. Returns 0, or -1 with "FILE: offset N:
 * message" in err (and *f released). */
int trace_scan(const char *path, struct trace_facts *f, char *err, size_t errlen);
void trace_facts_free(struct trace_facts *f);

/* Bucket of v in the log2 histograms. */
unsigned trace_log2_bucket(uint64_t v);

/* The empirical size table of the allocations, at most `max` entries,
 * largest count first. Returns the number of entries. */
size_t trace_facts_size_table(const struct trace_facts *f, struct trace_size_entry *out,
                              size_t max);

#endif
