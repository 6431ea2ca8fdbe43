/* test_perf_scale.c - multiplexing scale-up (value x enabled / running).
 *
 * No machine here multiplexes (no hardware PMU; software events are always
 * on), so the arithmetic is checked directly: this file compiles
 * perf_counters.c itself to reach its static perf_scale() and is not
 * linked against the library. */
#include "../../harness/worker/perf_counters.c"

#include "check.h"

int main(void)
{
    CHECK_EQ_U64(perf_scale(100, 10, 10), 100);      /* always on */
    CHECK_EQ_U64(perf_scale(100, 10, 11), 100);      /* running > enabled */
    CHECK_EQ_U64(perf_scale(100, 10, 5), 200);       /* half the time */
    CHECK_EQ_U64(perf_scale(7, 3, 2), 10);           /* 10.5 truncated */
    CHECK_EQ_U64(perf_scale(0, 10, 5), 0);           /* a real zero */
    CHECK_EQ_U64(perf_scale(100, 10, 0), METRIC_UNSUPPORTED); /* never ran */
    CHECK_EQ_U64(perf_scale(0, 0, 0), METRIC_UNSUPPORTED);
    /* value x enabled needs more than 64 bits: 2^40 x 2^40 / 2^39. */
    CHECK_EQ_U64(perf_scale(UINT64_C(1) << 40, UINT64_C(1) << 40,
                            UINT64_C(1) << 39), UINT64_C(1) << 41);
    /* A result past 64 bits is clamped below the sentinel. */
    CHECK_EQ_U64(perf_scale(UINT64_C(1) << 63, 4, 1), METRIC_UNSUPPORTED - 1);
    CHECK(perf_scale(UINT64_MAX - 1, 2, 1) != METRIC_UNSUPPORTED);
    return check_done("perf_scale");
}
