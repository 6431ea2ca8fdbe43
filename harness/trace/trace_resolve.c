/* trace_resolve.c - merged items to events: which object each address
 * names, which lane each thread runs on, what the replay can execute.
 *
 * Objects: a live address maps to an object; a FREE or REALLOC_BEGIN
 * removes the mapping (so another thread may get the address at once), an
 * allocation or REALLOC_END adds it. Object indices are dense and reused
 * (the converter keys its slots by them); ids are never reused.
 *
 * Lanes: a thread takes the lowest free lane at its first merged event and
 * gives it back when its EXIT record has been read and all its events have
 * been merged, so a trace of many short-lived threads needs as many lanes
 * as threads were alive at once, not as many as it had.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"
#include "xalloc.h"

const char *trace_call_name(enum trace_call c)
{
    static const char *const names[TCALL_COUNT] = {
        "malloc",        "calloc",   "realloc", "reallocarray", "posix_memalign",
        "aligned_alloc", "memalign", "valloc",  "pvalloc",      "free",
    };
    return (unsigned)c < TCALL_COUNT ? names[c] : "?";
}

const char *trace_end_name(enum trace_end_state e)
{
    switch (e) {
    case TRACE_END_NONE:
        return "none";
    case TRACE_END_EXIT:
        return "exit";
    case TRACE_END_UNDERSCORE_EXIT:
        return "_exit";
    case TRACE_END_EXEC:
        return "exec";
    case TRACE_END_CUT:
        return "cut";
    }
    return "?";
}

uint64_t trace_stamp_ns(struct trace_reader *r, uint64_t stamp)
{
    const struct trace_header *h = &r->header;
    if (!r->rate_fixed) {
        /* One rate for the whole trace, from the widest clock pair known
         * when the first event leaves (events leave only after a few drain
         * cycles, or at the end). */
        r->ns_per_tick = 1.0;
        if (strcmp(h->clock, "tsc") == 0 && r->pair_stamp > h->start_stamp &&
            r->pair_mono > h->start_mono_ns)
            r->ns_per_tick = (double)(r->pair_mono - h->start_mono_ns) /
                             (double)(r->pair_stamp - h->start_stamp);
        r->rate_fixed = true;
    }
    if (stamp <= h->start_stamp)
        return 0;
    return (uint64_t)((double)(stamp - h->start_stamp) * r->ns_per_tick);
}

/* ---- objects ------------------------------------------------------------------ */

static uint64_t object_new(struct trace_reader *r)
{
    uint64_t o = r->free_objects;
    if (o != NO_OBJECT) {
        r->free_objects = r->objects[o].next_free;
        return o;
    }
    if (r->object_count == r->object_cap) {
        r->object_cap = r->object_cap ? 2 * r->object_cap : 1024;
        r->objects = xrealloc(r->objects, r->object_cap * sizeof *r->objects);
    }
    return r->object_count++;
}

static void object_release(struct trace_reader *r, uint64_t o)
{
    r->objects[o].next_free = r->free_objects;
    r->free_objects = o;
}

/* ---- events out ------------------------------------------------------------------ */

static struct trace_event *emit(struct trace_reader *r, enum trace_op op, enum trace_call call,
                                const struct rthread *t, uint64_t stamp, uint64_t o)
{
    struct trace_event *ev = &r->out[(r->out_head + r->out_len++) % OUT_EVENTS];
    const struct robject *ob = &r->objects[o];
    *ev = (struct trace_event){.op = op, .call = call, .thread = t->id, .lane = t->lane,
                               .object = o, .id = ob->id, .size = ob->size,
                               .t_ns = trace_stamp_ns(r, stamp), .birth_thread = ob->birth_thread,
                               .birth_ns = ob->birth_ns, .birth_alloc = ob->birth_alloc,
                               .live_objects = r->live_objects};
    return ev;
}

/* Object o ends (at `stamp`, in thread t). */
static void end_object(struct trace_reader *r, const struct rthread *t, uint64_t stamp,
                       uint64_t o, enum trace_call call, bool implicit)
{
    struct trace_event *ev = emit(r, TRACE_FREE, call, t, stamp, o);
    ev->implicit = implicit;
    r->live_objects--;
    object_release(r, o);
}

/* Bind addr to object o, ending whatever object still held it. */
static void bind_address(struct trace_reader *r, const struct rthread *t, uint64_t stamp,
                         uint64_t addr, uint64_t o)
{
    uint64_t old;
    if (u64_map_remove(&r->live, addr, &old)) {
        r->status.implicit_frees++;
        end_object(r, t, stamp, old, TCALL_FREE, true);
    }
    r->objects[o].addr = addr;
    u64_map_put(&r->live, addr, o);
}

static void new_object(struct trace_reader *r, const struct rthread *t, const struct item *it,
                       enum trace_call call, uint64_t size, uint64_t align)
{
    uint64_t o = object_new(r);
    r->objects[o] = (struct robject){.id = ++r->next_id, .size = size,
                                     .birth_ns = trace_stamp_ns(r, it->stamp),
                                     .birth_alloc = r->allocs, .birth_thread = t->id,
                                     .next_free = NO_OBJECT};
    bind_address(r, t, it->stamp, it->addr, o);
    struct trace_event *ev = emit(r, TRACE_ALLOC, call, t, it->stamp, o);
    ev->align = align;
    r->allocs++;
    r->live_objects++;
}

/* ---- items ------------------------------------------------------------------------ */

static uint64_t pow2_at_least(uint64_t v)
{
    uint64_t p = 1;
    while (p < v && p < (1ULL << 63))
        p <<= 1;
    return p;
}

