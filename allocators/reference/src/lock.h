/* lock.h - the allocator's mutexes, and how fork passes through them.
 *
 * Fork safety, independent of the order of atfork handlers: the prepare
 * handler (init.c) takes every allocator lock, in the one global order,
 * and then marks the calling thread as the *fork owner*.  From then until
 * the parent or child handler releases them, that thread owns all the
 * allocator's state: lock_acquire/lock_release do nothing for it.  So any
 * other library's atfork handler may malloc and free (in prepare, parent or
 * child, registered before or after ours), while every other thread stays
 * blocked on the locks as it must.
 *
 * Lock order: a pool lock (central.c) may be held while taking the heap
 * lock, never the other way round, and never two pool locks at once
 * (except all of them, in index order, in the fork handler).
 */
#ifndef REF_LOCK_H
#define REF_LOCK_H

#include <pthread.h>
#include <stdbool.h>

#include "config.h"
#include "debug.h"

struct lock {
    pthread_mutex_t mutex;
#if REF_DEBUG
    pthread_t owner;
    bool held;
#endif
};

#define LOCK_INITIALIZER { .mutex = PTHREAD_MUTEX_INITIALIZER }

/* Set (in initial-exec TLS) for the thread that holds every lock across fork. */
extern __thread bool lock_fork_owner __attribute__((tls_model("initial-exec"), visibility("hidden")));

static inline void lock_acquire(struct lock *l)
{
    if (UNLIKELY(lock_fork_owner))
        return;
    pthread_mutex_lock(&l->mutex);
#if REF_DEBUG
    REF_ASSERT(!l->held);
    l->owner = pthread_self();
    l->held = true;
#endif
}

static inline void lock_release(struct lock *l)
{
    if (UNLIKELY(lock_fork_owner))
        return;
#if REF_DEBUG
    REF_ASSERT(l->held && pthread_equal(l->owner, pthread_self()));
    l->held = false;
#endif
    pthread_mutex_unlock(&l->mutex);
}

/* Whether the calling thread may touch what l guards (debug checks). */
static inline bool lock_is_mine(const struct lock *l)
{
#if REF_DEBUG
    return lock_fork_owner || (l->held && pthread_equal(l->owner, pthread_self()));
#else
    (void)l;
    return true;
#endif
}

/* For the fork handlers only: take, release, or (in the child, whose other
 * threads are gone) reset a lock regardless of the fork owner. */
INTERNAL void lock_fork_take(struct lock *l);
INTERNAL void lock_fork_give(struct lock *l);
INTERNAL void lock_fork_reset(struct lock *l);

#endif
