/* opgen_window.c - see opgen_window.h. */
#define _GNU_SOURCE
#include "opgen_window.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* About this many timed ops per run (enough for a p99.9), and between one op
 * in 2^MIN and one in 2^MAX timed: timing costs some 40 instructions, which
 * must stay a small share of the measured loop even on short streams. */
#define TIMED_OPS_TARGET 20000
#define MIN_TIMING_SHIFT 3
#define MAX_TIMING_SHIFT 10

unsigned opstream_shift_for(uint64_t ops)
{
    unsigned shift = MIN_TIMING_SHIFT;
    while (shift < MAX_TIMING_SHIFT && (ops >> shift) > TIMED_OPS_TARGET)
        shift++;
    return shift;
}

/* Ops to skip before the next timed one: geometric, mean 2^shift - 1. */
static uint64_t timing_skip(struct chunk_timing *tm, uint32_t t)
{
    if (tm->shift == 0)
        return 0;
    double u = 1.0 - prng_unit(&tm->rng[t]); /* (0, 1] */
    return (uint64_t)floor(log(u) / tm->log);
}

int chunk_timing_init(struct chunk_timing *tm, uint32_t threads, uint64_t seed, unsigned shift)
{
    memset(tm, 0, sizeof *tm);
    tm->shift = shift;
    tm->log = log1p(-ldexp(1.0, -(int)shift));
    tm->rng = calloc(threads, sizeof *tm->rng);
    tm->gap = calloc(threads, sizeof *tm->gap);
    tm->live = calloc(threads, sizeof *tm->live);
    if (!tm->rng || !tm->gap || !tm->live) {
        chunk_timing_free(tm);
        return -1;
    }
    for (uint32_t t = 0; t < threads; t++) {
        prng_seed(&tm->rng[t], seed ^ (0x74696d6564ULL + 0x9e3779b97f4a7c15ULL * t));
        tm->gap[t] = timing_skip(tm, t);
    }
    return 0;
}

void chunk_timing_free(struct chunk_timing *tm)
{
    free(tm->rng);
    free(tm->gap);
    free(tm->live);
    tm->rng = NULL;
    tm->gap = NULL;
    tm->live = NULL;
}

int opwindow_check(const struct opwindow_header *win, const struct gen *g, char *errbuf,
                   size_t errlen)
{
    if (win->magic != OPWINDOW_MAGIC || win->threads != g->thread_count ||
        win->op_capacity < g->staged_cap) {
        snprintf(errbuf, errlen, "op stream: window does not fit the generator");
        return -1;
    }
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

void gen_publish(struct gen *g, struct chunk_timing *tm, struct opwindow_header *win,
                 uint64_t chunk, bool last, uint64_t sample_every)
{
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
            live_at[win->seg[t].live_first + index / OPWINDOW_LIVE_STEP] = tm->live[t];
        tm->live[t] += op_live_delta(&g->staged[i].op);
        ops[win->seg[t].first + index] = g->staged[i].op;
        if (mark < g->mark_count && g->marks[mark].staged == i) {
            win->marks[win->mark_count++] = (struct opwindow_mark){.thread = t, .index = index};
            mark++;
        }
    }

    uint64_t k = 0;
    for (uint32_t t = 0; t < threads; t++) {
        uint64_t n = win->seg[t].count, pos = tm->gap[t];
        win->seg[t].timed_first = k;
        for (; pos < n; pos += 1 + timing_skip(tm, t))
            timed[k++] = (uint32_t)pos;
        win->seg[t].timed_count = k - win->seg[t].timed_first;
        tm->gap[t] = pos - n;
    }

    win->chunk = chunk;
    win->last = last;
    win->runahead = runahead_for(g);
    win->slots = g->slot_count ? g->slot_count : 1;
    win->sample_every = sample_every;
}

void gen_fill_totals(const struct gen *g, struct opgen_totals *t)
{
    t->ops = g->total_ops;
    t->marker_ops = g->marker_ops;
    memcpy(t->kind_counts, g->kind_counts, sizeof t->kind_counts);
    t->hash = g->hash;
    t->peak_live_bytes = g->peak_live_bytes;
    t->max_live_objects = g->max_live_objects;
    t->slots = g->slot_count ? g->slot_count : 1;
    t->access_ops = g->access_ops;
    t->access_check = 0;
    for (uint32_t i = 0; i < g->thread_count; i++)
        t->access_check += g->access_check[i];
}
