/* executor.c - the measured loop (see executor.h).
 *
 * Worker thread 0 is the process's main thread, always: under glibc only the
 * main thread's arena grows with brk, so running a single-threaded workload
 * on a pthread would hide exactly the program-break behaviour we measure.
 *
 * The loop over a segment has no per-op bookkeeping beyond the op itself
 * (and, with threads, the live-bytes count the samplers read): everything
 * else happens at *events*, positions
 * computed ahead (the next op to time, the next check, the next peak mark,
 * the end of the segment), and the inner loop runs from one event to the
 * next. A check (every check_every ops) publishes the thread's progress,
 * enforces the run-ahead bound between threads and takes a periodic sample
 * when one is due.
 *
 * Time the harness spends on itself is paused out of the figures: chunk
 * refills, samples and phase ends stop the clock (paused_ticks), and their
 * faults and perf counts are subtracted; the timer's own cost on timed ops
 * is calibrated at start and taken out of the wall time.
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
#include <sched.h>
#include <unistd.h>

#include "latency.h"
#include "op_access.h"
#include "op_touch.h"
#include "fork_phase.h"
#include "page_controls.h"

/* Ops between a single thread's checks: adapted at every check so that
 * checks come about 16 times per sampling interval (a timer read and a
 * compare each), within these bounds. */
#define CHECK_EVERY_SINGLE 256
#define CHECK_EVERY_MAX 4096
/* Stack the harness gives each worker thread (glibc also puts the thread's
 * TLS in it), all of it resident from the start. */
#define THREAD_STACK_BYTES (1u << 20)
/* The main thread's stack pre-faulted below the executor's frame. */
#define MAIN_STACK_PREFAULT (256u << 10)

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

/* ---- the harness's own memory ------------------------------------------- */

static const long page_size_guess = 4096;

/* A shared mapping, written once per page so it is resident before the
 * baseline, and counted as the harness's. */
static void *harness_map(struct exec_ctx *ctx, size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memset(p, 0, bytes);
    ctx->res->harness_bytes += (bytes + page_size_guess - 1) & ~(uint64_t)(page_size_guess - 1);
    return p;
}

/* Fault in a mapping the parent made (window, result region): rewrite one
 * byte per page, so every page is present and writable. */
static void harness_adopt(struct exec_ctx *ctx, volatile char *p, size_t bytes, bool writable)
{
    for (size_t i = 0; i < bytes; i += (size_t)page_size_guess) {
        char c = p[i];
        if (writable)
            p[i] = c;
    }
    ctx->res->harness_bytes += (bytes + page_size_guess - 1) & ~(uint64_t)(page_size_guess - 1);
}

static void harness_unmap(struct exec_ctx *ctx, void *p, size_t bytes)
{
    munmap(p, bytes);
    ctx->res->harness_bytes -= (bytes + page_size_guess - 1) & ~(uint64_t)(page_size_guess - 1);
}

/* Touch the main thread's stack below this frame, so deeper calls during
 * the run (into the allocator) find it resident. */
static __attribute__((noinline)) void prefault_main_stack(void)
{
    volatile char pad[MAIN_STACK_PREFAULT];
    for (size_t i = 0; i < sizeof pad; i += (size_t)page_size_guess)
        pad[i] = 0;
}

/* A harness table of `cap` entries holding the `old` entries of *table. */
static void *grow_table(struct exec_ctx *ctx, void *table, size_t entry, uint64_t old,
                        uint64_t cap)
{
    void *t = harness_map(ctx, cap * entry);
    if (!t)
        fail_now(ctx, "cannot map a table of %llu entries: %s", (unsigned long long)cap,
                 strerror(errno));
    if (table) {
        memcpy(t, table, old * entry);
        harness_unmap(ctx, table, old * entry);
    }
    return t;
}

/* The pointer table must cover `slots` entries: grow it (in a pause). */
static void ensure_slots(struct exec_ctx *ctx, uint64_t slots)
{
    if (slots <= ctx->slot_capacity)
        return;
    uint64_t cap = ctx->slot_capacity ? ctx->slot_capacity : 1024;
    while (cap < slots)
        cap *= 2;
    ctx->slots = grow_table(ctx, ctx->slots, sizeof *ctx->slots, ctx->slot_capacity, cap);
    if (ctx->thread_count > 1)
        ctx->sync = grow_table(ctx, ctx->sync, sizeof *ctx->sync, ctx->slot_capacity, cap);
    ctx->slot_capacity = cap;
}

/* ---- pauses ------------------------------------------------------------- */

/* What the harness does between two measured stretches: time, faults and
 * perf counts of it are kept out of the figures. */
struct pause {
    uint64_t ticks;
    uint64_t cpu_ns;
    uint64_t minor;
    uint64_t perf[PERF_METRIC_COUNT];
};

static void pause_begin(struct exec_ctx *ctx, struct pause *p, bool faults)
{
    /* Instructions and CPU time: only where no other thread is still
     * measured. */
    if (faults || ctx->thread_count == 1) {
        instr_pause(&ctx->instr);
        p->cpu_ns = cpu_now_ns();
    }
    p->ticks = timer_ticks();
    p->minor = 0;
    if (faults) {
        struct fault_counts f;
        rusage_read(&f);
        p->minor = f.minor;
        perf_counters_read(&ctx->perf, p->perf);
    }
}

static void pause_end(struct exec_ctx *ctx, const struct pause *p, bool faults)
{
    if (faults) {
        struct fault_counts f;
        rusage_read(&f);
        ctx->paused_minor += f.minor - p->minor;
        uint64_t now[PERF_METRIC_COUNT];
        perf_counters_read(&ctx->perf, now);
        for (int i = 0; i < PERF_METRIC_COUNT; i++)
            if (now[i] != METRIC_UNSUPPORTED && p->perf[i] != METRIC_UNSUPPORTED)
                ctx->perf_paused[i] += now[i] - p->perf[i];
    }
    __atomic_add_fetch(&ctx->paused_ticks, timer_ticks() - p->ticks, __ATOMIC_RELAXED);
    if (faults || ctx->thread_count == 1) {
        ctx->cpu_paused_ns += cpu_now_ns() - p->cpu_ns;
        instr_resume(&ctx->instr);
    }
}

/* ---- sampling ----------------------------------------------------------- */

/* One thread: its live bytes at its position, from the generator's
 * checkpoint at or before it (live_at[]) plus at most STEP - 1 ops. Called
 * in pauses only. */
