/* config.h - the reference allocator's fixed parameters, in one place.
 *
 * Memory is managed in CHUNKs of 64 KiB, each aligned to its own size, taken
 * from *regions*: the program break, or anonymous mappings when the break
 * cannot move (heap.h).  Two kinds of block, by request size (after
 * alignment):
 *   small  <= SMALL_MAX bytes: an object of a size class, carved from a
 *          one-chunk "run" that holds objects of that class only (run.h);
 *          the run's header sits at the chunk's start, so free() finds it
 *          by rounding the pointer down;
 *   span   anything larger (or aligned beyond what a class gives): whole
 *          chunks; the pointer is the first chunk's address and the span's
 *          length lives out of band, in its region's table (big.h).
 * So a pointer that is a multiple of CHUNK_SIZE is a span (or NULL), any
 * other is a small object: free() tells them apart with one test.
 */
#ifndef REF_CONFIG_H
#define REF_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CHUNK_SHIFT 16
#define CHUNK_SIZE ((size_t)1 << CHUNK_SHIFT)
#define CHUNK_MASK (CHUNK_SIZE - 1)
#define PAGE_SHIFT 12
#define PAGE_SIZE ((size_t)1 << PAGE_SHIFT)
#define PAGES_PER_CHUNK (CHUNK_SIZE / PAGE_SIZE)

/* Every pointer returned is aligned to this (max_align_t on x86-64). */
#define MIN_ALIGN ((size_t)16)

/* Bytes of a run header before its free-object bitmap (chunk.h). */
#define RUN_HEADER_FIXED ((size_t)128)

/* The largest class size (size_class.h): the largest with at least two
 * objects per run.  Larger requests are spans. */
#define SMALL_MAX ((size_t)31744)

/* The break region is tracked by bitmaps with one bit per chunk, sized
 * here: 2^20 chunks = 64 GiB (in .bss, resident only where touched).
 * Mapped regions are at least REGION_MIN_CHUNKS (64 MiB of address space,
 * resident only as used) and carry their own tables in their first chunks. */
#define BREAK_MAX_CHUNKS ((size_t)1 << 20)
#define REGION_MIN_CHUNKS ((size_t)1024)
#define REGION_MAX ((size_t)4096)

/* Decay: free chunks whose pages may be resident ("dirty") are kept for
 * reuse, and given back to the OS (MADV_DONTNEED, or the break lowered)
 * once they have stayed unused for a whole DECAY_MS interval (so after
 * DECAY_MS .. 2 * DECAY_MS).  Mapped regions left entirely free for two
 * intervals are unmapped.  The free top of the break is lowered only past
 * TRIM_KEEP_DEFAULT bytes (hysteresis); mallopt(M_TRIM_THRESHOLD) sets it
 * and also caps the dirty bytes kept (without it, nothing is capped: dirty
 * memory is at most what the program itself used in the last interval). */
#define DECAY_MS 500u
#define TRIM_KEEP_DEFAULT ((size_t)1 << 20)

/* The break grows by at least this many chunks (1 MiB, never touched
 * until used): fewer brk calls, and within TRIM_KEEP_DEFAULT. */
#define BREAK_GROW_MIN_CHUNKS ((size_t)16)

/* Transparent huge pages: the break region beyond its first HUGE_START
 * bytes grows in whole HUGE_PAGE_SIZE steps marked MADV_HUGEPAGE, as are
 * mapped regions: a big heap then takes one page fault per 2 MiB instead
 * of 512, while a small program's footprint keeps 4 KiB granularity.
 * ALLOCSCOPE_REF_HUGEPAGES=0 in the environment turns this off. */
#define HUGE_PAGE_SIZE ((size_t)2 << 20)
#define HUGE_PAGE_CHUNKS (HUGE_PAGE_SIZE / CHUNK_SIZE)
#define HUGE_START ((size_t)32 << 20)

/* Adaptive retention of very large spans (big.h): a freed span longer
 * than every span freed before (and than LARGE_KEEP_DEFAULT) is given back
 * at once and raises the bound to its length, up to LARGE_KEEP_MAX. */
#define LARGE_KEEP_DEFAULT ((size_t)32 << 20)
#define LARGE_KEEP_MAX ((size_t)1 << 30)

/* A run whose objects out fall to 1/RUN_SPARSE_FRACTION of its capacity
 * gives its wholly free pages back, and again each time that count halves
 * (until it fills past half again): partly used runs of a shrunken heap do
 * not pin memory. */
#define RUN_SPARSE_FRACTION 4u
#define RUN_PURGE_MIN_PAGES 4 /* fewer wholly free pages are not worth a purge */

/* Thread caches: bytes of objects kept per size class (at least
 * TCACHE_MIN_OBJECTS and at most TCACHE_MAX_OBJECTS objects); every
 * TCACHE_GC_EVENTS refills/flushes a thread halves the bins it did not
 * refill or flush since the last time (idle bins drain). */
#define TCACHE_BYTES_PER_CLASS ((size_t)4096)
#define TCACHE_MIN_OBJECTS 4u
#define TCACHE_MAX_OBJECTS 128u
#define TCACHE_GC_EVENTS 64u

/* Each size class has this many independent pools ("shards"), each with
 * its own lock and its own runs; thread caches are dealt to shards round
 * robin. */
#define SHARD_COUNT 4u

/* Largest alignment and request served.  Nothing near either could be
 * mapped on a 47-bit address space anyway; below them no size arithmetic
 * (request + alignment + rounding) can overflow. */
#define ALIGN_MAX ((size_t)1 << 40)
#define REQUEST_MAX ((size_t)PTRDIFF_MAX - ALIGN_MAX - 4 * CHUNK_SIZE)

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
