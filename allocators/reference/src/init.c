/* init.c - one-time set-up: the thread-exit key and the fork handlers.
 *
 * Fork safety: the prepare handler takes every allocator lock in the one
 * global order (class locks by index, then the heap lock), so no lock is
 * held mid-update at the moment of fork; the parent releases them, and the
 * child, whose other threads are gone, re-initialises them.  Objects in the
 * caches of threads that do not exist in the child are simply lost there.
 */
#include "init.h"

#include <stdatomic.h>

#include "central.h"
#include "heap.h"
#include "thread_cache.h"

pthread_key_t thread_exit_key;

enum { NOT_STARTED, IN_PROGRESS, READY };
static _Atomic int init_state = NOT_STARTED;

static void fork_prepare(void)
{
    central_fork_prepare();
    heap_fork_prepare();
}

static void fork_parent(void)
{
    heap_fork_parent();
    central_fork_parent();
}

static void fork_child(void)
{
    heap_fork_child();
    central_fork_child();
}

bool allocator_ready(void)
{
    int state = atomic_load_explicit(&init_state, memory_order_acquire);
    if (state == READY)
        return true;
    int expected = NOT_STARTED;
    if (state != NOT_STARTED || !atomic_compare_exchange_strong(&init_state, &expected, IN_PROGRESS))
        return false;
    /* pthread_key_create does not allocate; pthread_atfork may, re-entering
     * malloc, which then bypasses the not yet usable thread cache. */
    if (pthread_key_create(&thread_exit_key, tc_thread_exit) != 0) {
        pthread_atfork(fork_prepare, fork_parent, fork_child);
        return false; /* stays IN_PROGRESS: no thread caches, ever */
    }
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    atomic_store_explicit(&init_state, READY, memory_order_release);
    return true;
}
