/* child_env.h - the environment a worker starts with: allocscope's own,
 * less LD_PRELOAD and less every variable the allocator variant sets, then
 * the variant's LD_PRELOAD (its library) and its env settings. So a
 * variant's settings are exactly what it declares, whatever allocscope
 * itself was started with. */
#ifndef ALLOCSCOPE_CHILD_ENV_H
#define ALLOCSCOPE_CHILD_ENV_H

#include "registry.h"

/* A NULL-terminated "NAME=VALUE" array (each string malloc'ed), with
 * `extra` ("NAME=VALUE" strings, NULL-terminated, may be NULL) set last.
 * Build it before fork: it allocates (and aborts when out of memory). */
char **child_env_build(const struct allocator_entry *a, const char *const *extra);
void child_env_free(char **env);

#endif
