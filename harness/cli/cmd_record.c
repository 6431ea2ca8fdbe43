/* cmd_record.c - `allocscope record [-o FILE] -- PROG ARGS...`: run a
 * program with the recorder (harness/record/) preloaded and write its
 * allocation trace.
 *
 * The program is started with fork and execvp, never through a shell. The
 * trace file is opened here and handed down as a descriptor, with the
 * process id that may write it (see rec_session.c: a child the program
 * forks, or a program it executes, does not record). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "trace_facts.h"

struct record_options {
    const char *out;
    const char *level;
    const char *clock;
    bool quiet;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: allocscope record [options] -- PROG [ARGS...]\n\n"
            "Run PROG with allocscope's recorder preloaded and write every allocation\n"
            "call it makes (malloc, calloc, realloc, reallocarray, free, posix_memalign,\n"
            "aligned_alloc, memalign, valloc, pvalloc, malloc_usable_size) to a\n"
            "zstd-compressed trace (docs/trace-format.md). Only PROG's own process is\n"
            "recorded: children it forks and programs it executes are not. To record\n"
            "under another allocator, preload it too: LD_PRELOAD=libjemalloc.so.2\n"
            "allocscope record -- PROG.\n\n"
            "options:\n"
            "  -o, --out FILE     the trace (default: PROG.trace.zst here; an existing\n"
            "                     file of that name is kept and -2, -3, ... is added)\n"
            "  -l, --level N      zstd compression level, 1 to 19 (default 1: the\n"
            "                     writer compresses as the program runs)\n"
            "      --clock CLOCK  tsc or monotonic (default: tsc where the kernel itself\n"
            "                     uses it as its clock, else monotonic)\n"
            "  -q, --quiet        no summary at the end (the trace is not read back)\n"
            "  -h, --help         this help\n\n"
            "Then: 'allocscope trace info FILE' summarizes it, a workload\n"
            "'{name: x, trace: FILE}' replays it, 'allocscope trace fit FILE' fits a\n"
            "synthetic workload to it.\n\n"
            "exit status: PROG's (128+N when signal N ended it); 2 for a usage error,\n"
            "when PROG cannot be run, or when no readable trace was written.\n");
}

static int parse(int argc, char **argv, struct record_options *o)
{
    enum { OPT_CLOCK = 256 };
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},   {"level", required_argument, NULL, 'l'},
        {"clock", required_argument, NULL, OPT_CLOCK}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    optind = 0;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "+o:l:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case 'l': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 19) {
                fprintf(stderr, "allocscope record: --level must be 1 to 19, got '%s'\n", optarg);
                return -1;
            }
            o->level = optarg;
            break;
        }
        case OPT_CLOCK:
            if (strcmp(optarg, "tsc") != 0 && strcmp(optarg, "monotonic") != 0) {
                fprintf(stderr, "allocscope record: --clock is tsc or monotonic, got '%s'\n",
                        optarg);
                return -1;
            }
            o->clock = optarg;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "allocscope record: no program given (allocscope record -- PROG ...)\n\n");
        usage(stderr);
        return -1;
    }
    return 0;
}

/* The recorder library: $ALLOCSCOPE_RECORDER, else ../lib next to this
 * executable (the build tree's layout). */
static int recorder_path(char *out, size_t len)
{
    const char *env = getenv("ALLOCSCOPE_RECORDER");
    if (env && env[0]) {
        snprintf(out, len, "%s", env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n < 0)
            return -1;
        exe[n] = '\0';
        snprintf(out, len, "%s/../lib/liballocscope_record.so", dirname(exe));
    }
    return access(out, R_OK);
}

