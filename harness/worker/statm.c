/* statm.c - resident memory from /proc/self/statm.
 *
 * The file is opened once and re-read with pread(fd, buf, n, 0): procfs
 * regenerates the whole text on every read at offset 0, so a kept fd costs
 * one syscall per sample and no path lookup.
 *
 * statm is seven page counts: size resident shared text lib data dt.
 * "shared" is file-backed + shmem resident pages, so resident - shared is
 * the process's resident anonymous memory (RssAnon in /proc/self/status).
 *
 * The counts are approximate: the kernel keeps RSS in per-CPU counters
 * (per-task caches on kernels before 6.2) that are folded into the figure
 * statm prints only in batches, so a reading can lag the truth by a few
 * dozen pages. Good for a time series; smaps_rollup gives exact figures.
 *
 * No malloc: stack buffer, hand-parsed numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "samplers.h"

int statm_open(struct statm_sampler *s)
{
    long ps = sysconf(_SC_PAGESIZE);

    s->page_size = ps > 0 ? (uint64_t)ps : 4096;
    /* /proc/self is resolved now: open it in the process being measured,
     * after any fork. */
    s->fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (s->fd < 0)
        return -errno;
    return 0;
}

/* Parse the unsigned decimal at *p, skipping leading blanks; advances *p.
 * Returns false when no digit is found. */
static bool statm_next_u64(const char **p, const char *end, uint64_t *out)
{
    const char *c = *p;
    uint64_t v = 0;

    while (c < end && *c == ' ')
        c++;
    if (c >= end || *c < '0' || *c > '9')
        return false;
    while (c < end && *c >= '0' && *c <= '9')
        v = v * 10 + (uint64_t)(*c++ - '0');
    *p = c;
    *out = v;
    return true;
}

int statm_read(struct statm_sampler *s, struct statm_reading *out)
{
    /* Seven 20-digit numbers and their separators fit easily. */
    char buf[192];
    ssize_t n;
    const char *p = buf, *end;
    uint64_t size, resident, shared;

    if (s->fd < 0)
        return -EBADF;
    do
        n = pread(s->fd, buf, sizeof buf, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    end = buf + n;
    if (!statm_next_u64(&p, end, &size) || !statm_next_u64(&p, end, &resident) ||
        !statm_next_u64(&p, end, &shared))
        return -EPROTO;
    (void)size;
    out->rss_bytes = resident * s->page_size;
    /* The two counts are read from separate counters; never go negative. */
    out->anon_bytes = resident > shared ? (resident - shared) * s->page_size : 0;
    return 0;
}

void statm_close(struct statm_sampler *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}
