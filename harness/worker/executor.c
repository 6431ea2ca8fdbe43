/* executor.c - the measured loop (see executor.h).
 *
 * Worker thread 0 is the process's main thread, always: under glibc only the
 * main thread's arena grows with brk, so running a single-threaded workload
 * on a pthread would hide exactly the program-break behaviour we measure.
 */
#define _GNU_SOURCE
#include "executor.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "latency.h"

/* Every LATENCY_EVERY-th op of a thread is timed (power of two). Timing
 * costs two clock reads (~40 ns); sampling keeps that out of throughput. */
#define LATENCY_EVERY 16
/* Threads > 1 add their op counts to the shared total in batches. */
#define OPS_BATCH 64

static size_t (*usable_size_fn)(void *);

static _Noreturn void fail_now(struct exec_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static _Noreturn void fail_now(struct exec_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->res->error, sizeof ctx->res->error, fmt, ap);
    va_end(ap);
    __atomic_store_n(&ctx->res->state, RESULT_FAILED, __ATOMIC_RELEASE);
    /* The result region already holds every sample taken: leave now, from
     * whichever thread failed, without running atexit handlers. */
    _exit(1);
}

static void *map_shared(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memset(p, 0, bytes); /* pre-fault: resident before the baseline */
    return p;
}

/* ---- sampling ----------------------------------------------------------- */

static int64_t live_total(struct exec_ctx *ctx)
{
    int64_t sum = 0;
    for (uint32_t t = 0; t < ctx->thread_count; t++)
        sum += __atomic_load_n(&ctx->threads[t].live_bytes, __ATOMIC_RELAXED);
    return sum;
}

static uint64_t delta_or_unsupported(uint64_t now, uint64_t base)
{
    if (now == METRIC_UNSUPPORTED || base == METRIC_UNSUPPORTED)
        return METRIC_UNSUPPORTED;
    return now - base;
}

static void take_sample(struct exec_ctx *ctx, enum sample_kind kind, uint32_t phase)
{
    struct result_region *res = ctx->res;
    struct sample s = {.kind = kind, .phase = phase, .usable_bytes = METRIC_UNSUPPORTED};
    s.op = __atomic_load_n(&ctx->ops_total, __ATOMIC_RELAXED);
    s.t_ns = now_ns() - ctx->t0_ns;
    s.live_bytes = live_total(ctx);

    struct statm_reading m = {0};
    statm_read(&ctx->statm, &m);
    s.rss_bytes = m.rss_bytes;
    s.heap_bytes = (int64_t)m.anon_bytes - (int64_t)res->base_anon_bytes;
    s.brk_bytes = (int64_t)(uintptr_t)sbrk(0) - (int64_t)res->base_brk;

    struct fault_counts f = {0};
    rusage_read(&f);
    s.minor_faults = f.minor - ctx->base_minor;
    s.major_faults = f.major - ctx->base_major;

    uint64_t perf[PERF_METRIC_COUNT];
    perf_counters_read(&ctx->perf, perf);
    for (int i = 0; i < PERF_METRIC_COUNT; i++)
        s.perf[i] = delta_or_unsupported(perf[i], ctx->perf_base[i]);

    if (kind == SAMPLE_PHASE_END && usable_size_fn) {
        /* All other threads wait at the barrier: the table is stable. */
        uint64_t usable = 0;
        for (uint64_t i = 0; i < ctx->stream->slots; i++)
            if (ctx->slots[i].ptr)
                usable += usable_size_fn(ctx->slots[i].ptr);
        s.usable_bytes = usable;
    }

    if (s.rss_bytes > res->peak_rss_bytes)
        res->peak_rss_bytes = s.rss_bytes;
    if (s.heap_bytes > res->peak_heap_bytes)
        res->peak_heap_bytes = s.heap_bytes;
    if (s.live_bytes > res->peak_live_bytes)
        res->peak_live_bytes = s.live_bytes;
    if (s.brk_bytes > res->peak_brk_bytes)
        res->peak_brk_bytes = s.brk_bytes;

    uint64_t n = res->sample_count;
    if (n < res->sample_capacity) {
        res->samples[n] = s;
        __atomic_store_n(&res->sample_count, n + 1, __ATOMIC_RELEASE);
    } else {
        res->samples_dropped++;
    }
}

