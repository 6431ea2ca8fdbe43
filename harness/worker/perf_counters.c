/* perf_counters.c - TLB misses, page walks, cycles, instructions and page
 * faults via perf_event_open.
 *
 * One counting (non-sampling) event per metric, each opened on its own (no
 * group): a group's members are scheduled together or not at all, and
 * PERF_FORMAT_GROUP cannot be combined with `inherit` on older kernels.
 * Every event:
 *   - counts the calling process (pid 0) on any CPU (cpu -1);
 *   - has `inherit` set, so threads created after the open are counted and
 *     a read of our fd sums them, live or exited;
 *   - starts disabled, is reset and enabled by perf_counters_enable;
 *   - reports TOTAL_TIME_ENABLED and TOTAL_TIME_RUNNING so a count that
 *     was multiplexed off the PMU part of the time can be scaled up.
 *
 * An event that cannot be opened (no hardware PMU: ENOENT; paranoid
 * setting: EACCES/EPERM; ...) stays unsupported: fd -1, errno kept, and
 * reads give METRIC_UNSUPPORTED, never 0.
 *
 * No malloc anywhere: reads are fixed-size, reasons come from a table.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "samplers.h"
#include "tlb_events.h"

struct perf_metric_def {
    const char *name;
    uint32_t type;
    uint64_t config;
};

/* HW_CACHE config: cache id | (op << 8) | (result << 16). */
#define HW_CACHE_CONFIG(id, op, result) \
    ((uint64_t)(id) | ((uint64_t)(op) << 8) | ((uint64_t)(result) << 16))

