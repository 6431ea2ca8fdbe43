/* rec_writer.c - the writer: drains every thread's ring, encodes the
 * events (trace_format.h) and writes them through one zstd stream.
 *
 * It wakes every 10 ms, or when a thread's ring is half full. A drain
 * cycle reads the clock first, then takes each ring's new events as one
 * CHUNK record, then writes a DRAIN record with the clock it read and
 * flushes the compressor, so a program killed at any moment leaves a trace
 * whose every cycle up to the last flush can be read. Readers merge the
 * threads by stamp and may trust that an event stamped before a cycle's
 * clock is in that cycle or an earlier one, unless its thread was
 * descheduled between stamping and publishing it for longer than a cycle
 * (they count such events as late).
 *
 * The writer's memory (compressor included) comes from mmap, never from
 * the allocator being recorded, and the thread blocks every signal.
 */
#define _GNU_SOURCE
#include "rec.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createCCtx_advanced: custom memory */
#include <zstd.h>

#define CYCLE_MS 10
#define SCRATCH_BYTES ((size_t)REC_RING_ENTRIES * TRACE_MAX_EVENT_BYTES + 64)

static struct {
    int fd;
    ZSTD_CCtx *cctx;
    uint8_t *scratch; /* one encoded chunk */
    uint8_t *out;     /* compressed bytes on their way to the file */
    size_t out_cap;
    pthread_mutex_t lock;
    pthread_t thread;
    bool started, finished, failed;
    uint64_t events;
} W = {.fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER};

void rec_say(const char *a, const char *b)
{
    ssize_t ignored = write(STDERR_FILENO, a, strlen(a));
    ignored = write(STDERR_FILENO, b, strlen(b));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
}

/* ---- memory from mmap, for zstd ------------------------------------------ */

