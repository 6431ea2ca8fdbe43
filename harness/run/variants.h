/* variants.h - the allocators of one run, chosen on the command line:
 *
 *   NAME               a registry entry
 *   NAME=PATH          a library not in the registry (PATH holds a '/'),
 *                      e.g. base=build-main/libmy.so
 *   NAME=ENTRY         a copy of registry entry ENTRY under a new name,
 *                      e.g. a=glibc,b=glibc (A/A runs), or a variant to
 *                      give env settings to
 * and env settings per allocator, `VARIANT:NAME=VALUE` (--env), which add
 * to (or override) the entry's own `env:`.
 *
 * Names are [a-z0-9_-]+ like the registry's; a name given twice is an
 * error, and so is a new name that is already a registry entry's. Every
 * setting is checked (alloc_env.h) before anything runs. */
#ifndef ALLOCSCOPE_VARIANTS_H
#define ALLOCSCOPE_VARIANTS_H

#include <stddef.h>

#include "registry.h"

/* Choose `ntokens` allocators (the forms above) and apply `nenv` env
 * settings. Entries made here are appended to `reg` (so resolve it after
 * this). On success returns 0 and a malloc'ed array of *count indices into
 * reg->entries, in the order given; on error -1 with a message in err. */
int variants_choose(struct allocator_registry *reg, char *const *tokens, size_t ntokens,
                    char *const *env_specs, size_t nenv, size_t **indices, size_t *count,
                    char *err, size_t errlen);

/* Split a comma-separated list into tokens (empty items are an error).
 * Returns the number of tokens, or -1 with a message in err. *tokens and
 * the strings are malloc'ed: free with variants_free_tokens. */
int variants_split(const char *list, char ***tokens, char *err, size_t errlen);
void variants_free_tokens(char **tokens, size_t n);

#endif
