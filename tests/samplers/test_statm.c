/* test_statm.c - statm_read against pages we fault in and unmap ourselves.
 *
 * Why a tolerance: the kernel keeps a process's RSS in per-CPU counters
 * (6.2+; per-thread caches flushed every 64 faults before that) and statm
 * prints the shared total without folding in what each CPU still holds
 * back, up to one batch (max(32, 2 x CPUs) pages) per CPU. The test pins
 * itself to one CPU so only that CPU's pending part changes between two
 * readings; a delta is then off by less than one batch. It allows
 * max(64, 2 x CPUs) pages either way, which still fails if the pages are
 * not counted, counted twice, or counted as file-backed. */
#define _GNU_SOURCE
#include <sched.h>

#include "check.h"
#include "pages.h"
#include "samplers.h"

#define N 256

int main(void)
{
    struct statm_sampler s;
    struct statm_reading before, touched, unmapped;
    cpu_set_t one;
    long cpus = sysconf(_SC_NPROCESSORS_CONF);
    int64_t tol = cpus * 2 > 64 ? cpus * 2 : 64;
    int64_t pg = (int64_t)page_size();
    int cpu = sched_getcpu();

    CPU_ZERO(&one);
    CPU_SET(cpu >= 0 ? cpu : 0, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0)
        perror("sched_setaffinity (tolerance may be exceeded)");

    CHECK(statm_open(&s) == 0);
    CHECK(s.fd >= 0);
    CHECK(s.page_size == (uint64_t)pg);

    char *p = map_fresh_pages(N);
    CHECK(statm_read(&s, &before) == 0);
    CHECK(before.rss_bytes > 0);
    CHECK(before.anon_bytes > 0);
    CHECK(before.rss_bytes >= before.anon_bytes);
    CHECK(before.rss_bytes % (uint64_t)pg == 0);

    touch_pages(p, N);
    CHECK(statm_read(&s, &touched) == 0);
    int64_t drss = ((int64_t)touched.rss_bytes - (int64_t)before.rss_bytes) / pg;
    int64_t danon = ((int64_t)touched.anon_bytes - (int64_t)before.anon_bytes) / pg;
    CHECK_RANGE(drss, N - tol, N + tol);
    CHECK_RANGE(danon, N - tol, N + tol);

    munmap(p, N * (size_t)pg);
    CHECK(statm_read(&s, &unmapped) == 0);
    int64_t urss = ((int64_t)unmapped.rss_bytes - (int64_t)touched.rss_bytes) / pg;
    int64_t uanon = ((int64_t)unmapped.anon_bytes - (int64_t)touched.anon_bytes) / pg;
    CHECK_RANGE(urss, -N - tol, -N + tol);
    CHECK_RANGE(uanon, -N - tol, -N + tol);
    /* Printed only now: stdio's first output allocates and faults in libc
     * pages, which would otherwise land between two readings. */
    printf("touch %d pages: rss %+" PRId64 " pages, anon %+" PRId64
           " pages; munmap: rss %+" PRId64 ", anon %+" PRId64
           " (tolerance %" PRId64 ")\n", N, drss, danon, urss, uanon, tol);

    statm_close(&s);
    CHECK(s.fd == -1);
    /* A closed sampler reports an error instead of stale figures. */
    CHECK(statm_read(&s, &unmapped) < 0);
    return check_done("statm");
}
