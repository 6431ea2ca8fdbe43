/* test_perf_attr.c - the exact perf_event_attr each metric is opened with.
 * Numbers are spelled out (from include/uapi/linux/perf_event.h) rather than
 * recomputed with the same macros the code uses. */
#include <string.h>

#include "check.h"
#include "samplers.h"

static void check_common(const struct perf_event_attr *a)
{
    CHECK_EQ_U64(a->size, sizeof(struct perf_event_attr));
    CHECK(a->inherit == 1);
    CHECK(a->disabled == 1);
    CHECK(a->exclude_hv == 1);
    CHECK(a->exclude_kernel == 0); /* user and kernel by default */
    CHECK(a->exclude_user == 0);
    CHECK_EQ_U64(a->read_format,
                 PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING);
    CHECK_EQ_U64(a->read_format, 0x3);
    CHECK((a->read_format & PERF_FORMAT_GROUP) == 0);
    CHECK_EQ_U64(a->sample_period, 0); /* counting, not sampling */
    CHECK(a->pinned == 0 && a->exclusive == 0);
}

int main(void)
{
    static const struct {
        enum perf_metric m;
        uint32_t type;
        uint64_t config;
        const char *name;
    } want[] = {
        /* DTLB = 3, OP_READ = 0, RESULT_MISS = 1 */
        {PERF_DTLB_LOAD_MISSES, 3 /* HW_CACHE */, 0x10003, "dtlb_load_misses"},
        /* DTLB = 3, OP_WRITE = 1, RESULT_MISS = 1 */
        {PERF_DTLB_STORE_MISSES, 3, 0x10103, "dtlb_store_misses"},
        /* ITLB = 4, OP_READ = 0, RESULT_MISS = 1 */
        {PERF_ITLB_MISSES, 3, 0x10004, "itlb_misses"},
        {PERF_MINOR_FAULTS, 1 /* SOFTWARE */, 5 /* PAGE_FAULTS_MIN */, "minor_faults"},
        {PERF_MAJOR_FAULTS, 1, 6 /* PAGE_FAULTS_MAJ */, "major_faults"},
        {PERF_CPU_CYCLES, 0 /* HARDWARE */, 0 /* CPU_CYCLES */, "cpu_cycles"},
        {PERF_CPU_INSTRUCTIONS, 0, 1 /* INSTRUCTIONS */, "cpu_instructions"},
    };
    /* The raw page-walk metrics: type RAW (4); their configs depend on the
     * CPU and are checked against the vendors' tables in test_tlb_events. */
    static const struct {
        enum perf_metric m;
        const char *name;
    } raw[] = {
        {PERF_DTLB_WALKS, "dtlb_walks"},
        {PERF_DTLB_WALKS_4K, "dtlb_walks_4k"},
        {PERF_DTLB_WALKS_2M, "dtlb_walks_2m"},
        {PERF_DTLB_WALK_CYCLES, "dtlb_walk_cycles"},
    };

    CHECK(sizeof want / sizeof want[0] + sizeof raw / sizeof raw[0] == PERF_METRIC_COUNT);
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        struct perf_event_attr a;
        memset(&a, 0xa5, sizeof a);
        perf_metric_attr(raw[i].m, &a);
        CHECK_EQ_U64(a.type, 4);
        check_common(&a);
        CHECK(strcmp(perf_metric_name(raw[i].m), raw[i].name) == 0);
    }
    CHECK(PERF_TYPE_HW_CACHE == 3 && PERF_TYPE_SOFTWARE == 1);
    CHECK_EQ_U64(PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                     (PERF_COUNT_HW_CACHE_RESULT_MISS << 16), 0x10003);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct perf_event_attr a;

        memset(&a, 0xa5, sizeof a); /* garbage must be cleared */
        perf_metric_attr(want[i].m, &a);
        CHECK_EQ_U64(a.type, want[i].type);
        CHECK_EQ_U64(a.config, want[i].config);
        check_common(&a);
        CHECK(strcmp(perf_metric_name(want[i].m), want[i].name) == 0);
    }
    return check_done("perf_attr");
}