/* Called when the shared op total may have crossed the next sample point. */
static void maybe_sample(struct exec_ctx *ctx, uint64_t total)
{
    if (total < __atomic_load_n(&ctx->next_sample, __ATOMIC_RELAXED))
        return;
    if (__atomic_exchange_n(&ctx->sample_lock, 1, __ATOMIC_ACQUIRE))
        return; /* another thread is sampling this point */
    uint64_t every = ctx->stream->sample_every;
    if (total >= ctx->next_sample) {
        take_sample(ctx, SAMPLE_PERIODIC, ctx->phase);
        __atomic_store_n(&ctx->next_sample, (total / every + 1) * every, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&ctx->sample_lock, 0, __ATOMIC_RELEASE);
}

static void phase_end(struct exec_ctx *ctx, struct exec_thread *th, uint32_t phase)
{
    if (th->ops_done) {
        __atomic_add_fetch(&ctx->ops_total, th->ops_done, __ATOMIC_RELAXED);
        th->ops_done = 0;
    }
    pthread_barrier_wait(&ctx->barrier);
    if (th->index == 0) {
        uint64_t start = now_ns();
        take_sample(ctx, SAMPLE_PHASE_END, phase);
        ctx->phase = phase + 1; /* periodic samples carry their phase */
        struct smaps_rollup r;
        if (smaps_rollup_read(&r) == 0 && r.rss_bytes >= ctx->peak_smaps_rss) {
            ctx->peak_smaps_rss = r.rss_bytes;
            ctx->res->smaps_peak_phase = r;
        }
        ctx->paused_ns += now_ns() - start;
    }
    pthread_barrier_wait(&ctx->barrier);
}

/* ---- executing ops ------------------------------------------------------ */

static inline void touch(char *p, uint64_t size, unsigned mode)
{
    if (!p || size == 0)
        return;
    switch (mode) {
    case OP_TOUCH_NONE:
        return;
    case OP_TOUCH_FIRST:
        *(volatile char *)p = 1;
        return;
    case OP_TOUCH_PAGES: {
        *(volatile char *)p = 1;
        uintptr_t end = (uintptr_t)p + size;
        for (uintptr_t a = ((uintptr_t)p | 4095) + 1; a < end; a += 4096)
            *(volatile char *)a = 1;
        return;
    }
    case OP_TOUCH_ALL:
        memset(p, 0x5a, size);
        return;
    }
}

/* Wait until every earlier op on the slot (done by other threads) is done.
 * Spin briefly, then sleep on the seq word with a futex: with more threads
 * than cores, spinning or yielding would take the CPU from the very thread
 * being waited for. The waker checks `waiters` without a full fence, so a
 * wake-up can be missed in a narrow race; the timeout bounds that. */
static void wait_slot(struct exec_slot *s, uint32_t seq)
{
    for (unsigned spins = 0; spins < 256; spins++) {
        if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) == seq)
            return;
        __builtin_ia32_pause();
    }
    for (;;) {
        uint32_t now = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
        if (now == seq)
            return;
        __atomic_store_n(&s->waiters, 1, __ATOMIC_SEQ_CST);
        struct timespec timeout = {0, 200000};
        syscall(SYS_futex, &s->seq, FUTEX_WAIT_PRIVATE, now, &timeout, NULL, 0);
    }
}

