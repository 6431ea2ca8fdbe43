/* heap_purge.c - what the heap gives back to the OS, and when.
 *
 * Decay: every chunk freed is dirty and young.  A decay step runs at most
 * once per DECAY_MS, from whichever heap call notices the interval has
 * passed (no background thread); it
 *   1. lowers the break past the free top of the break region, keeping
 *      `trim_keep` chunks (hysteresis) and any young chunk;
 *   2. gives back, with MADV_DONTNEED, every dirty chunk that is not young
 *      (it has been free for a whole interval) - every dirty chunk, if
 *      nothing was freed for a whole interval (a process gone quiet);
 *   3. makes every remaining dirty chunk old (not young);
 *   4. unmaps mapped regions that were wholly free at two steps in a row.
 * So memory freed and reused within an interval never faults again, and
 * memory left unused goes back after one to two intervals.  With
 * mallopt(M_TRIM_THRESHOLD) a cap applies as well: past it, old and then
 * the highest young chunks are given back at once, down to half the cap.
 * malloc_trim gives back everything free, now.
 */
#include "heap_internal.h"

#include <string.h>

#include "debug.h"
#include "os.h"

/* Bits of word w that qualify: dirty, and (old_only) not young. */
static uint64_t purge_word(const struct region *r, size_t w, bool old_only)
{
    return r->dirty_map[w] & (old_only ? ~r->young_map[w] : ~(uint64_t)0);
}

static void decommit(struct region *r, size_t start, size_t count)
{
    os_decommit(region_chunk(r, start), count * CHUNK_SIZE);
    bitmap_clear_range(r->dirty_map, start, count);
    bitmap_clear_range(r->young_map, start, count);
    r->dirty_count -= count;
    heap.dirty_total -= count;
    heap.purged_chunks += count;
}

/* Gives back every qualifying run of chunks, lowest first. */
static void purge_region(struct region *r, bool old_only)
{
    size_t i = r->hint, top = r->top;
    while (i < top && r->dirty_count > 0) {
        size_t w = i / 64;
        uint64_t bits = purge_word(r, w, old_only) & (~(uint64_t)0 << (i % 64));
        if (!bits) {
            i = (w + 1) * 64;
            continue;
        }
        size_t start = w * 64 + (size_t)__builtin_ctzll(bits), end = start;
        for (;;) { /* extend the run to the first chunk that does not qualify */
            size_t ew = end / 64;
            if (ew >= BITMAP_WORDS(top))
                break;
            uint64_t gaps = ~purge_word(r, ew, old_only) & (~(uint64_t)0 << (end % 64));
            if (gaps) {
                end = ew * 64 + (size_t)__builtin_ctzll(gaps);
                break;
            }
            end = (ew + 1) * 64;
        }
        if (end > top)
            end = top;
        decommit(r, start, end - start);
        i = end;
    }
}

void purge_range(struct region *r, size_t index, size_t count)
{
    REF_ASSERT(bitmap_count_range(r->dirty_map, index, count) == count);
    decommit(r, index, count);
}

/* Lowers the break past free chunks at the top of the break region,
 * keeping `keep` of them; with skip_young, a young chunk stops it. */
static void trim_break(size_t keep, bool skip_young)
{
    struct region *r = heap.break_region;
    if (!r || r->top == 0)
        return;
    size_t run = bitmap_set_run_before(r->free_map, r->top);
    if (skip_young && run > 0) {
        size_t last_young = bitmap_find_last_set(r->young_map, r->top);
        if (last_young != BITMAP_NONE && last_young >= r->top - run)
            run = r->top - 1 - last_young;
    }
    if (run <= keep)
        return;
    size_t drop = run - keep;
    if (!os_break_move(region_chunk(r, r->top), -(intptr_t)(drop * CHUNK_SIZE)))
        return;
    bool ignored;
    region_take(r, r->top - drop, drop, &ignored);
    region_resized(r, r->top - drop);
    heap.trimmed_chunks += drop;
}

static void decay_step(bool quiet)
{
    trim_break(heap.trim_keep, !quiet);
    for (size_t k = heap.region_count; k-- > 0;) {
        struct region *r = heap.sorted[k];
        if (r->dirty_count)
            purge_region(r, !quiet);
        memset(r->young_map, 0, BITMAP_WORDS(r->top) * sizeof(uint64_t));
        if (!r->is_break && r->free_count == r->top - r->first_usable && ++r->idle_ticks >= 2)
            region_unmap(r); /* sorted[k] goes; the loop runs downwards */
    }
}

void purge_maybe_tick(void)
{
    REF_ASSERT(lock_is_mine(&heap.lock));
    uint64_t now = os_now_ms();
    if (now - heap.last_tick_ms < DECAY_MS)
        return;
    heap.last_tick_ms = now;
    decay_step(now - heap.last_release_ms >= DECAY_MS);
    atomic_fetch_add_explicit(&heap.decay_ticks, 1, memory_order_relaxed);
}

uint64_t heap_decay_ticks(void)
{
    return atomic_load_explicit(&heap.decay_ticks, memory_order_relaxed);
}

/* Gives back young chunks from the highest address down until `target`
 * dirty chunks remain. */
static void purge_young_from_top(size_t target)
{
    for (size_t k = heap.region_count; k-- > 0 && heap.dirty_total > target;) {
        struct region *r = heap.sorted[k];
        size_t end = r->top;
        while (heap.dirty_total > target) {
            size_t last = bitmap_find_last_set(r->dirty_map, end);
            if (last == BITMAP_NONE)
                break;
            size_t run = bitmap_set_run_before(r->dirty_map, last + 1);
            if (run > heap.dirty_total - target)
                run = heap.dirty_total - target;
            decommit(r, last + 1 - run, run);
            end = last + 1 - run;
        }
    }
}

void purge_enforce_cap(void)
{
    if (heap.dirty_cap == SIZE_MAX)
        return;
    trim_break(heap.trim_keep, false);
    if (heap.dirty_total <= heap.dirty_cap)
        return;
    for (size_t k = 0; k < heap.region_count; k++)
        purge_region(heap.sorted[k], true);
    purge_young_from_top(heap.dirty_cap / 2);
}

size_t heap_trim(void)
{
    lock_acquire(&heap.lock);
    size_t before = heap.purged_chunks + heap.trimmed_chunks, unmapped = 0;
    trim_break(0, false);
    for (size_t k = heap.region_count; k-- > 0;) {
        struct region *r = heap.sorted[k];
        purge_region(r, false);
        if (!r->is_break && r->free_count == r->top - r->first_usable) {
            unmapped += r->top - r->first_usable;
            region_unmap(r);
        }
    }
    size_t released = heap.purged_chunks + heap.trimmed_chunks - before + unmapped;
    lock_release(&heap.lock);
    return released * CHUNK_SIZE;
}

void heap_set_trim_threshold(size_t bytes)
{
    lock_acquire(&heap.lock);
    heap.trim_keep = bytes / CHUNK_SIZE;
    heap.dirty_cap = bytes / CHUNK_SIZE;
    purge_enforce_cap();
    lock_release(&heap.lock);
}

void heap_set_large_keep(size_t bytes)
{
    lock_acquire(&heap.lock);
    heap.large_keep = bytes / CHUNK_SIZE;
    heap.large_keep_fixed = true;
    lock_release(&heap.lock);
}
