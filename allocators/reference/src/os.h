/* os.h - the allocator's only contact with the kernel: the program break,
 * anonymous mappings, giving pages back, and a cheap clock.  None of these
 * allocate, and each keeps errno as it was. */
#ifndef REF_OS_H
#define REF_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The current break, or NULL if it cannot be read. */
INTERNAL void *os_break_current(void);
/* Moves the break from `expected` by `delta` bytes; false (break unchanged)
 * if the break is not at `expected` or the kernel refuses. */
INTERNAL bool os_break_move(void *expected, intptr_t delta);

/* A fresh zero-filled mapping of `length` bytes (a multiple of CHUNK_SIZE),
 * CHUNK_SIZE-aligned, or NULL. */
INTERNAL void *os_map_chunks(size_t length);
INTERNAL void os_unmap(void *addr, size_t length);
/* Drops the pages' contents: they read back as zero and leave the RSS. */
INTERNAL void os_decommit(void *addr, size_t length);

/* Asks for transparent huge pages on [addr, addr + length) (2 MiB-aligned),
 * unless ALLOCSCOPE_REF_HUGEPAGES=0; a no-op where the kernel has none. */
INTERNAL void os_want_huge_pages(void *addr, size_t length);
INTERNAL bool os_huge_pages_enabled(void);

/* Milliseconds from a coarse monotonic clock (a few ms resolution). */
INTERNAL uint64_t os_now_ms(void);

INTERNAL size_t os_page_size(void);

/* Counts of the system calls above, for malloc_info and the benchmarks. */
struct os_stats {
    uint64_t brk_calls, mmap_calls, munmap_calls, madvise_calls;
    uint64_t madvise_bytes;
};
INTERNAL struct os_stats os_stats(void);

#endif
