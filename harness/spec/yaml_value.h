/* yaml_value.h - strict typed reading of yaml_tree nodes, and the
 * "FILE:LINE:COL: message" errors every reader produces.
 *
 * Every reader takes the key the value belongs to (for the message) and a
 * node, looks through aliases, and returns 0 or -1 with ctx->err filled.
 * Numbers are strict: decimal integers only, no trailing junk, overflow is
 * an error, floats must be finite. A scalar tagged !!str is never a number
 * or a boolean.
 */
#ifndef ALLOCSCOPE_YAML_VALUE_H
#define ALLOCSCOPE_YAML_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "spec.h"
#include "yaml_tree.h"

struct yctx {
    const char *file;       /* FILE in messages */
    struct spec_error *err; /* the first error ends the load */
};

/* Write "FILE:LINE:COL: text" for node `at` (its alias target's position
 * for aliases) and return -1. */
int yfail(const struct yctx *c, const struct ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "a mapping", "a sequence", "nothing" (null) or 'text' (shortened). */
const char *ydescribe(const struct ynode *n, char *buf, size_t len);

bool ynode_is_null(const struct ynode *n);

/* n must be a mapping / sequence; otherwise "expected a mapping for 'key'". */
int yexpect_mapping(const struct yctx *c, const char *key, const struct ynode *n);
int yexpect_sequence(const struct yctx *c, const char *key, const struct ynode *n);

/* Reject keys not in `allowed` (NULL-terminated), naming `what` ("phase")
 * and suggesting the closest allowed key or listing them all. */
int ymap_check_keys(const struct yctx *c, const struct ynode *map, const char *what,
                    const char *const allowed[]);

/* The value (aliases resolved) / the key node of `key`, or NULL. */
const struct ynode *ymap_get(const struct ynode *map, const char *key);
const struct ynode *ymap_key(const struct ynode *map, const char *key);

/* Pair i of a mapping, aliases resolved. */
static inline const struct ynode *ymap_key_at(const struct ynode *map, size_t i)
{
    return ynode_deref(map->items[2 * i]);
}
static inline const struct ynode *ymap_value_at(const struct ynode *map, size_t i)
{
    return ynode_deref(map->items[2 * i + 1]);
}

/* Text of a scalar that must not be null; *out is malloc'ed. */
int yread_string(const struct yctx *c, const char *key, const struct ynode *n, char **out);

/* A name of 1..SPEC_MAX_NAME-1 bytes from [A-Za-z0-9._-], or with
 * `lowercase` from [a-z0-9_-]. */
int yread_name(const struct yctx *c, const char *key, const struct ynode *n, bool lowercase,
               char **out);

int yread_u64(const struct yctx *c, const char *key, const struct ynode *n, uint64_t min,
              uint64_t max, uint64_t *out);

/* A finite number in [min, max]; with min_open, strictly above min. */
int yread_double(const struct yctx *c, const char *key, const struct ynode *n, double min,
                 bool min_open, double max, double *out);

int yread_bool(const struct yctx *c, const char *key, const struct ynode *n, bool *out);

/* One of the NULL-terminated `choices`; *out is its index. */
int yread_choice(const struct yctx *c, const char *key, const struct ynode *n,
                 const char *const choices[], int *out);

/* Strict decimal: 0 ok, -1 not a decimal integer, -2 larger than UINT64_MAX. */
int yparse_u64(const char *text, size_t len, uint64_t *out);

/* The entry of `candidates` (NULL-terminated) closest to `word`, or NULL
 * when none is close enough to be a likely typo. */
const char *yclosest(const char *word, const char *const candidates[]);

#endif
