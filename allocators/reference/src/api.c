/* api.c - the exported malloc interface, with glibc's semantics.
 *
 * The only file whose symbols leave the library (everything else is
 * hidden).  Rules kept here:
 *   - every size computation that could overflow (calloc's n * size,
 *     reallocarray, pvalloc's rounding, header and alignment padding) fails
 *     with NULL and errno = ENOMEM: requests above REQUEST_MAX and
 *     alignments above ALIGN_MAX are refused before any arithmetic;
 *   - malloc(0) is a unique 16-byte object; realloc(NULL, n) is malloc(n);
 *     realloc(p, 0) frees p and returns NULL; a failed realloc leaves p;
 *   - free(NULL) does nothing and free never changes errno;
 *   - posix_memalign reports EINVAL without touching *memptr; aligned_alloc
 *     refuses alignments that are not powers of two (C17; glibc does so from
 *     2.38); memalign rounds them up, as glibc does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "big.h"
#include "chunk.h"
#include "heap.h"
#include "os.h"
#include "size_class.h"
#include "thread_cache.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef REFERENCE_VERSION
#define REFERENCE_VERSION "unknown"
#endif

static void *fail_nomem(void)
{
    errno = ENOMEM;
    return NULL;
}

__attribute__((noreturn, cold)) static void invalid_pointer(const char *where)
{
    static const char msg[] = "allocscope_reference: invalid pointer passed to ";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    ignored = write(STDERR_FILENO, where, strlen(where));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    abort();
}

static inline void *small_alloc(unsigned c)
{
    void *p = tc_pop(c);
    if (LIKELY(p != NULL))
        return p;
    p = tc_alloc_slow(c);
    return p ? p : fail_nomem();
}

static void *big(size_t size, size_t align, bool zero)
{
    if (size > REQUEST_MAX || align > ALIGN_MAX)
        return fail_nomem();
    void *p = big_alloc(size, align, zero);
    return p ? p : fail_nomem();
}

static inline void *alloc(size_t size)
{
    if (LIKELY(size <= SMALL_MAX))
        return small_alloc(size_class_of(size));
    return big(size, MIN_ALIGN, false);
}

/* align: a power of two. */
static void *alloc_aligned(size_t size, size_t align)
{
    if (align <= MIN_ALIGN)
        return alloc(size);
    if (align <= CHUNK_HEADER_SIZE) {
        unsigned c = size_class_for_alignment(size, align);
        if (c < SIZE_CLASS_COUNT)
            return small_alloc(c);
    }
    return big(size, align, false);
}

static inline void release(void *p)
{
    struct chunk *h = chunk_of(p);
    if (LIKELY(h->kind == CHUNK_RUN)) {
        unsigned c = h->class_index;
        if (LIKELY(tc_push(c, p)))
            return;
        tc_free_slow(c, p);
    } else if (h->kind == CHUNK_SPAN || h->kind == CHUNK_MAPPED) {
        int saved_errno = errno;
        big_free(h);
        errno = saved_errno;
    } else {
        invalid_pointer("free");
    }
}

static size_t usable_size(const void *p)
{
    const struct chunk *h = chunk_of(p);
    if (h->kind == CHUNK_RUN)
        return h->object_size;
    if (h->kind == CHUNK_SPAN || h->kind == CHUNK_MAPPED)
        return big_usable_size(h, p);
    invalid_pointer("malloc_usable_size");
}

EXPORT void *malloc(size_t size)
{
    return alloc(size);
}

EXPORT void free(void *p)
{
    if (LIKELY(p != NULL))
        release(p);
}

EXPORT void cfree(void *p)
{
    free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        return fail_nomem();
    if (total <= SMALL_MAX) {
        void *p = small_alloc(size_class_of(total));
        if (p)
            memset(p, 0, total);
        return p;
    }
    return big(total, MIN_ALIGN, true);
}

/* Whether a block of `usable` bytes should simply keep serving `size`:
 * it fits, and moving would not save at least half of it. */
static bool keep_in_place(size_t usable, size_t size)
{
    return size <= usable && size >= usable / 2;
}

EXPORT void *realloc(void *p, size_t size)
{
    if (!p)
        return alloc(size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    struct chunk *h = chunk_of(p);
    size_t usable = usable_size(p);
    if (h->kind == CHUNK_RUN) {
        if (keep_in_place(usable, size) || (size <= usable && usable <= 64))
            return p;
    } else if (size > SMALL_MAX && size <= REQUEST_MAX) {
        if (big_resize_in_place(h, p, size))
            return p;
    }
    void *q = alloc(size);
    if (!q)
        return NULL; /* p stays valid and unchanged */
    memcpy(q, p, size < usable ? size : usable);
    free(p);
    return q;
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        return fail_nomem();
    return realloc(p, total);
}

EXPORT int posix_memalign(void **memptr, size_t align, size_t size)
{
    if (align % sizeof(void *) != 0 || !is_power_of_two(align))
        return EINVAL;
    int saved_errno = errno;
    void *p = alloc_aligned(size, align);
    errno = saved_errno;
    if (!p)
        return ENOMEM;
    *memptr = p;
    return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    if (!is_power_of_two(align)) {
        errno = EINVAL;
        return NULL;
    }
    return alloc_aligned(size, align);
}

EXPORT void *memalign(size_t align, size_t size)
{
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    if (!is_power_of_two(align) && align > MIN_ALIGN)
        align = (size_t)1 << (64 - __builtin_clzll(align));
    return alloc_aligned(size, align);
}

EXPORT void *valloc(size_t size)
{
    return alloc_aligned(size, os_page_size());
}

EXPORT void *pvalloc(size_t size)
{
    size_t page = os_page_size();
    if (size > SIZE_MAX - (page - 1))
        return fail_nomem();
    return alloc_aligned(align_up(size, page), page);
}

EXPORT size_t malloc_usable_size(void *p)
{
    return p ? usable_size(p) : 0;
}

/* M_TRIM_THRESHOLD sets how many bytes of freed chunks may stay resident
 * before they are given back; every other parameter is accepted and
 * ignored (this allocator has no other knobs). */
EXPORT int mallopt(int param, int value)
{
    if (param == M_TRIM_THRESHOLD && value >= 0)
        heap_set_dirty_limit((size_t)value);
    return 1;
}

/* Returns the calling thread's cached objects and every free chunk to the
 * OS; 1 if any memory was released.  `pad` is ignored. */
EXPORT int malloc_trim(size_t pad)
{
    (void)pad;
    tc_flush();
    return heap_purge() > 0;
}

/* Chunk-level figures (objects inside runs are not counted one by one):
 * arena = heap chunks from the break and fallback mappings, fordblks = the
 * free ones, uordblks = the rest, hblks/hblkhd = mapped big blocks. */
EXPORT struct mallinfo2 mallinfo2(void)
{
    struct heap_stats hs = heap_stats();
    struct big_stats bs = big_stats();
    struct mallinfo2 mi;
    memset(&mi, 0, sizeof mi);
    mi.arena = hs.break_bytes + hs.fallback_bytes;
    mi.ordblks = hs.free_bytes / CHUNK_SIZE;
    mi.fordblks = hs.free_bytes;
    mi.uordblks = mi.arena - mi.fordblks;
    mi.hblks = bs.mapped_blocks;
    mi.hblkhd = bs.mapped_bytes;
    return mi;
}

/* Lets a harness (or a test) confirm that this library serves malloc. */
EXPORT const char *allocscope_reference_version(void)
{
    return REFERENCE_VERSION;
}
