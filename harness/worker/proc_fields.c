/* proc_fields.c - "Key:   <n> kB" lines of /proc files (status,
 * smaps_rollup), read whole into a stack buffer and parsed by hand: no
 * malloc, so it may run inside the measured child. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "samplers.h"

/* If the line at `line` starts with `key` (colon included), parse the kB
 * figure after it into *bytes and return true. */
static bool kb_field(const char *line, const char *end, const char *key, uint64_t *bytes)
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
    *bytes = v * 1024; /* the files say kB and mean KiB */
    return true;
}

int proc_kb_fields(const char *path, const char *const *keys, uint64_t *values, unsigned n)
{
    char buf[8192];
    size_t len = 0;
    ssize_t got;
    int fd, err = 0, found = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    for (;;) {
        if (len == sizeof buf) {
            err = -EOVERFLOW;
            break;
        }
        got = read(fd, buf + len, sizeof buf - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            err = -errno;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    if (err)
        return err;

    const char *end = buf + len;
    for (const char *line = buf; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *eol = nl ? nl : end;
        for (unsigned i = 0; i < n; i++)
            if (!(found & (1 << i)) && kb_field(line, eol, keys[i], &values[i])) {
                found |= 1 << i;
                break;
            }
        line = eol + 1;
    }
    return found;
}
