/* heap_internal.h - the regions behind heap.h, shared by heap.c (taking and
 * giving chunks), heap_region.c (the region table, the break, mappings)
 * and heap_purge.c (what goes back to the OS, and when).
 *
 * A region is a CHUNK_SIZE-aligned address range [base, base + top chunks):
 * the *break region* (what this allocator added to the program break; its
 * tables are static) or a *mapped region* (one anonymous mapping, used when
 * the break cannot move; its tables fill its first chunks).
 * Invariants, all under heap.lock:
 *   - a chunk of a region, at index i < top, is exactly one of
 *       table:   i < first_usable (mapped regions' own tables);
 *       in use:  free bit clear; a run header at its start, or part of a
 *                span (span_length[i] != 0 at the span's first chunk only);
 *       free:    free bit set; span_length[i] == 0; its dirty bit is set
 *                when its pages may still be resident, clear when they
 *                read as zero (never touched, or given back);
 *       foreign: free bit clear, never handed out: break space that some
 *                other caller of sbrk took between two of our growths;
 *   - young implies dirty implies free; free_count and dirty_count are the
 *     bit counts; no free bit lies below `hint`;
 *   - regions never overlap; heap.sorted lists them by base;
 *   - the break is at base + top * CHUNK_SIZE of the break region unless
 *     someone else moved it: we only move it from where we left it.
 */
#ifndef REF_HEAP_INTERNAL_H
#define REF_HEAP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bitmap.h"
#include "heap.h"
#include "lock.h"

struct region {
    char *base;
    size_t top, limit, first_usable;
    uint64_t *free_map, *dirty_map, *young_map;
    uint32_t *span_length;
    size_t free_count, dirty_count, hint;
    size_t map_length;   /* mapped regions: the bytes to unmap */
    unsigned idle_ticks; /* mapped regions: decay ticks spent wholly free */
    bool is_break;
};

struct heap_state {
    struct lock lock;
    struct region *sorted[REGION_MAX]; /* every region in use, by base */
    size_t region_count;
    struct region *break_region; /* NULL until the break first grows */
    uint64_t break_retry_ms;     /* after a failed growth, when to try again */
    uint64_t last_tick_ms;
    uint64_t last_release_ms;    /* when chunks were last freed */
    _Atomic uint64_t decay_ticks;
    size_t trim_keep;            /* free top chunks kept below the break */
    size_t large_keep;           /* longest span kept resident when freed */
    bool large_keep_fixed;       /* set by mallopt: no longer adapts */
    size_t dirty_cap;            /* SIZE_MAX: decay only */
    size_t dirty_total, span_chunks, spans;
    size_t purged_chunks, trimmed_chunks;
    size_t total_chunks, peak_chunks; /* of all regions */
};

extern INTERNAL struct heap_state heap;

static inline char *region_chunk(const struct region *r, size_t index)
{
    return r->base + index * CHUNK_SIZE;
}

static inline size_t region_index(const struct region *r, const void *p)
{
    return (size_t)((const char *)p - r->base) >> CHUNK_SHIFT;
}

/* heap_region.c */
INTERNAL struct region *region_of(const void *p); /* NULL: not ours */
/* Adds `count` free chunks (plus alignment padding) to the break region or
 * a new mapped region; returns the region and *index, a run of `count`
 * free chunks aligned as asked, or NULL. */
INTERNAL struct region *region_grow(size_t count, size_t align_chunks, size_t *index);
/* Grows the break region so that chunks [index, index + count) exist, if
 * index + count is past its top and all chunks from index up are free. */
INTERNAL bool region_grow_break_to(size_t end);
INTERNAL void region_unmap(struct region *r);
/* Sets a region's top, keeping the totals. */
INTERNAL void region_resized(struct region *r, size_t new_top);

/* heap.c */
INTERNAL void region_mark_free(struct region *r, size_t index, size_t count, bool dirty);
INTERNAL void region_take(struct region *r, size_t index, size_t count, bool *zeroed);

/* heap_purge.c */
/* Runs the decay step when an interval has passed; call with the lock. */
INTERNAL void purge_maybe_tick(void);
/* Enforces the dirty cap after chunks were freed. */
INTERNAL void purge_enforce_cap(void);
/* Gives back the dirty chunks among [index, index + count) now. */
INTERNAL void purge_range(struct region *r, size_t index, size_t count);

#endif
