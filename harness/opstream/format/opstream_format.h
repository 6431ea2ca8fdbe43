/* opstream_format.h - the op stream as the worker sees it: the ops and the
 * bounded window they arrive through. Shared by the generator (opgen.c, in
 * the parent) and the worker; it depends on nothing else, so the worker
 * sees the stream but not the spec.
 *
 * The stream is never held whole. The parent generates it chunk by chunk
 * into the *window*, a memfd of fixed size that the worker maps read-only
 * and pre-faults before its baseline; when the worker has executed a chunk
 * it asks for the next one and waits, its clock and counters paused, while
 * the parent overwrites the window (lockstep: nothing else runs while the
 * worker measures). So neither process's memory grows with the op count,
 * and no op-stream page is faulted in or counted while the allocator is
 * measured.
 *
 * Window layout:  struct opwindow_header | struct op ops[op_capacity]
 *                 | uint32_t timed[op_capacity]
 *                 | int64_t live_at[opwindow_live_entries(op_capacity)]
 * A chunk gives each thread one segment of ops (in global order) and, for
 * each segment, the positions of the ops to time (chosen at random by the
 * generator, identical for every allocator).
 *
 * Cross-thread invariants (what makes the waits deadlock-free):
 *  - Ops are generated in one global order and numbered in it (gidx); each
 *    thread's segment is in that order. A slot alternates allocation and
 *    free. The synthetic generator reallocs only in the thread that
 *    allocated the object, before any hand-off; a replayed trace may
 *    realloc in any thread (the op then waits like any other on its slot).
 *  - Every op carries `seq`, the number of ops on its slot before it. An op
 *    with OPF_WAIT (its slot's previous op ran in another thread) waits
 *    until the slot's executed-op count equals `seq`. Counting, rather than
 *    looking at whether the slot holds a pointer, rules out ABA: a slot that
 *    was freed and refilled looks the same but has a different count.
 *  - Every wait points to an earlier op in global order, so the pending op
 *    earliest in that order can always run: no deadlock. Every chunk ends
 *    with all threads meeting, so a wait never reaches into a later chunk.
 *  - Run-ahead bound: no thread starts an op whose gidx is `runahead` or
 *    more past the position another thread has published. A thread
 *    publishes its true position before it blocks, so the thread furthest
 *    behind is never held back: still no deadlock, and the live set at run
 *    time stays within `runahead` ops of the generator's exact one.
 */
#ifndef ALLOCSCOPE_OPSTREAM_FORMAT_H
#define ALLOCSCOPE_OPSTREAM_FORMAT_H

#include <stdint.h>

#define OPWINDOW_MAGIC 0x3257444e49575041ULL /* "APWINDW2" */
#define OPWINDOW_VERSION 2
#define OPWINDOW_MAX_THREADS 256
/* Forced samples per chunk (live bytes passing a new high). */
#define OPWINDOW_MAX_MARKS 64

enum op_kind {
    OP_MALLOC = 1,
    OP_CALLOC,
    OP_REALLOC,        /* slot holds a live object; size packs the new size
                          (low 32 bits) and the old one (high 32 bits):
                          object sizes are below 2^32 (opstream.h) */
    OP_POSIX_MEMALIGN, /* align_log2 gives the alignment */
    OP_ALIGNED_ALLOC,  /* size is a multiple of the alignment */
    OP_FREE,
    OP_PHASE_END,      /* all threads meet; a sample is taken; slot = the phase,
                          size = ops (all threads) before this point */
    OP_DELAY,          /* pacing (a trace replayed at its recorded pace): the
                          thread waits until the run's measured clock reaches
                          `size` ns; like a phase marker it is not an
                          allocator call and not counted as an op */
    OP_ACCESS,         /* read (touch = OP_ACCESS_WRITE: also rewrite) the
                          first `size` bytes of the slot's live object. No
                          allocator call, not counted as an op, but it has a
                          slot and a seq like one: with threads it waits
                          for the slot's earlier ops like any other */
    OP_KIND_END
};

/* How much of a new object the worker writes (the spec's touch modes, with
 * the same values: opstream.h checks that). */
enum op_touch {
    OP_TOUCH_NONE,
    OP_TOUCH_FIRST,
    OP_TOUCH_PAGES,
    OP_TOUCH_ALL,
};

/* Ops that are no allocator call (no slot, no seq; not counted as ops). */
static inline int op_is_marker(unsigned kind)
{
    return kind == OP_PHASE_END || kind == OP_DELAY;
}

enum op_flags {
    OPF_WAIT = 1, /* previous op on this slot was done by another thread */
    /* On OP_PHASE_END: what kind of phase ends here. */
    OPF_PHASE_ACCESS = 2,    /* an access phase: its time is access time */
    OPF_PHASE_FORK_IDLE = 4, /* a fork phase: fork a child that sleeps */
    OPF_PHASE_FORK_READ = 8, /* ... a child that reads the live objects */
};

