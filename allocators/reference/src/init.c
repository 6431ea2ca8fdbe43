/* init.c - one-time set-up: the secret, the thread-exit key, and the fork
 * handlers (see lock.h for how fork stays safe in any handler order).
 *
 * Around fork: prepare takes every pool lock (in index order) and then the
 * heap lock, and makes the calling thread the fork owner; parent and child
 * drop the ownership and release (parent) or reset (child, whose other
 * threads are gone) the locks.  Objects in the caches of threads that do
 * not exist in the child are simply lost there.
 */
#include "init.h"

#include <stdatomic.h>

#include "central.h"
#include "guard.h"
#include "heap.h"
#include "lock.h"
#include "thread_cache.h"

pthread_key_t thread_exit_key;

enum { NOT_STARTED, IN_PROGRESS, READY };
static _Atomic int init_state = NOT_STARTED;

static void fork_prepare(void)
{
    central_fork_prepare();
    heap_fork_prepare();
    lock_fork_owner = true;
}

static void fork_parent(void)
{
    lock_fork_owner = false;
    heap_fork_parent();
    central_fork_parent();
}

static void fork_child(void)
{
    lock_fork_owner = false;
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
    guard_ensure();
    /* pthread_key_create does not allocate. */
    if (pthread_key_create(&thread_exit_key, tc_thread_exit) != 0)
        return false; /* stays IN_PROGRESS: no thread caches, ever */
    atomic_store_explicit(&init_state, READY, memory_order_release);
    return true;
}

__attribute__((constructor)) static void register_fork_handlers(void)
{
    allocator_ready();
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}
