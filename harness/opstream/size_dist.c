/* size_dist.c - request sizes for churn phases (see size_dist.h). */
#include "size_dist.h"

#include <math.h>
#include <stdlib.h>

int size_sampler_init(struct size_sampler *s, const struct size_dist *d)
{
    s->dist = d;
    s->cumulative = NULL;
    s->total_weight = 0;
    if (d->kind != SIZE_TABLE)
        return 0;
    s->cumulative = malloc(d->table_len * sizeof *s->cumulative);
    if (!s->cumulative)
        return -1;
    for (size_t i = 0; i < d->table_len; i++) {
        s->total_weight += d->table[i].weight;
        s->cumulative[i] = s->total_weight;
    }
    return 0;
}

void size_sampler_free(struct size_sampler *s)
{
    free(s->cumulative);
    s->cumulative = NULL;
}

/* Standard normal by Box-Muller (one of the pair; simplicity over speed). */
static double draw_normal(struct prng *r)
{
    double u1 = 1.0 - prng_unit(r); /* (0, 1] */
    double u2 = prng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static uint64_t clamp_size(const struct size_dist *d, double x)
{
    if (!(x >= (double)d->clamp_min)) /* also catches NaN */
        return d->clamp_min;
    if (x >= (double)d->clamp_max)
        return d->clamp_max;
    return (uint64_t)llround(x);
}

uint64_t size_sampler_draw(const struct size_sampler *s, struct prng *r)
{
    const struct size_dist *d = s->dist;
    switch (d->kind) {
    case SIZE_FIXED:
        return clamp_size(d, (double)d->fixed);
    case SIZE_UNIFORM:
        return clamp_size(d, (double)(d->lo + prng_below(r, d->hi - d->lo + 1)));
    case SIZE_LOGNORMAL:
        return clamp_size(d, exp(log(d->median) + d->sigma * draw_normal(r)));
    case SIZE_PARETO: {
        double u = 1.0 - prng_unit(r); /* (0, 1] */
        return clamp_size(d, (double)d->scale * pow(u, -1.0 / d->alpha));
    }
    case SIZE_TABLE: {
        double x = prng_unit(r) * s->total_weight;
        size_t lo = 0, hi = d->table_len - 1;
        while (lo < hi) { /* first entry whose cumulative weight exceeds x */
            size_t mid = lo + (hi - lo) / 2;
            if (s->cumulative[mid] > x)
                hi = mid;
            else
                lo = mid + 1;
        }
        return clamp_size(d, (double)d->table[lo].size);
    }
    }
    return d->clamp_min;
}
