/* heap.c - taking chunks for runs and spans, and giving them back (the
 * regions and their invariants: heap_internal.h).
 *
 * Placement: a request takes free chunks that are still dirty (resident:
 * no page faults) if a long enough run of them exists anywhere, the break
 * region first; otherwise the lowest free run (first fit keeps the top of
 * the break free, so it can come down); otherwise the break grows, or a
 * new mapped region is made.  Freed chunks become dirty and "young"; the
 * decay step (heap_purge.c) gives back those that stay unused.
 */
#include "heap_internal.h"

#include "debug.h"
#include "os.h"

void region_mark_free(struct region *r, size_t index, size_t count, bool dirty)
{
    REF_ASSERT(index >= r->first_usable && index + count <= r->top);
    REF_ASSERT(bitmap_count_range(r->free_map, index, count) == 0);
    bitmap_set_range(r->free_map, index, count);
    r->free_count += count;
    if (dirty) {
        bitmap_set_range(r->dirty_map, index, count);
        bitmap_set_range(r->young_map, index, count);
        r->dirty_count += count;
        heap.dirty_total += count;
        heap.last_release_ms = os_now_ms();
    }
    if (index < r->hint)
        r->hint = index;
}

void region_take(struct region *r, size_t index, size_t count, bool *zeroed)
{
    REF_ASSERT(bitmap_count_range(r->free_map, index, count) == count);
    size_t dirty = bitmap_count_range(r->dirty_map, index, count);
    bitmap_clear_range(r->free_map, index, count);
    if (dirty) {
        bitmap_clear_range(r->dirty_map, index, count);
        bitmap_clear_range(r->young_map, index, count);
        r->dirty_count -= dirty;
        heap.dirty_total -= dirty;
    }
    r->free_count -= count;
    r->idle_ticks = 0;
    *zeroed = dirty == 0;
}

/* A run of `count` free chunks (all dirty if dirty_only), aligned to
 * `align` chunks, in any region: the break region first.  One chunk (a
 * run) takes the lowest; a span takes the best fit, which keeps big free
 * runs whole for big spans. */
static struct region *find_free(size_t count, size_t align, bool dirty_only, size_t *index)
{
    for (size_t k = 0; k <= heap.region_count; k++) {
        struct region *r = k == 0 ? heap.break_region : heap.sorted[k - 1];
        if (!r || (k > 0 && r == heap.break_region))
            continue;
        if ((dirty_only ? r->dirty_count : r->free_count) < count)
            continue;
        size_t first = bitmap_find_set(r->free_map, r->hint, r->top);
        r->hint = first == BITMAP_NONE ? r->top : first;
        const uint64_t *map = dirty_only ? r->dirty_map : r->free_map;
        size_t phase = ((uintptr_t)r->base >> CHUNK_SHIFT) & (align - 1);
        size_t i = count == 1 && align == 1 ? bitmap_find_set(map, r->hint, r->top)
                                            : bitmap_find_best_run(map, r->hint, r->top, count, align, phase);
        if (i != BITMAP_NONE) {
            *index = i;
            return r;
        }
    }
    return NULL;
}

static unsigned long operations; /* debug builds: full checks every 64 */

static void *alloc_locked(size_t count, size_t align, bool *zeroed, struct region **region,
                          size_t *index)
{
    purge_maybe_tick();
    struct region *r = find_free(count, align, true, index);
    if (!r)
        r = find_free(count, align, false, index);
    if (!r)
        r = region_grow(count, align, index);
    if (!r)
        return NULL;
    region_take(r, *index, count, zeroed);
    *region = r;
    if (REF_DEBUG && ++operations % 64 == 0)
        heap_check_invariants();
    return region_chunk(r, *index);
}

void *heap_alloc_chunk(bool *zeroed)
{
    struct region *r;
    size_t index;
    lock_acquire(&heap.lock);
    void *p = alloc_locked(1, 1, zeroed, &r, &index);
    lock_release(&heap.lock);
    return p;
}

void heap_release_chunk(void *chunk)
{
    lock_acquire(&heap.lock);
    struct region *r = region_of(chunk);
    REF_ASSERT(r != NULL && r->span_length[region_index(r, chunk)] == 0);
    region_mark_free(r, region_index(r, chunk), 1, true);
    purge_maybe_tick();
    purge_enforce_cap();
    lock_release(&heap.lock);
}

void *heap_span_alloc(size_t count, size_t align, bool *zeroed)
{
    if (count > UINT32_MAX)
        return NULL;
    struct region *r;
    size_t index;
    lock_acquire(&heap.lock);
    void *p = alloc_locked(count, align, zeroed, &r, &index);
    if (p) {
        r->span_length[index] = (uint32_t)count;
        heap.spans++;
        heap.span_chunks += count;
    }
    lock_release(&heap.lock);
    return p;
}

/* The region and index of the span starting at p, or NULL. */
static struct region *span_at(const void *p, size_t *index)
{
    if (((uintptr_t)p & CHUNK_MASK) != 0)
        return NULL;
    struct region *r = region_of(p);
    if (!r)
        return NULL;
    *index = region_index(r, p);
    return *index >= r->first_usable && r->span_length[*index] != 0 ? r : NULL;
}

