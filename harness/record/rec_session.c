/* rec_session.c - which process records, and the ends of a recording.
 *
 * `allocscope record` opens the trace file, starts the program with this
 * library preloaded and says in the environment which descriptor to write
 * (ALLOCSCOPE_RECORD_FD) and which process may (ALLOCSCOPE_RECORD_PID).
 * Only that process records, and only its first program image:
 *  - fork: the child stops recording (its allocations are another heap;
 *    the parent's trace marks the fork with a FORK event). Programs it
 *    executes, and any process started later that inherits the
 *    environment, do not record either (their pid differs).
 *  - exec: before the image is replaced, every ring is drained, an EXEC
 *    record is written and the zstd frame ended, so the trace is whole. The
 *    descriptor is close-on-exec, so the new image does not record; if the
 *    exec fails, recording goes on.
 *  - exit, return from main: the destructor writes the END record; _exit
 *    and _Exit are interposed to do the same. A kill leaves a trace that
 *    is readable up to the last drain (readers say it was cut short).
 *  - calls before the constructor ran (other libraries' constructors, the
 *    dynamic loader) are recorded into the main thread's ring and written
 *    once the constructor started the writer.
 */
#define _GNU_SOURCE
#include "rec.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

volatile int rec_state = REC_PENDING;
pid_t rec_pid;
static int decided;

#ifndef ALLOCSCOPE_VERSION
#define ALLOCSCOPE_VERSION "?"
#endif

/* Decimal text of v into buf (no stdio: nothing allocates here). */
static const char *u64_text(uint64_t v, char buf[24])
{
    char *p = buf + 23;
    *p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    return p;
}

static bool read_long(const char *s, long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

/* The descriptor to write: open, a regular file, still empty (a process
 * that reuses the number for something else, or an image after an exec
 * that somehow kept it, does not write into it). */
static int trace_fd(void)
{
    long fd, pid;
    if (!read_long(getenv("ALLOCSCOPE_RECORD_FD"), &fd) ||
        !read_long(getenv("ALLOCSCOPE_RECORD_PID"), &pid) || pid != (long)getpid() || fd < 0)
        return -1;
    struct stat st;
    if (fcntl((int)fd, F_GETFD) < 0 || fstat((int)fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_size != 0)
        return -1;
    fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    return (int)fd;
}

static void after_fork_parent(void)
{
    struct rec_ring *r = rec_enter();
    if (r) {
        rec_put(r, rec_stamp(), 0, 0, 0, TEV_FORK);
        rec_leave();
    }
}

static void after_fork_child(void)
{
    rec_state = REC_OFF;
    rec_tls_ring = NULL;
    rec_tls_busy = 0;
}

static bool start(int fd, int argc, char **argv)
{
    char pid_buf[24], ns_buf[24], page_buf[24], stamp_buf[24], mono_buf[24];
    static char args[8192];
    size_t args_len = 0;
    for (int i = 0; argv && i < argc && argv[i]; i++) {
        size_t n = strlen(argv[i]) + 1; /* each argument ends with a NUL */
        if (args_len + n > sizeof args)
            break;
        memcpy(args + args_len, argv[i], n);
        args_len += n;
    }
    struct utsname u;
    if (uname(&u) < 0)
        strcpy(u.nodename, "?");
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t unix_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
    /* The clock pair every stamp is measured from: the first event is
     * stamped after it. */
    uint64_t stamp = rec_stamp(), mono = rec_mono_ns();
    const char *program = argc > 0 && argv && argv[0] ? argv[0] : "?";
    struct rec_header_field f[] = {
        {"program", program, strlen(program)},
        {"argv", args, args_len},
        {"host", u.nodename, strlen(u.nodename)},
        {"pid", u64_text((uint64_t)getpid(), pid_buf), 0},
        {"start_unix_ns", u64_text(unix_ns, ns_buf), 0},
        {"clock", rec_clock_tsc ? "tsc" : "monotonic", 0},
        {"start_stamp", u64_text(stamp, stamp_buf), 0},
        {"start_mono_ns", u64_text(mono, mono_buf), 0},
        {"page_size", u64_text((uint64_t)sysconf(_SC_PAGESIZE), page_buf), 0},
        {"recorder", "allocscope " ALLOCSCOPE_VERSION, 0},
    };
    size_t n = sizeof f / sizeof f[0];
    for (size_t i = 0; i < n; i++)
        if (!f[i].value_len && strcmp(f[i].key, "argv") != 0)
            f[i].value_len = strlen(f[i].value);
    return rec_writer_start(fd, f, n) == 0;
}

void rec_session_decide(int argc, char **argv)
{
    if (__atomic_exchange_n(&decided, 1, __ATOMIC_ACQ_REL))
        return;
    int busy = rec_tls_busy;
    rec_tls_busy = 1; /* what setting up allocates is not recorded */
    rec_resolve();
    int fd = trace_fd();
    if (fd >= 0 && start(fd, argc, argv)) {
        rec_pid = getpid();
        pthread_atfork(NULL, after_fork_parent, after_fork_child);
        rec_state = REC_ON;
    } else {
        if (fd >= 0)
            rec_say("allocscope record: cannot start the recording", "");
        rec_state = REC_OFF;
        rec_tls_ring = NULL;
    }
    rec_tls_busy = busy;
}

/* glibc passes main's arguments to constructors. */
__attribute__((constructor)) static void rec_constructor(int argc, char **argv, char **envp)
{
    (void)envp;
    rec_session_decide(argc, argv);
}

static bool recording_here(void)
{
    return rec_state == REC_ON && getpid() == rec_pid;
}

__attribute__((destructor)) static void rec_destructor(void)
{
    if (recording_here())
        rec_writer_finish(TEND_EXIT, true);
}

/* ---- _exit ---------------------------------------------------------------- */

static _Noreturn void exit_now(int status)
{
    if (recording_here())
        rec_writer_finish(TEND_UNDERSCORE_EXIT, false);
    for (;;)
        syscall(SYS_exit_group, status);
}

REC_EXPORT _Noreturn void _exit(int status)
{
    exit_now(status);
}

REC_EXPORT _Noreturn void _Exit(int status)
{
    exit_now(status);
}

/* ---- exec ------------------------------------------------------------------- */

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);

static void *real_symbol(const char *name)
{
    int busy = rec_tls_busy;
    rec_tls_busy = 1;
    rec_resolve();
    void *f = dlsym(RTLD_NEXT, name);
    rec_tls_busy = busy;
    return f;
}

static void before_exec(const char *path)
{
    if (recording_here()) {
        int saved = errno;
        rec_writer_exec(path);
        errno = saved;
    }
}

REC_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    static execve_fn real;
    if (!real)
        real = (execve_fn)real_symbol("execve");
    before_exec(path);
    return real(path, argv, envp);
}