static void settle_live(struct exec_thread *th)
{
    struct exec_ctx *ctx = th->ctx;
    if (ctx->thread_count > 1)
        return; /* threads keep live_bytes current after every op */
    const struct opwindow_segment *seg = &ctx->win->seg[th->index];
    uint64_t pos = th->pos, base = pos / OPWINDOW_LIVE_STEP * OPWINDOW_LIVE_STEP;
    if (pos == 0 && seg->count == 0)
        return; /* an empty segment: nothing changed */
    if (base == seg->count) /* past the end: the last checkpoint */
        base -= OPWINDOW_LIVE_STEP;
    int64_t live = opwindow_live_at(ctx->win)[seg->live_first + base / OPWINDOW_LIVE_STEP];
    for (const struct op *op = th->segment + base, *end = th->segment + pos; op < end; op++)
        live += op_live_delta(op);
    th->live_bytes = live;
}

static int64_t live_total(struct exec_ctx *ctx)
{
    int64_t sum = 0;
    for (uint32_t t = 0; t < ctx->thread_count; t++)
        sum += __atomic_load_n(&ctx->threads[t].live_bytes, __ATOMIC_RELAXED);
    return sum;
}

static uint64_t ops_total(struct exec_ctx *ctx)
{
    uint64_t sum = 0;
    for (uint32_t t = 0; t < ctx->thread_count; t++)
        sum += __atomic_load_n(&ctx->threads[t].ops_done, __ATOMIC_RELAXED);
    return sum;
}

static uint64_t measured_ticks(struct exec_ctx *ctx, uint64_t now)
{
    uint64_t elapsed = now - ctx->t0_ticks;
    uint64_t paused = __atomic_load_n(&ctx->paused_ticks, __ATOMIC_RELAXED);
    return elapsed > paused ? elapsed - paused : 0;
}

/* The region is full of samples: keep every other periodic one (and every
 * sample of another kind), and sample half as often from now on. */
static void decimate(struct exec_ctx *ctx)
{
    struct result_region *res = ctx->res;
    uint64_t kept = 0, periodic = 0;
    for (uint64_t i = 0; i < res->sample_count; i++) {
        const struct sample *s = &res->samples[i];
        if (s->kind == SAMPLE_PERIODIC && (periodic++ & 1)) {
            res->samples_decimated++;
            continue;
        }
        res->samples[kept++] = *s;
    }
    __atomic_store_n(&res->sample_count, kept, __ATOMIC_RELEASE);
    ctx->interval_ticks *= 2;
    ctx->sample_every *= 2;
}

static uint64_t delta_or_unsupported(uint64_t now, uint64_t base, uint64_t paused)
{
    if (now == METRIC_UNSUPPORTED || base == METRIC_UNSUPPORTED)
        return METRIC_UNSUPPORTED;
    return now - base - paused;
}

/* AnonHugePages in a periodic sample, within a cost budget of
 * 1/HUGE_BUDGET_INVERSE of the measured time. smaps_rollup walks every
 * page table (~0.1-10 ms, growing with the resident memory) against ~1 us
 * for the rest of a sample, so the reads are accounted: a read is taken
 * only if what the reads so far cost plus what this one should cost stays
 * within the budget of the measured time so far. "Should cost": the last
 * read's cost, scaled by how much the resident set has grown since (the
 * first prediction comes from a read before the baseline, taken as the
 * cost of at least a 64 MiB process: most of a small process's read is
 * fixed cost). A read that costs more than predicted overshoots once; the
 * next waits until the budget has caught up. No periodic read in the first
 * HUGE_MIN_NS of measured time, so no single read is a large share of a
 * short run (its phase ends read AnonHugePages all the same). */
#define HUGE_BUDGET_INVERSE 250 /* 0.4 % */
#define HUGE_MIN_RSS (64ull << 20)
#define HUGE_MIN_NS 1000000000ull

static void huge_sample(struct exec_ctx *ctx, struct sample *s, uint64_t paused_at)
{
    uint64_t now = measured_ticks(ctx, paused_at);
    if (now < ctx->huge_min_ticks)
        return; /* short runs: the phase ends' reads only */
    uint64_t base = ctx->huge_rss > HUGE_MIN_RSS ? ctx->huge_rss : HUGE_MIN_RSS;
    double grown = s->rss_bytes > base ? (double)s->rss_bytes / (double)base : 1.0;
    double predicted = (double)ctx->huge_cost_ticks * grown;
    if (((double)ctx->huge_spent_ticks + predicted) * HUGE_BUDGET_INVERSE > (double)now)
        return;
    uint64_t t0 = timer_ticks();
    struct smaps_rollup r;
    if (smaps_rollup_read(&r) != 0)
        return;
    uint64_t took = timer_ticks() - t0;
    s->anon_huge_bytes = r.anon_huge_bytes;
    if (r.anon_huge_bytes > ctx->res->peak_anon_huge_bytes)
        ctx->res->peak_anon_huge_bytes = r.anon_huge_bytes;
    ctx->huge_cost_ticks = took ? took : 1;
    ctx->huge_rss = s->rss_bytes;
    ctx->huge_spent_ticks += took;
    ctx->res->huge_reads++;
    ctx->res->huge_read_ns += timer_ns(ctx->timer, took);
}

/* One point of the time series, taken inside a pause that started at
 * `paused_at`. Caller holds the sample lock (or is the only thread
 * running). `op` is the op count to record. */
static void take_sample(struct exec_ctx *ctx, enum sample_kind kind, uint64_t op,
                        uint64_t paused_at)
{
    struct result_region *res = ctx->res;
    struct sample s = {.kind = kind, .phase = ctx->phase, .usable_bytes = METRIC_UNSUPPORTED,
                       .anon_huge_bytes = METRIC_UNSUPPORTED,
                       .op = op};
    s.t_ns = timer_ns(ctx->timer, measured_ticks(ctx, paused_at));
    settle_live(&ctx->threads[0]);
    s.live_bytes = live_total(ctx);

    struct statm_reading m = {0};
    statm_read(&ctx->statm, &m);
    s.rss_bytes = m.rss_bytes - res->harness_bytes;
    s.heap_bytes = (int64_t)m.anon_bytes - (int64_t)res->base_anon_bytes;
    s.brk_bytes = (int64_t)(uintptr_t)sbrk(0) - (int64_t)res->base_brk;

    struct fault_counts f = {0};
    rusage_read(&f);
    s.minor_faults = f.minor - ctx->base_minor - ctx->paused_minor;
    s.major_faults = f.major - ctx->base_major;

    /* The TLB counters only: the software fault counters add nothing to
     * getrusage's figures and would double the syscalls. */
    uint64_t perf[PERF_METRIC_COUNT];
    for (int i = 0; i < PERF_METRIC_COUNT; i++)
        perf[i] = METRIC_UNSUPPORTED;
    perf_counters_read_range(&ctx->perf, perf, 0, PERF_MINOR_FAULTS);
    for (int i = 0; i < PERF_METRIC_COUNT; i++)
        s.perf[i] = delta_or_unsupported(perf[i], ctx->perf_base[i], ctx->perf_paused[i]);

    if (kind == SAMPLE_PHASE_END && usable_size_fn) {
        /* All other threads wait at the barrier: the table is stable. */
        uint64_t usable = 0;
        for (uint64_t i = 0; i < ctx->slot_capacity; i++)
            if (ctx->slots[i])
                usable += usable_size_fn(ctx->slots[i]);
        s.usable_bytes = usable;
    }

    if (kind == SAMPLE_PERIODIC)
        huge_sample(ctx, &s, paused_at);

    if (s.rss_bytes > res->peak_rss_bytes)
        res->peak_rss_bytes = s.rss_bytes;
    if (s.heap_bytes > res->peak_heap_bytes)
        res->peak_heap_bytes = s.heap_bytes;
    if (s.live_bytes > res->peak_live_bytes)
        res->peak_live_bytes = s.live_bytes;
    if (s.brk_bytes > res->peak_brk_bytes)
        res->peak_brk_bytes = s.brk_bytes;

    if (res->sample_count == res->sample_capacity)
        decimate(ctx);
    uint64_t n = res->sample_count;
    if (n < res->sample_capacity) {
        res->samples[n] = s;
        __atomic_store_n(&res->sample_count, n + 1, __ATOMIC_RELEASE);
    }
}

