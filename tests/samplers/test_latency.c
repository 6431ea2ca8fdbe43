/* test_latency.c - histogram layout, percentiles, merge. */
#include <string.h>

#include "check.h"
#include "latency.h"

/* Estimate must be >= exact and at most 12.5 % above (upper bound of the
 * bucket, see latency.h). */
#define CHECK_PCT(h, q, exact)                                                 \
    do {                                                                       \
        uint64_t e_ = (exact), got_ = latency_percentile((h), (q));            \
        if (got_ < e_ || (long double)got_ > (long double)e_ * 1.125L) {       \
            fprintf(stderr,                                                    \
                    "%s:%d: percentile(%g) = %" PRIu64 ", exact %" PRIu64      \
                    "\n", __FILE__, __LINE__, (double)(q), got_, e_);          \
            check_failures++;                                                  \
        }                                                                      \
    } while (0)

static struct latency_hist a, b, u; /* 4 KiB each: static */

static void check_layout(void)
{
    unsigned last = 0;

    for (unsigned i = 0; i < LATENCY_BUCKETS; i++) {
        uint64_t lo = latency_bucket_lower(i), hi = latency_bucket_upper(i);

        if (lo == UINT64_MAX && i > 0 && latency_bucket_upper(i - 1) == UINT64_MAX)
            break; /* unused tail */
        last = i;
        CHECK(lo <= hi);
        CHECK(latency_bucket_index(lo) == i);
        CHECK(latency_bucket_index(hi) == i);
        if (i > 0)
            CHECK(lo == latency_bucket_upper(i - 1) + 1); /* contiguous */
        if (i >= 8)
            CHECK((long double)(hi - lo + 1) <= (long double)lo / 8); /* 12.5 % */
        else
            CHECK(lo == i && hi == i);
    }
    CHECK(last == 495);
    CHECK(latency_bucket_upper(last) == UINT64_MAX);
    CHECK(latency_bucket_index(UINT64_MAX) == 495);
    CHECK(latency_bucket_index(0) == 0 && latency_bucket_index(7) == 7);
    CHECK(latency_bucket_index(8) == 8 && latency_bucket_index(15) == 15);
    CHECK(latency_bucket_index(16) == 16 && latency_bucket_index(17) == 16);
    CHECK(latency_bucket_index(18) == 17);
}

int main(void)
{
    static const uint64_t known[] = {1, 7, 8, 100, 1000, 1000000, 1000000000};
    const size_t nk = sizeof known / sizeof known[0];

    check_layout();

    /* Empty: 0, and callers are told to look at count. */
    CHECK(latency_percentile(&a, 0.5) == 0);
    CHECK(latency_percentile(&a, 1.0) == 0);

    for (size_t i = 0; i < nk; i++)
        latency_record(&a, known[i]);
    CHECK_EQ_U64(a.count, nk);
    CHECK_EQ_U64(a.max_ns, 1000000000);
    CHECK_EQ_U64(a.sum_ns, 1 + 7 + 8 + 100 + 1000 + 1000000 + 1000000000);
    /* Rank k of 7 is known[k-1]. */
    for (size_t k = 1; k <= nk; k++)
        CHECK_PCT(&a, (double)k / nk, known[k - 1]);
    CHECK_EQ_U64(latency_percentile(&a, 0.0), 1);   /* smallest, exact */
    CHECK_EQ_U64(latency_percentile(&a, 1.0), 1000000000); /* max exact */
    CHECK_EQ_U64(latency_percentile(&a, 2.0), 1000000000); /* clamped */
    CHECK_EQ_U64(latency_percentile(&a, -1.0), 1);
    /* Below 16 every value has its own bucket: exact. */
    CHECK_EQ_U64(latency_percentile(&a, 2.0 / 7), 7);
    CHECK_EQ_U64(latency_percentile(&a, 3.0 / 7), 8);
    /* A lone value comes back exactly (upper bound clamped to max). */
    struct latency_hist *one = &b;
    latency_record(one, 123456789);
    CHECK_EQ_U64(latency_percentile(one, 0.5), 123456789);
    memset(one, 0, sizeof *one);

    /* Uniform 1..10000: the q-quantile is ceil(q * 10000). */
    for (uint64_t v = 1; v <= 10000; v++)
        latency_record(&u, v);
    static const struct { double q; uint64_t exact; } uq[] = {
        {0.001, 10}, {0.01, 100}, {0.1, 1000}, {0.25, 2500}, {0.5, 5000},
        {0.75, 7500}, {0.9, 9000}, {0.99, 9900}, {0.999, 9990},
        {0.9999, 9999}, {0.00005, 1}, {0.12345, 1235}, {1.0, 10000}};
    for (size_t i = 0; i < sizeof uq / sizeof uq[0]; i++)
        CHECK_PCT(&u, uq[i].q, uq[i].exact);
    CHECK_EQ_U64(latency_percentile(&u, 1.0), 10000);
    CHECK_EQ_U64(u.sum_ns, 10000ull * 10001 / 2);

    /* Merge: counts, sums and buckets add; max is the larger. */
    for (uint64_t v = 20000; v < 20100; v++)
        latency_record(&b, v);
    struct latency_hist m;
    memcpy(&m, &u, sizeof m);
    latency_merge(&m, &b);
    CHECK_EQ_U64(m.count, 10100);
    CHECK_EQ_U64(m.max_ns, 20099);
    CHECK_EQ_U64(m.sum_ns, u.sum_ns + b.sum_ns);
    uint64_t total = 0;
    for (unsigned i = 0; i < LATENCY_BUCKETS; i++) {
        CHECK_EQ_U64(m.buckets[i], u.buckets[i] + b.buckets[i]);
        total += m.buckets[i];
    }
    CHECK_EQ_U64(total, m.count);
    CHECK_PCT(&m, 0.5, 5050);          /* rank 5050 of 1..10000 */
    CHECK_PCT(&m, 10050.0 / 10100, 20049);
    CHECK_EQ_U64(latency_percentile(&m, 1.0), 20099);
    /* Merging into the smaller max keeps the larger. */
    latency_merge(&b, &a);
    CHECK_EQ_U64(b.max_ns, 1000000000);
    CHECK_EQ_U64(b.count, 100 + nk);
    return check_done("latency");
}
