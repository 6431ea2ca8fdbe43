/* program_verify.h - reading the probe's reports (probe_protocol.h) during
 * a program run and judging them against the allocator under test. */
#ifndef ALLOCSCOPE_PROGRAM_VERIFY_H
#define ALLOCSCOPE_PROGRAM_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "probe_protocol.h"

struct probe_channel {
    int read_fd, write_fd;
    char var[96]; /* ALLOCSCOPE_PROBE=FD:DEV:INO, fixed width */
    unsigned char partial[sizeof(struct probe_report)];
    size_t have;
    unsigned reports;
    bool main_reported;
    struct probe_report main; /* the program's first report: right after exec */
    char failure[768];        /* first failed verification, "" if none */
};

/* A pipe whose write end the measured processes inherit. */
int probe_channel_open(struct probe_channel *c, char *err, size_t errlen);
/* Read every report that arrived; judge each. `expect` is the realpath of
 * the library that must serve malloc. Returns true when a verification
 * failed (c->failure says why). */
bool probe_channel_drain(struct probe_channel *c, const char *expect, pid_t main_pid);
void probe_channel_close(struct probe_channel *c);

/* Judge one report; returns 0 when the expected library serves all four
 * functions and no other allocator is loaded, else -1 with a reason that
 * starts "bypassed:" when the program brings its own allocator. */
int probe_judge(const struct probe_report *r, const char *expect, char *why, size_t len);

#endif
