/* central.c - the pools: runs of each size class, shared by all threads.
 *
 * Every class has SHARD_COUNT pools; a run belongs to the pool that made it
 * (run->shard) for its whole life, and its objects always return there.
 * Invariants, per pool, under that pool's lock:
 *   - `partial` lists exactly the pool's runs that have a free object and
 *     an object out; full runs are on no list and join it again when one
 *     of their objects comes back; new runs are taken from at once;
 *   - a run whose last object comes back leaves the pool and its chunk goes
 *     back to the heap, where any class or span can reuse it (the heap
 *     keeps it resident for a while: heap_purge.c) - so empty runs never
 *     pin memory, and they form one pool shared by every size class;
 *   - runs, objects_out and capacity count the pool's runs and objects;
 *   - `sparse` lists the runs waiting to give their wholly free pages back
 *     (run_purge_sparse): a run goes there when its objects out fall to its
 *     purge mark (run_put) while the pool has at least PARTIAL_PURGE_MIN
 *     partial runs (a pool with fewer is just cycling runs through fill
 *     and drain); the purge happens at the first sweep after the next
 *     decay tick, if the run is still there - a run that empties first is
 *     released whole instead, and one that fills up again leaves the list.
 *     So a shrunken heap gives back what its partly used runs no longer
 *     use, with one madvise per free page range, once.
 * Lock order: a pool lock may be held while taking the heap lock (to get a
 * new run), never the other way round, and never two pool locks at once
 * (except all of them, in index order, around fork); empty runs are given
 * back to the heap after the pool lock is dropped.
 */
#include "central.h"

#include <stdatomic.h>

#include "debug.h"
#include "guard.h"
#include "heap.h"
#include "lock.h"
#include "run.h"
#include "size_class.h"

#define PARTIAL_PURGE_MIN 8u

struct class_pool {
    struct lock lock;
    struct run *partial;
    struct run *sparse;
    size_t partial_count;
    size_t runs, objects_out, capacity, purged_pages, touched_objects;
} __attribute__((aligned(64)));

static struct class_pool pools[SHARD_COUNT][SIZE_CLASS_COUNT] = {
    [0 ... SHARD_COUNT - 1] = { [0 ... SIZE_CLASS_COUNT - 1] = { .lock = LOCK_INITIALIZER } },
};

static void partial_push(struct class_pool *pool, struct run *run)
{
    run->prev = NULL;
    run->next = pool->partial;
    if (pool->partial)
        pool->partial->prev = run;
    pool->partial = run;
    run->on_partial_list = true;
    pool->partial_count++;
}

static void partial_remove(struct class_pool *pool, struct run *run)
{
    if (run->prev)
        run->prev->next = run->next;
    else
        pool->partial = run->next;
    if (run->next)
        run->next->prev = run->prev;
    run->on_partial_list = false;
    pool->partial_count--;
}

static void sparse_push(struct class_pool *pool, struct run *run)
{
    run->sparse_prev = NULL;
    run->sparse_next = pool->sparse;
    if (pool->sparse)
        pool->sparse->sparse_prev = run;
    pool->sparse = run;
    run->sparse_pending = true;
    run->sparse_tick = (uint32_t)heap_decay_ticks();
}

static void sparse_remove(struct class_pool *pool, struct run *run)
{
    if (run->sparse_prev)
        run->sparse_prev->sparse_next = run->sparse_next;
    else
        pool->sparse = run->sparse_next;
    if (run->sparse_next)
        run->sparse_next->sparse_prev = run->sparse_prev;
    run->sparse_pending = false;
}

static void check_pool(const struct class_pool *pool)
{
    REF_ASSERT(lock_is_mine(&pool->lock));
    size_t n = 0;
    for (const struct run *run = pool->partial; run && n < 4; run = run->next, n++) {
        REF_ASSERT(run->on_partial_list && run->free_count > 0 && run->free_count < run->capacity);
        run_check_invariants(run);
    }
}

static struct run *new_run(unsigned shard, unsigned c)
{
    bool zeroed;
    void *chunk = heap_alloc_chunk(&zeroed);
    return chunk ? run_create(chunk, c, shard) : NULL;
}

