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
 * Which ops the worker times is decided here too, from a separate PRNG per
 * thread, so the op stream does not depend on the timing rate and every
 * allocator has the same ops timed. Gaps between timed ops are geometric
 * (each op is timed with the same probability, independently), so no op
 * kind is favoured by a stride that resonates with the stream's pattern.
 */
#define _GNU_SOURCE
#include "opstream.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgen_core.h"
#include "opgen_phase.h"
#include "prng.h"

/* About this many timed ops per run (enough for a p99.9), and between one op
 * in 2^MIN and one in 2^MAX timed: timing costs some 40 instructions, which
 * must stay a small share of the measured loop even on short streams. */
#define TIMED_OPS_TARGET 20000
#define MIN_TIMING_SHIFT 3
#define MAX_TIMING_SHIFT 10

struct opgen {
    const struct workload_spec *w;
    struct gen g;
    struct phase_cursor cur;
    size_t phase;   /* next phase to begin; phase_count = the teardown */
    bool in_phase;  /* cur holds a phase that has not finished */
    bool done;      /* every op and marker has been emitted */
    uint64_t chunk; /* chunks handed out */
    struct opgen_totals totals;

    /* Timing: per thread, ops to skip before the next timed one. */
    struct prng *timing_rng;
    uint64_t *timing_gap;
    int64_t *thread_live; /* per thread: bytes its ops hold, whole stream so far */
    double timing_log; /* log(1 - 2^-shift) */
};

unsigned opstream_timing_shift(const struct workload_spec *w)
{
    uint64_t est = 0;
    for (size_t i = 0; i < w->phase_count; i++)
        est += w->phases[i].kind == PHASE_CHURN    ? w->phases[i].ops
               : w->phases[i].kind == PHASE_SCRIPT ? w->phases[i].script_len
                                                   : 0;
    unsigned shift = MIN_TIMING_SHIFT;
    while (shift < MAX_TIMING_SHIFT && (est >> shift) > TIMED_OPS_TARGET)
        shift++;
    return shift;
}

/* Ops to skip before the next timed one: geometric, mean 2^shift - 1. */
static uint64_t timing_skip(struct opgen *o, uint32_t t)
{
    if (o->totals.timing_shift == 0)
        return 0;
    double u = 1.0 - prng_unit(&o->timing_rng[t]); /* (0, 1] */
    return (uint64_t)floor(log(u) / o->timing_log);
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
    o->timing_log = log1p(-ldexp(1.0, -(int)o->totals.timing_shift));
    o->timing_rng = calloc(w->threads, sizeof *o->timing_rng);
    o->timing_gap = calloc(w->threads, sizeof *o->timing_gap);
    o->thread_live = calloc(w->threads, sizeof *o->thread_live);
    if (!o->timing_rng || !o->timing_gap || !o->thread_live) {
        snprintf(errbuf, errlen, "out of memory for the op generator");
        opgen_free(o);
        return NULL;
    }
    for (uint32_t t = 0; t < w->threads; t++) {
        prng_seed(&o->timing_rng[t], w->seed ^ (0x74696d6564ULL + 0x9e3779b97f4a7c15ULL * t));
        o->timing_gap[t] = timing_skip(o, t);
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
    free(o->timing_rng);
    free(o->timing_gap);
    free(o->thread_live);
    free(o);
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
        gen_phase_end(g, (uint32_t)o->phase); /* room for it was kept */
        o->phase++;
    }

    if (g->too_many_slots) {
        snprintf(errbuf, errlen, "workload '%s' holds more than %llu objects at once, more than "
                 "the op stream can number", w->name, (unsigned long long)SPEC_MAX_LIVE_OBJECTS);
        return -1;
    }
    struct opgen_totals *t = &o->totals;
    t->complete = o->done;
    t->ops = g->total_ops;
    t->marker_ops = g->marker_ops;
    memcpy(t->kind_counts, g->kind_counts, sizeof t->kind_counts);
    t->hash = g->hash;
    t->peak_live_bytes = g->peak_live_bytes;
    t->max_live_objects = g->max_live_objects;
    t->slots = g->slot_count ? g->slot_count : 1;
    return 0;
}

