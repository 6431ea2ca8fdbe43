/* rec_ring.c - each recording thread's ring of events.
 *
 * A thread gets a ring at its first allocator call: an mmap of its own
 * (never the allocator being recorded), numbered in order of first call
 * (the main thread, which makes the first call, is thread 0). Rings are
 * kept on an append-only list that the writer walks without a lock. When
 * a thread ends (its thread-specific destructor ran and the kernel no
 * longer knows its id), the writer drains its ring, writes EXIT and
 * retires it; a later thread reuses the ring under a new thread id.
 */
#define _GNU_SOURCE
#include "rec.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct rec_ring *rec_tls_ring REC_TLS;
__thread int rec_tls_busy REC_TLS;
uint32_t rec_wake_word;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rec_ring *ring_list;      /* newest first; read with acquire */
static struct rec_ring *ring_free_list; /* retired rings, under the lock */
static uint32_t next_thread;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void futex_wake(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void futex_wait_ms(uint32_t *word, uint32_t value, long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, &t, NULL, 0);
}

struct rec_ring *rec_rings(void)
{
    return __atomic_load_n(&ring_list, __ATOMIC_ACQUIRE);
}

uint32_t rec_thread_count(void)
{
    return __atomic_load_n(&next_thread, __ATOMIC_RELAXED);
}

/* The thread is ending: from now on the writer looks whether it is gone. */
static void on_thread_exit(void *arg)
{
    struct rec_ring *r = arg;
    __atomic_store_n(&r->exiting, 1, __ATOMIC_RELEASE);
}

static void make_exit_key(void)
{
    pthread_key_create(&exit_key, on_thread_exit);
}

static struct rec_ring *register_ring(void)
{
    pthread_once(&exit_key_once, make_exit_key);
    pthread_mutex_lock(&registry_lock);
    struct rec_ring *r = ring_free_list;
    if (r) {
        ring_free_list = r->next_free;
    } else {
        r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (r == MAP_FAILED) {
            pthread_mutex_unlock(&registry_lock);
            return NULL;
        }
    }
    r->head = r->tail = r->tail_seen = r->nested = 0;
    r->waiting = r->exiting = 0;
    r->thread = next_thread;
    __atomic_store_n(&next_thread, next_thread + 1, __ATOMIC_RELAXED);
    r->tid = (int32_t)gettid();
    bool fresh = r->state == 0;
    __atomic_store_n(&r->state, REC_RING_LIVE, __ATOMIC_RELEASE);
    if (fresh) {
        r->next = ring_list;
        __atomic_store_n(&ring_list, r, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&registry_lock);
    pthread_setspecific(exit_key, r);
    return r;
}

struct rec_ring *rec_enter_slow(void)
{
    struct rec_ring *r = rec_tls_ring;
    if (rec_tls_busy) {
        if (r)
            r->nested++;
        return NULL;
    }
    if (rec_boot_active() || rec_state == REC_OFF)
        return NULL;
    int saved = errno;
    rec_tls_busy = 1; /* what registering allocates is not recorded */
    rec_resolve();
    r = rec_state == REC_OFF ? NULL : register_ring();
    rec_tls_ring = r;
    errno = saved;
    if (!r)
        rec_tls_busy = 0;
    return r;
}

void rec_poke_writer(void)
{
    int saved = errno;
    __atomic_store_n(&rec_wake_word, 1, __ATOMIC_RELEASE);
    futex_wake(&rec_wake_word);
    errno = saved;
}

void rec_ring_full(struct rec_ring *r)
{
    int saved = errno;
    uint64_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
    for (;;) {
        r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
        if (h - r->tail_seen < REC_RING_ENTRIES)
            break;
        /* Nobody will drain this ring: a process that does not record (a
         * child made by clone without fork's handlers), or a recording
         * that has ended. Drop what it holds. */
        if (rec_state == REC_PENDING)
            rec_session_decide(0, NULL);
        if (rec_state != REC_ON || getpid() != rec_pid) {
            rec_state = REC_OFF;
            r->tail_seen = h;
            break;
        }
        __atomic_store_n(&r->waiting, 1, __ATOMIC_SEQ_CST);
        rec_poke_writer();
        futex_wait_ms((uint32_t *)&r->tail, (uint32_t)r->tail_seen, 1);
    }
    errno = saved;
}

void rec_ring_retire(struct rec_ring *r)
{
    madvise(r->e, sizeof r->e, MADV_DONTNEED);
    pthread_mutex_lock(&registry_lock);
    __atomic_store_n(&r->state, REC_RING_RETIRED, __ATOMIC_RELEASE);
    r->next_free = ring_free_list;
    ring_free_list = r;
    pthread_mutex_unlock(&registry_lock);
}
