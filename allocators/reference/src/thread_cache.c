/* thread_cache.c - setting up, refilling, flushing and retiring a thread's
 * cache (the fast paths are inline in thread_cache.h).
 *
 * Life of a cache: UNINIT until the thread's first malloc or free; then
 * SETTING_UP while pthread_setspecific registers tc_thread_exit (which may
 * itself call calloc: such calls see a limit of 0 and use the central pool
 * directly); ACTIVE; and DEAD once the exit handler has returned every
 * object.  Objects freed by another thread simply enter that thread's cache:
 * a small object belongs to its run, never to a thread, so cross-thread
 * frees need no special case.
 */
#include "thread_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "central.h"
#include "init.h"

__thread struct thread_cache tc_self __attribute__((tls_model("initial-exec")));

/* Shards are dealt round robin: the first thread (usually main) gets 0. */
static _Atomic unsigned next_shard;

static void set_up(struct thread_cache *tc)
{
    if (!allocator_ready())
        return; /* another thread (or this one, re-entered) is initialising */
    tc->state = TC_SETTING_UP;
    if (pthread_setspecific(thread_exit_key, tc) != 0) {
        tc->state = TC_DEAD; /* no exit handler: never cache */
        return;
    }
    tc->shard = atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % SHARD_COUNT;
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++)
        tc->bins[c].limit = size_class_cache_limit(c);
    tc->state = TC_ACTIVE;
}

void *tc_alloc_slow(unsigned c)
{
    struct thread_cache *tc = &tc_self;
    if (tc->state == TC_UNINIT)
        set_up(tc);

    void *list;
    if (tc->state != TC_ACTIVE)
        return central_take(tc->shard, c, 1, &list) ? list : NULL;

    struct cache_bin *bin = &tc->bins[c];
    size_t taken = central_take(tc->shard, c, bin->limit / 2, &list);
    if (!taken)
        return NULL;
    bin->head = *(void **)list;
    bin->count = (uint32_t)(taken - 1);
    return list;
}

/* Hands the older half of a full bin (its tail: a LIFO list keeps the most
 * recently freed objects in front) to the central pool.  Flushing the tail
 * rather than the head matters: objects that entered a bin first would
 * otherwise never leave it, pinning their runs (and the break) for good. */
static void flush_half(unsigned c, struct cache_bin *bin)
{
    uint32_t keep = bin->count / 2;
    if (keep == 0) {
        void *all = bin->head;
        bin->head = NULL;
        bin->count = 0;
        central_give_back(c, all);
        return;
    }
    void *last_kept = bin->head;
    for (uint32_t i = 1; i < keep; i++)
        last_kept = *(void **)last_kept;
    void *older = *(void **)last_kept;
    *(void **)last_kept = NULL;
    bin->count = keep;
    central_give_back(c, older);
}

void tc_free_slow(unsigned c, void *p)
{
    int saved_errno = errno; /* free preserves errno; releasing may not */
    struct thread_cache *tc = &tc_self;
    if (tc->state == TC_UNINIT)
        set_up(tc);
    if (tc->state == TC_ACTIVE) {
        struct cache_bin *bin = &tc->bins[c];
        if (bin->count >= bin->limit)
            flush_half(c, bin);
        tc_push(c, p);
    } else {
        *(void **)p = NULL;
        central_give_back(c, p);
    }
    errno = saved_errno;
}

static void flush_all(struct thread_cache *tc)
{
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        struct cache_bin *bin = &tc->bins[c];
        if (bin->head) {
            void *list = bin->head;
            bin->head = NULL;
            bin->count = 0;
            central_give_back(c, list);
        }
    }
}

void tc_flush(void)
{
    flush_all(&tc_self);
}

void tc_thread_exit(void *cache)
{
    struct thread_cache *tc = cache;
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++)
        tc->bins[c].limit = 0;
    tc->state = TC_DEAD;
    flush_all(tc);
}
