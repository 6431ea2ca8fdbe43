/* runner.c - starting and watching one measured child (see runner.h). */
#define _GNU_SOURCE
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_env.h"
#include "child_output.h"

volatile sig_atomic_t runner_interrupted;

/* The process group of the worker being waited for (its pid), 0 when none:
 * what a second signal kills before allocscope exits. */
static volatile sig_atomic_t running_group;

/* First SIGINT/SIGHUP/SIGTERM: remember it; the run in flight is stopped
 * and the suite ends in order. A second one: the worker's whole group is
 * killed and allocscope exits at once (rows already written are whole). */
static void on_signal(int sig)
{
    if (runner_interrupted) {
        pid_t group = running_group;
        if (group > 0)
            kill(-group, SIGKILL);
        _exit(128 + sig);
    }
    runner_interrupted = sig;
}

void runner_install_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll wakes */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* A closed stdout or stderr (`allocscope run | head`) must not kill the
     * suite mid-write; the writes fail instead. Workers get SIGPIPE back. */
    signal(SIGPIPE, SIG_IGN);
}

int runner_exit_status(void)
{
    return runner_interrupted ? 128 + runner_interrupted : 0;
}

/* Kill the worker and everything it started: they share its process
 * group. A group that is already empty is fine. */
static void stop_group(pid_t pid)
{
    if (pid > 0)
        kill(-pid, SIGKILL);
}

int runner_worker_path(char *out, size_t outlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        return -1;
    exe[n] = '\0';
    snprintf(out, outlen, "%s/allocscope-worker", dirname(exe));
    return access(out, X_OK);
}

static struct result_region *make_region(int *fd_out, size_t *bytes_out, size_t capacity)
{
    size_t bytes = sizeof(struct result_region) + capacity * sizeof(struct sample);
    int fd = memfd_create("allocscope-result", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, (off_t)bytes) < 0) {
        close(fd);
        return NULL;
    }
    struct result_region *r = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (r == MAP_FAILED) {
        close(fd);
        return NULL;
    }
    r->magic = RESULT_MAGIC;
    r->version = RESULT_VERSION;
    r->sample_capacity = capacity;
    *fd_out = fd;
    *bytes_out = bytes;
    return r;
}

static const char *state_name(uint32_t state)
{
    switch (state) {
    case RESULT_STARTED:
        return "before allocator verification";
    case RESULT_VERIFIED:
        return "during set-up";
    case RESULT_MEASURING:
        return "while measuring";
    case RESULT_DONE:
        return "after the last op";
    default:
        return "before the worker started";
    }
}

/* Last non-empty line of the child's log, for failure reasons. */
/* The two pipes of the chunk protocol, as seen from the parent. */
struct chunk_pipes {
    int request_read, request_write; /* worker -> parent */
    int reply_read, reply_write;     /* parent -> worker */
};