REC_EXPORT int execv(const char *path, char *const argv[])
{
    static execv_fn real;
    if (!real)
        real = (execv_fn)real_symbol("execv");
    before_exec(path);
    return real(path, argv);
}

REC_EXPORT int execvp(const char *file, char *const argv[])
{
    static execv_fn real;
    if (!real)
        real = (execv_fn)real_symbol("execvp");
    before_exec(file);
    return real(file, argv);
}

REC_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    static execve_fn real;
    if (!real)
        real = (execve_fn)real_symbol("execvpe");
    before_exec(file);
    return real(file, argv, envp);
}

REC_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    static fexecve_fn real;
    if (!real)
        real = (fexecve_fn)real_symbol("fexecve");
    before_exec("(fexecve)");
    return real(fd, argv, envp);
}

/* The list forms: gather the arguments into an array (the NULL that ends
 * the list included), then take the array forms above, which end the trace.
 * Counting the arguments needs a copy of the list: va_arg cannot go back. */
#define COUNT_ARGS(ap, n)                                                                    \
    do {                                                                                     \
        va_list count_ap;                                                                    \
        va_copy(count_ap, ap);                                                               \
        n = 1;                                                                               \
        while (va_arg(count_ap, char *))                                                     \
            n++;                                                                             \
        va_end(count_ap);                                                                    \
    } while (0)

static void gather_args(char **argv, const char *arg, size_t n, va_list *ap)
{
    argv[0] = (char *)arg;
    for (size_t i = 1; i <= n; i++)
        argv[i] = va_arg(*ap, char *);
}

REC_EXPORT int execl(const char *path, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    size_t n;
    COUNT_ARGS(ap, n);
    char *argv[n + 1];
    gather_args(argv, arg, n, &ap);
    va_end(ap);
    return execv(path, argv);
}

REC_EXPORT int execlp(const char *file, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    size_t n;
    COUNT_ARGS(ap, n);
    char *argv[n + 1];
    gather_args(argv, arg, n, &ap);
    va_end(ap);
    return execvp(file, argv);
}

REC_EXPORT int execle(const char *path, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    size_t n;
    COUNT_ARGS(ap, n);
    char *argv[n + 1];
    gather_args(argv, arg, n, &ap);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(path, argv, envp);
}
