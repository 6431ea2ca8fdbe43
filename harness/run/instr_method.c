/* instr_method.c - choosing how to count instructions (instr_method.h). */
#define _GNU_SOURCE
#include "instr_method.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instr_count.h"
#include "samplers.h"

/* Whether perf counts instructions:u for this process here (0 or errno). */
static int perf_instructions_errno(void)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return errno;
    close((int)fd);
    return 0;
}

/* "valgrind-3.19.0" from `valgrind --version` (found on PATH, no shell);
 * -1 when valgrind cannot be run. */
static int valgrind_version(char *out, size_t len)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        char *argv[] = {"valgrind", "--version", NULL};
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    ssize_t n = pid > 0 ? read(fds[0], out, len - 1) : -1;
    close(fds[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    out[n] = '\0';
    out[strcspn(out, "\n")] = '\0';
    return 0;
}

static int choose_callgrind(enum instr_method *out, char *desc, size_t desclen, char *err,
                            size_t errlen, const char *why_not_perf)
{
    char version[128];
    if (!instr_callgrind_built()) {
        snprintf(err, errlen, "%s%sallocscope was built without <valgrind/callgrind.h> "
                              "(apt-get install valgrind, then rebuild)",
                 why_not_perf, why_not_perf[0] ? "; " : "");
        return -1;
    }
    if (valgrind_version(version, sizeof version) != 0) {
        snprintf(err, errlen, "%s%svalgrind cannot be run (apt-get install valgrind)",
                 why_not_perf, why_not_perf[0] ? "; " : "");
        return -1;
    }
    *out = INSTR_CALLGRIND;
    snprintf(desc, desclen, "callgrind (%s), instrumentation on around the measured loop only",
             version);
    return 0;
}

int instr_method_choose(const char *want, enum instr_method *out, char *desc, size_t desclen,
                        char *err, size_t errlen)
{
    if (strcmp(want, "callgrind") == 0)
        return choose_callgrind(out, desc, desclen, err, errlen, "");
    if (strcmp(want, "perf") != 0 && strcmp(want, "auto") != 0) {
        snprintf(err, errlen, "--instructions takes auto, perf or callgrind, not '%s'", want);
        return -1;
    }
    int e = perf_instructions_errno();
    if (e == 0) {
        *out = INSTR_PERF;
        snprintf(desc, desclen, "perf instructions:u (scaled for multiplexing)");
        return 0;
    }
    char why[256];
    snprintf(why, sizeof why, "perf cannot count instructions:u here: %s",
             perf_open_error_reason(e));
    if (strcmp(want, "perf") == 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    return choose_callgrind(out, desc, desclen, err, errlen, why);
}

void instr_callgrind_wrapper(struct callgrind_wrapper *w, const char *out_file)
{
    snprintf(w->out_arg, sizeof w->out_arg, "--callgrind-out-file=%s", out_file);
    size_t n = 0;
    w->argv[n++] = "valgrind";
    w->argv[n++] = "--tool=callgrind";
    w->argv[n++] = "--quiet";
    w->argv[n++] = "--instr-atstart=no"; /* the worker switches it on (instr_count.c) */
    w->argv[n++] = w->out_arg;
    w->argv[n] = NULL;
}

uint64_t instr_callgrind_total(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return METRIC_UNSUPPORTED;
    char line[512];
    uint64_t v = METRIC_UNSUPPORTED;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "summary:", 8) == 0 || strncmp(line, "totals:", 7) == 0) {
            char *end;
            unsigned long long n = strtoull(strchr(line, ':') + 1, &end, 10);
            if (end != strchr(line, ':') + 1)
                v = n;
        }
    fclose(f);
    return v;
}
