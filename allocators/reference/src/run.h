/* run.h - a run: one chunk of small objects of one size class.
 *
 * The header sits at the chunk's start, so free() finds it by rounding an
 * object's address down to the chunk; its first cache line is written
 * once, when the run is made, and read by every free (in any thread); the
 * state the pool lock guards is on the next line.  Free objects are kept
 * out of band, in a bitmap after the header (bit i set: object i is free),
 * never in the objects themselves, so:
 *   - an object coming back is checked exactly: inside the object area, on
 *     an object boundary, and not free already (run_put);
 *   - wholly free pages of a sparse run can be given back to the OS
 *     without losing any metadata (run_purge_sparse).
 * Invariants, under the lock of the run's pool (central.c):
 *   - free_count is the number of set bits, capacity - free_count objects
 *     are out (with users or in thread caches);
 *   - no set bit lies in a word below scan_word;
 *   - objects at index >= touched_end have never been handed out, so
 *     their pages were never written;
 *   - purged_pages marks pages given back while the run was sparse; no
 *     object overlapping such a page is out.
 */
#ifndef REF_RUN_H
#define REF_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "guard.h"

struct run {
    /* line 0: fixed while the run exists */
    uintptr_t tag;         /* guard_tag(class index) */
    char *objects;         /* the first object */
    uint32_t area;         /* capacity * object_size */
    uint32_t object_size;
    uint32_t magic;        /* size_class_divisor_magic */
    uint32_t start_limit;  /* size_class_start_limit */
    uint32_t capacity;
    uint16_t first_offset; /* objects - run */
    uint16_t shard;        /* the pool that owns the run (central.c) */
    uint16_t class_index;

    /* line 1: state, under the pool's lock */
    _Alignas(64) struct run *prev; /* the pool's partial list */
    struct run *next;
    uint32_t free_count;
    uint32_t scan_word;
    uint32_t touched_end;
    uint32_t purge_at;     /* give pages back when objects out fall to this */
    uint16_t purged_pages;
    bool on_partial_list;
    bool sparse_pending;   /* on the pool's sparse list, to purge */
    uint32_t sparse_tick;  /* the decay tick when it was put there */
    struct run *sparse_prev, *sparse_next;

    _Alignas(64) uint64_t free_bits[];
};

_Static_assert(__builtin_offsetof(struct run, free_bits) == RUN_HEADER_FIXED, "fixed header size");

static inline struct run *run_of(const void *object)
{
    return (struct run *)((uintptr_t)object & ~(uintptr_t)CHUNK_MASK);
}

/* The class of the run holding `object`, or a value >= SIZE_CLASS_COUNT if
 * the chunk holds no run made by this process. */
static inline uintptr_t run_class_of(const struct run *run)
{
    return guard_untag(run->tag);
}

/* Whether `object` (inside the run's chunk) is exactly at the start of
 * one of its objects: one multiply and one compare on its offset from the
 * first object, taken modulo 2^16 so that a pointer into the header wraps
 * past the object area (size_class.h proves the test exact). */
static inline bool run_is_object_start(const struct run *run, const void *object)
{
    uint16_t offset = (uint16_t)((uintptr_t)object - run->first_offset);
    return (uint32_t)offset * run->magic < run->start_limit;
}

/* Sets up a run of class c in a chunk; all objects free. */
INTERNAL struct run *run_create(void *chunk, unsigned c, unsigned shard);

/* Takes up to `want` free objects (lowest first) into out[], writing each
 * one's free mark (they go to a thread cache); returns how many. */
INTERNAL uint32_t run_take(struct run *run, uint32_t want, void **out);

/* Returns `object` to its run: aborts with a message if it is not an
 * object start or is free already (a double free).  Returns true when the
 * objects out just fell to purge_at (the caller may purge the run). */
INTERNAL bool run_put(struct run *run, void *object, const char *call);

/* Gives wholly free, once-touched pages of the run back to the OS. */
INTERNAL void run_purge_sparse(struct run *run);

/* Debug builds: the bitmap against the counters. */
INTERNAL void run_check_invariants(const struct run *run);

#endif
