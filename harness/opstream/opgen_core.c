/* opgen_core.c - the generator's bookkeeping: slots, live sets, wait flags
 * and appending ops to each thread's run (see opgen_core.h for the
 * invariants). Knows nothing about phases: opgen_phase.c decides what to
 * emit and calls down into here, and opgen.c drives whole streams.
 */
#define _GNU_SOURCE
#include "opgen_core.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* ---- slots and live sets ------------------------------------------------ */

/* Slots a thread keeps freed before it reuses any: it reuses the oldest
 * (FIFO), whose free most likely ran long ago, so with threads an
 * allocation rarely waits for another thread's free, yet no thread runs
 * more than this many objects ahead of the threads freeing its objects. */
#define SLOT_REUSE_SLACK 4096

static uint32_t slot_take(struct gen *g, uint32_t t)
{
    struct gen_thread *th = &g->threads[t];
    if (th->free_count > SLOT_REUSE_SLACK) {
        uint32_t s = th->free_slots[th->free_head];
        th->free_head = (th->free_head + 1) & (th->free_cap - 1);
        th->free_count--;
        return s;
    }
    if (g->slot_count >= SPEC_MAX_LIVE_OBJECTS + (uint64_t)SLOT_REUSE_SLACK * g->thread_count) {
        /* Slots are 32-bit: stop here (opgen.c fails the stream). */
        g->too_many_slots = true;
        return 0;
    }
    if (g->slot_count == g->slot_cap) {
        g->slot_cap = g->slot_cap ? 2 * g->slot_cap : 1024;
        g->slots = xrealloc(g->slots, g->slot_cap * sizeof *g->slots);
    }
    uint32_t s = (uint32_t)g->slot_count++;
    g->slots[s] = (struct gen_slot){.last_thread = NONE, .prev = NONE, .next = NONE};
    return s;
}

/* Queue s at the tail of t's free-slot ring (capacity a power of two). */
static void slot_release(struct gen *g, uint32_t t, uint32_t s)
{
    struct gen_thread *th = &g->threads[t];
    if (th->free_count == th->free_cap) {
        size_t cap = th->free_cap ? 2 * th->free_cap : 512;
        uint32_t *ring = xrealloc(NULL, cap * sizeof *ring);
        for (size_t i = 0; i < th->free_count; i++)
            ring[i] = th->free_slots[(th->free_head + i) & (th->free_cap - 1)];
        free(th->free_slots);
        th->free_slots = ring;
        th->free_cap = cap;
        th->free_head = 0;
    }
    th->free_slots[(th->free_head + th->free_count) & (th->free_cap - 1)] = s;
    th->free_count++;
}

/* Append s to t's live set: youngest at the tail of the age list. */
static void live_add(struct gen *g, uint32_t t, uint32_t s)
{
    struct gen_thread *th = &g->threads[t];
    struct gen_slot *sl = &g->slots[s];
    sl->owner = t;
    sl->prev = th->youngest;
    sl->next = NONE;
    if (th->youngest != NONE)
        g->slots[th->youngest].next = s;
    else
        th->oldest = s;
    th->youngest = s;
    if (th->live_count == th->live_cap) {
        th->live_cap = th->live_cap ? 2 * th->live_cap : 256;
        th->live = xrealloc(th->live, th->live_cap * sizeof *th->live);
    }
    sl->pos = (uint32_t)th->live_count;
    th->live[th->live_count++] = s;
}

static void live_remove(struct gen *g, uint32_t s)
{
    struct gen_slot *sl = &g->slots[s];
    struct gen_thread *th = &g->threads[sl->owner];
    if (sl->prev != NONE)
        g->slots[sl->prev].next = sl->next;
    else
        th->oldest = sl->next;
    if (sl->next != NONE)
        g->slots[sl->next].prev = sl->prev;
    else
        th->youngest = sl->prev;
    uint32_t last = th->live[--th->live_count];
    th->live[sl->pos] = last;
    g->slots[last].pos = sl->pos;
}

static uint32_t live_pick(struct gen *g, uint32_t t, enum free_order order)
{
    struct gen_thread *th = &g->threads[t];
    switch (order) {
    case FREE_FIFO:
        return th->oldest;
    case FREE_LIFO:
        return th->youngest;
    case FREE_RANDOM:
    case FREE_NEVER:
        break;
    }
    return th->live[prng_below(&g->rng, th->live_count)];
}

/* ---- emitting ops ------------------------------------------------------- */

/* FNV-1a taken a 64-bit word at a time (not byte-wise FNV, but as stable:
 * three multiplies per op keep generation cheap). */
static inline uint64_t fnv1a_word(uint64_t h, uint64_t w)
{
    return (h ^ w) * 0x100000001b3ULL;
}

static inline __attribute__((always_inline)) void emit(struct gen *g, uint32_t t, struct op op)
{
    if (!op_is_marker(op.kind)) {
        struct gen_slot *sl = &g->slots[op.slot];
        if (sl->last_thread != NONE && sl->last_thread != t)
            op.flags |= OPF_WAIT;
        sl->last_thread = t;
        op.seq = sl->ops++;
        if (op.kind != OP_ACCESS)
            g->total_ops++;
    }
    op.gidx = (uint32_t)g->emitted++;
    g->kind_counts[op.kind]++;
    /* The hash covers what the worker executes (op fields, executing
     * thread), in global order: where chunks are cut does not change it. */
    g->hash = fnv1a_word(g->hash, (uint64_t)op.kind | (uint64_t)op.touch << 8 |
                                      (uint64_t)op.align_log2 << 16 |
                                      (uint64_t)op.flags << 24 | (uint64_t)op.slot << 32);
    g->hash = fnv1a_word(g->hash, op.size);
    g->hash = fnv1a_word(g->hash, (uint64_t)op.seq | (uint64_t)t << 32);
    g->staged[g->staged_count++] = (struct staged_op){.op = op, .thread = t};
}

