/* page_controls.c - see page_controls.h. */
#define _GNU_SOURCE
#include "page_controls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int page_thp_apply(struct result_region *res)
{
    res->thp_disabled = -1;
    if (!res->params.thp_never) {
        int got = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
        res->thp_disabled = got < 0 ? -1 : got;
        return 0;
    }
    if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0) {
        snprintf(res->error, sizeof res->error, "thp: never: prctl(PR_SET_THP_DISABLE): %s",
                 strerror(errno));
        return -1;
    }
    int got = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
    res->thp_disabled = got < 0 ? -1 : got;
    if (got != 1) {
        snprintf(res->error, sizeof res->error,
                 "thp: never: the kernel did not keep PR_SET_THP_DISABLE (reads %d)", got);
        return -1;
    }
    return 0;
}

int page_lock_apply(struct result_region *res)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0)
        res->memlock_limit = lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : lim.rlim_cur;
    if (!res->params.lock_all)
        return 0;
    /* Raising the hard limit needs CAP_SYS_RESOURCE; without it, take the
     * soft limit up to the hard one. */
    struct rlimit want = {RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_MEMLOCK, &want) != 0 && getrlimit(RLIMIT_MEMLOCK, &lim) == 0) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_MEMLOCK, &lim);
    }
    if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0)
        res->memlock_limit = lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : lim.rlim_cur;
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        res->lock_errno = errno;
        char limit[32];
        if (res->memlock_limit == UINT64_MAX)
            snprintf(limit, sizeof limit, "unlimited");
        else
            snprintf(limit, sizeof limit, "%llu KiB",
                     (unsigned long long)(res->memlock_limit >> 10));
        snprintf(res->error, sizeof res->error,
                 "lock: all: mlockall(MCL_CURRENT|MCL_FUTURE) failed: %s (RLIMIT_MEMLOCK %s, "
                 "could not be raised: run with a higher 'ulimit -l', CAP_IPC_LOCK or as root)",
                 strerror(errno), limit);
        return -1;
    }
    return 0;
}
