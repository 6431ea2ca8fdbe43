/* timer.h - the clock of the measured loop.
 *
 * Where the CPU has an invariant TSC (constant_tsc and nonstop_tsc: the
 * counter ticks at one rate in every power state), a read is one rdtsc
 * between two lfences, about a third of a clock_gettime here; elsewhere
 * CLOCK_MONOTONIC. The parent chooses the source and calibrates the tick
 * rate against CLOCK_MONOTONIC once (run/timer_calibrate.c); the worker is
 * told which with struct timer_params. Ticks become nanoseconds as
 * ticks * mult >> shift.
 */
#ifndef ALLOCSCOPE_TIMER_H
#define ALLOCSCOPE_TIMER_H

#include <stdint.h>
#include <time.h>

enum timer_source {
    TIMER_MONOTONIC = 0, /* ticks are nanoseconds */
    TIMER_TSC = 1,
};

struct timer_params {
    uint32_t source; /* enum timer_source */
    uint32_t shift;
    uint64_t mult;
};

/* Set once, before anything is timed. */
extern int timer_tsc;

static inline void timer_use(const struct timer_params *p)
{
    timer_tsc = p->source == TIMER_TSC;
}

static inline uint64_t timer_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
    if (timer_tsc) {
        /* lfence before: earlier instructions have finished; after: later
         * ones do not start before the read. (rdtscp is not on every CPU
         * a VM offers.) */
        __builtin_ia32_lfence();
        uint64_t t = __builtin_ia32_rdtsc();
        __builtin_ia32_lfence();
        return t;
    }
#endif
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline uint64_t timer_ns(const struct timer_params *p, uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * p->mult) >> p->shift);
}

/* The cost of timing nothing: median of many back-to-back read pairs, in
 * ticks. Subtracted from every timed op. */
uint64_t timer_floor_ticks(void);

#endif
