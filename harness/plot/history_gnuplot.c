/* history_gnuplot.c - run gnuplot on a script file as a program (fork and
 * execv, no shell), so no text from the results reaches a shell. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history.h"

int history_run_gnuplot(const char *gnuplot, const char *script, char *err, size_t errlen)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        char *const argv[] = {(char *)"gnuplot", (char *)script, NULL};
        execv(gnuplot, argv);
        fprintf(stderr, "allocscope: cannot run %s: %s\n", gnuplot, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        snprintf(err, errlen, "%s %s exited with status %d", gnuplot, script,
                 WEXITSTATUS(status));
    else
        snprintf(err, errlen, "%s %s was killed by signal %d", gnuplot, script,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return -1;
}
