/* program_runner.c - one run of a real program or service, sampled from
 * outside (see program.h). The order of a run:
 *
 *   1. fork the program; it joins its cgroup (if any) and waits;
 *   2. open perf counters on it (inherit, enable_on_exec), note its faults;
 *   3. let it exec; from here on everything is read through /proc, the
 *      probe pipe, the cgroup and wait4 - nothing runs inside it but the
 *      probe's constructor;
 *   4. sample every interval until it exits (a service: wait until it is
 *      ready, run the load driver without the allocator, stop the server);
 *   5. kill whatever is left of its tree, read the final figures.
 */
#define _GNU_SOURCE
#include "program.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup2.h"
#include "child_output.h"
#include "program_spawn.h"
#include "program_verify.h"
#include "proc_tree.h"
#include "xalloc.h"

/* smaps_rollup walks page tables (~1 ms for a few hundred MiB): at a new
 * peak, at most this often. */
#define SMAPS_MIN_GAP_NS 100000000ULL
/* ...and so that it takes at most 1 % of the time: a pass that took 5 ms
 * (a program of a few GiB) waits 500 ms more; and only when RSS grew by
 * 1/32 since the last pass. */
#define SMAPS_COST_FACTOR 100
#define READY_POLL_NS 5000000ULL

int program_probe_path(char *out, size_t outlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        return -1;
    exe[n] = '\0';
    snprintf(out, outlen, "%s/../lib/liballocscope_probe.so", dirname(exe));
    char real[PATH_MAX];
    if (!realpath(out, real))
        return -1;
    snprintf(out, outlen, "%s", real);
    return 0;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- perf counters on the child, opened before its exec ---------------- */

static void perf_open_on(pid_t pid, struct perf_counters *pc)
{
    for (int m = 0; m < PERF_METRIC_COUNT; m++) {
        struct perf_event_attr attr;
        perf_metric_attr((enum perf_metric)m, &attr);
        attr.enable_on_exec = 1;
        long fd = syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
        if (fd < 0 && (errno == EACCES || errno == EPERM)) {
            attr.exclude_kernel = 1;
            fd = syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
        }
        pc->fd[m] = fd >= 0 ? (int)fd : -1;
        pc->open_errno[m] = fd >= 0 ? 0 : errno;
    }
}

static void describe_exit(int wstatus, char *out, size_t len);

/* ---- the state of one run ---------------------------------------------- */

enum phase { PH_RUN, PH_READY_WAIT, PH_LOAD, PH_STOP, PH_DONE };

struct run {
    const struct program_request *req;
    const struct program_spec *p;
    struct program_outcome *out;
    struct program_vars vars;
    struct proc_tree tree;
    struct probe_channel probe;
    struct cgroup_run cg;
    bool have_cg;
    struct perf_counters perf;
    struct spawned main, load;
    bool load_started;
    uint64_t base_minor, base_major; /* faults of the forked child before exec */
    uint64_t deadline_ns, next_tick_ns, next_smaps_ns;
    uint64_t ready_deadline_ns, stop_deadline_ns, last_ready_try_ns;
    uint64_t peak_rss_seen;
    enum phase phase;
    bool killed_server;
    bool await_probe; /* samples start with the probe's report (dynamic programs) */
};

static void push_sample(struct program_outcome *o, const struct program_sample *s)
{
    if (o->nsamples == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 1024;
        o->samples = xrealloc(o->samples, o->cap * sizeof *o->samples);
    }
    o->samples[o->nsamples++] = *s;
}

static void tick(struct run *r, uint64_t now)
{
    /* Before the probe's constructor ran, the dynamic loader is still
     * mapping libraries: the program proper has not started. */
    if (r->await_probe && !r->probe.main_reported)
        return;
    struct tree_reading t;
    if (proc_tree_sample(&r->tree, &t) == 0)
        return;
    struct program_sample s = {
        .t_ns = now - r->main.exec_ns, .kind = PSAMPLE_PERIODIC,
        .processes = t.processes, .threads = t.threads, .rss_bytes = t.rss_bytes,
        .heap_bytes = (int64_t)t.anon_bytes, /* absolute until the run ends */
        .brk_bytes = t.brk_bytes,
        .minor_faults = t.minor_faults > r->base_minor ? t.minor_faults - r->base_minor : 0,
        .major_faults = t.major_faults > r->base_major ? t.major_faults - r->base_major : 0,
        .hwm_bytes = t.hwm_bytes,
        .cgroup_bytes = r->have_cg ? cgroup_run_current(&r->cg) : METRIC_UNSUPPORTED,
    };
    if (s.cgroup_bytes == UINT64_MAX)
        s.cgroup_bytes = METRIC_UNSUPPORTED;
    push_sample(r->out, &s);
    if (t.hwm_bytes)
        r->out->hwm_bytes = t.hwm_bytes;
    if (t.threads > r->out->peak_threads)
        r->out->peak_threads = t.threads;
    if (t.rss_bytes > r->peak_rss_seen && now >= r->next_smaps_ns &&
        t.rss_bytes > r->out->smaps.rss_bytes + r->out->smaps.rss_bytes / 32) {
        /* Its cost is allocscope's CPU time: on a busy machine the wall
         * time of the pass includes waiting for a CPU. */
        struct smaps_rollup sm;
        uint64_t c0 = thread_cpu_ns();
        if (proc_tree_smaps(&r->tree, &sm) > 0) {
            r->out->smaps = sm;
            uint64_t gap = (thread_cpu_ns() - c0) * SMAPS_COST_FACTOR;
            r->next_smaps_ns = mono_ns() + (gap > SMAPS_MIN_GAP_NS ? gap : SMAPS_MIN_GAP_NS);
        }
    }
    if (t.rss_bytes > r->peak_rss_seen)
        r->peak_rss_seen = t.rss_bytes;
}

/* Kill every process of the run that is still there. */
static void kill_everything(struct run *r)
{
    if (r->main.pid > 0)
        kill(-r->main.pid, SIGKILL);
    if (r->load_started)
        kill(-r->load.pid, SIGKILL);
    for (size_t i = 0; i < r->tree.n; i++)
        if (r->tree.v[i].alive)
            kill(r->tree.v[i].pid, SIGKILL);
    if (r->have_cg) {
        char file[sizeof r->cg.path + 16];
        snprintf(file, sizeof file, "%s/cgroup.kill", r->cg.path);
        int fd = open(file, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = write(fd, "1", 1);
            (void)n;
            close(fd);
        }
    }
}

/* Reap our own children among the tree (orphans we adopted as subreaper,
 * and processes whose parent was killed before them). */
static void reap_leftovers(struct run *r)
{
    uint64_t until = mono_ns() + 200000000ULL;
    for (;;) {
        bool pending = false;
        for (size_t i = 0; i < r->tree.n; i++) {
            pid_t pid = r->tree.v[i].pid;
            if (pid == r->main.pid || pid <= 0)
                continue;
            pid_t w = waitpid(pid, NULL, WNOHANG);
            if (w == 0)
                pending = true;
            else
                r->tree.v[i].pid = -pid; /* reaped, or not ours to reap */
        }
        if (!pending || mono_ns() > until)
            break;
        struct timespec nap = {0, 2000000};
        nanosleep(&nap, NULL);
    }
}

static bool ready_now(struct run *r, uint64_t now)
{
    const struct program_spec *p = r->p;
    if (p->ready == READY_NONE)
        return true;
    if (p->ready == READY_DELAY)
        return now - r->main.exec_ns >= (uint64_t)(p->ready_delay_s * 1e9);
    if (now - r->last_ready_try_ns < READY_POLL_NS)
        return false;
    r->last_ready_try_ns = now;
    int s = -1, ok = 0;
    if (p->ready == READY_UNIX_SOCKET) {
        char *path = program_expand(p->ready_target, &r->vars);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
        free(path);
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                .sin_port = htons((uint16_t)(p->ready_port ? p->ready_port
                                                                           : r->vars.port))};
        s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    }
    if (s >= 0)
        close(s);
    return ok;
}

