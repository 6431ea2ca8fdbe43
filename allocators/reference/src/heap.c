/* heap.c - the chunk heap: whole chunks from the program break.
 *
 * The heap is the address range [base, base + top * CHUNK_SIZE) that this
 * allocator added to the break, described by two bitmaps with one bit per
 * chunk.  Invariants (all under heap.lock):
 *   - a chunk below top is exactly one of
 *       in use:  both bits clear; a run or span header sits at its start;
 *       free:    free bit set; its dirty bit is set when its pages may still
 *                be resident, clear when they read as zero (never touched,
 *                or given back with MADV_DONTNEED);
 *       foreign: both bits clear, never handed out: break space that some
 *                other caller of sbrk took between two of our growths;
 *   - dirty implies free; free_count and dirty_count are the bit counts;
 *   - no free bit lies below `hint`;
 *   - the break is base + top * CHUNK_SIZE unless someone else moved it;
 *     we only move it when it is where we left it (os_break_move checks).
 * Freed chunks stay dirty (cheap to reuse: no page faults) until more than
 * dirty_limit are; then the free chunks at the top go back by lowering the
 * break, and the highest dirty ones with MADV_DONTNEED until half the limit
 * is left (malloc_trim: all of them).
 * Allocation prefers a dirty chunk, then the lowest free run (first fit,
 * which keeps the top free so the break can come down), then growth.
 * When the break cannot move, chunks come from mmap instead ("fallback");
 * those are unmapped when freed and never enter the bitmaps.
 */
#include "heap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bitmap.h"
#include "os.h"

static struct {
    pthread_mutex_t lock;
    char *base;         /* CHUNK_SIZE-aligned; NULL until the first growth */
    size_t top;         /* chunks [0, top) lie in our part of the break */
    size_t hint;        /* no free bit below this index */
    size_t free_count;
    size_t dirty_count;
    size_t dirty_limit;
    bool break_unusable; /* someone lowered the break into the heap */
} heap = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .dirty_limit = DIRTY_LIMIT_DEFAULT_CHUNKS,
};

static uint64_t free_map[BITMAP_WORDS(HEAP_MAX_CHUNKS)];
static uint64_t dirty_map[BITMAP_WORDS(HEAP_MAX_CHUNKS)];
static _Atomic size_t fallback_bytes;

static char *chunk_address(size_t index)
{
    return heap.base + index * CHUNK_SIZE;
}

static void mark_free(size_t index, size_t count, bool dirty)
{
    bitmap_set_range(free_map, index, count);
    heap.free_count += count;
    if (dirty) {
        bitmap_set_range(dirty_map, index, count);
        heap.dirty_count += count;
    }
    if (index < heap.hint)
        heap.hint = index;
}

/* Takes free chunks [index, index + count) into use. */
static void take(size_t index, size_t count, bool *zeroed)
{
    size_t dirty = bitmap_count_range(dirty_map, index, count);
    bitmap_clear_range(free_map, index, count);
    bitmap_clear_range(dirty_map, index, count);
    heap.free_count -= count;
    heap.dirty_count -= dirty;
    *zeroed = dirty == 0;
}

static size_t find_free(size_t count)
{
    size_t first = bitmap_find_set(free_map, heap.hint, heap.top);
    heap.hint = first == BITMAP_NONE ? heap.top : first;
    if (count == 1 && heap.dirty_count > 0) {
        size_t i = bitmap_find_set(dirty_map, heap.hint, heap.top);
        if (i != BITMAP_NONE)
            return i;
    }
    return bitmap_find_set_run(free_map, heap.hint, heap.top, count);
}

/* Moves the break so that `count` free chunks start at the returned index
 * (reusing free chunks at the top), or returns BITMAP_NONE. */
static size_t grow(size_t count)
{
    if (heap.break_unusable)
        return BITMAP_NONE;
    char *cur = os_break_current();
    if (!cur)
        return BITMAP_NONE;
    if (!heap.base)
        heap.base = (char *)align_up((uintptr_t)cur, CHUNK_SIZE);
    char *end = chunk_address(heap.top);
    size_t start;
    if (cur == end) {
        start = heap.top - bitmap_set_run_before(free_map, heap.top);
    } else if (cur > end) { /* foreign growth: skip the hole */
        start = (align_up((uintptr_t)cur, CHUNK_SIZE) - (uintptr_t)heap.base) / CHUNK_SIZE;
    } else if (heap.top == 0) { /* first growth: pad up to base */
        start = 0;
    } else {
        heap.break_unusable = true;
        return BITMAP_NONE;
    }
    size_t new_top = start + count;
    if (new_top > HEAP_MAX_CHUNKS)
        return BITMAP_NONE;
    if (!os_break_move(cur, chunk_address(new_top) - cur))
        return BITMAP_NONE;
    size_t first_new = start > heap.top ? start : heap.top;
    mark_free(first_new, new_top - first_new, false); /* fresh: reads as zero */
    heap.top = new_top;
    return start;
}

