/* latency.c - histogram bounds, merge and percentiles (layout in latency.h).
 * Not on the measured path: called at the end of a run. */
#include "latency.h"

uint64_t latency_bucket_lower(unsigned i)
{
    unsigned e;

    if (i < LATENCY_SUB_COUNT)
        return i;
    e = i >> LATENCY_SUB_BITS; /* 1.. ; the bucket width is 2^(e-1) */
    if (e > 64 - LATENCY_SUB_BITS)
        return UINT64_MAX; /* past the last real bucket */
    return (uint64_t)(LATENCY_SUB_COUNT + (i & (LATENCY_SUB_COUNT - 1))) << (e - 1);
}

uint64_t latency_bucket_upper(unsigned i)
{
    unsigned e;

    if (i < LATENCY_SUB_COUNT)
        return i;
    e = i >> LATENCY_SUB_BITS;
    if (e > 64 - LATENCY_SUB_BITS)
        return UINT64_MAX;
    /* lower + width - 1: no overflow even for the top bucket, whose upper
     * bound is UINT64_MAX. */
    return latency_bucket_lower(i) + ((UINT64_C(1) << (e - 1)) - 1);
}

void latency_merge(struct latency_hist *dst, const struct latency_hist *src)
{
    dst->count += src->count;
    dst->sum_ns += src->sum_ns;
    if (src->max_ns > dst->max_ns)
        dst->max_ns = src->max_ns;
    for (unsigned i = 0; i < LATENCY_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
}

uint64_t latency_percentile(const struct latency_hist *h, double q)
{
    uint64_t rank, seen = 0;
    long double r;

    if (h->count == 0)
        return 0;
    if (!(q > 0.0)) /* also NaN */
        q = 0.0;
    if (q > 1.0)
        q = 1.0;
    r = (long double)q * (long double)h->count;
    /* q is a double: 0.99 or 5.0 / 7 is stored a hair off, and q * count
     * can land just above an integer that was meant (5.0000000000000000x
     * for 5/7 of 7). Shave far more than that error (2^-53 relative) and far
     * less than one rank, so ceil lands on the intended rank. */
    r -= r * 1e-15L;
    rank = (uint64_t)r;
    if ((long double)rank < r)
        rank++; /* ceil */
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    for (unsigned i = 0; i < LATENCY_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t up = latency_bucket_upper(i);
            return up < h->max_ns ? up : h->max_ns;
        }
    }
    return h->max_ns; /* buckets disagree with count (torn copy): best effort */
}
