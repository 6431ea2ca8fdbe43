/* os.c - break, mappings and page release (see os.h). */
#define _GNU_SOURCE
#include "os.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static _Atomic uint64_t brk_calls, mmap_calls, munmap_calls, madvise_calls, madvise_bytes;

static void count(_Atomic uint64_t *counter, uint64_t n)
{
    atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

void *os_break_current(void)
{
    void *cur = sbrk(0);
    return cur == (void *)-1 ? NULL : cur;
}

bool os_break_move(void *expected, intptr_t delta)
{
    int saved_errno = errno;
    count(&brk_calls, 1);
    bool ok = sbrk(0) == expected && sbrk(delta) == expected;
    errno = saved_errno;
    return ok;
}

void *os_map_chunks(size_t length)
{
    int saved_errno = errno;
    size_t reserve = length + CHUNK_SIZE;
    if (reserve < length)
        return NULL;
    count(&mmap_calls, 1);
    char *m = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED) {
        errno = saved_errno;
        return NULL;
    }
    /* base is the first chunk boundary in the reserve; trim both ends. */
    char *base = (char *)align_up((uintptr_t)m, CHUNK_SIZE);
    if (base > m)
        munmap(m, (size_t)(base - m));
    char *end = base + length, *reserve_end = m + reserve;
    if (reserve_end > end)
        munmap(end, (size_t)(reserve_end - end));
    errno = saved_errno;
    return base;
}

void os_unmap(void *addr, size_t length)
{
    int saved_errno = errno;
    count(&munmap_calls, 1);
    munmap(addr, length);
    errno = saved_errno;
}

void os_decommit(void *addr, size_t length)
{
    int saved_errno = errno;
    count(&madvise_calls, 1);
    count(&madvise_bytes, length);
    madvise(addr, length, MADV_DONTNEED);
    errno = saved_errno;
}

static bool huge_pages_enabled;

static void read_huge_page_setting(void)
{
    const char *v = getenv("ALLOCSCOPE_REF_HUGEPAGES");
    huge_pages_enabled = !(v && v[0] == '0' && v[1] == 0);
}

bool os_huge_pages_enabled(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_huge_page_setting);
    return huge_pages_enabled;
}

void os_want_huge_pages(void *addr, size_t length)
{
    if (!os_huge_pages_enabled() || length == 0)
        return;
    int saved_errno = errno;
    count(&madvise_calls, 1);
    madvise(addr, length, MADV_HUGEPAGE);
    errno = saved_errno;
}

uint64_t os_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

size_t os_page_size(void)
{
    static _Atomic size_t page;
    size_t p = atomic_load_explicit(&page, memory_order_relaxed);
    if (!p) {
        unsigned long v = getauxval(AT_PAGESZ);
        p = v ? (size_t)v : 4096;
        atomic_store_explicit(&page, p, memory_order_relaxed);
    }
    return p;
}

struct os_stats os_stats(void)
{
    return (struct os_stats){
        .brk_calls = atomic_load_explicit(&brk_calls, memory_order_relaxed),
        .mmap_calls = atomic_load_explicit(&mmap_calls, memory_order_relaxed),
        .munmap_calls = atomic_load_explicit(&munmap_calls, memory_order_relaxed),
        .madvise_calls = atomic_load_explicit(&madvise_calls, memory_order_relaxed),
        .madvise_bytes = atomic_load_explicit(&madvise_bytes, memory_order_relaxed),
    };
}
