/* registry.h - the allocators allocscope knows, read from
 * allocators/registry.yaml (data, not code: adding one is one entry).
 *
 * Entry keys (YAML):
 *   name:        short name used on the command line ([a-z0-9_-]+), required
 *   description: one line, optional
 *   library:     shared object preloaded with LD_PRELOAD; a bare soname is
 *                looked up in the system library directories, a path may
 *                start with {exe_dir} (the allocscope binary's directory);
 *                omitted or `none` = no preload (glibc malloc)
 *   serves_from: the library that must serve malloc in the child (default:
 *                `library`, or libc.so.6 when there is no preload)
 *   package:     Debian package that provides it (install hint, version)
 *   version:     how the child reads the allocator's own version:
 *                {glibc: gnu_get_libc_version} | {mallctl: version} |
 *                {int_function: mi_version} | {string_function: NAME}
 *   stats:       glibc | jemalloc | mimalloc | none  (end-of-run statistics)
 *   env:         {NAME: value, ...} set in the worker's environment, e.g.
 *                {MALLOC_CONF: "narenas:1"}: a variant of an allocator
 *                (checked by alloc_env.h; LD_PRELOAD is `library`'s)
 *
 * Entries can also be made on the command line (variants.h): a new name
 * for a library path or for a registry entry, with more env settings.
 */
#ifndef ALLOCSCOPE_REGISTRY_H
#define ALLOCSCOPE_REGISTRY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "alloc_env.h"
#include "spec.h"

enum version_probe {
    VERSION_NONE,
    VERSION_GLIBC,           /* const char *gnu_get_libc_version(void) */
    VERSION_MALLCTL,         /* mallctl(symbol, &const char *, ...) */
    VERSION_INT_FUNCTION,    /* int symbol(void), e.g. mi_version -> 209 */
    VERSION_STRING_FUNCTION, /* const char *symbol(void) */
};

enum stats_kind {
    STATS_NONE,
    STATS_GLIBC,    /* mallinfo2 */
    STATS_JEMALLOC, /* mallctl stats.* after bumping epoch */
    STATS_MIMALLOC, /* mi_process_info */
};

struct allocator_entry {
    char *name;
    char *description;     /* may be NULL */
    char *library;         /* as written; NULL = no preload */
    char *serves_from;     /* as written; NULL = library or libc.so.6 */
    char *package;         /* may be NULL */
    enum version_probe version_probe;
    char *version_symbol;  /* NULL for VERSION_NONE */
    enum stats_kind stats;
    struct source_pos pos;
    struct env_setting *env; /* env_count settings, names unique */
    size_t env_count;
    /* Made on the command line (variants.c): "-a new=PATH" etc.; NULL for
     * entries of the registry file. */
    char *defined_by;

    /* Filled by registry_resolve(). */
    bool available;
    char preload_path[PATH_MAX];  /* "" when no preload */
    char expect_path[PATH_MAX];   /* realpath of serves_from */
    char unavailable_reason[512]; /* when !available, with install hint */
    char package_version[128];    /* from dpkg, "" if unknown */
};

struct allocator_registry {
    struct allocator_entry *entries;
    size_t count;
    char *file;
};

/* Parse the registry file (libyaml); errors as FILE:LINE:COL: message. */
int registry_load(const char *path, struct allocator_registry *out,
                  struct spec_error *err);
void registry_free(struct allocator_registry *reg);

/* Find each library on disk and decide availability. */
void registry_resolve(struct allocator_registry *reg);

const struct allocator_entry *registry_find(const struct allocator_registry *reg,
                                            const char *name);

#endif
