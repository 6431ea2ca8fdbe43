/* timer_calibrate.h - choosing the measured loop's clock for this machine
 * (worker/timer.h): the TSC where it is invariant, calibrated against
 * CLOCK_MONOTONIC, else CLOCK_MONOTONIC itself. Done once per command in
 * the parent; every worker is told the result. */
#ifndef ALLOCSCOPE_TIMER_CALIBRATE_H
#define ALLOCSCOPE_TIMER_CALIBRATE_H

#include <stddef.h>

#include "timer.h"

/* Fill *out; `desc` gets a line for people and run.json ("tsc 2.100 GHz",
 * "clock_gettime(CLOCK_MONOTONIC)"). ALLOCSCOPE_TIMER=monotonic in the
 * environment forces the monotonic clock. */
void timer_calibrate(struct timer_params *out, char *desc, size_t desclen);

/* Ticks per nanosecond of *p (1 for the monotonic clock). */
double timer_ticks_per_ns(const struct timer_params *p);

#endif