/* A sample as a pause of its own (periodic and peak samples). The pause
 * functions are never inlined: instruction counts leave them out by name,
 * as the time figures leave out their time (bench/overhead.c). */
static __attribute__((noinline)) void sample_now(struct exec_ctx *ctx, enum sample_kind kind, uint64_t op)
{
    struct pause p;
    pause_begin(ctx, &p, false);
    take_sample(ctx, kind, op, p.ticks);
    uint64_t before = ctx->paused_ticks;
    pause_end(ctx, &p, false);
    uint64_t took = ctx->paused_ticks - before;
    ctx->sampling_ticks += took;
    latency_record(&ctx->res->sample_cost, timer_ns(ctx->timer, took));
}

static bool try_lock(int *lock)
{
    return !__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE);
}

static void unlock(int *lock)
{
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* One thread sampling by time: checks about 16 times per interval. */
static void adapt_checks(struct exec_ctx *ctx, uint64_t now)
{
    uint64_t since = now - ctx->last_check_ticks;
    ctx->last_check_ticks = now;
    if (since < ctx->interval_ticks / 32 && ctx->check_every < CHECK_EVERY_MAX)
        ctx->check_every *= 2;
    else if (since > ctx->interval_ticks / 8 && ctx->check_every > 1)
        ctx->check_every /= 2;
}

/* A periodic sample if one is due (by op count or by time). */
static void maybe_sample(struct exec_ctx *ctx)
{
    if (!ctx->sample_every && !ctx->interval_ticks)
        return;
    if (!try_lock(&ctx->sample_lock))
        return; /* another thread is sampling now */
    uint64_t total = ops_total(ctx);
    if (ctx->sample_every) {
        if (total >= ctx->next_sample_op) {
            sample_now(ctx, SAMPLE_PERIODIC, total);
            ctx->next_sample_op = (total / ctx->sample_every + 1) * ctx->sample_every;
        }
    } else {
        /* By measured time: the harness's pauses do not call for samples. */
        uint64_t now = measured_ticks(ctx, timer_ticks());
        if (ctx->thread_count == 1)
            adapt_checks(ctx, now);
        if (now >= ctx->next_sample_ticks) {
            sample_now(ctx, SAMPLE_PERIODIC, total);
            ctx->next_sample_ticks = now + ctx->interval_ticks;
        }
    }
    unlock(&ctx->sample_lock);
}

/* ---- threads: progress, waits ------------------------------------------- */

static void futex_wait(uint32_t *word, uint32_t value)
{
    struct timespec timeout = {0, 200000};
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, &timeout, NULL, 0);
}

static void futex_wake(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

/* Tell the other threads where this one is (before it may block). */
static void publish_progress(struct exec_thread *th, uint32_t gidx)
{
    __atomic_store_n(&th->progress, gidx, __ATOMIC_SEQ_CST);
    /* Wake a waiter only once it can go on: waking it at every step would
     * cost a futex call per check. */
    if (__atomic_load_n(&th->progress_waiters, __ATOMIC_SEQ_CST) &&
        (int32_t)(gidx - __atomic_load_n(&th->wake_at, __ATOMIC_RELAXED)) >= 0) {
        __atomic_store_n(&th->progress_waiters, 0, __ATOMIC_RELAXED);
        futex_wake(&th->progress);
    }
}

static void park(struct exec_thread *th)
{
    __atomic_store_n(&th->parked, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&th->progress_waiters, 0, __ATOMIC_RELAXED);
    futex_wake(&th->progress);
}

/* Hold op `gidx` until no other thread is `runahead` or more behind it.
 * The waiting thread has published its own position first, so the thread
 * furthest behind is never held: no deadlock (opstream_format.h). */
static void runahead_wait(struct exec_thread *th, uint32_t gidx, uint32_t runahead)
{
    struct exec_ctx *ctx = th->ctx;
    for (uint32_t t = 0; t < ctx->thread_count; t++) {
        struct exec_thread *o = &ctx->threads[t];
        if (o == th)
            continue;
        for (unsigned spins = 0;; spins++) {
            if (__atomic_load_n(&o->parked, __ATOMIC_ACQUIRE))
                break;
            uint32_t at = __atomic_load_n(&o->progress, __ATOMIC_ACQUIRE);
            if ((int32_t)(gidx - at) < (int32_t)runahead)
                break;
            if (spins < 256) {
                __builtin_ia32_pause();
                continue;
            }
            if (spins < 256 + 32) {
                sched_yield(); /* the thread behind may share this CPU */
                continue;
            }
            /* Sleep until it reaches the position that frees this op (with
             * several waiters the last one's need wins; the others' futex
             * timeout covers them). */
            __atomic_store_n(&o->wake_at, gidx - runahead + 1, __ATOMIC_RELAXED);
            __atomic_store_n(&o->progress_waiters, 1, __ATOMIC_SEQ_CST);
            if (__atomic_load_n(&o->progress, __ATOMIC_SEQ_CST) == at &&
                !__atomic_load_n(&o->parked, __ATOMIC_SEQ_CST))
                futex_wait(&o->progress, at);
        }
    }
}

/* Wait until every earlier op on the slot (done by other threads) is done.
 * Spin briefly, then publish this thread's position (a thread held by the
 * run-ahead bound may be waiting for it) and sleep on the seq word. The
 * waker checks `waiters` without a full fence, so a wake-up can be missed
 * in a narrow race; the futex timeout bounds that. */
static void wait_slot(struct exec_thread *th, struct exec_slot_sync *s, const struct op *op)
{
    for (unsigned spins = 0; spins < 256; spins++) {
        if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) == op->seq)
            return;
        __builtin_ia32_pause();
    }
    publish_progress(th, op->gidx);
    for (;;) {
        uint32_t now = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
        if (now == op->seq)
            return;
        __atomic_store_n(&s->waiters, 1, __ATOMIC_SEQ_CST);
        futex_wait(&s->seq, now);
    }
}

