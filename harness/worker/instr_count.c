/* instr_count.c - counting the measured loop's instructions
 * (instr_count.h). No malloc: this runs in the measured child. */
#define _GNU_SOURCE
#include "instr_count.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif

bool instr_callgrind_built(void)
{
#ifdef HAVE_CALLGRIND
    return true;
#else
    return false;
#endif
}

static int open_perf(void)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    attr.disabled = 1;
    attr.inherit = 1;
    attr.exclude_kernel = 1; /* instructions:u */
    attr.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

int instr_open(struct instr_counter *ic, uint32_t method)
{
    ic->method = INSTR_NONE;
    ic->fd = -1;
    ic->running = false;
    if (method == INSTR_PERF) {
        int fd = open_perf();
        if (fd < 0)
            return fd;
        ic->fd = fd;
    } else if (method == INSTR_CALLGRIND) {
#ifdef HAVE_CALLGRIND
        if (!RUNNING_ON_VALGRIND)
            return -ENOTSUP; /* the parent did not start us under callgrind */
#else
        return -ENOSYS;
#endif
    }
    ic->method = method;
    return 0;
}

/* On an inherited event the ioctls reach the copies in every thread. */
static void perf_ioctl(struct instr_counter *ic, unsigned long request)
{
    if (ic->fd >= 0)
        ioctl(ic->fd, request, 0);
}

void instr_start(struct instr_counter *ic)
{
    if (ic->method == INSTR_PERF) {
        perf_ioctl(ic, PERF_EVENT_IOC_RESET);
        perf_ioctl(ic, PERF_EVENT_IOC_ENABLE);
    } else if (ic->method == INSTR_CALLGRIND) {
#ifdef HAVE_CALLGRIND
        CALLGRIND_START_INSTRUMENTATION;
#endif
    }
    ic->running = ic->method != INSTR_NONE;
}

void instr_pause(struct instr_counter *ic)
{
    if (!ic->running)
        return;
    if (ic->method == INSTR_PERF)
        perf_ioctl(ic, PERF_EVENT_IOC_DISABLE);
#ifdef HAVE_CALLGRIND
    else
        CALLGRIND_TOGGLE_COLLECT;
#endif
}

void instr_resume(struct instr_counter *ic)
{
    if (!ic->running)
        return;
    if (ic->method == INSTR_PERF)
        perf_ioctl(ic, PERF_EVENT_IOC_ENABLE);
#ifdef HAVE_CALLGRIND
    else
        CALLGRIND_TOGGLE_COLLECT;
#endif
}

uint64_t instr_stop(struct instr_counter *ic)
{
    bool was = ic->running;
    ic->running = false;
    if (!was)
        return METRIC_UNSUPPORTED;
    if (ic->method == INSTR_CALLGRIND) {
#ifdef HAVE_CALLGRIND
        CALLGRIND_STOP_INSTRUMENTATION;
#endif
        return METRIC_UNSUPPORTED;
    }
    perf_ioctl(ic, PERF_EVENT_IOC_DISABLE);
    /* read_format order: value, time_enabled, time_running. */
    uint64_t v[3];
    ssize_t n;
    do
        n = read(ic->fd, v, sizeof v);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof v || v[2] == 0)
        return METRIC_UNSUPPORTED; /* never on the PMU: no figure */
    if (v[2] >= v[1])
        return v[0];
    unsigned __int128 scaled = (unsigned __int128)v[0] * v[1] / v[2];
    return scaled >= METRIC_UNSUPPORTED ? METRIC_UNSUPPORTED - 1 : (uint64_t)scaled;
}