static int open_out(const char *path, int flags)
{
    return open(path ? path : "/dev/null", flags | O_CLOEXEC, 0644);
}

/* Start the load driver: no allocator, no probe, its own stdout. */
static int start_load(struct run *r, char *err, size_t errlen)
{
    char **argv = program_argv(&r->p->load, &r->vars);
    char **env = program_env(r->p, &r->vars, NULL, NULL, NULL);
    int in = open_out(NULL, O_RDONLY);
    int out = open_out(r->req->stdout_path, O_WRONLY | O_CREAT | O_TRUNC);
    int log = open_out(r->req->log_path, O_WRONLY | O_CREAT | O_APPEND);
    struct spawn_args a = {.path = r->p->load.path, .argv = argv, .env = env, .cwd = r->p->cwd,
                           .stdin_fd = in, .stdout_fd = out, .stderr_fd = log, .keep_fd = -1,
                           .cgroup_procs_fd = -1};
    int rc = in < 0 || out < 0 || log < 0 ? -1 : spawn_start(&a, &r->load, err, errlen);
    if (in < 0 || out < 0 || log < 0)
        snprintf(err, errlen, "cannot open the load driver's files: %s", strerror(errno));
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (log >= 0)
        close(log);
    program_argv_free(argv);
    program_env_free(env);
    if (rc < 0)
        return -1;
    r->load_started = true;
    proc_tree_exclude(&r->tree, r->load.pid);
    char why[256];
    if (spawn_go(&r->load, why, sizeof why) < 0) {
        snprintf(err, errlen, "cannot execute the load driver %s: %s", r->p->load.path, why);
        r->load_started = false;
        return -1;
    }
    return 0;
}