size_t heap_span_length(const void *p)
{
    size_t index, length = 0;
    lock_acquire(&heap.lock);
    struct region *r = span_at(p, &index);
    if (r)
        length = r->span_length[index];
    lock_release(&heap.lock);
    return length;
}

size_t heap_span_free(void *p, bool *was_free)
{
    size_t index, length = 0;
    lock_acquire(&heap.lock);
    struct region *r = span_at(p, &index);
    if (r) {
        length = r->span_length[index];
        r->span_length[index] = 0;
        heap.spans--;
        heap.span_chunks -= length;
        region_mark_free(r, index, length, true);
        if (length > heap.large_keep) { /* larger than any before: give back now */
            purge_range(r, index, length);
            if (!heap.large_keep_fixed)
                heap.large_keep = length < LARGE_KEEP_MAX / CHUNK_SIZE ? length : LARGE_KEEP_MAX / CHUNK_SIZE;
        }
        purge_maybe_tick();
        purge_enforce_cap();
    } else {
        r = ((uintptr_t)p & CHUNK_MASK) == 0 ? region_of(p) : NULL;
        *was_free = r && bitmap_test(r->free_map, region_index(r, p));
    }
    lock_release(&heap.lock);
    return length;
}

bool heap_span_resize(void *p, size_t count, size_t new_count, bool *zeroed)
{
    size_t index;
    bool ok = false;
    if (new_count > UINT32_MAX)
        return false;
    lock_acquire(&heap.lock);
    struct region *r = span_at(p, &index);
    REF_ASSERT(r != NULL && r->span_length[index] == count);
    if (new_count < count) {
        region_mark_free(r, index + new_count, count - new_count, true);
        ok = true;
    } else {
        size_t end = index + count, extra = new_count - count;
        if (end + extra <= r->top)
            ok = bitmap_count_range(r->free_map, end, extra) == extra;
        else if (r->is_break && bitmap_count_range(r->free_map, end, r->top - end) == r->top - end)
            ok = region_grow_break_to(index + new_count);
        if (ok)
            region_take(r, end, extra, zeroed);
    }
    if (ok) {
        r->span_length[index] = (uint32_t)new_count;
        heap.span_chunks += new_count - count;
    }
    lock_release(&heap.lock);
    return ok;
}

struct heap_stats heap_stats(void)
{
    struct heap_stats s = { 0 };
    lock_acquire(&heap.lock);
    for (size_t i = 0; i < heap.region_count; i++) {
        struct region *r = heap.sorted[i];
        if (r->is_break) {
            s.break_bytes = r->top * CHUNK_SIZE;
            s.top_free_bytes = bitmap_set_run_before(r->free_map, r->top) * CHUNK_SIZE;
        } else {
            s.mapped_bytes += r->top * CHUNK_SIZE;
            s.mapped_regions++;
        }
        s.free_bytes += r->free_count * CHUNK_SIZE;
        s.dirty_bytes += r->dirty_count * CHUNK_SIZE;
    }
    s.span_bytes = heap.span_chunks * CHUNK_SIZE;
    s.spans = heap.spans;
    s.purged_bytes = heap.purged_chunks * CHUNK_SIZE;
    s.trimmed_bytes = heap.trimmed_chunks * CHUNK_SIZE;
    s.peak_bytes = heap.peak_chunks * CHUNK_SIZE;
    lock_release(&heap.lock);
    return s;
}

void heap_check_invariants(void)
{
    REF_ASSERT(lock_is_mine(&heap.lock));
    size_t dirty_total = 0, span_chunks = 0, spans = 0;
    for (size_t i = 0; i < heap.region_count; i++) {
        struct region *r = heap.sorted[i];
        REF_ASSERT(i == 0 || heap.sorted[i - 1]->base + heap.sorted[i - 1]->top * CHUNK_SIZE <= r->base);
        REF_ASSERT(r->top <= r->limit && r->first_usable <= r->top);
        REF_ASSERT(bitmap_count_range(r->free_map, 0, r->top) == r->free_count);
        REF_ASSERT(bitmap_count_range(r->dirty_map, 0, r->top) == r->dirty_count);
        REF_ASSERT(bitmap_find_set(r->free_map, 0, r->hint) == BITMAP_NONE);
        for (size_t w = 0; w < BITMAP_WORDS(r->top); w++) {
            REF_ASSERT((r->dirty_map[w] & ~r->free_map[w]) == 0);
            REF_ASSERT((r->young_map[w] & ~r->dirty_map[w]) == 0);
        }
        for (size_t c = r->first_usable; c < r->top; c++) {
            uint32_t length = r->span_length[c];
            if (length) {
                REF_ASSERT(c + length <= r->top);
                REF_ASSERT(bitmap_count_range(r->free_map, c, length) == 0);
                span_chunks += length;
                spans++;
            }
        }
        dirty_total += r->dirty_count;
    }
    REF_ASSERT(dirty_total == heap.dirty_total);
    REF_ASSERT(span_chunks == heap.span_chunks && spans == heap.spans);
}

void heap_fork_prepare(void)
{
    lock_fork_take(&heap.lock);
}

void heap_fork_parent(void)
{
    lock_fork_give(&heap.lock);
}

void heap_fork_child(void)
{
    lock_fork_reset(&heap.lock);
}
