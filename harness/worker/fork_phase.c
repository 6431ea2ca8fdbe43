/* fork_phase.c - see fork_phase.h.
 *
 * The child of a (possibly multi-threaded) process may only call
 * async-signal-safe functions: it reads the pipe, reads memory and exits,
 * nothing else (no malloc, no stdio). */
#define _GNU_SOURCE
#include "fork_phase.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "executor.h"

/* Reading child: walk the pointer table (its copy, frozen at the fork) and
 * read the first byte of every object, again and again, until the parent
 * closes the pipe. A snapshot writer reads the whole heap like this. */
static _Noreturn void child_read(struct exec_ctx *ctx, int fd)
{
    volatile char sink = 0;
    char c;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    for (;;) {
        for (uint64_t i = 0; i < ctx->slot_capacity; i++)
            if (ctx->slots[i])
                sink += *(volatile char *)ctx->slots[i];
        ssize_t n = read(fd, &c, 1);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            _exit(0);
        sched_yield(); /* the parent is measured: let it run */
    }
}

static _Noreturn void child_idle(int fd)
{
    char c;
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n == 0 || (n < 0 && errno != EINTR))
            _exit(0);
    }
}

void fork_phase_start(struct exec_ctx *ctx, bool reading)
{
    struct result_region *res = ctx->res;
    if (ctx->fork_pid)
        fork_phase_reap(ctx);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        snprintf(res->error, sizeof res->error, "fork phase: pipe: %s", strerror(errno));
        __atomic_store_n(&res->state, RESULT_FAILED, __ATOMIC_RELEASE);
        _exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[1]);
        if (reading)
            child_read(ctx, fds[0]);
        child_idle(fds[0]);
    }
    close(fds[0]);
    if (pid < 0) {
        snprintf(res->error, sizeof res->error, "fork phase: fork: %s", strerror(errno));
        __atomic_store_n(&res->state, RESULT_FAILED, __ATOMIC_RELEASE);
        _exit(1);
    }
    ctx->fork_pipe = fds[1];
    ctx->fork_pid = pid;
    res->fork_child_pid = pid;
    res->fork_count++;
    /* The anonymous memory the parent shares with the child right after
     * the fork: all of its resident heap. */
    struct smaps_mapped m;
    if (res->fork_count == 1 && smaps_mapped_read(&m) == 0)
        res->fork_shared_bytes = m.anon_shared_bytes;
}

void fork_phase_reap(struct exec_ctx *ctx)
{
    if (!ctx->fork_pid)
        return;
    close(ctx->fork_pipe);
    int status;
    while (waitpid(ctx->fork_pid, &status, 0) < 0 && errno == EINTR)
        ;
    ctx->res->fork_children_reaped++;
    ctx->fork_pid = 0;
    ctx->fork_pipe = -1;
}
