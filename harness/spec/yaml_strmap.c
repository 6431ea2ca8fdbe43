/* yaml_strmap.c - string -> pointer hash map, linear probing. */
#include "yaml_strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_string(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static struct strmap_slot *find_slot(struct strmap_slot *slots, size_t cap, const char *key)
{
    size_t i = (size_t)hash_string(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int grow(struct strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    struct strmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *find_slot(slots, cap, m->slots[i].key) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
    if ((m->count + 1) * 2 >= m->cap && grow(m) != 0)
        return -1;
    struct strmap_slot *s = find_slot(m->slots, m->cap, key);
    if (!s->key) {
        s->key = strdup(key);
        if (!s->key)
            return -1;
        m->count++;
    }
    s->value = value;
    return 0;
}

void *strmap_get(const struct strmap *m, const char *key)
{
    if (m->cap == 0)
        return NULL;
    const struct strmap_slot *s = find_slot(m->slots, m->cap, key);
    return s->key ? s->value : NULL;
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}
