/* test_no_malloc.c - the samplers never call malloc.
 *
 * This executable defines malloc, calloc, realloc, free and the aligned
 * variants itself; a definition in the executable wins over libc's for the
 * whole process (libc's own internal calls included), so every allocation
 * anywhere lands here. Calls are counted while `counting` is set and
 * forwarded to glibc's __libc_* entry points.
 *
 * A positive control (fopen, which allocates its FILE) proves the counting
 * works before the samplers are checked under it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "latency.h"
#include "samplers.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static volatile int counting;
static volatile unsigned long alloc_calls;

#define COUNT() do { if (counting) alloc_calls++; } while (0)

void *malloc(size_t n) { COUNT(); return __libc_malloc(n); }
void *calloc(size_t n, size_t k) { COUNT(); return __libc_calloc(n, k); }
void *realloc(void *p, size_t n) { COUNT(); return __libc_realloc(p, n); }
void free(void *p) { if (p) COUNT(); __libc_free(p); }
void *memalign(size_t a, size_t n) { COUNT(); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { COUNT(); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n)
{
    COUNT();
    void *p = __libc_memalign(a, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

static struct latency_hist hist;

int main(void)
{
    struct statm_sampler s;
    struct statm_reading st;
    struct smaps_rollup sr;
    struct perf_counters pc;
    struct fault_counts fc;
    uint64_t v[PERF_METRIC_COUNT];
    unsigned long during, control;
    int rc_statm_open, rc_statm, rc_smaps, rc_ru, opened;
    const char *reason;

    /* Positive control: the interposition sees libc's allocations. */
    counting = 1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f)
        fclose(f);
    counting = 0;
    control = alloc_calls;
    CHECK(f != NULL);
    CHECK(control > 0);

    /* Everything a worker calls between baseline and end of run, cold (no
     * warm-up calls: lazy symbol binding is part of what is checked). */
    alloc_calls = 0;
    counting = 1;
    rc_statm_open = statm_open(&s);
    rc_statm = statm_read(&s, &st);
    rc_smaps = smaps_rollup_read(&sr);
    opened = perf_counters_open(&pc);
    perf_counters_enable(&pc);
    perf_counters_read(&pc, v);
    rc_ru = rusage_read(&fc);
    reason = perf_open_error_reason(ENOENT);
    reason = perf_open_error_reason(pc.open_errno[PERF_DTLB_LOAD_MISSES]);
    for (uint64_t i = 0; i < 1000; i++)
        latency_record(&hist, now_ns() & 0xffff);
    latency_merge(&hist, &hist);
    uint64_t p99 = latency_percentile(&hist, 0.99);
    perf_counters_close(&pc);
    statm_close(&s);
    counting = 0;
    during = alloc_calls;

    printf("positive control (fopen/fclose): %lu allocator calls\n", control);
    printf("samplers: %lu allocator calls (statm rss %" PRIu64 ", smaps rss %" PRIu64
           ", %d perf events, p99 %" PRIu64 ", reason \"%s\")\n",
           during, st.rss_bytes, sr.rss_bytes, opened, p99, reason);
    CHECK(rc_statm_open == 0 && rc_statm == 0 && rc_smaps == 0 && rc_ru == 0);
    CHECK(during == 0);
    if (opened < 1 && check_failures == 0) {
        /* perf_event_open refused every event (perf_event_paranoid, a
         * seccomp profile): the samplers' failure path allocated nothing,
         * but the counting path was not exercised. Say so; do not fail. */
        printf("SKIP: perf_event_open is closed here (%s): the perf sampler's reads were not "
               "checked\n",
               perf_open_error_reason(pc.open_errno[PERF_MINOR_FAULTS]));
        return SKIP_RC;
    }
    return check_done("no_malloc");
}
