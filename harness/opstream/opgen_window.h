/* opgen_window.h - handing a chunk built by the generator's core
 * (opgen_core.h) to a worker's window: segments per thread, the ops to
 * time, peak marks, the run-ahead bound. Shared by the synthetic generator
 * (opgen.c) and the trace converter (trace_convert.c), so both publish
 * chunks the same way.
 *
 * Which ops the worker times is decided here, from a PRNG per thread seeded
 * with the workload's seed, so the op stream does not depend on the timing
 * rate and every allocator has the same ops timed. Gaps between timed ops
 * are geometric (each op is timed with the same probability,
 * independently), so no op kind is favoured by a stride that resonates
 * with the stream's pattern. */
#ifndef ALLOCSCOPE_OPGEN_WINDOW_H
#define ALLOCSCOPE_OPGEN_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgen_core.h"
#include "prng.h"

/* What publishing carries from one chunk to the next, per thread. */
struct chunk_timing {
    unsigned shift;    /* each op is timed with probability 2^-shift */
    double log;        /* log(1 - 2^-shift) */
    struct prng *rng;  /* per thread */
    uint64_t *gap;     /* per thread: ops to skip before the next timed one */
    int64_t *live;     /* per thread: bytes its ops hold (live_at[] checkpoints) */
};

/* About TIMED_OPS_TARGET timed ops for a stream of about `ops` ops. */
unsigned opstream_shift_for(uint64_t ops);

/* Returns 0, or -1 when out of memory. */
int chunk_timing_init(struct chunk_timing *t, uint32_t threads, uint64_t seed, unsigned shift);
void chunk_timing_free(struct chunk_timing *t);

/* The window fits the generator (magic, threads, capacity)? 0 or -1 with
 * a message. */
int opwindow_check(const struct opwindow_header *win, const struct gen *g, char *errbuf,
                   size_t errlen);

/* Publish the staged chunk into win. */
void gen_publish(struct gen *g, struct chunk_timing *tm, struct opwindow_header *win,
                 uint64_t chunk, bool last, uint64_t sample_every);

/* The core's counts into *t (complete, threads and timing_shift are the
 * caller's). */
void gen_fill_totals(const struct gen *g, struct opgen_totals *t);

#endif
