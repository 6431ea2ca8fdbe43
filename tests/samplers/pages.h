/* pages.h - fresh anonymous pages for the sampler tests. THP is switched
 * off on each mapping (MADV_NOHUGEPAGE also covers multi-size THP), so every
 * 4 KiB page faults in on its own and counts exactly once. */
#ifndef SAMPLERS_PAGES_H
#define SAMPLERS_PAGES_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static inline size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

static inline char *map_fresh_pages(size_t n)
{
    char *p = mmap(NULL, n * page_size(), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    if (madvise(p, n * page_size(), MADV_NOHUGEPAGE) != 0) {
        perror("madvise(MADV_NOHUGEPAGE)");
        exit(2);
    }
    return p;
}

/* Write one byte per page: one minor fault and one resident anon page each. */
static inline void touch_pages(char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((volatile char *)p)[i * page_size()] = (char)(i | 1);
}

#endif
