/* central.h - the shared pools of small objects: SHARD_COUNT per size class.
 *
 * Thread caches take objects from their own shard's pool in batches and
 * give them back in batches; every (shard, class) pool has its own lock, so
 * threads in different shards or working on different classes never wait
 * for each other. */
#ifndef REF_CENTRAL_H
#define REF_CENTRAL_H

#include <stddef.h>

#include "config.h"

/* Takes up to `want` objects of class c from shard `shard` as a
 * NULL-terminated list linked through their first word; returns how many
 * (0 when out of memory). */
INTERNAL size_t central_take(unsigned shard, unsigned c, size_t want, void **list);

/* Gives back a NULL-terminated list of objects of class c, each to the
 * shard that owns its run (whichever thread frees it). */
INTERNAL void central_give_back(unsigned c, void *list);

/* pthread_atfork hooks: hold every class lock across fork. */
INTERNAL void central_fork_prepare(void);
INTERNAL void central_fork_parent(void);
INTERNAL void central_fork_child(void);

#endif
