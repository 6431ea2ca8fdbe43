/* heap_region.c - the region table, growing the break, and mapped regions
 * for when the break cannot move (see heap_internal.h). */
#include "heap_internal.h"

#include "debug.h"
#include "os.h"

struct heap_state heap = {
    .lock = LOCK_INITIALIZER,
    .trim_keep = TRIM_KEEP_DEFAULT / CHUNK_SIZE,
    .large_keep = LARGE_KEEP_DEFAULT / CHUNK_SIZE,
    .dirty_cap = SIZE_MAX,
};

/* Slot 0 is the break region; a slot whose base is NULL is unused. */
static struct region slots[REGION_MAX];

static uint64_t break_free_map[BITMAP_WORDS(BREAK_MAX_CHUNKS)];
static uint64_t break_dirty_map[BITMAP_WORDS(BREAK_MAX_CHUNKS)];
static uint64_t break_young_map[BITMAP_WORDS(BREAK_MAX_CHUNKS)];
static uint32_t break_span_length[BREAK_MAX_CHUNKS];

struct region *region_of(const void *p)
{
    /* the last region whose base is <= p */
    size_t lo = 0, hi = heap.region_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((const char *)heap.sorted[mid]->base <= (const char *)p)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    struct region *r = heap.sorted[lo - 1];
    return (const char *)p < region_chunk(r, r->top) ? r : NULL;
}

bool heap_contains(const void *p)
{
    lock_acquire(&heap.lock);
    struct region *r = region_of(p);
    bool inside = r && region_index(r, p) >= r->first_usable;
    lock_release(&heap.lock);
    return inside;
}

static void sorted_insert(struct region *r)
{
    size_t at = heap.region_count;
    while (at > 0 && heap.sorted[at - 1]->base > r->base) {
        heap.sorted[at] = heap.sorted[at - 1];
        at--;
    }
    heap.sorted[at] = r;
    heap.region_count++;
}

static void sorted_remove(struct region *r)
{
    size_t at = 0;
    while (heap.sorted[at] != r)
        at++;
    for (; at + 1 < heap.region_count; at++)
        heap.sorted[at] = heap.sorted[at + 1];
    heap.region_count--;
}

_Atomic uintptr_t heap_break_lo, heap_break_len;

void region_resized(struct region *r, size_t new_top)
{
    heap.total_chunks = heap.total_chunks - r->top + new_top;
    r->top = new_top;
    if (r->is_break) {
        atomic_store_explicit(&heap_break_lo, (uintptr_t)r->base, memory_order_relaxed);
        atomic_store_explicit(&heap_break_len, new_top * CHUNK_SIZE, memory_order_relaxed);
    }
    if (heap.total_chunks > heap.peak_chunks)
        heap.peak_chunks = heap.total_chunks;
}

/* Chunk-alignment phase of a region: (phase + index) % align == 0 exactly
 * when the chunk at index is aligned to `align` chunks. */
static size_t region_phase(const struct region *r, size_t align)
{
    return ((uintptr_t)r->base >> CHUNK_SHIFT) & (align - 1);
}

static struct region *break_region_create(char *cur)
{
    struct region *r = &slots[0];
    *r = (struct region){
        .base = (char *)align_up((uintptr_t)cur, CHUNK_SIZE),
        .limit = BREAK_MAX_CHUNKS,
        .free_map = break_free_map,
        .dirty_map = break_dirty_map,
        .young_map = break_young_map,
        .span_length = break_span_length,
        .is_break = true,
    };
    sorted_insert(r);
    heap.break_region = r;
    return r;
}

/* Moves the break so that `count` free chunks, aligned as asked, start at
 * the returned index (reusing free chunks at the top), or BITMAP_NONE. */
