/* heap.h - whole chunks: from the program break, or from mmap when the
 * break cannot move, and back to the OS when no longer used. */
#ifndef REF_HEAP_H
#define REF_HEAP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* `count` consecutive chunks, CHUNK_SIZE-aligned, or NULL (out of memory).
 * *zeroed says whether their contents read as zero; *from_mmap whether they
 * are a fallback mapping, to be handed back with the same flag. */
INTERNAL void *heap_alloc_chunks(size_t count, bool *zeroed, bool *from_mmap);
INTERNAL void heap_release_chunks(void *base, size_t count, bool from_mmap);

/* Grows a break-heap block of `count` chunks at base to `new_count` chunks
 * in place, if the chunks after it are free; *zeroed as above for the
 * added chunks. */
INTERNAL bool heap_extend_chunks(void *base, size_t count, size_t new_count, bool *zeroed);

/* Gives every free chunk back to the OS now; returns the bytes released. */
INTERNAL size_t heap_purge(void);
INTERNAL void heap_set_dirty_limit(size_t bytes);

struct heap_stats {
    size_t break_bytes;    /* chunks below the break owned by the heap */
    size_t free_bytes;     /* of which free */
    size_t fallback_bytes; /* chunks in fallback mappings */
};
INTERNAL struct heap_stats heap_stats(void);

/* pthread_atfork hooks: hold the heap lock across fork. */
INTERNAL void heap_fork_prepare(void);
INTERNAL void heap_fork_parent(void);
INTERNAL void heap_fork_child(void);

#endif
