/* guard.h - hardening: the per-process secret, encoded links and headers,
 * the free-object mark, and the abort messages.
 *
 * What is protected, and how:
 *   - A run header's tag is its class XOR its own address XOR the secret,
 *     so free() accepts a header only if it was written by this process at
 *     that address (random or stale data, or a header copied elsewhere,
 *     decodes to garbage and the pointer is refused).
 *   - Every free object in a thread cache or run carries FREE_MARK (the
 *     secret) in its second word; handing an object out clears it.  free()
 *     of an object that still carries the mark is a double free, wherever
 *     the object sits (any thread's cache, or its run).
 *   - Thread-cache links (the first word of a cached object) are stored
 *     XORed with the secret, so a use-after-free write cannot plant a
 *     chosen pointer; a decoded link must be 16-aligned.
 *   - Runs keep their free objects in an out-of-band bitmap, not in links:
 *     an object returning to its run is checked exactly (inside the object
 *     area, at an object boundary, not already free).
 *   - Spans are looked up in their region's table, never by reading the
 *     memory around the pointer: a span freed twice, or a pointer into a
 *     region the allocator gave back, is reported, not a SIGSEGV.
 */
#ifndef REF_GUARD_H
#define REF_GUARD_H

#include <stdint.h>

#include "config.h"

/* The secret: random, odd and nonzero, fixed before any header or link is
 * written: guard_ensure (pthread_once) runs before a run is made, so every
 * thread that reads the secret has seen it written. */
extern INTERNAL uintptr_t guard_secret;

INTERNAL void guard_ensure(void);

static inline uintptr_t guard_tag(const void *header, uintptr_t value)
{
    return value ^ (uintptr_t)header ^ guard_secret;
}

static inline uintptr_t guard_untag(const void *header, uintptr_t tag)
{
    return tag ^ (uintptr_t)header ^ guard_secret;
}

static inline void *guard_link_encode(void *next)
{
    return (void *)((uintptr_t)next ^ guard_secret);
}

static inline void *guard_link_decode(void *stored)
{
    return (void *)((uintptr_t)stored ^ guard_secret);
}

/* The second word of a free object. */
static inline uintptr_t *guard_mark_word(void *object)
{
    return (uintptr_t *)object + 1;
}

enum guard_error {
    GUARD_DOUBLE_FREE,     /* the object is already free */
    GUARD_INVALID_POINTER, /* not a pointer this allocator returned */
    GUARD_INTERIOR_POINTER, /* inside an object, not at its start */
    GUARD_CORRUPT_LINK,    /* a free list link was overwritten */
};

/* Writes "allocscope_reference: WHAT in CALL(POINTER)" to stderr and
 * aborts, allocating nothing. */
__attribute__((noreturn, cold)) INTERNAL void guard_fail(enum guard_error what, const char *call,
                                                         const void *pointer);

#endif
