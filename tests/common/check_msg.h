/* check_msg.h - the assertion of the C test programs that explain their
 * failures: CHECK(cond, "printf format", ...) prints FILE:LINE, the failed
 * expression and the message, counts the failure and carries on, so one
 * run reports every broken check; main returns failures ? 1 : 0. */
#ifndef ALLOCSCOPE_TESTS_CHECK_MSG_H
#define ALLOCSCOPE_TESTS_CHECK_MSG_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            failures++;                                                                       \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                                     \
            fputc('\n', stderr);                                                              \
        }                                                                                     \
    } while (0)

#endif
