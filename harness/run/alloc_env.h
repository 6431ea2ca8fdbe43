/* alloc_env.h - environment settings of an allocator variant (registry
 * `env:`, or `--env VARIANT:NAME=VALUE` on the command line): checking them
 * before anything runs.
 *
 * Checked here, without starting anything but the dynamic loader:
 *  - the name is a portable environment name ([A-Za-z_][A-Za-z0-9_]*, at
 *    most ALLOC_ENV_MAX_NAME bytes) and not LD_PRELOAD (`library:` sets
 *    that one; a second preload would change which allocator serves);
 *  - the value is at most ALLOC_ENV_MAX_VALUE bytes of printable text (no
 *    control characters, no NUL);
 *  - GLIBC_TUNABLES: `name=value[:name=value...]`, every name a tunable of
 *    this machine's glibc and every number within its range, both as
 *    `ld.so --list-tunables` reports them (glibc itself ignores a wrong
 *    tunable silently);
 *  - MALLOC_CONF (and jemalloc's prefixed JE_MALLOC_CONF, _RJEM_MALLOC_CONF):
 *    `key:value[,key:value...]`, keys of [A-Za-z0-9_], values non-empty.
 * What only the allocator knows (an unknown jemalloc option, a bad mimalloc
 * value) is checked by starting it with the setting: variant_probe.h.
 */
#ifndef ALLOCSCOPE_ALLOC_ENV_H
#define ALLOCSCOPE_ALLOC_ENV_H

#include <stddef.h>

#include "spec.h"

#define ALLOC_ENV_MAX_NAME 128
#define ALLOC_ENV_MAX_VALUE 4096
#define ALLOC_ENV_MAX_SETTINGS 64

/* One variable an allocator variant sets in its worker's environment. */
struct env_setting {
    char *name;
    char *value;
    /* Where it was given: the YAML value's position, or file NULL for the
     * command line (then `origin` says which option). */
    struct source_pos pos;
};

/* 0 when NAME is acceptable; else -1 and a message without position. */
int alloc_env_check_name(const char *name, char *msg, size_t msglen);

/* 0 when NAME=VALUE is acceptable (the name included); else -1 and a
 * message without position ("GLIBC_TUNABLES: unknown tunable 'x'"). */
int alloc_env_check(const char *name, const char *value, char *msg, size_t msglen);

/* Whether the variable is one allocators (or the loader that starts them)
 * read: LD_*, MALLOC_*, GLIBC_TUNABLES, MIMALLOC_*, JE_MALLOC_CONF,
 * _RJEM_MALLOC_CONF, TCMALLOC_*. run.json records those the worker
 * inherits from allocscope's own environment. */
int alloc_env_relevant(const char *name);

#endif