/* After an op on a slot: publish it and wake a thread waiting for it. */
static inline void publish_slot(struct exec_slot_sync *s, uint32_t next_seq)
{
    __atomic_store_n(&s->seq, next_seq, __ATOMIC_RELEASE);
    if (__atomic_load_n(&s->waiters, __ATOMIC_RELAXED)) {
        __atomic_store_n(&s->waiters, 0, __ATOMIC_RELAXED);
        futex_wake(&s->seq);
    }
}

/* ---- pacing ---------------------------------------------------------------- */

/* OP_DELAY: wait until the measured clock reaches op->size ns (a trace
 * replayed at its recorded pace). The wait is measured time, as the
 * recorded program's idle time was; it is slept in slices no longer than
 * the sampling interval, with periodic samples between them, after this
 * thread has published its position (the others are not held back by
 * it). Counted as a marker, not an op. */
static __attribute__((noinline)) void pace_wait(struct exec_thread *th, const struct op *op)
{
    struct exec_ctx *ctx = th->ctx;
    th->markers++;
    if (ctx->thread_count > 1)
        publish_progress(th, op->gidx);
    uint64_t slice_ns = ctx->res->params.sample_interval_ns ? ctx->res->params.sample_interval_ns
                                                            : 1000000;
    for (;;) {
        uint64_t now = timer_ns(ctx->timer, measured_ticks(ctx, timer_ticks()));
        if (now >= op->size)
            return;
        uint64_t left = op->size - now;
        if (left > 100000) {
            uint64_t sleep_ns = left - 50000 < slice_ns ? left - 50000 : slice_ns;
            struct timespec ts = {(time_t)(sleep_ns / 1000000000), (long)(sleep_ns % 1000000000)};
            nanosleep(&ts, NULL);
            maybe_sample(ctx);
        } else {
            __builtin_ia32_pause();
        }
    }
}

/* ---- phase ends and chunk ends ------------------------------------------ */

/* Thread 0 at a phase end, the others waiting: sample, smaps, usable size. */
static __attribute__((noinline)) void phase_sample(struct exec_ctx *ctx, const struct op *marker)
{
    struct pause p;
    pause_begin(ctx, &p, true);
    uint64_t at = measured_ticks(ctx, p.ticks);
    /* CPU time of the process (every thread) so far, pauses excluded. */
    uint64_t cpu_at = p.cpu_ns - ctx->cpu_t0_ns - ctx->cpu_paused_ns;
    if (marker->flags & OPF_PHASE_ACCESS) {
        ctx->access_ticks += at - ctx->last_phase_end_ticks;
        ctx->access_cpu_ns += cpu_at - ctx->last_phase_end_cpu_ns;
    }
    ctx->last_phase_end_ticks = at;
    ctx->last_phase_end_cpu_ns = cpu_at;
    /* Counts of the access phases alone (TLB misses and walks per visit). */
    for (int i = 0; i < PERF_METRIC_COUNT; i++) {
        uint64_t now = delta_or_unsupported(p.perf[i], ctx->perf_base[i], ctx->perf_paused[i]);
        if ((marker->flags & OPF_PHASE_ACCESS) && now != METRIC_UNSUPPORTED)
            ctx->res->access_perf[i] += now - ctx->last_phase_perf[i];
        ctx->last_phase_perf[i] = now;
    }
    ctx->phase = marker->slot;
    take_sample(ctx, SAMPLE_PHASE_END, marker->size, p.ticks);
    ctx->phase = marker->slot + 1; /* periodic samples carry their phase */
    struct smaps_rollup r;
    if (smaps_rollup_read(&r) == 0) {
        /* The phase-end sample just taken gets its AnonHugePages. */
        uint64_t n = ctx->res->sample_count;
        if (n && ctx->res->samples[n - 1].kind == SAMPLE_PHASE_END)
            ctx->res->samples[n - 1].anon_huge_bytes = r.anon_huge_bytes;
        if (r.anon_huge_bytes > ctx->res->peak_anon_huge_bytes)
            ctx->res->peak_anon_huge_bytes = r.anon_huge_bytes;
        if (r.rss_bytes >= ctx->peak_smaps_rss) {
            ctx->peak_smaps_rss = r.rss_bytes;
            ctx->res->smaps_peak_phase = r;
        }
    }
    if (marker->flags & (OPF_PHASE_FORK_IDLE | OPF_PHASE_FORK_READ)) {
        /* Faults so far in the measured window (this pause's own are
         * counted as the harness's when it ends). */
        if (!ctx->res->fork_count) {
            struct fault_counts f;
            rusage_read(&f);
            ctx->fork_minor_at = f.minor - ctx->base_minor - ctx->paused_minor;
        }
        fork_phase_start(ctx, (marker->flags & OPF_PHASE_FORK_READ) != 0);
    }
    pause_end(ctx, &p, true);
}

static void phase_end(struct exec_thread *th, const struct op *marker)
{
    struct exec_ctx *ctx = th->ctx;
    uint64_t at = (uint64_t)(marker - th->segment); /* its place in the segment */
    th->pos = at;
    /* Exact, so samples after the phase end never count fewer ops. */
    __atomic_store_n(&th->ops_done, th->ops_before + at - th->markers, __ATOMIC_RELAXED);
    th->markers++;
    if (ctx->thread_count > 1) {
        publish_progress(th, marker->gidx);
        pthread_barrier_wait(&ctx->barrier);
    }
    if (th->index == 0)
        phase_sample(ctx, marker);
    if (ctx->thread_count > 1)
        pthread_barrier_wait(&ctx->barrier);
}

