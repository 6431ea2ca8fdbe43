/* plot_gnuplot.c - gnuplot as a child process (see plot_gnuplot.h). */
#include "plot_gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef ALLOCSCOPE_GNUPLOT
#define ALLOCSCOPE_GNUPLOT ""
#endif

/* A running gnuplot: its pid and the unlinked file its stderr goes to. */
struct job {
    pid_t pid;
    FILE *errf;
    const char *script;
};

static int start(const char *script, struct job *job, char *err, size_t errlen)
{
    job->script = script;
    job->errf = tmpfile();
    if (!job->errf) {
        snprintf(err, errlen, "tmpfile: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fileno(job->errf), STDERR_FILENO);
    const char *built = ALLOCSCOPE_GNUPLOT;
    bool use_built = built[0] == '/' && access(built, X_OK) == 0;
    char *argv[] = {(char *)"gnuplot", (char *)script, NULL};
    int rc = use_built ? posix_spawn(&job->pid, built, &fa, NULL, argv, environ)
                       : posix_spawnp(&job->pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        snprintf(err, errlen, "cannot run gnuplot (%s): %s (apt-get install gnuplot-nox)",
                 use_built ? built : "from PATH", strerror(rc));
        fclose(job->errf);
        job->errf = NULL;
        return -1;
    }
    return 0;
}

/* The child's stderr, trimmed, into buf. */
static void read_stderr(FILE *errf, char *buf, size_t buflen)
{
    rewind(errf);
    size_t n = fread(buf, 1, buflen - 1, errf);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
}

/* Wait for the oldest running job (slot 0). Only our own pids are waited
 * for, so a caller's other children are left alone. */
static void reap_oldest(struct job *jobs, int *status)
{
    while (waitpid(jobs[0].pid, status, 0) < 0) {
        if (errno != EINTR) {
            *status = -1;
            return;
        }
    }
}

static char *message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *message(const char *fmt, ...)
{
    char buf[2300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *m = strdup(buf);
    if (!m)
        abort();
    return m;
}

size_t plot_gnuplot_run(char *const *paths, size_t n, bool quiet, char **failures)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t width = cpus > 1 ? (size_t)cpus : 1;
    if (width > 8)
        width = 8;
    struct job jobs[8];
    size_t index[8];
    size_t running = 0, next = 0, failed = 0;
    for (size_t i = 0; i < n; i++)
        failures[i] = NULL;
    while (next < n || running > 0) {
        while (next < n && running < width) {
            char err[512];
            if (start(paths[next], &jobs[running], err, sizeof err) < 0) {
                failures[next++] = message("%s", err);
                failed++;
                continue;
            }
            index[running++] = next++;
        }
        if (running == 0)
            break;
        int status;
        reap_oldest(jobs, &status);
        char msg[2048];
        read_stderr(jobs[0].errf, msg, sizeof msg);
        bool ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok) {
            failed++;
            if (status == -1)
                failures[index[0]] = message("waitpid: %s", strerror(errno));
            else if (WIFEXITED(status))
                failures[index[0]] = message("gnuplot exited %d: %s", WEXITSTATUS(status),
                                             msg[0] ? msg : "(no message)");
            else
                failures[index[0]] = message("gnuplot killed by signal %d: %s",
                                             WTERMSIG(status), msg);
        } else if (msg[0] && !quiet) {
            fprintf(stderr, "allocscope: gnuplot warning for %s:\n%s\n", jobs[0].script, msg);
        }
        fclose(jobs[0].errf);
        --running;
        memmove(&jobs[0], &jobs[1], running * sizeof jobs[0]);
        memmove(&index[0], &index[1], running * sizeof index[0]);
    }
    return failed;
}