static pid_t spawn_worker(const struct run_request *req, int window_fd,
                          const struct chunk_pipes *cp, int result_fd, char **env)
{
    char window_arg[16], request_arg[16], reply_arg[16], result_arg[16];
    snprintf(window_arg, sizeof window_arg, "%d", window_fd);
    snprintf(request_arg, sizeof request_arg, "%d", cp->request_write);
    snprintf(reply_arg, sizeof reply_arg, "%d", cp->reply_read);
    snprintf(result_arg, sizeof result_arg, "%d", result_fd);
    const struct allocator_entry *a = req->alloc;
    static const char *const probe_names[] = {"none", "glibc", "mallctl", "int_function",
                                              "string_function"};
    static const char *const stats_names[] = {"none", "glibc", "jemalloc", "mimalloc"};
    char *worker_argv[] = {(char *)req->worker_path, window_arg, request_arg, reply_arg,
                           result_arg, (char *)a->expect_path, (char *)stats_names[a->stats],
                           (char *)probe_names[a->version_probe],
                           a->version_symbol ? a->version_symbol : (char *)"", NULL};
    /* With a wrapper: WRAPPER... WORKER ARGS..., found on PATH. */
    char *argv[64];
    size_t n = 0;
    for (size_t i = 0; req->wrapper && req->wrapper[i] && n < 48; i++)
        argv[n++] = req->wrapper[i];
    for (size_t i = 0; worker_argv[i]; i++)
        argv[n++] = worker_argv[i];
    argv[n] = NULL;

    pid_t parent = getpid();
    struct rlimit as_limit = {(rlim_t)req->memory_limit, (rlim_t)req->memory_limit};
    pid_t pid = fork();
    if (pid > 0) {
        setpgid(pid, pid); /* also in the child: whichever runs first */
        running_group = pid;
    }
    if (pid != 0)
        return pid;
    /* Child: only async-signal-safe calls until execve. Its own process
     * group, so the whole group can be killed; killed itself when
     * allocscope dies, however it dies (SIGKILL included). */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* allocscope died before prctl took effect */
        _exit(127);
    if (req->memory_limit && setrlimit(RLIMIT_AS, &as_limit) != 0)
        _exit(126);
    int log = open(req->log_path ? req->log_path : "/dev/null",
                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, STDIN_FILENO);
    /* Inherited across exec: the worker's ends only. */
    fcntl(window_fd, F_SETFD, 0);
    fcntl(cp->request_write, F_SETFD, 0);
    fcntl(cp->reply_read, F_SETFD, 0);
    fcntl(result_fd, F_SETFD, 0);
    signal(SIGINT, SIG_IGN);  /* the parent decides when the child stops */
    signal(SIGPIPE, SIG_DFL); /* ignored in the parent only */
    if (req->wrapper && req->wrapper[0])
        execvpe(argv[0], argv, env);
    else
        execve(req->worker_path, argv, env);
    _exit(127);
}

/* Serve the worker's chunk requests and wait for it to exit, at most
 * timeout_s. Returns 0 when it exited, 1 on timeout, 2 when interrupted
 * (the child is killed in both cases). A chunk that cannot be generated is
 * answered 'e': the worker then fails the run, and *gen_err says why. */
static int serve_worker(pid_t pid, double timeout_s, struct opsource *gen,
                        struct opwindow_header *win, const struct chunk_pipes *cp,
                        int *wstatus, char *gen_err, size_t gen_errlen)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int request_fd = cp->request_read;
    int verdict = 0;
    for (;;) {
        pid_t w = waitpid(pid, wstatus, WNOHANG);
        if (w == pid)
            break;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed = (double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
        if (elapsed >= timeout_s || runner_interrupted) {
            stop_group(pid);
            waitpid(pid, wstatus, 0);
            verdict = runner_interrupted ? 2 : 1;
            break;
        }
        int wait_ms = (int)((timeout_s - elapsed) * 1000) + 1;
        struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = request_fd, .events = POLLIN}};
        int n = poll(p + (pidfd < 0), 2 - (pidfd < 0), wait_ms < 200 ? wait_ms : 200);
        if (n <= 0 || request_fd < 0 || !(p[1].revents & (POLLIN | POLLHUP)))
            continue;
        char c;
        ssize_t got = read(request_fd, &c, 1);
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
            request_fd = -1; /* the worker closed its end: it is exiting */
            continue;
        }
        if (got != 1)
            continue;
        char reply = 'c';
        if (opsource_next_chunk(gen, win, gen_err, gen_errlen) < 0)
            reply = 'e';
        if (write(cp->reply_write, &reply, 1) != 1)
            request_fd = -1;
    }
    if (pidfd >= 0)
        close(pidfd);
    return verdict;
}

/* The op window: a memfd the parent writes chunks into and the worker maps. */
static struct opwindow_header *make_window(int *fd_out, size_t *bytes_out, uint32_t threads,
                                           size_t ops)
{
    size_t bytes = opwindow_bytes(ops);
    int fd = memfd_create("allocscope-window", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    void *p = MAP_FAILED;
    if (ftruncate(fd, (off_t)bytes) == 0)
        p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return NULL;
    }
    opwindow_init(p, threads, ops);
    *fd_out = fd;
    *bytes_out = bytes;
    return p;
}

