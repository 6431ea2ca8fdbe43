/* alloc_env.c - checking a variant's environment settings (alloc_env.h). */
#define _GNU_SOURCE
#include "alloc_env.h"

#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xalloc.h"
#include "yaml_value.h"

/* ---- glibc tunables, as this machine's dynamic loader lists them --------- */

struct tunable {
    char *name;
    bool numeric;          /* has a (min, max) range; else a string tunable */
    unsigned long long min, max;
};

static struct tunable *tunables;
static size_t tunable_count;
static int tunables_state; /* 0 not loaded, 1 loaded, -1 unavailable */

/* The program interpreter of this executable (PT_INTERP): the dynamic
 * loader that also starts every worker. */
static int find_interp(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_INTERP) {
            snprintf(data, 4096, "%s",
                     (const char *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr));
            return 1;
        }
    return 1; /* the first object is the program itself: stop there */
}

/* "glibc.malloc.arena_max: 0x0 (min: 0x1, max: 0xffffffffffffffff)" or
 * "glibc.cpu.hwcaps:" (a string tunable). */
static void parse_tunable_line(char *line)
{
    char *colon = strstr(line, ":");
    if (!colon || strncmp(line, "glibc.", 6) != 0)
        return;
    *colon = '\0';
    struct tunable t = {.name = xstrdup(line)};
    const char *range = strstr(colon + 1, "(min: ");
    if (range) {
        char *end;
        t.min = strtoull(range + 6, &end, 0);
        const char *max = strstr(end, "max: ");
        if (max) {
            t.max = strtoull(max + 5, NULL, 0);
            t.numeric = true;
        }
    }
    tunables = xrealloc(tunables, (tunable_count + 1) * sizeof *tunables);
    tunables[tunable_count++] = t;
}

static void load_tunables(void)
{
    char interp[4096] = "";
    dl_iterate_phdr(find_interp, interp);
    tunables_state = -1;
    if (!interp[0])
        return;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        char *argv[] = {interp, "--list-tunables", NULL};
        execv(interp, argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = pid > 0 ? fdopen(fds[0], "r") : NULL;
    if (!f) {
        close(fds[0]);
        if (pid > 0)
            waitpid(pid, NULL, 0);
        return;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        parse_tunable_line(line);
    }
    fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    /* glibc before 2.33 has no --list-tunables: names are then only
     * checked for their form. */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && tunable_count > 0)
        tunables_state = 1;
}

static const struct tunable *find_tunable(const char *name)
{
    for (size_t i = 0; i < tunable_count; i++)
        if (strcmp(tunables[i].name, name) == 0)
            return &tunables[i];
    return NULL;
}

static const char *closest_tunable(const char *name)
{
    const char **names = xcalloc(tunable_count + 1, sizeof *names);
    for (size_t i = 0; i < tunable_count; i++)
        names[i] = tunables[i].name;
    const char *best = yclosest(name, names);
    free(names);
    return best;
}

/* A tunable's number as glibc reads it: decimal or 0x hexadecimal. */
static int parse_tunable_number(const char *s, unsigned long long *out)
{
    if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    *out = strtoull(s, &end, strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0 ? 16 : 10);
    return *end || errno ? -1 : 0;
}

/* GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.tcache_count=0 */
static int check_glibc_tunables(const char *value, char *msg, size_t len)
{
    if (tunables_state == 0)
        load_tunables();
    char *copy = xstrdup(value), *save = NULL;
    int rc = 0;
    if (!copy[0]) {
        snprintf(msg, len, "GLIBC_TUNABLES is empty");
        rc = -1;
    }
    for (char *item = strtok_r(copy, ":", &save); item && rc == 0;
         item = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item) {
            snprintf(msg, len, "GLIBC_TUNABLES: '%.200s' is not name=value", item);
            rc = -1;
            break;
        }
        *eq = '\0';
        const char *v = eq + 1;
        if (tunables_state < 0) { /* no list here: the syntax is all we can check */
            if (strncmp(item, "glibc.", 6) != 0) {
                snprintf(msg, len, "GLIBC_TUNABLES: '%.200s' is not a glibc tunable name",
                         item);
                rc = -1;
            }
            continue;
        }
        const struct tunable *t = find_tunable(item);
        if (!t) {
            const char *near = closest_tunable(item);
            snprintf(msg, len, "GLIBC_TUNABLES: unknown tunable '%.200s'%s%s%s", item,
                     near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
            rc = -1;
            break;
        }
        unsigned long long n;
        if (t->numeric && parse_tunable_number(v, &n) != 0) {
            snprintf(msg, len, "GLIBC_TUNABLES: %s must be a number (decimal or 0x...), got "
                               "'%.100s'", item, v);
            rc = -1;
        } else if (t->numeric && (n < t->min || n > t->max)) {
            snprintf(msg, len, "GLIBC_TUNABLES: %s must be in %llu..%llu, got %.100s", item,
                     t->min, t->max, v);
            rc = -1;
        } else if (!t->numeric && !v[0]) {
            snprintf(msg, len, "GLIBC_TUNABLES: %s has no value", item);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

/* ---- jemalloc's conf string --------------------------------------------- */

/* MALLOC_CONF=narenas:1,background_thread:true (jemalloc's syntax). */
static int check_malloc_conf(const char *name, const char *value, char *msg, size_t len)
{
    const char *p = value;
    if (!*p) {
        snprintf(msg, len, "%s is empty", name);
        return -1;
    }
    while (*p) {
        size_t k = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
        if (k == 0 || p[k] != ':') {
            snprintf(msg, len, "%s: expected key:value at '%.100s' (keys are letters, digits "
                               "and _)", name, p);
            return -1;
        }
        const char *v = p + k + 1;
        size_t vlen = strcspn(v, ",");
        if (vlen == 0) {
            snprintf(msg, len, "%s: '%.*s' has no value", name, (int)k, p);
            return -1;
        }
        p = v + vlen;
        if (*p == ',' && !*++p) {
            snprintf(msg, len, "%s ends with a comma", name);
            return -1;
        }
    }
    return 0;
}

/* ---- any setting --------------------------------------------------------- */

int alloc_env_check_name(const char *name, char *msg, size_t msglen)
{
    size_t n = strlen(name);
    if (n == 0 || n > ALLOC_ENV_MAX_NAME || isdigit((unsigned char)name[0]) ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n) {
        snprintf(msg, msglen, "'%.200s' is not an environment variable name (letters, digits "
                              "and _, not starting with a digit, at most %d)", name,
                 ALLOC_ENV_MAX_NAME);
        return -1;
    }
    if (strcmp(name, "LD_PRELOAD") == 0) {
        snprintf(msg, msglen, "LD_PRELOAD is set by the allocator's 'library:' (a second "
                              "preload would change who serves malloc)");
        return -1;
    }
    return 0;
}

int alloc_env_check(const char *name, const char *value, char *msg, size_t msglen)
{
    if (alloc_env_check_name(name, msg, msglen) != 0)
        return -1;
    size_t vlen = strlen(value);
    if (vlen > ALLOC_ENV_MAX_VALUE) {
        snprintf(msg, msglen, "the value of %s is longer than %d bytes", name,
                 ALLOC_ENV_MAX_VALUE);
        return -1;
    }
    for (size_t i = 0; i < vlen; i++)
        if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
            snprintf(msg, msglen, "the value of %s holds a control character (byte %zu)", name,
                     i + 1);
            return -1;
        }
    if (strcmp(name, "GLIBC_TUNABLES") == 0)
        return check_glibc_tunables(value, msg, msglen);
    if (strcmp(name, "MALLOC_CONF") == 0 || strcmp(name, "JE_MALLOC_CONF") == 0 ||
        strcmp(name, "_RJEM_MALLOC_CONF") == 0)
        return check_malloc_conf(name, value, msg, msglen);
    return 0;
}

int alloc_env_relevant(const char *name)
{
    static const char *const prefixes[] = {"LD_", "MALLOC_", "GLIBC_TUNABLES", "MIMALLOC_",
                                           "JE_MALLOC_CONF", "_RJEM_MALLOC_CONF", "TCMALLOC_"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}
