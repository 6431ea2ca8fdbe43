/* config.h - the reference allocator's fixed parameters, in one place.
 *
 * Memory is managed in CHUNKs of 64 KiB, each aligned to its own size.  Every
 * chunk handed to a use starts with a header (struct chunk, chunk.h), so the
 * metadata of any pointer the allocator returns is found by rounding the
 * pointer down; no lookup table, no per-object header.
 *
 * Three kinds of block, by request size (after alignment):
 *   small   <= SMALL_MAX (32640) bytes: an object of a size class, carved from a
 *           one-chunk "run" that holds objects of that class only;
 *   span    <= SPAN_MAX_CHUNKS chunks: whole chunks of the break heap;
 *   mapped  anything larger (or aligned to >= a chunk): its own mmap,
 *           returned to the OS with munmap when freed.
 */
#ifndef REF_CONFIG_H
#define REF_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CHUNK_SHIFT 16
#define CHUNK_SIZE ((size_t)1 << CHUNK_SHIFT)

/* Bytes reserved at the start of every chunk for its header.  A multiple of
 * every alignment the small path serves (see size_class_for_alignment), so
 * objects of a class whose size is a multiple of A are A-aligned. */
#define CHUNK_HEADER_SIZE ((size_t)256)

/* Every pointer returned is aligned to this (max_align_t on x86-64). */
#define MIN_ALIGN ((size_t)16)

/* Largest request served from size classes: two objects per run
 * (size_class.h). */
#define SMALL_MAX ((size_t)32640)

/* Requests needing more chunks than this go to their own mapping: 16 chunks
 * = 1 MiB, the mmap threshold of this allocator. */
#define SPAN_MAX_CHUNKS ((size_t)16)

/* The break heap is tracked by bitmaps with one bit per chunk, sized here:
 * 2^20 chunks = 64 GiB of heap (two 128 KiB bitmaps in .bss, resident only
 * where touched).  Beyond it the heap falls back to mmap. */
#define HEAP_MAX_CHUNKS ((size_t)1 << 20)

/* Free heap chunks whose pages may still be resident ("dirty") are kept for
 * reuse up to this many (2 MiB); past it the free top of the heap is trimmed
 * and the highest dirty chunks get MADV_DONTNEED until half the limit is
 * left.  mallopt(M_TRIM_THRESHOLD) changes it. */
#define DIRTY_LIMIT_DEFAULT_CHUNKS ((size_t)32)

/* Bytes of objects a thread cache keeps per size class (at least
 * TCACHE_MIN_OBJECTS and at most TCACHE_MAX_OBJECTS objects). */
#define TCACHE_BYTES_PER_CLASS ((size_t)16384)
#define TCACHE_MIN_OBJECTS 4u
#define TCACHE_MAX_OBJECTS 128u

/* Largest alignment and request served.  Nothing near either could be
 * mapped on a 47-bit address space anyway; below them no size arithmetic
 * (request + header + alignment + rounding) can overflow. */
#define ALIGN_MAX ((size_t)1 << 40)
#define REQUEST_MAX ((size_t)PTRDIFF_MAX - ALIGN_MAX - 4 * CHUNK_SIZE)

/* Each size class has this many independent pools ("shards"), each with
 * its own lock and its own runs; thread caches are dealt to shards round
 * robin, so threads that allocate locally do not share runs (and so do not
 * share cache lines) with up to SHARD_COUNT - 1 other threads. */
#define SHARD_COUNT 4u

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define INTERNAL __attribute__((visibility("hidden")))

static inline uintptr_t align_up(uintptr_t x, uintptr_t align)
{
    return (x + align - 1) & ~(align - 1);
}

static inline int is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

#endif
