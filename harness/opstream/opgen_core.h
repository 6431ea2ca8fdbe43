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
 */
#ifndef ALLOCSCOPE_OPGEN_CORE_H
#define ALLOCSCOPE_OPGEN_CORE_H

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
    struct op *ops;
    size_t op_count, op_cap;
    uint32_t *live; /* live slots in any order, for random picks */
    size_t live_count, live_cap;
    uint32_t oldest, youngest;
    uint32_t *free_slots; /* ring: oldest at free_head */
    size_t free_head, free_count, free_cap;
};

struct gen {
    struct prng rng;
    uint32_t thread_count;
    struct gen_thread *threads;
    struct gen_slot *slots;
    size_t slot_count, slot_cap;
    uint64_t total_ops, marker_ops;
    uint64_t live_bytes, live_objects;
    uint64_t peak_live_bytes, max_live_objects;
    uint32_t next_consumer; /* producer/consumer round robin */
};

uint32_t gen_new_slot(struct gen *g, uint32_t t);
uint32_t gen_pick_victim(struct gen *g, uint32_t t, enum free_order order);
void gen_alloc(struct gen *g, uint32_t t, enum op_kind kind, uint64_t size, uint64_t align,
               enum touch_mode touch, uint32_t slot);
void gen_free(struct gen *g, uint32_t runner, uint32_t slot);
void gen_realloc(struct gen *g, uint32_t t, uint32_t slot, uint64_t new_size,
                 enum touch_mode touch);
void gen_phase_end(struct gen *g, uint32_t phase);

#endif
