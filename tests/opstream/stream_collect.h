/* stream_collect.h - the whole op stream of a workload, reassembled from
 * the generator's chunks the way a worker receives them, for tests that
 * check it op by op. (Only tests hold a stream whole.) */
#ifndef STREAM_COLLECT_H
#define STREAM_COLLECT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opstream.h"

struct collected {
    uint32_t threads;
    struct op *ops[OPWINDOW_MAX_THREADS]; /* each thread's run, in order */
    size_t count[OPWINDOW_MAX_THREADS];
    uint64_t *timed[OPWINDOW_MAX_THREADS]; /* positions in the thread's run */
    size_t ntimed[OPWINDOW_MAX_THREADS];
    uint64_t chunks;
    uint64_t max_slots_seen; /* the largest `slots` any chunk announced */
    uint32_t min_runahead;
    struct opgen_totals totals;
};

static void *collect_grow(void *p, size_t n, size_t elem)
{
    void *q = realloc(p, (n ? n : 1) * elem);
    if (!q) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return q;
}

/* Generate w in chunks of chunk_ops (0 = default) and reassemble it. */
static void collect(const struct workload_spec *w, size_t chunk_ops, struct collected *c)
{
    char err[256];
    memset(c, 0, sizeof *c);
    c->min_runahead = UINT32_MAX;
    size_t cap = chunk_ops ? chunk_ops : OPWINDOW_DEFAULT_OPS;
    struct opwindow_header *win = malloc(opwindow_bytes(cap));
    struct opgen *g = opgen_new(w, chunk_ops, err, sizeof err);
    if (!win || !g) {
        fprintf(stderr, "collect: %s\n", g ? "out of memory" : err);
        exit(1);
    }
    opwindow_init(win, w->threads, cap);
    c->threads = w->threads;
    do {
        if (opgen_next_chunk(g, win, err, sizeof err) < 0) {
            fprintf(stderr, "collect: %s\n", err);
            exit(1);
        }
        c->chunks++;
        if (win->slots > c->max_slots_seen)
            c->max_slots_seen = win->slots;
        if (win->runahead < c->min_runahead)
            c->min_runahead = win->runahead;
        for (uint32_t t = 0; t < w->threads; t++) {
            const struct opwindow_segment *s = &win->seg[t];
            c->ops[t] = collect_grow(c->ops[t], c->count[t] + s->count, sizeof(struct op));
            memcpy(c->ops[t] + c->count[t], opwindow_ops(win) + s->first,
                   s->count * sizeof(struct op));
            c->timed[t] = collect_grow(c->timed[t], c->ntimed[t] + s->timed_count, sizeof(uint64_t));
            for (uint64_t k = 0; k < s->timed_count; k++)
                c->timed[t][c->ntimed[t] + k] = c->count[t] + opwindow_timed(win)[s->timed_first + k];
            c->ntimed[t] += s->timed_count;
            c->count[t] += s->count;
        }
    } while (!win->last);
    c->totals = *opgen_totals(g);
    opgen_free(g);
    free(win);
}

static void collect_free(struct collected *c)
{
    for (uint32_t t = 0; t < c->threads; t++) {
        free(c->ops[t]);
        free(c->timed[t]);
    }
    memset(c, 0, sizeof *c);
}

#endif
