/* variants.c - choosing a run's allocators on the command line
 * (variants.h). */
#define _GNU_SOURCE
#include "variants.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int failf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int variants_split(const char *list, char ***tokens, char *err, size_t errlen)
{
    size_t n = 0;
    *tokens = NULL;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            variants_free_tokens(*tokens, n);
            *tokens = NULL;
            return failf(err, errlen, "empty allocator name in '%s'", list);
        }
        *tokens = xrealloc(*tokens, (n + 1) * sizeof **tokens);
        (*tokens)[n++] = strndup(p, len);
        xalloc_check((*tokens)[n - 1]);
        p += len;
        if (!*p)
            break;
        p++;
    }
    return (int)n;
}

void variants_free_tokens(char **tokens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(tokens[i]);
    free(tokens);
}

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && n < SPEC_MAX_NAME &&
           strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static size_t entry_index(const struct allocator_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(reg->entries[i].name, name) == 0)
            return i;
    return (size_t)-1;
}

/* Append an entry to the registry; returns its index. */
static size_t append(struct allocator_registry *reg, const struct allocator_entry *e)
{
    reg->entries = xrealloc(reg->entries, (reg->count + 1) * sizeof *reg->entries);
    reg->entries[reg->count] = *e;
    return reg->count++;
}

/* A deep copy of registry entry `from` under a new name. */
static struct allocator_entry copy_entry(const struct allocator_entry *from, const char *name,
                                         const char *token)
{
    struct allocator_entry e = *from;
    e.name = xstrdup(name);
    e.description = xstrdup(from->description);
    e.library = xstrdup(from->library);
    e.serves_from = xstrdup(from->serves_from);
    e.package = xstrdup(from->package);
    e.version_symbol = xstrdup(from->version_symbol);
    e.env = xcalloc(from->env_count, sizeof *e.env);
    for (size_t i = 0; i < from->env_count; i++) {
        e.env[i] = from->env[i];
        e.env[i].name = xstrdup(from->env[i].name);
        e.env[i].value = xstrdup(from->env[i].value);
    }
    if (asprintf(&e.defined_by, "-a %s (a copy of registry entry '%s')", token, from->name) < 0)
        e.defined_by = NULL;
    return e;
}

/* An entry for a library given by path. */
static struct allocator_entry path_entry(const char *name, const char *path, const char *token)
{
    struct allocator_entry e = {0};
    e.name = xstrdup(name);
    e.library = xstrdup(path);
    if (asprintf(&e.description, "%s (given on the command line)", path) < 0)
        e.description = NULL;
    if (asprintf(&e.defined_by, "-a %s", token) < 0)
        e.defined_by = NULL;
    return e;
}

/* One -a token into reg; returns the entry's index or (size_t)-1. */
static size_t choose_one(struct allocator_registry *reg, const char *token, size_t registry_count,
                         char *err, size_t errlen)
{
    const char *eq = strchr(token, '=');
    if (!eq) {
        if (!valid_name(token)) {
            failf(err, errlen, "-a: invalid allocator name '%.80s': use 1 to %d characters "
                               "from [a-z0-9_-]", token, SPEC_MAX_NAME - 1);
            return (size_t)-1;
        }
        size_t i = entry_index(reg, token);
        if (i == (size_t)-1 || i >= registry_count) {
            size_t used = (size_t)snprintf(err, errlen, "unknown allocator '%s' (known:", token);
            for (size_t k = 0; k < registry_count && used < errlen; k++)
                used += (size_t)snprintf(err + used, errlen - used, " %s", reg->entries[k].name);
            if (used < errlen)
                snprintf(err + used, errlen - used,
                         "; or NAME=PATH for a library, NAME=ENTRY for a copy of one)");
            return (size_t)-1;
        }
        return i;
    }
    char name[SPEC_MAX_NAME + 1];
    size_t nlen = (size_t)(eq - token);
    snprintf(name, sizeof name, "%.*s", (int)(nlen < SPEC_MAX_NAME ? nlen : SPEC_MAX_NAME),
             token);
    const char *target = eq + 1;
    if (nlen >= SPEC_MAX_NAME || !valid_name(name)) {
        failf(err, errlen, "-a %s: invalid name '%.*s': use 1 to %d characters from [a-z0-9_-]",
              token, (int)nlen, token, SPEC_MAX_NAME - 1);
        return (size_t)-1;
    }
    size_t existing = entry_index(reg, name);
    if (existing != (size_t)-1 && existing < registry_count) {
        failf(err, errlen, "-a %s: '%s' is a registry allocator's name; give this one another",
              token, name);
        return (size_t)-1;
    }
    if (!target[0]) {
        failf(err, errlen, "-a %s: nothing after '='; give a library path or a registry name",
              token);
        return (size_t)-1;
    }
    struct allocator_entry e;
    if (strchr(target, '/')) {
        e = path_entry(name, target, token);
    } else {
        size_t from = entry_index(reg, target);
        if (from == (size_t)-1 || from >= registry_count) {
            failf(err, errlen, "-a %s: '%s' is neither a registry allocator nor a path (a path "
                               "holds a '/': ./%s)", token, target, target);
            return (size_t)-1;
        }
        e = copy_entry(&reg->entries[from], name, token);
    }
    return append(reg, &e);
}

