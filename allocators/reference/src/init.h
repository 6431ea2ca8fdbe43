/* init.h - process-wide set-up.
 *
 * Nothing needs initialising before the first allocation: every lock and
 * table is static, and the heap finds the break on its first growth.  The
 * secret and the thread-exit key are made by the first thread cache set-up
 * (allocator_ready); an allocation made while that is in progress (by
 * another thread, or by the set-up itself) is served by the central pool,
 * uncached.  The fork handlers are registered by the library's constructor,
 * never lazily: pthread_atfork inside another library's fork handler would
 * deadlock in glibc. */
#ifndef REF_INIT_H
#define REF_INIT_H

#include <pthread.h>
#include <stdbool.h>

#include "config.h"

/* Whose destructor retires a thread's cache (valid once ready). */
extern INTERNAL pthread_key_t thread_exit_key;

/* True once the secret and the exit key exist; false while another call
 * is still making them. */
INTERNAL bool allocator_ready(void);

#endif
