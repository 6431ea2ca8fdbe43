/* child_env.c - a worker's environment (child_env.h). */
#define _GNU_SOURCE
#include "child_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

extern char **environ;

/* Whether "NAME=..." names the variable `name`. */
static int names(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static int set_by_variant(const struct allocator_entry *a, const char *entry)
{
    if (names(entry, "LD_PRELOAD"))
        return 1;
    for (size_t i = 0; i < a->env_count; i++)
        if (names(entry, a->env[i].name))
            return 1;
    return 0;
}

static char *join(const char *name, const char *value)
{
    size_t n = strlen(name), v = strlen(value);
    char *s = xcalloc(n + v + 2, 1);
    memcpy(s, name, n);
    s[n] = '=';
    memcpy(s + n + 1, value, v + 1);
    return s;
}

char **child_env_build(const struct allocator_entry *a, const char *const *extra)
{
    size_t n = 0, nextra = 0;
    while (environ[n])
        n++;
    while (extra && extra[nextra])
        nextra++;
    char **env = xcalloc(n + a->env_count + nextra + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!set_by_variant(a, environ[i]))
            env[k++] = xstrdup(environ[i]);
    if (a->preload_path[0])
        env[k++] = join("LD_PRELOAD", a->preload_path);
    for (size_t i = 0; i < a->env_count; i++)
        env[k++] = join(a->env[i].name, a->env[i].value);
    for (size_t i = 0; i < nextra; i++)
        env[k++] = xstrdup(extra[i]);
    return env;
}

void child_env_free(char **env)
{
    if (!env)
        return;
    for (size_t i = 0; env[i]; i++)
        free(env[i]);
    free(env);
}
