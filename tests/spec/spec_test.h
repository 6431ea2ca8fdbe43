/* spec_test.h - tiny assertion helpers shared by the spec tests. A failed
 * check prints where and what, and the test exits non-zero at the end. */
#ifndef ALLOCSCOPE_SPEC_TEST_H
#define ALLOCSCOPE_SPEC_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

#define CHECK_U(actual, expected)                                                      \
    do {                                                                               \
        unsigned long long a_ = (unsigned long long)(actual);                          \
        unsigned long long e_ = (unsigned long long)(expected);                        \
        if (a_ != e_) {                                                                \
            fprintf(stderr, "%s:%d: %s is %llu, expected %llu\n", __FILE__, __LINE__,   \
                    #actual, a_, e_);                                                  \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

#define CHECK_D(actual, expected)                                                      \
    do {                                                                               \
        double a_ = (actual), e_ = (expected);                                         \
        if (fabs(a_ - e_) > 1e-12 * (fabs(e_) + 1)) {                                  \
            fprintf(stderr, "%s:%d: %s is %g, expected %g\n", __FILE__, __LINE__,      \
                    #actual, a_, e_);                                                  \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

#define CHECK_S(actual, expected)                                                      \
    do {                                                                               \
        const char *a_ = (actual), *e_ = (expected);                                   \
        if (!a_ || strcmp(a_, e_) != 0) {                                              \
            fprintf(stderr, "%s:%d: %s is '%s', expected '%s'\n", __FILE__, __LINE__,  \
                    #actual, a_ ? a_ : "(null)", e_);                                  \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

#endif