/* PROG as execvp would find it. */
static bool runnable(const char *prog)
{
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    char dir[PATH_MAX + 256];
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(dir, sizeof dir, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", prog);
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISREG(st.st_mode) && access(dir, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

/* The trace file: -o as given (truncated), else PROG.trace.zst or the
 * first free PROG-N.trace.zst. */
static int open_trace(const struct record_options *o, const char *prog, char *path, size_t len)
{
    if (o->out) {
        snprintf(path, len, "%s", o->out);
        return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    }
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", prog);
    const char *base = basename(copy);
    for (int i = 1; i < 1000; i++) {
        if (i == 1)
            snprintf(path, len, "%s.trace.zst", base);
        else
            snprintf(path, len, "%s-%d.trace.zst", base, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

static _Noreturn void exec_child(char **argv, int fd, const char *recorder,
                                 const struct record_options *o)
{
    char buf[64];
    fcntl(fd, F_SETFD, 0); /* inherited by PROG */
    snprintf(buf, sizeof buf, "%d", fd);
    setenv("ALLOCSCOPE_RECORD_FD", buf, 1);
    snprintf(buf, sizeof buf, "%ld", (long)getpid());
    setenv("ALLOCSCOPE_RECORD_PID", buf, 1);
    if (o->level)
        setenv("ALLOCSCOPE_RECORD_LEVEL", o->level, 1);
    if (o->clock)
        setenv("ALLOCSCOPE_RECORD_CLOCK", o->clock, 1);
    /* The recorder first: it forwards to whatever comes after it. */
    const char *old = getenv("LD_PRELOAD");
    size_t n = strlen(recorder) + (old ? strlen(old) : 0) + 2;
    char *preload = malloc(n);
    if (preload) {
        snprintf(preload, n, "%s%s%s", recorder, old && old[0] ? ":" : "", old ? old : "");
        setenv("LD_PRELOAD", preload, 1);
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    execvp(argv[0], argv);
    fprintf(stderr, "allocscope record: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static void summary(const char *path, const struct trace_facts *f, long maxrss_kib)
{
    const struct trace_status *s = &f->status;
    fprintf(stderr, "allocscope record: %s: %llu events from %llu thread%s, %llu bytes",
            path, (unsigned long long)s->raw_events, (unsigned long long)s->threads,
            s->threads == 1 ? "" : "s", (unsigned long long)s->file_bytes);
    if (s->raw_events)
        fprintf(stderr, " (%.2f bytes/event)", (double)s->file_bytes / (double)s->raw_events);
    fprintf(stderr, ", ended: %s", trace_end_name(s->end));
    if (s->end == TRACE_END_CUT)
        fprintf(stderr, " (%s; replayable up to its last complete event)", s->cut_reason);
    fprintf(stderr, "; the program's peak RSS %.1f MiB\n", (double)maxrss_kib / 1024.0);
}

int cmd_record(int argc, char **argv)
{
    struct record_options o = {0};
    if (parse(argc, argv, &o) < 0)
        return EXIT_USAGE;
    char **prog = argv + optind;
    char recorder[PATH_MAX + 64], path[PATH_MAX];
    if (recorder_path(recorder, sizeof recorder) != 0) {
        fprintf(stderr, "allocscope record: the recorder %s is missing (build the project, or "
                        "set ALLOCSCOPE_RECORDER)\n", recorder);
        return EXIT_USAGE;
    }
    if (!runnable(prog[0])) {
        fprintf(stderr, "allocscope record: %s: no such program\n", prog[0]);
        return EXIT_USAGE;
    }
    int fd = open_trace(&o, prog[0], path, sizeof path);
    if (fd < 0) {
        fprintf(stderr, "allocscope record: cannot create %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    /* While PROG runs it owns the terminal's interrupts; we report after. */
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old_int, old_quit;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_child(prog, fd, recorder, &o);
    close(fd);
    int status = 0;
    struct rusage ru = {0};
    if (pid < 0) {
        fprintf(stderr, "allocscope record: fork: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (WIFSIGNALED(status))
        fprintf(stderr, "allocscope record: %s was killed by signal %d\n", prog[0],
                WTERMSIG(status));

    struct stat st;
    if (stat(path, &st) == 0 && st.st_size == 0) {
        fprintf(stderr, "allocscope record: %s wrote no trace (is it statically linked or "
                        "setuid, so that the recorder could not be preloaded?)\n", prog[0]);
        return EXIT_USAGE;
    }
    if (o.quiet)
        return rc;
    struct trace_facts f;
    char err[1200];
    if (trace_scan(path, &f, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    summary(path, &f, ru.ru_maxrss);
    trace_facts_free(&f);
    return rc;
}
