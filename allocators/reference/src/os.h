/* os.h - the allocator's only contact with the kernel: the program break,
 * anonymous mappings, and giving pages back.  None of these allocate. */
#ifndef REF_OS_H
#define REF_OS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The current break, or NULL if it cannot be read. */
INTERNAL void *os_break_current(void);
/* Moves the break from `expected` by `delta` bytes; false (break unchanged)
 * if the break is not at `expected` or the kernel refuses. */
INTERNAL bool os_break_move(void *expected, intptr_t delta);

/* A fresh zero-filled mapping of `length` bytes (a multiple of the page
 * size) at an address `base` with (base + skew) % align == 0; align is a
 * power of two >= the page size, skew a multiple of the page size. */
INTERNAL void *os_map_aligned(size_t length, size_t align, size_t skew);
INTERNAL void os_unmap(void *addr, size_t length);
/* Grows or shrinks a mapping without moving it; false if it cannot. */
INTERNAL bool os_remap_in_place(void *addr, size_t old_length, size_t new_length);
/* Drops the pages' contents: they read back as zero and leave the RSS. */
INTERNAL void os_decommit(void *addr, size_t length);

INTERNAL size_t os_page_size(void);

#endif