uint32_t central_take(unsigned shard, unsigned c, uint32_t want, void **out)
{
    struct class_pool *pool = &pools[shard][c];
    uint32_t taken = 0;

    guard_ensure(); /* before the first run header is tagged */
    lock_acquire(&pool->lock);
    while (taken < want) {
        struct run *run = pool->partial;
        if (!run) {
            run = new_run(shard, c);
            if (!run)
                break;
            pool->runs++;
            pool->capacity += run->capacity;
        }
        uint32_t before = run->free_count, touched_before = run->touched_end;
        taken += run_take(run, want - taken, out + taken);
        pool->objects_out += before - run->free_count;
        pool->touched_objects += run->touched_end - touched_before;
        if (run->sparse_pending && run->free_count * 2 < run->capacity)
            sparse_remove(pool, run); /* busy again */
        if (run->free_count == 0 && run->on_partial_list)
            partial_remove(pool, run);
        else if (run->free_count > 0 && !run->on_partial_list)
            partial_push(pool, run);
    }
    if (REF_DEBUG)
        check_pool(pool);
    lock_release(&pool->lock);
    return taken;
}

static void release_empty(struct run *empty)
{
    while (empty) {
        struct run *run = empty;
        empty = run->next;
        run->tag = 0; /* a stale pointer into it now fails loudly */
        heap_release_chunk(run);
    }
}

void central_give_back(unsigned c, void *const *objects, uint32_t n, const char *call)
{
    struct class_pool *locked = NULL;
    struct run *empty = NULL; /* runs to release, linked through next */

    for (uint32_t k = 0; k < n; k++) {
        void *object = objects[k];
        struct run *run = run_of(object);
        REF_ASSERT(run_class_of(run) == c);
        struct class_pool *pool = &pools[run->shard][c];
        if (pool != locked) { /* usually once: a list tends to share a shard */
            if (locked) {
                if (REF_DEBUG)
                    check_pool(locked);
                lock_release(&locked->lock);
            }
            lock_acquire(&pool->lock);
            locked = pool;
        }
        bool sparse = run_put(run, object, call);
        pool->objects_out--;
        if (run->free_count == run->capacity) {
            if (run->on_partial_list)
                partial_remove(pool, run);
            if (run->sparse_pending)
                sparse_remove(pool, run);
            pool->runs--;
            pool->capacity -= run->capacity;
            pool->touched_objects -= run->touched_end;
            run->next = empty;
            empty = run;
            continue;
        }
        if (!run->on_partial_list)
            partial_push(pool, run);
        if (sparse && !run->sparse_pending && pool->partial_count >= PARTIAL_PURGE_MIN)
            sparse_push(pool, run);
    }
    if (locked) {
        if (REF_DEBUG)
            check_pool(locked);
        lock_release(&locked->lock);
    }
    release_empty(empty);
}

static _Atomic uint64_t swept_tick;

void central_sweep(void)
{
    uint64_t tick = heap_decay_ticks(), seen = atomic_load_explicit(&swept_tick, memory_order_relaxed);
    if (tick == seen ||
        !atomic_compare_exchange_strong_explicit(&swept_tick, &seen, tick, memory_order_relaxed,
                                                 memory_order_relaxed))
        return; /* nothing new, or another thread sweeps */
    for (unsigned i = 0; i < SHARD_COUNT * SIZE_CLASS_COUNT; i++) {
        struct class_pool *pool = &pools[0][0] + i;
        lock_acquire(&pool->lock);
        struct run *run = pool->sparse;
        while (run) {
            struct run *next = run->sparse_next;
            if (run->sparse_tick != (uint32_t)tick) {
                uint16_t before = run->purged_pages;
                run_purge_sparse(run);
                pool->purged_pages += (size_t)__builtin_popcount((unsigned)(run->purged_pages & ~before));
                sparse_remove(pool, run);
            }
            run = next;
        }
        lock_release(&pool->lock);
    }
}

struct class_stats central_class_stats(unsigned c)
{
    struct class_stats s = { 0 };
    for (unsigned shard = 0; shard < SHARD_COUNT; shard++) {
        struct class_pool *pool = &pools[shard][c];
        lock_acquire(&pool->lock);
        s.runs += pool->runs;
        s.objects_out += pool->objects_out;
        s.capacity += pool->capacity;
        s.purged_pages += pool->purged_pages;
        s.touched_objects += pool->touched_objects;
        lock_release(&pool->lock);
    }
    return s;
}

/* The pools as one array, in lock order. */
#define ALL_POOLS (&pools[0][0])
#define POOL_COUNT (SHARD_COUNT * SIZE_CLASS_COUNT)

void central_fork_prepare(void)
{
    for (unsigned i = 0; i < POOL_COUNT; i++)
        lock_fork_take(&ALL_POOLS[i].lock);
}

void central_fork_parent(void)
{
    for (unsigned i = POOL_COUNT; i-- > 0;)
        lock_fork_give(&ALL_POOLS[i].lock);
}

void central_fork_child(void)
{
    for (unsigned i = 0; i < POOL_COUNT; i++)
        lock_fork_reset(&ALL_POOLS[i].lock);
}
