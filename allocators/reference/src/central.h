/* central.h - the shared pools of small objects: SHARD_COUNT per size class.
 *
 * Thread caches take objects from their own shard's pool in batches and
 * give them back in batches; every (shard, class) pool has its own lock, so
 * threads in different shards or working on different classes never wait
 * for each other.  Objects exchanged with thread caches are arrays of
 * pointers; every object in them carries the free mark (guard.h). */
#ifndef REF_CENTRAL_H
#define REF_CENTRAL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Takes up to `want` objects of class c from shard `shard` into out[],
 * each marked free; returns how many (0 when out of memory). */
INTERNAL uint32_t central_take(unsigned shard, unsigned c, uint32_t want, void **out);

/* Gives back n objects of class c, each to the pool that owns its run;
 * each is checked (a double or invalid free aborts naming `call`). */
INTERNAL void central_give_back(unsigned c, void *const *objects, uint32_t n, const char *call);

/* After a decay tick, gives back the free pages of runs that stayed sparse
 * (see central.c); cheap when there is nothing to do.  Call with no
 * allocator lock held. */
INTERNAL void central_sweep(void);

struct class_stats {
    size_t runs;         /* runs of the class */
    size_t objects_out;  /* objects with users or in thread caches */
    size_t capacity;     /* objects the runs hold */
    size_t purged_pages; /* pages of sparse runs given back */
    size_t touched_objects; /* objects ever handed out, per run: the rest were never written */
};
INTERNAL struct class_stats central_class_stats(unsigned c);

/* pthread_atfork hooks: hold every pool lock across fork. */
INTERNAL void central_fork_prepare(void);
INTERNAL void central_fork_parent(void);
INTERNAL void central_fork_child(void);

#endif
