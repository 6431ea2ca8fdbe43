/* registry_resolve.c - finding each registered allocator's library on this
 * machine and deciding whether it can be measured (see registry.h). */
#define _GNU_SOURCE
#include "registry.h"

#include "child_output.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where the dynamic loader looks by default on Debian (multiarch first). */
static const char *const system_lib_dirs[] = {
    "/usr/local/lib", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib",
    "/usr/lib",
};

static int exe_dir(char *out, size_t outlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        return -1;
    exe[n] = '\0';
    snprintf(out, outlen, "%s", dirname(exe));
    return 0;
}

/* Resolve a library as written in the registry to a realpath: "{exe_dir}"
 * is expanded, a bare soname is searched in LD_LIBRARY_PATH and the system
 * directories. Returns 0 when found. */
static int resolve_library(const char *written, char *out)
{
    char candidate[PATH_MAX];
    if (strncmp(written, "{exe_dir}", 9) == 0) {
        char dir[PATH_MAX];
        if (exe_dir(dir, sizeof dir) < 0)
            return -1;
        snprintf(candidate, sizeof candidate, "%s%s", dir, written + 9);
        return realpath(candidate, out) ? 0 : -1;
    }
    if (strchr(written, '/'))
        return realpath(written, out) ? 0 : -1;

    const char *llp = getenv("LD_LIBRARY_PATH");
    if (llp) {
        char *copy = strdup(llp), *save = NULL;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            snprintf(candidate, sizeof candidate, "%s/%s", d, written);
            if (realpath(candidate, out)) {
                free(copy);
                return 0;
            }
        }
        free(copy);
    }
    for (size_t i = 0; i < sizeof system_lib_dirs / sizeof system_lib_dirs[0]; i++) {
        snprintf(candidate, sizeof candidate, "%s/%s", system_lib_dirs[i], written);
        if (realpath(candidate, out))
            return 0;
    }
    return -1;
}

/* Debian package version via dpkg-query (argv, no shell); "" when unknown.
 * The name was checked to be a package name when the registry was read. */
static void package_version(const char *package, char *out, size_t outlen)
{
    out[0] = '\0';
    if (!package)
        return;
    char *const argv[] = {(char *)"dpkg-query", (char *)"-W", (char *)"-f=${Version}",
                          (char *)"--", (char *)package, NULL};
    struct child_result res;
    if (child_output("dpkg-query", argv, NULL, false, 30, out, outlen, &res) != 0 ||
        res.exit_status != 0 || res.signal || res.timed_out)
        out[0] = '\0';
}

static void resolve_entry(struct allocator_entry *e)
{
    e->available = false;
    e->preload_path[0] = '\0';
    package_version(e->package, e->package_version, sizeof e->package_version);

    const char *hint_pkg = e->package ? e->package : NULL;
    if (e->library) {
        if (resolve_library(e->library, e->preload_path) < 0) {
            if (hint_pkg)
                snprintf(e->unavailable_reason, sizeof e->unavailable_reason,
                         "%s not found: apt-get install %s", e->library, hint_pkg);
            else
                snprintf(e->unavailable_reason, sizeof e->unavailable_reason,
                         "%s not found (build the project: cmake --build build)", e->library);
            return;
        }
    }
    const char *serves = e->serves_from ? e->serves_from
                                        : (e->library ? e->preload_path : "libc.so.6");
    if (resolve_library(serves, e->expect_path) < 0) {
        snprintf(e->unavailable_reason, sizeof e->unavailable_reason,
                 "%.400s (serves_from) not found", serves);
        return;
    }
    e->available = true;
}

void registry_resolve(struct allocator_registry *reg)
{
    for (size_t i = 0; i < reg->count; i++)
        resolve_entry(&reg->entries[i]);
}
