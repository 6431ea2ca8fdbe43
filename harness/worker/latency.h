/* latency.h - log-bucketed latency histogram (struct latency_hist in
 * worker_protocol.h).
 *
 * Bucket layout, LATENCY_SUB_BITS = 3 (S = 8 sub-buckets per power of two):
 *   - values 0..7 have one bucket each (index = value);
 *   - a value v >= 8 with highest set bit b (2^b <= v < 2^(b+1)) goes to
 *       index = (b - 2) * 8 + (the 3 bits below bit b),
 *     i.e. [2^b, 2^(b+1)) is cut into 8 equal buckets of width 2^(b-3).
 *   So 8..15 still get one bucket each, and bucket i >= 8 covers
 *   [(8 + i%8) << (i/8 - 1), that + (1 << (i/8 - 1)) - 1]. A bucket's width
 *   is at most 1/8 of its lower bound: any value in it is within 12.5 % of
 *   either bound. The top bucket (495) ends at UINT64_MAX; indexes 496..511
 *   are never used.
 *
 * A histogram is written by one thread; give each thread its own and merge
 * them after the threads are done.
 */
#ifndef ALLOCSCOPE_LATENCY_H
#define ALLOCSCOPE_LATENCY_H

#include <stdint.h>

#include "worker_protocol.h"

#define LATENCY_SUB_COUNT (1u << LATENCY_SUB_BITS)

static inline unsigned latency_bucket_index(uint64_t ns)
{
    unsigned b;

    if (ns < LATENCY_SUB_COUNT)
        return (unsigned)ns;
    b = 63u - (unsigned)__builtin_clzll(ns); /* >= LATENCY_SUB_BITS */
    return ((b - LATENCY_SUB_BITS + 1) << LATENCY_SUB_BITS) +
           (unsigned)((ns >> (b - LATENCY_SUB_BITS)) & (LATENCY_SUB_COUNT - 1));
}

/* Add one observation. On the measured path: a few instructions, no call. */
static inline void latency_record(struct latency_hist *h, uint64_t ns)
{
    h->count++;
    h->sum_ns += ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
    h->buckets[latency_bucket_index(ns)]++;
}

/* Smallest and largest value that land in bucket `i` (both inclusive). */
uint64_t latency_bucket_lower(unsigned i);
uint64_t latency_bucket_upper(unsigned i);

/* dst += src: counts, sums and buckets add, max is the larger. */
void latency_merge(struct latency_hist *dst, const struct latency_hist *src);

/* The q-quantile, q in [0, 1] (clamped), of the recorded values: the
 * observation of rank ceil(q * count) (at least 1) is located in its bucket
 * and the bucket's UPPER bound, clamped to max_ns, is returned. So the
 * estimate is never below the true value and at most 12.5 % above it, and
 * q = 1 gives max_ns exactly. Returns 0 when count == 0: callers check
 * count, 0 is not a measurement. */
uint64_t latency_percentile(const struct latency_hist *h, double q);

#endif