static void *map_bytes(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void *zstd_alloc(void *opaque, size_t size)
{
    (void)opaque;
    size_t total = size + 64;
    char *p = map_bytes(total);
    if (!p)
        return NULL;
    memcpy(p, &total, sizeof total);
    return p + 64;
}

static void zstd_free(void *opaque, void *address)
{
    (void)opaque;
    if (!address)
        return;
    char *p = (char *)address - 64;
    size_t total;
    memcpy(&total, p, sizeof total);
    munmap(p, total);
}

/* ---- output ---------------------------------------------------------------- */

static void fail(const char *what)
{
    if (!W.failed)
        rec_say("allocscope record: the trace is incomplete: ", what);
    W.failed = true;
    rec_state = REC_OFF;
}

static void write_all(const uint8_t *p, size_t n)
{
    while (n > 0 && !W.failed) {
        ssize_t w = write(W.fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fail(strerror(errno));
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Feed bytes to the compressor; `mode` flushes or ends the frame. */
static void compress(const void *data, size_t n, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {data, n, 0};
    for (;;) {
        ZSTD_outBuffer out = {W.out, W.out_cap, 0};
        size_t rc = ZSTD_compressStream2(W.cctx, &out, &in, mode);
        if (ZSTD_isError(rc)) {
            fail(ZSTD_getErrorName(rc));
            return;
        }
        write_all(W.out, out.pos);
        if (W.failed)
            return;
        if (mode == ZSTD_e_continue ? in.pos == in.size : rc == 0)
            return;
    }
}

/* A record of a tag and varints. */
static void put_record(unsigned tag, const uint64_t *v, size_t n, const void *tail,
                       size_t tail_len)
{
    uint8_t buf[1 + 10 * 12];
    size_t len = 0;
    buf[len++] = (uint8_t)tag;
    for (size_t i = 0; i < n; i++)
        len += trace_put_uvar(buf + len, v[i]);
    compress(buf, len, ZSTD_e_continue);
    if (tail_len)
        compress(tail, tail_len, ZSTD_e_continue);
}

/* ---- draining ---------------------------------------------------------------- */

static void encode_chunk(const struct rec_ring *r, uint64_t from, uint64_t to)
{
    static struct trace_encoder enc; /* only the writer encodes */
    trace_encoder_chunk(&enc);
    size_t len = 0;
    for (uint64_t i = from; i < to; i++) {
        const struct rec_raw *e = &r->e[i & (REC_RING_ENTRIES - 1)];
        unsigned kf = (unsigned)(e->kb >> 56), kind = kf & TEV_KIND_MASK;
        uint64_t b = e->kb & REC_B_MASK, n = 0, align = 0;
        switch (kind) {
        case TEV_CALLOC:
        case TEV_REALLOCARRAY_END:
            n = b;
            break;
        case TEV_USABLE_SIZE:
            n = e->a;
            break;
        case TEV_POSIX_MEMALIGN:
        case TEV_ALIGNED_ALLOC:
        case TEV_MEMALIGN:
            align = b;
            break;
        }
        len += trace_encode_event(W.scratch + len, &enc, kind, kf & ~TEV_KIND_MASK, e->stamp,
                                  e->addr, n, align, e->a);
    }
    uint64_t v[4] = {r->thread, from, to - from, len};
    put_record(TREC_CHUNK, v, 4, W.scratch, len);
    W.events += to - from;
}

static bool thread_gone(int32_t tid)
{
    return syscall(SYS_tgkill, (long)getpid(), (long)tid, 0) < 0 && errno == ESRCH;
}

/* One cycle (W.lock held): every ring's new events, then DRAIN. */
static void drain_cycle(void)
{
    uint64_t stamp = rec_stamp(), mono = rec_mono_ns();
    bool any = false;
    for (struct rec_ring *r = rec_rings(); r && !W.failed; r = r->next) {
        if (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) != REC_RING_LIVE)
            continue;
        /* Gone before head is read: its last events are in this drain. */
        bool gone = __atomic_load_n(&r->exiting, __ATOMIC_ACQUIRE) && thread_gone(r->tid);
        uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE), tail = r->tail;
        if (head != tail) {
            encode_chunk(r, tail, head);
            __atomic_store_n(&r->tail, head, __ATOMIC_RELEASE);
            if (__atomic_load_n(&r->waiting, __ATOMIC_SEQ_CST)) {
                r->waiting = 0;
                syscall(SYS_futex, (uint32_t *)&r->tail, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
            }
            any = true;
        }
        if (gone) {
            uint64_t v[2] = {r->thread, head};
            put_record(TREC_EXIT, v, 2, NULL, 0);
            rec_ring_retire(r);
            any = true;
        }
    }
    if (!any || W.failed)
        return;
    uint64_t v[2] = {stamp, mono};
    put_record(TREC_DRAIN, v, 2, NULL, 0);
    compress(NULL, 0, ZSTD_e_flush);
}

static void *writer_main(void *arg)
{
    (void)arg;
    rec_tls_busy = 1; /* whatever this thread allocates is not recorded */
    for (;;) {
        struct timespec t = {0, CYCLE_MS * 1000000L};
        syscall(SYS_futex, &rec_wake_word, FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
        __atomic_store_n(&rec_wake_word, 0, __ATOMIC_RELAXED);
        pthread_mutex_lock(&W.lock);
        bool done = W.finished;
        if (!done)
            drain_cycle();
        pthread_mutex_unlock(&W.lock);
        if (done)
            return NULL;
    }
}

/* ---- start, exec, end ------------------------------------------------------- */

static size_t put_text(uint8_t *p, const char *s, size_t len)
{
    size_t n = trace_put_uvar(p, len);
    memcpy(p + n, s, len);
    return n + len;
}

int rec_writer_start(int fd, const struct rec_header_field *fields, size_t count)
{
    W.fd = fd;
    W.out_cap = ZSTD_CStreamOutSize();
    W.out = map_bytes(W.out_cap);
    W.scratch = map_bytes(SCRATCH_BYTES);
    ZSTD_customMem mem = {zstd_alloc, zstd_free, NULL};
    W.cctx = ZSTD_createCCtx_advanced(mem);
    if (!W.out || !W.scratch || !W.cctx)
        return -1;
    const char *level = getenv("ALLOCSCOPE_RECORD_LEVEL");
    ZSTD_CCtx_setParameter(W.cctx, ZSTD_c_compressionLevel, level ? atoi(level) : 1);
    ZSTD_CCtx_setParameter(W.cctx, ZSTD_c_checksumFlag, 1);

    size_t bytes = 16;
    for (size_t i = 0; i < count; i++)
        bytes += 20 + strlen(fields[i].key) + fields[i].value_len;
    uint8_t *h = map_bytes(bytes);
    if (!h)
        return -1;
    size_t len = 0;
    memcpy(h, TRACE_MAGIC, TRACE_MAGIC_LEN);
    len += TRACE_MAGIC_LEN;
    h[len++] = TRACE_VERSION & 0xff;
    h[len++] = TRACE_VERSION >> 8;
    h[len++] = 0;
    h[len++] = 0;
    len += trace_put_uvar(h + len, count);
    for (size_t i = 0; i < count; i++) {
        len += put_text(h + len, fields[i].key, strlen(fields[i].key));
        len += put_text(h + len, fields[i].value, fields[i].value_len);
    }
    compress(h, len, ZSTD_e_flush);
    munmap(h, bytes);
    if (W.failed)
        return -1;

    /* The writer takes no signal meant for the program. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    W.started = pthread_create(&W.thread, NULL, writer_main, NULL) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return W.started ? 0 : -1;
}

/* The lock, unless it cannot be had within 2 s (a thread that held it was
 * interrupted by a signal whose handler now exits or execs). */
static bool lock_writer(void)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    return pthread_mutex_timedlock(&W.lock, &until) == 0;
}

static uint32_t own_thread(void)
{
    return rec_tls_ring ? rec_tls_ring->thread : 0;
}

void rec_writer_exec(const char *path)
{
    if (!W.started || !lock_writer())
        return;
    if (!W.finished && !W.failed) {
        drain_cycle();
        size_t len = strnlen(path ? path : "", TRACE_MAX_PATH);
        uint64_t v[3] = {own_thread(), rec_stamp(), len};
        put_record(TREC_EXEC, v, 3, path, len);
        compress(NULL, 0, ZSTD_e_end); /* a complete frame on disk */
    }
    pthread_mutex_unlock(&W.lock);
}

void rec_writer_finish(enum trace_end reason, bool join)
{
    if (!W.started || !lock_writer())
        return;
    bool was_finished = W.finished;
    if (!W.finished && !W.failed) {
        drain_cycle();
        uint64_t nested = 0;
        for (struct rec_ring *r = rec_rings(); r; r = r->next)
            nested += r->nested;
        uint64_t v[7] = {reason, rec_stamp(), rec_mono_ns(), W.events, rec_thread_count(),
                         rec_boot_calls, nested};
        put_record(TREC_END, v, 7, NULL, 0);
        compress(NULL, 0, ZSTD_e_end);
    }
    W.finished = true;
    rec_state = REC_OFF;
    pthread_mutex_unlock(&W.lock);
    if (join && !was_finished && !pthread_equal(pthread_self(), W.thread)) {
        rec_poke_writer();
        pthread_join(W.thread, NULL);
    }
}
