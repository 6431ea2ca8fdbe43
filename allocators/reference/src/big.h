/* big.h - spans: blocks of whole chunks, for requests larger than
 * SMALL_MAX or aligned beyond what a size class gives.
 *
 * A span's pointer is its first chunk's address (so every alignment up to
 * CHUNK_SIZE comes free, and larger ones are found by the heap), and its
 * length is recorded out of band by the heap: nothing is read or written
 * near the pointer to free it, and a span freed twice is reported.
 * Spans of every size live in the heap's regions, so a freed span stays
 * resident for reuse until the decay policy gives it back (heap_purge.c);
 * a span longer than any freed before beyond LARGE_KEEP_DEFAULT is given
 * back at once, and raises that bound to its length (the adaptive
 * threshold, as glibc's mmap threshold rises): a program that frees one
 * huge block keeps no memory for it, one that cycles huge blocks reuses
 * them without page faults. */
#ifndef REF_BIG_H
#define REF_BIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* size <= REQUEST_MAX and align a power of two <= ALIGN_MAX (api.c checks).
 * `zero`: contents must read as zero (fresh memory is not cleared twice). */
INTERNAL void *big_alloc(size_t size, size_t align, bool zero);
/* p: chunk-aligned, not NULL; aborts naming `call` if no span starts at p. */
INTERNAL void big_free(void *p, const char *call);
INTERNAL size_t big_usable_size(const void *p, const char *call);
/* Makes the span at p hold new_size bytes without moving it, if it can. */
INTERNAL bool big_resize_in_place(void *p, size_t new_size);

#endif
