/* api.c - the allocation interface, with glibc's semantics.
 *
 * With api_info.c, the only file whose symbols leave the library
 * (everything else is hidden).  Rules kept here:
 *   - every size computation that could overflow (calloc's n * size,
 *     reallocarray, pvalloc's rounding, alignment padding) fails with NULL
 *     and errno = ENOMEM: requests above REQUEST_MAX and alignments above
 *     ALIGN_MAX are refused before any arithmetic;
 *   - a request of 0 bytes, with any alignment, is a unique block with at
 *     least one usable byte (malloc(0) is a 16-byte object);
 *   - realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns
 *     NULL; a failed realloc leaves p as it was;
 *   - free(NULL) does nothing and free never changes errno;
 *   - posix_memalign reports EINVAL without touching *memptr; aligned_alloc
 *     refuses alignments that are not powers of two (C17; glibc does so from
 *     2.38); memalign rounds them up, as glibc does;
 *   - a pointer the allocator did not return, or returned and took back,
 *     aborts with a message naming the call (guard.h says what is checked).
 */
#define _GNU_SOURCE
#include "api.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "big.h"
#include "guard.h"
#include "heap.h"
#include "os.h"
#include "run.h"
#include "size_class.h"
#include "thread_cache.h"

static void *fail_nomem(void)
{
    errno = ENOMEM;
    return NULL;
}

__attribute__((noinline)) static void *small_alloc_slow(unsigned c)
{
    void *p = tc_alloc_slow(c);
    return p ? p : fail_nomem();
}

/* The fast path: a pop from the thread cache; everything else is a call
 * in tail position, so the fast path needs no stack frame. */
static inline void *small_alloc(unsigned c)
{
    void *p = tc_pop(c);
    if (LIKELY(p != NULL))
        return p;
    return small_alloc_slow(c);
}

__attribute__((noinline)) static void *big(size_t size, size_t align, bool zero)
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
    unsigned c = size_class_for_alignment(size, align);
    if (c < SIZE_CLASS_COUNT)
        return small_alloc(c);
    return big(size, align, false);
}

/* Strict build: whether p's chunk lies in the break region (fast), and
 * whether its header may be read at all (also in a mapped region: slow). */
static inline bool in_break_region(const struct run *run)
{
    uintptr_t lo = atomic_load_explicit(&heap_break_lo, memory_order_relaxed);
    uintptr_t len = atomic_load_explicit(&heap_break_len, memory_order_relaxed);
    return (uintptr_t)run - lo < len;
}

static inline bool header_readable(const struct run *run)
{
    return in_break_region(run) || heap_contains(run);
}

/* The checks every free of a small object p (not chunk-aligned) makes: the
 * run header is genuine, p is not marked free (a double free), and p is an
 * object start.  Returns the error, or -1 when p passes. */
static inline int small_pointer_error(const struct run *run, uintptr_t c, void *p)
{
    if (UNLIKELY(c >= SIZE_CLASS_COUNT))
        return GUARD_INVALID_POINTER;
    if (REF_HARDENING && UNLIKELY(*guard_mark_word(p) == guard_secret))
        return GUARD_DOUBLE_FREE;
    if (REF_HARDENING == 1 && UNLIKELY(((uintptr_t)p & (MIN_ALIGN - 1)) != 0))
        return GUARD_INTERIOR_POINTER;
    if (REF_HARDENING >= 2 && UNLIKELY(!run_is_object_start(run, p)))
        return GUARD_INTERIOR_POINTER;
    return -1;
}

/* The class of a small object p after those checks and, at any level,
 * the exact boundary test (realloc: cheap beside the copy). */
static unsigned checked_class(void *p, const char *call)
{
    struct run *run = run_of(p);
    if (REF_HARDENING >= 2 && UNLIKELY(!header_readable(run)))
        guard_fail(GUARD_INVALID_POINTER, call, p);
    uintptr_t c = run_class_of(run);
    int error = small_pointer_error(run, c, p);
    if (error < 0 && UNLIKELY(!run_is_object_start(run, p)))
        error = GUARD_INTERIOR_POINTER;
    if (UNLIKELY(error >= 0))
        guard_fail((enum guard_error)error, call, p);
    return (unsigned)c;
}

static inline bool is_span_or_null(const void *p)
{
    return ((uintptr_t)p & CHUNK_MASK) == 0;
}