static void take_lane(struct trace_reader *r, struct rthread *t)
{
    uint32_t lane = 0;
    while (lane < r->lane_cap && r->lane_used[lane])
        lane++;
    if (lane == r->lane_cap) {
        size_t cap = r->lane_cap ? 2 * r->lane_cap : 16;
        r->lane_used = xrealloc(r->lane_used, cap * sizeof *r->lane_used);
        memset(r->lane_used + r->lane_cap, 0, (cap - r->lane_cap) * sizeof *r->lane_used);
        r->lane_cap = cap;
    }
    r->lane_used[lane] = true;
    t->lane = lane;
    if (lane + 1 > r->status.lanes)
        r->status.lanes = lane + 1;
}

static void allocation(struct trace_reader *r, struct rthread *t, const struct item *it)
{
    static const enum trace_call calls[TEV_KIND_END] = {
        [TEV_MALLOC] = TCALL_MALLOC,        [TEV_CALLOC] = TCALL_CALLOC,
        [TEV_POSIX_MEMALIGN] = TCALL_POSIX_MEMALIGN, [TEV_ALIGNED_ALLOC] = TCALL_ALIGNED_ALLOC,
        [TEV_MEMALIGN] = TCALL_MEMALIGN,    [TEV_VALLOC] = TCALL_VALLOC,
        [TEV_PVALLOC] = TCALL_PVALLOC,
    };
    enum trace_call call = calls[it->kind];
    uint64_t size = it->size, align = 0, page = r->header.page_size;
    r->status.calls[call]++;
    switch (it->kind) {
    case TEV_CALLOC:
        if (__builtin_mul_overflow(it->aux, it->size, &size))
            size = UINT64_MAX;
        break;
    case TEV_POSIX_MEMALIGN:
    case TEV_ALIGNED_ALLOC:
    case TEV_MEMALIGN:
        align = pow2_at_least(it->aux ? it->aux : 1);
        break;
    case TEV_VALLOC:
        align = page;
        break;
    case TEV_PVALLOC:
        align = page;
        size = size ? (size + page - 1) & ~(page - 1) : page;
        break;
    }
    if (it->flags & TEV_FLAG_FAILED) {
        r->status.failed++;
        return;
    }
    if (!it->addr) {
        r->status.null_results++;
        return;
    }
    new_object(r, t, it, call, size, align);
}

static void realloc_end(struct trace_reader *r, struct rthread *t, const struct item *it)
{
    bool array = it->kind == TEV_REALLOCARRAY_END;
    enum trace_call call = array ? TCALL_REALLOCARRAY : TCALL_REALLOC;
    uint64_t size = it->size, o = t->realloc_obj;
    if (array && __builtin_mul_overflow(it->aux, it->size, &size))
        size = UINT64_MAX;
    t->merging_realloc = false;
    r->status.calls[call]++;
    bool live = o != NO_OBJECT && o != UNMATCHED_OBJECT;
    if (it->flags & TEV_FLAG_FAILED) { /* the old block stays where it was */
        r->status.failed++;
        if (live)
            bind_address(r, t, it->stamp, t->realloc_addr, o);
        return;
    }
    if (!it->addr) { /* realloc(p, 0) that freed p */
        if (live)
            end_object(r, t, it->stamp, o, call, false);
        else
            r->status.null_results++;
        return;
    }
    if (!live) { /* realloc(NULL, n), or of an address never allocated */
        new_object(r, t, it, call, size, 0);
        return;
    }
    bind_address(r, t, it->stamp, it->addr, o);
    struct trace_event *ev = emit(r, TRACE_REALLOC, call, t, it->stamp, o);
    ev->old_size = r->objects[o].size;
    ev->size = size;
    r->objects[o].size = size;
}

int trace_resolve(struct trace_reader *r, const struct item *it)
{
    struct rthread *t = &r->threads[it->thread];
    if (t->lane == NO_LANE)
        take_lane(r, t);
    uint64_t o;
    switch (it->kind) {
    case TEV_FREE:
        r->status.calls[TCALL_FREE]++;
        if (!it->addr)
            r->status.free_null++;
        else if (!u64_map_remove(&r->live, it->addr, &o))
            r->status.unmatched_frees++;
        else
            end_object(r, t, it->stamp, o, TCALL_FREE, false);
        break;
    case TEV_REALLOC_BEGIN:
        t->merging_realloc = true;
        t->realloc_addr = it->addr;
        if (!it->addr) {
            t->realloc_obj = NO_OBJECT;
        } else if (u64_map_remove(&r->live, it->addr, &o)) {
            t->realloc_obj = o;
        } else {
            t->realloc_obj = UNMATCHED_OBJECT;
            r->status.unmatched_reallocs++;
        }
        break;
    case TEV_REALLOC_END:
    case TEV_REALLOCARRAY_END:
        realloc_end(r, t, it);
        break;
    case TEV_USABLE_SIZE:
        r->status.usable_size_calls++;
        break;
    case TEV_FORK:
        r->status.forks++;
        break;
    default:
        allocation(r, t, it);
    }
    if (t->exited && t->merged == t->exit_events) {
        r->lane_used[t->lane] = false;
        t->lane = NO_LANE;
    }
    return 0;
}

void trace_resolve_finish(struct trace_reader *r)
{
    for (size_t i = 0; i < r->thread_count; i++) {
        struct rthread *t = &r->threads[i];
        if (!t->merging_realloc)
            continue;
        /* The trace ends inside this realloc: the object keeps its block. */
        t->merging_realloc = false;
        r->status.incomplete_reallocs++;
        uint64_t o = t->realloc_obj;
        if (o != NO_OBJECT && o != UNMATCHED_OBJECT)
            u64_map_put(&r->live, t->realloc_addr, o);
    }
}

void trace_resolve_free(struct trace_reader *r)
{
    u64_map_free(&r->live);
    free(r->objects);
    free(r->lane_used);
}
