/* check.h - tiny assertion helpers for the sampler tests. Failures print
 * the expression and values and make the test exit 1 at the end. */
#ifndef SAMPLERS_CHECK_H
#define SAMPLERS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failures;

/* Exit status ctest reports as "skipped" (SKIP_RETURN_CODE). */
#define SKIP_RC 77

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            check_failures++;                                                \
        }                                                                    \
    } while (0)

/* lo <= v <= hi, all as signed 64-bit. */
#define CHECK_RANGE(v, lo, hi)                                                   \
    do {                                                                         \
        int64_t v_ = (int64_t)(v), lo_ = (int64_t)(lo), hi_ = (int64_t)(hi);     \
        if (v_ < lo_ || v_ > hi_) {                                              \
            fprintf(stderr,                                                      \
                    "%s:%d: CHECK_RANGE failed: %s = %" PRId64                   \
                    " not in [%" PRId64 ", %" PRId64 "]\n",                      \
                    __FILE__, __LINE__, #v, v_, lo_, hi_);                       \
            check_failures++;                                                    \
        }                                                                        \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                     \
    do {                                                                       \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                       \
        if (a_ != b_) {                                                        \
            fprintf(stderr,                                                    \
                    "%s:%d: CHECK_EQ failed: %s = %" PRIu64 " (0x%" PRIx64     \
                    "), expected %s = %" PRIu64 " (0x%" PRIx64 ")\n",          \
                    __FILE__, __LINE__, #a, a_, a_, #b, b_, b_);               \
            check_failures++;                                                  \
        }                                                                      \
    } while (0)

static inline int check_done(const char *name)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
        return 1;
    }
    printf("%s: ok\n", name);
    return 0;
}

#endif
