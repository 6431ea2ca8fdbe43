/* lock.c - the fork-time side of the locks (see lock.h). */
#include "lock.h"

__thread bool lock_fork_owner __attribute__((tls_model("initial-exec")));

void lock_fork_take(struct lock *l)
{
    pthread_mutex_lock(&l->mutex);
#if REF_DEBUG
    l->owner = pthread_self();
    l->held = true;
#endif
}

void lock_fork_give(struct lock *l)
{
#if REF_DEBUG
    l->held = false;
#endif
    pthread_mutex_unlock(&l->mutex);
}

void lock_fork_reset(struct lock *l)
{
    pthread_mutex_init(&l->mutex, NULL);
#if REF_DEBUG
    l->held = false;
#endif
}
