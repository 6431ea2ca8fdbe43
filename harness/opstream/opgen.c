/* opgen.c - turning a workload spec into its op stream (see opstream.h).
 *
 * Generation simulates the workload in one global order: threads take turns
 * (round robin), and every decision (which op, which size, which object to
 * free, which thread frees it) comes from one PRNG seeded with the
 * workload's seed. The result depends on nothing but the spec, so every
 * allocator and every repetition executes the same stream.
 *
 * Bookkeeping invariants kept here:
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
#define _GNU_SOURCE
#include "opgen_internal.h"
#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

static void emit(struct gen *g, uint32_t t, struct op op)
{
    struct gen_thread *th = &g->threads[t];
    if (op.kind != OP_PHASE_END) {
        struct gen_slot *sl = &g->slots[op.slot];
        if (sl->last_thread != NONE && sl->last_thread != t)
            op.flags |= OPF_WAIT;
        sl->last_thread = t;
        op.seq = sl->ops++;
        g->total_ops++;
    }
    if (th->op_count == th->op_cap) {
        th->op_cap = th->op_cap ? 2 * th->op_cap : 4096;
        th->ops = xrealloc(th->ops, th->op_cap * sizeof *th->ops);
    }
    th->ops[th->op_count++] = op;
}

static void live_bytes_changed(struct gen *g)
{
    if (g->live_bytes > g->peak_live_bytes)
        g->peak_live_bytes = g->live_bytes;
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
    g->live_bytes = g->live_bytes - sl->size + new_size;
    sl->size = new_size;
    emit(g, t, (struct op){.kind = OP_REALLOC, .touch = (uint8_t)touch, .slot = slot, .size = new_size});
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

void gen_phase_end(struct gen *g, uint32_t phase)
{
    for (uint32_t t = 0; t < g->thread_count; t++)
        emit(g, t, (struct op){.kind = OP_PHASE_END, .slot = 0, .size = phase});
    g->marker_ops += g->thread_count;
}

/* ---- the whole stream --------------------------------------------------- */

static void gen_teardown(struct gen *g)
{
    /* Every thread frees what it still owns, oldest first. */
    for (uint32_t t = 0; t < g->thread_count; t++)
        while (g->threads[t].live_count > 0)
            gen_free(g, t, g->threads[t].oldest);
}

static void gen_release(struct gen *g)
{
    for (uint32_t t = 0; t < g->thread_count; t++) {
        free(g->threads[t].ops);
        free(g->threads[t].live);
        free(g->threads[t].free_slots);
    }
    free(g->threads);
    free(g->slots);
}

static uint64_t fnv1a_words(uint64_t h, const void *data, size_t bytes)
{
    const unsigned char *p = data;
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h ^= w;
        h *= 0x100000001b3ULL;
    }
    for (size_t i = bytes & ~(size_t)7; i < bytes; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void opstream_hash_hex(uint64_t hash, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)hash);
}

/* Copy the per-thread runs into one memfd laid out as opstream.h says. */
static int gen_publish(struct gen *g, const struct workload_spec *w, struct opstream *out,
                       char *errbuf, size_t errlen)
{
    uint64_t all_ops = 0;
    for (uint32_t t = 0; t < g->thread_count; t++)
        all_ops += g->threads[t].op_count;
    size_t bytes = sizeof(struct opstream_header) +
                   g->thread_count * sizeof(struct opstream_thread) + all_ops * sizeof(struct op);

    int fd = memfd_create("allocscope-opstream", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0) {
        snprintf(errbuf, errlen, "op stream memfd (%zu bytes): %s", bytes, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct opstream_header *h = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED) {
        snprintf(errbuf, errlen, "op stream mmap: %s", strerror(errno));
        close(fd);
        return -1;
    }
    h->magic = OPSTREAM_MAGIC;
    h->version = OPSTREAM_VERSION;
    h->threads = g->thread_count;
    h->total_ops = g->total_ops;
    h->marker_ops = g->marker_ops;
    h->slots = g->slot_count ? g->slot_count : 1;
    h->phase_count = (uint32_t)w->phase_count + (w->teardown ? 1 : 0);
    for (size_t p = 0; p < w->phase_count; p++)
        snprintf(h->phase_names[p], SPEC_MAX_NAME, "%s", w->phases[p].name);
    if (w->teardown)
        snprintf(h->phase_names[w->phase_count], SPEC_MAX_NAME, "teardown");
    h->peak_live_bytes = g->peak_live_bytes;
    h->max_live_objects = g->max_live_objects;
    /* Automatic sampling: about 200 points per run. */
    h->sample_every = w->sample_every ? w->sample_every
                                      : (g->total_ops / 200 > 0 ? g->total_ops / 200 : 1);

    struct opstream_thread *idx = opstream_threads(h);
    struct op *ops = opstream_ops(h);
    uint64_t at = 0;
    for (uint32_t t = 0; t < g->thread_count; t++) {
        idx[t].first_op = at;
        idx[t].op_count = g->threads[t].op_count;
        memcpy(ops + at, g->threads[t].ops, g->threads[t].op_count * sizeof *ops);
        at += g->threads[t].op_count;
    }

    uint64_t hash = 0xcbf29ce484222325ULL;
    uint64_t fields[] = {h->threads, h->total_ops, h->marker_ops, h->slots, h->sample_every,
                         h->phase_count};
    hash = fnv1a_words(hash, fields, sizeof fields);
    hash = fnv1a_words(hash, idx, g->thread_count * sizeof *idx);
    hash = fnv1a_words(hash, ops, all_ops * sizeof *ops);
    h->hash = hash;

    /* The parent keeps a read-only view; workers map their own. */
    mprotect(h, bytes, PROT_READ);
    out->fd = fd;
    out->bytes = bytes;
    out->header = h;
    return 0;
}

int opstream_generate(const struct workload_spec *w, struct opstream *out, char *errbuf,
                      size_t errlen)
{
    struct gen g = {0};
    g.thread_count = w->threads;
    g.threads = calloc(w->threads, sizeof *g.threads);
    if (!g.threads) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    for (uint32_t t = 0; t < w->threads; t++)
        g.threads[t].oldest = g.threads[t].youngest = NONE;
    prng_seed(&g.rng, w->seed);

    int rc = 0;
    for (size_t p = 0; p < w->phase_count && rc == 0; p++) {
        rc = gen_phase(&g, w, &w->phases[p], errbuf, errlen);
        gen_phase_end(&g, (uint32_t)p);
    }
    if (rc == 0 && w->teardown) {
        gen_teardown(&g);
        gen_phase_end(&g, (uint32_t)w->phase_count);
    }
    if (rc == 0)
        rc = gen_publish(&g, w, out, errbuf, errlen);
    gen_release(&g);
    return rc;
}

void opstream_close(struct opstream *s)
{
    if (s->header)
        munmap(s->header, s->bytes);
    if (s->fd >= 0)
        close(s->fd);
    s->header = NULL;
    s->fd = -1;
}
