/* thread_cache.c - setting up, refilling, flushing, shrinking and retiring
 * a thread's cache (the fast paths are inline in thread_cache.h).
 *
 * Life of a cache: UNINIT until the thread's first malloc or free; then
 * SETTING_UP while pthread_setspecific registers tc_thread_exit (which may
 * itself call calloc: such calls find every bin closed and use the central
 * pool directly) and the slot block is taken from the heap; ACTIVE; and
 * DEAD once the exit handler has returned every object and the block.
 * Objects freed by another thread simply enter that thread's cache: a
 * small object belongs to its run, never to a thread, so cross-thread
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
#include <string.h>

#include "central.h"
#include "debug.h"
#include "heap.h"
#include "init.h"

__thread struct thread_cache tc_self __attribute__((tls_model("initial-exec")));

/* Shards are dealt round robin: the first thread (usually main) gets 0. */
static _Atomic unsigned next_shard;

static size_t slot_block_chunks(void)
{
    size_t slots = 0;
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++)
        slots += size_class_cache_limit(c);
    return (slots * sizeof(void *) + CHUNK_SIZE - 1) / CHUNK_SIZE;
}

static void set_up(struct thread_cache *tc)
{
    if (!allocator_ready())
        return; /* another thread (or this one, re-entered) is initialising */
    tc->state = TC_SETTING_UP;
    bool zeroed;
    void **block = pthread_setspecific(thread_exit_key, tc) == 0
                       ? heap_span_alloc(slot_block_chunks(), 1, &zeroed)
                       : NULL;
    if (!block) {
        tc->state = TC_DEAD; /* no exit handler or no memory: never cache */
        return;
    }
    tc->slots = block;
    tc->shard = (uint8_t)(atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % SHARD_COUNT);
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        struct cache_bin *bin = &tc->bins[c];
        bin->low = bin->top = block;
        bin->high = block + TCACHE_MIN_OBJECTS;
        block += size_class_cache_limit(c);
    }
    tc->state = TC_ACTIVE;
}

static uint32_t bin_count(const struct cache_bin *bin)
{
    return (uint32_t)(bin->top - bin->low);
}

static uint32_t bin_limit(const struct cache_bin *bin)
{
    return (uint32_t)(bin->high - bin->low);
}

/* Cuts a bin to its `keep` most recently freed objects (the top of the
 * stack) and gives the older rest back.  Flushing the older part matters:
 * objects that entered a bin first would otherwise never leave it, pinning
 * their runs. */
static void trim_bin(unsigned c, struct cache_bin *bin, uint32_t keep)
{
    uint32_t count = bin_count(bin);
    if (count <= keep)
        return;
    central_give_back(c, bin->low, count - keep, "free");
    memmove(bin->low, bin->low + (count - keep), keep * sizeof(void *));
    bin->top = bin->low + keep;
}

static void collect_idle_bins(struct thread_cache *tc)
{
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++) {
        struct cache_bin *bin = &tc->bins[c];
        if (!tc->busy[c])
            trim_bin(c, bin, bin_count(bin) / 2);
        tc->busy[c] = 0;
    }
}

static void count_event(struct thread_cache *tc, unsigned c)
{
    tc->busy[c] = 1;
    if (++tc->events % TCACHE_GC_EVENTS == 0)
        collect_idle_bins(tc);
}

static void check_bin(const struct cache_bin *bin, unsigned c)
{
    (void)bin, (void)c; /* only the debug build looks */
    REF_ASSERT(bin->low <= bin->top && bin->top <= bin->high);
    REF_ASSERT(bin_limit(bin) <= size_class_cache_limit(c));
    for (void **s = bin->low; s < bin->top; s++)
        REF_ASSERT(!REF_HARDENING || *guard_mark_word(*s) == guard_secret);
}

void *tc_alloc_slow(unsigned c)
{
    struct thread_cache *tc = &tc_self;
    if (tc->state == TC_UNINIT)
        set_up(tc);

    void *p;
    if (tc->state != TC_ACTIVE) {
        if (!central_take(tc->shard, c, 1, &p))
            return NULL;
        *guard_mark_word(p) = 0;
        return p;
    }

    struct cache_bin *bin = &tc->bins[c];
    REF_ASSERT(bin->top == bin->low);
    uint32_t max = size_class_cache_limit(c), limit = bin_limit(bin) * 2;
    if (limit > max)
        limit = max;
    bin->high = bin->low + limit;
    uint32_t taken = central_take(tc->shard, c, limit / 2, bin->low);
    if (!taken)
        return NULL;
    /* lowest addresses on top: handed out first, pages touched in order */
    for (uint32_t i = 0, j = taken - 1; i < j; i++, j--) {
        void *t = bin->low[i];
        bin->low[i] = bin->low[j];
        bin->low[j] = t;
    }
    bin->top = bin->low + taken - 1;
    p = *bin->top;
    *guard_mark_word(p) = 0;
    if (REF_DEBUG)
        check_bin(bin, c);
    count_event(tc, c);
    central_sweep();
    return p;
}

void tc_free_slow(unsigned c, void *p)
{
    int saved_errno = errno; /* free preserves errno; releasing may not */
    struct thread_cache *tc = &tc_self;
    if (tc->state == TC_UNINIT)
        set_up(tc);
    if (tc->state == TC_ACTIVE) {
        struct cache_bin *bin = &tc->bins[c];
        uint32_t limit = bin_limit(bin);
        trim_bin(c, bin, limit / 4);
        limit = limit / 2 > TCACHE_MIN_OBJECTS ? limit / 2 : TCACHE_MIN_OBJECTS;
        bin->high = bin->low + limit;
        tc_push(c, p);
        if (REF_DEBUG)
            check_bin(bin, c);
        count_event(tc, c);
        central_sweep();
    } else {
        *guard_mark_word(p) = guard_secret;
        central_give_back(c, &p, 1, "free");
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
    if (tc_self.state == TC_ACTIVE)
        flush_all(&tc_self);
}

void tc_thread_exit(void *cache)
{
    struct thread_cache *tc = cache;
    if (tc->state != TC_ACTIVE)
        return;
    tc->state = TC_DEAD;
    flush_all(tc);
    for (unsigned c = 0; c < SIZE_CLASS_COUNT; c++)
        tc->bins[c] = (struct cache_bin){ 0 }; /* closed: both fast paths fail */
    bool was_free;
    heap_span_free(tc->slots, &was_free);
    tc->slots = NULL;
}