static void describe_exit(int wstatus, char *out, size_t len)
{
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        snprintf(out, len, "killed by SIG%s (%s)", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
                 strsignal(sig));
    } else {
        snprintf(out, len, "exited with status %d", WEXITSTATUS(wstatus));
    }
}

/* Fail the run now: reason, status. */
static void fail(struct run *r, enum run_status st, const char *fmt, const char *text)
{
    r->out->status = st;
    snprintf(r->out->reason, sizeof r->out->reason, fmt, text);
    r->phase = PH_DONE;
}

/* One pass of the loop after a wake-up: exits, readiness, phase changes. */
static void advance(struct run *r, uint64_t now)
{
    char buf[512], tail[301]; /* the log's last line, at most 300 bytes */
    bool main_gone = spawn_poll_exit(&r->main);
    switch (r->phase) {
    case PH_RUN:
        if (main_gone)
            r->phase = PH_DONE;
        break;
    case PH_READY_WAIT:
        if (main_gone) {
            describe_exit(r->main.wstatus, buf, sizeof buf);
            child_log_tail(r->req->log_path, tail, sizeof tail);
            size_t n = strlen(buf);
            snprintf(buf + n, sizeof buf - n, " before it was ready%s%s", tail[0] ? ": " : "",
                     tail);
            fail(r, RUN_FAILED, "the server %s", buf);
        } else if (ready_now(r, now)) {
            char err[512];
            if (start_load(r, err, sizeof err) < 0)
                fail(r, RUN_FAILED, "%s", err);
            else
                r->phase = PH_LOAD;
        } else if (now >= r->ready_deadline_ns) {
            snprintf(buf, sizeof buf, "%.0f", r->p->ready_timeout_s);
            fail(r, RUN_FAILED, "the server was not ready after %s s", buf);
        }
        break;
    case PH_LOAD:
        if (spawn_poll_exit(&r->load)) {
            r->phase = PH_STOP;
            r->stop_deadline_ns = now + (uint64_t)(r->p->stop_timeout_s * 1e9);
            if (!main_gone)
                kill(-r->main.pid, SIGTERM);
        } else if (main_gone) {
            describe_exit(r->main.wstatus, buf, sizeof buf);
            fail(r, WIFSIGNALED(r->main.wstatus) ? RUN_CRASHED : RUN_FAILED,
                 "the server %s while the load ran", buf);
        }
        break;
    case PH_STOP:
        if (main_gone) {
            r->phase = PH_DONE;
        } else if (now >= r->stop_deadline_ns && !r->killed_server) {
            kill(-r->main.pid, SIGKILL);
            r->killed_server = true;
        }
        break;
    case PH_DONE:
        break;
    }
}

static uint64_t fnv1a_file(const char *path, bool *ok)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    FILE *f = path ? fopen(path, "rbe") : NULL;
    *ok = f != NULL;
    if (!f)
        return 0;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++) {
            h ^= buf[i];
            h *= 0x100000001b3ULL;
        }
    fclose(f);
    return h;
}

/* The loop: sleep until the next tick, an exit, a probe report or a
 * readiness check; then act. */