/* Thread 0, all others parked: ask the parent for the next chunk. */
static __attribute__((noinline)) void refill(struct exec_ctx *ctx)
{
    struct pause p;
    pause_begin(ctx, &p, true);
    char c = 'n';
    ssize_t n;
    do
        n = write(ctx->request_fd, &c, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        fail_now(ctx, "cannot ask the parent for the next op chunk: %s", strerror(errno));
    do
        n = read(ctx->reply_fd, &c, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1 || c != 'c')
        fail_now(ctx, "the parent sent no op chunk (%s)",
                 n == 1 ? "it could not generate one" : n == 0 ? "it went away" : strerror(errno));
    ensure_slots(ctx, ctx->win->slots);
    pause_end(ctx, &p, true);
}

/* The thread has executed its segment. Returns true when the chunk was the
 * last one; otherwise the next chunk is in the window when it returns. */
static bool chunk_end(struct exec_thread *th, uint64_t segment_ops)
{
    struct exec_ctx *ctx = th->ctx;
    if (ctx->thread_count == 1) {
        /* The window is about to be overwritten: count its ops now. */
        struct pause p;
        pause_begin(ctx, &p, false);
        th->pos = segment_ops;
        settle_live(th);
        pause_end(ctx, &p, false);
    }
    th->ops_before += segment_ops - th->markers;
    __atomic_store_n(&th->ops_done, th->ops_before, __ATOMIC_RELAXED);
    if (ctx->thread_count > 1) {
        park(th);
        pthread_barrier_wait(&ctx->barrier);
    }
    if (th->index == 0) {
        ctx->last_chunk = ctx->win->last;
        if (!ctx->last_chunk)
            refill(ctx);
    }
    if (ctx->thread_count > 1) {
        pthread_barrier_wait(&ctx->barrier);
        __atomic_store_n(&th->parked, 0, __ATOMIC_SEQ_CST);
        /* Nobody checks progress until every thread has published its new
         * position: the barrier below orders the two. */
        const struct opwindow_segment *seg = &ctx->win->seg[th->index];
        if (seg->count)
            publish_progress(th, opwindow_ops(ctx->win)[seg->first].gidx);
        else
            park(th);
        pthread_barrier_wait(&ctx->barrier);
    }
    return ctx->last_chunk;
}

/* ---- executing ops ------------------------------------------------------ */

static inline void record_latency(struct exec_thread *th, enum latency_kind kind,
                                  uint64_t start)
{
    struct exec_ctx *ctx = th->ctx;
    uint64_t d = timer_ticks() - start;
    d = d > ctx->floor_ticks ? d - ctx->floor_ticks : 0;
    latency_record(&th->latency[kind], timer_ns(ctx->timer, d));
    th->timed++;
}

static _Noreturn __attribute__((noinline)) void op_failed(struct exec_ctx *ctx,
                                                          const struct op *op)
{
    if (op->kind >= OP_KIND_END || op->kind == 0)
        fail_now(ctx, "corrupt op stream: op kind %u", op->kind);
    fail_now(ctx, "allocation of %zu bytes (op kind %u) returned NULL", (size_t)op->size,
             op->kind);
}

static _Noreturn __attribute__((noinline)) void access_failed(struct exec_ctx *ctx,
                                                              const struct op *op)
{
    fail_now(ctx, "corrupt op stream: access to slot %u, which holds no object", op->slot);
}

/* A run of untimed visits (OP_ACCESS) from `op` up to the first other op
 * or `end`, with the counts in locals: kept out of execute() so the loop
 * of the allocator ops keeps its registers, and a visit costs little more
 * than the reads themselves. The first op's wait (threads) is done.
 * Returns the last op executed. */
static inline __attribute__((always_inline)) const struct op *
access_run(struct exec_thread *th, void **slots, struct exec_slot_sync *sync,
           const struct op *op, const struct op *end, const bool multi)
{
    const struct op *first = op;
    uint64_t check = th->access_check, sink = 0;
    for (; op < end && op->kind == OP_ACCESS; op++) {
        if (multi && op != first && (op->flags & OPF_WAIT))
            wait_slot(th, &sync[op->slot], op);
        void *p = slots[op->slot];
        if (__builtin_expect(!p, 0) && op->size)
            access_failed(th->ctx, op);
        sink += op_access(p, op->size, op->touch);
        check = op_access_check(check, op->slot);
        if (multi)
            publish_slot(&sync[op->slot], op->seq + 1);
    }
    uint64_t n = (uint64_t)(op - first);
    th->markers += n; /* no allocator calls: not ops */
    th->accesses += n;
    th->access_check = check;
    th->access_sink += sink;
    return op - 1;
}

static __attribute__((noinline)) const struct op *
access_run_single(struct exec_thread *th, void **slots, const struct op *op,
                  const struct op *end)
{
    return access_run(th, slots, NULL, op, end, false);
}

static __attribute__((noinline)) const struct op *
access_run_multi(struct exec_thread *th, void **slots, struct exec_slot_sync *sync,
                 const struct op *op, const struct op *end)
{
    return access_run(th, slots, sync, op, end, true);
}

/* Execute one op (a run of visits: all of it, *opp then points at its
 * last). `multi` and `timed` are constants at each call site, so
 * the compiler builds a lean loop for the common case. With threads, `live`
 * is the thread's running count of live bytes, published after every op
 * for the samplers (one thread: see settle_live). */
static inline __attribute__((always_inline)) void
execute(struct exec_thread *th, void **slots, struct exec_slot_sync *sync, const struct op **opp,
        const struct op *end, int64_t *live, const bool multi, const bool timed)
{
    const struct op *op = *opp;
    void **s = &slots[op->slot];
    uint64_t size = op->size;
    uint64_t start = 0;
    void *p = NULL;
    enum latency_kind kind = LAT_MALLOC;

    if (multi && (op->flags & OPF_WAIT))
        wait_slot(th, &sync[op->slot], op);
    if (timed)
        start = timer_ticks();
    switch (op->kind) {
    case OP_MALLOC:
        p = malloc(op->size);
        break;
    case OP_CALLOC:
        p = calloc(1, op->size);
        kind = LAT_CALLOC;
        break;
    case OP_POSIX_MEMALIGN:
        if (posix_memalign(&p, (size_t)1 << op->align_log2, op->size) != 0)
            p = NULL;
        kind = LAT_ALIGNED;
        break;
    case OP_ALIGNED_ALLOC:
        p = aligned_alloc((size_t)1 << op->align_log2, op->size);
        kind = LAT_ALIGNED;
        break;
    case OP_REALLOC:
        size = op_realloc_new_size(op);
        p = realloc(*s, size);
        if (timed)
            record_latency(th, LAT_REALLOC, start);
        if (!p && size)
            op_failed(th->ctx, op);
        if (multi)
            *live -= (int64_t)op_realloc_old_size(op);
        goto placed;
    case OP_FREE:
        free(*s);
        if (timed)
            record_latency(th, LAT_FREE, start);
        *s = NULL;
        if (multi)
            *live -= (int64_t)size;
        goto done;
    case OP_PHASE_END:
        if (multi)
            th->live_bytes = *live;
        phase_end(th, op);
        return;
    case OP_DELAY:
        pace_wait(th, op);
        return;
    case OP_ACCESS:
        if (!timed) {
            /* The visits that follow, up to the stretch's end, in one go. */
            *opp = multi ? access_run_multi(th, slots, sync, op, end)
                         : access_run_single(th, slots, op, end);
            return;
        }
        if (__builtin_expect(!*s, 0) && size)
            access_failed(th->ctx, op);
        th->access_sink += op_access(*s, size, op->touch);
        record_latency(th, LAT_ACCESS, start);
        th->access_timed++;
        th->markers++; /* no allocator call: not an op */
        th->accesses++;
        th->access_check = op_access_check(th->access_check, op->slot);
        goto done;
    default:
        op_failed(th->ctx, op);
    }
    if (timed)
        record_latency(th, kind, start);
    if (__builtin_expect(!p, 0) && size)
        op_failed(th->ctx, op);
placed:
    op_touch(p, size, op->touch);
    *s = p;
    if (multi)
        *live += (int64_t)size;
done:
    if (multi) {
        __atomic_store_n(&th->live_bytes, *live, __ATOMIC_RELAXED);
        publish_slot(&sync[op->slot], op->seq + 1);
    }
}

/* A check: publish progress, hold back if too far ahead, sample if due. */
static void check(struct exec_thread *th, const struct op *next, uint64_t done_in_segment,
                  uint32_t runahead)
{
    struct exec_ctx *ctx = th->ctx;
    __atomic_store_n(&th->ops_done, th->ops_before + done_in_segment - th->markers,
                     __ATOMIC_RELAXED);
    if (ctx->thread_count > 1 && next) {
        publish_progress(th, next->gidx);
        runahead_wait(th, next->gidx, runahead);
    }
    maybe_sample(ctx);
}

/* A forced sample where the live bytes passed a new high. */
static void peak_sample(struct exec_thread *th, uint64_t done_in_segment)
{
    struct exec_ctx *ctx = th->ctx;
    __atomic_store_n(&th->ops_done, th->ops_before + done_in_segment - th->markers,
                     __ATOMIC_RELAXED);
    if (ctx->thread_count == 1) {
        sample_now(ctx, SAMPLE_PEAK, th->ops_done);
    } else if (try_lock(&ctx->sample_lock)) {
        sample_now(ctx, SAMPLE_PEAK, ops_total(ctx));
        unlock(&ctx->sample_lock);
    }
}

/* Ops i..stop-1, none of them timed, none an event: the loop that runs
 * almost every op. A function of its own so its few variables all stay in
 * registers; `multi` is a constant in each caller. */
static inline __attribute__((always_inline)) int64_t
run_stretch(struct exec_thread *th, void **slots, struct exec_slot_sync *sync,
            const struct op *op, const struct op *end, int64_t live, const bool multi)
{
    for (; op < end; op++)
        execute(th, slots, sync, &op, end, &live, multi, false);
    return live;
}

static __attribute__((noinline)) void run_stretch_single(struct exec_thread *th, void **slots,
                                                         const struct op *op,
                                                         const struct op *end)
{
    run_stretch(th, slots, NULL, op, end, 0, false);
}

static __attribute__((noinline)) int64_t run_stretch_multi(struct exec_thread *th, void **slots,
                                                           struct exec_slot_sync *sync,
                                                           const struct op *op,
                                                           const struct op *end, int64_t live)
{
    return run_stretch(th, slots, sync, op, end, live, true);
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Run this thread's segment of the chunk in the window. */
static void run_segment(struct exec_thread *th, const bool multi)
{
    struct exec_ctx *ctx = th->ctx;
    const struct opwindow_header *win = ctx->win;
    const struct opwindow_segment *seg = &win->seg[th->index];
    const struct op *ops = opwindow_ops(win) + seg->first;
    const uint32_t *timed = opwindow_timed(win) + seg->timed_first;
    /* Under callgrind nothing is timed: latencies are meaningless there,
     * and the histogram's data-dependent branches would make instruction
     * counts differ between repetitions. */
    const uint64_t n = seg->count,
                   ntimed = ctx->instr.method == INSTR_CALLGRIND ? 0 : seg->timed_count;
    void **slots = ctx->slots;
    struct exec_slot_sync *sync = ctx->sync;
    const uint32_t runahead = win->runahead;

    /* This thread's peak marks, as positions: sample before op index+1. */
    uint64_t marks[OPWINDOW_MAX_MARKS];
    unsigned nmarks = 0, mi = 0;
    for (uint32_t k = 0; k < win->mark_count; k++)
        if (win->marks[k].thread == th->index)
            marks[nmarks++] = win->marks[k].index + 1;

    uint64_t check_every = ctx->check_every;
    if (multi) {
        /* Publish often enough that the others are rarely held back. */
        uint64_t k = runahead / (4 * ctx->thread_count);
        check_every = min_u64(check_every, k ? k : 1);
    }
    th->markers = 0;
    th->segment = ops;
    th->pos = 0;
    int64_t live = th->live_bytes;
    uint64_t i = 0, ti = 0, next_check = check_every;
    while (i < n) {
        uint64_t next_timed = ti < ntimed ? timed[ti] : UINT64_MAX;
        uint64_t next_mark = mi < nmarks ? marks[mi] : UINT64_MAX;
        uint64_t stop = min_u64(min_u64(n, next_timed), min_u64(next_mark, next_check));
        if (i < stop) {
            if (multi)
                live = run_stretch_multi(th, slots, sync, ops + i, ops + stop, live);
            else
                run_stretch_single(th, slots, ops + i, ops + stop);
        }
        i = stop;
        th->pos = i;
        if (i == next_mark) {
            mi++;
            peak_sample(th, i);
        }
        if (i == n)
            break;
        if (i == next_check) {
            check(th, &ops[i], i, runahead);
            if (!multi)
                check_every = ctx->check_every;
            next_check = i + check_every;
        }
        if (i == next_timed) {
            ti++;
            const struct op *one = &ops[i];
            if (multi)
                execute(th, slots, sync, &one, one + 1, &live, true, true);
            else
                execute(th, slots, sync, &one, one + 1, &live, false, true);
            i++;
        }
    }
    if (mi < nmarks && marks[mi] == n)
        peak_sample(th, n);
}

/* noinline: benchmarks count the measured loop's instructions by this
 * function's name (callgrind --toggle-collect=run_chunks). */
static __attribute__((noinline)) void run_chunks(struct exec_thread *th)
{
    const bool multi = th->ctx->thread_count > 1;
    for (;;) {
        uint64_t n = th->ctx->win->seg[th->index].count;
        run_segment(th, multi);
        if (chunk_end(th, n))
            return;
    }
}

static void *thread_main(void *arg)
{
    struct exec_thread *th = arg;
    pthread_barrier_wait(&th->ctx->barrier); /* parked: baseline may be taken */
    pthread_barrier_wait(&th->ctx->barrier); /* start gate */
    run_chunks(th);
    return NULL;
}

/* ---- set-up and the run ------------------------------------------------- */

/* What a timed op costs the run beyond the op itself: the timing and the
 * histogram update, measured on an empty op. Taken out of the wall time.
 * The median of short batches: a batch the scheduler interrupted does not
 * count. */
static uint64_t timed_cost_ticks(struct exec_thread *th)
{
    enum { BATCHES = 33, PER_BATCH = 64 };
    static struct latency_hist scratch[LAT_KIND_COUNT];
    struct latency_hist *real = th->latency;
    uint64_t cost[BATCHES];
    th->latency = scratch;
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = timer_ticks();
        for (int i = 0; i < PER_BATCH; i++) {
            uint64_t start = timer_ticks();
            record_latency(th, LAT_FREE, start);
        }
        cost[b] = (timer_ticks() - t0) / PER_BATCH;
    }
    th->latency = real;
    th->timed = 0;
    for (int i = 1; i < BATCHES; i++) /* insertion sort: 33 values */
        for (int j = i; j > 0 && cost[j] < cost[j - 1]; j--) {
            uint64_t t = cost[j];
            cost[j] = cost[j - 1];
            cost[j - 1] = t;
        }
    return cost[BATCHES / 2];
}

int executor_prepare(struct exec_ctx *ctx, struct opwindow_header *win, int request_fd,
                     int reply_fd, struct result_region *res, uint64_t res_bytes,
                     uint64_t win_bytes)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->win = win;
    ctx->res = res;
    ctx->request_fd = request_fd;
    ctx->reply_fd = reply_fd;
    ctx->thread_count = win->threads;
    ctx->timer = &res->params.timer;
    res->threads = win->threads;
    timer_use(ctx->timer);

    res->harness_bytes = 0;
    harness_adopt(ctx, (volatile char *)res, res_bytes, true);
    harness_adopt(ctx, (volatile char *)win, win_bytes, false);
    ensure_slots(ctx, win->slots);
    ctx->threads = harness_map(ctx, ctx->thread_count * sizeof *ctx->threads);
    struct latency_hist *hists =
        harness_map(ctx, (size_t)ctx->thread_count * LAT_KIND_COUNT * sizeof *hists);
    if (!ctx->threads || !hists) {
        snprintf(res->error, sizeof res->error, "mmap of executor tables failed: %s",
                 strerror(errno));
        return -1;
    }
    if (statm_open(&ctx->statm) < 0) {
        snprintf(res->error, sizeof res->error, "cannot open /proc/self/statm");
        return -1;
    }
    usable_size_fn = (size_t(*)(void *))dlsym(RTLD_DEFAULT, "malloc_usable_size");

    for (uint32_t t = 0; t < ctx->thread_count; t++) {
        ctx->threads[t].index = t;
        ctx->threads[t].ctx = ctx;
        ctx->threads[t].latency = hists + (size_t)t * LAT_KIND_COUNT;
    }
    ctx->floor_ticks = timer_floor_ticks();
    ctx->timed_cost_ticks = timed_cost_ticks(&ctx->threads[0]);
    res->timer_floor_ns = timer_ns(ctx->timer, ctx->floor_ticks);

    ctx->check_every = CHECK_EVERY_SINGLE;
    ctx->sample_every = win->sample_every;
    ctx->next_sample_op = ctx->sample_every;
    if (ctx->sample_every && ctx->sample_every < ctx->check_every)
        ctx->check_every = ctx->sample_every;
    uint64_t interval_ns = res->params.sample_interval_ns;
    /* ns -> ticks: invert mult/shift once. */
    ctx->interval_ticks =
        interval_ns ? (uint64_t)(((unsigned __int128)interval_ns << ctx->timer->shift) /
                                 (ctx->timer->mult ? ctx->timer->mult : 1))
                    : 0;

    /* Counters are opened before the threads exist: `inherit` then counts
     * every worker thread. */
    perf_counters_open(&ctx->perf);
    for (int i = 0; i < PERF_METRIC_COUNT; i++)
        res->perf_errno[i] = ctx->perf.open_errno[i];
    res->instructions = METRIC_UNSUPPORTED;
    res->instructions_errno = -instr_open(&ctx->instr, res->params.instructions);
    if (res->params.instructions == INSTR_CALLGRIND &&
        (res->instructions_errno || ctx->thread_count > 1)) {
        snprintf(res->error, sizeof res->error, "cannot count instructions under callgrind: %s",
                 ctx->thread_count > 1 ? "single-threaded workloads only"
                 : res->instructions_errno == ENOSYS
                     ? "this allocscope-worker was built without <valgrind/callgrind.h> "
                       "(install valgrind and rebuild)"
                     : "the worker is not running under valgrind");
        return -1;
    }

    if (pthread_barrier_init(&ctx->barrier, NULL, ctx->thread_count) != 0) {
        snprintf(res->error, sizeof res->error, "pthread_barrier_init failed");
        return -1;
    }
    for (uint32_t t = 1; t < ctx->thread_count; t++) {
        /* Stacks from the harness's memory: shmem, resident, never heap. */
        char *stack = harness_map(ctx, THREAD_STACK_BYTES);
        pthread_attr_t attr;
        if (!stack || pthread_attr_init(&attr) != 0 ||
            pthread_attr_setstack(&attr, stack, THREAD_STACK_BYTES) != 0) {
            snprintf(res->error, sizeof res->error, "cannot set up a thread stack");
            return -1;
        }
        int rc = pthread_create(&ctx->threads[t].handle, &attr, thread_main, &ctx->threads[t]);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            snprintf(res->error, sizeof res->error, "pthread_create: %s", strerror(rc));
            return -1;
        }
    }
    prefault_main_stack();
    ctx->fork_pipe = -1;
    return page_lock_apply(res);
}

