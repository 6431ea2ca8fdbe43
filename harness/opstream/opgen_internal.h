/* opgen_internal.h - generator state shared by opgen.c (bookkeeping and
 * output) and opgen_phase.c (what each kind of phase emits). */
#ifndef ALLOCSCOPE_OPGEN_INTERNAL_H
#define ALLOCSCOPE_OPGEN_INTERNAL_H

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

/* Emit one phase's ops (opgen_phase.c). */
int gen_phase(struct gen *g, const struct workload_spec *w, const struct phase_spec *p,
              char *errbuf, size_t errlen);

#endif