/* OP_ACCESS's `touch` field. */
enum op_access_mode {
    OP_ACCESS_READ = 0,
    OP_ACCESS_WRITE = 1,
};

/* The running check of the objects an access walk visits, per thread in
 * its execution order: the generator and the worker compute it alike and
 * the parent compares the two (threads' values are summed). */
static inline uint64_t op_access_check(uint64_t check, uint32_t slot)
{
    return (check ^ slot) * 0x100000001b3ULL + 1;
}

struct op {
    uint8_t kind;       /* enum op_kind */
    uint8_t touch;      /* enum op_touch, for allocating ops */
    uint8_t align_log2; /* aligned ops */
    uint8_t flags;      /* enum op_flags */
    uint32_t slot;      /* index into the worker's pointer table */
    uint64_t size;      /* request size (bytes); for OP_FREE the object's;
                           for OP_REALLOC see there */
    uint32_t seq;       /* ops on this slot before this one (mod 2^32) */
    uint32_t gidx;      /* position in the global order (mod 2^32) */
};

/* Every OPWINDOW_LIVE_STEP ops of a segment, live_at[] holds the bytes the
 * thread has allocated and not freed (over the whole stream so far) before
 * that op: a sampler adds up at most STEP - 1 ops to know the live bytes at
 * any position, so the measured loop itself need not count them. */
#define OPWINDOW_LIVE_STEP 64

struct opwindow_segment {
    uint64_t first;       /* index of the thread's first op in ops[] */
    uint64_t count;       /* its ops in this chunk, phase markers included */
    uint64_t timed_first; /* index of its first entry in timed[] */
    uint64_t timed_count; /* entries: positions within the segment, rising */
    uint64_t live_first;  /* index of its first entry in live_at[] */
};

/* Take a sample right after op `index` of `thread`'s segment. */
struct opwindow_mark {
    uint32_t thread;
    uint32_t reserved;
    uint64_t index;
};

struct opwindow_header {
    uint64_t magic;
    uint32_t version;
    uint32_t threads;
    uint64_t op_capacity; /* ops[] and timed[] entries */

    /* Written by the parent with each chunk, read by the worker only after
     * the parent answered its request (the pipe orders the accesses). */
    uint64_t chunk;        /* 0, 1, 2, ... */
    uint32_t last;         /* no chunk follows this one */
    uint32_t runahead;     /* see the invariants above; threads > 1 only */
    uint64_t slots;        /* pointer-table entries the stream so far needs */
    uint64_t sample_every; /* ops between periodic samples; 0 = by time */
    uint32_t mark_count;
    uint32_t reserved;
    struct opwindow_segment seg[OPWINDOW_MAX_THREADS];
    struct opwindow_mark marks[OPWINDOW_MAX_MARKS];
};

/* The sizes of an OP_REALLOC. The worker keeps no size table: every op
 * carries what it needs to count live bytes. */
static inline uint64_t op_realloc_new_size(const struct op *op)
{
    return op->size & 0xffffffffu;
}

static inline uint64_t op_realloc_old_size(const struct op *op)
{
    return op->size >> 32;
}

/* live_at[] entries a window needs: one per STEP ops of each segment,
 * rounded up per thread. */
static inline uint64_t opwindow_live_entries(uint64_t op_capacity)
{
    return op_capacity / OPWINDOW_LIVE_STEP + OPWINDOW_MAX_THREADS;
}

static inline uint64_t opwindow_bytes(uint64_t op_capacity)
{
    return sizeof(struct opwindow_header) + op_capacity * (sizeof(struct op) + sizeof(uint32_t)) +
           opwindow_live_entries(op_capacity) * sizeof(int64_t);
}

static inline struct op *opwindow_ops(const struct opwindow_header *h)
{
    return (struct op *)(h + 1);
}

static inline uint32_t *opwindow_timed(const struct opwindow_header *h)
{
    return (uint32_t *)(opwindow_ops(h) + h->op_capacity);
}

static inline int64_t *opwindow_live_at(const struct opwindow_header *h)
{
    return (int64_t *)(opwindow_timed(h) + h->op_capacity);
}

/* What an op changes in its thread's live bytes. */
static inline int64_t op_live_delta(const struct op *op)
{
    switch (op->kind) {
    case OP_FREE:
        return -(int64_t)op->size;
    case OP_REALLOC:
        return (int64_t)op_realloc_new_size(op) - (int64_t)op_realloc_old_size(op);
    case OP_PHASE_END:
    case OP_DELAY:
    case OP_ACCESS:
        return 0;
    default:
        return (int64_t)op->size;
    }
}

#endif
