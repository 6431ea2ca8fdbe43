/* thread_cache.h - per-thread stacks of free small objects: the fast path.
 *
 * Each thread has one bin per size class in initial-exec TLS: a LIFO list
 * linked through the objects' first word (encoded, guard.h), each object
 * marked free in its second word.  malloc pops, free pushes; no lock, no
 * atomic, no call.  Objects move to and from the central pool (central.h)
 * in batches when a bin runs empty or full.
 *
 * Invariant: a bin accepts objects only while its thread cache is active:
 * `limit` is 0 before the cache is set up and after the thread's exit
 * handler has emptied it, so the push below fails and the slow path (which
 * knows the state) decides.  A bin's `count` objects are not free in their
 * runs' bitmaps; they count as out.
 */
#ifndef REF_THREAD_CACHE_H
#define REF_THREAD_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "guard.h"
#include "size_class.h"

enum thread_cache_state {
    TC_UNINIT = 0,    /* TLS starts zeroed */
    TC_SETTING_UP,    /* registering the exit handler; may re-enter malloc */
    TC_ACTIVE,
    TC_DEAD,          /* thread exiting: everything goes to the central pool */
};

struct cache_bin {
    void *head;
    uint32_t count;
    uint32_t limit;
};

struct thread_cache {
    struct cache_bin bins[SIZE_CLASS_COUNT];
    uint8_t busy[SIZE_CLASS_COUNT]; /* refilled or flushed since the last GC */
    uint8_t state;
    uint8_t shard; /* the central pools this thread takes from */
    uint32_t events; /* refills and flushes, for the GC */
};

extern __thread struct thread_cache tc_self
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

static inline void *tc_pop(unsigned c)
{
    struct cache_bin *bin = &tc_self.bins[c];
    void *p = bin->head;
    if (LIKELY(p != NULL)) {
        void *next = guard_link_decode(*(void **)p);
        if (UNLIKELY(((uintptr_t)next & (MIN_ALIGN - 1)) != 0))
            guard_fail(GUARD_CORRUPT_LINK, "malloc", p);
        bin->head = next;
        bin->count--;
        *guard_mark_word(p) = 0; /* no longer free */
    }
    return p;
}

static inline bool tc_push(unsigned c, void *p)
{
    struct cache_bin *bin = &tc_self.bins[c];
    if (UNLIKELY(bin->count >= bin->limit))
        return false;
    *(void **)p = guard_link_encode(bin->head);
    *guard_mark_word(p) = guard_secret;
    bin->head = p;
    bin->count++;
    return true;
}

/* Slow paths: an empty bin (refill a batch) and a full or inactive one.
 * tc_free_slow takes a checked object of class c (api.c). */
INTERNAL void *tc_alloc_slow(unsigned c);
INTERNAL void tc_free_slow(unsigned c, void *p);

/* Returns every cached object of the calling thread to the central pool. */
INTERNAL void tc_flush(void);

/* pthread key destructor: runs when a thread exits. */
INTERNAL void tc_thread_exit(void *cache);

#endif
