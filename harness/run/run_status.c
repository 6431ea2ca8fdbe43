/* run_status.c - the names of run statuses (summary.csv's `status`),
 * apart from the runner so readers of results need not link it. */
#include <string.h>

#include "runner.h"

const char *run_status_name(enum run_status s)
{
    switch (s) {
    case RUN_OK:
        return "ok";
    case RUN_FAILED:
        return "failed";
    case RUN_CRASHED:
        return "crashed";
    case RUN_TIMEOUT:
        return "timeout";
    case RUN_SKIPPED:
        return "skipped";
    case RUN_OOM:
        return "oom";
    case RUN_INTERRUPTED:
        return "interrupted";
    }
    return "failed";
}

int run_status_from_name(const char *name)
{
    for (int s = RUN_OK; s <= RUN_INTERRUPTED; s++)
        if (strcmp(name, run_status_name((enum run_status)s)) == 0)
            return s;
    return -1;
}
