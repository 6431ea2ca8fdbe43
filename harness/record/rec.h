/* rec.h - the recorder's parts (liballocscope_record.so, preloaded into a
 * program by `allocscope record`; docs/trace-format.md describes what it
 * writes).
 *
 *   rec_alloc.c    the allocator entry points: forward to the real
 *                  allocator, put one event in the calling thread's ring
 *   rec_boot.c     finding the real allocator (dlsym) and the static arena
 *                  that serves the calls dlsym itself makes meanwhile
 *   rec_ring.c     per-thread rings: registration, a full ring, thread exit
 *   rec_writer.c   the writer thread: drains the rings, encodes, compresses
 *   rec_session.c  whether this process records, the header, fork, exec,
 *                  _exit and the end of the trace
 *
 * Hot path: an entry point reads two thread-local variables, calls the real
 * allocator, reads the clock and stores one 32-byte entry in its own ring,
 * published with a release store of the ring's head. No lock, no atomic
 * read-modify-write, nothing shared with other recording threads: only the
 * writer thread reads the ring (and moves its tail).
 */
#ifndef ALLOCSCOPE_REC_H
#define ALLOCSCOPE_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "trace_format.h"

#define REC_EXPORT __attribute__((visibility("default")))
#define REC_TLS __attribute__((tls_model("initial-exec")))
#define REC_LIKELY(x) __builtin_expect(!!(x), 1)
#define REC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Entries per thread ring (a power of two): 512 KiB of address space,
 * resident only as far as the thread has used it. The owner wakes the
 * writer each time half of it has filled. */
#define REC_RING_ENTRIES 16384u

/* One call as the thread stored it; the writer encodes it. `kb` holds the
 * event kind and flags in its top byte and `b` (nmemb, align) below. */
struct rec_raw {
    uint64_t stamp;
    uint64_t addr;
    uint64_t a; /* size, or malloc_usable_size's result */
    uint64_t kb;
};
#define REC_B_MASK ((1ULL << 56) - 1)

enum rec_ring_state { REC_RING_LIVE = 1, REC_RING_RETIRED = 2 };

/* A thread's ring. head and the fields after it belong to the owner; tail
 * to the writer; they sit on separate cache lines. */
struct rec_ring {
    _Alignas(64) uint64_t head; /* entries published (release) */
    uint64_t tail_seen;         /* the owner's last look at tail */
    uint64_t nested;            /* calls passed through unrecorded (made
                                   inside another recorded call) */
    uint32_t waiting;           /* the owner sleeps until the writer drains */
    _Alignas(64) uint64_t tail; /* entries consumed by the writer (release) */
    uint32_t thread;            /* the trace's thread id */
    int32_t tid;                /* the kernel's */
    uint32_t state;             /* enum rec_ring_state */
    uint32_t exiting;           /* the owner ran its thread-exit destructor */
    struct rec_ring *next;      /* registry: append-only list */
    struct rec_ring *next_free; /* retired rings, for reuse */
    _Alignas(64) struct rec_raw e[REC_RING_ENTRIES];
};

extern __thread struct rec_ring *rec_tls_ring REC_TLS;
extern __thread int rec_tls_busy REC_TLS; /* inside a recorded call */

/* ---- the real allocator (rec_boot.c) ------------------------------------- */

struct rec_real {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*reallocarray)(void *, size_t, size_t);
    void (*free)(void *);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
};
extern struct rec_real rec_real;
extern volatile int rec_resolved;

/* Find the real functions (once; also chooses the clock). */
void rec_resolve(void);
/* The static arena serving calls made while dlsym runs. */
bool rec_boot_owns(const void *p);
void *rec_boot_alloc(size_t size, size_t align);
size_t rec_boot_size(const void *p);
bool rec_boot_active(void); /* this thread is resolving */
extern uint64_t rec_boot_calls;

/* ---- the clock ------------------------------------------------------------ */

extern int rec_clock_tsc; /* 1: rdtsc, 0: CLOCK_MONOTONIC in ns */

static inline uint64_t rec_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The stamp of an event. The fences keep the read after everything before
 * it (an allocation is stamped after it returned) and before everything
 * after it (a free is stamped before it starts). */
static inline uint64_t rec_stamp(void)
{
#if defined(__x86_64__) || defined(__i386__)
    if (rec_clock_tsc) {
        __builtin_ia32_lfence();
        uint64_t t = __builtin_ia32_rdtsc();
        __builtin_ia32_lfence();
        return t;
    }
#endif
    return rec_mono_ns();
}

/* ---- session (rec_session.c) --------------------------------------------- */

enum rec_state {
    REC_PENDING = 0, /* before the constructor decided: events are kept */
    REC_ON,
    REC_OFF,         /* not the recorded process, a forked child, or done */
};
extern volatile int rec_state;
extern pid_t rec_pid;

/* Decide whether this process records (the constructor does; a ring that
 * fills before it ran does it early). */
void rec_session_decide(int argc, char **argv);

/* ---- rings (rec_ring.c) ---------------------------------------------------- */

/* The calling thread's ring, registering one; NULL when this call must
 * pass through unrecorded. On success the thread is marked busy. */
struct rec_ring *rec_enter_slow(void);
/* The ring is full as far as the owner knows: wait for the writer. */
void rec_ring_full(struct rec_ring *r);
/* Half a ring filled: wake the writer. */
void rec_poke_writer(void);
/* First ring of the registry (append-only, read with acquire). */
struct rec_ring *rec_rings(void);
/* The writer retires the ring of a thread that has ended. */
void rec_ring_retire(struct rec_ring *r);
uint32_t rec_thread_count(void);
extern uint32_t rec_wake_word;

static inline struct rec_ring *rec_enter(void)
{
    struct rec_ring *r = rec_tls_ring;
    if (REC_LIKELY(r != NULL && !rec_tls_busy)) {
        rec_tls_busy = 1;
        return r;
    }
    return rec_enter_slow();
}

static inline void rec_leave(void)
{
    rec_tls_busy = 0;
}

static inline void rec_put(struct rec_ring *r, uint64_t stamp, uint64_t addr, uint64_t a,
                           uint64_t b, unsigned kind_flags)
{
    uint64_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED); /* only we write it */
    if (REC_UNLIKELY(h - r->tail_seen >= REC_RING_ENTRIES))
        rec_ring_full(r);
    struct rec_raw *e = &r->e[h & (REC_RING_ENTRIES - 1)];
    e->stamp = stamp;
    e->addr = addr;
    e->a = a;
    e->kb = (uint64_t)kind_flags << 56 | (b & REC_B_MASK);
    __atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
    if (REC_UNLIKELY(((h + 1) & (REC_RING_ENTRIES / 2 - 1)) == 0))
        rec_poke_writer();
}

/* ---- the writer (rec_writer.c) -------------------------------------------- */

struct rec_header_field {
    const char *key;
    const char *value;
    size_t value_len;
};

/* Write the header to fd and start the writer thread. Returns 0 or -1. */
int rec_writer_start(int fd, const struct rec_header_field *fields, size_t count);
/* Drain everything and end the zstd frame before an exec of `path`. */
void rec_writer_exec(const char *path);
/* Drain everything and write the END record (once). */
void rec_writer_finish(enum trace_end reason, bool join);
/* Report a problem on stderr without allocating. */
void rec_say(const char *a, const char *b);

#endif
