/* trace_convert.c - a recorded trace converted, streaming, into the op
 * stream the worker executes (opstream_format.h), through the generator's
 * own bookkeeping (opgen_core.c) and chunk publishing (opgen_window.c).
 *
 * The trace reader (harness/trace/) delivers events in a causally
 * consistent global order, each with its lane (a worker thread; threads
 * alive at once never share one) and a dense object index. Here:
 *  - the global order becomes the ops' gidx; each lane's ops keep their
 *    thread's order;
 *  - objects get slots with the generator's policy (a freed slot returns
 *    to the allocating lane's pool and is reused after a slack), so the
 *    pointer table is bounded by the live set; an op on a slot whose last
 *    op ran in another lane waits for it (OPF_WAIT/seq): a cross-thread
 *    free waits for its allocation, as in the recorded program;
 *  - a realloc stays one OP_REALLOC on its slot, in whichever thread made
 *    it, so realloc chains are replayed call for call (one whose sizes do
 *    not fit the op's two 32-bit halves becomes a free and a malloc);
 *  - calls map to ops: malloc, calloc(nmemb x size), realloc(NULL, n) as a
 *    realloc on an empty slot, posix_memalign/memalign/valloc/pvalloc as
 *    posix_memalign (alignment at least 8, pvalloc's size rounded to the
 *    page as recorded), aligned_alloc as itself when the size is a
 *    multiple of the alignment (else posix_memalign); a realloc that freed
 *    its block (realloc(p, 0) returning NULL) is a free.
 *  - the trace is phase 0 ("trace"); the teardown (phase 1) frees what the
 *    program left live, as every workload's does;
 *  - with `pace: recorded`, a lane waits (OP_DELAY) until the recorded
 *    time of its next event x time_scale, when that is at least MIN_GAP_NS
 *    after its previous wait.
 * Memory: the reader's (bounded by live objects and a few writer cycles),
 * the slots (live set), one chunk.
 */
#include "trace_convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgen_core.h"
#include "opgen_phase.h"
#include "opgen_window.h"
#include "trace_reader.h"

#define MIN_GAP_NS 50000
#define NO_SLOT UINT32_MAX

enum stage { STAGE_TRACE, STAGE_TEARDOWN, STAGE_DONE };

struct trace_convert {
    const struct workload_spec *w;
    struct trace_facts own_facts; /* when the caller gave none */
    const struct trace_facts *facts;
    struct trace_reader *rd;
    struct gen g;
    struct chunk_timing timing;
    struct opgen_totals totals;
    uint64_t chunk;
    enum stage stage;
    bool done;
    struct phase_cursor cur;
    bool in_teardown;
    enum touch_mode touch;
    uint32_t *slot_of; /* reader object index -> slot */
    size_t slot_of_cap;
    uint64_t *deadline; /* per lane: the last OP_DELAY's target */
};

uint32_t trace_convert_threads(const struct trace_convert *c)
{
    return c->g.thread_count;
}

void trace_convert_free(struct trace_convert *c)
{
    if (!c)
        return;
    if (c->in_teardown)
        phase_finish(&c->cur);
    trace_close(c->rd);
    gen_release(&c->g);
    chunk_timing_free(&c->timing);
    free(c->slot_of);
    free(c->deadline);
    if (c->facts == &c->own_facts)
        trace_facts_free(&c->own_facts);
    free(c);
}

struct trace_convert *trace_convert_new(const struct workload_spec *w,
                                        const struct trace_facts *facts, size_t chunk_ops,
                                        char *errbuf, size_t errlen)
{
    struct trace_convert *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errbuf, errlen, "out of memory for the trace converter");
        return NULL;
    }
    c->w = w;
    if (!facts) {
        if (trace_scan(w->trace_path, &c->own_facts, errbuf, errlen) < 0) {
            free(c);
            return NULL;
        }
        facts = &c->own_facts;
    }
    c->facts = facts;
    uint32_t lanes = facts->lanes ? facts->lanes : 1;
    if (lanes > OPWINDOW_MAX_THREADS) {
        snprintf(errbuf, errlen, "%s: %u threads were alive at once; a replay runs at most %d",
                 w->trace_path, lanes, OPWINDOW_MAX_THREADS);
        trace_convert_free(c);
        return NULL;
    }
    if (!chunk_ops)
        chunk_ops = OPWINDOW_DEFAULT_OPS;
    c->rd = trace_open(w->trace_path, errbuf, errlen);
    if (!c->rd)
        goto fail;
    c->touch = w->phase_count ? w->phases[0].touch : TOUCH_PAGES;
    c->totals.threads = lanes;
    c->totals.timing_shift = opstream_shift_for(facts->events);
    c->deadline = calloc(lanes, sizeof *c->deadline);
    if (gen_init(&c->g, lanes, w->seed, chunk_ops) < 0 || !c->deadline ||
        chunk_timing_init(&c->timing, lanes, w->seed, c->totals.timing_shift) < 0) {
        snprintf(errbuf, errlen, "out of memory for the trace converter");
        goto fail;
    }
    return c;
fail:
    trace_convert_free(c);
    return NULL;
}

/* ---- one event ------------------------------------------------------------- */

static void set_slot(struct trace_convert *c, uint64_t object, uint32_t slot)
{
    if (object >= c->slot_of_cap) {
        size_t cap = c->slot_of_cap ? c->slot_of_cap : 1024;
        while (cap <= object)
            cap *= 2;
        uint32_t *s = realloc(c->slot_of, cap * sizeof *s);
        if (!s) {
            fputs("allocscope: out of memory\n", stderr);
            abort();
        }
        for (size_t i = c->slot_of_cap; i < cap; i++)
            s[i] = NO_SLOT;
        c->slot_of = s;
        c->slot_of_cap = cap;
    }
    c->slot_of[object] = slot;
}