static size_t grow_break(size_t count, size_t align)
{
    char *cur = os_break_current();
    if (!cur)
        return BITMAP_NONE;
    struct region *r = heap.break_region ? heap.break_region : break_region_create(cur);
    char *end = region_chunk(r, r->top);
    size_t first_fresh, start;
    if (r->top == 0 && cur <= r->base) { /* first growth: pad up to base */
        first_fresh = start = 0;
    } else if (cur == end) {
        first_fresh = r->top;
        start = r->top - bitmap_set_run_before(r->free_map, r->top);
    } else if (cur > end) { /* foreign growth: skip the hole */
        first_fresh = start = (align_up((uintptr_t)cur, CHUNK_SIZE) - (uintptr_t)r->base) / CHUNK_SIZE;
    } else { /* someone lowered the break into the region: never again */
        heap.break_retry_ms = UINT64_MAX;
        return BITMAP_NONE;
    }
    size_t phase = region_phase(r, align);
    start = ((start + phase + align - 1) & ~(align - 1)) - phase;
    size_t new_top = start + count;
    if (new_top < r->top + BREAK_GROW_MIN_CHUNKS) /* fewer, larger brk calls */
        new_top = r->top + BREAK_GROW_MIN_CHUNKS;
    bool huge = os_huge_pages_enabled() && new_top * CHUNK_SIZE > HUGE_START;
    if (huge) /* grow to a huge page boundary */
        new_top = ((new_top + region_phase(r, HUGE_PAGE_CHUNKS) + HUGE_PAGE_CHUNKS - 1) & ~(HUGE_PAGE_CHUNKS - 1)) -
                  region_phase(r, HUGE_PAGE_CHUNKS);
    if (new_top > r->limit || new_top < start)
        return BITMAP_NONE;
    if (!os_break_move(cur, region_chunk(r, new_top) - cur)) {
        heap.break_retry_ms = os_now_ms() + DECAY_MS;
        return BITMAP_NONE;
    }
    region_resized(r, new_top);
    region_mark_free(r, first_fresh, new_top - first_fresh, false); /* fresh: reads as zero */
    if (huge) {
        size_t from = first_fresh * CHUNK_SIZE > HUGE_START ? first_fresh : HUGE_START / CHUNK_SIZE;
        char *a = (char *)align_up((uintptr_t)region_chunk(r, from), HUGE_PAGE_SIZE), *b = region_chunk(r, new_top);
        if (a < b)
            os_want_huge_pages(a, (size_t)(b - a));
    }
    return start;
}

bool region_grow_break_to(size_t end)
{
    struct region *r = heap.break_region;
    if (!r || heap.break_retry_ms == UINT64_MAX || end > r->limit || end <= r->top)
        return false;
    char *cur = os_break_current();
    if (cur != region_chunk(r, r->top) || !os_break_move(cur, region_chunk(r, end) - cur))
        return false;
    size_t old_top = r->top;
    region_resized(r, end);
    region_mark_free(r, old_top, end - old_top, false);
    return true;
}

/* Bytes of tables a mapped region of `chunks` chunks needs. */
static size_t table_bytes(size_t chunks)
{
    return 3 * BITMAP_WORDS(chunks) * sizeof(uint64_t) + chunks * sizeof(uint32_t);
}

static struct region *map_region(size_t count, size_t align, size_t *index)
{
    struct region *r = NULL;
    for (size_t s = 1; s < REGION_MAX && !r; s++)
        if (!slots[s].base)
            r = &slots[s];
    if (!r)
        return NULL;
    size_t chunks = count + align; /* room for the tables and alignment */
    if (chunks < REGION_MIN_CHUNKS)
        chunks = REGION_MIN_CHUNKS;
    size_t tables = 0;
    while (tables * CHUNK_SIZE < table_bytes(chunks + tables))
        tables++;
    chunks += tables;
    if (chunks < count || chunks > SIZE_MAX / CHUNK_SIZE)
        return NULL;
    char *base = os_map_chunks(chunks * CHUNK_SIZE);
    if (!base)
        return NULL;
    size_t words = BITMAP_WORDS(chunks);
    uint64_t *maps = (uint64_t *)base;
    *r = (struct region){
        .base = base,
        .top = chunks, /* counted below */
        .limit = chunks,
        .first_usable = tables,
        .free_map = maps,
        .dirty_map = maps + words,
        .young_map = maps + 2 * words,
        .span_length = (uint32_t *)(maps + 3 * words),
        .hint = tables,
        .map_length = chunks * CHUNK_SIZE,
    };
    region_mark_free(r, tables, chunks - tables, false);
    char *huge_from = (char *)align_up((uintptr_t)region_chunk(r, tables), HUGE_PAGE_SIZE);
    char *huge_to = (char *)((uintptr_t)region_chunk(r, chunks) & ~(uintptr_t)(HUGE_PAGE_SIZE - 1));
    if (huge_from < huge_to)
        os_want_huge_pages(huge_from, (size_t)(huge_to - huge_from));
    heap.total_chunks += chunks;
    if (heap.total_chunks > heap.peak_chunks)
        heap.peak_chunks = heap.total_chunks;
    sorted_insert(r);
    *index = bitmap_find_set_run_aligned(r->free_map, tables, chunks, count, align, region_phase(r, align));
    REF_ASSERT(*index != BITMAP_NONE);
    return r;
}

struct region *region_grow(size_t count, size_t align, size_t *index)
{
    if (os_now_ms() >= heap.break_retry_ms) {
        size_t at = grow_break(count, align);
        if (at != BITMAP_NONE) {
            *index = at;
            return heap.break_region;
        }
    }
    return map_region(count, align, index);
}

void region_unmap(struct region *r)
{
    REF_ASSERT(!r->is_break && r->free_count == r->top - r->first_usable);
    sorted_remove(r);
    heap.total_chunks -= r->top;
    os_unmap(r->base, r->map_length);
    r->base = NULL;
}