/* --env VARIANT:NAME=VALUE onto the chosen entry. */
static int apply_env(struct allocator_registry *reg, const size_t *chosen, size_t nchosen,
                     const char *spec, char *err, size_t errlen)
{
    const char *colon = strchr(spec, ':');
    const char *eq = colon ? strchr(colon + 1, '=') : NULL;
    if (!colon || !eq)
        return failf(err, errlen, "--env '%s': expected VARIANT:NAME=VALUE", spec);
    struct allocator_entry *e = NULL;
    for (size_t i = 0; i < nchosen; i++) {
        const char *n = reg->entries[chosen[i]].name;
        if (strlen(n) == (size_t)(colon - spec) && strncmp(n, spec, strlen(n)) == 0)
            e = &reg->entries[chosen[i]];
    }
    if (!e) {
        size_t used = (size_t)snprintf(err, errlen, "--env '%s': '%.*s' is not an allocator of "
                                       "this run (", spec, (int)(colon - spec), spec);
        for (size_t i = 0; i < nchosen && used < errlen; i++)
            used += (size_t)snprintf(err + used, errlen - used, "%s%s", i ? ", " : "",
                                     reg->entries[chosen[i]].name);
        if (used < errlen)
            snprintf(err + used, errlen - used, ")");
        return -1;
    }
    char *name = strndup(colon + 1, (size_t)(eq - colon - 1));
    char msg[512];
    xalloc_check(name);
    if (alloc_env_check(name, eq + 1, msg, sizeof msg) != 0) {
        failf(err, errlen, "--env '%s': %s", spec, msg);
        free(name);
        return -1;
    }
    for (size_t i = 0; i < e->env_count; i++)
        if (strcmp(e->env[i].name, name) == 0) { /* the command line wins */
            free(e->env[i].value);
            free(name);
            e->env[i].value = xstrdup(eq + 1);
            e->env[i].pos = (struct source_pos){0};
            return 0;
        }
    if (e->env_count >= ALLOC_ENV_MAX_SETTINGS) {
        free(name);
        return failf(err, errlen, "--env '%s': more than %d settings for %s", spec,
                     ALLOC_ENV_MAX_SETTINGS, e->name);
    }
    e->env = xrealloc(e->env, (e->env_count + 1) * sizeof *e->env);
    e->env[e->env_count++] = (struct env_setting){.name = name, .value = xstrdup(eq + 1)};
    return 0;
}

int variants_choose(struct allocator_registry *reg, char *const *tokens, size_t ntokens,
                    char *const *env_specs, size_t nenv, size_t **indices, size_t *count,
                    char *err, size_t errlen)
{
    const size_t registry_count = reg->count;
    size_t *chosen = xcalloc(ntokens, sizeof *chosen);
    size_t n = 0;
    *indices = NULL;
    *count = 0;
    if (ntokens == 0) {
        free(chosen);
        return failf(err, errlen, "no allocators given");
    }
    for (size_t t = 0; t < ntokens; t++) {
        size_t i = choose_one(reg, tokens[t], registry_count, err, errlen);
        if (i == (size_t)-1) {
            free(chosen);
            return -1;
        }
        for (size_t k = 0; k < n; k++)
            if (strcmp(reg->entries[chosen[k]].name, reg->entries[i].name) == 0) {
                free(chosen);
                return failf(err, errlen, "allocator '%s' is given twice (give each "
                                          "allocator once; NAME=ENTRY makes a second one)",
                             reg->entries[i].name);
            }
        chosen[n++] = i;
    }
    for (size_t k = 0; k < nenv; k++)
        if (apply_env(reg, chosen, n, env_specs[k], err, errlen) != 0) {
            free(chosen);
            return -1;
        }
    *indices = chosen;
    *count = n;
    return 0;
}
