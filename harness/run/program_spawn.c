/* program_spawn.c - starting one process of a program run: fork, set up
 * its files, wait for the parent's go, exec. Only async-signal-safe calls
 * between fork and exec. */
#define _GNU_SOURCE
#include "program_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void child_fail(int err_fd, int e)
{
    ssize_t n = write(err_fd, &e, sizeof e);
    (void)n;
    _exit(127);
}

/* Everything above fd 2 becomes close-on-exec except `keep`. */
static void cloexec_all_but(int keep)
{
    if (keep < 3) {
        syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
        return;
    }
    if (keep > 3)
        syscall(SYS_close_range, 3, keep - 1, CLOSE_RANGE_CLOEXEC);
    syscall(SYS_close_range, keep + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    fcntl(keep, F_SETFD, 0);
}

int spawn_start(const struct spawn_args *a, struct spawned *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->pid = -1;
    int go[2], ex[2];
    if (pipe2(go, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(ex, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        close(go[0]);
        close(go[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(go[0]);
        close(go[1]);
        close(ex[0]);
        close(ex[1]);
        return -1;
    }
    if (pid == 0) {
        /* Its own process group: a terminal's ^C reaches allocscope only,
         * and the whole group can be stopped at once. */
        setpgid(0, 0);
        if (dup2(a->stdin_fd, STDIN_FILENO) < 0 || dup2(a->stdout_fd, STDOUT_FILENO) < 0 ||
            dup2(a->stderr_fd, STDERR_FILENO) < 0)
            child_fail(ex[1], errno);
        cloexec_all_but(a->keep_fd);
        if (a->cgroup_procs_fd >= 0 && write(a->cgroup_procs_fd, "0", 1) != 1)
            child_fail(ex[1], errno);
        if (chdir(a->cwd) < 0)
            child_fail(ex[1], errno);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        char c;
        ssize_t n;
        do
            n = read(go[0], &c, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
            _exit(126); /* the parent gave up before exec */
        execve(a->path, a->argv, a->env);
        child_fail(ex[1], errno);
    }
    close(go[0]);
    close(ex[1]);
    out->pid = pid;
    out->go_fd = go[1];
    out->exec_err_fd = ex[0];
    out->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    return 0;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int spawn_go(struct spawned *s, char *err, size_t errlen)
{
    ssize_t n = write(s->go_fd, "g", 1);
    close(s->go_fd);
    s->go_fd = -1;
    int e = 0;
    if (n == 1) {
        /* EOF when exec closed the pipe (it is close-on-exec); an errno
         * when exec or the set-up before it failed. */
        do
            n = read(s->exec_err_fd, &e, sizeof e);
        while (n < 0 && errno == EINTR);
    }
    s->exec_ns = mono_ns();
    close(s->exec_err_fd);
    s->exec_err_fd = -1;
    if (n == 0)
        return 0;
    int status;
    waitpid(s->pid, &status, 0);
    s->reaped = true;
    snprintf(err, errlen, "%s", n == (ssize_t)sizeof e ? strerror(e) : "the child died before exec");
    return -1;
}

void spawn_abandon(struct spawned *s)
{
    if (s->go_fd >= 0)
        close(s->go_fd);
    if (s->exec_err_fd >= 0)
        close(s->exec_err_fd);
    s->go_fd = s->exec_err_fd = -1;
    if (s->pid > 0 && !s->reaped) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->reaped = true;
    }
    if (s->pidfd >= 0)
        close(s->pidfd);
    s->pidfd = -1;
}

bool spawn_poll_exit(struct spawned *s)
{
    if (s->reaped)
        return true;
    /* wait4 costs far more than a poll of the pidfd (it walks the waiter's
     * children under a lock): ask the pidfd first. */
    if (s->pidfd >= 0) {
        struct pollfd p = {.fd = s->pidfd, .events = POLLIN};
        if (poll(&p, 1, 0) <= 0)
            return false;
    }
    pid_t w = wait4(s->pid, &s->wstatus, WNOHANG, &s->ru);
    if (w != s->pid)
        return false;
    s->reaped = true;
    s->exit_ns = mono_ns();
    if (s->pidfd >= 0)
        close(s->pidfd);
    s->pidfd = -1;
    return true;
}