/* After an op on a slot: publish it and wake a thread waiting for it. */
static inline void publish_slot(struct exec_slot *s, uint32_t next_seq)
{
    __atomic_store_n(&s->seq, next_seq, __ATOMIC_RELEASE);
    if (__atomic_load_n(&s->waiters, __ATOMIC_RELAXED)) {
        __atomic_store_n(&s->waiters, 0, __ATOMIC_RELAXED);
        syscall(SYS_futex, &s->seq, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
    }
}

/* Execute one allocation-or-free op; returns the change in live bytes. */
static inline int64_t execute(struct exec_ctx *ctx, const struct op *op, struct exec_slot *s,
                              struct latency_hist *hist, int timed)
{
    uint64_t start = timed ? now_ns() : 0;
    void *p = NULL;
    int64_t delta;
    switch (op->kind) {
    case OP_MALLOC:
        p = malloc(op->size);
        break;
    case OP_CALLOC:
        p = calloc(1, op->size);
        break;
    case OP_POSIX_MEMALIGN: {
        int rc = posix_memalign(&p, (size_t)1 << op->align_log2, op->size);
        if (rc != 0)
            p = NULL;
        break;
    }
    case OP_ALIGNED_ALLOC:
        p = aligned_alloc((size_t)1 << op->align_log2, op->size);
        break;
    case OP_REALLOC: {
        void *old = s->ptr;
        p = realloc(old, op->size);
        if (timed)
            latency_record(hist, now_ns() - start);
        if (!p && op->size)
            fail_now(ctx, "realloc(%zu) returned NULL", (size_t)op->size);
        delta = (int64_t)op->size - (int64_t)s->size;
        s->size = op->size;
        __atomic_store_n(&s->ptr, p, __ATOMIC_RELEASE);
        touch(p, op->size, op->touch);
        return delta;
    }
    case OP_FREE: {
        void *old = s->ptr;
        delta = -(int64_t)s->size;
        __atomic_store_n(&s->ptr, NULL, __ATOMIC_RELEASE);
        free(old);
        if (timed)
            latency_record(hist, now_ns() - start);
        return delta;
    }
    default:
        fail_now(ctx, "corrupt op stream: op kind %u", op->kind);
    }
    /* Allocations. */
    if (timed)
        latency_record(hist, now_ns() - start);
    if (!p && op->size)
        fail_now(ctx, "allocation of %zu bytes (op kind %u) returned NULL", (size_t)op->size,
                 op->kind);
    touch(p, op->size, op->touch);
    s->size = op->size;
    __atomic_store_n(&s->ptr, p, __ATOMIC_RELEASE);
    return (int64_t)op->size;
}

static void run_thread_ops(struct exec_thread *th)
{
    struct exec_ctx *ctx = th->ctx;
    struct opstream_thread *range = &opstream_threads(ctx->stream)[th->index];
    const struct op *ops = opstream_ops(ctx->stream) + range->first_op;
    const int single = ctx->thread_count == 1;

    for (uint64_t i = 0; i < range->op_count; i++) {
        const struct op *op = &ops[i];
        if (op->kind == OP_PHASE_END) {
            phase_end(ctx, th, (uint32_t)op->size);
            continue;
        }
        struct exec_slot *s = &ctx->slots[op->slot];
        if (op->flags & OPF_WAIT)
            wait_slot(s, op->seq);
        int timed = (++th->timed & (LATENCY_EVERY - 1)) == 0;
        int64_t delta = execute(ctx, op, s, &th->latency, timed);
        __atomic_store_n(&th->live_bytes, th->live_bytes + delta, __ATOMIC_RELAXED);

        if (single) {
            uint64_t total = ++ctx->ops_total;
            if (total >= ctx->next_sample)
                maybe_sample(ctx, total);
        } else {
            publish_slot(s, op->seq + 1);
            if (++th->ops_done < OPS_BATCH)
                continue;
            uint64_t total = __atomic_add_fetch(&ctx->ops_total, OPS_BATCH, __ATOMIC_RELAXED);
            th->ops_done = 0;
            maybe_sample(ctx, total);
        }
    }
}

static void *thread_main(void *arg)
{
    struct exec_thread *th = arg;
    pthread_barrier_wait(&th->ctx->barrier); /* parked: baseline may be taken */
    pthread_barrier_wait(&th->ctx->barrier); /* start gate */
    run_thread_ops(th);
    return NULL;
}

/* ---- set-up and the run ------------------------------------------------- */

int executor_prepare(struct exec_ctx *ctx, struct opstream_header *stream,
                     struct result_region *res)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->stream = stream;
    ctx->res = res;
    ctx->thread_count = stream->threads;
    ctx->next_sample = stream->sample_every;
    res->threads = stream->threads;

    ctx->slots = map_shared(stream->slots * sizeof *ctx->slots);
    ctx->threads = map_shared(stream->threads * sizeof *ctx->threads);
    if (!ctx->slots || !ctx->threads) {
        snprintf(res->error, sizeof res->error, "mmap of executor tables failed: %s",
                 strerror(errno));
        return -1;
    }
    if (statm_open(&ctx->statm) < 0) {
        snprintf(res->error, sizeof res->error, "cannot open /proc/self/statm");
        return -1;
    }
    usable_size_fn = (size_t(*)(void *))dlsym(RTLD_DEFAULT, "malloc_usable_size");

    /* Counters are opened before the threads exist: `inherit` then counts
     * every worker thread. */
    perf_counters_open(&ctx->perf);
    for (int i = 0; i < PERF_METRIC_COUNT; i++)
        res->perf_errno[i] = ctx->perf.open_errno[i];

    if (pthread_barrier_init(&ctx->barrier, NULL, stream->threads) != 0) {
        snprintf(res->error, sizeof res->error, "pthread_barrier_init failed");
        return -1;
    }
    for (uint32_t t = 0; t < stream->threads; t++) {
        ctx->threads[t].index = t;
        ctx->threads[t].ctx = ctx;
    }
    for (uint32_t t = 1; t < stream->threads; t++) {
        int rc = pthread_create(&ctx->threads[t].handle, NULL, thread_main, &ctx->threads[t]);
        if (rc != 0) {
            snprintf(res->error, sizeof res->error, "pthread_create: %s", strerror(rc));
            return -1;
        }
    }
    return 0;
}

