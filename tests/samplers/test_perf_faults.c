/* test_perf_faults.c - the software minor-fault counter against getrusage.
 *
 * Both count in the same kernel function (mm_account_fault), so over one
 * window they agree up to the faults of the reads themselves. THP is off on
 * the mapping, so each of the M pages faults exactly once. */
#include <errno.h>

#include "check.h"
#include "pages.h"
#include "samplers.h"

#define M 512
#define TOL 16

int main(void)
{
    struct perf_counters pc;
    struct fault_counts r0, r1;
    uint64_t p0[PERF_METRIC_COUNT], p1[PERF_METRIC_COUNT];

    perf_counters_open(&pc);
    if (pc.fd[PERF_MINOR_FAULTS] < 0) {
        int e = pc.open_errno[PERF_MINOR_FAULTS];
        fprintf(stderr, "minor faults: %s\n", perf_open_error_reason(e));
        /* Software events work on every perf-enabled kernel; only a
         * paranoid setting that closes perf to this user is a skip. */
        return e == EACCES || e == EPERM ? SKIP_RC : 1;
    }
    char *p = map_fresh_pages(M);
    perf_counters_enable(&pc);
    perf_counters_read(&pc, p0);
    CHECK(rusage_read(&r0) == 0);
    touch_pages(p, M);
    CHECK(rusage_read(&r1) == 0);
    perf_counters_read(&pc, p1);

    CHECK(p0[PERF_MINOR_FAULTS] != METRIC_UNSUPPORTED);
    CHECK(p1[PERF_MINOR_FAULTS] != METRIC_UNSUPPORTED);
    int64_t dperf = (int64_t)(p1[PERF_MINOR_FAULTS] - p0[PERF_MINOR_FAULTS]);
    int64_t dru = (int64_t)(r1.minor - r0.minor);
    printf("touch %d pages: perf minor faults +%" PRId64
           ", getrusage minor faults +%" PRId64 ", major %" PRIu64 "\n",
           M, dperf, dru, r1.major - r0.major);
    CHECK_RANGE(dperf, M * 9 / 10, M + TOL);
    CHECK_RANGE(dru, M * 9 / 10, M + TOL);
    CHECK_RANGE(dperf - dru, -TOL, TOL);
    /* No file I/O here: no major faults. */
    if (pc.fd[PERF_MAJOR_FAULTS] >= 0)
        CHECK_EQ_U64(p1[PERF_MAJOR_FAULTS] - p0[PERF_MAJOR_FAULTS], 0);
    CHECK(r1.maxrss_bytes >= (uint64_t)M * page_size());

    perf_counters_close(&pc);
    return check_done("perf_faults");
}