static void watch(struct run *r)
{
    uint64_t interval = (uint64_t)(r->req->interval_s * 1e9);
    r->next_tick_ns = r->main.exec_ns;
    while (r->phase != PH_DONE) {
        uint64_t now = mono_ns();
        bool had_report = r->probe.main_reported;
        if (probe_channel_drain(&r->probe, r->req->alloc->expect_path, r->main.pid)) {
            fail(r, RUN_FAILED, "%s", r->probe.failure);
            break;
        }
        /* The program proper starts now: sample it at once, so even a
         * short run has its first sample right after the baseline. */
        if (interval && !had_report && r->probe.main_reported)
            r->next_tick_ns = now;
        if (interval && now >= r->next_tick_ns) {
            tick(r, now);
            r->next_tick_ns += interval;
            if (r->next_tick_ns <= now)
                r->next_tick_ns = now + interval; /* fell behind: skip, never burst */
        }
        advance(r, now);
        if (r->phase == PH_DONE)
            break;
        if (runner_interrupted) {
            fail(r, RUN_FAILED, "%s", "interrupted");
            break;
        }
        if (now >= r->deadline_ns) {
            char t[32];
            snprintf(t, sizeof t, "%.0f", r->req->timeout_s);
            fail(r, RUN_TIMEOUT, "exceeded the timeout of %s s", t);
            break;
        }
        uint64_t wake = r->deadline_ns;
        if (interval && r->next_tick_ns < wake)
            wake = r->next_tick_ns;
        if (r->phase == PH_READY_WAIT && now + READY_POLL_NS < wake)
            wake = now + READY_POLL_NS;
        if (r->phase == PH_STOP && !r->killed_server && r->stop_deadline_ns < wake)
            wake = r->stop_deadline_ns;
        struct pollfd fds[3];
        nfds_t n = 0;
        if (r->main.pidfd >= 0)
            fds[n++] = (struct pollfd){.fd = r->main.pidfd, .events = POLLIN};
        if (r->load_started && r->load.pidfd >= 0)
            fds[n++] = (struct pollfd){.fd = r->load.pidfd, .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = r->probe.read_fd, .events = POLLIN};
        int ms = wake > now ? (int)((wake - now + 999999) / 1000000) : 0;
        /* Without a pidfd (old kernel) exits are noticed at least every 2 ms. */
        if (r->main.pidfd < 0 && ms > 2)
            ms = 2;
        poll(fds, n, ms);
    }
}

