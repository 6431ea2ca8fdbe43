/* size_dist.h - drawing request sizes from a spec's size distribution. */
#ifndef ALLOCSCOPE_SIZE_DIST_H
#define ALLOCSCOPE_SIZE_DIST_H

#include <stdint.h>

#include "prng.h"
#include "spec.h"

/* A size distribution prepared for drawing (table: cumulative weights). */
struct size_sampler {
    const struct size_dist *dist;
    double *cumulative; /* SIZE_TABLE only, table_len entries */
    double total_weight;
};

int size_sampler_init(struct size_sampler *s, const struct size_dist *d);
void size_sampler_free(struct size_sampler *s);

/* One size, clamped into [clamp_min, clamp_max]. */
uint64_t size_sampler_draw(const struct size_sampler *s, struct prng *r);

#endif
