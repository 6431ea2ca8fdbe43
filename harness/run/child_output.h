/* child_output.h - run a program with an argument vector (fork/exec, no
 * shell) and keep the first line it prints. Used to probe allocators
 * (`allocscope list`) and to ask dpkg-query for package versions: nothing
 * from the registry or the command line is ever interpreted by a shell. */
#ifndef ALLOCSCOPE_CHILD_OUTPUT_H
#define ALLOCSCOPE_CHILD_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

struct child_result {
    int exit_status; /* when exited */
    int signal;      /* when killed by a signal (0 otherwise) */
    bool timed_out;  /* killed after timeout_s */
    bool started;    /* false: the program could not be executed */
};

/* Run `path` (searched in PATH when it has no '/') with argv and envp
 * (NULL = this process's environment); stdin is /dev/null; stdout (and
 * stderr when with_stderr) go to a pipe whose first line lands in `line`
 * (without its newline). The program and everything it starts share a
 * new process group, killed after timeout_s. Returns 0 when the program
 * ran (see *res), -1 when it could not be started (errno). */
int child_output(const char *path, char *const argv[], char *const envp[], bool with_stderr,
                 double timeout_s, char *line, size_t linelen, struct child_result *res);

/* A short description of how the program ended: "exit status 3",
 * "killed by SIGSEGV", "did not finish within 30 s". */
void child_result_describe(const struct child_result *res, double timeout_s, char *out,
                           size_t outlen);

/* The last non-empty line of the log file at `path` (a child's stderr),
 * cut to outlen - 1 bytes; "" when there is none or the file cannot be
 * read. For failure reasons: what the child said last. */
void child_log_tail(const char *path, char *out, size_t outlen);

#endif