/* Peak heap from the high-water mark: at the moment of the RSS peak, RSS =
 * anon + file + shmem, and file and shmem (libraries, the harness's
 * pre-faulted mappings) only grow during the run, so the anon part of the
 * peak is at least VmHWM - (file + shmem at the end). Together with the
 * sampled maximum this misses no spike between samples. */
static int64_t heap_from_hwm(const struct result_region *res)
{
    const struct proc_status *st = &res->status_end;
    return (int64_t)st->hwm_bytes - (int64_t)(st->file_bytes + st->shmem_bytes) -
           (int64_t)res->base_anon_bytes;
}

int executor_run(struct exec_ctx *ctx)
{
    struct result_region *res = ctx->res;

    /* Every thread has started and faulted in its stack and TLS before the
     * baseline, so none of that counts as heap. */
    if (ctx->thread_count > 1)
        pthread_barrier_wait(&ctx->barrier);
    for (uint32_t t = 0; t < ctx->thread_count; t++) {
        const struct opwindow_segment *seg = &ctx->win->seg[t];
        if (seg->count)
            ctx->threads[t].progress = opwindow_ops(ctx->win)[seg->first].gidx;
        else
            ctx->threads[t].parked = 1;
    }

    /* What an AnonHugePages read costs now (huge_sample's first budget). */
    uint64_t h0 = timer_ticks();
    struct smaps_rollup hr;
    smaps_rollup_read(&hr);
    ctx->huge_cost_ticks = timer_ticks() - h0 + 1;
    ctx->huge_min_ticks = (uint64_t)(((unsigned __int128)HUGE_MIN_NS << ctx->timer->shift) /
                                     (ctx->timer->mult ? ctx->timer->mult : 1));

    /* Baseline: immediately before the first measured op. */
    struct statm_reading m;
    statm_read(&ctx->statm, &m);
    res->base_rss_bytes = m.rss_bytes - res->harness_bytes;
    res->base_anon_bytes = m.anon_bytes;
    res->base_brk = (uint64_t)(uintptr_t)sbrk(0);
    struct fault_counts f;
    rusage_read(&f);
    ctx->base_minor = f.minor;
    ctx->base_major = f.major;
    peak_rss_reset();
    perf_counters_enable(&ctx->perf);
    perf_counters_read(&ctx->perf, ctx->perf_base);
    res->peak_rss_bytes = res->base_rss_bytes;
    ctx->huge_rss = res->base_rss_bytes;
    __atomic_store_n(&res->state, RESULT_MEASURING, __ATOMIC_RELEASE);
    ctx->t0_ticks = timer_ticks();
    take_sample(ctx, SAMPLE_BASELINE, 0, ctx->t0_ticks);
    ctx->t0_ticks = timer_ticks(); /* the baseline sample is not measured */
    ctx->cpu_t0_ns = cpu_now_ns();
    ctx->next_sample_ticks = ctx->interval_ticks; /* measured time */
    ctx->last_check_ticks = 0;

    instr_start(&ctx->instr);
    if (ctx->thread_count > 1)
        pthread_barrier_wait(&ctx->barrier); /* open the start gate */
    run_chunks(&ctx->threads[0]);
    for (uint32_t t = 1; t < ctx->thread_count; t++)
        pthread_join(ctx->threads[t].handle, NULL);
    res->instructions = instr_stop(&ctx->instr);
    uint64_t end = timer_ticks();
    uint64_t cpu_elapsed = cpu_now_ns() - ctx->cpu_t0_ns;
    uint64_t cpu = cpu_elapsed > ctx->cpu_paused_ns ? cpu_elapsed - ctx->cpu_paused_ns : 0;

    /* End figures: counters first, before anything else runs. */
    rusage_read(&f);
    uint64_t perf[PERF_METRIC_COUNT];
    perf_counters_read(&ctx->perf, perf);
    proc_status_read(&res->status_end);

    uint64_t timed = 0, access_timed = 0;
    for (uint32_t t = 0; t < ctx->thread_count; t++) {
        const struct exec_thread *th = &ctx->threads[t];
        timed += th->timed;
        access_timed += th->access_timed;
        res->ops_done += th->ops_before;
        res->access_count += th->accesses;
        res->access_check += th->access_check;
        res->access_sink += th->access_sink;
    }
    /* Access phases are timed apart: wall_ns is the allocator calls' time
     * (the access phases and the timer's cost on timed ops taken out). */
    uint64_t wall = measured_ticks(ctx, end);
    uint64_t timing = (timed - access_timed) * ctx->timed_cost_ticks / ctx->thread_count;
    uint64_t access_timing = access_timed * ctx->timed_cost_ticks / ctx->thread_count;
    wall = wall > ctx->access_ticks ? wall - ctx->access_ticks : 0;
    res->access_ns = timer_ns(ctx->timer, ctx->access_ticks > access_timing
                                              ? ctx->access_ticks - access_timing
                                              : 0);
    res->wall_ns = timer_ns(ctx->timer, wall > timing ? wall - timing : 0);
    timing += access_timing;
    res->paused_ns = timer_ns(ctx->timer, ctx->paused_ticks);
    res->sampling_ns = timer_ns(ctx->timer, ctx->sampling_ticks);
    res->timing_cost_ns = timer_ns(ctx->timer, timing);
    /* Timing costs CPU on every thread that timed: all of it comes out
     * (the access phases' share went with them). */
    uint64_t cpu_timing = timer_ns(ctx->timer, timing - access_timing) * ctx->thread_count;
    cpu = cpu > ctx->access_cpu_ns ? cpu - ctx->access_cpu_ns : 0; /* as wall_ns */
    res->cpu_ns = cpu > cpu_timing ? cpu - cpu_timing : 0;

    uint64_t n = res->sample_count;
    res->final_heap_bytes = n ? res->samples[n - 1].heap_bytes : 0;
    uint64_t hwm = res->status_end.hwm_bytes - res->harness_bytes;
    if (hwm > res->peak_rss_bytes)
        res->peak_rss_bytes = hwm;
    int64_t heap = heap_from_hwm(res);
    if (heap > res->peak_heap_bytes)
        res->peak_heap_bytes = heap;

    smaps_rollup_read(&res->smaps_end);
    smaps_mapped_read(&res->mapped_end);
    res->ru_maxrss_bytes = f.maxrss_bytes;
    res->ru_minor_faults = f.minor - ctx->base_minor - ctx->paused_minor;
    if (res->fork_count) {
        res->fork_minor_faults = res->ru_minor_faults - ctx->fork_minor_at;
        res->fork_shared_end_bytes = res->mapped_end.anon_shared_bytes;
        fork_phase_reap(ctx);
    }
    res->ru_major_faults = f.major - ctx->base_major;
    res->harness_minor_faults = ctx->paused_minor;
    for (int i = 0; i < PERF_METRIC_COUNT; i++)
        res->perf_total[i] = delta_or_unsupported(perf[i], ctx->perf_base[i], ctx->perf_paused[i]);
    for (uint32_t t = 0; t < ctx->thread_count; t++)
        for (int k = LAT_ALL + 1; k < LAT_KIND_COUNT; k++) {
            latency_merge(&res->latency[k], &ctx->threads[t].latency[k]);
            if (k != LAT_ACCESS) /* not an allocator call */
                latency_merge(&res->latency[LAT_ALL], &ctx->threads[t].latency[k]);
        }
    return 0;
}