/* How far (in global positions) a thread may run ahead of the others. A
 * thread that leads by W positions holds about W/2 objects the global
 * order has already freed, so W = live/16 keeps the live set at run time
 * within about 3 % of the generator's (the spec's); a wider bound would
 * let threads synchronise less often. */
static uint32_t runahead_for(const struct gen *g)
{
    uint64_t w = g->live_objects / 16;
    return w < 64 ? 64 : w > (1u << 24) ? (1u << 24) : (uint32_t)w;
}

/* Hand the staged chunk to the window: one segment per thread, the timed
 * positions of each segment, and the peak marks. */
static void publish(struct opgen *o, struct opwindow_header *win)
{
    struct gen *g = &o->g;
    uint32_t threads = g->thread_count;
    struct op *ops = opwindow_ops(win);
    uint32_t *timed = opwindow_timed(win);

    uint64_t at = 0;
    for (uint32_t t = 0; t < threads; t++)
        win->seg[t] = (struct opwindow_segment){0};
    for (size_t i = 0; i < g->staged_count; i++)
        win->seg[g->staged[i].thread].count++;
    for (uint32_t t = 0; t < threads; t++) {
        win->seg[t].first = at;
        at += win->seg[t].count;
    }

    int64_t *live_at = opwindow_live_at(win);
    uint64_t live_next = 0;
    for (uint32_t t = 0; t < threads; t++) {
        win->seg[t].live_first = live_next;
        live_next += (win->seg[t].count + OPWINDOW_LIVE_STEP - 1) / OPWINDOW_LIVE_STEP;
    }

    uint64_t fill[OPWINDOW_MAX_THREADS] = {0};
    uint32_t mark = 0;
    win->mark_count = 0;
    for (size_t i = 0; i < g->staged_count; i++) {
        uint32_t t = g->staged[i].thread;
        uint64_t index = fill[t]++;
        if (index % OPWINDOW_LIVE_STEP == 0)
            live_at[win->seg[t].live_first + index / OPWINDOW_LIVE_STEP] = o->thread_live[t];
        o->thread_live[t] += op_live_delta(&g->staged[i].op);
        ops[win->seg[t].first + index] = g->staged[i].op;
        if (mark < g->mark_count && g->marks[mark].staged == i) {
            win->marks[win->mark_count++] = (struct opwindow_mark){.thread = t, .index = index};
            mark++;
        }
    }

    uint64_t k = 0;
    for (uint32_t t = 0; t < threads; t++) {
        uint64_t n = win->seg[t].count, pos = o->timing_gap[t];
        win->seg[t].timed_first = k;
        for (; pos < n; pos += 1 + timing_skip(o, t))
            timed[k++] = (uint32_t)pos;
        win->seg[t].timed_count = k - win->seg[t].timed_first;
        o->timing_gap[t] = pos - n;
    }

    win->chunk = o->chunk++;
    win->last = o->done;
    win->runahead = runahead_for(g);
    win->slots = o->totals.slots;
    win->sample_every = o->w->sample_every;
}

int opgen_next_chunk(struct opgen *o, struct opwindow_header *win, char *errbuf, size_t errlen)
{
    if (o->done) {
        snprintf(errbuf, errlen, "op stream: no chunk after the last");
        return -1;
    }
    if (win->magic != OPWINDOW_MAGIC || win->threads != o->g.thread_count ||
        win->op_capacity < o->g.staged_cap) {
        snprintf(errbuf, errlen, "op stream: window does not fit the generator");
        return -1;
    }
    if (fill_chunk(o, errbuf, errlen) < 0)
        return -1;
    publish(o, win);
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
