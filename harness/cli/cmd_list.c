/* cmd_list.c - `allocscope list`: the registered allocators (available or
 * why not, library, version) and the shipped workloads. Availability is
 * checked for real: a probe worker is started with the allocator preloaded
 * and must find malloc served by the expected library. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child_env.h"
#include "child_output.h"
#include "commands.h"
#include "paths.h"
#include "registry.h"
#include "runner.h"
#include "spec.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: allocscope list [--registry FILE]\n\n"
                 "List the allocators of the registry (available or why not, library,\n"
                 "version) and the shipped workloads.\n");
}

#define PROBE_TIMEOUT_S 30.0

/* Start the worker in --probe mode with the allocator preloaded (fork/exec
 * with an argument vector: registry values are never read by a shell); its
 * output is "SERVED_BY<TAB>VERSION", or an error line. Returns 0 when the
 * allocator serves malloc, else -1 with why in `line`. */
static int probe_allocator(const struct allocator_entry *a, const char *worker, char *line,
                           size_t linelen)
{
    static const char *const probes[] = {"none", "glibc", "mallctl", "int_function",
                                         "string_function"};
    char **env = child_env_build(a, NULL); /* with a variant's settings */
    char *const argv[] = {(char *)"allocscope-worker", (char *)"--probe", (char *)a->expect_path,
                          (char *)probes[a->version_probe],
                          a->version_symbol ? a->version_symbol : (char *)"", NULL};
    struct child_result res;
    int rc = child_output(worker, argv, env, true, PROBE_TIMEOUT_S, line, linelen, &res);
    child_env_free(env);
    if (rc != 0) {
        snprintf(line, linelen, "cannot start the probe worker: %s", strerror(errno));
        return -1;
    }
    if (res.exit_status == 0 && !res.signal && !res.timed_out)
        return 0;
    /* A probe that failed without a word still says how it ended. */
    char how[96];
    child_result_describe(&res, PROBE_TIMEOUT_S, how, sizeof how);
    if (!line[0])
        snprintf(line, linelen, "the probe worker printed nothing (%s)", how);
    else if (res.signal || res.timed_out) {
        size_t used = strlen(line);
        snprintf(line + used, linelen - used, " (%s)", how);
    }
    return -1;
}

static void list_allocators(struct allocator_registry *reg)
{
    char worker[PATH_MAX];
    int have_worker = runner_worker_path(worker, sizeof worker) == 0;
    printf("allocators (%s):\n", reg->file);
    for (size_t i = 0; i < reg->count; i++) {
        const struct allocator_entry *a = &reg->entries[i];
        printf("  %-10s ", a->name);
        if (!a->available) {
            printf("unavailable: %s\n", a->unavailable_reason);
            continue;
        }
        char line[1024] = "";
        int rc = have_worker ? probe_allocator(a, worker, line, sizeof line) : -1;
        if (rc != 0) {
            printf("unavailable: %s\n", have_worker ? line : "allocscope-worker not built");
            continue;
        }
        char *tab = strchr(line, '\t');
        const char *version = tab ? tab + 1 : "";
        printf("available   %s", a->preload_path[0] ? a->preload_path : "(no preload)");
        if (version[0])
            printf("  version %s", version);
        if (a->package_version[0])
            printf("  (%s %s)", a->package, a->package_version);
        printf("\n");
        if (a->description)
            printf("  %-10s %s\n", "", a->description);
        for (size_t k = 0; k < a->env_count; k++) /* a variant's settings */
            printf("  %-10s env %s=%s\n", "", a->env[k].name, a->env[k].value);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_workloads(void)
{
    char dir[PATH_MAX];
    allocscope_data_path("workloads", dir, sizeof dir);
    DIR *d = opendir(dir);
    printf("\nshipped workloads (%s):\n", dir);
    if (!d) {
        printf("  (cannot open)\n");
        return;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct suite_spec s;
        struct spec_error err;
        if (spec_load_file(path, &s, &err) < 0) {
            printf("  %-24s invalid: %s\n", names[i], err.message);
        } else {
            /* A workload file loads as a suite named after its workload. */
            if (s.workload_count == 1 && strcmp(s.name, s.workloads[0].name) == 0) {
                const struct workload_spec *w = &s.workloads[0];
                printf("  %-24s %s\n", w->name, w->description ? w->description : "");
            } else {
                printf("  %-24s suite '%s' of %zu workload%s (%s)\n", s.name, s.name,
                       s.workload_count, s.workload_count == 1 ? "" : "s", names[i]);
            }
            spec_free(&s);
        }
        free(names[i]);
    }
}

int cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"registry", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char registry_path[PATH_MAX];
    allocscope_data_path("allocators/registry.yaml", registry_path, sizeof registry_path);
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'R') {
            snprintf(registry_path, sizeof registry_path, "%s", optarg);
        } else if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        } else {
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    struct allocator_registry reg;
    struct spec_error err;
    if (registry_load(registry_path, &reg, &err) < 0) {
        fprintf(stderr, "%s\n", err.message);
        return EXIT_USAGE;
    }
    registry_resolve(&reg);
    list_allocators(&reg);
    list_workloads();
    registry_free(&reg);
    return EXIT_OK;
}
