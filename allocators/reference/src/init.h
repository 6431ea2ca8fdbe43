/* init.h - process-wide set-up, done lazily by the first thread cache.
 *
 * Nothing else needs initialising: every lock and table is static, and the
 * heap finds the break on its first growth.  So an allocation made while
 * set-up is in progress (by another thread, or by the set-up itself when
 * pthread_atfork allocates) is served by the central pool, uncached. */
#ifndef REF_INIT_H
#define REF_INIT_H

#include <pthread.h>
#include <stdbool.h>

#include "config.h"

/* Whose destructor retires a thread's cache (valid once ready). */
extern INTERNAL pthread_key_t thread_exit_key;

/* True once the exit key exists and the fork handlers are registered;
 * false while another call is still doing it. */
INTERNAL bool allocator_ready(void);

#endif
