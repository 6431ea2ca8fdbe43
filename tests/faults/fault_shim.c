/* fault_shim.c - an "allocator" that misbehaves on purpose, for the
 * fault-injection tests. Preloaded into the worker, it serves malloc,
 * free, calloc and realloc from glibc (so the harness's check that the
 * preloaded library serves them passes) and, depending on
 * $ALLOCSCOPE_FAULT, after $ALLOCSCOPE_FAULT_AFTER allocations:
 *
 *   crash      raises SIGSEGV (a crashing allocator)
 *   null       returns NULL from then on (an allocator out of memory)
 *   hang       never returns (a deadlocked allocator)
 *   fork-hang  forks a child that sleeps forever, and carries on; the
 *              child's pid goes to $ALLOCSCOPE_FAULT_PIDFILE
 *   fork-hang-self  the same, then hangs itself
 *
 * Everything here runs on the malloc path of the measured child, so it
 * allocates nothing and reads the environment once. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

enum mode { M_UNREAD, M_NONE, M_CRASH, M_NULL, M_HANG, M_FORK_HANG, M_FORK_HANG_SELF };

static enum mode mode = M_UNREAD;
static long after;
static long count;
static int tripped;

static void read_env(void)
{
    const char *m = getenv("ALLOCSCOPE_FAULT"), *a = getenv("ALLOCSCOPE_FAULT_AFTER");
    after = a ? atol(a) : 1000;
    mode = !m                                  ? M_NONE
           : strcmp(m, "crash") == 0           ? M_CRASH
           : strcmp(m, "null") == 0            ? M_NULL
           : strcmp(m, "hang") == 0            ? M_HANG
           : strcmp(m, "fork-hang") == 0       ? M_FORK_HANG
           : strcmp(m, "fork-hang-self") == 0  ? M_FORK_HANG_SELF
                                               : M_NONE;
}

static void forever(void)
{
    for (;;)
        pause();
}

static void fork_sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0)
        forever();
    const char *file = getenv("ALLOCSCOPE_FAULT_PIDFILE");
    if (pid > 0 && file) {
        char text[32];
        int len = snprintf(text, sizeof text, "%d\n", (int)pid);
        int fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            (void)!write(fd, text, (size_t)len);
            close(fd);
        }
    }
}

/* True when this allocation must fail (M_NULL). */
static int fault(void)
{
    if (mode == M_UNREAD)
        read_env();
    if (mode == M_NONE || ++count <= after)
        return 0;
    switch (mode) {
    case M_CRASH:
        raise(SIGSEGV);
        return 0;
    case M_NULL:
        return 1;
    case M_HANG:
        forever();
        return 0;
    case M_FORK_HANG:
    case M_FORK_HANG_SELF:
        if (!tripped) {
            tripped = 1;
            fork_sleeper();
            if (mode == M_FORK_HANG_SELF)
                forever();
        }
        return 0;
    default:
        return 0;
    }
}

void *malloc(size_t size)
{
    return fault() ? NULL : __libc_malloc(size);
}

void free(void *p)
{
    __libc_free(p);
}

void *calloc(size_t n, size_t size)
{
    return fault() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return fault() ? NULL : __libc_realloc(p, size);
}
