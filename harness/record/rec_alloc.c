/* rec_alloc.c - the allocator entry points the recorder interposes.
 *
 * Each forwards to the real allocator and records one event in the calling
 * thread's ring (two for realloc), following the ordering rule of
 * trace_format.h: allocations are stamped after the real call returned,
 * frees before the real call. A call made while the thread is already
 * inside a recorded call (a signal handler, the allocator calling itself)
 * and every call of a process that does not record pass straight through.
 */
#define _GNU_SOURCE
#include "rec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_GUESS 4096

static size_t page_size(void)
{
    static size_t page;
    if (!page) {
        long p = sysconf(_SC_PAGESIZE);
        page = p > 0 ? (size_t)p : PAGE_GUESS;
    }
    return page;
}

static inline uintptr_t addr(const void *p)
{
    return (uintptr_t)p;
}

/* ---- passing through (not recorded) -------------------------------------- */

/* True when the real functions are not known yet and this thread is the
 * one finding them: serve from the static arena. */
static bool booting(void)
{
    if (REC_LIKELY(rec_resolved))
        return false;
    if (rec_boot_active())
        return true;
    rec_resolve();
    return false;
}

static int emulated_memalign(void **out, size_t align, size_t size)
{
    size_t a = sizeof(void *);
    while (a < align && a)
        a <<= 1;
    if (!a)
        return EINVAL;
    return rec_real.posix_memalign(out, a, size);
}

static void *call_aligned(unsigned kind, size_t align, size_t size)
{
    void *p = NULL;
    int rc;
    switch (kind) {
    case TEV_ALIGNED_ALLOC:
        if (rec_real.aligned_alloc)
            return rec_real.aligned_alloc(align, size);
        if (align == 0 || (align & (align - 1))) {
            errno = EINVAL;
            return NULL;
        }
        break;
    case TEV_MEMALIGN:
        if (rec_real.memalign)
            return rec_real.memalign(align, size);
        break;
    case TEV_VALLOC:
        if (rec_real.valloc)
            return rec_real.valloc(size);
        align = page_size();
        break;
    case TEV_PVALLOC:
        if (rec_real.pvalloc)
            return rec_real.pvalloc(size);
        align = page_size();
        size = size ? (size + align - 1) & ~(align - 1) : align;
        break;
    }
    rc = emulated_memalign(&p, align, size);
    if (rc) {
        errno = rc;
        return NULL;
    }
    return p;
}

