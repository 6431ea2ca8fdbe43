/* central.c - size classes: runs of objects, shared by all threads.
 *
 * A run is one chunk whose header says which class it serves (chunk.h).
 * Its objects are handed out first from its free list (objects given back),
 * then by bumping `bump` through never-used space, so pages of a new run
 * become resident only as objects are first used.
 *
 * Every class has SHARD_COUNT pools; a run belongs to the pool that made it
 * (chunk->shard) for its whole life, and its objects always return there.
 * Invariants, per pool, under that pool's lock:
 *   - `partial` lists exactly the runs of the class that have an object to
 *     give (free list non-empty or bump < limit); full runs are on no list
 *     and join it again when one of their objects comes back;
 *   - a run whose live count drops to 0 leaves the class at once and its
 *     chunk goes back to the heap (which keeps a few dirty chunks for quick
 *     reuse), so empty runs never pin memory.
 * Lock order: a pool lock may be held while taking the heap lock (to get a
 * new run), never the other way round, and never two pool locks at once
 * (except all of them, in index order, around fork); empty runs are
 * released after the pool lock is dropped.
 */
#include "central.h"

#include <pthread.h>

#include "chunk.h"
#include "heap.h"
#include "size_class.h"

struct class_pool {
    pthread_mutex_t lock;
    struct chunk *partial;
} __attribute__((aligned(64)));

static struct class_pool pools[SHARD_COUNT][SIZE_CLASS_COUNT] = {
    [0 ... SHARD_COUNT - 1] = { [0 ... SIZE_CLASS_COUNT - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER } },
};

static void partial_push(struct class_pool *pool, struct chunk *run)
{
    run->prev = NULL;
    run->next = pool->partial;
    if (pool->partial)
        pool->partial->prev = run;
    pool->partial = run;
    run->on_partial_list = true;
}

static void partial_remove(struct class_pool *pool, struct chunk *run)
{
    if (run->prev)
        run->prev->next = run->next;
    else
        pool->partial = run->next;
    if (run->next)
        run->next->prev = run->prev;
    run->on_partial_list = false;
}

static struct chunk *new_run(unsigned shard, unsigned c)
{
    bool zeroed, from_mmap;
    struct chunk *run = heap_alloc_chunks(1, &zeroed, &from_mmap);
    if (!run)
        return NULL;
    run->kind = CHUNK_RUN;
    run->class_index = c;
    run->object_size = (uint32_t)size_class_size(c);
    run->capacity = size_class_run_capacity(c);
    run->length = CHUNK_SIZE;
    run->from_mmap = from_mmap;
    run->shard = (uint16_t)shard;
    run->free_list = NULL;
    run->bump = (char *)run + CHUNK_HEADER_SIZE;
    run->limit = run->bump + (size_t)run->capacity * run->object_size;
    run->live = 0;
    return run;
}

size_t central_take(unsigned shard, unsigned c, size_t want, void **list)
{
    struct class_pool *pool = &pools[shard][c];
    void *head = NULL, **tail = &head;
    size_t taken = 0;

    pthread_mutex_lock(&pool->lock);
    while (taken < want) {
        struct chunk *run = pool->partial;
        if (!run) {
            run = new_run(shard, c);
            if (!run)
                break;
            partial_push(pool, run);
        }
        while (taken < want && run->free_list) {
            void *obj = run->free_list;
            run->free_list = *(void **)obj;
            *tail = obj;
            tail = (void **)obj;
            taken++;
            run->live++;
        }
        while (taken < want && run->bump < run->limit) {
            void *obj = run->bump;
            run->bump += run->object_size;
            *tail = obj;
            tail = (void **)obj;
            taken++;
            run->live++;
        }
        if (!run->free_list && run->bump == run->limit)
            partial_remove(pool, run);
    }
    pthread_mutex_unlock(&pool->lock);

    *tail = NULL;
    *list = head;
    return taken;
}

void central_give_back(unsigned c, void *list)
{
    struct class_pool *locked = NULL;
    struct chunk *empty = NULL; /* runs to release, linked through next */

    while (list) {
        void *obj = list;
        list = *(void **)obj;
        struct chunk *run = chunk_of(obj);
        struct class_pool *pool = &pools[run->shard][c];
        if (pool != locked) { /* usually once: a list tends to share a shard */
            if (locked)
                pthread_mutex_unlock(&locked->lock);
            pthread_mutex_lock(&pool->lock);
            locked = pool;
        }
        *(void **)obj = run->free_list;
        run->free_list = obj;
        if (!run->on_partial_list)
            partial_push(pool, run);
        if (--run->live == 0) {
            partial_remove(pool, run);
            run->next = empty;
            empty = run;
        }
    }
    if (locked)
        pthread_mutex_unlock(&locked->lock);

    while (empty) {
        struct chunk *run = empty;
        empty = run->next;
        run->kind = 0; /* a stale pointer into it now fails loudly */
        heap_release_chunks(run, 1, run->from_mmap);
    }
}

/* The pools as one array, in lock order. */
#define ALL_POOLS (&pools[0][0])
#define POOL_COUNT (SHARD_COUNT * SIZE_CLASS_COUNT)

void central_fork_prepare(void)
{
    for (unsigned i = 0; i < POOL_COUNT; i++)
        pthread_mutex_lock(&ALL_POOLS[i].lock);
}

void central_fork_parent(void)
{
    for (unsigned i = POOL_COUNT; i-- > 0;)
        pthread_mutex_unlock(&ALL_POOLS[i].lock);
}

void central_fork_child(void)
{
    for (unsigned i = 0; i < POOL_COUNT; i++)
        pthread_mutex_init(&ALL_POOLS[i].lock, NULL);
}
