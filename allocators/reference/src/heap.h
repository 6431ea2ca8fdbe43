/* heap.h - whole chunks, from the program break or from mappings, and back
 * to the OS when they have stayed unused for a while.
 *
 * Two users: runs take single chunks; spans (big.c) take `count` chunks
 * and the heap records their length out of band, in the region's table,
 * so a span pointer is checked without reading memory near it. */
#ifndef REF_HEAP_H
#define REF_HEAP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* One chunk for a run, or NULL (out of memory).  *zeroed: it reads as zero. */
INTERNAL void *heap_alloc_chunk(bool *zeroed);
INTERNAL void heap_release_chunk(void *chunk);

/* A span of `count` chunks whose address is a multiple of align_chunks
 * chunks (a power of two), or NULL.  *zeroed: all of it reads as zero. */
INTERNAL void *heap_span_alloc(size_t count, size_t align_chunks, bool *zeroed);
/* The length in chunks of the span starting at p, or 0 if no span starts
 * there (p was never returned as a span, or was freed already). */
INTERNAL size_t heap_span_length(const void *p);
/* Frees the span at p; returns its length, or 0 (nothing freed) if no
 * span starts at p - then *was_free says whether p is a free chunk of the
 * heap (most likely a span freed twice). */
INTERNAL size_t heap_span_free(void *p, bool *was_free);
/* Makes the span at p (of `count` chunks) `new_count` chunks long in place:
 * shrinking always works; growing needs the chunks after it free (or the
 * break to move).  *zeroed: the added chunks read as zero. */
INTERNAL bool heap_span_resize(void *p, size_t count, size_t new_count, bool *zeroed);

/* The break region's extent, [lo, lo + len), for the strict build's check
 * that a pointer lies in the allocator's memory before its header is read
 * (relaxed atomics: exact for any pointer the allocator handed out). */
extern INTERNAL _Atomic uintptr_t heap_break_lo, heap_break_len;
/* Whether the chunk at p lies in one of the heap's regions (slow). */
INTERNAL bool heap_contains(const void *p);

/* How many decay steps have run (a clock for central_sweep). */
INTERNAL uint64_t heap_decay_ticks(void);

/* malloc_trim: gives every free chunk back now; returns the bytes released. */
INTERNAL size_t heap_trim(void);
/* mallopt(M_TRIM_THRESHOLD): keep at most `bytes` of free top and of dirty
 * chunks (instead of the decay policy alone). */
INTERNAL void heap_set_trim_threshold(size_t bytes);
/* mallopt(M_MMAP_THRESHOLD): freed spans longer than `bytes` are given back
 * at once; the bound no longer adapts. */
INTERNAL void heap_set_large_keep(size_t bytes);

struct heap_stats {
    size_t break_bytes;     /* chunks of the break region */
    size_t mapped_bytes;    /* chunks of mapped regions */
    size_t mapped_regions;
    size_t free_bytes;      /* free chunks (of both) */
    size_t dirty_bytes;     /* free chunks whose pages may be resident */
    size_t span_bytes;      /* chunks in spans */
    size_t spans;
    size_t top_free_bytes;  /* free chunks at the top of the break */
    size_t purged_bytes;    /* given back with MADV_DONTNEED so far */
    size_t trimmed_bytes;   /* given back by lowering the break so far */
    size_t peak_bytes;      /* the most break and mapped bytes at once */
};
INTERNAL struct heap_stats heap_stats(void);

/* pthread_atfork hooks (init.c): hold the heap lock across fork. */
INTERNAL void heap_fork_prepare(void);
INTERNAL void heap_fork_parent(void);
INTERNAL void heap_fork_child(void);

/* Debug builds: checks every region's bitmaps against its counters. */
INTERNAL void heap_check_invariants(void);

#endif
