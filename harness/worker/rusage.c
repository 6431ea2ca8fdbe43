/* rusage.c - fault counts and peak RSS from getrusage(RUSAGE_SELF).
 *
 * Covers every thread of the process, live and exited. ru_maxrss is the
 * high-water mark of resident memory in KiB over the process's life (on
 * Linux it also carries over across execve), so it is a whole-run figure,
 * not a windowed one. */
#include <errno.h>
#include <sys/resource.h>

#include "samplers.h"

int rusage_read(struct fault_counts *out)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -errno;
    out->minor = (uint64_t)ru.ru_minflt;
    out->major = (uint64_t)ru.ru_majflt;
    out->maxrss_bytes = (uint64_t)ru.ru_maxrss * 1024;
    return 0;
}
