/* test_perf_unsupported.c - "unsupported is not zero".
 *
 * Makes no assumption about which events this machine can count: every
 * metric must be either open (fd >= 0, errno 0) or closed with the errno
 * kept, and after enabling and doing some work perf_counters_read must give
 * METRIC_UNSUPPORTED for exactly the closed ones. Then the error paths are
 * driven on purpose: an event no kernel accepts, and an open event that
 * never ran. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "pages.h"
#include "samplers.h"

int main(void)
{
    struct perf_counters pc;
    uint64_t v[PERF_METRIC_COUNT];
    int opened, n_open = 0;

    memset(&pc, 0x5a, sizeof pc); /* open must fill every slot */
    opened = perf_counters_open(&pc);
    perf_counters_enable(&pc);
    char *p = map_fresh_pages(64);
    touch_pages(p, 64); /* some faults and TLB traffic while enabled */
    perf_counters_read(&pc, v);

    for (int m = 0; m < PERF_METRIC_COUNT; m++) {
        const char *name = perf_metric_name(m);
        int is_open = pc.fd[m] >= 0;

        n_open += is_open;
        if (is_open) {
            CHECK(pc.open_errno[m] == 0);
            CHECK(v[m] != METRIC_UNSUPPORTED); /* enabled and ran */
            printf("%-18s open, %" PRIu64 "\n", name, v[m]);
        } else {
            CHECK(pc.fd[m] == -1);
            CHECK(pc.open_errno[m] > 0);
            CHECK(v[m] == METRIC_UNSUPPORTED); /* never 0 */
            printf("%-18s unsupported: errno %d: %s\n", name, pc.open_errno[m],
                   perf_open_error_reason(pc.open_errno[m]));
        }
    }
    CHECK(opened == n_open);
    /* Page faults are software events: every Linux with perf has them,
     * unless perf is closed to this user (Debian's perf_event_paranoid 3). */
    int sw_denied = pc.open_errno[PERF_MINOR_FAULTS] == EACCES ||
                    pc.open_errno[PERF_MINOR_FAULTS] == EPERM;
    CHECK(pc.fd[PERF_MINOR_FAULTS] >= 0 || sw_denied);
    if (pc.fd[PERF_MINOR_FAULTS] >= 0)
        CHECK(v[PERF_MINOR_FAULTS] >= 64);
    perf_counters_close(&pc);
    for (int m = 0; m < PERF_METRIC_COUNT; m++)
        CHECK(pc.fd[m] == -1);
    /* Closed counters read as unsupported, not as 0 or stale numbers. */
    perf_counters_read(&pc, v);
    for (int m = 0; m < PERF_METRIC_COUNT; m++)
        CHECK(v[m] == METRIC_UNSUPPORTED);

    /* Reasons: fixed texts, naming the errno. */
    CHECK(strstr(perf_open_error_reason(ENOENT), "ENOENT") != NULL);
    CHECK(strstr(perf_open_error_reason(EACCES), "perf_event_paranoid") != NULL);
    CHECK(strstr(perf_open_error_reason(EPERM), "perf_event_paranoid") != NULL);
    CHECK(strstr(perf_open_error_reason(EOPNOTSUPP), "EOPNOTSUPP") != NULL);
    CHECK(strstr(perf_open_error_reason(ENODEV), "ENODEV") != NULL);
    CHECK(strstr(perf_open_error_reason(ENOSYS), "ENOSYS") != NULL);
    CHECK(strstr(perf_open_error_reason(EINVAL), "EINVAL") != NULL);
    CHECK(perf_open_error_reason(123456) != NULL && perf_open_error_reason(123456)[0]);
    CHECK(perf_open_error_reason(-1) != NULL && perf_open_error_reason(-1)[0]);

    /* An event no kernel accepts: HW_CACHE with cache id 7 (>=
     * PERF_COUNT_HW_CACHE_MAX). With a PMU x86 says EINVAL; without one
     * nothing claims the type: ENOENT. Fed through the same slot logic as
     * perf_counters_open, it must read as unsupported. */
    struct perf_event_attr bad;
    perf_metric_attr(PERF_DTLB_LOAD_MISSES, &bad);
    bad.config = PERF_COUNT_HW_CACHE_MAX | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                 (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
    bad.exclude_kernel = 1; /* so an unprivileged run gets past the
                               paranoid check to the event itself */
    long fd = syscall(SYS_perf_event_open, &bad, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    int err = fd < 0 ? errno : 0;
    printf("invalid HW_CACHE event: fd %ld errno %d: %s\n", fd, err,
           perf_open_error_reason(err));
    CHECK(fd < 0);
    CHECK(err == EINVAL || err == ENOENT || err == EOPNOTSUPP ||
          (sw_denied && (err == EACCES || err == EPERM)));
    if (fd >= 0)
        close((int)fd);

    struct perf_counters one;
    for (int m = 0; m < PERF_METRIC_COUNT; m++) {
        one.fd[m] = -1;
        one.open_errno[m] = 0;
    }
    one.fd[PERF_DTLB_LOAD_MISSES] = fd < 0 ? -1 : (int)fd;
    one.open_errno[PERF_DTLB_LOAD_MISSES] = err;

    /* And an event that is open but was never enabled: time_running is 0,
     * so there is no figure - unsupported, not 0. */
    struct perf_event_attr sw;
    perf_metric_attr(PERF_MINOR_FAULTS, &sw);
    sw.exclude_kernel = 1;
    long swfd = syscall(SYS_perf_event_open, &sw, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (swfd < 0 && sw_denied) {
        printf("perf closed to this user: never-enabled path not checked\n");
        return check_done("perf_unsupported");
    }
    CHECK(swfd >= 0);
    one.fd[PERF_MINOR_FAULTS] = (int)swfd;
    touch_pages(map_fresh_pages(8), 8);
    perf_counters_read(&one, v);
    CHECK(v[PERF_DTLB_LOAD_MISSES] == METRIC_UNSUPPORTED);
    CHECK(v[PERF_MINOR_FAULTS] == METRIC_UNSUPPORTED);
    /* Enabled, the same fd gives a real count. */
    perf_counters_enable(&one);
    touch_pages(map_fresh_pages(8), 8);
    perf_counters_read(&one, v);
    CHECK(v[PERF_MINOR_FAULTS] != METRIC_UNSUPPORTED);
    CHECK(v[PERF_MINOR_FAULTS] >= 8);
    CHECK(v[PERF_DTLB_LOAD_MISSES] == METRIC_UNSUPPORTED);
    perf_counters_close(&one);
    return check_done("perf_unsupported");
}
