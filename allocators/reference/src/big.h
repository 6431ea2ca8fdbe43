/* big.h - blocks not served by size classes: larger than SMALL_MAX, or
 * aligned beyond what a class can give.
 *
 * Up to SPAN_MAX_CHUNKS chunks (1 MiB with the header) a block is a "span"
 * of whole heap chunks; above that, or aligned to more than a chunk, it is
 * "mapped": its own mmap, unmapped on free.  Either way the header sits at
 * the chunk boundary before the pointer (chunk.h), so free() finds it. */
#ifndef REF_BIG_H
#define REF_BIG_H

#include <stdbool.h>
#include <stddef.h>

#include "chunk.h"

/* size <= REQUEST_MAX and align a power of two <= ALIGN_MAX (api.c checks),
 * so no size computation below can overflow.  `zero`: contents must read
 * as zero (fresh memory is not cleared twice). */
INTERNAL void *big_alloc(size_t size, size_t align, bool zero);
INTERNAL void big_free(struct chunk *header);
INTERNAL size_t big_usable_size(const struct chunk *header, const void *p);
/* Makes the block at p hold new_size bytes without moving it, if it can. */
INTERNAL bool big_resize_in_place(struct chunk *header, void *p, size_t new_size);

struct big_stats {
    size_t mapped_blocks;
    size_t mapped_bytes;
};
INTERNAL struct big_stats big_stats(void);

#endif