static const struct perf_metric_def perf_metrics[PERF_METRIC_COUNT] = {
    [PERF_DTLB_LOAD_MISSES] = {"dtlb_load_misses", PERF_TYPE_HW_CACHE,
                               HW_CACHE_CONFIG(PERF_COUNT_HW_CACHE_DTLB,
                                               PERF_COUNT_HW_CACHE_OP_READ,
                                               PERF_COUNT_HW_CACHE_RESULT_MISS)},
    [PERF_DTLB_STORE_MISSES] = {"dtlb_store_misses", PERF_TYPE_HW_CACHE,
                                HW_CACHE_CONFIG(PERF_COUNT_HW_CACHE_DTLB,
                                                PERF_COUNT_HW_CACHE_OP_WRITE,
                                                PERF_COUNT_HW_CACHE_RESULT_MISS)},
    [PERF_ITLB_MISSES] = {"itlb_misses", PERF_TYPE_HW_CACHE,
                          HW_CACHE_CONFIG(PERF_COUNT_HW_CACHE_ITLB,
                                          PERF_COUNT_HW_CACHE_OP_READ,
                                          PERF_COUNT_HW_CACHE_RESULT_MISS)},
    [PERF_MINOR_FAULTS] = {"minor_faults", PERF_TYPE_SOFTWARE,
                           PERF_COUNT_SW_PAGE_FAULTS_MIN},
    [PERF_MAJOR_FAULTS] = {"major_faults", PERF_TYPE_SOFTWARE,
                           PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    [PERF_CPU_CYCLES] = {"cpu_cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    [PERF_CPU_INSTRUCTIONS] = {"cpu_instructions", PERF_TYPE_HARDWARE,
                               PERF_COUNT_HW_INSTRUCTIONS},
    /* Raw: the config comes from the CPU's own table (tlb_events.c). */
    [PERF_DTLB_WALKS] = {"dtlb_walks", PERF_TYPE_RAW, 0},
    [PERF_DTLB_WALKS_4K] = {"dtlb_walks_4k", PERF_TYPE_RAW, 0},
    [PERF_DTLB_WALKS_2M] = {"dtlb_walks_2m", PERF_TYPE_RAW, 0},
    [PERF_DTLB_WALK_CYCLES] = {"dtlb_walk_cycles", PERF_TYPE_RAW, 0},
};

/* The raw page-walk event of metric m on this CPU; false if it has none. */
static bool walk_event(enum perf_metric m, struct tlb_raw_event *ev)
{
    if (m < PERF_DTLB_WALKS || m > PERF_DTLB_WALK_CYCLES)
        return false;
    static int family = -1; /* CPUID once */
    if (family < 0)
        family = (int)tlb_family_here();
    tlb_raw_event((enum tlb_family)family, (enum tlb_walk_metric)(m - PERF_DTLB_WALKS), ev);
    return ev->name != NULL;
}

bool perf_metric_known(enum perf_metric m)
{
    struct tlb_raw_event ev;
    if (m >= PERF_DTLB_WALKS && m <= PERF_DTLB_WALK_CYCLES)
        return walk_event(m, &ev);
    return (unsigned)m < PERF_METRIC_COUNT;
}

const char *perf_metric_name(enum perf_metric m)
{
    if ((unsigned)m >= PERF_METRIC_COUNT)
        return "unknown";
    return perf_metrics[m].name;
}

void perf_metric_attr(enum perf_metric m, struct perf_event_attr *attr)
{
    memset(attr, 0, sizeof *attr);
    attr->size = sizeof *attr;
    if ((unsigned)m < PERF_METRIC_COUNT) {
        attr->type = perf_metrics[m].type;
        attr->config = perf_metrics[m].config;
        struct tlb_raw_event ev;
        if (walk_event(m, &ev))
            attr->config = tlb_raw_config(&ev);
    }
    attr->read_format =
        PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    attr->disabled = 1;
    attr->inherit = 1;
    attr->exclude_hv = 1;
    /* exclude_kernel stays 0: faults taken in kernel code on behalf of the
     * process (copy_to_user into a fresh page) count too. */
}

static int perf_event_open(struct perf_event_attr *attr)
{
    long fd = syscall(SYS_perf_event_open, attr, 0 /* this process */,
                      -1 /* any cpu */, -1 /* no group */, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

/* Open `attr`; when kernel counting is refused (perf_event_paranoid >= 2
 * without CAP_PERFMON), retry counting user space only. Returns the fd or
 * -errno of the first failure that is not a permission problem. */
static int perf_open_metric(enum perf_metric m)
{
    struct perf_event_attr attr;
    int fd;

    if (!perf_metric_known(m))
        return -ENODATA;
    perf_metric_attr(m, &attr);
    fd = perf_event_open(&attr);
    if (fd == -EACCES || fd == -EPERM) {
        attr.exclude_kernel = 1;
        int fd2 = perf_event_open(&attr);
        /* Keep the permission errno if the retry fails as well, unless it
         * fails for a more telling reason (e.g. ENOENT). */
        if (fd2 >= 0 || (fd2 != -EACCES && fd2 != -EPERM))
            fd = fd2;
    }
    return fd;
}

int perf_counters_open(struct perf_counters *pc)
{
    int opened = 0;

    for (int m = 0; m < PERF_METRIC_COUNT; m++) {
        int fd = perf_open_metric((enum perf_metric)m);

        pc->fd[m] = fd >= 0 ? fd : -1;
        pc->open_errno[m] = fd >= 0 ? 0 : -fd;
        opened += fd >= 0;
    }
    return opened;
}

void perf_counters_enable(struct perf_counters *pc)
{
    /* On an inherited event both ioctls also reach the copies in threads
     * that already exist. */
    for (int m = 0; m < PERF_METRIC_COUNT; m++) {
        if (pc->fd[m] < 0)
            continue;
        ioctl(pc->fd[m], PERF_EVENT_IOC_RESET, 0);
        ioctl(pc->fd[m], PERF_EVENT_IOC_ENABLE, 0);
    }
}

/* value x enabled / running, for an event that was on the PMU only part of
 * the time it was enabled. The product can exceed 64 bits. The result is
 * kept below METRIC_UNSUPPORTED so an absurd count is never read as
 * "unsupported". */
static uint64_t perf_scale(uint64_t value, uint64_t enabled, uint64_t running)
{
    unsigned __int128 scaled;

    if (running == 0)
        return METRIC_UNSUPPORTED;
    if (running >= enabled)
        return value;
    scaled = (unsigned __int128)value * enabled / running;
    return scaled >= METRIC_UNSUPPORTED ? METRIC_UNSUPPORTED - 1 : (uint64_t)scaled;
}

void perf_counters_read(const struct perf_counters *pc,
                        uint64_t out[PERF_METRIC_COUNT])
{
    perf_counters_read_range(pc, out, 0, PERF_METRIC_COUNT);
}

void perf_counters_read_range(const struct perf_counters *pc, uint64_t out[PERF_METRIC_COUNT],
                              int first, int last)
{
    for (int m = first; m < last; m++) {
        /* read_format order: value, time_enabled, time_running. */
        uint64_t v[3];
        ssize_t n;

        out[m] = METRIC_UNSUPPORTED;
        if (pc->fd[m] < 0)
            continue;
        do
            n = read(pc->fd[m], v, sizeof v);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof v)
            continue;
        /* running == 0: never on the PMU (or never enabled): no figure. */
        out[m] = perf_scale(v[0], v[1], v[2]);
    }
}

void perf_counters_close(struct perf_counters *pc)
{
    for (int m = 0; m < PERF_METRIC_COUNT; m++) {
        if (pc->fd[m] >= 0)
            close(pc->fd[m]);
        pc->fd[m] = -1;
    }
}

const char *perf_open_error_reason(int err)
{
    switch (err) {
    case 0:
        return "counted";
    case ENODATA:
        return "no encoding of this event for this CPU: its family is not in "
               "allocscope's page-walk tables, or its table has no such event (AMD "
               "publishes no walk-cycle event; docs/results.md) (ENODATA)";
    case ENOENT:
        return "event not supported by this CPU/kernel: no hardware PMU or "
               "unknown event (ENOENT)";
    case EOPNOTSUPP:
        return "event or one of its options not supported by this PMU "
               "(EOPNOTSUPP)";
    case ENODEV:
        return "no PMU for this event on this CPU (ENODEV)";
    case EACCES:
        return "permission denied: lower /proc/sys/kernel/perf_event_paranoid "
               "or grant CAP_PERFMON (EACCES)";
    case EPERM:
        return "operation not permitted: lower "
               "/proc/sys/kernel/perf_event_paranoid or grant CAP_PERFMON "
               "(EPERM)";
    case ENOSYS:
        return "kernel built without perf events, or the syscall is filtered "
               "(ENOSYS)";
    case EINVAL:
        return "event configuration rejected by this kernel/PMU (EINVAL)";
    case EBUSY:
        return "PMU in exclusive use by another event (EBUSY)";
    case EMFILE:
        return "too many open files for another perf fd (EMFILE)";
    case E2BIG:
        return "perf_event_attr size not accepted by this kernel (E2BIG)";
    case ESRCH:
        return "target process not found (ESRCH)";
    default:
        return "perf_event_open failed (unrecognised errno)";
    }
}
