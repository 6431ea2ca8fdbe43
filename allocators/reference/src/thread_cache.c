/* thread_cache.c - setting up, refilling, flushing, shrinking and retiring
 * a thread's cache (the fast paths are inline in thread_cache.h).
 *
 * Life of a cache: UNINIT until the thread's first malloc or free; then
 * SETTING_UP while pthread_setspecific registers tc_thread_exit (which may
 * itself call calloc: such calls see a limit of 0 and use the central pool
 * directly); ACTIVE; and DEAD once the exit handler has returned every
 * object.  Objects freed by another thread simply enter that thread's cache:
 * a small object belongs to its run, never to a thread, so cross-thread
 * frees need no special case.
 *
 * Sizing: a bin's limit adapts between TCACHE_MIN_OBJECTS and the class's
 * maximum (size_class_cache_limit): a refill (the bin ran empty: the
 * thread allocates more of the class than it frees) doubles it, a flush
 * (the bin ran full: the thread frees more than it allocates) halves it
 * and keeps a quarter of the old limit.  So a thread that only frees a
 * class (a consumer) keeps almost nothing of it, one that only allocates
 * takes big batches, and a balanced one settles in between.
 * Shrinking: every TCACHE_GC_EVENTS refills and flushes, the bins that saw
 * neither since the last time give back their older half (all of a bin of
 * one), so a thread that stops using a class drains that bin, while busy
 * bins keep theirs.  A thread that stops calling malloc altogether keeps
 * its cache until it exits or calls malloc_trim.
 */
#include "thread_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "central.h"
#include "debug.h"
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
    tc->shard = (uint8_t)(atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % SHARD_COUNT);
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++)
        tc->bins[c].limit = TCACHE_MIN_OBJECTS;
    tc->state = TC_ACTIVE;
}

/* Cuts a bin to its `keep` most recently freed objects (a LIFO list keeps
 * them in front) and gives the rest back.  Flushing the older part matters:
 * objects that entered a bin first would otherwise never leave it, pinning
 * their runs. */
static void trim_bin(unsigned c, struct cache_bin *bin, uint32_t keep)
{
    if (bin->count <= keep)
        return;
    void *older;
    if (keep == 0) {
        older = bin->head;
        bin->head = NULL;
    } else {
        void *last_kept = bin->head;
        for (uint32_t i = 1; i < keep; i++)
            last_kept = guard_link_decode(*(void **)last_kept);
        older = guard_link_decode(*(void **)last_kept);
        *(void **)last_kept = guard_link_encode(NULL);
    }
    bin->count = keep;
    central_give_back(c, older, "free");
}

static void collect_idle_bins(struct thread_cache *tc)
{
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        struct cache_bin *bin = &tc->bins[c];
        if (!tc->busy[c] && bin->count > 0)
            trim_bin(c, bin, bin->count / 2);
        tc->busy[c] = 0;
    }
}

static void count_event(struct thread_cache *tc, unsigned c)
{
    tc->busy[c] = 1;
    if (++tc->events % TCACHE_GC_EVENTS == 0)
        collect_idle_bins(tc);
}

static void check_bin(const struct cache_bin *bin)
{
    uint32_t n = 0;
    for (void *p = bin->head; p && n <= bin->count; p = guard_link_decode(*(void **)p)) {
        REF_ASSERT(*guard_mark_word(p) == guard_secret);
        n++;
    }
    REF_ASSERT(n == bin->count && n <= bin->limit);
}

void *tc_alloc_slow(unsigned c)
{
    struct thread_cache *tc = &tc_self;
    if (tc->state == TC_UNINIT)
        set_up(tc);

    void *list;
    if (tc->state != TC_ACTIVE) {
        if (!central_take(tc->shard, c, 1, &list))
            return NULL;
        *guard_mark_word(list) = 0;
        return list;
    }

    struct cache_bin *bin = &tc->bins[c];
    REF_ASSERT(bin->count == 0 && bin->head == NULL);
    unsigned max = size_class_cache_limit(c);
    bin->limit = bin->limit * 2 < max ? bin->limit * 2 : max;
    uint32_t taken = central_take(tc->shard, c, bin->limit / 2, &list);
    if (!taken)
        return NULL;
    bin->head = guard_link_decode(*(void **)list);
    bin->count = taken - 1;
    *guard_mark_word(list) = 0;
    if (REF_DEBUG)
        check_bin(bin);
    count_event(tc, c);
    central_sweep();
    return list;
}

void tc_free_slow(unsigned c, void *p)
{
    int saved_errno = errno; /* free preserves errno; releasing may not */
    struct thread_cache *tc = &tc_self;
    if (tc->state == TC_UNINIT)
        set_up(tc);
    if (tc->state == TC_ACTIVE) {
        struct cache_bin *bin = &tc->bins[c];
        if (bin->count >= bin->limit) {
            trim_bin(c, bin, bin->limit / 4);
            bin->limit = bin->limit / 2 > TCACHE_MIN_OBJECTS ? bin->limit / 2 : TCACHE_MIN_OBJECTS;
        }
        tc_push(c, p);
        if (REF_DEBUG)
            check_bin(bin);
        count_event(tc, c);
        central_sweep();
    } else {
        *(void **)p = guard_link_encode(NULL);
        *guard_mark_word(p) = guard_secret;
        central_give_back(c, p, "free");
    }
    errno = saved_errno;
}

static void flush_all(struct thread_cache *tc)
{
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++)
        trim_bin(c, &tc->bins[c], 0);
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
