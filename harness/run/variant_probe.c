/* variant_probe.c - starting a variant once to hear its complaints
 * (variant_probe.h). */
#define _GNU_SOURCE
#include "variant_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_env.h"

static const char *const probe_names[] = {"none", "glibc", "mallctl", "int_function",
                                          "string_function"};

static int sets(const struct allocator_entry *a, const char *prefix)
{
    for (size_t i = 0; i < a->env_count; i++)
        if (strncmp(a->env[i].name, prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

/* Run the probe; its stderr into out. Returns the exit status, or -1. */
static int run_probe(const struct allocator_entry *a, const char *worker, char *out,
                     size_t outlen)
{
    const char *extra[2] = {NULL, NULL};
    if (sets(a, "MIMALLOC_") && !sets(a, "MIMALLOC_SHOW_ERRORS") && !sets(a, "MIMALLOC_VERBOSE"))
        extra[0] = "MIMALLOC_SHOW_ERRORS=1";
    char **env = child_env_build(a, extra);
    int fds[2];
    out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) < 0) {
        child_env_free(env);
        return -1;
    }
    char *argv[] = {(char *)worker, "--probe", (char *)a->expect_path,
                    (char *)probe_names[a->version_probe],
                    a->version_symbol ? a->version_symbol : "", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        dup2(fds[1], STDERR_FILENO);
        execve(worker, argv, env);
        _exit(127);
    }
    child_env_free(env);
    close(fds[1]);
    size_t used = 0;
    for (;;) {
        char buf[512];
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t take = (size_t)n < outlen - 1 - used ? (size_t)n : outlen - 1 - used;
        memcpy(out + used, buf, take);
        used += take;
    }
    out[used] = '\0';
    close(fds[0]);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    /* One line of it is enough for a message. */
    for (char *p = out; *p; p++)
        if (*p == '\n')
            *p = *(p + 1) ? ' ' : '\0';
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void where(const struct allocator_entry *a, const struct env_setting *s, char *buf,
                  size_t len)
{
    if (s->pos.file)
        snprintf(buf, len, "%s:%u:%u", s->pos.file, s->pos.line, s->pos.col);
    else
        snprintf(buf, len, "--env %s:%s=%s", a->name, s->name, s->value);
}

int variant_probe(const struct allocator_entry *a, const char *worker, char *err,
                  size_t errlen)
{
    char said[1024];
    int rc = run_probe(a, worker, said, sizeof said);
    if (rc == 0 && !said[0])
        return 0;
    if (a->env_count == 0) {
        snprintf(err, errlen, "allocator %s does not start (exit %d): %.400s", a->name, rc,
                 said[0] ? said : "no message");
        return -1;
    }
    /* Which setting? Each alone, in order; else the first. */
    size_t culprit = 0;
    for (size_t i = 0; i < a->env_count && a->env_count > 1; i++) {
        struct allocator_entry one = *a;
        one.env = &a->env[i];
        one.env_count = 1;
        char alone[1024];
        if (run_probe(&one, worker, alone, sizeof alone) != 0 || alone[0]) {
            culprit = i;
            break;
        }
    }
    char pos[600];
    where(a, &a->env[culprit], pos, sizeof pos);
    if (rc != 0)
        snprintf(err, errlen, "%s: allocator %s does not start with %s=%s (exit %d): %.400s",
                 pos, a->name, a->env[culprit].name, a->env[culprit].value, rc,
                 said[0] ? said : "no message");
    else
        snprintf(err, errlen, "%s: allocator %s rejects %s=%s: %.400s", pos, a->name,
                 a->env[culprit].name, a->env[culprit].value, said);
    return -1;
}
