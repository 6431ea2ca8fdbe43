/* child_output.c - see child_output.h. */
#define _GNU_SOURCE
#include "child_output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int child_output(const char *path, char *const argv[], char *const envp[], bool with_stderr,
                 double timeout_s, char *line, size_t linelen, struct child_result *res)
{
    memset(res, 0, sizeof *res);
    line[0] = '\0';
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    if (with_stderr)
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    else
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    /* Its own process group (killed as a whole on timeout); the default
     * SIGPIPE even when the caller ignores it. */
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    char *const *env = envp ? envp : environ;
    int rc = strchr(path, '/') ? posix_spawn(&pid, path, &fa, &attr, argv, env)
                               : posix_spawnp(&pid, path, &fa, &attr, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        errno = rc;
        return -1;
    }
    res->started = true;

    /* Keep the first line; read and drop the rest until end of file. */
    char buf[4096];
    size_t kept = 0;
    bool line_done = false;
    double deadline = now_s() + timeout_s;
    for (;;) {
        double left = deadline - now_s();
        if (left <= 0) {
            res->timed_out = true;
            break;
        }
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int ready = poll(&p, 1, (int)(left * 1000) + 1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n && !line_done; i++) {
            if (buf[i] == '\n') {
                line_done = true;
                break;
            }
            if (kept + 1 < linelen)
                line[kept++] = buf[i];
        }
    }
    line[kept < linelen ? kept : linelen - 1] = '\0';
    close(fds[0]);
    if (res->timed_out)
        kill(-pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            res->exit_status = -1;
            return 0;
        }
    kill(-pid, SIGKILL); /* nothing it started outlives it */
    if (WIFEXITED(status))
        res->exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        res->signal = WTERMSIG(status);
    return 0;
}

void child_result_describe(const struct child_result *res, double timeout_s, char *out,
                           size_t outlen)
{
    if (!res->started)
        snprintf(out, outlen, "could not be started");
    else if (res->timed_out)
        snprintf(out, outlen, "did not finish within %g s", timeout_s);
    else if (res->signal)
        snprintf(out, outlen, "killed by SIG%s",
                 sigabbrev_np(res->signal) ? sigabbrev_np(res->signal) : "?");
    else
        snprintf(out, outlen, "exit status %d", res->exit_status);
}

void child_log_tail(const char *path, char *out, size_t outlen)
{
    out[0] = '\0';
    FILE *f = path ? fopen(path, "re") : NULL;
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0])
            snprintf(out, outlen, "%s", line);
    }
    fclose(f);
}
