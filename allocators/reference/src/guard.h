/* guard.h - hardening: the per-process secret, encoded links and headers,
 * the free-object mark, and the abort messages.
 *
 * What is protected, and how:
 *   - A run header's tag is its class XOR the secret, so free() accepts a
 *     header only if it was written by this process (random or stale data
 *     decodes to garbage, and a released run's tag is cleared).
 *   - Every free object in a thread cache or run carries the free mark (the
 *     secret) in its second word; handing an object out clears it.  free()
 *     of an object that still carries the mark is a double free, wherever
 *     the object sits (any thread's cache, or its run), unless its page was
 *     given back to the OS meanwhile (then the run's bitmap catches it when
 *     the object returns to the run).
 *   - free() of a pointer inside an object: a pointer that is not 16-byte
 *     aligned is refused at once; one that is (p + 16, p + 32...) is refused
 *     at once in the strict build, and otherwise when it returns to its run
 *     (a cache flush), possibly after a malloc handed it out.
 *   - No free list lives in user memory: thread caches are stacks of
 *     pointers in a per-thread block, runs keep a bitmap in their header,
 *     so a use-after-free write cannot steer a later malloc; an object
 *     returning to its run is checked exactly (inside the object area, at
 *     an object boundary, not already free).
 *   - Spans are looked up in their region's table, never by reading the
 *     memory around the pointer: a span freed twice, or a pointer into a
 *     region the allocator gave back, is reported, not a SIGSEGV.
 *   - A pointer that is not chunk-aligned is taken for a small object and
 *     its chunk's header is read: in the default build, a pointer into
 *     memory the allocator never had (the stack, a global) is refused when
 *     the header reads as garbage, or crashes if that address is unmapped,
 *     as in glibc; the strict build first checks the address range.
 */
#ifndef REF_GUARD_H
#define REF_GUARD_H

#include <stdint.h>

#include "config.h"

/* Hardening levels (REF_HARDENING), for the checks on the fast paths:
 *   1 (default)  header tags, free marks, and a 16-byte alignment test at
 *                every free; an object's exact boundary is checked when it
 *                returns to its run (see below);
 *   2 (strict)   also the exact object-boundary test at every free, and
 *                no header is read before the pointer is known to lie in
 *                the allocator's memory (cmake -DALLOCSCOPE_REF_STRICT=ON);
 *   0            none of them: only to measure what they cost
 *                (bench/hardening_cost.sh).
 * Runs check returning objects exactly at every level. */
#ifndef REF_HARDENING
#define REF_HARDENING 1
#endif

/* The secret: random, odd and nonzero, fixed before any header or link is
 * written: guard_ensure (pthread_once) runs before a run is made, so every
 * thread that reads the secret has seen it written. */
extern INTERNAL uintptr_t guard_secret;

INTERNAL void guard_ensure(void);

static inline uintptr_t guard_tag(uintptr_t value)
{
    return REF_HARDENING ? value ^ guard_secret : value;
}

static inline uintptr_t guard_untag(uintptr_t tag)
{
    return REF_HARDENING ? tag ^ guard_secret : tag;
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
    GUARD_FREE_OBJECT,     /* free in its run: a double free, or never allocated */
};

/* Writes "allocscope_reference: WHAT in CALL(POINTER)" to stderr and
 * aborts, allocating nothing. */
__attribute__((noreturn, cold)) INTERNAL void guard_fail(enum guard_error what, const char *call,
                                                         const void *pointer);
/* The same, for the fast paths: declared as returning, so a caller can
 * reach it by a tail jump and keep no stack frame of its own. */
__attribute__((cold)) INTERNAL void guard_reject(enum guard_error what, const char *call, const void *pointer);

#endif
