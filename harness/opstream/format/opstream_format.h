/* opstream_format.h - the deterministic operation stream a worker executes:
 * its binary layout, shared by the generator (opgen.c) and the worker. It
 * depends on nothing else, so the worker sees the stream but not the spec.
 *
 * The parent generates the stream once per workload from its spec and seed
 * (opgen.c) into a memfd; every (allocator, repetition) child maps that same
 * memfd read-only, so all allocators execute byte-identical streams. The
 * stream's hash goes into every result row.
 *
 * Layout of the memfd:  struct opstream_header | thread_index[threads] | ops
 * Each thread executes its own contiguous run of ops.
 *
 * Cross-thread invariants (what makes the waits below deadlock-free):
 *  - Ops are generated in one global order; each thread's run is in that
 *    order. A slot alternates allocation and free; realloc only happens in
 *    the thread that allocated the object and before any hand-off.
 *  - Every op carries `seq`, the number of ops on its slot before it. An op
 *    with OPF_WAIT (its slot's previous op ran in another thread) waits
 *    until the slot's executed-op count equals `seq`. Counting, rather than
 *    looking at whether the slot holds a pointer, rules out ABA: a slot that
 *    was freed and refilled looks the same but has a different count.
 *  - Every wait points to an earlier op in global order, so the pending op
 *    earliest in that order can always run: no deadlock.
 */
#ifndef ALLOCSCOPE_OPSTREAM_FORMAT_H
#define ALLOCSCOPE_OPSTREAM_FORMAT_H

#include <stdint.h>

/* Phases a stream can name: the spec's maximum plus the teardown phase. */
#define OPSTREAM_MAX_PHASES 65
#define OPSTREAM_MAX_NAME 64

#define OPSTREAM_MAGIC 0x4f50534c41435331ULL /* "1SCALSPO" */
#define OPSTREAM_VERSION 2

enum op_kind {
    OP_MALLOC = 1,
    OP_CALLOC,
    OP_REALLOC,        /* size = new size; slot holds a live object */
    OP_POSIX_MEMALIGN, /* align_log2 gives the alignment */
    OP_ALIGNED_ALLOC,  /* size is a multiple of the alignment */
    OP_FREE,
    OP_PHASE_END,      /* all threads meet; a sample is taken; size = phase */
};

/* How much of a new object the worker writes (the spec's touch modes, with
 * the same values: opstream.h checks that). */
enum op_touch {
    OP_TOUCH_NONE,
    OP_TOUCH_FIRST,
    OP_TOUCH_PAGES,
    OP_TOUCH_ALL,
};

enum op_flags {
    OPF_WAIT = 1, /* previous op on this slot was done by another thread */
};

struct op {
    uint8_t kind;       /* enum op_kind */
    uint8_t touch;      /* enum op_touch, for allocating ops */
    uint8_t align_log2; /* aligned ops */
    uint8_t flags;      /* enum op_flags */
    uint32_t slot;      /* index into the worker's pointer table */
    uint64_t size;      /* request size (bytes); for OP_FREE the object's */
    uint32_t seq;       /* ops on this slot before this one (mod 2^32) */
    uint32_t reserved;
};

struct opstream_thread {
    uint64_t first_op; /* index into the op array */
    uint64_t op_count; /* including this thread's OP_PHASE_END markers */
};

struct opstream_header {
    uint64_t magic;
    uint32_t version;
    uint32_t threads;
    uint64_t total_ops;      /* all threads, excluding phase markers */
    uint64_t marker_ops;     /* phase markers (threads x phases) */
    uint64_t slots;          /* pointer table size */
    uint64_t sample_every;   /* resolved: ops between samples */
    uint64_t hash;           /* FNV-1a over header fields and all ops */
    uint32_t phase_count;
    uint32_t reserved;
    char phase_names[OPSTREAM_MAX_PHASES][OPSTREAM_MAX_NAME]; /* + teardown */
    uint64_t peak_live_bytes; /* exact, from the generator's bookkeeping */
    uint64_t max_live_objects;
};


static inline struct opstream_thread *opstream_threads(struct opstream_header *h)
{
    return (struct opstream_thread *)(h + 1);
}

static inline struct op *opstream_ops(struct opstream_header *h)
{
    return (struct op *)(opstream_threads(h) + h->threads);
}

#endif
