/* opgen.c - the op stream of a workload, generated chunk by chunk into a
 * worker's window (see opstream.h, opstream_format.h).
 *
 * Generation simulates the workload in one global order: threads take turns
 * (round robin), and every decision (which op, which size, which object to
 * free, which thread frees it) comes from one PRNG seeded with the
 * workload's seed. The result depends on nothing but the spec, so every
 * allocator and every repetition executes the same stream, whatever the
 * chunk size.
 *
 * Layering: opgen.c (whole streams, chunks, the window) -> opgen_phase.c
 * (what each phase emits) -> opgen_core.c (bookkeeping); nothing calls
 * back up.
 *
 * Publishing a chunk (segments, timed ops, marks) is opgen_window.c's,
 * shared with the trace converter.
 */
#define _GNU_SOURCE
#include "opstream.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgen_core.h"
#include "opgen_phase.h"
#include "opgen_window.h"

struct opgen {
    const struct workload_spec *w;
    struct gen g;
    struct phase_cursor cur;
    size_t phase;   /* next phase to begin; phase_count = the teardown */
    bool in_phase;  /* cur holds a phase that has not finished */
    bool done;      /* every op and marker has been emitted */
    uint64_t chunk; /* chunks handed out */
    struct opgen_totals totals;
    struct chunk_timing timing;
};

unsigned opstream_timing_shift(const struct workload_spec *w)
{
    /* Stream entries the worker may time: ops, and the visits of access
     * phases, estimated as passes x the most objects an earlier phase can
     * hold (its live target, else its op count). */
    uint64_t est = 0, live = 0;
    for (size_t i = 0; i < w->phase_count; i++) {
        const struct phase_spec *p = &w->phases[i];
        if (p->kind == PHASE_CHURN) {
            est += p->ops;
            uint64_t can = p->live_objects ? p->live_objects : p->ops;
            live = can > live ? can : live;
        } else if (p->kind == PHASE_SCRIPT) {
            est += p->script_len;
            live += p->script_len;
        } else if (p->kind == PHASE_ACCESS) {
            est += p->access_passes * live;
        }
    }
    return opstream_shift_for(est);
}

struct opgen *opgen_new(const struct workload_spec *w, size_t chunk_ops, char *errbuf,
                        size_t errlen)
{
    struct opgen *o = calloc(1, sizeof *o);
    if (!chunk_ops)
        chunk_ops = OPWINDOW_DEFAULT_OPS;
    if (!o || gen_init(&o->g, w->threads, w->seed, chunk_ops) < 0) {
        snprintf(errbuf, errlen, "out of memory for the op generator");
        free(o);
        return NULL;
    }
    o->w = w;
    o->totals.threads = w->threads;
    o->totals.timing_shift = opstream_timing_shift(w);
    if (chunk_timing_init(&o->timing, w->threads, w->seed, o->totals.timing_shift) < 0) {
        snprintf(errbuf, errlen, "out of memory for the op generator");
        opgen_free(o);
        return NULL;
    }
    return o;
}

void opgen_free(struct opgen *o)
{
    if (!o)
        return;
    if (o->in_phase)
        phase_finish(&o->cur);
    gen_release(&o->g);
    chunk_timing_free(&o->timing);
    free(o);
}

/* What the worker must know about a phase at its end (OPF_PHASE_*). */
static uint8_t phase_end_flags(const struct phase_spec *p)
{
    if (p->kind == PHASE_ACCESS)
        return OPF_PHASE_ACCESS;
    if (p->kind == PHASE_FORK)
        return p->fork_child == FORK_READ ? OPF_PHASE_FORK_READ : OPF_PHASE_FORK_IDLE;
    return 0;
}

/* Emit ops into the staging area until it is full or the stream ends. */
static int fill_chunk(struct opgen *o, char *errbuf, size_t errlen)
{
    const struct workload_spec *w = o->w;
    struct gen *g = &o->g;
    gen_chunk_reset(g);
    while (!o->done && gen_room(g)) {
        if (!o->in_phase) {
            if (o->phase > w->phase_count || (o->phase == w->phase_count && !w->teardown)) {
                o->done = true;
                break;
            }
            const struct phase_spec *p = o->phase < w->phase_count ? &w->phases[o->phase] : NULL;
            if (phase_begin(&o->cur, g, w, p, errbuf, errlen) < 0)
                return -1;
            o->in_phase = true;
        }
        if (!phase_emit(&o->cur, g, w))
            break; /* chunk full */
        phase_finish(&o->cur);
        o->in_phase = false;
        gen_phase_end(g, (uint32_t)o->phase, /* room for it was kept */
                      o->phase < w->phase_count ? phase_end_flags(&w->phases[o->phase]) : 0);
        o->phase++;
    }

    if (g->too_many_slots) {
        snprintf(errbuf, errlen, "workload '%s' holds more than %llu objects at once, more than "
                 "the op stream can number", w->name, (unsigned long long)SPEC_MAX_LIVE_OBJECTS);
        return -1;
    }
    o->totals.complete = o->done;
    gen_fill_totals(g, &o->totals);
    return 0;
}

int opgen_next_chunk(struct opgen *o, struct opwindow_header *win, char *errbuf, size_t errlen)
{
    if (o->done) {
        snprintf(errbuf, errlen, "op stream: no chunk after the last");
        return -1;
    }
    if (opwindow_check(win, &o->g, errbuf, errlen) < 0 || fill_chunk(o, errbuf, errlen) < 0)
        return -1;
    gen_publish(&o->g, &o->timing, win, o->chunk++, o->done, o->w->sample_every);
    return 0;
}

int opgen_drain(struct opgen *o, char *errbuf, size_t errlen)
{
    while (!o->done)
        if (fill_chunk(o, errbuf, errlen) < 0)
            return -1;
    return 0;
}

const struct opgen_totals *opgen_totals(const struct opgen *o)
{
    return &o->totals;
}

void opwindow_init(struct opwindow_header *h, uint32_t threads, uint64_t op_capacity)
{
    memset(h, 0, sizeof *h);
    h->magic = OPWINDOW_MAGIC;
    h->version = OPWINDOW_VERSION;
    h->threads = threads;
    h->op_capacity = op_capacity;
}

int opstream_totals(const struct workload_spec *w, struct opgen_totals *out, char *errbuf,
                    size_t errlen)
{
    struct opgen *o = opgen_new(w, 0, errbuf, errlen);
    if (!o)
        return -1;
    int rc = opgen_drain(o, errbuf, errlen);
    *out = o->totals;
    opgen_free(o);
    return rc;
}

void opstream_hash_hex(uint64_t hash, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)hash);
}
