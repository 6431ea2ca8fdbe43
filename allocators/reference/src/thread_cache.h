/* thread_cache.h - per-thread stacks of free small objects: the fast path.
 *
 * Each thread has one bin per size class: a stack of object pointers in
 * the thread's slot block (a span the thread owns), described in
 * initial-exec TLS by three pointers.  malloc pops, free pushes; no lock,
 * no atomic, no call.  Objects move to and from the central pool
 * (central.h) in batches when a bin runs empty or full.
 *
 * The stacks are out of band: nothing in a free object links it to
 * another, so a write to a freed object cannot steer a later malloc (the
 * only metadata in a cached object is its free mark, guard.h).
 *
 * Invariants: low <= top <= high for every bin; [low, top) holds the bin's
 * objects, each marked free and counted out in its run; high - low is the
 * bin's current limit, at most size_class_cache_limit(c) slots, reserved
 * for it in the block.  A bin accepts or gives objects only while its
 * thread cache is active: before the cache is set up and after the thread's
 * exit handler has emptied it, all three pointers are equal (NULL or not),
 * so both fast paths fail and the slow path (which knows the state)
 * decides.
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
    void **top;  /* the next free slot */
    void **low;  /* the first slot */
    void **high; /* low + the current limit */
};

struct thread_cache {
    struct cache_bin bins[SIZE_CLASS_COUNT];
    void **slots;                   /* the slot block: a span, or NULL */
    uint8_t busy[SIZE_CLASS_COUNT]; /* refilled or flushed since the last GC */
    uint8_t state;
    uint8_t shard;   /* the central pools this thread takes from */
    uint32_t events; /* refills and flushes, for the GC */
};

extern __thread struct thread_cache tc_self
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

static inline void *tc_pop(unsigned c)
{
    struct cache_bin *bin = &tc_self.bins[c];
    void **top = bin->top;
    if (UNLIKELY(top == bin->low))
        return NULL;
    void *p = *--top;
    bin->top = top;
    if (REF_HARDENING)
        *guard_mark_word(p) = 0; /* no longer free */
    return p;
}

static inline bool tc_push(unsigned c, void *p)
{
    struct cache_bin *bin = &tc_self.bins[c];
    void **top = bin->top;
    if (UNLIKELY(top == bin->high))
        return false;
    *top = p;
    bin->top = top + 1;
    if (REF_HARDENING)
        *guard_mark_word(p) = guard_secret;
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
