/* program_verify.c - the probe's reports, read and judged (see
 * program_verify.h). */
#define _GNU_SOURCE
#include "program_verify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const symbol_names[PROBE_SYMBOLS] = {"malloc", "free", "calloc", "realloc"};

int probe_channel_open(struct probe_channel *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    /* Room for a fork-happy program's reports between two reads; a full
     * pipe drops a report (the writer is non-blocking) rather than stall. */
    fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    c->read_fd = fds[0];
    c->write_fd = fds[1];
    struct stat st;
    fstat(fds[1], &st);
    snprintf(c->var, sizeof c->var, PROBE_ENV "=%06d:%020llu:%020llu", fds[1],
             (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
    return 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int probe_judge(const struct probe_report *r, const char *expect, char *why, size_t len)
{
    for (int i = 0; i < PROBE_SYMBOLS; i++) {
        if (r->unresolved & (1u << i)) {
            snprintf(why, len, "allocator verification failed: %s cannot be resolved in %s "
                               "(pid %d)", symbol_names[i], r->exe, r->pid);
            return -1;
        }
        const char *s = r->served[i];
        if (strcmp(s, expect) == 0)
            continue;
        if (strcmp(s, r->exe) == 0)
            snprintf(why, len, "bypassed: %s defines %s itself (pid %d), so the allocator "
                               "under test never serves it", r->exe, symbol_names[i], r->pid);
        else if (strncmp(base_name(s), "libc.so", 7) == 0)
            snprintf(why, len, "allocator verification failed: %s is served by %s, expected %s "
                               "(the preload did not take effect or the library does not "
                               "override malloc) in %s (pid %d)",
                     symbol_names[i], s, expect, r->exe, r->pid);
        else
            snprintf(why, len, "bypassed: %s is served by %s, which %s (pid %d) loads itself, "
                               "not by %s", symbol_names[i], s, r->exe, r->pid, expect);
        return -1;
    }
    if (r->other_allocator[0] && strcmp(r->other_allocator, expect) != 0) {
        snprintf(why, len, "bypassed: %s (pid %d) loads its own allocator %s beside %s: "
                           "part of its allocations may not reach the allocator under test",
                 r->exe, r->pid, r->other_allocator, expect);
        return -1;
    }
    return 0;
}

bool probe_channel_drain(struct probe_channel *c, const char *expect, pid_t main_pid)
{
    for (;;) {
        ssize_t n = read(c->read_fd, c->partial + c->have, sizeof c->partial - c->have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        c->have += (size_t)n;
        if (c->have < sizeof c->partial)
            continue;
        c->have = 0;
        struct probe_report r;
        memcpy(&r, c->partial, sizeof r);
        if (r.magic != PROBE_MAGIC || r.version != PROBE_VERSION)
            continue;
        r.exe[PROBE_PATH_MAX - 1] = r.other_allocator[PROBE_PATH_MAX - 1] = '\0';
        for (int i = 0; i < PROBE_SYMBOLS; i++)
            r.served[i][PROBE_PATH_MAX - 1] = '\0';
        c->reports++;
        if (r.pid == main_pid && !c->main_reported) {
            c->main = r;
            c->main_reported = true;
        }
        char why[768];
        if (!c->failure[0] && probe_judge(&r, expect, why, sizeof why) < 0)
            snprintf(c->failure, sizeof c->failure, "%s", why);
    }
    return c->failure[0] != '\0';
}

void probe_channel_close(struct probe_channel *c)
{
    if (c->read_fd >= 0)
        close(c->read_fd);
    if (c->write_fd >= 0)
        close(c->write_fd);
    c->read_fd = c->write_fd = -1;
}