__attribute__((noinline)) static void release_span_or_null(void *p, const char *call)
{
    if (p) {
        int saved_errno = errno;
        big_free(p, call);
        errno = saved_errno;
    }
}

/* Strict build, a pointer outside the break region: a mapped region's,
 * or not the allocator's at all. */
__attribute__((noinline)) static void release_outside_break(void *p, const char *call)
{
    unsigned c = checked_class(p, call);
    if (!tc_push(c, p))
        tc_free_slow(c, p);
}

/* Every exit that is not the push is a tail call: no stack frame. */
static inline void release(void *p, const char *call)
{
    if (UNLIKELY(is_span_or_null(p))) {
        release_span_or_null(p, call);
        return;
    }
    struct run *run = run_of(p);
    if (REF_HARDENING >= 2 && UNLIKELY(!in_break_region(run))) {
        release_outside_break(p, call);
        return;
    }
    uintptr_t c = run_class_of(run);
    int error = small_pointer_error(run, c, p);
    if (UNLIKELY(error >= 0)) {
        guard_reject((enum guard_error)error, call, p);
        return;
    }
    if (LIKELY(tc_push((unsigned)c, p)))
        return;
    tc_free_slow((unsigned)c, p);
}

EXPORT void *REF_NAME(malloc)(size_t size)
{
    return alloc(size);
}

EXPORT void REF_NAME(free)(void *p)
{
    release(p, "free");
}

EXPORT void REF_NAME(cfree)(void *p)
{
    release(p, "cfree");
}

EXPORT void *REF_NAME(calloc)(size_t n, size_t size)
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

EXPORT void *REF_NAME(realloc)(void *p, size_t size)
{
    if (!p)
        return alloc(size);
    if (size == 0) {
        release(p, "realloc");
        return NULL;
    }
    size_t usable;
    if (is_span_or_null(p)) {
        usable = big_usable_size(p, "realloc");
        /* a span stays a span: shrink or grow it in place if it can */
        if (size > SMALL_MAX && size <= REQUEST_MAX && big_resize_in_place(p, size))
            return p;
    } else {
        usable = size_class_size(checked_class(p, "realloc"));
        /* it fits, and moving would not save at least half of it */
        if (size <= usable && (size >= usable / 2 || usable <= 64))
            return p;
    }
    void *q = alloc(size);
    if (!q)
        return NULL; /* p stays valid and unchanged */
    memcpy(q, p, size < usable ? size : usable);
    release(p, "realloc");
    return q;
}

EXPORT void *REF_NAME(reallocarray)(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        return fail_nomem();
    return REF_NAME(realloc)(p, total);
}

EXPORT int REF_NAME(posix_memalign)(void **memptr, size_t align, size_t size)
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

EXPORT void *REF_NAME(aligned_alloc)(size_t align, size_t size)
{
    if (!is_power_of_two(align)) {
        errno = EINVAL;
        return NULL;
    }
    return alloc_aligned(size, align);
}

EXPORT void *REF_NAME(memalign)(size_t align, size_t size)
{
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    if (!is_power_of_two(align) && align > MIN_ALIGN)
        align = (size_t)1 << (64 - __builtin_clzll(align));
    return alloc_aligned(size, align);
}

EXPORT void *REF_NAME(valloc)(size_t size)
{
    return alloc_aligned(size, os_page_size());
}

EXPORT void *REF_NAME(pvalloc)(size_t size)
{
    size_t page = os_page_size();
    if (size > SIZE_MAX - (page - 1))
        return fail_nomem();
    return alloc_aligned(align_up(size, page), page);
}

EXPORT size_t REF_NAME(malloc_usable_size)(void *p)
{
    if (!p)
        return 0;
    if (is_span_or_null(p))
        return big_usable_size(p, "malloc_usable_size");
    struct run *run = run_of(p);
    if (REF_HARDENING >= 2 && UNLIKELY(!header_readable(run)))
        guard_fail(GUARD_INVALID_POINTER, "malloc_usable_size", p);
    if (UNLIKELY(run_class_of(run) >= SIZE_CLASS_COUNT))
        guard_fail(GUARD_INVALID_POINTER, "malloc_usable_size", p);
    if (UNLIKELY(!run_is_object_start(run, p)))
        guard_fail(GUARD_INTERIOR_POINTER, "malloc_usable_size", p);
    return run->object_size;
}
