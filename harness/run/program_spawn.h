/* program_spawn.h - fork a process that waits for the parent's go before
 * exec, so the parent can open perf counters on it (enable_on_exec) and
 * note its fault counts first; learn whether exec worked; reap it with its
 * rusage. */
#ifndef ALLOCSCOPE_PROGRAM_SPAWN_H
#define ALLOCSCOPE_PROGRAM_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct spawn_args {
    const char *path; /* executable */
    char **argv, **env;
    const char *cwd;
    int stdin_fd, stdout_fd, stderr_fd;
    int keep_fd;         /* stays open across exec (the probe pipe), -1 none */
    int cgroup_procs_fd; /* the child joins this cgroup before exec, -1 none */
};

struct spawned {
    pid_t pid;
    int pidfd; /* readable when the process exits; -1 once reaped */
    int go_fd, exec_err_fd;
    uint64_t exec_ns, exit_ns; /* CLOCK_MONOTONIC */
    bool reaped;
    int wstatus;
    struct rusage ru;
};

/* Fork; the child sets up and blocks until spawn_go. */
int spawn_start(const struct spawn_args *a, struct spawned *out, char *err, size_t errlen);
/* Let it exec; returns 0 once exec succeeded, -1 with the reason. */
int spawn_go(struct spawned *s, char *err, size_t errlen);
/* Kill (if needed), reap and close: for a child that never went. */
void spawn_abandon(struct spawned *s);
/* Reap with wait4 if it has exited; true when it is gone. */
bool spawn_poll_exit(struct spawned *s);

#endif
