/* debug.h - invariant assertions, compiled in by the debug build.
 *
 * Built with REF_DEBUG=1 (cmake -DALLOCSCOPE_REF_DEBUG=ON, or the
 * liballocscope_reference_debug.so that the tests preload), REF_ASSERT
 * checks its condition and aborts with the file, line and condition; the
 * expensive whole-structure checks (heap bitmaps against their counts, a
 * run's bitmap against its counters, a bin's list against its count) run
 * where the state is already locked.  In the release build they cost
 * nothing: the condition is not even evaluated.
 */
#ifndef REF_DEBUG_H
#define REF_DEBUG_H

#include "config.h"

#ifndef REF_DEBUG
#define REF_DEBUG 0
#endif

__attribute__((noreturn, cold)) INTERNAL void debug_assert_failed(const char *file, int line,
                                                                  const char *condition);
/* Counts assertions evaluated (only in the debug build): lets a test prove
 * that the checks really ran. */
INTERNAL void debug_count_check(void);
INTERNAL unsigned long debug_checks_run(void);

#if REF_DEBUG
#define REF_ASSERT(cond)                                                        \
    do {                                                                        \
        debug_count_check();                                                    \
        if (UNLIKELY(!(cond)))                                                  \
            debug_assert_failed(__FILE__, __LINE__, #cond);                     \
    } while (0)
#else
#define REF_ASSERT(cond) ((void)0)
#endif

#endif
