/* test_smaps_rollup.c - smaps_rollup_read against statm and our own pages.
 *
 * smaps_rollup walks the page tables, so it is exact: touching 1024 fresh
 * pages must raise Anonymous by 4 MiB (a few pages of slack for this
 * process's own stack/libc pages that may fault in between the two
 * readings). statm comes from batched counters, so the two agree only to
 * within the per-CPU batching slack (see test_statm.c). */
#include "check.h"
#include "pages.h"
#include "samplers.h"

#define PAGES 1024
#define SLACK_PAGES 16

int main(void)
{
    struct smaps_rollup r0, r1, warm;
    struct statm_sampler s;
    struct statm_reading st;
    long cpus = sysconf(_SC_NPROCESSORS_CONF);
    int64_t pg = (int64_t)page_size();
    /* Up to one batch per CPU held back, statm side only. */
    int64_t batch = cpus * 2 > 32 ? cpus * 2 : 32;
    int64_t tol = (batch * cpus > 64 ? batch * cpus : 64) * pg;

    CHECK(statm_open(&s) == 0);
    char *p = map_fresh_pages(PAGES);
    /* Warm up: fault in the reader's stack buffer and code first. */
    CHECK(smaps_rollup_read(&warm) == 0);
    CHECK(statm_read(&s, &st) == 0);
    CHECK(smaps_rollup_read(&r0) == 0);

    CHECK(r0.rss_bytes > 0);
    CHECK(r0.anonymous_bytes > 0);
    CHECK(r0.rss_bytes >= r0.anonymous_bytes);
    CHECK(r0.rss_bytes % 1024 == 0);
    CHECK(r0.anon_huge_bytes <= r0.anonymous_bytes);
    CHECK_RANGE((int64_t)st.rss_bytes - (int64_t)r0.rss_bytes, -tol, tol);
    CHECK_RANGE((int64_t)st.anon_bytes - (int64_t)r0.anonymous_bytes, -tol, tol);

    touch_pages(p, PAGES);
    CHECK(smaps_rollup_read(&r1) == 0);
    /* Print only now: stdio's first output allocates its buffer and pulls
     * in libc pages, which would land between the two readings. */
    printf("smaps_rollup: rss %" PRIu64 " anon %" PRIu64 " thp %" PRIu64
           "; statm: rss %" PRIu64 " anon %" PRIu64 "\n",
           r0.rss_bytes, r0.anonymous_bytes, r0.anon_huge_bytes, st.rss_bytes,
           st.anon_bytes);
    int64_t danon = (int64_t)r1.anonymous_bytes - (int64_t)r0.anonymous_bytes;
    int64_t drss = (int64_t)r1.rss_bytes - (int64_t)r0.rss_bytes;
    printf("touch %d pages: Anonymous +%" PRId64 " bytes, Rss +%" PRId64 " bytes\n",
           PAGES, danon, drss);
    CHECK_RANGE(danon, PAGES * pg, (PAGES + SLACK_PAGES) * pg);
    CHECK_RANGE(drss, PAGES * pg, (PAGES + SLACK_PAGES) * pg);

    munmap(p, PAGES * (size_t)pg);
    CHECK(smaps_rollup_read(&r1) == 0);
    danon = (int64_t)r1.anonymous_bytes - (int64_t)r0.anonymous_bytes;
    CHECK_RANGE(danon, -SLACK_PAGES * pg, SLACK_PAGES * pg);
    statm_close(&s);
    return check_done("smaps_rollup");
}
