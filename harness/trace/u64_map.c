/* u64_map.c - see u64_map.h. */
#include "u64_map.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static inline size_t slot_of(const struct u64_map *m, uint64_t key)
{
    /* Addresses differ in their middle bits: mix them all down. */
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & (m->cap - 1);
}

void u64_map_init(struct u64_map *m)
{
    memset(m, 0, sizeof *m);
}

void u64_map_free(struct u64_map *m)
{
    free(m->keys);
    free(m->values);
    free(m->used);
    memset(m, 0, sizeof *m);
}

static void grow(struct u64_map *m)
{
    struct u64_map old = *m;
    m->cap = old.cap ? old.cap * 2 : 1024;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->values = xcalloc(m->cap, sizeof *m->values);
    m->used = xcalloc(m->cap, 1);
    m->count = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.used[i])
            u64_map_put(m, old.keys[i], old.values[i]);
    u64_map_free(&old);
}

uint64_t *u64_map_get(const struct u64_map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
        if (!m->used[i])
            return NULL;
        if (m->keys[i] == key)
            return &m->values[i];
    }
}

void u64_map_put(struct u64_map *m, uint64_t key, uint64_t value)
{
    if (2 * (m->count + 1) > m->cap)
        grow(m);
    size_t i = slot_of(m, key);
    while (m->used[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    if (!m->used[i])
        m->count++;
    m->used[i] = 1;
    m->keys[i] = key;
    m->values[i] = value;
}

bool u64_map_remove(struct u64_map *m, uint64_t key, uint64_t *value)
{
    if (!m->cap)
        return false;
    size_t i = slot_of(m, key);
    while (m->used[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    if (!m->used[i])
        return false;
    if (value)
        *value = m->values[i];
    /* Shift later entries of the cluster back into the hole when their
     * home slot does not lie (cyclically) between the hole and them. */
    size_t hole = i;
    for (size_t j = (i + 1) & (m->cap - 1); m->used[j]; j = (j + 1) & (m->cap - 1)) {
        size_t home = slot_of(m, m->keys[j]);
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (stays)
            continue;
        m->keys[hole] = m->keys[j];
        m->values[hole] = m->values[j];
        hole = j;
    }
    m->used[hole] = 0;
    m->count--;
    return true;
}