void *heap_alloc_chunks(size_t count, bool *zeroed, bool *from_mmap)
{
    pthread_mutex_lock(&heap.lock);
    size_t index = find_free(count);
    if (index == BITMAP_NONE)
        index = grow(count);
    if (index != BITMAP_NONE) {
        take(index, count, zeroed);
        char *p = chunk_address(index);
        pthread_mutex_unlock(&heap.lock);
        *from_mmap = false;
        return p;
    }
    pthread_mutex_unlock(&heap.lock);

    void *p = os_map_aligned(count * CHUNK_SIZE, CHUNK_SIZE, 0);
    if (p) {
        atomic_fetch_add_explicit(&fallback_bytes, count * CHUNK_SIZE, memory_order_relaxed);
        *zeroed = true;
        *from_mmap = true;
    }
    return p;
}

/* Gives free chunks back until at most `keep` dirty ones remain: first the
 * free top of the heap (the break comes down), then the highest dirty
 * chunks (MADV_DONTNEED).  Allocation prefers the lowest dirty chunks, so
 * those are the ones worth keeping. */
static size_t purge_locked(size_t keep)
{
    size_t released = 0;
    if (!heap.base)
        return 0;
    size_t at_top = bitmap_set_run_before(free_map, heap.top);
    if (at_top && os_break_move(chunk_address(heap.top), -(intptr_t)(at_top * CHUNK_SIZE))) {
        bool ignored;
        take(heap.top - at_top, at_top, &ignored);
        heap.top -= at_top;
        released += at_top * CHUNK_SIZE;
    }
    size_t end = heap.top;
    while (heap.dirty_count > keep) {
        size_t last = bitmap_find_last_set(dirty_map, end);
        if (last == BITMAP_NONE)
            break;
        size_t run = bitmap_set_run_before(dirty_map, last + 1);
        size_t start = last + 1 - run;
        os_decommit(chunk_address(start), run * CHUNK_SIZE);
        bitmap_clear_range(dirty_map, start, run);
        heap.dirty_count -= run;
        released += run * CHUNK_SIZE;
        end = start;
    }
    return released;
}

void heap_release_chunks(void *base, size_t count, bool from_mmap)
{
    if (from_mmap) {
        os_unmap(base, count * CHUNK_SIZE);
        atomic_fetch_sub_explicit(&fallback_bytes, count * CHUNK_SIZE, memory_order_relaxed);
        return;
    }
    pthread_mutex_lock(&heap.lock);
    mark_free((size_t)((char *)base - heap.base) / CHUNK_SIZE, count, true);
    if (heap.dirty_count > heap.dirty_limit)
        purge_locked(heap.dirty_limit / 2);
    pthread_mutex_unlock(&heap.lock);
}

bool heap_extend_chunks(void *base, size_t count, size_t new_count, bool *zeroed)
{
    pthread_mutex_lock(&heap.lock);
    size_t end = (size_t)((char *)base - heap.base) / CHUNK_SIZE + count;
    size_t extra = new_count - count;
    bool ok = false;
    if (end + extra <= heap.top) {
        ok = bitmap_count_range(free_map, end, extra) == extra;
    } else if (bitmap_count_range(free_map, end, heap.top - end) == heap.top - end) {
        /* everything after the block is free: growing starts right at end
         * unless a foreign sbrk left a hole */
        size_t start = grow(extra);
        ok = start == end;
    }
    if (ok)
        take(end, extra, zeroed);
    pthread_mutex_unlock(&heap.lock);
    return ok;
}

size_t heap_purge(void)
{
    pthread_mutex_lock(&heap.lock);
    size_t released = purge_locked(0);
    pthread_mutex_unlock(&heap.lock);
    return released;
}

void heap_set_dirty_limit(size_t bytes)
{
    pthread_mutex_lock(&heap.lock);
    heap.dirty_limit = bytes / CHUNK_SIZE;
    if (heap.dirty_count > heap.dirty_limit)
        purge_locked(heap.dirty_limit / 2);
    pthread_mutex_unlock(&heap.lock);
}

struct heap_stats heap_stats(void)
{
    pthread_mutex_lock(&heap.lock);
    struct heap_stats s = {
        .break_bytes = heap.top * CHUNK_SIZE,
        .free_bytes = heap.free_count * CHUNK_SIZE,
        .fallback_bytes = atomic_load_explicit(&fallback_bytes, memory_order_relaxed),
    };
    pthread_mutex_unlock(&heap.lock);
    return s;
}

void heap_fork_prepare(void)
{
    pthread_mutex_lock(&heap.lock);
}

void heap_fork_parent(void)
{
    pthread_mutex_unlock(&heap.lock);
}

void heap_fork_child(void)
{
    pthread_mutex_init(&heap.lock, NULL);
}
