/* program_env.c - command lines and environments of measured programs
 * (see program.h), and facts about the executable. */
#define _GNU_SOURCE
#include "program.h"

#include <arpa/inet.h>
#include <elf.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "registry.h"
#include "xalloc.h"

extern char **environ;

/* LD_PRELOAD's value is padded with spaces (a separator ld.so skips) to
 * this many bytes, so the environment block is the same size whichever
 * allocator is preloaded. */
#define PRELOAD_PADDED_LEN 1024

struct buf {
    char *s;
    size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

char *program_expand(const char *text, const struct program_vars *v)
{
    struct buf b = {0};
    put(&b, "", 0);
    for (const char *p = text; *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            put(&b, p, 1);
            p++;
            continue;
        }
        size_t len = p[0] == '{' ? spec_placeholder_len(p + 1) : 0;
        if (!len) {
            put(&b, p, 1);
            continue;
        }
        char port[16];
        snprintf(port, sizeof port, "%u", v->port);
        const char *value = NULL;
        if (len == 3 && strncmp(p + 1, "tmp", 3) == 0)
            value = v->tmp;
        else if (len == 4 && strncmp(p + 1, "port", 4) == 0)
            value = port;
        else if (len == 3 && strncmp(p + 1, "dir", 3) == 0)
            value = v->dir;
        if (value) {
            put(&b, value, strlen(value));
            p += len + 1;
        } else {
            put(&b, p, 1); /* the loader rejects unknown names; keep text as is */
        }
    }
    return b.s;
}

char **program_argv(const struct program_command *cmd, const struct program_vars *v)
{
    char **argv = xcalloc(cmd->argc + 1, sizeof *argv);
    argv[0] = xstrdup(cmd->argv[0]);
    for (size_t i = 1; i < cmd->argc; i++)
        argv[i] = program_expand(cmd->argv[i], v);
    return argv;
}

void program_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

/* Whether "NAME=..." names the variable `name`. */
static bool variant_names(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static bool same_name(const char *entry, const char *name_eq)
{
    size_t n = strcspn(name_eq, "=") + 1;
    return strncmp(entry, name_eq, n) == 0;
}

char **program_env(const struct program_spec *p, const struct program_vars *v,
                   const struct allocator_entry *alloc, const char *probe_path,
                   const char *probe_var)
{
    size_t n = 0;
    while (environ[n])
        n++;
    const char *preload = alloc ? alloc->preload_path : NULL;
    size_t nvariant = alloc ? alloc->env_count : 0;
    char **env = xcalloc(n + p->env_count + nvariant + 3, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "LD_PRELOAD=", 11) == 0 ||
            strncmp(environ[i], PROBE_ENV "=", sizeof PROBE_ENV) == 0)
            continue;
        bool overridden = false;
        for (size_t j = 0; j < p->env_count; j++)
            overridden |= same_name(environ[i], p->env[j]);
        for (size_t j = 0; j < nvariant; j++)
            overridden |= variant_names(environ[i], alloc->env[j].name);
        if (!overridden)
            env[k++] = xstrdup(environ[i]);
    }
    for (size_t j = 0; j < p->env_count; j++) {
        bool by_variant = false; /* the allocator variant's setting wins */
        for (size_t m = 0; m < nvariant; m++)
            by_variant |= variant_names(p->env[j], alloc->env[m].name);
        if (!by_variant)
            env[k++] = program_expand(p->env[j], v);
    }
    for (size_t j = 0; j < nvariant; j++) {
        struct buf b = {0};
        put(&b, alloc->env[j].name, strlen(alloc->env[j].name));
        put(&b, "=", 1);
        put(&b, alloc->env[j].value, strlen(alloc->env[j].value));
        env[k++] = b.s;
    }
    if (probe_var) {
        struct buf b = {0};
        put(&b, "LD_PRELOAD=", 11);
        if (preload && preload[0]) {
            put(&b, preload, strlen(preload));
            put(&b, " ", 1);
        }
        put(&b, probe_path, strlen(probe_path));
        while (b.n < 11 + PRELOAD_PADDED_LEN)
            put(&b, " ", 1);
        env[k++] = b.s;
        env[k++] = xstrdup(probe_var);
    }
    env[k] = NULL;
    return env;
}

void program_env_free(char **env)
{
    for (size_t i = 0; env && env[i]; i++)
        free(env[i]);
    free(env);
}

unsigned program_free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(s);
    return port;
}

const char *program_elf_linkage(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    Elf64_Ehdr eh;
    const char *kind = NULL;
    if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh &&
        memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
        kind = "static";
        for (unsigned i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * (uint64_t)eh.e_phentsize)) !=
                (ssize_t)sizeof ph)
                break;
            if (ph.p_type == PT_INTERP) {
                kind = "dynamic";
                break;
            }
        }
    }
    close(fd);
    return kind;
}