/* Figures once everything is gone. */
static void finish(struct run *r)
{
    struct program_outcome *o = r->out;
    const struct spawned *timed = r->p->service ? &r->load : &r->main;
    probe_channel_drain(&r->probe, r->req->alloc->expect_path, r->main.pid);
    o->probe_reports = r->probe.reports;
    o->processes = (uint32_t)r->tree.seen;
    if (r->probe.main_reported)
        snprintf(o->served_by, sizeof o->served_by, "%s", r->probe.main.served[PROBE_MALLOC]);
    /* heap = anonymous memory - the program's own right after exec. */
    int64_t base = 0;
    if (r->probe.main_reported)
        base = (int64_t)r->probe.main.anon_bytes;
    else if (o->nsamples)
        base = o->samples[0].heap_bytes;
    o->peak_heap_bytes = 0;
    for (size_t i = 0; i < o->nsamples; i++) {
        struct program_sample *s = &o->samples[i];
        s->heap_bytes -= base;
        if (i == 0 || s->heap_bytes > o->peak_heap_bytes)
            o->peak_heap_bytes = s->heap_bytes;
        if (s->brk_bytes > o->peak_brk_bytes)
            o->peak_brk_bytes = s->brk_bytes;
        if (s->rss_bytes > o->sampled_peak_rss_bytes)
            o->sampled_peak_rss_bytes = s->rss_bytes;
    }
    if (r->probe.main_reported && o->nsamples) {
        /* The probe's reading, right after exec, opens the series. */
        struct program_sample b = {.t_ns = 0, .kind = PSAMPLE_BASELINE, .processes = 1,
                                   .threads = 1, .rss_bytes = r->probe.main.rss_bytes,
                                   .cgroup_bytes = METRIC_UNSUPPORTED};
        push_sample(o, &b);
        memmove(o->samples + 1, o->samples, (o->nsamples - 1) * sizeof *o->samples);
        o->samples[0] = b;
    }
    if (timed->reaped && timed->exit_ns >= timed->exec_ns)
        o->wall_s = (double)(timed->exit_ns - timed->exec_ns) / 1e9;
    const struct rusage *ru = &r->main.ru;
    o->user_s = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6;
    o->sys_s = (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
    o->ru_maxrss_bytes = (uint64_t)ru->ru_maxrss * 1024;
    perf_counters_read(&r->perf, o->perf);
    for (int m = 0; m < PERF_METRIC_COUNT; m++)
        o->perf_errno[m] = r->perf.open_errno[m];
    o->minor_faults = o->perf[PERF_MINOR_FAULTS];
    o->major_faults = o->perf[PERF_MAJOR_FAULTS];
    if (o->minor_faults == METRIC_UNSUPPORTED)
        o->minor_faults = (uint64_t)ru->ru_minflt;
    if (o->major_faults == METRIC_UNSUPPORTED)
        o->major_faults = (uint64_t)ru->ru_majflt;
    o->tree_peak_bytes = o->sampled_peak_rss_bytes;
    if (r->have_cg) {
        uint64_t peak = cgroup_run_peak(&r->cg);
        if (peak != UINT64_MAX) {
            o->tree_peak_bytes = peak;
            o->tree_peak_cgroup = true;
        }
    }
    o->output_hash = fnv1a_file(r->req->stdout_path, &o->have_output_hash);
    const int ws = timed->wstatus;
    o->exit_status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    o->term_signal = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
}

/* The verdict of a run that ran to its end. */
static void judge(struct run *r)
{
    struct program_outcome *o = r->out;
    const struct spawned *timed = r->p->service ? &r->load : &r->main;
    char what[256], tail[301]; /* the log's last line, at most 300 bytes */
    o->ran = true;
    if (!r->probe.main_reported) {
        const char *linkage = program_elf_linkage(r->p->command.path);
        o->status = RUN_FAILED;
        if (linkage && strcmp(linkage, "static") == 0) {
            snprintf(o->served_by, sizeof o->served_by, "%s (statically linked)",
                     r->p->command.path);
            snprintf(o->reason, sizeof o->reason,
                     "bypassed: %s is statically linked, so LD_PRELOAD cannot reach it: it "
                     "uses the malloc linked into it, not %s", r->p->command.path,
                     r->req->alloc->name);
        } else {
            snprintf(o->reason, sizeof o->reason,
                     "allocator verification failed: the probe never reported from the "
                     "program (pid %d): LD_PRELOAD did not reach it", (int)r->main.pid);
        }
        return;
    }
    if (WIFSIGNALED(timed->wstatus)) {
        describe_exit(timed->wstatus, what, sizeof what);
        o->status = RUN_CRASHED;
        snprintf(o->reason, sizeof o->reason, "%s%s", r->p->service ? "the load driver " : "",
                 what);
        return;
    }
    if (o->exit_status != r->p->expect_exit) {
        child_log_tail(r->req->log_path, tail, sizeof tail);
        o->status = RUN_FAILED;
        snprintf(o->reason, sizeof o->reason, "%sexited with status %d, expected %d%s%s",
                 r->p->service ? "the load driver " : "", o->exit_status, r->p->expect_exit,
                 tail[0] ? ": " : "", tail);
        return;
    }
    o->status = RUN_OK;
}

/* The workload's `setup` command: before the program, without the
 * allocator, not measured; it must exit 0. */
static int run_setup(struct run *r, char *err, size_t errlen)
{
    const struct program_spec *p = r->p;
    if (!p->setup.argc)
        return 0;
    char **argv = program_argv(&p->setup, &r->vars);
    char **env = program_env(p, &r->vars, NULL, NULL, NULL);
    int in = open_out(NULL, O_RDONLY);
    int log = open_out(r->req->log_path, O_WRONLY | O_CREAT | O_TRUNC);
    struct spawned s;
    struct spawn_args a = {.path = p->setup.path, .argv = argv, .env = env, .cwd = p->cwd,
                           .stdin_fd = in, .stdout_fd = log, .stderr_fd = log, .keep_fd = -1,
                           .cgroup_procs_fd = -1};
    int rc = in < 0 || log < 0 ? -1 : spawn_start(&a, &s, err, errlen);
    if (in >= 0)
        close(in);
    if (log >= 0)
        close(log);
    program_argv_free(argv);
    program_env_free(env);
    if (rc == 0 && spawn_go(&s, err, errlen) == 0) {
        int status;
        waitpid(s.pid, &status, 0);
        if (s.pidfd >= 0)
            close(s.pidfd);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char what[128];
            describe_exit(status, what, sizeof what);
            snprintf(err, errlen, "the setup command %s %s", p->setup.path, what);
            rc = -1;
        }
    } else if (rc == 0) {
        rc = -1;
    }
    return rc;
}