static void *call_reallocarray(void *p, size_t nmemb, size_t size)
{
    if (rec_real.reallocarray)
        return rec_real.reallocarray(p, nmemb, size);
    size_t bytes;
    if (__builtin_mul_overflow(nmemb, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return rec_real.realloc(p, bytes);
}

/* ---- the entry points ------------------------------------------------------ */

REC_EXPORT void *malloc(size_t size)
{
    struct rec_ring *r = rec_enter();
    if (!r)
        return booting() ? rec_boot_alloc(size, 16) : rec_real.malloc(size);
    void *p = rec_real.malloc(size);
    rec_put(r, rec_stamp(), addr(p), size, 0, TEV_MALLOC | (!p && size ? TEV_FLAG_FAILED : 0));
    rec_leave();
    return p;
}

REC_EXPORT void *calloc(size_t nmemb, size_t size)
{
    struct rec_ring *r = rec_enter();
    if (!r) {
        size_t bytes;
        if (booting()) /* the arena is static, hence zeroed, and never reused */
            return __builtin_mul_overflow(nmemb, size, &bytes) ? NULL
                                                               : rec_boot_alloc(bytes, 16);
        return rec_real.calloc(nmemb, size);
    }
    void *p = rec_real.calloc(nmemb, size);
    uint64_t a = size, b = nmemb;
    if (nmemb > REC_B_MASK) { /* keep the product in the size field */
        b = 1;
        if (__builtin_mul_overflow((uint64_t)nmemb, (uint64_t)size, &a))
            a = UINT64_MAX;
    }
    rec_put(r, rec_stamp(), addr(p), a, b,
            TEV_CALLOC | (!p && nmemb && size ? TEV_FLAG_FAILED : 0));
    rec_leave();
    return p;
}

REC_EXPORT void free(void *p)
{
    if (REC_UNLIKELY(rec_boot_owns(p)))
        return;
    struct rec_ring *r = rec_enter();
    if (!r) {
        if (!booting())
            rec_real.free(p);
        return;
    }
    rec_put(r, rec_stamp(), addr(p), 0, 0, TEV_FREE);
    rec_real.free(p);
    rec_leave();
}

/* A block of the static arena leaves it as a new allocation (the arena's
 * blocks were never recorded). */
static void *boot_move(void *p, size_t size)
{
    void *q = malloc(size);
    if (q) {
        size_t old = rec_boot_size(p);
        memcpy(q, p, old < size ? old : size);
    }
    return q;
}

REC_EXPORT void *realloc(void *p, size_t size)
{
    if (REC_UNLIKELY(rec_boot_owns(p)))
        return booting() ? rec_boot_alloc(size, 16) : boot_move(p, size);
    struct rec_ring *r = rec_enter();
    if (!r)
        return booting() ? rec_boot_alloc(size, 16) : rec_real.realloc(p, size);
    /* BEGIN before the call (the old block may be reused from then on),
     * END after it. */
    rec_put(r, rec_stamp(), addr(p), 0, 0, TEV_REALLOC_BEGIN);
    void *q = rec_real.realloc(p, size);
    rec_put(r, rec_stamp(), addr(q), size, 0,
            TEV_REALLOC_END | (!q && size ? TEV_FLAG_FAILED : 0));
    rec_leave();
    return q;
}

REC_EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
    size_t bytes;
    if (REC_UNLIKELY(rec_boot_owns(p))) {
        if (__builtin_mul_overflow(nmemb, size, &bytes)) {
            errno = ENOMEM;
            return NULL;
        }
        return booting() ? rec_boot_alloc(bytes, 16) : boot_move(p, bytes);
    }
    struct rec_ring *r = rec_enter();
    if (!r) {
        if (booting())
            return __builtin_mul_overflow(nmemb, size, &bytes) ? NULL
                                                               : rec_boot_alloc(bytes, 16);
        return call_reallocarray(p, nmemb, size);
    }
    uint64_t n = nmemb, s = size;
    if (nmemb > REC_B_MASK) {
        n = 1;
        if (__builtin_mul_overflow((uint64_t)nmemb, (uint64_t)size, &s))
            s = UINT64_MAX;
    }
    rec_put(r, rec_stamp(), addr(p), 0, 0, TEV_REALLOC_BEGIN);
    void *q = call_reallocarray(p, nmemb, size);
    rec_put(r, rec_stamp(), addr(q), s, n,
            TEV_REALLOCARRAY_END | (!q && nmemb && size ? TEV_FLAG_FAILED : 0));
    rec_leave();
    return q;
}

REC_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    struct rec_ring *r = rec_enter();
    if (!r) {
        if (booting()) {
            *out = rec_boot_alloc(size, align);
            return *out ? 0 : ENOMEM;
        }
        return rec_real.posix_memalign(out, align, size);
    }
    void *p = NULL;
    int rc = rec_real.posix_memalign(&p, align, size);
    if (rc == 0)
        *out = p;
    rec_put(r, rec_stamp(), rc ? 0 : addr(p), size, align,
            TEV_POSIX_MEMALIGN | (rc ? TEV_FLAG_FAILED : 0));
    rec_leave();
    return rc;
}

static void *aligned_entry(unsigned kind, size_t align, size_t size)
{
    struct rec_ring *r = rec_enter();
    if (!r)
        return booting() ? rec_boot_alloc(size, align ? align : 4096) : call_aligned(kind, align, size);
    void *p = call_aligned(kind, align, size);
    rec_put(r, rec_stamp(), addr(p), size, align, kind | (!p ? TEV_FLAG_FAILED : 0));
    rec_leave();
    return p;
}

REC_EXPORT void *aligned_alloc(size_t align, size_t size)
{
    return aligned_entry(TEV_ALIGNED_ALLOC, align, size);
}

REC_EXPORT void *memalign(size_t align, size_t size)
{
    return aligned_entry(TEV_MEMALIGN, align, size);
}

REC_EXPORT void *valloc(size_t size)
{
    return aligned_entry(TEV_VALLOC, 0, size);
}

REC_EXPORT void *pvalloc(size_t size)
{
    return aligned_entry(TEV_PVALLOC, 0, size);
}

REC_EXPORT size_t malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    if (REC_UNLIKELY(rec_boot_owns(p)))
        return rec_boot_size(p);
    struct rec_ring *r = rec_enter();
    if (!r) {
        if (booting() || !rec_real.malloc_usable_size)
            return 0;
        return rec_real.malloc_usable_size(p);
    }
    size_t n = rec_real.malloc_usable_size ? rec_real.malloc_usable_size(p) : 0;
    rec_put(r, rec_stamp(), addr(p), n, 0, TEV_USABLE_SIZE);
    rec_leave();
    return n;
}
