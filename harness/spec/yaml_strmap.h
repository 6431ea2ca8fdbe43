/* yaml_strmap.h - a small string -> pointer hash map (open addressing).
 *
 * Used for YAML anchors and script object names, where a hostile file could
 * hold a hundred thousand of them. Keys are copied; values are not owned.
 */
#ifndef ALLOCSCOPE_YAML_STRMAP_H
#define ALLOCSCOPE_YAML_STRMAP_H

#include <stddef.h>

struct strmap_slot {
    char *key;   /* NULL = empty slot */
    void *value;
};

/* Invariant: count < cap / 2 (cap a power of two, or 0 before first use),
 * so probing always ends at an empty slot. */
struct strmap {
    struct strmap_slot *slots;
    size_t cap;
    size_t count;
};

/* Insert or replace. Returns 0, or -1 when out of memory. */
int strmap_put(struct strmap *m, const char *key, void *value);

/* The value for `key`, or NULL. Store non-NULL values only. */
void *strmap_get(const struct strmap *m, const char *key);

void strmap_free(struct strmap *m);

#endif