static int make_pipes(struct chunk_pipes *cp)
{
    int a[2], b[2];
    if (pipe2(a, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(b, O_CLOEXEC) < 0) {
        close(a[0]);
        close(a[1]);
        return -1;
    }
    *cp = (struct chunk_pipes){.request_read = a[0], .request_write = a[1],
                               .reply_read = b[0], .reply_write = b[1]};
    return 0;
}

/* Under a memory limit, an allocation that failed is the limit at work:
 * status oom. A crash under a limit stays a crash (the worker may have
 * died of something else), but its reason says a limit was in force. */
static void apply_memory_limit(const struct run_request *req, struct run_outcome *out)
{
    if (!req->memory_limit)
        return;
    char limit[32], reason[sizeof out->reason];
    snprintf(limit, sizeof limit, "%llu MiB", (unsigned long long)(req->memory_limit >> 20));
    if (out->status == RUN_FAILED && out->res &&
        __atomic_load_n(&out->res->state, __ATOMIC_ACQUIRE) == RESULT_FAILED &&
        strstr(out->res->error, "returned NULL")) {
        out->status = RUN_OOM;
        snprintf(reason, sizeof reason, "memory limit of %s reached: %s", limit,
                 out->res->error);
        snprintf(out->reason, sizeof out->reason, "%s", reason);
    } else if (out->status == RUN_CRASHED) {
        size_t used = strlen(out->reason);
        snprintf(out->reason + used, sizeof out->reason - used, " (memory limit %s in force)",
                 limit);
    }
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Why the run ended, from the child's exit and the region's state. */
static void classify(const struct run_request *req, int verdict, int wstatus,
                     const char *gen_err, struct run_outcome *out)
{
    struct result_region *r = out->res;
    uint32_t state = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
    char tail[512];

    if (verdict == 2) {
        out->status = RUN_INTERRUPTED;
        snprintf(out->reason, sizeof out->reason, "interrupted by SIG%s %s (%llu samples kept)",
                 sigabbrev_np(runner_interrupted) ? sigabbrev_np(runner_interrupted) : "?",
                 state_name(state), (unsigned long long)r->sample_count);
    } else if (verdict == 1) {
        out->status = RUN_TIMEOUT;
        snprintf(out->reason, sizeof out->reason,
                 "exceeded the timeout of %g s %s (%llu samples kept)", req->timeout_s,
                 state_name(state), (unsigned long long)r->sample_count);
    } else if (WIFSIGNALED(wstatus)) {
        out->status = RUN_CRASHED;
        int sig = WTERMSIG(wstatus);
        snprintf(out->reason, sizeof out->reason, "killed by SIG%s (%s) %s (%llu samples kept)",
                 sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", strsignal(sig), state_name(state),
                 (unsigned long long)r->sample_count);
    } else if (state == RESULT_DONE && WEXITSTATUS(wstatus) == 0) {
        out->status = RUN_OK;
    } else if (gen_err[0]) {
        snprintf(out->reason, sizeof out->reason, "op stream generation failed: %s", gen_err);
    } else if (state == RESULT_FAILED) {
        snprintf(out->reason, sizeof out->reason, "%s", r->error);
    } else if (WEXITSTATUS(wstatus) == 127 && state == 0) {
        snprintf(out->reason, sizeof out->reason, "cannot execute %s", req->worker_path);
    } else if (WEXITSTATUS(wstatus) == 126 && state == 0 && req->memory_limit) {
        snprintf(out->reason, sizeof out->reason, "cannot set the memory limit: setrlimit failed");
    } else {
        child_log_tail(req->log_path, tail, sizeof tail);
        snprintf(out->reason, sizeof out->reason, "worker exited with status %d %s%s%.300s",
                 WEXITSTATUS(wstatus), state_name(state), tail[0] ? ": " : "", tail);
    }
}

/* The worker's access walks against the generator's: the same number of
 * visits, to the same objects in the same order (op_access_check). */
static void check_access(struct run_outcome *out)
{
    const struct result_region *r = out->res;
    if (out->status != RUN_OK || !out->stream.complete)
        return;
    if (r->access_count != out->stream.access_ops || r->access_check != out->stream.access_check) {
        out->status = RUN_FAILED;
        snprintf(out->reason, sizeof out->reason,
                 "the access phases visited other objects than the op stream says: %llu visits "
                 "(check %016llx) against the stream's %llu (check %016llx)",
                 (unsigned long long)r->access_count, (unsigned long long)r->access_check,
                 (unsigned long long)out->stream.access_ops,
                 (unsigned long long)out->stream.access_check);
    }
}

int runner_execute(const struct run_request *req, struct run_outcome *out)
{
    /* A worker that dies while the parent answers it must not take the
     * parent with it: write errors are handled instead. */
    signal(SIGPIPE, SIG_IGN);
    memset(out, 0, sizeof *out);
    out->status = RUN_FAILED;
    const struct workload_spec *w = req->workload;
    size_t chunk_ops = req->chunk_ops ? req->chunk_ops : OPWINDOW_DEFAULT_OPS;
    int result_fd = -1, window_fd = -1;
    size_t window_bytes = 0;
    struct chunk_pipes cp = {-1, -1, -1, -1};
    struct opwindow_header *win = NULL;
    char gen_err[256] = "";
    int rc = -1;

    struct opsource *gen = opsource_new(w, req->trace_facts, chunk_ops, out->reason,
                                        sizeof out->reason);
    if (!gen)
        return -1;
    out->res = make_region(&result_fd, &out->res_bytes, RESULT_SAMPLE_CAPACITY);
    if (out->res) {
        out->res->params = req->params;
        out->res->params.lock_all = w->lock_all;
        out->res->params.thp_never = w->thp_never;
    }
    win = make_window(&window_fd, &window_bytes, opsource_threads(gen), chunk_ops);
    if (!out->res || !win || make_pipes(&cp) < 0) {
        snprintf(out->reason, sizeof out->reason, "cannot set up the run: %s", strerror(errno));
        goto done;
    }
    /* The first chunk is in the window before the worker starts. */
    if (opsource_next_chunk(gen, win, out->reason, sizeof out->reason) < 0)
        goto done;

    char **env = child_env_build(req->alloc, NULL); /* with the variant's env */
    pid_t pid = spawn_worker(req, window_fd, &cp, result_fd, env);
    child_env_free(env);
    /* The worker's ends belong to it now. */
    close_fd(&result_fd);
    close_fd(&window_fd);
    close_fd(&cp.request_write);
    close_fd(&cp.reply_read);
    if (pid < 0) {
        snprintf(out->reason, sizeof out->reason, "cannot start worker: %s", strerror(errno));
        goto done;
    }

    int wstatus = 0;
    int verdict = serve_worker(pid, req->timeout_s, gen, win, &cp, &wstatus, gen_err,
                               sizeof gen_err);
    stop_group(pid); /* whatever the worker forked does not outlive the run */
    running_group = 0;
    classify(req, verdict, wstatus, gen_err, out);
    apply_memory_limit(req, out);
    rc = 0;
done:
    /* The stream's facts are whole when the worker got every chunk; a run
     * that ended early leaves them partial (no hash): generating the rest
     * just for them could take as long as the run was meant to. */
    out->stream = *opsource_totals(gen);
    opsource_free(gen);
    check_access(out);
    if (win)
        munmap(win, window_bytes);
    close_fd(&result_fd);
    close_fd(&window_fd);
    close_fd(&cp.request_read);
    close_fd(&cp.request_write);
    close_fd(&cp.reply_read);
    close_fd(&cp.reply_write);
    return rc;
}

void run_outcome_release(struct run_outcome *out)
{
    if (out->res)
        munmap(out->res, out->res_bytes);
    out->res = NULL;
}
