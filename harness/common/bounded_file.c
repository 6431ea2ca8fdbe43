/* bounded_file.c - see bounded_file.h. */
#define _GNU_SOURCE
#include "bounded_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "is a directory";
    if (S_ISFIFO(mode))
        return "is a FIFO, not a regular file";
    if (S_ISCHR(mode))
        return "is a character device, not a regular file";
    if (S_ISBLK(mode))
        return "is a block device, not a regular file";
    if (S_ISSOCK(mode))
        return "is a socket, not a regular file";
    return "is not a regular file";
}

static void limit_text(size_t max, char *buf, size_t len)
{
    if (max >= ((size_t)1 << 20) && max % ((size_t)1 << 20) == 0)
        snprintf(buf, len, "%zu MiB", max >> 20);
    else
        snprintf(buf, len, "%zu bytes", max);
}

static char *refuse(int err, char *why, size_t whylen, const char *text)
{
    snprintf(why, whylen, "%s", text);
    errno = err;
    return NULL;
}

char *bounded_read_file(const char *path, size_t max_bytes, size_t *len, char *why,
                        size_t whylen)
{
    char limit[32];
    struct stat st;
    if (stat(path, &st) != 0)
        return refuse(errno, why, whylen, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return refuse(S_ISDIR(st.st_mode) ? EISDIR : EINVAL, why, whylen, kind_of(st.st_mode));
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return refuse(errno, why, whylen, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int saved = errno;
        close(fd);
        return refuse(saved ? saved : EINVAL, why, whylen, kind_of(st.st_mode));
    }
    limit_text(max_bytes, limit, sizeof limit);
    char toobig[96];
    snprintf(toobig, sizeof toobig, "is larger than the limit of %s", limit);
    if ((unsigned long long)st.st_size > max_bytes) {
        close(fd);
        return refuse(EFBIG, why, whylen, toobig);
    }
    /* st_size is a hint (/proc files say 0, files grow): read until end of
     * file, one byte past the limit at most. */
    size_t cap = (size_t)st.st_size + 1 > 4096 ? (size_t)st.st_size + 1 : 4096;
    if (cap > max_bytes + 1)
        cap = max_bytes + 1;
    char *buf = malloc(cap + 1);
    size_t used = 0;
    while (buf) {
        if (used == cap) {
            if (cap > max_bytes)
                break;
            size_t want = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            char *bigger = realloc(buf, want + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap = want;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            free(buf);
            close(fd);
            return refuse(saved, why, whylen, strerror(saved));
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    if (!buf)
        return refuse(ENOMEM, why, whylen, strerror(ENOMEM));
    if (used > max_bytes) {
        free(buf);
        return refuse(EFBIG, why, whylen, toobig);
    }
    buf[used] = '\0';
    *len = used;
    return buf;
}