/* Live bytes passed the mark level: remember where, so the worker samples
 * there; the next level is a margin above, so marks follow new highs only. */
static __attribute__((noinline)) void mark_peak(struct gen *g)
{
    if (g->mark_count < OPWINDOW_MAX_MARKS)
        g->marks[g->mark_count++] = (struct gen_mark){.staged = g->staged_count - 1};
    uint64_t margin = g->live_bytes / 32 > 65536 ? g->live_bytes / 32 : 65536;
    g->mark_level = g->live_bytes + margin;
}

static inline __attribute__((always_inline)) void live_bytes_changed(struct gen *g)
{
    if (g->live_bytes > g->peak_live_bytes)
        g->peak_live_bytes = g->live_bytes;
    if (g->live_bytes >= g->mark_level)
        mark_peak(g);
    if (g->live_objects > g->max_live_objects)
        g->max_live_objects = g->live_objects;
}

void gen_alloc(struct gen *g, uint32_t t, enum op_kind kind, uint64_t size,
               uint64_t align, enum touch_mode touch, uint32_t slot)
{
    struct op op = {.kind = (uint8_t)kind, .touch = (uint8_t)touch, .slot = slot, .size = size};
    if (kind == OP_POSIX_MEMALIGN || kind == OP_ALIGNED_ALLOC)
        op.align_log2 = (uint8_t)__builtin_ctzll(align);
    emit(g, t, op);
    g->slots[slot].size = size;
    live_add(g, t, slot);
    g->live_bytes += size;
    g->live_objects++;
    live_bytes_changed(g);
}

/* The free of `slot` runs in thread `runner` (maybe not its owner). */
void gen_free(struct gen *g, uint32_t runner, uint32_t slot)
{
    live_remove(g, slot);
    g->live_bytes -= g->slots[slot].size;
    g->live_objects--;
    emit(g, runner, (struct op){.kind = OP_FREE, .slot = slot, .size = g->slots[slot].size});
    slot_release(g, g->slots[slot].owner, slot);
}

void gen_realloc(struct gen *g, uint32_t t, uint32_t slot, uint64_t new_size,
                 enum touch_mode touch)
{
    struct gen_slot *sl = &g->slots[slot];
    uint64_t packed = new_size | sl->size << 32; /* see OP_REALLOC */
    g->live_bytes = g->live_bytes - sl->size + new_size;
    sl->size = new_size;
    emit(g, t, (struct op){.kind = OP_REALLOC, .touch = (uint8_t)touch, .slot = slot, .size = packed});
    live_bytes_changed(g);
}

uint32_t gen_new_slot(struct gen *g, uint32_t t)
{
    return slot_take(g, t);
}

uint32_t gen_pick_victim(struct gen *g, uint32_t t, enum free_order order)
{
    return live_pick(g, t, order);
}

void gen_phase_end(struct gen *g, uint32_t phase, uint8_t flags)
{
    for (uint32_t t = 0; t < g->thread_count; t++) {
        emit(g, t, (struct op){.kind = OP_PHASE_END, .flags = flags, .slot = phase,
                               .size = g->total_ops});
        g->marker_ops++;
    }
}

void gen_access(struct gen *g, uint32_t t, uint32_t slot, uint64_t bytes, bool write)
{
    uint64_t size = g->slots[slot].size;
    emit(g, t, (struct op){.kind = OP_ACCESS,
                           .touch = write ? OP_ACCESS_WRITE : OP_ACCESS_READ,
                           .slot = slot, .size = bytes < size ? bytes : size});
    g->access_ops++;
    g->access_check[t] = op_access_check(g->access_check[t], slot);
}

void gen_delay(struct gen *g, uint32_t t, uint64_t until_ns)
{
    emit(g, t, (struct op){.kind = OP_DELAY, .size = until_ns});
    g->marker_ops++;
}

/* ---- set-up -------------------------------------------------------------- */

int gen_init(struct gen *g, uint32_t threads, uint64_t seed, size_t chunk_ops)
{
    memset(g, 0, sizeof *g);
    g->thread_count = threads;
    g->threads = calloc(threads, sizeof *g->threads);
    g->access_check = calloc(threads, sizeof *g->access_check);
    g->staged_cap = chunk_ops;
    g->staged = malloc(chunk_ops * sizeof *g->staged);
    if (!g->threads || !g->staged || !g->access_check || chunk_ops <= threads) {
        gen_release(g);
        return -1;
    }
    for (uint32_t t = 0; t < threads; t++)
        g->threads[t].oldest = g->threads[t].youngest = NONE;
    prng_seed(&g->rng, seed);
    g->hash = 0xcbf29ce484222325ULL;
    g->mark_level = 65536;
    return 0;
}

void gen_release(struct gen *g)
{
    for (uint32_t t = 0; g->threads && t < g->thread_count; t++) {
        free(g->threads[t].live);
        free(g->threads[t].free_slots);
    }
    free(g->threads);
    free(g->access_check);
    free(g->slots);
    free(g->staged);
    memset(g, 0, sizeof *g);
}

void gen_chunk_reset(struct gen *g)
{
    g->staged_count = 0;
    g->mark_count = 0;
}

