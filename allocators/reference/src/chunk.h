/* chunk.h - the header at the start of every chunk in use.
 *
 * Invariant (what makes free() a constant-time lookup): every pointer p the
 * allocator returns satisfies  chunk < p <= chunk + CHUNK_SIZE  where chunk
 * is the CHUNK_SIZE-aligned address of the header that describes p.  So
 * chunk_of(p) rounds p - 1 down.  Small objects and most big blocks start
 * inside their first chunk, past the header; the one exception is a mapped
 * block aligned to CHUNK_SIZE or more, which starts exactly one chunk after
 * its header (the header's chunk holds nothing else).
 *
 * The header's first cache line is written once, when the chunk is set up,
 * and read by every free; the run state that the class lock guards lives on
 * the next line, so frees in other threads do not miss on it.
 */
#ifndef REF_CHUNK_H
#define REF_CHUNK_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

enum chunk_kind {
    CHUNK_RUN = 0x52554e21,    /* one chunk of small objects of one class */
    CHUNK_SPAN = 0x5350414e,   /* consecutive break-heap chunks, one block */
    CHUNK_MAPPED = 0x4d415021, /* a block in its own mmap */
};

struct chunk {
    /* Line 0: immutable while the chunk is in use. */
    uint32_t kind;         /* enum chunk_kind */
    uint32_t class_index;  /* runs: the size class */
    uint32_t object_size;  /* runs: size_class_size(class_index) */
    uint32_t capacity;     /* runs: objects that fit */
    size_t length;         /* bytes from the header to the end of the block */
    bool from_mmap;        /* runs, spans: chunks of a fallback mapping */
    uint16_t shard;        /* runs: the class pool shard that owns the run */

    /* Line 1: run state, guarded by the lock of the run's class.
     * Invariant: live + (objects on free_list) + (limit - bump) / object_size
     *            == capacity, and the run is on its class's partial list
     *            exactly when free_list != NULL or bump < limit. */
    _Alignas(64) void *free_list; /* returned objects, linked through their first word */
    char *bump;            /* next never-used object */
    char *limit;           /* end of the object area */
    uint32_t live;         /* objects handed out (to users or thread caches) */
    bool on_partial_list;
    struct chunk *prev, *next; /* partial list links */
};

_Static_assert(sizeof(struct chunk) <= CHUNK_HEADER_SIZE, "header fits its reserve");
_Static_assert(__builtin_offsetof(struct chunk, free_list) == 64, "run state on line 1");

static inline struct chunk *chunk_of(const void *p)
{
    return (struct chunk *)(((uintptr_t)p - 1) & ~(uintptr_t)(CHUNK_SIZE - 1));
}

#endif