static int setup(struct run *r, char *err, size_t errlen)
{
    if (run_setup(r, err, errlen) < 0)
        return -1;
    const struct program_request *req = r->req;
    if (probe_channel_open(&r->probe, err, errlen) < 0)
        return -1;
    proc_tree_init(&r->tree);
    if (req->use_cgroup) {
        char why[512];
        r->have_cg = cgroup_run_create(&r->cg, why, sizeof why) == 0;
    }
    /* Orphans of the program come to allocscope, so the tree keeps them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    char **argv = program_argv(&r->p->command, &r->vars);
    char **env = program_env(r->p, &r->vars, req->alloc, req->probe_path,
                             r->probe.var);
    int in = open(r->p->stdin_path ? r->p->stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open_out(r->p->service ? NULL : req->stdout_path, O_WRONLY | O_CREAT | O_TRUNC);
    int log = open_out(req->log_path, O_WRONLY | O_CREAT | O_APPEND);
    int rc = -1;
    if (in < 0 || out < 0 || log < 0) {
        snprintf(err, errlen, "cannot open the program's stdin/stdout/log: %s", strerror(errno));
    } else {
        struct spawn_args a = {.path = r->p->command.path, .argv = argv, .env = env,
                               .cwd = r->p->cwd, .stdin_fd = in, .stdout_fd = out,
                               .stderr_fd = log, .keep_fd = r->probe.write_fd,
                               .cgroup_procs_fd = r->have_cg ? r->cg.procs_fd : -1};
        /* The child starts as a copy of allocscope: its resident anonymous
         * pages count in the child's ru_maxrss. Give freed heap back first. */
        malloc_trim(0);
        rc = spawn_start(&a, &r->main, err, errlen);
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (log >= 0)
        close(log);
    program_argv_free(argv);
    program_env_free(env);
    return rc;
}

int program_execute(const struct program_request *req, struct program_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->status = RUN_FAILED;
    for (int m = 0; m < PERF_METRIC_COUNT; m++)
        out->perf[m] = METRIC_UNSUPPORTED;
    struct run *r = xcalloc(1, sizeof *r);
    r->req = req;
    r->p = req->w->program;
    r->out = out;
    r->vars = (struct program_vars){.tmp = req->tmp_dir, .dir = r->p->dir,
                                    .port = program_free_port()};
    r->main.pid = -1;
    r->probe.read_fd = r->probe.write_fd = -1;
    for (int m = 0; m < PERF_METRIC_COUNT; m++)
        r->perf.fd[m] = -1;
    char err[512];
    int rc = 0;
    if (setup(r, err, sizeof err) < 0) {
        snprintf(out->reason, sizeof out->reason, "cannot start %s: %s", r->p->command.path, err);
        rc = -1;
        goto done;
    }
    perf_open_on(r->main.pid, &r->perf);
    proc_faults(r->main.pid, &r->base_minor, &r->base_major);
    if (spawn_go(&r->main, err, sizeof err) < 0) {
        snprintf(out->reason, sizeof out->reason, "cannot execute %s: %s", r->p->command.path,
                 err);
        goto done;
    }
    /* Only the program keeps the probe pipe's write end now. */
    close(r->probe.write_fd);
    r->probe.write_fd = -1;
    proc_tree_add_root(&r->tree, r->main.pid);
    r->deadline_ns = r->main.exec_ns + (uint64_t)(req->timeout_s * 1e9);
    r->ready_deadline_ns = r->main.exec_ns + (uint64_t)(r->p->ready_timeout_s * 1e9);
    r->phase = r->p->service ? PH_READY_WAIT : PH_RUN;
    const char *linkage = program_elf_linkage(r->p->command.path);
    r->await_probe = !linkage || strcmp(linkage, "static") != 0;
    watch(r);
    bool completed = out->reason[0] == '\0';
    kill_everything(r);
    if (!r->main.reaped) {
        waitpid(r->main.pid, &r->main.wstatus, 0);
        r->main.reaped = true;
    }
    if (r->load_started && !r->load.reaped) {
        waitpid(r->load.pid, &r->load.wstatus, 0);
        r->load.reaped = true;
    }
    reap_leftovers(r);
    finish(r);
    if (completed)
        judge(r);
done:
    if (r->main.pid > 0 && !r->main.reaped)
        spawn_abandon(&r->main);
    if (r->main.pidfd >= 0)
        close(r->main.pidfd);
    if (r->load_started && r->load.pidfd >= 0)
        close(r->load.pidfd);
    perf_counters_close(&r->perf);
    probe_channel_close(&r->probe);
    proc_tree_free(&r->tree);
    if (r->have_cg)
        cgroup_run_destroy(&r->cg);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    free(r);
    return rc;
}

void program_outcome_release(struct program_outcome *out)
{
    free(out->samples);
    out->samples = NULL;
    out->nsamples = out->cap = 0;
}
