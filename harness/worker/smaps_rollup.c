/* smaps_rollup.c - exact resident figures from /proc/self/smaps_rollup.
 *
 * The kernel walks every mapping's page tables to produce this file, so it
 * costs about a millisecond: end of run and phase ends only. The figures
 * are exact (no per-CPU counter lag), unlike statm.
 *
 * The file is one header line and ~25 "Key:   <n> kB" lines, about 1 KiB;
 * it is read whole into a stack buffer and parsed by hand (no malloc).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "samplers.h"

/* If the line at `line` starts with `key` (which includes the colon),
 * parse the kB figure after it into *bytes and return true. */
static bool rollup_field(const char *line, const char *end, const char *key,
                         uint64_t *bytes)
{
    size_t klen = strlen(key);
    const char *c;
    uint64_t v = 0;

    if ((size_t)(end - line) < klen || memcmp(line, key, klen) != 0)
        return false;
    c = line + klen;
    while (c < end && (*c == ' ' || *c == '\t'))
        c++;
    if (c >= end || *c < '0' || *c > '9')
        return false;
    while (c < end && *c >= '0' && *c <= '9')
        v = v * 10 + (uint64_t)(*c++ - '0');
    *bytes = v * 1024; /* the file says kB and means KiB */
    return true;
}

int smaps_rollup_read(struct smaps_rollup *out)
{
    char buf[4096];
    size_t len = 0;
    ssize_t n;
    int fd, err = 0;
    unsigned found = 0;
    const char *line, *end;

    fd = open("/proc/self/smaps_rollup", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    for (;;) {
        if (len == sizeof buf) {
            err = -EOVERFLOW;
            break;
        }
        n = read(fd, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err = -errno;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (err)
        return err;

    out->rss_bytes = out->anonymous_bytes = out->anon_huge_bytes = 0;
    end = buf + len;
    for (line = buf; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *eol = nl ? nl : end;

        if (rollup_field(line, eol, "Rss:", &out->rss_bytes))
            found |= 1;
        else if (rollup_field(line, eol, "Anonymous:", &out->anonymous_bytes))
            found |= 2;
        else if (rollup_field(line, eol, "AnonHugePages:", &out->anon_huge_bytes))
            found |= 4;
        line = eol + 1;
    }
    /* Kernels with smaps_rollup (4.14+) print all three; AnonHugePages is
     * left 0 if one ever does not. */
    return (found & 3) == 3 ? 0 : -EPROTO;
}
