/* os.c - break, mappings and page release (see os.h). */
#define _GNU_SOURCE
#include "os.h"

#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

void *os_break_current(void)
{
    void *cur = sbrk(0);
    return cur == (void *)-1 ? NULL : cur;
}

bool os_break_move(void *expected, intptr_t delta)
{
    if (sbrk(0) != expected)
        return false;
    return sbrk(delta) == expected;
}

void *os_map_aligned(size_t length, size_t align, size_t skew)
{
    size_t reserve = length + align;
    if (reserve < length)
        return NULL;
    char *m = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    /* base + skew is the first multiple of align at or after m + skew, so
     * m <= base < m + align and [base, base + length) lies inside. */
    char *base = (char *)(align_up((uintptr_t)m + skew, align) - skew);
    if (base > m)
        munmap(m, (size_t)(base - m));
    char *end = base + length, *reserve_end = m + reserve;
    if (reserve_end > end)
        munmap(end, (size_t)(reserve_end - end));
    return base;
}

void os_unmap(void *addr, size_t length)
{
    munmap(addr, length);
}

bool os_remap_in_place(void *addr, size_t old_length, size_t new_length)
{
    return mremap(addr, old_length, new_length, 0) == addr;
}

void os_decommit(void *addr, size_t length)
{
    madvise(addr, length, MADV_DONTNEED);
}

size_t os_page_size(void)
{
    static size_t page;
    if (!page) {
        unsigned long v = getauxval(AT_PAGESZ);
        page = v ? (size_t)v : 4096;
    }
    return page;
}