int executor_run(struct exec_ctx *ctx)
{
    struct result_region *res = ctx->res;

    /* Every thread has started and faulted in its stack and TLS before the
     * baseline, so none of that counts as heap. */
    if (ctx->thread_count > 1)
        pthread_barrier_wait(&ctx->barrier);

    /* Baseline: immediately before the first measured op. */
    struct statm_reading m;
    statm_read(&ctx->statm, &m);
    res->base_rss_bytes = m.rss_bytes;
    res->base_anon_bytes = m.anon_bytes;
    res->base_brk = (uint64_t)(uintptr_t)sbrk(0);
    struct fault_counts f;
    rusage_read(&f);
    ctx->base_minor = f.minor;
    ctx->base_major = f.major;
    perf_counters_enable(&ctx->perf);
    perf_counters_read(&ctx->perf, ctx->perf_base);
    res->peak_rss_bytes = m.rss_bytes;
    __atomic_store_n(&res->state, RESULT_MEASURING, __ATOMIC_RELEASE);
    ctx->t0_ns = now_ns();
    take_sample(ctx, SAMPLE_BASELINE, 0);

    if (ctx->thread_count > 1)
        pthread_barrier_wait(&ctx->barrier); /* open the start gate */
    run_thread_ops(&ctx->threads[0]);
    for (uint32_t t = 1; t < ctx->thread_count; t++)
        pthread_join(ctx->threads[t].handle, NULL);
    uint64_t end = now_ns();

    res->ops_done = ctx->ops_total;
    res->wall_ns = end - ctx->t0_ns - ctx->paused_ns;
    uint64_t n = res->sample_count;
    res->final_heap_bytes = n ? res->samples[n - 1].heap_bytes : 0;
    smaps_rollup_read(&res->smaps_end);
    rusage_read(&f);
    res->ru_maxrss_bytes = f.maxrss_bytes;
    res->ru_minor_faults = f.minor - ctx->base_minor;
    res->ru_major_faults = f.major - ctx->base_major;
    uint64_t perf[PERF_METRIC_COUNT];
    perf_counters_read(&ctx->perf, perf);
    for (int i = 0; i < PERF_METRIC_COUNT; i++)
        res->perf_total[i] = delta_or_unsupported(perf[i], ctx->perf_base[i]);
    for (uint32_t t = 0; t < ctx->thread_count; t++)
        latency_merge(&res->latency, &ctx->threads[t].latency);
    return 0;
}
