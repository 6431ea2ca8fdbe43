/* opgen_core.h - the generator's state and bookkeeping (opgen_core.c),
 * used by opgen_phase.c (what each kind of phase emits) and opgen.c (whole
 * streams). The core calls neither of them.
 *
 * Bookkeeping invariants kept by opgen_core.c:
 *  - A slot is live (holds an object) or free. A live slot sits in exactly
 *    one thread's live set: the thread that allocated it. It leaves that set
 *    the moment its free is generated, even when another thread executes
 *    the free, so a handed-off object is never realloc'd or freed twice.
 *  - A freed slot returns to the free-slot pool of the thread that owned the
 *    object, even when another thread executes the free. The owner reusing
 *    it then waits for that free: this backpressure keeps the live set at
 *    run time close to the spec's. (Returning it to the freeing thread's
 *    pool instead let an allocating thread run arbitrarily far ahead of the
 *    threads that free its objects, so a producer/consumer run held far
 *    more live memory than its spec said.)
 *  - slot.last_thread is the thread that executed the latest op on the slot;
 *    an op by any other thread is flagged OPF_WAIT. slot.ops counts the ops
 *    on the slot: each op records the count before it (op.seq).
 *  - Ops are emitted in the global order into `staged` (one chunk, bounded
 *    by the window's capacity); opgen.c hands each thread its share. The
 *    hash, the op count per kind and the live-bytes peak follow every op as
 *    it is emitted, so they do not depend on where chunks are cut.
 */
#ifndef ALLOCSCOPE_OPGEN_CORE_H
#define ALLOCSCOPE_OPGEN_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opstream.h"
#include "prng.h"
#include "spec.h"

struct gen_slot {
    uint64_t size;        /* requested size of the object it holds */
    uint32_t owner;       /* thread whose live set holds it */
    uint32_t last_thread; /* thread of the latest op on it, or UINT32_MAX */
    uint32_t prev, next;  /* owner's age list (oldest -> youngest) */
    uint32_t pos;         /* index in owner's live array */
    uint32_t ops;         /* ops emitted on this slot so far */
};

struct gen_thread {
    uint32_t *live; /* live slots in any order, for random picks */
    size_t live_count, live_cap;
    uint32_t oldest, youngest;
    uint32_t *free_slots; /* ring: oldest at free_head */
    size_t free_head, free_count, free_cap;
};

/* One emitted op and the thread that executes it. */
struct staged_op {
    struct op op;
    uint32_t thread;
};

/* Where live bytes passed a new high: opgen.c turns these into window
 * marks, so the worker samples at the peaks it would miss between
 * periodic samples. */
struct gen_mark {
    uint64_t staged; /* index into staged[] */
};

struct gen {
    struct prng rng;
    uint32_t thread_count;
    struct gen_thread *threads;
    struct gen_slot *slots;
    size_t slot_count, slot_cap;
    uint64_t total_ops, marker_ops; /* whole stream so far */
    uint64_t emitted;               /* both: the next op's global position */
    uint64_t kind_counts[OP_KIND_END];
    uint64_t hash;                  /* FNV-1a over every op, global order */
    uint64_t live_bytes, live_objects;
    uint64_t peak_live_bytes, max_live_objects;
    uint64_t access_ops;     /* OP_ACCESS emitted (not in total_ops) */
    uint64_t *access_check;  /* per thread: op_access_check over its accesses */
    uint32_t next_consumer; /* producer/consumer round robin */
    bool too_many_slots;    /* more live objects than slots can number */

    /* The chunk being built. */
    struct staged_op *staged;
    size_t staged_count, staged_cap;
    struct gen_mark marks[OPWINDOW_MAX_MARKS];
    uint32_t mark_count;
    uint64_t mark_level; /* live bytes that make the next mark */
};

/* Set up for `threads` threads, chunks of at most `chunk_ops` ops. Returns
 * 0 or -1 (out of memory). */
int gen_init(struct gen *g, uint32_t threads, uint64_t seed, size_t chunk_ops);
void gen_release(struct gen *g);

/* Whether another op and a full round of phase markers still fit in the
 * chunk being built. */
static inline int gen_room(const struct gen *g)
{
    return g->staged_count + g->thread_count < g->staged_cap;
}

/* Start a new chunk (the previous one has been handed out). */
void gen_chunk_reset(struct gen *g);

uint32_t gen_new_slot(struct gen *g, uint32_t t);
uint32_t gen_pick_victim(struct gen *g, uint32_t t, enum free_order order);
void gen_alloc(struct gen *g, uint32_t t, enum op_kind kind, uint64_t size, uint64_t align,
               enum touch_mode touch, uint32_t slot);
void gen_free(struct gen *g, uint32_t runner, uint32_t slot);
void gen_realloc(struct gen *g, uint32_t t, uint32_t slot, uint64_t new_size,
                 enum touch_mode touch);
/* Every thread's phase marker; flags: OPF_PHASE_* (what kind of phase). */
void gen_phase_end(struct gen *g, uint32_t phase, uint8_t flags);
/* Thread t reads (write: and rewrites) the first min(bytes, size) bytes of
 * the live object in `slot`. */
void gen_access(struct gen *g, uint32_t t, uint32_t slot, uint64_t bytes, bool write);
/* Thread t waits until the run's measured clock reaches until_ns. */
void gen_delay(struct gen *g, uint32_t t, uint64_t until_ns);

#endif