static uint32_t slot_for(const struct trace_convert *c, uint64_t object)
{
    return object < c->slot_of_cap ? c->slot_of[object] : NO_SLOT;
}

static void alloc_op(struct trace_convert *c, uint32_t lane, const struct trace_event *ev)
{
    enum op_kind kind = OP_MALLOC;
    uint64_t align = ev->align, size = ev->size;
    switch (ev->call) {
    case TCALL_CALLOC:
        kind = OP_CALLOC;
        break;
    case TCALL_REALLOC:
    case TCALL_REALLOCARRAY:
        if (size < (1ULL << 32))
            kind = OP_REALLOC; /* realloc(NULL, n): an empty slot */
        break;
    case TCALL_ALIGNED_ALLOC:
        if (align >= 8 && size % align == 0) {
            kind = OP_ALIGNED_ALLOC;
            break;
        }
        /* fall through */
    case TCALL_POSIX_MEMALIGN:
    case TCALL_MEMALIGN:
    case TCALL_VALLOC:
    case TCALL_PVALLOC:
        kind = OP_POSIX_MEMALIGN;
        if (align < 8)
            align = 8;
        break;
    default:
        break;
    }
    uint32_t slot = gen_new_slot(&c->g, lane);
    gen_alloc(&c->g, lane, kind, size, align, c->touch, slot);
    set_slot(c, ev->object, slot);
}

static int emit_event(struct trace_convert *c, const struct trace_event *ev, char *errbuf,
                      size_t errlen)
{
    struct gen *g = &c->g;
    uint32_t lane = ev->lane;
    if (lane >= g->thread_count) {
        snprintf(errbuf, errlen, "%s: an event on lane %u of %u (the trace changed since it "
                                 "was scanned?)", c->w->trace_path, lane, g->thread_count);
        return -1;
    }
    if (c->w->pace == PACE_RECORDED) {
        uint64_t target = (uint64_t)((double)ev->t_ns * c->w->time_scale);
        if (target >= c->deadline[lane] + MIN_GAP_NS) {
            gen_delay(g, lane, target);
            c->deadline[lane] = target;
        }
    }
    if (ev->op == TRACE_ALLOC) {
        alloc_op(c, lane, ev);
        return 0;
    }
    uint32_t slot = slot_for(c, ev->object);
    if (slot == NO_SLOT) {
        snprintf(errbuf, errlen, "%s: object %llu has no slot", c->w->trace_path,
                 (unsigned long long)ev->id);
        return -1;
    }
    c->slot_of[ev->object] = NO_SLOT;
    if (ev->op == TRACE_FREE) {
        gen_free(g, lane, slot);
    } else if (ev->size < (1ULL << 32) && ev->old_size < (1ULL << 32)) {
        gen_realloc(g, lane, slot, ev->size, c->touch);
        set_slot(c, ev->object, slot);
    } else { /* sizes an OP_REALLOC cannot carry */
        gen_free(g, lane, slot);
        uint32_t fresh = gen_new_slot(g, lane);
        gen_alloc(g, lane, OP_MALLOC, ev->size, 0, c->touch, fresh);
        set_slot(c, ev->object, fresh);
    }
    return 0;
}

/* ---- chunks ------------------------------------------------------------------- */

/* Room for an event's ops (a wait, and a free and an allocation at most)
 * and a round of phase markers. */
static bool room_for_event(const struct gen *g)
{
    return g->staged_count + g->thread_count + 3 < g->staged_cap;
}

static int fill_chunk(struct trace_convert *c, char *errbuf, size_t errlen)
{
    struct gen *g = &c->g;
    gen_chunk_reset(g);
    while (!c->done) {
        if (c->stage == STAGE_TRACE) {
            if (!room_for_event(g))
                break;
            struct trace_event ev;
            int rc = trace_next(c->rd, &ev);
            if (rc < 0) {
                snprintf(errbuf, errlen, "%s", trace_error(c->rd));
                return -1;
            }
            if (rc == 1) {
                if (emit_event(c, &ev, errbuf, errlen) < 0)
                    return -1;
                continue;
            }
            gen_phase_end(g, 0, 0); /* room for it was kept */
            c->stage = c->w->teardown ? STAGE_TEARDOWN : STAGE_DONE;
        } else if (c->stage == STAGE_TEARDOWN) {
            if (!c->in_teardown) {
                if (phase_begin(&c->cur, g, c->w, NULL, errbuf, errlen) < 0)
                    return -1;
                c->in_teardown = true;
            }
            if (!phase_emit(&c->cur, g, c->w))
                break; /* chunk full */
            phase_finish(&c->cur);
            c->in_teardown = false;
            gen_phase_end(g, 1, 0);
            c->stage = STAGE_DONE;
        } else {
            c->done = true;
        }
    }
    c->totals.complete = c->done;
    gen_fill_totals(g, &c->totals);
    return 0;
}

int trace_convert_next_chunk(struct trace_convert *c, struct opwindow_header *win, char *errbuf,
                             size_t errlen)
{
    if (c->done) {
        snprintf(errbuf, errlen, "op stream: no chunk after the last");
        return -1;
    }
    if (opwindow_check(win, &c->g, errbuf, errlen) < 0 || fill_chunk(c, errbuf, errlen) < 0)
        return -1;
    gen_publish(&c->g, &c->timing, win, c->chunk++, c->done, c->w->sample_every);
    return 0;
}

int trace_convert_drain(struct trace_convert *c, char *errbuf, size_t errlen)
{
    while (!c->done)
        if (fill_chunk(c, errbuf, errlen) < 0)
            return -1;
    return 0;
}

const struct opgen_totals *trace_convert_totals(const struct trace_convert *c)
{
    return &c->totals;
}
