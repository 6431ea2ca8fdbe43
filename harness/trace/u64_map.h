/* u64_map.h - an open-addressing hash map from 64-bit keys to 64-bit
 * values (linear probing, deletion by shifting back, so no tombstones).
 * The trace reader maps live addresses to objects and thread ids to
 * threads with it; it grows with what is live, never with the trace. */
#ifndef ALLOCSCOPE_U64_MAP_H
#define ALLOCSCOPE_U64_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64_map {
    uint64_t *keys;
    uint64_t *values;
    uint8_t *used;
    size_t cap; /* a power of two, or 0 */
    size_t count;
};

void u64_map_init(struct u64_map *m);
void u64_map_free(struct u64_map *m);
/* The value of key, or NULL. */
uint64_t *u64_map_get(const struct u64_map *m, uint64_t key);
/* Insert or overwrite. */
void u64_map_put(struct u64_map *m, uint64_t key, uint64_t value);
/* Remove key; returns whether it was there (and its value in *value). */
bool u64_map_remove(struct u64_map *m, uint64_t key, uint64_t *value);

#endif
