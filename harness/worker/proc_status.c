/* proc_status.c - the kernel's resident-memory high-water mark and the
 * resident split (anon/file/shmem) from /proc/self/status, and resetting
 * the mark.
 *
 * The high-water mark (VmHWM) is the exact way to a true peak: writing "5"
 * to /proc/self/clear_refs (Linux 4.0+) resets it to the current RSS, so
 * reset at the baseline it holds the largest RSS of the measured window,
 * whenever that happened, not just at sample points. The kernel folds the
 * current RSS into it lazily (when pages are unmapped), and reading status
 * reports max(mark, current RSS), so it is read at the end of the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "samplers.h"

int proc_status_read(struct proc_status *out)
{
    static const char *const keys[] = {"VmHWM:", "VmRSS:", "RssAnon:", "RssFile:",
                                       "RssShmem:"};
    uint64_t v[5] = {0, 0, 0, 0, 0};
    int found = proc_kb_fields("/proc/self/status", keys, v, 5);
    if (found < 0)
        return found;
    out->hwm_bytes = v[0];
    out->rss_bytes = v[1];
    out->anon_bytes = v[2];
    out->file_bytes = v[3];
    out->shmem_bytes = v[4];
    return found == 0x1f ? 0 : -EPROTO;
}

int peak_rss_reset(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, "5", 1);
    int err = n == 1 ? 0 : -errno;
    close(fd);
    return err;
}
